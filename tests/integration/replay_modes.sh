#!/usr/bin/env bash
# replay_modes.sh - replay with loop = yes and with wire = legacy, from
# captures written by the test from the documented format (replay_modes.py):
# a loop plays its capture over and over, byte for byte, and a subscriber
# counts only the sequence number the capture lacks, once per pass (a pass
# that starts again from 1 is a publisher restarting its numbers, no loss);
# a legacy replay sends the documented legacy text, one frame per message,
# and no sequence announcement.
set -uo pipefail

. "$NBPY_SRCDIR/tests/lib/itest.sh" replay_modes
BASE=$(port_base 3301)
RM=$S/tests/integration/replay_modes.py

echo "replay: loop and legacy ($T)"
$PY "$RM" gen-loop "$T/loop.cap" && $PY "$RM" gen-legacy "$T/legacy.cap" || { bad "captures written"; exit 1; }
cat >"$CONF" <<CONF
$(nbpyd_section)

$(replay_section feed "$T/loop.cap" 1 $BASE)
loop        = yes

[rec]
kind      = sink.file
subscribe = feed
path      = $T/rec.nbpy
fsync_interval = 100ms

$(replay_section old "$T/legacy.cap" 0 $((BASE + 1)))
wire        = legacy
CONF
start_nbpyd
# both replays wait start_delay (2 s) before their first message: time to subscribe
$PY "$RM" collect "tcp://127.0.0.1:$((BASE + 1))" 3 2.5 "$T/legacy.got" &
legacy_pid=$!
$PY "$RM" collect "tcp://127.0.0.1:$BASE" 25 0 "$T/loop.got"
wait $legacy_pid || bad "collecting the legacy replay"

check "loop = yes: the capture plays more than once, byte for byte, in order" \
	$PY "$RM" check-loop "$T/loop.cap" "$T/loop.got"
check "wire = legacy: the documented legacy text, one frame per message, no announcement" \
	$PY "$RM" check-legacy "$T/legacy.got"

# the subscriber's counters, once the loop has stopped and STATUS is fresh
ctl stop feed >/dev/null || bad "nbpyctl stop feed"
check "the loop stops" wait_for 10 state_is feed stopped
sleep 1.5	# STATUS is refreshed every second
status=$(field rec status) || bad "rec's STATUS"
received=$(sed -n 's/.*received \([0-9]*\).*/\1/p' <<<"$status")
gaps=$(sed -n 's/.*gaps \([0-9]*\).*/\1/p' <<<"$status")
stop_nbpyd || bad "nbpyd exit status"
read -r want_gaps recorded < <($PY "$RM" gaps "$T/rec.nbpy") || bad "reading rec.nbpy"
check "rec received the loop more than once: $received received, $recorded recorded (capture: 10)" \
	eval '[ -n "$received" ] && [ "$received" = "$recorded" ] && [ "$recorded" -gt 10 ]'
# one loss per pass through the hole at 6, none where a pass starts again at 1
check "rec counted one gap per pass through the lost 6: gaps $gaps, want $want_gaps (at least 2)" \
	eval '[ -n "$gaps" ] && [ "$gaps" = "$want_gaps" ] && [ "$want_gaps" -ge 2 ]'

itest_finish	# stops nbpyd, checks its exit status and every worker's exit
echo "replay modes: $fails failed"
[ $fails -eq 0 ]
