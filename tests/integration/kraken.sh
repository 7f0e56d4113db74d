#!/usr/bin/env bash
# kraken.sh - kraken_tick and kraken_EURUSD under nbpyd, against the fake
# Kraken of tests/fakes: every message checked against what the fake served,
# the legacy framing as the originals parse it, and every failure mode of the
# REST API provoked while the worker keeps running.
set -uo pipefail

. "$NBPY_SRCDIR/tests/lib/itest.sh" kraken
BASE=$(port_base 0)
stat() { curl -fs "$FAKE/_stats" | $PY -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }

echo "kraken integration ($T)"
start_fake_kraken "$BASE"

cat >"$CONF" <<EOF
$(nbpyd_section)
backoff   = 100ms..1s

[kraken_tick]
kind     = kraken.ticker
url      = $FAKE
pairs    = all
interval = 200ms
timeout  = 1s
batch    = 4
bind     = tcp://127.0.0.1:$((BASE + 1))

[kraken_EURUSD]
kind      = synth.eurusd
subscribe = kraken_tick
bind      = tcp://127.0.0.1:$((BASE + 2))
legs      = XBT:XXBTZUSD:XXBTZEUR, ETH:XETHZUSD:XETHZEUR
band_low  = 1.0
band_high = 1.3

# band filter: only the ETH synthetic (~1.086) is inside 1.0..1.09, not BTC (~1.094)
[narrow]
kind      = synth.eurusd
subscribe = kraken_tick
bind      = tcp://127.0.0.1:$((BASE + 4))
legs      = XBT:XXBTZUSD:XXBTZEUR, ETH:XETHZUSD:XETHZEUR
band_low  = 1.0
band_high = 1.09

# variant b: with only XBT as a leg, ETH updates re-publish the XBT quote
[variant_b]
kind      = synth.eurusd
variant   = b
subscribe = kraken_tick
bind      = tcp://127.0.0.1:$((BASE + 5))
legs      = XBT:XXBTZUSD:XXBTZEUR
band_low  = 1.0
band_high = 2.0

# depth on demand: alternating legs make negative spreads
[signal_depth]
kind      = kraken.depth
url       = $FAKE
pairs     = all
on_signal = yes
subscribe = kraken_EURUSD
count     = 2
user_agent = depth-test/7
bind      = tcp://127.0.0.1:$((BASE + 6))

[legacy_tick]
kind     = kraken.ticker
url      = $FAKE
pairs    = XXBTZUSD, XETHZEUR
interval = 300ms
timeout  = 1s
wire     = legacy
topic    = kraken_tick
bind     = tcp://127.0.0.1:$((BASE + 3))
EOF
start_nbpyd
check "workers become ready under nbpyd" \
	wait_for 10 all_running kraken_tick kraken_EURUSD legacy_tick signal_depth narrow variant_b

check "messages match the fake, synthetic EURUSD by hand, legacy framing" \
	$PY "$S/tests/integration/kraken_check.py" "$FAKE" "tcp://127.0.0.1:$((BASE + 1))" \
	"tcp://127.0.0.1:$((BASE + 2))" "tcp://127.0.0.1:$((BASE + 3))" 3
check "band filter, variant b and depth on signal" $PY - "$BASE" <<'PY'
import io, sys, time, msgpack, zmq
base = int(sys.argv[1])
ctx = zmq.Context(); socks = {}
for name, off in (("narrow", 4), ("b", 5), ("signal", 6)):
    s = ctx.socket(zmq.SUB); s.setsockopt(zmq.SUBSCRIBE, b""); s.connect(f"tcp://127.0.0.1:{base + off}")
    socks[name] = s
got = {k: [] for k in socks}
end = time.time() + 3
while time.time() < end:
    for k, s in socks.items():
        while s.poll(0):
            got[k].extend(m for m in msgpack.Unpacker(io.BytesIO(s.recv_multipart()[1]), raw=False)
                          if m[0] != 0)	# 0: a sequence announcement
    time.sleep(0.01)
narrow = {m[9] for m in got["narrow"]}
b_inst = {m[9] for m in got["b"]}
b_quotes = {(m[10], m[11]) for m in got["b"]}
books = {m[6] for m in got["signal"]}
ok = (narrow == {"XETHZUSD", "XETHZEUR"} and {"XETHZUSD", "XETHZEUR"} <= b_inst
      and b_quotes == {(round(30300.0 / 27700.2, 5), round(30300.1 / 27700.0, 5))}
      and books == {"XXBTZUSD", "XXBTZEUR", "XETHZUSD", "XETHZEUR"})
print("       band:", sorted(narrow), "variant b:", sorted(b_inst), "signal books:", sorted(books))
sys.exit(0 if ok else 1)
PY
check "a subscriber's STATUS counts what it received and published" wait_for 5 eval \
	'[[ "$(field kraken_EURUSD status)" =~ received\ [1-9][0-9]*,\ published\ [1-9] ]]'
check "requests carry a User-Agent" eval '[[ "$(stat user_agents)" == *nbpy/* ]]'
check "a kind's user_agent key reaches the server" eval '[[ "$(stat user_agents)" == *depth-test/7* ]]'

# every failure mode, in a row: the worker keeps running and counts them
pid=$(field kraken_tick pid) || bad "kraken_tick's pid"
before=$(stat ticker) || bad "the fake's ticker count"
curl -fs "$FAKE/_mode?queue=envelope_error,too_many,http429,http500,truncated,invalid,malformed_pair,slow" >/dev/null
check "the fake served all eight failures" wait_for 30 eval '[ $(( $(stat ticker) - before )) -ge 10 ]'
check "kraken_tick kept running, same process" eval 'state_is kraken_tick running && p=$(field kraken_tick pid) && [ "$p" = "$pid" ]'
# both ticker services poll the fake, so the eight failures are shared out;
# the malformed pair is a bad entry of a good answer, the rest are errors
counter_of() {	# counter_of SERVICE NAME: a counter from its STATUS text; fails if absent
	local status n
	status=$(field "$1" status) || return 1
	n=$(sed -n "s/.*$2 \([0-9][0-9]*\).*/\1/p" <<<"$status")
	[ -n "$n" ] || { echo "no '$2 N' in the STATUS of $1: $status" >&2; return 1; }
	echo "$n"
}
total() {	# total NAME: the counter summed over both ticker services
	local a b
	a=$(counter_of kraken_tick "$1") && b=$(counter_of legacy_tick "$1") && echo $((a + b))
}
# STATUS is refreshed every second, and the slow answer times out after 1 s
check "errors and the bad entry are counted in STATUS" \
	wait_for 10 eval 'e=$(total errors) && b=$(total bad) && [ "$e" -ge 7 ] && [ "$b" -ge 1 ]'
echo "       ($(total errors) errors, $(total bad) bad)"
check "and logged with context" grep -q 'Ticker: Kraken: EGeneral:Too many requests' "$T/nbpyd.log"
p0=$(counter_of kraken_tick published) || bad "kraken_tick's published count"
check "kraken_tick publishes again after its backoff" wait_for 30 eval 'p=$(counter_of kraken_tick published) && [ "$p" -gt "$p0" ]'
check "publishing resumes after the failures" \
	$PY "$S/tests/integration/kraken_check.py" "$FAKE" "tcp://127.0.0.1:$((BASE + 1))" \
	"tcp://127.0.0.1:$((BASE + 2))" "tcp://127.0.0.1:$((BASE + 3))" 3

check "SIGTERM stops everything cleanly (exit 0)" stop_nbpyd
for s in kraken_tick kraken_EURUSD legacy_tick signal_depth narrow variant_b; do
	check "$s logged its counters on the way out" grep -q " $s: stopping: received [0-9]*, published" "$T/nbpyd.log"
done

# a seed entry point: the service comes from the program name
mkdir -p "$T/bin" && ln -s "$B/nbpy-worker" "$T/bin/nbpy-pub-kraken-EURUSD"
timeout -s TERM 2 "$T/bin/nbpy-pub-kraken-EURUSD" -c "$CONF" >"$T/link.log" 2>&1
rc=$?	# 124: timeout had to stop it, which it did with SIGTERM
check "nbpy-pub-kraken-EURUSD runs [kraken_EURUSD] and stops on SIGTERM" \
	eval '[ $rc -eq 124 ] && grep -q "kraken_EURUSD: ready: synth.eurusd" "$T/link.log" && grep -q "stopping: received" "$T/link.log"'

echo "kraken integration: $fails failed"
[ $fails -eq 0 ]
