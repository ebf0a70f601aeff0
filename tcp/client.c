/* tcp/client.c: the hello TCP client's exchange: greeting, names, exit, and a deliberate close. */
#include "tcp/client.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/frame.h"
#include "core/outbuf.h"
#include "core/sig.h"
#include "net/net.h"

/* A client's line limit: replies to its own names, with room to spare. */
#define CLIENT_LINE_MAX 65536
#define CLIENT_RECV 65536
/* Largest reply the client collects before printing; a server's garbage cannot grow it past this. */
#define CLIENT_REPLY_LIMIT (16u << 20)

struct client {
	const struct tcp_client_cfg *cfg;
	int fd;
	char peer[HELLO_ADDR_STRLEN];
	struct hello_frame fr;          /* line framing */
	struct hello_outbuf cur;        /* raw: the reply being collected */
	uint8_t buf[CLIENT_RECV];
	size_t off, len;                /* raw: received bytes not yet consumed */
};

static void client_print(struct client *cl, const char *event, const uint8_t *p, size_t len)
{
	char who[HELLO_ADDR_STRLEN + 8];

	if (cl->cfg->out) {
		fwrite(p, 1, len, cl->cfg->out);
		fputc('\n', cl->cfg->out);
		fflush(cl->cfg->out);
	}
	snprintf(who, sizeof(who), "peer=%s", cl->peer);
	hello_log_bytes(cl->cfg->log, HELLO_LOG_MAIN, event, who, p, len);
}

/* Fills cl->buf when it is empty: 1 = bytes ready, 0 = end of stream, -1 = error. */
static int client_fill(struct client *cl, const char *waiting_for, char *err, size_t errlen)
{
	ssize_t n;

	if (cl->off < cl->len)
		return 1;
	n = hello_net_recv_timeout(cl->fd, cl->buf, sizeof(cl->buf), cl->cfg->timeout_ms, cl->peer, err, errlen);
	if (n < 0) {
		if (errno == ETIMEDOUT)
			snprintf(err + strlen(err), errlen - strlen(err), " waiting for %s", waiting_for);
		return -1;
	}
	cl->off = 0;
	cl->len = (size_t)n;
	return n > 0;
}

static int client_eof_error(struct client *cl, const char *waiting_for, char *err, size_t errlen)
{
	snprintf(err, errlen, "recv %s: the server closed the connection before %s", cl->peer, waiting_for);
	errno = ECONNABORTED;
	return -1;
}

/* Line framing: the next line into *msg; 0 or -1. */
static int client_line(struct client *cl, const uint8_t **msg, size_t *len, const char *what, char *err, size_t errlen)
{
	enum hello_frame_result r;
	uint8_t *p;
	size_t room, n;
	int f;

	for (;;) {
		r = hello_frame_next(&cl->fr, msg, len);
		if (r == HELLO_FRAME_MSG)
			return 0;
		if (r == HELLO_FRAME_OVERFLOW) {
			snprintf(err, errlen, "recv %s: a line longer than %d bytes", cl->peer, CLIENT_LINE_MAX);
			errno = EMSGSIZE;
			return -1;
		}
		f = client_fill(cl, what, err, errlen);
		if (f < 0)
			return -1;
		if (f == 0)
			return client_eof_error(cl, what, err, errlen);
		room = hello_frame_space(&cl->fr, &p);
		n = cl->len - cl->off < room ? cl->len - cl->off : room;
		memcpy(p, cl->buf + cl->off, n);
		hello_frame_commit(&cl->fr, n);
		cl->off += n;
	}
}

/* Raw framing: reads replies until they echo all of sent; prints each one. */
static int client_raw_replies(struct client *cl, const uint8_t *sent, size_t sent_len, const char *what,
			      size_t *replies, char *err, size_t errlen)
{
	struct hello_track t;
	enum hello_track_result r = HELLO_TRACK_MORE;
	size_t before, used;
	int f;

	hello_track_init(&t, sent, sent_len);
	while (r == HELLO_TRACK_MORE) {
		f = client_fill(cl, what, err, errlen);
		if (f <= 0)
			return f < 0 ? -1 : client_eof_error(cl, what, err, errlen);
		/* Byte by byte so each reply is printed on its own even when several arrive at once. */
		before = t.replies;
		r = hello_track_feed(&t, cl->buf + cl->off, 1, &used);
		if (r == HELLO_TRACK_MISMATCH)
			break;
		if (hello_outbuf_append(&cl->cur, cl->buf + cl->off, 1) < 0) {
			snprintf(err, errlen, "recv %s: a reply longer than %u bytes", cl->peer, CLIENT_REPLY_LIMIT);
			return -1;
		}
		cl->off++;
		if (t.replies != before) {
			client_print(cl, "reply", hello_outbuf_data(&cl->cur), hello_outbuf_pending(&cl->cur));
			hello_outbuf_consume(&cl->cur, hello_outbuf_pending(&cl->cur));
		}
	}
	*replies += t.replies;
	if (r == HELLO_TRACK_MISMATCH) {
		/* Show what did come (an error line, another protocol) before failing. */
		hello_outbuf_append(&cl->cur, cl->buf + cl->off, cl->len - cl->off);
		client_print(cl, "unexpected", hello_outbuf_data(&cl->cur), hello_outbuf_pending(&cl->cur));
		snprintf(err, errlen, "recv %s: unexpected reply while waiting for %s", cl->peer, what);
		errno = EPROTO;
		return -1;
	}
	return 0;
}

static int client_send(struct client *cl, const char *msg, char *err, size_t errlen)
{
	size_t len = strlen(msg);
	char *line;
	int rc;

	hello_log_event(cl->cfg->log, HELLO_LOG_MAIN, "send", "peer=%s len=%zu", cl->peer, len);
	if (cl->cfg->framing == HELLO_FRAMING_RAW)
		return hello_net_write_all(cl->fd, msg, len, cl->cfg->timeout_ms, cl->peer, err, errlen);
	line = malloc(len + 1);
	if (!line) {
		snprintf(err, errlen, "send %s: out of memory", cl->peer);
		return -1;
	}
	memcpy(line, msg, len);
	line[len] = '\n';
	rc = hello_net_write_all(cl->fd, line, len + 1, cl->cfg->timeout_ms, cl->peer, err, errlen);
	free(line);
	return rc;
}

static int client_greeting(struct client *cl, char *err, size_t errlen)
{
	const uint8_t *msg;
	size_t len;
	ssize_t n;

	if (cl->cfg->framing == HELLO_FRAMING_LINE) {
		if (client_line(cl, &msg, &len, "the greeting", err, errlen) < 0)
			return -1;
		client_print(cl, "greeting", msg, len);
		return 0;
	}
	/* Raw: the greeting is the 6 bytes "hello!"; read no more, the rest belongs to replies. */
	len = 0;
	while (len < 6) {
		n = hello_net_recv_timeout(cl->fd, cl->buf + len, 6 - len, cl->cfg->timeout_ms, cl->peer, err, errlen);
		if (n < 0) {
			if (errno == ETIMEDOUT)
				snprintf(err + strlen(err), errlen - strlen(err), " waiting for the greeting");
			return -1;
		}
		if (n == 0)
			return client_eof_error(cl, "the greeting", err, errlen);
		len += (size_t)n;
	}
	client_print(cl, "greeting", cl->buf, len);
	return 0;
}

static int client_reply_line(struct client *cl, const char *name, size_t *replies, char *err, size_t errlen)
{
	const uint8_t *msg;
	size_t len;
	char what[96];

	snprintf(what, sizeof(what), "the reply to '%.60s'", name);
	if (client_line(cl, &msg, &len, what, err, errlen) < 0)
		return -1;
	client_print(cl, "reply", msg, len);
	(*replies)++;
	return 0;
}

/* The names one at a time (each waits for its reply), or all at once with --burst. */
static int client_names(struct client *cl, struct tcp_client_result *res, char *err, size_t errlen)
{
	const struct tcp_client_cfg *c = cl->cfg;
	size_t i, total = 0;
	char what[96];
	uint8_t *all;
	int rc = 0;

	for (i = 0; i < c->nnames; i++) {
		if (client_send(cl, c->names[i], err, errlen) < 0)
			return -1;
		if (c->burst)
			continue;
		snprintf(what, sizeof(what), "the reply to '%.60s'", c->names[i]);
		if (c->framing == HELLO_FRAMING_LINE)
			rc = client_reply_line(cl, c->names[i], &res->replies, err, errlen);
		else
			rc = client_raw_replies(cl, (const uint8_t *)c->names[i], strlen(c->names[i]), what, &res->replies, err, errlen);
		if (rc < 0)
			return -1;
	}
	if (!c->burst)
		return 0;
	if (c->framing == HELLO_FRAMING_LINE) {
		for (i = 0; i < c->nnames && rc == 0; i++)
			rc = client_reply_line(cl, c->names[i], &res->replies, err, errlen);
		return rc;
	}
	/* Raw burst: the server may read several names as one message; track the bytes instead. */
	for (i = 0; i < c->nnames; i++)
		total += strlen(c->names[i]);
	all = malloc(total + 1);
	if (!all) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (i = 0, total = 0; i < c->nnames; i++) {
		memcpy(all + total, c->names[i], strlen(c->names[i]));
		total += strlen(c->names[i]);
	}
	rc = client_raw_replies(cl, all, total, "the replies", &res->replies, err, errlen);
	free(all);
	return rc;
}

/* After exit: the server closes; read (and show) anything until then. */
static int client_wait_eof(struct client *cl, struct tcp_client_result *res, char *err, size_t errlen)
{
	const char *what = "the server to close";
	int f;

	for (;;) {
		if (cl->off < cl->len) {
			client_print(cl, "unexpected", cl->buf + cl->off, cl->len - cl->off);
			cl->off = cl->len;
		}
		f = client_fill(cl, what, err, errlen);
		if (f == 0) {
			hello_log_event(cl->cfg->log, HELLO_LOG_MAIN, "eof", "peer=%s", cl->peer);
			return 0;
		}
		if (f < 0) {
			if (errno == ECONNRESET) {
				res->reset_after_exit = 1;
				hello_log_event(cl->cfg->log, HELLO_LOG_MAIN, "reset", "peer=%s", cl->peer);
				return 0;
			}
			return -1;
		}
	}
}

static int client_close(struct client *cl, struct tcp_client_result *res, char *err, size_t errlen)
{
	const struct tcp_client_cfg *c = cl->cfg;
	int rc = 0;

	if (c->close_mode != TCP_CLOSE_FIRST) {
		if (client_send(cl, HELLO_EXIT_MSG, err, errlen) < 0)
			return -1;
		if (c->close_mode == TCP_CLOSE_WAIT_EOF)
			rc = client_wait_eof(cl, res, err, errlen);
	}
	if (c->linger0)
		hello_net_set_linger0(cl->fd, err, errlen);
	hello_log_event(c->log, HELLO_LOG_MAIN, "close", "peer=%s how=%s", cl->peer, c->linger0 ? "rst" : "fin");
	hello_net_close(cl->fd);
	cl->fd = -1;
	return rc;
}

int tcp_client_exchange(const struct tcp_client_cfg *cfg, struct tcp_client_result *res, char *err, size_t errlen)
{
	struct client *cl = calloc(1, sizeof(*cl));
	struct hello_addr local;
	char ls[HELLO_ADDR_STRLEN];
	int rc = -1;

	memset(res, 0, sizeof(*res));
	if (!cl) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	cl->cfg = cfg;
	cl->fd = -1;
	hello_addr_str(&cfg->addr, cl->peer, sizeof(cl->peer));
	hello_outbuf_init(&cl->cur, CLIENT_REPLY_LIMIT);
	if (hello_frame_init(&cl->fr, HELLO_FRAMING_LINE, CLIENT_LINE_MAX, err, errlen) < 0)
		goto out;
	cl->fd = hello_net_tcp_socket(cfg->addr.ss.ss_family, err, errlen);
	if (cl->fd < 0)
		goto out;
	if (cfg->nodelay && hello_net_set_nodelay(cl->fd, err, errlen) < 0)
		goto out;
	if (hello_net_connect(cl->fd, &cfg->addr, cfg->connect_timeout_ms, err, errlen) < 0)
		goto out;
	hello_net_local(cl->fd, &local);
	hello_log_event(cfg->log, HELLO_LOG_MAIN, "connect", "local=%s peer=%s", hello_addr_str(&local, ls, sizeof(ls)), cl->peer);
	if (client_greeting(cl, err, errlen) < 0 || client_names(cl, res, err, errlen) < 0)
		goto out;
	rc = client_close(cl, res, err, errlen);
out:
	if (rc < 0 && hello_sig_stop())
		errno = EINTR;
	hello_net_close(cl->fd);
	hello_frame_free(&cl->fr);
	hello_outbuf_free(&cl->cur);
	free(cl);
	return rc;
}

int tcp_client_check_names(const struct tcp_client_cfg *cfg, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < cfg->nnames; i++) {
		const char *n = cfg->names[i];
		if (cfg->framing == HELLO_FRAMING_RAW && !*n) {
			snprintf(err, errlen, "message %zu is empty: raw framing cannot send an empty message", i + 1);
			return -1;
		}
		if (cfg->framing == HELLO_FRAMING_LINE && strchr(n, '\n')) {
			snprintf(err, errlen, "message %zu holds a newline: line framing would split it", i + 1);
			return -1;
		}
		if (strlen(n) > CLIENT_LINE_MAX - HELLO_REPLY_OVERHEAD - 2) {
			snprintf(err, errlen, "message %zu is %zu bytes; the client's limit is %d", i + 1, strlen(n),
				 CLIENT_LINE_MAX - HELLO_REPLY_OVERHEAD - 2);
			return -1;
		}
	}
	return 0;
}
