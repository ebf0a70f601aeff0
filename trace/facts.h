/* trace/facts.h: facts of a TCP connection a course asks for that no other part of the model keeps: the handshake's times and each side's smallest receive window. */
#ifndef TRACE_FACTS_H
#define TRACE_FACTS_H

#include <stdint.h>

#include "trace/decode.h"

/* RFC 7323 2.3: a shift above 14 is taken as 14. */
#define TRACE_WSCALE_MAX 14

struct trace_facts {
	/* the client's latest SYN before the first SYN+ACK that acknowledges it, that SYN+ACK,
	 * and the client's first ACK of it (docs/trace-format.md, handshake_rtt) */
	int have_syn, have_synack, have_ack;
	int64_t syn_us, synack_us, ack_us;
	uint32_t syn_seq, synack_seq;
	/* per side (TRACE_CLIENT, TRACE_SERVER): the smallest window it advertised after its
	 * SYN, in bytes (the field shifted by its scale), once the scale is known */
	int have_win[2];
	uint64_t win_min[2];
};

/* The SYN options of both sides, as far as seen: the window scale in effect depends on both. */
struct trace_facts_syn {
	const struct trace_tcpopt *opt;	/* [2] */
	const int *seen;		/* [2] */
};

/* Takes one TCP segment sent by side `from` at ts_us into the facts. */
void trace_facts_segment(struct trace_facts *x, int from, const struct trace_pkt *k, int64_t ts_us,
			 const struct trace_facts_syn *syn);

/* The shift side `from`'s window fields carry (RFC 7323 2.2: scaling is in effect only when
 * both SYNs carried the option; a side's own option says its shift), or -1 while a SYN is
 * missing and the shift cannot be known. */
int trace_facts_shift(const struct trace_facts_syn *syn, int from);

#endif
