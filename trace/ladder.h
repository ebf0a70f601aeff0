/* trace/ladder.h: the ladder layout model every renderer draws: rows of arrows, state marks and phases, built once from a trace.json. */
#ifndef TRACE_LADDER_H
#define TRACE_LADDER_H

#include <stddef.h>
#include <jansson.h>

enum trace_ladder_kind {
	TRACE_LADDER_ARROW,	/* a packet between the two lifelines */
	TRACE_LADDER_STATE,	/* state changes with no packet of their own to sit beside */
	TRACE_LADDER_PHASE,	/* a phase starts: handshake, data, teardown, time_wait */
	TRACE_LADDER_CALL,	/* a socket call of the program on one side (trace --events) */
};

#define TRACE_LADDER_MAX_LINKS 8	/* linked packets a call row remembers (nlinks counts all) */

/* Arrow styles, a bit set: each one is drawn distinctly by every format. */
#define TRACE_LADDER_RETX	0x01	/* retransmitted segment */
#define TRACE_LADDER_LOST	0x02	/* UDP request that got no reply */
#define TRACE_LADDER_ICMP	0x04	/* ICMP error about a datagram of the flow */
#define TRACE_LADDER_RST	0x08	/* TCP reset */
#define TRACE_LADDER_DUPACK	0x10
#define TRACE_LADDER_ZEROWIN	0x20

#define TRACE_LADDER_CLIENT 0
#define TRACE_LADDER_SERVER 1

struct trace_ladder_mark {
	char state[16];		/* empty: no change on this side in this row */
	int kernel;		/* observed by the kernel (drawn with a `*`) */
	int event;		/* the state event shown, -1 when none */
};

struct trace_ladder_row {
	enum trace_ladder_kind kind;
	int event;		/* index into events; -1 for a phase row */
	long long t_us;		/* -1 when unknown */
	int from;		/* arrow: TRACE_LADDER_CLIENT or _SERVER (the sender); call: the caller */
	int style;		/* TRACE_LADDER_RETX | ... */
	char label[96];		/* "PA seq=1 ack=7 len=7", "UDP len=5", "ICMP port unreachable";
				 * call: "connect()", "send(7)", "recv → 15" (UTF-8 arrow) */
	char preview[64];	/* printable ASCII payload preview, "" when none */
	char note[256];		/* the event's note, "" when none */
	struct trace_ladder_mark mark[2];	/* [CLIENT], [SERVER] */
	char phase[16];		/* phase row: the phase name */
	char info[96];		/* phase row: a short description ("server, timer 59987 ms (kernel)") */
	/* call row: the rows of the packets it sent or whose bytes it returned (the trace's
	 * `packets`), in event order; -1 for a packet drawn in no row of this flow */
	long link_row[TRACE_LADDER_MAX_LINKS];
	int nlinks;		/* all linked packets, also those beyond the array */
	int failed;		/* call: it returned -1 (label ends in the errno name) */
};

struct trace_ladder_flow {
	int id;
	char proto[8];		/* "tcp", "udp" */
	char client[64];	/* "127.0.0.1:45678", "[::1]:45678" */
	char server[64];
	char init_state[2][16];	/* each side's state before the first change, "" when unknown */
	struct trace_ladder_row *rows;
	size_t nrows, cap;
	int arrows;		/* number of arrow rows */
	int calls;		/* number of call rows */
	/* summary, as printed under the ladder: "history ShADadFf", "conn_state SF", ... */
	char summary[12][96];
	int nsummary;
};

struct trace_ladder {
	struct trace_ladder_flow *flows;
	size_t nflows;
	char capture[160];	/* one line: "file x.pcap, 34 packets, 0 dropped" */
	int any_kernel;		/* some state shown was observed by the kernel */
	json_t *root;		/* the trace itself, kept for per-event details (HTML) */
};

/* Figures compared side by side by `render --compare`. -1 when not known. */
struct trace_ladder_metrics {
	long long packets;
	long long wire_bytes;
	long long first_reply_us;	/* client's first packet to the first server payload "Hello, ..." */
	char proto[8];
};

/* Builds the ladder of every flow (only flow `only_flow` when > 0) from a parsed trace;
 * takes a reference to root. Returns 0, or -1 with err filled. */
int trace_ladder_build(json_t *root, int only_flow, struct trace_ladder *l, char *err, size_t errlen);

/* Reads and builds PATH ("-" is stdin). Returns 0, or -1 with err filled. */
int trace_ladder_load(const char *path, int only_flow, struct trace_ladder *l, char *err, size_t errlen);

void trace_ladder_free(struct trace_ladder *l);

void trace_ladder_metrics(const struct trace_ladder *l, struct trace_ladder_metrics *m);

/* Copies s into dst as printable ASCII: other bytes become \xNN; cut to fit dstlen. */
void trace_ladder_sanitize(char *dst, size_t dstlen, const char *s);

/* snprintf that cuts silently (labels and messages, where a cut text is fine). */
__attribute__((format(printf, 3, 4)))
void trace_ladder_fmt(char *dst, size_t len, const char *f, ...);

/* The row showing event i in flow f (an arrow, a call, or a state row), or -1. */
long trace_ladder_row_of(const struct trace_ladder_flow *f, int event);

/* The event object at index i, or NULL. */
json_t *trace_ladder_event(const struct trace_ladder *l, int i);

#endif
