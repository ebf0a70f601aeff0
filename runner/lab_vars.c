/* runner/lab_vars.c: a run's placeholders ({port}, {port+N}, {server}, {client}, {labdir}, {out}, {repeat:TEXT:N}) and their expansion. */
#include "runner/lab_vars.h"

#include <ctype.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LAB_VARS_KNOWN "{port}, {port+N}, {server}, {client}, {labdir}, {out}, {repeat:TEXT:N}"

/* Where an expansion goes: bytes past cap are counted, not stored, so one pass measures. */
struct sink {
	char *p;
	size_t cap, n;
};

static void put(struct sink *s, const char *p, size_t len)
{
	if (s->n < s->cap)
		memcpy(s->p + s->n, p, len < s->cap - s->n ? len : s->cap - s->n);
	s->n += len;
}

/* {repeat:TEXT:N}: TEXT (anything but '}', ':' allowed) N times. */
static int repeat(const char *key, size_t klen, struct sink *s, char *err, size_t errlen)
{
	const char *colon = key + klen;
	char *end;
	long n;

	while (colon > key + 7 && colon[-1] != ':')
		colon--;
	if (colon <= key + 8 || !isdigit((unsigned char)*colon)) {
		snprintf(err, errlen, "\"{%.*s}\": write {repeat:TEXT:N}, e.g. {repeat:a:1000}", (int)klen, key);
		return -1;
	}
	n = strtol(colon, &end, 10);
	if (end != key + klen || n < 1 || n > LAB_VARS_REPEAT_MAX) {
		snprintf(err, errlen, "\"{%.*s}\": N must be a whole number from 1 to %d", (int)klen, key,
			 LAB_VARS_REPEAT_MAX);
		return -1;
	}
	while (n--)
		put(s, key + 7, (size_t)(colon - 1 - (key + 7)));
	return 0;
}

static int expand_one(const char *key, size_t klen, const struct lab_vars *v, struct sink *s,
		      char *err, size_t errlen)
{
	static const struct { const char *name; size_t off; } strs[] = {
		{ "server", offsetof(struct lab_vars, server) },
		{ "client", offsetof(struct lab_vars, client) },
		{ "labdir", offsetof(struct lab_vars, labdir) },
		{ "out", offsetof(struct lab_vars, out) },
	};
	char num[16];
	size_t i;

	for (i = 0; i < sizeof strs / sizeof strs[0]; i++)
		if (strlen(strs[i].name) == klen && strncmp(key, strs[i].name, klen) == 0) {
			const char *val = *(const char *const *)((const char *)v + strs[i].off);
			put(s, val, strlen(val));
			return 0;
		}
	if (klen == 4 && strncmp(key, "port", 4) == 0) {
		put(s, num, (size_t)snprintf(num, sizeof num, "%d", v->port));
		return 0;
	}
	/* {port+N}: a second service port, e.g. two servers side by side */
	if (klen >= 6 && klen <= 7 && strncmp(key, "port+", 5) == 0 && isdigit((unsigned char)key[5]) &&
	    (klen == 6 || isdigit((unsigned char)key[6]))) {
		put(s, num, (size_t)snprintf(num, sizeof num, "%d", v->port + atoi(key + 5)));
		return 0;
	}
	if (klen > 7 && strncmp(key, "repeat:", 7) == 0) {
		if (v->keep_repeat) {
			put(s, key - 1, klen + 2);
			return 0;
		}
		return repeat(key, klen, s, err, errlen);
	}
	snprintf(err, errlen, "unknown placeholder \"{%.*s}\" (known: " LAB_VARS_KNOWN ")", (int)klen, key);
	return -1;
}

static int expand(const char *s, const struct lab_vars *v, struct sink *out, char *err, size_t errlen)
{
	while (*s) {
		const char *end;

		/* a '{' before a digit is a regular expression's bound (a{3}), not a placeholder */
		if (*s != '{' || isdigit((unsigned char)s[1])) {
			put(out, s++, 1);
			continue;
		}
		end = strchr(s, '}');
		if (!end) {
			snprintf(err, errlen, "unknown placeholder \"%s\" (no closing '}'; known: " LAB_VARS_KNOWN ")", s);
			return -1;
		}
		if (expand_one(s + 1, (size_t)(end - s - 1), v, out, err, errlen) < 0)
			return -1;
		s = end + 1;
	}
	return 0;
}

int lab_vars_expand(const char *s, const struct lab_vars *v, char *dst, size_t dstlen,
		   char *err, size_t errlen)
{
	struct sink out = { dst, dstlen ? dstlen - 1 : 0, 0 };

	if (expand(s, v, &out, err, errlen) < 0)
		return -1;
	if (out.n >= dstlen) {
		snprintf(err, errlen, "argument longer than %zu bytes after expansion", dstlen ? dstlen - 1 : 0);
		return -1;
	}
	dst[out.n] = '\0';
	return 0;
}

char *lab_vars_alloc(const char *s, const struct lab_vars *v, char *err, size_t errlen)
{
	struct sink count = { NULL, 0, 0 };
	char *buf;

	if (expand(s, v, &count, err, errlen) < 0)
		return NULL;
	if (!(buf = malloc(count.n + 1))) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (lab_vars_expand(s, v, buf, count.n + 1, err, errlen) < 0) {
		free(buf);
		return NULL;
	}
	return buf;
}
