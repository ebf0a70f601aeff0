/* runner/lab_check_paths.h: every path of a check held against what a run's context can hold, so a misspelt field fails when the lab loads. */
#ifndef LAB_CHECK_PATHS_H
#define LAB_CHECK_PATHS_H

#include <stddef.h>
#include <jansson.h>

#include "runner/lab_check.h"

/*
 * The shape of a check's context as a JSON Schema: the trace's top level
 * (docs/trace.schema.json, built into hello-lab), plus "steps" and "step_list" naming
 * only the lab's own run steps, and "impair" and "run" (anything). NULL with err when
 * the built-in schema cannot be read.
 */
json_t *lab_check_context_schema(const char *const *steps, size_t nsteps, char *err, size_t errlen);

/*
 * Walks every path of c through the schema: a field no object there has ("time_wiat",
 * "flows[protocol=tcp]"), an index into something that is not a list, or a string
 * compared with a field that never holds it (proto == 'TCP') is refused with err
 * ("flows[protocol=tcp]: a flow has no 'protocol' (did you mean 'proto'?)"). Returns 0
 * when every path can hold a value.
 */
int lab_check_paths(const struct lab_check *c, json_t *schema, char *err, size_t errlen);

#endif
