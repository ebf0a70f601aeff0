/* tests/unit/test_trace_decode.c: link types, IP/TCP/UDP/ICMP decoding, truncation at every byte, invalid fields. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <jansson.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>

#include "tests/lib/trace_build.h"
#include "trace/decode.h"
#include "trace/json.h"
#include "trace/model.h"
#include "trace/model_packet.h"

static const struct tb_ep c4 = { 0, "10.0.0.1", 40000 }, s4 = { 0, "10.0.0.2", 9999 };
static const struct tb_ep c6 = { 1, "fd00::1", 40000 }, s6 = { 1, "fd00::2", 9999 };

static size_t syn_frame(uint8_t *b, size_t cap, int v6)
{
	return tb_tcp(b, cap, v6 ? &c6 : &c4, v6 ? &s6 : &s4, 1000, 0, TRACE_TH_SYN, 65495,
		      TB_OPT_SYN, NULL, 0);
}

/* ---- link types: the same IP packet behind each header ---- */

static const struct {
	int dlt;
	uint8_t hdr[20];
	size_t hlen;
	int v6;
} links[] = {
	{ DLT_LINUX_SLL, { 0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, 0x08, 0x00 }, 16, 0 },
	{ DLT_LINUX_SLL, { 0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, 0x86, 0xdd }, 16, 1 },
	{ DLT_LINUX_SLL2, { 0x08, 0x00, 0, 0, 0, 0, 0, 1, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0 }, 20, 0 },
	{ DLT_NULL, { 2, 0, 0, 0 }, 4, 0 },		/* little-endian writer */
	{ DLT_NULL, { 0, 0, 0, 2 }, 4, 0 },		/* big-endian writer */
	{ DLT_NULL, { 30, 0, 0, 0 }, 4, 1 },		/* AF_INET6 on Darwin */
	{ DLT_LOOP, { 0, 0, 0, 24 }, 4, 1 },		/* AF_INET6 on OpenBSD */
	{ DLT_RAW, { 0 }, 0, 0 },
	{ DLT_RAW, { 0 }, 0, 1 },
	{ DLT_IPV4, { 0 }, 0, 0 },
	{ DLT_IPV6, { 0 }, 0, 1 },
};

static void test_link_types(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		uint8_t eth[256], f[256];
		struct trace_pkt k;
		size_t n = syn_frame(eth, sizeof(eth), links[i].v6);
		memcpy(f, links[i].hdr, links[i].hlen);
		memcpy(f + links[i].hlen, eth + 14, n - 14);
		size_t len = n - 14 + links[i].hlen;
		print_message("dlt %d v6 %d\n", links[i].dlt, links[i].v6);
		assert_int_equal(trace_decode(links[i].dlt, f, (uint32_t)len, (uint32_t)len, &k), 0);
		assert_int_equal(k.have_ip, links[i].v6 ? 6 : 4);
		assert_int_equal(k.l4, TRACE_L4_TCP);
		assert_int_equal(k.sport, 40000);
		assert_int_equal(k.dport, 9999);
		assert_int_equal(k.seq, 1000);
	}
	uint8_t b[4] = { 0 };
	struct trace_pkt k;
	assert_int_equal(trace_decode(DLT_IEEE802_11, b, 4, 4, &k), -1);
}

static void test_tcp_options(void **state)
{
	(void)state;
	uint8_t b[256];
	struct trace_pkt k;
	size_t n = syn_frame(b, sizeof(b), 0);

	assert_int_equal(trace_decode(DLT_EN10MB, b, (uint32_t)n, (uint32_t)n, &k), 0);
	assert_true(k.opt.has_mss && k.opt.has_wscale && k.opt.sack_permitted && k.opt.has_ts);
	assert_int_equal(k.opt.mss, 65495);
	assert_int_equal(k.opt.wscale, 7);
	assert_int_equal(k.opt.tsval, 1);
	n = tb_tcp(b, sizeof(b), &c4, &s4, 1001, 5001, TRACE_TH_ACK, 512, TB_OPT_SACK, NULL, 0);
	assert_int_equal(trace_decode(DLT_EN10MB, b, (uint32_t)n, (uint32_t)n, &k), 0);
	assert_int_equal(k.opt.nsack, 1);
	assert_int_equal(k.opt.sack[0][0], 0x3e9);
	assert_int_equal(k.opt.sack[0][1], 0x3f0);
	assert_int_equal(k.win, 512);
}

/* Hop-by-hop, destination options and a first fragment before the TCP header. */
static void test_ipv6_extensions(void **state)
{
	(void)state;
	uint8_t b[256], f[256];
	struct trace_pkt k;
	size_t n = syn_frame(b, sizeof(b), 1);
	static const uint8_t ext[] = {
		60, 0, 1, 4, 0, 0, 0, 0,	/* hop-by-hop -> destination options, 8 bytes */
		44, 0, 1, 4, 0, 0, 0, 0,	/* destination options -> fragment */
		6, 0, 0, 0, 0, 0, 0, 7,		/* fragment, offset 0 -> TCP */
	};
	memcpy(f, b, 54);
	memcpy(f + 54, ext, sizeof(ext));
	memcpy(f + 54 + sizeof(ext), b + 54, n - 54);
	f[14 + 6] = 0;			/* next header: hop-by-hop */
	uint16_t plen = (uint16_t)(n - 54 + sizeof(ext));
	f[14 + 4] = (uint8_t)(plen >> 8), f[14 + 5] = (uint8_t)plen;
	n += sizeof(ext);
	assert_int_equal(trace_decode(DLT_EN10MB, f, (uint32_t)n, (uint32_t)n, &k), 0);
	assert_int_equal(k.l4, TRACE_L4_TCP);
	assert_int_equal(k.dport, 9999);
	assert_true(k.opt.has_mss);
	/* A later fragment carries no transport header. */
	f[54 + 16 + 2] = 0, f[54 + 16 + 3] = 0x08;
	assert_int_equal(trace_decode(DLT_EN10MB, f, (uint32_t)n, (uint32_t)n, &k), 0);
	assert_int_equal(k.l4, TRACE_L4_OTHER);
	/* Cut inside the extension chain. */
	assert_int_equal(trace_decode(DLT_EN10MB, f, 60, (uint32_t)n, &k), 1);
	assert_string_equal(k.truncated, "ipv6 extension");
}

/* Every snap length from 0 to the whole frame: the layer named is where the cut fell. */
struct boundary {
	size_t upto;		/* cuts below this length stop in `name` */
	const char *name;
};

static void cut_everywhere(const uint8_t *f, size_t n, const struct boundary *b)
{
	for (size_t cut = 0; cut <= n; cut++) {
		struct trace_pkt k;
		int r = trace_decode(DLT_EN10MB, f, (uint32_t)cut, (uint32_t)n, &k);
		size_t j = 0;
		while (b[j].name && cut >= b[j].upto)
			j++;
		if (!b[j].name) {
			assert_int_equal(r, 0);
			assert_null(k.truncated);
			continue;
		}
		if (!k.truncated || strcmp(k.truncated, b[j].name))
			print_message("cut at %zu: got %s, want %s\n", cut, k.truncated ? k.truncated : "-", b[j].name);
		assert_int_equal(r, 1);
		assert_non_null(k.truncated);
		assert_string_equal(k.truncated, b[j].name);
		assert_null(k.invalid);
	}
}

static void test_truncated_every_byte(void **state)
{
	(void)state;
	uint8_t f[512];
	size_t n = syn_frame(f, sizeof(f), 0);
	const struct boundary syn4[] = { { 14, "ethernet" }, { 34, "ipv4" }, { 54, "tcp" },
					 { 74, "tcp options" }, { 0, NULL } };
	assert_int_equal(n, 74);
	cut_everywhere(f, n, syn4);

	n = syn_frame(f, sizeof(f), 1);
	const struct boundary syn6[] = { { 14, "ethernet" }, { 54, "ipv6" }, { 74, "tcp" },
					 { 94, "tcp options" }, { 0, NULL } };
	cut_everywhere(f, n, syn6);

	n = tb_tcp(f, sizeof(f), &s4, &c4, 5001, 1001, TRACE_TH_PSH | TRACE_TH_ACK, 512,
		   TB_OPT_TS, "hello!", 6);
	const struct boundary data4[] = { { 14, "ethernet" }, { 34, "ipv4" }, { 54, "tcp" },
					  { 66, "tcp options" }, { 72, "payload" }, { 0, NULL } };
	cut_everywhere(f, n, data4);

	n = tb_udp(f, sizeof(f), &c4, &s4, "Michael", 7);
	const struct boundary udp4[] = { { 14, "ethernet" }, { 34, "ipv4" }, { 42, "udp" },
					 { 49, "payload" }, { 0, NULL } };
	cut_everywhere(f, n, udp4);

	/* The payload's length survives a cut in the options. */
	struct trace_pkt k;
	n = tb_tcp(f, sizeof(f), &s4, &c4, 5001, 1001, TRACE_TH_PSH | TRACE_TH_ACK, 512,
		   TB_OPT_TS, "hello!", 6);
	assert_int_equal(trace_decode(DLT_EN10MB, f, 60, (uint32_t)n, &k), 1);
	assert_true(k.l4_complete);
	assert_int_equal(k.payload_len, 6);
	assert_int_equal(k.payload_cap, 0);
}

/* Fields that cannot be right: recorded as invalid, never read past. */
static void test_invalid_fields(void **state)
{
	(void)state;
	uint8_t f[256];
	struct trace_pkt k;
	const struct { size_t off; uint8_t val; int udp; const char *what; } bad[] = {
		{ 14, 0x55, 0, "ipv4 version" },
		{ 14, 0x44, 0, "ipv4 header length" },
		{ 17, 10, 0, "ipv4 total length" },
		{ 14 + 20 + 12, 0x40, 0, "tcp data offset" },
		{ 14 + 20 + 12, 0xf0, 0, "tcp data offset" },
		{ 14 + 20 + 21, 1, 0, "tcp option length" },
		{ 14 + 20 + 5, 4, 1, "udp length" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t n = bad[i].udp ? tb_udp(f, sizeof(f), &c4, &s4, "x", 1) : syn_frame(f, sizeof(f), 0);
		f[bad[i].off] = bad[i].val;
		print_message("invalid: %s\n", bad[i].what);
		assert_int_equal(trace_decode(DLT_EN10MB, f, (uint32_t)n, (uint32_t)n, &k), 1);
		assert_non_null(k.invalid);
		assert_string_equal(k.invalid, bad[i].what);
	}
}

static void test_icmp_quote(void **state)
{
	(void)state;
	uint8_t u[256], f[512];
	struct trace_pkt k;

	for (int v6 = 0; v6 < 2; v6++) {
		size_t un = tb_udp(u, sizeof(u), v6 ? &c6 : &c4, v6 ? &s6 : &s4, "Michael", 7);
		size_t n = tb_icmp_unreach(f, sizeof(f), v6 ? "fd00::2" : "10.0.0.2",
					   v6 ? "fd00::1" : "10.0.0.1", v6, u, un);
		assert_int_equal(trace_decode(DLT_EN10MB, f, (uint32_t)n, (uint32_t)n, &k), 0);
		assert_int_equal(k.l4, v6 ? TRACE_L4_ICMP6 : TRACE_L4_ICMP);
		assert_true(k.icmp_error);
		assert_true(k.quote.have_ports);
		assert_int_equal(k.quote.sport, 40000);
		assert_int_equal(k.quote.dport, 9999);
		assert_int_equal(k.quote.proto, 17);
		assert_string_equal(trace_icmp_text(v6, k.icmp_type, k.icmp_code), "port unreachable");
		/* Cut by the snap length inside the quoted IP header. */
		assert_int_equal(trace_decode(DLT_EN10MB, f, (uint32_t)(n - un + 14 + 10), (uint32_t)n, &k), 1);
		assert_string_equal(k.truncated, "icmp quoted packet");
	}
}

static void test_preview(void **state)
{
	(void)state;
	char out[4 * 16 + 1];
	const uint8_t in[] = { 'h', 'i', '\n', '\r', '\t', '\\', 0, 0xff, 'x' };

	trace_preview(in, sizeof(in), 16, out);
	assert_string_equal(out, "hi\\n\\r\\t\\\\\\x00\\xffx");
	trace_preview(in, sizeof(in), 2, out);
	assert_string_equal(out, "hi");
}

/* The hello exchange under each snap length: what survives, and what the flow becomes. */
static const struct tb_step hello[] = {
	{ 'C', "S", 0, 0, 0, 0, 0 }, { 'S', "SA", 0, 0, 0, 0, 0 }, { 'C', "A", 0, 0, 0, 0, 0 },
	{ 'S', "PA", "hello!", TB_OPT_TS, 0, 0, 0 }, { 'C', "PA", "exit", TB_OPT_TS, 0, 0, 0 },
	{ 'S', "FA", 0, 0, 0, 0, 0 }, { 'C', "FA", 0, 0, 0, 0, 0 }, { 'S', "A", 0, 0, 0, 0, 0 },
	{ 0, NULL, NULL, 0, 0, 0, 0 },
};

static const struct {
	uint32_t snaplen;
	const char *first_truncated;	/* of the SYN */
	size_t flows;
	const char *history, *conn_state, *client_final, *server_final;
} snaps[] = {
	{ 10, "ethernet", 0, NULL, NULL, NULL, NULL },
	{ 30, "ipv4", 0, NULL, NULL, NULL, NULL },
	{ 40, "tcp", 0, NULL, NULL, NULL, NULL },
	{ 54, "tcp options", 1, "ShAdDfFa", "SF", "CLOSED", "TIME_WAIT" },
	{ 68, "tcp options", 1, "ShAdDfFa", "SF", "CLOSED", "TIME_WAIT" },
	{ 0, NULL, 1, "ShAdDfFa", "SF", "CLOSED", "TIME_WAIT" },
};

static void test_snaplen_flows(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(snaps) / sizeof(snaps[0]); i++) {
		char err[128];
		struct trace_model_opts o = { 0, 0, NULL, NULL };
		struct trace_model *m = trace_model_new(&o, err, sizeof(err));
		assert_non_null(m);
		trace_model_set_capture(m, 0, "t", NULL, (int)snaps[i].snaplen, DLT_EN10MB, "EN10MB");
		assert_int_equal(tb_run(m, hello, 0, snaps[i].snaplen), 0);
		json_t *d = tb_document(m);
		assert_non_null(d);
		print_message("snaplen %u\n", snaps[i].snaplen);
		json_t *e0 = json_array_get(json_object_get(d, "events"), 0);
		json_t *tr = json_object_get(e0, "truncated");
		if (snaps[i].first_truncated)
			assert_string_equal(json_string_value(tr), snaps[i].first_truncated);
		else
			assert_null(tr);
		json_t *flows = json_object_get(d, "flows");
		assert_int_equal(json_array_size(flows), snaps[i].flows);
		if (snaps[i].flows) {
			json_t *f = json_array_get(flows, 0);
			const char *h, *cs, *cf, *sf;
			assert_int_equal(json_unpack(f, "{s:s,s:s,s:{s:{s:s},s:{s:s}}}", "history", &h,
						     "conn_state", &cs, "states", "client", "final", &cf,
						     "server", "final", &sf), 0);
			assert_string_equal(h, snaps[i].history);
			assert_string_equal(cs, snaps[i].conn_state);
			assert_string_equal(cf, snaps[i].client_final);
			assert_string_equal(sf, snaps[i].server_final);
		}
		json_decref(d);
	}
}

/* Mutated frames, cut anywhere, through the decoder and the whole model: results stay
 * consistent and nothing reads out of bounds (run under ASan by make check-asan). */
static uint32_t rng = 2463534242u;
static uint32_t next_rand(void)
{
	rng ^= rng << 13, rng ^= rng >> 17, rng ^= rng << 5;	/* xorshift32 */
	return rng;
}

static void test_mutations(void **state)
{
	(void)state;
	uint8_t base[6][512], f[512], u[256];
	size_t bn[6];
	char err[128];
	struct trace_model_opts o = { 8, 0, NULL, NULL };
	struct trace_model *m[2];
	int dlts[2] = { DLT_EN10MB, DLT_RAW };

	bn[0] = syn_frame(base[0], 512, 0);
	bn[1] = syn_frame(base[1], 512, 1);
	bn[2] = tb_tcp(base[2], 512, &s4, &c4, 5001, 1001, TRACE_TH_PSH | TRACE_TH_ACK, 512, TB_OPT_SACK, "hello!", 6);
	bn[3] = tb_udp(base[3], 512, &c6, &s6, "Michael", 7);
	size_t un = tb_udp(u, sizeof(u), &c4, &s4, "Michael", 7);
	bn[4] = tb_icmp_unreach(base[4], 512, "10.0.0.2", "10.0.0.1", 0, u, un);
	bn[5] = tb_tcp(base[5], 512, &c4, &s4, 1001, 5001, TRACE_TH_FIN | TRACE_TH_ACK, 0, TB_OPT_TS, NULL, 0);
	for (int d = 0; d < 2; d++) {
		assert_non_null(m[d] = trace_model_new(&o, err, sizeof(err)));
		trace_model_set_capture(m[d], 0, "fuzz", NULL, 512, dlts[d], "X");
	}
	for (int i = 0; i < 20000; i++) {
		int b = (int)(next_rand() % 6), d = (int)(next_rand() % 2);
		size_t off = d ? 14 : 0, n = bn[b] - off;
		memcpy(f, base[b] + off, n);
		for (uint32_t k = next_rand() % 5; k > 0; k--)
			f[next_rand() % n] = (uint8_t)next_rand();
		uint32_t cap = next_rand() % 4 ? (uint32_t)n : next_rand() % (uint32_t)(n + 1);
		struct trace_pkt k;
		int r = trace_decode(dlts[d], f, cap, (uint32_t)n, &k);
		assert_true(r == 0 || r == 1);
		assert_true(r == 1 ? (k.truncated || k.invalid) : (!k.truncated && !k.invalid));
		assert_true(k.payload_cap <= cap);
		assert_int_equal(trace_model_add_packet(m[d], TB_T0 + i, f, cap, (uint32_t)n), 0);
	}
	for (int d = 0; d < 2; d++) {
		json_t *doc = tb_document(m[d]);
		assert_non_null(doc);
		assert_true(json_array_size(json_object_get(doc, "events")) > 0);
		json_decref(doc);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_link_types),
		cmocka_unit_test(test_tcp_options),
		cmocka_unit_test(test_ipv6_extensions),
		cmocka_unit_test(test_truncated_every_byte),
		cmocka_unit_test(test_invalid_fields),
		cmocka_unit_test(test_icmp_quote),
		cmocka_unit_test(test_preview),
		cmocka_unit_test(test_snaplen_flows),
		cmocka_unit_test(test_mutations),
	};
	return cmocka_run_group_tests_name("trace_decode", tests, NULL, NULL);
}
