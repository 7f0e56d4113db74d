#!/usr/bin/env bash
# record_replay.sh - record a run with sink.file, replay it, get the same
# messages back (byte for byte, in order); a torn last record is detected.
set -uo pipefail

B=$NBPY_BUILD
S=$NBPY_SRCDIR
PY=/usr/bin/python3
T=$(mktemp -d /tmp/nbpy-replay.XXXXXX)
BASE=$((30000 + ($$ + 13) % 20000))
FAKE=http://127.0.0.1:$BASE
CONF=$T/nbpy.conf
fails=0
NBPYD_PID= FAKE_PID=

cleanup() {
	[ -n "$NBPYD_PID" ] && kill -TERM "$NBPYD_PID" 2>/dev/null && wait "$NBPYD_PID" 2>/dev/null
	[ $fails -gt 0 ] && grep -v 'info [a-zA-Z_]*: \(start\|ready\) pid' "$T/nbpyd.log" | tail -n 60
	[ -n "$FAKE_PID" ] && kill "$FAKE_PID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
ok() { echo "  ok   $*"; }
bad() { echo "  FAIL $*"; fails=$((fails + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
wait_for() { local d=$((SECONDS + $1)); shift; until "$@"; do [ $SECONDS -ge $d ] && return 1; sleep 0.05; done; }
running() { "$B/nbpyctl" -c "$CONF" --json status "$1" 2>/dev/null | grep -q '"state":"running"'; }

# collect ENDPOINT SECONDS OUT: every (topic, payload) received, as hex lines
collect() {
	$PY - "$@" <<'PY'
import sys, time, zmq
ep, secs, out = sys.argv[1], float(sys.argv[2]), sys.argv[3]
s = zmq.Context().socket(zmq.SUB); s.setsockopt(zmq.SUBSCRIBE, b""); s.connect(ep)
end = time.time() + secs
with open(out, "w") as f:
    while time.time() < end:
        if s.poll(100):
            topic, payload = s.recv_multipart()
            f.write(topic.hex() + " " + payload.hex() + "\n")
PY
}
# the capture file, read by its documented format
read_capture() {
	$PY - "$@" <<'PY'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"NBPYCAP1"
pos, out = 8, []
while pos + 8 <= len(data):
    length, crc = struct.unpack_from("<II", data, pos)
    body = data[pos + 8: pos + 8 + length]
    if len(body) < length or zlib.crc32(body) != crc:
        break
    tn = body[8]
    out.append(body[9:9 + tn].hex() + " " + body[9 + tn:].hex())
    pos += 8 + length
open(sys.argv[2], "w").write("".join(l + "\n" for l in out))
PY
}

echo "record and replay ($T)"
$PY "$S/tests/fakes/fake_kraken.py" "$BASE" &
FAKE_PID=$!
wait_for 5 curl -fs -o /dev/null "$FAKE/_stats" || { bad "fake Kraken did not start"; exit 1; }
cat >"$CONF" <<CONF
[nbpyd]
control   = ipc://$T/control
state_dir = $T/state
run_dir   = $T/run
worker    = $B/nbpy-worker

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
"$B/nbpyd" -c "$CONF" >"$T/nbpyd.log" 2>&1 &
NBPYD_PID=$!
wait_for 10 eval 'running kraken_tick && running recorder'
collect "tcp://127.0.0.1:$((BASE + 1))" 2 "$T/live"
kill -TERM "$NBPYD_PID"; wait "$NBPYD_PID"; NBPYD_PID=
read_capture "$T/run.nbpy" "$T/recorded"
check "the recording holds the live messages ($(wc -l <"$T/live") live, $(wc -l <"$T/recorded") recorded)" \
	eval '[ -s "$T/live" ] && [ -z "$(comm -23 <(sort "$T/live") <(sort "$T/recorded"))" ]'

cat >>"$CONF" <<CONF

[player]
kind  = replay
path  = $T/run.nbpy
speed = 0
start_delay = 1s
bind  = tcp://127.0.0.1:$((BASE + 2))
CONF
sed -i 's/^\[kraken_tick\]/[kraken_tick]\nenabled = no/; s/^\[recorder\]/[recorder]\nenabled = no/' "$CONF"
"$B/nbpyd" -c "$CONF" >>"$T/nbpyd.log" 2>&1 &
NBPYD_PID=$!
collect "tcp://127.0.0.1:$((BASE + 2))" 3 "$T/replayed"
check "replay gives the same messages back, in order, byte for byte" cmp -s "$T/recorded" "$T/replayed"
kill -TERM "$NBPYD_PID"; wait "$NBPYD_PID"; NBPYD_PID=

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
"$B/nbpyd" -c "$CONF" >>"$T/nbpyd.log" 2>&1 &
NBPYD_PID=$!
$PY - "tcp://127.0.0.1:$((BASE + 2))" "$T/played_span" <<'PY'
import sys, time, zmq
s = zmq.Context().socket(zmq.SUB); s.setsockopt(zmq.SUBSCRIBE, b""); s.connect(sys.argv[1])
first = last = None; end = time.time() + 4
while time.time() < end:
    if s.poll(100):
        s.recv_multipart(); now = time.time(); first = first or now; last = now
open(sys.argv[2], "w").write(str(last - first if first else -1))
PY
played=$(cat "$T/played_span")
check "speed = 10: ${recorded_span}s recorded play in ${played}s" $PY -c \
	"r, p = $recorded_span, $played; import sys; sys.exit(0 if r / 20 <= p <= r / 5 else 1)"
kill -TERM "$NBPYD_PID"; wait "$NBPYD_PID"; NBPYD_PID=
sed -i 's/^speed = 10$/speed = 0/' "$CONF"

# a crash mid-write leaves a torn record: replay stops there and says so
printf '\x40\x00\x00\x00\x01\x02' >>"$T/run.nbpy"
"$B/nbpyd" -c "$CONF" >>"$T/nbpyd.log" 2>&1 &
NBPYD_PID=$!
collect "tcp://127.0.0.1:$((BASE + 2))" 3 "$T/replayed2"
check "a torn last record: everything before it is replayed" cmp -s "$T/recorded" "$T/replayed2"
check "...and the replay says where it stopped" grep -q 'torn or corrupt record after' "$T/nbpyd.log"

echo "record and replay: $fails failed"
[ $fails -eq 0 ]
