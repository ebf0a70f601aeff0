/* bench/report.h: hello-bench's results as a text summary or a JSON object, and request-text escapes. */
#ifndef BENCH_REPORT_H
#define BENCH_REPORT_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

#include "bench/load.h"

/* What the report says about the run besides the result. */
struct bench_report_info {
	const char *mode;           /* "hello" or "generic" */
	const char *target;         /* "127.0.0.1:9999" */
	const struct bench_cfg *cfg;
};

/* {"tool", "version", "proto", "mode", "target", "connections", ..., "rps", "latency_us": {...}} */
json_t *bench_report_json(const struct bench_report_info *info, const struct bench_result *res);
void bench_report_text(FILE *out, const struct bench_report_info *info, const struct bench_result *res);

/*
 * Decodes C-style escapes (\r \n \t \0 \\ \xHH) of s into out; returns the length, or
 * -1 with err for a bad or unfinished escape or when out (cap bytes) is too small.
 */
long bench_unescape(const char *s, unsigned char *out, size_t cap, char *err, size_t errlen);

#endif
