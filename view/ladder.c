/* view/ladder.c: builds the ladder layout model (rows of arrows, state marks, phases) from a trace.json. */
#include "view/ladder.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsonget.h"
#include "view/ladder_call.h"
#include "view/ladder_mark.h"
#include "view/ladder_sum.h"
#include "view/ladder_text.h"

#define LADDER_MAX_PHASES 16

/* Event indexes: a flow's own events in order, or a sorted set searched with bsearch.
 * Big captures have thousands of flows: nothing here may walk all events per flow. */
struct ladder_idx {
	long *v;
	size_t n, cap;
};

struct ladder_ctx {
	struct view_ladder *l;
	struct view_ladder_flow *f;
	json_t *flow;
	struct view_ladder_marks marks;	/* each side's shown state */
	const struct ladder_idx *evs;	/* this flow's events */
	size_t pos;			/* the one being placed */
	struct ladder_idx unanswered, icmp_event, icmp_quoted, reply_dropped;
};

static int side_of(const char *s)
{
	return s && strcmp(s, "server") == 0 ? VIEW_LADDER_SERVER : VIEW_LADDER_CLIENT;
}

/* "127.0.0.1:9999", or "[::1]:9999" for IPv6. */
static void fmt_endpoint(char *dst, size_t len, json_t *ep)
{
	char addr[48];
	const char *a = hello_json_str(ep, "addr");
	long long port = hello_json_num(ep, "port", -1);

	view_ladder_sanitize(addr, sizeof(addr), a ? a : "?");
	if (port < 0)
		view_ladder_fmt(dst, len, "%s", addr);
	else if (strchr(addr, ':'))
		view_ladder_fmt(dst, len, "[%s]:%lld", addr, port);
	else
		view_ladder_fmt(dst, len, "%s:%lld", addr, port);
}

static int idx_push(struct ladder_idx *x, long v)
{
	if (x->n == x->cap) {
		size_t cap = x->cap ? x->cap * 2 : 16;
		void *p = realloc(x->v, cap * sizeof(*x->v));

		if (!p)
			return -1;
		x->v = p, x->cap = cap;
	}
	x->v[x->n++] = v;
	return 0;
}

static int idx_cmp(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

static int idx_has(const struct ladder_idx *x, long v)
{
	return x->n && bsearch(&v, x->v, x->n, sizeof(*x->v), idx_cmp) != NULL;
}

/* The sorted set of event indexes in the flow's array `key` (plain indexes, or the
 * member `field` of objects). */
static int idx_from(struct ladder_idx *x, json_t *flow, const char *key, const char *field)
{
	json_t *arr = json_object_get(flow, key), *v;
	size_t k;

	json_array_foreach(arr, k, v) {
		json_t *e = field ? json_object_get(v, field) : v;

		/* pairs: only those whose reply a rule dropped (the request itself arrived) */
		if (strcmp(key, "pairs") == 0 && !json_is_false(json_object_get(v, "reply_delivered")))
			continue;
		if (json_is_integer(e) && idx_push(x, (long)json_integer_value(e)) < 0)
			return -1;
	}
	if (x->n)
		qsort(x->v, x->n, sizeof(*x->v), idx_cmp);
	return 0;
}

static void label_tcp(struct view_ladder_row *r, json_t *ev)
{
	char flags[16];
	long long len = hello_json_num(ev, "len", 0);
	const char *fl = hello_json_str(ev, "flags");

	view_ladder_sanitize(flags, sizeof(flags), fl && *fl ? fl : "?");
	view_ladder_fmt(r->label, sizeof(r->label), "%s", flags);
	if (json_object_get(ev, "seq"))
		view_ladder_fmt_cat(r->label, sizeof(r->label), " seq=%lld", hello_json_num(ev, "seq", 0));
	if (json_object_get(ev, "ack") && strchr(flags, 'A'))
		view_ladder_fmt_cat(r->label, sizeof(r->label), " ack=%lld", hello_json_num(ev, "ack", 0));
	if (len > 0)
		view_ladder_fmt_cat(r->label, sizeof(r->label), " len=%lld", len);
	if (hello_json_true(ev, "zero_window"))
		view_ladder_fmt_cat(r->label, sizeof(r->label), " win=0");
	if (strchr(flags, 'R'))
		r->style |= VIEW_LADDER_RST;
	if (hello_json_true(ev, "retransmission"))
		r->style |= VIEW_LADDER_RETX;
	if (hello_json_true(ev, "dup_ack"))
		r->style |= VIEW_LADDER_DUPACK;
	if (hello_json_true(ev, "zero_window"))
		r->style |= VIEW_LADDER_ZEROWIN;
}

static void label_icmp(struct view_ladder_row *r, json_t *icmp)
{
	char text[64];
	const char *t = hello_json_str(icmp, "text");

	r->style |= VIEW_LADDER_ICMP;
	if (t) {
		view_ladder_sanitize(text, sizeof(text), t);
		view_ladder_fmt(r->label, sizeof(r->label), "ICMP %s", text);
	} else {
		view_ladder_fmt(r->label, sizeof(r->label), "ICMP type %lld code %lld",
			 hello_json_num(icmp, "type", -1), hello_json_num(icmp, "code", -1));
	}
}

/* A client datagram that repeats an earlier one of the flow that got no answer at the
 * client (same length and payload): the program's retry. Its event index, or -1. */
static long retry_of(const struct ladder_ctx *c, json_t *ev)
{
	json_t *evs = json_object_get(c->l->root, "events"), *x;
	const char *pv = hello_json_str(ev, "preview");
	size_t k;

	if (!hello_json_is(ev, "from", "client") || !pv)
		return -1;
	for (k = c->pos; k-- > 0;) {
		x = json_array_get(evs, (size_t)c->evs->v[k]);
		if (!hello_json_is(x, "type", "packet") || !hello_json_is(x, "from", "client"))
			continue;
		if (hello_json_num(x, "len", 0) == hello_json_num(ev, "len", 0) && hello_json_is(x, "preview", pv))
			return idx_has(&c->unanswered, c->evs->v[k]) ? c->evs->v[k] : -1;
	}
	return -1;
}

static int add_packet(struct ladder_ctx *c, json_t *ev, int i)
{
	struct view_ladder_row *r = view_ladder_row_add(c->f, VIEW_LADDER_ARROW);
	json_t *icmp = json_object_get(ev, "icmp");
	const char *from = hello_json_str(ev, "from");
	const char *proto = hello_json_str(ev, "proto");

	if (!r)
		return -1;
	r->event = i;
	r->t_us = hello_json_num(ev, "t_us", -1);
	/* An ICMP error comes back to the datagram's sender: without `from`, the server sent it. */
	r->from = from ? side_of(from) : json_is_object(icmp) ? VIEW_LADDER_SERVER : VIEW_LADDER_CLIENT;
	if (json_is_object(icmp) || idx_has(&c->icmp_event, i))
		label_icmp(r, json_is_object(icmp) ? icmp : json_object());
	else if ((proto && strcmp(proto, "udp") == 0) || strcmp(c->f->proto, "udp") == 0)
		view_ladder_fmt(r->label, sizeof(r->label), "UDP len=%lld", hello_json_num(ev, "len", 0));
	else
		label_tcp(r, ev);
	if (!json_is_object(icmp) && strcmp(c->f->proto, "udp") == 0 && retry_of(c, ev) >= 0)
		view_ladder_fmt_cat(r->label, sizeof(r->label), " retry of #%ld", retry_of(c, ev));
	/* a request answered by an ICMP error was not lost: the error row says what happened */
	if (idx_has(&c->unanswered, i) && !idx_has(&c->icmp_quoted, i) && !idx_has(&c->reply_dropped, i))
		r->style |= VIEW_LADDER_LOST;
	/* the drop log saw a rule drop it: the receiver never got it, whatever the capture saw */
	if (json_is_false(json_object_get(ev, "delivered"))) {
		r->style |= VIEW_LADDER_LOST;
		view_ladder_sanitize(r->dropped_by, sizeof(r->dropped_by), hello_json_str(ev, "dropped_by"));
		if (!r->dropped_by[0])
			view_ladder_fmt(r->dropped_by, sizeof(r->dropped_by), "a rule");
	}
	if (hello_json_str(ev, "truncated") || hello_json_str(ev, "invalid"))
		view_ladder_fmt_cat(r->label, sizeof(r->label), " %s", hello_json_str(ev, "truncated") ? "truncated" : "invalid");
	view_ladder_sanitize(r->preview, sizeof(r->preview), hello_json_str(ev, "preview"));
	view_ladder_sanitize(r->note, sizeof(r->note), hello_json_str(ev, "note"));
	c->f->arrows++;
	return 0;
}

/* The flow's phases sorted by first event (a handful: insertion sort). */
static size_t phases_sorted(json_t *flow, json_t **out)
{
	json_t *arr = json_object_get(flow, "phases"), *p;
	size_t k, n = 0;

	json_array_foreach(arr, k, p) {
		size_t j = n;

		if (!json_is_object(p) || n == LADDER_MAX_PHASES)
			continue;
		while (j > 0 && hello_json_num(out[j - 1], "first_event", 0) > hello_json_num(p, "first_event", 0)) {
			out[j] = out[j - 1];
			j--;
		}
		out[j] = p;
		n++;
	}
	return n;
}

static int add_phase(struct ladder_ctx *c, json_t *p)
{
	struct view_ladder_row *r = view_ladder_row_add(c->f, VIEW_LADDER_PHASE);
	json_t *tw = json_object_get(c->flow, "time_wait");

	if (!r)
		return -1;
	view_ladder_sanitize(r->phase, sizeof(r->phase), hello_json_str(p, "name") ? hello_json_str(p, "name") : "phase");
	r->t_us = hello_json_num(p, "start_us", -1);
	if (strcmp(r->phase, "time_wait") == 0 && json_is_object(tw))
		view_ladder_time_wait(r->info, sizeof(r->info), tw);
	else if (strcmp(r->phase, "teardown") == 0 && hello_json_str(c->flow, "closed_first")) {
		char who[16];
		const char *kind = hello_json_str(c->flow, "close_kind");

		view_ladder_sanitize(who, sizeof(who), hello_json_str(c->flow, "closed_first"));
		if (strcmp(who, "simultaneous") == 0)
			view_ladder_fmt(r->info, sizeof(r->info), "simultaneous close, the FINs cross");
		else if (kind && strcmp(kind, "rst") == 0)
			view_ladder_fmt(r->info, sizeof(r->info), "%s aborts with a reset", who);
		else
			view_ladder_fmt(r->info, sizeof(r->info), "%s closes first", who);
	}
	return 0;
}

static int flow_events(struct ladder_ctx *c, json_t *events)
{
	json_t *phases[LADDER_MAX_PHASES];
	size_t nph = phases_sorted(c->flow, phases), ph = 0;

	for (c->pos = 0; c->pos < c->evs->n; c->pos++) {
		long i = c->evs->v[c->pos];
		json_t *ev = json_array_get(events, (size_t)i);
		const char *type = hello_json_str(ev, "type");
		int rc = 0;

		if (!type)
			continue;
		while (ph < nph && hello_json_num(phases[ph], "first_event", 0) <= (long long)i) {
			if (add_phase(c, phases[ph]) < 0)
				return -1;
			view_ladder_call_hoist(c->f, events, hello_json_num(phases[ph++], "first_event", 0));
		}
		if (strcmp(type, "packet") == 0)
			rc = add_packet(c, ev, (int)i);
		else if (strcmp(type, "state") == 0)
			rc = view_ladder_mark_state(&c->marks, c->f, events, c->evs->v + c->pos + 1,
						    c->evs->n - c->pos - 1, ev, (int)i);
		else if (strcmp(type, "call") == 0)
			rc = view_ladder_call_add(c->f, ev, (int)i);
		if (rc < 0)
			return -1;
	}
	while (ph < nph)
		if (add_phase(c, phases[ph++]) < 0)
			return -1;
	return 0;
}

static int flow_build(struct view_ladder *l, struct view_ladder_flow *f, json_t *flow, const struct ladder_idx *evs)
{
	struct ladder_ctx c = { .l = l, .f = f, .flow = flow, .evs = evs };
	int rc = -1;

	view_ladder_marks_init(&c.marks);

	f->id = (int)hello_json_num(flow, "id", 0);
	view_ladder_sanitize(f->proto, sizeof(f->proto), hello_json_str(flow, "proto") ? hello_json_str(flow, "proto") : "?");
	fmt_endpoint(f->client, sizeof(f->client), json_object_get(flow, "client"));
	fmt_endpoint(f->server, sizeof(f->server), json_object_get(flow, "server"));
	if (idx_from(&c.unanswered, flow, "unanswered", NULL) < 0 ||
	    idx_from(&c.icmp_event, flow, "icmp_errors", "event") < 0 ||
	    idx_from(&c.icmp_quoted, flow, "icmp_errors", "quoted_event") < 0 ||
	    idx_from(&c.reply_dropped, flow, "pairs", "request") < 0 ||
	    flow_events(&c, json_object_get(l->root, "events")) < 0)
		goto out;
	view_ladder_call_links(f, json_object_get(l->root, "events"));
	view_ladder_summary(f, flow);
	l->any_kernel |= c.marks.any_kernel;
	rc = 0;
out:
	free(c.unanswered.v);
	free(c.icmp_event.v);
	free(c.icmp_quoted.v);
	free(c.reply_dropped.v);
	return rc;
}

/* Flow ids of the selected flows, sorted, each with its position in l->flows. */
struct ladder_fid {
	long long id;
	size_t k;
};

static int fid_cmp(const void *a, const void *b)
{
	long long x = ((const struct ladder_fid *)a)->id, y = ((const struct ladder_fid *)b)->id;

	return (x > y) - (x < y);
}

/* One pass over the events hands each to its flow's list; a call that names no flow
 * goes to the flow of its descriptor (view_ladder_call_flows). */
static int events_by_flow(json_t *root, json_t **sel, size_t n, struct ladder_idx *fev)
{
	struct ladder_fid *ids = calloc(n + 1, sizeof(*ids)), key, *hit;
	struct view_ladder_callflow *cf = NULL;
	long ncf = view_ladder_call_flows(json_object_get(root, "events"), &cf);
	json_t *ev;
	size_t i;
	int rc = -1;

	if (!ids || ncf < 0)
		goto out;
	for (i = 0; i < n; i++)
		ids[i].id = hello_json_num(sel[i], "id", 0), ids[i].k = i;
	qsort(ids, n, sizeof(*ids), fid_cmp);
	json_array_foreach(json_object_get(root, "events"), i, ev) {
		json_t *fl = json_object_get(ev, "flow");

		if (!json_is_object(ev))
			continue;
		if (json_is_integer(fl))
			key.id = (long long)json_integer_value(fl);
		else if ((key.id = view_ladder_call_flow_of(cf, ncf, (long)i)) < 0)
			continue;
		hit = bsearch(&key, ids, n, sizeof(*ids), fid_cmp);
		if (hit && idx_push(&fev[hit->k], (long)i) < 0)
			goto out;
	}
	rc = 0;
out:
	free(cf);
	free(ids);
	return rc;
}

int view_ladder_build(json_t *root, int only_flow, struct view_ladder *l, char *err, size_t errlen)
{
	json_t *flows = json_object_get(root, "flows"), *flow, **sel = NULL;
	struct ladder_idx *fev = NULL;
	size_t i, n = 0;
	int rc = -1;

	memset(l, 0, sizeof(*l));
	if (!json_is_object(root) || !json_is_array(json_object_get(root, "events"))) {
		view_ladder_fmt(err, errlen, "not a hellolab trace: no events array");
		return -1;
	}
	l->root = json_incref(root);
	view_ladder_capture(l->capture, sizeof(l->capture), l->root);
	l->flows = calloc(json_array_size(flows) + 1, sizeof(*l->flows));
	sel = calloc(json_array_size(flows) + 1, sizeof(*sel));
	fev = calloc(json_array_size(flows) + 1, sizeof(*fev));
	if (!l->flows || !sel || !fev)
		goto nomem;
	json_array_foreach(flows, i, flow)
		if (json_is_object(flow) && (only_flow <= 0 || hello_json_num(flow, "id", 0) == only_flow))
			sel[n++] = flow;
	if (only_flow > 0 && n == 0) {
		view_ladder_fmt(err, errlen, "flow %d: no such flow in the trace", only_flow);
		goto out;
	}
	if (events_by_flow(root, sel, n, fev) < 0)
		goto nomem;
	for (i = 0; i < n; i++)
		if (flow_build(l, &l->flows[l->nflows++], sel[i], &fev[i]) < 0)
			goto nomem;
	rc = 0;
	goto out;
nomem:
	view_ladder_fmt(err, errlen, "building the ladder: %s", strerror(ENOMEM));
out:
	for (i = 0; fev && i < n; i++)
		free(fev[i].v);
	free(fev);
	free(sel);
	if (rc < 0)
		view_ladder_free(l);
	return rc;
}

int view_ladder_load(const char *path, int only_flow, struct view_ladder *l, char *err, size_t errlen)
{
	json_error_t je;
	json_t *root;
	int rc;

	root = strcmp(path, "-") == 0 ? json_loadf(stdin, 0, &je) : json_load_file(path, 0, &je);
	if (!root) {
		if (je.line > 0)
			view_ladder_fmt(err, errlen, "%s:%d: %s", path, je.line, je.text);
		else
			view_ladder_fmt(err, errlen, "%s", je.text);	/* "unable to open PATH: why" */
		return -1;
	}
	rc = view_ladder_build(root, only_flow, l, err, errlen);
	json_decref(root);
	if (rc < 0 && strncmp(err, "not a", 5) == 0) {
		char why[128];

		view_ladder_fmt(why, sizeof(why), "%s", err);
		view_ladder_fmt(err, errlen, "%s: %s", path, why);
	}
	return rc;
}

void view_ladder_free(struct view_ladder *l)
{
	size_t i;

	for (i = 0; l->flows && i < l->nflows; i++)
		free(l->flows[i].rows);
	free(l->flows);
	json_decref(l->root);
	memset(l, 0, sizeof(*l));
}

json_t *view_ladder_event(const struct view_ladder *l, int i)
{
	return i < 0 ? NULL : json_array_get(json_object_get(l->root, "events"), (size_t)i);
}
