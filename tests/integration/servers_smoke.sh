#!/usr/bin/env bash
# servers_smoke.sh - the test servers that scripts/test starts answer, store
# and return data: the base later sink tests build on.
set -euo pipefail

# PostgreSQL: a table, a row in, the same row out.
psql -v ON_ERROR_STOP=1 -qAt -c "CREATE TABLE smoke (source text, seq bigint, bid double precision,
	PRIMARY KEY (source, seq))"
psql -v ON_ERROR_STOP=1 -qAt -c "INSERT INTO smoke VALUES ('kraken_EURUSD', 7, 1.16386)"
got=$(psql -v ON_ERROR_STOP=1 -qAt -c "SELECT source || ' ' || seq || ' ' || bid FROM smoke")
[ "$got" = "kraken_EURUSD 7 1.16386" ] || { echo "postgres returned '$got'"; exit 1; }

# InfluxDB 1.x: create a database, write a point with an explicit time, read it.
curl -fsS -XPOST "$NBPY_INFLUX_URL/query" --data-urlencode "q=CREATE DATABASE smoke" >/dev/null
code=$(curl -sS -o /dev/null -w '%{http_code}' -XPOST "$NBPY_INFLUX_URL/write?db=smoke&precision=ns" \
	--data-binary 'synthetic,instrument=XETHZEUR bid=1.16386 1538079543817645123')
[ "$code" = 204 ] || { echo "influx /write answered $code"; exit 1; }
got=$(curl -fsS -G "$NBPY_INFLUX_URL/query" --data-urlencode "db=smoke" --data-urlencode "epoch=ns" \
	--data-urlencode "q=SELECT bid FROM synthetic")
case "$got" in
*'[1538079543817645123,1.16386]'*) ;;
*) echo "influx returned $got"; exit 1 ;;
esac
echo "servers_smoke: PostgreSQL and InfluxDB round trips ok"
