/* runner/lab_check.h: the check language of lab definitions (expected observations). */
#ifndef LAB_CHECK_H
#define LAB_CHECK_H

#include <stddef.h>
#include <jansson.h>

/*
 * A check is one expression over a JSON context (the trace's top level plus "steps",
 * "impair" and "run"), e.g.
 *     flows[proto=tcp][0].time_wait.side == 'server'
 *     count(events[type=packet, flags~'R']) >= 1 && steps.client.exit == 1
 * The grammar and the meaning of each operator are in docs/labs.md.
 */
struct lab_check;

/* Parses expr. Returns NULL with err filled ("col 12: expected ']'") on a syntax error. */
struct lab_check *lab_check_parse(const char *expr, char *err, size_t errlen);

void lab_check_free(struct lab_check *c);

#endif
