/* history.h - the persistent restart history of each service.
 *
 * Every start, ready, exit, restart, stop and fatal event is one JSON line
 * appended to STATE_DIR/history/SERVICE.jsonl, so it survives nbpyd
 * restarts and crashes (a torn last line is skipped on load).  The newest
 * `size` entries are kept in memory; the file is compacted to them when it
 * grows to twice that. */
#ifndef NBPY_HISTORY_H
#define NBPY_HISTORY_H

#include <stddef.h>
#include <stdint.h>

struct json_object;

struct history_entry {
	int64_t time_ns;
	char event[12];		/* start, ready, exit, restart, stop, fatal */
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
	struct history_entry *ring;
	size_t size, n, head;	/* head: index of the oldest */
	size_t file_lines;
};

/* Open (creating the directory) and load what the file holds. */
int history_open(struct history *h, const char *state_dir, const char *service, size_t size);
void history_close(struct history *h);

/* Append to memory and file; -1 with errno if the file write failed (the
 * entry is still kept in memory). */
int history_add(struct history *h, const struct history_entry *e);

/* The i-th newest entry (0 = newest), or NULL. */
const struct history_entry *history_get(const struct history *h, size_t i);

struct json_object *history_entry_json(const struct history_entry *e);

#endif
