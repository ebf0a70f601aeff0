/* trace/appev.h: the programs' socket calls (--events files, docs/events.md) merged into a trace as "call" events, with links. */
#ifndef TRACE_APPEV_H
#define TRACE_APPEV_H

#include <jansson.h>
#include <stdio.h>

/*
 * Appends the records of one events file to calls (an array). A missing file or lines
 * that are not records are not fatal: a sentence saying so is appended to notes (the
 * trace's capture.state_sources.notes). Returns 0, or -1 when out of memory.
 */
int trace_appev_load(json_t *calls, json_t *notes, const char *path);

/*
 * Merges the calls into a finished document (trace_json_document): each becomes an event
 * {"type": "call", "source": "app", ...} at its before_us on the capture's clock, every
 * event index in the document is renumbered, and packets and calls are linked both ways
 * (packet "calls"/"origin", call "packets"). Returns 0, or -1 when out of memory.
 */
int trace_appev_merge(json_t *doc, json_t *calls);

/* Writes a document like trace_json_write_document does: one flow and one event per line. */
int trace_appev_write(json_t *doc, FILE *f);

#endif
