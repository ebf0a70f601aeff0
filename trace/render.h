/* trace/render.h: `hello-trace render`: ladder diagrams from a trace.json. */
#ifndef TRACE_RENDER_H
#define TRACE_RENDER_H

/* Runs the render subcommand; argv[0] is "render". Returns the process exit code. */
int trace_render_main(int argc, char **argv);

#endif
