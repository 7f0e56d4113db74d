/* output.c - see output.h. */
#include <errno.h>
#include <limits.h>
#include <inttypes.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/text.h"
#include "common/timefmt.h"
#include "tools/stats/output.h"
#include "workers/sink/sql_table.h"
#include "workers/sink/sqlite_rows.h"

/* CSV's stdio buffer: static, as stdout may keep it until the exit */
static char csv_buf[1 << 20];

static const char csv_header[] = "instrument,time,count,mid_mean,mid_std,mid_min,mid_max,"
	"spread_mean,spread_std,spread_min,spread_max,vwap\n";

/* The statistics after count, in the order of both formats. */
static const double *stat_column(const struct nbpy_rolling_output *out, int k)
{
	const double *const cols[] = { out->mid_mean, out->mid_std, out->mid_min, out->mid_max,
				       out->spread_mean, out->spread_std, out->spread_min, out->spread_max,
				       out->vwap };
	return cols[k];
}
#define N_STATS 9

/* Whether path is a regular file or none yet (not a device, a pipe or
 * stdout); *exists: it is there already. */
static bool is_file(const char *path, bool *exists)
{
	struct stat st;

	*exists = stat(path, &st) == 0;
	return strcmp(path, "-") != 0 && (*exists ? S_ISREG(st.st_mode) : errno == ENOENT);
}

static int sqlite_fail(struct output *o, const char *what, char *err, size_t errlen)
{
	(void)snprintf(err, errlen, "%s: %s: %s", o->path, what, sqlite3_errmsg(o->db));
	return -1;
}

/* One transaction, so that the rows are all there or none is; and the
 * table.  Begun at the first row (or at the end when there is none): the
 * write lock is not held while the input is read. */
static int sqlite_begin(struct output *o, char *err, size_t errlen)
{
	o->begun = true;
	if (sqlite3_exec(o->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return sqlite_fail(o, "begin", err, errlen);
	/* the store's own statement: the table it creates, and a key already
	 * there an error (not ignored, as the store does) */
	if (sqlite_rows_prepare(o->db, o->table, "INSERT", &o->insert) != SQLITE_OK)
		return sqlite_fail(o, "table tick_stats", err, errlen);
	return 0;
}

static int open_sqlite(struct output *o, char *err, size_t errlen)
{
	int rc = sqlite3_open_v2(o->path, &o->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);

	if (rc != SQLITE_OK) {
		(void)snprintf(err, errlen, "%s: %s", o->path, o->db ? sqlite3_errmsg(o->db) : sqlite3_errstr(rc));
		return -1;
	}
	/* the store writes in batches of milliseconds: wait for its lock */
	if (sqlite3_busy_timeout(o->db, 5000) != SQLITE_OK ||
	    sqlite3_exec(o->db, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL) != SQLITE_OK)
		return sqlite_fail(o, "open", err, errlen);
	return 0;
}

/* A capture written beside path (a file) and renamed over it at the end. */
static int open_capture(struct output *o, char *err, size_t errlen)
{
	const char *target = o->partial[0] ? o->partial : o->path;

	/* capture_open_append appends: not to a partial file of a run killed */
	if ((o->partial[0] && unlink(o->partial) < 0 && errno != ENOENT) ||
	    capture_open_append(target, &o->cap) < 0) {
		(void)snprintf(err, errlen, "%s: %s", target,
			       errno == EINVAL ? "exists and is not an nbpy capture file" : strerror(errno));
		return -1;
	}
	o->cap_open = true;
	(void)snprintf(o->rec->topic, sizeof(o->rec->topic), "%s",
		       nbpy_schema_get(NBPY_SCHEMA_TICK_STATS)->legacy_topic);
	return 0;
}

int output_open(struct output *o, enum output_format format, const char *path, const char *source, char *err,
		size_t errlen)
{
	bool exists;

	memset(o, 0, sizeof(*o));
	o->format = format;
	o->path = path;
	if (format == OUTPUT_NONE)
		return 0;
	if (format != OUTPUT_CSV) {
		o->table = sql_table_for(NBPY_SCHEMA_TICK_STATS);
		o->msg = calloc(1, sizeof(*o->msg));
		o->rec = calloc(1, sizeof(*o->rec));
		if (o->msg == NULL || o->rec == NULL) {
			(void)snprintf(err, errlen, "out of memory");
			return -1;
		}
		o->msg->h.schema = NBPY_SCHEMA_TICK_STATS;
		(void)snprintf(o->msg->h.service, sizeof(o->msg->h.service), "%s", source);
	}
	if (format == OUTPUT_SQLITE) {
		o->created = is_file(path, &exists) && !exists;
		return open_sqlite(o, err, errlen);
	}
	/* a file is written beside it and renamed over it when complete: a
	 * failed run leaves what was there */
	if (is_file(path, &exists) &&
	    (size_t)snprintf(o->partial, sizeof(o->partial), "%s.partial", path) >= sizeof(o->partial)) {
		(void)snprintf(err, errlen, "%s: path too long", path);
		return -1;
	}
	if (format == OUTPUT_CAPTURE)
		return open_capture(o, err, errlen);
	o->f = strcmp(path, "-") == 0 ? stdout : fopen(o->partial[0] ? o->partial : path, "w");
	if (o->f == NULL || setvbuf(o->f, csv_buf, _IOFBF, sizeof(csv_buf)) != 0 ||
	    fputs(csv_header, o->f) == EOF) {
		(void)snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int csv_row(struct output *o, const char *instrument, int64_t t_ns,
		   const struct nbpy_rolling_output *out, size_t i, char *err, size_t errlen)
{
	char line[512];
	size_t len;

	/* instrument (<= 31 bytes), two integers, nine doubles of <= 24
	 * characters (NBPY_DTOA17_MAX with the NUL): well within line */
	len = strlen(instrument);
	memcpy(line, instrument, len);
	line[len++] = ',';
	len += nbpy_put_i64(line + len, t_ns);
	line[len++] = ',';
	len += nbpy_put_i64(line + len, out->count[i]);
	for (int k = 0; k < N_STATS; k++) {
		double x = stat_column(out, k)[i];

		line[len++] = ',';
		if (!isnan(x))
			len += nbpy_dtoa17(x, line + len);	/* "%.17g", faster */
	}
	line[len++] = '\n';
	if (fwrite(line, 1, len, o->f) != len) {
		(void)snprintf(err, errlen, "%s: %s", o->path, strerror(errno));
		return -1;
	}
	return 0;
}

/* o->msg: the row as stats.rolling publishes it, numbered from 1, at the
 * tick's time. */
static void fill_msg(struct output *o, const char *instrument, int64_t t_ns,
		     const struct nbpy_rolling_output *out, size_t i)
{
	struct nbpy_msg *m = o->msg;
	struct nbpy_tick_stats *s = &m->u.tick_stats;

	m->h.seq++;
	m->h.event_ns = m->h.recv_ns = t_ns;
	(void)snprintf(s->instrument, sizeof(s->instrument), "%s", instrument);
	s->window = o->window;
	s->window_time = o->window_ns;
	s->count = out->count[i];
	s->mid_mean = out->mid_mean[i];
	s->mid_std = out->mid_std[i];
	s->mid_min = out->mid_min[i];
	s->mid_max = out->mid_max[i];
	s->spread_mean = out->spread_mean[i];
	s->spread_std = out->spread_std[i];
	s->spread_min = out->spread_min[i];
	s->spread_max = out->spread_max[i];
	s->vwap = out->vwap[i];
}

static int sqlite_row(struct output *o, char *err, size_t errlen)
{
	const struct nbpy_msg *m = o->msg;
	struct sql_value v[SQL_MAX_COLUMNS];
	char tbuf[NBPY_RFC3339_MAX];
	int added;

	if (!o->begun && sqlite_begin(o, err, errlen) < 0)
		return -1;
	sql_table_row(o->table, m, 0, v);
	if (sqlite_rows_insert(o->insert, v, sql_table_columns(o->table), &added) == SQLITE_OK)
		return 0;
	if (sqlite3_extended_errcode(o->db) != SQLITE_CONSTRAINT_UNIQUE)
		return sqlite_fail(o, "insert into tick_stats", err, errlen);
	(void)sql_time_format(m->h.event_ns, tbuf, sizeof(tbuf));
	(void)snprintf(err, errlen, "%s: tick_stats has a row of source '%s', seq %" PRIu64 ", event_time %s "
		       "already (%s): written by a run before? Nothing is written; give another --source",
		       o->path, m->h.service, m->h.seq, tbuf, m->u.tick_stats.instrument);
	return -1;
}

static int capture_row(struct output *o, char *err, size_t errlen)
{
	struct capture_record *r = o->rec;
	struct nbpy_error e;

	if (nbpy_wire_encode(o->msg, r->payload, sizeof(r->payload), &r->len, &e) < 0) {
		(void)snprintf(err, errlen, "%s: row %" PRIu64 " (%s): %s", o->path, o->msg->h.seq,
			       o->msg->u.tick_stats.instrument, e.msg);
		return -1;
	}
	r->time_ns = o->msg->h.event_ns;
	if (capture_append(&o->cap, r) < 0) {
		(void)snprintf(err, errlen, "%s: %s", o->partial[0] ? o->partial : o->path, strerror(errno));
		return -1;
	}
	return 0;
}

int output_row(struct output *o, const char *instrument, int64_t t_ns, const struct nbpy_rolling_output *out,
	       size_t i, char *err, size_t errlen)
{
	if (o->format == OUTPUT_CSV)
		return csv_row(o, instrument, t_ns, out, i, err, errlen);
	if (o->format == OUTPUT_NONE)
		return 0;
	fill_msg(o, instrument, t_ns, out, i);
	return o->format == OUTPUT_SQLITE ? sqlite_row(o, err, errlen) : capture_row(o, err, errlen);
}

/* After a failure: the CSV or capture being written, or the database and its journal
 * when this run created them. */
static void remove_created(const struct output *o)
{
	char journal[PATH_MAX + 16];

	if (o->partial[0])
		(void)unlink(o->partial);
	if (!o->created)
		return;
	(void)unlink(o->path);
	if ((size_t)snprintf(journal, sizeof(journal), "%s-journal", o->path) < sizeof(journal))
		(void)unlink(journal);
}

int output_close(struct output *o, bool ok, char *err, size_t errlen)
{
	int rc = ok ? 0 : -1;

	if (o->f != NULL) {
		if (ok && (fflush(o->f) == EOF || ferror(o->f))) {
			(void)snprintf(err, errlen, "%s: %s", o->path, strerror(errno));
			rc = -1;
		}
		if (o->f != stdout && fclose(o->f) == EOF && rc == 0) {
			(void)snprintf(err, errlen, "%s: %s", o->path, strerror(errno));
			rc = -1;
		}
	}
	if (o->cap_open && close(o->cap.fd) < 0 && rc == 0) {
		(void)snprintf(err, errlen, "%s: %s", o->path, strerror(errno));
		rc = -1;
	}
	if (rc == 0 && o->partial[0] && rename(o->partial, o->path) < 0) {
		(void)snprintf(err, errlen, "rename %s to %s: %s", o->partial, o->path, strerror(errno));
		rc = -1;
	}
	if (o->db != NULL) {
		/* no row: the table is made all the same */
		if (rc == 0 && !o->begun)
			rc = sqlite_begin(o, err, errlen);
		(void)sqlite3_finalize(o->insert);
		if (rc == 0 && sqlite3_exec(o->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
			rc = sqlite_fail(o, "commit", err, errlen);
		if (rc < 0)
			(void)sqlite3_exec(o->db, "ROLLBACK", NULL, NULL, NULL);
		if (sqlite3_close(o->db) != SQLITE_OK && rc == 0)
			rc = sqlite_fail(o, "close", err, errlen);
	}
	if (rc < 0)
		remove_created(o);
	free(o->msg);
	free(o->rec);
	memset(o, 0, sizeof(*o));
	return rc;
}
