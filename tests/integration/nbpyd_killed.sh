#!/usr/bin/env bash
# nbpyd_killed.sh - after nbpyd is SIGKILLed, the next nbpyd closes the
# history of every service whose worker was running (last entry start or
# ready) with an exit entry saying the supervisor died, timed between the
# kill and the restart and before the new start; services whose history was
# already closed (exited, stopped, never started) get nothing, and neither
# does anything after a clean shutdown.
set -uo pipefail

. "$NBPY_SRCDIR/tests/lib/itest.sh" nbpyd_killed
W=$B/tests/progs/testworker
TAG=nbpyd-killed-$$	# in every worker's command line, for pgrep
itest_cleanup_extra() { pkill -9 -f "$TAG" 2>/dev/null; }
no_workers_left() { ! pgrep -f "$TAG" >/dev/null; }
now_ns() { date +%s%N; }
history_says() { [[ "$(ctl history "$1")" == *"$2"* ]]; }	# history_says SERVICE TEXT

cat >"$CONF" <<EOF
[nbpyd]
control   = ipc://$T/run/control
state_dir = $T/state
run_dir   = $T/run
stop_timeout = 1s

[ready]
command = $W --notify $TAG
notify  = yes

[starting]
command = $W $TAG
notify  = yes
start_timeout = 1m

[finished]
command = $W --exit-after 20 0 $TAG
restart = on-failure

[stopped]
command = $W --notify $TAG
notify  = yes

[off]
command = $W $TAG
enabled = no
EOF

# died_check SERVICE WANT T0 T1 [OLD_PID]: SERVICE's history holds WANT
# "supervisor died" exits; if 1, it has OLD_PID, a time in [T0, T1], follows
# that pid's start or ready and is followed by a new start.
died_check() {
	ctl --json history "$1" -n 1000 | $PY -c '
import json, sys
want, t0, t1 = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
pid = int(sys.argv[4]) if len(sys.argv) > 4 else None
e = json.load(sys.stdin)["result"]["entries"]
died = [i for i, x in enumerate(e) if x["event"] == "exit" and x["reason"].startswith("supervisor died")]
if len(died) != want:
    sys.exit("%d supervisor-died exits, want %d: %s" % (len(died), want, e))
for i in died:
    x = e[i]
    if x["pid"] != pid or not t0 <= x["time_ns"] <= t1 or x["code"] != -1:
        sys.exit("wrong entry (pid %s, time in [%d, %d]): %s" % (pid, t0, t1, x))
    if i == 0 or e[i - 1]["event"] not in ("start", "ready") or e[i - 1]["pid"] != pid:
        sys.exit("not after the worker pid %s start/ready: %s" % (pid, e[max(i - 1, 0):i + 1]))
    if i + 1 >= len(e) or e[i + 1]["event"] != "start" or e[i + 1]["time_ns"] < x["time_ns"]:
        sys.exit("no new start after it: %s" % e[i:])
' "$2" "$3" "$4" ${5:+"$5"}
}

echo "nbpyd killed ($T)"
start_nbpyd
check "ready is running" wait_for 10 state_is ready running
check "starting is starting" wait_for 10 state_is starting starting
check "finished has exited" wait_for 10 state_is finished exited
check "stopped is running" wait_for 10 state_is stopped running
check "nbpyctl stop stopped" ctl stop stopped
check "stopped is stopped" wait_for 10 state_is stopped stopped
pid_ready=$(field ready pid)
pid_starting=$(field starting pid)
check "workers have pids ($pid_ready, $pid_starting)" [ "$pid_ready" -gt 0 -a "$pid_starting" -gt 0 ]

t_kill=$(now_ns)
kill -KILL "$NBPYD_PID"
wait "$NBPYD_PID" 2>/dev/null
NBPYD_PID=
check "workers died with nbpyd" wait_for 10 no_workers_left
start_nbpyd
t_up=$(now_ns)
check "ready is running again" wait_for 10 state_is ready running

check "ready: one supervisor-died exit for pid $pid_ready" died_check ready 1 "$t_kill" "$t_up" "$pid_ready"
check "starting: one supervisor-died exit for pid $pid_starting" \
	died_check starting 1 "$t_kill" "$t_up" "$pid_starting"
check "finished (had exited): none" died_check finished 0 0 0
check "stopped (was stopped): none" died_check stopped 0 0 0
check "off (never started): none" died_check off 0 0 0
check "nbpyctl history shows the reason" history_says ready "supervisor died"

# A clean shutdown records every exit: nothing to add at the next start.
check "nbpyd stops cleanly" stop_nbpyd
start_nbpyd
check "ready is running a third time" wait_for 10 state_is ready running
check "ready: still one after a clean restart" died_check ready 1 "$t_kill" "$t_up" "$pid_ready"
check "starting: still one after a clean restart" died_check starting 1 "$t_kill" "$t_up" "$pid_starting"
check "nbpyd stops cleanly again" stop_nbpyd

[ "$fails" -eq 0 ] && echo "nbpyd_killed: all passed"
[ "$fails" -eq 0 ]
