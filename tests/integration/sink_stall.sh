#!/usr/bin/env bash
# sink_stall.sh - a store that stalls longer than the watchdog interval does
# not stall the sink (issue 12): with watchdog = 3s, an InfluxDB that takes
# a write and does not answer for 5 s (tests/fakes/fake_lineproto.py "hang")
# and a PostgreSQL whose table another session holds locked for 6 s: the
# sinks are not killed (same pid, no restart, no watchdog in the history),
# `nbpyctl status` keeps answering with fresh counters (received grows while
# the store stalls), and afterwards every message is in each store exactly
# once.  Then SIGTERM while both stores stall again: each sink gives its
# store half its stop_timeout (4 s), spools the batch and exits 0 before
# nbpyd's SIGKILL.  Needs the PostgreSQL of scripts/lib/servers.sh.
set -uo pipefail

. "$NBPY_SRCDIR/tests/lib/itest.sh" sink_stall
. "$S/scripts/lib/servers.sh"
. "$S/tests/lib/counters.sh"
BASE=$(port_base 61)
N=150			# 1 ms apart in the capture, replayed at speed 0.01: 15 s of stream
DATA=$S/tests/integration/sink_data.py
FAKE=http://127.0.0.1:$((BASE + 1))
DB=sink_stall_$$
LP_PID=
LOCK_PID=
itest_cleanup_extra() {
	[ -n "$LP_PID" ] && kill "$LP_PID" 2>/dev/null
	[ -n "$LOCK_PID" ] && kill "$LOCK_PID" 2>/dev/null
	dropdb --if-exists "$DB" >/dev/null 2>&1
}

echo "sink stall: a store slower than the watchdog ($T)"
createdb "$DB" || { bad "createdb $DB"; exit 1; }
$PY "$DATA" gen "$T/ticks.cap" $N
$PY "$S/tests/fakes/fake_lineproto.py" $((BASE + 1)) 2>"$T/fake.log" &
LP_PID=$!
wait_for 5 curl -fs -o /dev/null "$FAKE/_requests" || { bad "fake write endpoint did not start"; exit 1; }
curl -fsS -o /dev/null "$FAKE/_mode?path=/api/v2/write&queue=hang" || { bad "fake: set hang"; exit 1; }
cat >"$CONF" <<CONF
$(nbpyd_section)

$(replay_section feed $T/ticks.cap 0.01 $BASE)

[influx]
kind           = sink.influxdb
subscribe      = feed
api            = v2
url            = $FAKE
org            = nbpy
bucket         = md
token          = T0K3N
precision      = ns
batch_size     = 10
flush_interval = 100ms
retry_backoff  = 100ms..200ms
watchdog       = 3s
stop_timeout   = 4s

[pg]
kind           = sink.pgsql
subscribe      = feed
conninfo       = host=$PGHOST port=$PGPORT dbname=$DB user=$PGUSER
batch_size     = 10
flush_interval = 100ms
retry_backoff  = 100ms..200ms
watchdog       = 3s
stop_timeout   = 4s
CONF

counter() {	# counter SVC NAME: a number, or a failure
	local st
	st=$(status_text "$1") || return 1
	[[ "$st" =~ $2\ ([0-9]+) ]] || return 1
	echo "${BASH_REMATCH[1]}"
}
pg_count() { psql -d "$DB" -qAt -c "SELECT count(*) FROM synthetic"; }

start_nbpyd
wait_for 10 all_running feed influx pg || bad "services running"
pid_influx=$(field influx pid) && pid_pg=$(field pg pid) || bad "pids"

# PostgreSQL: once the table holds rows, another session locks it for 6 s.
wait_for 10 eval '[ "$(pg_count 2>/dev/null)" -gt 0 ]' || bad "pg: no rows before the lock"
psql -d "$DB" -qAt -c "BEGIN; LOCK TABLE synthetic IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(6); COMMIT;" \
	>/dev/null 2>"$T/lock.log" &
LOCK_PID=$!
wait_for 5 eval '[ "$(psql -d "$DB" -qAt -c "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = '"'synthetic'"' AND l.mode = '"'AccessExclusiveLock'"' AND l.granted")" = 1 ]' ||
	bad "pg: the lock was not taken"
# Both stores stall now (the fake holds the first write for 5 s).  Past the
# watchdog interval, the counters must have moved on.
sleep 1
r1_influx=$(counter influx received) && r1_pg=$(counter pg received) || bad "status during the stall"
sleep 3.5
r2_influx=$(counter influx received) && r2_pg=$(counter pg received) || bad "status during the stall (later)"
check "influx: received grows while the store stalls (${r1_influx:-?} -> ${r2_influx:-?})" \
	[ "${r2_influx:-0}" -gt "${r1_influx:-0}" ]
check "pg: received grows while the table is locked (${r1_pg:-?} -> ${r2_pg:-?})" \
	[ "${r2_pg:-0}" -gt "${r1_pg:-0}" ]
check "pg: the lock still held then (the stall was real)" kill -0 "$LOCK_PID"
wait "$LOCK_PID" || bad "the locking session failed: $(cat "$T/lock.log")"
LOCK_PID=

# Afterwards: everything, once.
for svc in influx pg; do
	wait_for 20 counters_are $svc "written $N, spooled 0, dropped 0" ||
		bad "$svc: want written $N, have: $(status_text $svc || echo '(no status)')"
done
check "influx: the same worker all along (no watchdog kill)" [ "$(field influx pid)" = "$pid_influx" ]
check "pg: the same worker all along (no watchdog kill)" [ "$(field pg pid)" = "$pid_pg" ]
check "no restarts" eval '[ "$(field influx restarts)" = 0 ] && [ "$(field pg restarts)" = 0 ]'
hist=$(ctl --json history -n 1000) || bad "history"
check "no watchdog in the history" eval '[[ "$hist" != *watchdog* ]]'
check "pg: $N rows, each once" \
	[ "$(psql -d "$DB" -qAt -c "SELECT count(*) || ' ' || count(DISTINCT seq) FROM synthetic")" = "$N $N" ]
curl -fsS "$FAKE/_lines" >"$T/lines.json" || bad "fake: /_lines"
curl -fsS "$FAKE/_requests" >"$T/requests.json" || bad "fake: /_requests"
$PY "$DATA" lines $N >"$T/want.lines"
$PY - "$T/lines.json" "$T/want.lines" "$T/requests.json" <<'PY' && ok "influx: $N points, each once; the first write hung" || bad "influx points"
import json, sys
lines = json.load(open(sys.argv[1]))
want = open(sys.argv[2]).read().splitlines()
reqs = json.load(open(sys.argv[3]))
assert sorted(lines) == sorted(want), (len(lines), len(want))
assert reqs[0]["status"] == "hang", reqs[0]["status"]
PY

# SIGTERM during a stall: the write in flight is given up after 2 s and
# spooled, with what came meanwhile; the workers exit 0, not SIGKILLed.
curl -fsS -o /dev/null "$FAKE/_mode?path=/api/v2/write&queue=hang" || bad "fake: set hang again"
psql -d "$DB" -qAt -c "BEGIN; LOCK TABLE synthetic IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(8); COMMIT;" \
	>/dev/null 2>"$T/lock.log" &
LOCK_PID=$!
wait_for 5 eval '[ "$(psql -d "$DB" -qAt -c "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = '"'synthetic'"' AND l.mode = '"'AccessExclusiveLock'"' AND l.granted")" = 1 ]' ||
	bad "pg: the lock was not taken again"
ctl restart feed >/dev/null 2>&1 || bad "restart feed"
wait_for 10 eval '[ "$(counter influx received)" -gt $((N + 5)) ] && [ "$(counter pg received)" -gt $((N + 5)) ]' ||
	bad "the second stream did not arrive"
t0=$(date +%s%N)
ctl stop influx pg >/dev/null 2>&1 || bad "stop influx pg"
for svc in influx pg; do
	pid=pid_$svc
	wait_for 10 eval 'grep -q "$svc: exit pid ${!pid}: " "$T/nbpyd.log"' || bad "$svc did not exit"
	took=$((($(date +%s%N) - t0) / 1000000))
	check "$svc: SIGTERM during a stall exits 0 (after ${took} ms; stop_timeout 4 s)" \
		grep -q "$svc: exit pid ${!pid}: exited 0" "$T/nbpyd.log"
	check "$svc: ...having spooled the batch in flight" \
		grep -q "$svc: stopping: the store did not finish writing [0-9]* messages in time; spooled" "$T/nbpyd.log"
	spooled=$(grep -o "$svc: written $N, spooled [0-9]*, dropped 0" "$T/nbpyd.log" | grep -o "spooled [0-9]*")
	check "$svc: ...and what came meanwhile (${spooled:-no stop line})" [ "${spooled#spooled }" -gt 5 ]
done
wait "$LOCK_PID" || bad "the locking session failed: $(cat "$T/lock.log")"
LOCK_PID=
stop_nbpyd || bad "nbpyd exit status"
[ "$fails" = 0 ]
