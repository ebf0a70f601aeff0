/* core/frame.c: the TCP framers: raw (each recv chunk is a message) and line ("\n"-terminated). */
#include "core/frame.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int hello_frame_init(struct hello_frame *f, enum hello_framing framing, size_t max, char *err, size_t errlen)
{
	memset(f, 0, sizeof(*f));
	if (max == 0 || max > (size_t)1 << 30) {
		snprintf(err, errlen, "frame: message limit %zu is out of range 1..%zu", max, (size_t)1 << 30);
		return -1;
	}
	f->framing = framing;
	f->max = max;
	/* A line may hold max bytes, a "\r" and its "\n". */
	f->cap = framing == HELLO_FRAMING_LINE ? max + 2 : max;
	f->buf = malloc(f->cap);
	if (!f->buf) {
		snprintf(err, errlen, "frame: cannot allocate %zu bytes", f->cap);
		return -1;
	}
	return 0;
}

void hello_frame_free(struct hello_frame *f)
{
	free(f->buf);
	f->buf = NULL;
}

/* Moves the unreturned bytes to the front so the buffer can take more. */
static void frame_compact(struct hello_frame *f)
{
	if (f->start == 0)
		return;
	memmove(f->buf, f->buf + f->start, f->len - f->start);
	f->len -= f->start;
	f->start = 0;
}

static size_t frame_feed_raw(struct hello_frame *f, const uint8_t *p, size_t len)
{
	size_t n;

	if (f->raw_ready || len == 0)
		return 0;
	n = len < f->cap ? len : f->cap;
	memcpy(f->buf, p, n);
	f->start = 0;
	f->len = n;
	f->raw_ready = 1;
	return n;
}

size_t hello_frame_feed(struct hello_frame *f, const uint8_t *p, size_t len)
{
	size_t room, n;

	if (f->overflow)
		return 0;
	if (f->framing == HELLO_FRAMING_RAW)
		return frame_feed_raw(f, p, len);
	frame_compact(f);
	room = f->cap - f->len;
	n = len < room ? len : room;
	if (n)
		memcpy(f->buf + f->len, p, n);
	f->len += n;
	return n;
}

size_t hello_frame_space(struct hello_frame *f, uint8_t **p)
{
	if (f->overflow)
		return 0;
	if (f->framing == HELLO_FRAMING_RAW) {
		*p = f->buf;
		return f->raw_ready ? 0 : f->cap;
	}
	frame_compact(f);
	*p = f->buf + f->len;
	return f->cap - f->len;
}

void hello_frame_commit(struct hello_frame *f, size_t n)
{
	if (f->framing == HELLO_FRAMING_RAW) {
		if (n == 0 || f->raw_ready)
			return;
		f->start = 0;
		f->len = n < f->cap ? n : f->cap;
		f->raw_ready = 1;
		return;
	}
	if (n > f->cap - f->len)
		n = f->cap - f->len;
	f->len += n;
}

static enum hello_frame_result frame_next_line(struct hello_frame *f, const uint8_t **msg, size_t *len)
{
	size_t held = f->len - f->start;
	const uint8_t *base = f->buf + f->start;
	const uint8_t *nl = memchr(base + f->scan, '\n', held - f->scan);
	size_t n;

	if (!nl) {
		f->scan = held;
		/* Without a "\n", max bytes plus a possible "\r" is the most a line may hold. */
		if (held > f->max + 1) {
			f->overflow = 1;
			return HELLO_FRAME_OVERFLOW;
		}
		return HELLO_FRAME_NONE;
	}
	n = (size_t)(nl - base);
	f->start += n + 1;
	f->scan = 0;
	if (n > 0 && base[n - 1] == '\r')
		n--;
	if (n > f->max) {
		f->overflow = 1;
		return HELLO_FRAME_OVERFLOW;
	}
	*msg = base;
	*len = n;
	return HELLO_FRAME_MSG;
}

enum hello_frame_result hello_frame_next(struct hello_frame *f, const uint8_t **msg, size_t *len)
{
	if (f->overflow)
		return HELLO_FRAME_OVERFLOW;
	if (f->framing == HELLO_FRAMING_LINE)
		return frame_next_line(f, msg, len);
	if (!f->raw_ready)
		return HELLO_FRAME_NONE;
	f->raw_ready = 0;
	*msg = f->buf;
	*len = f->len;
	f->start = f->len;
	return HELLO_FRAME_MSG;
}

size_t hello_frame_pending(const struct hello_frame *f)
{
	if (f->framing == HELLO_FRAMING_RAW)
		return f->raw_ready ? f->len : 0;
	return f->len - f->start;
}
