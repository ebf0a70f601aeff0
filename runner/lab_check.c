/* runner/lab_check.c: parser and evaluator of the check language (grammar in docs/labs.md). */
#include "runner/lab_check.h"

#include <ctype.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner/lab_check_ast.h"

struct parser {
	const char *s;
	size_t pos;		/* after the current token */
	enum tok t;
	size_t tstart;
	char *str;		/* T_STR / T_IDENT text, owned */
	double num;
	int num_int;
	char *err;
	size_t errlen;
	int failed;
};

static void p_fail(struct parser *p, const char *fmt, ...)
{
	va_list ap;
	char msg[160];

	if (p->failed)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	snprintf(p->err, p->errlen, "col %zu: %s", p->tstart + 1, msg);
	p->failed = 1;
}

static int lex_string(struct parser *p, char q)
{
	size_t cap = 16, n = 0;
	char *b = malloc(cap);

	if (!b)
		return -1;
	for (;;) {
		char c = p->s[p->pos];
		if (c == '\0') {
			free(b);
			p_fail(p, "unterminated string");
			return -1;
		}
		p->pos++;
		if (c == q)
			break;
		if (c == '\\') {
			char e = p->s[p->pos];
			if (e == '\0')
				continue;
			p->pos++;
			c = e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e;
		}
		if (n + 2 > cap) {
			char *nb = realloc(b, cap *= 2);
			if (!nb) {
				free(b);
				return -1;
			}
			b = nb;
		}
		b[n++] = c;
	}
	b[n] = '\0';
	p->str = b;
	p->t = T_STR;
	return 0;
}

static const struct { const char *text; enum tok t; } lab_ops[] = {
	{ "==", T_EQ }, { "!=", T_NE }, { "<=", T_LE }, { ">=", T_GE }, { "!~", T_NMATCH },
	{ "&&", T_AND }, { "||", T_OR }, { "=", T_EQ }, { "<", T_LT }, { ">", T_GT },
	{ "~", T_MATCH }, { "!", T_NOT }, { "+", T_PLUS }, { "-", T_MINUS }, { "*", T_STAR },
	{ "/", T_SLASH }, { ".", T_DOT }, { "[", T_LB }, { "]", T_RB }, { "(", T_LP },
	{ ")", T_RP }, { ",", T_COMMA }, { "@", T_AT },
};

static void lex(struct parser *p)
{
	const char *s = p->s;
	size_t i;

	free(p->str);
	p->str = NULL;
	while (isspace((unsigned char)s[p->pos]))
		p->pos++;
	p->tstart = p->pos;
	if (s[p->pos] == '\0') {
		p->t = T_END;
		return;
	}
	if (s[p->pos] == '\'' || s[p->pos] == '"') {
		char q = s[p->pos++];
		if (lex_string(p, q) < 0)
			p->t = T_END, p_fail(p, "bad string");
		return;
	}
	if (isdigit((unsigned char)s[p->pos])) {
		char *end;
		p->num = strtod(s + p->pos, &end);
		p->num_int = !memchr(s + p->pos, '.', (size_t)(end - (s + p->pos))) &&
			     !memchr(s + p->pos, 'e', (size_t)(end - (s + p->pos)));
		p->pos = (size_t)(end - s);
		p->t = T_NUM;
		return;
	}
	if (isalpha((unsigned char)s[p->pos]) || s[p->pos] == '_') {
		size_t st = p->pos;
		/* '-' belongs to a name when a letter or digit follows (steps.iter-c1): subtract
		 * with spaces around the minus */
		while (isalnum((unsigned char)s[p->pos]) || s[p->pos] == '_' ||
		       (s[p->pos] == '-' && isalnum((unsigned char)s[p->pos + 1])))
			p->pos++;
		p->str = strndup(s + st, p->pos - st);
		p->t = T_IDENT;
		return;
	}
	for (i = 0; i < sizeof lab_ops / sizeof lab_ops[0]; i++) {
		size_t n = strlen(lab_ops[i].text);
		if (strncmp(s + p->pos, lab_ops[i].text, n) == 0) {
			p->pos += n;
			p->t = lab_ops[i].t;
			return;
		}
	}
	p_fail(p, "unexpected character '%c'", s[p->pos]);
	p->t = T_END;
}

static int accept(struct parser *p, enum tok t)
{
	if (p->t != t)
		return 0;
	lex(p);
	return 1;
}

static int expect(struct parser *p, enum tok t, const char *what)
{
	if (accept(p, t))
		return 0;
	p_fail(p, "expected %s", what);
	return -1;
}

static void path_free(struct pathx *px);

static void cond_free(struct cond *c)
{
	if (c->key) {
		path_free(c->key);
		free(c->key);
	}
	json_decref(c->lit);
}

static void path_free(struct pathx *px)
{
	size_t i, j;

	for (i = 0; i < px->n; i++) {
		free(px->segs[i].key);
		for (j = 0; j < px->segs[i].nconds; j++)
			cond_free(&px->segs[i].conds[j]);
		free(px->segs[i].conds);
	}
	free(px->segs);
	px->segs = NULL;
	px->n = 0;
}

static void node_free(struct node *n)
{
	if (!n)
		return;
	node_free(n->a);
	node_free(n->b);
	json_decref(n->lit);
	path_free(&n->path);
	free(n);
}

static struct seg *path_push(struct parser *p, struct pathx *px)
{
	struct seg *ns = realloc(px->segs, (px->n + 1) * sizeof *ns);

	if (!ns) {
		p_fail(p, "out of memory");
		return NULL;
	}
	px->segs = ns;
	memset(&ns[px->n], 0, sizeof *ns);
	return &ns[px->n++];
}

/* A literal in a filter: a string, a number, true/false, or a bare word taken as a string. */
static json_t *parse_literal(struct parser *p, int bare_ok)
{
	json_t *v = NULL;
	int neg = accept(p, T_MINUS);

	if (p->t == T_NUM)
		v = p->num_int ? json_integer((json_int_t)(neg ? -p->num : p->num))
			       : json_real(neg ? -p->num : p->num);
	else if (neg)
		p_fail(p, "expected a number after '-'");
	else if (p->t == T_STR)
		v = json_string(p->str);
	else if (p->t == T_IDENT && strcmp(p->str, "true") == 0)
		v = json_true();
	else if (p->t == T_IDENT && strcmp(p->str, "false") == 0)
		v = json_false();
	else if (p->t == T_IDENT && bare_ok)
		v = json_string(p->str);
	else
		p_fail(p, "expected a value");
	if (v)
		lex(p);
	return v;
}

static int is_cmp(enum tok t)
{
	return t == T_EQ || t == T_NE || t == T_LT || t == T_LE || t == T_GT || t == T_GE ||
	       t == T_MATCH || t == T_NMATCH;
}

static int parse_keys(struct parser *p, struct pathx *px)
{
	do {
		struct seg *sg;
		if (p->t != T_IDENT) {
			p_fail(p, "expected a field name");
			return -1;
		}
		if (!(sg = path_push(p, px)))
			return -1;
		sg->kind = SEG_KEY;
		sg->key = p->str;
		p->str = NULL;
		lex(p);
		sg->end = p->tstart;
	} while (accept(p, T_DOT));
	return 0;
}

static int parse_cond(struct parser *p, struct cond *c)
{
	c->key = calloc(1, sizeof *c->key);
	if (!c->key) {
		p_fail(p, "out of memory");
		return -1;
	}
	c->op = T_END;
	if (!accept(p, T_AT) && parse_keys(p, c->key) < 0)
		return -1;
	if (!is_cmp(p->t))
		return 0;
	c->op = (int)p->t;
	lex(p);
	c->lit = parse_literal(p, 1);
	return c->lit ? 0 : -1;
}

static int parse_filter(struct parser *p, struct seg *sg)
{
	sg->kind = SEG_FILTER;
	do {
		struct cond *nc = realloc(sg->conds, (sg->nconds + 1) * sizeof *nc);
		if (!nc) {
			p_fail(p, "out of memory");
			return -1;
		}
		sg->conds = nc;
		memset(&nc[sg->nconds], 0, sizeof *nc);
		if (parse_cond(p, &nc[sg->nconds++]) < 0)
			return -1;
	} while (accept(p, T_COMMA) || accept(p, T_AND));
	return 0;
}

static int parse_bracket(struct parser *p, struct pathx *px)
{
	struct seg *sg = path_push(p, px);

	if (!sg)
		return -1;
	if (p->t == T_NUM || p->t == T_MINUS) {
		int neg = accept(p, T_MINUS);
		if (p->t != T_NUM || !p->num_int) {
			p_fail(p, "expected an index");
			return -1;
		}
		sg->kind = SEG_INDEX;
		sg->idx = neg ? -(long)p->num : (long)p->num;
		lex(p);
	} else if (parse_filter(p, sg) < 0) {
		return -1;
	}
	sg->end = p->pos;
	return expect(p, T_RB, "']'");
}

static int parse_path(struct parser *p, struct node *n)
{
	n->kind = NK_PATH;
	n->path.start = p->tstart;
	if (parse_keys(p, &n->path) < 0)
		return -1;
	for (;;) {
		if (accept(p, T_LB)) {
			if (parse_bracket(p, &n->path) < 0)
				return -1;
		} else if (accept(p, T_DOT)) {
			if (parse_keys(p, &n->path) < 0)
				return -1;
		} else {
			return 0;
		}
	}
}

static const char *const lab_fn_names[] = { "count", "len", "sum", "min", "max", "exists", "all" };

/* all(LIST, COND, ...): the conditions are a filter's, held in one filter segment. */
static int parse_all_conds(struct parser *p, struct node *n)
{
	struct seg *sg;

	if (!accept(p, T_COMMA)) {
		p_fail(p, "expected ',' and a condition: all(LIST, COND, ...)");
		return -1;
	}
	n->path.start = p->tstart;
	if (!(sg = path_push(p, &n->path)) || parse_filter(p, sg) < 0)
		return -1;
	sg->end = p->tstart;
	return 0;
}

static struct node *parse_or(struct parser *p);

static struct node *parse_primary(struct parser *p)
{
	struct node *n = calloc(1, sizeof *n);
	size_t i;

	if (!n) {
		p_fail(p, "out of memory");
		return NULL;
	}
	n->start = p->tstart;
	if (accept(p, T_LP)) {
		free(n);
		n = parse_or(p);
		if (n && expect(p, T_RP, "')'") < 0)
			goto bad;
		return n;
	}
	if (p->t == T_IDENT && p->s[p->pos] == '(') {
		for (i = 0; i < sizeof lab_fn_names / sizeof lab_fn_names[0]; i++)
			if (strcmp(p->str, lab_fn_names[i]) == 0)
				break;
		if (i == sizeof lab_fn_names / sizeof lab_fn_names[0]) {
			p_fail(p, "unknown function '%s' (count len sum min max exists all)", p->str);
			goto bad;
		}
		n->kind = NK_CALL;
		n->fn = (enum fn)i;
		lex(p);
		lex(p);
		if (!(n->a = parse_or(p)) || (n->fn == FN_ALL && parse_all_conds(p, n) < 0) ||
		    expect(p, T_RP, "')'") < 0)
			goto bad;
	} else if (p->t == T_IDENT && strcmp(p->str, "true") && strcmp(p->str, "false")) {
		if (parse_path(p, n) < 0)
			goto bad;
	} else {
		n->kind = NK_LIT;
		if (!(n->lit = parse_literal(p, 0)))
			goto bad;
	}
	n->end = p->tstart;
	return n;
bad:
	node_free(n);
	return NULL;
}

static struct node *mk_node(struct parser *p, enum nk k, int op, struct node *a, struct node *b)
{
	struct node *n = calloc(1, sizeof *n);

	if (!n) {
		p_fail(p, "out of memory");
		node_free(a);
		node_free(b);
		return NULL;
	}
	n->kind = k, n->op = op, n->a = a, n->b = b;
	n->start = a ? a->start : 0;
	n->end = b ? b->end : a ? a->end : 0;
	return n;
}

static struct node *parse_unary(struct parser *p)
{
	size_t st = p->tstart;
	struct node *n;

	if (accept(p, T_NOT) || accept(p, T_MINUS)) {
		enum nk k = p->s[st] == '!' ? NK_NOT : NK_NEG;
		struct node *a = parse_unary(p);
		if (!a)
			return NULL;
		n = mk_node(p, k, 0, a, NULL);
		if (n)
			n->start = st;
		return n;
	}
	return parse_primary(p);
}

/* One level of left-associative binary operators. */
static struct node *parse_level(struct parser *p, int level);

static const enum tok lab_levels[][9] = {
	{ T_OR, T_END }, { T_AND, T_END },
	{ T_EQ, T_NE, T_LT, T_LE, T_GT, T_GE, T_MATCH, T_NMATCH, T_END },
	{ T_PLUS, T_MINUS, T_END }, { T_STAR, T_SLASH, T_END },
};

static int in_level(int level, enum tok t)
{
	const enum tok *l = lab_levels[level];

	for (; *l != T_END; l++)
		if (*l == t)
			return 1;
	return 0;
}

static struct node *parse_level(struct parser *p, int level)
{
	struct node *a;

	if (level == (int)(sizeof lab_levels / sizeof lab_levels[0]))
		return parse_unary(p);
	a = parse_level(p, level + 1);
	while (a && !p->failed && in_level(level, p->t)) {
		int op = (int)p->t;
		struct node *b;
		lex(p);
		b = parse_level(p, level + 1);
		if (!b) {
			node_free(a);
			return NULL;
		}
		a = mk_node(p, NK_BIN, op, a, b);
	}
	if (a && p->failed) {
		node_free(a);
		return NULL;
	}
	return a;
}

static struct node *parse_or(struct parser *p)
{
	return parse_level(p, 0);
}

struct lab_check *lab_check_parse(const char *expr, char *err, size_t errlen)
{
	struct parser p = { .s = expr, .err = err, .errlen = errlen };
	struct lab_check *c = NULL;
	struct node *root;

	lex(&p);
	if (p.t == T_END && !p.failed)
		p_fail(&p, "empty check");
	root = p.failed ? NULL : parse_or(&p);
	if (root && p.t != T_END)
		p_fail(&p, "unexpected '%.*s' after the end of the check",
		       (int)strcspn(expr + p.tstart, " "), expr + p.tstart);
	free(p.str);
	if (p.failed || !root) {
		if (!p.failed)
			snprintf(err, errlen, "col %zu: syntax error", p.tstart + 1);
		node_free(root);
		return NULL;
	}
	c = calloc(1, sizeof *c);
	if (!c || !(c->src = strdup(expr))) {
		snprintf(err, errlen, "out of memory");
		free(c);
		node_free(root);
		return NULL;
	}
	c->root = root;
	return c;
}

void lab_check_free(struct lab_check *c)
{
	if (!c)
		return;
	node_free(c->root);
	free(c->src);
	free(c);
}
