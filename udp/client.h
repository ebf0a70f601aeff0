/* udp/client.h: the hello UDP client's exchange: one datagram per name, a timeout, retries, missing replies. */
#ifndef UDP_CLIENT_H
#define UDP_CLIENT_H

#include <stddef.h>
#include <stdio.h>

#include "core/addr.h"
#include "core/log.h"

struct udp_client_cfg {
	struct hello_addr addr;
	int timeout_ms;         /* wait for each reply */
	int retries;            /* sends after the first, per name */
	int connect;            /* connected socket: ICMP port unreachable becomes ECONNREFUSED */
	char *const *names;
	size_t nnames;
	FILE *out;              /* replies, one per line; NULL = quiet */
	FILE *report;           /* "no reply to 'Tracy' after 3 tries" lines */
	FILE *retry;            /* "no reply to 'Tracy' within 300 ms (try 1 of 2): sending it again";
	                         * NULL = quiet */
	const struct hello_log *log;
};

struct udp_client_result {
	size_t replies, missing;
};

/* One round of all names; 0 (missing replies are counted, not errors), or -1 with err. */
int udp_client_round(const struct udp_client_cfg *cfg, struct udp_client_result *res, char *err, size_t errlen);
/* Names longer than HELLO_UDP_MAX_MSG cannot be answered in one datagram; 0 or -1 with err. */
int udp_client_check_names(const struct udp_client_cfg *cfg, char *err, size_t errlen);

#endif
