/* tests/unit/test_bench_hist.c: the benchmark histogram: bucket bounds, percentiles against exact ranks, merge, unescape. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bench/hist.h"
#include "bench/report.h"

/* Every value falls inside its bucket, buckets are contiguous and never wider than 1/128 of their value. */
static void test_buckets_contiguous(void **state)
{
	unsigned i;

	(void)state;
	for (i = 0; i + 1 < BENCH_HIST_BUCKETS; i++) {
		uint64_t lo = bench_hist_lowest(i), hi = bench_hist_highest(i);

		assert_true(lo <= hi);
		assert_int_equal(bench_hist_lowest(i + 1), hi + 1);
		assert_int_equal(bench_hist_index(lo), i);
		assert_int_equal(bench_hist_index(hi), i);
		if (lo >= BENCH_HIST_SUB)
			assert_true((hi - lo + 1) * 128 <= lo);
	}
	assert_int_equal(bench_hist_index(BENCH_HIST_MAX), BENCH_HIST_BUCKETS - 1);
	assert_int_equal(bench_hist_index(UINT64_MAX), BENCH_HIST_BUCKETS - 1);
}

static void test_small_values_exact(void **state)
{
	struct bench_hist *h = malloc(sizeof(*h));
	unsigned v;

	(void)state;
	bench_hist_init(h);
	assert_int_equal(bench_hist_percentile(h, 50), 0);
	for (v = 1; v <= 100; v++)
		bench_hist_record(h, v);
	assert_int_equal(h->count, 100);
	assert_int_equal(bench_hist_percentile(h, 50), 50);
	assert_int_equal(bench_hist_percentile(h, 90), 90);
	assert_int_equal(bench_hist_percentile(h, 99), 99);
	assert_int_equal(bench_hist_percentile(h, 100), 100);
	assert_int_equal(bench_hist_percentile(h, 0), 1);
	assert_true(bench_hist_mean(h) > 50.49 && bench_hist_mean(h) < 50.51);
	free(h);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Spread values (1 us .. 100 ms, log-uniform): each percentile is within 1% of the exact rank's value. */
static void test_percentiles_close_to_exact(void **state)
{
	static const double ps[] = { 10, 50, 90, 99, 99.9 };
	struct bench_hist *h = malloc(sizeof(*h));
	size_t n = 20000, i, k;
	uint64_t *v = malloc(n * sizeof(*v)), x = 88172645463325252ull;

	(void)state;
	bench_hist_init(h);
	for (i = 0; i < n; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;        /* xorshift: reproducible */
		v[i] = 1000u << (x % 17);
		v[i] += (x >> 20) % v[i];
		bench_hist_record(h, v[i]);
	}
	qsort(v, n, sizeof(*v), cmp_u64);
	for (k = 0; k < sizeof(ps) / sizeof(ps[0]); k++) {
		size_t rank = (size_t)(ps[k] / 100.0 * (double)n + 0.999999);
		uint64_t exact = v[rank - 1], got = bench_hist_percentile(h, ps[k]);

		assert_true(got >= exact);
		assert_true((double)got <= (double)exact * 1.01);
	}
	assert_int_equal(bench_hist_percentile(h, 100), v[n - 1]);
	assert_int_equal(h->min, v[0]);
	free(v);
	free(h);
}

static void test_merge(void **state)
{
	struct bench_hist *a = malloc(sizeof(*a)), *b = malloc(sizeof(*b));

	(void)state;
	bench_hist_init(a);
	bench_hist_init(b);
	bench_hist_record(a, 10);
	bench_hist_record(b, 1000000);
	bench_hist_record(b, 5);
	bench_hist_merge(a, b);
	assert_int_equal(a->count, 3);
	assert_int_equal(a->min, 5);
	assert_int_equal(a->max, 1000000);
	assert_int_equal(bench_hist_percentile(a, 50), 10);
	/* A huge value lands in the last bucket; max still reports it exactly. */
	bench_hist_record(a, UINT64_MAX / 2);
	assert_int_equal(bench_hist_percentile(a, 100), UINT64_MAX / 2);
	free(a);
	free(b);
}

static void test_unescape(void **state)
{
	unsigned char out[16];
	char err[128];

	(void)state;
	assert_int_equal(bench_unescape("PING\\r\\n", out, sizeof(out), err, sizeof(err)), 6);
	assert_memory_equal(out, "PING\r\n", 6);
	assert_int_equal(bench_unescape("a\\x00\\xffb\\\\", out, sizeof(out), err, sizeof(err)), 5);
	assert_memory_equal(out, "a\0\xff" "b\\", 5);
	assert_int_equal(bench_unescape("\\q", out, sizeof(out), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "bad escape"));
	assert_int_equal(bench_unescape("\\x4", out, sizeof(out), err, sizeof(err)), -1);
	assert_int_equal(bench_unescape("trailing\\", out, sizeof(out), err, sizeof(err)), -1);
	assert_int_equal(bench_unescape("0123456789abcdefX", out, sizeof(out), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "longer than 16"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buckets_contiguous),
		cmocka_unit_test(test_small_values_exact),
		cmocka_unit_test(test_percentiles_close_to_exact),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_unescape),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
