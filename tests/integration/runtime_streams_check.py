#!/usr/bin/python3
"""Checks one case of runtime_streams.sh: what tests/progs/streamtest printed
(OUT) against what tests/fakes/fake_stream.py logged (LOG).

    runtime_streams_check.py CASE OUT LOG

Prints "ok ..." or "FAIL ..." lines; exits 1 if any failed.  Expected values
come from the fake's log (what it sent, when it accepted) and from the
numbers given on the command line in runtime_streams.sh, never from the
runtime under test."""
import json
import sys

case, out_path, log_path = sys.argv[1:4]
fails = 0


def check(cond, what):
    global fails
    print(("  ok   " if cond else "  FAIL ") + case + ": " + what)
    fails += not cond


def parse_out():
    evs = []
    for line in open(out_path):
        ms, _, rest = line.rstrip("\n").partition(" ")
        try:
            t = float(ms)
        except ValueError:
            continue    # the runtime's own log lines
        kind, _, arg = rest.partition(" ")
        evs.append((t, kind, arg))
    return evs


out = parse_out()
log = [json.loads(x) for x in open(log_path)]
records = [a.split(" ", 1)[1] if " " in a else "" for t, k, a in out if k == "record"]
drops = [a for t, k, a in out if k == "drop"]
stats = [dict(kv.split("=") for kv in a.split()) for t, k, a in out if k == "stats"]
sent = [e["rec"] for e in log if e["ev"] == "sent"]
accepts = [e["t"] for e in log if e["ev"] == "connect"]
lines = [(e["t"], e["line"]) for e in log if e["ev"] == "line"]
check(not any(k == "BAD" for t, k, a in out), "every record is NUL-terminated at its length")

if case in ("records", "records_tls"):
    check(records == sent and len(sent) == 6,
          "the 6 records, cut at odd places, arrive whole and in order: %r" % records)
    check(drops == [] and len(accepts) == 1, "one connection, never dropped (drops %r)" % drops)
    check(stats and stats[0]["records"] == "6" and stats[0]["connects"] == "1",
          "the stream's counters: %r" % stats)
elif case == "overlong":
    check(records == ["first", "z" * 100, "n2", "n3"],
          "a record at the limit passes, the one over it and the endless one do not: %r" % records)
    check(drops[:2] == ["a record longer than 100 bytes"] * 2,
          "each over-long record drops the connection at once: %r" % drops)
    check(len(accepts) >= 3, "and the stream reconnects (%d connections)" % len(accepts))
    check(stats and stats[0]["too_long"] == "2", "counted: %r" % stats)
elif case == "heartbeat":
    check(records == sent[:len(records)] and len(records) >= 8,
          "keep-alives every 100 ms: %d records" % len(records))
    check(drops == [] and len(accepts) == 1, "keep the 300 ms idle watchdog quiet: drops %r" % drops)
elif case == "idle":
    first_rec = next(t for t, k, a in out if k == "record")
    first_drop = next((t for t, k, a in out if k == "drop"), None)
    check(first_drop is not None and drops[0].startswith("nothing received for"),
          "a silent server is dropped by the idle watchdog: %r" % drops[:1])
    if first_drop is not None:
        quiet = first_drop - first_rec
        check(300 <= quiet < 1300, "after 300 ms of silence (%.0f ms)" % quiet)
    check(len(accepts) >= 2, "and the stream reconnects (%d connections)" % len(accepts))
elif case == "close":
    want = [r for n in range(1, len(accepts) + 1) for r in ("c%d-a" % n, "c%d-b" % n)]
    check(len(accepts) >= 3, "reconnects each time the server ends the stream (%d connections)" % len(accepts))
    check(records == want[:len(records)] and len(records) >= 2 * len(accepts) - 2,
          "every record of every connection, in order: %r" % records)
    check(drops and all(d == "the server ended the stream" for d in drops), "the reason: %r" % drops[:1])
elif case == "backoff":
    # backoff 100 ms .. 2 s: the n-th delay is drawn from [d/2, d], d = 100 ms * 2^n
    gaps = [(b - a) * 1000 for a, b in zip(accepts, accepts[1:])]
    check(len(accepts) == 5, "4 answers of 503, then a connection that stays (%d connections)" % len(accepts))
    check(drops[:4] == ["HTTP 503"] * 4, "non-2xx answers drop the connection: %r" % drops)
    low = [50, 100, 200, 400]
    check(len(gaps) >= 4 and all(g >= l - 2 for g, l in zip(gaps, low)),
          "the delays between attempts grow: %s ms (at least %s)" % (["%.0f" % g for g in gaps], low))
    check(len(gaps) >= 4 and gaps[3] > gaps[0] * 2, "the 4th delay is over twice the 1st")
    check(records == ["up"], "and the stream runs once the server answers: %r" % records)
elif case == "refused":
    # refused_retry 300 ms, backoff 50..100 ms: the refused retry, not the backoff
    gaps = [(b - a) * 1000 for a, b in zip(accepts, accepts[1:])]
    check(len(accepts) >= 3, "401, then 403, then 401 again (%d connections)" % len(accepts))
    check(drops[:2] == ["HTTP 401: credentials refused (a configuration error)",
                        "HTTP 403: credentials refused (a configuration error)"],
          "both are a configuration error: %r" % drops[:2])
    check(gaps and all(300 <= g < 450 for g in gaps), "retried after 300 ms each time: %s ms"
          % ["%.0f" % g for g in gaps])
    check(stats and stats[0]["refused"] == str(len(accepts)) and stats[0]["refused_status"] in ("401", "403")
          and stats[0]["connects"] == "0", "counted, with the last status: %r" % stats)
elif case == "cut":
    want = ["k%d-a" % n for n in range(1, len(accepts) + 1)]
    check(len(accepts) >= 3, "reconnects after each cut (%d connections)" % len(accepts))
    check(records == want[:len(records)] and len(records) >= len(accepts) - 1,
          "the whole records only, never a half: %r" % records)
    check(drops and all(d == "the server ended the stream (a record cut after 7 bytes: discarded)"
                        for d in drops), "the cut record is named in the drop: %r" % drops[:1])
    check(stats and stats[0]["cut"] == str(len(drops)), "and counted: %r (%d drops)" % (stats, len(drops)))
elif case in ("raw", "raw_tls"):
    per = {}
    for e in log:
        if e["ev"] == "line":
            per.setdefault(len([a for a in accepts if a <= e["t"]]), []).append(e["line"])
    check(not any(e["ev"] == "bad" for e in log), "every line sent ends in CRLF")
    check(len(accepts) >= 2 and per.get(1) == ['{"op":"auth"}', '{"op":"sub"}'] and
          per.get(2) == ['{"op":"auth"}', '{"op":"sub"}'],
          "the lines sent on connecting reach the server, on each connection: %r" % per)
    check(records == sent, "the server's lines, split over writes, arrive whole and in order: %r" % records)
    check(drops[:1] == ["closed by the server"], "the server's close drops the connection: %r" % drops[:1])
elif case == "tls_unknown_ca":
    check(records == [] and len(drops) >= 1 and "certificate" in drops[0],
          "a certificate not signed by a known CA is refused: %r" % drops[:1])
elif case == "close_in_callback":
    closes = [e["t"] for e in log if e["ev"] == "close"]
    plan = next(e["recs"] for e in log if e["ev"] == "plan")
    check(records == plan[:3], "records up to the close: %r" % records)
    check(any(k == "closed" for t, k, a in out), "worker_stream_close from on_record returns")
    check(len(accepts) == 1 and len(closes) == 1, "the server sees the connection end, and no reconnect "
          "(%d connections, %d closed)" % (len(accepts), len(closes)))
elif case == "post":
    req = [e for e in log if e["ev"] == "request"]
    check(len(req) == 1 and req[0]["line"] == "POST /write HTTP/1.1", "one POST: %r" % req[:1])
    check(req and req[0]["body"] == "a=1 b=2" and req[0]["headers"].get("X-Test") == "yes" and
          req[0]["headers"].get("Content-Type") == "text/plain", "with its body and headers")
    check(any(k == "http" and a == "201 created" for t, k, a in out), "the answer reaches done: %r" % out)
else:
    check(False, "unknown case")
sys.exit(1 if fails else 0)
