#!/usr/bin/python3
"""A fake TypeDB 3.x HTTP API on loopback, for the integration tests.

    fake_typedb.py PORT USERNAME PASSWORD

Implements the routes sink.typedb uses, as TypeDB's HTTP service defines
them: POST /v1/signin -> {"token"}; GET|POST /v1/databases/NAME; POST
/v1/query (one-shot; schema `define`s are parsed: entity -> owned
attributes); POST /v1/transactions/open -> {"transactionId"}; POST
/v1/transactions/ID/query|commit|close.  Every route but signin needs
"Authorization: Bearer TOKEN"; errors are {"code", "message"} JSON.

A write query must be a pipeline of `put $var isa ENTITY, has ATTR VALUE, ...;`
stages over defined entities and owned attributes; commit stores each row
unless the same row is there already (put semantics).

Test controls: GET /_mode?route=R&queue=503,400 answers the next requests
to route R (signin, database, define, open, query, commit) with those
statuses; GET /_mode?expire=1 makes the current token invalid (the next
protected request gets 401).  GET /_state returns the requests, defines and
stored rows.
"""
import json
import re
import sys
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

USER, PASSWORD = sys.argv[2], sys.argv[3]
lock = threading.Lock()
queues = {}
state = {"requests": [], "defines": [], "rows": [], "databases": [], "token": None, "signins": 0}
entities = {}       # entity -> set of attributes
attributes = {}     # attribute -> value type
transactions = {}   # id -> pending rows
rowset = set()

STAGE = re.compile(r'put \$\w+ isa (\w+)((?:, has \w+ (?:"(?:[^"\\]|\\.)*"|[-0-9.T:]+))*);\s*')
HAS = re.compile(r', has (\w+) ("(?:[^"\\]|\\.)*"|[-0-9.T:]+)')


def parse_define(q):
    for m in re.finditer(r"attribute (\w+), value (\w+);", q):
        attributes[m.group(1)] = m.group(2)
    for m in re.finditer(r"entity (\w+)((?:, owns \w+)*);", q):
        entities.setdefault(m.group(1), set()).update(re.findall(r"owns (\w+)", m.group(2)))


def check_value(vtype, v):
    if vtype == "string":
        return v.startswith('"')
    if vtype == "integer":
        return re.fullmatch(r"-?\d+", v) is not None
    if vtype == "double":
        return re.fullmatch(r"-?\d+\.\d+", v) is not None
    if vtype == "datetime":
        return re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?", v) is not None
    return False


def parse_write(q):
    """The rows of a put pipeline, or an error message."""
    rows, pos = [], 0
    while pos < len(q):
        m = STAGE.match(q, pos)
        if not m:
            return None, f"cannot parse the query at offset {pos}: {q[pos:pos + 60]!r}"
        ent = m.group(1)
        if ent not in entities:
            return None, f"entity type {ent} is not defined"
        for attr, value in HAS.findall(m.group(2)):
            if attr not in entities[ent]:
                return None, f"{ent} does not own {attr}"
            if not check_value(attributes[attr], value):
                return None, f"{attr}: {value} is not a {attributes[attr]}"
        rows.append(ent + m.group(2))
        pos = m.end()
    return rows, None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, obj):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def error(self, status, code, message):
        self.reply(status, {"code": code, "message": message})

    def injected(self, route):
        q = queues.get(route, [])
        if q:
            status = q.pop(0)
            self.error(status, "FAKE", f"injected {status} on {route}")
            return True
        return False

    def do_GET(self):
        with lock:
            if self.path.startswith("/_mode?"):
                args = dict(a.split("=", 1) for a in self.path[7:].split("&"))
                if "route" in args:
                    queues[args["route"]] = [int(x) for x in args.get("queue", "").split(",") if x]
                if args.get("expire") == "1":
                    state["token"] = "expired"
                return self.reply(200, {})
            if self.path == "/_state":
                return self.reply(200, state)
            self.handle_api("GET", None)

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(n)
        with lock:
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                return self.error(400, "JSON", "body is not JSON")
            self.handle_api("POST", body)

    def handle_api(self, method, body):
        path = self.path
        auth = self.headers.get("Authorization")
        state["requests"].append({"method": method, "path": path, "auth": auth, "body": body,
                                  "content_type": self.headers.get("Content-Type")})
        if path == "/v1/signin" and method == "POST":
            if self.injected("signin"):
                return
            if body != {"username": USER, "password": PASSWORD}:
                return self.error(401, "AUT1", "Invalid credential supplied.")
            state["signins"] += 1
            state["token"] = f"tok-{state['signins']}"
            return self.reply(200, {"token": state["token"]})
        if auth != f"Bearer {state['token']}":
            return self.error(401, "AUT2", "Invalid token.")
        m = re.fullmatch(r"/v1/databases/(\w+)", path)
        if m:
            if self.injected("database"):
                return
            name = m.group(1)
            if method == "POST":
                if name not in state["databases"]:
                    state["databases"].append(name)
                return self.reply(200, {})
            if name in state["databases"]:
                return self.reply(200, {"name": name})
            return self.error(404, "DBE1", f"Database '{name}' not found.")
        if path == "/v1/query" and method == "POST":
            if self.injected("define"):
                return
            if body.get("databaseName") not in state["databases"]:
                return self.error(404, "DBE1", "Database not found.")
            if body.get("transactionType") != "schema" or not body.get("query", "").startswith("define"):
                return self.error(400, "QRY1", "only schema defines are faked")
            if body.get("commit") is not True:
                return self.error(400, "QRY2", "a define that is not committed does nothing")
            parse_define(body["query"])
            state["defines"].append(body["query"])
            return self.reply(200, {"queryType": "schema", "answerType": "ok", "answers": None})
        if path == "/v1/transactions/open" and method == "POST":
            if self.injected("open"):
                return
            if body.get("databaseName") not in state["databases"] or body.get("transactionType") != "write":
                return self.error(400, "TXN1", "write transactions on existing databases only")
            tid = str(uuid.uuid4())
            transactions[tid] = []
            return self.reply(200, {"transactionId": tid})
        m = re.fullmatch(r"/v1/transactions/([-0-9a-f]+)/(query|commit|close)", path)
        if m and method == "POST":
            tid, op = m.groups()
            if tid not in transactions:
                return self.error(404, "TXN2", "Transaction not found.")
            if op == "close":
                del transactions[tid]
                return self.reply(200, {})
            if self.injected(op):
                return
            if op == "query":
                rows, err = parse_write(body.get("query", ""))
                if err:
                    return self.error(400, "QRY3", err)
                transactions[tid].extend(rows)
                return self.reply(200, {"queryType": "write", "answerType": "conceptRows",
                                        "answers": [{} for _ in rows]})
            for r in transactions.pop(tid):
                if r not in rowset:
                    rowset.add(r)
                    state["rows"].append(r)
            return self.reply(200, {})
        self.error(404, "HTTP", f"no route {method} {path}")


if __name__ == "__main__":
    srv = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
    srv.daemon_threads = True
    srv.serve_forever()
