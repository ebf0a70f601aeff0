/* trace/kernel_event.h: a TCP socket state change seen by the kernel (tracepoint or sock_diag). */
#ifndef TRACE_KERNEL_EVENT_H
#define TRACE_KERNEL_EVENT_H

#include <stdint.h>

#include "trace/tcpstate.h"

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

/* Receives each kernel observation; a non-zero return stops the current read. */
typedef int (*trace_kevent_fn)(void *arg, const struct trace_kevent *ev);

#endif
