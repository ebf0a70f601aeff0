/* trace/model_kernel.c: kernel socket-state observations in the model: tied to flows, TIME_WAIT, disagreements. */
#include "trace/model_kernel.h"

#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace/model_types.h"
#include "trace/model_event.h"
#include "trace/model_store.h"

static void kev_endpoints(const struct trace_kevent *k, struct trace_endpoint *local,
			  struct trace_endpoint *remote)
{
	memset(local, 0, sizeof(*local));
	memset(remote, 0, sizeof(*remote));
	local->addr.family = remote->addr.family = k->family;
	memcpy(local->addr.a, k->saddr, 16);
	memcpy(remote->addr.a, k->daddr, 16);
	if (k->family == AF_INET) {
		memset(local->addr.a + 4, 0, 12);
		memset(remote->addr.a + 4, 0, 12);
	}
	local->port = k->sport;
	remote->port = k->dport;
	/* A dual-stack socket talking IPv4 reports ::ffff:a.b.c.d; the packets say a.b.c.d. */
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	struct trace_addr *a[2] = { &local->addr, &remote->addr };
	if (k->family == AF_INET6 && memcmp(k->saddr, mapped, 12) == 0 && memcmp(k->daddr, mapped, 12) == 0) {
		for (int i = 0; i < 2; i++) {
			memmove(a[i]->a, a[i]->a + 12, 4);
			memset(a[i]->a + 4, 0, 12);
			a[i]->family = AF_INET;
		}
	}
}

/* Whether kernel observation e of `side` is newer news than the side's kernel_final.
 * The tracepoint's hand-off (FIN_WAIT2 -> CLOSE as Linux gives the connection to a
 * time-wait socket) ends the full socket, not the connection: the time-wait socket's
 * FIN_WAIT2 or TIME_WAIT seen by sock_diag outranks it whichever was stamped first, since
 * sock_diag may show the time-wait socket before the hand-off event fires. */
static int kev_replaces_final(const struct trace_flow *f, int side, const struct trace_event *e)
{
	int tw_socket = e->to == TRACE_ST_TIME_WAIT || e->to == TRACE_ST_FIN_WAIT_2;
	int final_tw = f->kfinal[side] == TRACE_ST_TIME_WAIT || f->kfinal[side] == TRACE_ST_FIN_WAIT_2;

	if (!f->kseen[side])
		return 1;
	if (e->handoff && final_tw && !f->kfinal_handoff[side])
		return 0;
	if (f->kfinal_handoff[side] && tw_socket && !e->handoff)
		return 1;
	return e->ts_us >= f->kfinal_us[side];
}

/* Ties a kernel state event to flow f, side `side`. */
static void kev_tie(struct trace_flow *f, int side, struct trace_event *e)
{
	e->flow = f->id;
	e->side = side;
	e->has_addrs = 0;
	if (!f->kobs)
		f->kobs = calloc(TRACE_FLOW_KOBS, sizeof(*f->kobs));	/* NULL: observations not kept */
	if (f->kobs && f->nkobs < TRACE_FLOW_KOBS) {
		struct trace_kobs *o = &f->kobs[f->nkobs++];
		o->side = side;
		o->handoff = e->handoff;
		o->ts_us = e->ts_us;
		o->st = e->to;
	}
	if (kev_replaces_final(f, side, e)) {
		f->kseen[side] = 1;
		f->kfinal[side] = e->to;
		f->kfinal_us[side] = e->ts_us;
		f->kfinal_handoff[side] = e->handoff;
	}
	if (e->to == TRACE_ST_TIME_WAIT) {
		/* The timer reported with the kernel's first sight of a time-wait socket. */
		int64_t first_us = INT64_MAX;
		for (int s = 0; s < 2; s++)
			if (f->tw_kernel & 1 << s && f->tw_k_us[s] < first_us)
				first_us = f->tw_k_us[s];
		if (!(f->tw_kernel & 1 << side) || e->ts_us < f->tw_k_us[side]) {
			f->tw_k_us[side] = e->ts_us;
			f->tw_k_ev[side] = e->id;
		}
		if (e->ts_us < first_us)
			f->tw_timer_ms = e->timer_ms;
		f->tw_kernel |= 1 << side;
	}
	if (e->to == TRACE_ST_TIME_WAIT || (f->ph[TRACE_PH_TIME_WAIT].set &&
					    e->ts_us >= f->ph[TRACE_PH_TIME_WAIT].start_us))
		trace_model_event_phase(f, TRACE_PH_TIME_WAIT, e);
}

int trace_model_tw_start(const struct trace_flow *f, int64_t *us, uint32_t *ev)
{
	int mask = f->tw_kernel ? f->tw_kernel : f->tw_inferred, found = 0;

	for (int s = 0; s < 2; s++) {
		if (!(mask & 1 << s))
			continue;
		/* The packets date the entry; the kernel only says when it was looked at. */
		int inf = (f->tw_inferred & 1 << s) != 0;
		int64_t t = inf ? f->tw_inf_us[s] : f->tw_k_us[s];
		if (!found || t < *us) {
			*us = t;
			*ev = inf ? f->tw_inf_ev[s] : f->tw_k_ev[s];
			found = 1;
		}
	}
	return found ? mask : 0;
}

static int kev_match(const struct trace_flow *f, const struct trace_kevent *k, int *side)
{
	struct trace_endpoint l, r;

	kev_endpoints(k, &l, &r);
	if (f->proto != IPPROTO_TCP)
		return 0;
	for (int s = 0; s < 2; s++)
		if (trace_endpoint_eq(&f->ep[s], &l) && trace_endpoint_eq(&f->ep[!s], &r)) {
			*side = s;
			return 1;
		}
	return 0;
}

/* Keeps an unmatched event for a flow that may claim it (up to TRACE_UNMATCHED_MAX; past
 * that it stays flow-less and is not judged foreign either). */
static void kev_wait(struct trace_model *m, uint32_t id, const struct trace_kevent *k)
{
	if (m->nunmatched == m->cap_unmatched) {
		int nc = m->cap_unmatched ? 2 * m->cap_unmatched : 16;
		if (nc > TRACE_UNMATCHED_MAX)
			return;
		struct trace_unmatched *nv = realloc(m->unmatched, (size_t)nc * sizeof(*nv));
		if (!nv)
			return;
		m->unmatched = nv;
		m->cap_unmatched = nc;
	}
	m->unmatched[m->nunmatched].id = id;
	m->unmatched[m->nunmatched++].k = *k;
}

int trace_model_add_kevent(struct trace_model *m, const struct trace_kevent *k)
{
	struct trace_endpoint l, r;
	int side;

	kev_endpoints(k, &l, &r);
	struct trace_event *e = trace_model_event_new(m, TRACE_EV_STATE, k->ts_us);
	e->source = TRACE_SRC_KERNEL;
	e->from = k->oldstate;
	e->to = k->newstate;
	e->via = k->via;
	e->timer_ms = k->timer_ms;
	e->handoff = k->handoff;
	struct trace_flow *f = trace_flow_lookup(&m->table, IPPROTO_TCP, &l, &r, &side);
	if (f) {
		kev_tie(f, side, e);
	} else {
		e->has_addrs = e->has_ports = 1;
		e->src = l;
		e->dst = r;
		/* A flow seen later may still claim it (the SYN_SENT change precedes the SYN). */
		if (!m->o.sink)
			kev_wait(m, e->id, k);
	}
	return trace_model_event_commit(m);
}

void trace_model_kernel_claim(struct trace_model *m, struct trace_flow *f)
{
	int side;

	for (int i = 0; i < m->nunmatched; i++) {
		if (!kev_match(f, &m->unmatched[i].k, &side))
			continue;
		/* Events are stored nearly in id order: look from the id's own slot down. */
		size_t j = m->unmatched[i].id < m->nev ? m->unmatched[i].id + 1 : m->nev;
		while (j > 0 && m->ev[j - 1].id != m->unmatched[i].id)
			j--;
		if (j > 0) {
			struct trace_event e;
			trace_model_event_get(m, j - 1, &e);
			kev_tie(f, side, &e);
			trace_model_store_put(m, j - 1, &e);
		}
		m->unmatched[i--] = m->unmatched[--m->nunmatched];
	}
}

static int kev_same_socket(const struct trace_kevent *a, const struct trace_kevent *b)
{
	struct trace_endpoint al, ar, bl, br;

	kev_endpoints(a, &al, &ar);
	kev_endpoints(b, &bl, &br);
	return trace_endpoint_eq(&al, &bl) && trace_endpoint_eq(&ar, &br);
}

static int id_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* The tracepoint is system-wide and has no namespace field: another namespace's socket
 * on the traced ports reports there too. Ours either made packets a flow claimed, or was
 * shown by sock_diag, which answers per namespace; without sock_diag nothing can tell. */
int trace_model_kernel_drop_foreign(struct trace_model *m)
{
	uint32_t *drop;
	size_t n = 0, i, j;

	if (!m->cap.sock_diag || !m->nunmatched)
		return 0;
	if (!(drop = malloc((size_t)m->nunmatched * sizeof(*drop))))
		return -1;
	for (int u = 0; u < m->nunmatched; u++) {
		const struct trace_kevent *k = &m->unmatched[u].k;
		int ours = k->via != TRACE_VIA_TRACEPOINT;
		for (int v = 0; v < m->nunmatched && !ours; v++)
			ours = m->unmatched[v].k.via == TRACE_VIA_SOCK_DIAG &&
			       kev_same_socket(k, &m->unmatched[v].k);
		if (!ours)
			drop[n++] = m->unmatched[u].id;
	}
	if (n) {
		qsort(drop, n, sizeof(*drop), id_cmp);
		for (i = j = 0; i < m->nev; i++)
			if (!bsearch(&m->ev[i].id, drop, n, sizeof(*drop), id_cmp))
				m->ev[j++] = m->ev[i];
		m->nev = j;
	}
	free(drop);
	return (int)n;
}

/* Inferred transitions that a kernel observation of `st` agrees with. */
static int seen_inferred(const struct trace_flow *f, int side, enum trace_state st)
{
	if (f->tcp.s[side].initial == st)
		return 1;
	for (int i = 0; i < f->nhist[0] + f->nhist[1]; i++)
		if (f->hist[i].side == side &&
		    (f->hist[i].st == st || (st == TRACE_ST_CLOSED && f->hist[i].st == TRACE_ST_TIME_WAIT)))
			return 1;
	return 0;
}

static enum trace_state inferred_at(const struct trace_flow *f, int side, int64_t ts)
{
	enum trace_state st = f->tcp.s[side].initial;
	for (int i = 0; i < f->nhist[0] + f->nhist[1]; i++)
		if (f->hist[i].side == side && f->hist[i].ts_us <= ts)
			st = (enum trace_state)f->hist[i].st;
	return st;
}

void trace_model_kernel_disagreements(struct trace_flow *f)
{
	if (!f->nkobs || !(f->dis = calloc((size_t)f->nkobs, sizeof(*f->dis))))
		return;
	for (int i = 0; i < f->nkobs; i++) {
		const struct trace_kobs *o = &f->kobs[i];
		/* The tracepoint's FIN_WAIT2 -> CLOSE is the hand-off to a time-wait socket. */
		if (o->handoff || o->st == TRACE_ST_LISTEN || o->st == TRACE_ST_NONE ||
		    seen_inferred(f, o->side, o->st))
			continue;
		int dup = 0;
		for (size_t j = 0; j < f->ndis; j++)
			dup |= f->dis[j].side == o->side && f->dis[j].kernel == o->st;
		if (dup)
			continue;
		/* Packets lost (or not yet seen) left this side's state unknown: nothing to
		 * disagree with, and "NONE" is no state of the trace format. */
		enum trace_state inf = inferred_at(f, o->side, o->ts_us);
		if (inf == TRACE_ST_NONE)
			continue;
		struct trace_disagreement *d = &f->dis[f->ndis++];
		d->side = o->side;
		d->ts_us = o->ts_us;
		d->kernel = o->st;
		d->inferred = inf;
		d->note = "the kernel showed a state the packets never led this side to";
	}
}
