/* core/log.c: one log line per event ("<time> <prog>[<pid>] <event> key=value ..."), byte escaping, buffered output. */
#include "core/log.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The escape for one byte into e (at most 5 chars); returns its length. */
static size_t log_escape_byte(uint8_t c, char e[5])
{
	static const char hex[] = "0123456789abcdef";

	switch (c) {
	case '\n': memcpy(e, "\\n", 2); return 2;
	case '\r': memcpy(e, "\\r", 2); return 2;
	case '\t': memcpy(e, "\\t", 2); return 2;
	case '\\': memcpy(e, "\\\\", 2); return 2;
	case '"': memcpy(e, "\\\"", 2); return 2;
	default: break;
	}
	if (c >= 0x20 && c < 0x7f) {
		e[0] = (char)c;
		return 1;
	}
	e[0] = '\\';
	e[1] = 'x';
	e[2] = hex[c >> 4];
	e[3] = hex[c & 15];
	return 4;
}

size_t hello_log_escape(const uint8_t *p, size_t len, char *out, size_t cap)
{
	size_t o = 0, i, n, total = 0, room;
	char e[5];

	if (cap == 0)
		return 0;
	/* Short input that fits even if every byte became \xNN: one pass, no "..." to plan. */
	if (len < (cap - 1) / 4) {
		for (i = 0; i < len; i++) {
			if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\' && p[i] != '"')
				out[o++] = (char)p[i];
			else
				o += log_escape_byte(p[i], out + o);
		}
		out[o] = '\0';
		return o;
	}
	for (i = 0; i < len && total < cap; i++)
		total += log_escape_byte(p[i], e);
	/* Keep room for "..." only when the whole input does not fit. */
	room = cap - 1;
	if (total > room)
		room = room >= 3 ? room - 3 : 0;
	for (i = 0; i < len; i++) {
		n = log_escape_byte(p[i], e);
		if (o + n > room)
			break;
		memcpy(out + o, e, n);
		o += n;
	}
	if (i < len && cap > 3) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
	return o;
}

const char *hello_log_timestamp(const struct timespec *ts, char *out, size_t cap)
{
	struct tm tm;
	time_t t = ts->tv_sec;
	char day[32];

	if (!gmtime_r(&t, &tm) || !strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm))
		snprintf(day, sizeof(day), "?");
	snprintf(out, cap, "%s.%06ldZ", day, (long)(ts->tv_nsec / 1000));
	return out;
}

/*
 * A thread's lines not yet written. len only grows by whole lines, so a flush from the
 * fatal-signal path, which may interrupt the thread mid-format, writes whole lines only.
 */
struct log_buf {
	size_t len;
	int fd;
	int atomic_chunks;
	struct log_buf *prev, *next;	/* every live buffer, for the fatal-signal flush */
	char data[HELLO_LOG_BUF_SIZE];
};

static _Thread_local struct log_buf *log_tl;
/* The day and time of day of the last line this thread formatted: gmtime once a second. */
static _Thread_local time_t log_tl_sec = -1;
static _Thread_local char log_tl_day[32];

static pthread_once_t log_once = PTHREAD_ONCE_INIT;
static pthread_key_t log_key;
static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;
static struct log_buf *volatile log_all;
static volatile pid_t log_pid;	/* getpid() is a system call; fork resets it */
static int log_once_rc;

/* write(2) all of p, retrying on EINTR and short writes; async-signal-safe, best effort. */
static void log_write(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		p += n;
		len -= (size_t)n;
	}
}

/* Writes the buffer's whole lines: at most PIPE_BUF a call, cut after a newline, on a pipe. */
static void log_buf_write(struct log_buf *b)
{
	const char *p = b->data, *cut;
	size_t left = b->len, n;

	while (left > 0) {
		n = left;
		if (b->atomic_chunks && n > PIPE_BUF) {
			cut = memrchr(p, '\n', PIPE_BUF);
			n = cut ? (size_t)(cut - p) + 1 : PIPE_BUF;
		}
		log_write(b->fd, p, n);
		p += n;
		left -= n;
	}
	b->len = 0;
}

void hello_log_flush(void)
{
	if (log_tl && log_tl->len > 0)
		log_buf_write(log_tl);
}

static void log_unregister(struct log_buf *b)
{
	pthread_mutex_lock(&log_mu);
	if (b->prev)
		b->prev->next = b->next;
	else
		log_all = b->next;
	if (b->next)
		b->next->prev = b->prev;
	pthread_mutex_unlock(&log_mu);
}

/* A thread ends: its lines go out, its buffer goes away. */
static void log_thread_end(void *p)
{
	struct log_buf *b = p;

	if (b->len > 0)
		log_buf_write(b);
	log_unregister(b);
	if (log_tl == b)
		log_tl = NULL;
	free(b);
}

static void log_at_exit(void)
{
	hello_log_flush();
}

/* The caller's lines go out before fork, or the child would inherit and write them again. */
static void log_before_fork(void)
{
	hello_log_flush();
}

/* In the child only the forking thread lives; the other threads' lines are the parent's to write. */
static void log_in_child(void)
{
	struct log_buf *b;

	log_pid = getpid();
	for (b = log_all; b; b = b->next)
		if (b != log_tl)
			b->len = 0;
}

/*
 * A crash the process sees: every thread's whole lines, then the signal's default action.
 * Only write(2) and raise(3) here; the list is walked without its lock (a thread being
 * created or ending at that moment may be missed).
 */
static void log_on_fatal(int sig)
{
	struct log_buf *b;

	for (b = log_all; b; b = b->next)
		if (b->len > 0)
			log_write(b->fd, b->data, b->len);
	raise(sig);
}

/* A sanitizer reports SIGSEGV, SIGBUS, SIGILL and SIGFPE with a stack trace, which is worth
 * more than the last lines; it leaves SIGABRT alone. */
#if defined(__SANITIZE_ADDRESS__)
#define LOG_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LOG_SANITIZED 1
#endif
#endif

static void log_setup_once(void)
{
#ifdef LOG_SANITIZED
	static const int fatal[] = { SIGABRT };
#else
	static const int fatal[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT };
#endif
	struct sigaction sa;
	size_t i;

	log_pid = getpid();
	if (pthread_key_create(&log_key, log_thread_end) != 0 || atexit(log_at_exit) != 0 ||
	    pthread_atfork(log_before_fork, NULL, log_in_child) != 0) {
		log_once_rc = -1;
		return;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = log_on_fatal;
	sigemptyset(&sa.sa_mask);
	/* Default action again, and not blocked, so raise() in the handler ends the process. */
	sa.sa_flags = SA_RESETHAND | SA_NODEFER;
	for (i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
		if (sigaction(fatal[i], &sa, NULL) < 0)
			log_once_rc = -1;
}

int hello_log_open(struct hello_log *lg, int fd, const char *prog, int quiet, char *err, size_t errlen)
{
	struct stat st;

	*lg = (struct hello_log){ .fd = fd, .prog = prog, .quiet = quiet };
	if (fd < 0 || isatty(fd))
		return 0;
	pthread_once(&log_once, log_setup_once);
	if (log_once_rc < 0) {
		snprintf(err, errlen, "log buffer: cannot install its exit, fork and signal handlers");
		return -1;
	}
	lg->buffered = 1;
	lg->atomic_chunks = fstat(fd, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode));
	return 0;
}

/* The calling thread's buffer for lg, made on first use; NULL when out of memory. */
static struct log_buf *log_buf_get(const struct hello_log *lg)
{
	struct log_buf *b = log_tl;

	if (!b) {
		b = malloc(sizeof(*b));
		if (!b)
			return NULL;
		b->len = 0;
		b->prev = NULL;
		pthread_mutex_lock(&log_mu);
		b->next = log_all;
		if (log_all)
			log_all->prev = b;
		log_all = b;
		pthread_mutex_unlock(&log_mu);
		pthread_setspecific(log_key, b);
		log_tl = b;
	} else if (b->len > 0 && b->fd != lg->fd) {
		log_buf_write(b);
	}
	b->fd = lg->fd;
	b->atomic_chunks = lg->atomic_chunks;
	return b;
}

/* "2026-11-25T09:00:00" for sec, formatted once per second per thread; its length in *len. */
static const char *log_day(time_t sec, size_t *len)
{
	static _Thread_local size_t day_len;
	struct tm tm;

	if (sec != log_tl_sec) {
		if (!gmtime_r(&sec, &tm) || !strftime(log_tl_day, sizeof(log_tl_day), "%Y-%m-%dT%H:%M:%S", &tm))
			snprintf(log_tl_day, sizeof(log_tl_day), "?");
		day_len = strlen(log_tl_day);
		log_tl_sec = sec;
	}
	*len = day_len;
	return log_tl_day;
}

/*
 * A line being built in out[cap]: appends stop at cap - 2, which keeps room for the
 * newline, so a long line is cut and never spills over. No printf on the hot path: the
 * lines of every message are built from copies and digits.
 */
struct log_line {
	char *p;
	size_t n, cap;
};

static void ll_mem(struct log_line *l, const char *s, size_t len)
{
	size_t room = l->cap - 2 - l->n;

	if (len > room)
		len = room;
	memcpy(l->p + l->n, s, len);
	l->n += len;
}

static void ll_str(struct log_line *l, const char *s)
{
	ll_mem(l, s, strlen(s));
}

/* v in decimal, at least width digits (zeros in front). */
static void ll_uint(struct log_line *l, unsigned long long v, int width)
{
	char d[24];
	int i = (int)sizeof(d);

	do {
		d[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v || (int)sizeof(d) - i < width);
	ll_mem(l, d + i, sizeof(d) - (size_t)i);
}

/* "<time> <prog>[<pid>] <event>" (cap >= 64). */
static void ll_head(struct log_line *l, const struct hello_log *lg, const char *event)
{
	struct timespec now;
	const char *day;
	size_t dl;

	clock_gettime(CLOCK_REALTIME, &now);
	day = log_day(now.tv_sec, &dl);
	ll_mem(l, day, dl);
	ll_mem(l, ".", 1);
	ll_uint(l, (unsigned long long)(now.tv_nsec / 1000), 6);
	ll_mem(l, "Z ", 2);
	ll_str(l, lg->prog);
	ll_mem(l, "[", 1);
	ll_uint(l, (unsigned long long)(log_pid ? log_pid : getpid()), 1);
	ll_mem(l, "] ", 2);
	ll_str(l, event);
}

/* Ends the line with its newline; returns its length. */
static size_t ll_end(struct log_line *l)
{
	l->p[l->n++] = '\n';
	return l->n;
}

/* Formats one whole line, newline included, into out (cap >= 64); returns its length. */
static size_t log_format(const struct hello_log *lg, char *out, size_t cap, const char *event, const char *fmt,
			 va_list ap)
{
	struct log_line l = { out, 0, cap };
	int m;

	ll_head(&l, lg, event);
	if (fmt && *fmt) {
		ll_mem(&l, " ", 1);
		m = vsnprintf(out + l.n, cap - 1 - l.n, fmt, ap);
		if (m > 0)
			l.n += (size_t)m;
		if (l.n > cap - 2)
			l.n = cap - 2; /* cut: a log line never spills over */
	}
	return ll_end(&l);
}

/* Where the calling thread's next line goes: its buffer (room for one more line made),
 * or line[] when the log is unbuffered or no buffer could be had. */
static char *log_dest(const struct hello_log *lg, struct log_buf **bp, char *line)
{
	struct log_buf *b = NULL;

	if (lg->buffered && (b = log_buf_get(lg)) != NULL && sizeof(b->data) - b->len < HELLO_LOG_LINE_MAX)
		log_buf_write(b);
	*bp = b;
	return b ? b->data + b->len : line;
}

/* The line at out, n bytes, is done: counted in the buffer (from here a fatal-signal flush
 * writes it) or written at once. */
static void log_commit(const struct hello_log *lg, struct log_buf *b, const char *out, size_t n)
{
	if (b)
		b->len += n;
	else
		log_write(lg->fd, out, n);
}

void hello_log_event(const struct hello_log *lg, enum hello_log_level lvl, const char *event, const char *fmt, ...)
{
	char line[HELLO_LOG_LINE_MAX], *out;
	struct log_buf *b;
	va_list ap;
	size_t n;

	if (!lg || lg->fd < 0 || (lg->quiet && lvl == HELLO_LOG_DETAIL))
		return;
	out = log_dest(lg, &b, line);
	va_start(ap, fmt);
	n = log_format(lg, out, HELLO_LOG_LINE_MAX, event, fmt, ap);
	va_end(ap);
	log_commit(lg, b, out, n);
}

void hello_log_bytes(const struct hello_log *lg, enum hello_log_level lvl, const char *event, const char *prefix,
		     const uint8_t *p, size_t len)
{
	char line[HELLO_LOG_LINE_MAX];
	struct log_buf *b;
	struct log_line l;

	if (!lg || lg->fd < 0 || (lg->quiet && lvl == HELLO_LOG_DETAIL))
		return;
	l = (struct log_line){ log_dest(lg, &b, line), 0, HELLO_LOG_LINE_MAX };
	ll_head(&l, lg, event);
	ll_mem(&l, " ", 1);
	if (*prefix) {
		ll_str(&l, prefix);
		ll_mem(&l, " ", 1);
	}
	ll_mem(&l, "len=", 4);
	ll_uint(&l, len, 1);
	ll_mem(&l, " data=\"", 7);
	/* The escape writes a NUL after itself: it gets room for that too. */
	if (l.cap - 2 - l.n > HELLO_LOG_DATA_MAX + 1)
		l.n += hello_log_escape(p, len, l.p + l.n, HELLO_LOG_DATA_MAX);
	ll_mem(&l, "\"", 1);
	log_commit(lg, b, l.p, ll_end(&l));
}
