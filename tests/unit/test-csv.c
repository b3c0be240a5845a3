/*
 * test-csv.c - unit tests for libcommon/csvrow.c: where rows end
 * (sl_csv_row_len, sl_csv_blank), a table of rows split into fields, then
 * random rows on which the memchr fast path, libcsv and sl_csv_split must
 * agree, and the libcsv parser's recovery after an error.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvrow.h"
#include "tap.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* A printable rendering of s[0..len) (static storage, four in turn). */
static const char *
show(const void *p, size_t len)
{
	static char out[4][400];
	static int k;
	const unsigned char *s = p;
	char *o = out[k++ & 3], *start = o, *e = o + 380;

	for (size_t i = 0; i < len; i++) {
		if (o >= e) {
			strcpy(o, "...");
			return start;
		}
		switch (s[i]) {
		case '\n':
			o += sprintf(o, "\\n");
			break;
		case '\r':
			o += sprintf(o, "\\r");
			break;
		case '\t':
			o += sprintf(o, "\\t");
			break;
		case '\\':
			o += sprintf(o, "\\\\");
			break;
		default:
			if (s[i] >= 0x20 && s[i] < 0x7f)
				*o++ = (char)s[i];
			else
				o += sprintf(o, "\\x%02x", s[i]);
		}
	}
	*o = '\0';
	return start;
}

/* An exactly sized heap copy, so that ASan sees any read past the end. */
static unsigned char *
tight(const void *p, size_t n)
{
	unsigned char *t = malloc(n ? n : 1);

	memcpy(t, p, n);
	return t;
}

#define Q	'"'

static const struct {
	const char *in;
	int quote, at_eof;
	size_t want;
} row_lens[] = {
	/* terminators */
	{ "a,b\nc", Q, 0, 4 },
	{ "a,b\r\nc", Q, 0, 5 },
	{ "a,b\rc", Q, 0, 4 },
	{ "a,b\n", Q, 0, 4 },
	{ "\n", Q, 0, 1 },
	{ "\r\n", Q, 0, 2 },
	{ "\n\nx", Q, 0, 1 },
	{ "a\n\r\n", Q, 0, 2 },
	{ "a\r\r\n", Q, 0, 2 },
	{ "\r\r", Q, 0, 1 },
	/* incomplete rows */
	{ "a,b", Q, 0, 0 },
	{ "a,b", Q, 1, 3 },
	{ "", Q, 0, 0 },
	{ "", Q, 1, 0 },
	/* a CR at the very end may be the start of CRLF */
	{ "\r", Q, 0, 0 },
	{ "\r", Q, 1, 1 },
	{ "a,b\r", Q, 0, 0 },
	{ "a,b\r", Q, 1, 4 },
	{ "\"a\"\r", Q, 0, 0 },
	{ "\"a\"\r", Q, 1, 4 },
	{ "a,b\r\n", Q, 0, 5 },
	/* quoted line breaks and quotes */
	{ "\"a\nb\",c\nd", Q, 0, 8 },
	{ "\"a\r\nb\"\nx", Q, 0, 7 },
	{ "\"a\rb\"\nx", Q, 0, 6 },
	{ "\"a\rb\"\rx", Q, 0, 6 },
	{ "\"a\"\"b\"\nx", Q, 0, 7 },
	{ "\"a\"\"\nb\"\nx", Q, 0, 8 },
	{ "\"a\"\"\"\nx", Q, 0, 6 },
	{ "\"\"\nx", Q, 0, 3 },
	{ "x,\"a\nb\nc\",\"d\re\",f\r\ny", Q, 0, 19 },
	{ "\"a\",b\rc", Q, 0, 6 },
	{ "\"a\rb\"", Q, 0, 0 },
	{ "\"a\rb\"", Q, 1, 5 },
	{ "\"a\n", Q, 0, 0 },
	{ "\"a\r", Q, 0, 0 },
	{ "\"unclosed\nmore", Q, 0, 0 },
	{ "\"unclosed\nmore", Q, 1, 14 },
	{ "\"a\nb\"", Q, 0, 0 },
	{ "\"a\nb\"", Q, 1, 5 },
	{ "0123456789abcdef0123456789,\"0123456789\nabcdef\"\n", Q, 0, 47 },
	/* TSV: no quoting, '"' is data */
	{ "a\"b\tc\n\"x", 0, 0, 6 },
	{ "\"a\nb\"\n", 0, 0, 3 },
	{ "\"a\rb\"\n", 0, 0, 3 },
	{ "\"x\ty\"\r\n", 0, 0, 7 },
	{ "\"abc", 0, 0, 0 },
	{ "\"abc", 0, 1, 4 },
	/* another quote character */
	{ "'a\nb',c\nd", '\'', 0, 8 },
	{ "\"a\nb\"\n", '\'', 0, 3 },
};

static void
test_row_len(void)
{
	for (size_t i = 0; i < NELEM(row_lens); i++) {
		size_t n = strlen(row_lens[i].in), got;
		unsigned char *t = tight(row_lens[i].in, n);

		got = sl_csv_row_len(t, n, row_lens[i].quote,
		    row_lens[i].at_eof);
		is_int(got, row_lens[i].want, "row_len '%s' (%s, at_eof %d)",
		    show(t, n), row_lens[i].quote == Q ? "CSV" :
		    row_lens[i].quote ? "quote '" : "TSV", row_lens[i].at_eof);
		free(t);
	}

	/* cutting a buffer into rows, as a reader does */
	{
		static const char buf[] =
		    "h1,h2\r\n\"a\nb\",1\n\n\"c\"\"\",2\rlast";
		static const char *want[] = { "h1,h2\r\n", "\"a\nb\",1\n", "\n",
		    "\"c\"\"\",2\r", "last" };
		size_t off = 0, k = 0, n = sizeof(buf) - 1;
		int good = 1;

		while (off < n && k < NELEM(want)) {
			size_t len = sl_csv_row_len((const unsigned char *)buf +
			    off, n - off, Q, 1);

			if (len != strlen(want[k]) ||
			    memcmp(buf + off, want[k], len) != 0) {
				tap_diag("row %zu: got '%s'", k, show(buf + off,
				    len));
				good = 0;
				break;
			}
			off += len;
			k++;
		}
		ok(good && off == n && k == NELEM(want),
		    "row_len cuts a buffer into its 5 rows");
	}
	/* every proper prefix of a row ending in LF is incomplete */
	{
		static const char row[] = "x,\"a\r\nb\",\"\"\"\",y\r\n";
		size_t n = sizeof(row) - 1;
		int good = 1;

		/* the last one ends in a CR, which waits for its LF */
		for (size_t k = 0; k < n; k++) {
			unsigned char *t = tight(row, k);

			if (sl_csv_row_len(t, k, Q, 0) != 0) {
				tap_diag("prefix %zu", k);
				good = 0;
			}
			free(t);
		}
		ok(good && sl_csv_row_len((const unsigned char *)row, n, Q,
		    0) == n, "every proper prefix of a row is incomplete");
	}
}

/* sl_csv_row_len() as first written (memchr for LF, quote, CR in turn):
 * the reference for the one-pass version on random bytes. */
static size_t
row_len_ref(const unsigned char *p, size_t n, int quote, int at_eof)
{
	size_t i = 0;

	while (i < n) {
		const unsigned char *nl = memchr(p + i, '\n', n - i);
		size_t seg = nl ? (size_t)(nl - p) : n;
		const unsigned char *q = quote ? memchr(p + i, quote, seg - i) : NULL;
		const unsigned char *cr = memchr(p + i, '\r', (q ? (size_t)(q - p) :
		    seg) - i);

		if (cr != NULL && !(nl && cr == nl - 1)) {
			if ((size_t)(cr - p) + 1 < n)
				return (size_t)(cr - p) + 1;
			return at_eof ? n : 0;
		}
		if (q == NULL)
			return nl ? seg + 1 : at_eof ? n : 0;
		q = memchr(q + 1, quote, n - (size_t)(q + 1 - p));
		if (q == NULL)
			return at_eof ? n : 0;
		i = (size_t)(q - p) + 1;
	}
	return at_eof ? n : 0;
}

static void
test_row_len_random(void)
{
	static const char alpha[] = "a,\"\r\n'\0";
	uint64_t x = 42;
	long bad = 0, rows = 0;

	for (int r = 0; r < 200000; r++) {
		unsigned char buf[80], *t;
		size_t n;
		int quote, at_eof;

		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		n = (size_t)(x >> 33) % 70;
		quote = (x >> 20) % 3 == 0 ? 0 : (x >> 20) % 3 == 1 ? '"' : '\'';
		at_eof = (x >> 24) & 1;
		for (size_t i = 0; i < n; i++) {
			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
			/* mostly letters, so rows are long enough for SIMD */
			buf[i] = (x >> 40) % 4 ? 'a' :
			    (unsigned char)alpha[(x >> 33) % 7];
		}
		t = tight(buf, n);
		rows++;
		if (sl_csv_row_len(t, n, quote, at_eof) !=
		    row_len_ref(t, n, quote, at_eof) && bad++ < 5)
			tap_diag("row_len '%s' quote %d at_eof %d: %zu, want %zu",
			    show(t, n), quote, at_eof,
			    sl_csv_row_len(t, n, quote, at_eof),
			    row_len_ref(t, n, quote, at_eof));
		free(t);
	}
	ok(bad == 0, "row_len agrees with the reference on %ld random rows "
	    "(%ld differ)", rows, bad);
}

static void
test_blank(void)
{
	static const struct {
		const char *in;
		int want;
	} rows[] = {
		{ "", 1 }, { "\n", 1 }, { "\r\n", 1 }, { "\r", 1 },
		{ "\n\r\n", 1 },
		{ " \n", 0 }, { "\t\n", 0 }, { ",\n", 0 }, { "\"\"\n", 0 },
		{ "a", 0 }, { "\na", 0 }, { "\r\n\x00", 0 },
	};

	for (size_t i = 0; i < NELEM(rows); i++) {
		size_t n = strlen(rows[i].in) + (i == NELEM(rows) - 1);
		unsigned char *t = tight(rows[i].in, n);

		is_int(sl_csv_blank(t, n), rows[i].want, "blank '%s'",
		    show(t, n));
		free(t);
	}
}

/* Expected fields; NULL stands for a null field. */
#define MAXF	8
#define BAD	-1

static const struct {
	const char *in;
	int delim, quote;
	int n;			/* number of fields, BAD: refused */
	const char *f[MAXF];
} splits[] = {
	/* plain */
	{ "a,b,c\n", ',', Q, 3, { "a", "b", "c" } },
	{ "a,b,c", ',', Q, 3, { "a", "b", "c" } },
	{ "a,b,c\r\n", ',', Q, 3, { "a", "b", "c" } },
	{ "a,b,c\r", ',', Q, 3, { "a", "b", "c" } },
	{ "abc\n", ',', Q, 1, { "abc" } },
	/* null and empty */
	{ "a,,c\n", ',', Q, 3, { "a", NULL, "c" } },
	{ ",\n", ',', Q, 2, { NULL, NULL } },
	{ ",,\n", ',', Q, 3, { NULL, NULL, NULL } },
	{ "a,\n", ',', Q, 2, { "a", NULL } },
	{ "a,", ',', Q, 2, { "a", NULL } },
	{ ",a\n", ',', Q, 2, { NULL, "a" } },
	{ "\"\"\n", ',', Q, 1, { "" } },
	{ "\"\",\"\"\n", ',', Q, 2, { "", "" } },
	{ "a,\"\",c\n", ',', Q, 3, { "a", "", "c" } },
	{ ",\"\",\n", ',', Q, 3, { NULL, "", NULL } },
	/* spaces are data */
	{ " a , b \n", ',', Q, 2, { " a ", " b " } },
	{ " \n", ',', Q, 1, { " " } },
	{ "a, ,c\n", ',', Q, 3, { "a", " ", "c" } },
	{ "\" a \",\"  \"\n", ',', Q, 2, { " a ", "  " } },
	{ "\t,\t\n", ',', Q, 2, { "\t", "\t" } },
	/* quoting */
	{ "\"a,b\",c\n", ',', Q, 2, { "a,b", "c" } },
	{ "\"a\"\n", ',', Q, 1, { "a" } },
	{ "\"x\"", ',', Q, 1, { "x" } },
	{ "\"a\",\n", ',', Q, 2, { "a", NULL } },
	{ "\"a\nb\",c\n", ',', Q, 2, { "a\nb", "c" } },
	{ "\"a\r\nb\"\r\n", ',', Q, 1, { "a\r\nb" } },
	{ "\"a\rb\",\"\n\"\n", ',', Q, 2, { "a\rb", "\n" } },
	{ "\"a\"\"b\"\n", ',', Q, 1, { "a\"b" } },
	{ "\"\"\"\"\n", ',', Q, 1, { "\"" } },
	{ "\"\"\"a\"\"\",b\n", ',', Q, 2, { "\"a\"", "b" } },
	{ "\"a\"\"\",\"\"\"\",\"\"\n", ',', Q, 3, { "a\"", "\"", "" } },
	{ "\"\"\"\"\"\"\n", ',', Q, 1, { "\"\"" } },
	/* longer than 16 bytes: the wide scan */
	{ "0123456789abcdefghij,klmnopqrstuvwxyz0123456789\n", ',', Q, 2,
	    { "0123456789abcdefghij", "klmnopqrstuvwxyz0123456789" } },
	{ "\"0123456789abcdef,0123456789abcdef\",x\n", ',', Q, 2,
	    { "0123456789abcdef,0123456789abcdef", "x" } },
	{ "0123456789abcdef0123456789abcdef,,,0123456789abcdef0123456789\n",
	    ',', Q, 4, { "0123456789abcdef0123456789abcdef", NULL, NULL,
	    "0123456789abcdef0123456789" } },
	{ "\"0123456789abcdef\"\"0123456789abcdef\"\n", ',', Q, 1,
	    { "0123456789abcdef\"0123456789abcdef" } },
	{ "0123456789abcdef0123456789\"abcdef\n", ',', Q, BAD, { NULL } },
	/* malformed quoting */
	{ "a\"b\n", ',', Q, BAD, { NULL } },
	{ "a\"\n", ',', Q, BAD, { NULL } },
	{ "a\"\"\n", ',', Q, BAD, { NULL } },
	{ "\"a\"b\n", ',', Q, BAD, { NULL } },
	{ "\"a\" \n", ',', Q, BAD, { NULL } },
	{ " \"a\"\n", ',', Q, BAD, { NULL } },
	{ "\"abc\n", ',', Q, BAD, { NULL } },
	{ "\"abc", ',', Q, BAD, { NULL } },
	{ "x,\"abc\n", ',', Q, BAD, { NULL } },
	{ "\"a\"\",b\n", ',', Q, BAD, { NULL } },
	{ "\"a\"\"\"\"\n", ',', Q, BAD, { NULL } },
	{ "\"\n", ',', Q, BAD, { NULL } },
	/* other delimiters; TSV without quoting */
	{ "a;\"b;c\";d\n", ';', Q, 3, { "a", "b;c", "d" } },
	{ "a,b;c\n", ';', Q, 2, { "a,b", "c" } },
	{ "a\t\"b\"\tc\n", '\t', 0, 3, { "a", "\"b\"", "c" } },
	{ "\"a\tb\"\n", '\t', 0, 2, { "\"a", "b\"" } },
	{ "a\t\tc\n", '\t', 0, 3, { "a", NULL, "c" } },
	{ "\"\"\n", '\t', 0, 1, { "\"\"" } },
	{ "a\"b\n", '\t', 0, 1, { "a\"b" } },
	{ "a\t\n", '\t', 0, 2, { "a", NULL } },
	{ "a,b\tc d\r\n", '\t', 0, 2, { "a,b", "c d" } },
	{ "'a\tb'\t'it''s'\n", '\t', '\'', 2, { "a\tb", "it's" } },
};

/* Do c's fields match the table's? */
static int
fields_are(const struct sl_csv *c, int n, const char *const *f)
{
	if (c->n != (size_t)n)
		return 0;
	for (int i = 0; i < n; i++) {
		if (f[i] == NULL) {
			if (!c->f[i].null || c->f[i].len != 0)
				return 0;
		} else if (c->f[i].null || c->f[i].len != strlen(f[i]) ||
		    memcmp(c->f[i].p, f[i], c->f[i].len) != 0)
			return 0;
	}
	return 1;
}

static void
diag_fields(const char *who, const struct sl_csv *c)
{
	tap_diag("%s: %zu fields", who, c->n);
	for (size_t i = 0; i < c->n && i < 10; i++)
		tap_diag("  [%zu] %s'%s'", i, c->f[i].null ? "null " : "",
		    show(c->f[i].p, c->f[i].len));
}

static void
test_split(void)
{
	for (size_t i = 0; i < NELEM(splits); i++) {
		struct sl_csv c, l;
		size_t n = strlen(splits[i].in);
		unsigned char *t = tight(splits[i].in, n);
		const char *why = NULL, *lwhy = NULL;
		int rc, lrc;

		sl_csv_init(&c, splits[i].delim, splits[i].quote);
		sl_csv_init(&l, splits[i].delim, splits[i].quote);
		rc = sl_csv_split(&c, t, n, &why);
		lrc = sl_csv_split_libcsv(&l, t, n, &lwhy);
		if (splits[i].n == BAD) {
			if (!ok(rc == -1 && why != NULL &&
			    strstr(why, "quot") && lrc == -1,
			    "split '%s' refused", show(t, n)))
				diag_fields("split", &c);
		} else {
			if (!ok(rc == 0 && fields_are(&c, splits[i].n,
			    splits[i].f), "split '%s' (%s)", show(t, n),
			    splits[i].quote ? "quoted" : "no quoting")) {
				tap_diag("rc %d %s", rc, rc ? why : "");
				diag_fields("split", &c);
			}
			if (!ok(lrc == 0 && fields_are(&l, splits[i].n,
			    splits[i].f), "split_libcsv '%s'", show(t, n))) {
				tap_diag("rc %d %s", lrc, lrc ? lwhy : "");
				diag_fields("libcsv", &l);
			}
		}
		sl_csv_release(&c);
		sl_csv_release(&l);
		free(t);
	}

	/* the fast path declines what it cannot split, never guesses */
	{
		static const char *const decline[] = { "\"a\"\"b\"\n",
		    "\"a\nb\"\n", "a\"b\n", "\"a\"b\n", "\"abc\n", "a\rb\n" };
		struct sl_csv c;
		int good = 1;

		sl_csv_init(&c, ',', Q);
		for (size_t i = 0; i < NELEM(decline); i++) {
			size_t n = strlen(decline[i]);
			unsigned char *t = tight(decline[i], n);

			if (sl_csv_split_fast(&c, t, n) != 0) {
				tap_diag("fast split '%s'", show(t, n));
				good = 0;
			}
			free(t);
		}
		ok(good, "split_fast declines doubled quotes, quoted breaks, "
		    "stray and unclosed quotes");
		sl_csv_release(&c);
	}
}

/* After an error, or a last row without a terminator, libcsv starts afresh. */
static void
test_recovery(void)
{
	static const struct {
		const char *first;
		int first_rc;
	} rows[] = {
		{ "\"abc", -1 },
		{ "\"abc\n", -1 },
		{ "a\"b\n", -1 },
		{ "\"a\"b,c\n", -1 },
		{ "\"x\"\"y\"", 0 },
		{ "\"x\ny\"", 0 },
		{ "p,q", 0 },
	};

	for (size_t i = 0; i < NELEM(rows); i++) {
		static const char *const want[] = { "x", NULL, "y z" };
		struct sl_csv c;
		size_t n = strlen(rows[i].first);
		unsigned char *t = tight(rows[i].first, n);
		unsigned char *good = tight("x,,\"y z\"\n", 9);
		const char *why = NULL;
		int rc1, rc2, rc3;

		sl_csv_init(&c, ',', Q);
		rc1 = sl_csv_split_libcsv(&c, t, n, &why);
		rc2 = sl_csv_split_libcsv(&c, good, 9, &why);
		ok(rc1 == rows[i].first_rc && rc2 == 0 &&
		    fields_are(&c, 3, want),
		    "libcsv: after '%s' (%s) the next row splits cleanly",
		    show(t, n), rc1 ? "error" : "no terminator");
		rc1 = sl_csv_split(&c, t, n, &why);
		rc3 = sl_csv_split(&c, (const unsigned char *)"\"a\"\"\",b\n",
		    8, &why);
		ok(rc1 == rows[i].first_rc && rc3 == 0 && c.n == 2 &&
		    c.f[0].len == 2 && memcmp(c.f[0].p, "a\"", 2) == 0 &&
		    c.f[1].len == 1 && c.f[1].p[0] == 'b',
		    "split: after '%s' a row with a doubled quote splits",
		    show(t, n));
		sl_csv_release(&c);
		free(t);
		free(good);
	}
}

#define rng tap_rand  /* tap.h */

static const char alphabet[] = { 'a', 'b', ' ', ',', '"', '\r', '\n' };

/* A random row into b (capacity >= 512); returns its length. */
static size_t
random_row(unsigned char *b)
{
	size_t n = 0;
	uint64_t r = rng();

	if (r % 3 == 0) {
		/* any bytes of the alphabet */
		size_t len = (size_t)(r >> 8) % 41;

		for (size_t i = 0; i < len; i++)
			b[n++] = (unsigned char)alphabet[rng() %
			    NELEM(alphabet)];
	} else {
		/* valid fields, quoted or not, perhaps one edit */
		int nf = 1 + (int)((r >> 8) % 6);

		for (int k = 0; k < nf; k++) {
			unsigned char f[8];
			size_t flen = (size_t)(rng() % 9);
			int special = 0, quoted;

			for (size_t i = 0; i < flen; i++) {
				uint64_t x = rng();

				f[i] = (unsigned char)(x % 4 ? "ab "[x % 3 ? 0 :
				    1 + (x >> 8) % 2] : alphabet[(x >> 8) %
				    NELEM(alphabet)]);
				special |= f[i] == ',' || f[i] == '"' ||
				    f[i] == '\r' || f[i] == '\n';
			}
			quoted = special || rng() % 3 == 0;
			if (k)
				b[n++] = ',';
			if (quoted)
				b[n++] = '"';
			for (size_t i = 0; i < flen; i++) {
				if (f[i] == '"')
					b[n++] = '"';
				b[n++] = f[i];
			}
			if (quoted)
				b[n++] = '"';
		}
		if ((r >> 16) % 4 == 0)
			b[n++] = '\r';
		if ((r >> 20) % 5 == 0 && n > 0) {
			/* one random edit */
			size_t pos = (size_t)(rng() % n);

			b[pos] = (unsigned char)alphabet[rng() %
			    NELEM(alphabet)];
		}
	}
	b[n++] = '\n';
	return n;
}

static int
same_fields(const struct sl_csv *a, const struct sl_csv *b)
{
	if (a->n != b->n)
		return 0;
	for (size_t i = 0; i < a->n; i++)
		if (a->f[i].null != b->f[i].null ||
		    a->f[i].len != b->f[i].len ||
		    memcmp(a->f[i].p, b->f[i].p, a->f[i].len) != 0)
			return 0;
	return 1;
}

/*
 * Each row goes to the fast path, to libcsv on a fresh sl_csv, and to
 * sl_csv_split on two long-lived splitters: one sees every row, the other
 * only whole rows (those sl_csv_row_len would not cut further).  Blank
 * rows are compared on the fast path alone, and counted apart.
 */
static void
test_random(void)
{
	enum { ROUNDS = 100000 };
	struct sl_csv fast, all, wholes;
	long fast_ok = 0, lib_ok = 0, whole = 0, blank = 0;
	long fast_bad = 0, fast_bad_blank = 0, all_bad = 0, whole_bad = 0;
	unsigned char buf[512], prev[512];
	size_t prevlen = 0;

	sl_csv_init(&fast, ',', Q);
	sl_csv_init(&all, ',', Q);
	sl_csv_init(&wholes, ',', Q);
	for (long round = 0; round < ROUNDS; round++) {
		size_t n = random_row(buf);
		unsigned char *t = tight(buf, n);
		struct sl_csv lib;
		const char *why = NULL, *swhy = NULL;
		int frc, lrc, src, is_blank, is_whole;
		long *bad;

		is_blank = sl_csv_blank(t, n);
		is_whole = sl_csv_row_len(t, n, Q, 1) == n;
		blank += is_blank;
		whole += is_whole;
		sl_csv_init(&lib, ',', Q);
		frc = sl_csv_split_fast(&fast, t, n);
		lrc = sl_csv_split_libcsv(&lib, t, n, &why);
		fast_ok += frc == 1;
		lib_ok += lrc == 0;
		bad = is_blank ? &fast_bad_blank : &fast_bad;
		if (frc == 1 && (lrc != 0 || !same_fields(&fast, &lib)) &&
		    (*bad)++ < 3) {
			tap_diag("fast and libcsv differ on '%s'", show(t, n));
			diag_fields("fast", &fast);
			if (lrc == 0)
				diag_fields("libcsv", &lib);
			else
				tap_diag("libcsv: %s", why);
		}
		for (int k = 0; k < 2; k++) {
			struct sl_csv *s = k ? &wholes : &all;

			if (k && (!is_whole || is_blank))
				continue;
			bad = k ? &whole_bad : &all_bad;
			src = sl_csv_split(s, t, n, &swhy);
			if (is_blank || (src == lrc && (src != 0 ||
			    same_fields(s, &lib))))
				continue;
			if ((*bad)++ >= 3)
				continue;
			tap_diag("split (%s) and libcsv differ on '%s', "
			    "the row after '%s'", k ? "whole rows" :
			    "every row", show(t, n), show(prev, prevlen));
			if (src == 0)
				diag_fields("split", s);
			else
				tap_diag("split: %s", swhy);
			if (lrc == 0)
				diag_fields("libcsv", &lib);
			else
				tap_diag("libcsv: %s", why);
		}
		sl_csv_release(&lib);
		memcpy(prev, t, n);
		prevlen = n;
		free(t);
	}
	tap_diag("random rows: %d, %ld whole, %ld blank; fast path took %ld, "
	    "libcsv accepted %ld", ROUNDS, whole, blank, fast_ok, lib_ok);
	is_int(fast_bad, 0, "random rows: where the fast path splits a row, "
	    "libcsv gives the same fields");
	is_int(fast_bad_blank, 0, "random rows: where the fast path splits a "
	    "blank row, libcsv gives the same fields");
	is_int(whole_bad, 0, "random rows: sl_csv_split fed whole non-blank "
	    "rows agrees with libcsv in status and fields");
	is_int(all_bad, 0, "random rows: sl_csv_split fed every row agrees "
	    "with libcsv on the non-blank ones");
	ok(fast_ok > ROUNDS / 5 && lib_ok > fast_ok && lib_ok < ROUNDS &&
	    whole > ROUNDS / 2 && blank > 100,
	    "random rows: a mix of fast, slow, malformed and blank rows");
	sl_csv_release(&fast);
	sl_csv_release(&all);
	sl_csv_release(&wholes);
}

/*
 * Bytes after the first row end (input that breaks the one-row contract)
 * must not stay in the parser and spoil the next row.
 */
static void
test_no_leak(void)
{
	static const char *const first[] = { "a\nb", "a\n\"b\n",
	    "a\rb,\"c\n" };
	static const char *const want[] = { "x\"", "y" };
	static const unsigned char next[] = "\"x\"\"\",y\n";

	for (size_t i = 0; i < NELEM(first); i++) {
		struct sl_csv c;
		size_t n = strlen(first[i]);
		unsigned char *t = tight(first[i], n);
		const char *why = NULL;
		int rc;

		sl_csv_init(&c, ',', Q);
		sl_csv_split(&c, t, n, &why);
		rc = sl_csv_split(&c, next, sizeof(next) - 1, &why);
		if (!ok(rc == 0 && fields_are(&c, 2, want), "split: what "
		    "follows the row end in '%s' does not reach the next row",
		    show(t, n)))
			tap_diag("next row: rc %d %s", rc, rc ? why : "");
		sl_csv_release(&c);
		sl_csv_init(&c, ',', Q);
		sl_csv_split_libcsv(&c, t, n, &why);
		rc = sl_csv_split_libcsv(&c, next, sizeof(next) - 1, &why);
		ok(rc == 0 && fields_are(&c, 2, want), "split_libcsv: what "
		    "follows the row end in '%s' does not reach the next row",
		    show(t, n));
		sl_csv_release(&c);
		free(t);
	}
}

/* TSV has no quoting: a NUL byte is data, not libcsv's quote character. */
static void
test_tsv_nul(void)
{
	static const unsigned char row[] = "\0a\tb\0\tc\n";
	struct sl_csv c;
	const char *why = NULL;

	sl_csv_init(&c, '\t', 0);
	ok(sl_csv_split(&c, row, sizeof(row) - 1, &why) == 0 && c.n == 3 &&
	    c.f[0].len == 2 && memcmp(c.f[0].p, "\0a", 2) == 0 &&
	    c.f[1].len == 2 && memcmp(c.f[1].p, "b\0", 2) == 0 &&
	    c.f[2].len == 1 && c.f[2].p[0] == 'c',
	    "tsv: NUL bytes are data; three fields");
	sl_csv_release(&c);
}

int
main(void)
{
	test_tsv_nul();
	test_row_len();
	test_row_len_random();
	test_blank();
	test_split();
	test_recovery();
	test_no_leak();
	test_random();
	return tap_done();
}
