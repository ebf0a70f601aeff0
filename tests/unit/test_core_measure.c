/* tests/unit/test_core_measure.c: the comparison's figures of a trace, their names and the table both the terminal and the page print. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "core/measure.h"

static json_t *parse(const char *s)
{
	json_error_t e;
	json_t *j = json_loads(s, 0, &e);

	if (!j)
		fail_msg("test JSON: %s (line %d)", e.text, e.line);
	return j;
}

/* A TCP flow that lost "Michael" once: the retransmission asks nothing new. */
static const char tcp_trace[] =
	"{\"format_version\": 2, \"capture\": {\"duration_us\": 250000},"
	" \"flows\": [{\"proto\": \"tcp\", \"packets\": {\"client\": 4, \"server\": 2},"
	"  \"ip_bytes\": {\"client\": 200, \"server\": 100}, \"frame_bytes\": {\"client\": 256, \"server\": 128},"
	"  \"payload_bytes\": {\"client\": 14, \"server\": 15}, \"retransmissions\": 1}],"
	" \"events\": ["
	"  {\"t_us\": -50, \"type\": \"call\", \"side\": \"client\"},"
	"  {\"t_us\": 0, \"type\": \"state\", \"side\": \"server\", \"to\": \"LISTEN\"},"
	"  {\"t_us\": 100, \"type\": \"packet\", \"from\": \"client\", \"flags\": \"S\", \"len\": 0},"
	"  {\"t_us\": 110, \"type\": \"packet\", \"from\": \"server\", \"flags\": \"SA\", \"len\": 0},"
	"  {\"t_us\": 120, \"type\": \"packet\", \"from\": \"client\", \"flags\": \"A\", \"len\": 0},"
	"  {\"t_us\": 130, \"type\": \"packet\", \"from\": \"client\", \"flags\": \"PA\", \"len\": 7, \"preview\": \"Michael\"},"
	"  {\"t_us\": 200130, \"type\": \"packet\", \"from\": \"client\", \"flags\": \"PA\", \"len\": 7,"
	"   \"preview\": \"Michael\", \"retransmission\": true},"
	"  {\"t_us\": 200150, \"type\": \"packet\", \"from\": \"server\", \"flags\": \"PA\", \"len\": 15,"
	"   \"preview\": \"Hello, Michael!\"}]}";

static void test_tcp(void **state)
{
	struct hello_measure m;
	json_t *t = parse(tcp_trace);
	char s[32];

	(void)state;
	hello_measure_trace(t, &m);
	assert_int_equal(m.v[HELLO_M_PACKETS], 6);
	assert_int_equal(m.v[HELLO_M_PACKETS_CLIENT], 4);
	assert_int_equal(m.v[HELLO_M_IP_BYTES], 300);
	assert_int_equal(m.v[HELLO_M_FRAME_BYTES], 384);
	assert_int_equal(m.v[HELLO_M_PAYLOAD_BYTES], 29);
	assert_int_equal(m.v[HELLO_M_ASKS], 2);		/* SYN, "Michael"; its copy asks nothing new */
	assert_int_equal(m.v[HELLO_M_FIRST_REPLY_US], 200050);	/* from the SYN, not from LISTEN at 0 */
	assert_int_equal(m.v[HELLO_M_REPLIES], 1);
	assert_int_equal(m.v[HELLO_M_RETRANSMISSIONS], 1);
	assert_int_equal(m.v[HELLO_M_UNANSWERED], -1);	/* not a UDP trace */
	assert_int_equal(m.v[HELLO_M_DURATION_US], 250000);
	hello_measure_fmt(&m, HELLO_M_FIRST_REPLY_US, s, sizeof(s));
	assert_string_equal(s, "200.050 ms");
	hello_measure_fmt(&m, HELLO_M_UNANSWERED, s, sizeof(s));
	assert_string_equal(s, "-");
	hello_measure_fmt(&m, HELLO_M_IP_BYTES, s, sizeof(s));
	assert_string_equal(s, "300");
	json_decref(t);
}

/* Version 1 named ip_bytes "bytes" and had no frame_bytes: read the one, leave the other unknown. */
static void test_version1(void **state)
{
	struct hello_measure m;
	json_t *t = parse("{\"flows\": [{\"proto\": \"udp\", \"packets\": {\"client\": 1, \"server\": 1},"
			  " \"bytes\": {\"client\": 40, \"server\": 48}, \"unanswered\": [], \"icmp_errors\": [3]}],"
			  " \"events\": []}");

	(void)state;
	hello_measure_trace(t, &m);
	assert_int_equal(m.v[HELLO_M_IP_BYTES], 88);
	assert_int_equal(m.v[HELLO_M_FRAME_BYTES], -1);
	assert_int_equal(m.v[HELLO_M_FIRST_REPLY_US], -1);	/* no reply seen */
	assert_int_equal(m.v[HELLO_M_UNANSWERED], 0);
	assert_int_equal(m.v[HELLO_M_RETRANSMISSIONS], -1);
	assert_int_equal(m.v[HELLO_M_ICMP_ERRORS], 1);
	assert_int_equal(m.v[HELLO_M_DURATION_US], -1);
	json_decref(t);
}

static void test_name(void **state)
{
	json_t *t = parse("{\"flows\": [{\"proto\": \"udp\"}]}"), *none = parse("{}");
	char s[64];

	(void)state;
	hello_measure_name(t, "out/udp-hello/trace.json", s, sizeof(s));
	assert_string_equal(s, "UDP (udp-hello)");
	hello_measure_name(t, "udp.json", s, sizeof(s));
	assert_string_equal(s, "UDP (udp.json)");
	hello_measure_name(t, "/trace.json", s, sizeof(s));
	assert_string_equal(s, "UDP (trace.json)");
	hello_measure_name(none, "-", s, sizeof(s));
	assert_string_equal(s, "? (-)");
	json_decref(t);
	json_decref(none);
}

/* Every label once, every line within 79 columns, the note wrapped under it. */
static void test_table(void **state)
{
	struct hello_measure m[2];
	const char *const names[2] = { "TCP (tcp-hello)", "UDP (udp-hello)" };
	json_t *t = parse(tcp_trace);
	char *buf = NULL, *line, *save;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int n = 0;

	(void)state;
	hello_measure_trace(t, &m[0]);
	hello_measure_trace(t, &m[1]);
	assert_int_equal(hello_measure_table(f, names, m), 0);
	hello_measure_footer(f);
	fclose(f);
	for (int id = 0; id < HELLO_M_N; id++) {
		char want[96];
		snprintf(want, sizeof(want), "\n  %s ", hello_measure_rows[id].label);
		assert_non_null(strstr(buf, want));
		assert_null(strstr(strstr(buf, want) + 1, want));
	}
	assert_non_null(strstr(buf, "counts from the client's first packet"));
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save), n++)
		assert_true(strlen(line) <= 79);
	assert_true(n > HELLO_M_N + 1);
	free(buf);
	json_decref(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp),
		cmocka_unit_test(test_version1),
		cmocka_unit_test(test_name),
		cmocka_unit_test(test_table),
	};
	return cmocka_run_group_tests_name("core_measure", tests, NULL, NULL);
}
