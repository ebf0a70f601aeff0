/* tcp/server_event.h: the event-loop model: one thread, every connection non-blocking. */
#ifndef TCP_SERVER_EVENT_H
#define TCP_SERVER_EVENT_H

#include <stddef.h>

#include "tcp/server.h"

/* Runs until --once is done or a stop is requested (hello_sig_stop); 0, or -1 with err. */
int tcp_run_event(struct tcp_server *s, char *err, size_t errlen);

#endif
