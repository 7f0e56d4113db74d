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

/* CSV's stdio buffer: static, as stdout may keep it until the exit */
static char csv_buf[1 << 20];

static const char csv_header[] = "instrument,time,count,mid_mean,mid_std,mid_min,mid_max,"
	"spread_mean,spread_std,spread_min,spread_max,vwap\n";

static const char sqlite_ddl[] = "CREATE TABLE IF NOT EXISTS tick_stats (instrument TEXT NOT NULL, "
	"event_time TEXT NOT NULL, \"window\" INTEGER NOT NULL, window_time INTEGER NOT NULL, "
	"count INTEGER NOT NULL, mid_mean REAL, mid_std REAL, mid_min REAL, mid_max REAL, "
	"spread_mean REAL, spread_std REAL, spread_min REAL, spread_max REAL, vwap REAL)";
static const char sqlite_insert[] = "INSERT INTO tick_stats (instrument, event_time, \"window\", "
	"window_time, count, mid_mean, mid_std, mid_min, mid_max, spread_mean, spread_std, spread_min, "
	"spread_max, vwap) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

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

static int open_sqlite(struct output *o, char *err, size_t errlen)
{
	int rc = sqlite3_open_v2(o->path, &o->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);

	if (rc != SQLITE_OK) {
		(void)snprintf(err, errlen, "%s: %s", o->path, o->db ? sqlite3_errmsg(o->db) : sqlite3_errstr(rc));
		return -1;
	}
	/* one transaction: the rows are all there or none is */
	if (sqlite3_exec(o->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return sqlite_fail(o, "begin", err, errlen);
	if (sqlite3_exec(o->db, sqlite_ddl, NULL, NULL, NULL) != SQLITE_OK)
		return sqlite_fail(o, "create table tick_stats", err, errlen);
	if (sqlite3_prepare_v2(o->db, sqlite_insert, -1, &o->insert, NULL) != SQLITE_OK)
		return sqlite_fail(o, "tick_stats", err, errlen);
	return 0;
}

int output_open(struct output *o, enum output_format format, const char *path, char *err, size_t errlen)
{
	bool exists;

	memset(o, 0, sizeof(*o));
	o->format = format;
	o->path = path;
	if (format == OUTPUT_NONE)
		return 0;
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
	o->f = strcmp(path, "-") == 0 ? stdout : fopen(o->partial[0] ? o->partial : path, "w");
	if (o->f == NULL || setvbuf(o->f, csv_buf, _IOFBF, sizeof(csv_buf)) != 0 ||
	    fputs(csv_header, o->f) == EOF) {
		(void)snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* v in decimal at p (at most 20 characters, no NUL), its length: what
 * "%" PRId64 writes, without printf's cost per call. */
static size_t put_i64(char *p, int64_t v)
{
	char d[20];
	uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;
	size_t n = 0, len = 0;

	do
		d[n++] = (char)('0' + u % 10);
	while ((u /= 10) > 0);
	if (v < 0)
		p[len++] = '-';
	while (n > 0)
		p[len++] = d[--n];
	return len;
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
	len += put_i64(line + len, t_ns);
	line[len++] = ',';
	len += put_i64(line + len, out->count[i]);
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

static int sqlite_row(struct output *o, const char *instrument, int64_t t_ns,
		      const struct nbpy_rolling_output *out, size_t i, char *err, size_t errlen)
{
	sqlite3_stmt *ins = o->insert;
	char tbuf[NBPY_RFC3339_MAX];
	size_t tlen = sql_time_format(t_ns, tbuf, sizeof(tbuf));
	int rc;

	if (tlen == 0) {
		(void)snprintf(err, errlen, "%s: time %" PRId64 " of %s is out of range", o->path, t_ns,
			       instrument);
		return -1;
	}
	rc = sqlite3_bind_text(ins, 1, instrument, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(ins, 2, tbuf, (int)tlen, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(ins, 3, o->window);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(ins, 4, o->window_ns);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(ins, 5, out->count[i]);
	for (int k = 0; k < N_STATS && rc == SQLITE_OK; k++) {
		double x = stat_column(out, k)[i];

		rc = isnan(x) ? sqlite3_bind_null(ins, 6 + k) : sqlite3_bind_double(ins, 6 + k, x);
	}
	if (rc == SQLITE_OK)
		rc = sqlite3_step(ins) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
	(void)sqlite3_reset(ins);
	return rc == SQLITE_OK ? 0 : sqlite_fail(o, "insert into tick_stats", err, errlen);
}

int output_row(struct output *o, const char *instrument, int64_t t_ns, const struct nbpy_rolling_output *out,
	       size_t i, char *err, size_t errlen)
{
	if (o->format == OUTPUT_CSV)
		return csv_row(o, instrument, t_ns, out, i, err, errlen);
	if (o->format == OUTPUT_SQLITE)
		return sqlite_row(o, instrument, t_ns, out, i, err, errlen);
	return 0;
}

/* After a failure: the CSV being written, or the database and its journal
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
		if (rc == 0 && o->partial[0] && rename(o->partial, o->path) < 0) {
			(void)snprintf(err, errlen, "rename %s to %s: %s", o->partial, o->path, strerror(errno));
			rc = -1;
		}
	}
	if (o->db != NULL) {
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
	memset(o, 0, sizeof(*o));
	return rc;
}
