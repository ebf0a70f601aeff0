/* runner/lab_result.h: the checks' verdicts, the context they read, and `check DIR` re-evaluation. */
#ifndef LAB_RESULT_H
#define LAB_RESULT_H

#include <stddef.h>
#include <stdio.h>
#include <jansson.h>

#include "runner/lab_def.h"

/* Evaluates d's checks against ctx, prints the verdicts to log (NULL: none; what was
 * observed for the failed ones, or with show_observed for every one), fills checks (an
 * array). Returns the number that failed. */
int lab_result_checks(const struct lab_def *d, const struct lab_vars *v, json_t *ctx,
		      json_t *checks, FILE *log, int show_observed);

/* The check context: the trace's top level (or {} when there is none) plus steps,
 * impair and run. */
json_t *lab_result_ctx(const char *dir, json_t *steps, json_t *impair, json_t *run);

/* A finished run (DIR/result.json, trace.json) checked against teacher's definition, or
 * with teacher NULL against the run's own DIR/lab.json. Prints the verdicts to log (NULL:
 * quiet) and sets *checks to them (an array the caller frees). Returns how many failed, or
 * -1 (err) when DIR is not a run folder, or a run of another lab than teacher. */
int lab_result_grade(const char *dir, const struct lab_def *teacher, FILE *log, int show_observed,
		     json_t **checks, char *err, size_t errlen);

/* The checks of a verdict array that did not hold, "; " between them: at most `most` (0:
 * all, else " and N more"), each cut to `cut` characters (0: whole). */
void lab_result_failed(json_t *checks, size_t most, size_t cut, char *buf, size_t len);

#endif
