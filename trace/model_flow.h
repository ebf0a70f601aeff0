/* trace/model_flow.h: the model's flows: found or made for each packet, counted, retired when over, and the end of the trace. */
#ifndef TRACE_MODEL_FLOW_H
#define TRACE_MODEL_FLOW_H

#include "trace/decode.h"
#include "trace/model_types.h"

/* The flow of a TCP/UDP packet, created when new; *from is the sender's side. */
struct trace_flow *trace_model_flow_for(struct trace_model *m, uint8_t proto, const struct trace_pkt *k,
			    int64_t ts, int *from);
/* Streaming: writes out the TCP flows that are over and quiet (TRACE_RETIRE_IDLE_US). */
void trace_model_flow_sweep(struct trace_model *m, int64_t ts_us);
void trace_model_flow_count(struct trace_flow *f, int from, const struct trace_pkt *k, int64_t ts);
/* The packet event's preview, in m->pkt_preview (no allocation per packet). */
void trace_model_flow_preview(struct trace_model *m, struct trace_event *e, const struct trace_pkt *k);
/* Ends the trace: pending receptions, unanswered requests, disagreements; sorts the
 * events by time (stable) and builds the id -> position index. */
int trace_model_finish(struct trace_model *m);

#endif
