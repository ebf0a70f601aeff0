/* tcp/server_event.c: the event-loop model: one thread, every connection non-blocking (tcp/poller.h: epoll on Linux, poll elsewhere). */
#include "tcp/server_event.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/sig.h"
#include "net/net.h"
#include "tcp/poller.h"

/* Connections accepted per wake-up, so a flood of connects cannot starve the others. */
#define EV_ACCEPT_BURST 64
#define EV_STOP_POLL_MS 500

/* A connection and the interest it is registered with. */
struct ev_conn {
	struct tcp_conn c;
	short events;
	size_t slot;            /* index in the server's list */
};

struct ev_server {
	struct tcp_server *s;
	struct tcp_poller ev;
	struct ev_conn **conns;
	size_t n, cap;
	int listening;          /* the listening socket is in the interest list */
	int64_t accept_pause_until;
};

static void evs_listen(struct ev_server *e, int on)
{
	if (e->s->lfd < 0 || on == e->listening)
		return;
	if (tcp_poller_set(&e->ev, e->s->lfd, POLLIN, NULL, on ? 1 : -1) == 0)
		e->listening = on;
}

static void evs_drop(struct ev_server *e, struct ev_conn *ec)
{
	tcp_poller_set(&e->ev, ec->c.fd, 0, ec, -1);
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
	if (want != ec->events && tcp_poller_set(&e->ev, ec->c.fd, want, ec, 0) == 0)
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
	if (tcp_poller_set(&e->ev, fd, ec->events, ec, 1) < 0) {
		tcp_conn_abort(&ec->c, TCP_POLLER_NAME);
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
	struct tcp_poll_ready ready[TCP_POLL_MAX];
	char e2[256];
	int64_t now;
	int n, i;

	if (tcp_poller_init(&e.ev, err, errlen) < 0)
		return -1;
	if (hello_net_set_nonblock(s->lfd, 1, e2, sizeof(e2)) < 0) {
		snprintf(err, errlen, "%s", e2);
		tcp_poller_free(&e.ev);
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
		/* One write for the lines of this turn, and none left waiting while the loop sleeps. */
		hello_log_flush();
		n = tcp_poller_wait(&e.ev, ready, TCP_POLL_MAX, evs_timeout(&e, now));
		if (n < 0 && errno != EINTR) {
			snprintf(err, errlen, "%s: %s", TCP_POLLER_WAIT, strerror(errno));
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
	tcp_poller_free(&e.ev);
	return 0;
}
