/* bench/hello-bench.c: the load generator: hello requests (or any fixed request) over N TCP connections or UDP sockets. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "bench/load.h"
#include "bench/report.h"
#include "core/addr.h"
#include "core/opt.h"
#include "core/proto.h"
#include "core/sig.h"

#define PROG "hello-bench"
#define BENCH_MAX_REQ 65536

enum {
	OPT_UDP = HELLO_OPT_FIRST_PROGRAM, OPT_TCP, OPT_CONNS, OPT_THREADS, OPT_DURATION, OPT_REQUESTS,
	OPT_RATE, OPT_MESSAGE, OPT_SEND, OPT_EXPECT, OPT_NO_GREETING, OPT_TIMEOUT, OPT_JSON, OPT_SETUP,
};

static const struct option longopts[] = {
	HELLO_OPT_COMMON_LONGOPTS,
	{ "udp", no_argument, NULL, OPT_UDP },
	{ "tcp", no_argument, NULL, OPT_TCP },
	{ "connections", required_argument, NULL, OPT_CONNS },
	{ "sockets", required_argument, NULL, OPT_CONNS },
	{ "threads", required_argument, NULL, OPT_THREADS },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "requests", required_argument, NULL, OPT_REQUESTS },
	{ "rate", required_argument, NULL, OPT_RATE },
	{ "message", required_argument, NULL, OPT_MESSAGE },
	{ "send", required_argument, NULL, OPT_SEND },
	{ "expect-bytes", required_argument, NULL, OPT_EXPECT },
	{ "no-greeting", no_argument, NULL, OPT_NO_GREETING },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "connect-timeout", required_argument, NULL, OPT_SETUP },
	{ NULL, 0, NULL, 0 },
};

static const struct hello_usage_opt usage_opts[] = {
	{ "--tcp | --udp", "protocol (default tcp)" },
	{ "--connections N", "TCP connections (or --sockets N, UDP sockets), each a ping-pong loop (default 1)" },
	{ "--threads N", "worker threads sharing the connections (default 1)" },
	{ "--duration SEC", "measure for SEC seconds, decimals allowed (default 5 unless --requests)" },
	{ "--requests N", "stop after N requests in all" },
	{ "--rate R", "offer R requests/s in all (paced; latency counts from the intended send time); default: as fast as replies come" },
	{ "--message TEXT", "hello mode: the message sent (default Michael); the reply must be \"Hello, TEXT!\"" },
	{ "--send BYTES", "generic mode: send BYTES (escapes \\r \\n \\t \\0 \\\\ \\xHH) and expect --expect-bytes bytes back" },
	{ "--expect-bytes N", "generic mode: the reply's size" },
	{ "--no-greeting", "TCP: the server sends nothing on connect (default: expect \"hello!\")" },
	{ "--timeout MS", "a reply later than MS is an error; UDP sends again (default 1000)" },
	{ "--connect-timeout MS", "wait at most MS for every connection and greeting before measuring; late ones join the run (default 2000)" },
	{ "--json", "print the result as one JSON object" },
	{ NULL, NULL },
};

static const struct hello_usage usage = {
	.prog = PROG,
	.args = "[OPTIONS]",
	.summary = "Load a hello server (or any request/reply server) and report requests/s, latency percentiles and errors.\n"
		   "Example (redis): hello-bench --port 6379 --send 'PING\\r\\n' --expect-bytes 7 --no-greeting --connections 50",
	.opts = usage_opts,
	.with_framing = 1,
	.exit_codes = "  3    some requests failed (timeouts, bad replies, lost connections)\n"
		      "  130  stopped by SIGINT (143: SIGTERM); the result so far is printed\n",
};

struct bench_opts {
	struct hello_common common;
	struct bench_cfg cfg;
	const char *message;
	const char *send;
	long expect;
	int no_greeting, json;
};

static int opt_double(const char *name, const char *s, double min, double max, double *out, char *err, size_t errlen)
{
	char *end;
	double v = strtod(s, &end);

	if (!*s || *end || v != v) {
		snprintf(err, errlen, "%s: '%s' is not a number", name, s);
		return -1;
	}
	if (v < min || v > max) {
		snprintf(err, errlen, "%s: %s is out of range %g..%g", name, s, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

static int opt_one(struct bench_opts *o, int opt, const char *arg, char *err, size_t errlen)
{
	long v;

	switch (opt) {
	case OPT_UDP: o->cfg.proto = BENCH_UDP; return 0;
	case OPT_TCP: o->cfg.proto = BENCH_TCP; return 0;
	case OPT_NO_GREETING: o->no_greeting = 1; return 0;
	case OPT_JSON: o->json = 1; return 0;
	case OPT_MESSAGE: o->message = arg; return 0;
	case OPT_SEND: o->send = arg; return 0;
	case OPT_DURATION: return opt_double("--duration", arg, 0.001, 86400, &o->cfg.duration_s, err, errlen);
	case OPT_RATE: return opt_double("--rate", arg, 1, 1e8, &o->cfg.rate, err, errlen);
	case OPT_EXPECT: return hello_opt_long("--expect-bytes", arg, 1, BENCH_MAX_REQ, &o->expect, err, errlen);
	case OPT_CONNS:
		if (hello_opt_long("--connections", arg, 1, 10000, &v, err, errlen) < 0)
			return -1;
		o->cfg.conns = (unsigned)v;
		return 0;
	case OPT_THREADS:
		if (hello_opt_long("--threads", arg, 1, 64, &v, err, errlen) < 0)
			return -1;
		o->cfg.threads = (unsigned)v;
		return 0;
	case OPT_REQUESTS:
		if (hello_opt_long("--requests", arg, 1, 2000000000L, &v, err, errlen) < 0)
			return -1;
		o->cfg.requests = (uint64_t)v;
		return 0;
	case OPT_SETUP:
		if (hello_opt_long("--connect-timeout", arg, 0, 600000, &v, err, errlen) < 0)
			return -1;
		o->cfg.setup_ms = (int)v;
		return 0;
	case OPT_TIMEOUT:
		if (hello_opt_long("--timeout", arg, 1, 600000, &v, err, errlen) < 0)
			return -1;
		o->cfg.timeout_ms = (int)v;
		return 0;
	}
	snprintf(err, errlen, "unhandled option");
	return -1;
}

static int parse_args(int argc, char **argv, struct bench_opts *o, char *err, size_t errlen)
{
	int opt, r;

	while ((r = hello_opt_next(argc, argv, HELLO_OPT_COMMON_SHORTOPTS, longopts, &o->common, &opt, err, errlen)) > 0)
		if (opt_one(o, opt, optarg, err, errlen) < 0)
			return -1;
	if (r < 0)
		return -1;
	if (optind < argc) {
		snprintf(err, errlen, "unexpected argument '%s'", argv[optind]);
		return -1;
	}
	if (o->send && o->message) {
		snprintf(err, errlen, "--send and --message exclude each other (generic or hello mode)");
		return -1;
	}
	if (o->send && !o->expect) {
		snprintf(err, errlen, "--send needs --expect-bytes N (the reply's size)");
		return -1;
	}
	if (!o->send && o->expect) {
		snprintf(err, errlen, "--expect-bytes goes with --send (hello mode knows the reply)");
		return -1;
	}
	if (o->cfg.proto == BENCH_UDP && o->common.framing == HELLO_FRAMING_LINE) {
		snprintf(err, errlen, "--framing does not apply to UDP: every datagram is one message");
		return -1;
	}
	return 0;
}

/* Fills the request, the reply and the greeting the run expects (hello or generic mode). */
static int bench_payloads(struct bench_opts *o, unsigned char *req, unsigned char *reply, char *err, size_t errlen)
{
	enum hello_framing f = o->common.framing;
	const char *msg = o->message ? o->message : "Michael";
	size_t len;
	long n;

	if (o->send) {
		n = bench_unescape(o->send, req, BENCH_MAX_REQ, err, errlen);
		if (n <= 0) {
			if (n == 0)
				snprintf(err, errlen, "--send: empty request");
			return -1;
		}
		o->cfg.req_len = (size_t)n;
		o->cfg.reply_len = (size_t)o->expect;
	} else {
		len = strlen(msg);
		if (len == 0 || len + 1 > BENCH_MAX_REQ / 2 || hello_proto_is_exit((const uint8_t *)msg, len) ||
		    (f == HELLO_FRAMING_LINE && strchr(msg, '\n'))) {
			snprintf(err, errlen, "--message: must be 1..%d bytes, not \"exit\" and without a newline", BENCH_MAX_REQ / 2);
			return -1;
		}
		memcpy(req, msg, len);
		if (f == HELLO_FRAMING_LINE)
			req[len++] = '\n';
		o->cfg.req_len = len;
		o->cfg.reply_len = hello_proto_reply(f, (const uint8_t *)msg, strlen(msg), reply, BENCH_MAX_REQ);
		o->cfg.reply = reply;
	}
	o->cfg.req = req;
	if (o->cfg.proto == BENCH_TCP && !o->no_greeting) {
		o->cfg.greeting = (const uint8_t *)hello_proto_greeting(f, &len);
		o->cfg.greeting_len = len;
	}
	return 0;
}

static int bench_exit_code(const struct bench_result *res)
{
	if (res->stopped && hello_sig_stop())
		return hello_sig_exit_code(hello_sig_stop());
	if (!res->requests)
		return HELLO_EXIT_FAIL;
	return res->errors ? HELLO_EXIT_PARTIAL : HELLO_EXIT_OK;
}

int main(int argc, char **argv)
{
	static unsigned char req[BENCH_MAX_REQ], reply[BENCH_MAX_REQ];
	static struct bench_result res;
	struct bench_opts o = { .cfg = { .conns = 1, .threads = 1, .timeout_ms = 1000, .nodelay = 1, .setup_ms = 2000 } };
	struct bench_report_info info;
	char err[512], target[HELLO_ADDR_STRLEN];
	int family;
	json_t *j;

	hello_opt_common_init(&o.common, 0);
	if (parse_args(argc, argv, &o, err, sizeof(err)) < 0)
		return hello_opt_usage_error(PROG, err);
	if (hello_opt_help_version(&o.common, &usage))
		return HELLO_EXIT_OK;
	if (hello_opt_common_finish(&o.common, &family, err, sizeof(err)) < 0 ||
	    hello_addr_resolve(o.common.host, o.common.port, family, &o.cfg.addr, err, sizeof(err)) < 0 ||
	    bench_payloads(&o, req, reply, err, sizeof(err)) < 0)
		return hello_opt_usage_error(PROG, err);
	if (!o.cfg.duration_s && !o.cfg.requests)
		o.cfg.duration_s = 5;
	if (hello_sig_install() < 0) {
		perror(PROG ": sigaction");
		return HELLO_EXIT_FAIL;
	}
	info = (struct bench_report_info){ .mode = o.send ? "generic" : "hello", .cfg = &o.cfg,
					   .target = hello_addr_str(&o.cfg.addr, target, sizeof(target)) };
	if (bench_load_run(&o.cfg, &res, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s\n", PROG, err);
		return hello_sig_stop() ? hello_sig_exit_code(hello_sig_stop()) : HELLO_EXIT_FAIL;
	}
	if (o.json) {
		j = bench_report_json(&info, &res);
		if (!j || json_dumpf(j, stdout, JSON_COMPACT) < 0) {
			fprintf(stderr, "%s: cannot write the JSON result\n", PROG);
			json_decref(j);
			return HELLO_EXIT_FAIL;
		}
		json_decref(j);
		fputc('\n', stdout);
	} else if (!o.common.quiet || res.errors) {
		bench_report_text(stdout, &info, &res);
	} else {
		printf("%.0f req/s\n", res.elapsed_s > 0 ? (double)res.requests / res.elapsed_s : 0.0);
	}
	if (fflush(stdout) != 0) {
		perror(PROG ": stdout");
		return HELLO_EXIT_FAIL;
	}
	return bench_exit_code(&res);
}
