/* input.c - see input.h.  The format is told by the file's first bytes:
 * "NBPYCAP" a capture, "SQLite format 3" a database, anything else CSV. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/capture.h"
#include "common/text.h"
#include "common/timefmt.h"
#include "tools/stats/input.h"
#include "tools/stats/progress.h"
#include "workers/sink/sql_table.h"
#include "workers/stats/tick_source.h"

/* ---- the tables of ticks: tick_source.h's schemas ---- */

static const char *table_of(const struct tick_source *s)
{
	return sql_table_name(sql_table_for(s->schema));
}

static const struct tick_source *source_by_table(const char *table)
{
	for (size_t i = 0; i < tick_sources_n; i++)
		if (strcmp(table_of(&tick_sources[i]), table) == 0)
			return &tick_sources[i];
	return NULL;
}

static void unknown_table(const char *table, char *err, size_t errlen)
{
	(void)snprintf(err, errlen, "unknown table '%s': nbpy-stats reads %s, %s and %s", table,
		       table_of(&tick_sources[0]), table_of(&tick_sources[1]), table_of(&tick_sources[2]));
}

/* ---- CSV ---- */

enum csv_col { COL_INSTRUMENT, COL_TIME, COL_BID, COL_ASK, COL_PRICE, COL_VOLUME, N_COLS };
static const char *const csv_names[N_COLS] = { "instrument", "time", "bid", "ask", "price", "volume" };
#define CSV_REQUIRED 4		/* the first four */

/* A line without its end of line ('\n' gone already, and any '\r'). */
static size_t chomp(char *line, size_t len)
{
	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		line[--len] = '\0';
	return len;
}

/* Splits line (len bytes) at commas into at most max fields (NUL-terminated
 * in place); the number of fields, or max + 1 when there are more. */
static size_t split(char *line, size_t len, char **field, size_t *flen, size_t max)
{
	char *p = line, *end = line + len;
	size_t n = 0;

	for (;;) {
		char *q = p;

		while (q < end && *q != ',')
			q++;
		if (n == max)
			return max + 1;
		field[n] = p;
		flen[n] = (size_t)(q - p);
		n++;
		if (q == end)
			return n;
		*q = '\0';
		p = q + 1;
	}
}

/* A CSV file's lines, read in blocks of a MiB rather than a call a line. */
struct lines {
	FILE *f;
	char *buf;
	size_t cap, start, end;	/* [start, end) read, not yet returned */
	bool eof;
};

#define LINES_BLOCK ((size_t)1 << 20)

/* The next line, in place and NUL-terminated without its '\n', in *line,
 * its length in *len; the bytes it took of the file (with the '\n'), 0 at
 * the end, or -1 on a read error (errno) or out of memory (ENOMEM). */
static ssize_t next_line(struct lines *l, char **line, size_t *len)
{
	for (;;) {
		char *nl = l->end > l->start ? memchr(l->buf + l->start, '\n', l->end - l->start) : NULL;
		size_t n;

		if (nl != NULL || (l->eof && l->end > l->start)) {
			*line = l->buf + l->start;
			*len = (nl != NULL ? (size_t)(nl - l->buf) : l->end) - l->start;
			(*line)[*len] = '\0';	/* the '\n', or the byte kept free after end */
			l->start += *len + (nl != NULL);
			return (ssize_t)(*len + (nl != NULL));
		}
		if (l->eof)
			return 0;
		/* a partial line: to the front, then more after it */
		if (l->start > 0) {	/* (buf is still NULL before the first read) */
			memmove(l->buf, l->buf + l->start, l->end - l->start);
			l->end -= l->start;
			l->start = 0;
		}
		if (l->cap - l->end < LINES_BLOCK + 1) {
			char *p = realloc(l->buf, 2 * l->cap + LINES_BLOCK + 1);

			if (p == NULL) {
				errno = ENOMEM;
				return -1;
			}
			l->buf = p;
			l->cap = 2 * l->cap + LINES_BLOCK + 1;
		}
		n = fread(l->buf + l->end, 1, l->cap - l->end - 1, l->f);
		l->end += n;
		if (n == 0) {
			if (ferror(l->f))
				return -1;
			l->eof = true;
		}
	}
}

static int parse_value(const char *s, size_t len, double *v)
{
	char *end;

	if (len == 0) {
		*v = NAN;
		return 0;
	}
	*v = nbpy_strtod(s, &end);
	return end == s + len && !isinf(*v) ? 0 : -1;
}

/* ns since the epoch (digits, maybe a '-') or RFC 3339 */
static int parse_time(const char *s, size_t len, int64_t *t)
{
	size_t i = len > 0 && s[0] == '-';
	uint64_t v = 0;

	if (i == len)
		return -1;
	for (; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return nbpy_rfc3339_parse(s, len, t);
		if (v > (UINT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > (uint64_t)INT64_MAX)
		return -1;
	*t = s[0] == '-' ? -(int64_t)v : (int64_t)v;
	return 0;
}

static int read_csv(FILE *f, const char *path, struct ticks *tk, char *err, size_t errlen)
{
	struct lines l = { .f = f };
	char *line, **field = NULL;
	size_t len, *flen = NULL, n_fields, col[N_COLS], done = 0, total = 0;
	uint64_t lineno = 1;
	ssize_t got;
	struct stat st;
	int rc = -1;

	tk->at_what = "line";
	if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode))
		total = (size_t)st.st_size;
	if ((got = next_line(&l, &line, &len)) <= 0) {
		(void)snprintf(err, errlen, "%s: %s", path, got < 0 ? strerror(errno) : "empty, no header");
		goto out;
	}
	done += (size_t)got;
	len = chomp(line, len);
	/* the header: as many fields as it has commas, plus one */
	n_fields = 1;
	for (const char *p = line; (p = strchr(p, ',')) != NULL; p++)
		n_fields++;
	field = calloc(n_fields, sizeof(*field));
	flen = calloc(n_fields, sizeof(*flen));
	if (field == NULL || flen == NULL) {
		(void)snprintf(err, errlen, "%s: out of memory", path);
		goto out;
	}
	(void)split(line, len, field, flen, n_fields);
	for (size_t c = 0; c < N_COLS; c++) {
		col[c] = SIZE_MAX;
		for (size_t i = 0; i < n_fields; i++) {
			if (strcmp(field[i], csv_names[c]) != 0)
				continue;
			if (col[c] != SIZE_MAX) {
				(void)snprintf(err, errlen, "%s:1: column %s twice", path, csv_names[c]);
				goto out;
			}
			col[c] = i;
		}
		if (col[c] == SIZE_MAX && c < CSV_REQUIRED) {
			(void)snprintf(err, errlen, "%s:1: no column %s (the header needs instrument, "
				       "time, bid, ask; price and volume are optional)", path, csv_names[c]);
			goto out;
		}
	}
	while ((got = next_line(&l, &line, &len)) > 0) {
		double v[N_COLS];
		size_t n;
		int64_t t;
		uint32_t id;
		char why[200];

		lineno++;
		done += (size_t)got;
		progress_show("reading", done, total);
		if ((len = chomp(line, len)) == 0)
			continue;	/* a blank line, as pandas skips them */
		if (memchr(line, '\0', len) != NULL) {
			(void)snprintf(err, errlen, "%s:%" PRIu64 ": a NUL byte", path, lineno);
			goto out;
		}
		if ((n = split(line, len, field, flen, n_fields)) != n_fields) {
			(void)snprintf(err, errlen, "%s:%" PRIu64 ": %s fields, the header has %zu", path,
				       lineno, n > n_fields ? "more" : "fewer", n_fields);
			goto out;
		}
		for (size_t c = COL_BID; c < N_COLS; c++) {
			if (col[c] == SIZE_MAX) {
				v[c] = NAN;
			} else if (parse_value(field[col[c]], flen[col[c]], &v[c]) < 0) {
				(void)snprintf(err, errlen, "%s:%" PRIu64 ": %s: not a finite number: '%.40s'",
					       path, lineno, csv_names[c], field[col[c]]);
				goto out;
			}
		}
		if (parse_time(field[col[COL_TIME]], flen[col[COL_TIME]], &t) < 0) {
			(void)snprintf(err, errlen, "%s:%" PRIu64 ": time: not ns since the epoch nor "
				       "RFC 3339: '%.40s'", path, lineno, field[col[COL_TIME]]);
			goto out;
		}
		if (ticks_instrument(tk, field[col[COL_INSTRUMENT]], flen[col[COL_INSTRUMENT]], &id, why,
				     sizeof(why)) < 0 ||
		    ticks_add(tk, id, t, v[COL_BID], v[COL_ASK], v[COL_PRICE], v[COL_VOLUME], lineno, why,
			      sizeof(why)) < 0) {
			(void)snprintf(err, errlen, "%s:%" PRIu64 ": %s", path, lineno, why);
			goto out;
		}
	}
	if (got < 0)
		(void)snprintf(err, errlen, "%s: read: %s", path, strerror(errno));
	else
		rc = 0;
out:
	free(l.buf);
	free(field);
	free(flen);
	return rc;
}

/* ---- SQLite ---- */

static bool has_table(sqlite3 *db, const char *name)
{
	sqlite3_stmt *st = NULL;
	bool found = sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
					-1, &st, NULL) == SQLITE_OK &&
		     sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC) == SQLITE_OK &&
		     sqlite3_step(st) == SQLITE_ROW;

	(void)sqlite3_finalize(st);
	return found;
}

/* The table to read: the one asked for, or the one table of ticks. */
static const struct tick_source *pick_table(sqlite3 *db, const char *path, const char *table,
					    char *err, size_t errlen)
{
	const struct tick_source *found = NULL;

	if (table != NULL && source_by_table(table) == NULL) {
		unknown_table(table, err, errlen);
		return NULL;
	}
	for (size_t i = 0; i < tick_sources_n; i++) {
		const char *name = table_of(&tick_sources[i]);

		if ((table != NULL && strcmp(table, name) != 0) || !has_table(db, name))
			continue;
		if (found != NULL) {
			(void)snprintf(err, errlen, "%s has the tables %s and %s: choose one with --table",
				       path, table_of(found), name);
			return NULL;
		}
		found = &tick_sources[i];
	}
	if (found == NULL && table != NULL)
		(void)snprintf(err, errlen, "%s: no table %s", path, table);
	else if (found == NULL)
		(void)snprintf(err, errlen, "%s: no table of ticks (%s, %s or %s)", path,
			       table_of(&tick_sources[0]), table_of(&tick_sources[1]),
			       table_of(&tick_sources[2]));
	return found;
}

static int column_value(sqlite3_stmt *st, int i, double *v)
{
	switch (sqlite3_column_type(st, i)) {
	case SQLITE_NULL:
		*v = NAN;
		return 0;
	case SQLITE_INTEGER:
	case SQLITE_FLOAT:
		*v = sqlite3_column_double(st, i);
		return isinf(*v) ? -1 : 0;
	default:
		return -1;
	}
}

static int read_sqlite(const char *path, const char *table, struct ticks *tk, struct input_info *info,
		       char *err, size_t errlen)
{
	const struct tick_source *src;
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	char sql[512];
	uint64_t rows = 0;
	int rc = -1, step;

	tk->at_what = "rowid";
	if ((step = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL)) != SQLITE_OK) {
		(void)snprintf(err, errlen, "%s: %s", path, db ? sqlite3_errmsg(db) : sqlite3_errstr(step));
		goto out;
	}
	if ((src = pick_table(db, path, table, err, errlen)) == NULL)
		goto out;
	(void)snprintf(info->source, sizeof(info->source), "%s", table_of(src));
	/* a table has no order but time's: each instrument's rows in time order */
	(void)snprintf(sql, sizeof(sql), "SELECT rowid, instrument, event_time, %s, %s, %s, %s FROM %s "
		       "ORDER BY event_time, rowid", src->bid.column ? src->bid.column : "NULL",
		       src->ask.column ? src->ask.column : "NULL",
		       src->price.column ? src->price.column : "NULL",
		       src->volume.column ? src->volume.column : "NULL", table_of(src));
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		(void)snprintf(err, errlen, "%s: %s: %s", path, table_of(src), sqlite3_errmsg(db));
		goto out;
	}
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t rowid = sqlite3_column_int64(st, 0), t;
		const char *name = (const char *)sqlite3_column_text(st, 1);
		const char *time = (const char *)sqlite3_column_text(st, 2);
		double v[7];
		uint32_t id;
		char why[200];

		progress_show("reading", ++rows, 0);
		if (sqlite3_column_type(st, 1) != SQLITE_TEXT || name == NULL) {
			(void)snprintf(err, errlen, "%s: %s rowid %" PRId64 ": instrument is not text",
				       path, table_of(src), rowid);
			goto out;
		}
		if (sqlite3_column_type(st, 2) == SQLITE_INTEGER)
			t = sqlite3_column_int64(st, 2);
		else if (sqlite3_column_type(st, 2) != SQLITE_TEXT || time == NULL ||
			 nbpy_rfc3339_parse(time, (size_t)sqlite3_column_bytes(st, 2), &t) < 0) {
			(void)snprintf(err, errlen, "%s: %s rowid %" PRId64 ": event_time is not RFC 3339 "
				       "text nor ns", path, table_of(src), rowid);
			goto out;
		}
		for (int i = 3; i < 7; i++)
			if (column_value(st, i, &v[i]) < 0) {
				(void)snprintf(err, errlen, "%s: %s rowid %" PRId64 ": %s is not a finite "
					       "number", path, table_of(src), rowid,
					       sqlite3_column_name(st, i) ? sqlite3_column_name(st, i) : "?");
				goto out;
			}
		if (ticks_instrument(tk, name, (size_t)sqlite3_column_bytes(st, 1), &id, why,
				     sizeof(why)) < 0 ||
		    ticks_add(tk, id, t, v[3], v[4], v[5], v[6], (uint64_t)rowid, why, sizeof(why)) < 0) {
			(void)snprintf(err, errlen, "%s: %s rowid %" PRId64 ": %s", path, table_of(src), rowid,
				       why);
			goto out;
		}
	}
	if (step != SQLITE_DONE)
		(void)snprintf(err, errlen, "%s: %s: %s", path, table_of(src), sqlite3_errmsg(db));
	else
		rc = 0;
out:
	(void)sqlite3_finalize(st);
	(void)sqlite3_close(db);
	return rc;
}

/* ---- capture ---- */

static int add_tick(struct ticks *tk, const struct tick_fields *t, int64_t t_ns, uint64_t record,
		    char *why, size_t whylen)
{
	uint32_t id;

	if (ticks_instrument(tk, t->instrument, strlen(t->instrument), &id, why, whylen) < 0)
		return -1;
	return ticks_add(tk, id, t_ns, t->bid, t->ask, t->price, t->volume, record, why, whylen);
}

static int read_capture(const char *path, const char *table, struct ticks *tk, struct input_info *info,
			char *err, size_t errlen)
{
	const struct tick_source *only = NULL;
	struct capture_map map;
	struct capture_view v;
	struct nbpy_msg *m = malloc(sizeof(*m));
	uint64_t record = 0;
	int rc = -1, got;

	tk->at_what = "record";
	if (m == NULL) {
		(void)snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	if (table != NULL && (only = source_by_table(table)) == NULL) {
		unknown_table(table, err, errlen);
		goto out_free;
	}
	(void)snprintf(info->source, sizeof(info->source), "%s",
		       only ? nbpy_schema_get(only->schema)->name : "kraken_ticker and oanda_price");
	if (capture_map_open(path, &map) < 0) {
		(void)snprintf(err, errlen, "%s: %s", path,
			       errno == EINVAL ? "not an nbpy capture file" : strerror(errno));
		goto out_free;
	}
	while ((got = capture_map_next(&map, &v)) == 1) {
		size_t off = 0, used;
		struct nbpy_error e;

		record++;
		progress_show("reading", map.pos, map.size);
		/* a payload may hold several messages back to back (a batch) */
		while (off < v.len) {
			const struct tick_source *src;
			struct tick_fields t;
			char why[200];

			if (nbpy_wire_decode_next(v.payload + off, v.len - off, &used, m, &e) < 0) {
				if (info->bad++ == 0)
					(void)snprintf(info->first_bad, sizeof(info->first_bad),
						       "record %" PRIu64 ": %s", record, e.msg);
				break;
			}
			off += used;
			src = tick_read(m, &t);
			if (src == NULL || (only ? src != only : !src->quote)) {
				info->skipped += m->h.schema != NBPY_SCHEMA_ANNOUNCEMENT;
				continue;
			}
			if (add_tick(tk, &t, m->h.event_ns, record, why, sizeof(why)) < 0) {
				(void)snprintf(err, errlen, "%s: record %" PRIu64 ": %s", path, record, why);
				goto out;
			}
		}
	}
	if (got < 0) {
		info->torn = true;
		info->torn_at = map.pos;
	}
	rc = 0;
out:
	capture_map_close(&map);
out_free:
	free(m);
	return rc;
}

int input_read(const char *path, const char *table, struct ticks *tk, struct input_info *info,
	       char *err, size_t errlen)
{
	char magic[16] = { 0 };
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	int rc;

	memset(info, 0, sizeof(*info));
	if (f == NULL) {
		(void)snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (f != stdin) {
		size_t n = fread(magic, 1, sizeof(magic), f);

		if (n < sizeof(magic) && ferror(f)) {
			(void)snprintf(err, errlen, "%s: %s", path, strerror(errno));
			(void)fclose(f);
			return -1;
		}
		rewind(f);
	}
	if (memcmp(magic, "NBPYCAP", 7) == 0) {
		info->format = INPUT_CAPTURE;
		rc = read_capture(path, table, tk, info, err, errlen);
	} else if (memcmp(magic, "SQLite format 3", 16) == 0) {
		info->format = INPUT_SQLITE;
		rc = read_sqlite(path, table, tk, info, err, errlen);
	} else if (table != NULL) {
		(void)snprintf(err, errlen, "%s: --table is for a database or a capture, not CSV", path);
		rc = -1;
	} else {
		info->format = INPUT_CSV;
		rc = read_csv(f, path, tk, err, errlen);
	}
	if (f != stdin && fclose(f) != 0 && rc == 0) {
		(void)snprintf(err, errlen, "%s: %s", path, strerror(errno));
		rc = -1;
	}
	progress_clear();
	return rc;
}
