#!/usr/bin/env bash
# lvc.sh - the last-value cache (kind oanda.lvc) under nbpyd: the fake OANDA
# sends prices of EUR_USD and USD_JPY, then only heartbeats; oanda.pricing
# feeds the cache.  Late subscribers (lvc_check.py) get their instrument's
# last value within 100 ms, byte for byte as first published; a sink that
# was subscribed all along sees each resent value as a repeat (counted, not
# delivered, no gap); an instrument without a value sends nothing until a
# price comes; past max_instruments prices are counted, logged, not
# republished, and the worker keeps running.
set -uo pipefail

. "$NBPY_SRCDIR/tests/lib/itest.sh" lvc
. "$NBPY_SRCDIR/tests/lib/counters.sh"
BASE=$(port_base 1717)
FAKE=http://127.0.0.1:$BASE
TOKEN=lvc-t0ken-2718
LVC=tcp://127.0.0.1:$((BASE + 2))

echo "lvc integration ($T)"
# heartbeats every 0.2 s; the prices after 3 s, when everyone is connected
$PY "$S/tests/fakes/fake_oanda.py" "$BASE" "$TOKEN" 0.2 3 &
FAKE_PID=$!
wait_for 5 curl -fs -o /dev/null "$FAKE/_stats" || { bad "the fake OANDA did not start"; exit 1; }

cat >"$CONF" <<CONF
$(nbpyd_section)

[oandav20_tick]
kind         = oanda.pricing
url          = $FAKE
account      = 101-004-1234567-001
instruments  = EUR_USD, USD_JPY
token        = $TOKEN
bind         = tcp://127.0.0.1:$((BASE + 1))

[oandav20_tick_topic]
kind      = oanda.lvc
subscribe = oandav20_tick
bind      = $LVC

# subscribed to every topic of the cache from the start
[lvc_sink]
kind      = sink.file
subscribe = oandav20_tick_topic
path      = $T/lvc.nbpy

[lvc_small]
kind            = oanda.lvc
subscribe       = oandav20_tick
max_instruments = 1
bind            = tcp://127.0.0.1:$((BASE + 3))
CONF

start_nbpyd
check "workers run under nbpyd" wait_for 10 all_running oandav20_tick oandav20_tick_topic lvc_sink lvc_small
# 6 prices of each instrument, then only heartbeats
check "the cache republished the 12 prices" wait_for 10 eval \
	'p=$(counter_of oandav20_tick_topic published) && [ "$p" -eq 12 ]'
check "the sink received them" wait_for 5 eval 'r=$(counter_of lvc_sink received) && [ "$r" -eq 12 ]'
check "the fake sends heartbeats only now" wait_for 5 eval \
	'h1=$(counter_of oandav20_tick heartbeats) && sleep 0.5 && h2=$(counter_of oandav20_tick heartbeats) &&
	 [ "$h2" -gt "$h1" ] && [ "$(counter_of oandav20_tick prices)" -eq 12 ]'

# the sink has heard each topic announced since its last price (once a
# second): an announcement of what it has must not hide a repeat
sleep 1.2
if $PY "$S/tests/integration/lvc_check.py" "$FAKE" "$LVC" oandav20_tick_topic >"$T/check.out" 2>&1; then
	ok "late subscribers (lvc_check.py)"
else
	bad "late subscribers (lvc_check.py)"
fi
sed 's/^/  /' "$T/check.out"

# three subscriptions found a value (EUR_USD twice, USD_JPY), AUD_USD none
check "the cache resent 3 values and keeps 3 instruments" wait_for 5 eval \
	'[ "$(counter_of oandav20_tick_topic resent)" -eq 3 ] && [ "$(counter_of oandav20_tick_topic instruments)" -eq 3 ]'
check "and published 13 prices (12 + AUD_USD), resends not counted" eval \
	'[ "$(counter_of oandav20_tick_topic published)" -eq 13 ]'
check "the sink: each resent value a repeat (3), not delivered" wait_for 5 eval \
	'[ "$(counter_of lvc_sink repeats)" -eq 3 ] && [ "$(counter_of lvc_sink received)" -eq 16 ]'
check "the sink counted no gap" eval '[ "$(counter_of lvc_sink gaps)" -eq 0 ]'
check "the sink got no bad message and no error" eval \
	'[ "$(counter_of lvc_sink bad)" -eq 0 ] && [ "$(counter_of lvc_sink errors)" -eq 0 ]'
# what the sink stored: each (topic, seq) once, 1..6 per instrument, then AUD_USD 1
capture_streams() {	# capture_streams FILE: "topic seq" of each record, in order
	$PY - "$1" <<'PY'
import struct, sys
import msgpack
d = open(sys.argv[1], "rb").read()
if d[:8] != b"NBPYCAP2":
    sys.exit("not a capture")
pos = 8
while pos < len(d):
    n, _ = struct.unpack_from("<II", d, pos)
    rec = d[pos + 8:pos + 8 + n]
    topic = rec[9:9 + rec[8]].decode()
    print(topic, msgpack.unpackb(rec[9 + rec[8]:], raw=False)[3])
    pos += 8 + n
PY
}
want=$(for i in 1 2 3 4 5 6; do echo "EUR_USD $i"; echo "USD_JPY $i"; done; echo "AUD_USD 1")
check "the sink stored each price once: no duplicate" eval '[ "$(capture_streams "$T/lvc.nbpy")" = "$want" ]'

# max_instruments = 1: EUR_USD came first; USD_JPY (6) and AUD_USD (1) did not fit
check "past max_instruments: prices counted as uncached" wait_for 5 eval \
	'[ "$(counter_of lvc_small uncached)" -eq 7 ] && [ "$(counter_of lvc_small published)" -eq 6 ]'
check "logged once" eval '[ "$(grep -c "lvc_small: instrument .USD_JPY. not republished: max_instruments reached" "$T/nbpyd.log")" -eq 1 ]'
check "and the worker keeps running" eval 'state_is lvc_small running && [ "$(field lvc_small restarts)" -eq 0 ]'

# wire = legacy is refused: a repeat could not be told from a new tick
cat >"$T/legacy.conf" <<CONF
$(nbpyd_section)

[oandav20_tick_topic]
kind    = oanda.lvc
connect = tcp://127.0.0.1:$((BASE + 1))
bind    = tcp://127.0.0.1:$((BASE + 4))
wire    = legacy
CONF
timeout 10 "$B/nbpy-worker" -c "$T/legacy.conf" oandav20_tick_topic >"$T/legacy.out" 2>&1
rc=$?
check "wire = legacy: exits 78 saying why" eval \
	'[ $rc -eq 78 ] && grep -q "legacy.conf:[0-9]*: \[oandav20_tick_topic\] wire = legacy: a resent value could not be told" "$T/legacy.out"'
exit $((fails > 0))
