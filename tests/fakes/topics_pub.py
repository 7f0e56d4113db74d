#!/usr/bin/python3
"""topics_pub.py - a MessagePack publisher numbering each topic on its own,
built from docs/wire-format.md alone: service "topics" sends ticks 1..N on
kr_eurusd_tick and on kr_eurusd_two, interleaved, each topic counting
1, 2, 3, ...; then the last tick of kr_eurusd_tick again, byte for byte (a
repeat, as a last-value cache sends it); then seq N again on kr_eurusd_tick
with another event time (not a repeat: a restarted publisher); then
announcements: N on kr_eurusd_tick, N + 5 on kr_eurusd_two (5 lost at its
tail).

  topics_pub.py ENDPOINT N

It binds, waits for two subscriptions (XPUB), sends and prints what it sent."""
import sys
import time

import msgpack
import zmq

ep, n = sys.argv[1], int(sys.argv[2])
ctx = zmq.Context()
pub = ctx.socket(zmq.XPUB)
pub.setsockopt(zmq.SNDHWM, 0)          # queue everything
pub.bind(ep)
for _ in range(2):
    if not pub.poll(10000):
        sys.exit("topics_pub: two subscriptions not there within 10 s")
    pub.recv()
t0, sent = time.time_ns(), 0


def tick(seq, event_ns):
    return msgpack.packb([4, 1, "topics", seq, event_ns, 0, "XZECZUSD", 1.15956, 1.17441,
                          "XETHZEUR", 1.16386, 1.16688])


for seq in range(1, n + 1):
    for topic in (b"kr_eurusd_tick", b"kr_eurusd_two"):
        pub.send_multipart([topic, tick(seq, t0 + seq)])
        sent += 1
pub.send_multipart([b"kr_eurusd_tick", tick(n, t0 + n)])          # a repeat
pub.send_multipart([b"kr_eurusd_tick", tick(n, t0 + n + 1)])      # not one
sent += 2
pub.send_multipart([b"kr_eurusd_tick", msgpack.packb([0, 1, "topics", n, time.time_ns(), 0])])
pub.send_multipart([b"kr_eurusd_two", msgpack.packb([0, 1, "topics", n + 5, time.time_ns(), 0])])
time.sleep(0.5)                        # linger: let the queue drain
print(sent)
