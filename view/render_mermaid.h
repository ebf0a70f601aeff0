/* view/render_mermaid.h: the ladder as a Mermaid sequenceDiagram. */
#ifndef VIEW_RENDER_MERMAID_H
#define VIEW_RENDER_MERMAID_H

#include <stdio.h>
#include "view/ladder.h"
#include "view/render_opts.h"

/* Writes one sequenceDiagram per flow (blank line between). Returns 0, or -1 with err filled. */
int view_render_mermaid(FILE *out, const struct view_ladder *l, const struct view_render_opts *o,
			 char *err, size_t errlen);

/* Writes s with the characters Mermaid reads as syntax written as #NN; entity codes. */
void view_render_mermaid_escape(FILE *out, const char *s);

#endif
