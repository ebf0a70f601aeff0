/* core/addr.h: socket addresses: parsing hosts, ports and "host:port", printing "127.0.0.1:9999" / "[::1]:9999". */
#ifndef HELLO_ADDR_H
#define HELLO_ADDR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* "[" + 45-char IPv6 text + "%scope" + "]:" + 5 digits, with room to spare. */
#define HELLO_ADDR_STRLEN 80

struct hello_addr {
	struct sockaddr_storage ss;
	socklen_t len;
};

/* Parses a port "0".."65535"; allow_zero lets a server ask for any free port. */
int hello_addr_parse_port(const char *s, int allow_zero, uint16_t *port, char *err, size_t errlen);

/*
 * Resolves host (a name, an IPv4 or IPv6 literal, brackets allowed: "[::1]") and port
 * into an address. family is AF_UNSPEC, AF_INET or AF_INET6 (-6). Numeric hosts never
 * touch DNS; names go through getaddrinfo and the first answer of the family is used.
 */
int hello_addr_resolve(const char *host, uint16_t port, int family, struct hello_addr *out, char *err, size_t errlen);

/*
 * Splits "host:port", "[v6]:port", "host" or "[v6]" into host and port text. A bare
 * IPv6 literal (two colons or more, no brackets) is a host without a port; a port is
 * only read after brackets there. *port_out is NULL when no port was given.
 */
int hello_addr_split(const char *s, char *host, size_t hostlen, const char **port_out, char *err, size_t errlen);

/* Formats as "127.0.0.1:9999" or "[::1]:9999"; returns buf ("?" for unknown families). */
const char *hello_addr_format(const struct sockaddr *sa, socklen_t len, char *buf, size_t buflen);
const char *hello_addr_str(const struct hello_addr *a, char *buf, size_t buflen);
/* The address without the port ("127.0.0.1", "::1"). */
const char *hello_addr_host_str(const struct hello_addr *a, char *buf, size_t buflen);
uint16_t hello_addr_port(const struct hello_addr *a);
int hello_addr_family(const struct hello_addr *a);
/* 1 when both hold the same family, address and port. */
int hello_addr_equal(const struct hello_addr *a, const struct hello_addr *b);

#endif
