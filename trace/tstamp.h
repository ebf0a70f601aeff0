/* trace/tstamp.h: packet times: libpcap's timeval as the file meant it, the model's microsecond clock, ISO 8601 text for any 64-bit second. */
#ifndef TRACE_TSTAMP_H
#define TRACE_TSTAMP_H

#include <stddef.h>
#include <stdint.h>

/* A time as whole seconds since the Unix epoch (any int64) and microseconds 0..999999. */
struct trace_tstamp {
	int64_t sec;
	int32_t usec;
};

/* The model's clock counts microseconds in an int64 from an origin second. Times are kept
 * within +-2^62 us (146,000 years) of it, so that the difference of any two still fits. */
#define TRACE_TSTAMP_SPAN_US (INT64_C(1) << 62)

/* "-292277026596-12-04T15:30:07.000000Z" is the longest: a sign, 12 digits, the rest. */
#define TRACE_TSTAMP_ISO_MAX 40

/* A packet's time from libpcap's timeval, whose sub-second field holds nanoseconds when
 * nano (the capture asked libpcap for them) and microseconds otherwise. file32: a pcap
 * file (not pcapng), whose record holds 32-bit unsigned seconds and sub-second field;
 * libpcap 1.10 sign-extends both into the timeval, so they are taken back as unsigned
 * (0x80000000 is 2038-01-19T03:14:08Z, not 1901). A sub-second field of a second or more
 * (invalid, but a file can say it) carries into the seconds. (A nanosecond pcap read from
 * a pipe is read in microseconds: libpcap 1.10 has then divided a field of 2^31 ns or more
 * while sign-extended, and it comes out wrong.) */
struct trace_tstamp trace_tstamp_from_timeval(int64_t tv_sec, int64_t tv_usec, int file32, int nano);

/* Microseconds from origin_s to t; 0, or -1 when beyond +-TRACE_TSTAMP_SPAN_US. */
int trace_tstamp_since(const struct trace_tstamp *t, int64_t origin_s, int64_t *us);

/* origin_s plus us microseconds; 0, or -1 when the seconds overflow an int64. */
int trace_tstamp_at(int64_t origin_s, int64_t us, struct trace_tstamp *t);

/* Microseconds since the epoch; 0, or -1 when they overflow an int64 (beyond +-292,277 years). */
int trace_tstamp_epoch_us(const struct trace_tstamp *t, int64_t *us);

/* ISO 8601 UTC with microseconds: RFC 3339 for years 0000..9999
 * ("2026-11-25T09:00:00.123456Z"); other years in ISO 8601's expanded form, a sign and at
 * least six digits as JavaScript writes them ("+275760-09-13T00:00:00.000000Z", year -1 is
 * "-000001", proleptic Gregorian, year 0 = 1 BC). len >= TRACE_TSTAMP_ISO_MAX. */
void trace_tstamp_iso(const struct trace_tstamp *t, char *buf, size_t len);

#endif
