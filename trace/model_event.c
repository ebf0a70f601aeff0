/* trace/model_event.c: the events of the packet being read: new events, phases, inferred transitions, kept or streamed together. */
#include "trace/model_event.h"

#include <stdlib.h>
#include <string.h>

#include "trace/model_store.h"

/* Keeps (or streams) one finished event. */
static int store(struct trace_model *m, struct trace_event *e)
{
	struct trace_capture_info *c = &m->cap;

	if (!c->have_start) {
		c->have_start = 1;
		c->start_us = c->min_us = c->last_us = e->ts_us;
	}
	/* A document's zero is its earliest event; a stream keeps its first line's, whatever
	 * comes later (an event stamped earlier has a negative t_us there). */
	if (e->ts_us < c->min_us) {
		c->min_us = e->ts_us;
		if (!m->o.sink)
			c->start_us = e->ts_us;
	}
	if (e->ts_us > c->last_us)
		c->last_us = e->ts_us;
	if (m->o.sink) {
		m->o.sink->event(m->o.sink->arg, m, e);
		return 0;
	}
	return trace_model_store_keep(m, e);
}

static int store_batch(struct trace_model *m)
{
	int rc = 0;

	for (int i = 0; i < m->nbatch; i++)
		rc |= store(m, &m->batch[i]);
	m->nbatch = 0;
	return rc;
}

/* The packet being decoded first, then the state changes it caused, then (streaming) the
 * flows retired meanwhile: a flow's line follows every event it refers to. */
int trace_model_event_commit(struct trace_model *m)
{
	int rc = 0;

	if (m->have_pkt) {
		m->have_pkt = 0;
		rc |= store(m, &m->pkt);
	}
	rc |= store_batch(m);
	for (size_t i = 0; i < m->nretired; i++) {
		if (!m->o.sink->flow(m->o.sink->arg, m, m->retired[i]))
			trace_flow_free(m->retired[i]);
	}
	m->nretired = 0;
	return rc ? -1 : 0;
}

struct trace_event *trace_model_event_new(struct trace_model *m, uint8_t type, int64_t ts_us)
{
	struct trace_event *e;

	if (type == TRACE_EV_PACKET) {
		e = &m->pkt;
		m->have_pkt = 1;
	} else {
		if (m->nbatch == (int)(sizeof(m->batch) / sizeof(m->batch[0])))
			store_batch(m);
		e = &m->batch[m->nbatch++];
	}
	memset(e, 0, sizeof(*e));
	e->id = m->next_id++;
	e->type = type;
	e->ts_us = ts_us;
	e->side = -1;
	e->cause = -1;
	e->timer_ms = -1;
	return e;
}

void trace_model_event_phase(struct trace_flow *f, int ph, const struct trace_event *e)
{
	struct trace_phase *p = &f->ph[ph];

	if (!p->set) {
		p->set = 1;
		p->first = p->last = e->id;
		p->start_us = p->end_us = e->ts_us;
		return;
	}
	if (e->ts_us < p->start_us)
		p->first = e->id, p->start_us = e->ts_us;
	if (e->ts_us >= p->end_us)
		p->last = e->id, p->end_us = e->ts_us;
}

/* Keeps one inferred transition (up to TRACE_FLOW_HIST per side; out of memory: dropped). */
void trace_model_event_hist(struct trace_flow *f, int side, enum trace_state to, int64_t ts_us)
{
	int n = f->nhist[0] + f->nhist[1];

	if (f->nhist[side] >= TRACE_FLOW_HIST)
		return;
	if (n == f->cap_hist) {
		int nc = f->cap_hist ? 2 * f->cap_hist : 8;
		struct trace_hist *nv = realloc(f->hist, (size_t)nc * sizeof(*nv));
		if (!nv)
			return;
		f->hist = nv;
		f->cap_hist = (uint8_t)nc;
	}
	f->hist[n] = (struct trace_hist){ ts_us, (uint8_t)side, (uint8_t)to };
	f->nhist[side]++;
}

/* trace_tcp's callback: one inferred transition becomes a state event. */
void trace_model_event_on_state(void *arg, int side, enum trace_state from, enum trace_state to,
		     int64_t ts_us, uint32_t cause)
{
	struct trace_emit_ctx *c = arg;
	struct trace_flow *f = c->f;
	struct trace_event *e = trace_model_event_new(c->m, TRACE_EV_STATE, ts_us);

	e->flow = f->id;
	e->fl = f;
	e->side = side;
	e->from = from;
	e->to = to;
	e->source = TRACE_SRC_INFERRED;
	e->cause = cause;
	trace_model_event_hist(f, side, to, ts_us);
	if (to == TRACE_ST_TIME_WAIT) {
		if (!(f->tw_inferred & 1 << side) || ts_us < f->tw_inf_us[side]) {
			f->tw_inf_us[side] = ts_us;
			f->tw_inf_ev[side] = e->id;
		}
		f->tw_inferred |= 1 << side;
		trace_model_event_phase(f, TRACE_PH_TIME_WAIT, e);
	}
}
