#!/usr/bin/env bash
# trader_killed.sh - a trader SIGKILLed mid-stream and restarted by nbpyd
# neither forgets a position nor acts on a signal twice: a capture of quotes
# and signals is replayed at a pace, the trader is killed after some of its
# signals, and the same capture is replayed again in full.  Afterwards every
# signal has its order exactly once, no client id has two fills, the last
# position of each instrument equals the sum of its fills, and the realised
# PnL equals an uninterrupted run's (trader_check.py).
set -uo pipefail

. "$NBPY_SRCDIR/tests/lib/itest.sh" trader_killed
. "$NBPY_SRCDIR/tests/lib/counters.sh"
BASE=$(port_base 152)
CHECK=$S/tests/integration/trader_check.py
SVC=oanda_kraken_EURUSD_depth_position_order
itest_expect_exits "$SVC"

echo "trader killed mid-stream ($T)"
$PY "$CHECK" gen killed "$T/in.nbpy" || { bad "generating the capture"; exit 1; }
{
	nbpyd_section
	# the first replay at a pace (240 records over 4.8 s), the second in one go
	printf '\n[replay_a]\nkind = replay\npath = %s/in.nbpy\nspeed = 0.05\nstart_delay = 2s\n' "$T"
	printf 'bind = tcp://127.0.0.1:%s\nrestart = never\n' $((BASE + 1))
	printf '\n[replay_b]\nkind = replay\npath = %s/in.nbpy\nspeed = 0\nstart_delay = 2s\n' "$T"
	printf 'bind = tcp://127.0.0.1:%s\nrestart = never\nenabled = no\n' $((BASE + 2))
	printf '\n[%s]\nkind = trader\nconnect = tcp://127.0.0.1:%s, tcp://127.0.0.1:%s\n' "$SVC" $((BASE + 1)) \
		$((BASE + 2))
	printf 'bind = tcp://127.0.0.1:%s\nbackoff = 500ms..500ms\nslippage_bps = 1\nfee_bps = 0.5\n' $((BASE + 3))
	printf 'max_position = 1000000000\nmax_orders_per_minute = 1000\nmax_daily_loss = 1000000000\n'
	printf '\n[killed_sqlite]\nkind = sink.sqlite\nsubscribe = %s\npath = %s/trader.sqlite\n' "$SVC" "$T"
} >"$CONF"
check "the configuration is valid" "$B/nbpyd" -c "$CONF" --check
start_nbpyd
check "workers become ready" wait_for 10 all_running "$SVC" killed_sqlite replay_a
signals() { counter_of "$SVC" signals 2>/dev/null; }
check "the trader acts on signals" wait_for 15 eval '[ "$(signals)" -ge 25 ]'
check "the first replay stopped" eval "ctl stop replay_a >/dev/null"
pid=$(field "$SVC" pid) && n=$(signals) && kill -9 "$pid" || bad "SIGKILL the trader (pid '$pid')"
check "killed after $n of 120 signals" [ "${n:-0}" -ge 25 -a "${n:-120}" -lt 120 ]
check "nbpyd restarted it" wait_for 10 eval 'state_is "$SVC" running && p=$(field "$SVC" pid) && [ "$p" != "$pid" ]'
check "the second replay started" eval "ctl start replay_b >/dev/null"
check "the restarted trader saw all 120 signals" wait_for 15 eval '[ "$(signals)" = 120 ]'
dups=$(counter_of "$SVC" duplicates)
check "...and skipped the $dups it had acted on" [ "${dups:-0}" -ge "$n" ]
rows() {
	$PY "$CHECK" stored "$T/trader.sqlite"
}
want=$($PY "$CHECK" rows killed "$SVC")
check "$want orders, fills and positions stored" wait_for 10 eval '[ "$(rows)" = "$want" ]'
stop_nbpyd || bad "nbpyd exit status"
$PY "$CHECK" killed "$T/trader.sqlite" "$SVC" || fails=$((fails + 1))
echo "trader_killed: $fails failed"
[ $fails -eq 0 ]
