# scripts/lib/servers.sh - throwaway PostgreSQL and InfluxDB servers for tests.
#
# Sourced by scripts/test, the one place that starts servers.  Each server
# gets a fresh data directory under $NBPY_SERVERS_DIR, listens on loopback
# only, and is stopped by servers_stop_all (scripts/test traps EXIT, so this
# happens on failure too).  Exports for the tests:
#   NBPY_PG_HOST NBPY_PG_PORT NBPY_PG_USER NBPY_PG_DB   (libpq: PGHOST etc. too)
#   NBPY_INFLUX_URL, NBPY_PG_DIR, and servers_pg_ctl for outage tests
#   (tests/lib/itest.sh sources this file for it)

: "${NBPY_SERVERS_DIR:=$(mktemp -d /tmp/nbpy-servers.XXXXXX)}"
# Below the kernel's ephemeral range (32768-60999), where an outgoing
# connection could hold the port when a server (re)starts.
: "${NBPY_PG_PORT:=25432}"
: "${NBPY_INFLUX_PORT:=28086}"
NBPY_PG_BIN=${NBPY_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
export NBPY_SERVERS_DIR NBPY_PG_BIN

# Run a command as the postgres system user (PostgreSQL refuses root).
_as_postgres() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

# servers_pg_ctl start|stop: the running test server (outage tests use it).
servers_pg_ctl() {
	if [ "$1" = start ]; then
		_as_postgres "$NBPY_PG_BIN/pg_ctl" -D "$NBPY_PG_DIR/data" -l "$NBPY_PG_DIR/server.log" -w -t 30 \
			start -o "-c listen_addresses=127.0.0.1 -p $NBPY_PG_PORT -k $NBPY_PG_DIR/run -c fsync=off" \
			>/dev/null
	else
		_as_postgres "$NBPY_PG_BIN/pg_ctl" -D "$NBPY_PG_DIR/data" -m fast -w -t 30 stop >/dev/null
	fi
}

# servers_start_postgres [NAME]: a cluster in $NBPY_SERVERS_DIR/NAME (pg)
# on $NBPY_PG_PORT; a second one (another NAME and port) serves tests that
# run beside an outage test, which stops the first.
servers_start_postgres() {
	local dir=$NBPY_SERVERS_DIR/${1:-pg}
	chmod 755 "$NBPY_SERVERS_DIR"	# mktemp's 0700 would lock out the postgres user
	mkdir -p "$dir/data" "$dir/run"
	[ "$(id -u)" = 0 ] && chown -R postgres: "$dir"
	_as_postgres "$NBPY_PG_BIN/initdb" -D "$dir/data" -U nbpy -A trust -E UTF8 --no-sync \
		>"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log"; return 1; }
	export NBPY_PG_DIR=$dir
	servers_pg_ctl start || { cat "$dir/server.log"; return 1; }
	export NBPY_PG_HOST=127.0.0.1 NBPY_PG_PORT NBPY_PG_USER=nbpy NBPY_PG_DB=nbpy_test
	export PGHOST=127.0.0.1 PGPORT=$NBPY_PG_PORT PGUSER=nbpy PGDATABASE=postgres
	"$NBPY_PG_BIN/createdb" nbpy_test
	export PGDATABASE=nbpy_test
	echo "servers: PostgreSQL on 127.0.0.1:$NBPY_PG_PORT (data in $dir)"
}

servers_start_influxdb() {
	local dir=$NBPY_SERVERS_DIR/influx i
	mkdir -p "$dir"
	cat >"$dir/influxdb.conf" <<CONF
reporting-disabled = true
bind-address = "127.0.0.1:$((NBPY_INFLUX_PORT + 2))"
[meta]
  dir = "$dir/meta"
[data]
  dir = "$dir/data"
  wal-dir = "$dir/wal"
  query-log-enabled = false
[http]
  bind-address = "127.0.0.1:$NBPY_INFLUX_PORT"
  log-enabled = false
[monitor]
  store-enabled = false
CONF
	export NBPY_INFLUX_DIR=$dir NBPY_INFLUX_URL=http://127.0.0.1:$NBPY_INFLUX_PORT
	servers_influx_ctl start || return 1
	echo "servers: InfluxDB on 127.0.0.1:$NBPY_INFLUX_PORT (data in $dir)"
}

# servers_influx_ctl start|stop: the running test server (outage tests use it).
servers_influx_ctl() {
	local i
	if [ "$1" = stop ]; then
		[ -f "$NBPY_INFLUX_DIR/pid" ] || return 0
		kill "$(cat "$NBPY_INFLUX_DIR/pid")" 2>/dev/null
		for i in $(seq 1 100); do
			kill -0 "$(cat "$NBPY_INFLUX_DIR/pid")" 2>/dev/null || { rm -f "$NBPY_INFLUX_DIR/pid"; return 0; }
			sleep 0.1
		done
		return 1
	fi
	influxd -config "$NBPY_INFLUX_DIR/influxdb.conf" >>"$NBPY_INFLUX_DIR/server.log" 2>&1 &
	echo $! >"$NBPY_INFLUX_DIR/pid"
	for i in $(seq 1 100); do
		curl -fs -o /dev/null "$NBPY_INFLUX_URL/ping" && return 0
		sleep 0.1
	done
	cat "$NBPY_INFLUX_DIR/server.log"
	echo "servers: InfluxDB did not answer /ping within 10 s" >&2
	return 1
}

servers_stop_all() {	# every cluster started, whichever shell started it
	local data
	for data in "$NBPY_SERVERS_DIR"/*/data; do
		[ -f "$data/postmaster.pid" ] || continue
		_as_postgres "$NBPY_PG_BIN/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
	done
	[ -z "${NBPY_INFLUX_DIR:-}" ] || servers_influx_ctl stop || true
	rm -rf "$NBPY_SERVERS_DIR"
}
