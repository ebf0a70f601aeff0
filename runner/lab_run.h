/* runner/lab_run.h: one lab run: namespaces, impairment, tracer, steps, checks, result.json. */
#ifndef LAB_RUN_H
#define LAB_RUN_H

#include <stddef.h>

#include "runner/lab_runner.h"

/* Runs lab d. Returns 0 when every expectation held, 1 when one did not or the run
 * broke (err says why), 128 + signal when interrupted. Progress and the checks' verdicts
 * are printed to o->log. */
int lab_run(const struct lab_def *d, const struct lab_opts *o, char *err, size_t errlen);

#endif
