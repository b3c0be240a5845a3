/*
 * input.h - a byte input: a file or stdin, gzip undone transparently, with
 * byte offsets for messages and a hook that runs before a read would block.
 *
 * The input keeps a window buf[pos..end) of decompressed bytes.  Readers look
 * at the window, consume what they used, and call sl_input_fill() for more.
 * Offsets count decompressed bytes from the start of the input.
 *
 * gzip is recognised by its magic bytes (1f 8b) at the start; concatenated
 * members (.warc.gz, pigz output) are read as one stream.  A truncated member,
 * corrupt data, or bytes after the last member that are not another member
 * are errors.  SL_INPUT_RAW turns detection off (ingest of .gz as a file).
 *
 * Live pipelines: before a read() on a pipe, socket or terminal that has no
 * data ready, the idle hook runs (tools flush their output there), so a record
 * that entered a filter leaves it before the filter blocks.
 *
 * Errors (I/O, gzip) make sl_input_fill() return -1 with in->err holding a
 * message that names the input and the offset, and in->status the exit status
 * (65 for bad data, 74 for I/O).
 */
#ifndef SL_INPUT_H
#define SL_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "diag.h"
#include <sys/types.h>

enum {
	SL_INPUT_RAW = 1,      /* do not undo gzip */
	SL_INPUT_TAIL_OK = 2,  /* bytes after the last gzip member that are not
	                          another member end the input (counted in
	                          tail_skipped) instead of failing: lenient mode */
};

struct sl_input {
	const char *name;        /* for messages: the path, or "stdin" */
	int fd;
	int owned;               /* close fd at the end */
	int regular;             /* a regular file: reads never block */
	unsigned flags;
	int gzip;                /* 1 once gzip was detected */
	int started;

	unsigned char *buf;      /* the window of decompressed bytes */
	size_t cap, pos, end;
	uint64_t base;           /* offset of buf[0] */
	int eof;                 /* nothing follows buf[end] */

	void *z;                 /* z_stream when gzip */
	unsigned char *zbuf;
	size_t zcap;
	int zeof;                /* the raw input is exhausted */
	int zmember_done;        /* between gzip members */
	uint64_t zread;          /* raw bytes read so far */
	uint64_t members;
	uint64_t tail_skipped;   /* SL_INPUT_TAIL_OK: bytes dropped at the end */

	void (*idle)(void *);
	void *idle_arg;

	int status;              /* exit status of the last error */
	char err[SL_MSG_MAX];
};

/*
 * Opens path ("-" is stdin).  Returns 0, or -1 with in->err set and
 * in->status 66 (cannot open, or a directory).
 */
int sl_input_open(struct sl_input *in, const char *path, unsigned flags);
/* Wraps an open descriptor; name is used in messages; fd is not closed. */
void sl_input_fdopen(struct sl_input *in, int fd, const char *name, unsigned flags);
void sl_input_close(struct sl_input *in);

void sl_input_set_idle(struct sl_input *in, void (*fn)(void *), void *arg);

/*
 * Reads more bytes into the window (moving or growing it as needed; the
 * window never shrinks below what is unconsumed).  Returns the number of new
 * bytes, 0 at the end of input, -1 on error.
 */
ssize_t sl_input_fill(struct sl_input *in);

/*
 * Fills until at least n bytes are available or the input ends.  Returns the
 * number available (less than n only at the end), or -1 on error.
 */
ssize_t sl_input_need(struct sl_input *in, size_t n);

static inline size_t
sl_input_avail(const struct sl_input *in)
{
	return in->end - in->pos;
}

static inline const unsigned char *
sl_input_ptr(const struct sl_input *in)
{
	return in->buf + in->pos;
}

static inline void
sl_input_consume(struct sl_input *in, size_t n)
{
	in->pos += n;
}

static inline uint64_t
sl_input_offset(const struct sl_input *in)
{
	return in->base + in->pos;
}

/* Copies up to n bytes to dst; returns the number copied, -1 on error. */
ssize_t sl_input_read(struct sl_input *in, void *dst, size_t n);

/*
 * Finds the next line ending in '\n' in the window, filling as needed; *len
 * includes the '\n'.  The line stays valid until the next fill.  At the end
 * of input a last line without '\n' is returned as is.  Returns 1 with a
 * line, 0 at the end, -1 on error, -2 when the line exceeds max bytes (the
 * window then holds at least max bytes of it; in->err says so).
 */
int sl_input_line_fill(struct sl_input *in, size_t max,
    const unsigned char **line, size_t *len);

/* sl_input_line_fill() when the line is not whole in the window. */
static inline int
sl_input_line(struct sl_input *in, size_t max, const unsigned char **line,
    size_t *len)
{
	const unsigned char *p = in->buf + in->pos;
	const unsigned char *nl = in->end > in->pos ?
	    memchr(p, '\n', in->end - in->pos) : NULL;

	if (nl != NULL && (size_t)(nl - p) < max) {
		*line = p;
		*len = (size_t)(nl - p) + 1;
		return 1;
	}
	return sl_input_line_fill(in, max, line, len);
}

/* The whole remaining input is read?  (Used after a final record.) */
int sl_input_at_end(struct sl_input *in);

/*
 * Puts n bytes back in front of the window, as if not yet consumed: bytes
 * just consumed cost nothing, others (a block the reader copied out) are
 * copied back.  The offset moves back by n.
 */
void sl_input_unread(struct sl_input *in, const void *p, size_t n);

/* Would sl_input_fill() return at once (data ready, or the end)? */
int sl_input_ready(struct sl_input *in);

/*
 * Reading an uncompressed regular file: drops the window and reads on from
 * offset (an incremental run); offsets in messages stay those of the file.
 * Returns 0, or -1 (in->err) for compressed or piped input, which cannot.
 */
int sl_input_seek(struct sl_input *in, uint64_t offset);

#endif
