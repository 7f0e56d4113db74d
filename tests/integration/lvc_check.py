#!/usr/bin/python3
"""Late subscribers to the last-value cache (kind oanda.lvc), while the fake
OANDA sends only heartbeats: each gets its instrument's last value within
100 ms (measured here, from connect), with the fields the fake served, that
instrument only, once; a second subscriber to the same instrument gets the
same bytes, and the one already there gets them again (a repeat by the rule
of docs/wire-format.md); a subscriber to an instrument without a value gets
nothing until the fake sends a price of it (GET /_late).

    lvc_check.py FAKE_URL ENDPOINT SERVICE
"""
import calendar
import json
import sys
import time
import urllib.request

import msgpack
import zmq

fake, ep, service = sys.argv[1:4]
LIMIT_MS = 100
ctx = zmq.Context()
fails = 0


def check(ok, what):
    global fails
    print(("  ok   " if ok else "  FAIL ") + what)
    fails += not ok


def served():
    return json.load(urllib.request.urlopen(fake + "/_stats"))["prices"]


def ns(t):
    """OANDA's RFC 3339 time with 9 decimals, in ns, by hand."""
    secs, frac = t.rstrip("Z").split(".")
    return calendar.timegm(time.strptime(secs, "%Y-%m-%dT%H:%M:%S")) * 10**9 + int(frac.ljust(9, "0"))


def subscribe(topic):
    s = ctx.socket(zmq.SUB)
    s.setsockopt(zmq.LINGER, 0)
    s.setsockopt(zmq.SUBSCRIBE, topic.encode())
    return s


def receive(sock, seconds, first_only=False):
    """(topic, payload, message) of every message (no announcement) within seconds."""
    got, deadline = [], time.monotonic() + seconds
    while time.monotonic() < deadline and not (first_only and got):
        if sock.poll(max(1, int((deadline - time.monotonic()) * 1000))):
            topic, payload = sock.recv_multipart()
            u = msgpack.Unpacker(raw=False)
            u.feed(payload)
            got.extend((topic, payload, m) for m in u if m[0] != 0)  # 0: an announcement
    return got


def late(topic):
    """A new subscriber: ms from connect to its first message, and what it got."""
    s = subscribe(topic)
    t0 = time.monotonic()
    s.connect(ep)
    got = receive(s, 2, first_only=True)
    ms = (time.monotonic() - t0) * 1000
    return s, ms, got


def expect(inst):
    """The last price of inst the fake served, as the cache republishes it:
    [schema, service, seq, event_ns, instrument, bid, ask]; seq counts inst's
    prices (one sequence per topic)."""
    ps = [p for p in served() if p["instrument"] == inst]
    if not ps:
        return None
    p = ps[-1]
    return [6, service, len(ps), ns(p["time"]), inst, float(p["bids"][0]["price"]), float(p["asks"][0]["price"])]


def fields(m):
    return [m[0], m[2], m[3], m[4]] + m[6:9]


def first_value(name, inst, sock, ms, got):
    check(len(got) == 1 and ms <= LIMIT_MS, f"{name}: {inst}'s last value within {LIMIT_MS} ms ({ms:.1f} ms)")
    if got:
        want = expect(inst)
        check(got[0][0] == inst.encode() and fields(got[0][2]) == want,
              f"{name}: on topic {inst}, the fields of the fake's last {inst} price")
        if fields(got[0][2]) != want:
            print("    have", got[0][0], fields(got[0][2]), "\n    want", want)
    more = receive(sock, 0.3)
    check(more == [], f"{name}: nothing more ({len(more)} more)")


# 1. a late subscriber to EUR_USD (not the instrument priced last)
s1, ms, got1 = late("EUR_USD")
first_value("first subscriber", "EUR_USD", s1, ms, got1)

# 2. a second one to the same instrument, the first still subscribed
s2, ms, got2 = late("EUR_USD")
first_value("second subscriber", "EUR_USD", s2, ms, got2)
again = receive(s1, 0.3)
check(got1 and got2 and got2[0][1] == got1[0][1], "second subscriber: the same bytes as the first got")
check(len(again) == 1 and again[0][1] == got1[0][1],
      f"first subscriber: the same bytes again, a repeat ({len(again)} messages)")

# 3. another instrument: its own value
s3, ms, got3 = late("USD_JPY")
first_value("USD_JPY subscriber", "USD_JPY", s3, ms, got3)

# 4. an instrument without a value: nothing, until a price of it comes
s4 = subscribe("AUD_USD")
s4.connect(ep)
quiet = receive(s4, 0.5)
check(quiet == [], f"AUD_USD subscriber: nothing while the cache has no AUD_USD ({len(quiet)} messages)")
urllib.request.urlopen(fake + "/_late?instrument=AUD_USD").read()
got4 = receive(s4, 3, first_only=True)
check(len(got4) == 1 and got4[0][0] == b"AUD_USD" and fields(got4[0][2]) == expect("AUD_USD"),
      "AUD_USD subscriber: the fake's AUD_USD price when it came, seq 1")
check(receive(s1, 0.2) == [] and receive(s2, 0.01) == [], "EUR_USD subscribers: nothing of AUD_USD")
sys.exit(1 if fails else 0)
