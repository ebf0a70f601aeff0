/* runner/lab_batch.h: `hello-lab run` of one lab, several or all: BROKEN definitions, one after another or -j N at a time, the closing table. */
#ifndef LAB_BATCH_H
#define LAB_BATCH_H

#include <stddef.h>
#include <stdio.h>

#include "runner/lab_find.h"
#include "runner/lab_runner.h"

/* The exit code of a run whose lab.json cannot be loaded: the lab must be fixed before a
 * run can say anything about the network. Wins over 1 when several labs run. */
#define LAB_EXIT_BROKEN 4

struct lab_batch {
	const struct lab_dirs *dirs;
	struct lab_opts run;	/* every run's options; out and port are set per lab */
	const char *base;	/* several labs: each one's run folder is BASE/NAME */
	int jobs;		/* labs at a time, each a child hello-lab on its own ports */
	int port;		/* 0: each lab's own (one at a time), 20000 + 10 per lab (-j) */
	FILE *out;		/* progress, verdicts and the table */
};

/*
 * Runs lab name into out on port (0: its own): "BROKEN NAME: why" on b->out when its
 * lab.json cannot be loaded. Returns 0 (every check held), 1 (one did not, the run broke,
 * or there is no such lab), LAB_EXIT_BROKEN, or 128 + the signal that interrupted it.
 */
int lab_batch_one(const struct lab_batch *b, const char *name, const char *out, int port);

/*
 * Runs labs names[0..n) into BASE/NAME, then prints a line a lab (ok, FAILED with the
 * checks that did not hold, BROKEN with why, not run, interrupted) and the total time.
 * Returns 128 + signal when interrupted, else LAB_EXIT_BROKEN when a lab was BROKEN,
 * else 1 when one failed, else 0.
 */
int lab_batch_all(const struct lab_batch *b, char (*names)[LAB_NAME_MAX], size_t n);

#endif
