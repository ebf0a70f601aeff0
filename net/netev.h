/* net/netev.h: socket-call records (--events FILE): one JSON line per call net.c makes (docs/events.md). */
#ifndef HELLO_NETEV_H
#define HELLO_NETEV_H

#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"

enum hello_netev_call {
	HELLO_NETEV_SOCKET,
	HELLO_NETEV_SETSOCKOPT,
	HELLO_NETEV_BIND,
	HELLO_NETEV_LISTEN,
	HELLO_NETEV_ACCEPT,
	HELLO_NETEV_CONNECT,
	HELLO_NETEV_SEND,
	HELLO_NETEV_SENDTO,
	HELLO_NETEV_RECV,
	HELLO_NETEV_RECVFROM,
	HELLO_NETEV_SHUTDOWN,
	HELLO_NETEV_CLOSE,
	HELLO_NETEV_POLL,		/* recorded only when it timed out: a wait that came to nothing */
};

/* What the recorder knows about the socket open on one descriptor. */
struct hello_netev_sock {
	int known;                      /* describes the socket open on this fd now */
	int type;                       /* SOCK_STREAM, SOCK_DGRAM, 0 = not known */
	uint64_t sent, rcvd;            /* TCP: stream offsets; UDP: datagrams sent / received */
	struct hello_addr local, peer;
	int have_local, have_peer;
};

/* One finished call, as net.c saw it. Fields a call does not use stay 0 / NULL. */
struct hello_netev_rec {
	enum hello_netev_call call;
	int fd;                         /* the socket; accept: the new connection (-1 when none was made) */
	int64_t before_us, after_us;    /* CLOCK_REALTIME just before the call and just after it returned */
	long long result;               /* the call's return value */
	int err;                        /* errno when result < 0 */
	int type;                       /* socket: SOCK_STREAM or SOCK_DGRAM */
	int family;                     /* socket: AF_INET or AF_INET6 */
	int listen_fd;                  /* accept: the listening socket */
	const char *option;             /* setsockopt: "SO_REUSEADDR", "TCP_NODELAY", "SO_LINGER" */
	int value;                      /* setsockopt: the value (SO_LINGER: seconds, with l_onoff 1) */
	int how;                        /* shutdown: SHUT_RD / SHUT_WR / SHUT_RDWR */
	const struct hello_addr *addr;  /* bind, connect, sendto: the address given; accept, recvfrom: the peer;
	                                 * poll: the peer waited on */
	size_t size;                    /* send: bytes offered; recv: room in the buffer */
	int truncated;                  /* recvfrom: the datagram was longer than the buffer */
	const struct hello_netev_sock *sock; /* close: what hello_netev_forget took before the close */
	int timeout_ms;                 /* poll: how long it waited */
};

struct hello_netev;

/*
 * Opens FILE for appending (created 0644; never truncated, so several programs may share
 * one file) and returns a recorder for program prog in role ("client" or "server").
 * NULL with err ("--events out.jsonl: Permission denied").
 */
struct hello_netev *hello_netev_open(const char *path, const char *prog, const char *role, char *err, size_t errlen);
/* The same over an open descriptor (tests); the recorder does not close it. */
struct hello_netev *hello_netev_fdopen(int fd, const char *prog, const char *role);
void hello_netev_free(struct hello_netev *ev);

/* CLOCK_REALTIME in microseconds since the Unix epoch. */
int64_t hello_netev_now_us(void);

/*
 * Writes the record as one line with a single write(2) on the O_APPEND descriptor, so
 * lines of threads and forked children never interleave. Keeps per-socket state (stream
 * offsets, datagram counts, addresses) and errno. Thread-safe.
 */
void hello_netev_record(struct hello_netev *ev, const struct hello_netev_rec *r);
/*
 * Before close(2): fills *out with what is known of fd's socket (addresses looked up now,
 * while it is open) and forgets it, since once close returns another thread may get the
 * same number from accept. Pass out as rec.sock of the close record.
 */
void hello_netev_forget(struct hello_netev *ev, int fd, struct hello_netev_sock *out);
/* Caches the socket's local address now (a connect in progress: a refused one forgets its port). */
void hello_netev_note_local(struct hello_netev *ev, int fd);
/* Lines that could not be written (disk full, bad descriptor): the recorder never fails a call. */
unsigned long hello_netev_write_errors(const struct hello_netev *ev);

/* "ECONNREFUSED", ...; an errno outside the table gives "E<number>" in buf. */
const char *hello_netev_errno_name(int e, char *buf, size_t buflen);
/* "connect", "recvfrom", ... */
const char *hello_netev_call_name(enum hello_netev_call c);

#endif
