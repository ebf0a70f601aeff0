/* trace/kstate.h: the kernel's view of TCP states for a live capture: sources, notes, hooks, -Z. */
#ifndef TRACE_KSTATE_H
#define TRACE_KSTATE_H

#include <stddef.h>
#include <stdint.h>

#include "trace/ktrace.h"
#include "trace/sockdiag.h"

#define TRACE_KSTATE_MAX_PORTS 16
#define TRACE_KSTATE_MAX_NOTES 6

struct trace_kstate_opts {
	int offline;				/* -r FILE: no kernel to ask */
	int no_kernel;				/* --no-kernel: neither source */
	const char *user;			/* -Z USER, dropped to in the active hook */
	const char *netns[TRACE_SOCKDIAG_MAX_NS];	/* --netns NAME|PATH, repeatable */
	size_t nnetns;
	uint16_t ports[TRACE_KSTATE_MAX_PORTS];	/* from the BPF filter (trace_kstate_ports) */
	size_t nports;
	const char *tracefs_root;		/* NULL: /sys/kernel/tracing */
};

/* The sources that opened, why the others did not, and where events go. */
struct trace_kstate {
	struct trace_ktrace kt;
	struct trace_sockdiag sd;
	int opened;				/* trace_kstate_open ran: close has work */
	int tracepoint, sock_diag;		/* source is on */
	const char *user;			/* -Z */
	char notes[TRACE_KSTATE_MAX_NOTES][200];	/* "tracefs: mount ...: Operation not permitted" */
	size_t nnotes;
	int read_failed, poll_failed;		/* a note was already written for it */
	size_t notes_given;			/* notes already handed to the model */
	int described;				/* the namespaces were handed over */
	uint64_t events;
};

/* Opens what the machine offers. A source that is unavailable is only a note; -1 (with
 * err) only for what the user asked for explicitly and cannot have (a --netns that
 * does not open). */
int trace_kstate_open(struct trace_kstate *ks, const struct trace_kstate_opts *o, char *err,
		      size_t errlen);

/* The periodic tick: what the tracepoint holds, then a sock_diag poll. Returns events. */
int trace_kstate_poll(struct trace_kstate *ks, trace_kevent_fn fn, void *arg);

/* Just before the capture stops: drains the tracepoint, hands out the events still
 * waiting for a port, and polls sock_diag a last time. Returns events. */
int trace_kstate_finish(struct trace_kstate *ks, trace_kevent_fn fn, void *arg);

struct trace_model;

/* Tells the model which sources are on, the notes so far, and the namespaces polled;
 * called again, it adds only the notes written since. */
int trace_kstate_describe(struct trace_kstate *ks, struct trace_model *m);

/* The capture loop's hooks (struct trace_capture_hooks; arg: the struct trace_kstate).
 * active: once the capture, the pcap file and the sources are open, drops to -Z's user
 * (the only hook that fails: -1 with err). tick: trace_kstate_poll into the model.
 * before_stop: trace_kstate_finish into the model, then describe. A source that fails
 * while running becomes a note; the capture goes on. */
int trace_kstate_active(void *arg, struct trace_model *m, char *err, size_t errlen);
int trace_kstate_tick(void *arg, struct trace_model *m, char *err, size_t errlen);
int trace_kstate_before_stop(void *arg, struct trace_model *m, char *err, size_t errlen);

/* Releases every source and removes the tracefs instance. Safe twice, and on a zeroed
 * struct that was never opened. */
void trace_kstate_close(struct trace_kstate *ks);

/* The ports named in a BPF filter ("port N", "src port N", "dst port N"), without
 * duplicates. Returns how many were stored (at most max). */
size_t trace_kstate_ports(const char *filter, uint16_t *ports, size_t max);

/* -Z USER: supplementary groups, gid, then uid of USER; checks that root cannot be
 * regained. Err: "-Z nosuch: no such user". */
int trace_kstate_drop_privs(const char *user, char *err, size_t errlen);

#endif
