/* core/opt.c: option parsing the programs share: numbers with ranges, common options, usage, exit codes. */
#include "core/opt.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/addr.h"

void hello_opt_common_init(struct hello_common *c, int allow_port_zero)
{
	memset(c, 0, sizeof(*c));
	c->port = HELLO_DEFAULT_PORT;
	c->framing = HELLO_FRAMING_RAW;
	c->allow_port_zero = allow_port_zero;
}

int hello_opt_long(const char *name, const char *s, long min, long max, long *out, char *err, size_t errlen)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (!*s || *end || s[0] == ' ') {
		snprintf(err, errlen, "%s: '%s' is not a number", name, s);
		return -1;
	}
	if (errno == ERANGE || v < min || v > max) {
		snprintf(err, errlen, "%s: %s is out of range %ld..%ld", name, s, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

void hello_opt_getopt_error(int optopt, const char *arg, char *err, size_t errlen)
{
	/* Our short options take no value: a short one here is unknown; a long one lacks its value. */
	if (optopt > 0 && optopt < 256)
		snprintf(err, errlen, "unknown option '-%c'", optopt);
	else if (optopt >= 256)
		snprintf(err, errlen, "option '%s' needs a value", arg);
	else
		snprintf(err, errlen, "unknown option '%s'", arg);
}

int hello_opt_common(struct hello_common *c, int opt, const char *arg, char *err, size_t errlen)
{
	long v;

	switch (opt) {
	case HELLO_OPT_HOST:
		if (!*arg) {
			snprintf(err, errlen, "--host: empty host");
			return -1;
		}
		c->host = arg;
		return 1;
	case HELLO_OPT_PORT:
		if (hello_opt_long("--port", arg, c->allow_port_zero ? 0 : 1, 65535, &v, err, errlen) < 0)
			return -1;
		c->port = (uint16_t)v;
		c->port_given = 1;
		return 1;
	case HELLO_OPT_EVENTS:
		if (!*arg) {
			snprintf(err, errlen, "--events: empty file name");
			return -1;
		}
		c->events = arg;
		return 1;
	case HELLO_OPT_FRAMING:
		if (c->no_framing) {
			snprintf(err, errlen, "--framing does not apply to UDP: every datagram is one message");
			return -1;
		}
		return hello_proto_framing_parse(arg, &c->framing, err, errlen) < 0 ? -1 : 1;
	case '6':
	case HELLO_OPT_V6:
		c->v6 = 1;
		return 1;
	case 'q':
	case HELLO_OPT_QUIET:
		c->quiet = 1;
		return 1;
	case 'h':
	case HELLO_OPT_HELP:
		c->help = 1;
		return 1;
	case 'V':
	case HELLO_OPT_VERSION:
		c->version = 1;
		return 1;
	default:
		return 0;
	}
}

int hello_opt_common_finish(struct hello_common *c, int *family, char *err, size_t errlen)
{
	const char *port;
	uint16_t p;
	char e[200];

	*family = c->v6 ? AF_INET6 : AF_UNSPEC;
	if (!c->host) {
		c->host = c->v6 ? HELLO_DEFAULT_HOST6 : HELLO_DEFAULT_HOST;
		return 0;
	}
	if (hello_addr_split(c->host, c->hostbuf, sizeof(c->hostbuf), &port, e, sizeof(e)) < 0) {
		snprintf(err, errlen, "--host: %s", e);
		return -1;
	}
	c->host = c->hostbuf;
	if (!port)
		return 0;
	if (hello_addr_parse_port(port, c->allow_port_zero, &p, e, sizeof(e)) < 0) {
		snprintf(err, errlen, "--host: %s", e);
		return -1;
	}
	if (!c->port_given)
		c->port = p;
	return 0;
}

static void opt_line(FILE *out, const char *flag, const char *text)
{
	if (strlen(flag) <= 26)
		fprintf(out, "  %-26s %s\n", flag, text);
	else
		fprintf(out, "  %s\n  %-26s %s\n", flag, "", text);
}

void hello_opt_usage(FILE *out, const struct hello_usage *u)
{
	const struct hello_usage_opt *o;

	fprintf(out, "Usage: %s %s\n%s\n\nOptions:\n", u->prog, u->args, u->summary);
	opt_line(out, "--host HOST", "address: IPv4, IPv6 ([::1] or ::1) or a name (default 127.0.0.1; ::1 with -6)");
	opt_line(out, "--port PORT", "port (default 9999)");
	opt_line(out, "-6", "use IPv6");
	if (u->with_framing)
		opt_line(out, "--framing raw|line", "raw: each recv is one message, the tutorial's protocol (default); line: \\n-terminated lines");
	for (o = u->opts; o && o->flag; o++)
		opt_line(out, o->flag, o->text);
	opt_line(out, "--events FILE", "append one JSON line per socket call to FILE (docs/events.md)");
	opt_line(out, "-q, --quiet", "print less");
	opt_line(out, "-h, --help", "show this help and exit");
	opt_line(out, "-V, --version", "show the version and exit");
	fprintf(out, "\nExit codes:\n"
		"  0    success\n"
		"  1    the operation failed (network error, connection refused, timeout)\n"
		"  2    usage error (bad option or value)\n");
	if (u->exit_codes)
		fputs(u->exit_codes, out);
	fprintf(out, "\nProtocol and log format: docs/protocol.md\n");
}

int hello_opt_help_version(const struct hello_common *c, const struct hello_usage *u)
{
	if (c->help)
		hello_opt_usage(stdout, u);
	else if (c->version)
		hello_opt_version(stdout, u->prog);
	return c->help || c->version;
}

void hello_opt_version(FILE *out, const char *prog)
{
	fprintf(out, "%s %s (hellolab)\n", prog, HELLO_VERSION);
}

int hello_opt_usage_error(const char *prog, const char *msg)
{
	fprintf(stderr, "%s: %s\nTry '%s --help'.\n", prog, msg, prog);
	return HELLO_EXIT_USAGE;
}

int hello_opt_next(int argc, char **argv, const char *shortopts, const struct option *longopts,
		   struct hello_common *c, int *opt, char *err, size_t errlen)
{
	int o, r;

	opterr = 0;
	while ((o = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		if (o == '?' || o == ':') {
			hello_opt_getopt_error(optopt, argv[optind - 1], err, errlen);
			return -1;
		}
		r = hello_opt_common(c, o, optarg, err, errlen);
		if (r < 0)
			return -1;
		if (r == 0) {
			*opt = o;
			return 1;
		}
	}
	return 0;
}
