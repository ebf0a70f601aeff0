/* trace/model_packet.c: one decoded packet into the model: its flow, states, phases, counters. */
#include "trace/model_packet.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "trace/model.h"
#include "trace/model_drop.h"
#include "trace/model_event.h"
#include "trace/model_flow.h"

/* ---- packets ---- */

static void tcp_close_order(struct trace_flow *f, int from, const struct trace_pkt *k)
{
	uint8_t fl = k->tcp_flags;
	const struct trace_tcp_side *peer = &f->tcp.s[!from];

	if (!(fl & (TRACE_TH_FIN | TRACE_TH_RST)))
		return;
	if (f->closed_first == TRACE_CLOSE_NONE) {
		/* A RST that refuses a SYN is a rejection, not a close. */
		if ((fl & TRACE_TH_FIN) || f->tcp.established) {
			f->closed_first = from;
			f->close_rst = !(fl & TRACE_TH_FIN);
		}
		return;
	}
	/* Our FIN does not acknowledge theirs: the two crossed (RFC 9293 3.6, Figure 13). */
	if (f->closed_first == !from && !f->close_rst && (fl & TRACE_TH_FIN) &&
	    !f->tcp.s[from].fin_sent && peer->fin_sent &&
	    !((fl & TRACE_TH_ACK) && trace_seq_le(peer->fin_seq + 1, k->ack)))
		f->closed_first = TRACE_CLOSE_SIMULTANEOUS;
}

static void tcp_phase(struct trace_flow *f, const struct trace_event *e,
		      const struct trace_tcp_notes *n, uint8_t fl, uint32_t len)
{
	int closing = fl & (TRACE_TH_FIN | TRACE_TH_RST);

	if (f->stage == TRACE_PH_HANDSHAKE) {
		if (n->completes_handshake) {
			trace_model_event_phase(f, TRACE_PH_HANDSHAKE, e);
			f->stage = closing ? TRACE_PH_TEARDOWN : TRACE_PH_DATA;
			return;
		}
		if (fl & TRACE_TH_FIN)
			f->stage = TRACE_PH_TEARDOWN;
		else if (len && !(fl & (TRACE_TH_SYN | TRACE_TH_RST)))
			f->stage = TRACE_PH_DATA;	/* the handshake's end was not seen */
	} else if (f->stage == TRACE_PH_DATA && closing) {
		f->stage = TRACE_PH_TEARDOWN;
	}
	trace_model_event_phase(f, f->stage, e);
}

static void tcp_event_fields(struct trace_model *m, struct trace_flow *f, int from, const struct trace_pkt *k,
			     struct trace_event *e)
{
	const struct trace_tcp_side *s = &f->tcp.s[from], *r = &f->tcp.s[!from];

	e->flags = k->tcp_flags;
	e->has_seq = e->has_win = 1;
	e->seq = s->isn_known ? k->seq - s->isn : k->seq;
	e->seq_abs = !s->isn_known;
	if (k->tcp_flags & TRACE_TH_ACK) {
		e->has_ack = 1;
		e->ack = r->isn_known ? k->ack - r->isn : k->ack;
		e->ack_abs = !r->isn_known;
	}
	e->win = k->win;
	e->len = k->payload_len;
	e->opt = k->opt;
	for (int i = 0; i < e->opt.nsack && r->isn_known; i++) {
		e->opt.sack[i][0] -= r->isn;
		e->opt.sack[i][1] -= r->isn;
	}
	trace_model_flow_preview(m, e, k);
}

static void tcp_packet(struct trace_model *m, struct trace_event *e, const struct trace_pkt *k,
		       int64_t ts, int delivered)
{
	int from;
	struct trace_flow *f = trace_model_flow_for(m, IPPROTO_TCP, k, ts, &from);
	struct trace_tcp_notes n;

	if (!f)
		return;
	struct trace_emit_ctx c = { m, f };
	e->flow = f->id;
	e->fl = f;
	e->side = from;
	tcp_close_order(f, from, k);
	trace_tcp_packet(&f->tcp, from, k, ts, e->id, delivered, &n, trace_model_event_on_state, &c);
	tcp_event_fields(m, f, from, k, e);
	e->retransmission = n.retransmission;
	e->dup_ack = n.dup_ack;
	e->zero_window = n.zero_window;
	f->retransmissions += n.retransmission;
	f->dup_acks += n.dup_ack;
	f->zero_windows += n.zero_window;
	if ((k->tcp_flags & TRACE_TH_SYN) && !f->syn_opt_seen[from]) {
		f->syn_opt_seen[from] = 1;
		f->syn_opt[from] = k->opt;
	}
	struct trace_facts_syn syn = { f->syn_opt, f->syn_opt_seen };
	trace_facts_segment(&f->facts, from, k, ts, &syn);
	struct trace_zeek_seg zs = {
		.orig = from == TRACE_CLIENT, .flags = k->tcp_flags, .seq = e->seq,
		.len = k->payload_len, .retransmission = n.retransmission, .gap = n.gap,
		.zero_window = n.zero_window,
	};
	trace_zeek_segment(&f->zeek, &zs);
	tcp_phase(f, e, &n, k->tcp_flags, k->payload_len);
	trace_model_flow_count(f, from, k, ts);
	f->have_last_pkt[from] = 1;
	f->last_pkt[from] = e->id;
	f->last_pkt_seq[from] = k->seq;
}

static void udp_packet(struct trace_model *m, struct trace_event *e, const struct trace_pkt *k,
		       int64_t ts)
{
	int from;
	struct trace_flow *f = trace_model_flow_for(m, IPPROTO_UDP, k, ts, &from);
	struct trace_udp_pair pair;

	if (!f)
		return;
	e->flow = f->id;
	e->fl = f;
	e->side = from;
	e->len = k->payload_len;
	trace_model_flow_preview(m, e, k);
	trace_model_flow_count(f, from, k, ts);
	f->datagrams[from]++;
	if (from == TRACE_CLIENT)
		trace_udp_request(f->udp, e->id, ts, k->have_ip == 4 ? k->ip_id : 0,
				  k->payload, k->payload_cap, k->payload_len);
	else
		trace_udp_reply(f->udp, e->id, ts, k->payload, k->payload_cap, k->payload_len, &pair);
}

static void add_icmp_error(struct trace_flow *f, const struct trace_icmp_err *ie)
{
	if (f->nicmp >= TRACE_LIST_MAX)
		return;
	if (f->nicmp == f->cap_icmp) {
		size_t nc = f->cap_icmp ? f->cap_icmp * 2 : 4;
		struct trace_icmp_err *nv = realloc(f->icmp, nc * sizeof(*nv));
		if (!nv)
			return;
		f->icmp = nv;
		f->cap_icmp = nc;
	}
	f->icmp[f->nicmp++] = *ie;
}

/* An ICMP error belongs to the flow of the packet it quotes. */
static void icmp_packet(struct trace_model *m, struct trace_event *e, const struct trace_pkt *k,
			int64_t ts)
{
	const struct trace_quote *q = &k->quote;
	struct trace_endpoint a = { q->src, q->sport }, b = { q->dst, q->dport };
	int qfrom;

	e->icmp = 1;
	e->icmp_v6 = k->l4 == TRACE_L4_ICMP6;
	e->icmp_type = k->icmp_type;
	e->icmp_code = k->icmp_code;
	if (!k->icmp_error || !q->have_ports || (q->proto != IPPROTO_TCP && q->proto != IPPROTO_UDP))
		return;
	struct trace_flow *f = trace_flow_lookup(&m->table, q->proto, &a, &b, &qfrom);
	if (!f)
		return;
	e->flow = f->id;
	e->fl = f;
	for (int s = 0; s < 2; s++)
		if (trace_addr_eq(&f->ep[s].addr, &k->src))
			e->side = s;
	struct trace_icmp_err ie = { e->id, -1, k->icmp_type, k->icmp_code, e->icmp_v6 };
	if (f->proto == IPPROTO_UDP && qfrom == TRACE_CLIENT)
		ie.quoted = trace_udp_quoted(f->udp, q->src.family == AF_INET, q->ip_id, ts);
	else if (f->proto == IPPROTO_TCP && f->have_last_pkt[qfrom] &&
		 (!q->have_seq || f->last_pkt_seq[qfrom] == q->seq))
		ie.quoted = f->last_pkt[qfrom];
	add_icmp_error(f, &ie);
}

static int add_packet(struct trace_model *m, int64_t ts_us, int bad_time, const uint8_t *p,
		      uint32_t caplen, uint32_t wirelen)
{
	struct trace_pkt k;
	int r = trace_decode(m->cap.dlt, p, caplen, wirelen, &k);
	struct trace_event *e = trace_model_event_new(m, TRACE_EV_PACKET, ts_us);
	/* a packet a rule dropped (the drop log said so before it came here) reached nobody */
	const char *dropped = r < 0 ? NULL : trace_model_drop_take(m, &k, e->id, ts_us);

	trace_model_flow_sweep(m, ts_us);
	m->cap.packets_seen++;
	m->cap.last_pkt_us = ts_us;
	e->wire_len = wirelen;
	e->l4 = k.l4;
	e->ip_proto = k.ip_proto;
	if (r < 0)
		k.invalid = "link type";
	else if (bad_time && !k.invalid)
		k.invalid = "timestamp";
	e->truncated = k.truncated;
	e->invalid = k.invalid;
	m->cap.packets_truncated += k.truncated != NULL;
	m->cap.packets_invalid += k.invalid != NULL;
	if (k.have_ip) {
		e->has_addrs = 1;
		e->src.addr = k.src;
		e->dst.addr = k.dst;
	}
	int whole = k.l4_complete && !k.invalid;
	if (k.l4 == TRACE_L4_TCP && whole) {
		tcp_packet(m, e, &k, ts_us, dropped == NULL);
	} else if (k.l4 == TRACE_L4_UDP && whole) {
		udp_packet(m, e, &k, ts_us);
	} else if ((k.l4 == TRACE_L4_ICMP || k.l4 == TRACE_L4_ICMP6) && k.l4_complete) {
		icmp_packet(m, e, &k, ts_us);
	} else if ((k.l4 == TRACE_L4_TCP || k.l4 == TRACE_L4_UDP) && (k.sport || k.dport)) {
		/* Cut or broken, but its ports still name its flow. */
		struct trace_endpoint a = { k.src, k.sport }, b = { k.dst, k.dport };
		int from;
		struct trace_flow *f = trace_flow_lookup(&m->table, k.l4 == TRACE_L4_TCP ?
							 IPPROTO_TCP : IPPROTO_UDP, &a, &b, &from);
		if (f)
			e->flow = f->id, e->fl = f, e->side = from;
		e->has_ports = 1;
		e->src.port = k.sport;
		e->dst.port = k.dport;
	}
	if (e->flow && !e->icmp)
		e->has_addrs = 0;
	trace_model_drop_saw(m, &k, e->id, ts_us, dropped != NULL);
	return trace_model_event_commit(m);
}

int trace_model_add_packet(struct trace_model *m, int64_t ts_us, const uint8_t *p,
			   uint32_t caplen, uint32_t wirelen)
{
	return add_packet(m, ts_us, 0, p, caplen, wirelen);
}

int trace_model_add_packet_at(struct trace_model *m, const struct trace_tstamp *t, const uint8_t *p,
			      uint32_t caplen, uint32_t wirelen)
{
	struct trace_capture_info *c = &m->cap;
	int64_t ts;
	int bad;

	if (!c->have_origin) {
		c->have_origin = 1;
		c->origin_s = c->live ? 0 : t->sec;
	}
	if ((bad = trace_tstamp_since(t, c->origin_s, &ts) < 0))
		ts = c->packets_seen ? c->last_pkt_us : 0;
	if (trace_model_drop_holding(m))
		return trace_model_drop_hold(m, ts, bad, p, caplen, wirelen);
	return add_packet(m, ts, bad, p, caplen, wirelen);
}

int trace_model_release(struct trace_model *m, int64_t upto_us)
{
	struct trace_drop_held h;
	int rc = 0;

	while (trace_model_drop_next_held(m, upto_us, &h)) {
		if (rc == 0 && add_packet(m, h.ts, h.bad, h.bytes, h.caplen, h.wirelen) < 0)
			rc = -1;
		free(h.bytes);
	}
	return rc;
}
