/* input.c - see input.h */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "diag.h"
#include "input.h"
#include "xalloc.h"

#define WINDOW (256 * 1024)
#define ZWINDOW (64 * 1024)

static void
init(struct sl_input *in, int fd, const char *name, unsigned flags)
{
	struct stat st;

	memset(in, 0, sizeof(*in));
	in->fd = fd;
	in->name = name;
	in->flags = flags;
	in->regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
	in->cap = WINDOW;
	in->buf = sl_malloc(in->cap);
}

int
sl_input_open(struct sl_input *in, const char *path, unsigned flags)
{
	struct stat st;
	int fd;

	if (strcmp(path, "-") == 0) {
		init(in, STDIN_FILENO, "stdin", flags);
		return 0;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode))) {
		memset(in, 0, sizeof(*in));
		in->fd = -1;
		in->name = path;
		in->status = SL_EX_NOINPUT;
		snprintf(in->err, sizeof(in->err), "%s: cannot open: %s", path,
		    fd < 0 ? strerror(errno) : "is a directory");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	init(in, fd, path, flags);
	in->owned = 1;
	return 0;
}

void
sl_input_fdopen(struct sl_input *in, int fd, const char *name, unsigned flags)
{
	init(in, fd, name, flags);
}

void
sl_input_close(struct sl_input *in)
{
	if (in->z) {
		inflateEnd(in->z);
		free(in->z);
	}
	if (in->owned && in->fd >= 0)
		close(in->fd);
	free(in->buf);
	free(in->zbuf);
	in->buf = in->zbuf = NULL;
	in->z = NULL;
	in->fd = -1;
}

void
sl_input_set_idle(struct sl_input *in, void (*fn)(void *), void *arg)
{
	in->idle = fn;
	in->idle_arg = arg;
}

static ssize_t
fail(struct sl_input *in, int status, const char *fmt, ...)
    SL_PRINTF(3, 4);

static ssize_t
fail(struct sl_input *in, int status, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(in->err, sizeof(in->err), "%s: ", in->name);
	if (n < 0 || (size_t)n >= sizeof(in->err))
		n = (int)sizeof(in->err) - 1;   /* a very long name: cut */
	va_start(ap, fmt);
	vsnprintf(in->err + n, sizeof(in->err) - (size_t)n, fmt, ap);
	va_end(ap);
	in->status = status;
	return -1;
}

/*
 * read(2) that runs the idle hook first when the read would block.  EINTR is
 * retried, a non-blocking descriptor waits in poll().
 */
static ssize_t
raw_read(struct sl_input *in, void *dst, size_t n)
{
	struct pollfd p;
	ssize_t r;

	if (!in->regular && in->idle) {
		p.fd = in->fd;
		p.events = POLLIN;
		if (poll(&p, 1, 0) == 0)
			in->idle(in->idle_arg);
	}
	for (;;) {
		r = read(in->fd, dst, n);
		if (r >= 0)
			return r;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			p.fd = in->fd;
			p.events = POLLIN;
			poll(&p, 1, -1);
			continue;
		}
		return fail(in, SL_EX_IOERR, "read error: %s", strerror(errno));
	}
}

/* Makes room at buf[end]: slides the unconsumed bytes down, or grows. */
static void
make_room(struct sl_input *in)
{
	if (in->pos > 0) {
		memmove(in->buf, in->buf + in->pos, in->end - in->pos);
		in->base += in->pos;
		in->end -= in->pos;
		in->pos = 0;
	}
	if (in->end == in->cap) {
		in->cap *= 2;
		in->buf = sl_realloc(in->buf, in->cap);
	}
}

/* First read: decides between plain and gzip input. */
static ssize_t
start(struct sl_input *in)
{
	ssize_t r;
	z_stream *z;

	in->started = 1;
	while (in->end < 2) {
		r = raw_read(in, in->buf + in->end, in->cap - in->end);
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		in->end += (size_t)r;
		in->zread += (uint64_t)r;
	}
	if (in->end < 2 || (in->flags & SL_INPUT_RAW) ||
	    in->buf[0] != 0x1f || in->buf[1] != 0x8b) {
		if (in->end == 0)
			in->eof = 1;
		return (ssize_t)in->end;
	}
	/* gzip: the bytes read so far are compressed input. */
	in->gzip = 1;
	in->zcap = ZWINDOW > in->end ? ZWINDOW : in->end;
	in->zbuf = sl_malloc(in->zcap);
	memcpy(in->zbuf, in->buf, in->end);
	z = sl_calloc(1, sizeof(*z));
	if (inflateInit2(z, 15 + 16) != Z_OK)
		sl_die(SL_EX_SOFTWARE, "cannot initialise zlib");
	z->next_in = in->zbuf;
	z->avail_in = (uInt)in->end;
	in->z = z;
	in->end = 0;
	in->members = 1;
	return 0;
}

static uint64_t
zoffset(struct sl_input *in)
{
	z_stream *z = in->z;

	return in->zread - z->avail_in;
}

/* Reads raw bytes behind the unconsumed compressed ones. */
static ssize_t
more_raw(struct sl_input *in)
{
	z_stream *z = in->z;
	ssize_t r;

	if (z->avail_in > 0 && z->next_in != in->zbuf)
		memmove(in->zbuf, z->next_in, z->avail_in);
	z->next_in = in->zbuf;
	r = raw_read(in, in->zbuf + z->avail_in, in->zcap - z->avail_in);
	if (r < 0)
		return -1;
	if (r == 0)
		in->zeof = 1;
	in->zread += (uint64_t)r;
	z->avail_in += (uInt)r;
	return r;
}

static ssize_t
truncated(struct sl_input *in)
{
	return fail(in, SL_EX_DATAERR,
	    "truncated gzip data (member %llu ends after compressed byte %llu)",
	    (unsigned long long)in->members, (unsigned long long)zoffset(in));
}

/*
 * Inflates until some bytes come out.  Bytes already produced are returned
 * before anything that could block (the next raw read, the next member).
 */
static ssize_t
fill_gzip(struct sl_input *in)
{
	z_stream *z = in->z;
	size_t before = in->end;
	int ret;

	for (;;) {
		if (in->end > before)
			return (ssize_t)(in->end - before);
		if (in->zmember_done) {
			while (z->avail_in < 2 && !in->zeof)
				if (more_raw(in) < 0)
					return -1;
			if (z->avail_in == 0) {
				in->eof = 1;
				return 0;
			}
			if ((z->avail_in < 2 || z->next_in[0] != 0x1f ||
			    z->next_in[1] != 0x8b) && (in->flags & SL_INPUT_TAIL_OK)) {
				while (z->avail_in > 0 || !in->zeof) {
					in->tail_skipped += z->avail_in;
					z->avail_in = 0;
					if (!in->zeof && more_raw(in) < 0)
						return -1;
				}
				in->eof = 1;
				return 0;
			}
			if (z->avail_in < 2 || z->next_in[0] != 0x1f ||
			    z->next_in[1] != 0x8b)
				return fail(in, SL_EX_DATAERR,
				    "unexpected bytes after gzip member %llu "
				    "(compressed byte %llu)",
				    (unsigned long long)in->members,
				    (unsigned long long)zoffset(in));
			inflateReset(z);
			in->zmember_done = 0;
			in->members++;
		}
		if (z->avail_in == 0) {
			if (in->zeof)
				return truncated(in);
			if (more_raw(in) < 0)
				return -1;
			continue;
		}
		z->next_out = in->buf + in->end;
		z->avail_out = (uInt)(in->cap - in->end);
		ret = inflate(z, Z_NO_FLUSH);
		in->end = in->cap - z->avail_out;
		switch (ret) {
		case Z_STREAM_END:
			in->zmember_done = 1;
			break;
		case Z_OK:
		case Z_BUF_ERROR:
			break;
		case Z_MEM_ERROR:
			sl_die(SL_EX_SOFTWARE, "out of memory in zlib");
		default:
			return fail(in, SL_EX_DATAERR,
			    "corrupt gzip data in member %llu near compressed "
			    "byte %llu: %s", (unsigned long long)in->members,
			    (unsigned long long)zoffset(in),
			    z->msg ? z->msg : "bad data");
		}
	}
}

ssize_t
sl_input_fill(struct sl_input *in)
{
	ssize_t r;

	if (in->eof)
		return 0;
	make_room(in);
	if (!in->started) {
		r = start(in);
		if (r != 0 || in->eof)
			return r;
	}
	if (in->gzip)
		return fill_gzip(in);
	r = raw_read(in, in->buf + in->end, in->cap - in->end);
	if (r < 0)
		return -1;
	if (r == 0)
		in->eof = 1;
	in->end += (size_t)r;
	in->zread += (uint64_t)r;
	return r;
}

ssize_t
sl_input_need(struct sl_input *in, size_t n)
{
	ssize_t r;

	while (sl_input_avail(in) < n) {
		r = sl_input_fill(in);
		if (r < 0)
			return -1;
		if (r == 0)
			break;
	}
	return (ssize_t)sl_input_avail(in);
}

ssize_t
sl_input_read(struct sl_input *in, void *dst, size_t n)
{
	unsigned char *d = dst;
	size_t got = 0, k;
	ssize_t r;

	while (got < n) {
		if (sl_input_avail(in) == 0) {
			r = sl_input_fill(in);
			if (r < 0)
				return -1;
			if (r == 0)
				break;
		}
		k = sl_input_avail(in);
		if (k > n - got)
			k = n - got;
		memcpy(d + got, sl_input_ptr(in), k);
		sl_input_consume(in, k);
		got += k;
	}
	return (ssize_t)got;
}

int
sl_input_line_fill(struct sl_input *in, size_t max, const unsigned char **line,
    size_t *len)
{
	size_t scanned = 0, avail;
	const unsigned char *nl;
	ssize_t r;

	for (;;) {
		avail = sl_input_avail(in);
		nl = memchr(sl_input_ptr(in) + scanned, '\n', avail - scanned);
		if (nl != NULL) {
			*line = sl_input_ptr(in);
			*len = (size_t)(nl - *line) + 1;
			if (*len > max)
				break;
			return 1;
		}
		scanned = avail;
		if (scanned > max)
			break;
		r = sl_input_fill(in);
		if (r < 0)
			return -1;
		if (r == 0) {
			if (avail == 0)
				return 0;
			*line = sl_input_ptr(in);
			*len = avail;
			return 1;
		}
	}
	fail(in, SL_EX_DATAERR, "byte %llu: line longer than %zu bytes",
	    (unsigned long long)sl_input_offset(in), max);
	return -2;
}

void
sl_input_unread(struct sl_input *in, const void *p, size_t n)
{
	if (n <= in->pos && (const unsigned char *)p == in->buf + in->pos - n) {
		in->pos -= n;     /* still in the window just before pos */
		return;
	}
	if (n > in->base + in->pos)
		sl_die(SL_EX_SOFTWARE, "internal error: unread before the start");
	if (in->pos < n) {
		size_t avail = in->end - in->pos;

		if (in->cap < n + avail) {
			in->cap = n + avail;
			in->buf = sl_realloc(in->buf, in->cap);
		}
		memmove(in->buf + n, in->buf + in->pos, avail);
		in->base -= n - in->pos;
		in->pos = n;
		in->end = n + avail;
	}
	in->pos -= n;
	memmove(in->buf + in->pos, p, n);
}

int
sl_input_ready(struct sl_input *in)
{
	struct pollfd p;

	if (sl_input_avail(in) > 0 || in->eof || in->regular)
		return 1;
	p.fd = in->fd;
	p.events = POLLIN;
	return poll(&p, 1, 0) > 0;
}

int
sl_input_seek(struct sl_input *in, uint64_t offset)
{
	if (in->gzip || !in->regular) {
		fail(in, SL_EX_SOFTWARE, "cannot seek in compressed or piped input");
		return -1;
	}
	if (lseek(in->fd, (off_t)offset, SEEK_SET) < 0) {
		fail(in, SL_EX_IOERR, "cannot seek to byte %llu: %s",
		    (unsigned long long)offset, strerror(errno));
		return -1;
	}
	in->pos = in->end = 0;
	in->base = offset;
	in->zread = offset;
	in->eof = 0;
	return 0;
}

int
sl_input_at_end(struct sl_input *in)
{
	return sl_input_need(in, 1) == 0;
}
