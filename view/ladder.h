/* view/ladder.h: the ladder layout model every renderer draws: rows of arrows, state marks and phases, built once from a trace.json. */
#ifndef VIEW_LADDER_H
#define VIEW_LADDER_H

#include <stddef.h>
#include <jansson.h>

#include "view/ladder_row.h"

struct view_ladder {
	struct view_ladder_flow *flows;
	size_t nflows;
	char capture[160];	/* one line: "file x.pcap, 34 packets, 0 dropped" */
	int any_kernel;		/* some mark says what the kernel reported (a `*`) */
	json_t *root;		/* the trace itself, kept for per-event details (HTML) */
};

/* Builds the ladder of every flow (only flow `only_flow` when > 0) from a parsed trace;
 * takes a reference to root. Returns 0, or -1 with err filled. */
int view_ladder_build(json_t *root, int only_flow, struct view_ladder *l, char *err, size_t errlen);

/* Reads and builds PATH ("-" is stdin). Returns 0, or -1 with err filled. */
int view_ladder_load(const char *path, int only_flow, struct view_ladder *l, char *err, size_t errlen);

void view_ladder_free(struct view_ladder *l);

/* The event object at index i, or NULL. */
json_t *view_ladder_event(const struct view_ladder *l, int i);

#endif
