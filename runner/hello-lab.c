/* runner/hello-lab.c: the lab runner's command line: list, show, run, run --all, check, compare. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/opt.h"
#include "runner/lab_batch.h"
#include "runner/lab_compare.h"
#include "runner/lab_doctor.h"
#include "runner/lab_grade.h"
#include "runner/lab_userns.h"
#include "runner/lab_wrap.h"

#define PROG "hello-lab"

static volatile sig_atomic_t stop_sig;

static void on_signal(int sig)
{
	stop_sig = sig;
}

enum {
	OPT_ANSWERS = HELLO_OPT_FIRST_PROGRAM, OPT_ALL, OPT_JOBS, OPT_OUT, OPT_KEEP, OPT_PORT, OPT_LOSS,
	OPT_QUIET, OPT_NO_RENDER, OPT_OUTPUT, OPT_LAB, OPT_CSV, OPT_SHOW_OBSERVED,
};

/* Help lines fit 80 columns: the option column is 29 wide, so a row's text is 51 at most. */
static const struct hello_opt show_opts[] = {
	{ "answers", 0, NULL, OPT_ANSWERS, "print the answer key instead of the student sheet" },
	{ 0 },
};

static const struct hello_opt run_opts[] = {
	{ "all", 0, NULL, OPT_ALL, "run every lab (instead of NAME...)" },
	{ "jobs", 'j', "N", OPT_JOBS, "several labs: N at a time (1..16; default 1)" },
	{ "out", 0, "DIR", OPT_OUT, "run folder (default out/NAME; several: DIR/NAME)" },
	{ "keep", 0, NULL, OPT_KEEP, "leave the namespaces for inspection" },
	{ "port", 0, "N", OPT_PORT, "service port (the lab's; -j: 20000 + 10 a lab)" },
	{ "loss", 0, "PERCENT", OPT_LOSS, "random loss, PERCENT % each way (checks may fail)" },
	{ "quiet", 0, NULL, OPT_QUIET, "one line per lab, no step-by-step progress" },
	{ "no-render", 0, NULL, OPT_NO_RENDER, "draw no diagrams (ladder.*, report.html)" },
	{ "show-observed", 0, NULL, OPT_SHOW_OBSERVED, "print observed values for passing checks too" },
	{ 0 },
};

static const struct hello_opt check_opts[] = {
	{ "lab", 0, "LAB", OPT_LAB, "grade against LAB (a name, folder or lab.json)" },
	{ "csv", 0, "FILE", OPT_CSV, "also a row per run to FILE (-: stdout)" },
	{ "show-observed", 0, NULL, OPT_SHOW_OBSERVED, "print observed values for passing checks too" },
	{ 0 },
};

static const struct hello_opt compare_opts[] = {
	{ "output", 'o', "FILE", OPT_OUTPUT, "also both ladders side by side in FILE (html)" },
	{ 0 },
};

#define LAB_EXIT_FAIL "a check did not hold, or a run failed"
#define LAB_EXIT_BROKEN_LINE "  4    a lab.json is BROKEN (cannot be loaded)\n"
#define LAB_EXIT_STOP "  130  interrupted by SIGINT (143: SIGTERM)\n"
#define LAB_EXIT_NOUSERNS 5
#define LAB_EXIT_NOUSERNS_LINE "  5    not root, and the kernel gave no user namespace: no lab ran\n"

static const struct hello_usage list_usage = {
	.prog = PROG " list", .args = "",
	.summary = "Lists the labs, folder by folder: name, protocol, goal. Warns\n"
		   "about a lab without README.md or answer key.",
	.common = HELLO_OPT_USE_HELP, .exit_fail = "no labs found",
	.exit_codes = LAB_EXIT_BROKEN_LINE,
};

static const struct hello_usage show_usage = {
	.prog = PROG " show", .args = "NAME [OPTIONS]", .summary = "Prints a lab's student sheet (README.md).",
	.opts = show_opts, .common = HELLO_OPT_USE_HELP, .max_operands = 1, .exit_fail = "no such lab",
};

static const struct hello_usage run_usage = {
	.prog = PROG " run", .args = "NAME... [OPTIONS]\n--all [OPTIONS]",
	.summary = "Runs labs in private network namespaces, traces and checks\n"
		   "them; not root, in a user namespace of its own. Several labs\n"
		   "end with a line each (FAILED: the checks that did not hold)\n"
		   "and the total time.",
	.opts = run_opts, .common = HELLO_OPT_USE_HELP, .max_operands = -1,
	.exit_fail = LAB_EXIT_FAIL, .exit_codes = LAB_EXIT_BROKEN_LINE LAB_EXIT_NOUSERNS_LINE LAB_EXIT_STOP,
};

static const struct hello_usage check_usage = {
	.prog = PROG " check", .args = "[OPTIONS] RUN-DIR...",
	.summary = "Checks finished runs again: each against its own lab.json, or\n"
		   "with --lab against the teacher's copy. A RUN-DIR may be a\n"
		   "folder of runs (a class's submissions).",
	.opts = check_opts, .common = HELLO_OPT_USE_HELP, .max_operands = -1,
	.exit_fail = "a check did not hold, or a run is BROKEN",
	.exit_codes = "  4    the --lab lab.json is BROKEN (cannot be loaded)\n",
};

static const struct hello_usage compare_usage = {
	.prog = PROG " compare", .args = "TCP-RUN-DIR UDP-RUN-DIR [OPTIONS]",
	.summary = "Compares a TCP run and a UDP run: packets, bytes, round trips\n"
		   "and time to the first reply.",
	.opts = compare_opts, .common = HELLO_OPT_USE_HELP, .max_operands = 2, .exit_fail = "a run cannot be read",
};

static const struct hello_usage doctor_usage = {
	.prog = PROG " doctor", .args = "",
	.summary = "Tries, once, each step a lab run takes as this user (root, or\n"
		   "a user namespace of its own; namespaces and veth; nftables;\n"
		   "capture; sock_diag; the tracepoint) and prints what works and\n"
		   "the one line that would fix what does not.",
	.common = HELLO_OPT_USE_HELP, .exit_fail = "a step a lab needs does not work here",
};

static const struct hello_usage *const subs[] = { &show_usage, &run_usage, &check_usage, &compare_usage,
						  &doctor_usage, NULL };

static const struct hello_usage usage = {
	.prog = PROG,
	.args = "list\nshow NAME [OPTIONS]\nrun NAME... [OPTIONS]\nrun --all [OPTIONS]\n"
		"check [OPTIONS] RUN-DIR...\ncompare TCP-RUN-DIR UDP-RUN-DIR [OPTIONS]\ndoctor",
	.summary = "Runs network lab exercises in private network namespaces,\n"
		   "traces them and checks the expected observations. A run writes\n"
		   "out/NAME/: trace.json, trace.pcap, a log per program,\n"
		   "result.json and diagrams. Not root, run first enters a user\n"
		   "namespace of its own (the kernel's states then from sock_diag).\n"
		   "Labs: each folder of $HELLO_LABS (colon-separated), then the\n"
		   "labs/ folder next to bin/; the first folder with a name wins.\n"
		   "Answer keys: $HELLO_ANSWERS/NAME/answers.md, else the lab's.\n"
		   "'hello-lab COMMAND --help' shows one command.",
	.common = HELLO_OPT_USE_HELP | HELLO_OPT_USE_VERSION,
	.max_operands = -1,
	.in_order = 1,
	.exit_fail = LAB_EXIT_FAIL,
	.exit_codes = LAB_EXIT_BROKEN_LINE LAB_EXIT_STOP,
	.subs = subs,
};

/* What a command was given: its options (every command's, in one place) and operands. */
struct lab_args {
	const char *out, *output, *lab, *csv;
	int all, jobs, port, keep, quiet, render, answers, show_observed;
	long loss;
	char **operands;
	int noperands;
};

/* Where a command finds labs and programs, and where it prints (wrapped at 80 columns). */
struct lab_env {
	struct lab_dirs dirs;
	char bindir[PATH_MAX];
	FILE *out, *err;
};

static int lab_opt(void *arg, const struct hello_opt_hit *h, char *err, size_t errlen)
{
	struct lab_args *a = arg;

	switch (h->id) {
	case OPT_ANSWERS: a->answers = 1; return 0;
	case OPT_ALL: a->all = 1; return 0;
	case OPT_KEEP: a->keep = 1; return 0;
	case OPT_QUIET: a->quiet = 1; return 0;
	case OPT_NO_RENDER: a->render = 0; return 0;
	case OPT_SHOW_OBSERVED: a->show_observed = 1; return 0;
	case OPT_OUT: a->out = h->val; return 0;
	case OPT_OUTPUT: a->output = h->val; return 0;
	case OPT_LAB: a->lab = h->val; return 0;
	case OPT_CSV: a->csv = h->val; return 0;
	case OPT_JOBS: return hello_opt_int(h->name, h->val, 1, 16, &a->jobs, err, errlen);
	/* run --all adds 10 per lab to the port */
	case OPT_PORT: return hello_opt_int(h->name, h->val, 1, 65499, &a->port, err, errlen);
	default: return hello_opt_long(h->name, h->val, 1, 100, &a->loss, err, errlen);
	}
}

/* A lab folder a teacher hands out has its sheet; its key is there or in $HELLO_ANSWERS. */
static void list_warn(struct lab_env *env, const char *name, const char *dir)
{
	char p[PATH_MAX + 16];
	int sheet = snprintf(p, sizeof p, "%s/README.md", dir) < (int)sizeof p && access(p, R_OK) == 0;
	int key = lab_find_answers(&env->dirs, name, dir, p, sizeof p) == 0;

	if (!sheet || !key)
		fprintf(env->err, "hello-lab: warning: %s: %s%s%s\n", name, sheet ? "" : "no README.md (the sheet)",
			!sheet && !key ? ", " : "", key ? "" : "no answers.md (in it or $HELLO_ANSWERS/NAME/)");
}

/* One row of list: the lab that runs under this name, or the one it hides. */
static int list_row(struct lab_env *env, const struct lab_entry *e, const char *dir)
{
	const struct lab_dirs *ds = &env->dirs;
	struct lab_def *d;
	char err[512];

	if (e->hidden_by >= 0) {
		fprintf(env->out, "%-20s %-5s (overridden by %s/%s)\n", e->name, "-", ds->dir[e->hidden_by], e->name);
		return 0;
	}
	if (!(d = lab_def_load(dir, err, sizeof err))) {
		/* the section names the folder: the message from the place in lab.json on */
		fprintf(env->out, "%-20s %-5s BROKEN: %s\n", e->name, "?",
			strstr(err, "lab.json: ") ? strstr(err, "lab.json: ") + 10 : err);
		return -1;
	}
	fprintf(env->out, "%-20s %-5s %s%s%s%s\n", d->name, d->protocol, e->hides < 0 ? "" : "[overrides ",
		e->hides < 0 ? "" : ds->builtin[e->hides] ? "the built-in" : ds->dir[e->hides],
		e->hides < 0 ? "" : "] ", d->goal);
	lab_def_free(d);
	return 0;
}

static int cmd_list(struct lab_env *env, struct lab_args *a)
{
	static struct lab_entry e[LAB_FIND_MAX];
	size_t n = lab_find_all(&env->dirs, e, LAB_FIND_MAX), i, k;
	char dir[PATH_MAX];
	int bad = 0;

	(void)a;
	fprintf(env->out, "%-20s %-5s %s\n", "LAB", "PROTO", "GOAL");
	for (k = 0; k < env->dirs.n; k++) {
		const char *d = env->dirs.dir[k];
		struct stat st;
		int there = stat(d, &st) == 0;
		fprintf(env->out, "== %s (%s)%s%s\n", d, env->dirs.builtin[k] ? "built in" : "HELLO_LABS",
			there ? "" : ": ", there ? "" : strerror(errno));
		for (i = 0; i < n; i++)
			if (e[i].dir == (int)k && snprintf(dir, sizeof dir, "%s/%s", d, e[i].name) < (int)sizeof dir)
				bad |= list_row(env, &e[i], dir) < 0;
	}
	fflush(env->out);
	/* after the table, so they never land in the middle of it */
	for (i = 0; i < n; i++)
		if (e[i].hidden_by < 0 &&
		    snprintf(dir, sizeof dir, "%s/%s", env->dirs.dir[e[i].dir], e[i].name) < (int)sizeof dir)
			list_warn(env, e[i].name, dir);
	if (n == 0)
		fprintf(env->err, "hello-lab: no labs found\n");
	return n == 0 ? 1 : bad ? LAB_EXIT_BROKEN : 0;
}

static int cmd_show(struct lab_env *env, struct lab_args *a)
{
	char dir[PATH_MAX], path[PATH_MAX + 80], err[PATH_MAX + 128], buf[4096];
	const char *name = a->operands[0];
	FILE *f;
	size_t n;

	if (strchr(name, '/') || name[0] == '.')
		return hello_opt_usage_error(show_usage.prog, "NAME: a lab name, not a path (see hello-lab list)");
	if (lab_find(&env->dirs, name, dir, sizeof dir, err, sizeof err) < 0) {
		fprintf(env->err, "hello-lab: %s\n", err);
		return 1;
	}
	snprintf(path, sizeof path, "%s/README.md", dir);
	if (a->answers && lab_find_answers(&env->dirs, name, dir, path, sizeof path) < 0) {
		fprintf(env->err, "hello-lab: %s: no answer key (%s, or $HELLO_ANSWERS/%s/answers.md)\n",
			name, path, name);
		return 1;
	}
	if (!(f = fopen(path, "r"))) {
		fprintf(env->err, "hello-lab: %s: %s\n", path, strerror(errno));
		return 1;
	}
	/* the sheet as the teacher wrote it: not wrapped */
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		fwrite(buf, 1, n, stdout);
	fclose(f);
	return 0;
}

/* Root makes the run's namespaces on the host; an ordinary user first enters a user namespace
 * of its own, where it may make them too (docs/labs.md, "Without root"). */
static int lab_rights(struct lab_env *env, const char *what, int keep)
{
	char err[256];

	if (lab_net_allowed())
		return 0;
	if (lab_userns_enter(err, sizeof err) < 0) {
		fprintf(env->err, "hello-lab: %s: an ordinary user's labs need a user namespace, and "
			"the kernel refused it: %s. 'hello-lab doctor' says what would fix it; or: sudo %s\n",
			what, err, what);
		return -1;
	}
	fprintf(env->err, "hello-lab: not root: the lab runs in a user namespace of its own; the "
		"kernel's states come from sock_diag (the tracepoint needs root)%s\n",
		keep ? "; --keep cannot keep its namespaces, which end with hello-lab" : "");
	return 0;
}

static int cmd_run(struct lab_env *env, struct lab_args *a)
{
	static char names[LAB_FIND_MAX][LAB_NAME_MAX];
	struct lab_batch b = {
		.dirs = &env->dirs, .base = a->out ? a->out : "out", .jobs = a->jobs, .port = a->port,
		.out = env->out,
		.run = { .keep = a->keep, .loss = a->loss, .bindir = env->bindir, .quiet = a->quiet,
			 .render = a->render, .show_observed = a->show_observed, .stop = &stop_sig },
	};
	char out[PATH_MAX + 80], dir[PATH_MAX], err[PATH_MAX + 128];
	size_t n = 0;
	int i;

	if (a->all == (a->noperands > 0))
		return hello_opt_usage_error(run_usage.prog, "give lab NAMEs or --all");
	for (i = 0; i < a->noperands; i++) {
		if (lab_find(&env->dirs, a->operands[i], dir, sizeof dir, err, sizeof err) < 0) {
			fprintf(env->err, "hello-lab: %s\n", err);
			return 1;
		}
		if (i < LAB_FIND_MAX && strlen(a->operands[i]) < LAB_NAME_MAX)
			memcpy(names[n++], a->operands[i], strlen(a->operands[i]) + 1);
	}
	if (lab_rights(env, a->all ? "hello-lab run --all" : "hello-lab run NAME", a->keep) < 0)
		return LAB_EXIT_NOUSERNS;
	if (a->noperands == 1) {
		snprintf(out, sizeof out, "out/%s", names[0]);
		return lab_batch_one(&b, names[0], a->out ? a->out : out, a->port);
	}
	if (a->all && (n = lab_find_names(&env->dirs, names, LAB_FIND_MAX)) == 0) {
		fprintf(env->err, "hello-lab: no labs found (see hello-lab list)\n");
		return 1;
	}
	if (a->jobs > 1)
		b.run.quiet = 1;
	return lab_batch_all(&b, names, n);
}

static int cmd_check(struct lab_env *env, struct lab_args *a)
{
	struct lab_grade_opts o = { a->lab, env->out, NULL, a->show_observed };
	char err[PATH_MAX + 128], dir[PATH_MAX], found[PATH_MAX];
	struct stat st;
	int rc;

	/* --lab NAME: the lab of that name on the search path, unless a folder has that name */
	if (a->lab && !strchr(a->lab, '/') && stat(a->lab, &st) != 0) {
		if (lab_find(&env->dirs, a->lab, found, sizeof found, err, sizeof err) < 0) {
			fprintf(env->err, "hello-lab: --lab: %s\n", err);
			return 1;
		}
		o.lab = found;
	}
	if (o.lab) {
		size_t len = strlen(o.lab);
		struct lab_def *d;
		snprintf(dir, sizeof dir, "%.*s", (int)(len > 9 && strcmp(o.lab + len - 9, "/lab.json") == 0 ?
							  len - 9 : len), o.lab);
		if (!(d = lab_def_load(dir, err, sizeof err))) {
			fprintf(env->out, "BROKEN %s\n", err);
			return LAB_EXIT_BROKEN;
		}
		lab_def_free(d);
		o.lab = dir;
	}
	if (a->csv && strcmp(a->csv, "-") == 0) {
		o.csv = stdout;
		o.log = env->err;	/* the rows alone on standard output */
	} else if (a->csv && !(o.csv = fopen(a->csv, "w"))) {
		fprintf(env->err, "hello-lab: --csv %s: %s\n", a->csv, strerror(errno));
		return 1;
	}
	rc = lab_grade_main(a->operands, (size_t)a->noperands, &o, err, sizeof err);
	if (o.csv && o.csv != stdout && fclose(o.csv) != 0 && rc >= 0) {
		fprintf(env->err, "hello-lab: --csv %s: %s\n", a->csv, strerror(errno));
		rc = 1;
	}
	if (rc < 0)
		fprintf(env->err, "hello-lab: %s\n", err);
	return rc < 0 ? 1 : rc;
}

static int cmd_compare(struct lab_env *env, struct lab_args *a)
{
	return lab_compare_main(a->operands[0], a->operands[1], a->output, env->bindir, env->out, env->err);
}

static int cmd_doctor(struct lab_env *env, struct lab_args *a)
{
	struct lab_doctor_step s[LAB_DOCTOR_MAX];
	unsigned uid = (unsigned)geteuid();
	size_t n, i;
	int ok;

	(void)a;
	n = lab_doctor_run(env->bindir, s, &ok);
	printf("hello-lab doctor: what a lab run can do here, as uid %u\n", uid);
	for (i = 0; i < n; i++) {
		printf("  %-4s %-28s %s\n", s[i].ok == 1 ? "ok" : s[i].ok == 0 ? "no" : "-", s[i].name,
		       s[i].ok == -1 ? "not tried: an earlier step failed" : s[i].detail);
		if (s[i].ok == 0 && s[i].fix[0])
			printf("       fix: %s\n", s[i].fix);
	}
	for (i = 0; i < n && strcmp(s[i].name, LAB_DOCTOR_TRACEPOINT) != 0; i++)
		;
	if (!ok)
		printf("labs: they cannot run here until the first step marked no works\n");
	else
		printf("labs: they run here%s\n", i < n && s[i].ok == 1 ? "" : " (the kernel's states from sock_diag only)");
	return ok ? 0 : 1;
}

static const struct lab_cmd {
	const char *name;
	const struct hello_usage *u;
	int need;	/* operands it cannot do without */
	int (*run)(struct lab_env *env, struct lab_args *a);
} cmds[] = {
	{ "list", &list_usage, 0, cmd_list },
	{ "show", &show_usage, 1, cmd_show },
	{ "run", &run_usage, 0, cmd_run },
	{ "check", &check_usage, 1, cmd_check },
	{ "compare", &compare_usage, 2, cmd_compare },
	{ "doctor", &doctor_usage, 0, cmd_doctor },
};

/* The command's own options and operands; -1 to go on, else the exit code. */
static int parse_cmd(const struct lab_cmd *c, int argc, char **argv, struct lab_args *a)
{
	char err[256];
	int rc, first;

	memset(a, 0, sizeof *a);
	a->jobs = 1;
	a->render = 1;
	if ((rc = hello_opt_main(c->u, argc, argv, NULL, lab_opt, a, &first)) >= 0)
		return rc;
	a->operands = argv + first;
	a->noperands = argc - first;
	if (a->noperands >= c->need)
		return -1;
	snprintf(err, sizeof err, "missing argument (usage: %s %s)", c->u->prog, c->u->args);
	return hello_opt_usage_error(c->u->prog, err);
}

int main(int argc, char **argv)
{
	static struct lab_env env;
	char builtin[PATH_MAX], err[256];
	const struct lab_cmd *c = NULL;
	struct lab_args a;
	struct sigaction sa;
	size_t i;
	int rc, first;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if ((rc = hello_opt_main(&usage, argc, argv, NULL, NULL, NULL, &first)) >= 0)
		return rc;
	if (first == argc) {
		hello_opt_usage(stderr, &usage);
		return HELLO_EXIT_USAGE;
	}
	for (i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
		if (strcmp(argv[first], cmds[i].name) == 0)
			c = &cmds[i];
	if (!c) {
		snprintf(err, sizeof err, "unknown command '%s' (list, show, run, check, compare, doctor)", argv[first]);
		return hello_opt_usage_error(PROG, err);
	}
	if ((rc = parse_cmd(c, argc - first, argv + first, &a)) >= 0)
		return rc;
	lab_dirs_builtin(builtin, sizeof builtin);
	if (lab_dirs_init(&env.dirs, getenv("HELLO_LABS"), getenv("HELLO_ANSWERS"), builtin, err, sizeof err) < 0) {
		fprintf(stderr, "hello-lab: %s\n", err);
		return 1;
	}
	/* hello-* programs: next to hello-lab, or where HELLO_BIN says (the ASan build's) */
	snprintf(env.bindir, sizeof env.bindir, "%s", getenv("HELLO_BIN") && *getenv("HELLO_BIN") ?
		 getenv("HELLO_BIN") : ".");
	if (!getenv("HELLO_BIN") || !*getenv("HELLO_BIN")) {
		ssize_t n = readlink("/proc/self/exe", env.bindir, sizeof env.bindir - 1);
		if (n > 0) {
			env.bindir[n] = '\0';
			*strrchr(env.bindir, '/') = '\0';
		}
	}
	env.out = lab_wrap_open(stdout, LAB_WRAP_WIDTH);
	env.err = lab_wrap_open(stderr, LAB_WRAP_WIDTH);
	if (!env.out)
		env.out = stdout;
	if (!env.err)
		env.err = stderr;
	rc = c->run(&env, &a);
	if (env.out != stdout)
		fclose(env.out);
	if (env.err != stderr)
		fclose(env.err);
	return rc;
}
