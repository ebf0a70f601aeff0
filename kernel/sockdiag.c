/* kernel/sockdiag.c: TCP socket states from sock_diag dumps, compared poll to poll, per namespace. */
#include "kernel/sockdiag.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "kernel/netns.h"

#define SOCKDIAG_BUF 32768
#define SOCKDIAG_MAX_DATAGRAMS 4096	/* per dump: a bound, far above what a lab holds */
#define SOCKDIAG_TIMER_TW 3		/* idiag_timer for a time-wait socket's timer */

static const enum trace_state sockdiag_states[] = {
	/* include/net/tcp_states.h, by number */
	[1] = TRACE_ST_ESTABLISHED, [2] = TRACE_ST_SYN_SENT, [3] = TRACE_ST_SYN_RECEIVED,
	[4] = TRACE_ST_FIN_WAIT_1, [5] = TRACE_ST_FIN_WAIT_2, [6] = TRACE_ST_TIME_WAIT,
	[7] = TRACE_ST_CLOSED, [8] = TRACE_ST_CLOSE_WAIT, [9] = TRACE_ST_LAST_ACK,
	[10] = TRACE_ST_LISTEN, [11] = TRACE_ST_CLOSING, [12] = TRACE_ST_SYN_RECEIVED,
};

enum trace_state kernel_sockdiag_state(unsigned kstate)
{
	if (kstate >= sizeof sockdiag_states / sizeof sockdiag_states[0])
		return TRACE_ST_NONE;
	return sockdiag_states[kstate];
}

static const uint8_t sockdiag_v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

/* A dual-stack socket speaking IPv4 is dumped as AF_INET6 with ::ffff:a.b.c.d: report
 * it as the IPv4 connection the packets show. */
static void sockdiag_unmap(struct kernel_sockdiag_sock *s)
{
	if (s->family != AF_INET6 || memcmp(s->saddr, sockdiag_v4mapped, 12) != 0 ||
	    memcmp(s->daddr, sockdiag_v4mapped, 12) != 0)
		return;
	s->family = AF_INET;
	memmove(s->saddr, s->saddr + 12, 4);
	memmove(s->daddr, s->daddr + 12, 4);
	memset(s->saddr + 4, 0, 12);
	memset(s->daddr + 4, 0, 12);
}

/* Walks the attributes after the inet_diag_msg; a chain that overruns is malformed. */
static int sockdiag_attrs(const uint8_t *p, size_t len, struct kernel_sockdiag_sock *s)
{
	struct rtattr rta;
	size_t step;

	while (len >= sizeof rta) {
		memcpy(&rta, p, sizeof rta);
		if (rta.rta_len < sizeof rta || rta.rta_len > len)
			return -1;
		if (rta.rta_type == INET_DIAG_SHUTDOWN && rta.rta_len >= sizeof rta + 1)
			s->shutdown = p[sizeof rta];
		step = RTA_ALIGN(rta.rta_len);
		if (step > len)
			step = len;
		p += step, len -= step;
	}
	return 0;
}

static int sockdiag_msg(const uint8_t *p, size_t len, struct kernel_sockdiag_sock *s)
{
	struct inet_diag_msg m;
	size_t off = NLMSG_ALIGN(sizeof m);

	if (len < sizeof m)
		return -1;
	memcpy(&m, p, sizeof m);
	memset(s, 0, sizeof *s);
	s->family = m.idiag_family;
	s->kstate = m.idiag_state;
	s->timer = m.idiag_timer;
	s->expires_ms = m.idiag_expires;
	s->sport = ntohs(m.id.idiag_sport);
	s->dport = ntohs(m.id.idiag_dport);
	s->shutdown = -1;
	if (s->family == AF_INET) {
		memcpy(s->saddr, m.id.idiag_src, 4);
		memcpy(s->daddr, m.id.idiag_dst, 4);
	} else if (s->family == AF_INET6) {
		memcpy(s->saddr, m.id.idiag_src, 16);
		memcpy(s->daddr, m.id.idiag_dst, 16);
	} else {
		return -1;
	}
	if (len > off && sockdiag_attrs(p + off, len - off, s) < 0)
		return -1;
	sockdiag_unmap(s);
	return 0;
}

int kernel_sockdiag_parse(const uint8_t *buf, size_t len, uint32_t seq, kernel_sockdiag_fn fn,
			 void *arg, char *err, size_t errlen)
{
	struct kernel_sockdiag_sock s;
	struct nlmsghdr h;
	size_t step;
	int32_t e;

	while (len > 0) {
		if (len < sizeof h) {
			snprintf(err, errlen, "sock_diag: truncated message header (%zu bytes)", len);
			return -1;
		}
		memcpy(&h, buf, sizeof h);
		if (h.nlmsg_len < sizeof h || h.nlmsg_len > len) {
			snprintf(err, errlen, "sock_diag: bad message length %u (%zu bytes left)",
				 h.nlmsg_len, len);
			return -1;
		}
		if (h.nlmsg_seq == seq) {
			const uint8_t *pl = buf + NLMSG_HDRLEN;
			size_t pllen = h.nlmsg_len > NLMSG_HDRLEN ? h.nlmsg_len - NLMSG_HDRLEN : 0;

			if (h.nlmsg_type == NLMSG_DONE)
				return 1;
			if (h.nlmsg_type == NLMSG_ERROR) {
				if (pllen < sizeof e) {
					snprintf(err, errlen, "sock_diag: truncated error message");
					return -1;
				}
				memcpy(&e, pl, sizeof e);
				if (e != 0) {
					snprintf(err, errlen, "sock_diag: %s", strerror(e < 0 ? -e : e));
					return -1;
				}
			} else if (h.nlmsg_type == SOCK_DIAG_BY_FAMILY) {
				if (sockdiag_msg(pl, pllen, &s) < 0) {
					snprintf(err, errlen, "sock_diag: malformed socket message (%zu bytes)",
						 pllen);
					return -1;
				}
				if (fn(arg, &s))
					return 1;
			}
		}
		/* Another sequence number: the tail of an earlier, interrupted dump. */
		step = NLMSG_ALIGN(h.nlmsg_len);
		if (step > len)
			step = len;
		buf += step, len -= step;
	}
	return 0;
}

static int sockdiag_socket(char *err, size_t errlen)
{
	struct timeval tv = { 1, 0 };	/* a dump answers at once; never hang the capture */
	int fd;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0) {
		snprintf(err, errlen, "sock_diag: socket: %s", strerror(errno));
		return -1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0) {
		snprintf(err, errlen, "sock_diag: SO_RCVTIMEO: %s", strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* The socket is bound to the namespace it is created in: create it there, come back. */
static int sockdiag_socket_in(const char *name, char *err, size_t errlen)
{
	char e2[160];
	int back, fd;

	if (kernel_netns_enter(name, &back, err, errlen) < 0)
		return -1;
	fd = sockdiag_socket(e2, sizeof e2);
	if (fd < 0)
		snprintf(err, errlen, "netns %s: %s", name, e2);
	if (kernel_netns_leave(back, name, err, errlen) < 0 && fd >= 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

int kernel_sockdiag_open(struct kernel_sockdiag *sd, const char *const *netns, size_t nnetns,
			const uint16_t *ports, size_t nports, char *err, size_t errlen)
{
	size_t i;

	memset(sd, 0, sizeof *sd);
	for (i = 0; i < KERNEL_SOCKDIAG_MAX_NS; i++)
		sd->ns[i].fd = -1;
	if (nnetns > KERNEL_SOCKDIAG_MAX_NS || nports > KERNEL_SOCKDIAG_MAX_PORTS) {
		snprintf(err, errlen, "sock_diag: at most %d namespaces and %d ports",
			 KERNEL_SOCKDIAG_MAX_NS, KERNEL_SOCKDIAG_MAX_PORTS);
		return -1;
	}
	memcpy(sd->ports, ports, nports * sizeof *ports);
	sd->nports = nports;
	if (nnetns == 0) {
		sd->ns[0].fd = sockdiag_socket(err, errlen);
		if (sd->ns[0].fd < 0)
			return -1;
		sd->nns = 1;
		return 0;
	}
	for (i = 0; i < nnetns; i++) {
		if (strlen(netns[i]) >= sizeof sd->ns[i].name) {
			snprintf(err, errlen, "netns %.40s...: name too long", netns[i]);
			goto fail;
		}
		strcpy(sd->ns[i].name, netns[i]);
		sd->ns[i].fd = sockdiag_socket_in(netns[i], err, errlen);
		if (sd->ns[i].fd < 0)
			goto fail;
		sd->nns++;
	}
	return 0;
fail:
	kernel_sockdiag_close(sd);
	return -1;
}

void kernel_sockdiag_close(struct kernel_sockdiag *sd)
{
	size_t i;

	for (i = 0; i < KERNEL_SOCKDIAG_MAX_NS; i++) {
		if (sd->ns[i].fd >= 0)
			close(sd->ns[i].fd);
		sd->ns[i].fd = -1;
		free(sd->ns[i].tab);
		sd->ns[i].tab = NULL;
		sd->ns[i].n = sd->ns[i].cap = 0;
	}
	sd->nns = 0;
}

struct sockdiag_ctx {
	struct kernel_sockdiag *sd;
	struct kernel_sockdiag_ns *ns;
	int64_t now_us;
	trace_kevent_fn fn;
	void *arg;
	int n;
};

static int sockdiag_same(const struct kernel_sockdiag_sock *a, const struct kernel_sockdiag_sock *b)
{
	return a->family == b->family && a->sport == b->sport && a->dport == b->dport &&
	       memcmp(a->saddr, b->saddr, 16) == 0 && memcmp(a->daddr, b->daddr, 16) == 0;
}

static int sockdiag_wanted(const struct kernel_sockdiag *sd, const struct kernel_sockdiag_sock *s)
{
	size_t i;

	if (sd->nports == 0)
		return 1;
	for (i = 0; i < sd->nports; i++)
		if (s->sport == sd->ports[i] || s->dport == sd->ports[i])
			return 1;
	return 0;
}

static int sockdiag_emit(struct sockdiag_ctx *c, const struct kernel_sockdiag_sock *s,
			 enum trace_state st)
{
	struct trace_kevent ev;

	memset(&ev, 0, sizeof ev);
	ev.ts_us = c->now_us;
	ev.family = s->family;
	memcpy(ev.saddr, s->saddr, 16);
	memcpy(ev.daddr, s->daddr, 16);
	ev.sport = s->sport;
	ev.dport = s->dport;
	ev.oldstate = TRACE_ST_NONE;
	ev.newstate = st;
	ev.via = TRACE_VIA_SOCK_DIAG;
	ev.timer_ms = s->timer == SOCKDIAG_TIMER_TW && st != TRACE_ST_CLOSED
		      ? (int32_t)(s->expires_ms > INT32_MAX ? INT32_MAX : s->expires_ms) : -1;
	c->n++;
	return c->fn(c->arg, &ev);
}

static struct kernel_sockdiag_entry *sockdiag_add(struct kernel_sockdiag_ns *ns)
{
	struct kernel_sockdiag_entry *t;
	size_t cap;

	if (ns->n == ns->cap) {
		if (ns->cap >= KERNEL_SOCKDIAG_MAX_SOCKS)
			return NULL;
		cap = ns->cap ? ns->cap * 2 : 32;
		t = realloc(ns->tab, cap * sizeof *t);
		if (!t)
			return NULL;
		ns->tab = t, ns->cap = cap;
	}
	return &ns->tab[ns->n++];
}

/* A new socket or a changed state is only marked here: it is stamped and reported once
 * the dump is over (sockdiag_report). */
static int sockdiag_on_sock(void *arg, const struct kernel_sockdiag_sock *s)
{
	struct sockdiag_ctx *c = arg;
	struct kernel_sockdiag_entry *e = NULL;
	size_t i;

	if (!sockdiag_wanted(c->sd, s))
		return 0;
	for (i = 0; i < c->ns->n; i++)
		if (sockdiag_same(&c->ns->tab[i].s, s)) {
			e = &c->ns->tab[i];
			break;
		}
	if (!e) {
		e = sockdiag_add(c->ns);
		if (!e) {
			c->sd->untracked++;
			return 0;
		}
		e->s = *s;
		e->seen = e->changed = 1;
		return 0;
	}
	e->seen = 1;
	e->changed |= e->s.kstate != s->kstate;
	e->s = *s;
	return 0;
}

static int sockdiag_dump(struct sockdiag_ctx *c, int family, char *err, size_t errlen)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 r;
	} req;
	struct sockaddr_nl nl = { .nl_family = AF_NETLINK };
	uint8_t buf[SOCKDIAG_BUF];
	uint32_t seq = ++c->sd->seq;
	ssize_t r;
	int i, rc;

	memset(&req, 0, sizeof req);
	req.nlh.nlmsg_len = sizeof req;
	req.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	req.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.nlh.nlmsg_seq = seq;
	req.r.sdiag_family = (uint8_t)family;
	req.r.sdiag_protocol = IPPROTO_TCP;
	req.r.idiag_states = ~0U;
	while ((r = sendto(c->ns->fd, &req, sizeof req, 0, (struct sockaddr *)&nl, sizeof nl)) < 0 &&
	       errno == EINTR)
		;
	if (r < 0) {
		snprintf(err, errlen, "sock_diag: send: %s", strerror(errno));
		return -1;
	}
	for (i = 0; i < SOCKDIAG_MAX_DATAGRAMS; i++) {
		r = recv(c->ns->fd, buf, sizeof buf, MSG_TRUNC);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(err, errlen, "sock_diag: recv: %s", strerror(errno));
			return -1;
		}
		if ((size_t)r > sizeof buf) {
			snprintf(err, errlen, "sock_diag: reply of %zd bytes truncated", r);
			return -1;
		}
		rc = kernel_sockdiag_parse(buf, (size_t)r, seq, sockdiag_on_sock, c, err, errlen);
		if (rc != 0)
			return rc < 0 ? -1 : 0;
	}
	snprintf(err, errlen, "sock_diag: dump did not end after %d replies", i);
	return -1;
}

/* After a namespace's dump: the sockets that appeared or changed, then, as CLOSED, those
 * that were there last time and are gone now (closed, or their TIME_WAIT ran out). */
static void sockdiag_report(struct sockdiag_ctx *c)
{
	struct kernel_sockdiag_ns *ns = c->ns;
	size_t i;

	for (i = 0; i < ns->n; i++)
		if (ns->tab[i].seen && ns->tab[i].changed) {
			ns->tab[i].changed = 0;
			sockdiag_emit(c, &ns->tab[i].s, kernel_sockdiag_state(ns->tab[i].s.kstate));
		}
	i = 0;
	while (i < ns->n) {
		if (ns->tab[i].seen) {
			ns->tab[i++].seen = 0;
			continue;
		}
		if (ns->tab[i].s.kstate != 10)	/* a listener going away is no connection's news */
			sockdiag_emit(c, &ns->tab[i].s, TRACE_ST_CLOSED);
		ns->tab[i] = ns->tab[--ns->n];
	}
}

static int64_t sockdiag_realtime_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int kernel_sockdiag_poll(struct kernel_sockdiag *sd, kernel_sockdiag_clock clock, trace_kevent_fn fn,
			void *arg, char *err, size_t errlen)
{
	struct sockdiag_ctx c = { sd, NULL, 0, fn, arg, 0 };
	char e6[200];
	size_t i;

	sd->polls++;
	for (i = 0; i < sd->nns; i++) {
		c.ns = &sd->ns[i];
		if (sockdiag_dump(&c, AF_INET, err, errlen) < 0)
			return -1;
		/* A namespace without IPv6 answers with an error: it holds no IPv6 socket. */
		sockdiag_dump(&c, AF_INET6, e6, sizeof e6);
		c.now_us = clock ? clock() : sockdiag_realtime_us();
		sockdiag_report(&c);
	}
	return c.n;
}
