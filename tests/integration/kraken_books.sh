#!/usr/bin/env bash
# kraken_books.sh - kraken_depth, kraken_EURUSD_depth and kraken_orders under
# nbpyd against the fake Kraken: books as served, the depth synthetic by hand,
# and trades without duplicate or gap, across a worker restart too.
set -uo pipefail

. "$NBPY_SRCDIR/tests/lib/itest.sh" books
BASE=$(port_base 7)

echo "kraken books and trades ($T)"
start_fake_kraken "$BASE"
cat >"$CONF" <<CONF
$(nbpyd_section)
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

# configuration problems a kind finds itself: exit 78 with FILE:LINE, at
# once (a worker that runs instead is stopped after 5 s: rc 124)
worker_refuses() {	# worker_refuses SERVICE MESSAGE, with $T/bad.conf
	local out rc
	out=$(timeout -s TERM 5 "$B/nbpy-worker" -c "$T/bad.conf" "$1" 2>&1)
	rc=$?
	[ $rc -eq 78 ] && [[ "$out" == *"$2"* ]] || { echo "       rc $rc: $(head -c 600 <<<"$out")"; return 1; }
}
cat >"$T/bad.conf" <<CONF
[nbpyd]
state_dir = $T/state
[syn]
kind      = synth.eurusd
subscribe = kraken_tick
bind      = tcp://127.0.0.1:$((BASE + 9))
legs      = XBT-XXBTZUSD-XXBTZEUR
[dep]
kind = kraken.depth
url  = $FAKE
bind = tcp://127.0.0.1:$((BASE + 10))
[trd]
kind = kraken.trades
url  = $FAKE
bind = tcp://127.0.0.1:$((BASE + 11))
CONF
check "a bad leg is a configuration error" worker_refuses syn \
	"bad.conf:7: [syn] legs: bad item 'XBT-XXBTZUSD-XXBTZEUR': expected COIN:USD_PAIR:EUR_PAIR"
check "kraken.depth needs listed pairs" worker_refuses dep "kraken.depth fetches one pair per request"
check "kraken.trades needs listed pairs" worker_refuses trd "kraken.trades pages one pair per request"
# what the fake was asked, against the pairs configured (the refused
# services above would have asked for pair=all)
asked_pairs() {	# asked_pairs ENDPOINT: the pairs its requests named, sorted, on one line
	curl -fs "$FAKE/_stats" | $PY -c 'import json, sys
log = json.load(sys.stdin)["log"]
print(" ".join(sorted({e[1] for e in log if e[0] == sys.argv[1]})))' "$1"
}
check "the fake was asked for Depth of the configured pairs only ($(asked_pairs Depth))" \
	[ "$(asked_pairs Depth)" = "XETHZEUR XETHZUSD XXBTZEUR XXBTZUSD" ]
check "the fake was asked for Trades of the configured pairs only ($(asked_pairs Trades))" \
	[ "$(asked_pairs Trades)" = "XETHZEUR XXBTZUSD" ]
check "an unknown service is a configuration error" worker_refuses nope "has no service [nope]"
{	# one endpoint per continuation line
	printf '[many]\nkind = sink.file\npath = %s/many.nbpy\nconnect = tcp://127.0.0.1:20000,\n' "$T"
	seq -f "  tcp://127.0.0.1:%g," 20001 20047
	echo "  tcp://127.0.0.1:20048"
} >>"$T/bad.conf"
check "more subscriptions than a worker polls is a configuration error" \
	worker_refuses many "[many] 49 subscriptions, at most 48"

itest_finish	# stops nbpyd, checks its exit status and every worker's exit
echo "kraken books and trades: $fails failed"
[ $fails -eq 0 ]
