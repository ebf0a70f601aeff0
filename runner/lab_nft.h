/* runner/lab_nft.h: impairment inside a lab's namespaces: nftables drops, netem delay where it exists. */
#ifndef LAB_NFT_H
#define LAB_NFT_H

#include <stddef.h>
#include <jansson.h>

#include "runner/lab_def.h"
#include "runner/lab_net.h"

/* Installs the lab's rules (and, when loss_percent > 0, random loss both ways on the
 * service port) in the table inet hellolab_PID of each namespace concerned; never
 * touches another table. notes (an array) receives plain-language remarks such as
 * "delay unavailable on this kernel (no netem): running without it". */
int lab_nft_up(const struct lab_def *d, const struct lab_net *n, int port, long loss_percent,
	       json_t *notes, char *err, size_t errlen);

/* The rules' counters: {"NAME": {"dropped": N, "rule": "...", "ns": "hl-1-lab"}, ...}.
 * Returns a new object (empty when there are no rules), NULL with err on failure. */
json_t *lab_nft_counters(const struct lab_def *d, const struct lab_net *n, long loss_percent,
			 char *err, size_t errlen);

/* The nflog group every drop rule logs to, in its own namespace: the tracer (--drop-log)
 * marks those packets as not delivered. Namespaces are the lab's own, so one number. */
#define LAB_NFT_LOG_GROUP 7
#define LAB_NFT_LOG_GROUP_STR "7"

/* The nft rule text for one drop rule (without "add rule inet T out"); exposed for tests. */
int lab_nft_rule_text(const struct lab_impair *im, int port, int bit, char *buf, size_t len);
/* A held flags rule's other two: the mark set when the other side sends the flag, and the
 * drop of this side's packets with it until then. 0, or -1 when not held or too long. */
int lab_nft_hold_text(const struct lab_impair *im, int port, int bit, char *mark, size_t mlen,
		      char *hold, size_t hlen);

#endif
