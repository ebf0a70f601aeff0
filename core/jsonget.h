/* core/jsonget.h: reading members of a parsed JSON object (jansson) with a default when a member is missing or of another type. */
#ifndef HELLO_JSONGET_H
#define HELLO_JSONGET_H

#include <jansson.h>

/* The integer member key of o, or def (also when o is not an object). */
long long hello_json_int(json_t *o, const char *key, long long def);
/* The same, also taking a real (cut toward zero): figures a trace may write either way. */
long long hello_json_num(json_t *o, const char *key, long long def);
/* The string member key of o, or NULL. */
const char *hello_json_str(json_t *o, const char *key);
/* 1 when the string member key of o is want. */
int hello_json_is(json_t *o, const char *key, const char *want);
/* 1 when the member key of o is true. */
int hello_json_true(json_t *o, const char *key);

#endif
