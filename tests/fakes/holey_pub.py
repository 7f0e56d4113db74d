#!/usr/bin/python3
"""holey_pub.py - a MessagePack publisher that skips sequence numbers, built
from docs/wire-format.md alone: ticks of service "holey" on kr_eurusd_tick
with seq 1..N except the given holes, then a sequence announcement of LAST
(> N: the messages after the last one sent were lost at the tail).

  holey_pub.py ENDPOINT N LAST HOLE...   (a HOLE is FIRST-END, inclusive)

It binds, waits until a subscriber's subscription arrives (XPUB), sends,
announces, and prints how many ticks it sent."""
import sys
import time

import msgpack
import zmq

ep, n, last = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
holes = set()
for h in sys.argv[4:]:
    a, b = (int(x) for x in h.split("-"))
    holes.update(range(a, b + 1))
ctx = zmq.Context()
pub = ctx.socket(zmq.XPUB)
pub.setsockopt(zmq.SNDHWM, 0)          # queue everything: no drop but ours
pub.bind(ep)
if not pub.poll(10000):                # the subscription, as a message
    sys.exit("holey_pub: no subscriber within 10 s")
pub.recv()
topic, t0, sent = b"kr_eurusd_tick", time.time_ns(), 0
for seq in range(1, n + 1):
    if seq in holes:
        continue
    body = [4, 1, "holey", seq, t0 + seq, 0, "XZECZUSD", 1.15956, 1.17441, "XETHZEUR", 1.16386, 1.16688]
    pub.send_multipart([topic, msgpack.packb(body)])
    sent += 1
pub.send_multipart([topic, msgpack.packb([0, 1, "holey", last, time.time_ns(), 0])])
time.sleep(0.5)                        # linger: let the queue drain
print(sent)
