#!/usr/bin/python3
"""oanda_stores_check.py - what the three OANDA stores hold against what
tests/fakes/fake_oanda.py served (oanda_stores.sh).

    oanda_stores_check.py FAKE_URL SQLITE_FILE INFLUX_URL INFLUX_DB PG_ROWS

Expected values come from the fake's /_stats (its PRICE objects), parsed
here: instrument, OANDA's time, bids[0].price, asks[0].price.  InfluxDB keeps
the time to the nanosecond; PostgreSQL (timestamptz) and SQLite (RFC 3339
text) to the microsecond, cut (floor), as docs/sinks.md says.  Each store
must hold exactly those prices: each once, nothing else.  PG_ROWS: psql -At
output of instrument|event_time in epoch us|bid|ask.  Exits 1 with every
difference printed."""
import calendar
import json
import sqlite3
import sys
import urllib.parse
import urllib.request

fake, lite, influx, influx_db, pg_rows = sys.argv[1:6]


def ns_of(t):
    """An RFC 3339 UTC time (up to 9 decimals, Z) in ns since the epoch."""
    secs, frac = t.rstrip("Z").split(".")
    whole = calendar.timegm(tuple(int(x) for x in secs.replace("-", " ").replace("T", " ").replace(":", " ").split()))
    return whole * 10**9 + int(frac.ljust(9, "0")[:9])


served = json.load(urllib.request.urlopen(fake + "/_stats", timeout=5))["prices"]
want_ns = sorted((p["instrument"], ns_of(p["time"]), float(p["bids"][0]["price"]), float(p["asks"][0]["price"]))
                 for p in served)
want_us = sorted((i, t // 1000, b, a) for i, t, b, a in want_ns)

# SQLite: the file must exist (mode=rw), the columns are read by name
db = sqlite3.connect("file:%s?mode=rw" % lite, uri=True)
got_lite = []
for inst, t, bid, ask in db.execute("SELECT instrument, event_time, bid, ask FROM oanda_tick"):
    got_lite.append((inst, ns_of(t) // 1000, bid, ask))	# RFC 3339 with 6 decimals

# InfluxDB: measurement tick, tag instrument, fields bid and ask, time in ns
q = urllib.parse.urlencode({"db": influx_db, "epoch": "ns", "q": 'SELECT "instrument", "bid", "ask" FROM "tick"'})
res = json.load(urllib.request.urlopen(influx + "/query?" + q, timeout=5))["results"][0]
got_influx = []
for series in res.get("series", []):
    cols = series["columns"]
    for v in series["values"]:
        r = dict(zip(cols, v))
        got_influx.append((r["instrument"], r["time"], r["bid"], r["ask"]))

got_pg = []
with open(pg_rows) as f:
    for line in f:
        inst, us, bid, ask = line.rstrip("\n").split("|")
        got_pg.append((inst, int(us), float(bid), float(ask)))

fails = 0
if not want_ns:
    print("the fake served no prices")
    fails += 1
for name, got, want in (("sqlite", got_lite, want_us), ("influxdb", got_influx, want_ns), ("pgsql", got_pg, want_us)):
    got = sorted(got)
    if got == want:
        print("%s: %d prices, each once, as served" % (name, len(got)))
        continue
    fails += 1
    print("%s: %d stored, %d served" % (name, len(got), len(want)))
    for r in sorted(set(want) - set(got)):
        print("  missing", r)
    for r in sorted(set(got) - set(want)):
        print("  extra  ", r)
    if len(set(got)) != len(got):
        print("  some stored twice")
sys.exit(1 if fails else 0)
