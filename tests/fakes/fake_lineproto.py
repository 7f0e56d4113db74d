#!/usr/bin/python3
"""A fake line-protocol write endpoint on loopback (Kapacitor, InfluxDB 2.x),
for the integration tests.

    fake_lineproto.py PORT

Any POST is recorded: method, path, query, headers and the body (gunzipped
when Content-Encoding says gzip).  Answers are 204 unless a status queue is
set for a path with GET /_mode?path=/kapacitor/v1/write&queue=503,503,400 (one
status per write to that path, then 204 again);
error answers carry {"error": "..."} as Kapacitor and InfluxDB send them.
Two more entries can stand in a queue: "hang" (read the write, never answer,
close the connection after 5 s) and "partial" (InfluxDB 1.x's answer to a
batch of which it kept all but the first line: 400 with "partial write: ...
dropped=1"; the other lines are stored).
GET /_requests returns the recorded writes as JSON (with "t", the fake's
monotonic clock in seconds when the body was read, and "sha1" of the body),
GET /_lines every line of the bodies of the writes answered 2xx, in order.
"""
import gzip
import hashlib
import time
import json
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

lock = threading.Lock()
queues = {}   # path -> statuses to answer, in order
requests = []
stored = []


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body=b""):
        self.send_response(status)
        if body:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        q = urllib.parse.parse_qs(url.query)
        with lock:
            if url.path == "/_mode":
                queues[q["path"][0]] = [x if x in ("hang", "partial") else int(x)
                                        for x in q.get("queue", [""])[0].split(",") if x]
                return self.reply(200, b"{}")
            if url.path == "/_requests":
                return self.reply(200, json.dumps(requests).encode())
            if url.path == "/_lines":
                return self.reply(200, json.dumps(stored).encode())
        self.reply(404, b'{"error":"not found"}')

    def do_POST(self):
        url = urllib.parse.urlparse(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        with lock:
            queue = queues.get(url.path, [])
            status = queue.pop(0) if queue else 204
            requests.append({"method": "POST", "path": url.path,
                             "query": urllib.parse.parse_qs(url.query),
                             "headers": {k.lower(): v for k, v in self.headers.items()},
                             "lines": body.decode().count("\n"), "status": status,
                             "t": time.monotonic(), "sha1": hashlib.sha1(body).hexdigest()})
            if status == "partial":
                stored.extend(body.decode().splitlines()[1:])
            elif status not in ("hang", "partial") and status // 100 == 2:
                stored.extend(body.decode().splitlines())
        if status == "hang":
            time.sleep(5)
            self.close_connection = True
            return
        if status == "partial":
            first = body.decode().split("\n", 1)[0]
            msg = ("partial write: unable to parse '%s': invalid field format dropped=1" % first[:40])
            return self.reply(400, json.dumps({"error": msg}).encode())
        if status == 204:
            return self.reply(204)
        self.reply(status, json.dumps({"error": f"fake error {status}"}).encode())


if __name__ == "__main__":
    srv = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
    srv.daemon_threads = True
    srv.serve_forever()
