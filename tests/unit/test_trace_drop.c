/* tests/unit/test_trace_drop.c: the drop log: nflog records decoded within their bytes, dropped packets tied to their captured copy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <pcap/pcap.h>
#include <string.h>

#include "kernel/droplog.h"
#include "tests/lib/trace_build.h"
#include "trace/decode.h"
#include "trace/json.h"
#include "trace/model.h"
#include "trace/model_drop.h"
#include "trace/model_flow.h"
#include "trace/model_packet.h"

static const struct tb_ep cl = { 0, "10.0.0.1", 40000 }, sv = { 0, "10.0.0.2", 9999 };

/* ---- nflog records ---- */

static size_t tlv(uint8_t *p, uint16_t type, const void *v, uint16_t n)
{
	uint16_t len = (uint16_t)(4 + n);

	memcpy(p, &len, 2);	/* host byte order, as libpcap hands them over */
	memcpy(p + 2, &type, 2);
	memcpy(p + 4, v, n);
	memset(p + 4 + n, 0, (size_t)((4 - len % 4) % 4));
	return (size_t)((len + 3) & ~3);
}

static size_t record(uint8_t *p, const char *prefix, int with_ts, const uint8_t *ip, uint16_t iplen)
{
	static const uint8_t hdr[4] = { 2, 0, 0, 7 }, phdr[4] = { 0x08, 0x00, 1, 0 };
	uint8_t ts[16] = { 0 };
	size_t n = 4;

	memcpy(p, hdr, 4);
	n += tlv(p + n, 1, phdr, 4);
	if (prefix)
		n += tlv(p + n, 10, prefix, (uint16_t)(strlen(prefix) + 1));
	if (with_ts) {
		ts[4] = 0x65, ts[5] = 0x53, ts[6] = 0xf1, ts[7] = 0x00;	/* 1700000000 s */
		ts[13] = 0x01, ts[14] = 0xe2, ts[15] = 0x40;			/* 123456 us */
		n += tlv(p + n, 3, ts, 16);
	}
	if (ip)
		n += tlv(p + n, 9, ip, iplen);
	return n;
}

static void test_decode(void **state)
{
	uint8_t ip[20] = { 0x45 }, buf[256];
	struct kernel_drop d;
	char err[160];
	size_t n = record(buf, "lose-reply", 1, ip, sizeof ip);

	(void)state;
	assert_int_equal(kernel_droplog_decode(buf, n, &d, err, sizeof err), 0);
	assert_string_equal(d.rule, "lose-reply");
	assert_int_equal(d.family, 2);
	assert_true(d.has_ts);
	assert_true(d.ts_us == 1700000000123456LL);
	assert_ptr_equal(d.ip, buf + n - 20);
	assert_int_equal(d.ip_len, 20);
	/* no prefix, no stamp, no packet: each simply absent */
	n = record(buf, NULL, 0, NULL, 0);
	assert_int_equal(kernel_droplog_decode(buf, n, &d, err, sizeof err), 0);
	assert_string_equal(d.rule, "");
	assert_false(d.has_ts);
	assert_null(d.ip);
}

static void test_decode_malformed(void **state)
{
	uint8_t ip[20] = { 0x45 }, buf[256], ts[8] = { 0 };
	struct kernel_drop d;
	char err[160];
	size_t n = record(buf, "lose-reply", 1, ip, sizeof ip);
	uint16_t big = 400, tiny = 2;

	(void)state;
	assert_int_equal(kernel_droplog_decode(buf, 3, &d, err, sizeof err), -1);
	assert_non_null(strstr(err, "shorter than its 4-byte header"));
	/* every cut inside the record: an error or fewer attributes, never a read past it */
	for (size_t cut = 4; cut < n; cut++) {
		int r = kernel_droplog_decode(buf, cut, &d, err, sizeof err);
		assert_true(r == -1 || (r == 0 && (!d.ip || d.ip + d.ip_len <= buf + cut)));
	}
	memcpy(buf + 4, &big, 2);
	assert_int_equal(kernel_droplog_decode(buf, n, &d, err, sizeof err), -1);
	assert_non_null(strstr(err, "runs past"));
	memcpy(buf + 4, &tiny, 2);
	assert_int_equal(kernel_droplog_decode(buf, n, &d, err, sizeof err), -1);
	n = 4 + tlv(buf + 4, 3, ts, sizeof ts);
	assert_int_equal(kernel_droplog_decode(buf, n, &d, err, sizeof err), -1);
	assert_non_null(strstr(err, "timestamp of 8 bytes"));
	/* a prefix without its NUL stops at the attribute's end */
	n = 4 + tlv(buf + 4, 10, "abcd", 4);
	assert_int_equal(kernel_droplog_decode(buf, n, &d, err, sizeof err), 0);
	assert_string_equal(d.rule, "abcd");
}

/* ---- tying drops to packets ---- */

struct dg {
	char who;		/* 'C' client, 'S' server */
	const char *text;
	int64_t at;		/* microseconds after TB_T0 */
};

struct drop {
	int step;		/* the step whose bytes were dropped */
	int has_ts;
	int64_t at;		/* the drop log's stamp, after TB_T0 */
};

static json_t *run(const struct dg *steps, const struct drop *drops, size_t ndrops)
{
	char err[128];
	struct trace_model_opts o = { 0, 0, NULL, NULL };
	struct trace_model *m = trace_model_new(&o, err, sizeof(err));
	uint8_t f[16][256];
	size_t fn[16];

	assert_non_null(m);
	trace_model_set_capture(m, 1, "lo", NULL, 65535, DLT_EN10MB, "EN10MB");
	assert_int_equal(trace_model_drop_enable(m, 7, err, sizeof err), 0);
	for (int i = 0; steps[i].who; i++) {
		const struct tb_ep *a = steps[i].who == 'C' ? &cl : &sv, *b = a == &cl ? &sv : &cl;
		fn[i] = tb_udp(f[i], sizeof f[i], a, b, steps[i].text, strlen(steps[i].text));
		assert_int_equal(trace_model_add_packet(m, TB_T0 + steps[i].at, f[i], (uint32_t)fn[i],
							(uint32_t)fn[i]), 0);
	}
	for (size_t k = 0; k < ndrops; k++) {
		int s = drops[k].step;
		assert_int_equal(trace_model_add_drop(m, drops[k].has_ts, TB_T0 + drops[k].at, "lose-reply",
						      f[s] + 14, fn[s] - 14), 0);
	}
	assert_int_equal(trace_model_finish(m), 0);
	json_t *d = trace_json_document(m);
	trace_model_free(m);
	assert_non_null(d);
	return d;
}

static json_t *event(json_t *d, size_t i)
{
	return json_array_get(json_object_get(d, "events"), i);
}

static json_t *flow0(json_t *d)
{
	return json_array_get(json_object_get(d, "flows"), 0);
}

static void test_reply_dropped(void **state)
{
	static const struct dg s[] = { { 'C', "Tracy", 0 }, { 'S', "Hello, Tracy!", 100 }, { 0, NULL, 0 } };
	static const struct drop dr[] = { { 1, 1, 130 } };
	json_t *d = run(s, dr, 1), *pair;

	(void)state;
	assert_null(json_object_get(event(d, 0), "delivered"));
	assert_true(json_is_false(json_object_get(event(d, 1), "delivered")));
	assert_string_equal(json_string_value(json_object_get(event(d, 1), "dropped_by")), "lose-reply");
	pair = json_array_get(json_object_get(flow0(d), "pairs"), 0);
	assert_true(json_is_false(json_object_get(pair, "reply_delivered")));
	/* the client got no answer: unanswered, although the server sent one */
	assert_int_equal(json_array_size(json_object_get(flow0(d), "unanswered")), 1);
	assert_int_equal(json_integer_value(json_array_get(json_object_get(flow0(d), "unanswered"), 0)), 0);
	json_t *dl = json_object_get(json_object_get(d, "capture"), "drop_log");
	assert_int_equal(json_integer_value(json_object_get(dl, "nflog_group")), 7);
	assert_int_equal(json_integer_value(json_object_get(dl, "logged")), 1);
	assert_int_equal(json_integer_value(json_object_get(dl, "matched")), 1);
	json_decref(d);
}

/* The same bytes twice (a retry's reply): the stamp tells which copy the rule dropped. */
static void test_same_bytes_twice(void **state)
{
	static const struct dg s[] = { { 'C', "Tracy", 0 }, { 'S', "Hello, Tracy!", 100 },
				       { 'C', "Tracy", 300000 }, { 'S', "Hello, Tracy!", 300100 }, { 0, NULL, 0 } };
	static const struct drop second[] = { { 3, 1, 300140 } }, first[] = { { 1, 1, 150 } };
	static const struct drop unstamped[] = { { 3, 0, 0 } };
	json_t *d;

	(void)state;
	d = run(s, second, 1);
	assert_null(json_object_get(event(d, 1), "delivered"));
	assert_true(json_is_false(json_object_get(event(d, 3), "delivered")));
	json_decref(d);
	d = run(s, first, 1);
	assert_true(json_is_false(json_object_get(event(d, 1), "delivered")));
	assert_null(json_object_get(event(d, 3), "delivered"));
	json_decref(d);
	/* without a stamp, the earliest copy not yet taken: the one a drop came first for */
	d = run(s, unstamped, 1);
	assert_true(json_is_false(json_object_get(event(d, 1), "delivered")));
	assert_null(json_object_get(event(d, 3), "delivered"));
	json_decref(d);
}

/* A drop whose packet the capture never saw is counted, and marks nothing. */
static void test_unmatched(void **state)
{
	static const struct dg s[] = { { 'C', "Tracy", 0 }, { 'S', "Hello, Tracy!", 100 }, { 0, NULL, 0 } };
	static const struct drop early[] = { { 1, 1, 50 - 2 * TRACE_DROP_SLACK_US } };
	json_t *d = run(s, early, 1), *dl;

	(void)state;
	assert_null(json_object_get(event(d, 1), "delivered"));
	dl = json_object_get(json_object_get(d, "capture"), "drop_log");
	assert_int_equal(json_integer_value(json_object_get(dl, "logged")), 1);
	assert_int_equal(json_integer_value(json_object_get(dl, "matched")), 0);
	assert_int_equal(json_array_size(json_object_get(flow0(d), "unanswered")), 0);
	json_decref(d);
}

/* A simultaneous close whose first client FIN a rule dropped: the server's inferred
 * CLOSING comes with the FIN that got through (the retransmission), not the dropped one,
 * whether the drop log spoke before the packet came or after. */
static void fin_dropped(int early)
{
	struct seg { char who; uint32_t seq, ack; uint8_t fl; int64_t at; } segs[] = {
		{ 'C', 1000, 0, TRACE_TH_SYN, 0 }, { 'S', 5000, 1001, TRACE_TH_SYN | TRACE_TH_ACK, 10 },
		{ 'C', 1001, 5001, TRACE_TH_ACK, 20 },
		{ 'C', 1001, 5001, TRACE_TH_FIN | TRACE_TH_ACK, 1000 },	/* dropped */
		{ 'S', 5001, 1001, TRACE_TH_FIN | TRACE_TH_ACK, 1500 },	/* crosses it */
		{ 'C', 1001, 5001, TRACE_TH_FIN | TRACE_TH_ACK, 8000 },	/* the retransmission */
		{ 'S', 5002, 1002, TRACE_TH_ACK, 8010 },
		{ 'C', 1002, 5002, TRACE_TH_ACK, 8020 },
	};
	char err[128];
	struct trace_model_opts o = { 0, 0, NULL, NULL };
	struct trace_model *m = trace_model_new(&o, err, sizeof(err));
	uint8_t f[8][256];
	size_t fn[8], i;
	json_t *d, *e;
	long fin_retx = -1, fin_dropped = -1;
	int closing = 0;

	assert_non_null(m);
	trace_model_set_capture(m, 1, "lo", NULL, 65535, DLT_EN10MB, "EN10MB");
	assert_int_equal(trace_model_drop_enable(m, 7, err, sizeof err), 0);
	for (i = 0; i < 8; i++) {
		/* early: the drop log has spoken before the packet comes (the live capture holds
		 * packets for it), so the state machine never lets the server receive it */
		if (early && i == 3) {
			uint8_t g[256];
			size_t gn = tb_tcp(g, sizeof g, &cl, &sv, segs[3].seq, segs[3].ack, segs[3].fl, 65535,
					   TB_OPT_NONE, NULL, 0);
			assert_int_equal(trace_model_add_drop(m, 1, TB_T0 + 1030, "lose-client-fin", g + 14,
							      gn - 14), 0);
		}
		const struct tb_ep *a = segs[i].who == 'C' ? &cl : &sv, *b = a == &cl ? &sv : &cl;
		fn[i] = tb_tcp(f[i], sizeof f[i], a, b, segs[i].seq, segs[i].ack, segs[i].fl, 65535,
			       TB_OPT_NONE, NULL, 0);
		assert_int_equal(trace_model_add_packet(m, TB_T0 + segs[i].at, f[i], (uint32_t)fn[i],
							(uint32_t)fn[i]), 0);
	}
	if (!early)
		assert_int_equal(trace_model_add_drop(m, 1, TB_T0 + 1030, "lose-client-fin", f[3] + 14,
						      fn[3] - 14), 0);
	assert_int_equal(trace_model_finish(m), 0);
	d = trace_json_document(m);
	trace_model_free(m);
	json_array_foreach(json_object_get(d, "events"), i, e) {
		const char *fl = json_string_value(json_object_get(e, "flags"));
		if (fl && strchr(fl, 'F') && json_is_false(json_object_get(e, "delivered")))
			fin_dropped = (long)i;
		else if (fl && strchr(fl, 'F') && fin_dropped >= 0 && !strcmp(json_string_value(json_object_get(e, "from")), "client"))
			fin_retx = (long)i;
	}
	assert_true(fin_dropped >= 0 && fin_retx > fin_dropped);
	json_array_foreach(json_object_get(d, "events"), i, e) {
		if (!json_is_string(json_object_get(e, "to")) || strcmp(json_string_value(json_object_get(e, "to")), "CLOSING") ||
		    strcmp(json_string_value(json_object_get(e, "side")), "server"))
			continue;
		closing = 1;
		assert_int_equal(json_integer_value(json_object_get(e, "cause")), fin_retx);
		assert_true(json_integer_value(json_object_get(e, "t_us")) >= 7980);
	}
	assert_true(closing);
	json_decref(d);
}

static void test_tcp_fin_dropped(void **state)
{
	(void)state;
	fin_dropped(0);	/* the drop log read after the packets: the change moves */
	fin_dropped(1);	/* before: the change is made right */
}

/* A drop logged before its packet is processed is taken by that packet, once, and only
 * within the slack of its stamp. */
static void test_take(void **state)
{
	char err[128];
	struct trace_model_opts o = { 0, 0, NULL, NULL };
	struct trace_model *m = trace_model_new(&o, err, sizeof(err));
	uint8_t f[256];
	size_t n = tb_udp(f, sizeof f, &sv, &cl, "Hello, Tracy!", 13);
	struct trace_pkt k;

	(void)state;
	assert_non_null(m);
	assert_int_equal(trace_model_drop_enable(m, 7, err, sizeof err), 0);
	assert_int_equal(trace_model_add_drop(m, 1, TB_T0 + 100, "lose-reply", f + 14, n - 14), 0);
	assert_int_equal(trace_decode(DLT_EN10MB, f, (uint32_t)n, (uint32_t)n, &k), 0);
	assert_null(trace_model_drop_take(m, &k, 5, TB_T0 + 100 + 3 * TRACE_DROP_SLACK_US));
	assert_string_equal(trace_model_drop_take(m, &k, 5, TB_T0 + 90), "lose-reply");
	assert_null(trace_model_drop_take(m, &k, 6, TB_T0 + 90));	/* taken once */
	trace_model_free(m);
}

/* With the drop log on, a live capture's packets wait until released, in capture order. */
static void test_hold_release(void **state)
{
	char err[128];
	struct trace_model_opts o = { 0, 0, NULL, NULL };
	struct trace_model *m = trace_model_new(&o, err, sizeof(err));
	uint8_t f[256];
	size_t n = tb_udp(f, sizeof f, &cl, &sv, "Tracy", 5);
	struct trace_tstamp t1 = trace_tstamp_from_timeval(1700000000, 100, 0, 0);
	struct trace_tstamp t2 = trace_tstamp_from_timeval(1700000001, 100, 0, 0);

	(void)state;
	assert_non_null(m);
	trace_model_set_capture(m, 1, "lo", NULL, 65535, DLT_EN10MB, "EN10MB");
	assert_int_equal(trace_model_drop_enable(m, 7, err, sizeof err), 0);
	assert_int_equal(trace_model_add_packet_at(m, &t1, f, (uint32_t)n, (uint32_t)n), 0);
	assert_int_equal(trace_model_add_packet_at(m, &t2, f, (uint32_t)n, (uint32_t)n), 0);
	assert_int_equal(m->cap.packets_seen, 0);
	assert_int_equal(trace_model_release(m, 1700000000500000LL), 0);
	assert_int_equal(m->cap.packets_seen, 1);
	assert_int_equal(trace_model_release(m, INT64_MAX), 0);
	assert_int_equal(m->cap.packets_seen, 2);
	trace_model_free(m);
}

static void sink_event(void *arg, const struct trace_model *m, const struct trace_event *e)
{
	(void)arg, (void)m, (void)e;
}

static int sink_flow(void *arg, const struct trace_model *m, struct trace_flow *f)
{
	(void)arg, (void)m, (void)f;
	return 0;
}

static void test_jsonl_refused(void **state)
{
	struct trace_sink sink = { NULL, sink_event, sink_flow, 0, NULL };
	struct trace_model_opts o = { 0, 0, &sink, NULL };
	char err[160];
	struct trace_model *m = trace_model_new(&o, err, sizeof(err));

	(void)state;
	assert_non_null(m);
	assert_int_equal(trace_model_drop_enable(m, 7, err, sizeof err), -1);
	assert_non_null(strstr(err, "document mode"));
	/* off: drops are ignored, nothing is marked */
	assert_int_equal(trace_model_add_drop(m, 1, TB_T0, "x", (const uint8_t *)"\x45", 1), 0);
	assert_null(trace_model_dropped_by(m, 0));
	trace_model_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_decode_malformed),
		cmocka_unit_test(test_reply_dropped),
		cmocka_unit_test(test_same_bytes_twice),
		cmocka_unit_test(test_unmatched),
		cmocka_unit_test(test_tcp_fin_dropped),
		cmocka_unit_test(test_take),
		cmocka_unit_test(test_hold_release),
		cmocka_unit_test(test_jsonl_refused),
	};
	return cmocka_run_group_tests_name("trace_drop", tests, NULL, NULL);
}
