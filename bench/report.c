/* bench/report.c: hello-bench's results as a text summary or a JSON object, and request-text escapes. */
#include "bench/report.h"

#include <string.h>

#include "core/opt.h"

static double report_us(const struct bench_result *res, double p)
{
	return (double)bench_hist_percentile(&res->hist, p) / 1000.0;
}

static double report_rps(const struct bench_result *res)
{
	return res->elapsed_s > 0 ? (double)res->requests / res->elapsed_s : 0.0;
}

json_t *bench_report_json(const struct bench_report_info *info, const struct bench_result *res)
{
	const struct bench_cfg *cfg = info->cfg;
	json_t *lat = json_pack("{s:f, s:f, s:f, s:f, s:f, s:f, s:f}",
				"min", res->hist.count ? (double)res->hist.min / 1000.0 : 0.0,
				"mean", bench_hist_mean(&res->hist) / 1000.0,
				"p50", report_us(res, 50), "p90", report_us(res, 90), "p99", report_us(res, 99),
				"p999", report_us(res, 99.9), "max", (double)res->hist.max / 1000.0);

	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:i, s:f, s:I, s:o, s:f, s:I, s:I, s:I, s:I, s:I, s:i, s:i, s:f, s:o, s:b, s:s?}",
			 "tool", "hello-bench", "version", HELLO_VERSION,
			 "proto", cfg->proto == BENCH_TCP ? "tcp" : "udp", "mode", info->mode, "target", info->target,
			 "connections", (json_int_t)cfg->conns, "threads", (json_int_t)(cfg->threads ? cfg->threads : 1),
			 "duration_s", cfg->duration_s, "requests_limit", (json_int_t)cfg->requests,
			 "offered_rps", cfg->rate > 0 ? json_real(cfg->rate) : json_null(),
			 "elapsed_s", res->elapsed_s, "requests", (json_int_t)res->requests,
			 "errors", (json_int_t)res->errors, "timeouts", (json_int_t)res->timeouts,
			 "bad_replies", (json_int_t)res->bad_replies, "lost_connections", (json_int_t)res->lost,
			 "connected", (json_int_t)res->connected, "active", (json_int_t)res->active,
			 "rps", report_rps(res), "latency_us", lat, "stopped", res->stopped,
			 "first_error", res->first_error[0] ? res->first_error : NULL);
}

void bench_report_text(FILE *out, const struct bench_report_info *info, const struct bench_result *res)
{
	const struct bench_cfg *cfg = info->cfg;

	fprintf(out, "hello-bench: %s %s (%s), %u %s%s, %u thread%s, %.2f s%s\n",
		cfg->proto == BENCH_TCP ? "tcp" : "udp", info->target, info->mode, cfg->conns,
		cfg->proto == BENCH_TCP ? "connection" : "socket", cfg->conns > 1 ? "s" : "", cfg->threads ? cfg->threads : 1,
		cfg->threads > 1 ? "s" : "", res->elapsed_s, res->stopped ? " (stopped by a signal)" : "");
	if (cfg->rate > 0)
		fprintf(out, "  offered    %.0f req/s\n", cfg->rate);
	fprintf(out, "  requests   %llu (%.0f req/s)\n", (unsigned long long)res->requests, report_rps(res));
	fprintf(out, "  latency    p50 %.1f us  p90 %.1f us  p99 %.1f us  max %.1f us  mean %.1f us\n",
		report_us(res, 50), report_us(res, 90), report_us(res, 99), (double)res->hist.max / 1000.0,
		bench_hist_mean(&res->hist) / 1000.0);
	fprintf(out, "  ready      %u of %u, %u got replies\n", res->connected, cfg->conns, res->active);
	fprintf(out, "  errors     %llu (timeouts %llu, bad replies %llu, lost connections %llu)\n",
		(unsigned long long)res->errors, (unsigned long long)res->timeouts,
		(unsigned long long)res->bad_replies, (unsigned long long)res->lost);
	if (res->first_error[0])
		fprintf(out, "  first error: %s\n", res->first_error);
}

static int report_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

long bench_unescape(const char *s, unsigned char *out, size_t cap, char *err, size_t errlen)
{
	static const char from[] = "rnt0\\\"'", to[] = "\r\n\t\0\\\"'";
	size_t n = 0;

	while (*s) {
		int c = (unsigned char)*s++;

		if (c == '\\') {
			const char *k = *s ? strchr(from, *s) : NULL;

			if (k) {
				c = (unsigned char)to[k - from];
				s++;
			} else if (*s == 'x' && report_hex(s[1]) >= 0 && report_hex(s[2]) >= 0) {
				c = report_hex(s[1]) * 16 + report_hex(s[2]);
				s += 3;
			} else {
				snprintf(err, errlen, "bad escape '\\%.1s' (use \\r \\n \\t \\0 \\\\ \\xHH)", s);
				return -1;
			}
		}
		if (n >= cap) {
			snprintf(err, errlen, "longer than %zu bytes", cap);
			return -1;
		}
		out[n++] = (unsigned char)c;
	}
	return (long)n;
}
