/* tcp/poller_epoll.c: tcp/poller.h on Linux, with epoll. */
#ifdef __linux__
#include "tcp/poller.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

int tcp_poller_init(struct tcp_poller *p, char *err, size_t errlen)
{
	memset(p, 0, sizeof(*p));
	p->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (p->epfd < 0) {
		snprintf(err, errlen, "epoll_create1: %s", strerror(errno));
		return -1;
	}
	return 0;
}

void tcp_poller_free(struct tcp_poller *p)
{
	close(p->epfd);
}

static uint32_t poller_to_epoll(short events)
{
	return (events & POLLIN ? EPOLLIN : 0) | (events & POLLOUT ? EPOLLOUT : 0);
}

static short poller_from_epoll(uint32_t e)
{
	return (short)((e & EPOLLIN ? POLLIN : 0) | (e & EPOLLOUT ? POLLOUT : 0) |
		       (e & EPOLLERR ? POLLERR : 0) | (e & EPOLLHUP ? POLLHUP : 0));
}

int tcp_poller_set(struct tcp_poller *p, int fd, short events, void *ptr, int add)
{
	struct epoll_event e = { .events = poller_to_epoll(events), .data.ptr = ptr };

	if (add < 0)
		return epoll_ctl(p->epfd, EPOLL_CTL_DEL, fd, &e);
	return epoll_ctl(p->epfd, add ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, &e);
}

int tcp_poller_wait(struct tcp_poller *p, struct tcp_poll_ready *out, int max, int timeout)
{
	struct epoll_event es[TCP_POLL_MAX];
	int n, i;

	n = epoll_wait(p->epfd, es, max < TCP_POLL_MAX ? max : TCP_POLL_MAX, timeout);
	for (i = 0; i < n; i++) {
		out[i].ptr = es[i].data.ptr;
		out[i].revents = poller_from_epoll(es[i].events);
	}
	return n;
}
#else
typedef int tcp_poller_epoll_unused;	/* ISO C: a translation unit is never empty */
#endif
