/* trace/model_flow.c: the model's flows: found or made for each packet, counted, retired when over, and the end of the trace. */
#include "trace/model_flow.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace/model.h"
#include "trace/model_event.h"
#include "trace/model_drop.h"
#include "trace/model_kernel.h"
#include "trace/model_store.h"

static void finish_flow(struct trace_model *m, struct trace_flow *f)
{
	struct trace_emit_ctx c = { m, f };

	if (f->finished)
		return;
	if (f->proto == IPPROTO_TCP) {
		trace_tcp_finish(&f->tcp, trace_model_event_on_state, &c);
		trace_model_kernel_disagreements(f);
	} else if (f->udp) {
		trace_udp_finish(f->udp);
	}
	f->finished = 1;
}

/* Document mode: a retired flow is final; its record goes to the spill file and its
 * memory is freed, so that --max-flows bounds memory as it does in streaming mode. The
 * document reads it back in its place (trace_model_flow): the same flow, the same JSON.
 * Without a spill directory, or when the file cannot be made, it stays in memory. */
static void spill(struct trace_model *m, struct trace_flow *f)
{
	char err[256];
	uint64_t off;

	if (!m->spill && !m->spill_off) {
		m->spill = m->o.spill_dir ? malloc(sizeof(*m->spill)) : NULL;
		if (m->spill && trace_flowspill_open(m->spill, m->o.spill_dir, err, sizeof(err)) < 0) {
			free(m->spill);
			m->spill = NULL;
		}
		m->spill_off = !m->spill;
	}
	if (!m->spill || trace_flowspill_put(m->spill, f, &off) < 0)
		return;	/* a write error is sticky: the document's write reports it */
	m->flows[f->pos].f = NULL;
	m->flows[f->pos].off = off;
	trace_flow_free(f);
}

/* Takes a flow out of the table: finished, summarised, and written out: in streaming mode
 * as a line, in document mode to the spill file. */
static void retire(struct trace_model *m, struct trace_flow *f)
{
	finish_flow(m, f);
	trace_flow_unlink(&m->table, f);
	if (!m->o.sink) {
		spill(m, f);
		return;
	}
	/* Written and freed by the next commit, after the events being made now. */
	if (m->nretired == m->cap_retired) {
		size_t nc = m->cap_retired ? m->cap_retired * 2 : 8;
		struct trace_flow **nv = realloc(m->retired, nc * sizeof(*nv));
		if (!nv) {
			trace_flow_free(f);	/* out of memory: its summary is lost */
			return;
		}
		m->retired = nv;
		m->cap_retired = nc;
	}
	m->retired[m->nretired++] = f;
}

/* Which end serves: the --server-port hint, else a well-known port facing an ephemeral
 * one; returns 1 when dst serves, 0 when src does, -1 when the ports do not tell. */
static int server_is_dst(const struct trace_model *m, uint16_t sport, uint16_t dport)
{
	int hint = m->o.server_port;

	if (hint > 0 && dport == hint && sport != hint)
		return 1;
	if (hint > 0 && sport == hint && dport != hint)
		return 0;
	if (dport < 1024 && sport >= 1024)
		return 1;
	if (sport < 1024 && dport >= 1024)
		return 0;
	return -1;
}

static struct trace_flow *new_flow(struct trace_model *m, uint8_t proto, const struct trace_pkt *k,
				   int64_t ts, int *from)
{
	struct trace_endpoint a = { k->src, k->sport }, b = { k->dst, k->dport };
	int dst_serves;

	if (proto == IPPROTO_TCP && (k->tcp_flags & TRACE_TH_SYN))
		dst_serves = !(k->tcp_flags & TRACE_TH_ACK);
	else if ((dst_serves = server_is_dst(m, k->sport, k->dport)) < 0)
		dst_serves = 1;		/* whoever spoke first is the client */
	if (m->table.live >= m->table.max) {
		retire(m, trace_flow_oldest(&m->table));
		m->table.evicted++;
	}
	if (!m->o.sink && m->nflows == m->cap_flows) {
		size_t nc = m->cap_flows ? m->cap_flows * 2 : 16;
		struct trace_flowref *nv = realloc(m->flows, nc * sizeof(*nv));
		if (!nv)
			return NULL;
		m->flows = nv;
		m->cap_flows = nc;
	}
	struct trace_flow *f = dst_serves ? trace_flow_create(&m->table, proto, &a, &b, ts)
					  : trace_flow_create(&m->table, proto, &b, &a, ts);
	if (!f)
		return NULL;
	if (proto == IPPROTO_UDP && !(f->udp = calloc(1, sizeof(*f->udp)))) {
		trace_flow_unlink(&m->table, f);
		trace_flow_free(f);
		return NULL;
	}
	if (!m->o.sink) {
		f->pos = m->nflows;
		m->flows[m->nflows++] = (struct trace_flowref){ f, 0 };
	}
	*from = dst_serves ? TRACE_CLIENT : TRACE_SERVER;
	if (proto == IPPROTO_TCP) {
		trace_tcp_init(&f->tcp, *from, k);
		trace_zeek_init(&f->zeek, (k->tcp_flags & TRACE_TH_SYN) && (k->tcp_flags & TRACE_TH_ACK));
		f->stage = (k->tcp_flags & TRACE_TH_SYN) ? TRACE_PH_HANDSHAKE : TRACE_PH_DATA;
	}
	trace_model_kernel_claim(m, f);
	return f;
}

/* A TCP connection is over when no side is in a synchronized or opening state and at
 * least one reached CLOSED or TIME-WAIT (both FINs acknowledged, or a RST). */
static int tcp_over(const struct trace_flow *f)
{
	int over = 0;

	for (int i = 0; i < 2; i++) {
		enum trace_state st = f->tcp.s[i].st;
		if (st != TRACE_ST_NONE && st != TRACE_ST_CLOSED && st != TRACE_ST_LISTEN &&
		    st != TRACE_ST_TIME_WAIT)
			return 0;
		over |= st == TRACE_ST_CLOSED || st == TRACE_ST_TIME_WAIT;
	}
	return over;
}

/* A new SYN on the 5-tuple of a connection that is over starts a new connection. */
static int tcp_reused(const struct trace_flow *f, int from, const struct trace_pkt *k)
{
	const struct trace_tcp_side *s = &f->tcp.s[from];

	if ((k->tcp_flags & (TRACE_TH_SYN | TRACE_TH_ACK)) != TRACE_TH_SYN)
		return 0;
	if (s->isn_known && s->isn == k->seq)
		return 0;	/* a retransmission */
	return tcp_over(f);
}

/* Streaming: a TCP connection that is over and has been quiet for TRACE_RETIRE_IDLE_US of
 * capture time is written and freed now rather than when --max-flows evicts it or the
 * capture ends, so memory follows the open connections, not the input's length. The
 * quiet time lets a late retransmitted FIN or last ACK still land in its flow. The walk
 * goes from the least recently active flow and stops at the first recent one; it runs
 * at most once per TRACE_RETIRE_SWEEP_US of capture time. */
void trace_model_flow_sweep(struct trace_model *m, int64_t ts_us)
{
	struct trace_flow *f, *next;

	if (!m->o.sink || m->o.sink->document || (m->swept && ts_us < m->next_sweep_us))
		return;
	m->swept = 1;
	m->next_sweep_us = ts_us + TRACE_RETIRE_SWEEP_US;
	for (f = m->table.oldest; f && f->last_us <= ts_us - TRACE_RETIRE_IDLE_US; f = next) {
		next = f->newer;
		if (f->proto == IPPROTO_TCP && tcp_over(f)) {
			retire(m, f);
			m->retired_idle++;
		}
	}
}

struct trace_flow *trace_model_flow_for(struct trace_model *m, uint8_t proto, const struct trace_pkt *k,
				   int64_t ts, int *from)
{
	struct trace_endpoint a = { k->src, k->sport }, b = { k->dst, k->dport };
	struct trace_flow *f = trace_flow_lookup(&m->table, proto, &a, &b, from);

	if (f && proto == IPPROTO_TCP && tcp_reused(f, *from, k)) {
		retire(m, f);
		f = NULL;
	}
	if (!f)
		f = new_flow(m, proto, k, ts, from);
	if (f)
		trace_flow_touch(&m->table, f);
	return f;
}

void trace_model_flow_count(struct trace_flow *f, int from, const struct trace_pkt *k, int64_t ts)
{
	f->packets[from]++;
	f->bytes[from] += k->ip_len;
	f->frame[from] += k->wirelen;
	f->payload[from] += k->payload_len;
	/* Packets can go back in time (a capture merged from several queues, a clock step). */
	if (ts < f->first_us)
		f->first_us = ts;
	if (ts > f->last_us)
		f->last_us = ts;
}

void trace_model_flow_preview(struct trace_model *m, struct trace_event *e, const struct trace_pkt *k)
{
	if (!k->payload_len || !k->payload_cap)
		return;
	size_t n = k->payload_cap < TRACE_PREVIEW_MAX ? k->payload_cap : TRACE_PREVIEW_MAX;
	e->preview = m->pkt_preview;	/* 4 * TRACE_PREVIEW_MAX + 1: the escaped form's most */
	trace_preview(k->payload, k->payload_cap, n, e->preview);
}

/* The tracepoint sees every namespace: what it saw elsewhere is left out, and said. */
static int foreign_note(struct trace_model *m, int n)
{
	char note[160];

	if (n <= 0)
		return n;
	snprintf(note, sizeof note, "%d tracepoint event%s left out: sockets of another network "
		 "namespace on the traced ports (no flow here, never seen by sock_diag)", n, n == 1 ? "" : "s");
	return trace_model_add_note(m, note);
}

static int ev_cmp(const void *a, const void *b)
{
	const struct trace_evrec *x = a, *y = b;

	if (x->ts_us != y->ts_us)
		return x->ts_us < y->ts_us ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

int trace_model_finish(struct trace_model *m)
{
	if (m->finished)
		return 0;
	m->finished = 1;
	if (m->o.sink) {
		while (m->table.oldest)
			retire(m, m->table.oldest);
		return trace_model_event_commit(m);
	}
	for (size_t i = 0; i < m->nflows; i++)
		if (m->flows[i].f)	/* a spilled flow was finished when it left */
			finish_flow(m, m->flows[i].f);
	if (trace_model_event_commit(m) < 0 || foreign_note(m, trace_model_kernel_drop_foreign(m)) < 0)
		return -1;
	if (trace_model_drop_finish(m) < 0)
		return -1;
	/* Kernel events arrive late: order by time, creation order breaking ties. (m->ev is
	 * NULL without events, and qsort's pointer must not be, even for 0 elements.) */
	if (m->nev)
		qsort(m->ev, m->nev, sizeof(*m->ev), ev_cmp);
	if (m->nev && !(m->index = calloc(m->next_id, sizeof(*m->index))))
		return -1;
	for (size_t i = 0; i < m->nev; i++)
		if (m->ev[i].id < m->next_id)
			m->index[m->ev[i].id] = (uint32_t)i;
	if (m->nev)
		m->cap.start_us = m->ev[0].ts_us;
	return 0;
}
