/* udp/hello-udp-server.c: the hello UDP server: each datagram is one message, answered "Hello, <msg>!" to its source. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/addr.h"
#include "core/log.h"
#include "core/opt.h"
#include "core/sig.h"
#include "net/net.h"
#include "udp/server.h"

#define PROG "hello-udp-server"

enum { OPT_DELAY = HELLO_OPT_FIRST_PROGRAM, OPT_MAX_MSG, OPT_ONCE };

static const struct hello_opt opts[] = {
	{ "delay", 0, "MS", OPT_DELAY, "wait MS ms before each reply (the tutorial's sleep; datagrams wait their turn)" },
	{ "max-msg", 0, "N", OPT_MAX_MSG, "largest message answered; longer datagrams are logged and dropped (default and most 65499)" },
	{ "once", 0, NULL, OPT_ONCE, "answer one datagram, then exit" },
	{ 0 },
};

static const struct hello_usage usage = {
	.prog = PROG,
	.args = "[OPTIONS]",
	.summary = "Serve the hello protocol over UDP: every datagram is one message, answered with \"Hello, <message>!\"\n"
		   "sent back to its source. No greeting, no connection, and \"exit\" is an ordinary message.\n"
		   "Log lines (one per event) go to stdout, errors to stderr. SIGINT/SIGTERM: clean stop, summary, exit 0.",
	.opts = opts,
	.common = HELLO_OPT_USE_SERVICE,
};

static int parse_opt(void *arg, const struct hello_opt_hit *h, char *err, size_t errlen)
{
	struct udp_server *s = arg;

	switch (h->id) {
	case OPT_ONCE: s->once = 1; return 0;
	case OPT_DELAY: return hello_opt_long(h->name, h->val, 0, 3600000, &s->delay_ms, err, errlen);
	default: return hello_opt_long(h->name, h->val, 0, HELLO_UDP_MAX_MSG, &s->max_msg, err, errlen);
	}
}

int main(int argc, char **argv)
{
	/* Static: the two 64 KiB datagram buffers stay off the stack, and nothing to free. */
	static struct udp_server srv;
	struct udp_server *s = &srv;
	struct hello_common c;
	struct hello_addr a;
	char err[512], as[HELLO_ADDR_STRLEN], sn[32];
	int family, rc = HELLO_EXIT_OK;

	s->max_msg = HELLO_UDP_MAX_MSG;
	hello_opt_common_init(&c, 1);
	c.no_framing = 1;
	if ((rc = hello_opt_main(&usage, argc, argv, &c, parse_opt, s, NULL)) >= 0)
		return rc;
	rc = HELLO_EXIT_OK;
	if (hello_opt_common_finish(&c, &family, err, sizeof(err)) < 0 ||
	    hello_addr_resolve(c.host, c.port, family, &a, err, sizeof(err)) < 0)
		return hello_opt_usage_error(PROG, err);
	if (hello_log_open(&s->log, STDOUT_FILENO, PROG, c.quiet, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s\n", PROG, err);
		return HELLO_EXIT_FAIL;
	}
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
	if (udp_server_run(s, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s\n", PROG, err);
		rc = HELLO_EXIT_FAIL;
	}
	hello_net_close(s->fd);
	if (hello_sig_stop())
		hello_log_event(&s->log, HELLO_LOG_MAIN, "shutdown", "signal=%s", hello_sig_name(hello_sig_stop(), sn, sizeof(sn)));
	hello_log_event(&s->log, HELLO_LOG_MAIN, "summary", "datagrams=%lu replies=%lu dropped=%lu",
			s->datagrams, s->replies, s->dropped);
	return rc;
}
