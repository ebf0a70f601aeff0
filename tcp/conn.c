/* tcp/conn.c: one server-side hello connection as a state machine every concurrency model drives. */
#include "tcp/conn.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/proto.h"
#include "net/net.h"

/* A peer that stops reading after exit or an error line still gets this long to take it. */
#define TCP_CONN_DRAIN_MS 10000

static void conn_log_bytes(struct tcp_conn *c, const char *event, const uint8_t *p, size_t len)
{
	hello_log_bytes(c->log, HELLO_LOG_DETAIL, event, c->who, p, len);
}

static void conn_drain(struct tcp_conn *c, const char *reason, int64_t now)
{
	if (c->state != TCP_CONN_OPEN)
		return;
	c->state = TCP_CONN_DRAINING;
	c->reason = reason;
	c->drain_until_ms = now + (c->cfg->idle_ms > 0 ? c->cfg->idle_ms : TCP_CONN_DRAIN_MS);
}

static void conn_end(struct tcp_conn *c, const char *reason, int reset)
{
	if (c->state == TCP_CONN_DONE)
		return;
	c->state = TCP_CONN_DONE;
	c->reason = reason;
	c->reset = c->reset || reset;
}

/* A socket error from the peer's side: a reset is part of the lab, not a server fault. */
static void conn_io_error(struct tcp_conn *c, const char *op, const char *err)
{
	const char *kind = (errno == ECONNRESET || errno == EPIPE) ? "reset" : "error";

	if (errno == ECONNRESET || errno == EPIPE)
		atomic_fetch_add(&c->stats->resets, 1);
	hello_log_event(c->log, HELLO_LOG_DETAIL, kind, "conn=%lu peer=%s op=%s error=\"%s\"", c->id, c->peer, op, err);
	conn_end(c, kind, 0);
}

static void conn_queue(struct tcp_conn *c, const void *p, size_t len)
{
	if (c->state == TCP_CONN_DONE)
		return;
	if (hello_outbuf_append(&c->out, p, len) < 0) {
		/* It sends but does not read: bounded memory wins, the peer is cut off with a reset. */
		hello_log_event(c->log, HELLO_LOG_DETAIL, "cutoff", "conn=%lu peer=%s unsent=%zu limit=%zu",
				c->id, c->peer, hello_outbuf_pending(&c->out) + len, c->out.limit);
		conn_end(c, "cutoff", 1);
	}
}

static void conn_flush(struct tcp_conn *c)
{
	char err[256];
	ssize_t n;

	while (c->state != TCP_CONN_DONE && hello_outbuf_pending(&c->out) > 0) {
		n = hello_net_send(c->fd, hello_outbuf_data(&c->out), hello_outbuf_pending(&c->out), c->peer, err, sizeof(err));
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				conn_io_error(c, "send", err);
			return;
		}
		hello_outbuf_consume(&c->out, (size_t)n);
	}
	if (c->state == TCP_CONN_DRAINING && hello_outbuf_pending(&c->out) == 0)
		conn_end(c, c->reason, 0);
}

static void conn_reply(struct tcp_conn *c, const uint8_t *msg, size_t len)
{
	size_t need = hello_proto_reply_len(c->cfg->framing, len);
	uint8_t stackbuf[2048], *buf = need <= sizeof(stackbuf) ? stackbuf : malloc(need);
	size_t n;

	if (!buf) {
		conn_end(c, "nomem", 1);
		return;
	}
	n = hello_proto_reply(c->cfg->framing, msg, len, buf, need);
	conn_log_bytes(c, "reply", buf, n);
	atomic_fetch_add(&c->stats->replies, 1);
	conn_queue(c, buf, n);
	if (buf != stackbuf)
		free(buf);
}

/* Handles one message: exit ends the connection, anything else is answered. */
static void conn_handle(struct tcp_conn *c, const uint8_t *msg, size_t len, int64_t now)
{
	if (hello_proto_is_exit(msg, len)) {
		hello_log_event(c->log, HELLO_LOG_DETAIL, "exit", "conn=%lu peer=%s", c->id, c->peer);
		conn_drain(c, "exit", now);
		return;
	}
	conn_reply(c, msg, len);
}

/* Takes complete messages from the framer until one has to wait for --delay. */
static void conn_process(struct tcp_conn *c, int64_t now)
{
	const uint8_t *msg;
	size_t len;
	char line[128];
	enum hello_frame_result r;

	while (c->state == TCP_CONN_OPEN && !c->has_pending) {
		r = hello_frame_next(&c->fr, &msg, &len);
		if (r == HELLO_FRAME_NONE)
			break;
		if (r == HELLO_FRAME_OVERFLOW) {
			hello_log_event(c->log, HELLO_LOG_DETAIL, "overflow", "conn=%lu peer=%s limit=%zu",
					c->id, c->peer, c->cfg->max_msg);
			len = hello_proto_error_toolong(c->cfg->max_msg, line, sizeof(line));
			conn_queue(c, line, len);
			conn_drain(c, "overflow", now);
			break;
		}
		c->messages++;
		atomic_fetch_add(&c->stats->messages, 1);
		conn_log_bytes(c, "message", msg, len);
		c->partial_since_ms = 0;
		if (c->cfg->delay_ms > 0) {
			/* The tutorial's server sleeps before it even looks at a message, exit
			 * included: so its close comes a delay after exit, like the tutorial's. */
			memcpy(c->pending, msg, len);
			c->pending_len = len;
			c->has_pending = 1;
			c->reply_at_ms = now + c->cfg->delay_ms;
			break;
		}
		conn_handle(c, msg, len, now);
	}
	if (hello_frame_pending(&c->fr) == 0)
		c->partial_since_ms = 0;
	else if (c->partial_since_ms == 0 && c->cfg->framing == HELLO_FRAMING_LINE)
		c->partial_since_ms = now;
}

int tcp_conn_init(struct tcp_conn *c, int fd, const struct hello_addr *peer, unsigned long id,
		  const struct tcp_srv_cfg *cfg, const struct hello_log *log, struct tcp_stats *stats, int64_t now)
{
	char err[256];
	const char *greet;
	size_t glen;

	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->id = id;
	c->cfg = cfg;
	c->log = log;
	c->stats = stats;
	c->last_rx_ms = now;
	hello_addr_str(peer, c->peer, sizeof(c->peer));
	snprintf(c->who, sizeof(c->who), "conn=%lu peer=%s", id, c->peer);
	hello_outbuf_init(&c->out, cfg->max_output);
	c->pending = malloc(cfg->max_msg + 2);
	if (!c->pending || hello_frame_init(&c->fr, cfg->framing, cfg->max_msg, err, sizeof(err)) < 0 ||
	    hello_net_set_nonblock(fd, 1, err, sizeof(err)) < 0 ||
	    (cfg->nodelay && hello_net_set_nodelay(fd, err, sizeof(err)) < 0)) {
		hello_log_event(log, HELLO_LOG_MAIN, "error", "conn=%lu peer=%s error=\"%s\"", id, c->peer,
				c->pending ? err : "out of memory");
		free(c->pending);
		hello_frame_free(&c->fr);
		hello_net_close(fd);
		return -1;
	}
	hello_log_event(log, HELLO_LOG_DETAIL, "accept", "conn=%lu peer=%s", id, c->peer);
	greet = hello_proto_greeting(cfg->framing, &glen);
	conn_log_bytes(c, "greeting", (const uint8_t *)greet, glen);
	conn_queue(c, greet, glen);
	conn_flush(c);
	return 0;
}

short tcp_conn_events(const struct tcp_conn *c)
{
	short ev = 0;

	if (c->state == TCP_CONN_OPEN && !c->has_pending)
		ev |= POLLIN;
	if (c->state != TCP_CONN_DONE && hello_outbuf_pending(&c->out) > 0)
		ev |= POLLOUT;
	return ev;
}

static int64_t min_deadline(int64_t a, int64_t b)
{
	if (a < 0)
		return b;
	if (b < 0)
		return a;
	return a < b ? a : b;
}

int64_t tcp_conn_deadline(const struct tcp_conn *c)
{
	int64_t d = -1;

	if (c->state == TCP_CONN_DONE)
		return -1;
	if (c->state == TCP_CONN_DRAINING)
		return c->drain_until_ms;
	if (c->has_pending)
		d = min_deadline(d, c->reply_at_ms);
	if (c->cfg->idle_ms > 0)
		d = min_deadline(d, c->last_rx_ms + c->cfg->idle_ms);
	if (c->cfg->msg_timeout_ms > 0 && c->partial_since_ms > 0)
		d = min_deadline(d, c->partial_since_ms + c->cfg->msg_timeout_ms);
	return d;
}

static void conn_read(struct tcp_conn *c, int64_t now)
{
	char err[256];
	uint8_t *p;
	size_t room = hello_frame_space(&c->fr, &p);
	ssize_t n;

	if (room == 0)
		return;
	n = hello_net_recv(c->fd, p, room, c->peer, err, sizeof(err));
	if (n < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			conn_io_error(c, "recv", err);
		return;
	}
	if (n == 0) {
		/* The peer closed first: we answer what it sent, then close (the passive close). */
		if (hello_frame_pending(&c->fr) > 0)
			hello_log_event(c->log, HELLO_LOG_DETAIL, "partial", "conn=%lu peer=%s dropped=%zu",
					c->id, c->peer, hello_frame_pending(&c->fr));
		hello_log_event(c->log, HELLO_LOG_DETAIL, "eof", "conn=%lu peer=%s", c->id, c->peer);
		conn_drain(c, "eof", now);
		return;
	}
	c->last_rx_ms = now;
	hello_frame_commit(&c->fr, (size_t)n);
	conn_process(c, now);
}

void tcp_conn_on_io(struct tcp_conn *c, short revents, int64_t now)
{
	int reading = c->state == TCP_CONN_OPEN && !c->has_pending;
	char err[256];

	if (c->state == TCP_CONN_DONE)
		return;
	if (revents & (POLLOUT | POLLERR | POLLHUP))
		conn_flush(c);
	if (reading && c->state == TCP_CONN_OPEN && (revents & (POLLIN | POLLERR | POLLHUP)))
		conn_read(c, now);
	if (c->state != TCP_CONN_DONE)
		conn_flush(c);
	/* poll reports errors and hang-ups even when not asked; while a reply waits for its
	 * delay nothing reads them, so settle them here rather than spin on them. */
	if (!reading && c->state != TCP_CONN_DONE && (revents & (POLLERR | POLLHUP))) {
		errno = hello_net_sock_error(c->fd);
		if (errno) {
			snprintf(err, sizeof(err), "%s %s: %s", "recv", c->peer, strerror(errno));
			conn_io_error(c, "recv", err);
		} else {
			hello_log_event(c->log, HELLO_LOG_DETAIL, "hangup", "conn=%lu peer=%s", c->id, c->peer);
			conn_end(c, "hangup", 0);
		}
	}
}

void tcp_conn_on_time(struct tcp_conn *c, int64_t now)
{
	if (c->state == TCP_CONN_DRAINING && now >= c->drain_until_ms) {
		hello_log_event(c->log, HELLO_LOG_DETAIL, "timeout", "conn=%lu peer=%s kind=drain unsent=%zu",
				c->id, c->peer, hello_outbuf_pending(&c->out));
		conn_end(c, "drain-timeout", 1);
		return;
	}
	if (c->state != TCP_CONN_OPEN)
		return;
	if (c->has_pending && now >= c->reply_at_ms) {
		c->has_pending = 0;
		conn_handle(c, c->pending, c->pending_len, now);
		conn_process(c, now);
		conn_flush(c);
	}
	if (c->state == TCP_CONN_OPEN && c->cfg->idle_ms > 0 && !c->has_pending && now >= c->last_rx_ms + c->cfg->idle_ms) {
		hello_log_event(c->log, HELLO_LOG_DETAIL, "timeout", "conn=%lu peer=%s kind=idle ms=%d", c->id, c->peer, c->cfg->idle_ms);
		conn_drain(c, "idle", now);
		conn_flush(c);
	}
	if (c->state == TCP_CONN_OPEN && c->cfg->msg_timeout_ms > 0 && c->partial_since_ms > 0 &&
	    now >= c->partial_since_ms + c->cfg->msg_timeout_ms) {
		/* Slowloris defence: a line that never ends would hold the connection forever. */
		hello_log_event(c->log, HELLO_LOG_DETAIL, "timeout", "conn=%lu peer=%s kind=message ms=%d pending=%zu",
				c->id, c->peer, c->cfg->msg_timeout_ms, hello_frame_pending(&c->fr));
		conn_drain(c, "message-timeout", now);
		conn_flush(c);
	}
}

void tcp_conn_abort(struct tcp_conn *c, const char *reason)
{
	conn_end(c, reason, 0);
}

int tcp_conn_done(const struct tcp_conn *c)
{
	return c->state == TCP_CONN_DONE;
}

void tcp_conn_finish(struct tcp_conn *c)
{
	char err[256];
	int rst = c->reset || c->cfg->linger0;

	if (rst && hello_net_set_linger0(c->fd, err, sizeof(err)) < 0)
		rst = 0;
	hello_net_close(c->fd);
	c->fd = -1;
	hello_log_event(c->log, HELLO_LOG_DETAIL, "close", "conn=%lu peer=%s reason=%s how=%s messages=%lu",
			c->id, c->peer, c->reason ? c->reason : "?", rst ? "rst" : "fin", c->messages);
	hello_frame_free(&c->fr);
	hello_outbuf_free(&c->out);
	free(c->pending);
	c->pending = NULL;
}
