/* core/opt.h: option parsing the programs share: one table of rows, numbers with ranges, common options, usage, exit codes. */
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

/* The ids of the common options (core/opt.c adds their rows). */
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

/*
 * One option, everything about it in one place: getopt_long's entry, the short-options
 * string and the --help line are all made from these rows. A table ends with a row whose
 * id is 0 ({ 0 }).
 */
struct hello_opt {
	const char *name;   /* long name without "--" ("max-msg"), or NULL for a short-only option */
	int letter;         /* short option ('v'), or 0 */
	const char *arg;    /* the value's name in --help ("N", "iterative|fork"), or NULL for a flag */
	int id;             /* what the parser hands back for it; unique, not 0 */
	const char *help;   /* its --help text */
};

/* Which common options a program takes (struct hello_usage.common). */
enum {
	HELLO_OPT_USE_ADDR = 1 << 0,    /* --host --port -6 --events -q/--quiet */
	HELLO_OPT_USE_FRAMING = 1 << 1, /* --framing raw|line */
	HELLO_OPT_USE_HELP = 1 << 2,    /* -h/--help */
	HELLO_OPT_USE_VERSION = 1 << 3, /* -V/--version */
	HELLO_OPT_USE_SERVICE = HELLO_OPT_USE_ADDR | HELLO_OPT_USE_HELP | HELLO_OPT_USE_VERSION,
};

/* A program's command line: its rows and what --help says around them. */
struct hello_usage {
	const char *prog;       /* "hello-tcp-server", "hello-lab run" */
	const char *args;       /* "[OPTIONS] [NAME...]"; one line per form, '\n' between forms */
	const char *summary;    /* what it does, one or a few lines */
	const struct hello_opt *opts;   /* the program's rows, or NULL */
	unsigned common;        /* HELLO_OPT_USE_*: the common rows core/opt adds */
	int max_operands;       /* arguments after the options: 0 none ("unexpected argument"), -1 any */
	int in_order;           /* options stop at the first operand (hello-trace's BPF filter) */
	const char *exit_fail;  /* what exit code 1 means, or NULL for the operation failing */
	const char *exit_codes; /* extra lines for the exit-code section, or NULL */
	const char *footer;     /* the last paragraph; NULL: docs/protocol.md for HELLO_OPT_USE_ADDR */
	const struct hello_usage *const *subs;  /* subcommands whose options --help lists too; NULL-terminated */
};

/* What getopt_long needs, built from a program's rows and the common ones. */
#define HELLO_OPT_MAX 40
struct hello_opt_table {
	const struct hello_opt *rows[HELLO_OPT_MAX];  /* in --help order */
	char names[HELLO_OPT_MAX][40];                /* "--port", or "-6" for a short-only row */
	size_t n;
	struct option longopts[HELLO_OPT_MAX + 1];
	char shortopts[3 * HELLO_OPT_MAX + 3];
};

/* One option as found on the command line. */
struct hello_opt_hit {
	int id;              /* its row's id */
	const char *name;    /* "--port" ("-6" for a short-only row): what a message calls it */
	const char *val;     /* its value, or NULL for a flag */
};

/* A program's handler of its own options: 0, or -1 with err. */
typedef int (*hello_opt_fn)(void *arg, const struct hello_opt_hit *h, char *err, size_t errlen);

struct hello_common {
	const char *host;           /* NULL until given: the default depends on -6 */
	uint16_t port;
	int v6;                     /* -6: IPv6 only */
	enum hello_framing framing;
	int quiet;
	int allow_port_zero;        /* servers: port 0 = any free port */
	int port_given;
	int help, version;
	int no_framing;             /* UDP programs: --framing is refused with the reason */
	const char *events;         /* --events FILE: one JSON line per socket call (docs/events.md) */
	char hostbuf[256];          /* the host part when --host held "host:port" */
};

/* Builds the getopt_long array and short-options string; -1 with err on a bad table
 * (a name, letter or id twice, a 0 id, more than HELLO_OPT_MAX rows). */
int hello_opt_table_build(struct hello_opt_table *t, const struct hello_usage *u, char *err, size_t errlen);
/*
 * The next program option: runs getopt_long (opterr off, so the message is ours), handles
 * the common options in c itself, and stops at the next program option: 1 with it in *h,
 * 0 after the last option (operands start at optind), -1 with err on an unknown option, a
 * missing value or a bad common value.
 */
int hello_opt_next(const struct hello_opt_table *t, int argc, char **argv, struct hello_common *c,
		   struct hello_opt_hit *h, char *err, size_t errlen);
/*
 * The whole command line: the table built, getopt's state reset, every program option
 * through fn (may be NULL when the program has none), the operand count checked against
 * u->max_operands. Returns the index of the first operand, or -1 with err.
 */
int hello_opt_parse(const struct hello_usage *u, int argc, char **argv, struct hello_common *c,
		    hello_opt_fn fn, void *arg, char *err, size_t errlen);
/*
 * hello_opt_parse as a program's main runs it (c may be NULL): -1 to go on, with the first
 * operand in *first; else the exit code: HELLO_EXIT_USAGE after printing the error,
 * HELLO_EXIT_OK after printing --help or --version.
 */
int hello_opt_main(const struct hello_usage *u, int argc, char **argv, struct hello_common *c,
		   hello_opt_fn fn, void *arg, int *first);

void hello_opt_common_init(struct hello_common *c, int allow_port_zero);
/* Handles one common option by its id: 1 = handled, 0 = not a common option, -1 = error in err. */
int hello_opt_common(struct hello_common *c, int id, const char *arg, char *err, size_t errlen);
/*
 * Picks the default host (127.0.0.1, or ::1 with -6), splits a --host given as
 * "host:port" or "[v6]:port" (an explicit --port wins), and stores the address family
 * to resolve with (AF_UNSPEC, or AF_INET6 with -6) in *family. 0 or -1 with err.
 */
int hello_opt_common_finish(struct hello_common *c, int *family, char *err, size_t errlen);

/* Numbers, decimal, whole: "--port: 'x' is not a number", "--port: 70000 is out of range 1..65535". */
int hello_opt_long(const char *name, const char *s, long min, long max, long *out, char *err, size_t errlen);
int hello_opt_int(const char *name, const char *s, int min, int max, int *out, char *err, size_t errlen);
int hello_opt_uint(const char *name, const char *s, unsigned min, unsigned max, unsigned *out, char *err, size_t errlen);
int hello_opt_u64(const char *name, const char *s, uint64_t min, uint64_t max, uint64_t *out, char *err, size_t errlen);
int hello_opt_size(const char *name, const char *s, size_t min, size_t max, size_t *out, char *err, size_t errlen);
/* A decimal number (decimals and exponents allowed; no inf or nan): "--duration: 0 is out of range 0.001..86400". */
int hello_opt_double(const char *name, const char *s, double min, double max, double *out, char *err, size_t errlen);

/* The --help flag column of a row: "--name ARG", "-x, --name ARG", "-x ARG". */
void hello_opt_flag(const struct hello_opt *o, char *buf, size_t len);
/* The option lines of --help (common rows included), one per row. */
void hello_opt_usage_rows(FILE *out, const struct hello_usage *u);
void hello_opt_usage(FILE *out, const struct hello_usage *u);
/* After parsing: prints --help or --version to stdout when asked and returns 1 (main then exits 0). */
int hello_opt_help_version(const struct hello_common *c, const struct hello_usage *u);
void hello_opt_version(FILE *out, const char *prog);
/* Prints "prog: msg" and "Try 'prog --help'." to stderr; returns HELLO_EXIT_USAGE. */
int hello_opt_usage_error(const char *prog, const char *msg);

#endif
