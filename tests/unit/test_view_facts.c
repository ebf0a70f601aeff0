/* tests/unit/test_view_facts.c: a flow's facts box (view/facts.c), where time 0 lies, and their HTML (view/render_facts.c): from the fixture traces and from hand-made ones. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "view/facts.h"
#include "view/render_facts.h"

static char fixtures[1024];

static json_t *fixture(const char *name)
{
	char path[2048];
	json_error_t e;
	json_t *j;

	snprintf(path, sizeof(path), "%s/%s/trace.json", fixtures, name);
	if (!(j = json_load_file(path, 0, &e)))
		fail_msg("%s: %s", path, e.text);
	return j;
}

static json_t *parse(const char *s)
{
	json_error_t e;
	json_t *j = json_loads(s, 0, &e);

	if (!j)
		fail_msg("test JSON: %s", e.text);
	return j;
}

static const struct view_facts_row *row(const struct view_facts *x, const char *key)
{
	for (int i = 0; i < x->n; i++)
		if (strcmp(x->row[i].key, key) == 0)
			return &x->row[i];
	return NULL;
}

static void assert_pair(const struct view_facts *x, const char *key, const char *c, const char *s)
{
	const struct view_facts_row *r = row(x, key);

	if (!r)
		fail_msg("no row %s", key);
	assert_string_equal(r->v[0], c);
	if (s)
		assert_string_equal(r->v[1], s);
	else
		assert_true(r->span);
}

/* tests/render/tcp-hello: Ethernet frames, both SYNs with every option. */
static void test_tcp(void **state)
{
	json_t *root = fixture("tcp-hello");
	struct view_facts x;

	(void)state;
	assert_null(view_facts_flow_of(root, 2));
	view_facts_build(view_facts_flow_of(root, 1), &x);
	assert_pair(&x, "isn", "1000", "5000");
	assert_pair(&x, "syn_options", "MSS 65495, WS 7, SACK, TS", "MSS 65495, WS 7, SACK, TS");
	assert_pair(&x, "syn_to_synack", "0.012 ms", NULL);
	assert_pair(&x, "syn_to_ack", "0.020 ms", NULL);
	assert_pair(&x, "window_min", "8381824", "8381824");
	assert_pair(&x, "packets", "12", "11");
	assert_string_equal(row(&x, "packets")->label, "segments sent");
	assert_pair(&x, "payload_bytes", "21", "47");
	assert_pair(&x, "ip_bytes", "521", "507");
	assert_pair(&x, "frame_bytes", "689", "661");	/* 14 more per frame: 12 and 11 frames */
	json_decref(root);
}

static void test_udp(void **state)
{
	json_t *root = fixture("udp-hello");
	struct view_facts x;

	(void)state;
	view_facts_build(view_facts_flow_of(root, 1), &x);
	assert_null(row(&x, "isn"));
	assert_pair(&x, "packets", "3", "2");
	assert_string_equal(row(&x, "packets")->label, "datagrams sent");
	assert_pair(&x, "ip_bytes", "101", "84");
	json_decref(root);
}

/* A SYN refused: no SYN+ACK, so no handshake time and no server options; rows the trace says
 * nothing of are left out, a side it does not know is "-". Version 1's "bytes" still read. */
static void test_partial(void **state)
{
	json_t *flow = parse("{\"id\": 1, \"proto\": \"tcp\", \"isn\": {\"client\": 7},"
			     " \"options\": {\"client\": {}}, \"packets\": {\"client\": 1, \"server\": 1},"
			     " \"bytes\": {\"client\": 60, \"server\": 40}}");
	struct view_facts x;

	(void)state;
	view_facts_build(flow, &x);
	assert_pair(&x, "isn", "7", "-");
	assert_pair(&x, "syn_options", "none", "-");
	assert_pair(&x, "ip_bytes", "60", "40");
	assert_null(row(&x, "syn_to_synack"));
	assert_null(row(&x, "window_min"));
	assert_null(row(&x, "frame_bytes"));
	json_decref(flow);
}

static void test_origin(void **state)
{
	json_t *live = fixture("tcp-live"), *file = fixture("tcp-hello"), *none = parse("{\"events\": []}");
	json_t *inferred = parse("{\"events\": [{\"t_us\": 0, \"type\": \"state\", \"side\": \"client\", \"to\": \"SYN_SENT\","
				 " \"source\": \"inferred\"}, {\"t_us\": 5, \"type\": \"packet\", \"from\": \"client\"}]}");
	char s[256];

	(void)state;
	view_facts_origin(live, s, sizeof(s));
	assert_string_equal(s, "time 0 is the server's LISTEN (seen by the kernel), not the first packet as in "
			       "Wireshark: the first packet is at 17.221 ms");
	view_facts_origin(file, s, sizeof(s));	/* calls before it do not move time 0 */
	assert_string_equal(s, "time 0 is the first packet, as in Wireshark");
	view_facts_origin(none, s, sizeof(s));
	assert_string_equal(s, "");
	view_facts_origin(inferred, s, sizeof(s));
	assert_string_equal(s, "time 0 is the client's SYN_SENT (inferred), not the first packet as in Wireshark: "
			       "the first packet is at 0.005 ms");
	json_decref(live), json_decref(file), json_decref(none), json_decref(inferred);
}

static char *html_of(json_t *flow, json_t *root, int any_kernel)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (flow) {
		view_render_facts_table(f, flow);
		view_render_facts_isn_attrs(f, flow);
	}
	if (root)
		view_render_facts_origin(f, root);
	view_render_facts_controls(f, any_kernel);
	fclose(f);
	return buf;
}

static void test_html(void **state)
{
	json_t *root = fixture("tcp-hello");
	char *s = html_of(view_facts_flow_of(root, 1), root, 0);

	(void)state;
	assert_non_null(strstr(s, "<thead><tr><th>facts</th><th>client</th><th>server</th></tr></thead>"));
	assert_non_null(strstr(s, "<tr data-fact=\"syn_to_ack\"><th>SYN to ACK</th><td colspan=\"2\">0.020 ms</td></tr>"));
	assert_non_null(strstr(s, "<tr data-fact=\"isn\"><th>ISN (absolute)</th><td>1000</td><td>5000</td></tr>"));
	assert_non_null(strstr(s, " data-isn-client=\"1000\" data-isn-server=\"5000\""));
	assert_non_null(strstr(s, "time 0 is the first packet"));
	assert_non_null(strstr(s, "id=\"seq-abs\""));
	/* the legend: every history letter, conn_state, flag letter, and the kernel's mark */
	assert_non_null(strstr(s, "<dt>G</dt><dd>content gap</dd>"));
	assert_non_null(strstr(s, "<dt>RSTOS0</dt>"));
	assert_non_null(strstr(s, "<dt>W</dt><dd>CWR</dd>"));
	assert_non_null(strstr(s, "A state with *"));
	free(s);
	json_decref(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp),
		cmocka_unit_test(test_udp),
		cmocka_unit_test(test_partial),
		cmocka_unit_test(test_origin),
		cmocka_unit_test(test_html),
	};
	const char *root = getenv("HELLO_ROOT");

	snprintf(fixtures, sizeof(fixtures), "%s/tests/render", root ? root : ".");
	return cmocka_run_group_tests_name("view_facts", tests, NULL, NULL);
}
