/* view/ladder_row.c: a ladder's flows and rows (arrows, state marks, phases, calls), the units every renderer draws. */
#include "view/ladder_row.h"

#include <stdlib.h>
#include <string.h>

struct view_ladder_row *view_ladder_row_add(struct view_ladder_flow *f, enum view_ladder_kind kind)
{
	struct view_ladder_row *r;

	if (f->nrows == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 64;
		void *p = realloc(f->rows, cap * sizeof(*f->rows));

		if (!p)
			return NULL;
		f->rows = p, f->cap = cap;
	}
	r = &f->rows[f->nrows++];
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	r->event = -1;
	r->t_us = -1;
	for (int k = 0; k < 2; k++) {
		r->mark[k].event = -1;
		r->mark[k].kernel_us = r->mark[k].timer_ms = r->mark[k].since_us = -1;
	}
	return r;
}

long view_ladder_row_of(const struct view_ladder_flow *f, int event)
{
	size_t lo = 0, hi = f->nrows;

	/* rows follow their events' order; phase rows (-1) are stepped over */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2, m = mid;

		while (m < hi && f->rows[m].event < 0)
			m++;
		if (m == hi) {
			hi = mid;
			continue;
		}
		if (f->rows[m].event == event)
			return f->rows[m].kind == VIEW_LADDER_PHASE ? -1 : (long)m;
		if (f->rows[m].event < event)
			lo = m + 1;
		else
			hi = mid;
	}
	return -1;
}
