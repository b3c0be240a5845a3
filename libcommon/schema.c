/*
 * schema.c - JSON Schema draft 2020-12, compiled to a tree of keyword nodes.
 *
 * Compilation runs in three steps:
 *   1. scan: walk every subschema reachable through the keywords that hold
 *      schemas, recording for each its base URI, its JSON Pointer in the
 *      document and its schema resource; register "$id" resources and
 *      "$anchor"/"$dynamicAnchor" names;
 *   2. compile: turn each schema object into a node holding an array of
 *      keyword records sorted by kind (cheap assertions first,
 *      unevaluatedItems/unevaluatedProperties last); $ref targets are
 *      resolved once (nodes are memoised by schema address, so recursive
 *      schemas become cyclic graphs);
 *   3. check that no cycle of in-place applicators ($ref, allOf, not, if ...)
 *      comes back to a schema without descending into the instance: such a
 *      schema could only recurse for ever, so it is refused.
 *
 * Validation walks the graph.  The passing path allocates nothing: the
 * instance location is a chain of stack frames turned into a JSON Pointer
 * only when a violation is reported, and the annotations that
 * unevaluatedItems/unevaluatedProperties need are collected (in the scratch
 * arena) only below a schema that uses them.
 *
 * Numbers are compared as decimals read from their text (no rounding, any
 * size); small integers take a fast path through int64_t.
 *
 * Regular expressions: PCRE2 in UTF mode, without UCP (so \d, \w and \b are
 * ASCII as in ECMA-262), with PCRE2_ALT_BSUX (\uXXXX, \u{...}, \xHH as in
 * ECMA-262) and PCRE2_DOLLAR_ENDONLY; \s and \S (outside classes) are
 * widened to ECMA-262's Unicode white space, "." excludes ECMA-262's line
 * terminators, "[^]" and "[]" are rewritten, long \p{} category names are
 * shortened.  Differences that remain: PCRE2 accepts syntax ECMA-262 refuses
 * (possessive quantifiers, atomic groups, \A, \z ...), and \S inside a
 * class is ASCII-only white space's complement.
 */
#include "config.h"

#define PCRE2_CODE_UNIT_WIDTH 8

#include <arpa/inet.h>
#include <limits.h>
#include <math.h>
#include <pcre2.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "schema.h"
#include "xalloc.h"

/* Nested evaluations on one path: a backstop for $dynamicRef loops. */
#define MAX_EVAL_DEPTH 4096
/*
 * Schemas evaluated for one instance, at most: in-place applicators that
 * fan out ({"allOf": [{"$ref": "#/$defs/a"}, {"$ref": "#/$defs/a"}]} ten
 * levels deep) make the work exponential in the schema's size; past this
 * (about half a second) the instance is invalid, never a hang.
 */
#define MAX_EVAL_STEPS 20000000u
/* Nested compile_node calls (schema nesting plus $ref chains). */
#define MAX_COMPILE_DEPTH 1500
/* PCRE2 match limit: a pathological pattern fails instead of hanging. */
#define RE_MATCH_LIMIT 1000000

/* ---------------------------------------------------------------- numbers */

/* A decimal read from JSON number text: value = 0.DIGITS x 10^exp. */
struct dec {
	int neg;
	const char *a;	/* digits, first part (integer digits) */
	size_t na;
	const char *b;	/* digits, second part (fraction digits) */
	size_t nb;
	long long exp;
};

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static void
dec_parse(const char *s, size_t len, struct dec *d)
{
	const char *p = s, *end = s + len, *ip, *ie, *fp, *fe;
	long long e = 0, x;

	d->neg = 0;
	if (p < end && *p == '-') {
		d->neg = 1;
		p++;
	}
	ip = p;
	while (p < end && is_digit(*p))
		p++;
	ie = p;
	fp = fe = p;
	if (p < end && *p == '.') {
		fp = ++p;
		while (p < end && is_digit(*p))
			p++;
		fe = p;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		int eneg = 0;

		p++;
		if (p < end && (*p == '+' || *p == '-'))
			eneg = *p++ == '-';
		while (p < end && is_digit(*p)) {
			if (e < 1000000000000000LL)
				e = e * 10 + (*p - '0');
			p++;
		}
		if (eneg)
			e = -e;
	}
	while (ip < ie && *ip == '0')
		ip++;
	if (ip < ie) {
		x = ie - ip;
	} else {
		x = 0;
		while (fp < fe && *fp == '0') {
			fp++;
			x--;
		}
	}
	while (fe > fp && fe[-1] == '0')
		fe--;
	if (fe == fp)
		while (ie > ip && ie[-1] == '0')
			ie--;
	d->a = ip;
	d->na = (size_t)(ie - ip);
	d->b = fp;
	d->nb = (size_t)(fe - fp);
	if (d->na + d->nb == 0) {
		d->neg = 0;
		d->exp = 0;
	} else {
		d->exp = x + e;
	}
}

static size_t
dec_ndigits(const struct dec *d)
{
	return d->na + d->nb;
}

static int
dec_digit(const struct dec *d, size_t i)
{
	if (i < d->na)
		return d->a[i];
	if (i - d->na < d->nb)
		return d->b[i - d->na];
	return '0';
}

static int
dec_cmp(const struct dec *x, const struct dec *y)
{
	int sx = dec_ndigits(x) == 0 ? 0 : x->neg ? -1 : 1;
	int sy = dec_ndigits(y) == 0 ? 0 : y->neg ? -1 : 1;
	size_t n;
	int mag = 0;

	if (sx != sy)
		return sx < sy ? -1 : 1;
	if (sx == 0)
		return 0;
	if (x->exp != y->exp) {
		mag = x->exp > y->exp ? 1 : -1;
	} else {
		n = dec_ndigits(x) > dec_ndigits(y) ? dec_ndigits(x) :
		    dec_ndigits(y);
		for (size_t i = 0; i < n && mag == 0; i++) {
			int cx = dec_digit(x, i), cy = dec_digit(y, i);

			if (cx != cy)
				mag = cx > cy ? 1 : -1;
		}
	}
	return sx * mag;
}

static int
dec_is_integer(const struct dec *d)
{
	return dec_ndigits(d) == 0 || d->exp >= (long long)dec_ndigits(d);
}

/* Is x a multiple of y (y > 0)?  Exact when y has at most 18 digits. */
static int
dec_multiple(const struct dec *x, const struct dec *y, const char *xt,
    const char *yt)
{
	size_t nx = dec_ndigits(x), ny = dec_ndigits(y);
	long long ex, ey, k;
	uint64_t m = 0, r = 0;

	if (nx == 0)
		return 1;
	ex = x->exp - (long long)nx;
	ey = y->exp - (long long)ny;
	if (ex < ey)
		return 0;	/* x has fewer trailing zeros than y needs */
	if (ny > 18) {
		/* a divisor of more than 18 digits: in doubles, as others do */
		double q = strtod(xt, NULL) / strtod(yt, NULL);
		double aq = q < 0 ? -q : q;

		if (!isfinite(q))
			return 0;
		return aq >= 9007199254740992.0 || q == (double)(int64_t)q;
	}
	for (size_t i = 0; i < ny; i++)
		m = m * 10 + (uint64_t)(dec_digit(y, i) - '0');
	for (size_t i = 0; i < nx; i++)
		r = (r * 10 + (uint64_t)(dec_digit(x, i) - '0')) % m;
	/* past 64 more zeros, divisibility by 2^i 5^j (i, j < 64) is settled */
	k = ex - ey > 64 ? 64 : ex - ey;
	while (k-- > 0)
		r = r * 10 % m;
	return r == 0;
}

/* A plain integer of at most 18 digits, read into *out. */
static int
small_int(const char *s, size_t len, int64_t *out)
{
	const char *p = s, *end = s + len;
	int neg = 0;
	int64_t v = 0;

	if (p < end && *p == '-') {
		neg = 1;
		p++;
	}
	if (p == end || end - p > 18)
		return 0;
	for (; p < end; p++) {
		if (!is_digit(*p))
			return 0;
		v = v * 10 + (*p - '0');
	}
	*out = neg ? -v : v;
	return 1;
}

/* A limit from the schema, ready for both comparison paths. */
struct numlim {
	struct dec d;
	const char *text;
	size_t len;
	int small;
	int64_t iv;
};

static void
numlim_init(struct numlim *l, const struct sl_json *v)
{
	l->text = v->u.num;
	l->len = v->len;
	dec_parse(v->u.num, v->len, &l->d);
	l->small = small_int(v->u.num, v->len, &l->iv);
}

/* Compares instance number v with limit l: <0, 0, >0. */
static int
num_cmp(const struct sl_json *v, const struct numlim *l)
{
	int64_t iv;
	struct dec d;

	if (l->small && small_int(v->u.num, v->len, &iv))
		return iv < l->iv ? -1 : iv > l->iv;
	dec_parse(v->u.num, v->len, &d);
	return dec_cmp(&d, &l->d);
}

static int
num_is_integer(const struct sl_json *v)
{
	struct dec d;
	size_t i = 0;

	while (i < v->len && v->u.num[i] != '.' && v->u.num[i] != 'e' &&
	    v->u.num[i] != 'E')
		i++;
	if (i == v->len)
		return 1;
	dec_parse(v->u.num, v->len, &d);
	return dec_is_integer(&d);
}

/* ------------------------------------------------ JSON equality and hash */

static int
json_eq(const struct sl_json *a, const struct sl_json *b)
{
	if (a->type != b->type)
		return 0;
	switch (a->type) {
	case SL_JSON_NUMBER: {
		struct dec x, y;

		if (a->len == b->len && memcmp(a->u.num, b->u.num, a->len) == 0)
			return 1;
		dec_parse(a->u.num, a->len, &x);
		dec_parse(b->u.num, b->len, &y);
		return dec_cmp(&x, &y) == 0;
	}
	case SL_JSON_STRING:
		return a->len == b->len &&
		    memcmp(a->u.str, b->u.str, a->len) == 0;
	case SL_JSON_ARRAY:
		if (a->len != b->len)
			return 0;
		for (size_t i = 0; i < a->len; i++)
			if (!json_eq(&a->u.items[i], &b->u.items[i]))
				return 0;
		return 1;
	case SL_JSON_OBJECT:
		if (a->len != b->len)
			return 0;
		for (size_t i = 0; i < a->len; i++) {
			const struct sl_json_member *m = &a->u.members[i];
			const struct sl_json *o = sl_json_get(b, m->key,
			    m->key_len);

			if (o == NULL || !json_eq(&m->value, o))
				return 0;
		}
		return 1;
	default:
		return 1;
	}
}

/* A fast hash of n bytes (eight at a time), continuing from h. */
static uint64_t
hash_bytes(const void *p, size_t n, uint64_t h)
{
	const unsigned char *s = p;
	uint64_t w;

	h ^= n * 0x9e3779b97f4a7c15ULL;
	while (n >= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
		s += 8;
		n -= 8;
	}
	w = 0;
	for (size_t i = 0; i < n; i++)
		w |= (uint64_t)s[i] << (8 * i);
	h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
	return h ^ (h >> 29);
}

#define HASH_SEED 0xcbf29ce484222325ULL

/* A hash consistent with json_eq (1.0 and 1 agree, member order ignored). */
static uint64_t
json_hash(const struct sl_json *v)
{
	uint64_t h = HASH_SEED ^ (uint64_t)v->type * 0x9e3779b97f4a7c15ULL;

	switch (v->type) {
	case SL_JSON_NUMBER: {
		struct dec d;

		char buf[32];
		size_t k = 0, nd;

		/* the digits as one sequence: 1.2e1 and 12 hash alike */
		dec_parse(v->u.num, v->len, &d);
		nd = dec_ndigits(&d);
		h = hash_bytes(&d.neg, sizeof(d.neg), h);
		for (size_t i = 0; i < nd; i++) {
			buf[k++] = (char)dec_digit(&d, i);
			if (k == sizeof(buf) || i + 1 == nd) {
				h = hash_bytes(buf, k, h);
				k = 0;
			}
		}
		return hash_bytes(&d.exp, sizeof(d.exp), h);
	}
	case SL_JSON_STRING:
		return hash_bytes(v->u.str, v->len, h);
	case SL_JSON_ARRAY:
		for (size_t i = 0; i < v->len; i++) {
			uint64_t x = json_hash(&v->u.items[i]);

			h = hash_bytes(&x, sizeof(x), h);
		}
		return h;
	case SL_JSON_OBJECT: {
		uint64_t sum = 0;

		for (size_t i = 0; i < v->len; i++) {
			const struct sl_json_member *m = &v->u.members[i];
			uint64_t k = hash_bytes(m->key, m->key_len, HASH_SEED);

			sum += (k * 31) ^ json_hash(&m->value);
		}
		return hash_bytes(&sum, sizeof(sum), h);
	}
	default:
		return h;
	}
}

/* ----------------------------------------------------------------- nodes */

enum kind {
	K_TYPE,
	K_CONST,
	K_ENUM,
	K_MINIMUM,
	K_EXMINIMUM,
	K_MAXIMUM,
	K_EXMAXIMUM,
	K_MULTIPLEOF,
	K_MINLENGTH,
	K_MAXLENGTH,
	K_PATTERN,
	K_FORMAT,
	K_MINITEMS,
	K_MAXITEMS,
	K_UNIQUE,
	K_MINPROPS,
	K_MAXPROPS,
	K_OBJECT,	/* properties, patternProperties, additionalProperties,
			   required */
	K_DEPREQ,
	K_PROPNAMES,
	K_ITEMS,	/* prefixItems, items */
	K_CONTAINS,	/* contains, minContains, maxContains */
	K_REF,
	K_DYNREF,
	K_ALLOF,
	K_ANYOF,
	K_ONEOF,
	K_NOT,
	K_IF,		/* if, then, else */
	K_DEPSCHEMAS,
	K_UNEVAL_ITEMS,
	K_UNEVAL_PROPS,
};

#define T_NULL		(1u << SL_JSON_NULL)
#define T_BOOL		((1u << SL_JSON_FALSE) | (1u << SL_JSON_TRUE))
#define T_NUMBER	(1u << SL_JSON_NUMBER)
#define T_STRING	(1u << SL_JSON_STRING)
#define T_ARRAY		(1u << SL_JSON_ARRAY)
#define T_OBJECT	(1u << SL_JSON_OBJECT)
#define T_INTEGER	(1u << 7)
#define T_ALL		0x7fu

enum fmt {
	F_DATE_TIME, F_DATE, F_TIME, F_DURATION, F_EMAIL, F_UUID, F_IPV4,
	F_IPV6, F_URI,
};

static const char *const fmt_names[] = {
	"date-time", "date", "time", "duration", "email", "uuid", "ipv4",
	"ipv6", "uri",
};

struct node;
struct resource;

/* A name of properties and/or required. */
struct pentry {
	const char *key;
	size_t klen;
	uint64_t hash;
	const struct node *node;	/* properties/NAME, or NULL */
	long req;			/* bit of required, or -1 */
};

/* A compiled pattern; jit: pcre2_jit_compile() succeeded. */
struct regex {
	pcre2_code *code;
	int jit;
};

struct patprop {
	const struct regex *re;
	const char *src;
	const struct node *node;
};

struct objkw {
	struct pentry *ents;
	size_t nents;
	uint32_t *slots;		/* entry index + 1, 0 = empty */
	size_t mask;
	struct patprop *pats;
	size_t npats;
	const struct node *addl;
	const char *addl_path;
	const char **req;		/* required names, in order */
	size_t *req_len;
	long *req_bit;
	size_t nreq, nreqbits;
	const char *req_path;
	int has_props;
};

struct depreq {
	const char *key;
	size_t klen;
	const struct sl_json *names;	/* array of strings */
	const char *path;
};

struct depschema {
	const char *key;
	size_t klen;
	const struct node *node;
};

struct kw {
	enum kind kind;
	unsigned types;		/* instance types it applies to */
	const char *name;	/* keyword, for violations */
	const char *path;	/* its schema path */
	union {
		unsigned tmask;
		const struct sl_json *val;
		struct {
			const struct sl_json *vals;
			uint64_t *hashes;	/* NULL for short lists */
		} en;
		struct numlim *num;
		size_t n;
		struct {
			const struct regex *re;
			const char *src;
		} pat;
		enum fmt fmt;
		struct objkw *obj;
		struct {
			struct depreq *v;
			size_t n;
		} dr;
		struct {
			struct depschema *v;
			size_t n;
		} ds;
		const struct node *sub;
		struct {
			const struct node **v;
			size_t n;
		} list;
		struct {
			const struct node **pre;
			size_t npre;
			const struct node *items;
			const char *items_path;
		} it;
		struct {
			const struct node *node;
			size_t min, max;
			int has_max, min_given;
			const char *min_path, *max_path;
		} ct;
		struct {
			const struct node *ifn, *thenn, *elsen;
		} cond;
		struct {
			const struct node *target;
			const char *anchor;	/* dynamic: name or NULL */
		} ref;
	} u;
};

struct node {
	int boolean;		/* 0: object schema, 1: true, 2: false */
	int uneval;		/* has unevaluatedItems/Properties */
	int mark;		/* cycle check */
	const struct resource *res;
	const char *path;
	struct kw *kws;
	size_t nkw;
};

struct dynanchor {
	const char *name;
	const struct sl_json *json;
	const struct node *node;
};

struct resource {
	const char *uri;		/* absolute, no fragment */
	const struct sl_json *root;
	const char *path;		/* its JSON Pointer in the document */
	struct dynanchor *dyn;
	size_t ndyn, capdyn;
};

struct sl_schema {
	struct sl_arena a;	/* nodes, keywords, strings */
	const struct node *root;
	const struct resource *root_res;
	unsigned flags;
	pcre2_code **res;
	size_t nres, capres;
	pcre2_match_context *mctx;
	struct resource **rsrc;
	size_t nrsrc, caprsrc;
};

/* ------------------------------------------------------ address -> value */

struct pmap {
	const void **keys;
	void **vals;
	size_t cap, n;
};

static size_t
pmap_slot(const struct pmap *m, const void *k)
{
	uint64_t h = (uint64_t)(uintptr_t)k * 0x9e3779b97f4a7c15ULL;
	size_t i = (size_t)(h >> 20) & (m->cap - 1);

	while (m->keys[i] != NULL && m->keys[i] != k)
		i = (i + 1) & (m->cap - 1);
	return i;
}

static void *
pmap_get(const struct pmap *m, const void *k)
{
	size_t i;

	if (m->cap == 0)
		return NULL;
	i = pmap_slot(m, k);
	return m->keys[i] ? m->vals[i] : NULL;
}

static void
pmap_put(struct pmap *m, const void *k, void *v)
{
	size_t i;

	if ((m->n + 1) * 2 > m->cap) {
		struct pmap o = *m;

		m->cap = o.cap ? o.cap * 2 : 64;
		m->keys = sl_calloc(m->cap, sizeof(*m->keys));
		m->vals = sl_calloc(m->cap, sizeof(*m->vals));
		m->n = 0;
		for (size_t j = 0; j < o.cap; j++)
			if (o.keys[j])
				pmap_put(m, o.keys[j], o.vals[j]);
		free(o.keys);
		free(o.vals);
	}
	i = pmap_slot(m, k);
	if (m->keys[i] == NULL)
		m->n++;
	m->keys[i] = k;
	m->vals[i] = v;
}

static void
pmap_free(struct pmap *m)
{
	free(m->keys);
	free(m->vals);
}

/* --------------------------------------------------------------- URIs */

struct uri {
	const char *scheme, *auth, *path, *query, *frag;
	size_t nscheme, nauth, npath, nquery, nfrag;
	int has_scheme, has_auth, has_query, has_frag;
};

static int
is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static void
uri_split(const char *s, struct uri *u)
{
	const char *p = s, *q = s;

	memset(u, 0, sizeof(*u));
	if (is_alpha(*q)) {
		while (is_alpha(*q) || is_digit(*q) || *q == '+' || *q == '-' ||
		    *q == '.')
			q++;
		if (*q == ':') {
			u->has_scheme = 1;
			u->scheme = p;
			u->nscheme = (size_t)(q - p);
			p = q + 1;
		}
	}
	if (p[0] == '/' && p[1] == '/') {
		p += 2;
		u->has_auth = 1;
		u->auth = p;
		while (*p && *p != '/' && *p != '?' && *p != '#')
			p++;
		u->nauth = (size_t)(p - u->auth);
	}
	u->path = p;
	while (*p && *p != '?' && *p != '#')
		p++;
	u->npath = (size_t)(p - u->path);
	if (*p == '?') {
		u->has_query = 1;
		u->query = ++p;
		while (*p && *p != '#')
			p++;
		u->nquery = (size_t)(p - u->query);
	}
	if (*p == '#') {
		u->has_frag = 1;
		u->frag = ++p;
		u->nfrag = strlen(p);
	}
}

/* RFC 3986 5.2.4, appending the result to out. */
static void
remove_dots(struct sl_buf *out, const char *in, size_t n)
{
	char *s = sl_strndup(in, n), *p = s;
	size_t start = out->len;

	while (*p) {
		if (strncmp(p, "../", 3) == 0) {
			p += 3;
		} else if (strncmp(p, "./", 2) == 0) {
			p += 2;
		} else if (strncmp(p, "/./", 3) == 0) {
			p += 2;
		} else if (strcmp(p, "/.") == 0) {
			p[1] = '\0';
		} else if (strncmp(p, "/../", 4) == 0 ||
		    strcmp(p, "/..") == 0) {
			if (p[3] == '/')
				p += 3;
			else {
				p += 2;
				*p = '/';
			}
			while (out->len > start &&
			    out->data[out->len - 1] != '/')
				out->len--;
			if (out->len > start)
				out->len--;
			out->data[out->len] = '\0';
		} else if (strcmp(p, ".") == 0 || strcmp(p, "..") == 0) {
			break;
		} else {
			char *e = p + 1;

			while (*e && *e != '/')
				e++;
			if (*p != '/') {
				e = p;
				while (*e && *e != '/')
					e++;
			}
			sl_buf_add(out, p, (size_t)(e - p));
			p = e;
		}
	}
	free(s);
}

/* Resolves ref against base (RFC 3986 5.2.2) into out. */
static void
uri_resolve(struct sl_buf *out, const char *base, const char *ref)
{
	struct uri b, r;

	uri_split(base, &b);
	uri_split(ref, &r);
	sl_buf_reset(out);
	if (r.has_scheme) {
		sl_buf_add(out, r.scheme, r.nscheme);
		sl_buf_addc(out, ':');
		if (r.has_auth) {
			sl_buf_adds(out, "//");
			sl_buf_add(out, r.auth, r.nauth);
		}
		remove_dots(out, r.path, r.npath);
		if (r.has_query) {
			sl_buf_addc(out, '?');
			sl_buf_add(out, r.query, r.nquery);
		}
	} else {
		if (b.has_scheme) {
			sl_buf_add(out, b.scheme, b.nscheme);
			sl_buf_addc(out, ':');
		}
		if (r.has_auth) {
			sl_buf_adds(out, "//");
			sl_buf_add(out, r.auth, r.nauth);
			remove_dots(out, r.path, r.npath);
			if (r.has_query) {
				sl_buf_addc(out, '?');
				sl_buf_add(out, r.query, r.nquery);
			}
		} else {
			if (b.has_auth) {
				sl_buf_adds(out, "//");
				sl_buf_add(out, b.auth, b.nauth);
			}
			if (r.npath == 0) {
				sl_buf_add(out, b.path, b.npath);
				if (r.has_query) {
					sl_buf_addc(out, '?');
					sl_buf_add(out, r.query, r.nquery);
				} else if (b.has_query) {
					sl_buf_addc(out, '?');
					sl_buf_add(out, b.query, b.nquery);
				}
			} else {
				struct sl_buf m = SL_BUF_INIT;

				if (r.path[0] == '/') {
					sl_buf_add(&m, r.path, r.npath);
				} else if (b.has_auth && b.npath == 0) {
					sl_buf_addc(&m, '/');
					sl_buf_add(&m, r.path, r.npath);
				} else {
					size_t k = b.npath;

					while (k > 0 && b.path[k - 1] != '/')
						k--;
					sl_buf_add(&m, b.path, k);
					sl_buf_add(&m, r.path, r.npath);
				}
				if (m.len && (b.has_auth || m.data[0] == '/'))
					remove_dots(out, m.data, m.len);
				else if (m.len)
					sl_buf_add(out, m.data, m.len);
				sl_buf_release(&m);
				if (r.has_query) {
					sl_buf_addc(out, '?');
					sl_buf_add(out, r.query, r.nquery);
				}
			}
		}
	}
	if (r.has_frag) {
		sl_buf_addc(out, '#');
		sl_buf_add(out, r.frag, r.nfrag);
	}
}

/* ------------------------------------------------------------- compiling */

#define DEFAULT_BASE "sluice:///schema.json"

struct loc {
	const char *base;
	const char *path;
	struct resource *res;
};

struct anchor {
	const char *uri;	/* absolute with fragment */
	const struct sl_json *json;
};

struct comp {
	struct sl_schema *s;
	struct sl_schema_error *err;
	struct pmap locs;	/* schema json -> struct loc */
	struct pmap nodes;	/* schema json -> struct node */
	struct anchor *anchors;
	size_t nanchors, capanchors;
	struct node **all;	/* every node, for the cycle check */
	size_t nall, capall;
	const struct sl_json **scanned;	/* every schema, in order */
	size_t nscanned, capscanned;
	int depth;		/* compile_node nesting */
	int failed;
};

static char *
cstr(struct comp *cp, const char *s, size_t n)
{
	return sl_arena_strndup(&cp->s->a, s, n);
}

static void *
calloc_a(struct comp *cp, size_t n)
{
	void *p = sl_arena_alloc(&cp->s->a, n ? n : 1);

	memset(p, 0, n ? n : 1);
	return p;
}

__attribute__((format(printf, 3, 4)))
static int
cerr(struct comp *cp, const char *path, const char *fmt, ...)
{
	va_list ap;

	if (cp->failed)
		return -1;
	cp->failed = 1;
	snprintf(cp->err->pointer, sizeof(cp->err->pointer), "%s", path);
	va_start(ap, fmt);
	vsnprintf(cp->err->msg, sizeof(cp->err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

/* path + "/" + escaped token, in the schema's arena. */
static const char *
path_join(struct comp *cp, const char *path, const char *tok, size_t n)
{
	struct sl_buf b = SL_BUF_INIT;
	const char *r;

	sl_buf_adds(&b, path);
	sl_buf_addc(&b, '/');
	for (size_t i = 0; i < n; i++) {
		if (tok[i] == '~')
			sl_buf_adds(&b, "~0");
		else if (tok[i] == '/')
			sl_buf_adds(&b, "~1");
		else
			sl_buf_addc(&b, tok[i]);
	}
	r = cstr(cp, b.data, b.len);
	sl_buf_release(&b);
	return r;
}

static const char *
path_idx(struct comp *cp, const char *path, size_t i)
{
	char t[32];
	int n = snprintf(t, sizeof(t), "%zu", i);

	return path_join(cp, path, t, (size_t)n);
}

static int
is_schema(const struct sl_json *v)
{
	return v->type == SL_JSON_OBJECT || v->type == SL_JSON_TRUE ||
	    v->type == SL_JSON_FALSE;
}

/* Keywords holding one schema, an object of schemas, an array of them. */
static const char *const kw_single[] = {
	"additionalProperties", "propertyNames", "items", "contains", "not",
	"if", "then", "else", "unevaluatedItems", "unevaluatedProperties",
	"contentSchema", NULL,
};
static const char *const kw_map[] = {
	"properties", "patternProperties", "$defs", "definitions",
	"dependentSchemas", NULL,
};
static const char *const kw_array[] = {
	"allOf", "anyOf", "oneOf", "prefixItems", NULL,
};

static int
in_list(const char *const *list, const char *k)
{
	for (; *list; list++)
		if (strcmp(*list, k) == 0)
			return 1;
	return 0;
}

static struct resource *
find_resource(struct sl_schema *s, const char *uri, size_t n)
{
	for (size_t i = 0; i < s->nrsrc; i++)
		if (strlen(s->rsrc[i]->uri) == n &&
		    memcmp(s->rsrc[i]->uri, uri, n) == 0)
			return s->rsrc[i];
	return NULL;
}

static int
valid_anchor(const char *s)
{
	if (!is_alpha(*s) && *s != '_')
		return 0;
	for (s++; *s; s++)
		if (!is_alpha(*s) && !is_digit(*s) && *s != '-' && *s != '_' &&
		    *s != '.')
			return 0;
	return 1;
}

static int
add_anchor(struct comp *cp, struct resource *r, const char *name,
    const struct sl_json *j, const char *path, const char *kw)
{
	struct sl_buf b = SL_BUF_INIT;
	struct anchor *an;

	if (!valid_anchor(name))
		return cerr(cp, path, "\"%s\" must be a plain name, "
		    "not \"%s\"", kw, name);
	sl_buf_addf(&b, "%s#%s", r->uri, name);
	for (size_t i = 0; i < cp->nanchors; i++)
		if (strcmp(cp->anchors[i].uri, b.data) == 0 &&
		    cp->anchors[i].json != j) {
			sl_buf_release(&b);
			return cerr(cp, path, "anchor \"%s\" is defined twice",
			    name);
		}
	cp->anchors = sl_grow(cp->anchors, &cp->capanchors, cp->nanchors + 1,
	    sizeof(*cp->anchors));
	an = &cp->anchors[cp->nanchors++];
	an->uri = cstr(cp, b.data, b.len);
	an->json = j;
	sl_buf_release(&b);
	return 0;
}

/* Step 1: registers locations, resources and anchors below j. */
static int
scan(struct comp *cp, const struct sl_json *j, const char *base,
    const char *path, struct resource *res, int depth)
{
	struct loc *l;
	const struct sl_json *v;

	if (depth > SL_JSON_MAX_DEPTH + 8)
		return cerr(cp, path, "schema nested too deeply");
	if (!is_schema(j))
		return cerr(cp, path, "a schema must be an object or a "
		    "boolean, not %s", sl_json_type_name(j->type));
	if (pmap_get(&cp->locs, j))
		return 0;
	l = calloc_a(cp, sizeof(*l));
	if (j->type == SL_JSON_OBJECT &&
	    (v = sl_json_get(j, "$id", 3)) != NULL) {
		struct sl_buf u = SL_BUF_INIT;
		const char *hash;
		struct resource *r;

		if (v->type != SL_JSON_STRING)
			return cerr(cp, path_join(cp, path, "$id", 3),
			    "\"$id\" must be a string");
		uri_resolve(&u, base, v->u.str);
		hash = strchr(u.data, '#');
		if (hash && hash[1] != '\0') {
			sl_buf_release(&u);
			return cerr(cp, path_join(cp, path, "$id", 3),
			    "\"$id\" must not have a fragment");
		}
		if (hash)
			u.len = (size_t)(hash - u.data);
		r = find_resource(cp->s, u.data, u.len);
		if (r != NULL && r->root != j) {
			sl_buf_release(&u);
			return cerr(cp, path_join(cp, path, "$id", 3),
			    "\"$id\" \"%s\" is defined twice", v->u.str);
		}
		if (r == NULL) {
			r = calloc_a(cp, sizeof(*r));
			r->uri = cstr(cp, u.data, u.len);
			r->root = j;
			r->path = path;
			cp->s->rsrc = sl_grow(cp->s->rsrc, &cp->s->caprsrc,
			    cp->s->nrsrc + 1, sizeof(*cp->s->rsrc));
			cp->s->rsrc[cp->s->nrsrc++] = r;
		}
		sl_buf_release(&u);
		res = r;
		base = r->uri;
	}
	l->base = base;
	l->path = path;
	l->res = res;
	pmap_put(&cp->locs, j, l);
	cp->scanned = sl_grow(cp->scanned, &cp->capscanned, cp->nscanned + 1,
	    sizeof(*cp->scanned));
	cp->scanned[cp->nscanned++] = j;
	if (j->type != SL_JSON_OBJECT)
		return 0;
	if ((v = sl_json_get(j, "$anchor", 7)) != NULL) {
		if (v->type != SL_JSON_STRING)
			return cerr(cp, path_join(cp, path, "$anchor", 7),
			    "\"$anchor\" must be a string");
		if (add_anchor(cp, res, v->u.str, j,
		    path_join(cp, path, "$anchor", 7), "$anchor"))
			return -1;
	}
	if ((v = sl_json_get(j, "$dynamicAnchor", 14)) != NULL) {
		struct dynanchor *d;

		if (v->type != SL_JSON_STRING)
			return cerr(cp, path_join(cp, path, "$dynamicAnchor",
			    14), "\"$dynamicAnchor\" must be a string");
		if (add_anchor(cp, res, v->u.str, j, path_join(cp, path,
		    "$dynamicAnchor", 14), "$dynamicAnchor"))
			return -1;
		res->dyn = sl_grow(res->dyn, &res->capdyn, res->ndyn + 1,
		    sizeof(*res->dyn));
		d = &res->dyn[res->ndyn++];
		d->name = v->u.str;
		d->json = j;
		d->node = NULL;
	}
	for (size_t i = 0; i < j->len; i++) {
		const struct sl_json_member *m = &j->u.members[i];
		const char *kp;

		if (in_list(kw_single, m->key)) {
			kp = path_join(cp, path, m->key, m->key_len);
			if (!is_schema(&m->value))
				return cerr(cp, kp, "\"%s\" must be a schema "
				    "(an object or a boolean)", m->key);
			if (scan(cp, &m->value, base, kp, res, depth + 1))
				return -1;
		} else if (in_list(kw_map, m->key)) {
			kp = path_join(cp, path, m->key, m->key_len);
			if (m->value.type != SL_JSON_OBJECT)
				return cerr(cp, kp, "\"%s\" must be an object",
				    m->key);
			for (size_t k = 0; k < m->value.len; k++) {
				const struct sl_json_member *e =
				    &m->value.u.members[k];
				const char *ep = path_join(cp, kp, e->key,
				    e->key_len);

				if (!is_schema(&e->value))
					return cerr(cp, ep, "a schema must be "
					    "an object or a boolean, not %s",
					    sl_json_type_name(e->value.type));
				if (scan(cp, &e->value, base, ep, res,
				    depth + 1))
					return -1;
			}
		} else if (strcmp(m->key, "dependencies") == 0 &&
		    m->value.type == SL_JSON_OBJECT) {
			/* draft 7: arrays of names or schemas */
			kp = path_join(cp, path, m->key, m->key_len);
			for (size_t k = 0; k < m->value.len; k++) {
				const struct sl_json_member *e =
				    &m->value.u.members[k];
				const char *ep = path_join(cp, kp, e->key,
				    e->key_len);

				if (e->value.type == SL_JSON_ARRAY)
					continue;
				if (!is_schema(&e->value))
					return cerr(cp, ep, "must be an array "
					    "of names or a schema");
				if (scan(cp, &e->value, base, ep, res,
				    depth + 1))
					return -1;
			}
		} else if (in_list(kw_array, m->key)) {
			kp = path_join(cp, path, m->key, m->key_len);
			if (m->value.type != SL_JSON_ARRAY ||
			    m->value.len == 0)
				return cerr(cp, kp, "\"%s\" must be a "
				    "non-empty array of schemas", m->key);
			for (size_t k = 0; k < m->value.len; k++) {
				const struct sl_json *e = &m->value.u.items[k];
				const char *ep = path_idx(cp, kp, k);

				if (!is_schema(e))
					return cerr(cp, ep, "a schema must be "
					    "an object or a boolean, not %s",
					    sl_json_type_name(e->type));
				if (scan(cp, e, base, ep, res, depth + 1))
					return -1;
			}
		}
	}
	return 0;
}

static const struct node *compile_node(struct comp *cp,
    const struct sl_json *j, const struct loc *l);

/* Percent-decodes a URI fragment; -1 when malformed. */
static int
pct_decode(struct sl_buf *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%') {
			int v = 0;

			if (i + 2 >= n)
				return -1;
			for (int k = 1; k <= 2; k++) {
				char c = s[i + (size_t)k];

				v <<= 4;
				if (is_digit(c))
					v |= c - '0';
				else if (c >= 'a' && c <= 'f')
					v |= c - 'a' + 10;
				else if (c >= 'A' && c <= 'F')
					v |= c - 'A' + 10;
				else
					return -1;
			}
			sl_buf_addc(out, (char)v);
			i += 2;
		} else {
			sl_buf_addc(out, s[i]);
		}
	}
	return 0;
}

/*
 * Resolves a $ref/$dynamicRef value against the base of the schema holding
 * it; returns the target node or NULL (error set).
 */
static const struct node *
resolve_ref(struct comp *cp, const char *ref, const char *base,
    const char *kp, const struct sl_json **target_json)
{
	struct sl_buf u = SL_BUF_INIT, frag = SL_BUF_INIT, p = SL_BUF_INIT;
	const struct sl_json *t = NULL;
	const struct node *n = NULL;
	struct resource *r;
	const char *hash;
	size_t rlen;

	uri_resolve(&u, base, ref);
	hash = strchr(u.data, '#');
	rlen = hash ? (size_t)(hash - u.data) : u.len;
	r = find_resource(cp->s, u.data, rlen);
	if (r == NULL) {
		cerr(cp, kp, "reference \"%s\" names a remote document "
		    "\"%.*s\" (remote references are not supported)", ref,
		    (int)(rlen > 200 ? 200 : rlen), u.data);
		goto out;
	}
	if (hash == NULL || hash[1] == '\0') {
		t = r->root;
	} else if (hash[1] == '/') {
		if (pct_decode(&frag, hash + 1, strlen(hash + 1))) {
			cerr(cp, kp, "reference \"%s\": bad %%-escape", ref);
			goto out;
		}
		t = sl_json_pointer(r->root, frag.data, frag.len);
		if (t == NULL || !is_schema(t)) {
			cerr(cp, kp, "reference \"%s\" does not resolve to a "
			    "schema", ref);
			goto out;
		}
		if (pmap_get(&cp->locs, t) == NULL) {
			/* a schema the scan did not reach (unknown keyword) */
			sl_buf_addf(&p, "%s%s", r->path, frag.data);
			if (scan(cp, t, r->uri, cstr(cp, p.data, p.len), r, 0))
				goto out;
		}
	} else {
		for (size_t i = 0; i < cp->nanchors; i++)
			if (strcmp(cp->anchors[i].uri, u.data) == 0)
				t = cp->anchors[i].json;
		if (t == NULL) {
			cerr(cp, kp, "reference \"%s\": no anchor \"%s\"", ref,
			    hash + 1);
			goto out;
		}
	}
	if (target_json)
		*target_json = t;
	n = compile_node(cp, t, pmap_get(&cp->locs, t));
out:
	sl_buf_release(&u);
	sl_buf_release(&frag);
	sl_buf_release(&p);
	return n;
}

static int
get_nonneg(struct comp *cp, const struct sl_json *v, const char *kp,
    const char *name, size_t *out)
{
	struct dec d;
	size_t x = 0;

	if (v->type != SL_JSON_NUMBER)
		return cerr(cp, kp, "\"%s\" must be a non-negative integer",
		    name);
	dec_parse(v->u.num, v->len, &d);
	if (d.neg || !dec_is_integer(&d))
		return cerr(cp, kp, "\"%s\" must be a non-negative integer",
		    name);
	if (d.exp > 19) {
		*out = SIZE_MAX;
		return 0;
	}
	for (long long i = 0; i < d.exp; i++) {
		unsigned dg = (unsigned)(dec_digit(&d, (size_t)i) - '0');

		if (x > (SIZE_MAX - dg) / 10) {
			*out = SIZE_MAX;
			return 0;
		}
		x = x * 10 + dg;
	}
	*out = x;
	return 0;
}

/* ECMA-262's \s beyond ASCII. */
#define ECMA_SPACE "\\s\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029" \
	"\\u202f\\u205f\\u3000\\ufeff"

/* ECMA-262 long General_Category names PCRE2 10.42 does not know. */
static const char *const gc_long[][2] = {
	{ "Letter", "L" }, { "Cased_Letter", "L&" },
	{ "Uppercase_Letter", "Lu" }, { "Lowercase_Letter", "Ll" },
	{ "Titlecase_Letter", "Lt" }, { "Modifier_Letter", "Lm" },
	{ "Other_Letter", "Lo" }, { "Mark", "M" }, { "Combining_Mark", "M" },
	{ "Nonspacing_Mark", "Mn" }, { "Spacing_Mark", "Mc" },
	{ "Enclosing_Mark", "Me" }, { "Number", "N" },
	{ "Decimal_Number", "Nd" }, { "digit", "Nd" },
	{ "Letter_Number", "Nl" }, { "Other_Number", "No" },
	{ "Punctuation", "P" }, { "punct", "P" },
	{ "Connector_Punctuation", "Pc" }, { "Dash_Punctuation", "Pd" },
	{ "Open_Punctuation", "Ps" }, { "Close_Punctuation", "Pe" },
	{ "Initial_Punctuation", "Pi" }, { "Final_Punctuation", "Pf" },
	{ "Other_Punctuation", "Po" }, { "Symbol", "S" },
	{ "Math_Symbol", "Sm" }, { "Currency_Symbol", "Sc" },
	{ "Modifier_Symbol", "Sk" }, { "Other_Symbol", "So" },
	{ "Separator", "Z" }, { "Space_Separator", "Zs" },
	{ "Line_Separator", "Zl" }, { "Paragraph_Separator", "Zp" },
	{ "Other", "C" }, { "Control", "Cc" }, { "cntrl", "Cc" },
	{ "Format", "Cf" }, { "Surrogate", "Cs" }, { "Private_Use", "Co" },
	{ "Unassigned", "Cn" },
};

/*
 * Appends the \p{...} property name at src[0..n) in PCRE2's spelling:
 * "General_Category=", "gc=", "Script=" and "sc=" prefixes dropped,
 * "Script_Extensions="/"scx=" as "scx:", long category names shortened.
 */
static void
re_property(struct sl_buf *b, const char *src, size_t n)
{
	static const char *const drop[] = { "General_Category=", "gc=",
	    "Script=", "sc=" };
	static const char *const ext[] = { "Script_Extensions=", "scx=" };

	for (size_t i = 0; i < 2; i++)
		if (n > strlen(ext[i]) && memcmp(src, ext[i], strlen(ext[i])) ==
		    0) {
			sl_buf_adds(b, "scx:");
			src += strlen(ext[i]);
			n -= strlen(ext[i]);
		}
	for (size_t i = 0; i < 4; i++)
		if (n > strlen(drop[i]) && memcmp(src, drop[i],
		    strlen(drop[i])) == 0) {
			src += strlen(drop[i]);
			n -= strlen(drop[i]);
		}
	for (size_t i = 0; i < sizeof(gc_long) / sizeof(gc_long[0]); i++)
		if (strlen(gc_long[i][0]) == n &&
		    memcmp(gc_long[i][0], src, n) == 0) {
			sl_buf_adds(b, gc_long[i][1]);
			return;
		}
	sl_buf_add(b, src, n);
}

static const struct regex *
compile_re(struct comp *cp, const char *src, size_t len, const char *kp)
{
	struct sl_buf b = SL_BUF_INIT;
	int in_class = 0, ec;
	PCRE2_SIZE eo;
	pcre2_compile_context *cc = pcre2_compile_context_create(NULL);
	pcre2_code *re;
	struct regex *rx;

	for (size_t i = 0; i < len; i++) {
		char c = src[i];

		if (c == '\\' && i + 1 < len) {
			char d = src[++i];

			const char *close = (d == 'p' || d == 'P') &&
			    i + 1 < len && src[i + 1] == '{' ?
			    memchr(src + i + 1, '}', len - i - 1) : NULL;

			if (close) {
				sl_buf_addc(&b, '\\');
				sl_buf_addc(&b, d);
				sl_buf_addc(&b, '{');
				re_property(&b, src + i + 2,
				    (size_t)(close - (src + i + 2)));
				sl_buf_addc(&b, '}');
				i = (size_t)(close - src);
			} else if (d == 's')
				sl_buf_adds(&b, in_class ? ECMA_SPACE :
				    "[" ECMA_SPACE "]");
			else if (d == 'S' && !in_class)
				sl_buf_adds(&b, "[^" ECMA_SPACE "]");
			else {
				sl_buf_addc(&b, c);
				sl_buf_addc(&b, d);
			}
		} else if (!in_class && c == '[') {
			if (i + 1 < len && src[i + 1] == ']') {
				sl_buf_adds(&b, "(?!)");
				i++;
			} else if (i + 2 < len && src[i + 1] == '^' &&
			    src[i + 2] == ']') {
				sl_buf_adds(&b, "[\\s\\S]");
				i += 2;
			} else {
				in_class = 1;
				sl_buf_addc(&b, c);
				if (i + 1 < len && src[i + 1] == '^')
					sl_buf_addc(&b, src[++i]);
			}
		} else if (!in_class && c == '.') {
			/* ECMA-262: any character but a line terminator */
			sl_buf_adds(&b, "[^\\n\\r\\u2028\\u2029]");
		} else {
			if (in_class && c == ']')
				in_class = 0;
			sl_buf_addc(&b, c);
		}
	}
	pcre2_set_compile_extra_options(cc, PCRE2_EXTRA_ALT_BSUX);
	re = pcre2_compile((PCRE2_SPTR)(b.data ? b.data : ""), b.len,
	    PCRE2_UTF | PCRE2_ALT_BSUX | PCRE2_DOLLAR_ENDONLY, &ec, &eo, cc);
	pcre2_compile_context_free(cc);
	sl_buf_release(&b);
	if (re == NULL) {
		PCRE2_UCHAR msg[160];

		pcre2_get_error_message(ec, msg, sizeof(msg));
		cerr(cp, kp, "invalid regular expression \"%.*s\": %s",
		    (int)(len > 60 ? 60 : len), src, (const char *)msg);
		return NULL;
	}
	cp->s->res = sl_grow(cp->s->res, &cp->s->capres, cp->s->nres + 1,
	    sizeof(*cp->s->res));
	cp->s->res[cp->s->nres++] = re;
	rx = calloc_a(cp, sizeof(*rx));
	rx->code = re;
	rx->jit = pcre2_jit_compile(re, PCRE2_JIT_COMPLETE) == 0;
	return rx;
}

static struct kw *
kw_add(struct comp *cp, struct kw **kws, size_t *n, size_t *cap,
    enum kind kind, unsigned types, const char *name, const char *path)
{
	struct kw *k;

	(void)cp;
	*kws = sl_grow(*kws, cap, *n + 1, sizeof(**kws));
	k = &(*kws)[(*n)++];
	memset(k, 0, sizeof(*k));
	k->kind = kind;
	k->types = types;
	k->name = name;
	k->path = path;
	return k;
}

static const struct node *
sub_node(struct comp *cp, const struct sl_json *j)
{
	return compile_node(cp, j, pmap_get(&cp->locs, j));
}

static int
type_bit(const char *t, unsigned *mask)
{
	static const struct {
		const char *n;
		unsigned b;
	} tt[] = {
		{ "null", T_NULL }, { "boolean", T_BOOL },
		{ "number", T_NUMBER }, { "integer", T_INTEGER },
		{ "string", T_STRING }, { "array", T_ARRAY },
		{ "object", T_OBJECT },
	};

	for (size_t i = 0; i < sizeof(tt) / sizeof(tt[0]); i++)
		if (strcmp(t, tt[i].n) == 0) {
			*mask |= tt[i].b;
			return 0;
		}
	return -1;
}

static int
kw_cmp(const void *a, const void *b)
{
	const struct kw *x = a, *y = b;

	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return x < y ? -1 : x > y;
}

/* memcmp for short keys, without the call. */
static int
key_eq(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return 0;
	return 1;
}

static struct pentry *
obj_lookup(const struct objkw *o, const char *k, size_t n, uint64_t h)
{
	size_t i = (size_t)h & o->mask;

	for (;;) {
		uint32_t s = o->slots[i];
		struct pentry *e;

		if (s == 0)
			return NULL;
		e = &o->ents[s - 1];
		if (e->hash == h && e->klen == n && key_eq(e->key, k, n))
			return e;
		i = (i + 1) & o->mask;
	}
}

static struct pentry *
obj_insert(struct objkw *o, const char *k, size_t n)
{
	uint64_t h = hash_bytes(k, n, HASH_SEED);
	struct pentry *e = obj_lookup(o, k, n, h);
	size_t i;

	if (e)
		return e;
	e = &o->ents[o->nents++];
	e->key = k;
	e->klen = n;
	e->hash = h;
	e->node = NULL;
	e->req = -1;
	i = (size_t)h & o->mask;
	while (o->slots[i])
		i = (i + 1) & o->mask;
	o->slots[i] = (uint32_t)o->nents;
	return e;
}

static int
compile_object(struct comp *cp, const struct sl_json *j, const char *path,
    struct kw **kws, size_t *nkw, size_t *capkw)
{
	const struct sl_json *props = sl_json_get(j, "properties", 10);
	const struct sl_json *pats = sl_json_get(j, "patternProperties", 17);
	const struct sl_json *addl = sl_json_get(j, "additionalProperties", 20);
	const struct sl_json *req = sl_json_get(j, "required", 8);
	size_t cap = 1, total = 0;
	struct objkw *o;
	struct kw *k;
	const char *kp;

	if (!props && !pats && !addl && !req)
		return 0;
	o = calloc_a(cp, sizeof(*o));
	if (req) {
		kp = path_join(cp, path, "required", 8);
		if (req->type != SL_JSON_ARRAY)
			return cerr(cp, kp, "\"required\" must be an array of "
			    "strings");
		for (size_t i = 0; i < req->len; i++)
			if (req->u.items[i].type != SL_JSON_STRING)
				return cerr(cp, path_idx(cp, kp, i),
				    "\"required\" must be an array of strings");
		total += req->len;
		o->req_path = kp;
	}
	if (props)
		total += props->len;
	while (cap < total * 2 + 2)
		cap <<= 1;
	o->ents = calloc_a(cp, (total + 1) * sizeof(*o->ents));
	o->slots = calloc_a(cp, cap * sizeof(*o->slots));
	o->mask = cap - 1;
	if (props) {
		kp = path_join(cp, path, "properties", 10);
		o->has_props = 1;
		for (size_t i = 0; i < props->len; i++) {
			const struct sl_json_member *m = &props->u.members[i];
			struct pentry *e = obj_insert(o, m->key, m->key_len);

			if ((e->node = sub_node(cp, &m->value)) == NULL)
				return -1;
		}
	}
	if (req) {
		o->nreq = req->len;
		o->req = calloc_a(cp, req->len * sizeof(*o->req));
		o->req_len = calloc_a(cp, req->len * sizeof(*o->req_len));
		o->req_bit = calloc_a(cp, req->len * sizeof(*o->req_bit));
		for (size_t i = 0; i < req->len; i++) {
			const struct sl_json *r = &req->u.items[i];
			struct pentry *e = obj_insert(o, r->u.str, r->len);

			if (e->req < 0)
				e->req = (long)o->nreqbits++;
			o->req[i] = r->u.str;
			o->req_len[i] = r->len;
			o->req_bit[i] = e->req;
		}
	}
	if (pats) {
		kp = path_join(cp, path, "patternProperties", 17);
		o->npats = pats->len;
		o->pats = calloc_a(cp, pats->len * sizeof(*o->pats) + 1);
		for (size_t i = 0; i < pats->len; i++) {
			const struct sl_json_member *m = &pats->u.members[i];

			o->pats[i].src = m->key;
			o->pats[i].re = compile_re(cp, m->key, m->key_len,
			    path_join(cp, kp, m->key, m->key_len));
			if (o->pats[i].re == NULL)
				return -1;
			if ((o->pats[i].node = sub_node(cp, &m->value)) ==
			    NULL)
				return -1;
		}
	}
	if (addl) {
		o->addl_path = path_join(cp, path, "additionalProperties", 20);
		if ((o->addl = sub_node(cp, addl)) == NULL)
			return -1;
	}
	k = kw_add(cp, kws, nkw, capkw, K_OBJECT, T_OBJECT,
	    props ? "properties" : addl ? "additionalProperties" :
	    pats ? "patternProperties" : "required",
	    props ? path_join(cp, path, "properties", 10) : addl ?
	    o->addl_path : pats ? path_join(cp, path, "patternProperties", 17) :
	    o->req_path);
	k->u.obj = o;
	return 0;
}

static int
compile_list(struct comp *cp, const struct sl_json *v, const struct node ***out,
    size_t *n)
{
	*n = v->len;
	*out = calloc_a(cp, v->len * sizeof(**out));
	for (size_t i = 0; i < v->len; i++)
		if (((*out)[i] = sub_node(cp, &v->u.items[i])) == NULL)
			return -1;
	return 0;
}

static int
parse_format(const char *f, enum fmt *out)
{
	for (size_t i = 0; i < sizeof(fmt_names) / sizeof(fmt_names[0]); i++)
		if (strcmp(f, fmt_names[i]) == 0) {
			*out = (enum fmt)i;
			return 1;
		}
	return 0;
}

/* One keyword of schema object j (those not handled as groups). */
static int
compile_kw(struct comp *cp, const struct sl_json *j, const struct loc *l,
    const struct sl_json_member *m, struct kw **kws, size_t *nkw,
    size_t *capkw)
{
	const char *key = m->key, *path = l->path, *kp;
	const struct sl_json *v = &m->value;
	struct kw *k;
	size_t n;

#define KP() (kp = path_join(cp, path, key, m->key_len))
	if (strcmp(key, "type") == 0) {
		unsigned mask = 0;

		KP();
		if (v->type == SL_JSON_STRING) {
			if (type_bit(v->u.str, &mask))
				return cerr(cp, kp, "unknown type \"%s\"",
				    v->u.str);
		} else if (v->type == SL_JSON_ARRAY) {
			for (size_t i = 0; i < v->len; i++)
				if (v->u.items[i].type != SL_JSON_STRING ||
				    type_bit(v->u.items[i].u.str, &mask))
					return cerr(cp, path_idx(cp, kp, i),
					    "\"type\" must list type names");
		} else {
			return cerr(cp, kp, "\"type\" must be a string or an "
			    "array of strings");
		}
		k = kw_add(cp, kws, nkw, capkw, K_TYPE, T_ALL, "type", kp);
		k->u.tmask = mask;
	} else if (strcmp(key, "const") == 0) {
		k = kw_add(cp, kws, nkw, capkw, K_CONST, T_ALL, "const", KP());
		k->u.val = v;
	} else if (strcmp(key, "enum") == 0) {
		if (v->type != SL_JSON_ARRAY)
			return cerr(cp, KP(), "\"enum\" must be an array");
		k = kw_add(cp, kws, nkw, capkw, K_ENUM, T_ALL, "enum", KP());
		k->u.en.vals = v;
		if (v->len > 8) {
			k->u.en.hashes = calloc_a(cp, v->len *
			    sizeof(uint64_t));
			for (size_t i = 0; i < v->len; i++)
				k->u.en.hashes[i] = json_hash(&v->u.items[i]);
		}
	} else if (strcmp(key, "minimum") == 0 ||
	    strcmp(key, "exclusiveMinimum") == 0 ||
	    strcmp(key, "maximum") == 0 ||
	    strcmp(key, "exclusiveMaximum") == 0 ||
	    strcmp(key, "multipleOf") == 0) {
		enum kind kind = key[0] == 'e' ?
		    (key[9] == 'M' && key[10] == 'i' ? K_EXMINIMUM :
		    K_EXMAXIMUM) : key[1] == 'i' ? K_MINIMUM :
		    key[1] == 'u' ? K_MULTIPLEOF : K_MAXIMUM;
		struct numlim *nl;

		if (v->type != SL_JSON_NUMBER)
			return cerr(cp, KP(), "\"%s\" must be a number", key);
		nl = calloc_a(cp, sizeof(*nl));
		numlim_init(nl, v);
		if (kind == K_MULTIPLEOF &&
		    (nl->d.neg || dec_ndigits(&nl->d) == 0))
			return cerr(cp, KP(), "\"multipleOf\" must be greater "
			    "than 0");
		k = kw_add(cp, kws, nkw, capkw, kind, T_NUMBER, key, KP());
		k->u.num = nl;
	} else if (strcmp(key, "minLength") == 0 ||
	    strcmp(key, "maxLength") == 0 ||
	    strcmp(key, "minItems") == 0 || strcmp(key, "maxItems") == 0 ||
	    strcmp(key, "minProperties") == 0 ||
	    strcmp(key, "maxProperties") == 0) {
		enum kind kind;
		unsigned t;

		if (get_nonneg(cp, v, KP(), key, &n))
			return -1;
		if (strcmp(key + 3, "Length") == 0) {
			kind = key[1] == 'i' ? K_MINLENGTH : K_MAXLENGTH;
			t = T_STRING;
		} else if (strcmp(key + 3, "Items") == 0) {
			kind = key[1] == 'i' ? K_MINITEMS : K_MAXITEMS;
			t = T_ARRAY;
		} else {
			kind = key[1] == 'i' ? K_MINPROPS : K_MAXPROPS;
			t = T_OBJECT;
		}
		k = kw_add(cp, kws, nkw, capkw, kind, t, key, kp);
		k->u.n = n;
	} else if (strcmp(key, "pattern") == 0) {
		const struct regex *re;

		if (v->type != SL_JSON_STRING)
			return cerr(cp, KP(), "\"pattern\" must be a string");
		if ((re = compile_re(cp, v->u.str, v->len, KP())) == NULL)
			return -1;
		k = kw_add(cp, kws, nkw, capkw, K_PATTERN, T_STRING, "pattern",
		    kp);
		k->u.pat.re = re;
		k->u.pat.src = v->u.str;
	} else if (strcmp(key, "format") == 0) {
		enum fmt f;

		if (v->type != SL_JSON_STRING)
			return cerr(cp, KP(), "\"format\" must be a string");
		if ((cp->s->flags & SL_SCHEMA_FORMAT_ASSERT) &&
		    parse_format(v->u.str, &f)) {
			k = kw_add(cp, kws, nkw, capkw, K_FORMAT, T_STRING,
			    "format", KP());
			k->u.fmt = f;
		}
	} else if (strcmp(key, "uniqueItems") == 0) {
		if (v->type != SL_JSON_TRUE && v->type != SL_JSON_FALSE)
			return cerr(cp, KP(), "\"uniqueItems\" must be a "
			    "boolean");
		if (v->type == SL_JSON_TRUE)
			kw_add(cp, kws, nkw, capkw, K_UNIQUE, T_ARRAY,
			    "uniqueItems", KP());
	} else if (strcmp(key, "dependentRequired") == 0) {
		if (v->type != SL_JSON_OBJECT)
			return cerr(cp, KP(), "\"dependentRequired\" must be "
			    "an object");
		k = kw_add(cp, kws, nkw, capkw, K_DEPREQ, T_OBJECT, key, KP());
		k->u.dr.n = v->len;
		k->u.dr.v = calloc_a(cp, v->len * sizeof(*k->u.dr.v));
		for (size_t i = 0; i < v->len; i++) {
			const struct sl_json_member *e = &v->u.members[i];
			const char *ep = path_join(cp, kp, e->key, e->key_len);

			if (e->value.type != SL_JSON_ARRAY)
				return cerr(cp, ep, "must be an array of "
				    "strings");
			for (size_t q = 0; q < e->value.len; q++)
				if (e->value.u.items[q].type != SL_JSON_STRING)
					return cerr(cp, path_idx(cp, ep, q),
					    "must be a string");
			k->u.dr.v[i].key = e->key;
			k->u.dr.v[i].klen = e->key_len;
			k->u.dr.v[i].names = &e->value;
			k->u.dr.v[i].path = ep;
		}
	} else if (strcmp(key, "dependentSchemas") == 0) {
		k = kw_add(cp, kws, nkw, capkw, K_DEPSCHEMAS, T_OBJECT, key,
		    KP());
		k->u.ds.n = v->len;
		k->u.ds.v = calloc_a(cp, v->len * sizeof(*k->u.ds.v));
		for (size_t i = 0; i < v->len; i++) {
			const struct sl_json_member *e = &v->u.members[i];

			k->u.ds.v[i].key = e->key;
			k->u.ds.v[i].klen = e->key_len;
			if ((k->u.ds.v[i].node = sub_node(cp, &e->value)) ==
			    NULL)
				return -1;
		}
	} else if (strcmp(key, "dependencies") == 0) {
		/*
		 * Draft 7's keyword, honoured so that an older contract is not
		 * silently weaker: arrays act as dependentRequired, schemas as
		 * dependentSchemas.
		 */
		size_t nreq = 0, nsch = 0, q;

		if (v->type != SL_JSON_OBJECT)
			return cerr(cp, KP(), "\"dependencies\" must be an "
			    "object");
		KP();
		for (size_t i = 0; i < v->len; i++) {
			const struct sl_json_member *e = &v->u.members[i];

			if (e->value.type == SL_JSON_ARRAY) {
				for (q = 0; q < e->value.len; q++)
					if (e->value.u.items[q].type !=
					    SL_JSON_STRING)
						return cerr(cp, path_idx(cp,
						    path_join(cp, kp, e->key,
						    e->key_len), q),
						    "must be a string");
				nreq++;
			} else {
				nsch++;	/* the scan checked it is a schema */
			}
		}
		if (nreq) {
			k = kw_add(cp, kws, nkw, capkw, K_DEPREQ, T_OBJECT, key,
			    kp);
			k->u.dr.v = calloc_a(cp, nreq * sizeof(*k->u.dr.v));
			for (size_t i = 0; i < v->len; i++) {
				const struct sl_json_member *e =
				    &v->u.members[i];
				struct depreq *d;

				if (e->value.type != SL_JSON_ARRAY)
					continue;
				d = &k->u.dr.v[k->u.dr.n++];
				d->key = e->key;
				d->klen = e->key_len;
				d->names = &e->value;
				d->path = path_join(cp, kp, e->key, e->key_len);
			}
		}
		if (nsch) {
			k = kw_add(cp, kws, nkw, capkw, K_DEPSCHEMAS, T_OBJECT,
			    key, kp);
			k->u.ds.v = calloc_a(cp, nsch * sizeof(*k->u.ds.v));
			for (size_t i = 0; i < v->len; i++) {
				const struct sl_json_member *e =
				    &v->u.members[i];
				struct depschema *d;

				if (e->value.type == SL_JSON_ARRAY)
					continue;
				d = &k->u.ds.v[k->u.ds.n++];
				d->key = e->key;
				d->klen = e->key_len;
				if ((d->node = sub_node(cp, &e->value)) == NULL)
					return -1;
			}
		}
	} else if (strcmp(key, "propertyNames") == 0) {
		k = kw_add(cp, kws, nkw, capkw, K_PROPNAMES, T_OBJECT, key,
		    KP());
		if ((k->u.sub = sub_node(cp, v)) == NULL)
			return -1;
	} else if (strcmp(key, "allOf") == 0 || strcmp(key, "anyOf") == 0 ||
	    strcmp(key, "oneOf") == 0) {
		k = kw_add(cp, kws, nkw, capkw, key[1] == 'l' ? K_ALLOF :
		    key[0] == 'a' ? K_ANYOF : K_ONEOF, T_ALL, key, KP());
		if (compile_list(cp, v, &k->u.list.v, &k->u.list.n))
			return -1;
	} else if (strcmp(key, "not") == 0) {
		k = kw_add(cp, kws, nkw, capkw, K_NOT, T_ALL, key, KP());
		if ((k->u.sub = sub_node(cp, v)) == NULL)
			return -1;
	} else if (strcmp(key, "$ref") == 0 ||
	    strcmp(key, "$dynamicRef") == 0) {
		const struct sl_json *tj = NULL;
		int dyn = key[1] == 'd';

		if (v->type != SL_JSON_STRING)
			return cerr(cp, KP(), "\"%s\" must be a string", key);
		k = kw_add(cp, kws, nkw, capkw, dyn ? K_DYNREF : K_REF, T_ALL,
		    key, KP());
		if ((k->u.ref.target = resolve_ref(cp, v->u.str, l->base, kp,
		    &tj)) == NULL)
			return -1;
		if (dyn) {
			const char *h = strchr(v->u.str, '#');
			const struct sl_json *da = tj->type == SL_JSON_OBJECT ?
			    sl_json_get(tj, "$dynamicAnchor", 14) : NULL;

			if (h && h[1] != '/' && h[1] != '\0' && da &&
			    da->type == SL_JSON_STRING &&
			    strcmp(da->u.str, h + 1) == 0)
				k->u.ref.anchor = h + 1;
		}
	} else if (strcmp(key, "unevaluatedItems") == 0 ||
	    strcmp(key, "unevaluatedProperties") == 0) {
		int items = key[11] == 'I';

		k = kw_add(cp, kws, nkw, capkw, items ? K_UNEVAL_ITEMS :
		    K_UNEVAL_PROPS, items ? T_ARRAY : T_OBJECT, key, KP());
		if ((k->u.sub = sub_node(cp, v)) == NULL)
			return -1;
	} else if (strcmp(key, "$id") == 0 || strcmp(key, "$schema") == 0 ||
	    strcmp(key, "$anchor") == 0 ||
	    strcmp(key, "$dynamicAnchor") == 0 ||
	    strcmp(key, "$comment") == 0 || strcmp(key, "$vocabulary") == 0) {
		if (v->type != SL_JSON_STRING && key[1] != 'v')
			return cerr(cp, KP(), "\"%s\" must be a string", key);
	}
	(void)j;
#undef KP
	return 0;
}

static const struct node *
compile_node(struct comp *cp, const struct sl_json *j, const struct loc *l)
{
	struct node *n;
	struct kw *kws = NULL;
	size_t nkw = 0, capkw = 0;
	const struct sl_json *v, *w;
	const char *path;

	if (cp->failed)
		return NULL;
	if ((n = pmap_get(&cp->nodes, j)) != NULL)
		return n;
	if (l == NULL) {
		cerr(cp, "", "internal error: schema location not scanned");
		return NULL;
	}
	path = l->path;
	if (cp->depth >= MAX_COMPILE_DEPTH) {
		cerr(cp, path, "schemas nest or chain references deeper than "
		    "%d levels", MAX_COMPILE_DEPTH);
		return NULL;
	}
	n = calloc_a(cp, sizeof(*n));
	n->res = l->res;
	n->path = path;
	pmap_put(&cp->nodes, j, n);
	cp->all = sl_grow(cp->all, &cp->capall, cp->nall + 1,
	    sizeof(*cp->all));
	cp->all[cp->nall++] = n;
	if (j->type == SL_JSON_TRUE || j->type == SL_JSON_FALSE) {
		n->boolean = j->type == SL_JSON_TRUE ? 1 : 2;
		return n;
	}
	cp->depth++;
	for (size_t i = 0; i < j->len; i++)
		if (compile_kw(cp, j, l, &j->u.members[i], &kws, &nkw, &capkw))
			goto fail;
	if (compile_object(cp, j, path, &kws, &nkw, &capkw))
		goto fail;
	v = sl_json_get(j, "prefixItems", 11);
	w = sl_json_get(j, "items", 5);
	if (v || w) {
		struct kw *k = kw_add(cp, &kws, &nkw, &capkw, K_ITEMS, T_ARRAY,
		    w ? "items" : "prefixItems", path_join(cp, path,
		    w ? "items" : "prefixItems", w ? 5 : 11));

		if (v && compile_list(cp, v, &k->u.it.pre, &k->u.it.npre))
			goto fail;
		if (w && (k->u.it.items = sub_node(cp, w)) == NULL)
			goto fail;
		k->u.it.items_path = w ? k->path : NULL;
	}
	if ((v = sl_json_get(j, "contains", 8)) != NULL) {
		struct kw *k = kw_add(cp, &kws, &nkw, &capkw, K_CONTAINS,
		    T_ARRAY, "contains", path_join(cp, path, "contains", 8));

		if ((k->u.ct.node = sub_node(cp, v)) == NULL)
			goto fail;
		k->u.ct.min = 1;
		if ((w = sl_json_get(j, "minContains", 11)) != NULL) {
			k->u.ct.min_path = path_join(cp, path, "minContains",
			    11);
			if (get_nonneg(cp, w, k->u.ct.min_path, "minContains",
			    &k->u.ct.min))
				goto fail;
			k->u.ct.min_given = 1;
		}
		if ((w = sl_json_get(j, "maxContains", 11)) != NULL) {
			k->u.ct.max_path = path_join(cp, path, "maxContains",
			    11);
			if (get_nonneg(cp, w, k->u.ct.max_path, "maxContains",
			    &k->u.ct.max))
				goto fail;
			k->u.ct.has_max = 1;
		}
	}
	v = sl_json_get(j, "if", 2);
	if (v != NULL) {
		const struct sl_json *t = sl_json_get(j, "then", 4);
		const struct sl_json *e = sl_json_get(j, "else", 4);
		struct kw *k = kw_add(cp, &kws, &nkw, &capkw, K_IF, T_ALL, "if",
		    path_join(cp, path, "if", 2));

		if ((k->u.cond.ifn = sub_node(cp, v)) == NULL ||
		    (t && (k->u.cond.thenn = sub_node(cp, t)) == NULL) ||
		    (e && (k->u.cond.elsen = sub_node(cp, e)) == NULL))
			goto fail;
	}
	if (cp->failed)
		goto fail;
	if (nkw)
		qsort(kws, nkw, sizeof(*kws), kw_cmp);
	n->kws = calloc_a(cp, nkw * sizeof(*kws));
	if (nkw)
		memcpy(n->kws, kws, nkw * sizeof(*kws));
	n->nkw = nkw;
	for (size_t i = 0; i < nkw; i++)
		if (kws[i].kind == K_UNEVAL_ITEMS ||
		    kws[i].kind == K_UNEVAL_PROPS)
			n->uneval = 1;
	free(kws);
	cp->depth--;
	return n;
fail:
	free(kws);
	cp->depth--;
	return NULL;
}

/*
 * Step 3: a cycle through in-place applicators only (no descent into the
 * instance) would recurse for ever.  Depth-first search with colours.
 */
static int
cycle_visit(struct comp *cp, const struct node *cn, int depth)
{
	struct node *n = (struct node *)cn;

	if (n->mark == 2)
		return 0;
	if (n->mark == 1)
		return 1;
	if (depth > MAX_COMPILE_DEPTH) {
		cerr(cp, n->path, "in-place applicators and references chain "
		    "deeper than %d levels", MAX_COMPILE_DEPTH);
		return 1;
	}
	n->mark = 1;
	for (size_t i = 0; i < n->nkw; i++) {
		const struct kw *k = &n->kws[i];
		int r = 0;

		switch (k->kind) {
		case K_REF:
		case K_DYNREF:
			r = cycle_visit(cp, k->u.ref.target, depth + 1);
			break;
		case K_ALLOF:
		case K_ANYOF:
		case K_ONEOF:
			for (size_t q = 0; q < k->u.list.n && !r; q++)
				r = cycle_visit(cp, k->u.list.v[q], depth + 1);
			break;
		case K_NOT:
			r = cycle_visit(cp, k->u.sub, depth + 1);
			break;
		case K_IF:
			r = cycle_visit(cp, k->u.cond.ifn, depth + 1) ||
			    (k->u.cond.thenn &&
			    cycle_visit(cp, k->u.cond.thenn, depth + 1)) ||
			    (k->u.cond.elsen &&
			    cycle_visit(cp, k->u.cond.elsen, depth + 1));
			break;
		case K_DEPSCHEMAS:
			for (size_t q = 0; q < k->u.ds.n && !r; q++)
				r = cycle_visit(cp, k->u.ds.v[q].node,
				    depth + 1);
			break;
		default:
			break;
		}
		if (r) {
			if (!cp->failed)
				cerr(cp, k->path, "\"%s\" leads back to a "
				    "schema being evaluated without descending "
				    "into the instance (infinite recursion)",
				    k->name);
			return 1;
		}
	}
	n->mark = 2;
	return 0;
}

struct sl_schema *
sl_schema_compile(const struct sl_json *doc, unsigned flags,
    struct sl_schema_error *err)
{
	struct sl_schema *s = sl_calloc(1, sizeof(*s));
	struct sl_schema_error dummy;
	struct comp cp;
	struct resource *root;
	const char *rootp;

	memset(&cp, 0, sizeof(cp));
	cp.s = s;
	cp.err = err ? err : &dummy;
	cp.err->pointer[0] = '\0';
	cp.err->msg[0] = '\0';
	s->flags = flags;
	sl_arena_init(&s->a);
	s->mctx = pcre2_match_context_create(NULL);
	pcre2_set_match_limit(s->mctx, RE_MATCH_LIMIT);
	rootp = cstr(&cp, "", 0);
	root = calloc_a(&cp, sizeof(*root));
	root->uri = DEFAULT_BASE;
	root->root = doc;
	root->path = rootp;
	s->rsrc = sl_grow(s->rsrc, &s->caprsrc, 1, sizeof(*s->rsrc));
	s->rsrc[s->nrsrc++] = root;
	if (scan(&cp, doc, DEFAULT_BASE, rootp, root, 0))
		goto fail;
	s->root = compile_node(&cp, doc, pmap_get(&cp.locs, doc));
	if (s->root == NULL)
		goto fail;
	s->root_res = ((struct loc *)pmap_get(&cp.locs, doc))->res;
	/* schemas nothing refers to ($defs) are checked too */
	for (size_t i = 0; i < cp.nscanned; i++)
		if (sub_node(&cp, cp.scanned[i]) == NULL)
			goto fail;
	for (size_t i = 0; i < s->nrsrc; i++)
		for (size_t k = 0; k < s->rsrc[i]->ndyn; k++) {
			struct dynanchor *d = &s->rsrc[i]->dyn[k];

			if ((d->node = sub_node(&cp, d->json)) == NULL)
				goto fail;
		}
	for (size_t i = 0; i < cp.nall && !cp.failed; i++)
		cycle_visit(&cp, cp.all[i], 0);
	if (cp.failed)
		goto fail;
	pmap_free(&cp.locs);
	pmap_free(&cp.nodes);
	free(cp.anchors);
	free(cp.all);
	free(cp.scanned);
	return s;
fail:
	if (!cp.failed)
		cerr(&cp, "", "schema refused");
	pmap_free(&cp.locs);
	pmap_free(&cp.nodes);
	free(cp.anchors);
	free(cp.all);
	free(cp.scanned);
	sl_schema_free(s);
	return NULL;
}

void
sl_schema_free(struct sl_schema *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->nres; i++)
		pcre2_code_free(s->res[i]);
	free(s->res);
	for (size_t i = 0; i < s->nrsrc; i++)
		free(s->rsrc[i]->dyn);
	free(s->rsrc);
	pcre2_match_context_free(s->mctx);
	sl_arena_release(&s->a);
	free(s);
}

/* --------------------------------------------------------------- formats */

static int
digits(const char *s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return 0;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 1;
}

static int
fmt_date(const char *s, size_t n)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	int y, m, d;

	if (n != 10 || s[4] != '-' || s[7] != '-' || !digits(s, 4, &y) ||
	    !digits(s + 5, 2, &m) || !digits(s + 8, 2, &d))
		return 0;
	if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return 0;
	if (m == 2 && d == 29 &&
	    !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return 0;
	return 1;
}

static int
fmt_time(const char *s, size_t n)
{
	int h, mi, se, oh = 0, om = 0, sign = 0;
	size_t i = 8;

	if (n < 9 || s[2] != ':' || s[5] != ':' || !digits(s, 2, &h) ||
	    !digits(s + 3, 2, &mi) || !digits(s + 6, 2, &se))
		return 0;
	if (i < n && s[i] == '.') {
		size_t f = ++i;

		while (i < n && is_digit(s[i]))
			i++;
		if (i == f)
			return 0;
	}
	if (i == n)
		return 0;
	if (s[i] == 'Z' || s[i] == 'z') {
		if (i + 1 != n)
			return 0;
	} else if (s[i] == '+' || s[i] == '-') {
		sign = s[i] == '+' ? 1 : -1;
		if (n - i != 6 || s[i + 3] != ':' ||
		    !digits(s + i + 1, 2, &oh) ||
		    !digits(s + i + 4, 2, &om) || oh > 23 || om > 59)
			return 0;
	} else {
		return 0;
	}
	if (h > 23 || mi > 59 || se > 60)
		return 0;
	if (se == 60) {
		int t = h * 60 + mi - sign * (oh * 60 + om);

		t = ((t % 1440) + 1440) % 1440;
		if (t != 23 * 60 + 59)
			return 0;
	}
	return 1;
}

static int
fmt_date_time(const char *s, size_t n)
{
	return n > 11 && (s[10] == 'T' || s[10] == 't') && fmt_date(s, 10) &&
	    fmt_time(s + 11, n - 11);
}

/*
 * RFC 3339 appendix A's number-unit pairs, from s[*pi] up to stop (or the
 * end): each unit from units, each the one after the last (Y M D, H M S,
 * none skipped).  Returns how many pairs, or -1.
 */
static int
dur_units(const char *s, size_t n, size_t *pi, const char *units, char stop)
{
	size_t i = *pi;
	int last = -1, count = 0;

	while (i < n && s[i] != stop) {
		size_t st = i;
		const char *u;
		int idx;

		while (i < n && is_digit(s[i]))
			i++;
		if (i == st || i == n || s[i] == '\0' ||
		    (u = strchr(units, s[i])) == NULL)
			return -1;
		idx = (int)(u - units);
		if (last >= 0 && idx != last + 1)
			return -1;
		last = idx;
		count++;
		i++;
	}
	*pi = i;
	return count;
}

/* RFC 3339 appendix A, strictly. */
static int
fmt_duration(const char *s, size_t n)
{
	size_t i = 1;
	int any, tany;

	if (n < 2 || s[0] != 'P')
		return 0;
	/* PnW alone */
	if (s[n - 1] == 'W') {
		for (i = 1; i < n - 1; i++)
			if (!is_digit(s[i]))
				return 0;
		return n > 2;
	}
	if ((any = dur_units(s, n, &i, "YMD", 'T')) < 0)
		return 0;
	if (i < n) {	/* 'T' */
		i++;
		if ((tany = dur_units(s, n, &i, "HMS", '\0')) <= 0 || i != n)
			return 0;
		any = 1;
	}
	return any;
}

static int
hostname_ok(const char *s, size_t n)
{
	size_t lab = 0;

	if (n == 0 || n > 253)
		return 0;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || s[i] == '.') {
			if (lab == 0 || lab > 63 || s[i - lab] == '-' ||
			    s[i - 1] == '-')
				return 0;
			lab = 0;
		} else if (is_alpha(s[i]) || is_digit(s[i]) || s[i] == '-') {
			lab++;
		} else {
			return 0;
		}
	}
	return 1;
}

static int
ip_ok(int af, const char *s, size_t n)
{
	char buf[64];
	unsigned char out[16];

	if (n == 0 || n >= sizeof(buf) || memchr(s, '\0', n))
		return 0;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return inet_pton(af, buf, out) == 1;
}

static int
fmt_email(const char *s, size_t n)
{
	const char *at;
	size_t nl;

	if (n == 0)
		return 0;
	if (s[0] == '"') {
		size_t i = 1;

		/* RFC 5321 quoted-string: printable ASCII, \\ quotes one */
		while (i < n && s[i] != '"') {
			if (s[i] == '\\')
				i++;
			if (i >= n || (unsigned char)s[i] < 32 ||
			    (unsigned char)s[i] > 126)
				return 0;
			i++;
		}
		if (i >= n || i + 1 >= n || s[i + 1] != '@')
			return 0;
		at = s + i + 1;
	} else {
		at = memchr(s, '@', n);
		if (at == NULL)
			return 0;
		nl = (size_t)(at - s);
		if (nl == 0 || s[0] == '.' || s[nl - 1] == '.')
			return 0;
		for (size_t i = 0; i < nl; i++) {
			unsigned char c = (unsigned char)s[i];

			if (c == '.' && s[i + 1] == '.')
				return 0;
			if (!(is_alpha(c) || is_digit(c) ||
			    strchr(".!#$%&'*+-/=?^_`{|}~", c)) || c == '\0')
				return 0;
		}
	}
	if (at - s > 64)
		return 0;	/* RFC 5321 4.5.3.1.1: 64 octets of local part */
	at++;
	nl = n - (size_t)(at - s);
	if (nl >= 2 && at[0] == '[' && at[nl - 1] == ']') {
		if (nl > 7 && strncmp(at + 1, "IPv6:", 5) == 0)
			return ip_ok(AF_INET6, at + 6, nl - 7);
		return ip_ok(AF_INET, at + 1, nl - 2);
	}
	return hostname_ok(at, nl);
}

static int
is_hex(int c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int
fmt_uuid(const char *s, size_t n)
{
	if (n != 36)
		return 0;
	for (size_t i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!is_hex(s[i])) {
			return 0;
		}
	}
	return 1;
}

static int
uri_char(unsigned char c)
{
	return is_alpha(c) || is_digit(c) ||
	    (c != '\0' && strchr("-._~!$&'()*+,;=:@", c) != NULL);
}

/* RFC 3986 authority: [userinfo "@"] host [":" port]. */
static int
uri_authority(const char *s, size_t n)
{
	const char *at = NULL, *h, *end = s + n;

	for (const char *p = s; p < end; p++)
		if (*p == '@')
			at = p;
	if (at) {
		for (const char *p = s; p < at; p++) {
			if (*p == '%') {
				if (end - p < 3 || !is_hex(p[1]) ||
				    !is_hex(p[2]))
					return 0;
				p += 2;
			} else if (*p == '@' || !uri_char((unsigned char)*p)) {
				return 0;
			}
		}
		h = at + 1;
	} else {
		h = s;
	}
	if (h < end && *h == '[') {
		const char *rb = memchr(h, ']', (size_t)(end - h));

		if (rb == NULL)
			return 0;
		if (h[1] == 'v' || h[1] == 'V') {
			if (rb - h < 4)
				return 0;
		} else if (!ip_ok(AF_INET6, h + 1, (size_t)(rb - h - 1))) {
			return 0;
		}
		h = rb + 1;
	} else {
		while (h < end && *h != ':') {
			if (*h == '%') {
				if (end - h < 3 || !is_hex(h[1]) ||
				    !is_hex(h[2]))
					return 0;
				h += 2;
			} else if (*h == '@' || !uri_char((unsigned char)*h)) {
				return 0;
			}
			h++;
		}
	}
	if (h < end) {
		if (*h != ':')
			return 0;
		for (h++; h < end; h++)
			if (!is_digit(*h))
				return 0;
	}
	return 1;
}

/* RFC 3986 URI (absolute: a scheme is required). */
static int
fmt_uri(const char *s, size_t n)
{
	size_t i = 0;
	int frag = 0;

	if (n == 0 || !is_alpha(s[0]))
		return 0;
	while (i < n && (is_alpha(s[i]) || is_digit(s[i]) || s[i] == '+' ||
	    s[i] == '-' || s[i] == '.'))
		i++;
	if (i == n || s[i] != ':')
		return 0;
	i++;
	if (i + 1 < n && s[i] == '/' && s[i + 1] == '/') {
		size_t st = i + 2;

		i = st;
		while (i < n && s[i] != '/' && s[i] != '?' && s[i] != '#')
			i++;
		if (!uri_authority(s + st, i - st))
			return 0;
	}
	for (; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '%') {
			if (i + 2 >= n || !is_hex(s[i + 1]) ||
			    !is_hex(s[i + 2]))
				return 0;
			i += 2;
		} else if (c == '#') {
			if (frag)
				return 0;
			frag = 1;
		} else if (c != '/' && c != '?' && !uri_char(c)) {
			return 0;
		}
	}
	return 1;
}

static int
format_ok(enum fmt f, const char *s, size_t n)
{
	switch (f) {
	case F_DATE_TIME:
		return fmt_date_time(s, n);
	case F_DATE:
		return fmt_date(s, n);
	case F_TIME:
		return fmt_time(s, n);
	case F_DURATION:
		return fmt_duration(s, n);
	case F_EMAIL:
		return fmt_email(s, n);
	case F_UUID:
		return fmt_uuid(s, n);
	case F_IPV4:
		return ip_ok(AF_INET, s, n);
	case F_IPV6:
		return ip_ok(AF_INET6, s, n);
	case F_URI:
		return fmt_uri(s, n);
	}
	return 1;
}

int
sl_schema_format_check(const char *format, const char *s, size_t n)
{
	enum fmt f;

	if (!parse_format(format, &f))
		return -1;
	return format_ok(f, s, n);
}

/* ------------------------------------------------------------ validation */

/* The instance location: a chain of stack frames, a pointer on failure. */
struct ipath {
	const struct ipath *up;
	const char *key;	/* NULL: index */
	size_t n;		/* key length or index */
};

/* The dynamic scope: resources entered, innermost first. */
struct scope {
	const struct resource *r;
	const struct scope *up;
};

/* Evaluated members (object) or items (array) of one instance. */
struct ann {
	uint64_t *bits;
	size_t n;
};

struct vctx {
	const struct sl_schema *s;
	struct sl_arena *scratch;
	sl_schema_report_fn report;
	void *rctx;
	size_t max, count;
	int quiet;
	int stop;
	unsigned long steps;	/* eval() calls, against MAX_EVAL_STEPS */
	int exhausted;		/* the budget ran out: the instance is invalid */
};

static _Thread_local pcre2_match_data *tl_md;

void
sl_schema_thread_release(void)
{
	if (tl_md != NULL)
		pcre2_match_data_free(tl_md);
	tl_md = NULL;
}

static int
collecting(const struct vctx *c)
{
	return c->report != NULL && c->quiet == 0 && !c->stop;
}

__attribute__((noinline)) static const char *
ipath_str(struct vctx *c, const struct ipath *ip)
{
	size_t len = 0;
	char *buf, *p;
	char num[24];

	for (const struct ipath *q = ip; q; q = q->up) {
		if (q->key) {
			len += 1 + q->n;
			for (size_t i = 0; i < q->n; i++)
				if (q->key[i] == '~' || q->key[i] == '/')
					len++;
		} else {
			len += 1 + (size_t)snprintf(num, sizeof(num), "%zu",
			    q->n);
		}
	}
	buf = sl_arena_alloc(c->scratch, len + 1);
	p = buf + len;
	*p = '\0';
	for (const struct ipath *q = ip; q; q = q->up) {
		if (q->key) {
			for (size_t i = q->n; i-- > 0;) {
				char ch = q->key[i];

				if (ch == '~' || ch == '/') {
					*--p = ch == '~' ? '0' : '1';
					*--p = '~';
				} else {
					*--p = ch;
				}
			}
		} else {
			int k = snprintf(num, sizeof(num), "%zu", q->n);

			p -= k;
			memcpy(p, num, (size_t)k);
		}
		*--p = '/';
	}
	return buf;
}

/*
 * Reports one violation; always returns 0 (invalid).  Called through fail(),
 * which evaluates the message arguments (excerpts, allocations) only when
 * the violation is going to be reported.
 */
__attribute__((format(printf, 6, 7), noinline, cold))
static int
fail_report(struct vctx *c, const char *keyword, const char *spath,
    const struct ipath *ip, const struct sl_json *v, const char *fmt, ...)
{
	struct sl_schema_violation vi;
	va_list ap;
	char *msg;
	int n;

	(void)v;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	msg = sl_arena_alloc(c->scratch, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(msg, (size_t)n + 1, fmt, ap);
	va_end(ap);
	vi.instance = ipath_str(c, ip);
	vi.keyword = keyword;
	vi.schema_path = spath;
	vi.message = msg;
	c->report(c->rctx, &vi);
	c->count++;
	if (c->max && c->count >= c->max)
		c->stop = 1;
	return 0;
}

#define fail(c, ...) (collecting(c) ? fail_report((c), __VA_ARGS__) : 0)

/* A short excerpt of a value for messages, in the scratch arena. */
__attribute__((noinline)) static const char *
excerpt(struct vctx *c, const struct sl_json *v)
{
	struct sl_buf b = SL_BUF_INIT;
	char *r;
	size_t n;

	switch (v->type) {
	case SL_JSON_STRING:
		n = v->len;
		if (n > 40) {
			n = 40;
			while (n > 0 && ((unsigned char)v->u.str[n] & 0xc0) ==
			    0x80)
				n--;
		}
		sl_json_write_string(&b, v->u.str, n);
		if (n < v->len)
			sl_buf_adds(&b, "...");
		break;
	case SL_JSON_NUMBER:
		if (v->len > 40) {
			sl_buf_add(&b, v->u.num, 40);
			sl_buf_adds(&b, "...");
		} else {
			sl_buf_add(&b, v->u.num, v->len);
		}
		break;
	case SL_JSON_ARRAY:
		sl_buf_addf(&b, "an array of %zu", v->len);
		break;
	case SL_JSON_OBJECT:
		sl_buf_adds(&b, "an object");
		break;
	default:
		sl_json_write(&b, v);
		break;
	}
	r = sl_arena_strndup(c->scratch, b.data ? b.data : "", b.len);
	sl_buf_release(&b);
	return r;
}

static struct ann *
ann_new(struct vctx *c, struct ann *a, size_t n)
{
	size_t words = (n + 63) / 64;

	a->n = n;
	a->bits = sl_arena_alloc(c->scratch, (words ? words : 1) * 8);
	memset(a->bits, 0, (words ? words : 1) * 8);
	return a;
}

static void
ann_set(struct ann *a, size_t i)
{
	a->bits[i / 64] |= (uint64_t)1 << (i % 64);
}

static int
ann_has(const struct ann *a, size_t i)
{
	return (a->bits[i / 64] >> (i % 64)) & 1;
}

static void
ann_merge(struct ann *to, const struct ann *from)
{
	for (size_t i = 0; i < (to->n + 63) / 64; i++)
		to->bits[i] |= from->bits[i];
}

static int eval(struct vctx *c, const struct node *n, const struct sl_json *v,
    const struct ipath *ip, struct ann *ann, const struct scope *sc,
    unsigned depth);

/* 1 match, 0 no match, -1 error (the match limit). */
static int
re_match(const struct vctx *c, const struct regex *re, const char *s,
    size_t n)
{
	int rc;

	if (tl_md == NULL)
		tl_md = pcre2_match_data_create(1, NULL);
	if (re->jit)
		rc = pcre2_jit_match(re->code, (PCRE2_SPTR)s, n, 0, 0, tl_md,
		    c->s->mctx);
	else
		rc = pcre2_match(re->code, (PCRE2_SPTR)s, n, 0,
		    PCRE2_NO_UTF_CHECK, tl_md, c->s->mctx);
	if (rc >= 0)
		return 1;
	return rc == PCRE2_ERROR_NOMATCH ? 0 : -1;
}

static size_t
utf8_count(const char *s, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += ((unsigned char)s[i] & 0xc0) != 0x80;
	return k;
}

/* Has s[0..n) at least min code points?  Stops counting once it has. */
static int
utf8_at_least(const char *s, size_t n, size_t min)
{
	size_t k = 0;

	if (n < min)
		return 0;   /* a code point is at least one byte */
	for (size_t i = 0; i < n && k < min; i++)
		k += ((unsigned char)s[i] & 0xc0) != 0x80;
	return k >= min;
}

__attribute__((noinline)) static const char *
type_list(struct vctx *c, unsigned m)
{
	static const struct {
		unsigned b;
		const char *n;
	} tt[] = {
		{ T_NULL, "null" }, { T_BOOL, "boolean" },
		{ T_INTEGER, "integer" }, { T_NUMBER, "number" },
		{ T_STRING, "string" }, { T_ARRAY, "array" },
		{ T_OBJECT, "object" },
	};
	char buf[128];
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(tt) / sizeof(tt[0]); i++)
		if (m & tt[i].b)
			len += (size_t)snprintf(buf + len, sizeof(buf) - len,
			    "%s%s", len ? " or " : "", tt[i].n);
	return sl_arena_strndup(c->scratch, buf, len);
}

__attribute__((noinline)) static int
eval_enum(struct vctx *c, const struct kw *k, const struct sl_json *v,
    const struct ipath *ip)
{
	const struct sl_json *vals = k->u.en.vals;

	if (k->u.en.hashes) {
		uint64_t h = json_hash(v);

		for (size_t i = 0; i < vals->len; i++)
			if (k->u.en.hashes[i] == h &&
			    json_eq(&vals->u.items[i], v))
				return 1;
	} else {
		for (size_t i = 0; i < vals->len; i++)
			if (vals->u.items[i].type == v->type &&
			    json_eq(&vals->u.items[i], v))
				return 1;
	}
	if (!collecting(c))
		return 0;
	if (vals->len == 1)
		return fail(c, "enum", k->path, ip, v, "%s is not the allowed "
		    "value", excerpt(c, v));
	return fail(c, "enum", k->path, ip, v, "%s is not one of the %zu "
	    "allowed values", excerpt(c, v), vals->len);
}

struct hidx {
	uint64_t h;
	size_t i;
};

static int
hidx_cmp(const void *a, const void *b)
{
	const struct hidx *x = a, *y = b;

	if (x->h != y->h)
		return x->h < y->h ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

__attribute__((noinline)) static int
unique_ok(struct vctx *c, const struct sl_json *v, size_t *di, size_t *dj)
{
	if (v->len <= 32) {
		for (size_t i = 0; i < v->len; i++)
			for (size_t j = i + 1; j < v->len; j++)
				if (json_eq(&v->u.items[i], &v->u.items[j])) {
					*di = i;
					*dj = j;
					return 0;
				}
		return 1;
	}
	/* sort by hash; compare only items whose hashes collide */
	{
		struct hidx *h = sl_arena_alloc(c->scratch, v->len *
		    sizeof(*h));
		size_t bi = 0, bj = SIZE_MAX;

		for (size_t i = 0; i < v->len; i++) {
			h[i].h = json_hash(&v->u.items[i]);
			h[i].i = i;
		}
		qsort(h, v->len, sizeof(*h), hidx_cmp);
		for (size_t r = 0; r < v->len; r++)
			for (size_t q = r + 1; q < v->len && h[q].h == h[r].h;
			    q++)
				if (json_eq(&v->u.items[h[r].i],
				    &v->u.items[h[q].i])) {
					/* q is r's first later equal */
					if (h[q].i < bj) {
						bi = h[r].i;
						bj = h[q].i;
					}
					break;
				}
		if (bj != SIZE_MAX) {
			*di = bi;
			*dj = bj;
			return 0;
		}
	}
	return 1;
}

__attribute__((noinline)) static int
eval_object(struct vctx *c, const struct kw *k, const struct sl_json *v,
    const struct ipath *ip, struct ann *a, const struct scope *sc,
    unsigned depth)
{
	const struct objkw *o = k->u.obj;
	uint64_t seen_small = 0, *seen = &seen_small;
	int ok = 1;

	if (o->nreqbits > 64) {
		size_t w = (o->nreqbits + 63) / 64;

		seen = sl_arena_alloc(c->scratch, w * 8);
		memset(seen, 0, w * 8);
	}
	for (size_t i = 0; i < v->len; i++) {
		const struct sl_json_member *m = &v->u.members[i];
		struct ipath cip = { ip, m->key, m->key_len };
		int matched = 0;

		if (o->nents) {
			/*
			 * Rows usually list their names in the schema's order:
			 * the entry at the same position is tried first (names
			 * are unique among the entries).
			 */
			struct pentry *e = i < o->nents &&
			    o->ents[i].klen == m->key_len &&
			    key_eq(o->ents[i].key, m->key, m->key_len) ?
			    &o->ents[i] : obj_lookup(o, m->key, m->key_len,
			    hash_bytes(m->key, m->key_len, HASH_SEED));

			if (e) {
				if (e->req >= 0)
					seen[e->req / 64] |=
					    (uint64_t)1 << (e->req % 64);
				if (e->node) {
					matched = 1;
					if (!eval(c, e->node, &m->value, &cip,
					    NULL, sc, depth + 1)) {
						ok = 0;
						if (!collecting(c))
							return 0;
					}
				}
			}
		}
		for (size_t p = 0; p < o->npats; p++) {
			int r = re_match(c, o->pats[p].re, m->key, m->key_len);

			if (r < 0) {
				ok = fail(c, "patternProperties", k->path, &cip,
				    &m->value, "pattern \"%s\" is too costly "
				    "to match", o->pats[p].src);
				if (!collecting(c))
					return 0;
				continue;
			}
			if (r == 0)
				continue;
			matched = 1;
			if (!eval(c, o->pats[p].node, &m->value, &cip, NULL,
			    sc, depth + 1)) {
				ok = 0;
				if (!collecting(c))
					return 0;
			}
		}
		if (!matched && o->addl) {
			matched = 1;
			if (o->addl->boolean == 2) {
				ok = fail(c, "additionalProperties",
				    o->addl_path, &cip, &m->value, "property "
				    "\"%s\" is not allowed", m->key);
				if (!collecting(c))
					return 0;
			} else if (!eval(c, o->addl, &m->value, &cip, NULL, sc,
			    depth + 1)) {
				ok = 0;
				if (!collecting(c))
					return 0;
			}
		}
		if (matched && a)
			ann_set(a, i);
	}
	for (size_t r = 0; r < o->nreq; r++) {
		long b = o->req_bit[r];

		if (seen[b / 64] & ((uint64_t)1 << (b % 64)))
			continue;
		/* a duplicate name in "required" is reported once */
		seen[b / 64] |= (uint64_t)1 << (b % 64);
		ok = fail(c, "required", o->req_path, ip, v, "required "
		    "property \"%s\" is missing", o->req[r]);
		if (!collecting(c))
			return 0;
	}
	return ok;
}

__attribute__((noinline)) static int
eval_contains(struct vctx *c, const struct kw *k, const struct sl_json *v,
    const struct ipath *ip, struct ann *a, const struct scope *sc,
    unsigned depth)
{
	size_t count = 0;

	for (size_t i = 0; i < v->len; i++) {
		struct ipath cip = { ip, NULL, i };
		int r;

		c->quiet++;
		r = eval(c, k->u.ct.node, &v->u.items[i], &cip, NULL, sc,
		    depth + 1);
		c->quiet--;
		if (r) {
			count++;
			if (a)
				ann_set(a, i);
			else if (!k->u.ct.has_max && count >= k->u.ct.min)
				break;
		}
	}
	if (count < k->u.ct.min) {
		if (k->u.ct.min_given)
			return fail(c, "minContains", k->u.ct.min_path, ip, v,
			    "%zu item%s match%s \"contains\", fewer than "
			    "minContains %zu", count, count == 1 ? "" : "s",
			    count == 1 ? "es" : "", k->u.ct.min);
		return fail(c, "contains", k->path, ip, v, "no item matches "
		    "\"contains\"");
	}
	if (k->u.ct.has_max && count > k->u.ct.max)
		return fail(c, "maxContains", k->u.ct.max_path, ip, v,
		    "%zu items match \"contains\", more than maxContains %zu",
		    count, k->u.ct.max);
	return 1;
}

__attribute__((noinline)) static int
eval_items(struct vctx *c, const struct kw *k, const struct sl_json *v,
    const struct ipath *ip, struct ann *a, const struct scope *sc,
    unsigned depth)
{
	int ok = 1;

	for (size_t i = 0; i < v->len; i++) {
		struct ipath cip = { ip, NULL, i };
		const struct node *n;

		if (i < k->u.it.npre)
			n = k->u.it.pre[i];
		else if ((n = k->u.it.items) == NULL)
			break;
		if (a)
			ann_set(a, i);
		if (n->boolean == 2 && i >= k->u.it.npre) {
			ok = fail(c, "items", k->u.it.items_path, &cip,
			    &v->u.items[i], "no item is allowed beyond the "
			    "first %zu", k->u.it.npre);
		} else if (!eval(c, n, &v->u.items[i], &cip, NULL, sc,
		    depth + 1)) {
			ok = 0;
		}
		if (!ok && !collecting(c))
			return 0;
	}
	return ok;
}

/* Applicators evaluated on the same instance: allOf/anyOf/oneOf/not/if. */
__attribute__((noinline)) static int
eval_inplace(struct vctx *c, const struct kw *k, const struct sl_json *v,
    const struct ipath *ip, struct ann *a, const struct scope *sc,
    unsigned depth)
{
	struct ann t;
	size_t nvalid = 0, first = 0, second = 0;
	int ok = 1, r;

	switch (k->kind) {
	case K_ALLOF:
		for (size_t i = 0; i < k->u.list.n; i++)
			if (!eval(c, k->u.list.v[i], v, ip, a, sc, depth + 1)) {
				ok = 0;
				if (!collecting(c))
					return 0;
			}
		return ok;
	case K_ANYOF:
	case K_ONEOF:
		for (size_t i = 0; i < k->u.list.n; i++) {
			c->quiet++;
			r = eval(c, k->u.list.v[i], v, ip,
			    a ? ann_new(c, &t, a->n) : NULL, sc, depth + 1);
			c->quiet--;
			if (!r)
				continue;
			if (nvalid == 0)
				first = i;
			else if (nvalid == 1)
				second = i;
			nvalid++;
			if (a)
				ann_merge(a, &t);
			if (k->kind == K_ANYOF && a == NULL)
				break;
			if (k->kind == K_ONEOF && nvalid > 1)
				break;
		}
		if (nvalid == 0)
			return fail(c, k->name, k->path, ip, v, "%s matches "
			    "none of the %zu schemas in \"%s\"", excerpt(c, v),
			    k->u.list.n, k->name);
		if (k->kind == K_ONEOF && nvalid > 1)
			return fail(c, k->name, k->path, ip, v, "%s matches "
			    "more than one schema in \"oneOf\" (%zu and %zu)",
			    excerpt(c, v), first, second);
		return 1;
	case K_NOT:
		c->quiet++;
		r = eval(c, k->u.sub, v, ip, NULL, sc, depth + 1);
		c->quiet--;
		if (r)
			return fail(c, "not", k->path, ip, v, "%s matches the "
			    "schema in \"not\"", excerpt(c, v));
		return 1;
	case K_IF:
		c->quiet++;
		r = eval(c, k->u.cond.ifn, v, ip, a ? ann_new(c, &t, a->n) :
		    NULL, sc, depth + 1);
		c->quiet--;
		if (r) {
			if (a)
				ann_merge(a, &t);
			if (k->u.cond.thenn)
				return eval(c, k->u.cond.thenn, v, ip, a, sc,
				    depth + 1);
		} else if (k->u.cond.elsen) {
			return eval(c, k->u.cond.elsen, v, ip, a, sc,
			    depth + 1);
		}
		return 1;
	case K_DEPSCHEMAS:
		for (size_t i = 0; i < k->u.ds.n; i++)
			if (sl_json_get(v, k->u.ds.v[i].key,
			    k->u.ds.v[i].klen) &&
			    !eval(c, k->u.ds.v[i].node, v, ip, a, sc,
			    depth + 1)) {
				ok = 0;
				if (!collecting(c))
					return 0;
			}
		return ok;
	case K_REF:
		return eval(c, k->u.ref.target, v, ip, a, sc, depth + 1);
	case K_DYNREF: {
		const struct node *t2 = k->u.ref.target;

		if (k->u.ref.anchor)
			for (const struct scope *q = sc; q; q = q->up)
				for (size_t i = 0; i < q->r->ndyn; i++)
					if (strcmp(q->r->dyn[i].name,
					    k->u.ref.anchor) == 0)
						t2 = q->r->dyn[i].node;
		return eval(c, t2, v, ip, a, sc, depth + 1);
	}
	default:
		return 1;
	}
}

/* The remaining keywords of one kind each, in a separate frame. */
__attribute__((noinline)) static int
eval_other(struct vctx *c, const struct kw *k, const struct sl_json *v,
    const struct ipath *ip, struct ann *a, const struct scope *sc,
    unsigned depth)
{
	int ok = 1;
	size_t n, di, dj;

	switch (k->kind) {
	case K_CONST:
		if (json_eq(k->u.val, v))
			return 1;
		if (!collecting(c))
			return 0;
		return fail(c, "const", k->path, ip, v, "%s is not the "
		    "required constant", excerpt(c, v));
	case K_ENUM:
		return eval_enum(c, k, v, ip);
	case K_MULTIPLEOF: {
		struct dec d;
		int64_t x;

		if (k->u.num->small && k->u.num->iv > 0 &&
		    small_int(v->u.num, v->len, &x)) {
			if (x % k->u.num->iv == 0)
				return 1;
		} else {
			dec_parse(v->u.num, v->len, &d);
			if (dec_multiple(&d, &k->u.num->d, v->u.num,
			    k->u.num->text))
				return 1;
		}
		return fail(c, "multipleOf", k->path, ip, v, "%s is not a "
		    "multiple of %s", excerpt(c, v), k->u.num->text);
	}
	case K_PATTERN: {
		int r = re_match(c, k->u.pat.re, v->u.str, v->len);

		if (r > 0)
			return 1;
		if (r < 0)
			return fail(c, "pattern", k->path, ip, v, "pattern "
			    "\"%s\" is too costly to match", k->u.pat.src);
		return fail(c, "pattern", k->path, ip, v, "%s does not match "
		    "the pattern \"%s\"", excerpt(c, v), k->u.pat.src);
	}
	case K_FORMAT:
		if (format_ok(k->u.fmt, v->u.str, v->len))
			return 1;
		return fail(c, "format", k->path, ip, v, "%s is not a valid "
		    "%s", excerpt(c, v), fmt_names[k->u.fmt]);
	case K_UNIQUE:
		if (unique_ok(c, v, &di, &dj))
			return 1;
		return fail(c, "uniqueItems", k->path, ip, v, "items %zu and "
		    "%zu are equal", di, dj);
	case K_DEPREQ:
		for (size_t i = 0; i < k->u.dr.n; i++) {
			const struct depreq *d = &k->u.dr.v[i];

			if (!sl_json_get(v, d->key, d->klen))
				continue;
			for (size_t q = 0; q < d->names->len; q++) {
				const struct sl_json *nm =
				    &d->names->u.items[q];

				if (sl_json_get(v, nm->u.str, nm->len))
					continue;
				ok = fail(c, k->name, d->path, ip,
				    v, "property \"%s\" is required when "
				    "\"%s\" is present", nm->u.str, d->key);
				if (!collecting(c))
					return 0;
			}
		}
		return ok;
	case K_PROPNAMES:
		for (size_t i = 0; i < v->len; i++) {
			const struct sl_json_member *m = &v->u.members[i];
			struct sl_json kj;
			struct ipath cip = { ip, m->key, m->key_len };

			kj.type = SL_JSON_STRING;
			kj.len = m->key_len;
			kj.u.str = m->key;
			if (k->u.sub->boolean == 2) {
				ok = fail(c, "propertyNames", k->path, &cip,
				    &kj, "no property is allowed here");
			} else if (!eval(c, k->u.sub, &kj, &cip, NULL, sc,
			    depth + 1)) {
				ok = 0;
			}
			if (!ok && !collecting(c))
				return 0;
		}
		return ok;
	case K_OBJECT:
		return eval_object(c, k, v, ip, a, sc, depth);
	case K_ITEMS:
		return eval_items(c, k, v, ip, a, sc, depth);
	case K_CONTAINS:
		return eval_contains(c, k, v, ip, a, sc, depth);
	case K_UNEVAL_ITEMS:
	case K_UNEVAL_PROPS:
		n = v->len;
		for (size_t i = 0; i < n; i++) {
			struct ipath cip;
			const struct sl_json *x;

			if (a && ann_has(a, i))
				continue;
			if (k->kind == K_UNEVAL_ITEMS) {
				cip.up = ip;
				cip.key = NULL;
				cip.n = i;
				x = &v->u.items[i];
			} else {
				cip.up = ip;
				cip.key = v->u.members[i].key;
				cip.n = v->u.members[i].key_len;
				x = &v->u.members[i].value;
			}
			if (k->u.sub->boolean == 2) {
				if (k->kind == K_UNEVAL_ITEMS)
					ok = fail(c, k->name, k->path, &cip, x,
					    "item %zu is not allowed here", i);
				else
					ok = fail(c, k->name, k->path, &cip, x,
					    "property \"%s\" is not allowed",
					    cip.key);
			} else if (!eval(c, k->u.sub, x, &cip, NULL, sc,
			    depth + 1)) {
				ok = 0;
			}
			if (!ok && !collecting(c))
				return 0;
		}
		if (ok && a)
			for (size_t i = 0; i < n; i++)
				ann_set(a, i);
		return ok;
	default:
		return eval_inplace(c, k, v, ip, a, sc, depth);
	}
}

static int
eval(struct vctx *c, const struct node *n, const struct sl_json *v,
    const struct ipath *ip, struct ann *ann, const struct scope *sc,
    unsigned depth)
{
	struct scope inner;
	struct ann local, *a = ann;
	unsigned bit = 1u << v->type;
	int ok = 1;

	if (n->boolean)
		return n->boolean == 1 ? 1 : fail(c, "false", n->path, ip, v,
		    "no value is allowed here (the schema is false)");
	if (c->stop)
		return 0;
	if (++c->steps > MAX_EVAL_STEPS) {
		c->exhausted = 1;
		c->stop = 1;
		return 0;
	}
	if (depth > MAX_EVAL_DEPTH)
		return fail(c, "$ref", n->path, ip, v, "evaluation nested "
		    "deeper than %d schemas (recursive \"$dynamicRef\"?)",
		    MAX_EVAL_DEPTH);
	if (n->res != sc->r) {
		inner.r = n->res;
		inner.up = sc;
		sc = &inner;
	}
	if (n->uneval && (v->type == SL_JSON_OBJECT ||
	    v->type == SL_JSON_ARRAY))
		a = ann_new(c, &local, v->len);
	for (size_t i = 0; i < n->nkw; i++) {
		const struct kw *k = &n->kws[i];
		int r;

		if (!(k->types & bit))
			continue;
		switch (k->kind) {
		case K_TYPE:
			if (k->u.tmask & bit)
				continue;
			if (bit == T_NUMBER && (k->u.tmask & T_INTEGER) &&
			    num_is_integer(v))
				continue;
			r = fail(c, "type", k->path, ip, v, "expected %s, got "
			    "%s", type_list(c, k->u.tmask),
			    v->type == SL_JSON_NUMBER && (k->u.tmask &
			    T_INTEGER) ? "number" : sl_json_type_name(v->type));
			break;
		case K_MINIMUM:
			if (num_cmp(v, k->u.num) >= 0)
				continue;
			r = fail(c, k->name, k->path, ip, v, "%s is below the "
			    "minimum %s", excerpt(c, v), k->u.num->text);
			break;
		case K_EXMINIMUM:
			if (num_cmp(v, k->u.num) > 0)
				continue;
			r = fail(c, k->name, k->path, ip, v, "%s is not above "
			    "the exclusive minimum %s", excerpt(c, v),
			    k->u.num->text);
			break;
		case K_MAXIMUM:
			if (num_cmp(v, k->u.num) <= 0)
				continue;
			r = fail(c, k->name, k->path, ip, v, "%s is above the "
			    "maximum %s", excerpt(c, v), k->u.num->text);
			break;
		case K_EXMAXIMUM:
			if (num_cmp(v, k->u.num) < 0)
				continue;
			r = fail(c, k->name, k->path, ip, v, "%s is not below "
			    "the exclusive maximum %s", excerpt(c, v),
			    k->u.num->text);
			break;
		case K_MINLENGTH:
			/* code points <= bytes: count only when it matters */
			if (utf8_at_least(v->u.str, v->len, k->u.n))
				continue;
			r = fail(c, k->name, k->path, ip, v, "%s is shorter "
			    "than %zu characters", excerpt(c, v), k->u.n);
			break;
		case K_MAXLENGTH:
			if (v->len <= k->u.n || utf8_count(v->u.str, v->len) <=
			    k->u.n)
				continue;
			r = fail(c, k->name, k->path, ip, v, "%s is longer "
			    "than %zu characters", excerpt(c, v), k->u.n);
			break;
		case K_MINITEMS:
		case K_MINPROPS:
			if (v->len >= k->u.n)
				continue;
			r = fail(c, k->name, k->path, ip, v, "%zu %s, fewer "
			    "than %zu", v->len, k->kind == K_MINITEMS ?
			    "items" : "properties", k->u.n);
			break;
		case K_MAXITEMS:
		case K_MAXPROPS:
			if (v->len <= k->u.n)
				continue;
			r = fail(c, k->name, k->path, ip, v, "%zu %s, more "
			    "than %zu", v->len, k->kind == K_MAXITEMS ?
			    "items" : "properties", k->u.n);
			break;
		case K_OBJECT:
			r = eval_object(c, k, v, ip, a, sc, depth);
			break;
		case K_ITEMS:
			r = eval_items(c, k, v, ip, a, sc, depth);
			break;
		case K_REF:
		case K_DYNREF:
		case K_ALLOF:
		case K_ANYOF:
		case K_ONEOF:
		case K_NOT:
		case K_IF:
		case K_DEPSCHEMAS:
			r = eval_inplace(c, k, v, ip, a, sc, depth);
			break;
		default:
			r = eval_other(c, k, v, ip, a, sc, depth);
			break;
		}
		if (!r) {
			ok = 0;
			if (!collecting(c))
				return 0;
		}
	}
	if (a == &local && ann != NULL && ok)
		ann_merge(ann, &local);
	return ok;
}

size_t
sl_schema_validate(const struct sl_schema *s, const struct sl_json *inst,
    struct sl_arena *scratch, sl_schema_report_fn report, void *ctx,
    size_t max)
{
	struct vctx c;
	struct scope sc;
	int ok;

	memset(&c, 0, sizeof(c));
	c.s = s;
	c.scratch = scratch;
	c.report = report;
	c.rctx = ctx;
	c.max = max;
	sc.r = s->root_res;
	sc.up = NULL;
	ok = eval(&c, s->root, inst, NULL, NULL, &sc, 0);
	if (c.exhausted) {
		/* invalid, whatever was found (and reported) before */
		if (report == NULL)
			return 1;
		c.stop = 0;
		c.quiet = 0;
		fail_report(&c, "schema", s->root->path, NULL, inst, "too costly "
		    "to check: more than %u schema evaluations for one value "
		    "(allOf/anyOf/$ref that multiply the work?)", MAX_EVAL_STEPS);
		return c.count;
	}
	if (report == NULL)
		return !ok;
	if (!ok && c.count == 0 && !c.stop) {
		/* never fail silently: a failure with nothing reported */
		c.quiet = 0;
		fail(&c, "schema", s->root->path, NULL, inst, "the value does "
		    "not match the schema");
	}
	return c.count;
}
