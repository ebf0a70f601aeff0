/* view/ladder_call.c: socket calls on the ladder: their rows and labels, the flow of calls that name none, links to packet rows. */
#include "view/ladder_call.h"

#include <stdlib.h>
#include <string.h>

#include "core/jsonget.h"
#include "view/ladder_text.h"

#define CALL_MAX_PENDING 16	/* flowless calls of one descriptor waiting for its flow */

static int is_call(json_t *ev)
{
	const char *t = hello_json_str(ev, "type");

	return t && strcmp(t, "call") == 0;
}

/* One open descriptor of one program while its flow is not known yet. */
struct call_fd {
	long long pid, fd, flow;
	long pending[CALL_MAX_PENDING];
	int npending;
};

struct call_pass {
	struct call_fd *fds;
	size_t nfds, capfds;
	struct view_ladder_callflow *out;
	long nout, capout;
};

static struct call_fd *fd_find(struct call_pass *p, long long pid, long long fd, int add)
{
	size_t i;

	for (i = 0; i < p->nfds; i++)
		if (p->fds[i].pid == pid && p->fds[i].fd == fd)
			return &p->fds[i];
	if (!add)
		return NULL;
	if (p->nfds == p->capfds) {
		size_t cap = p->capfds ? p->capfds * 2 : 16;
		void *n = realloc(p->fds, cap * sizeof(*p->fds));

		if (!n)
			return NULL;
		p->fds = n, p->capfds = cap;
	}
	memset(&p->fds[p->nfds], 0, sizeof(p->fds[0]));
	p->fds[p->nfds].pid = pid, p->fds[p->nfds].fd = fd, p->fds[p->nfds].flow = -1;
	return &p->fds[p->nfds++];
}

static int out_add(struct call_pass *p, long event, long long flow)
{
	if (p->nout == p->capout) {
		long cap = p->capout ? p->capout * 2 : 16;
		void *n = realloc(p->out, (size_t)cap * sizeof(*p->out));

		if (!n)
			return -1;
		p->out = n, p->capout = cap;
	}
	p->out[p->nout].event = event, p->out[p->nout].flow = flow;
	p->nout++;
	return 0;
}

/* A call with a flow: the descriptor's earlier flowless calls belong to it. Its close
 * frees the number (and keeps the table as small as the open sockets). */
static int fd_resolve(struct call_pass *p, long long pid, long long fd, long long flow, int closing)
{
	struct call_fd *d = fd_find(p, pid, fd, 0);
	int k;

	if (!d)
		return 0;
	for (k = 0; k < d->npending; k++)
		if (out_add(p, d->pending[k], flow) < 0)
			return -1;
	d->npending = 0;
	d->flow = flow;
	if (closing)
		*d = p->fds[--p->nfds];
	return 0;
}

/* A flowless call: drawn in the descriptor's flow if it had one already (a listener's
 * close after its accept), else kept until one comes. A socket() starts afresh: the
 * descriptor number may be an old one's. */
static int fd_flowless(struct call_pass *p, json_t *ev, long i)
{
	long long pid = hello_json_int(ev, "pid", -1), fd = hello_json_int(ev, "fd", -1);
	const char *call = hello_json_str(ev, "call");
	struct call_fd *d;
	int closing = call && strcmp(call, "close") == 0;

	if (fd < 0)
		return 0;
	if (!(d = fd_find(p, pid, fd, 1)))
		return -1;
	if (call && strcmp(call, "socket") == 0)
		d->flow = -1, d->npending = 0;
	if (d->flow >= 0) {
		if (out_add(p, i, d->flow) < 0)
			return -1;
	} else if (d->npending < CALL_MAX_PENDING) {
		d->pending[d->npending++] = i;
	}
	if (closing)	/* the number is free again: keep the table as small as the open sockets */
		*d = p->fds[--p->nfds];
	return 0;
}

static int cf_cmp(const void *a, const void *b)
{
	long x = ((const struct view_ladder_callflow *)a)->event, y = ((const struct view_ladder_callflow *)b)->event;

	return (x > y) - (x < y);
}

long view_ladder_call_flows(json_t *events, struct view_ladder_callflow **out)
{
	struct call_pass p = { 0 };
	json_t *ev;
	size_t i;
	int rc = 0;

	*out = NULL;
	json_array_foreach(events, i, ev) {
		json_t *fl = json_object_get(ev, "flow");
		long long pid = hello_json_int(ev, "pid", -1);
		const char *call = hello_json_str(ev, "call");

		if (!is_call(ev))
			continue;
		if (json_is_integer(fl)) {
			long long flow = (long long)json_integer_value(fl);

			rc = fd_resolve(&p, pid, hello_json_int(ev, "fd", -1), flow, call && strcmp(call, "close") == 0);
			if (rc == 0 && json_is_integer(json_object_get(ev, "listen_fd")))
				rc = fd_resolve(&p, pid, hello_json_int(ev, "listen_fd", -1), flow, 0);
		} else {
			rc = fd_flowless(&p, ev, (long)i);
		}
		if (rc < 0)
			break;
	}
	free(p.fds);
	if (rc < 0) {
		free(p.out);
		return -1;
	}
	if (p.nout > 1)
		qsort(p.out, (size_t)p.nout, sizeof(*p.out), cf_cmp);
	*out = p.out;
	return p.nout;
}

long long view_ladder_call_flow_of(const struct view_ladder_callflow *cf, long n, long event)
{
	struct view_ladder_callflow key = { .event = event };
	const struct view_ladder_callflow *hit;

	if (n <= 0)
		return -1;
	hit = bsearch(&key, cf, (size_t)n, sizeof(*cf), cf_cmp);
	return hit ? hit->flow : -1;
}

/* "connect()", "send(7)", "recv → 15", "sendto(5)", "setsockopt(SO_LINGER=0)",
 * "connect() ECONNREFUSED", "recvfrom() EAGAIN (1.0 s)": what the program asked, what it
 * got, and how long it waited when that was long. */
static void call_label(struct view_ladder_row *r, json_t *ev)
{
	char name[24], arg[40], err[24];
	const char *call = hello_json_str(ev, "call");
	long long result = hello_json_int(ev, "result", 0), dur = hello_json_int(ev, "duration_us", 0), ms;

	view_ladder_sanitize(name, sizeof(name), call ? call : "call");
	arg[0] = '\0';
	if (strcmp(name, "send") == 0 || strcmp(name, "sendto") == 0)
		view_ladder_fmt(arg, sizeof(arg), "%lld", hello_json_int(ev, "size", hello_json_int(ev, "bytes", 0)));
	else if (strcmp(name, "setsockopt") == 0 && json_is_integer(json_object_get(ev, "value"))) {
		char opt[32];

		view_ladder_sanitize(opt, sizeof(opt), hello_json_str(ev, "option"));
		view_ladder_fmt(arg, sizeof(arg), "%s=%lld", opt, hello_json_int(ev, "value", 0));
	} else if (strcmp(name, "setsockopt") == 0)
		view_ladder_sanitize(arg, sizeof(arg), hello_json_str(ev, "option"));
	else if (strcmp(name, "shutdown") == 0)
		view_ladder_sanitize(arg, sizeof(arg), hello_json_str(ev, "how"));
	/* a TCP socket closed with an address and no peer is a listener: its close sends
	 * nothing, and says which socket it was rather than look like the connection's */
	else if (strcmp(name, "close") == 0 && hello_json_is(ev, "proto", "tcp") &&
		 json_object_get(ev, "local") && !json_object_get(ev, "peer"))
		view_ladder_fmt(arg, sizeof(arg), "listening fd %lld", hello_json_int(ev, "fd", -1));
	else if (strcmp(name, "poll") == 0)
		view_ladder_fmt(arg, sizeof(arg), "%lld ms", hello_json_int(ev, "timeout_ms", 0));
	if (result < 0) {
		r->failed = 1;
		view_ladder_sanitize(err, sizeof(err), hello_json_str(ev, "errno") ? hello_json_str(ev, "errno") : "failed");
		view_ladder_fmt(r->label, sizeof(r->label), "%s(%s) %s", name, arg, err);
	} else if (strcmp(name, "recv") == 0 || strcmp(name, "recvfrom") == 0) {
		view_ladder_fmt(r->label, sizeof(r->label), "%s → %lld", name, hello_json_int(ev, "bytes", result));
	} else if (strcmp(name, "poll") == 0 && result == 0) {
		/* the wait is its argument: no "(300 ms)" after it again */
		view_ladder_fmt(r->label, sizeof(r->label), "timeout: poll(%s) → 0", arg);
		return;
	} else {
		view_ladder_fmt(r->label, sizeof(r->label), "%s(%s)", name, arg);
	}
	/* a call that blocked long enough to matter says so: a connect() waiting out a lost
	 * SYN, a recvfrom() waiting for a reply that never came */
	ms = (dur + 500) / 1000;
	if (ms >= 1000)
		view_ladder_fmt(r->label + strlen(r->label), sizeof(r->label) - strlen(r->label), " (%.1f s)", (double)ms / 1e3);
	else if (ms >= 10)
		view_ladder_fmt(r->label + strlen(r->label), sizeof(r->label) - strlen(r->label), " (%lld ms)", ms);
}

int view_ladder_call_add(struct view_ladder_flow *f, json_t *ev, int i)
{
	struct view_ladder_row *r = view_ladder_row_add(f, VIEW_LADDER_CALL);
	const char *side = hello_json_str(ev, "side");
	json_t *pk = json_object_get(ev, "packets");
	int k;

	if (!r)
		return -1;
	r->event = i;
	r->t_us = hello_json_int(ev, "t_us", -1);
	r->from = side && strcmp(side, "server") == 0 ? VIEW_LADDER_SERVER : VIEW_LADDER_CLIENT;
	call_label(r, ev);
	view_ladder_sanitize(r->note, sizeof(r->note), hello_json_str(ev, "note"));
	for (k = 0; k < VIEW_LADDER_MAX_LINKS; k++)
		r->link_row[k] = -1;
	r->nlinks = (int)json_array_size(pk);
	f->calls++;
	return 0;
}

/* The first packet a call row links to, or -1. */
static long long first_link(json_t *events, const struct view_ladder_row *r)
{
	json_t *pk = json_object_get(json_array_get(events, (size_t)r->event), "packets");
	json_t *v = json_array_get(pk, 0);

	return json_is_integer(v) ? (long long)json_integer_value(v) : -1;
}

void view_ladder_call_hoist(struct view_ladder_flow *f, json_t *events, long long first_event)
{
	struct view_ladder_row phase;
	size_t at = f->nrows - 1;

	if (f->nrows < 2 || f->rows[at].kind != VIEW_LADDER_PHASE)
		return;
	while (at > 0 && f->rows[at - 1].kind == VIEW_LADDER_CALL && first_link(events, &f->rows[at - 1]) >= first_event)
		at--;
	if (at == f->nrows - 1)
		return;
	phase = f->rows[f->nrows - 1];
	memmove(&f->rows[at + 1], &f->rows[at], (f->nrows - 1 - at) * sizeof(*f->rows));
	f->rows[at] = phase;
}

void view_ladder_call_links(struct view_ladder_flow *f, json_t *events)
{
	size_t i;

	for (i = 0; i < f->nrows; i++) {
		struct view_ladder_row *r = &f->rows[i];
		json_t *pk, *v;
		size_t k;
		int n = 0;

		if (r->kind != VIEW_LADDER_CALL)
			continue;
		pk = json_object_get(json_array_get(events, (size_t)r->event), "packets");
		json_array_foreach(pk, k, v) {
			if (n == VIEW_LADDER_MAX_LINKS)
				break;
			if (json_is_integer(v))
				r->link_row[n++] = view_ladder_row_of(f, (int)json_integer_value(v));
		}
	}
}

