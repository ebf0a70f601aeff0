/* bench/hello-bench-udp.c: the UDP baseline: a bare blocking recvfrom/sendto hello loop, nothing else. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "core/opt.h"
#include "core/proto.h"
#include "core/sig.h"
#include "net/net.h"

#define PROG "hello-bench-udp"

static const struct hello_usage usage = {
	.prog = PROG,
	.args = "[OPTIONS]",
	.summary = "Benchmark baseline: answers every datagram \"Hello, <message>!\" with one recvfrom and one\n"
		   "sendto, no poll and no logging. The upper bound hello-udp-server is compared with.",
	.common = HELLO_OPT_USE_SERVICE,
};

static void srv_loop(int fd)
{
	static uint8_t in[65536], out[65536 + HELLO_REPLY_OVERHEAD];
	struct sockaddr_storage from;
	socklen_t flen;
	ssize_t n;
	size_t len;

	while (!hello_sig_stop()) {
		flen = sizeof(from);
		/* A 500 ms SO_RCVTIMEO (set by main) wakes the loop to notice a stop. */
		n = recvfrom(fd, in, sizeof(in), 0, (struct sockaddr *)&from, &flen);
		if (n < 0)
			continue;
		len = hello_proto_reply(HELLO_FRAMING_RAW, in, (size_t)n, out, sizeof(out));
		if (len)
			sendto(fd, out, len, 0, (struct sockaddr *)&from, flen);
	}
}

int main(int argc, char **argv)
{
	struct timeval tv = { .tv_sec = 0, .tv_usec = 500000 };
	struct hello_common c;
	struct hello_addr a;
	char err[512];
	int family, fd, rc;

	hello_opt_common_init(&c, 1);
	c.no_framing = 1;
	/* Every option is a common one: no handler. */
	if ((rc = hello_opt_main(&usage, argc, argv, &c, NULL, NULL, NULL)) >= 0)
		return rc;
	if (hello_opt_common_finish(&c, &family, err, sizeof(err)) < 0 ||
	    hello_addr_resolve(c.host, c.port, family, &a, err, sizeof(err)) < 0)
		return hello_opt_usage_error(PROG, err);
	if (hello_sig_install() < 0) {
		perror(PROG ": sigaction");
		return HELLO_EXIT_FAIL;
	}
	fd = hello_net_udp_socket(a.ss.ss_family, &a, err, sizeof(err));
	if (fd < 0) {
		fprintf(stderr, "%s: %s\n", PROG, err);
		return HELLO_EXIT_FAIL;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0) {
		fprintf(stderr, "%s: setsockopt SO_RCVTIMEO: %s\n", PROG, strerror(errno));
		close(fd);
		return HELLO_EXIT_FAIL;
	}
	srv_loop(fd);
	close(fd);
	return HELLO_EXIT_OK;
}
