/* tcp/server.h: the TCP server every concurrency model runs: its settings, the model names, the shared parts. */
#ifndef TCP_SERVER_H
#define TCP_SERVER_H

#include <stddef.h>

#include "core/log.h"
#include "tcp/conn.h"

enum tcp_model { TCP_MODEL_ITERATIVE, TCP_MODEL_FORK, TCP_MODEL_THREAD, TCP_MODEL_EVENT };

struct tcp_server {
	int lfd;                    /* listening socket; closed by the model on --once */
	struct tcp_srv_cfg cfg;
	struct hello_log log;
	struct tcp_stats *stats;    /* shared memory: the fork model's children count too */
	int once;                   /* serve one connection, then stop */
	unsigned long max_clients;  /* 0 = no limit (iterative: always one at a time) */
	unsigned long next_id;
};

int tcp_model_parse(const char *s, enum tcp_model *m, char *err, size_t errlen);
const char *tcp_model_name(enum tcp_model m);

/* How often a blocked loop looks at the stop flag (threads do not get the signal). */
#define TCP_STOP_POLL_MS 100

/* Shared by the models (tcp/server.c). */
/* Waits up to wait_ms for a connection: fd, or -1 (errno EAGAIN: nothing yet or a
 * transient accept error already logged; EINTR: stop requested). */
int tcp_server_accept(struct tcp_server *s, struct hello_addr *peer, int wait_ms);
/* Serves one connection to its end in the calling thread (iterative, thread, fork). */
void tcp_server_serve_one(struct tcp_server *s, int fd, const struct hello_addr *peer, unsigned long id);
/* The listening socket is closed after --once's connection so later connects are refused. */
void tcp_server_close_listener(struct tcp_server *s);

#endif
