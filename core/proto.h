/* core/proto.h: the hello protocol's message rules: greeting, reply, exit, limits, reply tracking. */
#ifndef HELLO_PROTO_H
#define HELLO_PROTO_H

#include <stddef.h>
#include <stdint.h>

#define HELLO_GREETING      "hello!"
#define HELLO_EXIT_MSG      "exit"
#define HELLO_REPLY_PREFIX  "Hello, "
#define HELLO_REPLY_SUFFIX  "!"
/* "Hello, " + "!" around the message. */
#define HELLO_REPLY_OVERHEAD 8
#define HELLO_DEFAULT_HOST  "127.0.0.1"
#define HELLO_DEFAULT_HOST6 "::1"
#define HELLO_DEFAULT_PORT  9999
#define HELLO_DEFAULT_MAX_MSG 1024
/* 65507 is the largest IPv4 UDP payload; the reply adds 8 bytes, so a message may have 65499. */
#define HELLO_UDP_MAX_PAYLOAD 65507
#define HELLO_UDP_MAX_MSG (HELLO_UDP_MAX_PAYLOAD - HELLO_REPLY_OVERHEAD)

enum hello_framing {
	HELLO_FRAMING_RAW = 0,  /* each recv chunk is one message; no terminators (the tutorial) */
	HELLO_FRAMING_LINE,     /* "\n"-terminated lines, a trailing "\r" dropped */
};

/* Parses "raw" or "line"; 0 or -1 with err filled. */
int hello_proto_framing_parse(const char *s, enum hello_framing *out, char *err, size_t errlen);
const char *hello_proto_framing_name(enum hello_framing f);

/* The greeting in a framing ("hello!" or "hello!\n"); *len gets its length. */
const char *hello_proto_greeting(enum hello_framing f, size_t *len);

/* 1 when the message (already unframed) is the exit command. */
int hello_proto_is_exit(const uint8_t *msg, size_t len);

/* Bytes the reply to a len-byte message takes in a framing. */
size_t hello_proto_reply_len(enum hello_framing f, size_t len);

/* Writes "Hello, <msg>!" (plus "\n" in line framing) into out; returns its length, or 0
 * when cap is too small (a reply is never empty, so 0 cannot be a real length). */
size_t hello_proto_reply(enum hello_framing f, const uint8_t *msg, size_t len, uint8_t *out, size_t cap);

/* The line a line-framing server sends before closing on an over-long line. */
size_t hello_proto_error_toolong(size_t max, char *out, size_t cap);

/*
 * Reply tracking for raw framing, where TCP keeps no message boundaries: the server may
 * read "MichaelTracy" as one message and answer "Hello, MichaelTracy!". A client that
 * knows what it sent can still tell when every byte it sent has been answered: the
 * replies, stripped of "Hello, " and "!", spell out exactly the bytes sent.
 */
enum hello_track_result { HELLO_TRACK_MORE = 0, HELLO_TRACK_DONE = 1, HELLO_TRACK_MISMATCH = -1 };

struct hello_track {
	const uint8_t *sent;    /* the bytes sent, concatenated (not owned) */
	size_t sent_len;
	size_t pos;             /* how many sent bytes the replies have echoed so far */
	size_t prefix_seen;     /* bytes of "Hello, " matched in the reply being read */
	int in_body;            /* inside a reply, after its prefix */
	size_t replies;         /* complete replies seen */
	size_t consumed;        /* total bytes fed */
};

void hello_track_init(struct hello_track *t, const uint8_t *sent, size_t sent_len);
/* Feeds received bytes; *used gets how many belong to the tracked replies (the rest, after
 * DONE or at a MISMATCH, is not part of them). */
enum hello_track_result hello_track_feed(struct hello_track *t, const uint8_t *p, size_t len, size_t *used);

#endif
