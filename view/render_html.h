/* view/render_html.h: the self-contained HTML report (ladder, flow summaries and facts, event details), and the compare page. */
#ifndef VIEW_RENDER_HTML_H
#define VIEW_RENDER_HTML_H

#include <stdio.h>
#include "view/ladder.h"
#include "view/render_opts.h"

/* Writes one HTML page for one trace. Returns 0, or -1 with err filled. */
int view_render_html(FILE *out, const struct view_ladder *l, const struct view_render_opts *o,
		      char *err, size_t errlen);

/* Writes the compare page: both traces' ladders side by side, the figures of core/measure
 * (those `hello-lab compare` prints) as a table and the main ones as bars. names label the
 * two columns. */
int view_render_html_compare(FILE *out, const struct view_ladder *l[2], const char *names[2],
			      const struct view_render_opts *o, char *err, size_t errlen);

#endif
