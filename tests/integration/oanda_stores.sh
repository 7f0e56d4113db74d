#!/usr/bin/env bash
# oanda_stores.sh - the shipped OANDA stores (oanda_sqlite, oanda_tick_influx,
# oanda_tick_pgsql, taken from etc/nbpy.conf and pointed at the test servers)
# under nbpyd, behind oanda.pricing as oandav20_tick reading
# tests/fakes/fake_oanda.py: each store holds exactly the prices the fake
# served (instrument, time to the store's precision, bid, ask), each once,
# nothing else; the original's columns and fields, by name.
set -uo pipefail

. "$NBPY_SRCDIR/tests/lib/itest.sh" oanda_stores
. "$S/tests/lib/counters.sh"
. "$S/scripts/lib/servers.sh"
BASE=$(port_base 1414)
FAKE=http://127.0.0.1:$BASE
TOKEN=st0res-0anda-t0ken-1234
DB=oanda_stores_$$
itest_cleanup_extra() {
	dropdb --if-exists "$DB" >/dev/null 2>&1
	curl -fs -o /dev/null -XPOST "$NBPY_INFLUX_URL/query" --data-urlencode "q=DROP DATABASE $DB"
}
served() { curl -fs "$FAKE/_stats" | $PY -c "import json,sys; print(len(json.load(sys.stdin)['prices']))"; }

echo "OANDA stores: SQLite, InfluxDB, PostgreSQL ($T)"
createdb "$DB" || { bad "createdb $DB"; exit 1; }
# heartbeats every 0.2 s; the prices after 3 s, when the stores are subscribed
$PY "$S/tests/fakes/fake_oanda.py" "$BASE" "$TOKEN" 0.2 3 &
FAKE_PID=$!
wait_for 5 curl -fs -o /dev/null "$FAKE/_stats" || { bad "the fake OANDA did not start"; exit 1; }

# the three store sections as shipped, enabled, pointed at the test servers
stores=$(awk '/^\[/ { keep = ($0 ~ /^\[(oanda_sqlite|oanda_tick_influx|oanda_tick_pgsql)\]$/) } keep' \
	"$S/etc/nbpy.conf" |
	sed -e 's|^enabled .*|enabled   = yes|' \
	    -e "s|^url .*|url       = $NBPY_INFLUX_URL\ncreate_database = yes|" \
	    -e "s|^db .*|db        = $DB|" \
	    -e "s|^conninfo .*|conninfo  = host=$PGHOST port=$PGPORT dbname=$DB user=$PGUSER|")
for s in oanda_sqlite oanda_tick_influx oanda_tick_pgsql; do
	grep -q "^\[$s\]" <<<"$stores" || bad "etc/nbpy.conf has no [$s]"
done
grep -c '^subscribe = oandav20_tick$' <<<"$stores" | grep -qx 3 ||
	bad "the three stores do not all subscribe to oandav20_tick: $stores"
[ "$fails" = 0 ] || exit 1	# nothing to run
cat >"$CONF" <<CONF
$(nbpyd_section)

[oandav20_tick]
kind         = oanda.pricing
url          = $FAKE
account      = 101-004-1234567-001
instruments  = EUR_USD, USD_JPY
token        = $TOKEN
bind         = tcp://127.0.0.1:$((BASE + 1))

$stores
CONF

start_nbpyd
check "pricing and stores run under nbpyd" wait_for 10 all_running oandav20_tick oanda_sqlite oanda_tick_influx oanda_tick_pgsql
# the fake notes its scripted prices once they are all out
check "the fake served its prices" wait_for 10 eval 'n=$(served) && [ "$n" -gt 0 ]'
N=$(served)
check "oandav20_tick published the $N prices" wait_for 5 eval 'p=$(counter_of oandav20_tick prices) && [ "$p" -eq "$N" ]'
for s in oanda_sqlite oanda_tick_influx oanda_tick_pgsql; do
	check "$s wrote $N" wait_for 10 eval "w=\$(counter_of $s written) && [ \"\$w\" -eq $N ]"
done
sleep 1	# a late extra row or point would land now

# the original's columns, by name, with their types
cols=$(psql -d "$DB" -qAt -F ' ' -c "SELECT column_name, data_type FROM information_schema.columns
	WHERE table_name = 'oanda_tick' AND column_name IN ('event_time', 'instrument', 'bid', 'ask')
	ORDER BY column_name")
check "pgsql oanda_tick: event_time timestamptz (the original's timestmp), instrument text, bid and ask float" \
	test "$cols" = "ask double precision
bid double precision
event_time timestamp with time zone
instrument text"
src=$(psql -d "$DB" -qAt -c "SELECT string_agg(DISTINCT source, ',') FROM oanda_tick")
check "pgsql rows come from oandav20_tick" test "$src" = oandav20_tick
keys=$(curl -fsS -G "$NBPY_INFLUX_URL/query" --data-urlencode "db=$DB" \
	--data-urlencode "q=SHOW FIELD KEYS FROM tick; SHOW TAG KEYS FROM tick" |
	$PY -c 'import json,sys; r=json.load(sys.stdin)["results"]
print(" ".join(sorted(v[0] + ":" + (v[1] if len(v) > 1 else "tag") for x in r for s in x["series"] for v in s["values"]
                      if v[0] in ("instrument", "bid", "ask"))))')
check "influx measurement tick: tag instrument, float fields bid and ask (as the original)" \
	test "$keys" = "ask:float bid:float instrument:tag"

psql -d "$DB" -qAt -F '|' -c "SELECT instrument, (extract(epoch FROM event_time) * 1000000)::bigint, bid, ask
	FROM oanda_tick" >"$T/pg.rows" || bad "psql: the oanda_tick rows"
if $PY "$S/tests/integration/oanda_stores_check.py" "$FAKE" "$T/state/nbpy.sqlite" "$NBPY_INFLUX_URL" "$DB" \
	"$T/pg.rows" >"$T/check.out" 2>&1; then
	ok "every store holds exactly the served prices"
else
	bad "every store holds exactly the served prices"
fi
sed 's/^/       /' "$T/check.out"
stop_nbpyd || bad "nbpyd exit status"

# One topic per instrument (service oanda_tick) numbers each instrument
# apart: the fake's i-th EUR_USD and USD_JPY prices have the same time, so
# each pair has the same (source, seq, event_time).  `instrument` in the
# table's unique key keeps both rows; without it half would be "duplicates".
ACCT2=101-004-1234567-002
DB2=${DB}_topics
itest_cleanup_extra() {
	dropdb --if-exists "$DB" >/dev/null 2>&1
	dropdb --if-exists "$DB2" >/dev/null 2>&1
	curl -fs -o /dev/null -XPOST "$NBPY_INFLUX_URL/query" --data-urlencode "q=DROP DATABASE $DB"
}
createdb "$DB2" || bad "createdb $DB2"
cat >"$CONF" <<CONF
$(nbpyd_section)

[oanda_tick]
kind                 = oanda.pricing
url                  = $FAKE
account              = $ACCT2
instruments          = EUR_USD, USD_JPY
token                = $TOKEN
topic_per_instrument = yes
bind                 = tcp://127.0.0.1:$((BASE + 2))

[topics_pgsql]
kind      = sink.pgsql
connect   = tcp://127.0.0.1:$((BASE + 2))
topics    = EUR_USD, USD_JPY
conninfo  = host=$PGHOST port=$PGPORT dbname=$DB2 user=$PGUSER
CONF
served2() { curl -fs "$FAKE/_stats" | $PY -c "import json,sys
print(len(json.load(sys.stdin)['accounts']['$ACCT2']['prices']))"; }
start_nbpyd
check "oanda_tick and its store run" wait_for 10 all_running oanda_tick topics_pgsql
check "the fake served the second account's prices" wait_for 10 eval 'n=$(served2) && [ "$n" -gt 0 ]'
N2=$(served2)
check "topics_pgsql wrote all $N2, no duplicate" wait_for 10 eval \
	'w=$(counter_of topics_pgsql written) && [ "$w" -eq "$N2" ] && [ "$(counter_of topics_pgsql duplicates)" = 0 ]'
read -r rows pairs insts < <(psql -d "$DB2" -qAt -F ' ' -c "SELECT count(*), count(DISTINCT (seq, event_time)),
	count(DISTINCT instrument) FROM oanda_tick")
check "$N2 rows of 2 instruments sharing $((N2 / 2)) (seq, time) pairs: $rows rows, $pairs pairs, $insts instruments" \
	eval '[ "$rows" = "$N2" ] && [ "$pairs" = $((N2 / 2)) ] && [ "$insts" = 2 ]'
stop_nbpyd || bad "nbpyd exit status"
exit $((fails > 0))
