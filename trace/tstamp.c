/* trace/tstamp.c: packet times as the file meant them, checked microsecond arithmetic, ISO 8601 for any year. */
#include "trace/tstamp.h"

#include <inttypes.h>
#include <stdio.h>

/* Division rounding down, so that a time before the epoch splits into a negative second
 * and a positive fraction (-1 us is second -1, 999999 us), never "05:47:45.-999872". */
static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int64_t floor_mod(int64_t a, int64_t b)
{
	int64_t r = a % b;	/* not a - floor_div(a, b) * b: that overflows near INT64_MIN */
	return r != 0 && (r < 0) != (b < 0) ? r + b : r;
}

struct trace_tstamp trace_tstamp_from_timeval(int64_t tv_sec, int64_t tv_usec, int file32, int nano)
{
	struct trace_tstamp t;
	int64_t carry;

	if (file32) {
		/* The pcap record's fields are unsigned 32-bit (libpcap >= 1.11 reads them so). */
		tv_sec = (uint32_t)tv_sec;
		tv_usec = (uint32_t)tv_usec;
	}
	if (nano)
		tv_usec = floor_div(tv_usec, 1000);
	carry = floor_div(tv_usec, 1000000);
	t.usec = (int32_t)floor_mod(tv_usec, 1000000);
	/* pcapng: libpcap hands 64-bit seconds; a carry past INT64_MAX cannot be kept. */
	if (__builtin_add_overflow(tv_sec, carry, &t.sec))
		t.sec = carry > 0 ? INT64_MAX : INT64_MIN;
	return t;
}

int trace_tstamp_since(const struct trace_tstamp *t, int64_t origin_s, int64_t *us)
{
	int64_t ds, v;

	if (__builtin_sub_overflow(t->sec, origin_s, &ds) || __builtin_mul_overflow(ds, 1000000, &v) ||
	    __builtin_add_overflow(v, t->usec, &v) || v > TRACE_TSTAMP_SPAN_US || v < -TRACE_TSTAMP_SPAN_US)
		return -1;
	*us = v;
	return 0;
}

int trace_tstamp_at(int64_t origin_s, int64_t us, struct trace_tstamp *t)
{
	if (__builtin_add_overflow(origin_s, floor_div(us, 1000000), &t->sec))
		return -1;
	t->usec = (int32_t)floor_mod(us, 1000000);
	return 0;
}

int trace_tstamp_epoch_us(const struct trace_tstamp *t, int64_t *us)
{
	int64_t v;

	if (__builtin_mul_overflow(t->sec, 1000000, &v) || __builtin_add_overflow(v, t->usec, &v))
		return -1;
	*us = v;
	return 0;
}

/* Days since 1970-01-01 to a proleptic Gregorian date: H. Hinnant's civil_from_days
 * ("chrono-Compatible Low-Level Date Algorithms"), exact for every int64 second. gmtime_r
 * stops at a 32-bit tm_year and strftime's %Y writes no ISO sign. */
static void civil(int64_t days, int64_t *y, int *m, int *d)
{
	int64_t z = days + 719468;
	int64_t era = floor_div(z, 146097);
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;

	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

void trace_tstamp_iso(const struct trace_tstamp *t, char *buf, size_t len)
{
	int64_t y, secs = floor_mod(t->sec, 86400);
	int mo, d, n;

	civil(floor_div(t->sec, 86400), &y, &mo, &d);
	n = y >= 0 && y <= 9999 ? snprintf(buf, len, "%04" PRId64, y) : snprintf(buf, len, "%+07" PRId64, y);
	if (n > 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, "-%02d-%02dT%02d:%02d:%02d.%06dZ", mo, d, (int)(secs / 3600),
			 (int)(secs / 60 % 60), (int)(secs % 60), (int)t->usec);
}
