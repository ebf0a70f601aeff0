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

static const struct hello_opt opts[] = {
	{ "close-after-exit", 0, NULL, OPT_CLOSE_AFTER_EXIT, "close right after sending exit, like the tutorial's client (the FINs race)" },
	{ "close-first", 0, NULL, OPT_CLOSE_FIRST, "close without sending exit: the client closes first and holds TIME-WAIT" },
	{ "linger0", 0, NULL, OPT_LINGER0, "close with RST (SO_LINGER 0): no TIME-WAIT" },
	{ "nodelay", 0, NULL, OPT_NODELAY, "set TCP_NODELAY" },
	{ "count", 0, "N", OPT_COUNT, "repeat the whole exchange N times, one connection after another (default 1)" },
	{ "burst", 0, NULL, OPT_BURST, "send all names back to back before reading any reply" },
	{ "connect-timeout", 0, "MS", OPT_CONNECT_TIMEOUT, "give up connecting after MS ms (default 5000)" },
	{ "timeout", 0, "MS", OPT_TIMEOUT, "give up waiting for data after MS ms (default 5000)" },
	{ "verbose", 'v', NULL, OPT_VERBOSE, "log each event (connect, send, reply, close) to stderr" },
	{ 0 },
};

static const struct hello_usage usage = {
	.prog = PROG,
	.args = "[OPTIONS] [NAME...]",
	.summary = "Run the hello exchange over TCP: print the greeting, send each NAME (default: Michael Tracy Sarah)\n"
		   "and print its reply, send exit, then wait for the server to close before closing (the server closes\n"
		   "first and holds TIME-WAIT). Replies go to stdout, one per line; errors to stderr.",
	.opts = opts,
	.common = HELLO_OPT_USE_SERVICE | HELLO_OPT_USE_FRAMING,
	.max_operands = -1,
	.exit_codes = "  130  stopped by SIGINT (143: SIGTERM)\n",
};

static char *default_names[] = { "Michael", "Tracy", "Sarah" };

struct cli_opts {
	struct hello_common common;
	struct tcp_client_cfg *cfg;
	long count;
	int verbose;
};

static int parse_opt(void *arg, const struct hello_opt_hit *h, char *err, size_t errlen)
{
	struct cli_opts *o = arg;
	struct tcp_client_cfg *c = o->cfg;

	switch (h->id) {
	case OPT_CLOSE_AFTER_EXIT: c->close_mode = TCP_CLOSE_AFTER_EXIT; return 0;
	case OPT_CLOSE_FIRST: c->close_mode = TCP_CLOSE_FIRST; return 0;
	case OPT_LINGER0: c->linger0 = 1; return 0;
	case OPT_NODELAY: c->nodelay = 1; return 0;
	case OPT_BURST: c->burst = 1; return 0;
	case OPT_VERBOSE: o->verbose = 1; return 0;
	case OPT_COUNT: return hello_opt_long(h->name, h->val, 1, 1000000, &o->count, err, errlen);
	case OPT_CONNECT_TIMEOUT: return hello_opt_int(h->name, h->val, 1, 3600000, &c->connect_timeout_ms, err, errlen);
	default: return hello_opt_int(h->name, h->val, 1, 3600000, &c->timeout_ms, err, errlen);
	}
}

int main(int argc, char **argv)
{
	struct tcp_client_cfg c = { .connect_timeout_ms = 5000, .timeout_ms = 5000, .names = default_names, .nnames = 3 };
	struct cli_opts o = { .cfg = &c, .count = 1 };
	struct tcp_client_result res;
	struct hello_log lg = { .fd = -1, .prog = PROG };
	char err[512], peer[HELLO_ADDR_STRLEN];
	long i;
	int family, rc, first;

	hello_opt_common_init(&o.common, 0);
	if ((rc = hello_opt_main(&usage, argc, argv, &o.common, parse_opt, &o, &first)) >= 0)
		return rc;
	if (first < argc) {
		c.names = argv + first;
		c.nnames = (size_t)(argc - first);
	}
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
