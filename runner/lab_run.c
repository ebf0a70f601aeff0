/* runner/lab_run.c: one run from start to teardown: network, rules, tracer, steps, checks, files. */
#include "runner/lab_run.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runner/lab_nft.h"
#include "runner/lab_result.h"
#include "runner/lab_step.h"

#define LAB_TRACE_READY_MS 5000
#define LAB_TRACE_STOP_MS 5000

static void out(const struct lab_opts *o, int always, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void out(const struct lab_opts *o, int always, const char *fmt, ...)
{
	va_list ap;

	if (o->quiet && !always)
		return;
	va_start(ap, fmt);
	vfprintf(o->log, fmt, ap);
	va_end(ap);
	fflush(o->log);
}

static int mkdirs(const char *path, char *err, size_t errlen)
{
	char buf[PATH_MAX];
	char *p;

	snprintf(buf, sizeof buf, "%s", path);
	for (p = buf + 1; ; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;
			*p = '\0';
			if (mkdir(buf, 0755) < 0 && errno != EEXIST) {
				snprintf(err, errlen, "mkdir %s: %s", buf, strerror(errno));
				return -1;
			}
			*p = c;
			if (!c)
				return 0;
		}
	}
}

/* A run folder holds only this run's files: the last run's are removed first. */
static void clear_out(struct lab_runner *r)
{
	static const char *const names[] = { "trace.json", "trace.pcap", "result.json", "lab.json",
		"trace.log", "ladder.txt", "ladder.svg", "ladder.mmd", "report.html", ".trace-ready", NULL };
	char p[PATH_MAX + 64];
	size_t i;

	for (i = 0; names[i]; i++) {
		snprintf(p, sizeof p, "%s/%s", r->out, names[i]);
		unlink(p);
	}
	for (i = 0; i < r->d->nsteps; i++)
		if (r->d->steps[i].kind == LAB_STEP_RUN) {
			snprintf(p, sizeof p, "%s/%s.log", r->out, r->d->steps[i].name);
			unlink(p);
			/* --events appends: a rerun into this folder must not add to the last run's */
			snprintf(p, sizeof p, "%s/events-%s.jsonl", r->out, r->d->steps[i].name);
			unlink(p);
		}
}

static void swept(const char *name, void *arg)
{
	struct lab_runner *r = arg;

	out(r->o, 0, "  removed %s, left behind by a run that is gone\n", name);
}

/* Whether the tracer's --help mentions an option: the lab keeps working with an older one. */
static int tracer_has(const char *prog, const char *opt)
{
	struct lab_where here = { -1, 0 };
	char *argv[] = { (char *)prog, "--help", NULL }, *text = NULL, e[128];
	int code, has;

	if (lab_proc_capture(&here, argv, 2000, NULL, &text, &code, e, sizeof e) < 0)
		return 0;
	has = strstr(text, opt) != NULL;
	free(text);
	return has;
}

/* The tracer's own messages (its log is a working file): each one but the banner becomes
 * a note of result.json, so a warning (drops, a source unavailable) is kept. */
static void trace_log_notes(struct lab_runner *r)
{
	char path[PATH_MAX + 16];
	json_t *lines;
	size_t i;

	snprintf(path, sizeof path, "%s/trace.log", r->work);
	if (!r->work[0] || !(lines = lab_step_lines(path)))
		return;
	for (i = 0; i < json_array_size(lines); i++) {
		const char *l = json_string_value(json_array_get(lines, i));
		if (l && *l && strncmp(l, "hello-trace: capturing on ", 26) != 0)
			json_array_append_new(r->notes, json_string(l));
	}
	json_decref(lines);
	unlink(path);
}

/* The run's working folder, outside the run folder (which holds results only). */
static int work_make(struct lab_runner *r, char *err, size_t errlen)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(r->work, sizeof r->work, "%s/hello-lab.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(r->work)) {
		snprintf(err, errlen, "mkdtemp %s: %s", r->work, strerror(errno));
		r->work[0] = '\0';
		return -1;
	}
	return 0;
}

static void work_remove(struct lab_runner *r)
{
	static const char *const names[] = { "trace-ready", "trace.log", NULL };
	char p[PATH_MAX + 16];

	if (!r->work[0])
		return;
	for (size_t i = 0; names[i]; i++) {
		snprintf(p, sizeof p, "%s/%s", r->work, names[i]);
		unlink(p);
	}
	rmdir(r->work);
	r->work[0] = '\0';
}

/* Starts hello-trace in the capture namespace and waits for its ready file. */
static int trace_start(struct lab_runner *r, struct lab_proc *tp, char *err, size_t errlen)
{
	char prog[PATH_MAX + 16], pcap[PATH_MAX + 16], json[PATH_MAX + 16], ready[PATH_MAX + 16],
	     log[PATH_MAX + 16], filter[512];
	char **argv = NULL, *evp = NULL;
	size_t i, evlen = PATH_MAX + 64;
	int a = 0, h, rc = -1;
	long long end;
	struct lab_where w = lab_net_where(&r->net, r->net.capture_host);

	snprintf(prog, sizeof prog, "%s/hello-trace", r->o->bindir);
	if (access(prog, X_OK) != 0) {
		out(r->o, 0, "  trace: %s is not built yet: running without a trace\n", prog);
		json_array_append_new(r->notes, json_string("no trace: hello-trace is not built"));
		return 1;
	}
	if (lab_vars_expand(r->d->filter, &r->vars, filter, sizeof filter, err, errlen) < 0)
		return -1;
	snprintf(pcap, sizeof pcap, "%s/trace.pcap", r->out);
	snprintf(json, sizeof json, "%s/trace.json", r->out);
	snprintf(ready, sizeof ready, "%s/trace-ready", r->work);
	snprintf(log, sizeof log, "%s/trace.log", r->work);
	argv = calloc(24 + 2 * r->d->nsteps, sizeof(*argv));
	evp = calloc(r->d->nsteps + 1, evlen);
	if (!argv || !evp) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	argv[a++] = prog, argv[a++] = "-i", argv[a++] = r->net.capture_iface;
	argv[a++] = "-w", argv[a++] = pcap, argv[a++] = "-o", argv[a++] = json;
	argv[a++] = "--ready-file", argv[a++] = ready;
	if (tracer_has(prog, "--server-port"))
		argv[a++] = "--server-port", argv[a++] = r->portstr;
	/* kernel states (sock_diag) of every lab namespace, once the tracer takes them */
	for (h = 0; h < 3 && tracer_has(prog, "--netns"); h++)
		if (r->net.ns[h][0])
			argv[a++] = "--netns", argv[a++] = r->net.ns[h];
	/* the programs' socket calls and the students' notes go into trace.json (issue 9) */
	for (i = 0; i < r->d->nsteps && tracer_has(prog, "--events"); i++)
		if (lab_step_events_file(r, i, evp + i * evlen, evlen))
			argv[a++] = "--events", argv[a++] = evp + i * evlen;
	if (tracer_has(prog, "--notes"))
		argv[a++] = "--notes";
	/* the packets the lab's rules drop are logged there: the trace marks them not delivered */
	if ((r->d->nimpair || r->o->loss > 0) && tracer_has(prog, "--drop-log"))
		argv[a++] = "--drop-log", argv[a++] = LAB_NFT_LOG_GROUP_STR;
	argv[a++] = filter;
	argv[a] = NULL;
	out(r->o, 0, "  trace: hello-trace -i %s '%s'", r->net.capture_iface, filter);
	if (lab_proc_start(tp, &w, argv, log, err, errlen) < 0)
		goto out;
	for (end = lab_now_ms() + LAB_TRACE_READY_MS; access(ready, F_OK) != 0;) {
		if (lab_proc_poll(tp) || lab_now_ms() > end) {
			out(r->o, 0, " ... failed\n");
			lab_proc_stop(tp, SIGTERM, 1000);
			json_array_append_new(r->notes, json_string("no trace: hello-trace did not start"));
			trace_log_notes(r);
			rc = 1;
			goto out;
		}
		if (lab_sleep(10, r->o->stop) < 0) {
			rc = -2;
			goto out;
		}
	}
	out(r->o, 0, " ... capturing\n");
	rc = 0;
out:
	free(argv);
	free(evp);
	return rc;
}

static void trace_stop(struct lab_runner *r, struct lab_proc *tp)
{
	if (!tp->pid)
		return;
	/* SIGINT is the tracer's "finish": it writes the complete trace.json */
	lab_proc_stop(tp, SIGINT, LAB_TRACE_STOP_MS);
	if (lab_proc_code(tp) != 0)
		json_array_append_new(r->notes, json_sprintf("hello-trace ended with exit %d",
							     lab_proc_code(tp)));
	trace_log_notes(r);
}

/* Diagrams from trace.json when the renderer is there; a failure only costs the pictures. */
static void render(struct lab_runner *r, json_t *files)
{
	static const struct { const char *fmt, *file; } kinds[] = {
		{ "text", "ladder.txt" }, { "svg", "ladder.svg" }, { "mermaid", "ladder.mmd" },
		{ "html", "report.html" },
	};
	char prog[PATH_MAX + 16], json[PATH_MAX + 16], dst[PATH_MAX + 16], e[256];
	size_t i;

	snprintf(prog, sizeof prog, "%s/hello-trace", r->o->bindir);
	snprintf(json, sizeof json, "%s/trace.json", r->out);
	if (!r->o->render || access(prog, X_OK) != 0 || access(json, R_OK) != 0)
		return;
	for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		char *argv[] = { prog, "render", json, "--format", (char *)kinds[i].fmt, "-o", dst, NULL };
		struct lab_where here = { -1, 0 };
		snprintf(dst, sizeof dst, "%s/%s", r->out, kinds[i].file);
		if (lab_proc_cmd(&here, argv, e, sizeof e) == 0)
			json_array_append_new(files, json_string(kinds[i].file));
		else
			unlink(dst);
	}
}

static void show_ladder(struct lab_runner *r)
{
	char path[PATH_MAX + 16], line[512];
	FILE *f;
	int n = 0;

	snprintf(path, sizeof path, "%s/ladder.txt", r->out);
	if (r->o->quiet || !(f = fopen(path, "r")))
		return;
	out(r->o, 0, "\n");
	while (n++ < 200 && fgets(line, sizeof line, f))
		out(r->o, 0, "%s", line);	/* the ladder is drawn 80 columns wide */
	fclose(f);
}

static json_t *run_info(struct lab_runner *r, long long ms, json_t *files)
{
	return json_pack("{s:s, s:s, s:s, s:i, s:s, s:s, s:I, s:O, s:O}", "lab", r->d->name,
			 "goal", r->d->goal, "topology",
			 r->d->topo == LAB_TOPO_LOOPBACK ? "loopback" : "two-hosts", "port", r->vars.port,
			 "server", r->vars.server, "client", r->vars.client, "duration_ms", (json_int_t)ms,
			 "files", files, "notes", r->notes);
}

static int setup(struct lab_runner *r, char *err, size_t errlen)
{
	const struct lab_opts *o = r->o;

	if (mkdirs(r->out, err, errlen) < 0 || work_make(r, err, errlen) < 0)
		return -1;
	clear_out(r);
	lab_net_sweep(swept, r);
	if (lab_net_up(&r->net, r->d->topo, getpid(), err, errlen) < 0)
		return -1;
	r->vars.server = r->net.server_addr;
	r->vars.client = r->net.client_addr;
	if (r->d->topo == LAB_TOPO_LOOPBACK)
		out(o, 0, "  network: namespace %s, loopback only\n", r->net.ns[LAB_HOST_LAB]);
	else
		out(o, 0, "  network: client %s (%s) <-> server %s (%s), veth %s/%s\n",
		    r->net.ns[LAB_HOST_CLIENT], r->net.client_addr, r->net.ns[LAB_HOST_SERVER],
		    r->net.server_addr, r->net.veth[0], r->net.veth[1]);
	if (lab_nft_up(r->d, &r->net, r->vars.port, o->loss, r->notes, err, errlen) < 0)
		return -1;
	{
		size_t i, nrules = o->loss ? 2 : 0;
		for (i = 0; i < r->d->nimpair; i++)
			nrules += r->d->impair[i].kind != LAB_IMP_DELAY;
		if (nrules)
			out(o, 0, "  impairment: %zu rule(s) in table inet hellolab_%ld\n", nrules,
			    (long)r->net.pid);
	}
	for (size_t i = 0; i < json_array_size(r->notes); i++)
		out(o, 0, "  note: %s\n", json_string_value(json_array_get(r->notes, i)));
	return 0;
}

/* A capture that saw nothing makes every trace check fail for one reason, said once. */
static int no_packets(struct lab_runner *r, json_t *ctx)
{
	json_t *seen = json_object_get(json_object_get(ctx, "capture"), "packets_seen");
	char filter[512], e[200];

	if (!json_is_integer(seen) || json_integer_value(seen) != 0)
		return 0;
	if (lab_vars_expand(r->d->filter, &r->vars, filter, sizeof filter, e, sizeof e) < 0)
		snprintf(filter, sizeof filter, "%s", r->d->filter);
	json_array_append_new(r->notes, json_sprintf("the capture saw 0 packets: nothing the filter '%s' "
						     "matches was sent", filter));
	return 1;
}

/* Which kernel views the trace holds: without root there is no tracepoint, and a reader of
 * the ladder should know its kernel marks come from sock_diag's polls alone. */
static void say_sources(struct lab_runner *r, json_t *ctx)
{
	json_t *s = json_object_get(json_object_get(ctx, "capture"), "state_sources");
	int tp = json_is_true(json_object_get(s, "tracepoint"));
	int sd = json_is_true(json_object_get(s, "sock_diag"));

	if (!json_is_object(s))
		return;
	out(r->o, 0, "  kernel states: %s\n", tp && sd ? "the tracepoint and sock_diag" :
	    tp ? "the tracepoint only" :
	    sd ? "sock_diag only (no tracepoint: states between its polls are inferred from the packets)" :
	    "none (every state is inferred from the packets)");
}

/* Everything after the steps: counters, tracer, diagrams, teardown, checks, result.json. */
static int finish(struct lab_runner *r, struct lab_proc *tp, long long t0, int broken,
		  const char *why)
{
	const struct lab_opts *o = r->o;
	json_t *impair, *files = json_array(), *ctx, *checks = json_array(), *res;
	char e[256], path[PATH_MAX + 16], fails[400];
	int failed, zero;

	lab_step_finish(r);
	impair = lab_nft_counters(r->d, &r->net, o->loss, e, sizeof e);
	if (!impair) {
		impair = json_object();
		json_array_append_new(r->notes, json_sprintf("rule counters unavailable: %s", e));
	}
	trace_stop(r, tp);
	if (!o->keep) {
		lab_net_down(&r->net);
	} else {
		out(o, 1, "  kept: namespaces %s %s %s (look: ip netns exec NAME ss -tan; "
		    "remove: ip netns del NAME)\n", r->net.ns[0], r->net.ns[1], r->net.ns[2]);
		lab_net_forget(&r->net);
	}
	snprintf(path, sizeof path, "%s/lab.json", r->out);
	json_dump_file(r->d->json, path, JSON_INDENT(2));
	render(r, files);
	show_ladder(r);
	if (broken)
		json_array_append_new(r->notes, json_sprintf("the run broke: %s", why));
	res = run_info(r, lab_now_ms() - t0, files);
	ctx = lab_result_ctx(r->out, r->steps, impair, res);
	say_sources(r, ctx);
	out(o, 0, "\n  checks:\n");
	failed = lab_result_checks(r->d, &r->vars, ctx, checks, o->quiet ? NULL : o->log, o->show_observed);
	zero = no_packets(r, ctx);
	json_object_set(res, "steps", r->steps);
	json_object_set(res, "impair", impair);
	json_object_set_new(res, "checks", checks);
	json_object_set_new(res, "passed", json_integer((json_int_t)(r->d->nexpect - (size_t)failed)));
	json_object_set_new(res, "failed", json_integer(failed));
	json_object_set_new(res, "ok", json_boolean(!failed && !broken));
	snprintf(path, sizeof path, "%s/result.json", r->out);
	json_dump_file(res, path, JSON_INDENT(2));
	if (broken || failed)
		for (size_t i = 0; i < json_array_size(r->notes); i++)
			out(o, 0, "  note: %s\n", json_string_value(json_array_get(r->notes, i)));
	lab_result_failed(checks, 3, 70, fails, sizeof fails);
	out(o, 1, "%s %s: %zu/%zu expectations held%s%s%s%s -> %s/\n", failed || broken ? "FAIL" : "ok  ",
	    r->d->name, r->d->nexpect - (size_t)failed, r->d->nexpect, broken ? "; the run broke: " : "",
	    broken ? why : "", fails[0] ? ", failed: " : "", fails, r->out);
	/* said plainly on the screen too: every trace check failed for this one reason */
	if (zero && (o->quiet || !(broken || failed)))
		out(o, 1, "  note: %s\n", json_string_value(json_array_get(r->notes, json_array_size(r->notes) - 1)));
	json_decref(impair);
	json_decref(ctx);
	json_decref(res);
	json_decref(files);
	return failed || broken ? 1 : 0;
}

static void stop_all(struct lab_runner *r)
{
	size_t i;

	for (i = 0; i < r->d->nsteps; i++)
		if (r->procs[i].pid)
			lab_proc_stop(&r->procs[i], SIGTERM, 1000);
}

int lab_run(const struct lab_def *d, const struct lab_opts *o, char *err, size_t errlen)
{
	struct lab_runner r = { .d = d, .o = o };
	struct lab_proc tp = { 0 };
	long long t0 = lab_now_ms();
	int rc = 0, sig;
	size_t i;

	r.net.fd[0] = r.net.fd[1] = r.net.fd[2] = -1;
	snprintf(r.out, sizeof r.out, "%s", o->out);
	r.vars.port = o->port ? o->port : d->port;
	snprintf(r.portstr, sizeof r.portstr, "%d", r.vars.port);
	r.vars.labdir = d->dir;
	r.vars.out = r.out;
	r.vars.server = r.vars.client = "127.0.0.1";
	r.procs = calloc(d->nsteps, sizeof *r.procs);
	r.steps = json_object();
	r.notes = json_array();
	out(o, 0, "lab %s: %s\n", d->name, d->goal);
	if (!r.procs) {
		snprintf(err, errlen, "out of memory");
		rc = -1;
	}
	if (rc == 0 && (rc = setup(&r, err, errlen)) == 0)
		rc = trace_start(&r, &tp, err, errlen) == -1 ? -1 : 0;
	for (i = 0; rc == 0 && i < d->nsteps; i++)
		rc = lab_step_exec(&r, i, err, errlen);
	if (rc == 0 && lab_sleep(d->settle_ms, o->stop) < 0)
		rc = -2;
	if (rc == -2 || (o->stop && *o->stop)) {
		sig = o->stop && *o->stop ? (int)*o->stop : SIGINT;
		stop_all(&r);
		trace_stop(&r, &tp);
		lab_net_down(&r.net);
		out(o, 1, "\n%s: interrupted by %s; its programs were stopped and namespaces removed\n",
		    d->name, sig == SIGTERM ? "SIGTERM" : "SIGINT");
		rc = 128 + sig;
	} else {
		if (rc < 0)
			stop_all(&r);
		rc = finish(&r, &tp, t0, rc < 0, err);
	}
	lab_net_down(&r.net);
	work_remove(&r);
	free(r.procs);
	json_decref(r.steps);
	json_decref(r.notes);
	return rc;
}
