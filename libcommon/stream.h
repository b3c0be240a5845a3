/*
 * stream.h - records of the sluice stream (a WARC/1.1 profile; see
 * sluice-stream(5)): reading them with strict framing, writing them stricter.
 *
 *   struct sl_reader r;  struct sl_record rec;  struct sl_writer w;
 *   sl_record_init(&rec);
 *   sl_reader_init(&r, &in);                 // in: an opened sl_input
 *   sl_writer_init(&w, STDOUT_FILENO, "stdout", 0);
 *   while ((n = sl_reader_next(&r, &rec)) > 0) {
 *           ... look at rec.hdr, rec.block ...
 *           if (sl_writer_put(&w, &rec) < 0) die with w.err
 *   }
 *   if (n < 0) die with r.err (it names the input, record and byte offset)
 *
 * A record read stays valid until the next sl_reader_next() on it.  The
 * writer emits whole records only: a record is formatted completely (and
 * checked) before any of its bytes reach the output buffer.
 */
#ifndef SL_STREAM_H
#define SL_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"

#include "arena.h"
#include "buf.h"
#include "header.h"
#include "input.h"

enum sl_rtype {
	SL_R_OTHER = 0,
	SL_R_WARCINFO,
	SL_R_RESOURCE,
	SL_R_CONVERSION,
	SL_R_METADATA,
	SL_R_RESPONSE,
	SL_R_REQUEST,
	SL_R_REVISIT,
};

struct sl_record {
	struct sl_arena arena;      /* header names and values */
	struct sl_headers hdr;
	int version;                /* 10 for WARC/1.0, 11 for WARC/1.1 */
	enum sl_rtype type;         /* from WARC-Type */
	const unsigned char *block; /* Content-Length bytes */
	size_t block_len;
	struct sl_buf store;        /* owns the block when the reader copied it */
	/* where it came from, for messages (0 for records a tool made) */
	const char *source;
	uint64_t number;            /* 1-based record number in source */
	uint64_t offset;            /* byte offset of its first byte */
	/*
	 * Set by the reader when the record's bytes as read are still in the
	 * input window and are exactly what sl_record_format() writes for the
	 * record as read (CRLF, canonical names, one space after the colon,
	 * nothing trimmed or folded, a plain Content-Length); else NULL.
	 * Valid until the next read, like block.  raw_head is the length of
	 * the version line and fields (the blank line not included),
	 * raw_nfields the number of fields read.
	 */
	const unsigned char *raw;
	size_t raw_len, raw_head, raw_nfields;
};

void sl_record_init(struct sl_record *rec);
/* Empties the record for reuse: headers gone, arena reset, version 1.1. */
void sl_record_clear(struct sl_record *rec);
void sl_record_release(struct sl_record *rec);
/* Points the block at p (not copied: p must outlive the write). */
void sl_record_set_block(struct sl_record *rec, const void *p, size_t len);
/* Is it a data record (resource or conversion)? */
int sl_record_is_data(const struct sl_record *rec);

/* WARC-Type value <-> enum; the name of SL_R_OTHER is NULL. */
enum sl_rtype sl_rtype_lookup(const char *s);
const char *sl_rtype_name(enum sl_rtype t);

/* ---- reading ---- */

#define SL_MAX_BLOCK_DEFAULT ((uint64_t)1 << 30)  /* 1 GiB */

struct sl_reader {
	struct sl_input *in;
	uint64_t records;       /* records returned so far */
	uint64_t max_block;     /* Content-Length limit */
	int lenient;            /* resynchronise after damage instead of failing */
	uint64_t skipped_bytes; /* lenient: bytes skipped */
	uint64_t damaged;       /* lenient: damaged records skipped */
	int status;             /* exit status of the last error */
	char err[SL_MSG_MAX];
};

void sl_reader_init(struct sl_reader *r, struct sl_input *in);

/*
 * Reads the next record into rec.  Returns 1 with a record, 0 at the clean
 * end of the input, -1 on malformed input or an I/O error: r->err says what,
 * naming the input, the record number and the byte offset, and r->status is
 * the exit status (65 malformed, 74 I/O).  In lenient mode a damaged record
 * is reported with sl_warn(), skipped and counted (its bytes in
 * skipped_bytes), and reading resumes at the next version line after the
 * damaged record's start; -1 then means an I/O error or damaged compression.
 */
int sl_reader_next(struct sl_reader *r, struct sl_record *rec);

/* ---- writing ---- */

/*
 * Appends rec to out, framed: version line, fields (Content-Length once,
 * always the true block length, inserted after Content-Type when the record
 * has none), blank line, block, CRLF CRLF.  Refuses (returns -1, err filled,
 * out unchanged) a field whose name is not a token, a value holding a
 * control character, invalid UTF-8 or a space at either end, and a block
 * over SL_MAX_BLOCK_DEFAULT.  Thread-safe: touches nothing but its arguments.
 */
int sl_record_format(const struct sl_record *rec, struct sl_buf *out,
    char *err, size_t errlen);

/*
 * As sl_record_format(), for a record as read with fields appended: the
 * caller promises that hdr.f[0..nkeep) are the fields read, unchanged, and
 * that the block and version are those read.  When the reader kept the
 * record's canonical bytes (rec->raw, nkeep == rec->raw_nfields) they are
 * copied and only the appended fields formatted (and checked); otherwise
 * the record is formatted whole.  The same bytes either way.
 */
int sl_record_format_appended(const struct sl_record *rec, size_t nkeep,
    struct sl_buf *out, char *err, size_t errlen);

struct sl_gzip;  /* per-record gzip member compressor */

/*
 * Formats rec and appends it to out in the writer's form: plain, or (gz not
 * NULL) as one gzip member, formatting through scratch.  For worker threads
 * that prepare output for sl_writer_put_framed().  Returns 0 or -1 (err).
 */
int sl_record_emit(const struct sl_record *rec, struct sl_buf *out,
    struct sl_gzip *gz, struct sl_buf *scratch, char *err, size_t errlen);
struct sl_gzip *sl_gzip_new(int level);
/* Compresses in[0..len) as one complete gzip member appended to out. */
void sl_gzip_member(struct sl_gzip *gz, const void *in, size_t len,
    struct sl_buf *out);
void sl_gzip_free(struct sl_gzip *gz);

struct sl_writer {
	int fd;
	const char *name;       /* for messages */
	struct sl_buf out;      /* whole records waiting to be written */
	struct sl_buf rec;      /* scratch: the record being formatted */
	size_t flush_at;
	struct sl_gzip *gz;     /* NULL unless -z */
	uint64_t records;       /* records written */
	uint64_t bytes;         /* bytes written to fd */
	char err[SL_MSG_MAX];
};

/* gzip: write each record as its own gzip member (.warc.gz). */
void sl_writer_init(struct sl_writer *w, int fd, const char *name, int gzip);
/* Formats and queues rec; returns 0, or -1 when the record was refused. */
int sl_writer_put(struct sl_writer *w, const struct sl_record *rec);
/* sl_writer_put() through sl_record_format_appended() (same contract). */
int sl_writer_put_appended(struct sl_writer *w, const struct sl_record *rec,
    size_t nkeep);
/*
 * Queues bytes that already hold n whole records in the writer's form
 * (made by sl_record_emit, with a gzip compressor of its own when
 * sl_writer_gzip(w)).
 */
void sl_writer_put_framed(struct sl_writer *w, const void *p, size_t len,
    uint64_t n);
/* Bytes given in pieces. */
struct sl_piece {
	const void *p;
	size_t len;
};
/*
 * sl_writer_put_framed() of the n pieces joined (so a record can be written
 * from its parts without joining them first).
 */
void sl_writer_put_pieces(struct sl_writer *w, const struct sl_piece *pc,
    size_t n, uint64_t nrec);
/* Does the writer want gzip members (-z)? */
int sl_writer_gzip(const struct sl_writer *w);
/* Writes out what is queued; dies (74) on a write error. */
void sl_writer_flush(struct sl_writer *w);
/* An sl_input idle hook: void * is the writer. */
void sl_writer_idle(void *w);
/* Flushes and frees; does not close fd. */
void sl_writer_close(struct sl_writer *w);

#endif
