/*
 * sluice-transform - run a jq program over the data records of a stream,
 * with lineage and policy carried forward.  See sluice-transform(1).
 *
 * Data flow, one data record at a time (warcinfo, metadata and other
 * records pass through in order):
 *
 *   payload -> JSON (json.h DOM -> jv), text (a jv string) or other (passed
 *   on, counted) -> --redact / --pseudonymize on JSON -> the program (libjq
 *   through jqbridge.h; [$meta, .] when it uses $meta, {"meta","data"} with
 *   --meta) -> each output: equal to the input: the record as it was; else a
 *   `conversion` record (id from the parent id, the program digest and the
 *   output index; context derived from the parent; lineage line appended),
 *   cut in pieces by --chunk -> --dedup -> staged.
 *
 * A record's outputs are staged and written only when the whole record went
 * through, so an error on the third output of a record (with --on-error
 * skip or reject) leaves no part of it in the output.
 *
 * --slurp instead gathers every payload into one array and runs the program
 * once at the end; its outputs derive from all the parents.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arena.h"
#include "buf.h"
#include "context.h"
#include "diag.h"
#include "header.h"
#include "ids.h"
#include "input.h"
#include "jqbridge.h"
#include "jqnative.h"
#include "json.h"
#include "opts.h"
#include "outfile.h"
#include "pool.h"
#include "run.h"
#include "stream.h"
#include "timefmt.h"
#include "xalloc.h"

enum {
	OPT_FILE = 1,
	OPT_ARG,
	OPT_ARGJSON,
	OPT_LOSSY,
	OPT_META,
	OPT_DECLASSIFY,
	OPT_SLURP,
	OPT_CHUNK,
	OPT_CHUNK_FIELD,
	OPT_REDACT,
	OPT_PSEUDONYMIZE,
	OPT_SECRET_FILE,
	OPT_DEDUP,
	OPT_ON_ERROR,
	OPT_REJECT,
	OPT_JOBS,
};

static const struct sl_option options[] = {
	{ 'f', "from-file", "FILE", "read the program from FILE; every operand "
	    "is then an input", OPT_FILE, 0 },
	{ 0, "arg", "NAME VALUE", "bind $NAME to the string VALUE (as jq does)",
	    OPT_ARG, 0 },
	{ 0, "argjson", "NAME JSON", "bind $NAME to the JSON value JSON",
	    OPT_ARGJSON, 0 },
	{ 0, "lossy-numbers", NULL, "accept outputs that round numbers a double "
	    "cannot hold", OPT_LOSSY, 0 },
	{ 0, "meta", NULL, "the program sees and returns {\"meta\": fields, "
	    "\"data\": payload}", OPT_META, 0 },
	{ 0, "allow-declassify", NULL, "with --meta: allow loosening the "
	    "context (written into the lineage)", OPT_DECLASSIFY, 0 },
	{ 0, "slurp", NULL, "run the program once over the array of all "
	    "payloads", OPT_SLURP, 0 },
	{ 0, "chunk", "SIZE[,OVERLAP]", "cut text into chunks of at most SIZE "
	    "characters", OPT_CHUNK, 0 },
	{ 0, "chunk-field", "FIELD", "chunk this string field of JSON payloads "
	    "instead", OPT_CHUNK_FIELD, 0 },
	{ 0, "redact", "FIELD", "remove FIELD from JSON payloads (repeatable)",
	    OPT_REDACT, 0 },
	{ 0, "pseudonymize", "FIELD", "replace FIELD with its HMAC-SHA256 "
	    "(repeatable)", OPT_PSEUDONYMIZE, 0 },
	{ 0, "secret-file", "FILE", "the HMAC key for --pseudonymize",
	    OPT_SECRET_FILE, 0 },
	{ 0, "dedup", NULL, "drop data records whose payload was already "
	    "written", OPT_DEDUP, 0 },
	{ 0, "on-error", "MODE", "a runtime error on a record: stop (default), "
	    "skip or reject", OPT_ON_ERROR, 0 },
	{ 0, "reject", "FILE", "with --on-error reject: write failed records "
	    "to FILE", OPT_REJECT, 0 },
	{ 'j', "jobs", "N", "worker threads for programs run natively "
	    "(default: one per CPU)", OPT_JOBS, 0 },
	{ 0, NULL, NULL, NULL, 0, 0 },
};

static const struct sl_tool tool = {
	"sluice-transform", "transform", "[options] PROGRAM [FILE...]",
	"run a jq program over the data records of a sluice stream", options,
};

enum on_error { ON_STOP, ON_SKIP, ON_REJECT };

struct config {
	char **argv;            /* for the second word of --arg/--argjson */
	const char *file;
	jv args;                /* named arguments */
	struct sl_buf args_text; /* the same, for the program digest */
	int lossy, meta, declassify, slurp, dedup;
	size_t chunk, overlap;
	const char *chunk_field;
	char **redact, **pseudo;
	size_t nredact, npseudo;
	const char *secret_file;
	enum on_error on_error;
	const char *reject;
	int jobs;
};

/* ---- options ---- */

static int
jq_ident(const char *s)
{
	if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_'))
		return 0;
	for (s++; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '_'))
			return 0;
	return 1;
}

static char **
push(char **v, size_t *n, const char *s)
{
	v = sl_reallocarray(v, *n + 1, sizeof(*v));
	v[(*n)++] = sl_strdup(s);
	return v;
}

/* A FIELD of --redact, --pseudonymize, --chunk-field: a name or a pointer. */
static int
field_ok(const char *s)
{
	return s[0] != '\0' && (s[0] == '/' || sl_name_valid(s, strlen(s)));
}

/* The second word of a two-word option: argv[optind], consumed. */
static const char *
second_word(struct config *c, const char *opt, const char *name)
{
	const char *v;

	if (c->argv[optind] == NULL)
		sl_usage_error("option '--%s' needs a name and a value (--%s %s "
		    "...)", opt, opt, name);
	v = c->argv[optind++];
	return v;
}

static int
handle(int id, const char *arg, void *ctx)
{
	struct config *c = ctx;
	const char *v;
	char *end;

	switch (id) {
	case OPT_FILE:
		c->file = arg;
		break;
	case OPT_ARG:
	case OPT_ARGJSON:
		v = second_word(c, id == OPT_ARG ? "arg" : "argjson", arg);
		if (!jq_ident(arg))
			sl_usage_error("--%s: \"%s\" is not a jq variable name",
			    id == OPT_ARG ? "arg" : "argjson", arg);
		if (strcmp(arg, "meta") == 0 || strcmp(arg, "ARGS") == 0)
			sl_usage_error("--%s: $%s is reserved",
			    id == OPT_ARG ? "arg" : "argjson", arg);
		if (jv_object_has(jv_copy(c->args), jv_string(arg))) {
			/* as jq 1.6: the first binding of a name wins */
		} else if (id == OPT_ARG) {
			c->args = jv_object_set(c->args, jv_string(arg),
			    jv_string(v));
		} else {
			struct sl_arena a = SL_ARENA_INIT;
			struct sl_json doc;
			struct sl_json_error e;

			if (sl_json_parse(&a, v, strlen(v), &doc, &e) !=
			    SL_JSON_OK) {
				sl_arena_release(&a);
				sl_usage_error("--argjson %s: not JSON: %s at "
				    "byte %zu", arg, e.msg, e.offset);
			}
			c->args = jv_object_set(c->args, jv_string(arg),
			    sl_jq_from_json(&doc));
			sl_arena_release(&a);
		}
		sl_buf_addf(&c->args_text, "%s %s=", id == OPT_ARG ? "arg" :
		    "argjson", arg);
		sl_buf_add(&c->args_text, v, strlen(v) + 1);
		break;
	case OPT_LOSSY:
		c->lossy = 1;
		break;
	case OPT_META:
		c->meta = 1;
		break;
	case OPT_DECLASSIFY:
		c->declassify = 1;
		break;
	case OPT_SLURP:
		c->slurp = 1;
		break;
	case OPT_CHUNK:
		errno = 0;
		if (arg[0] < '0' || arg[0] > '9')
			sl_usage_error("--chunk: \"%s\" is not SIZE or "
			    "SIZE,OVERLAP", arg);
		c->chunk = strtoull(arg, &end, 10);
		if (*end == ',') {
			if (end[1] < '0' || end[1] > '9')
				sl_usage_error("--chunk: \"%s\" is not SIZE or "
				    "SIZE,OVERLAP", arg);
			c->overlap = strtoull(end + 1, &end, 10);
		}
		if (errno || *end || c->chunk == 0 || c->chunk > 1u << 30)
			sl_usage_error("--chunk: \"%s\" is not SIZE or "
			    "SIZE,OVERLAP (SIZE 1 to 2^30)", arg);
		if (c->overlap >= c->chunk)
			sl_usage_error("--chunk: the overlap must be smaller "
			    "than the size");
		break;
	case OPT_CHUNK_FIELD:
		if (!field_ok(arg))
			sl_usage_error("--chunk-field: \"%s\" is not a field "
			    "name or a JSON Pointer", arg);
		c->chunk_field = arg;
		break;
	case OPT_REDACT:
	case OPT_PSEUDONYMIZE:
		if (!field_ok(arg))
			sl_usage_error("--%s: \"%s\" is not a field name or a "
			    "JSON Pointer", id == OPT_REDACT ? "redact" :
			    "pseudonymize", arg);
		if (id == OPT_REDACT)
			c->redact = push(c->redact, &c->nredact, arg);
		else
			c->pseudo = push(c->pseudo, &c->npseudo, arg);
		break;
	case OPT_SECRET_FILE:
		c->secret_file = arg;
		break;
	case OPT_DEDUP:
		c->dedup = 1;
		break;
	case OPT_ON_ERROR:
		if (strcmp(arg, "stop") == 0)
			c->on_error = ON_STOP;
		else if (strcmp(arg, "skip") == 0)
			c->on_error = ON_SKIP;
		else if (strcmp(arg, "reject") == 0)
			c->on_error = ON_REJECT;
		else
			sl_usage_error("--on-error wants stop, skip or reject, "
			    "not \"%s\"", arg);
		break;
	case OPT_REJECT:
		c->reject = arg;
		break;
	case OPT_JOBS: {
		unsigned long long n = sl_opt_ull("jobs", arg);

		if (n < 1 || n > 64)
			sl_usage_error("--jobs wants 1 to 64");
		c->jobs = (int)n;
		break;
	}
	default:
		return -1;
	}
	return 0;
}

/* ---- the digest set of --dedup ---- */

struct digset {
	unsigned char (*v)[SL_SHA256_LEN];
	char *used;
	size_t cap, n;
};

static int
digset_has(const struct digset *s, const unsigned char *d)
{
	size_t i;
	uint64_t h;

	if (s->cap == 0)
		return 0;
	memcpy(&h, d, sizeof(h));
	for (i = h & (s->cap - 1); s->used[i]; i = (i + 1) & (s->cap - 1))
		if (memcmp(s->v[i], d, SL_SHA256_LEN) == 0)
			return 1;
	return 0;
}

static void
digset_add(struct digset *s, const unsigned char *d)
{
	size_t i, oldcap = s->cap;
	uint64_t h;

	if ((s->n + 1) * 2 > s->cap) {
		unsigned char (*ov)[SL_SHA256_LEN] = s->v;
		char *ou = s->used;

		s->cap = s->cap ? s->cap * 2 : 1024;
		s->v = sl_calloc(s->cap, sizeof(*s->v));
		s->used = sl_calloc(s->cap, 1);
		s->n = 0;
		for (i = 0; i < oldcap; i++)
			if (ou[i])
				digset_add(s, ov[i]);
		free(ov);
		free(ou);
	}
	memcpy(&h, d, sizeof(h));
	for (i = h & (s->cap - 1); s->used[i]; i = (i + 1) & (s->cap - 1))
		if (memcmp(s->v[i], d, SL_SHA256_LEN) == 0)
			return;
	memcpy(s->v[i], d, SL_SHA256_LEN);
	s->used[i] = 1;
	s->n++;
}

static void
digset_release(struct digset *s)
{
	free(s->v);
	free(s->used);
	memset(s, 0, sizeof(*s));
}

/* ---- the run ---- */

enum kind { K_OTHER, K_JSON, K_TEXT };

/* A number of the input that a double cannot hold (the number rule). */
struct lossy {
	double d;
	const char *text;	/* as written */
	const char *path;	/* JSON Pointer */
};

/* The lossy numbers of a record (and, with --slurp, of those before). */
struct lossyset {
	struct lossy *v;
	size_t n, cap;
	struct sl_buf path;	/* scratch */
	struct sl_arena *arena;	/* where the paths go */
};

struct xf {
	struct config cfg;
	struct sl_run run;
	struct sl_jq *q;
	struct sl_jqn *nq;      /* the same program natively, or NULL */
	int wrap;               /* the program takes [$meta, .] */
	char digest[SL_DIGEST_STRLEN + 1];  /* the program digest */
	struct sl_buf lineage;  /* our lineage line */
	struct sl_buf lineage_declass;
	struct sl_hasher *h;
	unsigned char *secret;
	size_t secret_len;

	/* per record */
	struct sl_arena arena;  /* the payload DOM, lossy numbers */
	const char *source;     /* input name for messages */
	struct sl_record out;   /* a derived record being built */
	struct sl_buf payload;  /* its block */
	struct sl_buf uri;      /* its target URI */
	struct sl_buf err;
	struct sl_buf stage;    /* formatted records waiting for the end of the record */
	struct sl_buf scratch;
	uint64_t staged;
	unsigned char (*pending)[SL_SHA256_LEN];  /* --dedup digests staged */
	size_t npending, pending_cap;
	struct sl_json doc;     /* the payload, JSON records */
	struct lossyset ls;
	size_t nslossy;         /* --slurp: ls.v[0..nslossy) kept, owned */
	int lossy_done;

	struct digset seen;
	struct sl_writer rej;
	struct sl_outfile rej_file;
	int rej_open;

	/* --slurp */
	jv slurp;
	struct sl_ctx sctx;
	int sctx_n;
	struct sl_arena sarena;
	struct sl_json *sdoc;   /* the payloads' DOMs (in sarena): number texts */
	size_t nsdoc, sdoc_cap;
	char **sids;
	size_t nsids, sids_cap;
	char **slines;          /* unique lineage lines of the parents */
	size_t nslines, slines_cap;
	char *suri;
	int suri_mixed;
	char *sfirst;           /* the first parent: WARC-Refers-To */

	/* counters */
	uint64_t derived, passed, dropped, other, skipped, deduped, declassified;
};

static const char *
text_ct = "text/plain; charset=utf-8";

static enum kind
payload_kind(const struct sl_record *rec)
{
	const char *ct = sl_headers_get(&rec->hdr, SL_F_CONTENT_TYPE);
	size_t n;

	if (ct == NULL)
		return K_OTHER;
	n = strcspn(ct, "; \t");
	if ((n == 16 && strncasecmp(ct, "application/json", 16) == 0) ||
	    (n > 5 && strncasecmp(ct + n - 5, "+json", 5) == 0))
		return K_JSON;
	if (n > 5 && strncasecmp(ct, "text/", 5) == 0)
		return K_TEXT;
	return K_OTHER;
}

static const char *
record_id(const struct sl_record *rec)
{
	const char *id = sl_headers_get(&rec->hdr, SL_F_WARC_RECORD_ID);

	return id ? id : "(no id)";
}

/* ---- numbers ---- */

/*
 * The decimal value of a JSON number text as sign, significant digits
 * (no leading or trailing zeros) and exponent (value = 0.DIGITS * 10^exp),
 * so that two texts compare equal iff they denote the same number.
 */
static void
decimal_norm(const char *s, struct sl_buf *out)
{
	long exp10 = 0, e = 0;
	int neg = 0, seen = 0, esign = 1;
	size_t start = out->len, nd;

	if (*s == '-') {
		neg = 1;
		s++;
	}
	sl_buf_addc(out, neg ? '-' : '+');
	for (; *s >= '0' && *s <= '9'; s++) {
		if (*s != '0' || seen) {
			sl_buf_addc(out, *s);
			seen = 1;
		}
		if (seen)
			exp10++;
	}
	if (*s == '.') {
		for (s++; *s >= '0' && *s <= '9'; s++) {
			if (*s != '0' || seen) {
				sl_buf_addc(out, *s);
				seen = 1;
			} else {
				exp10--;
			}
		}
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '-' || *s == '+')
			esign = *s++ == '-' ? -1 : 1;
		for (; *s >= '0' && *s <= '9'; s++)
			if (e < 100000)
				e = e * 10 + (*s - '0');
	}
	nd = out->len - start - 1;
	while (nd > 0 && out->data[start + nd] == '0') {
		out->len--;
		nd--;
	}
	if (nd == 0) {
		out->len = start;
		sl_buf_adds(out, "0");
		return;
	}
	sl_buf_addf(out, "e%ld", exp10 + esign * e);
}

/*
 * Is the number text surely one a double holds without changing its
 * value?  Up to 15 significant digits (DBL_DIG) a decimal comes back from
 * its double as the same value, away from the ends of the range.
 */
static int
number_surely_exact(const char *text)
{
	size_t sig = 0, i;
	int seen = 0;
	long e = 0;

	for (i = 0; text[i] && text[i] != 'e' && text[i] != 'E'; i++) {
		if (text[i] >= '0' && text[i] <= '9') {
			if (text[i] != '0')
				seen = 1;
			if (seen)
				sig++;
		}
	}
	if (text[i])
		e = strtol(text + i + 1, NULL, 10);
	return sig <= 15 && i < 250 && e > -250 && e < 250;
}

/* Is the number text one a double holds without changing its value? */
static int
number_exact(const char *text, double d, struct sl_buf *tmp)
{
	size_t a, b;

	if (number_surely_exact(text))
		return 1;
	sl_buf_reset(tmp);
	decimal_norm(text, tmp);
	a = tmp->len;
	sl_buf_addc(tmp, '|');
	b = tmp->len;
	{
		struct sl_buf p = SL_BUF_INIT;

		sl_jq_write(&p, jv_number(d));
		decimal_norm(p.data, tmp);
		sl_buf_release(&p);
	}
	return tmp->len - b == a && memcmp(tmp->data, tmp->data + b, a) == 0;
}

static void
pointer_push(struct sl_buf *p, const char *k, size_t n)
{
	sl_buf_addc(p, '/');
	for (size_t i = 0; i < n; i++) {
		if (k[i] == '~')
			sl_buf_add(p, "~0", 2);
		else if (k[i] == '/')
			sl_buf_add(p, "~1", 2);
		else
			sl_buf_addc(p, k[i]);
	}
}

/* The way down to a value, for its JSON Pointer (made only when needed). */
struct seg {
	const struct seg *up;
	const char *key;	/* NULL: an array index */
	size_t n;		/* key length, or the index */
};

static void
seg_pointer(struct sl_buf *p, const struct seg *s)
{
	char num[24];

	if (!s)
		return;
	seg_pointer(p, s->up);
	if (s->key) {
		pointer_push(p, s->key, s->n);
	} else {
		int n = snprintf(num, sizeof(num), "%zu", s->n);

		pointer_push(p, num, (size_t)n);
	}
}

/* Adds the numbers of v that a double cannot hold to ls. */
static void
lossy_walk(struct lossyset *ls, const struct sl_json *v, struct sl_buf *tmp,
    const struct seg *up)
{
	struct seg s;
	size_t i;

	switch (v->type) {
	case SL_JSON_NUMBER: {
		double d;

		if (number_surely_exact(v->u.num))
			return;
		d = strtod(v->u.num, NULL);
		if (number_exact(v->u.num, d, tmp))
			return;
		if (ls->n == ls->cap)
			ls->v = sl_grow(ls->v, &ls->cap, ls->n + 1,
			    sizeof(*ls->v));
		sl_buf_reset(&ls->path);
		seg_pointer(&ls->path, up);
		ls->v[ls->n].d = d;
		ls->v[ls->n].text = v->u.num;
		ls->v[ls->n].path = sl_arena_strndup(ls->arena,
		    ls->path.data ? ls->path.data : "", ls->path.len);
		ls->n++;
		return;
	}
	case SL_JSON_ARRAY:
		s.up = up;
		s.key = NULL;
		for (i = 0; i < v->len; i++) {
			s.n = i;
			lossy_walk(ls, &v->u.items[i], tmp, &s);
		}
		return;
	case SL_JSON_OBJECT:
		s.up = up;
		for (i = 0; i < v->len; i++) {
			s.key = v->u.members[i].key;
			s.n = v->u.members[i].key_len;
			lossy_walk(ls, &v->u.members[i].value, tmp, &s);
		}
		return;
	default:
		return;
	}
}

static void
collect_lossy(struct lossyset *ls, const struct sl_json *v,
    struct sl_buf *tmp)
{
	lossy_walk(ls, v, tmp, NULL);
}

/*
 * The first lossy number of the input whose rounded value o carries.  like
 * (may be NULL) is the input walked alongside o: a number at the same path
 * with the same value keeps its input text (sl_jq_write_like), so it is
 * not rounded and not counted.
 */
static const struct lossy *
carries_lossy(const struct lossyset *ls, jv o, const struct sl_json *like)
{
	const struct lossy *l = NULL;
	const struct sl_json *sub;
	int i, n, it, nth = 0;
	jv e, key;

	switch (jv_get_kind(o)) {
	case JV_KIND_NUMBER:
		if (sl_jq_like_number(like, jv_number_value(o)))
			return NULL;
		for (size_t k = 0; k < ls->n; k++)
			if (ls->v[k].d == jv_number_value(o))
				return &ls->v[k];
		return NULL;
	case JV_KIND_ARRAY:
		n = jv_array_length(jv_copy(o));
		for (i = 0; i < n && !l; i++) {
			e = jv_array_get(jv_copy(o), i);
			l = carries_lossy(ls, e, sl_jq_like_index(like, i));
			jv_free(e);
		}
		return l;
	case JV_KIND_OBJECT:
		for (it = jv_object_iter(o); !l && jv_object_iter_valid(o, it);
		    it = jv_object_iter_next(o, it)) {
			key = jv_object_iter_key(o, it);
			e = jv_object_iter_value(o, it);
			sub = sl_jq_like_key(like, jv_string_value(key),
			    (size_t)jv_string_length_bytes(jv_copy(key)),
			    (size_t)nth++);
			/* a duplicate key: the member libjq kept is the last */
			if (sub && jv_get_kind(e) == JV_KIND_NUMBER &&
			    !sl_jq_like_number(sub, jv_number_value(e)))
				sub = sl_jq_like_key(like, jv_string_value(key),
				    (size_t)jv_string_length_bytes(jv_copy(key)),
				    (size_t)-1);
			l = carries_lossy(ls, e, sub);
			jv_free(key);
			jv_free(e);
		}
		return l;
	default:
		return NULL;
	}
}

/* Why an output carrying the lossy number l is refused. */
static void
lossy_message(struct sl_buf *err, const struct lossy *l)
{
	struct sl_buf r = SL_BUF_INIT;

	sl_jq_write(&r, jv_number(l->d));
	sl_buf_addf(err, "field \"%s\": %s would become %s (a double cannot "
	    "hold it); --lossy-numbers accepts the rounding",
	    l->path[0] ? l->path : "/", l->text, r.data);
	sl_buf_release(&r);
}

/* ---- $meta ---- */

/* The header fields of rec as a JSON object (repeated fields as arrays). */
static jv
meta_of(const struct sl_record *rec)
{
	jv m = jv_object(), k, old;
	size_t i;

	for (i = 0; i < rec->hdr.n; i++) {
		const struct sl_hfield *f = &rec->hdr.f[i];

		k = jv_string_sized(f->name, (int)f->name_len);
		old = jv_object_get(jv_copy(m), jv_copy(k));
		if (jv_get_kind(old) == JV_KIND_INVALID) {
			jv_free(old);
			m = jv_object_set(m, k, jv_string_sized(f->value,
			    (int)f->value_len));
		} else if (jv_get_kind(old) == JV_KIND_ARRAY) {
			m = jv_object_set(m, k, jv_array_append(old,
			    jv_string_sized(f->value, (int)f->value_len)));
		} else {
			m = jv_object_set(m, k, JV_ARRAY_2(old,
			    jv_string_sized(f->value, (int)f->value_len)));
		}
	}
	return m;
}

static int
is_context_field(enum sl_field id)
{
	switch (id) {
	case SL_F_SLUICE_KEY:
	case SL_F_SLUICE_EVENT_TIME:
	case SL_F_SLUICE_VALID_UNTIL:
	case SL_F_SLUICE_CLASSIFICATION:
	case SL_F_SLUICE_ROLES:
	case SL_F_SLUICE_PII:
	case SL_F_SLUICE_AUTHORITY:
	case SL_F_SLUICE_CERTIFICATION:
		return 1;
	default:
		return 0;
	}
}

/*
 * Applies the meta object a --meta program returned to the derived context
 * dc (made from the parent).  Context fields may change within governance;
 * any other field must keep its value (Sluice-Contract is dropped anyway).
 * Returns 0 (*declass set when a loosening was allowed), or -1 with err.
 */
static int
apply_meta(struct xf *x, jv newm, jv oldm, struct sl_ctx *dc, int *declass,
    struct sl_record *scratch)
{
	struct sl_ctx nc;
	char why[256];
	int it;
	jv k, v, ov;

	sl_headers_clear(&scratch->hdr);
	for (it = jv_object_iter(newm); jv_object_iter_valid(newm, it);
	    it = jv_object_iter_next(newm, it)) {
		const char *name;
		enum sl_field id;

		k = jv_object_iter_key(newm, it);
		v = jv_object_iter_value(newm, it);
		name = jv_string_value(k);
		id = sl_field_lookup(name, strlen(name));
		if (id == SL_F_SLUICE_CONTRACT) {
			/* dropped from derived records whatever it says */
		} else if (is_context_field(id)) {
			struct sl_buf s = SL_BUF_INIT;

			if (jv_get_kind(v) == JV_KIND_STRING) {
				sl_buf_adds(&s, jv_string_value(v));
			} else if (jv_get_kind(v) == JV_KIND_ARRAY &&
			    (id == SL_F_SLUICE_ROLES || id == SL_F_SLUICE_PII)) {
				int n = jv_array_length(jv_copy(v));

				for (int i = 0; i < n; i++) {
					jv e = jv_array_get(jv_copy(v), i);

					if (jv_get_kind(e) != JV_KIND_STRING) {
						jv_free(e);
						sl_buf_release(&s);
						goto bad_value;
					}
					if (i)
						sl_buf_addc(&s, ' ');
					sl_buf_adds(&s, jv_string_value(e));
					jv_free(e);
				}
			} else if (jv_get_kind(v) != JV_KIND_NULL) {
				goto bad_value;
			}
			if (jv_get_kind(v) != JV_KIND_NULL)
				sl_headers_add(&scratch->hdr, id, s.data ? s.data :
				    "", s.len);
			sl_buf_release(&s);
		} else {
			ov = jv_object_get(jv_copy(oldm), jv_copy(k));
			if (!jv_equal(ov, jv_copy(v))) {
				sl_buf_addf(&x->err, "--meta: field \"%s\" is not "
				    "writable", name);
				jv_free(k);
				jv_free(v);
				return -1;
			}
		}
		jv_free(k);
		jv_free(v);
		continue;
bad_value:
		sl_buf_addf(&x->err, "--meta: field \"%s\" wants a string",
		    name);
		jv_free(k);
		jv_free(v);
		return -1;
	}
	if (sl_ctx_from_headers(&nc, &scratch->hdr, &x->arena, why,
	    sizeof(why)) < 0) {
		sl_buf_addf(&x->err, "--meta: %s", why);
		return -1;
	}
	/* the event time and the key are the program's to set */
	{
		struct sl_ctx cmp = nc;

		cmp.has_event_time = dc->has_event_time;
		cmp.event_time = dc->event_time;
		if (!sl_ctx_no_looser(&cmp, dc, why, sizeof(why))) {
			if (!x->cfg.declassify) {
				sl_buf_addf(&x->err, "--meta: the output loosens "
				    "the context (%s); --allow-declassify allows "
				    "it", why);
				return -1;
			}
			*declass = 1;
		}
	}
	*dc = nc;
	return 0;
}

/* ---- building records ---- */

/* Stages rec (formatted) for the end of the current record. */
static int
stage(struct xf *x, const struct sl_record *rec)
{
	unsigned char d[SL_SHA256_LEN];
	char err[SL_MSG_MAX];

	if (x->cfg.dedup && sl_record_is_data(rec)) {
		sl_sha256(x->h, rec->block, rec->block_len, d);
		if (digset_has(&x->seen, d)) {
			x->deduped++;
			return 0;
		}
		for (size_t i = 0; i < x->npending; i++)
			if (memcmp(x->pending[i], d, SL_SHA256_LEN) == 0) {
				x->deduped++;
				return 0;
			}
		if (x->npending == x->pending_cap)
			x->pending = sl_grow(x->pending, &x->pending_cap,
			    x->npending + 1, sizeof(*x->pending));
		memcpy(x->pending[x->npending++], d, SL_SHA256_LEN);
	}
	if (sl_record_emit(rec, &x->stage, x->run.out.gz, &x->scratch, err,
	    sizeof(err)) < 0) {
		sl_buf_addf(&x->err, "%s", err);
		return -1;
	}
	x->staged++;
	return 0;
}

static void
stage_commit(struct xf *x, uint64_t data)
{
	for (size_t i = 0; i < x->npending; i++)
		digset_add(&x->seen, x->pending[i]);
	sl_run_put_framed(&x->run, x->stage.data, x->stage.len, x->staged);
	x->run.records_out += data;
	sl_buf_reset(&x->stage);
	x->staged = 0;
	x->npending = 0;
}

static void
stage_abort(struct xf *x)
{
	sl_buf_reset(&x->stage);
	x->staged = 0;
	x->npending = 0;
}

/*
 * Starts the derived record x->out for the block in x->payload, of type
 * ct, with context dc and target URI uri (may be NULL).  Its id is the v5
 * UUID of idpart (the parent id), the program digest and idx (the output
 * index); parent_id is its WARC-Refers-To.  Lineage and the block follow.
 */
/*
 * The id of a derived record: UUID v5 of what it was made from (idpart),
 * the program digest and its output index.  Any thread (h its own).
 */
static void
derived_id(struct sl_hasher *h, const char *idpart, const char *prog_digest,
    const char *idx, char id[SL_URN_STRLEN + 1])
{
	const char *parts[3] = { idpart, prog_digest, idx };
	size_t lens[3] = { (size_t)-1, (size_t)-1, (size_t)-1 };
	struct sl_uuid u;

	sl_uuid5(h, &sl_uuid_ns, &u, 3, parts, lens);
	sl_uuid_urn(&u, id);
}

/*
 * Builds x->out, a derived record of the payload in x->payload.  pre_id
 * and pre_digest, when not NULL, are its id and digest made already (by a
 * worker thread, as derived_id and sl_digest_str make them).
 */
static void
derive_made(struct xf *x, const char *parent_id,
    const char *idpart, const char *ct, const char *uri,
    const struct sl_ctx *dc, const char *idx, const char *pre_id,
    const char *pre_digest)
{
	struct sl_record *o = &x->out;
	char id[SL_URN_STRLEN + 1], date[SL_TIME_STRLEN];
	char digest[SL_DIGEST_STRLEN + 1];

	sl_record_clear(o);
	o->type = SL_R_CONVERSION;
	if (pre_id)
		snprintf(id, sizeof(id), "%s", pre_id);
	else
		derived_id(x->h, idpart, x->digest, idx, id);
	sl_time_format(sl_now(), SL_TIME_MICRO, date);
	if (pre_digest)
		snprintf(digest, sizeof(digest), "%s", pre_digest);
	else
		sl_digest_str(x->h, x->payload.data ? x->payload.data : "",
		    x->payload.len, digest);
	sl_headers_adds(&o->hdr, SL_F_WARC_TYPE, "conversion");
	sl_headers_adds(&o->hdr, SL_F_WARC_RECORD_ID, id);
	sl_headers_adds(&o->hdr, SL_F_WARC_DATE, date);
	if (uri)
		sl_headers_adds(&o->hdr, SL_F_WARC_TARGET_URI, uri);
	sl_headers_adds(&o->hdr, SL_F_WARC_REFERS_TO, parent_id);
	sl_headers_adds(&o->hdr, SL_F_CONTENT_TYPE, ct);
	sl_headers_adds(&o->hdr, SL_F_WARC_BLOCK_DIGEST, digest);
	sl_ctx_to_headers(dc, &o->hdr);
}

static void
derive(struct xf *x, const char *parent_id,
    const char *idpart, const char *ct, const char *uri,
    const struct sl_ctx *dc, const char *idx)
{
	derive_made(x, parent_id, idpart, ct, uri, dc, idx, NULL, NULL);
}

/* Appends the lineage of the derived record x->out. */
static void
add_lineage(struct xf *x, const struct sl_record *parent, int declass)
{
	struct sl_record *o = &x->out;

	if (parent) {
		for (size_t i = 0; i < parent->hdr.n; i++)
			if (parent->hdr.f[i].id == SL_F_SLUICE_LINEAGE)
				sl_headers_add(&o->hdr, SL_F_SLUICE_LINEAGE,
				    parent->hdr.f[i].value,
				    parent->hdr.f[i].value_len);
	} else {
		for (size_t i = 0; i < x->nslines; i++)
			sl_headers_adds(&o->hdr, SL_F_SLUICE_LINEAGE,
			    x->slines[i]);
	}
	if (declass)
		sl_headers_adds(&o->hdr, SL_F_SLUICE_LINEAGE,
		    x->lineage_declass.data);
	else
		sl_headers_adds(&o->hdr, SL_F_SLUICE_LINEAGE, x->lineage.data);
}

/* ---- chunking ---- */

static int
is_space(unsigned c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	    c == '\v';
}

struct piece {
	size_t b0, b1;  /* bytes */
	size_t c0, c1;  /* characters */
};

/*
 * Cuts s (valid UTF-8) into pieces of at most size characters, ending at a
 * sentence end (after . ! ? before white space) or else at white space in
 * the last half of the window, else at size; each next piece starts up to
 * overlap characters before the previous end, at a word start.  Leading
 * white space is skipped.  Returns the number of pieces (in *out).
 */
static size_t
chunk_text(const char *s, size_t len, size_t size, size_t overlap,
    struct piece **out, size_t *cap)
{
	size_t nc = 0, i, np = 0;
	size_t *off;    /* byte offset of each character, and len */
	size_t pos, end, brk, next;

	off = sl_reallocarray(NULL, len + 1, sizeof(*off));
	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			off[nc++] = i;
	off[nc] = len;
#define CH(k) ((unsigned char)s[off[k]])
	pos = 0;
	while (pos < nc && is_space(CH(pos)))
		pos++;
	while (pos < nc) {
		end = pos + size < nc ? pos + size : nc;
		brk = end;
		if (end < nc) {
			size_t lo = pos + size / 2, ws = 0;

			/*
			 * A break at k means the piece is [pos, k): the last
			 * sentence end in the second half of the window, else
			 * the last white space, else the window's end.
			 */
			for (brk = 0, i = end; i > pos; i--) {
				if (!is_space(CH(i)))
					continue;
				if (i > lo && (CH(i - 1) == '.' ||
				    CH(i - 1) == '!' || CH(i - 1) == '?')) {
					brk = i;
					break;
				}
				if (!ws)
					ws = i;
				if (i <= lo)
					break;
			}
			if (!brk)
				brk = ws ? ws : end;
		}
		/* no trailing white space inside a piece */
		{
			size_t e = brk;

			while (e > pos && is_space(CH(e - 1)))
				e--;
			if (np == *cap)
				*out = sl_grow(*out, cap, np + 1, sizeof(**out));
			(*out)[np].c0 = pos;
			(*out)[np].c1 = e;
			(*out)[np].b0 = off[pos];
			(*out)[np].b1 = off[e];
			np++;
		}
		if (brk >= nc)
			break;
		next = brk;
		if (overlap) {
			next = brk > pos + overlap ? brk - overlap : pos + 1;
			/* to the start of a word */
			while (next < brk && next > 0 && !is_space(CH(next - 1)))
				next++;
		}
		while (next < nc && is_space(CH(next)))
			next++;
		if (next <= pos)
			next = brk;
		pos = next;
	}
#undef CH
	free(off);
	return np;
}

/* ---- pseudonyms and redaction ---- */

/* jv path of a FIELD: ["name"] or the tokens of a JSON Pointer. */
static jv
field_path(const char *f)
{
	jv p = jv_array();
	struct sl_buf t = SL_BUF_INIT;

	if (f[0] != '/')
		return jv_array_append(p, jv_string(f));
	for (f++;; f++) {
		if (*f == '/' || *f == '\0') {
			int isnum = t.len > 0 && t.len < 10, i;

			for (i = 0; i < (int)t.len; i++)
				if (t.data[i] < '0' || t.data[i] > '9')
					isnum = 0;
			if (isnum && !(t.len > 1 && t.data[0] == '0'))
				p = jv_array_append(p, jv_number(atoi(t.data)));
			else
				p = jv_array_append(p, jv_string_sized(t.data ?
				    t.data : "", (int)t.len));
			sl_buf_reset(&t);
			if (*f == '\0')
				break;
		} else if (*f == '~' && (f[1] == '0' || f[1] == '1')) {
			sl_buf_addc(&t, f[1] == '0' ? '~' : '/');
			f++;
		} else {
			sl_buf_addc(&t, *f);
		}
	}
	sl_buf_release(&t);
	return p;
}

/* Does v have something at path (borrowed)? */
static int
has_path(jv v, jv path)
{
	int n = jv_array_length(jv_copy(path)), i;
	jv cur = jv_copy(v), k;

	for (i = 0; i < n; i++) {
		k = jv_array_get(jv_copy(path), i);
		if (jv_get_kind(k) == JV_KIND_STRING &&
		    jv_get_kind(cur) == JV_KIND_OBJECT) {
			if (!jv_object_has(jv_copy(cur), jv_copy(k))) {
				jv_free(k);
				jv_free(cur);
				return 0;
			}
			cur = jv_object_get(cur, k);
		} else if (jv_get_kind(k) == JV_KIND_NUMBER &&
		    jv_get_kind(cur) == JV_KIND_ARRAY) {
			int idx = (int)jv_number_value(k);

			jv_free(k);
			if (idx < 0 || idx >= jv_array_length(jv_copy(cur))) {
				jv_free(cur);
				return 0;
			}
			cur = jv_array_get(cur, idx);
		} else {
			jv_free(k);
			jv_free(cur);
			return 0;
		}
	}
	jv_free(cur);
	return 1;
}

/* The node of doc at path (borrowed), or NULL. */
static const struct sl_json *
dom_at(const struct sl_json *doc, jv path)
{
	int n = jv_array_length(jv_copy(path)), i;
	jv k;

	for (i = 0; i < n && doc; i++) {
		k = jv_array_get(jv_copy(path), i);
		if (jv_get_kind(k) == JV_KIND_STRING)
			doc = sl_jq_like_key(doc, jv_string_value(k),
			    (size_t)jv_string_length_bytes(jv_copy(k)),
			    (size_t)-1);
		else
			doc = sl_jq_like_index(doc, (int)jv_number_value(k));
		jv_free(k);
	}
	return doc;
}

/*
 * --redact and --pseudonymize on a JSON payload (consumed; the result
 * returned).  Sets *changed; adjusts the PII names in ctx: a removed field
 * leaves Sluice-PII, a pseudonymised one is (still) personal data.
 */
static jv
pre_steps(struct xf *x, jv v, int *changed, struct sl_ctx *ctx)
{
	size_t i;

	for (i = 0; i < x->cfg.nredact; i++) {
		jv p = field_path(x->cfg.redact[i]);

		if (has_path(v, p)) {
			v = jv_delpaths(v, JV_ARRAY_1(p));
			*changed = 1;
		} else {
			jv_free(p);
		}
		/* the field is gone: Sluice-PII no longer names it */
		if (ctx) {
			size_t n = 0;

			for (size_t j = 0; j < ctx->pii.n; j++)
				if (strcmp(ctx->pii.v[j], x->cfg.redact[i]) != 0)
					ctx->pii.v[n++] = ctx->pii.v[j];
			ctx->pii.n = n;
		}
	}
	for (i = 0; i < x->cfg.npseudo; i++) {
		jv p = field_path(x->cfg.pseudo[i]), old;
		const struct sl_json *num;
		unsigned char mac[SL_SHA256_LEN];
		char hex[2 * SL_SHA256_LEN + 1];
		struct sl_buf t = SL_BUF_INIT;

		if (!has_path(v, p)) {
			jv_free(p);
			continue;
		}
		old = jv_getpath(jv_copy(v), jv_copy(p));
		num = jv_get_kind(old) == JV_KIND_NUMBER ?
		    dom_at(&x->doc, p) : NULL;
		if (jv_get_kind(old) == JV_KIND_STRING)
			sl_buf_add(&t, jv_string_value(old),
			    (size_t)jv_string_length_bytes(jv_copy(old)));
		else if (num && sl_jq_like_number(num, jv_number_value(old)) &&
		    !number_exact(num->u.num, jv_number_value(old),
		    &x->scratch))
			/* a number a double cannot hold: its own digits, so
			 * two ids that round alike keep apart */
			sl_buf_add(&t, num->u.num, num->len);
		else
			sl_jq_write(&t, old);
		jv_free(old);
		sl_hmac_sha256(x->secret, x->secret_len, t.data ? t.data : "",
		    t.len, mac);
		sl_hex(mac, SL_SHA256_LEN, hex);
		sl_buf_release(&t);
		v = jv_setpath(v, p, jv_string(hex));
		*changed = 1;
		if (ctx && !sl_names_has(&ctx->pii, x->cfg.pseudo[i])) {
			const char **nv = sl_arena_alloc(&x->arena,
			    (ctx->pii.n + 1) * sizeof(*nv));
			size_t j = 0, k = 0;

			/* keep the set sorted */
			for (; j < ctx->pii.n && strcmp(ctx->pii.v[j],
			    x->cfg.pseudo[i]) < 0; j++)
				nv[k++] = ctx->pii.v[j];
			nv[k++] = x->cfg.pseudo[i];
			for (; j < ctx->pii.n; j++)
				nv[k++] = ctx->pii.v[j];
			ctx->pii.v = nv;
			ctx->pii.n = k;
		}
	}
	return v;
}

/* ---- one record ---- */

/* A failed record: stop (65), skip or reject, by --on-error. */
static void
record_failed(struct xf *x, const struct sl_record *rec)
{
	stage_abort(x);
	if (x->cfg.on_error == ON_STOP)
		sl_die(SL_EX_DATAERR, "%s: record %llu %s: %s", x->source,
		    (unsigned long long)rec->number, record_id(rec), x->err.data);
	sl_warn("%s: record %llu %s: %s (%s)", x->source,
	    (unsigned long long)rec->number, record_id(rec), x->err.data,
	    x->cfg.on_error == ON_SKIP ? "skipped" : "rejected");
	if (x->cfg.on_error == ON_SKIP) {
		x->skipped++;
		return;
	}
	if (sl_writer_put(&x->rej, rec) < 0)
		sl_die(SL_EX_SOFTWARE, "internal error: %s", x->rej.err);
	x->run.records_rejected++;
}

/*
 * Output k of record rec as a derived record, its payload in x->payload and
 * its context dc: staged.  Returns 0, or -1 with x->err.
 */
static int
emit_derived(struct xf *x, const struct sl_record *rec, const char *ct,
    const struct sl_ctx *dc, int declass, int k, uint64_t *data,
    const char *pre_id, const char *pre_digest)
{
	char idx[48];

	snprintf(idx, sizeof(idx), "%d", k);
	derive_made(x, record_id(rec), record_id(rec), ct,
	    sl_headers_get(&rec->hdr, SL_F_WARC_TARGET_URI), dc, idx, pre_id,
	    pre_digest);
	sl_record_set_block(&x->out, x->payload.data ? x->payload.data : "",
	    x->payload.len);
	add_lineage(x, rec, declass);
	x->derived++;
	(*data)++;
	return stage(x, &x->out);
}

/*
 * One output o (consumed) of the program for record rec: passed on as the
 * record when it equals the input, else derived (and chunked).  Returns 0,
 * or -1 with x->err.
 */
static int
emit_output(struct xf *x, const struct sl_record *rec, enum kind kind,
    jv o, jv in, int pre_changed, jv meta_in, const struct sl_ctx *pre_ctx,
    int k, uint64_t *data)
{
	struct sl_ctx dc;
	jv data_out = o, newm = jv_invalid();
	int declass = 0, text_out = 0, rc = -1;
	const char *ct;
	char idx[48];
	struct piece *pieces = NULL;
	size_t npieces = 0, pcap = 0;
	const char *uri0 = sl_headers_get(&rec->hdr, SL_F_WARC_TARGET_URI);
	const char *chunk_src = NULL;
	size_t chunk_len = 0;
	jv chunk_path = jv_invalid();

	if (x->cfg.meta) {
		if (jv_get_kind(o) != JV_KIND_OBJECT ||
		    !jv_object_has(jv_copy(o), jv_string("data")) ||
		    jv_get_kind(newm = jv_object_get(jv_copy(o),
		    jv_string("meta"))) != JV_KIND_OBJECT ||
		    jv_object_length(jv_copy(o)) != 2) {
			sl_buf_addf(&x->err, "--meta: output %d is not "
			    "{\"meta\": {...}, \"data\": ...}", k + 1);
			jv_free(o);
			jv_free(newm);
			return -1;
		}
		data_out = jv_object_get(jv_copy(o), jv_string("data"));
		jv_free(o);
	}

	/* the same as the input: the record as it was */
	if (!pre_changed && (jv_is_valid(in) ?
	    jv_equal(jv_copy(data_out), jv_copy(in)) :
	    sl_jq_equal_json(data_out, &x->doc)) &&
	    (!x->cfg.meta || jv_equal(jv_copy(newm), jv_copy(meta_in)))) {
		int fits = 1;

		if (x->cfg.chunk && kind == K_TEXT)
			fits = (size_t)jv_string_length_codepoints(
			    jv_copy(data_out)) <= x->cfg.chunk;
		if (x->cfg.chunk && x->cfg.chunk_field && kind == K_JSON) {
			jv p = field_path(x->cfg.chunk_field);
			jv f = jv_getpath(jv_copy(data_out), p);

			if (jv_get_kind(f) == JV_KIND_STRING)
				fits = (size_t)jv_string_length_codepoints(
				    jv_copy(f)) <= x->cfg.chunk;
			jv_free(f);
		}
		if (fits) {
			jv_free(data_out);
			jv_free(newm);
			x->passed++;
			(*data)++;
			return stage(x, rec);
		}
	}

	/* the number rule */
	if (!x->cfg.lossy && kind == K_JSON) {
		const struct lossy *l;

		if (!x->lossy_done) {
			collect_lossy(&x->ls, &x->doc, &x->scratch);
			x->lossy_done = 1;
		}
		l = x->ls.n ? carries_lossy(&x->ls, data_out, &x->doc) : NULL;
		if (l) {
			lossy_message(&x->err, l);
			jv_free(data_out);
			jv_free(newm);
			return -1;
		}
	}

	/* the derived context */
	dc = *pre_ctx;
	if (x->cfg.meta && apply_meta(x, newm, meta_in, &dc, &declass,
	    &x->out) < 0) {
		jv_free(data_out);
		jv_free(newm);
		return -1;
	}
	jv_free(newm);
	if (declass)
		x->declassified++;

	/* the payload */
	sl_buf_reset(&x->payload);
	if (kind == K_TEXT && jv_get_kind(data_out) == JV_KIND_STRING) {
		const char *pct = sl_headers_get(&rec->hdr, SL_F_CONTENT_TYPE);

		sl_buf_add(&x->payload, jv_string_value(data_out),
		    (size_t)jv_string_length_bytes(jv_copy(data_out)));
		text_out = 1;
		ct = pct && strncasecmp(pct, "text/plain", 10) == 0 ? pct :
		    text_ct;
	} else {
		if (sl_jq_write_like(&x->payload, data_out,
		    kind == K_JSON ? &x->doc : NULL) < 0) {
			sl_buf_addf(&x->err, "output %d is nested deeper than "
			    "%d levels", k + 1, SL_JSON_MAX_DEPTH);
			jv_free(data_out);
			return -1;
		}
		ct = "application/json";
	}

	/* the pieces of --chunk */
	if (x->cfg.chunk) {
		if (text_out) {
			/* the pieces are built in x->payload: keep a copy */
			chunk_src = sl_arena_strndup(&x->arena, x->payload.data,
			    x->payload.len);
			chunk_len = x->payload.len;
		} else if (x->cfg.chunk_field &&
		    jv_get_kind(data_out) == JV_KIND_OBJECT) {
			jv f;

			chunk_path = field_path(x->cfg.chunk_field);
			f = jv_getpath(jv_copy(data_out), jv_copy(chunk_path));
			if (jv_get_kind(f) == JV_KIND_STRING) {
				struct sl_buf *s = &x->scratch;

				sl_buf_reset(s);
				sl_buf_add(s, jv_string_value(f),
				    (size_t)jv_string_length_bytes(jv_copy(f)));
				chunk_src = sl_arena_strndup(&x->arena, s->data ?
				    s->data : "", s->len);
				chunk_len = s->len;
			}
			jv_free(f);
		}
		if (chunk_src)
			npieces = chunk_text(chunk_src, chunk_len, x->cfg.chunk,
			    x->cfg.overlap, &pieces, &pcap);
	}

	if (!chunk_src || (npieces == 1 && pieces[0].c0 == 0 &&
	    pieces[0].b1 == chunk_len)) {
		rc = emit_derived(x, rec, ct, &dc, declass, k, data, NULL,
		    NULL);
	} else {
		struct sl_buf block = SL_BUF_INIT;

		rc = 0;
		for (size_t i = 0; i < npieces && rc == 0; i++) {
			sl_buf_reset(&block);
			if (text_out) {
				sl_buf_add(&block, chunk_src + pieces[i].b0,
				    pieces[i].b1 - pieces[i].b0);
			} else {
				jv piece = jv_setpath(jv_copy(data_out),
				    jv_copy(chunk_path), jv_string_sized(
				    chunk_src + pieces[i].b0,
				    (int)(pieces[i].b1 - pieces[i].b0)));

				sl_jq_write_like(&block, piece, kind == K_JSON ?
				    &x->doc : NULL);
				jv_free(piece);
			}
			sl_buf_reset(&x->uri);
			if (uri0) {
				sl_buf_adds(&x->uri, uri0);
				sl_buf_addc(&x->uri, strchr(uri0, '#') ? ';' : '#');
			}
			if (uri0)
				sl_buf_addf(&x->uri, "char=%zu,%zu", pieces[i].c0,
				    pieces[i].c1);
			snprintf(idx, sizeof(idx), "%d#%zu", k, i);
			sl_buf_reset(&x->payload);
			sl_buf_add(&x->payload, block.data ? block.data : "",
			    block.len);
			derive(x, record_id(rec), record_id(rec), ct,
			    uri0 ? x->uri.data : NULL, &dc, idx);
			sl_record_set_block(&x->out, x->payload.data ?
			    x->payload.data : "", x->payload.len);
			add_lineage(x, rec, declass);
			x->derived++;
			(*data)++;
			rc = stage(x, &x->out);
		}
		sl_buf_release(&block);
	}
	free(pieces);
	jv_free(chunk_path);
	jv_free(data_out);
	return rc;
}

/* Adds a parent to the --slurp gathering. */
static void slurp_add(struct xf *x, const struct sl_record *rec, jv v,
    const struct sl_ctx *ctx);

/*
 * --slurp and the number rule: the numbers of this record a double cannot
 * hold, kept (outside the record's arena) for the check of the outputs.
 */
static void
slurp_lossy(struct xf *x, const struct sl_record *rec)
{
	size_t first, i;
	struct sl_buf t = SL_BUF_INIT;

	first = x->ls.n = x->nslossy;
	collect_lossy(&x->ls, &x->doc, &x->scratch);
	for (i = first; i < x->ls.n; i++) {
		sl_buf_reset(&t);
		sl_buf_addf(&t, "record %llu %s: field \"%s\"",
		    (unsigned long long)rec->number, record_id(rec),
		    x->ls.v[i].path[0] ? x->ls.v[i].path : "/");
		x->ls.v[i].path = sl_strdup(t.data);
		x->ls.v[i].text = sl_strdup(x->ls.v[i].text);
	}
	x->nslossy = x->ls.n;
	sl_buf_release(&t);
}

/* A copy of v in a (strings and number texts included). */
static void
dom_copy(struct sl_arena *a, struct sl_json *to, const struct sl_json *v)
{
	size_t i;

	*to = *v;
	switch (v->type) {
	case SL_JSON_NUMBER:
		to->u.num = sl_arena_strndup(a, v->u.num, v->len);
		return;
	case SL_JSON_STRING:
		/* only numbers are read back: the text is not needed */
		to->u.str = "";
		to->len = 0;
		return;
	case SL_JSON_ARRAY:
		to->u.items = sl_arena_alloc(a, v->len * sizeof(*v->u.items) + 1);
		for (i = 0; i < v->len; i++)
			dom_copy(a, &to->u.items[i], &v->u.items[i]);
		return;
	case SL_JSON_OBJECT:
		to->u.members = sl_arena_alloc(a, v->len *
		    sizeof(*v->u.members) + 1);
		for (i = 0; i < v->len; i++) {
			to->u.members[i].key = sl_arena_strndup(a,
			    v->u.members[i].key, v->u.members[i].key_len);
			to->u.members[i].key_len = v->u.members[i].key_len;
			dom_copy(a, &to->u.members[i].value,
			    &v->u.members[i].value);
		}
		return;
	default:
		return;
	}
}

/*
 * --slurp: keeps the payload's DOM (NULL: a text payload) as element
 * x->nsdoc of the slurped array, so that outputs keep number texts.
 */
static void
slurp_keep(struct xf *x, const struct sl_json *doc)
{
	struct sl_json *e;

	if (x->nsdoc == x->sdoc_cap)
		x->sdoc = sl_grow(x->sdoc, &x->sdoc_cap, x->nsdoc + 1,
		    sizeof(*x->sdoc));
	e = &x->sdoc[x->nsdoc++];
	if (doc) {
		dom_copy(&x->sarena, e, doc);
	} else {
		memset(e, 0, sizeof(*e));
		e->type = SL_JSON_NULL;
	}
}

/*
 * The program on x->doc through jqnative (x->nq: no --meta, --slurp,
 * --redact or --pseudonymize, no $variables).  Returns 1 when it took the
 * record (outputs staged, or the record failed on an output), 0 when the
 * record needs libjq.
 */
static int
run_native(struct xf *x, const struct sl_record *rec,
    const struct sl_ctx *pre_ctx)
{
	const struct sl_jqn_out *o;
	uint64_t data = 0;
	int n = sl_jqn_run(x->nq, &x->doc, &o);

	if (n < 0)
		return 0;
	for (int k = 0; k < n; k++) {
		int rc;

		if (o[k].dom == &x->doc && !x->cfg.chunk) {
			/* `.` itself: the record as it was */
			x->passed++;
			data++;
			rc = stage(x, rec);
		} else {
			rc = emit_output(x, rec, K_JSON, sl_jqn_out_jv(&o[k]),
			    jv_invalid(), 0, jv_invalid(), pre_ctx, k, &data);
		}
		if (rc < 0) {
			record_failed(x, rec);
			return 1;
		}
	}
	if (n == 0)
		x->dropped++;
	stage_commit(x, data);
	return 1;
}

/* A data record begins: counted, per-record state reset. */
static void
record_begin(struct xf *x, const struct sl_record *rec)
{
	x->run.records_in++;
	x->run.bytes_in += rec->block_len;
	sl_run_tick(&x->run);
	sl_arena_reset(&x->arena);
	sl_buf_reset(&x->err);
	x->ls.n = x->nslossy;
	x->lossy_done = 0;
}

/*
 * The context rec's outputs start from, into *pre_ctx.  Returns 0, or -1
 * when rec's own context fields are bad (the record has failed).
 */
static int
record_context(struct xf *x, const struct sl_record *rec,
    struct sl_ctx *pre_ctx)
{
	struct sl_ctx pc;
	char why[256];

	if (sl_ctx_from_headers(&pc, &rec->hdr, &x->arena, why,
	    sizeof(why)) < 0) {
		sl_buf_addf(&x->err, "%s", why);
		record_failed(x, rec);
		return -1;
	}
	sl_ctx_derive(pre_ctx, &pc, 1, &x->arena);
	return 0;
}

/*
 * One record, on the main thread.  try_native: run jqnative first (not
 * when a worker already handed this record back).
 */
static void
process(struct xf *x, const struct sl_record *rec, int try_native)
{
	enum kind kind;
	struct sl_json doc;
	struct sl_json_error jerr;
	struct sl_ctx pre_ctx;
	jv in, pre, meta = jv_invalid(), input, o;
	int pre_changed = 0, r, k = 0;
	uint64_t data = 0;
	size_t bad;

	if (!sl_record_is_data(rec)) {
		/* with --slurp too: it keeps its place before the outputs */
		stage(x, rec);
		stage_commit(x, 0);
		return;
	}
	record_begin(x, rec);
	kind = payload_kind(rec);
	if (kind == K_OTHER) {
		x->other++;
		stage(x, rec);
		stage_commit(x, 1);
		return;
	}
	if (record_context(x, rec, &pre_ctx) < 0)
		return;
	if (kind == K_JSON) {
		if (sl_json_parse(&x->arena, (const char *)rec->block,
		    rec->block_len, &doc, &jerr) != SL_JSON_OK) {
			sl_buf_addf(&x->err, "the payload is not JSON: %s at "
			    "byte %zu", jerr.msg, jerr.offset);
			record_failed(x, rec);
			return;
		}
		x->doc = doc;
		in = jv_invalid();	/* made below, unless run natively */
	} else {
		if (!sl_utf8_valid((const char *)rec->block, rec->block_len,
		    &bad)) {
			sl_buf_addf(&x->err, "the text payload is not UTF-8 (byte "
			    "%zu)", bad);
			record_failed(x, rec);
			return;
		}
		in = jv_string_sized((const char *)rec->block,
		    (int)rec->block_len);
	}
	if (kind == K_JSON && x->nq && try_native &&
	    run_native(x, rec, &pre_ctx))
		return;
	if (kind == K_JSON)
		in = sl_jq_from_json(&x->doc);
	pre = kind == K_JSON && (x->cfg.nredact || x->cfg.npseudo) ?
	    pre_steps(x, jv_copy(in), &pre_changed, &pre_ctx) : jv_copy(in);

	if (x->cfg.slurp) {
		jv_free(in);
		if (kind == K_JSON && !x->cfg.lossy)
			slurp_lossy(x, rec);
		slurp_add(x, rec, pre, &pre_ctx);
		slurp_keep(x, kind == K_JSON ? &x->doc : NULL);
		return;
	}
	if (x->wrap || x->cfg.meta)
		meta = meta_of(rec);
	input = x->cfg.meta ? JV_OBJECT_4(jv_string("meta"), jv_copy(meta),
	    jv_string("data"), pre) : pre;
	if (x->wrap)
		input = JV_ARRAY_2(jv_copy(meta), input);
	sl_jq_start(x->q, input);
	for (;;) {
		sl_buf_reset(&x->err);
		sl_buf_adds(&x->err, "jq: error: ");
		if ((r = sl_jq_next(x->q, &o, &x->err)) != 1)
			break;
		sl_buf_reset(&x->err);
		if (emit_output(x, rec, kind, o, in, pre_changed, meta,
		    &pre_ctx, k, &data) < 0) {
			r = -1;
			break;
		}
		k++;
	}
	jv_free(in);
	jv_free(meta);
	if (r < 0) {
		/* a runtime error leaves libjq mid-program: restart clean */
		sl_jq_start(x->q, jv_null());
		record_failed(x, rec);
		return;
	}
	if (k == 0)
		x->dropped++;
	stage_commit(x, data);
}


/* ---- the native program on worker threads ---- */

/*
 * With a program jqnative runs (and no --chunk), records go to worker
 * threads in batches: a worker parses each JSON payload, runs the program,
 * and serialises the outputs, checking the number rule and equality with
 * the input as emit_output() does.  The main thread reads, then takes each
 * batch back in order and builds the records (context, ids, digests,
 * lineage) and writes them, so the stream is byte for byte what one thread
 * writes.  A record the workers cannot finish (not JSON, a record jqnative
 * hands back) goes through process() on the main thread, in its place.
 */
#define NBATCH	128

enum nstat { NS_MAIN, NS_FAILED, NS_DONE };

struct nres {
	enum nstat st;
	size_t first, n;	/* its outputs: job->outs[first..first+n) */
	size_t msg;		/* NS_FAILED: the message, in job->text */
};

struct nout {
	int pass;		/* the record as it was */
	size_t off, len;	/* else its payload, in job->text, */
	char id[SL_URN_STRLEN + 1];	/* its id */
	char digest[SL_DIGEST_STRLEN + 1];	/* and its digest */
};

struct njob {
	struct sl_record recs[NBATCH];
	enum kind kind[NBATCH];
	struct nres res[NBATCH];
	size_t start, n;	/* the job's records: recs[start..n) */
	struct nout *outs;
	size_t nouts, outs_cap;
	struct sl_buf text;
	struct njob *next_free;
};

struct nworker {
	struct sl_jqn *nq;	/* a worker's own: jv literals are not shared */
	struct sl_hasher *h;
	const char *prog_digest;
	struct sl_arena arena;
	struct lossyset ls;
	struct sl_buf tmp;
	int lossy;		/* --lossy-numbers */
};

struct npar {
	struct xf *x;
	struct sl_pool *pool;
	struct njob *fill;	/* being read into */
	struct njob *free_jobs;
	struct nworker *inline_w;  /* for batches cut short on the main thread */
	const char *program;
};

static void *
nworker_new(void *arg)
{
	struct npar *p = arg;
	struct nworker *w = sl_calloc(1, sizeof(*w));

	w->nq = sl_jqn_compile(p->program);
	w->h = sl_hasher_new();
	w->prog_digest = p->x->digest;
	w->ls.arena = &w->arena;
	w->lossy = p->x->cfg.lossy;
	return w;
}

static void
nworker_free(void *arg)
{
	struct nworker *w = arg;

	sl_jqn_free(w->nq);
	sl_hasher_free(w->h);
	sl_arena_release(&w->arena);
	free(w->ls.v);
	sl_buf_release(&w->ls.path);
	sl_buf_release(&w->tmp);
	sl_jq_release_cache();
	free(w);
}

static void
nfail(struct njob *j, struct nres *r, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
nfail(struct njob *j, struct nres *r, const char *fmt, ...)
{
	va_list ap;
	char msg[SL_MSG_MAX];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	r->st = NS_FAILED;
	r->n = j->nouts - r->first;
	r->msg = j->text.len;
	sl_buf_add(&j->text, msg, strlen(msg) + 1);
}

/* One JSON record on a worker: as process() and emit_output() would. */
static void
native_one(struct njob *j, struct nworker *w, const struct sl_record *rec,
    struct nres *r)
{
	struct sl_json doc;
	struct sl_json_error jerr;
	const struct sl_jqn_out *o;
	int n, lossy_done = 0;

	sl_arena_reset(&w->arena);
	w->ls.n = 0;
	if (sl_json_parse(&w->arena, (const char *)rec->block, rec->block_len,
	    &doc, &jerr) != SL_JSON_OK) {
		nfail(j, r, "the payload is not JSON: %s at byte %zu", jerr.msg,
		    jerr.offset);
		return;
	}
	if ((n = sl_jqn_run(w->nq, &doc, &o)) < 0)
		return;		/* NS_MAIN: libjq on the main thread */
	for (int k = 0; k < n; k++) {
		struct nout *no;
		const struct lossy *l;
		jv v;

		if (j->nouts == j->outs_cap)
			j->outs = sl_grow(j->outs, &j->outs_cap, j->nouts + 1,
			    sizeof(*j->outs));
		no = &j->outs[j->nouts];
		no->pass = 1;
		if (o[k].dom == &doc) {
			j->nouts++;
			continue;
		}
		v = sl_jqn_out_jv(&o[k]);
		if (sl_jq_equal_json(v, &doc)) {
			jv_free(v);
			j->nouts++;
			continue;
		}
		if (!w->lossy) {
			if (!lossy_done) {
				collect_lossy(&w->ls, &doc, &w->tmp);
				lossy_done = 1;
			}
			l = w->ls.n ? carries_lossy(&w->ls, v, &doc) : NULL;
			if (l) {
				struct sl_buf m = SL_BUF_INIT;

				lossy_message(&m, l);
				nfail(j, r, "%s", m.data);
				sl_buf_release(&m);
				jv_free(v);
				return;
			}
		}
		no->pass = 0;
		no->off = j->text.len;
		if (sl_jq_write_like(&j->text, v, &doc) < 0) {
			jv_free(v);
			nfail(j, r, "output %d is nested deeper than %d levels",
			    k + 1, SL_JSON_MAX_DEPTH);
			return;
		}
		no->len = j->text.len - no->off;
		{
			char idx[48];

			snprintf(idx, sizeof(idx), "%d", k);
			derived_id(w->h, record_id(rec), w->prog_digest, idx,
			    no->id);
			sl_digest_str(w->h, j->text.data + no->off, no->len,
			    no->digest);
		}
		j->nouts++;
		jv_free(v);
	}
	r->st = NS_DONE;
	r->n = j->nouts - r->first;
}

static void
native_range(struct njob *j, struct nworker *w, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++) {
		struct nres *r = &j->res[i];

		r->st = NS_MAIN;
		r->first = j->nouts;
		r->n = 0;
		if (j->kind[i] == K_JSON)
			native_one(j, w, &j->recs[i], r);
	}
}

/* pool work: the job's records */
static void
native_work(void *job, void *state)
{
	struct njob *j = job;

	j->nouts = 0;
	sl_buf_reset(&j->text);
	native_range(j, state, j->start, j->n);
}

/* Main thread: record i of j, as process() would have written it. */
static void
native_finish(struct xf *x, struct njob *j, size_t i)
{
	const struct sl_record *rec = &j->recs[i];
	const struct nres *r = &j->res[i];
	struct sl_ctx pre_ctx;
	uint64_t data = 0;

	if (r->st == NS_MAIN) {
		/* a JSON record here was handed back: straight to libjq */
		process(x, rec, j->kind[i] != K_JSON);
		return;
	}
	record_begin(x, rec);
	if (record_context(x, rec, &pre_ctx) < 0)
		return;
	for (size_t k = 0; k < r->n; k++) {
		const struct nout *no = &j->outs[r->first + k];
		int rc;

		if (no->pass) {
			x->passed++;
			data++;
			rc = stage(x, rec);
		} else {
			sl_buf_reset(&x->payload);
			sl_buf_add(&x->payload, j->text.data + no->off, no->len);
			rc = emit_derived(x, rec, "application/json", &pre_ctx,
			    0, (int)k, &data, no->id, no->digest);
		}
		if (rc < 0) {
			record_failed(x, rec);
			return;
		}
	}
	if (r->st == NS_FAILED) {
		sl_buf_reset(&x->err);
		sl_buf_adds(&x->err, j->text.data + r->msg);
		record_failed(x, rec);
		return;
	}
	if (r->n == 0)
		x->dropped++;
	stage_commit(x, data);
}

static void
njob_done(struct npar *p, struct njob *j)
{
	for (size_t i = j->start; i < j->n; i++)
		native_finish(p->x, j, i);
	j->start = j->n = 0;
	j->next_free = p->free_jobs;
	p->free_jobs = j;
}

/* Finishes the jobs that are back (all of them with wait), in order. */
static void
npar_collect(struct npar *p, int wait)
{
	struct njob *j;

	while ((j = sl_pool_collect(p->pool, wait)) != NULL)
		njob_done(p, j);
}

/*
 * Before a read would block: every record read so far is written, so a
 * live pipeline sees each record when it arrives (the batch being filled
 * is finished here, on the main thread).
 */
static void
npar_idle(void *arg)
{
	struct npar *p = arg;
	struct njob *j = p->fill;

	npar_collect(p, 1);
	if (j->n > j->start) {
		j->nouts = 0;
		sl_buf_reset(&j->text);
		native_range(j, p->inline_w, j->start, j->n);
		for (size_t i = j->start; i < j->n; i++)
			native_finish(p->x, j, i);
		j->start = j->n;
	}
	sl_writer_idle(&p->x->run.out);
}

static void
npar_submit(struct npar *p)
{
	struct njob *j = p->fill;

	if (j->n == j->start) {
		j->start = j->n = 0;	/* all written already (npar_idle) */
		return;
	}
	while (sl_pool_full(p->pool))
		npar_collect(p, 1);
	sl_pool_submit(p->pool, j);
	if (p->free_jobs) {
		p->fill = p->free_jobs;
		p->free_jobs = p->fill->next_free;
	} else {
		p->fill = sl_calloc(1, sizeof(*p->fill));
		for (size_t i = 0; i < NBATCH; i++)
			sl_record_init(&p->fill->recs[i]);
	}
}

/* Reads one input through the workers; returns the reader's status. */
static int
npar_input(struct npar *p, struct sl_reader *rd)
{
	int rc;

	for (;;) {
		struct njob *j = p->fill;
		struct sl_record *rec;

		if (j->n == NBATCH) {
			npar_submit(p);
			j = p->fill;
		}
		if (j->n == 0)
			j->start = 0;
		rec = &j->recs[j->n];
		if ((rc = sl_reader_next(rd, rec)) <= 0)
			break;
		/* the block may point into the input window: keep a copy */
		if (rec->block_len && rec->block !=
		    (const unsigned char *)rec->store.data) {
			sl_buf_reset(&rec->store);
			sl_buf_add(&rec->store, rec->block, rec->block_len);
			rec->block = (const unsigned char *)rec->store.data;
		}
		j->kind[j->n] = sl_record_is_data(rec) ? payload_kind(rec) :
		    K_OTHER;
		j->n++;
		/* a collect now and then keeps the writer busy */
		npar_collect(p, 0);
	}
	/* what was read before the end (or an error) is written first */
	npar_submit(p);
	npar_collect(p, 1);
	return rc;
}

static void
njob_free(struct njob *j)
{
	for (size_t i = 0; i < NBATCH; i++)
		sl_record_release(&j->recs[i]);
	free(j->outs);
	sl_buf_release(&j->text);
	free(j);
}

static void npar_stop(void *arg);

static struct npar *
npar_new(struct xf *x, const char *program, int nworkers)
{
	struct npar *p = sl_calloc(1, sizeof(*p));

	p->x = x;
	p->program = program;
	p->fill = sl_calloc(1, sizeof(*p->fill));
	for (size_t i = 0; i < NBATCH; i++)
		sl_record_init(&p->fill->recs[i]);
	p->inline_w = nworker_new(p);
	p->pool = sl_pool_new(nworkers, (size_t)(2 * nworkers + 2),
	    native_work, nworker_new, nworker_free, p);
	sl_diag_on_exit(npar_stop, p);
	return p;
}

/*
 * Stops the workers: an exit hook, so that a run that dies (a failed
 * record, an output error) leaves no worker mid-job or mid-start while
 * the process exits.  What they were doing is dropped.
 */
static void
npar_stop(void *arg)
{
	struct npar *p = arg;

	if (!p->pool)
		return;
	while (sl_pool_collect(p->pool, 1) != NULL)
		continue;
	sl_pool_free(p->pool);
	p->pool = NULL;
}

static void
npar_free(struct npar *p)
{
	struct njob *j;

	if (!p)
		return;
	sl_diag_forget(npar_stop, p);
	npar_stop(p);
	nworker_free(p->inline_w);
	njob_free(p->fill);
	while ((j = p->free_jobs) != NULL) {
		p->free_jobs = j->next_free;
		njob_free(j);
	}
	free(p);
}

/* ---- --slurp ---- */

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
slurp_add(struct xf *x, const struct sl_record *rec, jv v,
    const struct sl_ctx *ctx)
{
	const char *uri = sl_headers_get(&rec->hdr, SL_F_WARC_TARGET_URI);
	struct sl_ctx two[2], d;
	size_t i, n;

	x->slurp = jv_array_append(x->slurp, v);
	/* the context of all parents so far (the rules are associative) */
	if (x->sctx_n == 0) {
		sl_ctx_derive(&d, ctx, 1, &x->sarena);
	} else {
		two[0] = x->sctx;
		two[1] = *ctx;
		sl_ctx_derive(&d, two, 2, &x->sarena);
	}
	/* copy the strings out of the record's arena */
	for (i = 0; i < d.roles.n; i++)
		d.roles.v[i] = sl_arena_strndup(&x->sarena, d.roles.v[i],
		    strlen(d.roles.v[i]));
	for (i = 0; i < d.pii.n; i++)
		d.pii.v[i] = sl_arena_strndup(&x->sarena, d.pii.v[i],
		    strlen(d.pii.v[i]));
	if (d.key)
		d.key = sl_arena_strndup(&x->sarena, d.key, strlen(d.key));
	x->sctx = d;
	x->sctx_n++;
	if (x->nsids == x->sids_cap)
		x->sids = sl_grow(x->sids, &x->sids_cap, x->nsids + 1,
		    sizeof(*x->sids));
	x->sids[x->nsids++] = sl_strdup(record_id(rec));
	if (!x->sfirst)
		x->sfirst = sl_strdup(record_id(rec));
	for (i = 0; i < rec->hdr.n; i++) {
		const struct sl_hfield *f = &rec->hdr.f[i];

		if (f->id != SL_F_SLUICE_LINEAGE)
			continue;
		for (n = 0; n < x->nslines; n++)
			if (strcmp(x->slines[n], f->value) == 0)
				break;
		if (n < x->nslines)
			continue;
		if (x->nslines == x->slines_cap)
			x->slines = sl_grow(x->slines, &x->slines_cap,
			    x->nslines + 1, sizeof(*x->slines));
		x->slines[x->nslines++] = sl_strdup(f->value);
	}
	if (uri && !x->suri) {
		x->suri = sl_strdup(uri);
	} else if (uri && x->suri && !x->suri_mixed) {
		size_t a = strcspn(x->suri, "#"), b = strcspn(uri, "#");

		if (a != b || strncmp(x->suri, uri, a) != 0)
			x->suri_mixed = 1;
		else
			x->suri[a] = '\0';
	}
}

#define SLURP_MAX_PARENTS 16	/* more collapse to a digest and a count */

static void
slurp_finish(struct xf *x)
{
	struct sl_buf all = SL_BUF_INIT, line = SL_BUF_INIT;
	char digest[SL_DIGEST_STRLEN + 1];
	char idx[32];
	jv o;
	int r, k = 0;
	uint64_t data = 0;
	size_t i;
	struct sl_json all_in;

	if (x->nsids == 0) {
		jv_free(x->slurp);
		x->slurp = jv_null();
		return;
	}
	qsort(x->sids, x->nsids, sizeof(*x->sids), cmp_str);
	for (i = 0; i < x->nsids; i++) {
		sl_buf_adds(&all, x->sids[i]);
		sl_buf_addc(&all, '\n');
	}
	sl_digest_str(x->h, all.data, all.len, digest);
	memset(&all_in, 0, sizeof(all_in));
	all_in.type = SL_JSON_ARRAY;
	all_in.len = x->nsdoc;
	all_in.u.items = x->sdoc;
	sl_buf_reset(&x->err);
	sl_jq_start(x->q, x->wrap ? JV_ARRAY_2(jv_object(), x->slurp) :
	    x->slurp);
	x->slurp = jv_null();
	for (;;) {
		const char *ct = "application/json";

		sl_buf_reset(&x->err);
		sl_buf_adds(&x->err, "jq: error: ");
		if ((r = sl_jq_next(x->q, &o, &x->err)) != 1)
			break;
		sl_buf_reset(&x->err);

		sl_buf_reset(&x->payload);
		if (sl_jq_write_like(&x->payload, o, &all_in) < 0) {
			jv_free(o);
			sl_buf_addf(&x->err, "output %d is nested too deep", k + 1);
			r = -1;
			break;
		}
		if (x->nslossy) {
			const struct lossy *l;

			x->ls.n = x->nslossy;
			if ((l = carries_lossy(&x->ls, o, &all_in)) != NULL) {
				struct sl_buf rb = SL_BUF_INIT;

				sl_jq_write(&rb, jv_number(l->d));
				sl_buf_reset(&x->err);
				sl_buf_addf(&x->err, "output %d: %s: %s "
				    "would become %s (a double cannot hold it); "
				    "--lossy-numbers accepts the rounding", k + 1,
				    l->path, l->text, rb.data);
				sl_buf_release(&rb);
				jv_free(o);
				r = -1;
				break;
			}
		}
		jv_free(o);
		snprintf(idx, sizeof(idx), "%d", k);
		derive(x, x->sfirst, digest, ct, x->suri, &x->sctx, idx);
		/* every parent, or their digest and count */
		if (x->nsids <= SLURP_MAX_PARENTS) {
			for (i = 0; i < x->nsids; i++)
				sl_headers_adds(&x->out.hdr,
				    SL_F_SLUICE_DERIVED_FROM, x->sids[i]);
		} else {
			sl_buf_reset(&line);
			sl_buf_addf(&line, "%s count=%zu", digest, x->nsids);
			sl_headers_adds(&x->out.hdr, SL_F_SLUICE_DERIVED_FROM,
			    line.data);
		}
		sl_record_set_block(&x->out, x->payload.data ? x->payload.data :
		    "", x->payload.len);
		add_lineage(x, NULL, 0);
		x->derived++;
		data++;
		if (stage(x, &x->out) < 0) {
			r = -1;
			break;
		}
		k++;
	}
	if (r < 0) {
		stage_abort(x);
		sl_die(SL_EX_DATAERR, "--slurp over %zu records: %s", x->nsids,
		    x->err.data);
	}
	stage_commit(x, data);
	sl_buf_release(&all);
	sl_buf_release(&line);
}

/* ---- main ---- */

static char *
read_file(const char *path, size_t *len, int status, const char *what)
{
	struct sl_buf b = SL_BUF_INIT;
	char tmp[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		sl_die(status, "%s: cannot open %s: %s", path, what,
		    strerror(errno));
	while ((n = read(fd, tmp, sizeof(tmp))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			sl_die(status, "%s: cannot read %s: %s", path, what,
			    strerror(errno));
		}
		sl_buf_add(&b, tmp, (size_t)n);
	}
	close(fd);
	sl_buf_add(&b, "", 0);
	return sl_buf_detach(&b, len);
}

static void
reject_abort(void *arg)
{
	struct xf *x = arg;

	if (x->rej_open)
		sl_outfile_abort(&x->rej_file);
}

/* On sl_die: libjq's state (a program stopped midway holds values). */
static void
jq_cleanup(void *arg)
{
	struct xf *x = arg;

	sl_jq_free(x->q);
	x->q = NULL;
	sl_jqn_free(x->nq);
	x->nq = NULL;
	jv_free(x->slurp);
	x->slurp = jv_null();
}

/* The program digest: the program and everything that changes outputs. */
static void
program_digest(struct xf *x, const char *program)
{
	struct sl_buf d = SL_BUF_INIT;
	size_t i;

	sl_buf_adds(&d, "sluice-transform program\n");
	sl_buf_add(&d, program, strlen(program) + 1);
	if (x->cfg.args_text.len)
		sl_buf_add(&d, x->cfg.args_text.data, x->cfg.args_text.len);
	sl_buf_addf(&d, "meta=%d slurp=%d lossy=%d declassify=%d",
	    x->cfg.meta, x->cfg.slurp, x->cfg.lossy, x->cfg.declassify);
	if (x->cfg.chunk)
		sl_buf_addf(&d, " chunk=%zu,%zu field=%s", x->cfg.chunk,
		    x->cfg.overlap, x->cfg.chunk_field ? x->cfg.chunk_field : "");
	for (i = 0; i < x->cfg.nredact; i++)
		sl_buf_addf(&d, " redact=%s", x->cfg.redact[i]);
	for (i = 0; i < x->cfg.npseudo; i++)
		sl_buf_addf(&d, " pseudonymize=%s", x->cfg.pseudo[i]);
	sl_digest_str(x->h, d.data, d.len, x->digest);
	sl_buf_release(&d);
}

int
main(int argc, char **argv)
{
	static struct xf xs;
	struct xf *x = &xs;
	struct npar *par = NULL;
	int nworkers;
	struct sl_common common;
	struct sl_buf err = SL_BUF_INIT, wrapped = SL_BUF_INIT;
	char *program, *file_text = NULL;
	int argi, status;
	char errbuf[512];

	sl_diag_init(argv[0]);
	x->cfg.argv = argv;
	x->cfg.args = jv_object();
	x->ls.arena = &x->arena;
	argi = sl_opts_parse(&tool, &common, argc, argv, handle, &x->cfg);
	if (x->cfg.file) {
		file_text = read_file(x->cfg.file, NULL, SL_EX_NOINPUT,
		    "the program");
		program = file_text;
	} else if (argi < argc) {
		program = argv[argi++];
	} else if (x->cfg.chunk || x->cfg.nredact || x->cfg.npseudo ||
	    x->cfg.dedup) {
		sl_usage_error("a PROGRAM is needed (\".\" for the built-in "
		    "steps alone)");
	} else {
		sl_usage_error("no PROGRAM given");
	}
	if (x->cfg.declassify && !x->cfg.meta)
		sl_usage_error("--allow-declassify goes with --meta");
	if (x->cfg.chunk_field && !x->cfg.chunk)
		sl_usage_error("--chunk-field goes with --chunk");
	if (x->cfg.npseudo && !x->cfg.secret_file)
		sl_usage_error("--pseudonymize needs --secret-file");
	if (x->cfg.secret_file && !x->cfg.npseudo)
		sl_usage_error("--secret-file goes with --pseudonymize");
	if ((x->cfg.on_error == ON_REJECT) != (x->cfg.reject != NULL))
		sl_usage_error("--on-error reject and --reject FILE go together");
	if (x->cfg.slurp && (x->cfg.meta || x->cfg.chunk))
		sl_usage_error("--slurp does not go with --meta or --chunk");
	for (int i = argi; i < argc; i++) {
		if (strcmp(argv[i], "-") != 0 && access(argv[i], R_OK) < 0)
			sl_die(SL_EX_NOINPUT, "%s: cannot open: %s", argv[i],
			    strerror(errno));
	}
	if (x->cfg.secret_file) {
		x->secret = (unsigned char *)read_file(x->cfg.secret_file,
		    &x->secret_len, SL_EX_NOINPUT, "the secret");
		if (x->secret_len && x->secret[x->secret_len - 1] == '\n')
			x->secret_len--;
		if (x->secret_len < 16)
			sl_die(SL_EX_USAGE, "%s: the secret is shorter than 16 "
			    "bytes", x->cfg.secret_file);
	}

	/* compile: first as given, for libjq's own messages */
	/* $ARGS as jq(1) makes it, before $meta joins the arguments */
	x->cfg.args = jv_object_set(x->cfg.args, jv_string("ARGS"),
	    JV_OBJECT_4(jv_string("positional"), jv_array(), jv_string("named"),
	    jv_copy(x->cfg.args)));
	x->q = sl_jq_compile(program, jv_object_set(jv_copy(x->cfg.args),
	    jv_string("meta"), jv_null()), &err);
	if (!x->q)
		sl_die(SL_EX_USAGE, "the program does not compile:\n%s",
		    err.data ? err.data : "");
	if (strstr(program, "$meta")) {
		sl_jq_free(x->q);
		sl_buf_adds(&wrapped, ".[0] as $meta | .[1] | (");
		sl_buf_adds(&wrapped, program);
		sl_buf_adds(&wrapped, "\n)");
		x->q = sl_jq_compile(wrapped.data, jv_copy(x->cfg.args), &err);
		if (!x->q)
			sl_die(SL_EX_USAGE, "the program does not compile:\n%s",
			    err.data ? err.data : "");
		x->wrap = 1;
	}
	/* the subset jqnative runs, where the record goes in as it is */
	if (!x->wrap && !x->cfg.meta && !x->cfg.slurp && !x->cfg.nredact &&
	    !x->cfg.npseudo && !(getenv("SLUICE_JQ_NATIVE") &&
	    strcmp(getenv("SLUICE_JQ_NATIVE"), "0") == 0))
		x->nq = sl_jqn_compile(program);
	x->h = sl_hasher_new();
	program_digest(x, program);
	x->slurp = jv_array();
	sl_diag_on_exit(jq_cleanup, x);

	sl_run_start(&x->run, &tool, &common, argc, argv, 0);
	sl_buf_addf(&x->lineage, "%s args=%s", sl_run_lineage(&x->run, 0),
	    x->digest);
	sl_buf_addf(&x->lineage_declass, "%s allow-declassify", x->lineage.data);
	sl_record_init(&x->out);
	/* programs jqnative runs go to worker threads, unless --chunk */
	nworkers = x->cfg.jobs ? x->cfg.jobs : sl_ncpu() < 8 ? sl_ncpu() : 8;
	if (x->nq && !x->cfg.chunk && nworkers > 1)
		par = npar_new(x, program, nworkers);
	if (x->cfg.reject) {
		if (sl_outfile_open(&x->rej_file, x->cfg.reject, errbuf,
		    sizeof(errbuf)) < 0)
			sl_die(SL_EX_CANTCREAT, "%s", errbuf);
		x->rej_open = 1;
		sl_diag_on_exit(reject_abort, x);
		sl_writer_init(&x->rej, x->rej_file.fd, x->cfg.reject, common.gzip);
		/* a reject file is a stream: it begins with the warcinfo */
		sl_run_put_warcinfo(&x->run, &x->rej);
	}

	for (int i = argi; i < argc || i == argi; i++) {
		const char *path = i < argc ? argv[i] : "-";
		struct sl_input in;
		struct sl_reader rd;
		struct sl_record rec;
		int rc;

		sl_run_open_input(&x->run, &in, path, 0);
		sl_reader_init(&rd, &in);
		sl_record_init(&rec);
		x->source = strcmp(path, "-") == 0 ? "stdin" : path;
		if (par) {
			sl_input_set_idle(&in, npar_idle, par);
			rc = npar_input(par, &rd);
		} else {
			while ((rc = sl_reader_next(&rd, &rec)) > 0)
				process(x, &rec, 1);
		}
		if (rc < 0)
			sl_die(rd.status, "%s", rd.err);
		sl_record_release(&rec);
		sl_input_close(&in);
		if (i >= argc)
			break;
	}
	npar_free(par);
	if (x->cfg.slurp)
		slurp_finish(x);

	if (x->dropped)
		sl_note("%llu record%s had no output and %s dropped",
		    (unsigned long long)x->dropped, x->dropped == 1 ? "" : "s",
		    x->dropped == 1 ? "was" : "were");
	if (x->other)
		sl_note("%llu record%s with a payload that is neither JSON nor "
		    "text passed through untouched", (unsigned long long)x->other,
		    x->other == 1 ? "" : "s");
	if (x->skipped)
		sl_warn("%llu record%s skipped after an error (--on-error skip)",
		    (unsigned long long)x->skipped, x->skipped == 1 ? "" : "s");
	if (x->run.records_rejected)
		sl_warn("%llu record%s written to %s after an error",
		    (unsigned long long)x->run.records_rejected,
		    x->run.records_rejected == 1 ? "" : "s", x->cfg.reject);
	if (x->deduped)
		sl_note("%llu duplicate payload%s dropped (--dedup)",
		    (unsigned long long)x->deduped, x->deduped == 1 ? "" : "s");
	sl_metrics_set(&x->run.metrics, "sluice_transform_derived_total",
	    "counter", "Derived (conversion) records written.",
	    (double)x->derived);
	sl_metrics_set(&x->run.metrics, "sluice_transform_passed_total",
	    "counter", "Records passed on unchanged (output equal to input).",
	    (double)x->passed);
	sl_metrics_set(&x->run.metrics, "sluice_transform_dropped_total",
	    "counter", "Records with no output, dropped.", (double)x->dropped);
	sl_metrics_set(&x->run.metrics, "sluice_transform_other_total",
	    "counter", "Records neither JSON nor text, passed through.",
	    (double)x->other);
	sl_metrics_set(&x->run.metrics, "sluice_transform_skipped_total",
	    "counter", "Records skipped after a runtime error.",
	    (double)x->skipped);
	sl_metrics_set(&x->run.metrics, "sluice_transform_deduped_total",
	    "counter", "Duplicate payloads dropped by --dedup.",
	    (double)x->deduped);
	sl_metrics_set(&x->run.metrics, "sluice_transform_declassified_total",
	    "counter", "Records whose context was loosened under "
	    "--allow-declassify.", (double)x->declassified);
	if (x->rej_open) {
		sl_writer_close(&x->rej);
		if (sl_outfile_commit(&x->rej_file, errbuf, sizeof(errbuf)) < 0)
			sl_die(SL_EX_IOERR, "%s", errbuf);
		x->rej_open = 0;
		sl_diag_forget(reject_abort, x);
	}
	status = sl_run_finish(&x->run, SL_EX_OK);

	sl_diag_forget(jq_cleanup, x);
	sl_jq_free(x->q);
	sl_jqn_free(x->nq);
	jv_free(x->slurp);
	jv_free(x->cfg.args);
	sl_hasher_free(x->h);
	sl_record_release(&x->out);
	sl_arena_release(&x->arena);
	sl_arena_release(&x->sarena);
	free(x->sdoc);
	for (size_t i = 0; i < x->nsids; i++)
		free(x->sids[i]);
	free(x->sids);
	for (size_t i = 0; i < x->nslines; i++)
		free(x->slines[i]);
	free(x->slines);
	free(x->suri);
	free(x->sfirst);
	for (size_t i = 0; i < x->cfg.nredact; i++)
		free(x->cfg.redact[i]);
	free(x->cfg.redact);
	for (size_t i = 0; i < x->cfg.npseudo; i++)
		free(x->cfg.pseudo[i]);
	free(x->cfg.pseudo);
	free(x->secret);
	for (size_t i = 0; i < x->nslossy; i++) {
		free((char *)x->ls.v[i].path);
		free((char *)x->ls.v[i].text);
	}
	free(x->ls.v);
	free(x->pending);
	free(file_text);
	digset_release(&x->seen);
	sl_buf_release(&x->cfg.args_text);
	sl_buf_release(&x->lineage);
	sl_buf_release(&x->lineage_declass);
	sl_buf_release(&x->payload);
	sl_buf_release(&x->uri);
	sl_buf_release(&x->err);
	sl_buf_release(&x->stage);
	sl_buf_release(&x->scratch);
	sl_buf_release(&x->ls.path);
	sl_buf_release(&err);
	sl_buf_release(&wrapped);
	return status;
}
