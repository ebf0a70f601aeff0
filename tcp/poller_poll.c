/* tcp/poller_poll.c: tcp/poller.h where epoll does not exist, with poll(2) and an interest list of our own. */
#ifndef __linux__
#include "tcp/poller.h"

#include <stdlib.h>
#include <string.h>

int tcp_poller_init(struct tcp_poller *p, char *err, size_t errlen)
{
	(void)err, (void)errlen;
	memset(p, 0, sizeof(*p));
	p->epfd = -1;
	return 0;
}

void tcp_poller_free(struct tcp_poller *p)
{
	free(p->pfds);
	free(p->ptrs);
}

static int poller_grow(struct tcp_poller *p)
{
	size_t nc = p->cap ? p->cap * 2 : 64;
	struct pollfd *np = realloc(p->pfds, nc * sizeof(*np));
	void **pp;

	if (!np)
		return -1;
	p->pfds = np;
	pp = realloc(p->ptrs, nc * sizeof(*pp));
	if (!pp)
		return -1;
	p->ptrs = pp;
	p->cap = nc;
	return 0;
}

int tcp_poller_set(struct tcp_poller *p, int fd, short events, void *ptr, int add)
{
	size_t i;

	for (i = 0; i < p->n && p->pfds[i].fd != fd; i++)
		;
	if (add < 0) {
		if (i < p->n) {
			p->pfds[i] = p->pfds[--p->n];
			p->ptrs[i] = p->ptrs[p->n];
		}
		return 0;
	}
	if (i == p->n) {
		if (p->n == p->cap && poller_grow(p) < 0)
			return -1;
		p->n++;
	}
	p->pfds[i].fd = fd;
	p->pfds[i].events = events;
	p->ptrs[i] = ptr;
	return 0;
}

int tcp_poller_wait(struct tcp_poller *p, struct tcp_poll_ready *out, int max, int timeout)
{
	int n = poll(p->pfds, (nfds_t)p->n, timeout), k = 0;
	size_t i;

	for (i = 0; n > 0 && i < p->n && k < max; i++) {
		if (p->pfds[i].revents) {
			out[k].ptr = p->ptrs[i];
			out[k++].revents = p->pfds[i].revents;
		}
	}
	return n < 0 ? -1 : k;
}
#else
typedef int tcp_poller_poll_unused;	/* ISO C: a translation unit is never empty */
#endif
