#!/usr/bin/env bash
# control_errors.sh - docs/control-protocol.md's error codes for malformed
# requests and for commands while nbpyd stops, sent as raw JSON on a ZeroMQ
# REQ socket (nbpyctl would never send them): bad_request for a non-object,
# a missing or non-string cmd, services that are not an array of strings, n
# that is not an integer, start/stop/restart without names; shutting_down for
# start/stop/restart while nbpyd waits for a worker that ignores SIGTERM,
# while status still answers.  `internal` (out of memory) is not provoked:
# nbpyd would fail elsewhere first under a memory limit.
set -uo pipefail

. "$NBPY_SRCDIR/tests/lib/itest.sh" control_errors
itest_expect_exits slow	# ignores SIGTERM on purpose: nbpyd SIGKILLs it at shutdown
W=$B/tests/progs/testworker
TAG=nbpyd-ctlerr-$$

# code JSON: the reply's error code, "ok" for success; fails on no reply
code() {
	$PY - "ipc://$T/control" "$1" <<'PY'
import json, sys, zmq
s = zmq.Context().socket(zmq.REQ)
s.setsockopt(zmq.RCVTIMEO, 5000)
s.setsockopt(zmq.LINGER, 0)
s.connect(sys.argv[1])
s.send(sys.argv[2].encode())
r = json.loads(s.recv())
print("ok" if r["ok"] else r["error"]["code"])
PY
}
expect() {	# expect CODE JSON
	local got
	got=$(code "$2") || got="(no reply)"
	[ "$got" = "$1" ] && ok "$2 -> $1" || bad "$2: want $1, got $got"
}

echo "control errors: bad_request, shutting_down ($T)"
cat >"$CONF" <<CONF
$(nbpyd_section)

[slow]
command      = $W --notify --ignore-term $TAG
stop_timeout = 4s

[other]
command = $W --notify $TAG
CONF
start_nbpyd
wait_for 10 all_running slow other || bad "services running"

expect ok '{"v": 1, "cmd": "status", "services": ["slow"], "n": 3}'
expect ok '{"v": 1, "cmd": "history", "services": ["slow"], "n": 3}'
expect bad_request '[1, 2]'
expect bad_request '"status"'
expect bad_request '{"v": 1, "cmd": "status"'
expect bad_request '{"v": 1}'
expect bad_request '{"v": 1, "cmd": 5}'
expect bad_request '{"v": 1, "cmd": ["status"]}'
expect bad_request '{"v": 1, "cmd": "status", "services": "slow"}'
expect bad_request '{"v": 1, "cmd": "status", "services": {"slow": 1}}'
expect bad_request '{"v": 1, "cmd": "stop", "services": ["other", 1]}'
expect bad_request '{"v": 1, "cmd": "status", "services": [null]}'
expect bad_request '{"v": 1, "cmd": "history", "n": "5"}'
expect bad_request '{"v": 1, "cmd": "history", "n": 2.5}'
expect bad_request '{"v": 1, "cmd": "start"}'
expect bad_request '{"v": 1, "cmd": "stop", "services": []}'
expect bad_request '{"v": 1, "cmd": "restart"}'
expect unknown_service '{"v": 1, "cmd": "status", "services": ["nosuch"]}'
check "other is still running after the malformed stop" state_is other running

# nbpyd stops; slow ignores SIGTERM and holds the shutdown for its 4 s.
kill -TERM "$NBPYD_PID"
wait_for 3 state_is slow stopping || bad "slow is not stopping: $(field slow state)"
expect shutting_down '{"v": 1, "cmd": "start", "services": ["other"]}'
expect shutting_down '{"v": 1, "cmd": "stop", "services": ["slow"]}'
expect shutting_down '{"v": 1, "cmd": "restart", "services": ["slow"]}'
expect ok '{"v": 1, "cmd": "status"}'
wait "$NBPYD_PID"
rc=$?
NBPYD_PID=
check "nbpyd exited 0 after SIGKILLing slow (exit $rc)" test $rc = 0
grep -q 'slow: exit pid [0-9]*: killed by signal 9\|slow: .*SIGKILL\|slow: .*signal 9' "$T/nbpyd.log" &&
	ok "slow was killed after its stop_timeout" || bad "slow: no SIGKILL in the log: $(grep 'slow:' "$T/nbpyd.log" | tail -3)"
pgrep -f "$TAG" >/dev/null && bad "workers left: $(pgrep -af "$TAG")"
[ "$fails" = 0 ]
