#!/usr/bin/python3
"""oanda_flood.py - an OANDA v20 pricing stream as fast as loopback takes it,
for bench/oanda_stream.sh.  Not a fake for tests (tests/fakes/fake_oanda.py).

    oanda_flood.py PORT GO_FILE

A GET of /N/v3/accounts/ACCOUNT/pricing/stream?... (the url key's path
holds N) answers 200 with a chunked stream of N PRICE lines in OANDA's
format, then the last chunk, and closes.  The lines are made once: a block
of 10,000 (eight instruments, distinct times and prices), 64 to a chunk,
chunk headers included, and the block is sent again until N are out; so the
server only calls sendall on ready bytes.  Each connection is noted as a
line "connected" on stdout, and the stream waits for GO_FILE to exist
(at most 30 s), so that the caller can read its consumer's CPU time first.
"""
import json
import os
import socket
import sys
import threading
import time

PORT, GO = int(sys.argv[1]), sys.argv[2]
INSTRUMENTS = ["EUR_USD", "USD_JPY", "GBP_USD", "AUD_USD", "USD_CHF", "EUR_JPY", "USD_CAD", "EUR_GBP"]
BLOCK, PER_CHUNK = 10000, 64


def price(i):
    """The i-th PRICE line, in OANDA v20's format (as fake_oanda.py's)."""
    inst = INSTRUMENTS[i % len(INSTRUMENTS)]
    bid = round(1.08 + (i % 977) * 0.00001, 5)
    ask = round(bid + 0.00021, 5)
    p = {"type": "PRICE",
         "time": "2026-11-30T04:%02d:%02d.%09dZ" % (i // 600 % 60, i // 10 % 60, 100000000 * (i % 10) + i),
         "bids": [{"price": "%.5f" % bid, "liquidity": 1000000}, {"price": "%.5f" % (bid - 0.0001), "liquidity": 5000000}],
         "asks": [{"price": "%.5f" % ask, "liquidity": 1000000}, {"price": "%.5f" % (ask + 0.0001), "liquidity": 5000000}],
         "closeoutBid": "%.5f" % (bid - 0.00005), "closeoutAsk": "%.5f" % (ask + 0.00005),
         "status": "tradeable", "tradeable": True, "instrument": inst}
    return json.dumps(p, separators=(",", ":")).encode() + b"\n"


def chunk(data):
    return b"%x\r\n%s\r\n" % (len(data), data)


LINES = [price(i) for i in range(BLOCK)]
CHUNKS = [chunk(b"".join(LINES[k:k + PER_CHUNK])) for k in range(0, BLOCK, PER_CHUNK)]
WHOLE = b"".join(CHUNKS)


def serve(conn):
    with conn:
        req = b""
        while b"\r\n\r\n" not in req and len(req) < 65536:
            got = conn.recv(4096)
            if not got:
                return
            req += got
        words = req.split(b" ", 2)
        parts = words[1].decode(errors="replace").split("/") if len(words) > 2 else []
        if len(parts) < 7 or not parts[1].isdigit() or not parts[-1].startswith("stream"):
            conn.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            return
        n = int(parts[1])
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
                     b"Transfer-Encoding: chunked\r\n\r\n")
        print("connected", flush=True)
        until = time.monotonic() + 30
        while not os.path.exists(GO) and time.monotonic() < until:
            time.sleep(0.005)
        try:
            for _ in range(n // BLOCK):
                conn.sendall(WHOLE)
            rest = LINES[:n % BLOCK]
            for k in range(0, len(rest), PER_CHUNK):
                conn.sendall(chunk(b"".join(rest[k:k + PER_CHUNK])))
            conn.sendall(b"0\r\n\r\n")
        except OSError:
            pass	# the consumer went away


srv = socket.create_server(("127.0.0.1", PORT))
print("listening", flush=True)
while True:
    c, _ = srv.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
