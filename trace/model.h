/* trace/model.h: the trace being built: capture facts, flows, and the events (packets and state changes). */
#ifndef TRACE_MODEL_H
#define TRACE_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "trace/model_types.h"

struct trace_model *trace_model_new(const struct trace_model_opts *o, char *err, size_t errlen);
void trace_model_free(struct trace_model *m);

/* What is captured: live on `name` (an interface) or from a file. */
int trace_model_set_capture(struct trace_model *m, int live, const char *name, const char *filter,
			    int snaplen, int dlt, const char *linktype);

/* capture.state_sources: which kernel views were available, and why not. */
void trace_model_set_state_sources(struct trace_model *m, int tracepoint, int sock_diag);
int trace_model_add_note(struct trace_model *m, const char *note);
int trace_model_add_netns(struct trace_model *m, const char *name);
void trace_model_set_stats(struct trace_model *m, uint64_t dropped, uint64_t if_dropped);
void trace_model_set_stop_reason(struct trace_model *m, const char *reason);


/* Flow i of a document (0 <= i < m->nflows): in memory, or read back from the spill file
 * into *scratch. NULL when it cannot be read (m->spill->error says why). Give it back with
 * trace_model_flow_done. */
const struct trace_flow *trace_model_flow(const struct trace_model *m, size_t i, struct trace_flow *scratch);
void trace_model_flow_done(const struct trace_flow *f, struct trace_flow *scratch);
/* Only the two ends of flow i; 0 or -1 (as trace_model_flow). */
int trace_model_flow_ends(const struct trace_model *m, size_t i, struct trace_endpoint ep[2]);


/* Position of event id in the finished document (the id itself in streaming mode). */
int64_t trace_model_event_index(const struct trace_model *m, int64_t id);

#endif
