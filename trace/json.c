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
static const char *phase_names[] = { "handshake", "data", "teardown", "time_wait" };

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

static json_t *per_side(uint64_t c, uint64_t s)
{
	json_t *o = json_object();
	set_int(o, "client", (int64_t)c);
	set_int(o, "server", (int64_t)s);
	return o;
}

static int64_t rel(const struct trace_model *m, int64_t ts)
{
	return ts - m->cap.start_us;
}

static int64_t idx(const struct trace_model *m, int64_t id)
{
	return trace_model_event_index(m, id);
}

/* ---- flows ---- */

static json_t *phases(const struct trace_model *m, const struct trace_flow *f)
{
	json_t *a = json_array();

	for (int i = 0; i < TRACE_PH_N; i++) {
		const struct trace_phase *p = &f->ph[i];
		if (!p->set)
			continue;
		uint32_t first = p->first;
		int64_t start_us = p->start_us;
		/* time_wait starts where the flow's time_wait object says, whatever came first. */
		if (i == TRACE_PH_TIME_WAIT)
			trace_model_tw_start(f, &start_us, &first);
		json_t *o = json_object();
		set(o, "name", ascii(phase_names[i]));
		set_int(o, "first_event", idx(m, first));
		set_int(o, "last_event", idx(m, p->last));
		set_int(o, "start_us", rel(m, start_us));
		set_int(o, "end_us", rel(m, p->end_us));
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *side_mask(int mask)
{
	return ascii(mask == 3 ? "both" : mask == 1 ? "client" : "server");
}

static json_t *time_wait(const struct trace_model *m, const struct trace_flow *f)
{
	int kernel = f->tw_kernel != 0, side;
	int64_t start_us = 0, seen_us = INT64_MAX;
	uint32_t ev;

	if (!(side = trace_model_tw_start(f, &start_us, &ev)))
		return NULL;
	json_t *o = json_object();
	set(o, "side", side_mask(side));
	set_int(o, "start_us", rel(m, start_us));
	/* Linux keeps a time-wait socket 60 s (TCP_TIMEWAIT_LEN), whatever the RTT. */
	set_int(o, "timer_ms", kernel && f->tw_timer_ms >= 0 ? f->tw_timer_ms : 60000);
	set(o, "source", ascii(kernel ? "kernel" : "inferred"));
	if (kernel) {
		for (int s = 0; s < 2; s++)
			if (f->tw_kernel & 1 << s && f->tw_k_us[s] < seen_us)
				seen_us = f->tw_k_us[s];
		set_int(o, "kernel_seen_us", rel(m, seen_us));
	}
	if (kernel && f->tw_inferred)
		set(o, "inferred_side", side_mask(f->tw_inferred));
	return o;
}

static json_t *states(const struct trace_flow *f)
{
	json_t *o = json_object();

	for (int s = 0; s < 2; s++) {
		json_t *v = json_object();
		const struct trace_tcp_side *t = &f->tcp.s[s];
		if (t->initial != TRACE_ST_NONE)
			set(v, "initial", ascii(trace_state_name(t->initial)));
		if (t->st != TRACE_ST_NONE)
			set(v, "final", ascii(trace_state_name(t->st)));
		set(v, "source", ascii("inferred"));
		if (f->kseen[s])
			set(v, "kernel_final", ascii(trace_state_name(f->kfinal[s])));
		set(o, side_names[s], v);
	}
	return o;
}

/* Durations, not times: the same wherever t_us 0 lies. NULL without a SYN+ACK answering a SYN. */
static json_t *handshake_rtt(const struct trace_facts *x)
{
	json_t *o;

	if (!x->have_synack)
		return NULL;
	o = json_object();
	set_int(o, "syn_to_synack_us", x->synack_us - x->syn_us);
	if (x->have_ack)
		set_int(o, "syn_to_ack_us", x->ack_us - x->syn_us);
	return o;
}

static json_t *window_min(const struct trace_facts *x)
{
	json_t *o;

	if (!x->have_win[0] && !x->have_win[1])
		return NULL;
	o = json_object();
	for (int s = 0; s < 2; s++)
		if (x->have_win[s])
			set_int(o, side_names[s], (int64_t)x->win_min[s]);
	return o;
}

static void tcp_flow(const struct trace_model *m, json_t *o, const struct trace_flow *f)
{
	json_t *isn = json_object(), *opts = json_object();

	for (int s = 0; s < 2; s++) {
		if (f->tcp.s[s].isn_known)
			set_int(isn, side_names[s], f->tcp.s[s].isn);
		if (f->syn_opt_seen[s])
			set(opts, side_names[s], trace_json_tcp_options(&f->syn_opt[s], 0));
	}
	set(o, "isn", isn);
	set(o, "options", opts);
	set(o, "handshake_rtt", handshake_rtt(&f->facts));
	set(o, "window_min", window_min(&f->facts));
	set(o, "history", ascii(f->zeek.history));
	set(o, "conn_state", ascii(trace_zeek_conn_state(&f->zeek)));
	set(o, "phases", phases(m, f));
	if (f->closed_first != TRACE_CLOSE_NONE) {
		set(o, "closed_first", ascii(f->closed_first == TRACE_CLOSE_SIMULTANEOUS ?
						   "simultaneous" : side_names[f->closed_first]));
		set(o, "close_kind", ascii(f->close_rst ? "rst" : "fin"));
	}
	set(o, "time_wait", time_wait(m, f));
	set_int(o, "retransmissions", (int64_t)f->retransmissions);
	set_int(o, "dup_acks", (int64_t)f->dup_acks);
	set_int(o, "zero_windows", (int64_t)f->zero_windows);
	set(o, "states", states(f));
	if (f->ndis) {
		json_t *a = json_array();
		for (size_t i = 0; i < f->ndis; i++) {
			const struct trace_disagreement *d = &f->dis[i];
			json_array_append_new(a, json_pack("{s:s,s:I,s:s,s:s,s:s}",
				"side", side_names[d->side], "t_us", (json_int_t)rel(m, d->ts_us),
				"inferred", trace_state_name(d->inferred),
				"kernel", trace_state_name(d->kernel), "note", d->note));
		}
		set(o, "disagreements", a);
	}
}

static int idx_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* The requests that got no reply: those none answered, and those whose reply a lab rule
 * dropped on its way (the drop log), in event order. */
static json_t *unanswered(const struct trace_model *m, const struct trace_udp *u)
{
	size_t n = 0, i;
	int64_t *v = malloc((u->nunanswered + u->npairs + 1) * sizeof(*v));
	json_t *a = json_array();

	if (!v)
		return a;
	for (i = 0; i < u->nunanswered; i++)
		v[n++] = idx(m, u->unanswered[i]);
	for (i = 0; i < u->npairs; i++)
		if (trace_model_dropped_by(m, u->pairs[i].reply))
			v[n++] = idx(m, u->pairs[i].request);
	qsort(v, n, sizeof(*v), idx_cmp);
	for (i = 0; i < n; i++)
		json_array_append_new(a, json_integer(v[i]));
	free(v);
	return a;
}

static void udp_flow(const struct trace_model *m, json_t *o, const struct trace_flow *f)
{
	json_t *pairs = json_array();

	set(o, "datagrams", per_side(f->datagrams[0], f->datagrams[1]));
	for (size_t i = 0; i < f->udp->npairs; i++) {
		json_t *pr = json_pack("{s:I,s:I,s:I}",
			"request", (json_int_t)idx(m, f->udp->pairs[i].request),
			"reply", (json_int_t)idx(m, f->udp->pairs[i].reply),
			"rtt_us", (json_int_t)f->udp->pairs[i].rtt_us);
		if (trace_model_dropped_by(m, f->udp->pairs[i].reply))
			set(pr, "reply_delivered", json_false());
		json_array_append_new(pairs, pr);
	}
	set(o, "pairs", pairs);
	set(o, "unanswered", unanswered(m, f->udp));
	if (f->udp->lists_truncated)
		set(o, "lists_truncated", json_true());
}

json_t *trace_json_flow(const struct trace_model *m, const struct trace_flow *f)
{
	json_t *o = json_object();

	set_int(o, "id", f->id);
	set(o, "proto", ascii(f->proto == IPPROTO_TCP ? "tcp" : "udp"));
	set(o, "client", trace_json_addr(&f->ep[0], 1));
	set(o, "server", trace_json_addr(&f->ep[1], 1));
	set_int(o, "first_us", rel(m, f->first_us));
	set_int(o, "last_us", rel(m, f->last_us));
	set_int(o, "duration_us", f->last_us > f->first_us ? f->last_us - f->first_us : 0);
	set(o, "packets", per_side(f->packets[0], f->packets[1]));
	set(o, "ip_bytes", per_side(f->bytes[0], f->bytes[1]));
	set(o, "frame_bytes", per_side(f->frame[0], f->frame[1]));
	set(o, "payload_bytes", per_side(f->payload[0], f->payload[1]));
	if (f->proto == IPPROTO_TCP)
		tcp_flow(m, o, f);
	else
		udp_flow(m, o, f);
	json_t *errs = json_array();
	for (size_t i = 0; i < f->nicmp; i++) {
		const struct trace_icmp_err *e = &f->icmp[i];
		json_t *v = json_pack("{s:I,s:i,s:i,s:s}", "event", (json_int_t)idx(m, e->event),
				      "type", e->type, "code", e->code,
				      "text", trace_icmp_text(e->v6, e->type, e->code));
		if (e->quoted >= 0)
			set_int(v, "quoted_event", idx(m, e->quoted));
		json_array_append_new(errs, v);
	}
	if (f->proto == IPPROTO_UDP || f->nicmp)
		set(o, "icmp_errors", errs);
	else
		json_decref(errs);
	return o;
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
