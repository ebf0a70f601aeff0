/* view/ladder_mark.c: the state marks beside a ladder's rows: where each state change sits, and what the kernel reported when. */
#include "view/ladder_mark.h"

#include <string.h>

#include "core/jsonget.h"
#include "view/ladder_text.h"

void view_ladder_marks_init(struct view_ladder_marks *m)
{
	memset(m, 0, sizeof(*m));
	m->shown_row[0] = m->shown_row[1] = -1;
	m->pending[0] = m->pending[1] = -1;
	m->pending_k[0] = m->pending_k[1] = -1;
}

static int side_of(const char *s)
{
	return s && strcmp(s, "server") == 0 ? VIEW_LADDER_SERVER : VIEW_LADDER_CLIENT;
}

/* A state change without "source" is inferred (docs/trace-format.md). */
static int source_is(json_t *ev, const char *source)
{
	const char *s = hello_json_str(ev, "source");

	if (!s)
		s = "inferred";
	return s && strcmp(s, source) == 0;
}

/* Two times are "then" to each other; an unknown time (-1) cannot tell them apart. */
static int then(long long a, long long b)
{
	long long d = a - b;

	return a == -1 || b == -1 || (d <= VIEW_LADDER_THEN_US && d >= -VIEW_LADDER_THEN_US);
}

/* The mark takes kernel report kev as its `*` (the first report that came then). */
static void mark_kernel(struct view_ladder_mark *mk, json_t *kev)
{
	if (mk->kernel)
		return;
	mk->kernel = 1;
	mk->kernel_us = hello_json_num(kev, "t_us", -1);
	mk->timer_ms = hello_json_num(kev, "timer_ms", -1);
	view_ladder_sanitize(mk->via, sizeof(mk->via), hello_json_str(kev, "via"));
}

/* The row an inferred state change sits beside: the last row, when it is the packet
 * that caused the change and that side has no mark there yet. */
static struct view_ladder_row *state_row_for(struct view_ladder_flow *f, json_t *ev, int side)
{
	struct view_ladder_row *last;
	json_t *cause = json_object_get(ev, "cause");

	if (f->nrows == 0 || !json_is_integer(cause))
		return NULL;
	last = &f->rows[f->nrows - 1];
	if (last->kind == VIEW_LADDER_PHASE || last->mark[side].state[0])
		return NULL;
	return json_integer_value(cause) == last->event ? last : NULL;
}

/* Kernel report kev (event ki) of state `to` at time t for a side: the `*` of the change
 * it confirms, when that change is drawn within VIEW_LADDER_THEN_US before it or comes
 * within that after it. Returns 1 when it found its place so (or says nothing new), 0
 * when it must be drawn at its own time. */
static int kernel_confirms(struct view_ladder_marks *m, struct view_ladder_flow *f, json_t *events,
			   const long *later, size_t nlater, int side, const char *to, json_t *kev, int ki)
{
	long long t = hello_json_num(kev, "t_us", -1);
	size_t j;
	long k;

	if (strcmp(m->shown[side], to) == 0 && m->shown_row[side] >= 0) {
		struct view_ladder_row *r = &f->rows[m->shown_row[side]];

		if (r->mark[side].kernel)
			return 1;	/* the kernel said so already: a later poll adds nothing */
		if (!then(r->t_us, t))
			return 0;	/* it confirms it, but later: a LATE row says when */
		mark_kernel(&r->mark[side], kev);
		return 1;
	}
	/* the side moved on since, by the packets: a report of a change just drawn */
	for (k = (long)f->nrows - 1; k >= 0; k--) {
		struct view_ladder_row *r = &f->rows[k];
		struct view_ladder_mark *mk = &r->mark[side];

		if (r->kind != VIEW_LADDER_ARROW && r->kind != VIEW_LADDER_STATE)
			continue;	/* phases and calls have times of their own */
		if (!then(r->t_us, t) && r->t_us < t)
			break;
		if (mk->what == VIEW_LADDER_MARK_CHANGE && strcmp(mk->state, to) == 0 && !mk->kernel) {
			mark_kernel(mk, kev);
			return 1;
		}
	}
	/* a change the packets show just after (the kernel acts before the packet leaves) */
	for (j = 0; j < nlater; j++) {
		json_t *ev = json_array_get(events, (size_t)later[j]);
		const char *type = hello_json_str(ev, "type"), *s = hello_json_str(ev, "to");

		if (!then(hello_json_num(ev, "t_us", t), t))
			break;
		if (!type || strcmp(type, "state") != 0 || !source_is(ev, "inferred") ||
		    side_of(hello_json_str(ev, "side")) != side || !hello_json_str(ev, "side"))
			continue;
		if (!s || strcmp(s, to) != 0)
			break;	/* the packets move this side elsewhere first */
		m->pending[side] = later[j];
		m->pending_k[side] = ki;
		return 1;
	}
	return 0;
}

/* A row of the kernel's own, with the words that say what it is: the kernel's report of a
 * state the packets showed earlier (LATE): sock_diag's look at it, which confirms it, or
 * the tracepoint's change, which says when the kernel made it; or the tracepoint's hand-off
 * (HANDOFF). */
static int kernel_row(struct view_ladder_marks *m, struct view_ladder_flow *f, json_t *ev, int i, int side,
		      enum view_ladder_mark_what what, const char *to)
{
	struct view_ladder_row *r = view_ladder_row_add(f, VIEW_LADDER_STATE);
	struct view_ladder_mark *mk;

	if (!r)
		return -1;
	r->event = i;
	r->t_us = hello_json_num(ev, "t_us", -1);
	r->from = side;
	view_ladder_sanitize(r->note, sizeof(r->note), hello_json_str(ev, "note"));
	mk = &r->mark[side];
	mk->what = what;
	mk->event = i;
	mark_kernel(mk, ev);
	m->any_kernel = 1;
	if (what == VIEW_LADDER_MARK_HANDOFF) {
		view_ladder_sanitize(mk->from, sizeof(mk->from), hello_json_str(ev, "from"));
		if (!mk->from[0])
			view_ladder_fmt(mk->from, sizeof(mk->from), "FIN_WAIT_2");
		view_ladder_fmt(mk->state, sizeof(mk->state), "hand-off");
		view_ladder_fmt(r->label, sizeof(r->label), "%s → %s, time-wait socket", mk->from, to);
		return 0;	/* the connection's state goes on: the time-wait socket holds it */
	}
	memcpy(mk->state, to, sizeof(mk->state));
	mk->since_us = f->rows[m->shown_row[side]].t_us;
	view_ladder_sanitize(mk->from, sizeof(mk->from), hello_json_str(ev, "from"));
	if (mk->from[0])	/* not "confirmed": the packets put it earlier than the kernel did */
		view_ladder_fmt(r->label, sizeof(r->label), "kernel's change: %s → %s", mk->from, to);
	else if (mk->timer_ms >= 0)
		view_ladder_fmt(r->label, sizeof(r->label), "confirmed by the kernel, %lld ms left", mk->timer_ms);
	else
		view_ladder_fmt(r->label, sizeof(r->label), "confirmed by the kernel");
	m->shown_row[side] = (long)(r - f->rows);
	return 0;
}

int view_ladder_mark_state(struct view_ladder_marks *m, struct view_ladder_flow *f, json_t *events,
			   const long *later, size_t nlater, json_t *ev, int i)
{
	int side = side_of(hello_json_str(ev, "side"));
	int kernel = source_is(ev, "kernel");
	json_t *kev = kernel ? ev : NULL;
	char to[16], from[16];
	struct view_ladder_row *r;

	view_ladder_sanitize(to, sizeof(to), hello_json_str(ev, "to") ? hello_json_str(ev, "to") : "?");
	/* The tracepoint's FIN_WAIT2 -> CLOSE at the time-wait hand-off is not a real close
	 * (docs/trace-kernel.md): drawn as what it is, it leaves the side's state alone. */
	if (hello_json_true(ev, "handoff"))
		return kernel_row(m, f, ev, i, side, VIEW_LADDER_MARK_HANDOFF, to);
	view_ladder_sanitize(from, sizeof(from), hello_json_str(ev, "from"));
	if (!f->init_state[side][0] && !m->shown[side][0] && from[0])
		memcpy(f->init_state[side], from, sizeof(from));
	if (kernel && kernel_confirms(m, f, events, later, nlater, side, to, ev, i)) {
		m->any_kernel = 1;
		return 0;
	}
	if (m->pending[side] == i) {
		kev = json_array_get(events, (size_t)m->pending_k[side]);
		m->pending[side] = m->pending_k[side] = -1;
	}
	if (strcmp(m->shown[side], to) == 0) {
		if (!kernel)
			return 0;	/* the kernel's report, drawn already, came first */
		return kernel_row(m, f, ev, i, side, VIEW_LADDER_MARK_LATE, to);
	}
	r = state_row_for(f, ev, side);
	if (!r) {
		if (!(r = view_ladder_row_add(f, VIEW_LADDER_STATE)))
			return -1;
		r->event = i;
		r->t_us = hello_json_num(ev, "t_us", -1);
		r->from = side;
	}
	memcpy(r->mark[side].state, to, sizeof(to));
	r->mark[side].event = i;
	r->mark[side].inferred = !kernel;
	if (kev) {
		mark_kernel(&r->mark[side], kev);
		m->any_kernel = 1;
	}
	memcpy(m->shown[side], to, sizeof(to));
	m->shown_row[side] = (long)(r - f->rows);
	return 0;
}

/* " (sock_diag) at 23.428 ms": which source and when, each when known. */
static void kernel_when(const struct view_ladder_mark *mk, char *dst, size_t len)
{
	dst[0] = '\0';
	if (mk->via[0])
		view_ladder_fmt_cat(dst, len, " (%s)", mk->via);
	if (mk->kernel_us != -1)
		view_ladder_fmt_cat(dst, len, " at %.3f ms", (double)mk->kernel_us / 1000.0);
}

void view_ladder_mark_source(const struct view_ladder_mark *mk, char *dst, size_t len)
{
	char when[64];

	kernel_when(mk, when, sizeof(when));
	if (mk->what == VIEW_LADDER_MARK_HANDOFF) {
		view_ladder_fmt(dst, len, "reported by the kernel%s: %s → CLOSED, the full socket hands the "
				 "connection to a time-wait socket, which holds TIME_WAIT", when, mk->from);
		return;
	}
	if (!mk->kernel) {
		view_ladder_fmt(dst, len, "inferred from the packets");
		return;
	}
	view_ladder_fmt(dst, len, "%sreported by the kernel%s", mk->inferred ? "inferred from the packets; " : "", when);
	if (mk->what == VIEW_LADDER_MARK_LATE && mk->from[0])
		view_ladder_fmt_cat(dst, len, ": %s → %s", mk->from, mk->state);
	if (mk->timer_ms >= 0)
		view_ladder_fmt_cat(dst, len, ", %lld ms left", mk->timer_ms);
	if (mk->what == VIEW_LADDER_MARK_LATE && mk->since_us != -1)
		view_ladder_fmt_cat(dst, len, "; the packets showed it from %.3f ms", (double)mk->since_us / 1000.0);
}
