/* sketch.c - see sketch.h */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sketch.h"
#include "xalloc.h"

/* --- shared helpers ------------------------------------------------------- */

static void SL_PRINTF(3, 4)
seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static uint64_t
sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/*
 * The splitmix64 finaliser (Steele, Lea and Flood, "Fast splittable
 * pseudorandom number generators", 2014): a bijection on 64 bits with full
 * avalanche.
 */
static inline uint64_t
mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint64_t
sl_hash64(const void *p, size_t len)
{
	const unsigned char *s = p;
	uint64_t h = 0x243f6a8885a308d3ULL ^
	    ((uint64_t)len * 0x9e3779b97f4a7c15ULL);
	uint64_t w;

	while (len >= 8) {
		/* little-endian on every host (one load where it is native) */
		w = (uint64_t)s[0] | (uint64_t)s[1] << 8 |
		    (uint64_t)s[2] << 16 | (uint64_t)s[3] << 24 |
		    (uint64_t)s[4] << 32 | (uint64_t)s[5] << 40 |
		    (uint64_t)s[6] << 48 | (uint64_t)s[7] << 56;
		h = mix64(h ^ w) + 0x9e3779b97f4a7c15ULL;
		s += 8;
		len -= 8;
	}
	w = 0;
	for (size_t i = 0; i < len; i++)
		w |= (uint64_t)s[i] << (8 * i);
	return mix64(h ^ w ^ 0x13198a2e03707344ULL);
}

/* splitmix64's generator: the state advances by a constant. */
static uint64_t
rng_next(uint64_t *state)
{
	*state += 0x9e3779b97f4a7c15ULL;
	return mix64(*state);
}

/* A finite double that reads back as itself. */
static void
put_double(struct sl_buf *b, double x)
{
	if (isnan(x))
		sl_buf_adds(b, "null");
	else if (isinf(x))
		sl_buf_adds(b, x > 0 ? "1e999" : "-1e999");
	else
		sl_buf_addf(b, "%.17g", x);
}

static const struct sl_json *
member(const struct sl_json *obj, const char *key)
{
	return sl_json_get(obj, key, strlen(key));
}

/*
 * Reads obj[key] as a double.  inf_ok: 1 allows +/-infinity (a number too
 * large for a double, written by put_double after an overflow), 0 refuses.
 */
static int
get_double(const char *what, const struct sl_json *obj, const char *key,
    int inf_ok, double *out, char *err, size_t errlen)
{
	const struct sl_json *v = member(obj, key);
	char *end;

	if (v == NULL) {
		seterr(err, errlen, "%s: '%s' is missing", what, key);
		return -1;
	}
	if (v->type != SL_JSON_NUMBER) {
		seterr(err, errlen, "%s: '%s' is a %s, not a number", what, key,
		    sl_json_type_name(v->type));
		return -1;
	}
	errno = 0;
	*out = strtod(v->u.num, &end);
	if (*end != '\0' || isnan(*out) || (!inf_ok && isinf(*out))) {
		seterr(err, errlen, "%s: '%s' is not a finite number", what,
		    key);
		return -1;
	}
	return 0;
}

/* Parses an unsigned integer JSON number text no larger than max. */
static int
num_u64(const struct sl_json *v, uint64_t max, uint64_t *out)
{
	const char *s;
	char *end;
	unsigned long long u;

	if (v == NULL || v->type != SL_JSON_NUMBER)
		return -1;
	s = v->u.num;
	if (s[0] < '0' || s[0] > '9')
		return -1;
	for (const char *q = s; *q; q++)
		if (*q < '0' || *q > '9')
			return -1;
	errno = 0;
	u = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || u > max)
		return -1;
	*out = u;
	return 0;
}

static int
get_u64(const char *what, const struct sl_json *obj, const char *key,
    uint64_t min, uint64_t max, uint64_t *out, char *err, size_t errlen)
{
	const struct sl_json *v = member(obj, key);

	if (v == NULL) {
		seterr(err, errlen, "%s: '%s' is missing", what, key);
		return -1;
	}
	if (num_u64(v, max, out) < 0 || *out < min) {
		seterr(err, errlen, "%s: '%s' is not an integer from %llu to "
		    "%llu", what, key, (unsigned long long)min,
		    (unsigned long long)max);
		return -1;
	}
	return 0;
}

static int
want_object(const char *what, const struct sl_json *v, char *err, size_t errlen)
{
	if (v == NULL || v->type != SL_JSON_OBJECT) {
		seterr(err, errlen, "%s: expected an object, found %s", what,
		    v ? sl_json_type_name(v->type) : "nothing");
		return -1;
	}
	return 0;
}

/* Largest count a profile may carry: sums of a few stay far from overflow. */
#define COUNT_MAX	((uint64_t)1 << 62)

/* --- sorting doubles ------------------------------------------------------ */

static void
sort_doubles(double *a, size_t n)
{
	while (n > 16) {
		double p, t;
		size_t i, j, m = n / 2;

		/* median of three into a[m] */
		if (a[m] < a[0]) { t = a[m]; a[m] = a[0]; a[0] = t; }
		if (a[n - 1] < a[m]) {
			t = a[m]; a[m] = a[n - 1]; a[n - 1] = t;
			if (a[m] < a[0]) { t = a[m]; a[m] = a[0]; a[0] = t; }
		}
		p = a[m];
		i = 0;
		j = n - 1;
		for (;;) {
			while (a[i] < p)
				i++;
			while (p < a[j])
				j--;
			if (i >= j)
				break;
			t = a[i]; a[i] = a[j]; a[j] = t;
			i++;
			j--;
		}
		/* a[0..j] <= p <= a[j+1..n); recurse into the smaller side */
		if (j + 1 < n - j - 1) {
			sort_doubles(a, j + 1);
			a += j + 1;
			n -= j + 1;
		} else {
			sort_doubles(a + j + 1, n - j - 1);
			n = j + 1;
		}
	}
	for (size_t i = 1; i < n; i++) {
		double x = a[i];
		size_t j = i;

		while (j > 0 && a[j - 1] > x) {
			a[j] = a[j - 1];
			j--;
		}
		a[j] = x;
	}
}

/* --- moments -------------------------------------------------------------- */

/*
 * Welford's update, arranged so that finite values never overflow the mean
 * (it moves by x/n - mean/n); a sum of squares that overflows stays +inf.
 */
void
sl_moments_add(struct sl_moments *m, double x)
{
	double n, before, d2;

	if (!isfinite(x))
		return;
	m->n++;
	if (m->n == 1) {
		m->mean = x;
		m->m2 = 0;
		m->min = m->max = x;
		return;
	}
	n = (double)m->n;
	before = m->mean;
	m->mean += x / n - before / n;
	d2 = (x - before) * (x - m->mean);
	if (!isfinite(d2) || !isfinite(m->m2))
		m->m2 = INFINITY;
	else if (d2 > 0)
		m->m2 += d2;
	if (x < m->min)
		m->min = x;
	if (x > m->max)
		m->max = x;
}

/* Chan, Golub and LeVeque's pairwise update. */
void
sl_moments_merge(struct sl_moments *into, const struct sl_moments *from)
{
	double na, nb, n, delta, extra;

	if (from->n == 0)
		return;
	if (into->n == 0) {
		*into = *from;
		return;
	}
	na = (double)into->n;
	nb = (double)from->n;
	n = na + nb;
	delta = from->mean - into->mean;
	if (isfinite(delta)) {
		into->mean += delta * (nb / n);
		extra = delta * delta * (na * nb / n);
	} else {
		into->mean = into->mean * (na / n) + from->mean * (nb / n);
		extra = INFINITY;
	}
	into->m2 += from->m2 + extra;
	if (!isfinite(into->m2))
		into->m2 = INFINITY;
	into->n = sat_add(into->n, from->n);
	if (from->min < into->min)
		into->min = from->min;
	if (from->max > into->max)
		into->max = from->max;
}

double
sl_moments_variance(const struct sl_moments *m)
{
	return m->n < 1 ? 0 : m->m2 / (double)m->n;
}

void
sl_moments_write(struct sl_buf *b, const struct sl_moments *m)
{
	sl_buf_adds(b, "{\"n\":");
	sl_buf_add_u64(b, m->n);
	sl_buf_adds(b, ",\"mean\":");
	put_double(b, m->n ? m->mean : 0);
	sl_buf_adds(b, ",\"m2\":");
	put_double(b, m->n ? m->m2 : 0);
	sl_buf_adds(b, ",\"min\":");
	if (m->n)
		put_double(b, m->min);
	else
		sl_buf_adds(b, "null");
	sl_buf_adds(b, ",\"max\":");
	if (m->n)
		put_double(b, m->max);
	else
		sl_buf_adds(b, "null");
	sl_buf_addc(b, '}');
}

int
sl_moments_read(const struct sl_json *v, struct sl_moments *m,
    char *err, size_t errlen)
{
	static const char what[] = "moments";
	struct sl_moments r = { 0, 0, 0, 0, 0 };
	double slack;

	if (want_object(what, v, err, errlen) < 0 ||
	    get_u64(what, v, "n", 0, COUNT_MAX, &r.n, err, errlen) < 0 ||
	    get_double(what, v, "mean", 0, &r.mean, err, errlen) < 0 ||
	    get_double(what, v, "m2", 1, &r.m2, err, errlen) < 0)
		return -1;
	if (r.m2 < 0) {
		seterr(err, errlen, "%s: 'm2' is negative", what);
		return -1;
	}
	if (r.n == 0) {
		const struct sl_json *lo = member(v, "min");
		const struct sl_json *hi = member(v, "max");

		if (r.mean != 0 || r.m2 != 0 || lo == NULL || hi == NULL ||
		    lo->type != SL_JSON_NULL || hi->type != SL_JSON_NULL) {
			seterr(err, errlen, "%s: 'n' is 0 but the other fields "
			    "are not those of an empty sample", what);
			return -1;
		}
		*m = r;
		return 0;
	}
	if (get_double(what, v, "min", 0, &r.min, err, errlen) < 0 ||
	    get_double(what, v, "max", 0, &r.max, err, errlen) < 0)
		return -1;
	/* the mean rounds to within a few ulps of [min, max] */
	slack = 1e-9 * fmax(fabs(r.min), fabs(r.max));
	if (r.min > r.max || r.mean < r.min - slack || r.mean > r.max + slack) {
		seterr(err, errlen, "%s: 'min', 'mean' and 'max' are not in "
		    "order", what);
		return -1;
	}
	if ((r.n == 1 || r.min == r.max) && r.m2 != 0) {
		seterr(err, errlen, "%s: 'm2' is not 0 for a constant sample",
		    what);
		return -1;
	}
	*m = r;
	return 0;
}

/* --- weighted samples ----------------------------------------------------- */

void
sl_wsample_release(struct sl_wsample *s)
{
	free(s->v);
	free(s->w);
	s->v = s->w = NULL;
	s->n = 0;
	s->total = 0;
}

double
sl_wsample_quantile(const struct sl_wsample *s, double q)
{
	double target, cum = 0;

	if (s->n == 0)
		return NAN;
	if (!(q > 0))
		return s->v[0];
	target = q * s->total;
	for (size_t i = 0; i < s->n; i++) {
		cum += s->w[i];
		if (cum >= target)
			return s->v[i];
	}
	return s->v[s->n - 1];
}

double
sl_wsample_cdf(const struct sl_wsample *s, double x)
{
	double cum = 0;
	size_t lo = 0, hi = s->n;

	if (s->n == 0 || s->total <= 0)
		return NAN;
	/* first index with v > x */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->v[mid] <= x)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = 0; i < lo; i++)
		cum += s->w[i];
	return cum / s->total;
}

/* --- KLL ------------------------------------------------------------------ */

/*
 * A KLL sketch (Karnin, Lang and Liberty, "Optimal quantile approximation in
 * streams", 2016) in the form Apache DataSketches uses: levels of
 * compactors, level h holding items of weight 2^h; with H levels, level h may
 * hold max(8, ceil(k (2/3)^(H-1-h))) items.  When the sketch is full, the
 * lowest full level is sorted and every other item (from a random offset)
 * moves up a level with twice the weight, so the total weight (the count)
 * is preserved exactly.  Level 0 is kept unsorted (adds append); levels
 * above 0 are kept sorted.
 */
#define KLL_MIN_WIDTH	8
#define KLL_MAX_LEVELS	61
#define KLL_K_MIN	8
#define KLL_K_MAX	65535

struct sl_kll {
	unsigned k;
	unsigned nlevels;
	uint64_t n;
	double min, max;
	uint64_t rng;
	size_t size;		/* items over all levels */
	size_t capacity;	/* sum of the levels' capacities */
	double *lv[KLL_MAX_LEVELS];
	size_t len[KLL_MAX_LEVELS], cap[KLL_MAX_LEVELS];
	size_t levcap[KLL_MAX_LEVELS];	/* what each level may hold */
};

static size_t
kll_level_cap(unsigned k, unsigned nlevels, unsigned h)
{
	double c = (double)k * pow(2.0 / 3.0, (double)(nlevels - 1 - h));
	size_t w = (size_t)ceil(c);

	return w < KLL_MIN_WIDTH ? KLL_MIN_WIDTH : w;
}

static void
kll_recap(struct sl_kll *s)
{
	s->capacity = 0;
	for (unsigned h = 0; h < s->nlevels; h++) {
		s->levcap[h] = kll_level_cap(s->k, s->nlevels, h);
		s->capacity += s->levcap[h];
	}
}

struct sl_kll *
sl_kll_new(unsigned k, uint64_t seed)
{
	struct sl_kll *s = sl_calloc(1, sizeof(*s));

	if (k < KLL_K_MIN)
		k = KLL_K_MIN;
	if (k > KLL_K_MAX)
		k = KLL_K_MAX;
	s->k = k;
	s->nlevels = 1;
	s->rng = seed;
	kll_recap(s);
	s->lv[0] = sl_grow(NULL, &s->cap[0], k + 1, sizeof(double));
	return s;
}

void
sl_kll_free(struct sl_kll *s)
{
	if (s == NULL)
		return;
	for (unsigned h = 0; h < KLL_MAX_LEVELS; h++)
		free(s->lv[h]);
	free(s);
}

/*
 * Merges sorted src[0..n) (not in level h) into the sorted level h, in
 * place from the top down: the largest item left goes last, src's first
 * when they compare equal, which is the order of a merge from the bottom up
 * taking level h's item first on a tie.
 */
static void
kll_merge_sorted(struct sl_kll *s, unsigned h, const double *src, size_t n)
{
	size_t i = s->len[h], j = n, o = s->len[h] + n;
	double *cur;

	if (o > s->cap[h])
		s->lv[h] = sl_grow(s->lv[h], &s->cap[h], o, sizeof(double));
	cur = s->lv[h];
	s->len[h] = o;
	while (j > 0) {
		if (i > 0 && !(cur[i - 1] <= src[j - 1]))
			cur[--o] = cur[--i];
		else
			cur[--o] = src[--j];
	}
	/* cur[0..i) is where it belongs */
}

/*
 * Compacts level h: sorts it (level 0 only; the others are kept sorted),
 * sets the smallest item aside when the count is odd, and moves every other
 * item from a random offset up to level h + 1.
 */
static void
kll_compact(struct sl_kll *s, unsigned h)
{
	double *v = s->lv[h];
	size_t len = s->len[h], odd = len & 1, half = len / 2, off;

	if (h + 1 >= s->nlevels) {
		s->nlevels++;
		kll_recap(s);
	}
	if (h == 0)
		sort_doubles(v, len);
	off = (size_t)(rng_next(&s->rng) >> 63);
	/* gather in place: target odd + i never passes source odd + 2i + off */
	for (size_t i = 0; i < half; i++)
		v[odd + i] = v[odd + 2 * i + off];
	kll_merge_sorted(s, h + 1, v + odd, half);
	s->len[h] = odd;
	s->size -= half;
}

/* Compacts the lowest full level until the sketch is under capacity. */
static void
kll_compress(struct sl_kll *s)
{
	while (s->size >= s->capacity) {
		unsigned h;

		for (h = 0; h < s->nlevels; h++)
			if (s->len[h] >= s->levcap[h])
				break;
		if (h == s->nlevels || h + 1 >= KLL_MAX_LEVELS)
			break;	/* not reachable with counts below 2^62 */
		kll_compact(s, h);
	}
}

void
sl_kll_add(struct sl_kll *s, double x)
{
	if (!isfinite(x))
		return;
	if (s->n == 0 || x < s->min)
		s->min = x;
	if (s->n == 0 || x > s->max)
		s->max = x;
	s->n++;
	if (s->len[0] == s->cap[0])
		s->lv[0] = sl_grow(s->lv[0], &s->cap[0], s->len[0] + 1,
		    sizeof(double));
	s->lv[0][s->len[0]++] = x;
	s->size++;
	if (s->size >= s->capacity)
		kll_compress(s);
}

/* A deep copy (for merging a sketch into itself). */
static struct sl_kll *
kll_clone(const struct sl_kll *s)
{
	struct sl_kll *c = sl_malloc(sizeof(*c));

	*c = *s;
	for (unsigned h = 0; h < KLL_MAX_LEVELS; h++) {
		c->lv[h] = NULL;
		c->cap[h] = 0;
		if (s->lv[h] == NULL)
			continue;
		c->lv[h] = sl_grow(NULL, &c->cap[h], s->len[h] + 1,
		    sizeof(double));
		memcpy(c->lv[h], s->lv[h], s->len[h] * sizeof(double));
	}
	return c;
}

void
sl_kll_merge(struct sl_kll *into, const struct sl_kll *from)
{
	if (from->n == 0)
		return;
	if (from == into) {
		struct sl_kll *copy = kll_clone(from);

		sl_kll_merge(into, copy);
		sl_kll_free(copy);
		return;
	}
	if (into->n == 0 || from->min < into->min)
		into->min = from->min;
	if (into->n == 0 || from->max > into->max)
		into->max = from->max;
	into->n = sat_add(into->n, from->n);
	if (from->nlevels > into->nlevels) {
		into->nlevels = from->nlevels;
		kll_recap(into);
	}
	for (unsigned h = 0; h < from->nlevels; h++) {
		size_t n = from->len[h];

		if (n == 0)
			continue;
		if (h == 0) {
			if (into->len[0] + n > into->cap[0])
				into->lv[0] = sl_grow(into->lv[0],
				    &into->cap[0], into->len[0] + n,
				    sizeof(double));
			memcpy(into->lv[0] + into->len[0], from->lv[0],
			    n * sizeof(double));
			into->len[0] += n;
		} else {
			kll_merge_sorted(into, h, from->lv[h], n);
		}
		into->size += n;
	}
	kll_compress(into);
}

uint64_t
sl_kll_count(const struct sl_kll *s)
{
	return s->n;
}

int
sl_kll_exact(const struct sl_kll *s)
{
	return s->nlevels == 1;
}

unsigned
sl_kll_k(const struct sl_kll *s)
{
	return s->k;
}

double
sl_kll_epsilon(const struct sl_kll *s)
{
	if (sl_kll_exact(s))
		return 0;
	/* DataSketches' fit of the 99th percentile rank error of its KLL */
	return 2.296 / pow((double)s->k, 0.9723);
}

struct wv {
	double v, w;
};

static int
cmp_wv(const void *a, const void *b)
{
	double x = ((const struct wv *)a)->v, y = ((const struct wv *)b)->v;

	return (x > y) - (x < y);
}

void
sl_kll_sorted(const struct sl_kll *s, struct sl_wsample *out)
{
	struct wv *all = sl_reallocarray(NULL, s->size ? s->size : 1,
	    sizeof(*all));
	size_t m = 0, o = 0;

	for (unsigned h = 0; h < s->nlevels; h++) {
		double w = ldexp(1.0, (int)h);

		for (size_t i = 0; i < s->len[h]; i++) {
			all[m].v = s->lv[h][i];
			all[m].w = w;
			m++;
		}
	}
	qsort(all, m, sizeof(*all), cmp_wv);
	out->v = sl_reallocarray(NULL, m ? m : 1, sizeof(double));
	out->w = sl_reallocarray(NULL, m ? m : 1, sizeof(double));
	out->total = 0;
	for (size_t i = 0; i < m; i++) {
		if (o > 0 && out->v[o - 1] == all[i].v) {
			out->w[o - 1] += all[i].w;
		} else {
			out->v[o] = all[i].v;
			out->w[o] = all[i].w;
			o++;
		}
		out->total += all[i].w;
	}
	out->n = o;
	free(all);
}

double
sl_kll_quantile(const struct sl_kll *s, double q)
{
	struct sl_wsample w;
	double r;

	if (s->n == 0)
		return NAN;
	if (!(q > 0))
		return s->min;
	if (q >= 1)
		return s->max;
	sl_kll_sorted(s, &w);
	r = sl_wsample_quantile(&w, q);
	sl_wsample_release(&w);
	return r;
}

double
sl_kll_cdf(const struct sl_kll *s, double x)
{
	double cum = 0;

	if (s->n == 0)
		return NAN;
	for (unsigned h = 0; h < s->nlevels; h++) {
		double w = ldexp(1.0, (int)h);

		for (size_t i = 0; i < s->len[h]; i++)
			if (s->lv[h][i] <= x)
				cum += w;
	}
	return cum / (double)s->n;
}

void
sl_kll_write(struct sl_buf *b, const struct sl_kll *s)
{
	sl_buf_adds(b, "{\"k\":");
	sl_buf_add_u64(b, s->k);
	sl_buf_adds(b, ",\"n\":");
	sl_buf_add_u64(b, s->n);
	sl_buf_adds(b, ",\"min\":");
	if (s->n)
		put_double(b, s->min);
	else
		sl_buf_adds(b, "null");
	sl_buf_adds(b, ",\"max\":");
	if (s->n)
		put_double(b, s->max);
	else
		sl_buf_adds(b, "null");
	sl_buf_addf(b, ",\"rng\":\"%016llx\",\"levels\":[",
	    (unsigned long long)s->rng);
	for (unsigned h = 0; h < s->nlevels; h++) {
		if (h)
			sl_buf_addc(b, ',');
		sl_buf_addc(b, '[');
		for (size_t i = 0; i < s->len[h]; i++) {
			if (i)
				sl_buf_addc(b, ',');
			put_double(b, s->lv[h][i]);
		}
		sl_buf_addc(b, ']');
	}
	sl_buf_adds(b, "]}");
}

struct sl_kll *
sl_kll_read(const struct sl_json *v, char *err, size_t errlen)
{
	static const char what[] = "kll";
	const struct sl_json *levels, *rng, *lo, *hi;
	uint64_t k, n, state = 0, weight = 0;
	double min = 0, max = 0;
	struct sl_kll *s;
	size_t size = 0;

	if (want_object(what, v, err, errlen) < 0 ||
	    get_u64(what, v, "k", KLL_K_MIN, KLL_K_MAX, &k, err, errlen) < 0 ||
	    get_u64(what, v, "n", 0, COUNT_MAX, &n, err, errlen) < 0)
		return NULL;
	rng = member(v, "rng");
	if (rng == NULL || rng->type != SL_JSON_STRING || rng->len != 16 ||
	    strspn(rng->u.str, "0123456789abcdef") != 16) {
		seterr(err, errlen, "%s: 'rng' is not 16 lower-case hex digits",
		    what);
		return NULL;
	}
	state = strtoull(rng->u.str, NULL, 16);
	lo = member(v, "min");
	hi = member(v, "max");
	if (n == 0) {
		if (lo == NULL || hi == NULL || lo->type != SL_JSON_NULL ||
		    hi->type != SL_JSON_NULL) {
			seterr(err, errlen, "%s: 'min' and 'max' must be null "
			    "when 'n' is 0", what);
			return NULL;
		}
	} else if (get_double(what, v, "min", 0, &min, err, errlen) < 0 ||
	    get_double(what, v, "max", 0, &max, err, errlen) < 0) {
		return NULL;
	} else if (min > max) {
		seterr(err, errlen, "%s: 'min' is greater than 'max'", what);
		return NULL;
	}
	levels = member(v, "levels");
	if (levels == NULL || levels->type != SL_JSON_ARRAY ||
	    levels->len < 1 || levels->len > KLL_MAX_LEVELS) {
		seterr(err, errlen, "%s: 'levels' is not an array of 1 to %d "
		    "arrays", what, KLL_MAX_LEVELS);
		return NULL;
	}
	s = sl_kll_new((unsigned)k, state);
	s->nlevels = (unsigned)levels->len;
	kll_recap(s);
	for (unsigned h = 0; h < s->nlevels; h++) {
		const struct sl_json *l = &levels->u.items[h];

		if (l->type != SL_JSON_ARRAY) {
			seterr(err, errlen, "%s: level %u is not an array",
			    what, h);
			goto bad;
		}
		size += l->len;
		if (size >= s->capacity) {
			seterr(err, errlen, "%s: more items than a sketch with "
			    "k %llu and %u levels holds (%zu)", what,
			    (unsigned long long)k, s->nlevels, s->capacity);
			goto bad;
		}
		/* items on level h weigh 2^h: the weights must add up to n */
		if (l->len > 0 && l->len > ((COUNT_MAX - weight) >> h)) {
			seterr(err, errlen, "%s: the item weights exceed 'n'",
			    what);
			goto bad;
		}
		weight += (uint64_t)l->len << h;
		if (s->cap[h] < l->len)
			s->lv[h] = sl_grow(s->lv[h], &s->cap[h], l->len,
			    sizeof(double));
		for (size_t i = 0; i < l->len; i++) {
			const struct sl_json *x = &l->u.items[i];
			char *end;
			double d;

			if (x->type != SL_JSON_NUMBER) {
				seterr(err, errlen, "%s: level %u item %zu is "
				    "a %s, not a number", what, h, i,
				    sl_json_type_name(x->type));
				goto bad;
			}
			d = strtod(x->u.num, &end);
			if (*end != '\0' || !isfinite(d) || d < min ||
			    d > max) {
				seterr(err, errlen, "%s: level %u item %zu is "
				    "not a finite number from 'min' to 'max'",
				    what, h, i);
				goto bad;
			}
			s->lv[h][i] = d;
		}
		s->len[h] = l->len;
		if (h > 0)
			sort_doubles(s->lv[h], l->len);
	}
	if (weight != n) {
		seterr(err, errlen, "%s: the items weigh %llu in all but 'n' "
		    "is %llu", what, (unsigned long long)weight,
		    (unsigned long long)n);
		goto bad;
	}
	if (s->nlevels > 1 && s->len[s->nlevels - 1] == 0) {
		seterr(err, errlen, "%s: the top level is empty", what);
		goto bad;
	}
	s->n = n;
	s->size = size;
	s->min = min;
	s->max = max;
	return s;
bad:
	sl_kll_free(s);
	return NULL;
}

/* --- space-saving frequent items ------------------------------------------ */

/*
 * Space-saving (Metwally, Agrawal and El Abbadi, 2005): capacity counters,
 * each a key with a count that overestimates the key's true count by at
 * most its error.  A new key when all counters are taken replaces the key
 * with the smallest count m and starts at m + count with error m.  The
 * counters live in a hash table (linear probing over counter indices) and
 * a binary min-heap by count, so an add is O(1) for a known key that stays
 * put in the heap and O(log capacity) at worst.  Keys shorter than
 * TOPK_INLINE bytes live in their counter; longer ones in slots of
 * SL_TOPK_KEY_MAX + 1 bytes from a pool that grows as long keys first
 * arrive (at most one slot per counter) and recycles evicted ones.
 */
#define TOPK_CAP_MAX	65536
#define TOPK_INLINE	28
#define NO_SLOT		UINT32_MAX

struct topk_counter {
	uint64_t count, error, hash;
	uint32_t heap_pos;
	uint32_t key_len;
	uint32_t slot;		/* pool slot of a long key, else NO_SLOT */
	char inl[TOPK_INLINE];	/* a short key, NUL-terminated */
};

struct sl_topk {
	size_t capacity, n;
	uint64_t total;
	int evicted;
	struct topk_counter *c;
	size_t c_cap;
	char *keys;		/* slot i at keys + i * (SL_TOPK_KEY_MAX + 1) */
	size_t keys_cap;	/* in slots */
	uint32_t nslots;	/* slots handed out so far */
	uint32_t *free_slots;	/* slots given back, a stack */
	size_t nfree, free_cap;
	uint32_t *tab;		/* counter index + 1, 0 for empty */
	size_t mask;
	uint32_t *heap;
	struct sl_topk_item *items;	/* cache for sl_topk_items */
};

#define SLOT	(SL_TOPK_KEY_MAX + 1)

struct sl_topk *
sl_topk_new(size_t capacity)
{
	struct sl_topk *s = sl_calloc(1, sizeof(*s));
	size_t t = 16;

	if (capacity < 1)
		capacity = 1;
	if (capacity > TOPK_CAP_MAX)
		capacity = TOPK_CAP_MAX;
	s->capacity = capacity;
	while (t < 2 * capacity)
		t *= 2;
	s->tab = sl_calloc(t, sizeof(*s->tab));
	s->mask = t - 1;
	s->heap = sl_reallocarray(NULL, capacity, sizeof(*s->heap));
	return s;
}

void
sl_topk_free(struct sl_topk *s)
{
	if (s == NULL)
		return;
	free(s->c);
	free(s->keys);
	free(s->free_slots);
	free(s->tab);
	free(s->heap);
	free(s->items);
	free(s);
}

static inline char *
topk_key(const struct sl_topk *s, size_t i)
{
	const struct topk_counter *c = &s->c[i];

	if (c->slot == NO_SLOT)
		return (char *)c->inl;
	return s->keys + (size_t)c->slot * SLOT;
}

/* Stores key as counter ci's, giving back the slot of a long key it had. */
static void
topk_set_key(struct sl_topk *s, uint32_t ci, const char *key, size_t len)
{
	struct topk_counter *c = &s->c[ci];
	char *dst;

	if (c->slot != NO_SLOT && len < TOPK_INLINE) {
		if (s->nfree >= s->free_cap)
			s->free_slots = sl_grow(s->free_slots, &s->free_cap,
			    s->nfree + 1, sizeof(*s->free_slots));
		s->free_slots[s->nfree++] = c->slot;
		c->slot = NO_SLOT;
	} else if (c->slot == NO_SLOT && len >= TOPK_INLINE) {
		if (s->nfree > 0) {
			c->slot = s->free_slots[--s->nfree];
		} else {
			if (s->nslots >= s->keys_cap)
				s->keys = sl_grow(s->keys, &s->keys_cap,
				    (size_t)s->nslots + 1, SLOT);
			c->slot = s->nslots++;
		}
	}
	dst = c->slot == NO_SLOT ? c->inl : s->keys + (size_t)c->slot * SLOT;
	memcpy(dst, key, len);
	dst[len] = '\0';
	c->key_len = (uint32_t)len;
}

static inline int
heap_less(const struct sl_topk *s, uint32_t a, uint32_t b)
{
	return s->c[a].count < s->c[b].count;
}

static void
heap_set(struct sl_topk *s, size_t pos, uint32_t ci)
{
	s->heap[pos] = ci;
	s->c[ci].heap_pos = (uint32_t)pos;
}

static void
heap_down(struct sl_topk *s, size_t pos)
{
	uint32_t ci = s->heap[pos];

	for (;;) {
		size_t l = 2 * pos + 1, m;

		if (l >= s->n)
			break;
		m = l;
		if (l + 1 < s->n && heap_less(s, s->heap[l + 1], s->heap[l]))
			m = l + 1;
		if (!heap_less(s, s->heap[m], ci))
			break;
		heap_set(s, pos, s->heap[m]);
		pos = m;
	}
	heap_set(s, pos, ci);
}

static void
heap_up(struct sl_topk *s, size_t pos)
{
	uint32_t ci = s->heap[pos];

	while (pos > 0) {
		size_t p = (pos - 1) / 2;

		if (!heap_less(s, ci, s->heap[p]))
			break;
		heap_set(s, pos, s->heap[p]);
		pos = p;
	}
	heap_set(s, pos, ci);
}

/* Table slot holding key, or the empty slot where it would go (*found 0). */
static size_t
topk_find(const struct sl_topk *s, const char *key, size_t len, uint64_t h,
    int *found)
{
	size_t i = (size_t)h & s->mask;

	for (;;) {
		uint32_t e = s->tab[i];

		if (e == 0) {
			*found = 0;
			return i;
		}
		if (s->c[e - 1].hash == h && s->c[e - 1].key_len == len &&
		    memcmp(topk_key(s, e - 1), key, len) == 0) {
			*found = 1;
			return i;
		}
		i = (i + 1) & s->mask;
	}
}

/* Removes counter ci from the table (backward-shift deletion). */
static void
topk_unlink(struct sl_topk *s, uint32_t ci)
{
	size_t i = (size_t)s->c[ci].hash & s->mask, j;

	while (s->tab[i] != ci + 1)
		i = (i + 1) & s->mask;
	s->tab[i] = 0;
	j = i;
	for (;;) {
		size_t home;

		j = (j + 1) & s->mask;
		if (s->tab[j] == 0)
			break;
		home = (size_t)s->c[s->tab[j] - 1].hash & s->mask;
		/* move tab[j] back to i unless its home lies in (i, j] */
		if (i <= j ? (home <= i || home > j) :
		    (home <= i && home > j)) {
			s->tab[i] = s->tab[j];
			s->tab[j] = 0;
			i = j;
		}
	}
}

/*
 * Maps a key longer than SL_TOPK_KEY_MAX to its stored form: the longest
 * prefix of at most SL_TOPK_KEY_MAX - 17 bytes that ends on a UTF-8
 * character boundary, '~', and 16 hex digits of sl_hash64 of the whole key.
 */
static size_t
topk_truncate(const char *key, size_t len, char *out)
{
	size_t p = SL_TOPK_KEY_MAX - 17;
	uint64_t h = sl_hash64(key, len);

	while (p > 0 && ((unsigned char)key[p] & 0xc0) == 0x80)
		p--;
	memcpy(out, key, p);
	snprintf(out + p, 18, "~%016llx", (unsigned long long)h);
	return p + 17;
}

/* Inserts a key known to be absent at table slot slot, n < capacity. */
static void
topk_insert(struct sl_topk *s, size_t slot, const char *key, size_t len,
    uint64_t h, uint64_t count, uint64_t error)
{
	uint32_t ci = (uint32_t)s->n;

	if (s->n >= s->c_cap)
		s->c = sl_grow(s->c, &s->c_cap, s->n + 1, sizeof(*s->c));
	s->c[ci].count = count;
	s->c[ci].error = error;
	s->c[ci].hash = h;
	s->c[ci].slot = NO_SLOT;
	topk_set_key(s, ci, key, len);
	s->tab[slot] = ci + 1;
	s->n++;
	s->heap[s->n - 1] = ci;
	s->c[ci].heap_pos = (uint32_t)(s->n - 1);
	heap_up(s, s->n - 1);
}

void
sl_topk_add(struct sl_topk *s, const char *key, size_t len, uint64_t count)
{
	char tbuf[SL_TOPK_KEY_MAX + 1];

	if (count == 0)
		return;
	if (len > SL_TOPK_KEY_MAX) {
		len = topk_truncate(key, len, tbuf);
		key = tbuf;
	}
	sl_topk_add_hash(s, key, len, sl_hash64(key, len), count);
}

/* sl_topk_add_hash() for count > 0; returns the counter that holds key. */
static uint32_t
topk_add(struct sl_topk *s, const char *key, size_t len, uint64_t h,
    uint64_t count)
{
	size_t slot;
	int found;

	s->total = sat_add(s->total, count);
	slot = topk_find(s, key, len, h, &found);
	if (found) {
		uint32_t ci = s->tab[slot] - 1;

		s->c[ci].count = sat_add(s->c[ci].count, count);
		heap_down(s, s->c[ci].heap_pos);
		return ci;
	}
	if (s->n < s->capacity) {
		topk_insert(s, slot, key, len, h, count, 0);
		return (uint32_t)s->n - 1;
	}
	/* replace the smallest counter */
	{
		uint32_t ci = s->heap[0];
		struct topk_counter *c = &s->c[ci];
		uint64_t m = c->count;

		topk_unlink(s, ci);
		slot = topk_find(s, key, len, h, &found);
		c->hash = h;
		topk_set_key(s, ci, key, len);
		c->error = m;
		c->count = sat_add(m, count);
		s->tab[slot] = ci + 1;
		s->evicted = 1;
		heap_down(s, 0);
		return ci;
	}
}

void
sl_topk_add_hash(struct sl_topk *s, const char *key, size_t len, uint64_t h,
    uint64_t count)
{
	if (count > 0)
		(void)topk_add(s, key, len, h, count);
}

void
sl_topk_add_hint(struct sl_topk *s, const char *key, size_t len,
    uint64_t count, size_t *hint)
{
	if (count == 0)
		return;
	if (len > SL_TOPK_KEY_MAX) {
		sl_topk_add(s, key, len, count);
		return;
	}
	if (*hint > 0 && *hint <= s->n) {
		/* keys are unique: the counter holding key is the one */
		struct topk_counter *c = &s->c[*hint - 1];

		if (c->key_len == len && memcmp(topk_key(s, *hint - 1), key,
		    len) == 0) {
			s->total = sat_add(s->total, count);
			c->count = sat_add(c->count, count);
			heap_down(s, c->heap_pos);
			return;
		}
	}
	*hint = (size_t)topk_add(s, key, len, sl_hash64(key, len), count) + 1;
}

uint64_t
sl_topk_total(const struct sl_topk *s)
{
	return s->total;
}

size_t
sl_topk_capacity(const struct sl_topk *s)
{
	return s->capacity;
}

int
sl_topk_exact(const struct sl_topk *s)
{
	return !s->evicted;
}

/* What a key the sketch does not hold may have been counted: 0 when exact. */
static uint64_t
topk_floor(const struct sl_topk *s)
{
	return s->evicted && s->n > 0 ? s->c[s->heap[0]].count : 0;
}

uint64_t
sl_topk_unseen_max(const struct sl_topk *s)
{
	return topk_floor(s);
}

static int
cmp_item(const void *a, const void *b)
{
	const struct sl_topk_item *x = a, *y = b;
	size_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
	int c;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	c = memcmp(x->key, y->key, n);
	if (c)
		return c;
	return (x->key_len > y->key_len) - (x->key_len < y->key_len);
}

size_t
sl_topk_items(const struct sl_topk *s, const struct sl_topk_item **items)
{
	struct sl_topk *w = (struct sl_topk *)s;	/* the cache only */

	/* one array of capacity items for the sketch's life: refilling it
	 * leaves what an earlier call returned valid (and the same) */
	if (w->items == NULL)
		w->items = sl_reallocarray(NULL, s->capacity,
		    sizeof(*w->items));
	for (size_t i = 0; i < s->n; i++) {
		w->items[i].key = topk_key(s, i);
		w->items[i].key_len = s->c[i].key_len;
		w->items[i].count = s->c[i].count;
		w->items[i].error = s->c[i].error;
	}
	qsort(w->items, s->n, sizeof(*w->items), cmp_item);
	*items = w->items;
	return s->n;
}

/*
 * Merging (after Cafaro et al.'s parallel space-saving): a key held on one
 * side only is charged the other side's floor (the most it may have been
 * counted there) as count and error; the capacity largest counts are kept.
 * Counts stay overestimates, errors stay bounds.
 */
void
sl_topk_merge(struct sl_topk *into, const struct sl_topk *from)
{
	uint64_t fa = topk_floor(into), fb = topk_floor(from);
	struct sl_topk_item *all;
	struct sl_topk *r;
	size_t m = 0, keep;
	int found;

	if (from->n == 0 && from->total == 0)
		return;
	all = sl_reallocarray(NULL, into->n + from->n + 1, sizeof(*all));
	for (size_t i = 0; i < into->n; i++) {
		const struct topk_counter *c = &into->c[i];
		size_t slot = topk_find(from, topk_key(into, i), c->key_len,
		    c->hash, &found);

		all[m].key = topk_key(into, i);
		all[m].key_len = c->key_len;
		if (found) {
			const struct topk_counter *d =
			    &from->c[from->tab[slot] - 1];

			all[m].count = sat_add(c->count, d->count);
			all[m].error = sat_add(c->error, d->error);
		} else {
			all[m].count = sat_add(c->count, fb);
			all[m].error = sat_add(c->error, fb);
		}
		m++;
	}
	for (size_t i = 0; i < from->n; i++) {
		const struct topk_counter *d = &from->c[i];

		topk_find(into, topk_key(from, i), d->key_len, d->hash, &found);
		if (found)
			continue;
		all[m].key = topk_key(from, i);
		all[m].key_len = d->key_len;
		all[m].count = sat_add(d->count, fa);
		all[m].error = sat_add(d->error, fa);
		m++;
	}
	qsort(all, m, sizeof(*all), cmp_item);
	keep = m < into->capacity ? m : into->capacity;
	r = sl_topk_new(into->capacity);
	r->total = sat_add(into->total, from->total);
	r->evicted = into->evicted || from->evicted || keep < m;
	for (size_t i = 0; i < keep; i++) {
		uint64_t h = sl_hash64(all[i].key, all[i].key_len);
		size_t slot = topk_find(r, all[i].key, all[i].key_len, h,
		    &found);

		topk_insert(r, slot, all[i].key, all[i].key_len, h,
		    all[i].count, all[i].error);
	}
	free(all);
	/* swap r's contents into into */
	{
		struct sl_topk tmp = *into;

		*into = *r;
		*r = tmp;
	}
	sl_topk_free(r);
}

void
sl_topk_write(struct sl_buf *b, const struct sl_topk *s)
{
	const struct sl_topk_item *it;
	size_t n = sl_topk_items(s, &it);

	sl_buf_adds(b, "{\"capacity\":");
	sl_buf_add_u64(b, s->capacity);
	sl_buf_adds(b, ",\"total\":");
	sl_buf_add_u64(b, s->total);
	sl_buf_adds(b, s->evicted ? ",\"exact\":false" : ",\"exact\":true");
	sl_buf_adds(b, ",\"items\":[");
	for (size_t i = 0; i < n; i++) {
		if (i)
			sl_buf_addc(b, ',');
		sl_buf_addc(b, '[');
		sl_json_write_string(b, it[i].key, it[i].key_len);
		sl_buf_addc(b, ',');
		sl_buf_add_u64(b, it[i].count);
		sl_buf_addc(b, ',');
		sl_buf_add_u64(b, it[i].error);
		sl_buf_addc(b, ']');
	}
	sl_buf_adds(b, "]}");
}

struct sl_topk *
sl_topk_read(const struct sl_json *v, char *err, size_t errlen)
{
	static const char what[] = "topk";
	const struct sl_json *items, *ex;
	uint64_t cap, total, sum = 0, low = 0;
	struct sl_topk *s;
	int exact;

	if (want_object(what, v, err, errlen) < 0 ||
	    get_u64(what, v, "capacity", 1, TOPK_CAP_MAX, &cap, err,
	    errlen) < 0 ||
	    get_u64(what, v, "total", 0, COUNT_MAX, &total, err, errlen) < 0)
		return NULL;
	ex = member(v, "exact");
	if (ex == NULL ||
	    (ex->type != SL_JSON_TRUE && ex->type != SL_JSON_FALSE)) {
		seterr(err, errlen, "%s: 'exact' is not a boolean", what);
		return NULL;
	}
	exact = ex->type == SL_JSON_TRUE;
	items = member(v, "items");
	if (items == NULL || items->type != SL_JSON_ARRAY) {
		seterr(err, errlen, "%s: 'items' is not an array", what);
		return NULL;
	}
	if (items->len > cap) {
		seterr(err, errlen, "%s: %zu items for %llu counters", what,
		    items->len, (unsigned long long)cap);
		return NULL;
	}
	s = sl_topk_new((size_t)cap);
	s->total = total;
	s->evicted = !exact;
	for (size_t i = 0; i < items->len; i++) {
		const struct sl_json *it = &items->u.items[i], *k;
		uint64_t count, error, h;
		size_t slot;
		int found;

		if (it->type != SL_JSON_ARRAY || it->len != 3 ||
		    it->u.items[0].type != SL_JSON_STRING) {
			seterr(err, errlen, "%s: item %zu is not [key, count, "
			    "error]", what, i);
			goto bad;
		}
		k = &it->u.items[0];
		if (num_u64(&it->u.items[1], COUNT_MAX, &count) < 0 ||
		    count < 1 ||
		    num_u64(&it->u.items[2], COUNT_MAX, &error) < 0 ||
		    error > count || (exact && error != 0)) {
			seterr(err, errlen, "%s: item %zu has a bad count or "
			    "error", what, i);
			goto bad;
		}
		if (k->len > SL_TOPK_KEY_MAX) {
			seterr(err, errlen, "%s: item %zu has a key longer "
			    "than %d bytes", what, i, SL_TOPK_KEY_MAX);
			goto bad;
		}
		if (count > total) {
			seterr(err, errlen, "%s: item %zu counts more than "
			    "'total'", what, i);
			goto bad;
		}
		h = sl_hash64(k->u.str, k->len);
		slot = topk_find(s, k->u.str, k->len, h, &found);
		if (found) {
			seterr(err, errlen, "%s: item %zu repeats a key",
			    what, i);
			goto bad;
		}
		topk_insert(s, slot, k->u.str, k->len, h, count, error);
		sum = sat_add(sum, count);
		low = sat_add(low, count - error);
	}
	if (exact ? sum != total : low > total) {
		seterr(err, errlen, "%s: the item counts do not add up to "
		    "'total'", what);
		goto bad;
	}
	if (!exact && items->len < cap) {
		seterr(err, errlen, "%s: not exact but not full", what);
		goto bad;
	}
	return s;
bad:
	sl_topk_free(s);
	return NULL;
}

/* --- HyperLogLog ---------------------------------------------------------- */

/*
 * HyperLogLog (Flajolet et al. 2007) with 2^p one-byte registers over
 * sl_hash64, estimated with Ertl's improved estimator ("New cardinality
 * estimation algorithms for HyperLogLog sketches", 2017, algorithm 6),
 * which needs no bias tables and is unbiased from 0 to far beyond 2^40.
 */
#define HLL_P_MIN	4
#define HLL_P_MAX	18

struct sl_hll {
	unsigned p;
	uint8_t *reg;
};

struct sl_hll *
sl_hll_new(unsigned p)
{
	struct sl_hll *s = sl_calloc(1, sizeof(*s));

	if (p < HLL_P_MIN)
		p = HLL_P_MIN;
	if (p > HLL_P_MAX)
		p = HLL_P_MAX;
	s->p = p;
	s->reg = sl_calloc((size_t)1 << p, 1);
	return s;
}

void
sl_hll_free(struct sl_hll *s)
{
	if (s == NULL)
		return;
	free(s->reg);
	free(s);
}

unsigned
sl_hll_precision(const struct sl_hll *s)
{
	return s->p;
}

void
sl_hll_add_hash(struct sl_hll *s, uint64_t h)
{
	size_t i = (size_t)(h >> (64 - s->p));
	uint64_t w = h << s->p;
	uint8_t r = w ? (uint8_t)(__builtin_clzll(w) + 1) :
	    (uint8_t)(65 - s->p);

	if (r > s->reg[i])
		s->reg[i] = r;
}

void
sl_hll_add(struct sl_hll *s, const char *key, size_t len)
{
	sl_hll_add_hash(s, sl_hash64(key, len));
}

/* Lowers s to precision p < s->p (folding registers as if hashed at p). */
static void
hll_fold(struct sl_hll *s, unsigned p)
{
	unsigned d = s->p - p;
	uint8_t *nr = sl_calloc((size_t)1 << p, 1);

	for (size_t i = 0; i < ((size_t)1 << s->p); i++) {
		size_t low = i & (((size_t)1 << d) - 1);
		uint8_t r;

		if (s->reg[i] == 0)
			continue;
		if (low)	/* leading zeros of the d bits that moved */
			r = (uint8_t)(__builtin_clzll((uint64_t)low) -
			    (64 - d) + 1);
		else
			r = (uint8_t)(s->reg[i] + d);
		if (r > nr[i >> d])
			nr[i >> d] = r;
	}
	free(s->reg);
	s->reg = nr;
	s->p = p;
}

void
sl_hll_merge(struct sl_hll *into, const struct sl_hll *from)
{
	const struct sl_hll *src = from;
	struct sl_hll *tmp = NULL;

	if (into->p > from->p)
		hll_fold(into, from->p);
	if (from->p > into->p) {
		tmp = sl_hll_new(from->p);
		memcpy(tmp->reg, from->reg, (size_t)1 << from->p);
		hll_fold(tmp, into->p);
		src = tmp;
	}
	for (size_t i = 0; i < ((size_t)1 << into->p); i++)
		if (src->reg[i] > into->reg[i])
			into->reg[i] = src->reg[i];
	sl_hll_free(tmp);
}

static double
ertl_sigma(double x)
{
	double y = 1, z = x, zp;

	if (x == 1)
		return INFINITY;
	do {
		x *= x;
		zp = z;
		z += x * y;
		y += y;
	} while (z != zp);
	return z;
}

static double
ertl_tau(double x)
{
	double y = 1, z = 1 - x, zp;

	if (x == 0 || x == 1)
		return 0;
	do {
		x = sqrt(x);
		zp = z;
		y *= 0.5;
		z -= (1 - x) * (1 - x) * y;
	} while (z != zp);
	return z / 3;
}

double
sl_hll_estimate(const struct sl_hll *s)
{
	unsigned q = 64 - s->p;
	size_t m = (size_t)1 << s->p;
	double c[66] = { 0 }, z;

	for (size_t i = 0; i < m; i++)
		c[s->reg[i]]++;
	if (c[0] == (double)m)
		return 0;
	z = (double)m * ertl_tau(1 - c[q + 1] / (double)m);
	for (unsigned k = q; k >= 1; k--)
		z = 0.5 * (z + c[k]);
	z += (double)m * ertl_sigma(c[0] / (double)m);
	return (double)m * (double)m / (2 * log(2)) / z;
}

double
sl_hll_error(const struct sl_hll *s)
{
	return 1.04 / sqrt((double)((size_t)1 << s->p));
}

void
sl_hll_write(struct sl_buf *b, const struct sl_hll *s)
{
	sl_buf_adds(b, "{\"p\":");
	sl_buf_add_u64(b, s->p);
	sl_buf_adds(b, ",\"registers\":\"");
	sl_buf_add_hex(b, s->reg, (size_t)1 << s->p);
	sl_buf_adds(b, "\"}");
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

struct sl_hll *
sl_hll_read(const struct sl_json *v, char *err, size_t errlen)
{
	static const char what[] = "hll";
	const struct sl_json *r;
	struct sl_hll *s;
	uint64_t p;
	size_t m;

	if (want_object(what, v, err, errlen) < 0 ||
	    get_u64(what, v, "p", HLL_P_MIN, HLL_P_MAX, &p, err, errlen) < 0)
		return NULL;
	m = (size_t)1 << p;
	r = member(v, "registers");
	if (r == NULL || r->type != SL_JSON_STRING || r->len != 2 * m) {
		seterr(err, errlen, "%s: 'registers' is not a string of %zu "
		    "hex digits", what, 2 * m);
		return NULL;
	}
	s = sl_hll_new((unsigned)p);
	for (size_t i = 0; i < m; i++) {
		int hi = hexval(r->u.str[2 * i]);
		int lo = hexval(r->u.str[2 * i + 1]);

		if (hi < 0 || lo < 0 || hi * 16 + lo > 65 - (int)p) {
			seterr(err, errlen, "%s: register %zu is not a hex "
			    "byte from 0 to %d", what, i, 65 - (int)p);
			sl_hll_free(s);
			return NULL;
		}
		s->reg[i] = (uint8_t)(hi * 16 + lo);
	}
	return s;
}
