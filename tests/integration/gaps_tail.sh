#!/usr/bin/env bash
# gaps_tail.sh - a subscriber too slow for a live publisher counts every
# message it lost, those after the last one it received included: a replay
# with drop = yes (a live publisher drops at its send high-water mark) sends
# a capture at full speed to a sink.file with a tiny queue; the sink's gaps
# must equal what was sent minus what it recorded (read from its file).
set -uo pipefail

. "$NBPY_SRCDIR/tests/lib/itest.sh" gaps_tail
BASE=$(port_base 47)
N=100000

echo "gaps: a slow subscriber counts every lost message, the tail too ($T)"
$PY "$S/tests/integration/sink_data.py" gen "$T/ticks.cap" $N
cat >"$CONF" <<CONF
$(nbpyd_section)

$(replay_section feed $T/ticks.cap 0 $BASE)
drop        = yes
sndhwm      = 100

[slow]
kind      = sink.file
subscribe = feed
path      = $T/got.nbpy
rcvhwm    = 100
CONF

# what the sink recorded: count, first and last sequence number
recorded() {
	$PY - "${1:-$T/got.nbpy}" <<'PY'
import struct, msgpack, sys
data, pos, seqs = open(sys.argv[1], "rb").read(), 8, []
while pos + 8 <= len(data):
    length, = struct.unpack_from("<I", data, pos)
    body = data[pos + 8: pos + 8 + length]
    seqs.append(msgpack.unpackb(body[9 + body[8]:], raw=False)[3])
    pos += 8 + length
print(len(seqs), seqs[0] if seqs else 0, seqs[-1] if seqs else 0)
PY
}
counter() { ctl status "$1" 2>/dev/null | grep -o "$2 [0-9]*" | cut -d' ' -f2; }
# the sink has heard of all N: received + gaps, the announcement included
accounted() { [ "$(($(counter slow received) + $(counter slow gaps)))" = $N ]; }

start_nbpyd
wait_for 10 all_running feed slow || bad "services running"
wait_for 10 sh -c "'$B/nbpyctl' -c '$CONF' status feed | grep -q 'published $N,'" || bad "replay published $N"
wait_for 10 accounted || bad "the sink accounts for all $N: $(ctl status slow 2>&1)"
stop_nbpyd || bad "nbpyd exit status"
read -r got first last < <(recorded)
final=$(grep -o 'slow: stopping: received [0-9]*, published 0, errors [0-9]*, gaps [0-9]*' "$T/nbpyd.log")
# (whether the very last message got through depends on the scheduler: the
# tail is provoked for certain below)
check "the slow sink lost messages (recorded $got of $N, seq $first..$last)" \
	eval '[ "$got" -lt $N ] && [ "$first" = 1 ]'
check "its gaps are exactly what it lost: $N - $got = $((N - got)) ($final)" \
	[ "$final" = "slow: stopping: received $got, published 0, errors 0, gaps $((N - got))" ]

# A publisher that skips sequence numbers, in the middle and at the tail
# (its announcement names 1007 after sending up to 1000): 1000 - 20 sent,
# gaps 10 + 10 + 7, whatever the timing.
cat >"$CONF" <<CONF
$(nbpyd_section)

[holes]
kind    = sink.file
connect = tcp://127.0.0.1:$((BASE + 1))
topics  = kr_eurusd_tick
path    = $T/holes.nbpy
CONF
start_nbpyd
check "the sink runs" wait_for 10 all_running holes
sent=$($PY "$S/tests/fakes/holey_pub.py" tcp://127.0.0.1:$((BASE + 1)) 1000 1007 100-109 500-509)
check "the publisher sent 980 (1000 less two holes of 10): $sent" [ "$sent" = 980 ]
stop_nbpyd || bad "nbpyd exit status"
final=$(grep -o 'holes: stopping: received [0-9]*, published 0, errors [0-9]*, gaps [0-9]*' "$T/nbpyd.log")
check "holes in the middle and at the tail are counted: $final" \
	[ "$final" = "holes: stopping: received 980, published 0, errors 0, gaps 27" ]

# Sequence numbers run per (service, topic): a publisher numbering two
# topics on their own shows a subscriber of both no gap; a message equal to
# the last of its stream (same seq and event time) is a repeat, counted and
# not stored; the same seq with another time is not; an announcement counts
# the loss of its own topic only.  N = 500: 1000 ticks + 2, gaps 5.
cat >"$CONF" <<CONF
$(nbpyd_section)

[two]
kind    = sink.file
connect = tcp://127.0.0.1:$((BASE + 2))
topics  = kr_eurusd_tick, kr_eurusd_two
path    = $T/two.nbpy
CONF
start_nbpyd
check "the sink runs" wait_for 10 all_running two
sent=$($PY "$S/tests/fakes/topics_pub.py" tcp://127.0.0.1:$((BASE + 2)) 500)
check "the publisher sent 1002 (a repeat among them): $sent" [ "$sent" = 1002 ]
wait_for 10 sh -c "'$B/nbpyctl' -c '$CONF' status two | grep -q 'gaps 5,'" || true
status=$(ctl status two 2>&1)
check "one repeat, and gaps only at the announced tail: $status" \
	eval 'echo "$status" | grep -q "received 1002, published 0, errors 0, gaps 5, repeats 1,"'
stop_nbpyd || bad "nbpyd exit status"
read -r got first last < <(recorded "$T/two.nbpy")
check "the repeat is not stored: 1001 recorded ($got)" [ "$got" = 1001 ]

itest_finish	# stops nbpyd, checks its exit status and every worker's exit
echo "gaps tail: $fails failed"
[ $fails -eq 0 ]
