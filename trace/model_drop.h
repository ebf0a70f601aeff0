/* trace/model_drop.h: packets a lab's rules dropped (the drop log), tied to the packet events the capture saw. */
#ifndef TRACE_MODEL_DROP_H
#define TRACE_MODEL_DROP_H

#include <stddef.h>
#include <stdint.h>

#include "trace/decode.h"

struct trace_model;

/* Two stamps of one packet (the capture's, the drop log's) differ by scheduling only. */
#define TRACE_DROP_SLACK_US 2000
/* The latest packets kept to be matched: a drop is logged within milliseconds of its
 * capture, so only a flood of this many packets in between could hide its packet. */
#define TRACE_DROP_RING 4096

/* Turns matching on (document mode only: a JSON line already written cannot change).
 * -1 with err otherwise, or out of memory. */
int trace_model_drop_enable(struct trace_model *m, int group, char *err, size_t errlen);

/* A live capture's packets wait this long (on the wall clock) before the model takes
 * them, so the drop log, read on every tick, has told which of them a rule dropped: the
 * state machine then runs on what arrived (trace_model_drop_release). */
#define TRACE_DROP_HOLD_US 20000

/* A packet waiting for the drop log, as trace_model_add_packet_at got it. */
struct trace_drop_held {
	int64_t ts;
	int bad;
	uint32_t caplen, wirelen;
	uint8_t *bytes;		/* the caller frees it */
};

/* Whether packets wait (the drop log is on); then trace_model_drop_hold keeps one. */
int trace_model_drop_holding(const struct trace_model *m);
int trace_model_drop_hold(struct trace_model *m, int64_t ts, int bad, const uint8_t *p, uint32_t caplen,
			  uint32_t wirelen);
/* The oldest waiting packet stamped at or before upto_us, taken off the queue: 1, or 0
 * when there is none. */
int trace_model_drop_next_held(struct trace_model *m, int64_t upto_us, struct trace_drop_held *h);

/* The rule that dropped a packet being added now (stamp ts_us), from the drops already
 * logged whose own stamp is within TRACE_DROP_SLACK_US of it; the drop is then taken and
 * the packet event id marked. NULL: not dropped, as far as the log has said. */
const char *trace_model_drop_take(struct trace_model *m, const struct trace_pkt *k, uint32_t id, int64_t ts_us);

/* Every packet the capture decoded, remembered for the drops to come (no-op when off). */
void trace_model_drop_saw(struct trace_model *m, const struct trace_pkt *k, uint32_t id, int64_t ts_us,
			  int taken);

/* A packet rule dropped; has_ts: ts_us is the kernel's stamp of it. Matched with its
 * captured copy once the capture has read past it (or at trace_model_drop_finish). */
int trace_model_add_drop(struct trace_model *m, int has_ts, int64_t ts_us, const char *rule,
			 const uint8_t *ip, size_t len);

/* Matches what is still waiting (a drop with no captured copy is counted unmatched), then
 * moves the receiving side's inferred changes a dropped packet caused to the copy of it
 * that got through. -1 when out of memory. */
int trace_model_drop_finish(struct trace_model *m);

/* The rule that dropped packet event id (creation id), or NULL: delivered as far as the
 * drop log knows (or no drop log). */
const char *trace_model_dropped_by(const struct trace_model *m, uint32_t id);

/* For capture.drop_log: 0 and the figures when the drop log is on, -1 when off. */
int trace_model_drop_stats(const struct trace_model *m, int *group, uint64_t *logged, uint64_t *matched);

void trace_model_drop_free(struct trace_model *m);

#endif
