/*
 * profile.c - the profile of a stream's data records: accumulate, merge,
 * write and read back (profile.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arena.h"
#include "buf.h"
#include "header.h"
#include "json.h"
#include "profile.h"
#include "sketch.h"
#include "xalloc.h"

/* Counts beyond 2^53 cannot be held exactly by a double: refused. */
#define MAX_COUNT ((uint64_t)1 << 53)
/* A profile file larger than this is refused before it is read. */
#define MAX_FILE ((off_t)1 << 30)

static const char *const ptype_names[SL_PT__N] = {
	"null", "boolean", "number", "string", "array", "object",
};

const char *
sl_ptype_name(enum sl_ptype t)
{
	return t < SL_PT__N ? ptype_names[t] : "?";
}

/* ---- accumulating ---- */

static void
numsk_add(struct sl_numsk *s, double x)
{
	if (!isfinite(x))
		return;
	sl_moments_add(&s->mom, x);
	if (s->kll == NULL)
		s->kll = sl_kll_new(SL_PROFILE_KLL_K, SL_PROFILE_SEED);
	sl_kll_add(s->kll, x);
}

static void
numsk_merge(struct sl_numsk *into, const struct sl_numsk *from)
{
	sl_moments_merge(&into->mom, &from->mom);
	if (from->kll == NULL)
		return;
	if (into->kll == NULL)
		into->kll = sl_kll_new(SL_PROFILE_KLL_K, SL_PROFILE_SEED);
	sl_kll_merge(into->kll, from->kll);
}

static void
numsk_release(struct sl_numsk *s)
{
	sl_kll_free(s->kll);
	s->kll = NULL;
}

static struct sl_topk *
topk_merge(struct sl_topk *into, const struct sl_topk *from)
{
	if (from == NULL)
		return into;
	if (into == NULL)
		into = sl_topk_new(SL_PROFILE_TOPK);
	sl_topk_merge(into, from);
	return into;
}

struct sl_profile *
sl_profile_new(void)
{
	struct sl_profile *p = sl_calloc(1, sizeof(*p));

	p->nslots = 64;
	p->slots = sl_calloc(p->nslots, sizeof(*p->slots));
	return p;
}

static void
pfield_release(struct sl_pfield *f)
{
	free(f->name);
	numsk_release(&f->num);
	numsk_release(&f->len);
	sl_topk_free(f->cat);
	sl_hll_free(f->hll);
}

void
sl_profile_free(struct sl_profile *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->n; i++)
		pfield_release(&p->f[i]);
	free(p->f);
	free(p->slots);
	free(p->selection);
	sl_topk_free(p->media_types);
	sl_topk_free(p->classification);
	numsk_release(&p->payload_size);
	numsk_release(&p->image_width);
	numsk_release(&p->image_height);
	numsk_release(&p->age);
	free(p);
}

static uint64_t
name_hash(const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static void
index_rebuild(struct sl_profile *p, size_t nslots)
{
	free(p->slots);
	p->nslots = nslots;
	p->slots = sl_calloc(nslots, sizeof(*p->slots));
	for (size_t i = 0; i < p->n; i++) {
		size_t s = name_hash(p->f[i].name, p->f[i].name_len) & (nslots - 1);

		while (p->slots[s])
			s = (s + 1) & (nslots - 1);
		p->slots[s] = i + 1;
	}
}

struct sl_pfield *
sl_profile_field(struct sl_profile *p, const char *name, size_t len, int create)
{
	size_t s = name_hash(name, len) & (p->nslots - 1);
	struct sl_pfield *f;

	while (p->slots[s]) {
		f = &p->f[p->slots[s] - 1];
		if (f->name_len == len && memcmp(f->name, name, len) == 0)
			return f;
		s = (s + 1) & (p->nslots - 1);
	}
	if (!create || p->n >= SL_PROFILE_MAX_FIELDS)
		return NULL;
	p->f = sl_grow(p->f, &p->cap, p->n + 1, sizeof(*p->f));
	f = &p->f[p->n++];
	memset(f, 0, sizeof(*f));
	f->name = sl_strndup(name, len);
	f->name_len = len;
	if (p->n * 2 > p->nslots)
		index_rebuild(p, p->nslots * 2);
	else
		p->slots[s] = p->n;
	return f;
}

/*
 * A JSON number's value.  Short decimals (up to 15 significant digits, up
 * to 22 after the point) are exact integers divided by an exact power of
 * ten, so one correctly rounded division gives what strtod gives; the rest
 * goes to strtod.
 */
static double
number_value(const char *s, size_t len)
{
	static const double p10[] = {
		1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
		1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
	};
	const char *p = s, *end = s + len;
	uint64_t m = 0;
	int neg = 0, digits = 0, frac = 0;

	if (p < end && *p == '-') {
		neg = 1;
		p++;
	}
	/* the integer part, then the fraction's digits */
	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		m = m * 10 + (uint64_t)(*p - '0');
		digits += m != 0;
		if (digits > 15)
			return strtod(s, NULL);
	}
	if (p < end && *p == '.') {
		for (p++; p < end && *p >= '0' && *p <= '9'; p++) {
			m = m * 10 + (uint64_t)(*p - '0');
			digits += m != 0;
			if (digits > 15 || ++frac > 22)
				return strtod(s, NULL);
		}
	}
	if (p < end)
		return strtod(s, NULL);	/* an exponent */
	return (neg ? -(double)m : (double)m) / p10[frac];
}

/*
 * A category is at most the first SL_PROFILE_CATEGORY_MAX bytes of a string,
 * cut at a character boundary, so a sketch's memory does not depend on how
 * long the strings are.
 */
static size_t
category_len(const char *s, size_t len)
{
	if (len <= SL_PROFILE_CATEGORY_MAX)
		return len;
	len = SL_PROFILE_CATEGORY_MAX;
	while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80)
		len--;
	return len;
}

void
sl_pfield_add(struct sl_pfield *f, const struct sl_json *v)
{
	if (v == NULL)
		return;
	f->count++;
	switch (v->type) {
	case SL_JSON_NULL:
		f->types[SL_PT_NULL]++;
		break;
	case SL_JSON_TRUE:
	case SL_JSON_FALSE:
		f->types[SL_PT_BOOLEAN]++;
		if (f->cat == NULL)
			f->cat = sl_topk_new(SL_PROFILE_TOPK);
		if (v->type == SL_JSON_TRUE)
			sl_topk_add(f->cat, "true", 4, 1);
		else
			sl_topk_add(f->cat, "false", 5, 1);
		break;
	case SL_JSON_NUMBER:
		f->types[SL_PT_NUMBER]++;
		numsk_add(&f->num, number_value(v->u.num, v->len));
		break;
	case SL_JSON_STRING:
		f->types[SL_PT_STRING]++;
		if (f->cat == NULL) {
			f->cat = sl_topk_new(SL_PROFILE_TOPK);
			f->hll = sl_hll_new(SL_PROFILE_HLL_P);
		} else if (f->hll == NULL) {
			f->hll = sl_hll_new(SL_PROFILE_HLL_P);
		}
		if (v->len <= SL_PROFILE_CATEGORY_MAX &&
		    v->len <= SL_TOPK_KEY_MAX) {
			/* the category is the whole string: one hash for both */
			uint64_t h = sl_hash64(v->u.str, v->len);

			sl_topk_add_hash(f->cat, v->u.str, v->len, h, 1);
			sl_hll_add_hash(f->hll, h);
		} else {
			sl_topk_add(f->cat, v->u.str, category_len(v->u.str,
			    v->len), 1);
			sl_hll_add(f->hll, v->u.str, v->len);
		}
		numsk_add(&f->len, (double)v->len);
		break;
	case SL_JSON_ARRAY:
		f->types[SL_PT_ARRAY]++;
		break;
	case SL_JSON_OBJECT:
		f->types[SL_PT_OBJECT]++;
		break;
	}
}

static uint32_t
be16(const unsigned char *p)
{
	return (uint32_t)p[0] << 8 | p[1];
}

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static uint32_t
le16(const unsigned char *p)
{
	return (uint32_t)p[1] << 8 | p[0];
}

static uint32_t
le24(const unsigned char *p)
{
	return (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static int
jpeg_size(const unsigned char *p, size_t len, uint32_t *w, uint32_t *h)
{
	size_t i = 2;

	while (i + 4 <= len) {
		unsigned m;

		if (p[i] != 0xff)
			return -1;
		while (i < len && p[i] == 0xff)
			i++;
		if (i >= len)
			return -1;
		m = p[i++];
		if (m == 0xd8 || m == 0x01 || (m >= 0xd0 && m <= 0xd7))
			continue;	/* no length */
		if (m == 0xd9 || m == 0xda || i + 2 > len)
			return -1;	/* end of image or of headers: no frame */
		if (m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 &&
		    m != 0xcc) {
			if (i + 7 > len)
				return -1;
			*h = be16(p + i + 3);
			*w = be16(p + i + 5);
			/* a height of 0 is given later (DNL): not read here */
			return *w == 0 || *h == 0 ? -1 : 0;
		}
		if (be16(p + i) < 2)
			return -1;
		i += be16(p + i);
	}
	return -1;
}

int
sl_image_size(const unsigned char *p, size_t len, uint32_t *w, uint32_t *h)
{
	if (len >= 24 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0 &&
	    memcmp(p + 12, "IHDR", 4) == 0) {
		*w = be32(p + 16);
		*h = be32(p + 20);
		/* PNG sizes are 1 .. 2^31 - 1: a header that says more lies */
		if (*w == 0 || *h == 0 || *w > 0x7fffffffu || *h > 0x7fffffffu)
			return -1;
		return 0;
	}
	if (len >= 10 && (memcmp(p, "GIF87a", 6) == 0 ||
	    memcmp(p, "GIF89a", 6) == 0)) {
		*w = le16(p + 6);
		*h = le16(p + 8);
		return 0;
	}
	if (len >= 4 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff)
		return jpeg_size(p, len, w, h);
	if (len >= 30 && memcmp(p, "RIFF", 4) == 0 &&
	    memcmp(p + 8, "WEBP", 4) == 0) {
		if (memcmp(p + 12, "VP8 ", 4) == 0 &&
		    memcmp(p + 23, "\x9d\x01\x2a", 3) == 0) {
			*w = le16(p + 26) & 0x3fff;
			*h = le16(p + 28) & 0x3fff;
			return 0;
		}
		if (memcmp(p + 12, "VP8L", 4) == 0 && p[20] == 0x2f) {
			*w = 1 + (p[21] | (uint32_t)(p[22] & 0x3f) << 8);
			*h = 1 + ((uint32_t)p[22] >> 6 | (uint32_t)p[23] << 2 |
			    (uint32_t)(p[24] & 0x0f) << 10);
			return 0;
		}
		if (memcmp(p + 12, "VP8X", 4) == 0) {
			*w = 1 + le24(p + 24);
			*h = 1 + le24(p + 27);
			return 0;
		}
	}
	return -1;
}

/*
 * sl_time_parse(s, strlen(s), out, NULL), with the date and time of day
 * taken from tc when s starts with the one it holds and goes on with an
 * optional fraction and "Z": the rest of sl_time_parse() in that case, so
 * the result is the same.  Anything else gets the whole parse, and a time
 * that parses refreshes tc.
 */
static int
event_time_parse(struct sl_tcache *tc, const char *s, sl_time *out)
{
	size_t len = strlen(s), i = 19;
	char z[20];

	if (tc != NULL && tc->valid && len >= 20 &&
	    memcmp(s, tc->prefix, 19) == 0) {
		int64_t us = 0;

		if (s[i] == '.') {
			int64_t scale = 100000;

			if (++i >= len || s[i] < '0' || s[i] > '9')
				return -1;
			for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
				us += (s[i] - '0') * scale;
				scale /= 10;
			}
		}
		if (i + 1 == len && (s[i] == 'Z' || s[i] == 'z')) {
			sl_time t = tc->base + us;

			if (t < SL_TIME_MIN || t > SL_TIME_MAX)
				return -1;
			*out = t;
			return 0;
		}
	}
	if (sl_time_parse(s, len, out, NULL) < 0)
		return -1;
	if (tc != NULL && len >= 20 && (!tc->valid ||
	    memcmp(s, tc->prefix, 19) != 0)) {
		memcpy(z, s, 19);
		z[19] = 'Z';
		tc->valid = sl_time_parse(z, 20, &tc->base, NULL) == 0;
		memcpy(tc->prefix, s, 19);
	}
	return 0;
}

void
sl_rfacts_from(struct sl_rfacts *f, size_t block_len, const char *content_type,
    const char *classification, const char *event_time, struct sl_tcache *tc)
{
	memset(f, 0, sizeof(*f));
	f->block_len = block_len;
	if (content_type != NULL) {
		size_t n = strcspn(content_type, ";");

		while (n > 0 && (content_type[n - 1] == ' ' ||
		    content_type[n - 1] == '\t'))
			n--;
		f->media = content_type;
		f->media_len = n;
	}
	if (classification != NULL) {
		f->classification = classification;
		f->classification_len = strlen(classification);
	}
	if (event_time != NULL && event_time_parse(tc, event_time,
	    &f->event_time) == 0)
		f->has_time = 1;
}

void
sl_rfacts_get(struct sl_rfacts *f, const struct sl_record *rec)
{
	const char *ct = NULL, *cls = NULL, *et = NULL;

	/* one pass over the header: the first field of each kind counts */
	for (size_t i = 0; i < rec->hdr.n; i++) {
		const struct sl_hfield *h = &rec->hdr.f[i];

		if (h->id == SL_F_CONTENT_TYPE && ct == NULL)
			ct = h->value;
		else if (h->id == SL_F_SLUICE_CLASSIFICATION && cls == NULL)
			cls = h->value;
		else if (h->id == SL_F_SLUICE_EVENT_TIME && et == NULL)
			et = h->value;
	}
	sl_rfacts_from(f, rec->block_len, ct, cls, et, NULL);
	if (sl_image_size(rec->block, rec->block_len, &f->width,
	    &f->height) == 0)
		f->has_image = 1;
}

void
sl_profile_add_kinds(struct sl_profile *p, const struct sl_rfacts *f)
{
	p->records++;
	if (f->media != NULL) {
		if (p->media_types == NULL)
			p->media_types = sl_topk_new(SL_PROFILE_TOPK);
		sl_topk_add_hint(p->media_types, f->media, f->media_len, 1,
		    &p->media_hint);
	}
	if (f->classification != NULL) {
		if (p->classification == NULL)
			p->classification = sl_topk_new(SL_PROFILE_TOPK);
		sl_topk_add_hint(p->classification, f->classification,
		    f->classification_len, 1, &p->class_hint);
	}
}

void
sl_profile_add_sizes(struct sl_profile *p, const struct sl_rfacts *f,
    sl_time now)
{
	numsk_add(&p->payload_size, (double)f->block_len);
	if (f->has_image) {
		numsk_add(&p->image_width, f->width);
		numsk_add(&p->image_height, f->height);
	}
	if (f->has_time)
		numsk_add(&p->age, (double)(now - f->event_time) / 1e6);
}

void
sl_profile_add_facts(struct sl_profile *p, const struct sl_rfacts *f,
    sl_time now)
{
	sl_profile_add_kinds(p, f);
	sl_profile_add_sizes(p, f, now);
}

void
sl_profile_take_kinds(struct sl_profile *into, struct sl_profile *from)
{
	into->records = from->records;
	into->media_types = from->media_types;
	into->classification = from->classification;
	from->records = 0;
	from->media_types = NULL;
	from->classification = NULL;
}

void
sl_profile_add_record(struct sl_profile *p, const struct sl_record *rec,
    sl_time now)
{
	struct sl_rfacts f;

	sl_rfacts_get(&f, rec);
	sl_profile_add_facts(p, &f, now);
}

/* ---- merging ---- */

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char *
sl_profile_selection(char *const *ptrs, size_t n)
{
	char **v;
	struct sl_buf b = SL_BUF_INIT;
	char *out;

	if (n == 0)
		return NULL;
	v = sl_calloc(n, sizeof(*v));
	memcpy(v, ptrs, n * sizeof(*v));
	qsort(v, n, sizeof(*v), str_cmp);
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && strcmp(v[i], v[i - 1]) == 0)
			continue;	/* a pointer given twice is one field */
		if (b.len)
			sl_buf_addc(&b, ',');
		sl_buf_adds(&b, v[i]);
	}
	out = sl_strndup(b.data, b.len);
	sl_buf_release(&b);
	free(v);
	return out;
}

int
sl_profile_same_fields(const struct sl_profile *a, const struct sl_profile *b)
{
	if (a->selection == NULL || b->selection == NULL)
		return a->selection == b->selection;
	return strcmp(a->selection, b->selection) == 0;
}

void
sl_profile_merge(struct sl_profile *into, const struct sl_profile *from)
{
	into->records += from->records;
	into->json_records += from->json_records;
	into->fields_dropped += from->fields_dropped;
	into->media_types = topk_merge(into->media_types, from->media_types);
	into->classification = topk_merge(into->classification,
	    from->classification);
	numsk_merge(&into->payload_size, &from->payload_size);
	numsk_merge(&into->image_width, &from->image_width);
	numsk_merge(&into->image_height, &from->image_height);
	numsk_merge(&into->age, &from->age);
	for (size_t i = 0; i < from->n; i++) {
		const struct sl_pfield *s = &from->f[i];
		struct sl_pfield *d = sl_profile_field(into, s->name, s->name_len, 1);

		if (d == NULL) {
			into->fields_dropped += s->count;
			continue;
		}
		d->count += s->count;
		for (int t = 0; t < SL_PT__N; t++)
			d->types[t] += s->types[t];
		numsk_merge(&d->num, &s->num);
		numsk_merge(&d->len, &s->len);
		d->cat = topk_merge(d->cat, s->cat);
		if (s->hll != NULL) {
			if (d->hll == NULL)
				d->hll = sl_hll_new(SL_PROFILE_HLL_P);
			sl_hll_merge(d->hll, s->hll);
		}
	}
}

/* ---- writing ---- */

static void
numsk_write(struct sl_buf *b, const struct sl_numsk *s)
{
	sl_buf_adds(b, "{\"moments\":");
	sl_moments_write(b, &s->mom);
	sl_buf_adds(b, ",\"kll\":");
	if (s->kll != NULL)
		sl_kll_write(b, s->kll);
	else
		sl_buf_adds(b, "null");
	sl_buf_addc(b, '}');
}

static void
topk_write(struct sl_buf *b, const struct sl_topk *s)
{
	if (s != NULL)
		sl_topk_write(b, s);
	else
		sl_buf_adds(b, "null");
}

static int
field_cmp(const void *a, const void *b)
{
	const struct sl_pfield *x = *(const struct sl_pfield *const *)a;
	const struct sl_pfield *y = *(const struct sl_pfield *const *)b;
	size_t n = x->name_len < y->name_len ? x->name_len : y->name_len;
	int c = memcmp(x->name, y->name, n);

	if (c != 0)
		return c;
	return x->name_len < y->name_len ? -1 : x->name_len > y->name_len;
}

void
sl_profile_write(struct sl_buf *b, const struct sl_profile *p)
{
	const struct sl_pfield **order = sl_calloc(p->n + 1, sizeof(*order));

	sl_buf_addf(b, "{\"sluice_profile\":%d,\"records\":%llu,"
	    "\"json_records\":%llu,\"fields_dropped\":%llu,",
	    SL_PROFILE_VERSION, (unsigned long long)p->records,
	    (unsigned long long)p->json_records,
	    (unsigned long long)p->fields_dropped);
	sl_buf_adds(b, "\"fields_selected\":");
	if (p->selection == NULL) {
		sl_buf_adds(b, "null");
	} else {
		const char *s = p->selection;

		sl_buf_addc(b, '[');
		for (;;) {
			size_t k = strcspn(s, ",");

			sl_json_write_string(b, s, k);
			if (s[k] == '\0')
				break;
			sl_buf_addc(b, ',');
			s += k + 1;
		}
		sl_buf_addc(b, ']');
	}
	sl_buf_adds(b, ",\"stream\":{\n \"media_types\":");
	topk_write(b, p->media_types);
	sl_buf_adds(b, ",\n \"classification\":");
	topk_write(b, p->classification);
	sl_buf_adds(b, ",\n \"payload_size\":");
	numsk_write(b, &p->payload_size);
	sl_buf_adds(b, ",\n \"image_width\":");
	numsk_write(b, &p->image_width);
	sl_buf_adds(b, ",\n \"image_height\":");
	numsk_write(b, &p->image_height);
	sl_buf_adds(b, ",\n \"age_seconds\":");
	numsk_write(b, &p->age);
	sl_buf_adds(b, "},\n\"fields\":{");
	for (size_t i = 0; i < p->n; i++)
		order[i] = &p->f[i];
	qsort(order, p->n, sizeof(*order), field_cmp);
	for (size_t i = 0; i < p->n; i++) {
		const struct sl_pfield *f = order[i];

		sl_buf_adds(b, i ? ",\n " : "\n ");
		sl_json_write_string(b, f->name, f->name_len);
		sl_buf_addf(b, ":{\"count\":%llu,\"types\":{",
		    (unsigned long long)f->count);
		for (int t = 0; t < SL_PT__N; t++)
			sl_buf_addf(b, "%s\"%s\":%llu", t ? "," : "", ptype_names[t],
			    (unsigned long long)f->types[t]);
		sl_buf_adds(b, "}");
		if (f->num.kll != NULL || f->num.mom.n > 0) {
			sl_buf_adds(b, ",\"number\":");
			numsk_write(b, &f->num);
		}
		if (f->cat != NULL) {
			sl_buf_adds(b, ",\"categories\":");
			sl_topk_write(b, f->cat);
		}
		if (f->hll != NULL) {
			sl_buf_adds(b, ",\"distinct\":");
			sl_hll_write(b, f->hll);
			sl_buf_adds(b, ",\"length\":");
			numsk_write(b, &f->len);
		}
		sl_buf_addc(b, '}');
	}
	sl_buf_adds(b, "}}\n");
	free(order);
}

/* ---- reading, refusing what does not add up ---- */

struct rd {
	char *err;
	size_t errlen;
	int failed;
};

static int SL_PRINTF(2, 3)
bad(struct rd *r, const char *fmt, ...)
{
	va_list ap;

	if (r->failed)
		return -1;
	va_start(ap, fmt);
	vsnprintf(r->err, r->errlen, fmt, ap);
	va_end(ap);
	r->failed = 1;
	return -1;
}

/* A member that must be there and be an object. */
static const struct sl_json *
get_obj(struct rd *r, const struct sl_json *o, const char *where,
    const char *key)
{
	const struct sl_json *v = sl_json_get(o, key, strlen(key));

	if (v == NULL || v->type != SL_JSON_OBJECT) {
		bad(r, "%s: \"%s\" %s", where, key, v ? "is not an object" :
		    "is missing");
		return NULL;
	}
	return v;
}

/* A count: an integer from 0 to 2^53, written without fraction or exponent. */
static int
get_count(struct rd *r, const struct sl_json *o, const char *where,
    const char *key, uint64_t *out)
{
	const struct sl_json *v = sl_json_get(o, key, strlen(key));
	unsigned long long n;
	char *end;

	if (v == NULL)
		return bad(r, "%s: \"%s\" is missing", where, key);
	if (v->type != SL_JSON_NUMBER || v->len > 16 || v->u.num[0] == '-' ||
	    strspn(v->u.num, "0123456789") != v->len)
		return bad(r, "%s: \"%s\" is not a count (a whole number from 0 "
		    "to 2^53)", where, key);
	errno = 0;
	n = strtoull(v->u.num, &end, 10);
	if (errno != 0 || n > MAX_COUNT)
		return bad(r, "%s: \"%s\" %s is beyond 2^53", where, key, v->u.num);
	*out = n;
	return 0;
}

static int
member_cmp(const void *a, const void *b)
{
	const struct sl_json_member *x = *(const struct sl_json_member *const *)a;
	const struct sl_json_member *y = *(const struct sl_json_member *const *)b;
	size_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
	int c = memcmp(x->key, y->key, n);

	if (c != 0)
		return c;
	return x->key_len < y->key_len ? -1 : x->key_len > y->key_len;
}

/*
 * Duplicate keys would make two readers disagree (jq keeps the last, this
 * reader the first).  Each object is checked by sorting its keys, so a
 * hostile document costs n log n.
 */
const struct sl_json_member *
sl_json_duplicate(const struct sl_json *v)
{
	const struct sl_json_member *dup = NULL;

	if (v->type == SL_JSON_ARRAY) {
		for (size_t i = 0; i < v->len && dup == NULL; i++)
			dup = sl_json_duplicate(&v->u.items[i]);
		return dup;
	}
	if (v->type != SL_JSON_OBJECT)
		return NULL;
	if (v->len > 1) {
		const struct sl_json_member **m = sl_calloc(v->len, sizeof(*m));

		for (size_t i = 0; i < v->len; i++)
			m[i] = &v->u.members[i];
		qsort(m, v->len, sizeof(*m), member_cmp);
		for (size_t i = 1; i < v->len && dup == NULL; i++)
			if (member_cmp(&m[i - 1], &m[i]) == 0)
				dup = m[i];
		free(m);
	}
	for (size_t i = 0; i < v->len && dup == NULL; i++)
		dup = sl_json_duplicate(&v->u.members[i].value);
	return dup;
}

static int
no_duplicates(struct rd *r, const struct sl_json *v, const char *where)
{
	const struct sl_json_member *dup = sl_json_duplicate(v);

	if (dup != NULL)
		return bad(r, "%s: key \"%.100s\" appears twice", where,
		    dup->key);
	return 0;
}

static int
numsk_read(struct rd *r, const struct sl_json *v, const char *where,
    struct sl_numsk *s)
{
	const struct sl_json *m, *k;
	char e[256];

	if (v == NULL || v->type != SL_JSON_OBJECT)
		return bad(r, "%s: not an object", where);
	m = sl_json_get(v, "moments", 7);
	k = sl_json_get(v, "kll", 3);
	if (m == NULL || k == NULL)
		return bad(r, "%s: \"moments\" or \"kll\" is missing", where);
	e[0] = '\0';
	if (sl_moments_read(m, &s->mom, e, sizeof(e)) < 0)
		return bad(r, "%s: %s", where, e);
	/* m2 is +inf after a sum of squares overflowed (values near 1e308) */
	if (s->mom.n > MAX_COUNT || !isfinite(s->mom.mean) ||
	    isnan(s->mom.m2) || s->mom.m2 < 0 ||
	    (s->mom.n > 0 && (!isfinite(s->mom.min) || !isfinite(s->mom.max) ||
	    s->mom.min > s->mom.max)))
		return bad(r, "%s: moments do not add up", where);
	if (k->type == SL_JSON_NULL) {
		if (s->mom.n != 0)
			return bad(r, "%s: %llu values but no quantile sketch",
			    where, (unsigned long long)s->mom.n);
		return 0;
	}
	if ((s->kll = sl_kll_read(k, e, sizeof(e))) == NULL)
		return bad(r, "%s: %s", where, e);
	if (sl_kll_count(s->kll) != s->mom.n)
		return bad(r, "%s: the quantile sketch holds %llu values, the "
		    "moments %llu", where, (unsigned long long)sl_kll_count(s->kll),
		    (unsigned long long)s->mom.n);
	return 0;
}

static int
topk_read(struct rd *r, const struct sl_json *v, const char *where,
    struct sl_topk **out)
{
	char e[256];

	*out = NULL;
	if (v == NULL)
		return bad(r, "%s is missing", where);
	if (v->type == SL_JSON_NULL)
		return 0;
	e[0] = '\0';
	if ((*out = sl_topk_read(v, e, sizeof(e))) == NULL)
		return bad(r, "%s: %s", where, e);
	if (sl_topk_total(*out) > MAX_COUNT)
		return bad(r, "%s: a total beyond 2^53", where);
	return 0;
}

static int
field_read(struct rd *r, struct sl_profile *p, const struct sl_json_member *m)
{
	const struct sl_json *o = &m->value, *t, *v;
	struct sl_pfield *f;
	char where[160];
	uint64_t sum = 0, cats = 0;
	char e[256];

	snprintf(where, sizeof(where), "field \"%.100s\"", m->key);
	if (o->type != SL_JSON_OBJECT)
		return bad(r, "%s: not an object", where);
	if ((f = sl_profile_field(p, m->key, m->key_len, 1)) == NULL)
		return bad(r, "more than %d fields", SL_PROFILE_MAX_FIELDS);
	if (f->count != 0)
		return bad(r, "%s appears twice", where);
	if (get_count(r, o, where, "count", &f->count) < 0 ||
	    (t = get_obj(r, o, where, "types")) == NULL)
		return -1;
	for (int i = 0; i < SL_PT__N; i++) {
		if (get_count(r, t, where, ptype_names[i], &f->types[i]) < 0)
			return -1;
		sum += f->types[i];
	}
	if (sum != f->count)
		return bad(r, "%s: count %llu but types add up to %llu", where,
		    (unsigned long long)f->count, (unsigned long long)sum);
	if (f->count == 0)
		return bad(r, "%s: a field with a count of 0", where);
	if (f->count > p->json_records)
		return bad(r, "%s: count %llu beyond the %llu JSON records", where,
		    (unsigned long long)f->count,
		    (unsigned long long)p->json_records);
	if ((v = sl_json_get(o, "number", 6)) != NULL) {
		if (numsk_read(r, v, where, &f->num) < 0)
			return -1;
	}
	if (f->num.mom.n > f->types[SL_PT_NUMBER])
		return bad(r, "%s: %llu numbers sketched but %llu counted", where,
		    (unsigned long long)f->num.mom.n,
		    (unsigned long long)f->types[SL_PT_NUMBER]);
	if ((v = sl_json_get(o, "categories", 10)) != NULL &&
	    topk_read(r, v, where, &f->cat) < 0)
		return -1;
	cats = f->cat ? sl_topk_total(f->cat) : 0;
	if (cats != f->types[SL_PT_STRING] + f->types[SL_PT_BOOLEAN])
		return bad(r, "%s: %llu categories sketched but %llu strings and "
		    "booleans counted", where, (unsigned long long)cats,
		    (unsigned long long)(f->types[SL_PT_STRING] +
		    f->types[SL_PT_BOOLEAN]));
	if ((v = sl_json_get(o, "distinct", 8)) != NULL &&
	    v->type != SL_JSON_NULL) {
		e[0] = '\0';
		if ((f->hll = sl_hll_read(v, e, sizeof(e))) == NULL)
			return bad(r, "%s: %s", where, e);
	}
	if ((v = sl_json_get(o, "length", 6)) != NULL &&
	    numsk_read(r, v, where, &f->len) < 0)
		return -1;
	if (f->len.mom.n != f->types[SL_PT_STRING])
		return bad(r, "%s: %llu string lengths but %llu strings", where,
		    (unsigned long long)f->len.mom.n,
		    (unsigned long long)f->types[SL_PT_STRING]);
	return 0;
}

static struct sl_profile *
profile_from_json(struct rd *r, const struct sl_json *doc)
{
	struct sl_profile *p = sl_profile_new();
	const struct sl_json *v, *s, *fields;
	uint64_t version;

	if (doc->type != SL_JSON_OBJECT) {
		bad(r, "not a profile (not a JSON object)");
		goto fail;
	}
	v = sl_json_get(doc, "sluice_profile", 14);
	if (v == NULL) {
		bad(r, "not a profile (no \"sluice_profile\" version)");
		goto fail;
	}
	if (get_count(r, doc, "profile", "sluice_profile", &version) < 0)
		goto fail;
	if (version != SL_PROFILE_VERSION) {
		bad(r, "profile version %llu is not supported (this sluice-drift "
		    "reads version %d)", (unsigned long long)version,
		    SL_PROFILE_VERSION);
		goto fail;
	}
	if (no_duplicates(r, doc, "profile") < 0 ||
	    get_count(r, doc, "profile", "records", &p->records) < 0 ||
	    get_count(r, doc, "profile", "json_records", &p->json_records) < 0 ||
	    get_count(r, doc, "profile", "fields_dropped", &p->fields_dropped) < 0)
		goto fail;
	if ((v = sl_json_get(doc, "fields_selected", 15)) != NULL &&
	    v->type != SL_JSON_NULL) {
		char **ptrs;

		if (v->type != SL_JSON_ARRAY || v->len == 0 ||
		    v->len > 4096) {
			bad(r, "profile: \"fields_selected\" is not null or a list "
			    "of 1 to 4096 JSON Pointers");
			goto fail;
		}
		for (size_t i = 0; i < v->len; i++) {
			const struct sl_json *x = &v->u.items[i];

			if (x->type != SL_JSON_STRING || x->len == 0 ||
			    x->u.str[0] != '/' || strlen(x->u.str) != x->len ||
			    memchr(x->u.str, ',', x->len) != NULL) {
				bad(r, "profile: \"fields_selected\" item %zu is not a "
				    "JSON Pointer without commas", i);
				goto fail;
			}
		}
		ptrs = sl_calloc(v->len, sizeof(*ptrs));
		for (size_t i = 0; i < v->len; i++)
			ptrs[i] = (char *)v->u.items[i].u.str;
		p->selection = sl_profile_selection(ptrs, v->len);
		free(ptrs);
	}
	if (p->json_records > p->records) {
		bad(r, "profile: %llu JSON records but %llu records",
		    (unsigned long long)p->json_records,
		    (unsigned long long)p->records);
		goto fail;
	}
	if ((s = get_obj(r, doc, "profile", "stream")) == NULL ||
	    topk_read(r, sl_json_get(s, "media_types", 11), "stream: media_types",
	    &p->media_types) < 0 ||
	    topk_read(r, sl_json_get(s, "classification", 14),
	    "stream: classification", &p->classification) < 0 ||
	    numsk_read(r, sl_json_get(s, "payload_size", 12),
	    "stream: payload_size", &p->payload_size) < 0 ||
	    numsk_read(r, sl_json_get(s, "image_width", 11),
	    "stream: image_width", &p->image_width) < 0 ||
	    numsk_read(r, sl_json_get(s, "image_height", 12),
	    "stream: image_height", &p->image_height) < 0 ||
	    numsk_read(r, sl_json_get(s, "age_seconds", 11),
	    "stream: age_seconds", &p->age) < 0)
		goto fail;
	if (p->payload_size.mom.n != p->records) {
		bad(r, "stream: %llu payload sizes but %llu records",
		    (unsigned long long)p->payload_size.mom.n,
		    (unsigned long long)p->records);
		goto fail;
	}
	if ((fields = get_obj(r, doc, "profile", "fields")) == NULL)
		goto fail;
	if (fields->len > SL_PROFILE_MAX_FIELDS) {
		bad(r, "profile: %zu fields, more than the %d tracked",
		    fields->len, SL_PROFILE_MAX_FIELDS);
		goto fail;
	}
	for (size_t i = 0; i < fields->len; i++)
		if (field_read(r, p, &fields->u.members[i]) < 0)
			goto fail;
	return p;
fail:
	sl_profile_free(p);
	return NULL;
}

struct sl_profile *
sl_profile_parse(const char *text, size_t len, char *err, size_t errlen)
{
	struct sl_arena a = SL_ARENA_INIT;
	struct sl_json doc;
	struct sl_json_error je;
	struct rd r = { err, errlen, 0 };
	struct sl_profile *p = NULL;

	switch (sl_json_parse(&a, text, len, &doc, &je)) {
	case SL_JSON_OK:
		p = profile_from_json(&r, &doc);
		break;
	case SL_JSON_INCOMPLETE:
		bad(&r, "truncated: the JSON ends at byte %zu", len);
		break;
	default:
		bad(&r, "not JSON: byte %zu: %s", je.offset, je.msg);
		break;
	}
	sl_arena_release(&a);
	return p;
}

struct sl_profile *
sl_profile_load(const char *path, char *err, size_t errlen)
{
	struct sl_buf b = SL_BUF_INIT;
	struct sl_profile *p;
	struct stat sb;
	char e[1024];
	int fd;

	if ((fd = open(path, O_RDONLY)) < 0) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > MAX_FILE) {
		snprintf(err, errlen, "%s: larger than 1 GiB: not a profile", path);
		close(fd);
		return NULL;
	}
	for (;;) {
		ssize_t n;

		sl_buf_grow(&b, 65536);
		n = read(fd, b.data + b.len, b.cap - b.len - 1);
		if (n < 0) {
			snprintf(err, errlen, "%s: cannot read: %s", path,
			    strerror(errno));
			close(fd);
			sl_buf_release(&b);
			return NULL;
		}
		if (n == 0)
			break;
		b.len += (size_t)n;
		if ((off_t)b.len > MAX_FILE) {
			snprintf(err, errlen, "%s: larger than 1 GiB: not a profile",
			    path);
			close(fd);
			sl_buf_release(&b);
			return NULL;
		}
	}
	close(fd);
	e[0] = '\0';
	p = sl_profile_parse(b.data ? b.data : "", b.len, e, sizeof(e));
	if (p == NULL)
		snprintf(err, errlen, "%s: %s", path, e);
	sl_buf_release(&b);
	return p;
}

int
sl_pfield_numeric(const struct sl_pfield *f)
{
	uint64_t cat = f->types[SL_PT_STRING] + f->types[SL_PT_BOOLEAN];

	return f->types[SL_PT_NUMBER] > 0 && f->types[SL_PT_NUMBER] >= cat;
}

double
sl_pfield_null_rate(const struct sl_pfield *f, uint64_t json_records)
{
	if (json_records == 0)
		return 0;
	return (double)(f->types[SL_PT_NULL] + (json_records - f->count)) /
	    (double)json_records;
}
