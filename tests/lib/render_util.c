/* tests/lib/render_util.c: the renderer tests' shared steps: a ladder from inline JSON, a rendering into memory, a width check. */
#include "tests/lib/render_util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>

void tr_build(const char *doc, struct view_ladder *l)
{
	json_error_t je;
	json_t *root = json_loads(doc, 0, &je);
	char err[256];

	if (!root)
		fail_msg("fixture: line %d: %s", je.line, je.text);
	if (view_ladder_build(root, 0, l, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	json_decref(root);
}

char *tr_render_mem(tr_render_fn fn, const struct view_ladder *l, const struct view_render_opts *o)
{
	char *buf = NULL, err[256];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(fn(f, l, o, err, sizeof(err)), 0);
	assert_int_equal(fclose(f), 0);
	return buf;
}

/* UTF-8 continuation bytes take no column. */
void tr_assert_fits(const char *text, int cols)
{
	int w = 0, line = 1;

	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		if (*p == '\n') {
			w = 0, line++;
			continue;
		}
		if ((*p & 0xc0) != 0x80 && ++w > cols)
			fail_msg("line %d is wider than %d columns", line, cols);
	}
}
