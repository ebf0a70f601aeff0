/* kernel/tracepoint.h: kernel TCP state changes from the sock:inet_sock_set_state tracepoint (tracefs). */
#ifndef KERNEL_TRACEPOINT_H
#define KERNEL_TRACEPOINT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "kernel/tracepoint_line.h"
#include "trace/kernel_event.h"

#define KERNEL_TRACEPOINT_ROOT "/sys/kernel/tracing"
#define KERNEL_TRACEPOINT_PREFIX "hellolab-"
#define KERNEL_TRACEPOINT_MAX_PORTS 16
#define KERNEL_TRACEPOINT_PENDING 32

/* A private tracefs instance (ROOT/instances/hellolab-PID) with the event enabled and
 * its trace_pipe open non-blocking. A guard child, started before the instance exists,
 * removes it when this process closes the guard pipe or dies (even by SIGKILL), and
 * still can after -Z dropped our privileges. */
struct kernel_tracepoint {
	char root[256];
	char dir[352];
	int pipe_fd;			/* ROOT/instances/NAME/trace_pipe, O_NONBLOCK */
	int guard_fd;			/* write end; closing it tells the guard to clean up */
	pid_t guard_pid;
	int64_t mono_to_real_us;	/* realtime - monotonic, resampled at every read */
	char line[KERNEL_TRACEPOINT_LINE_MAX];
	size_t used;			/* bytes of an unfinished line in line[] */
	int skipping;			/* an overlong line is being discarded up to its '\n' */
	/* The kernel reports SYN_SENT before the source port is chosen (sport=0): such an
	 * event waits here until the same socket's next event tells its port. */
	struct trace_kevent pending[KERNEL_TRACEPOINT_PENDING];
	size_t npending;
	uint64_t lines, bad_lines, events;
};

/* Mounts tracefs at root (NULL: KERNEL_TRACEPOINT_ROOT) when needed, removes stale
 * hellolab-* instances, creates ours with trace_clock mono, a filter on the ports
 * (at least one), and the event enabled. On failure nothing is left behind and err
 * reads e.g. "tracefs: mount /sys/kernel/tracing: Operation not permitted". */
int kernel_tracepoint_open(struct kernel_tracepoint *kt, const char *root, const uint16_t *ports,
		      size_t nports, char *err, size_t errlen);

/* Reads what trace_pipe holds (at most max_bytes, 0 = no limit but bounded
 * internally), calling fn for each TCP state change. Returns the number of events,
 * or -1 with err. */
int kernel_tracepoint_read(struct kernel_tracepoint *kt, size_t max_bytes, trace_kevent_fn fn, void *arg,
		      char *err, size_t errlen);

/* Hands out the events still waiting for a port (as they are). */
int kernel_tracepoint_flush(struct kernel_tracepoint *kt, trace_kevent_fn fn, void *arg);

/* Disables the event, removes the instance (or lets the guard do it), reaps the guard.
 * Safe after a failed open and when called twice. */
void kernel_tracepoint_close(struct kernel_tracepoint *kt);

/* Writes "sport == A || dport == A || ..." into buf. Returns 0, or -1 when it does not fit. */
int kernel_tracepoint_filter(const uint16_t *ports, size_t nports, char *buf, size_t len);

/* Removes instances DIR/hellolab-PID whose PID no longer exists. Returns how many. */
int kernel_tracepoint_sweep(const char *instances_dir);

#endif
