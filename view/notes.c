/* view/notes.c: a plain-language "note" for every event of a trace document, from a table of templates. */
#include "view/notes.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsonget.h"

/*
 * Each event is classified into a key (classify_*), the key picks a template (templates[]),
 * and the template's {names} are filled from the event and its flow (struct vars). A
 * reader checks the table line by line against RFC 9293 and docs/events.md.
 */
static const struct { const char *key, *text; } templates[] = {
	/* packets */
	{ "syn", "{side} sends SYN: asks to open a connection to port {dport}" },
	{ "syn-again", "{side} sends SYN again after {ms} ms: the first one got no answer" },
	{ "synack", "{side} answers SYN+ACK: its kernel accepts the connection for the listening socket" },
	{ "ack-syn", "{side} acknowledges the {other}'s SYN: the handshake is complete" },
	{ "ack", "{side} acknowledges the {other}'s bytes up to {ack} (a pure ACK: the kernel's own)" },
	{ "dupack", "{side} repeats its last ACK (a duplicate ACK): a segment of the {other} seems missing" },
	{ "zerowin", "{side} advertises a zero window: its receive buffer is full, the {other} must wait" },
	{ "data", "{side} sends {len} bytes: \"{preview}\"" },
	{ "data-again", "segment {n} retransmitted after {ms} ms: the first copy of these {len} bytes was not acknowledged in time (lost)" },
	{ "fin-first", "{side} sends FIN first: it closes actively, so the {side} will hold TIME_WAIT" },
	{ "fin", "{side} sends FIN: it has nothing more to send" },
	{ "rst-refused", "{side} answers the SYN with RST: nothing listens on port {sport}" },
	{ "rst", "{side} sends RST: the connection is aborted at once, no TIME_WAIT" },
	{ "udp", "{side} sends a datagram of {len} bytes: \"{preview}\"" },
	{ "icmp", "ICMP {icmp}: the datagram reached a port with no socket, so the kernel answered with an error" },
	{ "packet", "a packet outside any TCP or UDP flow" },
	/* state changes */
	{ "st-timewait", "{side} enters TIME_WAIT: it closed first and keeps the connection's ports for 60 s ({source})" },
	{ "st-timer", "{side} is in TIME_WAIT, {timer} s left (seen by the kernel's sock_diag)" },
	{ "st-handoff", "{side}: the kernel hands the socket over to a time-wait socket (the tracepoint's FIN_WAIT2 -> CLOSE)" },
	{ "st", "{side} enters {to}: {meaning} ({source})" },
	/* socket calls */
	{ "socket", "{side} socket(): a new {proto} socket, fd {fd}" },
	{ "bind", "{side} bind() to port {lport}" },
	{ "bind-fail", "{side} bind() to port {lport} fails with {errno}{why}" },
	{ "listen", "{side} listen(): from now on the kernel answers SYNs to port {lport}" },
	{ "accept", "{side} accept(): takes a connection the kernel already completed (client port {pport})" },
	{ "connect", "{side} connect(): sends SYN, the {side} enters SYN_SENT; it returns once the handshake is done ({dur} us later)" },
	{ "connect-udp", "{side} connect() on a UDP socket: sends nothing, fixes the peer so that ICMP errors come back" },
	{ "connect-fail", "{side} connect() fails with {errno}{why}" },
	{ "send", "{side} send() of {bytes} bytes{segs}" },
	{ "send-fail", "{side} send() fails with {errno}{why}" },
	{ "recv", "{side} recv() returns {bytes} bytes{segs}" },
	{ "recv-eof", "{side} recv() returns 0: the {other} has closed (its FIN arrived)" },
	{ "recv-fail", "{side} recv() fails with {errno}{why}" },
	{ "sendto", "{side} sendto(): one datagram of {bytes} bytes to port {pport}" },
	{ "recvfrom", "{side} recvfrom(): one datagram of {bytes} bytes from port {pport}" },
	{ "recvfrom-fail", "{side} recvfrom() fails with {errno}{why}" },
	{ "setsockopt", "{side} setsockopt({option} = {value}){why}" },
	{ "close-first", "{side} close(): its FIN goes first, so the {side} will hold TIME_WAIT for 60 s" },
	{ "close-second", "{side} close(): its FIN answers the {other}'s, so the {side} passes LAST_ACK and holds no TIME_WAIT" },
	{ "close-simul", "{side} close(): its FIN crosses the {other}'s (simultaneous close): both sides hold TIME_WAIT" },
	{ "close-rst", "{side} close() sends RST (SO_LINGER 0): no FIN, no TIME_WAIT on either side" },
	{ "close", "{side} close(): releases the socket (fd {fd}); no packet of its own" },
	{ "close-listen", "{side} close() of the listening socket (fd {fd}): no new connection is accepted on port {lport}; the connections it accepted live on" },
	{ "shutdown", "{side} shutdown({how})" },
	{ "poll", "{side} waited {timeout} ms for a reply and none came: the program's own timeout (UDP itself never says a datagram was lost)" },
	{ "call", "{side} {call}() returns {result}" },
};

/* Why a call failed, or what an option does: keyed by errno name or option. */
static const struct { const char *key, *text; } whys[] = {
	{ "ECONNREFUSED", ": the {other} answered with RST or ICMP port unreachable (nothing listens on port {pport})" },
	{ "EADDRINUSE", ": another socket holds the port (a TIME_WAIT one counts unless SO_REUSEADDR is set)" },
	{ "ECONNRESET", ": the {other} reset the connection (RST)" },
	{ "EPIPE", ": the connection is closed for writing (the {other} reset it)" },
	{ "EAGAIN", ": nothing to do yet on the non-blocking socket" },
	{ "ETIMEDOUT", ": no answer in time" },
	{ "SO_REUSEADDR", ": the port may be bound again while a TIME_WAIT socket holds it" },
	{ "TCP_NODELAY", ": small segments leave at once (Nagle's algorithm off)" },
	{ "SO_LINGER", ": close() will reset the connection (RST) instead of sending FIN" },
};

/* What each state means, for "st" (RFC 9293 section 3.3.2). */
static const struct { const char *state, *text; } meanings[] = {
	{ "CLOSED", "the connection is gone" },
	{ "LISTEN", "it waits for connections" },
	{ "SYN_SENT", "its SYN is out, it waits for SYN+ACK" },
	{ "SYN_RECEIVED", "it answered a SYN and waits for the ACK" },
	{ "ESTABLISHED", "the connection is open both ways" },
	{ "FIN_WAIT_1", "its FIN is on the way" },
	{ "FIN_WAIT_2", "its FIN was acknowledged; it waits for the other side's FIN" },
	{ "CLOSE_WAIT", "the other side closed; it waits for its own program to close" },
	{ "CLOSING", "the FINs crossed; it waits for the ACK of its own" },
	{ "LAST_ACK", "it closed second and waits for the ACK of its FIN" },
	{ "TIME_WAIT", "it closed first and waits 2*MSL" },
};

#define NVARS 24

struct vars {
	const char *name[NVARS];
	char value[NVARS][160];
	int n;
};

static void var(struct vars *v, const char *name, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void var(struct vars *v, const char *name, const char *fmt, ...)
{
	va_list ap;

	if (v->n == NVARS)
		return;
	v->name[v->n] = name;
	va_start(ap, fmt);
	vsnprintf(v->value[v->n], sizeof(v->value[0]), fmt, ap);
	va_end(ap);
	v->n++;
}

static const char *lookup(const char *key, int table)
{
	size_t i;

	if (table == 0) {
		for (i = 0; i < sizeof(templates) / sizeof(templates[0]); i++)
			if (strcmp(templates[i].key, key) == 0)
				return templates[i].text;
	} else if (table == 1) {
		for (i = 0; i < sizeof(whys) / sizeof(whys[0]); i++)
			if (strcmp(whys[i].key, key) == 0)
				return whys[i].text;
	} else {
		for (i = 0; i < sizeof(meanings) / sizeof(meanings[0]); i++)
			if (strcmp(meanings[i].state, key) == 0)
				return meanings[i].text;
	}
	return NULL;
}

/* Fills {name} from vars; an unknown name stays as it is (a template bug shows, never crashes). */
static char *expand(const char *t, const struct vars *v)
{
	size_t cap = 512, n = 0, k;
	char *out = malloc(cap);
	const char *end;
	int i;

	while (out && *t) {
		const char *add = t;
		size_t alen = 1;
		if (*t == '{' && (end = strchr(t, '}'))) {
			for (i = 0; i < v->n; i++)
				if (strlen(v->name[i]) == (size_t)(end - t - 1) && strncmp(v->name[i], t + 1, (size_t)(end - t - 1)) == 0)
					break;
			if (i < v->n) {
				add = v->value[i];
				alen = strlen(add);
				t = end;
			}
		}
		for (k = 0; k < alen; k++) {
			if (n + 2 > cap) {
				char *nb = realloc(out, cap *= 2);
				if (!nb) {
					free(out);
					return NULL;
				}
				out = nb;
			}
			out[n++] = add[k];
		}
		t++;
	}
	if (out)
		out[n] = '\0';
	return out;
}

static const char *other_side(const char *s)
{
	return s && strcmp(s, "client") == 0 ? "server" : "client";
}

static json_t *flow_of(json_t *doc, json_t *e)
{
	json_int_t id = hello_json_int(e, "flow", -1);
	json_t *f;
	size_t i;

	json_array_foreach(json_object_get(doc, "flows"), i, f)
		if (hello_json_int(f, "id", -2) == id)
			return f;
	return NULL;
}

/* The earlier copy of a retransmitted segment: same flow, sender and sequence number. */
static json_int_t first_copy_us(json_t *events, size_t i, json_t *e)
{
	json_t *p;

	while (i-- > 0) {
		p = json_array_get(events, i);
		if (hello_json_is(p, "type", "packet") && hello_json_int(p, "flow", -1) == hello_json_int(e, "flow", -2) && hello_json_is(p, "from", hello_json_str(e, "from")) &&
		    hello_json_int(p, "seq", -1) == hello_json_int(e, "seq", -2) && !json_object_get(p, "retransmission"))
			return hello_json_int(p, "t_us", 0);
	}
	return -1;
}

/* Is this FIN the flow's first? (the flow says who closed first) */
static const char *classify_packet(json_t *doc, json_t *e, size_t i, struct vars *v)
{
	const char *flags = hello_json_str(e, "flags"), *side = hello_json_str(e, "from");
	json_t *f = flow_of(doc, e);
	json_int_t t0;

	var(v, "len", "%lld", (long long)hello_json_int(e, "len", 0));
	var(v, "preview", "%s", hello_json_str(e, "preview") ? hello_json_str(e, "preview") : "");
	var(v, "ack", "%lld", (long long)hello_json_int(e, "ack", 0));
	var(v, "n", "%zu", i);
	if (json_object_get(e, "icmp")) {
		var(v, "icmp", "%s", hello_json_str(json_object_get(e, "icmp"), "text") ? hello_json_str(json_object_get(e, "icmp"), "text") : "error");
		return "icmp";
	}
	if (!side || !f)
		return "packet";
	var(v, "sport", "%lld", (long long)hello_json_int(json_object_get(f, side), "port", 0));
	var(v, "dport", "%lld", (long long)hello_json_int(json_object_get(f, other_side(side)), "port", 0));
	if (hello_json_is(e, "proto", "udp") || hello_json_is(f, "proto", "udp"))	/* a flow's packets go without */
		return "udp";
	if (!flags)
		return "packet";
	if (json_object_get(e, "retransmission") && (t0 = first_copy_us(json_object_get(doc, "events"), i, e)) >= 0)
		var(v, "ms", "%lld", (long long)((hello_json_int(e, "t_us", 0) - t0 + 500) / 1000));
	if (strchr(flags, 'S'))
		return strchr(flags, 'A') ? "synack" : json_object_get(e, "retransmission") ? "syn-again" : "syn";
	if (strchr(flags, 'R'))
		return hello_json_is(f, "conn_state", "REJ") ? "rst-refused" : "rst";
	if (strchr(flags, 'F'))
		return hello_json_is(f, "closed_first", side) ? "fin-first" : "fin";
	if (hello_json_int(e, "len", 0) > 0)
		return json_object_get(e, "retransmission") ? "data-again" : "data";
	if (json_object_get(e, "zero_window"))
		return "zerowin";
	if (json_object_get(e, "dup_ack"))
		return "dupack";
	return hello_json_int(e, "ack", 0) == 1 && hello_json_int(e, "seq", 0) == 1 ? "ack-syn" : "ack";
}

static const char *classify_state(json_t *e, struct vars *v)
{
	const char *to = hello_json_str(e, "to"), *m = to ? lookup(to, 2) : NULL;

	var(v, "to", "%s", to ? to : "?");
	var(v, "meaning", "%s", m ? m : "");
	var(v, "source", "%s", hello_json_is(e, "source", "kernel") ? (hello_json_is(e, "via", "sock_diag") ? "kernel, sock_diag" : "kernel, tracepoint")
						     : "inferred from the packets");
	if (json_object_get(e, "handoff"))
		return "st-handoff";
	if (to && strcmp(to, "TIME_WAIT") == 0 && hello_json_int(e, "timer_ms", -1) >= 0) {
		var(v, "timer", "%lld", (long long)(hello_json_int(e, "timer_ms", 0) / 1000));
		return "st-timer";
	}
	return to && strcmp(to, "TIME_WAIT") == 0 ? "st-timewait" : "st";
}

/* What the close's packets say: FIN first or second, RST, or nothing on the wire. */
static const char *classify_close(json_t *doc, json_t *e, const char *side)
{
	json_t *f = flow_of(doc, e), *p, *evs = json_object_get(doc, "events"), *x;
	size_t i;
	int fin = 0;

	json_array_foreach(json_object_get(e, "packets"), i, x) {
		p = json_array_get(evs, (size_t)json_integer_value(x));
		if (hello_json_str(p, "flags") && strchr(hello_json_str(p, "flags"), 'R'))
			return "close-rst";
		fin |= hello_json_str(p, "flags") && strchr(hello_json_str(p, "flags"), 'F') != NULL;
	}
	if (!fin && hello_json_is(e, "proto", "tcp") && json_object_get(e, "local") && !json_object_get(e, "peer"))
		return "close-listen";
	if (!fin || !f)
		return "close";
	if (hello_json_is(f, "closed_first", "simultaneous"))
		return "close-simul";
	return hello_json_is(f, "closed_first", side) ? "close-first" : "close-second";
}

/* A call's linked segments: first transmissions (each a distinct stream range) apart from
 * retransmissions, which repeat bytes already counted. */
static void seg_counts(json_t *doc, json_t *e, size_t *first, size_t *again)
{
	json_t *evs = json_object_get(doc, "events"), *x;
	size_t i;

	*first = *again = 0;
	json_array_foreach(json_object_get(e, "packets"), i, x) {
		if (json_object_get(json_array_get(evs, (size_t)json_integer_value(x)), "retransmission"))
			(*again)++;
		else
			(*first)++;
	}
}

/* The distinct send() calls whose bytes a recv's segments carry. */
static size_t recv_sends(json_t *doc, json_t *e)
{
	json_t *evs = json_object_get(doc, "events"), *x, *y, *z, *seen = json_array();
	size_t i, j, k, n;
	int dup;

	if (!seen)
		return 0;
	json_array_foreach(json_object_get(e, "packets"), i, x) {
		json_array_foreach(json_object_get(json_array_get(evs, (size_t)json_integer_value(x)), "calls"), j, y) {
			dup = 0;
			json_array_foreach(seen, k, z)
				dup |= json_integer_value(z) == json_integer_value(y);
			if (!dup)
				json_array_append(seen, y);
		}
	}
	n = json_array_size(seen);
	json_decref(seen);
	return n;
}

/* {segs} of a send or recv: how many segments carried its bytes (a recv returning the bytes
 * of several sends: TCP keeps no message boundaries), and the retransmissions apart. */
static void segs_var(json_t *doc, json_t *e, int is_recv, struct vars *v)
{
	size_t first, again, sends = is_recv ? recv_sends(doc, e) : 0;
	char a[128] = "", b[96] = "";

	seg_counts(doc, e, &first, &again);
	if (sends > 1)
		snprintf(a, sizeof(a), ": the bytes of %zu send() calls (%zu segment%s) at once, TCP keeps no message boundaries",
			 sends, first, first == 1 ? "" : "s");
	else if (first > 1)
		snprintf(a, sizeof(a), is_recv ? ": bytes of %zu segments at once" : ": they left in %zu segments", first);
	if (again)
		snprintf(b, sizeof(b), "; %zu retransmission%s carried %s again", again, again == 1 ? "" : "s",
			 again >= first ? "them" : "some of them");
	var(v, "segs", "%s%s", a, b);
}

static const char *classify_call(json_t *doc, json_t *e, struct vars *v)
{
	const char *c = hello_json_str(e, "call"), *side = hello_json_str(e, "side"), *why;
	int fail = hello_json_int(e, "result", 0) < 0;
	static char key[32];

	var(v, "fd", "%lld", (long long)hello_json_int(e, "fd", -1));
	var(v, "proto", "%s", hello_json_str(e, "proto") ? hello_json_str(e, "proto") : "");
	var(v, "bytes", "%lld", (long long)hello_json_int(e, "bytes", 0));
	var(v, "lport", "%lld", (long long)hello_json_int(json_object_get(e, "local"), "port", 0));
	var(v, "pport", "%lld", (long long)hello_json_int(json_object_get(e, "peer"), "port", 0));
	var(v, "dur", "%lld", (long long)hello_json_int(e, "duration_us", 0));
	var(v, "errno", "%s", hello_json_str(e, "errno") ? hello_json_str(e, "errno") : "");
	var(v, "option", "%s", hello_json_str(e, "option") ? hello_json_str(e, "option") : "");
	var(v, "value", "%lld", (long long)hello_json_int(e, "value", 0));
	var(v, "how", "%s", hello_json_str(e, "how") ? hello_json_str(e, "how") : "");
	var(v, "result", "%lld", (long long)hello_json_int(e, "result", 0));
	var(v, "timeout", "%lld", (long long)hello_json_int(e, "timeout_ms", 0));
	var(v, "call", "%s", c ? c : "?");
	why = lookup(fail ? (hello_json_str(e, "errno") ? hello_json_str(e, "errno") : "") : (hello_json_str(e, "option") ? hello_json_str(e, "option") : ""), 1);
	if (hello_json_is(e, "option", "SO_LINGER") && hello_json_int(e, "value", -1) != 0)
		why = NULL;
	/* The reason's own {names} are filled now, from the same variables. */
	char *w = why ? expand(why, v) : NULL;
	var(v, "why", "%s", w ? w : "");
	free(w);
	if (!c)
		return "call";
	if (strcmp(c, "close") == 0)
		return classify_close(doc, e, side);
	if (strcmp(c, "recv") == 0 && !fail) {
		if (hello_json_int(e, "bytes", 0) == 0)
			return "recv-eof";
		segs_var(doc, e, 1, v);
		return "recv";
	}
	if (strcmp(c, "send") == 0 && !fail)
		segs_var(doc, e, 0, v);
	if (strcmp(c, "connect") == 0 && !fail && hello_json_is(e, "proto", "udp"))
		return "connect-udp";
	snprintf(key, sizeof(key), "%s%s", c, fail ? "-fail" : "");
	return lookup(key, 0) ? key : lookup(c, 0) ? c : "call";
}

char *view_notes_event(json_t *doc, size_t i)
{
	json_t *e = json_array_get(json_object_get(doc, "events"), i);
	const char *key = NULL, *type = hello_json_str(e, "type"), *side, *t;
	struct vars v = { .n = 0 };

	if (!e || !type)
		return NULL;
	side = strcmp(type, "packet") == 0 ? hello_json_str(e, "from") : hello_json_str(e, "side");
	if (side)
		var(&v, "side", "%s", side);
	else if (json_object_get(e, "local"))	/* a kernel event no flow matched: a listener */
		var(&v, "side", "the socket on port %lld", (long long)hello_json_int(json_object_get(e, "local"), "port", 0));
	else
		var(&v, "side", "%s", "a socket");
	var(&v, "other", "%s", other_side(side));
	if (strcmp(type, "packet") == 0)
		key = classify_packet(doc, e, i, &v);
	else if (strcmp(type, "state") == 0)
		key = classify_state(e, &v);
	else if (strcmp(type, "call") == 0)
		key = classify_call(doc, e, &v);
	t = key ? lookup(key, 0) : NULL;
	if (!t)
		return NULL;
	/* A template naming {ms} only fits when the first copy was found. */
	if (strstr(t, "{ms}")) {
		int have = 0;
		for (int k = 0; k < v.n; k++)
			have |= strcmp(v.name[k], "ms") == 0;
		if (!have)
			t = lookup(strcmp(key, "syn-again") == 0 ? "syn" : "data", 0);
	}
	return expand(t, &v);
}

int view_notes_add(json_t *doc)
{
	json_t *events = json_object_get(doc, "events"), *e;
	size_t i;
	char *note;

	json_array_foreach(events, i, e) {
		note = view_notes_event(doc, i);
		if (note && json_object_set_new(e, "note", json_string(note)) < 0) {
			free(note);
			return -1;
		}
		free(note);
	}
	return 0;
}
