/* runner/lab_check_eval.c: evaluates a parsed check against a JSON context, noting what it saw. */
#include "runner/lab_check_eval.h"

#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner/lab_check_ast.h"

/* An evaluation: the value (a new reference) or NULL with why it is missing. */
struct ev {
	const char *src;
	char *obs;
	size_t obslen;
	char why[200];
	const struct node *all_node[4];	/* all(...) calls and what they found, for obs */
	char all_note[4][240];
	size_t nall;
};

static void ev_why(struct ev *e, const char *src, size_t start, size_t end, const char *what)
{
	while (end > start && src[end - 1] == ' ')
		end--;
	if (end - start > 100)	/* a generated text filled in: named by its start */
		snprintf(e->why, sizeof e->why, "%.60s... %s", src + start, what);
	else
		snprintf(e->why, sizeof e->why, "%.*s %s", (int)(end - start), src + start, what);
}

/* Compact JSON text of v, cut to a readable length. */
static void val_text(json_t *v, char *buf, size_t len)
{
	char *s = v ? json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;

	if (!s) {
		snprintf(buf, len, "(none)");
		return;
	}
	if (strlen(s) > 160)
		snprintf(buf, len, "%.150s...", s);
	else
		snprintf(buf, len, "%s", s);
	free(s);
}

static void obs_add(struct ev *e, const struct node *n, json_t *v)
{
	char val[240];
	size_t used = strlen(e->obs), end = n->end;

	if (n->kind == NK_LIT || used + 4 >= e->obslen)
		return;
	while (end > n->start && e->src[end - 1] == ' ')
		end--;
	if (v)
		val_text(v, val, sizeof val);
	else
		snprintf(val, sizeof val, "missing (%s)", e->why);
	/* a long operand ({repeat:a:3000} filled in) is named by its start */
	if (end - n->start > 100)
		snprintf(e->obs + used, e->obslen - used, "%s%.*s... = %s", used ? "; " : "", 60,
			 e->src + n->start, val);
	else
		snprintf(e->obs + used, e->obslen - used, "%s%.*s = %s", used ? "; " : "",
			 (int)(end - n->start), e->src + n->start, val);
	for (size_t i = 0; i < e->nall; i++)
		if (e->all_node[i] == n) {
			used = strlen(e->obs);
			snprintf(e->obs + used, e->obslen - used, " (%s)", e->all_note[i]);
		}
}

static int truthy(json_t *v)
{
	if (!v || json_is_false(v) || json_is_null(v))
		return 0;
	if (json_is_number(v))
		return json_number_value(v) != 0;
	if (json_is_string(v))
		return json_string_length(v) > 0;
	if (json_is_array(v))
		return json_array_size(v) > 0;
	return 1;
}

static int regex_match(const char *text, const char *pat)
{
	regex_t re;
	int rc;

	if (regcomp(&re, pat, REG_EXTENDED | REG_NOSUB) != 0)
		return -1;
	rc = regexec(&re, text, 0, NULL, 0) == 0;
	regfree(&re);
	return rc;
}

/* 1 true, 0 false, -1 the operands cannot be compared that way. */
static int compare(json_t *a, json_t *b, int op)
{
	double d;

	if (op == T_MATCH || op == T_NMATCH) {
		int m;
		if (!json_is_string(a) || !json_is_string(b))
			return -1;
		m = regex_match(json_string_value(a), json_string_value(b));
		return m < 0 ? -1 : op == T_MATCH ? m : !m;
	}
	if (json_is_number(a) && json_is_number(b)) {
		if (json_is_integer(a) && json_is_integer(b))
			d = (double)(json_integer_value(a) > json_integer_value(b)) -
			    (double)(json_integer_value(a) < json_integer_value(b));
		else
			d = json_number_value(a) - json_number_value(b);
	} else if (json_is_string(a) && json_is_string(b)) {
		d = strcmp(json_string_value(a), json_string_value(b));
	} else if (op == T_EQ || op == T_NE) {
		return json_equal(a, b) == (op == T_EQ);
	} else {
		return -1;
	}
	switch (op) {
	case T_EQ: return d == 0;
	case T_NE: return d != 0;
	case T_LT: return d < 0;
	case T_LE: return d <= 0;
	case T_GT: return d > 0;
	default: return d >= 0;
	}
}

static json_t *path_walk(struct ev *e, const struct pathx *px, json_t *cur, int quiet);

static int cond_holds(struct ev *e, const struct cond *c, json_t *elem)
{
	json_t *v = c->key->n ? path_walk(e, c->key, elem, 1) : json_incref(elem);
	int rc;

	if (c->op == T_END)
		rc = truthy(v);
	else
		rc = v ? compare(v, c->lit, c->op) == 1 : 0;
	json_decref(v);
	return rc;
}

static json_t *seg_key(struct ev *e, const struct pathx *px, size_t i, json_t *cur, int quiet)
{
	const struct seg *sg = &px->segs[i];
	size_t j, end = i ? px->segs[i - 1].end : px->start;
	json_t *out, *x;
	char what[160];

	if (json_is_object(cur)) {
		x = json_object_get(cur, sg->key);
		if (x)
			return json_incref(x);
		snprintf(what, sizeof what, "has no '%s'", sg->key);
	} else if (json_is_array(cur)) {
		/* a name after a list maps over its elements: flows[proto=tcp].retransmissions */
		out = json_array();
		json_array_foreach(cur, j, x)
			if (json_is_object(x) && json_object_get(x, sg->key))
				json_array_append(out, json_object_get(x, sg->key));
		return out;
	} else {
		snprintf(what, sizeof what, "is not an object, has no '%s'", sg->key);
	}
	if (!quiet && i == 0)
		snprintf(e->why, sizeof e->why, "nothing named '%s' at the top level", sg->key);
	else if (!quiet)
		ev_why(e, e->src, px->start, end, what);
	return NULL;
}

static json_t *seg_other(struct ev *e, const struct pathx *px, size_t i, json_t *cur, int quiet)
{
	const struct seg *sg = &px->segs[i];
	size_t j, end = i ? px->segs[i - 1].end : px->start;
	long idx = sg->idx, n;
	json_t *out, *x;
	char what[160];

	if (!json_is_array(cur)) {
		if (!quiet)
			ev_why(e, e->src, px->start, end, "is not a list");
		return NULL;
	}
	n = (long)json_array_size(cur);
	if (sg->kind == SEG_INDEX) {
		if (idx < 0)
			idx += n;
		if (idx >= 0 && idx < n)
			return json_incref(json_array_get(cur, (size_t)idx));
		snprintf(what, sizeof what, "has %ld element%s, no [%ld]", n, n == 1 ? "" : "s",
			 sg->idx);
		if (!quiet)
			ev_why(e, e->src, px->start, end, what);
		return NULL;
	}
	out = json_array();
	json_array_foreach(cur, j, x) {
		size_t k;
		for (k = 0; k < sg->nconds && cond_holds(e, &sg->conds[k], x); k++)
			;
		if (k == sg->nconds)
			json_array_append(out, x);
	}
	return out;
}

static json_t *path_walk(struct ev *e, const struct pathx *px, json_t *cur, int quiet)
{
	size_t i;

	json_incref(cur);
	for (i = 0; i < px->n && cur; i++) {
		json_t *next = px->segs[i].kind == SEG_KEY ? seg_key(e, px, i, cur, quiet)
							   : seg_other(e, px, i, cur, quiet);
		json_decref(cur);
		cur = next;
	}
	return cur;
}

static json_t *eval(struct ev *e, const struct node *n, json_t *ctx);

static json_t *fold(struct ev *e, const struct node *n, json_t *v)
{
	double acc = 0;
	int have = 0, all_int = 1;
	size_t i;
	json_t *x;

	if (!json_is_array(v)) {
		ev_why(e, e->src, n->a->start, n->a->end, "is not a list");
		return NULL;
	}
	json_array_foreach(v, i, x) {
		double d;
		if (!json_is_number(x))
			continue;
		d = json_number_value(x);
		all_int &= json_is_integer(x);
		if (n->fn == FN_SUM)
			acc += d;
		else if (!have || (n->fn == FN_MIN ? d < acc : d > acc))
			acc = d;
		have = 1;
	}
	if (!have && n->fn != FN_SUM) {
		ev_why(e, e->src, n->a->start, n->a->end, "holds no numbers");
		return NULL;
	}
	return all_int ? json_integer((json_int_t)acc) : json_real(acc);
}

/* The text of a condition's field ("len", "@"), for saying what an element held. */
static void cond_key_text(const struct cond *c, char *buf, size_t len)
{
	const struct pathx *k = c->key;
	size_t i, used = 0;

	snprintf(buf, len, "@");
	for (i = 0; i < k->n && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? "." : "", k->segs[i].key);
}

/* all(LIST, COND, ...): every element holds every condition (true for no element, as in
 * logic; the observation says so). The first element that does not is named. */
static json_t *eval_all(struct ev *e, const struct node *n, json_t *v)
{
	const struct seg *sg = &n->path.segs[0];
	char *note = e->nall < 4 ? e->all_note[e->nall] : NULL, key[80], val[120];
	size_t i, k, size;
	json_t *x, *kv;

	if (!json_is_array(v)) {
		ev_why(e, e->src, n->a->start, n->a->end, "is not a list");
		return NULL;
	}
	if (note)
		e->all_node[e->nall++] = n;
	size = json_array_size(v);
	json_array_foreach(v, i, x) {
		for (k = 0; k < sg->nconds && cond_holds(e, &sg->conds[k], x); k++)
			;
		if (k == sg->nconds)
			continue;
		if (note) {
			cond_key_text(&sg->conds[k], key, sizeof key);
			kv = sg->conds[k].key->n ? path_walk(e, sg->conds[k].key, x, 1) : json_incref(x);
			if (kv)
				val_text(kv, val, sizeof val);
			else
				snprintf(val, sizeof val, "missing");
			json_decref(kv);
			snprintf(note, sizeof e->all_note[0], "[%zu] of %zu does not hold: %.60s = %.100s", i, size, key, val);
		}
		return json_false();
	}
	if (note)
		snprintf(note, sizeof e->all_note[0], size ? "every one of %zu holds" : "no elements: true, as nothing fails", size);
	return json_true();
}

static json_t *eval_call(struct ev *e, const struct node *n, json_t *ctx)
{
	json_t *v = eval(e, n->a, ctx), *r = NULL;

	switch (n->fn) {
	case FN_ALL:
		if (v)
			r = eval_all(e, n, v);
		break;
	case FN_EXISTS:
		r = json_boolean(v != NULL);
		break;
	case FN_COUNT:
		r = json_integer(!v ? 0 : json_is_array(v) ? (json_int_t)json_array_size(v)
			       : json_is_object(v) ? (json_int_t)json_object_size(v) : 1);
		break;
	case FN_LEN:
		if (json_is_string(v))
			r = json_integer((json_int_t)json_string_length(v));
		else if (json_is_array(v))
			r = json_integer((json_int_t)json_array_size(v));
		else if (v)
			ev_why(e, e->src, n->a->start, n->a->end, "has no length");
		break;
	default:
		if (v)
			r = fold(e, n, v);
	}
	json_decref(v);
	return r;
}

static json_t *arith(struct ev *e, const struct node *n, json_t *a, json_t *b)
{
	double x, y, r;

	if (!json_is_number(a) || !json_is_number(b)) {
		ev_why(e, e->src, n->start, n->end, "needs numbers on both sides");
		return NULL;
	}
	x = json_number_value(a), y = json_number_value(b);
	if (n->op == T_SLASH) {
		if (y == 0) {
			ev_why(e, e->src, n->start, n->end, "divides by zero");
			return NULL;
		}
		return json_real(x / y);
	}
	r = n->op == T_PLUS ? x + y : n->op == T_MINUS ? x - y : x * y;
	if (json_is_integer(a) && json_is_integer(b) && fabs(r) < 9e15)
		return json_integer((json_int_t)r);
	return json_real(r);
}

static json_t *eval_bin(struct ev *e, const struct node *n, json_t *ctx)
{
	json_t *a = eval(e, n->a, ctx), *r = NULL;
	json_t *b;
	int c;

	if (n->op == T_AND || n->op == T_OR) {
		/* both sides run so the observation lists every value */
		b = eval(e, n->b, ctx);
		if (n->a->kind == NK_PATH || n->a->kind == NK_CALL)
			obs_add(e, n->a, a);
		if (n->b->kind == NK_PATH || n->b->kind == NK_CALL)
			obs_add(e, n->b, b);
		r = json_boolean(n->op == T_AND ? truthy(a) && truthy(b) : truthy(a) || truthy(b));
	} else if (n->op == T_PLUS || n->op == T_MINUS || n->op == T_STAR || n->op == T_SLASH) {
		b = eval(e, n->b, ctx);
		if (a && b)
			r = arith(e, n, a, b);
	} else {
		if (n->a->kind != NK_BIN || (n->a->op != T_AND && n->a->op != T_OR))
			obs_add(e, n->a, a);
		b = eval(e, n->b, ctx);
		obs_add(e, n->b, b);
		c = a && b ? compare(a, b, n->op) : 0;
		if (c < 0 && strlen(e->obs) + 40 < e->obslen)
			strcat(e->obs, " (cannot be compared that way)");
		r = json_boolean(c == 1);
	}
	json_decref(a);
	json_decref(b);
	return r;
}

static json_t *eval(struct ev *e, const struct node *n, json_t *ctx)
{
	json_t *v, *r;

	switch (n->kind) {
	case NK_LIT:
		return json_incref(n->lit);
	case NK_PATH:
		return path_walk(e, &n->path, ctx, 0);
	case NK_CALL:
		return eval_call(e, n, ctx);
	case NK_NOT:
		v = eval(e, n->a, ctx);
		if (n->a->kind == NK_PATH || n->a->kind == NK_CALL)
			obs_add(e, n->a, v);
		r = json_boolean(!truthy(v));
		json_decref(v);
		return r;
	case NK_NEG:
		v = eval(e, n->a, ctx);
		if (!json_is_number(v)) {
			json_decref(v);
			ev_why(e, e->src, n->start, n->end, "needs a number");
			return NULL;
		}
		r = json_is_integer(v) ? json_integer(-json_integer_value(v))
				       : json_real(-json_number_value(v));
		json_decref(v);
		return r;
	default:
		return eval_bin(e, n, ctx);
	}
}

int lab_check_eval(const struct lab_check *c, json_t *ctx, char *observed, size_t obslen)
{
	struct ev e = { .src = c->src, .obs = observed, .obslen = obslen };
	const struct node *r = c->root;
	json_t *v;
	int ok;

	observed[0] = '\0';
	v = eval(&e, r, ctx);
	/* a bare value (exists(x), a path) says what it saw too */
	if (r->kind == NK_PATH || r->kind == NK_CALL ||
	    (r->kind == NK_BIN && r->op >= T_PLUS && r->op <= T_SLASH))
		obs_add(&e, r, v);
	ok = truthy(v);
	json_decref(v);
	return ok;
}

int lab_check_run(const char *expr, json_t *ctx, char *observed, size_t obslen,
		  char *err, size_t errlen)
{
	struct lab_check *c = lab_check_parse(expr, err, errlen);
	int rc;

	if (!c)
		return -1;
	rc = lab_check_eval(c, ctx, observed, obslen);
	lab_check_free(c);
	return rc;
}
