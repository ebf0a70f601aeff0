/* view/render.c: `hello-trace render`: options, reading the trace, choosing the format, writing the file. */
#include "view/render.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/file.h"
#include "core/measure.h"
#include "core/opt.h"
#include "view/ladder.h"
#include "view/ladder_text.h"
#include "view/render_html.h"
#include "view/render_mermaid.h"
#include "view/render_opts.h"
#include "view/render_svg.h"
#include "view/render_text.h"

enum render_format { FMT_NONE, FMT_TEXT, FMT_SVG, FMT_MERMAID, FMT_HTML };

struct render_args {
	enum render_format format;
	const char *out;
	const char *in[2];
	const char *label[2];
	int nlabels;
	int compare;
	int flow;
	struct view_render_opts o;
};

static const struct { const char *name; enum render_format f; } render_formats[] = {
	{ "text", FMT_TEXT }, { "svg", FMT_SVG }, { "mermaid", FMT_MERMAID }, { "html", FMT_HTML },
};

/* -o FILE's extension picks the format when --format is not given. */
static const struct { const char *ext; enum render_format f; } render_exts[] = {
	{ ".svg", FMT_SVG }, { ".html", FMT_HTML }, { ".htm", FMT_HTML }, { ".mmd", FMT_MERMAID },
	{ ".mermaid", FMT_MERMAID }, { ".txt", FMT_TEXT },
};

static int parse_format(const char *s, enum render_format *f)
{
	size_t i;

	for (i = 0; i < sizeof(render_formats) / sizeof(render_formats[0]); i++)
		if (strcmp(s, render_formats[i].name) == 0) {
			*f = render_formats[i].f;
			return 0;
		}
	return -1;
}

static enum render_format format_from_ext(const char *path)
{
	size_t i, n = strlen(path);

	for (i = 0; i < sizeof(render_exts) / sizeof(render_exts[0]); i++) {
		size_t k = strlen(render_exts[i].ext);

		if (n > k && strcasecmp(path + n - k, render_exts[i].ext) == 0)
			return render_exts[i].f;
	}
	return FMT_TEXT;
}

#define PROG "hello-trace render"

enum { OPT_FORMAT = 1, OPT_OUTPUT, OPT_ASCII, OPT_NOTES, OPT_FLOW, OPT_COMPARE, OPT_LABEL };

static const struct hello_opt render_opts[] = {
	{ "format", 'f', "F", OPT_FORMAT, "text (default; or from -o's extension .svg .html .mmd), svg, mermaid, html" },
	{ "output", 'o', "FILE", OPT_OUTPUT, "write to FILE instead of stdout" },
	{ "ascii", 0, NULL, OPT_ASCII, "text: pure ASCII instead of box-drawing characters" },
	{ "notes", 0, NULL, OPT_NOTES, "show each event's note" },
	{ "flow", 0, "N", OPT_FLOW, "only flow N" },
	{ "compare", 0, NULL, OPT_COMPARE, "two traces side by side (e.g. TCP and UDP): packets, bytes on the wire, "
					   "time to first reply (html: both ladders and a bar chart)" },
	{ "label", 0, "NAME", OPT_LABEL, "the name of each compared trace (default: protocol and file name)" },
	{ 0 },
};

static const struct hello_usage render_usage = {
	.prog = PROG,
	.args = "[OPTIONS] TRACE.json\n--compare [OPTIONS] A.json B.json",
	.summary = "Draws a ladder (sequence) diagram of each flow in a trace.json ('-' reads stdin).",
	.opts = render_opts,
	.common = HELLO_OPT_USE_HELP,
	.max_operands = 2,
	.exit_fail = "the trace cannot be read, or the picture cannot be written",
	.footer = "Text is coloured only on a terminal, and never when NO_COLOR is set.",
};

static int render_opt(void *arg, const struct hello_opt_hit *h, char *err, size_t errlen)
{
	struct render_args *a = arg;

	switch (h->id) {
	case OPT_FORMAT:
		if (parse_format(h->val, &a->format) == 0)
			return 0;
		snprintf(err, errlen, "%s: unknown format '%s' (text, svg, mermaid, html)", h->name, h->val);
		return -1;
	case OPT_OUTPUT: a->out = h->val; return 0;
	case OPT_ASCII: a->o.ascii = 1; return 0;
	case OPT_NOTES: a->o.notes = 1; return 0;
	case OPT_COMPARE: a->compare = 1; return 0;
	case OPT_FLOW: return hello_opt_int(h->name, h->val, 1, INT_MAX, &a->flow, err, errlen);
	default:
		if (a->nlabels == 2) {
			snprintf(err, errlen, "%s: at most two", h->name);
			return -1;
		}
		a->label[a->nlabels++] = h->val;
		return 0;
	}
}

/* Returns -1 to go on, or the exit code (the reason printed). */
static int render_parse(int argc, char **argv, struct render_args *a)
{
	int rc, first;

	if ((rc = hello_opt_main(&render_usage, argc, argv, NULL, render_opt, a, &first)) >= 0)
		return rc;
	if (argc - first != (a->compare ? 2 : 1))
		return hello_opt_usage_error(PROG, a->compare ? "--compare wants two traces" : "wants one trace.json");
	a->in[0] = argv[first];
	a->in[1] = a->compare ? argv[first + 1] : NULL;
	if (a->format == FMT_NONE)
		a->format = a->out ? format_from_ext(a->out) : FMT_TEXT;
	if (a->compare && a->format != FMT_HTML && a->format != FMT_TEXT)
		return hello_opt_usage_error(PROG, "--compare draws html or text");
	return -1;
}

static int render_one(FILE *out, const struct render_args *a, struct view_ladder *l, char *err, size_t errlen)
{
	switch (a->format) {
	case FMT_SVG: return view_render_svg(out, &l[0], &a->o, err, errlen);
	case FMT_MERMAID: return view_render_mermaid(out, &l[0], &a->o, err, errlen);
	case FMT_HTML: return view_render_html(out, &l[0], &a->o, err, errlen);
	default: return view_render_text(out, &l[0], &a->o, err, errlen);
	}
}

static int render_compare(FILE *out, const struct render_args *a, struct view_ladder *l, char *err, size_t errlen)
{
	const struct view_ladder *pl[2] = { &l[0], &l[1] };
	char def[2][160];
	const char *names[2];
	int i;

	for (i = 0; i < 2; i++) {
		hello_measure_name(l[i].root, a->in[i], def[i], sizeof(def[i]));
		names[i] = i < a->nlabels ? a->label[i] : def[i];
	}
	if (a->format == FMT_HTML)
		return view_render_html_compare(out, pl, names, &a->o, err, errlen);
	return view_render_text_compare(out, pl, names, err, errlen);
}

/* Renders into FILE.tmp and renames it, so a failed run never leaves half a picture. */
static int render_to_file(const struct render_args *a, struct view_ladder *l, char *err, size_t errlen)
{
	struct hello_file out;
	int rc;

	if (hello_file_open(&out, a->out, 0, err, errlen) < 0)
		return -1;
	rc = a->compare ? render_compare(out.f, a, l, err, errlen) : render_one(out.f, a, l, err, errlen);
	if (rc != 0) {
		hello_file_abort(&out);
		return rc;
	}
	return hello_file_close(&out, err, errlen);
}

int view_render_main(int argc, char **argv)
{
	struct render_args a = { 0 };
	struct view_ladder l[2] = { { 0 } };
	char err[512];
	const char *nc = getenv("NO_COLOR");
	int rc, i;

	if ((rc = render_parse(argc, argv, &a)) >= 0)
		return rc;
	a.o.color = !a.out && isatty(STDOUT_FILENO) && !nc;
	for (i = 0; i < (a.compare ? 2 : 1); i++) {
		if (view_ladder_load(a.in[i], a.flow, &l[i], err, sizeof(err)) < 0) {
			fprintf(stderr, "hello-trace render: %s\n", err);
			rc = 1;
			goto out;
		}
	}
	if (a.out)
		rc = render_to_file(&a, l, err, sizeof(err));
	else {
		rc = a.compare ? render_compare(stdout, &a, l, err, sizeof(err)) : render_one(stdout, &a, l, err, sizeof(err));
		if (rc == 0 && fflush(stdout) != 0)
			rc = -1, snprintf(err, sizeof(err), "write stdout: %s", strerror(errno));
	}
	if (rc != 0) {
		fprintf(stderr, "hello-trace render: %s\n", err);
		rc = 1;
	}
out:
	view_ladder_free(&l[0]);
	view_ladder_free(&l[1]);
	return rc;
}
