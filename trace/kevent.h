/* trace/kevent.h: a TCP socket state change seen by the kernel (tracepoint or sock_diag). */
#ifndef TRACE_KEVENT_H
#define TRACE_KEVENT_H

#include <stdint.h>

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

enum trace_kvia {
	TRACE_VIA_TRACEPOINT = 1,	/* sock:inet_sock_set_state through tracefs */
	TRACE_VIA_SOCK_DIAG,		/* NETLINK_INET_DIAG poll */
};

/* One kernel observation: the socket (saddr:sport -> daddr:dport, from the socket's own
 * point of view) went from oldstate to newstate at ts_us (microseconds since the Unix
 * epoch, already converted from the trace clock). For sock_diag, oldstate is
 * TRACE_ST_NONE and timer_ms is the remaining timer (-1 when none). */
struct trace_kevent {
	int64_t ts_us;
	int family;			/* AF_INET or AF_INET6 */
	uint8_t saddr[16], daddr[16];	/* IPv4 in the first 4 bytes */
	uint16_t sport, dport;		/* host byte order */
	enum trace_state oldstate, newstate;
	enum trace_kvia via;
	int32_t timer_ms;
	int handoff;			/* tracepoint FIN_WAIT2 -> CLOSE into a time-wait socket */
};

#endif
