/* kernel/sources.h: the kernel's view of TCP states for a live capture: sources, notes, hooks, -Z. */
#ifndef KERNEL_SOURCES_H
#define KERNEL_SOURCES_H

#include <stddef.h>
#include <stdint.h>

#include "kernel/tracepoint.h"
#include "kernel/droplog.h"
#include "kernel/sockdiag.h"

#define KERNEL_SOURCES_MAX_PORTS 16
#define KERNEL_SOURCES_MAX_NOTES 8

struct kernel_sources_opts {
	int offline;				/* -r FILE: no kernel to ask */
	int no_kernel;				/* --no-kernel: neither source */
	const char *user;			/* -Z USER, dropped to in the active hook */
	const char *netns[KERNEL_SOCKDIAG_MAX_NS];	/* --netns NAME|PATH, repeatable */
	size_t nnetns;
	uint16_t ports[KERNEL_SOURCES_MAX_PORTS];	/* from the BPF filter (kernel_sources_ports) */
	size_t nports;
	const char *tracefs_root;		/* NULL: /sys/kernel/tracing */
	int drop_group;				/* --drop-log GROUP (1..65535); 0: off */
};

/* The sources that opened, why the others did not, and where events go. */
struct kernel_sources {
	struct kernel_tracepoint kt;
	struct kernel_sockdiag sd;
	struct kernel_droplog dl;
	int drop_log;				/* the drop log is on */
	int opened;				/* kernel_sources_open ran: close has work */
	int tracepoint, sock_diag;		/* source is on */
	const char *user;			/* -Z */
	char notes[KERNEL_SOURCES_MAX_NOTES][320];	/* "tracefs: mount ...: Operation not permitted" */
	size_t nnotes;
	int read_failed, poll_failed;		/* a note was already written for it */
	size_t notes_given;			/* notes already handed to the model */
	int described;				/* the namespaces were handed over */
	uint64_t events;
	/* sock_diag under load (kernel_sources_tick): the last poll's time and packet count */
	int64_t diag_ms;
	uint64_t diag_packets;
};

/* While packets come faster than this, sock_diag polls at most every
 * KERNEL_SOURCES_BUSY_POLL_MS instead of every tick: a dump walks the kernel's whole
 * table of established sockets, every namespace's (262,144 buckets on a 24 GiB machine,
 * about 1.5 ms a dump, two a poll), which at every tick takes 6 % of a CPU from the
 * programs traced. A lab's exchanges never come near this rate; a load test's sockets
 * live for the whole test, and the last poll before the stop still runs. */
#define KERNEL_SOURCES_BUSY_PPS 20000
#define KERNEL_SOURCES_BUSY_POLL_MS 1000

/* Opens what the machine offers. A source that is unavailable is only a note; -1 (with
 * err) only for what the user asked for explicitly and cannot have (a --netns that
 * does not open). */
int kernel_sources_open(struct kernel_sources *ks, const struct kernel_sources_opts *o, char *err,
		      size_t errlen);

/* The periodic tick: what the tracepoint holds, then a sock_diag poll. Returns events. */
int kernel_sources_poll(struct kernel_sources *ks, trace_kevent_fn fn, void *arg);

/* Just before the capture stops: drains the tracepoint, hands out the events still
 * waiting for a port, and polls sock_diag a last time. Returns events. */
int kernel_sources_finish(struct kernel_sources *ks, trace_kevent_fn fn, void *arg);

struct trace_model;
struct trace_feed;

/* Tells the model (through the feed, trace/feed.h) which sources are on, the notes so far,
 * and the namespaces polled; called again, it adds only the notes written since. */
int kernel_sources_describe(struct kernel_sources *ks, struct trace_feed *f);

/* The capture loop's hooks (struct trace_capture_hooks; arg: the struct kernel_sources).
 * active: once the capture, the pcap file and the sources are open, drops to -Z's user,
 * and turns the model's drop matching on when the drop log opened (-1 with err when
 * either fails). tick: kernel_sources_poll and the drop log into the model, then the
 * packets the drop log has been read past (-1 only when out of memory); what they find
 * goes through the feed, so the model takes it in order with the packets. before_stop:
 * kernel_sources_finish and the drop log into the model, then describe. A source that
 * fails while running becomes a note; the capture goes on. */
int kernel_sources_active(void *arg, struct trace_model *m, char *err, size_t errlen);
int kernel_sources_tick(void *arg, struct trace_feed *f, char *err, size_t errlen);
int kernel_sources_before_stop(void *arg, struct trace_feed *f, char *err, size_t errlen);

/* After the capture's final drain: reads the drop log once more and hands the model every
 * packet still waiting for it (trace_model_release). 0, or -1 when out of memory. */
int kernel_sources_last_drops(struct kernel_sources *ks, struct trace_feed *f);

/* Releases every source and removes the tracefs instance. Safe twice, and on a zeroed
 * struct that was never opened. */
void kernel_sources_close(struct kernel_sources *ks);

/* The ports named in a BPF filter ("port N", "src port N", "dst port N"), without
 * duplicates. Returns how many were stored (at most max). */
size_t kernel_sources_ports(const char *filter, uint16_t *ports, size_t max);

/* -Z USER: supplementary groups, gid, then uid of USER; checks that root cannot be
 * regained. Err: "-Z nosuch: no such user". */
int kernel_sources_drop_privs(const char *user, char *err, size_t errlen);

#endif
