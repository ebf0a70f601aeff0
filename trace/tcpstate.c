/* trace/tcpstate.c: RFC 9293 states of both TCP ends inferred from the segments seen between them. */
#include "trace/tcpstate.h"

#include <string.h>
#include <strings.h>

static const struct {
	enum trace_state st;
	const char *name, *kname;	/* ours (RFC 9293 with underscores), the kernel's */
} state_names[] = {
	{ TRACE_ST_NONE, "NONE", NULL },
	{ TRACE_ST_CLOSED, "CLOSED", "CLOSE" },
	{ TRACE_ST_LISTEN, "LISTEN", NULL },
	{ TRACE_ST_SYN_SENT, "SYN_SENT", NULL },
	{ TRACE_ST_SYN_RECEIVED, "SYN_RECEIVED", "SYN_RECV" },
	{ TRACE_ST_ESTABLISHED, "ESTABLISHED", NULL },
	{ TRACE_ST_FIN_WAIT_1, "FIN_WAIT_1", "FIN_WAIT1" },
	{ TRACE_ST_FIN_WAIT_2, "FIN_WAIT_2", "FIN_WAIT2" },
	{ TRACE_ST_CLOSE_WAIT, "CLOSE_WAIT", NULL },
	{ TRACE_ST_CLOSING, "CLOSING", NULL },
	{ TRACE_ST_LAST_ACK, "LAST_ACK", NULL },
	{ TRACE_ST_TIME_WAIT, "TIME_WAIT", NULL },
};
#define NSTATES (sizeof(state_names) / sizeof(state_names[0]))

const char *trace_state_name(enum trace_state s)
{
	for (size_t i = 0; i < NSTATES; i++)
		if (state_names[i].st == s)
			return state_names[i].name;
	return "NONE";
}

int trace_state_from_name(const char *name, enum trace_state *out)
{
	if (strncasecmp(name, "TCP_", 4) == 0)
		name += 4;
	if (strcasecmp(name, "NEW_SYN_RECV") == 0) {	/* Linux's request socket */
		*out = TRACE_ST_SYN_RECEIVED;
		return 0;
	}
	for (size_t i = 0; i < NSTATES; i++)
		if (strcasecmp(name, state_names[i].name) == 0 ||
		    (state_names[i].kname && strcasecmp(name, state_names[i].kname) == 0)) {
			*out = state_names[i].st;
			return 0;
		}
	return -1;
}

/* What a segment means to one end: something it sent, or something it received. */
enum tcp_ev {
	SND_SYN, SND_FIN, SND_RST,
	RCV_SYN, RCV_SYNACK, RCV_ACK_OF_SYN, RCV_ACK_OF_FIN, RCV_FIN, RCV_RST,
};

#define ANY TRACE_ST_NONE	/* in the table: any state but NONE */

/* RFC 9293 section 3.3.2 (Figure 5), with the event processing of section 3.10. A row
 * with passive 1 (0) applies only to an end that came from LISTEN (did not). */
static const struct {
	enum trace_state st;
	enum tcp_ev ev;
	int passive;
	enum trace_state next;
} tcp_table[] = {
	/* 3.10.1 OPEN (active): send SYN */
	{ TRACE_ST_CLOSED, SND_SYN, -1, TRACE_ST_SYN_SENT },
	/* 3.10.7.2 LISTEN: a SYN arrives */
	{ TRACE_ST_LISTEN, RCV_SYN, -1, TRACE_ST_SYN_RECEIVED },
	/* 3.10.7.3 SYN-SENT: our SYN acknowledged with a SYN; or a bare SYN (simultaneous open) */
	{ TRACE_ST_SYN_SENT, RCV_SYNACK, -1, TRACE_ST_ESTABLISHED },
	{ TRACE_ST_SYN_SENT, RCV_SYN, -1, TRACE_ST_SYN_RECEIVED },
	/* 3.10.7.4 fifth (ACK field) */
	{ TRACE_ST_SYN_RECEIVED, RCV_ACK_OF_SYN, -1, TRACE_ST_ESTABLISHED },
	{ TRACE_ST_FIN_WAIT_1, RCV_ACK_OF_FIN, -1, TRACE_ST_FIN_WAIT_2 },
	{ TRACE_ST_CLOSING, RCV_ACK_OF_FIN, -1, TRACE_ST_TIME_WAIT },
	{ TRACE_ST_LAST_ACK, RCV_ACK_OF_FIN, -1, TRACE_ST_CLOSED },
	/* 3.10.7.4 eighth (FIN bit) */
	{ TRACE_ST_SYN_RECEIVED, RCV_FIN, -1, TRACE_ST_CLOSE_WAIT },
	{ TRACE_ST_ESTABLISHED, RCV_FIN, -1, TRACE_ST_CLOSE_WAIT },
	{ TRACE_ST_FIN_WAIT_1, RCV_FIN, -1, TRACE_ST_CLOSING },
	{ TRACE_ST_FIN_WAIT_2, RCV_FIN, -1, TRACE_ST_TIME_WAIT },
	/* 3.10.4 CLOSE: send FIN */
	{ TRACE_ST_SYN_RECEIVED, SND_FIN, -1, TRACE_ST_FIN_WAIT_1 },
	{ TRACE_ST_ESTABLISHED, SND_FIN, -1, TRACE_ST_FIN_WAIT_1 },
	{ TRACE_ST_CLOSE_WAIT, SND_FIN, -1, TRACE_ST_LAST_ACK },
	/* 3.10.7.3 / 3.10.7.4 second (RST bit): a passive end goes back to LISTEN */
	{ TRACE_ST_SYN_RECEIVED, RCV_RST, 1, TRACE_ST_LISTEN },
	{ ANY, RCV_RST, -1, TRACE_ST_CLOSED },
	/* 3.10.5 ABORT: send RST */
	{ ANY, SND_RST, -1, TRACE_ST_CLOSED },
};

static void apply(struct trace_tcp_side *s, int side, enum tcp_ev ev, int64_t ts, uint32_t cause,
		  trace_tcp_emit_fn emit, void *arg)
{
	if (s->st == TRACE_ST_NONE)
		return;
	for (size_t i = 0; i < sizeof(tcp_table) / sizeof(tcp_table[0]); i++) {
		if (tcp_table[i].ev != ev || (tcp_table[i].st != ANY && tcp_table[i].st != s->st))
			continue;
		if (tcp_table[i].passive >= 0 && tcp_table[i].passive != s->passive)
			continue;
		if (tcp_table[i].next == s->st)
			return;
		if (emit)
			emit(arg, side, s->st, tcp_table[i].next, ts, cause);
		s->st = tcp_table[i].next;
		s->last_change_us = ts;
		return;
	}
}

/* The pending FIN is received now. `now` is the time of a later segment from the peer
 * that proves it (-1 when this side's own ACK does): if this side sent something after the
 * FIN without acknowledging it, that copy was lost and only `now` is sure. */
static void flush_fin(struct trace_tcp *t, int side, int64_t now, trace_tcp_emit_fn emit, void *arg)
{
	struct trace_tcp_side *s = &t->s[side];

	if (!s->fin_pending)
		return;
	s->fin_pending = 0;
	int64_t ts = s->fin_us > s->last_change_us ? s->fin_us : s->last_change_us;
	if (now >= 0 && s->fin_missed && now > ts)
		ts = now;
	apply(s, side, RCV_FIN, ts, s->fin_cause, emit, arg);
}

void trace_tcp_init(struct trace_tcp *t, int from, const struct trace_pkt *k)
{
	struct trace_tcp_side *s = &t->s[from], *r = &t->s[!from];
	int syn = k->tcp_flags & TRACE_TH_SYN, ack = k->tcp_flags & TRACE_TH_ACK;

	memset(t, 0, sizeof(*t));
	if (syn && !ack) {
		s->st = s->initial = TRACE_ST_CLOSED;
	} else if (syn && ack) {
		/* The SYN was not seen: the sender came from LISTEN, the receiver is SYN_SENT. */
		s->st = s->initial = TRACE_ST_SYN_RECEIVED;
		s->passive = 1;
		r->st = r->initial = TRACE_ST_SYN_SENT;
		r->isn_known = r->snd_known = 1;
		r->isn = k->ack - 1;
		r->snd_max = k->ack;
	} else {
		/* Midstream: both ends were already synchronized. */
		s->st = s->initial = r->st = r->initial = TRACE_ST_ESTABLISHED;
		t->established = 1;
	}
}

static void analyse(struct trace_tcp_side *s, const struct trace_tcp_side *r,
		    const struct trace_pkt *k, struct trace_tcp_notes *n)
{
	uint8_t f = k->tcp_flags;
	uint32_t seglen = k->payload_len + !!(f & TRACE_TH_SYN) + !!(f & TRACE_TH_FIN);
	int ctl = f & (TRACE_TH_SYN | TRACE_TH_FIN | TRACE_TH_RST);

	if (s->snd_known && seglen > 0 && !(f & TRACE_TH_RST) && trace_seq_lt(k->seq, s->snd_max))
		n->retransmission = 1;
	if (s->snd_known && k->payload_len > 0 && trace_seq_lt(s->snd_max, k->seq))
		n->gap = 1;
	if (k->win == 0 && !ctl)
		n->zero_window = 1;
	if ((f & TRACE_TH_ACK) && !ctl && k->payload_len == 0 && s->have_last &&
	    k->ack == s->last_ack && k->win == s->last_win && r->snd_known &&
	    trace_seq_lt(k->ack, r->snd_max))
		n->dup_ack = 1;
	if (f & TRACE_TH_ACK) {
		s->have_last = 1;
		s->last_ack = k->ack;
		s->last_win = k->win;
	}
	if (f & TRACE_TH_RST)
		return;
	if (!s->snd_known || trace_seq_lt(s->snd_max, k->seq + seglen)) {
		s->snd_known = 1;
		s->snd_max = k->seq + seglen;
	}
	if ((f & TRACE_TH_SYN) && !s->isn_known)
		s->isn_known = 1, s->isn = k->seq;
	if ((f & TRACE_TH_FIN) && !s->fin_sent)
		s->fin_sent = 1, s->fin_seq = k->seq + k->payload_len;
}

/* The answer to a SYN tells what the answering end was when the SYN arrived. */
static void resolve_syn(struct trace_tcp_side *s, int side, uint8_t f,
			trace_tcp_emit_fn emit, void *arg)
{
	if (!s->syn_pending)
		return;
	s->syn_pending = 0;
	if (f & TRACE_TH_RST) {		/* no listener: RST in answer to the SYN (3.10.7.1) */
		s->st = s->initial = TRACE_ST_CLOSED;
	} else if ((f & TRACE_TH_SYN) && !(f & TRACE_TH_ACK)) {	/* simultaneous open */
		s->st = s->initial = TRACE_ST_CLOSED;
		s->syn_pending = 2;	/* the crossing SYN arrives after our own */
	} else {
		s->st = s->initial = TRACE_ST_LISTEN;
		s->passive = 1;
		apply(s, side, RCV_SYN, s->syn_us, s->syn_cause, emit, arg);
	}
}

static void sender(struct trace_tcp *t, int from, const struct trace_pkt *k, int64_t ts,
		   uint32_t id, trace_tcp_emit_fn emit, void *arg)
{
	struct trace_tcp_side *s = &t->s[from], *r = &t->s[!from];
	uint8_t f = k->tcp_flags;

	if (s->fin_pending && (f & TRACE_TH_ACK) && r->fin_sent && trace_seq_le(r->fin_seq + 1, k->ack))
		flush_fin(t, from, -1, emit, arg);
	else if (s->fin_pending)
		s->fin_missed = 1;	/* sent without acknowledging it: not received yet */
	resolve_syn(s, from, f, emit, arg);
	if (s->st == TRACE_ST_NONE && (f & TRACE_TH_SYN) && !(f & TRACE_TH_ACK))
		s->st = s->initial = TRACE_ST_CLOSED;
	if (f & TRACE_TH_RST) {
		s->fin_pending = 0;
		if (s->st == TRACE_ST_NONE)
			s->st = s->initial = TRACE_ST_CLOSED;
		apply(s, from, SND_RST, ts, id, emit, arg);
		return;
	}
	if ((f & TRACE_TH_SYN) && !(f & TRACE_TH_ACK))
		apply(s, from, SND_SYN, ts, id, emit, arg);
	if (s->syn_pending == 2) {
		s->syn_pending = 0;
		apply(s, from, RCV_SYN, ts, s->syn_cause, emit, arg);
	}
	if (f & TRACE_TH_FIN)
		apply(s, from, SND_FIN, ts, id, emit, arg);
}

static void receiver(struct trace_tcp *t, int to, const struct trace_pkt *k, int64_t ts,
		     uint32_t id, trace_tcp_emit_fn emit, void *arg)
{
	struct trace_tcp_side *r = &t->s[to];
	uint8_t f = k->tcp_flags;

	if (f & TRACE_TH_RST) {
		/* 3.10.7.3: in SYN-SENT only a RST that acknowledges our SYN counts. */
		if (r->st == TRACE_ST_SYN_SENT && !(f & TRACE_TH_ACK))
			return;
		r->fin_pending = 0;
		r->syn_pending = 0;
		apply(r, to, RCV_RST, ts, id, emit, arg);
		return;
	}
	/* Segments arrive in order: an earlier FIN is received before this one. */
	flush_fin(t, to, ts, emit, arg);
	if ((f & TRACE_TH_SYN) && !(f & TRACE_TH_ACK)) {
		if (r->st == TRACE_ST_NONE && !r->syn_pending) {
			r->syn_pending = 1;
			r->syn_cause = id;
			r->syn_us = ts;
		} else {
			apply(r, to, RCV_SYN, ts, id, emit, arg);
		}
	}
	if ((f & TRACE_TH_SYN) && (f & TRACE_TH_ACK) && r->st == TRACE_ST_SYN_SENT &&
	    (!r->isn_known || trace_seq_le(r->isn + 1, k->ack)))
		apply(r, to, RCV_SYNACK, ts, id, emit, arg);
	if (f & TRACE_TH_ACK) {
		if (r->isn_known && trace_seq_le(r->isn + 1, k->ack))
			apply(r, to, RCV_ACK_OF_SYN, ts, id, emit, arg);
		if (r->fin_sent && trace_seq_le(r->fin_seq + 1, k->ack))
			apply(r, to, RCV_ACK_OF_FIN, ts, id, emit, arg);
	}
	if ((f & TRACE_TH_FIN) && !r->fin_pending) {
		r->fin_pending = 1;
		r->fin_missed = 0;
		r->fin_cause = id;
		r->fin_us = ts;
	}
}

static int synchronized(enum trace_state s)
{
	return s >= TRACE_ST_ESTABLISHED;
}

void trace_tcp_packet(struct trace_tcp *t, int from, const struct trace_pkt *k, int64_t ts_us,
		      uint32_t id, int delivered, struct trace_tcp_notes *notes, trace_tcp_emit_fn emit,
		      void *arg)
{
	memset(notes, 0, sizeof(*notes));
	analyse(&t->s[from], &t->s[!from], k, notes);
	sender(t, from, k, ts_us, id, emit, arg);
	if (delivered)
		receiver(t, !from, k, ts_us, id, emit, arg);
	if (!t->established && synchronized(t->s[0].st) && synchronized(t->s[1].st)) {
		t->established = 1;
		notes->completes_handshake = 1;
	}
}

void trace_tcp_finish(struct trace_tcp *t, trace_tcp_emit_fn emit, void *arg)
{
	flush_fin(t, TRACE_CLIENT, -1, emit, arg);
	flush_fin(t, TRACE_SERVER, -1, emit, arg);
}
