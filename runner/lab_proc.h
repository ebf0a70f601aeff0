/* runner/lab_proc.h: programs a lab runs: started inside a namespace, logged, waited for with bounds. */
#ifndef LAB_PROC_H
#define LAB_PROC_H

#include <signal.h>
#include <stddef.h>
#include <sys/types.h>

/* Where a child runs: nsfd is an open /run/netns/NAME (-1: stay here). The child joins it
 * and, before it execs anything, checks that its network namespace is no longer outer_ino
 * (the one hello-lab started in): a rule or address never lands on the host by mistake. */
#define LAB_WHERE_NOWHERE (~0ULL)	/* outer_ino of a where that must not run at all */

struct lab_where {
	int nsfd;
	unsigned long long outer_ino;
};

struct lab_proc {
	pid_t pid;		/* 0: not started or reaped */
	int exited;
	int status;		/* waitpid's */
	long long start_ms, end_ms;
};

long long lab_now_ms(void);

/* Sleeps ms, waking early (returning -1) when *stop becomes non-zero. */
int lab_sleep(long ms, volatile sig_atomic_t *stop);

/* Starts argv (argv[0] looked up in PATH unless it has a '/') with stdin from /dev/null,
 * stdout and stderr appended to logpath (NULL: /dev/null), in its own process group. */
int lab_proc_start(struct lab_proc *p, const struct lab_where *w, char *const argv[],
		   const char *logpath, char *err, size_t errlen);

/* 1 when the process has ended (reaped), 0 while it runs. */
int lab_proc_poll(struct lab_proc *p);

/* Waits up to timeout_ms: 1 ended, 0 still running, -1 *stop was raised. */
int lab_proc_wait(struct lab_proc *p, long timeout_ms, volatile sig_atomic_t *stop);

/* Sends sig to the process group, waits up to grace_ms, then SIGKILLs and reaps. */
void lab_proc_stop(struct lab_proc *p, int sig, long grace_ms);

/* The exit code, or 128 + the signal that ended it (the shell's convention); -1 running. */
int lab_proc_code(const struct lab_proc *p);

/* Runs argv to completion (at most timeout_ms) and returns its stdout in *out (malloc'd,
 * NUL-terminated, at most 1 MiB) and its exit code in *code. stderr goes to errlog (or
 * /dev/null). -1 with err filled when it could not run or timed out. */
int lab_proc_capture(const struct lab_where *w, char *const argv[], long timeout_ms,
		     const char *errlog, char **out, int *code, char *err, size_t errlen);

/* lab_proc_capture for a command whose output does not matter: 0 when it exited 0, else
 * -1 with err "CMD ...: exit N" (and the command's first stderr line when there is one). */
int lab_proc_cmd(const struct lab_where *w, char *const argv[], char *err, size_t errlen);

/* The inode of this process's network namespace (0 when /proc is not there). */
unsigned long long lab_netns_ino(void);

#endif
