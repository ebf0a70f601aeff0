/* runner/lab_compare.c: what the same hello exchange costs over TCP and over UDP, from two runs. */
#include "runner/lab_compare.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "runner/lab_proc.h"

static long num(json_t *o, const char *k)
{
	return (long)json_integer_value(json_object_get(o, k));
}

static int is_reply(json_t *ev)
{
	const char *pv = json_string_value(json_object_get(ev, "preview"));

	return pv && strncmp(pv, "Hello, ", 7) == 0;
}

void lab_compare_measure(json_t *trace, json_t *result, struct lab_cmp *c)
{
	json_t *ev, *fl, *imp;
	long t_first_client = -1;
	const char *k;
	size_t i;

	memset(c, 0, sizeof *c);
	c->first_reply_us = -1;
	json_array_foreach(json_object_get(trace, "events"), i, ev) {
		const char *from = json_string_value(json_object_get(ev, "from"));
		const char *flags = json_string_value(json_object_get(ev, "flags"));
		int cl = from && strcmp(from, "client") == 0;
		long t = num(ev, "t_us");
		if (strcmp(json_string_value(json_object_get(ev, "type")) ?: "", "packet") != 0 || !from)
			continue;
		c->packets++;
		cl ? c->client_packets++ : c->server_packets++;
		if (cl && t_first_client < 0)
			t_first_client = t;
		if (!cl && is_reply(ev)) {
			c->replies++;
			if (c->first_reply_us < 0 && t_first_client >= 0)
				c->first_reply_us = t - t_first_client;
		}
		/* an "ask": what the client sends and then waits on (SYN, a message) */
		if (cl && c->first_reply_us < 0 && !json_is_true(json_object_get(ev, "retransmission")) &&
		    (num(ev, "len") > 0 || (flags && strchr(flags, 'S'))))
			c->asks_to_first++;
	}
	json_array_foreach(json_object_get(trace, "flows"), i, fl) {
		c->wire_bytes += num(json_object_get(fl, "bytes"), "client") +
				 num(json_object_get(fl, "bytes"), "server");
		c->payload_bytes += num(json_object_get(fl, "payload_bytes"), "client") +
				    num(json_object_get(fl, "payload_bytes"), "server");
		c->retransmissions += num(fl, "retransmissions");
		c->unanswered += (long)json_array_size(json_object_get(fl, "unanswered"));
	}
	json_object_foreach(json_object_get(result, "impair"), k, imp)
		c->dropped += num(imp, "dropped");
	c->duration_us = num(json_object_get(trace, "capture"), "duration_us");
}

static void row(FILE *out, const char *what, long a, long b, const char *unit)
{
	char x[32], y[32];

	snprintf(x, sizeof x, a < 0 ? "-" : "%ld%s", a, unit);
	snprintf(y, sizeof y, b < 0 ? "-" : "%ld%s", b, unit);
	fprintf(out, "  %-34s %14s %14s\n", what, x, y);
}

static int load(const char *dir, json_t **trace, json_t **result, FILE *err)
{
	char p[PATH_MAX + 16];

	snprintf(p, sizeof p, "%s/trace.json", dir);
	*trace = json_load_file(p, 0, NULL);
	snprintf(p, sizeof p, "%s/result.json", dir);
	*result = json_load_file(p, 0, NULL);
	if (!json_is_object(*trace)) {
		fprintf(err, "hello-lab: compare: %s/trace.json: missing or unreadable\n", dir);
		return -1;
	}
	return 0;
}

int lab_compare_main(const char *tcp_dir, const char *udp_dir, const char *html, const char *bindir,
		     FILE *out, FILE *err)
{
	json_t *tt = NULL, *tr = NULL, *ut = NULL, *ur = NULL;
	struct lab_cmp t, u;
	char prog[PATH_MAX + 16], a[PATH_MAX + 16], b[PATH_MAX + 16], e[256];
	int rc = 1;

	if (load(tcp_dir, &tt, &tr, err) < 0 || load(udp_dir, &ut, &ur, err) < 0)
		goto out;
	lab_compare_measure(tt, tr, &t);
	lab_compare_measure(ut, ur, &u);
	fprintf(out, "  %-34s %14s %14s\n", "", "TCP", "UDP");
	row(out, "packets (client + server)", t.packets, u.packets, "");
	row(out, "  from the client", t.client_packets, u.client_packets, "");
	row(out, "  from the server", t.server_packets, u.server_packets, "");
	row(out, "bytes on the wire (IP and up)", t.wire_bytes, u.wire_bytes, "");
	row(out, "payload bytes", t.payload_bytes, u.payload_bytes, "");
	row(out, "round trips to the first reply", t.asks_to_first, u.asks_to_first, "");
	row(out, "time to the first \"Hello, ...!\"", t.first_reply_us, u.first_reply_us, " us");
	row(out, "replies seen", t.replies, u.replies, "");
	row(out, "retransmissions (TCP)", t.retransmissions, -1, "");
	row(out, "requests never answered (UDP)", -1, u.unanswered, "");
	row(out, "packets dropped by the lab's rules", t.dropped, u.dropped, "");
	row(out, "whole capture", t.duration_us, u.duration_us, " us");
	fprintf(out, "  (time to the first reply counts from the client's first packet:\n"
		"   TCP's handshake and greeting are part of its cost)\n");
	rc = 0;
	snprintf(prog, sizeof prog, "%s/hello-trace", bindir);
	if (html && access(prog, X_OK) == 0) {
		struct lab_where here = { -1, 0 };
		char *cargv[] = { prog, "render", "--compare", a, b, "--format", "html", "-o",
				  (char *)html, NULL };
		snprintf(a, sizeof a, "%s/trace.json", tcp_dir);
		snprintf(b, sizeof b, "%s/trace.json", udp_dir);
		if (lab_proc_cmd(&here, cargv, e, sizeof e) == 0)
			fprintf(out, "  side-by-side diagrams: %s\n", html);
		else
			fprintf(out, "  no side-by-side diagrams (%s)\n", e);
	}
out:
	json_decref(tt);
	json_decref(tr);
	json_decref(ut);
	json_decref(ur);
	return rc;
}
