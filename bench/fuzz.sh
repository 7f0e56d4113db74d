#!/usr/bin/env bash
# bench/fuzz.sh - a fuzzing campaign: every libFuzzer target of the Makefile's
# FUZZ_TARGETS (docs/testing.md), niced, each until it has run EXECS inputs or
# for SECONDS, whichever comes first; then a table of executions, exec/s and
# crashes per target.  Exits 1 if any target crashed.
#
#   bench/fuzz.sh [SECONDS [BUILD_DIR [TARGET...]]]
#
# SECONDS: the most each target runs (default 120).  BUILD_DIR: a configured
# build tree (default build/dev); `make fuzz` is run there.  TARGETs: only
# these (default: all).  Environment:
# EXECS (default 10000000), JOBS targets at a time (default 1), NICE (15),
# WORK (where corpora, logs and crash inputs go; default a new /tmp dir; the
# seeds in tests/fuzz/corpus are copied, never changed; given the WORK of an
# earlier campaign, each target goes on from the corpus it grew there).
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SECONDS_EACH=${1:-120}
BUILD=$(cd "${2:-build/dev}" && pwd) || exit 1
EXECS=${EXECS:-10000000}
JOBS=${JOBS:-1}
NICE=${NICE:-15}
WORK=${WORK:-$(mktemp -d /tmp/nbpy-fuzz.XXXXXX)}

make -s -C "$BUILD" fuzz >/dev/null || { echo "bench/fuzz.sh: make fuzz failed in $BUILD" >&2; exit 1; }
read -r -a targets <<<"$(make -s -C "$BUILD" fuzz-targets)"
[ $# -gt 2 ] && targets=("${@:3}")
mkdir -p "$WORK"
echo "fuzz campaign: ${#targets[@]} targets, each $EXECS runs or ${SECONDS_EACH} s, $JOBS at a time, nice $NICE"
echo "  work dir: $WORK"

run_one() {	# run_one TARGET: corpus, log and artifacts under $WORK/TARGET
	local t=$1 dir=$WORK/$1
	mkdir -p "$dir/artifacts"
	# a WORK of an earlier campaign: go on from the corpus it grew
	if [ ! -d "$dir/corpus" ]; then
		cp -r "$ROOT/tests/fuzz/corpus/${t#fuzz_}" "$dir/corpus" 2>/dev/null || mkdir -p "$dir/corpus"
		chmod -R u+w "$dir/corpus"
	fi
	date +%s.%N >"$dir/start"
	nice -n "$NICE" "$BUILD/tests/fuzz/$t" -runs="$EXECS" -max_total_time="$SECONDS_EACH" \
		-print_final_stats=1 -artifact_prefix="$dir/artifacts/" "$dir/corpus" >"$dir/log" 2>&1
	echo $? >"$dir/rc"
	date +%s.%N >"$dir/end"
}

running=0
for t in "${targets[@]}"; do
	if [ "$running" -ge "$JOBS" ]; then
		wait -n
		running=$((running - 1))
	fi
	run_one "$t" &
	running=$((running + 1))
done
wait

crashed=0
printf '\n| target | executions | exec/s | seconds | crashes |\n|---|---:|---:|---:|---:|\n'
for t in "${targets[@]}"; do
	dir=$WORK/$t
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log")
	# libFuzzer's own exec/s is in whole seconds: wall clock is finer
	secs=$(awk '{ printf "%.1f", $1 - s }' s="$(cat "$dir/start")" "$dir/end")
	rate=$(awk -v n="${execs:-0}" -v s="$secs" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }')
	crashes=$(find "$dir/artifacts" -type f | wc -l)
	# a non-zero exit without an artifact is a crash of the target too
	[ "$(cat "$dir/rc")" = 0 ] || [ "$crashes" -gt 0 ] || crashes=1
	[ "$crashes" -eq 0 ] || crashed=1
	printf '| %s | %s | %s | %s | %s |\n' "$t" "${execs:-?}" "${rate:-?}" "${secs:-?}" "$crashes"
done
[ "$crashed" -eq 0 ] || echo "crash inputs and logs: $WORK/TARGET/artifacts, $WORK/TARGET/log"
exit "$crashed"
