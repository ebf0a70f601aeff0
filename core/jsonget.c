/* core/jsonget.c: reading members of a parsed JSON object (jansson) with a default when a member is missing or of another type. */
#include "core/jsonget.h"

#include <string.h>

long long hello_json_int(json_t *o, const char *key, long long def)
{
	json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? (long long)json_integer_value(v) : def;
}

long long hello_json_num(json_t *o, const char *key, long long def)
{
	json_t *v = json_object_get(o, key);

	if (json_is_real(v))
		return (long long)json_real_value(v);
	return json_is_integer(v) ? (long long)json_integer_value(v) : def;
}

const char *hello_json_str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

int hello_json_is(json_t *o, const char *key, const char *want)
{
	const char *s = hello_json_str(o, key);

	return s && want && strcmp(s, want) == 0;
}

int hello_json_true(json_t *o, const char *key)
{
	return json_is_true(json_object_get(o, key));
}
