/* udp/hello-udp-client.c: the hello UDP client: a datagram per name, timeouts, retries, and a report of what never came. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/addr.h"
#include "core/log.h"
#include "core/opt.h"
#include "core/sig.h"
#include "net/net.h"
#include "udp/client.h"

#define PROG "hello-udp-client"

enum { OPT_TIMEOUT = HELLO_OPT_FIRST_PROGRAM, OPT_RETRIES, OPT_CONNECT, OPT_COUNT, OPT_VERBOSE };

static const struct hello_opt opts[] = {
	{ "timeout", 0, "MS", OPT_TIMEOUT, "wait MS ms for each reply before sending again (default 1000)" },
	{ "retries", 0, "N", OPT_RETRIES, "send a name again up to N times when its reply does not come (default 2)" },
	{ "connect", 0, NULL, OPT_CONNECT, "use a connected socket: an ICMP port unreachable then fails with Connection refused" },
	{ "count", 0, "N", OPT_COUNT, "repeat all the names N times (default 1)" },
	{ "verbose", 'v', NULL, OPT_VERBOSE, "log each event (send, reply, timeout) to stderr" },
	{ 0 },
};

static const struct hello_usage usage = {
	.prog = PROG,
	.args = "[OPTIONS] [NAME...]",
	.summary = "Run the hello exchange over UDP: send each NAME (default: Michael Tracy Sarah) as one datagram and\n"
		   "print its reply \"Hello, NAME!\". A reply that never comes is sent again, then reported on stderr as\n"
		   "\"no reply to 'NAME' after N tries\". A message may hold up to 65499 bytes.",
	.opts = opts,
	.common = HELLO_OPT_USE_SERVICE,
	.max_operands = -1,
	.exit_codes = "  3    some replies never came (each is reported on stderr)\n"
		      "  130  stopped by SIGINT (143: SIGTERM)\n",
};

static char *default_names[] = { "Michael", "Tracy", "Sarah" };

struct cli_opts {
	struct udp_client_cfg *cfg;
	long count;
	int verbose;
};

static int parse_opt(void *arg, const struct hello_opt_hit *h, char *err, size_t errlen)
{
	struct cli_opts *o = arg;

	switch (h->id) {
	case OPT_CONNECT: o->cfg->connect = 1; return 0;
	case OPT_VERBOSE: o->verbose = 1; return 0;
	case OPT_COUNT: return hello_opt_long(h->name, h->val, 1, 1000000, &o->count, err, errlen);
	case OPT_TIMEOUT: return hello_opt_int(h->name, h->val, 1, 3600000, &o->cfg->timeout_ms, err, errlen);
	default: return hello_opt_int(h->name, h->val, 0, 1000, &o->cfg->retries, err, errlen);
	}
}

int main(int argc, char **argv)
{
	struct hello_common c;
	struct udp_client_cfg u = { .timeout_ms = 1000, .retries = 2, .names = default_names, .nnames = 3 };
	struct udp_client_result res;
	struct hello_log lg = { .fd = -1, .prog = PROG };
	char err[512];
	struct cli_opts o = { .cfg = &u, .count = 1 };
	long i;
	int family, rc, first, missing = 0;

	hello_opt_common_init(&c, 0);
	c.no_framing = 1;
	if ((rc = hello_opt_main(&usage, argc, argv, &c, parse_opt, &o, &first)) >= 0)
		return rc;
	if (first < argc) {
		u.names = argv + first;
		u.nnames = (size_t)(argc - first);
	}
	if (hello_opt_common_finish(&c, &family, err, sizeof(err)) < 0 ||
	    hello_addr_resolve(c.host, c.port, family, &u.addr, err, sizeof(err)) < 0 ||
	    udp_client_check_names(&u, err, sizeof(err)) < 0)
		return hello_opt_usage_error(PROG, err);
	u.out = c.quiet ? NULL : stdout;
	u.report = stderr;
	u.retry = c.quiet ? NULL : stderr;
	lg.fd = o.verbose ? STDERR_FILENO : -1;
	u.log = &lg;
	if (hello_sig_install() < 0) {
		perror(PROG ": sigaction");
		return HELLO_EXIT_FAIL;
	}
	if (hello_net_events_start(c.events, PROG, "client", err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s\n", PROG, err);
		return HELLO_EXIT_FAIL;
	}
	for (i = 0; i < o.count; i++) {
		if (udp_client_round(&u, &res, err, sizeof(err)) < 0) {
			if (hello_sig_stop())
				return hello_sig_exit_code(hello_sig_stop());
			fprintf(stderr, "%s: %s\n", PROG, err);
			return HELLO_EXIT_FAIL;
		}
		if (hello_sig_stop())
			return hello_sig_exit_code(hello_sig_stop());
		missing += res.missing > 0;
	}
	return missing ? HELLO_EXIT_PARTIAL : HELLO_EXIT_OK;
}
