/* tcp/server.c: what every concurrency model shares: the model names, accept with a stop check, one connection served to its end. */
#include "tcp/server.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/sig.h"
#include "net/net.h"

static const char *const model_names[] = { "iterative", "fork", "thread", "event" };

int tcp_model_parse(const char *s, enum tcp_model *m, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < sizeof(model_names) / sizeof(model_names[0]); i++) {
		if (strcmp(s, model_names[i]) == 0) {
			*m = (enum tcp_model)i;
			return 0;
		}
	}
	snprintf(err, errlen, "--model: '%s' is not iterative, fork, thread or event", s);
	return -1;
}

const char *tcp_model_name(enum tcp_model m)
{
	return (size_t)m < sizeof(model_names) / sizeof(model_names[0]) ? model_names[m] : "?";
}

void tcp_server_close_listener(struct tcp_server *s)
{
	if (s->lfd >= 0) {
		hello_net_close(s->lfd);
		s->lfd = -1;
	}
}

int tcp_server_accept(struct tcp_server *s, struct hello_addr *peer, int wait_ms)
{
	char err[256];
	int r, fd;

	if (hello_sig_stop()) {
		errno = EINTR;
		return -1;
	}
	hello_log_flush(); /* nothing waits in the buffer while this thread blocks */
	r = hello_net_wait(s->lfd, POLLIN, wait_ms);
	if (r <= 0) {
		errno = r == 0 ? EAGAIN : errno;
		return -1;
	}
	fd = hello_net_accept(s->lfd, peer, err, sizeof(err));
	if (fd >= 0)
		return fd;
	if (errno == EINTR && hello_sig_stop())
		return -1;
	if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
		/* ECONNABORTED, EMFILE, ENOBUFS: the server lives on; a short pause keeps EMFILE from spinning. */
		hello_log_event(&s->log, HELLO_LOG_MAIN, "error", "error=\"%s\"", err);
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
			hello_clock_sleep_ms(100);
	}
	errno = EAGAIN;
	return -1;
}

void tcp_server_serve_one(struct tcp_server *s, int fd, const struct hello_addr *peer, unsigned long id)
{
	struct tcp_conn c;
	int64_t now = hello_clock_ms(), dl;
	int wait, r;

	if (tcp_conn_init(&c, fd, peer, id, &s->cfg, &s->log, s->stats, now) < 0)
		return;
	while (!tcp_conn_done(&c)) {
		if (hello_sig_stop()) {
			tcp_conn_abort(&c, "shutdown");
			break;
		}
		dl = tcp_conn_deadline(&c);
		wait = TCP_STOP_POLL_MS;
		if (dl >= 0 && dl - now < wait)
			wait = dl > now ? (int)(dl - now) : 0;
		hello_log_flush();
		r = hello_net_wait(c.fd, tcp_conn_events(&c), wait);
		now = hello_clock_ms();
		if (r > 0)
			tcp_conn_on_io(&c, (short)r, now);
		if (!tcp_conn_done(&c))
			tcp_conn_on_time(&c, now);
	}
	tcp_conn_finish(&c);
	hello_log_flush();
}
