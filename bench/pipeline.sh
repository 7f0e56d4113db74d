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
PORT=$((40000 + $$ % 10000))
EP=tcp://127.0.0.1:$PORT

run() {	# run SUB_CMD... -- PUB_CMD... : prints the subscriber's line
	local sub=() pub=() out
	while [ "$1" != -- ]; do sub+=("$1"); shift; done
	shift
	pub=("$@")
	out=$(mktemp)
	"${sub[@]}" >"$out" &
	local sp=$!
	sleep 0.3
	"${pub[@]}"
	wait $sp
	cat "$out"
	rm -f "$out"
}

nbpy=$(run "$P" sub "$EP" "$N" nbpy -- "$P" pub-nbpy "$EP" "$N")
raw=$(run "$P" sub "$EP" "$N" raw -- "$P" pub-raw "$EP" "$N" 104)
py=$(run /usr/bin/python3 "$S/pipeline_py.py" sub "$EP" "$NPY" -- /usr/bin/python3 "$S/pipeline_py.py" pub "$EP" "$NPY")

/usr/bin/python3 - "$raw" "$nbpy" "$py" <<'PY'
import sys
rows = [("raw libzmq, 104 B buffers", sys.argv[1]), ("nbpy (encode+send, recv+decode)", sys.argv[2]),
        ("Python pyzmq + msgpack", sys.argv[3])]
raw_rate = float(sys.argv[1].split()[1])
print("bench/pipeline.sh: EURUSD ticks (104 B on the wire with the topic), tcp loopback\n")
print(f"{'pipeline':34} {'received':>9} {'msgs/s':>10} {'vs raw':>7} {'p50 us':>9} {'p99 us':>9} {'gaps':>6}")
for name, line in rows:
    got, rate, p50, p99, gaps = line.split()
    print(f"{name:34} {int(got):>9} {float(rate):>10.0f} {float(rate)/raw_rate:>7.2f} {float(p50):>9.1f} {float(p99):>9.1f} {int(gaps):>6}")
PY
