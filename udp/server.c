/* udp/server.c: the hello UDP server's loop: each datagram is one message, answered "Hello, <msg>!" to its source. */
#include "udp/server.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "core/addr.h"
#include "core/sig.h"
#include "net/dgram.h"
#include "net/net.h"

#define UDP_STOP_POLL_MS 500

/* "peer=ADDR" for from, formatted once per address while it stays in the cache. */
static const char *srv_who(struct udp_server *s, const struct hello_addr *from)
{
	const uint8_t *p = (const uint8_t *)&from->ss;
	uint32_t h = 2166136261u;
	struct udp_who *w;
	char peer[HELLO_ADDR_STRLEN];
	socklen_t i;

	for (i = 0; i < from->len; i++)
		h = (h ^ p[i]) * 16777619u;
	w = &s->who[h % UDP_WHO_CACHE];
	if (w->addr.len != from->len || memcmp(&w->addr.ss, &from->ss, from->len) != 0) {
		w->addr = *from;
		snprintf(w->who, sizeof(w->who), "peer=%s", hello_addr_str(from, peer, sizeof(peer)));
	}
	return w->who;
}

/* Receives and answers one queued datagram without blocking: 1 when one was handled, 0 when
 * the queue is empty (or a receive error: back to poll), -1 only when the loop must stop. */
static int srv_one(struct udp_server *s)
{
	struct hello_addr from;
	const char *who = "";
	char err[256];
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
		who = srv_who(s, &from);
	s->datagrams++;
	if (trunc || n > s->max_msg) {
		s->dropped++;
		hello_log_event(&s->log, HELLO_LOG_DETAIL, "toolong", "%s len=%zd limit=%ld%s", who, n, s->max_msg,
				trunc ? " truncated=1" : "");
		return 1;
	}
	hello_log_bytes(&s->log, HELLO_LOG_DETAIL, "message", who, s->in, (size_t)n);
	if (s->delay_ms > 0 && hello_clock_sleep_ms(s->delay_ms) < 0)
		return -1;
	rlen = hello_proto_reply(HELLO_FRAMING_RAW, s->in, (size_t)n, s->out, sizeof(s->out));
	if (hello_net_sendto(s->fd, s->out, rlen, &from, err, sizeof(err)) < 0) {
		hello_log_event(&s->log, HELLO_LOG_DETAIL, "error", "%s error=\"%s\"", who, err);
		return 1;
	}
	s->replies++;
	hello_log_bytes(&s->log, HELLO_LOG_DETAIL, "reply", who, s->out, rlen);
	return 1;
}

/*
 * Receives the queued datagrams (up to UDP_BATCH) in one call and answers them in one:
 * 1 when a full batch was handled (more may wait), 0 when the queue is empty or a receive
 * failed. The lines are
 * the same as srv_one's, the messages' first, then the replies' once they are sent.
 */
static int srv_batch(struct udp_server *s)
{
	struct hello_dgram in[UDP_BATCH], out[UDP_BATCH];
	const char *who[UDP_BATCH];
	char err[256];
	int i, n, m = 0, sent;

	for (i = 0; i < UDP_BATCH; i++)
		in[i] = (struct hello_dgram){ .buf = s->bin[i], .cap = sizeof(s->bin[i]) };
	n = hello_dgram_recv(s->fd, in, UDP_BATCH, err, sizeof(err));
	if (n < 0)
		hello_log_event(&s->log, HELLO_LOG_DETAIL, "error", "error=\"%s\"", err);
	if (n <= 0)
		return 0;
	for (i = 0; i < n; i++) {
		const char *w = s->log.quiet ? "" : srv_who(s, &in[i].addr);

		s->datagrams++;
		if (in[i].real_len > in[i].cap || in[i].real_len > (size_t)s->max_msg) {
			s->dropped++;
			hello_log_event(&s->log, HELLO_LOG_DETAIL, "toolong", "%s len=%zu limit=%ld%s", w,
					in[i].len, s->max_msg, in[i].real_len > in[i].cap ? " truncated=1" : "");
			continue;
		}
		hello_log_bytes(&s->log, HELLO_LOG_DETAIL, "message", w, in[i].buf, in[i].len);
		out[m] = (struct hello_dgram){ .buf = s->bout[m], .addr = in[i].addr };
		out[m].len = hello_proto_reply(HELLO_FRAMING_RAW, in[i].buf, in[i].len, s->bout[m], sizeof(s->bout[m]));
		who[m++] = w;
	}
	for (i = 0; i < m; i += sent + 1) {
		sent = hello_dgram_send(s->fd, out + i, m - i, err, sizeof(err));
		for (int k = i; k < i + sent; k++) {
			s->replies++;
			hello_log_bytes(&s->log, HELLO_LOG_DETAIL, "reply", who[k], out[k].buf, out[k].len);
		}
		if (i + sent < m)
			hello_log_event(&s->log, HELLO_LOG_DETAIL, "error", "%s error=\"%s\"", who[i + sent], err);
	}
	/* A batch short of full emptied the queue: back to poll without a call that says EAGAIN. */
	return n == UDP_BATCH;
}

int udp_server_run(struct udp_server *s, char *err, size_t errlen)
{
	/* --delay and --once take one datagram at a time; so does a recorded run (--events),
	 * so that its timeline shows one recvfrom and one sendto per datagram. */
	int (*one)(struct udp_server *) = s->delay_ms > 0 || s->once || hello_net_events_on() ? srv_one : srv_batch;
	int r;

	/* One poll, then drain the queue: under load one recvmmsg and one sendmmsg for a whole
	 * queue of datagrams (a bare blocking loop makes two calls per datagram), while the stop
	 * flag is still checked between batches. */
	while (!hello_sig_stop() && !(s->once && s->datagrams > 0)) {
		hello_log_flush(); /* the lines of the datagrams just drained, before sleeping */
		r = hello_net_wait(s->fd, POLLIN, UDP_STOP_POLL_MS);
		if (r < 0 && !hello_sig_stop()) {
			snprintf(err, errlen, "poll: %s", strerror(errno));
			return -1;
		}
		if (r <= 0)
			continue;
		while (!hello_sig_stop() && (r = one(s)) > 0 && !(s->once && s->datagrams > 0))
			;
		if (r < 0)
			break;
	}
	return 0;
}
