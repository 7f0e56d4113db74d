/* x_post.c - one filtered-stream line into a sentiment message (x_post.h).
 *
 * The line's shape (X API v2, docs/sentiment.md): `data` (id, text,
 * created_at, lang, author_id, geo.coordinates or geo.place_id,
 * public_metrics), `includes.users[]` and `includes.places[]` looked up by
 * id, `matching_rules[]` with their tags.  Read with common/json_scan: one
 * pass to check the line, nothing allocated.  Metric names are read in both
 * spellings X has used (retweet_count/repost_count, tweet_count/post_count). */
#include <autoconfig.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common/json_scan.h"
#include "common/text.h"
#include "common/timefmt.h"
#include "workers/twitter/x_post.h"

enum { DATA, INCLUDES, RULES, ERRORS, ROOT_FIELDS };
enum { ID, TEXT, CREATED_AT, LANG, AUTHOR_ID, GEO, METRICS, DATA_FIELDS };

/* A JSON number as a double; false if it is not one. */
static bool number(struct nbpy_json v, double *out)
{
	char text[64], *end;

	if (v.type != NBPY_JSON_NUMBER || v.len >= sizeof(text))
		return false;
	memcpy(text, v.text, v.len);
	text[v.len] = '\0';
	*out = nbpy_strtod(text, &end);
	return *end == '\0' && isfinite(*out);
}

/* An optional string member: absent is "", anything else must fit. */
static bool optional_string(struct nbpy_json v, char *buf, size_t cap)
{
	buf[0] = '\0';
	return v.type == NBPY_JSON_NONE || v.type == NBPY_JSON_NULL || nbpy_json_string(v, buf, cap, NULL) == NULL;
}

/* Optional counts of a public_metrics object, each in either of two
 * spellings (names[2k], names[2k+1]); absent is 0.  n counts, at most 2. */
static bool counts(struct nbpy_json metrics, const char *const *names, int64_t **out, size_t n)
{
	struct nbpy_json_field f[4];

	for (size_t k = 0; k < n; k++)
		*out[k] = 0;
	if (metrics.type == NBPY_JSON_NONE)
		return true;
	for (size_t k = 0; k < 2 * n; k++)
		f[k] = (struct nbpy_json_field){ .name = names[k] };
	if (nbpy_json_fields(metrics, f, 2 * n) != NULL)
		return false;
	for (size_t k = 0; k < n; k++) {
		struct nbpy_json v = f[2 * k].value.type != NBPY_JSON_NONE ? f[2 * k].value : f[2 * k + 1].value;

		if (v.type != NBPY_JSON_NONE && (nbpy_json_int64(v, out[k]) != NULL || *out[k] < 0))
			return false;
	}
	return true;
}

/* The element of array `list` whose "id" (f[0]) is id, its members f[0..n)
 * read in the same pass; false if there is none. */
static bool find_by_id(struct nbpy_json list, const char *id, struct nbpy_json_field *f, size_t n)
{
	struct nbpy_json_iter it = nbpy_json_iter(list);
	struct nbpy_json e;
	char eid[32];

	if (id[0] == '\0')
		return false;
	while (nbpy_json_next(&it, NULL, &e))
		if (nbpy_json_fields(e, f, n) == NULL && nbpy_json_string(f[0].value, eid, sizeof(eid), NULL) == NULL &&
		    strcmp(eid, id) == 0)
			return true;
	return false;
}

static const char *author(struct nbpy_json users, struct nbpy_sentiment *t)
{
	static const char *const names[] = { "followers_count", "followers_count", "tweet_count", "post_count" };
	struct nbpy_json_field f[] = { { .name = "id" }, { .name = "username" }, { .name = "location" },
				       { .name = "public_metrics" } };
	int64_t *out[] = { &t->followers, &t->statuses };

	if (!find_by_id(users, t->author_id, f, 4))
		return NULL;	/* an author not expanded: no name, no counts */
	if (!optional_string(f[1].value, t->user, sizeof(t->user)))
		return "bad username";
	if (!optional_string(f[2].value, t->location, sizeof(t->location)))
		return "bad user location";
	if (!counts(f[3].value, names, out, 2))
		return "bad user public_metrics";
	return NULL;
}

/* geo: an exact point [lon, lat], else the place's bounding box centre. */
static const char *where(struct nbpy_json geo, struct nbpy_json places, struct nbpy_sentiment *t)
{
	struct nbpy_json_field g[] = { { .name = "coordinates" }, { .name = "place_id" } };
	struct nbpy_json_field pf[] = { { .name = "id" }, { .name = "full_name" }, { .name = "geo" } };
	struct nbpy_json point, v;
	struct nbpy_json_iter it;
	char place_id[32];
	double c[4];
	size_t n = 0;

	t->lat = t->lon = NAN;
	if (geo.type == NBPY_JSON_NONE)
		return NULL;
	if (nbpy_json_fields(geo, g, 2) != NULL)
		return "bad geo";
	if (g[0].value.type == NBPY_JSON_OBJECT) {
		if (nbpy_json_get(g[0].value, "coordinates", &point) != NULL)
			return "geo.coordinates without coordinates";
		for (it = nbpy_json_iter(point); n < 2 && nbpy_json_next(&it, NULL, &v); n++)
			if (!number(v, &c[n]))
				return "bad geo.coordinates";
		if (n != 2 || fabs(c[0]) > 180 || fabs(c[1]) > 90)
			return "bad geo.coordinates";
		t->lon = c[0];
		t->lat = c[1];
	}
	if (!optional_string(g[1].value, place_id, sizeof(place_id)))
		return "bad geo.place_id";
	if (!find_by_id(places, place_id, pf, 3))
		return NULL;
	if (!optional_string(pf[1].value, t->place, sizeof(t->place)))
		return "bad place full_name";
	if (!isnan(t->lat) || pf[2].value.type != NBPY_JSON_OBJECT || nbpy_json_get(pf[2].value, "bbox", &v) != NULL)
		return NULL;
	for (it = nbpy_json_iter(v), n = 0; n < 4 && nbpy_json_next(&it, NULL, &point); n++)
		if (!number(point, &c[n]))
			return "bad place bbox";
	if (n != 4 || fabs(c[0]) > 180 || fabs(c[2]) > 180 || fabs(c[1]) > 90 || fabs(c[3]) > 90)
		return "bad place bbox";
	/* [west, south, east, north] */
	t->lon = (c[0] + c[2]) / 2;
	t->lat = (c[1] + c[3]) / 2;
	return NULL;
}

/* The tags of the matching rules, comma-separated (whole tags only). */
static const char *rule_tags(struct nbpy_json rules, struct nbpy_sentiment *t)
{
	struct nbpy_json_iter it = nbpy_json_iter(rules);
	struct nbpy_json rule, tag;
	size_t len = 0;

	while (nbpy_json_next(&it, NULL, &rule)) {
		char one[sizeof(t->rules)];
		size_t n;

		if (nbpy_json_get(rule, "tag", &tag) != NULL)
			continue;	/* a rule without a tag */
		if (nbpy_json_string(tag, one, sizeof(one), &n) != NULL)
			return "bad matching_rules tag";
		if (len + (len > 0) + n >= sizeof(t->rules))
			break;
		len += (size_t)snprintf(t->rules + len, sizeof(t->rules) - len, "%s%s", len > 0 ? "," : "", one);
	}
	return NULL;
}

static enum x_post_result fail(const char **why, const char *what)
{
	*why = what;
	return X_POST_BAD;
}

enum x_post_result x_post_parse(const char *rec, size_t len, const struct vader_lexicon *lex, bool keep_text,
				struct nbpy_msg *m, const char **why, size_t *at)
{
	struct nbpy_json_field r[ROOT_FIELDS] = {
		[DATA] = { .name = "data" }, [INCLUDES] = { .name = "includes" },
		[RULES] = { .name = "matching_rules" }, [ERRORS] = { .name = "errors" },
	};
	struct nbpy_json_field d[DATA_FIELDS] = {
		[ID] = { .name = "id" }, [TEXT] = { .name = "text" }, [CREATED_AT] = { .name = "created_at" },
		[LANG] = { .name = "lang" }, [AUTHOR_ID] = { .name = "author_id" }, [GEO] = { .name = "geo" },
		[METRICS] = { .name = "public_metrics" },
	};
	struct nbpy_json_field inc[] = { { .name = "users" }, { .name = "places" } };
	static const char *const reposts[] = { "retweet_count", "repost_count" };
	struct nbpy_sentiment *t = &m->u.sentiment;
	int64_t *retweets = &t->retweets;
	char text[VADER_TEXT_MAX + 1], stamp[NBPY_RFC3339_MAX];
	struct vader_scores s;
	struct nbpy_json root;
	size_t text_len, stamp_len;
	const char *e;

	memset(m, 0, sizeof(*m));
	m->h.schema = NBPY_SCHEMA_SENTIMENT;
	*at = 0;
	if ((*why = nbpy_json_scan_object(rec, len, &root, r, ROOT_FIELDS, at)) != NULL)
		return X_POST_BAD;
	if (r[DATA].value.type == NBPY_JSON_NONE && r[ERRORS].value.type == NBPY_JSON_ARRAY) {
		*why = "an errors object: X is ending the stream";
		return X_POST_STREAM_ERROR;
	}
	if (r[DATA].value.type != NBPY_JSON_OBJECT)
		return fail(why, "no data object");
	if (nbpy_json_fields(r[DATA].value, d, DATA_FIELDS) != NULL)
		return fail(why, "data: a member twice");
	if (nbpy_json_string(d[ID].value, t->id, sizeof(t->id), NULL) != NULL || t->id[0] == '\0' ||
	    t->id[strspn(t->id, "0123456789")] != '\0')
		return fail(why, "no data.id or not digits");
	if (nbpy_json_string(d[CREATED_AT].value, stamp, sizeof(stamp), &stamp_len) != NULL ||
	    nbpy_rfc3339_parse(stamp, stamp_len, &m->h.event_ns) != 0)
		return fail(why, "no data.created_at or a bad one");
	if (d[TEXT].value.type != NBPY_JSON_STRING)
		return fail(why, "no data.text");
	if (nbpy_json_string(d[TEXT].value, text, sizeof(text), &text_len) != NULL) {
		if (d[TEXT].value.len > VADER_TEXT_MAX)
			return *why = "text over 1120 bytes", X_POST_TOO_LONG;
		return fail(why, "data.text holds U+0000");
	}
	if (text_len > NBPY_TEXT_MAX)
		return *why = "text over 1120 bytes", X_POST_TOO_LONG;
	if (!optional_string(d[LANG].value, t->lang, sizeof(t->lang)))
		return fail(why, "bad data.lang");
	if (!optional_string(d[AUTHOR_ID].value, t->author_id, sizeof(t->author_id)))
		return fail(why, "bad data.author_id");
	if (!counts(d[METRICS].value, reposts, &retweets, 1))
		return fail(why, "bad data.public_metrics");
	if (r[INCLUDES].value.type != NBPY_JSON_NONE && nbpy_json_fields(r[INCLUDES].value, inc, 2) != NULL)
		return fail(why, "includes: not an object, or a member twice");
	if ((e = author(inc[0].value, t)) != NULL || (e = where(d[GEO].value, inc[1].value, t)) != NULL ||
	    (e = rule_tags(r[RULES].value, t)) != NULL)
		return fail(why, e);
	if (!isnan(t->lat))
		x_geohash(t->lat, t->lon, 12, t->geohash);
	if (vader_score(lex, text, text_len, &s) != VADER_OK)
		return fail(why, "text not scored");	/* cannot happen: the scan checked its UTF-8 */
	t->compound = s.compound;
	t->pos = s.pos;
	t->neu = s.neu;
	t->neg = s.neg;
	if (keep_text)
		memcpy(t->text, text, text_len + 1);
	return X_POST_OK;
}

void x_geohash(double lat, double lon, size_t chars, char *out)
{
	static const char base32[] = "0123456789bcdefghjkmnpqrstuvwxyz";
	double lo[2] = { -180, -90 }, hi[2] = { 180, 90 }, v[2] = { lon, lat };
	unsigned bit = 0, ch = 0, axis = 0;
	size_t n = 0;

	if (chars > 12)
		chars = 12;
	while (n < chars) {
		double mid = (lo[axis] + hi[axis]) / 2;

		ch <<= 1;
		if (v[axis] >= mid) {
			ch |= 1;
			lo[axis] = mid;
		} else {
			hi[axis] = mid;
		}
		axis ^= 1;	/* longitude first, then latitude, alternating */
		if (++bit == 5) {
			out[n++] = base32[ch];
			bit = ch = 0;
		}
	}
	out[n] = '\0';
}
