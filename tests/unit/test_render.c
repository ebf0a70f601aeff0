/* tests/unit/test_render.c: the ladder model and the renderers: golden files per fixture, widths, escaping, bad input. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/measure.h"
#include "tests/lib/render_util.h"
#include "view/ladder.h"
#include "view/ladder_sum.h"
#include "view/ladder_text.h"
#include "view/render_html.h"
#include "view/render_mermaid.h"
#include "view/render.h"
#include "view/render_opts.h"
#include "view/render_svg.h"
#include "view/render_text.h"

/* Fixtures live in tests/render/NAME/: trace.json, the expected outputs, `arrows` and
 * `calls` (the arrow and call-box counts, written by hand). The tests only read them:
 * `make golden` rewrites the expected outputs (tests/render/regen.sh). */
static char fixtures[1024];

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return buf;
}

static void load(const char *name, int flow, struct view_ladder *l)
{
	char path[2048], err[512];

	snprintf(path, sizeof(path), "%s/%s/trace.json", fixtures, name);
	if (view_ladder_load(path, flow, l, err, sizeof(err)) < 0)
		fail_msg("%s", err);
}

/* Compares with tests/render/NAME/FILE. */
static void golden(const char *name, const char *file, const char *got)
{
	char path[2048];
	char *want;

	snprintf(path, sizeof(path), "%s/%s/%s", fixtures, name, file);
	want = slurp(path);
	if (!want)
		fail_msg("%s: missing (make golden writes it)", path);
	if (strcmp(want, got) != 0) {
		fprintf(stderr, "--- %s differs; got:\n%s", path, got);
		free(want);
		fail_msg("%s differs from the rendered output", path);
	}
	free(want);
}

static int count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

/* The hand-written count in tests/render/NAME/FILE. */
static int want_count(const char *name, const char *file)
{
	char path[2048], *s;
	int n;

	snprintf(path, sizeof(path), "%s/%s/%s", fixtures, name, file);
	s = slurp(path);
	if (!s)
		fail_msg("%s: missing", path);
	n = atoi(s);
	free(s);
	return n;
}

static void check_fixture(const char *name)
{
	struct view_ladder l;
	struct view_render_opts plain = { 0 }, ascii = { .ascii = 1, .notes = 1 };
	char *s;
	int arrows = 0, calls = 0;
	size_t i;

	load(name, 0, &l);
	for (i = 0; i < l.nflows; i++)
		arrows += l.flows[i].arrows, calls += l.flows[i].calls;
	assert_int_equal(arrows, want_count(name, "arrows"));
	assert_int_equal(calls, want_count(name, "calls"));

	s = tr_render_mem(view_render_text, &l, &plain);
	tr_assert_fits(s, VIEW_RENDER_TEXT_COLS);
	assert_null(strchr(s, '\033'));
	golden(name, "expected.txt", s);
	free(s);

	s = tr_render_mem(view_render_text, &l, &ascii);
	tr_assert_fits(s, VIEW_RENDER_TEXT_COLS);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p >= 0x80)
			fail_msg("--ascii output holds byte 0x%02x", *p);
	golden(name, "expected-ascii-notes.txt", s);
	free(s);

	s = tr_render_mem(view_render_mermaid, &l, &plain);
	assert_int_equal(strncmp(s, "sequenceDiagram\n", 16), 0);
	assert_int_equal(count(s, "->>") + count(s, "-x"), arrows);
	golden(name, "expected.mmd", s);
	free(s);

	s = tr_render_mem(view_render_svg, &l, &plain);
	assert_int_equal(count(s, "<g class=\"arrow"), arrows);
	assert_int_equal(count(s, "<g class=\"call"), calls);
	assert_non_null(strstr(s, "xmlns=\"http://www.w3.org/2000/svg\""));
	assert_non_null(strstr(s, "viewBox="));
	free(s);

	s = tr_render_mem(view_render_html, &l, &plain);
	assert_int_equal(count(s, "<g class=\"arrow"), arrows);
	assert_int_equal(count(s, "<g class=\"call"), calls);
	assert_non_null(strstr(s, "id=\"step-next\""));
	assert_non_null(strstr(s, "id=\"step-note\""));
	assert_null(strstr(s, "src=\"http"));
	assert_null(strstr(s, "href=\"http"));
	assert_null(strstr(s, "<script src"));
	assert_null(strstr(s, "<link rel=\"stylesheet\""));
	free(s);
	view_ladder_free(&l);
}

/* The tests never write a golden file. HELLO_UPDATE_GOLDEN once made this suite rewrite
 * them and pass whatever it drew; set now, it is a mistake said out loud. */
static void test_goldens_read_only(void **state)
{
	(void)state;
	if (getenv("HELLO_UPDATE_GOLDEN"))
		fail_msg("HELLO_UPDATE_GOLDEN is set: the tests never write golden files; "
			 "`make golden` rewrites them and shows the diff");
}

static void test_golden(void **state)
{
	DIR *d = opendir(fixtures);
	struct dirent *e;
	int n = 0;
	(void)state;

	assert_non_null(d);
	while ((e = readdir(d))) {
		char path[2048];

		snprintf(path, sizeof(path), "%s/%s/trace.json", fixtures, e->d_name);
		if (e->d_name[0] == '.' || access(path, R_OK) != 0)
			continue;
		print_message("fixture %s\n", e->d_name);
		check_fixture(e->d_name);
		n++;
	}
	closedir(d);
	assert_true(n >= 5);
}

static const struct view_ladder_row *row_of(const struct view_ladder_flow *f, int event)
{
	for (size_t i = 0; i < f->nrows; i++)
		if (f->rows[i].event == event)
			return &f->rows[i];
	fail_msg("no row for event %d", event);
	return NULL;
}

/* The kernel's view upgrades the inferred mark (one ESTABLISHED*, not two rows), and
 * the tracepoint's hand-off FIN_WAIT2 -> CLOSE is not drawn as CLOSED. */
static void test_model_kernel(void **state)
{
	struct view_ladder l;
	const struct view_ladder_flow *f;
	const struct view_ladder_row *r;
	int phases = 0, server_closed = 0;
	(void)state;

	load("tcp-kernel", 0, &l);
	assert_int_equal(l.nflows, 1);
	f = &l.flows[0];
	assert_string_equal(f->client, "127.0.0.1:45678");
	assert_string_equal(f->init_state[0], "CLOSED");
	assert_string_equal(f->init_state[1], "LISTEN");
	assert_int_equal(f->rows[0].kind, VIEW_LADDER_PHASE);
	assert_string_equal(f->rows[0].phase, "handshake");
	r = row_of(f, 0);
	assert_string_equal(r->mark[0].state, "SYN_SENT");
	assert_string_equal(r->mark[1].state, "SYN_RECEIVED");
	assert_false(r->mark[0].kernel);
	r = row_of(f, 3);
	assert_int_equal(r->from, VIEW_LADDER_SERVER);
	assert_string_equal(r->label, "SA seq=0 ack=1");
	assert_string_equal(r->mark[0].state, "ESTABLISHED");
	assert_true(r->mark[0].kernel);
	for (size_t i = 0; i < f->nrows; i++) {
		phases += f->rows[i].kind == VIEW_LADDER_PHASE;
		server_closed += strcmp(f->rows[i].mark[1].state, "CLOSED") == 0;
	}
	assert_int_equal(phases, 4);
	assert_int_equal(server_closed, 0);
	assert_true(l.any_kernel);
	view_ladder_free(&l);
}

static void test_model_udp(void **state)
{
	struct view_ladder l;
	const struct view_ladder_flow *f;
	int lost = 0, icmp = 0;
	(void)state;

	load("udp-hello", 0, &l);
	assert_int_equal(l.nflows, 2);
	for (size_t k = 0; k < 2; k++) {
		f = &l.flows[k];
		assert_string_equal(f->proto, "udp");
		for (size_t i = 0; i < f->nrows; i++) {
			lost += !!(f->rows[i].style & VIEW_LADDER_LOST);
			if (f->rows[i].style & VIEW_LADDER_ICMP) {
				icmp++;
				assert_int_equal(f->rows[i].from, VIEW_LADDER_SERVER);
				assert_string_equal(f->rows[i].label, "ICMP port unreachable");
			}
		}
	}
	assert_int_equal(lost, 1);	/* the datagram answered by ICMP was not lost */
	assert_int_equal(icmp, 1);
	view_ladder_free(&l);

	load("udp-hello", 2, &l);	/* --flow 2 */
	assert_int_equal(l.nflows, 1);
	assert_int_equal(l.flows[0].id, 2);
	view_ladder_free(&l);
}

static void test_model_retx(void **state)
{
	struct view_ladder l;
	int retx = 0, rst = 0;
	(void)state;

	load("tcp-retx", 0, &l);
	for (size_t i = 0; i < l.flows[0].nrows; i++) {
		retx += !!(l.flows[0].rows[i].style & VIEW_LADDER_RETX);
		rst += !!(l.flows[0].rows[i].style & VIEW_LADDER_RST);
	}
	assert_int_equal(retx, 1);
	assert_int_equal(rst, 1);
	view_ladder_free(&l);
}

/* The comparison's figures (core/measure) of the fixtures, through the ladder's parsed trace. */
static void test_metrics(void **state)
{
	struct view_ladder l;
	struct hello_measure m;
	char name[64];
	(void)state;

	load("tcp-hello", 0, &l);
	hello_measure_trace(l.root, &m);
	assert_int_equal(m.v[HELLO_M_PACKETS], 23);
	assert_int_equal(m.v[HELLO_M_PACKETS_CLIENT], 12);
	assert_int_equal(m.v[HELLO_M_FIRST_REPLY_US], 189);	/* SYN at 0 to "Hello, Michael!" */
	assert_int_equal(m.v[HELLO_M_IP_BYTES], 521 + 507);
	/* Ethernet: 14 bytes more per frame than the IP packet */
	assert_int_equal(m.v[HELLO_M_FRAME_BYTES], 521 + 507 + 23 * 14);
	assert_int_equal(m.v[HELLO_M_ASKS], 2);			/* the SYN and "Michael" */
	assert_int_equal(m.v[HELLO_M_UNANSWERED], -1);		/* no UDP here */
	hello_measure_name(l.root, "x/tcp-hello/trace.json", name, sizeof(name));
	assert_string_equal(name, "TCP (tcp-hello)");
	view_ladder_free(&l);
	load("udp-hello", 0, &l);
	hello_measure_trace(l.root, &m);
	assert_int_equal(m.v[HELLO_M_PACKETS], 6);		/* the ICMP error is counted apart */
	assert_int_equal(m.v[HELLO_M_ICMP_ERRORS], 1);
	assert_int_equal(m.v[HELLO_M_FIRST_REPLY_US], 45);
	assert_int_equal(m.v[HELLO_M_RETRANSMISSIONS], -1);
	view_ladder_free(&l);
}

static char *esc_mem(void (*fn)(FILE *, const char *), const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	fn(f, s);
	fclose(f);
	return buf;
}

static void test_escape(void **state)
{
	char *s, small[8];
	(void)state;

	s = esc_mem(view_render_svg_escape, "a&<>\"'\x01\x7f" "b");
	assert_string_equal(s, "a&amp;&lt;&gt;&quot;&#39;b");
	free(s);
	s = esc_mem(view_render_mermaid_escape, "a;#\"%%{x}: b\n");
	assert_string_equal(s, "a#59;#35;#34;#37;#37;#123;x#125;#58; b");
	free(s);
	s = esc_mem(view_render_mermaid_escape, "…→");
	assert_string_equal(s, "#8230;#8594;");
	free(s);
	view_ladder_sanitize(small, sizeof(small), "a\n\xff");
	assert_string_equal(small, "a\\x0a");	/* never half an escape */
	view_ladder_sanitize(small, sizeof(small), NULL);
	assert_string_equal(small, "");
}

/* A long preview, huge sequence numbers and long states still fit 80 columns, and a
 * cut never splits an escape. */
static void test_width(void **state)
{
	const char *doc =
		"{\"events\":["
		"{\"t_us\":123456789012,\"type\":\"packet\",\"flow\":1,\"from\":\"server\",\"flags\":\"FPAUEW\","
		"\"seq\":4294967295,\"ack\":4294967295,\"len\":65535,\"preview\":\"0123456789\\\\x0a\\\\x0b\\\\x0c\\\\x0d"
		"abcdefghijklmnopqrstuvwxyz0123456789\",\"retransmission\":true,\"dup_ack\":true},"
		"{\"t_us\":123456789012,\"type\":\"state\",\"flow\":1,\"side\":\"client\",\"to\":\"SYN_RECEIVED\",\"source\":\"kernel\"},"
		"{\"t_us\":123456789013,\"type\":\"state\",\"flow\":1,\"side\":\"server\",\"to\":\"SYN_RECEIVED\",\"source\":\"kernel\"}],"
		"\"flows\":[{\"id\":1,\"proto\":\"tcp\",\"client\":{\"addr\":\"2001:db8:1234:5678:9abc:def0:1234:5678\",\"port\":65535},"
		"\"server\":{\"addr\":\"2001:db8:1234:5678:9abc:def0:1234:5679\",\"port\":65535},"
		"\"phases\":[{\"name\":\"a-very-long-phase-name-that-goes-on\",\"first_event\":0}]}]}";
	struct view_render_opts o = { .ascii = 0 };
	struct view_ladder l;
	json_error_t je;
	json_t *root = json_loads(doc, 0, &je);
	char err[256], *s;
	(void)state;

	assert_non_null(root);
	assert_int_equal(view_ladder_build(root, 0, &l, err, sizeof(err)), 0);
	json_decref(root);
	for (o.ascii = 0; o.ascii < 2; o.ascii++) {
		s = tr_render_mem(view_render_text, &l, &o);
		tr_assert_fits(s, VIEW_RENDER_TEXT_COLS);
		assert_null(strstr(s, "\\x0\""));
		assert_null(strstr(s, "\\x\""));
		free(s);
	}
	view_ladder_free(&l);
}

static void test_bad_input(void **state)
{
	struct view_ladder l;
	char err[256], path[4200];
	json_t *j;
	(void)state;

	j = json_array();
	assert_int_equal(view_ladder_build(j, 0, &l, err, sizeof(err)), -1);
	assert_string_equal(err, "not a hellolab trace: no events array");
	json_decref(j);
	/* everything optional missing, wrong types, stray entries: built, not crashed */
	j = json_pack("{s:[i,s,{s:s},{s:s,s:s,s:s}],s:[i,{s:s},{s:i,s:s,s:s,s:i}]}",
		      "events", 1, "x", "type", "packet", "type", "state", "flow", "1", "to", "X",
		      "flows", 3, "id", "one", "id", 1, "proto", "tcp", "client", "nope", "phases", 4);
	assert_non_null(j);
	assert_int_equal(view_ladder_build(j, 0, &l, err, sizeof(err)), 0);
	assert_int_equal(l.nflows, 2);
	view_ladder_free(&l);
	assert_int_equal(view_ladder_build(j, 9, &l, err, sizeof(err)), -1);
	assert_string_equal(err, "flow 9: no such flow in the trace");
	json_decref(j);
	assert_int_equal(view_ladder_load("/nonexistent/trace.json", 0, &l, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent/trace.json"));
	snprintf(path, sizeof(path), "%s/make_fixtures.py", fixtures);
	assert_int_equal(view_ladder_load(path, 0, &l, err, sizeof(err)), -1);
}

/* Events reach their own flow whatever the order of ids, and many flows build quickly
 * (one pass over the events, not one per flow). */
static void test_many_flows(void **state)
{
	json_t *root = json_pack("{s:[],s:[]}", "events", "flows");
	json_t *events = json_object_get(root, "events"), *flows = json_object_get(root, "flows");
	struct view_ladder l;
	char err[256];
	const int n = 2000;
	(void)state;

	for (int f = n; f >= 1; f--)
		json_array_append_new(flows, json_pack("{s:i,s:s,s:{s:s,s:i},s:{s:s,s:i}}", "id", f, "proto", "udp",
						       "client", "addr", "10.0.0.1", "port", 10000 + f,
						       "server", "addr", "10.0.0.2", "port", 9999));
	for (int k = 0; k < 3; k++)
		for (int f = 1; f <= n; f++)
			json_array_append_new(events, json_pack("{s:i,s:s,s:i,s:s,s:i}", "t_us", k * n + f, "type", "packet",
								"flow", f, "from", k == 1 ? "server" : "client", "len", f % 7));
	assert_int_equal(view_ladder_build(root, 0, &l, err, sizeof(err)), 0);
	assert_int_equal(l.nflows, (size_t)n);
	for (size_t i = 0; i < l.nflows; i++) {
		assert_int_equal(l.flows[i].id, n - (int)i);
		assert_int_equal(l.flows[i].arrows, 3);
		assert_int_equal(l.flows[i].rows[1].from, VIEW_LADDER_SERVER);
		assert_int_equal(l.flows[i].rows[2].t_us, 2 * n + l.flows[i].id);
	}
	view_ladder_free(&l);
	json_decref(root);
}

static int run_main(int n, ...)
{
	char *argv[16];
	va_list ap;

	va_start(ap, n);
	for (int i = 0; i < n; i++)
		argv[i] = va_arg(ap, char *);
	va_end(ap);
	argv[n] = NULL;
	return view_render_main(n, argv);
}

static void test_main(void **state)
{
	char in[4200], in2[4200], out[64] = "/tmp/test_render_XXXXXX", file[128], *s;
	int fd;
	(void)state;

	snprintf(in, sizeof(in), "%s/tcp-hello/trace.json", fixtures);
	snprintf(in2, sizeof(in2), "%s/udp-hello/trace.json", fixtures);
	assert_non_null(mkdtemp(out));
	assert_int_equal(run_main(1, "render"), 2);
	assert_int_equal(run_main(4, "render", "--format", "png", in), 2);
	assert_int_equal(run_main(3, "render", "--compare", in), 2);
	assert_int_equal(run_main(6, "render", "--compare", "-f", "svg", in, in2), 2);
	assert_int_equal(run_main(4, "render", "--flow", "0", in), 2);
	assert_int_equal(run_main(2, "render", "/nonexistent.json"), 1);

	/* the format follows -o's extension */
	snprintf(file, sizeof(file), "%s/l.svg", out);
	assert_int_equal(run_main(4, "render", "-o", file, in), 0);
	s = slurp(file);
	assert_non_null(s);
	assert_int_equal(strncmp(s, "<?xml", 5), 0);
	free(s);
	unlink(file);
	snprintf(file, sizeof(file), "%s/c.html", out);
	assert_int_equal(run_main(8, "render", "--compare", "-o", file, "--label", "TCP", in, in2), 0);
	s = slurp(file);
	assert_non_null(s);
	assert_non_null(strstr(s, "hellolab compare: TCP vs UDP (udp-hello)"));
	assert_non_null(strstr(s, "time to the first &quot;Hello, ...!&quot;"));
	assert_non_null(strstr(s, "<tr data-metric=\"ip_bytes\">"));
	assert_int_equal(count(s, "<g class=\"arrow"), 23 + 7);
	free(s);
	unlink(file);
	/* a failed run leaves no file behind, not even the .tmp */
	snprintf(file, sizeof(file), "%s/missing/x.txt", out);
	assert_int_equal(run_main(4, "render", "-o", file, in), 1);
	fd = access(file, F_OK);
	assert_int_equal(fd, -1);
	assert_int_equal(rmdir(out), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_goldens_read_only),
		cmocka_unit_test(test_golden),
		cmocka_unit_test(test_model_kernel),
		cmocka_unit_test(test_model_udp),
		cmocka_unit_test(test_model_retx),
		cmocka_unit_test(test_metrics),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_width),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_many_flows),
		cmocka_unit_test(test_main),
	};
	const char *root = getenv("HELLO_ROOT");

	snprintf(fixtures, sizeof(fixtures), "%s/tests/render", root ? root : ".");
	return cmocka_run_group_tests_name("render", tests, NULL, NULL);
}
