#!/usr/bin/python3
"""Subscribe to kraken_depth, kraken_EURUSD_depth and kraken_orders for a
while and check them against the fake Kraken's data.  Writes the trade ids
seen to IDS_FILE (one "pair id" per line) for the restart check.

    kraken_books_check.py FAKE_URL DEPTH_EP EURUSD_DEPTH_EP TRADES_EP SECONDS IDS_FILE
"""
import json
import sys
import time
import urllib.request

import msgpack
import zmq

fake, depth_ep, synth_ep, trades_ep, seconds, ids_file = sys.argv[1:7]
data = json.load(urllib.request.urlopen(fake + "/_data"))
ctx = zmq.Context()
socks = {}
for name, ep in (("depth", depth_ep), ("synth", synth_ep), ("trades", trades_ep)):
    s = ctx.socket(zmq.SUB)
    s.setsockopt(zmq.SUBSCRIBE, b"")
    s.connect(ep)
    socks[name] = s
poller = zmq.Poller()
for s in socks.values():
    poller.register(s, zmq.POLLIN)
got = {k: [] for k in socks}
deadline = time.time() + float(seconds)
while time.time() < deadline:
    for s, _ in poller.poll(100):
        name = next(k for k, v in socks.items() if v is s)
        topic, payload = s.recv_multipart()
        m = msgpack.unpackb(payload, raw=False)
        if m[0] != 0:  # 0: a sequence announcement
            got[name].append(m)

failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


# depth: [2, 1, svc, seq, event, delta, pair, bids, asks]; levels best first
books = got["depth"]
check(len(books) >= 4, f"kraken_depth: {len(books)} books")
bad = []
for m in books:
    want = data["book"][m[6]]
    w_bids = [[float(p), float(v), t * 1000000000] for p, v, t in want["bids"]]
    w_asks = [[float(p), float(v), t * 1000000000] for p, v, t in want["asks"]]
    if m[0] != 2 or m[7] != w_bids or m[8] != w_asks:
        bad.append(m[6])
check(not bad, f"kraken_depth: 3 levels a side, as served {bad[:1]}")

# synthetic from the top of the books
legs = {"XXBTZUSD": "XXBTZEUR", "XETHZUSD": "XETHZEUR"}
legs.update({v: k for k, v in list(legs.items())})
syn = got["synth"]
check(len(syn) >= 2, f"kraken_EURUSD_depth: {len(syn)} messages")
bad = []
for m in syn:
    inst1 = m[13]
    usd = inst1 if inst1.endswith("USD") else legs[inst1]
    eur = legs[usd]
    top = lambda p, side: float(data["book"][p][side][0][0])
    want = (round(top(usd, "bids") / top(eur, "asks"), 5), round(top(usd, "asks") / top(eur, "bids"), 5),
            round(top(inst1, "bids"), 5), round(float(data["book"][inst1]["bids"][0][1]), 5),
            round(top(inst1, "asks"), 5), round(float(data["book"][inst1]["asks"][0][1]), 5))
    if tuple(m[14:20]) != want or m[0] != 5 or len(m) != 20:
        bad.append((inst1, m[14:20], want))
check(not bad, f"kraken_EURUSD_depth: S4 t1 fields by hand {bad[:1]}")
check(all(syn[i][6:13] == syn[i - 1][13:20] for i in range(1, len(syn))),
      "kraken_EURUSD_depth: each t0 is the previous t1")

# trades: per pair, ids strictly increasing by one (no gap, no duplicate)
by_pair = {}
for m in got["trades"]:
    by_pair.setdefault(m[6], []).append(m[12])
check(len(by_pair) == 2, f"kraken_orders: trades of {sorted(by_pair)}")
ok = all(len(set(v)) == len(v) for v in by_pair.values())
check(ok, "kraken_orders: no duplicate trade")
# no gap: between the first and the last trade seen, every trade the fake
# made for that pair was published, in order
served = json.load(urllib.request.urlopen(fake + "/_data"))["trades"]
ok = True
for p, ids in by_pair.items():
    i = served[p].index(ids[0])
    ok = ok and served[p][i:i + len(ids)] == ids
check(ok, "kraken_orders: every trade, in order, no gap")
with open(ids_file, "a") as f:
    for p, ids in by_pair.items():
        for i in ids:
            f.write(f"{p} {i}\n")
sys.exit(1 if failures else 0)
