/* config.h - etc/nbpy.conf: the global [nbpyd] section and one section per
 * service, validated completely before anything starts.
 *
 * Every key a section may hold is declared in one table (config_kinds.c):
 * the keys every service has, the bus keys of publishers and subscribers,
 * and each kind's own keys, with types and defaults.  Loading reports every
 * problem as "FILE:LINE: message"; programs exit 78 (EX_CONFIG) on any. */
#ifndef NBPY_CONFIG_H
#define NBPY_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/wire.h"

#define NBPY_EX_CONFIG 78

enum nbpy_key_type {
	NBPY_KEY_STRING,
	NBPY_KEY_BOOL,		/* yes/no, true/false, on/off, 1/0 */
	NBPY_KEY_INT,		/* within [min, max] */
	NBPY_KEY_DOUBLE,
	NBPY_KEY_DURATION,	/* 250ms, 5s, 2m, 1m30s */
	NBPY_KEY_DURATION_RANGE,	/* 1s..60s */
	NBPY_KEY_SIZE,		/* 64MiB, 512KiB, 4096 */
	NBPY_KEY_LIST,		/* a, b, c (continuation lines allowed) */
	NBPY_KEY_ENUM,		/* one of choices "a|b|c" */
	NBPY_KEY_ENDPOINT,	/* tcp://host:port, ipc://path, inproc://name */
	NBPY_KEY_INT_LIST,	/* 0, 78 (each within [min, max]) */
	NBPY_KEY_ENV_LIST,	/* NAME=VALUE, ... */
	NBPY_KEY_OCTAL,		/* 027 */
};

#define NBPY_KEY_REQUIRED 1u

struct nbpy_key_spec {
	const char *name;
	enum nbpy_key_type type;
	const char *def;	/* default as text; NULL: unset unless given */
	const char *doc;
	const char *choices;	/* ENUM */
	int64_t min, max;	/* INT */
	unsigned flags;
};

#define NBPY_KIND_PUBLISHES 1u	/* has bind/topic/wire keys */
#define NBPY_KIND_SUBSCRIBES 2u	/* has subscribe/connect keys */
#define NBPY_KIND_NEEDS_INPUT 4u	/* a subscription is required */

struct nbpy_kind_spec {
	const char *name;		/* "kraken.ticker" */
	const char *doc;
	unsigned flags;
	enum nbpy_schema schema;	/* what it publishes */
	const struct nbpy_key_spec *keys;	/* terminated by a NULL name */
};

struct nbpy_value {
	const struct nbpy_key_spec *spec;
	char *text;		/* after ${VAR} expansion; NULL: unset */
	int line;		/* 0: the default */
	union {
		bool b;
		int64_t i;
		double d;
		int64_t ns;
		uint64_t bytes;
		struct { int64_t lo_ns, hi_ns; } range;
	} v;
	char **items;		/* LIST */
	size_t n_items;
};

/* Where a subscriber reads from, resolved through the registry. */
struct nbpy_subscription {
	char *service;		/* NULL for a raw `connect` endpoint */
	char *endpoint;		/* connect form: tcp://127.0.0.1:5558 */
	char *topic;		/* "" subscribes to everything */
	enum nbpy_schema schema;	/* NBPY_SCHEMA_NONE if unknown */
};

struct nbpy_service {
	char *name;
	int line;			/* of the [section] header */
	const struct nbpy_kind_spec *kind;
	bool enabled;
	struct nbpy_value *values;	/* one per key the kind accepts */
	size_t n_values;
	char *bind;			/* publishers: endpoint, NULL if none */
	char *topic;			/* publishers */
	struct nbpy_subscription *subs;
	size_t n_subs;
};

struct nbpy_config {
	char *path;
	struct nbpy_value *global;	/* [nbpyd] */
	size_t n_global;
	struct nbpy_service *services;	/* in file order */
	size_t n_services;
};

/* Problems found while loading, each "FILE:LINE: message" ("FILE: message"
 * for a problem of no one line).  After NBPY_DIAG_MAX problems one more
 * message says so and the rest are dropped; messages that could not be
 * stored (out of memory) are counted in lost. */
#define NBPY_DIAG_MAX 100

struct nbpy_diag {
	char **msgs;
	size_t n;
	size_t lost;
};

void nbpy_diag_add(struct nbpy_diag *d, const char *path, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Whether anything was reported (stored or lost). */
bool nbpy_diag_any(const struct nbpy_diag *d);
/* Every message, one per line: what `nbpyd --check` prints and a refused
 * reload answers.  malloc'ed; NULL if out of memory. */
char *nbpy_diag_text(const struct nbpy_diag *d);
void nbpy_diag_free(struct nbpy_diag *d);
/* Print every message to stderr, free d and exit(NBPY_EX_CONFIG). */
_Noreturn void nbpy_diag_exit(struct nbpy_diag *d);

/* Load and validate path.  NULL on any problem, all of them in d. */
struct nbpy_config *nbpy_config_load(const char *path, struct nbpy_diag *d);

/* Load, or print every problem to stderr and exit(NBPY_EX_CONFIG). */
struct nbpy_config *nbpy_config_load_or_exit(const char *path);

void nbpy_config_free(struct nbpy_config *c);

/* The raw value of one key, read leniently (a file with errors elsewhere
 * still answers): for a client that only needs, say, [nbpyd] control.
 * malloc'ed; NULL if absent or unreadable. */
char *nbpy_config_peek(const char *path, const char *section, const char *key);

const struct nbpy_service *nbpy_config_service(const struct nbpy_config *c, const char *name);
const struct nbpy_value *nbpy_config_global(const struct nbpy_config *c, const char *key);
const struct nbpy_value *nbpy_service_value(const struct nbpy_service *s, const char *key);

/* ---- the key table (config_kinds.c) ---- */

extern const struct nbpy_key_spec nbpy_global_keys[];
extern const struct nbpy_key_spec nbpy_service_keys[];
extern const struct nbpy_key_spec nbpy_publisher_keys[];
extern const struct nbpy_key_spec nbpy_subscriber_keys[];
extern const struct nbpy_kind_spec nbpy_kinds[];	/* terminated by a NULL name */

const struct nbpy_kind_spec *nbpy_kind_find(const char *name);

/* ---- typed values (config_value.c) ---- */

/* Parse text as spec->type into v (v->text is not touched).  On error write
 * a reason naming the expected form into why. */
int nbpy_value_parse(const struct nbpy_key_spec *spec, const char *text, struct nbpy_value *v,
		     char *why, size_t why_cap);
void nbpy_value_clear(struct nbpy_value *v);

int nbpy_parse_duration(const char *s, int64_t *ns);
int nbpy_parse_size(const char *s, uint64_t *bytes);
int nbpy_parse_bool(const char *s, bool *b);

/* Endpoint helpers for clash detection and subscriptions. */
int nbpy_endpoint_check(const char *ep, char *why, size_t why_cap);
bool nbpy_endpoints_clash(const char *a, const char *b);
/* The address a peer connects to for a bind endpoint ("*" -> 127.0.0.1). */
char *nbpy_endpoint_connect_form(const char *bind);

#endif
