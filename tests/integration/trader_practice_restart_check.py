#!/usr/bin/python3
"""trader_practice_restart_check.py - inputs and checks for
trader_practice_restart.sh.

  trader_practice_restart_check.py gen SIGNALS PRICES
      the captures of trader_practice_check.py cut to one signal (a buy of
      1000 EUR_USD) and its quotes.
  trader_practice_restart_check.py filled FAKE_URL DB STATE
      after the trader was killed with its order in flight and restarted:
      the fake saw one POST of it, then the restarted trader's lookup by
      client id and the fetch of the fill's transaction, and no second
      POST; the trader stored that fill (the fake's units, price and
      transaction id), the order as filled, the position equal to the
      fill; STATE (its state file) has nothing in flight.
  trader_practice_restart_check.py add-unknown STATE CLIENT_ID
      adds to the state file an order in flight that the fake never saw.
  trader_practice_restart_check.py not-placed FAKE_URL DB STATE CLIENT_ID
      after a start with that state: the fake saw the lookup (404) and no
      POST of CLIENT_ID; the trader stored the order as rejected, not
      placed; no fill of it; the position is still the first fill's.
"""
import json
import os
import sqlite3
import sys
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import trader_practice_check as tp  # noqa: E402

FAILS = []


def expect(cond, what):
    print("  %s %s" % ("ok  " if cond else "FAIL", what))
    if not cond:
        FAILS.append(what)


def gen(signals_path, prices_path):
    tp.SIGNAL_IDS[:] = tp.SIGNAL_IDS[:1]
    tp.SIDES[:] = ["b"]
    tp.gen(signals_path, prices_path)


def fake_state(fake):
    return json.load(urllib.request.urlopen(fake + "/_orders/state", timeout=10))


def in_flight(state_path):
    with open(state_path) as f:
        return json.load(f)["in_flight"]


def last_position(con):
    rows = con.execute("SELECT position_units FROM positions WHERE instrument = 'EUR_USD' "
                       "ORDER BY rowid DESC LIMIT 1").fetchall()
    return rows[0][0] if rows else None


def filled(fake, db, state_path):
    st = fake_state(fake)
    posts = [r for r in st["requests"] if r["method"] == "POST"]
    expect(len(posts) == 1, "one POST in all (%d)" % len(posts))
    if not posts:
        return
    cid = posts[0]["client_id"]
    order = st["orders"].get(cid, {})
    txn = order.get("fillingTransactionID")
    expect(order.get("state") == "FILLED" and txn, "the fake filled %s (%s)" % (cid, order.get("state")))
    paths = [r["path"] for r in st["requests"]]
    lookup = "/orders/@" + cid
    looked = [i for i, p in enumerate(paths) if p.endswith(lookup)]
    expect(looked and looked[0] > paths.index(posts[0]["path"]), "the client id looked up after the POST")
    expect(any(p.endswith("/transactions/%s" % txn) for p in paths), "the fill's transaction %s fetched" % txn)
    con = sqlite3.connect(db)
    fills = con.execute("SELECT client_id, side, fill_units, fill_price, broker_id FROM trade_fills").fetchall()
    # the fake fills a buy at its quote's ask
    expect(fills == [(cid, "b", 1000.0, tp.ASK, txn)], "the fill stored: %r" % (fills,))
    states = con.execute("SELECT order_state FROM trade_orders WHERE client_id = ?", (cid,)).fetchall()
    expect(states == [("filled",)], "the order stored once, filled: %r" % (states,))
    expect(last_position(con) == 1000.0, "the position equals the fill: %r" % last_position(con))
    expect(in_flight(state_path) == [], "nothing in flight in the state: %r" % in_flight(state_path))


def add_unknown(state_path, cid):
    with open(state_path) as f:
        s = json.load(f)
    sid = tp.SIGNAL_IDS[0] + 10**9
    s["in_flight"].append({"client_id": cid, "signal_id": sid, "instrument": "EUR_USD", "side": "s",
                           "units": 1000, "price": tp.BID, "rate": 1, "event_ns": sid, "recv_ns": sid})
    with open(state_path, "w") as f:
        json.dump(s, f)


def not_placed(fake, db, state_path, cid):
    reqs = fake_state(fake)["requests"]
    gets = [r["status"] for r in reqs if r["method"] == "GET" and r["path"].endswith("/orders/@" + cid)]
    expect(gets == [404], "%s looked up once, 404: %r" % (cid, gets))
    posts = [r for r in reqs if r["method"] == "POST" and r["client_id"] == cid]
    expect(not posts, "%s never POSTed (%d)" % (cid, len(posts)))
    con = sqlite3.connect(db)
    rows = con.execute("SELECT order_state, reason FROM trade_orders WHERE client_id = ?", (cid,)).fetchall()
    expect(len(rows) == 1 and rows[0][0] == "rejected" and "not placed" in rows[0][1],
           "stored as rejected, not placed: %r" % (rows,))
    n = con.execute("SELECT count(*) FROM trade_fills WHERE client_id = ?", (cid,)).fetchone()[0]
    expect(n == 0, "no fill of it (%d)" % n)
    expect(last_position(con) == 1000.0, "the position still the first fill's: %r" % last_position(con))
    expect(in_flight(state_path) == [], "nothing in flight in the state: %r" % in_flight(state_path))


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    {"gen": gen, "filled": filled, "add-unknown": add_unknown, "not-placed": not_placed}[cmd](*args)
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
