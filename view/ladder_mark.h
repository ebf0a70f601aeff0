/* view/ladder_mark.h: the state marks beside a ladder's rows: where each state change sits, and what the kernel reported when. */
#ifndef VIEW_LADDER_MARK_H
#define VIEW_LADDER_MARK_H

#include <stddef.h>
#include <jansson.h>

#include "view/ladder_row.h"

/* A kernel report is drawn as a `*` on a row only when it came this close to the row's
 * time: the tracepoint fires within microseconds of the packet that moved the state (before
 * it when the application acts: close() before its FIN leaves). sock_diag looks only on the
 * capture's tick, often tens of milliseconds later; such a report is drawn at its own time. */
#define VIEW_LADDER_THEN_US 1000

/* The legend of the `*`, the same in every picture that draws it. */
#define VIEW_LADDER_KERNEL_LEGEND "* reported by the kernel then (within 1 ms); others inferred from the packets"

/* Each side's shown state while a flow's events are placed, in order. */
struct view_ladder_marks {
	char shown[2][16];
	long shown_row[2];	/* the row whose mark shows it; -1: none yet */
	long pending[2];	/* an inferred event the kernel reported just before it, -1 none */
	long pending_k[2];	/* that kernel event */
	int any_kernel;		/* some mark carries a `*` */
};

void view_ladder_marks_init(struct view_ladder_marks *m);

/* Places state event i (ev) of flow f: beside the row of the packet that caused it or in a
 * row of its own; a kernel report as the `*` of the change it confirms when it came within
 * VIEW_LADDER_THEN_US of it, else as a row at its own time. later[0..nlater) are the flow's
 * events after i, in order (a kernel report may come just before the packet that shows the
 * same change). Returns 0, or -1 when out of memory. */
int view_ladder_mark_state(struct view_ladder_marks *m, struct view_ladder_flow *f, json_t *events,
			   const long *later, size_t nlater, json_t *ev, int i);

/* Where a mark comes from, one clause for tooltips and the step mode: "inferred from the
 * packets", "reported by the kernel (sock_diag) at 23.428 ms, 59980 ms left; the packets
 * showed it from 1.667 ms", ... */
void view_ladder_mark_source(const struct view_ladder_mark *m, char *dst, size_t len);

#endif
