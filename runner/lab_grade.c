/* runner/lab_grade.c: `hello-lab check`: finished runs graded against a lab definition (the teacher's copy, or each run's own), a line or a CSV row a run. */
#include "runner/lab_grade.h"

#include <dirent.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <jansson.h>

#include "runner/lab_def.h"
#include "runner/lab_result.h"

static int is_run(const char *dir)
{
	char path[PATH_MAX + 16];
	struct stat st;

	snprintf(path, sizeof path, "%s/result.json", dir);
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The run folders inside dir, sorted; NULL when none (or out of memory). */
static char **runs_in(const char *dir, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **v = NULL, **nv, path[PATH_MAX];
	size_t cap = 0;

	*n = 0;
	if (!d)
		return NULL;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		if (!is_run(path))
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 32;
			if (!(nv = realloc(v, cap * sizeof *v)))
				break;
			v = nv;
		}
		if (!(v[*n] = strdup(path)))
			break;
		(*n)++;
	}
	closedir(d);
	if (*n)
		qsort(v, *n, sizeof *v, name_cmp);
	return v;
}

/* One CSV field: quoted when it holds a comma, a quote or a line break (RFC 4180). */
static void csv_field(FILE *f, const char *s, int last)
{
	if (strpbrk(s, ",\"\r\n")) {
		fputc('"', f);
		for (; *s; s++) {
			if (*s == '"')
				fputc('"', f);
			fputc(*s, f);
		}
		fputc('"', f);
	} else {
		fputs(s, f);
	}
	fputc(last ? '\n' : ',', f);
}

static int grade_one(const char *dir, const struct lab_def *teacher, const struct lab_grade_opts *o)
{
	char err[512], held[16], total[16], failed[2048];
	json_t *checks = NULL;
	int nfail = lab_result_grade(dir, teacher, o->log, o->show_observed, &checks, err, sizeof err);
	size_t n = json_array_size(checks);

	if (nfail < 0 && o->log)
		fprintf(o->log, "BROKEN %s\n", err);
	if (o->csv) {
		snprintf(held, sizeof held, "%zu", nfail < 0 ? 0 : n - (size_t)nfail);
		snprintf(total, sizeof total, "%zu", n);
		if (nfail < 0)
			snprintf(failed, sizeof failed, "%s", err);
		else
			lab_result_failed(checks, 0, 0, failed, sizeof failed);
		csv_field(o->csv, dir, 0);
		csv_field(o->csv, teacher ? teacher->name : "", 0);
		csv_field(o->csv, nfail < 0 ? "BROKEN" : nfail ? "FAIL" : "ok", 0);
		csv_field(o->csv, held, 0);
		csv_field(o->csv, total, 0);
		csv_field(o->csv, failed, 1);
	}
	json_decref(checks);
	return nfail != 0;
}

int lab_grade_main(char *const *dirs, size_t ndirs, const struct lab_grade_opts *o, char *err, size_t errlen)
{
	struct lab_def *teacher = NULL;
	size_t i, k, graded = 0;
	int bad = 0;

	if (o->lab) {
		char dir[PATH_MAX];
		size_t len = strlen(o->lab);

		/* a lab.json names its folder; the folder's name is the lab's */
		if (len > 9 && strcmp(o->lab + len - 9, "/lab.json") == 0)
			snprintf(dir, sizeof dir, "%.*s", (int)(len - 9), o->lab);
		else
			snprintf(dir, sizeof dir, "%s", o->lab);
		if (!(teacher = lab_def_load(dir, err, errlen)))
			return -1;
	}
	if (o->csv)
		fputs("run,lab,verdict,held,total,failed\n", o->csv);
	for (i = 0; i < ndirs; i++) {
		char **runs;
		size_t n;

		if (is_run(dirs[i]) || !(runs = runs_in(dirs[i], &n))) {
			bad |= grade_one(dirs[i], teacher, o);
			graded++;
			continue;
		}
		for (k = 0; k < n; k++) {
			bad |= grade_one(runs[k], teacher, o);
			free(runs[k]);
		}
		graded += n;
		free(runs);
	}
	lab_def_free(teacher);
	if (!graded) {
		snprintf(err, errlen, "no run folder given");
		return -1;
	}
	return bad;
}
