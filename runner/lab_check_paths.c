/* runner/lab_check_paths.c: every path of a check held against what a run's context can hold, so a misspelt field fails when the lab loads. */
#include "runner/lab_check_paths.h"

#include <stdio.h>
#include <string.h>

#include "runner/lab_check_ast.h"
#include "runner/lab_schema.h"

/* The alternatives a value may follow (oneOf branches); more would be a schema of ours
 * this walk was not written for, and is then taken as "anything". */
#define SHAPES_MAX 16

/* What a value can be: its schemas, or open (anything: no field can be refused). list:
 * the value is a list whose elements have these shapes (a name after a list maps over
 * its elements, a filter keeps some of them). */
struct shapes {
	json_t *v[SHAPES_MAX];
	size_t n;
	int open, list;
};

struct walk {
	json_t *root;
	const char *src;
	char *err;
	size_t errlen;
};

static json_t *sch_ref(json_t *root, json_t *s)
{
	const char *ref = json_string_value(json_object_get(s, "$ref"));
	int hops;

	for (hops = 0; ref && hops < 8; hops++) {
		if (strncmp(ref, "#/$defs/", 8) != 0)
			return NULL;
		s = json_object_get(json_object_get(root, "$defs"), ref + 8);
		ref = json_string_value(json_object_get(s, "$ref"));
	}
	return ref ? NULL : s;
}

/* Adds schema s to out, its $ref followed and its oneOf/anyOf/allOf branches spread. */
static void sch_add(json_t *root, json_t *s, struct shapes *out, int depth)
{
	static const char *const alts[] = { "oneOf", "anyOf", "allOf" };
	json_t *branch;
	size_t i, k;
	int spread = 0;

	if (json_is_true(s) || (json_is_object(s) && json_object_size(s) == 0)) {
		out->open = 1;
		return;
	}
	if (!(s = sch_ref(root, s)) || depth > 8) {
		out->open = 1;
		return;
	}
	for (k = 0; k < 3; k++)
		json_array_foreach(json_object_get(s, alts[k]), i, branch) {
			sch_add(root, branch, out, depth + 1);
			spread = 1;
		}
	if (spread && !json_object_get(s, "properties") && !json_object_get(s, "items"))
		return;
	if (out->n == SHAPES_MAX)
		out->open = 1;
	else
		out->v[out->n++] = s;
}

static int sch_is(json_t *s, const char *type)
{
	json_t *t = json_object_get(s, "type"), *x;
	size_t i;

	if (json_is_string(t))
		return strcmp(json_string_value(t), type) == 0;
	json_array_foreach(t, i, x)
		if (json_is_string(x) && strcmp(json_string_value(x), type) == 0)
			return 1;
	return 0;
}

/* The elements of the lists among in (a list's items). */
static void sch_items(json_t *root, const struct shapes *in, struct shapes *out)
{
	size_t i;

	memset(out, 0, sizeof(*out));
	out->open = in->open;
	for (i = 0; i < in->n; i++)
		if (sch_is(in->v[i], "array") || json_object_get(in->v[i], "items")) {
			json_t *it = json_object_get(in->v[i], "items");
			if (it)
				sch_add(root, it, out, 0);
			else
				out->open = 1;
		}
}

/* Field key of the objects among in; 0, or -1 when none of them can have it. */
static int sch_key(json_t *root, const struct shapes *in, const char *key, struct shapes *out)
{
	size_t i;
	int found = 0;

	memset(out, 0, sizeof(*out));
	out->open = in->open;
	for (i = 0; i < in->n; i++) {
		json_t *props = json_object_get(in->v[i], "properties");
		json_t *p = json_object_get(props, key), *more;

		if (p) {
			sch_add(root, p, out, 0);
			found = 1;
			continue;
		}
		more = json_object_get(in->v[i], "additionalProperties");
		if (more && !json_is_false(more)) {
			sch_add(root, more, out, 0);
			found = 1;
		} else if (!more && !props && !sch_is(in->v[i], "array")) {
			out->open = 1;	/* an object the schema leaves open */
		}
	}
	return found || in->open ? 0 : -1;
}

static size_t edits(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, prev[40], cur[40];

	if (la >= 39 || lb >= 39)
		return 99;
	for (j = 0; j <= lb; j++)
		prev[j] = j;
	for (i = 1; i <= la; i++) {
		cur[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]), del = prev[j] + 1, ins = cur[j - 1] + 1;
			cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
		memcpy(prev, cur, (lb + 1) * sizeof(size_t));
	}
	return prev[lb];
}

/* " (did you mean 'proto'?)" for the nearest field name, or "" when none is near. */
static void suggest(const struct shapes *in, const char *key, char *buf, size_t len)
{
	const char *best = NULL, *k;
	size_t i, d, bestd = 3;
	json_t *v;

	buf[0] = '\0';
	for (i = 0; i < in->n; i++)
		json_object_foreach(json_object_get(in->v[i], "properties"), k, v) {
			d = edits(key, k);
			if (strstr(k, key) == k || strstr(key, k) == key)
				d = d < 2 ? d : 2;
			if (d < bestd)
				bestd = d, best = k;
		}
	if (best)
		snprintf(buf, len, " (did you mean '%s'?)", best);
}

static int fail(struct walk *w, const struct pathx *p, size_t upto, const char *fmt, const char *a,
		const char *b)
{
	char what[200];
	int n = (int)(upto > p->start ? upto - p->start : 0);

	snprintf(what, sizeof what, fmt, a, b);
	snprintf(w->err, w->errlen, "%.*s: %s", n, w->src + p->start, what);
	return -1;
}

static int walk_path(struct walk *w, const struct pathx *p, struct shapes *cur);

/* A string compared with a field: refused when the field only ever holds other strings. */
static int check_literal(struct walk *w, const struct pathx *p, size_t upto, const struct shapes *s,
			 json_t *lit)
{
	const char *want = json_string_value(lit);
	char list[160] = "";
	size_t i, k;
	json_t *x;

	if (!want || s->open || s->n == 0)
		return 0;
	for (i = 0; i < s->n; i++) {
		json_t *c = json_object_get(s->v[i], "const"), *e = json_object_get(s->v[i], "enum");
		if (!c && !e)
			return 0;	/* a free string (or not a string): anything may match */
		if (json_is_string(c) && strcmp(json_string_value(c), want) == 0)
			return 0;
		json_array_foreach(e, k, x)
			if (json_is_string(x) && strcmp(json_string_value(x), want) == 0)
				return 0;
		if (c)
			snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", list[0] ? ", " : "",
				 json_is_string(c) ? json_string_value(c) : "?");
		json_array_foreach(e, k, x)
			snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", list[0] ? ", " : "",
				 json_is_string(x) ? json_string_value(x) : "?");
	}
	return fail(w, p, upto, "never holds '%s' (it is one of: %s)", want, list);
}

static int walk_seg(struct walk *w, const struct pathx *p, size_t i, struct shapes *cur)
{
	const struct seg *sg = &p->segs[i];
	struct shapes next, elem;
	char hint[80];
	size_t c;

	if (cur->open && cur->n == 0)
		return 0;
	if (sg->kind == SEG_KEY) {
		if (!cur->list && cur->n && sch_is(cur->v[0], "array")) {
			sch_items(w->root, cur, &elem);
			elem.list = 1;
			*cur = elem;
		}
		if (sch_key(w->root, cur, sg->key, &next) < 0) {
			suggest(cur, sg->key, hint, sizeof hint);
			return fail(w, p, sg->end, "no such field '%s'%s", sg->key, hint);
		}
		next.list = cur->list;
		*cur = next;
		return 0;
	}
	if (cur->list) {
		elem = *cur;
	} else {
		sch_items(w->root, cur, &elem);
		if (!elem.open && elem.n == 0)
			return fail(w, p, i ? p->segs[i - 1].end : sg->end, "%s%s", "is not a list", "");
	}
	elem.list = sg->kind == SEG_FILTER;
	for (c = 0; c < sg->nconds; c++) {
		struct shapes k = elem;

		k.list = 0;
		if (sg->conds[c].key->n && walk_path(w, sg->conds[c].key, &k) < 0)
			return -1;
		if ((sg->conds[c].op == T_EQ || sg->conds[c].op == T_NE) &&
		    check_literal(w, sg->conds[c].key, sg->conds[c].key->n ?
				  sg->conds[c].key->segs[sg->conds[c].key->n - 1].end : sg->end,
				  &k, sg->conds[c].lit) < 0)
			return -1;
	}
	*cur = elem;
	return 0;
}

static int walk_path(struct walk *w, const struct pathx *p, struct shapes *cur)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (walk_seg(w, p, i, cur) < 0)
			return -1;
	return 0;
}

static int root_shapes(struct walk *w, struct shapes *s)
{
	memset(s, 0, sizeof(*s));
	sch_add(w->root, w->root, s, 0);
	return 0;
}

static int walk_node(struct walk *w, const struct node *n)
{
	struct shapes s;

	if (!n)
		return 0;
	switch (n->kind) {
	case NK_PATH:
		root_shapes(w, &s);
		return walk_path(w, &n->path, &s);
	case NK_BIN:
		if (walk_node(w, n->a) < 0 || walk_node(w, n->b) < 0)
			return -1;
		if (n->op == T_EQ || n->op == T_NE) {
			const struct node *path = n->a->kind == NK_PATH ? n->a : n->b->kind == NK_PATH ? n->b : NULL;
			const struct node *lit = path == n->a ? n->b : n->a;

			if (path && lit->kind == NK_LIT && path->path.n) {
				root_shapes(w, &s);
				walk_path(w, &path->path, &s);
				return check_literal(w, &path->path, path->path.segs[path->path.n - 1].end, &s,
						     lit->lit);
			}
		}
		return 0;
	case NK_CALL:
		if (walk_node(w, n->a) < 0)
			return -1;
		/* all(LIST, COND...): the conditions name fields of LIST's elements, as a filter's do */
		if (n->fn == FN_ALL && n->a->kind == NK_PATH && n->path.n) {
			root_shapes(w, &s);
			if (walk_path(w, &n->a->path, &s) < 0)
				return -1;
			if (!s.list && !(s.open && s.n == 0)) {
				struct shapes elem;
				sch_items(w->root, &s, &elem);
				if (!elem.open && elem.n == 0)
					return fail(w, &n->a->path, n->a->path.n ? n->a->path.segs[n->a->path.n - 1].end
									: n->a->end, "%s%s", "is not a list", "");
			}
			return walk_seg(w, &n->path, 0, &s);
		}
		return 0;
	default:
		return walk_node(w, n->a) < 0 ? -1 : walk_node(w, n->b);
	}
}

int lab_check_paths(const struct lab_check *c, json_t *schema, char *err, size_t errlen)
{
	struct walk w = { schema, c->src, err, errlen };

	return walk_node(&w, c->root);
}

json_t *lab_check_context_schema(const char *const *steps, size_t nsteps, char *err, size_t errlen)
{
	json_error_t je;
	json_t *root = json_loadb(lab_trace_schema, lab_trace_schema_len, 0, &je);
	json_t *props = json_object_get(root, "properties"), *named, *names, *item;
	size_t i;

	if (!json_is_object(props)) {
		snprintf(err, errlen, "the built-in trace schema: %s", root ? "no properties" : je.text);
		json_decref(root);
		return NULL;
	}
	/* What lab_step_finish records for each run step, and lab_step_list for each element. */
	json_object_set_new(json_object_get(root, "$defs"), "lab_step",
			    json_pack("{s:s, s:{s:{}, s:{}, s:{}, s:{}, s:{}}, s:b}", "type", "object",
				      "properties", "exit", "ms", "background", "ns", "lines",
				      "additionalProperties", 0));
	named = json_pack("{s:s, s:{}, s:b}", "type", "object", "properties", "additionalProperties", 0);
	names = json_array();
	for (i = 0; i < nsteps; i++) {
		json_object_set_new(json_object_get(named, "properties"), steps[i],
				    json_pack("{s:s}", "$ref", "#/$defs/lab_step"));
		json_array_append_new(names, json_string(steps[i]));
	}
	item = json_pack("{s:s, s:{s:{}, s:{}, s:{}, s:{}, s:{s:o}}, s:b}", "type", "object", "properties",
			 "exit", "ms", "background", "ns", "name", "enum", names, "additionalProperties", 0);
	json_object_set_new(props, "steps", named);
	json_object_set_new(props, "step_list", json_pack("{s:s, s:o}", "type", "array", "items", item));
	json_object_set_new(props, "impair", json_object());
	json_object_set_new(props, "run", json_object());
	return root;
}
