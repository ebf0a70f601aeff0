/* bench/hello-bench-epoll.c: the physical-limit baseline: a minimal epoll hello server (raw framing, one thread). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/opt.h"
#include "core/proto.h"
#include "core/sig.h"
#include "net/net.h"

#define PROG "hello-bench-epoll"

#ifdef __linux__
#include <sys/epoll.h>

/*
 * No logging, no options beyond the address, no output queue: a reply that does not fit
 * the socket at once closes the connection (ping-pong loads never fill it). This is what
 * the hello protocol costs with nothing else around it: one recv and one send per request.
 */
static const struct hello_usage usage = {
	.prog = PROG,
	.args = "[OPTIONS]",
	.summary = "Benchmark baseline: the hello protocol (raw framing) on one epoll loop, with no logging\n"
		   "and no output queue. The upper bound the hello-tcp-server models are compared with.",
	.common = HELLO_OPT_USE_SERVICE | HELLO_OPT_USE_FRAMING,
};

static void srv_drop(int ep, int fd)
{
	epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
	close(fd);
}

static void srv_accept(int ep, int lfd)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int fd;

	while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		ev.data.fd = fd;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0 ||
		    send(fd, HELLO_GREETING, strlen(HELLO_GREETING), MSG_NOSIGNAL) != (ssize_t)strlen(HELLO_GREETING))
			close(fd);
	}
}

static void srv_read(int ep, int fd)
{
	uint8_t in[HELLO_DEFAULT_MAX_MSG], out[HELLO_DEFAULT_MAX_MSG + HELLO_REPLY_OVERHEAD];
	ssize_t n;
	size_t len;

	n = recv(fd, in, sizeof(in), 0);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0 || hello_proto_is_exit(in, (size_t)n)) {
		srv_drop(ep, fd);
		return;
	}
	len = hello_proto_reply(HELLO_FRAMING_RAW, in, (size_t)n, out, sizeof(out));
	if (send(fd, out, len, MSG_NOSIGNAL) != (ssize_t)len)
		srv_drop(ep, fd);
}

static int srv_run(int lfd, char *err, size_t errlen)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = lfd }, evs[256];
	int ep = epoll_create1(EPOLL_CLOEXEC), n, i;

	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev) < 0) {
		snprintf(err, errlen, "epoll: %s", strerror(errno));
		return -1;
	}
	while (!hello_sig_stop()) {
		n = epoll_wait(ep, evs, 256, 500);
		for (i = 0; i < n; i++) {
			if (evs[i].data.fd == lfd)
				srv_accept(ep, lfd);
			else
				srv_read(ep, evs[i].data.fd);
		}
	}
	close(ep);
	return 0;
}

int main(int argc, char **argv)
{
	struct hello_common c;
	struct hello_addr a;
	char err[512];
	int family, lfd, rc;

	hello_opt_common_init(&c, 1);
	/* Every option is a common one: no handler. */
	if ((rc = hello_opt_main(&usage, argc, argv, &c, NULL, NULL, NULL)) >= 0)
		return rc;
	if (c.framing != HELLO_FRAMING_RAW)
		return hello_opt_usage_error(PROG, "--framing: the baseline speaks raw framing only");
	if (hello_opt_common_finish(&c, &family, err, sizeof(err)) < 0 ||
	    hello_addr_resolve(c.host, c.port, family, &a, err, sizeof(err)) < 0)
		return hello_opt_usage_error(PROG, err);
	if (hello_sig_install() < 0) {
		perror(PROG ": sigaction");
		return HELLO_EXIT_FAIL;
	}
	lfd = hello_net_listen(&a, 1024, 1, err, sizeof(err));
	if (lfd < 0 || hello_net_set_nonblock(lfd, 1, err, sizeof(err)) < 0 || srv_run(lfd, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s\n", PROG, err);
		return HELLO_EXIT_FAIL;
	}
	close(lfd);
	return HELLO_EXIT_OK;
}

#else
int main(void)
{
	fprintf(stderr, "%s: needs Linux (epoll)\n", PROG);
	return HELLO_EXIT_FAIL;
}
#endif
