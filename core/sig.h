/* core/sig.h: the stop flag set by SIGINT/SIGTERM, SIGPIPE ignored, and a monotonic clock in ms. */
#ifndef HELLO_SIG_H
#define HELLO_SIG_H

#include <stdint.h>

/*
 * Installs SIGINT and SIGTERM handlers that only record the signal, without SA_RESTART so
 * a blocking call returns EINTR and the program notices; ignores SIGPIPE so a peer that
 * resets mid-reply gives EPIPE instead of killing the process. Returns 0 or -1.
 */
int hello_sig_install(void);
/* The signal that asked to stop (SIGINT, SIGTERM), or 0. */
int hello_sig_stop(void);
/* "SIGINT", "SIGTERM", or "signal N" (static storage for the two names, buf otherwise). */
const char *hello_sig_name(int signo, char *buf, unsigned buflen);
/* The exit code for a stop by signo when the job was unfinished (130, 143). */
int hello_sig_exit_code(int signo);
/* Asks to stop as a signal would (threads and tests). */
void hello_sig_request_stop(int signo);
/* Blocks (block = 1) or unblocks SIGINT and SIGTERM in the calling thread. */
void hello_sig_block(int block);

/* Milliseconds of CLOCK_MONOTONIC. */
int64_t hello_clock_ms(void);
/* Sleeps ms milliseconds unless a stop is requested; returns -1 when interrupted by one. */
int hello_clock_sleep_ms(int64_t ms);

#endif
