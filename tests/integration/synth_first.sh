#!/usr/bin/env bash
# synth_first.sh - synth.eurusd and synth.eurusd_depth publish nothing until
# a real quote can be t0: the first message carries the first quote in the
# band as t0 (the original's start-up placeholders "" / 1.1 / 1.2 and books
# of 0.0001 never go out), values computed here by hand from the inputs.  A
# live publisher also announces its last sequence number (docs/wire-format.md).
set -uo pipefail

. "$NBPY_SRCDIR/tests/lib/itest.sh" synth_first
BASE=$(port_base 43)

echo "synth: the first message has a real t0 ($T)"
# Inputs: quotes of the two legs of XBT, USD leg first (no EURUSD yet), then
# alternating.  Tickers and books carry the same top of book.
$PY - "$T" <<'PY'
import json, msgpack, struct, sys, zlib
t = sys.argv[1]
quotes = [("XXBTZUSD", 6300.0, 6301.0), ("XXBTZEUR", 5430.0, 5431.0), ("XXBTZUSD", 6302.0, 6303.5),
          ("XXBTZEUR", 5429.0, 5432.0), ("XXBTZUSD", 6310.0, 6311.0)]
def capture(path, topic, payloads):
    out = [b"NBPYCAP1"]
    for i, p in enumerate(payloads):
        body = struct.pack("<q", 1538079543817645000 + i) + bytes([len(topic)]) + topic + p
        out.append(struct.pack("<II", len(body), zlib.crc32(body)) + body)
    open(path, "wb").write(b"".join(out))
ev = 1538079543817645000
capture(f"{t}/tick.cap", b"kraken_tick", [msgpack.packb(
    [1, 1, "kraken_tick", i + 1, ev + i, 0, pair, ask, 1, 1.5, bid, 1, 2.5] + [1.0] * 6 + [3, 4] + [1.0] * 5)
    for i, (pair, bid, ask) in enumerate(quotes)])
capture(f"{t}/book.cap", b"kr_depth", [msgpack.packb(
    [2, 1, "kraken_depth", i + 1, ev + i, 0, pair, [[bid, 0.5, ev]], [[ask, 1.25, ev]]])
    for i, (pair, bid, ask) in enumerate(quotes)])
# By hand: each quote once both legs are known (the first two quotes make the
# first); t0 is the quote before.
last, syn = {}, []
for pair, bid, ask in quotes:
    last[pair] = (bid, ask)
    if len(last) == 2:
        usd, eur = last["XXBTZUSD"], last["XXBTZEUR"]
        syn.append((pair, round(usd[0] / eur[1], 5), round(usd[1] / eur[0], 5), bid, ask))
json.dump(syn, open(f"{t}/expected.json", "w"))
PY

cat >"$CONF" <<CONF
$(nbpyd_section)

[ticks]
kind        = replay
path        = $T/tick.cap
speed       = 0
start_delay = 2s
bind        = tcp://127.0.0.1:$BASE
topic       = kraken_tick
restart     = never

[books]
kind        = replay
path        = $T/book.cap
speed       = 0
start_delay = 2s
bind        = tcp://127.0.0.1:$((BASE + 1))
topic       = kr_depth
restart     = never

[eurusd]
kind      = synth.eurusd
subscribe = ticks
legs      = XBT:XXBTZUSD:XXBTZEUR
bind      = tcp://127.0.0.1:$((BASE + 2))
topic     = kr_eurusd_tick

[eurusd_depth]
kind      = synth.eurusd_depth
subscribe = books
legs      = XBT:XXBTZUSD:XXBTZEUR
bind      = tcp://127.0.0.1:$((BASE + 3))
topic     = kr_eurusd_depth

[recorder]
kind      = sink.file
subscribe = eurusd, eurusd_depth
path      = $T/out.nbpy
fsync_interval = 100ms
CONF

# the messages of the recording, as JSON lines: [topic, [fields...]]
recorded() {
	$PY - "$T/out.nbpy" <<'PY'
import json, msgpack, struct, sys
data = open(sys.argv[1], "rb").read() if __import__("os").path.exists(sys.argv[1]) else b""
pos = 8
while pos + 8 <= len(data):
    length, = struct.unpack_from("<I", data, pos)
    body = data[pos + 8: pos + 8 + length]
    tn = body[8]
    print(json.dumps([body[9:9 + tn].decode(), msgpack.unpackb(body[9 + tn:], raw=False)]))
    pos += 8 + length
PY
}
have_recorded() { [ "$(recorded | wc -l)" -ge "$1" ]; }

start_nbpyd
wait_for 10 all_running eurusd eurusd_depth recorder || bad "services running"
# 4 quotes from 5 inputs: 3 published by each kind
wait_for 10 have_recorded 6 || bad "6 messages recorded"
# a live publisher announces its last sequence number about every second
$PY - "tcp://127.0.0.1:$((BASE + 2))" "$T/announced" <<'PY'
import msgpack, sys, time, zmq
s = zmq.Context().socket(zmq.SUB); s.setsockopt(zmq.SUBSCRIBE, b""); s.connect(sys.argv[1])
end, got = time.time() + 3, []
while time.time() < end:
    if s.poll(100):
        topic, payload = s.recv_multipart()
        got.append([topic.decode(), msgpack.unpackb(payload, raw=False)])
open(sys.argv[2], "w").write(repr(got))
PY
stop_nbpyd || bad "nbpyd exit status"
recorded >"$T/out.json"

$PY - "$T" <<'PY' || fails=$((fails + 1))
import json, sys
t = sys.argv[1]
syn = json.load(open(f"{t}/expected.json"))
got = [json.loads(l) for l in open(f"{t}/out.json")]
tick = [m for topic, m in got if topic == "kr_eurusd_tick"]
depth = [m for topic, m in got if topic == "kr_eurusd_depth"]
fails = 0
def check(cond, what):
    global fails
    print(("  ok   " if cond else "  FAIL ") + what)
    fails += not cond
# S2: [4, 1, svc, seq, ev, d, inst_t0, bid_t0, ask_t0, inst_t1, bid_t1, ask_t1]
want = [[p0, b0, a0, p1, b1, a1] for (p0, b0, a0, _, _), (p1, b1, a1, _, _) in zip(syn, syn[1:])]
check([m[6:12] for m in tick] == want,
      f"synth.eurusd: {len(tick)} messages, the first with t0 = the first quote in the band: "
      f"{[m[6:12] for m in tick][:1]} (want {want[:1]})")
check([m[3] for m in tick] == [1, 2, 3], f"synth.eurusd: sequence numbers from 1 ({[m[3] for m in tick]})")
# S4: [5, 1, svc, seq, ev, d, inst_t0, eb0, ea0, bid0, bv0, ask0, av0, inst_t1, eb1, ea1, bid1, bv1, ask1, av1]
want = [[p0, b0, a0, bb0, 0.5, ba0, 1.25, p1, b1, a1, bb1, 0.5, ba1, 1.25]
        for (p0, b0, a0, bb0, ba0), (p1, b1, a1, bb1, ba1) in zip(syn, syn[1:])]
check([m[6:20] for m in depth] == want,
      f"synth.eurusd_depth: {len(depth)} messages, the first with t0 = the first quote in the band: "
      f"{[m[6:20] for m in depth][:1]} (want {want[:1]})")
ann = eval(open(f"{t}/announced").read())
check(any(topic == "kr_eurusd_tick" and m[:4] == [0, 1, "eurusd", 3] and len(m) == 6 for topic, m in ann),
      f"synth.eurusd announces its last sequence number: [0, 1, 'eurusd', 3, time, 0] ({ann[:2]})")
sys.exit(1 if fails else 0)
PY

itest_finish	# stops nbpyd, checks its exit status and every worker's exit
echo "synth: $fails failed"
[ $fails -eq 0 ]
