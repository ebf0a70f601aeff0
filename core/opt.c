/* core/opt.c: option parsing the programs share: one table of rows, numbers with ranges, common options, usage, exit codes. */
#include "core/opt.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/addr.h"

/* getopt_long's val for row i: above any short option's char, so the two never meet. */
#define ROW_VAL 0x1000

/* The common rows, each where --help shows it: before the program's rows or after. */
struct common_row {
	unsigned need;          /* HELLO_OPT_USE_* */
	struct hello_opt o;
};

static const struct common_row common_head[] = {
	{ HELLO_OPT_USE_ADDR, { "host", 0, "HOST", HELLO_OPT_HOST,
		"address: IPv4, IPv6 ([::1] or ::1) or a name (default 127.0.0.1; ::1 with -6)" } },
	{ HELLO_OPT_USE_ADDR, { "port", 0, "PORT", HELLO_OPT_PORT, "port (default 9999)" } },
	{ HELLO_OPT_USE_ADDR, { NULL, '6', NULL, HELLO_OPT_V6, "use IPv6" } },
	{ HELLO_OPT_USE_FRAMING, { "framing", 0, "raw|line", HELLO_OPT_FRAMING,
		"raw: each recv is one message, the tutorial's protocol (default); line: \\n-terminated lines" } },
};

static const struct common_row common_tail[] = {
	{ HELLO_OPT_USE_ADDR, { "events", 0, "FILE", HELLO_OPT_EVENTS,
		"append one JSON line per socket call to FILE (docs/events.md)" } },
	{ HELLO_OPT_USE_ADDR, { "quiet", 'q', NULL, HELLO_OPT_QUIET, "print less" } },
	{ HELLO_OPT_USE_HELP, { "help", 'h', NULL, HELLO_OPT_HELP, "show this help and exit" } },
	{ HELLO_OPT_USE_VERSION, { "version", 'V', NULL, HELLO_OPT_VERSION, "show the version and exit" } },
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static size_t add_common(const struct hello_opt **rows, size_t n, size_t max, unsigned use,
			 const struct common_row *c, size_t nc)
{
	size_t i;

	for (i = 0; i < nc; i++)
		if (use & c[i].need) {
			if (n < max)
				rows[n] = &c[i].o;
			n++;
		}
	return n;
}

/* The rows of u in --help order; returns how many there are (only max are stored). */
static size_t collect(const struct hello_usage *u, const struct hello_opt **rows, size_t max)
{
	const struct hello_opt *o;
	size_t n = add_common(rows, 0, max, u->common, common_head, NELEM(common_head));

	for (o = u->opts; o && o->id; o++, n++)
		if (n < max)
			rows[n] = o;
	return add_common(rows, n, max, u->common, common_tail, NELEM(common_tail));
}

static int row_check(const struct hello_opt_table *t, size_t i, char *err, size_t errlen)
{
	const struct hello_opt *o = t->rows[i];
	size_t k;

	if (!o->name && !o->letter) {
		snprintf(err, errlen, "option row %zu has neither a name nor a letter", i);
		return -1;
	}
	/* names[] holds "--name" for messages: a longer name would be cut there */
	if (o->name && (!*o->name || strlen(o->name) + 3 > sizeof(t->names[i]))) {
		snprintf(err, errlen, "option row %zu: a long name of 1 to %zu characters", i, sizeof(t->names[i]) - 3);
		return -1;
	}
	if (o->letter && (o->letter < 0 || o->letter > 127 || !isalnum(o->letter))) {
		snprintf(err, errlen, "option %s: short option '%c' is not a letter or digit", t->names[i], o->letter);
		return -1;
	}
	for (k = 0; k < i; k++) {
		const struct hello_opt *p = t->rows[k];

		if (p->id == o->id || (o->letter && p->letter == o->letter) ||
		    (o->name && p->name && strcmp(o->name, p->name) == 0)) {
			snprintf(err, errlen, "options %s and %s share a %s", t->names[k], t->names[i],
				 p->id == o->id ? "id" : o->letter && p->letter == o->letter ? "letter" : "name");
			return -1;
		}
	}
	return 0;
}

int hello_opt_table_build(struct hello_opt_table *t, const struct hello_usage *u, char *err, size_t errlen)
{
	size_t i, k = 0, s = 0;

	memset(t, 0, sizeof(*t));
	t->n = collect(u, t->rows, HELLO_OPT_MAX);
	if (t->n > HELLO_OPT_MAX) {
		snprintf(err, errlen, "%s: %zu options, more than %d", u->prog, t->n, HELLO_OPT_MAX);
		return -1;
	}
	if (u->in_order)
		t->shortopts[s++] = '+';
	t->shortopts[s++] = ':';   /* a missing value then returns ':', told apart from an unknown option */
	for (i = 0; i < t->n; i++) {
		const struct hello_opt *o = t->rows[i];

		if (o->name)
			snprintf(t->names[i], sizeof(t->names[i]), "--%s", o->name);
		else
			snprintf(t->names[i], sizeof(t->names[i]), "-%c", o->letter);
		if (row_check(t, i, err, errlen) < 0)
			return -1;
		if (o->name)
			t->longopts[k++] = (struct option){ o->name, o->arg ? required_argument : no_argument,
							    NULL, ROW_VAL + (int)i };
		if (o->letter) {
			t->shortopts[s++] = (char)o->letter;
			if (o->arg)
				t->shortopts[s++] = ':';
		}
	}
	return 0;
}

/* The row getopt_long's result (or optopt) stands for, or -1. */
static int row_of(const struct hello_opt_table *t, int v)
{
	size_t i;

	if (v >= ROW_VAL && (size_t)(v - ROW_VAL) < t->n)
		return v - ROW_VAL;
	for (i = 0; v > 0 && v < ROW_VAL && i < t->n; i++)
		if (t->rows[i]->letter == v)
			return (int)i;
	return -1;
}

/* "--name" of an unknown long option: said as unknown, ambiguous (an abbreviation of two
 * options), or, in a UDP program, with why --framing has no meaning there. */
static void unknown_long(const struct hello_opt_table *t, const char *word, const struct hello_common *c,
			 char *err, size_t errlen)
{
	const char *name = word + strspn(word, "-");
	size_t len = strcspn(name, "="), i, n = 0, used;

	for (i = 0; len && i < t->n; i++)
		n += t->rows[i]->name && strncmp(t->rows[i]->name, name, len) == 0;
	if (n < 2) {
		snprintf(err, errlen, "unknown option '--%.*s'%s", (int)len, name,
			 c && c->no_framing && len == 7 && strncmp(name, "framing", 7) == 0 ?
			 ": framing does not apply to UDP, every datagram is one message" : "");
		return;
	}
	used = (size_t)snprintf(err, errlen, "option '--%.*s' is ambiguous:", (int)len, name);
	for (i = 0, n = 0; i < t->n && used < errlen; i++)
		if (t->rows[i]->name && strncmp(t->rows[i]->name, name, len) == 0)
			used += (size_t)snprintf(err + used, errlen - used, "%s --%s", n++ ? "," : "", t->rows[i]->name);
}

/* getopt_long's '?' or ':' (opterr off) as a message; word is argv[optind - 1]. */
static void getopt_error(const struct hello_opt_table *t, int r, const char *word, const struct hello_common *c,
			 char *err, size_t errlen)
{
	int i = row_of(t, optopt);

	if (r == ':' && optopt < ROW_VAL)
		snprintf(err, errlen, "option '-%c' needs a value", optopt);
	else if (r == ':' && i >= 0)
		snprintf(err, errlen, "option '%s' needs a value", t->names[i]);
	else if (i >= 0 && optopt >= ROW_VAL)
		snprintf(err, errlen, "option '%s' takes no value", t->names[i]);
	else if (optopt > 0 && optopt < 256)
		snprintf(err, errlen, "unknown option '-%c'", optopt);
	else
		unknown_long(t, word, c, err, errlen);
}

int hello_opt_next(const struct hello_opt_table *t, int argc, char **argv, struct hello_common *c,
		   struct hello_opt_hit *h, char *err, size_t errlen)
{
	int r, i, done;

	opterr = 0;
	while ((r = getopt_long(argc, argv, t->shortopts, t->longopts, NULL)) != -1) {
		i = r == '?' || r == ':' ? -1 : row_of(t, r);
		if (i < 0) {
			getopt_error(t, r, argv[optind - 1], c, err, errlen);
			return -1;
		}
		*h = (struct hello_opt_hit){ t->rows[i]->id, t->names[i], t->rows[i]->arg ? optarg : NULL };
		done = c ? hello_opt_common(c, h->id, h->val, err, errlen) : 0;
		if (done < 0)
			return -1;
		if (done == 0)
			return 1;
	}
	return 0;
}

int hello_opt_parse(const struct hello_usage *u, int argc, char **argv, struct hello_common *c,
		    hello_opt_fn fn, void *arg, char *err, size_t errlen)
{
	struct hello_opt_table t;
	struct hello_opt_hit h;
	int r;

	if (hello_opt_table_build(&t, u, err, errlen) < 0)
		return -1;
#ifdef __GLIBC__
	optind = 0;	/* glibc: also forget an earlier scan's state (a subcommand, a unit test) */
#else
	optind = 1;
#endif
	while ((r = hello_opt_next(&t, argc, argv, c, &h, err, errlen)) > 0) {
		if (!fn) {
			snprintf(err, errlen, "%s: no handler", h.name);
			return -1;
		}
		if (fn(arg, &h, err, errlen) < 0)
			return -1;
	}
	if (r < 0)
		return -1;
	if (u->max_operands >= 0 && argc - optind > u->max_operands) {
		snprintf(err, errlen, "unexpected argument '%s'", argv[optind + u->max_operands]);
		return -1;
	}
	return optind;
}

int hello_opt_main(const struct hello_usage *u, int argc, char **argv, struct hello_common *c,
		   hello_opt_fn fn, void *arg, int *first)
{
	struct hello_common own;
	char err[512];
	int n;

	if (!c) {
		hello_opt_common_init(&own, 0);
		c = &own;
	}
	n = hello_opt_parse(u, argc, argv, c, fn, arg, err, sizeof(err));
	if (n < 0)
		return hello_opt_usage_error(u->prog, err);
	if (hello_opt_help_version(c, u))
		return HELLO_EXIT_OK;
	if (first)
		*first = n;
	return -1;
}

void hello_opt_common_init(struct hello_common *c, int allow_port_zero)
{
	memset(c, 0, sizeof(*c));
	c->port = HELLO_DEFAULT_PORT;
	c->framing = HELLO_FRAMING_RAW;
	c->allow_port_zero = allow_port_zero;
}

int hello_opt_common(struct hello_common *c, int id, const char *arg, char *err, size_t errlen)
{
	long v;

	switch (id) {
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
		return hello_proto_framing_parse(arg, &c->framing, err, errlen) < 0 ? -1 : 1;
	case HELLO_OPT_V6: c->v6 = 1; return 1;
	case HELLO_OPT_QUIET: c->quiet = 1; return 1;
	case HELLO_OPT_HELP: c->help = 1; return 1;
	case HELLO_OPT_VERSION: c->version = 1; return 1;
	default: return 0;
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

/* An optional sign, then decimal digits and nothing else: strtol and strtoull would also
 * take leading blanks, and strtoull a minus sign, quietly wrapped around. */
static int is_decimal(const char *s)
{
	if (*s == '-' || *s == '+')
		s++;
	if (!*s)
		return 0;
	return s[strspn(s, "0123456789")] == '\0';
}

static int not_a_number(const char *name, const char *s, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s: '%s' is not a number", name, s);
	return -1;
}

int hello_opt_long(const char *name, const char *s, long min, long max, long *out, char *err, size_t errlen)
{
	long v;

	if (!is_decimal(s))
		return not_a_number(name, s, err, errlen);
	errno = 0;
	v = strtol(s, NULL, 10);
	if (errno == ERANGE || v < min || v > max) {
		snprintf(err, errlen, "%s: %s is out of range %ld..%ld", name, s, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

int hello_opt_u64(const char *name, const char *s, uint64_t min, uint64_t max, uint64_t *out, char *err, size_t errlen)
{
	unsigned long long v = 0;

	if (!is_decimal(s))
		return not_a_number(name, s, err, errlen);
	errno = 0;
	if (*s != '-')
		v = strtoull(s, NULL, 10);
	if (*s == '-' || errno == ERANGE || v < min || v > max) {
		snprintf(err, errlen, "%s: %s is out of range %" PRIu64 "..%" PRIu64, name, s, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

/* The narrower types, read as the wider ones with the caller's range, which fits them. */
#define NARROW(fn, type, wide, read) \
	int fn(const char *name, const char *s, type min, type max, type *out, char *err, size_t errlen) \
	{ \
		wide v; \
		if (read(name, s, min, max, &v, err, errlen) < 0) \
			return -1; \
		*out = (type)v; \
		return 0; \
	}
NARROW(hello_opt_int, int, long, hello_opt_long)
NARROW(hello_opt_uint, unsigned, uint64_t, hello_opt_u64)
NARROW(hello_opt_size, size_t, uint64_t, hello_opt_u64)

int hello_opt_double(const char *name, const char *s, double min, double max, double *out, char *err, size_t errlen)
{
	char *end;
	double v;

	if (!*s || isspace((unsigned char)*s))
		return not_a_number(name, s, err, errlen);
	v = strtod(s, &end);
	if (*end || v != v)
		return not_a_number(name, s, err, errlen);
	if (v < min || v > max) {
		snprintf(err, errlen, "%s: %s is out of range %g..%g", name, s, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

void hello_opt_flag(const struct hello_opt *o, char *buf, size_t len)
{
	int n = 0;

	buf[0] = '\0';
	if (o->letter)
		n = snprintf(buf, len, "-%c%s", o->letter, o->name ? ", " : "");
	if (o->name && n >= 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, "--%s", o->name);
	if (o->arg && n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, " %s", o->arg);
}

static void opt_line(FILE *out, const struct hello_opt *o)
{
	char flag[96];

	hello_opt_flag(o, flag, sizeof(flag));
	if (strlen(flag) <= 26)
		fprintf(out, "  %-26s %s\n", flag, o->help);
	else
		fprintf(out, "  %s\n  %-26s %s\n", flag, "", o->help);
}

void hello_opt_usage_rows(FILE *out, const struct hello_usage *u)
{
	const struct hello_opt *rows[HELLO_OPT_MAX];
	size_t n = collect(u, rows, HELLO_OPT_MAX), i;

	for (i = 0; i < n && i < HELLO_OPT_MAX; i++)
		opt_line(out, rows[i]);
}

/* "Usage: prog FORM" for the first form, "       prog FORM" for the others. */
static void usage_forms(FILE *out, const struct hello_usage *u)
{
	const char *f = u->args ? u->args : "", *lead = "Usage: ";
	size_t len;

	for (;;) {
		len = strcspn(f, "\n");
		fprintf(out, "%s%s %.*s\n", lead, u->prog, (int)len, f);
		if (!f[len])
			return;
		f += len + 1;
		lead = "       ";
	}
}

void hello_opt_usage(FILE *out, const struct hello_usage *u)
{
	const struct hello_usage *const *s;
	const struct hello_opt *o;

	usage_forms(out, u);
	fprintf(out, "%s\n\nOptions:\n", u->summary);
	hello_opt_usage_rows(out, u);
	for (s = u->subs; s && *s; s++) {
		if (!(*s)->opts || !(*s)->opts->id)
			continue;
		fprintf(out, "\nOptions of %s:\n", (*s)->prog);
		for (o = (*s)->opts; o->id; o++)
			opt_line(out, o);
	}
	fprintf(out, "\nExit codes:\n"
		"  0    success\n"
		"  1    %s\n"
		"  2    usage error (bad option or value)\n",
		u->exit_fail ? u->exit_fail : "the operation failed (network error, connection refused, timeout)");
	if (u->exit_codes)
		fputs(u->exit_codes, out);
	if (u->footer)
		fprintf(out, "\n%s\n", u->footer);
	else if (u->common & HELLO_OPT_USE_ADDR)
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
