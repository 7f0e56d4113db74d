#!/usr/bin/env bash
# bench/pipeline.sh - end-to-end throughput and latency over ZeroMQ tcp
# loopback, side by side: nbpy's publish path (encode + multipart send) into a
# decoding, gap-counting subscriber; raw libzmq with buffers of the same size
# (the transport's ceiling); and a Python pyzmq + msgpack pair (the original
# services' approach).  Prints a table.  Not a test.
#
#   bench/pipeline.sh BUILD_DIR [N]      (N messages per C run; Python gets N/5)
set -euo pipefail
B=$(cd "${1:?usage: bench/pipeline.sh BUILD_DIR [N]}" && pwd)
N=${2:-1000000}
NPY=$((N / 5))
S=$(cd "$(dirname "$0")" && pwd)
P=$B/bench/pipeline
PORT=$((29000 + $$ % 3000))	# below the ephemeral range, clear of the test servers
EP=tcp://127.0.0.1:$PORT

# Throughput runs pin the publisher to CPU 0 and the subscriber to CPU 1
# (each with its ZeroMQ I/O thread), so the two ends do not take turns on one
# core; latency runs are not pinned (a paced sender spins, and its I/O thread
# would wait behind it).
PIN_PUB=() PIN_SUB=()
pin() {
	if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then
		PIN_PUB=(taskset -c 0)
		PIN_SUB=(taskset -c 1)
	fi
}
unpin() { PIN_PUB=(); PIN_SUB=(); }

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

# throughput: senders flat out (latency then measures queueing, not shown);
# the median of the trials kept
median() { sort -k2 -n | awk '{ l[NR] = $0 } END { print l[int((NR + 1) / 2)] }'; }
pin
# the issue's pipeline: the replay worker publishing a capture as fast as it
# can, into the decoding, gap-counting subscriber
CAP=$(mktemp -d)
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
# raw, nbpy and replay runs alternate, so that drift in a shared machine's speed
# falls on all of them alike
T=$(mktemp -d)
for i in 1 2 3 4 5; do
	run "$P" sub "$EP" "$N" nbpy -- "$P" pub-nbpy "$EP" "$N" >>"$T/nbpy"
	run "$P" sub "$EP" "$N" raw -- "$P" pub-raw "$EP" "$N" 104 >>"$T/raw"
	replay_once >>"$T/replay"
done
nbpy=$(median <"$T/nbpy")
raw=$(median <"$T/raw")
replay=$(median <"$T/replay")
rm -rf "$T" "$CAP"
batch=$(for i in 1 2 3; do run "$P" sub "$EP" "$((N * 2))" nbpy -- "$P" pub-batch "$EP" "$((N * 2))" 16; done | median)
py=$(run /usr/bin/python3 "$S/pipeline_py.py" sub "$EP" "$NPY" -- /usr/bin/python3 "$S/pipeline_py.py" pub "$EP" "$NPY")
unpin
# latency: 100k msgs/s for 2 s (Python 20k/s), well under every ceiling
L=200000
lnbpy=$(run "$P" sub "$EP" $L nbpy -- "$P" pub-nbpy "$EP" $L 100000)
lraw=$(run "$P" sub "$EP" $L raw -- "$P" pub-raw "$EP" $L 104 100000)
lpy=$(run /usr/bin/python3 "$S/pipeline_py.py" sub "$EP" 40000 -- /usr/bin/python3 "$S/pipeline_py.py" pub "$EP" 40000 20000)

/usr/bin/python3 - "$raw" "$nbpy" "$py" "$lraw" "$lnbpy" "$lpy" "$batch" "$replay" <<'PY'
import sys
names = ["raw libzmq, 104 B buffers", "nbpy (encode+send, recv+decode)", "Python pyzmq + msgpack"]
t = [l.split() for l in sys.argv[1:4]]
l = [x.split() for x in sys.argv[4:7]]
raw_rate = float(t[0][1])
print("bench/pipeline.sh: EURUSD ticks (104 B on the wire with the topic), tcp loopback; C rates are medians (raw, nbpy, replay: 5 alternating runs; batch: 3)\n")
print(f"{'pipeline':34} {'received':>9} {'msgs/s':>10} {'vs raw':>7} {'gaps':>6}   {'paced at':>9} {'p50 us':>8} {'p99 us':>8}")
for name, a, b, pace in zip(names, t, l, ("100k/s", "100k/s", "20k/s")):
    print(f"{name:34} {int(a[0]):>9} {float(a[1]):>10.0f} {float(a[1])/raw_rate:>7.2f} {int(a[4]):>6}   "
          f"{pace:>9} {float(b[2]):>8.1f} {float(b[3]):>8.1f}")
r = sys.argv[8].split()
print(f"{'nbpy replay -> decoding subscriber':34} {int(r[0]):>9} {float(r[1]):>10.0f} {float(r[1])/raw_rate:>7.2f} {int(r[4]):>6}")
b = sys.argv[7].split()
print(f"{'nbpy, batch = 16 (ticks/s)':34} {int(b[0]):>9} {float(b[1]):>10.0f} {float(b[1])/raw_rate:>7.2f} {int(b[4]):>6}")
PY
