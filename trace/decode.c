/* trace/decode.c: link, IPv4/IPv6, TCP, UDP and ICMP decoding through a checked cursor. */
#include "trace/decode.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>

/* cap: bytes captured from here on; len: bytes that exist on the wire according to the
 * headers read so far. Running out of cap is "truncated", out of len is "invalid". */
struct cur {
	const uint8_t *p;
	size_t cap, len;
};

enum { CUR_OK = 0, CUR_TRUNC = 1, CUR_SHORT = 2 };

static int cur_take(struct cur *c, size_t n, const uint8_t **out)
{
	if (n > c->len)
		return CUR_SHORT;
	if (n > c->cap)
		return CUR_TRUNC;
	*out = c->p;
	c->p += n, c->cap -= n, c->len -= n;
	return CUR_OK;
}

/* Narrows the cursor to the n bytes a header says follow (drops link padding). */
static void cur_limit(struct cur *c, size_t n)
{
	if (n < c->len)
		c->len = n;
	if (c->cap > c->len)
		c->cap = c->len;
}

static uint16_t be16(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

static uint32_t be32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* Records where decoding stopped; returns 1 so callers can `return stop(...)`. */
static int stop(struct trace_pkt *k, int why, const char *where)
{
	if (why == CUR_SHORT)
		k->invalid = where;
	else
		k->truncated = where;
	return 1;
}

static int invalid(struct trace_pkt *k, const char *field)
{
	k->invalid = field;
	return 1;
}

int trace_decode_dlt_supported(int dlt)
{
	switch (dlt) {
	case DLT_EN10MB: case DLT_LINUX_SLL: case DLT_LINUX_SLL2: case DLT_NULL:
	case DLT_LOOP: case DLT_RAW: case DLT_IPV4: case DLT_IPV6:
		return 1;
	}
	return 0;
}

/* ---- transport ---- */

static int decode_tcpopts(const uint8_t *o, size_t n, struct trace_tcpopt *t)
{
	size_t i = 0;

	t->any = n > 0;
	while (i < n) {
		uint8_t kind = o[i], len;
		if (kind == 0)		/* end of option list */
			break;
		if (kind == 1) {	/* no-operation */
			i++;
			continue;
		}
		if (i + 1 >= n)
			return -1;
		len = o[i + 1];
		if (len < 2 || i + len > n)
			return -1;
		const uint8_t *v = o + i + 2;
		if (kind == 2 && len == 4)
			t->has_mss = 1, t->mss = be16(v);
		else if (kind == 3 && len == 3)
			t->has_wscale = 1, t->wscale = v[0];
		else if (kind == 4 && len == 2)
			t->sack_permitted = 1;
		else if (kind == 5 && len >= 10 && (len - 2) % 8 == 0) {
			for (size_t b = 0; b < (size_t)(len - 2) / 8 && t->nsack < TRACE_SACK_MAX; b++) {
				t->sack[t->nsack][0] = be32(v + b * 8);
				t->sack[t->nsack][1] = be32(v + b * 8 + 4);
				t->nsack++;
			}
		} else if (kind == 8 && len == 10)
			t->has_ts = 1, t->tsval = be32(v), t->tsecr = be32(v + 4);
		i += len;
	}
	return 0;
}

static void take_payload(struct cur *c, struct trace_pkt *k)
{
	k->payload = c->p;
	k->payload_len = (uint32_t)c->len;
	k->payload_cap = (uint32_t)c->cap;
	if (c->cap < c->len)
		k->truncated = "payload";
}

static int decode_tcp(struct cur *c, struct trace_pkt *k)
{
	const uint8_t *h, *o;
	int r;

	k->l4 = TRACE_L4_TCP;
	/* The ports alone are worth keeping: they still tie a cut segment to its flow. */
	if (c->cap >= 4 && c->len >= 4)
		k->sport = be16(c->p), k->dport = be16(c->p + 2);
	if ((r = cur_take(c, 20, &h)) != CUR_OK)
		return stop(k, r, "tcp");
	k->seq = be32(h + 4);
	k->ack = be32(h + 8);
	k->tcp_flags = h[13];
	k->win = be16(h + 14);
	k->urp = be16(h + 18);
	k->l4_complete = 1;
	size_t hl = (size_t)(h[12] >> 4) * 4;
	if (hl < 20)
		return invalid(k, "tcp data offset");
	if ((r = cur_take(c, hl - 20, &o)) != CUR_OK) {
		if (r == CUR_SHORT)
			return invalid(k, "tcp data offset");
		/* Options cut by the snap length: the payload's length is still known. */
		k->payload_len = (uint32_t)(c->len - (hl - 20));
		return stop(k, r, "tcp options");
	}
	if (decode_tcpopts(o, hl - 20, &k->opt) < 0)
		return invalid(k, "tcp option length");
	take_payload(c, k);
	return k->truncated != NULL;
}

static int decode_udp(struct cur *c, struct trace_pkt *k)
{
	const uint8_t *h;
	int r;

	k->l4 = TRACE_L4_UDP;
	if (c->cap >= 4 && c->len >= 4)
		k->sport = be16(c->p), k->dport = be16(c->p + 2);
	if ((r = cur_take(c, 8, &h)) != CUR_OK)
		return stop(k, r, "udp");
	k->l4_complete = 1;
	size_t ulen = be16(h + 4);
	if (ulen < 8 || ulen - 8 > c->len)
		return invalid(k, "udp length");
	cur_limit(c, ulen - 8);
	take_payload(c, k);
	return k->truncated != NULL;
}

static int decode_ip(struct cur *c, struct trace_pkt *k, int quoted);

/* The packet an ICMP error quotes: its IP header and the start of its transport header.
 * Senders may quote little (RFC 792: 8 bytes), so a short quote is neither cut nor wrong. */
static int decode_quote(struct cur *c, struct trace_pkt *k)
{
	struct trace_pkt q;
	struct trace_quote *t = &k->quote;

	memset(&q, 0, sizeof(q));
	decode_ip(c, &q, 1);
	if (q.truncated)	/* the capture, not the sender, cut the quote short */
		stop(k, CUR_TRUNC, "icmp quoted packet");
	if (!q.have_ip)
		return k->truncated != NULL;
	t->have_ip = 1;
	t->src = q.src, t->dst = q.dst, t->proto = q.ip_proto, t->ip_id = q.ip_id;
	if (q.l4_complete >= 1)
		t->have_ports = 1, t->sport = q.sport, t->dport = q.dport;
	if (q.l4_complete >= 2 && q.l4 == TRACE_L4_TCP)
		t->have_seq = 1, t->seq = q.seq;
	return k->truncated != NULL;
}

/* In a quote only the first 8 transport bytes are promised: ports, then TCP's seq.
 * l4_complete says how far it got: 1 = ports, 2 = ports and seq. */
static int decode_quoted_l4(struct cur *c, struct trace_pkt *k)
{
	const uint8_t *h;
	int r;

	k->l4 = k->ip_proto == IPPROTO_TCP ? TRACE_L4_TCP :
		k->ip_proto == IPPROTO_UDP ? TRACE_L4_UDP : TRACE_L4_OTHER;
	if (k->l4 == TRACE_L4_OTHER)
		return 0;
	if ((r = cur_take(c, 4, &h)) != CUR_OK)
		return stop(k, r, "quoted transport");
	k->sport = be16(h), k->dport = be16(h + 2);
	k->l4_complete = 1;
	if ((r = cur_take(c, 4, &h)) != CUR_OK)
		return r == CUR_TRUNC ? stop(k, r, "quoted transport") : 0;
	k->seq = be32(h);
	k->l4_complete = 2;
	return 0;
}

static int is_icmp_error(int v6, uint8_t type)
{
	if (v6)
		return type >= 1 && type <= 4;
	return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
}

static int decode_icmp(struct cur *c, struct trace_pkt *k, int v6)
{
	const uint8_t *h;
	int r;

	k->l4 = v6 ? TRACE_L4_ICMP6 : TRACE_L4_ICMP;
	if ((r = cur_take(c, 8, &h)) != CUR_OK)
		return stop(k, r, v6 ? "icmpv6" : "icmp");
	k->l4_complete = 1;
	k->icmp_type = h[0];
	k->icmp_code = h[1];
	k->icmp_error = is_icmp_error(v6, h[0]);
	if (k->icmp_error)
		return decode_quote(c, k);
	take_payload(c, k);
	return k->truncated != NULL;
}

/* ---- network ---- */

static int decode_l4(struct cur *c, struct trace_pkt *k, int quoted)
{
	if (quoted)
		return decode_quoted_l4(c, k);
	switch (k->ip_proto) {
	case IPPROTO_TCP: return decode_tcp(c, k);
	case IPPROTO_UDP: return decode_udp(c, k);
	case IPPROTO_ICMP: return k->have_ip == 4 ? decode_icmp(c, k, 0) : 0;
	case IPPROTO_ICMPV6: return k->have_ip == 6 ? decode_icmp(c, k, 1) : 0;
	}
	k->l4 = TRACE_L4_OTHER;
	return 0;
}

static int decode_ipv4(struct cur *c, struct trace_pkt *k, int quoted)
{
	const uint8_t *h, *opts;
	int r;

	if ((r = cur_take(c, 20, &h)) != CUR_OK)
		return stop(k, r, "ipv4");
	if (h[0] >> 4 != 4)
		return invalid(k, "ipv4 version");
	size_t hl = (size_t)(h[0] & 0x0f) * 4, tot = be16(h + 2);
	if (hl < 20)
		return invalid(k, "ipv4 header length");
	/* A quote may hold a shortened copy; only its own header's length is checked. */
	if (!quoted && (tot < hl || tot - 20 > c->len))
		return invalid(k, "ipv4 total length");
	k->have_ip = 4;
	k->src.family = k->dst.family = AF_INET;
	memcpy(k->src.a, h + 12, 4);
	memcpy(k->dst.a, h + 16, 4);
	k->ip_proto = h[9];
	k->ip_id = be16(h + 4);
	k->ip_len = (uint32_t)tot;
	if ((r = cur_take(c, hl - 20, &opts)) != CUR_OK)
		return stop(k, r, "ipv4 options");
	if (!quoted)
		cur_limit(c, tot - hl);
	if (be16(h + 6) & 0x1fff) {	/* a later fragment: no transport header here */
		k->l4 = TRACE_L4_OTHER;
		return 0;
	}
	return decode_l4(c, k, quoted);
}

/* RFC 8200 section 4: extension headers that share the (next header, length) layout. */
static int ipv6_ext_generic(uint8_t nh)
{
	return nh == 0 || nh == 43 || nh == 60 || nh == 135 || nh == 139 || nh == 140;
}

static int decode_ipv6(struct cur *c, struct trace_pkt *k, int quoted)
{
	const uint8_t *h, *e;
	int r;

	if ((r = cur_take(c, 40, &h)) != CUR_OK)
		return stop(k, r, "ipv6");
	if (h[0] >> 4 != 6)
		return invalid(k, "ipv6 version");
	size_t plen = be16(h + 4);
	if (!quoted && plen > c->len)
		return invalid(k, "ipv6 payload length");
	k->have_ip = 6;
	k->src.family = k->dst.family = AF_INET6;
	memcpy(k->src.a, h + 8, 16);
	memcpy(k->dst.a, h + 24, 16);
	k->ip_len = (uint32_t)(plen + 40);
	if (!quoted)
		cur_limit(c, plen);
	uint8_t nh = h[6];
	for (int n = 0; n < 16; n++) {
		if (ipv6_ext_generic(nh) || nh == 51) {
			if ((r = cur_take(c, 2, &e)) != CUR_OK)
				return stop(k, r, "ipv6 extension");
			size_t el = nh == 51 ? ((size_t)e[1] + 2) * 4 : ((size_t)e[1] + 1) * 8;
			nh = e[0];
			if ((r = cur_take(c, el - 2, &e)) != CUR_OK)
				return stop(k, r, "ipv6 extension");
		} else if (nh == 44) {	/* fragment header */
			if ((r = cur_take(c, 8, &e)) != CUR_OK)
				return stop(k, r, "ipv6 extension");
			nh = e[0];
			if (be16(e + 2) >> 3) {
				k->ip_proto = nh;
				k->l4 = TRACE_L4_OTHER;
				return 0;
			}
		} else {
			k->ip_proto = nh;
			return decode_l4(c, k, quoted);
		}
	}
	return invalid(k, "ipv6 extension chain");
}

static int decode_ip(struct cur *c, struct trace_pkt *k, int quoted)
{
	if (c->cap < 1)
		return stop(k, c->len < 1 ? CUR_SHORT : CUR_TRUNC, "ip");
	switch (c->p[0] >> 4) {
	case 4: return decode_ipv4(c, k, quoted);
	case 6: return decode_ipv6(c, k, quoted);
	}
	return invalid(k, "ip version");
}

/* ---- link ---- */

/* The IP version an EtherType announces, 0 for anything else. */
static int ethertype_ip(uint16_t t)
{
	return t == 0x0800 ? 4 : t == 0x86dd ? 6 : 0;
}

static int decode_link(int dlt, struct cur *c, struct trace_pkt *k, int *ip)
{
	const uint8_t *h;
	int r;

	switch (dlt) {
	case DLT_EN10MB: {
		if ((r = cur_take(c, 14, &h)) != CUR_OK)
			return stop(k, r, "ethernet");
		uint16_t t = be16(h + 12);
		for (int n = 0; n < 2 && (t == 0x8100 || t == 0x88a8); n++) {
			if ((r = cur_take(c, 4, &h)) != CUR_OK)
				return stop(k, r, "vlan");
			t = be16(h + 2);
		}
		*ip = ethertype_ip(t);
		return 0;
	}
	case DLT_LINUX_SLL:
		if ((r = cur_take(c, 16, &h)) != CUR_OK)
			return stop(k, r, "linux cooked");
		*ip = ethertype_ip(be16(h + 14));
		return 0;
	case DLT_LINUX_SLL2:
		if ((r = cur_take(c, 20, &h)) != CUR_OK)
			return stop(k, r, "linux cooked v2");
		*ip = ethertype_ip(be16(h));
		return 0;
	case DLT_NULL:
	case DLT_LOOP: {
		if ((r = cur_take(c, 4, &h)) != CUR_OK)
			return stop(k, r, "loopback");
		/* NULL is in the writer's byte order: take whichever reading is small. */
		uint32_t fam = be32(h);
		if (fam > 0xffff)
			fam = (uint32_t)h[3] << 24 | (uint32_t)h[2] << 16 | (uint32_t)h[1] << 8 | h[0];
		*ip = fam == 2 ? 4 : (fam == 10 || fam == 24 || fam == 28 || fam == 30) ? 6 : 0;
		return 0;
	}
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
		*ip = -1;	/* the version nibble tells */
		return 0;
	}
	return -1;
}

int trace_decode(int dlt, const uint8_t *p, uint32_t caplen, uint32_t wirelen,
		 struct trace_pkt *k)
{
	struct cur c = { p, caplen, wirelen > caplen ? wirelen : caplen };
	int ip = 0, r;

	memset(k, 0, sizeof(*k));
	k->caplen = caplen;
	k->wirelen = wirelen;
	if ((r = decode_link(dlt, &c, k, &ip)) != 0)
		return r;
	if (ip == 0)
		return 0;	/* not IP (ARP, ...): nothing more to decode */
	size_t before = c.len;
	/* The link header named the version: a cut or a mismatch is that version's. */
	r = ip == 4 ? decode_ipv4(&c, k, 0) : ip == 6 ? decode_ipv6(&c, k, 0) : decode_ip(&c, k, 0);
	if (k->have_ip && k->ip_len == 0)
		k->ip_len = (uint32_t)before;
	return r != 0 || k->truncated || k->invalid;
}

/* ---- helpers ---- */

const char *trace_addr_str(const struct trace_addr *a, char *buf, size_t len)
{
	if (!a->family || !inet_ntop(a->family, a->a, buf, (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}

int trace_addr_eq(const struct trace_addr *x, const struct trace_addr *y)
{
	size_t n = x->family == AF_INET ? 4 : 16;
	return x->family == y->family && memcmp(x->a, y->a, n) == 0;
}

static const struct {
	int v6;
	uint8_t type;
	int code;	/* -1: any code */
	const char *text;
} icmp_texts[] = {
	/* RFC 792 and RFC 1812 section 5.2.7.1 */
	{ 0, 0, -1, "echo reply" },
	{ 0, 3, 0, "net unreachable" },
	{ 0, 3, 1, "host unreachable" },
	{ 0, 3, 2, "protocol unreachable" },
	{ 0, 3, 3, "port unreachable" },
	{ 0, 3, 4, "fragmentation needed" },
	{ 0, 3, 9, "network administratively prohibited" },
	{ 0, 3, 10, "host administratively prohibited" },
	{ 0, 3, 13, "communication administratively prohibited" },
	{ 0, 3, -1, "destination unreachable" },
	{ 0, 4, -1, "source quench" },
	{ 0, 5, -1, "redirect" },
	{ 0, 8, -1, "echo request" },
	{ 0, 11, 0, "ttl exceeded in transit" },
	{ 0, 11, 1, "fragment reassembly time exceeded" },
	{ 0, 11, -1, "time exceeded" },
	{ 0, 12, -1, "parameter problem" },
	/* RFC 4443 */
	{ 1, 1, 0, "no route to destination" },
	{ 1, 1, 1, "administratively prohibited" },
	{ 1, 1, 3, "address unreachable" },
	{ 1, 1, 4, "port unreachable" },
	{ 1, 1, -1, "destination unreachable" },
	{ 1, 2, -1, "packet too big" },
	{ 1, 3, 0, "hop limit exceeded in transit" },
	{ 1, 3, -1, "time exceeded" },
	{ 1, 4, -1, "parameter problem" },
	{ 1, 128, -1, "echo request" },
	{ 1, 129, -1, "echo reply" },
};

const char *trace_icmp_text(int v6, uint8_t type, uint8_t code)
{
	for (size_t i = 0; i < sizeof(icmp_texts) / sizeof(icmp_texts[0]); i++)
		if (icmp_texts[i].v6 == !!v6 && icmp_texts[i].type == type &&
		    (icmp_texts[i].code < 0 || icmp_texts[i].code == code))
			return icmp_texts[i].text;
	return v6 ? "icmpv6" : "icmp";
}

void trace_preview(const uint8_t *p, size_t len, size_t max, char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	for (size_t i = 0; i < len && i < max; i++) {
		uint8_t b = p[i];
		if (b == '\n' || b == '\r' || b == '\t' || b == '\\') {
			out[o++] = '\\';
			out[o++] = b == '\n' ? 'n' : b == '\r' ? 'r' : b == '\t' ? 't' : '\\';
		} else if (b >= 0x20 && b < 0x7f) {
			out[o++] = (char)b;
		} else {
			out[o++] = '\\', out[o++] = 'x';
			out[o++] = hex[b >> 4], out[o++] = hex[b & 15];
		}
	}
	out[o] = '\0';
}
