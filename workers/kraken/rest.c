/* rest.c - see rest.h. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "workers/kraken/answers.h"
#include "common/log.h"
#include "common/pyfloat.h"
#include "workers/kraken/rest.h"

bool kraken_number(struct json_object *o, double *out)
{
	if (json_object_is_type(o, json_type_string))
		return nbpy_parse_double(json_object_get_string(o), (size_t)json_object_get_string_len(o),
					 out) == 0;
	if (json_object_is_type(o, json_type_int) || json_object_is_type(o, json_type_double)) {
		*out = json_object_get_double(o);
		return isfinite(*out);
	}
	return false;
}

bool kraken_array_number(struct json_object *o, size_t i, double *out)
{
	return json_object_is_type(o, json_type_array) && i < json_object_array_length(o) &&
	       kraken_number(json_object_array_get_idx(o, i), out);
}

enum kraken_outcome kraken_check(const struct http_result *r, struct json_object **root,
				 struct json_object **result, char *why, size_t cap)
{
	*root = NULL;
	if (r->status == 0) {
		(void)snprintf(why, cap, "no response: %s", r->error ? r->error : "?");
		return KRAKEN_RETRY;
	}
	if (r->status != 200) {
		(void)snprintf(why, cap, "HTTP %ld", r->status);
		return r->status == 429 || r->status >= 500 ? KRAKEN_RETRY : KRAKEN_BAD;
	}
	return kraken_envelope(r->body, r->len, root, result, why, cap);
}

enum kraken_outcome kraken_envelope(const char *body, size_t len, struct json_object **root,
				    struct json_object **result, char *why, size_t cap)
{
	struct json_tokener *tok;
	struct json_object *errors;

	*root = NULL;
	if (len > INT_MAX) {	/* json-c counts in int */
		(void)snprintf(why, cap, "answer of %zu bytes", len);
		return KRAKEN_BAD;
	}
	tok = json_tokener_new_ex(32);
	if (tok == NULL) {
		(void)snprintf(why, cap, "out of memory");
		return KRAKEN_RETRY;
	}
	*root = json_tokener_parse_ex(tok, body, (int)len);
	if (*root == NULL || json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != len) {
		/* the body need not end in a NUL */
		(void)snprintf(why, cap, "invalid JSON near byte %zu of %zu: %.*s",
			       json_tokener_get_parse_end(tok), len, (int)(len < 60 ? len : 60), body);
		json_tokener_free(tok);
		json_object_put(*root);
		*root = NULL;
		return KRAKEN_BAD;
	}
	json_tokener_free(tok);
	if (!json_object_object_get_ex(*root, "error", &errors) ||
	    !json_object_is_type(errors, json_type_array)) {
		(void)snprintf(why, cap, "no \"error\" array in the answer");
		goto bad;
	}
	if (json_object_array_length(errors) > 0) {
		const char *e = json_object_get_string(json_object_array_get_idx(errors, 0));

		/* rate limits and service trouble pass; the rest is our request */
		enum kraken_outcome o = e && (strstr(e, "Too many requests") || strstr(e, "Rate limit") ||
					      strncmp(e, "EService:", 9) == 0 ||
					      strstr(e, "Internal error")) ? KRAKEN_RETRY : KRAKEN_BAD;

		(void)snprintf(why, cap, "Kraken: %.200s", e ? e : "?");
		json_object_put(*root);	/* e points into it: done with e */
		*root = NULL;
		return o;
	}
	if (!json_object_object_get_ex(*root, "result", result) ||
	    !json_object_is_type(*result, json_type_object)) {
		(void)snprintf(why, cap, "no \"result\" object in the answer");
		goto bad;
	}
	return KRAKEN_OK;
bad:
	json_object_put(*root);
	*root = NULL;
	return KRAKEN_BAD;
}

void kraken_count_bad(struct worker *w, const char *what, const struct kraken_answer *a)
{
	if (a->bad == 0)
		return;
	w->bad_messages += a->bad;
	log_warning("%s: %zu bad %s in the answer, skipped; the first: %s", what, a->bad,
		    a->bad == 1 ? "entry" : "entries", a->first_bad);
}
