/* runner/lab_wrap.c: a stream that wraps every line written to it at a fixed width, so hello-lab's output fits a classroom terminal. */
#include "runner/lab_wrap.h"

#include <stdlib.h>
#include <string.h>

/* The first byte of a UTF-8 sequence (or an ASCII byte): one column. */
static int starts_char(unsigned char c)
{
	return (c & 0xC0) != 0x80;
}

size_t lab_wrap_cols(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += starts_char((unsigned char)*s);
	return n;
}

void lab_wrap_cut(const char *s, size_t cols, char *buf, size_t len)
{
	size_t i = 0, c = 0, keep;

	if (!len)
		return;
	if (lab_wrap_cols(s) <= cols || cols < 4) {
		snprintf(buf, len, "%s", s);
		return;
	}
	keep = cols - 3;
	for (; s[i]; i++) {
		if (starts_char((unsigned char)s[i]) && c++ == keep)
			break;
	}
	snprintf(buf, len, "%.*s...", (int)i, s);
}

void lab_wrap_init(struct lab_wrap *w, FILE *to, int width)
{
	memset(w, 0, sizeof(*w));
	w->to = to;
	w->width = width;
	w->at_start = 1;
	w->hang = -1;
}

static int hang_of(const struct lab_wrap *w)
{
	int h = w->hang >= 0 ? w->hang : w->indent + 4;

	return h < w->width / 2 ? h : w->width / 2;
}

static void newline(struct lab_wrap *w)
{
	int h = hang_of(w);

	fprintf(w->to, "\n%*s", h, "");
	w->col = w->linestart = w->hang = h;	/* continuation lines keep one margin */
	w->spaces = 0;
	w->cont = 1;
}

/* Writes the pending spaces and word, starting a new line first when they would not fit. */
static void put_word(struct lab_wrap *w)
{
	size_t i = 0, start;
	int c;

	if (!w->wlen)
		return;
	if (w->col + w->spaces + w->wcols > w->width && w->col > w->linestart)
		newline(w);
	/* a word after two spaces, early on the line, starts a column: continuations go there */
	if (!w->cont && w->spaces >= 2 && w->col + w->spaces <= w->width / 2)
		w->hang = w->col + w->spaces;
	fprintf(w->to, "%*s", w->spaces, "");
	w->col += w->spaces;
	w->spaces = 0;
	while (i < w->wlen) {
		/* a word wider than a whole line: cut where the line ends */
		for (start = i, c = 0; i < w->wlen; i++) {
			int first = starts_char((unsigned char)w->word[i]);
			if (first && w->col + c == w->width)
				break;
			c += first;
		}
		fwrite(w->word + start, 1, i - start, w->to);
		w->col += c;
		if (i < w->wlen)
			newline(w);
	}
	w->wlen = 0;
	w->wcols = 0;
}

void lab_wrap_feed(struct lab_wrap *w, const char *p, size_t len, int flush)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c == '\n') {
			put_word(w);
			fputc('\n', w->to);
			w->col = w->indent = w->spaces = w->linestart = w->cont = 0;
			w->at_start = 1;
			w->hang = -1;
		} else if (c == ' ' && w->at_start) {
			fputc(' ', w->to);
			w->col++, w->indent++, w->linestart++;
		} else if (c == ' ') {
			put_word(w);
			w->spaces++;
		} else {
			w->at_start = 0;
			if (w->wlen == sizeof(w->word))
				put_word(w);
			w->word[w->wlen++] = (char)c;
			w->wcols += starts_char(c);
		}
	}
	if (flush)
		put_word(w);
	fflush(w->to);
}

static ssize_t wrap_write(void *cookie, const char *buf, size_t size)
{
	lab_wrap_feed(cookie, buf, size, 1);
	return (ssize_t)size;
}

static int wrap_close(void *cookie)
{
	struct lab_wrap *w = cookie;

	put_word(w);
	fflush(w->to);
	free(w);
	return 0;
}

FILE *lab_wrap_open(FILE *to, int width)
{
	cookie_io_functions_t io = { .write = wrap_write, .close = wrap_close };
	struct lab_wrap *w = malloc(sizeof(*w));
	FILE *f;

	if (!w)
		return NULL;
	lab_wrap_init(w, to, width);
	if (!(f = fopencookie(w, "w", io))) {
		free(w);
		return NULL;
	}
	setvbuf(f, NULL, _IOLBF, 0);
	return f;
}
