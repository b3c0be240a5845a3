/* stream.c - see stream.h */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <zlib.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "diag.h"
#include "json.h"
#include "stream.h"
#include "xalloc.h"

#define MAX_LINE (64 * 1024)      /* one header line */
#define MAX_HEADER (1024 * 1024)  /* all header lines of a record */
#define MAX_FIELDS 1024
#define ZERO_COPY_MAX (1024 * 1024)

/* ---- records ---- */

void
sl_record_init(struct sl_record *rec)
{
	memset(rec, 0, sizeof(*rec));
	sl_arena_init(&rec->arena);
	sl_headers_init(&rec->hdr, &rec->arena);
	rec->version = 11;
}

void
sl_record_clear(struct sl_record *rec)
{
	sl_headers_clear(&rec->hdr);
	sl_arena_reset(&rec->arena);
	sl_buf_reset(&rec->store);
	rec->version = 11;
	rec->type = SL_R_OTHER;
	rec->block = NULL;
	rec->block_len = 0;
	rec->source = NULL;
	rec->number = rec->offset = 0;
	rec->raw = NULL;
	rec->raw_len = rec->raw_head = rec->raw_nfields = 0;
}

void
sl_record_release(struct sl_record *rec)
{
	sl_headers_release(&rec->hdr);
	sl_arena_release(&rec->arena);
	sl_buf_release(&rec->store);
}

void
sl_record_set_block(struct sl_record *rec, const void *p, size_t len)
{
	rec->block = p;
	rec->block_len = len;
}

int
sl_record_is_data(const struct sl_record *rec)
{
	return rec->type == SL_R_RESOURCE || rec->type == SL_R_CONVERSION;
}

static const char *const rtypes[] = {
	[SL_R_OTHER] = NULL,
	[SL_R_WARCINFO] = "warcinfo",
	[SL_R_RESOURCE] = "resource",
	[SL_R_CONVERSION] = "conversion",
	[SL_R_METADATA] = "metadata",
	[SL_R_RESPONSE] = "response",
	[SL_R_REQUEST] = "request",
	[SL_R_REVISIT] = "revisit",
};

enum sl_rtype
sl_rtype_lookup(const char *s)
{
	for (size_t i = 1; i < sizeof(rtypes) / sizeof(rtypes[0]); i++)
		if (((unsigned char)s[0] | 0x20) == (unsigned char)rtypes[i][0] &&
		    strcasecmp(s, rtypes[i]) == 0)
			return (enum sl_rtype)i;
	return SL_R_OTHER;
}

const char *
sl_rtype_name(enum sl_rtype t)
{
	return t < sizeof(rtypes) / sizeof(rtypes[0]) ? rtypes[t] : NULL;
}

/* ---- reading ---- */

void
sl_reader_init(struct sl_reader *r, struct sl_input *in)
{
	memset(r, 0, sizeof(*r));
	r->in = in;
	r->max_block = SL_MAX_BLOCK_DEFAULT;
}

struct rstate {
	struct sl_reader *r;
	struct sl_record *rec;
	uint64_t number;
	uint64_t start;
	int block_read;    /* the block was consumed: lenient mode puts it back */
	int canon;         /* the bytes read are the record's canonical form */
	uint64_t head_end; /* offset of the blank line ending the header */
};

static int
rfail(struct rstate *s, int status, const char *fmt, ...) SL_PRINTF(3, 4);

/* "NAME: record N at byte B: message" into r->err. */
static int
rfail(struct rstate *s, int status, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(s->r->err, sizeof(s->r->err), "%s: record %llu at byte %llu: ",
	    s->r->in->name, (unsigned long long)s->number,
	    (unsigned long long)s->start);
	if (n < 0 || (size_t)n >= sizeof(s->r->err))
		n = (int)sizeof(s->r->err) - 1;   /* a very long name: cut */
	va_start(ap, fmt);
	vsnprintf(s->r->err + n, sizeof(s->r->err) - (size_t)n, fmt, ap);
	va_end(ap);
	s->r->status = status;
	return -1;
}

/* An input error while reading a record: keep its text, add the record. */
static int
ifail(struct rstate *s)
{
	const char *msg = s->r->in->err;
	size_t nl = strlen(s->r->in->name);

	if (strncmp(msg, s->r->in->name, nl) == 0 && msg[nl] == ':')
		msg += nl + 2;
	return rfail(s, s->r->in->status ? s->r->in->status : SL_EX_IOERR,
	    "%s", msg);
}

/* Quotes up to 40 bytes of a line for a message, escaping what is odd. */
static const char *
excerpt(const unsigned char *p, size_t len, char *out, size_t outlen)
{
	size_t o = 0;

	for (size_t i = 0; i < len && i < 40 && o + 6 < outlen; i++) {
		if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '"')
			out[o++] = (char)p[i];
		else
			o += (size_t)snprintf(out + o, outlen - o, "\\x%02x", p[i]);
	}
	if (len > 40 && o + 4 < outlen) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
	return out;
}

static size_t
chomp(const unsigned char *line, size_t len)
{
	if (len > 0 && line[len - 1] == '\n')
		len--;
	if (len > 0 && line[len - 1] == '\r')
		len--;
	return len;
}

/* RFC 9110 token characters: the only bytes allowed in a field name. */
static const unsigned char tchar[256] = {
	['!'] = 1, ['#'] = 1, ['$'] = 1, ['%'] = 1, ['&'] = 1, ['\''] = 1,
	['*'] = 1, ['+'] = 1, ['-'] = 1, ['.'] = 1, ['^'] = 1, ['_'] = 1,
	['`'] = 1, ['|'] = 1, ['~'] = 1,
	['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1,
	['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
	['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1,
	['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1,
	['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1,
	['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1,
	['Y'] = 1, ['Z'] = 1,
	['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
	['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1,
	['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1,
	['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
	['y'] = 1, ['z'] = 1,
};

static int
is_tchar(unsigned char c)
{
	return tchar[c];
}

/*
 * Is every byte printable ASCII (0x20..0x7e)?  Eight bytes at a time: the
 * common case for header values, which then need no UTF-8 check.
 */
static int
printable_ascii(const char *s, size_t len)
{
	const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
	size_t i = 0;

#ifdef __SSE2__
	if (len >= 16) {
		/* 16 bytes at a time; as signed bytes, what is not printable
		 * is below 0x20 (0x80..0xff included) or 0x7f */
		const __m128i sp = _mm_set1_epi8(0x20), del = _mm_set1_epi8(0x7f);
		__m128i bad = _mm_setzero_si128(), x;

		for (; i + 16 <= len; i += 16) {
			x = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
			bad = _mm_or_si128(bad, _mm_or_si128(_mm_cmplt_epi8(x, sp),
			    _mm_cmpeq_epi8(x, del)));
		}
		/* the tail: the last 16 bytes again */
		x = _mm_loadu_si128((const __m128i *)(const void *)(s + len - 16));
		bad = _mm_or_si128(bad, _mm_or_si128(_mm_cmplt_epi8(x, sp),
		    _mm_cmpeq_epi8(x, del)));
		return _mm_movemask_epi8(bad) == 0;
	}
#endif
	for (; i + 8 <= len; i += 8) {
		uint64_t v;

		memcpy(&v, s + i, 8);
		/* a byte < 0x20, or >= 0x7f (0x7f + 1 sets the high bit) */
		if (((v - 0x2020202020202020ULL) | (v + ones)) & high)
			return 0;
	}
	for (; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f)
			return 0;
	return 1;
}

/*
 * The rule for a header value, for reader and writer alike: UTF-8 without
 * control characters (the writer also refuses a space at either end, which
 * readers trim).  Returns 0, or -1 with why naming the field.
 */
static int
check_value(const char *name, size_t nlen, const char *v, size_t len, int ends,
    char *why, size_t whylen)
{
	size_t bad;

	if (ends && len > 0 && (v[0] == ' ' || v[len - 1] == ' ')) {
		snprintf(why, whylen, "white space at an end of the value of "
		    "field \"%.*s\" (readers drop it)", (int)nlen, name);
		return -1;
	}
	if (printable_ascii(v, len))
		return 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)v[i];

		if (c < 0x20 || c == 0x7f) {
			snprintf(why, whylen, "control character 0x%02x in the "
			    "value of field \"%.*s\"", c, (int)nlen, name);
			return -1;
		}
	}
	if (!sl_utf8_valid(v, len, &bad)) {
		snprintf(why, whylen, "invalid UTF-8 at byte %zu of the value of "
		    "field \"%.*s\"", bad, (int)nlen, name);
		return -1;
	}
	return 0;
}

/*
 * A header value's bytes as the reader keeps them: trailing white space
 * dropped, a tab read as a space, checked by the rule above.  Returns the
 * value (in the line itself when it needs no change, else in the record's
 * arena) and its length in *len, or NULL with the failure reported.
 */
static const char *
clean_value(struct rstate *s, const char *name, size_t nlen,
    const char *v, size_t *len)
{
	size_t n = *len;
	char why[256];

	while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	*len = n;
	if (printable_ascii(v, n))
		return v;	/* the common case: nothing to change or check */
	if (memchr(v, '\t', n) != NULL) {
		char *t = sl_arena_strndup(&s->rec->arena, v, n);

		for (char *c = memchr(t, '\t', n); c != NULL;
		    c = memchr(c, '\t', (size_t)(t + n - c)))
			*c = ' ';
		v = t;
	}
	if (check_value(name, nlen, v, n, 0, why, sizeof(why)) < 0) {
		rfail(s, SL_EX_DATAERR, "%s", why);
		return NULL;
	}
	return v;
}

/*
 * Adds the field of one header line (name, and value after the colon); id
 * is the name's, exact whether it is spelled canonically.
 */
static int
add_field(struct rstate *s, enum sl_field id, int exact, const char *name,
    size_t nlen, const char *v, size_t len)
{
	struct sl_record *rec = s->rec;
	const char *orig = v;
	size_t olen = len;

	while (len > 0 && (v[len - 1] == ' ' || v[len - 1] == '\t'))
		len--;
	if (!printable_ascii(v, len) &&
	    (v = clean_value(s, name, nlen, v, &len)) == NULL)
		return -1;
	if (rec->hdr.n >= MAX_FIELDS)
		return rfail(s, SL_EX_DATAERR, "more than %d header fields",
		    MAX_FIELDS);
	sl_headers_add_id(&rec->hdr, id, name, nlen, v, len);
	/* written back the same: the value untouched, the name as spelled */
	if (v != orig || len != olen || (id != SL_F_OTHER && !exact))
		s->canon = 0;
	return 0;
}

/*
 * Appends a folded continuation line to the last field's value, joined by
 * one space.
 */
static int
add_fold(struct rstate *s, const char *v, size_t len)
{
	struct sl_record *rec = s->rec;
	struct sl_hfield *f = &rec->hdr.f[rec->hdr.n - 1];
	size_t n;
	char *joined;

	if ((v = clean_value(s, f->name, f->name_len, v, &len)) == NULL)
		return -1;
	if (len == 0)
		return 0;
	n = f->value_len + (f->value_len > 0) + len;
	joined = sl_arena_alloc(&rec->arena, n + 1);
	memcpy(joined, f->value, f->value_len);
	if (f->value_len > 0)
		joined[f->value_len] = ' ';
	memcpy(joined + n - len, v, len);
	joined[n] = '\0';
	f->value = joined;
	f->value_len = n;
	f->safe = 0;
	return 0;
}

static int
once(struct rstate *s, enum sl_field id)
{
	size_t n = sl_headers_count(&s->rec->hdr, id);

	if (n == 0)
		return rfail(s, SL_EX_DATAERR, "missing mandatory field %s",
		    sl_field_name(id));
	if (n > 1)
		return rfail(s, SL_EX_DATAERR, "field %s appears %zu times",
		    sl_field_name(id), n);
	return 0;
}

static int
is_version_line(const unsigned char *line, size_t len)
{
	return len == 8 && (memcmp(line, "WARC/1.1", 8) == 0 ||
	    memcmp(line, "WARC/1.0", 8) == 0);
}

/* Parses the version line and the fields, up to and including the blank line. */
static int
read_header(struct rstate *s, int *eof)
{
	struct sl_input *in = s->r->in;
	const unsigned char *line;
	size_t len, total = 0;
	char ex[200];
	int rc;

	*eof = 0;
	rc = sl_input_line(in, MAX_LINE, &line, &len);
	if (rc == 0) {
		*eof = 1;
		return 0;
	}
	if (rc < 0)
		return ifail(s);
	if (line[len - 1] != '\n')
		return rfail(s, SL_EX_DATAERR,
		    "truncated record: the input ends in the version line");
	sl_input_consume(in, len);
	if (len != 10 || line[8] != '\r')
		s->canon = 0;
	len = chomp(line, len);
	if (is_version_line(line, len))
		s->rec->version = line[7] == '1' ? 11 : 10;
	else
		return rfail(s, SL_EX_DATAERR,
		    "expected a WARC/1.1 or WARC/1.0 version line, found \"%s\"",
		    excerpt(line, len, ex, sizeof(ex)));
	for (;;) {
		const unsigned char *colon;
		size_t i;
		enum sl_field id;
		int exact;

		rc = sl_input_line(in, MAX_LINE, &line, &len);
		if (rc < 0)
			return ifail(s);
		if (rc == 0 || line[len - 1] != '\n')
			return rfail(s, SL_EX_DATAERR,
			    "truncated record: the input ends inside the header");
		if (is_version_line(line, chomp(line, len)))
			/* left unread: lenient mode resumes at it */
			return rfail(s, SL_EX_DATAERR, "truncated header: a new "
			    "record begins at byte %llu",
			    (unsigned long long)sl_input_offset(in));
		/*
		 * The line stays valid until the next sl_input_line(): each
		 * field is added (copied) before that.
		 */
		sl_input_consume(in, len);
		total += len;
		if (total > MAX_HEADER)
			return rfail(s, SL_EX_DATAERR,
			    "header longer than %d bytes", MAX_HEADER);
		if (len < 2 || line[len - 2] != '\r')
			s->canon = 0;
		len = chomp(line, len);
		if (len == 0) {
			s->head_end = sl_input_offset(in) - 2;
			return 0;
		}
		if (line[0] == ' ' || line[0] == '\t') {
			s->canon = 0;
			/* a folded continuation of the previous value */
			if (s->rec->hdr.n == 0)
				return rfail(s, SL_EX_DATAERR,
				    "continuation line before any field");
			for (i = 0; i < len && (line[i] == ' ' || line[i] == '\t');
			    i++)
				;
			if (add_fold(s, (const char *)line + i, len - i) < 0)
				return -1;
			continue;
		}
		colon = memchr(line, ':', len);
		if (colon == NULL || colon == line)
			return rfail(s, SL_EX_DATAERR,
			    "malformed header line \"%s\"",
			    excerpt(line, len, ex, sizeof(ex)));
		/* a known name in its canonical spelling is a token */
		id = sl_field_lookup_exact((const char *)line,
		    (size_t)(colon - line), &exact);
		if (!exact)
			for (i = 0; line + i < colon; i++)
				if (!is_tchar(line[i]))
					return rfail(s, SL_EX_DATAERR,
					    "bad character in field name \"%s\"",
					    excerpt(line, (size_t)(colon - line),
					    ex, sizeof(ex)));
		for (i = (size_t)(colon - line) + 1;
		    i < len && (line[i] == ' ' || line[i] == '\t'); i++)
			;
		if (i != (size_t)(colon - line) + 2 || line[i - 1] != ' ')
			s->canon = 0;
		if (add_field(s, id, exact, (const char *)line,
		    (size_t)(colon - line), (const char *)line + i, len - i) < 0)
			return -1;
	}
}

static int
parse_length(const char *v, uint64_t *out)
{
	uint64_t n = 0;

	if (*v == '\0')
		return -1;
	for (; *v; v++) {
		if (*v < '0' || *v > '9' || n > (UINT64_MAX - 9) / 10)
			return -1;
		n = n * 10 + (uint64_t)(*v - '0');
	}
	*out = n;
	return 0;
}

/*
 * A canonical record just read whole: points rec->raw at its bytes when
 * they are all still in the input window (a copied block is not).
 */
static void
keep_raw(struct rstate *s)
{
	struct sl_input *in = s->r->in;
	struct sl_record *rec = s->rec;
	const unsigned char *start, *end = sl_input_ptr(in);

	if (s->start < in->base)
		return;
	start = in->buf + (s->start - in->base);
	if (rec->block != start + (s->head_end - s->start) + 2)
		return;
	rec->raw = start;
	rec->raw_len = (size_t)(end - start);
	rec->raw_head = (size_t)(s->head_end - s->start);
	rec->raw_nfields = rec->hdr.n;
}

/* One record, or an error; the caller handles lenient resynchronisation. */
static int
read_record(struct rstate *s)
{
	struct sl_input *in = s->r->in;
	struct sl_record *rec = s->rec;
	const char *v;
	uint64_t len;
	ssize_t got;
	const unsigned char *p;
	size_t k;
	int eof;

	if (read_header(s, &eof) < 0)
		return -1;
	if (eof)
		return 0;
	{
		/* the mandatory fields, once each: counted in one pass */
		static const enum sl_field must[4] = { SL_F_WARC_RECORD_ID,
		    SL_F_CONTENT_LENGTH, SL_F_WARC_DATE, SL_F_WARC_TYPE };
		size_t count[SL_F__COUNT] = { 0 };
		const char *type = NULL;

		v = NULL;
		for (size_t i = 0; i < rec->hdr.n; i++) {
			const struct sl_hfield *f = &rec->hdr.f[i];

			if (count[f->id]++ == 0) {
				if (f->id == SL_F_CONTENT_LENGTH)
					v = f->value;
				else if (f->id == SL_F_WARC_TYPE)
					type = f->value;
			}
		}
		for (size_t i = 0; i < 4; i++)
			if (count[must[i]] != 1)
				return once(s, must[i]);
		rec->type = sl_rtype_lookup(type);
	}
	if (parse_length(v, &len) < 0)
		return rfail(s, SL_EX_DATAERR, "Content-Length \"%.40s\" is not "
		    "a decimal number", v);
	if (v[0] == '0' && v[1] != '\0')
		s->canon = 0;   /* leading zeros: written without */
	if (len > s->r->max_block)
		return rfail(s, SL_EX_DATAERR, "Content-Length %llu is over the "
		    "limit of %llu bytes", (unsigned long long)len,
		    (unsigned long long)s->r->max_block);

	if (len + 4 <= ZERO_COPY_MAX) {
		/*
		 * small block: point into the input window, no copy.  Ask
		 * for the terminator's first bytes only, so a live LF-only
		 * stream does not wait for the next record.
		 */
		got = sl_input_need(in, (size_t)len + 2);
		if (got >= (ssize_t)len + 2 && sl_input_ptr(in)[len] == '\r')
			got = sl_input_need(in, (size_t)len + 4);
		if (got < 0)
			return ifail(s);
		if ((uint64_t)got < len)
			goto truncated;
		rec->block = sl_input_ptr(in);
		rec->block_len = (size_t)len;
		sl_input_consume(in, (size_t)len);
	} else {
		/* large block: copied, the buffer growing with what arrives
		 * (a lying Content-Length reserves nothing up front) */
		sl_buf_reset(&rec->store);
		for (got = 0; (uint64_t)got < len;) {
			size_t want = (size_t)len - (size_t)got;
			ssize_t n;

			if (want > ZERO_COPY_MAX)
				want = ZERO_COPY_MAX;
			sl_buf_grow(&rec->store, want);
			n = sl_input_read(in, rec->store.data + got, want);
			if (n < 0)
				return ifail(s);
			if (n == 0)
				break;
			got += n;
			rec->store.len = (size_t)got;
		}
		rec->block = (const unsigned char *)rec->store.data;
		rec->block_len = (size_t)got;
		if ((uint64_t)got < len) {
			s->block_read = 1;  /* lenient mode looks inside it */
			goto truncated;
		}
		got = sl_input_need(in, 2);
		if (got >= 2 && sl_input_ptr(in)[0] == '\r')
			got = sl_input_need(in, 4);
		if (got < 0)
			return ifail(s);
	}
	s->block_read = 1;
	/* the block must be followed by CRLF CRLF (LF LF in LF-only files) */
	p = sl_input_ptr(in);
	k = sl_input_avail(in);
	if (k >= 4 && memcmp(p, "\r\n\r\n", 4) == 0) {
		sl_input_consume(in, 4);
		if (s->canon)
			keep_raw(s);
	} else if (k >= 2 && memcmp(p, "\n\n", 2) == 0) {
		sl_input_consume(in, 2);
	} else if (k < 4 && (memcmp(p, "\r\n\r\n", k) == 0 ||
	    (k < 2 && memcmp(p, "\n\n", k) == 0))) {
		return rfail(s, SL_EX_DATAERR, "truncated record: the input ends "
		    "after the block without CRLF CRLF");
	} else {
		char ex[200];

		return rfail(s, SL_EX_DATAERR, "the block (Content-Length %llu) is "
		    "not followed by CRLF CRLF at byte %llu: found \"%s\"",
		    (unsigned long long)len,
		    (unsigned long long)sl_input_offset(in),
		    excerpt(p, k < 8 ? k : 8, ex, sizeof(ex)));
	}
	return 1;
truncated:
	return rfail(s, SL_EX_DATAERR, "truncated record: Content-Length is %llu "
	    "but the input ends after %llu bytes of the block",
	    (unsigned long long)len, (unsigned long long)got);
}

/*
 * Lenient mode: skips to the next complete version line after the byte
 * where the damaged record began, leaving it unconsumed.  Returns 0, or -1
 * on an input error.
 */
static int
resync(struct sl_reader *r, uint64_t damaged_at)
{
	const unsigned char *line;
	size_t len, l;
	int rc;

	for (;;) {
		rc = sl_input_line(r->in, MAX_LINE, &line, &len);
		if (rc == -2) {
			/* a line over MAX_LINE: skip to its end, or all of the
			 * window when its end is not in it yet */
			const unsigned char *nl = memchr(sl_input_ptr(r->in), '\n',
			    sl_input_avail(r->in));

			sl_input_consume(r->in, nl ? (size_t)(nl -
			    sl_input_ptr(r->in)) + 1 : sl_input_avail(r->in));
			continue;
		}
		if (rc <= 0)
			return rc;
		l = chomp(line, len);
		if (line[len - 1] == '\n' && is_version_line(line, l) &&
		    sl_input_offset(r->in) > damaged_at)
			return 0;
		sl_input_consume(r->in, len);
	}
}

int
sl_reader_next(struct sl_reader *r, struct sl_record *rec)
{
	struct rstate s;
	int rc;

	if (r->lenient)
		r->in->flags |= SL_INPUT_TAIL_OK;
	for (;;) {
		sl_record_clear(rec);
		s.r = r;
		s.rec = rec;
		s.number = r->records + r->damaged + 1;
		s.start = sl_input_offset(r->in);
		s.block_read = 0;
		s.canon = 1;
		s.head_end = 0;
		rec->source = r->in->name;
		rec->number = s.number;
		rec->offset = s.start;
		rc = read_record(&s);
		if (rc == 0 && r->in->tail_skipped > 0) {
			sl_warn("%s: %llu bytes after the last gzip member are not "
			    "gzip data (skipped)", r->in->name,
			    (unsigned long long)r->in->tail_skipped);
			r->skipped_bytes += r->in->tail_skipped;
			r->damaged++;
			r->in->tail_skipped = 0;
		}
		if (rc >= 0) {
			r->records += (uint64_t)rc;
			return rc;
		}
		if (!r->lenient || r->status != SL_EX_DATAERR)
			return -1;
		sl_warn("%s (skipped)", r->err);
		r->damaged++;
		/* look for the next record from inside the damaged one: a
		 * Content-Length too long may have swallowed whole records */
		if (s.block_read)
			sl_input_unread(r->in, rec->block, rec->block_len);
		rc = resync(r, s.start);
		r->skipped_bytes += sl_input_offset(r->in) - s.start;
		if (rc < 0)
			return ifail(&s);
	}
}

/* ---- writing ---- */

static int
check_field(const struct sl_hfield *f, char *err, size_t errlen)
{
	char why[256];

	/* known fields carry their canonical, valid spelling */
	if (f->id == SL_F_OTHER) {
		size_t i;

		for (i = 0; i < f->name_len && is_tchar((unsigned char)f->name[i]); i++)
			;
		if (f->name_len == 0 || i < f->name_len) {
			snprintf(err, errlen, "refusing to write a field named "
			    "\"%.*s\": not a token", (int)(f->name_len > 60 ? 60 :
			    f->name_len), f->name);
			return -1;
		}
	}
	if (check_value(f->name, f->name_len, f->value, f->value_len, 1, why,
	    sizeof(why)) < 0) {
		snprintf(err, errlen, "refusing to write %s", why);
		return -1;
	}
	return 0;
}

/* A field line a reader would refuse as longer than MAX_LINE? */
static int
too_long(const struct sl_hfield *f, char *err, size_t errlen)
{
	if (f->name_len + f->value_len + 4 <= MAX_LINE)
		return 0;
	snprintf(err, errlen, "refusing to write field \"%.*s\": %zu bytes, over "
	    "the %d-byte line limit of sluice readers", (int)f->name_len, f->name,
	    f->value_len, MAX_LINE);
	return 1;
}

static void
put_length(struct sl_buf *out, size_t len)
{
	sl_buf_add(out, "Content-Length: ", 16);
	sl_buf_add_u64(out, len);
	sl_buf_add(out, "\r\n", 2);
}

int
sl_record_format(const struct sl_record *rec, struct sl_buf *out, char *err,
    size_t errlen)
{
	const struct sl_headers *h = &rec->hdr;
	size_t start = out->len;
	int have_len = sl_headers_find(h, SL_F_CONTENT_LENGTH) != NULL;
	int have_type = sl_headers_find(h, SL_F_CONTENT_TYPE) != NULL;

	if (rec->block_len > SL_MAX_BLOCK_DEFAULT) {
		snprintf(err, errlen, "refusing to write a record of %zu bytes: "
		    "over the %llu-byte limit of sluice readers", rec->block_len,
		    (unsigned long long)SL_MAX_BLOCK_DEFAULT);
		return -1;
	}
	{
		/* one allocation check for the whole record */
		size_t need = 10 + 40 + 2 + rec->block_len + 4;

		for (size_t i = 0; i < h->n; i++)
			need += h->f[i].name_len + h->f[i].value_len + 4;
		sl_buf_grow(out, need);
	}
	sl_buf_add(out, rec->version == 10 ? "WARC/1.0\r\n" : "WARC/1.1\r\n", 10);
	for (size_t i = 0; i < h->n; i++) {
		const struct sl_hfield *f = &h->f[i];

		if (f->id == SL_F_CONTENT_LENGTH) {
			if (have_len != 2)
				put_length(out, rec->block_len);
			have_len = 2;   /* once, whatever the headers say */
			continue;
		}
		if ((!f->safe && check_field(f, err, errlen) < 0) ||
		    too_long(f, err, errlen)) {
			out->len = start;
			out->data[out->len] = '\0';
			return -1;
		}
		memcpy(out->data + out->len, f->name, f->name_len);
		out->len += f->name_len;
		out->data[out->len++] = ':';
		out->data[out->len++] = ' ';
		memcpy(out->data + out->len, f->value, f->value_len);
		out->len += f->value_len;
		out->data[out->len++] = '\r';
		out->data[out->len++] = '\n';
		if (!have_len && f->id == SL_F_CONTENT_TYPE) {
			put_length(out, rec->block_len);
			have_len = 1;
		}
	}
	if (!have_len && !have_type)
		put_length(out, rec->block_len);
	if (out->len - start + 2 > MAX_HEADER) {
		snprintf(err, errlen, "refusing to write a header of %zu bytes, over "
		    "the %d-byte limit of sluice readers", out->len - start + 2,
		    MAX_HEADER);
		out->len = start;
		out->data[out->len] = '\0';
		return -1;
	}
	sl_buf_add(out, "\r\n", 2);
	if (rec->block_len)
		sl_buf_add(out, rec->block, rec->block_len);
	sl_buf_add(out, "\r\n\r\n", 4);
	return 0;
}

int
sl_record_format_appended(const struct sl_record *rec, size_t nkeep,
    struct sl_buf *out, char *err, size_t errlen)
{
	const struct sl_headers *h = &rec->hdr;
	size_t start = out->len, need = rec->raw_len + 2;

	if (rec->raw == NULL || nkeep != rec->raw_nfields || nkeep > h->n ||
	    rec->block_len > SL_MAX_BLOCK_DEFAULT)
		return sl_record_format(rec, out, err, errlen);
	for (size_t i = nkeep; i < h->n; i++) {
		if (h->f[i].id == SL_F_CONTENT_LENGTH)  /* would move */
			return sl_record_format(rec, out, err, errlen);
		need += h->f[i].name_len + h->f[i].value_len + 4;
	}
	sl_buf_grow(out, need);
	sl_buf_add(out, rec->raw, rec->raw_head);
	for (size_t i = nkeep; i < h->n; i++) {
		const struct sl_hfield *f = &h->f[i];

		if ((!f->safe && check_field(f, err, errlen) < 0) ||
		    too_long(f, err, errlen)) {
			out->len = start;
			out->data[out->len] = '\0';
			return -1;
		}
		sl_buf_add(out, f->name, f->name_len);
		sl_buf_add(out, ": ", 2);
		sl_buf_add(out, f->value, f->value_len);
		sl_buf_add(out, "\r\n", 2);
	}
	if (out->len - start + 2 > MAX_HEADER) {
		snprintf(err, errlen, "refusing to write a header of %zu bytes, over "
		    "the %d-byte limit of sluice readers", out->len - start + 2,
		    MAX_HEADER);
		out->len = start;
		out->data[out->len] = '\0';
		return -1;
	}
	/* the blank line, the block and its terminator, as read */
	sl_buf_add(out, rec->raw + rec->raw_head, rec->raw_len - rec->raw_head);
	return 0;
}

struct sl_gzip {
	z_stream z;
};

struct sl_gzip *
sl_gzip_new(int level)
{
	struct sl_gzip *gz = sl_calloc(1, sizeof(*gz));

	if (deflateInit2(&gz->z, level, Z_DEFLATED, 15 + 16, 8,
	    Z_DEFAULT_STRATEGY) != Z_OK)
		sl_die(SL_EX_SOFTWARE, "cannot initialise zlib");
	return gz;
}

void
sl_gzip_member(struct sl_gzip *gz, const void *in, size_t len, struct sl_buf *out)
{
	z_stream *z = &gz->z;
	int ret;

	deflateReset(z);
	z->next_in = (unsigned char *)(uintptr_t)in;
	z->avail_in = (uInt)len;
	do {
		sl_buf_grow(out, deflateBound(z, (uLong)z->avail_in) + 64);
		z->next_out = (unsigned char *)out->data + out->len;
		z->avail_out = (uInt)(out->cap - out->len - 1);
		ret = deflate(z, Z_FINISH);
		out->len = out->cap - 1 - z->avail_out;
	} while (ret == Z_OK || ret == Z_BUF_ERROR);
	if (ret != Z_STREAM_END)
		sl_die(SL_EX_SOFTWARE, "zlib: deflate failed");
}

void
sl_gzip_free(struct sl_gzip *gz)
{
	if (gz == NULL)
		return;
	deflateEnd(&gz->z);
	free(gz);
}

void
sl_writer_init(struct sl_writer *w, int fd, const char *name, int gzip)
{
	memset(w, 0, sizeof(*w));
	w->fd = fd;
	w->name = name;
	w->flush_at = 256 * 1024;
	if (gzip)
		w->gz = sl_gzip_new(Z_DEFAULT_COMPRESSION);
}

static void sl_writer_flush_keep(struct sl_writer *w);

int
sl_record_emit(const struct sl_record *rec, struct sl_buf *out,
    struct sl_gzip *gz, struct sl_buf *scratch, char *err, size_t errlen)
{
	if (gz == NULL)
		return sl_record_format(rec, out, err, errlen);
	sl_buf_reset(scratch);
	if (sl_record_format(rec, scratch, err, errlen) < 0)
		return -1;
	sl_gzip_member(gz, scratch->data, scratch->len, out);
	return 0;
}

int
sl_writer_gzip(const struct sl_writer *w)
{
	return w->gz != NULL;
}

void
sl_writer_put_framed(struct sl_writer *w, const void *p, size_t len, uint64_t n)
{
	if (len >= w->flush_at && w->out.len == 0) {
		/* large: write straight from the caller's buffer */
		struct sl_buf tmp = w->out;

		w->out.data = (char *)(uintptr_t)p;
		w->out.len = len;
		sl_writer_flush_keep(w);
		w->out = tmp;
	} else {
		sl_buf_add(&w->out, p, len);
	}
	w->records += n;
	if (w->out.len >= w->flush_at)
		sl_writer_flush(w);
}

void
sl_writer_put_pieces(struct sl_writer *w, const struct sl_piece *pc,
    size_t n, uint64_t nrec)
{
	size_t total = 0;

	for (size_t i = 0; i < n; i++)
		total += pc[i].len;
	sl_buf_grow(&w->out, total);
	for (size_t i = 0; i < n; i++)
		if (pc[i].len > 0)
			sl_buf_add(&w->out, pc[i].p, pc[i].len);
	w->records += nrec;
	if (w->out.len >= w->flush_at)
		sl_writer_flush(w);
}

int
sl_writer_put(struct sl_writer *w, const struct sl_record *rec)
{
	if (sl_record_emit(rec, &w->out, w->gz, &w->rec, w->err,
	    sizeof(w->err)) < 0)
		return -1;
	w->records++;
	if (w->out.len >= w->flush_at)
		sl_writer_flush(w);
	return 0;
}

int
sl_writer_put_appended(struct sl_writer *w, const struct sl_record *rec,
    size_t nkeep)
{
	if (w->gz != NULL)
		return sl_writer_put(w, rec);
	if (sl_record_format_appended(rec, nkeep, &w->out, w->err,
	    sizeof(w->err)) < 0)
		return -1;
	w->records++;
	if (w->out.len >= w->flush_at)
		sl_writer_flush(w);
	return 0;
}

/* Writes w->out whole; does not reset it. */
static void
sl_writer_flush_keep(struct sl_writer *w)
{
	size_t off = 0;
	ssize_t n;
	struct pollfd p;

	while (off < w->out.len) {
		n = write(w->fd, w->out.data + off, w->out.len - off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				p.fd = w->fd;
				p.events = POLLOUT;
				poll(&p, 1, -1);
				continue;
			}
			w->out.len = 0;  /* do not try again on the way out */
			sl_die(SL_EX_IOERR, "%s: write error: %s", w->name,
			    strerror(errno));
		}
		off += (size_t)n;
	}
	w->bytes += off;
}

void
sl_writer_flush(struct sl_writer *w)
{
	sl_writer_flush_keep(w);
	sl_buf_reset(&w->out);
}

void
sl_writer_idle(void *w)
{
	sl_writer_flush(w);
}

void
sl_writer_close(struct sl_writer *w)
{
	sl_writer_flush(w);
	sl_buf_release(&w->out);
	sl_buf_release(&w->rec);
	sl_gzip_free(w->gz);
	w->gz = NULL;
}
