#!/usr/bin/python3
"""Decode nbpy messages with Python's msgpack, knowing only docs/wire-format.md.

Reads the JSON lines of tests/tools/wire_samples on stdin; for each schema,
unpacks the MessagePack hex as the doc says and compares with the values the
C encoder meant, then splits the legacy frame the way the original Python
subscribers did (first space, then SOH) and checks the documented field
count and numbers.
"""
import json
import sys

import msgpack

# Body field names per schema id, copied from docs/wire-format.md.
BODY = {
    1: ["instrument", "ask_price", "ask_whole_lot_volume", "ask_lot_volume", "bid_price",
        "bid_whole_lot_volume", "bid_lot_volume", "last_trade_price", "last_trade_lot_volume",
        "volume_today", "volume_last_24_hours", "vwap_today", "vwap_last_24_hours",
        "number_of_trades_today", "number_of_trades_last_24_hours", "low_today",
        "low_last_24_hours", "high_today", "high_last_24_hours", "opening_price"],
    2: ["instrument", "bids", "asks"],
    3: ["instrument", "price", "volume", "side", "order_type", "misc", "trade_id"],
    4: ["instrument_t0", "bid_t0", "ask_t0", "instrument_t1", "bid_t1", "ask_t1"],
    5: ["instrument_t0", "eurusd_bid_t0", "eurusd_ask_t0", "bid_t0", "bid_volume_t0", "ask_t0",
        "ask_volume_t0", "instrument_t1", "eurusd_bid_t1", "eurusd_ask_t1", "bid_t1",
        "bid_volume_t1", "ask_t1", "ask_volume_t1"],
    6: ["instrument", "bid", "ask"],
    7: ["source"],
    8: ["market_id", "selection_id", "side", "level", "price", "size"],
    9: ["id", "lang", "time_zone", "geohash", "user", "followers", "statuses", "retweets",
        "pos", "neg", "location", "text"],
}
# Legacy topic and field count per schema id (0: the Kraken Depth JSON).
LEGACY = {1: ("kraken_tick", 20), 2: ("kr_depth", 0), 3: ("kr_trade", 8),
          4: ("kr_eurusd_tick", 9), 5: ("kr_eurusd_depth", 17), 6: ("oanda_tick", 4),
          7: ("oanda_heartbeat", 3), 8: ("betfair_market", 7), 9: ("twitter_sentiment", 13)}

failures = 0
seen = set()
for line in sys.stdin:
    sample = json.loads(line)
    sid = sample["schema"]
    a = msgpack.unpackb(bytes.fromhex(sample["msgpack"]), raw=False)
    schema, version, service, seq, event_ns, recv_delta = a[:6]
    msg = dict(zip(BODY[schema], a[6:]))
    ok = (schema == sid and version == 1 and len(a) == 6 + len(BODY[sid])
          and a == sample["values"] and isinstance(service, str) and seq >= 0)
    if sid == 4:  # the documented derived spreads
        spread = round(msg["ask_t1"] - msg["bid_t1"], 5)
        ok = ok and spread == 0.00302
    frame = bytes.fromhex(sample["legacy"]).decode("utf-8")
    topic, payload = frame.split(" ", 1)
    want_topic, count = LEGACY[sid]
    if count:
        fields = payload.split("\x01")
        ok = ok and topic == want_topic and len(fields) == count
        for name in ("bid", "ask", "price", "bid_t1", "ask_t1", "pos"):
            if name in msg and name in BODY[sid]:
                ok = ok and any(f == str(float(msg[name])) for f in fields)
    else:
        book = json.loads(payload)
        pair = book["result"][msg["instrument"]]
        ok = ok and topic == want_topic and book["error"] == [] and \
            [float(l[0]) for l in pair["bids"]] == [l[0] for l in msg["bids"]]
    print(("ok   " if ok else "FAIL ") + sample["name"], f"({len(bytes.fromhex(sample['msgpack']))} B)")
    failures += not ok
    seen.add(sid)

if seen != set(BODY):
    print("missing schemas:", sorted(set(BODY) - seen))
    failures += 1
sys.exit(1 if failures else 0)
