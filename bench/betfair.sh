#!/usr/bin/env bash
# bench/betfair.sh - Betfair market changes applied per second, side by side
# in one run: bench/betfair (workers/betfair/market_cache reading
# common/json_scan's tape, as betfair.stream applies them, each changed
# runner's betfair_market message filled) and bench/betfair_py.py (the original's
# approach: json.loads and dicts, the same rules, the same tuples), over the
# same N lines from bench/betfair_gen.py (a SUB_IMAGE of 20 markets of 12
# runners, then deltas of one to three runners).  Each side's best of
# TRIALS runs; prints a table of lines/s, mc/s and the ratio, and what the
# strict check of the lines alone, and with their tape, costs.  Where
# libsimdjson-dev and g++ are installed, two reference rows: simdjson's parse
# of the same lines, and its parse with every value the cache reads read
# (bench/betfair_simdjson.cpp): what the fastest published strict parser
# reaches on them.  Not a test.
#
#   bench/betfair.sh BUILD_DIR [N] [TRIALS]
#       N lines (default 200,000), TRIALS runs of each side (3)
set -euo pipefail
B=$(cd "${1:?usage: bench/betfair.sh BUILD_DIR [N] [TRIALS]}" && pwd)
N=${2:-200000}
TRIALS=${3:-3}
S=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
[ -x "$B/bench/betfair" ] || { echo "betfair.sh: $B/bench/betfair missing (make bench/betfair)" >&2; exit 1; }

"$PY" "$S/betfair_gen.py" "$N" >"$T/lines"
best() {	# best CMD...: of TRIALS runs, the line with the fewest seconds (its last field)
	for _ in $(seq "$TRIALS"); do "$@"; done | awk 'NR == 1 || $NF < min { min = $NF; best = $0 } END { print best }'
}
read -r cl cm cr cs < <(best "$B/bench/betfair" "$T/lines" 1)
read -r _ _ _ ks < <(best "$B/bench/betfair" "$T/lines" 1 check)
read -r _ _ _ ts < <(best "$B/bench/betfair" "$T/lines" 1 tape)
read -r pl pm pr ps < <(best "$PY" "$S/betfair_py.py" "$T/lines")
sp=0 sr=0
if [ -f /usr/include/simdjson.h ] && command -v g++ >/dev/null; then
	g++ -O2 -o "$T/simdjson" "$S/betfair_simdjson.cpp" -lsimdjson
	# one pass a process, as the C side: no pass warms the next
	read -r sl sp < <(best "$T/simdjson" "$T/lines" 1 parse)
	read -r _ sr < <(best "$T/simdjson" "$T/lines" 1)
	[ "$sl" = "$cl" ] || { echo "betfair.sh: simdjson read $sl lines, C $cl" >&2; exit 1; }
else
	echo "betfair.sh: no simdjson rows (apt-get install libsimdjson-dev g++ to add them)" >&2
fi
[ "$cl $cm $cr" = "$pl $pm $pr" ] || { echo "betfair.sh: the two sides disagree: C $cl $cm $cr, Python $pl $pm $pr" >&2; exit 1; }
awk -v l="$cl" -v m="$cm" -v r="$cr" -v cs="$cs" -v ps="$ps" -v ks="$ks" -v ts="$ts" -v sp="$sp" -v sr="$sr" 'BEGIN {
	printf "%d lines, %d market changes, %d runner messages; best of '"$TRIALS"'\n\n", l, m, r
	printf "| side | lines/s | market changes/s | µs per line |\n|---|---:|---:|---:|\n"
	printf "| C (json_scan tape + market_cache) | %.0f | %.0f | %.2f |\n", l / cs, m / cs, 1e6 * cs / l
	printf "| Python (json.loads + dicts) | %.0f | %.0f | %.2f |\n", l / ps, m / ps, 1e6 * ps / l
	printf "| C, json_scan check of the lines alone | %.0f | | %.2f |\n", l / ks, 1e6 * ks / l
	printf "| C, json_scan check and tape of the lines alone | %.0f | | %.2f |\n", l / ts, 1e6 * ts / l
	if (sp > 0) {
		printf "| reference: simdjson, parse of the lines alone | %.0f | | %.2f |\n", l / sp, 1e6 * sp / l
		printf "| reference: simdjson, parse and every value the cache reads | %.0f | | %.2f |\n", l / sr, 1e6 * sr / l
	}
	printf "\nC / Python: %.1fx (the check alone: %.1fx; check and tape: %.1fx)\n", ps / cs, ps / ks, ps / ts
	if (sp > 0)
		printf "simdjson / Python: %.1fx parsing alone, %.1fx parsing and reading, nothing applied\n", ps / sp, ps / sr
}'
