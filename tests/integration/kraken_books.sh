#!/usr/bin/env bash
# kraken_books.sh - kraken_depth, kraken_EURUSD_depth and kraken_orders under
# nbpyd against the fake Kraken: books as served, the depth synthetic by hand,
# and trades without duplicate or gap, across a worker restart too.
set -uo pipefail

. "$NBPY_SRCDIR/tests/lib/itest.sh" books
BASE=$((30000 + ($$ + 7) % 20000))

echo "kraken books and trades ($T)"
start_fake_kraken "$BASE"
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
start_nbpyd
check "workers become ready" wait_for 10 all_running kraken_depth kraken_EURUSD_depth kraken_orders
run_check() {
	$PY "$S/tests/integration/kraken_books_check.py" "$FAKE" "tcp://127.0.0.1:$((BASE + 1))" \
		"tcp://127.0.0.1:$((BASE + 2))" "tcp://127.0.0.1:$((BASE + 3))" "$1" "$T/ids"
}
check "books, depth synthetic and trades as served" run_check 3

# the trades cursor survives a restart: the first request of the new worker
# goes on from the cursor the old one saved, and nothing repeats
cursor=$(cat "$T/state/cursors/kraken_orders/XXBTZUSD" | cut -d' ' -f1)
ctl restart kraken_orders >/dev/null
check "kraken_orders restarted" wait_for 10 state_is kraken_orders running
check "after the restart, trades resume from the saved cursor" wait_for 5 eval \
	'curl -fs "$FAKE/_stats" | $PY -c "import json,sys; s=json.load(sys.stdin)[\"since\"]; sys.exit(0 if [\"XXBTZUSD\", \"$cursor\"] in s else 1)"'
check "books and trades again after the restart" run_check 2
check "no trade published twice across the restart" eval '[ -z "$(sort "$T/ids" | uniq -d)" ]'
check "no unknown pair: only the configured ones" eval '[ "$(cut -d" " -f1 "$T/ids" | sort -u | tr "\n" " ")" = "XETHZEUR XXBTZUSD " ]'

echo "kraken books and trades: $fails failed"
[ $fails -eq 0 ]
