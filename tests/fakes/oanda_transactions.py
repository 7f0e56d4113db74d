"""oanda_transactions.py - the transactions side of the fake OANDA v20
(fake_oanda.py hands it every request first; loopback only).

The fake account keeps an ordered transaction log (ids from FIRST_ID up,
no hole).  Served, with "Authorization: Bearer TOKEN" (401 otherwise):

  GET /v3/accounts/A/transactions/stream   chunked NDJSON: every transaction
      added while the client is connected, as it is added (none from before:
      that is what sinceid is for), and a HEARTBEAT with lastTransactionID
      every BEAT seconds.
  GET /v3/accounts/A/transactions/sinceid?id=N   as OANDA: {"transactions":
      [those with id > N, in id order], "lastTransactionID": "L"}; 400 with
      an errorMessage when id is missing or not digits.  A page cap
      (/_txn/config?page=K) makes the client ask again from the highest id.
  GET /v3/accounts/A/trades?state=OPEN&count=C[&beforeID=B]   the open
      trades, newest first, ids below B, at most C; lastTransactionID.

Control (no token): /_txn/add?n=K adds K transactions (also while no client
is connected); /_txn/start?n=K&pace=S adds K more, one every S seconds, from
a thread; /_txn/malformed writes two malformed lines to every open stream;
/_txn/fail?code=C&n=K answers the next K sinceid requests with HTTP C
("json": 200 with a body that is not JSON); /_txn/config?page=K&delay=S
(sinceid answers at most K transactions, after S seconds, computed then);
/_txn/trades?n=K opens K trades; /_txn/state: {"log": [every transaction],
"trades": [the open trades, oldest first],
"running": bool, "streams": n opened, "open": n open, "since": [paths],
"malformed": n, "heartbeats": n, "unauthorized": n, "failed": n}.
"""
import json
import queue
import threading
import time
from urllib.parse import parse_qs

FIRST_ID = 1001
LOCK = threading.Lock()
LOG = []
LIVE = []  # one queue per open stream
TRADES = []
STATE = {"running": False, "streams": 0, "since": [], "malformed": 0, "heartbeats": 0,
         "unauthorized": 0, "failed": 0, "page": 0, "delay": 0.0, "fail": [], "open": 0}
ACCOUNT = "101-004-1234567-001"
MALFORMED = [b'{"type":"ORDER_FILL","id":"x1","time":"2026-11-30T05:00:00Z"}\n',
             b'{"type":"MARKET_ORDER","id":"999999","time":"2026-11-30T05:00:00Z","units":"1,000"}\n']


def now_rfc3339():
    t = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + ".%09dZ" % int((t % 1) * 1e9)


def make(i):
    """Transaction number i (its id FIRST_ID + i): the common types in turn,
    with the fields OANDA sends for each (absent fields absent)."""
    tid = str(FIRST_ID + i)
    base = {"id": tid, "time": "2026-11-30T05:%02d:%02d.%09dZ" % (i // 60 % 60, i % 60, 100000000 + i),
            "userID": 1234567, "accountID": ACCOUNT, "batchID": tid, "requestID": "2" + tid}
    units = str((i % 7 + 1) * (-100 if i % 2 else 100))
    inst = ["EUR_USD", "USD_JPY", "GBP_USD"][i % 3]
    price = "%.5f" % (1.08 + i * 0.00011) if inst != "USD_JPY" else "%.3f" % (149.5 + i * 0.011)
    kind = i % 7
    if kind == 0:
        base.update(type="MARKET_ORDER", instrument=inst, units=units, timeInForce="FOK",
                    positionFill="DEFAULT", reason="CLIENT_ORDER")
    elif kind == 1:
        base.update(type="ORDER_FILL", orderID=str(FIRST_ID + i - 1), instrument=inst, units=units,
                    price=price, fullVWAP=price, reason="MARKET_ORDER", pl="0.0000",
                    financing="0.0000", commission="0.0000", accountBalance="100000.0000",
                    tradeOpened={"tradeID": tid, "units": units, "price": price,
                                 "guaranteedExecutionFee": "0.0000", "halfSpreadCost": "0.0150"},
                    halfSpreadCost="0.0150")
    elif kind == 2:
        base.update(type="LIMIT_ORDER", instrument=inst, units=units, price=price, timeInForce="GTC",
                    triggerCondition="DEFAULT", reason="CLIENT_ORDER")
    elif kind == 3:
        base.update(type="ORDER_CANCEL", orderID=str(FIRST_ID + i - 1), reason="CLIENT_REQUEST")
    elif kind == 4:
        base.update(type="DAILY_FINANCING", financing="-%d.%04d" % (i % 5, i % 10000),
                    accountBalance="99999.1234", accountFinancingMode="DAILY")
    elif kind == 5:
        base.update(type="STOP_LOSS_ORDER", tradeID=str(FIRST_ID + i - 4), price=price,
                    timeInForce="GTC", triggerCondition="DEFAULT", reason="CLIENT_ORDER")
    else:
        base.update(type="ORDER_FILL", orderID=str(FIRST_ID + i - 1), instrument=inst, units=units,
                    price=price, reason="STOP_LOSS_ORDER", pl="-12.3456", financing="0.1200",
                    accountBalance="99987.6544",
                    tradesClosed=[{"tradeID": str(FIRST_ID + i - 5), "units": units,
                                   "realizedPL": "-12.3456"}])
    return base


def add(n):
    with LOCK:
        for _ in range(n):
            t = make(len(LOG))
            LOG.append(t)
            line = json.dumps(t).encode() + b"\n"
            for q in LIVE:
                q.put(line)


def run(n, pace):
    for _ in range(n):
        add(1)
        time.sleep(pace)
    with LOCK:
        STATE["running"] = False


def send_json(h, code, obj):
    body = json.dumps(obj).encode() if not isinstance(obj, bytes) else obj
    h.send_response(code)
    h.send_header("Content-Type", "application/json")
    h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    try:
        h.wfile.write(body)
    except (BrokenPipeError, ConnectionResetError):
        pass  # a client killed while it waited
    return True


def chunk(h, data):
    h.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
    h.wfile.flush()


def stream(h, beat):
    q = queue.Queue()
    with LOCK:
        LIVE.append(q)  # from here on every new transaction reaches this client
        STATE["streams"] += 1
        STATE["open"] += 1
    try:
        h.send_response(200)
        h.send_header("Content-Type", "application/octet-stream")
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        while True:
            try:
                line = q.get(timeout=beat)
            except queue.Empty:
                with LOCK:  # adds hold LOCK: lastTransactionID never runs ahead of the lines
                    if q.empty():
                        last = LOG[-1]["id"] if LOG else str(FIRST_ID - 1)
                        STATE["heartbeats"] += 1
                        line = json.dumps({"type": "HEARTBEAT", "lastTransactionID": last,
                                           "time": now_rfc3339()}).encode() + b"\n"
                    else:
                        line = q.get_nowait()
            chunk(h, line)
    except (BrokenPipeError, ConnectionResetError):
        pass
    finally:
        with LOCK:
            LIVE.remove(q)
            STATE["open"] -= 1
    return True


def since(h, q):
    with LOCK:
        STATE["since"].append(h.path)
        fail = STATE["fail"].pop(0) if STATE["fail"] else None
        if fail is not None:
            STATE["failed"] += 1
    if fail == "json":
        return send_json(h, 200, b'{"transactions": [')
    if fail is not None:
        return send_json(h, int(fail), {"errorMessage": "fake failure %s" % fail})
    time.sleep(STATE["delay"])  # the stream goes on meanwhile: the client must hold it
    n = q.get("id", [""])[0]
    if not n.isdigit():
        return send_json(h, 400, {"errorMessage": "Invalid value specified for 'id'"})
    with LOCK:
        out = [t for t in LOG if int(t["id"]) > int(n)]
        if STATE["page"]:
            out = out[:STATE["page"]]
        last = LOG[-1]["id"] if LOG else str(FIRST_ID - 1)
    return send_json(h, 200, {"transactions": out, "lastTransactionID": last})


def trades(h, q):
    count = int(q.get("count", ["50"])[0])
    before = q.get("beforeID", [None])[0]
    with LOCK:
        out = [t for t in reversed(TRADES) if before is None or int(t["id"]) < int(before)][:count]
        last = LOG[-1]["id"] if LOG else str(FIRST_ID - 1)
    return send_json(h, 200, {"trades": out, "lastTransactionID": last})


def open_trades(n):
    with LOCK:
        for _ in range(n):
            i = len(TRADES)
            TRADES.append({"id": str(5000 + 2 * i), "instrument": ["EUR_USD", "USD_JPY"][i % 2],
                           "price": "%.5f" % (1.08 + i * 0.0001), "openTime": now_rfc3339(),
                           "initialUnits": str(100 + i), "currentUnits": str(100 + i), "state": "OPEN",
                           "realizedPL": "0.0000", "unrealizedPL": "-%d.5000" % (i % 9),
                           "financing": "0.0000", "initialMarginRequired": "3.6000"})


def control(h, path, q):
    arg = int(q.get("n", ["1"])[0])
    if path == "/_txn/add":
        add(arg)
    elif path == "/_txn/start":
        with LOCK:
            STATE["running"] = True
        threading.Thread(target=run, args=(arg, float(q.get("pace", ["0.05"])[0])), daemon=True).start()
    elif path == "/_txn/malformed":
        with LOCK:
            for lq in LIVE:
                for line in MALFORMED:
                    lq.put(line)
                    STATE["malformed"] += 1
    elif path == "/_txn/fail":
        with LOCK:
            STATE["fail"].extend([q.get("code", ["500"])[0]] * arg)
    elif path == "/_txn/config":
        with LOCK:
            STATE["page"] = int(q.get("page", [STATE["page"]])[0])
            STATE["delay"] = float(q.get("delay", [STATE["delay"]])[0])
    elif path == "/_txn/trades":
        open_trades(arg)
    elif path != "/_txn/state":
        return send_json(h, 404, {"errorMessage": "no such control"})
    with LOCK:
        return send_json(h, 200, dict(STATE, log=LOG, trades=TRADES))


def handle(h, u, token, beat):
    """Answer the request if it is ours (True); else leave it (False)."""
    q = parse_qs(u.query)
    if u.path.startswith("/_txn/"):
        return control(h, u.path, q)
    parts = u.path.split("/")
    if len(parts) < 5 or parts[1:3] != ["v3", "accounts"] or parts[4:] not in (
            ["transactions", "stream"], ["transactions", "sinceid"], ["trades"]):
        return False
    if h.headers.get("Authorization") != "Bearer " + token:
        with LOCK:
            STATE["unauthorized"] += 1
        return send_json(h, 401, {"errorMessage": "Insufficient authorization to perform request."})
    if parts[4:] == ["trades"]:
        return trades(h, q)
    if parts[5] == "sinceid":
        return since(h, q)
    return stream(h, beat)
