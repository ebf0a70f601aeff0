/* kernel/droplog.c: the packets a lab's nftables rules dropped, read from an nflog group in each namespace. */
#include "kernel/droplog.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "kernel/netns.h"

/* linux/netfilter/nfnetlink_log.h, enum nfulnl_attr_type */
#define NFULA_TIMESTAMP 3
#define NFULA_PAYLOAD 9
#define NFULA_PREFIX 10

#define DROPLOG_SNAPLEN 512		/* headers and the start of a payload identify a packet */

static uint16_t host16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof v);
	return v;
}

static uint64_t be64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static int attr(struct kernel_drop *d, unsigned type, const uint8_t *v, size_t n, char *err, size_t errlen)
{
	switch (type) {
	case NFULA_TIMESTAMP:
		if (n < 16) {
			snprintf(err, errlen, "nflog: timestamp of %zu bytes (16 expected)", n);
			return -1;
		}
		/* a time the kernel cannot have given (past year 292277) is no time */
		if (be64(v) > INT64_MAX / 1000000 - 1 || be64(v + 8) >= 1000000) {
			snprintf(err, errlen, "nflog: timestamp out of range");
			return -1;
		}
		d->has_ts = 1;
		d->ts_us = (int64_t)be64(v) * 1000000 + (int64_t)be64(v + 8);
		return 0;
	case NFULA_PAYLOAD:
		d->ip = v;
		d->ip_len = n;
		return 0;
	case NFULA_PREFIX:
		/* NUL-terminated by the kernel; a longer one is cut, never read past n */
		snprintf(d->rule, sizeof d->rule, "%.*s", (int)strnlen((const char *)v, n), (const char *)v);
		return 0;
	default:
		return 0;
	}
}

int kernel_droplog_decode(const uint8_t *p, size_t len, struct kernel_drop *d, char *err, size_t errlen)
{
	size_t off = 4;

	memset(d, 0, sizeof *d);
	if (len < 4) {
		snprintf(err, errlen, "nflog: %zu bytes, shorter than its 4-byte header", len);
		return -1;
	}
	d->family = p[0];
	while (off + 4 <= len) {
		size_t alen = host16(p + off);
		unsigned type = host16(p + off + 2) & 0x7fff;	/* without NLA_F_NESTED */

		if (alen < 4 || alen > len - off) {
			snprintf(err, errlen, "nflog: attribute %u of %zu bytes runs past the %zu captured",
				 type, alen, len);
			return -1;
		}
		if (attr(d, type, p + off + 4, alen - 4, err, errlen) < 0)
			return -1;
		off += (alen + 3) & ~(size_t)3;
	}
	return 0;
}

static void *open_one(int group, char *err, size_t errlen)
{
	char dev[32], ebuf[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p;

	snprintf(dev, sizeof dev, "nflog:%d", group);
	if (!(p = pcap_create(dev, ebuf))) {
		snprintf(err, errlen, "%s: %s", dev, ebuf);
		return NULL;
	}
	pcap_set_snaplen(p, DROPLOG_SNAPLEN);
	pcap_set_immediate_mode(p, 1);
	if (pcap_activate(p) < 0 || pcap_setnonblock(p, 1, ebuf) < 0) {
		snprintf(err, errlen, "%s: %s", dev, *pcap_geterr(p) ? pcap_geterr(p) : ebuf);
		pcap_close(p);
		return NULL;
	}
	return p;
}

/* Whether namespace name is one already bound (one group, one listener per namespace). */
static int have_ns(const struct kernel_droplog *dl, const char *name)
{
	uint64_t ino = kernel_netns_ino(name);

	for (size_t i = 0; i < dl->n; i++)
		if (ino && kernel_netns_ino(dl->h[i].name) == ino)
			return 1;
	return 0;
}

int kernel_droplog_open(struct kernel_droplog *dl, int group, const char *const *netns, size_t nnetns,
			char *err, size_t errlen)
{
	char e[200];
	int back;

	memset(dl, 0, sizeof *dl);
	dl->group = group;
	if (group < 0 || group > 65535 || nnetns > KERNEL_DROPLOG_MAX_NS) {
		snprintf(err, errlen, "drop log: group %d of 0..65535, at most %d namespaces", group,
			 KERNEL_DROPLOG_MAX_NS);
		return -1;
	}
	if (nnetns == 0) {
		if (!(dl->h[0].pcap = open_one(group, err, errlen)))
			return -1;
		dl->n = 1;
		return 0;
	}
	for (size_t i = 0; i < nnetns; i++) {
		if (have_ns(dl, netns[i]))
			continue;
		if (kernel_netns_enter(netns[i], &back, err, errlen) < 0)
			goto fail;
		dl->h[dl->n].pcap = open_one(group, e, sizeof e);
		if (!dl->h[dl->n].pcap)
			snprintf(err, errlen, "netns %s: %s", netns[i], e);
		if (kernel_netns_leave(back, netns[i], err, errlen) < 0 || !dl->h[dl->n].pcap)
			goto fail;
		snprintf(dl->h[dl->n].name, sizeof dl->h[dl->n].name, "%s", netns[i]);
		dl->n++;
	}
	return 0;
fail:
	kernel_droplog_close(dl);
	return -1;
}

struct read_ctx {
	struct kernel_droplog *dl;
	kernel_drop_fn fn;
	void *arg;
	int n;
};

static void on_record(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct read_ctx *c = (struct read_ctx *)user;
	struct kernel_drop d;
	char e[160];

	if (kernel_droplog_decode(bytes, h->caplen, &d, e, sizeof e) < 0 || !d.ip) {
		c->dl->malformed++;
		return;
	}
	c->dl->logged++;
	c->n++;
	c->fn(c->arg, &d);
}

int kernel_droplog_read(struct kernel_droplog *dl, kernel_drop_fn fn, void *arg, char *err, size_t errlen)
{
	struct read_ctx c = { dl, fn, arg, 0 };

	for (size_t i = 0; i < dl->n; i++) {
		/* bounded: a lab's rules drop a handful; a flood is read on the next tick */
		for (int k = 0; k < 64; k++) {
			/* libpcap's nflog reader calls an empty socket an error: ask first */
			struct pollfd pfd = { pcap_get_selectable_fd(dl->h[i].pcap), POLLIN, 0 };
			int ready = pfd.fd < 0 ? 0 : poll(&pfd, 1, 0);
			if (ready < 0 && errno != EINTR) {
				snprintf(err, errlen, "drop log%s%s: poll: %s", dl->h[i].name[0] ? " in netns " : "",
					 dl->h[i].name, strerror(errno));
				return -1;
			}
			if (ready <= 0)
				break;
			int r = pcap_dispatch(dl->h[i].pcap, -1, on_record, (u_char *)&c);
			if (r == PCAP_ERROR) {
				snprintf(err, errlen, "drop log%s%s: %s", dl->h[i].name[0] ? " in netns " : "",
					 dl->h[i].name, pcap_geterr(dl->h[i].pcap));
				return -1;
			}
			if (r <= 0)
				break;
		}
	}
	return c.n;
}

void kernel_droplog_close(struct kernel_droplog *dl)
{
	for (size_t i = 0; i < KERNEL_DROPLOG_MAX_NS; i++) {
		if (dl->h[i].pcap)
			pcap_close(dl->h[i].pcap);
		dl->h[i].pcap = NULL;
	}
	dl->n = 0;
}
