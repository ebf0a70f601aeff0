/* tests/unit/test_core_addr.c: ports, host:port splitting, [v6]:port, resolving numeric hosts, printing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <cmocka.h>

#include "core/addr.h"

static void test_port(void **state)
{
	uint16_t p;
	char err[128];
	(void)state;
	assert_int_equal(hello_addr_parse_port("9999", 0, &p, err, sizeof(err)), 0);
	assert_int_equal(p, 9999);
	assert_int_equal(hello_addr_parse_port("65535", 0, &p, err, sizeof(err)), 0);
	assert_int_equal(p, 65535);
	assert_int_equal(hello_addr_parse_port("0", 1, &p, err, sizeof(err)), 0);
	assert_int_equal(p, 0);
	assert_int_equal(hello_addr_parse_port("0", 0, &p, err, sizeof(err)), -1);
	assert_string_equal(err, "port 0 is out of range 1..65535");
	assert_int_equal(hello_addr_parse_port("65536", 0, &p, err, sizeof(err)), -1);
	assert_string_equal(err, "port 65536 is out of range 1..65535");
	assert_int_equal(hello_addr_parse_port("99999999999999999999", 0, &p, err, sizeof(err)), -1);
	assert_int_equal(hello_addr_parse_port("-1", 0, &p, err, sizeof(err)), -1);
	assert_string_equal(err, "port '-1' is not a number");
	assert_int_equal(hello_addr_parse_port("80x", 0, &p, err, sizeof(err)), -1);
	assert_int_equal(hello_addr_parse_port("", 0, &p, err, sizeof(err)), -1);
	assert_int_equal(hello_addr_parse_port("http", 0, &p, err, sizeof(err)), -1);
}

static void split_ok(const char *s, const char *want_host, const char *want_port)
{
	char host[64], err[128];
	const char *port;
	assert_int_equal(hello_addr_split(s, host, sizeof(host), &port, err, sizeof(err)), 0);
	assert_string_equal(host, want_host);
	if (want_port)
		assert_string_equal(port, want_port);
	else
		assert_null(port);
}

static void split_bad(const char *s, const char *want_err)
{
	char host[64], err[128];
	const char *port;
	assert_int_equal(hello_addr_split(s, host, sizeof(host), &port, err, sizeof(err)), -1);
	assert_non_null(strstr(err, want_err));
}

static void test_split(void **state)
{
	(void)state;
	split_ok("127.0.0.1:9999", "127.0.0.1", "9999");
	split_ok("127.0.0.1", "127.0.0.1", NULL);
	split_ok("localhost:80", "localhost", "80");
	split_ok("[::1]:9999", "[::1]", "9999");
	split_ok("[::1]", "[::1]", NULL);
	split_ok("::1", "::1", NULL);                 /* bare IPv6: no port */
	split_ok("fe80::1:2", "fe80::1:2", NULL);
	split_bad("[::1:9999", "missing ']'");
	split_bad("[::1]9999", "expected ':port'");
	split_bad("127.0.0.1:", "empty port");
	split_bad(":9999", "empty host");
	split_bad("", "empty host");
}

static void test_resolve_v4(void **state)
{
	struct hello_addr a;
	char buf[HELLO_ADDR_STRLEN], err[128];
	(void)state;
	assert_int_equal(hello_addr_resolve("127.0.0.1", 9999, AF_UNSPEC, &a, err, sizeof(err)), 0);
	assert_int_equal(hello_addr_family(&a), AF_INET);
	assert_int_equal(hello_addr_port(&a), 9999);
	assert_string_equal(hello_addr_str(&a, buf, sizeof(buf)), "127.0.0.1:9999");
	assert_string_equal(hello_addr_host_str(&a, buf, sizeof(buf)), "127.0.0.1");
	/* -6 with an IPv4 literal is a clear error. */
	assert_int_equal(hello_addr_resolve("127.0.0.1", 9999, AF_INET6, &a, err, sizeof(err)), -1);
	assert_string_equal(err, "address '127.0.0.1': not an IPv6 address (-6)");
	assert_int_equal(hello_addr_resolve("300.1.1.1", 1, AF_INET, &a, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "address '300.1.1.1': "));
}

static void test_resolve_v6(void **state)
{
	struct hello_addr a, b;
	char buf[HELLO_ADDR_STRLEN], err[128];
	(void)state;
	assert_int_equal(hello_addr_resolve("::1", 9999, AF_UNSPEC, &a, err, sizeof(err)), 0);
	assert_int_equal(hello_addr_family(&a), AF_INET6);
	assert_string_equal(hello_addr_str(&a, buf, sizeof(buf)), "[::1]:9999");
	assert_int_equal(hello_addr_resolve("[::1]", 9999, AF_INET6, &b, err, sizeof(err)), 0);
	assert_true(hello_addr_equal(&a, &b));
	assert_int_equal(hello_addr_resolve("[2001:db8::5]", 80, AF_UNSPEC, &b, err, sizeof(err)), 0);
	assert_string_equal(hello_addr_str(&b, buf, sizeof(buf)), "[2001:db8::5]:80");
	assert_false(hello_addr_equal(&a, &b));
	assert_int_equal(hello_addr_resolve("[::1", 1, AF_UNSPEC, &b, err, sizeof(err)), -1);
	assert_string_equal(err, "address '[::1': missing ']'");
	assert_int_equal(hello_addr_resolve("::1]", 1, AF_UNSPEC, &b, err, sizeof(err)), -1);
	assert_int_equal(hello_addr_resolve("", 1, AF_UNSPEC, &b, err, sizeof(err)), -1);
}

static void test_format_raw_sockaddr(void **state)
{
	struct sockaddr_in in;
	struct sockaddr_in6 in6;
	char buf[HELLO_ADDR_STRLEN];
	(void)state;
	memset(&in, 0, sizeof(in));
	in.sin_family = AF_INET;
	in.sin_port = htons(40000);
	in.sin_addr.s_addr = htonl(0x0a000002);
	assert_string_equal(hello_addr_format((struct sockaddr *)&in, sizeof(in), buf, sizeof(buf)), "10.0.0.2:40000");
	/* A length shorter than the family needs is not read. */
	assert_string_equal(hello_addr_format((struct sockaddr *)&in, 4, buf, sizeof(buf)), "?");
	memset(&in6, 0, sizeof(in6));
	in6.sin6_family = AF_INET6;
	in6.sin6_port = htons(1);
	in6.sin6_addr.s6_addr[15] = 1;
	in6.sin6_scope_id = 2;
	assert_string_equal(hello_addr_format((struct sockaddr *)&in6, sizeof(in6), buf, sizeof(buf)), "[::1%2]:1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_port),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_resolve_v4),
		cmocka_unit_test(test_resolve_v6),
		cmocka_unit_test(test_format_raw_sockaddr),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
