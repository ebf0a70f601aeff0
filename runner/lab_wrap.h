/* runner/lab_wrap.h: a stream that wraps every line written to it at a fixed width, so hello-lab's output fits a classroom terminal. */
#ifndef LAB_WRAP_H
#define LAB_WRAP_H

#include <stddef.h>
#include <stdio.h>

/* hello-lab's lines fit 80 columns: a projector's terminal, a laptop's half screen. */
#define LAB_WRAP_WIDTH 80

/*
 * The wrapping of one line of text, fed a piece at a time. Words are written as soon as
 * they are complete (or when the writer flushes), so a progress line shows up before the
 * step it announces is over; a word that would cross the width starts a new line.
 * Continuation lines start under the line's last column that began after two spaces (in
 * the first half of the width: "    FAIL  check..." goes on under "check"), else at the
 * line's indent plus four. A word wider than the line is cut. Width counts characters
 * (UTF-8 sequences as one), as a terminal does for the ladder's box-drawing lines.
 */
struct lab_wrap {
	FILE *to;
	int width;
	int col;		/* characters on the current output line */
	int indent;		/* leading spaces of the current input line */
	int hang;		/* where continuation lines start; -1: not known yet */
	int linestart;		/* where the current output line's text starts */
	int cont;		/* the current output line is a continuation */
	int at_start;		/* still in the leading spaces */
	int spaces;		/* spaces seen after the last word, not yet written */
	char word[512];		/* the word being read */
	size_t wlen;
	int wcols;
};

void lab_wrap_init(struct lab_wrap *w, FILE *to, int width);

/* Feeds len bytes; flush: also write a pending incomplete word (the writer flushed). */
void lab_wrap_feed(struct lab_wrap *w, const char *p, size_t len, int flush);

/*
 * A stream whose lines are wrapped to width columns on their way to `to` (line-buffered;
 * fclose flushes and frees it, and leaves `to` open). NULL when the C library cannot make
 * one; the caller then writes to `to` unwrapped.
 */
FILE *lab_wrap_open(FILE *to, int width);

/* Columns of the UTF-8 text s (each character one column). */
size_t lab_wrap_cols(const char *s);

/* Copies s into buf cut to at most cols characters, ending in "..." when it was cut. */
void lab_wrap_cut(const char *s, size_t cols, char *buf, size_t len);

#endif
