/* udp/hello-udp-server.c: the hello UDP server: each datagram is one message, answered "Hello, <msg>!" to its source. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/addr.h"
#include "core/log.h"
#include "core/opt.h"
#include "core/sig.h"
#include "net/net.h"

#define PROG "hello-udp-server"
/* Larger than any UDP payload (65507 over IPv4, 65527 over IPv6), so nothing is cut unseen. */
#define UDP_RECV_MAX 65536
#define UDP_STOP_POLL_MS 500

enum { OPT_DELAY = HELLO_OPT_FIRST_PROGRAM, OPT_MAX_MSG, OPT_ONCE };

static const struct option longopts[] = {
	HELLO_OPT_COMMON_LONGOPTS,
	{ "delay", required_argument, NULL, OPT_DELAY },
	{ "max-msg", required_argument, NULL, OPT_MAX_MSG },
	{ "once", no_argument, NULL, OPT_ONCE },
	{ NULL, 0, NULL, 0 },
};

static const struct hello_usage_opt usage_opts[] = {
	{ "--delay MS", "wait MS ms before each reply (the tutorial's sleep; datagrams wait their turn)" },
	{ "--max-msg N", "largest message answered; longer datagrams are logged and dropped (default and most 65499)" },
	{ "--once", "answer one datagram, then exit" },
	{ NULL, NULL },
};

static const struct hello_usage usage = {
	.prog = PROG,
	.args = "[OPTIONS]",
	.summary = "Serve the hello protocol over UDP: every datagram is one message, answered with \"Hello, <message>!\"\n"
		   "sent back to its source. No greeting, no connection, and \"exit\" is an ordinary message.\n"
		   "Log lines (one per event) go to stdout, errors to stderr. SIGINT/SIGTERM: clean stop, summary, exit 0.",
	.opts = usage_opts,
};

struct udp_srv {
	int fd;
	long delay_ms, max_msg;
	int once;
	struct hello_log log;
	unsigned long datagrams, replies, dropped;
	uint8_t in[UDP_RECV_MAX], out[UDP_RECV_MAX + HELLO_REPLY_OVERHEAD];
};

static void srv_log_bytes(struct udp_srv *s, const char *event, const char *peer, const uint8_t *p, size_t len)
{
	char who[HELLO_ADDR_STRLEN + 8];

	if (s->log.quiet)
		return; /* detail lines only: nothing to format under -q */
	snprintf(who, sizeof(who), "peer=%s", peer);
	hello_log_bytes(&s->log, HELLO_LOG_DETAIL, event, who, p, len);
}

/* Receives and answers one queued datagram without blocking: 1 when one was handled, 0 when
 * the queue is empty (or a receive error: back to poll), -1 only when the loop must stop. */
static int srv_one(struct udp_srv *s)
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

static int parse_args(int argc, char **argv, struct hello_common *c, struct udp_srv *s, char *err, size_t errlen)
{
	int opt, r;

	c->no_framing = 1;
	while ((r = hello_opt_next(argc, argv, HELLO_OPT_COMMON_SHORTOPTS, longopts, c, &opt, err, errlen)) > 0) {
		if (opt == OPT_ONCE)
			s->once = 1;
		else if (opt == OPT_DELAY && hello_opt_long("--delay", optarg, 0, 3600000, &s->delay_ms, err, errlen) < 0)
			return -1;
		else if (opt == OPT_MAX_MSG && hello_opt_long("--max-msg", optarg, 0, HELLO_UDP_MAX_MSG, &s->max_msg, err, errlen) < 0)
			return -1;
	}
	if (r < 0)
		return -1;
	if (optind < argc) {
		snprintf(err, errlen, "unexpected argument '%s'", argv[optind]);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	/* Static: the two 64 KiB datagram buffers stay off the stack, and nothing to free. */
	static struct udp_srv srv;
	struct udp_srv *s = &srv;
	struct hello_common c;
	struct hello_addr a;
	char err[512], as[HELLO_ADDR_STRLEN], sn[32];
	int family, r, rc = HELLO_EXIT_OK;

	s->max_msg = HELLO_UDP_MAX_MSG;
	hello_opt_common_init(&c, 1);
	if (parse_args(argc, argv, &c, s, err, sizeof(err)) < 0)
		return hello_opt_usage_error(PROG, err);
	if (hello_opt_help_version(&c, &usage))
		return HELLO_EXIT_OK;
	if (hello_opt_common_finish(&c, &family, err, sizeof(err)) < 0 ||
	    hello_addr_resolve(c.host, c.port, family, &a, err, sizeof(err)) < 0)
		return hello_opt_usage_error(PROG, err);
	s->log = (struct hello_log){ .fd = STDOUT_FILENO, .prog = PROG, .quiet = c.quiet };
	if (hello_sig_install() < 0) {
		perror(PROG ": sigaction");
		return HELLO_EXIT_FAIL;
	}
	if (hello_net_events_start(c.events, PROG, "server", err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s\n", PROG, err);
		return HELLO_EXIT_FAIL;
	}
	s->fd = hello_net_udp_socket(a.ss.ss_family, &a, err, sizeof(err));
	if (s->fd < 0) {
		fprintf(stderr, "%s: %s\n", PROG, err);
		return HELLO_EXIT_FAIL;
	}
	hello_net_local(s->fd, &a);
	hello_log_event(&s->log, HELLO_LOG_MAIN, "listening", "addr=%s proto=udp delay_ms=%ld max_msg=%ld",
			hello_addr_str(&a, as, sizeof(as)), s->delay_ms, s->max_msg);
	/* One poll, then drain the queue: two syscalls per datagram (recvfrom, sendto) under load,
	 * as a bare blocking loop, while the stop flag is still checked between datagrams. */
	while (!hello_sig_stop() && !(s->once && s->datagrams > 0)) {
		r = hello_net_wait(s->fd, POLLIN, UDP_STOP_POLL_MS);
		if (r < 0 && !hello_sig_stop()) {
			fprintf(stderr, "%s: poll: %s\n", PROG, strerror(errno));
			rc = HELLO_EXIT_FAIL;
			break;
		}
		if (r <= 0)
			continue;
		while (!hello_sig_stop() && (r = srv_one(s)) > 0 && !(s->once && s->datagrams > 0))
			;
		if (r < 0)
			break;
	}
	hello_net_close(s->fd);
	if (hello_sig_stop())
		hello_log_event(&s->log, HELLO_LOG_MAIN, "shutdown", "signal=%s", hello_sig_name(hello_sig_stop(), sn, sizeof(sn)));
	hello_log_event(&s->log, HELLO_LOG_MAIN, "summary", "datagrams=%lu replies=%lu dropped=%lu",
			s->datagrams, s->replies, s->dropped);
	return rc;
}
