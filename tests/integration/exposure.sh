#!/usr/bin/env bash
# exposure.sh - kind exposure (kraken_depth_exposure) against the original's
# formulas: a replayed capture of books (made by exposure_check.py: pairs the
# original crashed on or split wrongly, next to the ones it handled, and books
# with an empty side) goes through the kind into sink.sqlite, and
# exposure_check.py recomputes every row - base and term from its own table,
# top of book, base amount = volume, term amount = volume * price.
set -uo pipefail

. "$NBPY_SRCDIR/tests/lib/itest.sh" exposure
. "$NBPY_SRCDIR/tests/lib/counters.sh"
BASE=$(port_base 83)
CHECK=$S/tests/integration/exposure_check.py

echo "exposure against the original's formulas ($T)"
$PY "$CHECK" gen "$T/in.nbpy" || { bad "generating the books"; exit 1; }
{
	nbpyd_section
	printf '\n[kraken_depth]\nkind        = replay\npath        = %s/in.nbpy\nspeed       = 0\n' "$T"
	printf 'start_delay = 2s\nbind        = tcp://127.0.0.1:%s\ntopic       = kr_depth\nrestart     = never\n' \
		$((BASE + 1))
	printf '\n[kraken_depth_exposure]\nkind      = exposure\nsubscribe = kraken_depth\n'
	printf 'bind      = tcp://127.0.0.1:%s\n' $((BASE + 2))
	printf '\n[kraken_depth_exposure_sqlite]\nkind      = sink.sqlite\nsubscribe = kraken_depth_exposure\n'
	printf 'path      = %s/exposure.sqlite\n' "$T"
} >"$CONF"
check "the configuration is valid" "$B/nbpyd" -c "$CONF" --check
start_nbpyd
check "workers become ready" wait_for 10 all_running kraken_depth_exposure kraken_depth_exposure_sqlite
rows() { sqlite3 "$T/exposure.sqlite" 'SELECT count(*) FROM exposure' 2>/dev/null; }
check "33 exposure rows stored" wait_for 20 eval '[ "$(rows)" = 33 ]'
# 35 books were sent, one without bids and one without asks: counted, not stored
check "the two one-sided books counted" wait_for 10 counters_are kraken_depth_exposure "books 35, one_sided 2"
stop_nbpyd || bad "nbpyd exit status"
$PY "$CHECK" check "$T/exposure.sqlite" || fails=$((fails + 1))
echo "exposure: $fails failed"
[ $fails -eq 0 ]
