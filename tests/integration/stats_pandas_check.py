#!/usr/bin/python3
"""nbpy-stats against pandas: the ticks, and the check of the tool's outputs.

    stats_pandas_check.py gen DIR ROWS
        DIR/ticks.csv: ROWS FX-like ticks of several instruments, interleaved
        in time order at different rates, with constant stretches, NaN gaps
        (empty cells), time gaps and stretches of volume 0; DIR/store.csv:
        fewer ticks as a store or the wire holds them (no NaN; OANDA prices
        have no price or volume), and the same ticks as a sink.sqlite
        database DIR/store.sqlite (tables kraken_tick and oanda_tick, laid
        out as docs/sinks.md says, DIR/store_kraken.csv and
        DIR/store_oanda.csv: each table's ticks; and kraken_trades, the
        trades of DIR/trades.csv) and as a capture
        DIR/store.cap (kraken_ticker and oanda_price messages, plus trades
        and heartbeats that a read of quotes skips), written by the
        documented formats (docs/wire-format.md, docs/services.md); the
        capture's trades are DIR/trades.csv, their price as bid and ask too
        (a trade is a tick at its price, docs/services.md).
        DIR/stats_store.sqlite: a database as sink.sqlite leaves it after
        storing one tick_stats message of the service kraken_tick_stats
        (the table as docs/sinks.md lays it out), for a backfill to append
        to.
    stats_pandas_check.py check TICKS_CSV OUTPUT WINDOW WINDOW_TIME MIN_PERIODS [...]
        Each group of five: OUTPUT (CSV; *.sqlite: the table tick_stats, its
        rows of one source; *.cap: a capture of tick_stats messages; either
        as PATH@SOURCE, default source nbpy-stats) holds nbpy-stats'
        statistics of TICKS_CSV with those parameters (WINDOW 0: none,
        WINDOW_TIME like 2s or 0, MIN_PERIODS 0: pandas' default), laid out
        as docs/sinks.md and docs/wire-format.md say, numbered 1, 2... in
        output order, at the tick's time;
        pandas 1.5 groupby('instrument').rolling(...) computes them again,
        and every row must agree: count, min and max exactly, mean and vwap
        within 1e-12 relative, std within 1e-9 relative or, near 0, within
        the rounding of the tool's and of pandas' own (STD_ABS, VAR_ABS
        below); NaN exactly where pandas has NaN.
"""
import sqlite3
import struct
import sys
import time
import zlib

import msgpack
import numpy as np
import pandas as pd

MEAN_REL = 1e-12
STD_REL = 1e-9
# A std near 0 cannot be compared relatively, for two reasons.
# The tool's: it computes from the values themselves, and a mid or a spread
# near m is itself rounded by eps * |m| / 2 (mid = (bid + ask) / 2), so its
# std is only defined to about eps * |m| whatever the algorithm: the tool
# may be off by STD_ABS * |mean| = 8 eps * |mean| absolute (1.9e-15 for a
# mid of 1.08: the 1e-15 of the issue, at the instrument's price level;
# 3.5e-20 for a spread of 2e-5, where a std of 6.4e-17 among spreads equal
# but for their last bits was seen off by 2.4e-22).
# pandas': its Welford add/remove rounds the sum of squares M2 by about
# eps * L^2 at each step (L: the largest |value| it sees, here |x - c| of a
# block), and those roundings add up over the steps of a block without
# ever being recomputed; the square root of such a residual is the std it
# prints for a window of equal values (2.9e-13 seen for spreads of 2e-5
# without blocks and shifts, where the tool had 7.9e-17).  So a std also
# passes when its variance is within VAR_ABS * steps * L^2 of pandas' (the
# rounding of the steps of its block, at most 4 eps each).  Blocks are
# short to keep that small: a mid std of 3.5e-6 with L = 3e-4 (the walk of
# 500 ticks) may be off by 4e-20 in var, 1.6e-9 of the std.
BLOCK = 500
VAR_ABS = 4 * np.finfo(float).eps
STD_ABS = 8 * np.finfo(float).eps
STATS = ["mid_mean", "mid_std", "mid_min", "mid_max", "spread_mean", "spread_std",
         "spread_min", "spread_max", "vwap"]

# ---- generation ----

# name, price level, decimals, mean ticks per second
INSTRUMENTS = [("EUR_USD", 1.0812, 5, 40.0), ("GBP_USD", 1.2655, 5, 15.0),
               ("USD_JPY", 149.85, 3, 25.0), ("AUD_USD", 0.6571, 5, 6.0),
               ("XXBTZEUR", 1.0934, 5, 3.0)]


def stretches(rng, n, share, lo, hi):
    """A mask of n rows: stretches of lo..hi rows covering about share."""
    mask = np.zeros(n, dtype=bool)
    if share <= 0:
        return mask
    k = max(1, int(n * share / ((lo + hi) / 2)))
    for s, ln in zip(rng.integers(0, n, k), rng.integers(lo, hi + 1, k)):
        mask[s:s + ln] = True
    return mask


def one_instrument(rng, name, level, dec, rate, n, with_nan):
    scale = 10 ** dec	# prices in integer pips, as quoted
    # arrivals: exponential gaps (at least 1 us), and now and then a pause of
    # 2..30 s, so that time windows empty out
    gaps = rng.exponential(1e9 / rate, n)
    pause = rng.random(n) < 0.002
    gaps[pause] += rng.uniform(2e9, 30e9, int(pause.sum()))
    t = np.cumsum(np.maximum(gaps, 1000).astype(np.int64) // 1000 * 1000) + 1_700_000_000 * 10**9
    # bid: a walk in pips, flat in constant stretches; spread 2..4 pips
    steps = rng.choice([-2, -1, 0, 0, 0, 1, 2], n)
    steps[stretches(rng, n, 0.15, 30, 3000)] = 0
    bid_pips = round(level * scale) + np.cumsum(steps)
    spread = rng.choice([2, 2, 2, 3, 4], n)
    spread[stretches(rng, n, 0.3, 100, 3000)] = 2
    # the double nearest to each quoted decimal, as strtod reads it
    bid = bid_pips / scale
    ask = (bid_pips + spread) / scale
    price = (bid_pips + rng.integers(0, 5, n)) / scale
    # volumes in sixteenths: every sum of them is exact, so pandas' add and
    # remove gets exactly 0 back after a stretch of zeros (its VWAP is then
    # NaN, as the tool's)
    volume = rng.integers(0, 160, n) / 16.0
    volume[stretches(rng, n, 0.05, 20, 2000)] = 0.0
    if with_nan:
        bid[stretches(rng, n, 0.01, 1, 30)] = np.nan
        ask[stretches(rng, n, 0.01, 1, 30)] = np.nan
        price[stretches(rng, n, 0.01, 1, 50)] = np.nan
        volume[stretches(rng, n, 0.005, 1, 10)] = np.nan
    return pd.DataFrame({"instrument": name, "time": t, "bid": bid, "ask": ask,
                         "price": price, "volume": volume})


def ticks(rng, rows, with_nan):
    total = sum(r for _, _, _, r in INSTRUMENTS)
    frames = [one_instrument(rng, name, lvl, dec, rate, int(rows * rate / total) + 1, with_nan)
              for name, lvl, dec, rate in INSTRUMENTS]
    # interleaved in time order (stable: an instrument's own order is kept)
    return pd.concat(frames).sort_values("time", kind="stable").reset_index(drop=True)


def write_csv(df, path):
    df.to_csv(path, index=False, na_rep="")	# repr: reads back exactly


def rfc3339(ns):
    s, frac = divmod(int(ns), 10**9)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(s)) + ".%06dZ" % (frac // 1000)


COMMON = "source TEXT NOT NULL, seq INTEGER NOT NULL, event_time TEXT NOT NULL, recv_time TEXT NOT NULL"
# tick_stats as docs/sinks.md lays it out, with the stores' SQLite types
TICK_STATS_COLUMNS = [("source", "TEXT", 1), ("seq", "INTEGER", 1), ("event_time", "TEXT", 1),
                      ("recv_time", "TEXT", 1), ("instrument", "TEXT", 1), ("window_ticks", "INTEGER", 1),
                      ("window_ns", "INTEGER", 1), ("nobs", "INTEGER", 1)] + [(c, "REAL", 0) for c in STATS]
LIVE_ROW = ["kraken_tick_stats", 7, "2023-11-14T22:13:20.000000Z", "2023-11-14T22:13:20.000100Z",
            "EUR_USD", 20, 0, 20] + [1.5] * len(STATS)
KRAKEN_TICK = ("instrument", "ask_price", "ask_whole_lot_volume", "ask_lot_volume", "bid_price",
               "bid_whole_lot_volume", "bid_lot_volume", "last_trade_price", "last_trade_lot_volume",
               "volume_today", "volume_last_24_hours", "vwap_today", "vwap_last_24_hours",
               "number_of_trades_today", "number_of_trades_last_24_hours", "low_today",
               "low_last_24_hours", "high_today", "high_last_24_hours", "opening_price")
OANDA_TICK = ("instrument", "bid", "ask", "bid_liquidity", "ask_liquidity", "closeout_bid",
              "closeout_ask", "tradeable")
KRAKEN = ("XXBTZEUR", "EUR_USD")	# as kraken_ticker; the rest as oanda_price


def ticker_body(r):
    """kraken_ticker's 20 fields (docs/wire-format.md), the others made up."""
    return [r.instrument, r.ask, 3, 1.5, r.bid, 2, 0.5, r.price, r.volume, 100.0, 200.0, r.price,
            r.price, 10, 20, r.bid, r.bid, r.ask, r.ask, r.price]


def oanda_body(r):
    return [r.instrument, r.bid, r.ask, 1000000, 2000000, r.bid, r.ask, 1]


def write_sqlite(df, trades, path):
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE kraken_tick (%s, %s, UNIQUE (source, seq, event_time))" %
               (COMMON, ", ".join(c + (" TEXT" if c == "instrument" else " REAL") + " NOT NULL"
                                  for c in KRAKEN_TICK)))
    db.execute("CREATE TABLE oanda_tick (%s, %s, UNIQUE (source, seq, event_time, instrument))" %
               (COMMON, ", ".join(c + (" TEXT" if c == "instrument" else " REAL") + " NOT NULL"
                                  for c in OANDA_TICK)))
    kr, oa = [], []
    for seq, r in enumerate(df.itertuples(index=False), 1):
        t = rfc3339(r.time)
        if r.instrument in KRAKEN:
            kr.append(["kraken_tick", seq, t, t] + ticker_body(r))
        else:
            oa.append(["oandav20_tick", seq, t, t] + oanda_body(r))
    db.executemany("INSERT INTO kraken_tick VALUES (%s)" % ",".join("?" * (4 + len(KRAKEN_TICK))), kr)
    db.executemany("INSERT INTO oanda_tick VALUES (%s)" % ",".join("?" * (4 + len(OANDA_TICK))), oa)
    db.execute("CREATE TABLE kraken_trades (%s, instrument TEXT NOT NULL, price REAL NOT NULL, "
               "volume REAL NOT NULL, side TEXT NOT NULL, order_type TEXT NOT NULL, misc TEXT NOT NULL, "
               "trade_id INTEGER NOT NULL, UNIQUE (source, seq, event_time))" % COMMON)
    db.executemany("INSERT INTO kraken_trades VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                   [["kraken_orders", seq, rfc3339(r.time), rfc3339(r.time), r.instrument, r.price, r.volume,
                     "b", "m", "", seq] for seq, r in enumerate(trades.itertuples(index=False), 1)])
    db.commit()
    db.close()


def write_capture(df, trades, path):
    """Version 1 of the format (zlib's CRC-32, which Python has built in)."""
    def record(f, t, topic, msg):
        body = struct.pack("<qB", t, len(topic)) + topic + msgpack.packb(msg)
        f.write(struct.pack("<II", len(body), zlib.crc32(body)) + body)

    trade_rows = list(trades.itertuples(index=False))
    with open(path, "wb") as f:
        f.write(b"NBPYCAP1")
        for seq, r in enumerate(df.itertuples(index=False), 1):
            if r.instrument in KRAKEN:
                record(f, r.time, b"kraken_tick", [1, 1, "kraken_tick", seq, r.time, 5] + ticker_body(r))
            else:
                record(f, r.time, b"oanda_tick", [6, 1, "oandav20_tick", seq, r.time, 5] + oanda_body(r))
            if seq % 10 == 0 and seq // 10 <= len(trade_rows):	# a heartbeat and a trade now and then
                record(f, r.time, b"oanda_heartbeat", [7, 1, "oandav20_tick", seq, r.time, 0, "x"])
                tr = trade_rows[seq // 10 - 1]
                record(f, tr.time, b"kr_trade", [3, 1, "kraken_orders", seq, tr.time, 0, tr.instrument,
                                                 tr.price, tr.volume, "b", "m", "", seq])


def write_stats_store(path):
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE IF NOT EXISTS tick_stats (%s, UNIQUE (source, seq, event_time))" %
               ", ".join("%s %s%s" % (c, t, " NOT NULL" if nn else "") for c, t, nn in TICK_STATS_COLUMNS))
    db.execute("INSERT INTO tick_stats VALUES (%s)" % ",".join("?" * len(LIVE_ROW)), LIVE_ROW)
    db.commit()
    db.close()


def gen(out, rows):
    rng = np.random.default_rng(20261130)
    write_csv(ticks(rng, rows, True), out + "/ticks.csv")
    store = ticks(rng, max(rows // 20, 1000), False)
    kraken = store.instrument.isin(KRAKEN)
    store.loc[~kraken, ["price", "volume"]] = np.nan	# oanda_price has neither
    write_csv(store, out + "/store.csv")
    write_csv(store[kraken], out + "/store_kraken.csv")
    write_csv(store[~kraken], out + "/store_oanda.csv")
    trades = store[kraken].iloc[:len(store) // 10].copy()
    trades["bid"] = trades["ask"] = trades["price"]	# a trade's price is its quote (docs/services.md)
    write_csv(trades, out + "/trades.csv")
    write_sqlite(store, trades, out + "/store.sqlite")
    write_capture(store, trades, out + "/store.cap")
    write_stats_store(out + "/stats_store.sqlite")
    print("generated %d + %d ticks" % (rows, len(store)))

# ---- pandas ----


def blocks(inst, t, window, window_ns):
    """Rows (of ticks grouped by instrument) cut into blocks of BLOCK rows,
    each with the rows before it that its first windows reach: the indices
    to compute, their block, and which of them are the block's own."""
    idx, key, own, steps = [], [], [], []
    bounds = np.flatnonzero(np.r_[True, inst[1:] != inst[:-1], True])
    block = max(BLOCK, 2 * window)	# a window's rows at most half the block
    for a, e in zip(bounds[:-1], bounds[1:]):
        for s in range(a, e, block):
            if window_ns:
                pre = a + int(np.searchsorted(t[a:e], t[s] - window_ns, side="right"))
            else:
                pre = max(a, s - (window - 1))
            rows = np.arange(pre, min(s + block, e))
            idx.append(rows)
            key.append(np.full(len(rows), len(key)))
            own.append(rows >= s)
            steps.append(np.full(len(rows), len(rows)))
    return tuple(np.concatenate(x) for x in (idx, key, own, steps))


def shifted(key, x):
    """x less a constant c per block, for pandas' std, and the largest
    |x - c| of the block.  The std of x - c is the std of x, and x - c is
    exact (Sterbenz: c / 2 <= x <= 2 c, checked): pandas computes the std of
    the same numbers, with a mean near 0, so its add/remove (Welford)
    rounds about |x - c| / |x| times less."""
    g = pd.Series(x).groupby(key)
    c = ((g.transform("min") + g.transform("max")) / 2).to_numpy()
    ok = np.isnan(x) | ((c / 2 <= x) & (x <= 2 * c))
    assert ok.all(), "a shift that is not exact: %s" % x[~ok][:5]
    d = x - c
    return d, pd.Series(np.abs(d)).groupby(key).transform("max").to_numpy()


def reference(df, window, window_time, min_periods):
    """pandas' statistics of the ticks, in the tool's order (instruments by
    name, each in input order).  pandas' rolling var adds and removes
    (Welford) and never recomputes, so its rounding grows with the rows of
    a group (reference section 2.2 measured 1e-6 relative drift over 20M
    ticks in C): each instrument is computed in blocks of BLOCK rows (with
    the rows before a block that its windows reach, which makes every
    window the same as in one pass), and std on shifted values.  The blocks
    of a time window are BLOCK rows too, plus the rows of window_time before."""
    names = df.instrument.to_numpy(dtype=object)
    order = np.argsort(names, kind="stable")
    inst, t = names[order], df.time.to_numpy()[order]
    window_ns = pd.Timedelta(window_time).value if window_time != "0" else 0
    idx, key, own, steps = blocks(inst, t, window, window_ns)
    # the window_ticks written: --window, else the most ticks of one
    # instrument in a span of window_time (nbpy-stats(1)), at least
    # min_periods and 1
    most = 0
    if not window:
        bounds = np.flatnonzero(np.r_[True, inst[1:] != inst[:-1], True])
        for a, e in zip(bounds[:-1], bounds[1:]):
            g = t[a:e]
            first = np.searchsorted(g, g - window_ns, side="right")
            most = max(most, int((np.arange(len(g)) - first).max()) + 1)
    rows = order[idx]
    bid, ask = df.bid.to_numpy()[rows], df.ask.to_numpy()[rows]
    price, volume = df.price.to_numpy()[rows], df.volume.to_numpy()[rows]
    mid, spread = (bid + ask) / 2, ask - bid
    mid_x, mid_l = shifted(key, mid)
    spread_x, spread_l = shifted(key, spread)
    cols = pd.DataFrame({"key": key, "mid": mid, "spread": spread, "mid_x": mid_x, "spread_x": spread_x,
                         "pv": price * volume,
                         # a volume counts only with its price
                         "vm": np.where(np.isnan(price), np.nan, volume)})
    mp = min_periods or None
    if window_ns:
        cols.index = pd.to_datetime(t[idx], unit="ns")
        w = window_time
    else:
        w = window
    g = cols.groupby("key", sort=True)
    roll, roll0 = g.rolling(w, min_periods=mp), g.rolling(w, min_periods=0)
    px, sums = roll[["mid", "spread"]], roll[["pv", "vm"]].sum()
    std = roll[["mid_x", "spread_x"]].std()
    out = {"instrument": inst, "time": t, "window_ticks": window or max(most, min_periods, 1),
           "window_ns": window_ns,
           "count": roll0["mid"].count().to_numpy()[own].astype(np.int64),
           # what pandas' std may be off by, in variance
           "mid_var_abs": VAR_ABS * steps[own] * mid_l[own] ** 2,
           "spread_var_abs": VAR_ABS * steps[own] * spread_l[own] ** 2,
           "mid_std": std["mid_x"].to_numpy()[own], "spread_std": std["spread_x"].to_numpy()[own]}
    for what, frame in (("mean", px.mean()), ("min", px.min()), ("max", px.max())):
        for col in ("mid", "spread"):
            out[col + "_" + what] = frame[col].to_numpy()[own]
    vm = sums.vm.to_numpy()[own]
    with np.errstate(divide="ignore", invalid="ignore"):
        out["vwap"] = np.where(vm != 0, sums.pv.to_numpy()[own] / vm, np.nan)
    return out


def crc32c(data):
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 & -(crc & 1))
    return crc ^ 0xFFFFFFFF


def read_capture(path):
    """tick_stats messages, as docs/services.md (the capture) and
    docs/wire-format.md (MessagePack) lay them out; the checksums of the
    first and last 50 records (CRC-32C in Python is slow)."""
    data = open(path, "rb").read()
    assert data[:8] == b"NBPYCAP2", "%s: not a capture of version 2: %r" % (path, data[:8])
    view, pos, at, times, topics, payloads = memoryview(data), 8, [], [], [], []
    while pos < len(data):
        length, _, t, tn = struct.unpack_from("<IIqB", data, pos)
        assert pos + 8 + length <= len(data), "%s: torn record at %d" % (path, pos)
        at.append(pos)
        times.append(t)
        topics.append(bytes(view[pos + 17:pos + 17 + tn]))
        payloads.append(view[pos + 17 + tn:pos + 8 + length])
        pos += 8 + length
    for p in at[:50] + at[-50:]:
        length, crc = struct.unpack_from("<II", data, p)
        assert crc32c(data[p + 8:p + 8 + length]) == crc, "%s: record at %d: bad CRC-32C" % (path, p)
    unpacker = msgpack.Unpacker(raw=False, max_buffer_size=len(data))
    unpacker.feed(b"".join(payloads))
    rows = list(unpacker)
    assert len(rows) == len(at), "%s: %d records, %d messages" % (path, len(at), len(rows))
    assert all(len(r) == 19 for r in rows), "%s: a message of other than 19 elements" % path
    cols = np.array(rows, dtype=object).reshape(len(rows), 19).T
    ints = lambda c: c.astype(np.int64)
    out = {"schema": ints(cols[0]), "version": ints(cols[1]), "source": cols[2], "seq": ints(cols[3]),
           "time": ints(cols[4]), "recv_delta": ints(cols[5]), "instrument": cols[6],
           "window_ticks": ints(cols[7]), "window_ns": ints(cols[8]), "count": ints(cols[9]),
           "record_time": np.array(times, dtype=np.int64), "topic": np.array(topics, dtype=object)}
    for k, c in enumerate(STATS):	# nil (None): NaN
        out[c] = cols[10 + k].astype(float)
    return out


def read_sqlite(path, source):
    """The rows of one source, in the table as docs/sinks.md lays it out."""
    db = sqlite3.connect(path)
    got = [(r[1], r[2], r[3]) for r in db.execute("PRAGMA table_info(tick_stats)")]
    assert got == TICK_STATS_COLUMNS, "%s: tick_stats has the columns %s, not the store's %s" % (
        path, got, TICK_STATS_COLUMNS)
    df = pd.read_sql_query("SELECT source, seq, event_time, recv_time, instrument, window_ticks, window_ns, "
                           "nobs, %s FROM tick_stats WHERE source = ? ORDER BY seq" % ", ".join(STATS),
                           db, params=(source,), coerce_float=True)
    db.close()
    out = {c: df[c].to_numpy() for c in df.columns}
    for c in STATS:	# NULL: NaN
        out[c] = out[c].astype(float)
    out["time_text"] = out.pop("event_time")
    out["count"] = out.pop("nobs").astype(np.int64)
    return out


def read_output(spec):
    """The rows of an OUTPUT spec, and the source they must have (CSV: None)."""
    path, _, source = spec.partition("@")
    source = source or "nbpy-stats"
    if path.endswith(".sqlite"):
        return read_sqlite(path, source), source
    if path.endswith(".cap"):
        return read_capture(path), source
    df = pd.read_csv(path, float_precision="round_trip", dtype={"instrument": object, "time": np.int64})
    out = {c: df[c].to_numpy() for c in df.columns}
    out["count"] = out["count"].astype(np.int64)
    return out, None


def compare_message(got, ref, source, bad):
    """What a message holds besides the statistics: its header and window,
    as nbpy-stats(1) says."""
    n = len(ref["count"])
    want = {"source": source, "seq": np.arange(1, n + 1), "window_ticks": ref["window_ticks"],
            "window_ns": ref["window_ns"]}
    if "recv_time" in got:	# SQLite: received when it happened
        want["recv_time"] = got["time_text"]
    else:			# capture: schema 11 version 1, recv_delta 0, the record at the tick's time
        want.update(schema=11, version=1, recv_delta=0, record_time=ref["time"], topic=b"kraken_tick_stats")
    for what, w in want.items():
        idx = np.flatnonzero(got[what] != w)
        if len(idx):
            i = idx[0]
            bad.append("%s: %d rows differ, the first row %d: %r, want %r" % (
                what, len(idx), i, got[what][i], w[i] if isinstance(w, np.ndarray) else w))


def compare(got, source, ref):
    bad = []
    n = len(ref["count"])

    def fail(what, idx):
        i = int(idx[0])
        bad.append("%s: %d rows differ, the first row %d (%s at %s): tool %r, pandas %r" % (
            what, len(idx), i, ref["instrument"][i], ref["time"][i],
            got[what][i] if what in got else None, ref[what][i]))

    if len(got["count"]) != n:
        return ["%d rows, pandas has %d" % (len(got["count"]), n)]
    if source is not None:
        compare_message(got, ref, source, bad)
    idx = np.flatnonzero(got["instrument"] != ref["instrument"])
    if len(idx):
        fail("instrument", idx)
    if "time" in got:
        idx = np.flatnonzero(got["time"] != ref["time"])
        if len(idx):
            fail("time", idx)
    else:	# SQLite: RFC 3339 text with microseconds
        want = np.char.add(np.datetime_as_string(ref["time"].astype("datetime64[ns]").astype("datetime64[us]"), unit="us"), "Z")
        idx = np.flatnonzero(got["time_text"].astype(str) != want)
        if len(idx):
            bad.append("event_time: %d rows differ, the first %r, want %r" % (
                len(idx), got["time_text"][idx[0]], want[idx[0]]))
    idx = np.flatnonzero(got["count"] != ref["count"])
    if len(idx):
        fail("count", idx)
    for s in STATS:
        a, b = got[s].astype(float), ref[s]
        nan_a, nan_b = np.isnan(a), np.isnan(b)
        idx = np.flatnonzero(nan_a != nan_b)
        if len(idx):
            fail(s, idx)
        both = ~nan_a & ~nan_b
        if s.endswith("_min") or s.endswith("_max"):
            off = both & (a != b)
        elif s.endswith("_std"):
            # within 1e-9 relative or STD_ABS * |mean| (the tool's rounding),
            # or in variance within pandas' rounding
            col = s[:-4]
            off = both & (np.abs(a - b) > STD_REL * np.abs(b) + STD_ABS * np.abs(ref[col + "_mean"])) & \
                (np.abs(a * a - b * b) > ref[col + "_var_abs"])
        else:
            off = both & (np.abs(a - b) > MEAN_REL * np.abs(b))
        idx = np.flatnonzero(off)
        if len(idx):
            fail(s, idx)
    return bad


def check(specs):
    fails = 0
    frames = {}
    for i in range(0, len(specs), 5):
        ticks_csv, output, window, window_time, mp = specs[i:i + 5]
        if ticks_csv not in frames:
            frames[ticks_csv] = pd.read_csv(ticks_csv, float_precision="round_trip",
                                            dtype={"instrument": object, "time": np.int64})
        df = frames[ticks_csv]
        t0 = time.time()
        ref = reference(df, int(window), window_time, int(mp))
        t1 = time.time()
        try:
            got, source = read_output(output)
            bad = compare(got, source, ref)
        except AssertionError as e:	# not laid out as documented
            bad = [str(e)]
        what = "%s: window %s, window_time %s, min_periods %s: %d rows (pandas %.1f s, read %.1f s)" % (
            output.rsplit("/", 1)[-1], window, window_time, mp, len(ref["count"]), t1 - t0,
            time.time() - t1)
        print(("  ok   " if not bad else "  FAIL ") + what)
        for b in bad:
            print("         " + b)
        fails += bool(bad)
    return fails


if __name__ == "__main__":
    if sys.argv[1] == "gen":
        gen(sys.argv[2], int(sys.argv[3]))
    elif sys.argv[1] == "check":
        sys.exit(1 if check(sys.argv[2:]) else 0)
    else:
        sys.exit("usage: stats_pandas_check.py gen DIR ROWS | check SPEC...")
