/* trace/decode.h: one captured frame's bytes -> struct trace_pkt, read through checked cursors. */
#ifndef TRACE_DECODE_H
#define TRACE_DECODE_H

#include <stddef.h>
#include <stdint.h>

/* TCP header flag bits (RFC 9293 section 3.1, plus RFC 3168's ECE and CWR). */
#define TRACE_TH_FIN 0x01
#define TRACE_TH_SYN 0x02
#define TRACE_TH_RST 0x04
#define TRACE_TH_PSH 0x08
#define TRACE_TH_ACK 0x10
#define TRACE_TH_URG 0x20
#define TRACE_TH_ECE 0x40
#define TRACE_TH_CWR 0x80

#define TRACE_SACK_MAX 4
#define TRACE_ADDRSTRLEN 48

struct trace_addr {
	int family;		/* AF_INET or AF_INET6; 0 when unknown */
	uint8_t a[16];		/* IPv4 in the first 4 bytes */
};

/* TCP options (RFC 9293 3.2, RFC 7323 window scale and timestamps, RFC 2018 SACK). */
struct trace_tcpopt {
	int any;
	int has_mss, has_wscale, sack_permitted, has_ts;
	uint16_t mss;
	uint8_t wscale;
	uint32_t tsval, tsecr;
	int nsack;
	uint32_t sack[TRACE_SACK_MAX][2];
};

enum trace_l4 {
	TRACE_L4_NONE = 0,	/* no IP layer decoded */
	TRACE_L4_TCP,
	TRACE_L4_UDP,
	TRACE_L4_ICMP,
	TRACE_L4_ICMP6,
	TRACE_L4_OTHER,		/* another IP protocol, or a non-first fragment */
};

/* What an ICMP/ICMPv6 error quotes of the packet that caused it. */
struct trace_quote {
	int have_ip, have_ports, have_seq;
	struct trace_addr src, dst;
	uint8_t proto;		/* IPPROTO_TCP / IPPROTO_UDP / ... */
	uint16_t ip_id;
	uint16_t sport, dport;
	uint32_t seq;
};

struct trace_pkt {
	uint32_t caplen, wirelen;

	int have_ip;		/* 4 or 6 once the IP header decoded; 0 otherwise */
	struct trace_addr src, dst;
	uint8_t ip_proto;	/* the transport protocol after IPv6 extension headers */
	uint16_t ip_id;
	uint32_t ip_len;	/* bytes from the IP header on, as the header says */

	enum trace_l4 l4;
	int l4_complete;	/* the fixed transport header was fully captured */
	uint16_t sport, dport;

	uint32_t seq, ack;
	uint8_t tcp_flags;
	uint16_t win, urp;
	struct trace_tcpopt opt;

	uint8_t icmp_type, icmp_code;
	int icmp_error;		/* an error message that quotes a packet */
	struct trace_quote quote;

	const uint8_t *payload;	/* transport payload as captured */
	uint32_t payload_len;	/* its length according to the headers */
	uint32_t payload_cap;	/* how much of it was captured */

	const char *truncated;	/* header decoding stopped in ("ipv4", "tcp options", ...) */
	const char *invalid;	/* the field that cannot be right ("tcp data offset", ...) */
};

/* Decodes a frame of link type dlt (pcap DLT_ value). Never reads past caplen. Returns 0
 * when the frame decoded fully, 1 when it is truncated or invalid (recorded in out,
 * with every field decoded so far), -1 for an unsupported link type. */
int trace_decode(int dlt, const uint8_t *p, uint32_t caplen, uint32_t wirelen,
		 struct trace_pkt *out);

/* Whether dlt is one of the link types trace_decode understands. */
int trace_decode_dlt_supported(int dlt);

/* "127.0.0.1" or "::1"; buf holds at least TRACE_ADDRSTRLEN bytes. */
const char *trace_addr_str(const struct trace_addr *a, char *buf, size_t len);
int trace_addr_eq(const struct trace_addr *x, const struct trace_addr *y);

/* ICMP/ICMPv6 type/code in words ("port unreachable"); never NULL. */
const char *trace_icmp_text(int v6, uint8_t type, uint8_t code);

/* Escapes up to max bytes of payload into out ("hello\n" -> "hello\\n", others \xNN).
 * out must hold 4 * max + 1 bytes. */
void trace_preview(const uint8_t *p, size_t len, size_t max, char *out);

#endif
