/* trace/model_event.h: the events of the packet being read: new events, phases, inferred transitions, kept or streamed together. */
#ifndef TRACE_MODEL_EVENT_H
#define TRACE_MODEL_EVENT_H

#include <stdint.h>

#include "trace/model_types.h"

struct trace_emit_ctx {
	struct trace_model *m;
	struct trace_flow *f;
};

/* Stores (or streams) the events created since the last commit. */
int trace_model_event_commit(struct trace_model *m);
/* A new event in the current batch, with the next id. */
struct trace_event *trace_model_event_new(struct trace_model *m, uint8_t type, int64_t ts_us);
void trace_model_event_phase(struct trace_flow *f, int ph, const struct trace_event *e);
/* trace_tcp_emit_fn: arg is a struct trace_emit_ctx. */
void trace_model_event_on_state(void *arg, int side, enum trace_state from, enum trace_state to,
	      int64_t ts_us, uint32_t cause);
/* Keeps one inferred transition (up to TRACE_FLOW_HIST per side; out of memory: dropped). */
void trace_model_event_hist(struct trace_flow *f, int side, enum trace_state to, int64_t ts_us);

#endif
