/* view/ladder_call.h: socket calls on the ladder (for ladder.c, not for renderers). */
#ifndef VIEW_LADDER_CALL_H
#define VIEW_LADDER_CALL_H

#include <stddef.h>
#include <jansson.h>
#include "view/ladder_row.h"

/* Calls that name no flow (socket, bind, listen, a listener's close) and the flow they
 * are drawn in: the flow of the same program's later call on the same descriptor
 * (socket -> connect, listen -> accept), or of its earlier one (close). Sorted by event. */
struct view_ladder_callflow {
	long event;
	long long flow;
};

/* One pass over the events. *out is malloc'ed (NULL when none). Returns the count, or -1
 * when out of memory. */
long view_ladder_call_flows(json_t *events, struct view_ladder_callflow **out);

/* The flow a flowless call event i is drawn in (from the sorted list), or -1. */
long long view_ladder_call_flow_of(const struct view_ladder_callflow *cf, long n, long event);


/* Adds the row of call event i. Returns 0, or -1 when out of memory. */
int view_ladder_call_add(struct view_ladder_flow *f, json_t *ev, int i);

/* A phase row just appended after calls that caused its first packets goes before them,
 * so a connect() opens the handshake and a close() the teardown. */
void view_ladder_call_hoist(struct view_ladder_flow *f, json_t *events, long long first_event);

/* Resolves every call row's linked packets to rows, once the flow's rows are all made. */
void view_ladder_call_links(struct view_ladder_flow *f, json_t *events);

#endif
