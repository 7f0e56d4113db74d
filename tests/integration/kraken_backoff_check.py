#!/usr/bin/python3
"""kraken_backoff_check.py - the Kraken workers' retry schedule, observed at
the fake Kraken (tests/fakes/fake_kraken.py), against the documented one
alone: docs/services.md ("back off, 1 s doubling to 60 s") and
common/backoff.h's contract (the n-th delay drawn from [d/2, d],
d = min(60 s, 1 s * 2^n), reset after a success).

    kraken_backoff_check.py FAKE DEADLINE_S [--sub NAME=ENDPOINT]... SPEC...

SPEC is "NAME ENDPOINT PAIR MODE,MODE,...": the modes are queued at the fake
for that endpoint and pair (one per request), then the first answer after
them is ok.  For every request that follows a failure the gap since that
failure must lie in [d/2, d + slack]: the lower bound strictly (the worker's
timer starts when the answer is in, after the fake logged the request), the
upper bound loosely (slack for a loaded machine, small enough that a delay
past the 60 s cap still fails).  A request after an ok answer is not timed.

It fails as soon as a gap is out of its window (a late request as soon as
its window has passed), or when DEADLINE_S runs out.  With --sub, it reads
NAME's publisher throughout: no message may carry the fake's POISON price
(the "result" of its error envelopes), and once NAME's schedule is done a
message must arrive after the recovery.
"""
import io
import json
import sys
import time
import urllib.parse
import urllib.request

import msgpack
import zmq

MIN_S, CAP_S = 1.0, 60.0       # docs/services.md
POISON = 77777.0               # fake_kraken.py's POISON
EARLY = 0.005                  # clock granularity, s
FAILS = {"http503", "reset", "rate_limit", "unavailable", "busy"}


def upper(d):
    return d + 1.5 + 0.02 * d


def windows(modes):
    """The window of the gap after each request, None after an ok answer."""
    out, attempt = [], 0
    for m in modes + ["ok"]:
        if m in FAILS:
            d = min(CAP_S, MIN_S * 2 ** attempt)
            attempt += 1
            out.append((d / 2, upper(d), d))
        else:
            attempt = 0
            out.append(None)
    return out


def main():
    fake, deadline = sys.argv[1], time.monotonic() + float(sys.argv[2])
    args, subs, specs = sys.argv[3:], {}, []
    while args:
        a = args.pop(0)
        if a == "--sub":
            name, ep = args.pop(0).split("=", 1)
            subs[name] = ep
        else:
            name, endpoint, pair, modes = a.split()
            specs.append({"name": name, "endpoint": endpoint, "pair": pair,
                          "modes": modes.split(","), "t": [], "done": None})
    ctx = zmq.Context()
    socks = {}
    for name, ep in subs.items():
        s = ctx.socket(zmq.SUB)
        s.setsockopt(zmq.SUBSCRIBE, b"")
        s.connect(ep)
        socks[name] = s
    time.sleep(0.5)    # the subscriptions reach the publishers
    last_msg = {name: 0.0 for name in subs}
    poisoned = []

    def read_subs():
        for name, s in socks.items():
            while s.poll(0):
                now = time.monotonic()
                for m in msgpack.Unpacker(io.BytesIO(s.recv_multipart()[1]), raw=False):
                    if m[0] == 0:
                        continue    # a sequence announcement
                    last_msg[name] = now
                    if any(x == POISON for x in flatten(m[6:])):
                        poisoned.append((name, m))

    for sp in specs:
        key = "queue_%s.%s" % (sp["endpoint"].lower(), sp["pair"])
        # the requests the fake logs after "t" were served these modes
        sp["after"] = json.load(urllib.request.urlopen(
            "%s/_mode?%s" % (fake, urllib.parse.urlencode({key: ",".join(sp["modes"])}))))["t"]
        sp["win"] = windows(sp["modes"])

    failed = False
    while True:
        read_subs()
        now = time.monotonic()
        for sp in specs:
            if sp["done"] is not None:
                continue
            q = urllib.parse.urlencode({"endpoint": sp["endpoint"], "pair": sp["pair"], "after": sp["after"]})
            for e in json.load(urllib.request.urlopen("%s/_log?%s" % (fake, q))):
                sp["t"].append(e[3])
                sp.setdefault("served", []).append(e[2])
                sp["after"] = e[3]
            t, n = sp["t"], len(sp["modes"]) + 1
            # the window after request i, checked against request i + 1 or the clock
            for i in range(min(len(t), n)):
                w = sp["win"][i]
                if w is None or i == n - 1:
                    continue
                gap = (t[i + 1] if i + 1 < len(t) else None)
                if gap is not None:
                    gap -= t[i]
                    if gap < w[0] - EARLY or gap > w[1]:
                        print("       %s: gap %d after %s is %.3f s, want %.2f..%.2f (nominal %g s)"
                              % (sp["name"], i, sp["served"][i], gap, w[0], w[1], w[2]))
                        failed = True
                elif now - t[i] > w[1] + 0.5:
                    print("       %s: no request %.1f s after failure %d (%s), want one within %.2f s"
                          % (sp["name"], now - t[i], i, sp["served"][i], w[1]))
                    failed = True
            if len(t) >= n:
                sp["done"] = t[n - 1]
                if sp["served"][:n] != sp["modes"] + ["ok"]:
                    print("       %s: served %s, want %s" % (sp["name"], sp["served"][:n], sp["modes"] + ["ok"]))
                    failed = True
        if failed or poisoned:
            break
        if all(sp["done"] is not None for sp in specs):
            if all(last_msg.get(sp["name"], 1e18) > sp["done"] for sp in specs if sp["name"] in subs):
                break
            if now - max(sp["done"] for sp in specs) > 5:
                for sp in specs:
                    if sp["name"] in subs and last_msg[sp["name"]] <= sp["done"]:
                        print("       %s: nothing published within 5 s of the recovery" % sp["name"])
                failed = True
                break
        if now > deadline:
            print("       deadline: %s" % ", ".join("%s %d of %d requests" % (sp["name"], len(sp["t"]), len(sp["modes"]) + 1)
                                                   for sp in specs))
            failed = True
            break
        time.sleep(0.1)
    for sp in specs:
        t = sp["t"]
        gaps = ["%.2f" % (t[i + 1] - t[i]) for i in range(min(len(t), len(sp["modes"]) + 1) - 1)]
        print("       %s %s %s: gaps %s s (%.0f s in all)" % (sp["name"], sp["endpoint"], sp["pair"],
                                                               " ".join(gaps), (t[len(gaps)] - t[0]) if gaps else 0))
    for name, m in poisoned[:3]:
        print("       %s published the result of an error answer: %s" % (name, m))
    sys.exit(1 if failed or poisoned else 0)


def flatten(x):
    if isinstance(x, (list, tuple)):
        for y in x:
            yield from flatten(y)
    else:
        yield x


if __name__ == "__main__":
    main()
