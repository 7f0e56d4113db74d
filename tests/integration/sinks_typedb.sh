#!/usr/bin/env bash
# sinks_typedb.sh - sink.typedb against the fake TypeDB 3.x HTTP API
# (tests/fakes/fake_typedb.py; no TypeDB server exists for Debian): sign-in,
# database creation, schema definition, one write transaction per batch with
# put stages, exact request sequence and bodies; a failed commit retried from
# the spool, an expired token renewed, a refused query dropped and counted,
# and a replay that stores nothing twice.
set -uo pipefail

. "$NBPY_SRCDIR/tests/lib/itest.sh" sinks_typedb
BASE=$(port_base 41)
DATA=$S/tests/integration/sink_data.py
N=300
TDB_PID=
itest_cleanup_extra() { [ -n "$TDB_PID" ] && kill "$TDB_PID" 2>/dev/null; }

echo "sinks: TypeDB ($T)"
$PY "$S/tests/fakes/fake_typedb.py" $((BASE + 1)) admin 's3cr"et' &
TDB_PID=$!
FAKE=http://127.0.0.1:$((BASE + 1))
wait_for 5 curl -fs -o /dev/null "$FAKE/_state" || { bad "fake TypeDB did not start"; exit 1; }
curl -fs -o /dev/null "$FAKE/_mode?route=commit&queue=503"
$PY "$DATA" gen "$T/ticks.cap" $N
export TYPEDB_PASSWORD='s3cr"et'
cat >"$CONF" <<CONF
$(nbpyd_section)

$(replay_section feed $T/ticks.cap 0 $BASE)

[kraken_EURUSD_tick_grakn]
kind           = sink.typedb
subscribe      = feed
url            = $FAKE
database       = md
password       = \${TYPEDB_PASSWORD}
batch_size     = 100
flush_interval = 10s
retry_backoff  = 100ms..200ms
CONF
status_of() { ctl status kraken_EURUSD_tick_grakn 2>/dev/null; }
stored() { curl -fsS "$FAKE/_state" | $PY -c "import json,sys; print(len(json.load(sys.stdin)['rows']))"; }

start_nbpyd
wait_for 10 all_running feed kraken_EURUSD_tick_grakn || bad "services running"
wait_for 15 eval '[ "$(stored)" = $N ]' || bad "the fake TypeDB holds $(stored) rows, not $N, after 15 s"
check "typedb: $N rows, after a failed commit was retried from the spool" [ "$(stored)" = $N ]
curl -fsS "$FAKE/_state" >"$T/state1.json"
$PY "$DATA" typeql $N >"$T/want.rows"
$PY - "$T/state1.json" "$T/want.rows" <<'PY' && ok "typedb: requests, define and rows exact" || bad "typedb requests"
import json, sys
st = json.load(open(sys.argv[1]))
want = open(sys.argv[2]).read().splitlines()
assert st["rows"] == want, (st["rows"][:1], want[:1])
reqs = st["requests"]
paths = [r["path"].split("/")[-1] if "/transactions/" in r["path"] and "open" not in r["path"]
         else r["path"] for r in reqs]
assert paths[:4] == ["/v1/signin", "/v1/databases/md", "/v1/databases/md", "/v1/query"], paths[:4]
assert reqs[0]["body"] == {"username": "admin", "password": 's3cr"et'}, reqs[0]
assert reqs[0]["auth"] is None
assert [r["method"] for r in reqs[1:3]] == ["GET", "POST"]
d = reqs[3]["body"]
assert d["transactionType"] == "schema" and d["commit"] is True and d["databaseName"] == "md", d
assert "entity synthetic, owns source, owns seq, owns event_time" in d["query"], d["query"]
assert "attribute event_time, value datetime;" in d["query"], d["query"]
assert "attribute kraken_eurusd_bid_5_t0, value double;" in d["query"], d["query"]
# then per batch: open, query, commit; the first commit failed (503) and was closed
assert paths[4:9] == ["/v1/transactions/open", "query", "commit", "close", "/v1/transactions/open"], paths[4:9]
assert paths[9:] == ["query", "commit"] + ["/v1/transactions/open", "query", "commit"] * 2, paths[9:]
for r in reqs[1:]:
    assert r["auth"] == "Bearer tok-1", r
    assert r["content_type"] == "application/json", r
q = reqs[5]["body"]["query"]
assert q.count("put $r") == 100 and q.startswith("put $r0 isa synthetic, has source"), q[:80]
PY

# An expired token is renewed; the same stream again stores nothing twice.
curl -fs -o /dev/null "$FAKE/_mode?expire=1"
ctl restart feed >/dev/null 2>&1 || bad "restart feed"
wait_for 15 sh -c "'$B/nbpyctl' -c '$CONF' status kraken_EURUSD_tick_grakn | grep -q 'written $((2 * N)),'" ||
	bad "replay not written: $(status_of)"
check "typedb: replay stored once ($(stored) rows)" [ "$(stored)" = $N ]
signins=$(curl -fsS "$FAKE/_state" | $PY -c "import json,sys; print(json.load(sys.stdin)['signins'])")
check "typedb: expired token renewed (sign-ins: $signins)" [ "$signins" = 2 ]

# A query the server refuses (400) drops that batch and counts it.
curl -fs -o /dev/null "$FAKE/_mode?route=query&queue=400"
ctl restart feed >/dev/null 2>&1 || bad "restart feed"
wait_for 15 sh -c "'$B/nbpyctl' -c '$CONF' status kraken_EURUSD_tick_grakn | grep -q 'written $((3 * N - 100)), spooled 0, dropped 100'" &&
	ok "typedb: 400 drops one batch and counts it ($(status_of | grep -o 'written.*'))" ||
	bad "typedb after a 400: $(status_of)"
grep -q 'store refused a batch of 100 messages (dropped): .*injected 400' "$T/nbpyd.log" &&
	ok "the server's message is logged" || bad "no log of the refusal"

stop_nbpyd || bad "nbpyd exit status"
[ "$fails" = 0 ]
