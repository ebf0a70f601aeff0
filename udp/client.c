/* udp/client.c: the hello UDP client's exchange: one datagram per name, a timeout, retries, missing replies. */
#include "udp/client.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "core/proto.h"
#include "core/sig.h"
#include "net/net.h"

#define UDP_CLIENT_RECV 65536

struct uclient {
	const struct udp_client_cfg *cfg;
	int fd;
	char peer[HELLO_ADDR_STRLEN];
	uint8_t want[HELLO_UDP_MAX_PAYLOAD];    /* the reply expected now */
	size_t want_len;
	uint8_t in[UDP_CLIENT_RECV];
};

static void uc_log_bytes(struct uclient *u, const char *event, const uint8_t *p, size_t len)
{
	char who[HELLO_ADDR_STRLEN + 8];

	snprintf(who, sizeof(who), "peer=%s", u->peer);
	hello_log_bytes(u->cfg->log, HELLO_LOG_MAIN, event, who, p, len);
}

static int uc_send(struct uclient *u, const char *msg, char *err, size_t errlen)
{
	size_t len = strlen(msg);

	uc_log_bytes(u, "send", (const uint8_t *)msg, len);
	/* A connected socket takes no address: sendto(NULL) is send(2). */
	return hello_net_sendto(u->fd, msg, len, u->cfg->connect ? NULL : &u->cfg->addr, err, errlen) < 0 ? -1 : 0;
}

/* Waits for the expected reply until deadline: 1 got it, 0 timed out, -1 error. */
static int uc_wait_reply(struct uclient *u, int64_t deadline, char *err, size_t errlen)
{
	struct hello_addr from;
	int64_t left;
	ssize_t n;
	int r, trunc;

	for (;;) {
		left = deadline - hello_clock_ms();
		if (left <= 0)
			return 0;
		r = hello_net_wait_from(u->fd, &u->cfg->addr, (int)left);
		if (r == 0)
			return 0;
		if (r < 0) {
			snprintf(err, errlen, "poll: %s", strerror(errno));
			return -1;
		}
		n = hello_net_recvfrom(u->fd, u->in, sizeof(u->in), &from, &trunc, u->peer, err, errlen);
		if (n < 0)
			return -1;
		/* Unconnected, anyone can send us datagrams: only the server's count. */
		if (!u->cfg->connect && !hello_addr_equal(&from, &u->cfg->addr)) {
			char fs[HELLO_ADDR_STRLEN];
			hello_log_event(u->cfg->log, HELLO_LOG_MAIN, "ignored", "from=%s len=%zd",
					hello_addr_str(&from, fs, sizeof(fs)), n);
			continue;
		}
		if ((size_t)n == u->want_len && memcmp(u->in, u->want, u->want_len) == 0) {
			uc_log_bytes(u, "reply", u->in, (size_t)n);
			if (u->cfg->out) {
				fwrite(u->in, 1, (size_t)n, u->cfg->out);
				fputc('\n', u->cfg->out);
				fflush(u->cfg->out);
			}
			return 1;
		}
		/* A late answer to an earlier try or name: not the one we wait for. */
		uc_log_bytes(u, "stale", u->in, (size_t)n);
	}
}

/* Sends one name up to 1 + retries times; 1 answered, 0 missing, -1 error. */
static int uc_name(struct uclient *u, const char *name, char *err, size_t errlen)
{
	int tries, r;

	u->want_len = hello_proto_reply(HELLO_FRAMING_RAW, (const uint8_t *)name, strlen(name), u->want, sizeof(u->want));
	for (tries = 1; tries <= 1 + u->cfg->retries; tries++) {
		if (uc_send(u, name, err, errlen) < 0)
			return -1;
		r = uc_wait_reply(u, hello_clock_ms() + u->cfg->timeout_ms, err, errlen);
		if (r != 0)
			return r;
		hello_log_event(u->cfg->log, HELLO_LOG_MAIN, "timeout", "peer=%s try=%d ms=%d", u->peer, tries, u->cfg->timeout_ms);
		/* a student sees the retry happen, not only the final verdict */
		if (u->cfg->retry && tries <= u->cfg->retries)
			fprintf(u->cfg->retry, "hello-udp-client: no reply to '%s' within %d ms (try %d of %d): "
				"sending it again\n", name, u->cfg->timeout_ms, tries, 1 + u->cfg->retries);
	}
	if (u->cfg->report)
		fprintf(u->cfg->report, "hello-udp-client: no reply to '%s' after %d %s\n", name, tries - 1, tries - 1 == 1 ? "try" : "tries");
	return 0;
}

int udp_client_round(const struct udp_client_cfg *cfg, struct udp_client_result *res, char *err, size_t errlen)
{
	struct uclient *u = calloc(1, sizeof(*u));
	size_t i;
	int r, rc = -1;

	memset(res, 0, sizeof(*res));
	if (!u) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	u->cfg = cfg;
	hello_addr_str(&cfg->addr, u->peer, sizeof(u->peer));
	u->fd = hello_net_udp_socket(cfg->addr.ss.ss_family, NULL, err, errlen);
	if (u->fd < 0)
		goto out;
	if (cfg->connect && hello_net_udp_connect(u->fd, &cfg->addr, err, errlen) < 0)
		goto out;
	for (i = 0; i < cfg->nnames; i++) {
		r = uc_name(u, cfg->names[i], err, errlen);
		if (r < 0)
			goto out;
		if (r > 0)
			res->replies++;
		else
			res->missing++;
	}
	rc = 0;
out:
	hello_net_close(u->fd);
	free(u);
	return rc;
}

int udp_client_check_names(const struct udp_client_cfg *cfg, char *err, size_t errlen)
{
	size_t i, n;

	for (i = 0; i < cfg->nnames; i++) {
		n = strlen(cfg->names[i]);
		if (n > HELLO_UDP_MAX_MSG) {
			snprintf(err, errlen, "message %zu is %zu bytes; the limit is %d (its reply must fit one %d-byte UDP datagram)",
				 i + 1, n, HELLO_UDP_MAX_MSG, HELLO_UDP_MAX_PAYLOAD);
			return -1;
		}
	}
	return 0;
}
