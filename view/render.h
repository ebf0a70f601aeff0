/* view/render.h: `hello-trace render`: ladder diagrams from a trace.json, and the options every format shares. */
#ifndef VIEW_RENDER_H
#define VIEW_RENDER_H

/* Runs the render subcommand; argv[0] is "render". Returns the process exit code. */
int view_render_main(int argc, char **argv);

struct view_render_opts {
	int ascii;	/* text: pure ASCII, no box-drawing characters */
	int color;	/* text: ANSI colours (a terminal, NO_COLOR unset) */
	int notes;	/* show each event's `note` */
};

#endif
