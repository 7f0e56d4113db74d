/* config.c - load and validate etc/nbpy.conf; see config.h.
 *
 * inih does the INI syntax.  It reports no line numbers to its handler (the
 * Debian build has INI_HANDLER_LINENO off), so our reader feeds it one line at
 * a time and counts them: when inih calls the handler, the line just read is
 * the line of that key.  The reader also sees section headers, which inih
 * would merge silently, so duplicate sections are caught there.
 *
 * Loading is two passes: collect raw "key = value" entries per section, then
 * validate each section against the key table once its kind is known (a
 * `kind` line may come after the keys it governs), then resolve the bus:
 * bind endpoints, clashes and subscriptions (config_bus.c). */
#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "common/buf.h"
#include "common/config.h"
#include "common/config_loader.h"
#include "common/text.h"

#define LINE_MAX_LEN (INI_MAX_LINE - 2)	/* inih's buffer, less newline and NUL */
#define GLOBAL_SECTION "nbpyd"

/* ---- diagnostics ---- */

void nbpy_diag_free(struct nbpy_diag *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->msgs[i]);
	free(d->msgs);
	d->msgs = NULL;
	d->n = 0;
	d->lost = 0;
}

static void diag_vadd(struct nbpy_diag *d, const char *path, int line, const char *fmt, va_list ap)
{
	char msg[512], full[1024];
	char **bigger;

	if (d->n > NBPY_DIAG_MAX)
		return;
	if (d->n == NBPY_DIAG_MAX)
		(void)snprintf(msg, sizeof(msg), "too many errors, stopped after %d", NBPY_DIAG_MAX);
	else
		(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	if (line > 0 && d->n < NBPY_DIAG_MAX)
		(void)snprintf(full, sizeof(full), "%s:%d: %s", path, line, msg);
	else
		(void)snprintf(full, sizeof(full), "%s: %s", path, msg);
	bigger = realloc(d->msgs, (d->n + 1) * sizeof(*bigger));
	if (bigger == NULL) {
		d->lost++;
		return;
	}
	d->msgs = bigger;
	d->msgs[d->n] = strdup(full);
	if (d->msgs[d->n] != NULL)
		d->n++;
	else
		d->lost++;
}

void nbpy_diag_add(struct nbpy_diag *d, const char *path, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vadd(d, path, line, fmt, ap);
	va_end(ap);
}

void config_diag(struct loader *L, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vadd(L->d, L->path, line, fmt, ap);
	va_end(ap);
}

bool nbpy_diag_any(const struct nbpy_diag *d)
{
	return d->n > 0 || d->lost > 0;
}

char *nbpy_diag_text(const struct nbpy_diag *d)
{
	size_t len = 1;
	char *text, *p;

	for (size_t i = 0; i < d->n; i++)
		len += strlen(d->msgs[i]) + 1;
	if (d->lost > 0)
		len += 64;
	text = malloc(len);
	if (text == NULL)
		return NULL;
	p = text;
	for (size_t i = 0; i < d->n; i++)
		p += sprintf(p, "%s\n", d->msgs[i]);
	if (d->lost > 0)
		p += snprintf(p, 64, "%zu more problems (out of memory)\n", d->lost);
	*p = '\0';
	return text;
}

static void *xcalloc(struct loader *L, size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (p == NULL)
		config_diag(L, 0, "out of memory");
	return p;
}

char *config_strdup(struct loader *L, const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		config_diag(L, 0, "out of memory");
	return p;
}

/* ---- pass 1: raw sections and entries ---- */

static void section_header(struct loader *L, char *content)
{
	char *close = strchr(content, ']');
	struct raw_section *s;

	L->skip = true;
	if (close == NULL) {
		config_diag(L, L->line, "section header without ']'");
		return;
	}
	if (!nbpy_service_name_valid(content + 1, (size_t)(close - content - 1))) {
		config_diag(L, L->line, "bad section name '%.*s': use 1-%d letters, digits, '_', '.' or '-'",
		     (int)(close - content - 1), content + 1, NBPY_SERVICE_MAX);
		return;
	}
	*close = '\0';
	for (size_t i = 0; i < L->n_secs; i++) {
		if (strcmp(L->secs[i].name, content + 1) == 0) {
			config_diag(L, L->line, "duplicate section [%s] (first at line %d)", content + 1,
			     L->secs[i].line);
			*close = ']';
			return;
		}
	}
	if (L->n_secs == L->cap_secs) {
		size_t cap = L->cap_secs ? 2 * L->cap_secs : 16;
		struct raw_section *bigger = realloc(L->secs, cap * sizeof(*bigger));

		if (bigger == NULL) {
			config_diag(L, 0, "out of memory");
			*close = ']';
			return;
		}
		L->secs = bigger;
		L->cap_secs = cap;
	}
	s = &L->secs[L->n_secs];
	memset(s, 0, sizeof(*s));
	s->name = config_strdup(L, content + 1);
	s->line = L->line;
	*close = ']';
	if (s->name != NULL) {
		L->n_secs++;
		L->skip = false;
	}
}

/* inih's line reader: count lines, classify them, and hand inih only what
 * it should parse. */
static char *read_line(char *str, int num, void *stream)
{
	struct loader *L = stream;
	char buf[LINE_MAX_LEN + 2], *content;
	size_t n = 0, lead;
	bool nul = false;
	int c;

	/* By hand rather than fgets, which cannot tell a NUL byte from the
	 * end of what it read. */
	while ((c = getc(L->f)) != EOF && c != '\n') {
		nul |= c == '\0';
		if (n < sizeof(buf) - 1)
			buf[n] = (char)c;
		n++;
	}
	if (c == EOF && n == 0)
		return NULL;
	L->line++;
	L->continuation = false;
	buf[n < sizeof(buf) ? n : sizeof(buf) - 1] = '\0';
	if (nul) {
		config_diag(L, L->line, "NUL byte in the line (not a text file?)");
		goto blank;
	}
	if (n > LINE_MAX_LEN || (size_t)num < LINE_MAX_LEN + 2) {
		config_diag(L, L->line, "line longer than %d characters (continue a list on indented lines)",
		     LINE_MAX_LEN);
		goto blank;
	}
	lead = strspn(buf, " \t");
	content = buf + lead;
	if (*content == '\0' || *content == ';' || *content == '#')
		goto blank;
	if (*content == '[') {
		section_header(L, content);
		/* inih must not see it, or a duplicate would reopen the section. */
		goto blank;
	}
	if (L->n_secs == 0 && !L->skip) {
		config_diag(L, L->line, "key outside any section");
		goto blank;
	}
	if (lead > 0 && strchr(content, '=') == NULL) {
		if (L->skip)
			goto blank;
		if (L->secs[L->n_secs - 1].n == 0) {
			config_diag(L, L->line, "indented line continues no key");
			goto blank;
		}
		L->continuation = true;
	} else if (strchr(content, '=') == NULL || content[0] == '=') {
		config_diag(L, L->line, "expected 'key = value'");
		goto blank;
	} else {
		/* An indented key line is a key line, not a continuation. */
		memmove(buf, content, strlen(content) + 1);
	}
	/* A '#' or ';' after a blank starts a comment (inih 55 would keep
	 * one on a continuation line, and knows only ';'). */
	for (char *p = buf + 1; *p; p++)
		if ((*p == '#' || *p == ';') && (p[-1] == ' ' || p[-1] == '\t')) {
			*p = '\0';
			break;
		}
	(void)snprintf(str, (size_t)num, "%s\n", buf);
	return str;
blank:
	(void)snprintf(str, (size_t)num, "\n");
	return str;
}

static int on_entry(void *user, const char *section, const char *name, const char *value)
{
	struct loader *L = user;
	struct raw_section *s;
	struct raw_entry *e;

	(void)section;	/* the reader tracks sections itself */
	if (L->skip || L->n_secs == 0)
		return 1;
	s = &L->secs[L->n_secs - 1];
	if (L->continuation) {
		size_t a, b;
		char *joined;

		if (s->n == 0)
			return 1;
		e = &s->e[s->n - 1];
		a = strlen(e->value);
		b = strlen(value);
		joined = realloc(e->value, a + b + 2);
		if (joined == NULL) {
			config_diag(L, 0, "out of memory");
			return 1;
		}
		/* "a,\n  b" is one list; "a\n  b" is two items (or an error
		 * for a non-list key). */
		joined[a] = a > 0 && joined[a - 1] == ',' ? ' ' : '\n';
		memcpy(joined + a + 1, value, b + 1);
		e->value = joined;
		return 1;
	}
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 8;
		struct raw_entry *bigger = realloc(s->e, cap * sizeof(*bigger));

		if (bigger == NULL) {
			config_diag(L, 0, "out of memory");
			return 1;
		}
		s->e = bigger;
		s->cap = cap;
	}
	e = &s->e[s->n];
	e->key = config_strdup(L, name);
	e->value = config_strdup(L, value);
	e->line = L->line;
	if (e->key == NULL || e->value == NULL) {
		free(e->key);
		free(e->value);
		return 1;
	}
	s->n++;
	return 1;
}

/* ---- pass 2: typed values ---- */

/* Expand ${NAME} from [nbpyd] keys (when globals is given) or the
 * environment; "$$" is a literal '$'.  NULL after reporting a problem. */
static char *expand(struct loader *L, const char *s, int line, const char *sec, const char *key,
		    const struct nbpy_config *globals)
{
	struct nbpy_buf g = NBPY_BUF_INIT;
	char *out;

	while (*s) {
		const char *close, *val;
		const struct nbpy_value *gv;
		char name[64];
		size_t len;

		if (s[0] != '$' || (s[1] != '$' && s[1] != '{')) {
			len = strcspn(s + 1, "$") + 1;
			(void)nbpy_buf_append(&g, s, len);
			s += len;
			continue;
		}
		if (s[1] == '$') {
			(void)nbpy_buf_putc(&g, '$');
			s += 2;
			continue;
		}
		close = strchr(s + 2, '}');
		len = close ? (size_t)(close - s - 2) : 0;
		if (close == NULL || len == 0 || len >= sizeof(name)) {
			config_diag(L, line, "[%s] %s: unterminated or empty ${...}", sec, key);
			nbpy_buf_free(&g);
			return NULL;
		}
		memcpy(name, s + 2, len);
		name[len] = '\0';
		gv = globals ? nbpy_config_global(globals, name) : NULL;
		val = gv && gv->text ? gv->text : getenv(name);
		if (val == NULL) {
			config_diag(L, line, "[%s] %s: ${%s} is not set in the environment", sec, key, name);
			nbpy_buf_free(&g);
			return NULL;
		}
		(void)nbpy_buf_puts(&g, val);
		s = close + 1;
	}
	/* appends fail for good once one fails: one check at the end */
	if ((out = nbpy_buf_steal(&g)) == NULL)
		config_diag(L, 0, "out of memory");
	return out;
}

/* The content of secret key `key`'s file path, less one trailing newline.
 * Messages name the key and the path, never what the file holds.  NULL
 * after reporting a problem. */
static char *read_secret_file(struct loader *L, int line, const char *sec, const char *key, const char *path)
{
	/* room for the bound, a newline and one more byte to tell "too large" */
	enum { CAP = NBPY_SECRET_FILE_MAX + 2 };
	char *buf = malloc(CAP), *out = NULL;
	FILE *f;
	size_t n;
	bool failed;

	if (buf == NULL) {
		config_diag(L, 0, "out of memory");
		return NULL;
	}
	f = fopen(path, "r");
	if (f == NULL) {
		config_diag(L, line, "[%s] %s: cannot open %s: %s", sec, key, path, strerror(errno));
		free(buf);
		return NULL;
	}
	n = fread(buf, 1, CAP, f);
	failed = ferror(f);
	if (fclose(f) != 0 || failed) {
		config_diag(L, line, "[%s] %s: cannot read %s", sec, key, path);
		goto fail;
	}
	if (n > 0 && buf[n - 1] == '\n')
		n--;
	if (n > NBPY_SECRET_FILE_MAX)
		config_diag(L, line, "[%s] %s: %s is larger than %d bytes", sec, key, path, NBPY_SECRET_FILE_MAX);
	else if (n == 0)
		config_diag(L, line, "[%s] %s: %s is empty", sec, key, path);
	else if (memchr(buf, '\0', n) != NULL)
		config_diag(L, line, "[%s] %s: %s holds a NUL byte", sec, key, path);
	else if (memchr(buf, '\n', n) != NULL)
		config_diag(L, line, "[%s] %s: %s holds more than one line", sec, key, path);
	else if ((out = malloc(n + 1)) == NULL)
		config_diag(L, 0, "out of memory");
	else {
		memcpy(out, buf, n);
		out[n] = '\0';
	}
fail:
	/* it held the secret */
	explicit_bzero(buf, CAP);
	free(buf);
	return out;
}

/* The index of the secret key whose file form `key` is ("password" for
 * "password_file"), or n if it is none. */
static size_t secret_file_key(const char *key, const struct nbpy_key_spec *const *specs, size_t n)
{
	size_t len = strlen(key), stem = len - 5;

	if (len <= 5 || strcmp(key + stem, "_file") != 0)
		return n;
	for (size_t i = 0; i < n; i++)
		if ((specs[i]->flags & NBPY_KEY_SECRET) && strlen(specs[i]->name) == stem &&
		    strncmp(specs[i]->name, key, stem) == 0)
			return i;
	return n;
}

static const struct raw_entry *raw_find(const struct raw_section *rs, const char *key)
{
	for (size_t i = 0; i < rs->n; i++)
		if (strcmp(rs->e[i].key, key) == 0)
			return &rs->e[i];
	return NULL;
}

static void unknown_key(struct loader *L, const struct raw_section *rs, const struct raw_entry *e,
			const char *what, const char *const *names, size_t n)
{
	const char *near = nbpy_closest(e->key, names, n);

	if (near != NULL)
		config_diag(L, e->line, "unknown key '%s' in [%s]%s; did you mean '%s'?", e->key, rs->name,
		     what, near);
	else
		config_diag(L, e->line, "unknown key '%s' in [%s]%s", e->key, rs->name, what);
}

/* A secret's value: its text expanded, or read from its file.  With
 * unresolved, a problem goes there (the first one) instead of L->d. */
static char *secret_value(struct loader *L, const struct raw_section *rs, const struct raw_entry *e,
			  bool from_file, const struct nbpy_config *globals, char **unresolved)
{
	struct nbpy_diag *d = L->d, later = { 0 };
	char *text;

	if (unresolved != NULL)
		L->d = &later;
	text = expand(L, e->value, e->line, rs->name, e->key, globals);
	if (from_file && text != NULL) {
		char *path = text;

		text = read_secret_file(L, e->line, rs->name, e->key, path);
		free(path);
	}
	L->d = d;
	if (later.n > 0 && *unresolved == NULL && (*unresolved = strdup(later.msgs[0])) == NULL)
		config_diag(L, 0, "out of memory");
	nbpy_diag_free(&later);
	return text;
}

/* Fill one value per spec from a section's raw entries, defaults for the
 * rest.  Returns the number of problems.  unresolved: see secret_value. */
static int fill_values(struct loader *L, const struct raw_section *rs, const char *what,
		       const struct nbpy_key_spec *const *specs, size_t n_specs,
		       struct nbpy_value *vals, const struct nbpy_config *globals, char **unresolved)
{
	const char *names[128];
	size_t before = L->d->n;

	for (size_t i = 0; i < n_specs && i < 128; i++)
		names[i] = specs[i]->name;
	for (size_t i = 0; i < n_specs; i++)
		vals[i].spec = specs[i];
	for (size_t j = 0; j < rs->n; j++) {
		const struct raw_entry *e = &rs->e[j];
		bool from_file = false;
		size_t i;

		for (i = 0; i < n_specs; i++)
			if (strcmp(specs[i]->name, e->key) == 0)
				break;
		if (i == n_specs)
			from_file = (i = secret_file_key(e->key, specs, n_specs)) < n_specs;
		if (i == n_specs) {
			unknown_key(L, rs, e, what, names, n_specs < 128 ? n_specs : 128);
			continue;
		}
		if (vals[i].line != 0) {
			/* the first of its name: the earlier value came in the other form */
			if (raw_find(rs, e->key) == e)
				config_diag(L, e->line, "[%s] %s and %s_file both given (the other at line %d)",
				     rs->name, specs[i]->name, specs[i]->name, vals[i].line);
			else
				config_diag(L, e->line, "duplicate key '%s' in [%s] (first at line %d)", e->key,
				     rs->name, vals[i].line);
			continue;
		}
		vals[i].line = e->line;
		if (specs[i]->flags & NBPY_KEY_SECRET)
			vals[i].text = secret_value(L, rs, e, from_file, globals, unresolved);
		else
			vals[i].text = expand(L, e->value, e->line, rs->name, e->key, globals);
	}
	for (size_t i = 0; i < n_specs; i++) {
		struct nbpy_value *v = &vals[i];
		char why[256];

		if (v->line != 0 && v->text == NULL)
			continue;	/* expansion failed, already reported */
		if (v->text == NULL && specs[i]->def != NULL)
			v->text = config_strdup(L, specs[i]->def);
		if (v->text == NULL) {
			if (specs[i]->flags & NBPY_KEY_REQUIRED)
				config_diag(L, rs->line, "[%s] needs '%s' (%s)", rs->name, specs[i]->name,
				     specs[i]->doc);
			continue;
		}
		if (nbpy_value_parse(specs[i], v->text, v, why, sizeof(why)) < 0)
			config_diag(L, v->line ? v->line : rs->line, "[%s] %s: %s", rs->name,
			     specs[i]->name, why);
	}
	return (int)(L->d->n - before);
}

static size_t collect_specs(const struct nbpy_key_spec **out, size_t cap, const struct nbpy_key_spec *t)
{
	size_t n = 0;

	for (; t != NULL && t->name != NULL && n < cap; t++)
		out[n++] = t;
	return n;
}

static bool z85_key_ok(const char *k)
{
	uint8_t raw[32];

	return k != NULL && strlen(k) == 40 && zmq_z85_decode(raw, k) != NULL;
}

/* A tcp control socket must be CURVE-encrypted and limited to known clients. */
static void check_control(struct loader *L, const struct raw_section *rs)
{
	const struct nbpy_value *control = nbpy_config_global(L->cfg, "control");
	const char *keys[] = { "control_curve_secret", "control_curve_public" };
	const struct nbpy_value *clients = nbpy_config_global(L->cfg, "control_curve_clients");
	int line = control->line ? control->line : (rs ? rs->line : 0);

	if (control->text == NULL || strncmp(control->text, "tcp://", 6) != 0)
		return;
	for (size_t i = 0; i < 2; i++) {
		const struct nbpy_value *v = nbpy_config_global(L->cfg, keys[i]);

		if (v->text == NULL)
			config_diag(L, line, "[nbpyd] control %s: a tcp control socket needs %s "
			     "(nbpyctl keygen makes a key pair)", control->text, keys[i]);
		else if (!z85_key_ok(v->text))
			config_diag(L, v->line, "[nbpyd] %s: not a 40-character Z85 key", keys[i]);
	}
	if (clients->n_items == 0)
		config_diag(L, line, "[nbpyd] control %s: a tcp control socket needs control_curve_clients",
		     control->text);
	for (size_t i = 0; i < clients->n_items; i++)
		if (!z85_key_ok(clients->items[i]))
			config_diag(L, clients->line, "[nbpyd] control_curve_clients: '%s' is not a 40-character "
			     "Z85 key", clients->items[i]);
}

static void load_global(struct loader *L, const struct raw_section *rs)
{
	const struct nbpy_key_spec *specs[64];
	static const struct raw_section none = { (char *)GLOBAL_SECTION, 0, NULL, 0, 0 };
	size_t n = collect_specs(specs, 64, nbpy_global_keys);

	L->cfg->global = xcalloc(L, n, sizeof(struct nbpy_value));
	if (L->cfg->global == NULL)
		return;
	L->cfg->n_global = n;
	(void)fill_values(L, rs ? rs : &none, "", specs, n, L->cfg->global, NULL, NULL);
	check_control(L, rs);
}

static const struct nbpy_kind_spec *service_kind(struct loader *L, const struct raw_section *rs)
{
	const struct raw_entry *k = raw_find(rs, "kind");
	const struct nbpy_kind_spec *kind;
	const char *names[64];
	size_t n = 0;

	if (k == NULL) {
		if (raw_find(rs, "command") != NULL)
			return nbpy_kind_find("exec");
		config_diag(L, rs->line, "[%s] has no kind: set kind = KIND or command = PROGRAM", rs->name);
		return NULL;
	}
	kind = nbpy_kind_find(k->value);
	if (kind != NULL)
		return kind;
	for (const struct nbpy_kind_spec *const *p = nbpy_kinds; *p != NULL && n < 64; p++)
		names[n++] = (*p)->name;
	{
		const char *near = nbpy_closest(k->value, names, n);

		if (near != NULL)
			config_diag(L, k->line, "unknown kind '%s'; did you mean '%s'?", k->value, near);
		else
			config_diag(L, k->line, "unknown kind '%s' (nbpy-worker --list-kinds lists them)",
			     k->value);
	}
	return NULL;
}

/* Whether key is the file form of a secret key of any service or kind. */
static bool secret_file_any(const char *key)
{
	const struct nbpy_key_spec *specs[512];
	size_t n = collect_specs(specs, 512, nbpy_service_keys);

	for (const struct nbpy_kind_spec *const *kind = nbpy_kinds; *kind != NULL; kind++)
		n += collect_specs(specs + n, 512 - n, (*kind)->keys);
	return secret_file_key(key, specs, n) < n;
}

/* A section of no known kind: still name the keys that no kind accepts. */
static void report_unknown_keys(struct loader *L, const struct raw_section *rs)
{
	const struct nbpy_key_spec *tables[] = { nbpy_service_keys, nbpy_publisher_keys,
						 nbpy_subscriber_keys };
	const char *names[512];
	size_t n = 0;

	for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
		for (const struct nbpy_key_spec *k = tables[t]; k->name != NULL && n < 512; k++)
			names[n++] = k->name;
	for (const struct nbpy_kind_spec *const *kind = nbpy_kinds; *kind != NULL; kind++)
		for (const struct nbpy_key_spec *k = (*kind)->keys; k->name != NULL && n < 512; k++)
			names[n++] = k->name;
	for (size_t j = 0; j < rs->n; j++) {
		size_t i;

		for (i = 0; i < n && strcmp(names[i], rs->e[j].key) != 0; i++)
			;
		if (i == n && !secret_file_any(rs->e[j].key))
			unknown_key(L, rs, &rs->e[j], "", names, n);
	}
}

/* The kind's settings struct from its keys' values (the last n_keys of
 * vals), each at its field's offset. */
static void fill_settings(struct loader *L, struct nbpy_service *svc, const struct nbpy_value *vals,
			  size_t n_keys)
{
	char *set;

	if (svc->kind->settings_size == 0)
		return;
	set = svc->settings = xcalloc(L, 1, svc->kind->settings_size);
	if (set == NULL)
		return;
	for (size_t i = 0; i < n_keys; i++) {
		const struct nbpy_value *v = &vals[i];
		void *field = set + v->spec->offset;

		if (v->text == NULL)
			continue;	/* unset: zero */
		switch (v->spec->type) {
		case NBPY_KEY_STRING:
		case NBPY_KEY_ENDPOINT:
			*(const char **)field = v->text;
			break;
		case NBPY_KEY_BOOL:
			*(bool *)field = v->v.b;
			break;
		case NBPY_KEY_INT:
		case NBPY_KEY_OCTAL:
			*(int64_t *)field = v->v.i;
			break;
		case NBPY_KEY_ENUM:
			*(int *)field = (int)v->v.i;
			break;
		case NBPY_KEY_DOUBLE:
			*(double *)field = v->v.d;
			break;
		case NBPY_KEY_DURATION:
			*(int64_t *)field = v->v.ns;
			break;
		case NBPY_KEY_DURATION_RANGE:
			((struct nbpy_range *)field)->lo_ns = v->v.range.lo_ns;
			((struct nbpy_range *)field)->hi_ns = v->v.range.hi_ns;
			break;
		case NBPY_KEY_SIZE:
			*(uint64_t *)field = v->v.bytes;
			break;
		case NBPY_KEY_LIST:
		case NBPY_KEY_INT_LIST:
		case NBPY_KEY_ENV_LIST:
			((struct nbpy_list *)field)->items = v->items;
			((struct nbpy_list *)field)->n = v->n_items;
			break;
		}
	}
}

static void load_service(struct loader *L, const struct raw_section *rs, struct nbpy_service *svc)
{
	const struct nbpy_key_spec *specs[128];
	const struct nbpy_value *en;
	const struct raw_entry *raw_en = raw_find(rs, "enabled");
	bool disabled = false;
	char what[96];
	size_t n, n_kind;

	svc->name = config_strdup(L, rs->name);
	svc->line = rs->line;
	svc->kind = service_kind(L, rs);
	if (svc->kind == NULL) {
		report_unknown_keys(L, rs);
		return;
	}
	if (svc->name == NULL)
		return;
	n = collect_specs(specs, 128, nbpy_service_keys);
	if (svc->kind->flags & NBPY_KIND_PUBLISHES)
		n += collect_specs(specs + n, 128 - n, nbpy_publisher_keys);
	if (svc->kind->flags & NBPY_KIND_SUBSCRIBES)
		n += collect_specs(specs + n, 128 - n, nbpy_subscriber_keys);
	n_kind = collect_specs(specs + n, 128 - n, svc->kind->keys);
	n += n_kind;
	svc->values = xcalloc(L, n, sizeof(struct nbpy_value));
	if (svc->values == NULL)
		return;
	svc->n_values = n;
	(void)snprintf(what, sizeof(what), " (kind %s)", svc->kind->name);
	/* a disabled service's secrets may wait (see unresolved) */
	if (raw_en != NULL && nbpy_parse_bool(raw_en->value, &disabled) == 0)
		disabled = !disabled;
	(void)fill_values(L, rs, what, specs, n, svc->values, L->cfg, disabled ? &svc->unresolved : NULL);
	fill_settings(L, svc, svc->values + n - n_kind, n_kind);
	en = nbpy_service_value(svc, "enabled");
	svc->enabled = en != NULL && en->v.b;
	if (strcmp(svc->kind->name, "exec") == 0 && nbpy_service_value(svc, "command")->text == NULL)
		config_diag(L, rs->line, "[%s] kind exec needs 'command'", rs->name);
}

/* ---- public ---- */

static void free_raw(struct loader *L)
{
	for (size_t i = 0; i < L->n_secs; i++) {
		for (size_t j = 0; j < L->secs[i].n; j++) {
			free(L->secs[i].e[j].key);
			free(L->secs[i].e[j].value);
		}
		free(L->secs[i].e);
		free(L->secs[i].name);
	}
	free(L->secs);
}

struct nbpy_config *nbpy_config_load(const char *path, struct nbpy_diag *d)
{
	struct loader L = { .path = path, .d = d };
	const struct raw_section *global = NULL;
	size_t n_services = 0;
	int rc;

	d->msgs = NULL;
	d->n = 0;
	d->lost = 0;
	L.f = fopen(path, "r");
	if (L.f == NULL) {
		config_diag(&L, 0, "cannot open: %s", strerror(errno));
		return NULL;
	}
	rc = ini_parse_stream(read_line, &L, on_entry, &L);
	if (ferror(L.f))
		config_diag(&L, 0, "read error: %s", strerror(errno));
	if (fclose(L.f) != 0)
		config_diag(&L, 0, "close: %s", strerror(errno));
	if (rc > 0 && !nbpy_diag_any(d))
		config_diag(&L, rc, "syntax error");
	else if (rc < 0 && !nbpy_diag_any(d))
		config_diag(&L, 0, "cannot parse (out of memory)");

	L.cfg = calloc(1, sizeof(*L.cfg));
	if (L.cfg == NULL) {
		config_diag(&L, 0, "out of memory");
		free_raw(&L);
		return NULL;
	}
	L.cfg->path = config_strdup(&L, path);
	for (size_t i = 0; i < L.n_secs; i++) {
		if (strcmp(L.secs[i].name, GLOBAL_SECTION) == 0)
			global = &L.secs[i];
		else
			n_services++;
	}
	load_global(&L, global);
	L.cfg->services = xcalloc(&L, n_services, sizeof(struct nbpy_service));
	if (L.cfg->services != NULL && L.cfg->global != NULL) {
		for (size_t i = 0; i < L.n_secs; i++)
			if (&L.secs[i] != global)
				load_service(&L, &L.secs[i], &L.cfg->services[L.cfg->n_services++]);
		config_resolve_bus(&L);
	}
	free_raw(&L);
	if (nbpy_diag_any(d)) {
		nbpy_config_free(L.cfg);
		return NULL;
	}
	return L.cfg;
}

void nbpy_diag_exit(struct nbpy_diag *d)
{
	char *text = nbpy_diag_text(d);

	(void)fputs(text ? text : "configuration errors (out of memory printing them)\n", stderr);
	free(text);
	nbpy_diag_free(d);
	exit(NBPY_EX_CONFIG);
}

struct nbpy_config *nbpy_config_load_or_exit(const char *path)
{
	struct nbpy_diag d;
	struct nbpy_config *c = nbpy_config_load(path, &d);

	if (c == NULL)
		nbpy_diag_exit(&d);
	return c;
}

struct peek {
	const char *section, *key;
	char *value;
};

static int on_peek(void *user, const char *section, const char *name, const char *value)
{
	struct peek *p = user;

	if (p->value == NULL && strcmp(section, p->section) == 0 && strcmp(name, p->key) == 0)
		p->value = strdup(value);
	return 1;
}

char *nbpy_config_peek(const char *path, const char *section, const char *key)
{
	struct peek p = { section, key, NULL };
	struct nbpy_diag d = { .msgs = NULL };
	struct loader L = { .path = path, .d = &d };
	char *expanded;

	(void)ini_parse(path, on_peek, &p);
	if (p.value == NULL)
		return NULL;
	/* ${VAR} from the environment, as a full load would (not [nbpyd] keys) */
	expanded = expand(&L, p.value, 0, section, key, NULL);
	nbpy_diag_free(&d);
	free(p.value);
	return expanded;
}

static void free_values(struct nbpy_value *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		nbpy_value_clear(&v[i]);
		free(v[i].text);
	}
	free(v);
}

void nbpy_config_free(struct nbpy_config *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->n_services; i++) {
		struct nbpy_service *s = &c->services[i];

		free_values(s->values, s->n_values);
		for (size_t j = 0; j < s->n_subs; j++) {
			free(s->subs[j].service);
			free(s->subs[j].endpoint);
			free(s->subs[j].topic);
		}
		free(s->subs);
		free(s->settings);
		free(s->unresolved);
		free(s->name);
		free(s->bind);
		free(s->topic);
	}
	free(c->services);
	free_values(c->global, c->n_global);
	free(c->path);
	free(c);
}

const struct nbpy_service *nbpy_config_service(const struct nbpy_config *c, const char *name)
{
	for (size_t i = 0; i < c->n_services; i++)
		if (c->services[i].name != NULL && strcmp(c->services[i].name, name) == 0)
			return &c->services[i];
	return NULL;
}

static const struct nbpy_value *find_value(const struct nbpy_value *v, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].spec != NULL && strcmp(v[i].spec->name, key) == 0)
			return &v[i];
	return NULL;
}

const struct nbpy_value *nbpy_config_global(const struct nbpy_config *c, const char *key)
{
	return find_value(c->global, c->n_global, key);
}

const struct nbpy_value *nbpy_service_value(const struct nbpy_service *s, const char *key)
{
	return find_value(s->values, s->n_values, key);
}

int nbpy_service_setting_line(const struct nbpy_service *s, const void *field)
{
	size_t n_kind = 0, offset = (size_t)((const char *)field - (const char *)s->settings);

	while (s->kind->keys[n_kind].name != NULL)
		n_kind++;
	for (size_t i = s->n_values - n_kind; i < s->n_values; i++)
		if (s->values[i].spec->offset == offset)
			return s->values[i].line > 0 ? s->values[i].line : s->line;
	return s->line;
}
