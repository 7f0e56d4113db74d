#!/usr/bin/env bash
# stats_kind.sh - kind stats.rolling against pandas: a replayed capture of
# Kraken tickers (made by stats_kind_check.py: several instruments, constant
# stretches, stretches without volume, ticks back in time) feeds five
# stats.rolling services - a count window (stored by sink.file and
# sink.sqlite), every N with min_periods, a time window, max_instruments, and
# interval - and stats_kind_check.py recomputes every published row with
# pandas' rolling per instrument from the ticks fed.  STATUS counts what was
# refused (max_instruments) and what went back in time (window_time); device
# = cuda without a GPU fails at start with exit 78 and says why in
# nbpyctl status.  Then the same against pandas on STATS_BIG ticks (default
# 1000000; 0 skips it) through one count window, recorded by sink.file.
set -uo pipefail

. "$NBPY_SRCDIR/tests/lib/itest.sh" stats
. "$S/tests/lib/counters.sh"
BASE=$(port_base 61)
N=6000
BIG=${STATS_BIG:-1000000}
CHECK=$S/tests/integration/stats_kind_check.py

echo "stats.rolling against pandas ($T, $N ticks)"
$PY "$CHECK" gen "$T/in.nbpy" "$T/in.npz" "$N" 14 || { bad "generating the ticks"; exit 1; }

# stats SERVICE PORT KEYS...: a stats.rolling service on the replay, and its sink.file
stats() {
	local svc=$1 port=$2
	shift 2
	printf '\n[%s]\nkind      = stats.rolling\nsubscribe = src\nbind      = tcp://127.0.0.1:%s\n' "$svc" "$port"
	printf '%s\n' "$@"
	printf '\n[%s_file]\nkind      = sink.file\nsubscribe = %s\npath      = %s/%s.nbpy\n' "$svc" "$svc" "$T" "$svc"
}
{
	nbpyd_section
	printf '\n[src]\nkind        = replay\npath        = %s/in.nbpy\nspeed       = 0\n' "$T"
	printf 'start_delay = 3s\nbind        = tcp://127.0.0.1:%s\ntopic       = kraken_tick\nrestart     = never\n' \
		$((BASE + 1))
	stats counted $((BASE + 2)) "window = 20"
	printf '\n[counted_sqlite]\nkind      = sink.sqlite\nsubscribe = counted\npath      = %s/counted.sqlite\n' "$T"
	stats every7 $((BASE + 3)) "window = 50" "min_periods = 5" "every = 7"
	stats timed $((BASE + 4)) "window = 1000" "window_time = 2s"
	stats three $((BASE + 5)) "window = 10" "max_instruments = 3"
	stats ticking $((BASE + 6)) "window = 30" "every = 0" "interval = 200ms"
	printf '\n[cu]\nkind      = stats.rolling\nsubscribe = src\nbind      = tcp://127.0.0.1:%s\ndevice    = cuda\n' $((BASE + 7))
} >"$CONF"
check "the configuration is valid" "$B/nbpyd" -c "$CONF" --check
# the seed's entry points run the services they were renamed to
for link in tick-pd:kraken_tick_stats tick-cuda:kraken_tick_stats_cuda influxdb-tick:kraken_tick_stats_influx; do
	prog=nbpy-sub-kraken-basic-stat-${link%%:*} svc=${link#*:}
	ln -s "$B/nbpy-worker" "$T/$prog"
	out=$("$T/$prog" -c "$CONF" 2>&1)
	check "$prog runs [$svc] (here: $out)" eval '[[ "$out" == *"has no service [$svc]" ]]'
done
start_nbpyd
wait_for 10 all_running src counted every7 timed three ticking counted_file counted_sqlite \
	every7_file timed_file three_file ticking_file || bad "services running: $(ctl status)"

# device = cuda on a machine without a usable GPU: exit 78, the reason in status
check "device = cuda without a GPU: fatal at start" wait_for 10 state_is cu fatal
check "...exited 78" eval '[ "$(field cu last_exit)" = "exited 78" ]'
st=$(field cu status)
check "...nbpyctl status says why: $st" eval '[[ "$st" == *"device = cuda: "*"CUDA"* ]]'

for svc in counted every7 timed three ticking; do
	wait_for 60 eval "n=\$(counter_of $svc ticks) && [ \"\$n\" -ge $N ]" ||
		{ bad "$svc: $(counter_of $svc ticks) of $N ticks within 60 s"; exit 1; }
done
# what the ticks hold, counted by the checker from the ticks alone
read -r refused ooo < <($PY "$CHECK" counts "$T/in.npz" 3 2000000000)
n=$(counter_of three instruments_refused)
check "max_instruments = 3: instruments_refused $n, $refused ticks of the other instruments" \
	eval '[ "$n" = "$refused" ] && [ "$refused" -gt 0 ]'
n=$(counter_of three instruments)
check "max_instruments = 3: instruments $n" test "$n" = 3
n=$(counter_of timed out_of_order)
check "window_time: out_of_order $n, $ooo ticks back in time" eval '[ "$n" = "$ooo" ] && [ "$ooo" -gt 0 ]'
n=$(counter_of counted out_of_order)
check "a count window takes ticks back in time: out_of_order $n" test "$n" = 0
sleep 1.5	# the interval's last round, the sinks' last batch
stop_nbpyd || bad "nbpyd exit status"

run_check() {	# run_check NAME KEY=VALUE...: the checker on SERVICE's capture
	local name=$1
	shift
	$PY "$CHECK" check "$T/in.npz" "$T/${name}.nbpy" "$name" "$@" || fails=$((fails + 1))
}
run_check counted window=20 sqlite="$T/counted.sqlite"
run_check every7 window=50 min_periods=5 every=7
run_check timed window=1000 window_time=2000000000
run_check three window=10 max_instruments=3
run_check ticking window=30 every=0 interval=1

[ "$BIG" -gt 0 ] || { [ "$fails" = 0 ]; exit; }
echo "stats.rolling against pandas on $BIG ticks"
$PY "$CHECK" gen "$T/in.nbpy" "$T/in.npz" "$BIG" 5 || { bad "generating the ticks"; exit 1; }
rm -f "$T/counted.nbpy"
{
	nbpyd_section
	printf '\n[src]\nkind        = replay\npath        = %s/in.nbpy\nspeed       = 0\n' "$T"
	printf 'start_delay = 2s\nbind        = tcp://127.0.0.1:%s\ntopic       = kraken_tick\nrestart     = never\n' \
		$((BASE + 1))
	# the whole run fits in the queues: the sink takes it at its pace, nothing dropped
	stats counted $((BASE + 2)) "window = 20" "sndhwm = 2000000"
	printf 'rcvhwm    = 2000000\n'
} >"$CONF"
start=$SECONDS
start_nbpyd
wait_for 120 eval "n=\$(counter_of counted_file received) && [ \"\$n\" -ge $BIG ]" ||
	bad "counted_file: $(counter_of counted_file received) of $BIG statistics within 120 s"
stop_nbpyd || bad "nbpyd exit status"
ok "$BIG ticks replayed through stats.rolling into sink.file in $((SECONDS - start)) s"
run_check counted window=20
[ "$fails" = 0 ]
