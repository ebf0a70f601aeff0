/* labs/lab_run.h: one lab run: namespaces, impairment, tracer, steps, checks, result.json. */
#ifndef LAB_RUN_H
#define LAB_RUN_H

#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <jansson.h>

#include "labs/lab_def.h"
#include "labs/lab_net.h"
#include "labs/lab_proc.h"

struct lab_opts {
	const char *out;		/* output folder (made when missing) */
	int port;			/* 0: the lab's own */
	int keep;			/* leave the namespaces for inspection */
	long loss;			/* random loss in percent both ways, 0 = none */
	const char *bindir;		/* where hello-* programs are */
	int quiet;			/* no step-by-step progress (summary lines only) */
	int render;			/* call `hello-trace render` after the run */
	volatile sig_atomic_t *stop;	/* raised (to the signal number) by SIGINT/SIGTERM */
	FILE *log;			/* progress goes here */
};

/* The state of a run in progress; lab_step.c and lab_run.c share it. */
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

/* Runs lab d. Returns 0 when every expectation held, 1 when one did not or the run
 * broke (err says why), 128 + signal when interrupted. Progress and the checks' verdicts
 * are printed to o->log. */
int lab_run(const struct lab_def *d, const struct lab_opts *o, char *err, size_t errlen);

/* Runs step i. 0 done, -1 broken (err), -2 interrupted. */
int lab_step_exec(struct lab_runner *r, size_t i, char *err, size_t errlen);
/* 1 and the path of step i's --events file (RUN/events-STEP.jsonl) when its program writes one. */
int lab_step_events_file(const struct lab_runner *r, size_t i, char *buf, size_t len);

/* Stops the background steps still running and records every step in r->steps. */
void lab_step_finish(struct lab_runner *r);

/* steps as an array of {"name": ..., "exit": ..., "ms": ...} (the check context's step_list). */
json_t *lab_step_list(json_t *steps);

/* Loads a log file's lines as a JSON array of strings (bounded). */
json_t *lab_step_lines(const char *path);

/* How many sockets the text of /proc/net/tcp (or udp, tcp6, udp6) holds whose local port
 * (or, for any state but LISTEN, remote port) is port and whose state is st (the kernel's
 * hex code; -1 any). */
int lab_step_sock_find(const char *procnet, int port, int st);

/* The kernel's /proc/net/tcp code for a state name (TIME_WAIT -> 6), -1 unknown. */
int lab_step_state_code(const char *name);

/* Evaluates d's checks against ctx, prints the verdicts, fills checks (an array).
 * Returns the number that failed. */
int lab_result_checks(const struct lab_def *d, const struct lab_vars *v, json_t *ctx,
		      json_t *checks, FILE *log);

/* The check context: the trace's top level (or {} when there is none) plus steps,
 * impair and run. */
json_t *lab_result_ctx(const char *dir, json_t *steps, json_t *impair, json_t *run);

/* `hello-lab check DIR`: re-evaluates a finished run's checks from its files. Returns
 * 0 all held, 1 some did not, -1 (err) when DIR is not a run folder. */
int lab_result_recheck(const char *dir, FILE *log, char *err, size_t errlen);

#endif
