/* tests/unit/test_core_opt.c: number parsing with ranges, the common options, the bounded output buffer. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "core/opt.h"
#include "core/outbuf.h"

static void test_long(void **state)
{
	long v;
	char err[128];
	(void)state;
	assert_int_equal(hello_opt_long("--backlog", "5", 0, 100, &v, err, sizeof(err)), 0);
	assert_int_equal(v, 5);
	assert_int_equal(hello_opt_long("--delay", "0", 0, 60000, &v, err, sizeof(err)), 0);
	assert_int_equal(v, 0);
	assert_int_equal(hello_opt_long("--delay", "-1", 0, 60000, &v, err, sizeof(err)), -1);
	assert_string_equal(err, "--delay: -1 is out of range 0..60000");
	assert_int_equal(hello_opt_long("--delay", "1s", 0, 60000, &v, err, sizeof(err)), -1);
	assert_string_equal(err, "--delay: '1s' is not a number");
	assert_int_equal(hello_opt_long("--delay", "", 0, 60000, &v, err, sizeof(err)), -1);
	assert_int_equal(hello_opt_long("--count", "99999999999999999999999", 1, 1000, &v, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "out of range"));
}

static void test_common(void **state)
{
	struct hello_common c;
	char err[128];
	int fam;
	(void)state;
	hello_opt_common_init(&c, 0);
	assert_int_equal(c.port, 9999);
	assert_int_equal(hello_opt_common(&c, HELLO_OPT_PORT, "8080", err, sizeof(err)), 1);
	assert_int_equal(c.port, 8080);
	assert_int_equal(hello_opt_common(&c, HELLO_OPT_PORT, "0", err, sizeof(err)), -1);
	assert_string_equal(err, "--port: 0 is out of range 1..65535");
	assert_int_equal(hello_opt_common(&c, HELLO_OPT_FRAMING, "line", err, sizeof(err)), 1);
	assert_int_equal(c.framing, HELLO_FRAMING_LINE);
	assert_int_equal(hello_opt_common(&c, HELLO_OPT_FRAMING, "crlf", err, sizeof(err)), -1);
	assert_int_equal(hello_opt_common(&c, 'x', NULL, err, sizeof(err)), 0);
	assert_int_equal(hello_opt_common_finish(&c, &fam, err, sizeof(err)), 0);
	assert_int_equal(fam, AF_UNSPEC);
	assert_string_equal(c.host, "127.0.0.1");
	hello_opt_common_init(&c, 1);
	assert_int_equal(hello_opt_common(&c, HELLO_OPT_PORT, "0", err, sizeof(err)), 1);
	assert_int_equal(hello_opt_common(&c, '6', NULL, err, sizeof(err)), 1);
	assert_int_equal(hello_opt_common_finish(&c, &fam, err, sizeof(err)), 0);
	assert_int_equal(fam, AF_INET6);
	assert_string_equal(c.host, "::1");
}

static void test_getopt_error(void **state)
{
	char err[128];
	(void)state;
	hello_opt_getopt_error(0, "--no-such-flag", err, sizeof(err));
	assert_string_equal(err, "unknown option '--no-such-flag'");
	hello_opt_getopt_error('x', "-x", err, sizeof(err));
	assert_string_equal(err, "unknown option '-x'");
	hello_opt_getopt_error(HELLO_OPT_PORT, "--port", err, sizeof(err));
	assert_string_equal(err, "option '--port' needs a value");
}

static void test_common_hostport(void **state)
{
	struct hello_common c;
	char err[128];
	int fam;
	(void)state;
	hello_opt_common_init(&c, 0);
	assert_int_equal(hello_opt_common(&c, HELLO_OPT_HOST, "[::1]:8080", err, sizeof(err)), 1);
	assert_int_equal(hello_opt_common_finish(&c, &fam, err, sizeof(err)), 0);
	assert_string_equal(c.host, "[::1]");
	assert_int_equal(c.port, 8080);
	/* An explicit --port wins over the one in --host. */
	hello_opt_common_init(&c, 0);
	assert_int_equal(hello_opt_common(&c, HELLO_OPT_PORT, "7001", err, sizeof(err)), 1);
	assert_int_equal(hello_opt_common(&c, HELLO_OPT_HOST, "10.0.0.1:8080", err, sizeof(err)), 1);
	assert_int_equal(hello_opt_common_finish(&c, &fam, err, sizeof(err)), 0);
	assert_string_equal(c.host, "10.0.0.1");
	assert_int_equal(c.port, 7001);
	hello_opt_common_init(&c, 0);
	assert_int_equal(hello_opt_common(&c, HELLO_OPT_HOST, "10.0.0.1:99999", err, sizeof(err)), 1);
	assert_int_equal(hello_opt_common_finish(&c, &fam, err, sizeof(err)), -1);
	assert_string_equal(err, "--host: port 99999 is out of range 1..65535");
	hello_opt_common_init(&c, 0);
	assert_int_equal(hello_opt_common(&c, HELLO_OPT_HOST, "[::1", err, sizeof(err)), 1);
	assert_int_equal(hello_opt_common_finish(&c, &fam, err, sizeof(err)), -1);
	assert_string_equal(err, "--host: address '[::1': missing ']'");
}

/* hello_opt_next: common options handled inside, program options handed back, errors said. */
static void test_next(void **state)
{
	static const struct option lo[] = { HELLO_OPT_COMMON_LONGOPTS, { "once", no_argument, NULL, HELLO_OPT_FIRST_PROGRAM }, { NULL, 0, NULL, 0 } };
	char *argv1[] = { "p", "--port", "80", "--once", "--quiet", "name", NULL };
	char *argv2[] = { "p", "--framing", "line", NULL };
	char *argv3[] = { "p", "--nope", NULL };
	struct hello_common c;
	char err[128];
	int opt = 0;

	(void)state;
	hello_opt_common_init(&c, 0);
	optind = 0;
	assert_int_equal(hello_opt_next(6, argv1, HELLO_OPT_COMMON_SHORTOPTS, lo, &c, &opt, err, sizeof(err)), 1);
	assert_int_equal(opt, HELLO_OPT_FIRST_PROGRAM);
	assert_int_equal(c.port, 80);
	assert_int_equal(hello_opt_next(6, argv1, HELLO_OPT_COMMON_SHORTOPTS, lo, &c, &opt, err, sizeof(err)), 0);
	assert_int_equal(c.quiet, 1);
	assert_string_equal(argv1[optind], "name");

	hello_opt_common_init(&c, 0);
	c.no_framing = 1;
	optind = 0;
	assert_int_equal(hello_opt_next(3, argv2, HELLO_OPT_COMMON_SHORTOPTS, lo, &c, &opt, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "does not apply to UDP"));

	hello_opt_common_init(&c, 0);
	optind = 0;
	assert_int_equal(hello_opt_next(2, argv3, HELLO_OPT_COMMON_SHORTOPTS, lo, &c, &opt, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "--nope"));
}

static void test_outbuf(void **state)
{
	struct hello_outbuf b;
	uint8_t big[300];
	(void)state;
	memset(big, 'z', sizeof(big));
	hello_outbuf_init(&b, 1000);
	assert_int_equal(hello_outbuf_pending(&b), 0);
	assert_int_equal(hello_outbuf_append(&b, "hello!", 6), 0);
	assert_int_equal(hello_outbuf_append(&b, big, 300), 0);
	assert_int_equal(hello_outbuf_pending(&b), 306);
	assert_memory_equal(hello_outbuf_data(&b), "hello!", 6);
	hello_outbuf_consume(&b, 4);
	assert_memory_equal(hello_outbuf_data(&b), "o!", 2);
	assert_int_equal(hello_outbuf_append(&b, big, 300), 0);
	assert_int_equal(hello_outbuf_append(&b, big, 300), 0);
	assert_int_equal(hello_outbuf_pending(&b), 902);
	/* Past the limit: refused whole, nothing half-appended. */
	assert_int_equal(hello_outbuf_append(&b, big, 99), -1);
	assert_int_equal(hello_outbuf_pending(&b), 902);
	assert_int_equal(hello_outbuf_append(&b, big, 98), 0);
	assert_int_equal(hello_outbuf_pending(&b), 1000);
	assert_true(b.cap <= 1000);
	hello_outbuf_consume(&b, 5000);
	assert_int_equal(hello_outbuf_pending(&b), 0);
	assert_int_equal(hello_outbuf_append(&b, big, 1001), -1);
	hello_outbuf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_long),
		cmocka_unit_test(test_common),
		cmocka_unit_test(test_common_hostport),
		cmocka_unit_test(test_getopt_error),
		cmocka_unit_test(test_next),
		cmocka_unit_test(test_outbuf),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
