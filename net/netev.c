/* net/netev.c: socket-call records (--events FILE): one JSON line per call net.c makes (docs/events.md). */
#include "net/netev.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifdef __linux__
#include <sys/syscall.h>
#endif

/* Sockets above this descriptor get records without offsets rather than an unbounded table. */
#define NETEV_MAX_FD 65536

struct hello_netev {
	int fd;
	int own_fd;
	char prog[64];
	char role[16];
	pthread_mutex_t mu;             /* threads of the thread model share the table and the fd */
	struct hello_netev_sock *socks;
	size_t nsocks;
	unsigned long write_errors;
};

static const char *const netev_call_names[] = {
	[HELLO_NETEV_SOCKET] = "socket",
	[HELLO_NETEV_SETSOCKOPT] = "setsockopt",
	[HELLO_NETEV_BIND] = "bind",
	[HELLO_NETEV_LISTEN] = "listen",
	[HELLO_NETEV_ACCEPT] = "accept",
	[HELLO_NETEV_CONNECT] = "connect",
	[HELLO_NETEV_SEND] = "send",
	[HELLO_NETEV_SENDTO] = "sendto",
	[HELLO_NETEV_RECV] = "recv",
	[HELLO_NETEV_RECVFROM] = "recvfrom",
	[HELLO_NETEV_SHUTDOWN] = "shutdown",
	[HELLO_NETEV_CLOSE] = "close",
	[HELLO_NETEV_POLL] = "poll",
};

/* The errno values socket calls return (POSIX names; a table, not strerror, so the text
 * never depends on the locale or the libc). EWOULDBLOCK is EAGAIN on Linux: first wins. */
static const struct { int e; const char *name; } netev_errnos[] = {
	{ EACCES, "EACCES" }, { EADDRINUSE, "EADDRINUSE" }, { EADDRNOTAVAIL, "EADDRNOTAVAIL" },
	{ EAFNOSUPPORT, "EAFNOSUPPORT" }, { EAGAIN, "EAGAIN" }, { EWOULDBLOCK, "EWOULDBLOCK" },
	{ EALREADY, "EALREADY" }, { EBADF, "EBADF" }, { ECONNABORTED, "ECONNABORTED" },
	{ ECONNREFUSED, "ECONNREFUSED" }, { ECONNRESET, "ECONNRESET" }, { EDESTADDRREQ, "EDESTADDRREQ" },
	{ EFAULT, "EFAULT" }, { EHOSTDOWN, "EHOSTDOWN" }, { EHOSTUNREACH, "EHOSTUNREACH" },
	{ EINPROGRESS, "EINPROGRESS" }, { EINTR, "EINTR" }, { EINVAL, "EINVAL" }, { EIO, "EIO" },
	{ EISCONN, "EISCONN" }, { EMFILE, "EMFILE" }, { EMSGSIZE, "EMSGSIZE" }, { ENETDOWN, "ENETDOWN" },
	{ ENETRESET, "ENETRESET" }, { ENETUNREACH, "ENETUNREACH" }, { ENFILE, "ENFILE" },
	{ ENOBUFS, "ENOBUFS" }, { ENOMEM, "ENOMEM" }, { ENOPROTOOPT, "ENOPROTOOPT" },
	{ ENOTCONN, "ENOTCONN" }, { ENOTSOCK, "ENOTSOCK" }, { EOPNOTSUPP, "EOPNOTSUPP" },
	{ EPERM, "EPERM" }, { EPIPE, "EPIPE" }, { EPROTONOSUPPORT, "EPROTONOSUPPORT" },
	{ EPROTOTYPE, "EPROTOTYPE" }, { ESHUTDOWN, "ESHUTDOWN" }, { ETIMEDOUT, "ETIMEDOUT" },
};

const char *hello_netev_errno_name(int e, char *buf, size_t buflen)
{
	size_t i;

	for (i = 0; i < sizeof(netev_errnos) / sizeof(netev_errnos[0]); i++)
		if (netev_errnos[i].e == e)
			return netev_errnos[i].name;
	snprintf(buf, buflen, "E%d", e);
	return buf;
}

const char *hello_netev_call_name(enum hello_netev_call c)
{
	if ((size_t)c >= sizeof(netev_call_names) / sizeof(netev_call_names[0]) || !netev_call_names[c])
		return "?";
	return netev_call_names[c];
}

int64_t hello_netev_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

struct hello_netev *hello_netev_fdopen(int fd, const char *prog, const char *role)
{
	struct hello_netev *ev = calloc(1, sizeof(*ev));

	if (!ev)
		return NULL;
	ev->fd = fd;
	snprintf(ev->prog, sizeof(ev->prog), "%s", prog);
	snprintf(ev->role, sizeof(ev->role), "%s", role);
	pthread_mutex_init(&ev->mu, NULL);
	return ev;
}

struct hello_netev *hello_netev_open(const char *path, const char *prog, const char *role, char *err, size_t errlen)
{
	struct hello_netev *ev;
	/* O_APPEND: every write lands at the end, so whole lines of several processes never mix. */
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);

	if (fd < 0) {
		snprintf(err, errlen, "--events %s: %s", path, strerror(errno));
		return NULL;
	}
	ev = hello_netev_fdopen(fd, prog, role);
	if (!ev) {
		close(fd);
		snprintf(err, errlen, "--events %s: out of memory", path);
		return NULL;
	}
	ev->own_fd = 1;
	return ev;
}

void hello_netev_free(struct hello_netev *ev)
{
	if (!ev)
		return;
	if (ev->own_fd)
		close(ev->fd);
	pthread_mutex_destroy(&ev->mu);
	free(ev->socks);
	free(ev);
}

unsigned long hello_netev_write_errors(const struct hello_netev *ev)
{
	return ev ? ev->write_errors : 0;
}

/* The slot of fd, grown on demand; NULL beyond NETEV_MAX_FD or without memory. Locked. */
static struct hello_netev_sock *netev_sock(struct hello_netev *ev, int fd)
{
	size_t n;
	struct hello_netev_sock *ns;

	if (fd < 0 || fd >= NETEV_MAX_FD)
		return NULL;
	if ((size_t)fd >= ev->nsocks) {
		n = ev->nsocks ? ev->nsocks : 64;
		while (n <= (size_t)fd)
			n *= 2;
		ns = realloc(ev->socks, n * sizeof(*ns));
		if (!ns)
			return NULL;
		memset(ns + ev->nsocks, 0, (n - ev->nsocks) * sizeof(*ns));
		ev->socks = ns;
		ev->nsocks = n;
	}
	return &ev->socks[fd];
}

/* A descriptor the recorder has not seen open (inherited, or opened outside net.c). */
static void netev_sock_learn(struct hello_netev_sock *s, int fd)
{
	int type = 0;
	socklen_t l = sizeof(type);

	memset(s, 0, sizeof(*s));
	s->known = 1;
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &l) == 0)
		s->type = type;
}

/* Looks up what is not cached yet; an unbound local (port 0) is not cached. */
static void netev_sock_addrs(struct hello_netev_sock *s, int fd)
{
	struct hello_addr a;

	if (!s->have_local) {
		memset(&a, 0, sizeof(a));
		a.len = sizeof(a.ss);
		if (getsockname(fd, (struct sockaddr *)&a.ss, &a.len) == 0 && hello_addr_port(&a) != 0) {
			s->local = a;
			s->have_local = 1;
		}
	}
	if (!s->have_peer && s->type == SOCK_STREAM) {
		memset(&a, 0, sizeof(a));
		a.len = sizeof(a.ss);
		if (getpeername(fd, (struct sockaddr *)&a.ss, &a.len) == 0) {
			s->peer = a;
			s->have_peer = 1;
		}
	}
}

void hello_netev_forget(struct hello_netev *ev, int fd, struct hello_netev_sock *out)
{
	struct hello_netev_sock *s;
	int e = errno;

	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&ev->mu);
	s = netev_sock(ev, fd);
	if (s) {
		if (!s->known)
			netev_sock_learn(s, fd);
		netev_sock_addrs(s, fd);
		*out = *s;
		memset(s, 0, sizeof(*s));
	}
	pthread_mutex_unlock(&ev->mu);
	errno = e;
}

void hello_netev_note_local(struct hello_netev *ev, int fd)
{
	struct hello_netev_sock *s;
	int e = errno;

	pthread_mutex_lock(&ev->mu);
	s = netev_sock(ev, fd);
	if (s) {
		if (!s->known)
			netev_sock_learn(s, fd);
		netev_sock_addrs(s, fd);
	}
	pthread_mutex_unlock(&ev->mu);
	errno = e;
}

static json_t *netev_addr_json(const struct hello_addr *a)
{
	char host[HELLO_ADDR_STRLEN];

	return json_pack("{s:s, s:i}", "addr", hello_addr_host_str(a, host, sizeof(host)), "port",
			 (int)hello_addr_port(a));
}

/* What the call tells about its socket before the record is built (new sockets, addresses). */
static void netev_sock_before(struct hello_netev_sock *s, int fd, const struct hello_netev_rec *r)
{
	if (!s)
		return;
	if ((r->call == HELLO_NETEV_SOCKET || r->call == HELLO_NETEV_ACCEPT) && r->result >= 0) {
		memset(s, 0, sizeof(*s));
		s->known = 1;
		s->type = r->call == HELLO_NETEV_ACCEPT ? SOCK_STREAM : r->type;
		if (r->call == HELLO_NETEV_ACCEPT && r->addr) {
			s->peer = *r->addr;
			s->have_peer = 1;
		}
		return;
	}
	if (!s->known)
		netev_sock_learn(s, fd);
	if (r->call == HELLO_NETEV_CONNECT && r->addr) {
		s->peer = *r->addr;
		s->have_peer = 1;
	}
	if (r->call == HELLO_NETEV_BIND && r->addr && r->result == 0 && hello_addr_port(r->addr) != 0) {
		s->local = *r->addr;
		s->have_local = 1;
	}
}

static int netev_is_send(enum hello_netev_call c)
{
	return c == HELLO_NETEV_SEND || c == HELLO_NETEV_SENDTO;
}

static int netev_is_recv(enum hello_netev_call c)
{
	return c == HELLO_NETEV_RECV || c == HELLO_NETEV_RECVFROM;
}

/* Bytes, and where they sit: TCP stream offset of the first byte, UDP datagram number. */
static void netev_json_data(json_t *o, const struct hello_netev_sock *s, const struct hello_netev_rec *r)
{
	int snd = netev_is_send(r->call);

	if (!snd && !netev_is_recv(r->call))
		return;
	json_object_set_new(o, "size", json_integer((json_int_t)r->size));
	if (r->result < 0)
		return;
	json_object_set_new(o, "bytes", json_integer(r->result));
	if (!s || !s->type)
		return;
	if (s->type == SOCK_STREAM)
		json_object_set_new(o, "offset", json_integer((json_int_t)(snd ? s->sent : s->rcvd)));
	else
		json_object_set_new(o, "datagram", json_integer((json_int_t)(snd ? s->sent : s->rcvd)));
	if (r->truncated)
		json_object_set_new(o, "truncated", json_true());
}

static const char *netev_how_name(int how)
{
	return how == SHUT_RD ? "SHUT_RD" : how == SHUT_WR ? "SHUT_WR" : how == SHUT_RDWR ? "SHUT_RDWR" : "?";
}

/* Fields only some calls have. */
static void netev_json_extra(json_t *o, const struct hello_netev_rec *r)
{
	switch (r->call) {
	case HELLO_NETEV_SOCKET:
		json_object_set_new(o, "family", json_string(r->family == AF_INET6 ? "inet6" : "inet"));
		break;
	case HELLO_NETEV_SETSOCKOPT:
		json_object_set_new(o, "option", json_string(r->option ? r->option : "?"));
		json_object_set_new(o, "value", json_integer(r->value));
		break;
	case HELLO_NETEV_ACCEPT:
		json_object_set_new(o, "listen_fd", json_integer(r->listen_fd));
		break;
	case HELLO_NETEV_SHUTDOWN:
		json_object_set_new(o, "how", json_string(netev_how_name(r->how)));
		break;
	case HELLO_NETEV_POLL:
		json_object_set_new(o, "timeout_ms", json_integer(r->timeout_ms));
		break;
	default:
		break;
	}
}

static json_t *netev_json(struct hello_netev *ev, struct hello_netev_sock *s, const struct hello_netev_rec *r)
{
	json_t *o = json_object();
	const struct hello_addr *peer = NULL;
	char eb[32];

	if (!o)
		return NULL;
	json_object_set_new(o, "call", json_string(hello_netev_call_name(r->call)));
	json_object_set_new(o, "before_us", json_integer(r->before_us));
	json_object_set_new(o, "after_us", json_integer(r->after_us));
	json_object_set_new(o, "prog", json_string(ev->prog));
	json_object_set_new(o, "role", json_string(ev->role));
	json_object_set_new(o, "pid", json_integer(getpid()));
#ifdef __linux__
	json_object_set_new(o, "tid", json_integer((json_int_t)syscall(SYS_gettid)));
#endif
	if (r->fd >= 0)
		json_object_set_new(o, "fd", json_integer(r->fd));
	if (s && s->type)
		json_object_set_new(o, "proto", json_string(s->type == SOCK_STREAM ? "tcp" : "udp"));
	/* bind names the address it asked for, also when refused (EADDRINUSE on which port). */
	if (r->call == HELLO_NETEV_BIND && r->addr)
		json_object_set_new(o, "local", netev_addr_json(r->addr));
	else if (s && s->have_local)
		json_object_set_new(o, "local", netev_addr_json(&s->local));
	/* A datagram call names its own peer; a connected socket has one. */
	if (r->addr && (r->call == HELLO_NETEV_SENDTO || r->call == HELLO_NETEV_POLL ||
			(r->call == HELLO_NETEV_RECVFROM && r->result >= 0)))
		peer = r->addr;
	else if (s && s->have_peer)
		peer = &s->peer;
	if (peer)
		json_object_set_new(o, "peer", netev_addr_json(peer));
	json_object_set_new(o, "result", json_integer(r->result));
	if (r->result < 0)
		json_object_set_new(o, "errno", json_string(hello_netev_errno_name(r->err, eb, sizeof(eb))));
	netev_json_data(o, s, r);
	netev_json_extra(o, r);
	return o;
}

/* Offsets move by what the call moved; a closed descriptor forgets its socket. */
static void netev_sock_after(struct hello_netev_sock *s, const struct hello_netev_rec *r)
{
	if (!s)
		return;
	if (r->result < 0 || !(netev_is_send(r->call) || netev_is_recv(r->call)))
		return;
	if (s->type == SOCK_STREAM) {
		if (netev_is_send(r->call))
			s->sent += (uint64_t)r->result;
		else
			s->rcvd += (uint64_t)r->result;
	} else if (netev_is_send(r->call)) {
		s->sent++;
	} else {
		s->rcvd++;
	}
}

/* One write(2) for the whole line; a short write (a full disk) is finished, not retried forever. */
static int netev_write(int fd, const char *p, size_t len)
{
	ssize_t n;
	int tries = 0;

	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || ++tries > 8)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

void hello_netev_record(struct hello_netev *ev, const struct hello_netev_rec *r)
{
	int e = errno;
	struct hello_netev_sock *s = NULL, closed;
	json_t *o;
	char *line, *nl;
	size_t len;

	pthread_mutex_lock(&ev->mu);
	if (r->call == HELLO_NETEV_CLOSE) {
		/* The descriptor is gone: only what was taken before the close is valid. */
		if (r->sock) {
			closed = *r->sock;
			s = &closed;
		}
	} else {
		s = netev_sock(ev, r->fd);
		netev_sock_before(s, r->fd, r);
		if (s && r->call != HELLO_NETEV_SOCKET)
			netev_sock_addrs(s, r->fd);
	}
	o = netev_json(ev, s, r);
	if (r->call != HELLO_NETEV_CLOSE)
		netev_sock_after(s, r);
	line = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	len = line ? strlen(line) : 0;
	nl = line ? realloc(line, len + 2) : NULL;
	if (!nl) {
		free(line);
		ev->write_errors++;
		goto out;
	}
	nl[len] = '\n';
	nl[len + 1] = '\0';
	/* Written under the lock: the file's order is the order the calls were recorded in. */
	if (netev_write(ev->fd, nl, len + 1) < 0)
		ev->write_errors++;
	free(nl);
out:
	pthread_mutex_unlock(&ev->mu);
	errno = e;
}
