/* view/render_step.h: the HTML report's step mode: its script and its style, as text to inline. */
#ifndef VIEW_RENDER_STEP_H
#define VIEW_RENDER_STEP_H

/* Inlined into the page by render_html.c (no file is ever fetched). The script expects
 * the ladders' [data-row] elements, the sections' data-flow/data-proto/data-init-*
 * attributes and the aside's step-* and st-* elements. */
extern const char view_render_step_js[];
extern const char view_render_step_css[];

#endif
