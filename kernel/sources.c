/* kernel/sources.c: glue between the capture loop and the kernel sources (tracepoint, sock_diag). */
#include "kernel/sources.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "trace/feed.h"
#include "trace/model.h"
#include "trace/model_drop.h"
#include "trace/model_packet.h"
#include "trace/model_kernel.h"

static void kstate_note(struct kernel_sources *ks, const char *fmt, const char *what)
{
	if (ks->nnotes < KERNEL_SOURCES_MAX_NOTES)
		snprintf(ks->notes[ks->nnotes++], sizeof ks->notes[0], fmt, what);
}

int kernel_sources_open(struct kernel_sources *ks, const struct kernel_sources_opts *o, char *err,
		      size_t errlen)
{
	char e[200];

	memset(ks, 0, sizeof *ks);
	ks->kt.pipe_fd = ks->kt.guard_fd = -1;
	for (size_t i = 0; i < KERNEL_SOCKDIAG_MAX_NS; i++)
		ks->sd.ns[i].fd = -1;
	ks->opened = 1;
	ks->user = o->user;
	if (o->offline) {
		kstate_note(ks, "%s", "reading a file: states are inferred from the packets");
		return 0;
	}
	/* The drop log names packets the lab's rules dropped: without it they only look
	 * delivered, so its failure is said, not fatal. */
	if (o->drop_group > 0) {
		if (kernel_droplog_open(&ks->dl, o->drop_group, o->netns, o->nnetns, e, sizeof e) == 0)
			ks->drop_log = 1;
		else
			kstate_note(ks, "drop log off, packets the lab's rules dropped are not marked: %s", e);
	}
	if (o->no_kernel) {
		kstate_note(ks, "%s", "kernel sources off (--no-kernel)");
		return 0;
	}
	/* sock_diag first: a --netns the user named must open, or the run is refused. */
	if (kernel_sockdiag_open(&ks->sd, o->netns, o->nnetns, o->ports, o->nports, e, sizeof e) == 0) {
		ks->sock_diag = 1;
	} else if (o->nnetns > 0) {
		snprintf(err, errlen, "%s", e);
		return -1;
	} else {
		kstate_note(ks, "%s", e);
	}
	/* The tracepoint sees every namespace: without a port to filter on it would mix
	 * in everybody's connections, so it stays off. */
	if (o->nports == 0)
		kstate_note(ks, "%s", "tracepoint: off: the filter names no port (the event is system-wide)");
	else if (kernel_tracepoint_open(&ks->kt, o->tracefs_root, o->ports, o->nports, e, sizeof e) == 0)
		ks->tracepoint = 1;
	else
		kstate_note(ks, "%s", e);
	return 0;
}

/* One sock_diag poll; its first failure becomes a note. Returns the events it gave. */
static int sources_sockdiag(struct kernel_sources *ks, trace_kevent_fn fn, void *arg)
{
	char e[200];
	int r;

	if (!ks->sock_diag)
		return 0;
	r = kernel_sockdiag_poll(&ks->sd, NULL, fn, arg, e, sizeof e);
	if (r < 0 && !ks->poll_failed++)
		kstate_note(ks, "%s", e);
	return r > 0 ? r : 0;
}

/* The tracepoint, then sock_diag when diag. Returns events. */
static int sources_poll(struct kernel_sources *ks, trace_kevent_fn fn, void *arg, int diag)
{
	char e[200];
	int n = 0, r;

	if (ks->tracepoint) {
		r = kernel_tracepoint_read(&ks->kt, 0, fn, arg, e, sizeof e);
		if (r < 0 && !ks->read_failed++)
			kstate_note(ks, "%s", e);
		n += r > 0 ? r : 0;
	}
	if (diag)
		n += sources_sockdiag(ks, fn, arg);
	ks->events += (uint64_t)n;
	return n;
}

int kernel_sources_poll(struct kernel_sources *ks, trace_kevent_fn fn, void *arg)
{
	return sources_poll(ks, fn, arg, 1);
}

int kernel_sources_finish(struct kernel_sources *ks, trace_kevent_fn fn, void *arg)
{
	char e[200];
	int n = 0, r, i;

	if (ks->tracepoint) {
		/* Bounded: a few full reads, then whatever is left is lost with a note. */
		for (i = 0; i < 16; i++) {
			r = kernel_tracepoint_read(&ks->kt, 0, fn, arg, e, sizeof e);
			if (r <= 0)
				break;
			n += r;
		}
		kernel_tracepoint_flush(&ks->kt, fn, arg);
	}
	n += sources_sockdiag(ks, fn, arg);
	ks->events += (uint64_t)n;
	return n;
}

/* The model's side of each finding: run in the feed's turn (trace/feed.h), on a copy. */
static int apply_sources(void *arg, struct trace_model *m, const void *data, size_t len, char *err, size_t errlen)
{
	const int *on = data;

	(void)arg, (void)len, (void)err, (void)errlen;
	trace_model_set_state_sources(m, on[0], on[1]);
	return 0;
}

static int apply_note(void *arg, struct trace_model *m, const void *data, size_t len, char *err, size_t errlen)
{
	(void)len;
	if ((arg ? trace_model_add_netns(m, data) : trace_model_add_note(m, data)) == 0)
		return 0;
	snprintf(err, errlen, "trace: out of memory");
	return -1;
}

/* The model copies the event; a failure there (memory) is the model's to report. */
static int apply_kevent(void *arg, struct trace_model *m, const void *data, size_t len, char *err, size_t errlen)
{
	(void)arg, (void)len, (void)err, (void)errlen;
	trace_model_add_kevent(m, data);
	return 0;
}

struct sources_drop {
	int has_ts;
	int64_t ts_us;
	char rule[KERNEL_DROPLOG_RULE_MAX];
	/* then the IP packet */
};

static int apply_drop(void *arg, struct trace_model *m, const void *data, size_t len, char *err, size_t errlen)
{
	const struct sources_drop *d = data;

	(void)arg;
	if (trace_model_add_drop(m, d->has_ts, d->ts_us, d->rule, len > sizeof *d ? (const uint8_t *)(d + 1) : NULL,
				 len - sizeof *d) == 0)
		return 0;
	snprintf(err, errlen, "trace: out of memory");
	return -1;
}

static int apply_release(void *arg, struct trace_model *m, const void *data, size_t len, char *err, size_t errlen)
{
	(void)arg, (void)len;
	if (trace_model_release(m, *(const int64_t *)data) == 0)
		return 0;
	snprintf(err, errlen, "trace: out of memory");
	return -1;
}

int kernel_sources_describe(struct kernel_sources *ks, struct trace_feed *f)
{
	char e[64];
	int on[2] = { ks->tracepoint, ks->sock_diag };
	size_t i;

	if (trace_feed_call(f, apply_sources, NULL, on, sizeof on, e, sizeof e) < 0)
		return -1;
	for (; ks->notes_given < ks->nnotes; ks->notes_given++)
		if (trace_feed_call(f, apply_note, NULL, ks->notes[ks->notes_given],
				    strlen(ks->notes[ks->notes_given]) + 1, e, sizeof e) < 0)
			return -1;
	if (ks->described)
		return 0;
	ks->described = 1;
	for (i = 0; i < ks->sd.nns; i++)
		if (ks->sd.ns[i].name[0] &&
		    trace_feed_call(f, apply_note, ks, ks->sd.ns[i].name, strlen(ks->sd.ns[i].name) + 1, e, sizeof e) < 0)
			return -1;
	return 0;
}

/* A kernel event into the feed; a failure there (memory) stops the current read. */
static int kstate_to_feed(void *arg, const struct trace_kevent *ev)
{
	char e[64];

	return trace_feed_call(arg, apply_kevent, NULL, ev, sizeof *ev, e, sizeof e) < 0 ? -1 : 0;
}

int kernel_sources_active(void *arg, struct trace_model *m, char *err, size_t errlen)
{
	struct kernel_sources *ks = arg;
	struct trace_feed f;

	trace_feed_init(&f, m);		/* no thread yet: straight into the model */
	int rc = kernel_sources_describe(ks, &f);
	trace_feed_free(&f);
	if (rc < 0) {
		snprintf(err, errlen, "trace: out of memory");
		return -1;
	}
	if (ks->drop_log && trace_model_drop_enable(m, ks->dl.group, err, errlen) < 0)
		return -1;
	return ks->user ? kernel_sources_drop_privs(ks->user, err, errlen) : 0;
}

static int drop_to_feed(void *arg, const struct kernel_drop *d)
{
	struct sources_drop *c;
	size_t n = sizeof *c + (d->ip ? d->ip_len : 0);
	char e[64];
	int rc;

	if (!(c = calloc(1, n)))
		return -1;
	c->has_ts = d->has_ts, c->ts_us = d->ts_us;
	snprintf(c->rule, sizeof c->rule, "%s", d->rule);
	if (d->ip)
		memcpy(c + 1, d->ip, d->ip_len);
	rc = trace_feed_call(arg, apply_drop, NULL, c, n, e, sizeof e);
	free(c);
	return rc;
}

/* What the drop log holds; its first failure becomes a note and turns it off. */
static void sources_droplog(struct kernel_sources *ks, struct trace_feed *f)
{
	char e[200];

	if (ks->drop_log && kernel_droplog_read(&ks->dl, drop_to_feed, f, e, sizeof e) < 0) {
		kstate_note(ks, "drop log stopped: %s", e);
		ks->drop_log = 0;
	}
}

static int64_t wall_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int kernel_sources_tick(void *arg, struct trace_feed *f, char *err, size_t errlen)
{
	struct kernel_sources *ks = arg;
	int64_t now = mono_ms(), since = now - ks->diag_ms;
	uint64_t packets = f->packets - ks->diag_packets;
	int busy = ks->diag_ms && since < KERNEL_SOURCES_BUSY_POLL_MS &&
		   packets * 1000 > (uint64_t)KERNEL_SOURCES_BUSY_PPS * (uint64_t)(since > 0 ? since : 1);

	sources_poll(ks, kstate_to_feed, f, !busy);
	if (!busy) {
		ks->diag_ms = now;
		ks->diag_packets = f->packets;
	}
	sources_droplog(arg, f);
	/* the drop log was read just now: packets older than the hold are known delivered or
	 * not (the model takes this in its turn, after the packets stamped before now) */
	int64_t upto = wall_us() - TRACE_DROP_HOLD_US;
	return trace_feed_call(f, apply_release, NULL, &upto, sizeof upto, err, errlen);
}

int kernel_sources_last_drops(struct kernel_sources *ks, struct trace_feed *f)
{
	char e[64];
	int64_t upto = INT64_MAX;

	sources_droplog(ks, f);
	return trace_feed_call(f, apply_release, NULL, &upto, sizeof upto, e, sizeof e);
}

int kernel_sources_before_stop(void *arg, struct trace_feed *f, char *err, size_t errlen)
{
	struct kernel_sources *ks = arg;

	kernel_sources_finish(ks, kstate_to_feed, f);
	sources_droplog(ks, f);
	if (kernel_sources_describe(ks, f) < 0) {
		snprintf(err, errlen, "trace: out of memory");
		return -1;
	}
	return 0;
}

void kernel_sources_close(struct kernel_sources *ks)
{
	if (!ks->opened)
		return;
	if (ks->tracepoint)
		kernel_tracepoint_close(&ks->kt);
	ks->tracepoint = 0;
	kernel_sockdiag_close(&ks->sd);
	ks->sock_diag = 0;
	kernel_droplog_close(&ks->dl);
	ks->drop_log = 0;
}

static int kstate_is_word(const char *s, size_t len, const char *w)
{
	return strlen(w) == len && memcmp(s, w, len) == 0;
}

/* The next word of a filter: runs of characters other than blanks and parentheses. */
static const char *kstate_word(const char *p, size_t *len)
{
	static const char sep[] = " \t\r\n()";

	p += strspn(p, sep);
	*len = strcspn(p, sep);
	return p;
}

size_t kernel_sources_ports(const char *filter, uint16_t *ports, size_t max)
{
	const char *p = filter, *w;
	size_t len, n = 0, i;
	int after_port = 0;

	if (!filter)
		return 0;
	while (*(w = kstate_word(p, &len))) {
		p = w + len;
		if (after_port && len > 0 && len <= 5 && strspn(w, "0123456789") == len) {
			unsigned long v = 0;

			for (i = 0; i < len; i++)
				v = v * 10 + (unsigned long)(w[i] - '0');
			for (i = 0; i < n && ports[i] != v; i++)
				;
			if (v > 0 && v <= 65535 && i == n && n < max)
				ports[n++] = (uint16_t)v;
		}
		after_port = kstate_is_word(w, len, "port");
	}
	return n;
}

int kernel_sources_drop_privs(const char *user, char *err, size_t errlen)
{
	struct passwd *pw;

	errno = 0;
	pw = getpwnam(user);
	if (!pw) {
		/* getpwnam(3): "not found" may come with any of these errno values */
		int missing = errno == 0 || errno == ENOENT || errno == ESRCH || errno == EBADF ||
			      errno == EPERM;

		snprintf(err, errlen, "-Z %s: %s", user, missing ? "no such user" : strerror(errno));
		return -1;
	}
	/* The model's thread runs SCHED_IDLE and goes back to normal priority under a backlog and
	 * at the end (trace/feed.c): unprivileged, that takes RLIMIT_NICE 20, which allows nice 0
	 * and never better. Refused (no CAP_SYS_RESOURCE), the thread is never made idle. */
	struct rlimit cur;
	if (getrlimit(RLIMIT_NICE, &cur) == 0 && cur.rlim_cur < 20) {
		struct rlimit rl = { 20, cur.rlim_max > 20 ? cur.rlim_max : 20 };
		setrlimit(RLIMIT_NICE, &rl);
	}
	if (initgroups(pw->pw_name, pw->pw_gid) < 0) {
		snprintf(err, errlen, "-Z %s: initgroups: %s", user, strerror(errno));
		return -1;
	}
	if (setgid(pw->pw_gid) < 0) {
		snprintf(err, errlen, "-Z %s: setgid %u: %s", user, (unsigned)pw->pw_gid, strerror(errno));
		return -1;
	}
	if (setuid(pw->pw_uid) < 0) {
		snprintf(err, errlen, "-Z %s: setuid %u: %s", user, (unsigned)pw->pw_uid, strerror(errno));
		return -1;
	}
	if (pw->pw_uid != 0 && setuid(0) == 0) {
		snprintf(err, errlen, "-Z %s: root could be regained after setuid", user);
		return -1;
	}
	return 0;
}
