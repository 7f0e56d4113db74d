#!/usr/bin/python3
"""A fake Kraken public REST API on loopback, for the integration tests.

    fake_kraken.py PORT

Serves AssetPairs, Ticker, Depth and Trades shaped like Kraken's documented
answers, from fixed data (TICKERS below, printed by GET /_data so tests can
compare).  Failure modes are queued with GET /_mode?queue=a,b,c and consumed
one per Ticker request: ok, envelope_error, too_many (EGeneral:Too many
requests), http429, http500, truncated, invalid, slow (3 s), malformed_pair,
and the modes below.  GET /_stats returns request counts and the User-Agents
seen.

Per endpoint and pair: GET /_mode?queue_ENDPOINT=a,b,c (ENDPOINT ticker,
depth or trades) queues modes for that endpoint, and
/_mode?queue_ENDPOINT.PAIRS=... for the requests whose pair= is exactly PAIRS
(looked up first), so that two services of one kind can fail apart.  Modes
every endpoint knows: ok, http503, reset (the connection closed with a TCP
reset, no answer), rate_limit (EAPI:Rate limit exceeded), unavailable
(EService:Unavailable), busy (EService:Busy).  The three error envelopes also
carry a "result" whose every price is POISON: a client that reads past the
error publishes it.  /_mode?close=1 closes every connection after its answer
(Connection: close), so that libcurl never retries a reset on its own on a
reused connection: one request of the worker is one request here.
/_stats "log" lists every market-data request as [endpoint, pair, mode, t]
(t: CLOCK_MONOTONIC, s, when the request arrived); GET
/_log?endpoint=E&pair=P&after=T only those of E with pair= P after T.
/_mode answers {"t": T}: the requests logged after T were served the modes
it queued.

Hostile answers: GET /_mode?hostile_ticker=N (likewise hostile_depth,
hostile_trades) makes the next N answers of that endpoint carry EXTRA pairs
never asked for (well-formed, so only the asking decides) and, for the first
pair asked, one entry with a bad number from BAD_VALUES in turn: a price 0,
-1, "nan", "inf", NaN, Infinity, or a negative volume.  Every such entry is
counted in /_stats "bad_sent" per endpoint: the worker's `bad` counter must
come out the same.
"""
import json
import socket
import struct
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# pair -> (ask, bid, last, volume today, trades today); decimal strings as Kraken sends them
TICKERS = {
    "XXBTZUSD": ("30300.10000", "30300.00000", "30301.20000", "4083.67001100", 34619),
    "XXBTZEUR": ("27700.20000", "27700.00000", "27701.00000", "1234.50000000", 12345),
    "XETHZUSD": ("1900.50000", "1900.40000", "1900.45000", "55555.10000000", 2222),
    "XETHZEUR": ("1750.30000", "1750.10000", "1750.20000", "44444.20000000", 1111),
    "XXBTZUSD.d": ("30310.00000", "30290.00000", "30300.00000", "1.00000000", 7),
}

lock = threading.Lock()
queue = []
queues = {}      # "ticker", "depth.XXBTZUSD"... -> modes still to serve
close_all = [False]
stats = {"requests": 0, "ticker": 0, "user_agents": [], "since": [], "log": [],
         "bad_sent": {"Ticker": 0, "Depth": 0, "Trades": 0}}
POISON = "77777.00000"   # every price of an error envelope's result
ERRORS = {"rate_limit": "EAPI:Rate limit exceeded", "unavailable": "EService:Unavailable",
          "busy": "EService:Busy"}
hostile = {"Ticker": 0, "Depth": 0, "Trades": 0}     # hostile answers still to serve
EXTRA = 1000
# (field, value): a price that is not positive and finite, or a negative volume
BAD_VALUES = [("price", "0"), ("price", "-1"), ("price", "nan"), ("price", "inf"),
              ("price", float("nan")), ("price", float("inf")), ("price", 0), ("volume", "-0.5")]
bad_turn = [0]
trades = {}      # pair -> list of [price, volume, time, side, type, misc, id]
next_id = [1000]
BOOK_TIME = 1688671659


def book(p, count):
    ask, bid = float(TICKERS[p][0]), float(TICKERS[p][1])
    return {"asks": [["%.5f" % (ask + i), "%.3f" % (1.5 + i), BOOK_TIME + i] for i in range(count)],
            "bids": [["%.5f" % (bid - i), "%.3f" % (0.5 + i), BOOK_TIME - i] for i in range(count)]}


def more_trades(p):
    """Three new trades per request, ids and times increasing."""
    for _ in range(3):
        next_id[0] += 1
        t = 1688669597 + next_id[0] / 1000.0
        trades.setdefault(p, []).append(
            ["30243.40000", "0.34507674", t, "bs"[next_id[0] % 2], "ml"[next_id[0] % 2], "", next_id[0]])


def take_hostile(endpoint):
    """True if this answer of endpoint is to be hostile (counts it down)."""
    with lock:
        if hostile[endpoint] <= 0:
            return False
        hostile[endpoint] -= 1
        return True


def next_bad():
    with lock:
        bad_turn[0] += 1
        return BAD_VALUES[(bad_turn[0] - 1) % len(BAD_VALUES)]


def make_hostile(endpoint, result, first, extra_value):
    """Add EXTRA unrequested pairs and spoil the entry of pair first; count them."""
    field, value = next_bad()
    entry = result[first]
    if endpoint == "Ticker":   # a: [price, whole-lot volume, lot volume]
        entry["a"] = [value, "1", "1.000"] if field == "price" else [entry["a"][0], "1", value]
    elif endpoint == "Depth":  # a level: [price, volume, time]
        lv = entry["asks"][0]
        entry["asks"][0] = [value, lv[1], lv[2]] if field == "price" else [lv[0], value, lv[2]]
    else:                      # a trade: [price, volume, time, side, type, misc, id]
        t = list(entry[-1]) if entry else ["1.0", "1.0", 1688669597.0, "b", "m", "", 1]
        t[0 if field == "price" else 1] = value
        entry.append(t)
    for i in range(EXTRA):
        result["ZZ%04dZUSD" % i] = extra_value
    with lock:
        stats["bad_sent"][endpoint] += EXTRA + 1
    return result


def ticker_entry(p):
    ask, bid, last, vol, trades = TICKERS[p]
    return {"a": [ask, "1", "1.000"], "b": [bid, "2", "2.000"], "c": [last, "0.01000000"],
            "v": [vol, vol], "p": [ask, bid], "t": [trades, trades + 1],
            "l": [bid, bid], "h": [ask, ask], "o": last}


def poisoned(endpoint, pair):
    """A well-formed result of endpoint for pair, every price POISON."""
    if endpoint == "Ticker":
        e = ticker_entry(pair)
        for k in ("a", "b", "c"):
            e[k] = [POISON] + e[k][1:]
        return {pair: e}
    if endpoint == "Depth":
        return {pair: {"asks": [[POISON, "1.000", BOOK_TIME]], "bids": [[POISON, "1.000", BOOK_TIME]]}}
    return {pair: [[POISON, "1.0", 1688669597.5, "b", "m", "", 999999999]], "last": "1688669597500000000"}


def take_mode(endpoint, pairs, fallback=()):
    """The mode of this request (queued for endpoint.pairs, else endpoint,
    else in fallback), logged."""
    with lock:
        key = endpoint.lower()
        q = queues.get(key + "." + pairs) or queues.get(key) or fallback
        mode = q.pop(0) if q else "ok"
        stats["log"].append([endpoint, pairs, mode, time.monotonic()])
        return mode


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, code, body, ctype="application/json"):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        if close_all[0]:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)

    def fail(self, endpoint, pairs, mode):
        """Answer a failure mode every endpoint knows; False if mode is not one."""
        if mode in ERRORS:
            first = pairs.split(",")[0]
            result = poisoned(endpoint, first) if first in TICKERS else {}
            self.send(200, json.dumps({"error": [ERRORS[mode]], "result": result}))
        elif mode == "http503":
            self.send(503, "<html>Service Unavailable</html>", "text/html")
        elif mode == "reset":   # SO_LINGER 0: close() sends RST, no answer at all
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()
        else:
            return False
        return True

    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        q = urllib.parse.parse_qs(url.query)
        if url.path == "/_mode":
            with lock:
                if "queue" in q:
                    queue.extend(q["queue"][0].split(","))
                for k, v in q.items():
                    if k.startswith("queue_"):
                        queues.setdefault(k[6:], []).extend(v[0].split(","))
                if "close" in q:
                    close_all[0] = q["close"][0] == "1"
                for e in hostile:
                    hostile[e] += int(q.get("hostile_" + e.lower(), ["0"])[0])
                now = time.monotonic()   # every request logged after it saw these modes
            return self.send(200, json.dumps({"t": now}))
        if url.path == "/_stats":
            with lock:
                return self.send(200, json.dumps(dict(stats, hostile_left=hostile)))
        if url.path == "/_log":
            e, p, after = q["endpoint"][0], q["pair"][0], float(q.get("after", ["0"])[0])
            with lock:
                return self.send(200, json.dumps([x for x in stats["log"]
                                                  if x[0] == e and x[1] == p and x[3] > after]))
        if url.path == "/_data":
            with lock:
                ids = {p: [t[6] for t in v] for p, v in trades.items()}
            return self.send(200, json.dumps({"ticker": {p: ticker_entry(p) for p in TICKERS},
                                              "book": {p: book(p, 3) for p in TICKERS},
                                              "trades": ids}))
        with lock:
            stats["requests"] += 1
            ua = self.headers.get("User-Agent", "")
            if ua not in stats["user_agents"]:
                stats["user_agents"].append(ua)
        if url.path == "/0/public/AssetPairs":
            result = {p: {"altname": p, "wsname": p[1:4] + "/" + p[5:8]} for p in TICKERS}
            return self.send(200, json.dumps({"error": [], "result": result}))
        if url.path == "/0/public/Depth":
            p = q.get("pair", [""])[0]
            if self.fail("Depth", p, take_mode("Depth", p)):
                return
            if p not in TICKERS:
                return self.send(200, '{"error":["EQuery:Unknown asset pair"]}')
            count = int(q.get("count", ["100"])[0])
            result = {p: book(p, count)}
            if take_hostile("Depth"):
                make_hostile("Depth", result, p, book("XXBTZUSD", count))
            return self.send(200, json.dumps({"error": [], "result": result}))
        if url.path == "/0/public/Trades":
            p = q.get("pair", [""])[0]
            if self.fail("Trades", p, take_mode("Trades", p)):
                return
            if p not in TICKERS:
                return self.send(200, '{"error":["EQuery:Unknown asset pair"]}')
            with lock:
                more_trades(p)
                since = q.get("since", [None])[0]
                stats["since"].append([p, since])
                if since is None:
                    page = trades[p][-5:]
                else:   # inclusive, like an overlapping page: the client must drop repeats
                    page = [t for t in trades[p] if int(round(t[2] * 1e9)) >= int(since)]
                last = str(int(round(page[-1][2] * 1e9))) if page else since
            result = {p: list(page), "last": last}
            if take_hostile("Trades"):
                make_hostile("Trades", result, p, list(page))
            return self.send(200, json.dumps({"error": [], "result": result}))
        if url.path != "/0/public/Ticker":
            return self.send(404, '{"error":["EGeneral:Unknown method"]}')
        asked = q.get("pair", [",".join(TICKERS)])[0]
        mode = take_mode("Ticker", asked, queue)
        with lock:
            stats["ticker"] += 1
        if self.fail("Ticker", asked, mode):
            return
        pairs = asked.split(",")
        result = {p: ticker_entry(p) for p in pairs if p in TICKERS}
        if mode == "ok" and result and take_hostile("Ticker"):
            make_hostile("Ticker", result, next(iter(result)), ticker_entry("XXBTZUSD"))
        if mode == "envelope_error":
            return self.send(200, '{"error":["EGeneral:Invalid arguments"]}')
        if mode == "too_many":
            return self.send(200, '{"error":["EGeneral:Too many requests"]}')
        if mode == "http429":
            return self.send(429, "Too Many Requests", "text/plain")
        if mode == "http500":
            return self.send(500, "<html>oops</html>", "text/html")
        if mode == "invalid":
            return self.send(200, "this is not json")
        body = json.dumps({"error": [], "result": result})
        if mode == "truncated":
            return self.send(200, body[: len(body) // 2])
        if mode == "slow":
            time.sleep(3)
        if mode == "malformed_pair" and result:
            first = next(iter(result))
            result[first] = {"a": ["x"]}
            body = json.dumps({"error": [], "result": result})
        return self.send(200, body)


if __name__ == "__main__":
    server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
    server.daemon_threads = True
    server.serve_forever()
