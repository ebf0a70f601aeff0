/* bench/load.c: the load generator: N TCP connections or UDP sockets, each a ping-pong loop, epoll-driven. */
#include "bench/load.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/sig.h"
#include "net/net.h"

/* The clock every figure is measured with (also on systems without epoll). */
uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#ifdef __linux__
#include <sys/epoll.h>

/* TCP connects this many at a time, the next when one has its greeting: 50 at once overflow
 * the default backlog of 5, and dropped SYNs return only after 1 s and 3 s (docs/performance.md). */
#define LOAD_CONNECT_AT_ONCE 4

enum conn_state {
	CONN_UNOPENED = 0,      /* waits its turn to connect */
	CONN_CONNECTING,        /* non-blocking connect under way */
	CONN_GREETING,          /* connected, reading the server's first bytes */
	CONN_IDLE,              /* ready to send the next request */
	CONN_SENDING,           /* part of the request is still unsent (the socket was full) */
	CONN_WAITING,           /* request sent, reading the reply */
	CONN_DEAD,              /* failed; no longer used */
};

struct conn {
	int fd;
	enum conn_state state;
	uint64_t t_start;       /* when the request counts as sent (the intended time with a rate) */
	uint64_t t_due;         /* with a rate: when the next request is due */
	size_t sent;            /* request bytes sent so far */
	size_t got;             /* reply (or greeting) bytes received so far */
	uint64_t replies;
	uint8_t *buf;           /* reply_len + 1 bytes: one more than expected shows an overlong reply */
};

struct worker {
	const struct bench_cfg *cfg;
	struct conn *conns;
	unsigned n;
	uint64_t quota;         /* requests this worker sends (0: no limit) */
	uint64_t issued;
	uint64_t interval_ns;   /* with a rate: between two requests of one connection */
	unsigned next_open;     /* the first connection not opened yet */
	int ep;
	struct bench_result res;
	uint64_t t0, t1;
};

static void load_note(struct worker *w, const char *fmt, const char *what)
{
	char addr[HELLO_ADDR_STRLEN];

	if (w->res.first_error[0])
		return;
	snprintf(w->res.first_error, sizeof(w->res.first_error), fmt,
		 hello_addr_str(&w->cfg->addr, addr, sizeof(addr)), what);
}

/* A connection that failed is closed and counted; the others go on. */
static void load_open_next(struct worker *w);

static void load_kill(struct worker *w, struct conn *c, uint64_t *counter, const char *why)
{
	int setting_up = c->state == CONN_CONNECTING || c->state == CONN_GREETING;

	w->res.errors++;
	if (counter)
		(*counter)++;
	load_note(w, "%s: %s", why);
	if (c->fd >= 0) {
		epoll_ctl(w->ep, EPOLL_CTL_DEL, c->fd, NULL);
		close(c->fd);
	}
	c->fd = -1;
	c->state = CONN_DEAD;
	if (setting_up)
		load_open_next(w);
}

static int load_watch(struct worker *w, struct conn *c, int op, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = c };

	return epoll_ctl(w->ep, op, c->fd, &ev);
}

static int load_open(struct worker *w, struct conn *c, char *err, size_t errlen)
{
	const struct bench_cfg *cfg = w->cfg;
	int one = 1, type = cfg->proto == BENCH_TCP ? SOCK_STREAM : SOCK_DGRAM;
	char addr[HELLO_ADDR_STRLEN];
	int rc;

	hello_addr_str(&cfg->addr, addr, sizeof(addr));
	c->fd = socket(cfg->addr.ss.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	if (cfg->proto == BENCH_TCP && cfg->nodelay)
		setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	do
		rc = connect(c->fd, (const struct sockaddr *)&cfg->addr.ss, cfg->addr.len);
	while (rc < 0 && errno == EINTR);
	if (rc < 0 && errno != EINPROGRESS) {
		snprintf(err, errlen, "connect %s: %s", addr, strerror(errno));
		return -1;
	}
	/* UDP "connects" at once; TCP reports completion as EPOLLOUT. */
	if (cfg->proto == BENCH_UDP)
		c->state = CONN_IDLE;
	else
		c->state = rc == 0 ? (cfg->greeting_len ? CONN_GREETING : CONN_IDLE) : CONN_CONNECTING;
	if (c->state == CONN_IDLE)
		w->res.connected++;
	if (load_watch(w, c, EPOLL_CTL_ADD, c->state == CONN_CONNECTING ? EPOLLOUT : EPOLLIN) < 0) {
		snprintf(err, errlen, "epoll_ctl: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static void load_connected(struct worker *w, struct conn *c)
{
	int e = hello_net_sock_error(c->fd);

	if (e) {
		load_note(w, "connect %s: %s", strerror(e));
		load_kill(w, c, NULL, strerror(e));
		return;
	}
	c->state = w->cfg->greeting_len ? CONN_GREETING : CONN_IDLE;
	c->got = 0;
	load_watch(w, c, EPOLL_CTL_MOD, EPOLLIN);
}

/* Opens the next connection waiting its turn (one that fails at once is counted and skipped). */
static void load_open_next(struct worker *w)
{
	char err[256];
	struct conn *c;

	while (w->next_open < w->n) {
		c = &w->conns[w->next_open++];
		if (load_open(w, c, err, sizeof(err)) < 0) {
			load_kill(w, c, NULL, err);
			continue;
		}
		if (!(c->state == CONN_IDLE && w->cfg->proto == BENCH_TCP))
			return;	/* it waits for its connect or greeting; a TCP one done at once takes no turn */
	}
}

static int load_measuring(const struct worker *w)
{
	return w->t0 != 0;
}

/* Sends (the rest of) the request; the state moves to WAITING or SENDING. */
static void load_send(struct worker *w, struct conn *c, uint64_t now)
{
	const struct bench_cfg *cfg = w->cfg;
	ssize_t n;

	if (c->state == CONN_IDLE) {
		c->sent = 0;
		c->got = 0;
		/* With a rate, latency counts from the intended time (no coordinated omission). */
		c->t_start = cfg->rate > 0 && c->t_due && c->t_due < now ? c->t_due : now;
		w->issued++;
	}
	do
		n = send(c->fd, cfg->req + c->sent, cfg->req_len - c->sent, MSG_NOSIGNAL | MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	if (n < 0 && errno != EAGAIN) {
		load_kill(w, c, &w->res.lost, strerror(errno));
		return;
	}
	if (n > 0)
		c->sent += (size_t)n;
	if (c->sent < cfg->req_len) {
		if (c->state != CONN_SENDING)
			load_watch(w, c, EPOLL_CTL_MOD, EPOLLIN | EPOLLOUT);
		c->state = CONN_SENDING;
		return;
	}
	if (c->state == CONN_SENDING)
		load_watch(w, c, EPOLL_CTL_MOD, EPOLLIN);
	c->state = CONN_WAITING;
}

static int load_may_send(const struct worker *w, const struct conn *c, uint64_t now)
{
	if (c->state != CONN_IDLE || !load_measuring(w))
		return 0;
	if (w->quota && w->issued >= w->quota)
		return 0;
	return w->cfg->rate <= 0 || c->t_due <= now;
}

static void load_reply_done(struct worker *w, struct conn *c, uint64_t now)
{
	const struct bench_cfg *cfg = w->cfg;

	if (cfg->reply && memcmp(c->buf, cfg->reply, cfg->reply_len) != 0) {
		load_kill(w, c, &w->res.bad_replies, "reply differs from the expected bytes");
		return;
	}
	bench_hist_record(&w->res.hist, now - c->t_start);
	w->res.requests++;
	if (!c->replies++)
		w->res.active++;
	c->state = CONN_IDLE;
	if (cfg->rate > 0)
		c->t_due += w->interval_ns;
	if (load_may_send(w, c, now))
		load_send(w, c, now);
}

/* Reads what the socket holds: the greeting or the reply. */
static void load_read(struct worker *w, struct conn *c, uint64_t now)
{
	const struct bench_cfg *cfg = w->cfg;
	size_t want = c->state == CONN_GREETING ? cfg->greeting_len : cfg->reply_len;
	ssize_t n;

	if (c->state != CONN_GREETING && c->state != CONN_WAITING && c->state != CONN_SENDING) {
		/* Bytes nobody asked for (or a close while idle). */
		uint8_t junk[64];

		n = recv(c->fd, junk, sizeof(junk), MSG_DONTWAIT);
		if (n == 0)
			load_kill(w, c, &w->res.lost, "connection closed by the server");
		else if (n > 0 && cfg->proto == BENCH_TCP)
			load_kill(w, c, &w->res.bad_replies, "bytes from the server while no request was open");
		return;
	}
	do
		n = recv(c->fd, c->buf + c->got, want + 1 - c->got, MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		if (errno != EAGAIN)
			load_kill(w, c, &w->res.lost, strerror(errno));
		return;
	}
	if (n == 0 && cfg->proto == BENCH_TCP) {
		load_kill(w, c, &w->res.lost, "connection closed by the server");
		return;
	}
	/* A datagram is a whole reply: one of another size is counted and the wait goes on. */
	if (cfg->proto == BENCH_UDP && (size_t)n != want) {
		w->res.bad_replies++;
		w->res.errors++;
		load_note(w, "%s: %s", "datagram of an unexpected size");
		return;
	}
	c->got += (size_t)n;
	if (c->got < want)
		return;
	if (c->got > want) {
		load_kill(w, c, &w->res.bad_replies, "reply longer than expected");
		return;
	}
	if (c->state == CONN_GREETING) {
		if (cfg->greeting && memcmp(c->buf, cfg->greeting, want) != 0) {
			load_kill(w, c, &w->res.bad_replies, "greeting differs from the expected bytes");
			return;
		}
		c->state = CONN_IDLE;
		c->got = 0;
		w->res.connected++;
		load_open_next(w);
		if (load_may_send(w, c, now))
			load_send(w, c, now);
		return;
	}
	if (c->state == CONN_SENDING) {
		load_kill(w, c, &w->res.bad_replies, "reply before the whole request was sent");
		return;
	}
	load_reply_done(w, c, now);
}

static void load_event(struct worker *w, struct conn *c, uint32_t ev, uint64_t now)
{
	if (c->state == CONN_DEAD || c->state == CONN_UNOPENED)
		return;
	if (c->state == CONN_CONNECTING) {
		load_connected(w, c);
		if (c->state == CONN_IDLE) {
			w->res.connected++;
			load_open_next(w);
			if (load_may_send(w, c, now))
				load_send(w, c, now);
		}
		return;
	}
	if (ev & (EPOLLIN | EPOLLERR | EPOLLHUP))
		load_read(w, c, now);
	if (c->state == CONN_SENDING && (ev & EPOLLOUT))
		load_send(w, c, now);
}

/* Timeouts: a TCP connection waiting too long is an error and is dropped; a UDP request is sent again. */
static void load_timeouts(struct worker *w, uint64_t now)
{
	uint64_t limit = (uint64_t)w->cfg->timeout_ms * 1000000u;
	unsigned i;

	for (i = 0; i < w->n; i++) {
		struct conn *c = &w->conns[i];

		if (c->state != CONN_WAITING || now - c->t_start < limit)
			continue;
		if (w->cfg->proto == BENCH_TCP) {
			load_kill(w, c, &w->res.timeouts, "reply timed out");
			continue;
		}
		w->res.timeouts++;
		w->res.errors++;
		load_note(w, "%s: %s", "reply timed out (datagram lost?)");
		c->state = CONN_IDLE;
		c->t_due = now;
	}
}

/* Sends every request that is due; returns ns until the next one is (UINT64_MAX: none). */
static uint64_t load_due(struct worker *w, uint64_t now)
{
	uint64_t next = UINT64_MAX;
	unsigned i;

	for (i = 0; i < w->n; i++) {
		struct conn *c = &w->conns[i];

		if (c->state != CONN_IDLE)
			continue;
		if (load_may_send(w, c, now))
			load_send(w, c, now);
		else if (w->cfg->rate > 0 && c->t_due > now && c->t_due - now < next)
			next = c->t_due - now;
	}
	return next;
}

static int load_busy(const struct worker *w)
{
	unsigned i;

	for (i = 0; i < w->n; i++)
		if (w->conns[i].state == CONN_WAITING || w->conns[i].state == CONN_SENDING)
			return 1;
	return 0;
}

static int load_alive(const struct worker *w)
{
	unsigned i;

	for (i = 0; i < w->n; i++)
		if (w->conns[i].state != CONN_DEAD)
			return 1;
	return 0;
}

static int load_setting_up(const struct worker *w)
{
	unsigned i;

	for (i = 0; i < w->n; i++)
		if (w->conns[i].state <= CONN_GREETING)
			return 1;
	return 0;
}

static void load_begin(struct worker *w, uint64_t now)
{
	unsigned i;

	w->t0 = now;
	for (i = 0; i < w->n; i++)
		/* Spread the first requests over one interval so a rate is smooth from the start. */
		w->conns[i].t_due = now + (w->interval_ns * i) / (w->n ? w->n : 1);
	load_due(w, now);
}

static void load_loop(struct worker *w)
{
	const struct bench_cfg *cfg = w->cfg;
	uint64_t setup_end = bench_now_ns() + (uint64_t)cfg->setup_ms * 1000000u, deadline = 0, last_scan = 0;
	struct epoll_event evs[128];
	int i, n;

	for (;;) {
		uint64_t now = bench_now_ns(), wait = 50000000u, next;
		struct timespec ts;

		if (hello_sig_stop()) {
			w->res.stopped = 1;
			break;
		}
		if (!load_alive(w))
			break;          /* every connection failed: nothing left to measure */
		if (!load_measuring(w) && (!load_setting_up(w) || now >= setup_end)) {
			load_begin(w, now);
			deadline = cfg->duration_s > 0 ? now + (uint64_t)(cfg->duration_s * 1e9) : 0;
		}
		if (load_measuring(w)) {
			if (deadline && now >= deadline)
				break;
			if (w->quota && w->issued >= w->quota && !load_busy(w))
				break;
			if (now - last_scan > 10000000u) {
				load_timeouts(w, now);
				last_scan = now;
			}
			next = load_due(w, now);
			if (next < wait)
				wait = next;
			if (deadline && deadline - now < wait)
				wait = deadline - now;
		}
		ts.tv_sec = (time_t)(wait / 1000000000u);
		ts.tv_nsec = (long)(wait % 1000000000u);
		n = epoll_pwait2(w->ep, evs, (int)(sizeof(evs) / sizeof(evs[0])), &ts, NULL);
		if (n < 0 && errno != EINTR) {
			load_note(w, "%s: epoll_wait: %s", strerror(errno));
			break;
		}
		now = bench_now_ns();
		for (i = 0; i < n; i++)
			load_event(w, evs[i].data.ptr, evs[i].events, now);
	}
	if (!w->t0)
		w->t0 = bench_now_ns();
	w->t1 = bench_now_ns();
}

static void *load_thread(void *arg)
{
	hello_sig_block(1);
	load_loop(arg);
	return NULL;
}

static int load_setup(struct worker *w, char *err, size_t errlen)
{
	unsigned i;
	size_t cap = (w->cfg->reply_len > w->cfg->greeting_len ? w->cfg->reply_len : w->cfg->greeting_len) + 1;

	w->ep = epoll_create1(EPOLL_CLOEXEC);
	if (w->ep < 0) {
		snprintf(err, errlen, "epoll_create1: %s", strerror(errno));
		return -1;
	}
	bench_hist_init(&w->res.hist);
	for (i = 0; i < w->n; i++) {
		w->conns[i].fd = -1;
		w->conns[i].state = CONN_UNOPENED;
		w->conns[i].buf = malloc(cap);
		if (!w->conns[i].buf) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	if (w->cfg->proto == BENCH_UDP) {
		/* Refused at once (local errors): no socket will do better. */
		if (w->n > 0 && load_open(w, &w->conns[0], err, errlen) < 0)
			return -1;
		w->next_open = 1;
		while (w->next_open < w->n)
			load_open_next(w);
		return 0;
	}
	for (i = 0; i < LOAD_CONNECT_AT_ONCE && w->next_open < w->n; i++)
		load_open_next(w);
	return 0;
}

static void load_teardown(struct worker *w)
{
	unsigned i;

	for (i = 0; w->conns && i < w->n; i++) {
		if (w->conns[i].fd >= 0)
			close(w->conns[i].fd);
		free(w->conns[i].buf);
	}
	if (w->ep >= 0)
		close(w->ep);
}

static void load_sum(struct bench_result *res, struct worker *ws, unsigned nw)
{
	uint64_t t0 = UINT64_MAX, t1 = 0;
	unsigned i;

	bench_hist_init(&res->hist);
	for (i = 0; i < nw; i++) {
		struct bench_result *r = &ws[i].res;

		bench_hist_merge(&res->hist, &r->hist);
		res->requests += r->requests;
		res->errors += r->errors;
		res->timeouts += r->timeouts;
		res->bad_replies += r->bad_replies;
		res->lost += r->lost;
		res->connected += r->connected;
		res->active += r->active;
		res->stopped |= r->stopped;
		if (!res->first_error[0] && r->first_error[0])
			memcpy(res->first_error, r->first_error, sizeof(res->first_error));
		if (ws[i].t0 < t0)
			t0 = ws[i].t0;
		if (ws[i].t1 > t1)
			t1 = ws[i].t1;
	}
	res->elapsed_s = t1 > t0 ? (double)(t1 - t0) / 1e9 : 0;
}

int bench_load_run(const struct bench_cfg *cfg, struct bench_result *res, char *err, size_t errlen)
{
	unsigned nw = cfg->threads ? cfg->threads : 1, i, base = 0;
	struct worker *ws;
	struct conn *conns;
	pthread_t *tids;
	int rc = -1, started = 0;

	if (nw > cfg->conns)
		nw = cfg->conns;
	ws = calloc(nw, sizeof(*ws));
	conns = calloc(cfg->conns, sizeof(*conns));
	tids = calloc(nw, sizeof(*tids));
	if (!ws || !conns || !tids) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	for (i = 0; i < nw; i++) {
		struct worker *w = &ws[i];

		w->cfg = cfg;
		w->ep = -1;
		w->n = cfg->conns / nw + (i < cfg->conns % nw);
		w->conns = conns + base;
		base += w->n;
		if (cfg->requests)
			w->quota = cfg->requests / nw + (i < cfg->requests % nw);
		if (cfg->rate > 0)
			w->interval_ns = (uint64_t)(1e9 * (double)cfg->conns / cfg->rate);
		if (load_setup(w, err, errlen) < 0)
			goto out;
	}
	for (i = 1; i < nw; i++) {
		if (pthread_create(&tids[i], NULL, load_thread, &ws[i]) != 0) {
			snprintf(err, errlen, "pthread_create: %s", strerror(errno));
			hello_sig_request_stop(SIGTERM);
			break;
		}
		started = (int)i;
	}
	load_loop(&ws[0]);
	for (i = 1; i <= (unsigned)started; i++)
		pthread_join(tids[i], NULL);
	memset(res, 0, sizeof(*res));
	load_sum(res, ws, nw);
	if (!res->connected) {
		snprintf(err, errlen, "%s", res->first_error[0] ? res->first_error : "no connection was set up");
		goto out;
	}
	rc = 0;
out:
	for (i = 0; ws && i < nw; i++)
		load_teardown(&ws[i]);
	free(conns);
	free(ws);
	free(tids);
	return rc;
}

#endif /* __linux__: bench/load_other.c elsewhere */
