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
	OPT_UDP = HELLO_OPT_FIRST_PROGRAM, OPT_TCP, OPT_CONNS, OPT_SOCKETS, OPT_THREADS, OPT_DURATION, OPT_REQUESTS,
	OPT_RATE, OPT_MESSAGE, OPT_SEND, OPT_EXPECT, OPT_NO_GREETING, OPT_TIMEOUT, OPT_JSON, OPT_SETUP,
};

static const struct hello_opt opts[] = {
	{ "tcp", 0, NULL, OPT_TCP, "load over TCP (the default)" },
	{ "udp", 0, NULL, OPT_UDP, "load over UDP" },
	{ "connections", 0, "N", OPT_CONNS, "TCP connections (UDP: sockets), each a ping-pong loop (default 1)" },
	{ "sockets", 0, "N", OPT_SOCKETS, "UDP sockets: the same as --connections" },
	{ "threads", 0, "N", OPT_THREADS, "worker threads sharing the connections (default 1)" },
	{ "duration", 0, "SEC", OPT_DURATION, "measure for SEC seconds, decimals allowed (default 5 unless --requests)" },
	{ "requests", 0, "N", OPT_REQUESTS, "stop after N requests in all" },
	{ "rate", 0, "R", OPT_RATE, "offer R requests/s in all (paced; latency counts from the intended send time); default: as fast as replies come" },
	{ "message", 0, "TEXT", OPT_MESSAGE, "hello mode: the message sent (default Michael); the reply must be \"Hello, TEXT!\"" },
	{ "send", 0, "BYTES", OPT_SEND, "generic mode: send BYTES (escapes \\r \\n \\t \\0 \\\\ \\xHH) and expect --expect-bytes bytes back" },
	{ "expect-bytes", 0, "N", OPT_EXPECT, "generic mode: the reply's size" },
	{ "no-greeting", 0, NULL, OPT_NO_GREETING, "TCP: the server sends nothing on connect (default: expect \"hello!\")" },
	{ "timeout", 0, "MS", OPT_TIMEOUT, "a reply later than MS is an error; UDP sends again (default 1000)" },
	{ "connect-timeout", 0, "MS", OPT_SETUP, "wait at most MS for every connection and greeting before measuring; late ones join the run (default 2000)" },
	{ "json", 0, NULL, OPT_JSON, "print the result as one JSON object" },
	{ 0 },
};

static const struct hello_usage usage = {
	.prog = PROG,
	.args = "[OPTIONS]",
	.summary = "Load a hello server (or any request/reply server) and report requests/s, latency percentiles and errors.\n"
		   "Example (redis): hello-bench --port 6379 --send 'PING\\r\\n' --expect-bytes 7 --no-greeting --connections 50",
	.opts = opts,
	.common = HELLO_OPT_USE_SERVICE | HELLO_OPT_USE_FRAMING,
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

static int opt_one(void *arg, const struct hello_opt_hit *h, char *err, size_t errlen)
{
	struct bench_opts *o = arg;
	const char *n = h->name, *v = h->val;

	switch (h->id) {
	case OPT_UDP: o->cfg.proto = BENCH_UDP; return 0;
	case OPT_TCP: o->cfg.proto = BENCH_TCP; return 0;
	case OPT_NO_GREETING: o->no_greeting = 1; return 0;
	case OPT_JSON: o->json = 1; return 0;
	case OPT_MESSAGE: o->message = v; return 0;
	case OPT_SEND: o->send = v; return 0;
	case OPT_DURATION: return hello_opt_double(n, v, 0.001, 86400, &o->cfg.duration_s, err, errlen);
	case OPT_RATE: return hello_opt_double(n, v, 1, 1e8, &o->cfg.rate, err, errlen);
	case OPT_EXPECT: return hello_opt_long(n, v, 1, BENCH_MAX_REQ, &o->expect, err, errlen);
	case OPT_CONNS:
	case OPT_SOCKETS: return hello_opt_uint(n, v, 1, 10000, &o->cfg.conns, err, errlen);
	case OPT_THREADS: return hello_opt_uint(n, v, 1, 64, &o->cfg.threads, err, errlen);
	case OPT_REQUESTS: return hello_opt_u64(n, v, 1, 2000000000, &o->cfg.requests, err, errlen);
	case OPT_SETUP: return hello_opt_int(n, v, 0, 600000, &o->cfg.setup_ms, err, errlen);
	default: return hello_opt_int(n, v, 1, 600000, &o->cfg.timeout_ms, err, errlen);
	}
}

/* What the options say together; after --help, which wins over them. */
static int check_args(const struct bench_opts *o, char *err, size_t errlen)
{
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
	int family, rc;
	json_t *j;

	hello_opt_common_init(&o.common, 0);
	if ((rc = hello_opt_main(&usage, argc, argv, &o.common, opt_one, &o, NULL)) >= 0)
		return rc;
	if (check_args(&o, err, sizeof(err)) < 0 ||
	    hello_opt_common_finish(&o.common, &family, err, sizeof(err)) < 0 ||
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
