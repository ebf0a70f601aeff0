/* tcp/hello-tcp-server.c: the hello TCP server: options, listening socket, one of four concurrency models. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/addr.h"
#include "core/log.h"
#include "core/opt.h"
#include "core/sig.h"
#include "net/net.h"
#include "tcp/server_blocking.h"
#include "tcp/server_event.h"

#define PROG "hello-tcp-server"

enum {
	OPT_MODEL = HELLO_OPT_FIRST_PROGRAM, OPT_BACKLOG, OPT_NO_REUSEADDR, OPT_LINGER0, OPT_NODELAY,
	OPT_MAX_MSG, OPT_MAX_CLIENTS, OPT_IDLE, OPT_MSG_TIMEOUT, OPT_MAX_OUTPUT, OPT_ONCE, OPT_DELAY,
};

static const struct hello_opt opts[] = {
	{ "model", 0, "iterative|fork|thread|event", OPT_MODEL, "concurrency model (default event: epoll on Linux, poll elsewhere)" },
	{ "backlog", 0, "N", OPT_BACKLOG, "listen(2) backlog (default 5)" },
	{ "no-reuseaddr", 0, NULL, OPT_NO_REUSEADDR, "do not set SO_REUSEADDR (a restart then fails while TIME-WAIT remains)" },
	{ "linger0", 0, NULL, OPT_LINGER0, "close connections with RST (SO_LINGER 0): no TIME-WAIT" },
	{ "nodelay", 0, NULL, OPT_NODELAY, "set TCP_NODELAY on connections" },
	{ "max-msg", 0, "N", OPT_MAX_MSG, "raw: recv size = largest message; line: longest line (default 1024)" },
	{ "max-clients", 0, "N", OPT_MAX_CLIENTS, "connections served at once; more wait in the backlog (default 0 = no limit)" },
	{ "idle-timeout", 0, "MS", OPT_IDLE, "close a connection silent for MS ms (default 0 = never)" },
	{ "msg-timeout", 0, "MS", OPT_MSG_TIMEOUT, "line framing: close when a started line is not finished within MS ms (default 0 = never)" },
	{ "max-output", 0, "N", OPT_MAX_OUTPUT, "unsent reply bytes per connection before a non-reading client is cut off with RST (default 65536)" },
	{ "once", 0, NULL, OPT_ONCE, "serve one connection, then exit" },
	{ "delay", 0, "MS", OPT_DELAY, "wait MS ms before handling each message, exit included (the tutorial's sleep, as a per-connection timer: other clients never wait)" },
	{ 0 },
};

static const struct hello_usage usage = {
	.prog = PROG,
	.args = "[OPTIONS]",
	.summary = "Serve the hello protocol over TCP: greeting \"hello!\", reply \"Hello, <message>!\", close on \"exit\".\n"
		   "Log lines (one per event) go to stdout, errors to stderr. SIGINT/SIGTERM: clean stop, summary, exit 0.",
	.opts = opts,
	.common = HELLO_OPT_USE_SERVICE | HELLO_OPT_USE_FRAMING,
};

struct srv_opts {
	struct hello_common common;
	struct tcp_server *s;
	enum tcp_model model;
	long backlog;
	int reuse;
};

/* One program option; 0 or -1 with err. */
static int parse_opt(void *arg, const struct hello_opt_hit *h, char *err, size_t errlen)
{
	struct srv_opts *o = arg;
	struct tcp_server *s = o->s;
	const char *n = h->name, *v = h->val;
	size_t z = 0;
	int r;

	switch (h->id) {
	case OPT_MODEL: return tcp_model_parse(v, &o->model, err, errlen);
	case OPT_BACKLOG: return hello_opt_long(n, v, 0, 65535, &o->backlog, err, errlen);
	case OPT_NO_REUSEADDR: o->reuse = 0; return 0;
	case OPT_LINGER0: s->cfg.linger0 = 1; return 0;
	case OPT_NODELAY: s->cfg.nodelay = 1; return 0;
	case OPT_ONCE: s->once = 1; return 0;
	case OPT_MAX_MSG: return hello_opt_size(n, v, 1, 1 << 20, &s->cfg.max_msg, err, errlen);
	case OPT_MAX_CLIENTS:
		r = hello_opt_size(n, v, 0, 1000000, &z, err, errlen);
		s->max_clients = z;
		return r;
	case OPT_IDLE: return hello_opt_int(n, v, 0, 86400000, &s->cfg.idle_ms, err, errlen);
	case OPT_MSG_TIMEOUT: return hello_opt_int(n, v, 0, 86400000, &s->cfg.msg_timeout_ms, err, errlen);
	case OPT_MAX_OUTPUT: return hello_opt_size(n, v, 64, 1UL << 30, &s->cfg.max_output, err, errlen);
	default: return hello_opt_int(n, v, 0, 3600000, &s->cfg.delay_ms, err, errlen);
	}
}

/* The output queue must hold at least one reply to the largest message. */
static int check_output(const struct tcp_srv_cfg *cfg, enum hello_framing f, char *err, size_t errlen)
{
	size_t need = hello_proto_reply_len(f, cfg->max_msg);

	if (cfg->max_output >= need)
		return 0;
	snprintf(err, errlen, "--max-output %zu cannot hold one reply to a --max-msg %zu message (%zu bytes)",
		 cfg->max_output, cfg->max_msg, need);
	return -1;
}

static int run_model(struct tcp_server *s, enum tcp_model m, char *err, size_t errlen)
{
	switch (m) {
	case TCP_MODEL_ITERATIVE: return tcp_run_iterative(s, err, errlen);
	case TCP_MODEL_FORK: return tcp_run_fork(s, err, errlen);
	case TCP_MODEL_THREAD: return tcp_run_thread(s, err, errlen);
	default: return tcp_run_event(s, err, errlen);
	}
}

int main(int argc, char **argv)
{
	struct tcp_server s = { .lfd = -1 };
	struct srv_opts o = { .s = &s, .model = TCP_MODEL_EVENT, .backlog = 5, .reuse = 1 };
	struct hello_addr a;
	char err[512], as[HELLO_ADDR_STRLEN], sn[32];
	int family, rc;

	s.cfg.max_msg = HELLO_DEFAULT_MAX_MSG;
	s.cfg.max_output = 64 * 1024;
	hello_opt_common_init(&o.common, 1);
	if ((rc = hello_opt_main(&usage, argc, argv, &o.common, parse_opt, &o, NULL)) >= 0)
		return rc;
	if (check_output(&s.cfg, o.common.framing, err, sizeof(err)) < 0 ||
	    hello_opt_common_finish(&o.common, &family, err, sizeof(err)) < 0 ||
	    hello_addr_resolve(o.common.host, o.common.port, family, &a, err, sizeof(err)) < 0)
		return hello_opt_usage_error(PROG, err);
	s.cfg.framing = o.common.framing;
	if (hello_log_open(&s.log, STDOUT_FILENO, PROG, o.common.quiet, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s\n", PROG, err);
		return HELLO_EXIT_FAIL;
	}
	/* Shared memory so the fork model's children add to the same counters. */
	s.stats = mmap(NULL, sizeof(*s.stats), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (s.stats == MAP_FAILED) {
		perror(PROG ": mmap");
		return HELLO_EXIT_FAIL;
	}
	if (hello_sig_install() < 0) {
		perror(PROG ": sigaction");
		return HELLO_EXIT_FAIL;
	}
	if (hello_net_events_start(o.common.events, PROG, "server", err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s\n", PROG, err);
		return HELLO_EXIT_FAIL;
	}
	s.lfd = hello_net_listen(&a, (int)o.backlog, o.reuse, err, sizeof(err));
	if (s.lfd < 0) {
		fprintf(stderr, "%s: %s\n", PROG, err);
		return HELLO_EXIT_FAIL;
	}
	hello_net_local(s.lfd, &a);
	hello_log_event(&s.log, HELLO_LOG_MAIN, "listening",
			"addr=%s proto=tcp model=%s framing=%s backlog=%ld reuseaddr=%d linger0=%d nodelay=%d delay_ms=%d max_msg=%zu",
			hello_addr_str(&a, as, sizeof(as)), tcp_model_name(o.model), hello_proto_framing_name(s.cfg.framing),
			o.backlog, o.reuse, s.cfg.linger0, s.cfg.nodelay, s.cfg.delay_ms, s.cfg.max_msg);
	rc = run_model(&s, o.model, err, sizeof(err));
	tcp_server_close_listener(&s);
	if (rc < 0)
		fprintf(stderr, "%s: %s\n", PROG, err);
	if (hello_sig_stop())
		hello_log_event(&s.log, HELLO_LOG_MAIN, "shutdown", "signal=%s", hello_sig_name(hello_sig_stop(), sn, sizeof(sn)));
	hello_log_event(&s.log, HELLO_LOG_MAIN, "summary", "connections=%lu messages=%lu replies=%lu resets=%lu",
			atomic_load(&s.stats->connections), atomic_load(&s.stats->messages),
			atomic_load(&s.stats->replies), atomic_load(&s.stats->resets));
	return rc < 0 ? HELLO_EXIT_FAIL : HELLO_EXIT_OK;
}
