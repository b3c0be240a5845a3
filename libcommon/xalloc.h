/*
 * xalloc.h - allocation that cannot fail: on exhaustion the tool dies with
 * exit status 70 ("out of memory") instead of returning NULL.
 * Everything returned is owned by the caller and released with free().
 */
#ifndef SL_XALLOC_H
#define SL_XALLOC_H

#include <stddef.h>

void *sl_malloc(size_t n);
void *sl_calloc(size_t n, size_t size);
void *sl_realloc(void *p, size_t n);
/* realloc for arrays: dies on n * size overflow. */
void *sl_reallocarray(void *p, size_t n, size_t size);
char *sl_strdup(const char *s);
char *sl_strndup(const char *s, size_t n);

/* Grows *cap geometrically until it holds need elements of size bytes. */
void *sl_grow(void *p, size_t *cap, size_t need, size_t size);

#endif
