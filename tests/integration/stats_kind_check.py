"""stats_kind_check.py - input and reference for stats_kind.sh.

  gen CAPTURE TICKS.npz N SEED   write N kraken_ticker messages (several
                                 instruments, constant stretches, no-volume
                                 stretches, a few ticks back in time) as a
                                 capture for the replay kind, and their
                                 columns
  check TICKS.npz STATS.nbpy NAME KEY=VALUE...   every tick_stats row of the
                                 capture equals pandas' groupby-rolling over
                                 the ticks fed (mean/vwap 1e-12 relative, std
                                 1e-9 relative + 1e-15 of the mean, count/min/
                                 max exact, NaN exactly where pandas has NaN); keys: window, window_time
                                 (ns), min_periods, every, interval (0/1),
                                 max_instruments, sqlite (a database whose
                                 tick_stats table must hold the same rows)
  counts TICKS.npz MAX_INSTRUMENTS WINDOW_NS   prints the ticks refused
                                 beyond MAX_INSTRUMENTS and those back in
                                 time for a time window

The reference comes from the ticks the test fed and from pandas, never from
nbpy (std: an exact two-pass over the same windows, see exact_std): mid =
(bid + ask) / 2, spread = ask - bid, vwap = rolling sum(price * volume) /
rolling sum(volume) (undefined when the window's volume is 0), per instrument, with rolling(window, min_periods) or
rolling('Ns') for a time window.  Ticks of a time window going back in time
are not in the window (stats.rolling counts them as out_of_order)."""
import sqlite3
import struct
import sys
import zlib

import msgpack
import numpy as np
import pandas as pd

T0 = 1_700_000_000 * 10**9


def gen(cap_path, npz_path, n, seed):
    rng = np.random.default_rng(seed)
    names = ["XXBTZEUR", "XETHZUSD", "XLTCZEUR", "DOTUSD", "ADAEUR"]
    inst = rng.choice(len(names), size=n, p=[0.3, 0.25, 0.2, 0.15, 0.1])
    gap = rng.exponential(0.05, size=n) * 1e9          # ~20 ticks/s overall
    t = T0 + np.cumsum(gap).astype(np.int64)
    base = np.array([27000.0, 1800.0, 65.0, 4.5, 0.25])[inst]
    step = rng.integers(-3, 4, size=n) * 1e-4
    spread = np.abs(rng.normal(0, 1e-4, size=n)) * base
    tick = [0.1, 0.01, 0.01, 0.0001, 0.000001]          # Kraken's price steps of the pairs
    bid, ask = np.empty(n), np.empty(n)
    last = {}
    for i in range(n):                                  # per-instrument random walk
        k = inst[i]
        if k in last and rng.random() < 0.5:            # the same quote again: constant stretches
            bid[i], ask[i], _ = last[k]
            continue
        m = round(last[k][2] * (1 + step[i]), 6) if k in last else base[i]
        bid[i] = round(round((m - spread[i] / 2) / tick[k]) * tick[k], 8)   # on the pair's tick
        ask[i] = round(bid[i] + max(tick[k], round(spread[i] / tick[k]) * tick[k]), 8)
        last[k] = (bid[i], ask[i], m)
    mid = (bid + ask) / 2
    price = np.round(mid * (1 + rng.normal(0, 1e-5, size=n)), 6)
    volume = np.round(rng.exponential(0.5, size=n), 8)
    volume[rng.random(size=n) < 0.2] = 0.0              # many ticks trade nothing
    # stretches of no volume at all (vwap undefined) in the first instrument
    for s in range(n // 10, n, n // 3 + 1):
        volume[s:s + 300][inst[s:s + 300] == 0] = 0.0
    # a few ticks back in time (a time window refuses them)
    back = rng.choice(np.arange(50, n), size=max(1, n // 500), replace=False)
    t[back] -= 3 * 10**9 + 7
    np.savez(npz_path, inst=inst, t=t, bid=bid, ask=ask, price=price, volume=volume,
             names=np.array(names))
    out = bytearray(b"NBPYCAP1")
    for i in range(n):
        body = [names[inst[i]], float(ask[i]), 1, 1.0, float(bid[i]), 2, 2.0, float(price[i]),
                float(volume[i]), 10.0, 20.0, 1.0, 1.0, 5, 6, 1.0, 1.0, 2.0, 2.0, 1.5]
        payload = msgpack.packb([1, 1, "kraken_tick", i + 1, int(t[i]), 1000] + body)
        rec = struct.pack("<qB", int(t[i]) + 1000, 11) + b"kraken_tick" + payload
        out += struct.pack("<II", len(rec), zlib.crc32(rec)) + rec
    open(cap_path, "wb").write(out)


def read_stats(path):
    data = open(path, "rb").read()
    assert data[:8] in (b"NBPYCAP1", b"NBPYCAP2"), "not a capture"
    pos, rows = 8, []
    while pos + 8 <= len(data):
        length, _ = struct.unpack_from("<II", data, pos)
        body = data[pos + 8: pos + 8 + length]
        assert len(body) == length, "torn record"
        tn = body[8]
        m = msgpack.unpackb(body[9 + tn:], raw=False)
        pos += 8 + length
        if m[0] == 0:
            continue                                    # a sequence announcement
        assert m[0] == 11, f"schema {m[0]}, not tick_stats"
        rows.append(m)
    return rows


COLS = ["mid_mean", "mid_std", "mid_min", "mid_max", "spread_mean", "spread_std", "spread_min",
        "spread_max", "vwap"]


def exact_std(x, t, window, window_ns, min_periods, chunk=50_000):
    """The sample std (ddof 1) of each row's window, two-pass from scratch.
    pandas' rolling std adds and removes values, and drifts: for quotes near
    65 with a std of 3e-9 it said 0.0, and its error grows along a long
    series (reference §2.2), so the reference for std is exact.  pandas'
    rule stays: a window of equal values has std exactly 0."""
    n, out = len(x), np.empty(len(x))
    raw = np.concatenate([np.full(window - 1, np.nan), x])
    px = raw - np.nanmin(x)     # exact for close prices (Sterbenz): keeps tiny stds exact
    pt = np.concatenate([np.full(window - 1, np.iinfo(np.int64).min), t])
    for a in range(0, n, chunk):
        b = min(n, a + chunk)
        X = np.lib.stride_tricks.sliding_window_view(px[a:b + window - 1], window)
        T = np.lib.stride_tricks.sliding_window_view(pt[a:b + window - 1], window)
        R = np.lib.stride_tricks.sliding_window_view(raw[a:b + window - 1], window)
        ok = ~np.isnan(X)
        if window_ns:
            ok &= T > (t[a:b] - window_ns)[:, None]
        cnt = ok.sum(axis=1)
        Z = np.where(ok, X, 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = Z.sum(axis=1) / cnt
            d = np.where(ok, X - mean[:, None], 0.0)
            std = np.sqrt((d * d).sum(axis=1) / (cnt - 1))
        lo = np.where(ok, R, np.inf).min(axis=1)
        hi = np.where(ok, R, -np.inf).max(axis=1)
        std[lo == hi] = 0.0
        std[(cnt < 2) | (cnt < min_periods)] = np.nan
        out[a:b] = std
    return out


def kept(ticks, window_ns, max_instruments):
    """The ticks that enter windows, the ticks refused beyond max_instruments
    (the first instruments to arrive are kept) and, for a time window, the
    ticks back in time (before their instrument's latest), which are not."""
    names = list(ticks["names"])
    df = pd.DataFrame({"inst": [names[k] for k in ticks["inst"]], "t": ticks["t"],
                       "bid": ticks["bid"], "ask": ticks["ask"], "price": ticks["price"],
                       "volume": ticks["volume"]})
    first = list(dict.fromkeys(df["inst"]))[:max_instruments]
    refused = int((~df["inst"].isin(first)).sum())
    df = df[df["inst"].isin(first)]
    out_of_order = 0
    if window_ns:
        keep, hi = np.ones(len(df), bool), {}
        for j, (i, tv) in enumerate(zip(df["inst"], df["t"])):
            if tv < hi.get(i, -2**63):
                keep[j] = False
            else:
                hi[i] = tv
        out_of_order = int((~keep).sum())
        df = df[keep]
    return df.copy(), refused, out_of_order


def reference(ticks, window, window_ns, min_periods, max_instruments):
    df, refused, out_of_order = kept(ticks, window_ns, max_instruments)
    df["mid"] = (df["bid"] + df["ask"]) / 2
    df["spread"] = df["ask"] - df["bid"]
    df["pv"] = df["price"] * df["volume"]
    df["traded"] = (df["volume"] > 0).astype(float)
    # groupby-rolling, one instrument at a time, results back in tick order
    res = {k: np.empty(len(df)) for k in COLS + ["count", "pv", "vol", "traded"]}
    for _, idx in df.groupby("inst", sort=False).indices.items():
        g = df.iloc[idx]
        if window_ns:
            g = g.set_index(pd.to_datetime(g["t"], unit="ns"))
            roll = lambda c: g[c].rolling(f"{window_ns}ns", min_periods=min_periods or 1)
        else:
            roll = lambda c: g[c].rolling(window, min_periods=min_periods or window)
        for c in ("mid", "spread"):
            for stat in ("mean", "min", "max"):
                res[f"{c}_{stat}"][idx] = getattr(roll(c), stat)().to_numpy()
            res[f"{c}_std"][idx] = exact_std(g[c].to_numpy(), g["t"].to_numpy(), window, window_ns,
                                             min_periods or (1 if window_ns else window))
        # count is pandas' nobs, whatever min_periods says
        res["count"][idx] = (g["mid"].rolling(f"{window_ns}ns", min_periods=0) if window_ns else
                             g["mid"].rolling(window, min_periods=0)).count().to_numpy()
        res["pv"][idx] = roll("pv").sum().to_numpy()
        res["vol"][idx] = roll("volume").sum().to_numpy()
        res["traded"][idx] = roll("traded").sum().to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):   # no volume: undefined
        res["vwap"] = np.where(res["traded"] > 0, res["pv"] / res["vol"], np.nan)
    res = pd.DataFrame({k: res[k] for k in COLS + ["count"]})
    res["inst"], res["t"] = df["inst"].to_numpy(), df["t"].to_numpy()
    res["n_in_inst"] = df.groupby("inst", sort=False).cumcount().to_numpy() + 1
    return res, refused, out_of_order


def check(npz_path, stats_path, name, opts):
    ticks = np.load(npz_path)
    window = int(opts.get("window", 100))
    window_ns = int(opts.get("window_time", 0))
    min_periods = int(opts.get("min_periods", 0))
    every = int(opts.get("every", 1))
    interval = opts.get("interval", "0") != "0"
    max_inst = int(opts.get("max_instruments", 4096))
    ref, refused, out_of_order = reference(ticks, window, window_ns, min_periods, max_inst)
    rows = read_stats(stats_path)
    fails = 0

    def bad(msg):
        nonlocal fails
        fails += 1
        if fails <= 10:
            print(f"  FAIL {name}: {msg}")

    # each row joined to the tick it was published at: (instrument, event time)
    got = pd.DataFrame({"inst": [m[6] for m in rows], "t": np.array([m[4] for m in rows], np.int64),
                        "g_window": [m[7] for m in rows], "g_window_time": [m[8] for m in rows],
                        "g_count": [m[9] for m in rows]})
    for j, c in enumerate(COLS):
        got["g_" + c] = np.array([np.nan if m[10 + j] is None else m[10 + j] for m in rows], float)
    ref["k"] = np.arange(len(ref))
    both = got.merge(ref, on=["inst", "t"], how="left", validate="many_to_one")
    unknown = both["k"].isna()
    if unknown.any():
        bad(f"{int(unknown.sum())} rows at no tick fed, e.g. {both[unknown].iloc[0][['inst', 't']].tolist()}")
    both = both[~unknown]
    seen = both["k"].astype(int).tolist()
    wrong = (both["g_window"] != window) | (both["g_window_time"] != window_ns)
    if wrong.any():
        bad(f"{int(wrong.sum())} rows with another window than {window}/{window_ns}")
    wrong = both["g_count"] != both["count"]
    for _, r in both[wrong].head(3).iterrows():
        bad(f"row {r['inst']}@{r['t']}: count {r['g_count']}, pandas {int(r['count'])}")
    tol = {"mid_mean": 1e-12, "spread_mean": 1e-12, "vwap": 1e-12, "mid_std": 1e-9, "spread_std": 1e-9}
    nan_rows = 0
    for c in COLS:
        g, w = both["g_" + c].to_numpy(), both[c].to_numpy()
        nan_rows += int(np.isnan(w).sum())
        bound = tol.get(c, 0.0) * np.abs(w)
        if c.endswith("_std"):
            # a std under the float resolution of the values themselves is the
            # inputs' rounding noise (a spread of one price step: 65.12 - 65.11
            # = 0.010000000000005116): there, within 1e-15 of the mean
            bound = bound + 1e-15 * np.abs(both[c[:-4] + "_mean"].to_numpy())
        with np.errstate(invalid="ignore"):
            fine = (np.isnan(g) & np.isnan(w)) | (g == w) | (np.abs(g - w) <= bound)
        for _, r in both[~fine].head(3).iterrows():
            bad(f"row {r['inst']}@{r['t']} (#{int(r['n_in_inst'])} of its instrument): {c} "
                f"{r['g_' + c]!r}, pandas {r[c]!r}")
        if (~fine).sum() > 3:
            bad(f"{c}: {int((~fine).sum())} rows differ in all")
    # which rows: every `every` ticks of an instrument; with interval, rows at
    # ticks that were new, and each instrument's last tick published
    if not interval:
        want_rows = np.flatnonzero(ref["n_in_inst"].to_numpy() % every == 0).tolist() if every else []
        if sorted(seen) != want_rows:
            bad(f"{len(seen)} rows published, {len(want_rows)} expected "
                f"(every {every}); first differences: {sorted(set(want_rows) ^ set(seen))[:5]}")
    else:
        if len(seen) != len(set(seen)):
            bad("a tick published twice: an instrument without new ticks was published")
        missing = set(ref.groupby("inst", sort=False).tail(1)["k"]) - set(seen)
        if missing:
            bad(f"the last ticks of {len(missing)} instruments were never published")
    if "sqlite" in opts:
        db = sqlite3.connect(opts["sqlite"])
        got = {(r[0], r[1]): r[2:] for r in db.execute(
            "SELECT instrument, seq, nobs, " + ", ".join(COLS) + " FROM tick_stats")}
        for m in rows:
            s = got.get((m[6], m[3]))
            if s is None or s[0] != m[9] or any(
                    (a is None) != (b is None) or (a is not None and a != b) for a, b in zip(s[1:], m[10:19])):
                bad(f"SQLite row {m[6]} seq {m[3]}: {s}, published {m[9:19]}")
                break
        if len(got) != len(rows):
            bad(f"SQLite holds {len(got)} rows, {len(rows)} published")
    print(f"  {'ok  ' if fails == 0 else 'FAIL'} {name}: {len(rows)} rows against pandas "
          f"({len(ref)} ticks kept, {nan_rows} NaN values, refused {refused}, out_of_order {out_of_order})")
    return 1 if fails else 0


def main():
    if sys.argv[1] == "gen":
        gen(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
        return 0
    if sys.argv[1] == "counts":
        _, refused, _ = kept(np.load(sys.argv[2]), 0, int(sys.argv[3]))
        _, _, out_of_order = kept(np.load(sys.argv[2]), int(sys.argv[4]), 4096)
        print(refused, out_of_order)
        return 0
    opts = dict(a.split("=", 1) for a in sys.argv[5:])
    return check(sys.argv[2], sys.argv[3], sys.argv[4], opts)


if __name__ == "__main__":
    sys.exit(main())
