/* trace/model_int.h: the flows part of model.c, for model_packet.c (not for other modules). */
#ifndef TRACE_MODEL_INT_H
#define TRACE_MODEL_INT_H

#include "trace/model.h"

/* The flow of a TCP/UDP packet, created when new; *from is the sender's side. */
struct trace_flow *trace_mi_flow_for(struct trace_model *m, uint8_t proto, const struct trace_pkt *k,
			    int64_t ts, int *from);
/* Streaming: writes out the TCP flows that are over and quiet (TRACE_RETIRE_IDLE_US). */
void trace_mi_sweep(struct trace_model *m, int64_t ts_us);
void trace_mi_count(struct trace_flow *f, int from, const struct trace_pkt *k, int64_t ts);
/* The packet event's preview, in m->pkt_preview (no allocation per packet). */
void trace_mi_set_preview(struct trace_model *m, struct trace_event *e, const struct trace_pkt *k);

#endif
