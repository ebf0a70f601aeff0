/* view/ladder_text.c: the ladder's words: printable ASCII from what a trace holds, snprintf that cuts. */
#include "view/ladder_text.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void view_ladder_fmt(char *dst, size_t len, const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	vsnprintf(dst, len, f, ap);
	va_end(ap);
}

void view_ladder_sanitize(char *dst, size_t dstlen, const char *s)
{
	size_t n = 0;

	if (dstlen == 0)
		return;
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[5];
		size_t k;

		if (c >= 0x20 && c < 0x7f)
			esc[0] = (char)c, esc[1] = '\0';
		else
			snprintf(esc, sizeof(esc), "\\x%02x", c);
		k = strlen(esc);
		if (n + k >= dstlen)
			break;
		memcpy(dst + n, esc, k);
		n += k;
	}
	dst[n] = '\0';
}

void view_ladder_fmt_cat(char *dst, size_t len, const char *f, ...)
{
	size_t n = strlen(dst);
	va_list ap;

	if (n + 1 >= len)
		return;
	va_start(ap, f);
	vsnprintf(dst + n, len - n, f, ap);
	va_end(ap);
}

void view_ladder_pause(char *dst, size_t len, long long us)
{
	if (us >= 1000000)
		view_ladder_fmt(dst, len, "%lld.%lld s later", us / 1000000, us / 100000 % 10);
	else
		view_ladder_fmt(dst, len, "%lld ms later", us / 1000);
}
