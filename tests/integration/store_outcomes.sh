#!/usr/bin/env bash
# store_outcomes.sh - what docs/sinks.md ("What happens to a message") says an
# HTTP store's answers do, provoked for real against tests/fakes/
# fake_lineproto.py: 429 retried with the documented backoff (the gaps between
# tries, measured at the fake, double within [d/2, d]); 408 and 401/403 kept
# and retried, not dropped; a store that never answers: the sink's timeout
# fires and the same batch is written again; InfluxDB 1.x's "400 partial
# write": dropped and counted, not retried.  Each sink gets one batch of 300
# messages; the fake says what arrived and when, the sink's STATUS what it
# counted, exactly.
set -uo pipefail

. "$NBPY_SRCDIR/tests/lib/itest.sh" store_outcomes
. "$S/tests/lib/counters.sh"
BASE=$(port_base 47)
N=300
DATA=$S/tests/integration/sink_data.py
FAKE=http://127.0.0.1:$((BASE + 1))
LP_PID=
itest_cleanup_extra() { [ -n "$LP_PID" ] && kill "$LP_PID" 2>/dev/null; }

# sink SECTION PREFIX [KEY = VALUE...]: one batch of N, never flushed by time
sink() {
	local name=$1 prefix=$2
	shift 2
	printf '[%s]\nkind           = sink.influxdb\nsubscribe      = few\n' "$name"
	printf 'url            = %s/%s\ndb             = md\n' "$FAKE" "$prefix"
	printf 'batch_size     = %s\nflush_interval = 30s\n' $N
	printf '%s\n' "$@"
	echo
}

echo "store outcomes: 429, 408, 401/403, timeout, partial write ($T)"
$PY "$DATA" gen "$T/few.cap" $N
$PY "$S/tests/fakes/fake_lineproto.py" $((BASE + 1)) 2>"$T/fake.log" &
LP_PID=$!
wait_for 5 curl -fs -o /dev/null "$FAKE/_requests" || { bad "fake write endpoint did not start"; exit 1; }
for q in s429:429,429,429 s408:408 s401:401,403 shang:hang spartial:partial; do
	curl -fsS -o /dev/null "$FAKE/_mode?path=/${q%%:*}/write&queue=${q#*:}" ||
		{ bad "fake: set queue $q"; exit 1; }
done
cat >"$CONF" <<CONF
$(nbpyd_section)

$(replay_section few $T/few.cap 0 $BASE)

$(sink s429 s429 'retry_backoff  = 400ms..1600ms')
$(sink s408 s408 'retry_backoff  = 100ms..200ms')
$(sink s401 s401 'retry_backoff  = 100ms..200ms')
$(sink shang shang 'retry_backoff  = 100ms..200ms' 'timeout        = 700ms')
$(sink spartial spartial 'retry_backoff  = 100ms..200ms')
CONF

start_nbpyd
wait_for 10 all_running few s429 s408 s401 shang spartial || bad "services running"

# s429 needs 3 backoffs of at most 0.4 + 0.8 + 1.6 s after the replay's 2 s delay.
for want in "s429 written $N, spooled 0, dropped 0" "s408 written $N, spooled 0, dropped 0" \
	"s401 written $N, spooled 0, dropped 0" "shang written $N, spooled 0, dropped 0" \
	"spartial written 0, spooled 0, dropped $N"; do
	svc=${want%% *}
	wait_for 15 counters_are "$svc" "${want#* }" &&
		ok "$svc: ${want#* } ($(status_text "$svc" | grep -o 'errors [0-9]*'))" ||
		bad "$svc: want ${want#* }, have: $(status_text "$svc" || echo '(no status)')"
done
curl -fsS "$FAKE/_requests" >"$T/requests.json" || bad "fake: /_requests"
$PY "$DATA" lines $N >"$T/want.lines"
curl -fsS "$FAKE/_lines" >"$T/lines.json" || bad "fake: /_lines"

# At the fake: each sink's tries, their answers, bodies and timing.
$PY - "$T/requests.json" "$T/lines.json" "$T/want.lines" $N <<'PY' || bad "requests at the fake"
import json, sys
reqs = json.load(open(sys.argv[1]))
lines = json.load(open(sys.argv[2]))
want = open(sys.argv[3]).read().splitlines()
n = int(sys.argv[4])
fails = 0

def check(what, cond, detail=""):
    global fails
    print(("  ok   " if cond else "  FAIL ") + what + ("" if cond else f": {detail}"))
    fails += not cond

def tries(prefix):
    return [r for r in reqs if r["path"] == f"/{prefix}/write"]

def gaps(rs):
    return [round(b["t"] - a["t"], 3) for a, b in zip(rs, rs[1:])]

for prefix, answers in (("s429", [429, 429, 429, 204]), ("s408", [408, 204]),
                        ("s401", [401, 403, 204]), ("shang", ["hang", 204]),
                        ("spartial", ["partial"])):
    rs = tries(prefix)
    check(f"{prefix}: tries answered {answers}", [r["status"] for r in rs] == answers,
          [r["status"] for r in rs])
    check(f"{prefix}: every try carries the same batch of {n} lines",
          len({r["sha1"] for r in rs}) == 1 and all(r["lines"] == n for r in rs),
          [(r["lines"], r["sha1"][:8]) for r in rs])

# retry_backoff = 400ms..1600ms: the k-th wait is drawn from [d/2, d], d =
# 400, 800, 1600 ms (docs/sinks.md: doubling, capped, with jitter); the
# timer and the write add a little on top.
g = gaps(tries("s429"))
bounds = [(0.2, 0.4), (0.4, 0.8), (0.8, 1.6)]
check(f"s429: waits between tries {g} s within {bounds} (+0.25 s)",
      len(g) == 3 and all(lo - 0.01 <= x <= hi + 0.25 for x, (lo, hi) in zip(g, bounds)), g)
# timeout = 700ms, then a wait of 50..100 ms (retry_backoff 100ms..200ms)
g = gaps(tries("shang"))
check(f"shang: the retry came after the 0.7 s timeout and one backoff ({g} s)",
      len(g) == 1 and 0.7 + 0.05 - 0.01 <= g[0] <= 0.7 + 0.1 + 0.4, g)
# what the fake kept: every line of the 4 written batches once each, and
# the 299 lines of the partial write it did not refuse
check("fake stored each written batch once and the partial write's valid lines",
      sorted(lines) == sorted(want * 4 + want[1:]), (len(lines), 5 * n - 1))
sys.exit(1 if fails else 0)
PY

grep -q 'spartial: store refused a batch of 300 messages (dropped): .*HTTP 400 .*partial write: .*dropped=1' \
	"$T/nbpyd.log" && ok "spartial: InfluxDB's partial-write answer logged" ||
	bad "spartial: no partial write in the log"
grep -q 's401: write failed: .*HTTP 401' "$T/nbpyd.log" && ok "s401: the 401 logged" ||
	bad "s401: no 401 in the log"

stop_nbpyd || bad "nbpyd exit status"
[ "$fails" = 0 ]
