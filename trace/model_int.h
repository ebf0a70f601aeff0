/* trace/model_int.h: what model.c shares with modelpkt.c and modelkev.c (not for other modules). */
#ifndef TRACE_MODEL_INT_H
#define TRACE_MODEL_INT_H

#include "trace/model.h"

struct emit_ctx {
	struct trace_model *m;
	struct trace_flow *f;
};

/* Stores (or streams) the events created since the last commit. */
int trace_mi_commit(struct trace_model *m);
/* A new event in the current batch, with the next id. */
struct trace_event *trace_mi_ev_new(struct trace_model *m, uint8_t type, int64_t ts_us);
void trace_mi_phase_add(struct trace_flow *f, int ph, const struct trace_event *e);
/* trace_tcp_emit_fn: arg is a struct emit_ctx. */
void trace_mi_on_state(void *arg, int side, enum trace_state from, enum trace_state to,
	      int64_t ts_us, uint32_t cause);
/* The flow of a TCP/UDP packet, created when new; *from is the sender's side. */
struct trace_flow *trace_mi_flow_for(struct trace_model *m, uint8_t proto, const struct trace_pkt *k,
			    int64_t ts, int *from);
void trace_mi_hist_add(struct trace_flow *f, int side, enum trace_state to, int64_t ts_us);
/* Streaming: writes out the TCP flows that are over and quiet (TRACE_RETIRE_IDLE_US). */
void trace_mi_sweep(struct trace_model *m, int64_t ts_us);
void trace_mi_count(struct trace_flow *f, int from, const struct trace_pkt *k, int64_t ts);
/* The packet event's preview, in m->pkt_preview (no allocation per packet). */
void trace_mi_set_preview(struct trace_model *m, struct trace_event *e, const struct trace_pkt *k);
/* Document mode: keeps a finished event compactly (trace/modelev.c); 0 or -1. */
int trace_mi_ev_keep(struct trace_model *m, const struct trace_event *e);
/* Rewrites the scalar fields of kept event i (a kernel event tied to its flow late). */
void trace_mi_ev_put(struct trace_model *m, size_t i, const struct trace_event *e);

/* Ties the kernel events that arrived before flow f existed to it (document mode). */
void trace_mi_claim_unmatched(struct trace_model *m, struct trace_flow *f);
/* Document mode, at the end: drops the tracepoint events of sockets that no flow claimed
 * and sock_diag never showed in the traced namespaces, with a note. -1: out of memory. */
int trace_mi_drop_foreign(struct trace_model *m);
/* At the end of a TCP flow: kernel observations the inferred states never reached. */
void trace_mi_find_disagreements(struct trace_flow *f);

#endif
