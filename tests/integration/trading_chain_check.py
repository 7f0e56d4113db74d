#!/usr/bin/python3
"""trading_chain_check.py - the whole trading chain computed here, from the
same inputs the test replays, with the formulas of the docs and references
written out again (none read from nbpy):

  Kraken books (XXBTZEUR, XXBTZUSD) -> synthetic EURUSD from depth (reference
  4.5: bid = USD bid / EUR ask, ask = USD ask / EUR bid, rounded to 5; the
  first quote only becomes t0) -> signals (docs/trading.md: t_bid, t_ask,
  oanda_ask, oanda_bid) -> a paper trader, depth strategy (buy at the ask,
  sell at the bid, slippage and fee in bps, FOK against the quote's
  liquidity, max_position) -> positions netted with an average price,
  realised and unrealised PnL (next-capabilities 3.2).

  trading_chain_check.py gen CAPTURE        the feed: books and OANDA quotes
  trading_chain_check.py records            how many records the feed has
  trading_chain_check.py expect             the trader's counters: NAME N pairs
  trading_chain_check.py check SIGNALS.sqlite TRADER.sqlite
"""
import math
import os
import random
import sqlite3
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import capture  # noqa: E402

T0 = 1_700_000_000 * 10**9
STEP = 250 * 10**6          # between two records: the chain has 250 ms per step
THRESHOLD = 0.003
UNITS = 1000
SLIPPAGE_BPS = 1.0
FEE_BPS = 0.5
MAX_POSITION = 2000


def events():
    """("q", bid, ask, liquidity) OANDA EUR_USD quotes and ("b", pair, bid, ask)
    Kraken books, in order; a seeded walk with jumps of the synthetic rate
    larger than the threshold, and OANDA lagging behind it."""
    rng = random.Random(16)
    out = [("q", 1.10000, 1.10020, 1_000_000),
           ("b", "XXBTZEUR", 50000.0, 50010.0), ("b", "XXBTZUSD", 55000.0, 55010.0)]
    eur, usd, fx = 50000.0, 55000.0, 1.1001
    for i in range(36):
        if i % 3 == 2:      # OANDA follows the synthetic rate, late
            fx = round(usd / eur, 4)
            liq = 500 if i == 17 else 1_000_000     # once too thin for 1000 units: FOK
            out.append(("q", round(fx - 0.0001, 5), round(fx + 0.0001, 5), liq))
            continue
        jump = rng.choice([-1, 1]) * rng.choice([0.0, 0.001, 0.004, 0.006])
        if i % 2:
            usd = round(usd * (1 + jump), 1)
            out.append(("b", "XXBTZUSD", usd, usd + 10.0))
        else:
            eur = round(eur * (1 - jump), 1)
            out.append(("b", "XXBTZEUR", eur, eur + 10.0))
    return out


def times():
    return [T0 + (k + 1) * STEP for k in range(len(events()))]


def gen(path):
    recs, seq = [], {"kr_depth": 0, "EUR_USD": 0}
    for t, e in zip(times(), events()):
        if e[0] == "q":
            seq["EUR_USD"] += 1
            _, bid, ask, liq = e
            msg = [6, 1, "oandav20_tick_topic", seq["EUR_USD"], t, 1000, "EUR_USD", bid, ask, liq, liq,
                   bid, ask, 1]
            recs.append((t + 1000, "EUR_USD", msg))
        else:
            seq["kr_depth"] += 1
            _, pair, bid, ask = e
            msg = [2, 1, "kraken_depth", seq["kr_depth"], t, 1000, pair, [[bid, 1.5, t]], [[ask, 2.5, t]]]
            recs.append((t + 1000, "kr_depth", msg))
    capture.write(path, recs)


def synthetic():
    """S4 messages (event time, t0 and t1 EURUSD bid/ask, spreads) and, in
    the same order, the OANDA quote in force for each."""
    books, last, out, quote = {}, None, [], None
    for t, e in zip(times(), events()):
        if e[0] == "q":
            quote = e
            continue
        books[e[1]] = (e[2], e[3])
        if len(books) < 2:
            continue
        (ub, ua), (eb, ea) = books["XXBTZUSD"], books["XXBTZEUR"]
        bid, ask = ub / ea, ua / eb
        if not (1.0 <= bid <= 3.0 and 1.0 <= ask <= 3.0):
            continue
        cur = (round(bid, 5), round(ask, 5))
        if last is not None:
            b0, a0 = last
            b1, a1 = cur
            out.append((t, b0, a0, b1, a1, round(a0 - b1, 5), round(a1 - b0, 5), quote))
        last = cur
    return out


def signals():
    """(id, rule, side, price) by the rules of docs/trading.md, ids made strictly increasing."""
    out, prev = [], 0
    for t, b0, a0, b1, a1, t_bid, t_ask, q in synthetic():
        fired = []
        if t_bid < -THRESHOLD:
            fired.append(("t_bid", "b", a1))
        if t_ask < -THRESHOLD:
            fired.append(("t_ask", "s", b1))
        if q is not None and q[2] < b1:
            fired.append(("oanda_ask", "b", q[2]))
        if q is not None and q[1] > a1:
            fired.append(("oanda_bid", "s", q[1]))
        for rule, side, price in fired:
            sid = t if t > prev else prev + 1
            prev = sid
            out.append((sid, rule, side, price, q))
    return out


class Position:
    """Netting (next-capabilities 3.2): signed units q, average price A."""

    def __init__(self):
        self.q, self.avg, self.realised, self.fees = 0.0, 0.0, 0.0, 0.0

    def fill(self, dq, px, fee):
        realised = 0.0
        if self.q == 0 or (self.q > 0) == (dq > 0):
            self.avg = (self.avg * abs(self.q) + px * abs(dq)) / abs(self.q + dq)
        else:
            closed = min(abs(dq), abs(self.q))
            realised = (px - self.avg) * closed * (1 if self.q > 0 else -1)
            if abs(dq) > abs(self.q):
                self.avg = px
        self.q += dq
        if self.q == 0:
            self.avg = 0.0
        realised -= fee
        self.realised += realised
        self.fees += fee
        return realised


def trade():
    """Orders (signal id, side, state), fills (signal id, side, units, price,
    fee, realised) and the final position, marked at the last quote."""
    pos, orders, fills = Position(), [], []
    for sid, rule, side, price, q in signals():
        _, bid, ask, liq = q
        dq = UNITS if side == "b" else -UNITS
        new = pos.q + dq
        if abs(new) > MAX_POSITION and abs(new) > abs(pos.q):
            orders.append((sid, side, "refused"))
            continue
        if 0 < liq < UNITS:
            orders.append((sid, side, "rejected"))
            continue
        px = ask * (1 + SLIPPAGE_BPS / 1e4) if side == "b" else bid * (1 - SLIPPAGE_BPS / 1e4)
        fee = UNITS * px * FEE_BPS / 1e4
        orders.append((sid, side, "filled"))
        fills.append((sid, side, UNITS, px, fee, pos.fill(dq, px, fee)))
    last_q = [e for e in events() if e[0] == "q"][-1]
    mark = last_q[1] if pos.q > 0 else last_q[2]
    unrealised = (mark - pos.avg) * pos.q if pos.q else None
    return orders, fills, pos, unrealised


def expect():
    orders, fills, pos, _ = trade()
    states = [o[2] for o in orders]
    print(f"signals {len(signals())} orders {len(orders)} fills {states.count('filled')} "
          f"rejected {states.count('rejected')}")


def close(a, b):
    return a is not None and b is not None and math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-9)


def check(sig_db, trader_db):
    fails = 0

    def ok(what, cond, detail=""):
        nonlocal fails
        print(("  ok   " if cond else "  FAIL ") + what + ("" if cond else f": {detail}"))
        fails += 0 if cond else 1

    want_sig = signals()
    with sqlite3.connect(sig_db) as db:
        got = db.execute("SELECT signal_id, rule, side, price FROM signals ORDER BY seq").fetchall()
    ok(f"{len(want_sig)} signals, each with its rule, side and price",
       [(s[0], s[1], s[2]) for s in want_sig] == [(g[0], g[1], g[2]) for g in got]
       and all(close(s[3], g[3]) for s, g in zip(want_sig, got)),
       f"want {[s[:4] for s in want_sig]}, got {got}")
    orders, fills, pos, unrealised = trade()
    with sqlite3.connect(trader_db) as db:
        got_o = db.execute("SELECT signal_id, side, order_state FROM trade_orders ORDER BY seq").fetchall()
        got_f = db.execute("SELECT signal_id, side, fill_units, fill_price, fee, realised_pl, currency, mode"
                           " FROM trade_fills ORDER BY seq").fetchall()
        last = db.execute("SELECT position_units, average_price, realised_pl, fees, mark, unrealised_pl"
                          " FROM positions WHERE instrument = 'EUR_USD' ORDER BY seq DESC LIMIT 1").fetchone()
    ok(f"{len(orders)} orders: {sum(o[2] == 'filled' for o in orders)} filled, "
       f"{sum(o[2] == 'rejected' for o in orders)} rejected (FOK), "
       f"{sum(o[2] == 'refused' for o in orders)} refused (max_position)",
       [tuple(o) for o in orders] == got_o, f"want {orders}, got {got_o}")
    ok(f"{len(fills)} fills: price, fee and realised PnL of each",
       len(fills) == len(got_f) and all(
           w[:3] == g[:3] and close(w[3], g[3]) and close(w[4], g[4]) and close(w[5], g[5])
           and g[6] == "USD" and g[7] == "paper" for w, g in zip(fills, got_f)),
       f"want {fills}, got {got_f}")
    ok("the final position: units, average price, realised PnL, fees",
       last is not None and last[0] == pos.q and (close(last[1], pos.avg) if pos.q else last[1] is None)
       and close(last[2], pos.realised) and close(last[3], pos.fees),
       f"want {(pos.q, pos.avg, pos.realised, pos.fees)}, got {last}")
    ok(f"the final unrealised PnL at the last quote: {unrealised}",
       last is not None and (close(last[5], unrealised) if unrealised is not None else last[5] is None),
       f"got {last}")
    ok("positions equal the sum of the fills",
       last is not None and last[0] == sum(f[2] if f[1] == "b" else -f[2] for f in got_f), f"got {last}")
    kinds = {o[2] for o in orders}
    ok("the data trips every outcome (filled, rejected, refused) and both sides",
       kinds == {"filled", "rejected", "refused"} and {f[1] for f in fills} == {"b", "s"}, f"{kinds}")
    return 1 if fails else 0


if __name__ == "__main__":
    if sys.argv[1] == "gen":
        gen(sys.argv[2])
    elif sys.argv[1] == "records":
        print(len(events()))
    elif sys.argv[1] == "expect":
        expect()
    else:
        sys.exit(check(sys.argv[2], sys.argv[3]))
