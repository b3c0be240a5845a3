/*
 * buf.h - a growable byte buffer (after git's strbuf).
 *
 * The buffer owns data; data[len] is always '\0' once anything was added, so
 * data can be used as a C string when the content holds no NUL.  Adding never
 * fails (xalloc dies on exhaustion).  Reset keeps the allocation for reuse.
 *
 *   struct sl_buf b = SL_BUF_INIT;
 *   sl_buf_addf(&b, "row=%llu", n);
 *   ... use b.data, b.len ...
 *   sl_buf_release(&b);
 */
#ifndef SL_BUF_H
#define SL_BUF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "diag.h"

struct sl_buf {
	char *data;
	size_t len;
	size_t cap;
};

#define SL_BUF_INIT { NULL, 0, 0 }

/* Ensures room for extra more bytes plus the trailing NUL. */
void sl_buf_grow_slow(struct sl_buf *b, size_t extra);

static inline void
sl_buf_grow(struct sl_buf *b, size_t extra)
{
	if (b->cap - b->len <= extra)
		sl_buf_grow_slow(b, extra);
}

static inline void
sl_buf_add(struct sl_buf *b, const void *p, size_t n)
{
	sl_buf_grow(b, n);
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

static inline void
sl_buf_addc(struct sl_buf *b, char c)
{
	sl_buf_grow(b, 1);
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
}

static inline void
sl_buf_adds(struct sl_buf *b, const char *s)
{
	sl_buf_add(b, s, strlen(s));
}

void sl_buf_addf(struct sl_buf *b, const char *fmt, ...) SL_PRINTF(2, 3);
/* Decimal text of v, without printf. */
void sl_buf_add_u64(struct sl_buf *b, uint64_t v);
/* Lower-case hex of n bytes. */
void sl_buf_add_hex(struct sl_buf *b, const unsigned char *p, size_t n);

static inline void
sl_buf_reset(struct sl_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

/* Frees the storage; the buffer is SL_BUF_INIT again. */
void sl_buf_release(struct sl_buf *b);

/* Hands the storage to the caller (free() it); the buffer is reset to empty. */
char *sl_buf_detach(struct sl_buf *b, size_t *len);

#endif
