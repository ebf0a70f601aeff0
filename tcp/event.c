/* tcp/event.c: the event-loop model: one thread, every connection non-blocking; epoll on Linux, poll elsewhere. */
#include "tcp/server.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/sig.h"
#include "net/net.h"

#ifdef __linux__
#include <sys/epoll.h>
#endif

/* Connections accepted per wake-up, so a flood of connects cannot starve the others. */
#define EV_ACCEPT_BURST 64
#define EV_MAX_EVENTS 128
#define EV_STOP_POLL_MS 500

/* A readiness report: ptr is NULL for the listening socket. */
struct ev_ready {
	void *ptr;
	short revents;
};

/*
 * The loop's view of the kernel interface. epoll keeps the interest list in the kernel;
 * poll rebuilds it every round. Both report POLLIN/POLLOUT/POLLERR/POLLHUP bits.
 */
struct ev_loop {
#ifdef __linux__
	int epfd;
#endif
	struct pollfd *pfds;    /* poll: interest list; epoll: unused */
	void **ptrs;
	size_t n, cap;
};

static int ev_init(struct ev_loop *ev, char *err, size_t errlen)
{
	memset(ev, 0, sizeof(*ev));
#ifdef __linux__
	ev->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (ev->epfd < 0) {
		snprintf(err, errlen, "epoll_create1: %s", strerror(errno));
		return -1;
	}
#else
	(void)err, (void)errlen;
#endif
	return 0;
}

static void ev_free(struct ev_loop *ev)
{
#ifdef __linux__
	close(ev->epfd);
#endif
	free(ev->pfds);
	free(ev->ptrs);
}

#ifdef __linux__
static uint32_t ev_to_epoll(short events)
{
	return (events & POLLIN ? EPOLLIN : 0) | (events & POLLOUT ? EPOLLOUT : 0);
}

static short ev_from_epoll(uint32_t e)
{
	return (short)((e & EPOLLIN ? POLLIN : 0) | (e & EPOLLOUT ? POLLOUT : 0) |
		       (e & EPOLLERR ? POLLERR : 0) | (e & EPOLLHUP ? POLLHUP : 0));
}

/* add: 1 = new fd, 0 = change, -1 = remove. */
static int ev_set(struct ev_loop *ev, int fd, short events, void *ptr, int add)
{
	struct epoll_event e = { .events = ev_to_epoll(events), .data.ptr = ptr };

	if (add < 0)
		return epoll_ctl(ev->epfd, EPOLL_CTL_DEL, fd, &e);
	return epoll_ctl(ev->epfd, add ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, &e);
}

static int ev_wait(struct ev_loop *ev, struct ev_ready *out, int max, int timeout)
{
	struct epoll_event es[EV_MAX_EVENTS];
	int n, i;

	n = epoll_wait(ev->epfd, es, max < EV_MAX_EVENTS ? max : EV_MAX_EVENTS, timeout);
	for (i = 0; i < n; i++) {
		out[i].ptr = es[i].data.ptr;
		out[i].revents = ev_from_epoll(es[i].events);
	}
	return n;
}
#else
static int ev_set(struct ev_loop *ev, int fd, short events, void *ptr, int add)
{
	size_t i;

	for (i = 0; i < ev->n && ev->pfds[i].fd != fd; i++)
		;
	if (add < 0) {
		if (i < ev->n) {
			ev->pfds[i] = ev->pfds[--ev->n];
			ev->ptrs[i] = ev->ptrs[ev->n];
		}
		return 0;
	}
	if (i == ev->n) {
		if (ev->n == ev->cap) {
			size_t nc = ev->cap ? ev->cap * 2 : 64;
			struct pollfd *np = realloc(ev->pfds, nc * sizeof(*np));
			void **pp;
			if (!np)
				return -1;
			ev->pfds = np;
			pp = realloc(ev->ptrs, nc * sizeof(*pp));
			if (!pp)
				return -1;
			ev->ptrs = pp;
			ev->cap = nc;
		}
		ev->n++;
	}
	ev->pfds[i].fd = fd;
	ev->pfds[i].events = events;
	ev->ptrs[i] = ptr;
	return 0;
}

static int ev_wait(struct ev_loop *ev, struct ev_ready *out, int max, int timeout)
{
	int n = poll(ev->pfds, (nfds_t)ev->n, timeout), k = 0;
	size_t i;

	for (i = 0; n > 0 && i < ev->n && k < max; i++) {
		if (ev->pfds[i].revents) {
			out[k].ptr = ev->ptrs[i];
			out[k++].revents = ev->pfds[i].revents;
		}
	}
	return n < 0 ? -1 : k;
}
#endif

/* A connection and the interest it is registered with. */
struct ev_conn {
	struct tcp_conn c;
	short events;
	size_t slot;            /* index in the server's list */
};

struct ev_server {
	struct tcp_server *s;
	struct ev_loop ev;
	struct ev_conn **conns;
	size_t n, cap;
	int listening;          /* the listening socket is in the interest list */
	int64_t accept_pause_until;
};

static void evs_listen(struct ev_server *e, int on)
{
	if (e->s->lfd < 0 || on == e->listening)
		return;
	if (ev_set(&e->ev, e->s->lfd, POLLIN, NULL, on ? 1 : -1) == 0)
		e->listening = on;
}

static void evs_drop(struct ev_server *e, struct ev_conn *ec)
{
	ev_set(&e->ev, ec->c.fd, 0, ec, -1);
	tcp_conn_finish(&ec->c);
	e->conns[ec->slot] = e->conns[--e->n];
	e->conns[ec->slot]->slot = ec->slot;
	free(ec);
}

/* Brings the registration in line with what the connection waits for, or drops it when done. */
static void evs_update(struct ev_server *e, struct ev_conn *ec)
{
	short want;

	if (tcp_conn_done(&ec->c)) {
		evs_drop(e, ec);
		return;
	}
	want = tcp_conn_events(&ec->c);
	if (want != ec->events && ev_set(&e->ev, ec->c.fd, want, ec, 0) == 0)
		ec->events = want;
}

/* Room for one more connection in the list; 0 or -1. */
static int evs_grow(struct ev_server *e)
{
	struct ev_conn **nc;
	size_t ncap;

	if (e->n < e->cap)
		return 0;
	ncap = e->cap ? e->cap * 2 : 64;
	nc = realloc(e->conns, ncap * sizeof(*nc));
	if (!nc)
		return -1;
	e->conns = nc;
	e->cap = ncap;
	return 0;
}

static void evs_add(struct ev_server *e, int fd, const struct hello_addr *peer, int64_t now)
{
	struct ev_conn *ec = malloc(sizeof(*ec));

	if (!ec || evs_grow(e) < 0) {
		hello_log_event(&e->s->log, HELLO_LOG_MAIN, "error", "error=\"out of memory for a connection\"");
		free(ec);
		hello_net_close(fd);
		return;
	}
	if (tcp_conn_init(&ec->c, fd, peer, ++e->s->next_id, &e->s->cfg, &e->s->log, e->s->stats, now) < 0) {
		free(ec);
		return;
	}
	ec->slot = e->n;
	e->conns[e->n++] = ec;
	ec->events = tcp_conn_events(&ec->c);
	if (ev_set(&e->ev, fd, ec->events, ec, 1) < 0) {
		tcp_conn_abort(&ec->c, "epoll");
		evs_drop(e, ec);
	} else {
		evs_update(e, ec);
	}
}

static void evs_accept(struct ev_server *e, int64_t now)
{
	struct hello_addr peer;
	char err[256];
	int i, fd;

	for (i = 0; i < EV_ACCEPT_BURST && e->s->lfd >= 0; i++) {
		if (e->s->max_clients && e->n >= e->s->max_clients)
			return;
		fd = hello_net_accept(e->s->lfd, &peer, err, sizeof(err));
		if (fd < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				return;
			hello_log_event(&e->s->log, HELLO_LOG_MAIN, "error", "error=\"%s\"", err);
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
				/* Out of descriptors: stop watching the backlog a while instead of spinning on it. */
				e->accept_pause_until = now + 100;
				evs_listen(e, 0);
			}
			return;
		}
		atomic_fetch_add(&e->s->stats->connections, 1);
		if (e->s->once) {
			evs_listen(e, 0);
			tcp_server_close_listener(e->s);
		}
		evs_add(e, fd, &peer, now);
	}
}

/* The wait until the earliest connection timer (or the stop poll, or the accept pause). */
static int evs_timeout(struct ev_server *e, int64_t now)
{
	int64_t best = now + EV_STOP_POLL_MS, d;
	size_t i;

	for (i = 0; i < e->n; i++) {
		d = tcp_conn_deadline(&e->conns[i]->c);
		if (d >= 0 && d < best)
			best = d;
	}
	if (e->accept_pause_until && e->accept_pause_until < best)
		best = e->accept_pause_until;
	return best > now ? (int)(best - now) : 0;
}

static void evs_timers(struct ev_server *e, int64_t now)
{
	size_t i = 0;
	int64_t d;

	while (i < e->n) {
		struct ev_conn *ec = e->conns[i];
		d = tcp_conn_deadline(&ec->c);
		if (d >= 0 && d <= now)
			tcp_conn_on_time(&ec->c, now);
		evs_update(e, ec);
		/* A dropped connection's slot now holds another one: look at the same index again. */
		if (i < e->n && e->conns[i] == ec)
			i++;
	}
}

int tcp_run_event(struct tcp_server *s, char *err, size_t errlen)
{
	struct ev_server e = { .s = s };
	struct ev_ready ready[EV_MAX_EVENTS];
	char e2[256];
	int64_t now;
	int n, i;

	if (ev_init(&e.ev, err, errlen) < 0)
		return -1;
	if (hello_net_set_nonblock(s->lfd, 1, e2, sizeof(e2)) < 0) {
		snprintf(err, errlen, "%s", e2);
		ev_free(&e.ev);
		return -1;
	}
	evs_listen(&e, 1);
	while (!hello_sig_stop()) {
		now = hello_clock_ms();
		if (s->once && s->lfd < 0 && e.n == 0)
			break;
		if (e.accept_pause_until && now >= e.accept_pause_until)
			e.accept_pause_until = 0;
		evs_listen(&e, !e.accept_pause_until && (!s->max_clients || e.n < s->max_clients));
		n = ev_wait(&e.ev, ready, EV_MAX_EVENTS, evs_timeout(&e, now));
		if (n < 0 && errno != EINTR) {
			snprintf(err, errlen, "epoll_wait: %s", strerror(errno));
			break;
		}
		now = hello_clock_ms();
		for (i = 0; i < n; i++) {
			if (!ready[i].ptr) {
				evs_accept(&e, now);
				continue;
			}
			tcp_conn_on_io(&((struct ev_conn *)ready[i].ptr)->c, ready[i].revents, now);
			/* Not dropped here: a later entry of this batch may point at it. */
		}
		evs_timers(&e, now);
	}
	while (e.n > 0) {
		tcp_conn_abort(&e.conns[0]->c, "shutdown");
		evs_drop(&e, e.conns[0]);
	}
	free(e.conns);
	ev_free(&e.ev);
	return 0;
}
