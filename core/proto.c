/* core/proto.c: the hello protocol's message rules: greeting, reply, exit, limits, reply tracking. */
#include "core/proto.h"

#include <stdio.h>
#include <string.h>

int hello_proto_framing_parse(const char *s, enum hello_framing *out, char *err, size_t errlen)
{
	if (strcmp(s, "raw") == 0) {
		*out = HELLO_FRAMING_RAW;
		return 0;
	}
	if (strcmp(s, "line") == 0) {
		*out = HELLO_FRAMING_LINE;
		return 0;
	}
	snprintf(err, errlen, "--framing: '%s' is not raw or line", s);
	return -1;
}

const char *hello_proto_framing_name(enum hello_framing f)
{
	return f == HELLO_FRAMING_LINE ? "line" : "raw";
}

const char *hello_proto_greeting(enum hello_framing f, size_t *len)
{
	if (f == HELLO_FRAMING_LINE) {
		*len = sizeof(HELLO_GREETING "\n") - 1;
		return HELLO_GREETING "\n";
	}
	*len = sizeof(HELLO_GREETING) - 1;
	return HELLO_GREETING;
}

int hello_proto_is_exit(const uint8_t *msg, size_t len)
{
	return len == sizeof(HELLO_EXIT_MSG) - 1 && memcmp(msg, HELLO_EXIT_MSG, len) == 0;
}

size_t hello_proto_reply_len(enum hello_framing f, size_t len)
{
	return HELLO_REPLY_OVERHEAD + len + (f == HELLO_FRAMING_LINE ? 1 : 0);
}

size_t hello_proto_reply(enum hello_framing f, const uint8_t *msg, size_t len, uint8_t *out, size_t cap)
{
	size_t need = hello_proto_reply_len(f, len);
	size_t pre = sizeof(HELLO_REPLY_PREFIX) - 1;

	if (need > cap || need < len)
		return 0;
	memcpy(out, HELLO_REPLY_PREFIX, pre);
	if (len)
		memcpy(out + pre, msg, len);
	out[pre + len] = '!';
	if (f == HELLO_FRAMING_LINE)
		out[pre + len + 1] = '\n';
	return need;
}

size_t hello_proto_error_toolong(size_t max, char *out, size_t cap)
{
	int n = snprintf(out, cap, "error: line too long (limit %zu bytes)\n", max);

	if (n < 0 || (size_t)n >= cap)
		return 0;
	return (size_t)n;
}

void hello_track_init(struct hello_track *t, const uint8_t *sent, size_t sent_len)
{
	memset(t, 0, sizeof(*t));
	t->sent = sent;
	t->sent_len = sent_len;
}

/* One byte of the reply stream; the caller stops at DONE or MISMATCH. */
static enum hello_track_result track_byte(struct hello_track *t, uint8_t c)
{
	static const char prefix[] = HELLO_REPLY_PREFIX;

	if (!t->in_body) {
		if (c != (uint8_t)prefix[t->prefix_seen])
			return HELLO_TRACK_MISMATCH;
		if (++t->prefix_seen == sizeof(prefix) - 1) {
			t->in_body = 1;
			t->prefix_seen = 0;
		}
		return HELLO_TRACK_MORE;
	}
	/* Prefer echoing a sent byte: "!" ends a reply only where the sent bytes do not go on
	 * with "!" themselves (a message holding "!" is ambiguous; this reads it greedily). */
	if (t->pos < t->sent_len && c == t->sent[t->pos]) {
		t->pos++;
		return HELLO_TRACK_MORE;
	}
	if (c != '!')
		return HELLO_TRACK_MISMATCH;
	t->in_body = 0;
	t->replies++;
	return t->pos == t->sent_len ? HELLO_TRACK_DONE : HELLO_TRACK_MORE;
}

enum hello_track_result hello_track_feed(struct hello_track *t, const uint8_t *p, size_t len, size_t *used)
{
	size_t i;
	enum hello_track_result r = HELLO_TRACK_MORE;

	for (i = 0; i < len; i++) {
		r = track_byte(t, p[i]);
		if (r == HELLO_TRACK_MISMATCH)
			break;
		t->consumed++;
		if (r == HELLO_TRACK_DONE) {
			i++;
			break;
		}
	}
	if (used)
		*used = i;
	return r;
}
