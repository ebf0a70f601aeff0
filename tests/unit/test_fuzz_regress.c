/* tests/unit/test_fuzz_regress.c: what the fuzzers found (tests/fuzz/), each kept as a test so it stays fixed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/addr.h"
#include "trace/json.h"
#include "trace/model.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_port_leading_space),
		cmocka_unit_test(test_finish_empty_capture),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
