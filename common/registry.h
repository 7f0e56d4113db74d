/* registry.h - the seed's port and topic registry, as data.
 *
 * Each publishing service of the original deployment has a fixed TCP port
 * and topic.  A subscriber names the service ("subscribe = kraken_tick") and
 * the config layer resolves it to an endpoint and a topic through this table
 * (or through the publisher's own section when it overrides them). */
#ifndef NBPY_REGISTRY_H
#define NBPY_REGISTRY_H

#include "common/wire.h"

struct nbpy_registry_entry {
	const char *service;	/* seed name, also the config section name */
	int port;
	const char *topic;	/* "" = one topic per instrument */
	enum nbpy_schema schema;
	const char *role;	/* one line for docs and `--list` output */
};

extern const struct nbpy_registry_entry nbpy_registry[];
extern const size_t nbpy_registry_size;

const struct nbpy_registry_entry *nbpy_registry_find(const char *service);

#endif
