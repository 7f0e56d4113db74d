#!/usr/bin/env bash
# bench/pipeline.sh - end-to-end throughput and latency over ZeroMQ tcp
# loopback, side by side: the replay worker and nbpy's publish path (encode +
# multipart send) into a decoding, gap-counting subscriber; raw libzmq with
# buffers of the same size (the transport's ceiling); and a Python pyzmq +
# msgpack pair (the original services' approach).  Prints a table.  Not a test.
#
#   bench/pipeline.sh BUILD_DIR [N] [TRIALS]
#       N messages per C run (Python gets N/5); TRIALS alternating runs of
#       raw, nbpy and replay in each CPU layout (default 7)
set -euo pipefail
B=$(cd "${1:?usage: bench/pipeline.sh BUILD_DIR [N] [TRIALS]}" && pwd)
N=${2:-1000000}
TRIALS=${3:-7}
NPY=$((N / 5))
S=$(cd "$(dirname "$0")" && pwd)
P=$B/bench/pipeline
PORT=$((29000 + $$ % 3000))	# below the ephemeral range, clear of the test servers
EP=tcp://127.0.0.1:$PORT

# Two CPU layouts for the throughput runs.  "shared": the scheduler places
# the four threads (two programs, each with its ZeroMQ I/O thread) as it would
# in a deployment.  "pinned": the publisher on CPU 0 and the subscriber on
# CPU 1, each sharing its core with its own I/O thread; higher rates, but a
# sender that is a little slower can fall into waking its I/O thread for every
# message, so ratios swing more from run to run.  Latency runs are not pinned
# (a paced sender spins, and its I/O thread would wait behind it).
PIN_PUB=() PIN_SUB=()
layout() {
	PIN_PUB=() PIN_SUB=()
	if [ "$1" = pinned ]; then
		PIN_PUB=(taskset -c 0)
		PIN_SUB=(taskset -c 1)
	fi
}
LAYOUTS=(shared)
if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then
	LAYOUTS+=(pinned)
fi

run() {	# run SUB_CMD... -- PUB_CMD... : prints the subscriber's line
	local sub=() pub=() out
	while [ "$1" != -- ]; do sub+=("$1"); shift; done
	shift
	pub=("${PIN_PUB[@]}" "$@")
	sub=("${PIN_SUB[@]}" "${sub[@]}")
	out=$(mktemp)
	"${sub[@]}" >"$out" &
	local sp=$!
	sleep 0.3
	"${pub[@]}"
	wait $sp
	cat "$out"
	rm -f "$out"
}

median() { sort -k2 -n | awk '{ l[NR] = $0 } END { print l[int((NR + 1) / 2)] }'; }

# the issue's pipeline: the replay worker publishing a capture as fast as it
# can, into the decoding, gap-counting subscriber
CAP=$(mktemp -d)
T=$(mktemp -d)
trap 'rm -rf "$CAP" "$T"' EXIT
"$P" gen-capture "$CAP/ticks.nbpy" "$N"
printf '[nbpyd]\nstate_dir = %s\n[player]\nkind = replay\npath = %s/ticks.nbpy\nspeed = 0\nstart_delay = 1s\nbind = %s\nsndhwm = 2000000\n' \
	"$CAP" "$CAP" "$EP" >"$CAP/nbpy.conf"
replay_once() {
	local out sp wp
	out=$(mktemp)
	"${PIN_SUB[@]}" "$P" sub "$EP" "$N" nbpy >"$out" &
	sp=$!
	"${PIN_PUB[@]}" "$B/nbpy-worker" -c "$CAP/nbpy.conf" player 2>/dev/null &
	wp=$!
	wait $sp
	kill -TERM $wp; wait $wp 2>/dev/null
	cat "$out"; rm -f "$out"
}

# Throughput, senders flat out.  Raw, nbpy and replay runs alternate, in an
# order that rotates from trial to trial, so that drift in a shared machine's
# speed falls on all of them alike; each nbpy run is compared with the raw run
# of the same trial.
for l in "${LAYOUTS[@]}"; do
	layout "$l"
	for i in $(seq "$TRIALS"); do
		for k in 0 1 2; do	# each trial starts with the next one of the three
			case $(((i + k) % 3)) in
			0) run "$P" sub "$EP" "$N" raw -- "$P" pub-raw "$EP" "$N" 104 >>"$T/$l.raw" ;;
			1) run "$P" sub "$EP" "$N" nbpy -- "$P" pub-nbpy "$EP" "$N" >>"$T/$l.nbpy" ;;
			2) replay_once >>"$T/$l.replay" ;;
			esac
		done
	done
	for i in 1 2 3; do
		run "$P" sub "$EP" "$((N * 2))" nbpy -- "$P" pub-batch "$EP" "$((N * 2))" 16
	done | median >"$T/$l.batch"
done
layout shared
py=$(run /usr/bin/python3 "$S/pipeline_py.py" sub "$EP" "$NPY" -- /usr/bin/python3 "$S/pipeline_py.py" pub "$EP" "$NPY")
# latency: 100k msgs/s for 2 s (Python 20k/s), well under every ceiling
L=200000
lraw=$(run "$P" sub "$EP" $L raw -- "$P" pub-raw "$EP" $L 104 100000)
lnbpy=$(run "$P" sub "$EP" $L nbpy -- "$P" pub-nbpy "$EP" $L 100000)
lpy=$(run /usr/bin/python3 "$S/pipeline_py.py" sub "$EP" 40000 -- /usr/bin/python3 "$S/pipeline_py.py" pub "$EP" 40000 20000)

/usr/bin/python3 - "$T" "$TRIALS" "$py" "$lraw" "$lnbpy" "$lpy" "${LAYOUTS[@]}" <<'PY'
import statistics, sys
tdir, trials, py, lraw, lnbpy, lpy, layouts = sys.argv[1], sys.argv[2], *[a.split() for a in sys.argv[3:7]], sys.argv[7:]
def runs(layout, name):
    with open(f"{tdir}/{layout}.{name}") as f:
        return [l.split() for l in f if l.strip()]
print(f"bench/pipeline.sh: EURUSD ticks (104 B on the wire with the topic), tcp loopback.\n"
      f"Throughput: {trials} alternating runs of raw, nbpy and replay per layout; msgs/s is the median, "
      f"'vs raw' the median (and range) of each run's ratio to the raw run beside it; batch: median of 3.\n")
print(f"{'pipeline':36} {'layout':7} {'received':>9} {'msgs/s':>10} {'vs raw':>7} {'range':>10} {'gaps':>6}")
for layout in layouts:
    raw = runs(layout, "raw")
    def row(name, rs):
        rate = statistics.median(float(r[1]) for r in rs)
        rng = ""
        if rs is raw:
            ratio = 1.0
        elif len(rs) == len(raw):
            ratios = [float(a[1]) / float(b[1]) for a, b in zip(rs, raw)]
            ratio, rng = statistics.median(ratios), f"{min(ratios):.2f}-{max(ratios):.2f}"
        else:
            ratio = rate / statistics.median(float(r[1]) for r in raw)
        print(f"{name:36} {layout:7} {min(int(r[0]) for r in rs):>9} {rate:>10.0f} {ratio:>7.2f} {rng:>10} "
              f"{sum(int(r[4]) for r in rs):>6}")
    row("raw libzmq, 104 B buffers", raw)
    row("nbpy replay -> decoding subscriber", runs(layout, "replay"))
    row("nbpy (encode+send, recv+decode)", runs(layout, "nbpy"))
    row("nbpy, batch = 16 (ticks/s)", runs(layout, "batch"))
print(f"{'Python pyzmq + msgpack':36} {'shared':7} {int(py[0]):>9} {float(py[1]):>10.0f} "
      f"{float(py[1]) / statistics.median(float(r[1]) for r in runs('shared', 'raw')):>7.2f} {'':>10} {int(py[4]):>6}")
print(f"\nLatency, paced, shared layout:\n\n{'pipeline':36} {'paced at':>9} {'p50 us':>8} {'p99 us':>8}")
for name, l, pace in (("raw libzmq, 104 B buffers", lraw, "100k/s"), ("nbpy (encode+send, recv+decode)", lnbpy, "100k/s"),
                      ("Python pyzmq + msgpack", lpy, "20k/s")):
    print(f"{name:36} {pace:>9} {float(l[2]):>8.1f} {float(l[3]):>8.1f}")
PY
