/* runner/lab_def.c: reads a lab definition and refuses, with a precise message, what is wrong. */
#include "runner/lab_def.h"

#include <ctype.h>
#include <stddef.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner/lab_check_paths.h"

/* Every message starts with where the problem is: "labs/x/lab.json: steps[2]: ...". */
struct dctx {
	const char *file;
	char where[64];
	char *err;
	size_t errlen;
};

static int d_fail(struct dctx *c, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	snprintf(c->err, c->errlen, "%s: %s%s%s", c->file, c->where, c->where[0] ? ": " : "", msg);
	return -1;
}

static int d_keys(struct dctx *c, json_t *o, const char *const *known)
{
	const char *k;
	json_t *v;
	size_t i;

	if (!json_is_object(o))
		return d_fail(c, "must be an object");
	json_object_foreach(o, k, v) {
		for (i = 0; known[i] && strcmp(known[i], k) != 0; i++)
			;
		if (!known[i]) {
			char list[200] = "";
			for (i = 0; known[i]; i++)
				snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
					 i ? ", " : "", known[i]);
			return d_fail(c, "unknown key '%s' (known: %s)", k, list);
		}
	}
	return 0;
}

static int d_str(struct dctx *c, json_t *o, const char *key, int required, char *dst,
		 size_t len)
{
	json_t *v = json_object_get(o, key);

	if (!v)
		return required ? d_fail(c, "'%s' is missing", key) : 0;
	if (!json_is_string(v))
		return d_fail(c, "'%s' must be a string", key);
	if (json_string_length(v) >= len)
		return d_fail(c, "'%s' is longer than %zu characters", key, len - 1);
	memcpy(dst, json_string_value(v), json_string_length(v) + 1);
	return 0;
}

static int d_int(struct dctx *c, json_t *o, const char *key, long *dst, long lo, long hi)
{
	json_t *v = json_object_get(o, key);

	if (!v)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
		return d_fail(c, "'%s' must be a whole number from %ld to %ld", key, lo, hi);
	*dst = (long)json_integer_value(v);
	return 0;
}

static int d_bool(struct dctx *c, json_t *o, const char *key, int *dst)
{
	json_t *v = json_object_get(o, key);

	if (!v)
		return 0;
	if (!json_is_boolean(v))
		return d_fail(c, "'%s' must be true or false", key);
	*dst = json_is_true(v);
	return 0;
}

static int d_oneof(struct dctx *c, const char *key, const char *val, const char *const *ok)
{
	char list[160] = "";
	size_t i;

	for (i = 0; ok[i]; i++)
		if (strcmp(ok[i], val) == 0)
			return (int)i;
	for (i = 0; ok[i]; i++)
		snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "", ok[i]);
	return d_fail(c, "'%s' is \"%s\", must be one of %s", key, val, list);
}

static int name_ok(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-')
			return 0;
	return 1;
}

const char *lab_host_name(enum lab_host h)
{
	return h == LAB_HOST_CLIENT ? "client" : h == LAB_HOST_SERVER ? "server" : "lab";
}

static int d_host(struct dctx *c, json_t *o, const char *key, enum lab_host *h, int required)
{
	static const char *const hosts[] = { "lab", "client", "server", NULL };
	char buf[16] = "";
	int i;

	if (d_str(c, o, key, required, buf, sizeof buf) < 0)
		return -1;
	if (!buf[0])
		return 0;
	if ((i = d_oneof(c, key, buf, hosts)) < 0)
		return -1;
	*h = (enum lab_host)i;
	return 0;
}

/* A placeholder check with dummy values: catches {prot} and friends at load time. */
static int d_template(struct dctx *c, const char *s)
{
	struct lab_vars v = { 1, "s", "c", "d", "o", 0 };
	char e[200], *buf = lab_vars_alloc(s, &v, e, sizeof e);

	if (!buf)
		return d_fail(c, "%s", e);
	free(buf);
	return 0;
}

static int step_run(struct dctx *c, struct lab_def *d, struct lab_step *st, json_t *o)
{
	json_t *argv = json_object_get(o, "run"), *ready = json_object_get(o, "ready"), *a;
	static const char *const rk[] = { "listen", "port", NULL };
	static const char *const protos[] = { "tcp", "udp", NULL };
	size_t i, j;

	st->kind = LAB_STEP_RUN;
	if (d_str(c, o, "name", 1, st->name, sizeof st->name) < 0)
		return -1;
	if (!name_ok(st->name))
		return d_fail(c, "name \"%s\": use letters, digits, '-' and '_'", st->name);
	for (i = 0; i < d->nsteps; i++)
		if (d->steps[i].kind == LAB_STEP_RUN && strcmp(d->steps[i].name, st->name) == 0)
			return d_fail(c, "a step named \"%s\" already exists", st->name);
	if (!json_is_array(argv) || json_array_size(argv) == 0 || json_array_size(argv) > 64)
		return d_fail(c, "'run' must be a list of 1 to 64 strings: the program and its arguments");
	st->argv = calloc(json_array_size(argv) + 1, sizeof *st->argv);
	if (!st->argv)
		return d_fail(c, "out of memory");
	json_array_foreach(argv, j, a) {
		if (!json_is_string(a))
			return d_fail(c, "run[%zu] must be a string", j);
		if (d_template(c, json_string_value(a)) < 0)
			return -1;
		if (!(st->argv[j] = strdup(json_string_value(a))))
			return d_fail(c, "out of memory");
	}
	if (d_bool(c, o, "background", &st->background) < 0)
		return -1;
	if (ready) {
		snprintf(c->where + strlen(c->where), sizeof c->where - strlen(c->where), ".ready");
		if (d_keys(c, ready, rk) < 0 ||
		    d_str(c, ready, "listen", 1, st->ready_proto, sizeof st->ready_proto) < 0 ||
		    d_oneof(c, "listen", st->ready_proto, protos) < 0 ||
		    d_str(c, ready, "port", 0, st->ready_port, sizeof st->ready_port) < 0 ||
		    d_template(c, st->ready_port) < 0)
			return -1;
		*strrchr(c->where, '.') = '\0';
	}
	return 0;
}

static int step_other(struct dctx *c, struct lab_def *d, struct lab_step *st, json_t *o)
{
	static const char *const sigs[] = { "TERM", "INT", "KILL", NULL };
	static const int signo[] = { SIGTERM, SIGINT, SIGKILL };
	static const char *const protos[] = { "tcp", "udp", NULL };
	char sig[8] = "TERM", proto[4] = "tcp";
	size_t i;
	int k;

	if (json_object_get(o, "sleep_ms")) {
		st->kind = LAB_STEP_SLEEP;
		return d_int(c, o, "sleep_ms", &st->sleep_ms, 0, 10000);
	}
	if (json_object_get(o, "wait_socket")) {
		st->kind = LAB_STEP_WAIT_SOCKET;
		if (d_str(c, o, "wait_socket", 1, st->state, sizeof st->state) < 0 ||
		    d_str(c, o, "proto", 0, proto, sizeof proto) < 0 ||
		    d_oneof(c, "proto", proto, protos) < 0 ||
		    d_str(c, o, "port", 0, st->ready_port, sizeof st->ready_port) < 0 ||
		    d_template(c, st->ready_port) < 0 || d_int(c, o, "count", &st->count, 1, 64) < 0)
			return -1;
		memcpy(st->ready_proto, proto, sizeof proto);
		return 0;
	}
	st->kind = json_object_get(o, "stop") ? LAB_STEP_STOP : LAB_STEP_WAIT_EXIT;
	if (d_str(c, o, st->kind == LAB_STEP_STOP ? "stop" : "wait_exit", 1, st->name,
		  sizeof st->name) < 0 || d_str(c, o, "signal", 0, sig, sizeof sig) < 0 ||
	    (k = d_oneof(c, "signal", sig, sigs)) < 0)
		return -1;
	st->signal = signo[k];
	for (i = 0; i < d->nsteps; i++)
		if (d->steps[i].kind == LAB_STEP_RUN && d->steps[i].background &&
		    strcmp(d->steps[i].name, st->name) == 0)
			return 0;
	return d_fail(c, "no earlier background step named \"%s\"", st->name);
}

static int d_step(struct dctx *c, struct lab_def *d, json_t *o)
{
	static const char *const known[] = { "name", "run", "ns", "background", "ready",
		"timeout_ms", "say", "sleep_ms", "wait_exit", "stop", "signal", "wait_socket",
		"proto", "port", "count", NULL };
	static const char *const kinds[] = { "run", "sleep_ms", "wait_exit", "stop",
		"wait_socket", NULL };
	struct lab_step *st = &d->steps[d->nsteps];
	int i, n = 0;

	if (d_keys(c, o, known) < 0)
		return -1;
	for (i = 0; kinds[i]; i++)
		n += json_object_get(o, kinds[i]) != NULL;
	if (n != 1)
		return d_fail(c, "a step has exactly one of run, sleep_ms, wait_exit, stop, wait_socket");
	st->timeout_ms = 10000;
	st->count = 1;
	st->host = d->topo == LAB_TOPO_TWO_HOSTS ? LAB_HOST_CLIENT : LAB_HOST_LAB;
	if (d_int(c, o, "timeout_ms", &st->timeout_ms, 1, 60000) < 0 ||
	    d_str(c, o, "say", 0, st->say, sizeof st->say) < 0 ||
	    d_host(c, o, "ns", &st->host, 0) < 0)
		return -1;
	if (d->topo == LAB_TOPO_LOOPBACK)
		st->host = LAB_HOST_LAB;	/* one namespace: client and server share it */
	else if (st->host == LAB_HOST_LAB)
		return d_fail(c, "'ns' must be client or server in the two-hosts topology");
	if (json_object_get(o, "run"))
		return step_run(c, d, st, o);
	return step_other(c, d, st, o);
}

static int d_impair(struct dctx *c, struct lab_def *d, struct lab_impair *im, json_t *o)
{
	static const char *const known[] = { "name", "proto", "from", "port", "nth", "flags",
		"hold", "percent", "delay_ms", NULL };
	static const char *const protos[] = { "tcp", "udp", NULL };
	static const char *const flags[] = { "fin", "syn", "rst", "psh", NULL };
	int n = !!json_object_get(o, "nth") + !!json_object_get(o, "flags") +
		!!json_object_get(o, "percent") + !!json_object_get(o, "delay_ms");
	size_t i;

	if (d_keys(c, o, known) < 0 || d_str(c, o, "name", 1, im->name, sizeof im->name) < 0)
		return -1;
	if (!name_ok(im->name))
		return d_fail(c, "name \"%s\": use letters, digits, '-' and '_'", im->name);
	for (i = 0; i < d->nimpair; i++)
		if (strcmp(d->impair[i].name, im->name) == 0)
			return d_fail(c, "a rule named \"%s\" already exists", im->name);
	if (n != 1)
		return d_fail(c, "a rule has exactly one of nth, flags, percent, delay_ms");
	strcpy(im->port, "{port}");
	if (d_int(c, o, "delay_ms", &im->delay_ms, 1, 5000) < 0)
		return -1;
	if (json_object_get(o, "delay_ms")) {
		im->kind = LAB_IMP_DELAY;
		return 0;
	}
	im->from = LAB_HOST_LAB;
	if (d_str(c, o, "proto", 1, im->proto, sizeof im->proto) < 0 ||
	    d_oneof(c, "proto", im->proto, protos) < 0 || d_host(c, o, "from", &im->from, 1) < 0 ||
	    d_str(c, o, "port", 0, im->port, sizeof im->port) < 0 || d_template(c, im->port) < 0 ||
	    d_int(c, o, "nth", &im->nth, 1, 1000000) < 0 ||
	    d_int(c, o, "percent", &im->percent, 1, 100) < 0 ||
	    d_str(c, o, "flags", 0, im->flags, sizeof im->flags) < 0)
		return -1;
	if (im->from == LAB_HOST_LAB)
		return d_fail(c, "'from' must be client or server");
	if (im->flags[0] && d_oneof(c, "flags", im->flags, flags) < 0)
		return -1;
	if (im->flags[0] && strcmp(im->proto, "tcp") != 0)
		return d_fail(c, "'flags' needs proto tcp");
	if (d_bool(c, o, "hold", &im->hold) < 0)
		return -1;
	if (im->hold && !im->flags[0])
		return d_fail(c, "'hold' goes with 'flags'");
	/* Holding needs to see both sides' packets in one conntrack table. */
	if (im->hold && d->topo != LAB_TOPO_LOOPBACK)
		return d_fail(c, "'hold' needs the loopback topology");
	if (d->nimpair >= LAB_IMPAIR_MAX)
		return d_fail(c, "at most %d rules", LAB_IMPAIR_MAX);
	im->kind = im->nth ? LAB_IMP_NTH : im->flags[0] ? LAB_IMP_FLAGS : LAB_IMP_PERCENT;
	return 0;
}

static int d_expect(struct dctx *c, struct lab_expect *e, json_t *o)
{
	static const char *const known[] = { "check", "why", NULL };
	json_t *chk = json_is_string(o) ? o : json_object_get(o, "check");
	json_t *why = json_is_object(o) ? json_object_get(o, "why") : NULL;
	char perr[200];

	if (!json_is_string(o) && !json_is_object(o))
		return d_fail(c, "must be a check (a string) or {\"check\": ..., \"why\": ...}");
	if (!json_is_string(o) && d_keys(c, o, known) < 0)
		return -1;
	if (!json_is_string(chk))
		return d_fail(c, "'check' is missing (a check is a string or {\"check\", \"why\"})");
	if (why && !json_is_string(why))
		return d_fail(c, "'why' must be a string");
	e->check = strdup(json_string_value(chk));
	e->why = strdup(why ? json_string_value(why) : "");
	if (!e->check || !e->why)
		return d_fail(c, "out of memory");
	/* {port} and friends: the values come with the run; sample ones find errors now. */
	e->templated = strchr(e->check, '{') != NULL;
	if (e->templated) {
		struct lab_vars v = { 9999, "127.0.0.1", "127.0.0.1", ".", ".", 0 };
		char *buf = lab_vars_alloc(e->check, &v, perr, sizeof perr);
		if (!buf)
			return d_fail(c, "check \"%s\": %s", e->check, perr);
		e->parsed = lab_check_parse(buf, perr, sizeof perr);
		free(buf);
	} else {
		e->parsed = lab_check_parse(e->check, perr, sizeof perr);
	}
	if (!e->parsed)
		return d_fail(c, "check \"%s\": %s", e->check, perr);
	return 0;
}

static int d_top(struct dctx *c, struct lab_def *d, json_t *j)
{
	static const char *const known[] = { "name", "goal", "protocol", "topology", "port",
		"trace", "settle_ms", "impair", "steps", "expect", "notes", NULL };
	static const char *const topos[] = { "loopback", "two-hosts", NULL };
	static const char *const protocols[] = { "tcp", "udp", NULL };
	static const char *const tk[] = { "filter", NULL };
	json_t *tr = json_object_get(j, "trace");
	char topo[16] = "loopback", name[64] = "";
	long port = 9999;
	int t;

	if (d_keys(c, j, known) < 0 || d_str(c, j, "name", 0, name, sizeof name) < 0 ||
	    d_str(c, j, "goal", 1, d->goal, sizeof d->goal) < 0 ||
	    d_str(c, j, "protocol", 1, d->protocol, sizeof d->protocol) < 0 ||
	    d_oneof(c, "protocol", d->protocol, protocols) < 0 ||
	    d_str(c, j, "topology", 0, topo, sizeof topo) < 0 ||
	    (t = d_oneof(c, "topology", topo, topos)) < 0 ||
	    d_int(c, j, "port", &port, 1, 65535) < 0 ||
	    d_int(c, j, "settle_ms", &d->settle_ms, 0, 5000) < 0)
		return -1;
	if (name[0] && strcmp(name, d->name) != 0)
		return d_fail(c, "'name' is \"%s\" but the folder is \"%s\"", name, d->name);
	d->topo = (enum lab_topo)t;
	d->port = (int)port;
	if (tr) {
		snprintf(c->where, sizeof c->where, "trace");
		if (d_keys(c, tr, tk) < 0 || d_str(c, tr, "filter", 0, d->filter, sizeof d->filter) < 0 ||
		    d_template(c, d->filter) < 0)
			return -1;
		c->where[0] = '\0';
	}
	return 0;
}

/* Walks one list of the definition, calling fn on each element with "key[i]" as where. */
static int d_list(struct dctx *c, struct lab_def *d, json_t *j, const char *key, int required,
		  int (*fn)(struct dctx *, struct lab_def *, size_t, json_t *))
{
	json_t *a = json_object_get(j, key), *o;
	size_t i;

	c->where[0] = '\0';
	if (!a)
		return required ? d_fail(c, "'%s' is missing", key) : 0;
	if (!json_is_array(a) || (required && json_array_size(a) == 0) || json_array_size(a) > 200)
		return d_fail(c, "'%s' must be a list of 1 to 200 entries", key);
	json_array_foreach(a, i, o) {
		snprintf(c->where, sizeof c->where, "%s[%zu]", key, i);
		if (fn(c, d, i, o) < 0)
			return -1;
	}
	c->where[0] = '\0';
	return 0;
}

static int each_step(struct dctx *c, struct lab_def *d, size_t i, json_t *o)
{
	(void)i;
	if (d_step(c, d, o) < 0)
		return -1;
	d->nsteps++;
	return 0;
}

static int each_impair(struct dctx *c, struct lab_def *d, size_t i, json_t *o)
{
	if (d_impair(c, d, &d->impair[i], o) < 0)
		return -1;
	d->nimpair++;
	return 0;
}

static int each_expect(struct dctx *c, struct lab_def *d, size_t i, json_t *o)
{
	d->nexpect++;		/* counted first: the strings are freed even on error */
	return d_expect(c, &d->expect[i], o);
}

/* Every check's paths against what the run's context can hold (the trace schema, this
 * lab's run steps): a misspelt field would otherwise make a check that can never fail,
 * or never hold. */
static int d_paths(struct dctx *c, const struct lab_def *d)
{
	const char **names = calloc(d->nsteps + 1, sizeof *names);
	char perr[256];
	size_t i, n = 0;
	json_t *schema;
	int rc = 0;

	if (!names)
		return d_fail(c, "out of memory");
	for (i = 0; i < d->nsteps; i++)
		if (d->steps[i].kind == LAB_STEP_RUN)
			names[n++] = d->steps[i].name;
	schema = lab_check_context_schema(names, n, perr, sizeof perr);
	free(names);
	if (!schema)
		return d_fail(c, "%s", perr);
	for (i = 0; i < d->nexpect && rc == 0; i++) {
		snprintf(c->where, sizeof c->where, "expect[%zu]", i);
		if (lab_check_paths(d->expect[i].parsed, schema, perr, sizeof perr) < 0)
			rc = d_fail(c, "check \"%s\": %s", d->expect[i].check, perr);
	}
	c->where[0] = '\0';
	json_decref(schema);
	return rc;
}

static size_t list_size(json_t *j, const char *key)
{
	json_t *a = json_object_get(j, key);

	return json_is_array(a) ? json_array_size(a) + 1 : 1;
}

struct lab_def *lab_def_from_json(json_t *j, const char *name, const char *where,
				  char *err, size_t errlen)
{
	struct dctx c = { .file = where, .err = err, .errlen = errlen };
	struct lab_def *d = calloc(1, sizeof *d);

	if (!d) {
		snprintf(err, errlen, "%s: out of memory", where);
		return NULL;
	}
	snprintf(d->name, sizeof d->name, "%s", name);
	d->settle_ms = 300;
	d->steps = calloc(list_size(j, "steps"), sizeof *d->steps);
	d->impair = calloc(list_size(j, "impair"), sizeof *d->impair);
	d->expect = calloc(list_size(j, "expect"), sizeof *d->expect);
	if (!d->steps || !d->impair || !d->expect) {
		d_fail(&c, "out of memory");
		goto bad;
	}
	if (d_top(&c, d, j) < 0 || d_list(&c, d, j, "impair", 0, each_impair) < 0 ||
	    d_list(&c, d, j, "steps", 1, each_step) < 0 ||
	    d_list(&c, d, j, "expect", 1, each_expect) < 0 || d_paths(&c, d) < 0)
		goto bad;
	if (!d->filter[0])
		snprintf(d->filter, sizeof d->filter, "%s port {port}",
			 strcmp(d->protocol, "udp") == 0 ? "udp" : "tcp");
	d->json = json_incref(j);
	return d;
bad:
	lab_def_free(d);
	return NULL;
}

struct lab_def *lab_def_load(const char *dir, char *err, size_t errlen)
{
	char path[PATH_MAX + 16];
	const char *base = strrchr(dir, '/');
	struct lab_def *d;
	json_error_t je;
	json_t *j;
	size_t n = strlen(dir);

	while (n > 1 && dir[n - 1] == '/')
		n--;
	snprintf(path, sizeof path, "%.*s/lab.json", (int)n, dir);
	j = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (!j) {
		snprintf(err, errlen, "%s: line %d: %s", path, je.line, je.text);
		return NULL;
	}
	for (base = dir + n; base > dir && base[-1] != '/'; base--)
		;
	{
		char name[64];
		snprintf(name, sizeof name, "%.*s", (int)(dir + n - base), base);
		d = lab_def_from_json(j, name, path, err, errlen);
	}
	json_decref(j);
	if (d)
		snprintf(d->dir, sizeof d->dir, "%.*s", (int)n, dir);
	return d;
}

void lab_def_free(struct lab_def *d)
{
	size_t i, k;

	if (!d)
		return;
	/* <= nsteps: a step that failed half-way was not counted but may own an argv */
	for (i = 0; d->steps && i <= d->nsteps; i++) {
		if (!d->steps[i].argv)
			continue;
		for (k = 0; d->steps[i].argv[k]; k++)
			free(d->steps[i].argv[k]);
		free(d->steps[i].argv);
	}
	for (i = 0; i < d->nexpect; i++) {
		free(d->expect[i].check);
		free(d->expect[i].why);
		lab_check_free(d->expect[i].parsed);
	}
	free(d->steps);
	free(d->impair);
	free(d->expect);
	json_decref(d->json);
	free(d);
}
