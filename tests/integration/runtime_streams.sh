#!/usr/bin/env bash
# runtime_streams.sh - the worker runtime's event loop, held messages
# (worker_hold), HTTP requests and long-lived streams (workers/runtime_stream.c), driven by tests/progs/streamtest
# against tests/fakes/fake_stream.py: records cut across reads and several in
# one read, over-long records, the idle watchdog (kept quiet by keep-alives,
# firing on a silent server), reconnects after the
# server ends the stream, a record cut by it discarded and counted, backoff
# growth between attempts, 401 and 403 retried after their own delay, a raw line
# connection over TCP and TLS (a throwaway self-signed certificate), closing
# a stream from its own callback, and a POST with body and headers.  Each
# case is checked by runtime_streams_check.py against the fake's log.
set -uo pipefail

. "$NBPY_SRCDIR/tests/lib/itest.sh" streams
BASE=$(port_base 3131)
ST=$B/tests/progs/streamtest
FAKE_PIDS=()
itest_cleanup_extra() { for p in "${FAKE_PIDS[@]}"; do kill "$p" 2>/dev/null; done; }

echo "runtime streams ($T)"
if ! openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" -out "$T/cert.pem" -days 1 \
	-subj /CN=localhost -addext subjectAltName=IP:127.0.0.1,DNS:localhost >/dev/null 2>&1; then
	bad "openssl could not make a test certificate"
	exit 1
fi

check "fd and timer events (streamtest --events)" "$ST" --events
check "held messages leave at worker_release, in order (streamtest --hold)" "$ST" --hold

n=0
# run CASE MODE TLS STREAMTEST-ARGS... (the URL's port is $PORT)
run() {
	local case=$1 mode=$2 tls=$3 scheme=http
	shift 3
	PORT=$((BASE + n))
	n=$((n + 1))
	local tlsargs=()
	[ "$tls" = tls ] && tlsargs=("$T/cert.pem" "$T/key.pem") && scheme=https
	$PY "$S/tests/fakes/fake_stream.py" "$PORT" "$mode" "$T/$case.log" "${tlsargs[@]}" &
	FAKE_PIDS+=($!)
	if ! wait_for 5 grep -q listening "$T/$case.log" 2>/dev/null; then
		bad "$case: the fake did not start"
		return
	fi
	local args=()
	for a in "$@"; do args+=("${a//URL/$scheme://127.0.0.1:$PORT}"); done
	timeout 30 "$ST" "${args[@]}" >"$T/$case.out" 2>&1 || bad "$case: streamtest exit status $?"
	kill "${FAKE_PIDS[-1]}" 2>/dev/null
	$PY "$S/tests/integration/runtime_streams_check.py" "$case" "$T/$case.out" "$T/$case.log" ||
		{ fails=$((fails + 1)); sed 's/^/    /' "$T/$case.out" | head -30; }
}

run records records plain --for-ms 1000 URL/stream
run records_tls records tls --cainfo "$T/cert.pem" --for-ms 1000 URL/stream
run overlong overlong plain --max 100 --backoff-ms 100 200 --for-ms 1200 URL/stream
run heartbeat heartbeat plain --idle-ms 300 --for-ms 1000 URL/stream
run idle idle plain --idle-ms 300 --backoff-ms 100 200 --for-ms 1200 URL/stream
run close close plain --backoff-ms 100 200 --for-ms 1000 URL/stream
run backoff fail plain --backoff-ms 100 2000 --for-ms 2500 URL/stream
run refused refused plain --refused-ms 300 --backoff-ms 50 100 --for-ms 1000 URL/stream
run cut cut plain --backoff-ms 100 200 --for-ms 1000 URL/stream
run raw raw_echo plain --raw --send '{"op":"auth"}' --send '{"op":"sub"}' --backoff-ms 100 200 --for-ms 1200 URL
run raw_tls raw_echo tls --raw --cainfo "$T/cert.pem" --send '{"op":"auth"}' --send '{"op":"sub"}' \
	--backoff-ms 100 200 --for-ms 1200 URL
run tls_unknown_ca raw_echo tls --raw --backoff-ms 100 200 --for-ms 400 URL
run close_in_callback records plain --close-after 3 --for-ms 800 URL/stream
run post post plain --header "Content-Type: text/plain" --header "X-Test: yes" --post "a=1 b=2" URL/write

echo "runtime streams: $fails failed"
[ "$fails" -eq 0 ]
