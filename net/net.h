/* net/net.h: socket helpers TCP and UDP share; every failure says which call, on what, and why. */
#ifndef HELLO_NET_H
#define HELLO_NET_H

#include <stddef.h>
#include <sys/types.h>

#include "core/addr.h"

/*
 * Every socket call of the programs goes through here, so one place can later record
 * them (issue 9's --events). Errors fill err as "bind 127.0.0.1:9999: Address already in
 * use" and keep errno; nothing here prints or exits.
 */

struct hello_netev;
/*
 * Records every socket call from now on into ev (--events; NULL = off). Set once by
 * main() before threads or children start; the recorder belongs to the caller.
 */
void hello_net_set_events(struct hello_netev *ev);

/*
 * --events: opens path (appending) and records every socket call from now on; path NULL
 * does nothing. 0, or -1 with err. The recorder lives until the process exits, since
 * worker threads may record until the very end.
 */
int hello_net_events_start(const char *path, const char *prog, const char *role, char *err, size_t errlen);

/* A listening TCP socket bound to a (SO_REUSEADDR unless reuse is 0). */
int hello_net_listen(const struct hello_addr *a, int backlog, int reuse, char *err, size_t errlen);
/* Accepts one connection; -1 with errno kept (EAGAIN, EINTR, ECONNABORTED, EMFILE are the caller's to judge). */
int hello_net_accept(int lfd, struct hello_addr *peer, char *err, size_t errlen);
/* A TCP socket of the address's family, then connect within timeout_ms (0 = the kernel's own). */
int hello_net_tcp_socket(int family, char *err, size_t errlen);
int hello_net_connect(int fd, const struct hello_addr *a, int timeout_ms, char *err, size_t errlen);
/* A UDP socket; bound to a when a is not NULL. */
int hello_net_udp_socket(int family, const struct hello_addr *a, char *err, size_t errlen);
/* connect(2) on a UDP socket: fixes the peer, so ICMP errors come back as ECONNREFUSED. */
int hello_net_udp_connect(int fd, const struct hello_addr *a, char *err, size_t errlen);

int hello_net_local(int fd, struct hello_addr *a);
/* The pending socket error (SO_ERROR), 0 when none. */
int hello_net_sock_error(int fd);
int hello_net_set_nonblock(int fd, int on, char *err, size_t errlen);
int hello_net_set_nodelay(int fd, char *err, size_t errlen);
/* SO_LINGER {on, 0}: close(2) then sends RST and leaves no TIME_WAIT. */
int hello_net_set_linger0(int fd, char *err, size_t errlen);

/*
 * Waits for events (POLLIN/POLLOUT) on fd: returns the revents (> 0), 0 on timeout
 * (timeout_ms < 0 waits forever), -1 with errno EINTR when a stop was requested.
 */
int hello_net_wait(int fd, short events, int timeout_ms);
/* hello_net_wait for a datagram from peer; one that times out is a "poll" record (--events),
 * result 0: the program's timeout, on the timeline beside the packets. */
int hello_net_wait_from(int fd, const struct hello_addr *peer, int timeout_ms);

/* One send(2) without SIGPIPE, retried on EINTR: bytes sent, or -1 (errno EAGAIN on a full non-blocking socket). */
ssize_t hello_net_send(int fd, const void *p, size_t len, const char *peer, char *err, size_t errlen);
/* Sends all of p, waiting for room at most timeout_ms per wait (< 0 forever); 0 or -1. */
int hello_net_write_all(int fd, const void *p, size_t len, int timeout_ms, const char *peer, char *err, size_t errlen);
/* One recv(2), retried on EINTR: bytes, 0 at end of stream, -1. */
ssize_t hello_net_recv(int fd, void *buf, size_t cap, const char *peer, char *err, size_t errlen);
/* recv within timeout_ms (< 0 forever): -1 with errno ETIMEDOUT and "recv PEER: timed out after N ms". */
ssize_t hello_net_recv_timeout(int fd, void *buf, size_t cap, int timeout_ms, const char *peer, char *err, size_t errlen);

ssize_t hello_net_sendto(int fd, const void *p, size_t len, const struct hello_addr *to, char *err, size_t errlen);
/* One datagram; *truncated is set when it was longer than cap (Linux reports the real length).
 * peer (may be NULL) names the expected sender in errors: "recv 127.0.0.1:9999: Connection refused". */
ssize_t hello_net_recvfrom(int fd, void *buf, size_t cap, struct hello_addr *from, int *truncated,
			   const char *peer, char *err, size_t errlen);
/* The same without blocking (MSG_DONTWAIT): -1 with errno EAGAIN, err untouched and no --events
 * record, when no datagram is queued, so a server drains its queue after one poll. */
ssize_t hello_net_recvfrom_nowait(int fd, void *buf, size_t cap, struct hello_addr *from, int *truncated,
				  const char *peer, char *err, size_t errlen);

void hello_net_close(int fd);
/* Whether socket calls are being recorded (--events). */
int hello_net_events_on(void);

#endif
