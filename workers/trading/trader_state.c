/* trader_state.c - a trader's state file (trader_state.h), JSON:
 *
 *   {"last_signal_id": N, "day": N, "day_start_pl": X, "halted": B,
 *    "halted_loss": X, "recent_orders": [NS, ...],
 *    "in_flight": [{"client_id": "ID", "signal_id": N, "instrument": "EUR_USD",
 *                   "side": "b", "units": X, "price": X, "take_profit": X,
 *                   "stop_loss": X, "rate": X, "event_ns": N, "recv_ns": N}, ...],
 *    "positions": {"EUR_USD": {"units": X, "average_price": X,
 *                              "realised_pl": X, "fees": X}, ...}}
 *
 * take_profit and stop_loss are left out when not set.  Files of older
 * traders list the in-flight orders as bare client ids ("in_flight":
 * ["ID", ...]): they are still read, as orders of which only the id is
 * known.
 *
 * Doubles are written by json-c with 17 significant digits: they read back
 * bit for bit. */
#include <errno.h>
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common/fs.h"
#include "workers/trading/trader_state.h"

#define STATE_FILE_MAX (1 << 20)

static struct json_object *position_json(const struct position *p)
{
	struct json_object *o = json_object_new_object();

	if (o == NULL || json_object_object_add(o, "units", json_object_new_double(p->units)) < 0 ||
	    json_object_object_add(o, "average_price", json_object_new_double(p->average)) < 0 ||
	    json_object_object_add(o, "realised_pl", json_object_new_double(p->realised)) < 0 ||
	    json_object_object_add(o, "fees", json_object_new_double(p->fees)) < 0) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

static bool add_double(struct json_object *o, const char *key, double v)
{
	return isnan(v) || json_object_object_add(o, key, json_object_new_double(v)) == 0;
}

static struct json_object *in_flight_json(const struct trader_in_flight *f)
{
	struct json_object *o = json_object_new_object();
	char side[2] = { f->o.side, '\0' };

	if (o == NULL || json_object_object_add(o, "client_id", json_object_new_string(f->o.client_id)) < 0 ||
	    json_object_object_add(o, "signal_id", json_object_new_int64(f->o.signal_id)) < 0 ||
	    json_object_object_add(o, "instrument", json_object_new_string(f->o.instrument)) < 0 ||
	    json_object_object_add(o, "side", json_object_new_string(side)) < 0 ||
	    !add_double(o, "units", f->o.units) || !add_double(o, "price", f->o.price) ||
	    !add_double(o, "take_profit", f->o.take_profit) || !add_double(o, "stop_loss", f->o.stop_loss) ||
	    !add_double(o, "rate", f->rate) ||
	    json_object_object_add(o, "event_ns", json_object_new_int64(f->event_ns)) < 0 ||
	    json_object_object_add(o, "recv_ns", json_object_new_int64(f->recv_ns)) < 0) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

static struct json_object *state_json(const struct trader_state *s)
{
	struct json_object *root = json_object_new_object(), *pos = json_object_new_object(),
			   *recent = json_object_new_array(), *flight = json_object_new_array();
	bool ok = root && pos && recent && flight;

	for (size_t i = 0; ok && i < s->n_held; i++) {
		struct json_object *p = position_json(&s->held[i].p);

		ok = p != NULL && json_object_object_add(pos, s->held[i].instrument, p) == 0;
	}
	for (size_t i = 0; ok && i < s->n_recent; i++)
		ok = json_object_array_add(recent, json_object_new_int64(s->recent[i])) == 0;
	for (size_t i = 0; ok && i < s->n_in_flight; i++) {
		struct json_object *f = s->in_flight[i].o.instrument[0] != '\0' ? in_flight_json(&s->in_flight[i]) :
					json_object_new_string(s->in_flight[i].o.client_id);	/* id only */

		ok = f != NULL && json_object_array_add(flight, f) == 0;
		if (!ok)
			json_object_put(f);
	}
	ok = ok && json_object_object_add(root, "last_signal_id", json_object_new_int64(s->last_signal_id)) == 0 &&
	     json_object_object_add(root, "day", json_object_new_int64(s->day)) == 0 &&
	     json_object_object_add(root, "day_start_pl", json_object_new_double(s->day_start_pl)) == 0 &&
	     json_object_object_add(root, "halted", json_object_new_boolean(s->halted)) == 0 &&
	     json_object_object_add(root, "halted_loss", json_object_new_double(s->halted_loss)) == 0;
	if (ok && json_object_object_add(root, "recent_orders", recent) == 0)
		recent = NULL;
	if (ok && json_object_object_add(root, "in_flight", flight) == 0)
		flight = NULL;
	if (ok && json_object_object_add(root, "positions", pos) == 0)
		pos = NULL;
	ok = ok && recent == NULL && flight == NULL && pos == NULL;
	json_object_put(recent);
	json_object_put(flight);
	json_object_put(pos);
	if (!ok) {
		json_object_put(root);
		return NULL;
	}
	return root;
}

int trader_state_save(const struct trader_state *s, const char *path, struct nbpy_error *err)
{
	struct json_object *root = state_json(s);
	const char *text;
	int rc;

	if (root == NULL)
		return nbpy_error_set(err, "%s: out of memory", path);
	text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN);
	rc = text == NULL ? -1 : nbpy_write_atomic(path, text, strlen(text));
	if (rc < 0)
		(void)nbpy_error_set(err, "cannot write %s: %s", path, text ? strerror(errno) : "out of memory");
	json_object_put(root);
	return rc;
}

/* ---- reading: every member checked, anything unexpected is an error ---- */

static const char *get_double(struct json_object *o, const char *key, double *v)
{
	struct json_object *x;

	if (!json_object_object_get_ex(o, key, &x))
		return "missing";
	if (!json_object_is_type(x, json_type_double) && !json_object_is_type(x, json_type_int))
		return "not a number";
	*v = json_object_get_double(x);
	return isfinite(*v) ? NULL : "not finite";
}

static const char *get_int(struct json_object *o, const char *key, int64_t *v)
{
	struct json_object *x;

	if (!json_object_object_get_ex(o, key, &x))
		return "missing";
	if (!json_object_is_type(x, json_type_int))
		return "not an integer";
	*v = json_object_get_int64(x);
	return NULL;
}

static const char *read_position(struct json_object *o, struct position *p, const char **key)
{
	const char *why;

	if (!json_object_is_type(o, json_type_object))
		return "not an object";
	if ((why = get_double(o, *key = "units", &p->units)) != NULL ||
	    (why = get_double(o, *key = "average_price", &p->average)) != NULL ||
	    (why = get_double(o, *key = "realised_pl", &p->realised)) != NULL ||
	    (why = get_double(o, *key = "fees", &p->fees)) != NULL)
		return why;
	*key = "units";
	return p->units == trunc(p->units) ? NULL : "not whole units";
}

/* A string member of at most cap - 1 bytes copied to buf. */
static const char *get_string(struct json_object *o, const char *key, char *buf, size_t cap)
{
	struct json_object *x;

	if (!json_object_object_get_ex(o, key, &x))
		return "missing";
	if (!json_object_is_type(x, json_type_string))
		return "not a string";
	if ((size_t)json_object_get_string_len(x) >= cap || json_object_get_string_len(x) == 0)
		return "empty or too long";
	memcpy(buf, json_object_get_string(x), (size_t)json_object_get_string_len(x) + 1);
	return NULL;
}

/* An order in flight: {...} as written above, or a bare client id (an older
 * file: the rest unknown). */
static const char *read_in_flight(struct json_object *x, struct trader_in_flight *f, const char **key)
{
	char side[2];
	const char *why;

	f->o.take_profit = f->o.stop_loss = f->o.trailing_stop = NAN;
	*key = "client_id";
	if (json_object_is_type(x, json_type_string)) {
		if ((size_t)json_object_get_string_len(x) >= sizeof(f->o.client_id) ||
		    json_object_get_string_len(x) == 0)
			return "not a client id";
		memcpy(f->o.client_id, json_object_get_string(x), (size_t)json_object_get_string_len(x) + 1);
		return NULL;
	}
	if (!json_object_is_type(x, json_type_object))
		return "not an order nor a client id";
	if ((why = get_string(x, *key = "client_id", f->o.client_id, sizeof(f->o.client_id))) != NULL ||
	    (why = get_int(x, *key = "signal_id", &f->o.signal_id)) != NULL ||
	    (why = get_string(x, *key = "instrument", f->o.instrument, sizeof(f->o.instrument))) != NULL ||
	    (why = get_string(x, *key = "side", side, sizeof(side))) != NULL ||
	    (why = get_double(x, *key = "units", &f->o.units)) != NULL ||
	    (why = get_double(x, *key = "price", &f->o.price)) != NULL ||
	    (why = get_double(x, *key = "rate", &f->rate)) != NULL ||
	    (why = get_int(x, *key = "event_ns", &f->event_ns)) != NULL ||
	    (why = get_int(x, *key = "recv_ns", &f->recv_ns)) != NULL)
		return why;
	if (json_object_object_get_ex(x, "take_profit", NULL) &&
	    (why = get_double(x, *key = "take_profit", &f->o.take_profit)) != NULL)
		return why;
	if (json_object_object_get_ex(x, "stop_loss", NULL) &&
	    (why = get_double(x, *key = "stop_loss", &f->o.stop_loss)) != NULL)
		return why;
	f->o.side = side[0];
	*key = "side";
	if (f->o.side != 'b' && f->o.side != 's')
		return "not b or s";
	*key = "units";
	return f->o.units >= 1 && f->o.units == trunc(f->o.units) ? NULL : "not whole units, 1 or more";
}

/* What is wrong with root, and where (*where: a member's name). */
static const char *read_state(struct json_object *root, struct trader_state *s, const char **where)
{
	struct json_object *pos, *recent, *flight, *halted;
	const char *why;

	*where = "the file";
	if (!json_object_is_type(root, json_type_object))
		return "not a JSON object";
	if ((why = get_int(root, *where = "last_signal_id", &s->last_signal_id)) != NULL ||
	    (why = get_int(root, *where = "day", &s->day)) != NULL ||
	    (why = get_double(root, *where = "day_start_pl", &s->day_start_pl)) != NULL ||
	    (why = get_double(root, *where = "halted_loss", &s->halted_loss)) != NULL)
		return why;
	*where = "halted";
	if (!json_object_object_get_ex(root, "halted", &halted) || !json_object_is_type(halted, json_type_boolean))
		return "missing or not true/false";
	s->halted = json_object_get_boolean(halted);
	*where = "recent_orders";
	if (!json_object_object_get_ex(root, "recent_orders", &recent) || !json_object_is_type(recent, json_type_array))
		return "missing or not an array";
	if (json_object_array_length(recent) > TRADER_MAX_RATE)
		return "too many";
	for (size_t i = 0; i < json_object_array_length(recent); i++) {
		struct json_object *x = json_object_array_get_idx(recent, i);

		if (!json_object_is_type(x, json_type_int))
			return "not an integer";
		s->recent[s->n_recent++] = json_object_get_int64(x);
	}
	*where = "in_flight";
	if (!json_object_object_get_ex(root, "in_flight", &flight) || !json_object_is_type(flight, json_type_array))
		return "missing or not an array";
	if (json_object_array_length(flight) > TRADER_MAX_IN_FLIGHT)
		return "too many";
	for (size_t i = 0; i < json_object_array_length(flight); i++) {
		const char *key;

		if ((why = read_in_flight(json_object_array_get_idx(flight, i), &s->in_flight[s->n_in_flight++],
					  &key)) != NULL) {
			static char what[96];

			(void)snprintf(what, sizeof(what), "order %zu: %s: %s", i + 1, key, why);
			return what;
		}
	}
	*where = "positions";
	if (!json_object_object_get_ex(root, "positions", &pos) || !json_object_is_type(pos, json_type_object))
		return "missing or not an object";
	json_object_object_foreach(pos, name, value) {
		struct trader_holding *h;
		const char *key = "units";

		*where = name;
		if (s->n_held == TRADER_MAX_INSTRUMENTS)
			return "too many positions";
		if (name[0] == '\0' || strlen(name) > NBPY_INSTRUMENT_MAX)
			return "not an instrument name";
		h = &s->held[s->n_held++];
		memcpy(h->instrument, name, strlen(name) + 1);
		if ((why = read_position(value, &h->p, &key)) != NULL) {
			static char what[96];

			(void)snprintf(what, sizeof(what), "%s: %s", key, why);
			return what;
		}
	}
	return NULL;
}

int trader_state_load(struct trader_state *s, const char *path, struct nbpy_error *err)
{
	static char text[STATE_FILE_MAX + 1];
	struct json_tokener *tok;
	struct json_object *root;
	const char *why, *where;
	FILE *f;
	size_t n, end;

	memset(s, 0, sizeof(*s));
	f = fopen(path, "r");
	if (f == NULL)
		return errno == ENOENT ? 1 : nbpy_error_set(err, "%s: %s", path, strerror(errno));
	n = fread(text, 1, sizeof(text), f);
	if (ferror(f)) {
		(void)fclose(f);
		return nbpy_error_set(err, "%s: read error", path);
	}
	(void)fclose(f);
	if (n > STATE_FILE_MAX)
		return nbpy_error_set(err, "%s: larger than %d bytes: not a trader's state", path, STATE_FILE_MAX);
	text[n] = '\0';
	if ((tok = json_tokener_new()) == NULL)
		return nbpy_error_set(err, "%s: out of memory", path);
	root = json_tokener_parse_ex(tok, text, (int)n);
	end = json_tokener_get_parse_end(tok);
	if (root == NULL || text[end + strspn(text + end, " \t\r\n")] != '\0') {
		enum json_tokener_error e = json_tokener_get_error(tok);

		(void)nbpy_error_set(err, "%s: not JSON (%s at byte %zu)", path,
				     root != NULL ? "more after the object" :
				     e == json_tokener_continue ? "cut short" : json_tokener_error_desc(e), end);
		json_object_put(root);
		json_tokener_free(tok);
		return -1;
	}
	json_tokener_free(tok);
	why = read_state(root, s, &where);
	if (why != NULL) {
		(void)nbpy_error_set(err, "%s: %s: %s", path, where, why);	/* where may be in root */
		memset(s, 0, sizeof(*s));
	}
	json_object_put(root);
	return why != NULL ? -1 : 0;
}
