#!/usr/bin/env bash
# bench/compare.sh - is the working tree slower than an earlier revision?
# Builds REV and the working tree (uncommitted changes included) side by
# side in a scratch directory, the same way (autoreconf, configure
# CFLAGS=-O2, the benchmark programs and nbpy-worker), then runs bench/codec
# and bench/pipeline.sh of each, interleaved (earlier, now, now, earlier, ...:
# both see the same machine state), and prints one table: benchmark, earlier,
# now, now/earlier.  A codec time is the fastest trial of all rounds (each
# round's is already the fastest of its trials); the pipeline's figures are
# medians over the rounds.  Not a test.
#
#   bench/compare.sh [REV]
#       REV: default the merge base with main, or HEAD~1 when HEAD is on main
#
# Environment: ROUNDS (2 runs of each per revision), ITERS (bench/codec
# iterations per trial, 50000), N and TRIALS (bench/pipeline.sh messages per
# run and trials, 200000 and 2), JOBS (make -j, 2), WORK (the scratch
# directory, default a new one under /tmp, removed at the end unless KEEP=1).
# About 4 minutes on 2 cores with the defaults, builds included.
set -euo pipefail
ROOT=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
cd "$ROOT"
ROUNDS=${ROUNDS:-2}
ITERS=${ITERS:-50000}
N=${N:-200000}
TRIALS=${TRIALS:-2}
JOBS=${JOBS:-2}

if [ $# -ge 1 ]; then
	REV=$1
else
	REV=$(git merge-base HEAD main 2>/dev/null || true)
	[ -n "$REV" ] && [ "$REV" != "$(git rev-parse HEAD)" ] || REV=HEAD~1
fi
SHA=$(git rev-parse --verify -q "$REV^{commit}") || { echo "compare.sh: no such revision: $REV" >&2; exit 2; }
WORK=${WORK:-$(mktemp -d /tmp/nbpy-compare.XXXXXX)}
mkdir -p "$WORK"
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$WORK"' EXIT
NOW_DESC="working tree at $(git rev-parse --short HEAD)$(git diff --quiet HEAD && echo "" || echo " + changes")"
echo "bench/compare.sh: earlier = $REV ($(git rev-parse --short "$SHA")), now = $NOW_DESC; scratch $WORK"

# The sources: REV from git, the working tree as git sees it (tracked and
# untracked files, not ignored ones: no build outputs).
rm -rf "$WORK/earlier" "$WORK/now"
mkdir -p "$WORK/earlier/src" "$WORK/now/src"
git archive "$SHA" | tar -x -C "$WORK/earlier/src"
git ls-files -z -co --exclude-standard | tar --null --ignore-failed-read -T - -c | tar -x -C "$WORK/now/src"

build() {	# build earlier|now
	local d=$WORK/$1
	echo "  building $1 (log: $d/build.log)"
	(cd "$d/src" && autoreconf -fi && mkdir -p ../build && cd ../build &&
		../src/configure -q CFLAGS="-O2" &&
		nice make -s -j"$JOBS" bench/codec bench/pipeline nbpy-worker) >"$d/build.log" 2>&1 ||
		{ echo "compare.sh: building $1 failed:" >&2; tail -n 20 "$d/build.log" >&2; exit 1; }
}
build earlier
build now

# Interleaved: round r runs earlier then now, the next round now then
# earlier, so that a drift in the machine's speed falls on both alike.
for r in $(seq "$ROUNDS"); do
	order="earlier now"
	[ $((r % 2)) -eq 0 ] && order="now earlier"
	for v in $order; do
		echo "  round $r: $v"
		nice "$WORK/$v/build/bench/codec" "$ITERS" >"$WORK/$v/codec.$r"
		nice "$WORK/$v/src/bench/pipeline.sh" "$WORK/$v/build" "$N" "$TRIALS" >"$WORK/$v/pipeline.$r" 2>&1
	done
done

/usr/bin/python3 - "$WORK" "$ROUNDS" "$REV" <<'PY'
import re, statistics, sys
work, rounds, rev = sys.argv[1], int(sys.argv[2]), sys.argv[3]

def codec(text):
    """bench/codec's rows: (message, encoding) -> best encode+decode ns."""
    out = {}
    for line in text.splitlines():
        m = re.match(r"(EURUSD tick \(S2\)|Kraken ticker \(S1, 20 fields\))\s+(msgpack|json \(json-c\)|legacy text)"
                     r"\s+\d+\s+\d+ \(\d+\)\s+\d+ \(\d+\)\s+(\d+) \((\d+)\)", line)
        if m:
            out[f"codec {m[1].split(' (')[0]}, {m[2].split(' ')[0]}: encode+decode ns (best)"] = (float(m[3]), "lower")
    return out

def pipeline(text):
    """bench/pipeline.sh's rows: throughput and its ratio to raw libzmq, latency."""
    out, latency = {}, False
    for line in text.splitlines():
        if line.startswith("Latency"):
            latency = True
        m = re.match(r"(raw libzmq, 104 B buffers|nbpy replay -> decoding subscriber|nbpy \(encode\+send, recv\+decode\)"
                     r"|nbpy, batch = 16 \(ticks/s\)|Python pyzmq \+ msgpack)\s+(shared|pinned)\s+\d+\s+([\d.]+)\s+([\d.]+)", line)
        if m and not latency:
            name = m[1].replace(" (encode+send, recv+decode)", " encode+send").replace(" (ticks/s)", "")
            out[f"pipeline {name} [{m[2]}]: msgs/s"] = (float(m[3]), "higher")
            if not m[1].startswith("raw"):
                out[f"pipeline {name} [{m[2]}]: vs raw libzmq"] = (float(m[4]), "higher")
        m = re.match(r"(nbpy \(encode\+send, recv\+decode\)|raw libzmq, 104 B buffers)\s+\S+\s+([\d.]+)\s+([\d.]+)$", line)
        if m and latency:
            name = "nbpy" if m[1].startswith("nbpy") else "raw libzmq"
            out[f"latency {name} at 100k/s: p50 us"] = (float(m[2]), "lower")
            out[f"latency {name} at 100k/s: p99 us"] = (float(m[3]), "lower")
    return out

res = {}
for v in ("earlier", "now"):
    per = {}
    for r in range(1, rounds + 1):
        for name, parse in (("codec", codec), ("pipeline", pipeline)):
            rows = parse(open(f"{work}/{v}/{name}.{r}").read())
            if not rows:
                sys.exit(f"compare.sh: nothing to read in {work}/{v}/{name}.{r}")
            for k, (x, better) in rows.items():
                per.setdefault(k, ([], better))[0].append(x)
    res[v] = {k: (min(xs) if k.startswith("codec") else statistics.median(xs), b)
              for k, (xs, b) in per.items()}

keys = [k for k in res["now"] if k in res["earlier"]]
w = max(len(k) for k in keys)
print(f"\n{'benchmark':{w}} {'earlier':>10} {'now':>10} {'now/earlier':>12}  better")
for k in keys:
    a, b = res["earlier"][k][0], res["now"][k][0]
    fmt = "{:>10.2f}" if "vs raw" in k else "{:>10.0f}" if a >= 100 else "{:>10.1f}"
    print(f"{k:{w}} " + fmt.format(a) + " " + fmt.format(b) + f" {b / a if a else float('nan'):>12.2f}  {res['now'][k][1]}")
e = "codec EURUSD tick, msgpack: encode+decode ns (best)"
print(f"\nEURUSD tick encode+decode: {res['earlier'][e][0]:.0f} ns earlier, {res['now'][e][0]:.0f} ns now "
      f"({(res['now'][e][0] / res['earlier'][e][0] - 1) * 100:+.0f} %), fastest of {rounds} rounds.")
missing = sorted(set(res["earlier"]) ^ set(res["now"]))
if missing:
    print("only in one of the two:", ", ".join(missing))
PY
