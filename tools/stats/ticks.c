/* ticks.c - see ticks.h. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/text.h"
#include "tools/stats/ticks.h"

void ticks_init(struct ticks *tk, bool time_order)
{
	memset(tk, 0, sizeof(*tk));
	tk->time_order = time_order;
	tk->at_what = "row";
}

void ticks_free(struct ticks *tk)
{
	free(tk->t_ns);
	free(tk->bid);
	free(tk->ask);
	free(tk->price);
	free(tk->volume);
	free(tk->inst);
	free(tk->name);
	free(tk->last_t);
	free(tk->last_at);
	free(tk->slot);
	free(tk->seg);
	free(tk->seg_inst);
	ticks_init(tk, false);
}

/* FNV-1a */
static size_t name_hash(const char *s, size_t len)
{
	uint64_t h = 14695981039346656037ULL;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return (size_t)h;
}

static size_t *find_slot_of(const struct ticks *tk, const char *name, size_t len, size_t *pos)
{
	size_t mask = tk->n_slots - 1;

	for (*pos = name_hash(name, len) & mask;; *pos = (*pos + 1) & mask) {
		uint32_t v = tk->slot[*pos];

		if (v == 0)
			return NULL;
		if (strncmp(tk->name[v - 1], name, len) == 0 && tk->name[v - 1][len] == '\0')
			return pos;
	}
}

/* Room for one more instrument: the arrays and a hash at most half full. */
static int grow_instruments(struct ticks *tk)
{
	if (tk->n_inst == tk->inst_cap) {
		size_t cap = tk->inst_cap ? 2 * tk->inst_cap : 64;
		void *p;

		if ((p = realloc(tk->name, cap * sizeof(*tk->name))) == NULL)
			return -1;
		tk->name = p;
		if ((p = realloc(tk->last_t, cap * sizeof(*tk->last_t))) == NULL)
			return -1;
		tk->last_t = p;
		if ((p = realloc(tk->last_at, cap * sizeof(*tk->last_at))) == NULL)
			return -1;
		tk->last_at = p;
		tk->inst_cap = cap;
	}
	if (2 * (tk->n_inst + 1) > tk->n_slots) {
		size_t n = tk->n_slots ? 2 * tk->n_slots : 128, pos;
		uint32_t *slot = calloc(n, sizeof(*slot)), *old = tk->slot;

		if (slot == NULL)
			return -1;
		tk->slot = slot;
		tk->n_slots = n;
		for (size_t i = 0; i < tk->n_inst; i++) {
			(void)find_slot_of(tk, tk->name[i], strlen(tk->name[i]), &pos);
			slot[pos] = (uint32_t)i + 1;
		}
		free(old);
	}
	return 0;
}

int ticks_instrument(struct ticks *tk, const char *name, size_t len, uint32_t *id, char *err,
		     size_t errlen)
{
	size_t pos;

	if (len == 0 || len > NBPY_INSTRUMENT_MAX || !nbpy_utf8_valid(name, len)) {
		(void)snprintf(err, errlen, "instrument '%.*s': %s", (int)(len > 64 ? 64 : len), name,
			       len == 0 ? "empty" : len > NBPY_INSTRUMENT_MAX ? "too long" : "not UTF-8");
		return -1;
	}
	if (tk->n_slots > 0 && find_slot_of(tk, name, len, &pos) != NULL) {
		*id = tk->slot[pos] - 1;
		return 0;
	}
	if (tk->n_inst == TICKS_MAX_INSTRUMENTS) {
		(void)snprintf(err, errlen, "more than %u instruments", TICKS_MAX_INSTRUMENTS);
		return -1;
	}
	if (grow_instruments(tk) < 0) {
		(void)snprintf(err, errlen, "out of memory");
		return -1;
	}
	(void)find_slot_of(tk, name, len, &pos);
	memcpy(tk->name[tk->n_inst], name, len);
	tk->name[tk->n_inst][len] = '\0';
	tk->last_t[tk->n_inst] = INT64_MIN;
	tk->last_at[tk->n_inst] = 0;
	tk->slot[pos] = (uint32_t)tk->n_inst + 1;
	*id = (uint32_t)tk->n_inst++;
	return 0;
}

static int grow_rows(struct ticks *tk)
{
	size_t cap = tk->cap ? 2 * tk->cap : 1 << 16;
	void *p;

#define GROW(col) \
	if ((p = realloc(tk->col, cap * sizeof(*tk->col))) == NULL) \
		return -1; \
	tk->col = p;
	GROW(t_ns) GROW(bid) GROW(ask) GROW(price) GROW(volume) GROW(inst)
#undef GROW
	tk->cap = cap;
	return 0;
}

int ticks_add(struct ticks *tk, uint32_t id, int64_t t_ns, double bid, double ask, double price,
	      double volume, uint64_t at, char *err, size_t errlen)
{
	size_t i = tk->n;

	if (tk->time_order && t_ns < tk->last_t[id]) {
		(void)snprintf(err, errlen, "time %" PRId64 " of %s goes back (%s %" PRIu64 " has %" PRId64
			       "): a time window needs each instrument's ticks in time order",
			       t_ns, tk->name[id], tk->at_what, tk->last_at[id], tk->last_t[id]);
		return -1;
	}
	if (i == tk->cap && grow_rows(tk) < 0) {
		(void)snprintf(err, errlen, "out of memory at %zu rows", i);
		return -1;
	}
	tk->last_t[id] = t_ns;
	tk->last_at[id] = at;
	tk->t_ns[i] = t_ns;
	tk->bid[i] = bid;
	tk->ask[i] = ask;
	tk->price[i] = price;
	tk->volume[i] = volume;
	tk->inst[i] = id;
	tk->n = i + 1;
	return 0;
}

static int by_name(const void *a, const void *b, void *ctx)
{
	const struct ticks *tk = ctx;

	return strcmp(tk->name[*(const uint32_t *)a], tk->name[*(const uint32_t *)b]);
}

/* Moves one column into grouped order: dst[cursor[inst[i]]++] = src[i]. */
#define SCATTER(type, col) \
	do { \
		type *dst = malloc((tk->n ? tk->n : 1) * sizeof(type)); \
		if (dst == NULL) \
			goto fail; \
		memcpy(cursor, start, tk->n_inst * sizeof(*cursor)); \
		for (size_t i = 0; i < tk->n; i++) \
			dst[cursor[tk->inst[i]]++] = tk->col[i]; \
		free(tk->col); \
		tk->col = dst; \
	} while (0)

int ticks_group(struct ticks *tk)
{
	size_t *start = calloc(tk->n_inst + 1, sizeof(*start));
	size_t *cursor = calloc(tk->n_inst + 1, sizeof(*cursor));
	size_t *count = calloc(tk->n_inst + 1, sizeof(*count));
	int rc = -1;

	tk->seg = malloc((tk->n_inst + 1) * sizeof(*tk->seg));
	tk->seg_inst = malloc((tk->n_inst + 1) * sizeof(*tk->seg_inst));
	if (start == NULL || cursor == NULL || count == NULL || tk->seg == NULL || tk->seg_inst == NULL)
		goto fail;
	for (size_t i = 0; i < tk->n; i++)
		count[tk->inst[i]]++;
	for (uint32_t k = 0; k < tk->n_inst; k++)
		tk->seg_inst[k] = k;
	qsort_r(tk->seg_inst, tk->n_inst, sizeof(*tk->seg_inst), by_name, tk);
	tk->seg[0] = 0;
	for (size_t k = 0; k < tk->n_inst; k++) {
		start[tk->seg_inst[k]] = tk->seg[k];
		tk->seg[k + 1] = tk->seg[k] + count[tk->seg_inst[k]];
	}
	tk->n_seg = tk->n_inst;
	SCATTER(int64_t, t_ns);
	SCATTER(double, bid);
	SCATTER(double, ask);
	SCATTER(double, price);
	SCATTER(double, volume);
	free(tk->inst);
	tk->inst = NULL;
	rc = 0;
fail:
	free(start);
	free(cursor);
	free(count);
	if (rc < 0)
		errno = ENOMEM;
	return rc;
}

size_t ticks_max_in_span(const struct ticks *tk, int64_t window_ns)
{
	size_t most = 0;

	for (size_t k = 0; k < tk->n_seg; k++) {
		size_t first = tk->seg[k];

		for (size_t i = tk->seg[k]; i < tk->seg[k + 1]; i++) {
			/* times are in order: drop what left (t - window_ns, t];
			 * unsigned, the difference of two int64 cannot overflow */
			while ((uint64_t)tk->t_ns[i] - (uint64_t)tk->t_ns[first] >= (uint64_t)window_ns)
				first++;
			if (i - first + 1 > most)
				most = i - first + 1;
		}
	}
	return most;
}
