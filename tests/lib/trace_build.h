/* tests/lib/trace_build.h: builds Ethernet frames (TCP, UDP, ICMP over IPv4/IPv6) and scripted TCP talks for the trace tests. */
#ifndef TESTS_TRACE_BUILD_H
#define TESTS_TRACE_BUILD_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct trace_model;
struct trace_sink;

struct tb_ep {
	int v6;
	const char *addr;
	uint16_t port;
};

enum { TB_OPT_NONE, TB_OPT_SYN, TB_OPT_TS, TB_OPT_SACK };

/* Each returns the frame length (Ethernet + IP + transport + payload), 0 if cap is short. */
size_t tb_tcp(uint8_t *buf, size_t cap, const struct tb_ep *src, const struct tb_ep *dst,
	      uint32_t seq, uint32_t ack, uint8_t flags, uint16_t win, int opts,
	      const void *payload, size_t plen);
size_t tb_udp(uint8_t *buf, size_t cap, const struct tb_ep *src, const struct tb_ep *dst,
	      const void *payload, size_t plen);
/* ICMP port unreachable (v4: 3/3, v6: 1/4) from `from` to `to`, quoting the IP packet at
 * `frame` + 14 (a frame built by tb_udp/tb_tcp) of frame_len bytes. */
size_t tb_icmp_unreach(uint8_t *buf, size_t cap, const char *from, const char *to, int v6,
		       const uint8_t *frame, size_t frame_len);

/* One segment of a scripted TCP conversation: seq/ack follow from the script. */
struct tb_step {
	char who;		/* 'C' client, 'S' server */
	const char *flags;	/* "S", "SA", "A", "PA", "FA", "R", "RA" */
	const char *data;
	int opts;		/* TB_OPT_*; SYNs default to TB_OPT_SYN */
	int retransmit;		/* resend this side's previous data segment */
	int stale_ack;		/* acknowledge what the peer had sent before its last segment */
	int zero_win;
};

/* Feeds steps (until who == 0) to m as Ethernet frames, 100 us apart, cut to snaplen
 * (0: whole). Client 10.0.0.1:40000 (or fd00::1), server 10.0.0.2:9999 (fd00::2). */
int tb_run(struct trace_model *m, const struct tb_step *steps, int v6, uint32_t snaplen);

/* A model of an Ethernet capture: live on "lo" or from the file "test.pcap", with
 * --max-flows max_flows (0: the default), streaming into sink (NULL: a document). NULL
 * when out of memory. */
struct trace_model *tb_model(int live, size_t max_flows, const struct trace_sink *sink);
/* Finishes and frees m; its whole document, or NULL when the finish failed. */
json_t *tb_document(struct trace_model *m);

/* Added to tb_run's ISNs (client 1000, server 5000) and frame times: a second run is a
 * new connection on the same ports, later. */
extern uint32_t tb_isn_offset;
extern int64_t tb_time_offset;

/* The time of the first frame tb_run and the tests use, in microseconds. */
#define TB_T0 1700000000000000LL

#endif
