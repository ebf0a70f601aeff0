/* trace/udpflow.h: UDP request/reply pairing (the hello service's reply quotes its request). */
#ifndef TRACE_UDPFLOW_H
#define TRACE_UDPFLOW_H

#include <stddef.h>
#include <stdint.h>

#define TRACE_UDP_PENDING 32	/* requests awaiting a reply; older ones count as unanswered */
#define TRACE_UDP_HEAD 64	/* request bytes kept to recognise "Hello, <request>!" */

struct trace_udp_req {
	uint32_t id;		/* event id */
	int64_t ts_us;
	uint16_t ip_id;
	uint32_t len, headlen;
	uint8_t head[TRACE_UDP_HEAD];
};

struct trace_udp_pair {
	uint32_t request, reply;	/* event ids */
	int64_t rtt_us;
};

/* Growable list of event ids or pairs, bounded so that a long capture stays bounded. */
#define TRACE_LIST_MAX 4096

struct trace_udp {
	struct trace_udp_req *q;	/* grown up to TRACE_UDP_PENDING: a flow has one or two waiting */
	int nq, cap_q;
	struct trace_udp_pair *pairs;
	size_t npairs, cap_pairs;
	uint32_t *unanswered;
	size_t nunanswered, cap_unanswered;
	int lists_truncated;
};

void trace_udp_request(struct trace_udp *u, uint32_t id, int64_t ts_us, uint16_t ip_id,
		       const uint8_t *payload, uint32_t cap, uint32_t len);
/* Pairs a reply with its request; returns 0 and fills *pair, or -1 when nothing waits. */
int trace_udp_reply(struct trace_udp *u, uint32_t id, int64_t ts_us, const uint8_t *payload,
		    uint32_t cap, uint32_t len, struct trace_udp_pair *pair);
/* The request an ICMP error quotes (by IPv4 id when have_id, else the newest sent before
 * ts_us); it is answered by the error, so it leaves the queue as unanswered. Returns its
 * event id, or -1. */
int64_t trace_udp_quoted(struct trace_udp *u, int have_id, uint16_t ip_id, int64_t ts_us);
/* End of capture: what still waits is unanswered. */
void trace_udp_finish(struct trace_udp *u);
void trace_udp_free(struct trace_udp *u);

#endif
