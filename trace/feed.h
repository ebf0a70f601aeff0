/* trace/feed.h: what a live capture hands the model (packets, kernel observations), in order, applied on a thread of its own. */
#ifndef TRACE_FEED_H
#define TRACE_FEED_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "trace/model.h"
#include "trace/tstamp.h"

/*
 * A live capture must read the kernel's ring as fast as packets come, or the kernel drops
 * them; the model needs a few microseconds a packet, and under load that CPU is the traced
 * programs' (docs/performance.md, "Live capture"). So the capture only copies: each packet
 * and each change a kernel source reports becomes a record here, in the order the capture
 * loop met them, and a thread of the model's applies the records in that same order. The
 * trace is therefore the one a single loop would build, only later.
 *
 * Before trace_feed_start and after trace_feed_stop there is no thread: every record is
 * applied at once, on the caller's thread (offline, tests, the end of a capture).
 */

/* One model change a record stands for: data is the record's copy of what it was given. */
typedef int (*trace_feed_fn)(void *arg, struct trace_model *m, const void *data, size_t len,
			     char *err, size_t errlen);

/* The model's thread runs SCHED_IDLE (CPU nobody else wants) until this many bytes wait,
 * then at normal priority until a quarter of it is left: memory stays bounded when the
 * load never pauses. A process that could not make it normal again (no CAP_SYS_NICE,
 * RLIMIT_NICE under 20) keeps it at normal priority all along. */
#define TRACE_FEED_HIGH_BYTES ((size_t)256 << 20)
/* Past this the capture waits for the model (the kernel's ring fills, then drops count). */
#define TRACE_FEED_MAX_BYTES ((size_t)1 << 30)

struct trace_feed_chunk;

struct trace_feed {
	struct trace_model *m;
	int threaded;			/* the model's thread runs */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t more, room;
	struct trace_feed_chunk *head, *tail;	/* head: the model's side, tail: the capture's */
	struct trace_feed_chunk *spare;		/* applied chunks to fill again (under lock) */
	int nspare;
	size_t waiting;			/* bytes published and not yet applied */
	int stopping;			/* the thread applies what is published, then ends */
	int idle;			/* the thread runs SCHED_IDLE */
	int may_idle;			/* it may: it can be made normal again (trace/feed.c) */
	int failed;			/* a record failed: err says why; later records are dropped */
	char err[256];
	/* trace_feed_hold: records kept aside until trace_feed_unhold; holding: the records fed
	 * now are (between hold and hold_done) */
	int holding;
	uint8_t *held;
	size_t nheld, cap_held;
	uint64_t applied;		/* records applied (tests) */
	uint64_t packets;		/* packets fed: the capture's side, read on its thread */
};

void trace_feed_init(struct trace_feed *f, struct trace_model *m);
/* Starts the model's thread: records wait for it from now on. -1 with err. */
int trace_feed_start(struct trace_feed *f, char *err, size_t errlen);
/* Applies what is still waiting (at normal priority when allowed) and ends the thread;
 * records are applied at once again. -1 with err when a record failed. Safe unstarted. */
int trace_feed_stop(struct trace_feed *f, char *err, size_t errlen);
/* Whether a record failed so far (err filled): the capture then stops. */
int trace_feed_failed(struct trace_feed *f, char *err, size_t errlen);
void trace_feed_free(struct trace_feed *f);

/* A frame of the capture (trace_model_add_packet_at). 0, or -1 when out of memory. */
int trace_feed_packet(struct trace_feed *f, const struct trace_tstamp *ts, const uint8_t *p,
		      uint32_t caplen, uint32_t wirelen);
/* Any other change: fn(arg, model, copy of data, len) in its turn. 0, or -1 (memory, or
 * applied at once and failed: err filled). */
int trace_feed_call(struct trace_feed *f, trace_feed_fn fn, void *arg, const void *data, size_t len,
		    char *err, size_t errlen);
/* Makes the records so far visible to the model's thread (once per batch, not per packet). */
void trace_feed_publish(struct trace_feed *f);

/* Records fed from hold to hold_done are kept aside; unhold puts them after whatever was
 * fed since (the packets): a kernel poll's findings wait until the packets stamped before
 * the poll have been read (a non-immediate capture hands packets over late,
 * trace/capture.c). Without the thread nothing is kept aside. unhold: 0, or -1 when out
 * of memory. */
void trace_feed_hold(struct trace_feed *f);
void trace_feed_hold_done(struct trace_feed *f);
int trace_feed_unhold(struct trace_feed *f);

#endif
