#!/usr/bin/python3
"""trader_check.py - captures for the trader kind and the check of what it
stored, computed here from the documented rules alone (docs/trading.md,
next-capabilities 3.2 for the netting), not from the C code.

  trader_check.py gen SCENARIO CAPTURE          signals and OANDA quotes, interleaved
  trader_check.py status SCENARIO SERVICE       the STATUS text the service should show
  trader_check.py rows SCENARIO SERVICE...      how many rows (orders, fills, positions) they store
  trader_check.py rows-running SCENARIO SERVICE...   the same before they stop (flatten_on_stop)
  trader_check.py stored SQLITE                 the rows stored: orders, fills, positions after orders
  trader_check.py check SCENARIO SQLITE SERVICE...   every order, fill and position stored
  trader_check.py killed SQLITE SERVICE         after a SIGKILL and a second replay:
                                                each signal once, positions = fills

Scenarios: `main` (services tr_depth and tr_tick: a signal before any quote,
FOK, an untradeable and a legacy quote, slippage, fees, a flip through zero,
flatten_on_stop), `limits` (tr_pos, tr_rate, tr_loss: each trips its limit), `nextday`
(tr_day: the loss limit, then a new UTC day),
`killed` (the real service name)."""
import math
import os
import re
import sqlite3
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import capture  # noqa: E402


T0 = 1700000000 * 10**9           # 2023-11-14T22:13:20Z
SEC = 10**9
ACCOUNT = "USD"

# service -> settings, as the test's configuration gives them
SERVICES = {
    "tr_depth": dict(strategy="depth", slip=2.0, fee=1.0, max_pos=10000, rate=1000, loss=1e9, flatten=False),
    "tr_tick": dict(strategy="tick", slip=2.0, fee=1.0, max_pos=10000, rate=1000, loss=1e9, flatten=True),
    "tr_pos": dict(strategy="depth", slip=0.0, fee=0.0, max_pos=2000, rate=1000, loss=1e9, flatten=False),
    "tr_rate": dict(strategy="depth", slip=0.0, fee=0.0, max_pos=10**9, rate=3, loss=1e9, flatten=False),
    "tr_loss": dict(strategy="depth", slip=0.0, fee=0.0, max_pos=10**9, rate=1000, loss=5.0, flatten=False),
    "tr_day": dict(strategy="depth", slip=0.0, fee=0.0, max_pos=10**9, rate=1000, loss=5.0, flatten=False),
    "oanda_kraken_EURUSD_depth_position_order":
        dict(strategy="depth", slip=1.0, fee=0.5, max_pos=10**9, rate=1000, loss=1e9, flatten=False),
}
UNITS = 1000


def q(inst, bid, ask, bliq=10**6, aliq=10**6, closeout=True, tradeable=1):
    return ("q", inst, bid, ask, bliq, aliq, bid - 0.0001 if closeout else 0.0,
            ask + 0.0001 if closeout else 0.0, tradeable)


def s(side):
    return ("s", side)


def events(scenario):
    """(event_ns, event), in the order published."""
    if scenario == "main":
        steps = [
            s("b"),                                     # no quote yet: depth refuses, tick skips
            q("EUR_USD", 1.08000, 1.08010), q("USD_JPY", 149.500, 149.510), q("EUR_JPY", 161.460, 161.480),
            s("b"),
            q("EUR_USD", 1.08100, 1.08110), q("EUR_JPY", 161.600, 161.620),
            s("b"),
            q("EUR_USD", 1.08120, 1.08130, aliq=500),   # 500 shown at the ask: a buy of 1000 is killed
            s("b"),
            q("EUR_USD", 1.07900, 1.07910), q("EUR_JPY", 161.900, 161.930), q("USD_JPY", 149.200, 149.215),
            s("s"),
            q("EUR_JPY", 162.300, 162.320), q("USD_JPY", 149.000, 149.010),
            s("s"),
            s("s"),
            q("EUR_JPY", 160.100, 160.120), q("USD_JPY", 147.000, 147.010),
            s("s"),
            s("s"),
            q("EUR_USD", 1.07950, 1.07960, tradeable=0),  # closed: rejected
            s("b"),
            q("EUR_USD", 1.07970, 1.07980, bliq=0, aliq=0, closeout=False, tradeable=0),  # legacy: fills
            q("EUR_JPY", 161.000, 161.020), q("USD_JPY", 150.500, 150.520),
            s("b"),
            s("b"),
            q("EUR_USD", 1.08300, 1.08310), q("EUR_JPY", 161.700, 161.720), q("USD_JPY", 149.800, 149.810),
        ]
        return [(T0 + i * 10**6, e) for i, e in enumerate(steps)]
    if scenario in ("limits", "nextday"):
        at = [(0, q("EUR_USD", 1.10000, 1.10010)), (1, s("b")), (2, s("b")), (3, s("b")), (4, s("b")),
              (5, q("EUR_USD", 1.09000, 1.09010)), (6, s("s")), (7, s("b")), (62, s("b")), (63, s("s"))]
        if scenario == "nextday":       # 00:00 UTC is at T0 + 6400 s: opening orders again
            at += [(6399, s("b")), (6400, s("b")), (6401, q("EUR_USD", 1.08000, 1.08010)), (6402, s("b"))]
        return [(T0 + t * SEC, e) for t, e in at]
    if scenario == "killed":
        out, t = [], T0
        for i in range(120):
            mid = 1.08 + 0.0004 * math.sin(i / 7.0)
            out.append((t, q("EUR_USD", round(mid - 0.00005, 5), round(mid + 0.00005, 5))))
            t += 10**6
            out.append((t, s("b" if (i // 3) % 2 == 0 or i % 7 == 0 else "s")))
            t += 10**6
        return out
    raise SystemExit("unknown scenario " + scenario)


def gen(scenario, path):
    recs, seqs = [], {}
    for t, e in events(scenario):
        if e[0] == "q":
            _, inst, bid, ask, bliq, aliq, cbid, cask, tradeable = e
            svc, topic = "oandav20_tick_topic", inst
            body = [inst, bid, ask, bliq, aliq, cbid, cask, tradeable]
            schema = 6
        else:
            svc, topic, schema = "kraken_EURUSD_depth_signal", "kr_eurusd_signal", 13
            # id = the event time; the Kraken legs are what a real signal carries
            body = [t, "t_bid" if e[1] == "b" else "t_ask", e[1], "EUR_USD", 1000.0, 1.0801, 0.003,
                    "XXBTZEUR", 1.0790, 1.0800, "XXBTZUSD", 1.0831, 1.0840, 0.0009, -0.0031, 0.0050,
                    None, None]
        seqs[(svc, topic)] = seqs.get((svc, topic), 0) + 1
        recs.append((t + 1000, topic, [schema, 1, svc, seqs[(svc, topic)], t, 1000] + body))
    capture.write(path, recs)


# ---- the trader, as docs/trading.md describes it ----

def crc32c(data):
    """CRC-32C (Castagnoli, reflected 0x82F63B78), bit by bit."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def client_prefix(service):
    """nbpy- and the service name's CRC-32C in 8 hex digits (schema order)."""
    return "nbpy-%08x" % crc32c(service.encode())


class Trader:
    def __init__(self, service):
        self.svc, self.cfg = service, SERVICES[service]
        self.quotes, self.pos = {}, {}          # instrument -> quote; -> [units, avg, realised, fees]
        self.last_id, self.recent = 0, []
        self.day, self.day_start, self.halted, self.halted_loss = None, 0.0, False, 0.0
        self.flips = 0
        self.rows = []                          # expected (kind, dict), in publishing order
        self.n = dict(signals=0, orders=0, fills=0, rejected=0, position=0, rate=0, loss=0,
                      duplicates=0, no_quote=0)

    def rate(self, ccy):
        """USD per unit of ccy from the latest mids."""
        if ccy == ACCOUNT:
            return 1.0
        for name, inverse in ((ACCOUNT + "_" + ccy, True), (ccy + "_" + ACCOUNT, False)):
            if name in self.quotes:
                mid = (self.quotes[name][0] + self.quotes[name][1]) / 2
                return 1 / mid if inverse else mid
        return None

    def unrealised(self, inst):
        p, qt = self.pos.get(inst), self.quotes.get(inst)
        if p is None or p[0] == 0 or qt is None:
            return None, None
        mark = qt[0] if p[0] > 0 else qt[1]
        return mark, (mark - p[1]) * p[0] * self.rate(inst[-3:])

    def total(self):
        tot = 0.0
        for inst, p in self.pos.items():
            tot += p[2]
            u = self.unrealised(inst)[1]
            tot += u if u is not None else 0.0
        return tot

    def position_row(self, inst):
        p = self.pos[inst]
        mark, u = self.unrealised(inst)
        self.rows.append(("position", dict(instrument=inst, units=p[0], average_price=p[1] if p[0] else None,
                                           mark=mark, realised_pl=p[2], unrealised_pl=u, fees=p[3])))

    def net(self, inst, du, px):
        """next-capabilities 3.2: the realised PnL (quote currency)."""
        p = self.pos.setdefault(inst, [0.0, 0.0, 0.0, 0.0])
        qty, avg, realised = p[0], p[1], 0.0
        if qty == 0 or (qty > 0) == (du > 0):
            p[1] = (avg * abs(qty) + px * abs(du)) / abs(qty + du)
        else:
            closed = min(abs(du), abs(qty))
            realised = (px - avg) * closed * (1 if qty > 0 else -1)
            if abs(du) > abs(qty):
                p[1] = px
                self.flips += 1
            elif qty + du == 0:
                p[1] = 0.0
        p[0] = qty + du
        return realised

    def legs(self, sid, side):
        """The strategy's orders: (client_id, instrument, side, units, price, tp, sl); None: skipped."""
        pre = "%s-%d-" % (client_prefix(self.svc), sid)
        if self.cfg["strategy"] == "depth":
            qt = self.quotes.get("EUR_USD")
            if qt is None:
                return [(pre + "0", "EUR_USD", side, UNITS, None, None, None)]
            bid, ask = qt[0], qt[1]
            if side == "b":       # reference 6.3: TP = ask * 1.0011, SL = bid - 0.001 * ask
                return [(pre + "0", "EUR_USD", "b", UNITS, ask, round(ask * 1.0011, 5), round(bid - 0.001 * ask, 5))]
            return [(pre + "0", "EUR_USD", "s", UNITS, bid, round(bid * (1 - 0.0011), 5), round(ask + 0.001 * bid, 5))]
        ej, uj = self.quotes.get("EUR_JPY"), self.quotes.get("USD_JPY")
        if ej is None or uj is None:
            return None
        # reference 6.2: pip 0.001, TP +-0.0007, SL -+0.0003 of the other side
        def exits(sd, bid, ask):
            if sd == "b":
                return ask, round(ask * (1 + 0.0007), 3), round(bid - 0.0003 * ask, 3)
            return bid, round(bid * (1 - 0.0007), 3), round(ask + 0.0003 * bid, 3)
        if side == "b":   # long EUR/USD: buy EUR_JPY, sell the yen it cost in USD_JPY
            n2 = round(UNITS * ej[1] / uj[0])
            return [(pre + "0", "EUR_JPY", "b", UNITS) + exits("b", ej[0], ej[1]),
                    (pre + "1", "USD_JPY", "s", n2) + exits("s", uj[0], uj[1])]
        n2 = round(UNITS * ej[0] / uj[1])
        return [(pre + "0", "EUR_JPY", "s", UNITS) + exits("s", ej[0], ej[1]),
                (pre + "1", "USD_JPY", "b", n2) + exits("b", uj[0], uj[1])]

    def order_row(self, leg, sid, state, reason):
        cid, inst, side, units, price, tp, sl = leg
        self.rows.append(("order", dict(client_id=cid, signal_id=sid, instrument=inst, side=side, units=units,
                                        quote_price=price, take_profit=tp, stop_loss=sl, order_state=state,
                                        reason=reason)))

    def fill(self, leg, sid):
        """Paper FOK at the top; True when filled."""
        cid, inst, side, units = leg[:4]
        bid, ask, bliq, aliq, cbid, cask, tradeable = self.quotes[inst]
        shown = aliq if side == "b" else bliq
        if (cbid > 0 or cask > 0) and not tradeable:
            self.n["rejected"] += 1
            self.order_row(leg, sid, "rejected", "%s not tradeable now" % inst)
            return
        if 0 < shown < units:
            self.n["rejected"] += 1
            self.order_row(leg, sid, "rejected", "FOK: %d units > %d at the top" % (units, shown))
            return
        slip = self.cfg["slip"] / 1e4
        px = ask * (1 + slip) if side == "b" else bid * (1 - slip)
        r = self.rate(inst[-3:])
        fee = units * px * self.cfg["fee"] / 1e4 * r
        realised = self.net(inst, units if side == "b" else -units, px) * r - fee
        p = self.pos[inst]
        p[2] += realised
        p[3] += fee
        self.n["fills"] += 1
        self.order_row(leg, sid, "filled", "")
        self.rows.append(("fill", dict(client_id=cid, signal_id=sid, instrument=inst, side=side, units=units,
                                       fill_price=px, fee=fee, realised_pl=realised)))

    def signal(self, t, sid, side):
        self.n["signals"] += 1
        if sid <= self.last_id:
            self.n["duplicates"] += 1
            return
        self.last_id = sid
        day = t // (86400 * SEC)
        if day != self.day:
            self.day, self.day_start, self.halted = day, self.total(), False
        loss = self.day_start - self.total()
        if not self.halted and loss > self.cfg["loss"]:
            self.halted, self.halted_loss = True, loss
        legs = self.legs(sid, side)
        if legs is None:
            self.n["no_quote"] += 1
            return
        why = None
        for leg in legs:
            if leg[1] not in self.quotes:
                why, count = "no quote of " + leg[1], "no_quote"
                break
        if why is None:
            for leg in legs:
                p = self.pos.setdefault(leg[1], [0.0, 0.0, 0.0, 0.0])
                du = leg[3] if leg[2] == "b" else -leg[3]
                if abs(p[0] + du) <= abs(p[0]):
                    continue                    # reducing: always allowed
                if self.halted:
                    why, count = "halted: daily loss", "loss"
                    break
                if abs(p[0] + du) > self.cfg["max_pos"]:
                    why, count = "max_position", "position"
                    break
        if why is None:
            self.recent = [x for x in self.recent if x > t - 60 * SEC]
            if len(self.recent) + len(legs) > self.cfg["rate"]:
                why, count = "max_orders_per_minute", "rate"
        if why is not None:
            self.n[count] += 1 if count == "no_quote" else len(legs)
            self.n["orders"] += len(legs)
            for leg in legs:
                self.order_row(leg, sid, "refused", why)
                if leg[1] in self.pos:
                    self.position_row(leg[1])
            return
        self.recent += [t] * len(legs)
        for leg in legs:
            self.n["orders"] += 1
            self.fill(leg, sid)
            self.position_row(leg[1])

    def price(self, e):
        _, inst, bid, ask, bliq, aliq, cbid, cask, tradeable = e
        self.quotes[inst] = (bid, ask, bliq, aliq, cbid, cask, tradeable)

    def flatten(self):
        for inst, p in list(self.pos.items()):
            if p[0] != 0:
                side = "s" if p[0] > 0 else "b"
                leg = ("flatten", inst, side, abs(p[0]), self.quotes[inst][1 if side == "b" else 0], None, None)
                self.n["orders"] += 1
                self.fill(leg, 0)
                self.position_row(inst)


def simulate(scenario, service, stopped=True):
    tr = Trader(service)
    for t, e in events(scenario):
        tr.price(e) if e[0] == "q" else tr.signal(t, t, e[1])
    if stopped and tr.cfg["flatten"]:
        tr.flatten()
    return tr


def status(scenario, service):
    tr = simulate(scenario, service, stopped=False)
    n = tr.n
    text = ("signals %d, orders %d, fills %d, rejected %d, refused %d (position %d, rate %d, loss %d)"
            % (n["signals"], n["orders"], n["fills"], n["rejected"], n["position"] + n["rate"] + n["loss"],
               n["position"], n["rate"], n["loss"]))
    if tr.halted:
        text += ", halted: daily loss %.2f USD > %g" % (tr.halted_loss, tr.cfg["loss"])
    print(text)


# ---- comparing with the store ----

def close(a, b, tol):
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= tol * max(1.0, abs(b))


PRICE_TOL, PL_TOL = 1e-12, 1e-9


def compare(got, want, service):
    """What differs between a stored row and the expected one."""
    bad = []
    for k, v in want.items():
        g = got[k]
        if k == "client_id" and v == "flatten":     # its time is the stop's
            ok = re.fullmatch(re.escape(client_prefix(service)) + r"-\d+-f\d+", g) is not None
        elif k == "reason" and want.get("order_state") == "refused":
            ok = g.startswith(v)                    # the rest says the numbers
        elif isinstance(v, (str, int)) and k != "units":
            ok = g == v
        else:
            ok = close(g, v, PL_TOL if k in ("realised_pl", "unrealised_pl", "fee", "fees") else PRICE_TOL)
        if not ok:
            bad.append("%s: got %r, want %r" % (k, g, v))
    return bad


def rows_of(db, table, service):
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    try:
        rows = [dict(r) for r in con.execute("SELECT * FROM %s WHERE source = ? ORDER BY seq" % table, (service,))]
    finally:
        con.close()
    for r in rows:      # the units column is named after its table (order_units, ...) since schemas 13-17
        for k in [k for k in r if k.endswith("_units")]:
            r["units"] = r.pop(k)
    return rows


def split_positions(got):
    """The positions published after an order (they carry its signal's
    event time, as the order does) and those marked at a quote (the
    quote's: no quote and signal share a time in these captures)."""
    after = {r["event_time"] for r in got["order"]}
    return [p for p in got["position"] if p["event_time"] in after], \
        [p for p in got["position"] if p["event_time"] not in after]


def check_marks(svc, marks, after_orders):
    """A position marked at a quote: what the last order left, valued at a
    bid (long) or an ask (short) of the capture, never flat."""
    fails = 0
    for m in marks:
        before = [p for p in after_orders if p["instrument"] == m["instrument"] and p["seq"] < m["seq"]]
        last = before[-1] if before else {}
        quotes = [e[2:4] for _, e in events_all() if e[0] == "q" and e[1] == m["instrument"]]
        side = 0 if m["units"] > 0 else 1
        ok = (m["units"] != 0 and all(m[k] == last.get(k) for k in ("units", "average_price", "realised_pl", "fees"))
              and any(close(m["mark"], q[side], PRICE_TOL) for q in quotes)
              and (not m["instrument"].endswith("_USD")
                   or close(m["unrealised_pl"], (m["mark"] - m["average_price"]) * m["units"], PL_TOL)))
        if not ok:
            print("  FAIL %s: position marked at a quote %s, after %s" % (svc, m, last))
            fails += 1
    return fails


def events_all():
    return [x for sc in ("main", "limits", "nextday", "killed") for x in events(sc)]


def rows_of_all(db):
    con = sqlite3.connect(db)
    try:
        return [{"source": r[0]} for r in con.execute("SELECT DISTINCT source FROM trade_orders")]
    finally:
        con.close()


def check(scenario, db, services):
    fails = 0
    for svc in services:
        tr = simulate(scenario, svc)
        got = {k: rows_of(db, t, svc) for k, t in (("order", "trade_orders"), ("fill", "trade_fills"),
                                                   ("position", "positions"))}
        got["position"], marks = split_positions(got)
        fails += check_marks(svc, marks, got["position"])
        want = {k: [r for kk, r in tr.rows if kk == k] for k in got}
        for kind in ("order", "fill", "position"):
            g, w = got[kind], want[kind]
            if len(g) != len(w):
                print("  FAIL %s: %d %s rows, want %d" % (svc, len(g), kind, len(w)))
                fails += 1
                continue
            for i, (gr, wr) in enumerate(zip(g, w)):
                bad = compare(gr, wr, svc)
                if bad:
                    print("  FAIL %s %s %d (%s): %s" % (svc, kind, i, wr.get("client_id", wr.get("instrument")),
                                                       "; ".join(bad)))
                    fails += 1
            if any(x["mode"] != "paper" or x.get("currency", "USD") != "USD" for x in g):
                print("  FAIL %s %s: mode or currency not paper/USD" % (svc, kind))
                fails += 1
        if fails == 0:
            print("  ok   %s: %d orders, %d fills, %d positions as computed here, %d marked at quotes" %
                  (svc, len(got["order"]), len(got["fill"]), len(got["position"]), len(marks)))
    # the data covers what it must (else a check above could pass vacuously)
    if scenario == "main":
        t = simulate("main", "tr_tick")
        d = simulate("main", "tr_depth")
        kinds = [r["reason"] for k, r in d.rows if k == "order"]
        need = {"a flip through zero (tick)": t.flips > 0,
                "a FOK rejection (depth)": any(x.startswith("FOK") for x in kinds),
                "an untradeable rejection (depth)": any("tradeable" in x for x in kinds),
                "a no-quote refusal (depth)": any(x.startswith("no quote") for x in kinds),
                "a realised loss and a realised gain": any(r["realised_pl"] < -0.5 for k, r in t.rows + d.rows if k == "fill")
                and any(r["realised_pl"] > 0.5 for k, r in t.rows + d.rows if k == "fill")}
        for what, ok in need.items():
            if not ok:
                print("  FAIL the data lacks " + what)
                fails += 1
    return fails


def killed(db, service):
    """Each signal filled at most once per leg, all of them acted on, and
    the last position of each instrument the sum of its fills (and what an
    uninterrupted run gives)."""
    fails = 0
    fills, orders, pos = rows_of(db, "trade_fills", service), rows_of(db, "trade_orders", service), \
        rows_of(db, "positions", service)
    ids = [f["client_id"] for f in fills]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        print("  FAIL client ids filled twice: %s" % dup[:5])
        fails += 1
    want = simulate("killed", service)
    want_ids = sorted(r["client_id"] for k, r in want.rows if k == "order")
    got_ids = sorted(o["client_id"] for o in orders)
    if got_ids != want_ids:
        print("  FAIL orders: %d stored, %d signals' orders expected (missing %s, extra %s)" % (
            len(got_ids), len(want_ids), sorted(set(want_ids) - set(got_ids))[:3],
            sorted(set(got_ids) - set(want_ids))[:3]))
        fails += 1
    net = {}
    for f in fills:
        net[f["instrument"]] = net.get(f["instrument"], 0) + (f["units"] if f["side"] == "b" else -f["units"])
    last = {}
    for p in sorted(pos, key=lambda p: (p["event_time"], p["seq"])):   # two incarnations: seq restarts
        last[p["instrument"]] = p
    for inst, n in net.items():
        if inst not in last or last[inst]["units"] != n:
            print("  FAIL %s: last position %s, the fills sum to %s" % (inst, last.get(inst, {}).get("units"), n))
            fails += 1
        elif not close(last[inst]["realised_pl"], want.pos[inst][2], PL_TOL):
            print("  FAIL %s: realised %r, an uninterrupted run %r" % (inst, last[inst]["realised_pl"],
                                                                       want.pos[inst][2]))
            fails += 1
        else:
            print("  ok   %s: position %g = the sum of %d fills = an uninterrupted run's" % (
                inst, n, len(fills)))
    if not net:
        print("  FAIL no fills")
        fails += 1
    return fails


def main():
    cmd = sys.argv[1]
    if cmd == "gen":
        gen(sys.argv[2], sys.argv[3])
    elif cmd == "status":
        status(sys.argv[2], sys.argv[3])
    elif cmd == "stored":
        n = 0
        try:
            for svc in {r["source"] for r in rows_of_all(sys.argv[2])}:
                got = {k: rows_of(sys.argv[2], t, svc) for k, t in (("order", "trade_orders"),
                                                                    ("fill", "trade_fills"), ("position", "positions"))}
                n += len(got["order"]) + len(got["fill"]) + len(split_positions(got)[0])
        except sqlite3.Error:
            pass                # not created yet
        print(n)
    elif cmd in ("rows", "rows-running"):
        print(sum(len(simulate(sys.argv[2], svc, cmd == "rows").rows) for svc in sys.argv[3:]))
    elif cmd == "check":
        sys.exit(1 if check(sys.argv[2], sys.argv[3], sys.argv[4:]) else 0)
    elif cmd == "killed":
        sys.exit(1 if killed(sys.argv[2], sys.argv[3]) else 0)
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
