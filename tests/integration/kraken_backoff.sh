#!/usr/bin/env bash
# kraken_backoff.sh - the Kraken workers' backoff, seen from the fake Kraken:
# each kind fails eight times in a row (HTTP 503, a connection reset,
# EAPI:Rate limit exceeded, EService:Unavailable, EService:Busy) and the gaps
# between its requests must follow the documented schedule (docs/services.md:
# 1 s doubling to 60 s, each wait drawn from half to all of its step) up to
# and at the cap; then the fake recovers and publishing resumes.  Kraken's
# rate-limit and service errors are counted in `errors`, logged, back off and
# publish nothing (their answers carry a poisoned "result"); a success resets
# the backoff.  About 1.5 to 3 minutes: the cap is 60 s.
set -uo pipefail

. "$NBPY_SRCDIR/tests/lib/itest.sh" backoff
BASE=$(port_base 2311)

echo "kraken backoff ($T)"
start_fake_kraken "$BASE"
# one request of a worker is one request at the fake: no libcurl retry of a
# reset on a reused connection
curl -fs -o /dev/null "$FAKE/_mode?close=1" || bad "the fake's close mode"
cat >"$CONF" <<CONF
$(nbpyd_section)

[rl]
kind     = kraken.ticker
url      = $FAKE
pairs    = XXBTZUSD
interval = 100ms
bind     = tcp://127.0.0.1:$((BASE + 1))

[tick]
kind     = kraken.ticker
url      = $FAKE
pairs    = XETHZEUR
interval = 200ms
bind     = tcp://127.0.0.1:$((BASE + 2))

[depth]
kind     = kraken.depth
url      = $FAKE
pairs    = XXBTZEUR
count    = 2
interval = 200ms
bind     = tcp://127.0.0.1:$((BASE + 3))

[trades]
kind     = kraken.trades
url      = $FAKE
pairs    = XETHZUSD
interval = 200ms
bind     = tcp://127.0.0.1:$((BASE + 4))
CONF
start_nbpyd
check "workers become ready" wait_for 10 all_running rl tick depth trades
counter_of() {	# counter_of SERVICE NAME: a counter from its STATUS; fails if absent
	local status n
	status=$(field "$1" status) || return 1
	n=$(sed -n "s/.*$2 \([0-9][0-9]*\).*/\1/p" <<<"$status")
	[ -n "$n" ] || { echo "no '$2 N' in the STATUS of $1: $status" >&2; return 1; }
	echo "$n"
}
published_all() {
	local s p
	for s in rl tick depth trades; do
		p=$(counter_of "$s" published) && [ "$p" -gt 0 ] || return 1
	done
}
check "every worker publishes before the failures" wait_for 10 published_all
for s in rl tick depth trades; do
	e=$(counter_of "$s" errors) && [ "$e" = 0 ] || bad "$s: errors ${e:-?} before the failures, want 0"
done

f8() { printf '%s,' "$@" | sed 's/,$//'; }
check "backoff schedule at the fake: growth, cap, reset, recovery, nothing poisoned published" \
	$PY "$S/tests/integration/kraken_backoff_check.py" "$FAKE" 240 \
	--sub rl=tcp://127.0.0.1:$((BASE + 1)) --sub tick=tcp://127.0.0.1:$((BASE + 2)) \
	--sub depth=tcp://127.0.0.1:$((BASE + 3)) --sub trades=tcp://127.0.0.1:$((BASE + 4)) \
	"rl Ticker XXBTZUSD rate_limit,unavailable,busy,ok,busy" \
	"tick Ticker XETHZEUR $(f8 http503 http503 http503 http503 http503 http503 http503 http503)" \
	"depth Depth XXBTZEUR $(f8 reset reset reset reset reset reset reset reset)" \
	"trades Trades XETHZUSD $(f8 unavailable rate_limit busy http503 reset unavailable rate_limit busy)"

# each failure is one error, nothing else is; STATUS is refreshed every second
for pair in rl:4 tick:8 depth:8 trades:8; do
	s=${pair%:*} want=${pair#*:}
	check "$s: errors $want, one per failure" wait_for 5 eval '[ "$(counter_of '"$s"' errors)" = '"$want"' ]'
done
for line in 'rl: Ticker: Kraken: EAPI:Rate limit exceeded' 'rl: Ticker: Kraken: EService:Unavailable' \
	'rl: Ticker: Kraken: EService:Busy' 'tick: Ticker: HTTP 503' 'depth: Depth XXBTZEUR: no response: ' \
	'trades: Trades XETHZUSD: Kraken: EService:Busy' 'trades: Trades XETHZUSD: HTTP 503'; do
	check "logged: $line" grep -qF "$line" "$T/nbpyd.log"
done
check "every worker still runs" all_running rl tick depth trades

itest_finish	# stops nbpyd, checks its exit status and every worker's exit
echo "kraken backoff: $fails failed"
[ $fails -eq 0 ]
