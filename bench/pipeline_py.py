#!/usr/bin/python3
"""The Python peer of bench/pipeline: pyzmq + msgpack, the approach of the
original services, sending the same EURUSD tick fields.

    pipeline_py.py pub ENDPOINT N [RATE] | sub ENDPOINT N
"""
import sys
import time

import msgpack
import zmq

mode, ep, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
ctx = zmq.Context()
if mode == "pub":
    s = ctx.socket(zmq.PUB)
    s.setsockopt(zmq.SNDHWM, 2000000)
    s.bind(ep)
    time.sleep(1)
    rate = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    start = time.monotonic()
    for i in range(1, n + 1):
        if rate:
            while time.monotonic() - start < i / rate:
                pass
        t = time.time_ns()
        s.send_multipart([b"kr_eurusd_tick", msgpack.packb(
            [4, 1, "kraken_EURUSD", i, t, 0, "XZECZUSD", 1.15956, 1.17441, "XETHZEUR", 1.16386, 1.16688])])
    s.setsockopt(zmq.LINGER, 5000)
    s.close()
else:
    s = ctx.socket(zmq.SUB)
    s.setsockopt(zmq.RCVHWM, 2000000)
    s.setsockopt(zmq.SUBSCRIBE, b"")
    s.setsockopt(zmq.RCVTIMEO, 10000)
    s.connect(ep)
    lat, got, gaps, nxt, first, last = [], 0, 0, 1, 0, 0
    while got < n:
        try:
            topic, payload = s.recv_multipart()
        except zmq.Again:
            break
        now = time.time_ns()
        m = msgpack.unpackb(payload, raw=False)
        lat.append(now - m[4])
        if m[3] > nxt:
            gaps += m[3] - nxt
        nxt = m[3] + 1
        if got == 0:
            first = now
        last = now
        got += 1
    lat.sort()
    rate = (got - 1) * 1e9 / (last - first) if got > 1 and last > first else 0
    print(got, round(rate), lat[got // 2] / 1000 if got else 0, lat[got * 99 // 100] / 1000 if got else 0, gaps)
