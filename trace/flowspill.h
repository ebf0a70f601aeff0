/* trace/flowspill.h: finished flows written out of memory to an unlinked temporary file, read back one at a time. */
#ifndef TRACE_FLOWSPILL_H
#define TRACE_FLOWSPILL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "trace/flow.h"

/* A document lists every flow, but a flow evicted by --max-flows is final: its record
 * (the struct and the lists trace_json_flow reads) waits in the file until the document is
 * written, so memory holds the live flows only. */
struct trace_flowspill {
	FILE *f;
	uint64_t size;		/* bytes written: the next record's offset */
	int dirty;		/* written since the last flush */
	int error;		/* errno of the first failure, 0 none; sticky */
};

/* Creates the file in dir (made and unlinked at once: nothing is left behind). */
int trace_flowspill_open(struct trace_flowspill *s, const char *dir, char *err, size_t errlen);
/* Writes finished flow f; *off is where its record starts. 0, or -1 (s->error). */
int trace_flowspill_put(struct trace_flowspill *s, const struct trace_flow *f, uint64_t *off);
/* Reads the record at off into *f, its lists allocated (trace_flow_clear frees them). */
int trace_flowspill_get(struct trace_flowspill *s, uint64_t off, struct trace_flow *f);
/* Only the two ends (ep) of the flow at off. */
int trace_flowspill_ends(struct trace_flowspill *s, uint64_t off, struct trace_endpoint ep[2]);
void trace_flowspill_close(struct trace_flowspill *s);

#endif
