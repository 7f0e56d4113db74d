#!/usr/bin/env bash
# bench/trading.sh - signals and paper fills per second, and the latency from
# a synthetic tick to its paper fill, side by side in one run: nbpy's chain
# (signal.eurusd_depth and trader, two workers under nbpyd) against the
# originals' approach, one Python pyzmq + msgpack subscriber doing the same
# arithmetic (bench/trading_py.py).  Every tick fires one signal and every
# signal one fill (bench/trading.c says how).  Prints a table.  Not a test.
#
#   bench/trading.sh BUILD_DIR [N] [RATE] [TRIALS]
#       N ticks replayed as fast as they go (default 200000); latency: N/20
#       ticks paced at RATE a second (default 2000); TRIALS runs of each (3)
set -euo pipefail
B=$(cd "${1:?usage: bench/trading.sh BUILD_DIR [N] [RATE] [TRIALS]}" && pwd)
N=${2:-200000}
RATE=${3:-2000}
TRIALS=${4:-3}
BATCH=${BATCH:-1}	# the workers' batch key (messages per frame); the latency runs use 1
# ticks to a frame in the replayed capture, for both sides, as a publisher
# with that batch key would have sent them (32 ticks fill a capture record)
PER_FRAME=${PER_FRAME:-$((BATCH < 32 ? BATCH : 32))}
NLAT=$((N / 20))
S=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d)
PORT=$((29000 + $$ % 3000))
FEED=tcp://127.0.0.1:$PORT OUT=tcp://127.0.0.1:$((PORT + 3))
NBPYD=
cleanup() {
	[ -n "$NBPYD" ] && kill "$NBPYD" 2>/dev/null && wait "$NBPYD" 2>/dev/null
	[ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT
for f in nbpyd nbpy-worker bench/trading; do
	[ -x "$B/$f" ] || { echo "trading.sh: $B/$f not built (make bench/trading)" >&2; exit 1; }
done

"$B/bench/trading" gen-capture "$T/feed.nbpy" "$N" "$PER_FRAME"

# conf FEED_SECTION WITH_CHAIN: nbpyd, the feed (a replay or nothing: the
# live publisher binds it), and the chain when asked for
conf() {
	printf '[nbpyd]\ncontrol   = ipc://%s/control\nstate_dir = %s/state\nrun_dir   = %s/run\n' "$T" "$T" "$T"
	printf 'worker    = %s/nbpy-worker\nlog_level = warning\n' "$B"
	if [ "$1" = replay ]; then
		printf '\n[feed]\nkind = replay\npath = %s/feed.nbpy\nspeed = 0\nstart_delay = 2s\n' "$T"
		printf 'bind = %s\ntopic = kr_eurusd_depth\nrestart = never\n' "$FEED"
	fi
	[ "$2" = chain ] || return 0
	printf '\n[signal]\nkind = signal.eurusd_depth\nconnect = %s\ntopics = kr_eurusd_depth\n' "$FEED"
	printf 'threshold = 0.003\nunits = 1000\nbatch = %s\nbind = tcp://127.0.0.1:%s\n' "$BATCH" $((PORT + 2))
	printf '\n[trader]\nkind = trader\nmode = paper\nstrategy = depth\nunits = 1000\n'
	printf 'slippage_bps = 1\nfee_bps = 0.5\nmax_position = 10000\nbatch = %s\n' "$BATCH"
	printf 'max_orders_per_minute = 0\nmax_daily_loss = 1000000000\n'
	printf 'subscribe = signal\nconnect = %s\ntopics = EUR_USD\nbind = %s\n' "$FEED" "$OUT"
}

start() {	# start FEED_SECTION WITH_CHAIN
	rm -rf "$T/state" "$T/run"
	conf "$1" "$2" >"$T/nbpy.conf"
	"$B/nbpyd" -c "$T/nbpy.conf" >"$T/nbpyd.log" 2>&1 &
	NBPYD=$!
	sleep 1
}
stop() {
	kill "$NBPYD" 2>/dev/null || true
	wait "$NBPYD" 2>/dev/null || true
	NBPYD=
}

# nbpy: the replay through the two workers; Python: the same replay into trading_py.py
run_nbpy() {	# run_nbpy replay|live: prints `fills fills_per_s p50_us p99_us`
	local n=$N
	[ "$1" = live ] && n=$NLAT
	start "$1" chain
	if [ "$1" = live ]; then
		"$B/bench/trading" sub "$OUT" "$n" >"$T/sub.out" &
		local sp=$!
		sleep 1
		"$B/bench/trading" pub "$FEED" "$n" "$RATE"
		wait "$sp"
	else
		"$B/bench/trading" sub "$OUT" "$n" >"$T/sub.out"
	fi
	stop
	cat "$T/sub.out"
}
run_py() {
	local n=$N
	[ "$1" = live ] && n=$NLAT
	[ "$1" = replay ] && start replay none
	/usr/bin/python3 "$S/trading_py.py" "$FEED" "$OUT" "$n" 2>/dev/null &
	local pp=$!
	sleep 0.5
	if [ "$1" = live ]; then
		"$B/bench/trading" sub "$OUT" "$n" >"$T/sub.out" &
		local sp=$!
		sleep 1
		"$B/bench/trading" pub "$FEED" "$n" "$RATE"
		wait "$sp"
	else
		"$B/bench/trading" sub "$OUT" "$n" >"$T/sub.out"
	fi
	wait "$pp" || true
	[ "$1" = replay ] && stop
	cat "$T/sub.out"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "trading: $N ticks replayed as fast as they go ($PER_FRAME to a frame), $NLAT paced at $RATE/s;" \
	"batch = $BATCH; $TRIALS trials; $(nproc) CPUs"
declare -A rate lat50 lat99 fills
for who in nbpy py; do
	: >"$T/$who.rate"
	: >"$T/$who.lat"
done
for i in $(seq "$TRIALS"); do
	for who in nbpy py; do
		read -r f r _ _ <<<"$(run_$who replay)"
		echo "$r" >>"$T/$who.rate"
		fills[$who]=$f
		read -r f _ p50 p99 <<<"$(run_$who live)"
		echo "$p50 $p99" >>"$T/$who.lat"
	done
done
for who in nbpy py; do
	rate[$who]=$(median <"$T/$who.rate")
	lat50[$who]=$(cut -d' ' -f1 "$T/$who.lat" | median)
	lat99[$who]=$(cut -d' ' -f2 "$T/$who.lat" | median)
done
printf '\n| | fills (of %s) | signals and fills / s | tick -> fill p50 us | p99 us |\n' "$N"
printf '|---|---:|---:|---:|---:|\n'
printf '| nbpy: signal.eurusd_depth + trader | %s | %s | %s | %s |\n' "${fills[nbpy]}" "${rate[nbpy]}" \
	"${lat50[nbpy]}" "${lat99[nbpy]}"
printf '| Python pyzmq + msgpack, one process | %s | %s | %s | %s |\n' "${fills[py]}" "${rate[py]}" \
	"${lat50[py]}" "${lat99[py]}"
awk -v a="${rate[nbpy]}" -v b="${rate[py]}" 'BEGIN { if (b > 0) printf "\nnbpy / Python: %.1fx the fills per second\n", a / b }'
