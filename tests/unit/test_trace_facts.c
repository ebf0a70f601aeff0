/* tests/unit/test_trace_facts.c: trace/facts.c: the handshake's times and each side's smallest receive window, segment by segment. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "trace/facts.h"
#include "trace/tcpstate.h"

#define C TRACE_CLIENT
#define S TRACE_SERVER
#define SYN TRACE_TH_SYN
#define ACK TRACE_TH_ACK
#define RST TRACE_TH_RST

/* Both sides' SYN options, as the model keeps them, and the facts being built. */
struct conn {
	struct trace_tcpopt opt[2];
	int seen[2];
	struct trace_facts x;
};

/* One segment from side `from`; a SYN's options (wscale < 0: none) are recorded first, as
 * trace/model_packet.c does. */
static void seg(struct conn *c, int from, uint8_t flags, uint32_t seq, uint32_t ack, uint16_t win,
		int wscale, int64_t t)
{
	struct trace_pkt k;
	struct trace_facts_syn syn = { c->opt, c->seen };

	memset(&k, 0, sizeof k);
	k.tcp_flags = flags, k.seq = seq, k.ack = ack, k.win = win;
	if (wscale >= 0)
		k.opt.any = k.opt.has_wscale = 1, k.opt.wscale = (uint8_t)wscale;
	if ((flags & SYN) && !c->seen[from])
		c->seen[from] = 1, c->opt[from] = k.opt;
	trace_facts_segment(&c->x, from, &k, t, &syn);
}

static void test_shift(void **state)
{
	struct conn c;
	struct trace_facts_syn syn = { c.opt, c.seen };

	(void)state;
	memset(&c, 0, sizeof c);
	assert_int_equal(trace_facts_shift(&syn, C), -1);	/* no SYN: unknown */
	c.seen[C] = 1, c.opt[C].has_wscale = 1, c.opt[C].wscale = 7;
	assert_int_equal(trace_facts_shift(&syn, C), -1);	/* the server's SYN missing */
	c.seen[S] = 1;
	assert_int_equal(trace_facts_shift(&syn, C), 0);	/* the server did not offer it: off */
	assert_int_equal(trace_facts_shift(&syn, S), 0);
	c.opt[S].has_wscale = 1, c.opt[S].wscale = 2;
	assert_int_equal(trace_facts_shift(&syn, C), 7);	/* each side its own */
	assert_int_equal(trace_facts_shift(&syn, S), 2);
	c.opt[S].wscale = 20;
	assert_int_equal(trace_facts_shift(&syn, S), TRACE_WSCALE_MAX);	/* RFC 7323 2.3 */
}

static void test_handshake(void **state)
{
	struct conn c;

	(void)state;
	memset(&c, 0, sizeof c);
	seg(&c, C, SYN, 1000, 0, 64240, 7, 100);
	seg(&c, C, SYN, 1000, 0, 64240, 7, 1100);		/* retransmitted: the clock restarts */
	seg(&c, S, SYN | ACK, 5000, 999, 65160, 7, 1120);	/* acknowledges nothing sent: not the answer */
	assert_false(c.x.have_synack);
	seg(&c, S, SYN | ACK, 5000, 1001, 65160, 7, 1150);
	seg(&c, S, SYN | ACK, 5000, 1001, 65160, 7, 1160);	/* a copy: the first counts */
	seg(&c, C, RST | ACK, 1001, 5001, 0, -1, 1165);		/* a RST completes nothing */
	assert_false(c.x.have_ack);
	seg(&c, C, ACK, 1001, 5001, 502, -1, 1170);
	seg(&c, C, ACK, 1001, 5001, 502, -1, 1180);
	assert_true(c.x.have_syn && c.x.have_synack && c.x.have_ack);
	assert_int_equal(c.x.synack_us - c.x.syn_us, 50);
	assert_int_equal(c.x.ack_us - c.x.syn_us, 70);
}

static void test_handshake_unanswered(void **state)
{
	struct conn c;

	(void)state;
	memset(&c, 0, sizeof c);
	seg(&c, C, SYN, 1000, 0, 64240, 7, 0);
	seg(&c, S, RST | ACK, 0, 1001, 0, -1, 10);		/* refused: no SYN+ACK */
	assert_true(c.x.have_syn);
	assert_false(c.x.have_synack);
	assert_false(c.x.have_win[C] || c.x.have_win[S]);	/* a SYN's and a RST's windows do not count */
}

static void test_window(void **state)
{
	struct conn c;

	(void)state;
	memset(&c, 0, sizeof c);
	seg(&c, C, SYN, 1000, 0, 100, 7, 0);		/* a SYN's window: never scaled, not counted */
	seg(&c, S, SYN | ACK, 5000, 1001, 200, 2, 10);
	seg(&c, C, ACK, 1001, 5001, 512, -1, 20);
	seg(&c, S, ACK, 5001, 1001, 1000, -1, 30);
	assert_int_equal(c.x.win_min[C], 512 << 7);
	assert_int_equal(c.x.win_min[S], 1000 << 2);
	seg(&c, C, ACK, 1001, 5001, 600, -1, 40);	/* larger: the smallest stays */
	seg(&c, S, ACK, 5001, 1001, 0, -1, 50);		/* a zero window */
	seg(&c, C, RST, 1001, 0, 0, -1, 60);		/* a RST's window is no offer */
	assert_int_equal(c.x.win_min[C], 512 << 7);
	assert_int_equal(c.x.win_min[S], 0);
}

/* Picked up midstream: no SYN, so no scale, no handshake: nothing is guessed. */
static void test_midstream(void **state)
{
	struct conn c;

	(void)state;
	memset(&c, 0, sizeof c);
	seg(&c, C, ACK, 1001, 5001, 512, -1, 0);
	seg(&c, S, ACK, 5001, 1001, 512, -1, 10);
	assert_false(c.x.have_win[C] || c.x.have_win[S]);
	assert_false(c.x.have_syn || c.x.have_synack || c.x.have_ack);
}

/* Scaling is on only when both SYNs offered it: a side's own offer alone does not scale. */
static void test_window_scaling_off(void **state)
{
	struct conn c;

	(void)state;
	memset(&c, 0, sizeof c);
	seg(&c, C, SYN, 1000, 0, 100, 7, 0);
	seg(&c, S, SYN | ACK, 5000, 1001, 200, -1, 10);
	seg(&c, C, ACK, 1001, 5001, 512, -1, 20);
	assert_int_equal(c.x.win_min[C], 512);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shift),
		cmocka_unit_test(test_handshake),
		cmocka_unit_test(test_handshake_unanswered),
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_midstream),
		cmocka_unit_test(test_window_scaling_off),
	};
	return cmocka_run_group_tests_name("trace_facts", tests, NULL, NULL);
}
