/* tests/unit/test_trace_tcp.c: scripted TCP conversations -> history, conn_state, phases, both sides' states. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>

#include "tests/lib/trace_build.h"
#include "trace/json.h"
#include "trace/model.h"
#include "trace/model_flow.h"

#define END { 0, NULL, NULL, 0, 0, 0, 0 }

/* The hello exchange (docs/protocol.md): the server closes first. */
static const struct tb_step hello_server_closes[] = {
	{ 'C', "S", 0, 0, 0, 0, 0 }, { 'S', "SA", 0, 0, 0, 0, 0 }, { 'C', "A", 0, 0, 0, 0, 0 },
	{ 'S', "PA", "hello!", TB_OPT_TS, 0, 0, 0 }, { 'C', "A", 0, TB_OPT_TS, 0, 0, 0 },
	{ 'C', "PA", "Michael", TB_OPT_TS, 0, 0, 0 }, { 'S', "PA", "Hello, Michael!", TB_OPT_TS, 0, 0, 0 },
	{ 'C', "PA", "exit", 0, 0, 0, 0 }, { 'S', "FA", 0, 0, 0, 0, 0 }, { 'C', "FA", 0, 0, 0, 0, 0 },
	{ 'S', "A", 0, 0, 0, 0, 0 }, END,
};

static const struct tb_step client_closes[] = {
	{ 'C', "S", 0, 0, 0, 0, 0 }, { 'S', "SA", 0, 0, 0, 0, 0 }, { 'C', "A", 0, 0, 0, 0, 0 },
	{ 'S', "PA", "hello!", 0, 0, 0, 0 }, { 'C', "A", 0, 0, 0, 0, 0 }, { 'C', "FA", 0, 0, 0, 0, 0 },
	{ 'S', "FA", 0, 0, 0, 0, 0 }, { 'C', "A", 0, 0, 0, 0, 0 }, END,
};

/* Both FINs leave before either arrives: the server's does not acknowledge the client's. */
static const struct tb_step simultaneous_close[] = {
	{ 'C', "S", 0, 0, 0, 0, 0 }, { 'S', "SA", 0, 0, 0, 0, 0 }, { 'C', "A", 0, 0, 0, 0, 0 },
	{ 'C', "FA", 0, 0, 0, 0, 0 }, { 'S', "FA", 0, 0, 0, 1, 0 }, { 'C', "A", 0, 0, 0, 0, 0 },
	{ 'S', "A", 0, 0, 0, 0, 0 }, END,
};

static const struct tb_step closed_port[] = {
	{ 'C', "S", 0, 0, 0, 0, 0 }, { 'S', "RA", 0, 0, 0, 0, 0 }, END,
};

static const struct tb_step rst_by_client[] = {
	{ 'C', "S", 0, 0, 0, 0, 0 }, { 'S', "SA", 0, 0, 0, 0, 0 }, { 'C', "A", 0, 0, 0, 0, 0 },
	{ 'S', "PA", "hello!", 0, 0, 0, 0 }, { 'C', "R", 0, 0, 0, 0, 0 }, END,
};

static const struct tb_step rst_by_server[] = {
	{ 'C', "S", 0, 0, 0, 0, 0 }, { 'S', "SA", 0, 0, 0, 0, 0 }, { 'C', "A", 0, 0, 0, 0, 0 },
	{ 'C', "PA", "Michael", 0, 0, 0, 0 }, { 'S', "RA", 0, 0, 0, 0, 0 }, END,
};

static const struct tb_step retransmission[] = {
	{ 'C', "S", 0, 0, 0, 0, 0 }, { 'S', "SA", 0, 0, 0, 0, 0 }, { 'C', "A", 0, 0, 0, 0, 0 },
	{ 'C', "PA", "Tracy", 0, 0, 0, 0 }, { 'C', "PA", "Tracy", 0, 1, 0, 0 },
	{ 'S', "A", 0, 0, 0, 0, 0 }, END,
};

static const struct tb_step syn_only[] = { { 'C', "S", 0, 0, 0, 0, 0 }, END };

static const struct tb_step midstream[] = {
	{ 'C', "PA", "Sarah", 0, 0, 0, 0 }, { 'S', "PA", "Hello, Sarah!", 0, 0, 0, 0 }, END,
};

static const struct tb_step flipped[] = {
	{ 'S', "SA", 0, 0, 0, 0, 0 }, { 'C', "A", 0, 0, 0, 0, 0 }, END,
};

static const struct tb_step zero_window[] = {
	{ 'C', "S", 0, 0, 0, 0, 0 }, { 'S', "SA", 0, 0, 0, 0, 0 }, { 'C', "A", 0, 0, 0, 0, 0 },
	{ 'S', "PA", "hello!", 0, 0, 0, 0 }, { 'C', "A", 0, 0, 0, 0, 1 }, END,
};

/* Only the client's FIN, unanswered: established, originator's close seen, no reply. */
static const struct tb_step client_fin_unanswered[] = {
	{ 'C', "S", 0, 0, 0, 0, 0 }, { 'S', "SA", 0, 0, 0, 0, 0 }, { 'C', "A", 0, 0, 0, 0, 0 },
	{ 'C', "FA", 0, 0, 0, 0, 0 }, END,
};

static const struct tb_step server_fin_unanswered[] = {
	{ 'C', "S", 0, 0, 0, 0, 0 }, { 'S', "SA", 0, 0, 0, 0, 0 }, { 'C', "A", 0, 0, 0, 0, 0 },
	{ 'S', "FA", 0, 0, 0, 0, 0 }, END,
};

static const struct tb_step syn_then_rst[] = {
	{ 'C', "S", 0, 0, 0, 0, 0 }, { 'C', "R", 0, 0, 0, 0, 0 }, END,
};

/* The server's second segment is not acknowledged, twice. */
static const struct tb_step dup_acks[] = {
	{ 'C', "S", 0, 0, 0, 0, 0 }, { 'S', "SA", 0, 0, 0, 0, 0 }, { 'C', "A", 0, 0, 0, 0, 0 },
	{ 'S', "PA", "aaa", 0, 0, 0, 0 }, { 'S', "PA", "bbb", 0, 0, 0, 0 },
	{ 'C', "A", 0, 0, 0, 1, 0 }, { 'C', "A", 0, 0, 0, 1, 0 }, END,
};

struct tcp_case {
	const char *name;
	const struct tb_step *steps;
	int v6;
	const char *history, *conn_state, *phases;
	const char *client_final, *server_final;	/* "-" when unknown */
	const char *closed_first, *close_kind;		/* "-" when nobody closed */
	const char *time_wait;				/* side, or "-" */
};

static const struct tcp_case cases[] = {
	{ "server closes first", hello_server_closes, 0, "ShAdDfFa", "SF",
	  "handshake,data,teardown,time_wait", "CLOSED", "TIME_WAIT", "server", "fin", "server" },
	{ "server closes first, IPv6", hello_server_closes, 1, "ShAdDfFa", "SF",
	  "handshake,data,teardown,time_wait", "CLOSED", "TIME_WAIT", "server", "fin", "server" },
	{ "client closes first", client_closes, 0, "ShAdFf", "SF",
	  "handshake,data,teardown,time_wait", "TIME_WAIT", "CLOSED", "client", "fin", "client" },
	{ "simultaneous close", simultaneous_close, 0, "ShAFfa", "SF",
	  "handshake,teardown,time_wait", "TIME_WAIT", "TIME_WAIT", "simultaneous", "fin", "both" },
	{ "closed port", closed_port, 0, "Sr", "REJ", "handshake", "CLOSED", "CLOSED", "-", "-", "-" },
	{ "client resets", rst_by_client, 0, "ShAdR", "RSTO", "handshake,data,teardown",
	  "CLOSED", "CLOSED", "client", "rst", "-" },
	{ "server resets", rst_by_server, 0, "ShADr", "RSTR", "handshake,data,teardown",
	  "CLOSED", "CLOSED", "server", "rst", "-" },
	{ "retransmission", retransmission, 0, "ShADTa", "S1", "handshake,data",
	  "ESTABLISHED", "ESTABLISHED", "-", "-", "-" },
	{ "no answer", syn_only, 0, "S", "S0", "handshake", "SYN_SENT", "-", "-", "-", "-" },
	{ "midstream", midstream, 0, "Dd", "OTH", "data", "ESTABLISHED", "ESTABLISHED", "-", "-", "-" },
	{ "SYN not seen", flipped, 0, "^hA", "OTH", "handshake", "ESTABLISHED", "ESTABLISHED", "-", "-", "-" },
	{ "client FIN unanswered", client_fin_unanswered, 0, "ShAF", "S2", "handshake,teardown",
	  "FIN_WAIT_1", "CLOSE_WAIT", "client", "fin", "-" },
	{ "server FIN unanswered", server_fin_unanswered, 0, "ShAf", "S3", "handshake,teardown",
	  "CLOSE_WAIT", "FIN_WAIT_1", "server", "fin", "-" },
	{ "SYN then RST", syn_then_rst, 0, "SR", "RSTOS0", "handshake", "CLOSED", "-", "-", "-", "-" },
	{ "duplicate ACKs", dup_acks, 0, "ShAd", "S1", "handshake,data", "ESTABLISHED", "ESTABLISHED",
	  "-", "-", "-" },
	{ "zero window", zero_window, 0, "ShAdW", "S1", "handshake,data", "ESTABLISHED", "ESTABLISHED",
	  "-", "-", "-" },
};

static json_t *run_case(const struct tb_step *steps, int v6, uint32_t snaplen)
{
	char err[256];
	struct trace_model_opts o = { 0, 0, NULL, NULL };
	struct trace_model *m = trace_model_new(&o, err, sizeof(err));

	assert_non_null(m);
	trace_model_set_capture(m, 0, "test.pcap", NULL, 65535, DLT_EN10MB, "EN10MB");
	assert_int_equal(tb_run(m, steps, v6, snaplen), 0);
	assert_int_equal(trace_model_finish(m), 0);
	json_t *d = trace_json_document(m);
	trace_model_free(m);
	assert_non_null(d);
	return d;
}

static const char *str_or_dash(json_t *o, const char *path1, const char *path2)
{
	json_t *v = json_object_get(o, path1);
	if (v && path2)
		v = json_object_get(v, path2);
	return json_is_string(v) ? json_string_value(v) : "-";
}

static void phase_names(json_t *flow, char *out, size_t len)
{
	size_t i;
	json_t *p;
	out[0] = '\0';
	json_array_foreach(json_object_get(flow, "phases"), i, p) {
		if (i)
			strncat(out, ",", len - strlen(out) - 1);
		strncat(out, json_string_value(json_object_get(p, "name")), len - strlen(out) - 1);
	}
}

/* Every inferred state event names a packet event as its cause, and events are in time order. */
static void check_events(json_t *d)
{
	json_t *evs = json_object_get(d, "events"), *e;
	size_t i;
	json_int_t last = -1;

	json_array_foreach(evs, i, e) {
		json_int_t t = json_integer_value(json_object_get(e, "t_us"));
		assert_true(t >= last);
		last = t;
		json_t *cause = json_object_get(e, "cause");
		if (!cause)
			continue;
		json_t *c = json_array_get(evs, (size_t)json_integer_value(cause));
		assert_non_null(c);
		assert_string_equal(json_string_value(json_object_get(c, "type")), "packet");
	}
}

static void test_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct tcp_case *c = &cases[i];
		json_t *d = run_case(c->steps, c->v6, 0);
		json_t *f = json_array_get(json_object_get(d, "flows"), 0);
		char ph[128];

		print_message("case: %s\n", c->name);
		assert_int_equal(json_array_size(json_object_get(d, "flows")), 1);
		assert_string_equal(str_or_dash(f, "history", NULL), c->history);
		assert_string_equal(str_or_dash(f, "conn_state", NULL), c->conn_state);
		phase_names(f, ph, sizeof(ph));
		assert_string_equal(ph, c->phases);
		json_t *st = json_object_get(f, "states");
		assert_string_equal(str_or_dash(json_object_get(st, "client"), "final", NULL), c->client_final);
		assert_string_equal(str_or_dash(json_object_get(st, "server"), "final", NULL), c->server_final);
		assert_string_equal(str_or_dash(f, "closed_first", NULL), c->closed_first);
		assert_string_equal(str_or_dash(f, "close_kind", NULL), c->close_kind);
		assert_string_equal(str_or_dash(f, "time_wait", "side"), c->time_wait);
		check_events(d);
		json_decref(d);
	}
}

static void test_handshake_options(void **state)
{
	(void)state;
	json_t *d = run_case(hello_server_closes, 0, 0);
	json_t *f = json_array_get(json_object_get(d, "flows"), 0);
	json_int_t mss = 0, ws = 0, isn_c = 0, isn_s = 0;
	int sack = 0, ts = 0;

	assert_int_equal(json_unpack(json_object_get(f, "options"), "{s:{s:I,s:I,s:b,s:b}}", "client",
				     "mss", &mss, "wscale", &ws, "sack_permitted", &sack, "timestamps", &ts), 0);
	assert_int_equal(mss, 65495);
	assert_int_equal(ws, 7);
	assert_true(sack && ts);
	assert_non_null(json_object_get(json_object_get(f, "options"), "server"));
	assert_int_equal(json_unpack(json_object_get(f, "isn"), "{s:I,s:I}", "client", &isn_c,
				     "server", &isn_s), 0);
	assert_int_equal(isn_c, 1000);
	assert_int_equal(isn_s, 5000);
	/* The greeting: relative seq 1, ack 1, its preview, from the server. */
	json_t *g = json_array_get(json_object_get(d, "events"), 0);
	size_t i;
	json_array_foreach(json_object_get(d, "events"), i, g)
		if (json_object_get(g, "preview"))
			break;
	assert_string_equal(json_string_value(json_object_get(g, "preview")), "hello!");
	assert_string_equal(json_string_value(json_object_get(g, "from")), "server");
	assert_int_equal(json_integer_value(json_object_get(g, "seq")), 1);
	assert_int_equal(json_integer_value(json_object_get(g, "ack")), 1);
	assert_string_equal(json_string_value(json_object_get(g, "flags")), "PA");
	json_decref(d);
}

static void test_dup_ack_flagged(void **state)
{
	(void)state;
	json_t *d = run_case(dup_acks, 0, 0);
	json_t *f = json_array_get(json_object_get(d, "flows"), 0);
	json_t *evs = json_object_get(d, "events");
	json_t *last = json_array_get(evs, json_array_size(evs) - 1);

	assert_int_equal(json_integer_value(json_object_get(f, "dup_acks")), 1);
	assert_true(json_is_true(json_object_get(last, "dup_ack")));
	json_decref(d);
}

static void test_retransmission_flagged(void **state)
{
	(void)state;
	json_t *d = run_case(retransmission, 0, 0);
	json_t *f = json_array_get(json_object_get(d, "flows"), 0);
	json_t *e = json_array_get(json_object_get(d, "events"), 0);
	size_t i, flagged = 0;

	assert_int_equal(json_integer_value(json_object_get(f, "retransmissions")), 1);
	json_array_foreach(json_object_get(d, "events"), i, e)
		flagged += json_is_true(json_object_get(e, "retransmission"));
	assert_int_equal(flagged, 1);
	json_decref(d);
}

/* Simultaneous close: FIN_WAIT_1 -> CLOSING -> TIME_WAIT on both sides (RFC 9293 3.6). */
static void test_simultaneous_path(void **state)
{
	(void)state;
	json_t *d = run_case(simultaneous_close, 0, 0);
	json_t *e;
	size_t i;
	char path[2][128] = { "", "" };

	json_array_foreach(json_object_get(d, "events"), i, e) {
		if (strcmp(json_string_value(json_object_get(e, "type")), "state"))
			continue;
		int s = strcmp(json_string_value(json_object_get(e, "side")), "server") == 0;
		strncat(path[s], json_string_value(json_object_get(e, "to")), 127 - strlen(path[s]));
		strncat(path[s], " ", 127 - strlen(path[s]));
	}
	assert_string_equal(path[0], "SYN_SENT ESTABLISHED FIN_WAIT_1 CLOSING TIME_WAIT ");
	assert_string_equal(path[1], "SYN_RECEIVED ESTABLISHED FIN_WAIT_1 CLOSING TIME_WAIT ");
	json_decref(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_handshake_options),
		cmocka_unit_test(test_retransmission_flagged),
		cmocka_unit_test(test_dup_ack_flagged),
		cmocka_unit_test(test_simultaneous_path),
	};
	return cmocka_run_group_tests_name("trace_tcp", tests, NULL, NULL);
}
