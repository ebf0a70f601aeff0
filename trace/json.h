/* trace/json.h: the trace model as jansson objects (docs/trace-format.md): the document, events, flows, capture. */
#ifndef TRACE_JSON_H
#define TRACE_JSON_H

#include <jansson.h>

#include "trace/json_event.h"
#include "trace/json_flow.h"
#include "trace/model.h"

/* The whole document of a finished model (trace_model_finish). NULL when out of memory. */
json_t *trace_json_document(const struct trace_model *m);

/* A new tree for flow f; writers that dump at once use trace_jsonflow_get (kept objects). */
json_t *trace_json_flow(const struct trace_model *m, const struct trace_flow *f);
json_t *trace_json_capture(const struct trace_model *m);
/* The part of capture known before the first packet (the --jsonl header). */
json_t *trace_json_capture_setup(const struct trace_model *m);
/* Adds the flow's two ends to a list of unique {addr, port, role}, up to max entries;
 * seen is a JSON object the function keeps as the set of entries already listed. */
void trace_json_add_endpoints(json_t *list, json_t *seen, const struct trace_flow *f, size_t max);
/* One end of a flow as an entry of "endpoints": {addr, port, role}. */
json_t *trace_json_endpoint(const struct trace_endpoint *ep, int side);

#endif
