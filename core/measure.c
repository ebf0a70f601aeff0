/* core/measure.c: the figures a comparison shows for one trace.json, with their labels and units: `hello-lab compare` and `hello-trace render --compare` both print these, so the terminal and the page agree. */
#include "core/measure.h"

#include <stdio.h>
#include <string.h>

#include "core/jsonget.h"

/* Byte counts carry their meaning in the label (docs/trace-format.md, "flows"): the same
 * exchange has the same IP bytes on any link; frame bytes are what Wireshark counts. */
const struct hello_measure_row hello_measure_rows[HELLO_M_N] = {
	[HELLO_M_PACKETS] = { "packets", "packets (client + server)", HELLO_MU_COUNT, 1 },
	[HELLO_M_PACKETS_CLIENT] = { "packets_client", "  from the client", HELLO_MU_COUNT, 0 },
	[HELLO_M_PACKETS_SERVER] = { "packets_server", "  from the server", HELLO_MU_COUNT, 0 },
	[HELLO_M_IP_BYTES] = { "ip_bytes", "IP bytes (IP header and up)", HELLO_MU_BYTES, 1 },
	[HELLO_M_FRAME_BYTES] = { "frame_bytes", "frame bytes (as Wireshark counts)", HELLO_MU_BYTES, 1 },
	[HELLO_M_PAYLOAD_BYTES] = { "payload_bytes", "payload bytes", HELLO_MU_BYTES, 0 },
	[HELLO_M_ASKS] = { "round_trips", "round trips to the first reply", HELLO_MU_COUNT, 0 },
	[HELLO_M_FIRST_REPLY_US] = { "first_reply", "time to the first \"Hello, ...!\"", HELLO_MU_US, 1 },
	[HELLO_M_REPLIES] = { "replies", "replies seen", HELLO_MU_COUNT, 0 },
	[HELLO_M_RETRANSMISSIONS] = { "retransmissions", "retransmissions (TCP)", HELLO_MU_COUNT, 0 },
	[HELLO_M_UNANSWERED] = { "unanswered", "requests never answered (UDP)", HELLO_MU_COUNT, 0 },
	[HELLO_M_ICMP_ERRORS] = { "icmp_errors", "ICMP errors", HELLO_MU_COUNT, 0 },
	[HELLO_M_DURATION_US] = { "duration", "whole capture", HELLO_MU_US, 0 },
};

static long long side_sum(json_t *pair)
{
	return hello_json_num(pair, "client", 0) + hello_json_num(pair, "server", 0);
}

/* The packets: client packets that ask (a SYN, a message: what it then waits on) before
 * the first "Hello, " from the server, the time from the client's first packet to that
 * reply (TCP's handshake and greeting are part of its cost), and the replies. */
static void from_events(json_t *events, struct hello_measure *m)
{
	long long first_client = -1;
	json_t *ev;
	size_t i;

	json_array_foreach(events, i, ev) {
		const char *from = hello_json_str(ev, "from"), *pv = hello_json_str(ev, "preview");
		const char *flags = hello_json_str(ev, "flags");
		long long t = hello_json_num(ev, "t_us", 0);
		int client = from && strcmp(from, "client") == 0;

		if (!hello_json_is(ev, "type", "packet") || !from)
			continue;
		if (client && first_client < 0)
			first_client = t;
		/* a reply a lab rule dropped (delivered: false) never reached the client */
		if (!client && pv && strncmp(pv, "Hello, ", 7) == 0 && !json_is_false(json_object_get(ev, "delivered"))) {
			m->v[HELLO_M_REPLIES]++;
			if (m->v[HELLO_M_FIRST_REPLY_US] < 0 && first_client >= 0)
				m->v[HELLO_M_FIRST_REPLY_US] = t - first_client;
		}
		if (client && m->v[HELLO_M_FIRST_REPLY_US] < 0 && !hello_json_true(ev, "retransmission") &&
		    (hello_json_num(ev, "len", 0) > 0 || (flags && strchr(flags, 'S'))))
			m->v[HELLO_M_ASKS]++;
	}
}

/* Counts and bytes are the flows' own (docs/trace-format.md), so a figure here is the sum
 * of what each flow's facts say. A version 1 trace names ip_bytes "bytes" and has no
 * frame_bytes: that figure is then unknown. */
static void from_flows(json_t *flows, struct hello_measure *m)
{
	int tcp = 0, udp = 0;
	json_t *fl;
	size_t i;

	m->v[HELLO_M_FRAME_BYTES] = 0;
	json_array_foreach(flows, i, fl) {
		json_t *pk = json_object_get(fl, "packets"), *ip = json_object_get(fl, "ip_bytes");
		json_t *frame = json_object_get(fl, "frame_bytes");

		m->v[HELLO_M_PACKETS_CLIENT] += hello_json_num(pk, "client", 0);
		m->v[HELLO_M_PACKETS_SERVER] += hello_json_num(pk, "server", 0);
		m->v[HELLO_M_IP_BYTES] += side_sum(ip ? ip : json_object_get(fl, "bytes"));
		if (!frame || m->v[HELLO_M_FRAME_BYTES] < 0)
			m->v[HELLO_M_FRAME_BYTES] = -1;
		else
			m->v[HELLO_M_FRAME_BYTES] += side_sum(frame);
		m->v[HELLO_M_PAYLOAD_BYTES] += side_sum(json_object_get(fl, "payload_bytes"));
		m->v[HELLO_M_RETRANSMISSIONS] += hello_json_num(fl, "retransmissions", 0);
		m->v[HELLO_M_UNANSWERED] += (long long)json_array_size(json_object_get(fl, "unanswered"));
		m->v[HELLO_M_ICMP_ERRORS] += (long long)json_array_size(json_object_get(fl, "icmp_errors"));
		tcp |= hello_json_is(fl, "proto", "tcp");
		udp |= hello_json_is(fl, "proto", "udp");
	}
	m->v[HELLO_M_PACKETS] = m->v[HELLO_M_PACKETS_CLIENT] + m->v[HELLO_M_PACKETS_SERVER];
	if (!tcp)
		m->v[HELLO_M_RETRANSMISSIONS] = -1;
	if (!udp)
		m->v[HELLO_M_UNANSWERED] = -1;
}

void hello_measure_trace(json_t *trace, struct hello_measure *m)
{
	memset(m, 0, sizeof(*m));
	m->v[HELLO_M_FIRST_REPLY_US] = -1;
	from_flows(json_object_get(trace, "flows"), m);
	from_events(json_object_get(trace, "events"), m);
	m->v[HELLO_M_DURATION_US] = hello_json_num(json_object_get(trace, "capture"), "duration_us", -1);
}

void hello_measure_fmt(const struct hello_measure *m, int id, char *dst, size_t len)
{
	long long v = id >= 0 && id < HELLO_M_N ? m->v[id] : -1;

	if (v < 0)
		snprintf(dst, len, "-");
	else if (hello_measure_rows[id].unit == HELLO_MU_US)
		snprintf(dst, len, "%.3f ms", (double)v / 1000.0);
	else
		snprintf(dst, len, "%lld", v);
}

const char hello_measure_note[] =
	"Time to the first reply counts from the client's first packet (TCP's handshake and "
	"greeting are part of its cost). IP bytes count from the IP header on, the same on any "
	"link; frame bytes add the link header, as Wireshark counts. Packets and bytes are the "
	"flows' own (ICMP errors counted apart).";

void hello_measure_name(json_t *trace, const char *path, char *dst, size_t len)
{
	const char *proto = hello_json_str(json_array_get(json_object_get(trace, "flows"), 0), "proto");
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path, *end = base + strlen(base);
	char up[8];
	size_t i;

	/* ".../tcp-hello/trace.json": the folder says more than the file */
	if (strcmp(base, "trace.json") == 0 && base - path >= 2) {
		end = base - 1;
		for (base = end; base > path && base[-1] != '/'; base--)
			;
		if (base == end)
			base = "trace.json", end = base + strlen(base);
	}
	for (i = 0; proto && proto[i] && i + 1 < sizeof(up); i++)
		up[i] = (char)(proto[i] >= 'a' && proto[i] <= 'z' ? proto[i] - 32 : proto[i]);
	up[i] = '\0';
	snprintf(dst, len, "%s (%.*s)", up[0] ? up : "?", (int)(end - base), base);
}

void hello_measure_line(FILE *out, const char *label, const char *a, const char *b)
{
	fprintf(out, "  %-33s %21s %21s\n", label, a, b);
}

int hello_measure_table(FILE *out, const char *const names[2], const struct hello_measure m[2])
{
	char a[32], b[32];

	fprintf(out, "  %-33s %21.21s %21.21s\n", "", names[0], names[1]);
	for (int id = 0; id < HELLO_M_N; id++) {
		hello_measure_fmt(&m[0], id, a, sizeof(a));
		hello_measure_fmt(&m[1], id, b, sizeof(b));
		hello_measure_line(out, hello_measure_rows[id].label, a, b);
	}
	return ferror(out) ? -1 : 0;
}

void hello_measure_footer(FILE *out)
{
	const char *p = hello_measure_note;

	while (*p) {
		size_t n = strlen(p), cut = n;

		if (n > 75)	/* wrap at the last space that fits */
			for (cut = 75; cut > 0 && p[cut] != ' '; cut--)
				;
		if (cut == 0)
			cut = n > 75 ? 75 : n;
		fprintf(out, "  %.*s\n", (int)cut, p);
		p += cut;
		while (*p == ' ')
			p++;
	}
}
