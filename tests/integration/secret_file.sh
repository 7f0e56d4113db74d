#!/usr/bin/env bash
# secret_file.sh - secrets from KEY_file (systemd credentials): `nbpyd --check`
# accepts password_file and token_file under ${CREDENTIALS_DIRECTORY}, a sink
# sends what the files hold (the fake write endpoint's Authorization headers),
# a missing file and KEY with KEY_file are FILE:LINE errors naming the path;
# neither secret appears in --check output, any log line or nbpyctl status.
set -uo pipefail

. "$NBPY_SRCDIR/tests/lib/itest.sh" secret_file
BASE=$(port_base 67)
PW='pw-Xq7Rk2vN9sWz'
TOK='tok-Jh3Lp8Wd5fQm'
LP_PID=
itest_cleanup_extra() { [ -n "$LP_PID" ] && kill "$LP_PID" 2>/dev/null; }

echo "secrets from KEY_file ($T)"
mkdir -p "$T/creds" && chmod 700 "$T/creds"
printf '%s\n' "$PW" >"$T/creds/kap-password"
printf '%s' "$TOK" >"$T/creds/influx-token"
export CREDENTIALS_DIRECTORY=$T/creds	# as systemd's LoadCredential= sets it
$PY "$S/tests/integration/sink_data.py" gen "$T/few.cap" 300
$PY "$S/tests/fakes/fake_lineproto.py" $((BASE + 1)) &
LP_PID=$!
FAKE=http://127.0.0.1:$((BASE + 1))
wait_for 5 curl -fs -o /dev/null "$FAKE/_requests" || { bad "fake write endpoint did not start"; exit 1; }

sinks() {	# sinks PASSWORD_LINE: the [kap] and [influx2] sections
	cat <<CONF
[kap]
kind           = sink.kapacitor
subscribe      = few
url            = $FAKE
db             = tick
rp             = autogen
username       = kap
$1
batch_size     = 100
flush_interval = 200ms

[influx2]
kind           = sink.influxdb
subscribe      = few
api            = v2
url            = $FAKE
org            = nbpy
bucket         = md
token_file     = \${CREDENTIALS_DIRECTORY}/influx-token
batch_size     = 100
flush_interval = 200ms
CONF
}
conf() {	# conf PASSWORD_LINE
	{ nbpyd_section; echo "log_level = debug"; echo; replay_section few "$T/few.cap" 0 "$BASE"; echo; sinks "$1"; } >"$CONF"
}
no_secret() {	# no_secret WHAT FILE
	if grep -qF -e "$PW" -e "$TOK" "$2"; then bad "$1 shows a secret: $(grep -F -e "$PW" -e "$TOK" "$2" | head -3)"
	else ok "$1 shows no secret"; fi
}

# Errors first: a missing file, and password with password_file (line 24:
# 5 [nbpyd] lines, log_level, blank, 8 of the replay, blank, 7 of [kap]).
conf 'password_file  = ${CREDENTIALS_DIRECTORY}/missing'
"$B/nbpyd" -c "$CONF" --check >"$T/check1.out" 2>&1
rc=$?
check "--check with a missing password_file exits 78 (got $rc)" test $rc = 78
check "the message names FILE:LINE and the path ($(cat "$T/check1.out"))" \
	grep -qxF "$CONF:24: [kap] password_file: cannot open $T/creds/missing: No such file or directory" "$T/check1.out"
conf "password       = $PW
password_file  = \${CREDENTIALS_DIRECTORY}/kap-password"
"$B/nbpyd" -c "$CONF" --check >"$T/check2.out" 2>&1
rc=$?
check "--check with password and password_file exits 78 (got $rc)" test $rc = 78
check "the message names both and the lines ($(cat "$T/check2.out"))" \
	grep -qxF "$CONF:25: [kap] password and password_file both given (the other at line 24)" "$T/check2.out"
cat "$T/check1.out" "$T/check2.out" >"$T/check-errors.out"
no_secret "--check's errors" "$T/check-errors.out"

# The good config: --check passes, the sinks send the files' content.
conf 'password_file  = ${CREDENTIALS_DIRECTORY}/kap-password'
"$B/nbpyd" -c "$CONF" --check >"$T/check.out" 2>&1
rc=$?
check "--check with password_file and token_file exits 0 (got $rc: $(head -3 "$T/check.out"))" test $rc = 0
start_nbpyd
wait_for 10 sh -c "'$B/nbpyctl' -c '$CONF' status kap | grep -q 'written 300,'" &&
	ok "kap wrote 300 points" || bad "kap status: $(ctl status kap 2>&1)"
wait_for 10 sh -c "'$B/nbpyctl' -c '$CONF' status influx2 | grep -q 'written 300,'" &&
	ok "influx2 wrote 300 points" || bad "influx2 status: $(ctl status influx2 2>&1)"
curl -fsS "$FAKE/_requests" >"$T/requests.json" || bad "fake's requests"
AUTH="Basic $(printf 'kap:%s' "$PW" | base64)"
$PY - "$T/requests.json" "$AUTH" "Token $TOK" <<'PY' && ok "Authorization headers carry the files' content" || bad "headers"
import json, sys
reqs = json.load(open(sys.argv[1]))
kap = [r for r in reqs if r["path"] == "/kapacitor/v1/write"]
v2 = [r for r in reqs if r["path"] == "/api/v2/write"]
assert kap and v2, [r["path"] for r in reqs]
for r in kap:
    assert r["headers"]["authorization"] == sys.argv[2], r["headers"]
for r in v2:
    assert r["headers"]["authorization"] == sys.argv[3], r["headers"]
PY
ctl status >"$T/status.out" 2>&1
ctl --json status >>"$T/status.out" 2>&1
ctl status kap >>"$T/status.out" 2>&1
ctl --json status influx2 >>"$T/status.out" 2>&1
check "nbpyctl status answered" grep -q '"influx2"' "$T/status.out"
no_secret "nbpyctl status" "$T/status.out"
ctl reload >"$T/reload.out" 2>&1 || bad "reload: $(cat "$T/reload.out")"
no_secret "nbpyctl reload" "$T/reload.out"
no_secret "--check" "$T/check.out"
stop_nbpyd || bad "nbpyd exit status"
check "nbpyd's log has the sinks' lines" grep -q "kap: written 300" "$T/nbpyd.log"
no_secret "nbpyd's log (workers' included)" "$T/nbpyd.log"
[ "$fails" = 0 ]
