# tests/lib/itest.sh - what the integration scripts share: checks, bounded
# waits, nbpyd and nbpyctl helpers, the fake Kraken, and cleanup on exit.
#
#   . "$NBPY_SRCDIR/tests/lib/itest.sh" NAME
#
# Sets B (build dir), S (source dir), PY, T (a fresh temp dir), CONF, fails.
# Scripts take their ports from 20000-24999 (port_base): below the kernel's
# ephemeral range (32768-60999), so no outgoing connection can be sitting on
# them, and below the test servers (scripts/lib/servers.sh).
# A script may define itest_cleanup_extra() to undo more on exit.

B=$NBPY_BUILD
S=$NBPY_SRCDIR
PY=/usr/bin/python3	# Debian's, where python3-zmq and python3-msgpack live
T=$(mktemp -d "/tmp/nbpy-$1.XXXXXX")
CONF=$T/nbpy.conf
fails=0
NBPYD_PID=
FAKE_PID=

# Worker exits that count as abnormal: a signal other than the stop signals
# (systemd's clean ones), a core dump, or the sanitizers' exit code (86, set
# by scripts/test in ASAN_OPTIONS/UBSAN_OPTIONS).  A script that provokes
# them declares the services: itest_expect_exits SERVICE...
ITEST_EXPECTED_EXITS=" "
itest_expect_exits() { ITEST_EXPECTED_EXITS+="$* "; }
ITEST_FINISHED=

# port_base K: the first of a script's ports (it uses up to BASE + 19), from
# its pid and K.  scripts/test gives scripts that run at the same time
# disjoint ranges through NBPY_PORT_LO and NBPY_PORT_SPAN.
port_base() { echo $((${NBPY_PORT_LO:-20000} + ($$ + $1) % ${NBPY_PORT_SPAN:-4900})); }

# The end of every script (run by the EXIT trap too, once): stop nbpyd if it
# still runs and fail unless it exits 0; fail on any abnormal worker exit not
# declared, and on any sanitizer report in nbpyd's or a worker's output.
itest_finish() {
	local log line svc
	local -A first=() count=()
	[ -n "$ITEST_FINISHED" ] && return 0
	ITEST_FINISHED=1
	if [ -n "$NBPYD_PID" ]; then
		stop_nbpyd || bad "nbpyd exit status $? at the end of the script"
	fi
	for log in "$T"/*.log; do
		[ -f "$log" ] || continue
		while IFS= read -r line; do
			svc=${line%%: exit pid *}
			svc=${svc##* }
			case "$ITEST_EXPECTED_EXITS" in *" $svc "*) continue ;; esac
			case "$line" in
			*"(core dumped)"* | *": exited 86" | *": exited 86 "*) ;;
			*": killed by SIGTERM"* | *": killed by SIGINT"* | *": killed by SIGHUP"* | *": killed by SIGPIPE"*) continue ;;
			*": killed by "*) ;;
			*) continue ;;
			esac
			[ -n "${first[$svc]:-}" ] || first[$svc]="${log##*/}: $line"
			count[$svc]=$((${count[$svc]:-0} + 1))
		done < <(grep -E ': exit pid [0-9]+: ' "$log")
		if grep -q 'ERROR: [A-Za-z]*Sanitizer\|runtime error:' "$log"; then
			bad "sanitizer report in ${log##*/}:"
			grep -m 5 'ERROR: [A-Za-z]*Sanitizer\|runtime error:' "$log"
		fi
	done
	for svc in "${!first[@]}"; do
		bad "$svc: ${count[$svc]} abnormal exit(s) the script did not expect, first in ${first[$svc]}"
	done
}

itest_cleanup() {
	local rc=$? before=$fails
	itest_finish
	[ -n "$NBPYD_PID" ] && kill -TERM "$NBPYD_PID" 2>/dev/null && wait "$NBPYD_PID" 2>/dev/null
	if [ "$fails" -gt 0 ] && [ -f "$T/nbpyd.log" ]; then
		grep -v 'info [a-zA-Z_]*: \(start\|ready\) pid' "$T/nbpyd.log" | tail -n 60
	fi
	[ -n "$FAKE_PID" ] && kill "$FAKE_PID" 2>/dev/null
	declare -F itest_cleanup_extra >/dev/null && itest_cleanup_extra
	rm -rf "$T"
	# what the end-of-script checks found fails a script that passed
	[ "$rc" -eq 0 ] && [ "$fails" -gt "$before" ] && rc=1
	exit "$rc"
}
trap itest_cleanup EXIT

ok() { echo "  ok   $*"; }
bad() { echo "  FAIL $*"; fails=$((fails + 1)); }
check() {	# check WHAT COMMAND...
	local what=$1
	shift
	if "$@"; then ok "$what"; else bad "$what"; fi
}
wait_for() {	# wait_for SECONDS COMMAND... : poll until it succeeds
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		[ $SECONDS -ge $deadline ] && return 1
		sleep 0.05
	done
}

# The [nbpyd] section every test configuration starts with: everything under
# $T, and the worker binary of the build under test.
nbpyd_section() {
	printf '[nbpyd]\ncontrol   = ipc://%s/control\nstate_dir = %s/state\nrun_dir   = %s/run\nworker    = %s/nbpy-worker\n' \
		"$T" "$T" "$T" "$B"
}
# replay_section NAME CAPTURE SPEED PORT: a replay of a capture on loopback
replay_section() {
	printf '[%s]\nkind        = replay\npath        = %s\nspeed       = %s\nstart_delay = 2s\n' "$1" "$2" "$3"
	printf 'bind        = tcp://127.0.0.1:%s\ntopic       = kr_eurusd_tick\nrestart     = never\n' "$4"
}

ctl() { "$B/nbpyctl" -c "$CONF" --timeout 10s "$@"; }
field() {	# field SERVICE KEY: from `nbpyctl --json status`; a failed read
	# (nbpyd not answering, no such service or key) fails, saying why on stderr
	local json rc
	json=$(ctl --json status "$1" 2>&1)
	rc=$?	# 3: the service is not running, still a good answer
	if [ $rc -ne 0 ] && [ $rc -ne 3 ]; then
		echo "field $1 $2: nbpyctl status exited $rc: $json" >&2
		return 1
	fi
	$PY -c '
import json, sys
name, key = sys.argv[1:3]
try:
    s = [x for x in json.loads(sys.stdin.read())["result"]["services"] if x["name"] == name]
    v = s[0][key]
except (ValueError, KeyError, IndexError, TypeError) as e:
    sys.exit("field %s %s: not in the answer (%r)" % (name, key, e))
if v is None:
    sys.exit("field %s %s: null" % (name, key))
print(v)' "$1" "$2" <<<"$json"
}
state_is() {	# state_is SERVICE STATE: fails when the state cannot be read
	local state
	state=$(field "$1" state) && [ "$state" = "$2" ]
}
all_running() {	# all_running SERVICE...
	local s
	for s in "$@"; do state_is "$s" running || return 1; done
}

start_nbpyd() {
	"$B/nbpyd" -c "$CONF" >>"$T/nbpyd.log" 2>&1 &
	NBPYD_PID=$!
	wait_for 5 ctl ping >/dev/null 2>&1 || { bad "nbpyd did not answer"; cat "$T/nbpyd.log"; exit 1; }
}
stop_nbpyd() {	# SIGTERM; returns nbpyd's exit status
	local rc
	kill -TERM "$NBPYD_PID"
	wait "$NBPYD_PID"
	rc=$?
	NBPYD_PID=
	return $rc
}

start_fake_kraken() {	# start_fake_kraken PORT: sets FAKE to its base URL
	FAKE=http://127.0.0.1:$1
	$PY "$S/tests/fakes/fake_kraken.py" "$1" &
	FAKE_PID=$!
	wait_for 5 curl -fs -o /dev/null "$FAKE/_stats" || { bad "fake Kraken did not start"; exit 1; }
}
