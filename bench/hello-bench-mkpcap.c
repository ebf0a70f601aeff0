/* bench/hello-bench-mkpcap.c: writes a pcap of N packets of hello conversations (TCP and UDP) for the tracer benchmark. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pcap/pcap.h>

#include "core/opt.h"
#include "core/proto.h"

#define PROG "hello-bench-mkpcap"

/*
 * The conversations are the tutorial's: TCP connect, "hello!", Michael/Tracy/Sarah and
 * their replies, "exit", the server closes first (15 packets); every fifth conversation
 * is UDP instead (three request/reply pairs). Each conversation has its own client
 * address and port, so no flow is ever reused; packets are 10 us apart. Checksums are
 * correct so a decoder that checks them sees clean traffic.
 */
enum { OPT_OUTPUT = HELLO_OPT_FIRST_PROGRAM, OPT_PACKETS };

static const struct hello_opt opts[] = {
	{ "output", 0, "FILE", OPT_OUTPUT, "the pcap to write (required)" },
	{ "packets", 0, "N", OPT_PACKETS, "how many packets (default 1000000)" },
	{ 0 },
};

static const struct hello_usage usage = {
	.prog = PROG,
	.args = "--output FILE [--packets N]",
	.summary = "Write a pcap (Ethernet) of N packets of hello conversations on port 9999: four TCP\n"
		   "exchanges of the tutorial (15 packets each) for every UDP one (6 packets).",
	.opts = opts,
	.common = HELLO_OPT_USE_HELP | HELLO_OPT_USE_VERSION,
	.exit_fail = "the file could not be written",
};

struct mk_opts {
	const char *path;
	long want;
};

static int parse_opt(void *arg, const struct hello_opt_hit *h, char *err, size_t errlen)
{
	struct mk_opts *o = arg;

	if (h->id == OPT_OUTPUT) {
		o->path = h->val;
		return 0;
	}
	return hello_opt_long(h->name, h->val, 1, 100000000L, &o->want, err, errlen);
}

#define F_FIN 0x01
#define F_SYN 0x02
#define F_PSH 0x08
#define F_ACK 0x10

struct gen {
	pcap_dumper_t *d;
	long want, done;
	uint64_t t_us;
	uint32_t cip, sip;
	uint16_t cport, sport;
	uint32_t cseq, sseq;    /* next sequence number of each side */
	uint8_t pkt[256];
};

static uint32_t sum16(const uint8_t *p, size_t len, uint32_t s)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		s += (uint32_t)(p[len - 1] << 8);
	return s;
}

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)(v >> 16)); put16(p + 2, (uint16_t)v); }

/* Ethernet + IPv4 around an L4 header and payload already at pkt + 34; writes the packet. */
static void gen_emit(struct gen *g, int c2s, uint8_t proto, size_t l4len)
{
	static const uint8_t mac_c[6] = { 2, 0, 0, 0, 0, 1 }, mac_s[6] = { 2, 0, 0, 0, 0, 2 };
	uint8_t *e = g->pkt, *ip = g->pkt + 14, *l4 = g->pkt + 34, pseudo[12];
	uint32_t src = c2s ? g->cip : g->sip, dst = c2s ? g->sip : g->cip;
	struct pcap_pkthdr h;
	size_t csum_off = proto == IPPROTO_TCP ? 16 : 6;
	uint16_t cs;

	memcpy(e, c2s ? mac_s : mac_c, 6);
	memcpy(e + 6, c2s ? mac_c : mac_s, 6);
	put16(e + 12, 0x0800);
	memset(ip, 0, 20);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(20 + l4len));
	put16(ip + 4, (uint16_t)g->done);
	ip[6] = 0x40;                       /* DF, as Linux sets it */
	ip[8] = 64;
	ip[9] = proto;
	put32(ip + 12, src);
	put32(ip + 16, dst);
	put16(ip + 10, fold(sum16(ip, 20, 0)));
	memcpy(pseudo, ip + 12, 8);
	pseudo[8] = 0;
	pseudo[9] = proto;
	put16(pseudo + 10, (uint16_t)l4len);
	put16(l4 + csum_off, 0);
	cs = fold(sum16(l4, l4len, sum16(pseudo, 12, 0)));
	put16(l4 + csum_off, proto == IPPROTO_UDP && cs == 0 ? 0xffff : cs);
	h.ts.tv_sec = (time_t)(1700000000 + g->t_us / 1000000);
	h.ts.tv_usec = (suseconds_t)(g->t_us % 1000000);
	h.caplen = h.len = (bpf_u_int32)(34 + l4len);
	pcap_dump((u_char *)g->d, &h, g->pkt);
	g->t_us += 10;
	g->done++;
}

static void gen_tcp(struct gen *g, int c2s, uint8_t flags, const char *data)
{
	uint8_t *t = g->pkt + 34;
	size_t len = data ? strlen(data) : 0;
	uint32_t *seq = c2s ? &g->cseq : &g->sseq, *ack = c2s ? &g->sseq : &g->cseq;

	if (g->done >= g->want)
		return;
	memset(t, 0, 20);
	put16(t, c2s ? g->cport : g->sport);
	put16(t + 2, c2s ? g->sport : g->cport);
	put32(t + 4, *seq);
	put32(t + 8, flags & F_ACK ? *ack : 0);
	t[12] = 5 << 4;
	t[13] = flags;
	put16(t + 14, 65483);
	memcpy(t + 20, data ? data : "", len);
	gen_emit(g, c2s, IPPROTO_TCP, 20 + len);
	*seq += (uint32_t)len + ((flags & (F_SYN | F_FIN)) ? 1 : 0);
}

static void gen_udp(struct gen *g, int c2s, const char *data)
{
	uint8_t *u = g->pkt + 34;
	size_t len = strlen(data);

	if (g->done >= g->want)
		return;
	put16(u, c2s ? g->cport : g->sport);
	put16(u + 2, c2s ? g->sport : g->cport);
	put16(u + 4, (uint16_t)(8 + len));
	memcpy(u + 8, data, len);
	gen_emit(g, c2s, IPPROTO_UDP, 8 + len);
}

static void gen_conversation(struct gen *g, long i)
{
	static const char *names[] = { "Michael", "Tracy", "Sarah" };
	char reply[64];
	unsigned k;

	/* 10.1.0.0/16 and up: one client address per 20000 conversations, one port each. */
	g->cip = 0x0a010001u + (uint32_t)(i / 20000);
	g->cport = (uint16_t)(40000 + i % 20000);
	g->sip = 0x0a000001u;
	g->sport = HELLO_DEFAULT_PORT;
	g->cseq = 1000000u + (uint32_t)i * 7919u;
	g->sseq = 3000000000u + (uint32_t)i * 104729u;
	if (i % 5 == 4) {
		for (k = 0; k < 3; k++) {
			snprintf(reply, sizeof(reply), "Hello, %s!", names[k]);
			gen_udp(g, 1, names[k]);
			gen_udp(g, 0, reply);
		}
		return;
	}
	gen_tcp(g, 1, F_SYN, NULL);
	gen_tcp(g, 0, F_SYN | F_ACK, NULL);
	gen_tcp(g, 1, F_ACK, NULL);
	gen_tcp(g, 0, F_PSH | F_ACK, HELLO_GREETING);
	gen_tcp(g, 1, F_ACK, NULL);
	for (k = 0; k < 3; k++) {
		snprintf(reply, sizeof(reply), "Hello, %s!", names[k]);
		gen_tcp(g, 1, F_PSH | F_ACK, names[k]);
		gen_tcp(g, 0, F_PSH | F_ACK, reply);
	}
	gen_tcp(g, 1, F_PSH | F_ACK, HELLO_EXIT_MSG);
	gen_tcp(g, 0, F_FIN | F_ACK, NULL);
	gen_tcp(g, 1, F_FIN | F_ACK, NULL);
	gen_tcp(g, 0, F_ACK, NULL);
}

int main(int argc, char **argv)
{
	struct mk_opts o = { NULL, 1000000 };
	struct gen g;
	const char *path;
	pcap_t *p;
	long i;
	int rc;

	if ((rc = hello_opt_main(&usage, argc, argv, NULL, parse_opt, &o, NULL)) >= 0)
		return rc;
	if (!o.path)
		return hello_opt_usage_error(PROG, "--output FILE is required");
	memset(&g, 0, sizeof(g));
	g.want = o.want;
	path = o.path;
	p = pcap_open_dead(DLT_EN10MB, 65535);
	if (!p || !(g.d = pcap_dump_open(p, path))) {
		fprintf(stderr, "%s: %s: %s\n", PROG, path, p ? pcap_geterr(p) : "pcap_open_dead failed");
		if (p)
			pcap_close(p);
		return HELLO_EXIT_FAIL;
	}
	for (i = 0; g.done < g.want; i++)
		gen_conversation(&g, i);
	if (pcap_dump_flush(g.d) < 0) {
		fprintf(stderr, "%s: %s: write failed\n", PROG, path);
		pcap_dump_close(g.d);
		pcap_close(p);
		return HELLO_EXIT_FAIL;
	}
	pcap_dump_close(g.d);
	pcap_close(p);
	return HELLO_EXIT_OK;
}
