/* tests/unit/test_render_kernel.c: kernel-observed states on the ladder: a `*` only where the kernel reported it then, a later report at its own time, the time-wait hand-off, in every format. */
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
#include "view/ladder_mark.h"
#include "view/ladder_sum.h"
#include "view/render_html.h"
#include "view/render_mermaid.h"
#include "view/render_opts.h"
#include "view/render_svg.h"
#include "view/render_text.h"

/* A client that closes first, as a live run with both kernel sources records it (times in
 * microseconds), with the kernel's reports where a lab sees them:
 *   5  the tracepoint's ESTABLISHED 13 us after the SYN+ACK           -> `*` on that arrow
 *   8  the server's SYN_RECEIVED after its ESTABLISHED (Linux makes the
 *      full socket at the last ACK), 140 us after the SYN              -> `*` on the SYN
 *  10  sock_diag's ESTABLISHED long after the tracepoint's             -> nothing new
 *  11  the client's close() 4 ms before its FIN leaves                 -> a row at 2.000 ms
 *  13  the packets' FIN_WAIT_1 then                                    -> no second mark
 *  19  the server's LAST_ACK 10 us before its FIN                      -> `*` on that FIN
 *  23  the tracepoint's FIN_WAIT2 -> CLOSE hand-off                    -> a hand-off row
 *  27  sock_diag's TIME_WAIT 23 ms after the packets showed it         -> a row at 30.000 ms */
static const char trace_doc[] =
	"{\"format\":\"hellolab-trace\",\"format_version\":1,"
	"\"capture\":{\"source\":\"live\",\"interface\":\"lo\",\"packets_seen\":7,\"packets_dropped\":0},"
	"\"flows\":[{\"id\":1,\"proto\":\"tcp\",\"client\":{\"addr\":\"127.0.0.1\",\"port\":40000},"
	"\"server\":{\"addr\":\"127.0.0.1\",\"port\":9999},\"closed_first\":\"client\",\"close_kind\":\"fin\","
	"\"phases\":[{\"name\":\"handshake\",\"first_event\":0,\"start_us\":0},"
	"{\"name\":\"teardown\",\"first_event\":12,\"start_us\":6000},"
	"{\"name\":\"time_wait\",\"first_event\":22,\"start_us\":7000}],"
	"\"time_wait\":{\"side\":\"client\",\"start_us\":7000,\"timer_ms\":59980,\"source\":\"kernel\","
	"\"kernel_seen_us\":30000,\"inferred_side\":\"client\"}}],"
	"\"events\":["
	/* 0 */ "{\"t_us\":0,\"type\":\"packet\",\"flow\":1,\"from\":\"client\",\"proto\":\"tcp\",\"flags\":\"S\",\"seq\":0},"
	/* 1 */ "{\"t_us\":0,\"type\":\"state\",\"flow\":1,\"side\":\"client\",\"from\":\"CLOSED\",\"to\":\"SYN_SENT\",\"source\":\"inferred\",\"cause\":0},"
	/* 2 */ "{\"t_us\":0,\"type\":\"state\",\"flow\":1,\"side\":\"server\",\"from\":\"LISTEN\",\"to\":\"SYN_RECEIVED\",\"source\":\"inferred\",\"cause\":0},"
	/* 3 */ "{\"t_us\":100,\"type\":\"packet\",\"flow\":1,\"from\":\"server\",\"proto\":\"tcp\",\"flags\":\"SA\",\"seq\":0,\"ack\":1},"
	/* 4 */ "{\"t_us\":100,\"type\":\"state\",\"flow\":1,\"side\":\"client\",\"from\":\"SYN_SENT\",\"to\":\"ESTABLISHED\",\"source\":\"inferred\",\"cause\":3},"
	/* 5 */ "{\"t_us\":113,\"type\":\"state\",\"flow\":1,\"side\":\"client\",\"from\":\"SYN_SENT\",\"to\":\"ESTABLISHED\",\"source\":\"kernel\",\"via\":\"tracepoint\"},"
	/* 6 */ "{\"t_us\":120,\"type\":\"packet\",\"flow\":1,\"from\":\"client\",\"proto\":\"tcp\",\"flags\":\"A\",\"seq\":1,\"ack\":1},"
	/* 7 */ "{\"t_us\":120,\"type\":\"state\",\"flow\":1,\"side\":\"server\",\"from\":\"SYN_RECEIVED\",\"to\":\"ESTABLISHED\",\"source\":\"inferred\",\"cause\":6},"
	/* 8 */ "{\"t_us\":140,\"type\":\"state\",\"flow\":1,\"side\":\"server\",\"from\":\"LISTEN\",\"to\":\"SYN_RECEIVED\",\"source\":\"kernel\",\"via\":\"tracepoint\"},"
	/* 9 */ "{\"t_us\":145,\"type\":\"state\",\"flow\":1,\"side\":\"server\",\"from\":\"SYN_RECEIVED\",\"to\":\"ESTABLISHED\",\"source\":\"kernel\",\"via\":\"tracepoint\"},"
	/* 10 */ "{\"t_us\":1500,\"type\":\"state\",\"flow\":1,\"side\":\"server\",\"to\":\"ESTABLISHED\",\"source\":\"kernel\",\"via\":\"sock_diag\"},"
	/* 11 */ "{\"t_us\":2000,\"type\":\"state\",\"flow\":1,\"side\":\"client\",\"from\":\"ESTABLISHED\",\"to\":\"FIN_WAIT_1\",\"source\":\"kernel\",\"via\":\"tracepoint\"},"
	/* 12 */ "{\"t_us\":6000,\"type\":\"packet\",\"flow\":1,\"from\":\"client\",\"proto\":\"tcp\",\"flags\":\"FA\",\"seq\":1,\"ack\":1},"
	/* 13 */ "{\"t_us\":6000,\"type\":\"state\",\"flow\":1,\"side\":\"client\",\"from\":\"ESTABLISHED\",\"to\":\"FIN_WAIT_1\",\"source\":\"inferred\",\"cause\":12},"
	/* 14 */ "{\"t_us\":6000,\"type\":\"state\",\"flow\":1,\"side\":\"server\",\"from\":\"ESTABLISHED\",\"to\":\"CLOSE_WAIT\",\"source\":\"inferred\",\"cause\":12},"
	/* 15 */ "{\"t_us\":6010,\"type\":\"packet\",\"flow\":1,\"from\":\"server\",\"proto\":\"tcp\",\"flags\":\"A\",\"seq\":1,\"ack\":2},"
	/* 16 */ "{\"t_us\":6010,\"type\":\"state\",\"flow\":1,\"side\":\"client\",\"from\":\"FIN_WAIT_1\",\"to\":\"FIN_WAIT_2\",\"source\":\"inferred\",\"cause\":15},"
	/* 17 */ "{\"t_us\":6012,\"type\":\"state\",\"flow\":1,\"side\":\"client\",\"from\":\"FIN_WAIT_1\",\"to\":\"FIN_WAIT_2\",\"source\":\"kernel\",\"via\":\"tracepoint\"},"
	/* 18 */ "{\"t_us\":6015,\"type\":\"state\",\"flow\":1,\"side\":\"server\",\"from\":\"ESTABLISHED\",\"to\":\"CLOSE_WAIT\",\"source\":\"kernel\",\"via\":\"tracepoint\"},"
	/* 19 */ "{\"t_us\":6990,\"type\":\"state\",\"flow\":1,\"side\":\"server\",\"from\":\"CLOSE_WAIT\",\"to\":\"LAST_ACK\",\"source\":\"kernel\",\"via\":\"tracepoint\"},"
	/* 20 */ "{\"t_us\":7000,\"type\":\"packet\",\"flow\":1,\"from\":\"server\",\"proto\":\"tcp\",\"flags\":\"FA\",\"seq\":1,\"ack\":2},"
	/* 21 */ "{\"t_us\":7000,\"type\":\"state\",\"flow\":1,\"side\":\"server\",\"from\":\"CLOSE_WAIT\",\"to\":\"LAST_ACK\",\"source\":\"inferred\",\"cause\":20},"
	/* 22 */ "{\"t_us\":7000,\"type\":\"state\",\"flow\":1,\"side\":\"client\",\"from\":\"FIN_WAIT_2\",\"to\":\"TIME_WAIT\",\"source\":\"inferred\",\"cause\":20},"
	/* 23 */ "{\"t_us\":7008,\"type\":\"state\",\"flow\":1,\"side\":\"client\",\"from\":\"FIN_WAIT_2\",\"to\":\"CLOSED\",\"source\":\"kernel\",\"via\":\"tracepoint\",\"handoff\":true,"
	"\"note\":\"client: the kernel hands the socket over to a time-wait socket\"},"
	/* 24 */ "{\"t_us\":7010,\"type\":\"packet\",\"flow\":1,\"from\":\"client\",\"proto\":\"tcp\",\"flags\":\"A\",\"seq\":2,\"ack\":2},"
	/* 25 */ "{\"t_us\":7010,\"type\":\"state\",\"flow\":1,\"side\":\"server\",\"from\":\"LAST_ACK\",\"to\":\"CLOSED\",\"source\":\"inferred\",\"cause\":24},"
	/* 26 */ "{\"t_us\":7012,\"type\":\"state\",\"flow\":1,\"side\":\"server\",\"from\":\"LAST_ACK\",\"to\":\"CLOSED\",\"source\":\"kernel\",\"via\":\"tracepoint\"},"
	/* 27 */ "{\"t_us\":30000,\"type\":\"state\",\"flow\":1,\"side\":\"client\",\"to\":\"TIME_WAIT\",\"source\":\"kernel\",\"via\":\"sock_diag\",\"timer_ms\":59980}"
	"]}";

/* The row showing event i (an arrow, a state row), or fails. */
static const struct view_ladder_row *row_of(const struct view_ladder_flow *f, int event)
{
	long k = view_ladder_row_of(f, event);

	if (k < 0)
		fail_msg("no row for event %d", event);
	return &f->rows[k];
}

/* The line of text holding all of the given words, or NULL. */
static const char *line_with(const char *text, const char *a, const char *b)
{
	const char *p = text;

	while (p && *p) {
		const char *end = strchr(p, '\n');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		char line[512];

		snprintf(line, sizeof(line), "%.*s", (int)n, p);
		if (strstr(line, a) && (!b || strstr(line, b)))
			return p;
		p = end ? end + 1 : NULL;
	}
	return NULL;
}

static int state_marks(const struct view_ladder_flow *f, int side, const char *state)
{
	int n = 0;

	for (size_t i = 0; i < f->nrows; i++)
		n += strcmp(f->rows[i].mark[side].state, state) == 0;
	return n;
}

/* A kernel report within VIEW_LADDER_THEN_US of the change (after it, or just before the
 * packet that shows it) is that change's `*`, with the kernel's own time and source. */
static void test_star_only_then(void **state)
{
	struct view_ladder l;
	const struct view_ladder_flow *f;
	const struct view_ladder_mark *m;
	char src[256];
	(void)state;

	tr_build(trace_doc, &l);
	f = &l.flows[0];
	m = &row_of(f, 3)->mark[VIEW_LADDER_CLIENT];	/* SA: client ESTABLISHED, 13 us later */
	assert_string_equal(m->state, "ESTABLISHED");
	assert_true(m->kernel && m->inferred);
	assert_int_equal(m->kernel_us, 113);
	assert_string_equal(m->via, "tracepoint");
	view_ladder_mark_source(m, src, sizeof(src));
	assert_string_equal(src, "inferred from the packets; reported by the kernel (tracepoint) at 0.113 ms");
	/* the server's SYN_RECEIVED: reported after the side moved on, still within 1 ms */
	m = &row_of(f, 0)->mark[VIEW_LADDER_SERVER];
	assert_string_equal(m->state, "SYN_RECEIVED");
	assert_true(m->kernel);
	assert_int_equal(m->kernel_us, 140);
	/* the server's LAST_ACK: close() 10 us before its FIN; the FIN's row carries it */
	m = &row_of(f, 20)->mark[VIEW_LADDER_SERVER];
	assert_string_equal(m->state, "LAST_ACK");
	assert_true(m->kernel);
	assert_int_equal(m->kernel_us, 6990);
	assert_int_equal(m->event, 21);
	/* one mark per change: no extra row for any of these */
	assert_int_equal(state_marks(f, VIEW_LADDER_CLIENT, "ESTABLISHED"), 1);
	assert_int_equal(state_marks(f, VIEW_LADDER_SERVER, "SYN_RECEIVED"), 1);
	assert_int_equal(state_marks(f, VIEW_LADDER_SERVER, "ESTABLISHED"), 1);	/* sock_diag's adds nothing */
	assert_int_equal(state_marks(f, VIEW_LADDER_SERVER, "LAST_ACK"), 1);
	assert_int_equal(view_ladder_row_of(f, 10), -1);
	view_ladder_free(&l);
}

/* A kernel report farther than 1 ms from the packets is drawn at its own time: close() 4 ms
 * before the FIN, and sock_diag's TIME_WAIT 23 ms after the packets showed it. */
static void test_late_report_at_its_time(void **state)
{
	struct view_ladder l;
	const struct view_ladder_flow *f;
	const struct view_ladder_row *r;
	const struct view_ladder_mark *m;
	char src[256];
	(void)state;

	tr_build(trace_doc, &l);
	f = &l.flows[0];
	/* FIN_WAIT_1 at close(): the kernel's row, and no second mark on the FIN */
	r = row_of(f, 11);
	assert_int_equal(r->kind, VIEW_LADDER_STATE);
	assert_int_equal(r->t_us, 2000);
	m = &r->mark[VIEW_LADDER_CLIENT];
	assert_string_equal(m->state, "FIN_WAIT_1");
	assert_true(m->kernel);
	assert_false(m->inferred);
	assert_int_equal(m->what, VIEW_LADDER_MARK_CHANGE);
	assert_string_equal(row_of(f, 12)->mark[VIEW_LADDER_CLIENT].state, "");
	assert_int_equal(state_marks(f, VIEW_LADDER_CLIENT, "FIN_WAIT_1"), 1);
	/* TIME_WAIT: inferred at 7.000 ms without a `*` ... */
	r = row_of(f, 22);
	assert_int_equal(r->t_us, 7000);
	m = &r->mark[VIEW_LADDER_CLIENT];
	assert_string_equal(m->state, "TIME_WAIT");
	assert_false(m->kernel);
	assert_true(m->inferred);
	view_ladder_mark_source(m, src, sizeof(src));
	assert_string_equal(src, "inferred from the packets");
	/* ... and the kernel's confirmation at 30.000 ms, when sock_diag said it */
	r = row_of(f, 27);
	assert_int_equal(r->kind, VIEW_LADDER_STATE);
	assert_int_equal(r->t_us, 30000);
	assert_int_equal(r->from, VIEW_LADDER_CLIENT);
	m = &r->mark[VIEW_LADDER_CLIENT];
	assert_string_equal(m->state, "TIME_WAIT");
	assert_int_equal(m->what, VIEW_LADDER_MARK_LATE);
	assert_true(m->kernel);
	assert_int_equal(m->kernel_us, 30000);
	assert_int_equal(m->timer_ms, 59980);
	assert_int_equal(m->since_us, 7000);
	assert_string_equal(m->via, "sock_diag");
	assert_string_equal(r->label, "confirmed by the kernel, 59980 ms left");
	view_ladder_mark_source(m, src, sizeof(src));
	assert_string_equal(src, "reported by the kernel (sock_diag) at 30.000 ms, 59980 ms left; "
				 "the packets showed it from 7.000 ms");
	assert_true(l.any_kernel);
	view_ladder_free(&l);
}

/* The tracepoint's change 5.6 ms after the packets showed it (their FIN was dropped on the
 * way, its retransmission made it): drawn at the kernel's time as the kernel's change, not
 * as a confirmation of the earlier one. */
static void test_late_change(void **state)
{
	static const char doc[] =
		"{\"flows\":[{\"id\":1,\"proto\":\"tcp\",\"client\":{\"addr\":\"10.0.0.1\",\"port\":40000},"
		"\"server\":{\"addr\":\"10.0.0.2\",\"port\":9999}}],\"events\":["
		"{\"t_us\":3059,\"type\":\"packet\",\"flow\":1,\"from\":\"client\",\"flags\":\"FA\",\"seq\":22,\"ack\":48,"
		"\"delivered\":false,\"dropped_by\":\"lose-fin\"},"
		"{\"t_us\":3059,\"type\":\"state\",\"flow\":1,\"side\":\"server\",\"from\":\"FIN_WAIT_1\",\"to\":\"CLOSING\","
		"\"source\":\"inferred\",\"cause\":0},"
		"{\"t_us\":8622,\"type\":\"packet\",\"flow\":1,\"from\":\"client\",\"flags\":\"FA\",\"seq\":22,\"ack\":48,"
		"\"retransmission\":true},"
		"{\"t_us\":8677,\"type\":\"state\",\"flow\":1,\"side\":\"server\",\"from\":\"FIN_WAIT_1\",\"to\":\"CLOSING\","
		"\"source\":\"kernel\",\"via\":\"tracepoint\"}]}";
	struct view_render_opts o = { .ascii = 0 };
	struct view_ladder l;
	const struct view_ladder_flow *f;
	const struct view_ladder_row *r;
	const struct view_ladder_mark *m;
	char src[256], *s;
	(void)state;

	tr_build(doc, &l);
	f = &l.flows[0];
	m = &row_of(f, 0)->mark[VIEW_LADDER_SERVER];
	assert_string_equal(m->state, "CLOSING");
	assert_false(m->kernel);
	r = row_of(f, 3);
	assert_int_equal(r->t_us, 8677);
	m = &r->mark[VIEW_LADDER_SERVER];
	assert_int_equal(m->what, VIEW_LADDER_MARK_LATE);
	assert_string_equal(m->from, "FIN_WAIT_1");
	assert_string_equal(r->label, "kernel's change: FIN_WAIT_1 → CLOSING");
	view_ladder_mark_source(m, src, sizeof(src));
	assert_string_equal(src, "reported by the kernel (tracepoint) at 8.677 ms: FIN_WAIT_1 → CLOSING; "
				 "the packets showed it from 3.059 ms");
	s = tr_render_mem(view_render_text, &l, &o);
	assert_non_null(line_with(s, "    8.677              │   kernel's change: FIN_WAIT_1 → CLOSING │ CLOSING*", NULL));
	free(s);
	view_ladder_free(&l);
}

/* The tracepoint's FIN_WAIT2 -> CLOSE is drawn, as the hand-off it is: at its time, on its
 * side, and the side's state stays TIME_WAIT (sock_diag's report is a confirmation). */
static void test_handoff_drawn(void **state)
{
	struct view_ladder l;
	const struct view_ladder_flow *f;
	const struct view_ladder_row *r;
	const struct view_ladder_mark *m;
	char src[320];
	(void)state;

	tr_build(trace_doc, &l);
	f = &l.flows[0];
	r = row_of(f, 23);
	assert_int_equal(r->kind, VIEW_LADDER_STATE);
	assert_int_equal(r->t_us, 7008);
	assert_int_equal(r->from, VIEW_LADDER_CLIENT);
	m = &r->mark[VIEW_LADDER_CLIENT];
	assert_int_equal(m->what, VIEW_LADDER_MARK_HANDOFF);
	assert_string_equal(m->state, "hand-off");
	assert_string_equal(m->from, "FIN_WAIT_2");
	assert_true(m->kernel);
	assert_int_equal(m->kernel_us, 7008);
	assert_string_equal(r->label, "FIN_WAIT_2 → CLOSED, time-wait socket");
	assert_string_equal(r->note, "client: the kernel hands the socket over to a time-wait socket");
	view_ladder_mark_source(m, src, sizeof(src));
	assert_non_null(strstr(src, "reported by the kernel (tracepoint) at 7.008 ms: FIN_WAIT_2 → CLOSED"));
	assert_non_null(strstr(src, "time-wait socket"));
	assert_int_equal(state_marks(f, VIEW_LADDER_CLIENT, "CLOSED"), 0);
	assert_int_equal(row_of(f, 27)->mark[VIEW_LADDER_CLIENT].what, VIEW_LADDER_MARK_LATE);
	view_ladder_free(&l);
}

/* The text ladder says it: the `*` where the kernel spoke, the words beside its own rows. */
static void test_text(void **state)
{
	struct view_render_opts o = { .ascii = 0 };
	struct view_ladder l;
	char *s;
	const char *p;
	(void)state;

	tr_build(trace_doc, &l);
	s = tr_render_mem(view_render_text, &l, &o);
	assert_non_null(line_with(s, "    0.100 ESTABLISHED* │◀", NULL));
	assert_non_null(line_with(s, "    2.000  FIN_WAIT_1* │", NULL));
	p = line_with(s, "    6.000", NULL);
	assert_non_null(p);
	assert_null(strstr(p, "FIN_WAIT_1"));
	p = line_with(s, "    7.000    TIME_WAIT │", NULL);
	assert_non_null(p);
	assert_null(line_with(s, "    7.000", "TIME_WAIT*"));
	assert_non_null(line_with(s, "    7.008    hand-off* │ FIN_WAIT_2 → CLOSED, time-wait socket", NULL));
	assert_non_null(line_with(s, "   30.000   TIME_WAIT* │ confirmed by the kernel, 59980 ms left", NULL));
	assert_non_null(line_with(s, "══ time_wait: client, timer 59980 ms left at 30.000 ms (kernel) ", NULL));
	assert_non_null(strstr(s, "\n" VIEW_LADDER_KERNEL_LEGEND "\n"));
	free(s);
	o.ascii = 1;
	s = tr_render_mem(view_render_text, &l, &o);
	assert_non_null(line_with(s, "    7.008    hand-off* | FIN_WAIT_2 -> CLOSED, time-wait socket", NULL));
	free(s);
	view_ladder_free(&l);
}

/* SVG and the HTML report: kernel marks green with their source as a tooltip and as data
 * for the step mode; Mermaid notes of state rows carry their time. */
static void test_svg_html_mermaid(void **state)
{
	struct view_render_opts o = { .ascii = 0 };
	struct view_ladder l;
	char *s;
	(void)state;

	tr_build(trace_doc, &l);
	s = tr_render_mem(view_render_svg, &l, &o);
	assert_non_null(strstr(s, "<g class=\"state\" data-event=\"22\" data-row=\"22\" data-side=\"client\" "
				  "data-state=\"TIME_WAIT\" data-src=\"inferred from the packets\">"));
	assert_non_null(strstr(s, "<g class=\"state kernel late\" data-event=\"27\" data-row=\"27\" data-side=\"client\" "
				  "data-state=\"TIME_WAIT\" data-src=\"reported by the kernel (sock_diag) at 30.000 ms, 59980 ms left; "
				  "the packets showed it from 7.000 ms\"><title>client TIME_WAIT: reported by the kernel"));
	assert_non_null(strstr(s, "<g class=\"state kernel handoff\" data-event=\"23\""));
	assert_non_null(strstr(s, "class=\"kw\">FIN_WAIT_2 → CLOSED, time-wait socket</text>"));
	assert_non_null(strstr(s, "class=\"kw\">confirmed by the kernel, 59980 ms left</text>"));
	assert_non_null(strstr(s, VIEW_LADDER_KERNEL_LEGEND "</text>"));
	free(s);
	s = tr_render_mem(view_render_html, &l, &o);
	assert_non_null(strstr(s, "id=\"st-client-src\""));
	assert_non_null(strstr(s, "id=\"st-server-src\""));
	assert_non_null(strstr(s, ".states div.kernel{"));
	assert_non_null(strstr(s, "g.classList.contains('handoff')"));
	assert_non_null(strstr(s, "data-side=\"server\" data-state=\"LAST_ACK\""));
	free(s);
	s = tr_render_mem(view_render_mermaid, &l, &o);
	assert_non_null(strstr(s, "    Note left of P0: FIN_WAIT_1 #42; (2.000 ms)\n"));
	assert_non_null(strstr(s, "    Note left of P0: TIME_WAIT (7.000 ms)\n"));
	assert_non_null(strstr(s, "    Note left of P0: hand-off #42; (7.008 ms, FIN_WAIT_2 #8594; CLOSED, time-wait socket)\n"));
	assert_non_null(strstr(s, "    Note left of P0: TIME_WAIT #42; (30.000 ms, confirmed by the kernel, 59980 ms left)\n"));
	free(s);
	view_ladder_free(&l);
}

/* Without the moment sock_diag saw it (an older trace), the TIME_WAIT words stay as they were. */
static void test_time_wait_words(void **state)
{
	json_t *tw = json_pack("{s:s, s:i, s:s}", "side", "server", "timer_ms", 59976, "source", "kernel");
	char s[96];
	(void)state;

	view_ladder_time_wait(s, sizeof(s), tw);
	assert_string_equal(s, "server, timer 59976 ms (kernel)");
	json_object_set_new(tw, "kernel_seen_us", json_integer(42064));
	view_ladder_time_wait(s, sizeof(s), tw);
	assert_string_equal(s, "server, timer 59976 ms left at 42.064 ms (kernel)");
	json_object_set_new(tw, "source", json_string("inferred"));
	json_object_set_new(tw, "timer_ms", json_integer(60000));
	view_ladder_time_wait(s, sizeof(s), tw);
	assert_string_equal(s, "server, timer 60000 ms (inferred)");
	json_decref(tw);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_star_only_then),
		cmocka_unit_test(test_late_report_at_its_time),
		cmocka_unit_test(test_late_change),
		cmocka_unit_test(test_handoff_drawn),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_svg_html_mermaid),
		cmocka_unit_test(test_time_wait_words),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
