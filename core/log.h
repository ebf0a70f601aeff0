/* core/log.h: one log line per event ("<time> <prog>[<pid>] <event> key=value ..."), byte escaping, buffered output. */
#ifndef HELLO_LOG_H
#define HELLO_LOG_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Bytes of a message shown in a log line; longer data is cut and marked with "...". */
#define HELLO_LOG_DATA_MAX 200
#define HELLO_LOG_LINE_MAX 2048
/* A thread's buffer of formatted lines (docs/logging.md). */
#define HELLO_LOG_BUF_SIZE (64 * 1024)

/*
 * Unbuffered (buffered = 0, what a designated initializer gives): one write(2) per line.
 * Buffered (hello_log_open on a file or pipe): each thread formats its lines into its own
 * buffer, written out by hello_log_flush -- which a server calls before it blocks -- when
 * the buffer fills, before fork, at exit and on a fatal signal. Whole lines only, in order;
 * to a pipe or socket in writes of at most PIPE_BUF so that the lines of other processes
 * and threads on the same pipe never cut into them.
 */
struct hello_log {
	int fd;             /* where lines go; -1 = off */
	const char *prog;   /* program name shown on every line */
	int quiet;          /* drop per-connection and per-message events (HELLO_LOG_DETAIL) */
	int buffered;       /* lines wait in the thread's buffer (set by hello_log_open) */
	int atomic_chunks;  /* fd is a pipe or socket: flush in writes of at most PIPE_BUF */
};

enum hello_log_level { HELLO_LOG_MAIN = 0, HELLO_LOG_DETAIL = 1 };

/*
 * Sets lg up for fd: buffered unless fd is a terminal (a user watching sees each line at
 * once), and installs once per process the flushes at exit, before fork and on SIGSEGV,
 * SIGBUS, SIGILL, SIGFPE and SIGABRT. Returns 0, or -1 with err when a handler could not be
 * installed (the log then stays unbuffered).
 */
int hello_log_open(struct hello_log *lg, int fd, const char *prog, int quiet, char *err, size_t errlen);

/* Writes out the calling thread's buffered lines; a no-op when none wait. */
void hello_log_flush(void);

/*
 * Escapes bytes for a log line: printable ASCII stays, except '\\' and '"' which get a
 * backslash; "\n" "\r" "\t" are written as such; any other byte as \xNN. Writes at most
 * cap - 1 characters and a NUL, never cutting an escape in half; when the input does not
 * fit, the output ends in "..." . Returns the length written.
 */
size_t hello_log_escape(const uint8_t *p, size_t len, char *out, size_t cap);

/* "2026-11-25T09:00:00.123456Z" (UTC, microseconds); returns out. */
const char *hello_log_timestamp(const struct timespec *ts, char *out, size_t cap);

/* Logs "<time> <prog>[<pid>] <event> <printf text>\n" if the level is not muted. */
void hello_log_event(const struct hello_log *lg, enum hello_log_level lvl, const char *event, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* An event about message bytes: "<event> <prefix> len=N data=\"<escaped, at most HELLO_LOG_DATA_MAX>\"". */
void hello_log_bytes(const struct hello_log *lg, enum hello_log_level lvl, const char *event, const char *prefix,
		     const uint8_t *p, size_t len);

#endif
