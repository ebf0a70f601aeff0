/* net/dgram.c: datagrams in batches: many queued datagrams received, and their replies sent, in one system call each. */
#include "net/dgram.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

/* At most this many a call: enough to drain a busy queue, few enough for the stack. */
#define DGRAM_MAX 64

#ifdef __linux__
int hello_dgram_recv(int fd, struct hello_dgram *d, int n, char *err, size_t errlen)
{
	struct mmsghdr mm[DGRAM_MAX];
	struct iovec iov[DGRAM_MAX];
	int i, r;

	if (n > DGRAM_MAX)
		n = DGRAM_MAX;
	memset(mm, 0, sizeof(mm[0]) * (size_t)n);
	for (i = 0; i < n; i++) {
		iov[i] = (struct iovec){ d[i].buf, d[i].cap };
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
		mm[i].msg_hdr.msg_name = &d[i].addr.ss;
		mm[i].msg_hdr.msg_namelen = sizeof(d[i].addr.ss);
	}
	/* MSG_TRUNC: msg_len is the datagram's real length even when the buffer cut it. */
	while ((r = recvmmsg(fd, mm, (unsigned)n, MSG_DONTWAIT | MSG_TRUNC, NULL)) < 0 && errno == EINTR)
		;
	if (r < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;
		snprintf(err, errlen, "recv: %s", strerror(errno));
		return -1;
	}
	for (i = 0; i < r; i++) {
		d[i].addr.len = mm[i].msg_hdr.msg_namelen;
		d[i].real_len = mm[i].msg_len;
		d[i].len = d[i].real_len > d[i].cap ? d[i].cap : d[i].real_len;
	}
	return r;
}

int hello_dgram_send(int fd, struct hello_dgram *d, int n, char *err, size_t errlen)
{
	struct mmsghdr mm[DGRAM_MAX];
	struct iovec iov[DGRAM_MAX];
	char as[HELLO_ADDR_STRLEN];
	int i, r, done = 0;

	while (done < n) {
		int k = n - done > DGRAM_MAX ? DGRAM_MAX : n - done;

		memset(mm, 0, sizeof(mm[0]) * (size_t)k);
		for (i = 0; i < k; i++) {
			iov[i] = (struct iovec){ d[done + i].buf, d[done + i].len };
			mm[i].msg_hdr.msg_iov = &iov[i];
			mm[i].msg_hdr.msg_iovlen = 1;
			mm[i].msg_hdr.msg_name = &d[done + i].addr.ss;
			mm[i].msg_hdr.msg_namelen = d[done + i].addr.len;
		}
		while ((r = sendmmsg(fd, mm, (unsigned)k, 0)) < 0 && errno == EINTR)
			;
		if (r <= 0) {
			/* sendmmsg fails only when the first of its datagrams does: that one is d[done]. */
			snprintf(err, errlen, "sendto %s: %s", hello_addr_str(&d[done].addr, as, sizeof(as)),
				 r < 0 ? strerror(errno) : "nothing sent");
			return done;
		}
		done += r;
	}
	return done;
}
#else
int hello_dgram_recv(int fd, struct hello_dgram *d, int n, char *err, size_t errlen)
{
	ssize_t r;

	if (n < 1)
		return 0;
	d->addr.len = sizeof(d->addr.ss);
	while ((r = recvfrom(fd, d->buf, d->cap, MSG_DONTWAIT, (struct sockaddr *)&d->addr.ss, &d->addr.len)) < 0 &&
	       errno == EINTR)
		;
	if (r < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;
		snprintf(err, errlen, "recv: %s", strerror(errno));
		return -1;
	}
	d->len = d->real_len = (size_t)r;
	return 1;
}

int hello_dgram_send(int fd, struct hello_dgram *d, int n, char *err, size_t errlen)
{
	char as[HELLO_ADDR_STRLEN];
	int i;

	for (i = 0; i < n; i++) {
		if (sendto(fd, d[i].buf, d[i].len, 0, (const struct sockaddr *)&d[i].addr.ss, d[i].addr.len) < 0) {
			snprintf(err, errlen, "sendto %s: %s", hello_addr_str(&d[i].addr, as, sizeof(as)), strerror(errno));
			return i;
		}
	}
	return n;
}
#endif
