/* trace/jsonout.c: writing traces: the document piece by piece, and JSON lines. */
#include "trace/jsonout.h"

#include <errno.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>

#include "trace/json.h"
#include "trace/model_store.h"

#ifndef HELLO_VERSION
#define HELLO_VERSION "0.0.0"
#endif

size_t trace_json_dump_line(struct trace_dumpbuf *b, const json_t *v)
{
	size_t n = v ? json_dumpb(v, b->p, b->cap, JSON_COMPACT) : 0;

	if (n == 0)
		return 0;
	if (n + 1 > b->cap) {
		size_t nc = b->cap ? b->cap : 4096;
		while (nc < n + 1)
			nc *= 2;
		char *np = realloc(b->p, nc);
		if (!np)
			return 0;
		b->p = np;
		b->cap = nc;
		if (json_dumpb(v, b->p, b->cap, JSON_COMPACT) != n)
			return 0;
	}
	b->p[n] = '\n';
	return n + 1;
}

/* Writes one value on its own line; *first says whether a comma goes before it. */
static int put_item(FILE *f, struct trace_dumpbuf *b, json_t *v, int *first)
{
	size_t n = trace_json_dump_line(b, v);
	int rc = n && fputs(*first ? "\n" : ",\n", f) != EOF && fwrite(b->p, 1, n - 1, f) == n - 1 ? 0 : -1;

	*first = 0;
	json_decref(v);
	return rc;
}

/* One end of one flow, in the order the document lists them (flow by flow, client first). */
struct ep_ent {
	struct trace_endpoint ep;
	uint32_t order;		/* 2 * flow index + side */
};

/* The same end in the same role: role (the order's low bit), family, address, port. */
static int ep_key_cmp(const struct ep_ent *x, const struct ep_ent *y)
{
	int c;

	if ((x->order & 1) != (y->order & 1))
		return (x->order & 1) < (y->order & 1) ? -1 : 1;
	if (x->ep.addr.family != y->ep.addr.family)
		return x->ep.addr.family < y->ep.addr.family ? -1 : 1;
	if ((c = memcmp(x->ep.addr.a, y->ep.addr.a, sizeof(x->ep.addr.a))) != 0)
		return c;
	if (x->ep.port != y->ep.port)
		return x->ep.port < y->ep.port ? -1 : 1;
	return 0;
}

static int ep_cmp(const void *a, const void *b)
{
	const struct ep_ent *x = a, *y = b;
	int c = ep_key_cmp(x, y);

	return c ? c : x->order < y->order ? -1 : x->order > y->order;
}

/* "endpoints": each (role, address, port) once, at its first appearance, up to
 * TRACE_ENDPOINTS_MAX. Sorting the ends
 * finds the repeats with 32 bytes per end; a JSON object as the set took hundreds. */
static int put_endpoints(const struct trace_model *m, FILE *f, struct trace_dumpbuf *b)
{
	size_t n = 2 * m->nflows;
	struct ep_ent *v = n ? malloc(n * sizeof(*v)) : NULL;
	uint32_t *at = n ? malloc(n * sizeof(*at)) : NULL;	/* order -> place in v */
	uint8_t *dup = n ? calloc(n, 1) : NULL;
	int rc = -1, first = 1;

	if (n && (!v || !at || !dup))
		goto out;
	for (size_t i = 0; i < n; i += 2) {
		struct trace_endpoint ep[2];
		if (trace_model_flow_ends(m, i / 2, ep) < 0)	/* an evicted flow's, read back */
			goto out;
		for (int s = 0; s < 2; s++) {
			v[i + s].ep = ep[s];
			if (ep[s].addr.family == AF_INET)	/* IPv4 is the first 4 bytes: the rest must not count */
				memset(v[i + s].ep.addr.a + 4, 0, sizeof(ep[s].addr.a) - 4);
			v[i + s].order = (uint32_t)(i + s);
		}
	}
	if (n)
		qsort(v, n, sizeof(*v), ep_cmp);
	for (size_t i = 0; i < n; i++) {
		at[v[i].order] = (uint32_t)i;
		if (i && ep_key_cmp(&v[i], &v[i - 1]) == 0)
			dup[v[i].order] = 1;	/* the same end as the one before, listed later */
	}
	rc = fputs(",\"endpoints\":[", f) == EOF ? -1 : 0;
	for (size_t i = 0, listed = 0; i < n && rc == 0 && listed < TRACE_ENDPOINTS_MAX; i++) {
		if (dup[i])
			continue;
		listed++;
		json_t *e = trace_json_endpoint(&v[at[i]].ep, (int)(i % 2));
		size_t len = trace_json_dump_line(b, e);
		json_decref(e);
		if (!len || (!first && fputc(',', f) == EOF) || fwrite(b->p, 1, len - 1, f) != len - 1)
			rc = -1;
		first = 0;
	}
	if (rc == 0 && fputc(']', f) == EOF)
		rc = -1;
out:
	free(v);
	free(at);
	free(dup);
	return rc;
}

/* The same document as trace_json_document, written piece by piece (one flow and one
 * event per line) so that memory holds one event's JSON at a time, not the whole tree. */
int trace_json_write_document(const struct trace_model *m, FILE *f, char *err, size_t errlen)
{
	json_t *head = json_object();
	struct trace_dumpbuf b = { NULL, 0 };
	struct trace_jsonev enc;
	struct trace_jsonflow flows;
	int first, rc = 0;

	memset(&enc, 0, sizeof(enc));
	memset(&flows, 0, sizeof(flows));

	json_object_set_new(head, "format", json_string("hellolab-trace"));
	json_object_set_new(head, "format_version", json_integer(TRACE_FORMAT_VERSION));
	json_object_set_new(head, "tool", json_pack("{s:s,s:s}", "name", "hello-trace", "version", HELLO_VERSION));
	json_object_set_new(head, "capture", trace_json_capture(m));
	char *text = json_dumps(head, JSON_COMPACT);
	json_decref(head);
	if (!text)
		goto fail;
	text[strlen(text) - 1] = '\0';	/* drop the closing brace: endpoints, flows and events follow */
	rc = fputs(text, f) == EOF ? -1 : 0;
	free(text);
	rc |= put_endpoints(m, f, &b);
	rc |= fputs(",\n\"flows\": [", f) == EOF;
	first = 1;
	for (size_t i = 0; i < m->nflows && rc == 0; i++) {
		struct trace_flow scratch;
		const struct trace_flow *fl = trace_model_flow(m, i, &scratch);
		if (!fl) {
			rc = -1;
			break;
		}
		rc = put_item(f, &b, trace_jsonflow_get(&flows, m, fl), &first);
		trace_model_flow_done(fl, &scratch);
	}
	rc |= fputs("],\n\"events\": [", f) == EOF;
	first = 1;
	for (size_t i = 0; i < m->nev && rc == 0; i++) {
		struct trace_event e;
		trace_model_event_get(m, i, &e);
		rc = put_item(f, &b, trace_jsonev_get(&enc, m, &e), &first);
	}
	rc |= fputs("\n]}\n", f) == EOF;
	free(b.p);
	trace_jsonev_free(&enc);
	trace_jsonflow_free(&flows);
	if (rc == 0)
		return 0;
fail:
	if (m->spill && m->spill->error)
		snprintf(err, errlen, "write trace: the evicted flows' file in %s: %s", m->o.spill_dir,
			 strerror(m->spill->error));
	else
		snprintf(err, errlen, "write trace: %s", errno ? strerror(errno) : "out of memory");
	return -1;
}

/* ---- JSON lines ---- */

static void jsonl_line(struct trace_jsonl *w, json_t *o)
{
	struct trace_dumpbuf b = { w->buf, w->cap };
	size_t n = trace_json_dump_line(&b, o);

	w->buf = b.p;
	w->cap = b.cap;
	if (!n || fwrite(w->buf, 1, n, w->f) != n)
		w->error = 1;
	json_decref(o);
}

/* A live stream is not flushed per event (a write(2) each, ~3 per packet): the capture
 * tick flushes it (trace_jsonl_flush, every 50 ms) and the summary ends it. */
static void jsonl_event(void *arg, const struct trace_model *m, const struct trace_event *e)
{
	struct trace_jsonl *w = arg;
	/* Its number n is its place among the event lines: not written (docs/trace-format.md). */
	jsonl_line(w, trace_jsonev_get(&w->ev, m, e));
}

static int jsonl_flow(void *arg, const struct trace_model *m, struct trace_flow *f)
{
	struct trace_jsonl *w = arg;

	trace_json_add_endpoints(w->endpoints, w->endpoint_keys, f, TRACE_ENDPOINTS_MAX);
	json_t *o = trace_jsonflow_get(&w->flows, m, f);

	if (!w->flow_line)
		w->flow_line = json_pack("{s:s,s:n}", "type", "flow", "flow");
	if (!o || !w->flow_line || json_object_set_new_nocheck(w->flow_line, "flow", o) < 0) {
		w->error = 1;
		return 0;
	}
	jsonl_line(w, json_incref(w->flow_line));
	return 0;
}

void trace_jsonl_init(struct trace_jsonl *w, FILE *f)
{
	memset(w, 0, sizeof(*w));
	w->f = f;
	w->endpoints = json_array();
	w->endpoint_keys = json_object();
	w->sink.arg = w;
	w->sink.event = jsonl_event;
	w->sink.flow = jsonl_flow;
}

int trace_jsonl_header(struct trace_jsonl *w, const struct trace_model *m)
{
	jsonl_line(w, json_pack("{s:s,s:s,s:i,s:{s:s,s:s},s:o}", "type", "header",
				"format", "hellolab-trace", "format_version", TRACE_FORMAT_VERSION,
				"tool", "name", "hello-trace", "version", HELLO_VERSION,
				"capture", trace_json_capture_setup(m)));
	fflush(w->f);
	return w->error ? -1 : 0;
}

int trace_jsonl_summary(struct trace_jsonl *w, const struct trace_model *m)
{
	jsonl_line(w, json_pack("{s:s,s:o,s:O}", "type", "summary", "capture", trace_json_capture(m),
				"endpoints", w->endpoints));
	return w->error ? -1 : 0;
}

int trace_jsonl_flush(struct trace_jsonl *w)
{
	if (w->f && fflush(w->f) == EOF)
		w->error = 1;
	return w->error ? -1 : 0;
}

void trace_jsonl_free(struct trace_jsonl *w)
{
	free(w->buf);
	w->buf = NULL;
	w->cap = 0;
	trace_jsonev_free(&w->ev);
	trace_jsonflow_free(&w->flows);
	json_decref(w->flow_line);
	w->flow_line = NULL;
	json_decref(w->endpoints);
	json_decref(w->endpoint_keys);
	w->endpoints = w->endpoint_keys = NULL;
}
