#!/usr/bin/env bash
# nbpyd_flood.sh - a worker that writes to stdout without pause (`yes`) must
# not starve nbpyd: control replies stay fast (ping p99 < 10 ms), a SIGKILLed
# sibling is back within its restart delay, nbpyd does not spend its CPU on
# the flood, SIGTERM of nbpyd completes within stop_timeout, and the log grows
# by what the rate limit allows, with
# "suppressed N lines" lines and the status counters saying what was dropped.
# Every wait is bounded.
set -uo pipefail

. "$NBPY_SRCDIR/tests/lib/itest.sh" nbpyd_flood
W=$B/tests/progs/testworker
TAG=nbpyd-flood-$$	# in every worker's command line (and each line `yes` writes), for pgrep
itest_cleanup_extra() { pkill -9 -f "$TAG" 2>/dev/null; }
itest_expect_exits sibling	# SIGKILLed on purpose

BURST=100		# flood's log_rate_burst...
INTERVAL_S=1		# ...per log_rate_interval
RESTART_MS=300		# sibling's backoff: its restart delay is at most this
STOP_TIMEOUT_MS=2000
# quiet's long line (2100 bytes; config lines are short) is logged in pieces
# of 1023 bytes: 1023 + 1023 + 54
printf '#!/bin/sh\nprintf "L%%.0s" $(seq 1 2100); echo; exec "%s" "$@"\n' "$W" >"$T/long.sh"
chmod +x "$T/long.sh"
cat >"$CONF" <<EOF
[nbpyd]
control   = ipc://$T/run/control
state_dir = $T/state
run_dir   = $T/run
stop_timeout = ${STOP_TIMEOUT_MS}ms

[flood]
command = yes $TAG
log_rate_burst = $BURST
log_rate_interval = ${INTERVAL_S}s

[sibling]
command = $W $TAG
start_secs = 100ms
backoff = ${RESTART_MS}ms..${RESTART_MS}ms

[quiet]
command = $T/long.sh --print "warning quiet: a worker's own level" --print "plain text" $TAG
EOF

echo "nbpyd under a flooding worker ($T)"
check "nbpyd --check accepts log_rate_burst and log_rate_interval" "$B/nbpyd" -c "$CONF" --check
t_start=$(date +%s%N)
start_nbpyd
check "flood and sibling are running" wait_for 10 all_running flood sibling quiet
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$NBPYD_PID/stat"; }	# utime + stime
cpu0=$(cpu_ticks); c0=$(date +%s%N)
sleep 1.5	# let the flood fill more than one interval

# Latency of 200 pings, then SIGKILL the sibling and time its replacement,
# from one Python client (a nbpyctl per poll would measure its own start).
read -r p50 p99 worst restart_ms < <($PY - "ipc://$T/run/control" <<'PY'
import json, os, signal, sys, time, zmq
ctx = zmq.Context()
s = None
def ask(req):	# the reply, or None after 2 s (then a fresh socket: REQ is stuck)
    global s
    if s is None:
        s = ctx.socket(zmq.REQ); s.setsockopt(zmq.RCVTIMEO, 2000); s.setsockopt(zmq.LINGER, 0)
        s.connect(sys.argv[1])
    s.send_json(dict(req, v=1))
    try:
        return s.recv_json()
    except zmq.Again:
        s.close(); s = None
        return None
lat, give_up = [], time.monotonic() + 15	# a starved nbpyd fills the log meanwhile
for _ in range(200):
    t = time.monotonic()
    r = ask({"cmd": "ping"}) if t < give_up else None
    lat.append((time.monotonic() - t) * 1000 if r and r["ok"] else 99999.0)
    time.sleep(0.005)
lat.sort()
def pid(name):	# None when nbpyd does not answer
    r = ask({"cmd": "status", "services": [name]})
    return r["result"]["services"][0]["pid"] if r else None
restart = 99999
old = pid("sibling")
if old:
    os.kill(old, signal.SIGKILL)
    t = time.monotonic()
    while time.monotonic() - t < 5:
        if pid("sibling") not in (None, 0, old):
            restart = (time.monotonic() - t) * 1000
            break
        time.sleep(0.01)
print(f"{lat[99]:.2f} {lat[197]:.2f} {lat[-1]:.2f} {restart:.0f}")
PY
)
check "ping p99 under the flood < 10 ms (p50 ${p50:-?} ms, p99 ${p99:-?} ms, max ${worst:-?} ms)" \
	$PY -c "import sys; sys.exit(0 if float('${p99:-1e9}') < 10 else 1)"
check "a SIGKILLed sibling is back within its restart delay ${RESTART_MS} ms + 500 ms (${restart_ms:-?} ms)" \
	[ "${restart_ms:-99999}" -le $((RESTART_MS + 500)) ]

# Reading a flood as fast as it comes would take a whole core.
cpu_pct=$(( ($(cpu_ticks) - cpu0) * 100 * 1000000000 / $(getconf CLK_TCK) / ($(date +%s%N) - c0) ))
check "nbpyd used ${cpu_pct}% of a core under the flood (< 50%)" [ "$cpu_pct" -lt 50 ]

lines=$(field flood log_lines)
suppressed=$(field flood log_suppressed)
check "status counts the flood's lines ($lines passed, $suppressed suppressed)" \
	eval '[ "${lines:-0}" -ge "$BURST" ] && [ "${suppressed:-0}" -gt 0 ]' 

# SIGTERM: every worker stops at once on TERM, so nbpyd must be gone well
# within stop_timeout; waited for at most stop_timeout + 10 s.
t0=$(date +%s%N)
kill -TERM "$NBPYD_PID"
for _ in $(seq 1 $(((STOP_TIMEOUT_MS + 10000) / 50))); do
	kill -0 "$NBPYD_PID" 2>/dev/null || break
	sleep 0.05
done
stop_ms=$((($(date +%s%N) - t0) / 1000000))
if kill -0 "$NBPYD_PID" 2>/dev/null; then
	kill -9 "$NBPYD_PID"
	rc=killed
else
	wait "$NBPYD_PID"
	rc=$?
fi
NBPYD_PID=
t_end=$(date +%s%N)
check "SIGTERM: nbpyd exits 0 within stop_timeout ${STOP_TIMEOUT_MS} ms ($stop_ms ms, status $rc)" \
	eval '[ "$rc" = 0 ] && [ "$stop_ms" -lt "$STOP_TIMEOUT_MS" ]' 

# The log bound: each interval that began while nbpyd ran passes at most
# BURST flood lines and one "suppressed" line; plus nbpyd's own lines and
# quiet's (16 KiB covers both).
run_s=$(((t_end - t_start + 999999999) / 1000000000))
windows=$((run_s / INTERVAL_S + 1))
flood_line="info flood: $TAG"
bound=$((windows * (BURST * (${#flood_line} + 1) + 128) + 16384))
size=$(stat -c %s "$T/nbpyd.log")
check "the log grew by $size bytes in ${run_s} s: at most $bound" [ "$size" -le "$bound" ]
n_flood=$(grep -c "^$flood_line\$" "$T/nbpyd.log")
check "...$n_flood flood lines, at most $BURST per interval ($((windows * BURST)))" \
	eval '[ "$n_flood" -ge "$BURST" ] && [ "$n_flood" -le $((windows * BURST)) ]' 
check "...and \"suppressed N lines\" lines saying what was dropped" \
	grep -q "^warning flood: suppressed [0-9]* lines (log rate limit: $BURST per ${INTERVAL_S}s)\$" "$T/nbpyd.log"
check "a worker's own \"LEVEL service: message\" line keeps its level" \
	grep -qx "warning quiet: a worker's own level" "$T/nbpyd.log"
check "...and other output is info" grep -qx "info quiet: plain text" "$T/nbpyd.log"
check "a 2100-byte line is logged whole, in pieces of 1023 bytes" \
	eval '[ "$(grep -c "^info quiet: L\{1023\}\$" "$T/nbpyd.log")" = 2 ] && grep -qx "info quiet: L\{54\}" "$T/nbpyd.log"'
check "no worker is left" wait_for 3 eval '! pgrep -f "$TAG" >/dev/null'

echo "nbpyd under a flooding worker: $fails failed"
[ $fails -eq 0 ]
