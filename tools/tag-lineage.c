/*
 * sluice-tag-lineage - set the context layer by policy, export lineage,
 * answer "where did this record come from".
 *
 * A policy (JSON) is an ordered list of rules; every rule whose match holds
 * for a data record sets context fields on it (classification, roles,
 * authority, certification, validity, key, event time, PII).  A record the
 * rules change gets one Sluice-Lineage line naming the policy and its
 * digest; a record they do not change is written exactly as it was read.
 * Payloads are never rewritten.  See sluice-tag-lineage(1).
 *
 * Data flow:
 *
 *   --policy FILE -> policy_load(): JSON (json.h), checked field by field,
 *       errors name the place as a JSON Pointer (exit 78)
 *   --set FIELD=VALUE -> one more rule without a match, applied last
 *   stream -> for each data record: rules_apply() (match, set in order),
 *       --detect-pii (pii_scan), compare with what the record carried,
 *       write only the fields that changed, append the lineage line
 *   --openlineage FILE / --openlineage-url URL: START before the first
 *       record, COMPLETE at the end, FAIL from the exit hook
 *   --trace ID: no stream output; reads the inputs (standard input is
 *       spooled to a temporary file) once per generation of ancestors
 *       that comes before its descendants in the inputs (at most
 *       MAX_TRACE_PASSES times)
 */
#include "config.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "buf.h"
#include "context.h"
#include "diag.h"
#include "header.h"
#include "ids.h"
#include "input.h"
#include "jqbridge.h"
#include "json.h"
#include "opts.h"
#include "outfile.h"
#include "run.h"
#include "stream.h"
#include "timefmt.h"
#include "xalloc.h"

enum {
	OPT_POLICY = 1,
	OPT_SET,
	OPT_STRICT,
	OPT_DETECT_PII,
	OPT_OPENLINEAGE,
	OPT_OPENLINEAGE_URL,
	OPT_NAMESPACE,
	OPT_JOB,
	OPT_OUTPUT_DATASET,
	OPT_TRACE,
	OPT_JSON,
};

static const struct sl_option options[] = {
	{ 'p', "policy", "FILE", "apply the rules of this policy (JSON)",
	    OPT_POLICY, 0 },
	{ 's', "set", "FIELD=VALUE", "set a context field on every data record, "
	    "after the policy (repeatable)", OPT_SET, 0 },
	{ 0, "strict", NULL, "refuse to loosen a record (lower classification, "
	    "wider roles, longer validity)", OPT_STRICT, 0 },
	{ 0, "detect-pii", NULL, "find e-mail addresses, phone numbers, cards, "
	    "IBANs, SSNs and NINOs in JSON payloads", OPT_DETECT_PII, 0 },
	{ 0, "openlineage", "FILE", "append OpenLineage run events to FILE "
	    "(JSON Lines)", OPT_OPENLINEAGE, 0 },
	{ 0, "openlineage-url", "URL", "post OpenLineage run events to URL's "
	    "/api/v1/lineage", OPT_OPENLINEAGE_URL, SL_OPT_SECRET },
	{ 0, "namespace", "NAME", "OpenLineage job namespace (default "
	    "\"sluice\")", OPT_NAMESPACE, 0 },
	{ 0, "job", "NAME", "OpenLineage job name (default: the policy name, "
	    "else \"tag-lineage\")", OPT_JOB, 0 },
	{ 0, "output-dataset", "URI", "an OpenLineage output dataset "
	    "(repeatable)", OPT_OUTPUT_DATASET, 0 },
	{ 0, "trace", "ID", "print the history of record ID instead of a "
	    "stream", OPT_TRACE, 0 },
	{ 0, "json", NULL, "--trace: print JSON", OPT_JSON, 0 },
	{ 0, NULL, NULL, NULL, 0, 0 },
};

static const struct sl_tool tool = {
	"sluice-tag-lineage", "tag-lineage", "[options] [FILE...]",
	"set the context layer by policy, export and trace lineage",
	options,
};

#define MAX_POLICY_BYTES (16u << 20)
#define MAX_SETS 64
#define MAX_DATASETS 10000
#define MAX_FIELDS 1000
#define MAX_ALL_FIELDS 100000
#define MAX_FIELD_NAME 1024
#define MAX_TRACE_NODES 100000
#define MAX_TRACE_PASSES 64
#define JQ_CPU_LIMIT 10         /* seconds of CPU for one jq run */
#define MAX_REPLY_BYTES (1u << 20)
#define MAX_GLOB_BYTES 1024u
#define MAX_NAMES_BYTES 60000u  /* Sluice-PII, Sluice-Roles (lines < 64 KiB) */

/* ---- configuration ---- */

struct config {
	const char *policy;
	const char **sets;
	size_t nsets;
	int strict;
	int detect_pii;
	const char *ol_file;
	const char *ol_url;
	const char *ns;
	const char *job;
	const char **outputs;
	size_t noutputs;
	const char *trace;
	int json;
};

static int
handle(int id, const char *arg, void *ctx)
{
	struct config *c = ctx;

	switch (id) {
	case OPT_POLICY:
		if (c->policy)
			sl_usage_error("--policy given twice");
		c->policy = arg;
		return 0;
	case OPT_SET:
		if (c->nsets == MAX_SETS)
			sl_usage_error("more than %d --set options", MAX_SETS);
		c->sets = sl_reallocarray(c->sets, c->nsets + 1, sizeof(*c->sets));
		c->sets[c->nsets++] = arg;
		return 0;
	case OPT_STRICT:
		c->strict = 1;
		return 0;
	case OPT_DETECT_PII:
		c->detect_pii = 1;
		return 0;
	case OPT_OPENLINEAGE:
		c->ol_file = arg;
		return 0;
	case OPT_OPENLINEAGE_URL:
		if (strncmp(arg, "http://", 7) != 0 &&
		    strncmp(arg, "https://", 8) != 0)
			sl_usage_error("--openlineage-url wants an http:// or "
			    "https:// URL");
		c->ol_url = arg;
		return 0;
	case OPT_NAMESPACE:
		if (*arg == '\0')
			sl_usage_error("--namespace must not be empty");
		c->ns = arg;
		return 0;
	case OPT_JOB:
		if (*arg == '\0')
			sl_usage_error("--job must not be empty");
		c->job = arg;
		return 0;
	case OPT_OUTPUT_DATASET:
		if (*arg == '\0' || strchr(arg, ':') == NULL)
			sl_usage_error("--output-dataset wants a URI, not \"%s\"",
			    arg);
		c->outputs = sl_reallocarray(c->outputs, c->noutputs + 1,
		    sizeof(*c->outputs));
		c->outputs[c->noutputs++] = arg;
		return 0;
	case OPT_TRACE:
		c->trace = arg;
		return 0;
	case OPT_JSON:
		c->json = 1;
		return 0;
	}
	return -1;
}

/* ---- globs ---- */

/*
 * A glob compiled to tokens and matched by simulating its automaton, so
 * time is linear in the subject whatever the pattern (no backtracking).
 * In "path" globs (uri) '*' and '?' stop at '/', and '**' crosses it;
 * elsewhere '*' matches anything.  Characters are UTF-8 code points;
 * '[...]' is a set with ranges, '!' or '^' negates, '\' quotes.
 */
enum gtok { G_LIT, G_ANY, G_SET, G_STAR, G_DSTAR };

struct gtoken {
	enum gtok kind;
	uint32_t c;             /* G_LIT */
	int neg;                /* G_SET */
	uint32_t *ranges;       /* G_SET: pairs lo, hi */
	size_t nranges;
};

struct glob {
	char *src;
	struct gtoken *t;
	size_t n;
	int path;
	unsigned char *cur, *next;  /* n + 1 states, scratch */
	uint64_t *eps;          /* n < 64: state i and the stars after it */
	/* the last subject and its answer (records of one source share a URI) */
	char *last;
	size_t lastlen, lastcap;
	int lastres;
};

/* Decodes one UTF-8 character (invalid bytes stand for themselves). */
static uint32_t
utf8_next(const unsigned char **pp, const unsigned char *end)
{
	const unsigned char *p = *pp;
	uint32_t c = *p;
	int k = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : 0;

	if (k == 0 || end - p <= k) {
		*pp = p + 1;
		return c;
	}
	c &= 0x3f >> k;
	for (int i = 1; i <= k; i++) {
		if ((p[i] & 0xc0) != 0x80) {
			*pp = p + 1;
			return *p;
		}
		c = c << 6 | (p[i] & 0x3f);
	}
	*pp = p + k + 1;
	return c;
}

/* Compiles s; returns 0, or -1 with *why. */
static int
glob_compile(struct glob *g, const char *s, int path, const char **why)
{
	const unsigned char *p = (const unsigned char *)s,
	    *end = p + strlen(s);
	size_t cap = 0;

	memset(g, 0, sizeof(*g));
	g->src = sl_strdup(s);
	g->path = path;
	while (p < end) {
		struct gtoken tk;

		memset(&tk, 0, sizeof(tk));
		if (*p == '*') {
			tk.kind = G_STAR;
			p++;
			if (p < end && *p == '*') {
				while (p < end && *p == '*')
					p++;
				tk.kind = path ? G_DSTAR : G_STAR;
			}
			/* a run of stars is one star */
			if (g->n && (g->t[g->n - 1].kind == G_STAR ||
			    g->t[g->n - 1].kind == G_DSTAR)) {
				if (tk.kind == G_DSTAR)
					g->t[g->n - 1].kind = G_DSTAR;
				continue;
			}
		} else if (*p == '?') {
			tk.kind = G_ANY;
			p++;
		} else if (*p == '[') {
			size_t rcap = 0;
			int first = 1;

			tk.kind = G_SET;
			p++;
			if (p < end && (*p == '!' || *p == '^')) {
				tk.neg = 1;
				p++;
			}
			for (;;) {
				uint32_t lo, hi;

				if (p >= end) {
					*why = "'[' without a closing ']'";
					free(tk.ranges);
					return -1;
				}
				if (*p == ']' && !first) {
					p++;
					break;
				}
				first = 0;
				if (*p == '\\' && p + 1 < end)
					p++;
				lo = hi = utf8_next(&p, end);
				if (p + 1 < end && *p == '-' && p[1] != ']') {
					p++;
					if (*p == '\\' && p + 1 < end)
						p++;
					hi = utf8_next(&p, end);
					if (hi < lo) {
						*why = "a range in '[...]' runs "
						    "backwards";
						free(tk.ranges);
						return -1;
					}
				}
				tk.ranges = sl_grow(tk.ranges, &rcap,
				    2 * tk.nranges + 2, sizeof(*tk.ranges));
				tk.ranges[2 * tk.nranges] = lo;
				tk.ranges[2 * tk.nranges + 1] = hi;
				tk.nranges++;
			}
		} else {
			if (*p == '\\') {
				p++;
				if (p == end) {
					*why = "a '\\' at the end";
					return -1;
				}
			}
			tk.kind = G_LIT;
			tk.c = utf8_next(&p, end);
		}
		g->t = sl_grow(g->t, &cap, g->n + 1, sizeof(*g->t));
		g->t[g->n++] = tk;
	}
	g->cur = sl_malloc(g->n + 1);
	g->next = sl_malloc(g->n + 1);
	if (g->n < 64) {
		g->eps = sl_calloc(g->n + 1, sizeof(*g->eps));
		for (size_t i = g->n + 1; i-- > 0;) {
			g->eps[i] = (uint64_t)1 << i;
			if (i < g->n && (g->t[i].kind == G_STAR ||
			    g->t[i].kind == G_DSTAR))
				g->eps[i] |= g->eps[i + 1];
		}
	}
	return 0;
}

static void
glob_free(struct glob *g)
{
	for (size_t i = 0; i < g->n; i++)
		free(g->t[i].ranges);
	free(g->t);
	free(g->src);
	free(g->cur);
	free(g->next);
	free(g->eps);
	free(g->last);
}

/* Adds state i and what follows it through stars (which may be empty). */
static void
glob_add(const struct glob *g, unsigned char *set, size_t i)
{
	while (!set[i]) {
		set[i] = 1;
		if (i == g->n || (g->t[i].kind != G_STAR &&
		    g->t[i].kind != G_DSTAR))
			break;
		i++;
	}
}

static int
gset_has(const struct gtoken *t, uint32_t c)
{
	int in = 0;

	for (size_t i = 0; i < t->nranges && !in; i++)
		in = c >= t->ranges[2 * i] && c <= t->ranges[2 * i + 1];
	return in != t->neg;
}

/* Does token t take character c? */
static inline int
gtoken_takes(const struct glob *g, const struct gtoken *t, uint32_t c)
{
	switch (t->kind) {
	case G_LIT:
		return c == t->c;
	case G_ANY:
	case G_STAR:
		return !(g->path && c == '/');
	case G_SET:
		return !(g->path && c == '/') && gset_has(t, c);
	default:
		return 1;
	}
}

/* The automaton as a bit set of states (patterns of fewer than 64 tokens). */
static int
glob_match_bits(const struct glob *g, const unsigned char *p,
    const unsigned char *end)
{
	uint64_t cur = g->eps[0];

	while (p < end) {
		uint32_t c = *p < 0x80 ? *p++ : utf8_next(&p, end);
		uint64_t next = 0, live = cur & ~((uint64_t)1 << g->n);

		while (live) {
			size_t i = (size_t)__builtin_ctzll(live);
			const struct gtoken *t = &g->t[i];

			live &= live - 1;
			if (!gtoken_takes(g, t, c))
				continue;
			next |= t->kind == G_STAR || t->kind == G_DSTAR ?
			    g->eps[i] : g->eps[i + 1];
		}
		if (next == 0)
			return 0;
		cur = next;
	}
	return (cur >> g->n) & 1;
}

/*
 * The common shapes on an ASCII subject, without the automaton: one star
 * (or **) at the start or the end and single-character tokens elsewhere
 * ("*7", "[1-3]*", "s3:// then **").  Returns the answer, or -1 when the pattern
 * or the subject has another shape.
 */
static int
glob_match_ends(const struct glob *g, const unsigned char *p, size_t len)
{
	size_t n = g->n, k, i;
	int lead, star;

	if (n == 0)
		return -1;
	lead = g->t[0].kind == G_STAR || g->t[0].kind == G_DSTAR;
	star = g->t[n - 1].kind == G_STAR || g->t[n - 1].kind == G_DSTAR;
	if (lead == star)
		return -1;
	k = n - 1;	/* single-character tokens */
	for (i = lead; i < lead + k; i++)
		if (g->t[i].kind == G_STAR || g->t[i].kind == G_DSTAR)
			return -1;
	for (i = 0; i < len; i++)
		if (p[i] >= 0x80)
			return -1;
	if (len < k)
		return 0;
	/* the star's span: [0, len - k) when leading, [k, len) when trailing */
	for (i = 0; i < k; i++) {
		size_t at = lead ? len - k + i : i;

		if (!gtoken_takes(g, &g->t[lead + i], p[at]))
			return 0;
	}
	if (g->path && g->t[lead ? 0 : n - 1].kind == G_STAR &&
	    memchr(lead ? p : p + k, '/', len - k) != NULL)
		return 0;
	return 1;
}

static int
glob_match(struct glob *g, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	size_t n = g->n;
	int r;

	if ((r = glob_match_ends(g, p, len)) >= 0)
		return r;
	if (g->eps)
		return glob_match_bits(g, p, end);

	memset(g->cur, 0, n + 1);
	glob_add(g, g->cur, 0);
	while (p < end) {
		uint32_t c = utf8_next(&p, end);
		int any = 0;

		memset(g->next, 0, n + 1);
		for (size_t i = 0; i < n; i++) {
			const struct gtoken *t = &g->t[i];

			if (!g->cur[i])
				continue;
			switch (t->kind) {
			case G_LIT:
				if (c == t->c)
					glob_add(g, g->next, i + 1), any = 1;
				break;
			case G_ANY:
				if (!(g->path && c == '/'))
					glob_add(g, g->next, i + 1), any = 1;
				break;
			case G_SET:
				if (!(g->path && c == '/') && gset_has(t, c))
					glob_add(g, g->next, i + 1), any = 1;
				break;
			case G_STAR:
				if (!(g->path && c == '/'))
					glob_add(g, g->next, i), any = 1;
				break;
			case G_DSTAR:
				glob_add(g, g->next, i), any = 1;
				break;
			}
		}
		if (!any)
			return 0;
		memcpy(g->cur, g->next, n + 1);
	}
	return g->cur[n];
}

/*
 * glob_match, remembering the last subject: URIs without their fragment
 * and media types repeat from record to record.
 */
static int
glob_match_cached(struct glob *g, const char *s, size_t len)
{
	if (g->last && len == g->lastlen && memcmp(g->last, s, len) == 0)
		return g->lastres;
	g->lastres = glob_match(g, s, len);
	if (len + 1 > g->lastcap) {
		g->lastcap = len + 64;
		g->last = sl_realloc(g->last, g->lastcap);
	}
	memcpy(g->last, s, len);
	g->lastlen = len;
	return g->lastres;
}

/* ---- paths into the payload ---- */

/*
 * A place in a JSON payload: a JSON Pointer ("/a/0"), a simple jq path
 * (".a.b", ".a[0]", ".[\"x y\"]") turned into a pointer, a bare field name,
 * or any other jq program, run through libjq (its first output counts).
 */
struct path {
	char *src;
	char *ptr;              /* the pointer, or NULL for a jq program */
	struct sl_jq *jq;
};

static void
ptr_add_token(struct sl_buf *b, const char *s, size_t n)
{
	sl_buf_addc(b, '/');
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '~')
			sl_buf_adds(b, "~0");
		else if (s[i] == '/')
			sl_buf_adds(b, "~1");
		else
			sl_buf_addc(b, s[i]);
	}
}

static int
ident_char(char c, int first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	    (!first && c >= '0' && c <= '9');
}

/* ".a.b[0].\"c d\"" -> "/a/b/0/c d"; -1 when it is not that simple. */
static int
jq_path_to_pointer(const char *s, struct sl_buf *out)
{
	const char *p = s;

	if (strcmp(s, ".") == 0)
		return 0;
	while (*p) {
		if (*p == '.' && p[1] == '"') {
			const char *q = p + 2;

			while (*q && *q != '"' && *q != '\\')
				q++;
			if (*q != '"')
				return -1;
			ptr_add_token(out, p + 2, (size_t)(q - p - 2));
			p = q + 1;
		} else if (*p == '.' && ident_char(p[1], 1)) {
			const char *q = p + 1;

			while (ident_char(*q, 0))
				q++;
			ptr_add_token(out, p + 1, (size_t)(q - p - 1));
			p = q;
		} else if (*p == '[' || (*p == '.' && p[1] == '[')) {
			const char *q;

			p += *p == '.' ? 2 : 1;
			if (*p == '"') {
				q = p + 1;
				while (*q && *q != '"' && *q != '\\')
					q++;
				if (*q != '"' || q[1] != ']')
					return -1;
				ptr_add_token(out, p + 1, (size_t)(q - p - 1));
				p = q + 2;
			} else {
				q = p;
				while (*q >= '0' && *q <= '9')
					q++;
				if (q == p || *q != ']' || (q - p > 1 && *p == '0'))
					return -1;
				ptr_add_token(out, p, (size_t)(q - p));
				p = q + 1;
			}
		} else {
			return -1;
		}
	}
	return 0;
}

/* Compiles a path; returns 0, or -1 with a message in err. */
static int
path_compile(struct path *pa, const char *s, struct sl_buf *err)
{
	struct sl_buf b = SL_BUF_INIT;

	memset(pa, 0, sizeof(*pa));
	if (*s == '\0') {
		sl_buf_adds(err, "an empty path");
		return -1;
	}
	pa->src = sl_strdup(s);
	if (*s == '/') {
		pa->ptr = sl_strdup(s);
		return 0;
	}
	if (*s != '.') {
		ptr_add_token(&b, s, strlen(s));
		pa->ptr = sl_buf_detach(&b, NULL);
		return 0;
	}
	if (jq_path_to_pointer(s, &b) == 0) {
		pa->ptr = b.data ? sl_buf_detach(&b, NULL) : sl_strdup("");
		return 0;
	}
	sl_buf_release(&b);
	pa->jq = sl_jq_compile(s, jv_object(), err);
	return pa->jq ? 0 : -1;
}

static void
path_free(struct path *pa)
{
	free(pa->src);
	free(pa->ptr);
	if (pa->jq)
		sl_jq_free(pa->jq);
}

/*
 * The scalar at pa in doc as text (a string's bytes, a number's text,
 * true/false) into out.  Returns 1, 0 when there is no such scalar (absent,
 * null, an object or array), -1 on a jq runtime error (message in out).
 */
static int
path_text(struct path *pa, const struct sl_json *doc, struct sl_buf *out)
{
	const struct sl_json *v;
	jv r;
	int rc;

	sl_buf_reset(out);
	if (pa->ptr) {
		v = sl_json_pointer(doc, pa->ptr, strlen(pa->ptr));
		if (v == NULL)
			return 0;
		switch (v->type) {
		case SL_JSON_STRING:
			sl_buf_add(out, v->u.str, v->len);
			return 1;
		case SL_JSON_NUMBER:
			sl_buf_add(out, v->u.num, v->len);
			return 1;
		case SL_JSON_TRUE:
			sl_buf_adds(out, "true");
			return 1;
		case SL_JSON_FALSE:
			sl_buf_adds(out, "false");
			return 1;
		default:
			return 0;
		}
	}
	sl_jq_start(pa->jq, sl_jq_from_json(doc));
	rc = sl_jq_next(pa->jq, &r, out);
	if (rc <= 0)
		return rc;
	switch (jv_get_kind(r)) {
	case JV_KIND_STRING:
		sl_buf_add(out, jv_string_value(r), (size_t)jv_string_length_bytes(
		    jv_copy(r)));
		rc = 1;
		break;
	case JV_KIND_NUMBER:
	case JV_KIND_TRUE:
	case JV_KIND_FALSE:
		rc = sl_jq_write(out, r) == 0 ? 1 : 0;  /* borrows */
		break;
	default:
		rc = 0;
		break;
	}
	jv_free(r);
	return rc;
}

/* ---- the policy ---- */

enum {
	S_CLASS = 1 << 0,
	S_ROLES = 1 << 1,
	S_AUTH = 1 << 2,
	S_CERT = 1 << 3,
	S_TTL = 1 << 4,
	S_VALID = 1 << 5,
	S_KEY = 1 << 6,
	S_ETIME = 1 << 7,
	S_PII = 1 << 8,
};

struct hmatch {
	char *name;
	enum sl_field id;       /* SL_F_OTHER: looked up by name */
	struct glob g;
};

struct rule {
	char *name;
	/* match: every condition given must hold */
	int has_uri, has_media, uri_frag;
	struct glob uri, media;
	struct hmatch *hdr;
	size_t nhdr;
	struct sl_jq *jq;
	char *jq_src;
	/* set */
	unsigned set;
	enum sl_class cls;
	enum sl_authority auth;
	enum sl_cert cert;
	struct sl_names roles, pii;     /* names in the policy arena */
	struct sl_duration ttl;
	sl_time valid_until;
	struct path key, etime;
	uint64_t matched;               /* records it applied to */
};

struct policy {
	char *name;             /* NULL when only --set rules */
	char *version;
	struct rule *rules;
	size_t n;
	size_t nset;            /* the last nset rules come from --set */
	int need_json;          /* some rule reads the payload */
	char digest[SL_DIGEST_STRLEN + 1];
	char *lineage_tail;     /* " args=sha256:... policy=NAME@V" */
	struct sl_arena arena;
};

/* Where policy checking is, and what went wrong there. */
struct pcheck {
	struct sl_buf ptr;      /* JSON Pointer of the value being checked */
	struct sl_buf msg;
	struct sl_arena *arena;
};

static size_t
pc_push(struct pcheck *pc, const char *key)
{
	size_t at = pc->ptr.len;

	ptr_add_token(&pc->ptr, key, strlen(key));
	return at;
}

static size_t
pc_push_index(struct pcheck *pc, size_t i)
{
	size_t at = pc->ptr.len;

	sl_buf_addf(&pc->ptr, "/%zu", i);
	return at;
}

static void
pc_pop(struct pcheck *pc, size_t at)
{
	pc->ptr.len = at;
	if (pc->ptr.data)
		pc->ptr.data[at] = '\0';
}

/* Control characters from the file are shown as '?' in messages. */
static void
printable(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

static int pc_fail(struct pcheck *pc, const char *fmt, ...) SL_PRINTF(2, 3);

static int
pc_fail(struct pcheck *pc, const char *fmt, ...)
{
	va_list ap;
	char m[1024];

	va_start(ap, fmt);
	vsnprintf(m, sizeof(m), fmt, ap);
	va_end(ap);
	printable(m);
	sl_buf_reset(&pc->msg);
	sl_buf_adds(&pc->msg, m);
	return -1;
}

/* Keys of obj must be among allowed (NULL-terminated) and not repeated. */
static int
check_keys(struct pcheck *pc, const struct sl_json *obj,
    const char *const *allowed, const char *what)
{
	for (size_t i = 0; i < obj->len; i++) {
		const char *k = obj->u.members[i].key;
		size_t j;

		for (j = 0; allowed[j]; j++)
			if (strcmp(k, allowed[j]) == 0)
				break;
		if (allowed[j] == NULL) {
			struct sl_buf list = SL_BUF_INIT;
			int rc;

			pc_push(pc, k);

			for (j = 0; allowed[j]; j++) {
				if (j)
					sl_buf_adds(&list, ", ");
				sl_buf_adds(&list, allowed[j]);
			}
			rc = pc_fail(pc, "unknown %s \"%.60s\" (known: %s)", what,
			    k, list.data);
			sl_buf_release(&list);
			return rc;
		}
		for (j = 0; j < i; j++)
			if (strcmp(k, obj->u.members[j].key) == 0) {
				pc_push(pc, k);
				return pc_fail(pc, "\"%.60s\" appears twice", k);
			}
	}
	return 0;
}

static int
want_type(struct pcheck *pc, const struct sl_json *v, enum sl_json_type t,
    const char *what)
{
	if (v->type == t)
		return 0;
	return pc_fail(pc, "expected %s, got %s", what,
	    sl_json_type_name(v->type));
}

/* A string value that is a valid name (sl_name_valid). */
static int
want_name(struct pcheck *pc, const struct sl_json *v, const char *what)
{
	if (want_type(pc, v, SL_JSON_STRING, "a string") < 0)
		return -1;
	if (!sl_name_valid(v->u.str, v->len) || strlen(v->u.str) != v->len)
		return pc_fail(pc, "\"%.60s\" is not a valid %s (1 to 128 of "
		    "A-Z a-z 0-9 _ . : @ / + -, not starting with -)",
		    v->u.str, what);
	return 0;
}

static int
want_level(struct pcheck *pc, const struct sl_json *v,
    int (*parse)(const char *, size_t), const char *choices, int *out)
{
	if (want_type(pc, v, SL_JSON_STRING, "a string") < 0)
		return -1;
	*out = parse(v->u.str, v->len);
	if (*out < 0)
		return pc_fail(pc, "\"%.60s\" is not one of %s", v->u.str,
		    choices);
	return 0;
}

/* An array of names into a sorted set. */
static int
want_names(struct pcheck *pc, const struct sl_json *v, struct sl_names *out,
    const char *what)
{
	struct sl_buf all = SL_BUF_INIT;
	const char *bad;
	size_t badlen;

	if (want_type(pc, v, SL_JSON_ARRAY, "an array of names") < 0)
		return -1;
	for (size_t i = 0; i < v->len; i++) {
		size_t at = pc_push_index(pc, i);

		if (want_name(pc, &v->u.items[i], what) < 0) {
			sl_buf_release(&all);
			return -1;
		}
		pc_pop(pc, at);
		sl_buf_addc(&all, ' ');
		sl_buf_add(&all, v->u.items[i].u.str, v->u.items[i].len);
	}
	if (all.len > MAX_NAMES_BYTES + 1) {
		size_t n = all.len - 1;

		sl_buf_release(&all);
		return pc_fail(pc, "%zu bytes of names: a header line holds at "
		    "most %u", n, MAX_NAMES_BYTES);
	}
	if (sl_names_parse(out, all.data ? all.data : "", all.len, pc->arena,
	    &bad, &badlen) < 0) {
		sl_buf_release(&all);
		return pc_fail(pc, "bad %s", what);
	}
	sl_buf_release(&all);
	return 0;
}

static int
want_path(struct pcheck *pc, const struct sl_json *v, struct path *out)
{
	struct sl_buf err = SL_BUF_INIT;
	int rc = 0;

	if (want_type(pc, v, SL_JSON_STRING, "a path (\".field\", "
	    "\"/pointer\" or a jq program)") < 0)
		return -1;
	if (strlen(v->u.str) != v->len)
		return pc_fail(pc, "a path holding a NUL character");
	if (path_compile(out, v->u.str, &err) < 0) {
		while (err.len && (err.data[err.len - 1] == '\n'))
			err.data[--err.len] = '\0';
		rc = pc_fail(pc, "\"%.60s\" is not a path: %s", v->u.str,
		    err.data ? err.data : "does not compile");
	}
	sl_buf_release(&err);
	return rc;
}

static const char *const set_keys[] = {
	"classification", "roles", "authority", "certification", "ttl",
	"valid-until", "key", "event-time", "pii", NULL,
};

/* One member of "set" (or one --set FIELD=VALUE). */
static int
set_one(struct pcheck *pc, struct rule *r, const char *k,
    const struct sl_json *v)
{
	const char *why;
	int lv;

	if (strcmp(k, "classification") == 0) {
		if (want_level(pc, v, sl_class_parse, "public, internal, "
		    "confidential, restricted", &lv) < 0)
			return -1;
		r->cls = (enum sl_class)lv;
		r->set |= S_CLASS;
	} else if (strcmp(k, "authority") == 0) {
		if (want_level(pc, v, sl_authority_parse, "authoritative, "
		    "internal, external, unverified", &lv) < 0)
			return -1;
		r->auth = (enum sl_authority)lv;
		r->set |= S_AUTH;
	} else if (strcmp(k, "certification") == 0) {
		if (want_level(pc, v, sl_cert_parse, "certified, provisional, "
		    "deprecated", &lv) < 0)
			return -1;
		r->cert = (enum sl_cert)lv;
		r->set |= S_CERT;
	} else if (strcmp(k, "roles") == 0) {
		if (want_names(pc, v, &r->roles, "role name") < 0)
			return -1;
		r->set |= S_ROLES;
	} else if (strcmp(k, "pii") == 0) {
		if (want_names(pc, v, &r->pii, "field name") < 0)
			return -1;
		r->set |= S_PII;
	} else if (strcmp(k, "ttl") == 0) {
		if (want_type(pc, v, SL_JSON_STRING, "an ISO 8601 duration "
		    "such as \"P30D\"") < 0)
			return -1;
		if (sl_duration_parse(v->u.str, v->len, &r->ttl, &why) < 0)
			return pc_fail(pc, "\"%.60s\" is not an ISO 8601 "
			    "duration: %s", v->u.str, why);
		if (r->ttl.years < 0 || r->ttl.months < 0 || r->ttl.days < 0 ||
		    r->ttl.us < 0)
			return pc_fail(pc, "a negative ttl");
		r->set |= S_TTL;
	} else if (strcmp(k, "valid-until") == 0) {
		if (want_type(pc, v, SL_JSON_STRING, "an RFC 3339 time") < 0)
			return -1;
		if (sl_time_parse(v->u.str, v->len, &r->valid_until, &why) < 0)
			return pc_fail(pc, "\"%.60s\" is not an RFC 3339 time: "
			    "%s", v->u.str, why);
		r->set |= S_VALID;
	} else if (strcmp(k, "key") == 0) {
		if (want_path(pc, v, &r->key) < 0)
			return -1;
		r->set |= S_KEY;
	} else if (strcmp(k, "event-time") == 0) {
		if (want_path(pc, v, &r->etime) < 0)
			return -1;
		r->set |= S_ETIME;
	} else {
		return pc_fail(pc, "unknown field \"%.60s\"", k);
	}
	if ((r->set & (S_TTL | S_VALID)) == (S_TTL | S_VALID))
		return pc_fail(pc, "ttl and valid-until both set: give one");
	return 0;
}

static const char *const match_keys[] = {
	"uri", "media-type", "header", "jq", NULL,
};

static int
want_glob(struct pcheck *pc, const struct sl_json *v, struct glob *g,
    int path)
{
	const char *why;

	if (want_type(pc, v, SL_JSON_STRING, "a glob") < 0)
		return -1;
	if (strlen(v->u.str) != v->len)
		return pc_fail(pc, "a glob holding a NUL character");
	if (v->len > MAX_GLOB_BYTES)
		return pc_fail(pc, "a glob of %zu bytes: at most %u (matching "
		    "takes time in proportion to its length)", v->len,
		    MAX_GLOB_BYTES);
	if (glob_compile(g, v->u.str, path, &why) < 0) {
		glob_free(g);
		memset(g, 0, sizeof(*g));
		return pc_fail(pc, "bad glob \"%.60s\": %s", v->u.str, why);
	}
	return 0;
}

static int
header_name_ok(const char *s, size_t n)
{
	if (n == 0 || n > 256)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= 0x20 || c >= 0x7f || strchr("()<>@,;:\\\"/[]?={}", c))
			return 0;
	}
	return 1;
}

static int
parse_match(struct pcheck *pc, struct rule *r, const struct sl_json *m)
{
	size_t at;

	if (want_type(pc, m, SL_JSON_OBJECT, "an object") < 0 ||
	    check_keys(pc, m, match_keys, "match condition") < 0)
		return -1;
	for (size_t i = 0; i < m->len; i++) {
		const char *k = m->u.members[i].key;
		const struct sl_json *v = &m->u.members[i].value;

		at = pc_push(pc, k);
		if (strcmp(k, "uri") == 0) {
			if (want_glob(pc, v, &r->uri, 1) < 0)
				return -1;
			r->has_uri = 1;
			r->uri_frag = strchr(v->u.str, '#') != NULL;
		} else if (strcmp(k, "media-type") == 0) {
			if (want_glob(pc, v, &r->media, 0) < 0)
				return -1;
			r->has_media = 1;
		} else if (strcmp(k, "header") == 0) {
			if (want_type(pc, v, SL_JSON_OBJECT, "an object of field "
			    "names to globs") < 0)
				return -1;
			if (v->len == 0)
				return pc_fail(pc, "an empty header condition");
			r->hdr = sl_calloc(v->len, sizeof(*r->hdr));
			for (size_t j = 0; j < v->len; j++) {
				const struct sl_json_member *hm = &v->u.members[j];
				size_t at2 = pc_push(pc, hm->key);

				for (size_t q = 0; q < j; q++)
					if (strcasecmp(hm->key,
					    v->u.members[q].key) == 0)
						return pc_fail(pc, "field \"%.60s\" "
						    "appears twice", hm->key);
				if (!header_name_ok(hm->key, hm->key_len))
					return pc_fail(pc, "\"%.60s\" is not a "
					    "header field name", hm->key);
				if (want_glob(pc, &hm->value, &r->hdr[j].g, 0) < 0)
					return -1;
				r->hdr[j].name = sl_strdup(hm->key);
				r->hdr[j].id = sl_field_lookup(hm->key, hm->key_len);
				r->nhdr++;
				pc_pop(pc, at2);
			}
		} else if (strcmp(k, "jq") == 0) {
			struct sl_buf err = SL_BUF_INIT;

			if (want_type(pc, v, SL_JSON_STRING, "a jq program") < 0)
				return -1;
			if (strlen(v->u.str) != v->len)
				return pc_fail(pc, "a program holding a NUL "
				    "character");
			r->jq = sl_jq_compile(v->u.str, jv_object(), &err);
			if (r->jq == NULL) {
				int rc;

				while (err.len && err.data[err.len - 1] == '\n')
					err.data[--err.len] = '\0';
				rc = pc_fail(pc, "jq program does not compile: %s",
				    err.data ? err.data : "");
				sl_buf_release(&err);
				return rc;
			}
			sl_buf_release(&err);
			r->jq_src = sl_strdup(v->u.str);
		}
		pc_pop(pc, at);
	}
	return 0;
}

static const char *const rule_keys[] = {
	"name", "description", "match", "set", NULL,
};

static int
parse_rule(struct pcheck *pc, struct rule *r, const struct sl_json *o)
{
	const struct sl_json *name, *m, *s, *d;
	size_t at;

	if (want_type(pc, o, SL_JSON_OBJECT, "a rule object {\"name\", "
	    "\"match\", \"set\"}") < 0 ||
	    check_keys(pc, o, rule_keys, "rule key") < 0)
		return -1;
	if ((name = sl_json_get(o, "name", 4)) == NULL)
		return pc_fail(pc, "a rule without a \"name\"");
	at = pc_push(pc, "name");
	if (want_name(pc, name, "rule name") < 0)
		return -1;
	pc_pop(pc, at);
	r->name = sl_strdup(name->u.str);
	if ((d = sl_json_get(o, "description", 11)) != NULL) {
		at = pc_push(pc, "description");
		if (want_type(pc, d, SL_JSON_STRING, "a string") < 0)
			return -1;
		pc_pop(pc, at);
	}
	if ((m = sl_json_get(o, "match", 5)) != NULL) {
		at = pc_push(pc, "match");
		if (parse_match(pc, r, m) < 0)
			return -1;
		pc_pop(pc, at);
	}
	if ((s = sl_json_get(o, "set", 3)) == NULL)
		return pc_fail(pc, "rule \"%s\" has no \"set\"", r->name);
	at = pc_push(pc, "set");
	if (want_type(pc, s, SL_JSON_OBJECT, "an object of fields to set") < 0 ||
	    check_keys(pc, s, set_keys, "field") < 0)
		return -1;
	if (s->len == 0)
		return pc_fail(pc, "rule \"%s\" sets nothing", r->name);
	for (size_t i = 0; i < s->len; i++) {
		size_t at2 = pc_push(pc, s->u.members[i].key);

		if (set_one(pc, r, s->u.members[i].key, &s->u.members[i].value) < 0)
			return -1;
		pc_pop(pc, at2);
	}
	pc_pop(pc, at);
	return 0;
}

static int
rule_cmp(const void *a, const void *b)
{
	const struct rule *x = *(const struct rule *const *)a,
	    *y = *(const struct rule *const *)b;
	int c = strcmp(x->name, y->name);

	return c ? c : (x > y) - (x < y);
}

/*
 * The first rule (in file order) named as an earlier one is refused, at
 * /rules/N/name: sorted by name, not compared pair by pair.
 */
static int
names_twice(struct pcheck *pc, const struct policy *pol)
{
	const struct rule **v;
	const struct rule *first = NULL;
	int rc = 0;

	if (pol->n < 2)
		return 0;
	v = sl_reallocarray(NULL, pol->n, sizeof(*v));
	for (size_t i = 0; i < pol->n; i++)
		v[i] = &pol->rules[i];
	qsort(v, pol->n, sizeof(*v), rule_cmp);
	for (size_t i = 1; i < pol->n; i++)
		if (strcmp(v[i - 1]->name, v[i]->name) == 0 &&
		    (first == NULL || v[i] < first) &&
		    (i < 2 || strcmp(v[i - 2]->name, v[i]->name) != 0))
			first = v[i];
	if (first) {
		pc_push_index(pc, (size_t)(first - pol->rules));
		pc_push(pc, "name");
		rc = pc_fail(pc, "rule \"%s\" is named twice", first->name);
	}
	free(v);
	return rc;
}

static void
rule_free(struct rule *r)
{
	free(r->name);
	if (r->has_uri)
		glob_free(&r->uri);
	if (r->has_media)
		glob_free(&r->media);
	for (size_t i = 0; i < r->nhdr; i++) {
		free(r->hdr[i].name);
		glob_free(&r->hdr[i].g);
	}
	free(r->hdr);
	if (r->jq)
		sl_jq_free(r->jq);
	free(r->jq_src);
	path_free(&r->key);
	path_free(&r->etime);
}

static const char *const policy_keys[] = {
	"policy", "version", "description", "rules", NULL,
};

/* "line L, column C" of byte off in p (columns count bytes, from 1). */
static void
line_col(const char *p, size_t off, size_t *line, size_t *col)
{
	const char *nl = p;

	*line = 1;
	for (size_t i = 0; i < off; i++)
		if (p[i] == '\n') {
			(*line)++;
			nl = p + i + 1;
		}
	*col = (size_t)(p + off - nl) + 1;
}

/*
 * Reads and checks the policy file.  Anything wrong is fatal: 66 when it
 * cannot be read, 78 naming the place (line and column for JSON syntax, a
 * JSON Pointer for a value) otherwise.
 */
static void
policy_load(struct policy *pol, const char *path, struct sl_buf *bytes)
{
	struct pcheck pc = { SL_BUF_INIT, SL_BUF_INIT, &pol->arena };
	struct sl_json doc;
	struct sl_json_error je;
	const struct sl_json *v, *rules;
	char buf[65536];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat sb;
	ssize_t n;
	size_t at;

	if (fd < 0)
		sl_die(SL_EX_NOINPUT, "%s: cannot open: %s", path, strerror(errno));
	if (fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode))
		sl_die(SL_EX_NOINPUT, "%s: is a folder, not a policy", path);
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			sl_die(SL_EX_NOINPUT, "%s: cannot read: %s", path,
			    strerror(errno));
		}
		sl_buf_add(bytes, buf, (size_t)n);
		if (bytes->len > MAX_POLICY_BYTES)
			sl_die(SL_EX_CONFIG, "%s: longer than %u MiB: not a "
			    "policy", path, MAX_POLICY_BYTES >> 20);
	}
	close(fd);
	if (sl_json_parse(&pol->arena, bytes->data ? bytes->data : "",
	    bytes->len, &doc, &je) != SL_JSON_OK) {
		size_t line, col;

		if (bytes->len == 0)
			sl_die(SL_EX_CONFIG, "%s: empty file: not a policy", path);
		line_col(bytes->data, je.offset, &line, &col);
		sl_die(SL_EX_CONFIG, "%s: line %zu, column %zu (byte %zu): not "
		    "JSON: %s", path, line, col, je.offset, je.msg);
	}
	if (want_type(&pc, &doc, SL_JSON_OBJECT, "a policy object {\"policy\", "
	    "\"version\", \"rules\"}") < 0 ||
	    check_keys(&pc, &doc, policy_keys, "key") < 0)
		goto bad;
	if ((v = sl_json_get(&doc, "policy", 6)) == NULL) {
		pc_fail(&pc, "no \"policy\" (the policy's name)");
		goto bad;
	}
	at = pc_push(&pc, "policy");
	if (want_name(&pc, v, "policy name") < 0)
		goto bad;
	pc_pop(&pc, at);
	pol->name = sl_strdup(v->u.str);
	if ((v = sl_json_get(&doc, "version", 7)) == NULL) {
		pc_fail(&pc, "no \"version\"");
		goto bad;
	}
	at = pc_push(&pc, "version");
	if (v->type == SL_JSON_NUMBER) {
		pol->version = sl_strdup(v->u.num);
	} else if (v->type == SL_JSON_STRING) {
		if (want_name(&pc, v, "version") < 0)
			goto bad;
		pol->version = sl_strdup(v->u.str);
	} else {
		want_type(&pc, v, SL_JSON_STRING, "a string or a number");
		goto bad;
	}
	pc_pop(&pc, at);
	if ((v = sl_json_get(&doc, "description", 11)) != NULL) {
		at = pc_push(&pc, "description");
		if (want_type(&pc, v, SL_JSON_STRING, "a string") < 0)
			goto bad;
		pc_pop(&pc, at);
	}
	if ((rules = sl_json_get(&doc, "rules", 5)) == NULL) {
		pc_fail(&pc, "no \"rules\" (an array, may be empty)");
		goto bad;
	}
	at = pc_push(&pc, "rules");
	if (want_type(&pc, rules, SL_JSON_ARRAY, "an array of rules") < 0)
		goto bad;
	pol->rules = sl_calloc(rules->len + MAX_SETS, sizeof(*pol->rules));
	for (size_t i = 0; i < rules->len; i++) {
		size_t at2 = pc_push_index(&pc, i);

		if (parse_rule(&pc, &pol->rules[i], &rules->u.items[i]) < 0) {
			pol->n = i + 1;
			goto bad;
		}
		pol->n = i + 1;
		pc_pop(&pc, at2);
	}
	if (names_twice(&pc, pol) < 0)
		goto bad;
	pc_pop(&pc, at);
	sl_buf_release(&pc.ptr);
	sl_buf_release(&pc.msg);
	return;
bad:
	if (pc.ptr.len)
		printable(pc.ptr.data);
	sl_die(SL_EX_CONFIG, "%s: %s: %s", path, pc.ptr.len ? pc.ptr.data :
	    "(the whole file)", pc.msg.data ? pc.msg.data : "bad policy");
}

/*
 * --set FIELD=VALUE as a rule of its own (no match).  Roles and PII are
 * lists separated by commas or spaces ("roles=" is the empty set).
 * A bad one is a usage error (64).
 */
static void
policy_add_set(struct policy *pol, const char *arg)
{
	struct pcheck pc = { SL_BUF_INIT, SL_BUF_INIT, &pol->arena };
	struct rule *r = &pol->rules[pol->n];
	const char *eq = strchr(arg, '=');
	struct sl_buf field = SL_BUF_INIT, text = SL_BUF_INIT;
	struct sl_json v;

	if (eq == NULL || eq == arg)
		sl_usage_error("--set wants FIELD=VALUE, not \"%s\"", arg);
	sl_buf_add(&field, arg, (size_t)(eq - arg));
	if (strcmp(field.data, "roles") == 0 || strcmp(field.data, "pii") == 0) {
		const char *p = eq + 1;

		sl_buf_addc(&text, '[');
		while (*p) {
			size_t k;

			p += strspn(p, ", ");
			k = strcspn(p, ", ");
			if (k == 0)
				break;
			if (text.len > 1)
				sl_buf_addc(&text, ',');
			sl_json_write_string(&text, p, k);
			p += k;
		}
		sl_buf_addc(&text, ']');
	} else {
		sl_json_write_string(&text, eq + 1, strlen(eq + 1));
	}
	if (!sl_utf8_valid(eq + 1, strlen(eq + 1), NULL) ||
	    sl_json_parse(&pol->arena, text.data, text.len, &v, NULL) !=
	    SL_JSON_OK)
		sl_usage_error("--set %s: the value is not UTF-8 text", field.data);
	r->name = sl_strdup("--set");
	if (set_one(&pc, r, field.data, &v) < 0)
		sl_usage_error("--set %s: %s", field.data, pc.msg.data);
	pol->n++;
	pol->nset++;
	sl_buf_release(&field);
	sl_buf_release(&text);
	sl_buf_release(&pc.ptr);
	sl_buf_release(&pc.msg);
}

/*
 * On sl_die(): ends the jq programs, which may be stopped half-way through
 * a record (libjq keeps their stacks in a form leak checkers cannot follow).
 */
static void
policy_on_exit(void *arg)
{
	struct policy *pol = arg;

	for (size_t i = 0; i < pol->n; i++) {
		struct rule *r = &pol->rules[i];

		if (r->jq)
			sl_jq_free(r->jq);
		if (r->key.jq)
			sl_jq_free(r->key.jq);
		if (r->etime.jq)
			sl_jq_free(r->etime.jq);
		r->jq = r->key.jq = r->etime.jq = NULL;
	}
}

static void
policy_free(struct policy *pol)
{
	for (size_t i = 0; i < pol->n; i++)
		rule_free(&pol->rules[i]);
	free(pol->rules);
	free(pol->name);
	free(pol->version);
	free(pol->lineage_tail);
	sl_arena_release(&pol->arena);
}

/* ---- PII detection ---- */

/*
 * Each detector looks for its shape anywhere in a string and checks what
 * can be checked (Luhn for cards, ISO 7064 mod 97 for IBANs, the SSA's
 * rules for SSNs), so numbers that merely look alike (order numbers,
 * dates, versions, IP addresses) are not reported.
 */
enum pii_kind {
	PII_NONE, PII_EMAIL, PII_PHONE, PII_CARD, PII_IBAN, PII_SSN, PII_NINO,
};

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
is_alnum(int c)
{
	return is_digit(c) || is_alpha(c);
}

static int
email_local_char(int c)
{
	return is_alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' ||
	    c == '-';
}

static int
email_at(const unsigned char *s, size_t n, size_t at)
{
	size_t i = at, k = at + 1, end, label = 0, tld_start;

	while (i > 0 && email_local_char(s[i - 1]))
		i--;
	if (i == at || at - i > 64 || s[i] == '.' || s[at - 1] == '.')
		return 0;
	for (size_t j = i; j + 1 < at; j++)
		if (s[j] == '.' && s[j + 1] == '.')
			return 0;
	while (k < n && (is_alnum(s[k]) || s[k] == '.' || s[k] == '-'))
		k++;
	end = k;
	while (end > at + 1 && (s[end - 1] == '.' || s[end - 1] == '-'))
		end--;          /* a full stop ending a sentence */
	if (end == at + 1 || end - at - 1 > 253)
		return 0;
	/* labels of 1..63 alnum or '-', not at either end; >= 2 labels */
	tld_start = at + 1;
	for (size_t j = at + 1; j <= end; j++) {
		if (j == end || s[j] == '.') {
			size_t len = j - tld_start;

			if (len == 0 || len > 63 || s[tld_start] == '-' ||
			    s[j - 1] == '-')
				return 0;
			label++;
			if (j < end)
				tld_start = j + 1;
		}
	}
	if (label < 2 || end - tld_start < 2)
		return 0;
	for (size_t j = tld_start; j < end; j++)
		if (!is_alpha(s[j]))
			return 0;
	return 1;
}

static int
find_email(const unsigned char *s, size_t n)
{
	for (const unsigned char *p = s; (p = memchr(p, '@', n - (size_t)(p - s)));
	    p++)
		if (email_at(s, n, (size_t)(p - s)))
			return 1;
	return 0;
}

/* A digit run with separators: digits (at most 32) and group lengths. */
struct digits {
	char d[33];
	size_t nd;
	size_t group[12];
	char sep[12];           /* separator after each group but the last */
	size_t ngroup;
	size_t end;             /* index after the run */
	int plus, paren;        /* began with '+', first group in () */
};

/*
 * Reads digits from s[i]: groups of digits separated by one of seps (one
 * character at a time); a leading '(' group is allowed when paren_ok.
 * Returns 0 when the run is too long or malformed.
 */
static int
read_digits(const unsigned char *s, size_t n, size_t i, const char *seps,
    int paren_ok, struct digits *g)
{
	memset(g, 0, sizeof(*g));
	if (i < n && s[i] == '+') {
		g->plus = 1;
		i++;
	}
	for (;;) {
		int par = 0;
		size_t j;

		if (paren_ok && i < n && s[i] == '(') {
			par = 1;
			i++;
		}
		for (j = i; j < n && is_digit(s[j]); j++)
			;
		if (j == i || (par && (j >= n || s[j] != ')')))
			return 0;
		if (g->nd + (j - i) > 32 || g->ngroup == 12)
			return 0;
		memcpy(g->d + g->nd, s + i, j - i);
		g->nd += j - i;
		g->group[g->ngroup++] = j - i;
		g->paren |= par;
		i = j + (size_t)par;
		if (par && i < n && is_digit(s[i])) {
			g->sep[g->ngroup - 1] = ')';
			continue;
		}
		if (i + 1 < n && s[i] != '\0' && strchr(seps, s[i]) &&
		    (is_digit(s[i + 1]) || (paren_ok && s[i + 1] == '('))) {
			g->sep[g->ngroup - 1] = (char)s[i];
			i++;
			continue;
		}
		break;
	}
	g->d[g->nd] = '\0';
	g->end = i;
	return 1;
}

/* Not glued to a word or a longer number on the left. */
static int
left_edge(const unsigned char *s, size_t i)
{
	if (i == 0)
		return 1;
	if (is_alnum(s[i - 1]) || s[i - 1] == '+')
		return 0;
	if ((s[i - 1] == '-' || s[i - 1] == '.' || s[i - 1] == '/' ||
	    s[i - 1] == ',') && i >= 2 && is_alnum(s[i - 2]))
		return 0;
	return 1;
}

static int
right_edge(const unsigned char *s, size_t n, size_t i)
{
	if (i >= n)
		return 1;
	if (is_alnum(s[i]))
		return 0;
	if ((s[i] == '-' || s[i] == '.' || s[i] == '/' || s[i] == ',') &&
	    i + 1 < n && is_alnum(s[i + 1]))
		return 0;
	return 1;
}

static int
luhn_ok(const char *d, size_t n)
{
	int sum = 0;

	for (size_t i = 0; i < n; i++) {
		int v = d[n - 1 - i] - '0';

		if (i % 2 == 1) {
			v *= 2;
			if (v > 9)
				v -= 9;
		}
		sum += v;
	}
	return sum % 10 == 0;
}

/* An issuer prefix and length that card networks use. */
static int
card_iin_ok(const char *d, size_t n)
{
	int p2 = (d[0] - '0') * 10 + (d[1] - '0');
	int p3 = p2 * 10 + (d[2] - '0');
	int p4 = p3 * 10 + (d[3] - '0');

	if (d[0] == '4')
		return n == 13 || n == 16 || n == 19;          /* Visa */
	if ((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720))
		return n == 16;                                /* Mastercard */
	if (p2 == 34 || p2 == 37)
		return n == 15;                                /* Amex */
	if (p4 == 6011 || p2 == 65 || (p3 >= 644 && p3 <= 649))
		return n >= 16 && n <= 19;                     /* Discover */
	if (p4 >= 3528 && p4 <= 3589)
		return n >= 16 && n <= 19;                     /* JCB */
	if ((p3 >= 300 && p3 <= 305) || p2 == 36 || p2 == 38 || p2 == 39)
		return n >= 14 && n <= 19;                     /* Diners */
	if (p2 == 62)
		return n >= 16 && n <= 19;                     /* UnionPay */
	return 0;
}

static int
card_run(const struct digits *g)
{
	if (g->plus || g->paren || g->nd < 13 || g->nd > 19)
		return 0;
	/* one kind of separator, groups of 4 (Amex 4-6-5, Diners 4-6-4) */
	if (g->ngroup > 1) {
		for (size_t i = 0; i + 1 < g->ngroup; i++)
			if (g->sep[i] != g->sep[0])
				return 0;
		if (g->group[0] != 4)
			return 0;
	}
	return card_iin_ok(g->d, g->nd) && luhn_ok(g->d, g->nd);
}

static int
phone_run(const struct digits *g)
{
	const char *d = g->d;

	if (g->plus)        /* +CC ...: E.164, 8 to 15 digits */
		return g->nd >= 8 && g->nd <= 15 && d[0] != '0' &&
		    (g->ngroup >= 2 || g->nd >= 10);
	if (g->nd == 10 || (g->nd == 11 && d[0] == '1')) {
		size_t off = g->nd == 11 ? 1 : 0;
		size_t i0 = g->nd == 11 ? 1 : 0;

		/* NANP: (NXX) NXX-XXXX, NXX-NXX-XXXX, NXX.NXX.XXXX */
		if (g->ngroup == 3 + i0 && g->group[i0] == 3 &&
		    g->group[i0 + 1] == 3 && g->group[i0 + 2] == 4 &&
		    d[off] >= '2' && d[off + 3] >= '2' &&
		    (g->paren || g->sep[i0] == g->sep[i0 + 1] ||
		    (g->sep[i0] == ' ' && g->sep[i0 + 1] == '-')))
			return 1;
	}
	/* national with a trunk 0: 030 1234567, 07700 900123, 06-12345678 */
	if (d[0] == '0' && d[1] != '0' && g->nd >= 10 && g->nd <= 11 &&
	    g->ngroup >= 2 && g->ngroup <= 4 && g->group[0] >= 2 &&
	    g->group[0] <= 5 && (g->sep[0] == ' ' || g->sep[0] == '-' ||
	    g->sep[0] == '/' || g->sep[0] == ')'))
		return 1;
	return 0;
}

static int
ssn_run(const struct digits *g)
{
	const char *d = g->d;
	int area, group, serial;

	if (g->plus || g->paren || g->nd != 9 || g->ngroup != 3 ||
	    g->group[0] != 3 || g->group[1] != 2 || g->group[2] != 4 ||
	    g->sep[0] != g->sep[1] || (g->sep[0] != '-' && g->sep[0] != ' '))
		return 0;
	area = (d[0] - '0') * 100 + (d[1] - '0') * 10 + (d[2] - '0');
	group = (d[3] - '0') * 10 + (d[4] - '0');
	serial = atoi(d + 5);
	if (area == 0 || area == 666 || area >= 900 || group == 0 || serial == 0)
		return 0;
	/* numbers published in advertising, never issued to a person */
	return strcmp(d, "078051120") != 0 && strcmp(d, "219099999") != 0;
}

static enum pii_kind
find_numbers(const unsigned char *s, size_t n)
{
	struct digits g;

	for (size_t i = 0; i < n; i++) {
		int c = s[i];

		if (!(is_digit(c) || c == '+' || c == '(') || !left_edge(s, i))
			continue;
		if (read_digits(s, n, i, " -", 0, &g) && right_edge(s, n, g.end)) {
			if (card_run(&g))
				return PII_CARD;
			if (ssn_run(&g))
				return PII_SSN;
		}
		if (read_digits(s, n, i, " -./", 1, &g) &&
		    right_edge(s, n, g.end) && phone_run(&g))
			return PII_PHONE;
		/* skip the rest of this run */
		while (i + 1 < n && (is_digit(s[i + 1]) || s[i + 1] == '+'))
			i++;
	}
	return PII_NONE;
}

static const struct {
	char cc[3];
	int len;
} iban_lengths[] = {
	{ "AD", 24 }, { "AE", 23 }, { "AL", 28 }, { "AT", 20 }, { "AZ", 28 },
	{ "BA", 20 }, { "BE", 16 }, { "BG", 22 }, { "BH", 22 }, { "BR", 29 },
	{ "CH", 21 }, { "CR", 22 }, { "CY", 28 }, { "CZ", 24 }, { "DE", 22 },
	{ "DK", 18 }, { "DO", 28 }, { "EE", 20 }, { "EG", 29 }, { "ES", 24 },
	{ "FI", 18 }, { "FO", 18 }, { "FR", 27 }, { "GB", 22 }, { "GE", 22 },
	{ "GI", 23 }, { "GL", 18 }, { "GR", 27 }, { "GT", 28 }, { "HR", 21 },
	{ "HU", 28 }, { "IE", 22 }, { "IL", 23 }, { "IS", 26 }, { "IT", 27 },
	{ "JO", 30 }, { "KW", 30 }, { "KZ", 20 }, { "LB", 28 }, { "LI", 21 },
	{ "LT", 20 }, { "LU", 20 }, { "LV", 21 }, { "MC", 27 }, { "MD", 24 },
	{ "ME", 22 }, { "MK", 19 }, { "MR", 27 }, { "MT", 31 }, { "MU", 30 },
	{ "NL", 18 }, { "NO", 15 }, { "PK", 24 }, { "PL", 28 }, { "PS", 29 },
	{ "PT", 25 }, { "QA", 29 }, { "RO", 24 }, { "RS", 22 }, { "SA", 24 },
	{ "SE", 24 }, { "SI", 19 }, { "SK", 24 }, { "SM", 27 }, { "TN", 24 },
	{ "TR", 26 }, { "UA", 29 }, { "VG", 24 }, { "XK", 20 },
};

static int
upper(int c)
{
	return c >= 'a' && c <= 'z' ? c - 32 : c;
}

/* An IBAN starting at s[i]: its country's length, spaces between groups. */
static int
iban_at(const unsigned char *s, size_t n, size_t i)
{
	char cc[3] = { (char)upper(s[i]), (char)upper(s[i + 1]), 0 };
	char v[40];
	size_t k = 0, j = i;
	int len = 0, rem = 0;

	for (size_t t = 0; t < sizeof(iban_lengths) / sizeof(*iban_lengths); t++)
		if (memcmp(iban_lengths[t].cc, cc, 2) == 0)
			len = iban_lengths[t].len;
	if (len == 0)
		return 0;
	while (k < (size_t)len && j < n) {
		if (is_alnum(s[j])) {
			v[k++] = (char)upper(s[j++]);
		} else if (s[j] == ' ' && k % 4 == 0 && k > 0 && j + 1 < n &&
		    is_alnum(s[j + 1])) {
			j++;
		} else {
			break;
		}
	}
	if (k != (size_t)len || !right_edge(s, n, j) || !is_digit(v[2]) ||
	    !is_digit(v[3]))
		return 0;
	/* move the first four to the end; letters count as 10..35 */
	for (size_t t = 0; t < k; t++) {
		int c = v[(t + 4) % k];

		if (is_digit(c))
			rem = (rem * 10 + (c - '0')) % 97;
		else
			rem = (rem * 100 + (c - 'A' + 10)) % 97;
	}
	return rem == 1;
}

static int
find_iban(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i + 15 <= n; i++)
		if (is_alpha(s[i]) && is_alpha(s[i + 1]) && is_digit(s[i + 2]) &&
		    (i == 0 || !is_alnum(s[i - 1])) && iban_at(s, n, i))
			return 1;
	return 0;
}

/*
 * A UK National Insurance number at s[i]: two letters (HMRC never issues
 * D, F, I, Q, U, V; not O second; not the prefixes BG GB KN NK NT TN ZZ),
 * six digits, A to D; written "AB123456C" or "AB 12 34 56 C".
 */
static int
nino_at(const unsigned char *s, size_t n, size_t i)
{
	static const char *const never = "BGGBKNNKNTTNZZ";
	char a = (char)upper(s[i]), b = (char)upper(s[i + 1]);
	size_t j = i + 2, digits = 0;

	if (strchr("DFIQUV", a) || strchr("DFIOQUV", b))
		return 0;
	for (size_t k = 0; k < 14; k += 2)
		if (never[k] == a && never[k + 1] == b)
			return 0;
	while (digits < 6) {
		if (j < n && s[j] == ' ' && digits % 2 == 0)
			j++;
		if (j >= n || !is_digit(s[j]))
			return 0;
		j++;
		digits++;
	}
	if (j < n && s[j] == ' ')
		j++;
	if (j >= n || upper(s[j]) < 'A' || upper(s[j]) > 'D')
		return 0;
	return right_edge(s, n, j + 1);
}

static int
find_nino(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i + 9 <= n; i++)
		if (is_alpha(s[i]) && is_alpha(s[i + 1]) && (i == 0 ||
		    !is_alnum(s[i - 1])) && nino_at(s, n, i))
			return 1;
	return 0;
}

/* What kind of personal data s holds, if any. */
static enum pii_kind
pii_classify(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	enum pii_kind k;

	if (memchr(s, '@', n) && find_email(s, n))
		return PII_EMAIL;
	if (n >= 15 && find_iban(s, n))
		return PII_IBAN;
	if ((k = find_numbers(s, n)) != PII_NONE)
		return k;
	if (n >= 9 && find_nino(s, n))
		return PII_NINO;
	return PII_NONE;
}

struct pii_scan {
	struct sl_buf name;             /* dotted path of the current field */
	const char **found;             /* names found (arena) */
	size_t nfound, cap;
	uint64_t unnamed;               /* found in fields we cannot name */
	uint64_t kinds[PII_NINO + 1];
};

static void
pii_found(struct pii_scan *ps, struct sl_arena *a, enum pii_kind k)
{
	ps->kinds[k]++;
	if (ps->name.len == 0 || !sl_name_valid(ps->name.data, ps->name.len)) {
		ps->unnamed++;
		return;
	}
	/* duplicates (array elements) are dropped after the walk */
	if (ps->nfound && strcmp(ps->found[ps->nfound - 1], ps->name.data) == 0)
		return;
	ps->found = sl_grow(ps->found, &ps->cap, ps->nfound + 1,
	    sizeof(*ps->found));
	ps->found[ps->nfound++] = sl_arena_strndup(a, ps->name.data,
	    ps->name.len);
}

/* Walks v; object members extend the dotted name, arrays keep it. */
static void
pii_walk(struct pii_scan *ps, struct sl_arena *a, const struct sl_json *v)
{
	size_t at;

	switch (v->type) {
	case SL_JSON_STRING: {
		enum pii_kind k = pii_classify(v->u.str, v->len);

		if (k != PII_NONE)
			pii_found(ps, a, k);
		break;
	}
	case SL_JSON_NUMBER: {
		struct digits g;

		/* a card number stored as a JSON number */
		if (v->len >= 13 && v->len <= 19 &&
		    read_digits((const unsigned char *)v->u.num, v->len, 0, "",
		    0, &g) && g.end == v->len && card_run(&g))
			pii_found(ps, a, PII_CARD);
		break;
	}
	case SL_JSON_ARRAY:
		for (size_t i = 0; i < v->len; i++)
			pii_walk(ps, a, &v->u.items[i]);
		break;
	case SL_JSON_OBJECT:
		for (size_t i = 0; i < v->len; i++) {
			const struct sl_json_member *m = &v->u.members[i];

			at = ps->name.len;
			if (at)
				sl_buf_addc(&ps->name, '.');
			sl_buf_add(&ps->name, m->key, m->key_len);
			pii_walk(ps, a, &m->value);
			ps->name.len = at;
			ps->name.data[at] = '\0';
		}
		break;
	default:
		break;
	}
}

/* ---- OpenLineage ---- */

/*
 * Run events of the OpenLineage spec 2-0-2: START before the first record,
 * COMPLETE at a successful end, FAIL from the exit hook.  Inputs are the
 * distinct datasets named by the records' WARC-Target-URIs (fragment
 * dropped), each with a schema facet of the top-level JSON fields seen.
 */
#define OL_SCHEMA "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"
#define OL_SCHEMA_FACET "https://openlineage.io/spec/facets/1-2-0/" \
	"SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet"
#define OL_PRODUCER "https://sluice.invalid/sluice-tag-lineage/" PACKAGE_VERSION

struct ol_field {
	char *name;
	const char *type;
};

struct dataset {
	char *key;              /* the URI without its fragment */
	char *ns, *name;
	struct ol_field *fields;
	size_t nfields, cap;
	int json;               /* some payload was a JSON object */
};

struct ol {
	const struct config *cfg;
	const struct sl_run *run;
	const char *job;
	int fd;                 /* --openlineage, or -1 */
	CURL *curl;
	char *url;
	struct dataset *ds;
	size_t nds, dscap;
	size_t *slot;           /* hash of ds by key: index + 1, 0 empty */
	size_t slotcap;
	struct dataset *last;
	int started, ended;
	int url_failed;
	int fd_failed;          /* a write to --openlineage failed: no more */
	size_t reply;           /* bytes of the server's answer so far */
	uint64_t datasets_dropped;
	size_t nfields;         /* fields of all datasets */
	uint64_t fields_dropped;
	struct sl_buf ev;
};

static uint64_t
fnv(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h;
}

/* namespace and name of a dataset URI (OpenLineage naming: scheme://authority + path). */
static void
ds_names(struct dataset *d)
{
	const char *u = d->key, *colon = strchr(u, ':');

	if (colon == NULL) {
		d->ns = sl_strdup("sluice");
		d->name = sl_strdup(u);
	} else if (colon[1] == '/' && colon[2] == '/') {
		/* the authority ends at the path, query or fragment */
		const char *auth = colon + 3, *slash = auth + strcspn(auth, "/?#");

		if (slash == auth)
			d->ns = sl_strndup(u, (size_t)(colon - u));
		else
			d->ns = sl_strndup(u, (size_t)(slash - u));
		d->name = sl_strdup(*slash == '/' ? slash : "/");
	} else {
		d->ns = sl_strndup(u, (size_t)(colon - u));
		d->name = sl_strdup(colon[1] ? colon + 1 : "/");
	}
}

static struct dataset *
ol_dataset(struct ol *o, const char *uri, size_t n)
{
	size_t i;

	if (o->last && strlen(o->last->key) == n &&
	    memcmp(o->last->key, uri, n) == 0)
		return o->last;
	if (2 * (o->nds + 1) > o->slotcap) {
		free(o->slot);
		o->slotcap = o->slotcap ? 2 * o->slotcap : 64;
		o->slot = sl_calloc(o->slotcap, sizeof(*o->slot));
		for (size_t k = 0; k < o->nds; k++) {
			i = fnv(o->ds[k].key, strlen(o->ds[k].key)) & (o->slotcap - 1);
			while (o->slot[i])
				i = (i + 1) & (o->slotcap - 1);
			o->slot[i] = k + 1;
		}
	}
	for (i = fnv(uri, n) & (o->slotcap - 1); o->slot[i];
	    i = (i + 1) & (o->slotcap - 1)) {
		struct dataset *d = &o->ds[o->slot[i] - 1];

		if (strlen(d->key) == n && memcmp(d->key, uri, n) == 0)
			return o->last = d;
	}
	if (o->nds == MAX_DATASETS) {
		o->datasets_dropped++;
		return NULL;
	}
	o->ds = sl_grow(o->ds, &o->dscap, o->nds + 1, sizeof(*o->ds));
	memset(&o->ds[o->nds], 0, sizeof(*o->ds));
	o->ds[o->nds].key = sl_strndup(uri, n);
	ds_names(&o->ds[o->nds]);
	o->slot[i] = ++o->nds;
	return o->last = &o->ds[o->nds - 1];
}

static const char *
ol_type(const struct sl_json *v)
{
	switch (v->type) {
	case SL_JSON_NULL:
		return "null";
	case SL_JSON_TRUE:
	case SL_JSON_FALSE:
		return "boolean";
	case SL_JSON_NUMBER:
		return strpbrk(v->u.num, ".eE") ? "number" : "integer";
	case SL_JSON_STRING:
		return "string";
	case SL_JSON_ARRAY:
		return "array";
	default:
		return "object";
	}
}

/*
 * Adds the top-level fields of doc to d's schema: at most MAX_FIELDS a
 * dataset, MAX_ALL_FIELDS in all, names of at most MAX_FIELD_NAME bytes
 * (the events, and memory, stay bounded; what is left out is counted).
 */
static void
ol_fields(struct ol *o, struct dataset *d, const struct sl_json *doc)
{
	d->json = 1;
	for (size_t i = 0; i < doc->len; i++) {
		const struct sl_json_member *m = &doc->u.members[i];
		const char *t = ol_type(&m->value);
		size_t k;

		for (k = 0; k < d->nfields; k++)
			if (strcmp(d->fields[k].name, m->key) == 0)
				break;
		if (k == d->nfields) {
			if (d->nfields == MAX_FIELDS ||
			    o->nfields == MAX_ALL_FIELDS ||
			    m->key_len > MAX_FIELD_NAME) {
				o->fields_dropped++;
				continue;
			}
			o->nfields++;
			d->fields = sl_grow(d->fields, &d->cap, d->nfields + 1,
			    sizeof(*d->fields));
			d->fields[k].name = sl_strdup(m->key);
			d->fields[k].type = t;
			d->nfields++;
			continue;
		}
		if (strcmp(d->fields[k].type, t) == 0 || strcmp(t, "null") == 0)
			continue;
		if (strcmp(d->fields[k].type, "null") == 0)
			d->fields[k].type = t;
		else if ((strcmp(t, "number") == 0 || strcmp(t, "integer") == 0) &&
		    (strcmp(d->fields[k].type, "number") == 0 ||
		    strcmp(d->fields[k].type, "integer") == 0))
			d->fields[k].type = "number";
		else
			d->fields[k].type = "mixed";
	}
}

static void
ol_dataset_json(struct sl_buf *b, const char *ns, const char *name)
{
	sl_buf_adds(b, "{\"namespace\":");
	sl_json_write_string(b, ns, strlen(ns));
	sl_buf_adds(b, ",\"name\":");
	sl_json_write_string(b, name, strlen(name));
}

static void
ol_build(struct ol *o, const char *type, int status)
{
	struct sl_buf *b = &o->ev;
	char t[SL_TIME_STRLEN];

	sl_buf_reset(b);
	sl_time_format(sl_now(), SL_TIME_MICRO, t);
	sl_buf_addf(b, "{\"eventType\":\"%s\",\"eventTime\":\"%s\","
	    "\"producer\":\"%s\",\"schemaURL\":\"%s\",\"run\":{\"runId\":\"%s\"",
	    type, t, OL_PRODUCER, OL_SCHEMA, o->run->id);
	if (strcmp(type, "START") != 0) {
		sl_buf_addf(b, ",\"facets\":{\"sluice\":{\"_producer\":\"%s\","
		    "\"_schemaURL\":\"%s\",\"tool\":\"%s\",\"version\":\"%s\","
		    "\"exitStatus\":%d,\"recordsIn\":%llu,\"recordsOut\":%llu}}",
		    OL_PRODUCER, "https://openlineage.io/spec/2-0-2/"
		    "OpenLineage.json#/$defs/RunFacet", tool.name, PACKAGE_VERSION,
		    status, (unsigned long long)o->run->records_in,
		    (unsigned long long)o->run->records_out);
	}
	sl_buf_adds(b, "},\"job\":");
	ol_dataset_json(b, o->cfg->ns ? o->cfg->ns : "sluice", o->job);
	sl_buf_adds(b, "},\"inputs\":[");
	for (size_t i = 0; i < o->nds; i++) {
		const struct dataset *d = &o->ds[i];

		if (i)
			sl_buf_addc(b, ',');
		ol_dataset_json(b, d->ns, d->name);
		if (d->json) {
			sl_buf_addf(b, ",\"facets\":{\"schema\":{\"_producer\":"
			    "\"%s\",\"_schemaURL\":\"%s\",\"fields\":[",
			    OL_PRODUCER, OL_SCHEMA_FACET);
			for (size_t k = 0; k < d->nfields; k++) {
				if (k)
					sl_buf_addc(b, ',');
				sl_buf_adds(b, "{\"name\":");
				sl_json_write_string(b, d->fields[k].name,
				    strlen(d->fields[k].name));
				sl_buf_addf(b, ",\"type\":\"%s\"}",
				    d->fields[k].type);
			}
			sl_buf_adds(b, "]}}");
		}
		sl_buf_addc(b, '}');
	}
	sl_buf_adds(b, "],\"outputs\":[");
	for (size_t i = 0; i < o->cfg->noutputs; i++) {
		struct dataset d;

		memset(&d, 0, sizeof(d));
		d.key = (char *)o->cfg->outputs[i];
		ds_names(&d);
		if (i)
			sl_buf_addc(b, ',');
		ol_dataset_json(b, d.ns, d.name);
		sl_buf_addc(b, '}');
		free(d.ns);
		free(d.name);
	}
	sl_buf_adds(b, "]}");
}

/* Drops the server's answer; more than MAX_REPLY_BYTES ends the transfer. */
static size_t
discard(char *p, size_t size, size_t n, void *arg)
{
	struct ol *o = arg;

	(void)p;
	o->reply += size * n;
	return o->reply > MAX_REPLY_BYTES ? 0 : size * n;
}

/* Posts the event; a failure is a warning (the file keeps the event). */
static void
ol_post(struct ol *o)
{
	struct curl_slist *hdrs = NULL;
	char cerr[CURL_ERROR_SIZE];
	long code = 0;
	CURLcode rc;

	if (o->curl == NULL) {
		o->curl = curl_easy_init();
		if (o->curl == NULL) {
			sl_warn("--openlineage-url: cannot start libcurl: event "
			    "not posted");
			return;
		}
	}
	cerr[0] = '\0';
	hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
	curl_easy_setopt(o->curl, CURLOPT_URL, o->url);
	curl_easy_setopt(o->curl, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(o->curl, CURLOPT_POSTFIELDS, o->ev.data);
	curl_easy_setopt(o->curl, CURLOPT_POSTFIELDSIZE, (long)o->ev.len);
	curl_easy_setopt(o->curl, CURLOPT_TIMEOUT, 10L);
	curl_easy_setopt(o->curl, CURLOPT_CONNECTTIMEOUT, 5L);
	curl_easy_setopt(o->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(o->curl, CURLOPT_ERRORBUFFER, cerr);
	curl_easy_setopt(o->curl, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(o->curl, CURLOPT_WRITEDATA, o);
	o->reply = 0;
	rc = curl_easy_perform(o->curl);
	curl_easy_getinfo(o->curl, CURLINFO_RESPONSE_CODE, &code);
	curl_slist_free_all(hdrs);
	curl_easy_setopt(o->curl, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(o->curl, CURLOPT_ERRORBUFFER, NULL);
	if (rc == CURLE_WRITE_ERROR && o->reply > MAX_REPLY_BYTES)
		sl_warn("--openlineage-url: event not posted: the server "
		    "answered HTTP %ld with more than %u KiB", code,
		    MAX_REPLY_BYTES >> 10);
	else if (rc != CURLE_OK)
		sl_warn("--openlineage-url: event not posted: %s",
		    cerr[0] ? cerr : curl_easy_strerror(rc));
	else if (code < 200 || code > 299)
		sl_warn("--openlineage-url: event not posted: the server "
		    "answered HTTP %ld", code);
	else
		return;
	o->url_failed++;
}

/* Emits one event; from the exit hook (in_hook) errors are only printed. */
static void
ol_emit(struct ol *o, const char *type, int status, int in_hook)
{
	ol_build(o, type, status);
	sl_buf_addc(&o->ev, '\n');
	if (o->fd >= 0 && !o->fd_failed) {
		size_t off = 0;

		while (off < o->ev.len) {
			ssize_t n = write(o->fd, o->ev.data + off, o->ev.len - off);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				o->fd_failed = 1;
				if (in_hook)
					sl_error("%s: cannot write: %s",
					    o->cfg->ol_file, strerror(errno));
				else
					sl_die(SL_EX_IOERR, "%s: cannot write: %s",
					    o->cfg->ol_file, strerror(errno));
				break;
			}
			off += (size_t)n;
		}
	}
	o->ev.data[--o->ev.len] = '\0';
	if (o->url)
		ol_post(o);
}

static void
ol_start(struct ol *o)
{
	if (o == NULL || o->started)
		return;
	o->started = 1;
	ol_emit(o, "START", 0, 0);
}

static void
ol_on_exit(void *arg)
{
	struct ol *o = arg;

	if (o->ended)
		return;
	o->ended = 1;
	if (!o->started) {
		o->started = 1;
		ol_emit(o, "START", 0, 1);
	}
	ol_emit(o, "FAIL", sl_diag_status(), 1);
}

static struct ol *
ol_open(const struct config *cfg, const struct sl_run *run, const char *job)
{
	struct ol *o = sl_calloc(1, sizeof(*o));

	o->cfg = cfg;
	o->run = run;
	o->job = job;
	o->fd = -1;
	if (cfg->ol_file) {
		o->fd = open(cfg->ol_file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
		    0666);
		if (o->fd < 0)
			sl_die(SL_EX_CANTCREAT, "%s: cannot create: %s",
			    cfg->ol_file, strerror(errno));
	}
	if (cfg->ol_url) {
		size_t n = strlen(cfg->ol_url);
		const char *tail = "/api/v1/lineage";

		curl_global_init(CURL_GLOBAL_DEFAULT);
		o->url = sl_malloc(n + strlen(tail) + 1);
		memcpy(o->url, cfg->ol_url, n + 1);
		while (n > 0 && o->url[n - 1] == '/')
			o->url[--n] = '\0';
		if (n < strlen(tail) || strcmp(o->url + n - strlen(tail), tail) != 0)
			strcpy(o->url + n, tail);
	}
	sl_diag_on_exit(ol_on_exit, o);
	return o;
}

static void
ol_close(struct ol *o, int status)
{
	if (o == NULL)
		return;
	if (!o->ended) {
		ol_start(o);
		o->ended = 1;
		ol_emit(o, status == SL_EX_OK ? "COMPLETE" : "FAIL", status, 0);
	}
	sl_diag_forget(ol_on_exit, o);
	if (o->fd >= 0 && close(o->fd) < 0)
		sl_die(SL_EX_IOERR, "%s: cannot write: %s", o->cfg->ol_file,
		    strerror(errno));
	if (o->fields_dropped)
		sl_warn("%llu JSON fields left out of the OpenLineage schema "
		    "facets (more than %d a dataset or %d in all, or names over "
		    "%d bytes)", (unsigned long long)o->fields_dropped,
		    MAX_FIELDS, MAX_ALL_FIELDS, MAX_FIELD_NAME);
	if (o->datasets_dropped)
		sl_warn("more than %d input datasets: %llu records' datasets "
		    "left out of the OpenLineage events", MAX_DATASETS,
		    (unsigned long long)o->datasets_dropped);
	for (size_t i = 0; i < o->nds; i++) {
		for (size_t k = 0; k < o->ds[i].nfields; k++)
			free(o->ds[i].fields[k].name);
		free(o->ds[i].fields);
		free(o->ds[i].key);
		free(o->ds[i].ns);
		free(o->ds[i].name);
	}
	free(o->ds);
	free(o->slot);
	free(o->url);
	if (o->curl)
		curl_easy_cleanup(o->curl);
	if (o->cfg->ol_url)
		curl_global_cleanup();
	sl_buf_release(&o->ev);
	free(o);
}

/* ---- tagging ---- */

struct tagger {
	struct config cfg;
	struct policy pol;
	struct sl_run run;
	struct ol *ol;
	struct sl_arena arena;          /* per record */
	struct sl_buf text, scratch, err;
	struct pii_scan pii;
	unsigned char *matched;         /* per rule, per record */
	const char *lineage;            /* "tag-lineage ... args=... policy=..." */
	size_t lineage_len;
	/* the record being tagged, for messages */
	const char *in_name;
	const struct sl_record *rec;
	const struct sl_json *doc;
	int doc_state;                  /* 0 not parsed, 1 JSON, -1 not JSON */
	uint64_t changed, declassified, pii_records, jq_errors, not_json;
	uint64_t missing;
};

static noreturn void rec_die(struct tagger *t, int status, const char *fmt, ...)
    SL_PRINTF(3, 4);

/* Dies naming the input, record number and byte offset. */
static noreturn void
rec_die(struct tagger *t, int status, const char *fmt, ...)
{
	va_list ap;
	char m[2048];

	va_start(ap, fmt);
	vsnprintf(m, sizeof(m), fmt, ap);
	va_end(ap);
	sl_die(status, "%s: record %llu at byte %llu: %s", t->in_name,
	    (unsigned long long)t->rec->number,
	    (unsigned long long)t->rec->offset, m);
}

/*
 * The jq watchdog.  libjq 1.6 cannot be interrupted, so a program that
 * never ends ("def f: f; f") would hang the pipeline.  When the policy has
 * jq programs, a thread watches the main thread's CPU clock: one run of one
 * program on one record may take JQ_CPU_LIMIT seconds of CPU, after which
 * the tool says which rule and record, ends the OpenLineage run with FAIL,
 * writes the whole records queued before the record (or removes an -o
 * temporary) and exits 78 (the policy is at fault).  The main thread is
 * inside jq, so the writer and the OpenLineage state are still.  A program that exhausts memory
 * first is ended by libjq itself (abort).
 */
static struct {
	atomic_ulong seq;               /* odd while a jq program runs */
	struct tagger *t;
	const struct rule *rule;        /* written before seq turns odd */
	const char *what;
	clockid_t clock;                /* the main thread's CPU clock */
	int on;
} dog;

static void
jq_begin(struct tagger *t, const struct rule *r, const char *what)
{
	if (!dog.on)
		return;
	dog.t = t;
	dog.rule = r;
	dog.what = what;
	atomic_fetch_add_explicit(&dog.seq, 1, memory_order_release);
}

static void
jq_end(void)
{
	if (dog.on)
		atomic_fetch_add_explicit(&dog.seq, 1, memory_order_release);
}

static noreturn void
dog_bite(void)
{
	struct tagger *t = dog.t;
	char m[1024];
	int n;

	n = snprintf(m, sizeof(m), "%s: %s: record %llu at byte %llu: rule "
	    "\"%s\": jq %s still running after %d s of CPU time: stopped (a "
	    "program that does not end?)\n", tool.name, t->in_name,
	    (unsigned long long)t->rec->number,
	    (unsigned long long)t->rec->offset, dog.rule->name, dog.what,
	    JQ_CPU_LIMIT);
	if (n > 0 && write(STDERR_FILENO, m, (size_t)n < sizeof(m) ?
	    (size_t)n : sizeof(m) - 1) < 0)
		n = 0;
	if (t->ol && !t->ol->ended) {
		t->ol->ended = 1;
		if (!t->ol->started) {
			t->ol->started = 1;
			ol_emit(t->ol, "START", 0, 1);
		}
		ol_emit(t->ol, "FAIL", SL_EX_CONFIG, 1);
	}
	if (t->run.out_file.tmp) {
		unlink(t->run.out_file.tmp);
	} else {
		/* the whole records queued before this one (main is in jq) */
		struct sl_writer *w = &t->run.out;

		for (size_t off = 0; off < w->out.len;) {
			ssize_t k = write(w->fd, w->out.data + off, w->out.len - off);

			if (k < 0 && errno == EINTR)
				continue;
			if (k <= 0)
				break;
			off += (size_t)k;
		}
	}
	_exit(SL_EX_CONFIG);
}

static void *
dog_run(void *arg)
{
	unsigned long seen = 0;
	struct timespec start = { 0, 0 }, now;

	(void)arg;
	for (;;) {
		struct timespec nap = { 0, 250000000 };
		unsigned long s;

		nanosleep(&nap, NULL);
		s = atomic_load_explicit(&dog.seq, memory_order_acquire);
		if (!(s & 1) || clock_gettime(dog.clock, &now) < 0) {
			seen = 0;
			continue;
		}
		if (s != seen) {
			seen = s;
			start = now;
			continue;
		}
		if (now.tv_sec - start.tv_sec > JQ_CPU_LIMIT ||
		    (now.tv_sec - start.tv_sec == JQ_CPU_LIMIT &&
		    now.tv_nsec >= start.tv_nsec))
			dog_bite();
	}
	return NULL;
}

/* Starts the watchdog when some rule runs a jq program. */
static void
dog_start(struct tagger *t)
{
	pthread_t th;
	pthread_attr_t at;
	int any = 0;

	for (size_t i = 0; i < t->pol.n; i++)
		any |= t->pol.rules[i].jq || t->pol.rules[i].key.jq ||
		    t->pol.rules[i].etime.jq;
	if (!any || pthread_getcpuclockid(pthread_self(), &dog.clock) != 0)
		return;
	dog.t = t;
	pthread_attr_init(&at);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&th, &at, dog_run, NULL) == 0)
		dog.on = 1;
	else
		sl_warn("cannot start the jq watchdog: a jq program that does "
		    "not end will hang the run");
	pthread_attr_destroy(&at);
}

/* The payload as JSON, parsed once per record; NULL when it is not JSON. */
static const struct sl_json *
payload(struct tagger *t)
{
	struct sl_json *doc;

	if (t->doc_state == 0) {
		doc = sl_arena_alloc(&t->arena, sizeof(*doc));
		if (sl_json_parse(&t->arena, (const char *)t->rec->block,
		    t->rec->block_len, doc, NULL) == SL_JSON_OK) {
			t->doc = doc;
			t->doc_state = 1;
		} else {
			t->doc_state = -1;
			t->not_json++;
		}
	}
	return t->doc_state > 0 ? t->doc : NULL;
}

/* The media type without parameters, lower-cased, into out. */
static void
media_essence(const char *ct, struct sl_buf *out)
{
	size_t n = strcspn(ct, ";");

	sl_buf_reset(out);
	while (n > 0 && (ct[n - 1] == ' ' || ct[n - 1] == '\t'))
		n--;
	for (size_t i = 0; i < n; i++)
		sl_buf_addc(out, (char)(ct[i] >= 'A' && ct[i] <= 'Z' ?
		    ct[i] + 32 : ct[i]));
}

/*
 * Do r's conditions hold for the record as it was read?  Cheap ones
 * first; the jq predicate last, and only on JSON payloads.
 */
static int
rule_matches(struct tagger *t, struct rule *r)
{
	const struct sl_headers *h = &t->rec->hdr;

	if (r->has_uri) {
		const struct sl_hfield *f = sl_headers_find(h, SL_F_WARC_TARGET_URI);
		size_t n;

		if (f == NULL)
			return 0;
		n = f->value_len;
		if (!r->uri_frag) {
			const char *hash = memchr(f->value, '#', n);

			if (hash)
				n = (size_t)(hash - f->value);
		}
		if (!(r->uri_frag ? glob_match(&r->uri, f->value, n) :
		    glob_match_cached(&r->uri, f->value, n)))
			return 0;
	}
	if (r->has_media) {
		const char *ct = sl_headers_get(h, SL_F_CONTENT_TYPE);

		if (ct == NULL)
			return 0;
		size_t n = strlen(ct);
		struct glob *g = &r->media;

		/* the answer for the whole value or its essence, remembered */
		if (!(g->last && n == g->lastlen && memcmp(g->last, ct, n) == 0)) {
			int res = glob_match(g, ct, n);

			if (!res) {
				media_essence(ct, &t->scratch);
				res = glob_match(g, t->scratch.data ?
				    t->scratch.data : "", t->scratch.len);
			}
			if (n + 1 > g->lastcap) {
				g->lastcap = n + 64;
				g->last = sl_realloc(g->last, g->lastcap);
			}
			memcpy(g->last, ct, n);
			g->lastlen = n;
			g->lastres = res;
		}
		if (!g->lastres)
			return 0;
	}
	for (size_t i = 0; i < r->nhdr; i++) {
		const struct sl_hfield *f = r->hdr[i].id != SL_F_OTHER ?
		    sl_headers_find(h, r->hdr[i].id) : sl_headers_find_name(h,
		    r->hdr[i].name, strlen(r->hdr[i].name));

		if (f == NULL || !glob_match(&r->hdr[i].g, f->value, f->value_len))
			return 0;
	}
	if (r->jq) {
		const struct sl_json *doc = payload(t);
		int rc;

		if (doc == NULL)
			return 0;
		sl_buf_reset(&t->err);
		jq_begin(t, r, "predicate");
		rc = sl_jq_test(r->jq, doc, &t->err);
		jq_end();
		if (rc < 0) {
			if (t->jq_errors++ < 10)
				sl_warn("%s: record %llu at byte %llu: rule \"%s\": "
				    "jq: %s (taken as no match)", t->in_name,
				    (unsigned long long)t->rec->number,
				    (unsigned long long)t->rec->offset, r->name,
				    t->err.data ? t->err.data : "error");
			return 0;
		}
		return rc;
	}
	return 1;
}

static int
strcmp_ptr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Union of two sorted name sets, in the arena. */
static struct sl_names
names_union(const struct sl_names *a, const struct sl_names *b,
    struct sl_arena *ar)
{
	struct sl_names u;
	size_t i = 0, j = 0;

	u.v = sl_arena_alloc(ar, (a->n + b->n + 1) * sizeof(*u.v));
	u.n = 0;
	while (i < a->n || j < b->n) {
		int c = i == a->n ? 1 : j == b->n ? -1 : strcmp(a->v[i], b->v[j]);

		if (c <= 0) {
			u.v[u.n++] = a->v[i++];
			if (c == 0)
				j++;
		} else {
			u.v[u.n++] = b->v[j++];
		}
	}
	return u;
}

static int
names_equal(const struct sl_names *a, const struct sl_names *b)
{
	if (a->n != b->n)
		return 0;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->v[i], b->v[i]) != 0)
			return 0;
	return 1;
}

static int
names_subset(const struct sl_names *a, const struct sl_names *b)
{
	for (size_t i = 0; i < a->n; i++)
		if (!sl_names_has(b, a->v[i]))
			return 0;
	return 1;
}

/* Can s be a header value (it came from data)? */
static int
header_value_ok(const char *s, size_t n)
{
	if (n == 0 || s[0] == ' ' || s[n - 1] == ' ' || n > 4096)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return sl_utf8_valid(s, n, NULL);
}

/* The capture time (WARC-Date) of the record, for ttl without event time. */
static sl_time
capture_time(struct tagger *t)
{
	const struct sl_hfield *f = sl_headers_find(&t->rec->hdr, SL_F_WARC_DATE);
	const char *why;
	sl_time c;

	if (f == NULL)
		rec_die(t, SL_EX_DATAERR, "no WARC-Date for a ttl to count from");
	if (sl_time_parse(f->value, f->value_len, &c, &why) < 0)
		rec_die(t, SL_EX_DATAERR, "WARC-Date \"%.60s\" is not an RFC "
		    "3339 time: %s", f->value, why);
	return c;
}

static void
apply_rule(struct tagger *t, struct rule *r, struct sl_ctx *c)
{
	int rc;

	if (r->set & S_ETIME) {
		const struct sl_json *doc = payload(t);

		jq_begin(t, r, "event-time program");
		rc = doc ? path_text(&r->etime, doc, &t->text) : 0;
		jq_end();
		if (rc < 0)
			rec_die(t, SL_EX_DATAERR, "rule \"%s\": event-time %s: "
			    "jq: %s", r->name, r->etime.src, t->text.data);
		if (rc > 0) {
			const char *why;

			if (sl_time_parse(t->text.data, t->text.len,
			    &c->event_time, &why) < 0)
				rec_die(t, SL_EX_DATAERR, "rule \"%s\": event-time "
				    "%s: \"%.60s\" is not an RFC 3339 time: %s",
				    r->name, r->etime.src, t->text.data, why);
			c->has_event_time = 1;
		} else {
			t->missing++;
		}
	}
	if (r->set & S_KEY) {
		const struct sl_json *doc = payload(t);

		jq_begin(t, r, "key program");
		rc = doc ? path_text(&r->key, doc, &t->text) : 0;
		jq_end();
		if (rc < 0)
			rec_die(t, SL_EX_DATAERR, "rule \"%s\": key %s: jq: %s",
			    r->name, r->key.src, t->text.data);
		if (rc > 0) {
			if (!header_value_ok(t->text.data, t->text.len))
				rec_die(t, SL_EX_DATAERR, "rule \"%s\": key %s: "
				    "the value cannot be a header (empty, control "
				    "characters, spaces at an end or too long)",
				    r->name, r->key.src);
			c->key = sl_arena_strndup(&t->arena, t->text.data,
			    t->text.len);
		} else {
			t->missing++;
		}
	}
	if (r->set & S_CLASS)
		c->classification = r->cls;
	if (r->set & S_ROLES) {
		c->has_roles = 1;
		c->roles = r->roles;
	}
	if (r->set & S_AUTH)
		c->authority = r->auth;
	if (r->set & S_CERT)
		c->certification = r->cert;
	if (r->set & S_PII)
		c->pii = names_union(&c->pii, &r->pii, &t->arena);
	if (r->set & S_VALID) {
		c->has_valid_until = 1;
		c->valid_until = r->valid_until;
	}
	if (r->set & S_TTL) {
		sl_time base = c->has_event_time ? c->event_time : capture_time(t);

		c->has_valid_until = 1;
		c->valid_until = sl_time_add(base, &r->ttl);
	}
	r->matched++;
}

/*
 * How c is looser than the record as read (o): lowered classification,
 * widened roles, longer validity.  Appends "what:from>to" items to b and
 * returns how many.
 */
static int
loosening(const struct sl_ctx *c, const struct sl_ctx *o, struct sl_buf *b)
{
	int n = 0;
	/* an absent classification is enforced as restricted */
	enum sl_class oc = o->classification == SL_CLASS_UNKNOWN ?
	    SL_CLASS_RESTRICTED : o->classification;

	if (c->classification < oc) {
		const char *from = sl_class_name(o->classification);

		sl_buf_addf(b, "%sclassification:%s>%s", n++ ? "," : "",
		    from ? from : "unknown", sl_class_name(c->classification));
	}
	if (o->has_roles && (!c->has_roles || !names_subset(&c->roles, &o->roles)))
		sl_buf_addf(b, "%sroles:widened", n++ ? "," : "");
	if (o->has_valid_until && (!c->has_valid_until ||
	    c->valid_until > o->valid_until)) {
		char a[SL_TIME_STRLEN], z[SL_TIME_STRLEN];

		sl_time_format(o->valid_until, SL_TIME_AUTO, a);
		sl_time_format(c->valid_until, SL_TIME_AUTO, z);
		sl_buf_addf(b, "%svalid-until:%s>%s", n++ ? "," : "", a, z);
	}
	return n;
}

/*
 * Sets a field the tag changed: in place when the record has it, else
 * before its lineage lines (so the context fields stay together).
 */
static void
hdr_put(struct sl_headers *h, enum sl_field id, const char *v, size_t n)
{
	size_t at, last;
	struct sl_hfield f;

	if (sl_headers_find(h, id)) {
		sl_headers_set(h, id, v, n);
		return;
	}
	sl_headers_add(h, id, v, n);
	for (at = 0; at < h->n - 1; at++)
		if (h->f[at].id == SL_F_SLUICE_LINEAGE)
			break;
	last = h->n - 1;
	if (at == last)
		return;
	f = h->f[last];
	memmove(&h->f[at + 1], &h->f[at], (last - at) * sizeof(*h->f));
	h->f[at] = f;
}

static void
hdr_put_names(struct tagger *t, struct sl_headers *h, enum sl_field id,
    const struct sl_names *s)
{
	sl_buf_reset(&t->text);
	for (size_t i = 0; i < s->n; i++) {
		if (i)
			sl_buf_addc(&t->text, ' ');
		sl_buf_adds(&t->text, s->v[i]);
	}
	if (t->text.len > MAX_NAMES_BYTES)
		rec_die(t, SL_EX_DATAERR, "%s would be %zu bytes of names, more "
		    "than a header line holds (%u)", sl_field_name(id),
		    t->text.len, MAX_NAMES_BYTES);
	hdr_put(h, id, t->text.data ? t->text.data : "", t->text.len);
}

static void
hdr_put_time(struct sl_headers *h, enum sl_field id, sl_time v)
{
	char s[SL_TIME_STRLEN];

	hdr_put(h, id, s, sl_time_format(v, SL_TIME_AUTO, s));
}

/* Writes the fields where c differs from o; returns how many. */
static int
write_changes(struct tagger *t, struct sl_headers *h, const struct sl_ctx *c,
    const struct sl_ctx *o)
{
	int n = 0;

	if (c->key && (o->key == NULL || strcmp(c->key, o->key) != 0)) {
		hdr_put(h, SL_F_SLUICE_KEY, c->key, strlen(c->key));
		n++;
	}
	if (c->has_event_time && (!o->has_event_time ||
	    c->event_time != o->event_time)) {
		hdr_put_time(h, SL_F_SLUICE_EVENT_TIME, c->event_time);
		n++;
	}
	if (c->has_valid_until && (!o->has_valid_until ||
	    c->valid_until != o->valid_until)) {
		hdr_put_time(h, SL_F_SLUICE_VALID_UNTIL, c->valid_until);
		n++;
	}
	if (c->classification != o->classification &&
	    sl_class_name(c->classification)) {
		hdr_put(h, SL_F_SLUICE_CLASSIFICATION,
		    sl_class_name(c->classification),
		    strlen(sl_class_name(c->classification)));
		n++;
	}
	if (c->has_roles && (!o->has_roles || !names_equal(&c->roles, &o->roles))) {
		hdr_put_names(t, h, SL_F_SLUICE_ROLES, &c->roles);
		n++;
	}
	if (!names_equal(&c->pii, &o->pii)) {
		hdr_put_names(t, h, SL_F_SLUICE_PII, &c->pii);
		n++;
	}
	if (c->authority != o->authority && sl_authority_name(c->authority)) {
		hdr_put(h, SL_F_SLUICE_AUTHORITY, sl_authority_name(c->authority),
		    strlen(sl_authority_name(c->authority)));
		n++;
	}
	if (c->certification != o->certification &&
	    sl_cert_name(c->certification)) {
		hdr_put(h, SL_F_SLUICE_CERTIFICATION,
		    sl_cert_name(c->certification),
		    strlen(sl_cert_name(c->certification)));
		n++;
	}
	return n;
}

/*
 * Keeps Sluice-PII a header line sluice readers take: names found beyond
 * MAX_NAMES_BYTES (with those the record has) are left out of found and
 * counted as unnamed (the classification is raised all the same).
 */
static void
pii_fit(struct tagger *t, const struct sl_names *have, struct sl_names *found)
{
	size_t len = 0, k = 0;

	for (size_t i = 0; i < have->n; i++)
		len += strlen(have->v[i]) + 1;
	for (size_t i = 0; i < found->n; i++) {
		if (sl_names_has(have, found->v[i]))
			continue;
		len += strlen(found->v[i]) + 1;
		if (len > MAX_NAMES_BYTES) {
			t->pii.unnamed += found->n - i;
			break;
		}
		found->v[k++] = found->v[i];
	}
	found->n = k;   /* those in have are kept by the union */
}

/* Applies the rules and --detect-pii to one data record. */
static void
tag_record(struct tagger *t, struct sl_record *rec)
{
	struct policy *pol = &t->pol;
	struct sl_ctx orig, cur;
	char err[SL_MSG_MAX];
	const char *loosened_by = NULL;
	size_t nmatch = 0;

	t->rec = rec;
	t->doc = NULL;
	t->doc_state = 0;
	sl_arena_reset(&t->arena);
	for (size_t i = 0; i < pol->n; i++)
		nmatch += t->matched[i] = (unsigned char)rule_matches(t,
		    &pol->rules[i]);
	if (t->ol) {
		const struct sl_hfield *f = sl_headers_find(&rec->hdr,
		    SL_F_WARC_TARGET_URI);

		if (f) {
			const char *hash = memchr(f->value, '#', f->value_len);
			struct dataset *d = ol_dataset(t->ol, f->value, hash ?
			    (size_t)(hash - f->value) : f->value_len);
			const struct sl_json *doc;

			if (d && (doc = payload(t)) && doc->type == SL_JSON_OBJECT)
				ol_fields(t->ol, d, doc);
		}
	}
	if (nmatch == 0 && !t->cfg.detect_pii)
		return;
	if (sl_ctx_from_headers(&orig, &rec->hdr, &t->arena, err,
	    sizeof(err)) < 0)
		rec_die(t, SL_EX_DATAERR, "%s", err);
	cur = orig;
	for (size_t i = 0; i < pol->n; i++) {
		if (!t->matched[i])
			continue;
		apply_rule(t, &pol->rules[i], &cur);
		sl_buf_reset(&t->err);
		if (loosened_by == NULL && loosening(&cur, &orig, &t->err))
			loosened_by = pol->rules[i].name;
	}
	if (t->cfg.detect_pii) {
		const struct sl_json *doc = payload(t);

		uint64_t unnamed = t->pii.unnamed;

		t->pii.nfound = 0;
		sl_buf_reset(&t->pii.name);
		if (doc) {
			pii_walk(&t->pii, &t->arena, doc);
			if (t->pii.nfound || t->pii.unnamed > unnamed) {
				struct sl_names found;

				t->pii_records++;
				found.v = sl_arena_alloc(&t->arena,
				    t->pii.nfound * sizeof(*found.v));
				if (t->pii.nfound)
					memcpy(found.v, t->pii.found, t->pii.nfound *
					    sizeof(*found.v));
				qsort(found.v, t->pii.nfound, sizeof(*found.v),
				    strcmp_ptr);
				found.n = 0;
				for (size_t i = 0; i < t->pii.nfound; i++)
					if (found.n == 0 || strcmp(found.v[found.n - 1],
					    found.v[i]) != 0)
						found.v[found.n++] = found.v[i];
				pii_fit(t, &cur.pii, &found);
				cur.pii = names_union(&cur.pii, &found, &t->arena);
				if (cur.classification < SL_CLASS_CONFIDENTIAL)
					cur.classification = SL_CLASS_CONFIDENTIAL;
			}
		}
	}
	sl_buf_reset(&t->scratch);
	if (loosening(&cur, &orig, &t->scratch) == 0)
		loosened_by = NULL;
	if (loosened_by && t->cfg.strict)
		rec_die(t, SL_EX_FINDING, "rule \"%s\" loosens the record (%s), "
		    "refused by --strict", loosened_by, t->scratch.data);
	if (write_changes(t, &rec->hdr, &cur, &orig) == 0)
		return;
	t->changed++;
	if (loosened_by) {
		struct sl_buf *b = &t->text;

		t->declassified++;
		sl_buf_reset(b);
		sl_buf_add(b, t->lineage, t->lineage_len);
		sl_buf_adds(b, " declassified=");
		sl_buf_add(b, t->scratch.data, t->scratch.len);
		sl_headers_add(&rec->hdr, SL_F_SLUICE_LINEAGE, b->data, b->len);
	} else {
		sl_headers_add_safe(&rec->hdr, SL_F_SLUICE_LINEAGE, t->lineage,
		    t->lineage_len);
	}
}

/* ---- --trace ---- */

/*
 * A record of the history being traced.  The inputs are read once per
 * generation: the first pass finds the record and every run description,
 * each later pass the parents named by the records found in the one
 * before (WARC-Refers-To and Sluice-Derived-From), until none are left.
 */
struct tnode {
	struct sl_uuid id;
	char *idtext;
	int found, searched;
	unsigned depth;
	char *type, *uri, *date;
	char **lineage;
	size_t nlineage;
	char **ctx;             /* "Name: value" of the context fields */
	size_t nctx;
	struct sl_uuid *parents;
	size_t nparents;
	char **opaque;          /* Derived-From values that are not ids */
	size_t nopaque;
};

struct trun {
	char *id, *software, *step, *args, *started;
};

struct tracer {
	const struct config *cfg;
	char **paths;           /* inputs; "-" was spooled to spool_fd */
	int npaths;
	int spool_fd;
	struct tnode *nodes;
	size_t nnodes, cap;
	size_t *slot;           /* hash of nodes by id: index + 1, 0 empty */
	size_t slotcap;
	struct trun *runs;
	size_t nruns, runcap;
	int truncated;          /* more than MAX_TRACE_NODES records */
	int passes_cut;         /* more than MAX_TRACE_PASSES passes needed */
	size_t cycle;           /* a node on a cycle, index + 1; 0 none */
};

static char **
strv_push(char **v, size_t *n, const char *s, size_t len)
{
	v = sl_reallocarray(v, *n + 1, sizeof(*v));
	v[(*n)++] = sl_strndup(s, len);
	return v;
}

static size_t
uuid_hash(const struct sl_uuid *u, size_t mask)
{
	uint64_t h;

	memcpy(&h, u->b + 8, sizeof(h));    /* v4/v5 ids: random enough */
	return (size_t)(h ^ (h >> 29)) & mask;
}

/* The node for id, or NULL. */
static struct tnode *
trace_find(struct tracer *tr, const struct sl_uuid *id)
{
	if (tr->slotcap == 0)
		return NULL;
	for (size_t i = uuid_hash(id, tr->slotcap - 1); tr->slot[i];
	    i = (i + 1) & (tr->slotcap - 1))
		if (memcmp(&tr->nodes[tr->slot[i] - 1].id, id, sizeof(*id)) == 0)
			return &tr->nodes[tr->slot[i] - 1];
	return NULL;
}

/* The node for id, made (at generation depth) when new. */
static struct tnode *
trace_node(struct tracer *tr, const struct sl_uuid *id, unsigned depth)
{
	char u[SL_URN_STRLEN + 1];
	size_t i;

	if (2 * (tr->nnodes + 1) > tr->slotcap) {
		free(tr->slot);
		tr->slotcap = tr->slotcap ? 2 * tr->slotcap : 64;
		tr->slot = sl_calloc(tr->slotcap, sizeof(*tr->slot));
		for (size_t k = 0; k < tr->nnodes; k++) {
			i = uuid_hash(&tr->nodes[k].id, tr->slotcap - 1);
			while (tr->slot[i])
				i = (i + 1) & (tr->slotcap - 1);
			tr->slot[i] = k + 1;
		}
	}
	for (i = uuid_hash(id, tr->slotcap - 1); tr->slot[i];
	    i = (i + 1) & (tr->slotcap - 1))
		if (memcmp(&tr->nodes[tr->slot[i] - 1].id, id, sizeof(*id)) == 0)
			return &tr->nodes[tr->slot[i] - 1];
	if (tr->nnodes == MAX_TRACE_NODES) {
		tr->truncated = 1;
		return NULL;
	}
	tr->slot[i] = tr->nnodes + 1;
	tr->nodes = sl_grow(tr->nodes, &tr->cap, tr->nnodes + 1,
	    sizeof(*tr->nodes));
	memset(&tr->nodes[tr->nnodes], 0, sizeof(*tr->nodes));
	tr->nodes[tr->nnodes].id = *id;
	tr->nodes[tr->nnodes].depth = depth;
	sl_uuid_urn(id, u);
	tr->nodes[tr->nnodes].idtext = sl_strdup(u);
	return &tr->nodes[tr->nnodes++];
}

/* Remembers a warcinfo record's run description. */
static void
trace_warcinfo(struct tracer *tr, const struct sl_record *rec)
{
	const char *p = (const char *)rec->block, *end = p + rec->block_len;
	struct trun r;

	memset(&r, 0, sizeof(r));
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *e, *colon;
		size_t vlen;
		char **slot = NULL;

		e = nl ? nl : end;
		colon = memchr(p, ':', (size_t)(e - p));
		if (colon) {
			const char *v = colon + 1;

			while (v < e && *v == ' ')
				v++;
			vlen = (size_t)(e - v);
			if (vlen && v[vlen - 1] == '\r')
				vlen--;
#define IS(name) ((size_t)(colon - p) == strlen(name) && \
	strncasecmp(p, name, strlen(name)) == 0)
			if (IS("sluice-run"))
				slot = &r.id;
			else if (IS("software"))
				slot = &r.software;
			else if (IS("sluice-step"))
				slot = &r.step;
			else if (IS("sluice-args"))
				slot = &r.args;
			else if (IS("sluice-started"))
				slot = &r.started;
#undef IS
			if (slot && *slot == NULL)
				*slot = sl_strndup(v, vlen);
		}
		p = nl ? nl + 1 : end;
	}
	if (r.id == NULL) {
		free(r.software);
		free(r.step);
		free(r.args);
		free(r.started);
		return;
	}
	for (size_t i = 0; i < tr->nruns; i++)
		if (strcmp(tr->runs[i].id, r.id) == 0) {
			free(r.id);
			free(r.software);
			free(r.step);
			free(r.args);
			free(r.started);
			return;
		}
	tr->runs = sl_grow(tr->runs, &tr->runcap, tr->nruns + 1,
	    sizeof(*tr->runs));
	tr->runs[tr->nruns++] = r;
}

/* Forgets what was read into nd (not its id). */
static void
tnode_clear(struct tnode *nd)
{
	for (size_t k = 0; k < nd->nlineage; k++)
		free(nd->lineage[k]);
	for (size_t k = 0; k < nd->nctx; k++)
		free(nd->ctx[k]);
	for (size_t k = 0; k < nd->nopaque; k++)
		free(nd->opaque[k]);
	free(nd->lineage);
	free(nd->ctx);
	free(nd->opaque);
	free(nd->parents);
	free(nd->type);
	free(nd->uri);
	free(nd->date);
	nd->lineage = nd->ctx = nd->opaque = NULL;
	nd->nlineage = nd->nctx = nd->nopaque = nd->nparents = 0;
	nd->parents = NULL;
	nd->type = nd->uri = nd->date = NULL;
	nd->found = 0;
}

static void
trace_fill(struct tracer *tr, struct tnode *nd, const struct sl_record *rec)
{
	const struct sl_headers *h = &rec->hdr;
	const char *v;

	nd->found = 1;
	v = sl_headers_get(h, SL_F_WARC_TYPE);
	nd->type = sl_strdup(v ? v : "-");
	if ((v = sl_headers_get(h, SL_F_WARC_TARGET_URI)))
		nd->uri = sl_strdup(v);
	if ((v = sl_headers_get(h, SL_F_WARC_DATE)))
		nd->date = sl_strdup(v);
	for (size_t i = 0; i < h->n; i++) {
		const struct sl_hfield *f = &h->f[i];
		struct sl_uuid u;

		switch (f->id) {
		case SL_F_SLUICE_LINEAGE:
			nd->lineage = strv_push(nd->lineage, &nd->nlineage,
			    f->value, f->value_len);
			break;
		case SL_F_WARC_REFERS_TO:
		case SL_F_SLUICE_DERIVED_FROM:
			if (sl_uuid_parse(f->value, f->value_len, &u) == 0) {
				size_t k;

				for (k = 0; k < nd->nparents; k++)
					if (memcmp(&nd->parents[k], &u, sizeof(u)) == 0)
						break;
				if (k == nd->nparents) {
					nd->parents = sl_reallocarray(nd->parents,
					    nd->nparents + 1, sizeof(u));
					nd->parents[nd->nparents++] = u;
				}
			} else {
				nd->opaque = strv_push(nd->opaque, &nd->nopaque,
				    f->value, f->value_len);
			}
			break;
		case SL_F_SLUICE_KEY:
		case SL_F_SLUICE_EVENT_TIME:
		case SL_F_SLUICE_VALID_UNTIL:
		case SL_F_SLUICE_CLASSIFICATION:
		case SL_F_SLUICE_ROLES:
		case SL_F_SLUICE_PII:
		case SL_F_SLUICE_AUTHORITY:
		case SL_F_SLUICE_CERTIFICATION:
		case SL_F_SLUICE_CONTRACT: {
			struct sl_buf b = SL_BUF_INIT;

			sl_buf_add(&b, f->name, f->name_len);
			sl_buf_adds(&b, ": ");
			sl_buf_add(&b, f->value, f->value_len);
			nd->ctx = strv_push(nd->ctx, &nd->nctx, b.data, b.len);
			sl_buf_release(&b);
			break;
		}
		default:
			break;
		}
	}
	(void)tr;
}

/*
 * One pass over every input: fills the nodes not yet searched.  The
 * parents of a record found are wanted at once, so those later in the
 * inputs are found in the same pass (a stream written parents last needs
 * one pass); those before it wait for the next.  The nodes wanted when the
 * pass began have been looked for everywhere at its end.
 */
static void
trace_pass(struct tracer *tr, int first)
{
	struct sl_record rec;
	size_t n0 = tr->nnodes;

	sl_record_init(&rec);
	for (int i = 0; i < tr->npaths; i++) {
		struct sl_input in;
		struct sl_reader r;
		int rc;

		if (strcmp(tr->paths[i], "-") == 0) {
			if (lseek(tr->spool_fd, 0, SEEK_SET) < 0)
				sl_die(SL_EX_IOERR, "stdin: cannot read the spooled "
				    "copy again: %s", strerror(errno));
			sl_input_fdopen(&in, tr->spool_fd, "stdin", 0);
		} else if (sl_input_open(&in, tr->paths[i], 0) < 0) {
			sl_die(in.status, "%s", in.err);
		}
		sl_reader_init(&r, &in);
		while ((rc = sl_reader_next(&r, &rec)) > 0) {
			const struct sl_hfield *f;
			struct sl_uuid u;
			struct tnode *nd;
			size_t at;

			if (first && rec.type == SL_R_WARCINFO)
				trace_warcinfo(tr, &rec);
			f = sl_headers_find(&rec.hdr, SL_F_WARC_RECORD_ID);
			if (f == NULL || sl_uuid_parse(f->value, f->value_len, &u) < 0)
				continue;
			nd = trace_find(tr, &u);
			if (nd == NULL || nd->searched)
				continue;
			/*
			 * Stages that keep ids (tag-lineage, validate) make
			 * versions of a record: the one with the most lineage
			 * lines is the latest.
			 */
			if (nd->found && sl_headers_count(&rec.hdr,
			    SL_F_SLUICE_LINEAGE) > nd->nlineage)
				tnode_clear(nd);
			if (nd->found)
				continue;
			at = (size_t)(nd - tr->nodes);
			trace_fill(tr, nd, &rec);
			for (size_t k = 0; k < tr->nodes[at].nparents; k++) {
				struct sl_uuid p = tr->nodes[at].parents[k];

				/* may move tr->nodes */
				trace_node(tr, &p, tr->nodes[at].depth + 1);
			}
		}
		if (rc < 0)
			sl_die(r.status, "%s", r.err);
		sl_input_close(&in);
	}
	sl_record_release(&rec);
	for (size_t i = 0; i < tr->nnodes; i++)
		if (i < n0 || tr->nodes[i].found)
			tr->nodes[i].searched = 1;
}

/*
 * Finds a cycle among the found records (a stream that says a record is
 * its own ancestor): depth-first from the traced record, iteratively.
 * Sets tr->cycle to a node on it.
 */
static void
trace_cycles(struct tracer *tr)
{
	unsigned char *colour = sl_calloc(tr->nnodes, 1);  /* 0 new 1 open 2 done */
	size_t *stack = sl_reallocarray(NULL, tr->nnodes, sizeof(*stack));
	size_t *next = sl_calloc(tr->nnodes, sizeof(*next));
	size_t sp = 0;

	stack[sp++] = 0;
	colour[0] = 1;
	while (sp > 0 && tr->cycle == 0) {
		size_t v = stack[sp - 1];
		const struct tnode *nd = &tr->nodes[v];
		struct tnode *p;
		size_t w;

		if (!nd->found || next[v] == nd->nparents) {
			colour[v] = 2;
			sp--;
			continue;
		}
		p = trace_find(tr, &nd->parents[next[v]++]);
		if (p == NULL)
			continue;
		w = (size_t)(p - tr->nodes);
		if (colour[w] == 1)
			tr->cycle = w + 1;
		else if (colour[w] == 0) {
			colour[w] = 1;
			stack[sp++] = w;
		}
	}
	free(colour);
	free(stack);
	free(next);
}

static const struct trun *
trace_run(const struct tracer *tr, const char *id, size_t n)
{
	for (size_t i = 0; i < tr->nruns; i++)
		if (strlen(tr->runs[i].id) == n && memcmp(tr->runs[i].id, id, n) == 0)
			return &tr->runs[i];
	return NULL;
}

/* The value of "key=" in a lineage line, or NULL. */
static const char *
lineage_token(const char *line, const char *key, size_t *len)
{
	size_t k = strlen(key);

	for (const char *p = line; (p = strstr(p, key)); p++)
		if ((p == line || p[-1] == ' ') && p[k] == '=') {
			*len = strcspn(p + k + 1, " ");
			return p + k + 1;
		}
	return NULL;
}

static void
jstr(struct sl_buf *b, const char *s)
{
	if (s == NULL)
		sl_buf_adds(b, "null");
	else
		sl_json_write_string(b, s, strlen(s));
}

/* Is nd a source record: found, with no parents? */
static int
is_source(const struct tnode *nd)
{
	return nd->found && nd->nparents == 0;
}

static void
trace_print_json(struct tracer *tr, struct sl_buf *b)
{
	const struct tnode *t = &tr->nodes[0];
	int first;

	sl_buf_adds(b, "{\"id\":");
	jstr(b, t->idtext);
	sl_buf_adds(b, ",\"type\":");
	jstr(b, t->type);
	sl_buf_adds(b, ",\"date\":");
	jstr(b, t->date);
	sl_buf_adds(b, ",\"uri\":");
	jstr(b, t->uri);
	sl_buf_adds(b, ",\"derived_from\":[");
	for (size_t k = 0; k < t->nparents; k++) {
		char u[SL_URN_STRLEN + 1];

		sl_uuid_urn(&t->parents[k], u);
		if (k)
			sl_buf_addc(b, ',');
		jstr(b, u);
	}
	for (size_t k = 0; k < t->nopaque; k++) {
		if (k || t->nparents)
			sl_buf_addc(b, ',');
		jstr(b, t->opaque[k]);
	}
	sl_buf_adds(b, "],\"lineage\":[");
	for (size_t i = 0; i < t->nlineage; i++) {
		const char *l = t->lineage[i], *run;
		size_t n, sp = strcspn(l, " ");
		const struct trun *r;
		struct sl_json args;
		struct sl_arena a = SL_ARENA_INIT;

		if (i)
			sl_buf_addc(b, ',');
		sl_buf_adds(b, "{\"line\":");
		jstr(b, l);
		sl_buf_adds(b, ",\"step\":");
		sl_json_write_string(b, l, sp);
		if (l[sp]) {
			const char *tv = l + sp + 1;
			size_t tn = strcspn(tv, " ");

			sl_buf_adds(b, ",\"tool\":");
			sl_json_write_string(b, tv, tn);
		}
		run = lineage_token(l, "run", &n);
		sl_buf_adds(b, ",\"run\":");
		if (run)
			sl_json_write_string(b, run, n);
		else
			sl_buf_adds(b, "null");
		r = run ? trace_run(tr, run, n) : NULL;
		sl_buf_adds(b, ",\"started\":");
		jstr(b, r ? r->started : NULL);
		sl_buf_adds(b, ",\"arguments\":");
		if (r && r->args && sl_json_parse(&a, r->args, strlen(r->args),
		    &args, NULL) == SL_JSON_OK)
			sl_json_write(b, &args);
		else
			sl_buf_adds(b, "null");
		sl_arena_release(&a);
		sl_buf_adds(b, "}");
	}
	sl_buf_adds(b, "],\"context\":{");
	for (size_t i = 0; i < t->nctx; i++) {
		const char *c = t->ctx[i], *colon = strchr(c, ':');

		if (i)
			sl_buf_addc(b, ',');
		sl_json_write_string(b, c, (size_t)(colon - c));
		sl_buf_addc(b, ':');
		jstr(b, colon + 2);
	}
	sl_buf_adds(b, "},\"ancestors\":[");
	first = 1;
	for (size_t i = 1; i < tr->nnodes; i++) {
		const struct tnode *nd = &tr->nodes[i];

		if (!first)
			sl_buf_addc(b, ',');
		first = 0;
		sl_buf_adds(b, "{\"id\":");
		jstr(b, nd->idtext);
		sl_buf_addf(b, ",\"generation\":%u,\"found\":%s,\"type\":",
		    nd->depth, nd->found ? "true" : "false");
		jstr(b, nd->type);
		sl_buf_adds(b, ",\"uri\":");
		jstr(b, nd->uri);
		sl_buf_adds(b, "}");
	}
	sl_buf_adds(b, "],\"sources\":[");
	first = 1;
	for (size_t i = 0; i < tr->nnodes; i++) {
		const struct tnode *nd = &tr->nodes[i];

		if (!is_source(nd) && nd->found)
			continue;
		if (!first)
			sl_buf_addc(b, ',');
		first = 0;
		sl_buf_adds(b, "{\"id\":");
		jstr(b, nd->idtext);
		sl_buf_adds(b, ",\"uri\":");
		jstr(b, nd->uri);
		sl_buf_addf(b, ",\"found\":%s,\"searched\":%s}", nd->found ?
		    "true" : "false", nd->searched ? "true" : "false");
	}
	sl_buf_adds(b, "],\"cycle\":");
	jstr(b, tr->cycle ? tr->nodes[tr->cycle - 1].idtext : NULL);
	sl_buf_addf(b, ",\"complete\":%s}\n", tr->truncated ||
	    tr->passes_cut ? "false" : "true");
}

static void
trace_print_text(struct tracer *tr, struct sl_buf *b)
{
	const struct tnode *t = &tr->nodes[0];

	sl_buf_addf(b, "record %s\n", t->idtext);
	sl_buf_addf(b, "type: %s\n", t->type);
	if (t->date)
		sl_buf_addf(b, "date: %s\n", t->date);
	if (t->uri)
		sl_buf_addf(b, "source: %s\n", t->uri);
	for (size_t k = 0; k < t->nparents; k++) {
		char u[SL_URN_STRLEN + 1];

		sl_uuid_urn(&t->parents[k], u);
		sl_buf_addf(b, "derived from: %s\n", u);
	}
	for (size_t k = 0; k < t->nopaque; k++)
		sl_buf_addf(b, "derived from: %s\n", t->opaque[k]);
	sl_buf_adds(b, "lineage:\n");
	for (size_t i = 0; i < t->nlineage; i++) {
		size_t n;
		const char *run = lineage_token(t->lineage[i], "run", &n);
		const struct trun *r = run ? trace_run(tr, run, n) : NULL;

		sl_buf_addf(b, "  %zu. %s\n", i + 1, t->lineage[i]);
		if (r) {
			sl_buf_addf(b, "     started %s\n", r->started ?
			    r->started : "(not said)");
			sl_buf_addf(b, "     arguments %s\n", r->args ? r->args :
			    "(not said)");
		} else {
			sl_buf_adds(b, "     (no warcinfo for this run in the "
			    "inputs)\n");
		}
	}
	sl_buf_adds(b, "context:\n");
	for (size_t i = 0; i < t->nctx; i++)
		sl_buf_addf(b, "  %s\n", t->ctx[i]);
	if (tr->nnodes > 1) {
		sl_buf_adds(b, "ancestors:\n");
		for (size_t i = 1; i < tr->nnodes; i++) {
			const struct tnode *nd = &tr->nodes[i];

			sl_buf_addf(b, "  %u %s %s %s\n", nd->depth, nd->idtext,
			    nd->found ? nd->type : "-",
			    nd->found ? (nd->uri ? nd->uri : "-") :
			    nd->searched ? "(not in the inputs)" :
			    "(not looked for: cut short)");
		}
	}
	sl_buf_adds(b, "sources:\n");
	for (size_t i = 0; i < tr->nnodes; i++) {
		const struct tnode *nd = &tr->nodes[i];

		if (is_source(nd))
			sl_buf_addf(b, "  %s %s\n", nd->idtext,
			    nd->uri ? nd->uri : "-");
		else if (!nd->found)
			sl_buf_addf(b, "  %s %s\n", nd->idtext, nd->searched ?
			    "(not in the inputs)" : "(not looked for: cut short)");
	}
	if (tr->cycle)
		sl_buf_addf(b, "cycle: %s is its own ancestor (the inputs "
		    "contradict themselves)\n", tr->nodes[tr->cycle - 1].idtext);
	if (tr->truncated)
		sl_buf_addf(b, "(more than %d records: the history is cut "
		    "short)\n", MAX_TRACE_NODES);
	if (tr->passes_cut)
		sl_buf_addf(b, "(more than %d generations before the inputs' "
		    "order: the history is cut short)\n", MAX_TRACE_PASSES);
}

/* Copies standard input to an unlinked temporary file; returns its fd. */
static int
spool_stdin(void)
{
	const char *dir = getenv("TMPDIR");
	struct sl_buf p = SL_BUF_INIT;
	char buf[65536];
	int fd;
	ssize_t n;

	sl_buf_adds(&p, dir && *dir ? dir : "/tmp");
	sl_buf_adds(&p, "/sluice-trace.XXXXXX");
	fd = mkstemp(p.data);
	if (fd < 0)
		sl_die(SL_EX_CANTCREAT, "%s: cannot create a temporary file: %s",
		    p.data, strerror(errno));
	unlink(p.data);
	sl_buf_release(&p);
	while ((n = read(STDIN_FILENO, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			sl_die(SL_EX_IOERR, "stdin: cannot read: %s",
			    strerror(errno));
		}
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(fd, buf + off, (size_t)(n - off));

			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				sl_die(SL_EX_IOERR, "cannot spool stdin: %s",
				    strerror(errno));
			off += w;
		}
	}
	return fd;
}

static int
trace_main(const struct config *cfg, char **paths, int npaths)
{
	struct tracer tr;
	struct sl_uuid id;
	struct sl_buf out = SL_BUF_INIT;
	char *dash[] = { (char *)"-" };
	int rc = SL_EX_OK;

	memset(&tr, 0, sizeof(tr));
	tr.cfg = cfg;
	tr.spool_fd = -1;
	if (sl_uuid_parse(cfg->trace, strlen(cfg->trace), &id) < 0)
		sl_usage_error("--trace wants a record id (<urn:uuid:...>), not "
		    "\"%s\"", cfg->trace);
	if (npaths == 0) {
		paths = dash;
		npaths = 1;
	}
	for (int i = 0; i < npaths; i++) {
		if (strcmp(paths[i], "-") == 0) {
			if (tr.spool_fd < 0)
				tr.spool_fd = spool_stdin();
		} else if (access(paths[i], R_OK) < 0) {
			sl_die(SL_EX_NOINPUT, "%s: cannot open: %s", paths[i],
			    strerror(errno));
		}
	}
	tr.paths = paths;
	tr.npaths = npaths;
	trace_node(&tr, &id, 0);
	for (int pass = 0;; pass++) {
		size_t pending = 0;

		if (pass == MAX_TRACE_PASSES) {
			tr.passes_cut = 1;
			break;
		}
		trace_pass(&tr, pass == 0);
		if (!tr.nodes[0].found) {
			sl_error("record %s is not in the inputs", tr.nodes[0].idtext);
			rc = SL_EX_FINDING;
			goto out;
		}
		for (size_t i = 0; i < tr.nnodes; i++)
			pending += !tr.nodes[i].searched;
		if (pending == 0)
			break;
	}
	trace_cycles(&tr);
	if (cfg->json)
		trace_print_json(&tr, &out);
	else
		trace_print_text(&tr, &out);
	if (fwrite(out.data, 1, out.len, stdout) != out.len || fflush(stdout) != 0)
		sl_die(SL_EX_IOERR, "stdout: cannot write: %s", strerror(errno));
out:
	sl_buf_release(&out);
	for (size_t i = 0; i < tr.nnodes; i++) {
		tnode_clear(&tr.nodes[i]);
		free(tr.nodes[i].idtext);
	}
	free(tr.nodes);
	free(tr.slot);
	for (size_t i = 0; i < tr.nruns; i++) {
		free(tr.runs[i].id);
		free(tr.runs[i].software);
		free(tr.runs[i].step);
		free(tr.runs[i].args);
		free(tr.runs[i].started);
	}
	free(tr.runs);
	if (tr.spool_fd >= 0)
		close(tr.spool_fd);
	return rc;
}

/* ---- main ---- */

/*
 * The policy's identity: args=sha256 over the policy file's bytes, then a
 * line per --set and one for --detect-pii, so the digest changes exactly
 * when what the tool does to records changes.
 */
static void
policy_identity(struct tagger *t, const struct sl_buf *bytes)
{
	struct sl_hasher *h = sl_hasher_new();
	unsigned char d[SL_SHA256_LEN];
	struct sl_buf b = SL_BUF_INIT;

	sl_sha256_begin(h);
	if (bytes->len)
		sl_sha256_update(h, bytes->data, bytes->len);
	for (size_t i = 0; i < t->cfg.nsets; i++) {
		sl_sha256_update(h, "\n--set ", 7);
		sl_sha256_update(h, t->cfg.sets[i], strlen(t->cfg.sets[i]));
	}
	if (t->cfg.detect_pii)
		sl_sha256_update(h, "\n--detect-pii", 13);
	sl_sha256_end(h, d);
	memcpy(t->pol.digest, "sha256:", 7);
	sl_hex(d, sizeof(d), t->pol.digest + 7);
	sl_buf_addf(&b, "%s args=%s", sl_run_lineage(&t->run, 0), t->pol.digest);
	if (t->pol.name)
		sl_buf_addf(&b, " policy=%s@%s", t->pol.name, t->pol.version);
	t->lineage_len = b.len;
	t->pol.lineage_tail = sl_buf_detach(&b, NULL);
	t->lineage = t->pol.lineage_tail;
	sl_hasher_free(h);
}

static void
tag_input(struct tagger *t, const char *path)
{
	struct sl_input in;
	struct sl_reader r;
	struct sl_record rec;
	int rc;

	sl_run_open_input(&t->run, &in, path, 0);
	t->in_name = in.name;
	sl_reader_init(&r, &in);
	sl_record_init(&rec);
	while ((rc = sl_reader_next(&r, &rec)) > 0) {
		if (sl_record_is_data(&rec)) {
			t->run.records_in++;
			t->run.bytes_in += rec.block_len;
			tag_record(t, &rec);
			ol_start(t->ol);   /* after: the first dataset is known */
			t->run.records_out++;
			sl_run_tick(&t->run);
		}
		sl_run_put(&t->run, &rec);
	}
	if (rc < 0)
		sl_die(r.status, "%s", r.err);
	sl_record_release(&rec);
	sl_input_close(&in);
}

int
main(int argc, char **argv)
{
	struct tagger t;
	struct sl_common common;
	struct sl_buf bytes = SL_BUF_INIT;
	int argi, status;

	sl_diag_init(argv[0]);
	memset(&t, 0, sizeof(t));
	argi = sl_opts_parse(&tool, &common, argc, argv, handle, &t.cfg);
	if (t.cfg.json && !t.cfg.trace)
		sl_usage_error("--json goes with --trace");
	if (t.cfg.trace) {
		if (t.cfg.policy || t.cfg.nsets || t.cfg.detect_pii ||
		    t.cfg.ol_file || t.cfg.ol_url || t.cfg.strict ||
		    common.output || common.gzip)
			sl_usage_error("--trace prints a history: it takes no "
			    "policy, --set, --strict, --detect-pii, OpenLineage "
			    "option, -o or -z");
		status = trace_main(&t.cfg, argv + argi, argc - argi);
		free(t.cfg.sets);
		free(t.cfg.outputs);
		return status;
	}
	if ((t.cfg.ns || t.cfg.job || t.cfg.noutputs) && !t.cfg.ol_file &&
	    !t.cfg.ol_url)
		sl_usage_error("--namespace, --job and --output-dataset go with "
		    "--openlineage or --openlineage-url");
	for (int i = argi; i < argc; i++)
		if (strcmp(argv[i], "-") != 0 && access(argv[i], R_OK) < 0)
			sl_die(SL_EX_NOINPUT, "%s: cannot open: %s", argv[i],
			    strerror(errno));
	sl_arena_init(&t.pol.arena);
	if (t.cfg.policy)
		policy_load(&t.pol, t.cfg.policy, &bytes);
	else
		t.pol.rules = sl_calloc(MAX_SETS, sizeof(*t.pol.rules));
	for (size_t i = 0; i < t.cfg.nsets; i++)
		policy_add_set(&t.pol, t.cfg.sets[i]);
	t.matched = sl_calloc(t.pol.n + 1, 1);
	sl_diag_on_exit(policy_on_exit, &t.pol);
	sl_arena_init(&t.arena);
	sl_run_start(&t.run, &tool, &common, argc, argv, 0);
	policy_identity(&t, &bytes);
	sl_buf_release(&bytes);
	dog_start(&t);
	if (t.cfg.ol_file || t.cfg.ol_url)
		t.ol = ol_open(&t.cfg, &t.run, t.cfg.job ? t.cfg.job :
		    t.pol.name ? t.pol.name : "tag-lineage");
	if (argi == argc)
		tag_input(&t, "-");
	for (int i = argi; i < argc; i++)
		tag_input(&t, argv[i]);

	if (t.jq_errors > 10)
		sl_warn("%llu jq errors in all (taken as no match)",
		    (unsigned long long)t.jq_errors);
	sl_metrics_set(&t.run.metrics, "sluice_tag_lineage_changed_total",
	    "counter", "Data records whose context the tool changed.",
	    (double)t.changed);
	sl_metrics_set(&t.run.metrics, "sluice_tag_lineage_declassified_total",
	    "counter", "Changed records the rules loosened (declassified).",
	    (double)t.declassified);
	sl_metrics_set(&t.run.metrics, "sluice_tag_lineage_pii_records_total",
	    "counter", "Data records in which --detect-pii found PII.",
	    (double)t.pii_records);
	if (t.pii.unnamed)
		sl_warn("PII found in %llu fields that Sluice-PII does not name "
		    "(an empty or odd name, or over %u bytes of names): "
		    "their records were raised to confidential all the same",
		    (unsigned long long)t.pii.unnamed, MAX_NAMES_BYTES);
	sl_metrics_set(&t.run.metrics, "sluice_tag_lineage_pii_unnamed_total",
	    "counter", "PII fields found that Sluice-PII does not name.",
	    (double)t.pii.unnamed);
	sl_metrics_set(&t.run.metrics, "sluice_tag_lineage_jq_errors_total",
	    "counter", "jq predicates that failed at run time (no match).",
	    (double)t.jq_errors);
	sl_metrics_set(&t.run.metrics, "sluice_tag_lineage_missing_total",
	    "counter", "key or event-time fields absent from a payload.",
	    (double)t.missing);
	sl_run_close_output(&t.run, SL_EX_OK);
	ol_close(t.ol, SL_EX_OK);
	status = sl_run_finish(&t.run, SL_EX_OK);
	sl_diag_forget(policy_on_exit, &t.pol);
	policy_free(&t.pol);
	sl_arena_release(&t.arena);
	sl_buf_release(&t.text);
	sl_buf_release(&t.scratch);
	sl_buf_release(&t.err);
	sl_buf_release(&t.pii.name);
	free(t.pii.found);
	free(t.matched);
	free(t.cfg.sets);
	free(t.cfg.outputs);
	return status;
}
