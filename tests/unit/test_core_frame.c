/* tests/unit/test_core_frame.c: the raw and line framers: CRLF, overflow, arbitrary chunking, empty input. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/frame.h"

#define MAXMSG 64

struct got {
	char msgs[16][MAXMSG + 8];
	size_t lens[16];
	size_t n;
	int overflow;
};

/* Feeds s in chunks of `step` bytes and collects every message. */
static void frame_run(enum hello_framing fr, size_t max, const char *s, size_t len, size_t step, struct got *g)
{
	struct hello_frame f;
	char err[128];
	size_t off = 0;

	memset(g, 0, sizeof(*g));
	assert_int_equal(hello_frame_init(&f, fr, max, err, sizeof(err)), 0);
	while (off < len && !g->overflow) {
		size_t chunk = len - off < step ? len - off : step;
		size_t used = 0;
		while (used < chunk && !g->overflow) {
			const uint8_t *m;
			size_t ml;
			enum hello_frame_result r;
			size_t n = hello_frame_feed(&f, (const uint8_t *)s + off + used, chunk - used);
			used += n;
			while ((r = hello_frame_next(&f, &m, &ml)) == HELLO_FRAME_MSG) {
				assert_true(g->n < 16);
				assert_true(ml <= max);
				memcpy(g->msgs[g->n], m, ml);
				g->lens[g->n++] = ml;
			}
			if (r == HELLO_FRAME_OVERFLOW)
				g->overflow = 1;
			else if (n == 0)
				fail_msg("framer took no bytes and returned no message");
		}
		off += chunk;
	}
	hello_frame_free(&f);
}

static void assert_msg(const struct got *g, size_t i, const char *want)
{
	assert_true(i < g->n);
	assert_int_equal(g->lens[i], strlen(want));
	assert_memory_equal(g->msgs[i], want, strlen(want));
}

static void test_line_basic(void **state)
{
	struct got g;
	const char *s = "Michael\nTracy\r\nSarah\n";
	(void)state;
	frame_run(HELLO_FRAMING_LINE, MAXMSG, s, strlen(s), 1000, &g);
	assert_int_equal(g.n, 3);
	assert_msg(&g, 0, "Michael");
	assert_msg(&g, 1, "Tracy");
	assert_msg(&g, 2, "Sarah");
	assert_false(g.overflow);
}

static void test_line_every_chunking(void **state)
{
	const char *s = "a\r\n\nbc\r\r\nexit\nlast-without-newline";
	size_t step;
	(void)state;
	for (step = 1; step <= strlen(s); step++) {
		struct got g;
		frame_run(HELLO_FRAMING_LINE, MAXMSG, s, strlen(s), step, &g);
		assert_int_equal(g.n, 4);
		assert_msg(&g, 0, "a");
		assert_msg(&g, 1, "");
		assert_msg(&g, 2, "bc\r"); /* only one trailing "\r" is dropped */
		assert_msg(&g, 3, "exit");
	}
}

static void test_line_partial_pending(void **state)
{
	struct hello_frame f;
	const uint8_t *m;
	size_t ml;
	char err[64];
	(void)state;
	assert_int_equal(hello_frame_init(&f, HELLO_FRAMING_LINE, 8, err, sizeof(err)), 0);
	assert_int_equal(hello_frame_feed(&f, (const uint8_t *)"Mich", 4), 4);
	assert_int_equal(hello_frame_next(&f, &m, &ml), HELLO_FRAME_NONE);
	assert_int_equal(hello_frame_pending(&f), 4);
	assert_int_equal(hello_frame_feed(&f, (const uint8_t *)"ael\nTr", 6), 6);
	assert_int_equal(hello_frame_next(&f, &m, &ml), HELLO_FRAME_MSG);
	assert_int_equal(ml, 7);
	assert_memory_equal(m, "Michael", 7);
	assert_int_equal(hello_frame_next(&f, &m, &ml), HELLO_FRAME_NONE);
	assert_int_equal(hello_frame_pending(&f), 2);
	hello_frame_free(&f);
}

static void test_line_limit_exact(void **state)
{
	struct got g;
	(void)state;
	/* 8 bytes is the limit: fits, with or without "\r". */
	frame_run(HELLO_FRAMING_LINE, 8, "12345678\n12345678\r\n", 19, 3, &g);
	assert_false(g.overflow);
	assert_int_equal(g.n, 2);
	assert_msg(&g, 1, "12345678");
	/* 9 bytes is over, whether or not the "\n" has arrived. */
	frame_run(HELLO_FRAMING_LINE, 8, "123456789\n", 10, 100, &g);
	assert_true(g.overflow);
	assert_int_equal(g.n, 0);
	frame_run(HELLO_FRAMING_LINE, 8, "1234567890", 10, 1, &g);
	assert_true(g.overflow);
	frame_run(HELLO_FRAMING_LINE, 8, "ok\n123456789\r\n", 15, 4, &g);
	assert_true(g.overflow);
	assert_int_equal(g.n, 1);
	assert_msg(&g, 0, "ok");
}

static void test_line_overflow_sticks(void **state)
{
	struct hello_frame f;
	const uint8_t *m;
	size_t ml;
	char err[64];
	static uint8_t big[1 << 20];
	(void)state;
	memset(big, 'x', sizeof(big));
	assert_int_equal(hello_frame_init(&f, HELLO_FRAMING_LINE, 1024, err, sizeof(err)), 0);
	/* 1 MiB without a newline: the framer takes what fits, never more. */
	assert_int_equal(hello_frame_feed(&f, big, sizeof(big)), 1026);
	assert_int_equal(hello_frame_next(&f, &m, &ml), HELLO_FRAME_OVERFLOW);
	assert_int_equal(hello_frame_feed(&f, (const uint8_t *)"\n", 1), 0);
	assert_int_equal(hello_frame_next(&f, &m, &ml), HELLO_FRAME_OVERFLOW);
	hello_frame_free(&f);
}

static void test_raw_chunks_are_messages(void **state)
{
	struct hello_frame f;
	const uint8_t *m;
	size_t ml;
	char err[64];
	(void)state;
	assert_int_equal(hello_frame_init(&f, HELLO_FRAMING_RAW, 1024, err, sizeof(err)), 0);
	assert_int_equal(hello_frame_next(&f, &m, &ml), HELLO_FRAME_NONE);
	/* An empty chunk is no message (a 0-byte recv is end of stream, not a message). */
	assert_int_equal(hello_frame_feed(&f, (const uint8_t *)"", 0), 0);
	assert_int_equal(hello_frame_next(&f, &m, &ml), HELLO_FRAME_NONE);
	/* Coalesced sends stay one message: that is raw framing's lesson. */
	assert_int_equal(hello_frame_feed(&f, (const uint8_t *)"MichaelTracy\n", 13), 13);
	assert_int_equal(hello_frame_pending(&f), 13);
	/* While a message waits, more bytes are refused. */
	assert_int_equal(hello_frame_feed(&f, (const uint8_t *)"x", 1), 0);
	assert_int_equal(hello_frame_next(&f, &m, &ml), HELLO_FRAME_MSG);
	assert_int_equal(ml, 13);
	assert_memory_equal(m, "MichaelTracy\n", 13);
	assert_int_equal(hello_frame_next(&f, &m, &ml), HELLO_FRAME_NONE);
	assert_int_equal(hello_frame_feed(&f, (const uint8_t *)"\0\xff", 2), 2);
	assert_int_equal(hello_frame_next(&f, &m, &ml), HELLO_FRAME_MSG);
	assert_int_equal(ml, 2);
	assert_int_equal(m[1], 0xff);
	hello_frame_free(&f);
}

static void test_raw_splits_at_max(void **state)
{
	struct got g;
	(void)state;
	frame_run(HELLO_FRAMING_RAW, 4, "abcdefghij", 10, 10, &g);
	assert_int_equal(g.n, 3);
	assert_msg(&g, 0, "abcd");
	assert_msg(&g, 1, "efgh");
	assert_msg(&g, 2, "ij");
}

static void test_space_commit(void **state)
{
	struct hello_frame f;
	const uint8_t *m;
	uint8_t *p;
	size_t ml, room;
	char err[64];
	(void)state;
	assert_int_equal(hello_frame_init(&f, HELLO_FRAMING_LINE, 4, err, sizeof(err)), 0);
	room = hello_frame_space(&f, &p);
	assert_int_equal(room, 6);
	memcpy(p, "ab\ncd", 5);
	hello_frame_commit(&f, 5);
	assert_int_equal(hello_frame_next(&f, &m, &ml), HELLO_FRAME_MSG);
	assert_memory_equal(m, "ab", 2);
	assert_int_equal(hello_frame_next(&f, &m, &ml), HELLO_FRAME_NONE);
	/* Compaction gives the consumed bytes back. */
	assert_int_equal(hello_frame_space(&f, &p), 4);
	memcpy(p, "\n", 1);
	hello_frame_commit(&f, 1);
	assert_int_equal(hello_frame_next(&f, &m, &ml), HELLO_FRAME_MSG);
	assert_memory_equal(m, "cd", 2);
	hello_frame_free(&f);

	assert_int_equal(hello_frame_init(&f, HELLO_FRAMING_RAW, 4, err, sizeof(err)), 0);
	assert_int_equal(hello_frame_space(&f, &p), 4);
	hello_frame_commit(&f, 0); /* end of stream: not a message */
	assert_int_equal(hello_frame_next(&f, &m, &ml), HELLO_FRAME_NONE);
	memcpy(p, "exit", 4);
	hello_frame_commit(&f, 4);
	assert_int_equal(hello_frame_space(&f, &p), 0);
	assert_int_equal(hello_frame_next(&f, &m, &ml), HELLO_FRAME_MSG);
	assert_int_equal(ml, 4);
	assert_int_equal(hello_frame_space(&f, &p), 4);
	hello_frame_free(&f);
}

static void test_init_rejects_zero(void **state)
{
	struct hello_frame f;
	char err[128];
	(void)state;
	assert_int_equal(hello_frame_init(&f, HELLO_FRAMING_LINE, 0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "out of range"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_line_basic),
		cmocka_unit_test(test_line_every_chunking),
		cmocka_unit_test(test_line_partial_pending),
		cmocka_unit_test(test_line_limit_exact),
		cmocka_unit_test(test_line_overflow_sticks),
		cmocka_unit_test(test_raw_chunks_are_messages),
		cmocka_unit_test(test_raw_splits_at_max),
		cmocka_unit_test(test_space_commit),
		cmocka_unit_test(test_init_rejects_zero),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
