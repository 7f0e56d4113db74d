#!/usr/bin/env bash
# nbpyd.sh - the supervisor end to end: real processes, signals, the control
# socket and nbpyctl, with tests/progs/testworker playing the misbehaving
# workers.  Every wait is bounded.
set -uo pipefail

. "$NBPY_SRCDIR/tests/lib/itest.sh" nbpyd
W=$B/tests/progs/testworker
TAG=nbpyd-it-$$          # in every worker's command line, for pgrep
itest_cleanup_extra() { pkill -9 -f "$TAG" 2>/dev/null; }
# the exits it provokes: SIGKILL (w), abort() (crashy), the start timeout
# (silent), the watchdog (dog), a stop past stop_timeout (stubborn)
itest_expect_exits w crashy silent dog stubborn

history_json() { ctl --json history "$1" -n 1000; }
no_workers_left() { ! pgrep -f "$TAG" >/dev/null; }
procs_of() { pgrep -f -- "$TAG-$1\$"; }	# the pids whose command line ends in $TAG-SERVICE
exit_delays() {	# the restart delay after each exit of SERVICE, in ms, oldest first
	history_json "$1" | $PY -c '
import json, sys
e = [x for x in json.load(sys.stdin)["result"]["entries"] if x["event"] == "exit"]
print(" ".join(str(x["delay_ns"] // 1000000) for x in e))'
}
after_fatal_retry() {	# the events of SERVICE after its first fatal retry
	history_json "$1" | $PY -c '
import json, sys
e = [(x["event"], x["reason"]) for x in json.load(sys.stdin)["result"]["entries"]]
print(" ".join(x for x, _ in e[e.index(("start", "fatal retry")) + 1:]))'
}

write_conf() {
	cat >"$CONF" <<EOF
[nbpyd]
control   = ipc://$T/run/control
state_dir = $T/state
run_dir   = $T/run
backoff   = 100ms..400ms
stop_timeout = 1s
EOF
	cat >>"$CONF"
}

echo "nbpyd integration ($T)"
write_conf <<EOF
[w]
command = $W --notify --status hello $TAG
notify  = yes

[crashy]
command = $W --crash-after 50 $TAG
crash_loop_count = 100

[loop]
command = $W --exit-after 20 1 $TAG
crash_loop_count = 3
crash_loop_window = 30s

[cfgerr]
command = $W --exit-after 20 78 $TAG

[missing]
command = $T/no-such-program

[silent]
command = $W $TAG
notify  = yes
start_timeout = 500ms
crash_loop_count = 1000

[dog]
command = $W --notify --ping 50 --ping-for 600 $TAG
watchdog = 300ms
crash_loop_count = 1000

[plain]
command = $W $TAG
start_secs = 200ms

[off]
command = $W $TAG
enabled = no

[retry]
command = $W --exit-after 20 78 $TAG
fatal_retry = 300ms

[relapse]
command = $W --exit-after 20 1 $TAG
crash_loop_count = 3
crash_loop_window = 30s
fatal_retry = 500ms

[stable]
command = $W --notify --exit-after 300 1 $TAG
stable_after = 150ms
crash_loop_count = 1000
EOF
check "nbpyd --check validates the file" "$B/nbpyd" -c "$CONF" --check
start_nbpyd

# readiness, STATUS=, start_secs
check "notify worker is running after READY=1" wait_for 5 state_is w running
check "STATUS= text is shown" [ "$(field w status)" = hello ]
check "a program that never notifies runs after start_secs" wait_for 5 state_is plain running
check "a disabled service stays stopped" state_is off stopped

# restart after SIGKILL
pid=$(field w pid) && kill -9 "$pid" || bad "SIGKILL the worker of w (pid '$pid')"
check "SIGKILLed worker is replaced" wait_for 5 eval 'state_is w running && p=$(field w pid) && [ "$p" != "$pid" ]'
check "the history says how it died" eval '[[ "$(history_json w)" == *"killed by SIGKILL"* ]]'

# backoff growth: delays of successive exits of crashy grow toward the cap
sleep 1.5
delays=$(exit_delays crashy | cut -d' ' -f1-4)
check "backoff grows: $delays ms" $PY -c "
d=[int(x) for x in '$delays'.split()]
assert len(d)==4 and d[0]<=100 and d[2]>=100 and d[3]>=200 and all(x<=400 for x in d), d"

# ...and the backoff resets after stable_after of running: every delay stays
# within the first step (100 ms), however many exits
delays=$(exit_delays stable)
check "backoff resets after stable_after: $delays ms" $PY -c "
d=[int(x) for x in '$delays'.split()]
assert len(d)>=3 and all(x<=100 for x in d), d"

# crash loop -> fatal, then nbpyctl start clears it
check "a crash loop makes the service fatal" wait_for 5 state_is loop fatal
check "...with the reason" eval '[[ "$(field loop reason)" == *"crash loop: 3 exits within 30s, last exited 1"* ]]'
check "nbpyctl start of a fatal service is accepted" ctl start --no-wait loop >/dev/null
check "nbpyctl start clears fatal" eval 'state=$(field loop state) && [ "$state" != fatal ]'
check "exit 78 (EX_CONFIG) is fatal at once" wait_for 5 state_is cfgerr fatal
check "...with the reason" eval '[[ "$(field cfgerr reason)" == *"exited 78, which never restarts"* ]]'
check "fatal_retry starts a fatal service again by itself" \
	wait_for 5 eval '[[ "$(history_json retry)" == *"\"reason\":\"fatal retry\""* ]]'
# only a start asked for forgets past exits: a fatal retry of a crash loop is
# one exit away from fatal again
check "a fatal retry remembers the crash loop: fatal at its first exit" \
	wait_for 5 eval '[[ "$(after_fatal_retry relapse)" == "exit fatal"* ]]'
check "a failed exec is reported as such" eval 'wait_for 5 state_is missing fatal && [[ "$(field missing reason)" == "exec failed: No such file"* ]]'
check "start_timeout kills a worker that never becomes ready" \
	wait_for 5 eval '[[ "$(history_json silent)" == *"(start timeout)"* ]]'
check "a silent watchdog kills and restarts with reason watchdog" \
	wait_for 5 eval '[[ "$(history_json dog)" == *"(watchdog)"* ]]'

# control errors, from Python (any ZeroMQ client)
check "control: bad JSON, unknown command, unknown service" $PY - "ipc://$T/run/control" <<'PY'
import json, sys, zmq
ctx = zmq.Context()
def ask(raw):
    s = ctx.socket(zmq.REQ); s.setsockopt(zmq.RCVTIMEO, 3000); s.setsockopt(zmq.LINGER, 0)
    s.connect(sys.argv[1]); s.send(raw); r = json.loads(s.recv()); s.close(); return r
assert ask(b"not json")["error"]["code"] == "bad_request"
assert ask(b'{"v":1,"cmd":"frobnicate"}')["error"]["code"] == "unknown_command"
assert ask(b'{"v":2,"cmd":"status"}')["error"]["code"] == "bad_version"
r = ask(b'{"v":1,"id":"x7","cmd":"status","services":["nope"]}')
assert r["error"]["code"] == "unknown_service" and r["id"] == "x7"
assert ask(b'{"v":1,"cmd":"ping"}')["ok"] is True
PY

# nbpyctl exit codes
ctl status w >/dev/null; check "status of a running service exits 0" [ $? -eq 0 ]
ctl status off >/dev/null; check "status of a stopped service exits 3" [ $? -eq 3 ]
ctl status nope >/dev/null 2>&1; check "unknown service exits 4" [ $? -eq 4 ]
"$B/nbpyctl" -e "ipc://$T/nowhere" --timeout 300ms ping >/dev/null 2>&1
check "unreachable nbpyd exits 69" [ $? -eq 69 ]
ctl start >/dev/null 2>&1; check "usage error exits 1" [ $? -eq 1 ]
ctl stop w >/dev/null; check "stop waits until stopped" state_is w stopped
ctl start w >/dev/null; check "start waits until running" state_is w running
ctl restart w >/dev/null; check "restart gives a new running worker" state_is w running

# history survives an nbpyd restart
before=$(history_json w | $PY -c 'import json,sys; print(len(json.load(sys.stdin)["result"]["entries"]))')
check "SIGTERM: nbpyd exits 0" stop_nbpyd
check "...and leaves no worker" no_workers_left
start_nbpyd
after=$(history_json w | $PY -c 'import json,sys; print(len(json.load(sys.stdin)["result"]["entries"]))')
check "history persists across nbpyd restarts ($before -> $after entries)" [ "$after" -gt "$before" ]
stop_nbpyd || bad "nbpyd exit status"

# shutdown bound: a worker that ignores SIGTERM and one with grandchildren
write_conf <<EOF
[stubborn]
command = $W --notify --ignore-term $TAG
[parent]
command = $W --notify --fork 3 $TAG
EOF
start_nbpyd
check "stubborn and parent are running" wait_for 5 all_running stubborn parent
check "grandchildren exist" [ "$(pgrep -fc "$TAG")" -ge 5 ]
t0=$(date +%s%N)
check "SIGTERM shutdown exits 0" stop_nbpyd
ms=$((($(date +%s%N) - t0) / 1000000))
check "...within stop_timeout + 1 s ($ms ms)" [ "$ms" -lt 2000 ]
check "...and leaves no process, grandchildren included" wait_for 2 no_workers_left

# SIGKILL of nbpyd: no worker outlives it
write_conf <<EOF
[a]
command = $W --notify $TAG
[b]
command = $W --notify $TAG
EOF
start_nbpyd
check "a and b are running" wait_for 5 all_running a b
check "...two workers in the process table" [ "$(pgrep -fc "$TAG")" -eq 2 ]
kill -9 "$NBPYD_PID"; wait "$NBPYD_PID" 2>/dev/null; NBPYD_PID=
check "nbpyd SIGKILL leaves no worker" wait_for 3 no_workers_left

# reload: add, remove, change, keep; a broken file keeps the running config.
# Each worker's command line ends in $TAG-SERVICE, so the process table
# shows what nbpyd really started and stopped.
write_conf <<EOF
[keep]
command = $W --notify $TAG-keep
[gone]
command = $W --notify $TAG-gone
[change]
command = $W --notify $TAG-change
EOF
start_nbpyd
check "keep, gone and change are running" wait_for 5 all_running keep gone change
keep_pid=$(field keep pid) && change_pid=$(field change pid) && gone_pid=$(field gone pid) ||
	bad "pids of keep, change and gone"
check "...each pid in the process table" eval \
	'[ "$(procs_of keep)" = "$keep_pid" ] && [ "$(procs_of change)" = "$change_pid" ] && [ "$(procs_of gone)" = "$gone_pid" ]'
write_conf <<EOF
[keep]
command = $W --notify $TAG-keep
[change]
command = $W --notify --status v2 $TAG-change
[new]
command = $W --notify $TAG-new
EOF
diff=$(ctl --json reload)
check "reload reports the diff" $PY -c "
import json; r=json.loads('''$diff''')['result']
assert r=={'added':['new'],'removed':['gone'],'changed':['change'],'unchanged':['keep']}, r"
check "...starts the added service" wait_for 5 state_is new running
check "...restarts only the changed one" wait_for 5 eval \
	'v=$(field change status) && [ "$v" = v2 ] && p=$(field change pid) && [ "$p" != "$change_pid" ] && p=$(field keep pid) && [ "$p" = "$keep_pid" ]'
check "...and stops the removed one" wait_for 5 eval '! ctl status gone >/dev/null 2>&1'
check "...in the process table: gone's worker ended, change and new have theirs, keep the same" \
	wait_for 5 eval '! procs_of gone >/dev/null && ! kill -0 "$gone_pid" 2>/dev/null &&
		p=$(procs_of change) && [ "$p" != "$change_pid" ] && [ "$p" = "$(field change pid)" ] &&
		p=$(procs_of new) && [ "$p" = "$(field new pid)" ] && [ "$(procs_of keep)" = "$keep_pid" ]'
echo "[broken" >>"$CONF"
ctl reload >/dev/null 2>&1; rc=$?
check "a broken config is refused (exit 1) and the services keep running" \
	eval '[ $rc -eq 1 ] && state_is keep running && state_is new running'
# SIGHUP: a valid changed file is reloaded (the process table shows it); a
# broken one is refused with the reason logged, and the workers keep running.
change_pid=$(procs_of change) && new_pid=$(procs_of new) || bad "pids of change and new"
write_conf <<EOF
[keep]
command = $W --notify $TAG-keep
[change]
command = $W --notify --status v3 $TAG-change
[added]
command = $W --notify $TAG-added
EOF
check "SIGHUP with a valid changed file sent" kill -HUP "$NBPYD_PID"
check "...reloads it: in the process table, change has a new worker, added has one, new's ended, keep's stays" \
	wait_for 5 eval 'p=$(procs_of change) && [ "$p" != "$change_pid" ] && procs_of added >/dev/null &&
		! procs_of new >/dev/null && ! kill -0 "$new_pid" 2>/dev/null && [ "$(procs_of keep)" = "$keep_pid" ]'
check "...and in nbpyd's view" wait_for 5 eval \
	'all_running keep change added && v=$(field change status) && [ "$v" = v3 ] && ! ctl status new >/dev/null 2>&1'
change_pid=$(procs_of change) && added_pid=$(procs_of added) || bad "pids of change and added"
echo "[broken" >>"$CONF"
check "SIGHUP with a broken file sent" kill -HUP "$NBPYD_PID"
check "...is refused, the reason logged" wait_for 5 grep -q "reload: $CONF:[0-9]*: section header without" "$T/nbpyd.log"
check "...and the same workers keep running" eval \
	'all_running keep change added && [ "$(procs_of keep)" = "$keep_pid" ] &&
		[ "$(procs_of change)" = "$change_pid" ] && [ "$(procs_of added)" = "$added_pid" ]'
stop_nbpyd

# a tcp control socket: CURVE keys required, unknown clients refused
pair=$("$B/nbpyctl" keygen); SRV_PUBLIC=$(sed -n 's/^public //p' <<<"$pair"); SRV_SECRET=$(sed -n 's/^secret //p' <<<"$pair")
pair=$("$B/nbpyctl" keygen); CLI_PUBLIC=$(sed -n 's/^public //p' <<<"$pair"); CLI_SECRET=$(sed -n 's/^secret //p' <<<"$pair")
pair=$("$B/nbpyctl" keygen); BAD_PUBLIC=$(sed -n 's/^public //p' <<<"$pair"); BAD_SECRET=$(sed -n 's/^secret //p' <<<"$pair")
export SRV_PUBLIC SRV_SECRET CLI_PUBLIC	# keys reach the config through ${VAR}
PORT=$(port_base 0)
tcp_conf() {	# tcp_conf [KEY LINES]
	printf '[nbpyd]\ncontrol = tcp://127.0.0.1:%s\nstate_dir = %s/state\nrun_dir = %s/run\n%s[x]\ncommand = %s %s\n' \
		"$PORT" "$T" "$T" "${1:-}" "$W" "$TAG" >"$CONF"
}
tcp_conf
out=$("$B/nbpyd" -c "$CONF" --check 2>&1); rc=$?
check "tcp control without CURVE keys is a config error (78)" \
	eval '[ $rc -eq 78 ] && [[ "$out" == *"a tcp control socket needs control_curve_secret"* ]]'
tcp_conf 'control_curve_secret = ${SRV_SECRET}
control_curve_public = ${SRV_PUBLIC}
control_curve_clients = ${CLI_PUBLIC}
'
"$B/nbpyd" -c "$CONF" >>"$T/nbpyd.log" 2>&1 &
NBPYD_PID=$!
check "a known CURVE client is served over tcp" wait_for 5 env NBPYCTL_CURVE_PUBLIC="$CLI_PUBLIC" \
	NBPYCTL_CURVE_SECRET="$CLI_SECRET" "$B/nbpyctl" -c "$CONF" --timeout 1s ping
NBPYCTL_CURVE_PUBLIC=$BAD_PUBLIC NBPYCTL_CURVE_SECRET=$BAD_SECRET "$B/nbpyctl" -c "$CONF" --timeout 1s ping >/dev/null 2>&1
check "an unknown CURVE client is refused (69)" [ $? -eq 69 ]
"$B/nbpyctl" -c "$CONF" ping >/dev/null 2>&1
check "nbpyctl without a client key pair says so (1)" [ $? -eq 1 ]
stop_nbpyd || bad "nbpyd exit status"

# systemd's side: READY=1 once the control socket is up, STATUS=, WATCHDOG=1
# every WATCHDOG_USEC/2, STOPPING=1 on SIGTERM (a Python socket plays systemd)
write_conf <<EOF
[a]
command = $W --notify $TAG
EOF
check "sd_notify to systemd: READY, STATUS, WATCHDOG, STOPPING" $PY - "$B/nbpyd" "$CONF" "$T/systemd.sock" <<'PY'
import os, signal, socket, subprocess, sys, time
nbpyd, conf, path = sys.argv[1:4]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind(path); s.settimeout(0.2)
env = dict(os.environ, NOTIFY_SOCKET=path, WATCHDOG_USEC="200000")
p = subprocess.Popen([nbpyd, "-c", conf], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
got = []
def drain(until):
    while time.time() < until:
        try:
            got.extend(s.recv(4096).decode().split("\n"))
        except socket.timeout:
            if p.poll() is not None and until - time.time() > 0.3:
                until = time.time() + 0.3
drain(time.time() + 1.5)
p.send_signal(signal.SIGTERM)
drain(time.time() + 3)
p.wait(5)
ready = "READY=1" in got
status = any(l.startswith("STATUS=") and "running" in l for l in got)
dogs = got.count("WATCHDOG=1")
stopping = "STOPPING=1" in got
print(f"       READY={ready} STATUS={status} WATCHDOG x{dogs} STOPPING={stopping} exit={p.returncode}")
sys.exit(0 if ready and status and dogs >= 5 and stopping and p.returncode == 0 else 1)
PY
check "...and no worker left" wait_for 3 no_workers_left

# 40 services at once
{ for i in $(seq 1 40); do printf '[s%02d]\ncommand = %s --notify %s\n' "$i" "$W" "$TAG"; done; } | write_conf
start_nbpyd
check "40 services all running" wait_for 10 eval '[ "$(ctl --json status | $PY -c "import json,sys; print(sum(s[\"state\"]==\"running\" for s in json.load(sys.stdin)[\"result\"][\"services\"]))")" = 40 ]'
check "40 services: shutdown exits 0" stop_nbpyd
check "...no process left" wait_for 3 no_workers_left

echo "nbpyd integration: $fails failed"
[ $fails -eq 0 ]
