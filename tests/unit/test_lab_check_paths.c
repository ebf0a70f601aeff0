/* tests/unit/test_lab_check_paths.c: a check's paths held against the trace schema and the lab's steps when the lab loads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "runner/lab_check.h"
#include "runner/lab_check_paths.h"

static json_t *schema;

static int setup(void **state)
{
	static const char *const steps[] = { "server", "client", "iter-c1" };
	char err[256];

	(void)state;
	schema = lab_check_context_schema(steps, 3, err, sizeof err);
	if (!schema)
		fprintf(stderr, "schema: %s\n", err);
	return schema ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	json_decref(schema);
	return 0;
}

/* paths(expr, err): 0 when every path of expr can hold a value. */
static int paths(const char *expr, char *err, size_t errlen)
{
	struct lab_check *c = lab_check_parse(expr, err, errlen);
	int rc;

	if (!c)
		fail_msg("\"%s\" does not parse: %s", expr, err);
	rc = lab_check_paths(c, schema, err, errlen);
	lab_check_free(c);
	return rc;
}

/* Every check of the shipped labs has this shape; none may be refused. */
static void test_good_paths(void **state)
{
	static const char *const good[] = {
		"flows[proto=tcp][0].time_wait.side == 'server'",
		"count(events[type=packet, from=server, flags~'R']) == 1",
		"!exists(flows[proto=tcp][0].time_wait)",
		"count(events[type=state, side=client, to=TIME_WAIT]) >= 1",
		"flows[0].states.server.final == 'TIME_WAIT'",
		"count(steps.client.lines[@ ~ '^Hello, ']) == 3 && steps.server.exit == 0",
		"count(step_list[name~'-c[123]$', exit=0]) == 9",
		"max(flows[proto=tcp, server.port=9999].duration_us) >= 2 * min(flows[proto=tcp].duration_us)",
		"flows[proto=tcp].retransmissions",
		"capture.packets_seen > 0 && run.port == 9999 && impair.lose.dropped == 1",
		"events[type=packet][1].flags ~ 'R' && events[type=packet][1].from == 'server'",
		"sum(flows[proto=udp].datagrams.client) == 3",
		"all(flows[proto=tcp], conn_state=SF, time_wait.side=server)",
		"all(events[type=packet, from=client], len <= 1024)",
		"all(step_list[name~'^c'], exit=0)",
		"all(steps.client.lines, @ !~ 'error')",
		"all(flows.packets, client >= 1)",
	};
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof good / sizeof good[0]; i++)
		if (paths(good[i], err, sizeof err) != 0)
			fail_msg("\"%s\" was refused: %s", good[i], err);
}

/* What a teacher mistypes is refused at load, saying where and what was meant. */
static void test_bad_paths(void **state)
{
	static const struct { const char *expr, *msg; } bad[] = {
		{ "count(flows[protocol=tcp]) == 1", "flows[protocol: no such field 'protocol' (did you mean 'proto'?)" },
		{ "flows[0].time_wiat.side == 'server'", "no such field 'time_wiat' (did you mean 'time_wait'?)" },
		{ "count(flows[proto=TCP]) == 1", "never holds 'TCP'" },
		{ "flows[0].time_wait.side == 'sever'", "never holds 'sever' (it is one of: client, server, both)" },
		{ "steps.clinet.exit == 0", "no such field 'clinet' (did you mean 'client'?)" },
		{ "count(step_list[name='cilent']) == 1", "never holds 'cilent'" },
		{ "capture[0].file == 'x'", "capture: is not a list" },
		{ "flow[0].id == 1", "no such field 'flow' (did you mean 'flows'?)" },
		{ "count(events[type=packet, flgas~'S']) == 1", "no such field 'flgas' (did you mean 'flags'?)" },
		{ "all(flows, conn_stat=SF)", "no such field 'conn_stat' (did you mean 'conn_state'?)" },
		{ "all(flows[proto=tcp], time_wait.side=sever)", "never holds 'sever'" },
		{ "all(step_list, exti=0)", "no such field 'exti' (did you mean 'exit'?)" },
		{ "all(capture, source=live)", "capture: is not a list" },
		{ "all(flws, id=1)", "no such field 'flws'" },
	};
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err[0] = '\0';
		if (paths(bad[i].expr, err, sizeof err) != -1 || !strstr(err, bad[i].msg))
			fail_msg("\"%s\": wanted an error with \"%s\", got \"%s\"", bad[i].expr, bad[i].msg, err);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_paths),
		cmocka_unit_test(test_bad_paths),
	};
	return cmocka_run_group_tests_name("lab_check_paths", tests, setup, teardown);
}
