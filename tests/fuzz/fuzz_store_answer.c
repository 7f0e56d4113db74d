/* fuzz_store_answer.c - libFuzzer target for what the HTTP stores read in
 * their servers' answers (workers/sink/store_answer.c): the bounded answer
 * buffer, InfluxDB's "database not found", TypeDB's error message, sign-in
 * token and transaction id.  Whatever the answer: a log line is one line of
 * printable bytes, a token is a safe header value, a transaction id is safe
 * in a URL path, and the buffer never overflows. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "workers/sink/store_answer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_line(const char *line, size_t cap)
{
	size_t n = strnlen(line, cap);

	if (n == cap)
		abort();
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char buf[1024], line[256], id[129], *token;
	size_t len = 0, cap;

	if (size < 1)
		return 0;
	/* the answer arrives in libcurl's pieces: the first byte says how big */
	cap = 2 + data[0] % (sizeof(buf) - 2);
	buf[0] = '\0';
	for (size_t at = 1, piece = 1 + data[0] % 7; at < size; at += piece) {
		size_t n = size - at < piece ? size - at : piece;

		store_answer_append(buf, &len, cap, (const char *)data + at, n);
		if (len > cap - 1 || buf[len] != '\0')
			abort();
	}
	store_answer_line(buf, line, sizeof(line));
	check_line(line, sizeof(line));
	(void)influx_answer_no_database(404, buf);
	typedb_answer_error(buf, line, sizeof(line));
	check_line(line, sizeof(line));
	if ((token = typedb_answer_token(buf)) != NULL) {
		size_t n = strlen(token);

		if (n == 0 || n > TYPEDB_TOKEN_MAX)
			abort();
		for (size_t i = 0; i < n; i++)
			if (token[i] <= 0x20 || token[i] >= 0x7f)
				abort();
		free(token);
	}
	if (typedb_answer_transaction(buf, id, sizeof(id)) &&
	    (id[0] == '\0' || strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") !=
			      strlen(id)))
		abort();
	return 0;
}
