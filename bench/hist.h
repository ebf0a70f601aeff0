/* bench/hist.h: an HDR-style log-bucketed latency histogram: fixed memory, ~0.8% relative error. */
#ifndef BENCH_HIST_H
#define BENCH_HIST_H

#include <stdint.h>

/*
 * Values (nanoseconds) below 2^BENCH_HIST_SUB_BITS are counted exactly; above, every
 * power of two is split into 2^(BENCH_HIST_SUB_BITS-1) equal buckets, so a bucket is at
 * most 1/128 of its value wide. Values above BENCH_HIST_MAX are counted in the last
 * bucket (and max keeps the true value). Recording is O(1) and never allocates.
 */
#define BENCH_HIST_SUB_BITS 8
#define BENCH_HIST_SUB      (1u << BENCH_HIST_SUB_BITS)
#define BENCH_HIST_HALF     (BENCH_HIST_SUB / 2)
#define BENCH_HIST_TOP_BIT  40                       /* 2^40 ns: about 18 minutes */
#define BENCH_HIST_MAX      ((UINT64_C(1) << BENCH_HIST_TOP_BIT) - 1)
#define BENCH_HIST_BUCKETS  ((BENCH_HIST_TOP_BIT - BENCH_HIST_SUB_BITS) * BENCH_HIST_HALF + BENCH_HIST_SUB)

struct bench_hist {
	uint64_t count;
	uint64_t min, max;          /* exact; min is UINT64_MAX while empty */
	double sum;                 /* for the mean */
	uint64_t buckets[BENCH_HIST_BUCKETS];
};

void bench_hist_init(struct bench_hist *h);
void bench_hist_record(struct bench_hist *h, uint64_t v);
/* Adds src's counts into dst (per-thread histograms merged at the end). */
void bench_hist_merge(struct bench_hist *dst, const struct bench_hist *src);
/*
 * The value at percentile p (0..100): the highest value of the bucket holding the
 * p-th ranked sample, clamped to [min, max]; 0 when empty.
 */
uint64_t bench_hist_percentile(const struct bench_hist *h, double p);
double bench_hist_mean(const struct bench_hist *h);

/* Bucket arithmetic, public for the unit suite. */
unsigned bench_hist_index(uint64_t v);
uint64_t bench_hist_lowest(unsigned idx);
uint64_t bench_hist_highest(unsigned idx);

#endif
