/* trace/render.c: placeholder until the renderers land (pictures issue). */
#include <stdio.h>
#include "trace/render.h"

int trace_render_main(int argc, char **argv)
{
	(void)argc, (void)argv;
	fprintf(stderr, "hello-trace render: not built yet\n");
	return 2;
}
