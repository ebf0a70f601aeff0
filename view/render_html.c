/* view/render_html.c: the self-contained HTML report (inline CSS, JS and SVG; no network) and the compare page. */
#include "view/render_html.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/measure.h"
#include "view/facts.h"
#include "view/ladder_sum.h"
#include "view/ladder_text.h"
#include "view/render_facts.h"
#include "view/render_step.h"
#include "view/render_svg.h"

/* Nothing may leave the page: the policy forbids every fetch, so a mistake shows up
 * as a console error in the browser check instead of a silent request. */
static const char html_csp[] =
	"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:";

static const char html_style[] =
	"body{font-family:system-ui,'DejaVu Sans',sans-serif;margin:0;color:#202124;background:#fafafa}\n"
	"header{padding:14px 24px;background:#fff;border-bottom:1px solid #dadce0}\n"
	"h1{font-size:20px;margin:0 0 4px} h2{font-size:16px;margin:18px 0 8px} .cap{color:#5f6368;font-size:13px}\n"
	"main{display:flex;gap:20px;padding:0 24px 24px;align-items:flex-start}\n"
	".traces{flex:1;min-width:0} .cols{display:grid;grid-template-columns:1fr 1fr;gap:20px}\n"
	"section.flow{background:#fff;border:1px solid #dadce0;border-radius:8px;padding:4px 16px 12px;margin-top:16px}\n"
	"ul.facts{list-style:none;padding:0;margin:0 0 8px;display:flex;flex-wrap:wrap;gap:6px}\n"
	"ul.facts li{background:#f1f3f4;border-radius:12px;padding:2px 10px;font-size:13px;font-family:'DejaVu Sans Mono',monospace}\n"
	"svg.ladder{width:100%;height:auto;max-width:860px;display:block}\n"
	"svg.ladder [data-event]{cursor:pointer} svg.ladder g.arrow:hover .ln{stroke-width:3}\n"
	"svg.ladder .sel .ln{stroke:#1a73e8;stroke-width:3} svg.ladder .sel .lbl{fill:#1a73e8;font-weight:bold}\n"
	"svg.ladder .state.sel rect{stroke:#1a73e8;stroke-width:2.5}\n"
	"aside{position:sticky;top:12px;width:340px;flex:none;margin-top:16px;background:#fff;border:1px solid #dadce0;"
	"border-radius:8px;padding:4px 14px 12px}\n"
	"aside pre{font-size:12px;white-space:pre-wrap;word-break:break-all;max-height:80vh;overflow:auto;margin:0}\n"
	".legend{font-size:13px;color:#5f6368;margin:6px 0 0} .chart{background:#fff;border:1px solid #dadce0;"
	"border-radius:8px;padding:8px 16px;margin-top:16px}\n"
	".chart svg{max-width:760px;width:100%;height:auto}\n"
	"table.figures{border-collapse:collapse;font-size:13px;margin:8px 0} table.figures th,table.figures td{padding:2px 10px;"
	"border-bottom:1px solid #e8eaed;text-align:right} table.figures th:first-child{text-align:left;font-weight:normal}"
	" table.figures tr.sub th{padding-left:26px;color:#5f6368} table.figures thead th{font-weight:bold}\n"
	"main.cmp{display:block} .top{display:flex;gap:20px;align-items:flex-start} .top .chart{flex:1}\n"
	"main.cmp aside{position:static;max-height:330px;overflow:auto} main.cmp aside pre{max-height:260px}\n";

static void html_esc(FILE *out, const char *s)
{
	view_render_svg_escape(out, s);
}

/* The trace's events as JSON inside <script>: ASCII only, and every `<` escaped so
 * no string in the trace can close the script element. */
static int html_events(FILE *out, const struct view_ladder *l, int t)
{
	json_t *events = json_object_get(l->root, "events");
	char *s = json_dumps(json_is_array(events) ? events : json_array(), JSON_COMPACT | JSON_ENSURE_ASCII);
	const char *p;

	if (!s)
		return -1;
	fprintf(out, "<script type=\"application/json\" id=\"events-%d\">", t);
	for (p = s; *p; p++) {
		if (*p == '<')
			fputs("\\u003c", out);
		else
			fputc(*p, out);
	}
	fputs("</script>\n", out);
	free(s);
	return 0;
}

static void html_head(FILE *out, const char *title)
{
	fprintf(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		"<meta http-equiv=\"Content-Security-Policy\" content=\"%s\">\n"
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		"<link rel=\"icon\" href=\"data:,\">\n<title>", html_csp);
	html_esc(out, title);
	fprintf(out, "</title>\n<style>\n%s%s%s</style>\n</head>\n<body>\n", html_style, view_render_step_css,
		view_render_facts_css);
}

/* The step panel (render_step.c drives it) above the event's JSON. */
static void html_aside(FILE *out)
{
	fputs("<aside>\n<div class=\"stepbar\"><button id=\"step-prev\" type=\"button\" title=\"previous step (←)\">◀ back</button>"
	      "<span id=\"step-pos\"></span>"
	      "<button id=\"step-next\" type=\"button\" title=\"next step (→)\">next ▶</button></div>\n"
	      "<div id=\"step-states\" class=\"states\" hidden><div><span class=\"who\">client</span><b id=\"st-client\"></b>"
	      "<span class=\"src\" id=\"st-client-src\"></span></div>"
	      "<div><span class=\"who\">server</span><b id=\"st-server\"></b><span class=\"src\" id=\"st-server-src\"></span></div>"
	      "<p id=\"st-caption\"></p></div>\n"
	      "<p id=\"step-note\" class=\"bignote\" aria-live=\"polite\">Step through the trace with ← → (or the buttons), or click an arrow, "
	      "a call or a state.</p>\n<p id=\"step-more\" class=\"more\"></p>\n"
	      "<h2 id=\"detail-title\">Event details</h2>\n"
	      "<pre id=\"detail\">Click an arrow, a call or a state on a ladder to see its event.</pre>\n</aside>\n", out);
}

static int html_flows(FILE *out, const struct view_ladder *l, int t, const struct view_render_opts *o)
{
	char idp[32], h[256];
	size_t i;
	int k;

	if (l->nflows == 0)
		fputs("<p>No flows in this trace.</p>\n", out);
	for (i = 0; i < l->nflows; i++) {
		const struct view_ladder_flow *f = &l->flows[i];
		json_t *flow = view_facts_flow_of(l->root, f->id);

		fprintf(out, "<section class=\"flow\" id=\"t%d-flow-%d\" data-flow=\"%d\" data-proto=\"", t, f->id, f->id);
		html_esc(out, f->proto);
		fputs("\" data-init-client=\"", out);
		html_esc(out, f->init_state[0]);
		fputs("\" data-init-server=\"", out);
		html_esc(out, f->init_state[1]);
		fputc('"', out);
		view_render_facts_isn_attrs(out, flow);
		fputs(">\n<h2>", out);
		view_ladder_fmt(h, sizeof(h), "flow %d · %s · client %s → server %s", f->id, f->proto, f->client, f->server);
		html_esc(out, h);
		fputs("</h2>\n<ul class=\"facts\">", out);
		for (k = 0; k < f->nsummary; k++) {
			fputs("<li>", out);
			html_esc(out, f->summary[k]);
			fputs("</li>", out);
		}
		fputs("</ul>\n", out);
		view_render_facts_table(out, flow);
		view_ladder_fmt(idp, sizeof(idp), "t%d-f%zu-", t, i);
		if (view_render_svg_flow(out, f, idp, o) < 0)
			return -1;
		fputs("</section>\n", out);
	}
	return 0;
}

static void html_legend(FILE *out, int any_kernel)
{
	fputs("<p class=\"legend\">Time runs down; each arrow is one packet, labelled with its flags, relative "
	      "seq/ack, payload length and preview. Red dashed: retransmitted; red ✗: no reply came (lost?), or \"dropped\" when a lab rule dropped it; "
	      "orange: ICMP error. Purple boxes on a lifeline are the program's socket calls; a dotted line joins "
	      "a call to the packets it sent or whose bytes it returned. Step with ← → or the buttons.", out);
	if (any_kernel)
		fputs(" States marked * (green) are what the kernel reported at that moment (within 1 ms); the others "
		      "(yellow) are inferred from the packets. A kernel report that came later is drawn at its own time: "
		      "\"confirmed by the kernel\" when sock_diag looked (on the capture's tick), \"kernel's change\" "
		      "when the kernel made the change later than the packets showed it. \"hand-off\" is the kernel "
		      "handing a closing socket to its time-wait socket. Point at a state to see when the kernel said "
		      "what; the step mode's state boxes are green or yellow the same way.", out);
	fputs("</p>\n", out);
	view_render_facts_controls(out, any_kernel);
}

static int html_end(FILE *out, char *err, size_t errlen)
{
	fprintf(out, "<script>\n%s%s</script>\n</body>\n</html>\n", view_render_step_js, view_render_facts_js);
	if (ferror(out)) {
		view_ladder_fmt(err, errlen, "writing the HTML report: %s", strerror(errno ? errno : EIO));
		return -1;
	}
	return 0;
}

int view_render_html(FILE *out, const struct view_ladder *l, const struct view_render_opts *o,
		      char *err, size_t errlen)
{
	html_head(out, "hellolab trace");
	fputs("<header>\n<h1>hellolab trace</h1>\n<div class=\"cap\">capture: ", out);
	html_esc(out, l->capture);
	fputs("</div>\n", out);
	view_render_facts_origin(out, l->root);
	html_legend(out, l->any_kernel);
	fputs("</header>\n<main>\n<div class=\"traces\" data-trace=\"0\" data-name=\"\">\n", out);
	if (html_flows(out, l, 0, o) < 0 || html_events(out, l, 0) < 0)
		goto nomem;
	fputs("</div>\n", out);
	html_aside(out);
	fputs("</main>\n", out);
	return html_end(out, err, errlen);
nomem:
	view_ladder_fmt(err, errlen, "writing the HTML report: %s", strerror(ENOMEM));
	return -1;
}

/* One figure as two horizontal bars, each scaled to the larger of the two. */
static void chart_metric(FILE *out, double y, int id, const struct hello_measure m[2])
{
	static const char *const colors[2] = { "#1a73e8", "#e37400" };
	double v[2], max;
	char text[32];
	int i;

	for (i = 0; i < 2; i++)
		v[i] = m[i].v[id] > 0 ? (double)m[i].v[id] : 0;
	max = v[0] > v[1] ? v[0] : v[1];
	fprintf(out, "<text x=\"0\" y=\"%.0f\" class=\"m\">", y + 12);
	html_esc(out, hello_measure_rows[id].label);
	fputs("</text>\n", out);
	for (i = 0; i < 2; i++) {
		double w = max > 0 ? 440.0 * v[i] / max : 0;

		hello_measure_fmt(&m[i], id, text, sizeof(text));
		fprintf(out, "<rect x=\"250\" y=\"%.0f\" width=\"%.1f\" height=\"16\" fill=\"%s\" rx=\"2\"/>", y + i * 20, w, colors[i]);
		fprintf(out, "<text x=\"%.1f\" y=\"%.0f\" class=\"v\">", 256 + w, y + i * 20 + 12);
		html_esc(out, text);
		fputs("</text>\n", out);
	}
}

/* Every figure as a table (the rows and words of `hello-lab compare` in the terminal, from
 * core/measure), the main ones also as bars. */
static void html_chart(FILE *out, const struct view_ladder *l[2], const char *names[2])
{
	struct hello_measure m[2];
	char text[32];
	int i, id, nbars = 0;

	for (i = 0; i < 2; i++)
		hello_measure_trace(l[i]->root, &m[i]);
	for (id = 0; id < HELLO_M_N; id++)
		nbars += hello_measure_rows[id].bar;
	fprintf(out, "<div class=\"chart\">\n<h2>Side by side</h2>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 760 %d\" width=\"760\" height=\"%d\" role=\"img\">\n"
		"<style>text{font-family:'DejaVu Sans',sans-serif;font-size:13px;fill:#202124} .m{font-weight:bold}"
		" .v{fill:#3c4043}</style>\n", 40 + 70 * nbars, 40 + 70 * nbars);
	for (i = 0; i < 2; i++) {
		fprintf(out, "<rect x=\"%d\" y=\"0\" width=\"14\" height=\"14\" fill=\"%s\"/><text x=\"%d\" y=\"12\">",
			i * 330, i ? "#e37400" : "#1a73e8", i * 330 + 20);
		html_esc(out, names[i]);
		fputs("</text>\n", out);
	}
	for (id = 0, i = 0; id < HELLO_M_N; id++)
		if (hello_measure_rows[id].bar)
			chart_metric(out, 36 + 70 * i++, id, m);
	fputs("</svg>\n<table class=\"figures\">\n<thead><tr><th></th><th>", out);
	html_esc(out, names[0]);
	fputs("</th><th>", out);
	html_esc(out, names[1]);
	fputs("</th></tr></thead>\n<tbody>\n", out);
	for (id = 0; id < HELLO_M_N; id++) {
		const char *label = hello_measure_rows[id].label;
		int sub = label[0] == ' ';

		fprintf(out, "<tr data-metric=\"%s\"%s><th>", hello_measure_rows[id].key, sub ? " class=\"sub\"" : "");
		html_esc(out, label + strspn(label, " "));
		fputs("</th>", out);
		for (i = 0; i < 2; i++) {
			hello_measure_fmt(&m[i], id, text, sizeof(text));
			fputs("<td>", out);
			html_esc(out, text);
			fputs("</td>", out);
		}
		fputs("</tr>\n", out);
	}
	fputs("</tbody>\n</table>\n<p class=\"legend\">", out);
	html_esc(out, hello_measure_note);
	fputs("</p>\n</div>\n", out);
}

int view_render_html_compare(FILE *out, const struct view_ladder *l[2], const char *names[2],
			      const struct view_render_opts *o, char *err, size_t errlen)
{
	int i;

	html_head(out, "hellolab compare");
	fputs("<header>\n<h1>hellolab compare: ", out);
	html_esc(out, names[0]);
	fputs(" vs ", out);
	html_esc(out, names[1]);
	fputs("</h1>\n", out);
	html_legend(out, l[0]->any_kernel || l[1]->any_kernel);
	fputs("</header>\n<main class=\"cmp\">\n<div class=\"top\">\n", out);
	html_chart(out, l, names);
	html_aside(out);
	fputs("</div>\n<div class=\"cols\">\n", out);
	for (i = 0; i < 2; i++) {
		fprintf(out, "<div data-trace=\"%d\" data-name=\"", i);
		html_esc(out, names[i]);
		fputs("\">\n<h2>", out);
		html_esc(out, names[i]);
		fputs("</h2>\n<div class=\"cap\">capture: ", out);
		html_esc(out, l[i]->capture);
		fputs("</div>\n", out);
		view_render_facts_origin(out, l[i]->root);
		if (html_flows(out, l[i], i, o) < 0 || html_events(out, l[i], i) < 0)
			goto nomem;
		fputs("</div>\n", out);
	}
	fputs("</div>\n</main>\n", out);
	return html_end(out, err, errlen);
nomem:
	view_ladder_fmt(err, errlen, "writing the compare page: %s", strerror(ENOMEM));
	return -1;
}
