/* wire_json.c - one message field as a json-c value, for tools, the codec
 * benchmark and (later) human-readable dumps.  Levels become
 * [[price, volume, time_ns], ...]; the receive time its delta, as on the wire;
 * an undefined F64N value NULL, which json-c adds to an object as null. */
#include <json-c/json.h>
#include <math.h>

#include "common/wire.h"

struct json_object *nbpy_wire_field_json(const struct nbpy_msg *m, const struct nbpy_field *f)
{
	const char *p = (const char *)m + f->offset;

	switch (f->type) {
	case NBPY_F_STR:
		return json_object_new_string(p);
	case NBPY_F_F64:
		return json_object_new_double(*(const double *)p);
	case NBPY_F_F64N:	/* undefined: NULL, which json-c writes as null */
		return isnan(*(const double *)p) ? NULL : json_object_new_double(*(const double *)p);
	case NBPY_F_I64:
		return json_object_new_int64(*(const int64_t *)p);
	case NBPY_F_U64:
		return json_object_new_uint64(*(const uint64_t *)p);
	case NBPY_F_RECV_DELTA:
		return json_object_new_int64((int64_t)((uint64_t)m->h.recv_ns - (uint64_t)m->h.event_ns));
	case NBPY_F_CHAR:
		return json_object_new_string_len(p, 1);
	case NBPY_F_LEVELS: {
		const struct nbpy_book_level *lv = (const void *)((const char *)m + f->size);
		struct json_object *a = json_object_new_array();

		for (uint32_t i = 0; a != NULL && i < *(const uint32_t *)p; i++) {
			struct json_object *l = json_object_new_array();

			json_object_array_add(l, json_object_new_double(lv[i].price));
			json_object_array_add(l, json_object_new_double(lv[i].volume));
			json_object_array_add(l, json_object_new_int64(lv[i].time_ns));
			json_object_array_add(a, l);
		}
		return a;
	}
	default:
		return NULL;
	}
}
