#!/usr/bin/env bash
# basket.sh - kind basket (kraken_EURUSD_basket) against the originals'
# formulas as docs/trading.md fixes them: a replayed capture of S4 messages
# written by hand in basket_check.py (both spread conditions with EUR- and
# USD-quoted legs, the pairs the originals crashed on, mis-named or gave a
# stale cross, DEPTH-only and bad messages) goes through the kind into
# sink.sqlite, and basket_check.py recomputes every DEPTH, SNAPSHOT and
# BASKET row: cross names from its own table, implied prices from the
# formulas, sides as written by hand for each message.
set -uo pipefail

. "$NBPY_SRCDIR/tests/lib/itest.sh" basket
. "$NBPY_SRCDIR/tests/lib/counters.sh"
BASE=$(port_base 87)
CHECK=$S/tests/integration/basket_check.py

echo "basket against the originals' formulas, fixed ($T)"
$PY "$CHECK" gen "$T/in.nbpy" || { bad "generating the messages"; exit 1; }
want_counters=$($PY "$CHECK" counters) || { bad "the expected counters"; exit 1; }
want_rows=$($PY -c "import sys; sys.path.insert(0, '${CHECK%/*}'); import basket_check as b; print(len(b.expected()))") ||
	{ bad "the expected rows"; exit 1; }
{
	nbpyd_section
	printf '\n[kraken_EURUSD_depth]\nkind        = replay\npath        = %s/in.nbpy\nspeed       = 0\n' "$T"
	printf 'start_delay = 2s\nbind        = tcp://127.0.0.1:%s\ntopic       = kr_eurusd_depth\nrestart     = never\n' \
		$((BASE + 1))
	printf '\n[kraken_EURUSD_basket]\nkind      = basket\nsubscribe = kraken_EURUSD_depth\n'
	printf 'bind      = tcp://127.0.0.1:%s\n' $((BASE + 2))
	printf '\n[kraken_EURUSD_basket_sqlite]\nkind      = sink.sqlite\nsubscribe = kraken_EURUSD_basket\n'
	printf 'path      = %s/basket.sqlite\n' "$T"
} >"$CONF"
check "the configuration is valid" "$B/nbpyd" -c "$CONF" --check
start_nbpyd
check "workers become ready" wait_for 10 all_running kraken_EURUSD_basket kraken_EURUSD_basket_sqlite
rows() { sqlite3 "$T/basket.sqlite" 'SELECT count(*) FROM basket' 2>/dev/null; }
check "$want_rows basket rows stored" wait_for 20 eval '[ "$(rows)" = "$want_rows" ]'
# 20 messages: 4 bad ones skipped, 5 with a negative spread but a leg without a cross
check "the counters: $want_counters" wait_for 10 counters_are kraken_EURUSD_basket "$want_counters"
stop_nbpyd || bad "nbpyd exit status"
# each bad message named in the log with what is wrong with it
for why in "seq 17: bid_t1 = 0: not > 0" "seq 18: instrument_t1: empty" \
	"seq 19: ask_volume_t1 = -1: negative" "seq 20: ask_t0 = -5: not > 0"; do
	check "logged: $why" grep -q "kraken_EURUSD_basket: eurusd_depth from kraken_EURUSD_depth, $why; skipped" "$T/nbpyd.log"
done
$PY "$CHECK" check "$T/basket.sqlite" || fails=$((fails + 1))
echo "basket: $fails failed"
[ $fails -eq 0 ]
