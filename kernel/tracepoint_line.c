/* kernel/tracepoint_line.c: one trace_pipe line of sock:inet_sock_set_state parsed into a kernel event, every field bounded. */
#include "kernel/tracepoint_line.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static const struct {
	const char *name;
	enum trace_state st;
} ktrace_states[] = {
	/* include/net/tcp_states.h; TCP_NEW_SYN_RECV is a request socket in SYN-RECEIVED */
	{ "TCP_ESTABLISHED", TRACE_ST_ESTABLISHED },
	{ "TCP_SYN_SENT", TRACE_ST_SYN_SENT },
	{ "TCP_SYN_RECV", TRACE_ST_SYN_RECEIVED },
	{ "TCP_FIN_WAIT1", TRACE_ST_FIN_WAIT_1 },
	{ "TCP_FIN_WAIT2", TRACE_ST_FIN_WAIT_2 },
	{ "TCP_TIME_WAIT", TRACE_ST_TIME_WAIT },
	{ "TCP_CLOSE", TRACE_ST_CLOSED },
	{ "TCP_CLOSE_WAIT", TRACE_ST_CLOSE_WAIT },
	{ "TCP_LAST_ACK", TRACE_ST_LAST_ACK },
	{ "TCP_LISTEN", TRACE_ST_LISTEN },
	{ "TCP_CLOSING", TRACE_ST_CLOSING },
	{ "TCP_NEW_SYN_RECV", TRACE_ST_SYN_RECEIVED },
};

enum trace_state kernel_tracepoint_line_state(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof ktrace_states / sizeof ktrace_states[0]; i++)
		if (strlen(ktrace_states[i].name) == len && memcmp(ktrace_states[i].name, name, len) == 0)
			return ktrace_states[i].st;
	return TRACE_ST_NONE;
}

int kernel_tracepoint_line_handoff(enum trace_state from, enum trace_state to)
{
	/* tcp_time_wait() ends with tcp_done(), which sets TCP_CLOSE on the full socket:
	 * from FIN_WAIT2 (ours closed first) and from CLOSING (simultaneous close). */
	return to == TRACE_ST_CLOSED && (from == TRACE_ST_FIN_WAIT_2 || from == TRACE_ST_CLOSING);
}

/* "378.060627" -> microseconds; up to 9 fraction digits (the nanosecond clocks). */
static int ktrace_parse_ts(const char *s, size_t len, int64_t *us)
{
	int64_t sec = 0, frac = 0;
	size_t i = 0, nint = 0, nfrac = 0;

	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, nint++) {
		if (nint >= 12)
			return -1;
		sec = sec * 10 + (s[i] - '0');
	}
	if (nint == 0 || i >= len || s[i] != '.')
		return -1;
	for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++, nfrac++) {
		if (nfrac >= 9)
			return -1;
		frac = frac * 10 + (s[i] - '0');
	}
	if (nfrac == 0 || i != len)
		return -1;
	for (; nfrac < 6; nfrac++)
		frac *= 10;
	for (; nfrac > 6; nfrac--)
		frac /= 10;
	*us = sec * 1000000 + frac;
	return 0;
}

static int ktrace_parse_port(const char *s, uint16_t *port)
{
	unsigned long v = 0;
	size_t i;

	if (!s[0] || strlen(s) > 5)
		return -1;
	for (i = 0; s[i]; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

enum { KF_FAMILY, KF_PROTO, KF_SPORT, KF_DPORT, KF_SADDR, KF_DADDR, KF_SADDR6, KF_DADDR6,
       KF_OLD, KF_NEW, KF_COUNT };

static const char *const ktrace_keys[KF_COUNT] = {
	"family", "protocol", "sport", "dport", "saddr", "daddr", "saddrv6", "daddrv6",
	"oldstate", "newstate",
};

/* Splits "k=v k=v ..." into bounded copies of the values we know. */
static int ktrace_fields(const char *p, const char *end, char val[KF_COUNT][48])
{
	unsigned seen = 0;
	int k;

	while (p < end) {
		const char *tok = p, *eq, *sp;
		size_t klen, vlen;

		sp = memchr(p, ' ', (size_t)(end - p));
		if (!sp)
			sp = end;
		p = sp + 1;
		if (sp == tok)
			continue;
		eq = memchr(tok, '=', (size_t)(sp - tok));
		if (!eq)
			return -1;
		klen = (size_t)(eq - tok), vlen = (size_t)(sp - eq - 1);
		for (k = 0; k < KF_COUNT; k++)
			if (strlen(ktrace_keys[k]) == klen && memcmp(ktrace_keys[k], tok, klen) == 0)
				break;
		if (k == KF_COUNT)
			continue;	/* a field a later kernel added */
		if (vlen == 0 || vlen >= sizeof val[k])
			return -1;
		memcpy(val[k], eq + 1, vlen);
		val[k][vlen] = '\0';
		seen |= 1u << k;
	}
	return seen == (1u << KF_COUNT) - 1 ? 0 : -1;
}

int kernel_tracepoint_line_parse(const char *line, size_t len, struct trace_kevent *ev)
{
	static const char tag[] = " inet_sock_set_state: ";
	char val[KF_COUNT][48];
	const char *p;
	size_t end, start;
	int64_t ts;

	if (len > KERNEL_TRACEPOINT_LINE_MAX)
		return -1;
	p = memmem(line, len, tag, sizeof tag - 1);
	if (!p)
		return 1;
	/* "TASK-PID [CPU] FLAGS TIMESTAMP: inet_sock_set_state: ..."; TASK may hold spaces,
	 * so the timestamp is found backwards from the event name. */
	end = (size_t)(p - line);
	if (end < 2 || line[end - 1] != ':')
		return -1;
	start = end - 1;
	while (start > 0 && line[start - 1] != ' ')
		start--;
	if (ktrace_parse_ts(line + start, end - 1 - start, &ts) < 0)
		return -1;
	if (ktrace_fields(p + sizeof tag - 1, line + len, val) < 0)
		return -1;
	if (strcmp(val[KF_PROTO], "IPPROTO_TCP") != 0)
		return 1;	/* MPTCP and SCTP use the same event */

	memset(ev, 0, sizeof *ev);
	ev->ts_us = ts;
	ev->via = TRACE_VIA_TRACEPOINT;
	ev->timer_ms = -1;
	if (strcmp(val[KF_FAMILY], "AF_INET") == 0) {
		ev->family = AF_INET;
		if (inet_pton(AF_INET, val[KF_SADDR], ev->saddr) != 1 ||
		    inet_pton(AF_INET, val[KF_DADDR], ev->daddr) != 1)
			return -1;
	} else if (strcmp(val[KF_FAMILY], "AF_INET6") == 0) {
		ev->family = AF_INET6;
		if (inet_pton(AF_INET6, val[KF_SADDR6], ev->saddr) != 1 ||
		    inet_pton(AF_INET6, val[KF_DADDR6], ev->daddr) != 1)
			return -1;
	} else {
		return -1;
	}
	if (ktrace_parse_port(val[KF_SPORT], &ev->sport) < 0 ||
	    ktrace_parse_port(val[KF_DPORT], &ev->dport) < 0)
		return -1;
	ev->oldstate = kernel_tracepoint_line_state(val[KF_OLD], strlen(val[KF_OLD]));
	ev->newstate = kernel_tracepoint_line_state(val[KF_NEW], strlen(val[KF_NEW]));
	if (ev->oldstate == TRACE_ST_NONE || ev->newstate == TRACE_ST_NONE)
		return -1;
	ev->handoff = kernel_tracepoint_line_handoff(ev->oldstate, ev->newstate);
	return 0;
}
