/* notify.h - one sd_notify datagram from a worker ("KEY=VALUE\n" lines)
 * read into what nbpyd acts on, without I/O (tests/fuzz/fuzz_notify.c). */
#ifndef NBPY_NOTIFY_H
#define NBPY_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>

#define NOTIFY_MAX_DATAGRAM 4096	/* read at most this much of one */
#define NOTIFY_STATUS_MAX 512		/* STATUS= kept, NUL included */

struct notify_msg {
	bool ready;		/* READY=1 */
	bool watchdog;		/* WATCHDOG=1 */
	bool has_status;
	char status[NOTIFY_STATUS_MAX];	/* the last STATUS=, cut to fit */
};

/* Lines end at '\n'; a NUL ends the datagram; other keys are ignored. */
void notify_parse(const char *data, size_t len, struct notify_msg *out);

#endif
