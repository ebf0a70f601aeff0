/* tests/unit/test_kernel_live.c: sock_diag polls against real loopback sockets (own port, no traffic elsewhere), and --netns. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kernel/sockdiag.h"

struct seen {
	struct trace_kevent ev[32];
	size_t n;
};

static int seen_add(void *arg, const struct trace_kevent *ev)
{
	struct seen *s = arg;

	if (s->n < 32)
		s->ev[s->n++] = *ev;
	return 0;
}

static const struct trace_kevent *seen_find(const struct seen *s, uint16_t sport, enum trace_state st)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->ev[i].sport == sport && s->ev[i].newstate == st)
			return &s->ev[i];
	return NULL;
}

/* The stamp clock: counts its reads and notes how many events had been reported then. */
static struct seen *clock_seen;
static size_t clock_seen_n;
static int64_t clock_reads;

static int64_t test_clock(void)
{
	clock_seen_n = clock_seen ? clock_seen->n : 0;
	return 1000000 + ++clock_reads;
}

/* Polls (at most 1 s) until an event for sport reaching st came, collecting all. */
static const struct trace_kevent *poll_until(struct kernel_sockdiag *sd, struct seen *s,
					     uint16_t sport, enum trace_state st)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	const struct trace_kevent *ev;
	char err[200];
	int i;

	for (i = 0; i < 100; i++) {
		assert_true(kernel_sockdiag_poll(sd, test_clock, seen_add, s, err, sizeof err) >= 0);
		if ((ev = seen_find(s, sport, st)) != NULL)
			return ev;
		nanosleep(&ts, NULL);
	}
	return NULL;
}

static int listener(int family, uint16_t *port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd;

	memset(&ss, 0, sizeof ss);
	if (family == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;

		a->sin_family = AF_INET;
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof *a;
	} else {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

		a->sin6_family = AF_INET6;
		a->sin6_addr = in6addr_loopback;
		len = sizeof *a;
	}
	fd = socket(family, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 5) < 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &len) < 0) {
		close(fd);
		return -1;
	}
	*port = ntohs(family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
					: ((struct sockaddr_in6 *)&ss)->sin6_port);
	return fd;
}

static int connect_to(int family, int lfd, uint16_t *cport)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	int fd;

	if (getsockname(lfd, (struct sockaddr *)&ss, &len) < 0)
		return -1;
	fd = socket(family, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&ss, len) < 0)
		return -1;
	len = sizeof ss;
	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return -1;
	*cport = ntohs(family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
					 : ((struct sockaddr_in6 *)&ss)->sin6_port);
	return fd;
}

/* The hello service's teardown: the server closes first and holds TIME_WAIT. */
static void test_teardown_v4(void **state)
{
	struct kernel_sockdiag sd;
	struct seen s = { .n = 0 };
	const struct trace_kevent *ev;
	uint16_t port, cport;
	char err[200];
	int lfd, cfd, afd;

	(void)state;
	lfd = listener(AF_INET, &port);
	assert_true(lfd >= 0);
	assert_int_equal(kernel_sockdiag_open(&sd, NULL, 0, &port, 1, err, sizeof err), 0);
	assert_non_null(poll_until(&sd, &s, port, TRACE_ST_LISTEN));

	cfd = connect_to(AF_INET, lfd, &cport);
	assert_true(cfd >= 0);
	afd = accept(lfd, NULL, NULL);
	assert_true(afd >= 0);
	assert_non_null(poll_until(&sd, &s, cport, TRACE_ST_ESTABLISHED));
	ev = poll_until(&sd, &s, port, TRACE_ST_ESTABLISHED);
	assert_non_null(ev);
	assert_int_equal(ev->family, AF_INET);
	assert_int_equal(ev->dport, cport);

	close(afd);
	assert_non_null(poll_until(&sd, &s, cport, TRACE_ST_CLOSE_WAIT));
	close(cfd);
	ev = poll_until(&sd, &s, port, TRACE_ST_TIME_WAIT);
	assert_non_null(ev);
	assert_int_equal(ev->via, TRACE_VIA_SOCK_DIAG);
	assert_int_equal(ev->oldstate, TRACE_ST_NONE);
	assert_int_equal(ev->dport, cport);
	assert_true(ev->timer_ms > 50000 && ev->timer_ms <= 60000);
	/* The client's socket is gone once its LAST_ACK was answered. */
	ev = poll_until(&sd, &s, cport, TRACE_ST_CLOSED);
	assert_non_null(ev);
	assert_int_equal(ev->timer_ms, -1);

	/* Nothing changes: no event. The listener going away is no connection's event. */
	s.n = 0;
	assert_int_equal(kernel_sockdiag_poll(&sd, test_clock, seen_add, &s, err, sizeof err), 0);
	close(lfd);
	assert_int_equal(kernel_sockdiag_poll(&sd, test_clock, seen_add, &s, err, sizeof err), 0);
	assert_int_equal(s.n, 0);
	kernel_sockdiag_close(&sd);
	kernel_sockdiag_close(&sd);
}

/* A poll's observations carry the time read once the dump was over: the clock is read
 * after the kernel answered and before any of them is reported, and stamps them all. */
static void test_stamp_after_dump(void **state)
{
	struct kernel_sockdiag sd;
	struct seen s = { .n = 0 };
	uint16_t port, cport;
	char err[200];
	int lfd, cfd, afd, n;
	size_t i;

	(void)state;
	lfd = listener(AF_INET, &port);
	assert_true(lfd >= 0);
	cfd = connect_to(AF_INET, lfd, &cport);
	assert_true(cfd >= 0);
	afd = accept(lfd, NULL, NULL);
	assert_true(afd >= 0);
	assert_int_equal(kernel_sockdiag_open(&sd, NULL, 0, &port, 1, err, sizeof err), 0);
	clock_seen = &s;
	clock_seen_n = 99;
	int64_t before = clock_reads;
	n = kernel_sockdiag_poll(&sd, test_clock, seen_add, &s, err, sizeof err);
	clock_seen = NULL;
	assert_int_equal(n, 3);		/* the listener and both ends of the connection */
	assert_int_equal(clock_reads, before + 1);
	assert_int_equal(clock_seen_n, 0);
	for (i = 0; i < s.n; i++)
		assert_int_equal(s.ev[i].ts_us, 1000000 + clock_reads);
	close(afd);
	close(cfd);
	close(lfd);
	kernel_sockdiag_close(&sd);
}

static void test_teardown_v6(void **state)
{
	struct kernel_sockdiag sd;
	struct seen s = { .n = 0 };
	const struct trace_kevent *ev;
	uint16_t port, cport;
	char err[200];
	int lfd, cfd, afd;

	(void)state;
	lfd = listener(AF_INET6, &port);
	if (lfd < 0) {
		print_message("no IPv6 loopback here\n");
		skip();
	}
	assert_int_equal(kernel_sockdiag_open(&sd, NULL, 0, &port, 1, err, sizeof err), 0);
	cfd = connect_to(AF_INET6, lfd, &cport);
	assert_true(cfd >= 0);
	afd = accept(lfd, NULL, NULL);
	assert_true(afd >= 0);
	ev = poll_until(&sd, &s, cport, TRACE_ST_ESTABLISHED);
	assert_non_null(ev);
	assert_int_equal(ev->family, AF_INET6);
	assert_int_equal(ev->saddr[15], 1);
	assert_int_equal(ev->dport, port);
	close(cfd);	/* the client closes first this time: it holds TIME_WAIT */
	close(afd);
	ev = poll_until(&sd, &s, cport, TRACE_ST_TIME_WAIT);
	assert_non_null(ev);
	assert_true(ev->timer_ms > 0);
	close(lfd);
	kernel_sockdiag_close(&sd);
}

/* --netns PATH: the socket is made inside the namespace and sees only its sockets. */
static void test_netns_path(void **state)
{
	struct kernel_sockdiag sd;
	struct seen s = { .n = 0 };
	const char *ns[1];
	char path[64], err[200], c;
	uint16_t port;
	int p[2], lfd, i;
	pid_t pid;

	(void)state;
	if (geteuid() != 0) {
		print_message("--netns needs root (setns)\n");
		skip();
	}
	lfd = listener(AF_INET, &port);
	assert_true(lfd >= 0);
	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* A namespace of its own with a listener on the same port number. */
		struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
		int fd;

		close(p[0]);
		if (unshare(CLONE_NEWNET) < 0)
			_exit(2);
		fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(fd, 1) < 0)
			_exit(3);
		if (write(p[1], "r", 1) != 1)
			_exit(4);
		pause();
		_exit(0);
	}
	close(p[1]);
	assert_int_equal(read(p[0], &c, 1), 1);
	snprintf(path, sizeof path, "/proc/%ld/ns/net", (long)pid);
	ns[0] = path;
	i = kernel_sockdiag_open(&sd, ns, 1, &port, 1, err, sizeof err);
	if (i == 0)
		i = kernel_sockdiag_poll(&sd, test_clock, seen_add, &s, err, sizeof err);
	/* The child goes before any assertion can leave it waiting forever. */
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(p[0]);
	close(lfd);
	assert_int_equal(i, 1);
	assert_string_equal(sd.ns[0].name, path);
	/* Only the namespace's own listener (0.0.0.0), never ours (127.0.0.1). */
	assert_int_equal(s.ev[0].newstate, TRACE_ST_LISTEN);
	assert_int_equal(s.ev[0].sport, port);
	assert_int_equal(s.ev[0].saddr[0], 0);
	kernel_sockdiag_close(&sd);

	/* Errors name the namespace and the path. */
	ns[0] = "/nonexistent/ns";
	assert_int_equal(kernel_sockdiag_open(&sd, ns, 1, &port, 1, err, sizeof err), -1);
	assert_string_equal(err, "netns /nonexistent/ns: open /nonexistent/ns: No such file or directory");
	ns[0] = "/etc/hostname";
	assert_int_equal(kernel_sockdiag_open(&sd, ns, 1, &port, 1, err, sizeof err), -1);
	assert_non_null(strstr(err, "netns /etc/hostname: setns /etc/hostname: "));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_teardown_v4),
		cmocka_unit_test(test_stamp_after_dump),
		cmocka_unit_test(test_teardown_v6),
		cmocka_unit_test(test_netns_path),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
