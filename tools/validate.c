/*
 * sluice-validate - data contracts at every handoff, failing loudly.
 *
 * A contract (a JSON file, see sluice-contract(5)) says what the records of
 * a stream must be: a JSON Schema 2020-12 for each JSON payload (schema.h),
 * payload media types, sizes and digests, context fields and levels,
 * uniqueness of keys, and stream-level rules (row counts, freshness, null
 * and invalid rates) checked at the end.  See sluice-validate(1).
 *
 * Data flow:
 *
 *   contract -> contract_load(): every key checked, schema compiled (78)
 *   stream   -> one record at a time:
 *       not data            -> passed on untouched, not counted
 *       data -> check_record(): violations reported as they are found
 *               (stderr or --errors), the record's outcome is its worst
 *               severity: pass / warn go out with a Sluice-Contract line,
 *               fail goes to --reject, out marked (--annotate), or stops
 *               the run (exit 1)
 *   end      -> stream rules, summary, --report, --report-record, metrics
 *
 * --gate writes the output to an unlinked temporary file and copies it to
 * the real output only when the whole contract passed.  The per-record path
 * allocates nothing once warm: the payload is parsed into an arena that is
 * reset for every record.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arena.h"
#include "buf.h"
#include "context.h"
#include "diag.h"
#include "header.h"
#include "ids.h"
#include "input.h"
#include "json.h"
#include "opts.h"
#include "pool.h"
#include "outfile.h"
#include "run.h"
#include "schema.h"
#include "stream.h"
#include "timefmt.h"
#include "xalloc.h"

enum {
	OPT_CONTRACT = 1,
	OPT_REJECT,
	OPT_ERRORS,
	OPT_MAX_ERRORS,
	OPT_ANNOTATE,
	OPT_GATE,
	OPT_WARN_ERROR,
	OPT_REPORT,
	OPT_REPORT_RECORD,
	OPT_NOW,
	OPT_LINT,
	OPT_FROM_SAMPLE,
};

static const struct sl_option options[] = {
	{ 'c', "contract", "FILE", "the contract (sluice-contract(5)); without "
	    "-c, the first operand", OPT_CONTRACT, 0 },
	{ 0, "reject", "FILE", "write failing records to FILE (a sluice "
	    "stream) and go on", OPT_REJECT, 0 },
	{ 0, "errors", "FILE", "write each violation to FILE as a JSON line",
	    OPT_ERRORS, 0 },
	{ 0, "max-errors", "N", "report at most N violations of records "
	    "(default 100, 0: all)", OPT_MAX_ERRORS, 0 },
	{ 0, "annotate", NULL, "pass failing records on too, marked fail",
	    OPT_ANNOTATE, 0 },
	{ 0, "gate", NULL, "release the stream only if the whole contract "
	    "passed", OPT_GATE, 0 },
	{ 0, "warn-error", NULL, "treat warnings as errors", OPT_WARN_ERROR, 0 },
	{ 0, "report", "FILE", "write the run's report to FILE as JSON",
	    OPT_REPORT, 0 },
	{ 0, "report-record", NULL, "append the report to the stream as a "
	    "metadata record", OPT_REPORT_RECORD, 0 },
	{ 0, "now", "TIME", "the time freshness is measured at (RFC 3339)",
	    OPT_NOW, 0 },
	{ 0, "lint", NULL, "check the contract only, read no data", OPT_LINT, 0 },
	{ 0, "from-sample", NULL, "draft a contract from the records of the "
	    "inputs", OPT_FROM_SAMPLE, 0 },
	{ 0, NULL, NULL, NULL, 0, 0 },
};

static const struct sl_tool tool = {
	"sluice-validate", "validate", "[options] [-c] CONTRACT [FILE ...]",
	"check a sluice stream against a data contract", options,
};

struct config {
	const char *contract;     /* -c FILE, or NULL: the first operand */
	const char *reject;
	const char *errors;
	uint64_t max_errors;
	int annotate;
	int gate;
	int warn_error;
	const char *report;
	int report_record;
	const char *now;
	int lint;
	int from_sample;
};

static int
handle(int id, const char *arg, void *ctx)
{
	struct config *c = ctx;

	switch (id) {
	case OPT_CONTRACT:
		if (c->contract)
			sl_usage_error("-c: one contract per run (\"%s\" and "
			    "\"%s\")", c->contract, arg);
		c->contract = arg;
		return 0;
	case OPT_REJECT:
		c->reject = arg;
		return 0;
	case OPT_ERRORS:
		c->errors = arg;
		return 0;
	case OPT_MAX_ERRORS:
		c->max_errors = sl_opt_ull("max-errors", arg);
		return 0;
	case OPT_ANNOTATE:
		c->annotate = 1;
		return 0;
	case OPT_GATE:
		c->gate = 1;
		return 0;
	case OPT_WARN_ERROR:
		c->warn_error = 1;
		return 0;
	case OPT_REPORT:
		c->report = arg;
		return 0;
	case OPT_REPORT_RECORD:
		c->report_record = 1;
		return 0;
	case OPT_NOW:
		c->now = arg;
		return 0;
	case OPT_LINT:
		c->lint = 1;
		return 0;
	case OPT_FROM_SAMPLE:
		c->from_sample = 1;
		return 0;
	}
	return -1;
}

/* ---- the contract ---- */

enum sev { SEV_NONE = 0, SEV_WARN = 1, SEV_ERROR = 2 };

/* A threshold pair ("warn", "error"); has_* say which were given. */
struct rate {
	int has_warn, has_error;
	double warn, error;
};

struct null_rule {
	const char *ptr;          /* JSON Pointer into the payload */
	size_t ptr_len;
	char *loc;                /* "/stream/nullRate/~1email" */
	struct rate rate;
	uint64_t nulls;           /* records where it is missing or null */
};

/* A uniqueness key: one or more JSON Pointers, hashed together. */
struct unique_rule {
	const struct sl_json **ptrs;  /* the pointer strings (JSON strings) */
	size_t n;
	char *loc;                /* "/unique/0" */
	unsigned char *slots;     /* cap * 32 bytes; an all-zero slot is free */
	size_t cap, used;
	uint64_t dups;
};

struct sev_rule {
	const char *prefix;       /* a JSON Pointer */
	size_t len;
	enum sev sev;
};

struct contract {
	const char *path;
	struct sl_arena arena;    /* the document */
	struct sl_json doc;
	const char *name, *version;
	char *tag;                /* "name@version" */
	size_t tag_len;
	char *tag_pass, *tag_warn, *tag_fail;
	struct sl_schema *schema; /* NULL: no per-record schema */
	int format_assert;
	/* payload */
	const struct sl_json *media;  /* array of strings, or NULL */
	int has_max_bytes;
	uint64_t max_bytes;
	int verify_digest;
	/* context */
	const struct sl_json *ctx_required;  /* array of field names, or NULL */
	int max_class, min_cert, min_auth;   /* -1: no rule */
	/* unique */
	struct unique_rule *unique;
	size_t nunique;
	/* stream */
	int has_rows_min, has_rows_max;
	uint64_t rows_min, rows_max;
	const char *fresh_field;  /* a JSON Pointer, or a header field name */
	int fresh_header;
	int has_fresh_warn, has_fresh_error;
	struct sl_duration fresh_warn, fresh_error;
	const char *fresh_warn_text, *fresh_error_text;
	struct null_rule *nulls;
	size_t nnulls;
	int has_invalid;
	struct rate invalid;
	/* severity */
	enum sev default_sev;
	struct sev_rule *sevs;
	size_t nsevs;
	int needs_json;           /* some check looks inside the payload */
};

/* A place in the contract file, for messages: the JSON Pointer being read. */
struct cplace {
	const char *path;
	struct sl_buf ptr;
};

static void add_printable(struct sl_buf *b, const char *s, size_t max);
static noreturn void cdie(struct cplace *cp, const char *fmt, ...) SL_PRINTF(2, 3);

/*
 * Refuses the contract: "FILE: /pointer: what" and exit 78.  The contract's
 * own strings are quoted in messages: control bytes are shown as \xNN, so
 * that a hostile contract cannot drive the terminal.
 */
static noreturn void
cdie(struct cplace *cp, const char *fmt, ...)
{
	char msg[1024];
	struct sl_buf b = SL_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	sl_buf_adds(&b, cp->path);
	sl_buf_adds(&b, ": ");
	if (cp->ptr.len > 0) {
		add_printable(&b, cp->ptr.data, 400);
		sl_buf_adds(&b, ": ");
	}
	add_printable(&b, msg, sizeof(msg));
	sl_die(SL_EX_CONFIG, "%s", b.data);
}

/* Appends one escaped reference token to a JSON Pointer. */
static void
ptr_push(struct sl_buf *b, const char *tok, size_t len)
{
	sl_buf_addc(b, '/');
	for (size_t i = 0; i < len; i++) {
		if (tok[i] == '~')
			sl_buf_add(b, "~0", 2);
		else if (tok[i] == '/')
			sl_buf_add(b, "~1", 2);
		else
			sl_buf_addc(b, tok[i]);
	}
}

static void
ptr_pop(struct sl_buf *b, size_t len)
{
	b->len = len;
	if (b->data)
		b->data[len] = '\0';
}

/* Enters member key of the current object; returns the length to pop to. */
static size_t
cp_enter(struct cplace *cp, const char *key)
{
	size_t at = cp->ptr.len;

	ptr_push(&cp->ptr, key, strlen(key));
	return at;
}

static size_t
cp_enter_index(struct cplace *cp, size_t i)
{
	size_t at = cp->ptr.len;

	sl_buf_addf(&cp->ptr, "/%zu", i);
	return at;
}

static void
want_type(struct cplace *cp, const struct sl_json *v, enum sl_json_type t,
    const char *what)
{
	if (v->type == t)
		return;
	cdie(cp, "must be %s, not %s", what, sl_json_type_name(v->type));
}

static int
want_bool(struct cplace *cp, const struct sl_json *v)
{
	if (v->type != SL_JSON_TRUE && v->type != SL_JSON_FALSE)
		cdie(cp, "must be true or false, not %s",
		    sl_json_type_name(v->type));
	return v->type == SL_JSON_TRUE;
}

static uint64_t
want_count(struct cplace *cp, const struct sl_json *v)
{
	uint64_t n = 0;

	if (v->type != SL_JSON_NUMBER)
		cdie(cp, "must be a non-negative integer, not %s",
		    sl_json_type_name(v->type));
	for (size_t i = 0; i < v->len; i++) {
		unsigned d = (unsigned)(v->u.num[i] - '0');

		if (d > 9)
			cdie(cp, "must be a non-negative integer, not %s",
			    v->u.num);
		if (n > (UINT64_MAX - d) / 10)
			cdie(cp, "%s is too large", v->u.num);
		n = n * 10 + d;
	}
	return n;
}

static double
want_fraction(struct cplace *cp, const struct sl_json *v)
{
	double d;

	if (v->type != SL_JSON_NUMBER)
		cdie(cp, "must be a number from 0 to 1, not %s",
		    sl_json_type_name(v->type));
	d = strtod(v->u.num, NULL);
	if (!(d >= 0 && d <= 1))
		cdie(cp, "must be a number from 0 to 1, not %s", v->u.num);
	return d;
}

/* Is s an RFC 6901 JSON Pointer ("" or "/..." with ~ only as ~0, ~1)? */
static int
pointer_valid(const char *s, size_t len)
{
	if (len > 0 && s[0] != '/')
		return 0;
	for (size_t i = 0; i < len; i++)
		if (s[i] == '~' && (i + 1 == len || (s[i + 1] != '0' &&
		    s[i + 1] != '1')))
			return 0;
	return 1;
}

static const char *
want_pointer(struct cplace *cp, const struct sl_json *v)
{
	if (v->type != SL_JSON_STRING)
		cdie(cp, "must be a JSON Pointer string, not %s",
		    sl_json_type_name(v->type));
	if (!pointer_valid(v->u.str, v->len) || strlen(v->u.str) != v->len)
		cdie(cp, "\"%s\" is not a JSON Pointer (\"/field\", \"/a/0\")",
		    v->u.str);
	return v->u.str;
}

/* A name or version: 1 to 128 of [A-Za-z0-9_.:/+-], safe in a header. */
static int
tag_part_valid(const char *s, size_t len)
{
	if (len == 0 || len > 128)
		return 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("_.:/+-", c) != NULL) ||
		    c == '\0')
			return 0;
	}
	return 1;
}

/* A header field name: an RFC 9110 token. */
static int
field_name_valid(const char *s, size_t len)
{
	if (len == 0 || len > 256)
		return 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= 0x20 || c >= 0x7f || strchr("\"(),/:;<=>?@[\\]{}", c))
			return 0;
	}
	return 1;
}

/*
 * Checks that obj has only the keys named in allowed (a NULL-terminated
 * list), naming the first stranger and what would have been accepted.
 */
static void
only_keys(struct cplace *cp, const struct sl_json *obj,
    const char *const *allowed)
{
	for (size_t i = 0; i < obj->len; i++) {
		const char *k = obj->u.members[i].key;
		const char *const *a;
		struct sl_buf list = SL_BUF_INIT;

		for (a = allowed; *a; a++)
			if (strcmp(*a, k) == 0 &&
			    strlen(k) == obj->u.members[i].key_len)
				break;
		if (*a)
			continue;
		for (a = allowed; *a; a++)
			sl_buf_addf(&list, "%s%s", a == allowed ? "" : ", ", *a);
		cp_enter(cp, k);
		cdie(cp, "unknown key (known here: %s)", list.data);
	}
}

static int
cmp_member(const void *a, const void *b)
{
	const struct sl_json_member *x = *(const struct sl_json_member *const *)a;
	const struct sl_json_member *y = *(const struct sl_json_member *const *)b;
	int r;

	r = memcmp(x->key, y->key, x->key_len < y->key_len ? x->key_len :
	    y->key_len);
	if (r != 0)
		return r;
	return x->key_len < y->key_len ? -1 : x->key_len > y->key_len;
}

/* Duplicate keys would let a contract say two things; refuse them. */
static void
no_duplicates(struct cplace *cp, const struct sl_json *v)
{
	if (v->type == SL_JSON_ARRAY) {
		for (size_t i = 0; i < v->len; i++) {
			size_t at = cp_enter_index(cp, i);

			no_duplicates(cp, &v->u.items[i]);
			ptr_pop(&cp->ptr, at);
		}
		return;
	}
	if (v->type != SL_JSON_OBJECT)
		return;
	if (v->len > 1) {
		/* sorted, so that a huge object costs n log n */
		const struct sl_json_member **byname;

		byname = sl_reallocarray(NULL, v->len, sizeof(*byname));
		for (size_t i = 0; i < v->len; i++)
			byname[i] = &v->u.members[i];
		qsort(byname, v->len, sizeof(*byname), cmp_member);
		for (size_t i = 1; i < v->len; i++)
			if (cmp_member(&byname[i - 1], &byname[i]) == 0) {
				ptr_push(&cp->ptr, byname[i]->key,
				    byname[i]->key_len);
				free(byname);
				cdie(cp, "key given twice");
			}
		free(byname);
	}
	for (size_t i = 0; i < v->len; i++) {
		const struct sl_json_member *m = &v->u.members[i];
		size_t at;

		at = cp->ptr.len;
		ptr_push(&cp->ptr, m->key, m->key_len);
		no_duplicates(cp, &m->value);
		ptr_pop(&cp->ptr, at);
	}
}

static enum sev
want_sev(struct cplace *cp, const struct sl_json *v)
{
	if (v->type == SL_JSON_STRING && strcmp(v->u.str, "error") == 0)
		return SEV_ERROR;
	if (v->type == SL_JSON_STRING && strcmp(v->u.str, "warn") == 0)
		return SEV_WARN;
	if (v->type == SL_JSON_STRING)
		cdie(cp, "\"%s\" is not a severity (error, warn)", v->u.str);
	cdie(cp, "must be \"error\" or \"warn\", not %s",
	    sl_json_type_name(v->type));
}

static void
load_rate(struct cplace *cp, const struct sl_json *v, struct rate *r)
{
	static const char *const keys[] = { "warn", "error", NULL };
	const struct sl_json *w, *e;
	size_t at;

	want_type(cp, v, SL_JSON_OBJECT, "an object with \"warn\" and/or "
	    "\"error\"");
	only_keys(cp, v, keys);
	memset(r, 0, sizeof(*r));
	if ((w = sl_json_get(v, "warn", 4)) != NULL) {
		at = cp_enter(cp, "warn");
		r->warn = want_fraction(cp, w);
		r->has_warn = 1;
		ptr_pop(&cp->ptr, at);
	}
	if ((e = sl_json_get(v, "error", 5)) != NULL) {
		at = cp_enter(cp, "error");
		r->error = want_fraction(cp, e);
		r->has_error = 1;
		ptr_pop(&cp->ptr, at);
	}
	if (!r->has_warn && !r->has_error)
		cdie(cp, "needs \"warn\", \"error\" or both");
	if (r->has_warn && r->has_error && r->warn > r->error)
		cdie(cp, "\"warn\" %g is above \"error\" %g", r->warn, r->error);
}

static void
load_payload(struct contract *c, struct cplace *cp, const struct sl_json *v)
{
	static const char *const keys[] = { "mediaTypes", "maxBytes",
		"verifyDigest", NULL };
	const struct sl_json *m;
	size_t at;

	want_type(cp, v, SL_JSON_OBJECT, "an object");
	only_keys(cp, v, keys);
	if ((m = sl_json_get(v, "mediaTypes", 10)) != NULL) {
		at = cp_enter(cp, "mediaTypes");
		want_type(cp, m, SL_JSON_ARRAY, "an array of media types");
		if (m->len == 0)
			cdie(cp, "must name at least one media type");
		for (size_t i = 0; i < m->len; i++) {
			const struct sl_json *t = &m->u.items[i];
			size_t at2 = cp_enter_index(cp, i);
			const char *slash;

			want_type(cp, t, SL_JSON_STRING, "a media type string");
			slash = strchr(t->u.str, '/');
			if (slash == NULL || slash == t->u.str || slash[1] == '\0' ||
			    strchr(t->u.str, ';') || !field_name_valid(t->u.str,
			    (size_t)(slash - t->u.str)) || (strcmp(slash + 1, "*") != 0 &&
			    !field_name_valid(slash + 1, strlen(slash + 1))) ||
			    strlen(t->u.str) != t->len)
				cdie(cp, "\"%s\" is not a media type (type/subtype or "
				    "type/*, no parameters)", t->u.str);
			ptr_pop(&cp->ptr, at2);
		}
		c->media = m;
		ptr_pop(&cp->ptr, at);
	}
	if ((m = sl_json_get(v, "maxBytes", 8)) != NULL) {
		at = cp_enter(cp, "maxBytes");
		c->max_bytes = want_count(cp, m);
		c->has_max_bytes = 1;
		ptr_pop(&cp->ptr, at);
	}
	if ((m = sl_json_get(v, "verifyDigest", 12)) != NULL) {
		at = cp_enter(cp, "verifyDigest");
		c->verify_digest = want_bool(cp, m);
		ptr_pop(&cp->ptr, at);
	}
}

/* A level name through parse, or 78 listing the names. */
static int
want_level(struct cplace *cp, const struct sl_json *v,
    int (*parse)(const char *, size_t), const char *names)
{
	int lv;

	if (v->type != SL_JSON_STRING)
		cdie(cp, "must be one of %s, not %s", names,
		    sl_json_type_name(v->type));
	if ((lv = parse(v->u.str, v->len)) < 0)
		cdie(cp, "\"%s\" is not one of %s", v->u.str, names);
	return lv;
}

static void
load_context(struct contract *c, struct cplace *cp, const struct sl_json *v)
{
	static const char *const keys[] = { "required", "maxClassification",
		"certification", "authorityAtLeast", NULL };
	const struct sl_json *m;
	size_t at;

	want_type(cp, v, SL_JSON_OBJECT, "an object");
	only_keys(cp, v, keys);
	if ((m = sl_json_get(v, "required", 8)) != NULL) {
		at = cp_enter(cp, "required");
		want_type(cp, m, SL_JSON_ARRAY, "an array of header field names");
		for (size_t i = 0; i < m->len; i++) {
			const struct sl_json *t = &m->u.items[i];
			size_t at2 = cp_enter_index(cp, i);

			want_type(cp, t, SL_JSON_STRING, "a header field name");
			if (!field_name_valid(t->u.str, t->len))
				cdie(cp, "\"%s\" is not a header field name", t->u.str);
			ptr_pop(&cp->ptr, at2);
		}
		c->ctx_required = m;
		ptr_pop(&cp->ptr, at);
	}
	if ((m = sl_json_get(v, "maxClassification", 17)) != NULL) {
		at = cp_enter(cp, "maxClassification");
		c->max_class = want_level(cp, m, sl_class_parse,
		    "public, internal, confidential, restricted");
		ptr_pop(&cp->ptr, at);
	}
	if ((m = sl_json_get(v, "certification", 13)) != NULL) {
		at = cp_enter(cp, "certification");
		c->min_cert = want_level(cp, m, sl_cert_parse,
		    "certified, provisional, deprecated");
		ptr_pop(&cp->ptr, at);
	}
	if ((m = sl_json_get(v, "authorityAtLeast", 16)) != NULL) {
		at = cp_enter(cp, "authorityAtLeast");
		c->min_auth = want_level(cp, m, sl_authority_parse,
		    "authoritative, internal, external, unverified");
		ptr_pop(&cp->ptr, at);
	}
}

static void
load_unique(struct contract *c, struct cplace *cp, const struct sl_json *v)
{
	want_type(cp, v, SL_JSON_ARRAY, "an array of JSON Pointers (or arrays "
	    "of them, for keys of several fields)");
	c->unique = sl_calloc(v->len ? v->len : 1, sizeof(*c->unique));
	c->nunique = v->len;
	for (size_t i = 0; i < v->len; i++) {
		const struct sl_json *k = &v->u.items[i];
		struct unique_rule *u = &c->unique[i];
		size_t at = cp_enter_index(cp, i);

		u->loc = sl_strdup(cp->ptr.data);
		if (k->type == SL_JSON_STRING) {
			want_pointer(cp, k);
			u->ptrs = sl_calloc(1, sizeof(*u->ptrs));
			u->ptrs[0] = k;
			u->n = 1;
		} else if (k->type == SL_JSON_ARRAY && k->len > 0) {
			u->ptrs = sl_calloc(k->len, sizeof(*u->ptrs));
			u->n = k->len;
			for (size_t j = 0; j < k->len; j++) {
				size_t at2 = cp_enter_index(cp, j);

				want_pointer(cp, &k->u.items[j]);
				u->ptrs[j] = &k->u.items[j];
				ptr_pop(&cp->ptr, at2);
			}
		} else {
			cdie(cp, "must be a JSON Pointer or a non-empty array of "
			    "them, not %s", k->type == SL_JSON_ARRAY ?
			    "an empty array" : sl_json_type_name(k->type));
		}
		ptr_pop(&cp->ptr, at);
	}
	c->needs_json |= v->len > 0;
}

static void
want_duration(struct cplace *cp, const struct sl_json *v, struct sl_duration *d,
    const char **text)
{
	const char *why = NULL;

	if (v->type != SL_JSON_STRING)
		cdie(cp, "must be an ISO 8601 duration string (\"PT6H\", "
		    "\"P1D\"), not %s", sl_json_type_name(v->type));
	/* sl_duration_parse's words for these would mislead */
	if (v->len > 0 && (v->u.str[0] == '-' || v->u.str[0] == '+'))
		cdie(cp, "\"%s\": a freshness window cannot be signed or "
		    "negative (\"PT6H\", \"P1D\")", v->u.str);
	if (v->len == 1 && v->u.str[0] == 'P')
		cdie(cp, "\"P\" is not an ISO 8601 duration: no amount after "
		    "'P' (\"P1D\", \"PT6H\")");
	if (v->len > 0 && v->u.str[v->len - 1] == 'T')
		cdie(cp, "\"%s\" is not an ISO 8601 duration: 'T' must be "
		    "followed by hours, minutes or seconds (\"PT6H\")", v->u.str);
	if (sl_duration_parse(v->u.str, v->len, d, &why) < 0) {
		if (why)
			cdie(cp, "\"%s\" is not an ISO 8601 duration: %s",
			    v->u.str, why);
		cdie(cp, "\"%s\" is not an ISO 8601 duration (\"PT6H\", "
		    "\"P1D\")", v->u.str);
	}
	if (strlen(v->u.str) != v->len)
		cdie(cp, "a duration cannot contain a NUL character");
	if (d->years == 0 && d->months == 0 && d->days == 0 && d->us == 0)
		cdie(cp, "\"%s\" is a window of zero: every record would be "
		    "late", v->u.str);
	*text = v->u.str;
}

static void
load_stream(struct contract *c, struct cplace *cp, const struct sl_json *v)
{
	static const char *const keys[] = { "rows", "freshness", "nullRate",
		"invalidRate", NULL };
	static const char *const rkeys[] = { "min", "max", NULL };
	static const char *const fkeys[] = { "field", "warnAfter",
		"errorAfter", NULL };
	const struct sl_json *m, *x;
	size_t at, at2;

	want_type(cp, v, SL_JSON_OBJECT, "an object");
	only_keys(cp, v, keys);
	if ((m = sl_json_get(v, "rows", 4)) != NULL) {
		at = cp_enter(cp, "rows");
		want_type(cp, m, SL_JSON_OBJECT, "an object with \"min\" and/or "
		    "\"max\"");
		only_keys(cp, m, rkeys);
		if ((x = sl_json_get(m, "min", 3)) != NULL) {
			at2 = cp_enter(cp, "min");
			c->rows_min = want_count(cp, x);
			c->has_rows_min = 1;
			ptr_pop(&cp->ptr, at2);
		}
		if ((x = sl_json_get(m, "max", 3)) != NULL) {
			at2 = cp_enter(cp, "max");
			c->rows_max = want_count(cp, x);
			c->has_rows_max = 1;
			ptr_pop(&cp->ptr, at2);
		}
		if (!c->has_rows_min && !c->has_rows_max)
			cdie(cp, "needs \"min\", \"max\" or both");
		if (c->has_rows_min && c->has_rows_max && c->rows_min > c->rows_max)
			cdie(cp, "\"min\" %llu is above \"max\" %llu",
			    (unsigned long long)c->rows_min,
			    (unsigned long long)c->rows_max);
		ptr_pop(&cp->ptr, at);
	}
	if ((m = sl_json_get(v, "freshness", 9)) != NULL) {
		at = cp_enter(cp, "freshness");
		want_type(cp, m, SL_JSON_OBJECT, "an object");
		only_keys(cp, m, fkeys);
		if ((x = sl_json_get(m, "field", 5)) == NULL)
			cdie(cp, "needs \"field\": a JSON Pointer into the payload "
			    "or a header field such as Sluice-Event-Time");
		at2 = cp_enter(cp, "field");
		if (x->type != SL_JSON_STRING)
			cdie(cp, "must be a string, not %s",
			    sl_json_type_name(x->type));
		if (x->len > 0 && x->u.str[0] == '/') {
			want_pointer(cp, x);
			c->needs_json = 1;
		} else if (field_name_valid(x->u.str, x->len)) {
			c->fresh_header = 1;
		} else {
			cdie(cp, "\"%s\" is neither a JSON Pointer (\"/signup_ts\") "
			    "nor a header field name (Sluice-Event-Time)", x->u.str);
		}
		c->fresh_field = x->u.str;
		ptr_pop(&cp->ptr, at2);
		if ((x = sl_json_get(m, "warnAfter", 9)) != NULL) {
			at2 = cp_enter(cp, "warnAfter");
			want_duration(cp, x, &c->fresh_warn, &c->fresh_warn_text);
			c->has_fresh_warn = 1;
			ptr_pop(&cp->ptr, at2);
		}
		if ((x = sl_json_get(m, "errorAfter", 10)) != NULL) {
			at2 = cp_enter(cp, "errorAfter");
			want_duration(cp, x, &c->fresh_error, &c->fresh_error_text);
			c->has_fresh_error = 1;
			ptr_pop(&cp->ptr, at2);
		}
		if (!c->has_fresh_warn && !c->has_fresh_error)
			cdie(cp, "needs \"warnAfter\", \"errorAfter\" or both");
		/* compared from a fixed time: months and years vary */
		if (c->has_fresh_warn && c->has_fresh_error &&
		    sl_time_add(0, &c->fresh_warn) > sl_time_add(0,
		    &c->fresh_error))
			cdie(cp, "\"warnAfter\" %s is longer than \"errorAfter\" "
			    "%s: the warning could never come first",
			    c->fresh_warn_text, c->fresh_error_text);
		ptr_pop(&cp->ptr, at);
	}
	if ((m = sl_json_get(v, "nullRate", 8)) != NULL) {
		at = cp_enter(cp, "nullRate");
		want_type(cp, m, SL_JSON_OBJECT, "an object of JSON Pointers");
		c->nulls = sl_calloc(m->len ? m->len : 1, sizeof(*c->nulls));
		c->nnulls = m->len;
		for (size_t i = 0; i < m->len; i++) {
			const struct sl_json_member *mm = &m->u.members[i];
			struct null_rule *n = &c->nulls[i];

			at2 = cp->ptr.len;
			ptr_push(&cp->ptr, mm->key, mm->key_len);
			if (!pointer_valid(mm->key, mm->key_len) ||
			    strlen(mm->key) != mm->key_len)
				cdie(cp, "\"%s\" is not a JSON Pointer (\"/field\")",
				    mm->key);
			n->ptr = mm->key;
			n->ptr_len = mm->key_len;
			n->loc = sl_strdup(cp->ptr.data);
			load_rate(cp, &mm->value, &n->rate);
			ptr_pop(&cp->ptr, at2);
		}
		c->needs_json |= m->len > 0;
		ptr_pop(&cp->ptr, at);
	}
	if ((m = sl_json_get(v, "invalidRate", 11)) != NULL) {
		at = cp_enter(cp, "invalidRate");
		load_rate(cp, m, &c->invalid);
		c->has_invalid = 1;
		ptr_pop(&cp->ptr, at);
	}
}

static void
load_severity(struct contract *c, struct cplace *cp, const struct sl_json *v)
{
	const struct sl_json *record = sl_json_get(&c->doc, "record", 6);

	want_type(cp, v, SL_JSON_OBJECT, "an object");
	c->sevs = sl_calloc(v->len ? v->len : 1, sizeof(*c->sevs));
	for (size_t i = 0; i < v->len; i++) {
		const struct sl_json_member *m = &v->u.members[i];
		size_t at = cp->ptr.len;

		ptr_push(&cp->ptr, m->key, m->key_len);
		if (strcmp(m->key, "default") == 0) {
			c->default_sev = want_sev(cp, &m->value);
		} else {
			if (m->key_len == 0 || m->key[0] != '/' ||
			    !pointer_valid(m->key, m->key_len) ||
			    strlen(m->key) != m->key_len)
				cdie(cp, "a severity key is \"default\" or a JSON "
				    "Pointer into the record schema "
				    "(\"/properties/nickname\") or the contract "
				    "(\"/payload/maxBytes\")");
			/* a mistyped key would silently change nothing */
			if (strcmp(m->key, "/record") != 0 &&
			    sl_json_pointer(&c->doc, m->key, m->key_len) == NULL &&
			    (record == NULL || sl_json_pointer(record, m->key,
			    m->key_len) == NULL))
				cdie(cp, "points at nothing: neither the record "
				    "schema nor the contract has \"%s\"", m->key);
			c->sevs[c->nsevs].prefix = m->key;
			c->sevs[c->nsevs].len = m->key_len;
			c->sevs[c->nsevs].sev = want_sev(cp, &m->value);
			c->nsevs++;
		}
		ptr_pop(&cp->ptr, at);
	}
}

/* Reads a whole file (a contract): 66 when it cannot be read. */
static char *
slurp(const char *path, size_t *len)
{
	struct sl_buf b = SL_BUF_INIT;
	struct stat st;
	char chunk[65536];
	ssize_t n;
	int fd;

	fd = strcmp(path, "-") == 0 ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		sl_die(SL_EX_NOINPUT, "%s: cannot open: %s", path, strerror(errno));
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode))
		sl_die(SL_EX_NOINPUT, "%s: is a folder, not a contract", path);
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			sl_die(SL_EX_IOERR, "%s: read error: %s", path,
			    strerror(errno));
		if (n == 0)
			break;
		if (b.len + (size_t)n > 64u << 20)
			sl_die(SL_EX_CONFIG, "%s: larger than 64 MiB: not a contract",
			    path);
		sl_buf_add(&b, chunk, (size_t)n);
	}
	if (fd != STDIN_FILENO)
		close(fd);
	sl_buf_addc(&b, '\0');
	b.len--;
	return sl_buf_detach(&b, len);
}

/*
 * Loads and checks a contract: every key known and of the right type,
 * every level, duration, rate and pointer well-formed, the record schema
 * compiled.  Dies 78 naming the file and the JSON Pointer of the fault.
 */
static void
contract_load(struct contract *c, const char *path)
{
	static const char *const keys[] = { "contract", "version", "description",
		"$comment", "record", "formatAssertion", "payload", "context",
		"unique", "stream", "severity", NULL };
	struct cplace cp = { path, SL_BUF_INIT };
	struct sl_json_error jerr;
	const struct sl_json *v;
	enum sl_json_status st;
	size_t len, at, line = 1, col = 1;
	char *text;

	memset(c, 0, sizeof(*c));
	c->path = path;
	c->max_class = c->min_cert = c->min_auth = -1;
	c->default_sev = SEV_ERROR;
	c->format_assert = 1;
	sl_arena_init(&c->arena);
	text = slurp(path, &len);
	st = sl_json_parse(&c->arena, text, len, &c->doc, &jerr);
	if (st != SL_JSON_OK) {
		size_t i;

		for (i = 0; i < len && i < jerr.offset; i++, col++)
			if (text[i] == '\n') {
				line++;
				col = 0;
			}
		if (len == 0 || strspn(text, " \t\r\n") == len)
			cdie(&cp, "empty file: a contract is a JSON object");
		cdie(&cp, "not JSON: %s at line %zu, column %zu", jerr.msg, line, col);
	}
	free(text);
	if (c->doc.type != SL_JSON_OBJECT)
		cdie(&cp, "a contract is a JSON object, not %s",
		    sl_json_type_name(c->doc.type));
	no_duplicates(&cp, &c->doc);
	only_keys(&cp, &c->doc, keys);

	if ((v = sl_json_get(&c->doc, "contract", 8)) == NULL)
		cdie(&cp, "needs \"contract\": the contract's name");
	at = cp_enter(&cp, "contract");
	want_type(&cp, v, SL_JSON_STRING, "a string");
	if (strlen(v->u.str) != v->len)
		cdie(&cp, "contains a NUL character");
	if (!tag_part_valid(v->u.str, v->len))
		cdie(&cp, "\"%s\" is not a contract name (1 to 128 of A-Z a-z 0-9 "
		    "_ . : / + -)", v->u.str);
	c->name = v->u.str;
	ptr_pop(&cp.ptr, at);
	if ((v = sl_json_get(&c->doc, "version", 7)) == NULL)
		cdie(&cp, "needs \"version\": the contract's version");
	at = cp_enter(&cp, "version");
	if (v->type != SL_JSON_STRING && v->type != SL_JSON_NUMBER)
		cdie(&cp, "must be a string (or a number), not %s",
		    sl_json_type_name(v->type));
	if (strlen(v->u.str) != v->len)
		cdie(&cp, "contains a NUL character");
	if (!tag_part_valid(v->u.str, v->len))
		cdie(&cp, "\"%s\" is not a version (1 to 128 of A-Z a-z 0-9 "
		    "_ . : / + -)", v->u.str);
	c->version = v->u.str;
	ptr_pop(&cp.ptr, at);
	if ((v = sl_json_get(&c->doc, "description", 11)) != NULL) {
		at = cp_enter(&cp, "description");
		want_type(&cp, v, SL_JSON_STRING, "a string");
		ptr_pop(&cp.ptr, at);
	}
	if ((v = sl_json_get(&c->doc, "formatAssertion", 15)) != NULL) {
		at = cp_enter(&cp, "formatAssertion");
		c->format_assert = want_bool(&cp, v);
		ptr_pop(&cp.ptr, at);
	}
	if ((v = sl_json_get(&c->doc, "payload", 7)) != NULL) {
		at = cp_enter(&cp, "payload");
		load_payload(c, &cp, v);
		ptr_pop(&cp.ptr, at);
	}
	if ((v = sl_json_get(&c->doc, "context", 7)) != NULL) {
		at = cp_enter(&cp, "context");
		load_context(c, &cp, v);
		ptr_pop(&cp.ptr, at);
	}
	if ((v = sl_json_get(&c->doc, "unique", 6)) != NULL) {
		at = cp_enter(&cp, "unique");
		load_unique(c, &cp, v);
		ptr_pop(&cp.ptr, at);
	}
	if ((v = sl_json_get(&c->doc, "stream", 6)) != NULL) {
		at = cp_enter(&cp, "stream");
		load_stream(c, &cp, v);
		ptr_pop(&cp.ptr, at);
	}
	if ((v = sl_json_get(&c->doc, "record", 6)) != NULL) {
		struct sl_schema_error serr;

		at = cp_enter(&cp, "record");
		if (v->type != SL_JSON_OBJECT && v->type != SL_JSON_TRUE &&
		    v->type != SL_JSON_FALSE)
			cdie(&cp, "must be a JSON Schema (an object or a boolean), "
			    "not %s", sl_json_type_name(v->type));
		/*
		 * Another draft's keywords would be read as 2020-12's or
		 * ignored (additionalItems, $recursiveRef): a weaker check
		 * that looks the same.
		 */
		if (v->type == SL_JSON_OBJECT) {
			const struct sl_json *d = sl_json_get(v, "$schema", 7);

			if (d && (d->type != SL_JSON_STRING || (strcmp(d->u.str,
			    "https://json-schema.org/draft/2020-12/schema") != 0 &&
			    strcmp(d->u.str, "https://json-schema.org/draft/"
			    "2020-12/schema#") != 0))) {
				cp_enter(&cp, "$schema");
				cdie(&cp, "%s%s%s is not JSON Schema draft 2020-12, the "
				    "only draft a contract's record schema may be "
				    "(remove \"$schema\" or port the schema)",
				    d->type == SL_JSON_STRING ? "\"" : "",
				    d->type == SL_JSON_STRING ? d->u.str :
				    sl_json_type_name(d->type), d->type ==
				    SL_JSON_STRING ? "\"" : "");
			}
		}
		memset(&serr, 0, sizeof(serr));
		c->schema = sl_schema_compile(v, c->format_assert ?
		    SL_SCHEMA_FORMAT_ASSERT : 0, &serr);
		if (c->schema == NULL) {
			serr.pointer[sizeof(serr.pointer) - 1] = '\0';
			serr.msg[sizeof(serr.msg) - 1] = '\0';
			sl_buf_adds(&cp.ptr, serr.pointer);
			cdie(&cp, "%s", serr.msg[0] ? serr.msg :
			    "the schema cannot be compiled");
		}
		c->needs_json = 1;
		ptr_pop(&cp.ptr, at);
	}
	/* last: its keys point into the record schema, checked by now */
	if ((v = sl_json_get(&c->doc, "severity", 8)) != NULL) {
		at = cp_enter(&cp, "severity");
		load_severity(c, &cp, v);
		ptr_pop(&cp.ptr, at);
	}
	sl_buf_release(&cp.ptr);

	c->tag_len = strlen(c->name) + 1 + strlen(c->version);
	c->tag = sl_malloc(c->tag_len + 1);
	snprintf(c->tag, c->tag_len + 1, "%s@%s", c->name, c->version);
	c->tag_pass = sl_malloc(c->tag_len + 6);
	c->tag_warn = sl_malloc(c->tag_len + 6);
	c->tag_fail = sl_malloc(c->tag_len + 6);
	snprintf(c->tag_pass, c->tag_len + 6, "%s pass", c->tag);
	snprintf(c->tag_warn, c->tag_len + 6, "%s warn", c->tag);
	snprintf(c->tag_fail, c->tag_len + 6, "%s fail", c->tag);
}

static void
contract_release(struct contract *c)
{
	if (c->schema)
		sl_schema_free(c->schema);
	for (size_t i = 0; i < c->nunique; i++) {
		free(c->unique[i].ptrs);
		free(c->unique[i].loc);
		free(c->unique[i].slots);
	}
	free(c->unique);
	for (size_t i = 0; i < c->nnulls; i++)
		free(c->nulls[i].loc);
	free(c->nulls);
	free(c->sevs);
	free(c->tag);
	free(c->tag_pass);
	free(c->tag_warn);
	free(c->tag_fail);
	sl_arena_release(&c->arena);
}

/*
 * The severity of a violation at loc (a JSON Pointer: into the record
 * schema for schema violations, into the contract for the others): the
 * longest "severity" key that is loc or a parent of it, else the default.
 */
static enum sev
severity_of(const struct contract *c, const char *loc)
{
	size_t best = 0;
	enum sev s = c->default_sev;

	for (size_t i = 0; i < c->nsevs; i++) {
		const struct sev_rule *r = &c->sevs[i];

		if (r->len >= best && strncmp(loc, r->prefix, r->len) == 0 &&
		    (loc[r->len] == '\0' || loc[r->len] == '/')) {
			best = r->len;
			s = r->sev;
		}
	}
	return s;
}

/* ---- the run ---- */

/* Counts of violations by where in the contract they are (for "top"). */
struct tally {
	char *loc;                /* "/record/properties/age/maximum" */
	char *keyword;
	uint64_t n;
};

#define TALLY_MAX 4096

/*
 * Violations recorded for later (a worker thread finds them, the main
 * thread reports them in input order): strings are offsets into s.
 */
#define NO_STR ((size_t)-1)

struct rviol {
	size_t pointer, keyword, loc, msg;  /* NO_STR: NULL */
	size_t exc, exclen;       /* excerpt of the value; NO_STR: none */
	enum sev sev;
};

struct vrec {
	struct rviol *a;
	size_t n, cap;
	struct sl_buf s;
};

#define BATCHES_IN_FLIGHT_MAX 18

struct batch;

struct stream_finding {
	const char *check;        /* "rows", "freshness", ... */
	char *loc;
	enum sev sev;
	char *msg;
};

struct validate {
	struct config cfg;
	struct contract c;
	struct sl_run run;
	sl_time now;
	struct sl_arena scratch;  /* per record: the payload and the schema's work */
	struct sl_buf tmp, line;
	struct sl_hasher *hasher;

	/* the record being checked */
	const struct sl_record *rec;
	const char *input;
	const struct sl_json *doc;
	enum sev worst;
	/* the record whose violations are being reported */
	int cur_set;              /* 0: stream-level findings */
	const char *cur_id;       /* its WARC-Record-ID, or NULL */
	uint64_t cur_number, cur_offset;
	struct vrec *recto;       /* not NULL: violations are recorded there */
	struct sl_buf exbuf;

	/* parallel checking (see batch_add) */
	int batching;
	struct sl_pool *pool;
	struct validate *tmpl;    /* the checker as the workers copy it */
	struct batch *cur, *solo;
	struct batch *spare[BATCHES_IN_FLIGHT_MAX + 2];
	size_t nspare;
	struct sl_buf outtmp;
	const char *line_pass, *line_warn, *line_fail;  /* whole header lines */
	int argc, first_input;
	char **argv;

	/* outputs */
	int have_reject, have_errors, have_gate, have_report;
	struct sl_outfile reject_file, errors_file, report_file;
	struct sl_writer reject, gate;
	struct sl_buf errbuf;
	int gate_fd;
	struct sl_buf gate_name;  /* for messages */

	/* counts */
	uint64_t passed, warned, failed, homeless;
	uint64_t errors, warnings, reported, unreported;
	int stopped;
	uint64_t stop_number;
	const char *stop_input;
	int latest_set;
	sl_time latest;           /* freshness: the newest time seen */
	uint64_t fresh_seen;
	uint64_t future;          /* times after now: not counted */
	sl_time future_max;

	struct tally *tally;
	size_t ntally, captally;
	uint64_t tally_other;

	struct stream_finding *finds;
	size_t nfinds;
	enum sev stream_worst;
	int result;               /* SEV_* of the whole run */
};

static void
errors_flush(struct validate *v)
{
	size_t off = 0;

	while (off < v->errbuf.len) {
		ssize_t n = write(v->errors_file.fd, v->errbuf.data + off,
		    v->errbuf.len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			v->errbuf.len = 0;
			sl_die(SL_EX_IOERR, "%s: write error: %s",
			    v->cfg.errors, strerror(errno));
		}
		off += (size_t)n;
	}
	sl_buf_reset(&v->errbuf);
}

/* sl_die(): the files that were not finished disappear. */
static void
on_exit_hook(void *arg)
{
	struct validate *v = arg;

	if (v->have_reject) {
		v->reject.out.len = 0;
		sl_outfile_abort(&v->reject_file);
		v->have_reject = 0;
	}
	if (v->have_errors) {
		sl_outfile_abort(&v->errors_file);
		v->have_errors = 0;
	}
	if (v->have_report) {
		sl_outfile_abort(&v->report_file);
		v->have_report = 0;
	}
}

/* Adds a count under (loc, keyword), in a bounded table. */
static void
tally_add(struct validate *v, const char *loc, const char *keyword)
{
	for (size_t i = v->ntally; i-- > 0;)
		if (strcmp(v->tally[i].loc, loc) == 0 &&
		    strcmp(v->tally[i].keyword, keyword) == 0) {
			v->tally[i].n++;
			/* keep the busiest near the end, where the search starts */
			if (i + 1 < v->ntally && v->tally[i].n > v->tally[i + 1].n) {
				struct tally t = v->tally[i];

				v->tally[i] = v->tally[i + 1];
				v->tally[i + 1] = t;
			}
			return;
		}
	if (v->ntally == TALLY_MAX) {
		v->tally_other++;
		return;
	}
	if (v->ntally == v->captally) {
		v->captally = v->captally ? 2 * v->captally : 32;
		v->tally = sl_reallocarray(v->tally, v->captally, sizeof(*v->tally));
	}
	memmove(v->tally + 1, v->tally, v->ntally * sizeof(*v->tally));
	v->tally[0].loc = sl_strdup(loc);
	v->tally[0].keyword = sl_strdup(keyword);
	v->tally[0].n = 1;
	v->ntally++;
}

/* Text from data, made safe for a terminal: control bytes as \xNN. */
static void
add_printable(struct sl_buf *b, const char *s, size_t max)
{
	size_t n = 0;

	for (; *s && n < max; s++, n++) {
		unsigned char ch = (unsigned char)*s;

		if (ch < 0x20 || ch == 0x7f)
			sl_buf_addf(b, "\\x%02x", ch);
		else
			sl_buf_addc(b, (char)ch);
	}
	if (*s)
		sl_buf_adds(b, "...");
}

/* A JSON string of bytes that may not be UTF-8 (header values, messages). */
static void
add_json_text(struct sl_buf *b, const char *s, size_t len)
{
	if (sl_json_write_utf8(b, s, len, NULL) < 0) {
		struct sl_buf t = SL_BUF_INIT;

		for (size_t i = 0; i < len; i++)
			if ((unsigned char)s[i] < 0x80)
				sl_buf_addc(&t, s[i]);
			else
				sl_buf_addc(&t, '?');
		sl_json_write_string(b, t.data ? t.data : "", t.len);
		sl_buf_release(&t);
	}
}

/* The compact JSON of value, cut to about 80 bytes on a UTF-8 boundary. */
static void
excerpt(struct sl_buf *b, const struct sl_json *val)
{
	size_t n;

	sl_buf_reset(b);
	if (val == NULL)
		return;
	sl_json_write(b, val);
	if (b->len <= 80)
		return;
	n = 77;
	while (n > 0 && ((unsigned char)b->data[n] & 0xc0) == 0x80)
		n--;
	b->len = n;
	sl_buf_adds(b, "...");
}

/*
 * One violation of the record being checked (v->rec; NULL for a
 * stream-level finding): counted, tallied, reported (stderr or --errors)
 * while under --max-errors.  pointer is into the payload (NULL: none),
 * loc into the contract.
 */
static size_t
vrec_str(struct vrec *r, const char *s, size_t len)
{
	size_t o = r->s.len;

	if (s == NULL)
		return NO_STR;
	sl_buf_add(&r->s, s, len);
	sl_buf_addc(&r->s, '\0');
	return o;
}

static void violation_apply(struct validate *v, const char *pointer,
    const char *keyword, const char *loc, enum sev sev,
    const struct sl_json *val, const char *exc, size_t exclen, const char *msg);

static void
violation(struct validate *v, const char *pointer, const char *keyword,
    const char *loc, enum sev sev, const struct sl_json *val, const char *msg)
{
	struct vrec *r = v->recto;
	struct rviol *x;

	if (r == NULL) {
		violation_apply(v, pointer, keyword, loc, sev, val, NULL, 0, msg);
		return;
	}
	r->a = sl_grow(r->a, &r->cap, r->n + 1, sizeof(*r->a));
	x = &r->a[r->n++];
	x->pointer = vrec_str(r, pointer, pointer ? strlen(pointer) : 0);
	x->keyword = vrec_str(r, keyword, strlen(keyword));
	x->loc = vrec_str(r, loc, strlen(loc));
	x->msg = vrec_str(r, msg, strlen(msg));
	x->sev = sev;
	x->exc = NO_STR;
	x->exclen = 0;
	if (val) {
		excerpt(&v->exbuf, val);
		x->exc = vrec_str(r, v->exbuf.data, v->exbuf.len);
		x->exclen = v->exbuf.len;
	}
}

/* Reports the recorded violations r->a[from..from+n). */
static void
vrec_apply(struct validate *v, const struct vrec *r, size_t from, size_t n)
{
	const char *s = r->s.data;

	for (size_t i = from; i < from + n; i++) {
		const struct rviol *x = &r->a[i];

		violation_apply(v, x->pointer == NO_STR ? NULL : s + x->pointer,
		    s + x->keyword, s + x->loc, x->sev, NULL,
		    x->exc == NO_STR ? NULL : s + x->exc, x->exclen, s + x->msg);
	}
}

/*
 * As violation(), reporting at once.  The excerpt is made from val, else
 * given as JSON text in exc (NULL: none).
 */
static void
violation_apply(struct validate *v, const char *pointer, const char *keyword,
    const char *loc, enum sev sev, const struct sl_json *val, const char *exc,
    size_t exclen, const char *msg)
{
	int rec = v->cur_set;

	if (v->cfg.warn_error && sev == SEV_WARN)
		sev = SEV_ERROR;
	if (sev > v->worst)
		v->worst = sev;
	if (sev == SEV_ERROR)
		v->errors++;
	else
		v->warnings++;
	tally_add(v, loc, keyword);
	/* the cap is on records' violations: stream findings are few, and
	 * the only word on why the run failed */
	if (rec && v->cfg.max_errors && v->reported >= v->cfg.max_errors) {
		v->unreported++;
		return;
	}
	v->reported++;
	if (val) {
		excerpt(&v->tmp, val);
		exc = v->tmp.data;
		exclen = v->tmp.len;
	}
	if (v->have_errors) {
		struct sl_buf *b = &v->errbuf;
		const char *id = rec ? v->cur_id : NULL;

		sl_buf_adds(b, "{\"input\":");
		if (rec)
			add_json_text(b, v->input, strlen(v->input));
		else
			sl_buf_adds(b, "null");
		sl_buf_adds(b, ",\"id\":");
		if (id)
			add_json_text(b, id, strlen(id));
		else
			sl_buf_adds(b, "null");
		if (rec)
			sl_buf_addf(b, ",\"record\":%llu,\"offset\":%llu",
			    (unsigned long long)v->cur_number,
			    (unsigned long long)v->cur_offset);
		else
			sl_buf_adds(b, ",\"record\":null,\"offset\":null");
		sl_buf_adds(b, ",\"pointer\":");
		if (pointer)
			add_json_text(b, pointer, strlen(pointer));
		else
			sl_buf_adds(b, "null");
		sl_buf_adds(b, ",\"keyword\":");
		sl_json_write_string(b, keyword, strlen(keyword));
		sl_buf_adds(b, ",\"schema\":");
		add_json_text(b, loc, strlen(loc));
		sl_buf_addf(b, ",\"severity\":\"%s\",\"excerpt\":",
		    sev == SEV_ERROR ? "error" : "warn");
		if (exc)
			add_json_text(b, exc, exclen);
		else
			sl_buf_adds(b, "null");
		sl_buf_adds(b, ",\"message\":");
		add_json_text(b, msg, strlen(msg));
		sl_buf_adds(b, "}\n");
		if (b->len > 65536)
			errors_flush(v);
		if (rec)
			return;   /* stream-level findings are few: on stderr too */
	}
	/* the message on stderr, made safe for a terminal */
	sl_buf_reset(&v->line);
	if (rec)
		sl_buf_addf(&v->line, "%s: record %llu at byte %llu: ", v->input,
		    (unsigned long long)v->cur_number,
		    (unsigned long long)v->cur_offset);
	else
		sl_buf_adds(&v->line, "stream: ");
	if (sev == SEV_WARN)
		sl_buf_adds(&v->line, "warning: ");
	if (pointer && pointer[0]) {
		sl_buf_adds(&v->line, "field \"");
		add_printable(&v->line, pointer, 200);
		sl_buf_adds(&v->line, "\": ");
	}
	add_printable(&v->line, msg, 400);
	sl_buf_addf(&v->line, " (%s at ", keyword);
	add_printable(&v->line, loc, 200);
	sl_buf_adds(&v->line, ")");
	if (sev == SEV_ERROR)
		sl_error("%s", v->line.data);
	else
		sl_warn("%s", v->line.data);
}

/* ---- per-record checks ---- */

/* The essence of a media type ("application/json"), lower-cased, in out. */
static size_t
media_essence(const char *ct, char *out, size_t outlen)
{
	size_t n = 0;

	if (strcmp(ct, "application/json") == 0 && outlen > 16) {
		memcpy(out, ct, 17);   /* the usual case, already an essence */
		return 16;
	}
	while (*ct == ' ' || *ct == '\t')
		ct++;
	for (; *ct && *ct != ';' && *ct != ' ' && *ct != '\t' && n + 1 < outlen;
	    ct++)
		out[n++] = (char)((*ct >= 'A' && *ct <= 'Z') ? *ct + 32 : *ct);
	out[n] = '\0';
	return n;
}

/* Is the media type JSON (application/json or any +json)? */
static int
media_is_json(const char *ess, size_t n)
{
	return strcmp(ess, "application/json") == 0 ||
	    (n > 5 && strcmp(ess + n - 5, "+json") == 0);
}

static int
media_allowed(const struct sl_json *list, const char *ess)
{
	for (size_t i = 0; i < list->len; i++) {
		const char *t = list->u.items[i].u.str;
		size_t tl = list->u.items[i].len;

		if (tl >= 2 && strcmp(t + tl - 2, "/*") == 0) {
			if (strncasecmp(t, ess, tl - 1) == 0)
				return 1;
		} else if (strcasecmp(t, ess) == 0) {
			return 1;
		}
	}
	return 0;
}

static void
check_payload(struct validate *v, const struct sl_record *rec, const char *ess)
{
	struct contract *c = &v->c;
	char msg[512];

	if (c->media && !media_allowed(c->media, ess)) {
		snprintf(msg, sizeof(msg), "media type \"%.200s\" is not one of "
		    "the contract's", ess[0] ? ess : "(none)");
		violation(v, NULL, "mediaTypes", "/payload/mediaTypes",
		    severity_of(c, "/payload/mediaTypes"), NULL, msg);
	}
	if (c->has_max_bytes && rec->block_len > c->max_bytes) {
		snprintf(msg, sizeof(msg), "payload of %zu bytes is above the "
		    "maximum %llu", rec->block_len,
		    (unsigned long long)c->max_bytes);
		violation(v, NULL, "maxBytes", "/payload/maxBytes",
		    severity_of(c, "/payload/maxBytes"), NULL, msg);
	}
	if (c->verify_digest) {
		const char *dg = sl_headers_get(&rec->hdr, SL_F_WARC_BLOCK_DIGEST);
		int ok;

		if (dg == NULL) {
			violation(v, NULL, "verifyDigest", "/payload/verifyDigest",
			    severity_of(c, "/payload/verifyDigest"), NULL,
			    "no WARC-Block-Digest to verify");
		} else if ((ok = sl_digest_matches(v->hasher, dg, rec->block,
		    rec->block_len, NULL)) <= 0) {
			snprintf(msg, sizeof(msg), ok < 0 ? "WARC-Block-Digest "
			    "\"%.100s\" uses an algorithm other than sha256 or "
			    "sha1" : "WARC-Block-Digest %.100s does not match the "
			    "payload", dg);
			violation(v, NULL, "verifyDigest", "/payload/verifyDigest",
			    severity_of(c, "/payload/verifyDigest"), NULL, msg);
		}
	}
}

static void
check_context(struct validate *v, const struct sl_record *rec)
{
	struct contract *c = &v->c;
	struct sl_ctx ctx;
	char msg[512], why[256];

	if (c->ctx_required) {
		for (size_t i = 0; i < c->ctx_required->len; i++) {
			const struct sl_json *f = &c->ctx_required->u.items[i];

			if (sl_headers_find_name(&rec->hdr, f->u.str, f->len) == NULL) {
				snprintf(msg, sizeof(msg), "header field %s is "
				    "missing", f->u.str);
				violation(v, NULL, "required", "/context/required",
				    severity_of(c, "/context/required"), NULL, msg);
			}
		}
	}
	if (c->max_class < 0 && c->min_cert < 0 && c->min_auth < 0)
		return;
	if (sl_ctx_from_headers(&ctx, &rec->hdr, &v->scratch, why,
	    sizeof(why)) < 0) {
		violation(v, NULL, "context", "/context", severity_of(c,
		    "/context"), NULL, why);
		return;
	}
	if (c->max_class >= 0 && (int)ctx.classification > c->max_class) {
		const char *name = sl_class_name(ctx.classification);

		if (name)
			snprintf(msg, sizeof(msg), "classification %s is above "
			    "the maximum %s", name,
			    sl_class_name((enum sl_class)c->max_class));
		else
			snprintf(msg, sizeof(msg), "no Sluice-Classification "
			    "(unknown counts as restricted), the maximum is %s",
			    sl_class_name((enum sl_class)c->max_class));
		violation(v, NULL, "maxClassification", "/context/maxClassification",
		    severity_of(c, "/context/maxClassification"), NULL, msg);
	}
	if (c->min_cert >= 0 && (int)ctx.certification < c->min_cert) {
		const char *name = sl_cert_name(ctx.certification);

		snprintf(msg, sizeof(msg), "certification %s is below %s",
		    name ? name : "(none: uncertified)",
		    sl_cert_name((enum sl_cert)c->min_cert));
		violation(v, NULL, "certification", "/context/certification",
		    severity_of(c, "/context/certification"), NULL, msg);
	}
	if (c->min_auth >= 0 && (int)ctx.authority < c->min_auth) {
		const char *name = sl_authority_name(ctx.authority);

		snprintf(msg, sizeof(msg), "authority %s is below %s",
		    name ? name : "(none: unknown)",
		    sl_authority_name((enum sl_authority)c->min_auth));
		violation(v, NULL, "authorityAtLeast", "/context/authorityAtLeast",
		    severity_of(c, "/context/authorityAtLeast"), NULL, msg);
	}
}

/* schema.h's callback: one violation of the record schema. */
static void
on_schema_violation(void *ctx, const struct sl_schema_violation *sv)
{
	struct validate *v = ctx;
	const char *path = sv->schema_path ? sv->schema_path : "";
	const char *inst = sv->instance ? sv->instance : "";
	size_t n = strlen(path);
	char *loc = sl_arena_alloc(&v->scratch, n + 8);

	memcpy(loc, "/record", 7);
	memcpy(loc + 7, path, n + 1);
	violation(v, inst, sv->keyword ? sv->keyword : "schema", loc,
	    severity_of(&v->c, path), sl_json_pointer(v->doc, inst,
	    strlen(inst)), sv->message ? sv->message : "does not match the "
	    "schema");
}

/* Hash set of 32-byte digests; returns 1 when d was already there. */
static int
unique_seen(struct unique_rule *u, unsigned char d[SL_SHA256_LEN])
{
	static const unsigned char zero[SL_SHA256_LEN];
	size_t i, h;

	if (memcmp(d, zero, sizeof(zero)) == 0)
		d[0] = 1;        /* zero marks a free slot */
	if (4 * (u->used + 1) > 3 * u->cap) {   /* at most three quarters full */
		unsigned char *old = u->slots;
		size_t oldcap = u->cap;

		u->cap = u->cap ? 2 * u->cap : 1024;
		u->slots = sl_calloc(u->cap, SL_SHA256_LEN);
		u->used = 0;
		for (i = 0; i < oldcap; i++)
			if (memcmp(old + i * SL_SHA256_LEN, zero, sizeof(zero)) != 0)
				unique_seen(u, old + i * SL_SHA256_LEN);
		free(old);
	}
	memcpy(&h, d, sizeof(h));
	for (i = h & (u->cap - 1);; i = (i + 1) & (u->cap - 1)) {
		unsigned char *s = u->slots + i * SL_SHA256_LEN;

		if (memcmp(s, zero, sizeof(zero)) == 0) {
			memcpy(s, d, SL_SHA256_LEN);
			u->used++;
			return 0;
		}
		if (memcmp(s, d, SL_SHA256_LEN) == 0)
			return 1;
	}
}

/*
 * Appends a JSON number (valid JSON number text) in a canonical form, so
 * that 1, 1.0, 10e-1 and 0.1e1 make one key, as they are one number:
 * "[-]DIGITSeEXP" with no leading or trailing zeros in DIGITS, "0" for
 * zero.  Exponents past +-10^15 saturate (no real key is near).
 */
static void
add_canonical_number(struct sl_buf *b, const char *t, size_t len)
{
	const char *p = t, *end = t + len, *dig;
	size_t nd = 0, first = 0, lastnz = 0;
	long long exp = 0, e = 0;
	int neg = 0, eneg = 0, any = 0;

	if (p < end && *p == '-') {
		neg = 1;
		p++;
	}
	dig = p;
	/* digits before and after the point: count, find the first non-zero */
	for (; p < end && *p != 'e' && *p != 'E'; p++) {
		if (*p == '.')
			continue;
		if (*p != '0') {
			if (!any)
				first = nd;
			any = 1;
			lastnz = nd;
		}
		nd++;
	}
	if (p < end) {
		p++;
		if (p < end && (*p == '-' || *p == '+'))
			eneg = *p++ == '-';
		for (; p < end; p++)
			if (e < 1000000000000000LL)
				e = e * 10 + (*p - '0');
	}
	if (!any) {
		sl_buf_addc(b, '0');
		return;
	}
	/* the value is 0.DIGITS[first..lastnz] x 10^(point - first + e) */
	{
		const char *dot = memchr(dig, '.', (size_t)(end - dig));
		size_t ip = 0;

		for (const char *q = dig; q < end && q != dot && *q != 'e' &&
		    *q != 'E'; q++)
			ip++;
		exp = (long long)ip - (long long)first + (eneg ? -e : e);
	}
	if (neg)
		sl_buf_addc(b, '-');
	for (size_t k = 0; k <= lastnz; dig++) {
		if (*dig == '.')
			continue;
		if (k >= first)
			sl_buf_addc(b, *dig);
		k++;
	}
	sl_buf_addf(b, "e%lld", exp);
}

/*
 * Finds a name given twice in one object of v (depth first).  RFC 8259
 * leaves such a document to each reader: the contract would check one
 * value ("unique" and the pointers of nullRate and freshness take the
 * first) and the next stage may use the other.  Returns the object, its
 * JSON Pointer in path, and the name in *key; NULL when there is none.
 */
static const struct sl_json *
find_duplicate(struct validate *v, const struct sl_json *x, struct sl_buf *path,
    const struct sl_json_member **key)
{
	const struct sl_json *r;
	size_t at = path->len;

	if (x->type == SL_JSON_ARRAY) {
		for (size_t i = 0; i < x->len; i++) {
			if (x->u.items[i].type != SL_JSON_OBJECT &&
			    x->u.items[i].type != SL_JSON_ARRAY)
				continue;
			sl_buf_addf(path, "/%zu", i);
			if ((r = find_duplicate(v, &x->u.items[i], path, key)))
				return r;
			ptr_pop(path, at);
		}
		return NULL;
	}
	if (x->type != SL_JSON_OBJECT)
		return NULL;
	if (x->len > 1 && x->len <= 16) {
		/*
		 * the usual row: a few names.  One of 256 bits per (length,
		 * first and last byte) rules most rows out; else the names
		 * are compared pairwise.
		 */
		uint64_t bits[4] = { 0, 0, 0, 0 };
		size_t i;

		for (i = 0; i < x->len; i++) {
			const struct sl_json_member *m = &x->u.members[i];
			uint32_t k = m->key_len == 0 ? 0 : (uint32_t)m->key_len << 16 |
			    (uint32_t)(unsigned char)m->key[0] << 8 |
			    (unsigned char)m->key[m->key_len - 1];
			unsigned h = (unsigned)((uint32_t)(k * 0x9E3779B1u) >> 24);

			if (bits[h >> 6] & ((uint64_t)1 << (h & 63)))
				break;
			bits[h >> 6] |= (uint64_t)1 << (h & 63);
		}
		for (i = i < x->len ? 1 : x->len; i < x->len; i++)
			for (size_t j = 0; j < i; j++)
				if (x->u.members[i].key_len ==
				    x->u.members[j].key_len &&
				    memcmp(x->u.members[i].key, x->u.members[j].key,
				    x->u.members[i].key_len) == 0) {
					*key = &x->u.members[i];
					return x;
				}
	} else if (x->len > 16) {
		const struct sl_json_member **byname;

		byname = sl_arena_alloc(&v->scratch, x->len * sizeof(*byname));
		for (size_t i = 0; i < x->len; i++)
			byname[i] = &x->u.members[i];
		qsort(byname, x->len, sizeof(*byname), cmp_member);
		for (size_t i = 1; i < x->len; i++)
			if (cmp_member(&byname[i - 1], &byname[i]) == 0) {
				*key = byname[i];
				return x;
			}
	}
	for (size_t i = 0; i < x->len; i++) {
		const struct sl_json_member *m = &x->u.members[i];

		if (m->value.type != SL_JSON_OBJECT &&
		    m->value.type != SL_JSON_ARRAY)
			continue;
		ptr_push(path, m->key, m->key_len);
		if ((r = find_duplicate(v, &m->value, path, key)))
			return r;
		ptr_pop(path, at);
	}
	return NULL;
}

/* Freshness: remembers the newest time t of the field. */
static void
note_time(struct validate *v, sl_time t)
{
	/*
	 * A time after now cannot say the data is fresh: one record dated
	 * 2099 would keep a stale stream passing for ever.
	 */
	if (t > v->now) {
		if (v->future++ == 0 || t > v->future_max)
			v->future_max = t;
		return;
	}
	v->fresh_seen++;
	if (!v->latest_set || t > v->latest) {
		v->latest = t;
		v->latest_set = 1;
	}
}

/*
 * A record's checks are made in two halves that record their violations
 * (struct vrec) instead of reporting them: check_head() looks at the
 * header (main thread, at read time), check_block() at the payload (a
 * worker thread, or the main thread).  check_apply() then reports them and
 * applies the rules that remember (unique, nullRate, freshness), in input
 * order on the main thread, so that messages, counts and output are those
 * of checking each record in turn.
 */
struct uqres {
	int missing;              /* no key: the rule does not apply */
	unsigned char d[SL_SHA256_LEN];
	size_t text;              /* in wrec.s: the excerpt (one pointer) or
	                             the key as written (several) */
	size_t textlen;
};

struct item {
	const char *input;
	uint64_t number, offset, bytes;
	size_t id;                /* in hrec.s, or NO_STR */
	size_t raw_off, raw_len, raw_head;  /* in raw: the record as read */
	size_t block_off, block_len;
	const unsigned char *block;  /* not NULL: the block is here */
	int json;                 /* the payload is labelled JSON */
	size_t ess, elen;         /* in hrec.s: the media type's essence */
	size_t h0, hn, w0, wn;    /* violations in hrec, wrec */
	int fresh_h, fresh_j;     /* 1: a time for freshness below */
	sl_time fresh_ht, fresh_jt;
	size_t bits;              /* in bits: 1 per nullRate rule when null */
	size_t uq;                /* in uq: one per unique rule */
};

struct batch {
	struct item *items;
	size_t n, cap;
	struct sl_buf raw;
	struct vrec hrec, wrec;
	struct sl_buf bits;
	struct uqres *uq;
	size_t nuq, capuq;
};

static void
batch_reset(struct batch *b)
{
	b->n = 0;
	sl_buf_reset(&b->raw);
	b->hrec.n = 0;
	sl_buf_reset(&b->hrec.s);
	b->wrec.n = 0;
	sl_buf_reset(&b->wrec.s);
	sl_buf_reset(&b->bits);
	b->nuq = 0;
}

static void
batch_free(struct batch *b)
{
	if (b == NULL)
		return;
	free(b->items);
	sl_buf_release(&b->raw);
	free(b->hrec.a);
	sl_buf_release(&b->hrec.s);
	free(b->wrec.a);
	sl_buf_release(&b->wrec.s);
	sl_buf_release(&b->bits);
	free(b->uq);
	free(b);
}

/* A new item of b for rec (its block not copied). */
static struct item *
item_new(struct batch *b, const struct sl_record *rec, const char *input,
    uint64_t bytes)
{
	struct item *it;

	b->items = sl_grow(b->items, &b->cap, b->n + 1, sizeof(*b->items));
	it = &b->items[b->n++];
	memset(it, 0, sizeof(*it));
	it->input = input;
	it->number = rec->number;
	it->offset = rec->offset;
	it->bytes = bytes;
	it->block_len = rec->block_len;
	return it;
}

/* The header half: payload and context rules, a freshness header. */
static void
check_head(struct validate *v, const struct sl_record *rec, struct batch *b,
    struct item *it)
{
	struct contract *c = &v->c;
	const char *ct = sl_headers_get(&rec->hdr, SL_F_CONTENT_TYPE);
	const char *id = sl_headers_get(&rec->hdr, SL_F_WARC_RECORD_ID);
	char ess[256];
	size_t elen = media_essence(ct ? ct : "", ess, sizeof(ess));

	it->id = vrec_str(&b->hrec, id, id ? strlen(id) : 0);
	it->ess = vrec_str(&b->hrec, ess, elen);
	it->elen = elen;
	it->json = media_is_json(ess, elen);
	v->recto = &b->hrec;
	it->h0 = b->hrec.n;
	sl_arena_reset(&v->scratch);
	check_payload(v, rec, ess);
	check_context(v, rec);
	if (c->fresh_header) {
		const struct sl_hfield *f = sl_headers_find_name(&rec->hdr,
		    c->fresh_field, strlen(c->fresh_field));

		if (f && sl_time_parse(f->value, f->value_len, &it->fresh_ht,
		    NULL) == 0)
			it->fresh_h = 1;
	}
	it->hn = b->hrec.n - it->h0;
	v->recto = NULL;
}

/* The key of each unique rule in doc, for check_apply(). */
static void
unique_keys(struct validate *v, const struct sl_json *doc, struct batch *b,
    struct item *it)
{
	struct contract *c = &v->c;

	for (size_t i = 0; i < c->nunique; i++) {
		struct unique_rule *u = &c->unique[i];
		struct uqres *q = &b->uq[it->uq + i];
		const struct sl_json *first = NULL;

		q->missing = 0;
		sl_buf_reset(&v->tmp);
		for (size_t j = 0; j < u->n; j++) {
			const struct sl_json *x = sl_json_pointer(doc,
			    u->ptrs[j]->u.str, u->ptrs[j]->len);

			if (x == NULL || x->type == SL_JSON_NULL) {
				q->missing = 1;
				break;
			}
			if (j == 0)
				first = x;
			sl_buf_addc(&v->tmp, j ? ',' : '[');
			if (x->type == SL_JSON_NUMBER)
				add_canonical_number(&v->tmp, x->u.num, x->len);
			else
				sl_json_write(&v->tmp, x);
		}
		if (q->missing)
			continue;   /* "required" says whether it must be there */
		sl_buf_addc(&v->tmp, ']');
		sl_sha256(v->hasher, v->tmp.data, v->tmp.len, q->d);
		if (u->n == 1) {
			excerpt(&v->exbuf, first);
		} else {
			/* the key as written, not in canonical form */
			sl_buf_reset(&v->exbuf);
			for (size_t j = 0; j < u->n; j++) {
				sl_buf_addc(&v->exbuf, j ? ',' : '[');
				sl_json_write(&v->exbuf, sl_json_pointer(doc,
				    u->ptrs[j]->u.str, u->ptrs[j]->len));
			}
			sl_buf_addc(&v->exbuf, ']');
		}
		q->text = vrec_str(&b->wrec, v->exbuf.data, v->exbuf.len);
		q->textlen = v->exbuf.len;
	}
}

/*
 * The payload half: JSON, duplicate names, the record schema, and what the
 * remembering rules need.  Touches nothing shared: runs in worker threads
 * (v is the worker's own copy) as well as on the main thread.
 */
static void
check_block(struct validate *v, struct batch *b, struct item *it)
{
	struct contract *c = &v->c;
	const char *blk = it->block ? (const char *)it->block :
	    b->raw.data + it->block_off;
	struct sl_json doc;
	struct sl_json_error jerr;
	unsigned char *bits;

	it->bits = b->bits.len;
	sl_buf_grow(&b->bits, c->nnulls + 1);
	memset(b->bits.data + b->bits.len, 0, c->nnulls);
	b->bits.len += c->nnulls;
	bits = (unsigned char *)b->bits.data + it->bits;
	it->uq = b->nuq;
	b->uq = sl_grow(b->uq, &b->capuq, b->nuq + c->nunique + 1,
	    sizeof(*b->uq));
	for (size_t i = 0; i < c->nunique; i++)
		b->uq[b->nuq + i].missing = 1;
	b->nuq += c->nunique;
	v->recto = &b->wrec;
	it->w0 = b->wrec.n;
	sl_arena_reset(&v->scratch);
	if (c->needs_json && it->json) {
		if (sl_json_parse(&v->scratch, blk, it->block_len, &doc,
		    &jerr) != SL_JSON_OK) {
			char msg[256];

			snprintf(msg, sizeof(msg), "payload is not JSON: %s at "
			    "byte %zu", jerr.msg, jerr.offset);
			violation(v, "", "json", "/record", severity_of(c,
			    "/record"), NULL, msg);
			/* nothing inside can be checked: count as all null */
			memset(bits, 1, c->nnulls);
		} else {
			const struct sl_json_member *dup = NULL;
			const struct sl_json *obj;

			v->doc = &doc;
			sl_buf_reset(&v->tmp);
			sl_buf_addc(&v->tmp, '\0');
			v->tmp.len = 0;
			if ((obj = find_duplicate(v, &doc, &v->tmp, &dup)) != NULL) {
				struct sl_buf msg = SL_BUF_INIT;
				char *where = sl_arena_alloc(&v->scratch,
				    v->tmp.len + 1);

				memcpy(where, v->tmp.data, v->tmp.len + 1);
				sl_buf_adds(&msg, "the name ");
				add_json_text(&msg, dup->key, dup->key_len < 100 ?
				    dup->key_len : 100);
				sl_buf_adds(&msg, " is given twice in one object: "
				    "readers disagree on its value");
				violation(v, where, "json", "/record", severity_of(c,
				    "/record"), NULL, msg.data);
				sl_buf_release(&msg);
			}
			if (c->schema && sl_schema_validate(c->schema, &doc,
			    &v->scratch, NULL, NULL, 0) > 0)
				sl_schema_validate(c->schema, &doc, &v->scratch,
				    on_schema_violation, v, 100);
			unique_keys(v, &doc, b, it);
			for (size_t i = 0; i < c->nnulls; i++) {
				const struct sl_json *x = sl_json_pointer(&doc,
				    c->nulls[i].ptr, c->nulls[i].ptr_len);

				if (x == NULL || x->type == SL_JSON_NULL)
					bits[i] = 1;
			}
			if (c->fresh_field && !c->fresh_header) {
				const struct sl_json *x = sl_json_pointer(&doc,
				    c->fresh_field, strlen(c->fresh_field));

				if (x && x->type == SL_JSON_STRING &&
				    sl_time_parse(x->u.str, x->len, &it->fresh_jt,
				    NULL) == 0)
					it->fresh_j = 1;
			}
		}
	} else if (c->needs_json) {
		const char *ess = b->hrec.s.data + it->ess;
		size_t elen = it->elen;

		/* a payload that is not JSON has nothing for these rules */
		memset(bits, 1, c->nnulls);
		/*
		 * A record schema says the payloads are JSON: one that is
		 * not would pass it unchecked, unless the contract lists its
		 * media type.
		 */
		if (c->schema && c->media == NULL) {
			char msg[400];

			snprintf(msg, sizeof(msg), "payload is %s%.200s%s, not "
			    "JSON: the record schema cannot check it (list the "
			    "media types to let through in payload.mediaTypes)",
			    elen ? "\"" : "", elen ? ess : "of no media type",
			    elen ? "\"" : "");
			violation(v, "", "json", "/record", severity_of(c,
			    "/record"), NULL, msg);
		}
	}
	it->wn = b->wrec.n - it->w0;
	v->recto = NULL;
	v->doc = NULL;
}

/*
 * Reports an item's violations and applies the remembering rules, in input
 * order.  Returns its outcome: SEV_NONE (pass), SEV_WARN or SEV_ERROR.
 */
static enum sev
check_apply(struct validate *v, struct batch *b, const struct item *it)
{
	struct contract *c = &v->c;
	const unsigned char *bits = (const unsigned char *)b->bits.data +
	    it->bits;
	char msg[512];

	v->input = it->input;
	v->cur_set = 1;
	v->cur_id = it->id == NO_STR ? NULL : b->hrec.s.data + it->id;
	v->cur_number = it->number;
	v->cur_offset = it->offset;
	v->worst = SEV_NONE;
	vrec_apply(v, &b->hrec, it->h0, it->hn);
	if (it->fresh_h)
		note_time(v, it->fresh_ht);
	vrec_apply(v, &b->wrec, it->w0, it->wn);
	for (size_t i = 0; i < c->nunique; i++) {
		struct unique_rule *u = &c->unique[i];
		const struct uqres *q = &b->uq[it->uq + i];
		unsigned char d[SL_SHA256_LEN];
		const char *text;

		if (q->missing)
			continue;
		memcpy(d, q->d, sizeof(d));
		if (!unique_seen(u, d))
			continue;
		u->dups++;
		text = b->wrec.s.data + q->text;
		if (u->n == 1)
			snprintf(msg, sizeof(msg), "value seen before: not unique");
		else
			snprintf(msg, sizeof(msg), "key %.300s seen before: not "
			    "unique", text);
		violation_apply(v, u->ptrs[0]->u.str, "unique", u->loc,
		    severity_of(c, u->loc), NULL, u->n == 1 ? text : NULL,
		    u->n == 1 ? q->textlen : 0, msg);
	}
	for (size_t i = 0; i < c->nnulls; i++)
		c->nulls[i].nulls += bits[i];
	if (it->fresh_j)
		note_time(v, it->fresh_jt);
	v->cur_set = 0;
	v->cur_id = NULL;
	return v->worst;
}

/*
 * Checks one data record against every per-record rule of the contract,
 * on the main thread.  Returns its outcome.
 */
static enum sev
check_record(struct validate *v, const struct sl_record *rec, uint64_t bytes)
{
	struct batch *b = v->solo;
	struct item *it;

	batch_reset(b);
	it = item_new(b, rec, v->input, bytes);
	it->block = rec->block;
	v->rec = rec;
	check_head(v, rec, b, it);
	check_block(v, b, it);
	v->rec = NULL;
	return check_apply(v, b, it);
}

/*
 * Sets this contract's Sluice-Contract line on rec: an earlier line for
 * the same name@version is replaced, lines of other contracts are kept.
 * Returns the number of fields kept in front of the new line when none was
 * removed (the record as read, with one field appended), else (size_t)-1.
 */
static size_t
set_contract_line(struct validate *v, struct sl_record *rec, const char *line)
{
	struct sl_headers *h = &rec->hdr;
	size_t o = 0;
	int removed;

	for (size_t i = 0; i < h->n; i++) {
		const struct sl_hfield *f = &h->f[i];

		if (f->id == SL_F_SLUICE_CONTRACT && f->value_len > v->c.tag_len &&
		    memcmp(f->value, v->c.tag, v->c.tag_len) == 0 &&
		    f->value[v->c.tag_len] == ' ')
			continue;
		h->f[o++] = h->f[i];
	}
	removed = o < h->n;
	h->n = o;
	sl_headers_add_safe(h, SL_F_SLUICE_CONTRACT, line, strlen(line));
	return removed ? (size_t)-1 : o;
}

/*
 * Where records go: the gate's file, or the run's output.  nkeep: the
 * record is as read but for fields appended after its first nkeep
 * ((size_t)-1: changed), so its bytes as read can be copied.
 */
static void
emit_kept(struct validate *v, const struct sl_record *rec, size_t nkeep)
{
	struct sl_writer *w = v->have_gate ? &v->gate : &v->run.out;

	if (nkeep == (size_t)-1 || (!v->have_gate &&
	    v->run.warcinfo_pending)) {
		if (v->have_gate) {
			if (sl_writer_put(&v->gate, rec) < 0)
				sl_die(SL_EX_SOFTWARE, "internal error: %s",
				    v->gate.err);
		} else {
			sl_run_put(&v->run, rec);
		}
		return;
	}
	if (sl_writer_put_appended(w, rec, nkeep) < 0)
		sl_die(SL_EX_SOFTWARE, "internal error: %s", w->err);
}

static void
emit(struct validate *v, const struct sl_record *rec)
{
	emit_kept(v, rec, rec->hdr.n);
}

static void
reject_put(struct validate *v, const struct sl_record *rec)
{
	if (sl_writer_put_appended(&v->reject, rec, rec->hdr.n) < 0)
		sl_die(SL_EX_SOFTWARE, "internal error: %s", v->reject.err);
}

/* A failing record with nowhere to go stops the run (outside gate mode). */
static void
stop_at(struct validate *v, const char *input, uint64_t number,
    uint64_t offset)
{
	v->stopped = 1;
	v->stop_number = number;
	v->stop_input = input;
	sl_error("%s: record %llu at byte %llu: breaks contract %s: stopped "
	    "(--reject FILE sets failing records aside and goes on)", input,
	    (unsigned long long)number, (unsigned long long)offset, v->c.tag);
}

/* Returns 0 to go on, -1 when the run must stop (a failing record with
 * nowhere to go, outside gate mode). */
static int
process(struct validate *v, struct sl_record *rec, const char *input,
    uint64_t bytes)
{
	enum sev outcome;

	v->run.bytes_in += bytes;
	if (!sl_record_is_data(rec)) {
		emit(v, rec);
		return 0;
	}
	v->run.records_in++;
	v->input = input;
	outcome = check_record(v, rec, bytes);
	if (outcome == SEV_ERROR) {
		v->failed++;
		v->run.records_rejected++;
		if (v->have_reject)
			reject_put(v, rec);
		if (v->cfg.annotate) {
			emit_kept(v, rec, set_contract_line(v, rec,
			    v->c.tag_fail));
			v->run.records_out++;
		}
		if (!v->have_reject && !v->cfg.annotate) {
			v->homeless++;
			if (!v->cfg.gate) {
				stop_at(v, input, rec->number, rec->offset);
				return -1;
			}
		}
		return 0;
	}
	v->passed++;
	if (outcome == SEV_WARN)
		v->warned++;
	emit_kept(v, rec, set_contract_line(v, rec, outcome == SEV_WARN ?
	    v->c.tag_warn : v->c.tag_pass));
	v->run.records_out++;
	return 0;
}

/*
 * Parallel checking.  The main thread reads records; a data record whose
 * bytes the reader kept (rec->raw) and that carries no line of this
 * contract yet goes into a batch: its bytes copied, its header half
 * checked.  Worker threads check the payload halves of whole batches;
 * the main thread takes the batches back in order and, for each record,
 * reports, counts and writes it exactly as process() would, writing the
 * bytes as read with the contract's line appended.  Any other record first
 * empties the pipeline, then goes through process().  A record that stops
 * the run stops it there: what was read after it is dropped unseen.
 */
#define BATCH_RECORDS 512
#define BATCH_BYTES ((size_t)1 << 20)

/* Writes bytes as read with one header line inserted before the blank
 * line, to w (NULL: the run's output). */
static void
put_raw(struct validate *v, struct sl_writer *w, const char *raw,
    size_t head, size_t len, const char *line)
{
	struct sl_buf *o = &v->outtmp;
	struct sl_piece pc[3];

	if (w == NULL && v->run.warcinfo_pending) {
		/* the first record: the run's warcinfo goes out before it */
		sl_buf_reset(o);
		sl_buf_add(o, raw, head);
		if (line)
			sl_buf_adds(o, line);
		sl_buf_add(o, raw + head, len - head);
		sl_run_put_framed(&v->run, o->data, o->len, 1);
		return;
	}
	pc[0].p = raw;
	pc[0].len = head;
	pc[1].p = line;
	pc[1].len = line ? strlen(line) : 0;
	pc[2].p = raw + head;
	pc[2].len = len - head;
	sl_writer_put_pieces(w ? w : &v->run.out, pc, 3, 1);
}

/* process() for a checked item; returns -1 when the run stops. */
static int
item_done(struct validate *v, struct batch *b, const struct item *it)
{
	const char *raw = b->raw.data + it->raw_off;
	struct sl_writer *out = v->have_gate ? &v->gate : NULL;
	enum sev outcome;

	v->run.bytes_in += it->bytes;
	v->run.records_in++;
	outcome = check_apply(v, b, it);
	if (outcome == SEV_ERROR) {
		v->failed++;
		v->run.records_rejected++;
		if (v->have_reject)
			put_raw(v, &v->reject, raw, it->raw_head, it->raw_len,
			    NULL);
		if (v->cfg.annotate) {
			put_raw(v, out, raw, it->raw_head, it->raw_len,
			    v->line_fail);
			v->run.records_out++;
		}
		if (!v->have_reject && !v->cfg.annotate) {
			v->homeless++;
			if (!v->cfg.gate) {
				stop_at(v, it->input, it->number, it->offset);
				return -1;
			}
		}
		return 0;
	}
	v->passed++;
	if (outcome == SEV_WARN)
		v->warned++;
	put_raw(v, out, raw, it->raw_head, it->raw_len, outcome == SEV_WARN ?
	    v->line_warn : v->line_pass);
	v->run.records_out++;
	return 0;
}

static void
batch_work(void *job, void *state)
{
	struct batch *b = job;

	for (size_t i = 0; i < b->n; i++)
		check_block(state, b, &b->items[i]);
}

/*
 * A worker's own copy of the checker (arg: a copy made before the workers
 * started): the contract shared read-only.
 */
static void *
worker_init(void *arg)
{
	struct validate *w = sl_malloc(sizeof(*w));

	memcpy(w, arg, sizeof(*w));
	sl_arena_init(&w->scratch);
	w->tmp = (struct sl_buf)SL_BUF_INIT;
	w->line = (struct sl_buf)SL_BUF_INIT;
	w->exbuf = (struct sl_buf)SL_BUF_INIT;
	w->hasher = sl_hasher_new();
	w->recto = NULL;
	return w;
}

static void
worker_fini(void *state)
{
	struct validate *w = state;

	sl_arena_release(&w->scratch);
	sl_buf_release(&w->tmp);
	sl_buf_release(&w->line);
	sl_buf_release(&w->exbuf);
	sl_hasher_free(w->hasher);
	free(w);
	sl_schema_thread_release();
}

/* Reports and writes a checked batch (nothing once the run stopped). */
static void
batch_done(struct validate *v, struct batch *b)
{
	for (size_t i = 0; i < b->n && !v->stopped; i++) {
		if (item_done(v, b, &b->items[i]) < 0)
			break;
		sl_run_tick(&v->run);
	}
	if (v->nspare < sizeof(v->spare) / sizeof(v->spare[0]))
		v->spare[v->nspare++] = b;
	else
		batch_free(b);
}

static void
batch_submit(struct validate *v)
{
	struct batch *b;

	if (v->cur == NULL)
		return;
	while ((b = sl_pool_collect(v->pool, sl_pool_full(v->pool))) != NULL)
		batch_done(v, b);
	sl_pool_submit(v->pool, v->cur);
	v->cur = NULL;
}

/* Checks, reports and writes everything read so far. */
static void
batch_drain(struct validate *v)
{
	struct batch *b;

	if (!v->batching)
		return;
	batch_submit(v);
	while ((b = sl_pool_collect(v->pool, 1)) != NULL)
		batch_done(v, b);
}

/* Can rec go into a batch? */
static int
batchable(const struct validate *v, const struct sl_record *rec)
{
	const struct sl_headers *h = &rec->hdr;

	if (!v->batching || !sl_record_is_data(rec) || rec->raw == NULL ||
	    rec->raw_nfields != h->n || rec->raw_head > 65536)
		return 0;
	for (size_t i = 0; i < h->n; i++)
		if (h->f[i].id == SL_F_SLUICE_CONTRACT)
			return 0;   /* set_contract_line() may replace it */
	return 1;
}

static void
batch_add(struct validate *v, const struct sl_record *rec, const char *input,
    uint64_t bytes)
{
	struct batch *b;
	struct item *it;

	if (v->cur == NULL) {
		v->cur = v->nspare ? v->spare[--v->nspare] :
		    sl_calloc(1, sizeof(*v->cur));
		batch_reset(v->cur);
	}
	b = v->cur;
	it = item_new(b, rec, input, bytes);
	it->raw_off = b->raw.len;
	it->raw_len = rec->raw_len;
	it->raw_head = rec->raw_head;
	it->block_off = b->raw.len + (size_t)(rec->block - rec->raw);
	sl_buf_add(&b->raw, rec->raw, rec->raw_len);
	v->rec = rec;
	check_head(v, rec, b, it);
	v->rec = NULL;
	if (b->n >= BATCH_RECORDS || b->raw.len >= BATCH_BYTES)
		batch_submit(v);
}

static int finish(struct validate *v);
static const char *contract_line(const char *value);

/*
 * The input would block: what was read leaves now (live pipelines).  A
 * record that stops the run ends it here, as it would have without
 * waiting for more input.
 */
static void
validate_idle(void *arg)
{
	struct validate *v = arg;

	batch_drain(v);
	if (v->stopped)
		exit(finish(v));
	sl_writer_idle(&v->run.out);
}

/* ---- the end of the stream ---- */

static void
stream_finding(struct validate *v, const char *check, const char *loc,
    enum sev sev, const char *fmt, ...) SL_PRINTF(5, 6);

static void
stream_finding(struct validate *v, const char *check, const char *loc,
    enum sev sev, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	struct stream_finding *f;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (v->cfg.warn_error && sev == SEV_WARN)
		sev = SEV_ERROR;
	v->finds = sl_reallocarray(v->finds, v->nfinds + 1, sizeof(*v->finds));
	f = &v->finds[v->nfinds++];
	f->check = check;
	f->loc = sl_strdup(loc);
	f->sev = sev;
	f->msg = sl_strdup(msg);
	if (sev > v->stream_worst)
		v->stream_worst = sev;
	v->rec = NULL;
	v->cur_set = 0;
	violation(v, NULL, check, loc, sev, NULL, msg);
}

/* "1.5%" */
static void
pct(char *out, size_t n, double x)
{
	snprintf(out, n, "%.4g%%", x * 100);
}

/* A rate against its thresholds: the error one first. */
static void
check_rate(struct validate *v, const char *check, const char *loc,
    const struct rate *r, uint64_t count, uint64_t total, const char *what)
{
	double x = total ? (double)count / (double)total : 0;
	char a[32], b[32], l[600];

	pct(a, sizeof(a), x);
	if (r->has_error && x > r->error) {
		pct(b, sizeof(b), r->error);
		snprintf(l, sizeof(l), "%s/error", loc);
		stream_finding(v, check, l, severity_of(&v->c, l) == SEV_WARN ?
		    SEV_WARN : SEV_ERROR, "%s %s (%llu of %llu) is above the "
		    "error threshold %s", what, a, (unsigned long long)count,
		    (unsigned long long)total, b);
	} else if (r->has_warn && x > r->warn) {
		pct(b, sizeof(b), r->warn);
		snprintf(l, sizeof(l), "%s/warn", loc);
		stream_finding(v, check, l, SEV_WARN, "%s %s (%llu of %llu) is "
		    "above the warning threshold %s", what, a,
		    (unsigned long long)count, (unsigned long long)total, b);
	}
}

static void
stream_checks(struct validate *v)
{
	struct contract *c = &v->c;
	uint64_t in = v->run.records_in;
	char t1[SL_TIME_STRLEN], t2[SL_TIME_STRLEN];

	if (c->has_rows_min && in < c->rows_min)
		stream_finding(v, "rows", "/stream/rows/min",
		    severity_of(c, "/stream/rows/min"), "%llu data record%s, "
		    "fewer than the minimum %llu", (unsigned long long)in,
		    in == 1 ? "" : "s", (unsigned long long)c->rows_min);
	if (c->has_rows_max && in > c->rows_max)
		stream_finding(v, "rows", "/stream/rows/max",
		    severity_of(c, "/stream/rows/max"), "%llu data records, "
		    "more than the maximum %llu", (unsigned long long)in,
		    (unsigned long long)c->rows_max);
	if (c->fresh_field) {
		sl_time_format(v->now, SL_TIME_AUTO, t2);
		if (v->future > 0) {
			sl_time_format(v->future_max, SL_TIME_AUTO, t1);
			stream_finding(v, "freshness", "/stream/freshness/field",
			    SEV_WARN, "%llu record%s with a time in %s after now "
			    "(%s), the latest %s: not counted for freshness",
			    (unsigned long long)v->future, v->future == 1 ? "" :
			    "s", c->fresh_field, t2, t1);
		}
		if (!v->latest_set) {
			stream_finding(v, "freshness", "/stream/freshness/field",
			    severity_of(c, "/stream/freshness/field"),
			    "no record has a time in %s up to now to measure "
			    "freshness by", c->fresh_field);
		} else {
			sl_time_format(v->latest, SL_TIME_AUTO, t1);
			if (c->has_fresh_error &&
			    sl_time_add(v->latest, &c->fresh_error) < v->now)
				stream_finding(v, "freshness",
				    "/stream/freshness/errorAfter",
				    severity_of(c, "/stream/freshness/errorAfter")
				    == SEV_WARN ? SEV_WARN : SEV_ERROR,
				    "newest %s is %s, older than %s at %s",
				    c->fresh_field, t1, c->fresh_error_text, t2);
			else if (c->has_fresh_warn &&
			    sl_time_add(v->latest, &c->fresh_warn) < v->now)
				stream_finding(v, "freshness",
				    "/stream/freshness/warnAfter", SEV_WARN,
				    "newest %s is %s, older than %s at %s",
				    c->fresh_field, t1, c->fresh_warn_text, t2);
		}
	}
	for (size_t i = 0; i < c->nnulls; i++) {
		char what[300];

		snprintf(what, sizeof(what), "%.200s null or missing in",
		    c->nulls[i].ptr);
		check_rate(v, "nullRate", c->nulls[i].loc, &c->nulls[i].rate,
		    c->nulls[i].nulls, in, what);
	}
	if (c->has_invalid)
		check_rate(v, "invalidRate", "/stream/invalidRate", &c->invalid,
		    v->failed, in, "invalid records:");
}

/* The run's outcome: SEV_ERROR when the contract was breached. */
static int
outcome(struct validate *v)
{
	enum sev r = v->stream_worst;

	if (v->stopped || v->homeless > 0)
		r = SEV_ERROR;
	/* failing records breach the contract unless invalidRate allows them */
	if (v->failed > 0 && !v->c.has_invalid)
		r = SEV_ERROR;
	if (r < SEV_WARN && (v->warnings > 0 || v->warned > 0))
		r = SEV_WARN;
	return (int)r;
}

static const char *
result_name(int r)
{
	return r == SEV_ERROR ? "fail" : r == SEV_WARN ? "warn" : "pass";
}

static int
cmp_tally(const void *a, const void *b)
{
	const struct tally *x = a, *y = b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->loc, y->loc);
}

/* The report, as JSON (for --report and --report-record). */
static void
report_json(struct validate *v, struct sl_buf *b, int argc, char **argv,
    int argi)
{
	char t[SL_TIME_STRLEN];

	sl_buf_adds(b, "{\"contract\":");
	sl_json_write_string(b, v->c.name, strlen(v->c.name));
	sl_buf_adds(b, ",\"version\":");
	sl_json_write_string(b, v->c.version, strlen(v->c.version));
	sl_buf_addf(b, ",\"result\":\"%s\",\"run\":\"%s\"", result_name(v->result),
	    v->run.id);
	sl_time_format(v->now, SL_TIME_AUTO, t);
	sl_buf_addf(b, ",\"now\":\"%s\",\"inputs\":[", t);
	if (argi == argc)
		sl_buf_adds(b, "\"stdin\"");
	for (int i = argi; i < argc; i++) {
		if (i > argi)
			sl_buf_addc(b, ',');
		add_json_text(b, strcmp(argv[i], "-") == 0 ? "stdin" : argv[i],
		    strlen(strcmp(argv[i], "-") == 0 ? "stdin" : argv[i]));
	}
	sl_buf_addf(b, "],\"records\":{\"in\":%llu,\"passed\":%llu,\"warned\":%llu,"
	    "\"rejected\":%llu}", (unsigned long long)v->run.records_in,
	    (unsigned long long)v->passed, (unsigned long long)v->warned,
	    (unsigned long long)v->failed);
	sl_buf_addf(b, ",\"violations\":{\"errors\":%llu,\"warnings\":%llu,"
	    "\"reported\":%llu,\"unreported\":%llu}",
	    (unsigned long long)v->errors, (unsigned long long)v->warnings,
	    (unsigned long long)v->reported, (unsigned long long)v->unreported);
	sl_buf_adds(b, ",\"top\":[");
	for (size_t i = 0; i < v->ntally && i < 20; i++) {
		if (i)
			sl_buf_addc(b, ',');
		sl_buf_adds(b, "{\"schema\":");
		add_json_text(b, v->tally[i].loc, strlen(v->tally[i].loc));
		sl_buf_adds(b, ",\"keyword\":");
		add_json_text(b, v->tally[i].keyword, strlen(v->tally[i].keyword));
		sl_buf_addf(b, ",\"count\":%llu}", (unsigned long long)v->tally[i].n);
	}
	sl_buf_adds(b, "],\"stream\":[");
	for (size_t i = 0; i < v->nfinds; i++) {
		const struct stream_finding *f = &v->finds[i];

		if (i)
			sl_buf_addc(b, ',');
		sl_buf_addf(b, "{\"check\":\"%s\",\"schema\":", f->check);
		add_json_text(b, f->loc, strlen(f->loc));
		sl_buf_addf(b, ",\"severity\":\"%s\",\"message\":",
		    f->sev == SEV_ERROR ? "error" : "warn");
		add_json_text(b, f->msg, strlen(f->msg));
		sl_buf_addc(b, '}');
	}
	sl_buf_adds(b, "]");
	if (v->stopped) {
		sl_buf_adds(b, ",\"stopped\":{\"input\":");
		add_json_text(b, v->stop_input, strlen(v->stop_input));
		sl_buf_addf(b, ",\"record\":%llu}", (unsigned long long)v->stop_number);
	} else {
		sl_buf_adds(b, ",\"stopped\":null");
	}
	sl_buf_adds(b, "}\n");
}

static void
summary(struct validate *v)
{
	struct sl_buf b = SL_BUF_INIT;

	if (sl_diag_quiet())
		return;
	sl_note("contract %s: %s: %llu record%s in, %llu passed (%llu with "
	    "warnings), %llu rejected%s", v->c.tag, result_name(v->result),
	    (unsigned long long)v->run.records_in,
	    v->run.records_in == 1 ? "" : "s", (unsigned long long)v->passed,
	    (unsigned long long)v->warned, (unsigned long long)v->failed,
	    v->stopped ? " (stopped at the first)" : "");
	if (v->errors + v->warnings == 0)
		return;
	sl_buf_addf(&b, "violations: %llu error%s, %llu warning%s",
	    (unsigned long long)v->errors, v->errors == 1 ? "" : "s",
	    (unsigned long long)v->warnings, v->warnings == 1 ? "" : "s");
	if (v->unreported)
		sl_buf_addf(&b, " (%llu not shown: --max-errors)",
		    (unsigned long long)v->unreported);
	sl_buf_adds(&b, "; top:");
	for (size_t i = 0; i < v->ntally && i < 5; i++) {
		sl_buf_addf(&b, "%s %s at ", i ? "," : "", v->tally[i].keyword);
		add_printable(&b, v->tally[i].loc, 200);
		sl_buf_addf(&b, " (%llu)", (unsigned long long)v->tally[i].n);
	}
	sl_note("%s", b.data);
	sl_buf_release(&b);
}

/* The report as a metadata record at the end of the stream. */
static void
report_record(struct validate *v, const struct sl_buf *report)
{
	struct sl_record rec;
	char t[SL_TIME_STRLEN], digest[SL_DIGEST_STRLEN + 1], id[SL_URN_STRLEN + 1];
	char run_urn[SL_URN_STRLEN + 1];
	const char *parts[2];
	size_t lens[2] = { (size_t)-1, (size_t)-1 };
	struct sl_uuid u;

	sl_record_init(&rec);
	parts[0] = v->run.id;
	parts[1] = "sluice-validate report";
	sl_uuid5(v->hasher, &sl_uuid_ns, &u, 2, parts, lens);
	sl_uuid_urn(&u, id);
	sl_uuid_urn(&v->run.uuid, run_urn);
	sl_time_format(sl_now(), SL_TIME_MICRO, t);
	sl_digest_str(v->hasher, report->data, report->len, digest);
	rec.type = SL_R_METADATA;
	sl_headers_sets(&rec.hdr, SL_F_WARC_TYPE, "metadata");
	sl_headers_sets(&rec.hdr, SL_F_WARC_RECORD_ID, id);
	sl_headers_sets(&rec.hdr, SL_F_WARC_DATE, t);
	sl_headers_sets(&rec.hdr, SL_F_WARC_REFERS_TO, run_urn);
	sl_headers_sets(&rec.hdr, SL_F_CONTENT_TYPE, "application/json");
	sl_headers_sets(&rec.hdr, SL_F_WARC_BLOCK_DIGEST, digest);
	sl_record_set_block(&rec, report->data, report->len);
	sl_run_put(&v->run, &rec);
	sl_record_release(&rec);
}

/* The gate passed: the held stream goes out. */
static void
gate_release(struct validate *v)
{
	struct sl_input in;
	struct sl_reader r;
	struct sl_record rec;
	int rc;

	sl_writer_flush(&v->gate);
	if (lseek(v->gate_fd, 0, SEEK_SET) < 0)
		sl_die(SL_EX_IOERR, "gate: cannot rewind the held stream: %s",
		    strerror(errno));
	sl_input_fdopen(&in, v->gate_fd, "the held stream", SL_INPUT_RAW);
	sl_reader_init(&r, &in);
	sl_record_init(&rec);
	while ((rc = sl_reader_next(&r, &rec)) > 0)
		sl_run_put(&v->run, &rec);
	if (rc < 0)
		sl_die(SL_EX_SOFTWARE, "internal error: %s", r.err);
	sl_record_release(&rec);
	sl_input_close(&in);
}

/* Nothing of the run reaches the output (a closed gate, a stopped -o). */
static void
discard_output(struct validate *v)
{
	v->run.warcinfo_pending = 0;
	sl_buf_reset(&v->run.out.out);
	if (v->run.out_file.path) {
		sl_outfile_abort(&v->run.out_file);
		v->run.out_closed = 1;
	}
}

/* A file that must appear whole: 74 when it cannot be created. */
static void
open_side_file(struct sl_outfile *o, const char *path)
{
	char err[512];

	if (sl_outfile_open(o, path, err, sizeof(err)) < 0)
		sl_die(SL_EX_IOERR, "%s", err);
}

static void
commit_side_file(struct sl_outfile *o)
{
	char err[512];

	if (sl_outfile_commit(o, err, sizeof(err)) < 0)
		sl_die(SL_EX_IOERR, "%s", err);
}

/* Writes p[0..len) to fd or dies 74 naming path. */
static void
write_all(int fd, const char *p, size_t len, const char *path)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			sl_die(SL_EX_IOERR, "%s: write error: %s", path,
			    strerror(errno));
		p += n;
		len -= (size_t)n;
	}
}

/* The reject stream starts, as every stream does, with the run's warcinfo. */
static void
reject_open(struct validate *v)
{
	open_side_file(&v->reject_file, v->cfg.reject);
	v->have_reject = 1;
	sl_writer_init(&v->reject, v->reject_file.fd, v->reject_file.path,
	    v->run.common.gzip);
	sl_run_put_warcinfo(&v->run, &v->reject);
}

static void
gate_open(struct validate *v)
{
	const char *dir = getenv("TMPDIR");
	struct sl_buf path = SL_BUF_INIT;

	sl_buf_addf(&path, "%s/sluice-validate-gate.XXXXXX", dir && *dir ? dir :
	    "/tmp");
	v->gate_fd = mkstemp(path.data);
	if (v->gate_fd < 0)
		sl_die(SL_EX_CANTCREAT, "%s: cannot create the gate's temporary "
		    "file: %s", path.data, strerror(errno));
	unlink(path.data);   /* held, never left behind */
	sl_buf_release(&path);
	sl_buf_addf(&v->gate_name, "the gate's temporary file in %s (TMPDIR)",
	    dir && *dir ? dir : "/tmp");
	sl_writer_init(&v->gate, v->gate_fd, v->gate_name.data, 0);
	v->have_gate = 1;
}

/* ---- --from-sample ---- */

#define SAMPLE_FIELDS 1024
#define SAMPLE_ENUM 10

struct sample_field {
	char *name;
	uint64_t present, nulls;
	unsigned types;             /* 1 << sl_json_type (TRUE/FALSE as one) */
	int all_integer;
	int have_num;
	double min, max;
	char *min_text, *max_text;
	char *enums[SAMPLE_ENUM];
	size_t nenums;
	int enum_overflow;
	size_t minlen, maxlen;
	int have_len;
};

struct sample {
	struct sample_field *f;
	size_t n;
	uint64_t records, objects;
	int too_many;
};

static struct sample_field *
sample_field(struct sample *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->f[i].name, name) == 0)
			return &s->f[i];
	if (s->n == SAMPLE_FIELDS) {
		s->too_many = 1;
		return NULL;
	}
	s->f = sl_reallocarray(s->f, s->n + 1, sizeof(*s->f));
	memset(&s->f[s->n], 0, sizeof(*s->f));
	s->f[s->n].name = sl_strdup(name);
	s->f[s->n].all_integer = 1;
	return &s->f[s->n++];
}

static void
sample_value(struct sample_field *f, const struct sl_json *x)
{
	enum sl_json_type t = x->type == SL_JSON_TRUE ? SL_JSON_FALSE : x->type;

	f->present++;
	if (x->type == SL_JSON_NULL) {
		f->nulls++;
		return;
	}
	f->types |= 1u << t;
	if (x->type == SL_JSON_NUMBER) {
		double d = strtod(x->u.num, NULL);

		if (strpbrk(x->u.num, ".eE"))
			f->all_integer = 0;
		if (!f->have_num || d < f->min) {
			f->min = d;
			free(f->min_text);
			f->min_text = sl_strdup(x->u.num);
		}
		if (!f->have_num || d > f->max) {
			f->max = d;
			free(f->max_text);
			f->max_text = sl_strdup(x->u.num);
		}
		f->have_num = 1;
	} else if (x->type == SL_JSON_STRING) {
		size_t i, chars = 0;

		/* minLength and maxLength count characters, not bytes */
		for (i = 0; i < x->len; i++)
			chars += ((unsigned char)x->u.str[i] & 0xc0) != 0x80;
		if (!f->have_len || chars < f->minlen)
			f->minlen = chars;
		if (!f->have_len || chars > f->maxlen)
			f->maxlen = chars;
		f->have_len = 1;
		if (f->enum_overflow || x->len > 64 || strlen(x->u.str) != x->len)
			goto overflow;
		for (i = 0; i < f->nenums; i++)
			if (strcmp(f->enums[i], x->u.str) == 0)
				return;
		if (f->nenums == SAMPLE_ENUM)
			goto overflow;
		f->enums[f->nenums++] = sl_strdup(x->u.str);
		return;
overflow:
		f->enum_overflow = 1;
		for (i = 0; i < f->nenums; i++)
			free(f->enums[i]);
		f->nenums = 0;
	}
}

static void
sample_record(struct sample *s, const struct sl_json *doc)
{
	s->records++;
	if (doc->type != SL_JSON_OBJECT)
		return;
	s->objects++;
	for (size_t i = 0; i < doc->len; i++) {
		const struct sl_json_member *m = &doc->u.members[i];
		struct sample_field *f;

		if (strlen(m->key) != m->key_len)
			continue;
		if ((f = sample_field(s, m->key)) != NULL)
			sample_value(f, &m->value);
	}
}

static void
sample_print(struct sample *s, const char *name, struct sl_buf *b)
{
	static const char *const tnames[] = { "null", "boolean", "",
		"number", "string", "array", "object" };

	sl_buf_adds(b, "{\n  \"contract\": ");
	sl_json_write_string(b, name, strlen(name));
	sl_buf_adds(b, ",\n  \"version\": \"1\",\n");
	sl_buf_addf(b, "  \"description\": \"drafted by sluice-validate "
	    "--from-sample from %llu records: edit before use\",\n",
	    (unsigned long long)s->records);
	sl_buf_adds(b, "  \"payload\": { \"mediaTypes\": [\"application/json\"] },\n");
	sl_buf_adds(b, "  \"record\": {\n    \"type\": \"object\",\n"
	    "    \"properties\": {");
	for (size_t i = 0; i < s->n; i++) {
		struct sample_field *f = &s->f[i];
		int ntypes = 0;

		sl_buf_adds(b, i ? ",\n      " : "\n      ");
		add_json_text(b, f->name, strlen(f->name));
		sl_buf_adds(b, ": { \"type\": ");
		for (int t = 0; t <= SL_JSON_OBJECT; t++)
			ntypes += (f->types >> t & 1) != 0;
		ntypes += f->nulls > 0;
		if (ntypes > 1)
			sl_buf_addc(b, '[');
		ntypes = 0;
		for (int t = 0; t <= SL_JSON_OBJECT; t++) {
			const char *tn = tnames[t];

			if (!(f->types >> t & 1))
				continue;
			if (t == SL_JSON_NUMBER && f->all_integer)
				tn = "integer";
			sl_buf_addf(b, "%s\"%s\"", ntypes++ ? ", " : "", tn);
		}
		if (f->nulls > 0)
			sl_buf_addf(b, "%s\"null\"", ntypes++ ? ", " : "");
		if (ntypes > 1)
			sl_buf_addc(b, ']');
		if (f->types == 1u << SL_JSON_NUMBER && f->have_num) {
			sl_buf_addf(b, ", \"minimum\": %s, \"maximum\": %s",
			    f->min_text, f->max_text);
		}
		if (f->types == 1u << SL_JSON_STRING && !f->enum_overflow &&
		    f->nenums > 0 && f->present - f->nulls >= 2 * f->nenums) {
			sl_buf_adds(b, ", \"enum\": [");
			for (size_t k = 0; k < f->nenums; k++) {
				if (k)
					sl_buf_adds(b, ", ");
				add_json_text(b, f->enums[k], strlen(f->enums[k]));
			}
			if (f->nulls > 0)
				sl_buf_adds(b, ", null");
			sl_buf_addc(b, ']');
		} else if (f->types == 1u << SL_JSON_STRING && f->have_len) {
			sl_buf_addf(b, ", \"minLength\": %zu, \"maxLength\": %zu",
			    f->minlen, f->maxlen);
		}
		sl_buf_adds(b, " }");
	}
	sl_buf_adds(b, "\n    },\n    \"required\": [");
	for (size_t i = 0, k = 0; i < s->n; i++)
		if (s->f[i].present == s->objects && s->objects > 0) {
			sl_buf_adds(b, k++ ? ", " : "");
			add_json_text(b, s->f[i].name, strlen(s->f[i].name));
		}
	sl_buf_adds(b, "]\n  },\n");
	sl_buf_addf(b, "  \"stream\": { \"rows\": { \"min\": %d } }\n}\n",
	    s->records > 0 ? 1 : 0);
}

/*
 * --from-sample: reads the inputs' data records and writes a draft
 * contract to output, or stdout (types, required fields, small enums,
 * ranges).
 * Memory is bounded by the number of top-level fields (at most 1024).
 */
static int
from_sample(const char *output, int argc, char **argv, int argi)
{
	struct sample s;
	struct sl_buf out = SL_BUF_INIT;
	struct sl_record rec;
	struct sl_arena a;
	char name[129];
	const char *base;
	size_t k = 0;
	int rc;

	memset(&s, 0, sizeof(s));
	sl_arena_init(&a);
	sl_record_init(&rec);
	for (int i = argi; i < argc || (i == argi && argi == argc); i++) {
		const char *path = i < argc ? argv[i] : "-";
		struct sl_input in;
		struct sl_reader r;

		if (sl_input_open(&in, path, 0) < 0)
			sl_die(in.status, "%s", in.err);
		sl_reader_init(&r, &in);
		while ((rc = sl_reader_next(&r, &rec)) > 0) {
			const char *ct = sl_headers_get(&rec.hdr, SL_F_CONTENT_TYPE);
			char ess[256];
			size_t el = media_essence(ct ? ct : "", ess, sizeof(ess));
			struct sl_json doc;

			if (!sl_record_is_data(&rec) || !media_is_json(ess, el))
				continue;
			sl_arena_reset(&a);
			if (sl_json_parse(&a, (const char *)rec.block, rec.block_len,
			    &doc, NULL) == SL_JSON_OK)
				sample_record(&s, &doc);
		}
		if (rc < 0)
			sl_die(r.status, "%s", r.err);
		sl_input_close(&in);
		if (argi == argc)
			break;
	}
	if (s.too_many)
		sl_warn("more than %d top-level fields: the others are left out",
		    SAMPLE_FIELDS);
	if (s.records == 0)
		sl_warn("no JSON data records: the draft says nothing about them");
	/* the name: the first input's base name up to its first dot */
	base = argi < argc && strcmp(argv[argi], "-") != 0 ?
	    strrchr(argv[argi], '/') : NULL;
	base = base ? base + 1 : argi < argc && strcmp(argv[argi], "-") != 0 ?
	    argv[argi] : "sample";
	for (; *base && *base != '.' && k < sizeof(name) - 1; base++)
		if (tag_part_valid(base, 1))
			name[k++] = *base;
	name[k] = '\0';
	sample_print(&s, k ? name : "sample", &out);
	if (output && strcmp(output, "-") != 0) {
		char err[512];

		if (sl_write_file(output, out.data, out.len, err, sizeof(err)) < 0)
			sl_die(SL_EX_CANTCREAT, "%s", err);
	} else if (fwrite(out.data, 1, out.len, stdout) != out.len ||
	    fflush(stdout) != 0) {
		sl_die(SL_EX_IOERR, "stdout: write error: %s", strerror(errno));
	}
	sl_buf_release(&out);
	for (size_t i = 0; i < s.n; i++) {
		free(s.f[i].name);
		free(s.f[i].min_text);
		free(s.f[i].max_text);
		for (size_t j = 0; j < s.f[i].nenums; j++)
			free(s.f[i].enums[j]);
	}
	free(s.f);
	sl_record_release(&rec);
	sl_arena_release(&a);
	return SL_EX_OK;
}

/*
 * Would a side file (--reject, --errors, --report) be the output stream
 * itself (--errors /dev/stdout, or -o's FILE)?  Its lines would land
 * between records.  Devices such as /dev/null and a terminal may be shared.
 */
static int
same_as_output(const char *path, const char *output)
{
	struct stat a, b;

	if (stat(path, &a) < 0 || S_ISCHR(a.st_mode))
		return 0;
	if (output && strcmp(output, "-") != 0) {
		if (stat(output, &b) < 0)
			return strcmp(path, output) == 0;
	} else if (fstat(STDOUT_FILENO, &b) < 0) {
		return 0;
	}
	return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* The side files name neither the output nor one another: 64 if they do. */
static void
check_side_files(const struct config *cfg, const char *output)
{
	const char *side[] = { cfg->reject, cfg->errors, cfg->report };
	const char *name[] = { "--reject", "--errors", "--report" };

	for (int i = 0; i < 3; i++) {
		if (side[i] == NULL)
			continue;
		if (same_as_output(side[i], output))
			sl_usage_error("%s: \"%s\" is the output stream: its "
			    "lines would land between records", name[i], side[i]);
		for (int j = 0; j < i; j++)
			if (side[j] && strcmp(side[i], side[j]) == 0 &&
			    strncmp(side[i], "/dev/", 5) != 0)
				sl_usage_error("%s and %s both name \"%s\"",
				    name[j], name[i], side[i]);
	}
}

/* ---- main ---- */

int
main(int argc, char **argv)
{
	static struct validate v;
	struct sl_common common;
	struct sl_record rec;
	int argi, first_input;
	const char *contract;

	sl_diag_init(argv[0]);
	v.cfg.max_errors = 100;
	argi = sl_opts_parse(&tool, &common, argc, argv, handle, &v.cfg);
	if (v.cfg.from_sample) {
		if (v.cfg.lint || v.cfg.gate || v.cfg.annotate || v.cfg.reject ||
		    v.cfg.errors || v.cfg.report || v.cfg.report_record ||
		    v.cfg.contract)
			sl_usage_error("--from-sample takes only input files");
		return from_sample(common.output, argc, argv, argi);
	}
	/* -c FILE, else the first operand */
	contract = v.cfg.contract;
	if (contract == NULL) {
		if (argi == argc)
			sl_usage_error("no contract: sluice-validate -c CONTRACT "
			    "[FILE ...]");
		contract = argv[argi++];
	}
	if (v.cfg.lint && argi < argc)
		sl_usage_error("--lint checks one contract and reads no data");
	if (strcmp(contract, "-") == 0 && !v.cfg.lint) {
		/* the stream would find standard input already at its end */
		if (argi == argc)
			sl_usage_error("the contract is standard input: name "
			    "the stream's files");
		for (int i = argi; i < argc; i++)
			if (strcmp(argv[i], "-") == 0)
				sl_usage_error("the contract and an input cannot "
				    "both be standard input");
	}
	if (v.cfg.gate && v.cfg.annotate)
		sl_usage_error("--gate and --annotate exclude each other");
	check_side_files(&v.cfg, common.output);
	if (v.cfg.now) {
		const char *why = NULL;

		if (sl_time_parse(v.cfg.now, strlen(v.cfg.now), &v.now, &why) < 0)
			sl_usage_error("--now: \"%s\" is not an RFC 3339 time%s%s",
			    v.cfg.now, why ? ": " : "", why ? why : "");
	} else {
		v.now = sl_now();
	}
	contract_load(&v.c, contract);
	if (v.cfg.lint) {
		printf("%s: %s: ok\n", contract, v.c.tag);
		contract_release(&v.c);
		return fflush(stdout) == 0 ? SL_EX_OK : SL_EX_IOERR;
	}
	first_input = argi;
	/* inputs that cannot be opened are found before any output */
	for (int i = argi; i < argc; i++) {
		struct stat sb;

		if (strcmp(argv[i], "-") == 0)
			continue;
		if (stat(argv[i], &sb) < 0 || access(argv[i], R_OK) < 0)
			sl_die(SL_EX_NOINPUT, "%s: cannot open: %s", argv[i],
			    strerror(errno));
		if (S_ISDIR(sb.st_mode))
			sl_die(SL_EX_NOINPUT, "%s: is a folder", argv[i]);
	}

	sl_run_start(&v.run, &tool, &common, argc, argv, 0);
	sl_arena_init(&v.scratch);
	v.hasher = sl_hasher_new();
	sl_diag_on_exit(on_exit_hook, &v);
	if (v.cfg.reject)
		reject_open(&v);
	if (v.cfg.errors) {
		open_side_file(&v.errors_file, v.cfg.errors);
		v.have_errors = 1;
	}
	if (v.cfg.report) {
		open_side_file(&v.report_file, v.cfg.report);
		v.have_report = 1;
	}
	if (v.cfg.gate)
		gate_open(&v);

	v.solo = sl_calloc(1, sizeof(*v.solo));
	v.line_pass = contract_line(v.c.tag_pass);
	v.line_warn = contract_line(v.c.tag_warn);
	v.line_fail = contract_line(v.c.tag_fail);
	v.argc = argc;
	v.argv = argv;
	v.first_input = first_input;
	{
		int ncpu = sl_ncpu(), nw = ncpu > 8 ? 8 : ncpu;

		/* gzip output is formatted whole: one thread */
		v.batching = ncpu > 1 && !v.run.common.gzip;
		if (v.batching) {
			/* what the workers copy, taken before they start */
			v.tmpl = sl_malloc(sizeof(*v.tmpl));
			memcpy(v.tmpl, &v, sizeof(*v.tmpl));
			v.pool = sl_pool_new(nw, (size_t)(2 * nw + 2), batch_work,
			    worker_init, worker_fini, v.tmpl);
		}
	}

	sl_record_init(&rec);
	for (int i = argi; i < argc || (i == argi && argi == argc); i++) {
		const char *path = i < argc ? argv[i] : "-";
		struct sl_input in;
		struct sl_reader r;
		uint64_t at = 0, bytes;
		int rc;

		sl_run_open_input(&v.run, &in, path, 0);
		if (v.batching)
			sl_input_set_idle(&in, validate_idle, &v);
		sl_reader_init(&r, &in);
		while ((rc = sl_reader_next(&r, &rec)) > 0) {
			bytes = sl_input_offset(&in) - at;
			at = sl_input_offset(&in);
			if (batchable(&v, &rec)) {
				batch_add(&v, &rec, in.name, bytes);
				if (v.stopped)
					break;
				continue;
			}
			batch_drain(&v);
			if (v.stopped || process(&v, &rec, in.name, bytes) < 0)
				break;
			sl_run_tick(&v.run);
		}
		/* records read before a malformed one are checked first */
		batch_drain(&v);
		if (rc < 0 && !v.stopped)
			sl_die(r.status, "%s", r.err);
		sl_input_close(&in);
		if (v.stopped || argi == argc)
			break;
	}
	sl_record_release(&rec);
	return finish(&v);
}

/*
 * "Sluice-Contract: VALUE" CRLF, a header line as the writer formats it
 * (VALUE is made of the contract's name and version: printable ASCII).
 */
static const char *
contract_line(const char *value)
{
	struct sl_buf b = SL_BUF_INIT;

	sl_buf_adds(&b, "Sluice-Contract: ");
	sl_buf_adds(&b, value);
	sl_buf_adds(&b, "\r\n");
	return b.data;
}

/* The end of a run: stream rules, reports, the exit status. */
static int
finish(struct validate *v)
{
	struct sl_buf report = SL_BUF_INIT;
	int status, argc = v->argc, first_input = v->first_input;
	char **argv = v->argv;

	if (v->pool) {
		sl_pool_free(v->pool);
		v->pool = NULL;
		free(v->tmpl);
		v->tmpl = NULL;
	}
	if (!v->stopped)
		stream_checks(v);
	v->result = outcome(v);
	if (v->ntally > 1)
		qsort(v->tally, v->ntally, sizeof(*v->tally), cmp_tally);
	status = v->result == SEV_ERROR ? SL_EX_FINDING : SL_EX_OK;
	if (v->cfg.report || v->cfg.report_record)
		report_json(v, &report, argc, argv, first_input);
	if (v->have_gate) {
		if (status == SL_EX_OK)
			gate_release(v);
		else {
			sl_error("gate closed: contract %s breached, nothing "
			    "released", v->c.tag);
			v->run.records_out = 0;
		}
		sl_writer_close(&v->gate);
		close(v->gate_fd);
		v->have_gate = 0;
	}
	if (v->cfg.report_record && !(v->cfg.gate && status != SL_EX_OK))
		report_record(v, &report);
	if (status != SL_EX_OK && (v->cfg.gate || (v->stopped &&
	    v->run.out_file.path)))
		discard_output(v);
	if (v->have_reject) {
		sl_writer_flush(&v->reject);
		commit_side_file(&v->reject_file);
		v->have_reject = 0;
		sl_writer_close(&v->reject);
	}
	if (v->have_errors) {
		errors_flush(v);
		commit_side_file(&v->errors_file);
		v->have_errors = 0;
	}
	if (v->have_report) {
		write_all(v->report_file.fd, report.data, report.len,
		    v->cfg.report);
		commit_side_file(&v->report_file);
		v->have_report = 0;
	}
	summary(v);
	sl_metrics_set(&v->run.metrics, "sluice_validate_records_passed_total",
	    "counter", "Data records that passed (warnings included).",
	    (double)v->passed);
	sl_metrics_set(&v->run.metrics, "sluice_validate_records_warned_total",
	    "counter", "Data records that passed with warnings.",
	    (double)v->warned);
	sl_metrics_set(&v->run.metrics, "sluice_validate_records_failed_total",
	    "counter", "Data records that failed the contract.",
	    (double)v->failed);
	sl_metrics_set(&v->run.metrics, "sluice_validate_errors_total", "counter",
	    "Violations of severity error (stream-level included).",
	    (double)v->errors);
	sl_metrics_set(&v->run.metrics, "sluice_validate_warnings_total",
	    "counter", "Violations of severity warn (stream-level included).",
	    (double)v->warnings);
	sl_metrics_set(&v->run.metrics, "sluice_validate_contract_passed", "gauge",
	    "1 when the contract held (warnings allowed), else 0.",
	    status == SL_EX_OK ? 1.0 : 0.0);
	status = sl_run_finish(&v->run, status);
	sl_diag_forget(on_exit_hook, v);

	for (size_t i = 0; i < v->ntally; i++) {
		free(v->tally[i].loc);
		free(v->tally[i].keyword);
	}
	free(v->tally);
	for (size_t i = 0; i < v->nfinds; i++) {
		free(v->finds[i].loc);
		free(v->finds[i].msg);
	}
	free(v->finds);
	sl_buf_release(&report);
	sl_buf_release(&v->tmp);
	sl_buf_release(&v->line);
	sl_buf_release(&v->errbuf);
	sl_buf_release(&v->gate_name);
	sl_buf_release(&v->exbuf);
	sl_buf_release(&v->outtmp);
	batch_free(v->cur);
	v->cur = NULL;
	batch_free(v->solo);
	v->solo = NULL;
	while (v->nspare > 0)
		batch_free(v->spare[--v->nspare]);
	free((char *)v->line_pass);
	free((char *)v->line_warn);
	free((char *)v->line_fail);
	sl_arena_release(&v->scratch);
	sl_hasher_free(v->hasher);
	contract_release(&v->c);
	return status;
}
