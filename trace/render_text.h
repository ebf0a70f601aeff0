/* trace/render_text.h: the ladder as text for an 80-column terminal. */
#ifndef TRACE_RENDER_TEXT_H
#define TRACE_RENDER_TEXT_H

#include <stdio.h>
#include "trace/ladder.h"
#include "trace/render.h"

#define TRACE_RENDER_TEXT_COLS 80

/* Writes every flow's ladder. Returns 0, or -1 with err filled (a write failed). */
int trace_render_text(FILE *out, const struct trace_ladder *l, const struct trace_render_opts *o,
		      char *err, size_t errlen);

/* Writes the figures of a compare, one line each (packets, bytes, time to first reply). */
int trace_render_text_compare(FILE *out, const struct trace_ladder *l[2], const char *names[2],
			      char *err, size_t errlen);

#endif
