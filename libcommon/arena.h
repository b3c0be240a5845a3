/*
 * arena.h - a bump allocator for per-record work.
 *
 * Everything allocated from an arena lives until sl_arena_reset() (between
 * records) or sl_arena_release().  Reset keeps the largest chunk, so a steady
 * stream of similar records allocates nothing after the first.  Allocations
 * are 8-byte aligned and never fail (xalloc dies on exhaustion).
 */
#ifndef SL_ARENA_H
#define SL_ARENA_H

#include <stddef.h>

struct sl_arena_chunk;

struct sl_arena {
	struct sl_arena_chunk *chunks; /* newest first */
	char *cur, *end;
};

#define SL_ARENA_INIT { NULL, NULL, NULL }

void sl_arena_init(struct sl_arena *a);
void *sl_arena_alloc_slow(struct sl_arena *a, size_t n);

static inline void *
sl_arena_alloc(struct sl_arena *a, size_t n)
{
	char *p = a->cur;

	n = (n + 7) & ~(size_t)7;
	if ((size_t)(a->end - p) < n || p == NULL)
		return sl_arena_alloc_slow(a, n);
	a->cur = p + n;
	return p;
}

/* Copies n bytes and appends a NUL. */
char *sl_arena_strndup(struct sl_arena *a, const char *s, size_t n);
void sl_arena_reset(struct sl_arena *a);
void sl_arena_release(struct sl_arena *a);

#endif
