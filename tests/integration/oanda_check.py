#!/usr/bin/python3
"""Check what oanda.pricing published (collected by a subscriber) against what
the fake OANDA served to ACCOUNT: every served PRICE published once, in
order, with OANDA's time as the event time and every field of the best
bid/ask, closeout and tradeable; each on topic TOPIC, or (TOPIC "-") under
its instrument's name, numbered 1, 2, 3... per topic; and heartbeats on topic
oanda_heartbeat, numbered without a gap, whose times are the ones the fake
sent.

    oanda_check.py FAKE_URL ENDPOINT SECONDS SERVICE ACCOUNT N_PRICES TOPIC
"""
import calendar
import json
import sys
import time
import urllib.request

import msgpack
import zmq

fake, ep, seconds, service, account, n_prices, want_topic = sys.argv[1:8]
ctx = zmq.Context()
sub = ctx.socket(zmq.SUB)
sub.setsockopt(zmq.SUBSCRIBE, b"")
sub.connect(ep)
got = []
deadline = time.time() + float(seconds)
while time.time() < deadline:
    if sub.poll(100):
        topic, payload = sub.recv_multipart()
        u = msgpack.Unpacker(raw=False)
        u.feed(payload)
        got.extend((topic.decode(), m) for m in u if m[0] != 0)  # 0: a sequence announcement
served = json.load(urllib.request.urlopen(fake + "/_stats"))["accounts"].get(account, {})


def ns(t):
    """OANDA's RFC 3339 time with 9 decimals, in ns, by hand."""
    secs, frac = t.rstrip("Z").split(".")
    return calendar.timegm(time.strptime(secs, "%Y-%m-%dT%H:%M:%S")) * 10**9 + int(frac.ljust(9, "0"))


def fields(p):
    """The oanda_price message a served PRICE must become (less seq and lag)."""
    bid, ask = p["bids"][0], p["asks"][0]
    return [6, 1, service, ns(p["time"]), p["instrument"], float(bid["price"]), float(ask["price"]),
            bid["liquidity"], ask["liquidity"], float(p["closeoutBid"]), float(p["closeoutAsk"]),
            1 if p["tradeable"] else 0]


want = [fields(p) for p in served.get("prices", [])]
prices = [(t, m) for t, m in got if m[0] == 6]
beats = [(t, m) for t, m in got if m[0] == 7]
have = [[m[0], m[1], m[2], m[4]] + m[6:] for _, m in prices]
seqs = {}
for t, m in prices:
    seqs.setdefault(t, []).append(m[3])
beat_seqs = [m[3] for _, m in beats]
sent = {ns(t) for t in served.get("heartbeats", [])}
fails = 0
checks = [
    (len(want) == int(n_prices), f"the fake served {n_prices} prices ({len(want)})"),
    (all(t == (m[6] if want_topic == "-" else want_topic) for t, m in prices),
     "each on its instrument's topic" if want_topic == "-" else f"all on topic {want_topic}"),
    (have == want, f"published exactly what was served, every field, in order ({len(have)} messages)"),
    (all(s == list(range(1, len(s) + 1)) for s in seqs.values()),
     f"each topic numbered 1, 2, 3... ({', '.join(sorted(seqs))})"),
    (len(beats) >= 3 and all(t == "oanda_heartbeat" and m[2] == service and m[6] == "oanda" and m[4] in sent
                             for t, m in beats),
     f"heartbeats on topic oanda_heartbeat with the fake's times ({len(beats)})"),
    (beat_seqs == list(range(beat_seqs[0], beat_seqs[0] + len(beats))) if beats else False,
     "heartbeats numbered without a gap")]
for ok, what in checks:
    print(("  ok   " if ok else "  FAIL ") + what)
    fails += not ok
if have != want:
    print("    have", have[:2], "\n    want", want[:2])
if not all(s == list(range(1, len(s) + 1)) for s in seqs.values()):
    print("    seqs", {t: s[:8] for t, s in seqs.items()}, "heartbeats", beat_seqs[:8])
sys.exit(1 if fails else 0)
