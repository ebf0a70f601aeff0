/* tests/unit/test_trace_perf.c: what the tracer's speed and memory work must not change: compact events, streamed flows once over and quiet, endpoints, spilled flows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <jansson.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/lib/trace_build.h"
#include "trace/json.h"
#include "trace/jsonout.h"
#include "trace/model.h"
#include "trace/model_flow.h"
#include "trace/model_kernel.h"
#include "trace/model_packet.h"

#define END { 0, NULL, NULL, 0, 0, 0, 0 }
#define SEC 1000000LL

/* Options (timestamps, SACK), a retransmission, a stale ACK and a zero window: every field
 * that a compact event record keeps aside or in a bit. */
static const struct tb_step busy[] = {
	{ 'C', "S", 0, 0, 0, 0, 0 }, { 'S', "SA", 0, 0, 0, 0, 0 }, { 'C', "A", 0, TB_OPT_TS, 0, 0, 0 },
	{ 'S', "PA", "hello!", TB_OPT_TS, 0, 0, 0 }, { 'C', "PA", "Michael\n\x01", TB_OPT_TS, 0, 0, 0 },
	{ 'C', "PA", "Michael\n\x01", TB_OPT_TS, 1, 0, 0 }, { 'S', "A", 0, TB_OPT_SACK, 0, 1, 0 },
	{ 'S', "A", 0, 0, 0, 0, 1 }, { 'C', "PA", "exit", 0, 0, 0, 0 },
	{ 'S', "FA", 0, 0, 0, 0, 0 }, { 'C', "FA", 0, 0, 0, 0, 0 }, { 'S', "A", 0, 0, 0, 0, 0 }, END,
};

static const struct tb_step hello[] = {
	{ 'C', "S", 0, 0, 0, 0, 0 }, { 'S', "SA", 0, 0, 0, 0, 0 }, { 'C', "A", 0, 0, 0, 0, 0 },
	{ 'S', "PA", "hello!", 0, 0, 0, 0 }, { 'C', "PA", "exit", 0, 0, 0, 0 },
	{ 'S', "FA", 0, 0, 0, 0, 0 }, { 'C', "FA", 0, 0, 0, 0, 0 }, { 'S', "A", 0, 0, 0, 0, 0 }, END,
};

/* Opened, never closed. */
static const struct tb_step open_only[] = {
	{ 'C', "S", 0, 0, 0, 0, 0 }, { 'S', "SA", 0, 0, 0, 0, 0 }, { 'C', "A", 0, 0, 0, 0, 0 }, END,
};

static struct trace_model *model(const struct trace_sink *sink)
{
	struct trace_model *m = tb_model(0, 0, sink);
	assert_non_null(m);
	return m;
}

static void add_udp(struct trace_model *m, const char *client, uint16_t cport, int64_t t, const char *msg)
{
	uint8_t f[256];
	struct tb_ep c = { 0, client, cport }, s = { 0, "10.0.0.2", 9999 };
	size_t n = tb_udp(f, sizeof(f), &c, &s, msg, strlen(msg));
	assert_int_equal(trace_model_add_packet(m, TB_T0 + t, f, (uint32_t)n, (uint32_t)n), 0);
}

/* A TCP talk in IPv4 and IPv6 (one cut to 60 bytes), a UDP request with its ICMP error, a
 * frame with no flow, and a kernel observation: events of every shape, in time order. */
static void feed(struct trace_model *m)
{
	uint8_t f[512], u[256];
	struct tb_ep c = { 0, "10.0.0.1", 41000 }, s = { 0, "10.0.0.2", 9999 };

	tb_time_offset = 0;
	assert_int_equal(tb_run(m, busy, 0, 0), 0);
	tb_time_offset = 2000, tb_isn_offset = 7;
	assert_int_equal(tb_run(m, hello, 1, 60), 0);
	size_t un = tb_udp(u, sizeof(u), &c, &s, "ping", 4);
	assert_int_equal(trace_model_add_packet(m, TB_T0 + 5000, u, (uint32_t)un, (uint32_t)un), 0);
	size_t n = tb_icmp_unreach(f, sizeof(f), "10.0.0.2", "10.0.0.1", 0, u, un);
	assert_int_equal(trace_model_add_packet(m, TB_T0 + 5100, f, (uint32_t)n, (uint32_t)n), 0);
	assert_int_equal(trace_model_add_packet(m, TB_T0 + 5200, u, 20, (uint32_t)un), 0);	/* cut in its IP header */
	struct trace_kevent k;
	memset(&k, 0, sizeof(k));
	k.ts_us = TB_T0 + 6000;
	k.family = AF_INET;
	inet_pton(AF_INET, "10.0.0.1", k.saddr);
	inet_pton(AF_INET, "10.0.0.2", k.daddr);
	k.sport = 40000, k.dport = 9999;
	k.oldstate = TRACE_ST_FIN_WAIT_2, k.newstate = TRACE_ST_TIME_WAIT;
	k.via = TRACE_VIA_SOCK_DIAG, k.timer_ms = 59000;
	assert_int_equal(trace_model_add_kevent(m, &k), 0);
	tb_time_offset = 0, tb_isn_offset = 0;
}

/* Streamed events by id (their order of creation; the document sorts them by time). */
static void keep_event(void *arg, const struct trace_model *m, const struct trace_event *e)
{
	json_t *o = trace_json_event(m, e);

	json_object_set_new(o, "id_", json_integer(e->id));
	json_array_append_new(arg, o);
}

static int no_flow(void *arg, const struct trace_model *m, struct trace_flow *f)
{
	(void)arg, (void)m, (void)f;
	return 0;
}

/* The document keeps events as compact records; streaming writes the whole struct as it is
 * made. The two must give the same events, field for field (the document's in time order,
 * its causes positions in that order). */
static void test_compact_events_lossless(void **state)
{
	(void)state;
	json_t *streamed = json_array();
	struct trace_sink sink = { streamed, keep_event, no_flow, 0, NULL };
	struct trace_model *sm = model(&sink), *dm = model(NULL);

	feed(sm);
	assert_int_equal(trace_model_finish(sm), 0);
	feed(dm);
	assert_int_equal(trace_model_finish(dm), 0);
	json_t *doc = trace_json_document(dm), *evs = json_object_get(doc, "events");
	assert_true(json_array_size(evs) >= 30);
	assert_int_equal(json_array_size(evs), json_array_size(streamed));
	int seen_opts = 0, seen_trunc = 0, seen_icmp = 0, seen_addrs = 0, seen_kernel = 0, seen_retx = 0;
	for (size_t i = 0; i < json_array_size(streamed); i++) {
		json_t *b = json_array_get(streamed, i), *cause = json_object_get(b, "cause");
		int64_t id = json_integer_value(json_object_get(b, "id_"));
		json_t *a = json_array_get(evs, (size_t)trace_model_event_index(dm, id));
		json_object_del(b, "id_");
		if (cause)	/* an id in the stream, a position in the document */
			json_object_set_new(b, "cause", json_integer(trace_model_event_index(dm, json_integer_value(cause))));
		char *sa = json_dumps(a, JSON_COMPACT), *sb = json_dumps(b, JSON_COMPACT);
		if (!json_equal(a, b))
			fail_msg("event %zu differs:\n doc    %s\n stream %s", i, sa, sb);
		seen_opts += json_object_get(a, "options") != NULL;
		seen_trunc += json_object_get(a, "truncated") != NULL;
		seen_icmp += json_object_get(a, "icmp") != NULL;
		seen_addrs += json_object_get(a, "src") != NULL;
		seen_kernel += json_object_get(a, "via") != NULL;
		seen_retx += json_object_get(a, "retransmission") != NULL;
		free(sa);
		free(sb);
	}
	/* The comparison covered the fields kept aside, not only the common ones. */
	assert_true(seen_opts >= 4 && seen_trunc >= 1 && seen_icmp == 1 && seen_addrs >= 1);
	assert_true(seen_kernel == 1 && seen_retx >= 1);
	json_decref(doc);
	json_decref(streamed);
	trace_model_free(sm);
	trace_model_free(dm);
}

struct flows_seen {
	int flows, events;
	int events_at_flow[8];
	char state[8][8];
};

static void count_event(void *arg, const struct trace_model *m, const struct trace_event *e)
{
	struct flows_seen *c = arg;
	(void)m, (void)e;
	c->events++;
}

static int count_flow(void *arg, const struct trace_model *m, struct trace_flow *f)
{
	struct flows_seen *c = arg;
	json_t *o = trace_json_flow(m, f);

	if (c->flows < 8) {
		c->events_at_flow[c->flows] = c->events;
		snprintf(c->state[c->flows], sizeof(c->state[0]), "%s",
			 json_string_value(json_object_get(o, "conn_state")));
	}
	c->flows++;
	json_decref(o);
	return 0;
}

/* Streaming: a closed connection leaves once quiet 2 s of capture time, not at the end; an
 * open one, or one closed less than 2 s ago, stays. */
static void test_closed_flow_written_when_quiet(void **state)
{
	(void)state;
	struct flows_seen c;
	memset(&c, 0, sizeof(c));
	struct trace_sink sink = { &c, count_event, count_flow, 0, NULL };
	struct trace_model *m = model(&sink);

	assert_int_equal(tb_run(m, hello, 0, 0), 0);			/* closed at ~0.7 ms */
	tb_time_offset = 1 * SEC, tb_isn_offset = 50000;
	assert_int_equal(tb_run(m, open_only, 1, 0), 0);		/* open, IPv6 */
	tb_time_offset = 0, tb_isn_offset = 0;
	add_udp(m, "10.0.0.3", 1000, 1 * SEC + 500000, "a");
	assert_int_equal(c.flows, 0);					/* 1.5 s: too early */
	add_udp(m, "10.0.0.3", 1000, 2 * SEC + 100000, "b");
	assert_int_equal(c.flows, 1);					/* 2.1 s: written */
	assert_string_equal(c.state[0], "SF");
	/* Its line came after the datagram that found it quiet, as evictions do. */
	assert_int_equal(c.events_at_flow[0], c.events);
	add_udp(m, "10.0.0.3", 1000, 9 * SEC, "c");
	assert_int_equal(c.flows, 1);					/* open TCP and UDP stay */
	assert_int_equal(trace_model_finish(m), 0);
	assert_int_equal(c.flows, 3);
	trace_model_free(m);
}

/* A late retransmitted FIN within the quiet time lands in its own flow, not a new one. */
static void test_late_packet_keeps_flow(void **state)
{
	(void)state;
	struct flows_seen c;
	memset(&c, 0, sizeof(c));
	struct trace_sink sink = { &c, count_event, count_flow, 0, NULL };
	struct trace_model *m = model(&sink);

	assert_int_equal(tb_run(m, hello, 0, 0), 0);
	add_udp(m, "10.0.0.3", 1000, 1 * SEC, "a");
	uint8_t f[256];
	struct tb_ep cl = { 0, "10.0.0.1", 40000 }, sv = { 0, "10.0.0.2", 9999 };
	size_t n = tb_tcp(f, sizeof(f), &cl, &sv, 1000 + 1 + 4, 5000 + 1 + 6 + 1, TRACE_TH_FIN | TRACE_TH_ACK,
			  65483, TB_OPT_NONE, NULL, 0);
	assert_int_equal(trace_model_add_packet(m, TB_T0 + 1 * SEC + 900000, f, (uint32_t)n, (uint32_t)n), 0);
	add_udp(m, "10.0.0.3", 1000, 3 * SEC, "b");	/* 2.9 s after the hello, 1.1 s after the FIN */
	assert_int_equal(c.flows, 0);
	assert_int_equal(trace_model_finish(m), 0);
	assert_int_equal(c.flows, 2);			/* no third flow from the late FIN */
	trace_model_free(m);
}

/* The document as trace_json_write_document writes it (free the text). */
static char *written(const struct trace_model *m)
{
	char err[128], *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	assert_non_null(out);
	if (trace_json_write_document(m, out, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	fclose(out);
	return buf;
}

/* A UDP conversation from cport: a request answered, one not. */
static void udp_talk(struct trace_model *m, uint16_t cport, int64_t t)
{
	uint8_t f[256];
	struct tb_ep c = { 0, "10.0.0.7", cport }, s = { 0, "10.0.0.2", 9999 };
	size_t n = tb_udp(f, sizeof(f), &s, &c, "Hello, Ada!", 11);

	add_udp(m, "10.0.0.7", cport, t, "Ada");
	assert_int_equal(trace_model_add_packet(m, TB_T0 + t + 50, f, (uint32_t)n, (uint32_t)n), 0);
	add_udp(m, "10.0.0.7", cport, t + 100, "Bob");
}

/* --max-flows in document mode: an evicted flow goes to the spill file and its memory is
 * freed; the document is the one that kept every flow in memory, byte for byte. The
 * spilled flows carry every list a flow has: disagreements, ICMP errors, pairs, unanswered. */
static void test_evicted_flows_spilled(void **state)
{
	(void)state;
	char err[128];
	struct trace_model_opts keep = { 2, 0, NULL, NULL }, spill = { 2, 0, NULL, "/tmp" };
	struct trace_model *m[2] = { trace_model_new(&keep, err, sizeof(err)), trace_model_new(&spill, err, sizeof(err)) };
	char *text[2];

	for (int i = 0; i < 2; i++) {
		assert_non_null(m[i]);
		trace_model_set_capture(m[i], 1, "lo", NULL, 65535, DLT_EN10MB, "EN10MB");
		feed(m[i]);	/* its TCP flow holds a disagreement, its UDP one an ICMP error */
		for (uint16_t p = 0; p < 6; p++)
			udp_talk(m[i], (uint16_t)(50000 + p), 7000 + 1000 * p);
		assert_int_equal(trace_model_finish(m[i]), 0);
		text[i] = written(m[i]);
	}
	size_t in_memory = 0;
	for (size_t i = 0; i < m[1]->nflows; i++)
		in_memory += m[1]->flows[i].f != NULL;
	assert_true(m[1]->nflows == 8 && in_memory == 2 && m[1]->spill && !m[1]->spill->error);
	assert_string_equal(text[0], text[1]);
	assert_non_null(strstr(text[1], "\"disagreements\""));
	assert_non_null(strstr(text[1], "\"quoted_event\""));
	assert_non_null(strstr(text[1], "\"rtt_us\""));
	json_t *whole = trace_json_document(m[1]), *d = json_loads(text[1], 0, NULL);
	assert_true(whole && d && json_equal(whole, d));
	json_decref(whole);
	json_decref(d);
	for (int i = 0; i < 2; i++) {
		free(text[i]);
		trace_model_free(m[i]);
	}
}

/* The document's endpoints: each (role, address, port) once, in order of first appearance,
 * the same address in both roles listed twice: what the JSON-object set gave. */
static void test_endpoints_dedup(void **state)
{
	(void)state;
	struct trace_model *m = model(NULL);
	json_error_t jerr;

	add_udp(m, "10.0.0.5", 1000, 0, "a");
	add_udp(m, "10.0.0.3", 1000, 10, "a");
	add_udp(m, "10.0.0.5", 1001, 20, "a");
	assert_int_equal(tb_run(m, hello, 1, 0), 0);
	uint8_t f[256];
	struct tb_ep c = { 0, "10.0.0.2", 9999 }, s = { 0, "10.0.0.9", 7777 };	/* its SYN: 10.0.0.2:9999 as a client */
	size_t n = tb_tcp(f, sizeof(f), &c, &s, 1, 0, TRACE_TH_SYN, 65483, TB_OPT_SYN, NULL, 0);
	assert_int_equal(trace_model_add_packet(m, TB_T0 + 5000, f, (uint32_t)n, (uint32_t)n), 0);
	assert_int_equal(trace_model_finish(m), 0);
	char *buf = written(m);
	json_t *d = json_loads(buf, 0, &jerr), *eps = json_object_get(d, "endpoints");
	assert_non_null(d);
	const char *want[] = {
		"client 10.0.0.5 1000", "server 10.0.0.2 9999", "client 10.0.0.3 1000", "client 10.0.0.5 1001",
		"client fd00::1 40000", "server fd00::2 9999", "client 10.0.0.2 9999", "server 10.0.0.9 7777",
	};
	assert_int_equal(json_array_size(eps), sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < json_array_size(eps); i++) {
		json_t *e = json_array_get(eps, i);
		char got[96];
		snprintf(got, sizeof(got), "%s %s %d", json_string_value(json_object_get(e, "role")),
			 json_string_value(json_object_get(e, "addr")), (int)json_integer_value(json_object_get(e, "port")));
		assert_string_equal(got, want[i]);
	}
	json_t *whole = trace_json_document(m);
	assert_true(json_equal(whole, d));
	json_decref(whole);
	json_decref(d);
	free(buf);
	trace_model_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compact_events_lossless),
		cmocka_unit_test(test_closed_flow_written_when_quiet),
		cmocka_unit_test(test_late_packet_keeps_flow),
		cmocka_unit_test(test_endpoints_dedup),
		cmocka_unit_test(test_evicted_flows_spilled),
	};
	return cmocka_run_group_tests_name("trace_perf", tests, NULL, NULL);
}
