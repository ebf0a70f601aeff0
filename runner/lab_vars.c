/* runner/lab_vars.c: a run's placeholders ({port}, {port+N}, {server}, {client}, {labdir}, {out}) and their expansion. */
#include "runner/lab_vars.h"

#include <ctype.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int expand_one(const char *key, size_t klen, const struct lab_vars *v, char *out,
		      size_t outlen)
{
	static const struct { const char *name; size_t off; } strs[] = {
		{ "server", offsetof(struct lab_vars, server) },
		{ "client", offsetof(struct lab_vars, client) },
		{ "labdir", offsetof(struct lab_vars, labdir) },
		{ "out", offsetof(struct lab_vars, out) },
	};
	size_t i;

	for (i = 0; i < sizeof strs / sizeof strs[0]; i++)
		if (strlen(strs[i].name) == klen && strncmp(key, strs[i].name, klen) == 0) {
			snprintf(out, outlen, "%s", *(const char *const *)((const char *)v + strs[i].off));
			return 0;
		}
	if (klen == 4 && strncmp(key, "port", 4) == 0) {
		snprintf(out, outlen, "%d", v->port);
		return 0;
	}
	/* {port+N}: a second service port, e.g. two servers side by side */
	if (klen >= 6 && klen <= 7 && strncmp(key, "port+", 5) == 0 && isdigit((unsigned char)key[5]) &&
	    (klen == 6 || isdigit((unsigned char)key[6]))) {
		snprintf(out, outlen, "%d", v->port + atoi(key + 5));
		return 0;
	}
	return -1;
}

int lab_vars_expand(const char *s, const struct lab_vars *v, char *dst, size_t dstlen,
		   char *err, size_t errlen)
{
	size_t n = 0;

	while (*s) {
		char val[PATH_MAX];
		const char *end;
		size_t vl;

		if (*s != '{') {
			if (n + 1 >= dstlen)
				goto toolong;
			dst[n++] = *s++;
			continue;
		}
		end = strchr(s, '}');
		if (!end || expand_one(s + 1, (size_t)(end - s - 1), v, val, sizeof val) < 0) {
			snprintf(err, errlen, "unknown placeholder \"%.*s\" (known: {port}, {port+N}, "
				 "{server}, {client}, {labdir}, {out})",
				 end ? (int)(end - s + 1) : (int)strlen(s), s);
			return -1;
		}
		vl = strlen(val);
		if (n + vl >= dstlen)
			goto toolong;
		memcpy(dst + n, val, vl);
		n += vl;
		s = end + 1;
	}
	dst[n] = '\0';
	return 0;
toolong:
	snprintf(err, errlen, "argument longer than %zu bytes after expansion", dstlen - 1);
	return -1;
}
