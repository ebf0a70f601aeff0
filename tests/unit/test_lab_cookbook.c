/* tests/unit/test_lab_cookbook.c: every recipe of docs/labs.md's cookbook, loaded as a lab's check and evaluated against recorded runs: it holds where the cookbook says, fails where it says. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner/lab_def.h"
#include "runner/lab_result.h"

#define COOKBOOK_START "<!-- cookbook:"
#define COOKBOOK_END "<!-- end of cookbook -->"

struct recipe {
	char what[200], check[600], holds[200], fails[200];
	int line;
};

static struct recipe recipes[64];
static size_t nrecipes;
static char root[PATH_MAX];

/* Copies cell text from s (up to '|' or the end) trimmed; returns after the '|', or NULL. */
static const char *cell(const char *s, char *out, size_t len)
{
	const char *end = strchr(s, '|');
	size_t n = end ? (size_t)(end - s) : strlen(s);

	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\n'))
		n--;
	snprintf(out, len, "%.*s", (int)n, s);
	return end ? end + 1 : NULL;
}

/* The rows of the cookbook's table: | what | `check` | holds on | fails on | */
static int setup(void **state)
{
	char path[PATH_MAX + 32], line[1024];
	const char *env = getenv("HELLO_ROOT");
	int in = 0, n = 0;
	FILE *f;

	(void)state;
	snprintf(root, sizeof root, "%s", env && *env ? env : ".");
	snprintf(path, sizeof path, "%s/docs/labs.md", root);
	if (!(f = fopen(path, "r"))) {
		fprintf(stderr, "%s: cannot read (run from the top of the tree, or set HELLO_ROOT)\n", path);
		return -1;
	}
	while (fgets(line, sizeof line, f)) {
		struct recipe *r = &recipes[nrecipes];
		char check[600];
		const char *p;

		n++;
		if (strncmp(line, COOKBOOK_START, strlen(COOKBOOK_START)) == 0)
			in = 1;
		else if (strncmp(line, COOKBOOK_END, strlen(COOKBOOK_END)) == 0)
			in = 0;
		if (!in || line[0] != '|' || strstr(line, "|---") || !strchr(line, '`') || nrecipes == 64)
			continue;
		p = cell(line + 1, r->what, sizeof r->what);
		p = p ? cell(p, check, sizeof check) : NULL;
		p = p ? cell(p, r->holds, sizeof r->holds) : NULL;
		p = p ? cell(p, r->fails, sizeof r->fails) : NULL;
		if (!p || check[0] != '`' || strlen(check) < 3 || check[strlen(check) - 1] != '`') {
			fprintf(stderr, "docs/labs.md:%d: a cookbook row is | what | `check` | holds on | fails on |\n", n);
			fclose(f);
			return -1;
		}
		snprintf(r->check, sizeof r->check, "%.*s", (int)strlen(check) - 2, check + 1);
		r->line = n;
		nrecipes++;
	}
	fclose(f);
	return 0;
}

/* The recipe as the only check of the recorded run's own lab.json, graded against that run:
 * loading it holds the check's paths against the trace schema and the lab's steps, as a
 * teacher's lab would be. Returns how many checks failed (0 or 1), -1 when it did not load. */
static int grade(const struct recipe *r, const char *run, char *obs, size_t obslen)
{
	char dir[PATH_MAX + 64], path[PATH_MAX + 80], err[512];
	json_t *j, *checks = NULL;
	struct lab_def *d;
	int failed;

	snprintf(dir, sizeof dir, "%s/tests/labs/cookbook/%s", root, run);
	snprintf(path, sizeof path, "%s/lab.json", dir);
	if (!(j = json_load_file(path, 0, NULL)))
		fail_msg("docs/labs.md:%d: no recorded run %s (%s)", r->line, run, path);
	json_object_set_new(j, "expect", json_pack("[s]", r->check));
	d = lab_def_from_json(j, run, path, err, sizeof err);
	json_decref(j);
	if (!d) {
		snprintf(obs, obslen, "%s", err);
		return -1;
	}
	if (snprintf(d->dir, sizeof d->dir, "%s", dir) >= (int)sizeof d->dir)
		fail_msg("%s: path too long", dir);
	failed = lab_result_grade(dir, d, NULL, 0, &checks, err, sizeof err);
	snprintf(obs, obslen, "%s", failed < 0 ? err :
		 json_string_value(json_object_get(json_array_get(checks, 0), "observed")));
	json_decref(checks);
	lab_def_free(d);
	return failed;
}

/* Each name of a "holds on" or "fails on" cell ("tcp-hello, tcp-loss"; "—": none). */
static void each_run(const struct recipe *r, const char *list, int want)
{
	char names[200], obs[1024], *save = NULL, *name;
	int got;

	snprintf(names, sizeof names, "%s", list);
	for (name = strtok_r(names, ", ", &save); name; name = strtok_r(NULL, ", ", &save)) {
		if (strcmp(name, "—") == 0 || strcmp(name, "-") == 0)
			continue;
		got = grade(r, name, obs, sizeof obs);
		if (got != want)
			fail_msg("docs/labs.md:%d: `%s` on %s: %s, wanted %s (%s)", r->line, r->check, name,
				 got < 0 ? "refused" : got ? "failed" : "held", want ? "to fail" : "to hold", obs);
	}
}

static void test_cookbook_is_there(void **state)
{
	(void)state;
	/* a dozen or so: fewer means the table was not found or not parsed */
	if (nrecipes < 12)
		fail_msg("docs/labs.md: %zu cookbook recipes found between \"%s\" and \"%s\", wanted 12 or more",
			 nrecipes, COOKBOOK_START, COOKBOOK_END);
}

static void test_every_recipe_holds(void **state)
{
	(void)state;
	for (size_t i = 0; i < nrecipes; i++) {
		if (!recipes[i].holds[0] || strcmp(recipes[i].holds, "—") == 0)
			fail_msg("docs/labs.md:%d: `%s` names no run it holds on", recipes[i].line, recipes[i].check);
		each_run(&recipes[i], recipes[i].holds, 0);
	}
}

/* A check that never fails proves nothing: where the cookbook names a run, it fails there. */
static void test_every_recipe_fails_where_it_says(void **state)
{
	(void)state;
	for (size_t i = 0; i < nrecipes; i++)
		each_run(&recipes[i], recipes[i].fails, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cookbook_is_there),
		cmocka_unit_test(test_every_recipe_holds),
		cmocka_unit_test(test_every_recipe_fails_where_it_says),
	};
	return cmocka_run_group_tests_name("lab_cookbook", tests, setup, NULL);
}
