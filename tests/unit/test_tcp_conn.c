/* tests/unit/test_tcp_conn.c: the server connection state machine over a socketpair, with a fake clock. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <poll.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "core/sig.h"
#include "tcp/conn.h"

struct fx {
	int peer;                   /* the client's end */
	struct tcp_conn c;
	struct tcp_srv_cfg cfg;
	struct tcp_stats stats;
	struct hello_log log;
	struct hello_addr addr;
};

static void fx_start(struct fx *f, enum hello_framing fr)
{
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	f->peer = sv[1];
	fcntl(f->peer, F_SETFL, O_NONBLOCK);
	f->cfg.framing = fr;
	if (!f->cfg.max_msg)
		f->cfg.max_msg = 16;
	if (!f->cfg.max_output)
		f->cfg.max_output = 4096;
	f->log = (struct hello_log){ .fd = -1, .prog = "test" };
	assert_int_equal(tcp_conn_init(&f->c, sv[0], &f->addr, 1, &f->cfg, &f->log, &f->stats, 1000), 0);
}

static void fx_send(struct fx *f, const char *s, size_t len, int64_t now)
{
	assert_int_equal(write(f->peer, s, len), (ssize_t)len);
	tcp_conn_on_io(&f->c, POLLIN, now);
}

/* Everything the server has sent so far, as a string. */
static const char *fx_recv(struct fx *f)
{
	static char buf[8192];
	ssize_t n = read(f->peer, buf, sizeof(buf) - 1);

	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static void fx_end(struct fx *f)
{
	tcp_conn_finish(&f->c);
	close(f->peer);
}

static void test_raw_exchange(void **state)
{
	struct fx f = { 0 };
	(void)state;
	fx_start(&f, HELLO_FRAMING_RAW);
	assert_string_equal(fx_recv(&f), "hello!");
	fx_send(&f, "Michael", 7, 1001);
	assert_string_equal(fx_recv(&f), "Hello, Michael!");
	fx_send(&f, "\xff\x00x", 3, 1002);
	assert_memory_equal(fx_recv(&f), "Hello, \xff", 8);
	assert_false(tcp_conn_done(&f.c));
	fx_send(&f, "exit", 4, 1003);
	assert_true(tcp_conn_done(&f.c));
	assert_string_equal(f.c.reason, "exit");
	assert_int_equal(atomic_load(&f.stats.messages), 3);
	assert_int_equal(atomic_load(&f.stats.replies), 2);
	fx_end(&f);
}

static void test_line_exchange_and_eof(void **state)
{
	struct fx f = { 0 };
	(void)state;
	fx_start(&f, HELLO_FRAMING_LINE);
	assert_string_equal(fx_recv(&f), "hello!\n");
	fx_send(&f, "Ann\r\nBo", 7, 1001);
	assert_string_equal(fx_recv(&f), "Hello, Ann!\n");
	fx_send(&f, "b\n", 2, 1002);
	assert_string_equal(fx_recv(&f), "Hello, Bob!\n");
	/* The peer closes first: the server answers nothing more and closes too. */
	shutdown(f.peer, SHUT_WR);
	tcp_conn_on_io(&f.c, POLLIN, 1003);
	assert_true(tcp_conn_done(&f.c));
	assert_string_equal(f.c.reason, "eof");
	fx_end(&f);
}

static void test_line_overflow(void **state)
{
	struct fx f = { 0 };
	(void)state;
	f.cfg.max_msg = 8;
	fx_start(&f, HELLO_FRAMING_LINE);
	fx_recv(&f);
	fx_send(&f, "123456789012", 12, 1001);
	assert_string_equal(fx_recv(&f), "error: line too long (limit 8 bytes)\n");
	assert_true(tcp_conn_done(&f.c));
	assert_string_equal(f.c.reason, "overflow");
	fx_end(&f);
}

static void test_delay_is_a_timer(void **state)
{
	struct fx f = { 0 };
	(void)state;
	f.cfg.delay_ms = 500;
	fx_start(&f, HELLO_FRAMING_LINE);
	fx_recv(&f);
	fx_send(&f, "A\nB\n", 4, 2000);
	/* No reply yet, no reading while it waits, and the deadline is the reply time. */
	assert_string_equal(fx_recv(&f), "");
	assert_int_equal(tcp_conn_events(&f.c) & POLLIN, 0);
	assert_int_equal(tcp_conn_deadline(&f.c), 2500);
	tcp_conn_on_time(&f.c, 2499);
	assert_string_equal(fx_recv(&f), "");
	tcp_conn_on_time(&f.c, 2500);
	assert_string_equal(fx_recv(&f), "Hello, A!\n");
	/* B was already buffered: its own delay starts when A's reply went out. */
	assert_int_equal(tcp_conn_deadline(&f.c), 3000);
	tcp_conn_on_time(&f.c, 3000);
	assert_string_equal(fx_recv(&f), "Hello, B!\n");
	assert_true(tcp_conn_events(&f.c) & POLLIN);
	fx_end(&f);
}

/* exit waits for its delay like any message: the tutorial's server closes a delay after exit. */
static void test_delay_before_exit(void **state)
{
	struct fx f = { 0 };
	(void)state;
	f.cfg.delay_ms = 200;
	fx_start(&f, HELLO_FRAMING_RAW);
	fx_recv(&f);
	fx_send(&f, "exit", 4, 2000);
	assert_false(tcp_conn_done(&f.c));
	assert_int_equal(tcp_conn_deadline(&f.c), 2200);
	tcp_conn_on_time(&f.c, 2199);
	assert_false(tcp_conn_done(&f.c));
	tcp_conn_on_time(&f.c, 2200);
	assert_true(tcp_conn_done(&f.c));
	assert_string_equal(f.c.reason, "exit");
	assert_string_equal(fx_recv(&f), "");
	fx_end(&f);
}

static void test_timeouts(void **state)
{
	struct fx f = { 0 };
	(void)state;
	f.cfg.idle_ms = 1000;
	f.cfg.msg_timeout_ms = 300;
	fx_start(&f, HELLO_FRAMING_LINE);
	fx_recv(&f);
	assert_int_equal(tcp_conn_deadline(&f.c), 2000);
	fx_send(&f, "slo", 3, 1500);
	/* A started line: the message timeout comes first. */
	assert_int_equal(tcp_conn_deadline(&f.c), 1800);
	fx_send(&f, "w", 1, 1700);
	assert_int_equal(tcp_conn_deadline(&f.c), 1800);
	tcp_conn_on_time(&f.c, 1800);
	assert_true(tcp_conn_done(&f.c));
	assert_string_equal(f.c.reason, "message-timeout");
	fx_end(&f);

	memset(&f, 0, sizeof(f));
	f.cfg.idle_ms = 1000;
	fx_start(&f, HELLO_FRAMING_RAW);
	fx_send(&f, "x", 1, 1500);
	tcp_conn_on_time(&f.c, 2499);
	assert_false(tcp_conn_done(&f.c));
	tcp_conn_on_time(&f.c, 2500);
	assert_true(tcp_conn_done(&f.c));
	assert_string_equal(f.c.reason, "idle");
	fx_end(&f);
}

static void test_output_bound_cuts_off(void **state)
{
	struct fx f = { 0 };
	int small = 1024, i;
	char msg[16];
	(void)state;
	f.cfg.max_output = 256;
	fx_start(&f, HELLO_FRAMING_RAW);
	setsockopt(f.c.fd, SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
	memset(msg, 'm', sizeof(msg));
	/* The peer never reads: replies pile up in the kernel, then in the bounded buffer. */
	for (i = 0; i < 10000 && !tcp_conn_done(&f.c); i++)
		fx_send(&f, msg, sizeof(msg), 1001);
	assert_true(tcp_conn_done(&f.c));
	assert_string_equal(f.c.reason, "cutoff");
	assert_true(f.c.reset);
	assert_true(hello_outbuf_pending(&f.c.out) <= 256);
	fx_end(&f);
}

static void test_peer_gone(void **state)
{
	struct fx f = { 0 };
	(void)state;
	fx_start(&f, HELLO_FRAMING_RAW);
	close(f.peer);
	f.peer = -1;
	/* The peer vanished: end of stream, the connection ends without a signal or a crash. */
	tcp_conn_on_io(&f.c, POLLIN, 1001);
	assert_true(tcp_conn_done(&f.c));
	tcp_conn_finish(&f.c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_raw_exchange),
		cmocka_unit_test(test_line_exchange_and_eof),
		cmocka_unit_test(test_line_overflow),
		cmocka_unit_test(test_delay_is_a_timer),
		cmocka_unit_test(test_delay_before_exit),
		cmocka_unit_test(test_timeouts),
		cmocka_unit_test(test_output_bound_cuts_off),
		cmocka_unit_test(test_peer_gone),
	};
	hello_sig_install();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
