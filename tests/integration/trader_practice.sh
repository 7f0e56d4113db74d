#!/usr/bin/env bash
# trader_practice.sh - the trader in mode = practice against the fake OANDA
# order endpoint (tests/fakes/oanda_orders.py): four signals replayed with
# EUR_USD quotes, each order aimed at one of the fake's behaviours - filled;
# answered only after the trader's request_timeout (filled at the fake
# meanwhile: the retry asks OANDA by client id and reports that one fill,
# no second POST); a 500 once (not processed: the lookup says 404 and the
# same client id is posted again, one fill); cancelled for insufficient
# margin (rejected, counted, not retried).  trader_practice_check.py checks
# every request the fake saw and what the trader stored in SQLite against
# that plan; the token must be in no log line and no status.
set -uo pipefail

. "$NBPY_SRCDIR/tests/lib/itest.sh" trader_practice
. "$S/tests/lib/counters.sh"
BASE=$(port_base 1515)
FAKE=http://127.0.0.1:$BASE
CHECK=$S/tests/integration/trader_practice_check.py
ACCT=101-004-1234567-001
SVC=oanda_kraken_EURUSD_depth_position_order
export NBPY_TEST_TRADER_TOKEN=sekrit-pract1ce-t0ken-4711

echo "trader, mode practice, against the fake OANDA orders ($T)"
$PY "$S/tests/fakes/fake_oanda.py" "$BASE" "$NBPY_TEST_TRADER_TOKEN" &
FAKE_PID=$!
wait_for 5 curl -fs -o /dev/null "$FAKE/_orders/state" || { bad "the fake OANDA did not start"; exit 1; }
# the signals come 1 s apart: the 2nd order is answered 3 s late (request_timeout
# is 1 s), the 3rd fails once, the 4th lacks margin
curl -fs -o /dev/null "$FAKE/_orders/hang?nth=2&seconds=3" &&
	curl -fs -o /dev/null "$FAKE/_orders/fail?nth=3&code=500" &&
	curl -fs -o /dev/null "$FAKE/_orders/margin?nth=4" || { bad "setting up the fake"; exit 1; }
$PY "$CHECK" gen "$T/signals.nbpy" "$T/prices.nbpy" || { bad "generating the captures"; exit 1; }
{
	nbpyd_section
	printf '\n[kraken_EURUSD_depth_signal]\nkind        = replay\npath        = %s/signals.nbpy\n' "$T"
	printf 'speed       = 1\nstart_delay = 4s\nbind        = tcp://127.0.0.1:%s\n' $((BASE + 1))
	printf 'topic       = kr_eurusd_signal\nrestart     = never\n'
	printf '\n[oanda_tick]\nkind        = replay\npath        = %s/prices.nbpy\nspeed       = 0\n' "$T"
	printf 'start_delay = 2s\nbind        = tcp://127.0.0.1:%s\ntopic       = oanda_tick\nrestart     = never\n' \
		$((BASE + 2))
	printf '\n[%s]\nkind            = trader\nmode            = practice\nstrategy        = depth\n' "$SVC"
	printf 'units           = 1000\napi_url         = %s\naccount         = %s\n' "$FAKE" "$ACCT"
	printf 'token           = ${NBPY_TEST_TRADER_TOKEN}\nrequest_timeout = 1s\nretries         = 2\n'
	printf 'subscribe       = kraken_EURUSD_depth_signal, oanda_tick\nbind            = tcp://127.0.0.1:%s\n' \
		$((BASE + 3))
	printf '\n[trader_sqlite]\nkind      = sink.sqlite\nsubscribe = %s\npath      = %s/trader.sqlite\n' "$SVC" "$T"
	printf 'flush_interval = 200ms\n'
} >"$CONF"
check "the configuration is valid" "$B/nbpyd" -c "$CONF" --check
start_nbpyd
check "workers become ready" wait_for 10 all_running "$SVC" trader_sqlite
fills() { sqlite3 "$T/trader.sqlite" 'SELECT count(*) FROM trade_fills' 2>/dev/null; }
orders_settled() {
	[ "$(sqlite3 "$T/trader.sqlite" \
		"SELECT count(DISTINCT client_id) FROM trade_orders WHERE order_state IN ('filled', 'rejected', 'failed')" \
		2>/dev/null)" = 4 ]
}
check "three fills stored" wait_for 25 eval '[ "$(fills)" = 3 ]'
check "all four orders settled in the store" wait_for 10 orders_settled
check "the insufficient-margin rejection is counted" wait_for 5 eval '[ "$(counter_of "$SVC" rejected)" = 1 ]'
# nothing more comes: the late answer and the retries are over
sleep 2
$PY "$CHECK" check "$FAKE" "$T/trader.sqlite" || fails=$((fails + 1))
ctl --json status >"$T/status.json" 2>&1 || bad "nbpyctl status"
stop_nbpyd || bad "nbpyd exit status"
check "the token is in no log line" eval '! grep -rqF "$NBPY_TEST_TRADER_TOKEN" "$T/nbpyd.log" "$T/state"'
check "nor in the status" eval '! grep -qF "$NBPY_TEST_TRADER_TOKEN" "$T/status.json"'
echo "trader_practice: $fails failed"
[ $fails -eq 0 ]
