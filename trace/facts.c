/* trace/facts.c: facts of a TCP connection a course asks for that no other part of the model keeps: the handshake's times and each side's smallest receive window. */
#include "trace/facts.h"

#include "trace/tcpstate.h"

int trace_facts_shift(const struct trace_facts_syn *syn, int from)
{
	if (!syn->seen[TRACE_CLIENT] || !syn->seen[TRACE_SERVER])
		return -1;
	if (!syn->opt[TRACE_CLIENT].has_wscale || !syn->opt[TRACE_SERVER].has_wscale)
		return 0;
	return syn->opt[from].wscale > TRACE_WSCALE_MAX ? TRACE_WSCALE_MAX : syn->opt[from].wscale;
}

/* SYN -> SYN+ACK -> ACK. A retransmitted SYN restarts the clock: the SYN+ACK most likely
 * answers the copy that got through, so the time is a round trip and not the SYN's
 * retransmission timeout (Wireshark's iRTT counts from the first SYN instead). */
static void handshake(struct trace_facts *x, int from, const struct trace_pkt *k, int64_t ts_us)
{
	uint8_t fl = k->tcp_flags;
	int ack = (fl & TRACE_TH_ACK) != 0;

	if (fl & TRACE_TH_RST)
		return;
	if (from == TRACE_CLIENT && (fl & TRACE_TH_SYN) && !ack && !x->have_synack) {
		x->have_syn = 1;
		x->syn_us = ts_us;
		x->syn_seq = k->seq;
	} else if (from == TRACE_SERVER && (fl & TRACE_TH_SYN) && ack && x->have_syn && !x->have_synack &&
		   k->ack == x->syn_seq + 1) {
		x->have_synack = 1;
		x->synack_us = ts_us;
		x->synack_seq = k->seq;
	} else if (from == TRACE_CLIENT && !(fl & TRACE_TH_SYN) && ack && x->have_synack && !x->have_ack &&
		   k->ack == x->synack_seq + 1) {
		x->have_ack = 1;
		x->ack_us = ts_us;
	}
}

/* A SYN's window is never scaled (RFC 7323 2.2) and says what the side could take before
 * the connection existed; a RST's window means nothing. The others are the receive window
 * the side offered its peer. */
static void window(struct trace_facts *x, int from, const struct trace_pkt *k, const struct trace_facts_syn *syn)
{
	int shift;
	uint64_t w;

	if (k->tcp_flags & (TRACE_TH_SYN | TRACE_TH_RST) || (shift = trace_facts_shift(syn, from)) < 0)
		return;
	w = (uint64_t)k->win << shift;
	if (!x->have_win[from] || w < x->win_min[from])
		x->win_min[from] = w;
	x->have_win[from] = 1;
}

void trace_facts_segment(struct trace_facts *x, int from, const struct trace_pkt *k, int64_t ts_us,
			 const struct trace_facts_syn *syn)
{
	handshake(x, from, k, ts_us);
	window(x, from, k, syn);
}
