/* tests/fuzz/fuzz_decode.c: libFuzzer harness: one frame of a chosen link type through trace_decode. */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "trace/decode.h"

/* Input: byte 0 picks the link type (low 3 bits) and how far the wire length exceeds the
 * captured length (high 5 bits: 0 = frame complete); the rest is the frame. */
static const int fuzz_dlts[8] = {
	DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_NULL, DLT_LOOP, DLT_RAW, DLT_IPV4, DLT_IPV6,
};

/* The decoder's promises, checked on every input: a crash is not the only failure. */
static void fuzz_check(const struct trace_pkt *k, const uint8_t *p, uint32_t caplen, int rc)
{
	if (k->caplen != caplen)
		abort();
	if (k->payload) {
		if (k->payload < p || k->payload + k->payload_cap > p + caplen)
			abort();		/* payload outside the captured bytes */
		if (k->payload_cap > k->payload_len)
			abort();		/* captured more payload than the headers say exist */
	} else if (k->payload_cap) {
		abort();
	}
	if (rc == 0 && (k->truncated || k->invalid))
		abort();		/* "decoded fully" yet marked cut or invalid */
	if (rc == 1 && !k->truncated && !k->invalid)
		abort();
	if (k->opt.nsack < 0 || k->opt.nsack > TRACE_SACK_MAX)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct trace_pkt k;
	char addr[TRACE_ADDRSTRLEN];
	char *prev;

	if (size < 1 || size > 1 << 20)
		return 0;
	int dlt = fuzz_dlts[data[0] & 7];
	uint32_t caplen = (uint32_t)(size - 1);
	uint32_t wirelen = caplen + (uint32_t)(data[0] >> 3) * 97;
	/* A copy of exactly caplen bytes, so AddressSanitizer sees a read one past the end. */
	uint8_t *p = malloc(caplen ? caplen : 1);
	if (!p)
		return 0;
	memcpy(p, data + 1, caplen);
	int rc = trace_decode(dlt, p, caplen, wirelen, &k);
	if (rc < 0)
		abort();		/* every link type in the table is supported */
	fuzz_check(&k, p, caplen, rc);
	if (k.have_ip) {
		trace_addr_str(&k.src, addr, sizeof(addr));
		trace_addr_str(&k.dst, addr, sizeof(addr));
	}
	if (k.quote.have_ip)
		trace_addr_str(&k.quote.src, addr, sizeof(addr));
	if (k.l4 == TRACE_L4_ICMP || k.l4 == TRACE_L4_ICMP6)
		(void)strlen(trace_icmp_text(k.l4 == TRACE_L4_ICMP6, k.icmp_type, k.icmp_code));
	if (k.payload && (prev = malloc(4 * 48 + 1))) {
		trace_preview(k.payload, k.payload_cap, 48, prev);
		if (strlen(prev) > 4 * 48)
			abort();
		free(prev);
	}
	free(p);
	return 0;
}
