#!/usr/bin/env bash
# x_sentiment_stores.sh - the shipped X sentiment stores (twitter_sentiment_
# sqlite, _influx and _pgsql from etc/nbpy.conf, pointed at the test
# servers) behind x.sentiment reading tests/fakes/x_api.py: each holds
# exactly what the service published (post id, time, author, scores, point,
# rule tags), each post once; the original's db, measurement and table.
# Needs PostgreSQL and InfluxDB (scripts/lib/servers.sh, as scripts/test
# starts them).
set -uo pipefail

. "$NBPY_SRCDIR/tests/lib/itest.sh" x_sentiment_stores
. "$S/tests/lib/counters.sh"
. "$S/scripts/lib/servers.sh"
BASE=$(port_base 1617)
FAKE=http://127.0.0.1:$BASE
TOKEN=x-st0res-t0ken-5565
CHECK=$S/tests/integration/x_sentiment_check.py
LEXICON=${NBPY_VADER_LEXICON:-/var/lib/nbpy/vader_lexicon.txt}
[ -f "$LEXICON" ] || LEXICON=$S/build/vader_lexicon.txt
DB=x_stores_$$
COLLECT_PID=
itest_cleanup_extra() {
	[ -n "$COLLECT_PID" ] && kill "$COLLECT_PID" 2>/dev/null
	dropdb --if-exists "$DB" >/dev/null 2>&1
	curl -fs -o /dev/null -XPOST "$NBPY_INFLUX_URL/query" --data-urlencode "q=DROP DATABASE $DB"
}

echo "X sentiment stores: SQLite, InfluxDB, PostgreSQL ($T)"
[ -f "$LEXICON" ] || { bad "no VADER lexicon at $LEXICON (scripts/lib/vader_lexicon.sh)"; exit 1; }
createdb "$DB" || { bad "createdb $DB"; exit 1; }
$PY "$CHECK" gen "$T/posts.json" || { bad "cannot generate the posts"; exit 1; }
$PY "$S/tests/fakes/x_api.py" "$BASE" "$TOKEN" "$T/posts.json" "$T/fake.jsonl" &
FAKE_PID=$!
wait_for 5 curl -fs -o /dev/null -H "Authorization: Bearer $TOKEN" "$FAKE/2/tweets/search/stream/rules" ||
	{ bad "the fake X did not start"; exit 1; }

# the three store sections as shipped, enabled, pointed at the test servers
stores=$(awk '/^\[/ { keep = ($0 ~ /^\[twitter_sentiment_(sqlite|influx|pgsql)\]$/) } keep' "$S/etc/nbpy.conf" |
	sed -e 's|^enabled .*|enabled   = yes|' \
	    -e "s|^url .*|url       = $NBPY_INFLUX_URL\ncreate_database = yes|" \
	    -e "s|^db .*|db        = $DB|" \
	    -e "s|^conninfo .*|conninfo  = host=$PGHOST port=$PGPORT dbname=$DB user=$PGUSER|")
grep -c '^subscribe = twitter$' <<<"$stores" | grep -qx 3 || bad "etc/nbpy.conf lacks the three twitter stores: $stores"
awk '/^\[twitter_sentiment_influx\]/,/^$/' "$S/etc/nbpy.conf" | grep -q '^db *= twitter$' ||
	bad "twitter_sentiment_influx does not write the original's db twitter"
[ "$fails" = 0 ] || exit 1
cat >"$CONF" <<CONF
$(nbpyd_section)

[twitter]
kind               = x.sentiment
url                = $FAKE
token              = $TOKEN
rules              = btc: bitcoin OR btc, eth: ethereum lang:en
lexicon            = $LEXICON
idle_timeout       = 1s
retry_network      = 100ms
retry_http         = 100ms
retry_rate_limited = 100ms
bind               = tcp://127.0.0.1:$((BASE + 1))

$stores
CONF
$PY "$CHECK" collect "tcp://127.0.0.1:$((BASE + 1))" "$T/got.jsonl" &
COLLECT_PID=$!
start_nbpyd
check "x.sentiment and its three stores run" wait_for 10 all_running twitter twitter_sentiment_sqlite \
	twitter_sentiment_influx twitter_sentiment_pgsql
check "the stream connects" wait_for 10 eval 'field twitter status | grep -q "connected yes"'
sleep 1	# the subscribers join before the first post
curl -fs -o /dev/null "$FAKE/_x/go" || bad "the fake did not take /_x/go"
NPOSTS=$($PY "$CHECK" valid "$T/posts.json")
check "all $NPOSTS posts published" wait_for 30 eval 'n=$(counter_of twitter posts) && [ "$n" -eq "$NPOSTS" ]'
for s in twitter_sentiment_sqlite twitter_sentiment_influx twitter_sentiment_pgsql; do
	check "$s wrote $NPOSTS" wait_for 10 eval "w=\$(counter_of $s written) && [ \"\$w\" -eq $NPOSTS ]"
done
check "the subscriber got them too" wait_for 5 eval '[ "$($PY "$CHECK" count "$T/got.jsonl")" -eq "$NPOSTS" ]'
sleep 1	# a late extra row or point would land now
psql -d "$DB" -qAt -F '|' -c "SELECT tweet_id, (extract(epoch FROM event_time) * 1000000)::bigint, user_name,
	compound_score, pos_score, neu_score, neg_score, latitude, longitude, rule_tags FROM twitter_tweets" \
	>"$T/pg.rows" || bad "psql: the twitter_tweets rows"
check "SQLite holds exactly what was published" $PY "$CHECK" sqlite "$T/state/nbpy.sqlite" "$T/got.jsonl"
check "PostgreSQL twitter_tweets holds exactly what was published" $PY "$CHECK" pgsql "$T/pg.rows" "$T/got.jsonl"
check "InfluxDB twitter.crypto holds exactly what was published" \
	$PY "$CHECK" influx "$NBPY_INFLUX_URL" "$DB" "$T/got.jsonl"
stop_nbpyd || bad "nbpyd exit status"
exit $((fails > 0))
