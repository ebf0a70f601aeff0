/* tcp/poller.h: readiness of many sockets for the event model: epoll on Linux (poller_epoll.c), poll elsewhere (poller_poll.c). */
#ifndef TCP_POLLER_H
#define TCP_POLLER_H

#include <poll.h>
#include <stddef.h>

/* Reports at most this many sockets per wait. */
#define TCP_POLL_MAX 128

#ifdef __linux__
#define TCP_POLLER_NAME "epoll"
#define TCP_POLLER_WAIT "epoll_wait"
#else
#define TCP_POLLER_NAME "poll"
#define TCP_POLLER_WAIT "poll"
#endif

/* A readiness report: ptr is what the socket was registered with (NULL for the listener). */
struct tcp_poll_ready {
	void *ptr;
	short revents;		/* POLLIN, POLLOUT, POLLERR, POLLHUP bits, whichever backend */
};

/* epoll keeps the interest list in the kernel (epfd); poll rebuilds it every round (pfds). */
struct tcp_poller {
	int epfd;
	struct pollfd *pfds;
	void **ptrs;
	size_t n, cap;
};

int tcp_poller_init(struct tcp_poller *p, char *err, size_t errlen);
void tcp_poller_free(struct tcp_poller *p);
/* add: 1 = a new socket, 0 = a change of events, -1 = removal. 0, or -1 with errno. */
int tcp_poller_set(struct tcp_poller *p, int fd, short events, void *ptr, int add);
/* Waits up to timeout ms; returns how many reports were written to out, or -1 with errno. */
int tcp_poller_wait(struct tcp_poller *p, struct tcp_poll_ready *out, int max, int timeout);

#endif
