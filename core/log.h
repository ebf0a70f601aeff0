/* core/log.h: one log line per event ("<time> <prog>[<pid>] <event> key=value ..."), byte escaping. */
#ifndef HELLO_LOG_H
#define HELLO_LOG_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Bytes of a message shown in a log line; longer data is cut and marked with "...". */
#define HELLO_LOG_DATA_MAX 200
#define HELLO_LOG_LINE_MAX 2048

struct hello_log {
	int fd;             /* where lines go (write(2): one call per line, so threads and forked
	                     * children never interleave or duplicate buffered lines); -1 = off */
	const char *prog;   /* program name shown on every line */
	int quiet;          /* drop per-connection and per-message events (HELLO_LOG_DETAIL) */
};

enum hello_log_level { HELLO_LOG_MAIN = 0, HELLO_LOG_DETAIL = 1 };

/*
 * Escapes bytes for a log line: printable ASCII stays, except '\\' and '"' which get a
 * backslash; "\n" "\r" "\t" are written as such; any other byte as \xNN. Writes at most
 * cap - 1 characters and a NUL, never cutting an escape in half; when the input does not
 * fit, the output ends in "..." . Returns the length written.
 */
size_t hello_log_escape(const uint8_t *p, size_t len, char *out, size_t cap);

/* "2026-11-25T09:00:00.123456Z" (UTC, microseconds); returns out. */
const char *hello_log_timestamp(const struct timespec *ts, char *out, size_t cap);

/* Writes "<time> <prog>[<pid>] <event> <printf text>\n" if the level is not muted. */
void hello_log_event(const struct hello_log *lg, enum hello_log_level lvl, const char *event, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* An event about message bytes: "<event> <prefix> len=N data=\"<escaped, at most HELLO_LOG_DATA_MAX>\"". */
void hello_log_bytes(const struct hello_log *lg, enum hello_log_level lvl, const char *event, const char *prefix,
		     const uint8_t *p, size_t len);

#endif
