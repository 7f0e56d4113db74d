#!/usr/bin/env bash
# replay_complete.sh - a backfill arrives whole: a capture of 200,000 ticks
# replayed at speed 0 into sink.sqlite and sink.pgsql at once (the real
# PostgreSQL that scripts/test starts) is stored complete in both: every
# sequence number 1..N exactly once, no gap counted.  The queues are kept
# small so that the replay must wait for the slower store instead of dropping.
set -uo pipefail

. "$NBPY_SRCDIR/tests/lib/itest.sh" replay_complete
BASE=$(port_base 41)
N=200000
DB=replay_complete_$$
itest_cleanup_extra() { dropdb --if-exists "$DB" >/dev/null 2>&1; }

echo "replay: a capture of $N arrives whole at speed 0 ($T)"
createdb "$DB" || { bad "createdb $DB"; exit 1; }
$PY "$S/tests/integration/sink_data.py" gen "$T/ticks.cap" $N
cat >"$CONF" <<CONF
$(nbpyd_section)

$(replay_section feed $T/ticks.cap 0 $BASE)
sndhwm      = 1000

[pg]
kind      = sink.pgsql
subscribe = feed
conninfo  = host=$PGHOST port=$PGPORT dbname=$DB user=$PGUSER
rcvhwm    = 1000

[lite]
kind      = sink.sqlite
subscribe = feed
path      = $T/lite.sqlite
rcvhwm    = 1000
CONF

# count, distinct sequence numbers, their sum, lowest and highest
SUMMARY="SELECT count(*), count(DISTINCT seq), sum(seq), min(seq), max(seq) FROM synthetic"
pg_summary() { psql -d "$DB" -qAt -F ' ' -c "$SUMMARY" 2>/dev/null; }
lite_summary() {
	$PY -c "import sqlite3, sys; print(*sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone())" \
		"$T/lite.sqlite" "$SUMMARY" 2>/dev/null
}
want="$N $N $((N * (N + 1) / 2)) 1 $N"
stored() { [ "$(pg_summary | cut -d' ' -f1)" = $N ] && [ "$(lite_summary | cut -d' ' -f1)" = $N ]; }
gaps_of() { ctl status "$1" 2>/dev/null | grep -o 'gaps [0-9]*'; }

start_nbpyd
wait_for 10 all_running feed pg lite || bad "services running"
started=$SECONDS
wait_for 60 stored || bad "both stores hold $N rows within 60 s"
elapsed=$((SECONDS - started))
check "pg: every sequence number once ($(pg_summary); want $want)" [ "$(pg_summary)" = "$want" ]
check "sqlite: every sequence number once ($(lite_summary); want $want)" [ "$(lite_summary)" = "$want" ]
check "pg and sqlite count no gap ($(gaps_of pg), $(gaps_of lite))" \
	[ "$(gaps_of pg),$(gaps_of lite)" = "gaps 0,gaps 0" ]
# STATUS is refreshed every second: the stores can be full before it says so
wait_for 5 eval "ctl status feed 2>/dev/null | grep -q 'published $N,.*waits [1-9]'" &&
	ok "the replay published $N in about ${elapsed}s, waiting for the stores: $(ctl status feed | grep -o 'waits [0-9]*')" ||
	bad "replay status: $(ctl status feed 2>&1)"
stop_nbpyd || bad "nbpyd exit status"

itest_finish	# stops nbpyd, checks its exit status and every worker's exit
echo "replay complete: $fails failed"
[ $fails -eq 0 ]
