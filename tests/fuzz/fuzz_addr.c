/* tests/fuzz/fuzz_addr.c: libFuzzer harness: port and "host:port" parsing, resolving numeric hosts, and printing back. */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/addr.h"

/* Names would go to the resolver (DNS): only literals are resolved here, which is what
 * the numeric path of hello_addr_resolve must handle without a network. */
static int fuzz_is_literal(const char *host)
{
	char h[128];
	uint8_t a[16];
	size_t n = strlen(host);

	if (n >= sizeof(h))
		return 0;
	if (n >= 2 && host[0] == '[' && host[n - 1] == ']')
		host++, n -= 2;
	memcpy(h, host, n);
	h[n] = '\0';
	char *pct = strchr(h, '%');
	if (pct) {
		/* a scope: only numeric ones, so if_nametoindex never matters */
		if (strspn(pct + 1, "0123456789") != strlen(pct + 1))
			return 0;
		*pct = '\0';
	}
	return inet_pton(AF_INET, h, a) == 1 || inet_pton(AF_INET6, h, a) == 1;
}

/* A resolved literal prints as text that splits and resolves to the same address. */
static void fuzz_roundtrip(const struct hello_addr *a)
{
	char text[HELLO_ADDR_STRLEN], host[HELLO_ADDR_STRLEN], err[256];
	const char *port;
	struct hello_addr b;
	uint16_t pn;

	hello_addr_str(a, text, sizeof(text));
	if (hello_addr_split(text, host, sizeof(host), &port, err, sizeof(err)) < 0 || !port)
		abort();
	if (hello_addr_parse_port(port, 1, &pn, err, sizeof(err)) < 0 || pn != hello_addr_port(a))
		abort();
	if (hello_addr_resolve(host, pn, hello_addr_family(a), &b, err, sizeof(err)) < 0 || !hello_addr_equal(a, &b))
		abort();
	hello_addr_host_str(a, host, sizeof(host));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, host[256], err[256], back[16];
	const char *port;
	struct hello_addr a;
	uint16_t pn;

	if (size < 1 || size > 512)
		return 0;
	/* byte 0: the family asked for; the rest is the text a user typed */
	int fam = data[0] % 3 == 0 ? AF_UNSPEC : data[0] % 3 == 1 ? AF_INET : AF_INET6;
	if (!(s = malloc(size)))
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	err[0] = '\0';

	if (hello_addr_parse_port(s, data[0] & 4, &pn, err, sizeof(err)) == 0) {
		/* an accepted port is a plain decimal number (leading zeros allowed) */
		snprintf(back, sizeof(back), "%u", (unsigned)pn);
		size_t z = strspn(s, "0");
		if (strcmp(s + (z == strlen(s) ? z - 1 : z), back) != 0)
			abort();
	}
	if (hello_addr_split(s, host, sizeof(host), &port, err, sizeof(err)) == 0) {
		if (!*host || strlen(host) >= sizeof(host) || (port && (!*port || port < s || port > s + strlen(s))))
			abort();
		if (fuzz_is_literal(host)) {
			uint16_t p = 0;
			if ((!port || hello_addr_parse_port(port, 1, &p, err, sizeof(err)) == 0) &&
			    hello_addr_resolve(host, p, fam, &a, err, sizeof(err)) == 0)
				fuzz_roundtrip(&a);
		}
	} else if (!*err) {
		abort();	/* a refusal always says why */
	}
	free(s);
	return 0;
}
