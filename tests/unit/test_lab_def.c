/* tests/unit/test_lab_def.c: lab definitions: a good one loads, each mistake is named precisely. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner/lab_def.h"
#include "runner/lab_result.h"
#include "runner/lab_run.h"

static const char *good =
	"{\"goal\": \"see it\", \"protocol\": \"tcp\", \"port\": 9100,"
	" \"impair\": [{\"name\": \"lose\", \"proto\": \"tcp\", \"from\": \"client\", \"nth\": 5},"
	"             {\"name\": \"fin\", \"proto\": \"tcp\", \"from\": \"server\", \"flags\": \"fin\"}],"
	" \"steps\": [{\"name\": \"server\", \"run\": [\"hello-tcp-server\", \"--port\", \"{port}\"],"
	"             \"background\": true, \"ready\": {\"listen\": \"tcp\"}},"
	"            {\"name\": \"client\", \"run\": [\"hello-tcp-client\", \"--port\", \"{port+1}\"]},"
	"            {\"sleep_ms\": 50}, {\"wait_socket\": \"TIME_WAIT\", \"port\": \"{port}\"},"
	"            {\"stop\": \"server\", \"signal\": \"INT\"}],"
	" \"expect\": [\"steps.client.exit == 0\","
	"            {\"check\": \"flows[0].conn_state == 'SF'\", \"why\": \"normal close\"}]}";

static struct lab_def *load(const char *text, char *err, size_t errlen)
{
	json_error_t je;
	json_t *j = json_loads(text, 0, &je);
	struct lab_def *d;

	if (!j)
		fail_msg("test JSON does not parse: %s: %s", text, je.text);
	d = lab_def_from_json(j, "demo", "demo/lab.json", err, errlen);
	json_decref(j);
	return d;
}

static void test_good_definition(void **state)
{
	char err[256] = "";
	struct lab_def *d = load(good, err, sizeof err);

	(void)state;
	if (!d)
		fail_msg("%s", err);
	assert_int_equal(d->port, 9100);
	assert_int_equal(d->topo, LAB_TOPO_LOOPBACK);
	assert_int_equal(d->nsteps, 5);
	assert_int_equal(d->steps[0].background, 1);
	assert_string_equal(d->steps[0].ready_proto, "tcp");
	assert_string_equal(d->steps[1].argv[2], "{port+1}");
	assert_int_equal(d->steps[2].kind, LAB_STEP_SLEEP);
	assert_int_equal(d->steps[3].kind, LAB_STEP_WAIT_SOCKET);
	assert_int_equal(d->steps[4].kind, LAB_STEP_STOP);
	assert_int_equal(d->nimpair, 2);
	assert_int_equal(d->impair[0].kind, LAB_IMP_NTH);
	assert_int_equal(d->impair[1].kind, LAB_IMP_FLAGS);
	assert_int_equal(d->nexpect, 2);
	assert_string_equal(d->expect[1].why, "normal close");
	assert_string_equal(d->filter, "tcp port {port}");
	lab_def_free(d);
}

/* Each mistake in a copy of the good definition, and the words its message must hold. */
static void test_bad_definitions(void **state)
{
	static const struct { const char *from, *to, *msg; } bad[] = {
		{ "\"background\"", "\"backgroud\"", "steps[0]: unknown key 'backgroud'" },
		{ "\"goal\": \"see it\",", "", "'goal' is missing" },
		{ "\"port\": 9100", "\"port\": 70000", "'port' must be a whole number from 1 to 65535" },
		{ "\"nth\": 5", "\"nth\": \"5\"", "impair[0]: 'nth' must be a whole number" },
		{ "\"flags\": \"fin\"", "\"flags\": \"urg\"", "impair[1]: 'flags' is \"urg\"" },
		{ "\"from\": \"client\"", "\"from\": \"lab\"", "'from' must be client or server" },
		{ "\"{port+1}\"", "\"{prot}\"", "steps[1]: unknown placeholder \"{prot}\"" },
		{ "\"name\": \"client\"", "\"name\": \"server\"", "a step named \"server\" already exists" },
		{ "{\"sleep_ms\": 50}", "{\"sleep_ms\": 50, \"stop\": \"x\"}", "steps[2]: a step has exactly one of" },
		{ "\"stop\": \"server\"", "\"stop\": \"nobody\"", "no earlier background step named \"nobody\"" },
		{ "flows[0].conn_state == 'SF'", "flows[0].conn_state == 'SF", "expect[1]: check" },
		{ "\"steps.client.exit == 0\"", "17", "expect[0]: must be a check (a string) or {\"check\": ..., \"why\": ...}" },
		{ "\"protocol\": \"tcp\"", "\"protocol\": \"tcp\", \"topology\": \"star\"", "'topology' is \"star\"" },
		{ "\"listen\": \"tcp\"", "\"listen\": \"sctp\"", "steps[0].ready: 'listen' is \"sctp\"" },
		{ "flows[0].conn_state", "flows[{prot}].conn_state", "expect[1]: check \"flows[{prot}]" },
		{ "flows[0].conn_state == 'SF'", "flows[server.port={port}].x ==", "expect[1]: check \"flows[server.port={port}]" },
		{ "\"nth\": 5", "\"nth\": 5, \"hold\": true", "impair[0]: 'hold' goes with 'flags'" },
		{ "\"flags\": \"fin\"", "\"flags\": \"fin\", \"hold\": 1", "impair[1]: 'hold' must be true or false" },
		{ "\"port\": \"{port}\"}", "\"port\": \"{port}\", \"count\": 0}", "steps[3]: 'count' must be a whole number from 1 to 64" },
	};
	char text[4096], err[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		const char *at = strstr(good, bad[i].from);
		struct lab_def *d;
		assert_non_null(at);
		snprintf(text, sizeof text, "%.*s%s%s", (int)(at - good), good, bad[i].to,
			 at + strlen(bad[i].from));
		err[0] = '\0';
		d = load(text, err, sizeof err);
		if (d || !strstr(err, bad[i].msg))
			fail_msg("case %zu: wanted \"%s\", got \"%s\"", i, bad[i].msg, d ? "(loaded)" : err);
		assert_non_null(strstr(err, "demo/lab.json: "));
	}
}

static void test_two_hosts_needs_ns(void **state)
{
	char err[256];
	struct lab_def *d = load("{\"goal\": \"g\", \"protocol\": \"tcp\", \"topology\": \"two-hosts\","
				 " \"steps\": [{\"name\": \"s\", \"ns\": \"lab\", \"run\": [\"true\"]}],"
				 " \"expect\": [\"steps.s.exit == 0\"]}", err, sizeof err);
	(void)state;
	assert_null(d);
	assert_non_null(strstr(err, "'ns' must be client or server"));
}

static void test_hold_needs_loopback(void **state)
{
	char err[256];
	struct lab_def *d = load("{\"goal\": \"g\", \"protocol\": \"tcp\", \"topology\": \"two-hosts\","
				 " \"impair\": [{\"name\": \"f\", \"proto\": \"tcp\", \"from\": \"client\","
				 " \"flags\": \"fin\", \"hold\": true}],"
				 " \"steps\": [{\"name\": \"s\", \"ns\": \"client\", \"run\": [\"true\"]}],"
				 " \"expect\": [\"steps.s.exit == 0\"]}", err, sizeof err);
	(void)state;
	assert_null(d);
	assert_non_null(strstr(err, "impair[0]: 'hold' needs the loopback topology"));
}

static void test_expand(void **state)
{
	struct lab_vars v = { 9999, "10.0.0.2", "10.0.0.1", "/l", "/o", 0 };
	char buf[64], err[200];

	(void)state;
	assert_int_equal(lab_vars_expand("{server}:{port}", &v, buf, sizeof buf, err, sizeof err), 0);
	assert_string_equal(buf, "10.0.0.2:9999");
	assert_int_equal(lab_vars_expand("{port+12}-{client}{out}", &v, buf, sizeof buf, err, sizeof err), 0);
	assert_string_equal(buf, "10011-10.0.0.1/o");
	assert_int_equal(lab_vars_expand("{port+123}", &v, buf, sizeof buf, err, sizeof err), -1);
	assert_int_equal(lab_vars_expand("{port", &v, buf, sizeof buf, err, sizeof err), -1);
	assert_int_equal(lab_vars_expand("{server}{server}{server}{server}{server}{server}{server}{server}{server}",
					&v, buf, sizeof buf, err, sizeof err), -1);
	assert_non_null(strstr(err, "longer than"));
}

/* {repeat:TEXT:N}: generated text, e.g. a name longer than the server's buffer; shown as
 * written where a person reads the check. A '{' before a digit is a regex bound. */
static void test_repeat(void **state)
{
	struct lab_vars v = { 9999, "s", "c", "/l", "/o", 0 };
	char buf[64], err[200], *long_one;

	(void)state;
	assert_int_equal(lab_vars_expand("<{repeat:ab:3}>", &v, buf, sizeof buf, err, sizeof err), 0);
	assert_string_equal(buf, "<ababab>");
	assert_int_equal(lab_vars_expand("{repeat:a:b:2}{port}", &v, buf, sizeof buf, err, sizeof err), 0);
	assert_string_equal(buf, "a:ba:b9999");
	assert_int_equal(lab_vars_expand("^a{3}!$ {port}", &v, buf, sizeof buf, err, sizeof err), 0);
	assert_string_equal(buf, "^a{3}!$ 9999");
	long_one = lab_vars_alloc("Hello, {repeat:a:3000}!", &v, err, sizeof err);
	assert_non_null(long_one);
	assert_int_equal(strlen(long_one), 3008);
	assert_int_equal(long_one[3006], 'a');
	free(long_one);
	assert_int_equal(lab_vars_expand("{repeat:a:100}", &v, buf, sizeof buf, err, sizeof err), -1);
	assert_non_null(strstr(err, "longer than 63 bytes"));
	v.keep_repeat = 1;
	assert_int_equal(lab_vars_expand("{repeat:a:1000} {port}", &v, buf, sizeof buf, err, sizeof err), 0);
	assert_string_equal(buf, "{repeat:a:1000} 9999");
	v.keep_repeat = 0;
	static const struct { const char *in, *msg; } bad[] = {
		{ "{repeat:a}", "write {repeat:TEXT:N}" },
		{ "{repeat::5}", "write {repeat:TEXT:N}" },
		{ "{repeat:a:0}", "from 1 to 65536" },
		{ "{repeat:a:65537}", "from 1 to 65536" },
		{ "{repeat:a:5x}", "from 1 to 65536" },
		{ "{prot}", "unknown placeholder \"{prot}\"" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err[0] = '\0';
		if (lab_vars_expand(bad[i].in, &v, buf, sizeof buf, err, sizeof err) != -1 || !strstr(err, bad[i].msg))
			fail_msg("%s: wanted \"%s\", got \"%s\"", bad[i].in, bad[i].msg, err);
	}
}

/* A check with {repeat:...} is evaluated with the text and shown as written. */
static void test_check_repeat(void **state)
{
	char err[256] = "";
	struct lab_def *d = load("{\"goal\": \"g\", \"protocol\": \"tcp\", \"steps\": [{\"name\": \"c\","
				 " \"run\": [\"echo\", \"{repeat:xy:600}\"]}],"
				 " \"expect\": [\"steps.c.lines[0] == '{repeat:xy:600}'\","
				 "              \"steps.c.lines[0] ~ '^(xy){600}$'\"]}", err, sizeof err);
	json_t *ctx = json_pack("{s:{s:{s:[s#]}}}", "steps", "c", "lines", "", 0), *checks = json_array();
	struct lab_vars v = { 9000, "127.0.0.1", "127.0.0.1", ".", ".", 0 };
	char *line;

	(void)state;
	if (!d)
		fail_msg("%s", err);
	assert_string_equal(d->steps[0].argv[1], "{repeat:xy:600}");
	line = lab_vars_alloc("{repeat:xy:600}", &v, err, sizeof err);
	json_array_set_new(json_object_get(json_object_get(json_object_get(ctx, "steps"), "c"), "lines"), 0,
			   json_string(line));
	free(line);
	assert_int_equal(lab_result_checks(d, &v, ctx, checks, NULL, 0), 0);
	assert_string_equal(json_string_value(json_object_get(json_array_get(checks, 0), "check")),
			    "steps.c.lines[0] == '{repeat:xy:600}'");
	json_decref(checks);
	json_decref(ctx);
	lab_def_free(d);
}

/* A check's placeholders take the run's values: the same lab checks the right server
 * whatever --port was, and result.json shows the check as evaluated. */
static void test_check_placeholders(void **state)
{
	char err[256] = "";
	struct lab_def *d = load("{\"goal\": \"g\", \"protocol\": \"tcp\", \"steps\": [{\"name\": \"s\","
				 " \"run\": [\"true\"]}], \"expect\": [\"flows[server.port={port+1}][0].id == 2\"]}",
				 err, sizeof err);
	json_t *ctx = json_loads("{\"flows\": [{\"id\": 1, \"server\": {\"port\": 9000}},"
				 " {\"id\": 2, \"server\": {\"port\": 9001}}]}", 0, NULL);
	struct lab_vars v = { 9000, "127.0.0.1", "127.0.0.1", ".", ".", 0 };

	(void)state;
	if (!d)
		fail_msg("%s", err);
	assert_non_null(ctx);
	for (int port = 9000; port <= 9001; port++) {
		json_t *checks = json_array();
		v.port = port;
		assert_int_equal(lab_result_checks(d, &v, ctx, checks, NULL, 0), port == 9000 ? 0 : 1);
		json_t *c = json_array_get(checks, 0);
		assert_string_equal(json_string_value(json_object_get(c, "check")),
				    port == 9000 ? "flows[server.port=9001][0].id == 2" : "flows[server.port=9002][0].id == 2");
		json_decref(checks);
	}
	json_decref(ctx);
	lab_def_free(d);
}

static void test_load_file_errors(void **state)
{
	char err[256];

	(void)state;
	assert_null(lab_def_load("/nonexistent/lab-x", err, sizeof err));
	assert_non_null(strstr(err, "/nonexistent/lab-x/lab.json"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_definition),
		cmocka_unit_test(test_bad_definitions),
		cmocka_unit_test(test_two_hosts_needs_ns),
		cmocka_unit_test(test_expand),
		cmocka_unit_test(test_repeat),
		cmocka_unit_test(test_check_repeat),
		cmocka_unit_test(test_check_placeholders),
		cmocka_unit_test(test_hold_needs_loopback),
		cmocka_unit_test(test_load_file_errors),
	};
	return cmocka_run_group_tests_name("lab_def", tests, NULL, NULL);
}
