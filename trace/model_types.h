/* trace/model_types.h: the model's data: events, capture facts, flows and the struct every trace/model*.c works on. */
#ifndef TRACE_MODEL_TYPES_H
#define TRACE_MODEL_TYPES_H

#include <stddef.h>
#include <stdint.h>

#include "trace/decode.h"
#include "trace/flow.h"
#include "trace/flowspill.h"
#include "trace/kernel_event.h"
#include "trace/tstamp.h"

struct trace_model;

#define TRACE_FORMAT_VERSION 2
#define TRACE_PREVIEW_MAX 48		/* payload bytes shown in a packet's preview */
#define TRACE_DEFAULT_MAX_FLOWS 10000
#define TRACE_DEFAULT_SERVER_PORT 9999
/* --jsonl: a TCP flow that is over (FINs acknowledged or RST) is written and freed once it
 * has been quiet this long in capture time (docs/trace-format.md); checked every SWEEP. */
#define TRACE_RETIRE_IDLE_US 2000000
#define TRACE_RETIRE_SWEEP_US 250000

enum trace_ev_type { TRACE_EV_PACKET = 1, TRACE_EV_STATE };
enum trace_ev_source { TRACE_SRC_INFERRED = 1, TRACE_SRC_KERNEL };

struct trace_event {
	int64_t ts_us;			/* microseconds since the Unix epoch */
	uint32_t id;			/* order of creation; in a document, the index after sorting */
	uint8_t type;
	uint32_t flow;			/* 0: none */
	struct trace_flow *fl;		/* the flow itself while it lives (a streamed document's window) */
	int side;			/* TRACE_CLIENT, TRACE_SERVER, or -1 */

	/* packet */
	enum trace_l4 l4;
	uint8_t ip_proto, flags;
	int has_seq, seq_abs, has_ack, ack_abs, has_win;
	uint32_t seq, ack, len, wire_len;
	uint16_t win;
	char *preview;			/* escaped, NULL when no payload */
	int retransmission, dup_ack, zero_window;
	struct trace_tcpopt opt;	/* SACK blocks already relative */
	const char *truncated, *invalid;
	int icmp, icmp_v6;
	uint8_t icmp_type, icmp_code;
	int has_addrs;			/* no flow: the addresses themselves */
	struct trace_endpoint src, dst;
	int has_ports;

	/* state */
	enum trace_state from, to;
	uint8_t source;
	int64_t cause;			/* event id, -1 none */
	enum trace_kvia via;
	int32_t timer_ms;		/* -1 none */
	int handoff;
};

/* A finished event as a document keeps it (trace/model_store.c): what every event has; the
 * rest aside. trace_model_event_get gives back the whole trace_event. */
struct trace_evrec {
	int64_t ts_us;
	uint32_t id, flow;
	uint32_t preview;		/* 1 + offset in the preview arena, 0 none */
	uint32_t opt;			/* 1 + index of its TCP options, 0 none */
	uint32_t rare;			/* 1 + index of its addresses and notes, 0 none */
	union {				/* by type: a packet's fields or a state change's */
		struct {
			uint32_t seq, ack, len, wire_len;
			uint16_t win;
			uint8_t flags, l4, ip_proto, icmp_type, icmp_code;
		} p;
		struct {
			uint32_t cause;		/* 1 + event id, 0 none */
			int32_t timer_ms;
			uint8_t from, to, source, via;
		} s;
	} u;
	uint8_t type, bits, bits2;
	int8_t side;
};

struct trace_evrare {
	struct trace_endpoint src, dst;
	const char *truncated, *invalid;
};

/* Where events and flows go as they complete in streaming mode (--jsonl, or a streamed
 * document). flow returns 1 when the sink keeps f (and frees it with trace_flow_free
 * later), 0 when the model may free it now. */
struct trace_sink {
	void *arg;
	void (*event)(void *arg, const struct trace_model *m, const struct trace_event *e);
	int (*flow)(void *arg, const struct trace_model *m, struct trace_flow *f);
	/* A document's flows end as a document's do: evicted by max_flows or at the end,
	 * never for being over and quiet (trace_model_flow_sweep is for JSON lines). */
	int document;
	/* Where an event id stands in the output, when the sink reorders (NULL: the id). */
	int64_t (*index)(void *arg, int64_t id);
};

struct trace_model_opts {
	size_t max_flows;		/* 0: TRACE_DEFAULT_MAX_FLOWS */
	int server_port;		/* 0: TRACE_DEFAULT_SERVER_PORT; -1: no hint */
	const struct trace_sink *sink;	/* NULL: keep everything for one document */
	/* Document mode: where flows evicted by max_flows wait, out of memory, until the
	 * document is written (trace/flowspill.h); NULL keeps them in memory. */
	const char *spill_dir;
};

struct trace_capture_info {
	int live;
	char *interface, *file, *filter, *linktype;
	int snaplen, dlt;
	/* The model's clock: microseconds since origin_s (trace/tstamp.h). Offline it starts
	 * at the first packet's second, so that any time a pcapng holds fits; live (and for
	 * trace_model_add_packet) at the epoch, the clock of kernel and call events. */
	int have_origin;
	int64_t origin_s;
	int have_start;
	int64_t start_us;		/* t_us 0: the earliest event (a stream: its first line's) */
	int64_t min_us, last_us;	/* earliest and latest event time */
	int64_t last_pkt_us;		/* the latest packet's time, in file order */
	uint64_t packets_seen, packets_truncated, packets_invalid;
	int have_stats;
	uint64_t packets_dropped, packets_if_dropped;
	int tracepoint, sock_diag;
	char **notes, **netns;
	size_t nnotes, nnetns;
	const char *stop_reason;	/* "end_of_file", "count", "duration", "signal" */
};

#define TRACE_UNMATCHED_MAX 4096	/* kernel events waiting for a flow, grown as needed */

struct trace_model {
	struct trace_model_opts o;
	struct trace_capture_info cap;
	struct trace_flow_table table;
	uint32_t next_id;
	/* document mode: every event and every flow, in creation order */
	struct trace_evrec *ev;
	size_t nev, cap_ev;
	struct trace_tcpopt *evopt;	/* the events' TCP options, ... */
	size_t nevopt, cap_evopt;
	struct trace_evrare *evrare;	/* ... addresses, ... */
	size_t nevrare, cap_evrare;
	char *pv;			/* ... and previews, one after the other */
	size_t npv, cap_pv;
	struct trace_flowref {		/* every flow of the document, in id order: */
		struct trace_flow *f;	/* in memory, or NULL: ... */
		uint64_t off;		/* ... its record in the spill file */
	} *flows;
	size_t nflows, cap_flows;
	struct trace_flowspill *spill;	/* made at the first eviction; NULL until then */
	struct trace_drops *drops;	/* --drop-log: trace/model_drop.c; NULL when off */
	int spill_off;			/* no spill_dir, or the file could not be made */
	uint32_t *index;		/* after trace_model_finish: event id -> position */
	/* the packet being decoded, and the events it causes: stored after it */
	struct trace_event pkt;
	int have_pkt;
	char pkt_preview[4 * TRACE_PREVIEW_MAX + 1];	/* pkt.preview points here */
	struct trace_event batch[32];
	int nbatch;
	/* streaming: flows taken out of the table, written after the current events */
	struct trace_flow **retired;
	size_t nretired, cap_retired;
	int swept;
	int64_t next_sweep_us;		/* capture time of the next trace_model_flow_sweep walk */
	uint64_t retired_idle;		/* flows written once over and quiet */
	/* kernel events not (yet) tied to a flow; document mode ties them later */
	struct trace_unmatched { uint32_t id; struct trace_kevent k; } *unmatched;
	int nunmatched, cap_unmatched;
	int finished;
};

#endif
