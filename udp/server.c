/* udp/server.c: the hello UDP server's loop: each datagram is one message, answered "Hello, <msg>!" to its source. */
#include "udp/server.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "core/addr.h"
#include "core/sig.h"
#include "net/net.h"

#define UDP_STOP_POLL_MS 500

static void srv_log_bytes(struct udp_server *s, const char *event, const char *peer, const uint8_t *p, size_t len)
{
	char who[HELLO_ADDR_STRLEN + 8];

	if (s->log.quiet)
		return; /* detail lines only: nothing to format under -q */
	snprintf(who, sizeof(who), "peer=%s", peer);
	hello_log_bytes(&s->log, HELLO_LOG_DETAIL, event, who, p, len);
}

/* Receives and answers one queued datagram without blocking: 1 when one was handled, 0 when
 * the queue is empty (or a receive error: back to poll), -1 only when the loop must stop. */
static int srv_one(struct udp_server *s)
{
	struct hello_addr from;
	char peer[HELLO_ADDR_STRLEN] = "", err[256];
	ssize_t n;
	size_t rlen;
	int trunc;

	n = hello_net_recvfrom_nowait(s->fd, s->in, sizeof(s->in), &from, &trunc, NULL, err, sizeof(err));
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;
		/* Linux reports ICMP errors for earlier replies here; the server just goes on. */
		hello_log_event(&s->log, HELLO_LOG_DETAIL, "error", "error=\"%s\"", err);
		return 0;
	}
	/* Every per-datagram line is a detail line: with -q the peer is never formatted. */
	if (!s->log.quiet)
		hello_addr_str(&from, peer, sizeof(peer));
	s->datagrams++;
	if (trunc || n > s->max_msg) {
		s->dropped++;
		hello_log_event(&s->log, HELLO_LOG_DETAIL, "toolong", "peer=%s len=%zd limit=%ld%s", peer, n, s->max_msg,
				trunc ? " truncated=1" : "");
		return 1;
	}
	srv_log_bytes(s, "message", peer, s->in, (size_t)n);
	if (s->delay_ms > 0 && hello_clock_sleep_ms(s->delay_ms) < 0)
		return -1;
	rlen = hello_proto_reply(HELLO_FRAMING_RAW, s->in, (size_t)n, s->out, sizeof(s->out));
	if (hello_net_sendto(s->fd, s->out, rlen, &from, err, sizeof(err)) < 0) {
		hello_log_event(&s->log, HELLO_LOG_DETAIL, "error", "peer=%s error=\"%s\"", peer, err);
		return 1;
	}
	s->replies++;
	srv_log_bytes(s, "reply", peer, s->out, rlen);
	return 1;
}

int udp_server_run(struct udp_server *s, char *err, size_t errlen)
{
	int r;

	/* One poll, then drain the queue: two syscalls per datagram (recvfrom, sendto) under load,
	 * as a bare blocking loop, while the stop flag is still checked between datagrams. */
	while (!hello_sig_stop() && !(s->once && s->datagrams > 0)) {
		hello_log_flush(); /* the lines of the datagrams just drained, before sleeping */
		r = hello_net_wait(s->fd, POLLIN, UDP_STOP_POLL_MS);
		if (r < 0 && !hello_sig_stop()) {
			snprintf(err, errlen, "poll: %s", strerror(errno));
			return -1;
		}
		if (r <= 0)
			continue;
		while (!hello_sig_stop() && (r = srv_one(s)) > 0 && !(s->once && s->datagrams > 0))
			;
		if (r < 0)
			break;
	}
	return 0;
}
