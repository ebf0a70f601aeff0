/* trace/model_packet.h: one decoded packet into the model: its flow, states, phases, counters. */
#ifndef TRACE_MODEL_PACKET_H
#define TRACE_MODEL_PACKET_H

#include <stddef.h>
#include <stdint.h>

#include "trace/model_types.h"
#include "trace/tstamp.h"

/* One frame of the capture's link type, at ts_us on the model's clock. Returns 0, or -1
 * when out of memory. */
int trace_model_add_packet(struct trace_model *m, int64_t ts_us, const uint8_t *p,
			   uint32_t caplen, uint32_t wirelen);
/* The same with the frame's time as the file says it. A time beyond TRACE_TSTAMP_SPAN_US
 * of the clock's origin (only a corrupt pcapng can say it) is taken as the packet
 * before's, and the packet is marked invalid "timestamp". */
int trace_model_add_packet_at(struct trace_model *m, const struct trace_tstamp *t, const uint8_t *p,
			      uint32_t caplen, uint32_t wirelen);

/* With the drop log on, trace_model_add_packet_at keeps packets waiting: this hands the
 * model those stamped at or before upto_us (INT64_MAX: all), in capture order, once the
 * drop log has been read past them. 0, or -1 when out of memory. */
int trace_model_release(struct trace_model *m, int64_t upto_us);

#endif
