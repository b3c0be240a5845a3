/* header.c - see header.h */
#include "config.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "diag.h"
#include "header.h"
#include "xalloc.h"

#define F(s) { s, sizeof(s) - 1 }

static const struct {
	const char *name;
	size_t len;
} tab[SL_F__COUNT] = {
	[SL_F_OTHER] = { NULL, 0 },
	[SL_F_WARC_TYPE] = F("WARC-Type"),
	[SL_F_WARC_RECORD_ID] = F("WARC-Record-ID"),
	[SL_F_WARC_DATE] = F("WARC-Date"),
	[SL_F_CONTENT_LENGTH] = F("Content-Length"),
	[SL_F_CONTENT_TYPE] = F("Content-Type"),
	[SL_F_WARC_CONCURRENT_TO] = F("WARC-Concurrent-To"),
	[SL_F_WARC_BLOCK_DIGEST] = F("WARC-Block-Digest"),
	[SL_F_WARC_PAYLOAD_DIGEST] = F("WARC-Payload-Digest"),
	[SL_F_WARC_IP_ADDRESS] = F("WARC-IP-Address"),
	[SL_F_WARC_REFERS_TO] = F("WARC-Refers-To"),
	[SL_F_WARC_REFERS_TO_TARGET_URI] = F("WARC-Refers-To-Target-URI"),
	[SL_F_WARC_REFERS_TO_DATE] = F("WARC-Refers-To-Date"),
	[SL_F_WARC_TARGET_URI] = F("WARC-Target-URI"),
	[SL_F_WARC_TRUNCATED] = F("WARC-Truncated"),
	[SL_F_WARC_WARCINFO_ID] = F("WARC-Warcinfo-ID"),
	[SL_F_WARC_FILENAME] = F("WARC-Filename"),
	[SL_F_WARC_PROFILE] = F("WARC-Profile"),
	[SL_F_WARC_IDENTIFIED_PAYLOAD_TYPE] = F("WARC-Identified-Payload-Type"),
	[SL_F_WARC_SEGMENT_NUMBER] = F("WARC-Segment-Number"),
	[SL_F_WARC_SEGMENT_ORIGIN_ID] = F("WARC-Segment-Origin-ID"),
	[SL_F_WARC_SEGMENT_TOTAL_LENGTH] = F("WARC-Segment-Total-Length"),
	[SL_F_SLUICE_KEY] = F("Sluice-Key"),
	[SL_F_SLUICE_EVENT_TIME] = F("Sluice-Event-Time"),
	[SL_F_SLUICE_VALID_UNTIL] = F("Sluice-Valid-Until"),
	[SL_F_SLUICE_CLASSIFICATION] = F("Sluice-Classification"),
	[SL_F_SLUICE_ROLES] = F("Sluice-Roles"),
	[SL_F_SLUICE_PII] = F("Sluice-PII"),
	[SL_F_SLUICE_AUTHORITY] = F("Sluice-Authority"),
	[SL_F_SLUICE_CERTIFICATION] = F("Sluice-Certification"),
	[SL_F_SLUICE_CONTRACT] = F("Sluice-Contract"),
	[SL_F_SLUICE_LINEAGE] = F("Sluice-Lineage"),
	[SL_F_SLUICE_DERIVED_FROM] = F("Sluice-Derived-From"),
};

const char *
sl_field_name(enum sl_field f)
{
	return (f > SL_F_OTHER && f < SL_F__COUNT) ? tab[f].name : NULL;
}

/* ASCII case-insensitive equality of two strings of n bytes. */
static int
same_name(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];

		if (x != y && ((x | 0x20) != (y | 0x20) ||
		    (unsigned char)((x | 0x20) - 'a') > 'z' - 'a'))
			return 0;
	}
	return 1;
}

/*
 * Field names are looked up for every header line read, so the candidates
 * are indexed by length (at most BYLEN_MAX per length, checked when the
 * index is built) and rejected on their last letter before the bytes are
 * compared.
 */
#define NAME_MAX_LEN 32
#define BYLEN_MAX 8
static unsigned char bylen[NAME_MAX_LEN][BYLEN_MAX];
static pthread_once_t bylen_once = PTHREAD_ONCE_INIT;

/*
 * Writers use the canonical spellings, so those are found first by their
 * first and last eight bytes (every known name is longer than eight),
 * case-sensitive, among the candidates of their length.
 */
static uint64_t first8[SL_F__COUNT], last8[SL_F__COUNT];
static int exact_ready;   /* set (release) once they are filled */

/* Are the n bytes at a and b the same? */
static int
same_bytes(const char *a, const char *b, size_t n)
{
	uint64_t x, y;

	if (n >= 8) {
		for (; n > 8; n -= 8, a += 8, b += 8) {
			memcpy(&x, a, 8);
			memcpy(&y, b, 8);
			if (x != y)
				return 0;
		}
		/* the last 8 bytes, overlapping what was compared */
		memcpy(&x, a + n - 8, 8);
		memcpy(&y, b + n - 8, 8);
		return x == y;
	}
	for (; n > 0; n--)
		if (*a++ != *b++)
			return 0;
	return 1;
}

static void
bylen_build(void)
{
	for (int i = 1; i < SL_F__COUNT; i++) {
		unsigned char *c = bylen[tab[i].len];
		int k = 0;

		while (c[k] != 0)
			k++;
		if (tab[i].len >= NAME_MAX_LEN || k >= BYLEN_MAX - 1)
			sl_die(SL_EX_SOFTWARE, "internal error: field index "
			    "too small for \"%s\"", tab[i].name);
		c[k] = (unsigned char)i;
	}
	for (int i = 1; i < SL_F__COUNT; i++) {
		if (tab[i].len <= 8)
			sl_die(SL_EX_SOFTWARE, "internal error: field name "
			    "\"%s\" too short for the index", tab[i].name);
		memcpy(&first8[i], tab[i].name, 8);
		memcpy(&last8[i], tab[i].name + tab[i].len - 8, 8);
	}
	__atomic_store_n(&exact_ready, 1, __ATOMIC_RELEASE);
}

enum sl_field
sl_field_lookup_exact(const char *name, size_t len, int *is_exact)
{
	uint64_t a, b;

	*is_exact = 0;
	if (len <= 8 || len >= NAME_MAX_LEN)
		return sl_field_lookup(name, len);
	if (!__atomic_load_n(&exact_ready, __ATOMIC_ACQUIRE))
		pthread_once(&bylen_once, bylen_build);
	memcpy(&a, name, 8);
	memcpy(&b, name + len - 8, 8);
	for (const unsigned char *c = bylen[len]; *c != 0; c++)
		if (first8[*c] == a && last8[*c] == b && (len <= 16 ||
		    same_bytes(tab[*c].name + 8, name + 8, len - 16))) {
			*is_exact = 1;
			return (enum sl_field)*c;
		}
	return sl_field_lookup(name, len);
}

enum sl_field
sl_field_lookup(const char *name, size_t len)
{
	unsigned char last;

	if (len == 0 || len >= NAME_MAX_LEN)
		return SL_F_OTHER;
	pthread_once(&bylen_once, bylen_build);
	last = (unsigned char)name[len - 1] | 0x20;
	for (const unsigned char *c = bylen[len]; *c != 0; c++) {
		/* writers use the canonical spelling: try that first */
		if (memcmp(tab[*c].name, name, len) == 0 ||
		    (((unsigned char)tab[*c].name[len - 1] | 0x20) == last &&
		    same_name(tab[*c].name, name, len)))
			return (enum sl_field)*c;
	}
	return SL_F_OTHER;
}

void
sl_headers_init(struct sl_headers *h, struct sl_arena *arena)
{
	h->f = NULL;
	h->n = h->cap = 0;
	h->arena = arena;
}

void
sl_headers_clear(struct sl_headers *h)
{
	h->n = 0;
}

void
sl_headers_release(struct sl_headers *h)
{
	free(h->f);
	h->f = NULL;
	h->n = h->cap = 0;
}

const struct sl_hfield *
sl_headers_find(const struct sl_headers *h, enum sl_field id)
{
	for (size_t i = 0; i < h->n; i++)
		if (h->f[i].id == id)
			return &h->f[i];
	return NULL;
}

const struct sl_hfield *
sl_headers_find_name(const struct sl_headers *h, const char *name, size_t len)
{
	for (size_t i = 0; i < h->n; i++)
		if (h->f[i].name_len == len &&
		    strncasecmp(h->f[i].name, name, len) == 0)
			return &h->f[i];
	return NULL;
}

const char *
sl_headers_get(const struct sl_headers *h, enum sl_field id)
{
	const struct sl_hfield *f = sl_headers_find(h, id);

	return f ? f->value : NULL;
}

size_t
sl_headers_count(const struct sl_headers *h, enum sl_field id)
{
	size_t n = 0;

	for (size_t i = 0; i < h->n; i++)
		n += h->f[i].id == id;
	return n;
}

static struct sl_hfield *
append(struct sl_headers *h)
{
	if (h->n == h->cap)
		h->f = sl_grow(h->f, &h->cap, h->n + 1, sizeof(*h->f));
	return &h->f[h->n++];
}

static void
fill(struct sl_headers *h, struct sl_hfield *f, enum sl_field id,
    const char *name, size_t name_len, const char *value, size_t len)
{
	f->id = id;
	if (id != SL_F_OTHER) {
		f->name = tab[id].name;
		f->name_len = tab[id].len;
	} else {
		f->name = sl_arena_strndup(h->arena, name, name_len);
		f->name_len = name_len;
	}
	f->value = sl_arena_strndup(h->arena, value, len);
	f->value_len = len;
	f->safe = 0;
}

void
sl_headers_add(struct sl_headers *h, enum sl_field id, const char *value, size_t len)
{
	fill(h, append(h), id, NULL, 0, value, len);
}

void
sl_headers_add_ref(struct sl_headers *h, enum sl_field id, const char *value,
    size_t len)
{
	struct sl_hfield *f;

	if (id <= SL_F_OTHER || id >= SL_F__COUNT)
		sl_die(SL_EX_SOFTWARE, "internal error: sl_headers_add_ref "
		    "needs a known field");
	f = append(h);
	f->id = id;
	f->name = tab[id].name;
	f->name_len = tab[id].len;
	f->value = value;
	f->value_len = len;
	f->safe = 0;
}

void
sl_headers_add_safe(struct sl_headers *h, enum sl_field id, const char *value,
    size_t len)
{
	sl_headers_add_ref(h, id, value, len);
	h->f[h->n - 1].safe = 1;
}

void
sl_headers_adds(struct sl_headers *h, enum sl_field id, const char *value)
{
	sl_headers_add(h, id, value, strlen(value));
}

void
sl_headers_add_id(struct sl_headers *h, enum sl_field id, const char *name,
    size_t name_len, const char *value, size_t len)
{
	struct sl_hfield *f;
	char *v;

	if (id == SL_F_OTHER) {
		fill(h, append(h), id, name, name_len, value, len);
		return;
	}
	/* fill(), for the reader's hot path */
	f = append(h);
	f->id = id;
	f->name = tab[id].name;
	f->name_len = tab[id].len;
	v = sl_arena_alloc(h->arena, len + 1);
	memcpy(v, value, len);
	v[len] = '\0';
	f->value = v;
	f->value_len = len;
	f->safe = 0;
}

void
sl_headers_add_name(struct sl_headers *h, const char *name, size_t name_len,
    const char *value, size_t len)
{
	fill(h, append(h), sl_field_lookup(name, name_len), name, name_len,
	    value, len);
}

void
sl_headers_set(struct sl_headers *h, enum sl_field id, const char *value, size_t len)
{
	size_t i, j;

	for (i = 0; i < h->n && h->f[i].id != id; i++)
		;
	if (i == h->n) {
		sl_headers_add(h, id, value, len);
		return;
	}
	fill(h, &h->f[i], id, NULL, 0, value, len);
	for (j = ++i; i < h->n; i++)
		if (h->f[i].id != id)
			h->f[j++] = h->f[i];
	h->n = j;
}

void
sl_headers_sets(struct sl_headers *h, enum sl_field id, const char *value)
{
	sl_headers_set(h, id, value, strlen(value));
}

size_t
sl_headers_del(struct sl_headers *h, enum sl_field id)
{
	size_t i, j;

	for (i = j = 0; i < h->n; i++)
		if (h->f[i].id != id)
			h->f[j++] = h->f[i];
	i = h->n - j;
	h->n = j;
	return i;
}

void
sl_headers_copy(struct sl_headers *dst, const struct sl_headers *src)
{
	for (size_t i = 0; i < src->n; i++)
		fill(dst, append(dst), src->f[i].id, src->f[i].name,
		    src->f[i].name_len, src->f[i].value, src->f[i].value_len);
}
