/* net/net.c: socket helpers TCP and UDP share; every failure says which call, on what, and why. */
#include "net/net.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/sig.h"
#include "net/netev.h"

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0 /* SIGPIPE is ignored by hello_sig_install on systems without it */
#endif

/*
 * The process's socket-call recorder (--events), set once by main before any thread or
 * child starts, then only read. NULL = off: every hook below is then one NULL test, and
 * no hook ever changes a call's arguments, so the wire is the same either way.
 */
static struct hello_netev *net_ev;

void hello_net_set_events(struct hello_netev *ev)
{
	net_ev = ev;
}

int hello_net_events_on(void)
{
	return net_ev != NULL;
}

int hello_net_events_start(const char *path, const char *prog, const char *role, char *err, size_t errlen)
{
	struct hello_netev *ev;

	if (!path)
		return 0;
	ev = hello_netev_open(path, prog, role, err, errlen);
	if (!ev)
		return -1;
	hello_net_set_events(ev);
	return 0;
}

static int64_t net_t0(void)
{
	return net_ev ? hello_netev_now_us() : 0;
}

/* Records a call that just returned (callers test net_ev first, so off costs nothing). */
static void net_rec(struct hello_netev_rec r)
{
	r.after_us = hello_netev_now_us();
	hello_netev_record(net_ev, &r);
}

/* "call what: strerror(errno)", errno kept for the caller. */
static void net_err(char *err, size_t errlen, const char *call, const char *what)
{
	int e = errno;

	if (what && *what)
		snprintf(err, errlen, "%s %s: %s", call, what, strerror(e));
	else
		snprintf(err, errlen, "%s: %s", call, strerror(e));
	errno = e;
}

static void net_close_keep_errno(int fd)
{
	int e = errno;

	hello_net_close(fd);
	errno = e;
}

static int net_cloexec(int fd)
{
	int fl = fcntl(fd, F_GETFD);

	return fl < 0 ? -1 : fcntl(fd, F_SETFD, fl | FD_CLOEXEC);
}

static int net_socket(int family, int type, const char *what, char *err, size_t errlen)
{
	int64_t t0 = net_t0();
	int fd = socket(family, type, 0);

	if (net_ev)
		net_rec((struct hello_netev_rec){ .call = HELLO_NETEV_SOCKET, .fd = fd, .before_us = t0, .result = fd,
						  .err = errno, .type = type, .family = family });
	if (fd < 0) {
		net_err(err, errlen, "socket", what);
		return -1;
	}
	/* Forked children and helpers the labs start must not inherit our sockets. */
	net_cloexec(fd);
	return fd;
}

static int net_setsockopt(int fd, int level, int name, const char *optname, const void *v, socklen_t vlen, int value)
{
	int64_t t0 = net_t0();
	int r = setsockopt(fd, level, name, v, vlen);

	if (net_ev)
		net_rec((struct hello_netev_rec){ .call = HELLO_NETEV_SETSOCKOPT, .fd = fd, .before_us = t0, .result = r,
						  .err = errno, .option = optname, .value = value });
	return r;
}

static int net_bind(int fd, const struct hello_addr *a)
{
	int64_t t0 = net_t0();
	int r = bind(fd, (const struct sockaddr *)&a->ss, a->len);

	if (net_ev)
		net_rec((struct hello_netev_rec){ .call = HELLO_NETEV_BIND, .fd = fd, .before_us = t0, .result = r,
						  .err = errno, .addr = a });
	return r;
}

static int net_listen(int fd, int backlog)
{
	int64_t t0 = net_t0();
	int r = listen(fd, backlog);

	if (net_ev)
		net_rec((struct hello_netev_rec){ .call = HELLO_NETEV_LISTEN, .fd = fd, .before_us = t0, .result = r,
						  .err = errno });
	return r;
}

int hello_net_listen(const struct hello_addr *a, int backlog, int reuse, char *err, size_t errlen)
{
	char as[HELLO_ADDR_STRLEN];
	int fd, on = 1;

	hello_addr_str(a, as, sizeof(as));
	fd = net_socket(a->ss.ss_family, SOCK_STREAM, as, err, errlen);
	if (fd < 0)
		return -1;
	if (reuse && net_setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, "SO_REUSEADDR", &on, sizeof(on), on) < 0) {
		net_err(err, errlen, "setsockopt SO_REUSEADDR", as);
		goto fail;
	}
	if (net_bind(fd, a) < 0) {
		net_err(err, errlen, "bind", as);
		goto fail;
	}
	if (net_listen(fd, backlog) < 0) {
		net_err(err, errlen, "listen", as);
		goto fail;
	}
	return fd;
fail:
	net_close_keep_errno(fd);
	return -1;
}

int hello_net_accept(int lfd, struct hello_addr *peer, char *err, size_t errlen)
{
	int64_t t0 = net_t0();
	int fd;

	memset(peer, 0, sizeof(*peer));
	peer->len = sizeof(peer->ss);
	fd = accept(lfd, (struct sockaddr *)&peer->ss, &peer->len);
	if (net_ev)
		net_rec((struct hello_netev_rec){ .call = HELLO_NETEV_ACCEPT, .fd = fd, .before_us = t0, .result = fd,
						  .err = errno, .listen_fd = lfd, .addr = fd >= 0 ? peer : NULL });
	if (fd < 0) {
		net_err(err, errlen, "accept", NULL);
		return -1;
	}
	net_cloexec(fd);
	return fd;
}

int hello_net_tcp_socket(int family, char *err, size_t errlen)
{
	return net_socket(family, SOCK_STREAM, NULL, err, errlen);
}

int hello_net_set_nonblock(int fd, int on, char *err, size_t errlen)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK) < 0) {
		net_err(err, errlen, "fcntl O_NONBLOCK", NULL);
		return -1;
	}
	return 0;
}

int hello_net_wait(int fd, short events, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	int64_t deadline = timeout_ms < 0 ? -1 : hello_clock_ms() + timeout_ms;
	int left = timeout_ms, n;

	for (;;) {
		n = poll(&pfd, 1, left);
		if (n > 0)
			return pfd.revents;
		if (n == 0)
			return 0;
		if (errno != EINTR || hello_sig_stop())
			return -1;
		if (deadline >= 0) {
			int64_t l = deadline - hello_clock_ms();
			left = l > 0 ? (int)l : 0;
		}
	}
}

int hello_net_wait_from(int fd, const struct hello_addr *peer, int timeout_ms)
{
	int64_t t0 = net_t0();
	int r = hello_net_wait(fd, POLLIN, timeout_ms);

	if (net_ev && r == 0)
		net_rec((struct hello_netev_rec){ .call = HELLO_NETEV_POLL, .fd = fd, .before_us = t0, .result = 0,
						  .addr = peer, .timeout_ms = timeout_ms });
	return r;
}

static int net_connect_blocking(int fd, const struct hello_addr *a, const char *as, char *err, size_t errlen)
{
	int r;

	while ((r = connect(fd, (const struct sockaddr *)&a->ss, a->len)) < 0 && errno == EINTR && !hello_sig_stop())
		;
	if (r < 0)
		net_err(err, errlen, "connect", as);
	return r;
}

/* connect(2) on a non-blocking socket, then the wait for its outcome: 0 or -1 with errno. */
static int net_connect_bounded(int fd, const struct hello_addr *a, const char *as, int timeout_ms, char *err, size_t errlen)
{
	int soerr = 0, r;
	socklen_t sl = sizeof(soerr);

	if (connect(fd, (const struct sockaddr *)&a->ss, a->len) < 0) {
		if (errno != EINPROGRESS && errno != EINTR) {
			net_err(err, errlen, "connect", as);
			return -1;
		}
		/* The SYN is out and the port is bound now; a refused connect unbinds it again. */
		if (net_ev)
			hello_netev_note_local(net_ev, fd);
		r = hello_net_wait(fd, POLLOUT, timeout_ms);
		if (r == 0) {
			snprintf(err, errlen, "connect %s: timed out after %d ms", as, timeout_ms);
			errno = ETIMEDOUT;
			return -1;
		}
		if (r < 0) {
			net_err(err, errlen, "connect", as);
			return -1;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0 || soerr) {
			errno = soerr ? soerr : errno;
			net_err(err, errlen, "connect", as);
			return -1;
		}
	}
	return 0;
}

int hello_net_connect(int fd, const struct hello_addr *a, int timeout_ms, char *err, size_t errlen)
{
	char as[HELLO_ADDR_STRLEN];
	int64_t t0;
	int r;

	hello_addr_str(a, as, sizeof(as));
	/* Non-blocking connect, then wait: the only portable way to bound connect(2). */
	if (timeout_ms > 0 && hello_net_set_nonblock(fd, 1, err, errlen) < 0)
		return -1;
	/* One record for the whole connect, wait included: the handshake falls between its times. */
	t0 = net_t0();
	r = timeout_ms > 0 ? net_connect_bounded(fd, a, as, timeout_ms, err, errlen)
			   : net_connect_blocking(fd, a, as, err, errlen);
	if (net_ev)
		net_rec((struct hello_netev_rec){ .call = HELLO_NETEV_CONNECT, .fd = fd, .before_us = t0, .result = r,
						  .err = errno, .addr = a });
	if (r < 0 || timeout_ms <= 0)
		return r;
	return hello_net_set_nonblock(fd, 0, err, errlen);
}

int hello_net_udp_socket(int family, const struct hello_addr *a, char *err, size_t errlen)
{
	char as[HELLO_ADDR_STRLEN] = "";
	int fd;

	if (a)
		hello_addr_str(a, as, sizeof(as));
	fd = net_socket(family, SOCK_DGRAM, as, err, errlen);
	if (fd < 0)
		return -1;
	if (a && net_bind(fd, a) < 0) {
		net_err(err, errlen, "bind", as);
		net_close_keep_errno(fd);
		return -1;
	}
	return fd;
}

int hello_net_udp_connect(int fd, const struct hello_addr *a, char *err, size_t errlen)
{
	char as[HELLO_ADDR_STRLEN];
	int64_t t0 = net_t0();
	int r = connect(fd, (const struct sockaddr *)&a->ss, a->len);

	if (net_ev)
		net_rec((struct hello_netev_rec){ .call = HELLO_NETEV_CONNECT, .fd = fd, .before_us = t0, .result = r,
						  .err = errno, .addr = a });
	if (r < 0) {
		net_err(err, errlen, "connect", hello_addr_str(a, as, sizeof(as)));
		return -1;
	}
	return 0;
}

int hello_net_local(int fd, struct hello_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->len = sizeof(a->ss);
	return getsockname(fd, (struct sockaddr *)&a->ss, &a->len);
}

int hello_net_sock_error(int fd)
{
	int soerr = 0;
	socklen_t sl = sizeof(soerr);

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0)
		return errno;
	return soerr;
}

int hello_net_set_nodelay(int fd, char *err, size_t errlen)
{
	int on = 1;

	if (net_setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, "TCP_NODELAY", &on, sizeof(on), on) < 0) {
		net_err(err, errlen, "setsockopt TCP_NODELAY", NULL);
		return -1;
	}
	return 0;
}

int hello_net_set_linger0(int fd, char *err, size_t errlen)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	if (net_setsockopt(fd, SOL_SOCKET, SO_LINGER, "SO_LINGER", &lg, sizeof(lg), lg.l_linger) < 0) {
		net_err(err, errlen, "setsockopt SO_LINGER", NULL);
		return -1;
	}
	return 0;
}

ssize_t hello_net_send(int fd, const void *p, size_t len, const char *peer, char *err, size_t errlen)
{
	int64_t t0 = net_t0();
	ssize_t n;

	while ((n = send(fd, p, len, MSG_NOSIGNAL)) < 0 && errno == EINTR)
		;
	if (net_ev)
		net_rec((struct hello_netev_rec){ .call = HELLO_NETEV_SEND, .fd = fd, .before_us = t0, .result = n,
						  .err = errno, .size = len });
	if (n < 0)
		net_err(err, errlen, "send", peer);
	return n;
}

int hello_net_write_all(int fd, const void *p, size_t len, int timeout_ms, const char *peer, char *err, size_t errlen)
{
	const char *c = p;
	ssize_t n;
	int r;

	while (len > 0) {
		n = hello_net_send(fd, c, len, peer, err, errlen);
		if (n >= 0) {
			c += n;
			len -= (size_t)n;
			continue;
		}
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -1;
		r = hello_net_wait(fd, POLLOUT, timeout_ms);
		if (r == 0) {
			snprintf(err, errlen, "send %s: timed out after %d ms", peer, timeout_ms);
			errno = ETIMEDOUT;
			return -1;
		}
		if (r < 0) {
			net_err(err, errlen, "send", peer);
			return -1;
		}
	}
	return 0;
}

ssize_t hello_net_recv(int fd, void *buf, size_t cap, const char *peer, char *err, size_t errlen)
{
	int64_t t0 = net_t0();
	ssize_t n;

	while ((n = recv(fd, buf, cap, 0)) < 0 && errno == EINTR)
		;
	if (net_ev)
		net_rec((struct hello_netev_rec){ .call = HELLO_NETEV_RECV, .fd = fd, .before_us = t0, .result = n,
						  .err = errno, .size = cap });
	if (n < 0)
		net_err(err, errlen, "recv", peer);
	return n;
}

ssize_t hello_net_recv_timeout(int fd, void *buf, size_t cap, int timeout_ms, const char *peer, char *err, size_t errlen)
{
	int r = hello_net_wait(fd, POLLIN, timeout_ms);

	if (r == 0) {
		snprintf(err, errlen, "recv %s: timed out after %d ms", peer, timeout_ms);
		errno = ETIMEDOUT;
		return -1;
	}
	if (r < 0) {
		net_err(err, errlen, "recv", peer);
		return -1;
	}
	return hello_net_recv(fd, buf, cap, peer, err, errlen);
}

ssize_t hello_net_sendto(int fd, const void *p, size_t len, const struct hello_addr *to, char *err, size_t errlen)
{
	char as[HELLO_ADDR_STRLEN];
	int64_t t0 = net_t0();
	ssize_t n;

	while ((n = sendto(fd, p, len, MSG_NOSIGNAL, to ? (const struct sockaddr *)&to->ss : NULL,
			   to ? to->len : 0)) < 0 && errno == EINTR)
		;
	if (net_ev)
		net_rec((struct hello_netev_rec){ .call = HELLO_NETEV_SENDTO, .fd = fd, .before_us = t0, .result = n,
						  .err = errno, .size = len, .addr = to });
	if (n < 0)
		net_err(err, errlen, "send", to ? hello_addr_str(to, as, sizeof(as)) : NULL);
	return n;
}

static ssize_t net_recvfrom(int fd, void *buf, size_t cap, int flags, struct hello_addr *from, int *truncated,
			    const char *peer, char *err, size_t errlen)
{
	int64_t t0;
	ssize_t n;

#ifdef MSG_TRUNC
	flags |= MSG_TRUNC; /* Linux: return the datagram's real length even when it was cut */
#endif
	memset(from, 0, sizeof(*from));
	from->len = sizeof(from->ss);
	t0 = net_t0();
	while ((n = recvfrom(fd, buf, cap, flags, (struct sockaddr *)&from->ss, &from->len)) < 0 && errno == EINTR)
		;
	/* An empty queue under MSG_DONTWAIT is the drain loop's normal end, not a call worth an event or a message. */
	if (n < 0 && (flags & MSG_DONTWAIT) && (errno == EAGAIN || errno == EWOULDBLOCK))
		return -1;
	if (net_ev)
		net_rec((struct hello_netev_rec){ .call = HELLO_NETEV_RECVFROM, .fd = fd, .before_us = t0, .result = n,
						  .err = errno, .size = cap, .addr = n >= 0 ? from : NULL,
						  .truncated = n >= 0 && (size_t)n > cap });
	if (n < 0) {
		net_err(err, errlen, "recv", peer);
		return -1;
	}
	*truncated = (size_t)n > cap;
	return (size_t)n > cap ? (ssize_t)cap : n;
}

ssize_t hello_net_recvfrom(int fd, void *buf, size_t cap, struct hello_addr *from, int *truncated,
			   const char *peer, char *err, size_t errlen)
{
	return net_recvfrom(fd, buf, cap, 0, from, truncated, peer, err, errlen);
}

ssize_t hello_net_recvfrom_nowait(int fd, void *buf, size_t cap, struct hello_addr *from, int *truncated,
				  const char *peer, char *err, size_t errlen)
{
	return net_recvfrom(fd, buf, cap, MSG_DONTWAIT, from, truncated, peer, err, errlen);
}

void hello_net_close(int fd)
{
	struct hello_netev_sock sock;
	int64_t t0;
	int r;

	if (fd < 0)
		return;
	/* POSIX leaves the fd's state after EINTR unspecified; Linux always frees it: never retry. */
	if (!net_ev) {
		close(fd);
		return;
	}
	hello_netev_forget(net_ev, fd, &sock);
	t0 = hello_netev_now_us();
	r = close(fd);
	net_rec((struct hello_netev_rec){ .call = HELLO_NETEV_CLOSE, .fd = fd, .before_us = t0, .result = r,
					  .err = errno, .sock = &sock });
}
