/* core/opt.h: option parsing the programs share: numbers with ranges, common options, usage, exit codes. */
#ifndef HELLO_OPT_H
#define HELLO_OPT_H

#include <getopt.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/proto.h"

/* Exit codes of every hellolab program (docs/architecture.md). */
#define HELLO_EXIT_OK      0   /* success */
#define HELLO_EXIT_FAIL    1   /* the operation failed: network error, refused, timed out */
#define HELLO_EXIT_USAGE   2   /* bad command line */
#define HELLO_EXIT_PARTIAL 3   /* partial result: some replies never came */
#define HELLO_EXIT_SIGINT  130 /* stopped by SIGINT before the job was done */
#define HELLO_EXIT_SIGTERM 143 /* stopped by SIGTERM before the job was done */

#ifndef HELLO_VERSION
#define HELLO_VERSION "0.0.0"
#endif

/* Option values the common long options return from getopt_long (outside char range). */
enum {
	HELLO_OPT_HOST = 1000,
	HELLO_OPT_PORT,
	HELLO_OPT_FRAMING,
	HELLO_OPT_QUIET,
	HELLO_OPT_HELP,
	HELLO_OPT_VERSION,
	HELLO_OPT_V6,
	HELLO_OPT_EVENTS,
	HELLO_OPT_FIRST_PROGRAM = 1100, /* programs number their own options from here */
};

/* The common entries of a struct option table; short options: -6 -h -q -V. */
#define HELLO_OPT_COMMON_LONGOPTS \
	{ "host", required_argument, NULL, HELLO_OPT_HOST }, \
	{ "port", required_argument, NULL, HELLO_OPT_PORT }, \
	{ "framing", required_argument, NULL, HELLO_OPT_FRAMING }, \
	{ "quiet", no_argument, NULL, HELLO_OPT_QUIET }, \
	{ "help", no_argument, NULL, HELLO_OPT_HELP }, \
	{ "version", no_argument, NULL, HELLO_OPT_VERSION }, \
	{ "events", required_argument, NULL, HELLO_OPT_EVENTS }
#define HELLO_OPT_COMMON_SHORTOPTS "6hqV"

struct hello_common {
	const char *host;           /* NULL until given: the default depends on -6 */
	uint16_t port;
	int v6;                     /* -6: IPv6 only */
	enum hello_framing framing;
	int quiet;
	int allow_port_zero;        /* servers: port 0 = any free port */
	int port_given;
	int help, version;
	int no_framing;             /* UDP programs: --framing is a usage error */
	const char *events;         /* --events FILE: one JSON line per socket call (docs/events.md) */
	char hostbuf[256];          /* the host part when --host held "host:port" */
};

void hello_opt_common_init(struct hello_common *c, int allow_port_zero);
/* Handles one getopt_long result: 1 = handled, 0 = not a common option, -1 = error in err. */
int hello_opt_common(struct hello_common *c, int opt, const char *arg, char *err, size_t errlen);
/*
 * The option loop every program shares: runs getopt_long (opterr off, so the message is
 * ours), handles the common options itself, and stops at the next program option:
 * 1 with it in *opt (its value in optarg), 0 after the last option (operands start at
 * optind), -1 with err on an unknown option, a missing value or a bad common value.
 */
int hello_opt_next(int argc, char **argv, const char *shortopts, const struct option *longopts,
		   struct hello_common *c, int *opt, char *err, size_t errlen);
/*
 * Picks the default host (127.0.0.1, or ::1 with -6), splits a --host given as
 * "host:port" or "[v6]:port" (an explicit --port wins), and stores the address family
 * to resolve with (AF_UNSPEC, or AF_INET6 with -6) in *family. 0 or -1 with err.
 */
int hello_opt_common_finish(struct hello_common *c, int *family, char *err, size_t errlen);

/* The message for getopt_long's '?' (opterr = 0): "unknown option '--x'" or "option '--port' needs a value".
 * arg is argv[optind - 1] (for a short option in a cluster it is the whole cluster). */
void hello_opt_getopt_error(int optopt, const char *arg, char *err, size_t errlen);

/* Parses a decimal integer in [min, max]: "--port: 'x' is not a number", "--port: 70000 is out of range 1..65535". */
int hello_opt_long(const char *name, const char *s, long min, long max, long *out, char *err, size_t errlen);

/* What --help prints, besides the common options. */
struct hello_usage_opt {
	const char *flag;   /* "--model iterative|fork|thread|event" */
	const char *text;   /* "concurrency model (default: event)" */
};

struct hello_usage {
	const char *prog;
	const char *args;       /* "[OPTIONS] [NAME...]" */
	const char *summary;    /* one line */
	const struct hello_usage_opt *opts;   /* ends with a {NULL, NULL} */
	int with_framing;       /* list --framing among the common options */
	const char *exit_codes; /* extra lines for the exit-code section, or NULL */
};

void hello_opt_usage(FILE *out, const struct hello_usage *u);
/* After parsing: prints --help or --version to stdout when asked and returns 1 (main then exits 0). */
int hello_opt_help_version(const struct hello_common *c, const struct hello_usage *u);
void hello_opt_version(FILE *out, const char *prog);
/* Prints "prog: msg" and "Try 'prog --help'." to stderr; returns HELLO_EXIT_USAGE. */
int hello_opt_usage_error(const char *prog, const char *msg);

#endif
