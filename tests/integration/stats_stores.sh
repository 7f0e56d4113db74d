#!/usr/bin/env bash
# stats_stores.sh - tick_stats in PostgreSQL and InfluxDB (the servers that
# scripts/test starts): a replayed capture of tickers through stats.rolling,
# recorded by sink.file and stored by sink.pgsql and sink.influxdb.  Each
# store holds every row, and an undefined statistic (a window too short, no
# volume) is NULL in PostgreSQL and a field left out in InfluxDB, as often as
# the recording has nil there.
set -uo pipefail

. "$NBPY_SRCDIR/tests/lib/itest.sh" stats_stores
BASE=$(port_base 67)
N=3000
DB=stats_stores_$$
CHECK=$S/tests/integration/stats_kind_check.py
itest_cleanup_extra() { dropdb --if-exists "$DB" >/dev/null 2>&1; }

echo "tick_stats in PostgreSQL and InfluxDB ($T)"
createdb "$DB" || { bad "createdb $DB"; exit 1; }
$PY "$CHECK" gen "$T/in.nbpy" "$T/in.npz" "$N" 3 || { bad "generating the ticks"; exit 1; }
cat >"$CONF" <<CONF
$(nbpyd_section)

[src]
kind        = replay
path        = $T/in.nbpy
speed       = 0
start_delay = 2s
bind        = tcp://127.0.0.1:$((BASE + 1))
topic       = kraken_tick
restart     = never

[stats]
kind      = stats.rolling
subscribe = src
bind      = tcp://127.0.0.1:$((BASE + 2))
window    = 20

[stats_file]
kind      = sink.file
subscribe = stats
path      = $T/stats.nbpy

[stats_pgsql]
kind           = sink.pgsql
subscribe      = stats
conninfo       = host=$NBPY_PG_HOST port=$NBPY_PG_PORT user=$NBPY_PG_USER dbname=$DB
flush_interval = 100ms

[stats_influx]
kind            = sink.influxdb
subscribe       = stats
url             = $NBPY_INFLUX_URL
db              = $DB
create_database = yes
flush_interval  = 100ms
CONF
start_nbpyd
wait_for 10 all_running src stats stats_file stats_pgsql stats_influx || bad "services running: $(ctl status)"
pg() { psql -At -d "$DB" -c "$1" 2>/dev/null; }
influx() {	# influx QUERY: the first row's values, space-separated
	curl -fsG "$NBPY_INFLUX_URL/query" --data-urlencode "db=$DB" --data-urlencode "q=$1" |
		$PY -c 'import json,sys; r=json.load(sys.stdin)["results"][0]; print(*r["series"][0]["values"][0][1:])' 2>/dev/null
}
wait_for 60 eval '[ "$(pg "SELECT count(*) FROM tick_stats")" = "$N" ]' ||
	bad "PostgreSQL: $(pg "SELECT count(*) FROM tick_stats") of $N rows within 60 s"
wait_for 30 eval '[ "$(influx "SELECT count(\"count\") FROM tick_stats")" = "$N" ]' ||
	bad "InfluxDB: $(influx "SELECT count(\"count\") FROM tick_stats") of $N points within 30 s"
stop_nbpyd || bad "nbpyd exit status"

# defined values per column in the recording (nil: undefined)
read -r rows vwaps stds < <($PY -c '
import sys
sys.path.insert(0, sys.argv[2])
from stats_kind_check import read_stats
r = read_stats(sys.argv[1])
print(len(r), sum(m[18] is not None for m in r), sum(m[11] is not None for m in r))' "$T/stats.nbpy" "$S/tests/integration")
check "the recording: $rows rows, $vwaps with a vwap, $stds with a mid_std" \
	eval '[ "$rows" = "$N" ] && [ "$vwaps" -lt "$N" ] && [ "$stds" -lt "$N" ]'
got=$(pg "SELECT count(*), count(vwap), count(mid_std) FROM tick_stats")
check "PostgreSQL: rows, vwap and mid_std not NULL: $got" test "$got" = "$rows|$vwaps|$stds"
got=$(pg "SELECT count(*) FROM tick_stats WHERE vwap = 'NaN' OR mid_std = 'NaN'")
check "PostgreSQL: no NaN stored for an undefined value ($got)" test "$got" = 0
got=$(influx 'SELECT count("count"), count(vwap), count(mid_std) FROM tick_stats')
check "InfluxDB: points, vwap and mid_std fields: $got" test "$got" = "$rows $vwaps $stds"
[ "$fails" = 0 ]
