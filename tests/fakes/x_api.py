#!/usr/bin/python3
"""A fake X API v2 filtered stream on loopback, for tests/integration/x_sentiment.sh.

    x_api.py PORT TOKEN POSTS LOG

POSTS is a JSON file {"rules": [{"id", "value", "tag"}...] (what X holds at
start), "batches": [[line, ...], ...]} where a line is a post object (sent
as one JSON line) or a string (sent as it is: malformed lines).  Every event
is appended to LOG as a JSON line with its time "t" (time.monotonic):
  {"ev": "rules_get"}, {"ev": "rules_post", "body": {...}}  the rules endpoint
  {"ev": "connect", "n": N, "query": {...}}                 a stream GET
  {"ev": "answer", "n": N, "status": S}                      its answer ended
  {"ev": "refused", "auth": "bad"}                          a wrong bearer token
GET /_x/go (no token needed) lets the first connection's posts go: until
then (at most 20 s) it sends keep-alives, so a test's subscriber can join.
The n-th stream connection (from 1) gets:
  1  200, keep-alives until /_x/go, batch 0 with keep-alives between lines, keep-alives for 0.5 s,
     then a stall: no byte at all until the client gives up
  2, 3  503        4, 5  429 (with a JSON problem body)
  6  200, batch 1, an `errors` object (operational-disconnect), then the
     server ends the stream
  7, 8  the connection is closed without an answer (a network error)
  9+ 200, batch 2 (only on 9), then a keep-alive every 0.3 s until the client leaves
"""
import json
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port, token, posts_path, log_path = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
with open(posts_path) as f:
    data = json.load(f)
rules = {r["id"]: r for r in data["rules"]}
next_rule_id = 900
conns = 0
lock = threading.Lock()
go = threading.Event()


def log(ev, **kw):
    with lock, open(log_path, "a") as out:
        out.write(json.dumps(dict(ev=ev, t=time.monotonic(), **kw)) + "\n")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def answer(self, status, body):
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def authorised(self):
        if self.headers.get("Authorization") == "Bearer " + token:
            return True
        log("refused", auth="bad")
        self.answer(401, {"title": "Unauthorized", "type": "about:blank", "status": 401})
        return False

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/_x/go":
            go.set()
            self.answer(200, {})
            return
        if not self.authorised():
            return
        if url.path == "/2/tweets/search/stream/rules":
            log("rules_get")
            with lock:
                held = list(rules.values())
            body = {"meta": {"sent": "2024-01-15T10:35:00.000Z", "result_count": len(held)}}
            if held:
                body["data"] = held
            self.answer(200, body)
        elif url.path == "/2/tweets/search/stream":
            self.stream(urllib.parse.parse_qs(url.query))
        else:
            self.answer(404, {"title": "Not Found"})

    def do_POST(self):
        global next_rule_id
        if not self.authorised():
            return
        n = int(self.headers.get("Content-Length", "0"))
        body = json.loads(self.rfile.read(n) or b"{}")
        log("rules_post", body=body)
        created = []
        with lock:
            for i in body.get("delete", {}).get("ids", []):
                rules.pop(i, None)
            for r in body.get("add", []):
                next_rule_id += 1
                rules[str(next_rule_id)] = dict(id=str(next_rule_id), value=r["value"], tag=r.get("tag", ""))
                created.append(rules[str(next_rule_id)])
        self.answer(200, {"data": created, "meta": {"sent": "2024-01-15T10:35:00.000Z"}})

    def chunk(self, raw):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(raw), raw))
        self.wfile.flush()

    def stream(self, query):
        global conns
        with lock:
            conns += 1
            n = conns
        log("connect", n=n, query={k: v[0] for k, v in query.items()})
        if n in (2, 3):
            self.answer(503, {"title": "Service Unavailable"})
            log("answer", n=n, status=503)
            return
        if n in (4, 5):
            self.answer(429, {"title": "Too Many Requests", "detail": "Too Many Requests"})
            log("answer", n=n, status=429)
            return
        if n in (7, 8):
            self.close_connection = True
            self.connection.shutdown(2)
            log("answer", n=n, status=0)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            while n == 1 and not go.wait(0.3):
                self.chunk(b"\r\n")
            batch = {1: 0, 6: 1, 9: 2}.get(n)
            for line in data["batches"][batch] if batch is not None else []:
                raw = line.encode("utf-8", "surrogateescape") if isinstance(line, str) else \
                    json.dumps(line).encode()
                self.chunk(raw + b"\r\n")
                if n == 1:
                    self.chunk(b"\r\n")  # a keep-alive between posts
            if n == 1:
                for _ in range(5):
                    time.sleep(0.1)
                    self.chunk(b"\r\n")
                log("answer", n=n, status=200)  # the last byte before the stall
                time.sleep(30)
                return
            if n == 6:
                self.chunk(json.dumps({"errors": [{"title": "operational-disconnect",
                                                   "disconnect_type": "UpstreamOperationalDisconnect",
                                                   "detail": "This stream has been disconnected upstream"}]})
                           .encode() + b"\r\n")
                self.chunk(b"")
                log("answer", n=n, status=200)
                self.close_connection = True
                return
            for _ in range(1000):
                time.sleep(0.3)
                self.chunk(b"\r\n")
        except OSError:
            pass


ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
