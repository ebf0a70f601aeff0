/* tests/unit/test_core_logbuf.c: buffered log lines: written at flush, whole, in order, once; pipes in PIPE_BUF pieces; fork, thread end, abort. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/log.h"

/* Everything in the file at path (at most cap - 1 bytes), NUL-terminated; its length. */
static size_t slurp(const char *path, char *buf, size_t cap)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, cap - 1, f);
	fclose(f);
	buf[n] = '\0';
	return n;
}

static int tmp_log(char *path, size_t cap)
{
	int fd;

	snprintf(path, cap, "/tmp/hello-logbuf-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	return fd;
}

static size_t count_lines(const char *s, const char *needle)
{
	size_t n = 0;

	for (; (s = strstr(s, needle)) != NULL; s++)
		n++;
	return n;
}

/* A file gets nothing until the flush, then every line in order. */
static void test_flush_writes_in_order(void **state)
{
	char path[64], buf[4096], err[128];
	struct hello_log lg;
	int fd = tmp_log(path, sizeof(path));

	(void)state;
	assert_int_equal(hello_log_open(&lg, fd, "t", 0, err, sizeof(err)), 0);
	assert_int_equal(lg.buffered, 1);
	assert_int_equal(lg.atomic_chunks, 0);
	hello_log_event(&lg, HELLO_LOG_MAIN, "one", "n=1");
	hello_log_event(&lg, HELLO_LOG_DETAIL, "two", "n=2");
	assert_int_equal(slurp(path, buf, sizeof(buf)), 0);
	hello_log_flush();
	slurp(path, buf, sizeof(buf));
	assert_non_null(strstr(buf, "] one n=1\n"));
	assert_true(strstr(buf, "] one n=1\n") < strstr(buf, "] two n=2\n"));
	hello_log_flush(); /* nothing left: no second copy */
	assert_int_equal(count_lines(buf, "] one"), 1);
	slurp(path, buf, sizeof(buf));
	assert_int_equal(count_lines(buf, "] one"), 1);
	close(fd);
	unlink(path);
}

/* More than the buffer holds: the earlier lines go out whole as it fills, none lost. */
static void test_full_buffer_writes(void **state)
{
	enum { LINES = 3000 };
	static char buf[LINES * 128];
	char path[64], err[128];
	struct hello_log lg;
	int fd = tmp_log(path, sizeof(path)), i;
	size_t n;

	(void)state;
	assert_int_equal(hello_log_open(&lg, fd, "t", 0, err, sizeof(err)), 0);
	for (i = 0; i < LINES; i++)
		hello_log_event(&lg, HELLO_LOG_MAIN, "line", "i=%05d pad=%060d", i, 0);
	n = slurp(path, buf, sizeof(buf));
	assert_true(n > 0);
	assert_int_equal(buf[n - 1], '\n');
	assert_true(count_lines(buf, "] line i=") < LINES);
	hello_log_flush();
	slurp(path, buf, sizeof(buf));
	assert_int_equal(count_lines(buf, "] line i="), LINES);
	assert_non_null(strstr(buf, "i=02999 "));
	close(fd);
	unlink(path);
}

/* On a pipe or socket every write is at most PIPE_BUF and ends a line (SOCK_SEQPACKET keeps the writes apart). */
static void test_socket_pieces(void **state)
{
	static char msg[65536];
	char err[128];
	struct hello_log lg;
	int sv[2], i, lines = 0;
	ssize_t n;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	assert_int_equal(hello_log_open(&lg, sv[0], "t", 0, err, sizeof(err)), 0);
	assert_int_equal(lg.atomic_chunks, 1);
	for (i = 0; i < 200; i++)
		hello_log_event(&lg, HELLO_LOG_MAIN, "line", "i=%d pad=%0100d", i, 0);
	hello_log_flush();
	shutdown(sv[0], SHUT_WR);
	while ((n = recv(sv[1], msg, sizeof(msg), 0)) > 0) {
		assert_true(n <= PIPE_BUF);
		assert_int_equal(msg[n - 1], '\n');
		lines += (int)count_lines(msg, "] line i=");
		memset(msg, 0, (size_t)n);
	}
	assert_int_equal(lines, 200);
	close(sv[0]);
	close(sv[1]);
}

/* A terminal stays unbuffered: the user watching sees each line when it happens. */
static void test_terminal_unbuffered(void **state)
{
	char err[128];
	struct hello_log lg;
	int fd = posix_openpt(O_RDWR | O_NOCTTY);

	(void)state;
	if (fd < 0)
		skip();
	assert_int_equal(grantpt(fd), 0);
	assert_int_equal(unlockpt(fd), 0);
	int slave = open(ptsname(fd), O_RDWR | O_NOCTTY);
	assert_true(slave >= 0);
	assert_int_equal(hello_log_open(&lg, slave, "t", 0, err, sizeof(err)), 0);
	assert_int_equal(lg.buffered, 0);
	close(slave);
	close(fd);
}

/* Lines logged before fork appear once, not once per process; the child's lines carry its pid. */
static void test_fork_no_duplicates(void **state)
{
	char path[64], buf[4096], err[128], want[64];
	struct hello_log lg;
	int fd = tmp_log(path, sizeof(path)), st;
	pid_t pid;

	(void)state;
	assert_int_equal(hello_log_open(&lg, fd, "t", 0, err, sizeof(err)), 0);
	hello_log_event(&lg, HELLO_LOG_MAIN, "before", NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		hello_log_event(&lg, HELLO_LOG_MAIN, "child", NULL);
		hello_log_flush();
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	hello_log_flush();
	slurp(path, buf, sizeof(buf));
	assert_int_equal(count_lines(buf, "] before"), 1);
	snprintf(want, sizeof(want), "t[%ld] child", (long)pid);
	assert_non_null(strstr(buf, want));
	close(fd);
	unlink(path);
}

static void *thread_logs(void *p)
{
	hello_log_event(p, HELLO_LOG_MAIN, "from-thread", NULL);
	return NULL; /* no flush: the thread's end writes it */
}

static void test_thread_end_flushes(void **state)
{
	char path[64], buf[4096], err[128];
	struct hello_log lg;
	pthread_t t;
	int fd = tmp_log(path, sizeof(path));

	(void)state;
	assert_int_equal(hello_log_open(&lg, fd, "t", 0, err, sizeof(err)), 0);
	assert_int_equal(pthread_create(&t, NULL, thread_logs, &lg), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	slurp(path, buf, sizeof(buf));
	assert_int_equal(count_lines(buf, "] from-thread"), 1);
	close(fd);
	unlink(path);
}

/* A process that logs and then aborts leaves its lines, and dies of its signal. (cmocka catches
 * SIGSEGV and SIGBUS itself in a test; service_logbuf.sh kills a server with SIGSEGV.) */
static void crash_child(int sig)
{
	char path[64], buf[4096], err[128];
	struct hello_log lg;
	int fd = tmp_log(path, sizeof(path)), st;
	pid_t pid;

	assert_int_equal(hello_log_open(&lg, fd, "t", 0, err, sizeof(err)), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		hello_log_event(&lg, HELLO_LOG_MAIN, "last-words", "sig=%d", sig);
		if (sig == SIGABRT)
			abort();
		raise(sig);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), sig);
	slurp(path, buf, sizeof(buf));
	assert_int_equal(count_lines(buf, "] last-words"), 1);
	close(fd);
	unlink(path);
}

static void test_crash_abort(void **state)
{
	(void)state;
	crash_child(SIGABRT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flush_writes_in_order),
		cmocka_unit_test(test_full_buffer_writes),
		cmocka_unit_test(test_socket_pieces),
		cmocka_unit_test(test_terminal_unbuffered),
		cmocka_unit_test(test_fork_no_duplicates),
		cmocka_unit_test(test_thread_end_flushes),
		cmocka_unit_test(test_crash_abort),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
