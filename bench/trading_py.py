#!/usr/bin/python3
"""The Python peer of bench/trading: one pyzmq + msgpack subscriber doing
what the signal and trader workers do between them, the originals' approach
(one script, one loop; a frame may hold a batch): keep the latest OANDA EUR_USD quote, compute the
synthetic spreads of each S4 tick, fire t_bid / t_ask at the threshold, fill
on paper at the quote with slippage and fee, net the position, and publish
what the trader publishes for each: the order, the fill and the position,
in nbpy's layouts (schemas 15, 16, 17; bench/trading's `sub` counts the
fills).

    trading_py.py IN_ENDPOINT OUT_ENDPOINT N    stops after N ticks, or 10 s without one
"""
import sys

import msgpack
import zmq

THRESHOLD, UNITS, SLIPPAGE_BPS, FEE_BPS = 0.003, 1000, 1.0, 0.5

src, dst, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
ctx = zmq.Context()
out = ctx.socket(zmq.PUB)
out.setsockopt(zmq.SNDHWM, 2000000)
out.bind(dst)
s = ctx.socket(zmq.SUB)
s.setsockopt(zmq.RCVHWM, 2000000)
s.setsockopt(zmq.SUBSCRIBE, b"")
s.setsockopt(zmq.RCVTIMEO, 10000)
s.connect(src)
quote = None
q, avg, realised, fees, ticks, seq, last_id = 0, 0.0, 0.0, 0.0, 0, 0, 0
frame = msgpack.Unpacker(raw=False)  # a frame holds one message, or a batch of them back to back


def messages():
    while ticks < n:
        try:
            topic, payload = s.recv_multipart()
        except zmq.Again:
            return
        frame.feed(payload)
        yield from frame


for m in messages():
    if m[0] == 6 and m[6] == "EUR_USD":
        quote = m
        continue
    if m[0] != 5:
        continue
    ticks += 1
    b0, a0, b1, a1 = m[7], m[8], m[14], m[15]
    t_bid, t_ask = round(a0 - b1, 5), round(a1 - b0, 5)
    sides = (["b"] if t_bid < -THRESHOLD else []) + (["s"] if t_ask < -THRESHOLD else [])
    for side in sides:
        if quote is None:
            continue
        sid = m[4] if m[4] > last_id else last_id + 1
        last_id = sid
        px = quote[8] * (1 + SLIPPAGE_BPS / 1e4) if side == "b" else quote[7] * (1 - SLIPPAGE_BPS / 1e4)
        fee = UNITS * px * FEE_BPS / 1e4
        dq = UNITS if side == "b" else -UNITS
        pl = 0.0
        if q == 0 or (q > 0) == (dq > 0):
            avg = (avg * abs(q) + px * abs(dq)) / abs(q + dq)
        else:
            pl = (px - avg) * min(abs(dq), abs(q)) * (1 if q > 0 else -1)
            if abs(dq) > abs(q):
                avg = px
        q += dq
        avg = avg if q else 0.0
        realised += pl - fee
        fees += fee
        cid = f"py-{sid}-0"
        for m_out in ([15, 1, "trader_py", seq + 1, sid, 0, cid, sid, "paper", "EUR_USD", side, float(UNITS),
                       quote[8] if side == "b" else quote[7], None, None, "filled", "", ""],
                      [16, 1, "trader_py", seq + 2, sid, 0, cid, sid, "paper", "EUR_USD", side, float(UNITS),
                       px, fee, pl - fee, "USD", ""],
                      [17, 1, "trader_py", seq + 3, sid, 0, "EUR_USD", "paper", float(q), avg if q else None,
                       (quote[7] if q > 0 else quote[8]) if q else None, realised,
                       ((quote[7] if q > 0 else quote[8]) - avg) * q if q else None, fees, "USD"]):
            out.send_multipart([b"trader", msgpack.packb(m_out)])
        seq += 3
out.setsockopt(zmq.LINGER, 5000)
out.close()
print(ticks, seq, file=sys.stderr)
