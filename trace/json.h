/* trace/json.h: the trace model as JSON through jansson (json.c), and writing it out (jsonout.c). */
#ifndef TRACE_JSON_H
#define TRACE_JSON_H

#include <jansson.h>
#include <stdio.h>

#include "trace/model.h"

/* The whole document of a finished model (trace_model_finish). NULL when out of memory. */
json_t *trace_json_document(const struct trace_model *m);

json_t *trace_json_event(const struct trace_model *m, const struct trace_event *e);
json_t *trace_json_flow(const struct trace_model *m, const struct trace_flow *f);
json_t *trace_json_capture(const struct trace_model *m);
/* The part of capture known before the first packet (the --jsonl header). */
json_t *trace_json_capture_setup(const struct trace_model *m);
/* Adds the flow's two ends to a list of unique {addr, port, role}, up to max entries;
 * seen is a JSON object the function keeps as the set of entries already listed. */
void trace_json_add_endpoints(json_t *list, json_t *seen, const struct trace_flow *f, size_t max);
/* One end of a flow as an entry of "endpoints": {addr, port, role}. */
json_t *trace_json_endpoint(const struct trace_endpoint *ep, int side);

/* Output to a path written as PATH.tmp and renamed when complete, or to stdout ("-" or
 * NULL): a trace is never seen half-written. */
struct trace_out {
	FILE *f;
	char *path, *tmp;
	char *buf;		/* the stream's 256 KiB buffer (a file's; stdout has its own) */
};
int trace_out_open(struct trace_out *o, const char *path, char *err, size_t errlen);
/* Flushes and, for a file, renames it into place. */
int trace_out_close(struct trace_out *o, char *err, size_t errlen);
/* Drops a half-written file (on failure). */
void trace_out_abort(struct trace_out *o);

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
