/* tests/unit/test_kernel.c: tracepoint lines, state names, trace_pipe reading, stale instances, filter ports, the model glue. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kernel/sockdiag.h"
#include "kernel/sources.h"
#include "trace/feed.h"
#include "kernel/tracepoint.h"
#include "trace/model.h"

/* Lines as this machine's kernel prints them (references.md, "Kernel view"). */
static const char line_v4[] =
	"         python3-7349    [000] ..s2.   378.061086: inet_sock_set_state: family=AF_INET "
	"protocol=IPPROTO_TCP sport=45334 dport=19998 saddr=127.0.0.1 daddr=127.0.0.1 "
	"saddrv6=::ffff:127.0.0.1 daddrv6=::ffff:127.0.0.1 oldstate=TCP_ESTABLISHED "
	"newstate=TCP_CLOSE_WAIT";
static const char line_handoff[] =
	"     ksoftirqd/0-14      [000] ..s1.   378.064061: inet_sock_set_state: family=AF_INET "
	"protocol=IPPROTO_TCP sport=19998 dport=45334 saddr=127.0.0.1 daddr=127.0.0.1 "
	"saddrv6=::ffff:127.0.0.1 daddrv6=::ffff:127.0.0.1 oldstate=TCP_FIN_WAIT2 newstate=TCP_CLOSE";
static const char line_v6[] =
	" hello tcp server-99 [001] .....  12.000000001: inet_sock_set_state: family=AF_INET6 "
	"protocol=IPPROTO_TCP sport=9999 dport=40000 saddr=0.0.0.0 daddr=0.0.0.0 "
	"saddrv6=::1 daddrv6=fe80::1 oldstate=TCP_SYN_RECV newstate=TCP_ESTABLISHED";

static int parse(const char *s, struct trace_kevent *ev)
{
	return kernel_tracepoint_line_parse(s, strlen(s), ev);
}

static void test_parse_v4(void **state)
{
	struct trace_kevent ev;
	uint8_t lo[4] = { 127, 0, 0, 1 };

	(void)state;
	assert_int_equal(parse(line_v4, &ev), 0);
	assert_int_equal(ev.ts_us, 378061086);
	assert_int_equal(ev.family, AF_INET);
	assert_int_equal(ev.sport, 45334);
	assert_int_equal(ev.dport, 19998);
	assert_memory_equal(ev.saddr, lo, 4);
	assert_memory_equal(ev.daddr, lo, 4);
	assert_int_equal(ev.oldstate, TRACE_ST_ESTABLISHED);
	assert_int_equal(ev.newstate, TRACE_ST_CLOSE_WAIT);
	assert_int_equal(ev.via, TRACE_VIA_TRACEPOINT);
	assert_int_equal(ev.timer_ms, -1);
	assert_int_equal(ev.handoff, 0);
}

static void test_parse_handoff_and_v6(void **state)
{
	struct trace_kevent ev;
	uint8_t a[16], b[16];

	(void)state;
	assert_int_equal(parse(line_handoff, &ev), 0);
	assert_int_equal(ev.oldstate, TRACE_ST_FIN_WAIT_2);
	assert_int_equal(ev.newstate, TRACE_ST_CLOSED);
	assert_int_equal(ev.handoff, 1);

	/* A task name with spaces, a nanosecond clock, IPv6 from the v6 fields. */
	assert_int_equal(parse(line_v6, &ev), 0);
	assert_int_equal(ev.ts_us, 12000000);
	assert_int_equal(ev.family, AF_INET6);
	inet_pton(AF_INET6, "::1", a);
	inet_pton(AF_INET6, "fe80::1", b);
	assert_memory_equal(ev.saddr, a, 16);
	assert_memory_equal(ev.daddr, b, 16);
	assert_int_equal(ev.oldstate, TRACE_ST_SYN_RECEIVED);
	assert_int_equal(ev.handoff, 0);
}

/* Replaces the first `from` in line_v4 by `to` and parses the result. */
static int parse_edit(const char *from, const char *to)
{
	char buf[2048];
	const char *p = strstr(line_v4, from);
	struct trace_kevent ev;

	assert_non_null(p);
	snprintf(buf, sizeof buf, "%.*s%s%s", (int)(p - line_v4), line_v4, to, p + strlen(from));
	return parse(buf, &ev);
}

static void test_parse_malformed(void **state)
{
	struct trace_kevent ev;
	char big[KERNEL_TRACEPOINT_LINE_MAX + 200];

	(void)state;
	assert_int_equal(parse_edit("sport=45334", "sport=65536"), -1);
	assert_int_equal(parse_edit("sport=45334", "sport=-1"), -1);
	assert_int_equal(parse_edit("sport=45334", "sport="), -1);
	assert_int_equal(parse_edit("sport=45334", "sport=123456"), -1);
	assert_int_equal(parse_edit("sport=45334 ", ""), -1);		/* missing field */
	assert_int_equal(parse_edit("saddr=127.0.0.1", "saddr=127.0.0.300"), -1);
	assert_int_equal(parse_edit("newstate=TCP_CLOSE_WAIT", "newstate=0xd"), -1);
	assert_int_equal(parse_edit("family=AF_INET ", "family=AF_UNIX "), -1);
	assert_int_equal(parse_edit("378.061086", "378"), -1);
	assert_int_equal(parse_edit("378.061086", "3x8.061086"), -1);
	assert_int_equal(parse_edit("378.061086", "378.0610861234"), -1);
	assert_int_equal(parse_edit("378.061086:", "378.061086"), -1);
	assert_int_equal(parse_edit("saddr=127.0.0.1", "saddr"), -1);
	assert_int_equal(parse_edit("daddr=127.0.0.1",
				    "daddr=127.000000000000000000000000000000000000000000000000000.0.1"),
			 -1);
	/* Not ours: another protocol on the same event, another event, the LOST marker. */
	assert_int_equal(parse_edit("IPPROTO_TCP", "IPPROTO_MPTCP"), 1);
	assert_int_equal(parse("  bash-1 [000] ..... 1.000000: sched_switch: prev=a", &ev), 1);
	assert_int_equal(parse("CPU:1 [LOST 12 EVENTS]", &ev), 1);
	assert_int_equal(parse("", &ev), 1);
	/* Unknown extra fields are tolerated (a later kernel may add some). */
	assert_int_equal(parse_edit("oldstate=", "skaddr=0xffff1234 oldstate="), 0);
	/* Overlong lines are refused before any work. */
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	memcpy(big + 100, line_v4, strlen(line_v4));
	assert_int_equal(parse(big, &ev), -1);
}

/* Every prefix of a valid line: never a crash, never a read past len (ASan checks). */
static void test_parse_truncated(void **state)
{
	size_t len = strlen(line_v4), cut;
	const char *ns = strstr(line_v4, "newstate=");
	struct trace_kevent ev;

	(void)state;
	for (cut = 0; cut < len; cut++) {
		char *copy = malloc(cut ? cut : 1);
		int rc;

		assert_non_null(copy);
		memcpy(copy, line_v4, cut);
		rc = kernel_tracepoint_line_parse(copy, cut, &ev);
		/* Only "newstate=TCP_CLOSE" (a prefix of TCP_CLOSE_WAIT) is itself valid. */
		if ((size_t)(ns - line_v4) + strlen("newstate=TCP_CLOSE") == cut)
			assert_int_equal(rc, 0);
		else if (cut >= (size_t)(strstr(line_v4, " inet_sock") - line_v4) + 22)
			assert_int_equal(rc, -1);
		else
			assert_true(rc == 1 || rc == -1);
		free(copy);
	}
}

static void test_state_names(void **state)
{
	static const struct { const char *name; enum trace_state st; } t[] = {
		{ "TCP_ESTABLISHED", TRACE_ST_ESTABLISHED }, { "TCP_SYN_SENT", TRACE_ST_SYN_SENT },
		{ "TCP_SYN_RECV", TRACE_ST_SYN_RECEIVED }, { "TCP_FIN_WAIT1", TRACE_ST_FIN_WAIT_1 },
		{ "TCP_FIN_WAIT2", TRACE_ST_FIN_WAIT_2 }, { "TCP_TIME_WAIT", TRACE_ST_TIME_WAIT },
		{ "TCP_CLOSE", TRACE_ST_CLOSED }, { "TCP_CLOSE_WAIT", TRACE_ST_CLOSE_WAIT },
		{ "TCP_LAST_ACK", TRACE_ST_LAST_ACK }, { "TCP_LISTEN", TRACE_ST_LISTEN },
		{ "TCP_CLOSING", TRACE_ST_CLOSING }, { "TCP_NEW_SYN_RECV", TRACE_ST_SYN_RECEIVED },
		{ "TCP_BOUND_INACTIVE", TRACE_ST_NONE }, { "TCP_", TRACE_ST_NONE },
		{ "", TRACE_ST_NONE }, { "tcp_listen", TRACE_ST_NONE },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof t / sizeof t[0]; i++)
		assert_int_equal(kernel_tracepoint_line_state(t[i].name, strlen(t[i].name)), t[i].st);
	/* sock_diag numbers, include/net/tcp_states.h */
	assert_int_equal(kernel_sockdiag_state(1), TRACE_ST_ESTABLISHED);
	assert_int_equal(kernel_sockdiag_state(5), TRACE_ST_FIN_WAIT_2);
	assert_int_equal(kernel_sockdiag_state(6), TRACE_ST_TIME_WAIT);
	assert_int_equal(kernel_sockdiag_state(7), TRACE_ST_CLOSED);
	assert_int_equal(kernel_sockdiag_state(10), TRACE_ST_LISTEN);
	assert_int_equal(kernel_sockdiag_state(12), TRACE_ST_SYN_RECEIVED);
	assert_int_equal(kernel_sockdiag_state(0), TRACE_ST_NONE);
	assert_int_equal(kernel_sockdiag_state(13), TRACE_ST_NONE);
	assert_int_equal(kernel_sockdiag_state(255), TRACE_ST_NONE);
	/* The hand-off: FIN_WAIT2 or CLOSING to CLOSE, and nothing else. */
	assert_true(kernel_tracepoint_line_handoff(TRACE_ST_FIN_WAIT_2, TRACE_ST_CLOSED));
	assert_true(kernel_tracepoint_line_handoff(TRACE_ST_CLOSING, TRACE_ST_CLOSED));
	assert_false(kernel_tracepoint_line_handoff(TRACE_ST_LAST_ACK, TRACE_ST_CLOSED));
	assert_false(kernel_tracepoint_line_handoff(TRACE_ST_FIN_WAIT_1, TRACE_ST_FIN_WAIT_2));
}

static void test_filter_text(void **state)
{
	uint16_t p[3] = { 19999, 9999, 80 };
	char buf[128], small[20];

	(void)state;
	assert_int_equal(kernel_tracepoint_filter(p, 1, buf, sizeof buf), 0);
	assert_string_equal(buf, "sport == 19999 || dport == 19999");
	assert_int_equal(kernel_tracepoint_filter(p, 3, buf, sizeof buf), 0);
	assert_string_equal(buf, "sport == 19999 || dport == 19999 || sport == 9999 || "
				 "dport == 9999 || sport == 80 || dport == 80");
	assert_int_equal(kernel_tracepoint_filter(p, 1, small, sizeof small), -1);
}

/* kernel_tracepoint_read on a plain pipe: chunked lines, an overlong one, the SYN_SENT fix-up. */
struct sink {
	struct trace_kevent ev[16];
	size_t n;
};

static int sink_add(void *arg, const struct trace_kevent *ev)
{
	struct sink *s = arg;

	assert_true(s->n < 16);
	s->ev[s->n++] = *ev;
	return 0;
}

static void feed(int fd, const char *s)
{
	assert_int_equal(write(fd, s, strlen(s)), (ssize_t)strlen(s));
}

static void test_read_pipe(void **state)
{
	static const char syn[] =
		"  python3-7 [000] .....   5.000001: inet_sock_set_state: family=AF_INET "
		"protocol=IPPROTO_TCP sport=0 dport=19998 saddr=127.0.0.1 daddr=127.0.0.1 "
		"saddrv6=::ffff:127.0.0.1 daddrv6=::ffff:127.0.0.1 oldstate=TCP_CLOSE newstate=TCP_SYN_SENT\n";
	static const char est[] =
		"  python3-7 [000] .....   5.000002: inet_sock_set_state: family=AF_INET "
		"protocol=IPPROTO_TCP sport=40001 dport=19998 saddr=127.0.0.1 daddr=127.0.0.1 "
		"saddrv6=::ffff:127.0.0.1 daddrv6=::ffff:127.0.0.1 oldstate=TCP_SYN_SENT newstate=TCP_ESTABLISHED\n";
	struct kernel_tracepoint kt;
	struct sink s = { .n = 0 };
	char err[128], big[3000];
	int p[2], n;

	(void)state;
	memset(&kt, 0, sizeof kt);
	kt.guard_fd = -1;
	assert_int_equal(pipe2(p, O_NONBLOCK), 0);
	kt.pipe_fd = p[0];

	/* The SYN_SENT waits; half of the next line arrives. */
	feed(p[1], syn);
	feed(p[1], "  python3-7 [000] .....   5.000002: inet_sock_set");
	n = kernel_tracepoint_read(&kt, 0, sink_add, &s, err, sizeof err);
	assert_int_equal(n, 1);
	assert_int_equal(s.n, 0);
	assert_int_equal(kt.npending, 1);

	/* The rest of the line, an overlong junk line, then the ESTABLISHED. */
	feed(p[1], strstr(est, "_state: "));
	memset(big, 'x', sizeof big - 2);
	big[sizeof big - 2] = '\n';
	big[sizeof big - 1] = '\0';
	feed(p[1], big);
	feed(p[1], est);
	n = kernel_tracepoint_read(&kt, 0, sink_add, &s, err, sizeof err);
	assert_int_equal(n, 2);
	assert_int_equal(s.n, 3);
	assert_int_equal(kt.npending, 0);
	assert_int_equal(kt.bad_lines, 1);
	/* The SYN_SENT now carries the port chosen at connect(), and comes first. */
	assert_int_equal(s.ev[0].newstate, TRACE_ST_SYN_SENT);
	assert_int_equal(s.ev[0].sport, 40001);
	assert_int_equal(s.ev[1].oldstate, TRACE_ST_SYN_SENT);
	assert_int_equal(s.ev[2].newstate, TRACE_ST_ESTABLISHED);
	/* Monotonic turned into realtime: after 2020 and close to each other. */
	assert_true(s.ev[2].ts_us > 1577836800LL * 1000000);
	assert_int_equal(s.ev[2].ts_us - s.ev[1].ts_us, 0);

	/* An unresolved SYN_SENT is handed out as it is by the flush. */
	feed(p[1], syn);
	assert_int_equal(kernel_tracepoint_read(&kt, 0, sink_add, &s, err, sizeof err), 1);
	assert_int_equal(s.n, 3);
	assert_int_equal(kernel_tracepoint_flush(&kt, sink_add, &s), 0);
	assert_int_equal(s.n, 4);
	assert_int_equal(s.ev[3].sport, 0);

	/* Nothing there: 0, not an error. */
	assert_int_equal(kernel_tracepoint_read(&kt, 0, sink_add, &s, err, sizeof err), 0);
	close(p[1]);
	close(p[0]);
	kt.pipe_fd = -1;
	assert_int_equal(kernel_tracepoint_read(&kt, 0, sink_add, &s, err, sizeof err), -1);
	assert_string_equal(err, "tracefs: not open");
}

static void test_sweep_stale(void **state)
{
	char tmpl[] = "/tmp/test_kernel.XXXXXX", path[256];
	const char *names[] = { "hellolab-%ld", "hellolab-%ld", "hellolab-x%ld", "other-%ld" };
	long pids[4];
	struct stat st;
	pid_t dead;
	int i;

	(void)state;
	assert_non_null(mkdtemp(tmpl));
	dead = fork();
	assert_true(dead >= 0);
	if (dead == 0)
		_exit(0);
	assert_int_equal(waitpid(dead, NULL, 0), dead);
	pids[0] = dead, pids[1] = getpid(), pids[2] = dead, pids[3] = dead;
	for (i = 0; i < 4; i++) {
		char name[64];

		snprintf(name, sizeof name, names[i], pids[i]);
		snprintf(path, sizeof path, "%s/%s", tmpl, name);
		assert_int_equal(mkdir(path, 0700), 0);
	}
	assert_int_equal(kernel_tracepoint_sweep(tmpl), 1);
	for (i = 0; i < 4; i++) {
		char name[64];

		snprintf(name, sizeof name, names[i], pids[i]);
		snprintf(path, sizeof path, "%s/%s", tmpl, name);
		assert_int_equal(stat(path, &st) == 0, i != 0);
		rmdir(path);
	}
	assert_int_equal(rmdir(tmpl), 0);
	assert_int_equal(kernel_tracepoint_sweep("/nonexistent/hellolab"), 0);
}

/* A tracefs root that is a plain directory without instances/: refused, nothing left. */
static void test_open_unavailable(void **state)
{
	struct kernel_tracepoint kt;
	uint16_t port = 19999;
	char err[256];

	(void)state;
	assert_int_equal(kernel_tracepoint_open(&kt, "/nonexistent/tracing", &port, 1, err, sizeof err), -1);
	assert_non_null(strstr(err, "tracefs: mount /nonexistent/tracing: "));
	assert_int_equal(kernel_tracepoint_open(&kt, NULL, &port, 0, err, sizeof err), -1);
	assert_string_equal(err, "tracefs: no ports to filter on (the event is system-wide)");
	kernel_tracepoint_close(&kt);
}

static void test_filter_ports(void **state)
{
	uint16_t p[4];

	(void)state;
	assert_int_equal(kernel_sources_ports("tcp port 9999", p, 4), 1);
	assert_int_equal(p[0], 9999);
	assert_int_equal(kernel_sources_ports("(tcp port 9999 or udp port 9999) and not src port 22",
					    p, 4), 2);
	assert_int_equal(p[0], 9999);
	assert_int_equal(p[1], 22);
	assert_int_equal(kernel_sources_ports("tcp dst port 19999 or port 80", p, 4), 2);
	assert_int_equal(kernel_sources_ports("port 1 or port 2 or port 3", p, 2), 2);
	assert_int_equal(kernel_sources_ports("host 127.0.0.1", p, 4), 0);
	assert_int_equal(kernel_sources_ports("port 70000 or port 0 or port http or portrange 1-5", p, 4), 0);
	assert_int_equal(kernel_sources_ports("9999 port", p, 4), 0);
	assert_int_equal(kernel_sources_ports("", p, 4), 0);
	assert_int_equal(kernel_sources_ports(NULL, p, 4), 0);
}

static void test_kstate_options(void **state)
{
	struct kernel_sources ks;
	struct kernel_sources_opts o;
	char err[256];

	(void)state;
	memset(&o, 0, sizeof o);
	o.no_kernel = 1;
	assert_int_equal(kernel_sources_open(&ks, &o, err, sizeof err), 0);
	assert_false(ks.tracepoint);
	assert_false(ks.sock_diag);
	assert_int_equal(ks.nnotes, 1);
	assert_string_equal(ks.notes[0], "kernel sources off (--no-kernel)");
	kernel_sources_close(&ks);

	/* A --netns that does not exist is the user's error, not a note. */
	memset(&o, 0, sizeof o);
	o.netns[0] = "hellolab-no-such-ns";
	o.nnetns = 1;
	assert_int_equal(kernel_sources_open(&ks, &o, err, sizeof err), -1);
	assert_string_equal(err, "netns hellolab-no-such-ns: open /var/run/netns/hellolab-no-such-ns: "
				 "No such file or directory");
	kernel_sources_close(&ks);

	/* No port in the filter: sock_diag only, the tracepoint off and said so. */
	memset(&o, 0, sizeof o);
	assert_int_equal(kernel_sources_open(&ks, &o, err, sizeof err), 0);
	assert_false(ks.tracepoint);
	assert_true(ks.sock_diag);
	assert_int_equal(ks.nnotes, 1);
	assert_non_null(strstr(ks.notes[0], "tracepoint: off: the filter names no port"));
	kernel_sources_close(&ks);
	kernel_sources_close(&ks);

	assert_int_equal(kernel_sources_drop_privs("hellolab-no-such-user", err, sizeof err), -1);
	assert_string_equal(err, "-Z hellolab-no-such-user: no such user");
}

/* The model learns the sources, each note once, and the namespaces; kernel events from
 * the hooks land in it as state events. */
static void test_kstate_model(void **state)
{
	struct trace_model_opts mo = { 0, 0, NULL, NULL };
	struct kernel_sources_opts o;
	struct kernel_sources ks;
	struct trace_model *m;
	struct trace_feed f;	/* never started: every change goes straight into m */
	char err[256];

	(void)state;
	m = trace_model_new(&mo, err, sizeof err);
	assert_non_null(m);
	trace_feed_init(&f, m);
	memset(&o, 0, sizeof o);
	o.offline = 1;
	assert_int_equal(kernel_sources_open(&ks, &o, err, sizeof err), 0);
	assert_int_equal(kernel_sources_describe(&ks, &f), 0);
	assert_int_equal(kernel_sources_describe(&ks, &f), 0);
	assert_int_equal(m->cap.tracepoint, 0);
	assert_int_equal(m->cap.sock_diag, 0);
	assert_int_equal(m->cap.nnotes, 1);
	assert_string_equal(m->cap.notes[0], "reading a file: states are inferred from the packets");
	assert_int_equal(m->cap.nnetns, 0);
	/* Hooks on an offline kstate: nothing to read, nothing fails, no privilege change. */
	assert_int_equal(kernel_sources_active(&ks, m, err, sizeof err), 0);
	assert_int_equal(kernel_sources_tick(&ks, &f, err, sizeof err), 0);
	assert_int_equal(kernel_sources_before_stop(&ks, &f, err, sizeof err), 0);
	assert_int_equal(m->cap.nnotes, 1);
	assert_int_equal(m->nev, 0);
	kernel_sources_close(&ks);
	trace_feed_free(&f);
	trace_model_free(m);

	/* sock_diag on our own namespace, a note written after the first describe. */
	m = trace_model_new(&mo, err, sizeof err);
	assert_non_null(m);
	trace_feed_init(&f, m);
	memset(&o, 0, sizeof o);
	o.netns[0] = "/proc/self/ns/net";
	o.nnetns = geteuid() == 0 ? 1 : 0;	/* setns needs root */
	assert_int_equal(kernel_sources_open(&ks, &o, err, sizeof err), 0);
	assert_int_equal(kernel_sources_describe(&ks, &f), 0);
	assert_int_equal(m->cap.sock_diag, 1);
	assert_int_equal(m->cap.nnotes, 1);	/* the tracepoint: no port */
	assert_int_equal(m->cap.nnetns, o.nnetns);
	if (o.nnetns)
		assert_string_equal(m->cap.netns[0], "/proc/self/ns/net");
	snprintf(ks.notes[ks.nnotes++], sizeof ks.notes[0], "sock_diag: test note");
	assert_int_equal(kernel_sources_before_stop(&ks, &f, err, sizeof err), 0);
	assert_int_equal(m->cap.nnotes, 2);
	assert_string_equal(m->cap.notes[1], "sock_diag: test note");
	assert_int_equal(m->cap.nnetns, o.nnetns);
	kernel_sources_close(&ks);
	trace_feed_free(&f);
	trace_model_free(m);

	/* Never opened (zeroed, as in hello-trace's cli): close touches nothing (not fd 0). */
	int open0 = fcntl(0, F_GETFD) >= 0;

	memset(&ks, 0, sizeof ks);
	kernel_sources_close(&ks);
	assert_int_equal(fcntl(0, F_GETFD) >= 0, open0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_v4),
		cmocka_unit_test(test_parse_handoff_and_v6),
		cmocka_unit_test(test_parse_malformed),
		cmocka_unit_test(test_parse_truncated),
		cmocka_unit_test(test_state_names),
		cmocka_unit_test(test_filter_text),
		cmocka_unit_test(test_read_pipe),
		cmocka_unit_test(test_sweep_stale),
		cmocka_unit_test(test_open_unavailable),
		cmocka_unit_test(test_filter_ports),
		cmocka_unit_test(test_kstate_options),
		cmocka_unit_test(test_kstate_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
