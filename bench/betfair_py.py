#!/usr/bin/python3
"""The Python side of bench/betfair.sh: the original's approach, json.loads
and dicts.  Applies every mcm line of FILE to a market cache with the
Exchange Stream API's rules (as tests/integration/betfair_check.py: img
replaces, runners keyed by (id, hc), level ladders by level and traded by
price, size 0 removes, [] clears trd, ltp and tv replaced) and builds the
published tuple of each changed runner, as betfair.stream does.  Prints
"LINES MC RUNNERS SECONDS".

    betfair_py.py FILE
"""
import json
import sys
import time

lines = open(sys.argv[1], "rb").read().splitlines()
markets = {}
n_mc = n_out = 0
t0 = time.perf_counter()
for raw in lines:
    msg = json.loads(raw)
    if msg.get("op") != "mcm" or msg.get("ct") == "HEARTBEAT" or "mc" not in msg:
        continue
    if msg.get("ct") == "SUB_IMAGE":
        markets = {}
    for mc in msg["mc"]:
        n_mc += 1
        m = markets.get(mc["id"])
        if m is None or mc.get("img"):
            m = markets[mc["id"]] = {"status": "", "in_play": False, "defined": False, "runners": {}}
        changed = set()
        d = mc.get("marketDefinition")
        if d is not None:
            if not m["defined"] or d["status"] != m["status"] or d["inPlay"] != m["in_play"]:
                changed.update(m["runners"])
            m["status"], m["in_play"], m["defined"] = d["status"], d["inPlay"], True
            for r in d.get("runners", []):
                k = (r["id"], float(r.get("hc", 0)))
                if k not in m["runners"]:
                    m["runners"][k] = {"back": {}, "lay": {}, "trd": {}, "ltp": None, "tv": 0.0}
                    changed.add(k)
        for rc in mc.get("rc", []):
            k = (rc["id"], float(rc.get("hc", 0)))
            r = m["runners"].setdefault(k, {"back": {}, "lay": {}, "trd": {}, "ltp": None, "tv": 0.0})
            changed.add(k)
            for side, name in (("back", "batb"), ("lay", "batl")):
                for level, price, size in rc.get(name, ()):
                    if size == 0:
                        r[side].pop(level, None)
                    else:
                        r[side][level] = (price, size)
            if "trd" in rc:
                if not rc["trd"]:
                    r["trd"] = {}
                for price, size in rc["trd"]:
                    if size == 0:
                        r["trd"].pop(price, None)
                    else:
                        r["trd"][price] = size
            if "ltp" in rc:
                r["ltp"] = rc["ltp"]
            if "tv" in rc:
                r["tv"] = rc["tv"]
        for k, r in m["runners"].items():
            if k in changed:
                out = (mc["id"], msg["pt"], k[0], k[1], m["status"], m["in_play"],
                       r["back"].get(0), r["back"].get(1), r["back"].get(2),
                       r["lay"].get(0), r["lay"].get(1), r["lay"].get(2), r["tv"], r["ltp"])
                n_out += 1
print(len(lines), n_mc, n_out, time.perf_counter() - t0)
