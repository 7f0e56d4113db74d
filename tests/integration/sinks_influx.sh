#!/usr/bin/env bash
# sinks_influx.sh - sink.influxdb against the real InfluxDB 1.6 that
# scripts/test starts: every point with its values and event time; InfluxDB
# stopped for seconds mid-stream loses nothing; a replay duplicates nothing.
# sink.kapacitor and sink.influxdb api = v2 against a fake write endpoint
# (tests/fakes/fake_lineproto.py): exact paths, query parameters, headers
# and bodies; 503 retried, 400 dropped and counted.
set -uo pipefail

. "$NBPY_SRCDIR/tests/lib/itest.sh" sinks_influx
. "$S/scripts/lib/servers.sh"
BASE=$(port_base 31)
N=6000
DB=sinks_influx_$$
DATA=$S/tests/integration/sink_data.py
LP_PID=
itest_cleanup_extra() {
	curl -fs -o /dev/null "$NBPY_INFLUX_URL/ping" || servers_influx_ctl start >/dev/null 2>&1
	curl -fs -o /dev/null -XPOST "$NBPY_INFLUX_URL/query" --data-urlencode "q=DROP DATABASE $DB"
	[ -n "$LP_PID" ] && kill "$LP_PID" 2>/dev/null
}
points() {
	curl -fsS -G "$NBPY_INFLUX_URL/query" --data-urlencode "db=$DB" \
		--data-urlencode "q=SELECT count(spread) FROM synthetic" 2>/dev/null |
		$PY -c "import json,sys; r=json.load(sys.stdin)['results'][0]; print(r['series'][0]['values'][0][1] if 'series' in r else 0)" 2>/dev/null ||
		echo 0
}
status_of() { ctl status "$1" 2>/dev/null; }

echo "sinks: InfluxDB, Kapacitor and InfluxDB 2.x ($T)"
$PY "$DATA" gen "$T/ticks.cap" $N
$PY "$DATA" gen "$T/few.cap" 300
$PY "$S/tests/fakes/fake_lineproto.py" $((BASE + 2)) &
LP_PID=$!
FAKE=http://127.0.0.1:$((BASE + 2))
wait_for 5 curl -fs -o /dev/null "$FAKE/_requests" || { bad "fake write endpoint did not start"; exit 1; }
curl -fs -o /dev/null "$FAKE/_mode?path=/kapacitor/v1/write&queue=503,503,400"
cat >"$CONF" <<CONF
$(nbpyd_section)

$(replay_section feed $T/ticks.cap 1 $BASE)

[influx]
kind            = sink.influxdb
subscribe       = feed
url             = $NBPY_INFLUX_URL
db              = $DB
create_database = yes
batch_size      = 500
flush_interval  = 100ms
retry_backoff   = 200ms..1s

$(replay_section few $T/few.cap 0 $((BASE + 1)))

[kap]
kind           = sink.kapacitor
subscribe      = few
url            = $FAKE
db             = tick
rp             = autogen
username       = kap
password       = secret
gzip           = yes
batch_size     = 100
flush_interval = 10s
retry_backoff  = 100ms..200ms

[influx2]
kind           = sink.influxdb
subscribe      = few
api            = v2
url            = $FAKE
org            = nbpy
bucket         = md
token          = T0K3N
precision      = us
batch_size     = 1000
flush_interval = 200ms

# a database nobody created, and no create_database: kept, not dropped
[influx_nodb]
kind           = sink.influxdb
subscribe      = few
url            = $NBPY_INFLUX_URL
db             = nodb_$$
batch_size     = 100
flush_interval = 200ms
retry_backoff  = 200ms..400ms
CONF

start_nbpyd
wait_for 10 all_running feed influx few kap influx2 influx_nodb || bad "services running"

# Outage: InfluxDB goes away 1 s into the stream for 3 s.
sleep 3
if servers_influx_ctl stop; then ok "InfluxDB stopped mid-stream"; else bad "InfluxDB stop"; fi
wait_for 5 sh -c "'$B/nbpyctl' -c '$CONF' status influx | grep -q 'spooled [1-9]'" &&
	ok "influx spools during the outage: $(status_of influx | grep -o 'written.*')" ||
	bad "influx shows no spooled messages: $(status_of influx)"
sleep 2
if servers_influx_ctl start; then ok "InfluxDB started again"; else bad "InfluxDB start"; fi
deadline=$((SECONDS + 20))
while [ "$(points)" != $N ] && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
$PY "$DATA" influx-rows "$NBPY_INFLUX_URL" "$DB" >"$T/influx.rows"
check "influx: all $N points, values and event times exact, after the outage" \
	$PY "$DATA" check-lines $N "$T/influx.rows"

# Replay it all at once: the same points, stored once.
ctl stop feed >/dev/null 2>&1
sed -i 's/^speed       = 1$/speed       = 0/' "$CONF"
ctl reload >/dev/null 2>&1 || bad "reload"
ctl start feed >/dev/null 2>&1
wait_for 20 sh -c "'$B/nbpyctl' -c '$CONF' status influx | grep -q 'written $((2 * N)),'" ||
	bad "influx did not write the replay: $(status_of influx)"
$PY "$DATA" influx-rows "$NBPY_INFLUX_URL" "$DB" >"$T/influx.rows"
check "influx: replayed stream stored once" $PY "$DATA" check-lines $N "$T/influx.rows"

# Kapacitor: 503, 503 (the first batch waits in the spool), 400 (dropped).
wait_for 10 sh -c "'$B/nbpyctl' -c '$CONF' status kap | grep -q 'written 200, spooled 0, dropped 100'" &&
	ok "kapacitor: 503 retried, 400 dropped and counted ($(status_of kap | grep -o 'written.*'))" ||
	bad "kapacitor status: $(status_of kap)"
curl -fsS "$FAKE/_requests" >"$T/requests.json"
curl -fsS "$FAKE/_lines" >"$T/lines.json"
$PY "$DATA" lines 300 >"$T/want.lines"
$PY - "$T/requests.json" "$T/lines.json" "$T/want.lines" <<'PY' && ok "kapacitor and v2: paths, queries, headers and bodies exact" || bad "requests"
import json, sys
reqs = json.load(open(sys.argv[1]))
lines = json.load(open(sys.argv[2]))
want = open(sys.argv[3]).read().splitlines()
kap = [r for r in reqs if r["path"] == "/kapacitor/v1/write"]
v2 = [r for r in reqs if r["path"] == "/api/v2/write"]
assert len(kap) + len(v2) == len(reqs), [r["path"] for r in reqs]
assert [r["status"] for r in kap] == [503, 503, 400, 204, 204], [r["status"] for r in kap]
assert [r["lines"] for r in kap] == [100] * 5, [r["lines"] for r in kap]
for r in kap:
    assert r["query"] == {"db": ["tick"], "rp": ["autogen"], "precision": ["ns"]}, r["query"]
    h = r["headers"]
    assert h["content-encoding"] == "gzip", h
    assert h["content-type"] == "text/plain; charset=utf-8", h
    assert h["authorization"] == "Basic a2FwOnNlY3JldA==", h
    assert h["user-agent"].startswith("nbpy/"), h
for r in v2:
    assert r["query"] == {"org": ["nbpy"], "bucket": ["md"], "precision": ["us"]}, r["query"]
    assert r["headers"]["authorization"] == "Token T0K3N", r["headers"]
    assert "content-encoding" not in r["headers"], r["headers"]
assert sum(r["lines"] for r in v2) == 300, [r["lines"] for r in v2]
# what the fake stored: kapacitor's batches 2 and 3 (ns), all of v2 (us)
kap_lines = [l for l in lines if l.endswith("000") and len(l.rsplit(" ", 1)[1]) == 19]
us_lines = [l for l in lines if len(l.rsplit(" ", 1)[1]) == 16]
assert kap_lines == want[100:], (kap_lines[:1], want[100:101])
assert us_lines == [w[:-3] for w in want], (us_lines[:1], want[:1])
PY

# "database not found" without create_database: every message waits in the
# spool (and the reason is logged) until someone creates the database.
wait_for 10 sh -c "'$B/nbpyctl' -c '$CONF' status influx_nodb | grep -q 'written 0, spooled 300, dropped 0'" &&
	ok "influx: database not found keeps the batch ($(ctl status influx_nodb 2>/dev/null | grep -o 'errors [0-9]*'))" ||
	bad "influx_nodb: $(ctl status influx_nodb 2>/dev/null)"
grep -q 'influx_nodb: write failed: .*HTTP 404 .*database not found' "$T/nbpyd.log" &&
	ok "the 404 is logged with InfluxDB's message" || bad "no 404 in the log"
curl -fsS -o /dev/null -XPOST "$NBPY_INFLUX_URL/query" --data-urlencode "q=CREATE DATABASE nodb_$$"
wait_for 10 sh -c "'$B/nbpyctl' -c '$CONF' status influx_nodb | grep -q 'written 300, spooled 0, dropped 0'" &&
	ok "influx: written once the database exists" || bad "influx_nodb after CREATE: $(ctl status influx_nodb 2>/dev/null)"
curl -fsS -o /dev/null -XPOST "$NBPY_INFLUX_URL/query" --data-urlencode "q=DROP DATABASE nodb_$$"

stop_nbpyd || bad "nbpyd exit status"
[ "$fails" = 0 ]
