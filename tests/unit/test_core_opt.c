/* tests/unit/test_core_opt.c: number parsing with ranges, option tables, --help from rows, the common options, the bounded output buffer. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
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

static void test_numbers(void **state)
{
	uint64_t u;
	unsigned ui;
	size_t z;
	double d;
	int i;
	char err[128];
	(void)state;
	assert_int_equal(hello_opt_long("--n", " 5", 0, 9, &(long){ 0 }, err, sizeof(err)), -1);
	assert_string_equal(err, "--n: ' 5' is not a number");
	assert_int_equal(hello_opt_int("--n", "-7", -10, 10, &i, err, sizeof(err)), 0);
	assert_int_equal(i, -7);
	assert_int_equal(hello_opt_int("--n", "11", -10, 10, &i, err, sizeof(err)), -1);
	assert_string_equal(err, "--n: 11 is out of range -10..10");
	assert_int_equal(hello_opt_uint("--threads", "64", 1, 64, &ui, err, sizeof(err)), 0);
	assert_int_equal(ui, 64);
	assert_int_equal(hello_opt_u64("-c", "18446744073709551615", 1, UINT64_MAX, &u, err, sizeof(err)), 0);
	assert_true(u == UINT64_MAX);
	assert_int_equal(hello_opt_u64("--count", "18446744073709551616", 1, UINT64_MAX, &u, err, sizeof(err)), -1);
	assert_string_equal(err, "--count: 18446744073709551616 is out of range 1..18446744073709551615");
	/* strtoull would take "-1" as UINT64_MAX */
	assert_int_equal(hello_opt_u64("--count", "-1", 1, 100, &u, err, sizeof(err)), -1);
	assert_string_equal(err, "--count: -1 is out of range 1..100");
	assert_int_equal(hello_opt_u64("--count", "0x10", 1, 100, &u, err, sizeof(err)), -1);
	assert_string_equal(err, "--count: '0x10' is not a number");
	assert_int_equal(hello_opt_size("--max-flows", "100", 1, 1000, &z, err, sizeof(err)), 0);
	assert_int_equal(z, 100);
	assert_int_equal(hello_opt_double("--duration", "1.5", 0.001, 86400, &d, err, sizeof(err)), 0);
	assert_true(d == 1.5);
	assert_int_equal(hello_opt_double("--duration", "2e3", 0.001, 86400, &d, err, sizeof(err)), 0);
	assert_true(d == 2000);
	assert_int_equal(hello_opt_double("--duration", "x", 0.001, 86400, &d, err, sizeof(err)), -1);
	assert_string_equal(err, "--duration: 'x' is not a number");
	assert_int_equal(hello_opt_double("--duration", "1s", 0.001, 86400, &d, err, sizeof(err)), -1);
	assert_string_equal(err, "--duration: '1s' is not a number");
	assert_int_equal(hello_opt_double("--duration", "", 0.001, 86400, &d, err, sizeof(err)), -1);
	assert_int_equal(hello_opt_double("--duration", "nan", 0.001, 86400, &d, err, sizeof(err)), -1);
	assert_string_equal(err, "--duration: 'nan' is not a number");
	assert_int_equal(hello_opt_double("--duration", "0", 0.001, 86400, &d, err, sizeof(err)), -1);
	assert_string_equal(err, "--duration: 0 is out of range 0.001..86400");
	assert_int_equal(hello_opt_double("--rate", "inf", 1, 1e8, &d, err, sizeof(err)), -1);
	assert_string_equal(err, "--rate: inf is out of range 1..1e+08");
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
	assert_int_equal(hello_opt_common(&c, HELLO_OPT_FIRST_PROGRAM, NULL, err, sizeof(err)), 0);
	assert_int_equal(hello_opt_common_finish(&c, &fam, err, sizeof(err)), 0);
	assert_int_equal(fam, AF_UNSPEC);
	assert_string_equal(c.host, "127.0.0.1");
	hello_opt_common_init(&c, 1);
	assert_int_equal(hello_opt_common(&c, HELLO_OPT_PORT, "0", err, sizeof(err)), 1);
	assert_int_equal(hello_opt_common(&c, HELLO_OPT_V6, NULL, err, sizeof(err)), 1);
	assert_int_equal(hello_opt_common_finish(&c, &fam, err, sizeof(err)), 0);
	assert_int_equal(fam, AF_INET6);
	assert_string_equal(c.host, "::1");
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

enum { T_ONCE = HELLO_OPT_FIRST_PROGRAM, T_VERBOSE, T_OUT, T_JOBS, T_LONGARG };

static const struct hello_opt t_rows[] = {
	{ "once", 0, NULL, T_ONCE, "do it once" },
	{ "verbose", 'v', NULL, T_VERBOSE, "say more" },
	{ "output", 'o', "FILE", T_OUT, "write to FILE" },
	{ NULL, 'j', "N", T_JOBS, "N at a time" },
	{ "model", 0, "iterative|fork|thread|event", T_LONGARG, "how" },
	{ 0 },
};

static const struct hello_usage t_usage = {
	.prog = "t", .args = "[OPTIONS] NAME\n--all", .summary = "A test.", .opts = t_rows,
	.common = HELLO_OPT_USE_SERVICE | HELLO_OPT_USE_FRAMING, .max_operands = 1,
};

/* What the handler saw: "id=value" for each program option, in order. */
struct seen {
	char log[256];
};

static int t_handler(void *arg, const struct hello_opt_hit *h, char *err, size_t errlen)
{
	struct seen *s = arg;
	size_t n = strlen(s->log);

	(void)err, (void)errlen;
	snprintf(s->log + n, sizeof(s->log) - n, "%s%s%s;", h->name, h->val ? "=" : "", h->val ? h->val : "");
	return 0;
}

/* hello_opt_parse on a NULL-terminated list; the first operand's index, or -1 with err. */
static int t_parse(const struct hello_usage *u, struct hello_common *c, struct seen *s, char *err, size_t errlen, ...)
{
	char *argv[16];
	int argc = 0;
	va_list ap;

	va_start(ap, errlen);
	argv[argc++] = "t";
	while (argc < 15 && (argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	argv[argc] = NULL;
	memset(s, 0, sizeof(*s));
	return hello_opt_parse(u, argc, argv, c, t_handler, s, err, errlen);
}

/* The getopt array and short-options string come from the rows, common rows around them. */
static void test_table_build(void **state)
{
	struct hello_opt_table t;
	struct hello_usage u = t_usage;
	char err[128];
	size_t i;

	(void)state;
	assert_int_equal(hello_opt_table_build(&t, &u, err, sizeof(err)), 0);
	assert_int_equal(t.n, 4 + 5 + 4);
	assert_string_equal(t.shortopts, ":6vo:j:qhV");
	assert_string_equal(t.names[0], "--host");
	assert_string_equal(t.names[2], "-6");
	assert_string_equal(t.names[3], "--framing");
	assert_string_equal(t.names[4], "--once");
	assert_string_equal(t.names[7], "-j");
	assert_string_equal(t.names[12], "--version");
	/* -6 and -j have no long name: 11 long options, then the terminator */
	for (i = 0; t.longopts[i].name; i++)
		;
	assert_int_equal(i, 11);
	assert_string_equal(t.longopts[5].name, "output");
	assert_int_equal(t.longopts[5].has_arg, required_argument);
	assert_int_equal(t.longopts[4].has_arg, no_argument);
	u.common = HELLO_OPT_USE_HELP;
	u.in_order = 1;
	assert_int_equal(hello_opt_table_build(&t, &u, err, sizeof(err)), 0);
	assert_string_equal(t.shortopts, "+:vo:j:h");
	u.opts = NULL;
	u.common = 0;
	assert_int_equal(hello_opt_table_build(&t, &u, err, sizeof(err)), 0);
	assert_int_equal(t.n, 0);
}

static void test_table_errors(void **state)
{
	static const struct hello_opt dup_name[] = { { "port", 0, "N", 1, "x" }, { 0 } };
	static const struct hello_opt dup_letter[] = { { "hex", 'h', NULL, 1, "x" }, { 0 } };
	static const struct hello_opt dup_id[] = { { "a", 0, NULL, 7, "x" }, { "b", 0, NULL, 7, "y" }, { 0 } };
	static const struct hello_opt nameless[] = { { NULL, 0, NULL, 7, "x" }, { 0 } };
	static const struct hello_opt colon[] = { { "a", ':', NULL, 7, "x" }, { 0 } };
	static const struct hello_opt empty[] = { { "", 'e', NULL, 7, "x" }, { 0 } };
	static struct hello_opt many[HELLO_OPT_MAX + 2];
	static char names[HELLO_OPT_MAX + 1][16];
	struct hello_usage u = { .prog = "t", .common = HELLO_OPT_USE_SERVICE };
	struct hello_opt_table t;
	char err[128];
	int i;

	(void)state;
	u.opts = dup_name;
	assert_int_equal(hello_opt_table_build(&t, &u, err, sizeof(err)), -1);
	assert_string_equal(err, "options --port and --port share a name");
	u.opts = dup_letter;
	assert_int_equal(hello_opt_table_build(&t, &u, err, sizeof(err)), -1);
	assert_string_equal(err, "options --hex and --help share a letter");
	u.opts = dup_id;
	assert_int_equal(hello_opt_table_build(&t, &u, err, sizeof(err)), -1);
	assert_string_equal(err, "options --a and --b share a id");
	u.opts = nameless;
	assert_int_equal(hello_opt_table_build(&t, &u, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "neither a name nor a letter"));
	u.opts = empty;
	assert_int_equal(hello_opt_table_build(&t, &u, err, sizeof(err)), -1);
	assert_string_equal(err, "option row 3: a long name of 1 to 37 characters");
	u.opts = colon;
	assert_int_equal(hello_opt_table_build(&t, &u, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a letter or digit"));
	for (i = 0; i <= HELLO_OPT_MAX; i++) {
		snprintf(names[i], sizeof(names[i]), "o%d", i);
		many[i] = (struct hello_opt){ names[i], 0, NULL, 2000 + i, "x" };
	}
	u.opts = many;
	u.common = 0;
	assert_int_equal(hello_opt_table_build(&t, &u, err, sizeof(err)), -1);
	assert_string_equal(err, "t: 41 options, more than 40");
	many[HELLO_OPT_MAX] = (struct hello_opt){ 0 };
	assert_int_equal(hello_opt_table_build(&t, &u, err, sizeof(err)), 0);
}

/* Common options are handled inside; the program's come to its handler under their names. */
static void test_parse(void **state)
{
	struct hello_usage u = t_usage;
	struct hello_common c;
	struct seen s;
	char err[128];

	(void)state;
	hello_opt_common_init(&c, 0);
	assert_int_equal(t_parse(&t_usage, &c, &s, err, sizeof(err), "--port", "80", "--once", "name", "-qv",
				 "-o", "f", "-j3", "--model=fork", "--outp", "g", NULL), 11);
	assert_string_equal(s.log, "--once;--verbose;--output=f;-j=3;--model=fork;--output=g;");
	assert_int_equal(c.port, 80);
	assert_int_equal(c.quiet, 1);
	hello_opt_common_init(&c, 0);
	assert_int_equal(t_parse(&t_usage, &c, &s, err, sizeof(err), "-6", "--framing", "line", "--events", "e",
				 "--help", NULL), 7);
	assert_int_equal(c.v6, 1);
	assert_int_equal(c.framing, HELLO_FRAMING_LINE);
	assert_string_equal(c.events, "e");
	assert_int_equal(c.help, 1);
	assert_string_equal(s.log, "");
	/* in order: the options stop at the first operand */
	u.in_order = 1;
	u.max_operands = -1;
	hello_opt_common_init(&c, 0);
	assert_int_equal(t_parse(&u, &c, &s, err, sizeof(err), "--once", "tcp", "-v", NULL), 2);
	assert_string_equal(s.log, "--once;");
}

static void test_parse_errors(void **state)
{
	struct hello_usage u = t_usage;
	struct hello_common c;
	struct seen s;
	char err[160];

	(void)state;
	hello_opt_common_init(&c, 0);
	assert_int_equal(t_parse(&t_usage, &c, &s, err, sizeof(err), "--nope", NULL), -1);
	assert_string_equal(err, "unknown option '--nope'");
	assert_int_equal(t_parse(&t_usage, &c, &s, err, sizeof(err), "--nope=3", NULL), -1);
	assert_string_equal(err, "unknown option '--nope'");
	assert_int_equal(t_parse(&t_usage, &c, &s, err, sizeof(err), "-x", NULL), -1);
	assert_string_equal(err, "unknown option '-x'");
	assert_int_equal(t_parse(&t_usage, &c, &s, err, sizeof(err), "--port", NULL), -1);
	assert_string_equal(err, "option '--port' needs a value");
	assert_int_equal(t_parse(&t_usage, &c, &s, err, sizeof(err), "-j", NULL), -1);
	assert_string_equal(err, "option '-j' needs a value");
	assert_int_equal(t_parse(&t_usage, &c, &s, err, sizeof(err), "--once=1", NULL), -1);
	assert_string_equal(err, "option '--once' takes no value");
	assert_int_equal(t_parse(&t_usage, &c, &s, err, sizeof(err), "--o", "x", NULL), -1);
	assert_string_equal(err, "option '--o' is ambiguous: --once, --output");
	assert_int_equal(t_parse(&t_usage, &c, &s, err, sizeof(err), "--port", "70000", NULL), -1);
	assert_string_equal(err, "--port: 70000 is out of range 1..65535");
	assert_int_equal(t_parse(&t_usage, &c, &s, err, sizeof(err), "a", "b", NULL), -1);
	assert_string_equal(err, "unexpected argument 'b'");
	/* A UDP program has no --framing, and says why. */
	u.common = HELLO_OPT_USE_SERVICE;
	c.no_framing = 1;
	assert_int_equal(t_parse(&u, &c, &s, err, sizeof(err), "--framing", "line", NULL), -1);
	assert_non_null(strstr(err, "unknown option '--framing'"));
	assert_non_null(strstr(err, "does not apply to UDP"));
}

/* The flag column and the whole --help text come from the rows. */
static void test_help(void **state)
{
	static const struct hello_usage sub = { .prog = "t sub", .opts = t_rows + 1, .common = HELLO_OPT_USE_HELP };
	static const struct hello_usage *const subs[] = { &sub, NULL };
	struct hello_usage u = t_usage;
	char flag[64], *text = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	hello_opt_flag(&t_rows[0], flag, sizeof(flag));
	assert_string_equal(flag, "--once");
	hello_opt_flag(&t_rows[1], flag, sizeof(flag));
	assert_string_equal(flag, "-v, --verbose");
	hello_opt_flag(&t_rows[2], flag, sizeof(flag));
	assert_string_equal(flag, "-o, --output FILE");
	hello_opt_flag(&t_rows[3], flag, sizeof(flag));
	assert_string_equal(flag, "-j N");
	u.subs = subs;
	u.exit_codes = "  3    partly\n";
	f = open_memstream(&text, &len);
	assert_non_null(f);
	hello_opt_usage(f, &u);
	fclose(f);
	assert_non_null(strstr(text, "Usage: t [OPTIONS] NAME\n       t --all\nA test.\n\nOptions:\n"
				     "  --host HOST                address: "));
	assert_non_null(strstr(text, "\n  --framing raw|line         raw: "));
	assert_non_null(strstr(text, "\n  --once                     do it once\n"
				     "  -v, --verbose              say more\n"
				     "  -o, --output FILE          write to FILE\n"
				     "  -j N                       N at a time\n"
				     "  --model iterative|fork|thread|event\n"
				     "                             how\n"
				     "  --events FILE              append one JSON line"));
	assert_non_null(strstr(text, "\n  -V, --version              show the version and exit\n"));
	assert_non_null(strstr(text, "\nOptions of t sub:\n  -v, --verbose              say more\n"));
	assert_null(strstr(text, "Options of t sub:\n  -h"));
	assert_non_null(strstr(text, "\n  1    the operation failed (network error, connection refused, timeout)\n"
				     "  2    usage error (bad option or value)\n  3    partly\n"));
	assert_non_null(strstr(text, "\nProtocol and log format: docs/protocol.md\n"));
	free(text);
	/* Only the rows asked for, another meaning of exit 1, and the program's footer. */
	u = (struct hello_usage){ .prog = "t", .args = "", .summary = "S.", .opts = t_rows, .common = HELLO_OPT_USE_HELP,
				  .exit_fail = "it broke", .footer = "The end." };
	f = open_memstream(&text, &len);
	assert_non_null(f);
	hello_opt_usage(f, &u);
	fclose(f);
	assert_null(strstr(text, "--host"));
	assert_null(strstr(text, "--version"));
	assert_non_null(strstr(text, "  1    it broke\n"));
	assert_non_null(strstr(text, "\nThe end.\n"));
	assert_null(strstr(text, "docs/protocol.md"));
	free(text);
}

/* hello_opt_main: -1 to go on with the first operand, else the exit code. */
static void test_main(void **state)
{
	char *ok[] = { "t", "--once", "n", NULL }, *bad[] = { "t", "--once=2", NULL }, *ver[] = { "t", "-V", NULL };
	struct seen s = { "" };
	int first = 0;

	(void)state;
	assert_int_equal(hello_opt_main(&t_usage, 3, ok, NULL, t_handler, &s, &first), -1);
	assert_int_equal(first, 2);
	assert_int_equal(hello_opt_main(&t_usage, 2, bad, NULL, t_handler, &s, &first), HELLO_EXIT_USAGE);
	assert_int_equal(hello_opt_main(&t_usage, 2, ver, NULL, t_handler, &s, &first), HELLO_EXIT_OK);
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
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_common),
		cmocka_unit_test(test_common_hostport),
		cmocka_unit_test(test_table_build),
		cmocka_unit_test(test_table_errors),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_main),
		cmocka_unit_test(test_outbuf),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
