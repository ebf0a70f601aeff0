/* trace/notes.h: a plain-language "note" for every event of a trace document, from a table of templates. */
#ifndef TRACE_NOTES_H
#define TRACE_NOTES_H

#include <jansson.h>

/*
 * Adds "note" to every event of a finished document (after trace_appev_merge when there
 * are calls): what the event is and, from its flow, what it leads to ("... so the server
 * will hold TIME_WAIT for 60 s"). Notes come from the event and its context only, never
 * from the lab. Returns 0, or -1 when out of memory.
 */
int trace_notes_add(json_t *doc);

/* The note of one event (malloc'd), or NULL when no template fits. For tests. */
char *trace_notes_event(json_t *doc, size_t i);

#endif
