/* kernel/tracepoint.c: the sock:inet_sock_set_state tracepoint through a private tracefs instance. */
#include "kernel/tracepoint.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kernel/tracepoint_line.h"

#define KTRACE_EVENT "events/sock/inet_sock_set_state"
#define KTRACE_READ_DEFAULT (256 * 1024)

int kernel_tracepoint_filter(const uint16_t *ports, size_t nports, char *buf, size_t len)
{
	size_t i, off = 0;
	int n;

	if (len == 0)
		return -1;
	buf[0] = '\0';
	for (i = 0; i < nports; i++) {
		n = snprintf(buf + off, len - off, "%ssport == %u || dport == %u",
			     i ? " || " : "", ports[i], ports[i]);
		if (n < 0 || (size_t)n >= len - off)
			return -1;
		off += (size_t)n;
	}
	return 0;
}

/* rmdir, retried briefly: the kernel refuses (EBUSY) while a file of it is still open. */
static int ktrace_rmdir(const char *dir)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int i;

	for (i = 0; i < 50; i++) {
		if (rmdir(dir) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY)
			return -1;
		nanosleep(&ts, NULL);
	}
	return -1;
}

int kernel_tracepoint_sweep(const char *instances_dir)
{
	char path[512];
	struct dirent *de;
	DIR *d;
	int n = 0;

	d = opendir(instances_dir);
	if (!d)
		return 0;
	while ((de = readdir(d)) != NULL) {
		const char *s = de->d_name + strlen(KERNEL_TRACEPOINT_PREFIX);
		char *endp;
		long pid;

		if (strncmp(de->d_name, KERNEL_TRACEPOINT_PREFIX, strlen(KERNEL_TRACEPOINT_PREFIX)) != 0)
			continue;
		errno = 0;
		pid = strtol(s, &endp, 10);
		if (errno || endp == s || *endp || pid <= 0 || pid > 0x3fffffff)
			continue;
		if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;	/* alive, or not ours to judge */
		if (snprintf(path, sizeof path, "%s/%s", instances_dir, de->d_name) >= (int)sizeof path)
			continue;
		if (ktrace_rmdir(path) == 0)
			n++;
	}
	closedir(d);
	return n;
}

static int ktrace_write(const struct kernel_tracepoint *kt, const char *file, const char *text,
			char *err, size_t errlen)
{
	char path[512];
	size_t len = strlen(text), off = 0;
	ssize_t w;
	int fd, rc = -1;

	snprintf(path, sizeof path, "%s/%s", kt->dir, file);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "tracefs: open %s: %s", path, strerror(errno));
		return -1;
	}
	while (off < len) {
		w = write(fd, text + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			snprintf(err, errlen, "tracefs: write %s: %s", path,
				 w < 0 ? strerror(errno) : "short write");
			goto out;
		}
		off += (size_t)w;
	}
	rc = 0;
out:
	close(fd);
	return rc;
}

/* The guard: a child that waits for EOF on a pipe, then removes the instance. It only
 * makes async-signal-safe calls, and ignores the terminal's SIGINT so that Ctrl-C on
 * the tracer's process group does not kill it before it cleaned up. */
static void ktrace_guard_main(int rfd, const char *dir)
{
	char c;

	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	if (rfd != 0 && dup2(rfd, 0) < 0)
		_exit(1);
	close_range(1, ~0U, 0);
	while (read(0, &c, 1) < 0 && errno == EINTR)
		;
	_exit(ktrace_rmdir(dir) == 0 ? 0 : 1);
}

static int ktrace_guard_start(struct kernel_tracepoint *kt, char *err, size_t errlen)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "tracefs: pipe: %s", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "tracefs: fork: %s", strerror(errno));
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		close(p[1]);
		ktrace_guard_main(p[0], kt->dir);
	}
	close(p[0]);
	kt->guard_fd = p[1];
	kt->guard_pid = pid;
	return 0;
}

static int64_t ktrace_ts_us(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* The instance's trace_clock is "mono", i.e. CLOCK_MONOTONIC: sample both clocks
 * together (realtime on both sides of monotonic) for the offset. */
static void ktrace_sample_clock(struct kernel_tracepoint *kt)
{
	int64_t r1 = ktrace_ts_us(CLOCK_REALTIME);
	int64_t m = ktrace_ts_us(CLOCK_MONOTONIC);
	int64_t r2 = ktrace_ts_us(CLOCK_REALTIME);

	kt->mono_to_real_us = r1 + (r2 - r1) / 2 - m;
}

static int ktrace_mount(const char *root, char *err, size_t errlen)
{
	char inst[300];
	struct stat st;

	snprintf(inst, sizeof inst, "%s/instances", root);
	if (stat(inst, &st) == 0)
		return 0;
	if (errno != ENOENT) {	/* mounted, but not for us (EACCES without root) */
		snprintf(err, errlen, "tracefs: %s: %s", inst, strerror(errno));
		return -1;
	}
	/* Not mounted by default on Debian; the mount stays for later runs. */
	if (mount("nodev", root, "tracefs", 0, NULL) < 0) {
		snprintf(err, errlen, "tracefs: mount %s: %s", root, strerror(errno));
		return -1;
	}
	if (stat(inst, &st) < 0) {
		snprintf(err, errlen, "tracefs: %s: %s", inst, strerror(errno));
		return -1;
	}
	return 0;
}

static int ktrace_setup(struct kernel_tracepoint *kt, const uint16_t *ports, size_t nports,
			char *err, size_t errlen)
{
	char filter[KERNEL_TRACEPOINT_MAX_PORTS * 40 + 1], path[512];

	if (kernel_tracepoint_filter(ports, nports, filter, sizeof filter) < 0) {
		snprintf(err, errlen, "tracefs: too many ports for the filter");
		return -1;
	}
	if (ktrace_write(kt, "trace_clock", "mono", err, errlen) < 0)
		return -1;
	/* Small per-CPU buffers: we read every tick and only one event is enabled. */
	if (ktrace_write(kt, "buffer_size_kb", "256", err, errlen) < 0)
		return -1;
	if (ktrace_write(kt, KTRACE_EVENT "/filter", filter, err, errlen) < 0 ||
	    ktrace_write(kt, KTRACE_EVENT "/enable", "1", err, errlen) < 0)
		return -1;
	snprintf(path, sizeof path, "%s/trace_pipe", kt->dir);
	kt->pipe_fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (kt->pipe_fd < 0) {
		snprintf(err, errlen, "tracefs: open %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int kernel_tracepoint_open(struct kernel_tracepoint *kt, const char *root, const uint16_t *ports,
		      size_t nports, char *err, size_t errlen)
{
	char inst[300];

	memset(kt, 0, sizeof *kt);
	kt->pipe_fd = kt->guard_fd = -1;
	if (!root)
		root = KERNEL_TRACEPOINT_ROOT;
	if (nports == 0 || nports > KERNEL_TRACEPOINT_MAX_PORTS) {
		snprintf(err, errlen, "tracefs: %s ports to filter on (the event is system-wide)",
			 nports ? "too many" : "no");
		return -1;
	}
	if (strlen(root) >= sizeof kt->root) {
		snprintf(err, errlen, "tracefs: %s: path too long", root);
		return -1;
	}
	strcpy(kt->root, root);
	if (ktrace_mount(root, err, errlen) < 0)
		return -1;
	snprintf(inst, sizeof inst, "%s/instances", root);
	kernel_tracepoint_sweep(inst);
	snprintf(kt->dir, sizeof kt->dir, "%s/" KERNEL_TRACEPOINT_PREFIX "%ld", inst, (long)getpid());
	if (ktrace_guard_start(kt, err, errlen) < 0)
		return -1;
	/* EEXIST: a dead tracer's instance whose pid is ours now. */
	if (mkdir(kt->dir, 0700) < 0 && !(errno == EEXIST && ktrace_rmdir(kt->dir) == 0 &&
					   mkdir(kt->dir, 0700) == 0)) {
		snprintf(err, errlen, "tracefs: mkdir %s: %s", kt->dir, strerror(errno));
		goto fail;
	}
	if (ktrace_setup(kt, ports, nports, err, errlen) < 0)
		goto fail;
	ktrace_sample_clock(kt);
	return 0;
fail:
	kernel_tracepoint_close(kt);
	return -1;
}

static int ktrace_same_peer(const struct trace_kevent *a, const struct trace_kevent *b)
{
	return a->family == b->family && a->dport == b->dport &&
	       memcmp(a->daddr, b->daddr, sizeof a->daddr) == 0;
}

static int ktrace_emit_pending(struct kernel_tracepoint *kt, size_t i, trace_kevent_fn fn, void *arg)
{
	struct trace_kevent ev = kt->pending[i];

	memmove(&kt->pending[i], &kt->pending[i + 1], (kt->npending - i - 1) * sizeof ev);
	kt->npending--;
	kt->events++;
	return fn(arg, &ev);
}

/* Gives a connect()'s SYN_SENT (sport=0) the port its next event shows. */
static int ktrace_deliver(struct kernel_tracepoint *kt, struct trace_kevent *ev, trace_kevent_fn fn,
			  void *arg)
{
	size_t i;
	int rc;

	if (ev->sport == 0 && ev->newstate == TRACE_ST_SYN_SENT) {
		if (kt->npending == KERNEL_TRACEPOINT_PENDING && (rc = ktrace_emit_pending(kt, 0, fn, arg)))
			return rc;
		kt->pending[kt->npending++] = *ev;
		return 0;
	}
	if (ev->oldstate == TRACE_ST_SYN_SENT) {
		for (i = 0; i < kt->npending; i++) {
			if (!ktrace_same_peer(&kt->pending[i], ev))
				continue;
			kt->pending[i].sport = ev->sport;
			memcpy(kt->pending[i].saddr, ev->saddr, sizeof ev->saddr);
			if ((rc = ktrace_emit_pending(kt, i, fn, arg)))
				return rc;
			break;
		}
	}
	kt->events++;
	return fn(arg, ev);
}

int kernel_tracepoint_flush(struct kernel_tracepoint *kt, trace_kevent_fn fn, void *arg)
{
	int rc;

	while (kt->npending > 0)
		if ((rc = ktrace_emit_pending(kt, 0, fn, arg)))
			return rc;
	return 0;
}

static int ktrace_line(struct kernel_tracepoint *kt, const char *line, size_t len, trace_kevent_fn fn,
		       void *arg, int *n)
{
	struct trace_kevent ev;
	int rc = kernel_tracepoint_line_parse(line, len, &ev);

	kt->lines++;
	if (rc < 0)
		kt->bad_lines++;
	if (rc != 0)
		return 0;
	ev.ts_us += kt->mono_to_real_us;
	(*n)++;
	return ktrace_deliver(kt, &ev, fn, arg);
}

/* Cuts the bytes read into lines; an overlong line is counted bad and skipped. */
static int ktrace_feed(struct kernel_tracepoint *kt, const char *p, size_t len, trace_kevent_fn fn,
		       void *arg, int *n)
{
	while (len > 0) {
		const char *nl = memchr(p, '\n', len);
		size_t take = nl ? (size_t)(nl - p) : len;
		int rc;

		if (!kt->skipping && kt->used + take > sizeof kt->line) {
			kt->skipping = 1;
			kt->bad_lines++;
		}
		if (!kt->skipping) {
			memcpy(kt->line + kt->used, p, take);
			kt->used += take;
		}
		if (!nl)
			return 0;
		if (!kt->skipping && (rc = ktrace_line(kt, kt->line, kt->used, fn, arg, n)))
			return rc;
		kt->used = 0, kt->skipping = 0;
		p = nl + 1, len -= take + 1;
	}
	return 0;
}

int kernel_tracepoint_read(struct kernel_tracepoint *kt, size_t max_bytes, trace_kevent_fn fn, void *arg,
		      char *err, size_t errlen)
{
	char buf[8192];
	size_t total = 0;
	ssize_t r;
	int n = 0;

	if (kt->pipe_fd < 0) {
		snprintf(err, errlen, "tracefs: not open");
		return -1;
	}
	if (max_bytes == 0)
		max_bytes = KTRACE_READ_DEFAULT;
	ktrace_sample_clock(kt);
	while (total < max_bytes) {
		r = read(kt->pipe_fd, buf, sizeof buf);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (r < 0) {
			snprintf(err, errlen, "tracefs: read %s/trace_pipe: %s", kt->dir, strerror(errno));
			return -1;
		}
		if (r == 0)
			break;
		total += (size_t)r;
		if (ktrace_feed(kt, buf, (size_t)r, fn, arg, &n))
			break;
	}
	return n;
}

void kernel_tracepoint_close(struct kernel_tracepoint *kt)
{
	int status;

	if (kt->pipe_fd >= 0) {
		close(kt->pipe_fd);
		kt->pipe_fd = -1;
		/* Removing the instance disables its event. Without privileges (-Z) this
		 * fails, and the guard does it once the pipe below is closed. */
		ktrace_rmdir(kt->dir);
	}
	if (kt->guard_fd >= 0) {
		close(kt->guard_fd);
		kt->guard_fd = -1;
	}
	if (kt->guard_pid > 0) {
		while (waitpid(kt->guard_pid, &status, 0) < 0 && errno == EINTR)
			;
		kt->guard_pid = 0;
	}
}
