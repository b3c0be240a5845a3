/*
 * sluice-ingest - turn files into a sluice stream of data records.
 *
 * Every source becomes `resource` records (one per CSV row, JSON Lines line,
 * JSON array element, or raw file) after one warcinfo record for the run.
 * Each record gets its source URI with a locator, a media type, a SHA-256
 * block digest, a deterministic id, a capture time, an event time, a
 * classification, an optional key and one lineage line.  See sluice-ingest(1).
 *
 * Data flow:
 *
 *   operands -> walk (folders, -r) -> one source at a time:
 *     CSV/TSV, JSON Lines: the main thread cuts the input at row boundaries
 *         into batches; worker threads turn each batch into framed records;
 *         the main thread writes them in order (pool.h).
 *     JSON, raw files, WARC: records are made on the main thread.
 *
 * Errors in a row are reported in input order with the file, row and byte
 * offset; --max-errors N skips and counts up to N of them.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <http_parser.h>
#include <limits.h>
#include <stdarg.h>
#include <stdnoreturn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "arena.h"
#include "buf.h"
#include "context.h"
#include "csvrow.h"
#include "diag.h"
#include "ids.h"
#include "input.h"
#include "json.h"
#include "opts.h"
#include "outfile.h"
#include "pool.h"
#include "run.h"
#include "stream.h"
#include "timefmt.h"
#include "xalloc.h"

enum format { F_AUTO, F_CSV, F_TSV, F_JSONL, F_JSON, F_WARC, F_RAW };

static const char *const format_names[] = {
	"auto", "csv", "tsv", "jsonl", "json", "warc", "raw",
};

enum {
	OPT_FORMAT = 1,
	OPT_DELIMITER,
	OPT_NO_HEADER,
	OPT_HEADER,
	OPT_STRINGS,
	OPT_RAGGED,
	OPT_MAX_ERRORS,
	OPT_ENCODING,
	OPT_KEY,
	OPT_EVENT_TIME,
	OPT_CLASSIFICATION,
	OPT_SOURCE_URI,
	OPT_RECURSIVE,
	OPT_INCLUDE,
	OPT_EXCLUDE,
	OPT_HIDDEN,
	OPT_FOLLOW,
	OPT_STATE,
	OPT_LENIENT,
	OPT_JOBS,
};

static const struct sl_option options[] = {
	{ 'f', "format", "FORMAT", "input format: csv, tsv, jsonl, json, warc, "
	    "raw (default: from the extension, else sniffed)", OPT_FORMAT, 0 },
	{ 'd', "delimiter", "CHAR", "CSV field delimiter (default ',', "
	    "'tab' for a tab)", OPT_DELIMITER, 0 },
	{ 0, "no-header", NULL, "CSV has no header row: columns are named "
	    "1, 2, 3, ...", OPT_NO_HEADER, 0 },
	{ 0, "header", "NAMES", "CSV has no header row: use these "
	    "comma-separated column names", OPT_HEADER, 0 },
	{ 0, "strings", NULL, "keep every CSV value a string (no numbers, "
	    "booleans or nulls)", OPT_STRINGS, 0 },
	{ 0, "ragged", "MODE", "rows with the wrong number of fields: error "
	    "(default) or pad", OPT_RAGGED, 0 },
	{ 0, "max-errors", "N", "skip and count up to N bad rows, lines or "
	    "records (default 0)", OPT_MAX_ERRORS, 0 },
	{ 0, "encoding", "ENC", "text encoding of CSV and JSON Lines input: "
	    "utf-8 (default) or latin1", OPT_ENCODING, 0 },
	{ 'k', "key", "FIELD", "set Sluice-Key from this field (a name, or a "
	    "JSON Pointer)", OPT_KEY, 0 },
	{ 'e', "event-time", "FIELD", "set Sluice-Event-Time from this field "
	    "(default: the file's mtime)", OPT_EVENT_TIME, 0 },
	{ 'c', "classification", "LEVEL", "public, internal (default), "
	    "confidential or restricted", OPT_CLASSIFICATION, 0 },
	{ 0, "source-uri", "URI", "the URI that names standard input",
	    OPT_SOURCE_URI, 0 },
	{ 'r', "recursive", NULL, "read folders, walking them in sorted order",
	    OPT_RECURSIVE, 0 },
	{ 0, "include", "GLOB", "in folders, read only files matching GLOB "
	    "(repeatable)", OPT_INCLUDE, 0 },
	{ 0, "exclude", "GLOB", "in folders, skip files matching GLOB "
	    "(repeatable)", OPT_EXCLUDE, 0 },
	{ 0, "hidden", NULL, "in folders, also read hidden files and folders",
	    OPT_HIDDEN, 0 },
	{ 0, "follow-symlinks", NULL, "in folders, follow symbolic links",
	    OPT_FOLLOW, 0 },
	{ 0, "state", "FILE", "remember what was read; emit only new data on "
	    "the next run", OPT_STATE, 0 },
	{ 0, "lenient", NULL, "WARC input: skip damaged records, count them, "
	    "go on", OPT_LENIENT, 0 },
	{ 'j', "jobs", "N", "worker threads for CSV and JSON Lines (default: "
	    "one per CPU)", OPT_JOBS, 0 },
	{ 0, NULL, NULL, NULL, 0, 0 },
};

static const struct sl_tool tool = {
	"sluice-ingest", "ingest", "[options] [FILE | FOLDER ...]",
	"turn CSV, JSON, JSON Lines, WARC and raw files into a sluice stream",
	options,
};

/* ---- configuration ---- */

struct config {
	enum format format;
	int delimiter;             /* 0: per format */
	int no_header;
	char **header;             /* --header names */
	size_t nheader;
	int strings;
	int ragged_pad;
	uint64_t max_errors;
	int latin1;
	const char *key;
	const char *event_time;
	const char *classification;
	const char *source_uri;
	int recursive;
	char **include, **exclude;
	size_t ninclude, nexclude;
	int hidden;
	int follow;
	const char *state;
	int lenient;
	int jobs;
};

static char **
push(char **v, size_t *n, const char *s)
{
	v = sl_reallocarray(v, *n + 1, sizeof(*v));
	v[(*n)++] = sl_strdup(s);
	return v;
}

static void
free_list(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void
config_release(struct config *c)
{
	free_list(c->header, c->nheader);
	free_list(c->include, c->ninclude);
	free_list(c->exclude, c->nexclude);
}

/* The format named name, or F_AUTO when it names none. */
static enum format
format_lookup(const char *name)
{
	for (size_t i = 1; i < sizeof(format_names) / sizeof(*format_names); i++)
		if (strcmp(name, format_names[i]) == 0)
			return (enum format)i;
	return F_AUTO;
}

static int
handle(int id, const char *arg, void *ctx)
{
	struct config *c = ctx;
	unsigned long long n;

	switch (id) {
	case OPT_FORMAT:
		if ((c->format = format_lookup(arg)) == F_AUTO)
			sl_usage_error("unknown format \"%s\" (csv, tsv, jsonl, "
			    "json, warc, raw)", arg);
		return 0;
	case OPT_DELIMITER:
		if (strcmp(arg, "tab") == 0 || strcmp(arg, "\\t") == 0)
			c->delimiter = '\t';
		else if (strlen(arg) == 1 && arg[0] != '"' && arg[0] != '\n' &&
		    arg[0] != '\r')
			c->delimiter = (unsigned char)arg[0];
		else
			sl_usage_error("--delimiter wants one character other "
			    "than a quote or newline, not \"%s\"", arg);
		return 0;
	case OPT_NO_HEADER:
		c->no_header = 1;
		return 0;
	case OPT_HEADER: {
		const char *p = arg;

		for (;;) {
			size_t k = strcspn(p, ",");
			char *name = sl_strndup(p, k);

			c->header = push(c->header, &c->nheader, name);
			free(name);
			if (p[k] == '\0')
				break;
			p += k + 1;
		}
		return 0;
	}
	case OPT_STRINGS:
		c->strings = 1;
		return 0;
	case OPT_RAGGED:
		if (strcmp(arg, "pad") == 0)
			c->ragged_pad = 1;
		else if (strcmp(arg, "error") == 0)
			c->ragged_pad = 0;
		else
			sl_usage_error("--ragged wants error or pad, not \"%s\"", arg);
		return 0;
	case OPT_MAX_ERRORS:
		c->max_errors = sl_opt_ull("max-errors", arg);
		return 0;
	case OPT_ENCODING:
		if (strcasecmp(arg, "latin1") == 0 ||
		    strcasecmp(arg, "iso-8859-1") == 0)
			c->latin1 = 1;
		else if (strcasecmp(arg, "utf-8") == 0 || strcasecmp(arg, "utf8") == 0)
			c->latin1 = 0;
		else
			sl_usage_error("--encoding wants utf-8 or latin1, not \"%s\"",
			    arg);
		return 0;
	case OPT_KEY:
		c->key = arg;
		return 0;
	case OPT_EVENT_TIME:
		c->event_time = arg;
		return 0;
	case OPT_CLASSIFICATION:
		if (sl_class_parse(arg, strlen(arg)) < 0)
			sl_usage_error("--classification wants public, internal, "
			    "confidential or restricted, not \"%s\"", arg);
		c->classification = arg;
		return 0;
	case OPT_SOURCE_URI:
		for (const char *p = arg; *p; p++)
			if ((unsigned char)*p <= 0x20 || *p == 0x7f)
				sl_usage_error("--source-uri must not contain "
				    "spaces or control characters");
		c->source_uri = arg;
		return 0;
	case OPT_RECURSIVE:
		c->recursive = 1;
		return 0;
	case OPT_INCLUDE:
		c->include = push(c->include, &c->ninclude, arg);
		return 0;
	case OPT_EXCLUDE:
		c->exclude = push(c->exclude, &c->nexclude, arg);
		return 0;
	case OPT_HIDDEN:
		c->hidden = 1;
		return 0;
	case OPT_FOLLOW:
		c->follow = 1;
		return 0;
	case OPT_STATE:
		c->state = arg;
		return 0;
	case OPT_LENIENT:
		c->lenient = 1;
		return 0;
	case OPT_JOBS:
		n = sl_opt_ull("jobs", arg);
		if (n < 1 || n > 64)
			sl_usage_error("--jobs wants 1 to 64");
		c->jobs = (int)n;
		return 0;
	}
	return -1;
}

/* ---- the run ---- */

/*
 * A set of strings (column names), open addressing, so wide headers are
 * fast; each member can carry a number (the next suffix to try).
 */
struct strset {
	const char **slot;
	int *val;
	size_t cap, n;
};

static uint64_t
str_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;  /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* The member's number, or NULL when s is not in the set. */
static int *
strset_find(const struct strset *t, const char *s)
{
	if (t->cap == 0)
		return NULL;
	for (size_t i = str_hash(s) & (t->cap - 1); t->slot[i];
	    i = (i + 1) & (t->cap - 1))
		if (strcmp(t->slot[i], s) == 0)
			return &t->val[i];
	return NULL;
}

static int
strset_has(const struct strset *t, const char *s)
{
	return strset_find(t, s) != NULL;
}

/* Adds s (not copied: it must outlive the set); returns its number. */
static int *
strset_add(struct strset *t, const char *s)
{
	size_t i;

	if (2 * (t->n + 1) > t->cap) {
		struct strset old = *t;

		t->cap = t->cap ? 2 * t->cap : 64;
		t->slot = sl_calloc(t->cap, sizeof(*t->slot));
		t->val = sl_calloc(t->cap, sizeof(*t->val));
		t->n = 0;
		for (i = 0; i < old.cap; i++)
			if (old.slot[i])
				*strset_add(t, old.slot[i]) = old.val[i];
		free(old.slot);
		free(old.val);
	}
	for (i = str_hash(s) & (t->cap - 1); t->slot[i]; i = (i + 1) & (t->cap - 1))
		if (strcmp(t->slot[i], s) == 0)
			return &t->val[i];
	t->slot[i] = s;
	t->val[i] = 0;
	t->n++;
	return &t->val[i];
}

static void
strset_free(struct strset *t)
{
	free(t->slot);
	free(t->val);
}


/* One source being read; immutable while its batches are in flight. */
struct source {
	const char *name;          /* for messages: the operand, or "stdin" */
	char *uri;                 /* WARC-Target-URI without a fragment */
	enum format format;
	char mtime[SL_TIME_STRLEN]; /* default Sluice-Event-Time */
	/* CSV and TSV */
	int delim, quote;
	size_t ncols;
	struct sl_buf keys;        /* "\"name\":" of every column, back to back */
	size_t *key_at;            /* ncols + 1 offsets into keys */
	char **cols;               /* column names, for messages */
	struct strset colset;      /* the same, for lookups */
	int key_col, time_col;     /* -1 when --key/--event-time name no column */
	/* JSON: the fields as JSON Pointers ("/id") */
	char *key_ptr, *time_ptr;
};

struct batch;

struct ingest {
	struct config cfg;
	struct sl_run run;
	const char *lineage;
	const char *classification;
	size_t lineage_len, classification_len;
	struct sl_pool *pool;
	struct emitter *main_em;   /* for work on the main thread */
	struct batch **spare;      /* recycled batches */
	size_t nspare, spare_cap;
	uint64_t errors;           /* bad rows, lines, records seen */
	uint64_t damaged;          /* WARC records skipped by --lenient */
	uint64_t errors_shown;
	/* the source being read, for the idle hook */
	struct source *cur;
	struct sl_input *cur_in;
	uint64_t next_row;         /* number of the next row/line to cut */
	int hold_tail;             /* --state: leave an unended last row */
	uint64_t sources;
};

#define BATCH_BYTES (128 * 1024)
#define BATCH_ROWS 2048
#define MAX_ROW (64 * 1024 * 1024)  /* a CSV row or JSON Lines line */
#define SHOW_ERRORS 10

/*
 * A row-level error: fatal beyond --max-errors, else a warning (the first
 * few) and a count.  msg already names the file and place.
 */
static void
data_error(struct ingest *g, int status, const char *msg)
{
	g->errors++;
	g->run.records_rejected++;
	if (g->errors > g->cfg.max_errors) {
		if (g->cfg.max_errors > 0)
			sl_die(status, "%s (more than --max-errors %llu)", msg,
			    (unsigned long long)g->cfg.max_errors);
		sl_die(status, "%s", msg);
	}
	if (g->errors_shown++ < SHOW_ERRORS)
		sl_warn("%s (skipped)", msg);
	else if (g->errors_shown == SHOW_ERRORS + 1)
		sl_warn("further skipped rows are counted, not shown");
}

/* ---- making records (any thread) ---- */

struct emitter {
	const struct ingest *g;
	struct sl_hasher *h;
	struct sl_record rec;
	struct sl_buf uri, payload, scratch, text;
	struct sl_gzip *gz;
	struct sl_arena arena;     /* JSON documents of one record */
	struct sl_csv csv;         /* for the delimiter and quote of the source */
	struct tmpl {              /* the batch's shared header bytes (emit_fast) */
		int ok;            /* no gzip, and the URI needs no check */
		struct sl_buf b;   /* the pieces below, back to back */
		size_t id, uri, len, digest, etime; /* where each piece ends */
		size_t name_base;  /* the v5 name: namespace and URI, then
				    * per record the locator, '\n', the digest */
	} t;
	struct ready {             /* records made, waiting for their digests */
		struct sl_buf pay; /* a CSV row's JSON */
		const char *data;  /* the payload: pay, or the batch's input */
		size_t len;
		char frag[64];     /* the locator */
		size_t fraglen;
		struct sl_buf key; /* Sluice-Key (plain_value), if has_key */
		int has_key;
		char etime[SL_TIME_STRLEN]; /* "": the source's */
		struct sl_buf name; /* the v5 name (see tmpl) */
	} r[2];
	int nready;
	int fast_csv;              /* csv_json() applies to the batch's source */
	char err[SL_MSG_MAX];
};

static void *
emitter_new(void *arg)
{
	const struct ingest *g = arg;
	struct emitter *e = sl_calloc(1, sizeof(*e));

	e->g = g;
	e->h = sl_hasher_new();
	sl_record_init(&e->rec);
	sl_arena_init(&e->arena);
	if (sl_writer_gzip(&g->run.out))
		e->gz = sl_gzip_new(Z_DEFAULT_COMPRESSION);
	sl_csv_init(&e->csv, ',', '"');
	return e;
}

static void
emitter_free(void *arg)
{
	struct emitter *e = arg;

	sl_csv_release(&e->csv);
	sl_hasher_free(e->h);
	sl_record_release(&e->rec);
	sl_arena_release(&e->arena);
	sl_buf_release(&e->uri);
	sl_buf_release(&e->payload);
	sl_buf_release(&e->scratch);
	sl_buf_release(&e->text);
	sl_buf_release(&e->t.b);
	for (int i = 0; i < 2; i++) {
		sl_buf_release(&e->r[i].pay);
		sl_buf_release(&e->r[i].key);
		sl_buf_release(&e->r[i].name);
	}
	sl_gzip_free(e->gz);
	free(e);
}

/* What one resource record is made of. */
struct made {
	const char *uri;           /* WARC-Target-URI with its locator */
	size_t urilen;
	const void *data;          /* the payload */
	size_t len;
	const char *ctype;
	const char *key;           /* Sluice-Key, or NULL */
	size_t keylen;
	const char *etime;         /* Sluice-Event-Time */
	const char *date;          /* WARC-Date */
};

/*
 * Appends one resource record to out.  The id is the v5 UUID of the target
 * URI (with its locator) and the SHA-256 of the payload, so the same data at
 * the same place gets the same id on every run.  Returns 0, or -1 with e->err
 * (a header value the writer refuses, e.g. a key holding a newline).
 */
static int
emit(struct emitter *e, struct sl_buf *out, const struct made *m)
{
	struct sl_record *rec = &e->rec;
	struct sl_headers *h = &rec->hdr;
	unsigned char d[SL_SHA256_LEN];
	char digest[SL_DIGEST_STRLEN + 1], id[SL_URN_STRLEN + 1];
	struct sl_uuid u;
	const char *parts[2] = { m->uri, (const char *)d };
	size_t lens[2] = { m->urilen, sizeof(d) };

	sl_record_clear(rec);
	sl_sha256(e->h, m->data, m->len, d);
	memcpy(digest, "sha256:", 7);
	sl_hex(d, sizeof(d), digest + 7);
	sl_uuid5(e->h, &sl_uuid_ns, &u, 2, parts, lens);
	sl_uuid_urn(&u, id);

	/*
	 * Every value outlives the sl_record_emit() below: no copies.  All but
	 * the key (data) and the URI (--source-uri) are text this tool made.
	 */
	rec->type = SL_R_RESOURCE;
	sl_headers_add_safe(h, SL_F_WARC_TYPE, "resource", 8);
	sl_headers_add_safe(h, SL_F_WARC_RECORD_ID, id, SL_URN_STRLEN);
	sl_headers_add_safe(h, SL_F_WARC_DATE, m->date, strlen(m->date));
	sl_headers_add_ref(h, SL_F_WARC_TARGET_URI, m->uri, m->urilen);
	sl_headers_add_safe(h, SL_F_CONTENT_TYPE, m->ctype, strlen(m->ctype));
	sl_headers_add_safe(h, SL_F_WARC_BLOCK_DIGEST, digest, SL_DIGEST_STRLEN);
	if (m->key)
		sl_headers_add(h, SL_F_SLUICE_KEY, m->key, m->keylen);
	sl_headers_add_safe(h, SL_F_SLUICE_EVENT_TIME, m->etime, strlen(m->etime));
	sl_headers_add_safe(h, SL_F_SLUICE_CLASSIFICATION, e->g->classification,
	    e->g->classification_len);
	sl_headers_add_safe(h, SL_F_SLUICE_LINEAGE, e->g->lineage,
	    e->g->lineage_len);
	sl_record_set_block(rec, m->data, m->len);
	return sl_record_emit(rec, out, e->gz, &e->scratch, e->err,
	    sizeof(e->err));
}

/*
 * The fast way to the records of a batch's rows and lines: the header bytes
 * every record of the batch shares are formatted once per batch
 * (tmpl_build), and each record is that template with its id, locator,
 * length, digest, key and event time spliced in, straight into the batch's
 * output (emit_fast).  The bytes are exactly emit()'s: the same fields in
 * the same order.  sl_record_format() checks values that do not come from
 * this tool; here the URI is checked once per batch and a key per record
 * (plain_value), and whatever fails those checks goes through emit(), which
 * then writes or refuses it exactly as before.
 */

/* Longest URI or key taken here: far below the readers' line limit. */
#define FAST_VALUE_MAX 60000

/*
 * Can a header value go out unchecked?  Printable ASCII, no space at
 * either end (a value sl_record_format would take as it is).
 */
static int
plain_value(const char *v, size_t len)
{
	if (len == 0 || len > FAST_VALUE_MAX || v[0] == ' ' || v[len - 1] == ' ')
		return 0;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)v[i] < 0x20 || (unsigned char)v[i] >= 0x7f)
			return 0;
	return 1;
}

static void
tmpl_mark(struct tmpl *t, size_t *end, const char *s)
{
	sl_buf_adds(&t->b, s);
	*end = t->b.len;
}

/*
 * The template of a batch's records: source URI, WARC-Date, the source's
 * event time, the run's classification and lineage.  Pieces: up to the id,
 * up to the locator, up to the length, up to the digest, then the event
 * time field and the rest of the header (from "Sluice-Event-Time: ").
 */
static void
tmpl_build(struct emitter *e, const struct source *s, const char *date)
{
	struct tmpl *t = &e->t;
	size_t ulen = strlen(s->uri);

	t->ok = e->gz == NULL && plain_value(s->uri, ulen);
	if (!t->ok)
		return;
	sl_buf_reset(&t->b);
	tmpl_mark(t, &t->id, "WARC/1.1\r\nWARC-Type: resource\r\n"
	    "WARC-Record-ID: <urn:uuid:");
	sl_buf_add(&t->b, ">\r\nWARC-Date: ", 14);
	sl_buf_adds(&t->b, date);
	sl_buf_add(&t->b, "\r\nWARC-Target-URI: ", 19);
	tmpl_mark(t, &t->uri, s->uri);
	tmpl_mark(t, &t->len, "\r\nContent-Type: application/json\r\n"
	    "Content-Length: ");
	tmpl_mark(t, &t->digest, "\r\nWARC-Block-Digest: sha256:");
	sl_buf_add(&t->b, "Sluice-Event-Time: ", 19);
	tmpl_mark(t, &t->etime, s->mtime);
	sl_buf_add(&t->b, "\r\nSluice-Classification: ", 25);
	sl_buf_add(&t->b, e->g->classification, e->g->classification_len);
	sl_buf_add(&t->b, "\r\nSluice-Lineage: ", 18);
	sl_buf_add(&t->b, e->g->lineage, e->g->lineage_len);
	sl_buf_add(&t->b, "\r\n\r\n", 4);
	for (int i = 0; i < 2; i++) {
		sl_buf_reset(&e->r[i].name);
		sl_buf_add(&e->r[i].name, sl_uuid_ns.b, sizeof(sl_uuid_ns.b));
		sl_buf_add(&e->r[i].name, s->uri, ulen);
	}
	t->name_base = sizeof(sl_uuid_ns.b) + ulen;
}

static inline char *
put(char *o, const void *p, size_t n)
{
	memcpy(o, p, n);
	return o + n;
}

/* Copies n bytes 16 at a time: o and p have 15 bytes of slack after n. */
static inline char *
put_short(char *o, const unsigned char *p, size_t n)
{
#ifdef __SSE2__
	for (size_t k = 0; k < n; k += 16)
		_mm_storeu_si128((__m128i *)(void *)(o + k), _mm_loadu_si128(
		    (const __m128i *)(const void *)(p + k)));
	return o + n;
#else
	return put(o, p, n);
#endif
}

/* Decimal text of v at o, two digits at a time. */
static inline char *
put_u64(char *o, uint64_t v)
{
	static const char pairs[201] =
	    "0001020304050607080910111213141516171819202122232425262728293031"
	    "3233343536373839404142434445464748495051525354555657585960616263"
	    "6465666768697071727374757677787980818283848586878889909192939495"
	    "96979899";
	char tmp[20], *t = tmp + sizeof(tmp);

	while (v >= 100) {
		t -= 2;
		memcpy(t, pairs + 2 * (v % 100), 2);
		v /= 100;
	}
	if (v >= 10) {
		t -= 2;
		memcpy(t, pairs + 2 * v, 2);
	} else {
		*--t = (char)('0' + v);
	}
	return put(o, t, (size_t)(tmp + sizeof(tmp) - t));
}

/*
 * A record for emit_fast(): payload data[0..len) (which must stay put
 * until the record is written) at the source URI plus frag, with key (NULL:
 * none; it passed plain_value) and etime (NULL: the source's).
 */
static struct ready *
ready_set(struct emitter *e, const char *data, size_t len, const char *frag,
    size_t fraglen, const char *key, size_t keylen, const char *etime)
{
	struct ready *r = &e->r[e->nready];

	r->data = data;
	r->len = len;
	memcpy(r->frag, frag, fraglen);
	r->fraglen = fraglen;
	r->has_key = key != NULL;
	if (key) {
		sl_buf_reset(&r->key);
		sl_buf_add(&r->key, key, keylen);
	}
	if (etime)
		memcpy(r->etime, etime, strlen(etime) + 1);
	else
		r->etime[0] = '\0';
	return r;
}

/* The v5 name of r: its URI and locator, '\n', its digest d. */
static size_t
ready_name(struct emitter *e, struct ready *r, const unsigned char *d)
{
	char *n;

	r->name.len = e->t.name_base;
	sl_buf_grow(&r->name, r->fraglen + 1 + SL_SHA256_LEN);
	n = put(r->name.data + r->name.len, r->frag, r->fraglen);
	*n++ = '\n';
	n = put(n, d, SL_SHA256_LEN);
	return (size_t)(n - r->name.data);
}

/* Appends r's record to out: the template with r's values spliced in. */
static void
ready_write(struct emitter *e, const struct ready *r, const unsigned char *d,
    const struct sl_uuid *u, struct sl_buf *out)
{
	const struct tmpl *t = &e->t;
	const char *tb = t->b.data;
	char *o;

	/* the template and what is spliced in: id (and sl_uuid_str's NUL),
	 * locator, length, digest (and sl_hex's NUL), key, event time */
	sl_buf_grow(out, t->b.len + SL_UUID_STRLEN + 1 + r->fraglen + 20 +
	    2 * SL_SHA256_LEN + 3 + (r->has_key ? 14 + r->key.len : 0) +
	    19 + SL_TIME_STRLEN + r->len + 4);
	o = put(out->data + out->len, tb, t->id);
	sl_uuid_str(u, o);
	o = put(o + SL_UUID_STRLEN, tb + t->id, t->uri - t->id);
	o = put(o, r->frag, r->fraglen);
	o = put(o, tb + t->uri, t->len - t->uri);
	o = put_u64(o, r->len);
	o = put(o, tb + t->len, t->digest - t->len);
	sl_hex(d, SL_SHA256_LEN, o);
	o += 2 * SL_SHA256_LEN;
	*o++ = '\r';
	*o++ = '\n';
	if (r->has_key) {
		o = put(o, "Sluice-Key: ", 12);
		o = put(o, r->key.data, r->key.len);
		*o++ = '\r';
		*o++ = '\n';
	}
	if (r->etime[0]) {
		o = put(o, "Sluice-Event-Time: ", 19);
		o = put(o, r->etime, strlen(r->etime));
		o = put(o, tb + t->etime, t->b.len - t->etime);
	} else {
		o = put(o, tb + t->digest, t->b.len - t->digest);
	}
	o = put(o, r->data, r->len);
	o = put(o, "\r\n\r\n", 4);
	out->len = (size_t)(o - out->data);
	*o = '\0';
}

/*
 * Writes the records waiting in e->r to out, in order, as the same record
 * made by emit() would have been.  Anything else written to out must wait
 * until this has run.
 */
static void
emit_ready(struct emitter *e, struct sl_buf *out)
{
	unsigned char d[SL_SHA256_LEN];
	struct sl_uuid u;

	for (int i = 0; i < e->nready; i++) {
		struct ready *a = &e->r[i];

		sl_sha256(e->h, a->data, a->len, d);
		sl_uuid5_joined(e->h, a->name.data, ready_name(e, a, d), &u);
		ready_write(e, a, d, &u, out);
	}
	e->nready = 0;
}

/*
 * emit() through the batch's template (e->t.ok), for a record made in a
 * batch: the record waits in e->r to be written with the next one.
 */
static void
emit_fast(struct emitter *e, struct sl_buf *out, const char *frag,
    size_t fraglen, const void *data, size_t len, const char *key,
    size_t keylen, const char *etime)
{
	ready_set(e, data, len, frag, fraglen, key, keylen, etime);
	if (++e->nready == 2)
		emit_ready(e, out);
}

/* Latin-1 to UTF-8, into e->text. */
static void
latin1(struct emitter *e, const char *p, size_t len)
{
	sl_buf_reset(&e->text);
	sl_buf_grow(&e->text, 2 * len);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c < 0x80) {
			e->text.data[e->text.len++] = (char)c;
		} else {
			e->text.data[e->text.len++] = (char)(0xc0 | c >> 6);
			e->text.data[e->text.len++] = (char)(0x80 | (c & 0x3f));
		}
	}
	e->text.data[e->text.len] = '\0';
}

/* The input offset of byte k of latin1(in)'s output. */
static size_t
latin1_offset(const char *in, size_t n, size_t k)
{
	size_t i, out = 0;

	for (i = 0; i < n && out < k; i++)
		out += (unsigned char)in[i] < 0x80 ? 1 : 2;
	return i;
}

/*
 * An event time from a field value: RFC 3339, a date, or a JSON number of
 * seconds since the epoch.  Writes the normalised text to out.
 */
static int
event_time(const char *v, size_t len, int is_number, char out[SL_TIME_STRLEN],
    const char **why)
{
	sl_time t;

	if (is_number) {
		char tmp[64], *end;
		double secs;

		if (len >= sizeof(tmp)) {
			*why = "number too long";
			return -1;
		}
		memcpy(tmp, v, len);
		tmp[len] = '\0';
		secs = strtod(tmp, &end);
		if (*end || secs < -62135596800.0 || secs > 253402300799.0) {
			*why = "seconds since 1970 out of range";
			return -1;
		}
		t = (sl_time)(secs * 1e6 + (secs < 0 ? -0.5 : 0.5));
	} else if (sl_time_parse(v, len, &t, why) < 0) {
		return -1;
	}
	sl_time_format(t, SL_TIME_AUTO, out);
	return 0;
}

/* ---- CSV and TSV ---- */


/*
 * Splits a row with the source's delimiter and quote (csvrow.h).  With nul
 * not NULL a row holding a NUL byte is refused (-1, *nul at the byte); the
 * fast path stops at NUL bytes, so only the rows it leaves are searched.
 */
static int
split_row(struct emitter *e, const struct source *s, const unsigned char *p,
    size_t n, const char **why, const unsigned char **nul)
{
	if (e->csv.delim != s->delim || e->csv.quote != s->quote) {
		sl_csv_release(&e->csv);
		sl_csv_init(&e->csv, s->delim, s->quote);
	}
	if (sl_csv_split_fast(&e->csv, p, n))
		return 0;
	if (nul && (*nul = memchr(p, '\0', n)) != NULL) {
		*why = "NUL byte";
		return -1;
	}
	return sl_csv_split_libcsv(&e->csv, p, n, why);
}

/* Appends a CSV value to the JSON payload, typed unless --strings. */
static int
put_value(struct emitter *e, const struct sl_csv_field *f, const char **why)
{
	const char *p = f->p;
	size_t len = f->len, bad;

	if (f->null && !e->g->cfg.strings) {
		sl_buf_add(&e->payload, "null", 4);
		return 0;
	}
	if (!e->g->cfg.strings) {
		if ((len == 4 && memcmp(p, "true", 4) == 0) ||
		    (len == 5 && memcmp(p, "false", 5) == 0) ||
		    sl_json_is_number(p, len)) {
			sl_buf_add(&e->payload, p, len);
			return 0;
		}
	}
	if (e->g->cfg.latin1) {
		latin1(e, p, len);
		sl_json_write_string(&e->payload, e->text.data, e->text.len);
		return 0;
	}
	if (sl_json_write_utf8(&e->payload, p, len, &bad) < 0) {
		*why = "invalid UTF-8 (is the input Latin-1? see --encoding)";
		return -1;
	}
	return 0;
}

struct place {
	const char *name;          /* file */
	const char *unit;          /* "row", "line", "element", "record" */
	uint64_t number;
	uint64_t offset;
	const char *note;          /* after the number: "(the header)", or NULL */
};

static void
place_error(char *err, size_t errlen, const struct place *pl, const char *fmt, ...)
    SL_PRINTF(4, 5);

/* "customers.csv: row 17 at byte 1234: message" */
static void
place_error(char *err, size_t errlen, const struct place *pl, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(err, errlen, "%s: %s %llu%s%s at byte %llu: ", pl->name,
	    pl->unit, (unsigned long long)pl->number, pl->note ? " " : "",
	    pl->note ? pl->note : "", (unsigned long long)pl->offset);
	if (n < 0 || (size_t)n >= errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

/*
 * The key of an extra field (--ragged pad): its column number, made unique
 * against the header's names as repeated names are ("3", "3_2").
 */
static void
extra_key(struct emitter *e, const struct source *s, size_t i)
{
	char name[48];

	snprintf(name, sizeof(name), "%zu", i + 1);
	for (int k = 2; strset_has(&s->colset, name); k++)
		snprintf(name, sizeof(name), "%zu_%d", i + 1, k);
	sl_json_write_string(&e->payload, name, strlen(name));
	sl_buf_addc(&e->payload, ':');
}

/* The name of column i, for messages. */
static const char *
colname(const struct source *s, size_t i)
{
	return i < s->ncols ? s->cols[i] : "(extra)";
}

/*
 * One CSV row to one record appended to out.  Returns 0, 1 for a blank row,
 * or -1 with err describing the row's problem.
 */
static int
csv_record(struct emitter *e, const struct source *s, const unsigned char *p,
    size_t n, const struct place *pl, const char *date, struct sl_buf *out,
    char *err, size_t errlen)
{
	const char *why = NULL, *key = NULL, *etime = s->mtime;
	const unsigned char *nul = NULL;
	size_t keylen = 0, nf;
	char tbuf[SL_TIME_STRLEN];

	if (split_row(e, s, p, n, &why, &nul) < 0) {
		if (nul)
			place_error(err, errlen, pl, "NUL byte at byte %llu "
			    "(binary data, not text?)", (unsigned long long)
			    (pl->offset + (uint64_t)(nul - p)));
		else
			place_error(err, errlen, pl, "%s", why);
		return -1;
	}
	nf = e->csv.n;
	if (nf != s->ncols && !e->g->cfg.ragged_pad) {
		place_error(err, errlen, pl, "%zu field%s, expected %zu (the "
		    "header has %zu columns; see --ragged pad)", nf,
		    nf == 1 ? "" : "s", s->ncols, s->ncols);
		return -1;
	}
	sl_buf_reset(&e->payload);
	/* room for the keys, the values (escaping aside) and punctuation */
	sl_buf_grow(&e->payload, s->keys.len + n + 8 * (nf + 1));
	sl_buf_addc(&e->payload, '{');
	for (size_t i = 0; i < (nf > s->ncols ? nf : s->ncols); i++) {
		static const struct sl_csv_field padding = { "", 0, 1 };
		const struct sl_csv_field *f = i < nf ? &e->csv.f[i] : &padding;

		if (i > 0)
			sl_buf_addc(&e->payload, ',');
		if (i < s->ncols)
			sl_buf_add(&e->payload, s->keys.data + s->key_at[i],
			    s->key_at[i + 1] - s->key_at[i]);
		else
			extra_key(e, s, i);
		if (put_value(e, f, &why) < 0) {
			place_error(err, errlen, pl, "column %zu (\"%s\"): %s",
			    i + 1, colname(s, i), why);
			return -1;
		}
	}
	sl_buf_addc(&e->payload, '}');
	if (s->key_col >= 0) {
		const struct sl_csv_field *f = (size_t)s->key_col < nf ?
		    &e->csv.f[s->key_col] : NULL;

		if (f == NULL || f->len == 0) {
			place_error(err, errlen, pl, "key column \"%s\" is empty",
			    s->cols[s->key_col]);
			return -1;
		}
		key = f->p;
		keylen = f->len;
		if (e->g->cfg.latin1) {
			latin1(e, key, keylen);
			key = e->text.data;
			keylen = e->text.len;
		}
	}
	if (s->time_col >= 0) {
		const struct sl_csv_field *f = (size_t)s->time_col < nf ?
		    &e->csv.f[s->time_col] : NULL;

		if (f == NULL || f->len == 0) {
			place_error(err, errlen, pl, "event time column \"%s\" is "
			    "empty", s->cols[s->time_col]);
			return -1;
		}
		if (event_time(f->p, f->len, sl_json_is_number(f->p, f->len),
		    tbuf, &why) < 0) {
			place_error(err, errlen, pl, "event time column \"%s\": "
			    "\"%.*s\": %s", s->cols[s->time_col],
			    (int)(f->len > 40 ? 40 : f->len), f->p, why);
			return -1;
		}
		etime = tbuf;
	}
	sl_buf_reset(&e->uri);
	sl_buf_adds(&e->uri, s->uri);
	sl_buf_add(&e->uri, "#row=", 5);
	sl_buf_add_u64(&e->uri, pl->number);
	if (emit(e, out, &(struct made){ e->uri.data, e->uri.len, e->payload.data,
	    e->payload.len, "application/json", key, keylen, etime, date }) < 0) {
		place_error(err, errlen, pl, "%s", e->err);
		return -1;
	}
	return 0;
}

/*
 * CSV rows straight to JSON (csv_json below): one pass over the row's
 * bytes, writing each value as put_value() would, with no field table in
 * between.  It takes the rows sl_csv_split_fast() takes and leaves every
 * other row, and every row with a problem, to csv_record(), which then
 * splits, writes or refuses it as before.  The batch's input keeps
 * SCAN_SLACK zero bytes after its last row, so the scans below may read
 * (never use) up to 15 bytes past a row's end.
 */
#define SCAN_SLACK 64

/* Does a batch's source allow csv_json()?  The common delimiters and
 * quotes; anything odd goes the general way. */
static int
fast_csv_ok(const struct emitter *e, const struct source *s)
{
	return !e->g->cfg.latin1 && s->ncols > 0 && (s->quote == 0 ||
	    s->quote == '"') && (s->delim == '\t' || (s->delim > 0x20 &&
	    s->delim < 0x7f && s->delim != '"' && s->delim != '\\'));
}

/*
 * Index of the first byte from i on (end if none before it) that a JSON
 * string cannot hold as it is ('"', '\\', a control character, a byte
 * >= 0x7f) or that is the delimiter d (d < 0: none, inside quotes).
 */
static inline size_t
scan_plain(const unsigned char *p, size_t i, size_t end, int d)
{
#ifdef __SSE2__
	const __m128i vd = _mm_set1_epi8((char)(d >= 0 ? d : '"'));
	const __m128i vq = _mm_set1_epi8('"'), vb = _mm_set1_epi8('\\');
	const __m128i v20 = _mm_set1_epi8(0x20), v7f = _mm_set1_epi8(0x7f);

	for (; i < end; i += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
		/* signed: bytes >= 0x80 are below 0x20 too */
		__m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, vd),
		    _mm_cmpeq_epi8(v, vq)), _mm_or_si128(_mm_or_si128(
		    _mm_cmpeq_epi8(v, vb), _mm_cmplt_epi8(v, v20)),
		    _mm_cmpeq_epi8(v, v7f)));
		unsigned mask = (unsigned)_mm_movemask_epi8(m);

		if (mask != 0) {
			i += (size_t)__builtin_ctz(mask);
			return i < end ? i : end;
		}
	}
	return end;
#else
	for (; i < end; i++)
		if (p[i] < 0x20 || p[i] >= 0x7f || p[i] == '"' || p[i] == '\\' ||
		    p[i] == d)
			return i;
	return end;
#endif
}

/*
 * Where a field that scan_plain() stopped in ends: the first delimiter
 * (d >= 0), quote q (q != 0), CR, LF or NUL from i on, as the fast split
 * finds it.  *esc says whether a byte a JSON string must escape ('"',
 * '\\', a control character) came before it.
 */
static size_t
scan_rest(const unsigned char *p, size_t i, size_t end, int d, int q, int *esc)
{
	*esc = 0;
	for (; i < end; i++) {
		unsigned char c = p[i];

		if ((int)c == d || (q && c == q) || c == '\r' || c == '\n' ||
		    c == '\0')
			return i;
		if (c < 0x20 || c == '"' || c == '\\')
			*esc = 1;
	}
	return i;
}

/*
 * Where a quoted field that scan_plain() stopped in ends: its closing
 * quote q, or a CR, LF or NUL (end: unclosed).  Doubled quotes are data
 * (*dq set); *esc as for scan_rest().
 */
static size_t
scan_quoted(const unsigned char *p, size_t i, size_t end, int q, int *esc,
    int *dq)
{
	*esc = *dq = 0;
	for (; i < end; i++) {
		unsigned char c = p[i];

		if (c == q) {
			if (i + 1 < end && p[i + 1] == q) {
				*dq = *esc = 1;
				i++;
				continue;
			}
			return i;
		}
		if (c == '\r' || c == '\n' || c == '\0')
			return i;
		if (c < 0x20 || c == '"' || c == '\\')
			*esc = 1;
	}
	return i;
}


/*
 * sl_json_is_number(), with the common forms decided here: -?D(.D)? where
 * D is digits, and the integer part is a 0 alone or does not start with 0.
 * Anything else (exponents, and every text that is not a number) is left
 * to sl_json_is_number.
 */
static inline int
number(const unsigned char *p, size_t len)
{
	size_t j = p[0] == '-', int0 = j, k;

	while (j < len && p[j] >= '0' && p[j] <= '9')
		j++;
	if (j == int0 || (p[int0] == '0' && j - int0 > 1))
		return sl_json_is_number((const char *)p, len);
	if (j == len)
		return 1;
	if (p[j] != '.')    /* only a fraction or an exponent may follow */
		return (p[j] == 'e' || p[j] == 'E') &&
		    sl_json_is_number((const char *)p, len);
	k = ++j;
	while (j < len && p[j] >= '0' && p[j] <= '9')
		j++;
	if (j == len && j > k)
		return 1;
	return sl_json_is_number((const char *)p, len);
}

/*
 * One row (without checks of its key or time) to its JSON object in pay,
 * as csv_record() writes it; the key and event-time columns'
 * raw values in kf and tf.  Returns 1, or 0 for a row to leave to
 * csv_record(): quoting the fast split does not take, the wrong number of
 * fields, invalid UTF-8.
 */
static int
csv_json(struct emitter *e, const struct source *s, const unsigned char *p,
    size_t n, struct sl_buf *pay, struct sl_csv_field *kf,
    struct sl_csv_field *tf)
{
	const int d = s->delim, q = s->quote, strings = e->g->cfg.strings;
	const char *keys = s->keys.data;
	const size_t *key_at = s->key_at;
	size_t end = n, i = 0, k = 0, start, len, bad;
	char *o;
	int esc;

	while (end > 0 && (p[end - 1] == '\n' || p[end - 1] == '\r'))
		end--;
	if (end == 0)
		return 0;
	sl_buf_reset(pay);
	/* room for the keys, the values as they are, quotes, commas and
	 * nulls, and put_short()'s slack; escaping grows it (below) */
	sl_buf_grow(pay, s->keys.len + end + 8 * s->ncols + 64);
	o = pay->data;
	*o++ = '{';
	for (;;) {
		int quoted = 0, plain = 1, dq = 0;

		if (k == s->ncols)
			return 0;
		if (k > 0)
			*o++ = ',';
		o = put_short(o, (const unsigned char *)keys + key_at[k],
		    key_at[k + 1] - key_at[k]);
		if (q && i < end && p[i] == q) {
			start = ++i;
			i = scan_plain(p, i, end, -1);
			if (i == end || p[i] != q || (i + 1 < end &&
			    p[i + 1] == q)) {
				plain = 0;
				i = scan_quoted(p, i, end, q, &esc, &dq);
				if (i == end || p[i] != q)
					return 0;
			}
			len = i - start;
			i++;
			if (i < end && p[i] != d)
				return 0;
			quoted = 1;
		} else {
			start = i;
			i = scan_plain(p, i, end, d);
			if (i < end && p[i] != d) {
				plain = 0;
				i = scan_rest(p, i, end, d, q, &esc);
				if (i < end && p[i] != d)
					return 0;
			}
			len = i - start;
		}
		if ((int)k == s->key_col)
			*kf = (struct sl_csv_field){ (const char *)p + start, len,
			    !quoted && len == 0 };
		if ((int)k == s->time_col)
			*tf = (struct sl_csv_field){ (const char *)p + start, len,
			    !quoted && len == 0 };
		if (!plain) {
			/* UTF-8 to check, or bytes to escape */
			if (dq) {
				/* "" is a quote: the value as libcsv gives it */
				if ((int)k == s->key_col || (int)k == s->time_col)
					return 0;
				sl_buf_reset(&e->text);
				sl_buf_grow(&e->text, len);
				for (size_t j = start; j < start + len; j++) {
					e->text.data[e->text.len++] = (char)p[j];
					j += p[j] == q;
				}
				pay->len = (size_t)(o - pay->data);
				if (sl_json_write_utf8(pay, e->text.data,
				    e->text.len, &bad) < 0)
					return 0;
				sl_buf_grow(pay, s->keys.len + (end - i) +
				    8 * s->ncols + 64);
				o = pay->data + pay->len;
			} else if (!esc) {
				if (!sl_utf8_valid((const char *)p + start, len,
				    &bad))
					return 0;
				*o++ = '"';
				o = put(o, p + start, len);
				*o++ = '"';
			} else {
				pay->len = (size_t)(o - pay->data);
				if (sl_json_write_utf8(pay, (const char *)
				    p + start, len, &bad) < 0)
					return 0;
				sl_buf_grow(pay, s->keys.len + (end - i) +
				    8 * s->ncols + 64);
				o = pay->data + pay->len;
			}
		} else if (strings) {
			*o++ = '"';
			o = put_short(o, p + start, len);
			*o++ = '"';
		} else if (len == 0 && !quoted) {
			o = put(o, "null", 4);
		} else if ((len == 4 && memcmp(p + start, "true", 4) == 0) ||
		    (len == 5 && memcmp(p + start, "false", 5) == 0) ||
		    (((p[start] >= '0' && p[start] <= '9') || p[start] == '-') &&
		    number(p + start, len))) {
			o = put_short(o, p + start, len);
		} else {
			*o++ = '"';
			o = put_short(o, p + start, len);
			*o++ = '"';
		}
		k++;
		if (i >= end)
			break;
		if (++i == end) {
			/* a delimiter ends the row: one more, empty field */
			if (k == s->ncols)
				return 0;
			*o++ = ',';
			o = put(o, keys + key_at[k], key_at[k + 1] - key_at[k]);
			if (strings)
				o = put(o, "\"\"", 2);
			else
				o = put(o, "null", 4);
			if ((int)k == s->key_col)
				*kf = (struct sl_csv_field){ (const char *)p + i,
				    0, 1 };
			if ((int)k == s->time_col)
				*tf = (struct sl_csv_field){ (const char *)p + i,
				    0, 1 };
			k++;
			break;
		}
	}
	if (k != s->ncols)
		return 0;
	*o++ = '}';
	pay->len = (size_t)(o - pay->data);
	*o = '\0';
	return 1;
}

/*
 * csv_record() the fast way when the row, its key and its time allow
 * (csv_json, plain_value, event_time), else csv_record() itself.
 */
static int
csv_record_fast(struct emitter *e, const struct source *s,
    const unsigned char *p, size_t n, const struct place *pl, const char *date,
    struct sl_buf *out, char *err, size_t errlen)
{
	struct sl_csv_field kf = { NULL, 0, 1 }, tf = { NULL, 0, 1 };
	struct sl_buf *pay = &e->r[e->nready].pay;
	const char *why, *etime = NULL;
	char tbuf[SL_TIME_STRLEN], frag[32];

	if (!e->t.ok || !e->fast_csv || !csv_json(e, s, p, n, pay, &kf, &tf) ||
	    (s->key_col >= 0 && !plain_value(kf.p, kf.len)) ||
	    (s->time_col >= 0 && (tf.len == 0 || event_time(tf.p, tf.len,
	    sl_json_is_number(tf.p, tf.len), tbuf, &why) < 0))) {
		emit_ready(e, out);     /* the rows before it go first */
		return csv_record(e, s, p, n, pl, date, out, err, errlen);
	}
	if (s->time_col >= 0)
		etime = tbuf;
	memcpy(frag, "#row=", 5);
	emit_fast(e, out, frag, (size_t)(put_u64(frag + 5, pl->number) - frag),
	    pay->data, pay->len, s->key_col >= 0 ? kf.p : NULL, kf.len, etime);
	return 0;
}

/* ---- JSON values ---- */

/*
 * The value a --key or --event-time JSON Pointer finds: a string or a
 * number, else NULL with why ("key field is missing or null").
 */
static const struct sl_json *
json_field(const struct sl_json *doc, const char *ptr, int is_key,
    const char **why)
{
	const struct sl_json *v = sl_json_pointer(doc, ptr, strlen(ptr));

	if (v == NULL || v->type == SL_JSON_NULL) {
		*why = is_key ? "key field is missing or null" :
		    "event time field is missing or null";
		return NULL;
	}
	if (v->type != SL_JSON_STRING && v->type != SL_JSON_NUMBER) {
		*why = is_key ? "key field is not a string or a number" :
		    "event time field is not a string or a number";
		return NULL;
	}
	if (v->len == 0) {
		*why = is_key ? "key field is empty" : "event time field is empty";
		return NULL;
	}
	return v;
}

/*
 * Finds --key and --event-time in a parsed JSON payload and formats them.
 * Returns 0 or -1 with why, and which naming the option's field.
 */
static int
json_context(struct emitter *e, const struct source *s, const struct sl_json *doc,
    const char **key, size_t *keylen, char tbuf[SL_TIME_STRLEN],
    const char **etime, const char **why, const char **which)
{
	const struct sl_json *v;

	if (s->key_ptr) {
		*which = e->g->cfg.key;
		if ((v = json_field(doc, s->key_ptr, 1, why)) == NULL)
			return -1;
		*key = v->u.str;
		*keylen = v->len;
	}
	if (s->time_ptr) {
		*which = e->g->cfg.event_time;
		if ((v = json_field(doc, s->time_ptr, 0, why)) == NULL ||
		    event_time(v->u.str, v->len, v->type == SL_JSON_NUMBER, tbuf,
		    why) < 0)
			return -1;
		*etime = tbuf;
	}
	return 0;
}

/*
 * One JSON text (a line, an element, a document) to one record.  fragment
 * is appended to the source URI.  Returns 0, 1 for a blank line, or -1 with
 * err set (invalid JSON: status 65 either way).
 */
static int
json_record(struct emitter *e, const struct source *s, const char *p, size_t n,
    const char *fragment, size_t fraglen, const struct place *pl,
    const char *date, struct sl_buf *out, char *err, size_t errlen)
{
	struct sl_json_error jerr;
	struct sl_json doc;
	const char *key = NULL, *etime = s->mtime, *why = NULL, *which = "";
	const char *in = p;
	size_t keylen = 0, lead = 0, in_n;
	char tbuf[SL_TIME_STRLEN];
	enum sl_json_status st;

	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r' ||
	    p[n - 1] == '\n'))
		n--;
	while (lead < n && (p[lead] == ' ' || p[lead] == '\t' ||
	    p[lead] == '\r' || p[lead] == '\n'))
		lead++;
	p += lead;
	n -= lead;
	if (n == 0)
		return 1;
	in = p;
	in_n = n;
	if (e->g->cfg.latin1) {
		latin1(e, p, n);
		p = e->text.data;
		n = e->text.len;
	}
	if (s->key_ptr || s->time_ptr) {
		sl_arena_reset(&e->arena);
		st = sl_json_parse(&e->arena, p, n, &doc, &jerr);
	} else {
		st = sl_json_check(p, n, &jerr);
	}
	if (st != SL_JSON_OK) {
		/* the byte in the input, before trimming and conversion */
		size_t at = e->g->cfg.latin1 ?
		    latin1_offset(in, in_n, jerr.offset) : jerr.offset;

		place_error(err, errlen, pl, "invalid JSON at byte %llu: %s%s",
		    (unsigned long long)(pl->offset + lead + at), jerr.msg,
		    memchr(p, '\0', n) ? " (NUL byte: binary data?)" : "");
		return -1;
	}
	if ((s->key_ptr || s->time_ptr) &&
	    json_context(e, s, &doc, &key, &keylen, tbuf, &etime, &why, &which) < 0) {
		place_error(err, errlen, pl, "\"%s\": %s", which, why);
		return -1;
	}
	if (e->t.ok && !e->g->cfg.latin1 && (key == NULL ||
	    plain_value(key, keylen))) {
		/* p is in the batch's input, which outlives the wait */
		emit_fast(e, out, fragment, fraglen, p, n, key, keylen,
		    etime == s->mtime ? NULL : etime);
		return 0;
	}
	emit_ready(e, out);     /* the lines before it go first */
	sl_buf_reset(&e->uri);
	sl_buf_adds(&e->uri, s->uri);
	sl_buf_add(&e->uri, fragment, fraglen);
	if (emit(e, out, &(struct made){ e->uri.data, e->uri.len, p, n,
	    "application/json", key, keylen, etime, date }) < 0) {
		place_error(err, errlen, pl, "%s", e->err);
		return -1;
	}
	return 0;
}

/* ---- batches: rows cut on the main thread, records made by workers ---- */

struct rowerr {
	size_t out_len;            /* output bytes before the bad row */
	uint64_t records;          /* records before it */
	char msg[SL_MSG_MAX];
};

struct span {
	uint32_t off, len;
};

struct batch {
	const struct source *src;
	struct sl_buf in;          /* whole rows or lines */
	struct span *rows;         /* CSV: the rows in it, found while cutting */
	size_t nrows, rowcap;
	uint64_t offset;           /* input offset of in.data[0] */
	uint64_t first;            /* number of the first row or line */
	char date[SL_TIME_STRLEN]; /* WARC-Date of its records */
	/* results */
	struct sl_buf out;
	uint64_t records;
	struct rowerr *errs;
	size_t nerrs, errcap;
};

static void
batch_error(struct batch *b, const char *msg)
{
	struct rowerr *r;

	b->errs = sl_grow(b->errs, &b->errcap, b->nerrs + 1, sizeof(*b->errs));
	r = &b->errs[b->nerrs++];
	r->out_len = b->out.len;
	r->records = b->records;
	snprintf(r->msg, sizeof(r->msg), "%s", msg);
}

static void
batch_result(struct batch *b, int rc, const char *err)
{
	if (rc == 0)
		b->records++;
	else if (rc < 0)
		batch_error(b, err);
}

/* Worker: every row or line of a batch to records. */
static void
batch_work(void *job, void *state)
{
	struct batch *b = job;
	struct emitter *e = state;
	const struct source *s = b->src;
	const unsigned char *p = (const unsigned char *)b->in.data;
	char err[SL_MSG_MAX], frag[64];
	struct place pl = { s->name, "row", 0, 0, NULL };
	size_t pos, n;
	int fl, rc;

	tmpl_build(e, s, b->date);
	if (s->format != F_JSONL) {
		e->fast_csv = fast_csv_ok(e, s);
		for (size_t i = 0; i < b->nrows; i++) {
			pl.number = b->first + i;
			pl.offset = b->offset + b->rows[i].off;
			rc = csv_record_fast(e, s, p + b->rows[i].off,
			    b->rows[i].len, &pl, b->date, &b->out, err,
			    sizeof(err));
			if (rc < 0)
				emit_ready(e, &b->out);   /* before the error */
			batch_result(b, rc, err);
		}
		emit_ready(e, &b->out);
		e->t.ok = 0;     /* the template is this batch's */
		return;
	}
	pl.unit = "line";
	for (pos = 0, pl.number = b->first; pos < b->in.len; pos += n, pl.number++) {
		const unsigned char *nl = memchr(p + pos, '\n', b->in.len - pos);

		n = nl ? (size_t)(nl - (p + pos)) + 1 : b->in.len - pos;
		pl.offset = b->offset + pos;
		fl = snprintf(frag, sizeof(frag), "#line=%llu,%llu",
		    (unsigned long long)(pl.number - 1),
		    (unsigned long long)pl.number);
		rc = json_record(e, s, (const char *)p + pos, n, frag,
		    (size_t)fl, &pl, b->date, &b->out, err, sizeof(err));
		if (rc < 0)
			emit_ready(e, &b->out);   /* before the error */
		batch_result(b, rc, err);
	}
	emit_ready(e, &b->out);
	e->t.ok = 0;     /* the template is this batch's */
}

static struct batch *
batch_get(struct ingest *g)
{
	struct batch *b;

	if (g->nspare > 0) {
		b = g->spare[--g->nspare];
	} else {
		b = sl_calloc(1, sizeof(*b));
	}
	sl_buf_reset(&b->in);
	sl_buf_reset(&b->out);
	b->nrows = 0;
	b->records = 0;
	b->nerrs = 0;
	return b;
}

static void
batch_free(struct batch *b)
{
	sl_buf_release(&b->in);
	sl_buf_release(&b->out);
	free(b->errs);
	free(b->rows);
	free(b);
}

/* Keeps a finished batch for reuse, without the buffers of a rare big one. */
static void
batch_put(struct ingest *g, struct batch *b)
{
	if (g->nspare == g->spare_cap) {
		batch_free(b);
		return;
	}
	if (b->in.cap > 8 * BATCH_BYTES)
		sl_buf_release(&b->in);
	if (b->out.cap > 32 * BATCH_BYTES)
		sl_buf_release(&b->out);
	g->spare[g->nspare++] = b;
}

/* Main thread: writes a finished batch, reporting its errors in order. */
static void
batch_done(struct ingest *g, struct batch *b)
{
	size_t at = 0;
	uint64_t recs = 0;

	for (size_t i = 0; i < b->nerrs; i++) {
		struct rowerr *r = &b->errs[i];

		sl_run_put_framed(&g->run, b->out.data + at, r->out_len - at,
		    r->records - recs);
		g->run.records_out += r->records - recs;
		at = r->out_len;
		recs = r->records;
		data_error(g, SL_EX_DATAERR, r->msg);
	}
	sl_run_put_framed(&g->run, b->out.data + at, b->out.len - at,
	    b->records - recs);
	g->run.records_out += b->records - recs;
	g->run.records_in += b->records + b->nerrs;
	sl_progress_tick(&g->run.progress, g->run.records_in, g->run.bytes_in);
	batch_put(g, b);
}

static void
batch_submit(struct ingest *g, struct batch *b)
{
	struct batch *done;

	while ((done = sl_pool_collect(g->pool, sl_pool_full(g->pool))) != NULL)
		batch_done(g, done);
	g->run.bytes_in += b->in.len;
	sl_pool_submit(g->pool, b);
}

static void
batch_drain(struct ingest *g)
{
	struct batch *done;

	while ((done = sl_pool_collect(g->pool, 1)) != NULL)
		batch_done(g, done);
}

/*
 * Cuts whole rows (lines) from the front of the input window into a batch
 * of about BATCH_BYTES and at most BATCH_ROWS rows (so narrow rows do not
 * make huge outputs), or with all set as many complete rows as that allows.
 * A row still open at the end of the input is the last row, unless
 * --state holds it back for the next run.  Returns 1 when a batch was
 * submitted.
 */
static int
cut(struct ingest *g, int all)
{
	struct source *s = g->cur;
	struct sl_input *in = g->cur_in;
	const unsigned char *p = sl_input_ptr(in);
	size_t avail = sl_input_avail(in), take = 0, n;
	int at_end = in->eof && !g->hold_tail;
	uint64_t rows = 0;
	struct batch *b;

	if (avail == 0 || (!all && avail < BATCH_BYTES))
		return 0;
	b = batch_get(g);
	while (take < avail && (all || take < BATCH_BYTES) && rows < BATCH_ROWS) {
		if (s->format == F_JSONL) {
			const unsigned char *nl = memchr(p + take, '\n',
			    avail - take);

			n = nl ? (size_t)(nl - (p + take)) + 1 :
			    at_end ? avail - take : 0;
			if (n == 0)
				break;
			rows++;     /* blank lines count in line numbers */
		} else {
			n = sl_csv_row_len(p + take, avail - take, s->quote, at_end);
			if (n == 0)
				break;
			if (!sl_csv_blank(p + take, n)) {
				if (b->nrows == b->rowcap)
					b->rows = sl_grow(b->rows, &b->rowcap,
					    b->nrows + 1, sizeof(*b->rows));
				b->rows[b->nrows].off = (uint32_t)take;
				b->rows[b->nrows].len = (uint32_t)n;
				b->nrows++;
				rows++;
			}
		}
		if (n > MAX_ROW)
			break;
		take += n;
	}
	if (take == 0) {
		/* no complete row yet: fine, unless none ends within MAX_ROW */
		batch_put(g, b);
		if (avail > MAX_ROW)
			sl_die(SL_EX_DATAERR, "%s: %s %llu at byte %llu: longer "
			    "than %d MiB%s", s->name, s->format == F_JSONL ?
			    "line" : "row", (unsigned long long)(g->next_row + rows),
			    (unsigned long long)(sl_input_offset(in) + take),
			    MAX_ROW >> 20, s->format == F_JSONL ? "" :
			    " without a row end (a quote never closed?)");
		return 0;
	}
	b->src = s;
	b->offset = sl_input_offset(in);
	b->first = g->next_row;
	sl_time_format(sl_now(), SL_TIME_MICRO, b->date);
	sl_buf_add(&b->in, p, take);
	sl_buf_grow(&b->in, SCAN_SLACK);
	memset(b->in.data + b->in.len, 0, SCAN_SLACK);
	sl_input_consume(in, take);
	g->next_row += rows;
	batch_submit(g, b);
	return 1;
}

/* The input would block: send what we have and write it out. */
static void
idle(void *arg)
{
	struct ingest *g = arg;

	if (g->cur && g->cur_in)
		while (cut(g, 1))
			;
	batch_drain(g);
	sl_writer_flush(&g->run.out);
}

/* Reads a CSV, TSV or JSON Lines source to its end in batches. */
static void
read_rows(struct ingest *g, struct source *s, struct sl_input *in)
{
	ssize_t r;

	g->cur = s;
	g->cur_in = in;
	sl_input_set_idle(in, idle, g);
	for (;;) {
		while (cut(g, 0))
			;
		r = sl_input_fill(in);
		if (r < 0) {
			/* the rows before the damage go out whole first */
			while (cut(g, 1))
				;
			batch_drain(g);
			sl_die(in->status, "%s", in->err);
		}
		if (r == 0)
			break;
	}
	while (cut(g, 1))
		;
	batch_drain(g);
	if (sl_input_avail(in) > 0)
		sl_warn("%s: the last %zu bytes end no %s: left for the next run "
		    "(--state)", s->name, sl_input_avail(in),
		    s->format == F_JSONL ? "line" : "row");
	g->cur = NULL;
	g->cur_in = NULL;
}

/* ---- sources ---- */

/* RFC 3986 path characters that need no escaping. */
static int
uri_safe(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || strchr("-._~!$&'()*+,;=:@/", c) != NULL;
}

/*
 * file:// URI of a path made absolute lexically (no symlinks resolved):
 * "data/../x.csv" run in /srv becomes file:///srv/x.csv.
 */
static char *
file_uri(const char *path)
{
	struct sl_buf abs = SL_BUF_INIT, uri = SL_BUF_INIT;
	char cwd[PATH_MAX];
	size_t i, j;
	char *p;

	if (path[0] != '/') {
		if (getcwd(cwd, sizeof(cwd)) == NULL)
			sl_die(SL_EX_IOERR, "cannot get the current directory: %s",
			    strerror(errno));
		sl_buf_adds(&abs, cwd);
		sl_buf_addc(&abs, '/');
	}
	sl_buf_adds(&abs, path);
	/* normalise: collapse //, drop /./, resolve /../ */
	p = abs.data;
	for (i = j = 0; p[i];) {
		if (p[i] == '/' && (p[i + 1] == '/' || p[i + 1] == '\0') && j > 0) {
			i++;
			continue;
		}
		if (p[i] == '/' && p[i + 1] == '.' && (p[i + 2] == '/' || p[i + 2] == '\0')) {
			i += 2;
			continue;
		}
		if (p[i] == '/' && p[i + 1] == '.' && p[i + 2] == '.' &&
		    (p[i + 3] == '/' || p[i + 3] == '\0')) {
			while (j > 0 && p[j - 1] != '/')
				j--;
			if (j > 0)
				j--;
			i += 3;
			continue;
		}
		p[j++] = p[i++];
	}
	if (j == 0)
		p[j++] = '/';
	p[j] = '\0';
	sl_buf_adds(&uri, "file://");
	for (i = 0; i < j; i++) {
		unsigned char c = (unsigned char)p[i];

		if (uri_safe(c))
			sl_buf_addc(&uri, (char)c);
		else
			sl_buf_addf(&uri, "%%%02X", c);
	}
	sl_buf_release(&abs);
	return sl_buf_detach(&uri, NULL);
}

/* A --key/--event-time FIELD as a JSON Pointer: "/a/b" as is, "id" -> "/id". */
static char *
field_pointer(const char *field)
{
	struct sl_buf b = SL_BUF_INIT;

	if (field == NULL)
		return NULL;
	if (field[0] == '/')
		return sl_strdup(field);
	sl_buf_addc(&b, '/');
	for (const char *p = field; *p; p++) {
		if (*p == '~')
			sl_buf_adds(&b, "~0");
		else if (*p == '/')
			sl_buf_adds(&b, "~1");
		else
			sl_buf_addc(&b, *p);
	}
	return sl_buf_detach(&b, NULL);
}

static void
source_free(struct source *s)
{
	free(s->uri);
	for (size_t i = 0; i < s->ncols; i++)
		free(s->cols[i]);
	free(s->cols);
	strset_free(&s->colset);
	free(s->key_at);
	sl_buf_release(&s->keys);
	free(s->key_ptr);
	free(s->time_ptr);
	memset(s, 0, sizeof(*s));
}

/*
 * Sets the column names: empty names become the column number, repeated
 * names get _2, _3 ... ("name", "name_2"), and each is pre-encoded as a JSON
 * object key.
 */
static void
set_columns(struct ingest *g, struct source *s, char **names, size_t n)
{
	const char *kf = g->cfg.key, *tf = g->cfg.event_time;
	struct strset given = { NULL, NULL, 0, 0 };

	s->cols = sl_calloc(n + 1, sizeof(*s->cols));
	s->key_at = sl_calloc(n + 1, sizeof(*s->key_at));
	s->ncols = 0;
	for (size_t i = 0; i < n; i++)
		strset_add(&given, names[i]);
	for (size_t i = 0; i < n; i++) {
		struct sl_buf name = SL_BUF_INIT;

		if (names[i][0] == '\0')
			sl_buf_addf(&name, "%zu", i + 1);
		else
			sl_buf_adds(&name, names[i]);
		if (strset_has(&s->colset, name.data)) {
			/* the first suffix free among the names made and
			 * given, searching on from the last one taken */
			int *next = strset_find(&s->colset, name.data);

			for (int k = *next > 2 ? *next : 2;; k++) {
				struct sl_buf alt = SL_BUF_INIT;

				sl_buf_addf(&alt, "%s_%d", name.data, k);
				if (!strset_has(&s->colset, alt.data) &&
				    !strset_has(&given, alt.data)) {
					*next = k + 1;
					sl_buf_release(&name);
					name = alt;
					break;
				}
				sl_buf_release(&alt);
			}
		}
		s->key_at[i] = s->keys.len;
		sl_json_write_string(&s->keys, name.data, name.len);
		sl_buf_addc(&s->keys, ':');
		s->cols[s->ncols] = sl_buf_detach(&name, NULL);
		strset_add(&s->colset, s->cols[s->ncols]);
		s->ncols++;
	}
	strset_free(&given);
	s->key_at[n] = s->keys.len;
	/* csv_json() copies keys 16 bytes at a time */
	sl_buf_grow(&s->keys, SCAN_SLACK);
	memset(s->keys.data + s->keys.len, 0, SCAN_SLACK);
	s->key_col = s->time_col = -1;
	if (kf && *kf == '/')
		kf++;
	if (tf && *tf == '/')
		tf++;
	for (size_t i = 0; i < s->ncols; i++) {
		if (kf && strcmp(s->cols[i], kf) == 0)
			s->key_col = (int)i;
		if (tf && strcmp(s->cols[i], tf) == 0)
			s->time_col = (int)i;
	}
	if (kf && s->key_col < 0)
		sl_die(SL_EX_USAGE, "%s: --key \"%s\": no such column", s->name,
		    g->cfg.key);
	if (tf && s->time_col < 0)
		sl_die(SL_EX_USAGE, "%s: --event-time \"%s\": no such column",
		    s->name, g->cfg.event_time);
}

/* Reads more, dying on an error; returns 0 at the end of the input. */
static ssize_t
more(struct sl_input *in)
{
	ssize_t r = sl_input_fill(in);

	if (r < 0)
		sl_die(in->status, "%s", in->err);
	return r;
}

/*
 * The length of the first row that is not blank, reading as needed (blank
 * lines before it are consumed); 0 for an input without rows.
 */
static size_t
first_row(const struct source *s, struct sl_input *in)
{
	for (;;) {
		const unsigned char *p = sl_input_ptr(in);
		size_t n = sl_csv_row_len(p, sl_input_avail(in), s->quote, in->eof);

		if (n > 0 && sl_csv_blank(p, n)) {
			sl_input_consume(in, n);
			continue;
		}
		if (n > 0 || in->eof)
			return n;
		if (sl_input_avail(in) > MAX_ROW)
			sl_die(SL_EX_DATAERR, "%s: row 1 at byte %llu: longer than "
			    "%d MiB without a row end (a quote never closed?)",
			    s->name, (unsigned long long)sl_input_offset(in),
			    MAX_ROW >> 20);
		more(in);
	}
}

/*
 * Sets the columns: from --header, else from the header row (strict,
 * through libcsv, which is then consumed), else (--no-header) numbered as
 * many as the first row has.
 */
static void
csv_header(struct ingest *g, struct source *s, struct sl_input *in)
{
	struct emitter *e = g->main_em;
	const char *why = NULL;
	const unsigned char *nul = NULL;
	struct place pl = { s->name, "row", 1, 0, "(the header)" };
	char err[SL_MSG_MAX], **names;
	size_t n, nf;

	if (g->cfg.nheader > 0) {
		set_columns(g, s, g->cfg.header, g->cfg.nheader);
		return;
	}
	if ((n = first_row(s, in)) == 0)
		return;             /* an empty input: no columns, no rows */
	if (g->cfg.no_header)
		pl.note = NULL;
	pl.offset = sl_input_offset(in);
	if (split_row(e, s, sl_input_ptr(in), n, &why, &nul) < 0) {
		if (nul)
			place_error(err, sizeof(err), &pl, "NUL byte at byte %llu "
			    "(binary data, not text?)", (unsigned long long)
			    (pl.offset + (uint64_t)(nul - sl_input_ptr(in))));
		else
			place_error(err, sizeof(err), &pl, "%s", why);
		sl_die(SL_EX_DATAERR, "%s", err);
	}
	nf = e->csv.n;
	names = sl_calloc(nf + 1, sizeof(*names));
	for (size_t i = 0; i < nf; i++) {
		const char *p = e->csv.f[i].p;
		size_t len = e->csv.f[i].len;

		if (g->cfg.no_header) {
			names[i] = sl_strdup("");   /* named by its number */
			continue;
		}
		if (g->cfg.latin1) {
			latin1(e, p, len);
			p = e->text.data;
			len = e->text.len;
		} else if (!sl_utf8_valid(p, len, NULL)) {
			place_error(err, sizeof(err), &pl, "column %zu: invalid "
			    "UTF-8 (see --encoding)", i + 1);
			sl_die(SL_EX_DATAERR, "%s", err);
		}
		names[i] = sl_strndup(p, len);
	}
	if (!g->cfg.no_header) {
		sl_input_consume(in, n);
		g->next_row = 2;
	}
	set_columns(g, s, names, nf);
	free_list(names, nf);
}


/*
 * Skips a UTF-8 byte order mark at the very start of a text input, reading
 * only while what arrived could still be one (a live input is not kept
 * waiting for bytes that would settle nothing).
 */
static void
skip_bom(struct sl_input *in)
{
	static const char bom[] = "\xef\xbb\xbf";

	if (sl_input_offset(in) != 0)
		return;
	while (sl_input_avail(in) < 3 &&
	    memcmp(sl_input_ptr(in), bom, sl_input_avail(in)) == 0)
		if (more(in) == 0)
			return;
	if (sl_input_avail(in) >= 3 && memcmp(sl_input_ptr(in), bom, 3) == 0)
		sl_input_consume(in, 3);
}

/* Main-thread records go straight to the writer, errors through data_error. */
static void
main_record(struct ingest *g, int rc, struct sl_buf *out, const char *err)
{
	g->run.records_in++;
	if (rc < 0) {
		data_error(g, SL_EX_DATAERR, err);
		return;
	}
	if (rc > 0)
		return;
	sl_run_put_framed(&g->run, out->data, out->len, 1);
	g->run.records_out++;
	sl_run_tick(&g->run);
}

/* ---- JSON: an array (a record per element) or one value ---- */

static void
skip_ws(struct sl_input *in)
{
	for (;;) {
		const unsigned char *p = sl_input_ptr(in);
		size_t n = sl_input_avail(in), i = 0;

		while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' ||
		    p[i] == '\r'))
			i++;
		sl_input_consume(in, i);
		if (i < n)
			return;
		if (sl_input_fill(in) < 0)
			sl_die(in->status, "%s", in->err);
		if (sl_input_avail(in) == 0)
			return;
	}
}

/*
 * Scans one JSON value at the front of the window, reading more (doubling
 * what is held) until it is complete.  Dies on invalid JSON: there is no
 * safe place to resume inside a broken document.
 */
static size_t
scan_value(struct source *s, struct sl_input *in, const struct place *pl,
    size_t *start)
{
	struct sl_json_error jerr;
	size_t end, had;

	for (;;) {
		enum sl_json_status st = sl_json_scan((const char *)sl_input_ptr(in),
		    sl_input_avail(in), in->eof, start, &end, &jerr);

		if (st == SL_JSON_OK)
			return end;
		if (st == SL_JSON_INVALID || in->eof)
			sl_die(SL_EX_DATAERR, "%s: %s %llu at byte %llu: %s JSON at "
			    "byte %llu: %s", s->name, pl->unit,
			    (unsigned long long)pl->number,
			    (unsigned long long)pl->offset,
			    st == SL_JSON_INVALID ? "invalid" : "truncated",
			    (unsigned long long)(sl_input_offset(in) + jerr.offset),
			    st == SL_JSON_INVALID ? jerr.msg :
			    "the input ends inside the value");
		/*
		 * Read on: at least once, then while more is ready, until what
		 * is held doubles (a huge element is rescanned a few times,
		 * not once per read; a live one is not kept waiting).
		 */
		had = sl_input_avail(in);
		while (more(in) > 0 && sl_input_avail(in) < 2 * had &&
		    sl_input_ready(in))
			;
	}
}

/* A fatal error at a place: "file: element 3 at byte 40: ..." and exit 65. */
static noreturn void
die_at(const struct place *pl, const char *fmt, ...) SL_PRINTF(2, 3);

static noreturn void
die_at(const struct place *pl, const char *fmt, ...)
{
	char msg[SL_MSG_MAX], err[SL_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	place_error(err, sizeof(err), pl, "%s", msg);
	sl_die(SL_EX_DATAERR, "%s", err);
}

static void
read_json(struct ingest *g, struct source *s, struct sl_input *in)
{
	struct emitter *e = g->main_em;
	struct sl_buf out = SL_BUF_INIT;
	char err[SL_MSG_MAX], frag[32], date[SL_TIME_STRLEN];
	struct place pl = { s->name, "element", 0, 0, NULL };
	size_t start, end;
	uint64_t index = 0, at = sl_input_offset(in);
	int rc, fl;

	skip_bom(in);
	skip_ws(in);
	if (sl_input_avail(in) == 0)
		sl_die(SL_EX_DATAERR, "%s: empty input: no JSON value (a JSON "
		    "file holds an array or one value)", s->name);
	sl_time_format(sl_now(), SL_TIME_MICRO, date);
	if (*sl_input_ptr(in) != '[') {
		pl.unit = "value";
		pl.number = 1;
		pl.offset = sl_input_offset(in);
		end = scan_value(s, in, &pl, &start);
		sl_buf_reset(&out);
		rc = json_record(e, s, (const char *)sl_input_ptr(in) + start,
		    end - start, "", 0, &pl, date, &out, err, sizeof(err));
		main_record(g, rc, &out, err);
		sl_input_consume(in, end);
		skip_ws(in);
		if (sl_input_avail(in) > 0)
			sl_die(SL_EX_DATAERR, "%s: byte %llu: more after the JSON "
			    "value (for one value per line use -f jsonl)", s->name,
			    (unsigned long long)sl_input_offset(in));
		goto out;
	}
	sl_input_consume(in, 1);
	for (;;) {
		skip_ws(in);
		pl.number = index;
		pl.offset = sl_input_offset(in);
		if (sl_input_avail(in) == 0)
			die_at(&pl, "truncated JSON at byte %llu: the array is not "
			    "closed", (unsigned long long)pl.offset);
		if (*sl_input_ptr(in) == ']') {
			sl_input_consume(in, 1);
			break;
		}
		if (index > 0) {
			if (*sl_input_ptr(in) != ',')
				die_at(&pl, "invalid JSON at byte %llu: expected ',' "
				    "or ']' after element %llu",
				    (unsigned long long)pl.offset,
				    (unsigned long long)(index - 1));
			sl_input_consume(in, 1);
			skip_ws(in);
			pl.offset = sl_input_offset(in);
		}
		end = scan_value(s, in, &pl, &start);
		fl = snprintf(frag, sizeof(frag), "#/%llu", (unsigned long long)index);
		sl_buf_reset(&out);
		rc = json_record(e, s, (const char *)sl_input_ptr(in) + start,
		    end - start, frag, (size_t)fl, &pl, date, &out, err,
		    sizeof(err));
		main_record(g, rc, &out, err);
		sl_input_consume(in, end);
		g->run.bytes_in += sl_input_offset(in) - at;
		at = sl_input_offset(in);
		index++;
	}
	skip_ws(in);
	if (sl_input_avail(in) > 0)
		sl_die(SL_EX_DATAERR, "%s: byte %llu: more after the JSON array",
		    s->name, (unsigned long long)sl_input_offset(in));
out:
	g->run.bytes_in += sl_input_offset(in) - at;
	sl_buf_release(&out);
}

/* ---- raw files ---- */

/* Media type from the first bytes; text if the whole payload is UTF-8. */
static const char *
sniff_type(const unsigned char *p, size_t n)
{
	if (n >= 8 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0)
		return "image/png";
	if (n >= 3 && memcmp(p, "\xff\xd8\xff", 3) == 0)
		return "image/jpeg";
	if (n >= 6 && (memcmp(p, "GIF87a", 6) == 0 || memcmp(p, "GIF89a", 6) == 0))
		return "image/gif";
	if (n >= 12 && memcmp(p, "RIFF", 4) == 0 && memcmp(p + 8, "WEBP", 4) == 0)
		return "image/webp";
	if (n >= 12 && memcmp(p, "RIFF", 4) == 0 && memcmp(p + 8, "WAVE", 4) == 0)
		return "audio/wav";
	if (n >= 4 && memcmp(p, "fLaC", 4) == 0)
		return "audio/flac";
	if ((n >= 3 && memcmp(p, "ID3", 3) == 0) ||
	    (n >= 2 && p[0] == 0xff && (p[1] & 0xe6) == 0xe2))
		return "audio/mpeg";
	if (n >= 5 && memcmp(p, "%PDF-", 5) == 0)
		return "application/pdf";
	if (n >= 2 && p[0] == 0x1f && p[1] == 0x8b)
		return "application/gzip";
	if (n == 0 || memchr(p, '\0', n) != NULL || !sl_utf8_valid((const char *)p, n, NULL))
		return "application/octet-stream";
	return "text/plain; charset=utf-8";
}

static void
read_raw(struct ingest *g, struct source *s, struct sl_input *in)
{
	struct emitter *e = g->main_em;
	struct sl_buf data = SL_BUF_INIT, out = SL_BUF_INIT;
	char err[SL_MSG_MAX], date[SL_TIME_STRLEN];
	struct place pl = { s->name, "file", 1, 0, NULL };
	ssize_t r;
	int rc;

	for (;;) {
		if (data.len > SL_MAX_BLOCK_DEFAULT)
			sl_die(SL_EX_DATAERR, "%s: larger than the record limit of "
			    "%llu bytes", s->name,
			    (unsigned long long)SL_MAX_BLOCK_DEFAULT);
		sl_buf_grow(&data, 65536);
		r = sl_input_read(in, data.data + data.len, data.cap - data.len - 1);
		if (r < 0)
			sl_die(in->status, "%s", in->err);
		if (r == 0)
			break;
		data.len += (size_t)r;
	}
	g->run.bytes_in += data.len;
	sl_time_format(sl_now(), SL_TIME_MICRO, date);
	rc = emit(e, &out, &(struct made){ s->uri, strlen(s->uri),
	    data.data ? data.data : "", data.len,
	    sniff_type((unsigned char *)data.data, data.len), NULL, 0, s->mtime,
	    date });
	if (rc < 0)
		place_error(err, sizeof(err), &pl, "%s", e->err);
	main_record(g, rc, &out, err);
	sl_buf_release(&data);
	sl_buf_release(&out);
}

/* ---- WARC input ---- */

struct http_state {
	struct sl_buf field, value, ctype, cenc, body;
	int in_value;
	int complete;
};

static void
http_header_done(struct http_state *h)
{
	if (h->field.len == 0)
		return;
	if (strcasecmp(h->field.data, "Content-Type") == 0) {
		sl_buf_reset(&h->ctype);
		sl_buf_add(&h->ctype, h->value.data ? h->value.data : "", h->value.len);
	} else if (strcasecmp(h->field.data, "Content-Encoding") == 0) {
		sl_buf_reset(&h->cenc);
		sl_buf_add(&h->cenc, h->value.data ? h->value.data : "", h->value.len);
	}
	sl_buf_reset(&h->field);
	sl_buf_reset(&h->value);
}

static int
http_on_field(http_parser *p, const char *at, size_t len)
{
	struct http_state *h = p->data;

	if (h->in_value) {
		http_header_done(h);
		h->in_value = 0;
	}
	sl_buf_add(&h->field, at, len);
	return 0;
}

static int
http_on_value(http_parser *p, const char *at, size_t len)
{
	struct http_state *h = p->data;

	h->in_value = 1;
	sl_buf_add(&h->value, at, len);
	return 0;
}

static int
http_on_headers(http_parser *p)
{
	struct http_state *h = p->data;

	http_header_done(h);
	h->in_value = 0;
	return 0;
}

static int
http_on_body(http_parser *p, const char *at, size_t len)
{
	struct http_state *h = p->data;

	if (h->body.len + len > SL_MAX_BLOCK_DEFAULT)
		return 1;
	sl_buf_add(&h->body, at, len);
	return 0;
}

static int
http_on_complete(http_parser *p)
{
	struct http_state *h = p->data;

	h->complete = 1;
	return 0;
}

static void
http_state_release(struct http_state *h)
{
	sl_buf_release(&h->field);
	sl_buf_release(&h->value);
	sl_buf_release(&h->ctype);
	sl_buf_release(&h->cenc);
	sl_buf_release(&h->body);
}

/*
 * Undoes gzip or deflate Content-Encoding (every member of a multi-member
 * gzip body; deflate with or without its zlib wrapper).  Returns 0, or -1
 * when the data is corrupt or inflates past the record limit.
 */
static int
inflate_body(struct sl_buf *body, struct sl_buf *out)
{
	z_stream z;
	int ret, raw = 0;

again:
	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, raw ? -15 : 15 + 32) != Z_OK)
		return -1;
	z.next_in = (unsigned char *)body->data;
	z.avail_in = (uInt)body->len;
	sl_buf_reset(out);
	for (;;) {
		sl_buf_grow(out, 65536);
		z.next_out = (unsigned char *)out->data + out->len;
		z.avail_out = (uInt)(out->cap - out->len - 1);
		ret = inflate(&z, Z_NO_FLUSH);
		out->len = out->cap - 1 - z.avail_out;
		if (out->len > SL_MAX_BLOCK_DEFAULT)
			ret = Z_DATA_ERROR;
		if (ret == Z_STREAM_END && z.avail_in > 0 && !raw) {
			inflateReset(&z);       /* the next gzip member */
			continue;
		}
		if (ret != Z_OK)
			break;
	}
	inflateEnd(&z);
	if (ret == Z_DATA_ERROR && !raw && out->len == 0) {
		raw = 1;     /* "deflate" sent without its zlib wrapper */
		goto again;
	}
	out->data[out->len] = '\0';
	return ret == Z_STREAM_END ? 0 : -1;
}

/* WARC/1.0 writers put the target URI in angle brackets. */
static const char *
target_uri(const struct sl_record *rec, size_t *len)
{
	const struct sl_hfield *f = sl_headers_find(&rec->hdr, SL_F_WARC_TARGET_URI);

	if (f == NULL) {
		*len = 0;
		return NULL;
	}
	if (f->value_len >= 2 && f->value[0] == '<' && f->value[f->value_len - 1] == '>') {
		*len = f->value_len - 2;
		return f->value + 1;
	}
	*len = f->value_len;
	return f->value;
}

/*
 * Adds what ingest owes a data record that arrives in a WARC: the block's
 * SHA-256 digest (sha256 given), the default classification and event time
 * when it has none, the key and event time asked for, the lineage line.
 */
static int
adopt(struct ingest *g, const struct source *s, struct sl_record *rec,
    const unsigned char sha256[SL_SHA256_LEN], const char *event_default,
    char *err, size_t errlen, const struct place *pl)
{
	struct emitter *e = g->main_em;
	char digest[SL_DIGEST_STRLEN + 1], tbuf[SL_TIME_STRLEN];
	const char *why, *key = NULL, *etime = NULL, *which = "";
	size_t keylen = 0, ulen;
	const char *uri = target_uri(rec, &ulen);
	sl_time t;

	if (uri && uri != sl_headers_get(&rec->hdr, SL_F_WARC_TARGET_URI))
		sl_headers_set(&rec->hdr, SL_F_WARC_TARGET_URI, uri, ulen);
	rec->version = 11;
	memcpy(digest, "sha256:", 7);
	sl_hex(sha256, SL_SHA256_LEN, digest + 7);
	sl_headers_set(&rec->hdr, SL_F_WARC_BLOCK_DIGEST, digest, SL_DIGEST_STRLEN);
	if (!sl_headers_find(&rec->hdr, SL_F_SLUICE_CLASSIFICATION))
		sl_headers_sets(&rec->hdr, SL_F_SLUICE_CLASSIFICATION, g->classification);
	if (s->key_ptr || s->time_ptr) {
		struct sl_json doc;
		struct sl_json_error jerr;

		sl_arena_reset(&e->arena);
		if (sl_json_parse(&e->arena, (const char *)rec->block, rec->block_len,
		    &doc, &jerr) != SL_JSON_OK) {
			place_error(err, errlen, pl, "--key/--event-time need a "
			    "JSON payload: %s at byte %zu of the block", jerr.msg,
			    jerr.offset);
			return -1;
		}
		if (json_context(e, s, &doc, &key, &keylen, tbuf, &etime, &why,
		    &which) < 0) {
			place_error(err, errlen, pl, "\"%s\": %s", which, why);
			return -1;
		}
		if (key)
			sl_headers_set(&rec->hdr, SL_F_SLUICE_KEY, key, keylen);
	}
	if (etime) {
		sl_headers_sets(&rec->hdr, SL_F_SLUICE_EVENT_TIME, etime);
	} else if (!sl_headers_find(&rec->hdr, SL_F_SLUICE_EVENT_TIME) &&
	    event_default != NULL &&
	    sl_time_parse(event_default, strlen(event_default), &t, NULL) == 0) {
		sl_time_format(t, SL_TIME_AUTO, tbuf);
		sl_headers_sets(&rec->hdr, SL_F_SLUICE_EVENT_TIME, tbuf);
	}
	sl_headers_adds(&rec->hdr, SL_F_SLUICE_LINEAGE, g->lineage);
	if (sl_headers_get(&rec->hdr, SL_F_CONTENT_TYPE) == NULL)
		sl_headers_sets(&rec->hdr, SL_F_CONTENT_TYPE, "application/octet-stream");
	return 0;
}

/*
 * The context a conversion record carries from its one parent, by the
 * derivation table: the parent's governance fields and lineage lines, its
 * contracts dropped.  Returns 0, or -1 with err for a malformed field.
 */
static int
inherit(struct sl_record *conv, const struct sl_record *parent, char *err,
    size_t errlen, const struct place *pl)
{
	struct sl_ctx pc, dc;
	char why[256];

	if (sl_ctx_from_headers(&pc, &parent->hdr, &conv->arena, why,
	    sizeof(why)) < 0) {
		place_error(err, errlen, pl, "%s", why);
		return -1;
	}
	sl_ctx_derive(&dc, &pc, 1, &conv->arena);
	sl_ctx_to_headers(&dc, &conv->hdr);
	for (size_t i = 0; i < parent->hdr.n; i++)
		if (parent->hdr.f[i].id == SL_F_SLUICE_LINEAGE)
			sl_headers_add(&conv->hdr, SL_F_SLUICE_LINEAGE,
			    parent->hdr.f[i].value, parent->hdr.f[i].value_len);
	return 0;
}

/*
 * A crawl response to a conversion record holding the HTTP body.  Returns 1
 * when rec was replaced by the conversion, 0 to pass the response on as it
 * is (not HTTP, not 2xx, an encoding we cannot undo), -1 on malformed HTTP.
 */
static int
convert_response(struct ingest *g, const struct source *s, struct sl_record *rec,
    struct sl_record *conv, struct sl_buf *body, char *err, size_t errlen,
    const struct place *pl)
{
	struct http_state h;
	http_parser p;
	http_parser_settings cb;
	const char *ct = sl_headers_get(&rec->hdr, SL_F_CONTENT_TYPE);
	const char *parent = sl_headers_get(&rec->hdr, SL_F_WARC_RECORD_ID);
	const char *parts[2];
	size_t lens[2], ulen, got;
	struct sl_uuid u;
	unsigned char d[SL_SHA256_LEN];
	char id[SL_URN_STRLEN + 1], date[SL_TIME_STRLEN];
	const char *uri = target_uri(rec, &ulen);
	int rc = -1;

	if (ct == NULL || strncasecmp(ct, "application/http", 16) != 0)
		return 0;
	memset(&h, 0, sizeof(h));
	memset(&cb, 0, sizeof(cb));
	cb.on_header_field = http_on_field;
	cb.on_header_value = http_on_value;
	cb.on_headers_complete = http_on_headers;
	cb.on_body = http_on_body;
	cb.on_message_complete = http_on_complete;
	http_parser_init(&p, HTTP_RESPONSE);
	p.data = &h;
	got = http_parser_execute(&p, &cb, (const char *)rec->block, rec->block_len);
	if (!h.complete && HTTP_PARSER_ERRNO(&p) == HPE_OK)
		http_parser_execute(&p, &cb, NULL, 0);
	if (HTTP_PARSER_ERRNO(&p) != HPE_OK) {
		place_error(err, errlen, pl, "malformed HTTP response at byte %zu of "
		    "the block: %s", got, http_errno_description(HTTP_PARSER_ERRNO(&p)));
		goto out;
	}
	if (p.status_code < 200 || p.status_code > 299) {
		rc = 0;
		goto out;
	}
	if (h.cenc.len > 0 && strcasecmp(h.cenc.data, "identity") != 0) {
		if (strcasecmp(h.cenc.data, "gzip") != 0 &&
		    strcasecmp(h.cenc.data, "x-gzip") != 0 &&
		    strcasecmp(h.cenc.data, "deflate") != 0) {
			sl_warn("%s: record %llu: Content-Encoding \"%s\" cannot be "
			    "undone: the response is passed on as it is", s->name,
			    (unsigned long long)pl->number, h.cenc.data);
			rc = 0;
			goto out;
		}
		if (inflate_body(&h.body, body) < 0) {
			place_error(err, errlen, pl, "corrupt %s body in the HTTP "
			    "response", h.cenc.data);
			goto out;
		}
	} else {
		sl_buf_reset(body);
		sl_buf_add(body, h.body.data ? h.body.data : "", h.body.len);
	}
	sl_record_clear(conv);
	parts[0] = parent;
	lens[0] = (size_t)-1;
	parts[1] = "sluice-ingest http-body";
	lens[1] = (size_t)-1;
	sl_uuid5(g->main_em->h, &sl_uuid_ns, &u, 2, parts, lens);
	sl_uuid_urn(&u, id);
	sl_sha256(g->main_em->h, body->data, body->len, d);
	sl_time_format(sl_now(), SL_TIME_MICRO, date);
	conv->type = SL_R_CONVERSION;
	sl_headers_sets(&conv->hdr, SL_F_WARC_TYPE, "conversion");
	sl_headers_sets(&conv->hdr, SL_F_WARC_RECORD_ID, id);
	sl_headers_sets(&conv->hdr, SL_F_WARC_DATE, date);
	if (uri)
		sl_headers_add(&conv->hdr, SL_F_WARC_TARGET_URI, uri, ulen);
	sl_headers_sets(&conv->hdr, SL_F_WARC_REFERS_TO, parent);
	sl_headers_sets(&conv->hdr, SL_F_CONTENT_TYPE, h.ctype.len ? h.ctype.data :
	    "application/octet-stream");
	sl_record_set_block(conv, body->data, body->len);
	if (inherit(conv, rec, err, errlen, pl) < 0 ||
	    adopt(g, s, conv, d, sl_headers_get(&rec->hdr, SL_F_WARC_DATE), err,
	    errlen, pl) < 0)
		goto out;
	rc = 1;
out:
	http_state_release(&h);
	return rc;
}

static void
read_warc(struct ingest *g, struct source *s, struct sl_input *in,
    uint64_t first)
{
	struct sl_reader r;
	struct sl_record rec, conv;
	struct sl_buf body = SL_BUF_INIT;
	char err[SL_MSG_MAX];
	uint64_t at = sl_input_offset(in);
	int rc;

	sl_reader_init(&r, in);
	r.lenient = g->cfg.lenient;
	r.records = first > 0 ? first - 1 : 0;  /* numbered on after --state */
	sl_record_init(&rec);
	sl_record_init(&conv);
	while ((rc = sl_reader_next(&r, &rec)) > 0) {
		struct place pl = { s->name, "record", rec.number, rec.offset,
		    NULL };
		const char *dg = sl_headers_get(&rec.hdr, SL_F_WARC_BLOCK_DIGEST);
		const struct sl_record *outrec = &rec;
		unsigned char d[SL_SHA256_LEN];
		int data = 0;

		g->run.bytes_in += sl_input_offset(in) - at;
		at = sl_input_offset(in);
		if (rec.type == SL_R_RESPONSE) {
			rc = convert_response(g, s, &rec, &conv, &body, err,
			    sizeof(err), &pl);
			if (rc < 0) {
				g->run.records_in++;
				data_error(g, SL_EX_DATAERR, err);
				continue;
			}
			if (rc > 0) {
				outrec = &conv;
				data = 1;
			}
		} else if (sl_record_is_data(&rec)) {
			data = 1;
			sl_sha256(g->main_em->h, rec.block, rec.block_len, d);
			/* another algorithm (-1) is not checked here */
			if (dg && !sl_digest_matches(g->main_em->h, dg,
			    rec.block, rec.block_len, d)) {
				place_error(err, sizeof(err), &pl, "WARC-Block-Digest "
				    "%s does not match the block", dg);
				g->run.records_in++;
				data_error(g, SL_EX_DATAERR, err);
				continue;
			}
			if (adopt(g, s, &rec, d, sl_headers_get(&rec.hdr,
			    SL_F_WARC_DATE), err, sizeof(err), &pl) < 0) {
				g->run.records_in++;
				data_error(g, SL_EX_DATAERR, err);
				continue;
			}
		}
		g->run.records_in += (uint64_t)data;
		if (sl_run_write(&g->run, outrec) < 0) {
			place_error(err, sizeof(err), &pl, "%s", g->run.out.err);
			data_error(g, SL_EX_DATAERR, err);
			continue;
		}
		g->run.records_out += (uint64_t)data;
		sl_run_tick(&g->run);
	}
	if (rc < 0)
		sl_die(r.status, "%s", r.err);
	g->run.bytes_in += sl_input_offset(in) - at;
	if (r.damaged) {
		sl_warn("%s: %llu damaged record%s skipped, %llu bytes (--lenient)",
		    s->name, (unsigned long long)r.damaged, r.damaged == 1 ? "" : "s",
		    (unsigned long long)r.skipped_bytes);
		g->run.records_rejected += r.damaged;
		g->damaged += r.damaged;
	}
	g->next_row = r.records + r.damaged + 1;
	sl_record_release(&rec);
	sl_record_release(&conv);
	sl_buf_release(&body);
}

/* ---- --state: remember what was read ---- */

struct seen {
	char *uri;                 /* the source URI: the key */
	uint64_t dev, ino, size;
	int64_t mtime_ns;
	char sha256[SL_DIGEST_STRLEN + 1];  /* of the first size bytes */
	uint64_t offset;           /* decompressed bytes consumed */
	uint64_t next;             /* number of the next row, line or record */
	char *format;
	char **cols;
	size_t ncols;
};

static void
seen_free(struct seen *e)
{
	free(e->uri);
	free(e->format);
	free_list(e->cols, e->ncols);
}

struct state {
	struct seen *v;
	size_t n, cap;
};

static struct seen *
state_find(struct state *st, const char *uri)
{
	for (size_t i = 0; i < st->n; i++)
		if (strcmp(st->v[i].uri, uri) == 0)
			return &st->v[i];
	return NULL;
}

static uint64_t
json_u64(const struct sl_json *o, const char *k, const char *path)
{
	const struct sl_json *v = sl_json_get(o, k, strlen(k));
	char *end;
	unsigned long long n;

	if (v == NULL || v->type != SL_JSON_NUMBER || v->u.num[0] == '-')
		sl_die(SL_EX_DATAERR, "%s: state entry has no valid \"%s\"", path, k);
	errno = 0;
	n = strtoull(v->u.num, &end, 10);
	if (errno || *end)
		sl_die(SL_EX_DATAERR, "%s: state entry has no valid \"%s\"", path, k);
	return n;
}

static int64_t
json_i64(const struct sl_json *o, const char *k, const char *path)
{
	const struct sl_json *v = sl_json_get(o, k, strlen(k));
	char *end;
	long long n;

	if (v == NULL || v->type != SL_JSON_NUMBER)
		sl_die(SL_EX_DATAERR, "%s: state entry has no valid \"%s\"", path, k);
	errno = 0;
	n = strtoll(v->u.num, &end, 10);
	if (errno || *end)
		sl_die(SL_EX_DATAERR, "%s: state entry has no valid \"%s\"", path, k);
	return n;
}

static const char *
json_str(const struct sl_json *o, const char *k, const char *path)
{
	const struct sl_json *v = sl_json_get(o, k, strlen(k));

	if (v == NULL || v->type != SL_JSON_STRING)
		sl_die(SL_EX_DATAERR, "%s: state entry has no valid \"%s\"", path, k);
	return v->u.str;
}

static void
state_load(struct state *st, const char *path)
{
	struct sl_input in;
	struct sl_buf text = SL_BUF_INIT;
	struct sl_arena a = SL_ARENA_INIT;
	struct sl_json doc;
	struct sl_json_error jerr;
	const struct sl_json *files, *v;
	ssize_t r;

	if (access(path, F_OK) != 0)
		return;                 /* the first run */
	if (sl_input_open(&in, path, SL_INPUT_RAW) < 0)
		sl_die(SL_EX_NOINPUT, "%s", in.err);
	while ((r = sl_input_fill(&in)) > 0)
		;
	if (r < 0)
		sl_die(in.status, "%s", in.err);
	sl_buf_add(&text, sl_input_ptr(&in), sl_input_avail(&in));
	sl_input_close(&in);
	if (sl_json_parse(&a, text.data ? text.data : "", text.len, &doc, &jerr) !=
	    SL_JSON_OK)
		sl_die(SL_EX_DATAERR, "%s: byte %zu: not a state file: %s", path,
		    jerr.offset, jerr.msg);
	v = sl_json_get(&doc, "sluice-ingest-state", 19);
	files = sl_json_get(&doc, "files", 5);
	if (doc.type != SL_JSON_OBJECT || v == NULL || v->type != SL_JSON_NUMBER ||
	    strcmp(v->u.num, "1") != 0 || files == NULL ||
	    files->type != SL_JSON_ARRAY)
		sl_die(SL_EX_DATAERR, "%s: not a sluice-ingest state file "
		    "(version 1)", path);
	for (size_t i = 0; i < files->len; i++) {
		const struct sl_json *o = &files->u.items[i], *cols;
		struct seen *e;

		if (o->type != SL_JSON_OBJECT)
			sl_die(SL_EX_DATAERR, "%s: file entry %zu is not an object",
			    path, i);
		st->v = sl_grow(st->v, &st->cap, st->n + 1, sizeof(*st->v));
		e = &st->v[st->n++];
		memset(e, 0, sizeof(*e));
		e->uri = sl_strdup(json_str(o, "uri", path));
		e->dev = json_u64(o, "dev", path);
		e->ino = json_u64(o, "ino", path);
		e->size = json_u64(o, "size", path);
		e->mtime_ns = json_i64(o, "mtime_ns", path);
		snprintf(e->sha256, sizeof(e->sha256), "%s",
		    json_str(o, "sha256", path));
		e->offset = json_u64(o, "offset", path);
		e->next = json_u64(o, "next", path);
		e->format = sl_strdup(json_str(o, "format", path));
		cols = sl_json_get(o, "columns", 7);
		if (cols && cols->type == SL_JSON_ARRAY) {
			e->cols = sl_calloc(cols->len + 1, sizeof(*e->cols));
			for (size_t k = 0; k < cols->len; k++) {
				if (cols->u.items[k].type != SL_JSON_STRING)
					sl_die(SL_EX_DATAERR, "%s: bad column name",
					    path);
				e->cols[e->ncols++] =
				    sl_strdup(cols->u.items[k].u.str);
			}
		}
	}
	sl_arena_release(&a);
	sl_buf_release(&text);
}

static void
state_save(struct state *st, const char *path)
{
	struct sl_buf b = SL_BUF_INIT;
	char err[SL_MSG_MAX];

	sl_buf_adds(&b, "{\"sluice-ingest-state\":1,\"files\":[");
	for (size_t i = 0, k = 0; i < st->n; i++) {
		struct seen *e = &st->v[i];

		if (k++ > 0)
			sl_buf_addc(&b, ',');
		sl_buf_adds(&b, "\n{\"uri\":");
		sl_json_write_string(&b, e->uri, strlen(e->uri));
		sl_buf_addf(&b, ",\"dev\":%llu,\"ino\":%llu,\"size\":%llu,"
		    "\"mtime_ns\":%lld,\"sha256\":\"%s\",\"offset\":%llu,"
		    "\"next\":%llu,\"format\":\"%s\"",
		    (unsigned long long)e->dev, (unsigned long long)e->ino,
		    (unsigned long long)e->size, (long long)e->mtime_ns, e->sha256,
		    (unsigned long long)e->offset, (unsigned long long)e->next,
		    e->format);
		if (e->ncols) {
			sl_buf_adds(&b, ",\"columns\":[");
			for (size_t c = 0; c < e->ncols; c++) {
				if (c)
					sl_buf_addc(&b, ',');
				sl_json_write_string(&b, e->cols[c], strlen(e->cols[c]));
			}
			sl_buf_addc(&b, ']');
		}
		sl_buf_addc(&b, '}');
	}
	sl_buf_adds(&b, "\n]}\n");
	if (sl_write_file(path, b.data, b.len, err, sizeof(err)) < 0)
		sl_die(SL_EX_CANTCREAT, "cannot write the state: %s", err);
	sl_buf_release(&b);
}

/* "sha256:<hex>" of the first size bytes of the file; -1 if shorter. */
static int
prefix_digest(struct sl_hasher *h, const char *path, uint64_t size, char *out)
{
	unsigned char buf[65536], d[SL_SHA256_LEN];
	uint64_t left = size;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	sl_sha256_begin(h);
	while (left > 0) {
		ssize_t n = read(fd, buf, left < sizeof(buf) ? (size_t)left : sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			close(fd);
			return -1;
		}
		sl_sha256_update(h, buf, (size_t)n);
		left -= (uint64_t)n;
	}
	close(fd);
	sl_sha256_end(h, d);
	memcpy(out, "sha256:", 7);
	sl_hex(d, sizeof(d), out + 7);
	return 0;
}

/* ---- one source ---- */

static int
ext_is(const char *ext, size_t n, const char *want)
{
	return strlen(want) == n && strncasecmp(ext, want, n) == 0;
}

/*
 * The format named by a file's extension (a .gz suffix looked through), raw
 * for other extensions, F_AUTO (sniff) for names without one.
 */
static enum format
format_from_name(const char *path)
{
	const char *base = strrchr(path, '/'), *dot;
	size_t n;

	base = base ? base + 1 : path;
	n = strlen(base);
	if (n > 3 && strcasecmp(base + n - 3, ".gz") == 0)
		n -= 3;
	dot = memrchr(base, '.', n);
	if (dot == NULL || dot == base)
		return F_AUTO;
	dot++;
	n -= (size_t)(dot - base);
	if (ext_is(dot, n, "csv"))
		return F_CSV;
	if (ext_is(dot, n, "tsv") || ext_is(dot, n, "tab"))
		return F_TSV;
	if (ext_is(dot, n, "jsonl") || ext_is(dot, n, "ndjson"))
		return F_JSONL;
	if (ext_is(dot, n, "json"))
		return F_JSON;
	if (ext_is(dot, n, "warc"))
		return F_WARC;
	return F_RAW;
}

/* Does p[0..n) begin lit, or could it still (n short)? */
static int
begins(const unsigned char *p, size_t n, const char *lit)
{
	size_t l = strlen(lit);

	return memcmp(p, lit, n < l ? n : l) == 0;
}

/*
 * Looks at the first bytes: WARC, a JSON array, JSON Lines, one JSON value,
 * else raw; F_AUTO for an empty input.  Reads only until they decide it.
 */
static enum format
sniff_format(struct sl_input *in)
{
	for (;;) {
		const unsigned char *p = sl_input_ptr(in), *nl;
		size_t n = sl_input_avail(in), i = 0;
		int end = in->eof;

		if (n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
			i = 3;
		else if (n < 3 && begins(p, n, "\xef\xbb\xbf") && !end)
			goto read_more;
		if (n - i >= 7 && memcmp(p + i, "WARC/1.", 7) == 0)
			return F_WARC;
		if (begins(p + i, n - i, "WARC/1.") && n - i < 7 && !end)
			goto read_more;
		while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' ||
		    p[i] == '\n'))
			i++;
		if (i == n) {
			if (end)
				return n == 0 ? F_AUTO : F_RAW;
			goto read_more;
		}
		if (p[i] == '[')
			return F_JSON;
		if (p[i] != '{')
			return F_RAW;
		/* JSON Lines if the whole first line is one value */
		nl = memchr(p + i, '\n', n - i);
		if (nl == NULL && !end)
			goto read_more;
		return sl_json_check((const char *)p + i, nl ? (size_t)(nl - p) - i :
		    n - i, NULL) == SL_JSON_OK ? F_JSONL : F_JSON;
read_more:
		more(in);
	}
}

/*
 * Reads one source: an operand, a file found in a folder, or stdin (path
 * "-").  With --state, unchanged files are skipped and files that only grew
 * are read from where the last run stopped.
 */
static void
ingest_source(struct ingest *g, struct state *st, const char *path)
{
	struct source s;
	struct sl_input in;
	struct stat sb;
	struct seen *seen = NULL;
	enum format fmt = g->cfg.format;
	int is_stdin = strcmp(path, "-") == 0, regular;
	uint64_t resume = 0, start_rows = 0;

	memset(&s, 0, sizeof(s));
	if (fmt == F_AUTO && !is_stdin)
		fmt = format_from_name(path);
	/* a raw file is carried as it is, compressed or not */
	if (is_stdin)
		sl_input_fdopen(&in, STDIN_FILENO, "stdin",
		    fmt == F_RAW ? SL_INPUT_RAW : 0);
	else if (sl_input_open(&in, path, fmt == F_RAW ? SL_INPUT_RAW : 0) < 0)
		sl_die(in.status, "%s", in.err);
	sl_run_attach_input(&g->run, &in);
	s.name = in.name;
	s.uri = is_stdin ? sl_strdup(g->cfg.source_uri ? g->cfg.source_uri :
	    "urn:sluice:stdin") : file_uri(path);
	regular = fstat(in.fd, &sb) == 0 && S_ISREG(sb.st_mode);
	sl_time_format(regular ? (sl_time)sb.st_mtim.tv_sec * 1000000 +
	    sb.st_mtim.tv_nsec / 1000 : g->run.started, SL_TIME_AUTO, s.mtime);

	if (st && regular) {
		seen = state_find(st, s.uri);
		if (seen && seen->dev == (uint64_t)sb.st_dev &&
		    seen->ino == (uint64_t)sb.st_ino &&
		    seen->size == (uint64_t)sb.st_size &&
		    seen->mtime_ns == (int64_t)sb.st_mtim.tv_sec * 1000000000 +
		    sb.st_mtim.tv_nsec) {
			sl_input_close(&in);
			free(s.uri);
			return;             /* unchanged since the last run */
		}
		if (seen && seen->dev == (uint64_t)sb.st_dev &&
		    seen->ino == (uint64_t)sb.st_ino &&
		    (uint64_t)sb.st_size > seen->size) {
			char d[SL_DIGEST_STRLEN + 1];

			enum format was = format_lookup(seen->format);

			/* appends continue CSV, TSV, JSON Lines and WARC */
			if ((was == F_CSV || was == F_TSV || was == F_JSONL ||
			    was == F_WARC) &&
			    prefix_digest(g->main_em->h, path, seen->size, d) == 0 &&
			    strcmp(d, seen->sha256) == 0) {
				resume = seen->offset;
				start_rows = seen->next;
				fmt = was;
			}
		}
	}
	if (resume > 0) {
		/* the file only grew: skip what was read before */
		if (sl_input_need(&in, 2) < 0)
			sl_die(in.status, "%s", in.err);
		if (in.gzip) {
			uint64_t left = resume;

			while (left > 0) {
				size_t k = sl_input_avail(&in);

				if (k == 0 && sl_input_fill(&in) <= 0)
					sl_die(SL_EX_DATAERR, "%s: shorter than "
					    "the state says", path);
				k = sl_input_avail(&in);
				k = k < left ? k : (size_t)left;
				sl_input_consume(&in, k);
				left -= k;
			}
		} else if (sl_input_seek(&in, resume) < 0) {
			sl_die(in.status, "%s", in.err);
		}
	}
	if (fmt == F_AUTO && (fmt = sniff_format(&in)) == F_AUTO) {
		sl_warn("%s: empty input, no records", in.name);
		sl_input_close(&in);
		free(s.uri);
		return;
	}
	s.format = fmt;
	s.delim = g->cfg.delimiter ? g->cfg.delimiter : fmt == F_TSV ? '\t' : ',';
	s.quote = fmt == F_TSV ? 0 : '"';
	s.key_ptr = field_pointer(g->cfg.key);
	s.time_ptr = field_pointer(g->cfg.event_time);
	g->sources++;
	g->next_row = 1;
	g->hold_tail = st && regular;
	switch (fmt) {
	case F_CSV:
	case F_TSV: {
		uint64_t before = g->run.records_in;

		s.format = F_CSV;
		if (s.key_ptr) {
			free(s.key_ptr);
			s.key_ptr = NULL;
		}
		if (s.time_ptr) {
			free(s.time_ptr);
			s.time_ptr = NULL;
		}
		if (resume > 0 && seen && seen->ncols > 0) {
			set_columns(g, &s, seen->cols, seen->ncols);
			g->next_row = start_rows;
		} else {
			skip_bom(&in);
			csv_header(g, &s, &in);
		}
		read_rows(g, &s, &in);
		if (g->run.records_in == before && resume == 0)
			sl_warn("%s: no data rows", s.name);
		break;
	}
	case F_JSONL:
		if (resume > 0)
			g->next_row = start_rows;
		else
			skip_bom(&in);
		s.format = F_JSONL;
		read_rows(g, &s, &in);
		break;
	case F_JSON:
		read_json(g, &s, &in);
		break;
	case F_WARC:
		read_warc(g, &s, &in, resume > 0 ? start_rows : 1);
		break;
	default:
		read_raw(g, &s, &in);
		break;
	}
	if (st && regular) {
		if (seen == NULL) {
			st->v = sl_grow(st->v, &st->cap, st->n + 1, sizeof(*st->v));
			seen = &st->v[st->n++];
			memset(seen, 0, sizeof(*seen));
			seen->uri = sl_strdup(s.uri);
		} else {
			char *uri = seen->uri;

			seen->uri = NULL;
			seen_free(seen);
			memset(seen, 0, sizeof(*seen));
			seen->uri = uri;
		}
		seen->dev = (uint64_t)sb.st_dev;
		seen->ino = (uint64_t)sb.st_ino;
		seen->mtime_ns = (int64_t)sb.st_mtim.tv_sec * 1000000000 +
		    sb.st_mtim.tv_nsec;
		seen->size = in.zread;
		seen->offset = sl_input_offset(&in);
		seen->next = g->next_row;
		seen->format = sl_strdup(format_names[fmt]);
		if (fmt == F_CSV || fmt == F_TSV) {
			seen->cols = sl_calloc(s.ncols + 1, sizeof(*seen->cols));
			for (size_t i = 0; i < s.ncols; i++)
				seen->cols[i] = sl_strdup(s.cols[i]);
			seen->ncols = s.ncols;
		}
		if (prefix_digest(g->main_em->h, path, seen->size, seen->sha256) < 0)
			sl_die(SL_EX_IOERR, "%s: cannot read it again for --state",
			    path);
	}
	g->hold_tail = 0;
	sl_input_close(&in);
	source_free(&s);
}

/* ---- folders ---- */

struct ancestor {
	dev_t dev;
	ino_t ino;
	const struct ancestor *up;
};

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
selected(const struct config *c, const char *rel)
{
	size_t i;

	for (i = 0; i < c->nexclude; i++)
		if (fnmatch(c->exclude[i], rel, 0) == 0)
			return 0;
	if (c->ninclude == 0)
		return 1;
	for (i = 0; i < c->ninclude; i++)
		if (fnmatch(c->include[i], rel, 0) == 0)
			return 1;
	return 0;
}

/*
 * Reads every file under dir in sorted order (byte order of names, so the
 * stream is the same in every locale).  rel is the path below the operand,
 * matched by --include/--exclude.
 */
static void
walk(struct ingest *g, struct state *st, const char *dir, const char *rel,
    const struct ancestor *up)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct stat sb;
	struct ancestor me;

	if (d == NULL || fstat(dirfd(d), &sb) < 0)
		sl_die(SL_EX_NOINPUT, "%s: cannot open folder: %s", dir,
		    strerror(errno));
	me.dev = sb.st_dev;
	me.ino = sb.st_ino;
	me.up = up;
	for (const struct ancestor *a = up; a; a = a->up)
		if (a->dev == sb.st_dev && a->ino == sb.st_ino) {
			sl_warn("%s: symbolic link loop, not followed", dir);
			closedir(d);
			return;
		}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (de->d_name[0] == '.' && !g->cfg.hidden)
			continue;
		names = sl_grow(names, &cap, n + 1, sizeof(*names));
		names[n++] = sl_strdup(de->d_name);
	}
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof(*names), cmp_names);
	for (size_t i = 0; i < n; i++) {
		struct sl_buf path = SL_BUF_INIT, sub = SL_BUF_INIT;

		sl_buf_adds(&path, dir);
		if (path.len == 0 || path.data[path.len - 1] != '/')
			sl_buf_addc(&path, '/');
		sl_buf_adds(&path, names[i]);
		if (*rel) {
			sl_buf_adds(&sub, rel);
			sl_buf_addc(&sub, '/');
		}
		sl_buf_adds(&sub, names[i]);
		if (lstat(path.data, &sb) < 0) {
			/* gone since the folder was read */
			sl_warn("%s: %s (skipped)", path.data, strerror(errno));
			goto next;
		}
		if (S_ISLNK(sb.st_mode) &&
		    (!g->cfg.follow || stat(path.data, &sb) != 0))
			goto next;      /* links only with --follow-symlinks */
		if (S_ISDIR(sb.st_mode))
			walk(g, st, path.data, sub.data, &me);
		else if (S_ISREG(sb.st_mode) && selected(&g->cfg, sub.data))
			ingest_source(g, st, path.data);
next:
		sl_buf_release(&path);
		sl_buf_release(&sub);
		free(names[i]);
	}
	free(names);
}

int
main(int argc, char **argv)
{
	struct ingest g;
	struct sl_common common;
	struct state st = { NULL, 0, 0 };
	int argi, nworkers, status;

	sl_diag_init(argv[0]);
	memset(&g, 0, sizeof(g));
	argi = sl_opts_parse(&tool, &common, argc, argv, handle, &g.cfg);
	if (g.cfg.no_header && g.cfg.nheader)
		sl_usage_error("--no-header and --header exclude each other");
	if (g.cfg.state && (argi == argc || (argc - argi == 1 &&
	    strcmp(argv[argi], "-") == 0)))
		sl_usage_error("--state needs files to remember, not standard "
		    "input");
	if (g.cfg.source_uri && argi < argc) {
		int dash = 0;

		for (int i = argi; i < argc; i++)
			dash |= strcmp(argv[i], "-") == 0;
		if (!dash)
			sl_usage_error("--source-uri names standard input, which "
			    "is not read");
	}
	/* operands that cannot be opened are found before any output */
	for (int i = argi; i < argc; i++) {
		struct stat sb;

		if (strcmp(argv[i], "-") == 0)
			continue;
		if (stat(argv[i], &sb) < 0)
			sl_die(SL_EX_NOINPUT, "%s: cannot open: %s", argv[i],
			    strerror(errno));
		if (S_ISDIR(sb.st_mode) && !g.cfg.recursive)
			sl_die(SL_EX_NOINPUT, "%s: is a folder (use -r to read "
			    "folders)", argv[i]);
		if (access(argv[i], R_OK) < 0)
			sl_die(SL_EX_NOINPUT, "%s: cannot open: %s", argv[i],
			    strerror(errno));
	}
	if (g.cfg.state)
		state_load(&st, g.cfg.state);
	sl_run_start(&g.run, &tool, &common, argc, argv, 0);
	g.lineage = sl_run_lineage(&g.run, 0);
	g.classification = g.cfg.classification ? g.cfg.classification : "internal";
	g.lineage_len = strlen(g.lineage);
	g.classification_len = strlen(g.classification);
	g.main_em = emitter_new(&g);
	/* beyond 8 workers the one reading thread is the limit */
	nworkers = g.cfg.jobs ? g.cfg.jobs : sl_ncpu() < 8 ? sl_ncpu() : 8;
	if (nworkers == 1)
		nworkers = 0;   /* one thread: run batches inline */
	g.spare_cap = (size_t)(2 * nworkers + 4);
	g.spare = sl_calloc(g.spare_cap, sizeof(*g.spare));
	g.pool = sl_pool_new(nworkers, (size_t)(2 * nworkers + 2), batch_work,
	    emitter_new, emitter_free, &g);
	if (argi == argc)
		ingest_source(&g, NULL, "-");
	for (int i = argi; i < argc; i++) {
		struct stat sb;

		if (strcmp(argv[i], "-") != 0 && stat(argv[i], &sb) == 0 &&
		    S_ISDIR(sb.st_mode))
			walk(&g, g.cfg.state ? &st : NULL, argv[i], "", NULL);
		else
			ingest_source(&g, g.cfg.state ? &st : NULL, argv[i]);
	}

	sl_pool_free(g.pool);
	emitter_free(g.main_em);
	for (size_t i = 0; i < g.nspare; i++)
		batch_free(g.spare[i]);
	free(g.spare);
	if (g.errors > 0)
		sl_warn("%llu bad row%s, line%s or record%s skipped (--max-errors "
		    "%llu)", (unsigned long long)g.errors, g.errors == 1 ? "" : "s",
		    g.errors == 1 ? "" : "s", g.errors == 1 ? "" : "s",
		    (unsigned long long)g.cfg.max_errors);
	sl_metrics_set(&g.run.metrics, "sluice_ingest_sources_total", "counter",
	    "Sources (files or stdin) read.", (double)g.sources);
	sl_metrics_set(&g.run.metrics, "sluice_ingest_bad_total", "counter",
	    "Bad rows, lines or records skipped under --max-errors.",
	    (double)g.errors);
	sl_metrics_set(&g.run.metrics, "sluice_ingest_damaged_total", "counter",
	    "Damaged WARC records skipped under --lenient.", (double)g.damaged);
	/* the state may say "read" only once the records are safely out */
	sl_run_close_output(&g.run, SL_EX_OK);
	if (g.cfg.state)
		state_save(&st, g.cfg.state);
	status = sl_run_finish(&g.run, SL_EX_OK);
	for (size_t i = 0; i < st.n; i++)
		seen_free(&st.v[i]);
	free(st.v);
	config_release(&g.cfg);
	return status;
}
