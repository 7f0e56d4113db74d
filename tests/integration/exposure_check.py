#!/usr/bin/python3
"""exposure_check.py - books for the exposure kind and the check of what it
stored, from the original's formulas (reference 5.10) computed here.

  exposure_check.py gen CAPTURE      a capture of book_top messages (replay kind)
  exposure_check.py check SQLITE     the table exposure against those books

The pairs are the ones the original sub_kraken_influxdb_depth_base_term.py
crashed on (NameError: neither X...Z nor 6 characters) or split wrongly
(XTZUSD: X...Z by its rule 1, so TZU/USD), next to the ones it handled; base
and term come from the table below, written by hand."""
import os
import sqlite3
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import capture  # noqa: E402


BASE_TERM = {               # pair -> (base, term), by hand
    "XXBTZEUR": ("XBT", "EUR"),     # the original's rule 1
    "BCHEUR": ("BCH", "EUR"),       # its rule 2
    "DOTEUR": ("DOT", "EUR"),
    "XTZUSD": ("XTZ", "USD"),       # the original: TZU / USD
    "XETHXXBT": ("ETH", "XBT"),     # the original crashed on the rest
    "XBTUSDT": ("XBT", "USDT"),
    "USDCUSD": ("USDC", "USD"),
    "ETHUSDC": ("ETH", "USDC"),
    "DASHEUR": ("DASH", "EUR"),
    "USDTZUSD": ("USDT", "USD"),
    "MATICEUR": ("MATIC", "EUR"),
}
PRICES = {"XXBTZEUR": 27700.2, "BCHEUR": 231.45, "DOTEUR": 4.5123, "XTZUSD": 0.7731,
          "XETHXXBT": 0.05321, "XBTUSDT": 95000.5, "USDCUSD": 0.9999, "ETHUSDC": 3301.27,
          "DASHEUR": 28.914, "USDTZUSD": 1.0002, "MATICEUR": 0.41234}
T0 = 1700000000 * 10**9
ROUNDS = 3


def books():
    """(pair, bids, asks) in the order published; levels [price, volume, time_ns], best first."""
    out = []
    for r in range(ROUNDS):
        for i, (pair, p) in enumerate(PRICES.items()):
            step = p * 0.001
            bid = round(p - step * (1 + r), 8)
            ask = round(p + step * (1 + i % 3), 8)
            vol = round(0.125 * (1 + i) + 0.37 * r, 8)
            t = T0 + (r * 100 + i) * 10**6
            bids = [[round(bid - k * step, 8), vol + k, t - k] for k in range(3)]
            asks = [[round(ask + k * step, 8), vol * 2 + k, t - k] for k in range(3)]
            out.append((pair, bids, asks))
    # a side without levels: no top, no exposure
    out.append(("XXBTZEUR", [], [[27800.0, 1.0, T0]]))
    out.append(("DOTEUR", [[4.5, 1.0, T0]], []))
    return out


def gen(path):
    capture.write(path, [(T0 + seq * 10**6 + 1000, "kr_depth",
                          [2, 1, "kraken_depth", seq, T0 + seq * 10**6, 1000, pair, bids, asks])
                         for seq, (pair, bids, asks) in enumerate(books(), 1)])


def expected():
    """The original's point per book: top of each side, base amount = volume,
    term amount = volume * price, tier ids 0."""
    rows = []
    for pair, bids, asks in books():
        if not bids or not asks:
            continue
        (bp, bv, _), (ap, av, _) = bids[0], asks[0]
        base, term = BASE_TERM[pair]
        rows.append((pair, base, term, 0, bp, bv, bv, bv * bp, 0, ap, av, av, av * ap))
    return rows


def check(db):
    cols = ("instrument, base_ccy, term_ccy, bid_tier_id, top_bid, top_bid_volume, bid_base_amount,"
            " bid_term_amount, ask_tier_id, top_ask, top_ask_volume, ask_base_amount, ask_term_amount")
    got = sqlite3.connect(db).execute(f"SELECT {cols} FROM exposure ORDER BY seq").fetchall()
    want = expected()
    fails = 0
    if len(got) != len(want):
        print(f"FAIL exposure: {len(got)} rows, {len(want)} books with both sides")
        fails += 1
    for g, w in zip(got, want):
        if tuple(g) != w:
            print(f"FAIL exposure row {g}\n     expected     {w}")
            fails += 1
    pairs = sorted({w[0] for w in want})
    print(("ok   " if not fails else "FAIL ")
          + f"exposure: {len(got)} rows of {len(pairs)} pairs as the original's formulas say")
    return fails


if __name__ == "__main__":
    if sys.argv[1] == "gen":
        gen(sys.argv[2])
    else:
        sys.exit(1 if check(sys.argv[2]) else 0)
