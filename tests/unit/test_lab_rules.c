/* tests/unit/test_lab_rules.c: impairment rule text (nftables) and /proc/net socket lookup. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "runner/lab_nft.h"
#include "runner/lab_step.h"

static void test_rule_text(void **state)
{
	struct lab_impair nth = { .kind = LAB_IMP_NTH, .proto = "tcp", .from = LAB_HOST_CLIENT, .nth = 5 };
	struct lab_impair rep = { .kind = LAB_IMP_NTH, .proto = "udp", .from = LAB_HOST_SERVER, .nth = 2 };
	struct lab_impair fin = { .kind = LAB_IMP_FLAGS, .proto = "tcp", .from = LAB_HOST_SERVER, .flags = "fin" };
	struct lab_impair pct = { .kind = LAB_IMP_PERCENT, .proto = "udp", .from = LAB_HOST_CLIENT, .percent = 30 };
	struct lab_impair dly = { .kind = LAB_IMP_DELAY, .delay_ms = 10 };
	char buf[256];

	(void)state;
	assert_int_equal(lab_nft_rule_text(&nth, 9999, 0, buf, sizeof buf), 0);
	assert_string_equal(buf, "tcp dport 9999 ct original packets 5 counter drop");
	assert_int_equal(lab_nft_rule_text(&rep, 9999, 0, buf, sizeof buf), 0);
	assert_string_equal(buf, "udp sport 9999 ct reply packets 2 counter drop");
	assert_int_equal(lab_nft_rule_text(&fin, 9100, 2, buf, sizeof buf), 0);
	assert_string_equal(buf, "tcp sport 9100 tcp flags & fin == fin ct mark & 0x4 == 0 "
				 "ct mark set ct mark | 0x4 counter drop");
	assert_int_equal(lab_nft_rule_text(&pct, 53, 0, buf, sizeof buf), 0);
	assert_string_equal(buf, "udp dport 53 numgen random mod 100 lt 30 counter drop");
	assert_int_equal(lab_nft_rule_text(&dly, 53, 0, buf, sizeof buf), -1);
	assert_int_equal(lab_nft_rule_text(&nth, 9999, 0, buf, 10), -1);
}

/* A held rule: the other side's flag marks the connection; this side's waits for the mark. */
static void test_hold_text(void **state)
{
	struct lab_impair cfin = { .kind = LAB_IMP_FLAGS, .proto = "tcp", .from = LAB_HOST_CLIENT,
				   .flags = "fin", .hold = 1 };
	struct lab_impair sfin = cfin;
	struct lab_impair once = cfin;
	char mark[256], hold[256];

	(void)state;
	sfin.from = LAB_HOST_SERVER;
	once.hold = 0;
	assert_int_equal(lab_nft_hold_text(&cfin, 9999, 0, mark, sizeof mark, hold, sizeof hold), 0);
	assert_string_equal(mark, "tcp sport 9999 tcp flags & fin == fin ct mark set ct mark | 0x10000");
	assert_string_equal(hold, "tcp dport 9999 tcp flags & fin == fin ct mark & 0x10000 == 0 counter drop");
	assert_int_equal(lab_nft_hold_text(&sfin, 9999, 1, mark, sizeof mark, hold, sizeof hold), 0);
	assert_string_equal(mark, "tcp dport 9999 tcp flags & fin == fin ct mark set ct mark | 0x20000");
	assert_string_equal(hold, "tcp sport 9999 tcp flags & fin == fin ct mark & 0x20000 == 0 counter drop");
	/* Not held, a bit past the mark's room, a buffer too small: refused. */
	assert_int_equal(lab_nft_hold_text(&once, 9999, 0, mark, sizeof mark, hold, sizeof hold), -1);
	assert_int_equal(lab_nft_hold_text(&cfin, 9999, LAB_IMPAIR_MAX, mark, sizeof mark, hold, sizeof hold), -1);
	assert_int_equal(lab_nft_hold_text(&cfin, 9999, 0, mark, 10, hold, sizeof hold), -1);
}

static const char *procnet =
	"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
	"   0: 0100007F:270F 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1\n"
	"   1: 0100007F:A3C4 0100007F:270F 06 00000000:00000000 03:00001770 00000000     0        0 0\n"
	"   2: 0100007F:0050 0100007F:A000 01 00000000:00000000 00:00000000 00000000     0        0 2\n";

static void test_sock_find(void **state)
{
	(void)state;
	assert_int_equal(lab_step_sock_find(procnet, 9999, 10), 1);		/* LISTEN on 9999 */
	assert_int_equal(lab_step_sock_find(procnet, 9999, 6), 1);		/* TIME_WAIT, remote 9999 */
	assert_int_equal(lab_step_sock_find(procnet, 0xA000, 10), 0);		/* remote port: not LISTEN */
	assert_int_equal(lab_step_sock_find(procnet, 80, -1), 1);
	assert_int_equal(lab_step_sock_find(procnet, 81, -1), 0);
	assert_int_equal(lab_step_sock_find("", 9999, -1), 0);
	assert_int_equal(lab_step_sock_find("garbage\n  0: zz", 9999, -1), 0);
	/* Counted: both ends of a loopback connection in TIME_WAIT are two. */
	{
		char two[1024];
		snprintf(two, sizeof two, "%s%s", procnet,
			 "   3: 0100007F:270F 0100007F:A3C4 06 00000000:00000000 03:00001770 00000000     0        0 0\n");
		assert_int_equal(lab_step_sock_find(two, 9999, 6), 2);
		assert_int_equal(lab_step_sock_find(two, 9999, -1), 3);
	}
	assert_int_equal(lab_step_state_code("TIME_WAIT"), 6);
	assert_int_equal(lab_step_state_code("LISTEN"), 10);
	assert_int_equal(lab_step_state_code("TIME-WAIT"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rule_text),
		cmocka_unit_test(test_hold_text),
		cmocka_unit_test(test_sock_find),
	};
	return cmocka_run_group_tests_name("lab_rules", tests, NULL, NULL);
}
