#!/usr/bin/env bash
# betfair.sh - betfair.stream under nbpyd against tests/fakes/betfair_stream.py
# (TLS with a throwaway certificate as the CA): the login, the subscription
# with the configured filter, a SUB_IMAGE and deltas covering every rule of
# the market cache, heartbeats, a status 503 (lagging: counted, the
# connection kept), two malformed lines (counted and logged, not applied),
# the server's disconnect and a resume that the fake checks carries
# initialClk and the last clk, a conflating subscription (and a segmented
# image), a resume refused with INVALID_CLOCK and the subscription made
# afresh, and every row the SQLite store wrote equal to a cache built
# independently in Python from what the fake sent (betfair_check.py).  A
# wrong session: the FAILURE's error code in the status, the login tried
# again after auth_retry, not at the backoff's pace.  The session token and
# the app key in no log line, no status and no --check output.
set -uo pipefail

. "$NBPY_SRCDIR/tests/lib/itest.sh" betfair
. "$S/tests/lib/counters.sh"
BASE=$(port_base 1616)
SESSION=s3ss10n-bf-t0ken-4242
WRONG=wr0ng-bf-t0ken-0000
export NBPY_TEST_BETFAIR_SESSION=$SESSION
FAKE_PID=
itest_cleanup_extra() { [ -n "$FAKE_PID" ] && kill "$FAKE_PID" 2>/dev/null; }

echo "betfair integration ($T)"
if ! openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" -out "$T/cert.pem" -days 1 \
	-subj /CN=localhost -addext subjectAltName=IP:127.0.0.1,DNS:localhost >/dev/null 2>&1; then
	bad "openssl could not make a test certificate"
	exit 1
fi
$PY "$S/tests/fakes/betfair_stream.py" "$BASE" "$T/cert.pem" "$T/key.pem" "$T/fake.log" "$SESSION" &
FAKE_PID=$!
wait_for 5 grep -q listening "$T/fake.log" 2>/dev/null || { bad "the fake Betfair did not start"; exit 1; }
printf '%s\n' "$SESSION" >"$T/session.token"

stream() {	# stream SERVICE APPKEY PORT [KEY = VALUE...]: a betfair.stream section
	printf '\n[%s]\nkind           = betfair.stream\nhost           = 127.0.0.1\nport           = %s\n' "$1" "$BASE"
	printf 'ca_file        = %s\napp_key        = %s\nbind           = tcp://127.0.0.1:%s\n' "$T/cert.pem" "$2" "$3"
	printf 'event_type_ids = 7\ncountry_codes  = GB, IE\nmarket_types   = WIN\nheartbeat_ms   = 1000\n'
	shift 3
	printf '%s\n' "$@"
}
{
	nbpyd_section
	stream betfair_stream app-plain $((BASE + 1)) "session_token  = \${NBPY_TEST_BETFAIR_SESSION}"
	stream betfair_conflate app-conflate $((BASE + 2)) "session_token_file = $T/session.token" "conflate_ms    = 500"
	stream betfair_denied app-denied $((BASE + 3)) "session_token  = $WRONG" "auth_retry     = 2s"
	stream betfair_badclock app-badclock $((BASE + 4)) "session_token  = \${NBPY_TEST_BETFAIR_SESSION}"
	printf '\n[betfair_sqlite]\nkind      = sink.sqlite\nsubscribe = betfair_stream, betfair_conflate, betfair_badclock\n'
} >"$CONF"

start_nbpyd
check "four streams and the store run" wait_for 10 all_running betfair_stream betfair_conflate betfair_denied \
	betfair_badclock betfair_sqlite
done_for() { grep -q "\"ev\": \"done\", \"key\": \"$1\"" "$T/fake.log"; }
check "the fake played both scripts to app-plain (a disconnect and a resume between)" wait_for 20 done_for app-plain
check "and to app-conflate" wait_for 10 done_for app-conflate
check "app-badclock: its resume refused (INVALID_CLOCK), it subscribed afresh and got a new image" wait_for 10 \
	grep -q '"ev": "fresh", "key": "app-badclock", "ok": true' "$T/fake.log"
check "app-badclock played to the end" wait_for 10 done_for app-badclock
check "betfair_badclock: the INVALID_CLOCK failure logged and counted" wait_for 5 eval \
	'grep -q "betfair_badclock.*request 2 failed: INVALID_CLOCK (clock expired), connection closed" "$T/nbpyd.log" &&
	 n=$(counter_of betfair_badclock failures) && [ "$n" -eq 1 ] && [ "$(counter_of betfair_badclock resumes)" -eq 1 ]'

check "the subscription carries the filter, heartbeatMs and the fields, and no clk at first" $PY -c '
import json, sys
subs = [json.loads(e["line"]) for e in map(json.loads, open(sys.argv[1]))
        if e["ev"] == "recv" and e["key"] == "app-plain" and "marketSubscription" in e["line"]]
s = subs[0]
assert s["marketFilter"] == {"eventTypeIds": ["7"], "countryCodes": ["GB", "IE"], "marketTypes": ["WIN"]}, s
assert s["heartbeatMs"] == 1000 and s["conflateMs"] == 0, s
assert s["marketDataFilter"] == {"fields": ["EX_BEST_OFFERS", "EX_TRADED", "EX_LTP", "EX_MARKET_DEF"],
                                 "ladderLevels": 3}, s
assert "clk" not in s and "initialClk" not in s, s
assert len(subs) >= 2 and subs[1]["clk"] and subs[1]["initialClk"], subs' "$T/fake.log"
check "the conflating subscription asked for conflateMs 500 and got conflated changes, a segmented image" eval \
	'grep -q "\"key\": \"app-conflate\".*conflateMs[^0-9]*500" "$T/fake.log" &&
	 grep -q "\"key\": \"app-conflate\".*con[^a-z]*true" "$T/fake.log" &&
	 grep -q "\"key\": \"app-conflate\".*SEG_END" "$T/fake.log"'

# the store has what the fake sent, rebuilt on its own
rows_match() { $PY "$S/tests/integration/betfair_check.py" "$T/fake.log" "$T/state/nbpy.sqlite" \
	app-plain=betfair_stream app-conflate=betfair_conflate app-badclock=betfair_badclock >"$T/check.out" 2>&1; }
if wait_for 10 rows_match; then
	ok "every stored runner message equals the independent cache's"
else
	bad "every stored runner message equals the independent cache's"
fi
sed 's/^/       /' "$T/check.out"

st=$(status_text betfair_stream) || bad "the status of betfair_stream"
echo "       status: $st"
for c in lagging=1 resumes=1 logins=2 connects=2 drops=1 failures=0 login_refusals=0 runners_refused=0 \
	markets_refused=0 levels_refused=0 bad=2 runners=26; do
	name=${c%=*}
	check "betfair_stream status: ${name//_/ } ${c#*=}" wait_for 5 eval \
		'n=$(counter_of betfair_stream "${name//_/ }") && [ "$n" -eq "${c#*=}" ]'
done
check "betfair_stream counted heartbeats" wait_for 5 eval 'n=$(counter_of betfair_stream heartbeats) && [ "$n" -ge 2 ]'
check "the two malformed lines logged with why" eval \
	'grep -q "betfair_stream.*bad line (ladder entry too short)" "$T/nbpyd.log" &&
	 grep -q "betfair_stream.*bad line (not a JSON object): truncated" "$T/nbpyd.log"'
check "the lag was logged, the connection kept" grep -q 'betfair_stream.*lagging (status 503); staying connected' \
	"$T/nbpyd.log"

# a wrong session: refused, named in the status, tried again after auth_retry
check "betfair_denied: the refusal and its code in the status" wait_for 5 eval \
	'st=$(status_text betfair_denied) && [[ "$st" == *"login refused (INVALID_SESSION_INFORMATION)"* ]]'
check "betfair_denied: the failure logged with its code" grep -q \
	'betfair_denied.*request 1 failed: INVALID_SESSION_INFORMATION (session token invalid), connection closed' \
	"$T/nbpyd.log"
sleep 3
check "betfair_denied tried again after auth_retry (2 s), not sooner" $PY -c '
import json, sys
t = [e["t"] for e in map(json.loads, open(sys.argv[1])) if e["ev"] == "auth" and e["key"] == "app-denied"]
assert len(t) >= 2 and not any(e["ok"] for e in map(json.loads, open(sys.argv[1]))
                                if e["ev"] == "auth" and e["key"] == "app-denied"), t
gaps = [b - a for a, b in zip(t, t[1:])]
assert all(1.9 <= g <= 3.5 for g in gaps), gaps' "$T/fake.log"
check "betfair_denied keeps running" state_is betfair_denied running

# the secrets nowhere
ctl --json status >"$T/status.json" || bad "nbpyctl status"
"$B/nbpyd" -c "$CONF" --check >"$T/check_good.out" 2>&1 || bad "nbpyd --check on the good config"
sed 's/^port           = .*/port           = 99999/' "$CONF" >"$T/bad.conf"
"$B/nbpyd" -c "$T/bad.conf" --check >"$T/check_bad.out" 2>&1
rc=$?
check "nbpyd --check: a bad port exits 78 naming it" eval '[ $rc -eq 78 ] && grep -q "port" "$T/check_bad.out"'
for f in nbpyd.log status.json check_good.out check_bad.out; do
	check "no session token or app key in $f" eval \
		'! grep -qF -e "$SESSION" -e "$WRONG" -e app-plain -e app-conflate "$T/$f"'
done
stop_nbpyd || bad "nbpyd exit status"
echo "betfair: $fails failed"
[ "$fails" -eq 0 ]
