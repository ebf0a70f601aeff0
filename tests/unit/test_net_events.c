/* tests/unit/test_net_events.c: the socket-call recorder: line format, errno names, stream offsets, whole lines. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <pthread.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <cmocka.h>
#include <jansson.h>

#include "core/addr.h"
#include "net/net.h"
#include "net/netev.h"

#define MAX_LINES 512

/* A recorder writing into an unlinked temporary file, and the lines read back. */
struct fx {
	int fd;
	struct hello_netev *ev;
	json_t *line[MAX_LINES];
	size_t n;
};

static void fx_open(struct fx *f)
{
	char path[] = "/tmp/test_net_events.XXXXXX";

	memset(f, 0, sizeof(*f));
	f->fd = mkstemp(path);
	assert_true(f->fd >= 0);
	unlink(path);
	f->ev = hello_netev_fdopen(f->fd, "hello-test", "client");
	assert_non_null(f->ev);
}

/* Reads every line back; each must be one whole JSON object. */
static void fx_read(struct fx *f)
{
	static char buf[1 << 20];
	json_error_t je;
	char *p, *nl;
	ssize_t n;

	n = pread(f->fd, buf, sizeof(buf) - 1, 0);
	assert_true(n >= 0);
	buf[n] = '\0';
	assert_true(n == 0 || buf[n - 1] == '\n');
	for (p = buf; *p && f->n < MAX_LINES; p = nl + 1) {
		nl = strchr(p, '\n');
		assert_non_null(nl);
		*nl = '\0';
		f->line[f->n] = json_loads(p, 0, &je);
		if (!f->line[f->n])
			fail_msg("line %zu is not JSON (%s): %s", f->n, je.text, p);
		assert_true(json_is_object(f->line[f->n]));
		f->n++;
	}
}

static void fx_close(struct fx *f)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		json_decref(f->line[i]);
	hello_netev_free(f->ev);
	close(f->fd);
}

static const char *str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static json_int_t num(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	if (!json_is_integer(v))
		fail_msg("no integer '%s'", k);
	return json_integer_value(v);
}

static void rec(struct fx *f, enum hello_netev_call c, int fd, long long result, int err)
{
	struct hello_netev_rec r = { .call = c, .fd = fd, .before_us = 100, .after_us = 150, .result = result,
				     .err = err, .size = 1024 };

	hello_netev_record(f->ev, &r);
}

static void test_errno_names(void **state)
{
	char buf[32];
	(void)state;
	assert_string_equal(hello_netev_errno_name(ECONNREFUSED, buf, sizeof(buf)), "ECONNREFUSED");
	assert_string_equal(hello_netev_errno_name(EADDRINUSE, buf, sizeof(buf)), "EADDRINUSE");
	assert_string_equal(hello_netev_errno_name(ECONNRESET, buf, sizeof(buf)), "ECONNRESET");
	assert_string_equal(hello_netev_errno_name(EPIPE, buf, sizeof(buf)), "EPIPE");
	assert_string_equal(hello_netev_errno_name(ETIMEDOUT, buf, sizeof(buf)), "ETIMEDOUT");
	assert_string_equal(hello_netev_errno_name(EAGAIN, buf, sizeof(buf)), "EAGAIN");
	/* Outside the table: the number, never a locale-dependent text. */
	assert_string_equal(hello_netev_errno_name(9999, buf, sizeof(buf)), "E9999");
	assert_string_equal(hello_netev_call_name(HELLO_NETEV_RECVFROM), "recvfrom");
	assert_string_equal(hello_netev_call_name(HELLO_NETEV_SHUTDOWN), "shutdown");
	assert_string_equal(hello_netev_call_name((enum hello_netev_call)99), "?");
}

/* One line's fields, and errno kept across the recorder. */
static void test_line_format(void **state)
{
	struct fx f;
	struct hello_addr a;
	char e[128];
	struct hello_netev_rec r;
	int sv[2];
	json_t *o;
	(void)state;
	fx_open(&f);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(hello_addr_resolve("127.0.0.1", 9999, AF_UNSPEC, &a, e, sizeof(e)), 0);
	r = (struct hello_netev_rec){ .call = HELLO_NETEV_CONNECT, .fd = sv[0], .before_us = 1795597200000000,
				      .after_us = 1795597200000123, .result = -1, .err = ECONNREFUSED, .addr = &a };
	errno = EINTR;
	hello_netev_record(f.ev, &r);
	assert_int_equal(errno, EINTR);
	r = (struct hello_netev_rec){ .call = HELLO_NETEV_SETSOCKOPT, .fd = sv[0], .result = 0, .option = "SO_LINGER" };
	hello_netev_record(f.ev, &r);
	fx_read(&f);
	assert_int_equal(f.n, 2);
	o = f.line[0];
	assert_string_equal(str(o, "call"), "connect");
	assert_int_equal(num(o, "before_us"), 1795597200000000);
	assert_int_equal(num(o, "after_us"), 1795597200000123);
	assert_string_equal(str(o, "prog"), "hello-test");
	assert_string_equal(str(o, "role"), "client");
	assert_int_equal(num(o, "pid"), getpid());
	assert_int_equal(num(o, "fd"), sv[0]);
	assert_string_equal(str(o, "proto"), "tcp");
	assert_string_equal(str(json_object_get(o, "peer"), "addr"), "127.0.0.1");
	assert_int_equal(num(json_object_get(o, "peer"), "port"), 9999);
	assert_int_equal(num(o, "result"), -1);
	assert_string_equal(str(o, "errno"), "ECONNREFUSED");
	assert_null(json_object_get(o, "bytes"));
	o = f.line[1];
	assert_string_equal(str(o, "option"), "SO_LINGER");
	assert_int_equal(num(o, "value"), 0);
	assert_null(json_object_get(o, "errno"));
	fx_close(&f);
	close(sv[0]);
	close(sv[1]);
}

/* Per socket, per direction: the offset is where the call's first byte sits in the stream. */
static void test_stream_offsets(void **state)
{
	struct fx f;
	struct hello_netev_sock snap;
	int sv[2], fd;
	(void)state;
	fx_open(&f);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	fd = sv[0];
	rec(&f, HELLO_NETEV_SEND, fd, 7, 0);
	rec(&f, HELLO_NETEV_SEND, fd, 5, 0);
	rec(&f, HELLO_NETEV_RECV, fd, 6, 0);
	rec(&f, HELLO_NETEV_SEND, fd, -1, EAGAIN);      /* moves nothing */
	rec(&f, HELLO_NETEV_SEND, fd, 4, 0);
	rec(&f, HELLO_NETEV_RECV, fd, 15, 0);
	rec(&f, HELLO_NETEV_RECV, fd, 0, 0);            /* end of stream: where the FIN sits */
	rec(&f, HELLO_NETEV_RECV, sv[1], 3, 0);         /* another socket counts on its own */
	hello_netev_forget(f.ev, fd, &snap);
	assert_int_equal(snap.sent, 16);
	assert_int_equal(snap.type, SOCK_STREAM);
	/* The number comes back for a new socket: it starts at offset 0 again. */
	rec(&f, HELLO_NETEV_SEND, fd, 2, 0);
	fx_read(&f);
	assert_int_equal(f.n, 9);
	assert_int_equal(num(f.line[0], "offset"), 0);
	assert_int_equal(num(f.line[0], "bytes"), 7);
	assert_int_equal(num(f.line[0], "size"), 1024);
	assert_int_equal(num(f.line[1], "offset"), 7);
	assert_int_equal(num(f.line[2], "offset"), 0);
	assert_null(json_object_get(f.line[3], "offset"));
	assert_string_equal(str(f.line[3], "errno"), "EAGAIN");
	assert_int_equal(num(f.line[4], "offset"), 12);
	assert_int_equal(num(f.line[5], "offset"), 6);
	assert_int_equal(num(f.line[6], "offset"), 21);
	assert_int_equal(num(f.line[6], "bytes"), 0);
	assert_int_equal(num(f.line[7], "offset"), 0);
	assert_int_equal(num(f.line[8], "offset"), 0);
	fx_close(&f);
	close(sv[0]);
	close(sv[1]);
}

static void test_datagram_numbers(void **state)
{
	struct fx f;
	struct hello_addr a;
	char e[128];
	struct hello_netev_rec r = { .call = HELLO_NETEV_SENDTO, .result = 3, .addr = &a };
	int sv[2];
	(void)state;
	fx_open(&f);
	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), 0);
	assert_int_equal(hello_addr_resolve("::1", 9999, AF_UNSPEC, &a, e, sizeof(e)), 0);
	r.fd = sv[0];
	hello_netev_record(f.ev, &r);
	hello_netev_record(f.ev, &r);
	r.call = HELLO_NETEV_RECVFROM;
	r.result = 70000;
	r.truncated = 1;
	hello_netev_record(f.ev, &r);
	fx_read(&f);
	assert_int_equal(f.n, 3);
	assert_string_equal(str(f.line[0], "proto"), "udp");
	assert_int_equal(num(f.line[0], "datagram"), 0);
	assert_int_equal(num(f.line[1], "datagram"), 1);
	assert_null(json_object_get(f.line[1], "offset"));
	assert_string_equal(str(json_object_get(f.line[1], "peer"), "addr"), "::1");
	assert_int_equal(num(f.line[2], "datagram"), 0);
	assert_true(json_is_true(json_object_get(f.line[2], "truncated")));
	fx_close(&f);
	close(sv[0]);
	close(sv[1]);
}

/* The hooks in net.c, over loopback: calls in order, sane times, addresses, a refused connect. */
static void test_net_hooks(void **state)
{
	struct fx f;
	struct hello_addr a, peer;
	char e[256], buf[16];
	int lfd, cfd, sfd, i;
	uint16_t port;
	(void)state;
	fx_open(&f);
	hello_net_set_events(f.ev);
	assert_int_equal(hello_addr_resolve("127.0.0.1", 0, AF_UNSPEC, &a, e, sizeof(e)), 0);
	lfd = hello_net_listen(&a, 5, 1, e, sizeof(e));
	assert_true(lfd >= 0);
	assert_int_equal(hello_net_local(lfd, &a), 0);
	port = hello_addr_port(&a);
	cfd = hello_net_tcp_socket(AF_INET, e, sizeof(e));
	assert_int_equal(hello_net_connect(cfd, &a, 2000, e, sizeof(e)), 0);
	sfd = hello_net_accept(lfd, &peer, e, sizeof(e));
	assert_true(sfd >= 0);
	assert_int_equal(hello_net_send(cfd, "Michael", 7, "x", e, sizeof(e)), 7);
	assert_int_equal(hello_net_recv(sfd, buf, sizeof(buf), "x", e, sizeof(e)), 7);
	hello_net_close(cfd);
	hello_net_close(sfd);
	hello_net_close(lfd);
	/* The port is closed now: connect is refused and the record names the errno. */
	cfd = hello_net_tcp_socket(AF_INET, e, sizeof(e));
	assert_int_equal(hello_net_connect(cfd, &a, 2000, e, sizeof(e)), -1);
	assert_int_equal(errno, ECONNREFUSED);
	hello_net_close(cfd);
	hello_net_set_events(NULL);
	/* Off: nothing more is written. */
	cfd = hello_net_tcp_socket(AF_INET, e, sizeof(e));
	hello_net_close(cfd);
	fx_read(&f);
	{
		static const char *const want[] = { "socket", "setsockopt", "bind", "listen", "socket", "connect", "accept",
						    "send", "recv", "close", "close", "close", "socket", "connect", "close" };
		assert_int_equal(f.n, sizeof(want) / sizeof(want[0]));
		for (i = 0; i < (int)f.n; i++) {
			assert_string_equal(str(f.line[i], "call"), want[i]);
			assert_true(num(f.line[i], "before_us") <= num(f.line[i], "after_us"));
			if (i > 0)
				assert_true(num(f.line[i - 1], "after_us") <= num(f.line[i], "before_us"));
		}
	}
	assert_int_equal(num(json_object_get(f.line[5], "peer"), "port"), port);
	assert_int_equal(num(json_object_get(f.line[6], "local"), "port"), port);
	/* The client's port, seen from both ends. */
	assert_int_equal(num(json_object_get(f.line[5], "local"), "port"), num(json_object_get(f.line[6], "peer"), "port"));
	assert_int_equal(num(f.line[7], "offset"), 0);
	assert_int_equal(num(f.line[8], "bytes"), 7);
	assert_int_equal(num(json_object_get(f.line[9], "peer"), "port"), port);  /* close keeps its addresses */
	assert_string_equal(str(f.line[13], "errno"), "ECONNREFUSED");
	assert_true(json_object_get(f.line[13], "local") != NULL);          /* the refused SYN's port */
	fx_close(&f);
}

struct thr_arg {
	struct hello_netev *ev;
	int fd;
};

static void *thr_main(void *p)
{
	struct thr_arg *t = p;
	struct hello_netev_rec r = { .call = HELLO_NETEV_SEND, .fd = t->fd, .result = 100 };
	int i;

	for (i = 0; i < 100; i++)
		hello_netev_record(t->ev, &r);
	return NULL;
}

/* Threads and a forked child write into one file: every line whole, none lost. */
static void test_whole_lines(void **state)
{
	struct fx f;
	struct thr_arg ta[4];
	pthread_t th[4];
	int sv[2], i, st;
	pid_t pid;
	size_t offsets_ok = 0;
	json_int_t off;
	char seen[400] = { 0 };
	(void)state;
	fx_open(&f);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct thr_arg c = { .ev = f.ev, .fd = sv[1] };
		thr_main(&c);
		_exit(0);
	}
	for (i = 0; i < 4; i++) {
		ta[i] = (struct thr_arg){ .ev = f.ev, .fd = sv[0] };
		assert_int_equal(pthread_create(&th[i], NULL, thr_main, &ta[i]), 0);
	}
	for (i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	fx_read(&f);
	assert_int_equal(f.n, 500);
	/* The threads share one socket: its 400 sends take 400 distinct offsets. */
	for (i = 0; i < (int)f.n; i++) {
		if (num(f.line[i], "pid") != getpid())
			continue;
		off = num(f.line[i], "offset");
		if (off % 100 == 0 && off < 40000 && !seen[off / 100]) {
			seen[off / 100] = 1;
			offsets_ok++;
		}
	}
	assert_int_equal(offsets_ok, 400);
	fx_close(&f);
	close(sv[0]);
	close(sv[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_errno_names),
		cmocka_unit_test(test_line_format),
		cmocka_unit_test(test_stream_offsets),
		cmocka_unit_test(test_datagram_numbers),
		cmocka_unit_test(test_net_hooks),
		cmocka_unit_test(test_whole_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
