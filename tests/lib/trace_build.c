/* tests/lib/trace_build.c: packet bytes for the trace tests, with real checksums so tshark agrees. */
#include "tests/lib/trace_build.h"

#include <arpa/inet.h>
#include <pcap/pcap.h>
#include <string.h>

#include "trace/decode.h"
#include "trace/json.h"
#include "trace/model.h"
#include "trace/model_flow.h"
#include "trace/model_packet.h"

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)(v >> 16)); put16(p + 2, (uint16_t)v); }

static uint32_t sum(const uint8_t *p, size_t n, uint32_t s)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* Ethernet + IP header for `plen` bytes of protocol `proto`; returns the IP header size. */
static size_t ip_header(uint8_t *buf, int v6, const char *src, const char *dst, uint8_t proto,
			size_t plen, uint32_t *pseudo)
{
	memset(buf, 0, 14);
	buf[0] = 2, buf[6] = 2, buf[11] = 1;
	put16(buf + 12, v6 ? 0x86dd : 0x0800);
	uint8_t *ip = buf + 14;
	if (v6) {
		memset(ip, 0, 40);
		ip[0] = 0x60;
		put16(ip + 4, (uint16_t)plen);
		ip[6] = proto;
		ip[7] = 64;
		inet_pton(AF_INET6, src, ip + 8);
		inet_pton(AF_INET6, dst, ip + 24);
		*pseudo = sum(ip + 8, 32, 0) + proto + (uint32_t)plen;
		return 40;
	}
	memset(ip, 0, 20);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(20 + plen));
	put16(ip + 4, 0x1234);
	ip[8] = 64;
	ip[9] = proto;
	inet_pton(AF_INET, src, ip + 12);
	inet_pton(AF_INET, dst, ip + 16);
	put16(ip + 10, fold(sum(ip, 20, 0)));
	*pseudo = sum(ip + 12, 8, 0) + proto + (uint32_t)plen;
	return 20;
}

static size_t tcp_opts(uint8_t *o, int kind)
{
	static const uint8_t syn[] = { 2, 4, 0xff, 0xd7, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7 };
	static const uint8_t ts[] = { 1, 1, 8, 10, 0, 0, 0, 2, 0, 0, 0, 1 };
	static const uint8_t sack[] = { 1, 1, 5, 10, 0, 0, 0x03, 0xe9, 0, 0, 0x03, 0xf0 };

	switch (kind) {
	case TB_OPT_SYN: memcpy(o, syn, sizeof(syn)); return sizeof(syn);
	case TB_OPT_TS: memcpy(o, ts, sizeof(ts)); return sizeof(ts);
	case TB_OPT_SACK:
		memcpy(o, ts, sizeof(ts));
		memcpy(o + sizeof(ts), sack, sizeof(sack));
		return sizeof(ts) + sizeof(sack);
	}
	return 0;
}

size_t tb_tcp(uint8_t *buf, size_t cap, const struct tb_ep *src, const struct tb_ep *dst,
	      uint32_t seq, uint32_t ack, uint8_t flags, uint16_t win, int opts,
	      const void *payload, size_t plen)
{
	uint8_t o[40];
	size_t ol = tcp_opts(o, opts), tl = 20 + ol + plen;
	uint32_t ps;

	if (cap < 14 + 40 + tl)
		return 0;
	size_t ih = ip_header(buf, src->v6, src->addr, dst->addr, 6, tl, &ps);
	uint8_t *t = buf + 14 + ih;
	memset(t, 0, 20);
	put16(t, src->port);
	put16(t + 2, dst->port);
	put32(t + 4, seq);
	put32(t + 8, ack);
	t[12] = (uint8_t)((20 + ol) / 4 << 4);
	t[13] = flags;
	put16(t + 14, win);
	memcpy(t + 20, o, ol);
	if (plen)
		memcpy(t + 20 + ol, payload, plen);
	put16(t + 16, fold(sum(t, tl, ps)));
	return 14 + ih + tl;
}

size_t tb_udp(uint8_t *buf, size_t cap, const struct tb_ep *src, const struct tb_ep *dst,
	      const void *payload, size_t plen)
{
	uint32_t ps;

	if (cap < 14 + 40 + 8 + plen)
		return 0;
	size_t ih = ip_header(buf, src->v6, src->addr, dst->addr, 17, 8 + plen, &ps);
	uint8_t *u = buf + 14 + ih;
	put16(u, src->port);
	put16(u + 2, dst->port);
	put16(u + 4, (uint16_t)(8 + plen));
	put16(u + 6, 0);
	if (plen)
		memcpy(u + 8, payload, plen);
	uint16_t c = fold(sum(u, 8 + plen, ps));
	put16(u + 6, c ? c : 0xffff);
	return 14 + ih + 8 + plen;
}

size_t tb_icmp_unreach(uint8_t *buf, size_t cap, const char *from, const char *to, int v6,
		       const uint8_t *frame, size_t frame_len)
{
	size_t q = frame_len - 14, il = 8 + q;
	uint32_t ps;

	if (cap < 14 + 40 + il)
		return 0;
	size_t ih = ip_header(buf, v6, from, to, v6 ? 58 : 1, il, &ps);
	uint8_t *c = buf + 14 + ih;
	memset(c, 0, 8);
	c[0] = v6 ? 1 : 3;
	c[1] = v6 ? 4 : 3;
	memcpy(c + 8, frame + 14, q);
	put16(c + 2, fold(sum(c, il, v6 ? ps : 0)));
	return 14 + ih + il;
}

static uint8_t parse_flags(const char *s)
{
	uint8_t f = 0;
	for (; *s; s++)
		f |= *s == 'S' ? TRACE_TH_SYN : *s == 'F' ? TRACE_TH_FIN : *s == 'R' ? TRACE_TH_RST :
		     *s == 'P' ? TRACE_TH_PSH : *s == 'A' ? TRACE_TH_ACK : 0;
	return f;
}

uint32_t tb_isn_offset;
int64_t tb_time_offset;

int tb_run(struct trace_model *m, const struct tb_step *steps, int v6, uint32_t snaplen)
{
	struct tb_ep ep[2] = { { v6, v6 ? "fd00::1" : "10.0.0.1", 40000 },
			       { v6, v6 ? "fd00::2" : "10.0.0.2", 9999 } };
	uint32_t nxt[2] = { 1000 + tb_isn_offset, 5000 + tb_isn_offset }, before[2], last_data[2] = { 0, 0 };
	uint8_t buf[2048];

	before[0] = nxt[0], before[1] = nxt[1];
	for (int i = 0; steps[i].who; i++) {
		const struct tb_step *st = &steps[i];
		int me = st->who == 'S', peer = !me;
		uint8_t f = parse_flags(st->flags);
		size_t len = st->data ? strlen(st->data) : 0;
		uint32_t seq = st->retransmit ? last_data[me] : nxt[me];
		uint32_t ack = (f & TRACE_TH_ACK) ? (st->stale_ack ? before[peer] : nxt[peer]) : 0;
		int opts = st->opts ? st->opts : (f & TRACE_TH_SYN) ? TB_OPT_SYN : TB_OPT_NONE;
		size_t n = tb_tcp(buf, sizeof(buf), &ep[me], &ep[peer], seq, ack, f,
				  st->zero_win ? 0 : 65483, opts, st->data, len);
		if (!st->retransmit) {
			before[me] = nxt[me];
			if (len)
				last_data[me] = nxt[me];
			nxt[me] += (uint32_t)len + !!(f & TRACE_TH_SYN) + !!(f & TRACE_TH_FIN);
		}
		uint32_t cap = snaplen && snaplen < n ? snaplen : (uint32_t)n;
		if (trace_model_add_packet(m, TB_T0 + tb_time_offset + i * 100, buf, cap, (uint32_t)n) < 0)
			return -1;
	}
	return 0;
}

struct trace_model *tb_model(int live, size_t max_flows, const struct trace_sink *sink)
{
	char err[128];
	struct trace_model_opts o = { max_flows, 0, sink, NULL };
	struct trace_model *m = trace_model_new(&o, err, sizeof(err));

	if (m)
		trace_model_set_capture(m, live, live ? "lo" : "test.pcap", NULL, 65535, DLT_EN10MB, "EN10MB");
	return m;
}

json_t *tb_document(struct trace_model *m)
{
	json_t *d = trace_model_finish(m) == 0 ? trace_json_document(m) : NULL;

	trace_model_free(m);
	return d;
}
