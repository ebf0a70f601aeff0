/* view/ladder_sum.c: the words under and above a ladder: flow summaries, the capture line, TIME_WAIT. */
#include "view/ladder_sum.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/jsonget.h"
#include "view/ladder_text.h"

__attribute__((format(printf, 2, 3)))
static void summary_add(struct view_ladder_flow *f, const char *form, ...)
{
	va_list ap;

	if (f->nsummary >= (int)(sizeof(f->summary) / sizeof(f->summary[0])))
		return;
	va_start(ap, form);
	vsnprintf(f->summary[f->nsummary++], sizeof(f->summary[0]), form, ap);
	va_end(ap);
}

void view_ladder_time_wait(char *dst, size_t len, json_t *tw)
{
	char side[16], src[16];
	long long ms = hello_json_num(tw, "timer_ms", -1), seen = hello_json_num(tw, "kernel_seen_us", -1);

	view_ladder_sanitize(side, sizeof(side), hello_json_str(tw, "side") ? hello_json_str(tw, "side") : "?");
	view_ladder_sanitize(src, sizeof(src), hello_json_str(tw, "source") ? hello_json_str(tw, "source") : "inferred");
	/* the kernel's timer is what was left when sock_diag looked, which says when */
	if (ms >= 0 && strcmp(src, "kernel") == 0 && seen != -1)
		view_ladder_fmt(dst, len, "%s, timer %lld ms left at %.3f ms (%s)", side, ms, (double)seen / 1000.0, src);
	else if (ms >= 0)
		view_ladder_fmt(dst, len, "%s, timer %lld ms (%s)", side, ms, src);
	else
		view_ladder_fmt(dst, len, "%s (%s)", side, src);
}

static void summary_tcp(struct view_ladder_flow *f, json_t *flow)
{
	char a[96], b[32];
	json_t *tw = json_object_get(flow, "time_wait");
	long long n;

	if (hello_json_str(flow, "history"))
		view_ladder_sanitize(a, 32, hello_json_str(flow, "history")), summary_add(f, "history %s", a);
	if (hello_json_str(flow, "conn_state"))
		view_ladder_sanitize(a, 16, hello_json_str(flow, "conn_state")), summary_add(f, "conn_state %s", a);
	if (hello_json_str(flow, "closed_first")) {
		view_ladder_sanitize(a, 16, hello_json_str(flow, "closed_first"));
		view_ladder_sanitize(b, 16, hello_json_str(flow, "close_kind") ? hello_json_str(flow, "close_kind") : "fin");
		summary_add(f, "closed first: %s (%s)", a, b);
	}
	if (json_is_object(tw))
		view_ladder_time_wait(a, sizeof(a), tw), summary_add(f, "TIME_WAIT: %s", a);
	if ((n = hello_json_num(flow, "retransmissions", 0)) > 0)
		view_ladder_fmt(a, sizeof(a), "%lld", n), summary_add(f, "retransmissions %s", a);
	if ((n = hello_json_num(flow, "dup_acks", 0)) > 0)
		view_ladder_fmt(a, sizeof(a), "%lld", n), summary_add(f, "dup acks %s", a);
	if ((n = hello_json_num(flow, "zero_windows", 0)) > 0)
		view_ladder_fmt(a, sizeof(a), "%lld", n), summary_add(f, "zero windows %s", a);
	if ((n = (long long)json_array_size(json_object_get(flow, "disagreements"))) > 0)
		view_ladder_fmt(a, sizeof(a), "%lld", n), summary_add(f, "kernel/inferred disagreements %s", a);
}

static void summary_udp(struct view_ladder_flow *f, json_t *flow)
{
	char a[64];
	json_t *pairs = json_object_get(flow, "pairs"), *pr;
	size_t npairs = 0, k;
	size_t nlost = json_array_size(json_object_get(flow, "unanswered"));
	size_t nicmp = json_array_size(json_object_get(flow, "icmp_errors"));

	/* a reply a rule dropped never reached the client: not an answer */
	json_array_foreach(pairs, k, pr)
		npairs += !json_is_false(json_object_get(pr, "reply_delivered"));
	view_ladder_fmt(a, sizeof(a), "%zu", npairs), summary_add(f, "answered %s", a);
	view_ladder_fmt(a, sizeof(a), "%zu", nlost), summary_add(f, "unanswered %s", a);
	if (nicmp)
		view_ladder_fmt(a, sizeof(a), "%zu", nicmp), summary_add(f, "ICMP errors %s", a);
}

void view_ladder_summary(struct view_ladder_flow *f, json_t *flow)
{
	if (strcmp(f->proto, "udp") == 0)
		summary_udp(f, flow);
	else
		summary_tcp(f, flow);
}

void view_ladder_capture(char *dst, size_t len, json_t *root)
{
	json_t *cap = json_object_get(root, "capture");
	const char *src = hello_json_str(cap, "source");
	char where[96];
	const char *w = hello_json_str(cap, "file") ? hello_json_str(cap, "file") : hello_json_str(cap, "interface");

	view_ladder_sanitize(where, sizeof(where), w ? w : "?");
	view_ladder_fmt(dst, len, "%s %s", src && strcmp(src, "live") == 0 ? "live on" : "file", where);
	if (json_object_get(cap, "packets_seen"))
		view_ladder_fmt_cat(dst, len, ", %lld packets", hello_json_num(cap, "packets_seen", 0));
	if (json_object_get(cap, "packets_dropped"))
		view_ladder_fmt_cat(dst, len, ", %lld dropped", hello_json_num(cap, "packets_dropped", 0));
}
