/* view/ladder_sum.h: the words under and above a ladder: flow summaries, the capture line, TIME_WAIT. */
#ifndef VIEW_LADDER_SUM_H
#define VIEW_LADDER_SUM_H

#include <stddef.h>
#include <jansson.h>
#include "view/ladder_row.h"

/* Fills f->summary ("history ShADadFf", "conn_state SF", ...) from the flow object. */
void view_ladder_summary(struct view_ladder_flow *f, json_t *flow);

/* "server, timer 59976 ms (kernel)" from a flow's time_wait object; with the moment sock_diag
 * showed it, "server, timer 59980 ms left at 23.428 ms (kernel)". */
void view_ladder_time_wait(char *dst, size_t len, json_t *tw);

/* The capture line ("live on lo, 16 packets, 0 dropped") of a trace, into dst. */
void view_ladder_capture(char *dst, size_t len, json_t *root);

#endif
