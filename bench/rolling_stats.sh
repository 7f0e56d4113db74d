#!/usr/bin/env bash
# bench/rolling_stats.sh - rolling statistics on the CPU, side by side in one
# run on the same ticks: stats.rolling's computation (nbpy_rolling_push +
# nbpy_rolling_get per tick, one window per instrument), nbpy_rolling_batch
# on the CPU, the batch tool nbpy-stats end to end (CSV in; nothing out, and
# CSV out; when it is built), pandas groupby-rolling (the original services'
# tool; its computation, and the same batch job end to end: read_csv, the
# computation, nothing out or to_csv) and a numpy-only version.  Every
# implementation's output is checked on a sample of rows against an
# independent two-pass computation (bench/rolling_stats.py).
# Prints one table: implementation, window, rows/s, ns per row, ratio to
# pandas' computation, and for nbpy-stats ratio to pandas end to end; and
# the bytes one instrument's window takes.  Not a test.
#
#   bench/rolling_stats.sh BUILD_DIR [N] [TRIALS]
#       N ticks of 8 instruments (default 2,000,000); TRIALS runs of pandas,
#       numpy and the tool per window (3), 2 * TRIALS + 1 of the C paths;
#       one run of each end-to-end row with CSV out, and of pandas end to end
#       (with CSV out: at W = CSV_W only, to_csv takes half a minute)
set -euo pipefail
B=$(cd "${1:?usage: bench/rolling_stats.sh BUILD_DIR [N] [TRIALS]}" && pwd)
N=${2:-2000000}
TRIALS=${3:-3}
WINDOWS="20 100 1000"
CSV_W=100	# the one window of pandas end to end with CSV out
EVERY=1009	# the sampled rows: every EVERY-th (prime: all instruments, all phases)
S=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3	# Debian's, with python3-pandas and python3-numpy
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
[ -x "$B/bench/rolling" ] || { echo "rolling_stats.sh: $B/bench/rolling missing (make bench/rolling)" >&2; exit 1; }
"$PY" -c 'import numpy, pandas' || { echo "rolling_stats.sh: $PY lacks numpy or pandas (apt-get install python3-pandas)" >&2; exit 1; }

"$B/bench/rolling" gen "$N" 8 "$T/ticks.csv"
# shellcheck disable=SC2086
"$B/bench/rolling" run "$T/ticks.csv" $((2 * TRIALS + 1)) "$EVERY" "$T/samples.txt" $WINDOWS >"$T/c.out"
# shellcheck disable=SC2086
GLIBC_TUNABLES=glibc.malloc.tcache_count=0 "$B/bench/rolling" mem $WINDOWS >>"$T/c.out"

mkdir "$T/tool"
TOOL=$B/nbpy-stats
tool_ns() {	# tool_ns ARGS...: ns per tick of one nbpy-stats run; its summary into tool.log
	local t0 t1
	t0=$(date +%s%N)
	"$TOOL" --device cpu --in "$T/ticks.csv" "$@" 2>>"$T/tool.log"
	t1=$(date +%s%N)
	awk -v t=$((t1 - t0)) -v n="$N" 'BEGIN { printf "%.1f\n", t / n }'
}
best_median() {	# best_median NAME W < one time a line
	sort -n | awk -v k="$1" -v w="$2" '{ t[NR] = $1 } END { print k, w, t[1], t[int((NR + 1) / 2)] }'
}
if [ -x "$TOOL" ]; then
	for w in $WINDOWS; do
		for _ in $(seq "$TRIALS"); do tool_ns --window "$w" --format none; done |
			best_median toolnone "$w" >>"$T/tool.out"
		# every row formatted (into /dev/null): once, it takes seconds
		tool_ns --window "$w" --format csv --out /dev/null | best_median toolcsv "$w" >>"$T/tool.out"
		# what the check reads: every EVERY-th tick of each instrument
		"$TOOL" --device cpu --in "$T/ticks.csv" --window "$w" --every "$EVERY" --quiet \
			--out "$T/tool/stats-$w.csv"
	done
fi

# shellcheck disable=SC2086
if ! "$PY" "$S/rolling_stats.py" "$T/ticks.csv" "$TRIALS" "$EVERY" "$T/samples.txt" "$T/tool" "$CSV_W" $WINDOWS >"$T/py.out"; then
	cat "$T/py.out" >&2
	echo "rolling_stats.sh: an implementation disagrees with the two-pass reference" >&2
	exit 1
fi

echo "$N ticks, 8 instruments; ns per row: fastest trial (median)"
touch "$T/tool.out"
cat "$T/c.out" "$T/py.out" "$T/tool.out" | awk '
	BEGIN {
		name["stream"] = "stats.rolling: push + get per tick"
		name["batch"] = "nbpy_rolling_batch, CPU (grouping included)"
		name["toolnone"] = "nbpy-stats: CSV in, computed, nothing out"
		name["toolcsv"] = "nbpy-stats: CSV in, every row CSV out (1 run)"
		name["numpy"] = "numpy only"
		name["pandas"] = "pandas groupby-rolling"
		name["pe2enone"] = "pandas end to end: CSV in, computed, nothing out (1 run)"
		name["pe2ecsv"] = "pandas end to end: CSV in, every row CSV out (1 run)"
		peer["toolnone"] = "pe2enone"; peer["toolcsv"] = "pe2ecsv"
		peer["pe2enone"] = "pe2enone"; peer["pe2ecsv"] = "pe2ecsv"
		split("stream batch toolnone toolcsv numpy pandas pe2enone pe2ecsv", order, " ")
	}
	$1 == "memory" { mem[$2] = $3 }
	$1 == "group" { group[$2] = $3 }
	$1 == "check" { checks = checks sprintf("  %-15s W=%-5s %s rows: max rel. error mean %s, std %s, vwap %s: %s\n",
			$2, $3, $4, $5, $6, $7, substr($0, index($0, $8))) }
	$1 in name { best[$1, $2] = $3; med[$1, $2] = $4; if (!($2 in seen)) { seen[$2] = 1; ws[++nw] = $2 } }
	END {
		printf "%-57s %6s %12s %20s %9s %9s\n", "implementation", "window", "rows/s", "ns/row",
			"x pandas", "x p. e2e"
		for (i = 1; i <= nw; i++)
			for (j = 1; j <= 8; j++) {
				k = order[j]; w = ws[i]
				if (!((k, w) in best)) continue
				e2e = (k in peer && (peer[k], w) in best) ? sprintf("%.1f", best[peer[k], w] / best[k, w]) : "-"
				printf "%-57s %6d %12.0f %20s %9.2f %9s\n", name[k], w, 1e9 / best[k, w],
					sprintf("%.1f (%.1f)", best[k, w], med[k, w]), best["pandas", w] / best[k, w], e2e
			}
		printf "\nof nbpy_rolling_batch'"'"'s time, grouping the rows by instrument into columns (ns/row, fastest):"
		for (i = 1; i <= nw; i++)
			printf " W=%d: %.1f;", ws[i], group[ws[i]]
		printf "\nmemory, one instrument'"'"'s window (heap bytes, malloc'"'"'s count):"
		for (i = 1; i <= nw; i++)
			printf " W=%d: %d B (%.1f B per tick);", ws[i], mem[ws[i]], mem[ws[i]] / ws[i]
		printf "\nchecks against a two-pass computation on every %s-th row (sampled rows):\n%s", "'"$EVERY"'", checks
	}'
if [ -x "$TOOL" ]; then
	echo "nbpy-stats' own account of its run with CSV out, at each window:"
	awk '/ticks of/ && ++n % ('"$TRIALS"' + 1) == 0' "$T/tool.log" | sed 's/^/  /'
else
	echo "(nbpy-stats not built in $B: no tool rows)"
fi
echo "run time: $SECONDS s"
