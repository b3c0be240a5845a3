/*
 * test-stream.c - unit tests for libcommon/stream.c and input.c: the warcio
 * sample files (counts, fields, the two damaged files strict and lenient), a
 * table of hand-made records with their expected outcome (each read from a
 * temporary file and from a pipe fed a byte at a time), the writer's exact
 * bytes and refusals, a random round trip plain and gzipped, the gzip input
 * layer, and the idle hook of live pipelines.
 *
 * Every input goes through a real descriptor.  Expected values are written
 * by hand or computed here without the library (offsets by scanning the
 * bytes for version lines, gzip members with zlib directly).
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "buf.h"
#include "diag.h"
#include "header.h"
#include "input.h"
#include "stream.h"
#include "tap.h"
#include "xalloc.h"

#define MIB	(1024 * 1024)

/* ---- descriptors ---- */

static void
write_all(int fd, const void *p, size_t len)
{
	const char *s = p;
	ssize_t n;

	while (len > 0) {
		n = write(fd, s, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			perror("test-stream: write");
			exit(2);
		}
		s += n;
		len -= (size_t)n;
	}
}

static const char *
tmpdir(void)
{
	const char *t = getenv("TMPDIR");

	return t != NULL && *t != '\0' ? t : "/tmp";
}

/* A temporary file named in path (PATH_MAX bytes), holding data, rewound. */
static int
tmp_file(char *path, size_t pathlen, const void *data, size_t len)
{
	int fd;

	snprintf(path, pathlen, "%s/test-stream.XXXXXX", tmpdir());
	if ((fd = mkstemp(path)) < 0) {
		perror("test-stream: mkstemp");
		exit(2);
	}
	write_all(fd, data, len);
	if (lseek(fd, 0, SEEK_SET) != 0) {
		perror("test-stream: lseek");
		exit(2);
	}
	return fd;
}

/* As tmp_file, already unlinked: the descriptor is all that is left. */
static int
tmp_fd(const void *data, size_t len)
{
	char path[4096];
	int fd = tmp_file(path, sizeof(path), data, len);

	unlink(path);
	return fd;
}

/*
 * The read end of a pipe that a child fills with data, chunk bytes per
 * write(), then closes.  Reap the child with reap().
 */
static int
pipe_feed(const void *data, size_t len, size_t chunk, pid_t *pid)
{
	const char *s = data;
	int p[2];

	if (pipe(p) < 0) {
		perror("test-stream: pipe");
		exit(2);
	}
	fflush(stdout);
	if ((*pid = fork()) < 0) {
		perror("test-stream: fork");
		exit(2);
	}
	if (*pid == 0) {
		close(p[0]);
		for (size_t off = 0; off < len; ) {
			size_t k = len - off < chunk ? len - off : chunk;
			ssize_t n = write(p[1], s + off, k);

			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				_exit(1);  /* the reader stopped early */
			off += (size_t)n;
		}
		_exit(0);
	}
	close(p[1]);
	return p[0];
}

static int
reap(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return st;
}

/* The whole file at path, or NULL. */
static char *
slurp(const char *path, size_t *len)
{
	struct sl_buf b = SL_BUF_INIT;
	char tmp[65536];
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY)) < 0)
		return NULL;
	while ((n = read(fd, tmp, sizeof(tmp))) > 0)
		sl_buf_add(&b, tmp, (size_t)n);
	close(fd);
	if (b.data == NULL)
		sl_buf_add(&b, "", 0);
	return sl_buf_detach(&b, len);
}

/* What a descriptor still holds, read to its end. */
static void
slurp_fd(int fd, struct sl_buf *b)
{
	char tmp[65536];
	ssize_t n;

	while ((n = read(fd, tmp, sizeof(tmp))) > 0)
		sl_buf_add(b, tmp, (size_t)n);
}

/* ---- zlib, used directly: the reference for the library's gzip ---- */

/* Appends data compressed as one complete gzip member. */
static void
gz_member(const void *data, size_t len, struct sl_buf *out)
{
	z_stream z;
	uLong bound;

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8,
	    Z_DEFAULT_STRATEGY) != Z_OK)
		exit(2);
	bound = deflateBound(&z, (uLong)len) + 64;
	sl_buf_grow(out, bound);
	z.next_in = (Bytef *)(uintptr_t)data;
	z.avail_in = (uInt)len;
	z.next_out = (Bytef *)out->data + out->len;
	z.avail_out = (uInt)bound;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END)
		exit(2);
	out->len += bound - z.avail_out;
	out->data[out->len] = '\0';
	deflateEnd(&z);
}

/*
 * Inflates p[0..len) one gzip member at a time, calling fn with each
 * member's output.  Returns the number of members, -1 on bad data.
 */
static long
gz_members(const void *p, size_t len,
    void (*fn)(void *, long, const char *, size_t), void *arg)
{
	struct sl_buf out = SL_BUF_INIT;
	unsigned char tmp[16384];
	z_stream z;
	long n = 0;
	int ret;

	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 15 + 16) != Z_OK)
		exit(2);
	z.next_in = (Bytef *)(uintptr_t)p;
	z.avail_in = (uInt)len;
	while (z.avail_in > 0) {
		sl_buf_reset(&out);
		do {
			z.next_out = tmp;
			z.avail_out = sizeof(tmp);
			ret = inflate(&z, Z_NO_FLUSH);
			if (ret != Z_OK && ret != Z_STREAM_END) {
				n = -1;
				goto out;
			}
			sl_buf_add(&out, tmp, sizeof(tmp) - z.avail_out);
			if (ret == Z_OK && z.avail_in == 0) {
				n = -1;  /* ends inside a member */
				goto out;
			}
		} while (ret != Z_STREAM_END);
		if (fn != NULL)
			fn(arg, n, out.data ? out.data : "", out.len);
		n++;
		inflateReset(&z);
	}
out:
	inflateEnd(&z);
	sl_buf_release(&out);
	return n;
}

/* The whole file, gunzipped when it is gzip (zlib's gzread, not ours). */
static char *
gunzip_file(const char *path, size_t *len)
{
	struct sl_buf b = SL_BUF_INIT;
	char tmp[65536];
	gzFile f;
	int n;

	if ((f = gzopen(path, "rb")) == NULL)
		return NULL;
	while ((n = gzread(f, tmp, sizeof(tmp))) > 0)
		sl_buf_add(&b, tmp, (size_t)n);
	gzclose(f);
	if (n < 0) {
		sl_buf_release(&b);
		return NULL;
	}
	if (b.data == NULL)
		sl_buf_add(&b, "", 0);
	return sl_buf_detach(&b, len);
}

/*
 * Offsets of the lines "WARC/1.0" and "WARC/1.1" (CRLF or LF) in p: the
 * record starts, found without the reader.  Returns how many (at most max).
 */
static size_t
version_lines(const char *p, size_t len, uint64_t *off, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i + 9 <= len && n < max; i++) {
		if (i > 0 && p[i - 1] != '\n')
			continue;
		if (memcmp(p + i, "WARC/1.", 7) != 0 ||
		    (p[i + 7] != '0' && p[i + 7] != '1'))
			continue;
		if (p[i + 8] == '\n' || (i + 10 <= len && p[i + 8] == '\r' &&
		    p[i + 9] == '\n'))
			off[n++] = i;
	}
	return n;
}

/* ---- reading everything ---- */

struct outcome {
	int n;                  /* records returned */
	int rc;                 /* the last sl_reader_next() */
	int status;
	uint64_t records;       /* r.records */
	uint64_t damaged, skipped;
	char err[SL_MSG_MAX];
};

static void
read_all(struct sl_input *in, uint64_t max_block, int lenient,
    struct outcome *o)
{
	struct sl_reader r;
	struct sl_record rec;

	memset(o, 0, sizeof(*o));
	sl_record_init(&rec);
	sl_reader_init(&r, in);
	if (max_block != 0)
		r.max_block = max_block;
	r.lenient = lenient;
	while ((o->rc = sl_reader_next(&r, &rec)) > 0)
		o->n++;
	o->status = o->rc < 0 ? r.status : 0;
	o->records = r.records;
	o->damaged = r.damaged;
	o->skipped = r.skipped_bytes;
	snprintf(o->err, sizeof(o->err), "%s", o->rc < 0 ? r.err : "");
	sl_record_release(&rec);
}

/* A printable rendering of s[0..len) for test names (static storage). */
static const char *
show(const char *s, size_t len)
{
	static char out[4][120];
	static int k;
	char *o = out[k++ & 3], *e = o + 100;
	char *start = o;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (o >= e) {
			strcpy(o, "...");
			return start;
		}
		if (c == '\r' && i + 1 < len && s[i + 1] == '\n') {
			*o++ = '|';
			i++;
		} else if (c == '\n')
			*o++ = '/';
		else if (c >= 0x20 && c < 0x7f && c != '\\')
			*o++ = (char)c;
		else
			o += sprintf(o, "\\x%02x", c);
	}
	*o = '\0';
	return start;
}

/*
 * show() with the building blocks of the hand-made records named (MIN,
 * HEAD, ...), so that rows that differ late read differently.
 */
static const char *
abbrev(const char *s, size_t len)
{
	static const struct {
		const char *lit, *label;
	} parts[] = {
		{ "WARC/1.1\r\nWARC-Type: resource\r\nWARC-Record-ID: "
		    "<urn:uuid:0fbefbf0-73c4-58c1-b9df-1e7c6a10b260>\r\n"
		    "WARC-Date: 2026-11-24T10:00:00.000000Z\r\n"
		    "Content-Length: 5\r\n\r\nhello\r\n\r\n", "<MIN>" },
		{ "WARC/1.1\r\nWARC-Type: resource\r\nWARC-Record-ID: "
		    "<urn:uuid:0fbefbf0-73c4-58c1-b9df-1e7c6a10b260>\r\n"
		    "WARC-Date: 2026-11-24T10:00:00.000000Z\r\n", "<HEAD>" },
		{ "WARC-Type: resource\r\n", "<TYPE>" },
		{ "WARC-Record-ID: "
		    "<urn:uuid:0fbefbf0-73c4-58c1-b9df-1e7c6a10b260>\r\n",
		    "<RID>" },
		{ "WARC-Date: 2026-11-24T10:00:00.000000Z\r\n", "<DATE>" },
		{ "Content-Length: 5\r\n", "<CL5>" },
		{ "\r\nhello\r\n\r\n", "<BODY>" },
		{ "\r\n", "|" },
	};
	static struct sl_buf b[4];
	static int k;
	struct sl_buf *o = &b[k++ & 3];

	sl_buf_reset(o);
	for (size_t i = 0; i < len; ) {
		size_t j;

		for (j = 0; j < sizeof(parts) / sizeof(parts[0]); j++) {
			size_t n = strlen(parts[j].lit);

			if (len - i >= n &&
			    memcmp(s + i, parts[j].lit, n) == 0) {
				sl_buf_adds(o, parts[j].label);
				i += n;
				break;
			}
		}
		if (j == sizeof(parts) / sizeof(parts[0])) {
			sl_buf_adds(o, show(s + i, 1));
			i++;
		}
		if (o->len > 110) {
			sl_buf_adds(o, "...");
			break;
		}
	}
	if (o->data == NULL)
		sl_buf_add(o, "", 0);
	return o->data;
}

/* ---- the warcio samples ---- */

struct sample {
	const char *file;
	int count;
	const char *types;      /* WARC-Type of each record */
	const char *first_id;   /* WARC-Record-ID of the first record */
};

static const struct sample samples[] = {
	{ "example.warc", 6,
	    "warcinfo warcinfo response request revisit request",
	    "<urn:uuid:e9a0cecc-0221-11e7-adb1-0242ac120008>" },
	{ "example.warc.gz", 6,
	    "warcinfo warcinfo response request revisit request",
	    "<urn:uuid:e9a0cecc-0221-11e7-adb1-0242ac120008>" },
	{ "example-digest.warc", 4,
	    "request request request request",
	    "<urn:uuid:a9c5c23a-0221-11e7-8fe3-0242ac120007>" },
	{ "example-resource.warc.gz", 3,
	    "warcinfo warcinfo resource",
	    "<urn:uuid:750cb358-2c7b-11e7-88bf-0242ac120008>" },
	{ "example-iana.org-chunked.warc", 3,
	    "warcinfo response request",
	    "<urn:uuid:c78e1b36-f570-40de-a2a2-97e720addf9a>" },
	{ "post-test.warc.gz", 6,
	    "response request response request response request",
	    "<urn:uuid:f6271bbf-d071-434a-8075-aa3a294d8004>" },
	{ "example-bad-non-chunked.warc.gz", 6,
	    "warcinfo warcinfo response request revisit request",
	    "<urn:uuid:e9a0cecc-0221-11e7-adb1-0242ac120008>" },
	{ "example-bad.warc.gz.bad", 6,
	    "warcinfo response request revisit request response",
	    "<urn:uuid:fbd6cf0a-6160-4550-b343-12188dc05234>" },
	{ "example-space-in-target-uri.warc.gz", 2,
	    "warcinfo resource",
	    "<urn:uuid:0a183026-e148-401a-838d-1d59036ba6b7>" },
	{ "example-wget-bad-target-uri.warc.gz", 6,
	    "warcinfo request response metadata resource resource",
	    "<urn:uuid:A86E23D9-CD9F-40A3-8484-B14BBB7D4677>" },
};

struct damaged {
	const char *file;
	int before;             /* records returned before the failure */
	int bad;                /* the failing record's number */
	const char *msg;
	int lenient_count;      /* records read in lenient mode */
	int resumed;            /* lenient: the version line it resumes at */
};

static const struct damaged damaged_samples[] = {
	/* Content-Length 973 for a block of 975: record 3 is damaged */
	{ "example-trunc.warc", 2, 3, "not followed by CRLF CRLF", 3, 4 },
	/* one stray byte after the first block */
	{ "example-wrong-chunks.warc.gz", 0, 1, "not followed by CRLF CRLF",
	    1, 2 },
};

static const char *
sample_dir(struct sl_buf *b)
{
	const char *conf = getenv("CONFORMANCE");

	if (conf == NULL || *conf == '\0')
		conf = "tests/fixtures/conformance";
	sl_buf_reset(b);
	sl_buf_addf(b, "%s/warcio-samples", conf);
	return b->data;
}

/* Decimal value of s, or UINT64_MAX when it is not one. */
static uint64_t
decimal(const char *s)
{
	uint64_t n = 0;

	if (s == NULL)
		return UINT64_MAX;
	while (*s == ' ')
		s++;
	if (*s == '\0')
		return UINT64_MAX;
	for (; *s >= '0' && *s <= '9'; s++)
		n = n * 10 + (uint64_t)(*s - '0');
	while (*s == ' ')
		s++;
	return *s == '\0' ? n : UINT64_MAX;
}

static void
test_samples(void)
{
	struct sl_buf dir = SL_BUF_INIT, path = SL_BUF_INIT;
	struct sl_buf types = SL_BUF_INIT;
	struct sl_record rec;
	struct stat st;

	sl_record_init(&rec);
	if (stat(sample_dir(&dir), &st) < 0 || !S_ISDIR(st.st_mode)) {
		ok(0, "warcio samples in %s (set CONFORMANCE)", dir.data);
		sl_buf_release(&dir);
		return;
	}
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		const struct sample *s = &samples[i];
		struct sl_input in;
		struct sl_reader r;
		uint64_t want[64];
		size_t nwant, len;
		char *plain;
		int n = 0, rc, cl_ok = 1, off_ok = 1, id_ok = 0;

		sl_buf_reset(&path);
		sl_buf_addf(&path, "%s/%s", dir.data, s->file);
		plain = gunzip_file(path.data, &len);
		if (plain == NULL) {
			ok(0, "%s: cannot read", s->file);
			continue;
		}
		nwant = version_lines(plain, len, want, 64);
		free(plain);
		if (sl_input_open(&in, path.data, 0) < 0) {
			ok(0, "%s: %s", s->file, in.err);
			continue;
		}
		sl_reader_init(&r, &in);
		sl_buf_reset(&types);
		while ((rc = sl_reader_next(&r, &rec)) > 0) {
			const char *t;

			t = sl_headers_get(&rec.hdr, SL_F_WARC_TYPE);
			if (n > 0)
				sl_buf_addc(&types, ' ');
			sl_buf_adds(&types, t ? t : "(none)");
			if (decimal(sl_headers_get(&rec.hdr,
			    SL_F_CONTENT_LENGTH)) != rec.block_len) {
				tap_diag("record %d: Content-Length %s, "
				    "block %zu", n + 1, sl_headers_get(&rec.hdr,
				    SL_F_CONTENT_LENGTH), rec.block_len);
				cl_ok = 0;
			}
			if ((size_t)n >= nwant || rec.offset != want[n] ||
			    rec.number != (uint64_t)n + 1) {
				tap_diag("record %d at %llu", n + 1,
				    (unsigned long long)rec.offset);
				off_ok = 0;
			}
			if (n == 0)
				id_ok = strcmp(sl_headers_get(&rec.hdr,
				    SL_F_WARC_RECORD_ID), s->first_id) == 0;
			n++;
		}
		if (rc < 0)
			tap_diag("%s", r.err);
		ok(rc == 0 && n == s->count && r.records == (uint64_t)n,
		    "%s: %d records, clean end (got %d, rc %d)", s->file,
		    s->count, n, rc);
		is_str(types.data ? types.data : "", s->types,
		    "%s: record types in order", s->file);
		ok(cl_ok, "%s: Content-Length equals block_len in every record",
		    s->file);
		ok(off_ok && nwant == (size_t)s->count,
		    "%s: record numbers and offsets match the version lines",
		    s->file);
		ok(id_ok, "%s: WARC-Record-ID of the first record", s->file);
		if (strstr(s->file, ".gz") != NULL)
			ok(in.gzip == 1, "%s: gzip detected", s->file);
		sl_input_close(&in);
	}

	for (size_t i = 0; i < sizeof(damaged_samples) /
	    sizeof(damaged_samples[0]); i++) {
		const struct damaged *d = &damaged_samples[i];
		struct sl_input in;
		struct outcome o;
		struct sl_reader r;
		uint64_t want[64];
		size_t nwant, len;
		char *plain, prefix[600];
		int n = 0, rc;

		sl_buf_reset(&path);
		sl_buf_addf(&path, "%s/%s", dir.data, d->file);
		plain = gunzip_file(path.data, &len);
		if (plain == NULL) {
			ok(0, "%s: cannot read", d->file);
			continue;
		}
		nwant = version_lines(plain, len, want, 64);
		free(plain);
		ok(nwant >= (size_t)d->resumed,
		    "%s: %zu version lines found by scanning", d->file, nwant);
		if (nwant < (size_t)d->resumed)
			continue;

		/* strict */
		if (sl_input_open(&in, path.data, 0) < 0) {
			ok(0, "%s: %s", d->file, in.err);
			continue;
		}
		sl_reader_init(&r, &in);
		while ((rc = sl_reader_next(&r, &rec)) > 0)
			n++;
		is_int(n, d->before, "%s: %d whole records before the damage",
		    d->file, d->before);
		ok(rc == -1 && r.status == SL_EX_DATAERR,
		    "%s: fails with -1, status 65 (rc %d, status %d)", d->file,
		    rc, r.status);
		snprintf(prefix, sizeof(prefix), "%s: record %d at byte %llu: ",
		    path.data, d->bad, (unsigned long long)want[d->bad - 1]);
		ok(strncmp(r.err, prefix, strlen(prefix)) == 0,
		    "%s: the error names the input, record %d and its offset "
		    "%llu", d->file, d->bad,
		    (unsigned long long)want[d->bad - 1]);
		ok(strstr(r.err, d->msg) != NULL, "%s: error says \"%s\"",
		    d->file, d->msg);
		tap_diag("%s", r.err);
		sl_input_close(&in);

		/* lenient */
		if (sl_input_open(&in, path.data, 0) < 0) {
			ok(0, "%s: %s", d->file, in.err);
			continue;
		}
		sl_reader_init(&r, &in);
		r.lenient = 1;
		sl_diag_set_quiet(1);
		n = 0;
		while ((rc = sl_reader_next(&r, &rec)) > 0) {
			if (n == d->before)
				ok(rec.offset == want[d->resumed - 1],
				    "%s: lenient resumes at the version line "
				    "at %llu (got %llu)", d->file,
				    (unsigned long long)want[d->resumed - 1],
				    (unsigned long long)rec.offset);
			n++;
		}
		sl_diag_set_quiet(0);
		ok(rc == 0 && n == d->lenient_count,
		    "%s: lenient reads %d records past the damage (got %d, "
		    "rc %d)", d->file, d->lenient_count, n, rc);
		ok(r.damaged > 0 && r.skipped_bytes > 0,
		    "%s: lenient counts damaged %llu, skipped %llu bytes",
		    d->file, (unsigned long long)r.damaged,
		    (unsigned long long)r.skipped_bytes);
		sl_input_close(&in);

		/* the same through read_all, from a pipe */
		{
			char *raw = slurp(path.data, &len);
			pid_t pid;
			int fd = pipe_feed(raw, len, 509, &pid);

			sl_input_fdopen(&in, fd, "pipe", 0);
			read_all(&in, 0, 0, &o);
			sl_input_close(&in);
			close(fd);
			reap(pid);
			free(raw);
			ok(o.n == d->before && o.rc == -1 &&
			    o.status == SL_EX_DATAERR,
			    "%s: the same from a pipe", d->file);
		}
	}
	sl_record_release(&rec);
	sl_buf_release(&dir);
	sl_buf_release(&path);
	sl_buf_release(&types);
}

/* ---- hand-made records ---- */

#define V11	"WARC/1.1\r\n"
#define TYPE	"WARC-Type: resource\r\n"
#define RID	"WARC-Record-ID: " \
	"<urn:uuid:0fbefbf0-73c4-58c1-b9df-1e7c6a10b260>\r\n"
#define DATE	"WARC-Date: 2026-11-24T10:00:00.000000Z\r\n"
#define CL5	"Content-Length: 5\r\n"
#define HEAD	V11 TYPE RID DATE
#define BODY	"\r\nhello\r\n\r\n"
#define MIN	HEAD CL5 BODY
#define MINLEN	((long)sizeof(MIN) - 1)
#define HEAD10	"WARC/1.0\r\n" TYPE RID DATE

struct row {
	const char *in;
	size_t len;
	int n;                  /* records before the end or the error */
	int status;             /* 0: a clean end */
	int rec;                /* error: the record number named */
	long off;               /* error: the byte offset named */
	const char *msg;        /* error: a fragment of the message */
	uint64_t max_block;     /* 0: the default */
};

/* Read whole: n records, then a clean end. */
#define Y(in, n)	{ in, sizeof(in) - 1, n, 0, 0, 0, NULL, 0 }
/* n good records, then record rec at byte off is refused. */
#define N(in, n, rec, off, msg) \
	{ in, sizeof(in) - 1, n, SL_EX_DATAERR, rec, off, msg, 0 }
/* Refused as the first record. */
#define N1(in, msg)	N(in, 0, 1, 0, msg)
/* Refused as the record after MIN. */
#define N2(in, msg)	N(MIN in, 1, 2, MINLEN, msg)

static const struct row rows[] = {
	/* valid */
	Y(MIN, 1),
	Y(MIN MIN MIN, 3),
	Y("", 0),
	Y(HEAD10 CL5 BODY, 1),
	Y(HEAD10 CL5 BODY MIN, 2),
	Y("WARC/1.1\nWARC-Type: resource\nWARC-Record-ID: <urn:x>\n"
	    "WARC-Date: 2026-11-24T10:00:00Z\nContent-Length: 5\n\nhello\n\n"
	    "WARC/1.0\nWARC-Type: resource\nWARC-Record-ID: <urn:y>\n"
	    "WARC-Date: 2026-11-24T10:00:00Z\nContent-Length: 0\n\n\n\n", 2),
	Y(HEAD "X-Folded: one\r\n two\r\n\t three\r\n" CL5 BODY, 1),
	Y(HEAD "X-Tab: a\tb\r\n" CL5 BODY, 1),
	Y(V11 "warc-type: resource\r\nWARC-RECORD-ID: <urn:x>\r\n"
	    "wArC-dAtE: 2026-11-24T10:00:00Z\r\ncontent-LENGTH: 5\r\n" BODY, 1),
	Y(HEAD CL5 "\r\nhello\n\n", 1),
	Y(HEAD CL5 "\r\nhello\n\n" MIN, 2),
	Y(HEAD "Content-Length: 0\r\n\r\n\r\n\r\n", 1),
	Y(HEAD "Content-Length: 0\r\n\r\n\r\n\r\n" MIN, 2),
	Y(HEAD "Content-Length:   5  \r\n" BODY, 1),
	Y(HEAD "Content-Length:5\r\n" BODY, 1),
	Y(HEAD "Content-Length: 005\r\n" BODY, 1),
	Y(HEAD "X-Empty:\r\nX-Spaces:   \r\n" CL5 BODY, 1),
	Y(HEAD "X-Utf8: \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80 \xe6\x97\xa5\r\n"
	    CL5 BODY, 1),
	Y(HEAD "Content-Length: 18\r\n\r\n\r\n\r\nWARC/1.1\r\n\r\n\r\n\r\n\r\n",
	    1),
	Y(HEAD "Content-Type: text/plain\r\n" CL5 BODY, 1),
	Y(HEAD "X-Token!#$%&'*+-.^_`|~09AZaz: v\r\n" CL5 BODY, 1),

	/* the mandatory fields, missing */
	N1(V11 RID DATE CL5 BODY, "missing mandatory field WARC-Type"),
	N1(V11 TYPE DATE CL5 BODY, "missing mandatory field WARC-Record-ID"),
	N1(V11 TYPE RID CL5 BODY, "missing mandatory field WARC-Date"),
	N1(HEAD BODY, "missing mandatory field Content-Length"),
	N2(V11 RID DATE CL5 BODY, "missing mandatory field WARC-Type"),
	N(MIN MIN V11 TYPE RID CL5 BODY, 2, 3, 2 * MINLEN,
	    "missing mandatory field WARC-Date"),
	/* ... and repeated */
	N1(HEAD CL5 CL5 BODY, "Content-Length appears 2 times"),
	N1(HEAD "content-length: 5\r\n" CL5 BODY,
	    "Content-Length appears 2 times"),
	N1(HEAD TYPE CL5 BODY, "WARC-Type appears 2 times"),
	N1(HEAD RID CL5 BODY, "WARC-Record-ID appears 2 times"),
	N1(HEAD DATE CL5 BODY, "WARC-Date appears 2 times"),
	N2(HEAD CL5 CL5 CL5 BODY, "Content-Length appears 3 times"),

	/* Content-Length that is not a decimal number */
	N1(HEAD "Content-Length: 12a\r\n" BODY, "is not a decimal number"),
	N1(HEAD "Content-Length: -1\r\n" BODY, "is not a decimal number"),
	N1(HEAD "Content-Length: \r\n" BODY, "is not a decimal number"),
	N1(HEAD "Content-Length:\r\n" BODY, "is not a decimal number"),
	N1(HEAD "Content-Length: +5\r\n" BODY, "is not a decimal number"),
	N1(HEAD "Content-Length: 5.0\r\n" BODY, "is not a decimal number"),
	N1(HEAD "Content-Length: 0x5\r\n" BODY, "is not a decimal number"),
	N1(HEAD "Content-Length: 5 5\r\n" BODY, "is not a decimal number"),
	N1(HEAD "Content-Length: \xef\xbc\x95\r\n" BODY,
	    "is not a decimal number"),
	N1(HEAD "Content-Length: 99999999999999999999\r\n" BODY,
	    "Content-Length"),
	N1(HEAD "Content-Length: 18446744073709551616\r\n" BODY,
	    "Content-Length"),
	N1(HEAD "Content-Length: 1073741825\r\n" BODY,
	    "over the limit of 1073741824 bytes"),
	N2(HEAD "Content-Length: x\r\n" BODY, "is not a decimal number"),

	/* the block and what follows it */
	N1(HEAD CL5 "\r\nhelloXX", "not followed by CRLF CRLF"),
	N1(HEAD CL5 "\r\nhelloXX\r\n\r\n", "not followed by CRLF CRLF"),
	N1(HEAD CL5 "\r\nhello\r\nXX\r\n", "not followed by CRLF CRLF"),
	N2("\r\n" MIN, "version line"),
	N1(HEAD "Content-Length: 4\r\n" BODY, "not followed by CRLF CRLF"),
	N1(HEAD CL5 "\r\nhello \r\n\r\n", "not followed by CRLF CRLF"),
	/* a stray LF before CRLF CRLF (as in example-wrong-chunks) */
	N1(HEAD CL5 "\r\nhello\n\r\n\r\n" MIN, "not followed by CRLF CRLF"),
	N2(HEAD CL5 "\r\nhelloXX", "not followed by CRLF CRLF"),
	N2("garbage\r\n", "version line"),

	/* cut short */
	N1("WARC/1", "truncated record"),
	N1("WARC/1.1", "truncated record"),
	N1(V11, "truncated record: the input ends inside the header"),
	N1(V11 TYPE "WARC-Rec", "truncated record: the input ends inside "
	    "the header"),
	N1(HEAD CL5, "truncated record: the input ends inside the header"),
	N1(HEAD CL5 "\r", "truncated record: the input ends inside the header"),
	N1(HEAD CL5 "\r\n", "truncated record: Content-Length is 5 but the "
	    "input ends after 0 bytes"),
	N1(HEAD CL5 "\r\nhel", "truncated record: Content-Length is 5 but the "
	    "input ends after 3 bytes"),
	N1(HEAD CL5 "\r\nhello", "truncated record: the input ends after the "
	    "block"),
	N1(HEAD CL5 "\r\nhello\r\n", "truncated record: the input ends after "
	    "the block"),
	N1(HEAD CL5 "\r\nhello\r\n\r", "truncated record: the input ends after "
	    "the block"),
	N2(HEAD CL5 "\r\nhel", "truncated record"),
	N2("WARC/1.1", "truncated record"),

	/* version lines */
	N1("WARC/2.0\r\n" TYPE RID DATE CL5 BODY, "version line"),
	N1("HTTP/1.1 200 OK\r\n" TYPE RID DATE CL5 BODY, "version line"),
	N1("WARC/1.1 \r\n" TYPE RID DATE CL5 BODY, "version line"),
	N1(" WARC/1.1\r\n" TYPE RID DATE CL5 BODY, "version line"),
	N1("warc/1.1\r\n" TYPE RID DATE CL5 BODY, "version line"),
	N1("WARC/1.10\r\n" TYPE RID DATE CL5 BODY, "version line"),
	N1("\r\n" MIN, "version line"),
	N2("WARC/2.0\r\n" TYPE RID DATE CL5 BODY, "version line"),

	/* values */
	N1(HEAD "X-Bad: a\x01" "b\r\n" CL5 BODY, "control character 0x01"),
	N1(HEAD "X-Bad: a\x7f" "b\r\n" CL5 BODY, "control character 0x7f"),
	N1(HEAD "X-Bad: a\x00" "b\r\n" CL5 BODY, "control character 0x00"),
	N1(HEAD "X-Bad: a\rb\r\n" CL5 BODY, "control character 0x0d"),
	N1(HEAD "X-Bad: a\x1b[0m\r\n" CL5 BODY, "control character 0x1b"),
	N1(HEAD "X-Bad: abcdefghijklmnopq\x01\r\n" CL5 BODY,
	    "control character 0x01"),
	N1(V11 "WARC-Type: res\x01ource\r\n" RID DATE CL5 BODY,
	    "control character 0x01"),
	N1(HEAD "X-Bad: \xc3\x28\r\n" CL5 BODY, "invalid UTF-8"),
	N1(HEAD "X-Bad: \xc0\xaf\r\n" CL5 BODY, "invalid UTF-8"),
	N1(HEAD "X-Bad: \xed\xa0\x80\r\n" CL5 BODY, "invalid UTF-8"),
	N1(HEAD "X-Bad: \xf4\x90\x80\x80\r\n" CL5 BODY, "invalid UTF-8"),
	N1(HEAD "X-Bad: \xff\r\n" CL5 BODY, "invalid UTF-8"),
	N1(HEAD "X-Bad: abc\xe2\x82\r\n" CL5 BODY, "invalid UTF-8"),
	N1(HEAD "X-Bad: ok\r\n \x80\r\n" CL5 BODY, "invalid UTF-8"),
	N2(HEAD "X-Bad: \x01\r\n" CL5 BODY, "control character 0x01"),

	/* names and lines */
	N1(HEAD "X Bad: v\r\n" CL5 BODY, "bad character in field name"),
	N1(HEAD "X-\xc3\xa9: v\r\n" CL5 BODY, "bad character in field name"),
	N1(HEAD "X-Bad(1): v\r\n" CL5 BODY, "bad character in field name"),
	N1(HEAD ": v\r\n" CL5 BODY, "malformed header line"),
	N1(HEAD "NoColon\r\n" CL5 BODY, "malformed header line"),
	N1(V11 " folded\r\n" TYPE RID DATE CL5 BODY,
	    "continuation line before any field"),
};

/*
 * Reads row r from a temporary file and from a pipe written in chunks of
 * chunk bytes: both must give the expected outcome.
 */
static int
check_outcome(const char *in, size_t len, int n, int status, int rec,
    long off, const char *msg, uint64_t max_block, size_t chunk)
{
	static const char *how[] = { "file", "pipe" };
	int good = 1;

	for (int via = 0; via < 2; via++) {
		struct sl_input input;
		struct outcome o;
		char prefix[128];
		pid_t pid = 0;
		int fd, g;

		fd = via == 0 ? tmp_fd(in, len) :
		    pipe_feed(in, len, chunk, &pid);
		sl_input_fdopen(&input, fd, "t.warc", 0);
		read_all(&input, max_block, 0, &o);
		sl_input_close(&input);
		close(fd);
		if (via == 1)
			reap(pid);
		g = o.n == n && o.records == (uint64_t)n &&
		    o.rc == (status ? -1 : 0) && o.status == status;
		if (g && status != 0) {
			snprintf(prefix, sizeof(prefix),
			    "t.warc: record %d at byte %ld: ", rec, off);
			g = strncmp(o.err, prefix, strlen(prefix)) == 0 &&
			    (msg == NULL || strstr(o.err, msg) != NULL) &&
			    /* the input's name is not said twice */
			    strstr(o.err + 1, "t.warc") == NULL;
		}
		if (!g)
			tap_diag("%s: %d records, rc %d, status %d: %s",
			    how[via], o.n, o.rc, o.status, o.err);
		good = good && g;
	}
	return good;
}

static void
test_rows(void)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];

		ok(check_outcome(r->in, r->len, r->n, r->status, r->rec, r->off,
		    r->msg, r->max_block, 1),
		    "%s: %d records, %s '%s'", r->status ? "refuses" : "reads",
		    r->n, r->status ? r->msg : "clean end",
		    abbrev(r->in, r->len));
	}
}

/* Limits, and inputs too large to write by hand. */
static void
test_limits(void)
{
	struct sl_buf b = SL_BUF_INIT;
	size_t i;

	/* Content-Length against r.max_block */
	ok(check_outcome(MIN, sizeof(MIN) - 1, 0, SL_EX_DATAERR, 1, 0,
	    "Content-Length 5 is over the limit of 4 bytes", 4, 1),
	    "max_block 4 refuses a 5-byte block");
	ok(check_outcome(MIN, sizeof(MIN) - 1, 1, 0, 0, 0, NULL, 5, 1),
	    "max_block 5 reads a 5-byte block");
	ok(check_outcome(MIN HEAD "Content-Length: 6\r\n\r\nhello!\r\n\r\n",
	    sizeof(MIN HEAD "Content-Length: 6\r\n\r\nhello!\r\n\r\n") - 1, 1,
	    SL_EX_DATAERR, 2, MINLEN, "over the limit of 5 bytes", 5, 1),
	    "max_block 5 refuses a 6-byte block in record 2");

	/* a header line over 64 KiB, and one under */
	sl_buf_adds(&b, HEAD "X-Long: ");
	for (i = 0; i < 64 * 1024; i++)
		sl_buf_addc(&b, "abcdefghij"[i % 10]);
	sl_buf_adds(&b, "\r\n" CL5 BODY);
	ok(check_outcome(b.data, b.len, 0, SL_EX_DATAERR, 1, 0,
	    "line longer than", 0, 4093),
	    "refuses a header line over 64 KiB");
	sl_buf_reset(&b);
	sl_buf_adds(&b, MIN HEAD "X-Long: ");
	for (i = 0; i < 60000; i++)
		sl_buf_addc(&b, "abcdefghij"[i % 10]);
	sl_buf_adds(&b, "\r\n" CL5 BODY);
	ok(check_outcome(b.data, b.len, 2, 0, 0, 0, NULL, 0, 4093),
	    "reads a header line of 60000 bytes");

	/* 1024 fields are read, 1025 are not */
	for (int extra = 1020; extra <= 1021; extra++) {
		sl_buf_reset(&b);
		sl_buf_adds(&b, HEAD CL5);
		for (int k = 0; k < extra; k++)
			sl_buf_addf(&b, "X-F%d: %d\r\n", k, k);
		sl_buf_adds(&b, BODY);
		if (extra == 1020)
			ok(check_outcome(b.data, b.len, 1, 0, 0, 0, NULL, 0,
			    4093), "reads a record of 1024 fields");
		else
			ok(check_outcome(b.data, b.len, 0, SL_EX_DATAERR, 1, 0,
			    "more than 1024 header fields", 0, 4093),
			    "refuses a record of 1025 fields");
	}

	/* a header over 1 MiB, in lines under 64 KiB */
	sl_buf_reset(&b);
	sl_buf_adds(&b, MIN HEAD CL5);
	for (int k = 0; k < 20; k++) {
		sl_buf_addf(&b, "X-Big%d: ", k);
		for (i = 0; i < 60000; i++)
			sl_buf_addc(&b, 'x');
		sl_buf_adds(&b, "\r\n");
	}
	sl_buf_adds(&b, BODY);
	ok(check_outcome(b.data, b.len, 1, SL_EX_DATAERR, 2, MINLEN,
	    "header longer than", 0, 4093),
	    "refuses a header over 1 MiB");
	sl_buf_release(&b);
}

/* The first records of data, read from a temporary file. */
struct one {
	int fd;
	struct sl_input in;
	struct sl_reader r;
	struct sl_record rec;
};

static int
one_open(struct one *o, const char *data, size_t len)
{
	o->fd = tmp_fd(data, len);
	sl_input_fdopen(&o->in, o->fd, "one.warc", 0);
	sl_reader_init(&o->r, &o->in);
	sl_record_init(&o->rec);
	return sl_reader_next(&o->r, &o->rec);
}

static void
one_close(struct one *o)
{
	sl_record_release(&o->rec);
	sl_input_close(&o->in);
	close(o->fd);
}

#define ONE(o, lit)	one_open(o, lit, sizeof(lit) - 1)

static int
block_is(const struct sl_record *rec, const char *s, size_t len)
{
	return rec->block_len == len && (len == 0 ||
	    memcmp(rec->block, s, len) == 0);
}

static void
test_fields(void)
{
	const struct sl_hfield *f;
	struct one o;

	is_int(ONE(&o, MIN MIN), 1, "MIN: read");
	is_str(sl_headers_get(&o.rec.hdr, SL_F_WARC_TYPE), "resource",
	    "MIN: WARC-Type");
	is_str(sl_headers_get(&o.rec.hdr, SL_F_WARC_RECORD_ID),
	    "<urn:uuid:0fbefbf0-73c4-58c1-b9df-1e7c6a10b260>",
	    "MIN: WARC-Record-ID");
	is_str(sl_headers_get(&o.rec.hdr, SL_F_WARC_DATE),
	    "2026-11-24T10:00:00.000000Z", "MIN: WARC-Date");
	is_str(sl_headers_get(&o.rec.hdr, SL_F_CONTENT_LENGTH), "5",
	    "MIN: Content-Length");
	is_int(o.rec.hdr.n, 4, "MIN: four fields");
	ok(block_is(&o.rec, "hello", 5), "MIN: block");
	is_int(o.rec.version, 11, "MIN: version 11");
	is_int(o.rec.type, SL_R_RESOURCE, "MIN: type resource");
	ok(sl_record_is_data(&o.rec), "MIN: a data record");
	ok(o.rec.number == 1 && o.rec.offset == 0 && o.rec.source != NULL &&
	    strcmp(o.rec.source, "one.warc") == 0, "MIN: number 1, offset 0");
	is_int(sl_reader_next(&o.r, &o.rec), 1, "MIN MIN: second record");
	ok(o.rec.number == 2 && o.rec.offset == (uint64_t)MINLEN,
	    "MIN MIN: number 2 at offset %ld (got %llu)", MINLEN,
	    (unsigned long long)o.rec.offset);
	ok(block_is(&o.rec, "hello", 5), "MIN MIN: second block");
	is_int(sl_reader_next(&o.r, &o.rec), 0, "MIN MIN: clean end");
	is_int(sl_reader_next(&o.r, &o.rec), 0, "MIN MIN: still the end");
	is_int(o.r.records, 2, "MIN MIN: r.records");
	one_close(&o);

	is_int(ONE(&o, HEAD10 CL5 BODY), 1, "WARC/1.0: read");
	is_int(o.rec.version, 10, "WARC/1.0: version 10");
	one_close(&o);

	is_int(ONE(&o, "WARC/1.1\nWARC-Type: response\n"
	    "WARC-Record-ID: <urn:x>\nWARC-Date: 2026-11-24T10:00:00Z\n"
	    "Content-Length: 5\n\nhe\r\no\n\n"), 1, "LF only: read");
	ok(block_is(&o.rec, "he\r\no", 5), "LF only: block");
	is_str(sl_headers_get(&o.rec.hdr, SL_F_WARC_RECORD_ID), "<urn:x>",
	    "LF only: no CR in the value");
	is_int(o.rec.type, SL_R_RESPONSE, "LF only: type response");
	ok(!sl_record_is_data(&o.rec), "LF only: not a data record");
	one_close(&o);

	is_int(ONE(&o, HEAD "X-Folded: one\r\n two\r\n\t three\r\n"
	    "X-After: z\r\n" CL5 BODY), 1, "folded: read");
	f = sl_headers_find_name(&o.rec.hdr, "X-Folded", 8);
	ok(f != NULL && strcmp(f->value, "one two three") == 0 &&
	    f->value_len == 13, "folded: joined with one space ('%s')",
	    f ? f->value : "(none)");
	f = sl_headers_find_name(&o.rec.hdr, "X-After", 7);
	is_str(f ? f->value : NULL, "z", "folded: the next field");
	is_int(o.rec.hdr.n, 6, "folded: one field for three lines");
	one_close(&o);

	is_int(ONE(&o, HEAD "X-Tab: a\tb\t\tc\r\n" "X-Tab2:\tlead\r\n"
	    CL5 BODY), 1, "tab: read");
	f = sl_headers_find_name(&o.rec.hdr, "X-Tab", 5);
	is_str(f ? f->value : NULL, "a b  c", "tab: read as a space");
	f = sl_headers_find_name(&o.rec.hdr, "X-Tab2", 6);
	is_str(f ? f->value : NULL, "lead", "tab: leading tab is whitespace");
	one_close(&o);

	is_int(ONE(&o, V11 "warc-type: Resource\r\nWARC-RECORD-ID: <urn:x>\r\n"
	    "wArC-dAtE: 2026-11-24T10:00:00Z\r\ncontent-LENGTH: 5\r\n"
	    "x-CuStOm: v\r\nsLuIcE-kEy: 12\r\n" BODY), 1, "odd case: read");
	is_str(sl_headers_get(&o.rec.hdr, SL_F_WARC_RECORD_ID), "<urn:x>",
	    "odd case: WARC-Record-ID by id");
	is_str(sl_headers_get(&o.rec.hdr, SL_F_SLUICE_KEY), "12",
	    "odd case: Sluice-Key by id");
	f = sl_headers_find(&o.rec.hdr, SL_F_WARC_RECORD_ID);
	is_str(f ? f->name : NULL, "WARC-Record-ID",
	    "odd case: canonical WARC-Record-ID");
	f = sl_headers_find(&o.rec.hdr, SL_F_WARC_DATE);
	is_str(f ? f->name : NULL, "WARC-Date",
	    "odd case: canonical WARC-Date");
	f = sl_headers_find(&o.rec.hdr, SL_F_CONTENT_LENGTH);
	is_str(f ? f->name : NULL, "Content-Length",
	    "odd case: canonical Content-Length");
	f = sl_headers_find(&o.rec.hdr, SL_F_SLUICE_KEY);
	is_str(f ? f->name : NULL, "Sluice-Key",
	    "odd case: canonical Sluice-Key");
	f = sl_headers_find_name(&o.rec.hdr, "X-CUSTOM", 8);
	ok(f != NULL && f->id == SL_F_OTHER && strcmp(f->name, "x-CuStOm") == 0,
	    "odd case: an unknown name is kept as written");
	is_int(o.rec.type, SL_R_RESOURCE, "odd case: type from 'Resource'");
	one_close(&o);

	is_int(ONE(&o, HEAD "Content-Length:   5  \r\n" "X-Trail: v   \r\n"
	    BODY), 1, "whitespace around values: read");
	is_str(sl_headers_get(&o.rec.hdr, SL_F_CONTENT_LENGTH), "5",
	    "whitespace around values: Content-Length trimmed");
	f = sl_headers_find_name(&o.rec.hdr, "X-Trail", 7);
	is_str(f ? f->value : NULL, "v", "whitespace around values: trimmed");
	one_close(&o);

	is_int(ONE(&o, HEAD "X-Utf8: \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\r\n"
	    CL5 BODY), 1, "UTF-8 value: read");
	f = sl_headers_find_name(&o.rec.hdr, "X-Utf8", 6);
	ok(f != NULL && f->value_len == 9 &&
	    memcmp(f->value, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9) == 0,
	    "UTF-8 value: bytes kept");
	one_close(&o);

	is_int(ONE(&o, HEAD "Content-Length: 0\r\n\r\n\r\n\r\n" MIN), 1,
	    "empty block: read");
	is_int(o.rec.block_len, 0, "empty block: block_len 0");
	is_int(sl_reader_next(&o.r, &o.rec), 1, "empty block: next record");
	ok(block_is(&o.rec, "hello", 5) && o.rec.offset ==
	    sizeof(HEAD "Content-Length: 0\r\n\r\n\r\n\r\n") - 1,
	    "empty block: next record's block and offset");
	one_close(&o);

	is_int(ONE(&o, HEAD "Content-Length: 18\r\n\r\n"
	    "\r\n\r\nWARC/1.1\r\n\r\n\r\n\r\n\r\n" MIN), 1,
	    "framing inside a block: read");
	ok(block_is(&o.rec, "\r\n\r\nWARC/1.1\r\n\r\n\r\n", 18),
	    "framing inside a block: the block is Content-Length bytes");
	is_int(sl_reader_next(&o.r, &o.rec), 1,
	    "framing inside a block: then the next record");
	is_int(sl_reader_next(&o.r, &o.rec), 0,
	    "framing inside a block: then the end");
	one_close(&o);

	/* rtype names */
	is_str(sl_rtype_name(SL_R_CONVERSION), "conversion", "rtype name");
	ok(sl_rtype_name(SL_R_OTHER) == NULL, "rtype name of OTHER is NULL");
	is_int(sl_rtype_lookup("METADATA"), SL_R_METADATA, "rtype lookup");
	is_int(sl_rtype_lookup("continuation"), SL_R_OTHER,
	    "rtype lookup of an unknown type");
}

/* Blocks around the zero-copy limit, with their contents. */
static void
test_blocks(void)
{
	static const size_t sizes[] = {
		1000, 100000, MIB - 4, MIB - 3, MIB + 1000, 3 * MIB + 7,
	};
	static const size_t chunks[] = { 0, 1000, 65536 };
	struct sl_buf b = SL_BUF_INIT;
	unsigned char *pat = sl_malloc(3 * MIB + 64);
	size_t ns = sizeof(sizes) / sizeof(sizes[0]);

	for (size_t i = 0; i < 3 * MIB + 64; i++)
		pat[i] = (unsigned char)(i * 7 + (i >> 8) + (i >> 16));
	for (size_t i = 0; i < ns; i++) {
		sl_buf_addf(&b, HEAD "Content-Length: %zu\r\n\r\n", sizes[i]);
		sl_buf_add(&b, pat + i, sizes[i]);
		sl_buf_adds(&b, "\r\n\r\n");
	}
	sl_buf_adds(&b, MIN);
	for (size_t c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
		struct sl_input in;
		struct sl_reader r;
		struct sl_record rec;
		pid_t pid = 0;
		const unsigned char *store;
		int fd, rc, good = 1, copied_ok = 1;

		fd = chunks[c] == 0 ? tmp_fd(b.data, b.len) :
		    pipe_feed(b.data, b.len, chunks[c], &pid);
		sl_input_fdopen(&in, fd, "blocks", 0);
		sl_reader_init(&r, &in);
		sl_record_init(&rec);
		for (size_t i = 0; i < ns; i++) {
			rc = sl_reader_next(&r, &rec);
			if (rc != 1 || !block_is(&rec, (const char *)pat + i,
			    sizes[i])) {
				tap_diag("block of %zu: rc %d, len %zu: %s",
				    sizes[i], rc, rec.block_len, r.err);
				good = 0;
				break;
			}
			/* over 1 MiB the reader copies into rec.store */
			store = (const unsigned char *)rec.store.data;
			if ((sizes[i] + 4 > MIB) != (rec.block == store))
				copied_ok = 0;
		}
		ok(good, "blocks of 1000 B to 3 MiB, contents intact (%s %zu)",
		    chunks[c] ? "pipe, chunks of" : "file", chunks[c]);
		ok(copied_ok, "blocks over 1 MiB are copied, smaller ones not "
		    "(%s %zu)", chunks[c] ? "pipe, chunks of" : "file",
		    chunks[c]);
		rc = sl_reader_next(&r, &rec);
		ok(rc == 1 && block_is(&rec, "hello", 5) &&
		    rec.offset == b.len - (sizeof(MIN) - 1),
		    "a small record after the large ones, at its offset");
		is_int(sl_reader_next(&r, &rec), 0, "then a clean end");
		sl_record_release(&rec);
		sl_input_close(&in);
		close(fd);
		if (pid)
			reap(pid);
	}

	/* a large block cut short */
	sl_buf_reset(&b);
	sl_buf_addf(&b, MIN HEAD "Content-Length: %d\r\n\r\n", 2 * MIB);
	sl_buf_add(&b, pat, MIB + 5);
	ok(check_outcome(b.data, b.len, 1, SL_EX_DATAERR, 2, MINLEN,
	    "truncated record: Content-Length is 2097152 but the input ends "
	    "after 1048581 bytes", 0, 65536),
	    "a large block cut short");
	sl_buf_reset(&b);
	sl_buf_addf(&b, HEAD "Content-Length: %d\r\n\r\n", 2 * MIB);
	sl_buf_add(&b, pat, 2 * MIB);
	sl_buf_adds(&b, "\r\nXX");
	ok(check_outcome(b.data, b.len, 0, SL_EX_DATAERR, 1, 0,
	    "not followed by CRLF CRLF", 0, 65536),
	    "a large block followed by CRLF XX");
	free(pat);
	sl_buf_release(&b);
}

/* Lenient mode on hand-made damage. */
static void
test_lenient(void)
{
	static const char skip_bad[] = MIN V11 TYPE DATE CL5 BODY MIN;
	static const char swallow[] = HEAD "Content-Length: 100\r\n" BODY
	    MIN MIN;
	static const char cut[] = MIN HEAD CL5 "\r\nhel";
	struct sl_input in;
	struct outcome o;
	pid_t pid;
	int fd, st;

	sl_diag_set_quiet(1);
	fd = tmp_fd(skip_bad, sizeof(skip_bad) - 1);
	sl_input_fdopen(&in, fd, "t.warc", 0);
	read_all(&in, 0, 1, &o);
	sl_input_close(&in);
	close(fd);
	ok(o.rc == 0 && o.n == 2 && o.damaged == 1 && o.skipped > 0,
	    "lenient: skips a record without WARC-Record-ID (%d records, "
	    "damaged %llu, skipped %llu)", o.n, (unsigned long long)o.damaged,
	    (unsigned long long)o.skipped);

	fd = tmp_fd(cut, sizeof(cut) - 1);
	sl_input_fdopen(&in, fd, "t.warc", 0);
	read_all(&in, 0, 1, &o);
	sl_input_close(&in);
	close(fd);
	ok(o.rc == 0 && o.n == 1 && o.damaged == 1,
	    "lenient: a record cut short at the end is counted, then the end");

	/*
	 * A Content-Length longer than the block (a record cut short, then
	 * another stream): the next version line is inside what was taken
	 * for the block, and that record must not be lost.
	 */
	fd = tmp_fd(swallow, sizeof(swallow) - 1);
	sl_input_fdopen(&in, fd, "t.warc", 0);
	read_all(&in, 0, 1, &o);
	sl_input_close(&in);
	close(fd);
	ok(o.rc == 0 && o.n == 2 && o.damaged == 1,
	    "lenient: resumes at the next version line after a too-long "
	    "Content-Length (%d records of 2, damaged %llu)", o.n,
	    (unsigned long long)o.damaged);

	/*
	 * A header cut short by the next record's version line: the damaged
	 * record is skipped, the next one is read (its version line was not
	 * swallowed as a header line).
	 */
	{
		static const char cut_header[] = MIN V11 TYPE RID MIN MIN;

		fd = tmp_fd(cut_header, sizeof(cut_header) - 1);
		sl_input_fdopen(&in, fd, "t.warc", 0);
		read_all(&in, 0, 1, &o);
		sl_input_close(&in);
		close(fd);
		ok(o.rc == 0 && o.n == 3 && o.damaged == 1,
		    "lenient: a truncated header loses nothing after it (%d "
		    "records of 3, damaged %llu)", o.n,
		    (unsigned long long)o.damaged);
		fd = tmp_fd(cut_header, sizeof(cut_header) - 1);
		sl_input_fdopen(&in, fd, "t.warc", 0);
		read_all(&in, 0, 0, &o);
		sl_input_close(&in);
		close(fd);
		ok(o.rc == -1 && o.n == 1 && strstr(o.err, "record 2 at byte ") &&
		    strstr(o.err, "truncated header: a new record begins"),
		    "strict: a truncated header is named as such: %s", o.err);
	}

	/*
	 * A false Content-Length over the zero-copy limit swallows every later
	 * record into what the reader copies out: lenient mode puts the block
	 * back and finds them.
	 */
	{
		struct sl_buf big = SL_BUF_INIT;

		sl_buf_adds(&big, HEAD "Content-Length: 2000000\r\n\r\nhi\r\n\r\n");
		for (int i = 0; i < 4; i++)
			sl_buf_adds(&big, MIN);
		while (big.len < 2100000)
			sl_buf_addc(&big, 'x');
		fd = tmp_fd(big.data, big.len);
		sl_input_fdopen(&in, fd, "t.warc", 0);
		read_all(&in, 0, 1, &o);
		sl_input_close(&in);
		close(fd);
		/* the 4 records, then the damaged one's tail of x is no record */
		ok(o.n == 4 && o.damaged >= 1,
		    "lenient: a false Content-Length over 1 MiB loses no record "
		    "(%d records of 4, damaged %llu, rc %d)", o.n,
		    (unsigned long long)o.damaged, o.rc);
		sl_buf_release(&big);
	}

	/* found by fuzzing: a garbage line over 64 KiB, then a good record */
	{
		struct sl_buf b = SL_BUF_INIT;

		for (int i = 0; i < 70000; i++)
			sl_buf_addc(&b, 'x');
		sl_buf_adds(&b, "\n" MIN);
		fd = tmp_fd(b.data, b.len);
		sl_input_fdopen(&in, fd, "t.warc", 0);
		read_all(&in, 0, 1, &o);
		sl_input_close(&in);
		close(fd);
		ok(o.rc == 0 && o.n == 1 && o.damaged == 1,
		    "lenient: a line over 64 KiB is skipped to its end, the "
		    "record after it kept (%d records of 1)", o.n);
		sl_buf_release(&b);
	}

	/* found by fuzzing: a Content-Length over 1 MiB past the end */
	{
		static const char past_end[] = HEAD "Content-Length: 1048573\r\n"
		    "\r\nshort\r\n\r\n" MIN;

		fd = tmp_fd(past_end, sizeof(past_end) - 1);
		sl_input_fdopen(&in, fd, "t.warc", 0);
		read_all(&in, 0, 1, &o);
		sl_input_close(&in);
		close(fd);
		ok(o.rc == 0 && o.n == 1 && o.damaged == 1,
		    "lenient: a Content-Length over 1 MiB that runs past the end "
		    "loses no record after it (%d records of 1)", o.n);
	}

	/* found by fuzzing: what the writer writes, the reader reads */
	{
		struct sl_record big;
		struct sl_buf out = SL_BUF_INIT, v = SL_BUF_INIT;
		char err[SL_MSG_MAX];

		for (int i = 0; i < 70000; i++)
			sl_buf_addc(&v, 'k');
		sl_record_init(&big);
		sl_headers_sets(&big.hdr, SL_F_WARC_TYPE, "resource");
		sl_headers_sets(&big.hdr, SL_F_WARC_RECORD_ID, "<urn:x>");
		sl_headers_sets(&big.hdr, SL_F_WARC_DATE, "2020-01-01T00:00:00Z");
		sl_headers_set(&big.hdr, SL_F_SLUICE_KEY, v.data, v.len);
		ok(sl_record_format(&big, &out, err, sizeof(err)) == -1 &&
		    strstr(err, "line limit") != NULL,
		    "format: a field line over 64 KiB is refused: %s", err);
		sl_record_clear(&big);
		sl_headers_sets(&big.hdr, SL_F_WARC_TYPE, "resource");
		sl_headers_sets(&big.hdr, SL_F_WARC_RECORD_ID, "<urn:x>");
		sl_headers_sets(&big.hdr, SL_F_WARC_DATE, "2020-01-01T00:00:00Z");
		for (int i = 0; i < 20; i++)
			sl_headers_add_name(&big.hdr, "X-Fill", 6, v.data, 60000);
		ok(sl_record_format(&big, &out, err, sizeof(err)) == -1 &&
		    strstr(err, "header of") != NULL,
		    "format: a header over 1 MiB is refused: %s", err);
		sl_record_release(&big);
		sl_buf_release(&out);
		sl_buf_release(&v);
	}

	/*
	 * Junk after the last gzip member: in lenient mode it is skipped and
	 * counted as damage, and the input ends (stream.h).
	 */
	{
		struct sl_buf z = SL_BUF_INIT;

		gz_member(MIN, sizeof(MIN) - 1, &z);
		sl_buf_adds(&z, "junk");
		fd = tmp_fd(z.data, z.len);
		sl_input_fdopen(&in, fd, "t.warc.gz", 0);
		read_all(&in, 0, 1, &o);
		sl_input_close(&in);
		close(fd);
		if (!ok(o.n == 1 && o.rc == 0 && o.damaged == 1,
		    "lenient: junk after the last gzip member is skipped and "
		    "counted, not an error"))
			tap_diag("%d records, rc %d, status %d, damaged "
			    "%llu: %s", o.n, o.rc, o.status,
			    (unsigned long long)o.damaged, o.err);
		sl_buf_release(&z);
	}

	/*
	 * The input ends in a version line without its line end: lenient
	 * mode must end (in a child, so that a loop cannot hang the test).
	 */
	fflush(stdout);
	if ((pid = fork()) == 0) {
		static const char tail[] = MIN "WARC/1.1";

		alarm(1);
		fd = tmp_fd(tail, sizeof(tail) - 1);
		sl_input_fdopen(&in, fd, "t.warc", 0);
		read_all(&in, 0, 1, &o);
		_exit(o.rc == 0 && o.n == 1 && o.damaged == 1 ? 0 : 1);
	}
	st = reap(pid);
	ok(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "lenient: an input ending in \"WARC/1.1\" without a line end "
	    "ends (%s)", WIFSIGNALED(st) ? "killed: it loops" : "exited");
	sl_diag_set_quiet(0);
}

/* ---- the writer ---- */

#define WID	"<urn:uuid:0fbefbf0-73c4-58c1-b9df-1e7c6a10b260>"
#define WDATE	"2026-11-24T10:00:00.000000Z"

/* A record with the three fields every record has. */
static void
base_record(struct sl_record *rec)
{
	sl_record_clear(rec);
	sl_headers_adds(&rec->hdr, SL_F_WARC_TYPE, "resource");
	sl_headers_adds(&rec->hdr, SL_F_WARC_RECORD_ID, WID);
	sl_headers_adds(&rec->hdr, SL_F_WARC_DATE, WDATE);
}

/* Formats rec after "PREFIX" and compares with want. */
static void
format_is(const struct sl_record *rec, const char *want, size_t wlen,
    const char *name)
{
	struct sl_buf out = SL_BUF_INIT;
	char err[256] = "";
	int rc;

	sl_buf_adds(&out, "PREFIX");
	rc = sl_record_format(rec, &out, err, sizeof(err));
	if (!ok(rc == 0 && out.len == 6 + wlen &&
	    memcmp(out.data, "PREFIX", 6) == 0 &&
	    memcmp(out.data + 6, want, wlen) == 0 && out.data[out.len] == '\0',
	    "format: %s", name)) {
		size_t d = 0, glen = out.len - 6;

		while (d < glen && d < wlen && out.data[6 + d] == want[d])
			d++;
		d = d > 20 ? d - 20 : 0;
		tap_diag("rc %d: %s; from byte %zu:", rc, err, d);
		tap_diag("     got: '%s'", show(out.data + 6 + d,
		    glen > d ? glen - d : 0));
		tap_diag("expected: '%s'", show(want + d, wlen - d));
	}
	sl_buf_release(&out);
}

#define FORMAT_IS(rec, lit, name) \
	format_is(rec, lit, sizeof(lit) - 1, name)

static void
test_format(void)
{
	static const char digest[] = "sha256:"
	    "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
	struct sl_record rec;

	sl_record_init(&rec);

	base_record(&rec);
	sl_headers_adds(&rec.hdr, SL_F_WARC_TARGET_URI,
	    "file:///srv/data/customers.csv#row=13");
	sl_headers_adds(&rec.hdr, SL_F_CONTENT_TYPE, "application/json");
	sl_headers_adds(&rec.hdr, SL_F_SLUICE_KEY, "12");
	sl_record_set_block(&rec, "{\"id\":12}", 9);
	FORMAT_IS(&rec, "WARC/1.1\r\n"
	    "WARC-Type: resource\r\n"
	    "WARC-Record-ID: " WID "\r\n"
	    "WARC-Date: " WDATE "\r\n"
	    "WARC-Target-URI: file:///srv/data/customers.csv#row=13\r\n"
	    "Content-Type: application/json\r\n"
	    "Content-Length: 9\r\n"
	    "Sluice-Key: 12\r\n"
	    "\r\n"
	    "{\"id\":12}\r\n\r\n",
	    "Content-Length inserted after Content-Type");

	base_record(&rec);
	sl_headers_adds(&rec.hdr, SL_F_SLUICE_KEY, "12");
	sl_record_set_block(&rec, "hello", 5);
	FORMAT_IS(&rec, "WARC/1.1\r\n"
	    "WARC-Type: resource\r\n"
	    "WARC-Record-ID: " WID "\r\n"
	    "WARC-Date: " WDATE "\r\n"
	    "Sluice-Key: 12\r\n"
	    "Content-Length: 5\r\n"
	    "\r\n"
	    "hello\r\n\r\n",
	    "Content-Length at the end without Content-Type");

	sl_record_clear(&rec);
	sl_headers_adds(&rec.hdr, SL_F_WARC_TYPE, "resource");
	sl_headers_adds(&rec.hdr, SL_F_CONTENT_LENGTH, "999");
	sl_headers_adds(&rec.hdr, SL_F_WARC_RECORD_ID, WID);
	sl_headers_adds(&rec.hdr, SL_F_WARC_DATE, WDATE);
	sl_headers_adds(&rec.hdr, SL_F_CONTENT_TYPE, "text/plain");
	sl_record_set_block(&rec, "hello", 5);
	FORMAT_IS(&rec, "WARC/1.1\r\n"
	    "WARC-Type: resource\r\n"
	    "Content-Length: 5\r\n"
	    "WARC-Record-ID: " WID "\r\n"
	    "WARC-Date: " WDATE "\r\n"
	    "Content-Type: text/plain\r\n"
	    "\r\n"
	    "hello\r\n\r\n",
	    "a wrong Content-Length is corrected in its place");

	base_record(&rec);
	sl_headers_adds(&rec.hdr, SL_F_CONTENT_LENGTH, "");
	rec.version = 10;
	sl_record_set_block(&rec, NULL, 0);
	FORMAT_IS(&rec, "WARC/1.0\r\n"
	    "WARC-Type: resource\r\n"
	    "WARC-Record-ID: " WID "\r\n"
	    "WARC-Date: " WDATE "\r\n"
	    "Content-Length: 0\r\n"
	    "\r\n"
	    "\r\n\r\n",
	    "WARC/1.0, an empty block, an empty Content-Length corrected");

	base_record(&rec);
	sl_headers_adds(&rec.hdr, SL_F_CONTENT_TYPE, "text/plain");
	sl_headers_adds(&rec.hdr, SL_F_CONTENT_TYPE, "text/html");
	sl_record_set_block(&rec, "hello", 5);
	FORMAT_IS(&rec, "WARC/1.1\r\n"
	    "WARC-Type: resource\r\n"
	    "WARC-Record-ID: " WID "\r\n"
	    "WARC-Date: " WDATE "\r\n"
	    "Content-Type: text/plain\r\n"
	    "Content-Length: 5\r\n"
	    "Content-Type: text/html\r\n"
	    "\r\n"
	    "hello\r\n\r\n",
	    "Content-Length once, after the first Content-Type");

	base_record(&rec);
	sl_headers_adds(&rec.hdr, SL_F_CONTENT_LENGTH, "1");
	sl_headers_adds(&rec.hdr, SL_F_SLUICE_KEY, "k");
	sl_headers_adds(&rec.hdr, SL_F_CONTENT_LENGTH, "2");
	sl_record_set_block(&rec, "hello", 5);
	FORMAT_IS(&rec, "WARC/1.1\r\n"
	    "WARC-Type: resource\r\n"
	    "WARC-Record-ID: " WID "\r\n"
	    "WARC-Date: " WDATE "\r\n"
	    "Content-Length: 5\r\n"
	    "Sluice-Key: k\r\n"
	    "\r\n"
	    "hello\r\n\r\n",
	    "two Content-Length fields give one, the true length");

	base_record(&rec);
	sl_headers_add_safe(&rec.hdr, SL_F_WARC_BLOCK_DIGEST, digest,
	    sizeof(digest) - 1);
	sl_headers_add_name(&rec.hdr, "content-TYPE", 12, "text/plain", 10);
	sl_headers_add_name(&rec.hdr, "X-Custom", 8,
	    "Z\xc3\xbcrich \xe2\x82\xac", 11);
	sl_headers_add_name(&rec.hdr, "x-empty", 7, "", 0);
	sl_record_set_block(&rec, "a\0b\r\n", 5);
	FORMAT_IS(&rec, "WARC/1.1\r\n"
	    "WARC-Type: resource\r\n"
	    "WARC-Record-ID: " WID "\r\n"
	    "WARC-Date: " WDATE "\r\n"
	    "WARC-Block-Digest: sha256:"
	    "2cf24dba5fb0a30e26e83b2ac5b9e29e"
	    "1b161e5c1fa7425e73043362938b9824\r\n"
	    "Content-Type: text/plain\r\n"
	    "Content-Length: 5\r\n"
	    "X-Custom: Z\xc3\xbcrich \xe2\x82\xac\r\n"
	    "x-empty: \r\n"
	    "\r\n"
	    "a\0b\r\n\r\n\r\n",
	    "a safe value, a canonical name, UTF-8, an empty value, a binary "
	    "block");

	sl_record_release(&rec);
}

struct refusal {
	const char *name;       /* NULL: the field is a known one */
	enum sl_field id;
	const char *value;
	size_t len;
	const char *msg;
};

#define RV(name, v, msg)	{ name, SL_F_OTHER, v, sizeof(v) - 1, msg }
#define RK(id, v, msg)		{ NULL, id, v, sizeof(v) - 1, msg }

static const struct refusal refusals[] = {
	RV("X-Bad", "a\rb", "control character 0x0d"),
	RV("X-Bad", "a\nb", "control character 0x0a"),
	RV("X-Bad", "a\r\nX-Injected: 1", "control character 0x0d"),
	RV("X-Bad", "a\0b", "control character 0x00"),
	RV("X-Bad", "a\x7f", "control character 0x7f"),
	RV("X-Bad", "a\tb", "control character 0x09"),
	RV("X-Bad", "\x01", "control character 0x01"),
	RV("X-Bad", "0123456789abcdef\x1f", "control character 0x1f"),
	RV("X-Bad", "\xc3\x28", "invalid UTF-8"),
	RV("X-Bad", "\xc0\xaf", "invalid UTF-8"),
	RV("X-Bad", "\xed\xa0\x80", "invalid UTF-8"),
	RV("X-Bad", "\xff\xfe", "invalid UTF-8"),
	RV("X-Bad", "0123456789abcdef\xe2\x82", "invalid UTF-8"),
	RK(SL_F_WARC_TARGET_URI, "http://x/\r\n", "control character 0x0d"),
	RK(SL_F_SLUICE_KEY, "\xe9t\xe9", "invalid UTF-8"),
	RV("Bad Name", "v", "not a token"),
	RV("Bad:Name", "v", "not a token"),
	RV("Bad\r\nName", "v", "not a token"),
	RV("X-\xc3\xa9", "v", "not a token"),
	RV("", "v", "not a token"),
};

static void
test_refusals(void)
{
	struct sl_record rec;
	struct sl_buf out = SL_BUF_INIT;
	char err[256];
	int intact = 1;

	sl_record_init(&rec);
	for (size_t i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++) {
		const struct refusal *x = &refusals[i];
		const char *fname = x->name ? x->name : sl_field_name(x->id);
		int rc;

		base_record(&rec);
		if (x->name != NULL)
			sl_headers_add_name(&rec.hdr, x->name, strlen(x->name),
			    x->value, x->len);
		else
			sl_headers_add(&rec.hdr, x->id, x->value, x->len);
		sl_record_set_block(&rec, "hello", 5);
		sl_buf_reset(&out);
		sl_buf_adds(&out, "PREFIX");
		err[0] = '\0';
		rc = sl_record_format(&rec, &out, err, sizeof(err));
		if (out.len != 6 || memcmp(out.data, "PREFIX", 6) != 0)
			intact = 0;
		if (!ok(rc == -1 && strstr(err, x->msg) != NULL &&
		    (*fname == '\0' || strstr(err, fname) != NULL ||
		    strchr(fname, '\r') != NULL),
		    "format refuses %s '%s' (%s)", show(fname, strlen(fname)),
		    show(x->value, x->len), x->msg))
			tap_diag("rc %d: %s", rc, err);
	}
	ok(intact, "format: nothing of a refused record is left in the buffer");
	/* buf.h: data[len] is always '\0' once anything was added */
	ok(out.len == 6 && out.data[out.len] == '\0',
	    "format: the buffer is still a NUL-terminated string after a "
	    "refusal");

	/* every position of the eight-byte scan */
	{
		static const unsigned char bad[] = { 0x00, 0x01, 0x09, 0x0a,
		    0x0d, 0x1f, 0x7f, 0x80, 0xbf, 0xc3, 0xff };
		static const unsigned char good[] = { 0x20, 0x21, 0x7e };
		size_t nbad = sizeof(bad);
		char v[24];
		int missed = 0, wrong = 0;

		for (size_t pos = 0; pos < sizeof(v); pos++) {
			for (size_t k = 0; k < nbad + sizeof(good); k++) {
				unsigned char c = k < nbad ? bad[k] :
				    good[k - nbad];
				/* a space is refused at either end (readers
				 * trim it) */
				int isbad = k < nbad || (c == ' ' && (pos == 0 ||
				    pos == sizeof(v) - 1));
				int rc;

				memset(v, 'a', sizeof(v));
				v[pos] = (char)c;
				base_record(&rec);
				sl_headers_add_name(&rec.hdr, "X-V", 3, v,
				    sizeof(v));
				sl_buf_reset(&out);
				rc = sl_record_format(&rec, &out, err,
				    sizeof(err));
				if (isbad && rc != -1)
					missed++;
				if (!isbad && rc != 0)
					wrong++;
			}
		}
		is_int(missed, 0, "format: a bad byte at any of 24 positions "
		    "is refused");
		is_int(wrong, 0, "format: a printable byte at any position is "
		    "written (a space only inside)");
	}

	/* the writer: a refused record writes nothing, the next one goes */
	{
		struct sl_writer w;
		struct sl_buf want = SL_BUF_INIT;
		char path[4096], *got;
		size_t len;
		int fd = tmp_file(path, sizeof(path), "", 0);

		sl_writer_init(&w, fd, path, 0);
		base_record(&rec);
		sl_headers_add_name(&rec.hdr, "X-Bad", 5, "a\nb", 3);
		is_int(sl_writer_put(&w, &rec), -1, "writer refuses a value "
		    "with LF");
		ok(strstr(w.err, "X-Bad") != NULL, "writer: the error names "
		    "the field (%s)", w.err);
		is_int(w.records, 0, "writer: the refused record is not "
		    "counted");
		base_record(&rec);
		sl_record_set_block(&rec, "hello", 5);
		is_int(sl_writer_put(&w, &rec), 0, "writer takes a good "
		    "record after a refusal");
		sl_record_format(&rec, &want, err, sizeof(err));
		sl_writer_close(&w);
		close(fd);
		got = slurp(path, &len);
		unlink(path);
		ok(got != NULL && len == want.len &&
		    memcmp(got, want.data, len) == 0 && w.records == 1 &&
		    w.bytes == len,
		    "writer: the file holds the good record only");
		free(got);
		sl_buf_release(&want);
	}
	sl_buf_release(&out);
	sl_record_release(&rec);
}

/* ---- random round trip ---- */

#define ROUNDS	1000

struct rng {
	uint64_t s;
};

static uint64_t
rnd(struct rng *g)
{
	uint64_t x = g->s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	g->s = x;
	return x * 0x2545F4914F6CDD1DULL;
}

static void
put_utf8(struct sl_buf *b, uint32_t c)
{
	if (c < 0x80)
		sl_buf_addc(b, (char)c);
	else if (c < 0x800) {
		sl_buf_addc(b, (char)(0xc0 | c >> 6));
		sl_buf_addc(b, (char)(0x80 | (c & 0x3f)));
	} else if (c < 0x10000) {
		sl_buf_addc(b, (char)(0xe0 | c >> 12));
		sl_buf_addc(b, (char)(0x80 | (c >> 6 & 0x3f)));
		sl_buf_addc(b, (char)(0x80 | (c & 0x3f)));
	} else {
		sl_buf_addc(b, (char)(0xf0 | c >> 18));
		sl_buf_addc(b, (char)(0x80 | (c >> 12 & 0x3f)));
		sl_buf_addc(b, (char)(0x80 | (c >> 6 & 0x3f)));
		sl_buf_addc(b, (char)(0x80 | (c & 0x3f)));
	}
}

/* A value of printable ASCII and UTF-8, no space at either end. */
static void
rnd_value(struct rng *g, struct sl_buf *b)
{
	size_t n = rnd(g) % 41;

	sl_buf_reset(b);
	for (size_t i = 0; i < n; i++) {
		uint32_t c;

		switch (rnd(g) % 10) {
		case 0: case 1: case 2: case 3: case 4:
			c = 0x20 + (uint32_t)(rnd(g) % 95);
			if (c == ' ' && (i == 0 || i == n - 1))
				c = '_';
			break;
		case 5: case 6:
			c = 0xa0 + (uint32_t)(rnd(g) % (0x800 - 0xa0));
			break;
		case 7: case 8:
			do
				c = 0x800 + (uint32_t)(rnd(g) % 0xf800);
			while (c >= 0xd800 && c <= 0xdfff);
			break;
		default:
			c = 0x10000 + (uint32_t)(rnd(g) % 0x100000);
			break;
		}
		put_utf8(b, c);
	}
	if (b->data == NULL)
		sl_buf_add(b, "", 0);
}

static const struct {
	enum sl_field id;
	const char *name;
} optional[] = {
	{ SL_F_CONTENT_TYPE, "Content-Type" },
	{ SL_F_WARC_TARGET_URI, "WARC-Target-URI" },
	{ SL_F_WARC_BLOCK_DIGEST, "WARC-Block-Digest" },
	{ SL_F_WARC_REFERS_TO, "WARC-Refers-To" },
	{ SL_F_WARC_CONCURRENT_TO, "WARC-Concurrent-To" },
	{ SL_F_SLUICE_KEY, "Sluice-Key" },
	{ SL_F_SLUICE_PII, "Sluice-PII" },
	{ SL_F_SLUICE_LINEAGE, "Sluice-Lineage" },
	{ SL_F_SLUICE_CLASSIFICATION, "Sluice-Classification" },
};

static const char *const rtypes[] = {
	"resource", "conversion", "metadata", "warcinfo", "response",
	"request", "revisit", "x-other",
};

static const char tokenchars[] = "!#$%&'*+-.^_`|~0123456789"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/*
 * Record i of the round trip, into rec (its block in block), and the fields
 * it must be read back with, one "Name: value\n" each, into want: the
 * canonical names, and Content-Length after the first Content-Type or last.
 */
static void
gen_record(uint64_t i, struct sl_record *rec, struct sl_buf *block,
    struct sl_buf *want)
{
	struct rng g = { (i + 1) * 0x9E3779B97F4A7C15ULL };
	struct sl_buf v = SL_BUF_INIT, name = SL_BUF_INIT;
	const char *type = rtypes[rnd(&g) % 8];
	char id[64], clen[32];
	size_t nextra, blen;
	int have_cl = 0;

	sl_record_clear(rec);
	sl_buf_reset(want);
	rec->version = rnd(&g) % 4 == 0 ? 10 : 11;
	rec->type = sl_rtype_lookup(type);
	blen = (size_t)(rnd(&g) % 5001);
	snprintf(clen, sizeof(clen), "Content-Length: %zu\n", blen);
	snprintf(id, sizeof(id), "<urn:uuid:%016llx-%llu>",
	    (unsigned long long)rnd(&g), (unsigned long long)i);
	sl_headers_adds(&rec->hdr, SL_F_WARC_TYPE, type);
	sl_buf_addf(want, "WARC-Type: %s\n", type);
	sl_headers_adds(&rec->hdr, SL_F_WARC_RECORD_ID, id);
	sl_buf_addf(want, "WARC-Record-ID: %s\n", id);
	sl_headers_adds(&rec->hdr, SL_F_WARC_DATE, WDATE);
	sl_buf_addf(want, "WARC-Date: %s\n", WDATE);
	nextra = (size_t)(rnd(&g) % 12);
	for (size_t k = 0; k < nextra; k++) {
		size_t o = (size_t)(rnd(&g) % (sizeof(optional) /
		    sizeof(optional[0])));
		const char *n;

		rnd_value(&g, &v);
		sl_buf_reset(&name);
		switch (rnd(&g) % 3) {
		case 0:  /* an unknown name */
			sl_buf_adds(&name, "X-");
			for (size_t j = rnd(&g) % 16 + 1; j > 0; j--)
				sl_buf_addc(&name, tokenchars[rnd(&g) %
				    (sizeof(tokenchars) - 1)]);
			sl_headers_add_name(&rec->hdr, name.data, name.len,
			    v.data, v.len);
			n = name.data;
			break;
		case 1:  /* a known field by id */
			sl_headers_add(&rec->hdr, optional[o].id, v.data,
			    v.len);
			n = optional[o].name;
			break;
		default:  /* a known name in any case */
			sl_buf_adds(&name, optional[o].name);
			for (size_t j = 0; j < name.len; j++)
				if (rnd(&g) & 1)
					name.data[j] = (char)(name.data[j] ^
					    ((name.data[j] | 0x20) >= 'a' &&
					    (name.data[j] | 0x20) <= 'z' ?
					    0x20 : 0));
			sl_headers_add_name(&rec->hdr, name.data, name.len,
			    v.data, v.len);
			n = optional[o].name;
			break;
		}
		sl_buf_addf(want, "%s: %s\n", n, v.data);
		if (!have_cl && strcmp(n, "Content-Type") == 0) {
			sl_buf_adds(want, clen);
			have_cl = 1;
		}
	}
	if (!have_cl)
		sl_buf_adds(want, clen);
	sl_buf_reset(block);
	sl_buf_grow(block, blen);
	for (size_t k = 0; k < blen; k++)
		block->data[k] = (char)rnd(&g);
	block->len = blen;
	if (blen > 40 && rnd(&g) % 4 == 0)
		memcpy(block->data + rnd(&g) % (blen - 20),
		    "\r\n\r\nWARC/1.1\r\n\r\n", 16);
	sl_record_set_block(rec, block->data, blen);
	sl_buf_release(&v);
	sl_buf_release(&name);
}

/* The fields of rec as gen_record() describes them. */
static void
fields_of(const struct sl_record *rec, struct sl_buf *out)
{
	sl_buf_reset(out);
	for (size_t i = 0; i < rec->hdr.n; i++) {
		sl_buf_add(out, rec->hdr.f[i].name, rec->hdr.f[i].name_len);
		sl_buf_add(out, ": ", 2);
		sl_buf_add(out, rec->hdr.f[i].value, rec->hdr.f[i].value_len);
		sl_buf_addc(out, '\n');
	}
}

/* Reads the round-trip file back; returns the number of bad records. */
static int
read_back(struct sl_input *in, const char *what, uint64_t *nread)
{
	struct sl_record rec, exp;
	struct sl_reader r;
	struct sl_buf block = SL_BUF_INIT, want = SL_BUF_INIT;
	struct sl_buf got = SL_BUF_INIT;
	int bad = 0, rc;

	sl_record_init(&rec);
	sl_record_init(&exp);
	sl_reader_init(&r, in);
	*nread = 0;
	while ((rc = sl_reader_next(&r, &rec)) > 0) {
		gen_record(*nread, &exp, &block, &want);
		fields_of(&rec, &got);
		if (got.len != want.len || memcmp(got.data, want.data,
		    got.len) != 0 || !block_is(&rec, block.data, block.len) ||
		    rec.version != exp.version || rec.type != exp.type) {
			if (bad++ < 3) {
				tap_diag("%s: record %llu differs", what,
				    (unsigned long long)*nread + 1);
				tap_diag("     got: '%s'", show(got.data,
				    got.len));
				tap_diag("expected: '%s'", show(want.data,
				    want.len));
			}
		}
		(*nread)++;
	}
	if (rc < 0) {
		tap_diag("%s: %s", what, r.err);
		bad++;
	}
	sl_record_release(&rec);
	sl_record_release(&exp);
	sl_buf_release(&block);
	sl_buf_release(&want);
	sl_buf_release(&got);
	return bad;
}

struct member_check {
	struct sl_record rec;
	struct sl_buf block, want, fmt;
	int bad;
};

static void
member_is_record(void *arg, long i, const char *p, size_t len)
{
	struct member_check *m = arg;
	char err[256];

	gen_record((uint64_t)i, &m->rec, &m->block, &m->want);
	sl_buf_reset(&m->fmt);
	if (sl_record_format(&m->rec, &m->fmt, err, sizeof(err)) < 0 ||
	    m->fmt.len != len || memcmp(m->fmt.data, p, len) != 0) {
		if (m->bad++ < 3)
			tap_diag("gzip member %ld is not record %ld", i, i);
	}
}

static void
test_round_trip(void)
{
	struct sl_record rec;
	struct sl_buf block = SL_BUF_INIT, want = SL_BUF_INIT;
	struct sl_input in;
	struct sl_writer w;
	char path[4096], gzpath[4096];
	uint64_t n;
	int fd, gzfd, refused = 0;

	sl_record_init(&rec);
	fd = tmp_file(path, sizeof(path), "", 0);
	gzfd = tmp_file(gzpath, sizeof(gzpath), "", 0);
	for (int gz = 0; gz < 2; gz++) {
		sl_writer_init(&w, gz ? gzfd : fd, gz ? gzpath : path, gz);
		is_int(sl_writer_gzip(&w), gz, "round trip: sl_writer_gzip %d",
		    gz);
		for (uint64_t i = 0; i < ROUNDS; i++) {
			gen_record(i, &rec, &block, &want);
			if (sl_writer_put(&w, &rec) < 0) {
				tap_diag("record %llu: %s",
				    (unsigned long long)i, w.err);
				refused++;
			}
		}
		is_int(w.records, ROUNDS, "round trip: %d records written%s",
		    ROUNDS, gz ? " gzipped" : "");
		sl_writer_close(&w);
		ok(w.bytes == (uint64_t)lseek(gz ? gzfd : fd, 0, SEEK_END),
		    "round trip: w.bytes is the file size%s",
		    gz ? " (gzip)" : "");
	}
	is_int(refused, 0, "round trip: no record refused");

	/* plain: by path, through sl_input_open */
	if (sl_input_open(&in, path, 0) < 0)
		ok(0, "round trip: open %s: %s", path, in.err);
	else {
		is_int(read_back(&in, "plain", &n), 0, "round trip: fields "
		    "(canonical names) and blocks identical");
		is_int(n, ROUNDS, "round trip: %d records read", ROUNDS);
		ok(in.gzip == 0, "round trip: plain input not taken for gzip");
		sl_input_close(&in);
	}

	/* gzip: one member per record, each inflating to that record */
	{
		struct member_check m;
		size_t len;
		char *raw = slurp(gzpath, &len);
		long members;

		memset(&m, 0, sizeof(m));
		sl_record_init(&m.rec);
		members = gz_members(raw, len, member_is_record, &m);
		is_int(members, ROUNDS, "round trip gzip: %d gzip members",
		    ROUNDS);
		is_int(m.bad, 0, "round trip gzip: member i inflates to "
		    "record i exactly");
		sl_record_release(&m.rec);
		sl_buf_release(&m.block);
		sl_buf_release(&m.want);
		sl_buf_release(&m.fmt);
		free(raw);
	}
	lseek(gzfd, 0, SEEK_SET);
	sl_input_fdopen(&in, gzfd, gzpath, 0);
	is_int(read_back(&in, "gzip", &n), 0,
	    "round trip gzip: read back identical through sl_input");
	is_int(n, ROUNDS, "round trip gzip: %d records read", ROUNDS);
	ok(in.gzip == 1 && in.members == ROUNDS,
	    "round trip gzip: sl_input saw %d members (got %llu)", ROUNDS,
	    (unsigned long long)in.members);
	sl_input_close(&in);

	/* the gzip file from a pipe, in odd chunks */
	{
		size_t len;
		char *raw = slurp(gzpath, &len);
		pid_t pid;
		int pfd = pipe_feed(raw, len, 777, &pid);

		sl_input_fdopen(&in, pfd, "pipe", 0);
		is_int(read_back(&in, "gzip pipe", &n), 0,
		    "round trip gzip: identical from a pipe");
		is_int(n, ROUNDS, "round trip gzip: %d records from a pipe",
		    ROUNDS);
		sl_input_close(&in);
		close(pfd);
		reap(pid);
		free(raw);
	}

	close(fd);
	close(gzfd);
	unlink(path);
	unlink(gzpath);
	sl_record_release(&rec);
	sl_buf_release(&block);
	sl_buf_release(&want);
}

/* sl_record_emit and sl_gzip_member against zlib. */
static void
test_emit(void)
{
	struct sl_record rec;
	struct sl_buf out = SL_BUF_INIT, scratch = SL_BUF_INIT;
	struct sl_buf fmt = SL_BUF_INIT;
	struct sl_gzip *gz = sl_gzip_new(6);
	struct member_check m;
	char err[256];

	sl_record_init(&rec);
	memset(&m, 0, sizeof(m));
	sl_record_init(&m.rec);
	for (uint64_t i = 0; i < 3; i++) {
		gen_record(i, &rec, &m.block, &m.want);
		if (sl_record_emit(&rec, &out, gz, &scratch, err,
		    sizeof(err)) < 0)
			tap_diag("emit: %s", err);
	}
	is_int(gz_members(out.data, out.len, member_is_record, &m), 3,
	    "emit: three records, three gzip members");
	is_int(m.bad, 0, "emit: each member is its record");

	sl_buf_reset(&out);
	gen_record(0, &rec, &m.block, &m.want);
	is_int(sl_record_emit(&rec, &out, NULL, &scratch, err, sizeof(err)), 0,
	    "emit without gzip");
	sl_record_format(&rec, &fmt, err, sizeof(err));
	ok(out.len == fmt.len && memcmp(out.data, fmt.data, fmt.len) == 0,
	    "emit without gzip is format");

	base_record(&rec);
	sl_headers_add_name(&rec.hdr, "X-Bad", 5, "\x01", 1);
	sl_buf_reset(&out);
	is_int(sl_record_emit(&rec, &out, gz, &scratch, err, sizeof(err)), -1,
	    "emit refuses what format refuses");
	is_int(out.len, 0, "emit: nothing appended for a refused record");

	sl_buf_reset(&out);
	sl_gzip_member(gz, "", 0, &out);
	sl_gzip_member(gz, "abc", 3, &out);
	is_int(gz_members(out.data, out.len, NULL, NULL), 2,
	    "sl_gzip_member: an empty member and another");

	sl_gzip_free(gz);
	sl_record_release(&rec);
	sl_record_release(&m.rec);
	sl_buf_release(&m.block);
	sl_buf_release(&m.want);
	sl_buf_release(&m.fmt);
	sl_buf_release(&out);
	sl_buf_release(&scratch);
	sl_buf_release(&fmt);
}

/* ---- records kept as read (rec.raw) ---- */

#define RAW_HEAD "WARC/1.1\r\nWARC-Type: resource\r\nWARC-Record-ID: <urn:x>\r\n" \
	"WARC-Date: 2026-11-24T10:00:00Z\r\n"

static const struct {
	const char *in;
	int raw;          /* the reader keeps its bytes: they are canonical */
} raw_cases[] = {
	{ RAW_HEAD "Content-Length: 5\r\n\r\nhello\r\n\r\n", 1 },
	{ "WARC/1.0\r\nWARC-Type: resource\r\nWARC-Record-ID: <urn:x>\r\n"
	  "WARC-Date: 2026-11-24T10:00:00Z\r\nContent-Length: 5\r\n\r\n"
	  "hello\r\n\r\n", 1 },
	{ RAW_HEAD "Content-Length: 0\r\n\r\n\r\n\r\n", 1 },
	{ RAW_HEAD "X-Empty: \r\nContent-Length: 5\r\n\r\nhello\r\n\r\n", 1 },
	{ RAW_HEAD "X-U: caf\xc3\xa9\r\nContent-Length: 5\r\n\r\nhello\r\n\r\n", 1 },
	{ RAW_HEAD "Content-Type: application/json\r\nContent-Length: 2\r\n"
	  "Sluice-Contract: a@1 pass\r\n\r\n{}\r\n\r\n", 1 },
	/* written otherwise than read */
	{ "WARC/1.1\nWARC-Type: resource\nWARC-Record-ID: <urn:x>\n"
	  "WARC-Date: 2026-11-24T10:00:00Z\nContent-Length: 5\n\nhello\n\n", 0 },
	{ RAW_HEAD "Content-Length: 5\r\n\r\nhello\n\n", 0 },
	{ RAW_HEAD "content-length: 5\r\n\r\nhello\r\n\r\n", 0 },
	{ RAW_HEAD "Content-Length:  5\r\n\r\nhello\r\n\r\n", 0 },
	{ RAW_HEAD "Content-Length:5\r\n\r\nhello\r\n\r\n", 0 },
	{ RAW_HEAD "Content-Length:\t5\r\n\r\nhello\r\n\r\n", 0 },
	{ RAW_HEAD "Content-Length: 5 \r\n\r\nhello\r\n\r\n", 0 },
	{ RAW_HEAD "Content-Length: 05\r\n\r\nhello\r\n\r\n", 0 },
	{ RAW_HEAD "X-Tab: a\tb\r\nContent-Length: 5\r\n\r\nhello\r\n\r\n", 0 },
	{ RAW_HEAD "X-Fold: a\r\n b\r\nContent-Length: 5\r\n\r\nhello\r\n\r\n", 0 },
	{ RAW_HEAD "X-Empty:\r\nContent-Length: 5\r\n\r\nhello\r\n\r\n", 0 },
	{ RAW_HEAD "Content-Length: 5\nX-Lf: 1\r\n\r\nhello\r\n\r\n", 0 },
};

static void
test_raw(void)
{
	struct sl_buf all = SL_BUF_INIT, fmt = SL_BUF_INIT, app = SL_BUF_INIT;
	struct sl_record rec;
	char err[256];
	size_t n = sizeof(raw_cases) / sizeof(raw_cases[0]);

	sl_record_init(&rec);
	/* all cases in one stream, read from a file and from a pipe */
	for (size_t i = 0; i < n; i++)
		sl_buf_adds(&all, raw_cases[i].in);
	for (int piped = 0; piped < 2; piped++) {
		struct sl_input in;
		struct sl_reader r;
		pid_t pid = 0;
		int fd = piped ? pipe_feed(all.data, all.len, 7, &pid) :
		    tmp_fd(all.data, all.len);
		size_t i = 0;

		sl_input_fdopen(&in, fd, "raw", 0);
		sl_reader_init(&r, &in);
		while (sl_reader_next(&r, &rec) > 0 && i < n) {
			const char *want = raw_cases[i].in;
			size_t nkeep = rec.hdr.n;

			sl_buf_reset(&fmt);
			sl_record_format(&rec, &fmt, err, sizeof(err));
			if (!piped || rec.raw != NULL)
				ok((rec.raw != NULL) == raw_cases[i].raw,
				    "raw %s (%s): %s", raw_cases[i].raw ?
				    "kept" : "not kept", piped ? "pipe" : "file",
				    show(want, strlen(want)));
			if (rec.raw != NULL) {
				ok(rec.raw_len == strlen(want) && memcmp(rec.raw,
				    want, rec.raw_len) == 0 && rec.raw_len ==
				    fmt.len && memcmp(fmt.data, rec.raw,
				    fmt.len) == 0 && rec.raw_nfields == rec.hdr.n,
				    "raw %zu: the bytes read, as format writes "
				    "them", i);
			}
			/* appended: the same bytes as formatting it whole */
			sl_headers_add_safe(&rec.hdr, SL_F_SLUICE_CONTRACT,
			    "c@1 pass", 8);
			sl_headers_add_name(&rec.hdr, "X-Added", 7, "v", 1);
			sl_buf_reset(&fmt);
			sl_buf_reset(&app);
			sl_record_format(&rec, &fmt, err, sizeof(err));
			is_int(sl_record_format_appended(&rec, nkeep, &app, err,
			    sizeof(err)), 0, "appended %zu (%s)", i,
			    piped ? "pipe" : "file");
			ok(app.len == fmt.len && memcmp(app.data, fmt.data,
			    fmt.len) == 0, "appended %zu is format (%s)", i,
			    piped ? "pipe" : "file");
			/* an appended field the writer refuses */
			sl_headers_add_name(&rec.hdr, "X-Bad", 5, "a\x01", 2);
			sl_buf_reset(&app);
			is_int(sl_record_format_appended(&rec, nkeep, &app, err,
			    sizeof(err)), -1, "appended %zu: a bad field is "
			    "refused", i);
			is_int(app.len, 0, "appended %zu: nothing written", i);
			i++;
		}
		is_int(i, n, "raw: every record read (%s)", piped ? "pipe" :
		    "file");
		sl_input_close(&in);
		close(fd);
		if (piped)
			reap(pid);
	}

	/* the writer: pieces, and a record appended to */
	{
		struct sl_writer w;
		struct sl_piece pc[3] = { { "ab", 2 }, { NULL, 0 }, { "c", 1 } };
		char path[4096];
		int fd = tmp_file(path, sizeof(path), "", 0);
		size_t len;
		char *got;

		sl_writer_init(&w, fd, "pieces", 0);
		sl_writer_put_pieces(&w, pc, 3, 1);
		is_int(w.records, 1, "pieces: one record counted");
		sl_writer_close(&w);
		got = slurp(path, &len);
		ok(got != NULL && len == 3 && memcmp(got, "abc", 3) == 0,
		    "pieces: written joined");
		free(got);
		close(fd);
		unlink(path);
	}
	sl_record_release(&rec);
	sl_buf_release(&all);
	sl_buf_release(&fmt);
	sl_buf_release(&app);
}

/* ---- the input layer ---- */

/* Everything an input gives until the end or an error. */
static ssize_t
drain(struct sl_input *in, struct sl_buf *got)
{
	ssize_t r;

	sl_buf_reset(got);
	for (;;) {
		size_t k = sl_input_avail(in);

		sl_buf_add(got, sl_input_ptr(in), k);
		sl_input_consume(in, k);
		if ((r = sl_input_fill(in)) <= 0)
			return r;
	}
}

struct irow {
	const char *what;
	const char *data;       /* bytes given */
	size_t len;
	unsigned flags;
	const char *out;        /* bytes expected before the end or error */
	size_t minlen, outlen;  /* on errors, a prefix of out this long */
	int status;             /* 0: a clean end */
	const char *msg;
	int gzip;               /* expected in.gzip */
};

static void
check_input(const struct irow *x)
{
	static const char *how[] = { "file", "pipe" };
	struct sl_buf got = SL_BUF_INIT;

	for (int via = 0; via < 2; via++) {
		struct sl_input in;
		pid_t pid = 0;
		ssize_t r;
		int fd;

		fd = via == 0 ? tmp_fd(x->data, x->len) : pipe_feed(x->data,
		    x->len, x->len > 65536 ? 4093 : 3, &pid);
		sl_input_fdopen(&in, fd, "in.gz", x->flags);
		r = drain(&in, &got);
		/* on errors, what came before is a prefix of the data */
		if (!ok(r == (x->status ? -1 : 0) &&
		    (x->status == 0 || (in.status == x->status &&
		    strncmp(in.err, "in.gz: ", 7) == 0 &&
		    strstr(in.err, x->msg) != NULL)) &&
		    got.len >= x->minlen && got.len <= x->outlen &&
		    (x->status != 0 || got.len == x->outlen) &&
		    (got.len == 0 || memcmp(got.data, x->out, got.len) == 0) &&
		    in.gzip == x->gzip,
		    "input: %s (%s)", x->what, how[via]))
			tap_diag("r %zd, %zu bytes, gzip %d, status %d: %s", r,
			    got.len, in.gzip, in.status, in.err);
		if (x->status == 0)
			ok(sl_input_offset(&in) == x->outlen &&
			    sl_input_fill(&in) == 0,
			    "input: %s: offset %zu at the end (%s)", x->what,
			    x->outlen, how[via]);
		sl_input_close(&in);
		close(fd);
		if (pid)
			reap(pid);
	}
	sl_buf_release(&got);
}

static void
test_input(void)
{
	static const char text[] = "WARC/1.1\r\nhello, world\r\n";
	static const char more[] = "and more\n";
	struct sl_buf m1 = SL_BUF_INIT, m2 = SL_BUF_INIT, m3 = SL_BUF_INIT;
	struct sl_buf multi = SL_BUF_INIT, both = SL_BUF_INIT;
	struct sl_buf tmp = SL_BUF_INIT, big = SL_BUF_INIT;
	struct sl_buf bigz = SL_BUF_INIT;
	struct sl_buf garbage = SL_BUF_INIT, stray = SL_BUF_INIT;
	struct sl_buf after = SL_BUF_INIT, btype = SL_BUF_INIT;
	struct sl_buf crc = SL_BUF_INIT, isize = SL_BUF_INIT;
	struct sl_buf method = SL_BUF_INIT;
	size_t tl = sizeof(text) - 1;

	gz_member(text, tl, &m1);
	gz_member("", 0, &m2);
	gz_member(more, sizeof(more) - 1, &m3);
	sl_buf_add(&multi, m1.data, m1.len);
	sl_buf_add(&multi, m2.data, m2.len);
	sl_buf_add(&multi, m3.data, m3.len);
	sl_buf_adds(&both, text);
	sl_buf_adds(&both, more);
	for (int i = 0; i < 200000; i++)
		sl_buf_addf(&big, "line %d of a large member\n", i);
	gz_member(big.data, big.len, &bigz);

	/* damaged gzip */
	sl_buf_add(&garbage, multi.data, multi.len);
	sl_buf_adds(&garbage, "garbage");
	sl_buf_add(&stray, multi.data, multi.len);
	sl_buf_addc(&stray, '\x1f');
	sl_buf_add(&after, m1.data, m1.len);
	sl_buf_adds(&after, text);
	sl_buf_add(&btype, m1.data, m1.len);
	btype.data[10] = 0x07;                  /* BFINAL, BTYPE 11 */
	sl_buf_add(&crc, m1.data, m1.len);
	crc.data[crc.len - 8] ^= 0x55;          /* CRC32 */
	sl_buf_add(&isize, m1.data, m1.len);
	isize.data[isize.len - 4] ^= 0x01;      /* ISIZE */
	sl_buf_add(&method, m1.data, m1.len);
	method.data[2] = 7;                     /* CM: not deflate */

	{
#define IOK(what, d, l, fl, o, ol, gz) \
	{ what, d, l, fl, o, ol, ol, 0, NULL, gz }
#define IBAD(what, d, l, o, min, ol, msg) \
	{ what, d, l, 0, o, min, ol, SL_EX_DATAERR, msg, 1 }
		const struct irow t[] = {
			IOK("plain text", text, tl, 0, text, tl, 0),
			IOK("empty", "", 0, 0, "", 0, 0),
			IOK("one byte 1f", "\x1f", 1, 0, "\x1f", 1, 0),
			IOK("1f 8a is not gzip", "\x1f\x8a" "abc", 5, 0,
			    "\x1f\x8a" "abc", 5, 0),
			IOK("one gzip member", m1.data, m1.len, 0, text, tl, 1),
			IOK("three members, one empty", multi.data, multi.len,
			    0, both.data, both.len, 1),
			IOK("a large member", bigz.data, bigz.len, 0, big.data,
			    big.len, 1),
			IOK("SL_INPUT_RAW keeps compressed bytes", multi.data,
			    multi.len, SL_INPUT_RAW, multi.data, multi.len, 0),
			IOK("SL_INPUT_RAW, a lone magic", "\x1f\x8b", 2,
			    SL_INPUT_RAW, "\x1f\x8b", 2, 0),
			IBAD("magic only", "\x1f\x8b", 2, "", 0, 0,
			    "truncated gzip"),
			IBAD("member without its trailer", m1.data, m1.len - 8,
			    text, tl, tl, "truncated gzip"),
			IBAD("member cut in its header", m1.data, 6, "", 0, 0,
			    "truncated gzip"),
			IBAD("second member cut short", multi.data,
			    m1.len + m2.len + m3.len / 2, both.data, tl,
			    both.len, "truncated gzip"),
			IBAD("large member cut short", bigz.data, bigz.len / 2,
			    big.data, 1, big.len - 1, "truncated gzip"),
			IBAD("garbage after the last member", garbage.data,
			    garbage.len, both.data, both.len, both.len,
			    "unexpected bytes after gzip member 3"),
			IBAD("one stray byte after the last member", stray.data,
			    stray.len, both.data, both.len, both.len,
			    "unexpected bytes after gzip member 3"),
			IBAD("plain text after a member", after.data, after.len,
			    text, tl, tl,
			    "unexpected bytes after gzip member 1"),
			IBAD("a reserved block type", btype.data, btype.len, "",
			    0, 0, "corrupt gzip data"),
			IBAD("a wrong CRC", crc.data, crc.len, text, 0, tl,
			    "corrupt gzip data"),
			IBAD("a wrong length", isize.data, isize.len, text, 0,
			    tl, "corrupt gzip data"),
			IBAD("a bad compression method", method.data,
			    method.len, "", 0, 0, "corrupt gzip data"),
		};
#undef IOK
#undef IBAD

		for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
			check_input(&t[i]);
	}

	/* the offset of a gzip error is a compressed one, named as such */
	{
		struct sl_input in;
		struct sl_buf got = SL_BUF_INIT;
		int fd;

		sl_buf_reset(&tmp);
		sl_buf_add(&tmp, multi.data, multi.len);
		sl_buf_adds(&tmp, "XY");
		fd = tmp_fd(tmp.data, tmp.len);
		sl_input_fdopen(&in, fd, "in.gz", 0);
		drain(&in, &got);
		sl_buf_reset(&tmp);
		sl_buf_addf(&tmp, "compressed byte %zu", multi.len);
		ok(strstr(in.err, tmp.data) != NULL,
		    "input: garbage named at its compressed offset %zu (%s)",
		    multi.len, in.err);
		is_int(in.members, 3, "input: three members counted");
		sl_input_close(&in);
		close(fd);
		sl_buf_release(&got);
	}

	/* the reader over gzip damage */
	{
		static const char two[] = MIN MIN;
		struct sl_input in;
		struct outcome o;
		char prefix[128];
		int fd;

		sl_buf_reset(&tmp);
		gz_member(two, sizeof(two) - 1, &tmp);
		sl_buf_adds(&tmp, "garbage");
		fd = tmp_fd(tmp.data, tmp.len);
		sl_input_fdopen(&in, fd, "r.gz", 0);
		read_all(&in, 0, 0, &o);
		sl_input_close(&in);
		close(fd);
		snprintf(prefix, sizeof(prefix), "r.gz: record 3 at byte %ld: ",
		    2 * MINLEN);
		ok(o.n == 2 && o.rc == -1 && o.status == SL_EX_DATAERR &&
		    strncmp(o.err, prefix, strlen(prefix)) == 0 &&
		    strstr(o.err, "unexpected bytes after gzip member") &&
		    strstr(o.err + 1, "r.gz") == NULL,
		    "reader: records before garbage after gzip, then the error "
		    "(%s)", o.err);

		sl_buf_reset(&tmp);
		gz_member(MIN, sizeof(MIN) - 1, &tmp);
		gz_member(two, sizeof(two) - 1, &tmp);
		tmp.len -= 10;
		fd = tmp_fd(tmp.data, tmp.len);
		sl_input_fdopen(&in, fd, "r.gz", 0);
		read_all(&in, 0, 0, &o);
		sl_input_close(&in);
		close(fd);
		ok(o.rc == -1 && o.status == SL_EX_DATAERR &&
		    strstr(o.err, "truncated gzip") != NULL && o.n >= 1,
		    "reader: a truncated gzip member is an error with status "
		    "65 (%d records: %s)", o.n, o.err);
	}

	/* sl_input_line */
	{
		static const char lines[] = "abc\ndefgh\nij";
		const unsigned char *line;
		struct sl_input in;
		size_t len;
		int fd = tmp_fd(lines, sizeof(lines) - 1);

		sl_input_fdopen(&in, fd, "lines", 0);
		ok(sl_input_line(&in, 4, &line, &len) == 1 && len == 4 &&
		    memcmp(line, "abc\n", 4) == 0,
		    "line: a line of max bytes with its newline");
		ok(sl_input_line(&in, 4, &line, &len) == 1 && len == 4,
		    "line: not consumed, found again");
		sl_input_consume(&in, len);
		is_int(sl_input_line(&in, 5, &line, &len), -2,
		    "line: longer than max is -2");
		ok(in.status == SL_EX_DATAERR &&
		    strstr(in.err, "line longer than 5 bytes") != NULL &&
		    strstr(in.err, "byte 4") != NULL,
		    "line: the error says at which byte (%s)", in.err);
		ok(sl_input_line(&in, 6, &line, &len) == 1 && len == 6 &&
		    memcmp(line, "defgh\n", 6) == 0,
		    "line: the same line with a larger max");
		sl_input_consume(&in, len);
		ok(sl_input_line(&in, 6, &line, &len) == 1 && len == 2 &&
		    memcmp(line, "ij", 2) == 0,
		    "line: a last line without a newline, as is");
		sl_input_consume(&in, len);
		is_int(sl_input_line(&in, 6, &line, &len), 0, "line: the end");
		ok(sl_input_at_end(&in), "line: sl_input_at_end");
		is_int(sl_input_offset(&in), sizeof(lines) - 1,
		    "line: the offset at the end");
		sl_input_close(&in);
		close(fd);

		/* a line longer than the window, through gzip and a pipe */
		{
			struct sl_buf longl = SL_BUF_INIT, z = SL_BUF_INIT;
			pid_t pid;
			int pfd, good;

			for (int i = 0; i < 700000; i++)
				sl_buf_addc(&longl, (char)('a' + i % 26));
			sl_buf_adds(&longl, "\nend\n");
			gz_member(longl.data, longl.len, &z);
			pfd = pipe_feed(z.data, z.len, 1000, &pid);
			sl_input_fdopen(&in, pfd, "long", 0);
			good = sl_input_line(&in, MIB, &line, &len) == 1 &&
			    len == 700001 && memcmp(line, longl.data, len) == 0;
			sl_input_consume(&in, len);
			good = good &&
			    sl_input_line(&in, 10, &line, &len) == 1 &&
			    len == 4 && memcmp(line, "end\n", 4) == 0;
			ok(good, "line: a 700 kB line through gzip and a pipe");
			sl_input_close(&in);
			close(pfd);
			reap(pid);
			sl_buf_release(&longl);
			sl_buf_release(&z);
		}
	}

	/* sl_input_need, sl_input_read */
	{
		struct sl_input in;
		char dst[64];
		ssize_t n;
		int fd = tmp_fd(m1.data, m1.len);

		sl_input_fdopen(&in, fd, "need", 0);
		n = sl_input_need(&in, 5);
		ok(n >= 5 && (size_t)n == sl_input_avail(&in),
		    "need: at least 5, all available");
		is_int(sl_input_read(&in, dst, 4), 4, "read: 4 bytes");
		ok(memcmp(dst, "WARC", 4) == 0, "read: the right 4");
		is_int(sl_input_offset(&in), 4, "read: offset 4");
		is_int(sl_input_need(&in, 1000), sizeof(text) - 1 - 4,
		    "need: less than asked at the end");
		is_int(sl_input_read(&in, dst, sizeof(dst)),
		    sizeof(text) - 1 - 4, "read: the rest");
		is_int(sl_input_read(&in, dst, sizeof(dst)), 0,
		    "read: 0 at the end");
		sl_input_close(&in);
		close(fd);
	}

	/* opening */
	{
		struct sl_input in;
		struct sl_buf p = SL_BUF_INIT;

		sl_buf_addf(&p, "%s/test-stream-no-such-file-%ld", tmpdir(),
		    (long)getpid());
		is_int(sl_input_open(&in, p.data, 0), -1,
		    "open: a missing file fails");
		ok(in.status == SL_EX_NOINPUT && strstr(in.err, p.data) != NULL,
		    "open: status 66, the path named (%s)", in.err);
		is_int(sl_input_open(&in, tmpdir(), 0), -1,
		    "open: a directory fails");
		ok(in.status == SL_EX_NOINPUT &&
		    strstr(in.err, "is a directory") != NULL,
		    "open: a directory is status 66 (%s)", in.err);
		sl_buf_release(&p);
	}

	sl_buf_release(&m1);
	sl_buf_release(&m2);
	sl_buf_release(&m3);
	sl_buf_release(&multi);
	sl_buf_release(&both);
	sl_buf_release(&tmp);
	sl_buf_release(&big);
	sl_buf_release(&bigz);
	sl_buf_release(&garbage);
	sl_buf_release(&stray);
	sl_buf_release(&after);
	sl_buf_release(&btype);
	sl_buf_release(&crc);
	sl_buf_release(&isize);
	sl_buf_release(&method);
}

/* ---- the idle hook ---- */

static struct {
	int calls;
	int calls_with_data;    /* the hook ran though input was ready */
	int rfd, ctl;
} idle;

/* Flushes the writer (as tools do) and tells the child it may go on. */
static void
idle_hook(void *arg)
{
	struct pollfd p = { idle.rfd, POLLIN, 0 };

	if (poll(&p, 1, 0) > 0)
		idle.calls_with_data++;
	sl_writer_idle(arg);
	if (idle.calls++ == 0)
		write_all(idle.ctl, "x", 1);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * A live pipeline: a child writes one record (a gzip member when gz) and
 * waits for a word from the idle hook before it writes the second.  The
 * first record must come out without a read that blocks; the second read
 * must run the hook (which flushes the first record downstream) before it
 * blocks.  If the hook never runs, the child gives up after 3 s and the
 * counts say so: nothing here sleeps.
 */
static void
test_idle(int gz)
{
	static const char rec2[] = HEAD "Content-Length: 6\r\n"
	    "\r\nsecond\r\n\r\n";
	struct sl_buf r1 = SL_BUF_INIT, r2 = SL_BUF_INIT, out = SL_BUF_INIT;
	struct sl_buf want = SL_BUF_INIT;
	struct sl_input in;
	struct sl_reader r;
	struct sl_record rec;
	struct sl_writer w;
	struct pollfd p;
	const char *name = gz ? "idle (gzip)" : "idle";
	int data[2], ctl[2], down[2], st, flags;
	char err[256];
	double t0 = now();
	pid_t pid;

	if (gz) {
		gz_member(MIN, sizeof(MIN) - 1, &r1);
		gz_member(rec2, sizeof(rec2) - 1, &r2);
	} else {
		sl_buf_adds(&r1, MIN);
		sl_buf_adds(&r2, rec2);
	}
	if (pipe(data) < 0 || pipe(ctl) < 0 || pipe(down) < 0)
		exit(2);
	fflush(stdout);
	if ((pid = fork()) == 0) {
		char c;

		close(data[0]);
		close(ctl[1]);
		close(down[0]);
		close(down[1]);
		/* both are under PIPE_BUF: each arrives whole */
		write_all(data[1], r1.data, r1.len);
		p.fd = ctl[0];
		p.events = POLLIN;
		st = poll(&p, 1, 3000) == 1 && read(ctl[0], &c, 1) == 1;
		write_all(data[1], r2.data, r2.len);
		close(data[1]);
		_exit(st ? 0 : 3);
	}
	close(data[1]);
	close(ctl[0]);
	idle.calls = idle.calls_with_data = 0;
	idle.rfd = data[0];
	idle.ctl = ctl[1];

	/* downstream: the hook's writer flushes into a pipe we read */
	flags = fcntl(down[0], F_GETFL);
	fcntl(down[0], F_SETFL, flags | O_NONBLOCK);
	sl_writer_init(&w, down[1], "downstream", 0);

	/* start once the first record is in the pipe */
	p.fd = data[0];
	p.events = POLLIN;
	poll(&p, 1, 3000);
	sl_input_fdopen(&in, data[0], "live", 0);
	sl_input_set_idle(&in, idle_hook, &w);
	sl_reader_init(&r, &in);
	sl_record_init(&rec);

	is_int(sl_reader_next(&r, &rec), 1, "%s: the first record", name);
	ok(block_is(&rec, "hello", 5), "%s: its block", name);
	is_int(idle.calls, 0, "%s: read without a blocking read (the writer "
	    "still holds the pipe open)", name);
	sl_writer_put(&w, &rec);
	sl_record_format(&rec, &want, err, sizeof(err));
	slurp_fd(down[0], &out);
	is_int(out.len, 0, "%s: the writer holds the first record", name);

	is_int(sl_reader_next(&r, &rec), 1, "%s: the second record", name);
	ok(block_is(&rec, "second", 6), "%s: its block", name);
	is_int(idle.calls, 1, "%s: the idle hook ran once before the read "
	    "blocked", name);
	is_int(idle.calls_with_data, 0, "%s: ... when no input was ready",
	    name);
	slurp_fd(down[0], &out);
	ok(out.len == want.len && memcmp(out.data, want.data, want.len) == 0,
	    "%s: the hook flushed the first record downstream", name);

	is_int(sl_reader_next(&r, &rec), 0, "%s: then the end", name);
	st = reap(pid);
	ok(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "%s: the writer was woken by the hook, not by its timeout", name);
	ok(now() - t0 < 1.0, "%s: took %.3f s", name, now() - t0);

	sl_writer_close(&w);
	sl_record_release(&rec);
	sl_input_close(&in);
	close(data[0]);
	close(ctl[1]);
	close(down[0]);
	close(down[1]);
	sl_buf_release(&r1);
	sl_buf_release(&r2);
	sl_buf_release(&out);
	sl_buf_release(&want);
}

int
main(void)
{
	sl_diag_init("test-stream");
	signal(SIGPIPE, SIG_IGN);
	test_samples();
	test_rows();
	test_limits();
	test_fields();
	test_blocks();
	test_lenient();
	test_format();
	test_refusals();
	test_emit();
	test_raw();
	test_round_trip();
	test_input();
	test_idle(0);
	test_idle(1);
	return tap_done();
}
