/* trace/model_kernel.h: kernel socket-state observations in the model: tied to flows, TIME_WAIT, disagreements. */
#ifndef TRACE_MODEL_KERNEL_H
#define TRACE_MODEL_KERNEL_H

#include <stddef.h>
#include <stdint.h>

#include "trace/kernel_event.h"
#include "trace/model_types.h"

/* One kernel socket state observation (tracepoint or sock_diag). */
int trace_model_add_kevent(struct trace_model *m, const struct trace_kevent *ev);
/* When flow f entered TIME_WAIT: the sides are the kernel's when it showed a time-wait
 * socket, else the inferred ones; the time and event are the packets' (the inferred
 * entry of such a side) when they show it, else the kernel's first sight. Returns the
 * side mask, 0 when no side reached TIME_WAIT. */
int trace_model_tw_start(const struct trace_flow *f, int64_t *us, uint32_t *ev);

/* For model.c: */
/* Ties the kernel events that arrived before flow f existed to it (document mode). */
void trace_model_kernel_claim(struct trace_model *m, struct trace_flow *f);
/* Document mode, at the end: drops the tracepoint events of sockets that no flow claimed
 * and sock_diag never showed in the traced namespaces. Returns how many, -1: out of memory. */
int trace_model_kernel_drop_foreign(struct trace_model *m);
/* At the end of a TCP flow: kernel observations the inferred states never reached. */
void trace_model_kernel_disagreements(struct trace_flow *f);

#endif
