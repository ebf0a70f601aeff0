/* trace/jsonout.h: writing traces: the document piece by piece, and JSON lines. */
#ifndef TRACE_JSONOUT_H
#define TRACE_JSONOUT_H

#include <jansson.h>
#include <stdio.h>

#include "trace/model.h"

/* stdio's default buffer is 4 KiB: a write(2) per ~13 lines. The output file's buffer
 * (core/file.h); live streams are flushed on the capture tick anyway. */
#define TRACE_OUT_BUFFER (256 * 1024)

int trace_json_write_document(const struct trace_model *m, FILE *f, char *err, size_t errlen);

/* Streaming: a header line, every event as it completes, the flows, a summary line. */
#define TRACE_JSONL_ENDPOINTS 1024
struct trace_jsonl {
	FILE *f;
	int error;
	json_t *endpoints;	/* collected from the flows, which are freed once written */
	json_t *endpoint_keys;	/* the set trace_json_add_endpoints checks for duplicates */
	struct trace_sink sink;	/* pass &sink in trace_model_opts */
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
