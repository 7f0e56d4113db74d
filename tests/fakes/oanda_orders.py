"""oanda_orders.py - the order side of the fake OANDA v20 (fake_oanda.py
hands it every request after the transactions side; loopback only).

Served, with "Authorization: Bearer TOKEN" (401 otherwise; an account
ending in -forbidden: 403):

  POST /v3/accounts/A/orders   a MARKET order as the trader sends it.  The
      body must be exactly {"order":{"type":"MARKET","instrument":I,
      "units":"[-]N","timeInForce":"FOK","positionFill":"DEFAULT",
      "clientExtensions":{"id":CID}}} plus, optionally, takeProfitOnFill /
      stopLossOnFill {"price":P} and trailingStopLossOnFill {"distance":D}
      (decimal strings), with Content-Type: application/json; anything else
      is 400 {"errorCode":"INVALID_REQUEST"} and counted (bad).  A known
      client id is 400 CLIENT_ORDER_ID_ALREADY_EXISTS with an
      orderRejectTransaction, so a second POST can never fill twice (OANDA
      documents that reject for an id held by a pending order; this fake is
      stricter and refuses any id it has seen).  Otherwise 201 with an
      orderCreateTransaction (MARKET_ORDER) and an orderFillTransaction: all
      the units (fill-or-kill) at the price set by /_orders/config, else the
      pricing stream's first quote of the instrument (ask for a buy, bid for
      a sell), commission as configured.
  GET /v3/accounts/A/orders/@CID   {"order": the MARKET order, state FILLED
      (fillingTransactionID) or CANCELLED (cancellingTransactionID)}, or 404
      {"errorCode":"ORDER_DOESNT_EXIST"}.
  GET /v3/accounts/A/transactions/ID   {"transaction": ...} or 404
      {"errorCode":"NO_SUCH_TRANSACTION"}.
Transaction ids run from 6368 up, one sequence for creates, fills, cancels
and rejects, as OANDA's.

Control (no token; match=S limits a control to the POSTs whose client id
contains S, nth=K to those of the K-th client id the fake saw (1: the
first order, its retries included); else it takes the next POSTs):
  /_orders/config?price=P&commission=C   the fill price of every order (P
      empty: the quote again) and the commission ("0.0000" by default);
  /_orders/hang?n=K&seconds=S[&match=S][&nth=K]   the next K POSTs are
      filled at once but answered only after S seconds (a client timeout in
      between: the order exists though the client never heard so);
  /_orders/fail?n=K&code=C[&match=S][&nth=K]   the next K POSTs are
      answered HTTP C (500 by default) without being processed;
  /_orders/margin?n=K[&match=S][&nth=K]   the next K POSTs are created and
      then cancelled, 201 with an orderCancelTransaction, reason
      INSUFFICIENT_MARGIN: what OANDA answers a FOK market order the margin
      cannot cover (the order is accepted, then cancelled at fill time;
      OrderCancelReason INSUFFICIENT_MARGIN), not a 400;
  /_orders/state   {"requests": [{"method","path","client_id","body" (the
      parsed JSON, or the text when not JSON),"content_type","status"} in
      arrival order], "orders": {CID: order}, "fills": n, "cancels": n,
      "rejects": n, "bad": n, "unauthorized": n}.
"""
import json
import re
import threading
import time
from urllib.parse import parse_qs

LOCK = threading.Lock()
TOKEN = None  # fake_oanda.py sets both
QUOTE = None  # instrument -> (bid, ask) strings
ACCOUNT_TXN = {"next": 6368}
ORDERS = {}
TXNS = {}
STATE = {"requests": [], "fills": 0, "cancels": 0, "rejects": 0, "bad": 0, "unauthorized": 0}
CONTROL = {"price": None, "commission": "0.0000"}
RULES = []  # {"action": "hang"|"fail"|"margin", "match", "nth", "n": uses left, "seconds", "code"}
CIDS = []  # the client ids POSTed, in the order each was first seen
DECIMAL = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")
UNITS = re.compile(r"^-?[1-9][0-9]*$")
ON_FILL = {"takeProfitOnFill": "price", "stopLossOnFill": "price", "trailingStopLossOnFill": "distance"}


def now():
    t = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + ".%09dZ" % int((t % 1) * 1e9)


def send_json(h, code, obj):
    body = json.dumps(obj).encode()
    try:
        h.send_response(code)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the client gave up (a timeout): what it missed is still recorded
    return True


def txn(account, kind, **fields):
    """A new transaction of the account (under LOCK)."""
    tid = str(ACCOUNT_TXN["next"])
    ACCOUNT_TXN["next"] += 1
    t = {"id": tid, "time": now(), "userID": 1234567, "accountID": account, "batchID": tid, "type": kind}
    t.update(fields)
    TXNS[tid] = t
    return t


def shape_error(order):
    """What is wrong with the order request, or None."""
    if not isinstance(order, dict) or set(order) != {"order"} or not isinstance(order["order"], dict):
        return "not {\"order\":{...}}"
    o = order["order"]
    required = {"type", "instrument", "units", "timeInForce", "positionFill", "clientExtensions"}
    extra = set(o) - required - set(ON_FILL)
    if required - set(o) or extra:
        return "fields missing %s or unknown %s" % (sorted(required - set(o)), sorted(extra))
    if o["type"] != "MARKET" or o["timeInForce"] != "FOK" or o["positionFill"] != "DEFAULT":
        return "not a MARKET FOK DEFAULT order"
    if not isinstance(o["instrument"], str) or not re.match(r"^[A-Z0-9]+_[A-Z0-9]+$", o["instrument"]):
        return "instrument"
    if not isinstance(o["units"], str) or not UNITS.match(o["units"]):
        return "units: not a signed whole number as a string"
    ce = o["clientExtensions"]
    if not isinstance(ce, dict) or set(ce) != {"id"} or not isinstance(ce["id"], str) or not ce["id"]:
        return "clientExtensions"
    for name, key in ON_FILL.items():
        if name in o and (not isinstance(o[name], dict) or set(o[name]) != {key}
                          or not isinstance(o[name][key], str) or not DECIMAL.match(o[name][key])):
            return name
    return None


def record(h, method, path, cid, body, status):
    with LOCK:
        STATE["requests"].append({"method": method, "path": path, "client_id": cid, "body": body,
                                  "content_type": h.headers.get("Content-Type"), "status": status})


def authorized(h, account):
    if h.headers.get("Authorization") != "Bearer " + TOKEN:
        with LOCK:
            STATE["unauthorized"] += 1
        send_json(h, 401, {"errorMessage": "Insufficient authorization to perform request."})
        return False
    if account.endswith("-forbidden"):
        send_json(h, 403, {"errorMessage": "The provided request was forbidden."})
        return False
    return True


def post_order(h, account):
    """POST /v3/accounts/ACCOUNT/orders."""
    n = int(h.headers.get("Content-Length") or 0)
    raw = h.rfile.read(n).decode("utf-8", "replace") if 0 < n <= 65536 else ""
    try:
        body = json.loads(raw)
    except ValueError:
        body = raw
    problem = shape_error(body)
    if problem is None and h.headers.get("Content-Type") != "application/json":
        problem = "Content-Type not application/json"
    cid = body["order"]["clientExtensions"]["id"] if problem is None else None
    if not authorized(h, account):
        record(h, "POST", h.path, cid, body, 401)
        return
    if problem is not None:
        with LOCK:
            STATE["bad"] += 1
        record(h, "POST", h.path, cid, body, 400)
        return send_json(h, 400, {"errorCode": "INVALID_REQUEST", "errorMessage": problem})
    with LOCK:
        if cid not in CIDS:
            CIDS.append(cid)
        fail = take_rule("fail", cid)
        if fail is not None:  # answered without being processed
            code, answer = fail["code"], None
        else:
            code, answer = process(account, body["order"], cid)
        hang = take_rule("hang", cid) if answer is not None else None
    record(h, "POST", h.path, cid, body, code)
    if answer is None:
        return send_json(h, code, {"errorMessage": "An unexpected error occurred"})
    if hang is not None:
        time.sleep(hang["seconds"])
    return send_json(h, code, answer)


def take_rule(action, cid):
    """The first rule of action that applies to client id cid, used once (under LOCK)."""
    for r in RULES:
        if r["action"] == action and r["n"] > 0 and r["match"] in cid and \
                r["nth"] in (0, CIDS.index(cid) + 1):
            r["n"] -= 1
            return r
    return None


def process(account, o, cid):
    """The order's answer as OANDA would give it (under LOCK)."""
    if cid in ORDERS:
        STATE["rejects"] += 1
        rej = txn(account, "MARKET_ORDER_REJECT", instrument=o["instrument"], units=o["units"],
                  timeInForce="FOK", positionFill="DEFAULT", reason="CLIENT_ORDER",
                  clientExtensions={"id": cid}, rejectReason="CLIENT_ORDER_ID_ALREADY_EXISTS")
        return 400, {"orderRejectTransaction": rej, "relatedTransactionIDs": [rej["id"]],
                     "lastTransactionID": rej["id"], "errorCode": "CLIENT_ORDER_ID_ALREADY_EXISTS",
                     "errorMessage": "The client Order ID specified is already assigned to another Order"}
    extra = {k: o[k] for k in ON_FILL if k in o}
    create = txn(account, "MARKET_ORDER", instrument=o["instrument"], units=o["units"], timeInForce="FOK",
                 positionFill="DEFAULT", reason="CLIENT_ORDER", clientExtensions={"id": cid}, **extra)
    order = {"id": create["id"], "createTime": create["time"], "type": "MARKET", "instrument": o["instrument"],
             "units": o["units"], "timeInForce": "FOK", "positionFill": "DEFAULT",
             "clientExtensions": {"id": cid}}
    order.update(extra)
    ORDERS[cid] = order
    answer = {"orderCreateTransaction": create}
    if take_rule("margin", cid) is not None:
        STATE["cancels"] += 1
        cancel = txn(account, "ORDER_CANCEL", orderID=create["id"], clientOrderID=cid,
                     reason="INSUFFICIENT_MARGIN")
        order.update(state="CANCELLED", cancellingTransactionID=cancel["id"], cancelledTime=cancel["time"])
        answer["orderCancelTransaction"] = cancel
    else:
        STATE["fills"] += 1
        bid, ask = QUOTE(o["instrument"])
        price = CONTROL["price"] or (bid if o["units"].startswith("-") else ask)
        fill = txn(account, "ORDER_FILL", orderID=create["id"], clientOrderID=cid, instrument=o["instrument"],
                   units=o["units"], price=price, fullVWAP=price, reason="MARKET_ORDER", pl="0.0000",
                   financing="0.0000", commission=CONTROL["commission"], accountBalance="100000.0000",
                   tradeOpened={"tradeID": create["id"], "units": o["units"], "price": price,
                                "halfSpreadCost": "0.0000"}, halfSpreadCost="0.0000")
        order.update(state="FILLED", fillingTransactionID=fill["id"], filledTime=fill["time"],
                     tradeOpenedID=fill["id"])
        answer["orderFillTransaction"] = fill
    ids = [t["id"] for t in answer.values()]
    answer.update(relatedTransactionIDs=ids, lastTransactionID=ids[-1])
    return 201, answer


def control(h, path, q):
    def num(name, default):
        return type(default)(q.get(name, [default])[0])
    with LOCK:
        if path == "/_orders/state":
            out = dict(STATE, orders=ORDERS)
            return send_json(h, 200, json.loads(json.dumps(out)))
        if path == "/_orders/config":
            if "price" in q:
                CONTROL["price"] = q["price"][0] or None
            if "commission" in q:
                CONTROL["commission"] = q["commission"][0]
        elif path in ("/_orders/hang", "/_orders/fail", "/_orders/margin"):
            RULES.append({"action": path[len("/_orders/"):], "match": q.get("match", [""])[0],
                          "nth": num("nth", 0), "n": num("n", 1),
                          "seconds": num("seconds", 3.0), "code": num("code", 500)})
        else:
            return send_json(h, 404, {"errorMessage": "no such control"})
    return send_json(h, 200, {})


def handle_get(h, u):
    """Answer the GET if it is ours (True); else leave it (False)."""
    if u.path.startswith("/_orders/"):
        return control(h, u.path, parse_qs(u.query))
    parts = u.path.split("/")
    if len(parts) != 6 or parts[1:3] != ["v3", "accounts"] or parts[4] not in ("orders", "transactions"):
        return False
    if parts[4] == "orders" and not parts[5].startswith("@"):
        return False
    if parts[4] == "transactions" and not parts[5].isdigit():
        return False
    cid = parts[5][1:] if parts[4] == "orders" else None
    if not authorized(h, parts[3]):
        record(h, "GET", h.path, cid, None, 401)
        return True
    with LOCK:
        if parts[4] == "orders":
            found = ORDERS.get(cid)
            code, answer = (200, {"order": found}) if found else \
                (404, {"errorCode": "ORDER_DOESNT_EXIST", "errorMessage": "The Order specified does not exist"})
        else:
            found = TXNS.get(parts[5])
            code, answer = (200, {"transaction": found}) if found else \
                (404, {"errorCode": "NO_SUCH_TRANSACTION", "errorMessage": "The Transaction does not exist"})
        answer["lastTransactionID"] = str(ACCOUNT_TXN["next"] - 1)
        answer = json.loads(json.dumps(answer))
    record(h, "GET", h.path, cid, None, code)
    return send_json(h, code, answer)


def handle_post(h, u):
    """Answer the POST if it is ours (True); else leave it (False)."""
    parts = u.path.split("/")
    if len(parts) != 5 or parts[1:3] != ["v3", "accounts"] or parts[4] != "orders":
        return False
    post_order(h, parts[3])
    return True
