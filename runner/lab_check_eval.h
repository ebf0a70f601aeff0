/* runner/lab_check_eval.h: evaluates a parsed check against a JSON context, noting what it saw. */
#ifndef LAB_CHECK_EVAL_H
#define LAB_CHECK_EVAL_H

#include <stddef.h>
#include <jansson.h>

#include "runner/lab_check.h"

/* Evaluates a parsed check against ctx: 1 held, 0 did not. observed receives what was
 * seen for each comparison ("flows[proto=tcp][0].time_wait.side = \"client\""), or why a
 * value was missing. Never fails: a missing value or a type mismatch is a failed check. */
int lab_check_eval(const struct lab_check *c, json_t *ctx, char *observed, size_t obslen);

/* Parse, evaluate, free: -1 (err filled) on a syntax error, else lab_check_eval's result. */
int lab_check_run(const char *expr, json_t *ctx, char *observed, size_t obslen,
		  char *err, size_t errlen);

#endif
