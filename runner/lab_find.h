/* runner/lab_find.h: where labs are found: $HELLO_LABS's folders, then the built-in labs/; answer keys in $HELLO_ANSWERS or the lab's folder. */
#ifndef LAB_FIND_H
#define LAB_FIND_H

#include <limits.h>
#include <stddef.h>

#define LAB_FIND_DIRS 16	/* folders on a search path */
#define LAB_FIND_MAX 256	/* labs listed in all */
#define LAB_NAME_MAX 64

/*
 * The folders labs are read from, in order: each folder of HELLO_LABS (colon-separated,
 * empty parts skipped), then the built-in labs/ folder. A name found in two folders is
 * the lab of the first one: a teacher's folder overrides a built-in lab of the same name.
 * Answer keys: KEYS/NAME/answers.md for each folder KEYS of HELLO_ANSWERS, in order, then
 * the lab's own answers.md.
 */
struct lab_dirs {
	char dir[LAB_FIND_DIRS][PATH_MAX];
	int builtin[LAB_FIND_DIRS];	/* 1 for the built-in folder (the last one) */
	size_t n;
	char keys[LAB_FIND_DIRS][PATH_MAX];
	size_t nkeys;
};

/* One lab folder: its name, the folder it is in (an index of dir), and which lab of the
 * same name wins over it (-1: it is the one that runs) or it wins over (-1: none). */
struct lab_entry {
	char name[LAB_NAME_MAX];
	int dir;
	int hidden_by;
	int hides;
};

/*
 * Fills ds from the two variables' values (NULL or "" for none) and the built-in folder
 * (NULL: none). A folder named twice (or HELLO_LABS naming the built-in one) is kept once,
 * at its first place. Returns 0, or -1 with err when a variable names more than
 * LAB_FIND_DIRS folders.
 */
int lab_dirs_init(struct lab_dirs *ds, const char *labs, const char *keys, const char *builtin,
		  char *err, size_t errlen);

/* The built-in labs/ folder next to the running program (bin/ -> ../labs; the ASan build's
 * build/asan/bin -> ../../../labs), or "labs" when there is none; fills buf. */
void lab_dirs_builtin(char *buf, size_t len);

/*
 * Every lab folder (a folder holding lab.json) of every search folder, folder by folder,
 * names sorted within one: up to max entries. Returns how many.
 */
size_t lab_find_all(const struct lab_dirs *ds, struct lab_entry *e, size_t max);

/* The names of the labs that run (each name once, the first folder's), sorted; returns
 * how many (at most max). */
size_t lab_find_names(const struct lab_dirs *ds, char (*names)[LAB_NAME_MAX], size_t max);

/* The folder of lab name: 0, or -1 with err ("no lab named x (looked in: a, b)"), also
 * for a name that is a path. */
int lab_find(const struct lab_dirs *ds, const char *name, char *dir, size_t len, char *err, size_t errlen);

/* The answer key of the lab name in folder labdir: 0 with its path, or -1 when none is
 * readable (path then holds the lab's own answers.md). */
int lab_find_answers(const struct lab_dirs *ds, const char *name, const char *labdir, char *path,
		     size_t len);

#endif
