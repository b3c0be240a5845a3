/* arena.c - see arena.h */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "xalloc.h"

struct sl_arena_chunk {
	struct sl_arena_chunk *next;
	size_t size;
	max_align_t data[];
};

#define SL_ARENA_MIN 8192

void
sl_arena_init(struct sl_arena *a)
{
	a->chunks = NULL;
	a->cur = a->end = NULL;
}

void *
sl_arena_alloc_slow(struct sl_arena *a, size_t n)
{
	struct sl_arena_chunk *c;
	size_t size = SL_ARENA_MIN;

	if (a->chunks && a->chunks->size * 2 > size)
		size = a->chunks->size * 2;
	while (size < n)
		size *= 2;
	c = sl_malloc(sizeof(*c) + size);
	c->size = size;
	c->next = a->chunks;
	a->chunks = c;
	a->cur = (char *)c->data + n;
	a->end = (char *)c->data + size;
	return c->data;
}

char *
sl_arena_strndup(struct sl_arena *a, const char *s, size_t n)
{
	char *p = sl_arena_alloc(a, n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void
sl_arena_reset(struct sl_arena *a)
{
	struct sl_arena_chunk *keep = a->chunks, *c, *next;

	if (keep == NULL)
		return;
	/* The newest chunk is the largest; keep it, free the rest. */
	for (c = keep->next; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	keep->next = NULL;
	a->cur = (char *)keep->data;
	a->end = (char *)keep->data + keep->size;
}

void
sl_arena_release(struct sl_arena *a)
{
	struct sl_arena_chunk *c, *next;

	for (c = a->chunks; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	sl_arena_init(a);
}
