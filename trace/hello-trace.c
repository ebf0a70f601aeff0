/* trace/hello-trace.c: hello-trace, a libpcap tracer that writes each exchange as JSON (tcpdump-like CLI). */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/file.h"
#include "core/opt.h"
#include "kernel/sources.h"
#include "trace/appev.h"
#include "trace/capture.h"
#include "trace/feed.h"
#include "trace/json.h"
#include "trace/jsondoc.h"
#include "trace/jsonout.h"
#include "trace/model.h"
#include "trace/model_flow.h"
#include "view/notes.h"
#include "view/render.h"

/* The exit codes every hellolab program shares (core/opt.h). */
enum { EXIT_OK = HELLO_EXIT_OK, EXIT_FAIL = HELLO_EXIT_FAIL, EXIT_USAGE = HELLO_EXIT_USAGE,
       EXIT_PARTIAL = HELLO_EXIT_PARTIAL };

struct cli {
	struct trace_capture_opts cap;
	const char *out;		/* -o */
	int jsonl;
	size_t max_flows;
	int server_port;
	char *filter;			/* the trailing arguments, joined */
	struct kernel_sources_opts kopts;	/* --netns, --no-kernel, -Z (kernel/sources.h) */
	struct kernel_sources ks;
	const char *events[64];		/* --events FILE: the programs' socket calls (docs/events.md) */
	size_t nevents;
	int notes;			/* --notes: a plain-language note on every event */
};

#define PROG "hello-trace"

enum { OPT_IFACE = HELLO_OPT_FIRST_PROGRAM, OPT_READ, OPT_WRITE, OPT_OUTPUT, OPT_SNAPLEN, OPT_BUFFER,
       OPT_COUNT, OPT_DURATION, OPT_JSONL, OPT_READY, OPT_MAX_FLOWS, OPT_SERVER_PORT, OPT_NETNS,
       OPT_NO_KERNEL, OPT_EVENTS, OPT_NOTES, OPT_USER, OPT_DROP_LOG };

static const struct hello_opt opts[] = {
	{ "interface", 'i', "IFACE", OPT_IFACE, "capture live on IFACE (lo, any, veth0)" },
	{ "read", 'r', "FILE", OPT_READ, "read packets from a pcap or pcapng FILE" },
	{ "write", 'w', "FILE", OPT_WRITE, "also write the packets captured to FILE (pcap)" },
	{ "output", 'o', "FILE", OPT_OUTPUT, "write the JSON to FILE (via FILE.tmp) instead of stdout" },
	{ "snaplen", 's', "N", OPT_SNAPLEN, "capture at most N bytes of each packet (65535: any IP packet whole)" },
	{ "buffer-size", 'B', "KIB", OPT_BUFFER, "live: the kernel's capture buffer in KiB (65536: some 400,000 small packets)" },
	{ "count", 'c', "N", OPT_COUNT, "stop after N packets" },
	{ "duration", 0, "SEC", OPT_DURATION, "stop after SEC seconds (live; decimals allowed)" },
	{ "jsonl", 0, NULL, OPT_JSONL, "stream one JSON object per line instead of one document" },
	{ "ready-file", 0, "PATH", OPT_READY, "create PATH once the capture is active" },
	{ "max-flows", 0, "N", OPT_MAX_FLOWS, "keep at most N flows in memory; the least active is closed (10000)" },
	{ "server-port", 0, "PORT", OPT_SERVER_PORT, "the port that marks the server side (9999)" },
	{ "netns", 0, "NAME|PATH", OPT_NETNS, "poll TCP sockets of this network namespace with sock_diag (repeatable)" },
	{ "no-kernel", 0, NULL, OPT_NO_KERNEL, "do not ask the kernel for socket states (tracepoint, sock_diag)" },
	{ "events", 0, "FILE", OPT_EVENTS, "merge the socket calls a program recorded with --events FILE (repeatable)" },
	{ "drop-log", 0, "GROUP", OPT_DROP_LOG, "mark the packets firewall rules logged to nflog GROUP as not delivered (each --netns, or here)" },
	{ "notes", 0, NULL, OPT_NOTES, "give every event a plain-language note for students" },
	{ "user", 'Z', "USER", OPT_USER, "drop privileges to USER once the capture and kernel sources are open" },
	{ 0 },
};

static const struct hello_usage usage = {
	.prog = PROG,
	.args = "(-i IFACE | -r FILE) [OPTIONS] [BPF filter ...]\nrender [render options] TRACE.json",
	.summary = "Traces TCP and UDP exchanges (handshake, data, teardown, TIME_WAIT, request/reply)\n"
		   "and writes them as JSON (docs/trace-format.md).",
	.opts = opts,
	.common = HELLO_OPT_USE_HELP | HELLO_OPT_USE_VERSION,
	.max_operands = -1,
	.in_order = 1,
	.exit_fail = "capture or output failed",
	.exit_codes = "  3    the -r file ends in a record that cannot be read (cut short, or bad): every packet\n"
		      "       before it is traced, capture.stop_reason says \"truncated\" or \"read_error\", and a\n"
		      "       warning on stderr says after how many packets and what libpcap said\n",
	.footer = "Server side of a flow: the --server-port, else a port below 1024 facing one\n"
		  "above, else (UDP, or TCP without a SYN) the receiver of the first packet; for\n"
		  "TCP with a SYN, the side that received it.",
};

/* A repeatable option's value into a list of max; -1 with err when it is full. */
static int add_to(const char **list, size_t *n, size_t max, const struct hello_opt_hit *h, char *err, size_t errlen)
{
	if (*n == max) {
		snprintf(err, errlen, "%s: at most %zu", h->name, max);
		return -1;
	}
	list[(*n)++] = h->val;
	return 0;
}

/* Applies one option; 0, or -1 with err. */
static int apply_opt(void *arg, const struct hello_opt_hit *h, char *err, size_t errlen)
{
	struct cli *c = arg;
	const char *n = h->name, *v = h->val;
	double d;

	switch (h->id) {
	case OPT_IFACE: c->cap.interface = v; return 0;
	case OPT_READ: c->cap.file = v; return 0;
	case OPT_WRITE: c->cap.write_path = v; return 0;
	case OPT_OUTPUT: c->out = v; return 0;
	case OPT_JSONL: c->jsonl = 1; return 0;
	case OPT_READY: c->cap.ready_file = v; return 0;
	case OPT_NO_KERNEL: c->kopts.no_kernel = 1; return 0;
	case OPT_NOTES: c->notes = 1; return 0;
	case OPT_USER: c->kopts.user = v; return 0;
	case OPT_SNAPLEN: return hello_opt_int(n, v, 1, INT_MAX, &c->cap.snaplen, err, errlen);
	/* The ring is kernel memory; 2 GiB is past any sensible size and fits an int in bytes. */
	case OPT_BUFFER: return hello_opt_int(n, v, 64, INT_MAX / 1024, &c->cap.buffer_kib, err, errlen);
	case OPT_COUNT: return hello_opt_u64(n, v, 1, UINT64_MAX, &c->cap.count, err, errlen);
	case OPT_MAX_FLOWS: return hello_opt_size(n, v, 1, 100000000, &c->max_flows, err, errlen);
	case OPT_SERVER_PORT: return hello_opt_int(n, v, 1, 65535, &c->server_port, err, errlen);
	case OPT_DROP_LOG: return hello_opt_int(n, v, 1, 65535, &c->kopts.drop_group, err, errlen);
	case OPT_NETNS: return add_to(c->kopts.netns, &c->kopts.nnetns, KERNEL_SOCKDIAG_MAX_NS, h, err, errlen);
	case OPT_EVENTS: return add_to(c->events, &c->nevents, sizeof(c->events) / sizeof(c->events[0]), h, err, errlen);
	default:
		if (hello_opt_double(n, v, 0.001, 1e9, &d, err, errlen) < 0)
			return -1;
		c->cap.duration_ms = (int64_t)(d * 1000 + 0.5);
		return 0;
	}
}

static char *join(int argc, char **argv)
{
	size_t n = 1;
	for (int i = 0; i < argc; i++)
		n += strlen(argv[i]) + 1;
	char *s = calloc(1, n);
	for (int i = 0; s && i < argc; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

/* What the options say together; 0 or -1 with err. */
static int check_cli(const struct cli *c, char *err, size_t errlen)
{
	if (!c->cap.interface == !c->cap.file)
		snprintf(err, errlen, "give one of -i IFACE or -r FILE");
	else if (c->jsonl && (c->nevents || c->notes))
		snprintf(err, errlen, "--events and --notes need the whole document: not with --jsonl");
	else if (c->kopts.drop_group > 0 && (c->jsonl || c->cap.file))
		snprintf(err, errlen, "--drop-log marks packets of a live capture's document: not with %s",
			 c->jsonl ? "--jsonl" : "-r");
	else if (c->cap.file && c->cap.duration_ms)
		snprintf(err, errlen, "--duration applies to live captures (-i), not -r %s", c->cap.file);
	else
		return 0;
	return -1;
}

/* Returns -1 to go on, or the exit code. */
static int parse(struct cli *c, int argc, char **argv)
{
	char err[512];
	int rc, first;

	if ((rc = hello_opt_main(&usage, argc, argv, NULL, apply_opt, c, &first)) >= 0)
		return rc;
	if (check_cli(c, err, sizeof(err)) < 0)
		return hello_opt_usage_error(PROG, err);
	if (first < argc && !(c->filter = join(argc - first, argv + first))) {
		fprintf(stderr, "hello-trace: out of memory\n");
		return EXIT_FAIL;
	}
	c->cap.filter = c->filter;
	return -1;
}

/* --events / --notes: the document is built whole, the calls merged in, notes added. */
static int write_merged(const struct cli *c, const struct trace_model *m, FILE *f, char *err, size_t errlen)
{
	json_t *doc = trace_json_document(m), *calls = json_array();
	json_t *notes = json_object_get(json_object_get(json_object_get(doc, "capture"), "state_sources"), "notes");
	json_t *scratch = json_is_array(notes) ? NULL : (notes = json_array());
	int rc = -1;

	if (!doc || !calls || !notes)
		goto out;
	for (size_t i = 0; i < c->nevents; i++)
		if (trace_appev_load(calls, notes, c->events[i]) < 0)
			goto out;
	if ((c->nevents && trace_appev_merge(doc, calls) < 0) || (c->notes && view_notes_add(doc) < 0))
		goto out;
	rc = trace_appev_write(doc, f);
out:
	if (rc < 0)
		snprintf(err, errlen, "write trace: %s", errno ? strerror(errno) : "out of memory");
	json_decref(scratch);
	json_decref(calls);
	json_decref(doc);
	return rc;
}

static struct trace_capture *running;
/* A signal during set-up (before the capture runs) is kept, not lost: the capture then
 * stops at once and still writes a whole (empty) trace. */
static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
	if (running)
		trace_capture_break(running);
}

static int install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: poll() must return so the loop sees the stop. */
	if (sigaction(SIGINT, &sa, NULL) < 0 || sigaction(SIGTERM, &sa, NULL) < 0)
		return -1;
	return 0;
}

/* Kernel state sources (tracepoint, sock_diag; docs/trace-kernel.md), on the filter's ports. */
static int state_sources(struct cli *c, struct trace_feed *f, struct trace_capture_hooks *h,
			 char *err, size_t errlen)
{
	struct kernel_sources_opts *o = &c->kopts;

	o->offline = c->cap.file != NULL;
	o->nports = kernel_sources_ports(c->filter, o->ports, KERNEL_SOURCES_MAX_PORTS);
	if (o->nports == 0 && c->server_port > 0)
		o->ports[o->nports++] = (uint16_t)c->server_port;
	if (kernel_sources_open(&c->ks, o, err, errlen) < 0)
		return -1;
	h->arg = &c->ks;
	h->active = kernel_sources_active;
	h->tick = kernel_sources_tick;
	h->before_stop = kernel_sources_before_stop;
	if (kernel_sources_describe(&c->ks, f) < 0) {
		snprintf(err, errlen, "trace: out of memory");
		return -1;
	}
	return 0;
}

/* The capture's hooks: the kernel sources', and on every tick a flush of the JSON lines
 * so a reader sees events within a tick of the model taking them, without a write(2) per
 * event. The flush goes through the feed: the lines are written on the model's thread. */
struct run_hooks {
	struct trace_capture_hooks k;	/* the kernel sources' (state_sources) */
	struct trace_jsonl *w;		/* NULL: a document, written at the end */
};

static int run_active(void *arg, struct trace_model *m, char *err, size_t errlen)
{
	struct run_hooks *r = arg;

	return r->k.active ? r->k.active(r->k.arg, m, err, errlen) : 0;
}

static int flush_lines(void *arg, struct trace_model *m, const void *data, size_t len, char *err, size_t errlen)
{
	(void)m, (void)data, (void)len;
	if (trace_jsonl_flush(arg) == 0)
		return 0;
	snprintf(err, errlen, "write trace: %s", strerror(errno));
	return -1;
}

static int run_tick(void *arg, struct trace_feed *f, char *err, size_t errlen)
{
	struct run_hooks *r = arg;

	if (r->k.tick && r->k.tick(r->k.arg, f, err, errlen) < 0)
		return -1;
	return r->w ? trace_feed_call(f, flush_lines, r->w, NULL, 0, err, errlen) : 0;
}

static int run_before_stop(void *arg, struct trace_feed *f, char *err, size_t errlen)
{
	struct run_hooks *r = arg;

	return r->k.before_stop ? r->k.before_stop(r->k.arg, f, err, errlen) : 0;
}

/* At the end of a live capture, tcpdump's three lines: what the trace holds, what passed
 * the filter, and what the kernel dropped for want of room in the ring. */
static void print_stats(const struct trace_capture *cap)
{
	if (!cap->o.interface || !cap->stats)
		return;
	fprintf(stderr, "%llu packets captured\n%llu packets received by filter\n%llu packets dropped by kernel\n",
		(unsigned long long)cap->seen, (unsigned long long)cap->ps_recv, (unsigned long long)cap->ps_drop);
}

static int run(struct cli *c)
{
	char err[512] = "", e2open[400];
	struct trace_capture cap;
	struct hello_file out = { 0 };
	struct trace_jsonl w;
	struct trace_jsondoc d;
	struct trace_model *m = NULL;
	struct trace_feed feed;
	int fed = 0;
	struct run_hooks rh = { { 0 }, NULL };
	struct trace_capture_hooks hooks = { &rh, run_active, run_tick, run_before_stop };
	int rc = EXIT_FAIL, opened = 0;

	trace_jsonl_init(&w, NULL);
	memset(&d, 0, sizeof(d));
	if (install_signals() < 0) {
		snprintf(err, sizeof(err), "sigaction: %s", strerror(errno));
		goto out;
	}
	if (trace_capture_open(&cap, &c->cap, err, sizeof(err)) < 0)
		goto out;
	opened = 1;
	if (!trace_decode_dlt_supported(cap.dlt))
		fprintf(stderr, "hello-trace: warning: %s %s: link type %s (%d) is not decoded: its packets "
			"are listed with their times and lengths only\n", c->cap.file ? "-r" : "-i",
			c->cap.file ? c->cap.file : c->cap.interface, cap.linktype, cap.dlt);
	if (hello_file_open(&out, c->out, TRACE_OUT_BUFFER, e2open, sizeof(e2open)) < 0) {
		snprintf(err, sizeof(err), "-o %s: %s", c->out, e2open);
		goto out;
	}
	w.f = out.f;
	/* A document's finished flows wait on disk, not in memory (docs/trace-format.md). */
	const char *tmp = getenv("TMPDIR");
	tmp = tmp && *tmp ? tmp : "/tmp";
	/* The document is written as it goes, unless something must change events already
	 * made: kernel observations tied to flows late, the drop log, --events, --notes.
	 * Without the flows' temporary file it is kept whole instead. */
	int stream = !c->jsonl && !c->nevents && !c->notes && c->kopts.drop_group <= 0 &&
		     (c->cap.file || c->kopts.no_kernel) && trace_jsondoc_init(&d, out.f, tmp, e2open, sizeof(e2open)) == 0;
	struct trace_model_opts mo = { c->max_flows, c->server_port, c->jsonl ? &w.sink : stream ? &d.sink : NULL,
				       c->jsonl || stream ? NULL : tmp };
	if (!(m = trace_model_new(&mo, err, sizeof(err))))
		goto out;
	if (stream && trace_jsondoc_start(&d, m) < 0) {
		snprintf(err, sizeof(err), "write trace: %s", strerror(errno));
		goto out;
	}
	trace_model_set_capture(m, c->cap.interface != NULL, c->cap.interface ? c->cap.interface : c->cap.file,
				c->cap.filter, cap.o.snaplen, cap.dlt, cap.linktype);
	trace_feed_init(&feed, m);
	fed = 1;
	if (state_sources(c, &feed, &rh.k, err, sizeof(err)) < 0)
		goto out;
	rh.w = c->jsonl ? &w : NULL;
	if (c->jsonl && trace_jsonl_header(&w, m) < 0) {
		snprintf(err, sizeof(err), "write trace: %s", strerror(errno));
		goto out;
	}
	running = &cap;
	if (stop_requested)
		trace_capture_break(&cap);
	if (trace_capture_run(&cap, &feed, &hooks, err, sizeof(err)) < 0)
		goto out;
	running = NULL;
	print_stats(&cap);
	/* the packets the final drain read, after what the drop log says of them (the feed's
	 * thread has ended: straight into the model) */
	if (stream)
		trace_jsondoc_ending(&d);
	if (kernel_sources_last_drops(&c->ks, &feed) < 0 || trace_model_finish(m) < 0) {
		snprintf(err, sizeof(err), "trace: out of memory");
		goto out;
	}
	if (c->jsonl ? trace_jsonl_summary(&w, m) < 0 :
	    stream ? trace_jsondoc_end(&d, err, sizeof(err)) < 0 :
	    (c->nevents || c->notes) ? write_merged(c, m, out.f, err, sizeof(err)) < 0 :
	    trace_json_write_document(m, out.f, err, sizeof(err)) < 0) {
		if (!*err)
			snprintf(err, sizeof(err), "write trace: %s", strerror(errno));
		goto out;
	}
	opened = 0;
	if (trace_capture_close(&cap, err, sizeof(err)) < 0 || hello_file_close(&out, err, sizeof(err)) < 0)
		goto out;
	rc = EXIT_OK;
	if (cap.read_error[0]) {
		/* The trace is whole and valid up to the bad record; say what happened. */
		fprintf(stderr, "hello-trace: warning: -r %s: %s after %llu packets%s (libpcap: %s); "
			"the trace holds every packet before it\n", c->cap.file,
			cap.cut ? "the file is cut short" : "a record cannot be read",
			(unsigned long long)cap.seen, c->filter ? " that passed the filter" : "", cap.read_error);
		rc = EXIT_PARTIAL;
	}
out:
	running = NULL;
	if (rc == EXIT_FAIL) {
		fprintf(stderr, "hello-trace: %s\n", err);
		hello_file_abort(&out);
	}
	if (opened) {
		char e2[256];
		trace_capture_close(&cap, e2, sizeof(e2));
	}
	kernel_sources_close(&c->ks);
	if (fed)
		trace_feed_free(&feed);
	trace_jsonl_free(&w);
	trace_jsondoc_free(&d);
	trace_model_free(m);
	return rc;
}

int main(int argc, char **argv)
{
	struct cli c;
	int rc;

	if (argc > 1 && strcmp(argv[1], "render") == 0)
		return view_render_main(argc - 1, argv + 1);
	memset(&c, 0, sizeof(c));
	if ((rc = parse(&c, argc, argv)) >= 0) {
		free(c.filter);
		return rc;
	}
	rc = run(&c);
	free(c.filter);
	return rc;
}
