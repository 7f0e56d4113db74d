#!/usr/bin/env bash
# trader.sh - kind trader in paper mode against values computed
# independently in trader_check.py (its own netting, from next-capabilities
# 3.2 and docs/trading.md): two captures of signals and OANDA quotes are
# replayed into five traders (strategies depth and tick with slippage and
# fees; four with one small risk limit each, one of them past 00:00 UTC) and
# a SQLite store; every
# order, fill and position stored is checked, and the STATUS text of each
# limit.  Also: flatten_on_stop, the token never in a log, the status or the
# state, configuration errors (live without live_confirm) and a damaged
# state file exit 78 naming the line or the file.
set -uo pipefail

. "$NBPY_SRCDIR/tests/lib/itest.sh" trader
. "$NBPY_SRCDIR/tests/lib/counters.sh"
BASE=$(port_base 151)
CHECK=$S/tests/integration/trader_check.py
TOKEN=tok-$$-s3cr3t-never-shown

echo "trader, paper mode, against values computed in the test ($T)"
$PY "$CHECK" gen main "$T/main.nbpy" && $PY "$CHECK" gen limits "$T/limits.nbpy" &&
	$PY "$CHECK" gen nextday "$T/nextday.nbpy" ||
	{ bad "generating the captures"; exit 1; }
# trader NAME REPLAY_PORT PORT KEY=VALUE...
trader() {
	printf '\n[%s]\nkind = trader\nconnect = tcp://127.0.0.1:%s\nbind = tcp://127.0.0.1:%s\n' "$1" "$2" "$3"
	shift 3
	printf '%s\n' "$@"
}
{
	nbpyd_section
	for r in main:1 limits:2 nextday:11; do
		printf '\n[replay_%s]\nkind = replay\npath = %s/%s.nbpy\nspeed = 0\nstart_delay = 2s\n' \
			"${r%:*}" "$T" "${r%:*}"
		printf 'bind = tcp://127.0.0.1:%s\nrestart = never\n' $((BASE + ${r#*:}))
	done
	trader tr_depth $((BASE + 1)) $((BASE + 3)) "slippage_bps = 2" "fee_bps = 1" \
		"max_orders_per_minute = 1000" "max_daily_loss = 1000000000" "token = $TOKEN"
	trader tr_tick $((BASE + 1)) $((BASE + 4)) "strategy = tick" "slippage_bps = 2" "fee_bps = 1" \
		"max_orders_per_minute = 1000" "max_daily_loss = 1000000000" "flatten_on_stop = yes"
	trader tr_pos $((BASE + 2)) $((BASE + 5)) "max_position = 2000" "max_orders_per_minute = 1000" \
		"max_daily_loss = 1000000000"
	trader tr_rate $((BASE + 2)) $((BASE + 6)) "max_position = 1000000000" "max_orders_per_minute = 3" \
		"max_daily_loss = 1000000000"
	trader tr_loss $((BASE + 2)) $((BASE + 7)) "max_position = 1000000000" "max_orders_per_minute = 1000" \
		"max_daily_loss = 5"
	trader tr_day $((BASE + 11)) $((BASE + 12)) "max_position = 1000000000" "max_orders_per_minute = 1000" \
		"max_daily_loss = 5"
	printf '\n[tr_sqlite]\nkind = sink.sqlite\nsubscribe = tr_depth, tr_tick, tr_pos, tr_rate, tr_loss, tr_day\n'
	printf 'path = %s/trader.sqlite\n' "$T"
} >"$CONF"
check "the configuration is valid" "$B/nbpyd" -c "$CONF" --check
start_nbpyd
check "workers become ready" wait_for 10 all_running tr_depth tr_tick tr_pos tr_rate tr_loss tr_day tr_sqlite
rows() {	# rows stored by the traders
	$PY "$CHECK" stored "$T/trader.sqlite"
}
limit_rows=$(($($PY "$CHECK" rows limits tr_pos tr_rate tr_loss) + $($PY "$CHECK" rows nextday tr_day)))
want=$(($($PY "$CHECK" rows-running main tr_depth tr_tick) + limit_rows))
check "$want orders, fills and positions stored" wait_for 20 eval '[ "$(rows)" = "$want" ]'
for svc in tr_depth:main tr_tick:main tr_pos:limits tr_rate:limits tr_loss:limits tr_day:nextday; do
	text=$($PY "$CHECK" status "${svc#*:}" "${svc%:*}")
	check "${svc%:*} STATUS says: $text" counters_are "${svc%:*}" "$text"
done
check "tr_depth counted the signal before any quote" counters_are tr_depth "no_quote 1,"
check "tr_tick counted the signal before any quote" counters_are tr_tick "no_quote 1,"

# flatten_on_stop: tr_tick closes both crosses at the last quotes
check "nbpyctl stop tr_tick" eval "ctl stop tr_tick >/dev/null"
want=$(($($PY "$CHECK" rows main tr_depth tr_tick) + limit_rows))
check "the closing orders stored too ($want rows)" wait_for 10 eval '[ "$(rows)" = "$want" ]'
check "no token in nbpyctl status" eval '! ctl --json status | grep -q "$TOKEN"'
stop_nbpyd || bad "nbpyd exit status"
$PY "$CHECK" check main "$T/trader.sqlite" tr_depth tr_tick || fails=$((fails + 1))
$PY "$CHECK" check limits "$T/trader.sqlite" tr_pos tr_rate tr_loss || fails=$((fails + 1))
$PY "$CHECK" check nextday "$T/trader.sqlite" tr_day || fails=$((fails + 1))
check "the positions survive in the state file" grep -q '"EUR_USD"' "$T/state/trader/tr_depth.json"
check "no token in the logs or the state" eval '! grep -r -l -- "$TOKEN" "$T" --exclude=nbpy.conf'

# configuration errors: exit 78 with FILE:LINE, the token not in them
{
	nbpyd_section
	trader tr_live $((BASE + 1)) $((BASE + 8)) "mode = live" "account = 101-004-1234567-001" "token = $TOKEN"
	trader tr_ccy $((BASE + 1)) $((BASE + 9)) "account_currency = usd"
	trader tr_bad $((BASE + 1)) $((BASE + 10))
} >"$T/bad.conf"
for c in "tr_live:bad.conf:[0-9]*: \[tr_live\] live_confirm: mode = live" \
	"tr_ccy:bad.conf:[0-9]*: \[tr_ccy\] account_currency: 'usd' is not"; do
	out=$(timeout 10 "$B/nbpy-worker" -c "$T/bad.conf" "${c%%:*}" 2>&1)
	rc=$?
	check "${c%%:*} exits 78 ($rc)" [ $rc -eq 78 ]
	check "${c%%:*} says where and why" grep -q "${c#*:}" <<<"$out"
	check "${c%%:*} does not show the token" eval '! grep -q -- "$TOKEN" <<<"$out"'
done
mkdir -p "$T/state/trader" && printf '{"last_signal_id": 12, "positions": {' >"$T/state/trader/tr_bad.json"
out=$(timeout 10 "$B/nbpy-worker" -c "$T/bad.conf" tr_bad 2>&1)
rc=$?
check "a damaged state file exits 78 ($rc)" [ $rc -eq 78 ]
check "...naming the file" grep -q "trader state $T/state/trader/tr_bad.json: not JSON" <<<"$out"
check "...and left as it was" grep -q '^{"last_signal_id": 12, "positions": {$' "$T/state/trader/tr_bad.json"
echo "trader: $fails failed"
[ $fails -eq 0 ]
