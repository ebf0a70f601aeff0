/* tests/unit/test_lab_check.c: the labs' check language: selectors, filters, functions, errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "runner/lab_check.h"
#include "runner/lab_check_eval.h"

/* A context shaped like a run's: a trace's top level plus steps and impair. */
static const char *ctx_text =
	"{\"flows\": ["
	"  {\"id\": 1, \"proto\": \"tcp\", \"conn_state\": \"SF\", \"retransmissions\": 1,"
	"   \"closed_first\": \"server\", \"time_wait\": {\"side\": \"server\", \"timer_ms\": 59800},"
	"   \"packets\": {\"client\": 6, \"server\": 5}},"
	"  {\"id\": 2, \"proto\": \"udp\", \"unanswered\": [4, 7], \"datagrams\": {\"client\": 3}},"
	"  {\"id\": 3, \"proto\": \"tcp\", \"conn_state\": \"REJ\", \"retransmissions\": 2}],"
	" \"events\": ["
	"  {\"type\": \"packet\", \"from\": \"client\", \"flags\": \"S\"},"
	"  {\"type\": \"packet\", \"from\": \"server\", \"flags\": \"SA\"},"
	"  {\"type\": \"packet\", \"from\": \"server\", \"flags\": \"PA\", \"preview\": \"hello!\"},"
	"  {\"type\": \"packet\", \"from\": \"client\", \"flags\": \"A\", \"retransmission\": true},"
	"  {\"type\": \"state\", \"side\": \"server\", \"to\": \"TIME_WAIT\", \"source\": \"kernel\"}],"
	" \"steps\": {\"client\": {\"exit\": 0, \"ms\": 12, \"lines\": [\"hello!\", \"Hello, Michael!\"]},"
	"            \"iter-c3\": {\"exit\": 0, \"ms\": 300}, \"event-c3\": {\"exit\": 0, \"ms\": 100}},"
	" \"impair\": {\"lose-tracy\": {\"dropped\": 1}}}";

static json_t *ctx;

static int setup(void **state)
{
	json_error_t je;
	(void)state;
	ctx = json_loads(ctx_text, 0, &je);
	if (!ctx)
		fprintf(stderr, "context: %s\n", je.text);
	return ctx ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	json_decref(ctx);
	return 0;
}

/* Runs expr; returns its result and leaves what it observed in obs. */
static char obs[1024];
static char err[256];
static int run(const char *expr)
{
	int rc = lab_check_run(expr, ctx, obs, sizeof obs, err, sizeof err);
	if (rc < 0)
		fprintf(stderr, "parse error in %s: %s\n", expr, err);
	return rc;
}

static void test_paths_and_filters(void **state)
{
	(void)state;
	assert_int_equal(run("flows[proto=tcp][0].time_wait.side == 'server'"), 1);
	assert_int_equal(run("flows[proto=tcp][1].conn_state == \"REJ\""), 1);
	assert_int_equal(run("flows[proto=tcp][-1].conn_state == 'REJ'"), 1);
	assert_int_equal(run("flows[0].packets.client = 6"), 1);
	assert_int_equal(run("flows[proto=udp][0].datagrams.client >= 3"), 1);
	assert_int_equal(run("impair.lose-tracy.dropped == 1"), 1);
	assert_int_equal(run("steps.client.exit == 0 && steps.client.ms < 1000"), 1);
}

static void test_failure_shows_observed(void **state)
{
	(void)state;
	assert_int_equal(run("flows[proto=tcp][0].time_wait.side == 'client'"), 0);
	assert_string_equal(obs, "flows[proto=tcp][0].time_wait.side = \"server\"");
	assert_int_equal(run("flows[proto=udp][0].time_wait.side == 'client'"), 0);
	assert_non_null(strstr(obs, "missing (flows[proto=udp][0] has no 'time_wait')"));
	assert_int_equal(run("flows[proto=tcp][5].conn_state == 'SF'"), 0);
	assert_non_null(strstr(obs, "missing (flows[proto=tcp] has 2 elements, no [5])"));
	assert_int_equal(run("flows[0].conn_state < 3"), 0);
	assert_non_null(strstr(obs, "cannot be compared"));
}

static void test_functions(void **state)
{
	(void)state;
	assert_int_equal(run("count(flows[proto=tcp]) == 2"), 1);
	assert_int_equal(run("count(events[type=packet, retransmission]) == 1"), 1);
	assert_int_equal(run("count(events[type=packet && from=server]) == 2"), 1);
	assert_int_equal(run("count(nothing.here) == 0"), 1);
	assert_int_equal(run("sum(flows.retransmissions) == 3"), 1);
	assert_int_equal(run("max(flows[proto=tcp].retransmissions) == 2"), 1);
	assert_int_equal(run("min(flows[proto=tcp].retransmissions) == 1"), 1);
	assert_int_equal(run("len(flows[proto=udp][0].unanswered) == 2"), 1);
	assert_int_equal(run("exists(flows[0].time_wait)"), 1);
	assert_int_equal(run("!exists(flows[1].time_wait)"), 1);
	assert_int_equal(run("count(steps.client.lines[@ ~ '^Hello, ']) == 1"), 1);
	assert_int_equal(run("count(flows[proto=tcp])"), 1);
	assert_string_equal(obs, "count(flows[proto=tcp]) = 2");
}

static void test_operators(void **state)
{
	(void)state;
	assert_int_equal(run("steps.iter-c3.ms > 2 * steps.event-c3.ms"), 1);
	assert_int_equal(run("steps.iter-c3.ms - steps.event-c3.ms == 200"), 1);
	assert_int_equal(run("steps.iter-c3.ms / steps.event-c3.ms >= 2.5"), 1);
	assert_int_equal(run("events[2].preview ~ 'hel+o!'"), 1);
	assert_int_equal(run("events[2].preview !~ '^Hello'"), 1);
	assert_int_equal(run("flows[0].conn_state == 'SF' || flows[0].conn_state == 'S1'"), 1);
	assert_int_equal(run("(flows[0].conn_state == 'S1') || false"), 0);
	assert_int_equal(run("flows[0].retransmissions != 0"), 1);
	assert_int_equal(run("-1 < flows[0].retransmissions"), 1);
	assert_int_equal(run("events[4].source == 'kernel' && events[4].to == 'TIME_WAIT'"), 1);
}

/* all(LIST, COND...): every element holds; the observation names the first that does not. */
static void test_all(void **state)
{
	(void)state;
	assert_int_equal(run("all(events[type=packet], from ~ '^(client|server)$')"), 1);
	assert_non_null(strstr(obs, "(every one of 4 holds)"));
	assert_int_equal(run("all(flows[proto=tcp], retransmissions >= 1, conn_state ~ '^(SF|REJ)$')"), 1);
	assert_int_equal(run("all(flows[proto=tcp], conn_state=SF)"), 0);
	assert_string_equal(obs, "all(flows[proto=tcp], conn_state=SF) = false ([1] of 2 does not hold: "
			    "conn_state = \"REJ\")");
	assert_int_equal(run("all(steps.client.lines, @ ~ '^[Hh]ello')"), 1);
	assert_int_equal(run("all(steps.client.lines, @ ~ '^Hello, ')"), 0);
	assert_non_null(strstr(obs, "[0] of 2 does not hold: @ = \"hello!\""));
	/* a field missing in an element does not hold */
	assert_int_equal(run("all(flows, retransmissions >= 0)"), 0);
	assert_non_null(strstr(obs, "[1] of 3 does not hold: retransmissions = missing"));
	/* no elements: true, as in logic, and the observation says why */
	assert_int_equal(run("all(flows[proto=sctp], conn_state=SF)"), 1);
	assert_non_null(strstr(obs, "no elements: true, as nothing fails"));
	assert_int_equal(run("count(flows[proto=sctp]) >= 1 && all(flows[proto=sctp], conn_state=SF)"), 0);
	/* a mapped list, and conditions joined with && as in a filter */
	assert_int_equal(run("all(flows[proto=tcp].retransmissions, @ > 0 && @ < 3)"), 1);
	/* not a list, or missing: the check fails and says so */
	assert_int_equal(run("all(flows[0], id=1)"), 0);
	assert_non_null(strstr(obs, "is not a list"));
	assert_int_equal(run("all(nothing.here, id=1)"), 0);
	assert_non_null(strstr(obs, "missing"));
}

/* A long operand (a generated text filled in) is named by its start in the observation. */
static void test_long_operand(void **state)
{
	char expr[600];

	(void)state;
	snprintf(expr, sizeof expr, "steps.client.lines[@ == '%0300d'][0] == 'x'", 0);
	assert_int_equal(run(expr), 0);
	assert_true(strlen(obs) < 200);
	assert_non_null(strstr(obs, "... = missing"));
}

static void test_syntax_errors(void **state)
{
	static const struct { const char *expr; const char *msg; } bad[] = {
		{ "", "empty check" },
		{ "flows[proto=tcp", "expected ']'" },
		{ "flows[0].side == 'x", "unterminated string" },
		{ "flows[0] == == 1", "expected a value" },
		{ "frob(flows) == 1", "unknown function 'frob'" },
		{ "flows[0] == 1 )", "unexpected ')'" },
		{ "flows[0] # 1", "unexpected character '#'" },
		{ "flows.", "expected a field name" },
		{ "count(flows", "expected ')'" },
		{ "all(flows)", "expected ',' and a condition: all(LIST, COND, ...)" },
		{ "all(flows, )", "expected a field name" },
		{ "all(flows, proto=tcp", "expected ')'" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct lab_check *c = lab_check_parse(bad[i].expr, err, sizeof err);
		if (c || !strstr(err, bad[i].msg))
			fail_msg("\"%s\": wanted an error with \"%s\", got \"%s\"", bad[i].expr,
				 bad[i].msg, c ? "(parsed)" : err);
		assert_non_null(strstr(err, "col "));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paths_and_filters),
		cmocka_unit_test(test_failure_shows_observed),
		cmocka_unit_test(test_functions),
		cmocka_unit_test(test_operators),
		cmocka_unit_test(test_all),
		cmocka_unit_test(test_long_operand),
		cmocka_unit_test(test_syntax_errors),
	};
	return cmocka_run_group_tests_name("lab_check", tests, setup, teardown);
}
