/* trace/json_flow.c: one flow as JSON (docs/trace-format.md "flows"), filled into kept objects. */
#include "trace/json_flow.h"

#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "trace/model.h"
#include "trace/model_drop.h"
#include "trace/model_kernel.h"

static const char *side_names[] = { "client", "server" };
static const char *phase_names[] = { "handshake", "data", "teardown", "time_wait" };

/* ---- a kept object, filled key by key in the document's order ---- */

static void begin(struct trace_jsonflow *c, struct trace_jsonflow_obj *s)
{
	if (!s->o && !(s->o = json_object()))
		c->error = 1;
	s->at = 0;
}

/* Drops the keys from place i on: this flow's keys differ from the last one's there, and
 * keys added again go last, as jansson dumps them in insertion order. */
static void cut(struct trace_jsonflow_obj *s, int i)
{
	for (int j = i; j < s->n; j++)
		json_object_del(s->o, s->k[j]);
	s->n = i;
}

static void end(struct trace_jsonflow_obj *s)
{
	if (s->o)
		cut(s, s->at);
}

/* The value the kept object holds for key k at the cursor, or NULL when the key there
 * differs (the caller then puts a new value). Moves the cursor on only on a match. */
static json_t *kept(struct trace_jsonflow_obj *s, const char *k)
{
	if (!s->o || s->at >= s->n || s->k[s->at] != k)
		return NULL;
	return s->v[s->at++];
}

/* Puts v (a new reference) as key k at the cursor. */
static void put(struct trace_jsonflow *c, struct trace_jsonflow_obj *s, const char *k, json_t *v)
{
	int i = s->at;

	if (!v || !s->o || i == TRACE_JSONFLOW_KEYS) {
		json_decref(v);
		c->error = 1;
		return;
	}
	if (i < s->n && s->k[i] == k) {		/* the same key: its value replaced in place */
		if (s->v[i] == v)
			json_decref(v);
		else if (json_object_set_new_nocheck(s->o, k, v) < 0)
			c->error = 1;
		else
			s->v[i] = v;
		s->at++;
		return;
	}
	cut(s, i);
	if (json_object_set_new_nocheck(s->o, k, v) < 0) {
		c->error = 1;
		return;
	}
	s->k[i] = k, s->v[i] = v, s->n = i + 1, s->at = i + 1;
}

static void put_int(struct trace_jsonflow *c, struct trace_jsonflow_obj *s, const char *k, int64_t v)
{
	json_t *x = kept(s, k);

	if (json_is_integer(x))
		c->error |= json_integer_set(x, (json_int_t)v) < 0;
	else
		s->at -= x != NULL, put(c, s, k, json_integer((json_int_t)v));
}

/* A string the tracer made (names, flags, Zeek's history): ASCII, so not checked. */
static void put_str(struct trace_jsonflow *c, struct trace_jsonflow_obj *s, const char *k, const char *v)
{
	json_t *x = kept(s, k);

	if (json_is_string(x)) {
		if (strcmp(json_string_value(x), v) != 0)
			c->error |= json_string_set_nocheck(x, v) < 0;
	} else {
		s->at -= x != NULL, put(c, s, k, json_string_nocheck(v));
	}
}

/* A kept object as the value of k; child was filled before. */
static void put_obj(struct trace_jsonflow *c, struct trace_jsonflow_obj *s, const char *k,
		    struct trace_jsonflow_obj *child)
{
	if (child->o)
		put(c, s, k, json_incref(child->o));
	else
		c->error = 1;
}

static void per_side(struct trace_jsonflow *c, struct trace_jsonflow_obj *s, uint64_t cl, uint64_t sv)
{
	begin(c, s);
	put_int(c, s, "client", (int64_t)cl);
	put_int(c, s, "server", (int64_t)sv);
	end(s);
}

static int64_t rel(const struct trace_model *m, int64_t ts)
{
	return ts - m->cap.start_us;
}

static int64_t idx(const struct trace_model *m, int64_t id)
{
	return trace_model_event_index(m, id);
}

/* ---- TCP ---- */

static void phases(struct trace_jsonflow *c, const struct trace_model *m, const struct trace_flow *f)
{
	json_array_clear(c->phases);
	for (int i = 0; i < TRACE_PH_N; i++) {
		const struct trace_phase *p = &f->ph[i];
		struct trace_jsonflow_obj *o = &c->phase[i];
		if (!p->set)
			continue;
		uint32_t first = p->first;
		int64_t start_us = p->start_us;
		/* time_wait starts where the flow's time_wait object says, whatever came first. */
		if (i == TRACE_PH_TIME_WAIT)
			trace_model_tw_start(f, &start_us, &first);
		begin(c, o);
		put_str(c, o, "name", phase_names[i]);
		put_int(c, o, "first_event", idx(m, first));
		put_int(c, o, "last_event", idx(m, p->last));
		put_int(c, o, "start_us", rel(m, start_us));
		put_int(c, o, "end_us", rel(m, p->end_us));
		end(o);
		if (!o->o || json_array_append(c->phases, o->o) < 0)
			c->error = 1;
	}
}

static const char *side_mask(int mask)
{
	return mask == 3 ? "both" : mask == 1 ? "client" : "server";
}

/* 0: the flow has no time_wait object. */
static int time_wait(struct trace_jsonflow *c, const struct trace_model *m, const struct trace_flow *f)
{
	struct trace_jsonflow_obj *o = &c->time_wait;
	int kernel = f->tw_kernel != 0, side;
	int64_t start_us = 0, seen_us = INT64_MAX;
	uint32_t ev;

	if (!(side = trace_model_tw_start(f, &start_us, &ev)))
		return 0;
	begin(c, o);
	put_str(c, o, "side", side_mask(side));
	put_int(c, o, "start_us", rel(m, start_us));
	/* Linux keeps a time-wait socket 60 s (TCP_TIMEWAIT_LEN), whatever the RTT. */
	put_int(c, o, "timer_ms", kernel && f->tw_timer_ms >= 0 ? f->tw_timer_ms : 60000);
	put_str(c, o, "source", kernel ? "kernel" : "inferred");
	if (kernel) {
		for (int s = 0; s < 2; s++)
			if (f->tw_kernel & 1 << s && f->tw_k_us[s] < seen_us)
				seen_us = f->tw_k_us[s];
		put_int(c, o, "kernel_seen_us", rel(m, seen_us));
	}
	if (kernel && f->tw_inferred)
		put_str(c, o, "inferred_side", side_mask(f->tw_inferred));
	end(o);
	return 1;
}

static void states(struct trace_jsonflow *c, const struct trace_flow *f)
{
	begin(c, &c->states);
	for (int s = 0; s < 2; s++) {
		struct trace_jsonflow_obj *v = &c->state[s];
		const struct trace_tcp_side *t = &f->tcp.s[s];
		begin(c, v);
		if (t->initial != TRACE_ST_NONE)
			put_str(c, v, "initial", trace_state_name(t->initial));
		if (t->st != TRACE_ST_NONE)
			put_str(c, v, "final", trace_state_name(t->st));
		put_str(c, v, "source", "inferred");
		if (f->kseen[s])
			put_str(c, v, "kernel_final", trace_state_name(f->kfinal[s]));
		end(v);
		put_obj(c, &c->states, side_names[s], v);
	}
	end(&c->states);
}

/* The SYN's options as trace_json_tcp_options(t, 0) has them. */
static void syn_options(struct trace_jsonflow *c, struct trace_jsonflow_obj *o, const struct trace_tcpopt *t)
{
	begin(c, o);
	if (t->has_mss)
		put_int(c, o, "mss", t->mss);
	if (t->has_wscale)
		put_int(c, o, "wscale", t->wscale);
	if (t->sack_permitted)
		put(c, o, "sack_permitted", json_true());
	if (t->has_ts)
		put(c, o, "timestamps", json_true());
	if (t->nsack) {
		json_t *a = json_array();
		for (int i = 0; a && i < t->nsack; i++)
			json_array_append_new(a, json_pack("[II]", (json_int_t)t->sack[i][0], (json_int_t)t->sack[i][1]));
		put(c, o, "sack", a);
	}
	end(o);
}

static void tcp_flow(struct trace_jsonflow *c, const struct trace_model *m, const struct trace_flow *f)
{
	struct trace_jsonflow_obj *o = &c->flow;
	const struct trace_facts *x = &f->facts;

	begin(c, &c->isn), begin(c, &c->options);
	for (int s = 0; s < 2; s++) {
		if (f->tcp.s[s].isn_known)
			put_int(c, &c->isn, side_names[s], f->tcp.s[s].isn);
		if (f->syn_opt_seen[s]) {
			syn_options(c, &c->opt[s], &f->syn_opt[s]);
			put_obj(c, &c->options, side_names[s], &c->opt[s]);
		}
	}
	end(&c->isn), end(&c->options);
	put_obj(c, o, "isn", &c->isn);
	put_obj(c, o, "options", &c->options);
	/* Durations, not times: the same wherever t_us 0 lies; none without a SYN+ACK answering a SYN. */
	if (x->have_synack) {
		begin(c, &c->rtt);
		put_int(c, &c->rtt, "syn_to_synack_us", x->synack_us - x->syn_us);
		if (x->have_ack)
			put_int(c, &c->rtt, "syn_to_ack_us", x->ack_us - x->syn_us);
		end(&c->rtt);
		put_obj(c, o, "handshake_rtt", &c->rtt);
	}
	if (x->have_win[0] || x->have_win[1]) {
		begin(c, &c->win);
		for (int s = 0; s < 2; s++)
			if (x->have_win[s])
				put_int(c, &c->win, side_names[s], (int64_t)x->win_min[s]);
		end(&c->win);
		put_obj(c, o, "window_min", &c->win);
	}
	put_str(c, o, "history", f->zeek.history);
	put_str(c, o, "conn_state", trace_zeek_conn_state(&f->zeek));
	phases(c, m, f);
	put(c, o, "phases", json_incref(c->phases));
	if (f->closed_first != TRACE_CLOSE_NONE) {
		put_str(c, o, "closed_first", f->closed_first == TRACE_CLOSE_SIMULTANEOUS ?
						      "simultaneous" : side_names[f->closed_first]);
		put_str(c, o, "close_kind", f->close_rst ? "rst" : "fin");
	}
	if (time_wait(c, m, f))
		put_obj(c, o, "time_wait", &c->time_wait);
	put_int(c, o, "retransmissions", (int64_t)f->retransmissions);
	put_int(c, o, "dup_acks", (int64_t)f->dup_acks);
	put_int(c, o, "zero_windows", (int64_t)f->zero_windows);
	states(c, f);
	put_obj(c, o, "states", &c->states);
	if (f->ndis) {	/* rare (kernel sources only): built new */
		json_t *a = json_array();
		for (size_t i = 0; a && i < f->ndis; i++) {
			const struct trace_disagreement *d = &f->dis[i];
			json_array_append_new(a, json_pack("{s:s,s:I,s:s,s:s,s:s}",
				"side", side_names[d->side], "t_us", (json_int_t)rel(m, d->ts_us),
				"inferred", trace_state_name(d->inferred),
				"kernel", trace_state_name(d->kernel), "note", d->note));
		}
		put(c, o, "disagreements", a);
	}
}

/* ---- UDP ---- */

static int idx_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* The requests that got no reply: those none answered, and those whose reply a lab rule
 * dropped on its way (the drop log), in event order. */
static void unanswered(struct trace_jsonflow *c, const struct trace_model *m, const struct trace_udp *u)
{
	size_t n = 0, i;
	int64_t *v;

	json_array_clear(c->unanswered);
	if (!u->nunanswered && !u->npairs)
		return;
	if (!(v = malloc((u->nunanswered + u->npairs) * sizeof(*v)))) {
		c->error = 1;
		return;
	}
	for (i = 0; i < u->nunanswered; i++)
		v[n++] = idx(m, u->unanswered[i]);
	for (i = 0; i < u->npairs; i++)
		if (trace_model_dropped_by(m, u->pairs[i].reply))
			v[n++] = idx(m, u->pairs[i].request);
	qsort(v, n, sizeof(*v), idx_cmp);
	for (i = 0; i < n; i++)
		if (json_array_append_new(c->unanswered, json_integer(v[i])) < 0)
			c->error = 1;
	free(v);
}

static void udp_flow(struct trace_jsonflow *c, const struct trace_model *m, const struct trace_flow *f)
{
	struct trace_jsonflow_obj *o = &c->flow;
	const struct trace_udp *u = f->udp;

	per_side(c, &c->datagrams, f->datagrams[0], f->datagrams[1]);
	put_obj(c, o, "datagrams", &c->datagrams);
	json_array_clear(c->pairs);
	if (u->npairs > c->npair) {
		struct trace_jsonflow_obj *np = realloc(c->pair, u->npairs * sizeof(*np));
		if (!np) {
			c->error = 1;
			return;
		}
		memset(np + c->npair, 0, (u->npairs - c->npair) * sizeof(*np));
		c->pair = np;
		c->npair = u->npairs;
	}
	for (size_t i = 0; i < u->npairs; i++) {
		struct trace_jsonflow_obj *pr = &c->pair[i];
		begin(c, pr);
		put_int(c, pr, "request", idx(m, u->pairs[i].request));
		put_int(c, pr, "reply", idx(m, u->pairs[i].reply));
		put_int(c, pr, "rtt_us", u->pairs[i].rtt_us);
		if (trace_model_dropped_by(m, u->pairs[i].reply))
			put(c, pr, "reply_delivered", json_false());
		end(pr);
		if (!pr->o || json_array_append(c->pairs, pr->o) < 0)
			c->error = 1;
	}
	put(c, o, "pairs", json_incref(c->pairs));
	unanswered(c, m, u);
	put(c, o, "unanswered", json_incref(c->unanswered));
	if (u->lists_truncated)
		put(c, o, "lists_truncated", json_true());
}

/* ---- the flow ---- */

static void endpoint(struct trace_jsonflow *c, struct trace_jsonflow_obj *o, const struct trace_endpoint *e)
{
	char buf[TRACE_ADDRSTRLEN];

	begin(c, o);
	put_str(c, o, "addr", trace_addr_str(&e->addr, buf, sizeof(buf)));
	put_int(c, o, "port", e->port);
	end(o);
}

json_t *trace_jsonflow_get(struct trace_jsonflow *c, const struct trace_model *m, const struct trace_flow *f)
{
	struct trace_jsonflow_obj *o = &c->flow;

	c->error = 0;
	if ((!c->phases && !(c->phases = json_array())) || (!c->pairs && !(c->pairs = json_array())) ||
	    (!c->unanswered && !(c->unanswered = json_array())) ||
	    (!c->icmp_errors && !(c->icmp_errors = json_array())))
		return NULL;
	begin(c, o);
	put_int(c, o, "id", f->id);
	put_str(c, o, "proto", f->proto == IPPROTO_TCP ? "tcp" : "udp");
	for (int s = 0; s < 2; s++) {
		endpoint(c, &c->ep[s], &f->ep[s]);
		put_obj(c, o, side_names[s], &c->ep[s]);
	}
	put_int(c, o, "first_us", rel(m, f->first_us));
	put_int(c, o, "last_us", rel(m, f->last_us));
	put_int(c, o, "duration_us", f->last_us > f->first_us ? f->last_us - f->first_us : 0);
	per_side(c, &c->packets, f->packets[0], f->packets[1]);
	put_obj(c, o, "packets", &c->packets);
	per_side(c, &c->ip_bytes, f->bytes[0], f->bytes[1]);
	put_obj(c, o, "ip_bytes", &c->ip_bytes);
	per_side(c, &c->frame_bytes, f->frame[0], f->frame[1]);
	put_obj(c, o, "frame_bytes", &c->frame_bytes);
	per_side(c, &c->payload_bytes, f->payload[0], f->payload[1]);
	put_obj(c, o, "payload_bytes", &c->payload_bytes);
	if (f->proto == IPPROTO_TCP)
		tcp_flow(c, m, f);
	else
		udp_flow(c, m, f);
	json_array_clear(c->icmp_errors);
	for (size_t i = 0; i < f->nicmp; i++) {	/* rare: built new */
		const struct trace_icmp_err *e = &f->icmp[i];
		json_t *v = json_pack("{s:I,s:i,s:i,s:s}", "event", (json_int_t)idx(m, e->event),
				      "type", e->type, "code", e->code,
				      "text", trace_icmp_text(e->v6, e->type, e->code));
		if (v && e->quoted >= 0)
			json_object_set_new_nocheck(v, "quoted_event", json_integer(idx(m, e->quoted)));
		if (json_array_append_new(c->icmp_errors, v) < 0)
			c->error = 1;
	}
	if (f->proto == IPPROTO_UDP || f->nicmp)
		put(c, o, "icmp_errors", json_incref(c->icmp_errors));
	end(o);
	return c->error || !o->o ? NULL : json_incref(o->o);
}

static void obj_free(struct trace_jsonflow_obj *s)
{
	json_decref(s->o);
	memset(s, 0, sizeof(*s));
}

void trace_jsonflow_free(struct trace_jsonflow *c)
{
	struct trace_jsonflow_obj *all[] = {
		&c->flow, &c->ep[0], &c->ep[1], &c->packets, &c->ip_bytes, &c->frame_bytes,
		&c->payload_bytes, &c->isn, &c->options, &c->opt[0], &c->opt[1], &c->rtt, &c->win,
		&c->time_wait, &c->states, &c->state[0], &c->state[1], &c->datagrams,
	};

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		obj_free(all[i]);
	for (int i = 0; i < TRACE_PH_N; i++)
		obj_free(&c->phase[i]);
	for (size_t i = 0; i < c->npair; i++)
		obj_free(&c->pair[i]);
	free(c->pair);
	json_decref(c->phases), json_decref(c->pairs), json_decref(c->unanswered), json_decref(c->icmp_errors);
	memset(c, 0, sizeof(*c));
}
