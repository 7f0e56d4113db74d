#!/usr/bin/env bash
# stats_pandas.sh - nbpy-stats computes what pandas computes: 1M FX-like
# ticks of five instruments (stats_pandas_check.py gen: constant stretches,
# NaN gaps, time gaps, zero volumes) through the tool on the CPU with
# several windows, and every output row checked against pandas 1.5
# groupby('instrument').rolling(...) (stats_pandas_check.py check); the same
# for each input (CSV, a sink.sqlite database, a capture) and output (CSV;
# SQLite, read back as sink.sqlite's table tick_stats, in a new database
# and appended to one the store made; a capture of tick_stats messages,
# decoded as docs/wire-format.md says); and its errors: a malformed line
# named by file and line, a time going back under a time window, a
# backfill written twice, a --source that is no service's name, --device
# cuda without a GPU.
set -uo pipefail

. "$NBPY_SRCDIR/tests/lib/itest.sh" stats_pandas
STATS=$B/nbpy-stats
CHECK=$S/tests/integration/stats_pandas_check.py
ROWS=${NBPY_STATS_ROWS:-1000000}
start=$SECONDS

[ -x "$STATS" ] || { bad "no $STATS"; exit 1; }
$PY "$CHECK" gen "$T" "$ROWS" || { bad "generating the ticks"; exit 1; }
echo "  (generated in $((SECONDS - start)) s)"

# errors: exit status and message (and, checked after, nothing left written)
fails_with() {	# fails_with WHAT STATUS MESSAGE ARGS...: exits STATUS saying MESSAGE
	local what=$1 want=$2 msg=$3 rc
	shift 3
	"$STATS" "$@" 2>"$T/err"
	rc=$?
	if [ $rc -eq "$want" ] && grep -qF -- "$msg" "$T/err"; then
		ok "$what: exit $rc, '$(head -n 1 "$T/err")'"
	else
		bad "$what: exit $rc (want $want), '$(cat "$T/err")' (want '$msg')"
	fi
}

specs=()
# stats TICKS_CSV OUT[@SOURCE] WINDOW WINDOW_TIME MIN_PERIODS ARGS...: run
# nbpy-stats with ARGS, writing OUT; its output (the rows of SOURCE, default
# nbpy-stats) is checked against pandas with the parameters given (the same
# as ARGS say, written out for pandas)
stats() {
	local ref=$1 out=$2 window=$3 window_time=$4 mp=$5 t0=$SECONDS
	shift 5
	if "$STATS" --device cpu --quiet "$@" --out "$T/${out%@*}" 2>"$T/err"; then
		ok "nbpy-stats $* ($((SECONDS - t0)) s)"
		specs+=("$T/$ref" "$T/$out" "$window" "$window_time" "$mp")
	else
		bad "nbpy-stats $*: exit status $?: $(cat "$T/err")"
	fi
}

stats ticks.csv w3.csv 3 0 0 --window 3 --in "$T/ticks.csv"
stats ticks.csv w20_mp1.csv 20 0 1 --window 20 --min-periods 1 --in "$T/ticks.csv"
stats ticks.csv w1000_mp999.csv 1000 0 999 --window 1000 --min-periods 999 --in "$T/ticks.csv"
stats ticks.csv t2s.sqlite 0 2s 0 --window-time 2s --in "$T/ticks.csv"
# a capture; and a backfill appended to the database of a store that
# holds a row of the live service already
stats store.csv stats_w20.cap@backfill_w20 20 0 0 --window 20 --in "$T/store.csv" --source backfill_w20
stats store.csv stats_store.sqlite@backfill_w20 20 0 0 --window 20 --in "$T/store.csv" --source backfill_w20
# the stores' inputs: a database (a table each) and a capture
stats store_kraken.csv sqlite_kraken.csv 20 0 0 --window 20 --in "$T/store.sqlite" --table kraken_tick
stats store_oanda.csv sqlite_oanda.csv 0 2s 0 --window-time 2s --in "$T/store.sqlite" --table oanda_tick
stats store.csv capture.csv 20 0 0 --window 20 --in "$T/store.cap"
stats trades.csv capture_trades.csv 3 0 0 --window 3 --in "$T/store.cap" --table kraken_trades
stats trades.csv sqlite_trades.csv 3 0 0 --window 3 --in "$T/store.sqlite" --table kraken_trades
echo "  (nbpy-stats done at $((SECONDS - start)) s)"
check "every output agrees with pandas" $PY "$CHECK" check "${specs[@]}"

# the store's database after the backfill: its own row as it was, and the
# backfill's; the same backfill again is refused, and leaves it so
rows() {	# rows WHERE [DB]: how many rows of tick_stats in DB (stats_store.sqlite)
	$PY -c 'import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM tick_stats WHERE " + sys.argv[2]).fetchone()[0])' \
		"${2:-$T/stats_store.sqlite}" "$1" 2>/dev/null
}
live="source = 'kraken_tick_stats' AND seq = 7 AND event_time = '2023-11-14T22:13:20.000000Z' AND nobs = 20"
backfill=$(wc -l <"$T/store.csv")
check "the store's own row is there as it was" test "$(rows "$live")" = 1
check "...and the backfill's $((backfill - 1)) rows beside it" test "$(rows "source = 'backfill_w20'")" = $((backfill - 1))
fails_with "the same backfill again" 1 \
	"stats_store.sqlite: tick_stats has a row of source 'backfill_w20', seq 1, event_time " \
	--window 20 --in "$T/store.csv" --source backfill_w20 --out "$T/stats_store.sqlite"
check "...leaves the database as it was" test "$(rows "1") $(rows "$live")" = "$backfill 1"

# the capture replayed into sink.sqlite: the store holds exactly the rows
# the backfill wrote into its database directly, and counts no gap
BASE=$(port_base 57)
cat >"$CONF" <<CONF
$(nbpyd_section)

[feed]
kind        = replay
path        = $T/stats_w20.cap
speed       = 0
start_delay = 1s
bind        = tcp://127.0.0.1:$BASE
topic       = kraken_tick_stats
restart     = never

[lite]
kind      = sink.sqlite
subscribe = feed
path      = $T/replayed.sqlite
CONF
# table DB [WHERE]: every row of tick_stats (of WHERE), in seq order, as text
table() {
	$PY -c 'import sqlite3, sys
for r in sqlite3.connect(sys.argv[1]).execute("SELECT * FROM tick_stats WHERE %s ORDER BY seq" % sys.argv[2]):
    print(*map(repr, r))' "$1" "${2:-1}" 2>/dev/null
}
stored() { [ "$(rows 1 "$T/replayed.sqlite")" = $((backfill - 1)) ]; }
t0=$SECONDS
start_nbpyd
wait_for 10 all_running feed lite || bad "replay and sink.sqlite running"
wait_for 30 stored || bad "sink.sqlite stores the $((backfill - 1)) messages of the capture within 30 s"
table "$T/replayed.sqlite" >"$T/replayed.txt"
table "$T/stats_store.sqlite" "source = 'backfill_w20'" >"$T/direct.txt"
check "the capture replayed into sink.sqlite: the rows of --out the database ($(wc -l <"$T/replayed.txt"))" \
	cmp "$T/replayed.txt" "$T/direct.txt"
gaps=$(ctl status lite 2>&1 | grep -o 'gaps [0-9]*')
check "...and no gap counted ($gaps)" test "$gaps" = "gaps 0"
stop_nbpyd || bad "nbpyd exit status"
echo "  (replayed in $((SECONDS - t0)) s)"

# the same statistics whatever the input: CSV, database, capture
stats store.csv store_w20.csv 20 0 0 --window 20 --in "$T/store.csv"
check "capture and CSV input give the same bytes" cmp "$T/store_w20.csv" "$T/capture.csv"
# --every 5: each instrument's 5th, 10th... row of the full output
"$STATS" --quiet --window 20 --every 5 --in "$T/store.csv" --out "$T/every5.csv"
awk -F, 'NR == 1 || ++n[$1] % 5 == 0' "$T/store_w20.csv" >"$T/every5_want.csv"
check "--every 5 writes every 5th row of each instrument ($(wc -l <"$T/every5.csv") lines)" \
	cmp "$T/every5.csv" "$T/every5_want.csv"

# errors, and nothing left written
printf 'instrument,time,bid,ask\nEUR_USD,1,1.1,1.2\nEUR_USD,2,1.1x,1.2\n' >"$T/bad.csv"
fails_with "a malformed number" 1 "$T/bad.csv:3: bid: not a finite number: '1.1x'" \
	--window 2 --in "$T/bad.csv" --out "$T/bad_out.csv"
check "...and no output is left" test ! -e "$T/bad_out.csv"
echo "what was there" >"$T/keep.csv"
"$STATS" --quiet --window 2 --in "$T/bad.csv" --out "$T/keep.csv" 2>/dev/null
check "...and an output file that was there is left as it was" grep -qx "what was there" "$T/keep.csv"
cp "$T/stats_w20.cap" "$T/keep.cap"
"$STATS" --quiet --window 2 --in "$T/bad.csv" --out "$T/keep.cap" 2>/dev/null
check "...a capture too" cmp "$T/keep.cap" "$T/stats_w20.cap"
check "...and nothing is left beside it" test ! -e "$T/keep.cap.partial"
printf 'instrument,time,bid,ask\nEUR_USD,1,1.1,1.2\n\nEUR_USD,2,1.1\n' >"$T/short.csv"
fails_with "a line short of a field" 1 "$T/short.csv:4: fewer fields, the header has 4" \
	--window 2 --in "$T/short.csv" --out "$T/short_out.sqlite"
check "...and no database is left" test ! -e "$T/short_out.sqlite"
printf 'instrument,time,bid,ask\nA,5,1,2\nB,1,1,2\nA,4,1,2\n' >"$T/back.csv"
fails_with "a time going back under a time window" 1 \
	"$T/back.csv:4: time 4 of A goes back (line 2 has 5)" --window-time 1s --in "$T/back.csv" --format none
check "...which a count window takes in row order" "$STATS" --quiet --window 2 --in "$T/back.csv" --format none
fails_with "a database of two tables" 1 "has the tables kraken_tick and oanda_tick: choose one with --table" \
	--window 3 --in "$T/store.sqlite" --format none
head -c 3000 "$T/store.cap" >"$T/torn.cap"
"$STATS" --window 3 --in "$T/torn.cap" --format none 2>"$T/err"
check "a torn last record of a capture: the rest is read, with a warning" \
	grep -q "torn.cap: a torn or corrupt record at offset [0-9]*: the rest of the file is not read" "$T/err"
fails_with "no window" 2 "no window" --in "$T/ticks.csv" --format none
# --source is a service's name, as a section of nbpy.conf(5) gives it
fails_with "a source with a space" 2 "--source a b: 1 to 63 letters" --window 3 --source "a b" \
	--in "$T/ticks.csv" --format none
fails_with "a source of 64 characters" 2 "1 to 63 letters" --window 3 --source "$(printf "%064d" 0)" \
	--in "$T/ticks.csv" --format none
if nvidia-smi -L >/dev/null 2>&1; then
	echo "  skipped: --device cuda without a GPU (a GPU is present)"
else
	fails_with "--device cuda without a GPU" 1 "nbpy-stats: device cuda: " \
		--window 3 --device cuda --in "$T/ticks.csv" --out "$T/cuda.csv"
	check "...refused before anything is written" test ! -e "$T/cuda.csv"
fi

echo "stats_pandas: $fails failed, $((SECONDS - start)) s"
[ $fails -eq 0 ]
