#!/usr/bin/env bash
# record_replay.sh - record a run with sink.file, replay it, get the same
# messages back (byte for byte, in order); a torn last record is detected.
set -uo pipefail

. "$NBPY_SRCDIR/tests/lib/itest.sh" replay
BASE=$(port_base 13)

# collect ENDPOINT SECONDS OUT: every (topic, payload) received, as hex lines,
# but the publishers' sequence announcements (schema 0)
collect() {
	$PY - "$@" <<'PY'
import io, msgpack, sys, time, zmq
ep, secs, out = sys.argv[1], float(sys.argv[2]), sys.argv[3]
s = zmq.Context().socket(zmq.SUB); s.setsockopt(zmq.SUBSCRIBE, b""); s.connect(ep)
end = time.time() + secs
with open(out, "w") as f:
    while time.time() < end:
        if s.poll(100):
            topic, payload = s.recv_multipart()
            if next(msgpack.Unpacker(io.BytesIO(payload)))[0] != 0:
                f.write(topic.hex() + " " + payload.hex() + "\n")
PY
}
# the capture file, read by its documented format
read_capture() {
	$PY - "$@" <<'PY'
import struct, sys, zlib
def crc32c(b):
    c = 0xffffffff
    for x in b:
        c ^= x
        for _ in range(8):
            c = (c >> 1) ^ 0x82f63b78 if c & 1 else c >> 1
    return c ^ 0xffffffff
data = open(sys.argv[1], "rb").read()
assert data[:8] in (b"NBPYCAP1", b"NBPYCAP2")
check = zlib.crc32 if data[:8] == b"NBPYCAP1" else crc32c
pos, out = 8, []
while pos + 8 <= len(data):
    length, crc = struct.unpack_from("<II", data, pos)
    body = data[pos + 8: pos + 8 + length]
    if len(body) < length or check(body) != crc:
        break
    tn = body[8]
    out.append(body[9:9 + tn].hex() + " " + body[9 + tn:].hex())
    pos += 8 + length
open(sys.argv[2], "w").write("".join(l + "\n" for l in out))
PY
}

echo "record and replay ($T)"
start_fake_kraken "$BASE"
cat >"$CONF" <<CONF
$(nbpyd_section)

[kraken_tick]
kind     = kraken.ticker
url      = $FAKE
pairs    = XXBTZUSD, XXBTZEUR
interval = 100ms
bind     = tcp://127.0.0.1:$((BASE + 1))

[recorder]
kind      = sink.file
subscribe = kraken_tick
path      = $T/run.nbpy
fsync_interval = 200ms
CONF
start_nbpyd
wait_for 10 all_running kraken_tick recorder || bad "kraken_tick and recorder running"
sleep 0.5	# the recorder's SUB reconnects within ZeroMQ's 100 ms interval
collect "tcp://127.0.0.1:$((BASE + 1))" 2 "$T/live"
stop_nbpyd || bad "nbpyd exit status"
read_capture "$T/run.nbpy" "$T/recorded"
missing=$(comm -23 <(sort "$T/live") <(sort "$T/recorded") | wc -l)
check "the recording holds the live messages ($(wc -l <"$T/live") live, $(wc -l <"$T/recorded") recorded, $missing missing)" \
	eval '[ -s "$T/live" ] && [ "$missing" -eq 0 ]'
[ "$missing" -eq 0 ] || { comm -23 <(sort "$T/live") <(sort "$T/recorded")| cut -c1-120; head -c 300 "$T/recorded"; tail -n 3 "$T/live" | cut -c1-120; }

cat >>"$CONF" <<CONF

[player]
kind  = replay
path  = $T/run.nbpy
speed = 0
start_delay = 1s
bind  = tcp://127.0.0.1:$((BASE + 2))
CONF
sed -i 's/^\[kraken_tick\]/[kraken_tick]\nenabled = no/; s/^\[recorder\]/[recorder]\nenabled = no/' "$CONF"
start_nbpyd
collect "tcp://127.0.0.1:$((BASE + 2))" 3 "$T/replayed"
check "replay gives the same messages back, in order, byte for byte" cmp -s "$T/recorded" "$T/replayed"
stop_nbpyd || bad "nbpyd exit status"

# speed = 10 plays the recording ten times faster than it was recorded
span() {	# seconds between the first and the last record of a capture
	$PY - "$1" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read(); pos, t = 8, []
while pos + 16 <= len(data):
    length, = struct.unpack_from("<I", data, pos); t.append(struct.unpack_from("<q", data, pos + 8)[0]); pos += 8 + length
print((t[-1] - t[0]) / 1e9)
PY
}
recorded_span=$(span "$T/run.nbpy")
sed -i 's/^speed = 0$/speed = 10/' "$CONF"
start_nbpyd
$PY - "tcp://127.0.0.1:$((BASE + 2))" "$T/played_span" <<'PY'
import io, msgpack, sys, time, zmq
s = zmq.Context().socket(zmq.SUB); s.setsockopt(zmq.SUBSCRIBE, b""); s.connect(sys.argv[1])
first = last = None; end = time.time() + 4
while time.time() < end:
    if s.poll(100):
        if next(msgpack.Unpacker(io.BytesIO(s.recv_multipart()[1])))[0] == 0:
            continue	# a sequence announcement
        now = time.time(); first = first or now; last = now
open(sys.argv[2], "w").write(str(last - first if first else -1))
PY
played=$(cat "$T/played_span")
check "speed = 10: ${recorded_span}s recorded play in ${played}s" $PY -c \
	"r, p = $recorded_span, $played; import sys; sys.exit(0 if r / 20 <= p <= r / 5 else 1)"
stop_nbpyd || bad "nbpyd exit status"
sed -i 's/^speed = 10$/speed = 0/' "$CONF"

# a crash mid-write leaves a torn record: replay stops there and says so
printf '\x40\x00\x00\x00\x01\x02' >>"$T/run.nbpy"
start_nbpyd
collect "tcp://127.0.0.1:$((BASE + 2))" 3 "$T/replayed2"
check "a torn last record: everything before it is replayed" cmp -s "$T/recorded" "$T/replayed2"
check "...and the replay says where it stopped" grep -q 'torn or corrupt record after' "$T/nbpyd.log"

itest_finish	# stops nbpyd, checks its exit status and every worker's exit
echo "record and replay: $fails failed"
[ $fails -eq 0 ]
