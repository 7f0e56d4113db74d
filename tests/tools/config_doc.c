/* config_doc.c - print the key tables (common/config_kinds.c, and the
 * kinds' own through the generated common/kinds_table.c) as Markdown.
 * docs/configuration.md embeds this output between markers, and
 * tests/integration/docs_in_sync.sh fails when the two differ. */
#include <stdio.h>

#include "common/config.h"

static const char *type_name(const struct nbpy_key_spec *k)
{
	static char buf[128];

	switch (k->type) {
	case NBPY_KEY_STRING: return "string";
	case NBPY_KEY_BOOL: return "boolean";
	case NBPY_KEY_INT:
		(void)snprintf(buf, sizeof(buf), "integer %lld..%lld", (long long)k->min, (long long)k->max);
		return buf;
	case NBPY_KEY_DOUBLE: return "number";
	case NBPY_KEY_DURATION: return "duration";
	case NBPY_KEY_DURATION_RANGE: return "duration range";
	case NBPY_KEY_SIZE: return "size";
	case NBPY_KEY_LIST: return "list";
	case NBPY_KEY_ENUM: {
		/* "a|b" as "`a`, `b`": a bare '|' would split the Markdown cell */
		size_t n = (size_t)snprintf(buf, sizeof(buf), "one of `");

		for (const char *c = k->choices; *c && n + 5 < sizeof(buf); c++)
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, *c == '|' ? "`, `" : "%c", *c);
		(void)snprintf(buf + n, sizeof(buf) - n, "`");
		return buf;
	}
	case NBPY_KEY_ENDPOINT: return "endpoint";
	case NBPY_KEY_INT_LIST:
		(void)snprintf(buf, sizeof(buf), "list of integers %lld..%lld", (long long)k->min,
			       (long long)k->max);
		return buf;
	case NBPY_KEY_ENV_LIST: return "list of NAME=VALUE";
	case NBPY_KEY_OCTAL: return "octal";
	}
	return "?";
}

static void table(const char *title, const struct nbpy_key_spec *k)
{
	printf("%s\n\n| key | type | default | meaning |\n|---|---|---|---|\n", title);
	for (; k->name != NULL; k++)
		printf("| `%s` | %s | %s%s%s | %s |\n", k->name, type_name(k), k->def ? "`" : "",
		       k->def ? k->def : "(none)", k->def ? "`" : "", k->doc);
	printf("\n");
}

int main(void)
{
	table("### [nbpyd]", nbpy_global_keys);
	table("### Every service", nbpy_service_keys);
	table("### Publishers (kinds that publish)", nbpy_publisher_keys);
	table("### Subscribers (kinds that subscribe)", nbpy_subscriber_keys);
	for (const struct nbpy_kind_spec *const *kp = nbpy_kinds; *kp != NULL; kp++) {
		const struct nbpy_kind_spec *kind = *kp;
		char title[512];

		(void)snprintf(title, sizeof(title), "### kind `%s`\n\n%s. %s%s%s", kind->name, kind->doc,
			       kind->flags & NBPY_KIND_PUBLISHES ? "Publishes." : "",
			       kind->flags & NBPY_KIND_SUBSCRIBES ? " Subscribes." : "",
			       kind->flags & NBPY_KIND_NEEDS_INPUT ? " Needs `subscribe` or `connect`." : "");
		if (kind->keys[0].name == NULL)
			printf("%s\n\nNo keys of its own.\n\n", title);
		else
			table(title, kind->keys);
	}
	return fflush(stdout) == 0 ? 0 : 1;
}
