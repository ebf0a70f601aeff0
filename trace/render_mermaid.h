/* trace/render_mermaid.h: the ladder as a Mermaid sequenceDiagram. */
#ifndef TRACE_RENDER_MERMAID_H
#define TRACE_RENDER_MERMAID_H

#include <stdio.h>
#include "trace/ladder.h"
#include "trace/render.h"

/* Writes one sequenceDiagram per flow (blank line between). Returns 0, or -1 with err filled. */
int trace_render_mermaid(FILE *out, const struct trace_ladder *l, const struct trace_render_opts *o,
			 char *err, size_t errlen);

/* Writes s with the characters Mermaid reads as syntax written as #NN; entity codes. */
void trace_render_mermaid_escape(FILE *out, const char *s);

#endif
