/* tests/unit/test_trace_model.c: kernel events in the model (late, unmatched, hand-off, disagreement), flow limit, port reuse, streaming. */
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

static const struct tb_step hello[] = {
	{ 'C', "S", 0, 0, 0, 0, 0 }, { 'S', "SA", 0, 0, 0, 0, 0 }, { 'C', "A", 0, 0, 0, 0, 0 },
	{ 'S', "PA", "hello!", 0, 0, 0, 0 }, { 'C', "PA", "exit", 0, 0, 0, 0 },
	{ 'S', "FA", 0, 0, 0, 0, 0 }, { 'C', "FA", 0, 0, 0, 0, 0 }, { 'S', "A", 0, 0, 0, 0, 0 }, END,
};

/* A kernel observation from the socket of `side` (0 client 10.0.0.1:40000, 1 server 10.0.0.2:9999). */
static struct trace_kevent kev(int64_t dt, int side, enum trace_state from, enum trace_state to,
			       enum trace_kvia via, int32_t timer, int handoff)
{
	struct trace_kevent k;
	memset(&k, 0, sizeof(k));
	k.ts_us = TB_T0 + dt;
	k.family = AF_INET;
	inet_pton(AF_INET, side ? "10.0.0.2" : "10.0.0.1", k.saddr);
	inet_pton(AF_INET, side ? "10.0.0.1" : "10.0.0.2", k.daddr);
	k.sport = side ? 9999 : 40000;
	k.dport = side ? 40000 : 9999;
	k.oldstate = from;
	k.newstate = to;
	k.via = via;
	k.timer_ms = timer;
	k.handoff = handoff;
	return k;
}

static struct trace_model *model(size_t max_flows, const struct trace_sink *sink)
{
	struct trace_model *m = tb_model(1, max_flows, sink);
	assert_non_null(m);
	return m;
}

static json_t *finish(struct trace_model *m)
{
	json_t *d = tb_document(m);
	assert_non_null(d);
	return d;
}

static const char *sget(json_t *o, const char *a, const char *b)
{
	json_t *v = json_object_get(o, a);
	if (b)
		v = json_object_get(v, b);
	return json_is_string(v) ? json_string_value(v) : "-";
}

/* The server closes first; the kernel agrees, late, and sock_diag shows its TIME_WAIT. */
static void test_kernel_agrees(void **state)
{
	(void)state;
	struct trace_model *m = model(0, NULL);
	struct trace_kevent early = kev(-5, 0, TRACE_ST_CLOSED, TRACE_ST_SYN_SENT, TRACE_VIA_TRACEPOINT, -1, 0);

	trace_model_set_state_sources(m, 1, 1);
	assert_int_equal(trace_model_add_kevent(m, &early), 0);	/* before any packet */
	assert_int_equal(tb_run(m, hello, 0, 0), 0);
	const struct trace_kevent late[] = {
		kev(501, 1, TRACE_ST_ESTABLISHED, TRACE_ST_FIN_WAIT_1, TRACE_VIA_TRACEPOINT, -1, 0),
		kev(601, 1, TRACE_ST_FIN_WAIT_1, TRACE_ST_FIN_WAIT_2, TRACE_VIA_TRACEPOINT, -1, 0),
		kev(602, 1, TRACE_ST_FIN_WAIT_2, TRACE_ST_CLOSED, TRACE_VIA_TRACEPOINT, -1, 1),
		kev(601, 0, TRACE_ST_CLOSE_WAIT, TRACE_ST_LAST_ACK, TRACE_VIA_TRACEPOINT, -1, 0),
		kev(701, 0, TRACE_ST_LAST_ACK, TRACE_ST_CLOSED, TRACE_VIA_TRACEPOINT, -1, 0),
		kev(50000, 1, TRACE_ST_NONE, TRACE_ST_TIME_WAIT, TRACE_VIA_SOCK_DIAG, 59950, 0),
	};
	for (size_t i = 0; i < sizeof(late) / sizeof(late[0]); i++)
		assert_int_equal(trace_model_add_kevent(m, &late[i]), 0);
	json_t *d = finish(m);
	json_t *f = json_array_get(json_object_get(d, "flows"), 0);
	json_t *evs = json_object_get(d, "events"), *e;
	size_t i, kernel = 0;
	json_int_t last = -1000000;

	json_array_foreach(evs, i, e) {
		json_int_t t = json_integer_value(json_object_get(e, "t_us"));
		assert_true(t >= last);
		last = t;
		if (strcmp(sget(e, "source", NULL), "kernel"))
			continue;
		kernel++;
		assert_int_equal(json_integer_value(json_object_get(e, "flow")), 1);
	}
	assert_int_equal(kernel, 7);
	e = json_array_get(evs, 0);	/* the early SYN_SENT, claimed by the flow */
	assert_string_equal(sget(e, "source", NULL), "kernel");
	assert_string_equal(sget(e, "side", NULL), "client");
	assert_string_equal(sget(e, "to", NULL), "SYN_SENT");
	assert_int_equal(json_integer_value(json_object_get(e, "t_us")), 0);
	assert_string_equal(sget(f, "time_wait", "source"), "kernel");
	assert_string_equal(sget(f, "time_wait", "side"), "server");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(f, "time_wait"), "timer_ms")), 59950);
	assert_string_equal(sget(json_object_get(f, "states"), "server", "kernel_final"), "TIME_WAIT");
	assert_string_equal(sget(json_object_get(f, "states"), "client", "kernel_final"), "CLOSED");
	assert_null(json_object_get(f, "disagreements"));
	json_t *cap = json_object_get(d, "capture");
	assert_true(json_is_true(json_object_get(json_object_get(cap, "state_sources"), "sock_diag")));
	json_decref(d);
}

static json_int_t iget(json_t *o, const char *a, const char *b)
{
	json_t *v = json_object_get(o, a);
	if (b)
		v = json_object_get(v, b);
	assert_true(json_is_integer(v));
	return json_integer_value(v);
}

/* The server's teardown as the kernel reports it, in the order given: the tracepoint's
 * FIN_WAIT1/FIN_WAIT2 and hand-off, and sock_diag's time-wait socket stamped tw_dt. */
static json_t *server_teardown(int64_t tw_dt, int tw_first, enum trace_state tw_state)
{
	struct trace_model *m = model(0, NULL);
	const struct trace_kevent tp[] = {
		kev(501, 1, TRACE_ST_ESTABLISHED, TRACE_ST_FIN_WAIT_1, TRACE_VIA_TRACEPOINT, -1, 0),
		kev(601, 1, TRACE_ST_FIN_WAIT_1, TRACE_ST_FIN_WAIT_2, TRACE_VIA_TRACEPOINT, -1, 0),
		kev(650, 1, TRACE_ST_FIN_WAIT_2, TRACE_ST_CLOSED, TRACE_VIA_TRACEPOINT, -1, 1),
	};
	struct trace_kevent tw = kev(tw_dt, 1, TRACE_ST_NONE, tw_state, TRACE_VIA_SOCK_DIAG, 59990, 0);

	trace_model_set_state_sources(m, 1, 1);
	assert_int_equal(tb_run(m, hello, 0, 0), 0);
	if (tw_first)
		assert_int_equal(trace_model_add_kevent(m, &tw), 0);
	for (size_t i = 0; i < sizeof(tp) / sizeof(tp[0]); i++)
		assert_int_equal(trace_model_add_kevent(m, &tp[i]), 0);
	if (!tw_first)
		assert_int_equal(trace_model_add_kevent(m, &tw), 0);
	json_t *d = finish(m);
	return d;
}

/* sock_diag shows the time-wait socket with a stamp before the hand-off's (Linux makes it
 * visible first): the hand-off never replaces it, in either order of arrival. */
static void test_handoff_never_replaces_time_wait(void **state)
{
	(void)state;
	for (int first = 0; first < 2; first++) {
		for (int later = 0; later < 2; later++) {
			json_t *d = server_teardown(later ? 40000 : 640, first, TRACE_ST_TIME_WAIT);
			json_t *f = json_array_get(json_object_get(d, "flows"), 0);
			assert_string_equal(sget(json_object_get(f, "states"), "server", "kernel_final"), "TIME_WAIT");
			json_decref(d);
		}
	}
	/* Before the peer's FIN the time-wait socket is in FIN_WAIT2: that stays too. */
	json_t *d = server_teardown(640, 0, TRACE_ST_FIN_WAIT_2);
	json_t *f = json_array_get(json_object_get(d, "flows"), 0);
	assert_string_equal(sget(json_object_get(f, "states"), "server", "kernel_final"), "FIN_WAIT_2");
	json_decref(d);
}

/* A close after TIME_WAIT (the timer ran out: sock_diag no longer lists it) is news. */
static void test_time_wait_then_closed(void **state)
{
	(void)state;
	struct trace_model *m = model(0, NULL);
	const struct trace_kevent k[] = {
		kev(900, 1, TRACE_ST_NONE, TRACE_ST_TIME_WAIT, TRACE_VIA_SOCK_DIAG, 59000, 0),
		kev(61000, 1, TRACE_ST_NONE, TRACE_ST_CLOSED, TRACE_VIA_SOCK_DIAG, -1, 0),
	};
	assert_int_equal(tb_run(m, hello, 0, 0), 0);
	for (size_t i = 0; i < 2; i++)
		assert_int_equal(trace_model_add_kevent(m, &k[i]), 0);
	json_t *d = finish(m);
	json_t *f = json_array_get(json_object_get(d, "flows"), 0);
	assert_string_equal(sget(json_object_get(f, "states"), "server", "kernel_final"), "CLOSED");
	json_decref(d);
}

/* time_wait.start_us is when the packets put the kernel's side there (the client's FIN at
 * 600 us), the time_wait phase starts at the same event, and kernel_seen_us says when
 * the kernel showed it. */
static void test_time_wait_start_agrees(void **state)
{
	(void)state;
	json_t *d = server_teardown(40000, 0, TRACE_ST_TIME_WAIT);
	json_t *f = json_array_get(json_object_get(d, "flows"), 0);
	json_t *tw = json_object_get(f, "time_wait"), *ph, *p = NULL;
	size_t i;

	assert_string_equal(sget(tw, "source", NULL), "kernel");
	assert_string_equal(sget(tw, "side", NULL), "server");
	assert_int_equal(iget(tw, "start_us", NULL), 600);
	assert_int_equal(iget(tw, "kernel_seen_us", NULL), 40000);
	assert_int_equal(iget(tw, "timer_ms", NULL), 59990);
	json_array_foreach(json_object_get(f, "phases"), i, ph)
		if (!strcmp(sget(ph, "name", NULL), "time_wait"))
			p = ph;
	assert_non_null(p);
	assert_int_equal(iget(p, "start_us", NULL), 600);
	json_t *e = json_array_get(json_object_get(d, "events"), (size_t)iget(p, "first_event", NULL));
	assert_string_equal(sget(e, "to", NULL), "TIME_WAIT");
	assert_string_equal(sget(e, "side", NULL), "server");
	assert_int_equal(iget(e, "t_us", NULL), 600);
	assert_int_equal(iget(p, "end_us", NULL), 40000);
	json_decref(d);

	/* The kernel's side is one the packets never led there: its sight is the start. */
	struct trace_model *m = model(0, NULL);
	struct trace_kevent k = kev(900, 0, TRACE_ST_NONE, TRACE_ST_TIME_WAIT, TRACE_VIA_SOCK_DIAG, 60000, 0);
	assert_int_equal(tb_run(m, hello, 0, 0), 0);
	assert_int_equal(trace_model_add_kevent(m, &k), 0);
	d = finish(m);
	f = json_array_get(json_object_get(d, "flows"), 0);
	tw = json_object_get(f, "time_wait");
	assert_string_equal(sget(tw, "side", NULL), "client");
	assert_string_equal(sget(tw, "inferred_side", NULL), "server");
	assert_int_equal(iget(tw, "start_us", NULL), 900);
	json_array_foreach(json_object_get(f, "phases"), i, ph)
		if (!strcmp(sget(ph, "name", NULL), "time_wait"))
			assert_int_equal(iget(ph, "start_us", NULL), 900);
	json_decref(d);
}

/* The kernel puts the client in TIME_WAIT, the packets the server: both are kept. */
static void test_disagreement(void **state)
{
	(void)state;
	struct trace_model *m = model(0, NULL);
	struct trace_kevent k = kev(900, 0, TRACE_ST_NONE, TRACE_ST_TIME_WAIT, TRACE_VIA_SOCK_DIAG, 60000, 0);

	assert_int_equal(tb_run(m, hello, 0, 0), 0);
	assert_int_equal(trace_model_add_kevent(m, &k), 0);
	json_t *d = finish(m);
	json_t *f = json_array_get(json_object_get(d, "flows"), 0);
	json_t *dis = json_object_get(f, "disagreements");

	assert_int_equal(json_array_size(dis), 1);
	json_t *x = json_array_get(dis, 0);
	assert_string_equal(sget(x, "side", NULL), "client");
	assert_string_equal(sget(x, "kernel", NULL), "TIME_WAIT");
	assert_string_equal(sget(x, "inferred", NULL), "CLOSED");
	assert_string_equal(sget(f, "time_wait", "side"), "client");
	assert_string_equal(sget(f, "time_wait", "inferred_side"), "server");
	json_decref(d);
}

/* A dual-stack socket reports its IPv4 peer as ::ffff:a.b.c.d: still the same flow. */
static void test_v4_mapped_kevent(void **state)
{
	(void)state;
	struct trace_model *m = model(0, NULL);
	struct trace_kevent k = kev(900, 1, TRACE_ST_NONE, TRACE_ST_TIME_WAIT, TRACE_VIA_SOCK_DIAG, 60000, 0);

	k.family = AF_INET6;
	inet_pton(AF_INET6, "::ffff:10.0.0.2", k.saddr);
	inet_pton(AF_INET6, "::ffff:10.0.0.1", k.daddr);
	assert_int_equal(tb_run(m, hello, 0, 0), 0);
	assert_int_equal(trace_model_add_kevent(m, &k), 0);
	json_t *d = finish(m);
	json_t *f = json_array_get(json_object_get(d, "flows"), 0);
	assert_string_equal(sget(f, "time_wait", "source"), "kernel");
	assert_string_equal(sget(f, "time_wait", "side"), "server");
	json_decref(d);
}

/* A kernel event nobody's packets match stays, with its addresses. */
static void test_unmatched_kevent(void **state)
{
	(void)state;
	struct trace_model *m = model(0, NULL);
	struct trace_kevent k = kev(0, 1, TRACE_ST_CLOSED, TRACE_ST_LISTEN, TRACE_VIA_TRACEPOINT, -1, 0);

	assert_int_equal(trace_model_add_kevent(m, &k), 0);
	json_t *d = finish(m);
	json_t *e = json_array_get(json_object_get(d, "events"), 0);
	assert_null(json_object_get(e, "flow"));
	assert_string_equal(sget(e, "local", "addr"), "10.0.0.2");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(e, "remote"), "port")), 40000);
	json_decref(d);
}

static void add_udp(struct trace_model *m, uint16_t cport, int64_t dt)
{
	uint8_t f[256];
	struct tb_ep c = { 0, "10.0.0.1", cport }, s = { 0, "10.0.0.2", 9999 };
	size_t n = tb_udp(f, sizeof(f), &c, &s, "hi", 2);
	assert_int_equal(trace_model_add_packet(m, TB_T0 + dt, f, (uint32_t)n, (uint32_t)n), 0);
}

/* The tracepoint is system-wide: with sock_diag on, an event of a socket that no flow
 * claimed and sock_diag never showed (another namespace's) is left out, with a note; a
 * listener sock_diag also shows stays. Without sock_diag nothing can tell: all stay. */
static void test_foreign_kevent(void **state)
{
	(void)state;
	for (int sd = 0; sd < 2; sd++) {
		struct trace_model *m = model(0, NULL);
		struct trace_kevent lis = kev(0, 1, TRACE_ST_CLOSED, TRACE_ST_LISTEN, TRACE_VIA_TRACEPOINT, -1, 0);
		struct trace_kevent lis_sd = kev(5, 1, TRACE_ST_NONE, TRACE_ST_LISTEN, TRACE_VIA_SOCK_DIAG, -1, 0);
		struct trace_kevent other = kev(10, 0, TRACE_ST_CLOSED, TRACE_ST_SYN_SENT, TRACE_VIA_TRACEPOINT, -1, 0);

		lis.dport = lis_sd.dport = 0;
		memset(lis.daddr, 0, sizeof(lis.daddr));
		memset(lis_sd.daddr, 0, sizeof(lis_sd.daddr));
		other.sport = 41000;	/* a connection whose packets never came here */
		trace_model_set_state_sources(m, 1, sd);
		assert_int_equal(trace_model_add_kevent(m, &lis), 0);
		if (sd)
			assert_int_equal(trace_model_add_kevent(m, &lis_sd), 0);
		assert_int_equal(trace_model_add_kevent(m, &other), 0);
		assert_int_equal(tb_run(m, hello, 0, 0), 0);
		json_t *d = finish(m);
		json_t *evs = json_object_get(d, "events"), *e, *notes;
		size_t i, lis_n = 0, other_n = 0, noted = 0;
		json_array_foreach(evs, i, e) {
			if (json_object_get(e, "flow") || strcmp(sget(e, "source", NULL), "kernel"))
				continue;
			lis_n += !strcmp(sget(e, "to", NULL), "LISTEN");
			other_n += !strcmp(sget(e, "to", NULL), "SYN_SENT");
		}
		assert_int_equal(lis_n, sd ? 2 : 1);
		assert_int_equal(other_n, sd ? 0 : 1);
		notes = json_object_get(json_object_get(json_object_get(d, "capture"), "state_sources"), "notes");
		json_array_foreach(notes, i, e)
			noted += strstr(json_string_value(e), "1 tracepoint event left out") != NULL;
		assert_int_equal(noted, sd ? 1 : 0);
		json_decref(d);
	}
}

static void test_flow_limit(void **state)
{
	(void)state;
	struct trace_model *m = model(2, NULL);

	add_udp(m, 1001, 0);
	add_udp(m, 1002, 10);
	add_udp(m, 1001, 20);	/* 1002 is now the least active */
	add_udp(m, 1003, 30);
	add_udp(m, 1002, 40);	/* a new flow: the old one was closed */
	json_t *d = finish(m);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(d, "capture"), "flows_evicted")), 2);
	assert_int_equal(json_array_size(json_object_get(d, "flows")), 4);
	json_decref(d);
}

/* The same 5-tuple again after a finished connection is a second flow. */
static void test_port_reuse(void **state)
{
	(void)state;
	struct trace_model *m = model(0, NULL);

	assert_int_equal(tb_run(m, hello, 0, 0), 0);
	tb_isn_offset = 100000, tb_time_offset = 10000;
	assert_int_equal(tb_run(m, hello, 0, 0), 0);
	tb_isn_offset = 0, tb_time_offset = 0;
	json_t *d = finish(m);
	json_t *flows = json_object_get(d, "flows");
	assert_int_equal(json_array_size(flows), 2);
	assert_string_equal(sget(json_array_get(flows, 1), "conn_state", NULL), "SF");
	json_decref(d);
}

struct counts {
	int events, flows;
	int64_t max_n;
	char last_preview[16];
	int events_at_flow;		/* events written when the last flow was */
};

static void count_event(void *arg, const struct trace_model *m, const struct trace_event *e)
{
	struct counts *c = arg;
	(void)m;
	c->events++;
	if (e->id > c->max_n)
		c->max_n = e->id;
	if (e->preview)
		snprintf(c->last_preview, sizeof(c->last_preview), "%s", e->preview);
}

static int count_flow(void *arg, const struct trace_model *m, struct trace_flow *f)
{
	struct counts *c = arg;
	(void)m, (void)f;
	c->flows++;
	c->events_at_flow = c->events;
	return 0;
}

/* Streaming keeps no events: they leave as they are made; flows leave when evicted or at the end. */
static void test_streaming(void **state)
{
	(void)state;
	struct counts c = { 0, 0, -1, "", 0 };
	struct trace_sink sink = { &c, count_event, count_flow, 0, NULL };
	struct trace_model *m = model(1, &sink);

	assert_int_equal(tb_run(m, hello, 0, 0), 0);
	assert_int_equal(m->nev, 0);
	int before = c.events;
	assert_true(before >= 8);
	add_udp(m, 1001, 5000);	/* evicts the TCP flow */
	assert_int_equal(c.flows, 1);
	/* The datagram that evicted it was written whole, before the flow's line. */
	assert_string_equal(c.last_preview, "hi");
	assert_int_equal(c.events_at_flow, c.events);
	assert_int_equal(trace_model_finish(m), 0);
	assert_int_equal(c.flows, 2);
	assert_int_equal(m->nev, 0);
	assert_int_equal(c.max_n, c.events - 1);
	trace_model_free(m);
}

/* The document written piece by piece is the document built whole. */
static void test_written_document(void **state)
{
	(void)state;
	struct trace_model *m = model(0, NULL);
	struct trace_kevent k = kev(900, 1, TRACE_ST_NONE, TRACE_ST_TIME_WAIT, TRACE_VIA_SOCK_DIAG, 59000, 0);
	char err[128], *buf = NULL;
	size_t len = 0;
	json_error_t jerr;

	assert_int_equal(tb_run(m, hello, 0, 0), 0);
	add_udp(m, 1001, 950);
	assert_int_equal(trace_model_add_kevent(m, &k), 0);
	assert_int_equal(trace_model_finish(m), 0);
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(trace_json_write_document(m, f, err, sizeof(err)), 0);
	fclose(f);
	json_t *whole = trace_json_document(m), *read = json_loads(buf, 0, &jerr);
	assert_non_null(read);
	assert_true(json_equal(whole, read));
	json_decref(whole);
	json_decref(read);
	free(buf);
	trace_model_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kernel_agrees),
		cmocka_unit_test(test_handoff_never_replaces_time_wait),
		cmocka_unit_test(test_time_wait_then_closed),
		cmocka_unit_test(test_time_wait_start_agrees),
		cmocka_unit_test(test_disagreement),
		cmocka_unit_test(test_unmatched_kevent),
		cmocka_unit_test(test_foreign_kevent),
		cmocka_unit_test(test_v4_mapped_kevent),
		cmocka_unit_test(test_flow_limit),
		cmocka_unit_test(test_port_reuse),
		cmocka_unit_test(test_streaming),
		cmocka_unit_test(test_written_document),
	};
	return cmocka_run_group_tests_name("trace_model", tests, NULL, NULL);
}
