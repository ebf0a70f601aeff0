/* view/render_facts.h: the HTML report's reading aids: each flow's facts table, the sequence-number toggle, the legend of letters and marks, where time 0 lies. */
#ifndef VIEW_RENDER_FACTS_H
#define VIEW_RENDER_FACTS_H

#include <stdio.h>
#include <jansson.h>

/* The flow's facts (view/facts.c) as a table, client and server as column heads. */
void view_render_facts_table(FILE *out, json_t *flow);

/* data-isn-client / data-isn-server attributes for a flow's <section> (absolute ISNs the
 * toggle adds to the relative numbers), each only when the trace knows it. */
void view_render_facts_isn_attrs(FILE *out, json_t *flow);

/* One <p> saying what time 0 is in this trace (view_facts_origin); nothing without events. */
void view_render_facts_origin(FILE *out, json_t *root);

/* The toggle between relative (the default, as the ladders are drawn) and absolute
 * sequence numbers, and the legend: Zeek history letters, conn_state, TCP flag letters,
 * SYN options, the `*` of kernel-observed states. */
void view_render_facts_controls(FILE *out, int any_kernel);

/* The toggle's script: rewrites the ladders' seq=/ack= labels from each arrow's event and its
 * section's ISNs. Inlined after the page (no file is ever fetched). */
extern const char view_render_facts_js[];
extern const char view_render_facts_css[];

#endif
