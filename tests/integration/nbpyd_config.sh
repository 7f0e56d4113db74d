#!/usr/bin/env bash
# nbpyd_config.sh - `nbpyd --check`, nbpyd's start and `nbpyctl reload` find
# the same problems in a config, with the same FILE:LINE messages: --check
# and start exit 78, a reload is refused with bad_config and changes nothing
# (same services, same pids).  Also: the worker program defaults to the one
# beside nbpyd, never a PATH search.
set -uo pipefail

. "$NBPY_SRCDIR/tests/lib/itest.sh" nbpyd_config
W=$B/tests/progs/testworker
TAG=nbpyd-config-it-$$		# in every worker's command line, for pkill
itest_cleanup_extra() { pkill -9 -f "$TAG" 2>/dev/null; }
PORT=$(port_base 53)

header() {	# [nbpyd] without a worker key: exec services need none
	printf '[nbpyd]\ncontrol   = ipc://%s/control\nstate_dir = %s/state\nrun_dir   = %s/run\n' "$T" "$T" "$T"
}
service() {	# service NAME [LINES]
	printf '[%s]\ncommand = %s --notify %s\nnotify  = yes\n%s' "$1" "$W" "$TAG" "${2:+$2
}"
}
good_conf() {
	{ header; service keep; service other; } >"$CONF"
}
# bad_conf WHERE LINES: a config that, were any of it applied, would show in
# status ([other] changed so restarted, [extra] added), with LINES in WHERE:
# nbpyd, other, or bad (a new section).
bad_conf() {
	{
		header
		[ "$1" = nbpyd ] && printf '%s\n' "$2"
		service keep
		service other "description = changed"
		[ "$1" = other ] && printf '%s\n' "$2"
		service extra
		[ "$1" = bad ] && printf '[bad]\n%s\n' "$2"
	} >"$CONF"
}
line_of() { grep -n -m1 -- "$1" "$CONF" | cut -d: -f1; }	# line_of REGEX
verdict() {	# verdict WHAT DETAIL COMMAND...: check, saying DETAIL on failure
	local what=$1 detail=$2
	shift 2
	if "$@"; then ok "$what"; else bad "$what"; echo "       $detail"; fi
}

# Each case: WHERE, LINES, a regex for the offending line, the message.
CASES=(
	"bad|command =|^command =\$|[bad] command: empty"
	"bad|command = /bin/echo 'abc|^command = /bin/echo 'abc\$|[bad] command: unterminated quote"
	"other|user = nbpy-no-such-user|^user = |[other] user: no user 'nbpy-no-such-user'"
	"nbpyd|control_group = nbpy-no-such-group|^control_group = |[nbpyd] control_group: no group 'nbpy-no-such-group'"
	"other|working_dir = $T/no-such-dir|^working_dir = |[other] working_dir: $T/no-such-dir: No such file or directory"
	"nbpyd|worker = $T/no-such-worker
[sink]
kind = sink.file
connect = tcp://127.0.0.1:$PORT
path = $T/capture|^worker = |[nbpyd] worker: '$T/no-such-worker': No such file or directory"
	# a kind's own keys and the schemas it reads, which nbpyd knows from the
	# generated kind table, without the kinds' code
	"bad|kind = kraken.trades
bind = tcp://127.0.0.1:$((PORT + 1))
interval = often|^interval = often|[bad] interval: bad duration 'often': expected a number and a unit (ns, us, ms, s, m, h, d), e.g. 250ms or 1m30s"
	"bad|kind = synth.eurusd
bind = tcp://127.0.0.1:$((PORT + 1))
subscribe = kraken_depth|^subscribe = kraken_depth|[bad] subscribe: kraken_depth publishes book_top, which kind synth.eurusd does not read"
)
declare -A CHECK_OUT	# case number -> what --check printed

echo "nbpyd config checks ($T)"
for i in "${!CASES[@]}"; do
	IFS='|' read -r -d '' where lines regex msg <<<"${CASES[$i]}"
	msg=${msg%$'\n'}
	bad_conf "$where" "$lines"
	want="$CONF:$(line_of "$regex"): $msg"
	out=$("$B/nbpyd" -c "$CONF" --check 2>&1); rc=$?
	CHECK_OUT[$i]=$out
	verdict "--check: $msg: exit 78 and FILE:LINE" "got exit $rc: $out" \
		eval '[ $rc -eq 78 ] && [ "$out" = "$want" ]'
	# start: the same text, exit 78, nothing started (bounded: a start that
	# wrongly succeeds is stopped by timeout and fails the check)
	out=$(timeout 10 "$B/nbpyd" -c "$CONF" 2>&1); rc=$?
	verdict "start:   $msg: exit 78, the same text" "got exit $rc: $out" \
		eval '[ $rc -eq 78 ] && [ "$out" = "${CHECK_OUT[$i]}" ]'
done
pkill -9 -f "$TAG" 2>/dev/null	# workers of a start that should not have happened

# reload: nbpyd runs the good config; each bad one is refused as a whole
raw_reload() {	# the error of a reload, "CODE: MESSAGE", asked without nbpyctl
	$PY - "ipc://$T/control" <<'PY'
import sys, zmq
s = zmq.Context().socket(zmq.REQ)
s.setsockopt(zmq.RCVTIMEO, 5000)
s.setsockopt(zmq.LINGER, 0)
s.connect(sys.argv[1])
s.send_json({"v": 1, "id": 1, "cmd": "reload"})
e = s.recv_json().get("error", {})
print("%s: %s" % (e.get("code"), e.get("message")))
PY
}
pids() {	# "name=pid ..." of every service, sorted
	ctl --json status | $PY -c '
import json, sys
print(" ".join(sorted("%s=%s" % (s["name"], s["pid"]) for s in json.load(sys.stdin)["result"]["services"])))'
}
good_conf
start_nbpyd
check "the good config runs" wait_for 10 all_running keep other
before=$(pids)
check "...two services with pids: $before" eval '[[ "$before" =~ ^keep=[1-9][0-9]*\ other=[1-9][0-9]*$ ]]'
for i in "${!CASES[@]}"; do
	IFS='|' read -r -d '' where lines regex msg <<<"${CASES[$i]}"
	msg=${msg%$'\n'}
	bad_conf "$where" "$lines"
	err=$(ctl reload 2>&1 >/dev/null); rc=$?
	reply=$(raw_reload)
	n=$(wc -l <<<"${CHECK_OUT[$i]}")
	verdict "reload:  $msg: refused (exit 1, bad_config) with --check's text" "got exit $rc: $err; reply $reply" \
		eval '[ $rc -eq 1 ] && [ "$(head -n "$n" <<<"$err")" = "${CHECK_OUT[$i]}" ] &&
		[ "$reply" = "bad_config: ${CHECK_OUT[$i]}" ]'
	after=$(pids)
	check "...nothing changed: $after" [ "$after" = "$before" ]
done
# the same changes in a valid file are applied: the checks above can fail
bad_conf other ""
ctl reload >/dev/null
check "a valid reload applies them (the test can see a change)" \
	eval 'wait_for 10 all_running keep other extra && [ "$(pids)" != "$before" ]'
stop_nbpyd || bad "nbpyd exit status"
pkill -9 -f "$TAG" 2>/dev/null

# The worker default: nbpy-worker beside nbpyd, as under a prefix such as
# /opt/nbpy that is not on PATH.
mkdir -p "$T/opt/bin" "$T/lone"
cp "$B/nbpyd" "$B/nbpy-worker" "$T/opt/bin/"
cp "$B/nbpyd" "$T/lone/"
{ header; printf '[sink]\nkind = sink.file\nconnect = tcp://127.0.0.1:%s\npath = %s/capture\n' "$PORT" "$T"; } >"$CONF"
env PATH=/usr/bin:/bin "$T/opt/bin/nbpyd" -c "$CONF" >>"$T/nbpyd.log" 2>&1 &
NBPYD_PID=$!
wait_for 5 ctl ping >/dev/null 2>&1 || bad "nbpyd in $T/opt/bin did not answer"
wait_for 10 state_is sink running; running=$?
verdict "a kind runs with the worker beside nbpyd, off PATH" "$(ctl status sink 2>&1 | tail -n 1)" [ $running -eq 0 ]
stop_nbpyd || bad "nbpyd exit status"
# ...and without one beside it, the configured bindir (read from the build's
# Makefile), or a config error naming both places
bindir=$(make -s -C "$B" -f Makefile -f <(printf 'print-bindir:\n\t@echo $(bindir)\n') print-bindir)
[[ "$bindir" == /* ]] || bad "bindir from $B/Makefile: '$bindir'"
out=$(env PATH=/usr/bin:/bin "$T/lone/nbpyd" -c "$CONF" --check 2>&1); rc=$?
if [ -x "$bindir/nbpy-worker" ]; then
	check "no worker beside nbpyd: $bindir/nbpy-worker is used" [ $rc -eq 0 ]
else
	verdict "no worker beside nbpyd nor in $bindir: exit 78, says where it looked" "got exit $rc: $out" \
		eval '[ $rc -eq 78 ] && [ "$out" = "$CONF: [nbpyd] worker: no nbpy-worker beside nbpyd (in $T/lone) and default $bindir/nbpy-worker: No such file or directory; set worker = PROGRAM" ]'
fi
# a config of exec services only needs no worker at all
{ header; service keep; } >"$CONF"
check "exec services only: no worker needed" eval 'env PATH=/usr/bin:/bin "$T/lone/nbpyd" -c "$CONF" --check >/dev/null'

# `user =` needs privilege (CAP_SETUID, CAP_SETGID, CAP_CHOWN, CAP_KILL): an
# unprivileged nbpyd, as the default unit runs it, refuses it at --check
# rather than failing at spawn; as root the same file is fine.
U=$T/unpriv
mkdir -p "$U" && cp "$B/nbpyd" "$U/" && chmod 755 "$T" "$U"
{ printf '[nbpyd]\ncontrol   = ipc://%s/control\nstate_dir = %s/state\nrun_dir   = %s/run\n' "$U" "$U" "$U"
  printf '[as_root]\ncommand = /bin/true\nuser    = root\n'; } >"$U/nbpy.conf"
chmod 644 "$U/nbpy.conf"
want="$U/nbpy.conf:7: [as_root] user: switching to 'root' needs nbpyd to run as root, or with CAP_SETUID, CAP_SETGID, CAP_CHOWN and CAP_KILL (it runs as uid 65534: see nbpyd.service's drop-in in docs/operations.md)"
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$U/nbpyd" -c "$U/nbpy.conf" --check 2>&1); rc=$?
verdict "user = without the privilege to switch: exit 78, says why" "got exit $rc: $out" \
	eval '[ $rc -eq 78 ] && [ "$out" = "$want" ]'
if [ "$(id -u)" = 0 ]; then
	check "...and as root the same file passes" eval '"$U/nbpyd" -c "$U/nbpy.conf" --check >/dev/null'
fi

echo "nbpyd config: $fails failed"
[ $fails -eq 0 ]
