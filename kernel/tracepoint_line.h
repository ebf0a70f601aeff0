/* kernel/tracepoint_line.h: one trace_pipe line of sock:inet_sock_set_state parsed into a kernel event, every field bounded. */
#ifndef KERNEL_TRACEPOINT_LINE_H
#define KERNEL_TRACEPOINT_LINE_H

#include <stddef.h>

#include "trace/kernel_event.h"

/* The longest line parsed: a longer one is counted bad and skipped. */
#define KERNEL_TRACEPOINT_LINE_MAX 1024

/* Parses one trace_pipe line (no '\n'). Returns 0 and fills ev (ts_us is the trace
 * clock in microseconds, still monotonic) for an inet_sock_set_state TCP event, 1 for
 * a line that is not one (another event, another protocol), -1 for a malformed one. */
int kernel_tracepoint_line_parse(const char *line, size_t len, struct trace_kevent *ev);

/* TCP_ESTABLISHED ... TCP_NEW_SYN_RECV (the kernel's names) -> enum trace_state;
 * TRACE_ST_NONE when unknown. */
enum trace_state kernel_tracepoint_line_state(const char *name, size_t len);

/* The tracepoint's "hand-off": the kernel closes the full socket when it passes the
 * connection to a time-wait socket (tcp_time_wait() -> tcp_done()). */
int kernel_tracepoint_line_handoff(enum trace_state from, enum trace_state to);

#endif
