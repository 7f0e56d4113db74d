#!/usr/bin/python3
"""What oanda.transactions published, against the fake OANDA's log.

    oanda_transactions_check.py collect ENDPOINT FILE
        subscribe to everything at ENDPOINT (across the worker's restarts)
        and append each message to FILE as a JSON line [topic, fields...],
        until SIGTERM.
    oanda_transactions_check.py ids FILE
        the transaction ids collected so far, one line, space-separated.
    oanda_transactions_check.py check FAKE_URL FILE FROM SQLITE
        every transaction of the fake's log with an id > FROM published
        exactly once, in id order, each field as the fake sent it (absent:
        empty), OANDA's time as the event time; nothing else on topic
        oanda_orders; heartbeats on oanda_heartbeat; and the SQLite table
        oanda_transactions holding exactly what was published.
"""
import calendar
import json
import signal
import sqlite3
import sys
import time
import urllib.request


def ns(t):
    """OANDA's RFC 3339 time with 9 decimals, in ns, by hand."""
    secs, frac = t.rstrip("Z").split(".")
    return calendar.timegm(time.strptime(secs, "%Y-%m-%dT%H:%M:%S")) * 10**9 + int(frac.ljust(9, "0"))


def load(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.endswith("\n")]


def collect(ep, path):
    import msgpack
    import zmq
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    sub = zmq.Context().socket(zmq.SUB)
    sub.setsockopt(zmq.SUBSCRIBE, b"")
    sub.connect(ep)
    with open(path, "a") as out:
        while True:
            topic, payload = sub.recv_multipart()
            u = msgpack.Unpacker(raw=False)
            u.feed(payload)
            for m in u:
                if m[0] != 0:  # 0: a sequence announcement
                    out.write(json.dumps([topic.decode()] + m) + "\n")
                    out.flush()


def txns(got):
    return [m for m in got if m[0] == "oanda_orders"]


def expected(t):
    """The message fields of fake transaction t, from OANDA's names."""
    trade = t.get("tradeID", t.get("tradeOpened", {}).get("tradeID", ""))
    return [int(t["id"]), t["type"], t.get("accountID", ""), t.get("batchID", ""), t.get("orderID", ""),
            trade, t.get("instrument", ""), t.get("units", ""), t.get("price", ""), t.get("reason", ""),
            t.get("pl", ""), t.get("financing", "")]


def sql_time(n):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(n // 10**9)) + ".%06dZ" % (n % 10**9 // 1000)


def check(fake, path, first, db):
    state = json.load(urllib.request.urlopen(fake + "/_txn/state"))
    got = load(path)
    pub = txns(got)
    # message: [topic, schema, version, service, seq, event_ns, recv_delta, fields...]
    have = [[m[1], m[3], m[5]] + m[7:] for m in pub]
    want = [[10, "oanda_orders", ns(t["time"])] + expected(t) for t in state["log"] if int(t["id"]) > first]
    ids = [m[7] for m in pub]
    beats = [m for m in got if m[0] == "oanda_heartbeat"]
    fails = 0
    dup = sorted({i for i in ids if ids.count(i) > 1})
    missing = sorted({int(t["id"]) for t in state["log"] if int(t["id"]) > first} - set(ids))
    try:
        rows = sqlite3.connect(db).execute(
            "SELECT source, event_time, transaction_id, transaction_type, account_id, batch_id, order_id,"
            " trade_id, instrument, units, transaction_price, reason, pl, financing"
            " FROM oanda_transactions ORDER BY transaction_id").fetchall()
    except sqlite3.Error as e:
        rows = [("error", str(e))]
    want_rows = [tuple([m[3], sql_time(m[5])] + m[7:]) for m in sorted(pub, key=lambda m: m[7])]
    for ok, what in (
            (len(want) >= 40, f"the fake's log has transactions to check ({len(want)} after {first})"),
            (not dup, f"no transaction published twice {dup[:10]}"),
            (not missing, f"none missing {missing[:10]}"),
            (ids == sorted(ids), "published in id order"),
            (have == want, f"every field as the fake sent it ({len(have)} transactions)"),
            (len(beats) >= 5 and all(b[1] == 7 and b[7] == "oanda" for b in beats),
             f"heartbeats on oanda_heartbeat ({len(beats)}), source oanda"),
            (rows == want_rows, f"SQLite holds exactly what was published ({len(rows)} rows)")):
        print(("  ok   " if ok else "  FAIL ") + what)
        fails += not ok
    if have != want:
        bad = [(h, w) for h, w in zip(have, want) if h != w][:2]
        print("    first differences (have, want):", bad)
    if rows != want_rows:
        print("    rows", rows[:2], "\n    want", want_rows[:2])
    return 1 if fails else 0


if __name__ == "__main__":
    if sys.argv[1] == "collect":
        collect(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "ids":
        print(" ".join(str(m[7]) for m in txns(load(sys.argv[2]))))
    else:
        sys.exit(check(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]))
