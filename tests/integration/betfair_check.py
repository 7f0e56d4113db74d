#!/usr/bin/python3
"""Check what betfair.stream published, for tests/integration/betfair.sh.

    betfair_check.py FAKE_LOG SQLITE APPKEY=SERVICE...
    betfair_check.py --servers FAKE_LOG SQLITE PG_ROWS INFLUX_URL INFLUX_DB APPKEY=SERVICE

Rebuilds the market cache on its own, in Python with dicts, from the mcm
lines tests/fakes/betfair_stream.py logged as sent to each appKey, following
the Exchange Stream API's rules (reference: exchange-apis-and-sinks.md §3,
next-capabilities.md §5), and lists the message each changed runner must
give: a SUB_IMAGE replaces every market (at its first segment), img or an
unknown market replaces
one, a marketDefinition replaces status and inPlay (a change of either
changes every runner), runners keyed by (id, hc), batb/batl by level with
size 0 emptying it, trd by price with size 0 removing it and [] clearing
it, ltp and tv replaced.  The SERVICE's rows of the SQLite store's
betfair_market table must be exactly these, in order.  Also: the fake saw a
right resume (initialClk and the last clk) for each appKey and no wrong one.
With --servers, the PostgreSQL rows (PG_ROWS, psql's unaligned output of
the same columns, event_time in epoch ms) must be the same, and the
InfluxDB measurement betfair must hold the same points (time in ms; the
tags market_id, selection_id and handicap tell apart two runners changed
at one `pt`, as the two handicaps of selection 13 in the fake's script).
Exits 1 naming each difference."""
import datetime
import json
import sqlite3
import sys
import urllib.parse
import urllib.request

servers = sys.argv[1] == "--servers"
args = sys.argv[2:] if servers else sys.argv[1:]
log_path, lite = args[0], args[1]
if servers:
    pg_rows, influx, influx_db = args[2], args[3], args[4]
pairs = [a.split("=", 1) for a in args[5 if servers else 2:]]
events = [json.loads(line) for line in open(log_path)]
fails = 0


def fail(msg):
    global fails
    fails += 1
    print("FAIL:", msg)


class Market:
    def __init__(self):
        self.status, self.in_play, self.defined = "", False, False
        self.runners = {}       # (id, hc) -> dict, in the order they came


def new_runner():
    return {"back": {}, "lay": {}, "trd": {}, "ltp": None, "tv": 0.0}


def expected(key):
    markets = {}
    out = []
    for ev in events:
        if ev["ev"] != "sent" or ev["key"] != key or ev.get("bad"):
            continue    # a malformed line changes nothing
        msg = json.loads(ev["line"])
        if msg.get("op") != "mcm" or msg.get("ct") == "HEARTBEAT" or "mc" not in msg:
            continue
        if msg.get("ct") == "SUB_IMAGE" and msg.get("segmentType") in (None, "SEG_START"):
            markets = {}        # a new image, once: its later segments add to it
        for mc in msg["mc"]:
            m = markets.get(mc["id"])
            if m is None or mc.get("img"):
                m = markets[mc["id"]] = Market()
            changed = set()
            d = mc.get("marketDefinition")
            if d is not None:
                if not m.defined or d["status"] != m.status or d["inPlay"] != m.in_play:
                    changed.update(m.runners)
                m.status, m.in_play, m.defined = d["status"], d["inPlay"], True
                for r in d.get("runners", []):
                    k = (r["id"], float(r.get("hc", 0)))
                    if k not in m.runners:
                        m.runners[k] = new_runner()
                        changed.add(k)
            for rc in mc.get("rc", []):
                k = (rc["id"], float(rc.get("hc", 0)))
                r = m.runners.setdefault(k, new_runner())
                changed.add(k)
                for side, name in (("back", "batb"), ("lay", "batl")):
                    for level, price, size in rc.get(name, []):
                        if size == 0:
                            r[side].pop(level, None)
                        else:
                            r[side][level] = (price, size)
                if "trd" in rc:
                    if not rc["trd"]:
                        r["trd"] = {}
                    for price, size in rc["trd"]:
                        if size == 0:
                            r["trd"].pop(price, None)
                        else:
                            r["trd"][price] = size
                if "ltp" in rc:
                    r["ltp"] = rc["ltp"]
                if "tv" in rc:
                    r["tv"] = rc["tv"]
            for k, r in m.runners.items():
                if k in changed:
                    levels = []
                    for side in ("back", "lay"):
                        for lv in range(3):
                            levels += list(r[side].get(lv, (None, None)))
                    out.append((mc["id"], msg["pt"], k[0], k[1], m.status, int(m.in_play), *levels,
                                float(r["tv"]), r["ltp"]))
    return out


COLS = ("market_id, event_time, selection_id, handicap, market_status, in_play, back_price_0, back_size_0, "
        "back_price_1, back_size_1, back_price_2, back_size_2, lay_price_0, lay_size_0, lay_price_1, lay_size_1, "
        "lay_price_2, lay_size_2, traded_volume, last_traded_price")


def ms_of(rfc3339):
    t = datetime.datetime.strptime(rfc3339.rstrip("Z"), "%Y-%m-%dT%H:%M:%S.%f")
    return round(t.replace(tzinfo=datetime.timezone.utc).timestamp() * 1000)


def nulls(row):
    return tuple(None if v == "" else v for v in row)


def check_servers(service, want):
    got = []
    with open(pg_rows) as f:
        for line in f:
            v = line.rstrip("\n").split("|")
            got.append(nulls([v[0], int(v[1]), int(v[2]), float(v[3]), v[4], int(v[5])] +
                             [None if x == "" else float(x) for x in v[6:]]))
    if got != want:
        fail("pgsql: %d rows, expected %d; first difference: %s" % (
            len(got), len(want), next(((g, w) for g, w in zip(got, want) if g != w), None)))
    fields = ["back_price_0", "back_size_0", "back_price_1", "back_size_1", "back_price_2", "back_size_2",
              "lay_price_0", "lay_size_0", "lay_price_1", "lay_size_1", "lay_price_2", "lay_size_2"]
    q = urllib.parse.urlencode({"db": influx_db, "epoch": "ms", "q": 'SELECT * FROM "betfair"'})
    res = json.load(urllib.request.urlopen(influx + "/query?" + q, timeout=5))["results"][0]
    points = {}
    for series in res.get("series", []):
        cols = series["columns"]
        for v in series["values"]:
            r = dict(zip(cols, v))
            k = (r["market_id"], r["time"], int(r["selection_id"]), float(r["handicap"]))
            if k in points:
                fail("influxdb: two points %s" % (k,))
            points[k] = (
                r["market_id"], r["time"], int(r["selection_id"]), float(r["handicap"]), r.get("market_status"),
                r["in_play"], *[r.get(k) for k in fields], r["traded_volume"], r.get("last_traded"))
    last = {}
    for w in want:
        if (w[0], w[1], w[2], w[3]) in last:
            fail("two messages for one point: %s" % (w,))
        last[(w[0], w[1], w[2], w[3])] = w
    if points != last:
        fail("influxdb: %d points, expected %d; differences: %s" % (
            len(points), len(last), [(k, points.get(k), last.get(k)) for k in set(points) | set(last)
                                    if points.get(k) != last.get(k)][:2]))
    print("%s: pgsql %d rows, influxdb %d points" % (service, len(got), len(points)))


db = sqlite3.connect("file:%s?mode=rw" % lite, uri=True)
for key, service in pairs:
    want = expected(key)
    got = [(r[0], ms_of(r[1]), *r[2:]) for r in
           db.execute("SELECT %s FROM betfair_market WHERE source = ? ORDER BY seq" % COLS, (service,))]
    if not want:
        fail("%s: the fake sent no market changes" % key)
    if len(got) != len(want):
        fail("%s: %d rows, expected %d" % (service, len(got), len(want)))
    for i, (g, w) in enumerate(zip(got, want)):
        if g != w:
            fail("%s row %d:\n   got  %s\n   want %s" % (service, i, g, w))
            break
    if servers:
        check_servers(service, want)
    resumes = [e for e in events if e["ev"] == "resume" and e["key"] == key]
    if not resumes or not all(e["ok"] for e in resumes):
        fail("%s: resumes %s" % (key, resumes))
    print("%s: %d runner messages as the independent cache has them; %d resume(s) with the right clk"
          % (service, len(want), len(resumes)))
sys.exit(1 if fails else 0)
