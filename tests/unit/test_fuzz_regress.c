/* tests/unit/test_fuzz_regress.c: what the fuzzers and the fire suites found (tests/fuzz/, trace_fire*.sh), kept as tests. */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/addr.h"
#include "tests/lib/trace_build.h"
#include "trace/json.h"
#include "trace/model.h"
#include "trace/model_flow.h"
#include "trace/model_kernel.h"

/* fuzz_addr: strtoul skips leading white space, so "\v0", "\t80" and "\n9999" were taken as
 * ports although a space was refused; a port is digits only. */
static void test_port_leading_space(void **state)
{
	static const char *bad[] = { "\v0", "\t80", "\n9999", "\f1", "\r22", " 1" };
	uint16_t p = 0;
	char err[128];
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(hello_addr_parse_port(bad[i], 1, &p, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "is not a number"));
	}
	assert_int_equal(hello_addr_parse_port("080", 0, &p, err, sizeof(err)), 0);
	assert_int_equal(p, 80);
}

/* fuzz_offline: a pcap with a header and no packet made trace_model_finish call
 * qsort(NULL, 0, ...), undefined behaviour (UBSan: "null pointer passed as argument 1").
 * The sanitizer build of this suite is what fails without the fix. */
static void test_finish_empty_capture(void **state)
{
	struct trace_model_opts o = { 0 };
	char err[128];
	struct trace_model *m = trace_model_new(&o, err, sizeof(err));
	(void)state;
	assert_non_null(m);
	trace_model_set_capture(m, 0, "empty.pcap", NULL, 65535, 0, "NULL");
	trace_model_set_stop_reason(m, "end_of_file");
	assert_int_equal(trace_model_finish(m), 0);
	json_t *doc = trace_json_document(m);
	assert_non_null(doc);
	assert_int_equal(json_array_size(json_object_get(doc, "events")), 0);
	assert_int_equal(json_array_size(json_object_get(doc, "flows")), 0);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(doc, "capture"), "packets_seen")), 0);
	json_decref(doc);
	trace_model_free(m);
}

/* trace_fire_signals.sh: a live capture that lost packets (the kernel dropped them) saw only
 * the client's SYN, while the kernel reported the server's socket going through its
 * states. The disagreement listed "inferred": "NONE", which the schema refuses: a side
 * whose state the packets never told cannot disagree with the kernel. */
static void test_disagreement_unknown_side(void **state)
{
	static const struct tb_step syn_only[] = { { 'C', "S", 0, 0, 0, 0, 0 }, { 0, 0, 0, 0, 0, 0, 0 } };
	struct trace_model_opts o = { 0 };
	struct trace_kevent k;
	char err[128];
	struct trace_model *m = trace_model_new(&o, err, sizeof(err));
	(void)state;
	assert_non_null(m);
	trace_model_set_capture(m, 0, "lost.pcap", NULL, 65535, 1, "EN10MB");
	assert_int_equal(tb_run(m, syn_only, 0, 0), 0);
	memset(&k, 0, sizeof(k));
	k.ts_us = TB_T0 + 50;
	k.family = AF_INET;
	inet_pton(AF_INET, "10.0.0.2", k.saddr);	/* the server's socket */
	inet_pton(AF_INET, "10.0.0.1", k.daddr);
	k.sport = 9999, k.dport = 40000;
	k.oldstate = TRACE_ST_SYN_RECEIVED, k.newstate = TRACE_ST_ESTABLISHED;
	k.via = TRACE_VIA_TRACEPOINT, k.timer_ms = -1;
	assert_int_equal(trace_model_add_kevent(m, &k), 0);
	assert_int_equal(trace_model_finish(m), 0);
	json_t *doc = trace_json_document(m);
	json_t *dis = json_object_get(json_array_get(json_object_get(doc, "flows"), 0), "disagreements");
	size_t i;
	json_t *d;
	assert_int_equal(json_array_size(json_object_get(doc, "flows")), 1);
	json_array_foreach(dis, i, d)
		assert_string_not_equal(json_string_value(json_object_get(d, "inferred")), "NONE");
	json_decref(doc);
	trace_model_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_port_leading_space),
		cmocka_unit_test(test_finish_empty_capture),
		cmocka_unit_test(test_disagreement_unknown_side),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
