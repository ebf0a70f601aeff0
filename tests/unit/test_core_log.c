/* tests/unit/test_core_log.c: escaping of message bytes, timestamps, the log line layout. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/log.h"

static void esc_eq(const char *in, size_t len, size_t cap, const char *want)
{
	char out[256];
	size_t n;
	assert_true(cap <= sizeof(out));
	n = hello_log_escape((const uint8_t *)in, len, out, cap);
	assert_string_equal(out, want);
	assert_int_equal(n, strlen(want));
}

static void test_escape(void **state)
{
	(void)state;
	esc_eq("Michael", 7, 64, "Michael");
	esc_eq("a\nb\r\tc", 6, 64, "a\\nb\\r\\tc");
	esc_eq("\0\x01\x7f\xff", 4, 64, "\\x00\\x01\\x7f\\xff");
	esc_eq("q\"b\\", 4, 64, "q\\\"b\\\\");
	esc_eq("", 0, 64, "");
	esc_eq("caf\xc3\xa9", 5, 64, "caf\\xc3\\xa9"); /* UTF-8 is bytes too: logs stay ASCII */
}

static void test_escape_truncates(void **state)
{
	(void)state;
	/* Room for 9 chars: "abcdef" + "..." */
	esc_eq("abcdefghijklmnop", 16, 10, "abcdef...");
	/* Exactly fits: no dots. */
	esc_eq("abcdefghi", 9, 10, "abcdefghi");
	/* An escape is never cut in half. */
	esc_eq("ab\xff\xff\xff", 5, 10, "ab\\xff...");
	esc_eq("abc", 3, 1, "");
}

static void test_timestamp(void **state)
{
	struct timespec ts = { .tv_sec = 1795597200, .tv_nsec = 123456789 };
	char out[48];
	(void)state;
	assert_string_equal(hello_log_timestamp(&ts, out, sizeof(out)), "2026-11-25T09:00:00.123456Z");
}

static void test_event_line(void **state)
{
	int fds[2];
	char buf[512], want[64];
	ssize_t n;
	struct hello_log lg = { .prog = "hello-test", .quiet = 1 };
	(void)state;
	assert_int_equal(pipe(fds), 0);
	lg.fd = fds[1];
	hello_log_event(&lg, HELLO_LOG_DETAIL, "message", "len=%d", 3); /* muted by quiet */
	hello_log_event(&lg, HELLO_LOG_MAIN, "listening", "addr=%s", "127.0.0.1:9999");
	close(fds[1]);
	n = read(fds[0], buf, sizeof(buf) - 1);
	close(fds[0]);
	assert_true(n > 0);
	buf[n] = '\0';
	snprintf(want, sizeof(want), " hello-test[%ld] listening addr=127.0.0.1:9999\n", (long)getpid());
	assert_non_null(strstr(buf, want));
	assert_int_equal(buf[4], '-');
	assert_int_equal(buf[26], 'Z');
	assert_null(strchr(buf, '\n') + 1 == buf + n ? NULL : "more than one line");
}

static void test_bytes_line(void **state)
{
	int fds[2];
	char buf[512];
	ssize_t n;
	struct hello_log lg = { .prog = "t" };
	(void)state;
	assert_int_equal(pipe(fds), 0);
	lg.fd = fds[1];
	hello_log_bytes(&lg, HELLO_LOG_DETAIL, "message", "conn=1", (const uint8_t *)"a\"\n\xff", 4);
	hello_log_bytes(&lg, HELLO_LOG_DETAIL, "reply", "", (const uint8_t *)"", 0);
	lg.quiet = 1;
	hello_log_bytes(&lg, HELLO_LOG_DETAIL, "muted", "", (const uint8_t *)"x", 1);
	close(fds[1]);
	n = read(fds[0], buf, sizeof(buf) - 1);
	close(fds[0]);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_non_null(strstr(buf, "] message conn=1 len=4 data=\"a\\\"\\n\\xff\"\n"));
	assert_non_null(strstr(buf, "] reply len=0 data=\"\"\n"));
	assert_null(strstr(buf, "muted"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_escape_truncates),
		cmocka_unit_test(test_timestamp),
		cmocka_unit_test(test_event_line),
		cmocka_unit_test(test_bytes_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
