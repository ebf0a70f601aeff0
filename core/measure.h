/* core/measure.h: the figures a comparison shows for one trace.json, with their labels and units: `hello-lab compare` and `hello-trace render --compare` both print these, so the terminal and the page agree. */
#ifndef HELLO_MEASURE_H
#define HELLO_MEASURE_H

#include <stddef.h>
#include <stdio.h>
#include <jansson.h>

enum hello_measure_id {
	HELLO_M_PACKETS,		/* packets of the flows, both ways */
	HELLO_M_PACKETS_CLIENT,
	HELLO_M_PACKETS_SERVER,
	HELLO_M_IP_BYTES,		/* the flows' ip_bytes, both ways */
	HELLO_M_FRAME_BYTES,		/* the flows' frame_bytes */
	HELLO_M_PAYLOAD_BYTES,
	HELLO_M_ASKS,			/* client packets that asked (a SYN, a message) before the first reply */
	HELLO_M_FIRST_REPLY_US,		/* the client's first packet to the server's first "Hello, " */
	HELLO_M_REPLIES,
	HELLO_M_RETRANSMISSIONS,	/* TCP flows only */
	HELLO_M_UNANSWERED,		/* UDP flows only */
	HELLO_M_ICMP_ERRORS,
	HELLO_M_DURATION_US,		/* the whole capture */
	HELLO_M_N
};

enum hello_measure_unit { HELLO_MU_COUNT, HELLO_MU_BYTES, HELLO_MU_US };

struct hello_measure_row {
	const char *key;		/* a stable name: "ip_bytes" (HTML data-metric, tests) */
	const char *label;		/* what both the terminal and the page print */
	enum hello_measure_unit unit;
	int bar;			/* drawn as bars on the compare page */
};

/* One row per enum hello_measure_id, in that order. */
extern const struct hello_measure_row hello_measure_rows[HELLO_M_N];

/* The figures of one trace; -1 where one does not apply (retransmissions of a trace without
 * TCP) or is not known (no reply seen). */
struct hello_measure {
	long long v[HELLO_M_N];
};

void hello_measure_trace(json_t *trace, struct hello_measure *m);

/* Figure id of m as the comparison prints it: "445", "0.189 ms", "-". */
void hello_measure_fmt(const struct hello_measure *m, int id, char *dst, size_t len);

/* What a reader must know to read the figures (where the time to the first reply starts,
 * what each byte count holds): under the table and on the page. */
extern const char hello_measure_note[];

/* A trace's name in a comparison: "TCP (tcp-hello)", from its first flow's protocol and its
 * file's name, or for a lab run's ".../NAME/trace.json" the folder's name. */
void hello_measure_name(json_t *trace, const char *path, char *dst, size_t len);

/* The comparison as text (79 columns): a head with the two names, a row per figure, the
 * note. hello_measure_line writes one more row in the same columns. 0, or -1 when out
 * reports a write error. */
int hello_measure_table(FILE *out, const char *const names[2], const struct hello_measure m[2]);
void hello_measure_line(FILE *out, const char *label, const char *a, const char *b);
/* hello_measure_note, wrapped to the table's width, to go under it. */
void hello_measure_footer(FILE *out);

#endif
