/*
 * csvrow.h - CSV and TSV rows, one at a time (RFC 4180, through libcsv).
 *
 * sl_csv_row_len() finds where a row ends (LF, CRLF or a lone CR outside
 * quotes), so input can be cut into whole rows and rows numbered before
 * they are parsed, in any thread.  sl_csv_split() then splits one row.
 *
 * Splitting has two paths that give identical fields (tests/unit/test-csv
 * checks this on random rows): rows whose fields are unquoted, or quoted
 * without doubled quotes, line breaks or NUL bytes inside, are split in one
 * pass; any other row goes through libcsv in strict mode, which is the
 * reference and the only path that reports malformed quoting.  Spaces are data (libcsv
 * trims them by default; we turn that off).  An unquoted empty field is
 * marked null; a quoted empty one ("") is an empty string.
 *
 * Fields point into the row or into the splitter's own storage and stay
 * valid until the next split.  One sl_csv per thread.
 */
#ifndef SL_CSVROW_H
#define SL_CSVROW_H

#include <stddef.h>

#include "buf.h"

struct sl_csv_field {
	const char *p;
	size_t len;
	int null;          /* unquoted and empty */
};

struct sl_csv {
	int delim;
	int quote;         /* 0: no quoting at all (TSV) */
	unsigned char cls[256];  /* fast path: what each byte means */
	struct sl_csv_field *f;
	size_t n, cap;
	/* libcsv */
	void *parser;
	struct sl_buf store;
	size_t *off;
	size_t offcap;
	int ended;
};

void sl_csv_init(struct sl_csv *c, int delim, int quote);
void sl_csv_release(struct sl_csv *c);

/*
 * Length of the row at p with its terminator; 0 when the row does not end
 * within n bytes, unless at_eof, when the rest is the last row.
 */
size_t sl_csv_row_len(const unsigned char *p, size_t n, int quote, int at_eof);
/* Does the row hold nothing but line terminators (a blank line, not a row)? */
int sl_csv_blank(const unsigned char *p, size_t n);

/* Splits one whole row into c->f[0..c->n).  Returns 0, or -1 with *why. */
int sl_csv_split(struct sl_csv *c, const unsigned char *row, size_t n,
    const char **why);

/* The two paths, for tests: fast returns 1 when it could split the row. */
int sl_csv_split_fast(struct sl_csv *c, const unsigned char *row, size_t n);
int sl_csv_split_libcsv(struct sl_csv *c, const unsigned char *row, size_t n,
    const char **why);

#endif
