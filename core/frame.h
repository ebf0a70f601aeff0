/* core/frame.h: the TCP framers: raw (each recv chunk is a message) and line ("\n"-terminated). */
#ifndef HELLO_FRAME_H
#define HELLO_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "core/proto.h"

enum hello_frame_result {
	HELLO_FRAME_NONE = 0,       /* no complete message yet: feed more */
	HELLO_FRAME_MSG = 1,        /* *msg / *len hold one message */
	HELLO_FRAME_OVERFLOW = -1,  /* line framing: a line passed the limit; the stream is unusable */
};

/*
 * Feed bytes in any chunking, then call next until it returns NONE. The message returned
 * by next stays valid until the following feed. Memory is bounded: raw holds one chunk of
 * at most max bytes, line at most max + 1 bytes (the limit plus a "\r").
 */
struct hello_frame {
	enum hello_framing framing;
	size_t max;         /* raw: largest message (the recv size); line: longest line without "\r\n" */
	uint8_t *buf;
	size_t cap;
	size_t start;       /* first byte not yet returned as a message */
	size_t len;         /* bytes held, from buf[0] */
	size_t scan;        /* line: bytes from start already known to hold no "\n" */
	int raw_ready;      /* raw: buf[start..len) is one pending message */
	int overflow;
};

int hello_frame_init(struct hello_frame *f, enum hello_framing framing, size_t max, char *err, size_t errlen);
void hello_frame_free(struct hello_frame *f);
/* Takes as many bytes as fit and returns how many; feed the rest after draining next. */
size_t hello_frame_feed(struct hello_frame *f, const uint8_t *p, size_t len);
/* Zero-copy feeding: the free room (compacting first) for a recv, then how many bytes it
 * stored. Room is 0 while a message waits to be taken (raw) or the line buffer is full. */
size_t hello_frame_space(struct hello_frame *f, uint8_t **p);
void hello_frame_commit(struct hello_frame *f, size_t n);
enum hello_frame_result hello_frame_next(struct hello_frame *f, const uint8_t **msg, size_t *len);
/* Bytes held that are not yet part of a returned message (a partial line). */
size_t hello_frame_pending(const struct hello_frame *f);

#endif
