/* trace/tcpstate.h: the RFC 9293 state machine of both ends of a TCP connection, run from packets. */
#ifndef TRACE_TCPSTATE_H
#define TRACE_TCPSTATE_H

#include <stdint.h>

#include "trace/decode.h"

/* RFC 9293 states, one enum everywhere; JSON names are trace_state_name()'s. */
enum trace_state {
	TRACE_ST_NONE = 0,	/* not known / not yet seen */
	TRACE_ST_CLOSED,
	TRACE_ST_LISTEN,
	TRACE_ST_SYN_SENT,
	TRACE_ST_SYN_RECEIVED,
	TRACE_ST_ESTABLISHED,
	TRACE_ST_FIN_WAIT_1,
	TRACE_ST_FIN_WAIT_2,
	TRACE_ST_CLOSE_WAIT,
	TRACE_ST_CLOSING,
	TRACE_ST_LAST_ACK,
	TRACE_ST_TIME_WAIT,
};

/* "ESTABLISHED", "FIN_WAIT_1", ...; "NONE" for TRACE_ST_NONE. */
const char *trace_state_name(enum trace_state s);
/* The inverse of trace_state_name; also takes the kernel's names ("TCP_SYN_RECV",
 * "FIN_WAIT1", "CLOSE"). Returns -1 for an unknown name. */
int trace_state_from_name(const char *name, enum trace_state *out);

enum { TRACE_CLIENT = 0, TRACE_SERVER = 1 };

/* One end, as far as the packets tell. Sequence numbers are absolute. */
struct trace_tcp_side {
	enum trace_state st, initial;
	int passive;			/* entered SYN_RECEIVED from LISTEN */
	int isn_known, snd_known, fin_sent;
	uint32_t isn, snd_max, fin_seq;	/* fin_seq: the FIN's own sequence number */
	int64_t last_change_us;
	/* A received FIN counts once this side acknowledges it or receives a later segment:
	 * a FIN of its own that does not acknowledge it crossed it on the wire (3.6). */
	int fin_pending, fin_missed;
	uint32_t fin_cause;
	int64_t fin_us;
	/* A SYN to a side not yet heard from: LISTEN or CLOSED is known only from its answer. */
	int syn_pending;
	uint32_t syn_cause;
	int64_t syn_us;
	/* duplicate-ACK detection */
	int have_last;
	uint32_t last_ack;
	uint16_t last_win;
};

struct trace_tcp {
	struct trace_tcp_side s[2];	/* TRACE_CLIENT, TRACE_SERVER */
	int established;		/* the handshake completed */
};

/* Called for every inferred transition. cause is the event id of the packet. */
typedef void (*trace_tcp_emit_fn)(void *arg, int side, enum trace_state from,
				  enum trace_state to, int64_t ts_us, uint32_t cause);

/* What a segment says beyond its flags (for history letters, counters, event flags). */
struct trace_tcp_notes {
	int retransmission, dup_ack, zero_window, gap;
	int completes_handshake;
};

/* Sets both ends up from the first packet of a flow sent by `from`. */
void trace_tcp_init(struct trace_tcp *t, int from, const struct trace_pkt *k);

/* Runs one segment sent by side `from` (TRACE_CLIENT / TRACE_SERVER), event id `id`.
 * delivered 0: a rule dropped it on its way (the drop log): it changes its sender only. */
void trace_tcp_packet(struct trace_tcp *t, int from, const struct trace_pkt *k, int64_t ts_us,
		      uint32_t id, int delivered, struct trace_tcp_notes *notes, trace_tcp_emit_fn emit,
		      void *arg);

/* End of the capture: receptions still pending happen now. */
void trace_tcp_finish(struct trace_tcp *t, trace_tcp_emit_fn emit, void *arg);

/* Modular sequence comparisons (RFC 9293 section 3.4). */
static inline int trace_seq_lt(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }
static inline int trace_seq_le(uint32_t a, uint32_t b) { return (int32_t)(a - b) <= 0; }

#endif
