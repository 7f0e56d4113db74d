/* history.h - the persistent restart history of each service.
 *
 * Every start, ready, exit, stop and fatal event is one JSON line appended
 * to STATE_DIR/history/SERVICE.jsonl, so it survives nbpyd restarts and
 * crashes (a torn last line is skipped when read, and ended with a newline
 * before the next entry is appended).  The file is the only
 * copy: nbpyd keeps no history in memory, and reads it back when asked.
 * When it reaches twice `size` lines it is compacted to the newest `size`. */
#ifndef NBPY_HISTORY_H
#define NBPY_HISTORY_H

#include <stddef.h>
#include <stdint.h>

struct json_object;

struct history_entry {
	int64_t time_ns;
	char event[12];		/* start, ready, exit, stop, fatal */
	int pid;
	int code;		/* exit code, -1 if none */
	int signal;		/* 0 if none */
	int core;
	int64_t uptime_ns;
	int64_t delay_ns;	/* restart delay applied */
	char reason[192];
};

struct history {
	char *path;
	size_t size;
	size_t file_lines;
};

/* Open (creating the directory); counts what the file holds. */
int history_open(struct history *h, const char *state_dir, const char *service, size_t size);
void history_close(struct history *h);

/* Append; -1 with errno if the file could not be written. */
int history_add(struct history *h, const struct history_entry *e);

/* If the newest entry is a start or ready, the process that wrote it died
 * before recording the worker's end: append an exit entry (time now_ns, the
 * pid of that entry, code -1, reason) and fill *out with it.  1 if it was
 * appended, 0 if the history has no such hole, -1 with errno on error. */
int history_end_dangling(struct history *h, int64_t now_ns, const char *reason,
			 struct history_entry *out);

/* The newest `max` entries, oldest first, as a JSON array of objects;
 * NULL with errno if the file cannot be read (no file: an empty array). */
struct json_object *history_read(const struct history *h, size_t max);

#endif
