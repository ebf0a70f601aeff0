/* core/outbuf.h: a bounded output buffer: unsent bytes of one peer, with a hard limit. */
#ifndef HELLO_OUTBUF_H
#define HELLO_OUTBUF_H

#include <stddef.h>
#include <stdint.h>

/*
 * A peer that sends but never reads would make a server buffer replies without end; the
 * limit turns that into an error the server acts on (it cuts the peer off). The buffer
 * grows on demand up to the limit, so idle connections cost little.
 */
struct hello_outbuf {
	uint8_t *buf;
	size_t off;     /* first unsent byte */
	size_t len;     /* end of the data */
	size_t cap;
	size_t limit;
};

void hello_outbuf_init(struct hello_outbuf *b, size_t limit);
void hello_outbuf_free(struct hello_outbuf *b);
/* Appends all of p or nothing: -1 when the unsent bytes would pass the limit or memory ran out. */
int hello_outbuf_append(struct hello_outbuf *b, const void *p, size_t len);
/* The unsent bytes. */
const uint8_t *hello_outbuf_data(const struct hello_outbuf *b);
size_t hello_outbuf_pending(const struct hello_outbuf *b);
/* Marks n bytes as sent. */
void hello_outbuf_consume(struct hello_outbuf *b, size_t n);

#endif
