/* tests/fuzz/fuzz_offline.c: libFuzzer harness: a pcap file's bytes through capture, model, JSON and the renderers. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "trace/capture.h"
#include "trace/feed.h"
#include "trace/json.h"
#include "trace/jsonout.h"
#include "trace/model.h"
#include "trace/model_flow.h"
#include "view/ladder.h"
#include "view/render_html.h"
#include "view/render_mermaid.h"
#include "view/render_opts.h"
#include "view/render_svg.h"
#include "view/render_text.h"

/* One memfd reused for every input: the path /proc/self/fd/N goes through the same
 * pcap_open_offline as `hello-trace -r`, pcapng included. */
static int fuzz_fd = -1;
static char fuzz_path[64];
static FILE *fuzz_null;

static int fuzz_setup(void)
{
	if (fuzz_fd >= 0)
		return 0;
	fuzz_fd = memfd_create("fuzz_offline", 0);
	fuzz_null = fopen("/dev/null", "w");
	if (fuzz_fd < 0 || !fuzz_null)
		return -1;
	snprintf(fuzz_path, sizeof(fuzz_path), "/proc/self/fd/%d", fuzz_fd);
	return 0;
}

static int fuzz_load(const uint8_t *data, size_t size)
{
	if (ftruncate(fuzz_fd, 0) < 0 || lseek(fuzz_fd, 0, SEEK_SET) < 0)
		return -1;
	while (size > 0) {
		ssize_t w = write(fuzz_fd, data, size);
		if (w <= 0)
			return -1;
		data += w, size -= (size_t)w;
	}
	return 0;
}

/* The renderers read back what the JSON layer wrote: any document the tracer makes must
 * draw without a crash in every format. */
static void fuzz_render(json_t *doc)
{
	struct view_ladder l;
	struct view_render_opts ro = { 0, 0, 1 };
	char err[256];

	memset(&l, 0, sizeof(l));
	if (view_ladder_build(doc, 0, &l, err, sizeof(err)) < 0)
		abort();	/* the tracer's own output must be drawable */
	view_render_text(fuzz_null, &l, &ro, err, sizeof(err));
	ro.ascii = 1;
	view_render_text(fuzz_null, &l, &ro, err, sizeof(err));
	view_render_svg(fuzz_null, &l, &ro, err, sizeof(err));
	view_render_mermaid(fuzz_null, &l, &ro, err, sizeof(err));
	view_render_html(fuzz_null, &l, &ro, err, sizeof(err));
	view_ladder_free(&l);
}

/* One pass: document mode (the default flow limit) or JSON lines with a tiny limit, so
 * eviction and streaming are exercised on every input. */
static void fuzz_pass(int jsonl)
{
	struct trace_capture_opts co = { 0 };
	struct trace_capture cap;
	struct trace_jsonl w;
	struct trace_model *m = NULL;
	char err[512];

	co.file = fuzz_path;
	trace_jsonl_init(&w, fuzz_null);
	if (trace_capture_open(&cap, &co, err, sizeof(err)) < 0)
		goto out;	/* not a pcap, or an unsupported link type: a clean error */
	struct trace_model_opts mo = { jsonl ? 2 : 0, 0, jsonl ? &w.sink : NULL, NULL };
	if (!(m = trace_model_new(&mo, err, sizeof(err))))
		abort();
	trace_model_set_capture(m, 0, "fuzz.pcap", NULL, cap.o.snaplen, cap.dlt, cap.linktype);
	if (jsonl && trace_jsonl_header(&w, m) < 0)
		abort();
	struct trace_feed feed;
	trace_feed_init(&feed, m);	/* offline: straight into the model, no thread */
	int ran = trace_capture_run(&cap, &feed, NULL, err, sizeof(err));
	trace_feed_free(&feed);
	if (ran < 0)
		goto close;	/* a damaged file ends the read with an error; never a crash */
	if (trace_model_finish(m) < 0)
		abort();
	if (jsonl) {
		if (trace_jsonl_summary(&w, m) < 0)
			abort();
	} else {
		json_t *doc = trace_json_document(m);
		if (!doc)
			abort();
		char *text = json_dumps(doc, JSON_COMPACT);
		json_t *back = text ? json_loads(text, 0, NULL) : NULL;
		if (!back || json_object_size(back) != 7)
			abort();	/* the document round-trips with its seven fields */
		json_decref(back);
		free(text);
		fuzz_render(doc);
		json_decref(doc);
	}
close:
	trace_capture_close(&cap, err, sizeof(err));
out:
	trace_model_free(m);
	trace_jsonl_free(&w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 1 << 20 || fuzz_setup() < 0 || fuzz_load(data, size) < 0)
		return 0;
	fuzz_pass(0);
	fuzz_pass(1);
	return 0;
}
