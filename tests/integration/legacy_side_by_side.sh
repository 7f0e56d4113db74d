#!/usr/bin/env bash
# legacy_side_by_side.sh - old and new side by side lose nothing: a legacy
# publisher written as the original pub_kraken_EURUSD.py is
# (tests/fakes/legacy_pub.py) sends N kr_eurusd_tick frames, and sink.sqlite,
# sink.pgsql (real PostgreSQL) and sink.influxdb (real InfluxDB) each store N
# distinct rows or points: seq 1..N per connection, the receive time (inside
# the test's wall-clock window, never 1970), source "ENDPOINT TOPIC", the
# values sent.  Legacy frames carry no service, sequence or time; without a
# header given on receipt the unique keys kept 1 row of 45.  Then a capture
# of the stream (sink.file) replayed twice into SQLite and PostgreSQL: the
# second time every message is counted as a duplicate, none as written.
# And nbpy's own kraken_tick with wire = legacy (against the fake Kraken)
# into sink.influxdb: one point per message received, none at 1970.
set -uo pipefail

. "$NBPY_SRCDIR/tests/lib/itest.sh" legacy_side_by_side
. "$S/scripts/lib/servers.sh"
BASE=$(port_base 43)
N=45
DB=legacy_$$
DB2=legacy_re_$$
EP=tcp://127.0.0.1:$BASE
SOURCE="$EP kr_eurusd_tick"
PUB_PID=
itest_cleanup_extra() {
	[ -n "$PUB_PID" ] && kill "$PUB_PID" 2>/dev/null
	dropdb --if-exists "$DB" >/dev/null 2>&1
	dropdb --if-exists "$DB2" >/dev/null 2>&1
	curl -fs -o /dev/null -XPOST "$NBPY_INFLUX_URL/query" --data-urlencode "q=DROP DATABASE $DB"
}
status_of() { ctl status "$1" 2>/dev/null; }
influx_q() {	# influx_q QUERY [COL]: column COL (default 1) of the answer's first row
	curl -fsS -G "$NBPY_INFLUX_URL/query" --data-urlencode "db=$DB" --data-urlencode "epoch=ns" \
		--data-urlencode "q=$1" |
		$PY -c "import json,sys; print(json.load(sys.stdin)['results'][0]['series'][0]['values'][0][${2:-1}])"
}
status_has() { status_of "$1" | grep -q -- "$2"; }
pg_dump_rows() {	# pg_dump_rows DB FILE
	psql -d "$1" -qAt -F '|' -c "SELECT source, seq, (extract(epoch FROM event_time) * 1000000)::bigint,
		(extract(epoch FROM recv_time) * 1000000)::bigint, instrument_t0, kraken_eurusd_bid_5_t0,
		kraken_eurusd_ask_5_t0, instrument_t1, kraken_eurusd_bid_5_t1, kraken_eurusd_ask_5_t1,
		spread, spread_t_bid, spread_t_ask FROM synthetic" >"$2"
}

echo "legacy side by side: the original's frames into SQLite, PostgreSQL, InfluxDB ($T)"
createdb "$DB" && createdb "$DB2" || { bad "createdb"; exit 1; }
start_fake_kraken $((BASE + 2))
cat >"$CONF" <<CONF
$(nbpyd_section)

# nbpy's own publisher in the side-by-side mode the README offers
[ktick]
kind     = kraken.ticker
url      = $FAKE
pairs    = all
interval = 200ms
wire     = legacy
bind     = tcp://127.0.0.1:$((BASE + 3))

[kinflux]
kind            = sink.influxdb
subscribe       = ktick
url             = $NBPY_INFLUX_URL
db              = $DB
create_database = yes
flush_interval  = 100ms

# Four readers of the one legacy publisher, as a migrating user sets them up.
[lite]
kind           = sink.sqlite
connect        = $EP
topics         = kr_eurusd_tick
path           = $T/lite.sqlite
flush_interval = 100ms

[pg]
kind           = sink.pgsql
connect        = $EP
topics         = kr_eurusd_tick
conninfo       = host=$PGHOST port=$PGPORT dbname=$DB user=$PGUSER
flush_interval = 100ms

[influx]
kind            = sink.influxdb
connect         = $EP
topics          = kr_eurusd_tick
url             = $NBPY_INFLUX_URL
db              = $DB
create_database = yes
flush_interval  = 100ms

[cap]
kind           = sink.file
connect        = $EP
topics         = kr_eurusd_tick
path           = $T/legacy.cap
fsync_interval = 100ms
CONF

T0=$(date +%s%N)
$PY "$S/tests/fakes/legacy_pub.py" "$EP" $N 4 "$T/sent" &
PUB_PID=$!
start_nbpyd
wait_for 10 all_running lite pg influx cap ktick kinflux || bad "services running"
wait_for 40 sh -c "! kill -0 $PUB_PID 2>/dev/null" || bad "the legacy publisher did not finish within 40 s"
wait "$PUB_PID" && ok "legacy publisher sent its $N frames" || bad "legacy publisher failed (exit $?)"
PUB_PID=
[ "$(wc -l <"$T/sent")" = $N ] || bad "the publisher logged $(wc -l <"$T/sent") frames, not $N"
for s in lite pg influx cap; do
	wait_for 10 status_has $s "received $N," || bad "$s did not receive $N: $(status_of $s)"
done
for s in lite pg influx; do
	wait_for 10 status_has $s "spooled 0, dropped 0" && wait_for 5 status_has $s "written $N," ||
		bad "$s did not write $N: $(status_of $s)"
done
T1=$(date +%s%N)

check "sqlite: $N rows, seq 1..$N, receive times, source '$SOURCE', values as sent" \
	$PY "$S/tests/integration/legacy_check.py" sqlite "$T/lite.sqlite" "$T/sent" "$SOURCE" "$T0" "$T1"
pg_dump_rows "$DB" "$T/pg.rows"
check "pg: $N rows, seq 1..$N, receive times, source '$SOURCE', values as sent" \
	$PY "$S/tests/integration/legacy_check.py" pg "$T/pg.rows" "$T/sent" "$SOURCE" "$T0" "$T1"
check "influx: $N distinct points at their receive times (none at 1970), values as sent" \
	$PY "$S/tests/integration/legacy_check.py" influx "$NBPY_INFLUX_URL" "$DB" "$T/sent" "$T0" "$T1"
for s in lite pg; do
	status_has $s "written $N, spooled 0, dropped 0, duplicates 0" &&
		ok "$s status: written $N, duplicates 0" || bad "$s status: $(status_of $s)"
done
status_has influx "written $N, spooled 0, dropped 0" && ! status_has influx duplicates &&
	ok "influx status: written $N, no duplicates counter (InfluxDB cannot tell)" ||
	bad "influx status: $(status_of influx)"

# nbpy's kraken_tick with wire = legacy: as many points as the sink received
# (what went out before the sink's subscription arrived is not on its socket).
ctl stop ktick >/dev/null 2>&1 || bad "stop ktick"
wait_for 5 grep -q 'ktick: stopping:' "$T/nbpyd.log" || bad "no stop line from ktick"
P=$(sed -n 's/.*ktick: stopping: .*published \([0-9]*\).*/\1/p' "$T/nbpyd.log")
received_of() { status_of "$1" | grep -o 'received [0-9]*' | cut -d' ' -f2; }
R=$(received_of kinflux)
for _ in $(seq 20); do	# until the frames in flight are in: unchanged for 1 s
	sleep 1
	r=$(received_of kinflux)
	[ "$r" = "$R" ] && break
	R=$r
done
if [ -n "$P" ] && [ -n "$R" ] && [ "$R" -gt 0 ] && [ "$R" -le "$P" ]; then
	wait_for 5 status_has kinflux "written $R, spooled 0" || bad "kinflux did not write $R: $(status_of kinflux)"
	T2=$(date +%s%N)
	n=$(influx_q "SELECT count(ask_price) FROM tick")
	first=$(influx_q "SELECT ask_price FROM tick ORDER BY time LIMIT 1" 0)
	last=$(influx_q "SELECT ask_price FROM tick ORDER BY time DESC LIMIT 1" 0)
	[ "$n" = "$R" ] && [ "$first" -ge "$T0" ] && [ "$last" -le "$T2" ] &&
		ok "kraken_tick (wire = legacy) into InfluxDB: $R messages received ($P published), $n points, none at 1970" ||
		bad "kraken_tick (wire = legacy): $R received, $n points, first at $first ns, last $last (window $T0..$T2)"
else
	bad "ktick published ${P:-?}, kinflux received ${R:-?}"
fi

# The capture keeps the header each frame got on receipt: replaying it
# twice stores each message once, and the second pass counts duplicates.
ctl stop cap >/dev/null 2>&1 || bad "stop cap"
cat >>"$CONF" <<CONF

$(replay_section again $T/legacy.cap 0 $((BASE + 1)))

[relite]
kind           = sink.sqlite
subscribe      = again
path           = $T/re.sqlite
flush_interval = 100ms

[repg]
kind           = sink.pgsql
subscribe      = again
conninfo       = host=$PGHOST port=$PGPORT dbname=$DB2 user=$PGUSER
flush_interval = 100ms
CONF
ctl reload >/dev/null 2>&1 || bad "reload with the replay"
for s in relite repg; do
	wait_for 15 status_has $s "written $N, spooled 0, dropped 0, duplicates 0" ||
		bad "$s after the first replay: $(status_of $s)"
done
ctl restart again >/dev/null 2>&1 || bad "restart the replay"
for s in relite repg; do
	wait_for 15 status_has $s "received $((2 * N))," &&
		wait_for 5 status_has $s "written $N, spooled 0, dropped 0, duplicates $N" &&
		ok "$s, the capture replayed twice: written $N, duplicates $N" ||
		bad "$s after the second replay: $(status_of $s)"
done
check "sqlite: the replayed capture stored once, seq 1..$N from '$SOURCE'" \
	$PY "$S/tests/integration/legacy_check.py" sqlite "$T/re.sqlite" "$T/sent" "$SOURCE" "$T0" "$T1"
pg_dump_rows "$DB2" "$T/repg.rows"
check "pg: the replayed capture stored once" \
	$PY "$S/tests/integration/legacy_check.py" pg "$T/repg.rows" "$T/sent" "$SOURCE" "$T0" "$T1"

stop_nbpyd || bad "nbpyd exit status"
grep -q "relite: written $N, spooled 0, dropped 0, duplicates $N" "$T/nbpyd.log" &&
	ok "the stop log line counts the duplicates" ||
	bad "stop log: $(grep 'relite: written' "$T/nbpyd.log")"
[ "$fails" = 0 ]
