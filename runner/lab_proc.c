/* runner/lab_proc.c: fork/exec into a lab namespace (checked), logs, bounded waits, clean stops. */
#include "runner/lab_proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define LAB_CAPTURE_MAX (1024 * 1024)

long long lab_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int lab_sleep(long ms, volatile sig_atomic_t *stop)
{
	long long end = lab_now_ms() + ms;

	while (!(stop && *stop)) {
		long long left = end - lab_now_ms();
		struct timespec ts;
		if (left <= 0)
			return 0;
		if (left > 20)
			left = 20;	/* short naps: a signal flag is noticed quickly */
		ts.tv_sec = 0;
		ts.tv_nsec = left * 1000000L;
		nanosleep(&ts, NULL);
	}
	return -1;
}

unsigned long long lab_netns_ino(void)
{
	struct stat st;

	return stat("/proc/self/ns/net", &st) == 0 ? (unsigned long long)st.st_ino : 0;
}

/* In the child: join the namespace and prove it, or die with a line in the log. */
static void child_enter(const struct lab_where *w)
{
	if (w && w->nsfd < 0 && w->outer_ino == LAB_WHERE_NOWHERE) {
		dprintf(2, "hello-lab: the lab's namespace does not exist; refusing to run\n");
		_exit(126);
	}
	if (!w || w->nsfd < 0)
		return;
	if (setns(w->nsfd, CLONE_NEWNET) < 0) {
		dprintf(2, "hello-lab: setns: %s\n", strerror(errno));
		_exit(126);
	}
	if (lab_netns_ino() == 0 || lab_netns_ino() == w->outer_ino) {
		dprintf(2, "hello-lab: not inside the lab's network namespace; refusing to run\n");
		_exit(126);
	}
}

static void child_exec(const struct lab_where *w, char *const argv[], int out, int errfd)
{
	int in = open("/dev/null", O_RDONLY);

	setpgid(0, 0);
	if (in < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(errfd, 2) < 0)
		_exit(126);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	child_enter(w);
	execvp(argv[0], argv);
	dprintf(2, "hello-lab: cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

int lab_proc_start(struct lab_proc *p, const struct lab_where *w, char *const argv[],
		   const char *logpath, char *err, size_t errlen)
{
	int fd = open(logpath ? logpath : "/dev/null", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
		      0644);

	memset(p, 0, sizeof *p);
	if (fd < 0) {
		snprintf(err, errlen, "open %s: %s", logpath, strerror(errno));
		return -1;
	}
	p->start_ms = lab_now_ms();
	p->pid = fork();
	if (p->pid == 0)
		child_exec(w, argv, fd, fd);
	close(fd);
	if (p->pid < 0) {
		p->pid = 0;
		snprintf(err, errlen, "fork for %s: %s", argv[0], strerror(errno));
		return -1;
	}
	setpgid(p->pid, p->pid);	/* also here: no race with the child's own call */
	return 0;
}

int lab_proc_poll(struct lab_proc *p)
{
	pid_t r;

	if (p->exited || p->pid <= 0)
		return 1;
	do
		r = waitpid(p->pid, &p->status, WNOHANG);
	while (r < 0 && errno == EINTR);
	if (r == 0)
		return 0;
	p->exited = 1;
	p->end_ms = lab_now_ms();
	return 1;
}

int lab_proc_wait(struct lab_proc *p, long timeout_ms, volatile sig_atomic_t *stop)
{
	long long end = lab_now_ms() + timeout_ms;

	for (;;) {
		if (lab_proc_poll(p))
			return 1;
		if (stop && *stop)
			return -1;
		if (lab_now_ms() >= end)
			return 0;
		lab_sleep(5, stop);
	}
}

void lab_proc_stop(struct lab_proc *p, int sig, long grace_ms)
{
	if (p->pid <= 0 || lab_proc_poll(p))
		return;
	kill(-p->pid, sig);
	kill(p->pid, sig);
	if (lab_proc_wait(p, grace_ms, NULL) == 1)
		return;
	kill(-p->pid, SIGKILL);
	kill(p->pid, SIGKILL);
	lab_proc_wait(p, 2000, NULL);
}

int lab_proc_code(const struct lab_proc *p)
{
	if (!p->exited)
		return -1;
	if (WIFEXITED(p->status))
		return WEXITSTATUS(p->status);
	if (WIFSIGNALED(p->status))
		return 128 + WTERMSIG(p->status);
	return -1;
}

/* Reads the pipe until EOF, the size limit or the deadline. */
static int drain(int fd, char **out, long long deadline)
{
	size_t n = 0, cap = 4096;
	char *b = malloc(cap);

	if (!b)
		return -1;
	for (;;) {
		struct pollfd pf = { .fd = fd, .events = POLLIN };
		long long left = deadline - lab_now_ms();
		ssize_t r;
		if (left <= 0 || poll(&pf, 1, (int)(left > 1000 ? 1000 : left)) < 0) {
			if (left > 0 && errno == EINTR)
				continue;
			break;
		}
		if (!pf.revents)
			continue;
		if (n + 4096 + 1 > cap && cap < LAB_CAPTURE_MAX) {
			char *nb = realloc(b, cap * 2);
			if (!nb)
				break;
			b = nb, cap *= 2;
		}
		r = read(fd, b + n, cap - n - 1 < 4096 ? cap - n - 1 : 4096);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
		if (n + 1 >= cap)
			break;
	}
	b[n] = '\0';
	*out = b;
	return lab_now_ms() < deadline ? 0 : -1;
}

int lab_proc_capture(const struct lab_where *w, char *const argv[], long timeout_ms,
		     const char *errlog, char **out, int *code, char *err, size_t errlen)
{
	struct lab_proc p = { 0 };
	int pfd[2], efd = -1, rc = -1;
	long long deadline = lab_now_ms() + timeout_ms;

	*out = NULL;
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	if (errlog && (efd = open(errlog, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644)) < 0) {
		snprintf(err, errlen, "open %s: %s", errlog, strerror(errno));
		goto out;
	}
	p.pid = fork();
	if (p.pid == 0)
		child_exec(w, argv, pfd[1], efd >= 0 ? efd : pfd[1]);
	if (p.pid < 0) {
		snprintf(err, errlen, "fork for %s: %s", argv[0], strerror(errno));
		goto out;
	}
	close(pfd[1]);
	pfd[1] = -1;
	if (drain(pfd[0], out, deadline) < 0 || lab_proc_wait(&p, deadline - lab_now_ms(), NULL) != 1) {
		lab_proc_stop(&p, SIGKILL, 100);
		snprintf(err, errlen, "%s: did not finish within %ld ms", argv[0], timeout_ms);
		goto out;
	}
	*code = lab_proc_code(&p);
	rc = 0;
out:
	if (pfd[1] >= 0)
		close(pfd[1]);
	close(pfd[0]);
	if (efd >= 0)
		close(efd);
	if (rc < 0) {
		free(*out);
		*out = NULL;
	}
	return rc;
}

int lab_proc_cmd(const struct lab_where *w, char *const argv[], char *err, size_t errlen)
{
	char cmd[160] = "", *out = NULL;
	int code = -1, i;

	for (i = 0; argv[i] && strlen(cmd) < 120; i++)
		snprintf(cmd + strlen(cmd), sizeof cmd - strlen(cmd), "%s%s", i ? " " : "", argv[i]);
	if (lab_proc_capture(w, argv, 5000, NULL, &out, &code, err, errlen) < 0)
		return -1;
	if (code != 0) {
		out[strcspn(out, "\n")] = '\0';
		snprintf(err, errlen, "%s: exit %d%s%.200s", cmd, code, out[0] ? ": " : "", out);
		free(out);
		return -1;
	}
	free(out);
	return 0;
}
