/* config_bus.c - the last pass of loading a config: each publisher's bind
 * endpoint and topic (its own keys or the port registry), endpoint clashes
 * between enabled services and with the control socket, and each
 * subscriber's inputs resolved by service name. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/config_loader.h"
#include "common/registry.h"
#include "common/text.h"

static int value_line(const struct nbpy_service *s, const char *key)
{
	const struct nbpy_value *v = nbpy_service_value(s, key);

	return v != NULL && v->line > 0 ? v->line : s->line;
}

static void resolve_publisher(struct loader *L, struct nbpy_service *s)
{
	const struct nbpy_registry_entry *r = nbpy_registry_find(s->name);
	const struct nbpy_value *bind = nbpy_service_value(s, "bind");
	const struct nbpy_value *topic = nbpy_service_value(s, "topic");
	const char *host = nbpy_config_global(L->cfg, "bus_host")->text;
	char ep[300];

	if (bind->text != NULL) {
		s->bind = config_strdup(L, bind->text);
	} else if (r != NULL) {
		(void)snprintf(ep, sizeof(ep), "tcp://%s:%d", host ? host : "127.0.0.1", r->port);
		s->bind = config_strdup(L, ep);
	} else if (strcmp(s->kind->name, "exec") != 0) {
		config_diag(L, s->line, "[%s] has no port in the registry: set bind = tcp://HOST:PORT", s->name);
	}
	if (nbpy_service_value(s, "batch")->v.i > 1 &&
	    strcmp(nbpy_service_value(s, "wire")->text, "legacy") == 0)
		config_diag(L, value_line(s, "batch"), "[%s] batch: legacy frames cannot be batched", s->name);
	if (topic->text != NULL)
		s->topic = config_strdup(L, topic->text);
	else
		s->topic = config_strdup(L, r != NULL ? r->topic : s->name);
}

static void check_clashes(struct loader *L)
{
	struct nbpy_config *c = L->cfg;
	const char *control = nbpy_config_global(c, "control")->text;

	for (size_t i = 0; i < c->n_services; i++) {
		const struct nbpy_service *b = &c->services[i];

		if (!b->enabled || b->bind == NULL)
			continue;
		if (control != NULL && nbpy_endpoints_clash(b->bind, control))
			config_diag(L, value_line(b, "bind"), "[%s] bind %s clashes with the control socket",
			     b->name, b->bind);
		for (size_t j = 0; j < i; j++) {
			const struct nbpy_service *a = &c->services[j];

			if (a->enabled && a->bind != NULL && nbpy_endpoints_clash(a->bind, b->bind)) {
				config_diag(L, value_line(b, "bind"), "[%s] bind %s clashes with [%s] (line %d)",
				     b->name, b->bind, a->name, value_line(a, "bind"));
				break;
			}
		}
	}
}

/* Whether kind k reads schema (NBPY_SCHEMA_NONE: not known at load). */
static bool kind_accepts(const struct nbpy_kind_spec *k, enum nbpy_schema schema)
{
	if (k->accepts == NULL || schema == NBPY_SCHEMA_NONE)
		return true;	/* anything, or an input of unknown schema */
	for (const enum nbpy_schema *a = k->accepts; *a != NBPY_SCHEMA_NONE; a++)
		if (*a == schema)
			return true;
	return false;
}

static void add_sub(struct loader *L, struct nbpy_service *s, const char *service,
		    const char *endpoint, const char *topic, enum nbpy_schema schema)
{
	struct nbpy_subscription *bigger = realloc(s->subs, (s->n_subs + 1) * sizeof(*bigger));
	struct nbpy_subscription *sub;

	if (bigger == NULL) {
		config_diag(L, 0, "out of memory");
		return;
	}
	s->subs = bigger;
	sub = &s->subs[s->n_subs++];
	sub->service = service ? config_strdup(L, service) : NULL;
	sub->endpoint = nbpy_endpoint_connect_form(endpoint);
	sub->topic = config_strdup(L, topic);
	sub->schema = schema;
}

static void unknown_service(struct loader *L, const struct nbpy_service *s, const char *name, int line)
{
	const char *names[256], *near;
	size_t n = 0;

	for (size_t i = 0; i < L->cfg->n_services && n < 200; i++)
		if (L->cfg->services[i].name != NULL)
			names[n++] = L->cfg->services[i].name;
	for (size_t i = 0; i < nbpy_registry_size && n < 256; i++)
		names[n++] = nbpy_registry[i].service;
	near = nbpy_closest(name, names, n);
	if (near != NULL)
		config_diag(L, line, "[%s] subscribe: unknown service '%s'; did you mean '%s'?",
		     s->name, name, near);
	else
		config_diag(L, line, "[%s] subscribe: unknown service '%s'", s->name, name);
}

static void subscribe_by_name(struct loader *L, struct nbpy_service *s, const char *name, int line)
{
	const struct nbpy_service *p = nbpy_config_service(L->cfg, name);
	const struct nbpy_registry_entry *r = nbpy_registry_find(name);
	const char *host = nbpy_config_global(L->cfg, "bus_host")->text, *endpoint, *topic;
	enum nbpy_schema schema;
	char ep[300];

	if (strcmp(name, s->name) == 0) {
		config_diag(L, line, "[%s] subscribes to itself", s->name);
		return;
	}
	if (p != NULL && p->kind != NULL) {
		if (p->bind == NULL) {
			config_diag(L, line, "[%s] subscribe: [%s] publishes nothing", s->name, name);
			return;
		}
		endpoint = p->bind;
		topic = p->topic;
		schema = p->kind->schema ? p->kind->schema : (r ? r->schema : NBPY_SCHEMA_NONE);
	} else if (p == NULL && r != NULL) {
		(void)snprintf(ep, sizeof(ep), "tcp://%s:%d", host ? host : "127.0.0.1", r->port);
		endpoint = ep;
		topic = r->topic;
		schema = r->schema;
	} else {
		if (p == NULL)	/* else its own section is broken and already reported */
			unknown_service(L, s, name, line);
		return;
	}
	if (!kind_accepts(s->kind, schema))
		config_diag(L, line, "[%s] subscribe: %s publishes %s, which kind %s does not read",
			    s->name, name, nbpy_kinds_schema_name(schema), s->kind->name);
	else
		add_sub(L, s, name, endpoint, topic, schema);
}

static void resolve_subscriber(struct loader *L, struct nbpy_service *s)
{
	const struct nbpy_value *sub = nbpy_service_value(s, "subscribe");
	const struct nbpy_value *con = nbpy_service_value(s, "connect");
	const struct nbpy_value *topics = nbpy_service_value(s, "topics");

	for (size_t i = 0; i < sub->n_items; i++)
		subscribe_by_name(L, s, sub->items[i], sub->line);
	for (size_t i = 0; i < con->n_items; i++) {
		char why[128];

		if (nbpy_endpoint_check(con->items[i], why, sizeof(why)) < 0) {
			config_diag(L, con->line, "[%s] connect: bad endpoint '%s': %s", s->name,
			     con->items[i], why);
			continue;
		}
		if (topics->n_items == 0)
			add_sub(L, s, NULL, con->items[i], "", NBPY_SCHEMA_NONE);
		for (size_t t = 0; t < topics->n_items; t++)
			add_sub(L, s, NULL, con->items[i], topics->items[t], NBPY_SCHEMA_NONE);
	}
	if (topics->n_items > 0 && con->n_items == 0)
		config_diag(L, topics->line, "[%s] topics only applies to connect endpoints", s->name);
	if ((s->kind->flags & NBPY_KIND_NEEDS_INPUT) && sub->n_items == 0 && con->n_items == 0)
		config_diag(L, s->line, "[%s] needs an input: set subscribe = SERVICE", s->name);
}

void config_resolve_bus(struct loader *L)
{
	struct nbpy_config *c = L->cfg;

	for (size_t i = 0; i < c->n_services; i++)
		if (c->services[i].values != NULL && (c->services[i].kind->flags & NBPY_KIND_PUBLISHES))
			resolve_publisher(L, &c->services[i]);
	check_clashes(L);
	for (size_t i = 0; i < c->n_services; i++)
		if (c->services[i].values != NULL && (c->services[i].kind->flags & NBPY_KIND_SUBSCRIBES))
			resolve_subscriber(L, &c->services[i]);
}

