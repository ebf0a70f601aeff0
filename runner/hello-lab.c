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

#include "runner/lab_compare.h"
#include "runner/lab_result.h"
#include "runner/lab_run.h"

#ifndef HELLO_VERSION
#define HELLO_VERSION "0.0.0"
#endif

#define MAX_LABS 128

static volatile sig_atomic_t stop_sig;

static void on_signal(int sig)
{
	stop_sig = sig;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: hello-lab list\n"
		"       hello-lab show NAME [--answers]\n"
		"       hello-lab run NAME [--out DIR] [--keep] [--port N] [--loss PERCENT] [--quiet] [--no-render]\n"
		"       hello-lab run --all [-j N] [--out DIR] [--port N]\n"
		"       hello-lab check RUN-DIR\n"
		"       hello-lab compare TCP-RUN-DIR UDP-RUN-DIR [-o compare.html]\n"
		"Runs network lab exercises, each in private network namespaces, traces them and\n"
		"checks the expected observations. A run writes out/NAME/ (or --out): trace.json,\n"
		"trace.pcap, one log per program, result.json and diagrams. run needs root.\n"
		"Labs are read from $HELLO_LABS, else the labs/ folder next to bin/.\n"
		"exit codes: 0 every expectation held, 1 one did not or the run failed, 2 usage\n"
		"error, 130/143 interrupted by SIGINT/SIGTERM (everything was torn down).\n");
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

static int cmd_list(const char *labsdir)
{
	static char names[MAX_LABS][64];
	int n = lab_names(labsdir, names, MAX_LABS), i, bad = 0;
	char err[512];

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

static int cmd_show(const char *labsdir, int argc, char **argv)
{
	char path[PATH_MAX + 80], buf[4096];
	int answers = argc > 2 && strcmp(argv[2], "--answers") == 0;
	FILE *f;
	size_t n;

	if (argc < 2 || strchr(argv[1], '/') || argv[1][0] == '.') {
		usage(stderr);
		return 2;
	}
	snprintf(path, sizeof path, "%s/%s/%s", labsdir, argv[1], answers ? "answers.md" : "README.md");
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

struct run_args {
	const char *name, *out;
	int all, jobs, port, keep, quiet, render;
	long loss;
};

static int parse_run(int argc, char **argv, struct run_args *a)
{
	int i;

	memset(a, 0, sizeof *a);
	a->jobs = 1;
	a->render = 1;
	for (i = 1; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(argv[i], "--all") == 0)
			a->all = 1;
		else if (strcmp(argv[i], "--keep") == 0)
			a->keep = 1;
		else if (strcmp(argv[i], "--quiet") == 0)
			a->quiet = 1;
		else if (strcmp(argv[i], "--no-render") == 0)
			a->render = 0;
		else if (strcmp(argv[i], "--out") == 0 && v)
			a->out = v, i++;
		else if (strcmp(argv[i], "--port") == 0 && v && atoi(v) > 0 && atoi(v) < 65500)
			a->port = atoi(v), i++;
		else if (strcmp(argv[i], "-j") == 0 && v && atoi(v) > 0 && atoi(v) <= 16)
			a->jobs = atoi(v), i++;
		else if (strcmp(argv[i], "--loss") == 0 && v && atoi(v) > 0 && atoi(v) <= 100)
			a->loss = atoi(v), i++;
		else if (argv[i][0] != '-' && !a->name)
			a->name = argv[i];
		else {
			fprintf(stderr, "hello-lab: run: bad argument '%s'\n", argv[i]);
			return -1;
		}
	}
	if (a->all == !!a->name) {
		fprintf(stderr, "hello-lab: run: give one lab NAME or --all\n");
		return -1;
	}
	return 0;
}

static int run_one(const char *labsdir, const char *bindir, const char *name, const char *out,
		   const struct run_args *a, int port)
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
static int run_parallel(const char *base, const struct run_args *a, char names[][64], int n,
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

static int cmd_run(const char *labsdir, const char *bindir, int argc, char **argv)
{
	static char names[MAX_LABS][64];
	int rcs[MAX_LABS], n, i, bad = 0;
	struct run_args a;
	char out[PATH_MAX + 80];
	const char *base;

	if (parse_run(argc, argv, &a) < 0) {
		usage(stderr);
		return 2;
	}
	if (need_root(a.all ? "hello-lab run --all" : "hello-lab run NAME") < 0)
		return 1;
	if (!a.all) {
		snprintf(out, sizeof out, "out/%s", a.name);
		return run_one(labsdir, bindir, a.name, a.out ? a.out : out, &a, a.port);
	}
	base = a.out ? a.out : "out";
	n = lab_names(labsdir, names, MAX_LABS);
	if (n == 0) {
		fprintf(stderr, "hello-lab: no labs in %s\n", labsdir);
		return 1;
	}
	mkdir(base, 0755);
	for (i = 0; i < n; i++)
		rcs[i] = -1;
	if (a.jobs > 1) {
		a.quiet = 1;
		run_parallel(base, &a, names, n, rcs);
	} else {
		for (i = 0; i < n && !stop_sig; i++) {
			snprintf(out, sizeof out, "%s/%s", base, names[i]);
			rcs[i] = run_one(labsdir, bindir, names[i], out, &a, a.port);
			if (!a.quiet)
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

int main(int argc, char **argv)
{
	char bindir[PATH_MAX], labsdir[PATH_MAX], err[512];
	struct sigaction sa;
	int rc;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("hello-lab %s (hellolab)\n", HELLO_VERSION);
		return 0;
	}
	find_dirs(bindir, sizeof bindir, labsdir, sizeof labsdir);
	if (getenv("HELLO_BIN") && *getenv("HELLO_BIN"))
		snprintf(bindir, sizeof bindir, "%s", getenv("HELLO_BIN"));
	if (strcmp(argv[1], "list") == 0)
		return cmd_list(labsdir);
	if (strcmp(argv[1], "show") == 0)
		return cmd_show(labsdir, argc - 1, argv + 1);
	if (strcmp(argv[1], "run") == 0)
		return cmd_run(labsdir, bindir, argc - 1, argv + 1);
	if (strcmp(argv[1], "check") == 0 && argc == 3) {
		rc = lab_result_recheck(argv[2], stdout, err, sizeof err);
		if (rc < 0)
			fprintf(stderr, "hello-lab: %s\n", err);
		return rc < 0 ? 1 : rc;
	}
	if (strcmp(argv[1], "compare") == 0 && argc >= 4)
		return lab_compare_main(argc - 2, argv + 2, bindir);
	fprintf(stderr, "hello-lab: unknown command or missing argument: %s\n", argv[1]);
	usage(stderr);
	return 2;
}
