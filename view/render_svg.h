/* view/render_svg.h: the ladder as standalone SVG, and one flow's <svg> for embedding in HTML. */
#ifndef VIEW_RENDER_SVG_H
#define VIEW_RENDER_SVG_H

#include <stdio.h>
#include "view/ladder.h"
#include "view/render_opts.h"

/* Writes a standalone SVG document holding every flow's ladder, one under the other.
 * Returns 0, or -1 with err filled. */
int view_render_svg(FILE *out, const struct view_ladder *l, const struct view_render_opts *o,
		     char *err, size_t errlen);

/* Writes one flow's ladder as an <svg> element for the HTML report (no XML declaration,
 * no title or summary: the page prints those); element ids start
 * with idp so several can share one HTML page. Arrows and state marks carry
 * data-event="N", the index of their event. Returns 0, or -1 when out of memory. */
int view_render_svg_flow(FILE *out, const struct view_ladder_flow *f, const char *idp,
			  const struct view_render_opts *o);

/* Writes s escaped for XML text or attribute values (&, <, >, quotes; other control bytes dropped). */
void view_render_svg_escape(FILE *out, const char *s);

#endif
