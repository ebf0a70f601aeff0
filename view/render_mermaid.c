/* view/render_mermaid.c: the ladder as a Mermaid sequenceDiagram (renders in Markdown viewers). */
#include "view/render_mermaid.h"

#include <errno.h>
#include <string.h>

#include "view/ladder_mark.h"
#include "view/ladder_text.h"

/* The phase colours of the SVG, as Mermaid rect backgrounds. */
static const struct { const char *name, *rgb; } mermaid_phases[] = {
	{ "handshake", "rgb(232, 240, 254)" }, { "data", "rgb(230, 244, 234)" },
	{ "teardown", "rgb(254, 247, 224)" }, { "time_wait", "rgb(252, 232, 230)" },
};

#define MERMAID_MAX_PARTS 64

/* Participants: one per distinct endpoint (a server shared by several flows appears once). */
struct mermaid_parts {
	const char *addr[MERMAID_MAX_PARTS];
	int server[MERMAID_MAX_PARTS];
	int n;
};

void view_render_mermaid_escape(FILE *out, const char *s)
{
	/* Everything but letters, digits and a few harmless marks goes as an entity code:
	 * `;` ends a statement, `#` starts an entity, `%%` a comment, quotes, brackets,
	 * `<>` and `:` have meanings of their own depending on where they stand. */
	static const char plain[] = " .,=_()/+!?@-";

	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || (c && strchr(plain, c))) {
			fputc(c, out);
		} else if (c < 0x80) {
			if (c >= 0x20 && c != 0x7f)
				fprintf(out, "#%u;", c);
		} else {
			/* a UTF-8 sequence from our own glyphs: decode it to one code point */
			unsigned cp = 0;
			int more = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : -1;

			if (more < 0)
				continue;
			cp = c & (0x3fu >> more);
			while (more-- > 0 && (s[1] & 0xc0) == 0x80)
				cp = cp << 6 | ((unsigned char)*++s & 0x3f);
			fprintf(out, "#%u;", cp);
		}
	}
}

static int part_id(struct mermaid_parts *p, const char *addr, int server)
{
	int i;

	for (i = 0; i < p->n; i++)
		if (p->server[i] == server && strcmp(p->addr[i], addr) == 0)
			return i;
	if (p->n == MERMAID_MAX_PARTS)
		return MERMAID_MAX_PARTS - 1;	/* beyond that, flows share the last lifeline */
	p->addr[p->n] = addr;
	p->server[p->n] = server;
	return p->n++;
}

static void mermaid_participants(FILE *out, const struct view_ladder *l, struct mermaid_parts *p)
{
	size_t i;
	int k;

	for (i = 0; i < l->nflows; i++) {
		part_id(p, l->flows[i].client, 0);
		part_id(p, l->flows[i].server, 1);
	}
	for (k = 0; k < p->n; k++) {
		fprintf(out, "    participant P%d as %s ", k, p->server[k] ? "Server" : "Client");
		view_render_mermaid_escape(out, p->addr[k]);
		fputc('\n', out);
	}
}

static void mermaid_note(FILE *out, const char *where, int a, int b, const char *text)
{
	if (b >= 0)
		fprintf(out, "    Note %s P%d,P%d: ", where, a, b);
	else
		fprintf(out, "    Note %s P%d: ", where, a);
	view_render_mermaid_escape(out, text);
	fputc('\n', out);
}

/* A state row has no arrow to tell its time: its note does, with the kernel's words of a
 * row of its own (a hand-off, a later confirmation). */
static void mermaid_mark(FILE *out, const char *where, int p, const struct view_ladder_row *r,
			 const struct view_ladder_mark *m)
{
	char text[200];

	view_ladder_fmt(text, sizeof(text), "%s%s", m->state, m->kernel ? " *" : "");
	if (r->kind == VIEW_LADDER_STATE && r->t_us != -1)
		view_ladder_fmt_cat(text, sizeof(text), " (%.3f ms%s%s)", (double)r->t_us / 1000.0,
				    r->label[0] ? ", " : "", r->label);
	else if (r->kind == VIEW_LADDER_STATE && r->label[0])
		view_ladder_fmt_cat(text, sizeof(text), " (%s)", r->label);
	mermaid_note(out, where, p, -1, text);
}

static void mermaid_marks(FILE *out, const struct view_ladder_row *r, int c, int s)
{
	const struct view_ladder_mark *m = r->mark;

	if (m[VIEW_LADDER_CLIENT].state[0])
		mermaid_mark(out, "left of", c, r, &m[0]);
	if (m[VIEW_LADDER_SERVER].state[0])
		mermaid_mark(out, "right of", s, r, &m[1]);
}

static void mermaid_arrow(FILE *out, const struct view_ladder_row *r, int c, int s)
{
	const char *arrow = r->style & VIEW_LADDER_LOST ? "-x" :
			    r->style & (VIEW_LADDER_RETX | VIEW_LADDER_ICMP) ? "-->>" : "->>";
	char words[200];

	view_ladder_fmt(words, sizeof(words), "%.3f ms · %s", (double)r->t_us / 1000.0, r->label);
	if (r->t_us < 0)
		view_ladder_fmt(words, sizeof(words), "%s", r->label);
	if (r->preview[0])
		view_ladder_fmt(words + strlen(words), sizeof(words) - strlen(words), " \"%.40s%s\"",
				 r->preview, strlen(r->preview) > 40 ? "…" : "");
	view_ladder_fmt(words + strlen(words), sizeof(words) - strlen(words), "%s%s%s",
			 r->style & VIEW_LADDER_RETX ? " (retransmission)" : "",
			 r->style & VIEW_LADDER_DUPACK ? " (dup ack)" : "",
			 r->dropped_by[0] ? "" : r->style & VIEW_LADDER_LOST ? " (no reply: lost?)" : "");
	if (r->dropped_by[0])
		view_ladder_fmt(words + strlen(words), sizeof(words) - strlen(words), " (dropped by %s)",
				 r->dropped_by);
	if (r->from == VIEW_LADDER_CLIENT)
		fprintf(out, "    P%d%sP%d: ", c, arrow, s);
	else
		fprintf(out, "    P%d%sP%d: ", s, arrow, c);
	view_render_mermaid_escape(out, words);
	fputc('\n', out);
}

static void mermaid_phase(FILE *out, const struct view_ladder_row *r, int c, int s, int *open)
{
	const char *rgb = "rgb(241, 243, 244)";
	char text[128];
	size_t i;

	for (i = 0; i < sizeof(mermaid_phases) / sizeof(mermaid_phases[0]); i++)
		if (strcmp(mermaid_phases[i].name, r->phase) == 0)
			rgb = mermaid_phases[i].rgb;
	if (*open)
		fputs("    end\n", out);
	fprintf(out, "    rect %s\n", rgb);
	*open = 1;
	view_ladder_fmt(text, sizeof(text), "%s%s%s", r->phase, r->info[0] ? ": " : "", r->info);
	mermaid_note(out, "over", c, s, text);
}

static void mermaid_flow(FILE *out, const struct view_ladder_flow *f, struct mermaid_parts *p,
			 const struct view_render_opts *o)
{
	int c = part_id(p, f->client, 0), s = part_id(p, f->server, 1), open = 0;
	char title[160];
	size_t i;

	view_ladder_fmt(title, sizeof(title), "flow %d (%s)", f->id, f->proto);
	mermaid_note(out, "over", c, s, title);
	if (f->init_state[0][0])
		mermaid_note(out, "left of", c, -1, f->init_state[0]);
	if (f->init_state[1][0])
		mermaid_note(out, "right of", s, -1, f->init_state[1]);
	for (i = 0; i < f->nrows; i++) {
		const struct view_ladder_row *r = &f->rows[i];

		if (r->kind == VIEW_LADDER_PHASE) {
			mermaid_phase(out, r, c, s, &open);
			continue;
		}
		if (r->kind == VIEW_LADDER_ARROW)
			mermaid_arrow(out, r, c, s);
		else if (r->kind == VIEW_LADDER_CALL)	/* over, so a call never reads as a state */
			mermaid_note(out, "over", r->from == VIEW_LADDER_CLIENT ? c : s, -1, r->label);
		mermaid_marks(out, r, c, s);
		if (o->notes && r->note[0])
			mermaid_note(out, "over", c, s, r->note);
	}
	if (open)
		fputs("    end\n", out);
}

int view_render_mermaid(FILE *out, const struct view_ladder *l, const struct view_render_opts *o,
			 char *err, size_t errlen)
{
	struct mermaid_parts p = { .n = 0 };
	size_t i;

	fputs("sequenceDiagram\n", out);
	mermaid_participants(out, l, &p);
	if (l->nflows == 0) {
		fputs("    participant T as trace\n    Note over T: no flows in this trace\n", out);
	}
	for (i = 0; i < l->nflows; i++)
		mermaid_flow(out, &l->flows[i], &p, o);
	if (l->any_kernel)
		fprintf(out, "    %%%% %s\n", VIEW_LADDER_KERNEL_LEGEND);
	if (ferror(out)) {
		view_ladder_fmt(err, errlen, "writing the Mermaid diagram: %s", strerror(errno ? errno : EIO));
		return -1;
	}
	return 0;
}
