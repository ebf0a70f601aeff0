/* tests/unit/test_trace_tstamp.c: packet times: pcap's unsigned 32-bit fields, pcapng's 64-bit seconds, ISO 8601 for any year, times going back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <pcap/pcap.h>
#include <string.h>

#include "tests/lib/trace_build.h"
#include "trace/json.h"
#include "trace/model.h"
#include "trace/model_flow.h"
#include "trace/model_packet.h"
#include "trace/tstamp.h"

static const char *iso(int64_t sec, int32_t usec)
{
	static char buf[TRACE_TSTAMP_ISO_MAX];
	struct trace_tstamp t = { sec, usec };

	trace_tstamp_iso(&t, buf, sizeof(buf));
	return buf;
}

/* Checked against an independent conversion (400-year cycles of 146097 days). */
static void test_iso(void **state)
{
	(void)state;
	assert_string_equal(iso(0, 0), "1970-01-01T00:00:00.000000Z");
	assert_string_equal(iso(-1, 999999), "1969-12-31T23:59:59.999999Z");
	assert_string_equal(iso(2147483648LL, 0), "2038-01-19T03:14:08.000000Z");
	assert_string_equal(iso(4294967295LL, 1), "2106-02-07T06:28:15.000001Z");
	assert_string_equal(iso(253402300799LL, 0), "9999-12-31T23:59:59.000000Z");
	assert_string_equal(iso(253402300800LL, 0), "+010000-01-01T00:00:00.000000Z");
	assert_string_equal(iso(-62167219200LL, 0), "0000-01-01T00:00:00.000000Z");
	assert_string_equal(iso(-62167219201LL, 0), "-000001-12-31T23:59:59.000000Z");
	assert_string_equal(iso(8640000000000LL, 0), "+275760-09-13T00:00:00.000000Z");
	assert_string_equal(iso(INT64_MAX, 999999), "+292277026596-12-04T15:30:07.999999Z");
	assert_string_equal(iso(INT64_MIN, 0), "-292277022657-01-27T08:29:52.000000Z");
}

/* libpcap 1.10 sign-extends a pcap record's 32-bit fields; pcapng gives 64-bit seconds. */
static void test_from_timeval(void **state)
{
	(void)state;
	struct trace_tstamp t = trace_tstamp_from_timeval(INT32_MIN, 0, 1, 0);
	assert_true(t.sec == 2147483648LL && t.usec == 0);
	t = trace_tstamp_from_timeval(-1, 0, 1, 0);
	assert_true(t.sec == 4294967295LL && t.usec == 0);
	/* An invalid sub-second field (2^31 us) carries into the seconds. */
	t = trace_tstamp_from_timeval(1418145370, INT32_MIN, 1, 0);
	assert_true(t.sec == 1418145370LL + 2147 && t.usec == 483648);
	t = trace_tstamp_from_timeval(1418145370, 1000000, 1, 0);
	assert_true(t.sec == 1418145371LL && t.usec == 0);
	/* Nanoseconds: 2^31 ns (invalid) is 2.147483 s; a whole 999999999 ns is 999999 us. */
	t = trace_tstamp_from_timeval(1418145370, INT32_MIN, 1, 1);
	assert_true(t.sec == 1418145372LL && t.usec == 147483);
	t = trace_tstamp_from_timeval(1418145370, 999999999, 1, 1);
	assert_true(t.sec == 1418145370LL && t.usec == 999999);
	/* pcapng (an if_tsoffset can put it before 1970): signed, kept as is. */
	t = trace_tstamp_from_timeval(-5, 250000, 0, 0);
	assert_true(t.sec == -5 && t.usec == 250000);
	t = trace_tstamp_from_timeval(INT64_MAX, 2000000, 0, 0);
	assert_true(t.sec == INT64_MAX && t.usec == 0);
}

static void test_arith(void **state)
{
	(void)state;
	struct trace_tstamp t = { -1, 0 }, u;
	int64_t us;

	assert_int_equal(trace_tstamp_epoch_us(&t, &us), 0);
	assert_true(us == -1000000);
	t.sec = INT64_MAX / 1000000 + 1;
	assert_int_equal(trace_tstamp_epoch_us(&t, &us), -1);
	assert_int_equal(trace_tstamp_since(&t, t.sec - 10, &us), 0);
	assert_true(us == 10000000);
	assert_int_equal(trace_tstamp_since(&t, INT64_MIN, &us), -1);
	assert_int_equal(trace_tstamp_at(-1, -1, &u), 0);
	assert_true(u.sec == -2 && u.usec == 999999);
	assert_int_equal(trace_tstamp_at(INT64_MAX, 1000000, &u), -1);
}

static void add_syn(struct trace_model *m, int64_t sec, int32_t usec, uint16_t cport)
{
	struct tb_ep c = { 0, "10.0.0.1", cport }, s = { 0, "10.0.0.2", 9999 };
	uint8_t f[128];
	size_t n = tb_tcp(f, sizeof(f), &c, &s, 1000, 0, 0x02, 65535, 0, NULL, 0);
	struct trace_tstamp t = { sec, usec };

	assert_int_equal(trace_model_add_packet_at(m, &t, f, (uint32_t)n, (uint32_t)n), 0);
}

static json_int_t jint(json_t *o, const char *path)
{
	char buf[128], *save, *k;
	json_t *v = o;

	snprintf(buf, sizeof(buf), "%s", path);
	for (k = strtok_r(buf, ".", &save); k; k = strtok_r(NULL, ".", &save))
		v = json_is_array(v) ? json_array_get(v, (size_t)strtol(k, NULL, 10)) : json_object_get(v, k);
	assert_true(json_is_integer(v));
	return json_integer_value(v);
}

/* A packet stamped before the first one: t_us 0 is the earliest, the duration spans both,
 * the flow's first_us is its earliest packet. Far beyond int64 microseconds: still exact. */
static void test_out_of_order_far_future(void **state)
{
	(void)state;
	struct trace_model *m = tb_model(0, 0, NULL);
	int64_t sec = INT64_C(9300000000000);	/* year ~296,700: us would overflow int64 */

	assert_non_null(m);
	add_syn(m, sec, 500000, 40000);
	add_syn(m, sec - 2, 0, 40000);		/* two seconds back in time */
	add_syn(m, sec + 1, 0, 40001);
	json_t *d = tb_document(m);
	assert_non_null(d);
	json_t *cap = json_object_get(d, "capture");
	assert_string_equal(json_string_value(json_object_get(cap, "start_time")),
			    "+296675-04-08T21:19:58.000000Z");
	assert_null(json_object_get(cap, "start_us"));
	assert_true(jint(cap, "duration_us") == 3000000);
	assert_true(jint(d, "events.0.t_us") == 0);
	assert_true(jint(d, "flows.0.first_us") == 0);
	assert_true(jint(d, "flows.0.last_us") == 2500000);
	json_decref(d);
}

/* Before 1970 (a pcapng's negative if_tsoffset), and a packet 200,000 years away: it keeps
 * the time of the packet before it and is marked invalid "timestamp". */
static void test_before_epoch_and_unplaceable(void **state)
{
	(void)state;
	struct trace_model *m = tb_model(0, 0, NULL);

	assert_non_null(m);
	add_syn(m, -10, 250000, 40000);
	add_syn(m, INT64_C(200000) * 31556952, 0, 40001);
	json_t *d = tb_document(m);
	assert_non_null(d);
	json_t *cap = json_object_get(d, "capture");
	assert_string_equal(json_string_value(json_object_get(cap, "start_time")),
			    "1969-12-31T23:59:50.250000Z");
	assert_true(jint(cap, "start_us") == -9750000);
	assert_true(jint(cap, "duration_us") == 0);
	assert_true(jint(cap, "packets_invalid") == 1);
	json_t *ev = json_array_get(json_object_get(d, "events"), 2);
	assert_string_equal(json_string_value(json_object_get(ev, "invalid")), "timestamp");
	assert_true(jint(ev, "t_us") == 0);
	json_decref(d);
}

/* --jsonl: t_us counts from the first line; an earlier packet is negative, the summary's
 * duration still spans earliest to latest. */
static int nlines;
static int64_t line_t[8];
static void on_event(void *arg, const struct trace_model *m, const struct trace_event *e)
{
	(void)arg;
	json_t *o = trace_json_event(m, e);
	if (e->type == TRACE_EV_PACKET && nlines < 8)
		line_t[nlines++] = json_integer_value(json_object_get(o, "t_us"));
	json_decref(o);
}
static int on_flow(void *arg, const struct trace_model *m, struct trace_flow *f)
{
	(void)arg, (void)m, (void)f;
	return 0;
}

static void test_stream_back_in_time(void **state)
{
	(void)state;
	struct trace_sink sink = { NULL, on_event, on_flow, 0, NULL };
	struct trace_model *m = tb_model(0, 0, &sink);

	assert_non_null(m);
	add_syn(m, 1700000000, 0, 40000);
	add_syn(m, 1699999999, 0, 40001);
	assert_int_equal(trace_model_finish(m), 0);
	json_t *cap = trace_json_capture(m);
	assert_int_equal(nlines, 2);
	assert_true(line_t[0] == 0 && line_t[1] == -1000000);
	assert_true(jint(cap, "start_us") == INT64_C(1700000000000000));
	assert_true(jint(cap, "duration_us") == 1000000);
	json_decref(cap);
	trace_model_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_iso),
		cmocka_unit_test(test_from_timeval),
		cmocka_unit_test(test_arith),
		cmocka_unit_test(test_out_of_order_far_future),
		cmocka_unit_test(test_before_epoch_and_unplaceable),
		cmocka_unit_test(test_stream_back_in_time),
	};
	return cmocka_run_group_tests_name("trace_tstamp", tests, NULL, NULL);
}
