#!/usr/bin/python3
"""fake_oanda.py - a fake OANDA v20 pricing stream for the tests (loopback only).

    fake_oanda.py PORT TOKEN [HEARTBEAT_SECONDS [PRICE_DELAY_SECONDS]]

GET /v3/accounts/{account}/pricing/stream?instruments=A,B&snapshot=true with
"Authorization: Bearer TOKEN" (401 otherwise) answers a chunked stream of
newline-delimited JSON: the scripted PRICE lines below for the instruments
asked for (after PRICE_DELAY_SECONDS, default 0, of heartbeats, so that a
subscriber has time to connect), two malformed lines, then HEARTBEAT lines every HEARTBEAT_SECONDS
(default 0.2) until the client goes.  Records are written cut across chunks
and several to a chunk, so the reader must join and split them.
An account id ending in "-stall" gets the prices and then silence: no
heartbeat, the connection kept open, for an idle watchdog to notice; what it
is served is not in /_stats' prices and malformed.
GET /_late?instrument=X: one more PRICE of X (its 100th), sent by the next
stream to beat instead of a heartbeat, then counted in /_stats' prices.
GET /_stats: what was served, as JSON: {"prices": [PRICE objects, in order],
"malformed": n, "heartbeats": n, "unauthorized": n, "requests": [paths]}.
"""
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

PORT, TOKEN = int(sys.argv[1]), sys.argv[2]
BEAT = float(sys.argv[3]) if len(sys.argv) > 3 else 0.2
DELAY = float(sys.argv[4]) if len(sys.argv) > 4 else 0.0
LOCK = threading.Lock()
STATS = {"prices": [], "malformed": 0, "heartbeats": 0, "unauthorized": 0, "requests": []}
LATE = []  # PRICE objects queued by /_late
MALFORMED = [b'{"type":"PRICE","instrument":"EUR_USD","time":"2026-11-30T04:00:00.1Z",\n',  # cut
             b'{"type":"PRICE","instrument":"EUR_USD","time":"not a time","bids":[{"price":"1.1",'
             b'"liquidity":1}],"asks":[{"price":"1.2","liquidity":1}],"tradeable":true}\n']


def price(inst, i):
    """The i-th scripted PRICE of inst, in OANDA v20's format."""
    base = {"EUR_USD": 1.08, "USD_JPY": 149.5}.get(inst, 2.0)
    bid = round(base + i * 0.00013, 5)
    ask = round(bid + 0.00021, 5)
    return {"type": "PRICE",
            "time": "2026-11-30T04:%02d:%02d.%09dZ" % (i // 60, i % 60, 123456789 + i),
            "instrument": inst,
            "bids": [{"price": "%.5f" % bid, "liquidity": 1000000 + i},
                     {"price": "%.5f" % (bid - 0.0001), "liquidity": 5000000}],
            "asks": [{"price": "%.5f" % ask, "liquidity": 1000000 + 2 * i},
                     {"price": "%.5f" % (ask + 0.0001), "liquidity": 5000000}],
            "closeoutBid": "%.5f" % (bid - 0.00005), "closeoutAsk": "%.5f" % (ask + 0.00005),
            "status": "tradeable", "tradeable": True}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def send_json(self, code, obj):
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def chunk(self, data):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def heartbeat(self):
        hb = {"type": "HEARTBEAT", "time": time.strftime("%Y-%m-%dT%H:%M:%S.000000000Z", time.gmtime())}
        self.chunk(json.dumps(hb).encode() + b"\n")
        with LOCK:
            STATS["heartbeats"] += 1

    def do_GET(self):
        u = urlparse(self.path)
        if u.path == "/_stats":
            with LOCK:
                return self.send_json(200, STATS)
        if u.path == "/_late":
            with LOCK:
                LATE.append(price(parse_qs(u.query)["instrument"][0], 100))
            return self.send_json(200, {})
        with LOCK:
            STATS["requests"].append(self.path)
        parts = u.path.split("/")
        if len(parts) != 6 or parts[1:3] != ["v3", "accounts"] or parts[4:] != ["pricing", "stream"]:
            return self.send_json(404, {"errorMessage": "no such path"})
        if self.headers.get("Authorization") != "Bearer " + TOKEN:
            with LOCK:
                STATS["unauthorized"] += 1
            return self.send_json(401, {"errorMessage": "Insufficient authorization to perform request."})
        stall = parts[3].endswith("-stall")
        q = parse_qs(u.query)
        insts = q.get("instruments", [""])[0].split(",")
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        lines = []
        for i in range(6):
            for inst in insts:
                p = price(inst, i)
                lines.append((json.dumps(p).encode() + b"\n", p))
        lines[3:3] = [(m, None) for m in MALFORMED]
        data = b"".join(l for l, _ in lines)
        try:
            until = time.time() + DELAY
            while time.time() < until:
                time.sleep(min(BEAT, DELAY))
                self.heartbeat()
            # cut at odd places: a record across chunks, several in one
            for k in range(0, len(data), 97):
                self.chunk(data[k:k + 97])
                time.sleep(0.01)
            with LOCK:  # what a stalled stream serves is not counted here
                if not stall:
                    STATS["prices"].extend(p for _, p in lines if p is not None)
                    STATS["malformed"] += len(MALFORMED)
            while True:
                time.sleep(BEAT)
                with LOCK:
                    late = LATE.pop(0) if LATE and not stall else None
                if late is not None:
                    self.chunk(json.dumps(late).encode() + b"\n")
                    with LOCK:
                        STATS["prices"].append(late)
                elif not stall:
                    self.heartbeat()
        except (BrokenPipeError, ConnectionResetError):
            pass


ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
