/* trace/ladder_sum.c: the words under and above a ladder: flow summaries, the capture line, the compare figures. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "trace/ladder_sum.h"

static long long jint(json_t *o, const char *key, long long def)
{
	json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? (long long)json_integer_value(v) :
	       json_is_real(v) ? (long long)json_real_value(v) : def;
}

static const char *jstr(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

__attribute__((format(printf, 2, 3)))
static void summary_add(struct trace_ladder_flow *f, const char *form, ...)
{
	va_list ap;

	if (f->nsummary >= (int)(sizeof(f->summary) / sizeof(f->summary[0])))
		return;
	va_start(ap, form);
	vsnprintf(f->summary[f->nsummary++], sizeof(f->summary[0]), form, ap);
	va_end(ap);
}

/* Per-side pair {"client": N, "server": N} as "N / N"; 0 when absent. */
static int pair_fmt(char *dst, size_t len, json_t *flow, const char *key)
{
	json_t *o = json_object_get(flow, key);

	if (!json_is_object(o))
		return 0;
	trace_ladder_fmt(dst, len, "%lld / %lld", jint(o, "client", 0), jint(o, "server", 0));
	return 1;
}

void trace_ladder_time_wait(char *dst, size_t len, json_t *tw)
{
	char side[16], src[16];
	long long ms = jint(tw, "timer_ms", -1);

	trace_ladder_sanitize(side, sizeof(side), jstr(tw, "side") ? jstr(tw, "side") : "?");
	trace_ladder_sanitize(src, sizeof(src), jstr(tw, "source") ? jstr(tw, "source") : "inferred");
	if (ms >= 0)
		trace_ladder_fmt(dst, len, "%s, timer %lld ms (%s)", side, ms, src);
	else
		trace_ladder_fmt(dst, len, "%s (%s)", side, src);
}

static void summary_tcp(struct trace_ladder_flow *f, json_t *flow)
{
	char a[96], b[32];
	json_t *tw = json_object_get(flow, "time_wait");
	long long n;

	if (jstr(flow, "history"))
		trace_ladder_sanitize(a, 32, jstr(flow, "history")), summary_add(f, "history %s", a);
	if (jstr(flow, "conn_state"))
		trace_ladder_sanitize(a, 16, jstr(flow, "conn_state")), summary_add(f, "conn_state %s", a);
	if (jstr(flow, "closed_first")) {
		trace_ladder_sanitize(a, 16, jstr(flow, "closed_first"));
		trace_ladder_sanitize(b, 16, jstr(flow, "close_kind") ? jstr(flow, "close_kind") : "fin");
		summary_add(f, "closed first: %s (%s)", a, b);
	}
	if (json_is_object(tw))
		trace_ladder_time_wait(a, sizeof(a), tw), summary_add(f, "TIME_WAIT: %s", a);
	if (pair_fmt(a, sizeof(a), flow, "packets"))
		summary_add(f, "packets %s", a);
	if (pair_fmt(a, sizeof(a), flow, "bytes"))
		summary_add(f, "wire bytes %s", a);
	if (pair_fmt(a, sizeof(a), flow, "payload_bytes"))
		summary_add(f, "payload bytes %s", a);
	if ((n = jint(flow, "retransmissions", 0)) > 0)
		trace_ladder_fmt(a, sizeof(a), "%lld", n), summary_add(f, "retransmissions %s", a);
	if ((n = jint(flow, "dup_acks", 0)) > 0)
		trace_ladder_fmt(a, sizeof(a), "%lld", n), summary_add(f, "dup acks %s", a);
	if ((n = jint(flow, "zero_windows", 0)) > 0)
		trace_ladder_fmt(a, sizeof(a), "%lld", n), summary_add(f, "zero windows %s", a);
	if ((n = (long long)json_array_size(json_object_get(flow, "disagreements"))) > 0)
		trace_ladder_fmt(a, sizeof(a), "%lld", n), summary_add(f, "kernel/inferred disagreements %s", a);
}

static void summary_udp(struct trace_ladder_flow *f, json_t *flow)
{
	char a[64];
	size_t npairs = json_array_size(json_object_get(flow, "pairs"));
	size_t nlost = json_array_size(json_object_get(flow, "unanswered"));
	size_t nicmp = json_array_size(json_object_get(flow, "icmp_errors"));

	if (pair_fmt(a, sizeof(a), flow, "datagrams"))
		summary_add(f, "datagrams %s", a);
	if (pair_fmt(a, sizeof(a), flow, "bytes"))
		summary_add(f, "wire bytes %s", a);
	trace_ladder_fmt(a, sizeof(a), "%zu", npairs), summary_add(f, "answered %s", a);
	trace_ladder_fmt(a, sizeof(a), "%zu", nlost), summary_add(f, "unanswered %s", a);
	if (nicmp)
		trace_ladder_fmt(a, sizeof(a), "%zu", nicmp), summary_add(f, "ICMP errors %s", a);
}

void trace_ladder_summary(struct trace_ladder_flow *f, json_t *flow)
{
	if (strcmp(f->proto, "udp") == 0)
		summary_udp(f, flow);
	else
		summary_tcp(f, flow);
}

/* Appends to the capture line, cutting silently. */
__attribute__((format(printf, 2, 3)))
static void cap_cat(struct trace_ladder *l, const char *f, ...)
{
	size_t n = strlen(l->capture);
	va_list ap;

	va_start(ap, f);
	vsnprintf(l->capture + n, sizeof(l->capture) - n, f, ap);
	va_end(ap);
}

void trace_ladder_capture(struct trace_ladder *l)
{
	json_t *cap = json_object_get(l->root, "capture");
	const char *src = jstr(cap, "source");
	char where[96];
	const char *w = jstr(cap, "file") ? jstr(cap, "file") : jstr(cap, "interface");

	trace_ladder_sanitize(where, sizeof(where), w ? w : "?");
	trace_ladder_fmt(l->capture, sizeof(l->capture), "%s %s", src && strcmp(src, "live") == 0 ? "live on" : "file", where);
	if (json_object_get(cap, "packets_seen"))
		cap_cat(l, ", %lld packets", jint(cap, "packets_seen", 0));
	if (json_object_get(cap, "packets_dropped"))
		cap_cat(l, ", %lld dropped", jint(cap, "packets_dropped", 0));
}


void trace_ladder_metrics(const struct trace_ladder *l, struct trace_ladder_metrics *m)
{
	json_t *events = json_object_get(l->root, "events"), *ev;
	long long first_client = -1;
	size_t i;

	memset(m, 0, sizeof(*m));
	m->first_reply_us = -1;
	trace_ladder_sanitize(m->proto, sizeof(m->proto),
			      jstr(json_array_get(json_object_get(l->root, "flows"), 0), "proto"));
	json_array_foreach(events, i, ev) {
		const char *type = jstr(ev, "type"), *from = jstr(ev, "from"), *pv = jstr(ev, "preview");
		long long t = jint(ev, "t_us", -1);

		if (!type || strcmp(type, "packet") != 0)
			continue;
		m->packets++;
		m->wire_bytes += jint(ev, "wire_len", 0);
		if (from && strcmp(from, "client") == 0 && first_client < 0)
			first_client = t;
		if (from && strcmp(from, "server") == 0 && m->first_reply_us < 0 && first_client >= 0 &&
		    pv && strncmp(pv, "Hello, ", 7) == 0)
			m->first_reply_us = t - first_client;
	}
}
