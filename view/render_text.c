/* view/render_text.c: the ladder as text: two lifelines, labelled arrows, states beside them, phases, times in ms. */
#include "view/render_text.h"

#include <errno.h>
#include <string.h>

#include "core/measure.h"
#include "view/facts.h"
#include "view/ladder_mark.h"
#include "view/ladder_sum.h"
#include "view/ladder_text.h"

#define COLS VIEW_RENDER_TEXT_COLS
#define TIME_W 9		/* "60012.345": ms with microseconds */
#define COL_CLIENT 23		/* the client's lifeline */
#define COL_SERVER 65		/* the server's lifeline */
#define COL_RSTATE 67		/* the server's state starts here */
#define INNER (COL_SERVER - COL_CLIENT - 1)
#define LABEL_MAX (INNER - 5)	/* room for the words on an arrow */
#define FACT_LABEL_W 24		/* the facts table: labels, then the client's column */
#define FACT_VALUE_W 28

enum { C_NONE, C_PHASE, C_STATE, C_KSTATE, C_ALERT, C_DIM, C_CALL };
static const char *const text_colors[] = { "", "\033[36m", "\033[33m", "\033[1;33m", "\033[31m", "\033[2m", "\033[35m" };

struct glyphs {
	const char *vl, *hl, *dash, *right, *left, *lost, *phase, *ellipsis, *dot, *arrow, *tee_r, *tee_l;
};
static const struct glyphs glyphs_utf8 = { "│", "─", "┄", "▶", "◀", "✗", "═", "…", "·", "→", "├", "┤" };
static const struct glyphs glyphs_ascii = { "|", "-", "~", ">", "<", "x", "=", "...", "-", "->", "+", "+" };

/* One output line as cells: each holds one glyph (1 column) and a colour. */
struct tline {
	char g[COLS][5];
	unsigned char c[COLS];
};

struct tctx {
	FILE *out;
	const struct glyphs *gl;
	const struct view_render_opts *o;
};

static void tl_clear(struct tline *t)
{
	memset(t, 0, sizeof(*t));
}

static void tl_glyph(struct tline *t, int col, const char *g, int color)
{
	if (col < 0 || col >= COLS)
		return;
	snprintf(t->g[col], sizeof(t->g[col]), "%s", g);
	t->c[col] = (unsigned char)color;
}

/* ASCII text from col on; returns the column after it. */
static int tl_text(struct tline *t, int col, const char *s, int color)
{
	char one[2] = { 0, 0 };

	for (; *s; s++, col++) {
		one[0] = *s;
		tl_glyph(t, col, one, color);
	}
	return col;
}

static void tl_emit(const struct tctx *x, const struct tline *t)
{
	int n = COLS, i, cur = C_NONE;

	while (n > 0 && (!t->g[n - 1][0] || strcmp(t->g[n - 1], " ") == 0))
		n--;
	for (i = 0; i < n; i++) {
		int c = x->o->color ? t->c[i] : C_NONE;

		if (c != cur)
			fputs(cur != C_NONE ? "\033[0m" : "", x->out), fputs(text_colors[c], x->out), cur = c;
		fputs(t->g[i][0] ? t->g[i] : " ", x->out);
	}
	if (cur != C_NONE)
		fputs("\033[0m", x->out);
	fputc('\n', x->out);
}

static void tl_lifelines(const struct tctx *x, struct tline *t)
{
	tl_glyph(t, COL_CLIENT, x->gl->vl, C_NONE);
	tl_glyph(t, COL_SERVER, x->gl->vl, C_NONE);
}

static void tl_time(struct tline *t, long long t_us)
{
	char buf[32];

	if (t_us == -1)	/* unknown; calls made before the first packet are rightly negative */
		return;
	snprintf(buf, sizeof(buf), "%*.3f", TIME_W, (double)t_us / 1000.0);
	if (strlen(buf) > TIME_W)
		snprintf(buf, sizeof(buf), "%*.0f", TIME_W, (double)t_us / 1000.0);
	tl_text(t, 0, buf, C_DIM);
}

static void tl_marks(struct tline *t, const struct view_ladder_row *r)
{
	char s[64];
	const struct view_ladder_mark *m;

	m = &r->mark[VIEW_LADDER_CLIENT];
	if (m->state[0]) {
		snprintf(s, sizeof(s), "%.*s%s", (int)sizeof(m->state), m->state, m->kernel ? "*" : "");
		tl_text(t, COL_CLIENT - 2 - (int)strlen(s) + 1, s, m->kernel ? C_KSTATE : C_STATE);
	}
	m = &r->mark[VIEW_LADDER_SERVER];
	if (m->state[0]) {
		snprintf(s, sizeof(s), "%.*s%s", (int)sizeof(m->state), m->state, m->kernel ? "*" : "");
		tl_text(t, COL_RSTATE, s, m->kernel ? C_KSTATE : C_STATE);
	}
}

/* An arrow's words: the label and what kind of arrow it is, then as much of the
 * payload preview as fits (cut previews end in an ellipsis inside the quotes). */
struct words {
	char head[LABEL_MAX + 1];
	char tail[16];
	char pv[64];
	int has_pv, cut, width;
};

static int ellipsis_w(const struct tctx *x)
{
	return x->gl == &glyphs_ascii ? 3 : 1;
}

static void arrow_words(const struct tctx *x, const struct view_ladder_row *r, struct words *w)
{
	size_t n, room, keep, k;

	memset(w, 0, sizeof(*w));
	view_ladder_fmt(w->tail, sizeof(w->tail), "%s%s%s",
			 r->style & VIEW_LADDER_RETX ? " retx" : "",
			 r->style & VIEW_LADDER_DUPACK ? " dup" : "",
			 r->dropped_by[0] ? " dropped" : r->style & VIEW_LADDER_LOST ? " lost?" : "");
	view_ladder_fmt(w->head, LABEL_MAX + 1 - strlen(w->tail), "%s", r->label);
	n = strlen(w->head) + strlen(w->tail);
	w->width = (int)n;
	if (!r->preview[0] || n + 3 + 2 > LABEL_MAX)
		return;
	room = LABEL_MAX - n - 3;	/* a space and two quotes */
	keep = strlen(r->preview);
	if (keep > room) {
		if (room <= (size_t)ellipsis_w(x) + 1)
			return;
		keep = room - (size_t)ellipsis_w(x);
		/* never cut inside an escape such as \x0a: back up to its backslash */
		for (k = keep; k > 0 && k + 4 > keep; k--)
			if (r->preview[k - 1] == '\\') {
				keep = k - 1;
				break;
			}
		w->cut = 1;
	}
	snprintf(w->pv, sizeof(w->pv), "%.*s", (int)keep, r->preview);
	w->has_pv = 1;
	w->width += 3 + (int)keep + (w->cut ? ellipsis_w(x) : 0);
}

static int tl_words(const struct tctx *x, struct tline *t, int col, const struct words *w, int color)
{
	col = tl_text(t, col, w->head, color);
	if (w->has_pv) {
		col = tl_text(t, col, " \"", color);
		col = tl_text(t, col, w->pv, color);
		if (w->cut && ellipsis_w(x) > 1)
			col = tl_text(t, col, x->gl->ellipsis, color);
		else if (w->cut)
			tl_glyph(t, col++, x->gl->ellipsis, color);
		col = tl_text(t, col, "\"", color);
	}
	return tl_text(t, col, w->tail, color);
}

static void tl_arrow(const struct tctx *x, struct tline *t, const struct view_ladder_row *r)
{
	struct words w;
	int bad = r->style & (VIEW_LADDER_RETX | VIEW_LADDER_LOST | VIEW_LADDER_ICMP | VIEW_LADDER_RST);
	int color = bad ? C_ALERT : C_NONE, col, i;
	const char *line = r->style & (VIEW_LADDER_RETX | VIEW_LADDER_LOST) ? x->gl->dash : x->gl->hl;
	const char *head = r->style & VIEW_LADDER_LOST ? x->gl->lost : NULL;

	arrow_words(x, r, &w);
	if (r->from == VIEW_LADDER_CLIENT) {
		/* |- words -------->| */
		tl_glyph(t, COL_CLIENT + 1, line, color);
		col = tl_words(x, t, COL_CLIENT + 3, &w, color);
		for (i = col + 1; i < COL_SERVER - 1; i++)
			tl_glyph(t, i, line, color);
		tl_glyph(t, COL_SERVER - 1, head ? head : x->gl->right, color);
	} else {
		/* |<-------- words -| */
		tl_glyph(t, COL_CLIENT + 1, head ? head : x->gl->left, color);
		col = COL_SERVER - 2 - w.width;
		for (i = COL_CLIENT + 2; i < col - 1; i++)
			tl_glyph(t, i, line, color);
		tl_words(x, t, col, &w, color);
		tl_glyph(t, COL_SERVER - 1, line, color);
	}
}

/* A call's words, one cell per character (a UTF-8 sequence is one glyph), the model's
 * arrow written as the glyph set's own, at most max cells. Returns the cells; with t NULL
 * only measures. */
static int tl_call_words(const struct tctx *x, struct tline *t, int col, const char *s, int color, int max)
{
	static const char arrow[] = "→";
	int n = 0;

	while (*s && n < max) {
		char g[5] = { 0 };
		size_t k = 1;

		if (strncmp(s, arrow, sizeof(arrow) - 1) == 0 && x->gl == &glyphs_ascii) {
			if (n + 2 > max)
				break;
			if (t)
				tl_text(t, col + n, x->gl->arrow, color);
			n += 2, s += sizeof(arrow) - 1;
			continue;
		}
		while (k < 4 && ((unsigned char)s[k] & 0xc0) == 0x80)
			k++;
		memcpy(g, s, k);
		if (t)
			tl_glyph(t, col + n, g, color);
		n++, s += k;
	}
	return n;
}

/* "send(7) ┄ PA 22.336": the call, then the packet it caused (or whose bytes it returned)
 * named by its flags and its time in the left column, "+N" when there were more. */
static void call_words(const struct view_ladder_flow *f, const struct view_ladder_row *r, char *dst, size_t len,
		       const char *dash)
{
	const struct view_ladder_row *p;
	char flags[16], more[16] = "";
	size_t k;

	view_ladder_fmt(dst, len, "%s", r->label);
	if (r->nlinks == 0 || r->link_row[0] < 0)
		return;
	p = &f->rows[r->link_row[0]];
	for (k = 0; k + 1 < sizeof(flags) && p->label[k] && p->label[k] != ' '; k++)
		flags[k] = p->label[k];
	flags[k] = '\0';
	if (r->nlinks > 1)
		view_ladder_fmt(more, sizeof(more), " +%d", r->nlinks - 1);
	view_ladder_fmt(dst + strlen(dst), len - strlen(dst), " %s %s %.3f%s", dash, flags, (double)p->t_us / 1000.0, more);
}

/* A call sits on its caller's lifeline, the lifeline turned into a tee towards the words. */
static void tl_call(const struct tctx *x, struct tline *t, const struct view_ladder_flow *f,
		    const struct view_ladder_row *r)
{
	char words[160];
	int color = r->failed ? C_ALERT : C_CALL, w;

	/* between the lifelines, a space on each side: words that do not fit are cut */
	call_words(f, r, words, sizeof(words), x->gl->dash);
	w = tl_call_words(x, NULL, 0, words, color, INNER - 2);
	if (r->from == VIEW_LADDER_CLIENT) {
		tl_glyph(t, COL_CLIENT, x->gl->tee_r, color);
		tl_call_words(x, t, COL_CLIENT + 2, words, color, w);
	} else {
		tl_glyph(t, COL_SERVER, x->gl->tee_l, color);
		tl_call_words(x, t, COL_SERVER - 1 - w, words, color, w);
	}
}

/* The kernel's words of a row of its own (a hand-off, a later confirmation), beside the
 * lifeline of the side it speaks of, in the colour of its `*`. */
static void tl_kernel_words(const struct tctx *x, struct tline *t, const struct view_ladder_row *r)
{
	int w = tl_call_words(x, NULL, 0, r->label, C_KSTATE, INNER - 2);

	if (r->from == VIEW_LADDER_CLIENT)
		tl_call_words(x, t, COL_CLIENT + 2, r->label, C_KSTATE, w);
	else
		tl_call_words(x, t, COL_SERVER - 1 - w, r->label, C_KSTATE, w);
}

static void text_note(const struct tctx *x, const char *note)
{
	const int width = INNER - 3;
	size_t len = strlen(note), at = 0;
	struct tline t;

	while (at < len) {
		size_t n = len - at > (size_t)width ? (size_t)width : len - at;
		char chunk[64];

		/* wrap at a space when there is one in the second half */
		if (at + n < len)
			for (size_t k = n; k > (size_t)width / 2; k--)
				if (note[at + k] == ' ') {
					n = k;
					break;
				}
		snprintf(chunk, sizeof(chunk), "%.*s", (int)n, note + at);
		tl_clear(&t);
		tl_lifelines(x, &t);
		tl_text(&t, COL_CLIENT + 2, chunk, C_DIM);
		tl_emit(x, &t);
		at += n;
		while (note[at] == ' ')
			at++;
	}
}

static void text_phase(const struct tctx *x, const struct view_ladder_row *r)
{
	struct tline t;
	char s[128];
	int col, i;

	tl_clear(&t);
	snprintf(s, sizeof(s), " %s%s%s ", r->phase, r->info[0] ? ": " : "", r->info);
	s[COLS - 4] = '\0';
	tl_glyph(&t, 0, x->gl->phase, C_PHASE);
	tl_glyph(&t, 1, x->gl->phase, C_PHASE);
	col = tl_text(&t, 2, s, C_PHASE);
	for (i = col; i < COLS; i++)
		tl_glyph(&t, i, x->gl->phase, C_PHASE);
	tl_emit(x, &t);
}

static void text_pause(const struct tctx *x, long long us)
{
	struct tline t;
	char w[48];
	int col = COL_CLIENT + 3, ascii = ellipsis_w(x) > 1;

	view_ladder_pause(w, sizeof(w), us);
	tl_clear(&t);
	tl_lifelines(x, &t);
	/* a glyph fills one column: the UTF-8 ellipsis is one, ASCII's three dots are text */
	if (ascii)
		col = tl_text(&t, col, "...", C_DIM);
	else
		tl_glyph(&t, col++, x->gl->ellipsis, C_DIM);
	col = tl_text(&t, col + 1, w, C_DIM);
	if (ascii)
		tl_text(&t, col + 1, "...", C_DIM);
	else
		tl_glyph(&t, col + 1, x->gl->ellipsis, C_DIM);
	tl_emit(x, &t);
}

static void text_row(const struct tctx *x, const struct view_ladder_flow *f, const struct view_ladder_row *r)
{
	struct tline t;

	if (r->kind == VIEW_LADDER_PHASE) {
		text_phase(x, r);
		return;
	}
	tl_clear(&t);
	tl_lifelines(x, &t);
	tl_time(&t, r->t_us);
	tl_marks(&t, r);
	if (r->kind == VIEW_LADDER_ARROW)
		tl_arrow(x, &t, r);
	else if (r->kind == VIEW_LADDER_CALL)
		tl_call(x, &t, f, r);
	else if (r->label[0])
		tl_kernel_words(x, &t, r);
	tl_emit(x, &t);
	if (x->o->notes && r->note[0])
		text_note(x, r->note);
}

/* Items joined by " · " and wrapped at 80 columns. */
static void text_summary(const struct tctx *x, const struct view_ladder_flow *f)
{
	char line[COLS * 4];
	size_t n = 0, w = 0;
	int i;

	for (i = 0; i < f->nsummary; i++) {
		size_t len = strlen(f->summary[i]);

		if (w > 0 && w + 3 + len > COLS) {
			fprintf(x->out, "%s\n", line);
			n = w = 0;
		}
		if (w > 0)
			n += (size_t)snprintf(line + n, sizeof(line) - n, " %s ", x->gl->dot), w += 3;
		n += (size_t)snprintf(line + n, sizeof(line) - n, "%s", f->summary[i]);
		w += len;
	}
	if (w > 0)
		fprintf(x->out, "%s\n", line);
}

/* A paragraph wrapped at 80 columns (at spaces; a word longer than a line is cut). */
static void text_wrap(FILE *out, const char *s)
{
	const size_t room = COLS;

	while (*s) {
		size_t n = strlen(s), cut = n;

		if (n > room)
			for (cut = room; cut > 0 && s[cut] != ' '; cut--)
				;
		if (cut == 0)
			cut = n > room ? room : n;
		fprintf(out, "%.*s\n", (int)cut, s);
		s += cut;
		while (*s == ' ')
			s++;
	}
}

/* The flow's facts (view/facts.c) as a table: each side's value under its name. */
static void text_facts(const struct tctx *x, json_t *root, const struct view_ladder_flow *f)
{
	struct view_facts fx;
	int i;

	view_facts_build(view_facts_flow_of(root, f->id), &fx);
	if (!fx.n)
		return;
	fprintf(x->out, "%-*s%-*s%s\n", FACT_LABEL_W, "facts", FACT_VALUE_W, "client", "server");
	for (i = 0; i < fx.n; i++) {
		const struct view_facts_row *r = &fx.row[i];

		if (r->span)
			fprintf(x->out, "  %-*s%s\n", FACT_LABEL_W - 2, r->label, r->v[0]);
		else
			fprintf(x->out, "  %-*s%-*s%s\n", FACT_LABEL_W - 2, r->label, FACT_VALUE_W, r->v[0], r->v[1]);
	}
}

static void text_flow(const struct tctx *x, json_t *root, const struct view_ladder_flow *f)
{
	struct tline t;
	char proto[8];
	size_t i;
	long long prev = -1;

	for (i = 0; i < sizeof(proto) - 1 && f->proto[i]; i++)
		proto[i] = (char)(f->proto[i] >= 'a' && f->proto[i] <= 'z' ? f->proto[i] - 32 : f->proto[i]);
	proto[i] = '\0';
	/* IPv6 endpoints can make the title too long for one line */
	if (strlen(f->client) + strlen(f->server) + 32 <= COLS)
		fprintf(x->out, "flow %d  %s  client %s %s server %s\n", f->id, proto, f->client, x->gl->arrow, f->server);
	else
		fprintf(x->out, "flow %d  %s  client %s\n%*s%s server %s\n", f->id, proto, f->client,
			(int)strlen(proto) + 8, "", x->gl->arrow, f->server);
	tl_clear(&t);
	tl_text(&t, TIME_W - 2, "ms", C_DIM);
	tl_text(&t, COL_CLIENT - 3, "client", C_NONE);
	tl_text(&t, COL_SERVER - 3, "server", C_NONE);
	tl_emit(x, &t);
	tl_clear(&t);
	tl_lifelines(x, &t);
	if (f->init_state[0][0])
		tl_text(&t, COL_CLIENT - 1 - (int)strlen(f->init_state[0]), f->init_state[0], C_STATE);
	if (f->init_state[1][0])
		tl_text(&t, COL_RSTATE, f->init_state[1], C_STATE);
	tl_emit(x, &t);
	for (i = 0; i < f->nrows; i++) {
		const struct view_ladder_row *r = &f->rows[i];

		/* a long quiet stretch says how long, as the SVG does: a timeout, a retransmission */
		if (r->t_us >= 0 && prev >= 0 && r->t_us - prev >= VIEW_LADDER_PAUSE_US)
			text_pause(x, r->t_us - prev);
		if (r->t_us >= 0)
			prev = r->t_us;
		text_row(x, f, r);
	}
	tl_clear(&t);
	tl_lifelines(x, &t);
	tl_emit(x, &t);
	text_summary(x, f);
	text_facts(x, root, f);
}

int view_render_text(FILE *out, const struct view_ladder *l, const struct view_render_opts *o,
		      char *err, size_t errlen)
{
	struct tctx x = { .out = out, .gl = o->ascii ? &glyphs_ascii : &glyphs_utf8, .o = o };
	char origin[256];
	size_t i;

	fprintf(out, "capture: %s\n", l->capture);
	view_facts_origin(l->root, origin, sizeof(origin));
	if (origin[0]) {
		view_ladder_fmt_cat(origin, sizeof(origin), "; times in ms");
		text_wrap(out, origin);
	}
	if (l->nflows == 0)
		fprintf(out, "no flows in this trace\n");
	for (i = 0; i < l->nflows; i++) {
		fputc('\n', out);
		text_flow(&x, l->root, &l->flows[i]);
	}
	if (l->any_kernel)
		fprintf(out, "\n%s\n", VIEW_LADDER_KERNEL_LEGEND);
	if (ferror(out)) {
		snprintf(err, errlen, "writing the text ladder: %s", strerror(errno ? errno : EIO));
		return -1;
	}
	return 0;
}

int view_render_text_compare(FILE *out, const struct view_ladder *l[2], const char *names[2],
			      char *err, size_t errlen)
{
	struct hello_measure m[2];
	const char *const nm[2] = { names[0], names[1] };

	hello_measure_trace(l[0]->root, &m[0]);
	hello_measure_trace(l[1]->root, &m[1]);
	hello_measure_table(out, nm, m);
	hello_measure_footer(out);
	if (ferror(out)) {
		snprintf(err, errlen, "writing the comparison: %s", strerror(errno ? errno : EIO));
		return -1;
	}
	return 0;
}
