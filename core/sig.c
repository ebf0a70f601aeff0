/* core/sig.c: the stop flag set by SIGINT/SIGTERM, SIGPIPE ignored, and a monotonic clock in ms. */
#include "core/sig.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* A signal handler can only reach global state: this flag is the one global of core/. */
static volatile sig_atomic_t sig_stop;

static void sig_handler(int signo)
{
	sig_stop = signo;
}

int hello_sig_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = sig_handler;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;
	if (sigaction(SIGINT, &sa, NULL) < 0 || sigaction(SIGTERM, &sa, NULL) < 0)
		return -1;
	sa.sa_handler = SIG_IGN;
	return sigaction(SIGPIPE, &sa, NULL);
}

int hello_sig_stop(void)
{
	return sig_stop;
}

const char *hello_sig_name(int signo, char *buf, unsigned buflen)
{
	if (signo == SIGINT)
		return "SIGINT";
	if (signo == SIGTERM)
		return "SIGTERM";
	snprintf(buf, buflen, "signal %d", signo);
	return buf;
}

int hello_sig_exit_code(int signo)
{
	return 128 + signo;
}

void hello_sig_request_stop(int signo)
{
	sig_stop = signo;
}

void hello_sig_block(int block)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(block ? SIG_BLOCK : SIG_UNBLOCK, &set, NULL);
}

int64_t hello_clock_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int hello_clock_sleep_ms(int64_t ms)
{
	struct timespec ts, rem;

	if (ms <= 0)
		return hello_sig_stop() ? -1 : 0;
	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000;
	while (nanosleep(&ts, &rem) < 0) {
		if (errno != EINTR || hello_sig_stop())
			return -1;
		ts = rem;
	}
	return hello_sig_stop() ? -1 : 0;
}
