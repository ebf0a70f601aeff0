/* net/dgram.h: datagrams in batches: many queued datagrams received, and their replies sent, in one system call each. */
#ifndef HELLO_DGRAM_H
#define HELLO_DGRAM_H

#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"

/* One datagram of a batch: the caller's buffer and what arrived in it, or what goes out. */
struct hello_dgram {
	uint8_t *buf;
	size_t cap;             /* receive: the buffer's size */
	size_t len;             /* received (at most cap), or to send */
	size_t real_len;        /* receive: the datagram's length on the wire (more than cap: cut) */
	struct hello_addr addr; /* its source, or its destination */
};

/*
 * Receives up to n queued datagrams without blocking (recvmmsg(2) on Linux; one
 * recvfrom(2) elsewhere). Returns how many (>= 1), 0 when none is queued, -1 with err
 * ("recv: ..."). Not recorded as socket calls (--events): a program recording them uses
 * hello_net_recvfrom, one call a datagram, so its timeline shows the calls it made.
 */
int hello_dgram_recv(int fd, struct hello_dgram *d, int n, char *err, size_t errlen);

/*
 * Sends d[0..n), each to its address (sendmmsg(2) on Linux). Returns how many went out
 * in order; when that is less than n, d[ret] failed and err says why ("sendto ADDR: ...").
 */
int hello_dgram_send(int fd, struct hello_dgram *d, int n, char *err, size_t errlen);

#endif
