/* tests/unit/test_trace_udp.c: UDP request/reply pairing, lost requests, ICMP errors tied to the datagram they quote. */
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

static const struct tb_ep c4 = { 0, "10.0.0.1", 40000 }, s4 = { 0, "10.0.0.2", 9999 };
static const struct tb_ep c6 = { 1, "fd00::1", 40000 }, s6 = { 1, "fd00::2", 9999 };

/* One datagram script step: 'C' request, 'S' reply, 'I' ICMP port unreachable for the last request. */
struct dg {
	char who;
	const char *text;
};

static json_t *run(const struct dg *steps, int v6)
{
	char err[128];
	struct trace_model_opts o = { 0, 0, NULL, NULL };
	struct trace_model *m = trace_model_new(&o, err, sizeof(err));
	uint8_t f[512], last[512];
	size_t lastn = 0;
	const struct tb_ep *c = v6 ? &c6 : &c4, *s = v6 ? &s6 : &s4;

	assert_non_null(m);
	trace_model_set_capture(m, 0, "t", NULL, 65535, DLT_EN10MB, "EN10MB");
	for (int i = 0; steps[i].who; i++) {
		size_t n;
		if (steps[i].who == 'C') {
			n = tb_udp(f, sizeof(f), c, s, steps[i].text, strlen(steps[i].text));
			memcpy(last, f, n);
			lastn = n;
		} else if (steps[i].who == 'S') {
			n = tb_udp(f, sizeof(f), s, c, steps[i].text, strlen(steps[i].text));
		} else {
			n = tb_icmp_unreach(f, sizeof(f), s->addr, c->addr, v6, last, lastn);
		}
		assert_int_equal(trace_model_add_packet(m, TB_T0 + i * 1000, f, (uint32_t)n, (uint32_t)n), 0);
	}
	assert_int_equal(trace_model_finish(m), 0);
	json_t *d = trace_json_document(m);
	trace_model_free(m);
	return d;
}

static json_t *flow0(json_t *d)
{
	return json_array_get(json_object_get(d, "flows"), 0);
}

static json_int_t ival(json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

static void test_request_reply(void **state)
{
	(void)state;
	const struct dg steps[] = { { 'C', "Michael" }, { 'S', "Hello, Michael!" }, { 'C', "Tracy" },
				    { 'S', "Hello, Tracy!" }, { 'C', "Sarah" }, { 'S', "Hello, Sarah!" }, { 0, 0 } };
	for (int v6 = 0; v6 < 2; v6++) {
		json_t *d = run(steps, v6), *f = flow0(d);
		json_t *pairs = json_object_get(f, "pairs");
		assert_string_equal(json_string_value(json_object_get(f, "proto")), "udp");
		assert_int_equal(ival(json_object_get(f, "server"), "port"), 9999);
		assert_int_equal(json_array_size(pairs), 3);
		for (size_t i = 0; i < 3; i++) {
			json_t *p = json_array_get(pairs, i);
			assert_int_equal(ival(p, "request"), (json_int_t)(2 * i));
			assert_int_equal(ival(p, "reply"), (json_int_t)(2 * i + 1));
			assert_int_equal(ival(p, "rtt_us"), 1000);
		}
		assert_int_equal(json_array_size(json_object_get(f, "unanswered")), 0);
		assert_int_equal(ival(json_object_get(f, "datagrams"), "client"), 3);
		assert_int_equal(ival(json_object_get(f, "payload_bytes"), "server"), 15 + 13 + 13);
		json_decref(d);
	}
}

/* A lost request and its retry: the reply belongs to the retry, the first is unanswered. */
static void test_lost_request(void **state)
{
	(void)state;
	const struct dg steps[] = { { 'C', "Michael" }, { 'C', "Michael" }, { 'S', "Hello, Michael!" },
				    { 'C', "Tracy" }, { 0, 0 } };
	json_t *d = run(steps, 0), *f = flow0(d);
	json_t *p = json_array_get(json_object_get(f, "pairs"), 0);

	assert_int_equal(json_array_size(json_object_get(f, "pairs")), 1);
	assert_int_equal(ival(p, "request"), 1);
	assert_int_equal(ival(p, "reply"), 2);
	json_t *un = json_object_get(f, "unanswered");
	assert_int_equal(json_array_size(un), 2);
	assert_int_equal(json_integer_value(json_array_get(un, 0)), 0);
	assert_int_equal(json_integer_value(json_array_get(un, 1)), 3);
	json_decref(d);
}

/* A datagram to a closed port and the ICMP error that quotes it (v4 and v6). */
static void test_closed_port_icmp(void **state)
{
	(void)state;
	const struct dg steps[] = { { 'C', "Michael" }, { 'I', NULL }, { 0, 0 } };
	for (int v6 = 0; v6 < 2; v6++) {
		json_t *d = run(steps, v6), *f = flow0(d);
		json_t *errs = json_object_get(f, "icmp_errors");
		assert_int_equal(json_array_size(errs), 1);
		json_t *e = json_array_get(errs, 0);
		assert_int_equal(ival(e, "event"), 1);
		assert_int_equal(ival(e, "quoted_event"), 0);
		assert_int_equal(ival(e, "type"), v6 ? 1 : 3);
		assert_int_equal(ival(e, "code"), v6 ? 4 : 3);
		assert_string_equal(json_string_value(json_object_get(e, "text")), "port unreachable");
		json_t *un = json_object_get(f, "unanswered");
		assert_int_equal(json_array_size(un), 1);
		assert_int_equal(json_integer_value(json_array_get(un, 0)), 0);
		json_t *ev = json_array_get(json_object_get(d, "events"), 1);
		assert_string_equal(json_string_value(json_object_get(ev, "proto")), v6 ? "icmpv6" : "icmp");
		assert_int_equal(ival(ev, "flow"), 1);
		assert_string_equal(json_string_value(json_object_get(ev, "from")), "server");
		assert_int_equal(json_array_size(json_object_get(d, "flows")), 1);
		json_decref(d);
	}
}

/* The capture began with the server's reply: the port hint still names the server. */
static void test_server_port_hint(void **state)
{
	(void)state;
	const struct dg steps[] = { { 'S', "Hello, Michael!" }, { 'C', "Tracy" }, { 0, 0 } };
	json_t *d = run(steps, 0), *f = flow0(d);

	assert_int_equal(ival(json_object_get(f, "server"), "port"), 9999);
	assert_int_equal(ival(json_object_get(f, "client"), "port"), 40000);
	assert_int_equal(json_array_size(json_object_get(f, "pairs")), 0);
	assert_int_equal(json_array_size(json_object_get(f, "unanswered")), 1);
	json_decref(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_reply),
		cmocka_unit_test(test_lost_request),
		cmocka_unit_test(test_closed_port_icmp),
		cmocka_unit_test(test_server_port_hint),
	};
	return cmocka_run_group_tests_name("trace_udp", tests, NULL, NULL);
}
