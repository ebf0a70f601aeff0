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

static int parse_args(int argc, char **argv, struct hello_common *c, struct udp_server *s, char *err, size_t errlen)
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
	static struct udp_server srv;
	struct udp_server *s = &srv;
	struct hello_common c;
	struct hello_addr a;
	char err[512], as[HELLO_ADDR_STRLEN], sn[32];
	int family, rc = HELLO_EXIT_OK;

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
