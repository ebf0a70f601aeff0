/* runner/lab_find.c: where labs are found: $HELLO_LABS's folders, then the built-in labs/; answer keys in $HELLO_ANSWERS or the lab's folder. */
#include "runner/lab_find.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Two names of one folder ("labs", "./labs/", its full path) are the same folder. */
static int same_dir(const char *a, const char *b)
{
	struct stat sa, sb;

	if (stat(a, &sa) == 0 && stat(b, &sb) == 0)
		return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
	return strcmp(a, b) == 0;
}

/* Adds folder d (len bytes of it) to v (n of them so far) unless it is there; -1 when full. */
static int add_one(char (*v)[PATH_MAX], int *builtin, size_t *n, const char *d, size_t len, int is_builtin)
{
	char buf[PATH_MAX];
	size_t i;

	while (len > 1 && d[len - 1] == '/')
		len--;
	if (!len || len >= sizeof buf)
		return 0;
	snprintf(buf, sizeof buf, "%.*s", (int)len, d);
	for (i = 0; i < *n; i++)
		if (same_dir(v[i], buf)) {
			if (builtin && is_builtin)
				builtin[i] = 1;
			return 0;
		}
	if (*n == LAB_FIND_DIRS)
		return -1;
	memcpy(v[*n], buf, len + 1);
	if (builtin)
		builtin[*n] = is_builtin;
	(*n)++;
	return 0;
}

/* Adds the colon-separated folders of list (empty parts skipped); -1 when too many. */
static int add_list(char (*v)[PATH_MAX], int *builtin, size_t *n, const char *list)
{
	const char *p = list;

	while (p && *p) {
		size_t len = strcspn(p, ":");
		if (add_one(v, builtin, n, p, len, 0) < 0)
			return -1;
		p += len;
		if (*p == ':')
			p++;
	}
	return 0;
}

int lab_dirs_init(struct lab_dirs *ds, const char *labs, const char *keys, const char *builtin,
		  char *err, size_t errlen)
{
	memset(ds, 0, sizeof(*ds));
	if (add_list(ds->dir, ds->builtin, &ds->n, labs) < 0 ||
	    /* the built-in folder comes last; named in HELLO_LABS too, it keeps that place */
	    (builtin && add_one(ds->dir, ds->builtin, &ds->n, builtin, strlen(builtin), 1) < 0)) {
		snprintf(err, errlen, "HELLO_LABS names more than %d folders", LAB_FIND_DIRS - 1);
		return -1;
	}
	if (add_list(ds->keys, NULL, &ds->nkeys, keys) < 0) {
		snprintf(err, errlen, "HELLO_ANSWERS names more than %d folders", LAB_FIND_DIRS);
		return -1;
	}
	return 0;
}

void lab_dirs_builtin(char *buf, size_t len)
{
	char exe[PATH_MAX], try[PATH_MAX + 32];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	int up;

	snprintf(buf, len, "labs");
	if (n <= 0)
		return;
	exe[n] = '\0';
	for (up = 1; up <= 4; up++) {
		char *slash = strrchr(exe, '/');
		if (!slash)
			return;
		*slash = '\0';
		snprintf(try, sizeof try, "%s/labs/tcp-hello/lab.json", exe);
		if (access(try, R_OK) == 0) {
			snprintf(buf, len, "%.*s/labs", (int)(len > 6 ? len - 6 : 0), exe);
			return;
		}
	}
}

static int visible(const struct dirent *de)
{
	return de->d_name[0] != '.' && strlen(de->d_name) < LAB_NAME_MAX;
}

/* The lab folders of one search folder, sorted: adds them to e from *k on. */
static void scan(const struct lab_dirs *ds, int d, struct lab_entry *e, size_t *k, size_t max)
{
	struct dirent **list;
	int n = scandir(ds->dir[d], &list, visible, alphasort), i;
	char p[PATH_MAX + 80];

	for (i = 0; i < n; i++) {
		snprintf(p, sizeof p, "%s/%s/lab.json", ds->dir[d], list[i]->d_name);
		if (*k < max && access(p, F_OK) == 0) {
			memset(&e[*k], 0, sizeof(e[*k]));
			memcpy(e[*k].name, list[i]->d_name, strlen(list[i]->d_name) + 1);	/* < LAB_NAME_MAX: visible() */
			e[*k].dir = d;
			e[*k].hidden_by = e[*k].hides = -1;
			(*k)++;
		}
		free(list[i]);
	}
	if (n >= 0)
		free(list);
}

size_t lab_find_all(const struct lab_dirs *ds, struct lab_entry *e, size_t max)
{
	size_t k = 0, i, j;

	for (i = 0; i < ds->n; i++)
		scan(ds, (int)i, e, &k, max);
	/* the first folder's lab of a name wins; the others are hidden by it */
	for (i = 0; i < k; i++)
		for (j = 0; j < i; j++)
			if (e[j].hidden_by < 0 && strcmp(e[i].name, e[j].name) == 0) {
				e[i].hidden_by = e[j].dir;
				if (e[j].hides < 0)
					e[j].hides = e[i].dir;
				break;
			}
	return k;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

size_t lab_find_names(const struct lab_dirs *ds, char (*names)[LAB_NAME_MAX], size_t max)
{
	struct lab_entry *e = calloc(LAB_FIND_MAX, sizeof(*e));
	size_t n, i, k = 0;

	if (!e)
		return 0;
	n = lab_find_all(ds, e, LAB_FIND_MAX);
	for (i = 0; i < n && k < max; i++)
		if (e[i].hidden_by < 0)
			memcpy(names[k++], e[i].name, sizeof e[i].name);
	free(e);
	qsort(names, k, sizeof(*names), name_cmp);
	return k;
}

int lab_find(const struct lab_dirs *ds, const char *name, char *dir, size_t len, char *err, size_t errlen)
{
	char p[PATH_MAX + 80];
	size_t i, used = 0;

	if (strchr(name, '/') || name[0] == '.' || !name[0]) {
		snprintf(err, errlen, "%s: a lab name, not a path (see hello-lab list)", name);
		return -1;
	}
	/* as lab_find_all does: a folder is a lab when it holds lab.json */
	for (i = 0; i < ds->n; i++) {
		snprintf(p, sizeof p, "%s/%s/lab.json", ds->dir[i], name);
		if (access(p, F_OK) == 0) {
			snprintf(dir, len, "%s/%s", ds->dir[i], name);
			return 0;
		}
	}
	used = (size_t)snprintf(err, errlen, "no lab named %s (looked in", name);
	for (i = 0; i < ds->n && used < errlen; i++)
		used += (size_t)snprintf(err + used, errlen - used, "%s %s", i ? "," : "", ds->dir[i]);
	if (used < errlen)
		snprintf(err + used, errlen - used, "; see hello-lab list)");
	return -1;
}

int lab_find_answers(const struct lab_dirs *ds, const char *name, const char *labdir, char *path,
		     size_t len)
{
	size_t i;

	for (i = 0; i < ds->nkeys; i++) {
		snprintf(path, len, "%s/%s/answers.md", ds->keys[i], name);
		if (access(path, R_OK) == 0)
			return 0;
	}
	snprintf(path, len, "%s/answers.md", labdir);
	return access(path, R_OK) == 0 ? 0 : -1;
}
