#!/usr/bin/python3
"""Check what oanda.pricing published (collected by a subscriber) against what
the fake OANDA served: every served PRICE published once, with OANDA's time
as the event time and the first bid/ask as bid/ask, nothing else published.

    oanda_check.py FAKE_URL ENDPOINT SECONDS
"""
import calendar
import json
import sys
import time
import urllib.request

import msgpack
import zmq

fake, ep, seconds = sys.argv[1:4]
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
        got.extend((topic, m) for m in u if m[0] != 0)  # 0: a sequence announcement
served = json.load(urllib.request.urlopen(fake + "/_stats"))


def ns(t):
    """OANDA's RFC 3339 time with 9 decimals, in ns, by hand."""
    secs, frac = t.rstrip("Z").split(".")
    return calendar.timegm(time.strptime(secs, "%Y-%m-%dT%H:%M:%S")) * 10**9 + int(frac.ljust(9, "0"))


want = [[6, 1, "oanda_test", ns(p["time"]), p["instrument"], float(p["bids"][0]["price"]),
         float(p["asks"][0]["price"])] for p in served["prices"]]
have = [[m[0], m[1], m[2], m[4]] + m[6:] for _, m in got]
fails = 0
for ok, what in (
        (len(want) == 12, f"the fake served 12 prices ({len(want)})"),
        (all(t == b"oanda_tick" for t, _ in got), "all on topic oanda_tick"),
        (have == want, f"published exactly what was served, in order ({len(have)} messages)"),
        ([m[3] for _, m in got] == list(range(got[0][1][3], got[0][1][3] + len(got))) if got else False,
         "sequence numbers without a gap")):
    print(("  ok   " if ok else "  FAIL ") + what)
    fails += not ok
if have != want:
    print("    have", have[:3], "\n    want", want[:3])
sys.exit(1 if fails else 0)
