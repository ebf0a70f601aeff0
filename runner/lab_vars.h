/* runner/lab_vars.h: a run's placeholders ({port}, {port+N}, {server}, {client}, {labdir}, {out}, {repeat:TEXT:N}) and their expansion. */
#ifndef LAB_VARS_H
#define LAB_VARS_H

#include <stddef.h>

/* A generated text is at most this long: a message far beyond any buffer of the service,
 * well below what one argument of a program may be (Linux: 128 KiB). */
#define LAB_VARS_REPEAT_MAX 65536

/* The values of a run's placeholders. */
struct lab_vars {
	int port;
	const char *server;	/* the server's address as the client sees it */
	const char *client;
	const char *labdir;
	const char *out;
	int keep_repeat;	/* leave {repeat:...} as written: a check shown to a person */
};

/*
 * Expands {port}, {port+N} (N < 100), {server}, {client}, {labdir}, {out} and
 * {repeat:TEXT:N} (TEXT N times, 1 <= N <= LAB_VARS_REPEAT_MAX) in s into dst. A '{'
 * followed by a digit stays as it is (a regular expression's a{3}). Returns 0, or -1 with
 * err filled for an unknown placeholder or a result longer than dstlen - 1.
 */
int lab_vars_expand(const char *s, const struct lab_vars *v, char *dst, size_t dstlen,
		   char *err, size_t errlen);

/* The same into a new string (the caller frees it); NULL with err. */
char *lab_vars_alloc(const char *s, const struct lab_vars *v, char *err, size_t errlen);

#endif
