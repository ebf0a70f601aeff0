/* runner/lab_result.c: the checks' verdicts, the context they read, and `check DIR` re-evaluation. */
#include "runner/lab_result.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner/lab_check_eval.h"
#include "runner/lab_runner.h"
#include "runner/lab_step.h"
#include "runner/lab_wrap.h"

json_t *lab_result_ctx(const char *dir, json_t *steps, json_t *impair, json_t *run)
{
	char path[PATH_MAX + 16];
	json_t *trace, *ctx;

	snprintf(path, sizeof path, "%s/trace.json", dir);
	trace = json_load_file(path, 0, NULL);
	/* the trace's top level is the root, so checks read flows[...] and events[...] */
	ctx = json_is_object(trace) ? json_deep_copy(trace) : json_object();
	json_decref(trace);
	json_object_set_new(ctx, "steps", steps ? json_incref(steps) : json_object());
	json_object_set_new(ctx, "step_list", lab_step_list(steps));
	json_object_set_new(ctx, "impair", impair ? json_incref(impair) : json_object());
	json_object_set_new(ctx, "run", run ? json_incref(run) : json_object());
	return ctx;
}

/* One check, its placeholders ({port}, ...) filled with this run's values first. text is
 * the check as shown: {repeat:...} stays as written, 3000 generated letters would hide it. */
static int check_one(const struct lab_expect *e, const struct lab_vars *v, json_t *ctx,
		     char *text, size_t textlen, char *obs, size_t obslen)
{
	struct lab_check *c = e->parsed;
	struct lab_vars shown;
	char perr[200], *full;
	int ok;

	snprintf(text, textlen, "%s", e->check);
	if (!e->templated || !v)
		return lab_check_eval(c, ctx, obs, obslen);
	shown = *v;
	shown.keep_repeat = 1;
	if (lab_vars_expand(e->check, &shown, text, textlen, perr, sizeof perr) < 0)
		snprintf(text, textlen, "%s", e->check);
	if (!(full = lab_vars_alloc(e->check, v, perr, sizeof perr)) ||
	    !(c = lab_check_parse(full, perr, sizeof perr))) {
		snprintf(obs, obslen, "%s", perr);
		free(full);
		return 0;
	}
	ok = lab_check_eval(c, ctx, obs, obslen);
	lab_check_free(c);
	free(full);
	return ok;
}

int lab_result_checks(const struct lab_def *d, const struct lab_vars *v, json_t *ctx,
		      json_t *checks, FILE *log, int show_observed)
{
	int failed = 0;
	size_t i;

	for (i = 0; i < d->nexpect; i++) {
		const struct lab_expect *e = &d->expect[i];
		char obs[1024], text[1024];
		int ok = check_one(e, v, ctx, text, sizeof text, obs, sizeof obs);
		json_t *c = json_pack("{s:s, s:b, s:s}", "check", text, "passed", ok, "observed", obs);
		if (e->why[0])
			json_object_set_new(c, "why", json_string(e->why));
		json_array_append_new(checks, c);
		failed += !ok;
		if (!log)
			continue;
		fprintf(log, "    %s  %s\n", ok ? "ok  " : "FAIL", text);
		if (!ok && e->why[0])
			fprintf(log, "          expected because: %s\n", e->why);
		if (!ok || show_observed)
			fprintf(log, "          observed: %s\n", obs[0] ? obs : "(nothing)");
	}
	if (log)
		fflush(log);
	return failed;
}

int lab_result_grade(const char *dir, const struct lab_def *teacher, FILE *log, int show_observed,
		     json_t **checks, char *err, size_t errlen)
{
	char path[PATH_MAX + 16], lerr[512];
	json_t *res, *defj = NULL, *ctx;
	struct lab_def *own = NULL;
	const struct lab_def *d = teacher;
	const char *name;
	int failed;

	*checks = NULL;
	snprintf(path, sizeof path, "%s/result.json", dir);
	res = json_load_file(path, 0, NULL);
	if (!json_is_object(res)) {
		snprintf(err, errlen, "%s: not a lab run folder (no result.json)", dir);
		json_decref(res);
		return -1;
	}
	name = json_string_value(json_object_get(res, "lab"));
	if (teacher && name && strcmp(name, teacher->name) != 0) {
		snprintf(err, errlen, "%s: a run of lab %s, not %s", dir, name, teacher->name);
		json_decref(res);
		return -1;
	}
	if (!teacher) {
		/* the run's own copy: what the student ran, and what a student could edit */
		snprintf(path, sizeof path, "%s/lab.json", dir);
		snprintf(lerr, sizeof lerr, "%s: not a lab run folder (no lab.json)", dir);
		if ((defj = json_load_file(path, 0, NULL)))
			own = lab_def_from_json(defj, name ? name : "lab", path, lerr, sizeof lerr);
		json_decref(defj);
		if (!own) {
			snprintf(err, errlen, "%s", lerr);
			json_decref(res);
			return -1;
		}
		d = own;
	}
	ctx = lab_result_ctx(dir, json_object_get(res, "steps"), json_object_get(res, "impair"), res);
	*checks = json_array();
	if (log)
		fprintf(log, "%s: checking %zu expectations against %s%s\n", d->name, d->nexpect, dir,
			teacher ? "" : " (with the run's own lab.json)");
	/* the run's own values for the checks' placeholders */
	struct lab_vars v = { (int)json_integer_value(json_object_get(res, "port")),
			      json_string_value(json_object_get(res, "server")),
			      json_string_value(json_object_get(res, "client")), d->dir, dir, 0 };
	if (!v.server)
		v.server = "";
	if (!v.client)
		v.client = "";
	failed = lab_result_checks(d, &v, ctx, *checks, log, show_observed);
	if (log)
		fprintf(log, "%s %s: %zu/%zu expectations held\n", failed ? "FAIL" : "ok  ", d->name,
			d->nexpect - (size_t)failed, d->nexpect);
	json_decref(ctx);
	json_decref(res);
	lab_def_free(own);
	return failed;
}

void lab_result_failed(json_t *checks, size_t most, size_t cut, char *buf, size_t len)
{
	size_t i, more = 0, shown = 0, used = 0;
	char one[1024];
	json_t *c;

	if (len)
		buf[0] = '\0';
	json_array_foreach(checks, i, c) {
		const char *text = json_string_value(json_object_get(c, "check"));
		if (json_is_true(json_object_get(c, "passed")) || !text)
			continue;
		if (most && shown++ >= most) {
			more++;
			continue;
		}
		lab_wrap_cut(text, cut ? cut : sizeof one, one, sizeof one);
		used += (size_t)snprintf(buf + used, used < len ? len - used : 0, "%s%s", used ? "; " : "", one);
	}
	if (more && used < len)
		snprintf(buf + used, len - used, " and %zu more", more);
}
