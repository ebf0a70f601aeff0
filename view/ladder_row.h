/* view/ladder_row.h: a ladder's flows and rows (arrows, state marks, phases, calls), the units every renderer draws. */
#ifndef VIEW_LADDER_ROW_H
#define VIEW_LADDER_ROW_H

#include <stddef.h>

enum view_ladder_kind {
	VIEW_LADDER_ARROW,	/* a packet between the two lifelines */
	VIEW_LADDER_STATE,	/* state changes with no packet of their own to sit beside */
	VIEW_LADDER_PHASE,	/* a phase starts: handshake, data, teardown, time_wait */
	VIEW_LADDER_CALL,	/* a socket call of the program on one side (trace --events) */
};

#define VIEW_LADDER_MAX_LINKS 8	/* linked packets a call row remembers (nlinks counts all) */

/* Arrow styles, a bit set: each one is drawn distinctly by every format. */
#define VIEW_LADDER_RETX	0x01	/* retransmitted segment */
#define VIEW_LADDER_LOST	0x02	/* UDP request that got no reply, or a packet a rule dropped */
#define VIEW_LADDER_ICMP	0x04	/* ICMP error about a datagram of the flow */
#define VIEW_LADDER_RST	0x08	/* TCP reset */
#define VIEW_LADDER_DUPACK	0x10
#define VIEW_LADDER_ZEROWIN	0x20

#define VIEW_LADDER_CLIENT 0
#define VIEW_LADDER_SERVER 1

/* What a mark says (view/ladder_mark.c places them). */
enum view_ladder_mark_what {
	VIEW_LADDER_MARK_CHANGE,	/* the side enters `state` here */
	VIEW_LADDER_MARK_LATE,		/* the kernel reports, more than VIEW_LADDER_THEN_US later,
					 * the state the packets showed earlier: drawn at the
					 * kernel's time (sock_diag's look, the tracepoint's change) */
	VIEW_LADDER_MARK_HANDOFF,	/* the tracepoint's FIN_WAIT2 -> CLOSE: the full socket hands
					 * the connection to a time-wait socket; no state changes */
};

struct view_ladder_mark {
	char state[16];		/* what the state column says: a state, or "hand-off"; empty: nothing
				 * on this side in this row */
	enum view_ladder_mark_what what;
	int kernel;		/* the kernel reported it at this row's time, within
				 * VIEW_LADDER_THEN_US (drawn with a `*`) */
	int inferred;		/* the packets led the side there in this row */
	int event;		/* the state event shown, -1 when none */
	long long kernel_us;	/* kernel: when it reported it, -1 when not known */
	long long timer_ms;	/* kernel: the TIME_WAIT timer sock_diag reported, -1 when none */
	long long since_us;	/* LATE: when the packets put the side in that state, -1 unknown */
	char via[12];		/* kernel: "tracepoint", "sock_diag"; "" when not said */
	char from[16];		/* HANDOFF: the full socket's state before (FIN_WAIT_2, CLOSING);
				 * LATE: the state the kernel's change came from, "" for a look */
};

struct view_ladder_row {
	enum view_ladder_kind kind;
	int event;		/* index into events; -1 for a phase row */
	long long t_us;		/* -1 when unknown */
	int from;		/* arrow: VIEW_LADDER_CLIENT or _SERVER (the sender); call: the caller;
				 * state: the side of the first mark made */
	int style;		/* VIEW_LADDER_RETX | ... */
	char label[96];		/* "PA seq=1 ack=7 len=7", "UDP len=5", "ICMP port unreachable";
				 * call: "connect()", "send(7)", "recv → 15" (UTF-8 arrow); state: the
				 * kernel's words beside a LATE or HANDOFF mark, else "" */
	char preview[64];	/* printable ASCII payload preview, "" when none */
	char note[256];		/* the event's note, "" when none */
	char dropped_by[40];	/* the rule that dropped it (the trace's `dropped_by`): LOST
				 * for certain, not "lost?"; "" when not known dropped */
	struct view_ladder_mark mark[2];	/* [CLIENT], [SERVER] */
	char phase[16];		/* phase row: the phase name */
	char info[96];		/* phase row: a short description ("server, timer 59987 ms (kernel)") */
	/* call row: the rows of the packets it sent or whose bytes it returned (the trace's
	 * `packets`), in event order; -1 for a packet drawn in no row of this flow */
	long link_row[VIEW_LADDER_MAX_LINKS];
	int nlinks;		/* all linked packets, also those beyond the array */
	int failed;		/* call: it returned -1 (label ends in the errno name) */
};

struct view_ladder_flow {
	int id;
	char proto[8];		/* "tcp", "udp" */
	char client[64];	/* "127.0.0.1:45678", "[::1]:45678" */
	char server[64];
	char init_state[2][16];	/* each side's state before the first change, "" when unknown */
	struct view_ladder_row *rows;
	size_t nrows, cap;
	int arrows;		/* number of arrow rows */
	int calls;		/* number of call rows */
	/* summary, as printed under the ladder: "history ShADadFf", "conn_state SF", ... */
	char summary[12][96];
	int nsummary;
};

/* Appends a row to f (grown as needed); NULL when out of memory. */
struct view_ladder_row *view_ladder_row_add(struct view_ladder_flow *f, enum view_ladder_kind kind);
/* The row showing event i in flow f (an arrow, a call, or a state row), or -1. */
long view_ladder_row_of(const struct view_ladder_flow *f, int event);

#endif
