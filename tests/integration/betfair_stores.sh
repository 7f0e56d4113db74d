#!/usr/bin/env bash
# betfair_stores.sh - the shipped Betfair stores (betfair_sqlite,
# betfair_influx, betfair_pgsql, taken from etc/nbpy.conf and pointed at the
# test servers) under nbpyd, behind betfair.stream reading
# tests/fakes/betfair_stream.py: each store holds exactly the runner messages
# of a cache rebuilt independently from what the fake sent
# (betfair_check.py --servers).  Needs PostgreSQL and InfluxDB
# (scripts/lib/servers.sh; ./scripts/test starts them).
set -uo pipefail

. "$NBPY_SRCDIR/tests/lib/itest.sh" betfair_stores
. "$S/tests/lib/counters.sh"
. "$S/scripts/lib/servers.sh"
BASE=$(port_base 1717)
SESSION=st0res-bf-s3ss10n-77
DB=betfair_stores_$$
FAKE_PID=
itest_cleanup_extra() {
	[ -n "$FAKE_PID" ] && kill "$FAKE_PID" 2>/dev/null
	dropdb --if-exists "$DB" >/dev/null 2>&1
	curl -fs -o /dev/null -XPOST "$NBPY_INFLUX_URL/query" --data-urlencode "q=DROP DATABASE $DB"
}

echo "Betfair stores: SQLite, InfluxDB, PostgreSQL ($T)"
createdb "$DB" || { bad "createdb $DB"; exit 1; }
if ! openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" -out "$T/cert.pem" -days 1 \
	-subj /CN=localhost -addext subjectAltName=IP:127.0.0.1,DNS:localhost >/dev/null 2>&1; then
	bad "openssl could not make a test certificate"
	exit 1
fi
$PY "$S/tests/fakes/betfair_stream.py" "$BASE" "$T/cert.pem" "$T/key.pem" "$T/fake.log" "$SESSION" &
FAKE_PID=$!
wait_for 5 grep -q listening "$T/fake.log" 2>/dev/null || { bad "the fake Betfair did not start"; exit 1; }

stores=$(awk '/^\[/ { keep = ($0 ~ /^\[(betfair_sqlite|betfair_influx|betfair_pgsql)\]$/) } keep' \
	"$S/etc/nbpy.conf" |
	sed -e 's|^enabled .*|enabled   = yes|' \
	    -e "s|^url .*|url       = $NBPY_INFLUX_URL\ncreate_database = yes|" \
	    -e "s|^db .*|db        = $DB|" \
	    -e "s|^conninfo .*|conninfo  = host=$PGHOST port=$PGPORT dbname=$DB user=$PGUSER|")
for s in betfair_sqlite betfair_influx betfair_pgsql; do
	grep -q "^\[$s\]" <<<"$stores" || bad "etc/nbpy.conf has no [$s]"
done
[ "$(grep -c '^subscribe = betfair_stream$' <<<"$stores")" = 3 ] ||
	bad "the three stores do not all subscribe to betfair_stream: $stores"
[ "$fails" = 0 ] || exit 1	# nothing to run
cat >"$CONF" <<CONF
$(nbpyd_section)

[betfair_stream]
kind           = betfair.stream
host           = 127.0.0.1
port           = $BASE
ca_file        = $T/cert.pem
app_key        = app-stores
session_token  = $SESSION
market_ids     = 1.100, 1.200
heartbeat_ms   = 1000
bind           = tcp://127.0.0.1:$((BASE + 1))

$stores
CONF

start_nbpyd
check "the stream and the stores run under nbpyd" wait_for 10 all_running betfair_stream betfair_sqlite \
	betfair_influx betfair_pgsql
check "the fake played both scripts (a disconnect and a resume between)" wait_for 20 \
	grep -q '"ev": "done", "key": "app-stores"' "$T/fake.log"
check "betfair_stream published them" wait_for 5 eval 'n=$(counter_of betfair_stream runners) && [ "$n" -gt 0 ]'
# the stream may still be applying the fake's last lines: each store catches
# up with the stream's count read at the same time (the independent check
# below says whether that count is the right one)
for s in betfair_sqlite betfair_influx betfair_pgsql; do
	check "$s wrote what betfair_stream published" wait_for 10 \
		eval "n=\$(counter_of betfair_stream runners) && w=\$(counter_of $s written) && [ \"\$w\" -eq \"\$n\" ]"
done
sleep 1	# a late extra row or point would land now
psql -d "$DB" -qAt -F '|' -c "SELECT market_id, (extract(epoch FROM event_time) * 1000)::bigint, selection_id,
	handicap, market_status, in_play, back_price_0, back_size_0, back_price_1, back_size_1, back_price_2,
	back_size_2, lay_price_0, lay_size_0, lay_price_1, lay_size_1, lay_price_2, lay_size_2, traded_volume,
	last_traded_price FROM betfair_market ORDER BY seq" >"$T/pg.rows" || bad "psql: the betfair_market rows"
if $PY "$S/tests/integration/betfair_check.py" --servers "$T/fake.log" "$T/state/nbpy.sqlite" "$T/pg.rows" \
	"$NBPY_INFLUX_URL" "$DB" app-stores=betfair_stream >"$T/check.out" 2>&1; then
	ok "every store holds exactly the independent cache's runner messages"
else
	bad "every store holds exactly the independent cache's runner messages"
fi
sed 's/^/       /' "$T/check.out"
stop_nbpyd || bad "nbpyd exit status"
echo "betfair stores: $fails failed"
[ "$fails" -eq 0 ]
