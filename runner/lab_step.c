/* runner/lab_step.c: the steps of a lab: programs in a namespace, readiness, waits, stops. */
#include "runner/lab_step.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* /proc/net/tcp's state codes (include/net/tcp_states.h), under the trace's names. */
static const struct { const char *name; int code; } lab_states[] = {
	{ "ESTABLISHED", 1 }, { "SYN_SENT", 2 }, { "SYN_RECEIVED", 3 }, { "FIN_WAIT_1", 4 },
	{ "FIN_WAIT_2", 5 }, { "TIME_WAIT", 6 }, { "CLOSED", 7 }, { "CLOSE_WAIT", 8 },
	{ "LAST_ACK", 9 }, { "LISTEN", 10 }, { "CLOSING", 11 },
};

int lab_step_state_code(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof lab_states / sizeof lab_states[0]; i++)
		if (strcmp(lab_states[i].name, name) == 0)
			return lab_states[i].code;
	return -1;
}

int lab_step_sock_find(const char *procnet, int port, int st)
{
	const char *line = procnet;
	int n = 0;

	while (line && *line) {
		unsigned lport, rport, state;
		/* "  0: 0100007F:270F 00000000:0000 0A ..." (IPv6 lines have longer addresses) */
		if (sscanf(line, " %*u: %*[0-9A-Fa-f]:%x %*[0-9A-Fa-f]:%x %x", &lport, &rport, &state) == 3 &&
		    (st < 0 || (int)state == st) &&
		    ((int)lport == port || (st != 10 && (int)rport == port)))
			n++;
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return n;
}

static void say(struct lab_runner *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct lab_runner *r, const char *fmt, ...)
{
	va_list ap;

	if (r->o->quiet)
		return;
	va_start(ap, fmt);
	vfprintf(r->o->log, fmt, ap);
	va_end(ap);
	fflush(r->o->log);
}

/* Counts the sockets of /proc/net/PROTO and PROTO6 as a process in that namespace sees them. */
static int procnet_count(struct lab_runner *r, enum lab_host h, pid_t pid, const char *proto,
			 int port, int st)
{
	char path[64], *text = NULL;
	int found = 0, code, v6;

	for (v6 = 0; v6 < 2; v6++) {
		if (pid > 0) {
			FILE *f;
			size_t n;
			snprintf(path, sizeof path, "/proc/%ld/net/%s%s", (long)pid, proto, v6 ? "6" : "");
			if (!(f = fopen(path, "r")))
				continue;
			text = calloc(1, 256 * 1024);
			n = text ? fread(text, 1, 256 * 1024 - 1, f) : 0;
			fclose(f);
			(void)n;
		} else {
			struct lab_where w = lab_net_where(&r->net, h);
			char e[128];
			char *argv[] = { "cat", path, NULL };
			snprintf(path, sizeof path, "/proc/net/%s%s", proto, v6 ? "6" : "");
			if (lab_proc_capture(&w, argv, 2000, "/dev/null", &text, &code, e, sizeof e) < 0)
				continue;
		}
		found += text ? lab_step_sock_find(text, port, st) : 0;
		free(text);
		text = NULL;
	}
	return found;
}

static int expand_port(struct lab_runner *r, const char *tmpl, int *port, char *err, size_t errlen)
{
	char buf[32];

	if (!tmpl[0]) {
		*port = r->vars.port;
		return 0;
	}
	if (lab_vars_expand(tmpl, &r->vars, buf, sizeof buf, err, errlen) < 0)
		return -1;
	*port = atoi(buf);
	return 0;
}

static void argv_free(char **argv)
{
	size_t i;

	for (i = 0; argv && argv[i]; i++)
		free(argv[i]);
	free(argv);
}

/* The programs that take --events FILE (docs/events.md): their socket calls go into the run. */
static int takes_events(char *const *tmpl)
{
	static const char *const progs[] = { "hello-tcp-server", "hello-tcp-client", "hello-udp-server",
					     "hello-udp-client", NULL };
	size_t i;

	for (i = 1; tmpl[i]; i++)
		if (strcmp(tmpl[i], "--events") == 0)
			return 0;       /* the lab chose its own file */
	for (i = 0; progs[i]; i++)
		if (strcmp(tmpl[0], progs[i]) == 0)
			return 1;
	return 0;
}

int lab_step_events_file(const struct lab_runner *r, size_t i, char *buf, size_t len)
{
	const struct lab_step *st = &r->d->steps[i];

	if (st->kind != LAB_STEP_RUN || !takes_events(st->argv))
		return 0;
	return snprintf(buf, len, "%s/events-%s.jsonl", r->out, st->name) < (int)len;
}

/*
 * Placeholders expanded; hello-* found next to hello-lab (or in --bin). The hello service
 * programs also get "--events RUN/events-STEP.jsonl", so the run keeps their socket calls.
 */
static char **argv_build(struct lab_runner *r, const struct lab_step *st, char *err, size_t errlen)
{
	char *const *tmpl = st->argv;
	size_t n = 0, i;
	char **argv, buf[PATH_MAX];
	int events = takes_events(tmpl);

	while (tmpl[n])
		n++;
	argv = calloc(n + 3, sizeof *argv);
	/* an argument may be long: {repeat:a:3000} is a message beyond the server's buffer */
	for (i = 0; argv && i < n; i++) {
		if (!(argv[i] = lab_vars_alloc(tmpl[i], &r->vars, err, errlen)))
			goto bad;
		if (i == 0 && strncmp(argv[0], "hello-", 6) == 0 && !strchr(argv[0], '/')) {
			char full[PATH_MAX * 2 + 2];
			snprintf(full, sizeof full, "%s/%s", r->o->bindir, argv[0]);
			if (access(full, X_OK) != 0) {
				snprintf(err, errlen, "%s: not built yet (run make)", full);
				goto bad;
			}
			free(argv[0]);
			if (!(argv[0] = strdup(full))) {
				snprintf(err, errlen, "out of memory");
				goto bad;
			}
		}
	}
	if (argv && events) {
		if (snprintf(buf, sizeof buf, "%s/events-%s.jsonl", r->out, st->name) >= (int)sizeof buf) {
			snprintf(err, errlen, "%s: path too long", r->out);
			goto bad;
		}
		if (!(argv[n] = strdup("--events")) || !(argv[n + 1] = strdup(buf)))
			goto bad;
	}
	if (!argv)
		snprintf(err, errlen, "out of memory");
	return argv;
bad:
	argv_free(argv);
	return NULL;
}

static void show_cmd(struct lab_runner *r, const struct lab_step *st, char *const *argv)
{
	size_t i;
	const char *prog = strrchr(argv[0], '/');

	say(r, "%s", prog ? prog + 1 : argv[0]);
	for (i = 1; argv[i]; i++) {
		/* an inline script stays on one short line */
		size_t n = strcspn(argv[i], "\n");
		say(r, " %.*s%s", (int)(n > 40 ? 40 : n), argv[i], n > 40 || argv[i][n] ? "..." : "");
	}
	if (r->d->topo == LAB_TOPO_TWO_HOSTS)
		say(r, "   (on %s)", lab_host_name(st->host));
}

static int wait_ready(struct lab_runner *r, size_t i, char *err, size_t errlen)
{
	const struct lab_step *st = &r->d->steps[i];
	struct lab_proc *p = &r->procs[i];
	long long end = lab_now_ms() + st->timeout_ms;
	int port, want = strcmp(st->ready_proto, "tcp") == 0 ? 10 : -1;

	if (expand_port(r, st->ready_port, &port, err, errlen) < 0)
		return -1;
	for (;;) {
		if (lab_proc_poll(p)) {
			snprintf(err, errlen, "%s ended (exit %d) before it was ready on %s port %d; see %s.log",
				 st->name, lab_proc_code(p), st->ready_proto, port, st->name);
			return -1;
		}
		if (procnet_count(r, st->host, p->pid, st->ready_proto, port, want)) {
			say(r, " ... ready (%s port %d)\n", st->ready_proto, port);
			return 0;
		}
		if (lab_now_ms() > end) {
			snprintf(err, errlen, "%s: not ready on %s port %d after %ld ms", st->name,
				 st->ready_proto, port, st->timeout_ms);
			return -1;
		}
		if (lab_sleep(10, r->o->stop) < 0)
			return -2;
	}
}

static int step_run(struct lab_runner *r, size_t i, char *err, size_t errlen)
{
	const struct lab_step *st = &r->d->steps[i];
	struct lab_proc *p = &r->procs[i];
	struct lab_where w = lab_net_where(&r->net, st->host);
	char log[PATH_MAX + 64];
	char **argv = argv_build(r, st, err, errlen);
	int rc;

	if (!argv)
		return -1;
	snprintf(log, sizeof log, "%s/%s.log", r->out, st->name);
	say(r, "%s: ", st->name);
	show_cmd(r, st, argv);
	rc = lab_proc_start(p, &w, argv, log, err, errlen);
	argv_free(argv);
	if (rc < 0)
		return -1;
	if (st->background) {
		if (st->ready_proto[0])
			return wait_ready(r, i, err, errlen);
		say(r, " ... started\n");
		return 0;
	}
	rc = lab_proc_wait(p, st->timeout_ms, r->o->stop);
	if (rc < 0)
		return -2;
	if (rc == 0) {
		lab_proc_stop(p, SIGTERM, 1000);
		say(r, " ... still running after %ld ms: stopped\n", st->timeout_ms);
		json_array_append_new(r->notes, json_sprintf("step %s timed out after %ld ms",
							     st->name, st->timeout_ms));
		return 0;
	}
	say(r, " ... exit %d (%lld ms)\n", lab_proc_code(p), p->end_ms - p->start_ms);
	return 0;
}

static size_t find_step(struct lab_runner *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->d->nsteps; i++)
		if (r->d->steps[i].kind == LAB_STEP_RUN && strcmp(r->d->steps[i].name, name) == 0)
			break;
	return i;
}

static int step_wait_socket(struct lab_runner *r, const struct lab_step *st, char *err, size_t errlen)
{
	int port, code = lab_step_state_code(st->state);
	long long t0 = lab_now_ms(), end = t0 + st->timeout_ms;

	if (expand_port(r, st->ready_port, &port, err, errlen) < 0)
		return -1;
	say(r, "wait for %ld %s socket%s in %s on port %d", st->count, st->state, st->count > 1 ? "s" : "",
	    st->ready_proto, port);
	if (code < 0) {
		snprintf(err, errlen, "wait_socket: unknown state %s", st->state);
		return -1;
	}
	while (procnet_count(r, st->host, 0, st->ready_proto, port, code) < st->count) {
		if (lab_now_ms() > end) {
			say(r, " ... not seen within %ld ms\n", st->timeout_ms);
			json_array_append_new(r->notes, json_sprintf("fewer than %ld %s socket(s) on port %d within %ld ms",
								     st->count, st->state, port, st->timeout_ms));
			return 0;
		}
		if (lab_sleep(20, r->o->stop) < 0)
			return -2;
	}
	say(r, " ... seen after %lld ms\n", lab_now_ms() - t0);
	return 0;
}

int lab_step_exec(struct lab_runner *r, size_t i, char *err, size_t errlen)
{
	const struct lab_step *st = &r->d->steps[i];
	size_t t;
	int rc;

	if (r->o->stop && *r->o->stop)
		return -2;
	say(r, "  [%zu/%zu] ", i + 1, r->d->nsteps);
	if (st->say[0])
		say(r, "%s\n        ", st->say);
	switch (st->kind) {
	case LAB_STEP_RUN:
		return step_run(r, i, err, errlen);
	case LAB_STEP_SLEEP:
		say(r, "sleep %ld ms\n", st->sleep_ms);
		return lab_sleep(st->sleep_ms, r->o->stop) < 0 ? -2 : 0;
	case LAB_STEP_WAIT_SOCKET:
		return step_wait_socket(r, st, err, errlen);
	default:
		break;
	}
	t = find_step(r, st->name);
	if (t >= r->d->nsteps || t >= i || !r->procs[t].pid) {
		snprintf(err, errlen, "step %s: %s was not started", st->kind == LAB_STEP_STOP ? "stop" : "wait_exit",
			 st->name);
		return -1;
	}
	if (st->kind == LAB_STEP_STOP) {
		say(r, "stop %s (SIG%s)", st->name, st->signal == SIGINT ? "INT" : st->signal == SIGKILL ? "KILL" : "TERM");
		lab_proc_stop(&r->procs[t], st->signal, 2000);
	} else {
		say(r, "wait for %s to end", st->name);
		rc = lab_proc_wait(&r->procs[t], st->timeout_ms, r->o->stop);
		if (rc < 0)
			return -2;
		if (rc == 0) {
			say(r, " ... still running after %ld ms: stopping it", st->timeout_ms);
			json_array_append_new(r->notes, json_sprintf("%s did not end within %ld ms",
								     st->name, st->timeout_ms));
			lab_proc_stop(&r->procs[t], SIGTERM, 1000);
		}
	}
	say(r, " ... exit %d\n", lab_proc_code(&r->procs[t]));
	return 0;
}

json_t *lab_step_lines(const char *path)
{
	FILE *f = fopen(path, "r");
	json_t *a = json_array(), *s;
	char *line = NULL;
	size_t cap = 0, n = 0;
	ssize_t l;

	if (!f)
		return a;
	/* whole lines, however long: a check on a whole reply reads the program's output */
	while (n < LAB_STEP_LINES_MAX && (l = getline(&line, &cap, f)) >= 0) {
		if (l && line[l - 1] == '\n')
			line[--l] = '\0';
		if (l > LAB_STEP_LINE_MAX)
			l = LAB_STEP_LINE_MAX;
		/* logs escape non-printable bytes, but a program may not: keep the JSON valid */
		s = json_stringn(line, (size_t)l);
		json_array_append_new(a, s ? s : json_string("(bytes that are not UTF-8)"));
		n++;
	}
	free(line);
	fclose(f);
	return a;
}

/* The steps as a list with their names, for filters over steps
 * (max(step_list[name~'^iter-'].ms)); built from the object so `check DIR` agrees. */
json_t *lab_step_list(json_t *steps)
{
	json_t *a = json_array(), *v;
	const char *k;

	json_object_foreach(steps, k, v) {
		json_t *c = json_deep_copy(v);
		json_object_set_new(c, "name", json_string(k));
		json_object_del(c, "lines");
		json_array_append_new(a, c);
	}
	return a;
}

void lab_step_finish(struct lab_runner *r)
{
	size_t i;
	char log[PATH_MAX + 64];

	for (i = 0; i < r->d->nsteps; i++) {
		const struct lab_step *st = &r->d->steps[i];
		struct lab_proc *p = &r->procs[i];
		json_t *o;
		if (st->kind != LAB_STEP_RUN || !p->pid)
			continue;
		if (!lab_proc_poll(p))
			lab_proc_stop(p, SIGTERM, 2000);
		snprintf(log, sizeof log, "%s/%s.log", r->out, st->name);
		o = json_pack("{s:i, s:I, s:b, s:s, s:o}", "exit", lab_proc_code(p),
			      "ms", (json_int_t)(p->end_ms - p->start_ms), "background", st->background,
			      "ns", lab_host_name(st->host), "lines", lab_step_lines(log));
		json_object_set_new(r->steps, st->name, o);
	}

}
