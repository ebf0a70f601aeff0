/* core/addr.c: socket addresses: parsing hosts, ports and "host:port", printing "127.0.0.1:9999" / "[::1]:9999". */
#include "core/addr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int hello_addr_parse_port(const char *s, int allow_zero, uint16_t *port, char *err, size_t errlen)
{
	char *end;
	unsigned long v;
	unsigned long lo = allow_zero ? 0 : 1;

	/* Digits first: strtoul would skip leading white space ("\t80") and take a sign. */
	if (*s < '0' || *s > '9') {
		snprintf(err, errlen, "port '%s' is not a number", s);
		return -1;
	}
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*end) {
		snprintf(err, errlen, "port '%s' is not a number", s);
		return -1;
	}
	if (errno == ERANGE || v < lo || v > 65535) {
		snprintf(err, errlen, "port %s is out of range %lu..65535", s, lo);
		return -1;
	}
	*port = (uint16_t)v;
	return 0;
}

/* Copies host without its brackets ("[::1]" -> "::1"). */
static int addr_unbracket(const char *host, char *out, size_t outlen, char *err, size_t errlen)
{
	size_t n = strlen(host);

	if (n && host[0] == '[') {
		if (n < 2 || host[n - 1] != ']') {
			snprintf(err, errlen, "address '%s': missing ']'", host);
			return -1;
		}
		host++;
		n -= 2;
	} else if (strchr(host, ']')) {
		snprintf(err, errlen, "address '%s': ']' without '['", host);
		return -1;
	}
	if (n == 0 || n >= outlen) {
		snprintf(err, errlen, "address '%s': %s", host, n ? "too long" : "empty host");
		return -1;
	}
	memcpy(out, host, n);
	out[n] = '\0';
	return 0;
}

int hello_addr_resolve(const char *host, uint16_t port, int family, struct hello_addr *out, char *err, size_t errlen)
{
	char h[NI_MAXHOST], p[8];
	struct addrinfo hints, *res = NULL;
	int rc;

	if (addr_unbracket(host, h, sizeof(h), err, errlen) < 0)
		return -1;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = family;
	hints.ai_flags = AI_NUMERICSERV;
	hints.ai_socktype = SOCK_STREAM; /* only to get one answer per address; the caller picks the type */
	snprintf(p, sizeof(p), "%u", (unsigned)port);
	rc = getaddrinfo(h, p, &hints, &res);
	if (rc != 0) {
		if (family == AF_INET6 && (rc == EAI_ADDRFAMILY || rc == EAI_NONAME || rc == EAI_FAMILY))
			snprintf(err, errlen, "address '%s': not an IPv6 address (-6)", host);
		else
			snprintf(err, errlen, "address '%s': %s", host, gai_strerror(rc));
		return -1;
	}
	if (!res || res->ai_addrlen > sizeof(out->ss)) {
		snprintf(err, errlen, "address '%s': no usable address", host);
		freeaddrinfo(res);
		return -1;
	}
	memset(out, 0, sizeof(*out));
	memcpy(&out->ss, res->ai_addr, res->ai_addrlen);
	out->len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

int hello_addr_split(const char *s, char *host, size_t hostlen, const char **port_out, char *err, size_t errlen)
{
	const char *colon, *end;
	size_t n;

	*port_out = NULL;
	if (s[0] == '[') {
		end = strchr(s, ']');
		if (!end) {
			snprintf(err, errlen, "address '%s': missing ']'", s);
			return -1;
		}
		if (end[1] == ':')
			*port_out = end + 2;
		else if (end[1]) {
			snprintf(err, errlen, "address '%s': expected ':port' after ']'", s);
			return -1;
		}
		n = (size_t)(end - s) + 1;
	} else {
		colon = strchr(s, ':');
		/* Two colons or more and no brackets: an IPv6 literal, which has no room for a port. */
		if (colon && !strchr(colon + 1, ':')) {
			*port_out = colon + 1;
			n = (size_t)(colon - s);
		} else {
			n = strlen(s);
		}
	}
	if (n == 0 || n >= hostlen) {
		snprintf(err, errlen, "address '%s': %s", s, n ? "host too long" : "empty host");
		return -1;
	}
	if (*port_out && !**port_out) {
		snprintf(err, errlen, "address '%s': empty port", s);
		return -1;
	}
	memcpy(host, s, n);
	host[n] = '\0';
	return 0;
}

const char *hello_addr_format(const struct sockaddr *sa, socklen_t len, char *buf, size_t buflen)
{
	char h[INET6_ADDRSTRLEN];

	if (sa->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
		inet_ntop(AF_INET, &in->sin_addr, h, sizeof(h));
		snprintf(buf, buflen, "%s:%u", h, (unsigned)ntohs(in->sin_port));
	} else if (sa->sa_family == AF_INET6 && len >= (socklen_t)sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
		inet_ntop(AF_INET6, &in6->sin6_addr, h, sizeof(h));
		if (in6->sin6_scope_id)
			snprintf(buf, buflen, "[%s%%%u]:%u", h, (unsigned)in6->sin6_scope_id,
				 (unsigned)ntohs(in6->sin6_port));
		else
			snprintf(buf, buflen, "[%s]:%u", h, (unsigned)ntohs(in6->sin6_port));
	} else {
		snprintf(buf, buflen, "?");
	}
	return buf;
}

const char *hello_addr_str(const struct hello_addr *a, char *buf, size_t buflen)
{
	return hello_addr_format((const struct sockaddr *)&a->ss, a->len, buf, buflen);
}

const char *hello_addr_host_str(const struct hello_addr *a, char *buf, size_t buflen)
{
	const void *src = NULL;

	if (a->ss.ss_family == AF_INET)
		src = &((const struct sockaddr_in *)&a->ss)->sin_addr;
	else if (a->ss.ss_family == AF_INET6)
		src = &((const struct sockaddr_in6 *)&a->ss)->sin6_addr;
	if (!src || !inet_ntop(a->ss.ss_family, src, buf, (socklen_t)buflen))
		snprintf(buf, buflen, "?");
	return buf;
}

uint16_t hello_addr_port(const struct hello_addr *a)
{
	if (a->ss.ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)&a->ss)->sin_port);
	if (a->ss.ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)&a->ss)->sin6_port);
	return 0;
}

int hello_addr_family(const struct hello_addr *a)
{
	return a->ss.ss_family;
}

int hello_addr_equal(const struct hello_addr *a, const struct hello_addr *b)
{
	if (a->ss.ss_family != b->ss.ss_family || hello_addr_port(a) != hello_addr_port(b))
		return 0;
	if (a->ss.ss_family == AF_INET)
		return memcmp(&((const struct sockaddr_in *)&a->ss)->sin_addr,
			      &((const struct sockaddr_in *)&b->ss)->sin_addr, sizeof(struct in_addr)) == 0;
	if (a->ss.ss_family == AF_INET6)
		return memcmp(&((const struct sockaddr_in6 *)&a->ss)->sin6_addr,
			      &((const struct sockaddr_in6 *)&b->ss)->sin6_addr, sizeof(struct in6_addr)) == 0;
	return 0;
}
