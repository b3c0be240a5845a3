/* buf.c - see buf.h */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "buf.h"
#include "xalloc.h"

void
sl_buf_grow_slow(struct sl_buf *b, size_t extra)
{
	if (extra > SIZE_MAX - b->len - 1)
		sl_die(SL_EX_SOFTWARE, "out of memory (buffer overflow)");
	b->data = sl_grow(b->data, &b->cap, b->len + extra + 1, 1);
}

void
sl_buf_addf(struct sl_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	sl_buf_grow(b, 64);
	va_start(ap, fmt);
	n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		sl_die(SL_EX_SOFTWARE, "internal error: bad format string");
	if ((size_t)n >= b->cap - b->len) {
		sl_buf_grow(b, (size_t)n);
		va_start(ap, fmt);
		vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}

static const char pairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536"
    "37383940414243444546474849505152535455565758596061626364656667686970717273"
    "7475767778798081828384858687888990919293949596979899";

void
sl_buf_add_u64(struct sl_buf *b, uint64_t v)
{
	char tmp[24];
	int i = (int)sizeof(tmp);

	while (v >= 100) {
		unsigned k = (unsigned)(v % 100) * 2;

		v /= 100;
		tmp[--i] = pairs[k + 1];
		tmp[--i] = pairs[k];
	}
	if (v >= 10) {
		tmp[--i] = pairs[v * 2 + 1];
		tmp[--i] = pairs[v * 2];
	} else {
		tmp[--i] = (char)('0' + v);
	}
	sl_buf_add(b, tmp + i, sizeof(tmp) - (size_t)i);
}

void
sl_buf_add_hex(struct sl_buf *b, const unsigned char *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	char *o;

	sl_buf_grow(b, 2 * n);
	o = b->data + b->len;
	for (size_t i = 0; i < n; i++) {
		*o++ = hex[p[i] >> 4];
		*o++ = hex[p[i] & 15];
	}
	b->len += 2 * n;
	b->data[b->len] = '\0';
}

void
sl_buf_release(struct sl_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

char *
sl_buf_detach(struct sl_buf *b, size_t *len)
{
	char *p;

	if (b->data == NULL)
		sl_buf_grow(b, 0);
	p = b->data;
	if (len)
		*len = b->len;
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}
