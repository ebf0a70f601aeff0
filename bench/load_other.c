/* bench/load_other.c: bench/load.h where epoll does not exist: the load generator says it needs Linux. */
#ifndef __linux__
#include "bench/load.h"

#include <stdio.h>

int bench_load_run(const struct bench_cfg *cfg, struct bench_result *res, char *err, size_t errlen)
{
	(void)cfg;
	(void)res;
	snprintf(err, errlen, "hello-bench needs Linux (epoll)");
	return -1;
}
#else
typedef int bench_load_other_unused;	/* ISO C: a translation unit is never empty */
#endif
