/* runner/lab_schema.h: docs/trace.schema.json built into hello-lab (the Makefile writes it out as C), so a lab's checks are held against the schema wherever the lab lives. */
#ifndef LAB_SCHEMA_H
#define LAB_SCHEMA_H

#include <stddef.h>

extern const char lab_trace_schema[];
extern const size_t lab_trace_schema_len;

#endif
