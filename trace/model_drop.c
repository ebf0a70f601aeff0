/* trace/model_drop.c: packets a lab's rules dropped (the drop log), tied to the packet events the capture saw. */
#include "trace/model_drop.h"

#include <pcap/dlt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace/model_types.h"

/* What tells one packet from another: a retransmission differs in its IP id (Linux counts
 * per socket), a datagram sent twice at least in time (hence the stamps). */
struct drop_key {
	struct trace_addr src, dst;
	uint32_t ip_len, seq, ack;
	uint16_t ip_id, sport, dport;
	uint8_t proto, flags;
};

struct drop_seen {
	struct drop_key k;
	int64_t ts;
	uint32_t id;
	int taken;
};

struct drop_wait {
	struct drop_key k;
	int64_t ts;
	int has_ts;
	uint16_t rule;
};

struct drop_mark {
	uint32_t id;
	uint16_t rule;
};

struct trace_drops {
	int group;
	struct drop_seen *ring;		/* TRACE_DROP_RING, oldest overwritten */
	size_t head, nring;
	struct drop_wait *wait;
	size_t nwait, cap_wait;
	struct drop_mark *mark;		/* sorted by id once finished */
	size_t nmark, cap_mark;
	char **rules;
	size_t nrules;
	uint64_t logged;
	int sorted;
	struct trace_drop_held *held;	/* FIFO from hhead on: packets waiting for the log */
	size_t hhead, nheld, cap_held;
};

static void key_of(const struct trace_pkt *k, struct drop_key *out)
{
	memset(out, 0, sizeof *out);	/* padding too: keys are compared whole */
	out->src = k->src;
	out->dst = k->dst;
	out->ip_len = k->ip_len;
	out->ip_id = k->ip_id;
	out->proto = k->ip_proto;
	out->sport = k->sport;
	out->dport = k->dport;
	if (k->l4 == TRACE_L4_TCP) {
		out->seq = k->seq;
		out->ack = k->ack;
		out->flags = k->tcp_flags;
	}
}

int trace_model_drop_enable(struct trace_model *m, int group, char *err, size_t errlen)
{
	struct trace_drops *d;

	if (m->o.sink) {
		snprintf(err, errlen, "--drop-log: needs the document mode (not --jsonl): a line "
			 "already written cannot be marked");
		return -1;
	}
	if (!(d = calloc(1, sizeof *d)) || !(d->ring = calloc(TRACE_DROP_RING, sizeof *d->ring))) {
		free(d);
		snprintf(err, errlen, "trace: out of memory");
		return -1;
	}
	d->group = group;
	m->drops = d;
	return 0;
}

int trace_model_drop_holding(const struct trace_model *m)
{
	return m->drops != NULL;
}

int trace_model_drop_hold(struct trace_model *m, int64_t ts, int bad, const uint8_t *p, uint32_t caplen,
			  uint32_t wirelen)
{
	struct trace_drops *d = m->drops;
	struct trace_drop_held *h;

	if (d->hhead > 0 && d->hhead == d->nheld)
		d->hhead = d->nheld = 0;	/* all taken: start the array over */
	if (d->nheld == d->cap_held) {
		size_t nc = d->cap_held ? 2 * d->cap_held : 64;
		struct trace_drop_held *nv = realloc(d->held, nc * sizeof *nv);
		if (!nv)
			return -1;
		d->held = nv, d->cap_held = nc;
	}
	h = &d->held[d->nheld];
	if (!(h->bytes = malloc(caplen ? caplen : 1)))
		return -1;
	memcpy(h->bytes, p, caplen);
	h->ts = ts, h->bad = bad, h->caplen = caplen, h->wirelen = wirelen;
	d->nheld++;
	return 0;
}

int trace_model_drop_next_held(struct trace_model *m, int64_t upto_us, struct trace_drop_held *h)
{
	struct trace_drops *d = m->drops;

	/* capture order, not time order: a packet is never processed before one read earlier */
	if (!d || d->hhead == d->nheld || d->held[d->hhead].ts > upto_us)
		return 0;
	*h = d->held[d->hhead++];
	return 1;
}

static int add_mark(struct trace_drops *d, uint32_t id, uint16_t rule);

const char *trace_model_drop_take(struct trace_model *m, const struct trace_pkt *k, uint32_t id, int64_t ts_us)
{
	struct trace_drops *d = m->drops;
	struct drop_key key;

	if (!d || !k->have_ip)
		return NULL;
	key_of(k, &key);
	for (size_t i = 0; i < d->nwait; i++) {
		struct drop_wait *w = &d->wait[i];
		if (!w->has_ts || memcmp(&w->k, &key, sizeof key) != 0 ||
		    w->ts < ts_us - TRACE_DROP_SLACK_US || w->ts > ts_us + TRACE_DROP_SLACK_US)
			continue;
		uint16_t rule = w->rule;
		d->wait[i] = d->wait[--d->nwait];
		if (add_mark(d, id, rule) < 0)
			return NULL;
		return d->rules[rule];
	}
	return NULL;
}

void trace_model_drop_saw(struct trace_model *m, const struct trace_pkt *k, uint32_t id, int64_t ts_us,
			  int taken)
{
	struct trace_drops *d = m->drops;
	struct drop_seen *s;

	if (!d || !k->have_ip)
		return;
	s = &d->ring[d->head];
	key_of(k, &s->k);
	s->ts = ts_us;
	s->id = id;
	s->taken = taken;	/* dropped, and known as it came: no later drop is this one */
	d->head = (d->head + 1) % TRACE_DROP_RING;
	if (d->nring < TRACE_DROP_RING)
		d->nring++;
}

static int rule_index(struct trace_drops *d, const char *rule)
{
	char **nv;

	for (size_t i = 0; i < d->nrules; i++)
		if (strcmp(d->rules[i], rule) == 0)
			return (int)i;
	if (d->nrules >= 65535 || !(nv = realloc(d->rules, (d->nrules + 1) * sizeof *nv)))
		return -1;
	d->rules = nv;
	if (!(d->rules[d->nrules] = strdup(rule)))
		return -1;
	return (int)d->nrules++;
}

/* The captured copy of w: with a stamp, the latest not yet taken at or before it (an
 * earlier copy was sent before, and delivered, or it would have been logged first);
 * without one, the earliest not yet taken. */
static struct drop_seen *find(struct trace_drops *d, const struct drop_wait *w)
{
	struct drop_seen *best = NULL;

	for (size_t i = 0; i < d->nring; i++) {
		struct drop_seen *s = &d->ring[i];
		if (s->taken || memcmp(&s->k, &w->k, sizeof w->k) != 0)
			continue;
		if (w->has_ts && s->ts > w->ts + TRACE_DROP_SLACK_US)
			continue;
		if (!best || (w->has_ts ? s->ts >= best->ts : s->ts < best->ts))
			best = s;
	}
	return best;
}

static int add_mark(struct trace_drops *d, uint32_t id, uint16_t rule)
{
	if (d->nmark == d->cap_mark) {
		size_t nc = d->cap_mark ? 2 * d->cap_mark : 16;
		struct drop_mark *nv = realloc(d->mark, nc * sizeof *nv);
		if (!nv)
			return -1;
		d->mark = nv, d->cap_mark = nc;
	}
	d->mark[d->nmark++] = (struct drop_mark){ id, rule };
	d->sorted = 0;
	return 0;
}

/* Matches the waiting drops the capture has read past (all of them when final). */
static int match(struct trace_model *m, int final)
{
	struct trace_drops *d = m->drops;
	size_t i, keep = 0;

	for (i = 0; i < d->nwait; i++) {
		struct drop_wait *w = &d->wait[i];
		struct drop_seen *s = NULL;
		if (final || !w->has_ts || m->cap.last_pkt_us > w->ts + TRACE_DROP_SLACK_US)
			s = find(d, w);
		if (s) {
			s->taken = 1;
			if (add_mark(d, s->id, w->rule) < 0)
				return -1;
		} else if (!final) {
			d->wait[keep++] = *w;
		}
	}
	d->nwait = keep;
	return 0;
}

int trace_model_add_drop(struct trace_model *m, int has_ts, int64_t ts_us, const char *rule,
			 const uint8_t *ip, size_t len)
{
	struct trace_drops *d = m->drops;
	struct trace_pkt k;
	int r;

	if (!d)
		return 0;
	d->logged++;
	if (trace_decode(DLT_RAW, ip, (uint32_t)len, (uint32_t)len, &k) < 0 || !k.have_ip)
		return 0;	/* counted, never matched: logged - matched says so */
	if (d->nwait == d->cap_wait) {
		size_t nc = d->cap_wait ? 2 * d->cap_wait : 16;
		struct drop_wait *nv = realloc(d->wait, nc * sizeof *nv);
		if (!nv)
			return -1;
		d->wait = nv, d->cap_wait = nc;
	}
	if ((r = rule_index(d, rule)) < 0)
		return -1;
	key_of(&k, &d->wait[d->nwait].k);
	d->wait[d->nwait].ts = ts_us;
	d->wait[d->nwait].has_ts = has_ts;
	d->wait[d->nwait].rule = (uint16_t)r;
	d->nwait++;
	return match(m, 0);
}

static int mark_cmp(const void *a, const void *b)
{
	const struct drop_mark *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* The copy of dropped packet p that got through: the next packet of its flow from the
 * same side with the same sequence number and control flags, not dropped itself. */
static const struct trace_evrec *delivered_copy(const struct trace_model *m, size_t at)
{
	const struct trace_evrec *p = &m->ev[at];
	const uint8_t ctl = TRACE_TH_SYN | TRACE_TH_FIN | TRACE_TH_RST;

	for (size_t i = at + 1; i < m->nev; i++) {
		const struct trace_evrec *q = &m->ev[i];
		if (q->type == TRACE_EV_PACKET && q->flow == p->flow && q->side == p->side &&
		    q->u.p.seq == p->u.p.seq && (q->u.p.flags & ctl) == (p->u.p.flags & ctl) &&
		    !trace_model_dropped_by(m, q->id))
			return q;
	}
	return NULL;
}

/* The state machine ran at capture time, before the drop log was read: a change it
 * inferred on the receiving side of a packet that never arrived (a FIN received, its
 * ACK) happened when a copy of it did. Such changes move to that copy; with no copy that
 * got through they stay, and the kernel's own states (when there) say otherwise. */
static int reattribute(struct trace_model *m)
{
	uint32_t *pos;

	if (!m->nev || !m->drops->nmark)
		return 0;
	if (!(pos = calloc(m->next_id, sizeof *pos)))
		return -1;
	for (size_t i = 0; i < m->nev; i++)
		if (m->ev[i].id < m->next_id)
			pos[m->ev[i].id] = (uint32_t)i + 1;
	for (size_t i = 0; i < m->nev; i++) {
		struct trace_evrec *s = &m->ev[i];
		uint32_t c = s->u.s.cause;
		const struct trace_evrec *p, *q;

		if (s->type != TRACE_EV_STATE || s->u.s.source != TRACE_SRC_INFERRED || !c ||
		    c - 1 >= m->next_id || !pos[c - 1] || !trace_model_dropped_by(m, c - 1))
			continue;
		p = &m->ev[pos[c - 1] - 1];
		if (p->type != TRACE_EV_PACKET || p->side == s->side || !(q = delivered_copy(m, pos[c - 1] - 1)))
			continue;
		s->u.s.cause = q->id + 1;
		if (s->ts_us < q->ts_us)
			s->ts_us = q->ts_us;
	}
	free(pos);
	return 0;
}

int trace_model_drop_finish(struct trace_model *m)
{
	struct trace_drops *d = m->drops;

	if (!d)
		return 0;
	match(m, 1);
	if (d->nmark)
		qsort(d->mark, d->nmark, sizeof *d->mark, mark_cmp);
	d->sorted = 1;
	return reattribute(m);
}

const char *trace_model_dropped_by(const struct trace_model *m, uint32_t id)
{
	const struct trace_drops *d = m->drops;
	struct drop_mark key = { id, 0 }, *hit;

	if (!d || !d->nmark || !d->sorted)
		return NULL;
	hit = bsearch(&key, d->mark, d->nmark, sizeof *d->mark, mark_cmp);
	return hit ? d->rules[hit->rule] : NULL;
}

int trace_model_drop_stats(const struct trace_model *m, int *group, uint64_t *logged, uint64_t *matched)
{
	if (!m->drops)
		return -1;
	*group = m->drops->group;
	*logged = m->drops->logged;
	*matched = m->drops->nmark;
	return 0;
}

void trace_model_drop_free(struct trace_model *m)
{
	struct trace_drops *d = m->drops;

	if (!d)
		return;
	for (size_t i = 0; i < d->nrules; i++)
		free(d->rules[i]);
	free(d->rules);
	for (size_t i = d->hhead; i < d->nheld; i++)
		free(d->held[i].bytes);
	free(d->held);
	free(d->ring);
	free(d->wait);
	free(d->mark);
	free(d);
	m->drops = NULL;
}
