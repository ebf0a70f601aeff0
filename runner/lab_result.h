/* runner/lab_result.h: the checks' verdicts, the context they read, and `check DIR` re-evaluation. */
#ifndef LAB_RESULT_H
#define LAB_RESULT_H

#include <stddef.h>
#include <stdio.h>
#include <jansson.h>

#include "runner/lab_def.h"

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
