/* store_answer.c - see store_answer.h. */
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "workers/sink/store_answer.h"

void store_answer_append(char *buf, size_t *len, size_t cap, const char *data, size_t n)
{
	size_t room = cap - 1 - *len;

	if (n < room)
		room = n;
	memcpy(buf + *len, data, room);
	*len += room;
	buf[*len] = '\0';
}

void store_answer_line(const char *answer, char *out, size_t cap)
{
	size_t n = 0;

	for (; n + 1 < cap && answer[n] != '\0' && answer[n] != '\n' && answer[n] != '\r'; n++)
		out[n] = (unsigned char)answer[n] < 0x20 || answer[n] == 0x7f ? '?' : answer[n];
	out[n] = '\0';
}

bool influx_answer_no_database(long status, const char *answer)
{
	return status == 404 && strstr(answer, "database not found") != NULL;
}

/* The string member key of the JSON object answer, or NULL; *root to put. */
static const char *member(const char *answer, const char *key, struct json_object **root)
{
	struct json_object *v;

	*root = json_tokener_parse(answer);
	if (*root == NULL || !json_object_is_type(*root, json_type_object) ||
	    !json_object_object_get_ex(*root, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

void typedb_answer_error(const char *answer, char *out, size_t cap)
{
	struct json_object *root;
	const char *m = member(answer, "message", &root);

	store_answer_line(m ? m : answer, out, cap);
	json_object_put(root);
}

char *typedb_answer_token(const char *answer)
{
	struct json_object *root;
	const char *t = member(answer, "token", &root);
	char *copy = NULL;
	size_t n = t ? strlen(t) : 0;

	if (n > 0 && n <= TYPEDB_TOKEN_MAX) {
		size_t i = 0;

		while (i < n && t[i] > 0x20 && t[i] < 0x7f)
			i++;
		if (i == n)
			copy = strdup(t);
	}
	json_object_put(root);
	return copy;
}

bool typedb_answer_transaction(const char *answer, char *id, size_t cap)
{
	static const char safe[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_";
	struct json_object *root;
	const char *t = member(answer, "transactionId", &root);
	size_t n = t ? strlen(t) : 0;
	bool ok = n > 0 && n < cap && strspn(t, safe) == n;

	if (ok)
		memcpy(id, t, n + 1);
	json_object_put(root);
	return ok;
}
