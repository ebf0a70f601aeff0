/* view/render.h: `hello-trace render`: ladder diagrams from a trace.json in the format asked for. */
#ifndef VIEW_RENDER_H
#define VIEW_RENDER_H

/* Runs the render subcommand; argv[0] is "render". Returns the process exit code. */
int view_render_main(int argc, char **argv);

#endif
