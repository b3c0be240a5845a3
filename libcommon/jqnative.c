/*
 * jqnative.c - see jqnative.h
 *
 * A recursive-descent parser for the subset, following jq 1.6's grammar
 * (parser.y) and its precedence table, lowest first:
 *
 *     |  (right)   ,  (left)   //  (right)   or   and
 *     == != < <= > >=  (non-associative)   + -   * / %
 *
 * with unary minus taking a multiplicative operand (jq's `'-' Exp` has the
 * precedence of '-'), postfix .name / ."name" / [e] / [] on terms, and
 * object values restricted to jq's ExpD (`{a: .b | .c}`, not `{a: .b + 1}`).
 *
 * Evaluation is in continuation-passing style, so generators (`,`, `.[]`,
 * select) need no intermediate lists: eval() calls k->fn once per output,
 * in jq's order (for a binary operator the right operand is the outer loop,
 * as in jq; for `.[e]` the index is).  A value is a part of the input
 * (borrowed, never converted unless needed) or a jv.  Values passed to a
 * continuation are borrowed; whoever made a jv frees it after the call.
 * Every path returns 0, or -1 to give the record to libjq.
 */
#include "config.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "jqbridge.h"
#include "jqnative.h"
#include "xalloc.h"

#define MAX_NODES	1024
#define MAX_DEPTH	64

enum op {
	N_ID, N_LIT, N_FIELD, N_INDEX, N_ITER, N_PIPE, N_COMMA, N_ALT, N_OR,
	N_AND, N_NEG, N_BIN, N_ARRAY, N_OBJECT, N_IF, N_SELECT, N_EMPTY, N_NOT,
	N_LENGTH, N_TYPE, N_KEYS, N_MAP, N_HAS,
};

enum bin { B_EQ, B_NE, B_LT, B_LE, B_GT, B_GE, B_ADD, B_SUB, B_MUL, B_DIV,
	B_MOD };

struct node {
	enum op op;
	enum bin bin;
	struct node *a, *b, *c;	/* operands; N_OBJECT: a list of N_PAIR */
	struct node *next;	/* N_OBJECT pairs: key in a, value in b */
	jv lit;			/* N_LIT, N_FIELD's key */
};

struct sl_jqn {
	struct node *nodes;
	size_t nnodes;
	struct node *root;
	struct sl_jqn_out *outs;
	size_t nouts, cap;
};

/* ---- lexing ---------------------------------------------------------- */

enum tok {
	T_EOF, T_BAD, T_NUM, T_STR, T_IDENT, T_FIELD, T_DOT, T_PIPE, T_COMMA,
	T_LP, T_RP, T_LB, T_RB, T_LC, T_RC, T_COLON, T_ALT, T_EQ, T_NE, T_LT,
	T_LE, T_GT, T_GE, T_PLUS, T_MINUS, T_STAR, T_SLASH, T_PERCENT,
};

struct parser {
	struct sl_jqn *q;
	const char *p;
	enum tok t;		/* the current token */
	const char *ts;		/* its text (IDENT, FIELD without the dot) */
	size_t tn;
	jv tv;			/* NUM, STR: its value (owned until taken) */
	int depth;
	int bad;
};

static int
ident_start(int c)
{
	return isalpha(c) || c == '_';
}

static int
ident_char(int c)
{
	return isalnum(c) || c == '_';
}

/* A string literal after its opening quote; T_BAD for \u and \(. */
static enum tok
lex_string(struct parser *ps)
{
	struct sl_buf s = SL_BUF_INIT;
	const char *p = ps->p;

	for (;;) {
		if (*p == '\0') {
			sl_buf_release(&s);
			return T_BAD;
		}
		if (*p == '"')
			break;
		if (*p == '\\') {
			char c = 0;

			switch (p[1]) {
			case '\\': c = '\\'; break;
			case '/': c = '/'; break;
			case '"': c = '"'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'n': c = '\n'; break;
			case 'r': c = '\r'; break;
			case 't': c = '\t'; break;
			default:
				sl_buf_release(&s);
				return T_BAD;
			}
			sl_buf_addc(&s, c);
			p += 2;
			continue;
		}
		sl_buf_addc(&s, *p++);
	}
	ps->p = p + 1;
	ps->tv = jv_string_sized(s.data ? s.data : "", (int)s.len);
	sl_buf_release(&s);
	return T_STR;
}

static enum tok
lex_number(struct parser *ps)
{
	const char *p = ps->p, *s = p;
	char *end;

	while (isdigit((unsigned char)*p))
		p++;
	if (*p == '.') {
		p++;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (*p == 'e' || *p == 'E') {
		const char *e = p + 1;

		if (*e == '+' || *e == '-')
			e++;
		if (isdigit((unsigned char)*e)) {
			while (isdigit((unsigned char)*e))
				e++;
			p = e;
		}
	}
	ps->tv = jv_number(strtod(s, &end));
	if (end != p)
		return T_BAD;
	ps->p = p;
	return T_NUM;
}

static void
next(struct parser *ps)
{
	const char *p;

	jv_free(ps->tv);
	ps->tv = jv_invalid();
	for (;;) {
		while (isspace((unsigned char)*ps->p))
			ps->p++;
		if (*ps->p != '#')
			break;
		while (*ps->p && *ps->p != '\n')
			ps->p++;
	}
	p = ps->p;
	ps->ts = p;
	ps->tn = 0;
	if (*p == '\0') {
		ps->t = T_EOF;
		return;
	}
	if (*p == '"') {
		ps->p++;
		ps->t = lex_string(ps);
		return;
	}
	if (isdigit((unsigned char)*p) ||
	    (*p == '.' && isdigit((unsigned char)p[1]))) {
		ps->t = lex_number(ps);
		return;
	}
	if (*p == '.' && ident_start((unsigned char)p[1])) {
		ps->ts = ++p;
		while (ident_char((unsigned char)*p))
			p++;
		ps->tn = (size_t)(p - ps->ts);
		ps->p = p;
		ps->t = T_FIELD;
		return;
	}
	if (ident_start((unsigned char)*p)) {
		while (ident_char((unsigned char)*p))
			p++;
		ps->tn = (size_t)(p - ps->ts);
		ps->p = p;
		/* module::name is not in the subset */
		ps->t = p[0] == ':' && p[1] == ':' ? T_BAD : T_IDENT;
		return;
	}
	ps->p = p + 1;
	switch (*p) {
	case '.':
		ps->t = p[1] == '.' ? T_BAD : T_DOT;
		return;
	case '|':
		ps->t = p[1] == '=' ? T_BAD : T_PIPE;
		return;
	case ',': ps->t = T_COMMA; return;
	case '(': ps->t = T_LP; return;
	case ')': ps->t = T_RP; return;
	case '[': ps->t = T_LB; return;
	case ']': ps->t = T_RB; return;
	case '{': ps->t = T_LC; return;
	case '}': ps->t = T_RC; return;
	case ':': ps->t = T_COLON; return;
	case '/':
		if (p[1] == '/') {
			ps->p = p + 2;
			ps->t = p[2] == '=' ? T_BAD : T_ALT;
			return;
		}
		ps->t = p[1] == '=' ? T_BAD : T_SLASH;
		return;
	case '=':
		ps->p = p + 2;
		ps->t = p[1] == '=' ? T_EQ : T_BAD;
		return;
	case '!':
		ps->p = p + 2;
		ps->t = p[1] == '=' ? T_NE : T_BAD;
		return;
	case '<':
		if (p[1] == '=') {
			ps->p = p + 2;
			ps->t = T_LE;
		} else {
			ps->t = T_LT;
		}
		return;
	case '>':
		if (p[1] == '=') {
			ps->p = p + 2;
			ps->t = T_GE;
		} else {
			ps->t = T_GT;
		}
		return;
	case '+': ps->t = p[1] == '=' ? T_BAD : T_PLUS; return;
	case '-': ps->t = p[1] == '=' ? T_BAD : T_MINUS; return;
	case '*': ps->t = p[1] == '=' ? T_BAD : T_STAR; return;
	case '%': ps->t = p[1] == '=' ? T_BAD : T_PERCENT; return;
	default:
		ps->t = T_BAD;	/* ? $ @ ; and anything else */
		return;
	}
}

static int
is_word(const struct parser *ps, const char *w)
{
	return ps->t == T_IDENT && ps->tn == strlen(w) &&
	    memcmp(ps->ts, w, ps->tn) == 0;
}

/* jq 1.6's keywords: not function names, but allowed as object keys. */
static int
is_keyword(const char *s, size_t n)
{
	static const char *const kw[] = {
		"__loc__", "as", "import", "include", "module", "def", "if",
		"then", "elif", "else", "end", "and", "or", "reduce", "foreach",
		"try", "catch", "label",
	};

	for (size_t i = 0; i < sizeof(kw) / sizeof(kw[0]); i++)
		if (strlen(kw[i]) == n && memcmp(kw[i], s, n) == 0)
			return 1;
	return 0;
}

/* ---- parsing --------------------------------------------------------- */

static struct node *
mk(struct parser *ps, enum op op, struct node *a, struct node *b)
{
	struct node *n;

	if (ps->bad || ps->q->nnodes == MAX_NODES) {
		ps->bad = 1;
		return NULL;
	}
	n = &ps->q->nodes[ps->q->nnodes++];
	memset(n, 0, sizeof(*n));
	n->op = op;
	n->a = a;
	n->b = b;
	n->lit = jv_invalid();
	return n;
}

static int
expect(struct parser *ps, enum tok t)
{
	if (ps->t != t) {
		ps->bad = 1;
		return 0;
	}
	next(ps);
	return 1;
}

static struct node *parse_pipe(struct parser *ps);
static struct node *parse_term(struct parser *ps);
static struct node *parse_mul(struct parser *ps);

/* Recursion guard for the rules that call themselves. */
static int
deeper(struct parser *ps)
{
	if (++ps->depth > MAX_DEPTH)
		ps->bad = 1;
	return !ps->bad;
}

/* jq's ExpD, an object value: ['-'] Term ['|' ExpD]. */
static struct node *
parse_objval(struct parser *ps)
{
	struct node *n;

	if (!deeper(ps))
		return NULL;
	if (ps->t == T_MINUS) {
		next(ps);
		n = mk(ps, N_NEG, parse_term(ps), NULL);	/* (-t) | e */
	} else {
		n = parse_term(ps);
	}
	if (!ps->bad && ps->t == T_PIPE) {
		next(ps);
		n = mk(ps, N_PIPE, n, parse_objval(ps));
	}
	ps->depth--;
	return n;
}

static struct node *
lit_key(struct parser *ps, const char *s, size_t len)
{
	struct node *k = mk(ps, N_LIT, NULL, NULL);

	if (k)
		k->lit = jv_string_sized(s, (int)len);
	return k;
}

/* '{' already taken: pairs up to '}'. */
static struct node *
parse_object(struct parser *ps)
{
	struct node *obj = mk(ps, N_OBJECT, NULL, NULL), **tail;

	if (!obj)
		return NULL;
	tail = &obj->a;
	while (!ps->bad && ps->t != T_RC) {
		struct node *pair = mk(ps, N_ID, NULL, NULL), *key = NULL;
		int shorthand = 0;

		if (!pair)
			return NULL;
		if (ps->t == T_IDENT) {
			int kw = is_keyword(ps->ts, ps->tn);

			key = lit_key(ps, ps->ts, ps->tn);
			next(ps);
			if (ps->t != T_COLON) {
				if (kw)
					ps->bad = 1;
				shorthand = 1;
			}
		} else if (ps->t == T_STR) {
			key = mk(ps, N_LIT, NULL, NULL);
			if (key) {
				key->lit = ps->tv;
				ps->tv = jv_invalid();
			}
			next(ps);
			shorthand = ps->t != T_COLON;
		} else if (ps->t == T_LP) {
			next(ps);
			key = parse_pipe(ps);
			expect(ps, T_RP);
			if (ps->t != T_COLON)
				ps->bad = 1;
		} else {
			ps->bad = 1;
		}
		if (ps->bad)
			return NULL;
		pair->a = key;
		if (shorthand) {
			/* {a} is {a: .a} */
			pair->b = mk(ps, N_FIELD, mk(ps, N_ID, NULL, NULL), NULL);
			if (pair->b)
				pair->b->lit = jv_copy(key->lit);
		} else {
			next(ps);	/* the ':' */
			pair->b = parse_objval(ps);
		}
		*tail = pair;
		tail = &pair->next;
		if (ps->t == T_COMMA)
			next(ps);
		else if (ps->t != T_RC)
			ps->bad = 1;
	}
	expect(ps, T_RC);
	return obj;
}

/* IDENT: a builtin of the subset, or the program is not in it. */
static struct node *
parse_call(struct parser *ps)
{
	static const struct {
		const char *name;
		enum op op;
		int args;
	} fn[] = {
		{"empty", N_EMPTY, 0}, {"not", N_NOT, 0},
		{"length", N_LENGTH, 0}, {"type", N_TYPE, 0},
		{"keys", N_KEYS, 0}, {"select", N_SELECT, 1},
		{"map", N_MAP, 1}, {"has", N_HAS, 1},
	};
	struct node *n;

	if (is_word(ps, "true") || is_word(ps, "false") || is_word(ps, "null")) {
		n = mk(ps, N_LIT, NULL, NULL);
		if (n)
			n->lit = is_word(ps, "true") ? jv_true() :
			    is_word(ps, "false") ? jv_false() : jv_null();
		next(ps);
		return n;
	}
	for (size_t i = 0; i < sizeof(fn) / sizeof(fn[0]); i++) {
		if (!is_word(ps, fn[i].name))
			continue;
		next(ps);
		n = mk(ps, fn[i].op, NULL, NULL);
		if (fn[i].args) {
			if (!expect(ps, T_LP))
				return NULL;
			if (n)
				n->a = parse_pipe(ps);
			expect(ps, T_RP);
		} else if (ps->t == T_LP) {
			ps->bad = 1;	/* another arity: someone's own def */
		}
		return n;
	}
	ps->bad = 1;
	return NULL;
}

/* if c then a (elif c then a)* else b end, "if" already taken */
static struct node *
parse_if(struct parser *ps)
{
	struct node *n = mk(ps, N_IF, NULL, NULL);

	if (!n)
		return NULL;
	n->a = parse_pipe(ps);
	if (!is_word(ps, "then")) {
		ps->bad = 1;
		return NULL;
	}
	next(ps);
	n->b = parse_pipe(ps);
	if (is_word(ps, "elif")) {
		next(ps);
		n->c = parse_if(ps);	/* takes the final "end" */
		return n;
	}
	if (!is_word(ps, "else")) {
		ps->bad = 1;
		return NULL;
	}
	next(ps);
	n->c = parse_pipe(ps);
	if (!is_word(ps, "end")) {
		ps->bad = 1;
		return NULL;
	}
	next(ps);
	return n;
}

static struct node *
parse_primary(struct parser *ps)
{
	struct node *n = NULL;

	switch (ps->t) {
	case T_DOT:
		next(ps);
		n = mk(ps, N_ID, NULL, NULL);
		if (ps->t == T_STR) {
			n = mk(ps, N_FIELD, n, NULL);
			if (n) {
				n->lit = ps->tv;
				ps->tv = jv_invalid();
			}
			next(ps);
		}
		return n;
	case T_FIELD:
		n = mk(ps, N_FIELD, mk(ps, N_ID, NULL, NULL), NULL);
		if (n)
			n->lit = jv_string_sized(ps->ts, (int)ps->tn);
		next(ps);
		return n;
	case T_NUM:
	case T_STR:
		n = mk(ps, N_LIT, NULL, NULL);
		if (n) {
			n->lit = ps->tv;
			ps->tv = jv_invalid();
		}
		next(ps);
		return n;
	case T_LP:
		next(ps);
		n = parse_pipe(ps);
		expect(ps, T_RP);
		return n;
	case T_LB:
		next(ps);
		if (ps->t == T_RB) {
			next(ps);
			return mk(ps, N_ARRAY, NULL, NULL);
		}
		n = mk(ps, N_ARRAY, parse_pipe(ps), NULL);
		expect(ps, T_RB);
		return n;
	case T_LC:
		next(ps);
		return parse_object(ps);
	case T_IDENT:
		if (is_word(ps, "if")) {
			next(ps);
			return parse_if(ps);
		}
		if (is_keyword(ps->ts, ps->tn))
			break;
		return parse_call(ps);
	default:
		break;
	}
	ps->bad = 1;
	return NULL;
}

/* Term: primary, then .name ."name" [e] [] */
static struct node *
parse_term(struct parser *ps)
{
	struct node *n;

	if (!deeper(ps))
		return NULL;
	n = parse_primary(ps);
	while (!ps->bad) {
		if (ps->t == T_FIELD) {
			n = mk(ps, N_FIELD, n, NULL);
			if (n)
				n->lit = jv_string_sized(ps->ts, (int)ps->tn);
			next(ps);
		} else if (ps->t == T_DOT) {
			next(ps);
			if (ps->t != T_STR) {
				ps->bad = 1;
				break;
			}
			n = mk(ps, N_FIELD, n, NULL);
			if (n) {
				n->lit = ps->tv;
				ps->tv = jv_invalid();
			}
			next(ps);
		} else if (ps->t == T_LB) {
			next(ps);
			if (ps->t == T_RB) {
				n = mk(ps, N_ITER, n, NULL);
			} else {
				n = mk(ps, N_INDEX, n, parse_pipe(ps));
				if (ps->t != T_RB)
					ps->bad = 1;
			}
			next(ps);
		} else {
			break;
		}
	}
	ps->depth--;
	return n;
}

static struct node *
parse_unary(struct parser *ps)
{
	struct node *n;

	if (ps->t != T_MINUS)
		return parse_term(ps);
	if (!deeper(ps))
		return NULL;
	next(ps);
	n = mk(ps, N_NEG, parse_mul(ps), NULL);
	ps->depth--;
	return n;
}

static struct node *
binop(struct parser *ps, enum bin b, struct node *l, struct node *r)
{
	struct node *n = mk(ps, N_BIN, l, r);

	if (n)
		n->bin = b;
	return n;
}

static struct node *
parse_mul(struct parser *ps)
{
	struct node *n = parse_unary(ps);

	while (!ps->bad) {
		enum bin b;

		if (ps->t == T_STAR)
			b = B_MUL;
		else if (ps->t == T_SLASH)
			b = B_DIV;
		else if (ps->t == T_PERCENT)
			b = B_MOD;
		else
			break;
		next(ps);
		n = binop(ps, b, n, parse_unary(ps));
	}
	return n;
}

static struct node *
parse_add(struct parser *ps)
{
	struct node *n = parse_mul(ps);

	while (!ps->bad && (ps->t == T_PLUS || ps->t == T_MINUS)) {
		enum bin b = ps->t == T_PLUS ? B_ADD : B_SUB;

		next(ps);
		n = binop(ps, b, n, parse_mul(ps));
	}
	return n;
}

static int
cmp_tok(enum tok t, enum bin *b)
{
	switch (t) {
	case T_EQ: *b = B_EQ; return 1;
	case T_NE: *b = B_NE; return 1;
	case T_LT: *b = B_LT; return 1;
	case T_LE: *b = B_LE; return 1;
	case T_GT: *b = B_GT; return 1;
	case T_GE: *b = B_GE; return 1;
	default: return 0;
	}
}

static struct node *
parse_cmp(struct parser *ps)
{
	struct node *n = parse_add(ps);
	enum bin b;

	if (!ps->bad && cmp_tok(ps->t, &b)) {
		next(ps);
		n = binop(ps, b, n, parse_add(ps));
		if (cmp_tok(ps->t, &b))
			ps->bad = 1;	/* non-associative */
	}
	return n;
}

static struct node *
parse_and(struct parser *ps)
{
	struct node *n = parse_cmp(ps);

	while (!ps->bad && is_word(ps, "and")) {
		next(ps);
		n = mk(ps, N_AND, n, parse_cmp(ps));
	}
	return n;
}

static struct node *
parse_or(struct parser *ps)
{
	struct node *n = parse_and(ps);

	while (!ps->bad && is_word(ps, "or")) {
		next(ps);
		n = mk(ps, N_OR, n, parse_and(ps));
	}
	return n;
}

static struct node *
parse_alt(struct parser *ps)
{
	struct node *n;

	if (!deeper(ps))
		return NULL;
	n = parse_or(ps);
	if (!ps->bad && ps->t == T_ALT) {
		next(ps);
		n = mk(ps, N_ALT, n, parse_alt(ps));
	}
	ps->depth--;
	return n;
}

static struct node *
parse_comma(struct parser *ps)
{
	struct node *n = parse_alt(ps);

	while (!ps->bad && ps->t == T_COMMA) {
		next(ps);
		n = mk(ps, N_COMMA, n, parse_alt(ps));
	}
	return n;
}

static struct node *
parse_pipe(struct parser *ps)
{
	struct node *n;

	if (!deeper(ps))
		return NULL;
	n = parse_comma(ps);
	if (!ps->bad && ps->t == T_PIPE) {
		next(ps);
		n = mk(ps, N_PIPE, n, parse_pipe(ps));
	}
	ps->depth--;
	return n;
}

struct sl_jqn *
sl_jqn_compile(const char *program)
{
	struct sl_jqn *q = sl_calloc(1, sizeof(*q));
	struct parser ps;

	q->nodes = sl_calloc(MAX_NODES, sizeof(*q->nodes));
	memset(&ps, 0, sizeof(ps));
	ps.q = q;
	ps.p = program;
	ps.tv = jv_invalid();
	next(&ps);
	q->root = parse_pipe(&ps);
	if (ps.t == T_BAD || ps.t != T_EOF)
		ps.bad = 1;
	jv_free(ps.tv);
	if (ps.bad || !q->root) {
		sl_jqn_free(q);
		return NULL;
	}
	return q;
}

static void
outs_clear(struct sl_jqn *q)
{
	for (size_t i = 0; i < q->nouts; i++)
		if (!q->outs[i].dom)
			jv_free(q->outs[i].v);
	q->nouts = 0;
}

void
sl_jqn_free(struct sl_jqn *q)
{
	if (!q)
		return;
	outs_clear(q);
	for (size_t i = 0; i < q->nnodes; i++)
		jv_free(q->nodes[i].lit);
	free(q->nodes);
	free(q->outs);
	free(q);
}

/* ---- values ---------------------------------------------------------- */

struct val {
	const struct sl_json *dom;	/* a part of the input, or NULL */
	jv v;				/* when dom is NULL */
};

static struct val
V(jv v)
{
	struct val r = { NULL, v };

	return r;
}

static jv_kind
kind(const struct val *v)
{
	if (!v->dom)
		return jv_get_kind(v->v);
	switch (v->dom->type) {
	case SL_JSON_NULL: return JV_KIND_NULL;
	case SL_JSON_FALSE: return JV_KIND_FALSE;
	case SL_JSON_TRUE: return JV_KIND_TRUE;
	case SL_JSON_NUMBER: return JV_KIND_NUMBER;
	case SL_JSON_STRING: return JV_KIND_STRING;
	case SL_JSON_ARRAY: return JV_KIND_ARRAY;
	case SL_JSON_OBJECT: return JV_KIND_OBJECT;
	}
	return JV_KIND_NULL;
}

static int
truthy(const struct val *v)
{
	jv_kind k = kind(v);

	return k != JV_KIND_NULL && k != JV_KIND_FALSE;
}

/* An owned jv of v. */
static jv
to_jv(const struct val *v)
{
	return v->dom ? sl_jq_from_json(v->dom) : jv_copy(v->v);
}

/* A number's double, read as libjq would (v must be a number). */
static double
num(const struct val *v)
{
	return jv_number_value(v->dom ? sl_jq_from_json(v->dom) : v->v);
}

jv
sl_jqn_out_jv(const struct sl_jqn_out *o)
{
	return o->dom ? sl_jq_from_json(o->dom) : jv_copy(o->v);
}

/* ---- evaluation ------------------------------------------------------ */

struct k {
	int (*fn)(struct k *k, const struct val *v);
};

static int eval(const struct node *n, const struct val *in, struct k *k);

/* Calls k with v (owned jv, freed here). */
static int
give(struct k *k, jv v)
{
	struct val r = V(v);
	int rc = k->fn(k, &r);

	jv_free(v);
	return rc;
}

/* t[key] for the index types the subset handles; -1 otherwise. */
static int
index_of(const struct val *t, const struct val *key, struct k *k)
{
	jv_kind tk = kind(t), kk = kind(key);

	if (tk == JV_KIND_NULL && (kk == JV_KIND_STRING ||
	    kk == JV_KIND_NUMBER))
		return give(k, jv_null());
	if (tk == JV_KIND_OBJECT && kk == JV_KIND_STRING) {
		const char *s;
		size_t n;

		if (key->dom) {
			s = key->dom->u.str;
			n = key->dom->len;
		} else {
			s = jv_string_value(key->v);
			n = (size_t)jv_string_length_bytes(jv_copy(key->v));
		}
		if (t->dom) {
			const struct sl_json *m = sl_json_get(t->dom, s, n);
			struct val r = { m, jv_invalid() };

			if (!m)
				return give(k, jv_null());
			return k->fn(k, &r);
		}
		jv r = jv_object_get(jv_copy(t->v), jv_string_sized(s, (int)n));

		if (!jv_is_valid(r)) {
			jv_free(r);
			r = jv_null();
		}
		return give(k, r);
	}
	if (tk == JV_KIND_ARRAY && kk == JV_KIND_NUMBER) {
		double d = num(key);
		long len, i;

		if (d != floor(d) || fabs(d) > 1e9)
			return -1;
		len = t->dom ? (long)t->dom->len :
		    (long)jv_array_length(jv_copy(t->v));
		i = (long)d;
		if (i < 0)
			i += len;
		if (i < 0 || i >= len)
			return give(k, jv_null());
		if (t->dom) {
			struct val r = { &t->dom->u.items[i], jv_invalid() };

			return k->fn(k, &r);
		}
		return give(k, jv_array_get(jv_copy(t->v), (int)i));
	}
	return -1;
}

/* Each element of an array, each value of an object. */
static int
iterate(const struct val *t, struct k *k)
{
	jv_kind tk = kind(t);

	if (tk == JV_KIND_ARRAY && t->dom) {
		for (size_t i = 0; i < t->dom->len; i++) {
			struct val r = { &t->dom->u.items[i], jv_invalid() };

			if (k->fn(k, &r) < 0)
				return -1;
		}
		return 0;
	}
	if (tk == JV_KIND_ARRAY || tk == JV_KIND_OBJECT) {
		/* objects through jv: duplicate keys as libjq keeps them */
		jv a = to_jv(t);
		int rc = 0;

		if (tk == JV_KIND_ARRAY) {
			int n = jv_array_length(jv_copy(a));

			for (int i = 0; i < n && rc == 0; i++)
				rc = give(k, jv_array_get(jv_copy(a), i));
		} else {
			for (int it = jv_object_iter(a);
			    rc == 0 && jv_object_iter_valid(a, it);
			    it = jv_object_iter_next(a, it))
				rc = give(k, jv_object_iter_value(a, it));
		}
		jv_free(a);
		return rc;
	}
	return -1;
}

/* a OP b for one pair of values; -1 where the subset stops. */
static int
binary(enum bin op, const struct val *a, const struct val *b, struct k *k)
{
	jv_kind ak = kind(a), bk = kind(b);
	double x, y;
	int c;

	if (op <= B_GE) {
		if (ak == JV_KIND_NUMBER && bk == JV_KIND_NUMBER) {
			x = num(a);
			y = num(b);
			c = x < y ? -1 : x == y ? 0 : 1;
			if (op == B_EQ || op == B_NE)
				c = x == y ? 0 : 1;
		} else if (op == B_EQ || op == B_NE) {
			c = !jv_equal(to_jv(a), to_jv(b));
		} else {
			c = jv_cmp(to_jv(a), to_jv(b));
		}
		switch (op) {
		case B_EQ: c = c == 0; break;
		case B_NE: c = c != 0; break;
		case B_LT: c = c < 0; break;
		case B_LE: c = c <= 0; break;
		case B_GT: c = c > 0; break;
		default: c = c >= 0; break;
		}
		return give(k, jv_bool(c));
	}
	if (op == B_ADD) {
		if (ak == JV_KIND_NULL)
			return k->fn(k, b);
		if (bk == JV_KIND_NULL)
			return k->fn(k, a);
		if (ak != bk)
			return -1;
		switch (ak) {
		case JV_KIND_NUMBER:
			return give(k, jv_number(num(a) + num(b)));
		case JV_KIND_STRING:
			return give(k, jv_string_concat(to_jv(a), to_jv(b)));
		case JV_KIND_ARRAY:
			return give(k, jv_array_concat(to_jv(a), to_jv(b)));
		case JV_KIND_OBJECT:
			return give(k, jv_object_merge(to_jv(a), to_jv(b)));
		default:
			return -1;
		}
	}
	if (ak != JV_KIND_NUMBER || bk != JV_KIND_NUMBER)
		return -1;
	x = num(a);
	y = num(b);
	switch (op) {
	case B_SUB:
		return give(k, jv_number(x - y));
	case B_MUL:
		return give(k, jv_number(x * y));
	case B_DIV:
		if (y == 0.0)
			return -1;
		return give(k, jv_number(x / y));
	default:	/* B_MOD: jq 1.6 truncates both to integers */
		if (!(fabs(x) < 4e18) || !(fabs(y) < 4e18) ||
		    (long long)y == 0)
			return -1;
		return give(k, jv_number((double)((long long)x %
		    (long long)y)));
	}
}

/* Continuations.  Each carries what the next step needs. */

struct k_pipe {
	struct k k;
	const struct node *b;
	struct k *next;
};

static int
k_pipe_fn(struct k *k, const struct val *v)
{
	struct k_pipe *p = (struct k_pipe *)k;

	return eval(p->b, v, p->next);
}

struct k_field {
	struct k k;
	const struct val *key;
	struct k *next;
};

static int
k_field_fn(struct k *k, const struct val *v)
{
	struct k_field *p = (struct k_field *)k;

	return index_of(v, p->key, p->next);
}

/* N_INDEX: the index is the outer loop, the term the inner one */
struct k_index {
	struct k k;
	const struct node *term;
	const struct val *in;
	struct k *next;
};

static int
k_index_fn(struct k *k, const struct val *key)
{
	struct k_index *p = (struct k_index *)k;
	struct k_field f = { { k_field_fn }, key, p->next };

	return eval(p->term, p->in, &f.k);
}

struct k_iter {
	struct k k;
	struct k *next;
};

static int
k_iter_fn(struct k *k, const struct val *v)
{
	return iterate(v, ((struct k_iter *)k)->next);
}

/* N_ALT: the truthy outputs of a; b when there are none */
struct k_alt {
	struct k k;
	int found;
	struct k *next;
};

static int
k_alt_fn(struct k *k, const struct val *v)
{
	struct k_alt *p = (struct k_alt *)k;

	if (!truthy(v))
		return 0;
	p->found = 1;
	return p->next->fn(p->next, v);
}

/* N_AND, N_OR: the left operand is the outer loop */
struct k_bool2 {
	struct k k;
	struct k *next;
};

static int
k_truth_fn(struct k *k, const struct val *v)
{
	return give(((struct k_bool2 *)k)->next, jv_bool(truthy(v)));
}

struct k_logic {
	struct k k;
	const struct node *b;
	const struct val *in;
	int is_and;
	struct k *next;
};

static int
k_logic_fn(struct k *k, const struct val *v)
{
	struct k_logic *p = (struct k_logic *)k;
	struct k_bool2 t = { { k_truth_fn }, p->next };

	if (p->is_and && !truthy(v))
		return give(p->next, jv_false());
	if (!p->is_and && truthy(v))
		return give(p->next, jv_true());
	return eval(p->b, p->in, &t.k);
}

struct k_neg {
	struct k k;
	struct k *next;
};

static int
k_neg_fn(struct k *k, const struct val *v)
{
	if (kind(v) != JV_KIND_NUMBER)
		return -1;
	return give(((struct k_neg *)k)->next, jv_number(-num(v)));
}

/* N_BIN: for each right value (outer), each left value (inner) */
struct k_binr {
	struct k k;
	const struct node *n;
	const struct val *in;
	struct k *next;
};

struct k_binl {
	struct k k;
	enum bin op;
	const struct val *right;
	struct k *next;
};

static int
k_binl_fn(struct k *k, const struct val *v)
{
	struct k_binl *p = (struct k_binl *)k;

	return binary(p->op, v, p->right, p->next);
}

static int
k_binr_fn(struct k *k, const struct val *v)
{
	struct k_binr *p = (struct k_binr *)k;
	struct k_binl l = { { k_binl_fn }, p->n->bin, v, p->next };

	return eval(p->n->a, p->in, &l.k);
}

/* Collects outputs into a jv array (N_ARRAY, N_MAP). */
struct k_collect {
	struct k k;
	jv arr;
};

static int
k_collect_fn(struct k *k, const struct val *v)
{
	struct k_collect *p = (struct k_collect *)k;

	p->arr = jv_array_append(p->arr, to_jv(v));
	return 0;
}

/* Takes exactly one output (object keys and values). */
struct k_one {
	struct k k;
	int n;
	jv v;
};

static int
k_one_fn(struct k *k, const struct val *v)
{
	struct k_one *p = (struct k_one *)k;

	if (p->n++)
		return -1;
	p->v = to_jv(v);
	return 0;
}

static int
eval_one(const struct node *n, const struct val *in, jv *out)
{
	struct k_one o = { { k_one_fn }, 0, jv_invalid() };

	if (eval(n, in, &o.k) < 0 || o.n != 1) {
		jv_free(o.v);
		return -1;
	}
	*out = o.v;
	return 0;
}

struct k_if {
	struct k k;
	const struct node *n;
	const struct val *in;
	struct k *next;
};

static int
k_if_fn(struct k *k, const struct val *c)
{
	struct k_if *p = (struct k_if *)k;

	return eval(truthy(c) ? p->n->b : p->n->c, p->in, p->next);
}

struct k_select {
	struct k k;
	const struct val *in;
	struct k *next;
};

static int
k_select_fn(struct k *k, const struct val *c)
{
	struct k_select *p = (struct k_select *)k;

	if (!truthy(c))
		return 0;
	return p->next->fn(p->next, p->in);
}

/* N_MAP: f on each element, collected */
struct k_map {
	struct k k;
	const struct node *f;
	struct k_collect *acc;
};

static int
k_map_fn(struct k *k, const struct val *v)
{
	struct k_map *p = (struct k_map *)k;

	return eval(p->f, v, &p->acc->k);
}

struct k_has {
	struct k k;
	const struct val *in;
	struct k *next;
};

static int
k_has_fn(struct k *k, const struct val *key)
{
	struct k_has *p = (struct k_has *)k;
	jv_kind tk = kind(p->in), kk = kind(key);
	jv r;

	if (tk == JV_KIND_OBJECT && kk == JV_KIND_STRING && p->in->dom) {
		const char *s = key->dom ? key->dom->u.str :
		    jv_string_value(key->v);
		size_t n = key->dom ? key->dom->len :
		    (size_t)jv_string_length_bytes(jv_copy(key->v));

		return give(p->next, jv_bool(sl_json_get(p->in->dom, s, n) !=
		    NULL));
	}
	if (!((tk == JV_KIND_OBJECT && kk == JV_KIND_STRING) ||
	    (tk == JV_KIND_ARRAY && kk == JV_KIND_NUMBER)))
		return -1;
	r = jv_has(to_jv(p->in), to_jv(key));
	if (!jv_is_valid(r)) {
		jv_free(r);
		return -1;
	}
	return give(p->next, r);
}

static int
eval_object(const struct node *n, const struct val *in, struct k *k)
{
	jv obj = jv_object();

	for (const struct node *pair = n->a; pair; pair = pair->next) {
		jv key, value;

		if (eval_one(pair->a, in, &key) < 0) {
			jv_free(obj);
			return -1;
		}
		if (jv_get_kind(key) != JV_KIND_STRING ||
		    eval_one(pair->b, in, &value) < 0) {
			jv_free(key);
			jv_free(obj);
			return -1;
		}
		obj = jv_object_set(obj, key, value);
	}
	return give(k, obj);
}

static int
length_of(const struct val *v, struct k *k)
{
	switch (kind(v)) {
	case JV_KIND_NULL:
		return give(k, jv_number(0));
	case JV_KIND_NUMBER:
		return give(k, jv_number(fabs(num(v))));
	case JV_KIND_STRING:
		if (v->dom) {
			size_t n = 0;

			for (size_t i = 0; i < v->dom->len; i++)
				n += ((unsigned char)v->dom->u.str[i] & 0xc0) !=
				    0x80;
			return give(k, jv_number((double)n));
		}
		return give(k, jv_number(jv_string_length_codepoints(
		    jv_copy(v->v))));
	case JV_KIND_ARRAY:
		if (v->dom)
			return give(k, jv_number((double)v->dom->len));
		return give(k, jv_number(jv_array_length(jv_copy(v->v))));
	case JV_KIND_OBJECT: {
		jv o = to_jv(v);

		return give(k, jv_number(jv_object_length(o)));
	}
	default:
		return -1;	/* booleans have no length: libjq's error */
	}
}

static int
eval(const struct node *n, const struct val *in, struct k *k)
{
	switch (n->op) {
	case N_ID:
		return k->fn(k, in);
	case N_LIT: {
		struct val r = V(n->lit);

		return k->fn(k, &r);
	}
	case N_FIELD: {
		struct val key = V(n->lit);
		struct k_field f = { { k_field_fn }, &key, k };

		if (n->a->op == N_ID)
			return index_of(in, &key, k);
		return eval(n->a, in, &f.k);
	}
	case N_INDEX: {
		struct k_index x = { { k_index_fn }, n->a, in, k };

		return eval(n->b, in, &x.k);
	}
	case N_ITER: {
		struct k_iter x = { { k_iter_fn }, k };

		return eval(n->a, in, &x.k);
	}
	case N_PIPE: {
		struct k_pipe p = { { k_pipe_fn }, n->b, k };

		return eval(n->a, in, &p.k);
	}
	case N_COMMA:
		if (eval(n->a, in, k) < 0)
			return -1;
		return eval(n->b, in, k);
	case N_ALT: {
		struct k_alt a = { { k_alt_fn }, 0, k };

		if (eval(n->a, in, &a.k) < 0)
			return -1;
		return a.found ? 0 : eval(n->b, in, k);
	}
	case N_AND:
	case N_OR: {
		struct k_logic l = { { k_logic_fn }, n->b, in, n->op == N_AND,
			k };

		return eval(n->a, in, &l.k);
	}
	case N_NEG: {
		struct k_neg x = { { k_neg_fn }, k };

		return eval(n->a, in, &x.k);
	}
	case N_BIN: {
		struct k_binr r = { { k_binr_fn }, n, in, k };

		return eval(n->b, in, &r.k);
	}
	case N_ARRAY: {
		struct k_collect c = { { k_collect_fn }, jv_array() };

		if (n->a && eval(n->a, in, &c.k) < 0) {
			jv_free(c.arr);
			return -1;
		}
		return give(k, c.arr);
	}
	case N_OBJECT:
		return eval_object(n, in, k);
	case N_IF: {
		struct k_if x = { { k_if_fn }, n, in, k };

		return eval(n->a, in, &x.k);
	}
	case N_SELECT: {
		struct k_select x = { { k_select_fn }, in, k };

		return eval(n->a, in, &x.k);
	}
	case N_EMPTY:
		return 0;
	case N_NOT:
		return give(k, jv_bool(!truthy(in)));
	case N_LENGTH:
		return length_of(in, k);
	case N_TYPE:
		return give(k, jv_string(jv_kind_name(kind(in))));
	case N_KEYS:
		if (kind(in) != JV_KIND_OBJECT && kind(in) != JV_KIND_ARRAY)
			return -1;
		return give(k, jv_keys(to_jv(in)));
	case N_MAP: {
		struct k_collect c = { { k_collect_fn }, jv_array() };
		struct k_map m = { { k_map_fn }, n->a, &c };

		if (iterate(in, &m.k) < 0) {
			jv_free(c.arr);
			return -1;
		}
		return give(k, c.arr);
	}
	case N_HAS: {
		struct k_has h = { { k_has_fn }, in, k };

		return eval(n->a, in, &h.k);
	}
	}
	return -1;
}

/* ---- running --------------------------------------------------------- */

struct k_out {
	struct k k;
	struct sl_jqn *q;
};

static int
k_out_fn(struct k *k, const struct val *v)
{
	struct sl_jqn *q = ((struct k_out *)k)->q;
	struct sl_jqn_out *o;

	if (q->nouts == q->cap) {
		q->cap = q->cap ? 2 * q->cap : 8;
		q->outs = sl_realloc(q->outs, q->cap * sizeof(*q->outs));
	}
	o = &q->outs[q->nouts++];
	o->dom = v->dom;
	o->v = v->dom ? jv_invalid() : jv_copy(v->v);
	return 0;
}

int
sl_jqn_run(struct sl_jqn *q, const struct sl_json *in,
    const struct sl_jqn_out **outs)
{
	struct val root = { in, jv_invalid() };
	struct k_out k = { { k_out_fn }, q };

	outs_clear(q);
	if (eval(q->root, &root, &k.k) < 0) {
		outs_clear(q);
		return -1;
	}
	*outs = q->outs;
	return (int)q->nouts;
}

/* ---- equality with a document ---------------------------------------- */

int
sl_jq_equal_json(jv v, const struct sl_json *d)
{
	struct val dv = { d, jv_invalid() };
	jv_kind k = jv_get_kind(v);
	size_t i, j, distinct, vn;

	if (k != kind(&dv))
		return 0;
	switch (k) {
	case JV_KIND_NUMBER:
		return jv_number_value(v) == num(&dv);
	case JV_KIND_STRING:
		return (size_t)jv_string_length_bytes(jv_copy(v)) == d->len &&
		    memcmp(jv_string_value(v), d->u.str, d->len) == 0;
	case JV_KIND_ARRAY:
		if ((size_t)jv_array_length(jv_copy(v)) != d->len)
			return 0;
		for (i = 0; i < d->len; i++) {
			jv e = jv_array_get(jv_copy(v), (int)i);
			int eq = sl_jq_equal_json(e, &d->u.items[i]);

			jv_free(e);
			if (!eq)
				return 0;
		}
		return 1;
	case JV_KIND_OBJECT:
		vn = (size_t)jv_object_length(jv_copy(v));
		if (vn > d->len)
			return 0;
		/* fewer keys than members: d must hold duplicates */
		distinct = 0;
		for (i = 0; i < d->len && vn < d->len; i++) {
			for (j = 0; j < i; j++)
				if (d->u.members[j].key_len ==
				    d->u.members[i].key_len &&
				    memcmp(d->u.members[j].key,
				    d->u.members[i].key,
				    d->u.members[i].key_len) == 0)
					break;
			if ((distinct += j == i) > vn)
				return 0;
		}
		for (int it = jv_object_iter(v); jv_object_iter_valid(v, it);
		    it = jv_object_iter_next(v, it)) {
			jv key = jv_object_iter_key(v, it);
			const struct sl_json *m = sl_json_get(d,
			    jv_string_value(key),
			    (size_t)jv_string_length_bytes(jv_copy(key)));
			jv e = jv_object_iter_value(v, it);
			int eq = m && sl_jq_equal_json(e, m);

			jv_free(key);
			jv_free(e);
			if (!eq)
				return 0;
		}
		/* every key of v is in d, and d has no more distinct keys */
		return vn == d->len || distinct == vn;
	default:
		return 1;	/* null, false, true */
	}
}
