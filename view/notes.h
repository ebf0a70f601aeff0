/* view/notes.h: a plain-language "note" for every event of a trace document, from a table of templates. */
#ifndef VIEW_NOTES_H
#define VIEW_NOTES_H

#include <jansson.h>

/*
 * Adds "note" to every event of a finished document (after trace_appev_merge when there
 * are calls): what the event is and, from its flow, what it leads to ("... so the server
 * will hold TIME_WAIT for 60 s"). Notes come from the event and its context only, never
 * from the lab. Returns 0, or -1 when out of memory.
 */
int view_notes_add(json_t *doc);

/* The note of one event (malloc'd), or NULL when no template fits. For tests. */
char *view_notes_event(json_t *doc, size_t i);

#endif
