/* kernel/sources.c: glue between the capture loop and the kernel sources (tracepoint, sock_diag). */
#include "kernel/sources.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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

int kernel_sources_poll(struct kernel_sources *ks, trace_kevent_fn fn, void *arg)
{
	char e[200];
	int n = 0, r;

	if (ks->tracepoint) {
		r = kernel_tracepoint_read(&ks->kt, 0, fn, arg, e, sizeof e);
		if (r < 0 && !ks->read_failed++)
			kstate_note(ks, "%s", e);
		n += r > 0 ? r : 0;
	}
	n += sources_sockdiag(ks, fn, arg);
	ks->events += (uint64_t)n;
	return n;
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

int kernel_sources_describe(struct kernel_sources *ks, struct trace_model *m)
{
	size_t i;

	trace_model_set_state_sources(m, ks->tracepoint, ks->sock_diag);
	for (; ks->notes_given < ks->nnotes; ks->notes_given++)
		if (trace_model_add_note(m, ks->notes[ks->notes_given]) < 0)
			return -1;
	if (ks->described)
		return 0;
	ks->described = 1;
	for (i = 0; i < ks->sd.nns; i++)
		if (ks->sd.ns[i].name[0] && trace_model_add_netns(m, ks->sd.ns[i].name) < 0)
			return -1;
	return 0;
}

/* The model copies the event; a failure there (memory) is the model's to report. */
static int kstate_to_model(void *arg, const struct trace_kevent *ev)
{
	trace_model_add_kevent(arg, ev);
	return 0;
}

int kernel_sources_active(void *arg, struct trace_model *m, char *err, size_t errlen)
{
	struct kernel_sources *ks = arg;

	if (kernel_sources_describe(ks, m) < 0) {
		snprintf(err, errlen, "trace: out of memory");
		return -1;
	}
	if (ks->drop_log && trace_model_drop_enable(m, ks->dl.group, err, errlen) < 0)
		return -1;
	return ks->user ? kernel_sources_drop_privs(ks->user, err, errlen) : 0;
}

static int drop_to_model(void *arg, const struct kernel_drop *d)
{
	return trace_model_add_drop(arg, d->has_ts, d->ts_us, d->rule, d->ip, d->ip_len);
}

/* What the drop log holds; its first failure becomes a note and turns it off. */
static void sources_droplog(struct kernel_sources *ks, struct trace_model *m)
{
	char e[200];

	if (ks->drop_log && kernel_droplog_read(&ks->dl, drop_to_model, m, e, sizeof e) < 0) {
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

int kernel_sources_tick(void *arg, struct trace_model *m, char *err, size_t errlen)
{
	kernel_sources_poll(arg, kstate_to_model, m);
	sources_droplog(arg, m);
	/* the drop log was read just now: packets older than the hold are known delivered or not */
	if (trace_model_release(m, wall_us() - TRACE_DROP_HOLD_US) < 0) {
		snprintf(err, errlen, "trace: out of memory");
		return -1;
	}
	return 0;
}

int kernel_sources_last_drops(struct kernel_sources *ks, struct trace_model *m)
{
	sources_droplog(ks, m);
	return trace_model_release(m, INT64_MAX);
}

int kernel_sources_before_stop(void *arg, struct trace_model *m, char *err, size_t errlen)
{
	struct kernel_sources *ks = arg;

	kernel_sources_finish(ks, kstate_to_model, m);
	sources_droplog(ks, m);
	if (kernel_sources_describe(ks, m) < 0) {
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
