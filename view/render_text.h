/* view/render_text.h: the ladder as text for an 80-column terminal. */
#ifndef VIEW_RENDER_TEXT_H
#define VIEW_RENDER_TEXT_H

#include <stdio.h>
#include "view/ladder.h"
#include "view/render_opts.h"

#define VIEW_RENDER_TEXT_COLS 80

/* Writes every flow's ladder. Returns 0, or -1 with err filled (a write failed). */
int view_render_text(FILE *out, const struct view_ladder *l, const struct view_render_opts *o,
		      char *err, size_t errlen);

/* Writes the figures of a compare, one line each (packets, bytes, time to first reply). */
int view_render_text_compare(FILE *out, const struct view_ladder *l[2], const char *names[2],
			      char *err, size_t errlen);

#endif
