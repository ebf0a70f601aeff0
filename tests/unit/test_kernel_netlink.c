/* tests/unit/test_kernel_netlink.c: sock_diag dump replies built by hand: sockets, v4-mapped, errors, bad lengths and attributes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/sockdiag.h"

struct nlbuf {
	uint8_t b[4096];
	size_t len;
};

static size_t nl_put(struct nlbuf *nb, uint16_t type, uint32_t seq, const void *pl, size_t pllen)
{
	struct nlmsghdr h = { .nlmsg_len = (uint32_t)(NLMSG_HDRLEN + pllen), .nlmsg_type = type,
			      .nlmsg_seq = seq };
	size_t at = nb->len;

	assert_true(at + NLMSG_ALIGN(h.nlmsg_len) <= sizeof nb->b);
	memset(nb->b + at, 0, NLMSG_ALIGN(h.nlmsg_len));
	memcpy(nb->b + at, &h, sizeof h);
	if (pllen)
		memcpy(nb->b + at + NLMSG_HDRLEN, pl, pllen);
	nb->len += NLMSG_ALIGN(h.nlmsg_len);
	return at;
}

/* An inet_diag_msg followed by attributes (raw bytes). */
static size_t diag_msg(uint8_t *out, int family, int st, int timer, uint32_t expires,
		       const char *src, uint16_t sport, const char *dst, uint16_t dport,
		       const uint8_t *attrs, size_t alen)
{
	struct inet_diag_msg m;

	memset(&m, 0, sizeof m);
	m.idiag_family = (uint8_t)family;
	m.idiag_state = (uint8_t)st;
	m.idiag_timer = (uint8_t)timer;
	m.idiag_expires = expires;
	m.id.idiag_sport = htons(sport);
	m.id.idiag_dport = htons(dport);
	inet_pton(family, src, m.id.idiag_src);
	inet_pton(family, dst, m.id.idiag_dst);
	memcpy(out, &m, sizeof m);
	if (alen)
		memcpy(out + NLMSG_ALIGN(sizeof m), attrs, alen);
	return NLMSG_ALIGN(sizeof m) + alen;
}

struct socks {
	struct kernel_sockdiag_sock s[8];
	size_t n;
};

static int socks_add(void *arg, const struct kernel_sockdiag_sock *s)
{
	struct socks *ss = arg;

	assert_true(ss->n < 8);
	ss->s[ss->n++] = *s;
	return 0;
}

static void test_sockdiag_parse(void **state)
{
	static const uint8_t shut[8] = { 5, 0, INET_DIAG_SHUTDOWN, 0, 3, 0, 0, 0 };
	uint8_t pl[256];
	struct nlbuf nb = { .len = 0 };
	struct socks ss = { .n = 0 };
	char err[128];
	size_t n;
	uint8_t lo[4] = { 127, 0, 0, 1 };

	(void)state;
	n = diag_msg(pl, AF_INET, 6, 3, 59000, "127.0.0.1", 19999, "127.0.0.1", 40000, NULL, 0);
	nl_put(&nb, SOCK_DIAG_BY_FAMILY, 7, pl, n);
	n = diag_msg(pl, AF_INET6, 1, 0, 0, "::ffff:127.0.0.1", 40000, "::ffff:127.0.0.1", 19999,
		     shut, sizeof shut);
	nl_put(&nb, SOCK_DIAG_BY_FAMILY, 7, pl, n);
	/* A stale message from an earlier dump: skipped. */
	n = diag_msg(pl, AF_INET, 1, 0, 0, "10.0.0.1", 1, "10.0.0.2", 2, NULL, 0);
	nl_put(&nb, SOCK_DIAG_BY_FAMILY, 6, pl, n);
	assert_int_equal(kernel_sockdiag_parse(nb.b, nb.len, 7, socks_add, &ss, err, sizeof err), 0);
	assert_int_equal(ss.n, 2);
	assert_int_equal(ss.s[0].family, AF_INET);
	assert_int_equal(ss.s[0].kstate, 6);
	assert_int_equal(ss.s[0].timer, 3);
	assert_int_equal(ss.s[0].expires_ms, 59000);
	assert_int_equal(ss.s[0].sport, 19999);
	assert_int_equal(ss.s[0].dport, 40000);
	assert_int_equal(ss.s[0].shutdown, -1);
	/* The v4-mapped dual-stack socket is reported as the IPv4 connection it is. */
	assert_int_equal(ss.s[1].family, AF_INET);
	assert_memory_equal(ss.s[1].saddr, lo, 4);
	assert_memory_equal(ss.s[1].daddr, lo, 4);
	assert_int_equal(ss.s[1].shutdown, 3);

	nl_put(&nb, NLMSG_DONE, 7, "\0\0\0\0", 4);
	ss.n = 0;
	assert_int_equal(kernel_sockdiag_parse(nb.b, nb.len, 7, socks_add, &ss, err, sizeof err), 1);
	assert_int_equal(ss.n, 2);
	assert_int_equal(kernel_sockdiag_parse(nb.b, 0, 7, socks_add, &ss, err, sizeof err), 0);
}

static void test_sockdiag_malformed(void **state)
{
	uint8_t pl[256], attrs[8] = { 0 };
	struct nlbuf nb;
	struct socks ss = { .n = 0 };
	struct nlmsghdr h;
	char err[128];
	size_t n, at;
	int32_t e;

	(void)state;
	/* An error reply. */
	memset(&nb, 0, sizeof nb);
	e = -EPERM;
	memset(pl, 0, 20);
	memcpy(pl, &e, sizeof e);
	nl_put(&nb, NLMSG_ERROR, 1, pl, 20);
	assert_int_equal(kernel_sockdiag_parse(nb.b, nb.len, 1, socks_add, &ss, err, sizeof err), -1);
	assert_string_equal(err, "sock_diag: Operation not permitted");
	/* An error reply too short to hold its code. */
	memset(&nb, 0, sizeof nb);
	nl_put(&nb, NLMSG_ERROR, 1, pl, 2);
	assert_int_equal(kernel_sockdiag_parse(nb.b, nb.len, 1, socks_add, &ss, err, sizeof err), -1);
	assert_string_equal(err, "sock_diag: truncated error message");
	/* A header cut short. */
	assert_int_equal(kernel_sockdiag_parse(nb.b, 10, 1, socks_add, &ss, err, sizeof err), -1);
	assert_non_null(strstr(err, "truncated message header"));

	/* nlmsg_len beyond the datagram, and below a header. */
	memset(&nb, 0, sizeof nb);
	n = diag_msg(pl, AF_INET, 1, 0, 0, "127.0.0.1", 1, "127.0.0.1", 2, NULL, 0);
	at = nl_put(&nb, SOCK_DIAG_BY_FAMILY, 1, pl, n);
	memcpy(&h, nb.b + at, sizeof h);
	h.nlmsg_len += 4;
	memcpy(nb.b + at, &h, sizeof h);
	assert_int_equal(kernel_sockdiag_parse(nb.b, nb.len, 1, socks_add, &ss, err, sizeof err), -1);
	assert_non_null(strstr(err, "bad message length"));
	h.nlmsg_len = 8;
	memcpy(nb.b + at, &h, sizeof h);
	assert_int_equal(kernel_sockdiag_parse(nb.b, nb.len, 1, socks_add, &ss, err, sizeof err), -1);

	/* A payload shorter than an inet_diag_msg. */
	memset(&nb, 0, sizeof nb);
	nl_put(&nb, SOCK_DIAG_BY_FAMILY, 1, pl, sizeof(struct inet_diag_msg) - 1);
	assert_int_equal(kernel_sockdiag_parse(nb.b, nb.len, 1, socks_add, &ss, err, sizeof err), -1);
	assert_non_null(strstr(err, "malformed socket message"));

	/* An attribute longer than what is left, and one shorter than its header. */
	attrs[0] = 40, attrs[2] = INET_DIAG_SHUTDOWN;
	memset(&nb, 0, sizeof nb);
	n = diag_msg(pl, AF_INET, 1, 0, 0, "127.0.0.1", 1, "127.0.0.1", 2, attrs, 8);
	nl_put(&nb, SOCK_DIAG_BY_FAMILY, 1, pl, n);
	assert_int_equal(kernel_sockdiag_parse(nb.b, nb.len, 1, socks_add, &ss, err, sizeof err), -1);
	attrs[0] = 2;
	memset(&nb, 0, sizeof nb);
	n = diag_msg(pl, AF_INET, 1, 0, 0, "127.0.0.1", 1, "127.0.0.1", 2, attrs, 8);
	nl_put(&nb, SOCK_DIAG_BY_FAMILY, 1, pl, n);
	assert_int_equal(kernel_sockdiag_parse(nb.b, nb.len, 1, socks_add, &ss, err, sizeof err), -1);
	/* An unknown family. */
	memset(&nb, 0, sizeof nb);
	n = diag_msg(pl, AF_INET, 1, 0, 0, "127.0.0.1", 1, "127.0.0.1", 2, NULL, 0);
	pl[0] = 99;
	nl_put(&nb, SOCK_DIAG_BY_FAMILY, 1, pl, n);
	assert_int_equal(kernel_sockdiag_parse(nb.b, nb.len, 1, socks_add, &ss, err, sizeof err), -1);
	assert_int_equal(ss.n, 0);

	/* Every prefix of a good reply: no crash, no over-read (ASan), never a socket
	 * reported from a cut message. */
	memset(&nb, 0, sizeof nb);
	n = diag_msg(pl, AF_INET, 1, 0, 0, "127.0.0.1", 1, "127.0.0.1", 2, NULL, 0);
	nl_put(&nb, SOCK_DIAG_BY_FAMILY, 1, pl, n);
	for (n = 1; n < nb.len; n++) {
		uint8_t *cut = malloc(n);

		assert_non_null(cut);
		memcpy(cut, nb.b, n);
		assert_int_equal(kernel_sockdiag_parse(cut, n, 1, socks_add, &ss, err, sizeof err), -1);
		free(cut);
	}
	assert_int_equal(ss.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sockdiag_parse),
		cmocka_unit_test(test_sockdiag_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
