#!/usr/bin/env bash
# bench/supervisor.sh - nbpyd against supervisord 4.2.5, side by side, on the
# same 40 test programs: restart latency after SIGKILL, status round trip,
# and idle RSS / CPU / wakeups.  Prints a table.  Not a test.
#
#   bench/supervisor.sh BUILD_DIR      (needs: apt-get install supervisor python3-zmq)
set -euo pipefail
B=$(cd "${1:?usage: bench/supervisor.sh BUILD_DIR}" && pwd)
W=$B/tests/progs/testworker
N=40 ROUNDS=20 CALLS=1000 IDLE=10
T=$(mktemp -d /tmp/nbpy-bench.XXXXXX)
PY=/usr/bin/python3
pids=()
cleanup() { for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; sleep 1; rm -rf "$T"; }
trap cleanup EXIT

# ---- the same programs under both ----
{
	printf '[nbpyd]\ncontrol = ipc://%s/control\nstate_dir = %s/state\nrun_dir = %s/run\n' "$T" "$T" "$T"
	printf 'backoff = 1ms..1ms\n'	# the delay "plus" which replacement is measured
	for i in $(seq -w 1 $N); do
		printf '[s%s]\ncommand = %s --stamp %s/nbpyd-s%s\nstart_secs = 0\ncrash_loop_count = 1000\n' \
			"$i" "$W" "$T" "$i"
	done
} >"$T/nbpy.conf"
{
	printf '[supervisord]\nnodaemon=true\nlogfile=%s/supervisord.log\npidfile=%s/supervisord.pid\nchildlogdir=%s\n' "$T" "$T" "$T"
	printf '[unix_http_server]\nfile=%s/supervisor.sock\n' "$T"
	printf '[rpcinterface:supervisor]\nsupervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n'
	printf '[supervisorctl]\nserverurl=unix://%s/supervisor.sock\n' "$T"
	for i in $(seq -w 1 $N); do
		printf '[program:s%s]\ncommand=%s --stamp %s/sup-s%s\nautorestart=true\nstartsecs=0\n' \
			"$i" "$W" "$T" "$i"
	done
} >"$T/supervisord.conf"

"$B/nbpyd" -c "$T/nbpy.conf" >"$T/nbpyd.log" 2>&1 &
pids+=($!); NBPYD=$!
supervisord -c "$T/supervisord.conf" >/dev/null 2>&1 &
pids+=($!); SUPD=$!
sleep 3

nbpyd_pid_of() { "$B/nbpyctl" -e "ipc://$T/control" --json status "$1" | $PY -c 'import json,sys; print(json.load(sys.stdin)["result"]["services"][0]["pid"])'; }
sup_pid_of() { supervisorctl -c "$T/supervisord.conf" pid "$1"; }

# restart latency: SIGKILL -> the replacement's own start stamp, timed in one
# process so no fork of `date` or `kill` sits inside the measurement
latency() {	# latency PREFIX PIDFN -> µs values
	local i pid
	for i in $(seq 1 $ROUNDS); do
		pid=$($2 s01)
		$PY - "$pid" "$T/$1-s01" <<'PY'
import os, sys, time
pid, stamp = int(sys.argv[1]), sys.argv[2]
before = open(stamp).read()
t0 = time.time_ns()
os.kill(pid, 9)
for _ in range(200000):
    try:
        now = open(stamp).read()
    except FileNotFoundError:
        now = before
    if now != before and now.endswith("\n"):
        print((int(now) - t0) // 1000)
        break
    time.sleep(0.0001)
PY
		sleep 0.2
	done | tr '\n' ' '
}
lat_n=$(latency nbpyd nbpyd_pid_of)
lat_s=$(latency sup sup_pid_of)
# status round trip from Python, p50/p99 in µs
rt=$($PY - "$T" $CALLS <<'PY'
import json, socket, sys, time, xmlrpc.client, http.client, zmq
T, n = sys.argv[1], int(sys.argv[2])
ctx = zmq.Context(); s = ctx.socket(zmq.REQ); s.connect(f"ipc://{T}/control")
def pct(v): v.sort(); return v[len(v)//2], v[int(len(v)*0.99)]
a = []
for i in range(n):
    t = time.perf_counter_ns(); s.send(b'{"v":1,"cmd":"status"}'); s.recv(); a.append((time.perf_counter_ns()-t)/1000)
class UConn(http.client.HTTPConnection):
    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX); self.sock.connect(f"{T}/supervisor.sock")
class UTrans(xmlrpc.client.Transport):
    def make_connection(self, host): return UConn("localhost")
p = xmlrpc.client.ServerProxy("http://localhost", transport=UTrans())
b = []
for i in range(n):
    t = time.perf_counter_ns(); p.supervisor.getAllProcessInfo(); b.append((time.perf_counter_ns()-t)/1000)
print(*pct(a), *pct(b))
PY
)

# idle: RSS, CPU and wakeups (context switches) over IDLE seconds
idle() {	# idle PID -> rss_kib cpu_ms switches anon_kib
	local pid=$1 c0 c1 s0 s1 hz
	hz=$(getconf CLK_TCK)
	read -r c0 < <(awk '{print $14+$15}' "/proc/$pid/stat")
	s0=$(awk '/ctxt_switches/{s+=$2} END{print s}' "/proc/$pid/status")
	sleep $IDLE
	read -r c1 < <(awk '{print $14+$15}' "/proc/$pid/stat")
	s1=$(awk '/ctxt_switches/{s+=$2} END{print s}' "/proc/$pid/status")
	echo "$(awk '/VmRSS/{print $2}' "/proc/$pid/status") $(( (c1 - c0) * 1000 / hz )) $((s1 - s0))" \
		"$(awk '/RssAnon/{print $2}' "/proc/$pid/status")"
}
idle_n=$(idle $NBPYD)
idle_s=$(idle $SUPD)

$PY - "$lat_n" "$lat_s" "$rt" "$idle_n" "$idle_s" $N $IDLE <<'PY'
import sys
ln = sorted(int(x) for x in sys.argv[1].split()); ls = sorted(int(x) for x in sys.argv[2].split())
rt = [float(x) for x in sys.argv[3].split()]
inn = [int(x) for x in sys.argv[4].split()]; ins = [int(x) for x in sys.argv[5].split()]
n, idle = sys.argv[6], sys.argv[7]
med = lambda v: v[len(v)//2]
print(f"bench/supervisor.sh: {n} services, the same program under both\n")
print(f"{'metric':44} {'nbpyd':>12} {'supervisord':>12} {'ratio':>8}")
rows = [
  ("restart after SIGKILL, median (us)", med(ln), med(ls)),
  ("restart after SIGKILL, max (us)", ln[-1], ls[-1]),
  ("status round trip p50 (us)", rt[0], rt[2]),
  ("status round trip p99 (us)", rt[1], rt[3]),
  ("idle RSS, total (KiB)", inn[0], ins[0]),
  ("idle RSS, private: RssAnon (KiB)", inn[3], ins[3]),
  (f"idle CPU over {idle} s (ms)", inn[1], ins[1]),
  (f"idle wakeups over {idle} s (context switches)", inn[2], ins[2]),
]
for name, a, b in rows:
    r = f"{a/b:.3f}" if b else "-"
    print(f"{name:44} {a:>12.0f} {b:>12.0f} {r:>8}")
PY
