#!/usr/bin/env bash
# bench/sinks.sh - rows and points per second into PostgreSQL and InfluxDB,
# side by side with each server's own bulk path on the same data (psql \copy
# of the same rows; one curl POST of the same line protocol), and the sink's
# memory during an outage.  Starts throwaway servers (scripts/lib/servers.sh,
# as scripts/test does).  Prints a table.  Not a test.
#
#   bench/sinks.sh BUILD_DIR [N_PG] [N_INFLUX]
set -euo pipefail
B=$(cd "${1:?usage: bench/sinks.sh BUILD_DIR [N_PG] [N_INFLUX]}" && pwd)
NPG=${2:-200000}
NIN=${3:-60000}	# InfluxDB refuses bodies over 25 MB: 60k points is ~20 MB for curl
S=$(cd "$(dirname "$0")/.." && pwd)
PY=/usr/bin/python3
DATA=$S/tests/integration/sink_data.py
T=$(mktemp -d /tmp/nbpy-bench-sinks.XXXXXX)
PORT=$((29000 + $$ % 3000))	# below the ephemeral range, clear of the test servers
export NBPY_SERVERS_DIR=$T/servers NBPY_PG_PORT=$((PORT + 1)) NBPY_INFLUX_PORT=$((PORT + 2))
chmod 755 "$T"	# the postgres user must reach its data directory
mkdir -p "$NBPY_SERVERS_DIR"
# shellcheck source=scripts/lib/servers.sh
. "$S/scripts/lib/servers.sh"
WP=
cleanup() {
	[ -n "$WP" ] && kill "$WP" 2>/dev/null
	servers_stop_all >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT
servers_start_postgres >/dev/null
servers_start_influxdb >/dev/null

now() { date +%s.%N; }
calc() { awk "BEGIN { print $* }"; }
pg_count() { psql -qAt -c "SELECT count(*) FROM synthetic" 2>/dev/null || echo 0; }
influx_count() {
	curl -fsS -G "$NBPY_INFLUX_URL/query" --data-urlencode "db=$1" \
		--data-urlencode "q=SELECT count(spread) FROM synthetic" |
		$PY -c "import json,sys; r=json.load(sys.stdin)['results'][0]; print(r['series'][0]['values'][0][1] if 'series' in r else 0)"
}
# sink SERVICE N COUNT_CMD...: replay N messages into SERVICE as fast as they
# come; prints the rate from the first stored row to the last
sink_rate() {
	local svc=$1 n=$2 c t0 t1 c0 deadline
	shift 2
	"$B/nbpy-worker" -c "$T/nbpy.conf" "$svc" 2>>"$T/worker.log" &
	WP=$!
	sleep 0.5
	"$B/nbpy-worker" -c "$T/nbpy.conf" player 2>>"$T/worker.log" &
	local pp=$!
	deadline=$((SECONDS + 300))
	until [ "$("$@")" -gt 0 ]; do sleep 0.02; done
	t0=$(now)
	c0=$("$@")
	until c=$("$@"); [ "$c" -ge "$n" ] || [ $SECONDS -ge $deadline ]; do sleep 0.05; done
	t1=$(now)
	kill -TERM $pp $WP
	wait $pp $WP 2>/dev/null || true
	WP=
	echo "$c $(calc "($c - $c0) / ($t1 - $t0)")"
}

$PY "$DATA" gen "$T/pg.cap" "$NPG"
$PY "$DATA" gen "$T/in.cap" "$NIN"
$PY "$DATA" lines "$NIN" >"$T/in.lp"
conf() {	# conf CAPTURE SPEED SINK-SECTION...
	{
		printf '[nbpyd]\nstate_dir = %s/state\n' "$T"
		printf '[player]\nkind = replay\npath = %s\nspeed = %s\nstart_delay = 1s\n' "$1" "$2"
		printf 'bind = tcp://127.0.0.1:%s\ntopic = kr_eurusd_tick\nsndhwm = 2000000\n' "$PORT"
		shift 2
		printf '%s\n' "$@"
	} >"$T/nbpy.conf"
}
# ---- PostgreSQL: sink.pgsql vs psql \copy of the same rows ----
conf "$T/pg.cap" 0 "[pg]" "kind = sink.pgsql" "connect = tcp://127.0.0.1:$PORT" "rcvhwm = 10000000" \
	"conninfo = host=$PGHOST port=$PGPORT dbname=$PGDATABASE user=$PGUSER" "batch_size = 5000"
read -r pgn pgrate < <(sink_rate pg "$NPG" pg_count)
psql -qAt -c "\\copy synthetic TO '$T/rows.tsv'"
psql -qAt -c "TRUNCATE synthetic"
t0=$(now)
psql -qAt -c "\\copy synthetic FROM '$T/rows.tsv'"
t1=$(now)
copyn=$(pg_count)
copyrate=$(calc "$copyn / ($t1 - $t0)")

# ---- InfluxDB: sink.influxdb vs one curl POST of the same points ----
curl -fsS -o /dev/null -XPOST "$NBPY_INFLUX_URL/query" --data-urlencode "q=CREATE DATABASE bench_sink"
curl -fsS -o /dev/null -XPOST "$NBPY_INFLUX_URL/query" --data-urlencode "q=CREATE DATABASE bench_curl"
conf "$T/in.cap" 0 "[influx]" "kind = sink.influxdb" "connect = tcp://127.0.0.1:$PORT" "rcvhwm = 10000000" \
	"url = $NBPY_INFLUX_URL" "db = bench_sink" "batch_size = 5000"
read -r inn inrate < <(sink_rate influx "$NIN" influx_count bench_sink)
t0=$(now)
code=$(curl -sS -o /dev/null -w '%{http_code}' -XPOST "$NBPY_INFLUX_URL/write?db=bench_curl&precision=ns" \
	--data-binary @"$T/in.lp")
t1=$(now)
[ "$code" = 204 ] || { echo "curl POST answered $code" >&2; exit 1; }
curln=$(influx_count bench_curl)
curlrate=$(calc "$curln / ($t1 - $t0)")

# ---- memory during an outage: the store is a closed port ----
# 20,000 messages/s (the capture's 1 ms steps at speed 20), so what is
# measured is the sink, not a ZeroMQ queue filling faster than a disk.
outage() {	# outage N: peak RSS (KiB) and spool size after N messages
	local cap=$T/out$1.cap hwm
	$PY "$DATA" gen "$cap" "$1"
	rm -rf "$T/state/spool"
	conf "$cap" 20 "[down]" "kind = sink.influxdb" "connect = tcp://127.0.0.1:$PORT" "rcvhwm = 10000000" \
		"url = http://127.0.0.1:$((PORT + 9))" "batch_size = 5000" "retry_backoff = 10s..10s"
	"$B/nbpy-worker" -c "$T/nbpy.conf" down 2>>"$T/worker.log" &
	WP=$!
	sleep 0.5
	"$B/nbpy-worker" -c "$T/nbpy.conf" player 2>>"$T/worker.log" &
	local pp=$!
	sleep $((2 + $1 / 20000))
	hwm=$(awk '/VmHWM/ { print $2 }' "/proc/$WP/status")
	kill -TERM $pp $WP
	wait $pp $WP 2>/dev/null || true
	WP=
	echo "$hwm $(du -sk "$T/state/spool/down" | cut -f1)"
}
read -r hwm1 sp1 < <(outage 20000)
read -r hwm2 sp2 < <(outage 200000)

printf 'bench/sinks.sh: EURUSD ticks (synthetic table / measurement), loopback, one run each\n\n'
printf '%-44s %10s %12s %8s\n' "path" "rows" "rows/s" "ratio"
printf '%-44s %10d %12.0f %8.2f\n' "sink.pgsql (COPY per batch of 5000)" "$pgn" "$pgrate" \
	"$(calc "$pgrate / $copyrate")"
printf '%-44s %10d %12.0f %8.2f\n' "psql \\copy of the same rows" "$copyn" "$copyrate" 1
printf '%-44s %10d %12.0f %8.2f\n' "sink.influxdb (POST per batch of 5000)" "$inn" "$inrate" \
	"$(calc "$inrate / $curlrate")"
printf '%-44s %10d %12.0f %8.2f\n' "curl: one POST of the same line protocol" "$curln" "$curlrate" 1
printf '\nsink.influxdb with its store down (spooling):\n'
printf '%-44s %10s %12s\n' "messages during the outage" "peak RSS" "spool"
printf '%-44s %7d KiB %8d KiB\n' "20000" "$hwm1" "$sp1"
printf '%-44s %7d KiB %8d KiB\n' "200000" "$hwm2" "$sp2"
