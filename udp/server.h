/* udp/server.h: the hello UDP server's loop: each datagram is one message, answered "Hello, <msg>!" to its source. */
#ifndef UDP_SERVER_H
#define UDP_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"
#include "core/log.h"
#include "core/proto.h"

/* Larger than any UDP payload (65507 over IPv4, 65527 over IPv6), so nothing is cut unseen. */
#define UDP_RECV_MAX 65536

#define UDP_WHO_CACHE 256
/* Datagrams taken from the queue in one call when nothing asks for one at a time. */
#define UDP_BATCH 32

struct udp_server {
	int fd;				/* a bound UDP socket (hello_net_udp_socket) */
	long delay_ms, max_msg;		/* --delay, --max-msg */
	int once;			/* answer one datagram, then return */
	struct hello_log log;
	unsigned long datagrams, replies, dropped;
	/* The last peers' "peer=ADDR" strings, by a hash of the address: a ping-pong load from
	 * a few sockets formats each address once, not once per datagram. */
	struct udp_who {
		struct hello_addr addr;
		char who[HELLO_ADDR_STRLEN + 8];
	} who[UDP_WHO_CACHE];
	uint8_t in[UDP_RECV_MAX], out[UDP_RECV_MAX + HELLO_REPLY_OVERHEAD];
	/* The batch path (docs/logging.md, "UDP"): queued datagrams and their replies. */
	uint8_t bin[UDP_BATCH][UDP_RECV_MAX], bout[UDP_BATCH][UDP_RECV_MAX + HELLO_REPLY_OVERHEAD];
};

/* Answers datagrams until a stop is requested (hello_sig_stop) or, with once, after the
 * first. Returns 0, or -1 with err when waiting on the socket failed. Each datagram,
 * reply and drop is a detail line of s->log. */
int udp_server_run(struct udp_server *s, char *err, size_t errlen);

#endif
