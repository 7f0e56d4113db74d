#!/usr/bin/env bash
# nbpyd_abuse.sh - what a client of the control socket, or a second nbpyd,
# must not be able to do to a running nbpyd (docs/control-protocol.md,
# "Limits"; nbpyd(8)): exhaust its descriptors with plain connections (libzmq
# aborts on EMFILE and every worker dies with nbpyd), make it read a huge
# request, pass a version other than the integer 1, or take over its control
# socket and start a second set of workers.  Every wait is bounded.
set -uo pipefail

. "$NBPY_SRCDIR/tests/lib/itest.sh" nbpyd_abuse
W=$B/tests/progs/testworker
TAG=nbpyd-abuse-$$
UNIT_NOFILE=65536	# LimitNOFILE= of scripts/nbpyd.service.in
HARD=$(ulimit -Hn)
[ "$HARD" = unlimited ] && HARD=1048576

cat >"$CONF" <<EOF
[nbpyd]
control   = ipc://$T/run/control
state_dir = $T/state
run_dir   = $T/run

[w]
command = $W --notify $TAG
notify  = yes

[lim]
command = /bin/sh -c "ulimit -Sn >$T/lim.nofile; exec $W $TAG"
start_secs = 200ms
EOF

# flood PATH TOTAL PROCS HOLD_S: open TOTAL plain AF_UNIX connections to PATH
# (no ZeroMQ handshake) from PROCS processes, hold them HOLD_S seconds, and
# print "CONNECTED REFUSED CLOSED": CLOSED counts those nbpyd closed.
cat >"$T/flood.py" <<'PY'
import os, resource, socket, sys, time
path, total, procs, hold = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
pipes = []
for p in range(procs):
    r, w = os.pipe()
    if os.fork() == 0:
        os.close(r)
        socks, refused, closed = [], 0, 0
        for _ in range(total // procs):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.connect(path)
                socks.append(s)
            except OSError:
                refused += 1
                s.close()
        time.sleep(hold)
        for s in socks:
            s.setblocking(False)
            try:
                while s.recv(4096):	# libzmq's greeting, then EOF if closed
                    pass
                closed += 1
            except BlockingIOError:
                pass
            except OSError:
                closed += 1
        os.write(w, f"{len(socks)} {refused} {closed}\n".encode())
        os._exit(0)
    os.close(w)
    pipes.append(r)
sums = [0, 0, 0]
for r in pipes:
    for i, v in enumerate(os.read(r, 100).split()):
        sums[i] += int(v)
for _ in pipes:
    os.wait()
print(*sums)
PY

start_limited() {	# start_limited SOFT HARD: nbpyd under that RLIMIT_NOFILE
	(ulimit -Sn "$1" && ulimit -Hn "$2" && exec "$B/nbpyd" -c "$CONF") >>"$T/nbpyd.log" 2>&1 &
	NBPYD_PID=$!
	wait_for 5 ctl ping >/dev/null 2>&1 || { bad "nbpyd did not answer"; exit 1; }
	wait_for 5 all_running w lim || { bad "workers did not start"; exit 1; }
}
# "NAME PID RESTARTS ..." for every service, then the number of history
# events: any restart changes it
snapshot() {
	ctl --json status | $PY -c '
import json, sys
s = json.load(sys.stdin)["result"]["services"]
assert len(s) == 2 and all(x["pid"] > 0 for x in s), s
print(" ".join(":".join(str(x[k]) for k in ("name", "pid", "restarts")) for x in s))' &&
		ctl --json history -n 1000 | $PY -c 'import json,sys; print(len(json.load(sys.stdin)["result"]["entries"]))'
}
# docs/control-protocol.md: at most 4096 connections, and at most the limit
# less a reserve of a quarter of it, at least 512
cap_for() { local r=$(($1 / 4 > 512 ? $1 / 4 : 512)); echo $(($1 - r < 4096 ? $1 - r : 4096)); }
vm() { awk -v k="$1:" '$1 == k { print $2; f = 1 } END { exit !f }' "/proc/$NBPYD_PID/status"; }	# vm VmHWM: kB
untouched() {	# untouched SNAPSHOT: nbpyd alive, answering, same workers
	kill -0 "$NBPYD_PID" 2>/dev/null && [ -S "$T/run/control" ] && [ "$(snapshot)" = "$1" ]
}

echo "nbpyd abuse ($T)"

# ---- descriptor limit 1024, as from a login shell ----
start_limited 1024 1024
before=$(snapshot) || { bad "status snapshot"; exit 1; }

# ask.py: ask(raw, timeout_ms) is the reply of the control socket at argv[1]
# to raw, None if none came
cat >"$T/ask.py" <<'PY'
import json, sys, zmq
ctx = zmq.Context()
def ask(raw, timeout=3000):
    s = ctx.socket(zmq.REQ); s.setsockopt(zmq.RCVTIMEO, timeout); s.setsockopt(zmq.LINGER, 0)
    s.connect(sys.argv[1]); s.send(raw)
    try:
        return json.loads(s.recv())
    except zmq.Again:
        return None
    finally:
        s.close()
PY
check "only the JSON integer 1 is protocol version 1" \
	env PYTHONPATH="$T" $PY - "ipc://$T/run/control" <<'PY'
import sys
from ask import ask
for v in ('"1"', '1.9', 'true', '1.0', 'null', '[1]', '2'):
    r = ask(b'{"v":%s,"cmd":"ping"}' % v.encode())
    assert r is not None and r["error"]["code"] == "bad_version", (v, r)
assert ask(b'{"v":1,"cmd":"ping"}')["ok"] is True
PY
check "requests up to 64 KiB are answered, larger ones dropped unread (peak memory)" \
	env PYTHONPATH="$T" $PY - "ipc://$T/run/control" "$NBPYD_PID" <<'PY'
import sys
from ask import ask
def hwm_kb():
    for line in open(f"/proc/{sys.argv[2]}/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
# docs/control-protocol.md: at most 64 KiB (65536 bytes)
head = b'{"v":1,"cmd":"ping","pad":"'
r = ask(head + b"x" * (65536 - len(head) - 2) + b'"}')
assert r is not None and r["ok"] is True, r
assert ask(head + b"x" * (65537 - len(head) - 2) + b'"}', 2000) is None
hwm = hwm_kb()
assert ask(head + b"x" * (64 << 20) + b'"}', 2000) is None
grown = hwm_kb() - hwm
assert grown < 16 << 10, f"a 64 MiB request grew nbpyd's peak memory by {grown} kB"
assert ask(b'{"v":1,"cmd":"ping"}')["ok"] is True
PY

read -r conn refused closed < <($PY "$T/flood.py" "$T/run/control" 5 1 6)
check "connections that never complete the handshake are closed within 5 s ($closed of $conn)" \
	[ "$conn/$closed" = 5/5 ]

read -r conn refused closed < <(ulimit -Sn "$HARD"; $PY "$T/flood.py" "$T/run/control" 1100 1 1)
check "1100 plain connections under a limit of 1024: nbpyd still runs, answers, same workers" untouched "$before"
check "...it closed connections at its cap ($conn connected, $refused refused, $closed closed)" \
	[ "${closed:-0}" -gt 0 ]
check "...at its cap of 512 (1024 less 512)" \
	grep -q "warning nbpyd: control: 512 connections, the most allowed under a descriptor limit of 1024" \
	"$T/nbpyd.log"
check "SIGTERM: nbpyd exits 0" stop_nbpyd

# ---- the unit's limit (or the most this shell allows) ----
limit=$((HARD < UNIT_NOFILE ? HARD : UNIT_NOFILE))
[ "$limit" -ge 20000 ] || echo "  note: hard limit $HARD, below the 20000 connections tried"
start_limited 1024 "$limit"
check "a worker gets the soft limit nbpyd started with (1024), not nbpyd's $limit" \
	wait_for 5 eval '[ "$(cat "$T/lim.nofile" 2>/dev/null)" = 1024 ]'
before=$(snapshot) || { bad "status snapshot"; exit 1; }
rss=$(vm VmRSS) || { bad "VmRSS of nbpyd"; exit 1; }
t0=$SECONDS
read -r conn refused closed < <(ulimit -Sn "$HARD"; $PY "$T/flood.py" "$T/run/control" 20000 4 1)
check "20000 plain connections under a limit of $limit: nbpyd still runs, answers, same workers" \
	untouched "$before"
check "...it closed connections at its cap ($conn connected, $refused refused, $closed closed)" \
	[ "${closed:-0}" -gt 0 ]
check "...at its cap of $(cap_for "$limit")" grep -q \
	"warning nbpyd: control: $(cap_for "$limit") connections, the most allowed under a descriptor limit of $limit" \
	"$T/nbpyd.log"
hwm=$(vm VmHWM) || hwm=999999999
check "...its peak memory grew by $((hwm - rss)) kB (< 64 MiB)" [ $((hwm - rss)) -lt 65536 ]
check "...in $((SECONDS - t0)) s (< 30)" [ $((SECONDS - t0)) -lt 30 ]

# ---- one nbpyd per configuration ----
out=$(timeout 5 "$B/nbpyd" -c "$CONF" 2>&1)
rc=$?
check "a second nbpyd on the same configuration exits 75 (rc $rc)" [ "$rc" -eq 75 ]
check "...naming the running one's pid" eval '[[ "$out" == *"another nbpyd (pid $NBPYD_PID)"* ]]'
sed "s|^state_dir .*|state_dir = $T/state2|" "$CONF" >"$T/other.conf"
out=$(timeout 5 "$B/nbpyd" -c "$T/other.conf" 2>&1)
rc=$?
check "one with another state_dir but the same control socket exits 75 too (rc $rc)" \
	eval '[ "$rc" -eq 75 ] && [[ "$out" == *"(pid $NBPYD_PID)"* ]]'
check "the first is untouched: answers, same workers, socket in place" untouched "$before"
check "...and ping names it" eval '[ "$(ctl --json ping | $PY -c "import json,sys; print(json.load(sys.stdin)[\"result\"][\"pid\"])")" = "$NBPYD_PID" ]'
check "--check needs no lock" "$B/nbpyd" -c "$CONF" --check
check "SIGTERM: nbpyd exits 0" stop_nbpyd

echo "nbpyd abuse: $fails failed"
[ $fails -eq 0 ]
