/* view/render_opts.h: the options every ladder format shares (text, SVG, Mermaid, HTML). */
#ifndef VIEW_RENDER_OPTS_H
#define VIEW_RENDER_OPTS_H

struct view_render_opts {
	int ascii;	/* text: pure ASCII, no box-drawing characters */
	int color;	/* text: ANSI colours (a terminal, NO_COLOR unset) */
	int notes;	/* show each event's `note` */
};

#endif
