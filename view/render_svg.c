/* view/render_svg.c: the ladder as SVG: arrows slanted by time, phases as coloured bands, states beside the lifelines. */
#include "view/render_svg.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "view/ladder_mark.h"
#include "view/ladder_text.h"

#define SVG_W 860
#define X_TIME 66		/* times end here */
#define X_C 250			/* client lifeline */
#define X_S 650			/* server lifeline */
#define Y_TOP 112		/* the first row */
#define SLANT 14		/* an arrow's drop: it lands later than it left */
#define GAP 30			/* least distance between rows */
#define CHAR_W 7.2		/* 12px monospace */
#define LABEL_CHARS 56		/* what fits between the lifelines */

struct svg_phase_style { const char *name, *fill, *ink; };
static const struct svg_phase_style svg_phases[] = {
	{ "handshake", "#e8f0fe", "#1a56c4" }, { "data", "#e6f4ea", "#137333" },
	{ "teardown", "#fef7e0", "#a05a00" }, { "time_wait", "#fce8e6", "#b3261e" },
};
static const struct svg_phase_style svg_phase_other = { "", "#f1f3f4", "#3c4043" };

/* Where each row sits: y0 where its arrow leaves (or its marks), y1 where it lands. */
struct svg_pos {
	double y0, y1;
	double pause_y;		/* > 0: a "later" mark goes here */
	long long pause_us;
};

struct svg_layout {
	struct svg_pos *pos;
	double init_y;		/* the initial states' row */
	double end_y;		/* lifelines stop here */
	double height;
	int summary_lines;
	int embedded;		/* inside the HTML report, which prints the title and summary itself */
};

void view_render_svg_escape(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&#39;", out); break;
		default:
			/* XML 1.0 allows no other control characters, not even as references */
			if (c >= 0x20 && c != 0x7f)
				fputc(c, out);
		}
	}
}

static const struct svg_phase_style *phase_style(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(svg_phases) / sizeof(svg_phases[0]); i++)
		if (strcmp(svg_phases[i].name, name) == 0)
			return &svg_phases[i];
	return &svg_phase_other;
}

/* Summary items joined by " · ", wrapped at about 110 characters: the number of lines. */
static int summary_wrap(const struct view_ladder_flow *f, char lines[][160], int max)
{
	int n = 0, i;

	if (max > 0)
		lines[0][0] = '\0';
	for (i = 0; i < f->nsummary && n < max; i++) {
		size_t have = strlen(lines[n]);

		if (have && have + strlen(f->summary[i]) + 3 > 110) {
			if (++n == max)
				break;
			lines[n][0] = '\0', have = 0;
		}
		view_ladder_fmt(lines[n] + have, 160 - have, "%s%s", have ? " · " : "", f->summary[i]);
	}
	return f->nsummary ? n + 1 : 0;
}

static int svg_layout(const struct view_ladder_flow *f, int notes, int embedded, struct svg_layout *lay)
{
	long long prev_t = 0;
	int have_prev = 0;
	double y = Y_TOP;
	char lines[6][160];
	size_t i;

	memset(lay, 0, sizeof(*lay));
	lay->pos = calloc(f->nrows + 1, sizeof(*lay->pos));
	if (!lay->pos)
		return -1;
	lay->init_y = Y_TOP - 26;
	for (i = 0; i < f->nrows; i++) {
		const struct view_ladder_row *r = &f->rows[i];
		struct svg_pos *p = &lay->pos[i];

		if (r->kind == VIEW_LADDER_PHASE) {
			p->y0 = p->y1 = y + 4;
			y += 26;
			continue;
		}
		/* y grows with time on a log scale, so microseconds and seconds both fit */
		if (r->t_us != -1 && have_prev && r->t_us > prev_t) {
			double dt = (double)(r->t_us - prev_t);

			y += fmin(36.0, 9.0 * log10(1.0 + dt / 20.0));
			if (r->t_us - prev_t >= VIEW_LADDER_PAUSE_US) {
				p->pause_y = y + 8, p->pause_us = r->t_us - prev_t;
				y += 22;
			}
		}
		if (r->t_us != -1)
			prev_t = r->t_us, have_prev = 1;
		p->y0 = y + GAP - 12;
		if (r->kind == VIEW_LADDER_CALL)
			p->y0 -= 4;	/* a call row is a box, not an arrow: it needs less room */
		p->y1 = p->y0 + (r->kind == VIEW_LADDER_ARROW ? SLANT : 0);
		y = p->y1 + 12;
		if (notes && r->note[0])
			y += 14;
	}
	lay->end_y = y + 10;
	lay->embedded = embedded;
	lay->summary_lines = embedded ? 0 : summary_wrap(f, lines, 6);
	lay->height = lay->end_y + 20 + 18.0 * lay->summary_lines + 10;
	return 0;
}

static void svg_text(FILE *out, double x, double y, const char *anchor, const char *cls, const char *s)
{
	fprintf(out, "<text x=\"%.1f\" y=\"%.1f\"%s%s%s class=\"%s\">", x, y,
		anchor ? " text-anchor=\"" : "", anchor ? anchor : "", anchor ? "\"" : "", cls);
	view_render_svg_escape(out, s);
	fputs("</text>\n", out);
}

/* A state box. m: the mark it draws (its source as a tooltip and as data for the step
 * mode), NULL for a side's first state. */
static void svg_state(FILE *out, double x, double y, int side, const char *state,
		      const struct view_ladder_mark *m, int row)
{
	char s[24], src[320];
	int right = side == VIEW_LADDER_SERVER, kernel = m && m->kernel;
	double w;

	view_ladder_fmt(s, sizeof(s), "%s%s", state, kernel ? "*" : "");
	w = CHAR_W * (double)strlen(s) + 10;
	fprintf(out, "<g class=\"state%s%s\" data-event=\"%d\"", kernel ? " kernel" : "",
		!m ? "" : m->what == VIEW_LADDER_MARK_HANDOFF ? " handoff" : m->what == VIEW_LADDER_MARK_LATE ? " late" : "",
		m ? m->event : -1);
	if (row >= 0)
		fprintf(out, " data-row=\"%d\"", row);
	if (m) {
		view_ladder_mark_source(m, src, sizeof(src));
		fprintf(out, " data-side=\"%s\" data-state=\"", right ? "server" : "client");
		view_render_svg_escape(out, state);
		fputs("\" data-src=\"", out);
		view_render_svg_escape(out, src);
		fprintf(out, "\"><title>%s ", right ? "server" : "client");
		view_render_svg_escape(out, state);
		fputs(": ", out);
		view_render_svg_escape(out, src);
		fputs("</title", out);
	}
	fprintf(out, "><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"18\" rx=\"4\"/>",
		right ? x : x - w, y - 9, w);
	svg_text(out, right ? x + 5 : x - 5, y + 4, right ? NULL : "end", "st", s);
	fputs("</g>\n", out);
}

static void svg_marks(FILE *out, const struct view_ladder_row *r, const struct svg_pos *p)
{
	const struct view_ladder_mark *m = r->mark;
	/* a mark sits where the arrow touches that side's lifeline */
	double yc = r->from == VIEW_LADDER_CLIENT ? p->y0 : p->y1;
	double ys = r->from == VIEW_LADDER_CLIENT ? p->y1 : p->y0;

	if (r->kind == VIEW_LADDER_STATE)
		yc = ys = p->y0;
	if (m[VIEW_LADDER_CLIENT].state[0])
		svg_state(out, X_C - 8, yc, VIEW_LADDER_CLIENT, m[0].state, &m[0], r->event);
	if (m[VIEW_LADDER_SERVER].state[0])
		svg_state(out, X_S + 8, ys, VIEW_LADDER_SERVER, m[1].state, &m[1], r->event);
	/* the kernel's words of a row of its own (a hand-off, a later confirmation) */
	if (r->kind == VIEW_LADDER_STATE && r->label[0])
		svg_text(out, r->from == VIEW_LADDER_CLIENT ? X_C + 10 : X_S - 10, p->y0 + 4,
			 r->from == VIEW_LADDER_CLIENT ? NULL : "end", "kw", r->label);
}

static const char *arrow_class(int style)
{
	return style & VIEW_LADDER_LOST ? "arrow lost" : style & VIEW_LADDER_RETX ? "arrow retx" :
	       style & VIEW_LADDER_ICMP ? "arrow icmp" : style & VIEW_LADDER_RST ? "arrow rst" : "arrow";
}

static void arrow_words(const struct view_ladder_row *r, char *dst, size_t len)
{
	size_t n;

	view_ladder_fmt(dst, len, "%s%s%s", r->label, r->style & VIEW_LADDER_RETX ? " retransmission" : "",
			 r->style & VIEW_LADDER_DUPACK ? " dup ack" : "");
	n = strlen(dst);
	if (r->preview[0] && n + 6 < LABEL_CHARS) {
		size_t room = LABEL_CHARS - n - 3, pl = strlen(r->preview);

		if (pl <= room)
			view_ladder_fmt(dst + n, len - n, " \"%s\"", r->preview);
		else
			view_ladder_fmt(dst + n, len - n, " \"%.*s…\"", (int)(room - 1), r->preview);
	}
}

static void svg_arrow(FILE *out, const struct view_ladder_row *r, const struct svg_pos *p, const char *idp, int notes)
{
	double x0 = r->from == VIEW_LADDER_CLIENT ? X_C : X_S;
	double x1 = r->from == VIEW_LADDER_CLIENT ? X_S : X_C;
	double xe = x1, ye = p->y1;
	char words[160];
	const char *marker = r->style & (VIEW_LADDER_RETX | VIEW_LADDER_RST) ? "ahr" :
			     r->style & VIEW_LADDER_ICMP ? "aho" : "ah";

	if (r->style & VIEW_LADDER_LOST) {
		/* it never arrived (as far as anyone saw): stop short and cross it out */
		xe = x0 + (x1 - x0) * 0.72;
		ye = p->y0 + (p->y1 - p->y0) * 0.72;
	}
	arrow_words(r, words, sizeof(words));
	fprintf(out, "<g class=\"%s\" data-event=\"%d\" data-row=\"%d\"><title>", arrow_class(r->style), r->event, r->event);
	view_render_svg_escape(out, words);
	if (r->note[0])
		fputs(" — ", out), view_render_svg_escape(out, r->note);
	fprintf(out, "</title>\n<line class=\"hit\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", x0, p->y0, xe, ye);
	fprintf(out, "<line class=\"ln\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"", x0, p->y0, xe, ye);
	if (!(r->style & VIEW_LADDER_LOST))
		fprintf(out, " marker-end=\"url(#%s%s)\"", idp, marker);
	fputs("/>\n", out);
	if (r->style & VIEW_LADDER_LOST) {
		fprintf(out, "<path class=\"x\" d=\"M%.1f %.1fl12 12m0 -12l-12 12\"/>", xe - 6, ye - 6);
		char why[64];
		view_ladder_fmt(why, sizeof(why), r->dropped_by[0] ? "dropped (%s)" : "lost?", r->dropped_by);
		svg_text(out, xe + (x1 > x0 ? 12 : -12), ye + 4, x1 > x0 ? NULL : "end", "lost", why);
	}
	svg_text(out, (X_C + X_S) / 2.0, (p->y0 + p->y1) / 2 - 9, "middle", "lbl", words);
	if (notes && r->note[0])
		svg_text(out, (X_C + X_S) / 2.0, p->y1 + 16, "middle", "note", r->note);
	fputs("</g>\n", out);
}

/* A call: a box on the caller's lifeline, reaching into the ladder, and a dotted line
 * from it to each packet it sent or whose bytes it returned. */
static void svg_call(FILE *out, const struct view_ladder_flow *f, const struct view_ladder_row *r,
		     const struct svg_layout *lay, size_t i, int notes)
{
	int client = r->from == VIEW_LADDER_CLIENT, k;
	double y = lay->pos[i].y0, w = 0, x0, xm;
	const char *p;

	for (p = r->label; *p; p++)
		w += ((unsigned char)*p & 0xc0) != 0x80;	/* characters, not bytes */
	w = w * CHAR_W + 14;
	x0 = client ? X_C - 5 : X_S + 5 - w;
	xm = x0 + w / 2;
	fprintf(out, "<g class=\"call%s\" data-event=\"%d\" data-row=\"%d\"><title>", r->failed ? " failed" : "",
		r->event, r->event);
	view_render_svg_escape(out, r->label);
	if (r->note[0])
		fputs(" — ", out), view_render_svg_escape(out, r->note);
	fputs("</title>\n", out);
	for (k = 0; k < r->nlinks && k < VIEW_LADDER_MAX_LINKS; k++) {
		const struct view_ladder_row *a;
		const struct svg_pos *ap;
		double t, ax, ay;

		if (r->link_row[k] < 0)
			continue;
		a = &f->rows[r->link_row[k]];
		ap = &lay->pos[r->link_row[k]];
		/* meet the arrow a little way from this side's lifeline: where it leaves
		 * (the call sent it) or where it lands (the call read its bytes) */
		t = a->from == r->from ? 0.2 : 0.8;
		if (a->from == VIEW_LADDER_SERVER)
			t = 1 - t;
		ax = X_C + (X_S - X_C) * t;
		ay = a->from == VIEW_LADDER_CLIENT ? ap->y0 + (ap->y1 - ap->y0) * t : ap->y1 + (ap->y0 - ap->y1) * t;
		fprintf(out, "<line class=\"link\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>",
			xm, ay > y ? y + 9 : y - 9, ax, ay);
	}
	fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"18\" rx=\"3\"/>", x0, y - 9, w);
	svg_text(out, xm, y + 4, "middle", "cl", r->label);
	if (notes && r->note[0])
		svg_text(out, (X_C + X_S) / 2.0, y + 22, "middle", "note", r->note);
	fputs("</g>\n", out);
}

static void svg_time(FILE *out, long long t_us, double y)
{
	char s[32];

	if (t_us == -1)
		return;
	view_ladder_fmt(s, sizeof(s), "%.3f", (double)t_us / 1000.0);
	svg_text(out, X_TIME, y + 4, "end", "tm", s);
}

static void svg_pause(FILE *out, const struct svg_pos *p)
{
	char s[64], w[48];

	if (p->pause_y <= 0)
		return;
	view_ladder_pause(w, sizeof(w), p->pause_us);
	view_ladder_fmt(s, sizeof(s), "… %s …", w);
	svg_text(out, (X_C + X_S) / 2.0, p->pause_y, "middle", "pause", s);
}

/* Phase bands go first, under everything: from each phase row to the next one. */
static void svg_bands(FILE *out, const struct view_ladder_flow *f, const struct svg_layout *lay)
{
	size_t i, j;

	for (i = 0; i < f->nrows; i++) {
		const struct view_ladder_row *r = &f->rows[i];
		const struct svg_phase_style *ps;
		double top = lay->pos[i].y0 - 4, bottom = lay->end_y - 4;
		char s[128];

		if (r->kind != VIEW_LADDER_PHASE)
			continue;
		for (j = i + 1; j < f->nrows; j++)
			if (f->rows[j].kind == VIEW_LADDER_PHASE) {
				bottom = lay->pos[j].y0 - 6;
				break;
			}
		ps = phase_style(r->phase);
		fprintf(out, "<rect class=\"band\" x=\"8\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" fill=\"%s\"/>\n",
			top, SVG_W - 16, bottom - top, ps->fill);
		view_ladder_fmt(s, sizeof(s), "%s%s%s", r->phase, r->info[0] ? ": " : "", r->info);
		/* a halo of the band's colour keeps the name readable where it crosses a lifeline */
		fprintf(out, "<text x=\"14\" y=\"%.1f\" class=\"ph\" fill=\"%s\" stroke=\"%s\" stroke-width=\"5\" "
			"paint-order=\"stroke\">", top + 15, ps->ink, ps->fill);
		view_render_svg_escape(out, s);
		fputs("</text>\n", out);
	}
}

static void svg_head(FILE *out, const struct view_ladder_flow *f, const struct svg_layout *lay, const char *idp)
{
	char s[200];
	size_t i;

	fprintf(out, "<style>\n"
		"text{font-family:'DejaVu Sans Mono',Menlo,Consolas,monospace;font-size:12px;fill:#202124}\n"
		".title{font-size:14px;font-weight:bold} .who{font-weight:bold;font-size:13px} .tm,.pause{fill:#5f6368}\n"
		".ph{font-weight:bold;font-size:12px} .note{font-style:italic;fill:#5f6368;font-size:11px}\n"
		".life{stroke:#5f6368;stroke-width:1.5} .box{fill:#fff;stroke:#3c4043;stroke-width:1.2}\n"
		".ln{stroke:#202124;stroke-width:1.6} .hit{stroke:transparent;stroke-width:14}\n"
		".retx .ln{stroke:#c5221f;stroke-dasharray:7 4} .rst .ln{stroke:#c5221f} .retx .lbl,.rst .lbl,.lost .lbl{fill:#c5221f}\n"
		".lost .ln{stroke:#c5221f;stroke-dasharray:3 4} .x{stroke:#c5221f;stroke-width:2.5} .lost{fill:#c5221f}\n"
		".icmp .ln{stroke:#e37400;stroke-dasharray:2 3} .icmp .lbl{fill:#b06000}\n"
		".state rect{fill:#fff8e1;stroke:#c99a06} .state.kernel rect{fill:#e6f4ea;stroke:#188038} .st{font-size:11px}\n"
		".kw{font-size:11px;fill:#188038}\n"
		".call rect{fill:#f3e8fd;stroke:#8430ce;stroke-width:1.2} .cl{font-size:11px;fill:#681da8}\n"
		".call .link{stroke:#8430ce;stroke-width:1.3;stroke-dasharray:2 3;pointer-events:none} .call.failed rect{stroke:#c5221f} .call.failed .cl{fill:#c5221f}\n"
		"</style>\n<defs>\n");
	for (i = 0; i < 3; i++)
		fprintf(out, "<marker id=\"%s%s\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"10\" markerHeight=\"10\" markerUnits=\"userSpaceOnUse\" "
			"orient=\"auto-start-reverse\"><path d=\"M0 0L10 5L0 10z\" fill=\"%s\"/></marker>\n",
			idp, i == 0 ? "ah" : i == 1 ? "ahr" : "aho", i == 0 ? "#202124" : i == 1 ? "#c5221f" : "#e37400");
	fputs("</defs>\n", out);
	fprintf(out, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%.0f\" fill=\"#fff\"/>\n", SVG_W, lay->height);
	if (lay->embedded)
		return;
	view_ladder_fmt(s, sizeof(s), "flow %d · %s · client %s → server %s", f->id, f->proto, f->client, f->server);
	svg_text(out, 14, 22, NULL, "title", s);
}

/* Lifelines, the two actors and their first states: drawn over the phase bands. */
static void svg_actors(FILE *out, const struct view_ladder_flow *f, const struct svg_layout *lay)
{
	size_t i;

	svg_text(out, X_TIME, 60, "end", "tm", "ms");
	fprintf(out, "<line class=\"life\" x1=\"%d\" y1=\"70\" x2=\"%d\" y2=\"%.1f\"/>\n", X_C, X_C, lay->end_y);
	fprintf(out, "<line class=\"life\" x1=\"%d\" y1=\"70\" x2=\"%d\" y2=\"%.1f\"/>\n", X_S, X_S, lay->end_y);
	for (i = 0; i < 2; i++) {
		int x = i ? X_S : X_C;

		fprintf(out, "<rect class=\"box\" x=\"%d\" y=\"34\" width=\"190\" height=\"38\" rx=\"5\"/>\n", x - 95);
		svg_text(out, x, 50, "middle", "who", i ? "server" : "client");
		svg_text(out, x, 66, "middle", "addr", i ? f->server : f->client);
	}
	if (f->init_state[0][0])
		svg_state(out, X_C - 8, lay->init_y, VIEW_LADDER_CLIENT, f->init_state[0], NULL, -1);
	if (f->init_state[1][0])
		svg_state(out, X_S + 8, lay->init_y, VIEW_LADDER_SERVER, f->init_state[1], NULL, -1);
}

static void svg_foot(FILE *out, const struct view_ladder_flow *f, const struct svg_layout *lay)
{
	char lines[6][160];
	int n = lay->embedded ? 0 : summary_wrap(f, lines, 6), i;

	for (i = 0; i < n; i++)
		svg_text(out, 14, lay->end_y + 20 + 18.0 * i, NULL, "sum", lines[i]);
}

/* One flow as an <svg> element; y >= 0 places it inside an outer SVG. */
static int svg_flow(FILE *out, const struct view_ladder_flow *f, const char *idp, int notes, int embedded,
		    double y, double *height)
{
	struct svg_layout lay;
	size_t i;

	if (svg_layout(f, notes, embedded, &lay) < 0)
		return -1;
	fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"ladder\"");
	if (y >= 0)
		fprintf(out, " x=\"0\" y=\"%.0f\"", y);
	fprintf(out, " width=\"%d\" height=\"%.0f\" viewBox=\"0 0 %d %.0f\" role=\"img\">\n", SVG_W, lay.height, SVG_W, lay.height);
	fprintf(out, "<title>ladder diagram of flow %d (%s)</title>\n", f->id, f->proto);
	svg_head(out, f, &lay, idp);
	svg_bands(out, f, &lay);
	svg_actors(out, f, &lay);
	for (i = 0; i < f->nrows; i++) {
		const struct view_ladder_row *r = &f->rows[i];

		if (r->kind == VIEW_LADDER_PHASE)
			continue;
		svg_pause(out, &lay.pos[i]);
		svg_time(out, r->t_us, lay.pos[i].y0);
		if (r->kind == VIEW_LADDER_ARROW)
			svg_arrow(out, r, &lay.pos[i], idp, notes);
		else if (r->kind == VIEW_LADDER_CALL)
			svg_call(out, f, r, &lay, i, notes);
		svg_marks(out, r, &lay.pos[i]);
	}
	svg_foot(out, f, &lay);
	fputs("</svg>\n", out);
	if (height)
		*height = lay.height;
	free(lay.pos);
	return 0;
}

int view_render_svg_flow(FILE *out, const struct view_ladder_flow *f, const char *idp,
			  const struct view_render_opts *o)
{
	return svg_flow(out, f, idp, o->notes, 1, -1, NULL);
}

int view_render_svg(FILE *out, const struct view_ladder *l, const struct view_render_opts *o,
		     char *err, size_t errlen)
{
	struct svg_layout lay;
	double total = 40, y = 40, h;
	char idp[16], cap[200];
	size_t i;

	for (i = 0; i < l->nflows; i++) {
		if (svg_layout(&l->flows[i], o->notes, 0, &lay) < 0)
			goto nomem;
		total += lay.height + 10;
		free(lay.pos);
	}
	if (l->any_kernel)
		total += 20;
	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%.0f\" viewBox=\"0 0 %d %.0f\">\n",
		SVG_W, total, SVG_W, total);
	fprintf(out, "<rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/>\n");
	view_ladder_fmt(cap, sizeof(cap), "capture: %s%s", l->capture, l->nflows ? "" : " (no flows)");
	fprintf(out, "<text x=\"14\" y=\"24\" style=\"font-family:'DejaVu Sans Mono',monospace;font-size:12px;fill:#5f6368\">");
	view_render_svg_escape(out, cap);
	fputs("</text>\n", out);
	for (i = 0; i < l->nflows; i++) {
		view_ladder_fmt(idp, sizeof(idp), "f%zu-", i);
		if (svg_flow(out, &l->flows[i], idp, o->notes, 0, y, &h) < 0)
			goto nomem;
		y += h + 10;
	}
	if (l->any_kernel)
		fprintf(out, "<text x=\"14\" y=\"%.0f\" style=\"font-family:'DejaVu Sans Mono',monospace;font-size:12px;fill:#5f6368\">"
			"%s</text>\n", y + 6, VIEW_LADDER_KERNEL_LEGEND);
	fputs("</svg>\n", out);
	if (ferror(out)) {
		view_ladder_fmt(err, errlen, "writing the SVG: %s", strerror(errno ? errno : EIO));
		return -1;
	}
	return 0;
nomem:
	view_ladder_fmt(err, errlen, "laying out the SVG: %s", strerror(ENOMEM));
	return -1;
}
