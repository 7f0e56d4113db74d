#!/usr/bin/env bash
# kraken_books.sh - kraken_depth, kraken_EURUSD_depth and kraken_orders under
# nbpyd against the fake Kraken: books as served, the depth synthetic by hand,
# and trades without duplicate or gap, across a worker restart too.
set -uo pipefail

B=$NBPY_BUILD
S=$NBPY_SRCDIR
PY=/usr/bin/python3
T=$(mktemp -d /tmp/nbpy-books.XXXXXX)
BASE=$((30000 + ($$ + 7) % 20000))
FAKE=http://127.0.0.1:$BASE
CONF=$T/nbpy.conf
fails=0
NBPYD_PID= FAKE_PID=

cleanup() {
	[ -n "$NBPYD_PID" ] && kill -TERM "$NBPYD_PID" 2>/dev/null && wait "$NBPYD_PID" 2>/dev/null
	[ $fails -gt 0 ] && grep -v 'info [a-zA-Z_]*: \(start\|ready\) pid' "$T/nbpyd.log" | tail -n 60
	[ -n "$FAKE_PID" ] && kill "$FAKE_PID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
ok() { echo "  ok   $*"; }
bad() { echo "  FAIL $*"; fails=$((fails + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
ctl() { "$B/nbpyctl" -c "$CONF" --timeout 10s "$@"; }
field() { ctl --json status "$1" | $PY -c "import json,sys; print(json.load(sys.stdin)['result']['services'][0]['$2'])"; }
wait_for() { local d=$((SECONDS + $1)); shift; until "$@"; do [ $SECONDS -ge $d ] && return 1; sleep 0.05; done; }

echo "kraken books and trades ($T)"
$PY "$S/tests/fakes/fake_kraken.py" "$BASE" &
FAKE_PID=$!
wait_for 5 curl -fs -o /dev/null "$FAKE/_stats" || { bad "fake Kraken did not start"; exit 1; }
cat >"$CONF" <<CONF
[nbpyd]
control   = ipc://$T/control
state_dir = $T/state
run_dir   = $T/run
worker    = $B/nbpy-worker
backoff   = 100ms..1s

[kraken_depth]
kind     = kraken.depth
url      = $FAKE
pairs    = XXBTZUSD, XXBTZEUR, XETHZUSD, XETHZEUR
count    = 3
interval = 200ms
bind     = tcp://127.0.0.1:$((BASE + 1))

[kraken_EURUSD_depth]
kind      = synth.eurusd_depth
subscribe = kraken_depth
legs      = XBT:XXBTZUSD:XXBTZEUR, ETH:XETHZUSD:XETHZEUR
band_low  = 1.0
band_high = 1.3
bind      = tcp://127.0.0.1:$((BASE + 2))

[kraken_orders]
kind     = kraken.trades
url      = $FAKE
pairs    = XXBTZUSD, XETHZEUR
interval = 200ms
bind     = tcp://127.0.0.1:$((BASE + 3))
CONF
"$B/nbpyd" -c "$CONF" >"$T/nbpyd.log" 2>&1 &
NBPYD_PID=$!
check "workers become ready" wait_for 10 eval \
	'[ "$(field kraken_depth state)" = running ] && [ "$(field kraken_EURUSD_depth state)" = running ] && [ "$(field kraken_orders state)" = running ]'
run_check() {
	$PY "$S/tests/integration/kraken_books_check.py" "$FAKE" "tcp://127.0.0.1:$((BASE + 1))" \
		"tcp://127.0.0.1:$((BASE + 2))" "tcp://127.0.0.1:$((BASE + 3))" "$1" "$T/ids"
}
check "books, depth synthetic and trades as served" run_check 3

# the trades cursor survives a restart: the first request of the new worker
# goes on from the cursor the old one saved, and nothing repeats
cursor=$(cat "$T/state/cursors/kraken_orders/XXBTZUSD" | cut -d' ' -f1)
ctl restart kraken_orders >/dev/null
check "kraken_orders restarted" wait_for 10 eval '[ "$(field kraken_orders state)" = running ]'
check "after the restart, trades resume from the saved cursor" wait_for 5 eval \
	'curl -fs "$FAKE/_stats" | $PY -c "import json,sys; s=json.load(sys.stdin)[\"since\"]; sys.exit(0 if [\"XXBTZUSD\", \"$cursor\"] in s else 1)"'
check "books and trades again after the restart" run_check 2
check "no trade published twice across the restart" eval '[ -z "$(sort "$T/ids" | uniq -d)" ]'
check "no unknown pair: only the configured ones" eval '[ "$(cut -d" " -f1 "$T/ids" | sort -u | tr "\n" " ")" = "XETHZEUR XXBTZUSD " ]'

echo "kraken books and trades: $fails failed"
[ $fails -eq 0 ]
