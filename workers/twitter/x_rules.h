/* x_rules.h - the filtered stream's rules: what the config asks for against
 * what X holds (GET /2/tweets/search/stream/rules), and the request bodies
 * that make X hold exactly the config's (missing added, stale deleted,
 * nothing sent when they are equal). */
#ifndef NBPY_X_RULES_H
#define NBPY_X_RULES_H

#include <stddef.h>

#include "common/config.h"

#define X_RULE_VALUE_MAX 1024	/* X's limit on a rule (self-serve) */
#define X_RULE_TAG_MAX 128

struct x_rule {
	char tag[X_RULE_TAG_MAX + 1];
	char value[X_RULE_VALUE_MAX + 1];
};

/* The config's `rules` list, items "TAG: VALUE" (tags without commas).
 * -1 with why filled when an item is malformed. */
int x_rules_from_config(const struct nbpy_list *items, struct x_rule **rules, size_t *n, char *why, size_t cap);

/* From X's answer to the rules GET (body, len), the request bodies to send:
 * *delete_body ({"delete":{"ids":[...]}}) and *add_body ({"add":[...]}),
 * each NULL when there is nothing to send; *deleting and *adding count the
 * rules in them.  Bodies are malloc'd.  -1 with why when the answer is not
 * X's rules list. */
int x_rules_plan(const struct x_rule *want, size_t n_want, const char *body, size_t len, char **delete_body,
		 size_t *deleting, char **add_body, size_t *adding, char *why, size_t cap);

#endif
