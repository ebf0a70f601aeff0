/* trace/flow.h: one TCP or UDP conversation (struct trace_flow) and the bounded table that finds it by 5-tuple. */
#ifndef TRACE_FLOW_H
#define TRACE_FLOW_H

#include <stddef.h>
#include <stdint.h>

#include "trace/decode.h"
#include "trace/facts.h"
#include "trace/tcpstate.h"
#include "trace/udpflow.h"
#include "trace/zeek.h"

struct trace_endpoint {
	struct trace_addr addr;
	uint16_t port;
};

enum { TRACE_PH_HANDSHAKE, TRACE_PH_DATA, TRACE_PH_TEARDOWN, TRACE_PH_TIME_WAIT, TRACE_PH_N };

struct trace_phase {
	int set;
	uint32_t first, last;		/* event ids */
	int64_t start_us, end_us;
};

struct trace_icmp_err {
	uint32_t event;
	int64_t quoted;			/* event id of the quoted packet, -1 when not found */
	uint8_t type, code;
	int v6;
};

struct trace_disagreement {
	int side;
	int64_t ts_us;
	enum trace_state inferred, kernel;
	const char *note;
};

#define TRACE_FLOW_HIST 24		/* inferred transitions kept per side */
#define TRACE_FLOW_KOBS 64		/* kernel observations kept per flow */

struct trace_kobs {
	int side, handoff;
	int64_t ts_us;
	enum trace_state st;
};

enum { TRACE_CLOSE_NONE = -1, TRACE_CLOSE_SIMULTANEOUS = 2 };

/* A finished flow evicted from a document is written to a file as this struct plus the
 * lists trace_json_flow reads (trace/flowspill.c): a new pointer member read there must be
 * written there too. */
struct trace_flow {
	uint32_t id;
	size_t pos;			/* document mode: its place in the model's list of flows */
	uint8_t proto;			/* IPPROTO_TCP or IPPROTO_UDP */
	struct trace_endpoint ep[2];	/* TRACE_CLIENT, TRACE_SERVER */
	int64_t first_us, last_us;
	/* bytes[] from the IP header on (as the IP header says), frame[] whole frames as
	 * captured on the wire (link header too, as Wireshark counts), payload[] TCP/UDP payload */
	uint64_t packets[2], bytes[2], frame[2], payload[2];

	/* TCP */
	struct trace_tcp tcp;
	struct trace_zeek zeek;
	struct trace_tcpopt syn_opt[2];
	int syn_opt_seen[2];
	struct trace_facts facts;	/* handshake times, smallest windows */
	int stage;			/* TRACE_PH_HANDSHAKE, _DATA or _TEARDOWN: where packets go */
	struct trace_phase ph[TRACE_PH_N];
	int closed_first;		/* TRACE_CLIENT, TRACE_SERVER, _SIMULTANEOUS or _NONE */
	int close_rst;
	uint64_t retransmissions, dup_acks, zero_windows;
	/* Entries into TIME_WAIT, per side: the first inferred one and the first the kernel
	 * showed (bit per side; time and event id of each). trace_flow_tw_start picks. */
	int tw_inferred, tw_kernel;
	int64_t tw_inf_us[2], tw_k_us[2];
	uint32_t tw_inf_ev[2], tw_k_ev[2];
	int32_t tw_timer_ms;		/* remaining at the first kernel observation */
	/* Both sides' inferred transitions in time order, grown as they come (~10 in a whole
	 * connection; a fixed 2 x TRACE_FLOW_HIST table was 768 bytes of every flow). */
	struct trace_hist { int64_t ts_us; uint8_t side, st; } *hist;
	uint8_t nhist[2], cap_hist;
	int kseen[2], kfinal_handoff[2];
	enum trace_state kfinal[2];	/* the latest kernel observation per side */
	int64_t kfinal_us[2];
	struct trace_kobs *kobs;	/* room for TRACE_FLOW_KOBS, allocated at the first (most flows have none) */
	int nkobs;
	struct trace_disagreement *dis;
	size_t ndis;
	int have_last_pkt[2];
	uint32_t last_pkt[2], last_pkt_seq[2];

	/* UDP: allocated for UDP flows only (its pending queue is 3 KiB; a TCP flow is ~2 KiB) */
	struct trace_udp *udp;
	uint64_t datagrams[2];

	/* both */
	struct trace_icmp_err *icmp;
	size_t nicmp, cap_icmp;
	int finished;
	/* A streamed document (trace/jsondoc.c): how many of its events wait in the writer's
	 * window, whether the flow itself waits for them, and the positions of its events
	 * that the window moved (event id -> index), for the ids the flow refers to. */
	uint32_t inwin;
	int pending;
	struct trace_xl { uint32_t id, idx; } *xl;
	uint32_t nxl, cap_xl;

	/* table links */
	struct trace_flow *hnext, *older, *newer;
};

struct trace_flow_table {
	struct trace_flow **buckets;
	size_t nbuckets;
	struct trace_flow *oldest, *newest;	/* live flows, least recently active first */
	size_t live, max;
	uint32_t next_id;
	uint64_t evicted;
};

int trace_flow_table_init(struct trace_flow_table *t, size_t max, char *err, size_t errlen);
void trace_flow_table_free(struct trace_flow_table *t);	/* frees the table, not the flows */

/* The live flow between a:ap and b:bp; *from is the side a holds in it. */
struct trace_flow *trace_flow_lookup(struct trace_flow_table *t, uint8_t proto,
				     const struct trace_endpoint *a, const struct trace_endpoint *b,
				     int *from);
/* A new live flow (the caller made room with trace_flow_oldest + trace_flow_unlink). */
struct trace_flow *trace_flow_create(struct trace_flow_table *t, uint8_t proto,
				     const struct trace_endpoint *client,
				     const struct trace_endpoint *server, int64_t ts_us);
void trace_flow_touch(struct trace_flow_table *t, struct trace_flow *f);
struct trace_flow *trace_flow_oldest(struct trace_flow_table *t);
void trace_flow_unlink(struct trace_flow_table *t, struct trace_flow *f);
void trace_flow_free(struct trace_flow *f);
/* Frees what f owns (its lists), not f itself. */
void trace_flow_clear(struct trace_flow *f);

int trace_endpoint_eq(const struct trace_endpoint *x, const struct trace_endpoint *y);

#endif
