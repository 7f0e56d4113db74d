/* store_answer.h - what the HTTP stores' answers say, read without I/O
 * (tests/fuzz/fuzz_store_answer.c): the bounded answer buffer, InfluxDB's
 * "database not found", and TypeDB's error message, sign-in token and
 * transaction id.  An answer is the server's: whatever it holds, what goes
 * into a log is one line, and what goes into a header or a URL is checked. */
#ifndef NBPY_SINK_STORE_ANSWER_H
#define NBPY_SINK_STORE_ANSWER_H

#include <stdbool.h>
#include <stddef.h>

/* Append n bytes of data to buf (*len used, cap with the NUL); what does not
 * fit is cut.  buf stays NUL-terminated. */
void store_answer_append(char *buf, size_t *len, size_t cap, const char *data, size_t n);

/* The answer as one line for a log: up to its first newline, other control
 * bytes as '?', cut to cap - 1 bytes. */
void store_answer_line(const char *answer, char *out, size_t cap);

/* An InfluxDB write answered 404 "database not found". */
bool influx_answer_no_database(long status, const char *answer);

/* A TypeDB error, {"code": ..., "message": ...}: the message, else the
 * answer itself, as one line (store_answer_line). */
void typedb_answer_error(const char *answer, char *out, size_t cap);

/* The token of a sign-in answer {"token": "..."}, malloc'ed; NULL if there
 * is none, or it is not 1..4096 printable bytes without a space (it goes
 * into an Authorization header). */
#define TYPEDB_TOKEN_MAX 4096
char *typedb_answer_token(const char *answer);

/* The transactionId of {"transactionId": "..."} into id; false unless it
 * is 1..cap - 1 letters, digits, '-' or '_' (it goes into a URL path). */
bool typedb_answer_transaction(const char *answer, char *id, size_t cap);

#endif
