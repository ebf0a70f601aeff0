/* runner/lab_check_ast.h: the parsed form of a check, shared by the parser and the evaluator. */
#ifndef LAB_CHECK_AST_H
#define LAB_CHECK_AST_H

#include <stddef.h>
#include <jansson.h>

enum tok {
	T_END, T_IDENT, T_NUM, T_STR, T_AT, T_DOT, T_LB, T_RB, T_LP, T_RP, T_COMMA,
	T_EQ, T_NE, T_LT, T_LE, T_GT, T_GE, T_MATCH, T_NMATCH, T_AND, T_OR, T_NOT,
	T_PLUS, T_MINUS, T_STAR, T_SLASH,
};

enum nk { NK_PATH, NK_LIT, NK_CALL, NK_BIN, NK_NOT, NK_NEG };
enum fn { FN_COUNT, FN_LEN, FN_SUM, FN_MIN, FN_MAX, FN_EXISTS, FN_ALL };
enum segk { SEG_KEY, SEG_INDEX, SEG_FILTER };

struct pathx;
struct cond {
	struct pathx *key;	/* relative to the element; no segments = the element (@) */
	int op;			/* T_EQ ... T_NMATCH, or T_END: the key's value is truthy */
	json_t *lit;
};
struct seg {
	enum segk kind;
	char *key;
	long idx;
	struct cond *conds;
	size_t nconds;
	size_t end;		/* source offset just after this segment, for messages */
};
struct pathx {
	struct seg *segs;
	size_t n;
	size_t start;
};
struct node {
	enum nk kind;
	int op;
	enum fn fn;
	struct node *a, *b;
	json_t *lit;
	struct pathx path;	/* NK_PATH; for all(LIST, COND...): one filter segment, the conditions */
	size_t start, end;
};
struct lab_check {
	char *src;
	struct node *root;
};

#endif
