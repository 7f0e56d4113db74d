#!/usr/bin/env bash
# sinks_sql.sh - sink.pgsql and sink.sqlite under nbpyd, against the real
# PostgreSQL that scripts/test starts: every row arrives with its values and
# times; PostgreSQL stopped for seconds mid-stream loses and duplicates
# nothing (the spool carries the outage); a sink worker killed mid-batch is
# restarted by nbpyd, and replaying the whole stream again stores nothing
# twice.
set -uo pipefail

. "$NBPY_SRCDIR/tests/lib/itest.sh" sinks_sql
. "$S/scripts/lib/servers.sh"
BASE=$(port_base 29)
N=6000
DB=sinks_sql_$$
itest_cleanup_extra() {
	servers_pg_ctl start >/dev/null 2>&1	# never leave the server down
	dropdb --if-exists "$DB" >/dev/null 2>&1
}
itest_expect_exits lite	# SIGKILLed on purpose

echo "sinks: PostgreSQL and SQLite ($T)"
createdb "$DB" || { bad "createdb $DB"; exit 1; }
$PY "$S/tests/integration/sink_data.py" gen "$T/ticks.cap" $N
cat >"$CONF" <<CONF
$(nbpyd_section)
backoff   = 200ms..1s

# $N ticks 1 ms apart: about 6 s of stream
$(replay_section feed $T/ticks.cap 1 $BASE)

[pg]
kind           = sink.pgsql
subscribe      = feed
conninfo       = host=$PGHOST port=$PGPORT dbname=$DB user=$PGUSER
batch_size     = 250
flush_interval = 100ms
retry_backoff  = 200ms..1s

[lite]
kind           = sink.sqlite
subscribe      = feed
path           = $T/lite.sqlite
batch_size     = 250
flush_interval = 100ms
CONF

pg_rows() {
	psql -d "$DB" -qAt -F '|' -c "SELECT seq, (extract(epoch FROM event_time) * 1000000)::bigint,
		instrument_t0, kraken_eurusd_bid_5_t0, kraken_eurusd_ask_5_t0, instrument_t1,
		kraken_eurusd_bid_5_t1, kraken_eurusd_ask_5_t1, spread, spread_t_bid, spread_t_ask
		FROM synthetic" >"$T/pg.rows"
}
lite_rows() {
	$PY - "$T/lite.sqlite" >"$T/lite.rows" <<'PY'
import datetime, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for r in db.execute("SELECT seq, event_time, instrument_t0, kraken_eurusd_bid_5_t0, "
                    "kraken_eurusd_ask_5_t0, instrument_t1, kraken_eurusd_bid_5_t1, "
                    "kraken_eurusd_ask_5_t1, spread, spread_t_bid, spread_t_ask FROM synthetic"):
    t = datetime.datetime.strptime(r[1], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc)
    us = int(t.timestamp()) * 1000000 + t.microsecond
    print("|".join(str(x) for x in (r[0], us) + r[2:]))
PY
}
# The row counts print a number only when the query worked: a failed read
# fails, saying why on stderr, and is never taken for 0 rows.
pg_count() { psql -d "$DB" -qAt -c "SELECT count(*) FROM synthetic"; }
lite_count() {	# mode=rw: a missing file is an error, not a new empty database
	$PY -c "import sqlite3,sys; print(sqlite3.connect('file:%s?mode=rw' % sys.argv[1], uri=True).execute('SELECT count(*) FROM synthetic').fetchone()[0])" \
		"$T/lite.sqlite"
}
count_is() { local n; n=$("$1") && [ "$n" = "$2" ]; }	# count_is pg_count|lite_count N
status_of() { ctl status "$1" 2>/dev/null; }

start_nbpyd
wait_for 10 all_running feed pg lite || bad "services running"

# Outage: PostgreSQL goes away 1 s into the stream for 3 s.
sleep 3
if servers_pg_ctl stop; then ok "PostgreSQL stopped mid-stream"; else bad "pg_ctl stop"; fi
wait_for 5 sh -c "'$B/nbpyctl' -c '$CONF' status pg | grep -q 'spooled [1-9]'" &&
	ok "pg spools during the outage: $(status_of pg | grep -o 'written.*')" ||
	bad "pg shows no spooled messages: $(status_of pg)"
sleep 2
# kill the SQLite sink mid-stream: nbpyd restarts it
lc_before=$(lite_count) && [ "$lc_before" -gt 0 ] && ok "sqlite was writing before the kill ($lc_before rows)" ||
	bad "sqlite had written nothing before the kill (${lc_before:-no count})"
LITE_PID=$(field lite pid) && kill -KILL "$LITE_PID" && ok "sink.sqlite killed (pid $LITE_PID)" ||
	bad "kill sink.sqlite (pid '$LITE_PID')"
sleep 1
if servers_pg_ctl start; then ok "PostgreSQL started again"; else bad "pg_ctl start"; fi
wait_for 15 count_is pg_count $N 2>/dev/null || bad "pg has $(pg_count) rows, not $N"
pg_rows
check "pg: all $N rows, values and times exact, none twice, after the outage" \
	$PY "$S/tests/integration/sink_data.py" check-lines $N "$T/pg.rows"
wait_for 5 sh -c "'$B/nbpyctl' -c '$CONF' status pg | grep -q 'spooled 0,'" &&
	ok "pg spool empty again" || bad "pg spool: $(status_of pg)"
wait_for 10 state_is lite running && ok "nbpyd restarted the killed sink.sqlite" || bad "lite not restarted"
[ "$(ctl history lite 2>/dev/null | grep -c 'signal 9\|SIGKILL\|killed')" -ge 1 ] &&
	ok "restart history records the kill" || bad "history: $(ctl history lite 2>&1 | tail -3)"
# it missed what was sent while it was dead, and wrote again once restarted
lc=$(lite_count) && [ "$lc" -lt $N ] && [ "$lc" -gt "$lc_before" ] &&
	ok "sqlite missed what was sent while it was dead ($lc of $N, $lc_before before the kill)" ||
	bad "sqlite has ${lc:-no count} rows of $N, $lc_before before the kill: a gap and rows after the restart expected"

# Replay everything once more: both stores end with each row exactly once.
ctl stop feed >/dev/null 2>&1 || bad "stop feed"
sed -i 's/^speed       = 1$/speed       = 0/' "$CONF"
ctl reload >/dev/null 2>&1 || bad "reload"
ctl start feed >/dev/null 2>&1 || bad "start feed"
wait_for 20 count_is lite_count $N 2>/dev/null || bad "sqlite has $(lite_count) rows, not $N"
sleep 1	# a late duplicate would land now
pg_rows
lite_rows
check "pg: replayed stream stored once ($(wc -l <"$T/pg.rows") rows)" \
	$PY "$S/tests/integration/sink_data.py" check-lines $N "$T/pg.rows"
check "sqlite: replayed stream fills the gap, stored once ($(wc -l <"$T/lite.rows") rows)" \
	$PY "$S/tests/integration/sink_data.py" check-lines $N "$T/lite.rows"

# SIGTERM flushes the in-memory batch: a long flush_interval, a few messages,
# then stop - they must be in the table.
cat >>"$CONF" <<CONF

$(replay_section few $T/few.cap 0 $((BASE + 1)))

[pg_slow]
kind           = sink.pgsql
subscribe      = few
conninfo       = host=$PGHOST port=$PGPORT dbname=$DB user=$PGUSER
batch_size     = 100000
flush_interval = 1h
CONF
psql -d "$DB" -qAt -c "TRUNCATE synthetic" || bad "truncate"
$PY "$S/tests/integration/sink_data.py" gen "$T/few.cap" 37
ctl reload >/dev/null 2>&1 || bad "reload with [few] and [pg_slow]"
wait_for 10 sh -c "'$B/nbpyctl' -c '$CONF' status pg_slow | grep -q 'received 37'" ||
	bad "pg_slow did not receive 37: $(status_of pg_slow)"
count_is pg_count 0 && ok "batch held in memory (flush_interval 1h)" || bad "rows before stop: $(pg_count)"
ctl stop pg_slow >/dev/null 2>&1 || bad "stop pg_slow"
count_is pg_count 37 && ok "SIGTERM wrote the held batch (37 rows)" || bad "after stop: $(pg_count) rows"

# SIGTERM while PostgreSQL is down: the held batch goes to the spool, and
# the next start writes it.
psql -d "$DB" -qAt -c "TRUNCATE synthetic" || bad "truncate"
ctl start pg_slow >/dev/null 2>&1 || bad "start pg_slow"
wait_for 10 state_is pg_slow running || bad "pg_slow not running"
ctl restart few >/dev/null 2>&1 || bad "restart few"
wait_for 10 sh -c "'$B/nbpyctl' -c '$CONF' status pg_slow | grep -q 'received 37'" ||
	bad "pg_slow did not receive 37: $(status_of pg_slow)"
servers_pg_ctl stop || bad "pg_ctl stop"
ctl stop pg_slow >/dev/null 2>&1 || bad "stop pg_slow with the store down"
grep -q 'pg_slow: written 0, spooled 37, dropped 0' "$T/nbpyd.log" &&
	ok "SIGTERM with the store down: 37 messages spooled" || bad "pg_slow stop: $(grep 'pg_slow: written' "$T/nbpyd.log")"
servers_pg_ctl start || bad "pg_ctl start"
ctl start pg_slow >/dev/null 2>&1 || bad "start pg_slow again"
wait_for 10 count_is pg_count 37 2>/dev/null &&
	ok "the next start wrote the spool (37 rows)" || bad "after restart: $(pg_count) rows"

# A table that does not match what the sink writes (seq made int4 by hand):
# PostgreSQL refuses the COPY, and the batch is dropped, counted and logged
# rather than retried for ever.
psql -d "$DB" -qAt -c "TRUNCATE synthetic; ALTER TABLE synthetic ALTER COLUMN seq TYPE integer" || bad "alter table"
ctl restart few >/dev/null 2>&1 || bad "restart few"
wait_for 10 sh -c "'$B/nbpyctl' -c '$CONF' status pg_slow | grep -q 'received 37'" ||
	bad "pg_slow did not receive 37: $(status_of pg_slow)"
ctl stop pg_slow >/dev/null 2>&1 || bad "stop pg_slow after the refused batch"
grep -q 'pg_slow: store refused a batch of 37 messages (dropped): .*binary' "$T/nbpyd.log" &&
	ok "a mismatched table: the batch is refused with PostgreSQL's reason" ||
	bad "no refusal logged: $(grep 'pg_slow' "$T/nbpyd.log" | tail -3)"
grep -q 'pg_slow: written 37, spooled 0, dropped 37' "$T/nbpyd.log" &&
	ok "...and counted as dropped (37; the 37 before were the spool)" || bad "pg_slow counters: $(grep 'pg_slow: written' "$T/nbpyd.log" | tail -1)"

stop_nbpyd || bad "nbpyd exit status"
[ "$fails" = 0 ]
