/*
 * test-sketch.c - unit tests for libcommon/sketch.c: moments against hand
 * computed values and against one pass over the data; KLL, space-saving
 * and HyperLogLog within their stated error on a million values (checked
 * against exact answers computed here), exact while small; merges in
 * several groupings; write-read-write byte identity; and a table of
 * hostile JSON for every read function.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "json.h"
#include "sketch.h"
#include "tap.h"
#include "xalloc.h"

static struct sl_arena arena = SL_ARENA_INIT;

static int
parse(const char *text, size_t len, struct sl_json *v)
{
	return sl_json_parse(&arena, text, len, v, NULL) == SL_JSON_OK ? 0 : -1;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int
near(double got, double want, double rel)
{
	if (got == want)
		return 1;
	return fabs(got - want) <= rel * fmax(fabs(want), 1e-300);
}

/* --- moments -------------------------------------------------------------- */

struct mrow {
	double x[8];
	size_t n;
	double mean, var, min, max;
};

static const struct mrow mrows[] = {
	{ { 5 }, 1, 5, 0, 5, 5 },
	{ { 1, 2, 3, 4 }, 4, 2.5, 1.25, 1, 4 },
	{ { 2, 4, 4, 4, 5, 5, 7, 9 }, 8, 5, 4, 2, 9 },
	{ { -1, 1 }, 2, 0, 1, -1, 1 },
	{ { 1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16 }, 4, 1e9 + 10, 22.5,
	  1e9 + 4, 1e9 + 16 },
	{ { 0.1, 0.2, 0.3 }, 3, 0.2, 0.02 / 3, 0.1, 0.3 },
};

static void
test_moments(void)
{
	struct sl_buf b1 = SL_BUF_INIT, b2 = SL_BUF_INIT;

	for (size_t r = 0; r < sizeof(mrows) / sizeof(mrows[0]); r++) {
		const struct mrow *t = &mrows[r];
		struct sl_moments m = { 0 }, a = { 0 }, c = { 0 }, back;
		struct sl_json v;
		char err[200];

		for (size_t i = 0; i < t->n; i++) {
			sl_moments_add(&m, t->x[i]);
			sl_moments_add(i % 2 ? &a : &c, t->x[i]);
		}
		ok(m.n == t->n && near(m.mean, t->mean, 1e-12) &&
		    near(sl_moments_variance(&m), t->var, 1e-9) &&
		    m.min == t->min && m.max == t->max,
		    "moments row %zu: n %llu mean %.17g var %.17g", r,
		    (unsigned long long)m.n, m.mean, sl_moments_variance(&m));
		sl_moments_merge(&a, &c);
		ok(a.n == m.n && a.min == m.min && a.max == m.max &&
		    near(a.mean, t->mean, 1e-12) &&
		    near(sl_moments_variance(&a), t->var, 1e-9),
		    "moments row %zu: merge of alternate halves", r);
		sl_buf_reset(&b1);
		sl_buf_reset(&b2);
		sl_moments_write(&b1, &m);
		ok(parse(b1.data, b1.len, &v) == 0 &&
		    sl_moments_read(&v, &back, err, sizeof(err)) == 0,
		    "moments row %zu: reads back", r);
		sl_moments_write(&b2, &back);
		is_str(b2.data, b1.data, "moments row %zu: write-read-write", r);
	}

	/* a million values, merged in different groupings */
	{
		enum { N = 1000000 };
		struct sl_moments all = { 0 }, part[4] = { { 0 } }, g1, g2;
		double sum = 0, mean, ss = 0;
		double *x = sl_malloc(N * sizeof(double));

		tap_rand_seed(11);
		for (size_t i = 0; i < N; i++) {
			x[i] = 1000 + 10 * tap_nrand();
			sl_moments_add(&all, x[i]);
			sl_moments_add(&part[(i * 7) % 4], x[i]);
			sum += x[i];
		}
		mean = sum / N;
		for (size_t i = 0; i < N; i++)
			ss += (x[i] - mean) * (x[i] - mean);
		ok(near(all.mean, mean, 1e-12) &&
		    near(sl_moments_variance(&all), ss / N, 1e-9),
		    "moments 1M: mean and variance as two passes");
		g1 = part[0];
		sl_moments_merge(&g1, &part[1]);
		sl_moments_merge(&g1, &part[2]);
		sl_moments_merge(&g1, &part[3]);
		g2 = part[3];
		{
			struct sl_moments t = part[1];

			sl_moments_merge(&t, &part[0]);
			sl_moments_merge(&g2, &part[2]);
			sl_moments_merge(&g2, &t);
		}
		ok(g1.n == all.n && g2.n == all.n && g1.min == all.min &&
		    g2.max == all.max && near(g1.mean, all.mean, 1e-12) &&
		    near(g2.mean, all.mean, 1e-12) &&
		    near(g1.m2, all.m2, 1e-9) && near(g2.m2, all.m2, 1e-9),
		    "moments 1M: ((a+b)+c)+d and d+c+(b+a) agree with one pass");
		free(x);
	}

	/* empty; non-finite values are ignored */
	{
		struct sl_moments m = { 0 }, back;
		struct sl_json v;
		char err[200];

		sl_moments_add(&m, NAN);
		sl_moments_add(&m, INFINITY);
		sl_buf_reset(&b1);
		sl_moments_write(&b1, &m);
		is_str(b1.data, "{\"n\":0,\"mean\":0,\"m2\":0,\"min\":null,"
		    "\"max\":null}", "moments: empty, non-finite ignored");
		ok(parse(b1.data, b1.len, &v) == 0 &&
		    sl_moments_read(&v, &back, err, sizeof(err)) == 0 &&
		    back.n == 0, "moments: empty reads back");
		/* overflow to infinity survives a round trip */
		sl_moments_add(&m, 1e308);
		sl_moments_add(&m, -1e308);
		sl_moments_add(&m, 1e308);
		sl_buf_reset(&b1);
		sl_moments_write(&b1, &m);
		ok(strstr(b1.data, "\"m2\":1e999") != NULL &&
		    parse(b1.data, b1.len, &v) == 0 &&
		    sl_moments_read(&v, &back, err, sizeof(err)) == 0 &&
		    isinf(back.m2) && back.n == 3 && back.mean > 3e307 &&
		    back.mean < 4e307, "moments: overflowed m2 as 1e999: %s",
		    b1.data);
	}
	sl_buf_release(&b1);
	sl_buf_release(&b2);
}

/* --- hostile input, every reader ------------------------------------------ */

enum kind { MOM, KLL, TOPK, HLL };

struct hrow {
	enum kind kind;
	const char *json;
	const char *msg;	/* fragment of the error, NULL: accepted */
};

static const struct hrow hrows[] = {
	/* moments */
	{ MOM, "{\"n\":2,\"mean\":1.5,\"m2\":0.5,\"min\":1,\"max\":2}", NULL },
	{ MOM, "[]", "expected an object, found array" },
	{ MOM, "null", "expected an object, found null" },
	{ MOM, "{\"mean\":1.5,\"m2\":0.5,\"min\":1,\"max\":2}", "'n' is missing" },
	{ MOM, "{\"n\":-2,\"mean\":1.5,\"m2\":0.5,\"min\":1,\"max\":2}",
	  "'n' is not an integer" },
	{ MOM, "{\"n\":2.5,\"mean\":1.5,\"m2\":0.5,\"min\":1,\"max\":2}",
	  "'n' is not an integer" },
	{ MOM, "{\"n\":1e3,\"mean\":1.5,\"m2\":0.5,\"min\":1,\"max\":2}",
	  "'n' is not an integer" },
	{ MOM, "{\"n\":99999999999999999999999,\"mean\":1.5,\"m2\":0.5,"
	  "\"min\":1,\"max\":2}", "'n' is not an integer" },
	{ MOM, "{\"n\":\"2\",\"mean\":1.5,\"m2\":0.5,\"min\":1,\"max\":2}",
	  "'n' is not an integer" },
	{ MOM, "{\"n\":2,\"mean\":\"NaN\",\"m2\":0.5,\"min\":1,\"max\":2}",
	  "'mean' is a string, not a number" },
	{ MOM, "{\"n\":2,\"mean\":1.5,\"m2\":\"Infinity\",\"min\":1,\"max\":2}",
	  "'m2' is a string" },
	{ MOM, "{\"n\":2,\"mean\":null,\"m2\":0.5,\"min\":1,\"max\":2}",
	  "'mean' is a null" },
	{ MOM, "{\"n\":2,\"mean\":1.5,\"m2\":-0.5,\"min\":1,\"max\":2}",
	  "'m2' is negative" },
	{ MOM, "{\"n\":2,\"mean\":1.5,\"m2\":0.5,\"min\":1e999,\"max\":2}",
	  "'min' is not a finite number" },
	{ MOM, "{\"n\":2,\"mean\":1.5,\"m2\":0.5,\"min\":3,\"max\":2}",
	  "not in order" },
	{ MOM, "{\"n\":2,\"mean\":7,\"m2\":0.5,\"min\":1,\"max\":2}",
	  "not in order" },
	{ MOM, "{\"n\":1,\"mean\":1,\"m2\":0.5,\"min\":1,\"max\":1}",
	  "'m2' is not 0" },
	{ MOM, "{\"n\":0,\"mean\":1,\"m2\":0,\"min\":null,\"max\":null}",
	  "not those of an empty sample" },
	{ MOM, "{\"n\":2,\"mean\":1.5,\"m2\":0.5,\"min\":1}", "'max' is missing" },
	/* KLL */
	{ KLL, "{\"k\":200,\"n\":3,\"min\":1,\"max\":3,\"rng\":\"0000000000000001\","
	  "\"levels\":[[3,1,2]]}", NULL },
	{ KLL, "{\"k\":200,\"n\":5,\"min\":1,\"max\":3,\"rng\":\"0000000000000001\","
	  "\"levels\":[[3],[1,2]]}", NULL },
	{ KLL, "{\"k\":200,\"n\":4,\"min\":1,\"max\":3,\"rng\":\"0000000000000001\","
	  "\"levels\":[[3,1,2]]}", "weigh 3 in all but 'n' is 4" },
	{ KLL, "{\"k\":200,\"n\":3,\"min\":1,\"max\":3,\"rng\":\"0000000000000001\","
	  "\"levels\":[[3],[1,2]]}", "weigh 5 in all but 'n' is 3" },
	{ KLL, "{\"k\":200,\"n\":3,\"min\":1,\"max\":3,\"rng\":\"0000000000000001\","
	  "\"levels\":[[3,1,\"NaN\"]]}", "level 0 item 2 is a string" },
	{ KLL, "{\"k\":200,\"n\":3,\"min\":1,\"max\":3,\"rng\":\"0000000000000001\","
	  "\"levels\":[[3,1,5]]}", "level 0 item 2 is not a finite number" },
	{ KLL, "{\"k\":200,\"n\":3,\"min\":1,\"max\":3,\"rng\":\"0000000000000001\","
	  "\"levels\":[[3,1,1e999]]}", "item 2 is not a finite number" },
	{ KLL, "{\"k\":7,\"n\":0,\"min\":null,\"max\":null,\"rng\":"
	  "\"0000000000000001\",\"levels\":[[]]}", "'k' is not an integer" },
	{ KLL, "{\"k\":200,\"n\":0,\"min\":null,\"max\":null,\"rng\":"
	  "\"0000000000000001\",\"levels\":[[]]}", NULL },
	{ KLL, "{\"k\":200,\"n\":0,\"min\":0,\"max\":null,\"rng\":"
	  "\"0000000000000001\",\"levels\":[[]]}", "must be null" },
	{ KLL, "{\"k\":200,\"n\":1,\"min\":1,\"max\":1,\"rng\":\"xyz\","
	  "\"levels\":[[1]]}", "'rng' is not 16" },
	{ KLL, "{\"k\":200,\"n\":1,\"min\":1,\"max\":1,\"rng\":\"0000000000000001\","
	  "\"levels\":[]}", "'levels' is not an array of 1 to" },
	{ KLL, "{\"k\":200,\"n\":1,\"min\":1,\"max\":1,\"rng\":\"0000000000000001\","
	  "\"levels\":[1]}", "level 0 is not an array" },
	{ KLL, "{\"k\":200,\"n\":1,\"min\":1,\"max\":1,\"rng\":\"0000000000000001\","
	  "\"levels\":[[1],[]]}", "the top level is empty" },
	{ KLL, "{\"k\":200,\"n\":2,\"min\":1,\"max\":1,\"rng\":\"0000000000000001\","
	  "\"levels\":[[],[1],[]]}", "the top level is empty" },
	{ KLL, "{\"k\":200,\"n\":5,\"min\":1,\"max\":3,\"rng\":\"0000000000000001\","
	  "\"levels\":[[3],[1,2]],\"k\":\"x\"}", "'k' is not an integer" },
	{ KLL, "{\"k\":8,\"n\":8,\"min\":1,\"max\":1,\"rng\":\"0000000000000001\","
	  "\"levels\":[[1,1,1,1,1,1,1,1]]}", "more items than a sketch" },
	/* space-saving */
	{ TOPK, "{\"capacity\":2,\"total\":3,\"exact\":true,\"items\":[[\"a\",2,0],"
	  "[\"b\",1,0]]}", NULL },
	{ TOPK, "{\"capacity\":2,\"total\":9,\"exact\":false,\"items\":[[\"a\",5,1],"
	  "[\"b\",4,3]]}", NULL },
	{ TOPK, "{\"capacity\":2,\"total\":4,\"exact\":true,\"items\":[[\"a\",2,0],"
	  "[\"b\",1,0]]}", "do not add up" },
	{ TOPK, "{\"capacity\":2,\"total\":3,\"exact\":false,\"items\":[[\"a\",5,0],"
	  "[\"b\",1,0]]}", "item 0 counts more than 'total'" },
	{ TOPK, "{\"capacity\":2,\"total\":5,\"exact\":false,\"items\":[[\"a\",4,0],"
	  "[\"b\",3,0]]}", "do not add up" },
	{ TOPK, "{\"capacity\":1,\"total\":3,\"exact\":true,\"items\":[[\"a\",2,0],"
	  "[\"b\",1,0]]}", "2 items for 1 counters" },
	{ TOPK, "{\"capacity\":2,\"total\":3,\"exact\":true,\"items\":[[\"a\",2,0],"
	  "[\"a\",1,0]]}", "item 1 repeats a key" },
	{ TOPK, "{\"capacity\":2,\"total\":3,\"exact\":true,\"items\":[[\"a\",2,1],"
	  "[\"b\",1,0]]}", "item 0 has a bad count" },
	{ TOPK, "{\"capacity\":2,\"total\":3,\"exact\":false,\"items\":[[\"a\",2,3],"
	  "[\"b\",1,0]]}", "item 0 has a bad count" },
	{ TOPK, "{\"capacity\":2,\"total\":3,\"exact\":true,\"items\":[[\"a\",-2,0],"
	  "[\"b\",1,0]]}", "item 0 has a bad count" },
	{ TOPK, "{\"capacity\":2,\"total\":3,\"exact\":true,\"items\":[[\"a\",0,0],"
	  "[\"b\",3,0]]}", "item 0 has a bad count" },
	{ TOPK, "{\"capacity\":2,\"total\":3,\"exact\":true,\"items\":[[\"a\","
	  "\"Infinity\",0]]}", "item 0 has a bad count" },
	{ TOPK, "{\"capacity\":2,\"total\":3,\"exact\":true,\"items\":[[1,3,0]]}",
	  "item 0 is not [key, count, error]" },
	{ TOPK, "{\"capacity\":2,\"total\":3,\"exact\":true,\"items\":[[\"a\",3]]}",
	  "item 0 is not [key, count, error]" },
	{ TOPK, "{\"capacity\":2,\"total\":3,\"exact\":\"yes\",\"items\":[]}",
	  "'exact' is not a boolean" },
	{ TOPK, "{\"capacity\":0,\"total\":0,\"exact\":true,\"items\":[]}",
	  "'capacity' is not an integer from 1" },
	{ TOPK, "{\"capacity\":1000000000,\"total\":0,\"exact\":true,\"items\":[]}",
	  "'capacity' is not an integer from 1 to 65536" },
	{ TOPK, "{\"capacity\":2,\"total\":18446744073709551615,\"exact\":true,"
	  "\"items\":[]}", "'total' is not an integer" },
	{ TOPK, "{\"capacity\":2,\"total\":3,\"exact\":true,\"items\":{}}",
	  "'items' is not an array" },
	{ TOPK, "{\"capacity\":4,\"total\":4611686018427387904,\"exact\":true,"
	  "\"items\":[[\"a\",4611686018427387904,0],[\"b\",4611686018427387904,0],"
	  "[\"c\",4611686018427387904,0],[\"d\",4611686018427387904,0]]}",
	  "do not add up" },
	{ TOPK, "{\"capacity\":3,\"total\":3,\"exact\":false,\"items\":[[\"a\",2,0],"
	  "[\"b\",1,0]]}", "not exact but not full" },
	/* HyperLogLog */
	{ HLL, "{\"p\":4,\"registers\":\"00000000000000000000000000000000\"}",
	  NULL },
	{ HLL, "{\"p\":4,\"registers\":\"000000000000000000000000000000003d\"}",
	  "not a string of 32 hex digits" },
	{ HLL, "{\"p\":4,\"registers\":\"0000000000000000000000000000003e\"}",
	  "register 15 is not a hex byte from 0 to 61" },
	{ HLL, "{\"p\":4,\"registers\":\"000000000000000000000000000000zz\"}",
	  "register 15 is not a hex byte" },
	{ HLL, "{\"p\":4,\"registers\":\"000000000000000000000000000000FF\"}",
	  "register 15 is not a hex byte" },
	{ HLL, "{\"p\":3,\"registers\":\"0000000000000000\"}",
	  "'p' is not an integer from 4 to 18" },
	{ HLL, "{\"p\":40,\"registers\":\"\"}", "'p' is not an integer" },
	{ HLL, "{\"registers\":\"\"}", "'p' is missing" },
	{ HLL, "{\"p\":4,\"registers\":[0]}", "'registers' is not a string" },
	{ HLL, "\"x\"", "expected an object, found string" },
};

static int
read_kind(enum kind k, const struct sl_json *v, char *err, size_t errlen,
    struct sl_buf *out)
{
	switch (k) {
	case MOM: {
		struct sl_moments m;

		if (sl_moments_read(v, &m, err, errlen) < 0)
			return -1;
		sl_moments_write(out, &m);
		return 0;
	}
	case KLL: {
		struct sl_kll *s = sl_kll_read(v, err, errlen);

		if (s == NULL)
			return -1;
		sl_kll_write(out, s);
		sl_kll_free(s);
		return 0;
	}
	case TOPK: {
		struct sl_topk *s = sl_topk_read(v, err, errlen);

		if (s == NULL)
			return -1;
		sl_topk_write(out, s);
		sl_topk_free(s);
		return 0;
	}
	case HLL: {
		struct sl_hll *s = sl_hll_read(v, err, errlen);

		if (s == NULL)
			return -1;
		sl_hll_write(out, s);
		sl_hll_free(s);
		return 0;
	}
	}
	return -1;
}

static void
test_hostile(void)
{
	struct sl_buf out = SL_BUF_INIT;

	for (size_t r = 0; r < sizeof(hrows) / sizeof(hrows[0]); r++) {
		const struct hrow *t = &hrows[r];
		struct sl_json v;
		char err[300] = "";
		int rc;

		if (parse(t->json, strlen(t->json), &v) < 0) {
			ok(0, "hostile row %zu parses as JSON", r);
			continue;
		}
		sl_buf_reset(&out);
		rc = read_kind(t->kind, &v, err, sizeof(err), &out);
		if (t->msg == NULL) {
			ok(rc == 0, "hostile row %zu accepted (%s)", r, err);
		} else if (!ok(rc < 0 && strstr(err, t->msg) != NULL,
		    "hostile row %zu refused: %s", r, t->msg)) {
			tap_diag("got: rc %d, '%s'", rc, err);
		}
	}
	/* item weights that overflow: five items of weight 2^60 */
	{
		struct sl_buf t = SL_BUF_INIT;
		struct sl_json v;
		char err[300] = "";
		struct sl_kll *s;

		sl_buf_adds(&t, "{\"k\":200,\"n\":4611686018427387904,\"min\":1,"
		    "\"max\":1,\"rng\":\"0000000000000001\",\"levels\":[");
		for (int h = 0; h < 60; h++)
			sl_buf_adds(&t, "[],");
		sl_buf_adds(&t, "[1,1,1,1,1]]}");
		s = parse(t.data, t.len, &v) == 0 ?
		    sl_kll_read(&v, err, sizeof(err)) : NULL;
		ok(s == NULL && strstr(err, "the item weights exceed 'n'"),
		    "hostile kll: weights past 2^62 (%s)", err);
		sl_kll_free(s);
		sl_buf_release(&t);
	}
	/* every truncation of valid documents: refused or accepted, no crash */
	for (size_t r = 0; r < sizeof(hrows) / sizeof(hrows[0]); r++) {
		const struct hrow *t = &hrows[r];
		size_t len = strlen(t->json), refused = 0;

		if (t->msg != NULL)
			continue;
		for (size_t cut = 0; cut < len; cut++) {
			struct sl_json v;
			char err[300];

			if (parse(t->json, cut, &v) < 0) {
				refused++;
				continue;
			}
			sl_buf_reset(&out);
			if (read_kind(t->kind, &v, err, sizeof(err), &out) < 0)
				refused++;
		}
		ok(refused == len, "hostile row %zu: all %zu truncations refused",
		    r, len);
	}
	sl_buf_release(&out);
}

/*
 * Mutations of valid documents: digits changed, bytes deleted, tokens
 * inserted.  Whatever parses is read; a sketch that is accepted must write
 * a document that is accepted again and writes the same bytes.
 */
static void
test_mutations(void)
{
	static const char *tokens[] = { "-", "0", "9", "1e999", "-1", "[]",
		"null", "\"x\"", "18446744073709551616", ",", "1.5", "{}" };
	struct sl_buf docs[4] = { SL_BUF_INIT, SL_BUF_INIT, SL_BUF_INIT,
		SL_BUF_INIT };
	struct sl_buf mut = SL_BUF_INIT, w1 = SL_BUF_INIT, w2 = SL_BUF_INIT;
	size_t parsed = 0, accepted = 0, stable = 0;
	char key[16];

	tap_rand_seed(17);
	{
		struct sl_moments m = { 0 };
		struct sl_kll *k = sl_kll_new(8, 3);
		struct sl_topk *t = sl_topk_new(8);
		struct sl_hll *h = sl_hll_new(4);

		for (int i = 0; i < 300; i++) {
			int len = snprintf(key, sizeof(key), "k%d", i % 13);

			sl_moments_add(&m, i * 0.5);
			sl_kll_add(k, (double)(i % 37));
			sl_topk_add(t, key, (size_t)len, 1 + (uint64_t)i % 3);
			sl_hll_add(h, key, (size_t)len);
		}
		sl_moments_write(&docs[MOM], &m);
		sl_kll_write(&docs[KLL], k);
		sl_topk_write(&docs[TOPK], t);
		sl_hll_write(&docs[HLL], h);
		sl_kll_free(k);
		sl_topk_free(t);
		sl_hll_free(h);
	}
	for (int kind = MOM; kind <= HLL; kind++) {
		for (int rep = 0; rep < 3000; rep++) {
			const struct sl_buf *d = &docs[kind];
			size_t at = tap_rand() % d->len;
			struct sl_json v;
			char err[300];

			sl_buf_reset(&mut);
			sl_buf_add(&mut, d->data, at);
			switch (tap_rand() % 3) {
			case 0:
				sl_buf_addc(&mut, (char)('0' + tap_rand() % 10));
				at++;
				break;
			case 1:
				at++;
				break;
			default:
				sl_buf_adds(&mut, tokens[tap_rand() %
				    (sizeof(tokens) / sizeof(tokens[0]))]);
				break;
			}
			if (at < d->len)
				sl_buf_add(&mut, d->data + at, d->len - at);
			sl_arena_reset(&arena);
			if (parse(mut.data, mut.len, &v) < 0)
				continue;
			parsed++;
			sl_buf_reset(&w1);
			if (read_kind((enum kind)kind, &v, err, sizeof(err), &w1) < 0)
				continue;
			accepted++;
			sl_buf_reset(&w2);
			if (parse(w1.data, w1.len, &v) == 0 &&
			    read_kind((enum kind)kind, &v, err, sizeof(err),
			    &w2) == 0 && w1.len == w2.len &&
			    memcmp(w1.data, w2.data, w1.len) == 0)
				stable++;
			else
				tap_diag("unstable: %s", mut.data);
		}
	}
	ok(parsed > 1000 && accepted > 0 && stable == accepted,
	    "mutations: %zu parsed, %zu accepted, all of those stable",
	    parsed, accepted);
	for (int i = 0; i < 4; i++)
		sl_buf_release(&docs[i]);
	sl_buf_release(&mut);
	sl_buf_release(&w1);
	sl_buf_release(&w2);
}

/* --- KLL ------------------------------------------------------------------ */

/* Largest rank error of the sketch's quantiles and CDF against sorted x. */
static double
kll_rank_error(const struct sl_kll *s, const double *x, size_t n)
{
	double worst = 0;

	for (int i = 1; i < 100; i++) {
		double q = i / 100.0, v = sl_kll_quantile(s, q), e;
		/* exact ranks: fraction < v and fraction <= v */
		size_t lo = 0, hi = n, below, upto;

		while (lo < hi) {
			size_t mid = (lo + hi) / 2;

			if (x[mid] < v)
				lo = mid + 1;
			else
				hi = mid;
		}
		below = lo;
		hi = n;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;

			if (x[mid] <= v)
				lo = mid + 1;
			else
				hi = mid;
		}
		upto = lo;
		/* q is within [below, upto] / n when exact */
		e = 0;
		if (q < (double)below / n)
			e = (double)below / n - q;
		if (q > (double)upto / n)
			e = q - (double)upto / n;
		if (e > worst)
			worst = e;
		/* the CDF at an exact quantile */
		e = fabs(sl_kll_cdf(s, x[(size_t)(q * n)]) -
		    (double)((size_t)(q * n) + 1) / n);
		if (e > worst)
			worst = e;
	}
	return worst;
}

static void
test_kll(void)
{
	enum { N = 1000000 };
	struct sl_buf b1 = SL_BUF_INIT, b2 = SL_BUF_INIT;
	double *x = sl_malloc(N * sizeof(double)), *xs;
	struct sl_kll *all, *part[3], *m1, *m2, *m3, *r;
	struct sl_wsample w;
	struct sl_json v;
	char err[200];
	double e, eps;

	/* small: exact, quantiles as numpy's inverted_cdf */
	{
		static const double small[] = { 5, 1, 4, 1, 5, 9, 2, 6, 5, 3 };
		/* np.quantile(small, q, method="inverted_cdf") */
		static const struct { double q, want; } qs[] = {
			{ 0, 1 }, { 0.1, 1 }, { 0.15, 1 }, { 0.2, 1 },
			{ 0.21, 2 }, { 0.5, 4 }, { 0.51, 5 }, { 0.8, 5 },
			{ 0.81, 6 }, { 0.95, 9 }, { 1, 9 },
		};
		struct sl_kll *s = sl_kll_new(200, 1);

		for (size_t i = 0; i < 10; i++)
			sl_kll_add(s, small[i]);
		ok(sl_kll_exact(s) && sl_kll_epsilon(s) == 0 &&
		    sl_kll_count(s) == 10, "kll small: exact");
		for (size_t i = 0; i < sizeof(qs) / sizeof(qs[0]); i++)
			ok(sl_kll_quantile(s, qs[i].q) == qs[i].want,
			    "kll small: quantile %g is %g (got %g)", qs[i].q,
			    qs[i].want, sl_kll_quantile(s, qs[i].q));
		ok(sl_kll_cdf(s, 5) == 0.8 && sl_kll_cdf(s, 0.5) == 0 &&
		    sl_kll_cdf(s, 9) == 1, "kll small: cdf");
		sl_kll_sorted(s, &w);
		ok(w.n == 7 && w.total == 10 && w.v[0] == 1 && w.w[0] == 2 &&
		    w.v[4] == 5 && w.w[4] == 3, "kll small: sorted, equal "
		    "values summed");
		sl_wsample_release(&w);
		sl_kll_free(s);
	}

	tap_rand_seed(7);
	for (size_t i = 0; i < N; i++)
		x[i] = i % 3 ? tap_nrand() * 100 : tap_urand() * 1000 - 200;
	all = sl_kll_new(200, 42);
	for (int p = 0; p < 3; p++)
		part[p] = sl_kll_new(200, 100 + (uint64_t)p);
	for (size_t i = 0; i < N; i++) {
		sl_kll_add(all, x[i]);
		sl_kll_add(part[i < N / 2 ? 0 : i < 4 * N / 5 ? 1 : 2], x[i]);
	}
	xs = sl_malloc(N * sizeof(double));
	memcpy(xs, x, N * sizeof(double));
	qsort(xs, N, sizeof(double), cmp_double);
	eps = sl_kll_epsilon(all);
	ok(!sl_kll_exact(all) && eps > 0.01 && eps < 0.015,
	    "kll 1M: epsilon %.4f", eps);
	ok(sl_kll_count(all) == N && sl_kll_quantile(all, 0) == xs[0] &&
	    sl_kll_quantile(all, 1) == xs[N - 1], "kll 1M: count, min, max exact");
	e = kll_rank_error(all, xs, N);
	ok(e <= eps, "kll 1M: rank error %.5f <= epsilon %.5f", e, eps);
	sl_kll_sorted(all, &w);
	ok(w.total == N && w.n < 1000, "kll 1M: %zu items weigh %g", w.n,
	    w.total);
	sl_wsample_release(&w);

	/* merges in three groupings */
	m1 = sl_kll_new(200, 1);
	sl_kll_merge(m1, part[0]);
	sl_kll_merge(m1, part[1]);
	sl_kll_merge(m1, part[2]);
	m2 = sl_kll_new(200, 2);
	sl_kll_merge(m2, part[2]);
	sl_kll_merge(m2, part[1]);
	sl_kll_merge(m2, part[0]);
	m3 = sl_kll_new(200, 3);
	sl_kll_merge(m3, part[1]);
	{
		struct sl_kll *t = sl_kll_new(200, 4);

		sl_kll_merge(t, part[2]);
		sl_kll_merge(t, part[0]);
		sl_kll_merge(m3, t);
		sl_kll_free(t);
	}
	ok(sl_kll_count(m1) == N && sl_kll_count(m2) == N &&
	    sl_kll_count(m3) == N && sl_kll_quantile(m1, 0) == xs[0] &&
	    sl_kll_quantile(m3, 1) == xs[N - 1],
	    "kll merge: counts, min, max exact");
	e = kll_rank_error(m1, xs, N);
	ok(e <= eps, "kll merge (a+b)+c: rank error %.5f", e);
	e = kll_rank_error(m2, xs, N);
	ok(e <= eps, "kll merge (c+b)+a: rank error %.5f", e);
	e = kll_rank_error(m3, xs, N);
	ok(e <= eps, "kll merge b+(c+a): rank error %.5f", e);
	for (int i = 1; i < 10; i++) {
		double q = i / 10.0, a1 = sl_kll_cdf(m1, sl_kll_quantile(m2, q));

		ok(fabs(a1 - q) <= 2 * eps, "kll merge: groupings agree at "
		    "%g (%.4f)", q, a1);
	}

	/* the bound holds for 99% of queries: 50 seeds x 99 quantiles */
	{
		enum { M = 200000 };
		double *ys = sl_malloc(M * sizeof(double));
		size_t beyond = 0, queries = 0;
		double worst = 0;

		memcpy(ys, x, M * sizeof(double));
		qsort(ys, M, sizeof(double), cmp_double);
		for (uint64_t seed = 1; seed <= 50; seed++) {
			struct sl_kll *k1 = sl_kll_new(200, seed);
			struct sl_wsample ws;
			double cum = 0;
			size_t j = 0;

			for (size_t i = 0; i < M; i++)
				sl_kll_add(k1, x[i]);
			sl_kll_sorted(k1, &ws);
			/* the sketch's rank of each item against the truth */
			for (size_t i = 0; i < ws.n; i++) {
				double re;

				cum += ws.w[i];
				while (j < M && ys[j] <= ws.v[i])
					j++;
				re = fabs(cum - (double)j) / M;
				if ((i % 7) != 0)
					continue;
				queries++;
				if (re > worst)
					worst = re;
				if (re > sl_kll_epsilon(k1))
					beyond++;
			}
			sl_wsample_release(&ws);
			sl_kll_free(k1);
		}
		ok(beyond * 100 <= queries, "kll 50 seeds: %zu of %zu ranks beyond "
		    "epsilon (worst %.5f)", beyond, queries, worst);
		free(ys);
	}

	/* 200 shards of 5,000: merged in a chain and as a balanced tree */
	{
		struct sl_kll *sh[200], *chain = sl_kll_new(200, 5);

		for (size_t p = 0; p < 200; p++) {
			sh[p] = sl_kll_new(200, 1000 + p);
			for (size_t i = p * 5000; i < (p + 1) * 5000; i++)
				sl_kll_add(sh[p], x[i]);
			sl_kll_merge(chain, sh[p]);
		}
		for (size_t step = 1; step < 200; step *= 2)
			for (size_t p = 0; p + step < 200; p += 2 * step)
				sl_kll_merge(sh[p], sh[p + step]);
		ok(sl_kll_count(chain) == N && sl_kll_count(sh[0]) == N,
		    "kll 200 shards: counts");
		e = kll_rank_error(chain, xs, N);
		ok(e <= eps, "kll 200 shards in a chain: rank error %.5f", e);
		e = kll_rank_error(sh[0], xs, N);
		ok(e <= eps, "kll 200 shards as a tree: rank error %.5f", e);
		for (size_t p = 0; p < 200; p++)
			sl_kll_free(sh[p]);
		sl_kll_free(chain);
	}

	/* write, read, write; and the read copy continues identically */
	sl_kll_write(&b1, all);
	r = NULL;
	if (ok(parse(b1.data, b1.len, &v) == 0, "kll 1M: JSON parses"))
		r = sl_kll_read(&v, err, sizeof(err));
	ok(r != NULL, "kll 1M: reads back (%s)", r ? "" : err);
	if (r) {
		sl_kll_write(&b2, r);
		ok(b1.len == b2.len && memcmp(b1.data, b2.data, b1.len) == 0,
		    "kll 1M: write-read-write identical (%zu bytes)", b1.len);
		for (size_t i = 0; i < 5000; i++) {
			sl_kll_add(all, x[i]);
			sl_kll_add(r, x[i]);
		}
		sl_buf_reset(&b1);
		sl_buf_reset(&b2);
		sl_kll_write(&b1, all);
		sl_kll_write(&b2, r);
		ok(b1.len == b2.len && memcmp(b1.data, b2.data, b1.len) == 0,
		    "kll: a read sketch continues as the original");
		sl_kll_free(r);
	}

	/* the same input and seed give the same sketch */
	{
		struct sl_kll *a = sl_kll_new(200, 9), *b = sl_kll_new(200, 9);

		for (size_t i = 0; i < 100000; i++) {
			sl_kll_add(a, x[i]);
			sl_kll_add(b, x[i]);
		}
		sl_buf_reset(&b1);
		sl_buf_reset(&b2);
		sl_kll_write(&b1, a);
		sl_kll_write(&b2, b);
		is_str(b1.data, b2.data, "kll: reproducible with a seed");
		sl_kll_free(a);
		sl_kll_free(b);
	}

	/* exact while small: a merge of two exact sketches is the union */
	{
		struct sl_kll *a = sl_kll_new(200, 1), *b = sl_kll_new(200, 2),
		    *u = sl_kll_new(200, 3);
		struct sl_wsample wa, wu;

		for (size_t i = 0; i < 150; i++) {
			sl_kll_add(i < 70 ? a : b, x[i]);
			sl_kll_add(u, x[i]);
		}
		sl_kll_merge(a, b);
		sl_kll_sorted(a, &wa);
		sl_kll_sorted(u, &wu);
		ok(sl_kll_exact(a) && wa.n == wu.n && wa.total == 150 &&
		    memcmp(wa.v, wu.v, wa.n * sizeof(double)) == 0,
		    "kll: merge of exact sketches is exact");
		sl_wsample_release(&wa);
		sl_wsample_release(&wu);
		sl_kll_free(a);
		sl_kll_free(b);
		sl_kll_free(u);
	}

	/* a sketch merged into itself counts everything twice */
	{
		struct sl_kll *a = sl_kll_new(200, 1);
		struct sl_moments m = { 0 };

		for (size_t i = 0; i < 100000; i++) {
			sl_kll_add(a, x[i]);
			sl_moments_add(&m, x[i]);
		}
		sl_kll_merge(a, a);
		sl_moments_merge(&m, &m);
		ok(sl_kll_count(a) == 200000 && m.n == 200000 &&
		    fabs(sl_kll_cdf(a, sl_kll_quantile(a, 0.5)) - 0.5) <= eps,
		    "kll: merged into itself");
		sl_kll_free(a);
	}
	{
		struct sl_topk *t = sl_topk_new(4);
		struct sl_hll *h = sl_hll_new(4);
		struct sl_buf hb = SL_BUF_INIT, hb2 = SL_BUF_INIT;

		sl_topk_add(t, "a", 1, 3);
		sl_topk_add(t, "b", 1, 1);
		sl_topk_merge(t, t);
		sl_topk_write(&hb, t);
		is_str(hb.data, "{\"capacity\":4,\"total\":8,\"exact\":true,"
		    "\"items\":[[\"a\",6,0],[\"b\",2,0]]}",
		    "topk: merged into itself");
		sl_buf_reset(&hb);
		sl_hll_add(h, "a", 1);
		sl_hll_write(&hb, h);
		sl_hll_merge(h, h);
		sl_hll_write(&hb2, h);
		is_str(hb2.data, hb.data, "hll: merged into itself");
		sl_buf_release(&hb);
		sl_buf_release(&hb2);
		sl_topk_free(t);
		sl_hll_free(h);
	}

	/* a level count past the sketch's bound is never reached */
	{
		struct sl_kll *a = sl_kll_new(8, 1);

		for (size_t i = 0; i < N; i++)
			sl_kll_add(a, (double)(i % 1000));
		sl_kll_sorted(a, &w);
		/* at most 8 items a level, 18 levels for a million */
		ok(w.total == N && w.n <= 8 * 18, "kll k=8: bounded (%zu items)",
		    w.n);
		sl_wsample_release(&w);
		sl_kll_free(a);
	}

	for (int p = 0; p < 3; p++)
		sl_kll_free(part[p]);
	sl_kll_free(all);
	sl_kll_free(m1);
	sl_kll_free(m2);
	sl_kll_free(m3);
	free(x);
	free(xs);
	sl_buf_release(&b1);
	sl_buf_release(&b2);
}

/* --- space-saving --------------------------------------------------------- */

/* A Zipf-like key index in [0, nkeys): P(i) proportional to 1 / (i + 1). */
static size_t
zipf(size_t nkeys, const double *cum)
{
	double u = tap_urand() * cum[nkeys - 1];
	size_t lo = 0, hi = nkeys - 1;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (cum[mid] < u)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Do the items bound the true counts, with error <= total / capacity? */
static int
topk_check(const struct sl_topk *s, const uint64_t *truth, size_t nkeys,
    const char *name)
{
	const struct sl_topk_item *it;
	size_t n = sl_topk_items(s, &it);
	uint64_t total = sl_topk_total(s);
	uint64_t bound = total / sl_topk_capacity(s);
	char *seen = sl_calloc(nkeys, 1);
	int good = 1;

	for (size_t i = 0; i < n; i++) {
		size_t k = strtoul(it[i].key + 1, NULL, 10);

		seen[k] = 1;
		if (it[i].count < truth[k] || it[i].count - it[i].error > truth[k] ||
		    it[i].error > bound) {
			tap_diag("%s: key %s count %llu error %llu true %llu",
			    name, it[i].key, (unsigned long long)it[i].count,
			    (unsigned long long)it[i].error,
			    (unsigned long long)truth[k]);
			good = 0;
		}
		if (i > 0 && it[i].count > it[i - 1].count)
			good = 0;
	}
	for (size_t k = 0; k < nkeys; k++)
		if (!seen[k] && truth[k] > sl_topk_unseen_max(s)) {
			tap_diag("%s: key k%zu (true %llu) missing", name, k,
			    (unsigned long long)truth[k]);
			good = 0;
		}
	free(seen);
	return good;
}

static void
test_topk(void)
{
	enum { N = 1000000, NKEYS = 100000 };
	struct sl_buf b1 = SL_BUF_INIT, b2 = SL_BUF_INIT;
	double *cum = sl_malloc(NKEYS * sizeof(double));
	uint64_t *truth = sl_calloc(NKEYS, sizeof(uint64_t));
	uint64_t *ta = sl_calloc(NKEYS, sizeof(uint64_t));
	struct sl_topk *all, *a, *b, *c, *m1, *m2, *r;
	const struct sl_topk_item *it;
	struct sl_json v;
	char key[32], err[200];
	size_t n;

	/* small and exact */
	{
		static const char *keys[] = { "b", "a", "c", "a", "b", "a", "",
			"d" };
		struct sl_topk *s = sl_topk_new(8);

		for (size_t i = 0; i < 8; i++)
			sl_topk_add(s, keys[i], strlen(keys[i]), 1);
		sl_topk_add(s, "n\0ul", 4, 2);
		sl_topk_add(s, "zero", 4, 0);
		sl_topk_write(&b1, s);
		is_str(b1.data, "{\"capacity\":8,\"total\":10,\"exact\":true,"
		    "\"items\":[[\"a\",3,0],[\"b\",2,0],[\"n\\u0000ul\",2,0],"
		    "[\"\",1,0],[\"c\",1,0],[\"d\",1,0]]}",
		    "topk small: exact counts, ordered");
		sl_topk_free(s);
	}

	/* evictions: capacity 2 */
	{
		struct sl_topk *s = sl_topk_new(2);

		sl_topk_add(s, "a", 1, 3);
		sl_topk_add(s, "b", 1, 1);
		sl_topk_add(s, "c", 1, 1);	/* replaces b: 2, error 1 */
		sl_topk_add(s, "d", 1, 1);	/* replaces c: 3, error 2 */
		sl_buf_reset(&b1);
		sl_topk_write(&b1, s);
		is_str(b1.data, "{\"capacity\":2,\"total\":6,\"exact\":false,"
		    "\"items\":[[\"a\",3,0],[\"d\",3,2]]}",
		    "topk capacity 2: space-saving replacement");
		ok(!sl_topk_exact(s) && sl_topk_unseen_max(s) == 3,
		    "topk capacity 2: not exact, unseen at most 3");
		sl_topk_free(s);
	}

	/* a million Zipf keys, in three shards */
	cum[0] = 1;
	for (size_t i = 1; i < NKEYS; i++)
		cum[i] = cum[i - 1] + 1.0 / (double)(i + 1);
	tap_rand_seed(5);
	all = sl_topk_new(1024);
	a = sl_topk_new(1024);
	b = sl_topk_new(1024);
	c = sl_topk_new(1024);
	for (size_t i = 0; i < N; i++) {
		size_t k = zipf(NKEYS, cum);
		int len = snprintf(key, sizeof(key), "k%zu", k);

		truth[k]++;
		sl_topk_add(all, key, (size_t)len, 1);
		sl_topk_add(i < N / 3 ? a : i < N / 2 ? b : c, key, (size_t)len, 1);
		if (i < N / 3)
			ta[k]++;
	}
	n = sl_topk_items(all, &it);
	ok(n == 1024 && !sl_topk_exact(all) && sl_topk_total(all) == N,
	    "topk 1M: full, not exact, total");
	ok(topk_check(all, truth, NKEYS, "all"), "topk 1M: counts bound the "
	    "truth, error <= N/capacity, heavy keys all present");
	ok(strcmp(it[0].key, "k0") == 0 && strcmp(it[1].key, "k1") == 0,
	    "topk 1M: the heaviest keys first");
	ok(topk_check(a, ta, NKEYS, "shard a"), "topk shard a: bounds hold");
	m1 = sl_topk_new(1024);
	sl_topk_merge(m1, a);
	sl_topk_merge(m1, b);
	sl_topk_merge(m1, c);
	m2 = sl_topk_new(1024);
	sl_topk_merge(m2, c);
	{
		struct sl_topk *t = sl_topk_new(1024);

		sl_topk_merge(t, b);
		sl_topk_merge(t, a);
		sl_topk_merge(m2, t);
		sl_topk_free(t);
	}
	ok(sl_topk_total(m1) == N && topk_check(m1, truth, NKEYS, "(a+b)+c"),
	    "topk merge (a+b)+c: bounds hold");
	ok(sl_topk_total(m2) == N && topk_check(m2, truth, NKEYS, "c+(b+a)"),
	    "topk merge c+(b+a): bounds hold");

	/* 50 shards of 20,000: merged in a chain and as a tree */
	{
		struct sl_topk *sh[50], *chain = sl_topk_new(1024);
		uint64_t *t50 = sl_calloc(NKEYS, sizeof(uint64_t));

		for (size_t p = 0; p < 50; p++) {
			sh[p] = sl_topk_new(1024);
			for (size_t i = 0; i < 20000; i++) {
				size_t k = zipf(NKEYS, cum);
				int len = snprintf(key, sizeof(key), "k%zu", k);

				t50[k]++;
				sl_topk_add(sh[p], key, (size_t)len, 1);
			}
			sl_topk_merge(chain, sh[p]);
		}
		for (size_t step = 1; step < 50; step *= 2)
			for (size_t p = 0; p + step < 50; p += 2 * step)
				sl_topk_merge(sh[p], sh[p + step]);
		ok(sl_topk_total(chain) == N && topk_check(chain, t50, NKEYS,
		    "chain"), "topk 50 shards in a chain: bounds hold");
		ok(sl_topk_total(sh[0]) == N && topk_check(sh[0], t50, NKEYS,
		    "tree"), "topk 50 shards as a tree: bounds hold");
		for (size_t p = 0; p < 50; p++)
			sl_topk_free(sh[p]);
		sl_topk_free(chain);
		free(t50);
	}

	/* write, read, write */
	sl_buf_reset(&b1);
	sl_topk_write(&b1, m1);
	r = NULL;
	if (ok(parse(b1.data, b1.len, &v) == 0, "topk: JSON parses"))
		r = sl_topk_read(&v, err, sizeof(err));
	ok(r != NULL, "topk: reads back (%s)", r ? "" : err);
	if (r) {
		sl_topk_write(&b2, r);
		ok(b1.len == b2.len && memcmp(b1.data, b2.data, b1.len) == 0,
		    "topk: write-read-write identical (%zu bytes)", b1.len);
		ok(topk_check(r, truth, NKEYS, "read"), "topk: read copy "
		    "bounds hold");
		sl_topk_free(r);
	}

	/* exact merges stay exact */
	{
		struct sl_topk *x = sl_topk_new(4), *y = sl_topk_new(4);

		sl_topk_add(x, "a", 1, 2);
		sl_topk_add(x, "b", 1, 1);
		sl_topk_add(y, "b", 1, 5);
		sl_topk_add(y, "c", 1, 1);
		sl_topk_merge(x, y);
		sl_buf_reset(&b1);
		sl_topk_write(&b1, x);
		is_str(b1.data, "{\"capacity\":4,\"total\":9,\"exact\":true,"
		    "\"items\":[[\"b\",6,0],[\"a\",2,0],[\"c\",1,0]]}",
		    "topk: exact merge");
		sl_topk_add(y, "d", 1, 1);
		sl_topk_add(y, "e", 1, 1);
		sl_topk_merge(x, y);	/* five keys in four counters */
		sl_buf_reset(&b1);
		sl_topk_write(&b1, x);
		is_str(b1.data, "{\"capacity\":4,\"total\":17,\"exact\":false,"
		    "\"items\":[[\"b\",11,0],[\"a\",2,0],[\"c\",2,0],"
		    "[\"d\",1,0]]}", "topk: merge that drops a key");
		sl_topk_free(x);
		sl_topk_free(y);
	}

	/* keys short and long (28 to 250 bytes) replacing each other */
	{
		struct sl_topk *s = sl_topk_new(64), *rr;
		uint64_t *tl = sl_calloc(NKEYS, sizeof(uint64_t));
		char lk[300];

		for (size_t i = 0; i < 200000; i++) {
			size_t k = zipf(NKEYS, cum);
			int len = snprintf(lk, sizeof(lk), "k%zu-%.*s", k,
			    k % 3 ? 0 : (int)(30 + k % 220),
			    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
			    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
			    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
			    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
			    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");

			tl[k]++;
			sl_topk_add(s, lk, (size_t)len, 1);
		}
		ok(topk_check(s, tl, NKEYS, "mixed lengths"),
		    "topk mixed key lengths: bounds hold");
		n = sl_topk_items(s, &it);
		{
			int lens_ok = 1;

			for (size_t i = 0; i < n; i++) {
				size_t k = strtoul(it[i].key + 1, NULL, 10);
				size_t want = (size_t)snprintf(lk, sizeof(lk),
				    "k%zu-", k) + (k % 3 ? 0 : 30 + k % 220);

				if (it[i].key_len != want ||
				    strlen(it[i].key) != want)
					lens_ok = 0;
			}
			ok(lens_ok, "topk mixed key lengths: keys intact");
		}
		sl_buf_reset(&b1);
		sl_buf_reset(&b2);
		sl_topk_write(&b1, s);
		rr = parse(b1.data, b1.len, &v) == 0 ?
		    sl_topk_read(&v, err, sizeof(err)) : NULL;
		if (rr)
			sl_topk_write(&b2, rr);
		ok(rr && b1.len == b2.len && !memcmp(b1.data, b2.data, b1.len),
		    "topk mixed key lengths: write-read-write");
		sl_topk_free(rr);
		sl_topk_free(s);
		free(tl);
	}

	/* long keys: shortened on a character boundary, kept distinct */
	{
		struct sl_topk *s = sl_topk_new(8);
		char long1[600], long2[600];
		size_t l;

		memset(long1, 'x', sizeof(long1));
		/* a 2-byte character across the cut at 239 */
		long1[238] = '\xc3';
		long1[239] = '\xa9';
		memcpy(long2, long1, sizeof(long2));
		long2[599] = 'y';
		sl_topk_add(s, long1, sizeof(long1), 1);
		sl_topk_add(s, long2, sizeof(long2), 2);
		sl_topk_add(s, long1, sizeof(long1), 1);
		n = sl_topk_items(s, &it);
		l = n == 2 ? it[0].key_len : 0;
		ok(n == 2 && it[0].count == 2 && it[1].count == 2 &&
		    l == 238 + 17 && it[0].key[238] == '~' &&
		    it[1].key_len == l && sl_utf8_valid(it[0].key, l, NULL),
		    "topk: long keys shortened to %zu bytes, distinct", l);
		sl_buf_reset(&b1);
		sl_topk_write(&b1, s);
		ok(parse(b1.data, b1.len, &v) == 0 &&
		    (r = sl_topk_read(&v, err, sizeof(err))) != NULL,
		    "topk: shortened keys read back");
		if (r)
			sl_topk_free(r);
		sl_topk_free(s);
	}

	sl_topk_free(all);
	sl_topk_free(a);
	sl_topk_free(b);
	sl_topk_free(c);
	sl_topk_free(m1);
	sl_topk_free(m2);
	free(cum);
	free(truth);
	free(ta);
	sl_buf_release(&b1);
	sl_buf_release(&b2);
}

/* --- HyperLogLog ---------------------------------------------------------- */

static void
test_hll(void)
{
	static const size_t sizes[] = { 1, 10, 100, 1000, 5000, 10000, 20000,
		100000, 1000000 };
	struct sl_buf b1 = SL_BUF_INIT, b2 = SL_BUF_INIT;
	char key[32], err[200];
	struct sl_json v;

	for (size_t si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++) {
		struct sl_hll *s = sl_hll_new(12);
		double est, se;
		size_t n = sizes[si];

		for (size_t i = 0; i < n; i++) {
			int len = snprintf(key, sizeof(key), "user-%zu", i);

			sl_hll_add(s, key, (size_t)len);
			if (i % 3 == 0)	/* repeats change nothing */
				sl_hll_add(s, key, (size_t)len);
		}
		est = sl_hll_estimate(s);
		se = sl_hll_error(s);
		ok(fabs(est - (double)n) <= 3 * se * (double)n + 0.5,
		    "hll %zu distinct: estimate %.1f within 3 standard errors "
		    "(%.4f)", n, est, se);
		sl_hll_free(s);
	}
	{
		struct sl_hll *s = sl_hll_new(12);

		ok(sl_hll_estimate(s) == 0 && fabs(sl_hll_error(s) - 0.01625) <
		    1e-9, "hll: empty is 0; 4096 registers, 1.625%%");
		sl_hll_free(s);
	}

	/* merge is the sketch of the union, register for register */
	{
		struct sl_hll *a = sl_hll_new(12), *b = sl_hll_new(12),
		    *u = sl_hll_new(12), *big = sl_hll_new(14), *r;

		for (size_t i = 0; i < 300000; i++) {
			int len = snprintf(key, sizeof(key), "%zu", i);

			if (i < 200000)
				sl_hll_add(a, key, (size_t)len);
			if (i >= 100000)
				sl_hll_add(b, key, (size_t)len);
			sl_hll_add(u, key, (size_t)len);
			sl_hll_add(big, key, (size_t)len);
		}
		sl_hll_merge(a, b);
		sl_hll_write(&b1, a);
		sl_hll_write(&b2, u);
		ok(b1.len == b2.len && memcmp(b1.data, b2.data, b1.len) == 0,
		    "hll: merge equals the sketch of the union");
		/* precision 14 folded to 12 is the precision 12 sketch */
		sl_hll_merge(b, big);
		sl_buf_reset(&b1);
		sl_hll_write(&b1, b);
		ok(sl_hll_precision(b) == 12 && b1.len == b2.len &&
		    memcmp(b1.data, b2.data, b1.len) == 0,
		    "hll: p14 merged into p12 folds exactly");
		r = sl_hll_new(14);
		sl_hll_merge(r, big);
		sl_hll_merge(r, u);
		sl_buf_reset(&b1);
		sl_hll_write(&b1, r);
		ok(sl_hll_precision(r) == 12 && b1.len == b2.len &&
		    memcmp(b1.data, b2.data, b1.len) == 0,
		    "hll: p12 merged into p14 lowers it to 12");
		/* write, read, write */
		ok(parse(b1.data, b1.len, &v) == 0, "hll: JSON parses");
		sl_hll_free(r);
		r = sl_hll_read(&v, err, sizeof(err));
		if (ok(r != NULL, "hll: reads back")) {
			sl_buf_reset(&b2);
			sl_hll_write(&b2, r);
			is_str(b2.data, b1.data, "hll: write-read-write");
			sl_hll_free(r);
		}
		sl_hll_free(a);
		sl_hll_free(b);
		sl_hll_free(u);
		sl_hll_free(big);
	}
	sl_buf_release(&b1);
	sl_buf_release(&b2);
}

/* --- the hash ------------------------------------------------------------- */

static void
test_hash(void)
{
	/*
	 * Pinned values: profiles hold registers and tables built with this
	 * hash, so a change to it must be deliberate (and bump the profile
	 * version).
	 */
	static const struct { const char *s; uint64_t h; } pins[] = {
		{ "", 0xd384ffab7559412aULL },
		{ "a", 0x979e0f8198e45f47ULL },
		{ "sluice", 0x44e47d8b6d7aedfcULL },
		{ "0123456789abcdef0123", 0x5e574797597587e6ULL },
	};
	double flips = 0;
	int trials = 0;

	for (size_t i = 0; i < sizeof(pins) / sizeof(pins[0]); i++)
		ok(sl_hash64(pins[i].s, strlen(pins[i].s)) == pins[i].h,
		    "hash: pinned value of '%s'", pins[i].s);
	/* avalanche: one input bit changes about half the output bits */
	tap_rand_seed(3);
	for (int t = 0; t < 2000; t++) {
		unsigned char buf[24];
		size_t len = 1 + tap_rand() % 24, bit;
		uint64_t h0, h1;

		for (size_t i = 0; i < len; i++)
			buf[i] = (unsigned char)tap_rand();
		h0 = sl_hash64(buf, len);
		bit = tap_rand() % (len * 8);
		buf[bit / 8] ^= (unsigned char)(1u << (bit % 8));
		h1 = sl_hash64(buf, len);
		flips += __builtin_popcountll(h0 ^ h1);
		trials++;
	}
	ok(fabs(flips / trials - 32) < 1, "hash: avalanche %.2f of 64 bits",
	    flips / trials);
	ok(sl_hash64("ab", 2) != sl_hash64("ab\0", 3) &&
	    sl_hash64("", 0) != sl_hash64("\0", 1),
	    "hash: length is part of the hash");
}

/*
 * The shortcuts the profile takes give the same sketches as the plain
 * calls: sl_topk_add_hint (runs of a key, evictions, long keys) and
 * sl_topk_add_hash against sl_topk_add.
 */
static void
test_shortcuts(void)
{
	struct sl_buf b1 = SL_BUF_INIT, b2 = SL_BUF_INIT;
	char key[400];
	size_t cap[] = { 1, 3, 8, 64 };

	tap_rand_seed(11);
	for (size_t c = 0; c < sizeof(cap) / sizeof(cap[0]); c++) {
		struct sl_topk *a = sl_topk_new(cap[c]);
		struct sl_topk *h = sl_topk_new(cap[c]);
		struct sl_topk *x = sl_topk_new(cap[c]);
		size_t hint = 0, run = 0, len = 0;

		for (int i = 0; i < 20000; i++) {
			if (run == 0) {
				/* a new key: mostly few distinct, some long */
				unsigned k = tap_rand() % (tap_rand() % 4 ? 12 :
				    500);

				len = (size_t)snprintf(key, sizeof(key), "k%u", k);
				if (k % 97 == 5) {
					memset(key + len, 'x', 300);
					len += 300;
					key[len] = '\0';
				}
				run = 1 + tap_rand() % 6;
			}
			run--;
			sl_topk_add(a, key, len, 1 + (i % 50 == 0));
			sl_topk_add_hint(h, key, len, 1 + (i % 50 == 0), &hint);
			if (len <= SL_TOPK_KEY_MAX)
				sl_topk_add_hash(x, key, len, sl_hash64(key, len),
				    1 + (i % 50 == 0));
			else
				sl_topk_add(x, key, len, 1 + (i % 50 == 0));
		}
		sl_buf_reset(&b1);
		sl_buf_reset(&b2);
		sl_topk_write(&b1, a);
		sl_topk_write(&b2, h);
		ok(b1.len == b2.len && memcmp(b1.data, b2.data, b1.len) == 0,
		    "topk: adds with a hint give the same sketch (capacity %zu)",
		    cap[c]);
		sl_buf_reset(&b2);
		sl_topk_write(&b2, x);
		ok(b1.len == b2.len && memcmp(b1.data, b2.data, b1.len) == 0,
		    "topk: adds with the hash given give the same sketch "
		    "(capacity %zu)", cap[c]);
		sl_topk_free(a);
		sl_topk_free(h);
		sl_topk_free(x);
	}
	sl_buf_release(&b1);
	sl_buf_release(&b2);
}

int
main(void)
{
	sl_arena_init(&arena);
	test_hash();
	test_moments();
	test_hostile();
	test_mutations();
	test_kll();
	test_topk();
	test_hll();
	test_shortcuts();
	sl_arena_release(&arena);
	return tap_done();
}
