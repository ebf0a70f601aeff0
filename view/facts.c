/* view/facts.c: the facts box of a flow (ISNs, SYN options, handshake times, smallest windows, what each side sent) and where a trace's time 0 lies, in words every renderer prints. */
#include "view/facts.h"

#include <string.h>

#include "core/jsonget.h"
#include "view/ladder_text.h"

static const char *const sides[2] = { "client", "server" };

json_t *view_facts_flow_of(json_t *root, int id)
{
	json_t *flow;
	size_t i;

	json_array_foreach(json_object_get(root, "flows"), i, flow)
		if (hello_json_num(flow, "id", -1) == id)
			return flow;
	return NULL;
}

static struct view_facts_row *row_add(struct view_facts *x, const char *key, const char *label)
{
	struct view_facts_row *r;

	if (x->n >= VIEW_FACTS_ROWS)
		return NULL;
	r = &x->row[x->n++];
	memset(r, 0, sizeof(*r));
	r->key = key;
	view_ladder_fmt(r->label, sizeof(r->label), "%s", label);
	return r;
}

/* A per-side object {"client": N, "server": N} as a row; a side it lacks is "-". Version 1
 * of the trace named ip_bytes "bytes" (docs/trace-format.md). */
static void row_pair(struct view_facts *x, json_t *flow, const char *key, const char *label)
{
	json_t *o = json_object_get(flow, key);
	struct view_facts_row *r;

	if (!o && strcmp(key, "ip_bytes") == 0)
		o = json_object_get(flow, "bytes");
	if (!(r = row_add(x, key, label)))
		return;
	for (int s = 0; s < 2; s++) {
		long long v = hello_json_num(o, sides[s], -1);
		view_ladder_fmt(r->v[s], sizeof(r->v[s]), v < 0 ? "-" : "%lld", v);
	}
}

/* "MSS 65495, WS 7, SACK, TS" from a SYN's options; "none" for a SYN without any. */
static void syn_options(char *dst, size_t len, json_t *o)
{
	dst[0] = '\0';
	if (!json_is_object(o)) {
		view_ladder_fmt(dst, len, "-");	/* that side's SYN was not seen */
		return;
	}
	if (json_object_get(o, "mss"))
		view_ladder_fmt_cat(dst, len, "MSS %lld", hello_json_num(o, "mss", 0));
	if (json_object_get(o, "wscale"))
		view_ladder_fmt_cat(dst, len, "%sWS %lld", dst[0] ? ", " : "", hello_json_num(o, "wscale", 0));
	if (hello_json_true(o, "sack_permitted"))
		view_ladder_fmt_cat(dst, len, "%sSACK", dst[0] ? ", " : "");
	if (hello_json_true(o, "timestamps"))
		view_ladder_fmt_cat(dst, len, "%sTS", dst[0] ? ", " : "");
	if (!dst[0])
		view_ladder_fmt(dst, len, "none");
}

static void row_span_us(struct view_facts *x, json_t *o, const char *field, const char *key, const char *label)
{
	struct view_facts_row *r = row_add(x, key, label);
	long long us = hello_json_num(o, field, -1);

	if (!r)
		return;
	r->span = 1;
	if (us < 0)
		view_ladder_fmt(r->v[0], sizeof(r->v[0]), "-");
	else
		view_ladder_fmt(r->v[0], sizeof(r->v[0]), "%.3f ms", (double)us / 1000.0);
}

static void tcp_facts(struct view_facts *x, json_t *flow)
{
	json_t *opts = json_object_get(flow, "options"), *rtt = json_object_get(flow, "handshake_rtt");
	struct view_facts_row *r;

	row_pair(x, flow, "isn", "ISN (absolute)");
	if ((r = row_add(x, "syn_options", "SYN options")))
		for (int s = 0; s < 2; s++)
			syn_options(r->v[s], sizeof(r->v[s]), json_object_get(opts, sides[s]));
	row_span_us(x, rtt, "syn_to_synack_us", "syn_to_synack", "SYN to SYN+ACK");
	row_span_us(x, rtt, "syn_to_ack_us", "syn_to_ack", "SYN to ACK");
	row_pair(x, flow, "window_min", "min window (bytes)");
	row_pair(x, flow, "packets", "segments sent");
}

/* A row the trace says nothing of: a field it does not hold (a version 1 trace, a SYN+ACK
 * never seen). */
static int row_empty(const struct view_facts_row *r)
{
	return strcmp(r->v[0], "-") == 0 && (r->span || strcmp(r->v[1], "-") == 0);
}

void view_facts_build(json_t *flow, struct view_facts *x)
{
	int i, n = 0;

	memset(x, 0, sizeof(*x));
	if (hello_json_is(flow, "proto", "tcp"))
		tcp_facts(x, flow);
	else
		row_pair(x, flow, "packets", "datagrams sent");
	row_pair(x, flow, "payload_bytes", "payload bytes sent");
	row_pair(x, flow, "ip_bytes", "IP bytes sent");
	row_pair(x, flow, "frame_bytes", "frame bytes sent");
	for (i = 0; i < x->n; i++)
		if (!row_empty(&x->row[i]))
			x->row[n++] = x->row[i];
	x->n = n;
}

/* A kernel event of no flow (a listener's LISTEN) is the server's when its own port is
 * a flow's server port. */
static int serves(json_t *root, json_t *local)
{
	json_t *flow;
	size_t i;

	if (!local)
		return 0;
	json_array_foreach(json_object_get(root, "flows"), i, flow)
		if (hello_json_num(json_object_get(flow, "server"), "port", -1) == hello_json_num(local, "port", -2))
			return 1;
	return 0;
}

/* The earliest packet or state change holds t_us 0 (docs/trace-format.md, "capture"): a
 * kernel state (a listener's LISTEN, a SYN_SENT) can come before the first packet, which
 * is Wireshark's time 0. Calls before it have negative times. */
void view_facts_origin(json_t *root, char *dst, size_t len)
{
	json_t *ev, *first = NULL, *pkt = NULL;
	char side[16], st[24];
	size_t i;

	dst[0] = '\0';
	json_array_foreach(json_object_get(root, "events"), i, ev) {
		if (!first && (hello_json_is(ev, "type", "packet") || hello_json_is(ev, "type", "state")))
			first = ev;
		if (!pkt && hello_json_is(ev, "type", "packet"))
			pkt = ev;
	}
	if (!first)
		return;
	if (first == pkt || (pkt && hello_json_num(pkt, "t_us", 0) == hello_json_num(first, "t_us", 0))) {
		view_ladder_fmt(dst, len, "time 0 is the first packet, as in Wireshark");
		return;
	}
	view_ladder_sanitize(side, sizeof(side), hello_json_str(first, "side") ? hello_json_str(first, "side") :
			     serves(root, json_object_get(first, "local")) ? "server" : "");
	view_ladder_sanitize(st, sizeof(st), hello_json_str(first, "to") ? hello_json_str(first, "to") : "?");
	view_ladder_fmt(dst, len, "time 0 is %s%s%s %s (%s), not the first packet as in Wireshark",
			side[0] ? "the " : "a socket's", side, side[0] ? "'s" : "", st,
			hello_json_is(first, "source", "kernel") ? "seen by the kernel" : "inferred");
	if (pkt)
		view_ladder_fmt_cat(dst, len, ": the first packet is at %.3f ms",
				    (double)hello_json_num(pkt, "t_us", 0) / 1000.0);
}
