/* wire_samples.c - print one sample message per schema as a JSON line:
 *   {"schema": ID, "name": NAME, "msgpack": HEX, "legacy": HEX, "values": [...]}
 * where values are the MessagePack array's elements as JSON.  The Python
 * interop test decodes the hex with msgpack, following docs/wire-format.md,
 * and compares. */
#include <json-c/json.h>
#include <stdio.h>

#include "../unit/samples.h"

static struct json_object *hex(const char *buf, size_t len)
{
	char out[2 * NBPY_LEGACY_MAX + 1];

	for (size_t i = 0; i < len; i++)
		(void)snprintf(out + 2 * i, 3, "%02x", (unsigned char)buf[i]);
	out[2 * len] = '\0';
	return json_object_new_string(out);
}

int main(void)
{
	for (int id = 1; id < NBPY_SCHEMA_END; id++) {
		const struct nbpy_schema_desc *s = nbpy_schema_get((enum nbpy_schema)id);
		struct json_object *o = json_object_new_object(), *values = json_object_new_array();
		char buf[NBPY_LEGACY_MAX];
		struct nbpy_error err;
		struct nbpy_msg m;
		size_t len;

		sample(&m, s->id);
		json_object_object_add(o, "schema", json_object_new_int(id));
		json_object_object_add(o, "name", json_object_new_string(s->name));
		if (nbpy_wire_encode(&m, buf, sizeof(buf), &len, &err) < 0) {
			fprintf(stderr, "%s: %s\n", s->name, err.msg);
			return 1;
		}
		json_object_object_add(o, "msgpack", hex(buf, len));
		if (nbpy_legacy_encode(&m, NULL, buf, sizeof(buf), &len, &err) < 0) {
			fprintf(stderr, "%s: %s\n", s->name, err.msg);
			return 1;
		}
		json_object_object_add(o, "legacy", hex(buf, len));
		json_object_array_add(values, json_object_new_int(id));
		json_object_array_add(values, json_object_new_int(NBPY_WIRE_VERSION));
		for (size_t i = 0; i < nbpy_n_header_fields; i++)
			json_object_array_add(values, nbpy_wire_field_json(&m, &nbpy_header_fields[i]));
		for (size_t i = 0; i < s->n_fields; i++)
			json_object_array_add(values, nbpy_wire_field_json(&m, &s->fields[i]));
		json_object_object_add(o, "values", values);
		if (puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN)) < 0)
			return 1;
		json_object_put(o);
	}
	return fflush(stdout) == 0 ? 0 : 1;
}
