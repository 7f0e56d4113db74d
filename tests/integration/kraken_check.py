#!/usr/bin/python3
"""Subscribe to kraken_tick (MessagePack), kraken_EURUSD (MessagePack) and a
legacy ticker for a few seconds, then check every message against what the
fake Kraken served and against hand-computed synthetic quotes.

    kraken_check.py FAKE_URL TICK_EP EURUSD_EP LEGACY_EP SECONDS
"""
import json
import sys
import time
import urllib.request

import msgpack
import zmq

fake, tick_ep, eurusd_ep, legacy_ep, seconds = sys.argv[1:6]
data = json.load(urllib.request.urlopen(fake + "/_data"))["ticker"]
ctx = zmq.Context()
socks = {}
for name, ep in (("tick", tick_ep), ("eurusd", eurusd_ep), ("legacy", legacy_ep)):
    s = ctx.socket(zmq.SUB)
    s.setsockopt(zmq.SUBSCRIBE, b"")
    s.connect(ep)
    socks[name] = s
poller = zmq.Poller()
for s in socks.values():
    poller.register(s, zmq.POLLIN)

got = {"tick": [], "eurusd": [], "legacy": []}
deadline = time.time() + float(seconds)
while time.time() < deadline:
    for s, _ in poller.poll(100):
        name = next(k for k, v in socks.items() if v is s)
        got[name].append(s.recv_multipart())

failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


# --- kraken_tick: every field as the fake served it
def messages(frames, topic):
    """Every message of every frame: a frame may carry a batch, back to back."""
    out = []
    for t, p in frames:
        if t == topic:
            u = msgpack.Unpacker(raw=False)
            u.feed(p)
            out.extend(m for m in u if m[0] != 0)  # 0: a sequence announcement
    return out


ticks = messages(got["tick"], b"kraken_tick")
batched = sum(1 for t, p in got["tick"] if len(list(msgpack.Unpacker(__import__("io").BytesIO(p)))) > 1)
check(len(ticks) >= 8, f"kraken_tick: {len(ticks)} MessagePack messages")
check(batched > 0, f"kraken_tick: batch = 4 packs several per frame ({batched} batched frames)")
check(all(len(m) == 26 and m[0] == 1 and m[1] == 1 and m[2] == "kraken_tick" for m in ticks),
      "kraken_tick: schema 1, version 1, service name, 26 elements")
seqs = [m[3] for m in ticks]
check(seqs == list(range(seqs[0], seqs[0] + len(seqs))) if seqs else False,
      "kraken_tick: sequence numbers without a gap")
check(not any(m[6].endswith(".d") for m in ticks), "kraken_tick: dark-pool pairs skipped")
bad = []
for m in ticks:
    e = data[m[6]]
    want = [float(e["a"][0]), int(e["a"][1]), float(e["a"][2]), float(e["b"][0]), int(e["b"][1]),
            float(e["b"][2]), float(e["c"][0]), float(e["c"][1]), float(e["v"][0]), float(e["v"][1]),
            float(e["p"][0]), float(e["p"][1]), e["t"][0], e["t"][1], float(e["l"][0]),
            float(e["l"][1]), float(e["h"][0]), float(e["h"][1]), float(e["o"])]
    if m[7:] != want:
        bad.append((m[6], m[7:], want))
check(not bad, f"kraken_tick: all fields match the fake's data {bad[:1]}")

# --- kraken_EURUSD: the synthetic quote from the legs, by hand
legs = {"XXBTZUSD": "XXBTZEUR", "XETHZUSD": "XETHZEUR"}
legs.update({v: k for k, v in list(legs.items())})
syn = messages(got["eurusd"], b"kr_eurusd_tick")
check(len(syn) >= 4, f"kraken_EURUSD: {len(syn)} messages")
bad = []
for m in syn:
    inst1, bid1, ask1 = m[9], m[10], m[11]
    usd = inst1 if inst1.endswith("USD") else legs[inst1]
    eur = legs[usd]
    want_ask = round(float(data[usd]["a"][0]) / float(data[eur]["b"][0]), 5)
    want_bid = round(float(data[usd]["b"][0]) / float(data[eur]["a"][0]), 5)
    if (bid1, ask1) != (want_bid, want_ask) or not 1.0 <= bid1 <= 1.3:
        bad.append((inst1, bid1, ask1, want_bid, want_ask))
check(not bad, f"kraken_EURUSD: bid/ask = USD leg / EUR leg, rounded to 5 {bad[:1]}")
chain = all(syn[i][6:9] == syn[i - 1][9:12] for i in range(1, len(syn)))
check(chain, "kraken_EURUSD: each t0 is the previous t1")

# --- legacy: the original subscribers' parsing
frames = [f[0].decode() for f in got["legacy"] if len(f) == 1]
check(len(frames) >= 2 and len(frames) == len(got["legacy"]), f"legacy: {len(frames)} single frames")
ok = True
for f in frames:
    topic, payload = f.split(" ", 1)
    fields = payload.split("\x01")
    e = data[fields[0]]
    ok = ok and topic == "kraken_tick" and len(fields) == 20 and fields[1] == str(float(e["a"][0])) \
        and fields[13] == str(e["t"][0])
check(ok, "legacy: topic, 20 SOH fields, Python str(float) numbers")
sys.exit(1 if failures else 0)
