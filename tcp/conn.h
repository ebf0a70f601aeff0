/* tcp/conn.h: one server-side hello connection as a state machine every concurrency model drives. */
#ifndef TCP_CONN_H
#define TCP_CONN_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"
#include "core/frame.h"
#include "core/log.h"
#include "core/outbuf.h"

struct tcp_srv_cfg {
	enum hello_framing framing;
	size_t max_msg;         /* raw: recv size; line: longest line */
	int delay_ms;           /* wait before handling each message, exit too (a timer, never a sleep) */
	int idle_ms;            /* close after this long without a byte from the peer; 0 = never */
	int msg_timeout_ms;     /* line: a started line must end within this; 0 = never */
	size_t max_output;      /* unsent reply bytes allowed before the peer is cut off */
	int linger0;            /* close with RST */
	int nodelay;
};

/* Counters for the summary line; atomic, and in shared memory for the fork model. */
struct tcp_stats {
	atomic_ulong connections;
	atomic_ulong messages;
	atomic_ulong replies;
	atomic_ulong resets;
};

enum tcp_conn_state { TCP_CONN_OPEN, TCP_CONN_DRAINING, TCP_CONN_DONE };

struct tcp_conn {
	int fd;
	unsigned long id;
	char peer[HELLO_ADDR_STRLEN];
	char who[HELLO_ADDR_STRLEN + 40];	/* "conn=N peer=ADDR": every message line starts with it */
	const struct tcp_srv_cfg *cfg;
	const struct hello_log *log;
	struct tcp_stats *stats;
	struct hello_frame fr;
	struct hello_outbuf out;
	enum tcp_conn_state state;
	const char *reason;     /* why the connection ends: exit, eof, idle, ... */
	int reset;              /* end with RST (cut off, or --linger0) */
	int64_t last_rx_ms;
	int64_t partial_since_ms;   /* line: when the unfinished line started; 0 = none */
	int64_t drain_until_ms;     /* DRAINING: give up flushing at this time */
	uint8_t *pending;           /* a message waiting for its --delay */
	size_t pending_len;
	int has_pending;
	int64_t reply_at_ms;
	unsigned long messages;
};

/* Sets up an accepted socket (non-blocking, options) and queues the greeting; 0 or -1 (fd then closed). */
int tcp_conn_init(struct tcp_conn *c, int fd, const struct hello_addr *peer, unsigned long id,
		  const struct tcp_srv_cfg *cfg, const struct hello_log *log, struct tcp_stats *stats, int64_t now);
/* POLLIN / POLLOUT the connection waits for now. */
short tcp_conn_events(const struct tcp_conn *c);
/* The next time (CLOCK_MONOTONIC ms) tcp_conn_on_time must run, or -1 for none. */
int64_t tcp_conn_deadline(const struct tcp_conn *c);
void tcp_conn_on_io(struct tcp_conn *c, short revents, int64_t now);
void tcp_conn_on_time(struct tcp_conn *c, int64_t now);
/* Ends the connection now (server shutdown). */
void tcp_conn_abort(struct tcp_conn *c, const char *reason);
int tcp_conn_done(const struct tcp_conn *c);
/* Closes the socket (RST when asked), logs the close line, frees the buffers. */
void tcp_conn_finish(struct tcp_conn *c);

#endif
