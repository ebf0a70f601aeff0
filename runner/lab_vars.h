/* runner/lab_vars.h: a run's placeholders ({port}, {port+N}, {server}, {client}, {labdir}, {out}) and their expansion. */
#ifndef LAB_VARS_H
#define LAB_VARS_H

#include <stddef.h>

/* Expands {port}, {port+N}, {server}, {client}, {labdir}, {out} in s. Returns 0, or -1
 * with err filled for an unknown placeholder. */
struct lab_vars {
	int port;
	const char *server;	/* the server's address as the client sees it */
	const char *client;
	const char *labdir;
	const char *out;
};
int lab_vars_expand(const char *s, const struct lab_vars *v, char *dst, size_t dstlen,
		   char *err, size_t errlen);

#endif
