/* tests/unit/test_lab_find.c: where labs come from: $HELLO_LABS's folders before the built-in labs/, the first of a name wins; answer keys. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runner/lab_find.h"

static char root[64];

/* root/REL as a file holding "{}", its folders made. */
static void touch(const char *rel)
{
	char p[256], *s;
	FILE *f;

	snprintf(p, sizeof p, "%s/%s", root, rel);
	for (s = p + strlen(root) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
	f = fopen(p, "w");
	assert_non_null(f);
	fputs("{}", f);
	fclose(f);
}

static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof root, "/tmp/hello-lab-find.XXXXXX");
	if (!mkdtemp(root))
		return -1;
	/* built-in: a, b; the teacher's: b (overrides), c, and a folder without lab.json */
	touch("builtin/a/lab.json");
	touch("builtin/b/lab.json");
	touch("builtin/b/answers.md");
	touch("teacher/b/lab.json");
	touch("teacher/c/lab.json");
	touch("teacher/notalab/README.md");
	touch("other/d/lab.json");
	touch("keys/c/answers.md");
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static void dirs(struct lab_dirs *ds, const char *labs, const char *keys)
{
	char l[512] = "", k[256] = "", b[128], err[128];

	/* "teacher:other" -> "ROOT/teacher:ROOT/other" */
	for (const char *p = labs; p && *p;) {
		size_t n = strcspn(p, ":");
		if (n)	/* an empty part stays empty: the parser skips it */
			snprintf(l + strlen(l), sizeof l - strlen(l), "%s%s/%.*s", l[0] ? ":" : "", root, (int)n, p);
		else
			snprintf(l + strlen(l), sizeof l - strlen(l), ":");
		p += n + (p[n] == ':');
	}
	if (keys)
		snprintf(k, sizeof k, "%s/%s", root, keys);
	snprintf(b, sizeof b, "%s/builtin", root);
	assert_int_equal(lab_dirs_init(ds, l, k, b, err, sizeof err), 0);
}

static void test_builtin_only(void **state)
{
	static struct lab_dirs ds;
	char names[8][LAB_NAME_MAX];

	(void)state;
	dirs(&ds, NULL, NULL);
	assert_int_equal(ds.n, 1);
	assert_int_equal(ds.builtin[0], 1);
	assert_int_equal(lab_find_names(&ds, names, 8), 2);
	assert_string_equal(names[0], "a");
	assert_string_equal(names[1], "b");
}

static void test_earlier_folder_wins(void **state)
{
	static struct lab_dirs ds;
	struct lab_entry e[16];
	char names[8][LAB_NAME_MAX], dir[256], err[512];

	(void)state;
	dirs(&ds, "teacher:other", NULL);
	assert_int_equal(ds.n, 3);
	assert_int_equal(ds.builtin[2], 1);
	/* folder by folder: teacher's b c, other's d, built-in a b (b hidden by the teacher's) */
	assert_int_equal(lab_find_all(&ds, e, 16), 5);
	assert_string_equal(e[0].name, "b");
	assert_int_equal(e[0].dir, 0);
	assert_int_equal(e[0].hides, 2);
	assert_int_equal(e[0].hidden_by, -1);
	assert_string_equal(e[1].name, "c");
	assert_int_equal(e[1].hides, -1);
	assert_string_equal(e[2].name, "d");
	assert_string_equal(e[3].name, "a");
	assert_string_equal(e[4].name, "b");
	assert_int_equal(e[4].hidden_by, 0);
	/* each name once, sorted */
	assert_int_equal(lab_find_names(&ds, names, 8), 4);
	assert_string_equal(names[0], "a");
	assert_string_equal(names[1], "b");
	assert_string_equal(names[3], "d");
	assert_int_equal(lab_find(&ds, "b", dir, sizeof dir, err, sizeof err), 0);
	assert_non_null(strstr(dir, "/teacher/b"));
	assert_int_equal(lab_find(&ds, "a", dir, sizeof dir, err, sizeof err), 0);
	assert_non_null(strstr(dir, "/builtin/a"));
	assert_int_equal(lab_find(&ds, "zz", dir, sizeof dir, err, sizeof err), -1);
	assert_non_null(strstr(err, "no lab named zz (looked in "));
	assert_non_null(strstr(err, "/builtin; see hello-lab list)"));
	/* a folder without lab.json is no lab, whatever its name */
	assert_int_equal(lab_find(&ds, "notalab", dir, sizeof dir, err, sizeof err), -1);
	assert_int_equal(lab_find(&ds, "../b", dir, sizeof dir, err, sizeof err), -1);
	assert_non_null(strstr(err, "a lab name, not a path"));
}

static void test_builtin_named_in_the_path(void **state)
{
	static struct lab_dirs ds;
	char dir[256], err[512];

	(void)state;
	/* named first in HELLO_LABS, the built-in folder comes first, once, still built in */
	dirs(&ds, "builtin/::teacher/", NULL);
	assert_int_equal(ds.n, 2);
	assert_int_equal(ds.builtin[0], 1);
	assert_int_equal(ds.builtin[1], 0);
	assert_int_equal(lab_find(&ds, "b", dir, sizeof dir, err, sizeof err), 0);
	assert_non_null(strstr(dir, "/builtin/b"));
}

static void test_answers(void **state)
{
	static struct lab_dirs ds;
	char dir[256], err[512], key[512];

	(void)state;
	dirs(&ds, "teacher", "keys");
	/* c's key is kept apart from the lab folders handed out */
	assert_int_equal(lab_find(&ds, "c", dir, sizeof dir, err, sizeof err), 0);
	assert_int_equal(lab_find_answers(&ds, "c", dir, key, sizeof key), 0);
	assert_non_null(strstr(key, "/keys/c/answers.md"));
	/* the teacher's b has none (the built-in b's key is not its key) */
	assert_int_equal(lab_find(&ds, "b", dir, sizeof dir, err, sizeof err), 0);
	assert_int_equal(lab_find_answers(&ds, "b", dir, key, sizeof key), -1);
	/* the built-in b's own */
	snprintf(dir, sizeof dir, "%s/builtin/b", root);
	assert_int_equal(lab_find_answers(&ds, "b", dir, key, sizeof key), 0);
	assert_non_null(strstr(key, "/builtin/b/answers.md"));
}

static void test_too_many_folders(void **state)
{
	static struct lab_dirs ds;
	char many[2048] = "", err[128];

	(void)state;
	for (int i = 0; i < LAB_FIND_DIRS + 1; i++)
		snprintf(many + strlen(many), sizeof many - strlen(many), "%s/x%d:", root, i);
	assert_int_equal(lab_dirs_init(&ds, many, NULL, "/b", err, sizeof err), -1);
	assert_non_null(strstr(err, "HELLO_LABS names more than"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builtin_only),
		cmocka_unit_test(test_earlier_folder_wins),
		cmocka_unit_test(test_builtin_named_in_the_path),
		cmocka_unit_test(test_answers),
		cmocka_unit_test(test_too_many_folders),
	};
	return cmocka_run_group_tests_name("lab_find", tests, setup, teardown);
}
