/* tests/unit/test_fuzz_regress.c: what the fuzzers found (tests/fuzz/), each kept as a test so it stays fixed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/addr.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_port_leading_space),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
