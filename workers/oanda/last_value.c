/* last_value.c - the last message of each topic (see last_value.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "workers/oanda/last_value.h"

int last_values_init(struct last_values *t, size_t max)
{
	t->n = t->max = 0;
	if (max == 0) {
		errno = EINVAL;
		return -1;
	}
	/* calloc: the pages of entries never used are never touched */
	if ((t->v = calloc(max, sizeof(*t->v))) == NULL)
		return -1;
	t->max = max;
	return 0;
}

void last_values_free(struct last_values *t)
{
	free(t->v);
	t->v = NULL;
	t->n = t->max = 0;
}

struct last_value *last_values_entry(struct last_values *t, const char *topic, size_t topic_len)
{
	struct last_value *e;

	if (topic_len == 0 || topic_len > NBPY_TOPIC_MAX) {
		errno = EINVAL;
		return NULL;
	}
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].topic_len == topic_len && memcmp(t->v[i].topic, topic, topic_len) == 0)
			return &t->v[i];
	if (t->n == t->max) {
		errno = ENOSPC;
		return NULL;
	}
	e = &t->v[t->n++];
	memcpy(e->topic, topic, topic_len);
	e->topic[topic_len] = '\0';
	e->topic_len = topic_len;
	e->len = 0;
	return e;
}

int last_value_set(struct last_value *e, const void *bytes, size_t len)
{
	if (len == 0 || len > sizeof(e->bytes)) {
		errno = EMSGSIZE;
		return -1;
	}
	memcpy(e->bytes, bytes, len);
	e->len = len;
	return 0;
}

const struct last_value *last_values_match(const struct last_values *t, size_t *i, const void *prefix,
					   size_t plen)
{
	for (; *i < t->n; (*i)++) {
		const struct last_value *e = &t->v[*i];

		if (e->len > 0 && e->topic_len >= plen && (plen == 0 || memcmp(e->topic, prefix, plen) == 0)) {
			(*i)++;
			return e;
		}
	}
	return NULL;
}
