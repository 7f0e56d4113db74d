#!/usr/bin/env bash
# store_outcomes_sql.sh - docs/sinks.md's outcomes for SQL stores, provoked
# for real: PostgreSQL errors of classes 40 (serialization failure, deadlock),
# 53 (disk full, out of memory) and 58 (I/O error), raised by the server
# itself from a trigger on the sink's table for its first tries, are retried
# and lose nothing; class 57 from the operator (pg_cancel_backend, then
# pg_terminate_backend of the sink's connection in the middle of its COPY)
# likewise; a data error (class 22) drops the batch and counts it.  SQLite
# locked by another process, and SQLite files that refuse writes (chattr +i:
# write() fails with EPERM, an I/O error to SQLite): the sink retries and
# loses nothing.  New SQLite files another process writes to while the sink
# starts (SQLite refuses the switch to WAL at once, busy_timeout or not):
# within busy_timeout the sink waits it out, past it the sink runs all the
# same and writes once the lock is gone.
# The server counts the tries (a sequence, which a rollback does not undo),
# the sink its counters, the tables their rows.
set -uo pipefail

. "$NBPY_SRCDIR/tests/lib/itest.sh" store_outcomes_sql
. "$S/tests/lib/counters.sh"
. "$S/scripts/lib/servers.sh"
BASE=$(port_base 53)
N=300
DATA=$S/tests/integration/sink_data.py
CLASSES="c40 c53 c58 c57 c22"
# what the trigger does on the first tries of each database, in order
declare -A PROVOKE=([c40]="'40001','40P01'" [c53]="'53100','53200'" [c58]="'58030'"
	[c57]="'sleep','sleep'" [c22]="'22P02'")
LOCK_PIDS=()
itest_cleanup_extra() {
	chattr -i "$T"/lite_io.sqlite* 2>/dev/null
	[ ${#LOCK_PIDS[@]} -eq 0 ] || kill "${LOCK_PIDS[@]}" 2>/dev/null
	for c in $CLASSES; do dropdb --if-exists "${c}_$$" >/dev/null 2>&1; done
}
q() { psql -d "$1_$$" -qAt -v ON_ERROR_STOP=1 -c "$2"; }	# q CLASS SQL
rows_are() { [ "$(q "$1" "SELECT count(DISTINCT seq) || '/' || count(*) FROM synthetic")" = "$2" ]; }
sleeper() {	# sleeper CLASS: pid of the sink's backend sleeping in the trigger
	q "$1" "SELECT pid FROM pg_stat_activity WHERE datname = '$1_$$' AND wait_event = 'PgSleep'" |
		grep -x '[0-9][0-9]*'
}

echo "store outcomes: PostgreSQL classes 40, 53, 57, 58, 22; SQLite locked and unwritable ($T)"
for c in $CLASSES; do createdb "${c}_$$" || { bad "createdb ${c}_$$"; exit 1; }; done
# the warm-up's message differs from few.cap's first (its time): the same
# seq and time again would be a repeat, not passed on (docs/wire-format.md)
$PY "$DATA" gen "$T/one.cap" 1 1000
$PY "$DATA" gen "$T/few.cap" $N
cat >"$CONF" <<CONF
$(nbpyd_section)

$(replay_section few $T/one.cap 0 $BASE)
CONF
for c in $CLASSES; do
	printf '\n[%s]\nkind           = sink.pgsql\nsubscribe      = few\n' "$c"
	printf 'conninfo       = host=%s port=%s dbname=%s_%s user=%s\n' "$PGHOST" "$PGPORT" "$c" $$ "$PGUSER"
	printf 'batch_size     = %s\nflush_interval = 100ms\nretry_backoff  = 100ms..200ms\n' $N
done >>"$CONF"
# SQLite sinks, NAME:BUSY_TIMEOUT (empty: the default, 5s)
for f in lite:100ms lite_io: lite_start:100ms lite_wait:; do
	printf '\n[%s]\nkind           = sink.sqlite\nsubscribe      = few\npath           = %s/%s.sqlite\n' \
		"${f%%:*}" "$T" "${f%%:*}"
	[ -z "${f#*:}" ] || printf 'busy_timeout   = %s\n' "${f#*:}"
	printf 'batch_size     = %s\nflush_interval = 100ms\nretry_backoff  = 100ms..200ms\n' $N
done >>"$CONF"

# hold_write_lock NAME: another process's write transaction on NAME.sqlite
# (a new file is made in rollback mode) until the file NAME.release appears,
# at most 20 s
hold_write_lock() {
	$PY -c "
import os, sqlite3, sys, time
c = sqlite3.connect(sys.argv[1] + '.sqlite', isolation_level=None)
c.execute('CREATE TABLE IF NOT EXISTS other (x)')
c.execute('BEGIN IMMEDIATE')
c.execute('INSERT INTO other VALUES (1)')
open(sys.argv[1] + '.locked', 'w').close()
for _ in range(400):
    if os.path.exists(sys.argv[1] + '.release'):
        break
    time.sleep(0.05)
c.execute('COMMIT')
" "$T/$1" &
	LOCK_PIDS+=($!)
	wait_for 5 test -f "$T/$1.locked" || bad "$1: the lock was not taken"
}
holders_committed() {	# every holder exited 0
	local p r=0
	for p in "${LOCK_PIDS[@]}"; do wait "$p" || r=1; done
	LOCK_PIDS=()
	return $r
}
# lite_start's and lite_wait's files, not yet in WAL mode, locked from
# before nbpyd starts
hold_write_lock lite_start
hold_write_lock lite_wait

# One message first: the sinks create their tables, which then get the trigger.
start_nbpyd
# lite_start (busy_timeout 100ms) gives up waiting and runs
wait_for 10 grep -q 'lite_start: .*database is locked; trying again at the first write' "$T/nbpyd.log" &&
	ok "lite_start: locked at the start: logged, to be tried again" ||
	bad "lite_start: no lock at the start in the log: $(grep 'lite_start' "$T/nbpyd.log" | tail -3)"
wait_for 10 state_is lite_start running && ok "lite_start: running while the lock is held" ||
	bad "lite_start: not running: $(status_text lite_start; grep 'lite_start: exit' "$T/nbpyd.log")"
# lite_wait (busy_timeout 5s) waits: released once it has the file open
wait_for 10 eval 'p=$(field lite_wait pid) && ls -l /proc/$p/fd | grep -q "lite_wait.sqlite$"' &&
	ok "lite_wait: has the locked file open" || bad "lite_wait: never opened its file"
touch "$T/lite_start.release" "$T/lite_wait.release"
holders_committed && ok "lite_start, lite_wait: the other process committed" ||
	bad "lite_start, lite_wait: a lock holder failed"
for s in $CLASSES lite lite_io lite_start lite_wait; do
	wait_for 15 counters_are $s "written 1, spooled 0, dropped 0" || bad "$s: warm-up: $(status_text $s)"
done
for c in $CLASSES; do
	q $c "TRUNCATE synthetic; CREATE SEQUENCE tries;
CREATE FUNCTION provoke() RETURNS trigger LANGUAGE plpgsql AS \$\$
DECLARE n bigint := nextval('tries');
BEGIN
	IF n <= TG_NARGS THEN
		IF TG_ARGV[n - 1] = 'sleep' THEN
			PERFORM pg_sleep(20);
		ELSE
			RAISE EXCEPTION 'provoked by the test (try %)', n USING ERRCODE = TG_ARGV[n - 1];
		END IF;
	END IF;
	RETURN NULL;
END \$\$;
CREATE TRIGGER provoke BEFORE INSERT ON synthetic FOR EACH STATEMENT EXECUTE FUNCTION provoke(${PROVOKE[$c]});" ||
		bad "$c: trigger"
done
for f in lite lite_io; do
	$PY -c "import sqlite3; sqlite3.connect('$T/$f.sqlite').execute('DELETE FROM synthetic').connection.commit()" ||
		bad "$f: empty the table"
done
chattr +i "$T/lite_io.sqlite" "$T/lite_io.sqlite-wal" || bad "lite_io: chattr +i"
# Another process holds SQLite's write lock from before the batch until the
# sink has failed on it.
hold_write_lock lite

ctl stop few >/dev/null 2>&1 || bad "stop few"
sed -i "s|^path        = $T/one.cap\$|path        = $T/few.cap|" "$CONF"
ctl reload >/dev/null 2>&1 || bad "reload"
ctl start few >/dev/null 2>&1 || bad "start few"

# c57: the operator cancels the sink's COPY, then kills its backend.
for how in cancel terminate; do
	wait_for 15 sleeper c57 >/dev/null || { bad "c57: no sink backend in the trigger's sleep"; continue; }
	[ "$(q c57 "SELECT pg_${how}_backend($(sleeper c57))")" = t ] &&
		ok "c57: pg_${how}_backend of the sink's connection in its COPY" || bad "c57: pg_${how}_backend"
done

# written: the warm-up's message and the batch; the server saw each try
for want in "c40 3 301 0" "c53 3 301 0" "c58 2 301 0" "c57 3 301 0" "c22 1 1 $N"; do
	read -r c tries written dropped <<<"$want"
	wait_for 15 counters_are $c "written $written, spooled 0, dropped $dropped" &&
		ok "$c: written $written, spooled 0, dropped $dropped ($(status_text $c | grep -o 'errors [0-9]*'))" ||
		bad "$c: want written $written, spooled 0, dropped $dropped; have: $(status_text $c || echo '(no status)')"
	[ "$(q $c "SELECT last_value FROM tries")" = "$tries" ] && ok "$c: the server saw $tries tries" ||
		bad "$c: tries at the server: $(q $c "SELECT last_value FROM tries")"
	want_rows="$N/$N"
	[ "$dropped" = 0 ] || want_rows="0/0"
	rows_are $c "$want_rows" && ok "$c: $want_rows rows (distinct/all)" ||
		bad "$c: rows $(q $c "SELECT count(DISTINCT seq) || '/' || count(*) FROM synthetic")"
done
for c in c40 c53 c58; do	# the first failure of an outage is logged
	grep -q "$c: write failed: .*provoked by the test (try 1); spooling" "$T/nbpyd.log" &&
		ok "$c: the server's error logged, the batch spooled" || bad "$c: no failure in the log"
done
grep -q 'c22: store refused a batch of 300 messages (dropped): .*provoked by the test' "$T/nbpyd.log" &&
	ok "c22: the server's message logged with the refusal" || bad "c22: no refusal in the log"

lite_failed() { [[ "$(status_text lite)" =~ errors\ [1-9].*written\ 1,\ spooled\ $N, ]]; }
wait_for 15 lite_failed && ok "lite: locked: the batch waits in the spool ($(status_text lite | grep -o 'errors [0-9]*'))" ||
	bad "lite: no failed try while locked: $(status_text lite)"
touch "$T/lite.release"
holders_committed && ok "lite: the other process held the lock and committed" || bad "lite: the lock holder failed"
wait_for 15 counters_are lite "written 301, spooled 0, dropped 0, duplicates 0" &&
	ok "lite: written 301, spooled 0, dropped 0, duplicates 0" ||
	bad "lite: $(status_text lite || echo '(no status)')"
grep -q 'lite: write failed: .*locked' "$T/nbpyd.log" && ok "lite: 'database is locked' logged" ||
	bad "lite: no lock in the log"
[ "$(sqlite3 "$T/lite.sqlite" "SELECT count(DISTINCT seq) || '/' || count(*) FROM synthetic")" = "$N/$N" ] &&
	ok "lite: $N/$N rows" || bad "lite rows: $(sqlite3 "$T/lite.sqlite" "SELECT count(*) FROM synthetic")"

for f in lite_start lite_wait; do
	! grep -q "$f: exit pid" "$T/nbpyd.log" && ok "$f: never exited" || bad "$f: $(grep "$f: exit pid" "$T/nbpyd.log")"
	[ "$(sqlite3 "$T/$f.sqlite" 'PRAGMA journal_mode')" = wal ] && ok "$f: the file is in WAL mode" ||
		bad "$f: journal mode $(sqlite3 "$T/$f.sqlite" 'PRAGMA journal_mode')"
	wait_for 15 counters_are $f "written 301, spooled 0, dropped 0, duplicates 0" &&
		ok "$f: written 301, spooled 0, dropped 0, duplicates 0" ||
		bad "$f: $(status_text $f || echo '(no status)')"
done
! grep -q 'lite_wait: .*locked' "$T/nbpyd.log" && ok "lite_wait: waited the lock out, no failure logged" ||
	bad "lite_wait: $(grep 'lite_wait: .*locked' "$T/nbpyd.log" | head -2)"

io_failed() { [[ "$(status_text lite_io)" =~ errors\ [1-9].*written\ 1,\ spooled\ $N, ]]; }
wait_for 15 io_failed && ok "lite_io: writes refused: the batch waits in the spool ($(status_text lite_io | grep -o 'errors [0-9]*'))" ||
	bad "lite_io: no failed try: $(status_text lite_io)"
grep -q 'lite_io: write failed: .*I/O\|lite_io: write failed: .*disk' "$T/nbpyd.log" && ok "lite_io: the I/O error logged" ||
	bad "lite_io: no I/O error in the log: $(grep 'lite_io:' "$T/nbpyd.log" | tail -2)"
chattr -i "$T/lite_io.sqlite" "$T/lite_io.sqlite-wal" || bad "lite_io: chattr -i"
wait_for 15 counters_are lite_io "written 301, spooled 0, dropped 0, duplicates 0" &&
	ok "lite_io: written 301, spooled 0, dropped 0, duplicates 0" ||
	bad "lite_io: $(status_text lite_io || echo '(no status)')"
[ "$(sqlite3 "$T/lite_io.sqlite" "SELECT count(DISTINCT seq) || '/' || count(*) FROM synthetic")" = "$N/$N" ] &&
	ok "lite_io: $N/$N rows" || bad "lite_io rows: $(sqlite3 "$T/lite_io.sqlite" "SELECT count(*) FROM synthetic")"

stop_nbpyd || bad "nbpyd exit status"
[ "$fails" = 0 ]
