/* tcp/server_blocking.h: the blocking concurrency models: iterative, thread per connection, process per connection. */
#ifndef TCP_SERVER_BLOCKING_H
#define TCP_SERVER_BLOCKING_H

#include <stddef.h>

#include "tcp/server.h"

/* Each runs until --once is done or a stop is requested (hello_sig_stop); 0, or -1 with err. */
int tcp_run_iterative(struct tcp_server *s, char *err, size_t errlen);
int tcp_run_thread(struct tcp_server *s, char *err, size_t errlen);
int tcp_run_fork(struct tcp_server *s, char *err, size_t errlen);

#endif
