/* tests/lib/render_util.h: the renderer tests' shared steps: a ladder from inline JSON, a rendering into memory, a width check. */
#ifndef TESTS_RENDER_UTIL_H
#define TESTS_RENDER_UTIL_H

#include <stdio.h>

#include "view/ladder.h"
#include "view/render_opts.h"

typedef int (*tr_render_fn)(FILE *, const struct view_ladder *, const struct view_render_opts *, char *, size_t);

/* A ladder of every flow from a trace written in the test; fails the test when it does not build. */
void tr_build(const char *doc, struct view_ladder *l);
/* What fn draws of l, as a string to free; fails the test when fn fails. */
char *tr_render_mem(tr_render_fn fn, const struct view_ladder *l, const struct view_render_opts *o);
/* Fails the test when a line of text is wider than cols display columns (UTF-8 aware). */
void tr_assert_fits(const char *text, int cols);

#endif
