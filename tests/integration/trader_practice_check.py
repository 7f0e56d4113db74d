#!/usr/bin/python3
"""trader_practice_check.py - inputs and checks for trader_practice.sh.

  trader_practice_check.py gen SIGNALS PRICES
      two captures (replay kind): SIGNALS, four signal messages (schema 13)
      of kraken_EURUSD_depth_signal, alternately buy (t_bid) and sell
      (t_ask) 1000 EUR_USD; PRICES, EUR_USD quotes (schema 6) of oanda_tick
      at the fake's own quote (bid 1.08000, ask 1.08021).
  trader_practice_check.py check FAKE_URL DB
      what the fake OANDA saw (its /_orders/state) and what the trader stored
      in the SQLite DB, against the plan:
        plain    one POST, filled;
        timeout  one POST (answered after the client's timeout, filled at
                 the fake), then a lookup by client id: one fill, no
                 second POST;
        500      a POST answered 500 without being processed, a lookup
                 (404), the same client id posted again: one fill;
        margin   one POST, cancelled INSUFFICIENT_MARGIN, never retried.
      Every POST body as OANDA takes it (units signed by the signal's side),
      every fill stored at the fake's price with the fake's transaction id,
      and the final position the signed sum of the fills.
"""
import json
import os
import sqlite3
import sys
import urllib.request

import msgpack

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import capture  # noqa: E402

T0 = 1764500000000000000  # 2025-11-30T10:53:20Z
SIGNAL_IDS = [T0 + k * 10**9 for k in range(1, 5)]
PLAN = ["plain", "timeout", "500", "margin"]
SIDES = ["b", "s", "b", "s"]
BID, ASK = 1.08000, 1.08021


def signal(seq, sid, side):
    """A depth signal as signal.eurusd_depth writes it: t_bid buys at ask_t1,
    t_ask sells at bid_t1 (spreads from the four prices)."""
    if side == "b":
        bid0, ask0, bid1, ask1, rule = 1.0800, 1.0802, 1.0805, 1.0807, "t_bid"
    else:
        bid0, ask0, bid1, ask1, rule = 1.0810, 1.0812, 1.0805, 1.0807, "t_ask"
    price = ask1 if side == "b" else bid1
    return msgpack.packb([13, 1, "kraken_EURUSD_depth_signal", seq, sid, 1000,
                          sid, rule, side, "EUR_USD", 1000.0, price, 0.0,
                          "XXBTZEUR", bid0, ask0, "XXBTZUSD", bid1, ask1,
                          round(ask1 - bid1, 10), round(ask0 - bid1, 10), round(ask1 - bid0, 10), BID, ASK])


def gen(signals_path, prices_path):
    capture.write(signals_path, [(sid + 1000, "kr_eurusd_signal", signal(seq, sid, side))
                                 for seq, (sid, side) in enumerate(zip(SIGNAL_IDS, SIDES), 1)])
    capture.write(prices_path, [(T0 + seq * 10**8 + 1000, "oanda_tick",
                                 [6, 1, "oanda_tick", seq, T0 + seq * 10**8, 1000, "EUR_USD", BID, ASK,
                                  1000000, 1000000, BID - 0.00005, ASK + 0.00005, 1])
                                for seq in range(1, 4)])


def take_profit(side):
    """The depth strategy's take-profit (reference 6.3): 0.11 % beyond the quote."""
    return round(ASK * 1.0011, 5) if side == "b" else round(BID * (1 - 0.0011), 5)


def stop_loss(side):
    """...and its stop-loss: 0.1 % of the other side beyond it."""
    return round(BID - 0.001 * ASK, 5) if side == "b" else round(ASK + 0.001 * BID, 5)


FAILS = []


def expect(cond, what):
    print("  %s %s" % ("ok  " if cond else "FAIL", what))
    if not cond:
        FAILS.append(what)


def check(fake, db):
    state = json.load(urllib.request.urlopen(fake + "/_orders/state", timeout=10))
    reqs = state["requests"]
    posts = [r for r in reqs if r["method"] == "POST"]
    # the orders in the order the fake first saw them (the signals are 1 s
    # apart), each tied to its signal by the trader's own store
    cids = []
    for r in posts:
        if r["client_id"] not in cids:
            cids.append(r["client_id"])
    con = sqlite3.connect(db)
    signal_of = dict(con.execute("SELECT DISTINCT client_id, signal_id FROM trade_orders").fetchall())
    expect(len(cids) == 4 and [signal_of.get(c) for c in cids] == SIGNAL_IDS,
           "one client id per signal, in the signals' order: %s -> %s" % (cids, [signal_of.get(c) for c in cids]))
    if len(cids) != 4:
        return
    for r in posts:
        k = cids.index(r["client_id"])
        o = r["body"]["order"] if isinstance(r["body"], dict) and "order" in r["body"] else {}
        want = {"type": "MARKET", "instrument": "EUR_USD", "units": "1000" if SIDES[k] == "b" else "-1000",
                "timeInForce": "FOK", "positionFill": "DEFAULT", "clientExtensions": {"id": r["client_id"]},
                "takeProfitOnFill": {"price": "%.5f" % take_profit(SIDES[k])},
                "stopLossOnFill": {"price": "%.5f" % stop_loss(SIDES[k])}}
        expect(o == want, "%s order's body %s is %s" % (PLAN[k], json.dumps(o), json.dumps(want)))
        expect(r["content_type"] == "application/json", "%s POST is application/json" % PLAN[k])
        expect(r["client_id"].startswith("nbpy-") and len(r["client_id"]) <= 47,
               "%s: client id %s is nbpy-..., at most 47 bytes" % (PLAN[k], r["client_id"]))

    def seen(k, method=None):
        return [(r["method"], r["status"]) for r in reqs if r["client_id"] == cids[k]
                and (method is None or r["method"] == method)]
    expect(seen(0) == [("POST", 201)], "plain: one POST, filled: %s" % seen(0))
    expect(seen(1) == [("POST", 201), ("GET", 200)],
           "timeout: one POST, then the lookup found it filled, no second POST: %s" % seen(1))
    expect(seen(2) == [("POST", 500), ("GET", 404), ("POST", 201)],
           "500: POST, lookup 404, the same client id posted again: %s" % seen(2))
    expect(seen(3) == [("POST", 201)], "margin: one POST, not retried: %s" % seen(3))
    expect(state["fills"] == 3 and state["cancels"] == 1 and state["rejects"] == 0,
           "the fake filled 3, cancelled 1, refused no duplicate: %s" % {k: state[k] for k in
                                                                        ("fills", "cancels", "rejects")})
    expect(state["bad"] == 0 and state["unauthorized"] == 0, "no malformed or unauthorized request")
    orders = state["orders"]
    fill_txn = {}
    for k in (0, 1, 2):
        o = orders.get(cids[k], {})
        expect(o.get("state") == "FILLED", "%s: FILLED at the fake" % PLAN[k])
        fill_txn[k] = o.get("fillingTransactionID")
    expect(orders.get(cids[3], {}).get("state") == "CANCELLED", "margin: CANCELLED at the fake")

    fills = con.execute("SELECT client_id, side, fill_units, fill_price, broker_id, mode FROM trade_fills").fetchall()
    for k in (0, 1, 2):
        mine = [f for f in fills if f[0] == cids[k]]
        want_price = ASK if SIDES[k] == "b" else BID  # the fake fills at its quote
        expect(len(mine) == 1, "%s: one fill stored (%d)" % (PLAN[k], len(mine)))
        if len(mine) == 1:
            _, side, units, price, broker_id, mode = mine[0]
            expect(side == SIDES[k] and units == 1000 and abs(price - want_price) < 1e-9 and mode == "practice",
                   "%s: fill %s %s at %s in %s, want %s 1000 at %s practice" % (PLAN[k], side, units, price,
                                                                                mode, SIDES[k], want_price))
            expect(broker_id == fill_txn[k], "%s: the fill's broker id %s is the fake's fill transaction %s"
                   % (PLAN[k], broker_id, fill_txn[k]))
    expect(not [f for f in fills if f[0] == cids[3]], "margin: no fill stored")
    rows = con.execute("SELECT client_id, order_state, reason FROM trade_orders").fetchall()
    final = {}
    for cid, st, reason in rows:
        final[cid] = (st, reason)
    for k in (0, 1, 2):
        expect(final.get(cids[k], ("?",))[0] == "filled", "%s: order stored filled: %s" % (PLAN[k],
                                                                                         final.get(cids[k])))
    expect(final.get(cids[3]) == ("rejected", "INSUFFICIENT_MARGIN"),
           "margin: order stored rejected, INSUFFICIENT_MARGIN: %s" % (final.get(cids[3]),))
    pos = con.execute("SELECT position_units FROM positions WHERE instrument = 'EUR_USD' ORDER BY seq DESC LIMIT 1").fetchall()
    expect(pos == [(1000.0,)], "final EUR_USD position +1000 (+1000 -1000 +1000): %s" % pos)


if __name__ == "__main__":
    if sys.argv[1] == "gen":
        gen(sys.argv[2], sys.argv[3])
    else:
        check(sys.argv[2], sys.argv[3])
        sys.exit(1 if FAILS else 0)
