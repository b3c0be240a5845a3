/* csvrow.c - see csvrow.h */
#include "config.h"

#include <csv.h>
#include <stdlib.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "csvrow.h"
#include "diag.h"
#include "xalloc.h"

static int
no_space(unsigned char c)
{
	(void)c;
	return 0;
}

static void
parser_new(struct sl_csv *c)
{
	struct csv_parser *p = sl_calloc(1, sizeof(*p));

	if (csv_init(p, CSV_STRICT | CSV_STRICT_FINI | CSV_EMPTY_IS_NULL) != 0)
		sl_die(SL_EX_SOFTWARE, "libcsv: cannot initialise");
	csv_set_space_func(p, no_space);
	csv_set_delim(p, (unsigned char)c->delim);
	csv_set_quote(p, (unsigned char)c->quote);
	c->parser = p;
}

static void
parser_free(struct sl_csv *c)
{
	if (c->parser) {
		csv_free(c->parser);
		free(c->parser);
		c->parser = NULL;
	}
}

enum { PLAIN, DELIM, QUOTE, BREAK };

void
sl_csv_init(struct sl_csv *c, int delim, int quote)
{
	memset(c, 0, sizeof(*c));
	c->delim = delim;
	c->quote = quote;
	/* NUL stops the fast path too: rows holding one go to libcsv, and
	 * callers that refuse NUL bytes check only those rows */
	c->cls['\r'] = c->cls['\n'] = c->cls['\0'] = BREAK;
	if (quote)
		c->cls[(unsigned char)quote] = QUOTE;
	c->cls[(unsigned char)delim] = DELIM;
}

void
sl_csv_release(struct sl_csv *c)
{
	parser_free(c);
	free(c->f);
	free(c->off);
	sl_buf_release(&c->store);
}

static inline struct sl_csv_field *
add_field(struct sl_csv *c)
{
	if (c->n == c->cap)
		c->f = sl_grow(c->f, &c->cap, c->n + 1, sizeof(*c->f));
	return &c->f[c->n++];
}

/*
 * The byte at j is an LF or CR outside quotes: the length of the row it
 * ends (0: a CR that may yet be followed by its LF).
 */
static size_t
row_end(const unsigned char *p, size_t n, size_t j, int at_eof)
{
	if (p[j] == '\n')
		return j + 1;
	/* a CR: with an LF after it, or alone */
	if (j + 1 == n)
		return at_eof ? n : 0;
	return p[j + 1] == '\n' ? j + 2 : j + 1;
}

/*
 * One pass over the bytes: quotes toggle "inside quotes", and the first
 * LF or CR outside them ends the row.  Sixteen bytes at a time where the
 * CPU allows, every quote, LF and CR of a block found at once.
 */
size_t
sl_csv_row_len(const unsigned char *p, size_t n, int quote, int at_eof)
{
	size_t j = 0;
	int inq = 0;

#ifdef __SSE2__
	{
		const __m128i vq = _mm_set1_epi8((char)(quote ? quote : '\n'));
		const __m128i vlf = _mm_set1_epi8('\n');
		const __m128i vcr = _mm_set1_epi8('\r');

		for (; j + 16 <= n; j += 16) {
			__m128i v = _mm_loadu_si128(
			    (const __m128i *)(const void *)(p + j));
			unsigned qm = quote ? (unsigned)_mm_movemask_epi8(
			    _mm_cmpeq_epi8(v, vq)) : 0;
			unsigned em = (unsigned)_mm_movemask_epi8(_mm_or_si128(
			    _mm_cmpeq_epi8(v, vlf), _mm_cmpeq_epi8(v, vcr)));
			unsigned all = qm | em;

			while (all != 0) {
				unsigned bit = all & -all;

				if (qm & bit)
					inq = !inq;
				else if (!inq)
					return row_end(p, n, j +
					    (size_t)__builtin_ctz(bit), at_eof);
				all &= all - 1;
			}
		}
	}
#endif
	for (; j < n; j++) {
		if (quote && p[j] == quote)
			inq = !inq;
		else if (!inq && (p[j] == '\n' || p[j] == '\r'))
			return row_end(p, n, j, at_eof);
	}
	return at_eof ? n : 0;
}

int
sl_csv_blank(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != '\r' && p[i] != '\n')
			return 0;
	return 1;
}

/* Strips the row terminator. */
static size_t
body_len(const unsigned char *p, size_t n)
{
	while (n > 0 && (p[n - 1] == '\n' || p[n - 1] == '\r'))
		n--;
	return n;
}

/*
 * The fast path, one pass over the row: fields are unquoted, or quoted with
 * no quote, CR or LF inside.  Anything else returns 0 for libcsv to decide.
 */
/*
 * Index of the first byte at or after i that is not PLAIN (stop bytes: the
 * delimiter, the quote, CR, LF; quoted says whether the delimiter counts).
 * Sixteen bytes at a time where the CPU allows.
 */
static inline size_t
next_stop(const struct sl_csv *c, const unsigned char *p, size_t i, size_t end,
    int quoted)
{
#ifdef __SSE2__
	const __m128i vd = _mm_set1_epi8((char)(quoted ? '\n' : c->delim));
	const __m128i vq = _mm_set1_epi8((char)(c->quote ? c->quote : '\n'));
	const __m128i vcr = _mm_set1_epi8('\r'), vlf = _mm_set1_epi8('\n');
	const __m128i vnul = _mm_setzero_si128();

	while (i + 16 <= end) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
		__m128i m = _mm_or_si128(
		    _mm_or_si128(_mm_cmpeq_epi8(v, vd), _mm_cmpeq_epi8(v, vq)),
		    _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, vcr),
		    _mm_cmpeq_epi8(v, vlf)), _mm_cmpeq_epi8(v, vnul)));
		int mask = _mm_movemask_epi8(m);

		if (mask)
			return i + (size_t)__builtin_ctz((unsigned)mask);
		i += 16;
	}
#endif
	if (quoted) {
		while (i < end && c->cls[p[i]] != QUOTE && c->cls[p[i]] != BREAK)
			i++;
	} else {
		while (i < end && c->cls[p[i]] == PLAIN)
			i++;
	}
	return i;
}

int
sl_csv_split_fast(struct sl_csv *c, const unsigned char *p, size_t n)
{
	size_t end = body_len(p, n), i = 0, start;
	const unsigned char *cls = c->cls;
	struct sl_csv_field *f;

	c->n = 0;
	if (end == 0)
		return 1;           /* a blank line: no fields */
	for (;;) {
		if (i < end && cls[p[i]] == QUOTE) {
			start = ++i;
			i = next_stop(c, p, i, end, 1);
			if (i == end || cls[p[i]] != QUOTE)
				return 0;   /* unclosed, or a line break inside */
			f = add_field(c);
			f->p = (const char *)p + start;
			f->len = i - start;
			f->null = 0;
			i++;
			if (i < end && cls[p[i]] != DELIM)
				return 0;   /* a doubled quote, or text after it */
		} else {
			start = i;
			i = next_stop(c, p, i, end, 0);
			if (i < end && cls[p[i]] != DELIM)
				return 0;   /* a quote or line break inside */
			f = add_field(c);
			f->p = (const char *)p + start;
			f->len = i - start;
			f->null = i == start;
		}
		if (i == end)
			return 1;
		i++;                /* the delimiter */
		if (i == end) {
			f = add_field(c);
			f->p = (const char *)p + i;
			f->len = 0;
			f->null = 1;
			return 1;
		}
	}
}

static void
cb_field(void *s, size_t len, void *arg)
{
	struct sl_csv *c = arg;
	struct sl_csv_field *f = add_field(c);

	if (c->n > c->offcap)
		c->off = sl_grow(c->off, &c->offcap, c->n, sizeof(*c->off));
	c->off[c->n - 1] = c->store.len;
	f->len = s ? len : 0;
	f->null = s == NULL;
	if (s)
		sl_buf_add(&c->store, s, len);
}

static void
cb_row(int ch, void *arg)
{
	struct sl_csv *c = arg;

	(void)ch;
	c->ended++;
}

int
sl_csv_split_libcsv(struct sl_csv *c, const unsigned char *p, size_t n,
    const char **why)
{
	struct csv_parser *parser;

	if (c->parser == NULL)
		parser_new(c);
	parser = c->parser;
	c->n = 0;
	c->ended = 0;
	sl_buf_reset(&c->store);
	if (csv_parse(parser, p, n, cb_field, cb_row, c) != n) {
		*why = "malformed quoting: a quote inside an unquoted field, text "
		    "after a closing quote, or a quote that is never closed";
		parser_free(c);     /* the next row starts afresh */
		return -1;
	}
	/*
	 * csv_fini() ends a last row without a terminator and leaves the
	 * parser clean; a second row end, or fields after the first, mean the
	 * bytes held more than one row.
	 */
	{
		size_t fields = c->n;
		int ended = c->ended;

		if (csv_fini(parser, cb_field, cb_row, c) != 0) {
			*why = "malformed quoting: a quoted field is never closed";
			parser_free(c);
			return -1;
		}
		if (c->ended > 1 || (ended == 1 && c->n != fields)) {
			*why = "more than one row";
			parser_free(c);
			return -1;
		}
	}
	for (size_t i = 0; i < c->n; i++)
		c->f[i].p = c->store.data ? c->store.data + c->off[i] : "";
	return 0;
}

/*
 * TSV has no quoting: a row is its fields split on the delimiter, whatever
 * the bytes (libcsv would take NUL for its quote character).
 */
static void
split_plain(struct sl_csv *c, const unsigned char *p, size_t n)
{
	size_t end = body_len(p, n), i = 0;

	c->n = 0;
	if (end == 0)
		return;
	for (;;) {
		const unsigned char *d = memchr(p + i, c->delim, end - i);
		size_t k = d ? (size_t)(d - p) : end;
		struct sl_csv_field *f = add_field(c);

		f->p = (const char *)p + i;
		f->len = k - i;
		f->null = k == i;
		if (d == NULL)
			return;
		i = k + 1;
	}
}

int
sl_csv_split(struct sl_csv *c, const unsigned char *p, size_t n, const char **why)
{
	if (sl_csv_split_fast(c, p, n))
		return 0;
	if (c->quote == 0) {
		split_plain(c, p, n);
		return 0;
	}
	return sl_csv_split_libcsv(c, p, n, why);
}
