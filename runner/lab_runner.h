/* runner/lab_runner.h: a lab run's options and the state lab_run.c and lab_step.c share while it runs. */
#ifndef LAB_RUNNER_H
#define LAB_RUNNER_H

#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <jansson.h>

#include "runner/lab_def.h"
#include "runner/lab_net.h"
#include "runner/lab_proc.h"

struct lab_opts {
	const char *out;		/* output folder (made when missing) */
	int port;			/* 0: the lab's own */
	int keep;			/* leave the namespaces for inspection */
	long loss;			/* random loss in percent both ways, 0 = none */
	const char *bindir;		/* where hello-* programs are */
	int quiet;			/* no step-by-step progress (summary lines only) */
	int render;			/* call `hello-trace render` after the run */
	int show_observed;		/* print what was observed for passing checks too */
	volatile sig_atomic_t *stop;	/* raised (to the signal number) by SIGINT/SIGTERM */
	FILE *log;			/* progress goes here */
};

/* The state of a run in progress. */
struct lab_runner {
	const struct lab_def *d;
	const struct lab_opts *o;
	struct lab_net net;
	struct lab_vars vars;
	char out[PATH_MAX];
	char work[PATH_MAX];		/* working files (tracer's ready file and log); removed at the end */
	char portstr[16];
	struct lab_proc *procs;		/* by step index */
	json_t *steps;			/* {"NAME": {"exit": N, "ms": N, "lines": [...]}} */
	json_t *notes;			/* plain-language remarks for result.json */
};

#endif
