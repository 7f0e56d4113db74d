/* test_config.c - config loading: typed values, registry resolution, and
 * the exact FILE:LINE message of every error class. */
#include <stdint.h>

#include "common/config.h"
#include "tests/unit/testutil.h"

/* Load path; expect failure with exactly the given messages (each without
 * the "PATH" prefix, e.g. ":3: unknown key ..."). */
static void expect_errors_in(const char *path, const char *const *expected)
{
	struct nbpy_diag d;
	struct nbpy_config *c = nbpy_config_load(path, &d);
	size_t n = 0;

	while (expected[n] != NULL)
		n++;
	ck_assert_ptr_null(c);
	for (size_t i = 0; i < d.n && i < n; i++) {
		char want[1024];

		(void)snprintf(want, sizeof(want), "%s%s", path, expected[i]);
		ck_assert_str_eq(d.msgs[i], want);
	}
	ck_assert_msg(d.n == n, "%zu messages, expected %zu; first: %s", d.n, n, d.n ? d.msgs[0] : "");
	nbpy_diag_free(&d);
	(void)unlink(path);
}

static void expect_errors(const char *text, const char *const *expected)
{
	expect_errors_in(write_temp(text), expected);
}

#define EXPECT(text, ...) expect_errors(text, (const char *const[]){ __VA_ARGS__, NULL })

static struct nbpy_config *load_ok(const char *text)
{
	const char *path = write_temp(text);
	struct nbpy_diag d;
	struct nbpy_config *c = nbpy_config_load(path, &d);

	ck_assert_msg(c != NULL, "unexpected error: %s", d.n ? d.msgs[0] : "?");
	(void)unlink(path);
	return c;
}

START_TEST(loads_typed_values_and_defaults)
{
	struct nbpy_config *c = load_ok(
		"# comment\n"
		"[nbpyd]\n"
		"state_dir = /tmp/nbpy-state\n"
		"stop_timeout = 1m30s\n"
		"backoff = 250ms..2m\n"
		"\n"
		"[kraken_tick]\n"
		"kind = kraken.ticker\n"
		"pairs = XXBTZEUR, XETHZUSD,\n"
		"   XZECZUSD   # continues the list\n"
		"interval = 2s ; inline comment\n"
		"  url = http://127.0.0.1:9999\n"
		"\n"
		"[kraken_EURUSD]\n"
		"kind = synth.eurusd\n"
		"subscribe = kraken_tick\n"
		"band_low = 1.05\n");
	const struct nbpy_service *t = nbpy_config_service(c, "kraken_tick");
	const struct nbpy_service *e = nbpy_config_service(c, "kraken_EURUSD");
	const struct nbpy_value *v;

	ck_assert_str_eq(nbpy_config_global(c, "state_dir")->text, "/tmp/nbpy-state");
	ck_assert_int_eq(nbpy_config_global(c, "stop_timeout")->v.ns, 90LL * 1000000000);
	ck_assert_int_eq(nbpy_config_global(c, "backoff")->v.range.lo_ns, 250000000);
	ck_assert_int_eq(nbpy_config_global(c, "backoff")->v.range.hi_ns, 120LL * 1000000000);
	ck_assert_str_eq(nbpy_config_global(c, "control")->text, "ipc:///run/nbpy/control");
	ck_assert_ptr_nonnull(t);
	ck_assert_str_eq(t->kind->name, "kraken.ticker");
	ck_assert(t->enabled);
	v = nbpy_service_value(t, "pairs");
	ck_assert_uint_eq(v->n_items, 3);
	ck_assert_str_eq(v->items[0], "XXBTZEUR");
	ck_assert_str_eq(v->items[2], "XZECZUSD");
	ck_assert_int_eq(v->line, 9);
	ck_assert_int_eq(nbpy_service_value(t, "interval")->v.ns, 2000000000);
	ck_assert_int_eq(nbpy_service_value(t, "timeout")->v.ns, 10000000000LL);
	ck_assert_int_eq(nbpy_service_value(t, "timeout")->line, 0);
	ck_assert_str_eq(nbpy_service_value(t, "url")->text, "http://127.0.0.1:9999");
	ck_assert_str_eq(t->bind, "tcp://127.0.0.1:5558");
	ck_assert_str_eq(t->topic, "kraken_tick");
	ck_assert_str_eq(nbpy_service_value(t, "wire")->text, "msgpack");
	ck_assert(nbpy_service_value(e, "band_low")->v.d == 1.05);
	ck_assert(nbpy_service_value(e, "band_high")->v.d == 1.3);
	ck_assert_str_eq(e->bind, "tcp://127.0.0.1:5559");
	ck_assert_uint_eq(e->n_subs, 1);
	ck_assert_str_eq(e->subs[0].service, "kraken_tick");
	ck_assert_str_eq(e->subs[0].endpoint, "tcp://127.0.0.1:5558");
	ck_assert_str_eq(e->subs[0].topic, "kraken_tick");
	ck_assert_int_eq(e->subs[0].schema, NBPY_SCHEMA_KRAKEN_TICKER);
	nbpy_config_free(c);
}
END_TEST

START_TEST(resolves_overrides_registry_and_connect)
{
	struct nbpy_config *c;
	const struct nbpy_service *s;

	ck_assert_int_eq(setenv("NBPY_TEST_SECRET", "hunter2", 1), 0);
	c = load_ok(
		"[nbpyd]\n"
		"state_dir = /srv/nbpy\n"
		"[mytick]\n"
		"kind = kraken.ticker\n"
		"bind = tcp://*:6000\n"
		"topic = mine\n"
		"user_agent = ua-${NBPY_TEST_SECRET}-$$-${state_dir}\n"
		"[kraken_EURUSD]\n"
		"kind = synth.eurusd\n"
		"subscribe = mytick\n"
		"[depth]\n"
		"kind = kraken.depth\n"
		"bind = ipc:///tmp/depth.sock\n"
		"subscribe = kraken_EURUSD_tick\n"
		"connect = tcp://127.0.0.2:7000\n"
		"topics = a, b\n"
		"[legacy_script]\n"
		"command = /usr/bin/python3 pub_kraken_tick.py\n"
		"enabled = no\n");
	s = nbpy_config_service(c, "mytick");
	ck_assert_str_eq(s->bind, "tcp://*:6000");
	ck_assert_str_eq(s->topic, "mine");
	ck_assert_str_eq(nbpy_service_value(s, "user_agent")->text, "ua-hunter2-$-/srv/nbpy");
	s = nbpy_config_service(c, "kraken_EURUSD");
	ck_assert_str_eq(s->subs[0].endpoint, "tcp://127.0.0.1:6000");
	ck_assert_str_eq(s->subs[0].topic, "mine");
	s = nbpy_config_service(c, "depth");
	ck_assert_uint_eq(s->n_subs, 3);
	ck_assert_str_eq(s->subs[0].endpoint, "tcp://127.0.0.1:5578");	/* registry */
	ck_assert_str_eq(s->subs[0].topic, "kr_eurusd_tick");
	ck_assert_ptr_null(s->subs[1].service);
	ck_assert_str_eq(s->subs[1].endpoint, "tcp://127.0.0.2:7000");
	ck_assert_str_eq(s->subs[2].topic, "b");
	s = nbpy_config_service(c, "legacy_script");
	ck_assert_str_eq(s->kind->name, "exec");
	ck_assert(!s->enabled);
	ck_assert_ptr_null(s->bind);
	nbpy_config_free(c);
}
END_TEST

START_TEST(error_unknown_key_suggests)
{
	EXPECT("[kraken_tick]\nkind = kraken.ticker\nintervl = 1s\nzzz = 1\n",
	       ":3: unknown key 'intervl' in [kraken_tick] (kind kraken.ticker); did you mean 'interval'?",
	       ":4: unknown key 'zzz' in [kraken_tick] (kind kraken.ticker)");
	EXPECT("[nbpyd]\nstate-dir = /x\n", ":2: unknown key 'state-dir' in [nbpyd]; did you mean 'state_dir'?");
}
END_TEST

START_TEST(error_bad_values)
{
	EXPECT("[kraken_tick]\nkind = kraken.ticker\ninterval = fast\n",
	       ":3: [kraken_tick] interval: bad duration 'fast': expected a number and a unit "
	       "(ns, us, ms, s, m, h, d), e.g. 250ms or 1m30s");
	EXPECT("[kraken_tick]\nkind = kraken.ticker\nenabled = maybe\n",
	       ":3: [kraken_tick] enabled: bad boolean 'maybe': expected yes or no");
	EXPECT("[kraken_depth]\nkind = kraken.depth\ncount = 33\n",
	       ":3: [kraken_depth] count: 33 is out of range 1..32");
	EXPECT("[kraken_tick]\nkind = kraken.ticker\nwire = json\n",
	       ":3: [kraken_tick] wire: bad value 'json': expected one of msgpack|legacy");
	EXPECT("[kraken_tick]\nkind = kraken.ticker\nbind = tcp://127.0.0.1:99999\n",
	       ":3: [kraken_tick] bind: bad endpoint 'tcp://127.0.0.1:99999': port must be 1..65535");
	EXPECT("[nbpyd]\nbackoff = 60s..1s\n",
	       ":2: [nbpyd] backoff: bad range '60s..1s': expected MIN..MAX durations with 0 < MIN <= MAX, e.g. 1s..60s");
	EXPECT("[kraken_tick]\nkind = kraken.ticker\npairs = a,,b\n",
	       ":3: [kraken_tick] pairs: bad list 'a,,b': expected comma-separated items, none empty");
	EXPECT("[kraken_tick]\nkind = kraken.ticker\nurl = ${NBPY_TEST_UNSET_VAR}\n",
	       ":3: [kraken_tick] url: ${NBPY_TEST_UNSET_VAR} is not set in the environment");
	EXPECT("[kraken_tick]\nkind = kraken.ticker\nurl = ${oops\n",
	       ":3: [kraken_tick] url: unterminated or empty ${...}");
	EXPECT("[x]\ncommand = y\nrestart_prevent_exit = 78, 300\n",
	       ":3: [x] restart_prevent_exit: bad item '300': expected integers 0..255");
	EXPECT("[x]\ncommand = y\nenvironment = A=1, 2B\n",
	       ":3: [x] environment: bad item '2B': expected NAME=VALUE");
	EXPECT("[x]\ncommand = y\numask = 099\n",
	       ":3: [x] umask: bad octal mode '099': expected 000..777, e.g. 027");
	EXPECT("[x]\ncommand = y\nrestart = sometimes\n",
	       ":3: [x] restart: bad value 'sometimes': expected one of always|on-failure|never");
	EXPECT("[kraken_tick]\nkind = kraken.ticker\nwire = legacy\nbatch = 4\n",
	       ":4: [kraken_tick] batch: legacy frames cannot be batched");
	EXPECT("[kraken_tick]\nkind = kraken.ticker\ninterval = 1s\n  2s\n",
	       ":3: [kraken_tick] interval: continuation lines are only for lists");
}
END_TEST

START_TEST(error_sections_and_kinds)
{
	EXPECT("[a]\nkind = exec\ncommand = /bin/true\n[b]\ncommand = /bin/true\n[a]\ncommand = x\n",
	       ":6: duplicate section [a] (first at line 1)");
	EXPECT("[kraken_tick]\nkind = kraken.tick\n",
	       ":2: unknown kind 'kraken.tick'; did you mean 'kraken.ticker'?");
	EXPECT("[x]\nkind = teleport\n", ":2: unknown kind 'teleport' (nbpy-worker --list-kinds lists them)");
	EXPECT("[x]\nenabled = yes\n", ":1: [x] has no kind: set kind = KIND or command = PROGRAM");
	EXPECT("[x]\nkind = exec\n", ":1: [x] kind exec needs 'command'");
	EXPECT("[bad name]\n", ":1: bad section name 'bad name': use 1-63 letters, digits, '_', '.' or '-'");
	EXPECT("[x\n", ":1: section header without ']'");
	EXPECT("kind = exec\n[x]\ncommand = y\n", ":1: key outside any section");
	EXPECT("[x]\ncommand = y\njust words\n", ":3: expected 'key = value'");
	EXPECT("[x]\n  orphan\ncommand = y\n", ":2: indented line continues no key");
	EXPECT("[x]\ncommand = y\ncommand = z\n", ":3: duplicate key 'command' in [x] (first at line 2)");
}
END_TEST

/* A section of no kind, or of an unknown one, still has its unknown keys
 * named; keys some kind accepts are left to the missing kind. */
START_TEST(error_unknown_key_without_kind)
{
	EXPECT("[x]\nCommand = /bin/true\n",
	       ":1: [x] has no kind: set kind = KIND or command = PROGRAM",
	       ":2: unknown key 'Command' in [x]; did you mean 'command'?");
	EXPECT("[x]\nkind = teleport\nintervl = 1s\nzzz = 1\npairs = all\n",
	       ":2: unknown kind 'teleport' (nbpy-worker --list-kinds lists them)",
	       ":3: unknown key 'intervl' in [x]; did you mean 'interval'?",
	       ":4: unknown key 'zzz' in [x]");
	EXPECT("[x]\npairs = all\nuser = nobody\n", ":1: [x] has no kind: set kind = KIND or command = PROGRAM");
}
END_TEST

/* A NUL byte is named as such, not as an overlong line. */
START_TEST(error_nul_byte)
{
	static const char text[] = "[x]\ncommand = y\ndescription = a\0b\nnice = 5\n";
	char path[] = "/tmp/nbpy-test-XXXXXX";
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, sizeof(text) - 1), (ssize_t)sizeof(text) - 1);
	ck_assert_int_eq(close(fd), 0);
	expect_errors_in(path, (const char *const[]){ ":3: NUL byte in the line (not a text file?)", NULL });
}
END_TEST

/* After 100 problems one message says so; the text is every message, one
 * per line. */
START_TEST(diag_cap_and_text)
{
	char text[200 * 16] = "[x]\ncommand = y\n", want[64];
	const char *path;
	struct nbpy_diag d;
	char *all;
	size_t len = strlen(text), lines = 0;

	for (int i = 0; i < 150; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len, "k%d = 1\n", i);
	path = write_temp(text);
	ck_assert_ptr_null(nbpy_config_load(path, &d));
	ck_assert_uint_eq(d.n, 101);
	(void)snprintf(want, sizeof(want), "%s:3: unknown key 'k0' in [x] (kind exec)", path);
	ck_assert_str_eq(d.msgs[0], want);
	(void)snprintf(want, sizeof(want), "%s: too many errors, stopped after 100", path);
	ck_assert_str_eq(d.msgs[100], want);
	all = nbpy_diag_text(&d);
	ck_assert_ptr_nonnull(all);
	for (const char *p = all; *p; p++)
		lines += *p == '\n';
	ck_assert_uint_eq(lines, 101);
	ck_assert(strncmp(all, d.msgs[0], strlen(d.msgs[0])) == 0 && all[strlen(d.msgs[0])] == '\n');
	ck_assert(strncmp(all + strlen(all) - strlen(want) - 1, want, strlen(want)) == 0);
	free(all);
	nbpy_diag_free(&d);
	(void)unlink(path);
}
END_TEST

START_TEST(error_port_clash_and_subscriptions)
{
	EXPECT("[kraken_tick]\nkind = kraken.ticker\n"
	       "[other]\nkind = kraken.trades\nbind = tcp://*:5558\n",
	       ":5: [other] bind tcp://*:5558 clashes with [kraken_tick] (line 1)");
	/* A disabled service holds no port. */
	{
		struct nbpy_config *c = load_ok("[kraken_tick]\nkind = kraken.ticker\n"
						"[other]\nkind = kraken.trades\nbind = tcp://*:5558\nenabled = no\n");
		nbpy_config_free(c);
	}
	EXPECT("[nbpyd]\ncontrol = ipc:///tmp/nbpy-c\n[kraken_tick]\nkind = kraken.ticker\nbind = ipc:///tmp/nbpy-c\n",
	       ":5: [kraken_tick] bind ipc:///tmp/nbpy-c clashes with the control socket");
	/* a tcp control socket needs CURVE keys, valid ones */
	EXPECT("[nbpyd]\ncontrol = tcp://127.0.0.1:7000\n",
	       ":2: [nbpyd] control tcp://127.0.0.1:7000: a tcp control socket needs control_curve_secret "
	       "(nbpyctl keygen makes a key pair)",
	       ":2: [nbpyd] control tcp://127.0.0.1:7000: a tcp control socket needs control_curve_public "
	       "(nbpyctl keygen makes a key pair)",
	       ":2: [nbpyd] control tcp://127.0.0.1:7000: a tcp control socket needs control_curve_clients");
	EXPECT("[nbpyd]\ncontrol = tcp://127.0.0.1:7000\ncontrol_curve_secret = short\n"
	       "control_curve_public = rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7\n"
	       "control_curve_clients = rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7, nope\n",
	       ":3: [nbpyd] control_curve_secret: not a 40-character Z85 key",
	       ":5: [nbpyd] control_curve_clients: 'nope' is not a 40-character Z85 key");
	EXPECT("[e]\nkind = synth.eurusd\nbind = tcp://127.0.0.1:7001\nsubscribe = kraken_tik\n",
	       ":4: [e] subscribe: unknown service 'kraken_tik'; did you mean 'kraken_tick'?");
	EXPECT("[e]\nkind = synth.eurusd\nbind = tcp://127.0.0.1:7001\n",
	       ":1: [e] needs an input: set subscribe = SERVICE");
	EXPECT("[e]\nkind = synth.eurusd\nbind = tcp://127.0.0.1:7001\nsubscribe = e\n",
	       ":4: [e] subscribes to itself");
	EXPECT("[e]\nkind = synth.eurusd\nbind = tcp://127.0.0.1:7001\nsubscribe = s\n[s]\ncommand = x\n",
	       ":4: [e] subscribe: [s] publishes nothing");
	EXPECT("[mine]\nkind = kraken.ticker\n",
	       ":1: [mine] has no port in the registry: set bind = tcp://HOST:PORT");
}
END_TEST

/* A kind's accepted schemas are checked at load, for inputs by name: from
 * the registry and from a section of the file (docs/wire-format.md names
 * the schemas). */
START_TEST(error_input_schema_not_accepted)
{
	EXPECT("[e]\nkind = synth.eurusd\nbind = tcp://127.0.0.1:7001\nsubscribe = kraken_depth\n",
	       ":4: [e] subscribe: kraken_depth publishes book_top, which kind synth.eurusd does not read");
	EXPECT("[t]\nkind = kraken.trades\nbind = tcp://127.0.0.1:7002\npairs = XXBTZUSD\n"
	       "[e]\nkind = synth.eurusd_depth\nbind = tcp://127.0.0.1:7001\n"
	       "subscribe = t, kraken_depth\n",
	       ":8: [e] subscribe: t publishes trade, which kind synth.eurusd_depth does not read");
	/* sinks read anything; an endpoint's schema is not known at load */
	nbpy_config_free(load_ok("[s]\nkind = sink.file\npath = /tmp/x\nsubscribe = kraken_depth, oanda\n"
				 "[e]\nkind = synth.eurusd\nbind = tcp://127.0.0.1:7001\n"
				 "connect = tcp://127.0.0.1:7009\n"));
}
END_TEST

/* The settings field a kind key is bound to, by the key's name. */
static const void *setting(const struct nbpy_service *s, const char *key)
{
	for (const struct nbpy_key_spec *k = s->kind->keys; k->name != NULL; k++)
		if (strcmp(k->name, key) == 0)
			return (const char *)s->settings + k->offset;
	ck_abort_msg("kind %s has no key %s", s->kind->name, key);
	return NULL;
}

/* Loading fills each kind's settings struct from its keys, given or
 * default, each value typed; an unset key without a default stays zero. */
START_TEST(settings_filled_from_keys)
{
	struct nbpy_config *c = load_ok(
		"[kraken_tick]\n"
		"kind = kraken.ticker\n"
		"pairs = XXBTZUSD,\n  XETHZEUR\n"
		"interval = 2s\n"
		"[kraken_EURUSD]\n"
		"kind = synth.eurusd\n"
		"subscribe = kraken_tick\n"
		"band_low = 1.05\n"
		"variant = b\n"
		"[influx]\n"
		"kind = sink.influxdb\n"
		"subscribe = kraken_EURUSD\n"
		"precision = ms\n"
		"spool_max = 1MiB\n"
		"retry_backoff = 2s..4s\n"
		"gzip = yes\n"
		"batch_size = 7\n");
	const struct nbpy_service *t = nbpy_config_service(c, "kraken_tick");
	const struct nbpy_service *e = nbpy_config_service(c, "kraken_EURUSD");
	const struct nbpy_service *i = nbpy_config_service(c, "influx");
	const struct nbpy_list *pairs = setting(t, "pairs");
	const struct nbpy_range *backoff = setting(i, "retry_backoff");

	ck_assert_uint_eq(pairs->n, 2);
	ck_assert_str_eq(pairs->items[0], "XXBTZUSD");
	ck_assert_str_eq(pairs->items[1], "XETHZEUR");
	ck_assert_int_eq(*(const int64_t *)setting(t, "interval"), 2000000000LL);
	ck_assert_int_eq(*(const int64_t *)setting(t, "timeout"), 10000000000LL);	/* default */
	ck_assert_str_eq(*(const char *const *)setting(t, "url"), "https://api.kraken.com");
	ck_assert(!*(const bool *)setting(t, "dark_pool"));
	ck_assert(*(const double *)setting(e, "band_low") == 1.05);
	ck_assert(*(const double *)setting(e, "band_high") == 1.3);
	ck_assert_int_eq(*(const int *)setting(e, "variant"), 1);	/* "a|b" */
	ck_assert_uint_eq(((const struct nbpy_list *)setting(e, "legs"))->n, 9);
	ck_assert_int_eq(*(const int *)setting(i, "precision"), 2);	/* "ns|us|ms|s" */
	ck_assert_int_eq(*(const int *)setting(i, "api"), 0);
	ck_assert_uint_eq(*(const uint64_t *)setting(i, "spool_max"), 1048576);
	ck_assert_int_eq(backoff->lo_ns, 2000000000LL);
	ck_assert_int_eq(backoff->hi_ns, 4000000000LL);
	ck_assert(*(const bool *)setting(i, "gzip"));
	ck_assert_int_eq(*(const int64_t *)setting(i, "batch_size"), 7);
	ck_assert_ptr_null(*(const char *const *)setting(i, "token"));	/* unset, no default */
	/* a kind's FILE:LINE for a value: the key's line, else the section's */
	ck_assert_int_eq(nbpy_service_setting_line(t, setting(t, "interval")), 5);
	ck_assert_int_eq(nbpy_service_setting_line(t, setting(t, "timeout")), 1);
	nbpy_config_free(c);
}
END_TEST

/* Every kind key has a field of its own inside the kind's settings. */
START_TEST(every_kind_key_has_its_own_field)
{
	static const size_t size[] = {
		[NBPY_KEY_STRING] = sizeof(const char *), [NBPY_KEY_BOOL] = sizeof(bool),
		[NBPY_KEY_INT] = sizeof(int64_t), [NBPY_KEY_DOUBLE] = sizeof(double),
		[NBPY_KEY_DURATION] = sizeof(int64_t), [NBPY_KEY_DURATION_RANGE] = sizeof(struct nbpy_range),
		[NBPY_KEY_SIZE] = sizeof(uint64_t), [NBPY_KEY_LIST] = sizeof(struct nbpy_list),
		[NBPY_KEY_ENUM] = sizeof(int), [NBPY_KEY_ENDPOINT] = sizeof(const char *),
	};

	for (const struct nbpy_kind_spec *const *kind = nbpy_kinds; *kind; kind++) {
		const struct nbpy_key_spec *keys = (*kind)->keys;

		/* offsets are 16 bits (config.h) */
		ck_assert_msg((*kind)->settings_size <= 65535, "%s: settings too large", (*kind)->name);
		for (size_t a = 0; keys[a].name; a++) {
			ck_assert_msg(keys[a].type < sizeof(size) / sizeof(size[0]) && size[keys[a].type] > 0,
				      "%s.%s: a type kinds do not use", (*kind)->name, keys[a].name);
			ck_assert_msg(keys[a].offset + size[keys[a].type] <= (*kind)->settings_size,
				      "%s.%s: field outside the settings", (*kind)->name, keys[a].name);
			for (size_t b = 0; b < a; b++)
				ck_assert_msg(keys[a].offset + size[keys[a].type] <= keys[b].offset ||
					      keys[b].offset + size[keys[b].type] <= keys[a].offset,
					      "%s: %s and %s share a field", (*kind)->name, keys[a].name,
					      keys[b].name);
		}
	}
}
END_TEST

START_TEST(error_file_and_line_limits)
{
	char text[512];
	struct nbpy_diag d;

	ck_assert_ptr_null(nbpy_config_load("/nonexistent/nbpy.conf", &d));
	ck_assert_uint_eq(d.n, 1);
	ck_assert_str_eq(d.msgs[0], "/nonexistent/nbpy.conf: cannot open: No such file or directory");
	nbpy_diag_free(&d);

	(void)snprintf(text, sizeof(text), "[x]\ncommand = y\ndescription = %0300d\n", 7);
	EXPECT(text, ":3: line longer than 198 characters (continue a list on indented lines)");
}
END_TEST

/* Programs exit 78 (EX_CONFIG) after printing every problem. */
START_TEST(load_or_exit_exits_78)
{
	const char *path = write_temp("[x]\nkind = nope\n");

	(void)nbpy_config_load_or_exit(path);
	ck_abort_msg("did not exit");
}
END_TEST

START_TEST(shipped_config_is_valid)
{
	char path[1024];
	const char *data = getenv("NBPY_SRCDIR");
	struct nbpy_diag d;
	struct nbpy_config *c;

	ck_assert_ptr_nonnull(data);
	(void)snprintf(path, sizeof(path), "%s/etc/nbpy.conf", data);
	c = nbpy_config_load(path, &d);
	ck_assert_msg(c != NULL, "%s", d.n ? d.msgs[0] : "?");
	ck_assert(nbpy_config_service(c, "kraken_tick")->enabled);
	ck_assert(nbpy_config_service(c, "kraken_EURUSD")->enabled);
	nbpy_config_free(c);
}
END_TEST

/* The EXAMPLE of nbpy.conf(5), verbatim. */
START_TEST(man_page_example_loads)
{
	struct nbpy_config *c = load_ok(
		"[nbpyd]\n"
		"state_dir = /var/lib/nbpy\n"
		"\n"
		"[kraken_tick]\n"
		"kind     = kraken.ticker\n"
		"pairs    = XXBTZEUR, XXBTZUSD,\n"
		"           XETHZEUR, XETHZUSD\n"
		"interval = 1s\n"
		"\n"
		"[kraken_EURUSD]\n"
		"kind      = synth.eurusd\n"
		"subscribe = kraken_tick\n"
		"\n"
		"[old_python_sink]\n"
		"command = /usr/bin/python3 /opt/nbpy/sub_kraken_EURUSD.py\n"
		"enabled = no\n");

	ck_assert_uint_eq(nbpy_service_value(nbpy_config_service(c, "kraken_tick"), "pairs")->n_items, 4);
	ck_assert_uint_eq(c->n_services, 3);
	nbpy_config_free(c);
}
END_TEST

/* ---- KEY_file for secret keys ---- */

#define SECRET "s3cr3t-Zq8vWx"	/* appears in no message */
#define INFLUX_HEAD "[kraken_tick]\nkind = kraken.ticker\n[influx]\nkind = sink.influxdb\nsubscribe = kraken_tick\n"

static const char *write_secret(const char *content, size_t len)
{
	const char *path = write_temp("");
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(content, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
	return path;
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"	/* both formats take the path */
/* Load text (its "%s" the secret file's path), expect failure with exactly
 * one message ":LINE: [SECTION] KEY: PATH WHAT", the secret in none. */
static void expect_secret_error(const char *fmt, const char *secret_path, const char *expected_fmt)
{
	char text[1024], want[1024];
	const char *path;
	struct nbpy_diag d;

	(void)snprintf(text, sizeof(text), fmt, secret_path);
	path = write_temp(text);
	ck_assert_ptr_null(nbpy_config_load(path, &d));
	(void)snprintf(text, sizeof(text), expected_fmt, secret_path);
	(void)snprintf(want, sizeof(want), "%s%s", path, text);
	ck_assert_msg(d.n == 1, "%zu messages; first: %s", d.n, d.n ? d.msgs[0] : "");
	ck_assert_str_eq(d.msgs[0], want);
	for (size_t i = 0; i < d.n; i++)
		ck_assert_msg(strstr(d.msgs[i], SECRET) == NULL, "secret in: %s", d.msgs[i]);
	nbpy_diag_free(&d);
	(void)unlink(path);
}
#pragma GCC diagnostic pop

START_TEST(secret_read_from_key_file)
{
	const char *pw = write_secret(SECRET "\n", strlen(SECRET) + 1);
	const char *tok = write_secret(SECRET "2", strlen(SECRET) + 1);
	char text[1024], ctl[1024];
	struct nbpy_config *c;
	const struct nbpy_service *i;

	(void)snprintf(text, sizeof(text), INFLUX_HEAD "password_file = %s\ntoken_file = %s\n", pw, tok);
	c = load_ok(text);
	i = nbpy_config_service(c, "influx");
	/* one trailing newline trimmed; none there is fine */
	ck_assert_str_eq(nbpy_service_value(i, "password")->text, SECRET);
	ck_assert_str_eq(nbpy_service_value(i, "token")->text, SECRET "2");
	ck_assert_str_eq(*(const char *const *)setting(i, "password"), SECRET);
	ck_assert_int_eq(nbpy_service_value(i, "password")->line, 6);
	nbpy_config_free(c);

	/* ${VAR} in the path (systemd: ${CREDENTIALS_DIRECTORY}/NAME) */
	ck_assert_int_eq(setenv("NBPY_TEST_CRED_PATH", pw, 1), 0);
	c = load_ok(INFLUX_HEAD "password_file = ${NBPY_TEST_CRED_PATH}\n");
	ck_assert_str_eq(nbpy_service_value(nbpy_config_service(c, "influx"), "password")->text, SECRET);
	nbpy_config_free(c);

	/* typedb, and the global control_curve_secret (a file without newline) */
	(void)unlink(tok);
	tok = write_secret("rq9C+hUP/6!I5QaIhsPuVPRJf]iwnT-q.[tu6B&&", 40);
	(void)snprintf(ctl, sizeof(ctl),
		       "[nbpyd]\ncontrol = tcp://127.0.0.1:7000\ncontrol_curve_secret_file = %s\n"
		       "control_curve_public = Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID\n"
		       "control_curve_clients = Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID\n"
		       "[kraken_tick]\nkind = kraken.ticker\n[t]\nkind = sink.typedb\nsubscribe = kraken_tick\npassword_file = %s\n",
		       tok, pw);
	c = load_ok(ctl);
	ck_assert_str_eq(nbpy_config_global(c, "control_curve_secret")->text,
			 "rq9C+hUP/6!I5QaIhsPuVPRJf]iwnT-q.[tu6B&&");
	ck_assert_str_eq(nbpy_service_value(nbpy_config_service(c, "t"), "password")->text, SECRET);
	nbpy_config_free(c);
	(void)unlink(pw);
	(void)unlink(tok);
}
END_TEST

/* A disabled service may name a credential not given yet: the problem
 * waits in unresolved (for the worker, if it is started); enabled, it is
 * an error.  Other keys of a disabled service are checked as ever. */
START_TEST(secret_of_disabled_service_waits)
{
	struct nbpy_config *c;
	const struct nbpy_service *i;
	char want[256];
	const char *path;

	ck_assert_int_eq(unsetenv("NBPY_TEST_NO_SUCH_TOKEN"), 0);
	path = write_temp(INFLUX_HEAD "enabled = no\ntoken = ${NBPY_TEST_NO_SUCH_TOKEN}\n");
	{
		struct nbpy_diag d;

		c = nbpy_config_load(path, &d);
		ck_assert_msg(c != NULL, "unexpected error: %s", d.n ? d.msgs[0] : "?");
	}
	i = nbpy_config_service(c, "influx");
	(void)snprintf(want, sizeof(want), "%s:7: [influx] token: ${NBPY_TEST_NO_SUCH_TOKEN} is not set in the environment",
		       path);
	ck_assert_ptr_nonnull(i->unresolved);
	ck_assert_str_eq(i->unresolved, want);
	ck_assert_ptr_null(nbpy_config_service(c, "kraken_tick")->unresolved);
	nbpy_config_free(c);
	(void)unlink(path);
	c = load_ok(INFLUX_HEAD "enabled = no\ntoken_file = /nonexistent/token\n");
	ck_assert_ptr_nonnull(strstr(nbpy_config_service(c, "influx")->unresolved,
				     "token_file: cannot open /nonexistent/token"));
	nbpy_config_free(c);
	EXPECT(INFLUX_HEAD "enabled = yes\ntoken = ${NBPY_TEST_NO_SUCH_TOKEN}\n",
	       ":7: [influx] token: ${NBPY_TEST_NO_SUCH_TOKEN} is not set in the environment");
	EXPECT(INFLUX_HEAD "enabled = no\nurl = ${NBPY_TEST_NO_SUCH_TOKEN}\n",
	       ":7: [influx] url: ${NBPY_TEST_NO_SUCH_TOKEN} is not set in the environment");
}
END_TEST

START_TEST(secret_file_errors_name_path_not_content)
{
	char big[NBPY_SECRET_FILE_MAX + 2];
	const char *p;

	p = write_secret("", 0);
	expect_secret_error(INFLUX_HEAD "password_file = %s\n", p, ":6: [influx] password_file: %s is empty");
	(void)unlink(p);
	p = write_secret("\n", 1);
	expect_secret_error(INFLUX_HEAD "password_file = %s\n", p, ":6: [influx] password_file: %s is empty");
	(void)unlink(p);
	p = write_secret(SECRET "\n\n", strlen(SECRET) + 2);
	expect_secret_error(INFLUX_HEAD "token_file = %s\n", p, ":6: [influx] token_file: %s holds more than one line");
	(void)unlink(p);
	p = write_secret(SECRET "\0" SECRET, 2 * strlen(SECRET) + 1);
	expect_secret_error(INFLUX_HEAD "token_file = %s\n", p, ":6: [influx] token_file: %s holds a NUL byte");
	(void)unlink(p);
	/* the bound, plus a newline, loads; one byte more does not */
	memset(big, 'x', sizeof(big));
	memcpy(big, SECRET, strlen(SECRET));
	big[NBPY_SECRET_FILE_MAX] = '\n';
	p = write_secret(big, NBPY_SECRET_FILE_MAX + 1);
	{
		char text[1024];
		struct nbpy_config *c;

		(void)snprintf(text, sizeof(text), INFLUX_HEAD "password_file = %s\n", p);
		c = load_ok(text);
		ck_assert_uint_eq(strlen(nbpy_service_value(nbpy_config_service(c, "influx"), "password")->text),
				  NBPY_SECRET_FILE_MAX);
		nbpy_config_free(c);
	}
	(void)unlink(p);
	p = write_secret(big, NBPY_SECRET_FILE_MAX + 2);
	expect_secret_error(INFLUX_HEAD "password_file = %s\n", p,
			    ":6: [influx] password_file: %s is larger than 65536 bytes");
	(void)unlink(p);
	big[NBPY_SECRET_FILE_MAX] = 'x';
	p = write_secret(big, NBPY_SECRET_FILE_MAX + 1);
	expect_secret_error(INFLUX_HEAD "password_file = %s\n", p,
			    ":6: [influx] password_file: %s is larger than 65536 bytes");
	/* missing (and a directory: unreadable) */
	(void)unlink(p);
	expect_secret_error(INFLUX_HEAD "password_file = %s\n", p,
			    ":6: [influx] password_file: cannot open %s: No such file or directory");
	expect_secret_error(INFLUX_HEAD "password_file = %s\n", "/", ":6: [influx] password_file: cannot read %s");

	/* both forms, either order; and the file form twice */
	p = write_secret(SECRET, strlen(SECRET));
	expect_secret_error(INFLUX_HEAD "password = " SECRET "\npassword_file = %s\n", p,
			    ":7: [influx] password and password_file both given (the other at line 6)");
	expect_secret_error(INFLUX_HEAD "password_file = %s\npassword = " SECRET "\n", p,
			    ":7: [influx] password and password_file both given (the other at line 6)");
	expect_secret_error(INFLUX_HEAD "password_file = %s\npassword_file = /x\n", p,
			    ":7: duplicate key 'password_file' in [influx] (first at line 6)");
	(void)unlink(p);
	/* only secret keys have a file form */
	EXPECT(INFLUX_HEAD "url_file = /x\n", ":6: unknown key 'url_file' in [influx] (kind sink.influxdb)");
	EXPECT("[nbpyd]\nstate_dir_file = /x\n", ":2: unknown key 'state_dir_file' in [nbpyd]");
}
END_TEST

/* Every default in the key table parses as its own type. */
START_TEST(every_default_parses)
{
	const struct nbpy_key_spec *tables[] = { nbpy_global_keys, nbpy_service_keys,
						 nbpy_publisher_keys, nbpy_subscriber_keys };
	char why[256];

	for (size_t t = 0; t < 4; t++)
		for (const struct nbpy_key_spec *k = tables[t]; k->name; k++) {
			struct nbpy_value v = { 0 };

			if (k->def)
				ck_assert_msg(nbpy_value_parse(k, k->def, &v, why, sizeof(why)) == 0,
					      "%s: %s", k->name, why);
			nbpy_value_clear(&v);
		}
	for (const struct nbpy_kind_spec *const *kind = nbpy_kinds; *kind; kind++)
		for (const struct nbpy_key_spec *k = (*kind)->keys; k->name; k++) {
			struct nbpy_value v = { 0 };

			if (k->def)
				ck_assert_msg(nbpy_value_parse(k, k->def, &v, why, sizeof(why)) == 0,
					      "%s.%s: %s", (*kind)->name, k->name, why);
			nbpy_value_clear(&v);
		}
}
END_TEST

START_TEST(value_parsers)
{
	int64_t ns;
	uint64_t bytes;
	bool b;

	ck_assert_int_eq(nbpy_parse_duration("250ms", &ns), 0);
	ck_assert_int_eq(ns, 250000000);
	ck_assert_int_eq(nbpy_parse_duration("2m", &ns), 0);
	ck_assert_int_eq(ns, 120000000000LL);
	ck_assert_int_eq(nbpy_parse_duration("1h1s", &ns), 0);
	ck_assert_int_eq(ns, 3601000000000LL);
	ck_assert_int_eq(nbpy_parse_duration("0", &ns), 0);
	ck_assert_int_eq(ns, 0);
	ck_assert_int_eq(nbpy_parse_duration("5", &ns), -1);
	ck_assert_int_eq(nbpy_parse_duration("-5s", &ns), -1);
	ck_assert_int_eq(nbpy_parse_duration("5 s", &ns), -1);
	ck_assert_int_eq(nbpy_parse_duration("99999999999999d", &ns), -1);
	ck_assert_int_eq(nbpy_parse_duration("", &ns), -1);
	ck_assert_int_eq(nbpy_parse_size("64MiB", &bytes), 0);
	ck_assert_uint_eq(bytes, 64ULL << 20);
	ck_assert_int_eq(nbpy_parse_size("4096", &bytes), 0);
	ck_assert_uint_eq(bytes, 4096);
	ck_assert_int_eq(nbpy_parse_size("2GB", &bytes), 0);
	ck_assert_uint_eq(bytes, 2000000000ULL);
	ck_assert_int_eq(nbpy_parse_size("64mb", &bytes), -1);
	ck_assert_int_eq(nbpy_parse_size("99999999999TiB", &bytes), -1);
	ck_assert_int_eq(nbpy_parse_bool("On", &b), 0);
	ck_assert(b);
	ck_assert_int_eq(nbpy_parse_bool("0", &b), 0);
	ck_assert(!b);
	ck_assert_int_eq(nbpy_parse_bool("y", &b), -1);
	ck_assert(nbpy_endpoints_clash("tcp://*:5558", "tcp://127.0.0.1:5558"));
	ck_assert(nbpy_endpoints_clash("tcp://0.0.0.0:1", "tcp://[::1]:1"));
	ck_assert(!nbpy_endpoints_clash("tcp://127.0.0.1:5558", "tcp://127.0.0.2:5558"));
	ck_assert(!nbpy_endpoints_clash("tcp://127.0.0.1:5558", "tcp://127.0.0.1:55580"));
	ck_assert(nbpy_endpoints_clash("ipc:///run/a", "ipc:///run/a"));
	ck_assert(!nbpy_endpoints_clash("ipc:///run/a", "inproc:///run/a"));
}
END_TEST

static Suite *config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("load");

	tcase_add_test(tc, loads_typed_values_and_defaults);
	tcase_add_test(tc, resolves_overrides_registry_and_connect);
	tcase_add_test(tc, error_unknown_key_suggests);
	tcase_add_test(tc, error_bad_values);
	tcase_add_test(tc, error_sections_and_kinds);
	tcase_add_test(tc, error_unknown_key_without_kind);
	tcase_add_test(tc, error_nul_byte);
	tcase_add_test(tc, diag_cap_and_text);
	tcase_add_test(tc, error_port_clash_and_subscriptions);
	tcase_add_test(tc, error_input_schema_not_accepted);
	tcase_add_test(tc, settings_filled_from_keys);
	tcase_add_test(tc, every_kind_key_has_its_own_field);
	tcase_add_test(tc, error_file_and_line_limits);
	tcase_add_exit_test(tc, load_or_exit_exits_78, NBPY_EX_CONFIG);
	tcase_add_test(tc, shipped_config_is_valid);
	tcase_add_test(tc, man_page_example_loads);
	tcase_add_test(tc, secret_read_from_key_file);
	tcase_add_test(tc, secret_file_errors_name_path_not_content);
	tcase_add_test(tc, secret_of_disabled_service_waits);
	tcase_add_test(tc, every_default_parses);
	tcase_add_test(tc, value_parsers);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(config_suite());
}
