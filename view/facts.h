/* view/facts.h: the facts box of a flow (ISNs, SYN options, handshake times, smallest windows, what each side sent) and where a trace's time 0 lies, in words every renderer prints. */
#ifndef VIEW_FACTS_H
#define VIEW_FACTS_H

#include <stddef.h>
#include <jansson.h>

#define VIEW_FACTS_ROWS 12

/* One row: a label and the client's and the server's value; a row about the connection as
 * a whole (the handshake's times) has one value, in v[0], and span set. */
struct view_facts_row {
	char label[32];
	char v[2][48];
	int span;
	const char *key;	/* stable name (HTML data-fact): "isn", "syn_options", ... */
};

struct view_facts {
	struct view_facts_row row[VIEW_FACTS_ROWS];
	int n;
};

/* The flow object with that id in a trace, or NULL. */
json_t *view_facts_flow_of(json_t *root, int id);

/* The facts of one flow object, from what the trace holds only: a value the trace does not
 * hold is "-", and a row nothing fills is left out. */
void view_facts_build(json_t *flow, struct view_facts *x);

/* What time 0 is in this trace, as a sentence ("time 0 is the server's LISTEN, seen by the
 * kernel, not the first packet as in Wireshark: the first packet is at 0.312 ms"); "" when
 * the trace has no event. */
void view_facts_origin(json_t *root, char *dst, size_t len);

#endif
