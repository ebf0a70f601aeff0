/* bench/load.h: the load generator: N TCP connections or UDP sockets, each a ping-pong loop, epoll-driven. */
#ifndef BENCH_LOAD_H
#define BENCH_LOAD_H

#include <stddef.h>
#include <stdint.h>

#include "bench/hist.h"
#include "core/addr.h"

enum bench_proto { BENCH_TCP = 0, BENCH_UDP };

struct bench_cfg {
	enum bench_proto proto;
	struct hello_addr addr;
	unsigned conns;             /* TCP connections or UDP sockets */
	unsigned threads;           /* worker threads; connections are split among them */
	double duration_s;          /* 0: run until requests are done */
	uint64_t requests;          /* 0: run for duration_s */
	double rate;                /* offered requests/s over all connections; 0: closed loop */
	const uint8_t *req;         /* the request sent every time */
	size_t req_len;
	const uint8_t *reply;       /* the reply expected byte for byte; NULL: only its length counts */
	size_t reply_len;
	const uint8_t *greeting;    /* TCP: what the server sends on connect; NULL: only its length */
	size_t greeting_len;        /* 0: the server sends nothing first */
	int timeout_ms;             /* a reply later than this is an error (UDP: the request is sent again) */
	int nodelay;                /* TCP_NODELAY on the client sockets */
	int setup_ms;               /* how long to wait for every connection (and greeting) before measuring */
};

struct bench_result {
	struct bench_hist hist;     /* latency in ns; with a rate, from the intended send time */
	uint64_t requests;          /* replies received complete and correct */
	uint64_t errors;            /* timeouts + bad replies + connections lost */
	uint64_t timeouts, bad_replies, lost;
	unsigned connected;         /* connections (or sockets) that were ready to send */
	unsigned active;            /* connections that got at least one reply */
	double elapsed_s;           /* the measured interval (after connecting) */
	int stopped;                /* a SIGINT/SIGTERM ended the run early */
	char first_error[256];      /* the first error seen, for the report */
};

/*
 * Connects every connection (TCP: and reads the greeting; waits at most setup_ms for them all),
 * then runs the ping-pong loops until the duration or request count is reached or a stop
 * signal arrives. Returns 0 when at least one connection was set up (errors are counted
 * in res), -1 with err when none could be ("connect 127.0.0.1:9999: Connection refused").
 */
int bench_load_run(const struct bench_cfg *cfg, struct bench_result *res, char *err, size_t errlen);

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t bench_now_ns(void);

#endif
