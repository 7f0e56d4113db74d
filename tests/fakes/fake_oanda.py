#!/usr/bin/python3
"""fake_oanda.py - a fake OANDA v20 pricing stream for the tests (loopback only).

    fake_oanda.py PORT TOKEN [HEARTBEAT_SECONDS [PRICE_DELAY_SECONDS [PACE_SECONDS]]]

GET /v3/accounts/{account}/pricing/stream?instruments=A,B&snapshot=true with
"Authorization: Bearer TOKEN" (401 otherwise) answers a chunked stream of
newline-delimited JSON: the scripted PRICE lines below for the instruments
asked for (after PRICE_DELAY_SECONDS, default 0, of heartbeats, so that a
subscriber has time to connect), the lines of malformed_lines(), then
HEARTBEAT lines every HEARTBEAT_SECONDS (default 0.2) until the client goes.
Records are written cut across chunks and several to a chunk, one chunk
every PACE_SECONDS (default 0.01), so the reader must join and split them.
The account id's suffix picks a behaviour:
  -stall  the prices, then silence: no heartbeat, the connection kept open,
          for an idle watchdog to notice (not in /_stats' prices, malformed);
  -split  250 prices per instrument, no malformed line, record k written in
          two chunks 2 ms apart, cut at byte k mod its length: every cut
          position;
  -forbidden  403, every time;
  -flaky  its 1st connection is answered 429, the 2nd 500, the 3rd gets the
          prices and then half a record and the connection closed; later
          ones are served normally (a snapshot again, as OANDA does).
GET /_late?instrument=X: one more PRICE of X (its 100th), sent by the next
stream to beat instead of a heartbeat, then counted in /_stats' prices.
Transactions, sinceid and trades: tests/fakes/oanda_transactions.py.
Orders (POST /v3/accounts/A/orders, GET .../orders/@CLIENT_ID,
GET .../transactions/ID, controls under /_orders/): tests/fakes/oanda_orders.py,
filling at the first scripted quote below unless a test sets a price.
GET /_stats: what was served, as JSON: {"prices": [PRICE objects, in order],
"malformed": n, "heartbeats": n, "unauthorized": n, "unauthorized_at": [times],
"requests": [paths],
"accounts": {account: {"prices": [...], "malformed": n, "heartbeats":
[times], "connections": n, "cut": n, "starts": [time of each connection],
"prices_sent": [time each connection's last price was sent]}}}.
"""
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import oanda_orders  # orders: POST, lookup by client id, transactions by id
import oanda_transactions  # the transactions stream, sinceid, trades

PORT, TOKEN = int(sys.argv[1]), sys.argv[2]
BEAT = float(sys.argv[3]) if len(sys.argv) > 3 else 0.2
DELAY = float(sys.argv[4]) if len(sys.argv) > 4 else 0.0
PACE = float(sys.argv[5]) if len(sys.argv) > 5 else 0.01
LOCK = threading.Lock()
STATS = {"prices": [], "malformed": 0, "heartbeats": 0, "unauthorized": 0, "unauthorized_at": [],
         "requests": [], "accounts": {}}
LATE = []  # PRICE objects queued by /_late


def malformed_lines():
    """Lines the worker must count as bad and not publish: one per rule."""
    def without(key, **change):
        p = price("EUR_USD", 99)
        p.pop(key, None)
        p.update(change)
        return json.dumps(p).encode() + b"\n"
    return [b'{"type":"PRICE","instrument":"EUR_USD","time":"2026-11-30T04:00:00.1Z",\n',  # cut
            without("time", time="not a time"),
            without("closeoutAsk"),
            without("closeoutBid", closeoutBid="1.1x"),
            without("tradeable"),
            without("bids", bids=[{"price": "1.1", "liquidity": "lots"}]),
            without("asks", asks=[]),
            b'{"type":"HEARTBEAT","time":"yesterday"}\n',
            b'<html>502 Bad Gateway</html>\n']


def account_stats(account):
    """This account's part of STATS (under LOCK)."""
    return STATS["accounts"].setdefault(account, {"prices": [], "malformed": 0, "heartbeats": [],
                                                  "connections": 0, "cut": 0, "starts": [],
                                                  "prices_sent": []})


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

    def heartbeat(self, account):
        ns = time.time_ns()
        t = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ns // 10**9)) + ".%09dZ" % (ns % 10**9)
        self.chunk(json.dumps({"type": "HEARTBEAT", "time": t}).encode() + b"\n")
        with LOCK:
            STATS["heartbeats"] += 1
            account_stats(account)["heartbeats"].append(t)

    def do_GET(self):
        u = urlparse(self.path)
        if u.path == "/_stats":
            with LOCK:
                return self.send_json(200, STATS)
        if oanda_transactions.handle(self, u, TOKEN, BEAT) or oanda_orders.handle_get(self, u):
            return
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
                STATS["unauthorized_at"].append(time.time())
            return self.send_json(401, {"errorMessage": "Insufficient authorization to perform request."})
        account = parts[3]
        if account.endswith("-forbidden"):  # a token without this account's rights
            return self.send_json(403, {"errorMessage": "The provided request was forbidden."})
        stall, split = account.endswith("-stall"), account.endswith("-split")
        with LOCK:
            st = account_stats(account)
            st["connections"] += 1
            st["starts"].append(time.time())
            conn = st["connections"]
        if account.endswith("-flaky") and conn <= 2:
            return self.send_json(429 if conn == 1 else 500, {"errorMessage": "try again later"})
        q = parse_qs(u.query)
        insts = q.get("instruments", [""])[0].split(",")
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        lines = []
        for i in range(250 if split else 6):
            for inst in insts:
                p = price(inst, i)
                lines.append((json.dumps(p).encode() + b"\n", p))
        bad = [] if split else malformed_lines()
        lines[3:3] = [(m, None) for m in bad]
        if split:  # record k in two chunks, cut at byte k mod its length, 2 ms apart
            chunks = [(c, p) for k, (l, _) in enumerate(lines)
                      for c, p in ((l[:k % len(l)], 0.002), (l[k % len(l):], 0)) if c]
        else:  # cut at odd places: a record across chunks, several in one
            data = b"".join(l for l, _ in lines)
            chunks = [(data[k:k + 97], PACE) for k in range(0, len(data), 97)]
        try:
            until = time.time() + DELAY
            while time.time() < until:
                time.sleep(min(BEAT, DELAY))
                self.heartbeat(account)
            for c, pause in chunks:
                self.chunk(c)
                time.sleep(pause)
            with LOCK:  # what a stalled stream serves is not counted here
                st["prices_sent"].append(time.time())
                if not stall:
                    served = [p for _, p in lines if p is not None]
                    STATS["prices"].extend(served)
                    STATS["malformed"] += len(bad)
                    st["prices"].extend(served)
                    st["malformed"] += len(bad)
            if account.endswith("-flaky") and conn == 3:  # half a record, then gone
                self.chunk(lines[0][0][:len(lines[0][0]) // 2])
                with LOCK:
                    st["cut"] += 1
                self.close_connection = True
                return
            while True:
                time.sleep(BEAT)
                with LOCK:
                    late = LATE.pop(0) if LATE and not stall else None
                if late is not None:
                    self.chunk(json.dumps(late).encode() + b"\n")
                    with LOCK:
                        STATS["prices"].append(late)
                        st["prices"].append(late)
                elif not stall:
                    self.heartbeat(account)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def do_POST(self):
        if not oanda_orders.handle_post(self, urlparse(self.path)):
            self.send_json(404, {"errorMessage": "no such path"})


def quote(inst):
    """The first scripted quote of inst: (bid, ask) as OANDA writes them."""
    p = price(inst, 0)
    return p["bids"][0]["price"], p["asks"][0]["price"]


oanda_orders.TOKEN, oanda_orders.QUOTE = TOKEN, quote
ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
