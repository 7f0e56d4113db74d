/* log.c - journal or plain-stderr logging; see log.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <systemd/sd-journal.h>

#include "common/log.h"

static char log_service[64] = "nbpy";
static enum nbpy_log_level log_min = NBPY_LOG_INFO;
static bool log_journal;

static const char *const level_names[] = {
	[NBPY_LOG_ERR] = "error",
	[NBPY_LOG_WARNING] = "warning",
	[NBPY_LOG_NOTICE] = "notice",
	[NBPY_LOG_INFO] = "info",
	[NBPY_LOG_DEBUG] = "debug",
};

/* systemd documents JOURNAL_STREAM as "DEVICE:INODE" of the stream it gave
 * us; it is only ours if stderr still is that stream. */
static bool stderr_is_journal(void)
{
	const char *e = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (e == NULL || sscanf(e, "%llu:%llu", &dev, &ino) != 2)
		return false;
	if (fstat(STDERR_FILENO, &st) < 0)
		return false;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

void nbpy_log_init(const char *service, enum nbpy_log_level min_level)
{
	if (service != NULL)
		(void)snprintf(log_service, sizeof(log_service), "%s", service);
	log_min = min_level;
	log_journal = stderr_is_journal();
}

int nbpy_log_level_parse(const char *name)
{
	for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++)
		if (level_names[i] != NULL && strcmp(level_names[i], name) == 0)
			return (int)i;
	return -1;
}

bool nbpy_log_to_journal(void)
{
	return log_journal;
}

static void log_v(const char *service, const char *message_id, enum nbpy_log_level level,
		  const char *fmt, va_list ap)
{
	char msg[1024];
	int saved_errno = errno;

	if (level > log_min)
		return;
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	if (log_journal) {
		int rc;

		/* On failure fall through to stderr: a message is never lost silently. */
		if (message_id != NULL)
			rc = sd_journal_send("MESSAGE=%s", msg, "PRIORITY=%d", (int)level,
					     "SYSLOG_IDENTIFIER=%s", service, "NBPY_SERVICE=%s", service,
					     "MESSAGE_ID=%s", message_id, NULL);
		else
			rc = sd_journal_send("MESSAGE=%s", msg, "PRIORITY=%d", (int)level,
					     "SYSLOG_IDENTIFIER=%s", service, "NBPY_SERVICE=%s", service,
					     NULL);
		if (rc == 0)
			goto out;
	}
	(void)fprintf(stderr, "%s %s: %s\n", level_names[level], service, msg);
out:
	errno = saved_errno;
}

void nbpy_log(enum nbpy_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_v(log_service, NULL, level, fmt, ap);
	va_end(ap);
}

void nbpy_log_for(const char *service, const char *message_id, enum nbpy_log_level level,
		  const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_v(service, message_id, level, fmt, ap);
	va_end(ap);
}
