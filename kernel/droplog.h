/* kernel/droplog.h: the packets a lab's nftables rules dropped, read from an nflog group in each namespace. */
#ifndef KERNEL_DROPLOG_H
#define KERNEL_DROPLOG_H

#include <stddef.h>
#include <stdint.h>

#define KERNEL_DROPLOG_MAX_NS 8
#define KERNEL_DROPLOG_RULE_MAX 64

/* One logged packet: which rule (the log prefix), when, and the packet from its IP header. */
struct kernel_drop {
	int has_ts;			/* the kernel stamped it (NFULA_TIMESTAMP) */
	int64_t ts_us;			/* then wall-clock microseconds */
	char rule[KERNEL_DROPLOG_RULE_MAX];	/* "" when the rule gave no prefix */
	int family;			/* the header's: AF_INET, AF_INET6 */
	const uint8_t *ip;		/* NFULA_PAYLOAD: the network header on; NULL if absent */
	size_t ip_len;
};

/*
 * Reads one DLT_NFLOG record (what libpcap gives for "nflog:GROUP"): a 4-byte header, then
 * attributes of {length, type} in host byte order, each padded to 4 bytes. Never reads
 * past len; -1 with err ("nflog: attribute 3 of 24 bytes runs past the 20 captured").
 */
int kernel_droplog_decode(const uint8_t *p, size_t len, struct kernel_drop *d, char *err,
			  size_t errlen);

typedef int (*kernel_drop_fn)(void *arg, const struct kernel_drop *d);

struct kernel_droplog {
	struct {
		void *pcap;		/* pcap_t bound to the group in that namespace */
		char name[128];		/* the --netns it was opened in; "" for ours */
	} h[KERNEL_DROPLOG_MAX_NS];
	size_t n;
	int group;
	uint64_t logged, malformed;
};

/*
 * Binds nflog group in each namespace (NAME or PATH, as --netns; none: ours), once per
 * namespace however many names it has. A namespace where a rule drops with
 * "log group G queue-threshold 1" then reports each dropped packet at once.
 */
int kernel_droplog_open(struct kernel_droplog *dl, int group, const char *const *netns, size_t nnetns,
			char *err, size_t errlen);

/* Hands every record waiting to fn, without blocking; malformed ones are counted. Returns
 * how many were handed over, or -1 with err when reading failed. */
int kernel_droplog_read(struct kernel_droplog *dl, kernel_drop_fn fn, void *arg, char *err, size_t errlen);

/* Safe twice and on a zeroed struct. */
void kernel_droplog_close(struct kernel_droplog *dl);

#endif
