/* trace/zeek.h: Zeek conn.log's `history` letters and `conn_state` for a TCP connection. */
#ifndef TRACE_ZEEK_H
#define TRACE_ZEEK_H

#include <stdint.h>

#define TRACE_HISTORY_MAX 48

/* Zeek's per-endpoint view: what that endpoint has sent. */
enum trace_zeek_ep {
	TRACE_ZEEK_INACTIVE = 0,
	TRACE_ZEEK_SYN_SENT,
	TRACE_ZEEK_SYN_ACK_SENT,
	TRACE_ZEEK_PARTIAL,
	TRACE_ZEEK_ESTABLISHED,
	TRACE_ZEEK_CLOSED,
	TRACE_ZEEK_RESET,
};

struct trace_zeek {
	char history[TRACE_HISTORY_MAX + 1];
	int len;
	uint32_t seen[2];			/* letters recorded once, per direction */
	uint64_t scaled[2][4];			/* counts of c g t w, per direction */
	uint64_t next_scaled[2][4];		/* the count that records the letter again */
	int have_last[2][3];
	uint32_t last_seq[2][3];		/* last SYN, FIN, RST sequence per direction */
	enum trace_zeek_ep ep[2];
	uint64_t size[2];			/* payload bytes */
	int flipped;
};

/* What one segment carried; orig is 1 when the originator (client) sent it. */
struct trace_zeek_seg {
	int orig;
	uint8_t flags;
	uint32_t seq;				/* relative sequence number */
	uint32_t len;				/* payload length */
	int retransmission, gap, zero_window;
};

/* flipped: the first packet was the responder's SYN+ACK (Zeek's '^'). */
void trace_zeek_init(struct trace_zeek *z, int flipped);
void trace_zeek_segment(struct trace_zeek *z, const struct trace_zeek_seg *s);
/* "S0", "SF", "REJ", ...: Zeek's base/protocols/conn/main.zeek conn_state(). */
const char *trace_zeek_conn_state(const struct trace_zeek *z);

#endif
