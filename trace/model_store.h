/* trace/model_store.h: finished events kept compactly for the document, and given back whole. */
#ifndef TRACE_MODEL_STORE_H
#define TRACE_MODEL_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "trace/model_types.h"

/* Event i of a document (0 <= i < m->nev), whole; its preview points into m. */
void trace_model_event_get(const struct trace_model *m, size_t i, struct trace_event *e);

/* For model.c and model_kernel.c: */
/* Document mode: keeps a finished event compactly (trace/model_store.c); 0 or -1. */
int trace_model_store_keep(struct trace_model *m, const struct trace_event *e);
/* Rewrites the scalar fields of kept event i (a kernel event tied to its flow late). */
void trace_model_store_put(struct trace_model *m, size_t i, const struct trace_event *e);

#endif
