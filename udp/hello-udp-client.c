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

static const struct option longopts[] = {
	HELLO_OPT_COMMON_LONGOPTS,
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "retries", required_argument, NULL, OPT_RETRIES },
	{ "connect", no_argument, NULL, OPT_CONNECT },
	{ "count", required_argument, NULL, OPT_COUNT },
	{ "verbose", no_argument, NULL, OPT_VERBOSE },
	{ NULL, 0, NULL, 0 },
};

static const struct hello_usage_opt usage_opts[] = {
	{ "--timeout MS", "wait MS ms for each reply before sending again (default 1000)" },
	{ "--retries N", "send a name again up to N times when its reply does not come (default 2)" },
	{ "--connect", "use a connected socket: an ICMP port unreachable then fails with Connection refused" },
	{ "--count N", "repeat all the names N times (default 1)" },
	{ "-v, --verbose", "log each event (send, reply, timeout) to stderr" },
	{ NULL, NULL },
};

static const struct hello_usage usage = {
	.prog = PROG,
	.args = "[OPTIONS] [NAME...]",
	.summary = "Run the hello exchange over UDP: send each NAME (default: Michael Tracy Sarah) as one datagram and\n"
		   "print its reply \"Hello, NAME!\". A reply that never comes is sent again, then reported on stderr as\n"
		   "\"no reply to 'NAME' after N tries\". A message may hold up to 65499 bytes.",
	.opts = usage_opts,
	.exit_codes = "  3    some replies never came (each is reported on stderr)\n"
		      "  130  stopped by SIGINT (143: SIGTERM)\n",
};

static char *default_names[] = { "Michael", "Tracy", "Sarah" };

static int parse_args(int argc, char **argv, struct hello_common *c, struct udp_client_cfg *u, long *count,
		      int *verbose, char *err, size_t errlen)
{
	int opt, r;
	long v;

	c->no_framing = 1;
	while ((r = hello_opt_next(argc, argv, HELLO_OPT_COMMON_SHORTOPTS "v", longopts, c, &opt, err, errlen)) > 0) {
		switch (opt) {
		case OPT_CONNECT: u->connect = 1; break;
		case 'v':
		case OPT_VERBOSE: *verbose = 1; break;
		case OPT_COUNT:
			if (hello_opt_long("--count", optarg, 1, 1000000, count, err, errlen) < 0)
				return -1;
			break;
		case OPT_TIMEOUT:
			if (hello_opt_long("--timeout", optarg, 1, 3600000, &v, err, errlen) < 0)
				return -1;
			u->timeout_ms = (int)v;
			break;
		case OPT_RETRIES:
			if (hello_opt_long("--retries", optarg, 0, 1000, &v, err, errlen) < 0)
				return -1;
			u->retries = (int)v;
			break;
		default:
			break;
		}
	}
	if (r < 0)
		return -1;
	if (optind < argc) {
		u->names = argv + optind;
		u->nnames = (size_t)(argc - optind);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct hello_common c;
	struct udp_client_cfg u = { .timeout_ms = 1000, .retries = 2, .names = default_names, .nnames = 3 };
	struct udp_client_result res;
	struct hello_log lg = { .fd = -1, .prog = PROG };
	char err[512];
	long count = 1, i;
	int family, verbose = 0, missing = 0;

	hello_opt_common_init(&c, 0);
	if (parse_args(argc, argv, &c, &u, &count, &verbose, err, sizeof(err)) < 0)
		return hello_opt_usage_error(PROG, err);
	if (hello_opt_help_version(&c, &usage))
		return HELLO_EXIT_OK;
	if (hello_opt_common_finish(&c, &family, err, sizeof(err)) < 0 ||
	    hello_addr_resolve(c.host, c.port, family, &u.addr, err, sizeof(err)) < 0 ||
	    udp_client_check_names(&u, err, sizeof(err)) < 0)
		return hello_opt_usage_error(PROG, err);
	u.out = c.quiet ? NULL : stdout;
	u.report = stderr;
	lg.fd = verbose ? STDERR_FILENO : -1;
	u.log = &lg;
	if (hello_sig_install() < 0) {
		perror(PROG ": sigaction");
		return HELLO_EXIT_FAIL;
	}
	if (hello_net_events_start(c.events, PROG, "client", err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s\n", PROG, err);
		return HELLO_EXIT_FAIL;
	}
	for (i = 0; i < count; i++) {
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
