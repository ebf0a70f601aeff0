/* core/log.c: one log line per event ("<time> <prog>[<pid>] <event> key=value ..."), byte escaping. */
#include "core/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
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

/* write(2) the whole line, retrying on EINTR and short writes; a log line is best effort. */
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

void hello_log_event(const struct hello_log *lg, enum hello_log_level lvl, const char *event, const char *fmt, ...)
{
	char line[HELLO_LOG_LINE_MAX], ts[48];
	struct timespec now;
	va_list ap;
	int n, m;

	if (!lg || lg->fd < 0 || (lg->quiet && lvl == HELLO_LOG_DETAIL))
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	n = snprintf(line, sizeof(line), "%s %s[%ld] %s", hello_log_timestamp(&now, ts, sizeof(ts)),
		     lg->prog, (long)getpid(), event);
	if (n < 0 || (size_t)n >= sizeof(line) - 2)
		return;
	if (fmt && *fmt) {
		line[n++] = ' ';
		va_start(ap, fmt);
		m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
		va_end(ap);
		if (m < 0)
			m = 0;
		n += m;
		if ((size_t)n > sizeof(line) - 2)
			n = (int)sizeof(line) - 2; /* cut: a log line never spills over */
	}
	line[n++] = '\n';
	log_write(lg->fd, line, (size_t)n);
}

void hello_log_bytes(const struct hello_log *lg, enum hello_log_level lvl, const char *event, const char *prefix,
		     const uint8_t *p, size_t len)
{
	char esc[HELLO_LOG_DATA_MAX];

	if (!lg || lg->fd < 0 || (lg->quiet && lvl == HELLO_LOG_DETAIL))
		return;
	hello_log_escape(p, len, esc, sizeof(esc));
	hello_log_event(lg, lvl, event, "%s%slen=%zu data=\"%s\"", prefix, *prefix ? " " : "", len, esc);
}
