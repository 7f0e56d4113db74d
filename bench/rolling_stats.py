"""bench/rolling_stats.py - pandas and numpy sides of bench/rolling_stats.sh.

    rolling_stats.py TICKS.csv TRIALS EVERY C_SAMPLES.txt TOOL_DIR CSV_W W...

Reads the ticks (not timed), then for each window W times TRIALS runs of
(1) pandas groupby-rolling, as a pandas user writes it, and (2) a numpy-only
version, each from columns in memory to every row's statistics: count-window
mean, std (ddof = 1), min and max of mid and spread, and the VWAP, per
instrument.  Then checks every EVERY-th row of each -- pandas, numpy, the C
samples (bench/rolling) and, when TOOL_DIR/stats-W.csv exists, the batch
tool's output (nbpy-stats --every EVERY) -- against an independent two-pass computation of that row's
window, and the C samples against pandas' (C/pandas).  Prints lines
"pandas|numpy W best_ns_per_row median_ns_per_row" and "check IMPL W rows
max_rel_mean max_rel_std max_rel_vwap ok|FAIL ..."; exit status 1 when a
check fails.

Also pandas end to end, the batch job as a pandas user writes it, timed
once per window (wall time in this process: read_csv included, Python's
start-up and import excluded): read_csv, the same computation, nothing
written ("pe2enone W ns ns"); and at window CSV_W only (to_csv of 2M rows
takes half a minute) the same with every row's statistics written by to_csv to
/dev/null ("pe2ecsv W ns ns").  Both results are checked against the
computation-only pandas output on the sampled rows (e2e-none/pandas,
e2e-csv/pandas): the same numbers, std included.
"""
import os
import sys
import time

import numpy as np
import pandas as pd

STATS = ["mid_mean", "mid_std", "mid_min", "mid_max",
         "spread_mean", "spread_std", "spread_min", "spread_max", "vwap"]
# the contract's bounds (gpu/rolling.h): relative, mean/vwap and std
TOL_MEAN, TOL_STD = 1e-12, 1e-9
# pandas' own std drifts (Welford add/remove over the whole series; the
# reference, next-capabilities.md §2.2): it is checked against this instead
PANDAS_TOL_STD = 1e-4


def pandas_stats(df, w):
    """What a pandas user writes (one rolling object, one call per
    statistic: three times faster than .agg([...]) in pandas 1.5.3).  Frames
    in groupby order (instrument, then the original row), as pandas returns
    them."""
    d = df.assign(mid=(df.bid + df.ask) / 2, spread=df.ask - df.bid,
                  pv=df.price * df.volume)
    d["vol"] = d.volume.where(d.pv.notna())      # VWAP: both price and volume
    g = d.groupby("instrument")
    r = g[["mid", "spread"]].rolling(w)
    vwap = g.pv.rolling(w).sum() / g.vol.rolling(w).sum()
    return {"mean": r.mean(), "std": r.std(), "min": r.min(), "max": r.max(), "vwap": vwap}


def pandas_end_to_end(path, w, out):
    """The batch job in pandas: the CSV file in (read_csv's defaults), the
    statistics computed as pandas_stats does, and, when out is given, every
    row with its instrument, time and count written as CSV (the columns of
    nbpy-stats --format csv, rows in groupby order as pandas gives them).
    Returns the frame of statistics indexed by the original row."""
    df = pd.read_csv(path)
    r = pandas_stats(df, w)
    res = pd.concat([r[k].add_suffix("_" + k) for k in ("mean", "std", "min", "max")], axis=1)
    res["vwap"] = r["vwap"]
    res = res.reset_index(level=0)
    if out is not None:
        res.insert(1, "time", df.time)
        res.insert(2, "count", df.groupby("instrument").cumcount().add(1).clip(upper=w))
        res.to_csv(out, index=False, columns=["instrument", "time", "count"] + STATS)
    return res


def window_sums(b, w):
    """b: one segment's values reshaped to blocks of w.  Prefix sums inside
    each block, and suffix sums zeroed where a block starts, both flat: the
    window of w rows ending at row i (starting at s = i - w + 1) sums to
    suf[s] + pre[i] (at most two blocks, each summed over at most w rows)."""
    pre = np.add.accumulate(b, axis=1).ravel()
    suf = np.add.accumulate(b[:, ::-1], axis=1)[:, ::-1].copy()
    suf[:, 0] = 0
    return pre, suf.ravel()


def numpy_segment(x, w):
    """Rolling mean/std/min/max of one segment's column x (length n >= w)
    for rows w - 1 .. n - 1 (full windows): van Herk / Gil-Werman block scans,
    O(1) a row whatever w; std from per-block sums shifted by each block's
    first value and Chan's combination of the two blocks a window spans,
    so nothing cancels over more than a block."""
    n = len(x)
    nb = -(-n // w)
    xp = np.empty(nb * w)
    xp[:n] = x
    xp[n:] = x[-1]
    b = xp.reshape(nb, w)
    first = w - 1            # rows i >= first have a full window
    s = slice(0, n - first)  # the window starts
    e = slice(first, n)      # the window ends
    mn = np.minimum(np.minimum.accumulate(b[:, ::-1], axis=1)[:, ::-1].ravel()[s],
                    np.minimum.accumulate(b, axis=1).ravel()[e])
    mx = np.maximum(np.maximum.accumulate(b[:, ::-1], axis=1)[:, ::-1].ravel()[s],
                    np.maximum.accumulate(b, axis=1).ravel()[e])
    ref = b[:, :1]
    y = b - ref
    p1, q1 = window_sums(y, w)
    p2, q2 = window_sums(y * y, w)
    ref = np.repeat(ref.ravel(), w)
    nbv = (np.arange(first, n) % w + 1).astype(float)   # rows in the end's block
    nav = w - nbv                                         # rows in the start's block
    mean_b = ref[e] + p1[e] / nbv
    m2_b = p2[e] - p1[e] * p1[e] / nbv
    mean_a = ref[s] + q1[s] / np.maximum(nav, 1)
    m2_a = q2[s] - q1[s] * q1[s] / np.maximum(nav, 1)
    delta = mean_b - mean_a
    m2 = m2_a + m2_b + delta * delta * nav * nbv / w
    mean = (mean_a * nav + mean_b * nbv) / w
    std = np.sqrt(np.maximum(m2, 0) / (w - 1)) if w > 1 else np.full(n - first, np.nan)
    flat = mn == mx          # pandas: a constant window has std 0, mean that value
    std[flat & (w > 1)] = 0
    mean[flat] = mn[flat]
    return mean, std, mn, mx


def numpy_stats(inst, bid, ask, price, volume, w):
    """numpy only, from integer instrument codes and float columns.  Rows in
    instrument order, like pandas' result.  (No NaN handling: the bench's
    ticks have none.)"""
    order = np.argsort(inst, kind="stable")
    codes = inst[order]
    bounds = np.flatnonzero(np.diff(codes)) + 1
    seg = np.concatenate(([0], bounds, [len(codes)]))
    bid, ask, price, volume = bid[order], ask[order], price[order], volume[order]
    cols = {"mid": (bid + ask) / 2, "spread": ask - bid}
    pv = price * volume
    n = len(order)
    out = {k: np.full(n, np.nan) for k in STATS}
    for lo, hi in zip(seg[:-1], seg[1:]):
        if hi - lo < w:
            continue
        for name, x in cols.items():
            r = numpy_segment(x[lo:hi], w)
            for k, v in zip(("mean", "std", "min", "max"), r):
                out[name + "_" + k][lo + w - 1:hi] = v
        nb = -(-(hi - lo) // w)
        sums = []
        for c in (pv, volume):
            xp = np.zeros(nb * w)
            xp[:hi - lo] = c[lo:hi]
            pre, suf = window_sums(xp.reshape(nb, w), w)
            sums.append(suf[:hi - lo - w + 1] + pre[w - 1:hi - lo])
        out["vwap"][lo + w - 1:hi] = sums[0] / sums[1]
    return order, out


def time_it(f, trials):
    """Fastest and median seconds over trials, and the last result."""
    secs, res = [], None
    for _ in range(trials):
        res = None
        t0 = time.perf_counter()
        res = f()
        secs.append(time.perf_counter() - t0)
    secs.sort()
    return secs[0], secs[len(secs) // 2], res


def reference(rows, inst, cols, w):
    """Independent two-pass statistics of the window ending at each row."""
    pos = {}            # instrument -> its rows in order
    for code in np.unique(inst):
        pos[code] = np.flatnonzero(inst == code)
    bid, ask, price, volume = cols
    ref = {k: np.full(len(rows), np.nan) for k in STATS + ["count"]}
    for j, i in enumerate(rows):
        p = pos[inst[i]]
        k = np.searchsorted(p, i)
        ref["count"][j] = min(k + 1, w)
        if k + 1 < w:
            continue
        win = p[k - w + 1:k + 1]
        for name, x in (("mid", (bid[win] + ask[win]) / 2), ("spread", ask[win] - bid[win])):
            m = x.sum() / w
            ref[name + "_min"][j], ref[name + "_max"][j] = x.min(), x.max()
            if x.min() == x.max():
                ref[name + "_mean"][j], ref[name + "_std"][j] = x[0], 0.0
            else:
                ref[name + "_mean"][j] = m
                ref[name + "_std"][j] = np.sqrt(((x - m) ** 2).sum() / (w - 1)) if w > 1 else np.nan
        ref["vwap"][j] = (price[win] * volume[win]).sum() / volume[win].sum()
    return ref


def compare(name, w, got, ref, tol_std=TOL_STD):
    """One check line; True when every sampled row is within the bounds."""
    def rel(a, b):
        with np.errstate(invalid="ignore", divide="ignore"):
            r = np.abs(a - b) / np.abs(b)
        r[(a == b) | (np.isnan(a) & np.isnan(b))] = 0
        return r

    worst = {}
    bad = []
    for k in STATS:
        r = rel(np.asarray(got[k], float), ref[k])
        worst[k] = np.nanmax(np.where(np.isnan(r), np.inf, r)) if len(r) else 0.0
        tol = 0.0 if k.endswith(("_min", "_max")) else tol_std if k.endswith("_std") else TOL_MEAN
        if worst[k] > tol:
            bad.append(f"{k} {worst[k]:.2g}")
    if "count" in got and "count" in ref and not np.array_equal(np.asarray(got["count"], float), ref["count"]):
        bad.append("count")
    print("check %s %d %d %.2g %.2g %.2g %s" % (
        name, w, len(ref["vwap"]),
        max(worst["mid_mean"], worst["spread_mean"]),
        max(worst["mid_std"], worst["spread_std"]), worst["vwap"],
        "ok" if not bad else "FAIL " + ", ".join(bad)))
    return not bad


def main():
    path, trials, every, c_samples, tool_dir, csv_w = sys.argv[1:7]
    windows = [int(a) for a in sys.argv[7:]]
    csv_w = int(csv_w)
    trials, every = int(trials), int(every)
    df = pd.read_csv(path, float_precision="round_trip")
    # numpy gets what bench/rolling gets from its reader: integer
    # instrument codes (in name order, as nbpy-stats and pandas order them)
    # and float columns
    inst = pd.factorize(df.instrument, sort=True)[0].astype(np.int32)
    cols = tuple(df[c].to_numpy() for c in ("bid", "ask", "price", "volume"))
    n = len(df)
    rows = np.arange(0, n, every)
    c_rows = np.loadtxt(c_samples, ndmin=2)
    ok = True
    for w in windows:
        best, med, r = time_it(lambda: pandas_stats(df, w), trials)
        print("pandas %d %.2f %.2f" % (w, best * 1e9 / n, med * 1e9 / n), flush=True)
        ref = reference(rows, inst, cols, w)
        r = {k: v.droplevel(0).sort_index() for k, v in r.items()}
        got = {c + "_" + k: r[k][c].to_numpy()[rows] for c in ("mid", "spread")
               for k in ("mean", "std", "min", "max")}
        got["vwap"] = r["vwap"].to_numpy()[rows]
        ok &= compare("pandas", w, got, ref, PANDAS_TOL_STD)
        pandas_got = got

        for kind, out in (("none", None), ("csv", os.devnull)):
            if out is not None and w != csv_w:
                continue
            best, med, res = time_it(lambda: pandas_end_to_end(path, w, out), 1)
            print("pe2e%s %d %.2f %.2f" % (kind, w, best * 1e9 / n, med * 1e9 / n), flush=True)
            res = res.sort_index()
            ok &= compare("e2e-%s/pandas" % kind, w, {k: res[k].to_numpy()[rows] for k in STATS},
                          pandas_got, 0.0)

        best, med, (order, out) = time_it(lambda: numpy_stats(inst, *cols, w), trials)
        print("numpy %d %.2f %.2f" % (w, best * 1e9 / n, med * 1e9 / n), flush=True)
        back = np.empty(n, dtype=np.int64)
        back[order] = np.arange(n)
        ok &= compare("numpy", w, {k: out[k][back[rows]] for k in STATS}, ref)

        mine = c_rows[c_rows[:, 0] == w]
        if not np.array_equal(mine[:, 1], rows):
            print("check C %d: the samples are not every %d-th row" % (w, every))
            ok = False
        else:
            got = {k: mine[:, 3 + j] for j, k in enumerate(STATS)}
            got["count"] = mine[:, 2]
            ok &= compare("C", w, got, ref)
            ok &= compare("C/pandas", w, got, pandas_got, PANDAS_TOL_STD)

        tool = os.path.join(tool_dir, "stats-%d.csv" % w)
        if os.path.exists(tool):
            # nbpy-stats --every EVERY: each instrument's EVERY-th, 2*EVERY-th...
            # tick, the instruments in name order
            t = pd.read_csv(tool, float_precision="round_trip")
            trows = np.concatenate([np.flatnonzero(inst == c)[every - 1::every]
                                    for c in range(inst.max() + 1)])
            got = {k: t[k].to_numpy() for k in STATS + ["count"]}
            if len(t) != len(trows):
                print("check tool %d: %d rows, not %d" % (w, len(t), len(trows)))
                ok = False
            else:
                ok &= compare("tool", w, got, reference(trows, inst, cols, w))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
