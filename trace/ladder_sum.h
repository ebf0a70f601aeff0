/* trace/ladder_sum.h: the words under and above a ladder: flow summaries, the capture line, TIME_WAIT. */
#ifndef TRACE_LADDER_SUM_H
#define TRACE_LADDER_SUM_H

#include <stddef.h>
#include <jansson.h>
#include "trace/ladder.h"

/* Fills f->summary ("history ShADadFf", "conn_state SF", ...) from the flow object. */
void trace_ladder_summary(struct trace_ladder_flow *f, json_t *flow);

/* "server, timer 59976 ms (kernel)" from a flow's time_wait object. */
void trace_ladder_time_wait(char *dst, size_t len, json_t *tw);

/* Fills l->capture ("live on lo, 16 packets, 0 dropped") from l->root. */
void trace_ladder_capture(struct trace_ladder *l);

#endif
