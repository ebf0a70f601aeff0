/* tests/unit/test_trace_appev.c: socket calls merged into a trace document: order, renumbering, links, notes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <jansson.h>

#include "trace/appev.h"
#include "view/notes.h"

#define START 1795597200000000LL

/* A small TCP trace: handshake, client sends "Michael" and "Tracy" in one segment (7+5),
 * server closes first. Event 3 is a state event whose cause is packet 0. */
static const char *tcp_doc =
	"{\"capture\": {\"start_us\": 1795597200000000, \"state_sources\": {\"notes\": []}},"
	" \"flows\": [{\"id\": 1, \"proto\": \"tcp\", \"client\": {\"addr\": \"127.0.0.1\", \"port\": 40000},"
	"  \"server\": {\"addr\": \"127.0.0.1\", \"port\": 9999}, \"first_us\": 100, \"last_us\": 900,"
	"  \"closed_first\": \"server\", \"conn_state\": \"SF\","
	"  \"phases\": [{\"name\": \"handshake\", \"first_event\": 0, \"last_event\": 2}]}],"
	" \"events\": ["
	"  {\"t_us\": 100, \"type\": \"packet\", \"flow\": 1, \"from\": \"client\", \"proto\": \"tcp\", \"flags\": \"S\", \"seq\": 0, \"len\": 0},"
	"  {\"t_us\": 110, \"type\": \"packet\", \"flow\": 1, \"from\": \"server\", \"proto\": \"tcp\", \"flags\": \"SA\", \"seq\": 0, \"ack\": 1, \"len\": 0},"
	"  {\"t_us\": 120, \"type\": \"packet\", \"flow\": 1, \"from\": \"client\", \"proto\": \"tcp\", \"flags\": \"A\", \"seq\": 1, \"ack\": 1, \"len\": 0},"
	"  {\"t_us\": 120, \"type\": \"state\", \"flow\": 1, \"side\": \"client\", \"to\": \"ESTABLISHED\", \"source\": \"inferred\", \"cause\": 0},"
	"  {\"t_us\": 300, \"type\": \"packet\", \"flow\": 1, \"from\": \"client\", \"proto\": \"tcp\", \"flags\": \"PA\", \"seq\": 1, \"ack\": 1, \"len\": 12, \"preview\": \"MichaelTracy\"},"
	"  {\"t_us\": 500, \"type\": \"packet\", \"flow\": 1, \"from\": \"server\", \"proto\": \"tcp\", \"flags\": \"FA\", \"seq\": 1, \"ack\": 13, \"len\": 0},"
	"  {\"t_us\": 700, \"type\": \"packet\", \"flow\": 1, \"from\": \"client\", \"proto\": \"tcp\", \"flags\": \"FA\", \"seq\": 13, \"ack\": 2, \"len\": 0}"
	" ]}";

static json_t *rec(const char *call, const char *role, long long t, long long dur, const char *extra)
{
	char buf[1024];
	const char *lp = strcmp(role, "client") == 0 ? "40000" : "9999", *pp = strcmp(role, "client") == 0 ? "9999" : "40000";
	json_t *r;

	snprintf(buf, sizeof(buf),
		 "{\"call\": \"%s\", \"role\": \"%s\", \"before_us\": %lld, \"after_us\": %lld, \"proto\": \"tcp\","
		 " \"local\": {\"addr\": \"127.0.0.1\", \"port\": %s}, \"peer\": {\"addr\": \"127.0.0.1\", \"port\": %s},"
		 " \"result\": 0%s%s}", call, role, START + t, START + t + dur, lp, pp, extra ? ", " : "", extra ? extra : "");
	r = json_loads(buf, 0, NULL);
	assert_non_null(r);
	return r;
}

static json_t *ev_at(json_t *doc, size_t i)
{
	return json_array_get(json_object_get(doc, "events"), i);
}

static const char *s_of(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static long long i_of(json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

/* Index of the first event with this type and call/flags. */
static long long find(json_t *doc, const char *type, const char *key, const char *val)
{
	json_t *e;
	size_t i;

	json_array_foreach(json_object_get(doc, "events"), i, e)
		if (strcmp(s_of(e, "type"), type) == 0 && s_of(e, key) && strcmp(s_of(e, key), val) == 0)
			return (long long)i;
	return -1;
}

static int has(json_t *list, long long v)
{
	json_t *x;
	size_t i;

	json_array_foreach(list, i, x)
		if (json_integer_value(x) == v)
			return 1;
	return 0;
}

static void test_merge_tcp(void **state)
{
	json_t *doc = json_loads(tcp_doc, 0, NULL), *calls = json_array(), *ph;
	long long conn, syn, sa, st, m, t, seg, r, sfin, cfin, sclose, cclose, reof;
	char *note;
	(void)state;
	assert_non_null(doc);
	json_array_append_new(calls, rec("listen", "server", -50, 3, NULL));
	json_array_append_new(calls, rec("connect", "client", 90, 40, NULL));
	json_array_append_new(calls, rec("send", "client", 250, 5, "\"bytes\": 7, \"offset\": 0"));
	json_array_append_new(calls, rec("send", "client", 260, 5, "\"bytes\": 5, \"offset\": 7"));
	json_array_append_new(calls, rec("recv", "server", 350, 2, "\"bytes\": 12, \"offset\": 0"));
	json_array_append_new(calls, rec("close", "server", 495, 10, NULL));
	json_array_append_new(calls, rec("recv", "client", 600, 2, "\"bytes\": 0, \"offset\": 0"));
	json_array_append_new(calls, rec("close", "client", 690, 10, NULL));
	assert_int_equal(trace_appev_merge(doc, calls), 0);
	assert_int_equal(json_array_size(json_object_get(doc, "events")), 15);
	/* Time order: the listen before everything (negative), connect before its SYN. */
	assert_string_equal(s_of(ev_at(doc, 0), "call"), "listen");
	assert_int_equal(i_of(ev_at(doc, 0), "t_us"), -50);
	assert_string_equal(s_of(ev_at(doc, 0), "source"), "app");
	conn = find(doc, "call", "call", "connect");
	syn = find(doc, "packet", "flags", "S");
	sa = find(doc, "packet", "flags", "SA");
	assert_true(conn < syn);
	assert_int_equal(i_of(ev_at(doc, conn), "flow"), 1);
	assert_string_equal(s_of(ev_at(doc, conn), "side"), "client");
	assert_int_equal(i_of(ev_at(doc, conn), "duration_us"), 40);
	/* Renumbered: the state's cause and the phase still point at the same packets. */
	st = find(doc, "state", "to", "ESTABLISHED");
	assert_int_equal(i_of(ev_at(doc, st), "cause"), syn);
	ph = json_array_get(json_object_get(json_array_get(json_object_get(doc, "flows"), 0), "phases"), 0);
	assert_int_equal(i_of(ph, "first_event"), syn);
	/* Links: SYN <-> connect; SYN+ACK is the kernel's; one segment carries two sends. */
	assert_true(has(json_object_get(ev_at(doc, syn), "calls"), conn));
	assert_true(has(json_object_get(ev_at(doc, conn), "packets"), syn));
	assert_string_equal(s_of(ev_at(doc, syn), "origin"), "app");
	assert_string_equal(s_of(ev_at(doc, sa), "origin"), "kernel");
	assert_null(json_object_get(ev_at(doc, sa), "calls"));
	seg = find(doc, "packet", "flags", "PA");
	m = find(doc, "call", "call", "send");
	t = m + 1;
	assert_int_equal(json_array_size(json_object_get(ev_at(doc, seg), "calls")), 2);
	assert_true(has(json_object_get(ev_at(doc, seg), "calls"), m));
	assert_true(has(json_object_get(ev_at(doc, seg), "calls"), t));
	assert_true(has(json_object_get(ev_at(doc, t), "packets"), seg));
	r = find(doc, "call", "call", "recv");
	assert_true(has(json_object_get(ev_at(doc, r), "packets"), seg));
	/* FINs to their closes; the client's recv of 0 to the server's FIN. */
	sclose = find(doc, "call", "call", "close");
	sfin = sclose + 1;
	assert_string_equal(s_of(ev_at(doc, sfin), "flags"), "FA");
	assert_string_equal(s_of(ev_at(doc, sfin), "from"), "server");
	assert_true(has(json_object_get(ev_at(doc, sfin), "calls"), sclose));
	reof = sclose + 2;
	assert_string_equal(s_of(ev_at(doc, reof), "call"), "recv");
	assert_true(has(json_object_get(ev_at(doc, reof), "packets"), sfin));
	cclose = reof + 1;
	cfin = cclose + 1;
	assert_string_equal(s_of(ev_at(doc, cfin), "flags"), "FA");
	assert_true(has(json_object_get(ev_at(doc, cfin), "calls"), cclose));
	/* Notes from the context: who closed first, the messages merged into one segment. */
	assert_int_equal(view_notes_add(doc), 0);
	note = view_notes_event(doc, (size_t)sclose);
	assert_non_null(note);
	assert_non_null(strstr(note, "server will hold TIME_WAIT"));
	free(note);
	assert_non_null(strstr(s_of(ev_at(doc, cclose), "note"), "no TIME_WAIT"));
	assert_non_null(strstr(s_of(ev_at(doc, conn), "note"), "SYN_SENT"));
	assert_non_null(strstr(s_of(ev_at(doc, r), "note"), "2 send() calls"));
	assert_non_null(strstr(s_of(ev_at(doc, sa), "note"), "SYN+ACK"));
	assert_non_null(strstr(s_of(ev_at(doc, st), "note"), "ESTABLISHED"));
	/* A failed call's reason has its names filled too. */
	json_object_set_new(ev_at(doc, conn), "result", json_integer(-1));
	json_object_set_new(ev_at(doc, conn), "errno", json_string("ECONNREFUSED"));
	note = view_notes_event(doc, (size_t)conn);
	assert_non_null(note);
	assert_string_equal(note, "client connect() fails with ECONNREFUSED: the server answered with RST or ICMP "
				  "port unreachable (nothing listens on port 9999)");
	free(note);
	json_decref(calls);
	json_decref(doc);
}

/* UDP: a lost first copy and its retry: the recvfrom takes the retry, the send links both ways. */
static void test_merge_udp_loss(void **state)
{
	const char *d =
		"{\"capture\": {\"start_us\": 1795597200000000}, \"flows\": [{\"id\": 1, \"proto\": \"udp\","
		" \"client\": {\"addr\": \"127.0.0.1\", \"port\": 40000}, \"server\": {\"addr\": \"127.0.0.1\", \"port\": 9999},"
		" \"first_us\": 0, \"last_us\": 2000, \"pairs\": [{\"request\": 1, \"reply\": 2, \"rtt_us\": 5}], \"unanswered\": [0]}],"
		" \"events\": ["
		"  {\"t_us\": 0, \"type\": \"packet\", \"flow\": 1, \"from\": \"client\", \"proto\": \"udp\", \"len\": 5},"
		"  {\"t_us\": 1000, \"type\": \"packet\", \"flow\": 1, \"from\": \"client\", \"proto\": \"udp\", \"len\": 5},"
		"  {\"t_us\": 1005, \"type\": \"packet\", \"flow\": 1, \"from\": \"server\", \"proto\": \"udp\", \"len\": 13}]}";
	json_t *doc = json_loads(d, 0, NULL), *calls = json_array(), *r, *flow;
	long long s1, s2, rf;
	(void)state;
	assert_non_null(doc);
	r = rec("sendto", "client", -2, 1, "\"bytes\": 5, \"datagram\": 0");
	json_object_set_new(r, "proto", json_string("udp"));
	json_object_set_new(json_object_get(r, "local"), "addr", json_string("0.0.0.0"));	/* unconnected */
	json_array_append_new(calls, r);
	r = rec("sendto", "client", 998, 1, "\"bytes\": 5, \"datagram\": 1");
	json_object_set_new(r, "proto", json_string("udp"));
	json_array_append_new(calls, r);
	r = rec("recvfrom", "server", 900, 150, "\"bytes\": 5, \"datagram\": 0");
	json_object_set_new(r, "proto", json_string("udp"));
	json_array_append_new(calls, r);
	assert_int_equal(trace_appev_merge(doc, calls), 0);
	s1 = find(doc, "call", "call", "sendto");
	assert_int_equal(s1, 0);
	assert_true(has(json_object_get(ev_at(doc, 1), "calls"), s1));	/* the lost copy: its own sendto */
	rf = find(doc, "call", "call", "recvfrom");
	s2 = rf + 1;
	assert_string_equal(s_of(ev_at(doc, s2), "call"), "sendto");
	assert_true(has(json_object_get(ev_at(doc, s2 + 1), "calls"), s2));
	/* The recvfrom began before the retry arrived and returned after it: the retry, not the lost copy. */
	assert_int_equal(json_array_size(json_object_get(ev_at(doc, rf), "packets")), 1);
	assert_true(has(json_object_get(ev_at(doc, rf), "packets"), s2 + 1));
	/* Pairs and unanswered renumbered. */
	flow = json_array_get(json_object_get(doc, "flows"), 0);
	assert_int_equal(i_of(json_array_get(json_object_get(flow, "pairs"), 0), "request"), s2 + 1);
	assert_int_equal(json_integer_value(json_array_get(json_object_get(flow, "unanswered"), 0)), 1);
	json_decref(calls);
	json_decref(doc);
}

static json_t *udp_rec(const char *call, long long t, long long dur, const char *extra)
{
	json_t *r = rec(call, "client", t, dur, extra);

	json_object_set_new(r, "proto", json_string("udp"));
	return r;
}

/* A connected UDP client's datagrams refused by ICMP port unreachable: each ICMP (the flow
 * counts it under "server") links both ways to the client's recvfrom() that failed with
 * ECONNREFUSED after it arrived; the second ICMP, quoted by nobody, still finds the client. */
static void test_merge_udp_refused(void **state)
{
	const char *d =
		"{\"capture\": {\"start_us\": 1795597200000000}, \"flows\": [{\"id\": 1, \"proto\": \"udp\","
		" \"client\": {\"addr\": \"127.0.0.1\", \"port\": 40000}, \"server\": {\"addr\": \"127.0.0.1\", \"port\": 9999},"
		" \"first_us\": 0, \"last_us\": 1000, \"unanswered\": [0, 2],"
		" \"icmp_errors\": [{\"event\": 1, \"type\": 3, \"code\": 3, \"text\": \"port unreachable\", \"quoted_event\": 0},"
		"                   {\"event\": 3, \"type\": 3, \"code\": 3, \"text\": \"port unreachable\"}]}],"
		" \"events\": ["
		"  {\"t_us\": 0, \"type\": \"packet\", \"flow\": 1, \"from\": \"client\", \"proto\": \"udp\", \"len\": 7},"
		"  {\"t_us\": 50, \"type\": \"packet\", \"flow\": 1, \"from\": \"server\", \"proto\": \"icmp\","
		"   \"icmp\": {\"type\": 3, \"code\": 3, \"text\": \"port unreachable\"}},"
		"  {\"t_us\": 1000, \"type\": \"packet\", \"flow\": 1, \"from\": \"client\", \"proto\": \"udp\", \"len\": 7},"
		"  {\"t_us\": 1010, \"type\": \"packet\", \"flow\": 1, \"from\": \"server\", \"proto\": \"icmp\","
		"   \"icmp\": {\"type\": 3, \"code\": 3, \"text\": \"port unreachable\"}}]}";
	const char *refused = "\"errno\": \"ECONNREFUSED\", \"size\": 1024";
	json_t *doc = json_loads(d, 0, NULL), *calls = json_array(), *r, *flow;
	long long s1, rf1, rf2, icmp1, icmp2, early;
	(void)state;
	assert_non_null(doc);
	json_array_append_new(calls, udp_rec("sendto", -5, 2, "\"bytes\": 7, \"datagram\": 0"));
	/* Failed before the first ICMP came: another error, not this one's. */
	r = udp_rec("recvfrom", -2, 1, refused);
	json_object_set_new(r, "result", json_integer(-1));
	json_array_append_new(calls, r);
	r = udp_rec("recvfrom", 20, 40, refused);	/* blocked until the ICMP came at 50 */
	json_object_set_new(r, "result", json_integer(-1));
	json_array_append_new(calls, r);
	json_array_append_new(calls, udp_rec("sendto", 995, 2, "\"bytes\": 7, \"datagram\": 1"));
	r = udp_rec("recvfrom", 1020, 3, refused);	/* the ICMP at 1010 was pending */
	json_object_set_new(r, "result", json_integer(-1));
	json_array_append_new(calls, r);
	assert_int_equal(trace_appev_merge(doc, calls), 0);
	s1 = find(doc, "call", "call", "sendto");
	early = s1 + 1;
	rf1 = s1 + 3;	/* after the first datagram */
	assert_string_equal(s_of(ev_at(doc, rf1), "call"), "recvfrom");
	assert_int_equal(i_of(ev_at(doc, rf1), "t_us"), 20);
	icmp1 = find(doc, "packet", "proto", "icmp");
	assert_int_equal(i_of(ev_at(doc, icmp1), "t_us"), 50);
	icmp2 = icmp1 + 3;
	assert_string_equal(s_of(ev_at(doc, icmp2), "proto"), "icmp");
	rf2 = icmp2 + 1;
	assert_string_equal(s_of(ev_at(doc, rf2), "call"), "recvfrom");
	/* Both ways, one to one. */
	assert_int_equal(json_array_size(json_object_get(ev_at(doc, icmp1), "calls")), 1);
	assert_true(has(json_object_get(ev_at(doc, icmp1), "calls"), rf1));
	assert_int_equal(json_array_size(json_object_get(ev_at(doc, rf1), "packets")), 1);
	assert_true(has(json_object_get(ev_at(doc, rf1), "packets"), icmp1));
	assert_int_equal(json_array_size(json_object_get(ev_at(doc, icmp2), "calls")), 1);
	assert_true(has(json_object_get(ev_at(doc, icmp2), "calls"), rf2));
	assert_true(has(json_object_get(ev_at(doc, rf2), "packets"), icmp2));
	assert_null(json_object_get(ev_at(doc, early), "packets"));
	/* The ICMP is the kernel's answer, not a call's action. */
	assert_string_equal(s_of(ev_at(doc, icmp1), "origin"), "kernel");
	assert_string_equal(s_of(ev_at(doc, icmp2), "origin"), "kernel");
	/* icmp_errors renumbered with the events. */
	flow = json_array_get(json_object_get(doc, "flows"), 0);
	assert_int_equal(i_of(json_array_get(json_object_get(flow, "icmp_errors"), 0), "event"), icmp1);
	assert_int_equal(i_of(json_array_get(json_object_get(flow, "icmp_errors"), 0), "quoted_event"), s1 + 2);
	json_decref(calls);
	json_decref(doc);
}

/* Retransmitted sends: the notes count first transmissions (distinct stream ranges) and
 * name the retransmissions apart. "Hello" leaves once and again; then "Michael" + "Tracy"
 * (one send of 12 bytes) leave in two segments, the second sent again. */
static void test_notes_retransmission(void **state)
{
	const char *d =
		"{\"capture\": {\"start_us\": 1795597200000000}, \"flows\": [{\"id\": 1, \"proto\": \"tcp\","
		" \"client\": {\"addr\": \"127.0.0.1\", \"port\": 40000}, \"server\": {\"addr\": \"127.0.0.1\", \"port\": 9999},"
		" \"first_us\": 100, \"last_us\": 2000}],"
		" \"events\": ["
		"  {\"t_us\": 100, \"type\": \"packet\", \"flow\": 1, \"from\": \"client\", \"proto\": \"tcp\", \"flags\": \"PA\", \"seq\": 1, \"ack\": 1, \"len\": 5, \"preview\": \"Hello\"},"
		"  {\"t_us\": 400, \"type\": \"packet\", \"flow\": 1, \"from\": \"client\", \"proto\": \"tcp\", \"flags\": \"PA\", \"seq\": 1, \"ack\": 1, \"len\": 5, \"preview\": \"Hello\", \"retransmission\": true},"
		"  {\"t_us\": 1000, \"type\": \"packet\", \"flow\": 1, \"from\": \"client\", \"proto\": \"tcp\", \"flags\": \"A\", \"seq\": 6, \"ack\": 1, \"len\": 7, \"preview\": \"Michael\"},"
		"  {\"t_us\": 1001, \"type\": \"packet\", \"flow\": 1, \"from\": \"client\", \"proto\": \"tcp\", \"flags\": \"PA\", \"seq\": 13, \"ack\": 1, \"len\": 5, \"preview\": \"Tracy\"},"
		"  {\"t_us\": 1300, \"type\": \"packet\", \"flow\": 1, \"from\": \"client\", \"proto\": \"tcp\", \"flags\": \"PA\", \"seq\": 13, \"ack\": 1, \"len\": 5, \"preview\": \"Tracy\", \"retransmission\": true}]}";
	json_t *doc = json_loads(d, 0, NULL), *calls = json_array();
	long long s1, r1, s2, r2;
	(void)state;
	assert_non_null(doc);
	json_array_append_new(calls, rec("send", "client", 90, 5, "\"bytes\": 5, \"offset\": 0"));
	json_array_append_new(calls, rec("recv", "server", 50, 360, "\"bytes\": 5, \"offset\": 0"));
	json_array_append_new(calls, rec("send", "client", 990, 5, "\"bytes\": 12, \"offset\": 5"));
	json_array_append_new(calls, rec("recv", "server", 1350, 5, "\"bytes\": 12, \"offset\": 5"));
	assert_int_equal(trace_appev_merge(doc, calls), 0);
	assert_int_equal(view_notes_add(doc), 0);
	r1 = find(doc, "call", "call", "recv");
	s1 = r1 + 1;
	assert_string_equal(s_of(ev_at(doc, s1), "call"), "send");
	/* Both copies are linked, but the bytes left in one segment. */
	assert_int_equal(json_array_size(json_object_get(ev_at(doc, s1), "packets")), 2);
	assert_string_equal(s_of(ev_at(doc, s1), "note"), "client send() of 5 bytes; 1 retransmission carried them again");
	assert_int_equal(json_array_size(json_object_get(ev_at(doc, r1), "packets")), 2);
	assert_string_equal(s_of(ev_at(doc, r1), "note"), "server recv() returns 5 bytes; 1 retransmission carried them again");
	s2 = find(doc, "packet", "preview", "Michael") - 1;
	assert_string_equal(s_of(ev_at(doc, s2), "call"), "send");
	assert_int_equal(json_array_size(json_object_get(ev_at(doc, s2), "packets")), 3);
	assert_string_equal(s_of(ev_at(doc, s2), "note"),
			    "client send() of 12 bytes: they left in 2 segments; 1 retransmission carried some of them again");
	r2 = (long long)json_array_size(json_object_get(doc, "events")) - 1;
	assert_string_equal(s_of(ev_at(doc, r2), "call"), "recv");
	assert_string_equal(s_of(ev_at(doc, r2), "note"),
			    "server recv() returns 12 bytes: bytes of 2 segments at once; 1 retransmission carried some of them again");
	json_decref(calls);
	json_decref(doc);
}

/* Loading: good lines kept, bad lines and missing files noted, never fatal. */
static void test_load(void **state)
{
	char path[] = "/tmp/test_trace_appev.XXXXXX";
	int fd = mkstemp(path);
	json_t *calls = json_array(), *notes = json_array();
	const char *text = "{\"call\":\"send\",\"before_us\":1,\"after_us\":2,\"role\":\"client\"}\n"
			   "not json\n\n{\"call\":\"recv\"}\n"
			   "{\"call\":\"close\",\"before_us\":3,\"after_us\":4,\"role\":\"client\"}\n";
	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	assert_int_equal(trace_appev_load(calls, notes, path), 0);
	assert_int_equal(json_array_size(calls), 2);
	assert_int_equal(json_array_size(notes), 1);
	assert_non_null(strstr(json_string_value(json_array_get(notes, 0)), "2 lines skipped"));
	unlink(path);
	assert_int_equal(trace_appev_load(calls, notes, path), 0);
	assert_int_equal(json_array_size(notes), 2);
	json_decref(calls);
	json_decref(notes);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge_tcp),
		cmocka_unit_test(test_merge_udp_loss),
		cmocka_unit_test(test_merge_udp_refused),
		cmocka_unit_test(test_notes_retransmission),
		cmocka_unit_test(test_load),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
