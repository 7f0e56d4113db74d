#!/usr/bin/env bash
# trader_practice_restart.sh - a trader in mode = practice SIGKILLed with an
# order in flight asks OANDA, once restarted, what became of it: the fake
# OANDA (tests/fakes/oanda_orders.py) fills the order of the one signal at
# once but answers only much later; the trader is killed meanwhile and nbpyd
# restarts it.  The restarted trader looks the client id up, reports the
# fill (order, fill and position stored in SQLite, the position equal to
# the fill), posts nothing again and counts no unknown fate.  Then, with an
# order added by hand to its state file that the fake never received, a new
# start reports that one as not placed, and never posts it.
set -uo pipefail

. "$NBPY_SRCDIR/tests/lib/itest.sh" trader_practice_restart
. "$S/tests/lib/counters.sh"
BASE=$(port_base 1533)
FAKE=http://127.0.0.1:$BASE
CHECK=$S/tests/integration/trader_practice_restart_check.py
SVC=oanda_kraken_EURUSD_depth_position_order
STATE=$T/state/trader/$SVC.json
UNKNOWN=nbpy-00000000-1764500002000000000-0
export NBPY_TEST_TRADER_TOKEN=sekrit-rest4rt-t0ken-0815
itest_expect_exits "$SVC"

echo "trader, mode practice, killed with an order in flight ($T)"
$PY "$S/tests/fakes/fake_oanda.py" "$BASE" "$NBPY_TEST_TRADER_TOKEN" &
FAKE_PID=$!
wait_for 5 curl -fs -o /dev/null "$FAKE/_orders/state" || { bad "the fake OANDA did not start"; exit 1; }
# filled at once, answered after 60 s: far beyond the kill
curl -fs -o /dev/null "$FAKE/_orders/hang?nth=1&seconds=60" || { bad "setting up the fake"; exit 1; }
$PY "$CHECK" gen "$T/signals.nbpy" "$T/prices.nbpy" || { bad "generating the captures"; exit 1; }
{
	nbpyd_section
	printf '\n[kraken_EURUSD_depth_signal]\nkind        = replay\npath        = %s/signals.nbpy\n' "$T"
	printf 'speed       = 0\nstart_delay = 3s\nbind        = tcp://127.0.0.1:%s\n' $((BASE + 1))
	printf 'topic       = kr_eurusd_signal\nrestart     = never\n'
	printf '\n[oanda_tick]\nkind        = replay\npath        = %s/prices.nbpy\nspeed       = 0\n' "$T"
	printf 'start_delay = 2s\nbind        = tcp://127.0.0.1:%s\ntopic       = oanda_tick\nrestart     = never\n' \
		$((BASE + 2))
	printf '\n[%s]\nkind            = trader\nmode            = practice\nstrategy        = depth\n' "$SVC"
	printf 'units           = 1000\napi_url         = %s\naccount         = 101-004-1234567-001\n' "$FAKE"
	printf 'token           = ${NBPY_TEST_TRADER_TOKEN}\nrequest_timeout = 30s\nretries         = 2\n'
	printf 'subscribe       = kraken_EURUSD_depth_signal, oanda_tick\nbind            = tcp://127.0.0.1:%s\n' \
		$((BASE + 3))
	printf 'backoff         = 500ms..500ms\n'
	printf '\n[trader_sqlite]\nkind      = sink.sqlite\nsubscribe = %s\npath      = %s/trader.sqlite\n' "$SVC" "$T"
	printf 'flush_interval = 200ms\n'
} >"$CONF"
check "the configuration is valid" "$B/nbpyd" -c "$CONF" --check
start_nbpyd
check "workers become ready" wait_for 10 all_running "$SVC" trader_sqlite
posted() { curl -fs "$FAKE/_orders/state" | grep -q '"method": "POST"'; }
check "the order reached the fake" wait_for 15 posted
check "...and is in flight in the trader's state" eval 'grep -q "\"in_flight\":\[{\"client_id\"" "$STATE"'
pid=$(field "$SVC" pid) && kill -9 "$pid" || bad "SIGKILL the trader (pid '$pid')"
check "nbpyd restarted it" wait_for 10 eval 'state_is "$SVC" running && p=$(field "$SVC" pid) && [ "$p" != "$pid" ]'
fills() { sqlite3 "$T/trader.sqlite" 'SELECT count(*) FROM trade_fills' 2>/dev/null; }
check "the restarted trader reported the fill" wait_for 10 eval '[ "$(fills)" = 1 ]'
check "...counted" wait_for 5 eval '[ "$(counter_of "$SVC" fills 2>/dev/null)" = 1 ]'
sleep 1	# nothing more comes
$PY "$CHECK" filled "$FAKE" "$T/trader.sqlite" "$STATE" || fails=$((fails + 1))
check "no unknown fate in the STATUS" eval 'st=$(field "$SVC" status) && ! grep -q unknown <<<"$st"'
stop_nbpyd || bad "nbpyd exit status"

echo "an order in flight the fake never received"
check "added to the state file" $PY "$CHECK" add-unknown "$STATE" "$UNKNOWN"
start_nbpyd
check "workers become ready" wait_for 10 all_running "$SVC" trader_sqlite
stored() { sqlite3 "$T/trader.sqlite" "SELECT order_state FROM trade_orders WHERE client_id = '$UNKNOWN'" 2>/dev/null; }
check "it is reported" wait_for 10 eval '[ "$(stored)" = rejected ]'
check "...counted as rejected" wait_for 5 eval '[ "$(counter_of "$SVC" rejected 2>/dev/null)" = 1 ]'
sleep 1
$PY "$CHECK" not-placed "$FAKE" "$T/trader.sqlite" "$STATE" "$UNKNOWN" || fails=$((fails + 1))
check "no unknown fate in the STATUS" eval 'st=$(field "$SVC" status) && ! grep -q unknown <<<"$st"'
check "the log says so" grep -q "order $UNKNOWN.*not placed" "$T/nbpyd.log"
stop_nbpyd || bad "nbpyd exit status"
check "the token is in no log line" eval '! grep -rqF "$NBPY_TEST_TRADER_TOKEN" "$T/nbpyd.log" "$T/state"'
echo "trader_practice_restart: $fails failed"
[ $fails -eq 0 ]
