/* tests/unit/test_trace_feed.c: the feed between a live capture and the model: order kept across chunks, threads and holds; failures reported. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/lib/trace_build.h"
#include "trace/feed.h"
#include "trace/model.h"
#include "trace/model_types.h"

/* What the records saw: their numbers in the order the model's side applied them. */
struct seen {
	uint32_t *order;
	size_t n, cap;
	uint32_t fail_at;	/* a record of this number fails (0: none) */
};

static int note_order(void *arg, struct trace_model *m, const void *data, size_t len, char *err, size_t errlen)
{
	struct seen *s = arg;
	uint32_t v;

	(void)m;
	assert_true(len >= sizeof v);
	memcpy(&v, data, sizeof v);
	/* the payload after the number is its own copy: every byte says the number's low byte */
	for (size_t i = sizeof v; i < len; i++)
		assert_int_equal(((const uint8_t *)data)[i], (uint8_t)v);
	if (s->fail_at && v == s->fail_at) {
		snprintf(err, errlen, "record %u: refused", (unsigned)v);
		return -1;
	}
	assert_true(s->n < s->cap);
	s->order[s->n++] = v;
	return 0;
}

static void put(struct trace_feed *f, struct seen *s, uint32_t v, size_t len)
{
	uint8_t *b = malloc(len);
	char err[64];

	assert_non_null(b);
	memset(b, (uint8_t)v, len);
	memcpy(b, &v, sizeof v);
	assert_int_equal(trace_feed_call(f, note_order, s, b, len, err, sizeof err), 0);
	free(b);
}

/* Before start and after stop a record is applied at once, on the caller's thread. */
static void test_feed_direct(void **state)
{
	uint32_t order[4];
	struct seen s = { order, 0, 4, 0 };
	struct trace_feed f;
	char err[64];

	(void)state;
	trace_feed_init(&f, NULL);
	put(&f, &s, 1, 4);
	assert_int_equal(s.n, 1);
	trace_feed_hold(&f);	/* nothing to wait for without the thread */
	put(&f, &s, 2, 4);
	assert_int_equal(s.n, 2);
	assert_int_equal(trace_feed_unhold(&f), 0);
	assert_int_equal(trace_feed_start(&f, err, sizeof err), 0);
	assert_int_equal(trace_feed_stop(&f, err, sizeof err), 0);
	put(&f, &s, 3, 4);
	assert_int_equal(s.n, 3);
	assert_int_equal(order[2], 3);
	trace_feed_free(&f);
}

/* Many records of every size (past a chunk, and one larger than a chunk), published in
 * batches, with a hold released now and then: the thread applies them in the order fed. */
static void test_feed_order(void **state)
{
	enum { N = 200000 };
	struct seen s = { calloc(N, sizeof(uint32_t)), 0, N, 0 };
	struct trace_feed f;
	char err[64];

	(void)state;
	assert_non_null(s.order);
	trace_feed_init(&f, NULL);
	assert_int_equal(trace_feed_start(&f, err, sizeof err), 0);
	for (uint32_t v = 1; v <= N; v++) {
		if (v % 1000 == 1)
			trace_feed_hold(&f);
		put(&f, &s, v, v == 5000 ? (size_t)3 << 20 : 4 + v % 300);
		if (v % 1000 == 4) {
			trace_feed_hold_done(&f);
			assert_int_equal(trace_feed_unhold(&f), 0);
		}
		if (v % 97 == 0)
			trace_feed_publish(&f);
	}
	assert_int_equal(trace_feed_stop(&f, err, sizeof err), 0);
	assert_int_equal(s.n, N);
	for (size_t i = 0; i < s.n; i++)
		assert_int_equal(s.order[i], i + 1);
	free(s.order);
	trace_feed_free(&f);
}

/* Held records come after those fed while they were held. */
static void test_feed_hold(void **state)
{
	uint32_t order[16];
	struct seen s = { order, 0, 16, 0 };
	struct trace_feed f;
	char err[64];

	(void)state;
	trace_feed_init(&f, NULL);
	assert_int_equal(trace_feed_start(&f, err, sizeof err), 0);
	put(&f, &s, 1, 8);
	trace_feed_hold(&f);
	put(&f, &s, 10, 8);
	put(&f, &s, 11, 100);
	trace_feed_hold_done(&f);	/* what the capture feeds meanwhile (packets) goes first */
	put(&f, &s, 2, 8);
	put(&f, &s, 3, 8);
	assert_int_equal(trace_feed_unhold(&f), 0);
	put(&f, &s, 4, 8);
	assert_int_equal(trace_feed_stop(&f, err, sizeof err), 0);
	uint32_t want[] = { 1, 2, 3, 10, 11, 4 };
	assert_int_equal(s.n, 6);
	assert_memory_equal(order, want, sizeof want);
	trace_feed_free(&f);
}

/* A record that fails stops the rest, and the stop says why. */
static void test_feed_failure(void **state)
{
	uint32_t order[64];
	struct seen s = { order, 0, 64, 5 };
	struct trace_feed f;
	char err[64] = "";

	(void)state;
	trace_feed_init(&f, NULL);
	assert_int_equal(trace_feed_start(&f, err, sizeof err), 0);
	for (uint32_t v = 1; v <= 10; v++)
		put(&f, &s, v, 4);
	assert_int_equal(trace_feed_stop(&f, err, sizeof err), -1);
	assert_string_equal(err, "record 5: refused");
	assert_int_equal(s.n, 4);
	assert_int_equal(trace_feed_failed(&f, err, sizeof err), 1);
	trace_feed_free(&f);
}

/* Packets through the thread reach the model as they would directly. */
static void test_feed_packets(void **state)
{
	static const struct tb_ep cl = { 0, "10.0.0.1", 40000 }, sv = { 0, "10.0.0.2", 9999 };
	struct trace_model_opts mo = { 0, 0, NULL, NULL };
	struct trace_model *m;
	struct trace_feed f;
	uint8_t b[256];
	char err[128];

	(void)state;
	assert_non_null(m = trace_model_new(&mo, err, sizeof err));
	trace_model_set_capture(m, 1, "lo", NULL, 65535, DLT_EN10MB, "EN10MB");
	trace_feed_init(&f, m);
	assert_int_equal(trace_feed_start(&f, err, sizeof err), 0);
	for (int i = 0; i < 1000; i++) {
		struct trace_tstamp ts = { 1700000000, i };
		size_t n = tb_tcp(b, sizeof b, i % 2 ? &sv : &cl, i % 2 ? &cl : &sv, 1000 + (uint32_t)i,
				  2000 + (uint32_t)i, i ? 0x10 : 0x02, 65535, TB_OPT_NONE, NULL, 0);
		assert_int_equal(trace_feed_packet(&f, &ts, b, (uint32_t)n, (uint32_t)n), 0);
	}
	assert_int_equal(trace_feed_stop(&f, err, sizeof err), 0);
	assert_int_equal(f.packets, 1000);
	assert_int_equal(m->cap.packets_seen, 1000);
	trace_feed_free(&f);
	trace_model_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_feed_direct),
		cmocka_unit_test(test_feed_order),
		cmocka_unit_test(test_feed_hold),
		cmocka_unit_test(test_feed_failure),
		cmocka_unit_test(test_feed_packets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
