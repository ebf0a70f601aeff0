/* tcp/client.h: the hello TCP client's exchange: greeting, names, exit, and a deliberate close. */
#ifndef TCP_CLIENT_H
#define TCP_CLIENT_H

#include <stddef.h>
#include <stdio.h>

#include "core/addr.h"
#include "core/log.h"
#include "core/proto.h"

/* Who closes first decides who holds TIME_WAIT (docs/protocol.md). */
enum tcp_close_mode {
	TCP_CLOSE_WAIT_EOF,     /* send exit, read until the server closes, then close: server TIME_WAIT */
	TCP_CLOSE_AFTER_EXIT,   /* send exit and close at once, like the tutorial: the FINs race */
	TCP_CLOSE_FIRST,        /* close without sending exit: client TIME_WAIT */
};

struct tcp_client_cfg {
	struct hello_addr addr;
	enum hello_framing framing;
	int connect_timeout_ms;
	int timeout_ms;             /* each wait for data */
	enum tcp_close_mode close_mode;
	int linger0, nodelay, burst;
	char *const *names;
	size_t nnames;
	FILE *out;                  /* greeting and replies, one per line; NULL = quiet */
	const struct hello_log *log;    /* event lines (-v); fd -1 = off */
};

struct tcp_client_result {
	size_t replies;             /* replies counted (raw burst: may be fewer than names) */
	int reset_after_exit;       /* the server's close was a reset */
};

/* One exchange on a new connection; 0, or -1 with err (errno EINTR when a stop was requested). */
int tcp_client_exchange(const struct tcp_client_cfg *cfg, struct tcp_client_result *res, char *err, size_t errlen);
/* Checks the names against the framing (line: no "\n"; raw: not empty); 0 or -1 with err. */
int tcp_client_check_names(const struct tcp_client_cfg *cfg, char *err, size_t errlen);

#endif
