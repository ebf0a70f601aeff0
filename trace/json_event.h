/* trace/json_event.h: one event as JSON (docs/trace-format.md "events"): built new, or filled into reused objects. */
#ifndef TRACE_JSON_EVENT_H
#define TRACE_JSON_EVENT_H

#include <jansson.h>

#include "trace/model_types.h"

/* A new object for event e (indexes through trace_model_event_index). */
json_t *trace_json_event(const struct trace_model *m, const struct trace_event *e);

/* The same JSON, made without allocating per event: one object per set of keys (an event's
 * "shape") is kept and its values overwritten, so that a long capture costs jansson's dump
 * and no malloc/free. The object returned is a new reference
 * the caller decrefs, valid until the next call: dump it at once. NULL: out of memory. */
#define TRACE_JSONEV_SHAPES 64
#define TRACE_JSONEV_STRS 256
struct trace_jsonev {
	struct trace_jsonev_shape *shape[TRACE_JSONEV_SHAPES];
	struct { const char *s; json_t *v; } str[TRACE_JSONEV_STRS];	/* ASCII constants by address */
	json_t *flags[256];		/* "flags" of each TCP flag byte */
};
json_t *trace_jsonev_get(struct trace_jsonev *c, const struct trace_model *m, const struct trace_event *e);
void trace_jsonev_free(struct trace_jsonev *c);

/* Pieces the flows share: TCP options (with tsval/tsecr or not), an {addr, port} object. */
json_t *trace_json_tcp_options(const struct trace_tcpopt *t, int with_ts_values);
json_t *trace_json_addr(const struct trace_endpoint *e, int with_port);

#endif
