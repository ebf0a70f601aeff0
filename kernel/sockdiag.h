/* kernel/sockdiag.h: TCP socket states polled with sock_diag (NETLINK_INET_DIAG), per network namespace. */
#ifndef KERNEL_SOCKDIAG_H
#define KERNEL_SOCKDIAG_H

#include <stddef.h>
#include <stdint.h>

#include "trace/kernel_event.h"
#include "kernel/tracepoint.h"	/* trace_kevent_fn */

#define KERNEL_SOCKDIAG_MAX_NS 8
#define KERNEL_SOCKDIAG_MAX_PORTS 16
#define KERNEL_SOCKDIAG_MAX_SOCKS 4096	/* per namespace; beyond it sockets are not tracked */

/* One socket of a dump, as the kernel described it (its own point of view). */
struct kernel_sockdiag_sock {
	int family;			/* AF_INET or AF_INET6 */
	unsigned kstate;		/* the kernel's TCP_* number (time-wait sockets: sub-state) */
	unsigned timer;			/* idiag_timer: 3 = time-wait timer */
	uint32_t expires_ms;		/* idiag_expires */
	uint16_t sport, dport;		/* host byte order */
	uint8_t saddr[16], daddr[16];	/* IPv4 in the first 4 bytes */
	int shutdown;			/* INET_DIAG_SHUTDOWN when sent, else -1 */
};

struct kernel_sockdiag_entry {
	struct kernel_sockdiag_sock s;
	int seen;			/* present in the current poll */
	int changed;			/* new or changed in it: to be reported */
};

struct kernel_sockdiag_ns {
	int fd;				/* NETLINK_SOCK_DIAG socket created inside the namespace */
	char name[128];			/* as given to --netns; "" for our own namespace */
	struct kernel_sockdiag_entry *tab;
	size_t n, cap;
};

struct kernel_sockdiag {
	struct kernel_sockdiag_ns ns[KERNEL_SOCKDIAG_MAX_NS];
	size_t nns;
	uint16_t ports[KERNEL_SOCKDIAG_MAX_PORTS];
	size_t nports;			/* 0: every TCP socket */
	uint32_t seq;
	uint64_t polls, untracked, malformed;
};

/* Opens one netlink socket per namespace: for each NAME (/var/run/netns/NAME) or PATH
 * (anything holding a '/'), enters it, creates the socket there (it stays bound to
 * that namespace) and comes back. No namespace given: ours. Errors name the namespace:
 * "netns lab1: open /var/run/netns/lab1: No such file or directory". */
int kernel_sockdiag_open(struct kernel_sockdiag *sd, const char *const *netns, size_t nnetns,
			const uint16_t *ports, size_t nports, char *err, size_t errlen);

/* The time, in wall-clock microseconds, to stamp a poll's observations with. */
typedef int64_t (*kernel_sockdiag_clock)(void);

/* Dumps TCP sockets (IPv4 and IPv6) of every namespace and calls fn for each socket that
 * appeared or changed state since the last poll (a TIME_WAIT one with its remaining
 * timer) and, as CLOSED, for each that went away. Each is stamped with clock() read
 * once the namespace's dump is over (NULL: CLOCK_REALTIME), so no observation is dated
 * before the kernel showed it. Returns the number of events, or -1 with err. */
int kernel_sockdiag_poll(struct kernel_sockdiag *sd, kernel_sockdiag_clock clock, trace_kevent_fn fn,
			void *arg, char *err, size_t errlen);

/* Closes the sockets and frees the tables; safe after a failed open and twice. */
void kernel_sockdiag_close(struct kernel_sockdiag *sd);

typedef int (*kernel_sockdiag_fn)(void *arg, const struct kernel_sockdiag_sock *s);

/* Parses one datagram of a SOCK_DIAG_BY_FAMILY dump reply (seq: our request's),
 * calling fn for each socket. Every nlmsg length and attribute is bounds-checked.
 * Returns 1 at NLMSG_DONE, 0 when more datagrams follow, -1 with err for an error
 * reply ("sock_diag: Operation not permitted") or a malformed message. */
int kernel_sockdiag_parse(const uint8_t *buf, size_t len, uint32_t seq, kernel_sockdiag_fn fn,
			 void *arg, char *err, size_t errlen);

/* The kernel's TCP_* number -> enum trace_state; TRACE_ST_NONE when unknown. */
enum trace_state kernel_sockdiag_state(unsigned kstate);

#endif
