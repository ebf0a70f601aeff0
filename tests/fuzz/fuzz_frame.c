/* tests/fuzz/fuzz_frame.c: libFuzzer harness: core framing (raw and line) under arbitrary chunking, checked against a model. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/frame.h"
#include "core/proto.h"

/*
 * Input: byte 0 = framing (bit 0: line), feeding API (bit 1: space/commit, else feed) and
 * the chunk size bound (bits 2..7); byte 1 = the message limit (0 means the default
 * 1024); bytes 2..3 seed the chunk sizes; the rest is the byte stream a peer sends.
 */
struct fuzz_in {
	int line, zerocopy;
	size_t max, chunk_max;
	uint32_t seed;
	const uint8_t *s;
	size_t n;
};

static uint32_t fuzz_rand(uint32_t *x)
{
	*x ^= *x << 13, *x ^= *x >> 17, *x ^= *x << 5;
	return *x;
}

/* Every message's reply is well formed and the reply tracker accepts it as the answer. */
static void fuzz_reply(enum hello_framing fr, const uint8_t *msg, size_t len)
{
	size_t want = hello_proto_reply_len(fr, len);
	uint8_t *out = malloc(want);
	struct hello_track t;
	size_t used;

	if (!out)
		return;
	if (hello_proto_reply(fr, msg, len, out, want) != want || hello_proto_reply(fr, msg, len, out, want - 1) != 0)
		abort();
	if (fr == HELLO_FRAMING_RAW && len > 0) {
		hello_track_init(&t, msg, len);
		if (hello_track_feed(&t, out, want, &used) != HELLO_TRACK_DONE || used != want)
			abort();
	}
	(void)hello_proto_is_exit(msg, len);
	free(out);
}

/* Line framing, the reference: the k-th "\n"-terminated line (less one trailing "\r"), or
 * overflow when that line (or the unterminated tail) is longer than the limit allows. */
static int fuzz_ref_line(const struct fuzz_in *in, size_t *pos, const uint8_t **msg, size_t *len)
{
	const uint8_t *b = in->s + *pos;
	size_t left = in->n - *pos;
	const uint8_t *nl = memchr(b, '\n', left);

	if (!nl)
		return left > in->max + 1 ? HELLO_FRAME_OVERFLOW : HELLO_FRAME_NONE;
	size_t n = (size_t)(nl - b);
	*pos += n + 1;
	if (n > 0 && b[n - 1] == '\r')
		n--;
	if (n > in->max)
		return HELLO_FRAME_OVERFLOW;
	*msg = b, *len = n;
	return HELLO_FRAME_MSG;
}

/* Takes every message ready; returns -1 once the framer reported overflow. */
static int fuzz_drain(struct hello_frame *f, const struct fuzz_in *in, size_t *refpos, size_t *rawpos)
{
	const uint8_t *msg, *want;
	size_t len, wlen;
	int r;

	while ((r = hello_frame_next(f, &msg, &len)) == HELLO_FRAME_MSG) {
		if (len > in->max)
			abort();
		if (in->line) {
			if (fuzz_ref_line(in, refpos, &want, &wlen) != HELLO_FRAME_MSG || wlen != len ||
			    memcmp(want, msg, len) != 0 || memchr(msg, '\n', len))
				abort();
		} else {
			/* raw: the messages, end to end, are the stream; none is empty */
			if (len == 0 || *rawpos + len > in->n || memcmp(in->s + *rawpos, msg, len) != 0)
				abort();
			*rawpos += len;
		}
		fuzz_reply(in->line ? HELLO_FRAMING_LINE : HELLO_FRAMING_RAW, msg, len);
	}
	if (r == HELLO_FRAME_OVERFLOW) {
		if (!in->line || fuzz_ref_line(in, refpos, &want, &wlen) != HELLO_FRAME_OVERFLOW)
			abort();
		return -1;
	}
	return 0;
}

/* Hands the framer one chunk; returns how many bytes it took. */
static size_t fuzz_give(struct hello_frame *f, const struct fuzz_in *in, const uint8_t *p, size_t n)
{
	uint8_t *room;
	size_t space;

	if (!in->zerocopy)
		return hello_frame_feed(f, p, n);
	space = hello_frame_space(f, &room);
	if (n > space)
		n = space;
	if (n)
		memcpy(room, p, n);
	hello_frame_commit(f, n);
	return n;
}

static void fuzz_run(const struct fuzz_in *in)
{
	struct hello_frame f;
	char err[128];
	size_t off = 0, refpos = 0, rawpos = 0;
	uint32_t seed = in->seed | 1;

	if (hello_frame_init(&f, in->line ? HELLO_FRAMING_LINE : HELLO_FRAMING_RAW, in->max, err, sizeof(err)) < 0)
		abort();
	while (off < in->n) {
		size_t chunk = 1 + fuzz_rand(&seed) % in->chunk_max;
		if (chunk > in->n - off)
			chunk = in->n - off;
		size_t took = fuzz_give(&f, in, in->s + off, chunk);
		off += took;
		if (fuzz_drain(&f, in, &refpos, &rawpos) < 0)
			goto out;
		/* Nothing taken and nothing to return: a framer that can never make progress. */
		if (took == 0 && fuzz_give(&f, in, in->s + off, chunk) == 0)
			abort();
	}
	if (fuzz_drain(&f, in, &refpos, &rawpos) < 0)
		goto out;
	if (in->line) {
		const uint8_t *m;
		size_t l;
		int r = fuzz_ref_line(in, &refpos, &m, &l);
		if (r == HELLO_FRAME_MSG || hello_frame_pending(&f) != in->n - refpos)
			abort();	/* a complete line was left unreturned, or bytes were lost */
	} else if (rawpos != in->n || hello_frame_pending(&f) != 0) {
		abort();
	}
out:
	hello_frame_free(&f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in;

	if (size < 4)
		return 0;
	in.line = data[0] & 1;
	in.zerocopy = (data[0] >> 1) & 1;
	in.chunk_max = 1 + ((size_t)(data[0] >> 2) << 4);
	in.max = data[1] ? data[1] : HELLO_DEFAULT_MAX_MSG;
	in.seed = (uint32_t)data[2] << 8 | data[3];
	in.s = data + 4;
	in.n = size - 4;
	fuzz_run(&in);
	return 0;
}
