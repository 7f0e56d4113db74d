#!/usr/bin/env bash
# trading_chain.sh - the whole trading chain, one process per stage as in
# production: a replayed feed of Kraken books and OANDA EUR_USD quotes ->
# synth.eurusd_depth -> signal.eurusd_depth -> trader (paper, depth strategy)
# -> sink.sqlite.  trading_chain_check.py computes the chain again from the
# same inputs (the synthetic rate, every signal, every order and fill, the
# final position and its PnL) and compares each row.  The feed is paced at
# 250 ms a record, so each signal reaches the trader before the next quote.
set -uo pipefail

. "$NBPY_SRCDIR/tests/lib/itest.sh" trading_chain
. "$NBPY_SRCDIR/tests/lib/counters.sh"
BASE=$(port_base 91)
CHECK=$S/tests/integration/trading_chain_check.py
FEED=tcp://127.0.0.1:$((BASE + 1))

echo "trading chain: books -> synthetic EURUSD -> signals -> paper trader ($T)"
$PY "$CHECK" gen "$T/feed.nbpy" || { bad "generating the feed"; exit 1; }
want=$($PY "$CHECK" expect) || { bad "computing the expected counters"; exit 1; }
{
	nbpyd_section
	printf '\n[feed]\nkind        = replay\npath        = %s/feed.nbpy\nspeed       = 1\n' "$T"
	printf 'start_delay = 3s\nbind        = %s\ntopic       = kr_depth\nrestart     = never\n' "$FEED"
	printf '\n[kraken_EURUSD_depth]\nkind      = synth.eurusd_depth\nsubscribe = feed\n'
	printf 'bind      = tcp://127.0.0.1:%s\n' $((BASE + 2))
	printf '\n[kraken_EURUSD_depth_signal]\nkind      = signal.eurusd_depth\n'
	printf 'subscribe = kraken_EURUSD_depth\nconnect   = %s\ntopics    = EUR_USD\n' "$FEED"
	printf 'threshold = 0.003\nunits     = 1000\nbind      = tcp://127.0.0.1:%s\n' $((BASE + 3))
	printf '\n[oanda_kraken_EURUSD_depth_position_order]\nkind                  = trader\n'
	printf 'mode                  = paper\nstrategy              = depth\nunits                 = 1000\n'
	printf 'slippage_bps          = 1\nfee_bps               = 0.5\nmax_position          = 2000\n'
	printf 'max_orders_per_minute = 1000\nmax_daily_loss        = 1000000\n'
	printf 'subscribe             = kraken_EURUSD_depth_signal\nconnect               = %s\n' "$FEED"
	printf 'topics                = EUR_USD\nbind                  = tcp://127.0.0.1:%s\n' $((BASE + 4))
	printf '\n[signals_sqlite]\nkind      = sink.sqlite\nsubscribe = kraken_EURUSD_depth_signal\n'
	printf 'path      = %s/signals.sqlite\n' "$T"
	printf '\n[trader_sqlite]\nkind      = sink.sqlite\nsubscribe = oanda_kraken_EURUSD_depth_position_order\n'
	printf 'path      = %s/trader.sqlite\n' "$T"
} >"$CONF"
check "the configuration is valid" "$B/nbpyd" -c "$CONF" --check
start_nbpyd
check "workers become ready" wait_for 10 all_running kraken_EURUSD_depth kraken_EURUSD_depth_signal \
	oanda_kraken_EURUSD_depth_position_order signals_sqlite trader_sqlite
# the feed lasts 10 s after its 3 s start delay
TRADER=oanda_kraken_EURUSD_depth_position_order
set -- $want
n_orders=$4
check "the trader handled the feed" wait_for 30 eval '[ "$(counter_of $TRADER orders)" = "$n_orders" ]'
while [ $# -ge 2 ]; do
	n=$(counter_of $TRADER "$1")
	[ "$n" = "$2" ] && ok "$1 $2" || bad "$1: want $2, have ${n:-none}"
	shift 2
done
orders() { sqlite3 "$T/trader.sqlite" 'SELECT count(*) FROM trade_orders' 2>/dev/null; }
check "$n_orders orders stored" wait_for 10 eval '[ "$(orders)" = "$n_orders" ]'
# the feed's last quote marks the open position (at most a second later)
records=$($PY "$CHECK" records) || bad "counting the feed's records"
check "the feed has sent its $records records" wait_for 10 eval '[ "$(counter_of feed published)" = "$records" ]'
sleep 1.5
stop_nbpyd || bad "nbpyd exit status"
$PY "$CHECK" check "$T/signals.sqlite" "$T/trader.sqlite" || fails=$((fails + 1))
echo "trading_chain: $fails failed"
[ $fails -eq 0 ]
