/* trace/zeek.c: history letters (upper case = originator) and conn_state, as Zeek's conn.log has them. */
#include "trace/zeek.h"

#include <ctype.h>
#include <string.h>

#include "trace/decode.h"

/* Letters recorded once per direction (Zeek's TCP analyzer, update_history()). */
enum { H_SYN, H_SYNACK, H_FIN, H_RST, H_DATA, H_ACK, H_MULTI, H_FINRST };
static const char once_letters[] = { 'S', 'H', 'F', 'R', 'D', 'A', 'Q', 'I' };

/* Letters recorded at the 1st, 10th, 100th, 1000th ... occurrence. */
enum { SC_CSUM, SC_GAP, SC_RETRANS, SC_ZWIN };
static const char scaled_letters[] = { 'C', 'G', 'T', 'W' };

void trace_zeek_init(struct trace_zeek *z, int flipped)
{
	memset(z, 0, sizeof(*z));
	for (int d = 0; d < 2; d++)
		for (int i = 0; i < 4; i++)
			z->next_scaled[d][i] = 1;
	z->flipped = flipped;
	if (flipped)
		z->history[z->len++] = '^';
}

static void add(struct trace_zeek *z, int orig, char c)
{
	if (z->len < TRACE_HISTORY_MAX) {
		z->history[z->len++] = orig ? c : (char)tolower((unsigned char)c);
		z->history[z->len] = '\0';
	}
}

/* Records the letter the first time; returns 1 when it had been seen already. */
static int once(struct trace_zeek *z, int orig, int which)
{
	uint32_t bit = 1u << which;
	if (z->seen[!orig] & bit)
		return 1;
	z->seen[!orig] |= bit;
	add(z, orig, once_letters[which]);
	return 0;
}

/* SYN, FIN and RST letters repeat when one comes with a new sequence number. */
static void once_seq(struct trace_zeek *z, int orig, int which, int slot, uint32_t seq)
{
	int d = !orig;
	if (once(z, orig, which) && z->have_last[d][slot] && z->last_seq[d][slot] != seq)
		add(z, orig, once_letters[which]);
	z->have_last[d][slot] = 1;
	z->last_seq[d][slot] = seq;
}

static void scaled(struct trace_zeek *z, int orig, int which)
{
	int d = !orig;
	if (++z->scaled[d][which] == z->next_scaled[d][which]) {
		add(z, orig, scaled_letters[which]);
		z->next_scaled[d][which] *= 10;
	}
}

static void history(struct trace_zeek *z, const struct trace_zeek_seg *s)
{
	uint8_t f = s->flags;
	int bits = !!(f & TRACE_TH_SYN) + !!(f & TRACE_TH_FIN) + !!(f & TRACE_TH_RST);

	if (bits > 1) {
		if ((f & TRACE_TH_FIN) && (f & TRACE_TH_RST))
			once(z, s->orig, H_FINRST);
		else
			once(z, s->orig, H_MULTI);
	} else if (f & TRACE_TH_SYN) {
		once_seq(z, s->orig, (f & TRACE_TH_ACK) ? H_SYNACK : H_SYN, 0, s->seq);
	} else if (f & TRACE_TH_FIN) {
		/* A FIN's sequence number is the one after its data. */
		once_seq(z, s->orig, H_FIN, 1, s->seq + s->len);
	} else if (f & TRACE_TH_RST) {
		once_seq(z, s->orig, H_RST, 2, s->seq);
	} else if (s->len) {
		once(z, s->orig, H_DATA);
	} else if (f & TRACE_TH_ACK) {
		once(z, s->orig, H_ACK);
	}
	if (s->gap)
		scaled(z, s->orig, SC_GAP);
	if (s->retransmission && s->len)
		scaled(z, s->orig, SC_RETRANS);
	if (s->zero_window)
		scaled(z, s->orig, SC_ZWIN);
}

/* Zeek's endpoint states, from what each end sent. */
static void endpoints(struct trace_zeek *z, const struct trace_zeek_seg *s)
{
	enum trace_zeek_ep *me = &z->ep[!s->orig], *peer = &z->ep[!!s->orig];
	uint8_t f = s->flags;

	z->size[!s->orig] += s->len;
	if (f & TRACE_TH_RST) {
		*me = TRACE_ZEEK_RESET;
		return;
	}
	if (f & TRACE_TH_FIN) {
		*me = TRACE_ZEEK_CLOSED;
		return;
	}
	if (*me == TRACE_ZEEK_CLOSED || *me == TRACE_ZEEK_RESET)
		return;
	if (f & TRACE_TH_SYN) {
		if (*me == TRACE_ZEEK_INACTIVE)
			*me = (f & TRACE_TH_ACK) ? TRACE_ZEEK_SYN_ACK_SENT : TRACE_ZEEK_SYN_SENT;
		return;
	}
	if (*me == TRACE_ZEEK_INACTIVE) {
		*me = TRACE_ZEEK_PARTIAL;
		return;
	}
	/* The ACK that answers a SYN+ACK (or a SYN, simultaneous open) establishes both. */
	if ((f & TRACE_TH_ACK) && (*me == TRACE_ZEEK_SYN_SENT || *me == TRACE_ZEEK_SYN_ACK_SENT) &&
	    (*peer == TRACE_ZEEK_SYN_ACK_SENT || *peer == TRACE_ZEEK_SYN_SENT ||
	     *peer == TRACE_ZEEK_ESTABLISHED)) {
		*me = TRACE_ZEEK_ESTABLISHED;
		if (*peer != TRACE_ZEEK_ESTABLISHED)
			*peer = TRACE_ZEEK_ESTABLISHED;
	}
}

void trace_zeek_segment(struct trace_zeek *z, const struct trace_zeek_seg *s)
{
	history(z, s);
	endpoints(z, s);
}

static int inactive(enum trace_zeek_ep e)
{
	return e == TRACE_ZEEK_INACTIVE || e == TRACE_ZEEK_PARTIAL;
}

const char *trace_zeek_conn_state(const struct trace_zeek *z)
{
	enum trace_zeek_ep os = z->ep[0], rs = z->ep[1];
	int o_inactive = inactive(os), r_inactive = inactive(rs);

	if (rs == TRACE_ZEEK_RESET) {
		if (os == TRACE_ZEEK_SYN_SENT || os == TRACE_ZEEK_SYN_ACK_SENT ||
		    (os == TRACE_ZEEK_RESET && z->size[0] == 0 && z->size[1] == 0))
			return "REJ";
		return o_inactive ? "RSTRH" : "RSTR";
	}
	if (os == TRACE_ZEEK_RESET) {
		if (r_inactive && (z->seen[0] & (1u << H_SYN)) && !(z->seen[1] & (1u << H_SYNACK)))
			return "RSTOS0";
		return "RSTO";
	}
	if (rs == TRACE_ZEEK_CLOSED && os == TRACE_ZEEK_CLOSED)
		return "SF";
	if (os == TRACE_ZEEK_CLOSED)
		return r_inactive ? "SH" : "S2";
	if (rs == TRACE_ZEEK_CLOSED)
		return o_inactive ? "SHR" : "S3";
	if (os == TRACE_ZEEK_SYN_SENT && rs == TRACE_ZEEK_INACTIVE)
		return "S0";
	if (os == TRACE_ZEEK_ESTABLISHED && rs == TRACE_ZEEK_ESTABLISHED)
		return "S1";
	return "OTH";
}
