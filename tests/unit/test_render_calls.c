/* tests/unit/test_render_calls.c: socket calls on the ladder: rows, labels, links to packet rows, the flow of calls that name none, hostile call events. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tests/lib/render_util.h"
#include "view/ladder.h"
#include "view/render_html.h"
#include "view/render_mermaid.h"
#include "view/render_opts.h"
#include "view/render_svg.h"
#include "view/render_text.h"

/* The fixtures of tests/render/ (README.md there): tcp-hello, tcp-retx and udp-hello hold calls. */
static char fixtures[1024];

static void load(const char *name, int flow, struct view_ladder *l)
{
	char path[2048], err[512];

	snprintf(path, sizeof(path), "%s/%s/trace.json", fixtures, name);
	if (view_ladder_load(path, flow, l, err, sizeof(err)) < 0)
		fail_msg("%s", err);
}

static const struct view_ladder_row *call_row(const struct view_ladder_flow *f, const char *label, int nth)
{
	for (size_t i = 0; i < f->nrows; i++)
		if (f->rows[i].kind == VIEW_LADDER_CALL && strcmp(f->rows[i].label, label) == 0 && nth-- == 0)
			return &f->rows[i];
	fail_msg("no call row \"%s\"", label);
	return NULL;
}

/* Calls: labels, sides, links to packet rows, the flow of calls that name none, and
 * the phase a call opens. */
static void test_model_calls(void **state)
{
	struct view_ladder l;
	const struct view_ladder_flow *f;
	const struct view_ladder_row *r, *p;
	(void)state;

	load("tcp-hello", 0, &l);
	f = &l.flows[0];
	assert_int_equal(f->calls, 27);
	/* the server's socket/bind/listen name no flow: drawn in the flow their accept() took */
	r = call_row(f, "listen()", 0);
	assert_int_equal(r->from, VIEW_LADDER_SERVER);
	assert_true(r->t_us < 0);	/* before the first packet */
	assert_int_equal(r->nlinks, 0);
	/* connect() opens the handshake: the phase row comes before it */
	r = call_row(f, "connect()", 0);
	assert_int_equal(r->from, VIEW_LADDER_CLIENT);
	assert_int_equal(r[-1].kind, VIEW_LADDER_PHASE);
	assert_string_equal(r[-1].phase, "handshake");
	assert_int_equal(r->nlinks, 1);
	p = &f->rows[r->link_row[0]];
	assert_int_equal(p->kind, VIEW_LADDER_ARROW);
	assert_string_equal(p->label, "S seq=0");
	assert_int_equal(view_ladder_row_of(f, p->event), r->link_row[0]);
	r = call_row(f, "send(7)", 0);
	assert_string_equal(f->rows[r->link_row[0]].preview, "Michael");
	r = call_row(f, "recv → 15", 0);	/* "Hello, Michael!" */
	assert_int_equal(r->from, VIEW_LADDER_CLIENT);
	assert_string_equal(f->rows[r->link_row[0]].preview, "Hello, Michael!");
	r = call_row(f, "recv → 0", 0);	/* the server's FIN */
	assert_int_equal(f->rows[r->link_row[0]].label[0], 'F');
	/* the listener's close sends nothing and says which socket it was */
	r = call_row(f, "close(listening fd 3)", 0);
	assert_int_equal(r->from, VIEW_LADDER_SERVER);
	assert_int_equal(r->nlinks, 0);
	r = call_row(f, "close()", 0);		/* the server's connection: its FIN */
	assert_int_equal(r->from, VIEW_LADDER_SERVER);
	assert_int_equal(r[-1].kind, VIEW_LADDER_PHASE);
	assert_string_equal(r[-1].phase, "teardown");
	assert_int_equal(view_ladder_row_of(f, -5), -1);
	view_ladder_free(&l);

	load("tcp-retx", 0, &l);
	f = &l.flows[0];
	r = call_row(f, "send(5)", 0);		/* "Tracy": the first copy and its retransmission */
	assert_int_equal(r->nlinks, 2);
	assert_true(f->rows[r->link_row[1]].style & VIEW_LADDER_RETX);
	r = call_row(f, "close()", 0);
	assert_true(f->rows[r->link_row[0]].style & VIEW_LADDER_RST);
	call_row(f, "setsockopt(SO_LINGER=0)", 0);
	view_ladder_free(&l);

	load("udp-hello", 0, &l);
	assert_int_equal(l.flows[0].calls + l.flows[1].calls, 19);
	r = call_row(&l.flows[0], "recvfrom() EAGAIN (1.0 s)", 0);	/* it waited out its timeout */
	assert_int_equal(r->nlinks, 0);
	r = call_row(&l.flows[1], "recvfrom() ECONNREFUSED", 0);
	assert_true(r->failed);
	r = call_row(&l.flows[0], "sendto(15)", 0);
	assert_int_equal(r->from, VIEW_LADDER_SERVER);
	assert_string_equal(l.flows[0].rows[r->link_row[0]].label, "UDP len=15");
	view_ladder_free(&l);
}

/* A flowless call goes to its descriptor's flow, and a socket() that reuses a
 * descriptor number starts afresh. */
static void test_call_flows(void **state)
{
	const char *doc =
		"{\"events\":["
		"{\"t_us\":-9,\"type\":\"call\",\"call\":\"socket\",\"side\":\"client\",\"pid\":7,\"fd\":3,\"result\":3},"
		"{\"t_us\":0,\"type\":\"call\",\"call\":\"connect\",\"side\":\"client\",\"pid\":7,\"fd\":3,\"flow\":2,\"result\":0},"
		"{\"t_us\":1,\"type\":\"call\",\"call\":\"close\",\"side\":\"client\",\"pid\":7,\"fd\":3,\"result\":0},"
		"{\"t_us\":2,\"type\":\"call\",\"call\":\"socket\",\"side\":\"client\",\"pid\":7,\"fd\":3,\"result\":3},"
		"{\"t_us\":3,\"type\":\"call\",\"call\":\"bind\",\"side\":\"client\",\"pid\":8,\"fd\":3,\"result\":0},"
		"{\"t_us\":4,\"type\":\"call\",\"call\":\"connect\",\"side\":\"client\",\"pid\":7,\"fd\":3,\"flow\":1,\"result\":-1,"
		"\"errno\":\"ECONNREFUSED\"},"
		"{\"t_us\":5,\"type\":\"call\",\"call\":\"close\",\"side\":\"client\",\"pid\":7,\"fd\":3,\"result\":0}],"
		"\"flows\":[{\"id\":1,\"proto\":\"tcp\"},{\"id\":2,\"proto\":\"tcp\"}]}";
	struct view_ladder l;
	(void)state;

	tr_build(doc, &l);
	assert_int_equal(l.flows[0].id, 1);
	assert_int_equal(l.flows[0].calls, 3);	/* the second socket, connect, close; not pid 8's bind */
	assert_int_equal(l.flows[0].rows[0].event, 3);
	assert_string_equal(l.flows[0].rows[1].label, "connect() ECONNREFUSED");
	assert_true(l.flows[0].rows[1].failed);
	assert_int_equal(l.flows[1].calls, 3);	/* the first socket, connect, close */
	assert_int_equal(l.flows[1].rows[0].event, 0);
	assert_int_equal(l.flows[1].rows[2].event, 2);
	view_ladder_free(&l);
}

/* A UDP exchange as hellolab records it when a rule drops a reply: the dropped reply is
 * drawn dropped (not "lost?"), its request is not drawn lost, the client's timeout is a
 * row, the retry says what it repeats, and the quiet stretch before it says how long,
 * truncated (300.9 ms is 300), never rounded up. */
static void test_udp_timeout_retry(void **state)
{
	const char *doc =
		"{\"events\":["
		"{\"t_us\":0,\"type\":\"packet\",\"flow\":1,\"from\":\"client\",\"proto\":\"udp\",\"len\":5,\"preview\":\"Tracy\"},"
		"{\"t_us\":100,\"type\":\"packet\",\"flow\":1,\"from\":\"server\",\"proto\":\"udp\",\"len\":13,"
		"\"preview\":\"Hello, Tracy!\",\"delivered\":false,\"dropped_by\":\"lose-reply\"},"
		"{\"t_us\":300900,\"type\":\"call\",\"flow\":1,\"side\":\"client\",\"call\":\"poll\",\"timeout_ms\":300,"
		"\"duration_us\":300800,\"result\":0},"
		"{\"t_us\":301000,\"type\":\"packet\",\"flow\":1,\"from\":\"client\",\"proto\":\"udp\",\"len\":5,\"preview\":\"Tracy\"},"
		"{\"t_us\":301100,\"type\":\"packet\",\"flow\":1,\"from\":\"server\",\"proto\":\"udp\",\"len\":13,"
		"\"preview\":\"Hello, Tracy!\"}],"
		"\"flows\":[{\"id\":1,\"proto\":\"udp\",\"pairs\":[{\"request\":0,\"reply\":1,\"rtt_us\":100,"
		"\"reply_delivered\":false},{\"request\":3,\"reply\":4,\"rtt_us\":100}],\"unanswered\":[0]}]}";
	struct view_render_opts o = { 0 };
	struct view_ladder l;
	const struct view_ladder_flow *f;
	char *s;
	(void)state;

	tr_build(doc, &l);
	f = &l.flows[0];
	assert_false(f->rows[0].style & VIEW_LADDER_LOST);	/* the request arrived */
	assert_true(f->rows[1].style & VIEW_LADDER_LOST);
	assert_string_equal(f->rows[1].dropped_by, "lose-reply");
	assert_string_equal(f->rows[2].label, "timeout: poll(300 ms) → 0");
	assert_string_equal(f->rows[3].label, "UDP len=5 retry of #0");
	assert_string_equal(f->rows[4].label, "UDP len=13");	/* a reply repeats nothing */
	s = tr_render_mem(view_render_text, &l, &o);
	assert_non_null(strstr(s, "… 300 ms later …"));
	assert_non_null(strstr(s, "\"Hello, Tracy!\" dropped"));
	assert_non_null(strstr(s, "answered 1 · unanswered 1"));
	assert_null(strstr(s, "lost?"));
	free(s);
	s = tr_render_mem(view_render_svg, &l, &o);
	assert_non_null(strstr(s, "dropped (lose-reply)"));
	assert_non_null(strstr(s, "… 300 ms later …"));
	free(s);
	s = tr_render_mem(view_render_mermaid, &l, &o);
	assert_non_null(strstr(s, "(dropped by lose-reply)"));
	free(s);
	view_ladder_free(&l);
}

/* Calls as a hostile trace may hold them: links to nothing, to other flows, to
 * themselves, of the wrong type; long words; no side. Built, drawn, 80 columns. */
static void test_call_garbage(void **state)
{
	const char *doc =
		"{\"events\":["
		"{\"t_us\":1,\"type\":\"packet\",\"flow\":1,\"from\":\"client\",\"flags\":\"S\",\"seq\":0},"
		"{\"t_us\":2,\"type\":\"packet\",\"flow\":2,\"from\":\"client\",\"flags\":\"S\",\"seq\":0},"
		"{\"t_us\":3,\"type\":\"call\",\"flow\":1,\"side\":\"server\",\"call\":\"setsockopt\",\"result\":-1,"
		"\"errno\":\"EXTREMELY_LONG_ERRNO_NAME_THAT_GOES_ON\",\"option\":\"SO_A_VERY_LONG_OPTION_NAME_INDEED_1234567890\","
		"\"duration_us\":123456789,\"packets\":[\"x\",-3,99999,1,2,0,0,0,0,0,0,0,0]},"
		"{\"t_us\":4,\"type\":\"call\",\"flow\":1,\"call\":\"recv\",\"result\":99999999999,\"packets\":[3]},"
		"{\"t_us\":5,\"type\":\"call\",\"flow\":1,\"side\":\"client\",\"call\":\"\\u0001<&>\\u00e9\",\"packets\":{}},"
		"{\"t_us\":6,\"type\":\"call\",\"flow\":1,\"side\":\"client\",\"pid\":\"x\",\"fd\":[],\"call\":7}],"
		"\"flows\":[{\"id\":1,\"proto\":\"tcp\"},{\"id\":2,\"proto\":\"tcp\"}]}";
	struct view_render_opts o = { .notes = 1 };
	tr_render_fn fns[] = { view_render_text, view_render_svg, view_render_html, view_render_mermaid };
	struct view_ladder l;
	const struct view_ladder_flow *f;
	char *s;
	(void)state;

	tr_build(doc, &l);
	f = &l.flows[0];
	assert_int_equal(f->calls, 4);
	assert_int_equal(f->rows[1].nlinks, 13);
	/* "x" skipped; -3, 99999 and event 1 (of flow 2) are drawn in no row of this flow */
	assert_int_equal(f->rows[1].link_row[0], -1);
	assert_int_equal(f->rows[1].link_row[1], -1);
	assert_int_equal(f->rows[1].link_row[2], -1);
	assert_int_equal(f->rows[1].link_row[3], 1);	/* itself: drawn, never followed */
	assert_int_equal(f->rows[1].link_row[4], 0);
	assert_int_equal(f->rows[2].from, VIEW_LADDER_CLIENT);	/* no side */
	for (o.ascii = 0; o.ascii < 2; o.ascii++) {
		s = tr_render_mem(view_render_text, &l, &o);
		tr_assert_fits(s, VIEW_RENDER_TEXT_COLS);
		free(s);
	}
	for (size_t k = 0; k < sizeof(fns) / sizeof(fns[0]); k++)
		free(tr_render_mem(fns[k], &l, &o));
	view_ladder_free(&l);
}

/* Many short-lived clients, each its own process: the flowless socket() of each reaches
 * its flow, and building stays quick (the descriptor table only holds open sockets). */
static void test_many_calls(void **state)
{
	json_t *root = json_pack("{s:[],s:[]}", "events", "flows");
	json_t *events = json_object_get(root, "events"), *flows = json_object_get(root, "flows");
	struct view_ladder l;
	char err[256];
	const int n = 20000;
	(void)state;

	for (int f = 1; f <= n; f++) {
		json_array_append_new(flows, json_pack("{s:i,s:s}", "id", f, "proto", "tcp"));
		json_array_append_new(events, json_pack("{s:i,s:s,s:s,s:s,s:i,s:i,s:i}", "t_us", 3 * f, "type", "call",
							"call", "socket", "side", "client", "pid", 1000 + f, "fd", 3, "result", 3));
		json_array_append_new(events, json_pack("{s:i,s:s,s:s,s:s,s:i,s:i,s:i,s:i}", "t_us", 3 * f + 1, "type", "call",
							"call", "connect", "side", "client", "pid", 1000 + f, "fd", 3, "flow", f, "result", 0));
		json_array_append_new(events, json_pack("{s:i,s:s,s:s,s:s,s:i,s:i,s:i,s:i}", "t_us", 3 * f + 2, "type", "call",
							"call", "close", "side", "client", "pid", 1000 + f, "fd", 3, "flow", f, "result", 0));
	}
	assert_int_equal(view_ladder_build(root, 0, &l, err, sizeof(err)), 0);
	for (size_t i = 0; i < l.nflows; i++) {
		assert_int_equal(l.flows[i].calls, 3);
		assert_string_equal(l.flows[i].rows[0].label, "socket()");
	}
	view_ladder_free(&l);
	json_decref(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_model_calls),
		cmocka_unit_test(test_call_flows),
		cmocka_unit_test(test_call_garbage),
		cmocka_unit_test(test_udp_timeout_retry),
		cmocka_unit_test(test_many_calls),
	};
	const char *root = getenv("HELLO_ROOT");

	snprintf(fixtures, sizeof(fixtures), "%s/tests/render", root ? root : ".");
	return cmocka_run_group_tests_name("render_calls", tests, NULL, NULL);
}
