#!/usr/bin/env bash
# oanda.sh - oanda.pricing under nbpyd against tests/fakes/fake_oanda.py:
# every published price checked against what the fake served, every field
# (records cut across reads, and cut at every byte position), heartbeats on
# their own topic, one topic per instrument, malformed lines counted and not
# published, 429, 500 and a stream closed mid-record survived with the error
# counted and nothing half published, a stalled stream reconnected within
# idle_timeout plus the backoff, a wrong token (401, and 403) shown as a
# configuration error in the status and retried slowly while the worker keeps running, a
# subscriber of the prices' topic seeing no gap while heartbeats flow on
# theirs, a disabled service whose token is not set loading and refusing to
# start, and the token in no log line, no status and no --check output.
set -uo pipefail

unset NBPY_TEST_OANDA_NO_TOKEN
. "$NBPY_SRCDIR/tests/lib/itest.sh" oanda
. "$S/tests/lib/counters.sh"
BASE=$(port_base 1313)
FAKE=http://127.0.0.1:$BASE
TOKEN=sekrit-0anda-t0ken-4711
WRONG=wrong-0anda-t0ken-0815
ACCT=101-004-1234567
stats() { curl -fs "$FAKE/_stats"; }
stat() { stats | $PY -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }
astat() {	# astat ACCOUNT KEY: a number, or a list's length, of the fake's stats for ACCOUNT
	stats | $PY -c "import json,sys; v=json.load(sys.stdin)['accounts']['$1']['$2']; print(len(v) if isinstance(v, list) else v)"
}

echo "oanda integration ($T)"
# heartbeats every 0.2 s; the prices after 2 s, when the subscribers are connected
$PY "$S/tests/fakes/fake_oanda.py" "$BASE" "$TOKEN" 0.2 2 &
FAKE_PID=$!
wait_for 5 curl -fs -o /dev/null "$FAKE/_stats" || { bad "the fake OANDA did not start"; exit 1; }

# the stalled service reads its token from a file, as with systemd's LoadCredential=
printf '%s\n' "$TOKEN" >"$T/oanda.token"

pricing() {	# pricing SERVICE ACCOUNT PORT [KEY = VALUE...]: an oanda.pricing section
	printf '\n[%s]\nkind         = oanda.pricing\nurl          = %s\naccount      = %s\n' "$1" "$FAKE" "$2"
	printf 'instruments  = EUR_USD, USD_JPY\nbind         = tcp://127.0.0.1:%s\n' "$3"
	shift 3
	printf '%s\n' "$@"
}
{
	nbpyd_section
	pricing oanda_test "$ACCT-001" $((BASE + 1)) "token        = $TOKEN" "idle_timeout = 2s" "topic        = oanda_tick"
	pricing oanda_split "$ACCT-split" $((BASE + 2)) "token        = $TOKEN" "topic_per_instrument = yes"
	pricing oanda_flaky "$ACCT-flaky" $((BASE + 3)) "token        = $TOKEN"
	pricing oanda_stall "$ACCT-stall" $((BASE + 4)) "token_file   = $T/oanda.token" "idle_timeout = 1s"
	pricing oanda_denied "$ACCT-001" $((BASE + 5)) "token        = $WRONG" "auth_retry   = 3s"
	pricing oanda_forbidden "$ACCT-forbidden" $((BASE + 7)) "token        = $TOKEN"
	# disabled until its token is given: the file loads without it
	pricing oanda_later "$ACCT-001" $((BASE + 6)) "token        = \${NBPY_TEST_OANDA_NO_TOKEN}" "enabled      = no"
	printf '\n[oanda_prices_only]\nkind      = sink.file\nsubscribe = oanda_test\npath      = %s/prices.nbpy\n' "$T"
} >"$CONF"

# the subscribers connect first and collect for 16 s
run_check() {	# run_check SERVICE PORT ACCOUNT N_PRICES TOPIC (-: one per instrument)
	$PY "$S/tests/integration/oanda_check.py" "$FAKE" "tcp://127.0.0.1:$2" 16 "$1" "$3" "$4" "$5" \
		>"$T/check_$1.out" 2>&1 &
}
run_check oanda_test $((BASE + 1)) "$ACCT-001" 12 oanda_tick
CHECK_TEST=$!
run_check oanda_split $((BASE + 2)) "$ACCT-split" 500 -
CHECK_SPLIT=$!
# 429, 500, then 12 prices and half a record, then the snapshot's 12 again
run_check oanda_flaky $((BASE + 3)) "$ACCT-flaky" 24 oanda_flaky
CHECK_FLAKY=$!
start_nbpyd
check "workers run under nbpyd" wait_for 10 all_running oanda_test oanda_split oanda_flaky oanda_stall oanda_denied \
	oanda_forbidden
pid=$(field oanda_denied pid) || bad "oanda_denied's pid"
t_start=$SECONDS

# a wrong token: 401 is a configuration error, in the status, retried after
# auth_retry (3 s), not the backoff's 1 s; the worker keeps running
check "the status shows the refused token" wait_for 5 eval \
	'[[ "$(field oanda_denied status)" == *", error HTTP 401: token refused"* ]]'
check "the fake refused the wrong token, again" wait_for 8 eval '[ "$(stat unauthorized)" -ge 3 ]'
check "each time after auth_retry (3 s, +0.5 s)" eval "stats | $PY -c '
import json, sys
at = json.load(sys.stdin)[\"unauthorized_at\"]
waits = [b - a for a, b in zip(at, at[1:])]
print(\"    retried after\", [round(w, 2) for w in waits])
sys.exit(0 if waits and all(3.0 <= w <= 3.5 for w in waits) else 1)'"
check "the 401s are counted as errors" wait_for 3 eval 'e=$(counter_of oanda_denied errors) && [ "$e" -ge 3 ]'
check "and logged as a configuration error" grep -q \
	'oanda_denied: stream pricing: HTTP 401: credentials refused (a configuration error); reconnecting in 3.0 s' \
	"$T/nbpyd.log"
check "403 is shown as a refused token too, and not retried before auth_retry (60 s)" eval \
	'[[ "$(field oanda_forbidden status)" == *", error HTTP 403: token refused"* ]] &&
	 grep -q "oanda_forbidden: stream pricing: HTTP 403: credentials refused (a configuration error); reconnecting in 60.0 s" "$T/nbpyd.log" &&
	 [ "$(grep -c "oanda_forbidden: stream pricing: HTTP 403" "$T/nbpyd.log")" -eq 1 ]'
check "oanda_denied keeps running, same process" eval \
	'state_is oanda_denied running && p=$(field oanda_denied pid) && [ "$p" = "$pid" ]'
check "oanda_denied published nothing" eval 'p=$(counter_of oanda_denied published) && [ "$p" -eq 0 ]'
check "a service the token works for shows no error" eval \
	'[[ "$(field oanda_test status)" != *"error HTTP"* ]] && [[ "$(field oanda_flaky status)" != *"error HTTP"* ]]'

for c in test:$CHECK_TEST split:$CHECK_SPLIT flaky:$CHECK_FLAKY; do
	if wait "${c#*:}"; then ok "oanda_${c%%:*}: published prices match the fake"
	else bad "oanda_${c%%:*}: published prices match the fake"; fi
	cat "$T/check_oanda_${c%%:*}.out"
done
check "the request named the account and the instruments" eval \
	'[[ "$(stat requests)" == *"/v3/accounts/$ACCT-001/pricing/stream?"*"instruments=EUR_USD%2CUSD_JPY"* ]]'
check "the malformed lines are counted as bad" wait_for 5 eval \
	'b=$(counter_of oanda_test bad) && m=$(astat $ACCT-001 malformed) && [ "$m" -eq 9 ] && [ "$b" -eq "$m" ]'
for why in 'not a JSON object' 'no time or a bad one' 'no closeoutAsk' 'no closeoutBid' 'no tradeable' \
	'no bid or its liquidity' 'no ask or its liquidity' 'heartbeat without a time or with a bad one'; do
	check "and logged: $why" grep -q "oanda_test: pricing: bad line ($why)" "$T/nbpyd.log"
done
check "heartbeats are counted" wait_for 5 eval 'h=$(counter_of oanda_test heartbeats) && [ "$h" -ge 5 ]'
check "prices are counted" wait_for 5 eval 'p=$(counter_of oanda_test prices) && [ "$p" -eq 12 ]'
check "split at every byte: no record lost, none bad" wait_for 5 eval \
	'p=$(counter_of oanda_split prices) && [ "$p" -eq 500 ] && b=$(counter_of oanda_split bad) && [ "$b" -eq 0 ]'

# 429, 500 and the stream closed mid-record: errors counted, the half record discarded
check "flaky: 4 connections (429, 500, cut, good)" eval '[ "$(astat $ACCT-flaky connections)" -eq 4 ]'
check "flaky: the 429, the 500 and the cut are counted as errors" wait_for 5 eval \
	'e=$(counter_of oanda_flaky errors) && [ "$e" -eq 3 ] && d=$(counter_of oanda_flaky drops) && [ "$d" -eq 3 ]'
check "flaky: the cut record is counted as cut" wait_for 5 eval \
	'c=$(counter_of oanda_flaky cut) && [ "$c" -eq 1 ] && [ "$(astat $ACCT-flaky cut)" -eq 1 ]'
check "flaky: its malformed lines counted, both connections" wait_for 5 eval \
	'b=$(counter_of oanda_flaky bad) && [ "$b" -eq 18 ]'
check "flaky: logged" eval "grep -q 'oanda_flaky: stream pricing: HTTP 429; reconnecting' '$T/nbpyd.log' &&
	grep -q 'oanda_flaky: stream pricing: HTTP 500; reconnecting' '$T/nbpyd.log' &&
	grep -q 'oanda_flaky: stream pricing: .* (a record cut after [0-9]* bytes: discarded); reconnecting' '$T/nbpyd.log'"

# a subscriber of oanda_test's prices only: heartbeats on their own topic make no gap
check "a subscriber of oanda_tick got the 12 prices and no heartbeat" wait_for 5 eval \
	'r=$(counter_of oanda_prices_only received) && [ "$r" -eq 12 ]'
check "and counts no gap" eval 'g=$(counter_of oanda_prices_only gaps) && [ "$g" -eq 0 ]'

# a stream that stalls: the idle watchdog (1 s) and the backoff (reset by the
# records that came: 0.5 s to 1 s) reconnect it, from the last byte, within 1 s to 2 s (+0.3 s)
check "a stalled stream is reconnected, again and again" wait_for 10 eval '[ "$(astat $ACCT-stall connections)" -ge 3 ]'
check "each time within idle_timeout plus the backoff" eval "stats | $PY -c '
import json, sys
a = json.load(sys.stdin)[\"accounts\"][\"$ACCT-stall\"]
waits = [s - e for e, s in zip(a[\"prices_sent\"], a[\"starts\"][1:])]
print(\"    reconnected after\", [round(w, 2) for w in waits])
sys.exit(0 if waits and all(1.0 <= w <= 2.3 for w in waits) else 1)'"
check "the drops are counted" wait_for 5 eval 'd=$(counter_of oanda_stall drops) && [ "$d" -ge 1 ]'
check "and logged" grep -q 'oanda_stall: stream pricing: nothing received for 1.0 s' "$T/nbpyd.log"
check "token_file's token was accepted (prices came)" wait_for 5 eval 'p=$(counter_of oanda_stall prices) && [ "$p" -ge 1 ]'

# a disabled service whose token is not given: started by hand, it says so and exits 78
check "a disabled service without its token does not start" eval '! ctl start oanda_later >/dev/null 2>&1'
check "and says why" wait_for 5 grep -q \
	"oanda_later.*nbpy.conf:[0-9]*: \[oanda_later\] token: \${NBPY_TEST_OANDA_NO_TOKEN} is not set in the environment" \
	"$T/nbpyd.log"
check "the others run on" all_running oanda_test oanda_split oanda_flaky oanda_stall oanda_denied

# the token: in no log line, no status
ctl --json status >"$T/status.json" 2>&1 || bad "nbpyctl status"
check "the token is in no log line" eval '! grep -qF -e "$TOKEN" -e "$WRONG" "$T/nbpyd.log"'
check "nor in the status" eval '! grep -qF -e "$TOKEN" -e "$WRONG" "$T/status.json"'
# nbpyd --check: a bad key named, the token not shown, with or without an error
sed 's/^idle_timeout = 2s/idle_timeout = soon/' "$CONF" >"$T/bad.conf"
"$B/nbpyd" -c "$T/bad.conf" --check >"$T/check_bad.out" 2>&1
rc=$?
check "nbpyd --check: a bad idle_timeout exits 78 naming it" eval \
	'[ $rc -eq 78 ] && grep -q "bad.conf:[0-9]*: \[oanda_test\] idle_timeout: bad duration" "$T/check_bad.out"'
"$B/nbpyd" -c "$CONF" --check >"$T/check_good.out" 2>&1 || bad "nbpyd --check on the good config"
check "nbpyd --check shows no token" eval '! grep -qF -e "$TOKEN" -e "$WRONG" "$T/check_bad.out" "$T/check_good.out"'
echo "  ($((SECONDS - t_start)) s)"
exit $((fails > 0))
