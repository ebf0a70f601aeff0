/* trace/appev.c: the programs' socket calls (--events files, docs/events.md) merged into a trace as "call" events, with links. */
#include "trace/appev.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsonget.h"

/* ---- small JSON readers: a missing or mistyped field reads as the default ---- */

/* ---- loading ---- */

int trace_appev_load(json_t *calls, json_t *notes, const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0, bad = 0;
	ssize_t n;
	json_t *r;

	if (!f)
		return json_array_append_new(notes, json_sprintf("events %s: %s (no socket calls from it)", path,
								 strerror(errno)));
	while ((n = getline(&line, &cap, f)) > 0) {
		if (n == 1 && line[0] == '\n')
			continue;
		r = json_loadb(line, (size_t)n, 0, NULL);
		if (!json_is_object(r) || !hello_json_str(r, "call") || !json_is_integer(json_object_get(r, "before_us")) ||
		    !json_is_integer(json_object_get(r, "after_us"))) {
			json_decref(r);
			bad++;
			continue;
		}
		if (json_array_append_new(calls, r) < 0)
			break;
	}
	free(line);
	fclose(f);
	if (bad && json_array_append_new(notes, json_sprintf("events %s: %zu lines skipped (not socket-call records)",
							     path, bad)) < 0)
		return -1;
	return 0;
}

/* ---- calls as events ---- */

struct call {
	json_t *rec, *ev;
	int64_t before, after;
	size_t order;			/* file order: ties keep it */
	json_t *links;			/* packet indexes */
};

static int call_cmp(const void *a, const void *b)
{
	const struct call *x = a, *y = b;

	if (x->before != y->before)
		return x->before < y->before ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* A call's address matches a flow's end: same port, same address or a wildcard one. */
static int addr_match(json_t *c, json_t *e)
{
	const char *a = hello_json_str(c, "addr"), *b = hello_json_str(e, "addr");

	if (!c || !e || hello_json_int(c, "port", -1) != hello_json_int(e, "port", -2))
		return 0;
	return a && b && (strcmp(a, b) == 0 || strcmp(a, "0.0.0.0") == 0 || strcmp(a, "::") == 0);
}

/* The flow of a call with both addresses, and the call's side in it; port reuse: the flow
 * nearest in time. Returns the flow or NULL. */
static json_t *call_flow(json_t *flows, json_t *rec, int64_t t, const char **side)
{
	json_t *local = json_object_get(rec, "local"), *peer = json_object_get(rec, "peer"), *f, *best = NULL;
	int64_t bestd = INT64_MAX, d;
	size_t i;

	if (!local || !peer)
		return NULL;
	json_array_foreach(flows, i, f) {
		const char *s = NULL;
		if (!hello_json_is(f, "proto", hello_json_str(rec, "proto") ? hello_json_str(rec, "proto") : ""))
			continue;
		if (addr_match(local, json_object_get(f, "client")) && addr_match(peer, json_object_get(f, "server")))
			s = "client";
		else if (addr_match(local, json_object_get(f, "server")) && addr_match(peer, json_object_get(f, "client")))
			s = "server";
		if (!s)
			continue;
		d = t < hello_json_int(f, "first_us", 0) ? hello_json_int(f, "first_us", 0) - t : t > hello_json_int(f, "last_us", 0) ? t - hello_json_int(f, "last_us", 0) : 0;
		if (d < bestd) {
			bestd = d;
			best = f;
			*side = s;
		}
	}
	return best;
}

/* The record's fields as an event; the call's own fields keep their names (docs/events.md). */
static json_t *call_event(struct call *c, json_t *flows, int64_t start)
{
	static const char *const copy[] = { "call", "prog", "pid", "tid", "fd", "proto", "local", "peer", "result",
					    "errno", "size", "bytes", "offset", "datagram", "truncated", "family",
					    "option", "value", "listen_fd", "how", "timeout_ms", NULL };
	json_t *ev = json_object(), *f;
	const char *side = hello_json_str(c->rec, "role");
	/* a poll is recorded when it timed out: its moment is the timeout, not the start */
	int64_t t = (hello_json_is(c->rec, "call", "poll") ? c->after : c->before) - start;
	size_t i;

	if (!ev)
		return NULL;
	json_object_set_new(ev, "t_us", json_integer(t));
	json_object_set_new(ev, "type", json_string("call"));
	json_object_set_new(ev, "source", json_string("app"));
	f = call_flow(flows, c->rec, t, &side);
	if (f)
		json_object_set_new(ev, "flow", json_integer(hello_json_int(f, "id", 0)));
	if (side && (strcmp(side, "client") == 0 || strcmp(side, "server") == 0))
		json_object_set_new(ev, "side", json_string(side));
	json_object_set_new(ev, "duration_us", json_integer(c->after - c->before));
	for (i = 0; copy[i]; i++) {
		json_t *v = json_object_get(c->rec, copy[i]);
		if (v)
			json_object_set(ev, copy[i], v);
	}
	return ev;
}

/* ---- renumbering: every event index of the document, old position -> new ---- */

static void renum(json_t *o, const char *k, const size_t *map, size_t n)
{
	json_int_t v = hello_json_int(o, k, -1);

	if (v >= 0 && (size_t)v < n)
		json_object_set_new(o, k, json_integer((json_int_t)map[v]));
}

static void renumber(json_t *doc, const size_t *map, size_t n)
{
	json_t *f, *e, *x;
	size_t i, j;

	json_array_foreach(json_object_get(doc, "events"), i, e)
		if (!hello_json_is(e, "type", "call"))
			renum(e, "cause", map, n);
	json_array_foreach(json_object_get(doc, "flows"), i, f) {
		json_array_foreach(json_object_get(f, "phases"), j, x) {
			renum(x, "first_event", map, n);
			renum(x, "last_event", map, n);
		}
		json_array_foreach(json_object_get(f, "pairs"), j, x) {
			renum(x, "request", map, n);
			renum(x, "reply", map, n);
		}
		json_array_foreach(json_object_get(f, "icmp_errors"), j, x) {
			renum(x, "event", map, n);
			renum(x, "quoted_event", map, n);
		}
		json_array_foreach(json_object_get(f, "unanswered"), j, x)
			if (json_is_integer(x) && json_integer_value(x) >= 0 && (size_t)json_integer_value(x) < n)
				json_integer_set(x, (json_int_t)map[json_integer_value(x)]);
	}
}

/* ---- links ---- */

struct linkctx {
	json_t *events;
	struct call *calls;
	size_t ncalls;
	json_t *flows;
};

/* Whether pkt is of proto: its own "proto", or its flow's (a flow's TCP and UDP packets
 * go without one, docs/trace-format.md). */
static int pkt_proto_is(const struct linkctx *x, json_t *pkt, const char *proto)
{
	json_int_t id = hello_json_int(pkt, "flow", -1);
	json_t *f = json_array_get(x->flows, (size_t)(id - 1));	/* flows are listed by id */
	size_t i;

	if (json_object_get(pkt, "proto"))
		return hello_json_is(pkt, "proto", proto);
	if (id < 1)
		return 0;
	if (hello_json_int(f, "id", -2) != id)
		json_array_foreach(x->flows, i, f)
			if (hello_json_int(f, "id", -2) == id)
				break;
	return hello_json_int(f, "id", -2) == id && hello_json_is(f, "proto", proto);
}

static void link_add(json_t *list, size_t idx)
{
	size_t i;
	json_t *v;

	json_array_foreach(list, i, v)
		if ((size_t)json_integer_value(v) == idx)
			return;
	json_array_append_new(list, json_integer((json_int_t)idx));
}

static int64_t ev_t(json_t *e)
{
	return hello_json_int(e, "t_us", 0);
}

static int same_flow(json_t *a, json_t *b)
{
	return hello_json_int(a, "flow", -1) >= 1 && hello_json_int(a, "flow", -1) == hello_json_int(b, "flow", -2);
}

/* The latest call of side (one of names) in the packet's flow that began by t. */
static struct call *latest_call(struct linkctx *x, json_t *pkt, const char *side, const char *const *names, int64_t t)
{
	struct call *best = NULL;
	size_t i, k;

	for (i = 0; i < x->ncalls; i++) {
		json_t *ev = x->calls[i].ev;
		if (!same_flow(ev, pkt) || !hello_json_is(ev, "side", side) || ev_t(ev) > t)
			continue;
		for (k = 0; names[k]; k++)
			if (hello_json_is(ev, "call", names[k]))
				best = &x->calls[i];
	}
	return best;
}

static void tie(json_t *pkt_links, struct call *c, size_t pkt)
{
	link_add(pkt_links, c->ev ? (size_t)hello_json_int(c->ev, "n_", 0) : 0);
	link_add(c->links, pkt);
}

/* A TCP segment: its bytes to the sends that wrote them and the recvs that read them; a
 * SYN to connect, a FIN or an abort's RST to the close that caused it. */
static void link_tcp(struct linkctx *x, json_t *pkt, size_t pi, json_t *links)
{
	static const char *const connect_names[] = { "connect", NULL };
	static const char *const close_names[] = { "close", "shutdown", NULL };
	const char *from = hello_json_str(pkt, "from"), *flags = hello_json_str(pkt, "flags");
	const char *other = from && strcmp(from, "client") == 0 ? "server" : "client";
	json_int_t seq = hello_json_int(pkt, "seq", -1), len = hello_json_int(pkt, "len", 0), lo = seq - 1, hi = seq - 1 + len;
	struct call *c;
	size_t i;

	if (!from || !flags)
		return;
	for (i = 0; i < x->ncalls && seq >= 1 && !json_object_get(pkt, "seq_absolute"); i++) {
		json_t *ev = x->calls[i].ev;
		json_int_t off = hello_json_int(ev, "offset", -1), n = hello_json_int(ev, "bytes", 0);
		if (!same_flow(ev, pkt) || off < 0)
			continue;
		if (len > 0 && off < hi && lo < off + n) {
			if (hello_json_is(ev, "side", from) && hello_json_is(ev, "call", "send"))
				tie(links, &x->calls[i], pi);
			else if (hello_json_is(ev, "side", other) && hello_json_is(ev, "call", "recv"))
				link_add(x->calls[i].links, pi);
		}
		/* recv() returning 0 at the FIN's place is the FIN arriving. */
		if (strchr(flags, 'F') && n == 0 && off == hi && hello_json_is(ev, "side", other) && hello_json_is(ev, "call", "recv"))
			link_add(x->calls[i].links, pi);
	}
	if (strchr(flags, 'S') && !strchr(flags, 'A') && (c = latest_call(x, pkt, from, connect_names, ev_t(pkt))))
		tie(links, c, pi);
	if (strchr(flags, 'F') && (c = latest_call(x, pkt, from, close_names, ev_t(pkt))))
		tie(links, c, pi);
	/* A RST during close(): SO_LINGER 0 or unread data. Later RSTs are the kernel's answer. */
	if (strchr(flags, 'R') && (c = latest_call(x, pkt, from, close_names, ev_t(pkt))) &&
	    ev_t(pkt) <= ev_t(c->ev) + hello_json_int(c->ev, "duration_us", 0) + 1000)
		tie(links, c, pi);
}

/* UDP: the earliest unused sendto of the same length sent this datagram. (recvfrom: see
 * link_udp_recv; ICMP errors: link_icmp.) */
static void link_udp(struct linkctx *x, json_t *pkt, size_t pi, json_t *links, char *used)
{
	const char *from = hello_json_str(pkt, "from");
	size_t i;

	if (!pkt_proto_is(x, pkt, "udp") || !from)
		return;
	for (i = 0; i < x->ncalls; i++) {
		json_t *ev = x->calls[i].ev;
		if (!used[i] && same_flow(ev, pkt) && hello_json_is(ev, "side", from) && hello_json_is(ev, "call", "sendto") &&
		    hello_json_int(ev, "bytes", -1) == hello_json_int(pkt, "len", 0) && ev_t(ev) <= ev_t(pkt)) {
			used[i] = 1;
			tie(links, &x->calls[i], pi);
			return;
		}
	}
}

/* The side whose datagram (or segment) an ICMP error quotes: the sender of the flow's
 * quoted_event; without one, the side opposite the ICMP's own "from" (on loopback both
 * ends share the address, so "from" alone cannot tell). NULL when the flow is unknown. */
static const char *icmp_victim(struct linkctx *x, json_t *flows, json_t *pkt, size_t pi)
{
	json_t *f, *e;
	size_t i, j;

	json_array_foreach(flows, i, f) {
		if (hello_json_int(f, "id", -1) != hello_json_int(pkt, "flow", -2))
			continue;
		json_array_foreach(json_object_get(f, "icmp_errors"), j, e)
			if (hello_json_int(e, "event", -1) == (json_int_t)pi && hello_json_int(e, "quoted_event", -1) >= 0)
				return hello_json_str(json_array_get(x->events, (size_t)hello_json_int(e, "quoted_event", 0)), "from");
		break;
	}
	if (!hello_json_str(pkt, "from"))
		return NULL;
	return hello_json_is(pkt, "from", "client") ? "server" : "client";
}

/* An ICMP error sets the socket's pending error, which the quoted side's next call that
 * fails with ECONNREFUSED reports (ip_icmp_error -> sk_err). When that call is a receive,
 * the two are linked both ways; the ICMP itself stays the kernel's. */
static void link_icmp(struct linkctx *x, json_t *pkt, size_t pi, const char *side, json_t *links)
{
	struct call *best = NULL;
	size_t i;

	for (i = 0; i < x->ncalls; i++) {
		json_t *ev = x->calls[i].ev;
		if (same_flow(ev, pkt) && hello_json_is(ev, "side", side) && hello_json_is(ev, "errno", "ECONNREFUSED") &&
		    ev_t(pkt) <= ev_t(ev) + hello_json_int(ev, "duration_us", 0)) {
			best = &x->calls[i];
			break;
		}
	}
	if (best && (hello_json_is(best->ev, "call", "recv") || hello_json_is(best->ev, "call", "recvfrom")))
		tie(links, best, pi);
}

/* Each recvfrom took the latest datagram of its length that had arrived and no later
 * recvfrom took: walking the calls backwards pairs them in order and skips lost copies. */
static void link_udp_recv(struct linkctx *x)
{
	json_t *pkt, *ev;
	size_t i, j, n = json_array_size(x->events);
	char *used = calloc(n + 1, 1);

	if (!used)
		return;
	for (i = x->ncalls; i-- > 0;) {
		ev = x->calls[i].ev;
		if (!hello_json_is(ev, "call", "recvfrom") || hello_json_int(ev, "result", -1) < 0 || hello_json_int(ev, "flow", -1) < 1)
			continue;
		for (j = n; j-- > 0;) {
			pkt = json_array_get(x->events, j);
			if (used[j] || !hello_json_is(pkt, "type", "packet") || !pkt_proto_is(x, pkt, "udp") || !same_flow(pkt, ev) ||
			    hello_json_is(pkt, "from", hello_json_str(ev, "side")) || hello_json_int(pkt, "len", 0) != hello_json_int(ev, "bytes", -2) ||
			    ev_t(pkt) > ev_t(ev) + hello_json_int(ev, "duration_us", 0))
				continue;
			used[j] = 1;
			link_add(x->calls[i].links, j);
			break;
		}
	}
	free(used);
}

static void link_all(struct linkctx *x, json_t *flows)
{
	json_t *pkt, *links;
	size_t i, j;
	char *used = calloc(x->ncalls + 1, 1);
	const char *side;
	int has_calls, icmp;

	if (!used)
		return;
	json_array_foreach(x->events, i, pkt) {
		if (!hello_json_is(pkt, "type", "packet") || hello_json_int(pkt, "flow", -1) < 1)
			continue;
		/* An ICMP error concerns the side whose datagram it quotes, not its sender. */
		icmp = json_object_get(pkt, "icmp") != NULL;
		side = icmp ? icmp_victim(x, flows, pkt, i) : hello_json_str(pkt, "from");
		for (has_calls = 0, j = 0; side && j < x->ncalls && !has_calls; j++)
			has_calls = same_flow(x->calls[j].ev, pkt) && hello_json_is(x->calls[j].ev, "side", side);
		if (!has_calls)
			continue;	/* that side recorded no calls here: nothing certain to say */
		links = json_array();
		if (icmp)
			link_icmp(x, pkt, i, side, links);
		else if (pkt_proto_is(x, pkt, "tcp"))
			link_tcp(x, pkt, i, links);
		else
			link_udp(x, pkt, i, links, used);
		/* Pure ACKs, the SYN+ACK, window updates, retransmissions, answers to closed
		 * ports, ICMP errors: the kernel sends them on its own. */
		json_object_set_new(pkt, "origin", json_string(json_array_size(links) && !icmp &&
								!json_object_get(pkt, "retransmission") ? "app" : "kernel"));
		if (json_array_size(links))
			json_object_set_new(pkt, "calls", links);
		else
			json_decref(links);
	}
	free(used);
	link_udp_recv(x);
	for (i = 0; i < x->ncalls; i++)
		if (json_array_size(x->calls[i].links))
			json_object_set(x->calls[i].ev, "packets", x->calls[i].links);
}

static int idx_cmp(const void *a, const void *b)
{
	json_int_t x = json_integer_value(*(json_t *const *)a), y = json_integer_value(*(json_t *const *)b);

	return x < y ? -1 : x > y;
}

static void sort_links(json_t *list)
{
	size_t n = json_array_size(list), i;
	json_t **v = n ? malloc(n * sizeof(*v)) : NULL;

	if (!v)
		return;
	for (i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(list, i));
	qsort(v, n, sizeof(*v), idx_cmp);
	json_array_clear(list);
	for (i = 0; i < n; i++)
		json_array_append_new(list, v[i]);
	free(v);
}

/* ---- the merge ---- */

static int64_t doc_start(json_t *doc, struct call *c, size_t n)
{
	json_t *cap = json_object_get(doc, "capture");

	if (json_is_integer(json_object_get(cap, "start_us")))
		return json_integer_value(json_object_get(cap, "start_us"));
	return n ? c[0].before : 0;	/* no packet at all: the first call is t_us 0 */
}

int trace_appev_merge(json_t *doc, json_t *calls)
{
	json_t *events = json_object_get(doc, "events"), *flows = json_object_get(doc, "flows"), *out = NULL, *e;
	size_t nc = json_array_size(calls), ne = json_array_size(events), i = 0, j = 0, k;
	struct call *c = calloc(nc + 1, sizeof(*c));
	size_t *map = calloc(ne + 1, sizeof(*map));
	struct linkctx x;
	int64_t start;
	int rc = -1;

	if (!c || !map || !events || !flows)
		goto out;
	for (k = 0; k < nc; k++) {
		c[k].rec = json_array_get(calls, k);
		c[k].before = hello_json_int(c[k].rec, "before_us", 0);
		c[k].after = hello_json_int(c[k].rec, "after_us", c[k].before);
		c[k].order = k;
		if (!(c[k].links = json_array()))
			goto out;
	}
	qsort(c, nc, sizeof(*c), call_cmp);
	start = doc_start(doc, c, nc);
	for (k = 0; k < nc; k++)
		if (!(c[k].ev = call_event(&c[k], flows, start)))
			goto out;
	/* A call goes before a packet of the same microsecond: it began first. */
	if (!(out = json_array()))
		goto out;
	while (i < ne || j < nc) {
		e = i < ne ? json_array_get(events, i) : NULL;
		if (j < nc && (!e || ev_t(c[j].ev) <= ev_t(e))) {
			json_object_set_new(c[j].ev, "n_", json_integer((json_int_t)json_array_size(out)));
			json_array_append(out, c[j++].ev);
		} else {
			map[i++] = json_array_size(out);
			json_array_append(out, e);
		}
	}
	json_object_set(doc, "events", out);
	renumber(doc, map, ne);
	x = (struct linkctx){ .events = out, .calls = c, .ncalls = nc, .flows = flows };
	link_all(&x, flows);
	json_array_foreach(out, k, e) {
		json_object_del(e, "n_");
		sort_links(json_object_get(e, "calls"));
		sort_links(json_object_get(e, "packets"));
	}
	rc = 0;
out:
	for (k = 0; c && k < nc; k++) {
		json_decref(c[k].ev);
		json_decref(c[k].links);
	}
	json_decref(out);
	free(c);
	free(map);
	return rc;
}

/* ---- output ---- */

static int put_list(FILE *f, const char *name, json_t *list, int last)
{
	size_t i;
	json_t *v;
	char *s;
	int rc = fprintf(f, ",\n\"%s\": [", name) < 0;

	json_array_foreach(list, i, v) {
		s = json_dumps(v, JSON_COMPACT);
		if (!s)
			return -1;
		rc |= fprintf(f, "%s\n%s", i ? "," : "", s) < 0;
		free(s);
	}
	rc |= fprintf(f, "\n]%s", last ? "}\n" : "") < 0;
	return rc ? -1 : 0;
}

int trace_appev_write(json_t *doc, FILE *f)
{
	json_t *head = json_object();
	const char *k;
	json_t *v;
	char *s;
	int rc;

	if (!head)
		return -1;
	json_object_foreach(doc, k, v)
		if (strcmp(k, "flows") != 0 && strcmp(k, "events") != 0)
			json_object_set(head, k, v);
	s = json_dumps(head, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(head);
	if (!s)
		return -1;
	s[strlen(s) - 1] = '\0';	/* flows and events follow, one per line */
	rc = fputs(s, f) == EOF ? -1 : 0;
	free(s);
	if (rc == 0)
		rc = put_list(f, "flows", json_object_get(doc, "flows"), 0);
	if (rc == 0)
		rc = put_list(f, "events", json_object_get(doc, "events"), 1);
	return rc;
}
