#!/usr/bin/python3
"""basket_check.py - S4 messages for the basket kind and the check of what it
stored, from the originals' formulas (reference 6.1, as docs/trading.md
fixes them) computed here.

  basket_check.py gen CAPTURE      a capture of eurusd_depth messages (replay kind)
  basket_check.py check SQLITE     the table basket against those messages

The messages are written by hand: both spread conditions with EUR- and
USD-quoted pairs (the EUR branch is where variant A crashed), legs quoted in
different currencies (where the originals' sides were wrong), pairs the
originals mis-named or gave a stale cross (DOTEUR, USDTEUR, a GBP or XBT
quote, a dark-pool .d pair, the EURUSD pair itself, the first message's
empty t0), messages that give DEPTH only (no negative spread, a spread of
exactly 0) and bad ones that give nothing.  Each says by hand what it must
give: "skip", "depth", "no_cross", or the sides (T0, CROSS_T0, T1, CROSS_T1)
of its BASKET records."""
import math
import os
import sqlite3
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import capture  # noqa: E402


# pair -> (its cross, quoted in EUR), by hand; pairs not here have no cross
CROSS = {
    "XXBTZEUR": ("XXBTZUSD", True), "XXBTZUSD": ("XXBTZEUR", False),
    "XETHZEUR": ("XETHZUSD", True), "XETHZUSD": ("XETHZEUR", False),
    "DOTEUR": ("DOTUSD", True), "DOTUSD": ("DOTEUR", False),
    "DASHEUR": ("DASHUSD", True), "USDTEUR": ("USDTUSD", True),
    "MATICEUR": ("MATICUSD", True), "SHIBEUR": ("SHIBUSD", True),
}
BOOK = {    # pair -> (bid, bid volume, ask, ask volume)
    "XXBTZEUR": (27700.1, 0.5, 27702.5, 1.25), "XXBTZUSD": (32150.2, 0.75, 32153.9, 2.0),
    "XETHZEUR": (1801.23, 3.5, 1801.87, 4.0), "XETHZUSD": (2090.11, 2.5, 2090.95, 1.5),
    "DOTEUR": (4.5123, 120.0, 4.5188, 80.5), "DOTUSD": (5.2391, 95.0, 5.2455, 60.0),
    "DASHEUR": (28.914, 10.0, 28.95, 12.0), "USDTEUR": (0.86123, 5000.0, 0.86177, 4200.0),
    "MATICEUR": (0.41234, 900.0, 0.41301, 1100.0), "SHIBEUR": (0.00912, 1e6, 0.00915, 2e6),
    "XXBTZGBP": (24100.5, 0.3, 24105.1, 0.4), "XETHXXBT": (0.05321, 7.0, 0.05325, 6.0),
    "XXBTZEUR.d": (27700.0, 1.0, 27705.0, 1.0), "ZEURZUSD": (1.16012, 1e4, 1.16031, 2e4),
    "": (0.0, 0.0, 0.0, 0.0),   # the first message's t0
}
# synthetic EURUSD (bid, ask) at t0 and t1
ASK_NEG = ((1.16400, 1.16480), (1.16290, 1.16350))   # spread_t_ask -0.0005
BID_NEG = ((1.16290, 1.16350), (1.16400, 1.16480))   # spread_t_bid -0.0005
NONE_NEG = ((1.16300, 1.16400), (1.16320, 1.16420))
ASK_ZERO = ((1.16400, 1.16480), (1.16300, 1.16400))  # spread_t_ask exactly 0
BOTH_NEG = ((1.16500, 1.16300), (1.16500, 1.16300))  # crossed quotes: both < 0
FIRST = ((0.0, 0.0), (1.16290, 1.16350))             # no t0 yet: spread_t_bid < 0

B_A_S_B = ("BUY", "SELL", "SELL", "BUY")
S_B_B_S = ("SELL", "BUY", "BUY", "SELL")
S_B_S_B = ("SELL", "BUY", "SELL", "BUY")
B_S_B_S = ("BUY", "SELL", "BUY", "SELL")

# (t0, t1, EURUSD quotes, what it gives[, field -> value overriding the book])
MESSAGES = [
    ("", "XXBTZEUR", FIRST, "no_cross"),
    # spread_t_ask < 0: t1 buys EURUSD at its ask, t0 sells it at its bid
    ("XXBTZEUR", "XETHZEUR", ASK_NEG, [B_A_S_B]),      # variant A crashed here
    ("XXBTZUSD", "XETHZUSD", ASK_NEG, [S_B_B_S]),
    ("XXBTZUSD", "XXBTZEUR", ASK_NEG, [S_B_S_B]),      # the originals: BUY SELL SELL BUY
    ("XXBTZEUR", "XXBTZUSD", ASK_NEG, [B_S_B_S]),      # the originals: SELL BUY BUY SELL
    # spread_t_bid < 0: t0 buys EURUSD at its ask, t1 sells it at its bid
    ("DASHEUR", "DOTEUR", BID_NEG, [S_B_B_S]),         # the originals: two BASKETs
    ("USDTEUR", "DOTUSD", BID_NEG, [S_B_S_B]),
    ("XETHZUSD", "XXBTZUSD", BID_NEG, [B_A_S_B]),
    # a leg without a cross: no SNAPSHOT, no BASKET
    ("XXBTZEUR", "XXBTZGBP", ASK_NEG, "no_cross"),
    ("XETHXXBT", "XETHZEUR", BID_NEG, "no_cross"),
    ("XXBTZEUR", "XXBTZEUR.d", ASK_NEG, "no_cross"),
    ("XXBTZUSD", "ZEURZUSD", ASK_NEG, "no_cross"),
    # DEPTH only
    ("XXBTZEUR", "XXBTZGBP", NONE_NEG, "depth"),
    ("DOTEUR", "XXBTZEUR", ASK_ZERO, "depth"),
    ("XETHZEUR", "XETHZUSD", NONE_NEG, "depth"),
    # both spreads < 0: one SNAPSHOT, a BASKET for each
    ("MATICEUR", "SHIBEUR", BOTH_NEG, [B_A_S_B, S_B_B_S]),
    # bad input: nothing
    ("XXBTZEUR", "XETHZEUR", ASK_NEG, "skip", {"bid_t1": 0.0}),
    ("XXBTZEUR", "", ASK_NEG, "skip"),
    ("XXBTZEUR", "XETHZEUR", ASK_NEG, "skip", {"ask_volume_t1": -1.0}),
    ("XXBTZEUR", "XETHZUSD", ASK_NEG, "skip", {"ask_t0": -5.0}),
]
T0 = 1700000000 * 10**9
COUNTERS = "depth 16, snapshots 8, baskets 9, no_cross 5, skipped 4"   # by hand from the list
NAMES = ("eurusd_bid_t0", "eurusd_ask_t0", "bid_t0", "bid_volume_t0", "ask_t0", "ask_volume_t0",
         "eurusd_bid_t1", "eurusd_ask_t1", "bid_t1", "bid_volume_t1", "ask_t1", "ask_volume_t1")


def values(msg):
    """The S4 numbers of a message, by name."""
    t0, t1, ((B0, A0), (B1, A1)), _ = msg[:4]
    (b0, bv0, a0, av0), (b1, bv1, a1, av1) = BOOK[t0], BOOK[t1 or "XETHZEUR"]   # no t1: a sane book
    v = dict(zip(NAMES, (B0, A0, b0, bv0, a0, av0, B1, A1, b1, bv1, a1, av1)))
    v.update(msg[4] if len(msg) > 4 else {})
    return v


def gen(path):
    recs = []
    for seq, msg in enumerate(MESSAGES, 1):
        v = values(msg)
        t = T0 + seq * 10**6
        recs.append((t + 1000, "kr_eurusd_depth", [5, 1, "kraken_EURUSD_depth", seq, t, 1000, msg[0]]
                     + [v[n] for n in NAMES[:6]] + [msg[1]] + [v[n] for n in NAMES[6:]]))
    capture.write(path, recs)


def cross(pair, B, A, b, a):
    """The cross and its implied bid and ask: coin sold at its bid and the
    proceeds converted at the rate that pays (EUR->USD at the EURUSD bid,
    USD->EUR at the ask), coin bought at its ask likewise; full precision."""
    name, eur = CROSS[pair]
    return (name, b * B, a * A) if eur else (name, b / A, a / B)


def expected():
    rows = []
    for seq, msg in enumerate(MESSAGES, 1):
        t0, t1, _, gives = msg[:4]
        if gives == "skip":
            continue
        v = values(msg)
        spreads = (round(v["eurusd_ask_t1"] - v["eurusd_bid_t1"], 5),
                   round(v["eurusd_ask_t0"] - v["eurusd_bid_t1"], 5),
                   round(v["eurusd_ask_t1"] - v["eurusd_bid_t0"], 5))
        common = (t0, *(v[n] for n in NAMES[:6]), t1, *(v[n] for n in NAMES[6:]), *spreads)
        nothing = ("", None, None, "", None, None)
        t = T0 + seq * 10**6    # the message's event time, as the sink writes it
        t = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t // 10**9)) + ".%06dZ" % (t % 10**9 // 1000)
        rows.append((t, "DEPTH", *common, *nothing, "", "", "", ""))
        if isinstance(gives, str):
            continue
        crosses = (*cross(t0, v["eurusd_bid_t0"], v["eurusd_ask_t0"], v["bid_t0"], v["ask_t0"]),
                   *cross(t1, v["eurusd_bid_t1"], v["eurusd_ask_t1"], v["bid_t1"], v["ask_t1"]))
        rows.append((t, "SNAPSHOT", *common, *crosses, "", "", "", ""))
        for sides in gives:
            rows.append((t, "BASKET", *common, *crosses, *sides))
    return rows


def check(db):
    cols = ("msgtype, instrument_t0, kraken_eurusd_depth_bid_5_t0, kraken_eurusd_depth_ask_5_t0,"
            " bid_t0, bid_volume_t0, ask_t0, ask_volume_t0, instrument_t1,"
            " kraken_eurusd_depth_bid_5_t1, kraken_eurusd_depth_ask_5_t1, bid_t1, bid_volume_t1,"
            " ask_t1, ask_volume_t1, spread_depth, spread_depth_t_bid, spread_depth_t_ask,"
            " instrument_t0_cross, bid_t0_cross, ask_t0_cross, instrument_t1_cross, bid_t1_cross,"
            " ask_t1_cross, side_t0, side_cross_t0, side_t1, side_cross_t1")
    got = sqlite3.connect(db).execute(
        f"SELECT event_time, {cols} FROM basket ORDER BY seq").fetchall()
    want = expected()
    fails = 0
    if len(got) != len(want):
        print(f"FAIL basket: {len(got)} rows, expected {len(want)}")
        fails += 1
    for g, w in zip(got, want):
        if tuple(g) != w or any(isinstance(x, float) and math.isnan(x) for x in g):
            print(f"FAIL basket row {g}\n     expected   {w}")
            fails += 1
    kinds = {k: sum(1 for w in want if w[1] == k) for k in ("DEPTH", "SNAPSHOT", "BASKET")}
    print(("ok   " if not fails else "FAIL ")
          + f"basket: {len(got)} rows ({kinds}) as the fixed formulas say")
    return fails


if __name__ == "__main__":
    if sys.argv[1] == "gen":
        gen(sys.argv[2])
    elif sys.argv[1] == "counters":
        print(COUNTERS)
    else:
        sys.exit(1 if check(sys.argv[2]) else 0)
