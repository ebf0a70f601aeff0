/* core/outbuf.c: a bounded output buffer: unsent bytes of one peer, with a hard limit. */
#include "core/outbuf.h"

#include <stdlib.h>
#include <string.h>

void hello_outbuf_init(struct hello_outbuf *b, size_t limit)
{
	memset(b, 0, sizeof(*b));
	b->limit = limit;
}

void hello_outbuf_free(struct hello_outbuf *b)
{
	free(b->buf);
	memset(b, 0, sizeof(*b));
}

int hello_outbuf_append(struct hello_outbuf *b, const void *p, size_t len)
{
	size_t pending = b->len - b->off, want;
	uint8_t *nb;

	if (len > b->limit || pending > b->limit - len)
		return -1;
	if (b->off > 0 && b->len + len > b->cap) {
		memmove(b->buf, b->buf + b->off, pending);
		b->off = 0;
		b->len = pending;
	}
	if (b->len + len > b->cap) {
		want = b->cap ? b->cap : 256;
		while (want < b->len + len)
			want *= 2;
		if (want > b->limit)
			want = b->limit;
		nb = realloc(b->buf, want);
		if (!nb)
			return -1;
		b->buf = nb;
		b->cap = want;
	}
	if (len)
		memcpy(b->buf + b->len, p, len);
	b->len += len;
	return 0;
}

const uint8_t *hello_outbuf_data(const struct hello_outbuf *b)
{
	return b->buf + b->off;
}

size_t hello_outbuf_pending(const struct hello_outbuf *b)
{
	return b->len - b->off;
}

void hello_outbuf_consume(struct hello_outbuf *b, size_t n)
{
	if (n > b->len - b->off)
		n = b->len - b->off;
	b->off += n;
	if (b->off == b->len)
		b->off = b->len = 0;
}
