#!/usr/bin/env bash
# oanda_transactions.sh - oanda.transactions (the shipped [oanda_orders] and
# [oanda_orders_sqlite], pointed at tests/fakes/fake_oanda.py) under nbpyd:
# a first run starts from the stream; every transaction published once, in
# id order, each field as the fake sent it, across SIGKILLs of the worker
# while the fake adds transactions (sinceid catch-up, stream duplicates
# skipped, held and published after it), a paged catch-up, sinceid failing
# (500, 429, not JSON) counted and retried; heartbeats published; a
# malformed line counted; a refused token counted and shown in the status;
# the token in no log line and no status; SQLite holding exactly what was
# published; and `nbpy-worker --once` listing the open trades.
set -uo pipefail

. "$NBPY_SRCDIR/tests/lib/itest.sh" oanda_transactions
. "$S/tests/lib/counters.sh"
BASE=$(port_base 2717)
FAKE=http://127.0.0.1:$BASE
TOKEN=txn-0anda-t0ken-9931
WRONG=wrong-txn-t0ken-1177
ACCOUNT=101-004-1234567-001
CUR=$T/state/cursors/oanda_orders/$ACCOUNT
CHECK=$S/tests/integration/oanda_transactions_check.py
itest_expect_exits oanda_orders	# killed by SIGKILL on purpose
COLLECT_PID=
itest_cleanup_extra() { [ -n "$COLLECT_PID" ] && kill "$COLLECT_PID" 2>/dev/null; }
txn() { curl -fs -o /dev/null "$FAKE/_txn/$1"; }
fake() {	# fake KEY: from the fake's /_txn/state (last: the last id of its log)
	curl -fs "$FAKE/_txn/state" | $PY -c "
import json, sys
s = json.load(sys.stdin)
print(s['log'][-1]['id'] if '$1' == 'last' else s['$1'])"
}
last_published() { $PY "$CHECK" ids "$T/got.jsonl" | awk '{ print $NF }'; }
caught_up() { grep -c 'oanda_orders: transactions: caught up at' "$T/nbpyd.log"; }
worker_pid() {	# the running worker's pid; fails while there is none (nbpyd says 0)
	local p
	state_is oanda_orders running && p=$(field oanda_orders pid) && [ "$p" -gt 0 ] && echo "$p"
}
kill_worker() {	# kill_worker [COMMAND...]: kill -9 the worker, run COMMAND while it is down,
	# wait for the one nbpyd starts
	local pid
	wait_for 10 eval 'pid=$(worker_pid)' || { echo "oanda_orders is not running" >&2; return 1; }
	kill -9 "$pid"
	[ $# -eq 0 ] || "$@"
	wait_for 10 eval 'p=$(worker_pid) && [ "$p" != "$pid" ]'
}

echo "oanda transactions ($T)"
$PY "$S/tests/fakes/fake_oanda.py" "$BASE" "$TOKEN" 0.2 &
FAKE_PID=$!
wait_for 5 curl -fs -o /dev/null "$FAKE/_txn/state" || { bad "the fake OANDA did not start"; exit 1; }
txn 'add?n=3'	# before the first run: the stream is the start, these are not published

# the shipped sections, pointed at the fake and at loopback ports
shipped=$(awk '/^\[/ { keep = ($0 ~ /^\[(oanda_orders|oanda_orders_sqlite)\]$/) } keep' "$S/etc/nbpy.conf")
grep -q '^\[oanda_orders\]' <<<"$shipped" && grep -q '^\[oanda_orders_sqlite\]' <<<"$shipped" ||
	bad "etc/nbpy.conf has no [oanda_orders] and [oanda_orders_sqlite]: $shipped"
grep -q '^token *= \${NBPY_OANDA_TOKEN}$' <<<"$shipped" || bad "the shipped token is not \${NBPY_OANDA_TOKEN}"
shipped=$(sed -e 's|^enabled .*|enabled   = yes|' -e "s|^account .*|account   = $ACCOUNT|" \
	-e "s|^kind *= oanda.transactions|&\nurl       = $FAKE\napi_url   = $FAKE\nidle_timeout = 2s\nstart_delay = 500ms\ncrash_loop_count = 50\nbind      = tcp://127.0.0.1:$((BASE + 1))|" \
	<<<"$shipped")
cat >"$CONF" <<CONF
$(nbpyd_section)
backoff   = 200ms..1s

$shipped

[oanda_orders_denied]
kind      = oanda.transactions
url       = $FAKE
api_url   = $FAKE
account   = $ACCOUNT
token     = $WRONG
bind      = tcp://127.0.0.1:$((BASE + 2))
CONF
export NBPY_OANDA_TOKEN=$TOKEN

$PY "$CHECK" collect "tcp://127.0.0.1:$((BASE + 1))" "$T/got.jsonl" &
COLLECT_PID=$!
start_nbpyd
check "workers run under nbpyd" wait_for 10 all_running oanda_orders oanda_orders_sqlite oanda_orders_denied

# a first run: from the stream; the first heartbeat's lastTransactionID is the cursor
check "first run: the first heartbeat sets the cursor to the fake's last id (1003)" \
	wait_for 10 eval '[ "$(cat "$CUR" 2>/dev/null)" = 1003 ]'
txn 'add?n=5'
check "the stream's transactions are published" wait_for 10 eval '[ "$(last_published)" = 1008 ]'
check "the cursor follows them (1008)" wait_for 5 eval '[ "$(cat "$CUR")" = 1008 ]'
check "what came before the first run is not published" eval '[ "$($PY "$CHECK" ids "$T/got.jsonl")" = "1004 1005 1006 1007 1008" ]'
txn malformed
check "malformed lines are counted as bad" wait_for 5 eval 'b=$(counter_of oanda_orders bad) && [ "$b" -eq 2 ]'
check "and logged, naming what is wrong" wait_for 5 eval "grep -q 'oanda_orders: transactions: bad line (no id, or not digits)' '$T/nbpyd.log' &&
	grep -q 'oanda_orders: transactions: bad line (units: not a decimal number)' '$T/nbpyd.log'"
check "heartbeats are counted" wait_for 5 eval 'h=$(counter_of oanda_orders heartbeats) && [ "$h" -ge 5 ]'

# SIGKILL while the fake adds transactions, one every 40 ms; sinceid answers
# after 0.4 s, so the stream brings some of them during every catch-up
txn 'config?delay=0.4'
txn 'start?n=250&pace=0.04'
check "killed while live, 4 added while down: restarted" kill_worker txn 'add?n=4'
sleep 0.6
check "killed during the catch-up: restarted" kill_worker
check "the catch-up ends" wait_for 10 eval '[ "$(caught_up)" -ge 1 ]'
check "killed while live again: restarted" kill_worker
check "the catch-up ends" wait_for 10 eval '[ "$(caught_up)" -ge 2 ]'
check "transactions the stream brought again during a catch-up are skipped, counted" \
	grep -q 'oanda_orders: transactions: caught up at [0-9]*, live ([1-9][0-9]* duplicates skipped' "$T/nbpyd.log"
check "the fake stops adding" wait_for 20 eval '[ "$(fake running)" = False ]'
check "every id arrives" wait_for 10 eval '[ "$(last_published)" = "$(fake last)" ]'

# a paged catch-up: sinceid gives at most 3; 10 added while down
txn 'config?page=3&delay=0'
before=$(fake since | grep -o 'sinceid' | wc -l)
check "killed, 10 added while down: restarted" kill_worker txn 'add?n=10'
check "the 10 missed are published" wait_for 10 eval '[ "$(last_published)" = "$(fake last)" ]'
check "through several sinceid pages" eval '[ $(($(fake since | grep -o sinceid | wc -l) - before)) -ge 4 ]'

# sinceid failing: 500, 429, a body that is not JSON; each counted and retried
txn 'config?page=0'
txn 'fail?code=500' && txn 'fail?code=429' && txn 'fail?code=json'
check "killed, 3 added while down: restarted" kill_worker txn 'add?n=3'
check "the catch-up gets through after 3 failures" wait_for 15 eval '[ "$(last_published)" = "$(fake last)" ]'
check "the failures are counted" wait_for 5 eval 'e=$(counter_of oanda_orders api_errors) && [ "$e" -eq 3 ]'
check "and logged" eval "grep -q 'oanda_orders: sinceid: HTTP 500' '$T/nbpyd.log' &&
	grep -q 'oanda_orders: sinceid: HTTP 429' '$T/nbpyd.log' &&
	grep -q 'oanda_orders: sinceid: not a sinceid answer' '$T/nbpyd.log'"

# all of it, against the fake's log, and in SQLite
rows() { $PY -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT count(*) FROM oanda_transactions').fetchone()[0])" "$T/state/nbpy.sqlite" 2>/dev/null; }
check "SQLite has every transaction" wait_for 10 eval '[ "$(rows)" = "$($PY "$CHECK" ids "$T/got.jsonl" | wc -w)" ]'
if $PY "$CHECK" check "$FAKE" "$T/got.jsonl" 1003 "$T/state/nbpy.sqlite" >"$T/check.out" 2>&1; then
	ok "published transactions and heartbeats match the fake, the store matches them"
else
	bad "published transactions and heartbeats match the fake, the store matches them"
fi
cat "$T/check.out"

# a refused token: counted, shown in the status, the worker keeps running
pid=$(field oanda_orders_denied pid) || bad "oanda_orders_denied's pid"
check "a refused token is counted" wait_for 5 eval 'e=$(counter_of oanda_orders_denied auth_errors) && [ "$e" -ge 1 ]'
check "and shown in the status" eval '[[ "$(field oanda_orders_denied status)" == *"token refused"* ]]'
check "oanda_orders_denied keeps running, same process" eval \
	'state_is oanda_orders_denied running && p=$(field oanda_orders_denied pid) && [ "$p" = "$pid" ]'

# the one-shot trades listing, as the original printed it; 503 trades: two pages
txn 'trades?n=503'
"$B/nbpy-worker" -c "$CONF" --once oanda_orders >"$T/trades.json" 2>"$T/trades.err"
rc=$?
check "--once oanda_orders exits 0" eval '[ $rc -eq 0 ]'
check "it prints every open trade, newest first, and lastTransactionID" $PY -c '
import json, sys, urllib.request
got = json.load(open(sys.argv[1]))
state = json.load(urllib.request.urlopen(sys.argv[2] + "/_txn/state"))
want = list(reversed(state["trades"]))
ok = len(want) == 503 and got["trades"] == want and got["lastTransactionID"] == state["log"][-1]["id"]
sys.exit(0 if ok else "got %d trades %s..., want %d %s..." % (len(got["trades"]), got["trades"][:1], len(want), want[:1]))' \
	"$T/trades.json" "$FAKE"
check "indented, as the original's json.dumps(indent)" grep -q '^  "trades": \[$' "$T/trades.json"
ln -s "$B/nbpy-worker" "$T/nbpy-pub-oanda-orders"
"$T/nbpy-pub-oanda-orders" -c "$CONF" --once >"$T/trades2.json" 2>&1
check "nbpy-pub-oanda-orders --once prints the same" cmp -s "$T/trades.json" "$T/trades2.json"
"$B/nbpy-worker" -c "$CONF" --once oanda_orders_denied >"$T/denied.out" 2>&1
rc=$?
check "--once with a refused token exits 1, saying why" eval \
	'[ $rc -eq 1 ] && grep -q "\[oanda_orders_denied\] trades: HTTP 401: Insufficient authorization" "$T/denied.out"'

# the token: in no log line, no status, no output
ctl --json status >"$T/status.json" 2>&1 || bad "nbpyctl status"
check "the token is in no log line" eval '! grep -qF -e "$TOKEN" -e "$WRONG" "$T/nbpyd.log"'
check "nor in the status, nor in --once's output" eval \
	'! grep -qF -e "$TOKEN" -e "$WRONG" "$T/status.json" "$T/trades.err" "$T/denied.out"'
exit $((fails > 0))
