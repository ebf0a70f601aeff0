/* trace/ladder_call.h: socket calls on the ladder (what ladder.c shares with ladder_call.c, not for renderers). */
#ifndef TRACE_LADDER_CALL_H
#define TRACE_LADDER_CALL_H

#include <stddef.h>
#include <jansson.h>
#include "trace/ladder.h"

/* Calls that name no flow (socket, bind, listen, a listener's close) and the flow they
 * are drawn in: the flow of the same program's later call on the same descriptor
 * (socket -> connect, listen -> accept), or of its earlier one (close). Sorted by event. */
struct trace_ladder_callflow {
	long event;
	long long flow;
};

/* One pass over the events. *out is malloc'ed (NULL when none). Returns the count, or -1
 * when out of memory. */
long trace_ladder_call_flows(json_t *events, struct trace_ladder_callflow **out);

/* The flow a flowless call event i is drawn in (from the sorted list), or -1. */
long long trace_ladder_call_flow_of(const struct trace_ladder_callflow *cf, long n, long event);

/* Appends a row (ladder.c owns the array). */
struct trace_ladder_row *trace_ladder_row_add(struct trace_ladder_flow *f, enum trace_ladder_kind kind);

/* Adds the row of call event i. Returns 0, or -1 when out of memory. */
int trace_ladder_call_add(struct trace_ladder_flow *f, json_t *ev, int i);

/* A phase row just appended after calls that caused its first packets goes before them,
 * so a connect() opens the handshake and a close() the teardown. */
void trace_ladder_call_hoist(struct trace_ladder_flow *f, json_t *events, long long first_event);

/* Resolves every call row's linked packets to rows, once the flow's rows are all made. */
void trace_ladder_call_links(struct trace_ladder_flow *f, json_t *events);

#endif
