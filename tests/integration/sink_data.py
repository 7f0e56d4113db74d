#!/usr/bin/python3
"""sink_data.py - the data of the sink tests, written and checked from the
documented formats alone (docs/wire-format.md, docs/services.md capture
format, docs/sinks.md tables and points), not from nbpy's code.

  sink_data.py gen PATH N [SHIFT]    capture of N EURUSD ticks, 1 ms apart
                                     (event times SHIFT ns later: another
                                     message with the same seq)
  sink_data.py rows N                the expected rows, one per line
  sink_data.py lines N               the expected line protocol, one per point
  sink_data.py influx-rows URL DB    the points in InfluxDB, as rows
  sink_data.py typeql N              the expected TypeDB rows (put stages
                                     without "put $var isa"), one per line
  sink_data.py check-lines N FILE    FILE (rows as the stores gave them back)
                                     holds each expected row exactly once

A row is "seq|event_time_us|instrument_t0|bid_t0|ask_t0|instrument_t1|bid_t1|
ask_t1|spread|spread_t_bid|spread_t_ask", floats as Python's repr.
"""
import struct
import sys
import zlib

import msgpack

T0 = 1538079543817645000          # event time of seq 1, ns (a whole us)
STEP = 1_000_000                   # 1 ms


def tick(i):
    """The i-th message (seq i + 1), as fields."""
    seq = i + 1
    bid0 = round(1.15956 + (i % 97) * 1e-5, 5)
    ask0 = round(1.17441 + (i % 89) * 1e-5, 5)
    bid1 = round(1.16386 + (i % 83) * 1e-5, 5)
    ask1 = round(1.16688 + (i % 101) * 1e-5, 5)
    return seq, T0 + i * STEP, "XZECZUSD", bid0, ask0, "XETHZEUR", bid1, ask1


def row(i):
    seq, t, t0, bid0, ask0, t1, bid1, ask1 = tick(i)
    spread = round(ask1 - bid1, 5)
    spread_t_bid = round(ask0 - bid1, 5)
    spread_t_ask = round(ask1 - bid0, 5)
    return "|".join(str(x) for x in (seq, t // 1000, t0, bid0, ask0, t1, bid1, ask1,
                                      spread, spread_t_bid, spread_t_ask))


def line(i):
    seq, t, t0, bid0, ask0, t1, bid1, ask1 = tick(i)
    f = lambda x: repr(x)
    return (f"synthetic,instrument=KR_EURUSD,instrument_t0={t0},instrument_t1={t1} "
            f'hedge_instrument_t0="{t0}",hedge_instrument_t1="{t1}",'
            f"kraken_EURUSD_ASK_5_t0={f(ask0)},kraken_EURUSD_ASK_5_t1={f(ask1)},"
            f"kraken_EURUSD_BID_5_t0={f(bid0)},kraken_EURUSD_BID_5_t1={f(bid1)},"
            f"spread={f(round(ask1 - bid1, 5))},spread_t_ask={f(round(ask1 - bid0, 5))},"
            f"spread_t_bid={f(round(ask0 - bid1, 5))} {t}")


def influx_rows(url, db):
    """Rows in the sink_data row format, from InfluxDB's /query."""
    import json
    import urllib.parse
    import urllib.request
    q = ("SELECT instrument_t0, kraken_EURUSD_BID_5_t0, kraken_EURUSD_ASK_5_t0, instrument_t1, "
         "kraken_EURUSD_BID_5_t1, kraken_EURUSD_ASK_5_t1, spread, spread_t_bid, spread_t_ask "
         "FROM synthetic")
    body = urllib.parse.urlencode({"db": db, "epoch": "ns", "q": q}).encode()
    res = json.load(urllib.request.urlopen(url + "/query", body))
    series = res["results"][0].get("series", [{"values": []}])[0]["values"]
    got = []
    for v in series:  # seq from the time: T0 + (seq - 1) ms
        t = v[0]
        seq = (t - T0) // STEP + 1
        got.append("|".join(str(x) for x in [seq, t // 1000] + v[1:]))
    print("".join(g + "\n" for g in got), end="")


def typeql(i):
    import datetime
    seq, t, t0, bid0, ask0, t1, bid1, ask1 = tick(i)
    when = datetime.datetime.fromtimestamp(t // 1000 / 1e6, datetime.timezone.utc)
    when = when.strftime("%Y-%m-%dT%H:%M:%S.") + "%06d" % (t // 1000 % 1000000)
    f = lambda x: repr(x) if "e" not in repr(x) else ("%.20f" % x).rstrip("0")
    cols = [("source", '"kraken_EURUSD"'), ("seq", str(seq)), ("event_time", when),
            ("recv_time", when), ("synthetic_instrument", '"KR_EURUSD"'),
            ("instrument_t0", f'"{t0}"'), ("kraken_eurusd_bid_5_t0", f(bid0)),
            ("kraken_eurusd_ask_5_t0", f(ask0)), ("instrument_t1", f'"{t1}"'),
            ("kraken_eurusd_bid_5_t1", f(bid1)), ("kraken_eurusd_ask_5_t1", f(ask1)),
            ("spread", f(round(ask1 - bid1, 5))), ("spread_t_bid", f(round(ask0 - bid1, 5))),
            ("spread_t_ask", f(round(ask1 - bid0, 5)))]
    return "synthetic" + "".join(f", has {k} {v}" for k, v in cols)


def gen(path, n, shift=0):
    out = [b"NBPYCAP1"]
    topic = b"kr_eurusd_tick"
    for i in range(n):
        seq, t, t0, bid0, ask0, t1, bid1, ask1 = tick(i)
        t += shift
        payload = msgpack.packb([4, 1, "kraken_EURUSD", seq, t, 0, t0, bid0, ask0, t1, bid1, ask1])
        body = struct.pack("<q", t) + bytes([len(topic)]) + topic + payload
        out.append(struct.pack("<II", len(body), zlib.crc32(body)) + body)
    with open(path, "wb") as f:
        f.write(b"".join(out))


def check_lines(n, path):
    want = [row(i) for i in range(n)]
    got = [l.strip() for l in open(path) if l.strip()]
    seen = {}
    for l in got:
        seen[l] = seen.get(l, 0) + 1
    missing = [w for w in want if w not in seen]
    dup = [l for l, c in seen.items() if c > 1]
    extra = [l for l in seen if l not in set(want)]
    ok = not missing and not dup and not extra and len(got) == n
    if not ok:
        print(f"rows: {len(got)} of {n}; missing {len(missing)} (first {missing[:2]}), "
              f"duplicated {len(dup)} ({dup[:2]}), unexpected {len(extra)} ({extra[:2]})")
    return ok


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "gen":
        gen(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]) if len(sys.argv) > 4 else 0)
    elif cmd == "rows":
        for i in range(int(sys.argv[2])):
            print(row(i))
    elif cmd == "lines":
        for i in range(int(sys.argv[2])):
            print(line(i))
    elif cmd == "typeql":
        for i in range(int(sys.argv[2])):
            print(typeql(i))
    elif cmd == "influx-rows":
        influx_rows(sys.argv[2], sys.argv[3])
    elif cmd == "check-lines":
        sys.exit(0 if check_lines(int(sys.argv[2]), sys.argv[3]) else 1)
    else:
        sys.exit(f"unknown command {cmd}")
