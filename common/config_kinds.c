/* config_kinds.c - the one table of every config key: the [nbpyd] section,
 * the keys every service has, the bus keys of publishers and subscribers, and
 * each worker kind with its own keys.  Validation, docs/configuration.md and
 * `nbpy-worker --list-kinds` all read this table.  A kind's behaviour lives in
 * workers/; only its configuration surface is declared here, so nbpyd can
 * validate a whole file without linking any worker code. */
#include <autoconfig.h>
#include <stdint.h>
#include <string.h>

#include "common/config.h"

#define KEY(n, t, def, doc) { n, t, def, doc, NULL, 0, 0, 0 }
#define KEY_ENUM(n, choices, def, doc) { n, NBPY_KEY_ENUM, def, doc, choices, 0, 0, 0 }
#define KEY_INT(n, lo, hi, def, doc) { n, NBPY_KEY_INT, def, doc, NULL, lo, hi, 0 }
#define KEY_END { NULL, 0, NULL, NULL, NULL, 0, 0, 0 }

const struct nbpy_key_spec nbpy_global_keys[] = {
	KEY("control", NBPY_KEY_ENDPOINT, "ipc:///run/nbpy/control",
	    "ZeroMQ endpoint of the control socket nbpyctl talks to"),
	KEY("state_dir", NBPY_KEY_STRING, "/var/lib/nbpy",
	    "directory for restart history, cursors, spools and SQLite files"),
	KEY("bus_host", NBPY_KEY_STRING, "127.0.0.1",
	    "host publishers bind and subscribers connect to for registry ports"),
	KEY("stop_timeout", NBPY_KEY_DURATION, "10s",
	    "default time a worker has to exit after SIGTERM before SIGKILL"),
	KEY("backoff", NBPY_KEY_DURATION_RANGE, "1s..60s",
	    "restart delay: starts at MIN, doubles per failure up to MAX"),
	KEY_ENUM("log_level", "error|warning|notice|info|debug", "info",
		 "lowest level logged by nbpyd and workers"),
	KEY("run_dir", NBPY_KEY_STRING, "/run/nbpy",
	    "directory for the workers' notify sockets (systemd RuntimeDirectory)"),
	KEY("control_curve_secret", NBPY_KEY_STRING, NULL,
	    "CURVE secret key (Z85) of a tcp control socket; use ${VAR}, not the file"),
	KEY("control_curve_public", NBPY_KEY_STRING, NULL,
	    "CURVE public key (Z85) of a tcp control socket, for nbpyctl"),
	KEY("control_curve_clients", NBPY_KEY_LIST, NULL,
	    "CURVE public keys (Z85) allowed to use a tcp control socket"),
	KEY("control_group", NBPY_KEY_STRING, NULL,
	    "group that owns the ipc control socket (mode 0660); default nbpyd's group"),
	KEY("worker", NBPY_KEY_STRING, NULL,
	    "the worker program for services with a kind: a path, or a name searched in PATH; "
	    "default nbpy-worker beside nbpyd, else in the configured bindir"),
	KEY_INT("history_size", 100, 100000, "200", "restart-history entries kept per service"),
	KEY_INT("log_rate_burst", 0, 1000000000, "1000",
		"log lines a worker may write per log_rate_interval; the rest are dropped and counted (0: no limit)"),
	KEY("log_rate_interval", NBPY_KEY_DURATION, "30s",
	    "the interval of log_rate_burst; one \"suppressed N lines\" line after each that dropped some (0: no limit)"),
	KEY_END
};

const struct nbpy_key_spec nbpy_service_keys[] = {
	KEY("kind", NBPY_KEY_STRING, NULL, "worker kind (see below); optional with `command`"),
	KEY("enabled", NBPY_KEY_BOOL, "yes", "start this service with nbpyd"),
	KEY("command", NBPY_KEY_STRING, NULL,
	    "run this program instead of nbpy-worker (kind `exec`)"),
	KEY("description", NBPY_KEY_STRING, NULL, "free text shown by nbpyctl"),
	/* supervision, read by nbpyd */
	KEY_ENUM("restart", "always|on-failure|never", "always",
		 "restart after any exit, only after a failure, or never"),
	{ "restart_prevent_exit", NBPY_KEY_INT_LIST, "78",
	  "exit codes that never restart (78: configuration error): the service goes fatal",
	  NULL, 0, 255, 0 },
	{ "success_exit", NBPY_KEY_INT_LIST, "0", "exit codes that count as success", NULL, 0, 255, 0 },
	KEY("backoff", NBPY_KEY_DURATION_RANGE, NULL, "restart delay range; default [nbpyd] backoff"),
	KEY("stable_after", NBPY_KEY_DURATION, "60s", "running this long resets the backoff"),
	KEY_INT("crash_loop_count", 2, 1000, "5", "this many exits within crash_loop_window..."),
	KEY("crash_loop_window", NBPY_KEY_DURATION, "60s", "...make the service fatal"),
	KEY("fatal_retry", NBPY_KEY_DURATION, "0",
	    "retry a fatal service after this long (0: wait for nbpyctl start)"),
	KEY("notify", NBPY_KEY_BOOL, NULL,
	    "the program sends READY=1 (default yes for kinds, no for command)"),
	KEY("start_secs", NBPY_KEY_DURATION, "1s", "without notify: alive this long counts as running"),
	KEY("start_timeout", NBPY_KEY_DURATION, "30s", "longest time to become ready"),
	KEY("watchdog", NBPY_KEY_DURATION, "0", "kill and restart when WATCHDOG=1 stops this long (0: off)"),
	KEY_ENUM("stop_signal", "TERM|INT|HUP|QUIT|USR1|USR2", "TERM", "first signal of a stop"),
	KEY("stop_timeout", NBPY_KEY_DURATION, NULL, "then SIGKILL; default [nbpyd] stop_timeout"),
	KEY_INT("log_rate_burst", 0, 1000000000, NULL, "default [nbpyd] log_rate_burst"),
	KEY("log_rate_interval", NBPY_KEY_DURATION, NULL, "default [nbpyd] log_rate_interval"),
	KEY("user", NBPY_KEY_STRING, NULL, "run as this user"),
	KEY("group", NBPY_KEY_STRING, NULL, "run as this group (default: the user's)"),
	KEY("working_dir", NBPY_KEY_STRING, NULL, "start in this directory"),
	KEY("environment", NBPY_KEY_ENV_LIST, NULL, "NAME=VALUE pairs added to the environment"),
	KEY("umask", NBPY_KEY_OCTAL, NULL, "file creation mask, octal (e.g. 027)"),
	KEY_INT("nice", -20, 19, NULL, "scheduling priority"),
	KEY_INT("limit_nofile", 16, 1048576, NULL, "RLIMIT_NOFILE"),
	KEY("limit_core", NBPY_KEY_SIZE, NULL, "RLIMIT_CORE"),
	KEY_END
};

const struct nbpy_key_spec nbpy_publisher_keys[] = {
	KEY("bind", NBPY_KEY_ENDPOINT, NULL,
	    "PUB endpoint; default tcp://BUS_HOST:PORT from the port registry"),
	KEY("topic", NBPY_KEY_STRING, NULL, "topic frame; default from the port registry"),
	KEY_ENUM("wire", "msgpack|legacy", "msgpack",
		 "msgpack, or legacy: the original single-frame SOH text"),
	KEY_INT("sndhwm", 0, 10000000, "100000", "ZeroMQ send high-water mark, in messages"),
	KEY_INT("batch", 1, NBPY_BATCH_MAX, "1",
		"MessagePack messages packed per frame; a batch leaves at the latest when the loop idles"),
	KEY_END
};

const struct nbpy_key_spec nbpy_subscriber_keys[] = {
	KEY("subscribe", NBPY_KEY_LIST, NULL, "services to read, by name (resolved via the registry)"),
	KEY("connect", NBPY_KEY_LIST, NULL, "raw endpoints to read, for publishers outside this file"),
	KEY("topics", NBPY_KEY_LIST, NULL, "topic filters for `connect` endpoints (default: all)"),
	KEY_INT("rcvhwm", 0, 10000000, "100000", "ZeroMQ receive high-water mark, in messages"),
	KEY_END
};

#define KRAKEN_REST_KEYS \
	KEY("url", NBPY_KEY_STRING, "https://api.kraken.com", "Kraken REST base URL"), \
	KEY("pairs", NBPY_KEY_LIST, "all", \
	    "pair names as Kraken's answers key them (XXBTZUSD, not the altname XBTUSD), or `all` " \
	    "(AssetPairs discovery); entries for other pairs are counted as bad"), \
	KEY("interval", NBPY_KEY_DURATION, "1s", "poll interval (Kraken allows ~1 request/s)"), \
	KEY("timeout", NBPY_KEY_DURATION, "10s", "HTTP request timeout"), \
	KEY("user_agent", NBPY_KEY_STRING, "nbpy/" PACKAGE_VERSION, "HTTP User-Agent")

/* {coin, USD pair, EUR pair}: the original's table with its off-by-one
 * pairing fixed (reference 4.2). */
#define EURUSD_LEGS \
	"BCH:BCHUSD:BCHEUR, DASH:DASHUSD:DASHEUR, ETC:XETCZUSD:XETCZEUR, " \
	"ETH:XETHZUSD:XETHZEUR, LTC:XLTCZUSD:XLTCZEUR, XBT:XXBTZUSD:XXBTZEUR, " \
	"XMR:XXMRZUSD:XXMRZEUR, XRP:XXRPZUSD:XXRPZEUR, ZEC:XZECZUSD:XZECZEUR"

static const struct nbpy_key_spec kraken_ticker_keys[] = {
	KRAKEN_REST_KEYS,
	KEY("dark_pool", NBPY_KEY_BOOL, "no", "include dark-pool `.d` pairs in `all`"),
	KEY_END
};

static const struct nbpy_key_spec kraken_depth_keys[] = {
	KRAKEN_REST_KEYS,
	KEY_INT("count", 1, NBPY_BOOK_LEVELS_MAX, "10", "levels per side"),
	KEY("on_signal", NBPY_KEY_BOOL, "no",
	    "also fetch the legs' books when a subscribed synthetic EURUSD spread is negative"),
	KEY_END
};

static const struct nbpy_key_spec kraken_trades_keys[] = {
	KRAKEN_REST_KEYS,
	KEY_END
};

static const struct nbpy_key_spec synth_eurusd_keys[] = {
	KEY("legs", NBPY_KEY_LIST, EURUSD_LEGS, "COIN:USD_PAIR:EUR_PAIR triples"),
	KEY("band_low", NBPY_KEY_DOUBLE, "1.1", "publish only when bid and ask are >= this"),
	KEY("band_high", NBPY_KEY_DOUBLE, "1.3", "publish only when bid and ask are <= this"),
	KEY_ENUM("variant", "a|b", "a",
		 "a: publish on EUR/USD leg updates; b: the original _tick variant, on every pair"),
	KEY_END
};

static const struct nbpy_key_spec synth_eurusd_depth_keys[] = {
	KEY("legs", NBPY_KEY_LIST, EURUSD_LEGS, "COIN:USD_PAIR:EUR_PAIR triples"),
	KEY("band_low", NBPY_KEY_DOUBLE, "1.0", "publish only when bid and ask are >= this"),
	KEY("band_high", NBPY_KEY_DOUBLE, "3.0", "publish only when bid and ask are <= this"),
	KEY_END
};

static const struct nbpy_key_spec sink_file_keys[] = {
	{ "path", NBPY_KEY_STRING, NULL, "capture file to append to (created if missing)", NULL, 0, 0,
	  NBPY_KEY_REQUIRED },
	KEY("fsync_interval", NBPY_KEY_DURATION, "1s", "fsync the file this often (and on stop)"),
	KEY_END
};

static const struct nbpy_key_spec replay_keys[] = {
	{ "path", NBPY_KEY_STRING, NULL, "capture file written by sink.file", NULL, 0, 0,
	  NBPY_KEY_REQUIRED },
	KEY("speed", NBPY_KEY_DOUBLE, "1", "1: recorded pace, 10: ten times faster, 0: as fast as possible"),
	KEY("start_delay", NBPY_KEY_DURATION, "1s", "wait before the first message (subscribers connect)"),
	KEY("loop", NBPY_KEY_BOOL, "no", "start over at the end of the file"),
	KEY("drop", NBPY_KEY_BOOL, "no",
	    "no: at the send high-water mark wait for the slowest subscriber; yes: drop, as live publishers do"),
	KEY_END
};

/* Every store-writing kind (workers/sink/sink.h). */
#define SINK_KEYS \
	KEY_INT("batch_size", 1, 1000000, "5000", "messages per write to the store"), \
	KEY("flush_interval", NBPY_KEY_DURATION, "1s", "write a partial batch after this long"), \
	KEY("spool_max", NBPY_KEY_SIZE, "256MiB", \
	    "on-disk spool (STATE_DIR/spool/SERVICE) while the store is down; beyond it the oldest go"), \
	KEY("retry_backoff", NBPY_KEY_DURATION_RANGE, "1s..30s", "retry delay while the store fails")

static const struct nbpy_key_spec sink_sqlite_keys[] = {
	SINK_KEYS,
	KEY("path", NBPY_KEY_STRING, NULL, "database file; default STATE_DIR/nbpy.sqlite"),
	KEY("busy_timeout", NBPY_KEY_DURATION, "5s", "wait this long for another writer's lock"),
	KEY_END
};

static const struct nbpy_key_spec sink_pgsql_keys[] = {
	SINK_KEYS,
	{ "conninfo", NBPY_KEY_STRING, NULL,
	  "libpq connection string (\"host=... dbname=... user=...\"); passwords via ${VAR} or ~/.pgpass",
	  NULL, 0, 0, NBPY_KEY_REQUIRED },
	KEY("timescaledb", NBPY_KEY_BOOL, "yes", "make new tables hypertables if TimescaleDB is installed"),
	KEY_END
};

#define LINE_PROTOCOL_KEYS \
	KEY_ENUM("precision", "ns|us|ms|s", "ns", "time precision of the points written"), \
	KEY("username", NBPY_KEY_STRING, NULL, "HTTP basic-auth user"), \
	KEY("password", NBPY_KEY_STRING, NULL, "HTTP basic-auth password; use ${VAR}"), \
	KEY("gzip", NBPY_KEY_BOOL, "no", "send bodies gzip-compressed"), \
	KEY("timeout", NBPY_KEY_DURATION, "10s", "HTTP request timeout")

static const struct nbpy_key_spec sink_influxdb_keys[] = {
	SINK_KEYS,
	LINE_PROTOCOL_KEYS,
	KEY("url", NBPY_KEY_STRING, "http://127.0.0.1:8086", "InfluxDB base URL"),
	KEY_ENUM("api", "v1|v2", "v1", "v1: /write with db and rp; v2: /api/v2/write with org and bucket"),
	KEY("db", NBPY_KEY_STRING, "tick", "v1 database"),
	KEY("rp", NBPY_KEY_STRING, NULL, "v1 retention policy; default the database's default"),
	KEY("org", NBPY_KEY_STRING, NULL, "v2 organisation"),
	KEY("bucket", NBPY_KEY_STRING, NULL, "v2 bucket"),
	KEY("token", NBPY_KEY_STRING, NULL, "v2 API token; use ${VAR}"),
	KEY("create_database", NBPY_KEY_BOOL, "no", "v1: CREATE DATABASE when a write says it is missing"),
	KEY_END
};

static const struct nbpy_key_spec sink_kapacitor_keys[] = {
	SINK_KEYS,
	LINE_PROTOCOL_KEYS,
	KEY("url", NBPY_KEY_STRING, "http://127.0.0.1:9092", "Kapacitor base URL"),
	KEY("db", NBPY_KEY_STRING, "tick", "database the stream tasks' dbrps name"),
	{ "rp", NBPY_KEY_STRING, NULL, "retention policy the stream tasks' dbrps name (Kapacitor needs it)",
	  NULL, 0, 0, NBPY_KEY_REQUIRED },
	KEY_END
};

static const struct nbpy_key_spec sink_typedb_keys[] = {
	SINK_KEYS,
	KEY("url", NBPY_KEY_STRING, "http://127.0.0.1:8000", "TypeDB 3.x HTTP API base URL"),
	KEY("database", NBPY_KEY_STRING, "nbpy", "database (created if missing)"),
	KEY("username", NBPY_KEY_STRING, "admin", "user to sign in as"),
	KEY("password", NBPY_KEY_STRING, NULL, "password; use ${VAR}"),
	KEY("timeout", NBPY_KEY_DURATION, "30s", "HTTP request timeout"),
	KEY_END
};

static const struct nbpy_key_spec exec_keys[] = { KEY_END };

const struct nbpy_kind_spec nbpy_kinds[] = {
	{ "exec", "any program given with `command`", NBPY_KIND_PUBLISHES, NBPY_SCHEMA_NONE, exec_keys },
	{ "kraken.ticker", "Kraken REST Ticker, one message per pair per poll",
	  NBPY_KIND_PUBLISHES, NBPY_SCHEMA_KRAKEN_TICKER, kraken_ticker_keys },
	{ "kraken.depth", "Kraken REST Depth, top levels per pair",
	  NBPY_KIND_PUBLISHES | NBPY_KIND_SUBSCRIBES, NBPY_SCHEMA_BOOK_TOP, kraken_depth_keys },
	{ "kraken.trades", "Kraken REST Trades through the `since` cursor",
	  NBPY_KIND_PUBLISHES, NBPY_SCHEMA_TRADE, kraken_trades_keys },
	{ "synth.eurusd", "synthetic EURUSD from crypto ticker legs",
	  NBPY_KIND_PUBLISHES | NBPY_KIND_SUBSCRIBES | NBPY_KIND_NEEDS_INPUT,
	  NBPY_SCHEMA_EURUSD_TICK, synth_eurusd_keys },
	{ "synth.eurusd_depth", "synthetic EURUSD from top-of-book legs",
	  NBPY_KIND_PUBLISHES | NBPY_KIND_SUBSCRIBES | NBPY_KIND_NEEDS_INPUT,
	  NBPY_SCHEMA_EURUSD_DEPTH, synth_eurusd_depth_keys },
	{ "sink.file", "record subscribed messages to a capture file",
	  NBPY_KIND_SUBSCRIBES | NBPY_KIND_NEEDS_INPUT, NBPY_SCHEMA_NONE, sink_file_keys },
	{ "replay", "publish a capture file again, at its pace, faster, or at once",
	  NBPY_KIND_PUBLISHES, NBPY_SCHEMA_NONE, replay_keys },
	{ "sink.sqlite", "store subscribed messages in SQLite tables (the embedded default)",
	  NBPY_KIND_SUBSCRIBES | NBPY_KIND_NEEDS_INPUT, NBPY_SCHEMA_NONE, sink_sqlite_keys },
	{ "sink.pgsql", "store subscribed messages in PostgreSQL tables (COPY, idempotent)",
	  NBPY_KIND_SUBSCRIBES | NBPY_KIND_NEEDS_INPUT, NBPY_SCHEMA_NONE, sink_pgsql_keys },
	{ "sink.influxdb", "write subscribed messages to InfluxDB 1.x or 2.x (line protocol)",
	  NBPY_KIND_SUBSCRIBES | NBPY_KIND_NEEDS_INPUT, NBPY_SCHEMA_NONE, sink_influxdb_keys },
	{ "sink.kapacitor", "write subscribed messages to Kapacitor's write API (line protocol)",
	  NBPY_KIND_SUBSCRIBES | NBPY_KIND_NEEDS_INPUT, NBPY_SCHEMA_NONE, sink_kapacitor_keys },
	{ "sink.typedb", "write subscribed messages to TypeDB 3.x (HTTP API, TypeQL put)",
	  NBPY_KIND_SUBSCRIBES | NBPY_KIND_NEEDS_INPUT, NBPY_SCHEMA_NONE, sink_typedb_keys },
	{ NULL, NULL, 0, NBPY_SCHEMA_NONE, NULL }
};

const struct nbpy_kind_spec *nbpy_kind_find(const char *name)
{
	for (const struct nbpy_kind_spec *k = nbpy_kinds; k->name != NULL; k++)
		if (strcmp(k->name, name) == 0)
			return k;
	return NULL;
}
