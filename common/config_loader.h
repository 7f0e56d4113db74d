/* config_loader.h - what config.c and config_bus.c share while loading:
 * the raw sections read by inih and the diagnostics.  Not installed, not
 * used elsewhere. */
#ifndef NBPY_CONFIG_LOADER_H
#define NBPY_CONFIG_LOADER_H

#include <stdbool.h>
#include <stdio.h>

#include "common/config.h"

struct raw_entry {
	char *key;
	char *value;
	int line;
};

struct raw_section {
	char *name;
	int line;
	struct raw_entry *e;
	size_t n, cap;
};

struct loader {
	const char *path;
	FILE *f;
	int line;
	bool continuation;	/* the line just read continues the last value */
	bool skip;		/* inside a duplicate section: ignore its keys */
	struct raw_section *secs;
	size_t n_secs, cap_secs;
	struct nbpy_diag *d;
	struct nbpy_config *cfg;
};

/* Record "FILE:LINE: message" (no line when line is 0). */
void config_diag(struct loader *L, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* strdup that records "out of memory" on failure. */
char *config_strdup(struct loader *L, const char *s);

/* Pass 3: bind endpoints, clashes and subscriptions of every service. */
void config_resolve_bus(struct loader *L);

#endif
