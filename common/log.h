/* log.h - one logging API for every nbpy program.
 *
 * When stderr is connected to the journal (systemd sets JOURNAL_STREAM), each
 * call becomes a structured journal entry with PRIORITY, SYSLOG_IDENTIFIER and
 * NBPY_SERVICE fields.  Otherwise it is one plain line on stderr:
 * "LEVEL service: message". */
#ifndef NBPY_LOG_H
#define NBPY_LOG_H

#include <stdbool.h>

/* syslog priorities, so they map 1:1 to journal PRIORITY=. */
enum nbpy_log_level {
	NBPY_LOG_ERR = 3,
	NBPY_LOG_WARNING = 4,
	NBPY_LOG_NOTICE = 5,
	NBPY_LOG_INFO = 6,
	NBPY_LOG_DEBUG = 7,
};

/* Set the service name shown in every entry and the lowest level logged.
 * Detects the journal once; call again after fork+exec. */
void nbpy_log_init(const char *service, enum nbpy_log_level min_level);

/* Parse "error", "warning", "notice", "info" or "debug"; -1 if unknown. */
int nbpy_log_level_parse(const char *name);

bool nbpy_log_to_journal(void);

void nbpy_log(enum nbpy_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The same, on behalf of another service (nbpyd forwarding a worker's
 * output), and with a journal MESSAGE_ID when message_id is not NULL. */
void nbpy_log_for(const char *service, const char *message_id, enum nbpy_log_level level,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#define log_error(...)   nbpy_log(NBPY_LOG_ERR, __VA_ARGS__)
#define log_warning(...) nbpy_log(NBPY_LOG_WARNING, __VA_ARGS__)
#define log_notice(...)  nbpy_log(NBPY_LOG_NOTICE, __VA_ARGS__)
#define log_info(...)    nbpy_log(NBPY_LOG_INFO, __VA_ARGS__)
#define log_debug(...)   nbpy_log(NBPY_LOG_DEBUG, __VA_ARGS__)

#endif
