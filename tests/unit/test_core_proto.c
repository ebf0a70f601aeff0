/* tests/unit/test_core_proto.c: greeting, replies, exit detection, framing names, raw reply tracking. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/proto.h"

static void test_greeting(void **state)
{
	size_t n;
	const char *g;
	(void)state;
	g = hello_proto_greeting(HELLO_FRAMING_RAW, &n);
	assert_int_equal(n, 6);
	assert_memory_equal(g, "hello!", 6);
	g = hello_proto_greeting(HELLO_FRAMING_LINE, &n);
	assert_int_equal(n, 7);
	assert_memory_equal(g, "hello!\n", 7);
}

static void test_reply(void **state)
{
	uint8_t out[64];
	size_t n;
	(void)state;
	n = hello_proto_reply(HELLO_FRAMING_RAW, (const uint8_t *)"Michael", 7, out, sizeof(out));
	assert_int_equal(n, 15);
	assert_memory_equal(out, "Hello, Michael!", 15);
	n = hello_proto_reply(HELLO_FRAMING_LINE, (const uint8_t *)"Tracy", 5, out, sizeof(out));
	assert_int_equal(n, 14);
	assert_memory_equal(out, "Hello, Tracy!\n", 14);
	assert_int_equal(hello_proto_reply_len(HELLO_FRAMING_LINE, 5), 14);
	/* Empty and binary messages are messages too. */
	n = hello_proto_reply(HELLO_FRAMING_RAW, (const uint8_t *)"", 0, out, sizeof(out));
	assert_int_equal(n, 8);
	assert_memory_equal(out, "Hello, !", 8);
	n = hello_proto_reply(HELLO_FRAMING_RAW, (const uint8_t *)"\0\xff", 2, out, sizeof(out));
	assert_int_equal(n, 10);
	assert_memory_equal(out, "Hello, \0\xff!", 10);
	/* Too small a buffer: nothing written. */
	assert_int_equal(hello_proto_reply(HELLO_FRAMING_RAW, (const uint8_t *)"Michael", 7, out, 14), 0);
	assert_int_equal(hello_proto_reply(HELLO_FRAMING_LINE, (const uint8_t *)"Michael", 7, out, 15), 0);
}

static void test_udp_limit(void **state)
{
	(void)state;
	assert_int_equal(HELLO_UDP_MAX_MSG, 65499);
	assert_int_equal(hello_proto_reply_len(HELLO_FRAMING_RAW, HELLO_UDP_MAX_MSG), 65507);
}

static void test_exit(void **state)
{
	(void)state;
	assert_true(hello_proto_is_exit((const uint8_t *)"exit", 4));
	assert_false(hello_proto_is_exit((const uint8_t *)"exit\n", 5));
	assert_false(hello_proto_is_exit((const uint8_t *)"Exit", 4));
	assert_false(hello_proto_is_exit((const uint8_t *)"exi", 3));
	assert_false(hello_proto_is_exit((const uint8_t *)"", 0));
	assert_false(hello_proto_is_exit((const uint8_t *)"exitexit", 8));
}

static void test_framing_names(void **state)
{
	enum hello_framing f;
	char err[128];
	(void)state;
	assert_int_equal(hello_proto_framing_parse("line", &f, err, sizeof(err)), 0);
	assert_int_equal(f, HELLO_FRAMING_LINE);
	assert_string_equal(hello_proto_framing_name(f), "line");
	assert_int_equal(hello_proto_framing_parse("raw", &f, err, sizeof(err)), 0);
	assert_int_equal(f, HELLO_FRAMING_RAW);
	assert_int_equal(hello_proto_framing_parse("lines", &f, err, sizeof(err)), -1);
	assert_string_equal(err, "--framing: 'lines' is not raw or line");
}

static void test_error_line(void **state)
{
	char out[64];
	size_t n;
	(void)state;
	n = hello_proto_error_toolong(1024, out, sizeof(out));
	assert_int_equal(n, strlen("error: line too long (limit 1024 bytes)\n"));
	assert_string_equal(out, "error: line too long (limit 1024 bytes)\n");
	assert_int_equal(hello_proto_error_toolong(1024, out, 10), 0);
}

static void test_track_separate(void **state)
{
	struct hello_track t;
	const char *sent = "MichaelTracy";
	const char *rx = "Hello, Michael!Hello, Tracy!extra";
	size_t used, i;
	enum hello_track_result r = HELLO_TRACK_MORE;
	(void)state;
	hello_track_init(&t, (const uint8_t *)sent, strlen(sent));
	/* One byte at a time: the result must not depend on the chunking. */
	for (i = 0; i < strlen(rx) && r == HELLO_TRACK_MORE; i++)
		r = hello_track_feed(&t, (const uint8_t *)rx + i, 1, &used);
	assert_int_equal(r, HELLO_TRACK_DONE);
	assert_int_equal(t.replies, 2);
	assert_int_equal(t.consumed, strlen("Hello, Michael!Hello, Tracy!"));
}

static void test_track_coalesced(void **state)
{
	struct hello_track t;
	const char *sent = "MichaelTracySarah";
	const char *rx = "Hello, MichaelTracy!Hello, Sarah!";
	size_t used;
	(void)state;
	hello_track_init(&t, (const uint8_t *)sent, strlen(sent));
	assert_int_equal(hello_track_feed(&t, (const uint8_t *)rx, strlen(rx), &used), HELLO_TRACK_DONE);
	assert_int_equal(used, strlen(rx));
	assert_int_equal(t.replies, 2);
}

static void test_track_mismatch_and_bang(void **state)
{
	struct hello_track t;
	size_t used;
	(void)state;
	hello_track_init(&t, (const uint8_t *)"Bob", 3);
	assert_int_equal(hello_track_feed(&t, (const uint8_t *)"Hello, Bib!", 11, &used), HELLO_TRACK_MISMATCH);
	assert_int_equal(used, 8);
	hello_track_init(&t, (const uint8_t *)"Bob", 3);
	assert_int_equal(hello_track_feed(&t, (const uint8_t *)"error: x\n", 9, &used), HELLO_TRACK_MISMATCH);
	assert_int_equal(used, 0);
	/* A "!" inside the message is read as part of it. */
	hello_track_init(&t, (const uint8_t *)"Hi!", 3);
	assert_int_equal(hello_track_feed(&t, (const uint8_t *)"Hello, Hi!!", 11, &used), HELLO_TRACK_DONE);
	assert_int_equal(t.replies, 1);
	/* Partial: more to come. */
	hello_track_init(&t, (const uint8_t *)"Bob", 3);
	assert_int_equal(hello_track_feed(&t, (const uint8_t *)"Hello, Bo", 9, &used), HELLO_TRACK_MORE);
	assert_int_equal(used, 9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_greeting),
		cmocka_unit_test(test_reply),
		cmocka_unit_test(test_udp_limit),
		cmocka_unit_test(test_exit),
		cmocka_unit_test(test_framing_names),
		cmocka_unit_test(test_error_line),
		cmocka_unit_test(test_track_separate),
		cmocka_unit_test(test_track_coalesced),
		cmocka_unit_test(test_track_mismatch_and_bang),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
