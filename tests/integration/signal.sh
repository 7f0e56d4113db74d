#!/usr/bin/env bash
# signal.sh - kind signal.eurusd_depth against its rules computed in the
# test: a replayed capture (made by signal_check.py: synthetic EURUSD from
# depth and from tickers, OANDA quotes, a book) goes through two services of
# the kind, threshold 0.003 with units 2500 and the defaults (threshold 0, the
# original send_order's every negative spread; 1000 units), into sink.sqlite;
# signal_check.py recomputes every signal (rule, side, price, id, values)
# and the STATUS counters (a spread exactly at -threshold, the original
# publisher's placeholder t0, bad values and a book fire nothing).
set -uo pipefail

. "$NBPY_SRCDIR/tests/lib/itest.sh" signal
. "$NBPY_SRCDIR/tests/lib/counters.sh"
BASE=$(port_base 86)
CHECK=$S/tests/integration/signal_check.py

echo "signal.eurusd_depth against its rules ($T)"
$PY "$CHECK" gen "$T/in.nbpy" || { bad "generating the capture"; exit 1; }
{
	nbpyd_section
	replay_section synthetic "$T/in.nbpy" 0 $((BASE + 1))
	printf '\n[depth_signal]\nkind      = signal.eurusd_depth\nconnect   = tcp://127.0.0.1:%s\n' $((BASE + 1))
	printf 'threshold = 0.003\nunits     = 2500\nbind      = tcp://127.0.0.1:%s\n' $((BASE + 2))
	printf '\n[zero_signal]\nkind      = signal.eurusd_depth\nconnect   = tcp://127.0.0.1:%s\n' $((BASE + 1))
	printf 'bind      = tcp://127.0.0.1:%s\n' $((BASE + 3))
	for s in depth_signal zero_signal; do
		printf '\n[%s_sqlite]\nkind      = sink.sqlite\nsubscribe = %s\npath      = %s/%s.sqlite\n' \
			$s $s "$T" $s
	done
} >"$CONF"
check "the configuration is valid" "$B/nbpyd" -c "$CONF" --check
start_nbpyd
check "workers become ready" wait_for 10 all_running depth_signal zero_signal depth_signal_sqlite zero_signal_sqlite
want_depth=$($PY "$CHECK" counters 0.003) || bad "counting the expected signals"
want_zero=$($PY "$CHECK" counters 0) || bad "counting the expected signals"
rows() { sqlite3 "$T/$1.sqlite" 'SELECT count(*) FROM signals' 2>/dev/null; }
check "threshold 0.003: $want_depth" wait_for 15 counters_are depth_signal "$want_depth"
check "threshold 0: $want_zero" wait_for 5 counters_are zero_signal "$want_zero"
check "10 signals stored at threshold 0.003" wait_for 10 eval '[ "$(rows depth_signal)" = 10 ]'
check "12 signals stored at threshold 0" wait_for 10 eval '[ "$(rows zero_signal)" = 12 ]'
stop_nbpyd || bad "nbpyd exit status"
$PY "$CHECK" check "$T/depth_signal.sqlite" 0.003 2500 || fails=$((fails + 1))
$PY "$CHECK" check "$T/zero_signal.sqlite" 0 1000 || fails=$((fails + 1))
# a negative threshold or a size of 0: the worker exits 78 naming the key
bad_key() {	# bad_key KEY VALUE MESSAGE
	{
		nbpyd_section
		printf '\n[bad_signal]\nkind = signal.eurusd_depth\nconnect = tcp://127.0.0.1:%s\n' $((BASE + 1))
		printf 'bind = tcp://127.0.0.1:%s\n%s = %s\n' $((BASE + 4)) "$1" "$2"
	} >"$T/bad.conf"
	timeout 10 "$B/nbpy-worker" -c "$T/bad.conf" bad_signal >"$T/bad.out" 2>&1
	local rc=$?
	[ $rc -eq 78 ] && grep -q "bad.conf:[0-9]*: \[bad_signal\] $3" "$T/bad.out" ||
		{ echo "exit $rc: $(cat "$T/bad.out")"; return 1; }
}
check "threshold = -0.001: exits 78 saying why" bad_key threshold -0.001 "threshold: must be 0 or more"
check "units = 0: exits 78 saying why" bad_key units 0 "units: must be more than 0"
echo "signal: $fails failed"
[ $fails -eq 0 ]
