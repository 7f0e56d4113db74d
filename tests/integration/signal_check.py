#!/usr/bin/python3
"""signal_check.py - the input of the signal.eurusd_depth test and the check
of what it stored, the rules computed here from reference 5.11 and 6.3 as
numbers, with the sides the rules describe.

  signal_check.py gen CAPTURE                 one capture (replay kind) of
      synthetic EURUSD (S4 and S2), OANDA quotes, and a book_top message
  signal_check.py counters THRESHOLD          the STATUS text it must show
  signal_check.py check SQLITE THRESHOLD UNITS the table signals against the rules

The messages are chosen by hand to trip each rule, and not to: a spread
exactly at -threshold, the original publisher's start-up placeholder as t0
(which would fire), bad values (which would fire), an OANDA price equal to
the synthetic one, another instrument's quote, two messages of one time."""
import math
import os
import sqlite3
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import capture  # noqa: E402


T0 = 1700000000 * 10**9
MS = 10**6
BOOKS = [6301.2, 0.5, 6302.0, 1.2]   # any positive top of book: the rules do not read it

# (kind, event ms, values), in the order published.
#   S4/S2: instrument_t0, bid_t0, ask_t0, instrument_t1, bid_t1, ask_t1
#   S4P: the original pub_kraken_EURUSD_depth.py's first message (t0 pair "",
#        synthetic 1.1/1.2, books 0.0001); S2P: pub_kraken_EURUSD.py's
#   OANDA: instrument, bid, ask
MESSAGES = [
    ("S4P", 1, ("", 1.1, 1.2, "XXBTZUSD", 1.25, 1.251)),           # t_bid -0.05: placeholder
    ("S4", 2, ("XXBTZUSD", 1.16, 1.1605, "XXBTZEUR", 1.161, 1.1615)),  # t_bid -0.0005
    ("S4", 3, ("XXBTZEUR", 1.16, 1.1601, "XXBTZUSD", 1.1631, 1.1635)),  # t_bid exactly -0.003
    ("S4", 4, ("XXBTZUSD", 1.163, 1.1635, "XXBTZEUR", 1.16651, 1.167)),  # t_bid -0.00301
    ("S4", 5, ("XXBTZEUR", 1.167, 1.1675, "XXBTZUSD", 1.163, 1.1639)),  # t_ask -0.0031
    ("OANDA", 6, ("GBP_USD", 1.1, 1.1001)),                         # another instrument
    ("S4", 7, ("XXBTZUSD", 1.1618, 1.1622, "XXBTZEUR", 1.162, 1.1625)),  # no quote of EUR_USD yet
    ("OANDA", 8, ("EUR_USD", 1.16, 1.1601)),
    ("S4", 9, ("XXBTZEUR", 1.1618, 1.1622, "XXBTZUSD", 1.162, 1.1625)),  # oanda_ask 1.1601 < 1.162
    ("OANDA", 10, ("EUR_USD", 1.166, 1.1661)),
    ("S4", 11, ("XXBTZUSD", 1.163, 1.164, "XXBTZEUR", 1.163, 1.164)),  # oanda_bid 1.166 > 1.164
    ("S4", 11, ("XXBTZEUR", 1.16, 1.161, "XXBTZUSD", 1.167, 1.1675)),  # same time: t_bid and oanda_ask
    ("S4", 12, ("XXBTZUSD", 1.16, 1.17, "XXBTZEUR", 0.0, 1.1675)),  # bad: bid_t1 0
    ("S4", 13, ("XXBTZEUR", 1.16, -1.16, "XXBTZUSD", 1.167, 1.1675)),  # bad: ask_t0 < 0
    ("OANDA", 14, ("EUR_USD", 0.0, 1.0)),                           # bad: kept 1.166/1.1661
    ("BOOK", 15, ("XXBTZEUR", 5431.0, 5432.1)),                     # not an input schema
    ("S2P", 16, ("", 1.1, 1.2, "XETHZEUR", 1.25, 1.251)),           # t_bid -0.05: placeholder
    ("S2", 17, ("XETHZUSD", 1.16, 1.1605, "XETHZEUR", 1.165, 1.166)),  # t_bid -0.0045; oanda_bid = ask
    ("S4", 9, ("XETHZEUR", 1.1661, 1.1662, "XXBTZUSD", 1.162, 1.1625)),  # an earlier time; oanda_bid
    ("S4", 18, ("XXBTZUSD", 1.16, 1.1662, "XXBTZEUR", 1.1662, 1.1665)),  # t_bid exactly 0; oanda_ask
]


def payload(kind, seq, t, v):
    head = [seq, t, 0]
    if kind in ("S4", "S4P"):
        t0, b0, a0, t1, b1, a1 = v
        books0 = [0.0001] * 4 if kind == "S4P" else BOOKS
        return b"kr_eurusd_depth", [5, 1, "kraken_EURUSD_depth"] + head + [t0, b0, a0] + books0 + [t1, b1, a1] + BOOKS
    if kind in ("S2", "S2P"):
        return b"kr_eurusd_tick", [4, 1, "kraken_EURUSD"] + head + list(v)
    if kind == "OANDA":
        ins, bid, ask = v
        return ins.encode(), [6, 1, "oandav20_tick_topic"] + head + [ins, bid, ask, 1000000, 1000000, bid, ask, 1]
    pair, bid, ask = v
    return b"kr_depth", [2, 1, "kraken_depth"] + head + [pair, [[bid, 1.0, t]], [[ask, 1.0, t]]]


def gen(path):
    recs, seqs = [], {}
    for i, (kind, ms, v) in enumerate(MESSAGES):
        topic, body = payload(kind, 0, T0 + ms * MS, v)
        seqs[topic] = seqs.get(topic, 0) + 1
        body[3] = seqs[topic]
        recs.append((T0 + i * MS, topic, body))
    capture.write(path, recs)


def good(x):
    return math.isfinite(x) and x > 0


def run(threshold, units):
    """The signals and counters the rules give, computed here."""
    rows, last_id = [], 0
    oanda = (None, None)    # bid, ask of EUR_USD
    c = dict(inputs=0, quotes=0, other_quotes=0, signals=0, skipped=0, placeholder=0, bad_value=0, unexpected=0)
    for kind, ms, v in MESSAGES:
        c["inputs"] += 1
        t = T0 + ms * MS
        if kind == "OANDA":
            ins, bid, ask = v
            if ins != "EUR_USD":
                c["other_quotes"] += 1
            elif not (good(bid) and good(ask)):
                c["skipped"] += 1
                c["bad_value"] += 1
            else:
                c["quotes"] += 1
                oanda = (bid, ask)
            continue
        if kind == "BOOK":
            c["skipped"] += 1
            c["unexpected"] += 1
            continue
        t0, b0, a0, t1, b1, a1 = v
        if not all(good(x) for x in (b0, a0, b1, a1)):
            c["skipped"] += 1
            c["bad_value"] += 1
            continue
        if kind in ("S4P", "S2P"):
            c["skipped"] += 1
            c["placeholder"] += 1
            continue
        spread, t_bid, t_ask = round(a1 - b1, 5), round(a0 - b1, 5), round(a1 - b0, 5)
        fired = []
        if t_bid < -threshold:
            fired.append(("t_bid", "b", a1))       # the bid rose above the previous ask: buy
        if t_ask < -threshold:
            fired.append(("t_ask", "s", b1))
        if oanda[1] is not None and oanda[1] < b1:
            fired.append(("oanda_ask", "b", oanda[1]))  # OANDA sells below the synthetic bid
        if oanda[0] is not None and oanda[0] > a1:
            fired.append(("oanda_bid", "s", oanda[0]))
        for rule, side, price in fired:
            last_id = t if t > last_id else last_id + 1
            rows.append((last_id, rule, side, "EUR_USD", float(units), price, threshold, t0, b0, a0, t1, b1, a1,
                         spread, t_bid, t_ask, oanda[0], oanda[1]))
            c["signals"] += 1
    return rows, c


def counters(threshold):
    c = run(threshold, 1)[1]
    print(", ".join(f"{k} {n}" for k, n in c.items()))


def check(db, threshold, units):
    cols = ("signal_id, rule, side, trade_instrument, size, price, threshold, instrument_t0,"
            " kraken_eurusd_depth_bid_5_t0, kraken_eurusd_depth_ask_5_t0, instrument_t1,"
            " kraken_eurusd_depth_bid_5_t1, kraken_eurusd_depth_ask_5_t1, spread_depth,"
            " spread_depth_t_bid, spread_depth_t_ask, oanda_bid, oanda_ask")
    got = sqlite3.connect(db).execute(f"SELECT {cols} FROM signals ORDER BY seq").fetchall()
    want = run(threshold, units)[0]
    fails = 0
    if len(got) != len(want):
        print(f"FAIL threshold {threshold}: {len(got)} signals stored, {len(want)} expected")
        fails += 1
    for g, w in zip(got, want):
        if tuple(g) != w:
            print(f"FAIL signal {g}\n     expected {w}")
            fails += 1
    ids = [g[0] for g in got]
    if ids != sorted(set(ids)):
        print(f"FAIL ids not strictly increasing: {ids}")
        fails += 1
    rules = sorted({w[1] for w in want})
    print(("ok   " if not fails else "FAIL ")
          + f"threshold {threshold}: {len(got)} signals ({', '.join(rules)}) as the rules say")
    return fails


if __name__ == "__main__":
    if sys.argv[1] == "gen":
        gen(sys.argv[2])
    elif sys.argv[1] == "counters":
        counters(float(sys.argv[2]))
    else:
        sys.exit(1 if check(sys.argv[2], float(sys.argv[3]), float(sys.argv[4])) else 0)
