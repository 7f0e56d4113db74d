#!/usr/bin/python3
"""A fake long-lived stream server on loopback, for tests/integration/runtime_streams.sh.

    fake_stream.py PORT MODE LOG [CERT KEY]

Speaks HTTP/1.1 (a chunked streaming GET, or one POST) or, for the raw
modes, lines both ways over TCP; with CERT and KEY, over TLS.  Every event
is appended to LOG as one JSON line: {"ev": "connect", "n": 1, "t": ...},
{"ev": "sent", "rec": "..."} for each record sent whole, {"ev": "line",
"line": "..."} for each line received (raw), {"ev": "plan", "recs": [...]}
for what the records mode is about to send, {"ev": "request", ...} for a
POST.  The tests compare what the client got against these lines.

Modes (n is the connection's number, from 1):
  records    the RECORDS below, cut at odd places (a record across three
             writes, several records in one write, "\\r\\n" and "\\n" endings,
             empty keep-alive lines), then silence while the client stays
  close      n-th connection: record "c<n>-a", "c<n>-b", then the server closes
  overlong   1st: "first", 100 bytes + "\r\n", 101 bytes + "\n", "unreached";
             2nd: "n2", then 150 bytes without an end of line; later: "n<n>"
  heartbeat  "hb0" .. "hb11", one every 100 ms, then silence
  idle       "hello", then silence (the client must give up)
  fail       the first 4 connections get 503; then "up" and silence
  refused    odd connections get 401, even ones 403 (with a JSON body)
  cut        n-th connection: record "k<n>-a", then "k<n>-half" without an
             end of line, then the server ends the stream
  post       answers one POST with 201, logging method, headers and body
  raw_echo   raw: sends {"op":"connection"} on connecting; answers each line
             L with {"echo":L} split over two writes; the 2nd line received
             on the 1st connection is answered and then the connection closed
"""
import json
import socket
import ssl
import sys
import threading
import time

RECORDS = ['{"type":"PRICE","bid":"1.10"}', '{"type":"HEARTBEAT"}', "x" * 40,
           '{"type":"PRICE","bid":"1.11"}', "short", '{"last":true}']

lock = threading.Lock()
conns = 0
port, mode, log_path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
tls = None
if len(sys.argv) > 5:
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(sys.argv[4], sys.argv[5])


def log(**ev):
    ev["t"] = time.monotonic()
    with lock, open(log_path, "a") as f:
        f.write(json.dumps(ev) + "\n")


def send(c, data, pause=0.05):
    c.sendall(data)
    time.sleep(pause)   # the client sees each write as its own read


def chunk(c, data, pause=0.05):
    send(c, b"%x\r\n%s\r\n" % (len(data), data), pause)


def read_request(f):
    head = []
    while True:
        line = f.readline()
        if not line or line in (b"\r\n", b"\n"):
            break
        head.append(line.decode().rstrip("\r\n"))
    return head


def silence(c):
    # until the client closes (or 30 s)
    c.settimeout(30)
    try:
        while c.recv(4096):
            pass
    except OSError:
        pass


def stream_head(c, status=b"200 OK"):
    send(c, b"HTTP/1.1 " + status + b"\r\nContent-Type: application/octet-stream\r\n"
         b"Transfer-Encoding: chunked\r\n\r\n", 0)


def serve_http(c, n):
    f = c.makefile("rb")
    head = read_request(f)
    if not head:
        return
    if mode == "post":
        headers = dict(h.split(": ", 1) for h in head[1:] if ": " in h)
        body = f.read(int(headers.get("Content-Length", "0")))
        log(ev="request", line=head[0], headers=headers, body=body.decode())
        send(c, b"HTTP/1.1 201 Created\r\nContent-Length: 7\r\nConnection: close\r\n\r\ncreated", 0)
        return
    if mode == "refused":
        body = b'{"errorMessage":"Insufficient authorization to perform request."}'
        send(c, b"HTTP/1.1 %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s"
             % (b"401 Unauthorized" if n % 2 else b"403 Forbidden", len(body), body), 0)
        return
    if mode == "fail" and n <= 4:
        send(c, b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\nConnection: close\r\n\r\nbusy", 0)
        return
    stream_head(c)
    if mode == "records":
        r = [x.encode() for x in RECORDS]
        log(ev="plan", recs=RECORDS)
        # record 0 over three writes, 1..3 in one write (with a "\r\n" and
        # an empty keep-alive line), 4 and the start of 5, then the rest
        chunk(c, r[0][:5])
        chunk(c, r[0][5:12])
        chunk(c, r[0][12:] + b"\n")
        chunk(c, r[1] + b"\r\n\n" + r[2] + b"\n" + r[3] + b"\r\n")
        chunk(c, b"\r\n" + r[4] + b"\n" + r[5][:3])
        chunk(c, r[5][3:] + b"\n")
        for x in RECORDS:
            log(ev="sent", rec=x)
        silence(c)
    elif mode == "cut":
        chunk(c, b"k%d-a\n" % n)
        log(ev="sent", rec="k%d-a" % n)
        chunk(c, b"k%d-half" % n)
        send(c, b"0\r\n\r\n", 0)
    elif mode == "close":
        for x in ("c%d-a" % n, "c%d-b" % n):
            chunk(c, x.encode() + b"\n")
            log(ev="sent", rec=x)
        send(c, b"0\r\n\r\n", 0)
    elif mode == "overlong":
        if n == 1:
            # at the limit (the "\r" not counted), then one byte over it
            for x, end in (("first", b"\n"), ("z" * 100, b"\r\n"), ("o" * 101, b"\n")):
                chunk(c, x.encode() + end)
                log(ev="sent", rec=x)
            chunk(c, b"unreached\n")
        elif n == 2:
            # over the limit and no end of line in sight: dropped before one comes
            chunk(c, b"n2\n")
            log(ev="sent", rec="n2")
            chunk(c, b"y" * 150)
        else:
            chunk(c, b"n%d\n" % n)
            log(ev="sent", rec="n%d" % n)
        silence(c)
    elif mode == "heartbeat":
        for i in range(12):
            log(ev="sent", rec="hb%d" % i)
            chunk(c, b"hb%d\n" % i, 0.1)
        silence(c)
    elif mode == "idle":
        chunk(c, b"hello\n")
        log(ev="sent", rec="hello")
        silence(c)
    elif mode == "fail":
        chunk(c, b"up\n")
        log(ev="sent", rec="up")
        silence(c)


def serve_raw(c, n):
    send(c, b'{"op":"connection"}\r\n')
    log(ev="sent", rec='{"op":"connection"}')
    f = c.makefile("rb")
    got = 0
    while True:
        line = f.readline()
        if not line:
            return
        if not line.endswith(b"\r\n"):
            log(ev="bad", line=line.decode(errors="replace"))
            return
        text = line[:-2].decode()
        log(ev="line", line=text)
        got += 1
        answer = json.dumps({"echo": text}, separators=(",", ":")).encode()
        send(c, answer[:7])
        send(c, answer[7:] + b"\r\n")
        log(ev="sent", rec=answer.decode())
        if n == 1 and got == 2:
            return


def handle(raw_sock):
    global conns
    with lock:
        conns += 1
        n = conns
    c = raw_sock
    try:
        if tls is not None:
            c = tls.wrap_socket(raw_sock, server_side=True)
        log(ev="connect", n=n)
        (serve_raw if mode.startswith("raw") else serve_http)(c, n)
    except (OSError, ssl.SSLError) as e:
        log(ev="error", n=n, error=str(e))
    finally:
        log(ev="close", n=n)
        try:
            c.close()
        except OSError:
            pass


def main():
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(16)
    log(ev="listening")
    while True:
        c, _ = s.accept()
        threading.Thread(target=handle, args=(c,), daemon=True).start()


main()
