#!/usr/bin/python3
"""Market-change lines for bench/betfair.sh: a SUB_IMAGE of MARKETS markets
of 12 runners, then N-1 delta mcm lines as Betfair sends them with
EX_BEST_OFFERS, EX_TRADED and EX_LTP (ladderLevels 3): each changes one
market, one to three runners, their best levels (some emptied with size 0),
now and then a traded price, ltp and tv.  Seeded: the same lines each run.

    betfair_gen.py N [MARKETS] > FILE
"""
import json
import random
import sys

n = int(sys.argv[1])
markets = int(sys.argv[2]) if len(sys.argv) > 2 else 20
rnd = random.Random(16)
ids = ["1.%d" % (200000000 + m) for m in range(markets)]
runners = list(range(1000, 1012))
pt = 1764500000000
line = lambda o: print(json.dumps(o, separators=(",", ":")))


def ladder(base):
    return [[lv, round(base + 0.02 * lv * (1 if base > 0 else -1), 2), round(rnd.uniform(2, 500), 2)] for lv in range(3)]


line({"op": "mcm", "id": 2, "initialClk": "AAAA", "clk": "AAAB", "pt": pt, "ct": "SUB_IMAGE", "mc": [
    {"id": mid, "img": True, "marketDefinition": {"status": "OPEN", "inPlay": False, "bettingType": "ODDS",
                                                   "runners": [{"id": r, "status": "ACTIVE", "sortPriority": i + 1}
                                                               for i, r in enumerate(runners)]},
     "rc": [{"id": r, "batb": ladder(3.0 + i), "batl": ladder(3.02 + i), "ltp": 3.0 + i, "tv": 100.0}
            for i, r in enumerate(runners)]} for mid in ids]})
for k in range(1, n):
    pt += rnd.randint(1, 50)
    rcs = []
    for r in rnd.sample(runners, rnd.randint(1, 3)):
        rc = {"id": r}
        for side in ("batb", "batl"):
            if rnd.random() < 0.7:
                rc[side] = [[lv, round(rnd.uniform(1.5, 20), 2), 0 if rnd.random() < 0.1 else round(rnd.uniform(2, 500), 2)]
                            for lv in sorted(rnd.sample(range(3), rnd.randint(1, 2)))]
        if rnd.random() < 0.3:
            p = round(rnd.uniform(1.5, 20), 2)
            rc["trd"] = [[p, round(rnd.uniform(2, 5000), 2)]]
            rc["ltp"] = p
            rc["tv"] = round(rnd.uniform(100, 100000), 2)
        rcs.append(rc)
    line({"op": "mcm", "id": 2, "clk": "C%d" % k, "pt": pt, "mc": [{"id": rnd.choice(ids), "rc": rcs}]})
