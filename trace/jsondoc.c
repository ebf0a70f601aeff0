/* trace/jsondoc.c: the document (trace.json) written as the capture goes: events in time order through a bounded window, then flows, endpoints, capture. */
#include "trace/jsondoc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "trace/json.h"

#ifndef HELLO_VERSION
#define HELLO_VERSION "0.0.0"
#endif

#define UNRELEASED UINT32_MAX

struct jsondoc_slot {
	struct trace_event e;
	char pv[4 * TRACE_PREVIEW_MAX + 1];	/* e.preview points here */
};

/* ---- where each event went: ids the window moved ---- */

/* Whether flow f still refers to event id (phases, TIME_WAIT, causes to come, its last
 * packets, ICMP errors, UDP requests and pairs): only those moves need remembering. */
static int refers(const struct trace_flow *f, uint32_t id)
{
	for (int i = 0; i < TRACE_PH_N; i++)
		if (f->ph[i].set && (f->ph[i].first == id || f->ph[i].last == id))
			return 1;
	for (int s = 0; s < 2; s++)
		if (((f->tw_inferred >> s & 1) && f->tw_inf_ev[s] == id) ||
		    ((f->tw_kernel >> s & 1) && f->tw_k_ev[s] == id) ||
		    (f->have_last_pkt[s] && f->last_pkt[s] == id) ||
		    f->tcp.s[s].fin_cause == id || f->tcp.s[s].syn_cause == id)
			return 1;
	for (size_t i = 0; i < f->nicmp; i++)
		if (f->icmp[i].event == id || f->icmp[i].quoted == (int64_t)id)
			return 1;
	if (!f->udp)
		return 0;
	for (int i = 0; i < f->udp->nq; i++)
		if (f->udp->q[i].id == id)
			return 1;
	for (size_t i = 0; i < f->udp->npairs; i++)
		if (f->udp->pairs[i].request == id || f->udp->pairs[i].reply == id)
			return 1;
	for (size_t i = 0; i < f->udp->nunanswered; i++)
		if (f->udp->unanswered[i] == id)
			return 1;
	return 0;
}

/* Remembers that event id of f went to idx; the list forgets the ids f no longer refers
 * to before it grows, so it stays as long as what the flow refers to. */
static int moved(struct trace_flow *f, uint32_t id, uint32_t idx)
{
	if (!refers(f, id))
		return 0;
	if (f->nxl == f->cap_xl) {
		uint32_t n = 0;
		for (uint32_t i = 0; i < f->nxl; i++)
			if (refers(f, f->xl[i].id))
				f->xl[n++] = f->xl[i];
		f->nxl = n;
		if (n > f->cap_xl / 2 || !f->cap_xl) {
			uint32_t nc = f->cap_xl ? 2 * f->cap_xl : 8;
			struct trace_xl *nv = realloc(f->xl, nc * sizeof(*nv));
			if (!nv)
				return -1;
			f->xl = nv;
			f->cap_xl = nc;
		}
	}
	f->xl[f->nxl++] = (struct trace_xl){ id, idx };
	return 0;
}

/* trace_model_event_index while streaming: the place event id was written at. */
static int64_t index_of(void *arg, int64_t id)
{
	struct trace_jsondoc *d = arg;
	const struct jsondoc_ring *r = &d->ring[(uint32_t)id & (JSONDOC_RING - 1)];

	if (r->id == (uint32_t)id && r->idx != UNRELEASED)
		return r->idx;
	for (uint32_t i = 0; d->cur && i < d->cur->nxl; i++)
		if (d->cur->xl[i].id == (uint32_t)id)
			return d->cur->xl[i].idx;
	return id;	/* not moved */
}

/* ---- flows ---- */

static void write_flow(struct trace_jsondoc *d, struct trace_flow *f)
{
	d->cur = f;
	json_t *o = trace_jsonflow_get(&d->flowenc, d->m, f);
	size_t n = trace_json_dump_line(&d->b, o);

	d->cur = NULL;
	trace_json_add_endpoints(d->endpoints, d->endpoint_keys, f, TRACE_ENDPOINTS_MAX);
	if (!n || fputs(d->nflows++ ? ",\n" : "\n", d->flows.f) == EOF ||
	    fwrite(d->b.p, 1, n - 1, d->flows.f) != n - 1)
		d->error = 1;
	json_decref(o);
	trace_flow_free(f);
}

static int sink_flow(void *arg, const struct trace_model *m, struct trace_flow *f)
{
	struct trace_jsondoc *d = arg;

	(void)m;
	if (f->inwin == 0 && !d->ending) {
		write_flow(d, f);
		return 1;
	}
	if (d->npend == d->cap_pend) {
		size_t nc = d->cap_pend ? 2 * d->cap_pend : 64;
		struct trace_flow **nv = realloc(d->pend, nc * sizeof(*nv));
		if (!nv) {
			d->error = 1;
			return 0;
		}
		d->pend = nv;
		d->cap_pend = nc;
	}
	f->pending = 1;
	d->pend[d->npend++] = f;
	return 1;
}

/* ---- events: the window (sorted by time, in a ring), then the queue of those given an index ---- */

static int before(const struct jsondoc_key *x, const struct jsondoc_key *y)
{
	return x->ts_us != y->ts_us ? x->ts_us < y->ts_us : x->id < y->id;
}

/* Events come nearly in order: each goes in from the newest end, past the few it precedes. */
static void window_add(struct trace_jsondoc *d, const struct jsondoc_key *k)
{
	size_t i = d->nwin++;

	for (; i > 0; i--) {
		const struct jsondoc_key *prev = &d->win[(d->win_head + i - 1) % JSONDOC_POOL];
		if (!before(k, prev))
			break;
		d->win[(d->win_head + i) % JSONDOC_POOL] = *prev;
	}
	d->win[(d->win_head + i) % JSONDOC_POOL] = *k;
}

static uint32_t window_take(struct trace_jsondoc *d)
{
	uint32_t s = d->win[d->win_head].slot;

	d->win_head = (d->win_head + 1) % JSONDOC_POOL;
	d->nwin--;
	return s;
}

static void write_event(struct trace_jsondoc *d, uint32_t s)
{
	struct trace_event *e = &d->slot[s].e;
	struct trace_flow *f = e->fl;

	d->cur = f;
	json_t *o = trace_jsonev_get(&d->enc, d->m, e);
	size_t n = trace_json_dump_line(&d->b, o);
	d->cur = NULL;
	json_decref(o);
	if (!n || fputs(d->nwritten++ ? ",\n" : "\n", d->f) == EOF || fwrite(d->b.p, 1, n - 1, d->f) != n - 1)
		d->error = 1;
	d->free_slots[d->nfree++] = s;
	if (!f || --f->inwin || !f->pending || d->ending)
		return;
	for (size_t i = 0; i < d->npend; i++)	/* few: an evicted flow is the least recently active */
		if (d->pend[i] == f) {
			d->pend[i] = d->pend[--d->npend];
			break;
		}
	write_flow(d, f);
}

/* Writes the queue's events in index order; a state change waits for its cause to get
 * its index (a deferred one is stamped before the packet that caused it). */
static void write_ready(struct trace_jsondoc *d, int force)
{
	while (d->nfifo) {
		uint32_t s = d->fifo[d->fifo_head];
		const struct trace_event *e = &d->slot[s].e;
		if (!force && e->type == TRACE_EV_STATE && e->cause >= 0) {
			const struct jsondoc_ring *r = &d->ring[(uint32_t)e->cause & (JSONDOC_RING - 1)];
			if (r->id == (uint32_t)e->cause && r->idx == UNRELEASED)
				return;
		}
		d->fifo_head = (d->fifo_head + 1) % JSONDOC_POOL;
		d->nfifo--;
		write_event(d, s);
	}
}

/* The earliest event of the window gets the next index. */
static void release(struct trace_jsondoc *d)
{
	uint32_t s = window_take(d), idx = (uint32_t)d->nreleased++;
	struct trace_event *e = &d->slot[s].e;
	struct jsondoc_ring *r = &d->ring[e->id & (JSONDOC_RING - 1)];

	if (idx == 0)
		d->m->cap.start_us = e->ts_us;	/* t_us 0: the first event written */
	r->id = e->id;
	r->idx = idx;
	if (idx != e->id && e->fl && moved(e->fl, e->id, idx) < 0)
		d->error = 1;
	d->fifo[(d->fifo_head + d->nfifo++) % JSONDOC_POOL] = s;
	write_ready(d, 0);
}

static void sink_event(void *arg, const struct trace_model *m, const struct trace_event *e)
{
	struct trace_jsondoc *d = arg;

	(void)m;
	while (!d->nfree)
		if (d->nwin)
			release(d);
		else
			write_ready(d, 1);
	uint32_t s = d->free_slots[--d->nfree];
	struct jsondoc_slot *x = &d->slot[s];
	x->e = *e;
	if (e->preview) {
		snprintf(x->pv, sizeof(x->pv), "%s", e->preview);
		x->e.preview = x->pv;
	}
	d->ring[e->id & (JSONDOC_RING - 1)] = (struct jsondoc_ring){ e->id, UNRELEASED };
	if (e->fl)
		e->fl->inwin++;
	window_add(d, &(struct jsondoc_key){ e->ts_us, e->id, s });
	if (d->nwin > JSONDOC_WINDOW)
		release(d);
}

/* ---- the document ---- */

int trace_jsondoc_init(struct trace_jsondoc *d, FILE *f, const char *tmpdir, char *err, size_t errlen)
{
	memset(d, 0, sizeof(*d));
	d->f = f;
	d->sink = (struct trace_sink){ d, sink_event, sink_flow, 1, index_of };
	d->slot = malloc(JSONDOC_POOL * sizeof(*d->slot));
	d->free_slots = malloc(JSONDOC_POOL * sizeof(uint32_t));
	d->win = malloc(JSONDOC_POOL * sizeof(*d->win));
	d->fifo = malloc(JSONDOC_POOL * sizeof(uint32_t));
	d->ring = malloc(JSONDOC_RING * sizeof(*d->ring));
	d->endpoints = json_array();
	d->endpoint_keys = json_object();
	if (!d->slot || !d->free_slots || !d->win || !d->fifo || !d->ring || !d->endpoints || !d->endpoint_keys) {
		snprintf(err, errlen, "trace: out of memory");
		trace_jsondoc_free(d);
		return -1;
	}
	memset(d->ring, 0xff, JSONDOC_RING * sizeof(*d->ring));	/* no id */
	for (uint32_t i = 0; i < JSONDOC_POOL; i++)
		d->free_slots[d->nfree++] = JSONDOC_POOL - 1 - i;
	if (trace_flowspill_open(&d->flows, tmpdir, err, errlen) < 0) {
		trace_jsondoc_free(d);
		return -1;
	}
	return 0;
}

int trace_jsondoc_start(struct trace_jsondoc *d, struct trace_model *m)
{
	json_t *head = json_pack("{s:s,s:i,s:{s:s,s:s}}", "format", "hellolab-trace",
				 "format_version", TRACE_FORMAT_VERSION, "tool", "name", "hello-trace",
				 "version", HELLO_VERSION);
	size_t n = trace_json_dump_line(&d->b, head);

	json_decref(head);
	d->m = m;
	/* the head without its closing brace (and newline): the events follow */
	if (n < 3 || fwrite(d->b.p, 1, n - 2, d->f) != n - 2 || fputs(",\"events\":[", d->f) == EOF)
		d->error = 1;
	return d->error ? -1 : 0;
}

void trace_jsondoc_ending(struct trace_jsondoc *d)
{
	d->ending = 1;
}

static int id_cmp(const void *a, const void *b)
{
	const struct trace_flow *x = *(struct trace_flow *const *)a, *y = *(struct trace_flow *const *)b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* "key":value, the value dumped whole (the capture, the endpoints: small). */
static void put_member(struct trace_jsondoc *d, const char *key, json_t *v)
{
	size_t n = trace_json_dump_line(&d->b, v);

	if (!n || fprintf(d->f, ",\n\"%s\":", key) < 0 || fwrite(d->b.p, 1, n - 1, d->f) != n - 1)
		d->error = 1;
}

int trace_jsondoc_end(struct trace_jsondoc *d, char *err, size_t errlen)
{
	char buf[65536];
	size_t n;

	while (d->nwin)
		release(d);
	write_ready(d, 1);
	if (d->npend)
		qsort(d->pend, d->npend, sizeof(*d->pend), id_cmp);
	for (size_t i = 0; i < d->npend; i++)
		write_flow(d, d->pend[i]);
	d->npend = 0;
	if (fputs("\n],\n\"flows\":[", d->f) == EOF || fflush(d->flows.f) == EOF || fseek(d->flows.f, 0, SEEK_SET) < 0)
		d->error = 1;
	while (!d->error && (n = fread(buf, 1, sizeof(buf), d->flows.f)) > 0)
		if (fwrite(buf, 1, n, d->f) != n)
			d->error = 1;
	if (ferror(d->flows.f) || fputs("\n]", d->f) == EOF)
		d->error = 1;
	put_member(d, "endpoints", d->endpoints);
	json_t *cap = trace_json_capture(d->m);
	put_member(d, "capture", cap);
	json_decref(cap);
	if (fputs("}\n", d->f) == EOF)
		d->error = 1;
	if (d->error)
		snprintf(err, errlen, "write trace: %s", errno ? strerror(errno) : "out of memory");
	return d->error ? -1 : 0;
}

void trace_jsondoc_free(struct trace_jsondoc *d)
{
	for (size_t i = 0; i < d->npend; i++)
		trace_flow_free(d->pend[i]);
	free(d->pend);
	free(d->slot);
	free(d->free_slots);
	free(d->win);
	free(d->fifo);
	free(d->ring);
	free(d->b.p);
	trace_jsonev_free(&d->enc);
	trace_jsonflow_free(&d->flowenc);
	json_decref(d->endpoints);
	json_decref(d->endpoint_keys);
	if (d->flows.f)
		trace_flowspill_close(&d->flows);
	memset(d, 0, sizeof(*d));
}
