/* trace/jsondoc.h: the document (trace.json) written as the capture goes: events in time order through a bounded window, then flows, endpoints, capture. */
#ifndef TRACE_JSONDOC_H
#define TRACE_JSONDOC_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "trace/flowspill.h"
#include "trace/jsonout.h"
#include "trace/model.h"

/* Events are written once JSONDOC_WINDOW (1024) newer ones have come, smallest time first (ties
 * in the order they were made), so that an event made late with an earlier time (a
 * deferred state change, a packet that went back in time) still takes its place; memory
 * holds the window, the live flows (--max-flows) and a fixed table, whatever the length of
 * the capture (docs/trace-format.md, "Memory"). Finished flows wait as JSON text in an
 * unlinked temporary file until the events are all written. */
#define JSONDOC_WINDOW 1024
#define JSONDOC_POOL (2 * JSONDOC_WINDOW)
#define JSONDOC_RING (1u << 18)		/* index of the ids written lately */

struct jsondoc_slot;
struct trace_jsondoc {
	FILE *f;
	int error;			/* sticky: a write failed, or out of memory */
	struct trace_model *m;
	struct trace_sink sink;		/* pass &sink in trace_model_opts */
	struct trace_jsonev enc;
	struct trace_jsonflow flowenc;	/* the flows' kept objects */
	struct trace_dumpbuf b;
	struct jsondoc_slot *slot;	/* JSONDOC_POOL events: in the window, or waiting to be written */
	struct jsondoc_key { int64_t ts_us; uint32_t id, slot; } *win;	/* the window, by time */
	size_t win_head, nwin;
	uint32_t *free_slots, *fifo;
	size_t nfree, fifo_head, nfifo;
	struct jsondoc_ring { uint32_t id, idx; } *ring;
	uint64_t nreleased, nwritten;
	struct trace_flow *cur;		/* the flow being written: its moved events */
	struct trace_flowspill flows;	/* finished flows, as JSON text */
	uint64_t nflows;
	struct trace_flow **pend;	/* finished flows whose events are not all written */
	size_t npend, cap_pend;
	int ending;
	json_t *endpoints, *endpoint_keys;
};

/* Opens the flows' temporary file in tmpdir; 0, or -1 with err. */
int trace_jsondoc_init(struct trace_jsondoc *d, FILE *f, const char *tmpdir, char *err, size_t errlen);
/* The model to write (made with &d->sink), before its first event: writes the head. */
int trace_jsondoc_start(struct trace_jsondoc *d, struct trace_model *m);
/* Call before trace_model_finish: the flows it ends are written in id order. */
void trace_jsondoc_ending(struct trace_jsondoc *d);
/* After trace_model_finish: the rest of the events, the flows, endpoints and capture. */
int trace_jsondoc_end(struct trace_jsondoc *d, char *err, size_t errlen);
void trace_jsondoc_free(struct trace_jsondoc *d);

#endif
