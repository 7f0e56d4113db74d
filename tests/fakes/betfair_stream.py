#!/usr/bin/python3
"""A fake Betfair Exchange Stream API server (TLS, CRLF-delimited JSON), for
tests/integration/betfair.sh.

    betfair_stream.py PORT CERT KEY LOG SESSION [DELAY]

Each client is told apart by its appKey.  A connection gets
{"op":"connection"}; an authentication with another session than SESSION
gets a FAILURE status (errorCode INVALID_SESSION_INFORMATION,
connectionClosed) and the connection is closed.  A marketSubscription gets
a SUCCESS status and then:

  first connection of the appKey: SCRIPT_1 (a SUB_IMAGE, then deltas that
      cover every rule of the cache, a HEARTBEAT, a status 503), then the
      server closes the connection;
  later connections: the subscription must carry the initialClk and the
      last clk sent to this appKey (logged as a "resume" event with ok
      true or false); then SCRIPT_2 as a RESUB_DELTA and more deltas, then a
      HEARTBEAT every 0.3 s while the client stays.

For appKey app-badclock, the resume (second connection) gets a FAILURE
status INVALID_CLOCK and the connection is closed; the third connection's
subscription must carry no clocks ("fresh" event, ok true or false) and
gets SCRIPT_1 again (a new image), then heartbeats.

With conflateMs > 0 in the subscription, consecutive deltas are sent
conflated: their market changes together in one mcm, each with "con": true,
and the SUB_IMAGE comes in two segments (SEG_START, SEG_END).

Every line sent and received is appended to LOG as one JSON object:
{"ev": "sent", "key": APPKEY, "line": ...} (with "bad": true for a malformed one), {"ev": "recv", "key": ...,
"line": ...}, {"ev": "auth", "key": ..., "ok": ...}, {"ev": "resume", ...}.
The test rebuilds the cache from the "sent" mcm lines on its own.
"""
import json
import socket
import ssl
import sys
import threading
import time

port, cert, key, log_path, session = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
delay = float(sys.argv[6]) if len(sys.argv) > 6 else 2.0
BAD_CLOCK = "app-badclock"    # its resume is refused with INVALID_CLOCK
lock = threading.Lock()
clients = {}    # appKey -> {"conns": n, "initialClk": ..., "clk": ...}


def log(**ev):
    ev["t"] = time.time()
    with lock, open(log_path, "a") as f:
        f.write(json.dumps(ev) + "\n")


DEF_100 = {"status": "OPEN", "inPlay": False, "marketType": "WIN", "eventTypeId": "7",
           "runners": [{"id": 11, "status": "ACTIVE", "sortPriority": 1},
                       {"id": 12, "status": "ACTIVE", "sortPriority": 2},
                       {"id": 13, "hc": -1.5, "status": "ACTIVE", "sortPriority": 3}]}
DEF_200 = {"status": "OPEN", "inPlay": False, "marketType": "WIN", "eventTypeId": "7",
           "runners": [{"id": 21, "status": "ACTIVE"}, {"id": 22, "status": "ACTIVE"}]}

# The first connection: (ct, mc list or None, extra fields)
SCRIPT_1 = [
    ("SUB_IMAGE", [
        {"id": "1.100", "img": True, "tv": 1500.5, "marketDefinition": DEF_100,
         "rc": [{"id": 11, "batb": [[0, 2.5, 100], [1, 2.48, 50], [2, 2.46, 25]],
                 "batl": [[0, 2.52, 80], [1, 2.54, 40]], "trd": [[2.5, 10], [2.48, 5]], "ltp": 2.5, "tv": 15},
                {"id": 12, "batb": [[0, 4.1, 20]], "batl": [[0, 4.3, 12], [1, 4.4, 3], [2, 4.5, 1]]},
                {"id": 13, "hc": -1.5, "batb": [[0, 1.9, 7]]}]},
        {"id": "1.200", "img": True, "marketDefinition": DEF_200,
         "rc": [{"id": 21, "batb": [[0, 3.0, 5]], "batl": [[0, 3.1, 6]]}]}], {}),
    # a level updated, a level emptied (size 0), a level added
    (None, [{"id": "1.100", "rc": [{"id": 11, "batb": [[1, 2.44, 70], [2, 0, 0]], "batl": [[2, 2.56, 9]]}]}], {}),
    # traded: a price added, one removed (size 0), ltp and tv replaced
    (None, [{"id": "1.100", "rc": [{"id": 11, "trd": [[2.49, 3], [2.48, 0]], "ltp": 2.49, "tv": 18}]}], {}),
    ("HEARTBEAT", None, {}),
    # an empty traded ladder clears it; a runner not known yet, created by its delta
    (None, [{"id": "1.100", "rc": [{"id": 11, "trd": []}, {"id": 14, "batl": [[0, 9.8, 2]], "ltp": 9.6}]}], {}),
    ("LAG", None, {"status": 503}),
    # the best back level emptied: a hole at level 0
    (None, [{"id": "1.100", "rc": [{"id": 12, "batb": [[0, 4.1, 0]], "batl": [[0, 4.2, 30]]}]}], {}),
    # the market goes in play: every runner changes
    (None, [{"id": "1.100", "marketDefinition": dict(DEF_100, inPlay=True)}], {}),
    # runners keyed by (id, hc): 13 with hc -1.5 and 13 with hc 1.5 are two runners
    (None, [{"id": "1.100", "rc": [{"id": 13, "hc": -1.5, "batl": [[0, 2.1, 4]]},
                                  {"id": 13, "hc": 1.5, "batb": [[0, 1.6, 8]]}]}], {}),
    # img replaces market 1.200: runner 21's ladders gone, 22 priced
    (None, [{"id": "1.200", "img": True, "marketDefinition": dict(DEF_200, status="SUSPENDED"),
             "rc": [{"id": 22, "batb": [[0, 5.5, 1]]}]}], {}),
    # two markets in one mcm
    (None, [{"id": "1.100", "rc": [{"id": 11, "batb": [[0, 2.52, 15]]}]},
            {"id": "1.200", "rc": [{"id": 22, "batl": [[0, 5.8, 2]]}]}], {}),
    # the last clk before the disconnect comes with a heartbeat
    ("HEARTBEAT", None, {}),
]

# After a resume
SCRIPT_2 = [
    ("RESUB_DELTA", [{"id": "1.100", "rc": [{"id": 12, "batb": [[0, 4.0, 11], [1, 3.9, 6]]}]}], {}),
    (None, [{"id": "1.200", "marketDefinition": dict(DEF_200, status="OPEN", inPlay=True)}], {}),
    (None, [{"id": "1.100", "rc": [{"id": 11, "batl": [[0, 0, 0]], "tv": 25.25}]}], {}),
    # malformed: counted, not applied, the stream goes on
    ("RAW", '{"op":"mcm","id":2,"pt":1764500099000,"mc":[{"id":"1.100","rc":[{"id":11,"batb":[[0,2.5]]}]}]}', {}),
    ("RAW", '{"op":"mcm","id":2,"pt":17645000', {}),
    (None, [{"id": "1.200", "marketDefinition": dict(DEF_200, status="CLOSED", inPlay=True)}], {}),
]


def send(conn, keyname, obj):
    line = json.dumps(obj, separators=(",", ":"))
    conn.sendall(line.encode() + b"\r\n")
    log(ev="sent", key=keyname, line=line)


def play(conn, keyname, sub, script, first_no):
    state = clients[keyname]
    conflate = sub.get("conflateMs", 0) > 0
    n = first_no
    pending = None      # conflated deltas waiting: (mc list, pt)

    def flush():
        nonlocal pending, n
        if pending is None:
            return
        n += 1
        state["clk"] = "clk%d" % n
        send(conn, keyname, {"op": "mcm", "id": 2, "clk": state["clk"], "pt": pending[1], "mc": pending[0]})
        pending = None

    for ct, mc, extra in script:
        pt = 1764500000000 + 1000 * n + 7
        if conflate and ct is None:
            mc = [dict(m, con=True) for m in mc]
            pending = (pending[0] + mc, pt) if pending else (mc, pt)
            if len(pending[0]) >= 2:
                flush()
            continue
        flush()
        if ct == "RAW":
            conn.sendall(mc.encode() + b"\r\n")
            log(ev="sent", key=keyname, line=mc, bad=True)
            continue
        n += 1
        state["clk"] = "clk%d" % n
        msg = {"op": "mcm", "id": 2, "clk": state["clk"], "pt": pt}
        if ct in ("SUB_IMAGE", "HEARTBEAT", "RESUB_DELTA"):
            msg["ct"] = ct
        if ct == "SUB_IMAGE":
            state["initialClk"] = "init%s" % keyname
            msg["initialClk"] = state["initialClk"]
            msg["conflateMs"] = sub.get("conflateMs", 0)
            msg["heartbeatMs"] = sub.get("heartbeatMs", 5000)
        msg.update(extra)
        if ct == "SUB_IMAGE" and conflate and len(mc) > 1:
            # segmented: the first market alone (SEG_START), the rest with the clocks (SEG_END)
            send(conn, keyname, {"op": "mcm", "id": 2, "pt": pt, "ct": ct, "segmentType": "SEG_START", "mc": mc[:1]})
            msg.update(segmentType="SEG_END", mc=mc[1:])
        elif mc is not None:
            msg["mc"] = mc
        send(conn, keyname, msg)
        time.sleep(0.05)
    flush()
    return n


def heartbeats(conn, keyname, state):
    while True:
        time.sleep(0.3)
        state["n"] += 1
        state["clk"] = "clk%d" % state["n"]
        send(conn, keyname, {"op": "mcm", "id": 2, "ct": "HEARTBEAT", "clk": state["clk"],
                             "pt": 1764500000000 + 1000 * state["n"]})


def serve(raw):
    conn = None
    keyname = "?"
    try:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        conn = ctx.wrap_socket(raw, server_side=True)
        send(conn, keyname, {"op": "connection", "connectionId": "fake-%d" % time.monotonic_ns()})
        buf = b""
        authed = False
        while True:
            data = conn.recv(65536)
            if not data:
                return
            buf += data
            while b"\r\n" in buf:
                line, buf = buf.split(b"\r\n", 1)
                req = json.loads(line)
                if req.get("op") == "authentication":
                    keyname = req.get("appKey", "?")
                    # the session is a secret: logged only as right or wrong
                    log(ev="recv", key=keyname, line=json.dumps(dict(req, session="(hidden)")))
                    authed = req.get("session") == session
                    log(ev="auth", key=keyname, ok=authed)
                    if not authed:
                        send(conn, keyname, {"op": "status", "id": req.get("id"), "statusCode": "FAILURE",
                                             "errorCode": "INVALID_SESSION_INFORMATION",
                                             "errorMessage": "session token invalid", "connectionClosed": True})
                        return
                    send(conn, keyname, {"op": "status", "id": req.get("id"), "statusCode": "SUCCESS",
                                         "connectionClosed": False, "connectionsAvailable": 9})
                    continue
                log(ev="recv", key=keyname, line=line.decode())
                if req.get("op") != "marketSubscription" or not authed:
                    send(conn, keyname, {"op": "status", "id": req.get("id"), "statusCode": "FAILURE",
                                         "errorCode": "INVALID_REQUEST", "connectionClosed": False})
                    continue
                send(conn, keyname, {"op": "status", "id": req.get("id"), "statusCode": "SUCCESS",
                                     "connectionClosed": False})
                with lock:
                    state = clients.setdefault(keyname, {"conns": 0, "initialClk": None, "clk": None, "n": 0})
                    state["conns"] += 1
                    first = state["conns"] == 1
                if first:
                    time.sleep(delay)
                    state["n"] = play(conn, keyname, req, SCRIPT_1, 0)
                    time.sleep(0.3)
                    log(ev="close", key=keyname)
                    return      # the disconnect
                if keyname == BAD_CLOCK and state["conns"] == 3:
                    # after INVALID_CLOCK the client must start afresh
                    log(ev="fresh", key=keyname, ok="clk" not in req and "initialClk" not in req)
                    state["n"] = play(conn, keyname, req, SCRIPT_1, state["n"])
                    log(ev="done", key=keyname)
                    heartbeats(conn, keyname, state)
                ok = (req.get("initialClk") == state["initialClk"] and req.get("clk") == state["clk"])
                log(ev="resume", key=keyname, ok=ok, initialClk=req.get("initialClk"), clk=req.get("clk"),
                    want=[state["initialClk"], state["clk"]])
                if keyname == BAD_CLOCK:
                    send(conn, keyname, {"op": "status", "id": req.get("id"), "statusCode": "FAILURE",
                                         "errorCode": "INVALID_CLOCK", "errorMessage": "clock expired",
                                         "connectionClosed": True})
                    log(ev="close", key=keyname)
                    return
                if state["conns"] == 2:
                    state["n"] = play(conn, keyname, req, SCRIPT_2, state["n"])
                    log(ev="done", key=keyname)
                heartbeats(conn, keyname, state)
    except (OSError, ValueError) as e:
        log(ev="error", key=keyname, why=str(e))
    finally:
        if conn is not None:
            try:
                conn.close()
            except OSError:
                pass
        else:
            raw.close()


def main():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(16)
    log(ev="listening", key="")
    deadline = time.monotonic() + 120
    s.settimeout(1)
    while time.monotonic() < deadline:
        try:
            c, _ = s.accept()
        except socket.timeout:
            continue
        threading.Thread(target=serve, args=(c,), daemon=True).start()


main()
