/* trace/jsonout.h: writing traces: the document piece by piece, and JSON lines. */
#ifndef TRACE_JSONOUT_H
#define TRACE_JSONOUT_H

#include <jansson.h>
#include <stdio.h>

#include "trace/json_event.h"
#include "trace/json_flow.h"
#include "trace/model.h"

/* stdio's default buffer is 4 KiB: a write(2) per ~13 lines. The output file's buffer
 * (core/file.h); live streams are flushed on the capture tick anyway. */
#define TRACE_OUT_BUFFER (256 * 1024)

/* One reused buffer: json_dumpb into it, then one fwrite per line. json_dumpf would write
 * every token through stdio (a lock and a call each), which was a quarter of the CPU. */
struct trace_dumpbuf {
	char *p;
	size_t cap;
};
/* Serialises v compactly followed by '\n' into b; returns the length, 0 on failure. */
size_t trace_json_dump_line(struct trace_dumpbuf *b, const json_t *v);

/* The whole document from a model that kept every event (--events, --notes, kernel sources). */
int trace_json_write_document(const struct trace_model *m, FILE *f, char *err, size_t errlen);

/* "endpoints" lists at most this many (every flow names its own ends): a document written
 * as it goes keeps the list in memory until its end. */
#define TRACE_ENDPOINTS_MAX 1024

/* Streaming: a header line, every event as it completes, the flows, a summary line. */
struct trace_jsonl {
	FILE *f;
	int error;
	json_t *endpoints;	/* collected from the flows, which are freed once written */
	json_t *endpoint_keys;	/* the set trace_json_add_endpoints checks for duplicates */
	struct trace_sink sink;	/* pass &sink in trace_model_opts */
	struct trace_jsonev ev;	/* the events' reused objects */
	struct trace_jsonflow flows;	/* the flows' kept objects */
	json_t *flow_line;	/* {"type":"flow","flow":...}, kept */
	char *buf;		/* each line is dumped here, then written with one fwrite */
	size_t cap;
};
void trace_jsonl_init(struct trace_jsonl *w, FILE *f);
int trace_jsonl_header(struct trace_jsonl *w, const struct trace_model *m);
int trace_jsonl_summary(struct trace_jsonl *w, const struct trace_model *m);
/* Pushes what stdio holds to the reader (live: on every capture tick). 0 or -1. */
int trace_jsonl_flush(struct trace_jsonl *w);
void trace_jsonl_free(struct trace_jsonl *w);

#endif
