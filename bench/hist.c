/* bench/hist.c: an HDR-style log-bucketed latency histogram: fixed memory, ~0.8% relative error. */
#include "bench/hist.h"

#include <string.h>

void bench_hist_init(struct bench_hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

unsigned bench_hist_index(uint64_t v)
{
	unsigned msb, shift;

	if (v > BENCH_HIST_MAX)
		v = BENCH_HIST_MAX;
	if (v < BENCH_HIST_SUB)
		return (unsigned)v;
	/* v >> shift lands in [SUB/2, SUB): each doubling of v gets HALF more buckets. */
	msb = 63u - (unsigned)__builtin_clzll(v);
	shift = msb - BENCH_HIST_SUB_BITS + 1;
	return shift * BENCH_HIST_HALF + (unsigned)(v >> shift);
}

uint64_t bench_hist_lowest(unsigned idx)
{
	unsigned shift;

	if (idx < BENCH_HIST_SUB)
		return idx;
	shift = idx / BENCH_HIST_HALF - 1;
	return (uint64_t)(idx - shift * BENCH_HIST_HALF) << shift;
}

uint64_t bench_hist_highest(unsigned idx)
{
	unsigned shift;

	if (idx < BENCH_HIST_SUB)
		return idx;
	shift = idx / BENCH_HIST_HALF - 1;
	return ((uint64_t)(idx - shift * BENCH_HIST_HALF + 1) << shift) - 1;
}

void bench_hist_record(struct bench_hist *h, uint64_t v)
{
	h->buckets[bench_hist_index(v)]++;
	h->count++;
	h->sum += (double)v;
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
}

void bench_hist_merge(struct bench_hist *dst, const struct bench_hist *src)
{
	unsigned i;

	for (i = 0; i < BENCH_HIST_BUCKETS; i++)
		dst->buckets[i] += src->buckets[i];
	dst->count += src->count;
	dst->sum += src->sum;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
}

uint64_t bench_hist_percentile(const struct bench_hist *h, double p)
{
	uint64_t rank, seen = 0, v;
	unsigned i;

	if (!h->count)
		return 0;
	if (p <= 0)
		return h->min;
	if (p >= 100)
		return h->max;
	/* The sample of rank ceil(p% of count), counted from 1. */
	rank = (uint64_t)(p / 100.0 * (double)h->count);
	if ((double)rank < p / 100.0 * (double)h->count)
		rank++;
	if (rank < 1)
		rank = 1;
	for (i = 0; i < BENCH_HIST_BUCKETS; i++) {
		seen += h->buckets[i];
		if (seen >= rank)
			break;
	}
	if (i == BENCH_HIST_BUCKETS)
		return h->max;
	v = bench_hist_highest(i);
	if (v > h->max)
		v = h->max;
	if (v < h->min)
		v = h->min;
	return v;
}

double bench_hist_mean(const struct bench_hist *h)
{
	return h->count ? h->sum / (double)h->count : 0.0;
}
