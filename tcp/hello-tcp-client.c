/* tcp/hello-tcp-client.c: the hello TCP client: the tutorial's exchange, repeated, bursted, or closed on purpose. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/addr.h"
#include "core/log.h"
#include "core/opt.h"
#include "core/sig.h"
#include "net/net.h"
#include "tcp/client.h"

#define PROG "hello-tcp-client"

enum {
	OPT_CLOSE_AFTER_EXIT = HELLO_OPT_FIRST_PROGRAM, OPT_CLOSE_FIRST, OPT_LINGER0, OPT_NODELAY, OPT_COUNT,
	OPT_BURST, OPT_CONNECT_TIMEOUT, OPT_TIMEOUT, OPT_VERBOSE,
};

static const struct option longopts[] = {
	HELLO_OPT_COMMON_LONGOPTS,
	{ "close-after-exit", no_argument, NULL, OPT_CLOSE_AFTER_EXIT },
	{ "close-first", no_argument, NULL, OPT_CLOSE_FIRST },
	{ "linger0", no_argument, NULL, OPT_LINGER0 },
	{ "nodelay", no_argument, NULL, OPT_NODELAY },
	{ "count", required_argument, NULL, OPT_COUNT },
	{ "burst", no_argument, NULL, OPT_BURST },
	{ "connect-timeout", required_argument, NULL, OPT_CONNECT_TIMEOUT },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "verbose", no_argument, NULL, OPT_VERBOSE },
	{ NULL, 0, NULL, 0 },
};

static const struct hello_usage_opt usage_opts[] = {
	{ "--close-after-exit", "close right after sending exit, like the tutorial's client (the FINs race)" },
	{ "--close-first", "close without sending exit: the client closes first and holds TIME-WAIT" },
	{ "--linger0", "close with RST (SO_LINGER 0): no TIME-WAIT" },
	{ "--nodelay", "set TCP_NODELAY" },
	{ "--count N", "repeat the whole exchange N times, one connection after another (default 1)" },
	{ "--burst", "send all names back to back before reading any reply" },
	{ "--connect-timeout MS", "give up connecting after MS ms (default 5000)" },
	{ "--timeout MS", "give up waiting for data after MS ms (default 5000)" },
	{ "-v, --verbose", "log each event (connect, send, reply, close) to stderr" },
	{ NULL, NULL },
};

static const struct hello_usage usage = {
	.prog = PROG,
	.args = "[OPTIONS] [NAME...]",
	.summary = "Run the hello exchange over TCP: print the greeting, send each NAME (default: Michael Tracy Sarah)\n"
		   "and print its reply, send exit, then wait for the server to close before closing (the server closes\n"
		   "first and holds TIME-WAIT). Replies go to stdout, one per line; errors to stderr.",
	.opts = usage_opts,
	.with_framing = 1,
	.exit_codes = "  130  stopped by SIGINT (143: SIGTERM)\n",
};

static char *default_names[] = { "Michael", "Tracy", "Sarah" };

struct cli_opts {
	struct hello_common common;
	long count;
	int verbose;
};

static int parse_opt(struct cli_opts *o, struct tcp_client_cfg *c, int opt, const char *arg, char *err, size_t errlen)
{
	long v;

	switch (opt) {
	case OPT_CLOSE_AFTER_EXIT: c->close_mode = TCP_CLOSE_AFTER_EXIT; return 0;
	case OPT_CLOSE_FIRST: c->close_mode = TCP_CLOSE_FIRST; return 0;
	case OPT_LINGER0: c->linger0 = 1; return 0;
	case OPT_NODELAY: c->nodelay = 1; return 0;
	case OPT_BURST: c->burst = 1; return 0;
	case 'v':
	case OPT_VERBOSE: o->verbose = 1; return 0;
	case OPT_COUNT: return hello_opt_long("--count", arg, 1, 1000000, &o->count, err, errlen);
	case OPT_CONNECT_TIMEOUT:
		if (hello_opt_long("--connect-timeout", arg, 1, 3600000, &v, err, errlen) < 0)
			return -1;
		c->connect_timeout_ms = (int)v;
		return 0;
	case OPT_TIMEOUT:
		if (hello_opt_long("--timeout", arg, 1, 3600000, &v, err, errlen) < 0)
			return -1;
		c->timeout_ms = (int)v;
		return 0;
	default:
		snprintf(err, errlen, "unknown option");
		return -1;
	}
}

static int parse_args(int argc, char **argv, struct cli_opts *o, struct tcp_client_cfg *c, char *err, size_t errlen)
{
	int opt, r;

	while ((r = hello_opt_next(argc, argv, HELLO_OPT_COMMON_SHORTOPTS "v", longopts, &o->common, &opt, err, errlen)) > 0)
		if (parse_opt(o, c, opt, optarg, err, errlen) < 0)
			return -1;
	if (r < 0)
		return -1;
	if (optind < argc) {
		c->names = argv + optind;
		c->nnames = (size_t)(argc - optind);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct cli_opts o = { .count = 1 };
	struct tcp_client_cfg c = { .connect_timeout_ms = 5000, .timeout_ms = 5000, .names = default_names, .nnames = 3 };
	struct tcp_client_result res;
	struct hello_log lg = { .fd = -1, .prog = PROG };
	char err[512], peer[HELLO_ADDR_STRLEN];
	long i;
	int family;

	hello_opt_common_init(&o.common, 0);
	if (parse_args(argc, argv, &o, &c, err, sizeof(err)) < 0)
		return hello_opt_usage_error(PROG, err);
	if (hello_opt_help_version(&o.common, &usage))
		return HELLO_EXIT_OK;
	c.framing = o.common.framing;
	if (hello_opt_common_finish(&o.common, &family, err, sizeof(err)) < 0 ||
	    hello_addr_resolve(o.common.host, o.common.port, family, &c.addr, err, sizeof(err)) < 0 ||
	    tcp_client_check_names(&c, err, sizeof(err)) < 0)
		return hello_opt_usage_error(PROG, err);
	c.out = o.common.quiet ? NULL : stdout;
	lg.fd = o.verbose ? STDERR_FILENO : -1;
	c.log = &lg;
	if (hello_sig_install() < 0) {
		perror(PROG ": sigaction");
		return HELLO_EXIT_FAIL;
	}
	if (hello_net_events_start(o.common.events, PROG, "client", err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s\n", PROG, err);
		return HELLO_EXIT_FAIL;
	}
	for (i = 0; i < o.count; i++) {
		if (tcp_client_exchange(&c, &res, err, sizeof(err)) < 0) {
			if (hello_sig_stop())
				return hello_sig_exit_code(hello_sig_stop());
			fprintf(stderr, "%s: %s\n", PROG, err);
			return HELLO_EXIT_FAIL;
		}
		if (res.reset_after_exit)
			fprintf(stderr, "%s: recv %s: Connection reset by peer, after exit: the server closed with RST"
				" (no TIME-WAIT on either side)\n", PROG, hello_addr_str(&c.addr, peer, sizeof(peer)));
		if (res.replies != c.nnames)
			fprintf(stderr, "%s: %zu replies to %zu messages: raw framing let the server read several messages as one\n",
				PROG, res.replies, c.nnames);
	}
	return HELLO_EXIT_OK;
}
