/* runner/hello-lab.c: the lab runner's command line: list, show, run, run --all, check, compare. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/opt.h"
#include "runner/lab_compare.h"
#include "runner/lab_grade.h"
#include "runner/lab_run.h"

#define PROG "hello-lab"
#define MAX_LABS 128

static volatile sig_atomic_t stop_sig;

static void on_signal(int sig)
{
	stop_sig = sig;
}

enum {
	OPT_ANSWERS = HELLO_OPT_FIRST_PROGRAM, OPT_ALL, OPT_JOBS, OPT_OUT, OPT_KEEP, OPT_PORT, OPT_LOSS,
	OPT_QUIET, OPT_NO_RENDER, OPT_OUTPUT, OPT_LAB, OPT_CSV,
};

static const struct hello_opt show_opts[] = {
	{ "answers", 0, NULL, OPT_ANSWERS, "print the answer key (answers.md) instead of the student sheet" },
	{ 0 },
};

static const struct hello_opt run_opts[] = {
	{ "all", 0, NULL, OPT_ALL, "run every lab, one after another (or -j N at a time)" },
	{ "jobs", 'j', "N", OPT_JOBS, "with --all: N labs at a time (1..16), each on its own ports (default 1)" },
	{ "out", 0, "DIR", OPT_OUT, "write the run into DIR (default out/NAME; with --all, DIR/NAME)" },
	{ "keep", 0, NULL, OPT_KEEP, "leave the namespaces for inspection (the next run sweeps them)" },
	{ "port", 0, "N", OPT_PORT, "the service port (default the lab's; with --all, 20000 + 10 per lab)" },
	{ "loss", 0, "PERCENT", OPT_LOSS, "random loss of PERCENT % each way (checks may then fail)" },
	{ "quiet", 0, NULL, OPT_QUIET, "one line per lab, no step-by-step progress" },
	{ "no-render", 0, NULL, OPT_NO_RENDER, "draw no diagrams (ladder.txt, ladder.svg, report.html)" },
	{ 0 },
};

static const struct hello_opt check_opts[] = {
	{ "lab", 0, "LAB", OPT_LAB, "grade against this lab (its folder or lab.json: the teacher's copy), not each run's own lab.json" },
	{ "csv", 0, "FILE", OPT_CSV, "also write a row per run to FILE (- for standard output): run,lab,verdict,held,total,failed" },
	{ 0 },
};

static const struct hello_opt compare_opts[] = {
	{ "output", 'o', "FILE", OPT_OUTPUT, "also write both ladders side by side to FILE (html)" },
	{ 0 },
};

#define LAB_EXIT_FAIL "an expectation did not hold, or the run failed"
#define LAB_EXIT_STOP "  130  interrupted by SIGINT (143: SIGTERM); everything was torn down\n"

static const struct hello_usage list_usage = {
	.prog = PROG " list", .args = "", .summary = "Lists the labs: name, protocol, one-line goal.",
	.common = HELLO_OPT_USE_HELP, .exit_fail = "no labs, or a broken one",
};

static const struct hello_usage show_usage = {
	.prog = PROG " show", .args = "NAME [OPTIONS]", .summary = "Prints a lab's student sheet (README.md).",
	.opts = show_opts, .common = HELLO_OPT_USE_HELP, .max_operands = 1, .exit_fail = "no such lab",
};

static const struct hello_usage run_usage = {
	.prog = PROG " run", .args = "NAME [OPTIONS]\n--all [OPTIONS]",
	.summary = "Runs a lab (or every lab) in private network namespaces, traces it and checks it. Needs root.",
	.opts = run_opts, .common = HELLO_OPT_USE_HELP, .max_operands = 1,
	.exit_fail = LAB_EXIT_FAIL, .exit_codes = LAB_EXIT_STOP,
};

static const struct hello_usage check_usage = {
	.prog = PROG " check", .args = "[OPTIONS] RUN-DIR...",
	.summary = "Checks finished runs again: each against its own lab.json, or with --lab against the\n"
		   "teacher's copy (a student can edit a run's own). A RUN-DIR may also be a folder of runs\n"
		   "(a class's submissions). Exit 0 when every run held every check.",
	.opts = check_opts, .common = HELLO_OPT_USE_HELP, .max_operands = -1,
	.exit_fail = "a check did not hold, or a run is not a run of the lab (BROKEN)",
};

static const struct hello_usage compare_usage = {
	.prog = PROG " compare", .args = "TCP-RUN-DIR UDP-RUN-DIR [OPTIONS]",
	.summary = "Compares a TCP run and a UDP run: packets, bytes, round trips and time to the first reply.",
	.opts = compare_opts, .common = HELLO_OPT_USE_HELP, .max_operands = 2, .exit_fail = "a run cannot be read",
};

static const struct hello_usage *const subs[] = { &show_usage, &run_usage, &check_usage, &compare_usage, NULL };

static const struct hello_usage usage = {
	.prog = PROG,
	.args = "list\nshow NAME [OPTIONS]\nrun NAME [OPTIONS]\nrun --all [OPTIONS]\ncheck [OPTIONS] RUN-DIR...\n"
		"compare TCP-RUN-DIR UDP-RUN-DIR [OPTIONS]",
	.summary = "Runs network lab exercises, each in private network namespaces, traces them and\n"
		   "checks the expected observations. A run writes out/NAME/ (or --out): trace.json,\n"
		   "trace.pcap, one log per program, result.json and diagrams. run needs root.\n"
		   "Labs are read from $HELLO_LABS, else the labs/ folder next to bin/.\n"
		   "'hello-lab COMMAND --help' shows one command.",
	.common = HELLO_OPT_USE_HELP | HELLO_OPT_USE_VERSION,
	.max_operands = -1,
	.in_order = 1,
	.exit_fail = LAB_EXIT_FAIL,
	.exit_codes = LAB_EXIT_STOP,
	.subs = subs,
};

/* What a command was given: its options (every command's, in one place) and operands. */
struct lab_args {
	const char *out, *output, *lab, *csv;
	int all, jobs, port, keep, quiet, render, answers;
	long loss;
	char **operands;
	int noperands;
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

/* The folder next to the executable: bin/ -> ../labs; build/asan/bin -> ../../../labs. */
static void find_dirs(char *bindir, size_t blen, char *labsdir, size_t llen)
{
	char exe[PATH_MAX], try[PATH_MAX + 32];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	const char *env = getenv("HELLO_LABS");
	int up;

	snprintf(bindir, blen, ".");
	if (n > 0) {
		exe[n] = '\0';
		*strrchr(exe, '/') = '\0';
		snprintf(bindir, blen, "%s", exe);
	}
	if (env && *env) {
		snprintf(labsdir, llen, "%s", env);
		return;
	}
	snprintf(labsdir, llen, "labs");
	for (up = 1; up <= 3 && n > 0; up++) {
		char *slash = strrchr(exe, '/');
		if (!slash)
			break;
		*slash = '\0';
		snprintf(try, sizeof try, "%s/labs/tcp-hello/lab.json", exe);
		if (access(try, R_OK) == 0) {
			if (snprintf(labsdir, llen, "%.*s/labs", (int)(llen - 6), exe) > 0)
				return;
		}
	}
}

static int is_lab(const struct dirent *de)
{
	return de->d_name[0] != '.';
}

/* Names of the folders holding a lab.json, sorted. */
static int lab_names(const char *labsdir, char names[][64], int max)
{
	struct dirent **list;
	int n = scandir(labsdir, &list, is_lab, alphasort), i, k = 0;
	char p[PATH_MAX + 80];

	for (i = 0; i < n; i++) {
		snprintf(p, sizeof p, "%s/%s/lab.json", labsdir, list[i]->d_name);
		if (k < max && strlen(list[i]->d_name) < 64 && access(p, R_OK) == 0)
			memcpy(names[k++], list[i]->d_name, strlen(list[i]->d_name) + 1);
		free(list[i]);
	}
	if (n >= 0)
		free(list);
	return k;
}

static struct lab_def *load(const char *labsdir, const char *name, char *err, size_t errlen)
{
	char dir[PATH_MAX];

	if (strchr(name, '/') || name[0] == '.') {
		snprintf(err, errlen, "%s: a lab name, not a path (see hello-lab list)", name);
		return NULL;
	}
	snprintf(dir, sizeof dir, "%s/%s", labsdir, name);
	if (access(dir, F_OK) != 0) {
		snprintf(err, errlen, "no lab named %s in %s (see hello-lab list)", name, labsdir);
		return NULL;
	}
	return lab_def_load(dir, err, errlen);
}

static int cmd_list(const char *labsdir, const char *bindir, struct lab_args *a)
{
	static char names[MAX_LABS][64];
	int n = lab_names(labsdir, names, MAX_LABS), i, bad = 0;
	char err[512];

	(void)bindir, (void)a;
	printf("%-20s %-8s %s\n", "LAB", "PROTO", "GOAL");
	for (i = 0; i < n; i++) {
		struct lab_def *d = load(labsdir, names[i], err, sizeof err);
		if (!d) {
			printf("%-20s %-8s (broken: %s)\n", names[i], "?", err);
			bad = 1;
			continue;
		}
		printf("%-20s %-8s %s\n", d->name, d->protocol, d->goal);
		lab_def_free(d);
	}
	if (n == 0)
		fprintf(stderr, "hello-lab: no labs in %s\n", labsdir);
	return n == 0 || bad;
}

static int cmd_show(const char *labsdir, const char *bindir, struct lab_args *a)
{
	char path[PATH_MAX + 80], buf[4096];
	const char *name = a->operands[0];
	FILE *f;
	size_t n;

	(void)bindir;
	if (strchr(name, '/') || name[0] == '.')
		return hello_opt_usage_error(show_usage.prog, "NAME: a lab name, not a path (see hello-lab list)");
	snprintf(path, sizeof path, "%s/%s/%s", labsdir, name, a->answers ? "answers.md" : "README.md");
	if (!(f = fopen(path, "r"))) {
		fprintf(stderr, "hello-lab: %s: %s (see hello-lab list)\n", path, strerror(errno));
		return 1;
	}
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		fwrite(buf, 1, n, stdout);
	fclose(f);
	return 0;
}

static int need_root(const char *what)
{
	if (lab_net_allowed())
		return 0;
	fprintf(stderr, "hello-lab: %s needs root: each run makes its own network namespaces "
		"(ip netns), nftables rules inside them and a tracefs instance for the kernel's "
		"TCP states. Try: sudo %s (unprivileged user namespaces are not supported yet).\n",
		what, what);
	return -1;
}

static int run_one(const char *labsdir, const char *bindir, const char *name, const char *out,
		   const struct lab_args *a, int port)
{
	struct lab_opts o = { .out = out, .port = port, .keep = a->keep, .loss = a->loss,
			      .bindir = bindir, .quiet = a->quiet, .render = a->render,
			      .stop = &stop_sig, .log = stdout };
	char err[512];
	struct lab_def *d = load(labsdir, name, err, sizeof err);
	int rc;

	if (!d) {
		fprintf(stderr, "hello-lab: %s\n", err);
		return 1;
	}
	rc = lab_run(d, &o, err, sizeof err);
	lab_def_free(d);
	return rc;
}

/* -j N: each lab in a child hello-lab with its own port (the tracepoint is system-wide,
 * so two runs tracing at once must not share ports); their output goes to DIR/NAME.out. */
static int run_parallel(const char *base, const struct lab_args *a, char names[][64], int n,
			int *rcs)
{
	struct lab_proc procs[16];
	int slot_of[16], next = 0, running = 0, i;
	char exe[PATH_MAX], out[PATH_MAX + 80], log[PATH_MAX + 80], port[16], err[256];

	{
		ssize_t l = readlink("/proc/self/exe", exe, sizeof exe - 1);
		if (l <= 0)
			return -1;
		exe[l] = '\0';
	}
	memset(procs, 0, sizeof procs);
	while ((next < n || running) && !stop_sig) {
		for (i = 0; i < a->jobs && next < n; i++) {
			struct lab_where here = { -1, 0 };
			char *argv[] = { exe, "run", names[next], "--out", out, "--port", port, "--quiet",
					 a->render ? NULL : "--no-render", NULL };
			if (procs[i].pid)
				continue;
			snprintf(out, sizeof out, "%s/%s", base, names[next]);
			snprintf(log, sizeof log, "%s/%s.out", base, names[next]);
			snprintf(port, sizeof port, "%d", (a->port ? a->port : 20000) + 10 * next);
			unlink(log);
			if (lab_proc_start(&procs[i], &here, argv, log, err, sizeof err) < 0) {
				fprintf(stderr, "hello-lab: %s\n", err);
				rcs[next++] = 1;
				continue;
			}
			slot_of[i] = next++;
			running++;
		}
		for (i = 0; i < a->jobs; i++) {
			FILE *f;
			char line[512];
			if (!procs[i].pid || !lab_proc_poll(&procs[i]))
				continue;
			rcs[slot_of[i]] = lab_proc_code(&procs[i]);
			snprintf(log, sizeof log, "%s/%s.out", base, names[slot_of[i]]);
			if ((f = fopen(log, "r"))) {
				while (fgets(line, sizeof line, f))
					fputs(line, stdout);
				fclose(f);
			}
			fflush(stdout);
			procs[i].pid = 0;
			running--;
		}
		lab_sleep(20, NULL);
	}
	for (i = 0; i < a->jobs; i++)
		if (procs[i].pid)
			lab_proc_stop(&procs[i], SIGINT, 10000);	/* they tear down themselves */
	return 0;
}

static int cmd_run(const char *labsdir, const char *bindir, struct lab_args *a)
{
	static char names[MAX_LABS][64];
	int rcs[MAX_LABS], n, i, bad = 0;
	const char *name = a->noperands ? a->operands[0] : NULL;
	char out[PATH_MAX + 80];
	const char *base;

	if (a->all == !!name)
		return hello_opt_usage_error(run_usage.prog, "give one lab NAME or --all");
	if (need_root(a->all ? "hello-lab run --all" : "hello-lab run NAME") < 0)
		return 1;
	if (!a->all) {
		snprintf(out, sizeof out, "out/%s", name);
		return run_one(labsdir, bindir, name, a->out ? a->out : out, a, a->port);
	}
	base = a->out ? a->out : "out";
	n = lab_names(labsdir, names, MAX_LABS);
	if (n == 0) {
		fprintf(stderr, "hello-lab: no labs in %s\n", labsdir);
		return 1;
	}
	mkdir(base, 0755);
	for (i = 0; i < n; i++)
		rcs[i] = -1;
	if (a->jobs > 1) {
		a->quiet = 1;
		run_parallel(base, a, names, n, rcs);
	} else {
		for (i = 0; i < n && !stop_sig; i++) {
			snprintf(out, sizeof out, "%s/%s", base, names[i]);
			rcs[i] = run_one(labsdir, bindir, names[i], out, a, a->port);
			if (!a->quiet)
				printf("\n");
		}
	}
	printf("\n%-20s %s\n", "LAB", "RESULT");
	for (i = 0; i < n; i++) {
		printf("%-20s %s\n", names[i], rcs[i] == 0 ? "ok" : rcs[i] < 0 ? "not run" :
		       rcs[i] > 128 ? "interrupted" : "FAILED");
		bad |= rcs[i] != 0;
	}
	if (stop_sig) {
		printf("interrupted by %s: the remaining labs were not run\n",
		       stop_sig == SIGTERM ? "SIGTERM" : "SIGINT");
		return 128 + stop_sig;
	}
	return bad;
}

static int cmd_check(const char *labsdir, const char *bindir, struct lab_args *a)
{
	struct lab_grade_opts o = { a->lab, stdout, NULL };
	char err[512];
	int rc;

	(void)labsdir, (void)bindir;
	if (a->csv && strcmp(a->csv, "-") == 0) {
		o.csv = stdout;
		o.log = stderr;		/* the rows alone on standard output */
	} else if (a->csv && !(o.csv = fopen(a->csv, "w"))) {
		fprintf(stderr, "hello-lab: --csv %s: %s\n", a->csv, strerror(errno));
		return 1;
	}
	rc = lab_grade_main(a->operands, (size_t)a->noperands, &o, err, sizeof err);
	if (o.csv && o.csv != stdout && fclose(o.csv) != 0 && rc >= 0) {
		fprintf(stderr, "hello-lab: --csv %s: %s\n", a->csv, strerror(errno));
		rc = 1;
	}
	if (rc < 0)
		fprintf(stderr, "hello-lab: %s\n", err);
	return rc < 0 ? 1 : rc;
}

static int cmd_compare(const char *labsdir, const char *bindir, struct lab_args *a)
{
	(void)labsdir;
	return lab_compare_main(a->operands[0], a->operands[1], a->output, bindir);
}

static const struct lab_cmd {
	const char *name;
	const struct hello_usage *u;
	int need;	/* operands it cannot do without */
	int (*run)(const char *labsdir, const char *bindir, struct lab_args *a);
} cmds[] = {
	{ "list", &list_usage, 0, cmd_list },
	{ "show", &show_usage, 1, cmd_show },
	{ "run", &run_usage, 0, cmd_run },
	{ "check", &check_usage, 1, cmd_check },
	{ "compare", &compare_usage, 2, cmd_compare },
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
	char bindir[PATH_MAX], labsdir[PATH_MAX], err[256];
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
		snprintf(err, sizeof err, "unknown command '%s' (list, show, run, check, compare)", argv[first]);
		return hello_opt_usage_error(PROG, err);
	}
	if ((rc = parse_cmd(c, argc - first, argv + first, &a)) >= 0)
		return rc;
	find_dirs(bindir, sizeof bindir, labsdir, sizeof labsdir);
	if (getenv("HELLO_BIN") && *getenv("HELLO_BIN"))
		snprintf(bindir, sizeof bindir, "%s", getenv("HELLO_BIN"));
	return c->run(labsdir, bindir, &a);
}
