/* trace/json.c: the trace model as jansson objects (docs/trace-format.md), a document or JSON lines. */
#include "trace/json.h"

#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "trace/model_drop.h"
#include "trace/model_kernel.h"
#include "trace/model_store.h"

#ifndef HELLO_VERSION
#define HELLO_VERSION "0.0.0"
#endif

static const char *side_names[] = { "client", "server" };

/* jansson's setters steal the reference; NULL values are simply skipped. Every key here is
 * an ASCII literal: jansson's UTF-8 check of each key, on every event, is skipped. */
static void set(json_t *o, const char *k, json_t *v)
{
	if (v)
		json_object_set_new_nocheck(o, k, v);
}

/* A string the tracer made itself (names, flags, addresses, escaped previews): ASCII by
 * construction, so jansson need not check it. What a user or the kernel named (interface,
 * file, filter, notes) still goes through json_string. */
static json_t *ascii(const char *s)
{
	return json_string_nocheck(s);
}

static void set_int(json_t *o, const char *k, int64_t v)
{
	set(o, k, json_integer((json_int_t)v));
}

/* ---- flows ---- */

/* A flow as a tree of its own (trace_json_document keeps them all): the kept objects of
 * trace/json_flow.c, copied. */
json_t *trace_json_flow(const struct trace_model *m, const struct trace_flow *f)
{
	struct trace_jsonflow c;
	json_t *o, *copy;

	memset(&c, 0, sizeof(c));
	o = trace_jsonflow_get(&c, m, f);
	copy = o ? json_deep_copy(o) : NULL;
	json_decref(o);
	trace_jsonflow_free(&c);
	return copy;
}

/* ---- capture, endpoints, document ---- */

/* The start as ISO 8601 text and as microseconds since the epoch; the latter omitted when
 * they overflow 64 bits (a pcapng can say a time 500,000 years away). */
static void set_start(json_t *o, const struct trace_capture_info *c)
{
	struct trace_tstamp t;
	char buf[TRACE_TSTAMP_ISO_MAX];
	int64_t us;

	if (trace_tstamp_at(c->origin_s, c->start_us, &t) < 0)
		return;
	trace_tstamp_iso(&t, buf, sizeof(buf));
	set(o, "start_time", ascii(buf));
	if (trace_tstamp_epoch_us(&t, &us) == 0)
		set_int(o, "start_us", us);
}

static json_t *str_array(char **v, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

/* What is known before the first packet: enough for a streaming header. */
json_t *trace_json_capture_setup(const struct trace_model *m)
{
	const struct trace_capture_info *c = &m->cap;
	json_t *o = json_object();

	set(o, "source", json_string(c->live ? "live" : "file"));
	if (c->interface)
		set(o, "interface", json_string(c->interface));
	if (c->file)
		set(o, "file", json_string(c->file));
	if (c->filter)
		set(o, "filter", json_string(c->filter));
	set_int(o, "snaplen", c->snaplen);
	if (c->linktype)
		set(o, "linktype", json_string(c->linktype));
	return o;
}

json_t *trace_json_capture(const struct trace_model *m)
{
	const struct trace_capture_info *c = &m->cap;
	json_t *o = trace_json_capture_setup(m);

	if (c->have_start)
		set_start(o, c);
	set_int(o, "duration_us", c->have_start ? c->last_us - c->min_us : 0);
	set_int(o, "packets_seen", (int64_t)c->packets_seen);
	if (c->have_stats) {
		set_int(o, "packets_dropped", (int64_t)c->packets_dropped);
		set_int(o, "packets_if_dropped", (int64_t)c->packets_if_dropped);
	}
	set_int(o, "packets_truncated", (int64_t)c->packets_truncated);
	set_int(o, "packets_invalid", (int64_t)c->packets_invalid);
	set_int(o, "flows_evicted", (int64_t)m->table.evicted);
	json_t *s = json_object();
	set(s, "inferred", json_true());
	set(s, "tracepoint", json_boolean(c->tracepoint));
	set(s, "sock_diag", json_boolean(c->sock_diag));
	set(s, "notes", str_array(c->notes, c->nnotes));
	set(o, "state_sources", s);
	if (c->nnetns)
		set(o, "netns", str_array(c->netns, c->nnetns));
	if (c->stop_reason)
		set(o, "stop_reason", json_string(c->stop_reason));
	int group;
	uint64_t logged, matched;
	if (trace_model_drop_stats(m, &group, &logged, &matched) == 0)
		set(o, "drop_log", json_pack("{s:i,s:I,s:I}", "nflog_group", group, "logged", (json_int_t)logged,
					     "matched", (json_int_t)matched));
	return o;
}

/* Adds the flow's two ends to a list of unique {addr, port, role}. seen, an object used
 * as a set keyed "role addr port", finds duplicates at once: comparing with every entry
 * made a capture of 50,000 flows take minutes. */
void trace_json_add_endpoints(json_t *list, json_t *seen, const struct trace_flow *f, size_t max)
{
	char key[TRACE_ADDRSTRLEN + 32], buf[TRACE_ADDRSTRLEN];

	for (int s = 0; s < 2 && json_array_size(list) < max; s++) {
		snprintf(key, sizeof(key), "%s %s %u", side_names[s],
			 trace_addr_str(&f->ep[s].addr, buf, sizeof(buf)), (unsigned)f->ep[s].port);
		if (json_object_get(seen, key))
			continue;
		json_object_set_new(seen, key, json_true());
		json_array_append_new(list, trace_json_endpoint(&f->ep[s], s));
	}
}

json_t *trace_json_endpoint(const struct trace_endpoint *ep, int side)
{
	json_t *e = trace_json_addr(ep, 1);

	set(e, "role", ascii(side_names[side]));
	return e;
}

json_t *trace_json_document(const struct trace_model *m)
{
	json_t *d = json_object(), *eps = json_array(), *flows = json_array(), *evs = json_array();

	set(d, "format", json_string("hellolab-trace"));
	set_int(d, "format_version", TRACE_FORMAT_VERSION);
	set(d, "tool", json_pack("{s:s,s:s}", "name", "hello-trace", "version", HELLO_VERSION));
	set(d, "capture", trace_json_capture(m));
	json_t *seen = json_object();
	for (size_t i = 0; i < m->nflows; i++) {
		struct trace_flow scratch;
		const struct trace_flow *f = trace_model_flow(m, i, &scratch);
		if (!f) {
			json_decref(seen), json_decref(eps), json_decref(flows), json_decref(evs);
			json_decref(d);
			return NULL;
		}
		trace_json_add_endpoints(eps, seen, f, (size_t)-1);
		json_array_append_new(flows, trace_json_flow(m, f));
		trace_model_flow_done(f, &scratch);
	}
	json_decref(seen);
	for (size_t i = 0; i < m->nev; i++) {
		struct trace_event e;
		trace_model_event_get(m, i, &e);
		json_array_append_new(evs, trace_json_event(m, &e));
	}
	set(d, "endpoints", eps);
	set(d, "flows", flows);
	set(d, "events", evs);
	return d;
}
