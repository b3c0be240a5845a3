/* xalloc.c - see xalloc.h */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "xalloc.h"

static noreturn void
oom(size_t n)
{
	sl_die(SL_EX_SOFTWARE, "out of memory (allocating %zu bytes)", n);
}

void *
sl_malloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		oom(n);
	return p;
}

void *
sl_calloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		oom(n * size);
	return p;
}

void *
sl_realloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL)
		oom(n);
	return q;
}

void *
sl_reallocarray(void *p, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		oom(SIZE_MAX);
	return sl_realloc(p, n * size);
}

char *
sl_strdup(const char *s)
{
	return sl_strndup(s, strlen(s));
}

char *
sl_strndup(const char *s, size_t n)
{
	char *p = sl_malloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void *
sl_grow(void *p, size_t *cap, size_t need, size_t size)
{
	size_t c = *cap;

	if (need <= c)
		return p;
	if (c < 8)
		c = 8;
	while (c < need) {
		if (c > SIZE_MAX / 2)
			oom(SIZE_MAX);
		c *= 2;
	}
	p = sl_reallocarray(p, c, size);
	*cap = c;
	return p;
}
