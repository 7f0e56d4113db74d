#!/usr/bin/env bash
# quickstart_config.sh - the shipped etc/nbpy.conf, localised as
# scripts/quickstart does and pointed at the fake Kraken: the default enabled
# set runs without credentials or servers, and the README's sqlite3 query
# reads ticks and synthetic EURUSD from STATE_DIR/nbpy.sqlite.  (The fake's
# prices make a EURUSD of ~1.09, under the default band of 1.1..1.3.)
set -uo pipefail

. "$NBPY_SRCDIR/tests/lib/itest.sh" quickstart
BASE=$(port_base 37)

echo "quickstart configuration ($T)"
start_fake_kraken "$BASE"
sed -e "s|^state_dir .*|state_dir    = $T/state|" \
    -e "s|^control .*|control      = ipc://$T/control|" \
    -e "s|^url      = https://api.kraken.com|url      = $FAKE|" \
    -e "/^state_dir/a run_dir      = $T/run\nworker       = $B/nbpy-worker" \
    -e "/^\[kraken_EURUSD\]$/a band_low  = 1.0" \
    "$S/etc/nbpy.conf" >"$CONF"
check "etc/nbpy.conf is valid" "$B/nbpyd" -c "$CONF" --check
start_nbpyd
wait_for 10 all_running kraken_tick kraken_EURUSD kraken_sqlite || bad "default services running: $(ctl status)"
DB=$T/state/nbpy.sqlite
rows() { sqlite3 "$DB" "SELECT count(*) FROM $1"; }	# prints a count only when the query worked
wait_for 15 eval 'n=$(rows synthetic 2>/dev/null) && [ "$n" -gt 0 ]' || bad "no synthetic row within 15 s"
n=$(rows kraken_tick) && [ "$n" -ge 4 ] && ok "kraken_tick rows in SQLite: $n" || bad "kraken_tick rows: ${n:-no count}"
n=$(rows synthetic) && [ "$n" -ge 1 ] && ok "synthetic EURUSD rows in SQLite: $n" || bad "synthetic rows: ${n:-no count}"
# the README's query
got=$(sqlite3 "$DB" "SELECT instrument, bid_price, ask_price FROM kraken_tick
	WHERE instrument = 'XXBTZEUR' ORDER BY event_time DESC LIMIT 1")
[ "$got" = "XXBTZEUR|27700.0|27700.2" ] && ok "README query: $got" || bad "README query gave '$got'"
stop_nbpyd || bad "nbpyd exit status"
[ "$fails" = 0 ]
