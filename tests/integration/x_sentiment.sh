#!/usr/bin/env bash
# x_sentiment.sh - x.sentiment (the shipped [twitter] and
# [twitter_sentiment_sqlite]) under nbpyd against tests/fakes/x_api.py:
# the rules synchronised at start (the stale one deleted, the missing one
# added, nothing sent on a restart when they are equal); every valid post
# published once, its fields as the fake sent them and its VADER scores as
# the Python reference (NLTK) gives them with the same lexicon, for the
# reference sentences and 320 generated ones; malformed lines, a too-long
# post and X's `errors` object counted, not published; a stall, 503s, 429s,
# an ended stream and network errors reconnected on X's schedules, checked
# from the fake's timestamps; the token in no log line and no status; SQLite
# holding exactly what was published; a missing lexicon a start-up error.
set -uo pipefail

. "$NBPY_SRCDIR/tests/lib/itest.sh" x_sentiment
. "$S/tests/lib/counters.sh"
BASE=$(port_base 1616)
FAKE=http://127.0.0.1:$BASE
TOKEN=x-b3arer-t0ken-5565
CHECK=$S/tests/integration/x_sentiment_check.py
LEXICON=${NBPY_VADER_LEXICON:-/var/lib/nbpy/vader_lexicon.txt}
[ -f "$LEXICON" ] || LEXICON=$S/build/vader_lexicon.txt
COLLECT_PID=
itest_cleanup_extra() { [ -n "$COLLECT_PID" ] && kill "$COLLECT_PID" 2>/dev/null; }

echo "x sentiment ($T)"
if [ ! -f "$LEXICON" ]; then
	bad "no VADER lexicon at $LEXICON (scripts/lib/vader_lexicon.sh)"
	exit 1
fi
$PY -c 'import nltk.sentiment.vader' || { bad "python3-nltk is missing (scripts/test installs it)"; exit 1; }
$PY "$CHECK" gen "$T/posts.json" || { bad "cannot generate the posts"; exit 1; }
$PY "$S/tests/fakes/x_api.py" "$BASE" "$TOKEN" "$T/posts.json" "$T/fake.jsonl" &
FAKE_PID=$!
wait_for 5 curl -fs -o /dev/null -H "Authorization: Bearer $TOKEN" "$FAKE/2/tweets/search/stream/rules" ||
	{ bad "the fake X did not start"; exit 1; }
rm -f "$T/fake.jsonl"	# that GET was ours

shipped=$(awk '/^\[/ { keep = ($0 ~ /^\[(twitter|twitter_sentiment_sqlite)\]$/) } keep' "$S/etc/nbpy.conf")
grep -q '^token *= \${NBPY_X_TOKEN}$' <<<"$shipped" || bad "the shipped token is not \${NBPY_X_TOKEN}"
cat >"$CONF" <<CONF
$(nbpyd_section)

[twitter]
kind               = x.sentiment
url                = $FAKE
token              = \${NBPY_X_TOKEN}
rules              = btc: bitcoin OR btc, eth: ethereum lang:en
lexicon            = $LEXICON
keep_text          = yes
idle_timeout       = 1s
retry_network      = 500ms
retry_http         = 200ms
retry_rate_limited = 300ms
bind               = tcp://127.0.0.1:$((BASE + 1))

[twitter_sentiment_sqlite]
kind      = sink.sqlite
subscribe = twitter

[twitter_no_lexicon]
kind      = x.sentiment
url       = $FAKE
token     = \${NBPY_X_TOKEN}
rules     = btc: bitcoin
lexicon   = $T/missing_lexicon.txt
bind      = tcp://127.0.0.1:$((BASE + 2))
restart   = never
CONF
export NBPY_X_TOKEN=$TOKEN
"$B/nbpyd" -c "$CONF" --check >"$T/check.out" 2>&1 || bad "nbpyd --check: $(cat "$T/check.out")"

$PY "$CHECK" collect "tcp://127.0.0.1:$((BASE + 1))" "$T/got.jsonl" &
COLLECT_PID=$!
start_nbpyd
check "x.sentiment and its store run under nbpyd" wait_for 10 all_running twitter twitter_sentiment_sqlite
check "the stream connects" wait_for 10 eval 'field twitter status | grep -q "connected yes"'
sleep 1	# the subscribers (a ZeroMQ reconnect is 100 ms) join before the first post
curl -fs -o /dev/null "$FAKE/_x/go" || bad "the fake did not take /_x/go"
check "a missing lexicon stops the kind at start, naming the file" wait_for 10 eval \
	"grep -q 'twitter_no_lexicon.*lexicon: $T/missing_lexicon.txt: No such file' '$T/nbpyd.log'"
check "... with the configuration exit code (78)" wait_for 5 eval "grep -q 'twitter_no_lexicon: exit pid [0-9]*: exited 78' '$T/nbpyd.log'"
NPOSTS=$($PY "$CHECK" valid "$T/posts.json")
check "all $NPOSTS valid posts published, across 9 connections" wait_for 30 eval \
	'[ "$($PY "$CHECK" count "$T/got.jsonl")" -ge "$NPOSTS" ]'
check "the rules: the stale one deleted, the missing one added" $PY "$CHECK" rules "$T/fake.jsonl"
check "each post once, fields as sent, scores as NLTK's VADER gives them" \
	$PY "$CHECK" posts "$T/posts.json" "$T/got.jsonl" "$LEXICON"
check "reconnects on X's schedules (fake's timestamps)" $PY "$CHECK" backoff "$T/fake.jsonl"
check "the status counts the rules deleted (1) and added (1)" eval \
	'd=$(counter_of twitter rules_deleted) && a=$(counter_of twitter rules_added) && [ "$d" -eq 1 ] && [ "$a" -eq 1 ]'
check "posts counted ($NPOSTS)" wait_for 5 eval 'n=$(counter_of twitter posts) && [ "$n" -eq "$NPOSTS" ]'
check "6 malformed lines counted as bad" wait_for 5 eval 'n=$(counter_of twitter bad) && [ "$n" -eq 6 ]'
check "the too-long post counted" wait_for 5 eval 'n=$(counter_of twitter too_long) && [ "$n" -eq 1 ]'
check "X's errors object counted" wait_for 5 eval 'n=$(counter_of twitter stream_errors) && [ "$n" -eq 1 ]'
check "bad lines logged with what is wrong" grep -q "twitter: x: bad line (no data.created_at or a bad one)" "$T/nbpyd.log"
check "the sink wrote them all" wait_for 10 eval "w=\$(counter_of twitter_sentiment_sqlite written) && [ \"\$w\" -eq $NPOSTS ]"
check "SQLite holds exactly what was published" $PY "$CHECK" sqlite "$T/state/nbpy.sqlite" "$T/got.jsonl"

# a restart with the rules X now holds: a GET, nothing posted
before=$(grep -c '"rules_post"' "$T/fake.jsonl")
ctl restart twitter >/dev/null
check "restarted" wait_for 10 eval '[ "$(grep -c "\"rules_get\"" "$T/fake.jsonl")" -ge 2 ]'
sleep 0.5
check "equal rules: nothing posted" eval '[ "$(grep -c "\"rules_post\"" "$T/fake.jsonl")" -eq "$before" ]'

# the token: in no log line, no status, no --check output
ctl --json status >"$T/status.json" 2>&1
for f in "$T/nbpyd.log" "$T/status.json" "$T/check.out"; do
	check "no token in ${f##*/}" eval "! grep -q '$TOKEN' '$f'"
done
exit $((fails > 0))
