#!/usr/bin/python3
"""legacy_check.py - what the stores hold after tests/fakes/legacy_pub.py,
checked against the frames it sent (parsed as the original subscribers did:
split at the first space, then at SOH) and docs/wire-format.md ("Legacy
frames on receipt"), not against nbpy's code.

  legacy_check.py sqlite DB SENT SOURCE T0 T1
  legacy_check.py pg ROWS SENT SOURCE T0 T1     ROWS: psql -F'|' output of
      source, seq, event_time and recv_time in epoch us, then the nine fields
  legacy_check.py influx URL DB SENT T0 T1

One row (point) per frame, in the order sent; rows: seq 1..N, the source
given, event and receive time inside [T0, T1] (ns, the test's wall clock),
never decreasing with seq (stores keep microseconds); points: distinct,
increasing times inside the window; values equal to the frame's.  Exits 1 with the reasons.
"""
import datetime
import json
import sqlite3
import sys
import urllib.parse
import urllib.request

COLUMNS = ("instrument_t0, kraken_eurusd_bid_5_t0, kraken_eurusd_ask_5_t0, instrument_t1, "
           "kraken_eurusd_bid_5_t1, kraken_eurusd_ask_5_t1, spread, spread_t_bid, spread_t_ask")
problems = []


def frames(path):
    out = []
    for line in open(path, encoding="utf-8"):
        topic, payload = line.rstrip("\n").split(" ", 1)
        f = payload.split("\x01")
        out.append((f[0], float(f[1]), float(f[2]), f[3], float(f[4]), float(f[5]),
                    float(f[6]), float(f[7]), float(f[8])))
    return out


def us_of(text):
    t = datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc)
    return int(t.timestamp()) * 1000000 + t.microsecond


def check_rows(rows, sent, source, t0, t1):
    """rows: (source, seq, event_us, recv_us, nine values)."""
    if len(rows) != len(sent):
        problems.append("%d rows for %d frames sent" % (len(rows), len(sent)))
    rows = sorted(rows, key=lambda r: r[1])
    last = None
    for i, r in enumerate(rows[:len(sent)]):
        src, seq, ev, rv, values = r[0], r[1], r[2], r[3], tuple(r[4:])
        if src != source:
            problems.append("row %d: source %r, expected %r" % (i, src, source))
        if seq != i + 1:
            problems.append("row %d: seq %s, expected %d" % (i, seq, i + 1))
        for name, us in (("event_time", ev), ("recv_time", rv)):
            if not t0 // 1000 <= us <= t1 // 1000 + 1:
                problems.append("row %d: %s %d us outside the test's window %d..%d" %
                                (i, name, us, t0 // 1000, t1 // 1000))
        if last is not None and ev < last:
            problems.append("row %d: event_time %d before the previous %d" % (i, ev, last))
        last = ev
        if values != sent[i]:
            problems.append("row %d: %r, sent %r" % (i, values, sent[i]))


def from_sqlite(db, sent, source, t0, t1):
    con = sqlite3.connect(db)
    rows = [(r[0], r[1], us_of(r[2]), us_of(r[3])) + tuple(r[4:]) for r in
            con.execute("SELECT source, seq, event_time, recv_time, %s FROM synthetic" % COLUMNS)]
    check_rows(rows, sent, source, t0, t1)


def from_pg(path, sent, source, t0, t1):
    rows = []
    for line in open(path, encoding="utf-8"):
        f = line.rstrip("\n").split("|")
        rows.append((f[0], int(f[1]), int(f[2]), int(f[3]), f[4], float(f[5]), float(f[6]), f[7],
                     float(f[8]), float(f[9]), float(f[10]), float(f[11]), float(f[12])))
    check_rows(rows, sent, source, t0, t1)


def from_influx(url, db, sent, t0, t1):
    q = urllib.parse.urlencode({"db": db, "epoch": "ns", "q": "SELECT * FROM synthetic ORDER BY time"})
    ans = json.load(urllib.request.urlopen(url + "/query?" + q))["results"][0]
    series = ans.get("series", [])
    if len(series) != 1:
        problems.append("%d series in the answer: %s" % (len(series), json.dumps(ans)[:300]))
        return
    cols = series[0]["columns"]
    points = [dict(zip(cols, v)) for v in series[0]["values"]]
    if len(points) != len(sent):
        problems.append("%d points for %d frames sent" % (len(points), len(sent)))
    last = None
    for i, p in enumerate(points[:len(sent)]):
        if not t0 <= p["time"] <= t1:
            problems.append("point %d: time %d ns outside the test's window %d..%d" % (i, p["time"], t0, t1))
        if last is not None and p["time"] <= last:
            problems.append("point %d: time %d not after the previous %d" % (i, p["time"], last))
        last = p["time"]
        got = (p["hedge_instrument_t0"], p["kraken_EURUSD_BID_5_t0"], p["kraken_EURUSD_ASK_5_t0"],
               p["hedge_instrument_t1"], p["kraken_EURUSD_BID_5_t1"], p["kraken_EURUSD_ASK_5_t1"],
               p["spread"], p["spread_t_bid"], p["spread_t_ask"])
        if tuple(float(x) if isinstance(x, (int, float)) else x for x in got) != sent[i]:
            problems.append("point %d: %r, sent %r" % (i, got, sent[i]))


def main():
    mode = sys.argv[1]
    if mode == "sqlite":
        from_sqlite(sys.argv[2], frames(sys.argv[3]), sys.argv[4], int(sys.argv[5]), int(sys.argv[6]))
    elif mode == "pg":
        from_pg(sys.argv[2], frames(sys.argv[3]), sys.argv[4], int(sys.argv[5]), int(sys.argv[6]))
    elif mode == "influx":
        from_influx(sys.argv[2], sys.argv[3], frames(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]))
    else:
        sys.exit("legacy_check.py: unknown mode %s" % mode)
    for p in problems[:10]:
        print("    " + p)
    if len(problems) > 10:
        print("    ... %d problems in all" % len(problems))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
