#!/usr/bin/env bash
# oanda.sh - oanda.pricing under nbpyd against tests/fakes/fake_oanda.py:
# every published price checked against what the fake served (records cut
# across reads), malformed lines counted and not published, heartbeats
# counted, a stalled stream reconnected by the idle watchdog, a wrong token
# (401) counted as an error while the worker keeps running, and the token in
# no log line and no status.
set -uo pipefail

. "$NBPY_SRCDIR/tests/lib/itest.sh" oanda
BASE=$(port_base 1313)
FAKE=http://127.0.0.1:$BASE
TOKEN=sekrit-0anda-t0ken-4711
WRONG=wrong-0anda-t0ken-0815
stat() { curl -fs "$FAKE/_stats" | $PY -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }
counter_of() {	# counter_of SERVICE NAME: a counter from its STATUS text; fails if absent
	local status n
	status=$(field "$1" status) || return 1
	n=$(sed -n "s/.*[ ,]$2 \([0-9][0-9]*\).*/\1/p" <<<"$status")
	[ -n "$n" ] || { echo "no '$2 N' in the STATUS of $1: $status" >&2; return 1; }
	echo "$n"
}

echo "oanda integration ($T)"
# heartbeats every 0.2 s; the prices after 2 s, when the subscriber is connected
$PY "$S/tests/fakes/fake_oanda.py" "$BASE" "$TOKEN" 0.2 2 &
FAKE_PID=$!
wait_for 5 curl -fs -o /dev/null "$FAKE/_stats" || { bad "the fake OANDA did not start"; exit 1; }

# the stalled service reads its token from a file, as with systemd's LoadCredential=
printf '%s\n' "$TOKEN" >"$T/oanda.token"

cat >"$CONF" <<CONF
$(nbpyd_section)

[oanda_test]
kind         = oanda.pricing
url          = $FAKE
account      = 101-004-1234567-001
instruments  = EUR_USD, USD_JPY
token        = $TOKEN
idle_timeout = 2s
topic        = oanda_tick
bind         = tcp://127.0.0.1:$((BASE + 1))

[oanda_stall]
kind         = oanda.pricing
url          = $FAKE
account      = 101-004-1234567-stall
instruments  = EUR_USD
token_file   = $T/oanda.token
idle_timeout = 1s
bind         = tcp://127.0.0.1:$((BASE + 3))

[oanda_denied]
kind         = oanda.pricing
url          = $FAKE
account      = 101-004-1234567-001
instruments  = EUR_USD
token        = $WRONG
bind         = tcp://127.0.0.1:$((BASE + 2))
CONF

# the subscriber connects first and collects for 6 s
$PY "$S/tests/integration/oanda_check.py" "$FAKE" "tcp://127.0.0.1:$((BASE + 1))" 6 >"$T/check.out" 2>&1 &
CHECK_PID=$!
start_nbpyd
check "workers run under nbpyd" wait_for 10 all_running oanda_test oanda_denied oanda_stall
if wait "$CHECK_PID"; then ok "published prices match the fake"; else bad "published prices match the fake"; fi
cat "$T/check.out"
check "the request named the account and the instruments" eval \
	'[[ "$(stat requests)" == *"/v3/accounts/101-004-1234567-001/pricing/stream?"*"instruments=EUR_USD%2CUSD_JPY"* ]]'
check "the malformed lines are counted as bad" wait_for 5 eval \
	'b=$(counter_of oanda_test bad) && m=$(stat malformed) && [ "$m" -eq 2 ] && [ "$b" -eq "$m" ]'
check "and logged" eval "grep -q 'oanda_test: pricing: bad line (not a JSON object)' '$T/nbpyd.log' &&
	grep -q 'oanda_test: pricing: bad line (no time or a bad one)' '$T/nbpyd.log'"
check "heartbeats are counted" wait_for 5 eval 'h=$(counter_of oanda_test heartbeats) && [ "$h" -ge 5 ]'
check "prices are counted" eval 'p=$(counter_of oanda_test prices) && [ "$p" -eq 12 ]'

# a stream that stalls: the idle watchdog reconnects (1 s idle + 1 s backoff)
stalls() { grep -o -- '-stall/pricing' <<<"$(stat requests)" | wc -l; }
check "a stalled stream is reconnected after idle_timeout" wait_for 10 eval '[ "$(stalls)" -ge 3 ]'
check "the drops are counted" wait_for 5 eval 'd=$(counter_of oanda_stall drops) && [ "$d" -ge 1 ]'
check "and logged" wait_for 5 grep -q 'oanda_stall: stream pricing: nothing received for 1.0 s' "$T/nbpyd.log"
check "token_file's token was accepted (prices came)" eval 'p=$(counter_of oanda_stall prices) && [ "$p" -ge 1 ]'

# a wrong token: 401, an error, the worker keeps running
pid=$(field oanda_denied pid) || bad "oanda_denied's pid"
check "the fake refused the wrong token" wait_for 5 eval '[ "$(stat unauthorized)" -ge 1 ]'
check "the 401 is counted as an error" wait_for 5 eval 'e=$(counter_of oanda_denied errors) && [ "$e" -ge 1 ]'
check "oanda_denied keeps running, same process" eval \
	'state_is oanda_denied running && p=$(field oanda_denied pid) && [ "$p" = "$pid" ]'
check "oanda_denied published nothing" eval 'p=$(counter_of oanda_denied published) && [ "$p" -eq 0 ]'

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
exit $((fails > 0))
