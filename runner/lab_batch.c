/* runner/lab_batch.c: `hello-lab run` of one lab, several or all: BROKEN definitions, one after another or -j N at a time, the closing table. */
#include "runner/lab_batch.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <jansson.h>

#include "runner/lab_result.h"
#include "runner/lab_run.h"
#include "runner/lab_wrap.h"

#define LAB_BATCH_JOBS 16

/* The message of a definition that does not load, without the lab.json path in front of it
 * (the table's line names the lab already). */
static const char *after_file(const char *err)
{
	const char *p = strstr(err, "lab.json: ");

	return p ? p + 10 : err;
}

int lab_batch_one(const struct lab_batch *b, const char *name, const char *out, int port)
{
	struct lab_opts o = b->run;
	char err[512], dir[PATH_MAX];
	struct lab_def *d;
	int rc;

	if (lab_find(b->dirs, name, dir, sizeof dir, err, sizeof err) < 0) {
		fprintf(b->out, "hello-lab: %s\n", err);
		return 1;
	}
	if (!(d = lab_def_load(dir, err, sizeof err))) {
		fprintf(b->out, "BROKEN %s: %s\n", name, err);
		return LAB_EXIT_BROKEN;
	}
	o.out = out;
	o.port = port;
	o.log = b->out;
	rc = lab_run(d, &o, err, sizeof err);
	lab_def_free(d);
	return rc;
}

/* -j N: each lab in a child hello-lab with its own port (the tracepoint is system-wide,
 * so two runs tracing at once must not share ports); their output goes to BASE/NAME.out
 * and is copied out when the child ends, so labs never interleave. */
static void run_parallel(const struct lab_batch *b, char (*names)[LAB_NAME_MAX], size_t n, int *rcs)
{
	struct lab_proc procs[LAB_BATCH_JOBS];
	size_t slot_of[LAB_BATCH_JOBS], next = 0;
	int running = 0, i, jobs = b->jobs < LAB_BATCH_JOBS ? b->jobs : LAB_BATCH_JOBS;
	char exe[PATH_MAX], out[PATH_MAX + 80], log[PATH_MAX + 80], port[16], loss[16], err[256];
	ssize_t l = readlink("/proc/self/exe", exe, sizeof exe - 1);

	if (l <= 0)
		return;
	exe[l] = '\0';
	snprintf(loss, sizeof loss, "%ld", b->run.loss);
	memset(procs, 0, sizeof procs);
	while ((next < n || running) && !*b->run.stop) {
		for (i = 0; i < jobs && next < n; i++) {
			struct lab_where here = { -1, 0 };
			char *argv[16] = { exe, "run", names[next], "--out", out, "--port", port, "--quiet" };
			int a = 8;
			if (procs[i].pid)
				continue;
			if (!b->run.render)
				argv[a++] = "--no-render";
			if (b->run.show_observed)
				argv[a++] = "--show-observed";
			if (b->run.keep)
				argv[a++] = "--keep";
			if (b->run.loss)
				argv[a++] = "--loss", argv[a++] = loss;
			snprintf(out, sizeof out, "%s/%s", b->base, names[next]);
			snprintf(log, sizeof log, "%s/%s.out", b->base, names[next]);
			snprintf(port, sizeof port, "%d", (b->port ? b->port : 20000) + 10 * (int)next);
			unlink(log);
			if (lab_proc_start(&procs[i], &here, argv, log, err, sizeof err) < 0) {
				fprintf(b->out, "hello-lab: %s\n", err);
				rcs[next++] = 1;
				continue;
			}
			slot_of[i] = next++;
			running++;
		}
		for (i = 0; i < jobs; i++) {
			FILE *f;
			char line[1024];
			if (!procs[i].pid || !lab_proc_poll(&procs[i]))
				continue;
			rcs[slot_of[i]] = lab_proc_code(&procs[i]);
			snprintf(log, sizeof log, "%s/%s.out", b->base, names[slot_of[i]]);
			if ((f = fopen(log, "r"))) {
				while (fgets(line, sizeof line, f))
					fputs(line, b->out);
				fclose(f);
			}
			fflush(b->out);
			procs[i].pid = 0;
			running--;
		}
		lab_sleep(20, NULL);
	}
	for (i = 0; i < jobs; i++)
		if (procs[i].pid)
			lab_proc_stop(&procs[i], SIGINT, 10000);	/* they tear down themselves */
}

/* What the table says of one lab after its result: the checks that did not hold, or why
 * the lab is BROKEN, in what is left of an 80-column line. */
static void row_detail(const struct lab_batch *b, const char *name, int rc, char *buf, size_t len)
{
	char path[PATH_MAX + 80], dir[PATH_MAX], err[512], all[2048];
	struct lab_def *d = NULL;
	json_t *res;

	buf[0] = '\0';
	if (rc == LAB_EXIT_BROKEN) {
		/* loaded again here: a -j child said why in its own output only */
		if (lab_find(b->dirs, name, dir, sizeof dir, err, sizeof err) == 0 &&
		    !(d = lab_def_load(dir, err, sizeof err)))
			lab_wrap_cut(after_file(err), len - 1, buf, len);
		lab_def_free(d);
		return;
	}
	if (rc != 1)
		return;
	snprintf(path, sizeof path, "%s/%s/result.json", b->base, name);
	if (!(res = json_load_file(path, 0, NULL)))
		return;
	lab_result_failed(json_object_get(res, "checks"), 0, 0, all, sizeof all);
	if (!all[0] && json_is_false(json_object_get(res, "ok")))
		snprintf(all, sizeof all, "the run broke (see its notes in result.json)");
	lab_wrap_cut(all, len - 1, buf, len);
	json_decref(res);
}

int lab_batch_all(const struct lab_batch *b, char (*names)[LAB_NAME_MAX], size_t n)
{
	int *rcs = calloc(n ? n : 1, sizeof *rcs), bad = 0, broken = 0;
	size_t i, ok = 0, failed = 0, nbroken = 0, notrun = 0;
	long long t0 = lab_now_ms();
	char out[PATH_MAX + 80], detail[LAB_WRAP_WIDTH];

	if (!rcs) {
		fprintf(b->out, "hello-lab: out of memory\n");
		return 1;
	}
	mkdir(b->base, 0755);
	for (i = 0; i < n; i++)
		rcs[i] = -1;
	if (b->jobs > 1) {
		run_parallel(b, names, n, rcs);
	} else {
		for (i = 0; i < n && !*b->run.stop; i++) {
			snprintf(out, sizeof out, "%s/%s", b->base, names[i]);
			rcs[i] = lab_batch_one(b, names[i], out, b->port);
			if (!b->run.quiet)
				fprintf(b->out, "\n");
		}
	}
	fprintf(b->out, "\n%-20s %s\n", "LAB", "RESULT");
	for (i = 0; i < n; i++) {
		const char *what = rcs[i] == 0 ? "ok" : rcs[i] < 0 ? "not run" : rcs[i] > 128 ? "interrupted" :
				   rcs[i] == LAB_EXIT_BROKEN ? "BROKEN" : "FAILED";
		/* "NAME  FAILED  " leaves the rest of the line for what failed */
		row_detail(b, names[i], rcs[i], detail, LAB_WRAP_WIDTH - 30 + 1);
		fprintf(b->out, "%-20s %-8s %s\n", names[i], what, detail);
		ok += rcs[i] == 0;
		nbroken += rcs[i] == LAB_EXIT_BROKEN;
		notrun += rcs[i] < 0 || rcs[i] > 128;
		broken |= rcs[i] == LAB_EXIT_BROKEN;
		bad |= rcs[i] != 0;
	}
	failed = n - ok - nbroken - notrun;
	fprintf(b->out, "%zu lab%s in %.1f s: %zu ok, %zu FAILED, %zu BROKEN", n, n == 1 ? "" : "s",
		(double)(lab_now_ms() - t0) / 1000.0, ok, failed, nbroken);
	if (notrun)
		fprintf(b->out, ", %zu not run", notrun);
	fprintf(b->out, "\n");
	free(rcs);
	if (*b->run.stop) {
		fprintf(b->out, "interrupted by %s: the remaining labs were not run\n",
			*b->run.stop == SIGTERM ? "SIGTERM" : "SIGINT");
		return 128 + *b->run.stop;
	}
	return broken ? LAB_EXIT_BROKEN : bad;
}
