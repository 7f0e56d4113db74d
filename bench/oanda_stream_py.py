#!/usr/bin/python3
"""oanda_stream_py.py - the original pub_oandav20_tick.py's work, for
bench/oanda_stream.sh: read the pricing stream line by line, json.loads each
line, and publish each PRICE as the S5 frame with pyzmq.

    oanda_stream_py.py URL ENDPOINT N

Reads with http.client, iterating the chunked response's lines (python3-
requests, whose iter_lines the original's v20 library used, is not among
the packages scripts/test installs; http.client's readline is the faster
of the two).  Binds a PUB at ENDPOINT, publishes up to N prices as
"oanda_tick INSTRUMENT\\x01TIME\\x01BID\\x01ASK" (bid and ask as Python
floats, as the original), then prints one line: prices, and the CPU time of
this process (all threads) from the first byte of the stream to the last
price, in ns per price.
"""
import http.client
import json
import resource
import sys
import time
import urllib.parse

import zmq

url, ep, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
ctx = zmq.Context()
pub = ctx.socket(zmq.PUB)
pub.setsockopt(zmq.SNDHWM, 2000000)
pub.bind(ep)
u = urllib.parse.urlsplit(url)
conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
conn.request("GET", u.path + "/v3/accounts/bench/pricing/stream?snapshot=true&instruments=EUR_USD",
             headers={"Authorization": "Bearer bench"})
resp = conn.getresponse()
if resp.status != 200:
    sys.exit("oanda_stream_py: HTTP %d" % resp.status)


def cpu_ns():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return int((r.ru_utime + r.ru_stime) * 1e9)


got, start = 0, None
for line in resp:
    if start is None:
        start = cpu_ns()
    if not line.strip():
        continue
    msg = json.loads(line)
    if msg["type"] == "PRICE":
        pub.send_string("oanda_tick " + "\x01".join(
            (msg["instrument"], msg["time"], str(float(msg["bids"][0]["price"])), str(float(msg["asks"][0]["price"])))))
        got += 1
        if got == n:
            break
used = cpu_ns() - (start or 0)
print(got, used // max(got, 1))
pub.setsockopt(zmq.LINGER, 5000)
pub.close()
ctx.term()
