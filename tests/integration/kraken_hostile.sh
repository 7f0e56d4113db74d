#!/usr/bin/env bash
# kraken_hostile.sh - the Kraken workers against a hostile endpoint: answers
# that carry 1,000 pairs never asked for, and entries with a price of 0, -1,
# "nan", "inf", NaN, Infinity or a negative volume (tests/fakes/fake_kraken.py,
# hostile_*).  What is published and what the SQLite sink stores must be
# exactly the pairs asked for, and each worker's `bad` counter must equal the
# number of bad entries the fake says it served to that endpoint.  And a
# trades cursor file that is not digits never reaches a request URL.
set -uo pipefail

. "$NBPY_SRCDIR/tests/lib/itest.sh" hostile
BASE=$(port_base 1717)
ROUNDS=8	# hostile answers per endpoint: each bad value of the fake once

echo "kraken hostile answers ($T)"
start_fake_kraken "$BASE"
cat >"$CONF" <<CONF
$(nbpyd_section)
backoff   = 100ms..1s

[tick]
kind     = kraken.ticker
url      = $FAKE
pairs    = XXBTZUSD, XETHZEUR
interval = 100ms
bind     = tcp://127.0.0.1:$((BASE + 1))

[depth]
kind     = kraken.depth
url      = $FAKE
pairs    = XXBTZUSD, XETHZUSD
count    = 3
interval = 100ms
bind     = tcp://127.0.0.1:$((BASE + 2))

[trades]
kind     = kraken.trades
url      = $FAKE
pairs    = XETHZUSD
interval = 100ms
bind     = tcp://127.0.0.1:$((BASE + 3))

[store]
kind           = sink.sqlite
subscribe      = tick, depth, trades
path           = $T/store.sqlite
flush_interval = 100ms
CONF
# a tampered trades cursor: it goes back into the request URL
mkdir -p "$T/state/cursors/trades"
echo '1&pair=EVIL 5' >"$T/state/cursors/trades/XETHZUSD"
start_nbpyd
check "workers become ready" wait_for 10 all_running tick depth trades store
first_since() { curl -fs "$FAKE/_stats" | $PY -c "import json,sys; print(json.load(sys.stdin)['since'][0])" 2>/dev/null; }
check "a cursor that is not digits is not sent: the first Trades request has no since" \
	wait_for 5 eval '[ "$(first_since)" = "['"'XETHZUSD'"', None]" ]'
check "and the cursor is reported" grep -q 'cursor .*/XETHZUSD unreadable' "$T/nbpyd.log"

# Subscribe first, then turn the fake hostile, and collect every instrument
# published until the fake has served all its hostile answers (and 1 s more).
check "only the pairs asked for are published during $ROUNDS hostile answers per endpoint" \
	$PY - "$FAKE" "$BASE" "$ROUNDS" <<'PY'
import io, json, sys, time, urllib.request, msgpack, zmq
fake, base, rounds = sys.argv[1], int(sys.argv[2]), sys.argv[3]
asked = {"tick": {"XXBTZUSD", "XETHZEUR"}, "depth": {"XXBTZUSD", "XETHZUSD"}, "trades": {"XETHZUSD"}}
# each publisher's schema, and the instrument's place in its MessagePack
# array (docs/wire-format.md); schema 0 is a sequence announcement, no data
schema = {"tick": 1, "depth": 2, "trades": 3}
where = {"tick": 6, "depth": 6, "trades": 6}
ctx = zmq.Context()
socks = {}
for i, name in enumerate(("tick", "depth", "trades")):
    s = ctx.socket(zmq.SUB); s.setsockopt(zmq.SUBSCRIBE, b""); s.connect(f"tcp://127.0.0.1:{base + 1 + i}")
    socks[name] = s
time.sleep(0.5)   # let the subscriptions reach the publishers
urllib.request.urlopen(f"{fake}/_mode?hostile_ticker={rounds}&hostile_depth={rounds}&hostile_trades={rounds}").read()
got = {k: set() for k in socks}
counts = {k: 0 for k in socks}
end, done_at = time.time() + 30, None
while time.time() < end and (done_at is None or time.time() < done_at + 1):
    for k, s in socks.items():
        while s.poll(0):
            for m in msgpack.Unpacker(io.BytesIO(s.recv_multipart()[1]), raw=False):
                if m[0] == 0:
                    continue
                got[k].add(m[where[k]] if m[0] == schema[k] else f"schema {m[0]}?"); counts[k] += 1
    if done_at is None:
        left = json.load(urllib.request.urlopen(f"{fake}/_stats"))["hostile_left"]
        if not any(left.values()):
            done_at = time.time()
    time.sleep(0.02)
for k in socks:
    print(f"       {k}: {counts[k]} messages, instruments {sorted(got[k])[:5]}{' ...' if len(got[k]) > 5 else ''}")
sys.exit(0 if done_at is not None and all(got[k] == asked[k] for k in socks) else 1)
PY

sent() { curl -fs "$FAKE/_stats" | $PY -c "import json,sys; print(json.load(sys.stdin)['bad_sent']['$1'])"; }
bad_of() { field "$1" status | sed -n 's/.*bad \([0-9]*\).*/\1/p'; }
for pair in tick:Ticker depth:Depth trades:Trades; do
	svc=${pair%%:*} endpoint=${pair#*:}
	want=$(sent "$endpoint")
	# (1000 unrequested pairs + 1 bad entry) per hostile answer
	check "$svc: the fake sent $ROUNDS x 1001 bad entries" [ "$want" = $((ROUNDS * 1001)) ]
	# STATUS is refreshed every second
	check "$svc: its bad counter is the number of bad entries sent ($want)" \
		wait_for 5 eval '[ "$(bad_of '"$svc"')" = "$want" ]'
done
check "the rejections are logged, naming the first" \
	grep -q 'Ticker: 1001 bad entries in the answer, skipped; the first: ' "$T/nbpyd.log"
check "every worker still runs" all_running tick depth trades store

check "SIGTERM stops everything cleanly (exit 0)" stop_nbpyd
check "the store holds exactly the pairs asked for" $PY - "$T/store.sqlite" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
asked = {"kraken_tick": {"XXBTZUSD", "XETHZEUR"}, "kraken_depth": {"XXBTZUSD", "XETHZUSD"},
         "kraken_trades": {"XETHZUSD"}}
ok = True
for table, want in asked.items():
    have = {r[0] for r in db.execute(f"SELECT DISTINCT instrument FROM {table}")}
    print(f"       {table}: {len(have)} instruments {sorted(have)[:5]}")
    ok = ok and have == want
sys.exit(0 if ok else 1)
PY

echo "kraken hostile: $fails failed"
[ $fails -eq 0 ]
