/* trace/model_store.c: finished events kept compactly for the document: a 56-byte record, TCP options, addresses and previews aside. */
#include "trace/model_store.h"

#include <stdlib.h>
#include <string.h>

#include "trace/model_types.h"

/* A trace_event is ~280 bytes, most of it options and addresses that few events carry; a
 * 1M-packet document kept 1.6M of them (450 MB). The record keeps what every event has. */
enum {
	EVB_HAS_SEQ = 1, EVB_SEQ_ABS = 2, EVB_HAS_ACK = 4, EVB_ACK_ABS = 8,
	EVB_HAS_WIN = 16, EVB_RETX = 32, EVB_DUP_ACK = 64, EVB_ZERO_WIN = 128,
};
enum { EVB2_HANDOFF = 1, EVB2_HAS_ADDRS = 2, EVB2_HAS_PORTS = 4, EVB2_ICMP = 8, EVB2_ICMP_V6 = 16 };

/* Makes room for one more of size bytes in *p (capacity *cap, n used); 0 or -1. */
static int grow(void **p, size_t *cap, size_t n, size_t size, size_t first)
{
	if (n < *cap)
		return 0;
	size_t nc = *cap ? *cap * 2 : first;
	void *nv = realloc(*p, nc * size);
	if (!nv)
		return -1;
	*p = nv;
	*cap = nc;
	return 0;
}

static void pack(struct trace_evrec *r, const struct trace_event *e)
{
	r->ts_us = e->ts_us;
	r->id = e->id;
	r->flow = e->flow;
	r->type = e->type;
	r->side = (int8_t)e->side;
	if (e->type == TRACE_EV_PACKET) {
		r->u.p.seq = e->seq;
		r->u.p.ack = e->ack;
		r->u.p.len = e->len;
		r->u.p.wire_len = e->wire_len;
		r->u.p.win = e->win;
		r->u.p.flags = e->flags;
		r->u.p.l4 = (uint8_t)e->l4;
		r->u.p.ip_proto = e->ip_proto;
		r->u.p.icmp_type = e->icmp_type;
		r->u.p.icmp_code = e->icmp_code;
	} else {
		r->u.s.cause = e->cause >= 0 ? (uint32_t)e->cause + 1 : 0;
		r->u.s.timer_ms = e->timer_ms;
		r->u.s.from = (uint8_t)e->from;
		r->u.s.to = (uint8_t)e->to;
		r->u.s.source = e->source;
		r->u.s.via = (uint8_t)e->via;
	}
	r->bits = (e->has_seq ? EVB_HAS_SEQ : 0) | (e->seq_abs ? EVB_SEQ_ABS : 0) |
		  (e->has_ack ? EVB_HAS_ACK : 0) | (e->ack_abs ? EVB_ACK_ABS : 0) |
		  (e->has_win ? EVB_HAS_WIN : 0) | (e->retransmission ? EVB_RETX : 0) |
		  (e->dup_ack ? EVB_DUP_ACK : 0) | (e->zero_window ? EVB_ZERO_WIN : 0);
	r->bits2 = (e->handoff ? EVB2_HANDOFF : 0) | (e->has_addrs ? EVB2_HAS_ADDRS : 0) |
		   (e->has_ports ? EVB2_HAS_PORTS : 0) | (e->icmp ? EVB2_ICMP : 0) |
		   (e->icmp_v6 ? EVB2_ICMP_V6 : 0);
}

int trace_model_store_keep(struct trace_model *m, const struct trace_event *e)
{
	struct trace_evrec r;

	memset(&r, 0, sizeof(r));
	pack(&r, e);
	if (e->preview) {
		size_t n = strlen(e->preview) + 1;
		while (m->npv + n > m->cap_pv) {
			size_t nc = m->cap_pv ? m->cap_pv * 2 : 65536;
			char *np = realloc(m->pv, nc);
			if (!np)
				return -1;
			m->pv = np;
			m->cap_pv = nc;
		}
		memcpy(m->pv + m->npv, e->preview, n);
		r.preview = (uint32_t)m->npv + 1;
		m->npv += n;
	}
	if (e->opt.any) {
		if (grow((void **)&m->evopt, &m->cap_evopt, m->nevopt, sizeof(*m->evopt), 256) < 0)
			return -1;
		m->evopt[m->nevopt++] = e->opt;
		r.opt = (uint32_t)m->nevopt;
	}
	if (e->has_addrs || e->has_ports || e->truncated || e->invalid) {
		if (grow((void **)&m->evrare, &m->cap_evrare, m->nevrare, sizeof(*m->evrare), 256) < 0)
			return -1;
		struct trace_evrare *x = &m->evrare[m->nevrare++];
		x->src = e->src;
		x->dst = e->dst;
		x->truncated = e->truncated;
		x->invalid = e->invalid;
		r.rare = (uint32_t)m->nevrare;
	}
	if (grow((void **)&m->ev, &m->cap_ev, m->nev, sizeof(*m->ev), 256) < 0)
		return -1;
	m->ev[m->nev++] = r;
	return 0;
}

void trace_model_event_get(const struct trace_model *m, size_t i, struct trace_event *e)
{
	const struct trace_evrec *r = &m->ev[i];

	memset(e, 0, sizeof(*e));
	e->ts_us = r->ts_us;
	e->id = r->id;
	e->type = r->type;
	e->flow = r->flow;
	e->side = r->side;
	e->cause = -1;		/* what trace_model_event_new starts every event with */
	e->timer_ms = -1;
	if (r->type == TRACE_EV_PACKET) {
		e->seq = r->u.p.seq;
		e->ack = r->u.p.ack;
		e->len = r->u.p.len;
		e->wire_len = r->u.p.wire_len;
		e->win = r->u.p.win;
		e->flags = r->u.p.flags;
		e->l4 = (enum trace_l4)r->u.p.l4;
		e->ip_proto = r->u.p.ip_proto;
		e->icmp_type = r->u.p.icmp_type;
		e->icmp_code = r->u.p.icmp_code;
	} else {
		e->cause = r->u.s.cause ? (int64_t)r->u.s.cause - 1 : -1;
		e->timer_ms = r->u.s.timer_ms;
		e->from = (enum trace_state)r->u.s.from;
		e->to = (enum trace_state)r->u.s.to;
		e->source = r->u.s.source;
		e->via = (enum trace_kvia)r->u.s.via;
	}
	e->has_seq = !!(r->bits & EVB_HAS_SEQ);
	e->seq_abs = !!(r->bits & EVB_SEQ_ABS);
	e->has_ack = !!(r->bits & EVB_HAS_ACK);
	e->ack_abs = !!(r->bits & EVB_ACK_ABS);
	e->has_win = !!(r->bits & EVB_HAS_WIN);
	e->retransmission = !!(r->bits & EVB_RETX);
	e->dup_ack = !!(r->bits & EVB_DUP_ACK);
	e->zero_window = !!(r->bits & EVB_ZERO_WIN);
	e->handoff = !!(r->bits2 & EVB2_HANDOFF);
	e->has_addrs = !!(r->bits2 & EVB2_HAS_ADDRS);
	e->has_ports = !!(r->bits2 & EVB2_HAS_PORTS);
	e->icmp = !!(r->bits2 & EVB2_ICMP);
	e->icmp_v6 = !!(r->bits2 & EVB2_ICMP_V6);
	e->preview = r->preview ? m->pv + r->preview - 1 : NULL;
	if (r->opt)
		e->opt = m->evopt[r->opt - 1];
	if (r->rare) {
		const struct trace_evrare *x = &m->evrare[r->rare - 1];
		e->src = x->src;
		e->dst = x->dst;
		e->truncated = x->truncated;
		e->invalid = x->invalid;
	}
}

void trace_model_store_put(struct trace_model *m, size_t i, const struct trace_event *e)
{
	struct trace_evrec *r = &m->ev[i];

	/* Only the scalar fields change (a kernel event tied to its flow late): the preview,
	 * options and addresses kept aside stay where they are. */
	pack(r, e);
}
