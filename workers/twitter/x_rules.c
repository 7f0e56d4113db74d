/* x_rules.c - the stream rules' synchronisation plan (x_rules.h).  Read
 * once at start, so json-c (a tree) rather than the per-line scanner. */
#include <autoconfig.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workers/twitter/x_rules.h"

static const char *trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	return s;
}

int x_rules_from_config(const struct nbpy_list *items, struct x_rule **rules, size_t *n, char *why, size_t cap)
{
	*rules = calloc(items->n ? items->n : 1, sizeof(**rules));
	*n = 0;
	if (!*rules)
		return snprintf(why, cap, "out of memory"), -1;
	for (size_t i = 0; i < items->n; i++) {
		char item[X_RULE_TAG_MAX + X_RULE_VALUE_MAX + 8], *colon;
		const char *tag, *value;

		if (strlen(items->items[i]) >= sizeof(item))
			goto bad;
		strcpy(item, items->items[i]);
		colon = strchr(item, ':');
		if (!colon)
			goto bad;
		*colon = '\0';
		tag = trim(item);
		value = trim(colon + 1);
		if (!*tag || !*value || strlen(tag) > X_RULE_TAG_MAX || strlen(value) > X_RULE_VALUE_MAX)
			goto bad;
		for (size_t k = 0; k < *n; k++)
			if (strcmp((*rules)[k].tag, tag) == 0) {
				(void)snprintf(why, cap, "rules: the tag '%s' twice", tag);
				goto fail;
			}
		strcpy((*rules)[*n].tag, tag);
		strcpy((*rules)[*n].value, value);
		(*n)++;
		continue;
bad:
		(void)snprintf(why, cap, "rules: item %zu is not 'TAG: VALUE' (a tag of 1..%d bytes, a value of "
			       "1..%d)", i + 1, X_RULE_TAG_MAX, X_RULE_VALUE_MAX);
		goto fail;
	}
	return 0;
fail:
	free(*rules);
	*rules = NULL;
	return -1;
}

static const char *str_member(struct json_object *o, const char *name)
{
	struct json_object *v;

	return json_object_object_get_ex(o, name, &v) && json_object_is_type(v, json_type_string)
		? json_object_get_string(v) : NULL;
}

static char *body_of(struct json_object *o)
{
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	char *copy = s ? strdup(s) : NULL;

	json_object_put(o);
	return copy;
}

int x_rules_plan(const struct x_rule *want, size_t n_want, const char *body, size_t len, char **delete_body,
		 size_t *deleting, char **add_body, size_t *adding, char *why, size_t cap)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *root = NULL, *data = NULL, *ids = json_object_new_array(), *add = json_object_new_array();
	bool *held = calloc(n_want ? n_want : 1, sizeof(*held));
	size_t n_have = 0;
	int rc = -1;

	*delete_body = *add_body = NULL;
	*deleting = *adding = 0;
	if (!tok || !ids || !add || !held) {
		(void)snprintf(why, cap, "out of memory");
		goto out;
	}
	if (len < INT_MAX)
		root = json_tokener_parse_ex(tok, body, (int)len);
	if (!root || json_tokener_get_parse_end(tok) != len || !json_object_is_type(root, json_type_object)) {
		(void)snprintf(why, cap, "the rules answer is not a JSON object: %.80s", body);
		goto out;
	}
	/* no rules: no "data" at all */
	if (json_object_object_get_ex(root, "data", &data)) {
		if (!json_object_is_type(data, json_type_array)) {
			(void)snprintf(why, cap, "the rules answer's data is not an array");
			goto out;
		}
		n_have = json_object_array_length(data);
	}
	for (size_t i = 0; i < n_have; i++) {
		struct json_object *r = json_object_array_get_idx(data, i);
		const char *id = str_member(r, "id"), *value = str_member(r, "value"), *tag = str_member(r, "tag");
		bool keep = false;

		if (!id || !value || id[0] == '\0' || id[strspn(id, "0123456789")] != '\0') {
			(void)snprintf(why, cap, "the rules answer has a rule without an id or value");
			goto out;
		}
		for (size_t k = 0; k < n_want && !keep; k++)
			if (!held[k] && strcmp(want[k].value, value) == 0 && tag && strcmp(want[k].tag, tag) == 0)
				keep = held[k] = true;
		if (!keep && json_object_array_add(ids, json_object_new_string(id)) != 0)
			goto oom;
	}
	for (size_t k = 0; k < n_want; k++) {
		struct json_object *r;

		if (held[k])
			continue;
		r = json_object_new_object();
		if (!r || json_object_object_add(r, "value", json_object_new_string(want[k].value)) != 0 ||
		    json_object_object_add(r, "tag", json_object_new_string(want[k].tag)) != 0 ||
		    json_object_array_add(add, r) != 0) {
			json_object_put(r);
			goto oom;
		}
	}
	*deleting = json_object_array_length(ids);
	*adding = json_object_array_length(add);
	if (*deleting > 0) {
		struct json_object *o = json_object_new_object(), *d = json_object_new_object();

		if (!o || !d || json_object_object_add(d, "ids", json_object_get(ids)) != 0 ||
		    json_object_object_add(o, "delete", d) != 0) {
			json_object_put(o);
			goto oom;
		}
		if (!(*delete_body = body_of(o)))
			goto oom;
	}
	if (*adding > 0) {
		struct json_object *o = json_object_new_object();

		if (!o || json_object_object_add(o, "add", json_object_get(add)) != 0) {
			json_object_put(o);
			goto oom;
		}
		if (!(*add_body = body_of(o)))
			goto oom;
	}
	rc = 0;
	goto out;
oom:
	(void)snprintf(why, cap, "out of memory");
	free(*delete_body);
	free(*add_body);
	*delete_body = *add_body = NULL;
out:
	if (tok)
		json_tokener_free(tok);
	json_object_put(root);
	json_object_put(ids);
	json_object_put(add);
	free(held);
	return rc;
}
