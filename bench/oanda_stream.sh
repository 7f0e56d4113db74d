#!/usr/bin/env bash
# bench/oanda_stream.sh - OANDA pricing stream parsing and publishing, side
# by side in one run: bench/oanda_flood.py streams PRICE lines as fast as
# loopback takes them, into (1) the oanda.pricing worker (libcurl, json-c,
# MessagePack, libzmq) and (2) bench/oanda_stream_py.py, the original's work
# in Python (line iteration, json.loads, pyzmq send of the S5 frame).  Both
# publish to the same counting, decoding subscriber (bench/pipeline sub),
# which stops at N.  Prints a table: prices/s at the subscriber, the
# publisher's CPU time per price, sequence gaps, and the ratio.  The worker
# runs twice: with batch = 1 and with batch = 16 (as shipped).  Not a test.
#
#   bench/oanda_stream.sh BUILD_DIR [N] [NPY] [TRIALS]
#       N prices per worker run (default 1,000,000), NPY per Python run
#       (200,000), TRIALS alternating runs of each (3)
set -euo pipefail
B=$(cd "${1:?usage: bench/oanda_stream.sh BUILD_DIR [N] [NPY] [TRIALS]}" && pwd)
N=${2:-1000000}
NPY=${3:-200000}
TRIALS=${4:-3}
S=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3
PORT=$((26000 + $$ % 2000))	# below the ephemeral range, clear of the tests and test servers
T=$(mktemp -d)
SERVER=
cleanup() {
	[ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
HZ=$(getconf CLK_TCK)
for p in "$B/bench/pipeline" "$B/nbpy-worker"; do
	[ -x "$p" ] || { echo "oanda_stream.sh: $p missing (make nbpy-worker bench/pipeline)" >&2; exit 1; }
done

"$PY" "$S/oanda_flood.py" "$PORT" "$T/go" >"$T/server.log" &
SERVER=$!
for _ in $(seq 100); do grep -q listening "$T/server.log" && break; sleep 0.05; done
grep -q listening "$T/server.log" || { echo "oanda_stream.sh: the flood server did not start" >&2; exit 1; }
URL=http://127.0.0.1:$PORT

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }	# utime + stime, all threads
connections() { grep -c connected "$T/server.log" || true; }
wait_connection() {	# wait_connection COUNT_BEFORE: until the server sees one more
	for _ in $(seq 200); do [ "$(connections)" -gt "$1" ] && return 0; sleep 0.05; done
	echo "oanda_stream.sh: no connection reached the server" >&2
	exit 1
}

# the server alone: curl reading the same stream and throwing it away
touch "$T/go"
read -r bytes secs < <(curl -fsS -o /dev/null -w '%{size_download} %{time_total}\n' \
	"$URL/$N/v3/accounts/bench/pricing/stream?instruments=EUR_USD")
echo "server alone $N $(awk -v n="$N" -v s="$secs" 'BEGIN { printf "%.0f", n / s }') 0 0 $bytes" >"$T/server"

conf() {	# conf BATCH: the worker's configuration
	cat <<CONF
[nbpyd]
state_dir = $T
[oandav20_tick]
kind        = oanda.pricing
url         = $URL/$N
account     = bench
instruments = EUR_USD, USD_JPY, GBP_USD, AUD_USD, USD_CHF, EUR_JPY, USD_CAD, EUR_GBP
token       = bench-token
bind        = tcp://127.0.0.1:$((PORT + 1))
sndhwm      = 2000000
batch       = $1
CONF
}

worker_once() {	# worker_once BATCH; prints: received prices/s cpu_ns_per_price gaps
	local before sp wp t0 t1
	conf "$1" >"$T/nbpy.conf"
	rm -f "$T/go"
	before=$(connections)
	"$B/bench/pipeline" sub "tcp://127.0.0.1:$((PORT + 1))" "$N" nbpy >"$T/sub.out" &
	sp=$!
	"$B/nbpy-worker" -c "$T/nbpy.conf" oandav20_tick 2>>"$T/worker.log" &
	wp=$!
	wait_connection "$before"
	sleep 0.5	# the subscriber's connection and subscription
	t0=$(cpu_ticks $wp)
	touch "$T/go"
	wait $sp
	t1=$(cpu_ticks $wp)
	kill -TERM $wp
	wait $wp || true
	read -r got rate _ _ gaps <"$T/sub.out"
	[ "$got" -gt 0 ] || { echo "oanda_stream.sh: the worker published nothing: $(tail -3 "$T/worker.log")" >&2; exit 1; }
	echo "$got $rate $(((t1 - t0) * 1000000000 / HZ / got)) $gaps"
}

python_once() {	# prints: received prices/s cpu_ns_per_price gaps
	local before sp pp
	rm -f "$T/go"
	before=$(connections)
	"$B/bench/pipeline" sub "tcp://127.0.0.1:$((PORT + 2))" "$NPY" nbpy >"$T/sub.out" &
	sp=$!
	"$PY" "$S/oanda_stream_py.py" "$URL/$NPY" "tcp://127.0.0.1:$((PORT + 2))" "$NPY" >"$T/py.out" &
	pp=$!
	wait_connection "$before"
	sleep 0.5
	touch "$T/go"
	wait $sp
	wait $pp
	read -r got rate _ _ gaps <"$T/sub.out"
	read -r _ cpu <"$T/py.out"
	echo "$got $rate $cpu $gaps"
}

for i in $(seq "$TRIALS"); do
	if [ $((i % 2)) = 1 ]; then
		worker_once 1 >>"$T/worker"
		python_once >>"$T/python"
		worker_once 16 >>"$T/batch"
	else
		worker_once 16 >>"$T/batch"
		python_once >>"$T/python"
		worker_once 1 >>"$T/worker"
	fi
done

"$PY" - "$T" "$TRIALS" "$N" <<'PY'
import statistics, sys
tdir, trials, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def runs(name):
    with open(f"{tdir}/{name}") as f:
        return [[float(x) for x in l.split()] for l in f if l.strip()]
w, p, wb = runs("worker"), runs("python"), runs("batch")
srv = open(f"{tdir}/server").read().split()
print(f"bench/oanda_stream.sh: OANDA v20 PRICE lines ({int(srv[6]) / n:.0f} B each), chunked HTTP over loopback,\n"
      f"published to a decoding subscriber that stops at N; {trials} alternating runs each, median (range).\n")
print(f"{'consumer':44} {'N':>8} {'prices/s':>22} {'CPU ns/price':>20} {'gaps':>5}")
def row(name, rs):
    rate = [r[1] for r in rs]
    cpu = [r[2] for r in rs]
    print(f"{name:44} {int(min(r[0] for r in rs)):>8} "
          f"{statistics.median(rate):>8.0f} ({min(rate):.0f}-{max(rate):.0f}) "
          f"{statistics.median(cpu):>6.0f} ({min(cpu):.0f}-{max(cpu):.0f}) {int(sum(r[3] for r in rs)):>5}")
row("oanda.pricing worker (C)", w)
row("oanda.pricing worker, batch = 16", wb)
row("Python: http.client lines, json.loads, pyzmq", p)
print(f"{'flood server alone, read by curl':44} {n:>8} {float(srv[3]):>8.0f}")
med = lambda rs, k: statistics.median(r[k] for r in rs)
for name, rs in (("worker", w), ("worker, batch = 16", wb)):
    ratios = sorted(a[1] / b[1] for a, b in zip(rs, p))
    print(f"{name} / Python: {med(rs, 1) / med(p, 1):.1f}x the prices/s (trials, sorted: {', '.join(f'{r:.1f}' for r in ratios)}), "
          f"{med(p, 2) / med(rs, 2):.1f}x less CPU per price")
PY
