/* trace/json_flow.h: one flow as JSON (docs/trace-format.md "flows"), filled into kept objects. */
#ifndef TRACE_JSON_FLOW_H
#define TRACE_JSON_FLOW_H

#include <jansson.h>

#include "trace/flow.h"
#include "trace/model_types.h"

/* A flow's JSON is some twenty nested objects; building them new for each flow (a malloc
 * per object, key and integer, and as many frees) cost as much as dumping them. Each
 * place in the tree (the flow, its client, its packets, its first phase...) has one kept
 * object here, whose values are overwritten and whose keys change only where this flow's
 * differ from the last one's (json_event.c does the same for events). */
#define TRACE_JSONFLOW_KEYS 32
struct trace_jsonflow_obj {
	json_t *o;
	int n, at;				/* keys held; the next one to fill */
	const char *k[TRACE_JSONFLOW_KEYS];	/* in order: jansson dumps in insertion order */
	json_t *v[TRACE_JSONFLOW_KEYS];		/* borrowed from o */
};
struct trace_jsonflow {
	struct trace_jsonflow_obj flow, ep[2], packets, ip_bytes, frame_bytes, payload_bytes;
	struct trace_jsonflow_obj isn, options, opt[2], rtt, win, time_wait, states, state[2];
	struct trace_jsonflow_obj datagrams, phase[TRACE_PH_N], *pair;
	size_t npair;
	json_t *phases, *pairs, *unanswered, *icmp_errors;	/* kept arrays, refilled */
	int error;
};

/* The flow's JSON: a new reference to a kept object, valid until the next call (dump it at
 * once), the same bytes as trace_json_flow. NULL: out of memory. c starts zeroed. */
json_t *trace_jsonflow_get(struct trace_jsonflow *c, const struct trace_model *m, const struct trace_flow *f);
void trace_jsonflow_free(struct trace_jsonflow *c);

#endif
