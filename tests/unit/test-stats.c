/*
 * test-stats.c - unit tests for libcommon/stats.c.
 *
 * 1. A table of small cases with their derivation by hand
 *    (tests/fixtures/stats/cases.jsonl, values filled by scipy once).
 * 2. Generated cases piped through tests/stats-ref.py (scipy.stats) now:
 *    exact samples must agree to 1e-9 relative.
 * 3. KLL sketches of a million values against scipy on all the values:
 *    KS D within the two sketches' rank errors, Wasserstein within the rank
 *    errors times the range.
 *
 * scipy is a test dependency (Debian's python3-scipy): set SLUICE_PYTHON to
 * the interpreter that has it (default: python3, then /usr/bin/python3);
 * SLUICE_SKIP_SCIPY=1 skips parts 2 and 3 explicitly.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "buf.h"
#include "json.h"
#include "sketch.h"
#include "stats.h"
#include "tap.h"
#include "xalloc.h"

static struct sl_arena arena = SL_ARENA_INIT;

/* --- helpers -------------------------------------------------------------- */

/* A JSON array of numbers as doubles (allocated), or NULL. */
static double *
num_array(const struct sl_json *obj, const char *key, size_t *n)
{
	const struct sl_json *a = sl_json_get(obj, key, strlen(key));
	double *out;

	if (a == NULL || a->type != SL_JSON_ARRAY)
		return NULL;
	out = sl_reallocarray(NULL, a->len ? a->len : 1, sizeof(double));
	for (size_t i = 0; i < a->len; i++)
		out[i] = a->u.items[i].type == SL_JSON_NUMBER ?
		    strtod(a->u.items[i].u.num, NULL) : NAN;
	*n = a->len;
	return out;
}

static double
num(const struct sl_json *obj, const char *key)
{
	const struct sl_json *v = sl_json_get(obj, key, strlen(key));

	return v && v->type == SL_JSON_NUMBER ? strtod(v->u.num, NULL) : NAN;
}

struct pair {
	double v, w;
};

static int
cmp_pair(const void *a, const void *b)
{
	double x = ((const struct pair *)a)->v, y = ((const struct pair *)b)->v;

	return (x > y) - (x < y);
}

/* A weighted sorted sample from values and weights (w NULL: all 1). */
static void
make_sample(const double *v, const double *w, size_t n, struct sl_wsample *s)
{
	struct pair *p = sl_reallocarray(NULL, n ? n : 1, sizeof(*p));
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		p[i].v = v[i];
		p[i].w = w ? w[i] : 1;
	}
	qsort(p, n, sizeof(*p), cmp_pair);
	s->v = sl_reallocarray(NULL, n ? n : 1, sizeof(double));
	s->w = sl_reallocarray(NULL, n ? n : 1, sizeof(double));
	s->total = 0;
	for (size_t i = 0; i < n; i++) {
		if (o > 0 && s->v[o - 1] == p[i].v) {
			s->w[o - 1] += p[i].w;
		} else {
			s->v[o] = p[i].v;
			s->w[o] = p[i].w;
			o++;
		}
		s->total += p[i].w;
	}
	s->n = o;
	free(p);
}

static int
close_to(double got, double want, double rel)
{
	if (got == want)
		return 1;
	if (isnan(got) || isnan(want))
		return 0;
	/* an absolute floor only for answers that are 0 */
	return fabs(got - want) <= rel * fabs(want) ||
	    (fabs(want) < 1e-300 && fabs(got) <= 1e-15);
}

/*
 * Runs one case (see tests/stats-ref.py) and compares with its "want".
 * Returns 1 when it agrees to rel.
 */
static int
run_case(const struct sl_json *c, double rel, struct sl_buf *what)
{
	const struct sl_json *opv = sl_json_get(c, "op", 2);
	const struct sl_json *want = sl_json_get(c, "want", 4);
	const char *op = opv && opv->type == SL_JSON_STRING ? opv->u.str : "?";
	double got[64], exp[64];
	size_t ng = 0, ne = 0, na = 0, nb = 0, nwa = 0, nwb = 0;
	double *a = NULL, *b = NULL, *wa = NULL, *wb = NULL;
	int good = 1;

	sl_buf_reset(what);
	sl_buf_adds(what, op);
	if (want == NULL)
		return 0;
	if (want->type == SL_JSON_NUMBER) {
		exp[ne++] = strtod(want->u.num, NULL);
	} else if (want->type == SL_JSON_ARRAY && want->len <= 64) {
		for (size_t i = 0; i < want->len; i++)
			exp[ne++] = want->u.items[i].type == SL_JSON_NUMBER ?
			    strtod(want->u.items[i].u.num, NULL) : NAN;
	} else {
		return 0;
	}
	if (!strcmp(op, "ks") || !strcmp(op, "w1") || !strcmp(op, "psi")) {
		struct sl_wsample sa, sb;

		a = num_array(c, "a", &na);
		b = num_array(c, "b", &nb);
		wa = num_array(c, "wa", &nwa);
		wb = num_array(c, "wb", &nwb);
		if (!a || !b || (wa && nwa != na) || (wb && nwb != nb)) {
			good = 0;
			goto out;
		}
		if (sl_json_get(c, "kll", 3) != NULL) {
			/* through KLL sketches that still hold every value */
			struct sl_kll *ka = sl_kll_new(200, 1), *kb = sl_kll_new(200, 2);

			for (size_t i = 0; i < na; i++)
				sl_kll_add(ka, a[i]);
			for (size_t i = 0; i < nb; i++)
				sl_kll_add(kb, b[i]);
			if (!sl_kll_exact(ka) || !sl_kll_exact(kb))
				good = 0;
			sl_kll_sorted(ka, &sa);
			sl_kll_sorted(kb, &sb);
			sl_kll_free(ka);
			sl_kll_free(kb);
			sl_buf_adds(what, " (exact kll)");
		} else {
			make_sample(a, wa, na, &sa);
			make_sample(b, wb, nb, &sb);
		}
		sl_buf_addf(what, " n=%zu m=%zu", na, nb);
		if (!strcmp(op, "ks")) {
			got[ng] = sl_stat_ks(&sa, &sb);
			got[ng + 1] = sl_stat_ks_p(got[ng], sa.total, sb.total);
			ng += 2;
		} else if (!strcmp(op, "w1")) {
			got[ng++] = sl_stat_wasserstein(&sa, &sb);
		} else {
			got[ng++] = sl_stat_psi(&sa, &sb);
		}
		sl_wsample_release(&sa);
		sl_wsample_release(&sb);
	} else if (!strcmp(op, "ksp")) {
		sl_buf_addf(what, " d=%g n=%g m=%g", num(c, "d"), num(c, "n"),
		    num(c, "m"));
		got[ng++] = sl_stat_ks_p(num(c, "d"), num(c, "n"), num(c, "m"));
	} else if (!strcmp(op, "js") || !strcmp(op, "linf") ||
	    !strcmp(op, "chi2")) {
		int two = !strcmp(op, "chi2");

		a = num_array(c, two ? "a" : "p", &na);
		b = num_array(c, two ? "b" : "q", &nb);
		if (!a || !b || na != nb) {
			good = 0;
			goto out;
		}
		sl_buf_addf(what, " k=%zu", na);
		got[ng++] = !strcmp(op, "js") ? sl_stat_js_distance(a, b, na) :
		    !strcmp(op, "linf") ? sl_stat_linf(a, b, na) :
		    sl_stat_chi2_p(a, b, na);
	} else if (!strcmp(op, "chi2sf")) {
		sl_buf_addf(what, " x=%g dof=%g", num(c, "x"), num(c, "dof"));
		got[ng++] = sl_stat_chi2_sf(num(c, "x"), num(c, "dof"));
	} else if (!strcmp(op, "bh") || !strcmp(op, "bonf")) {
		a = num_array(c, "p", &na);
		if (!a || na > 64) {
			good = 0;
			goto out;
		}
		if (!strcmp(op, "bh"))
			sl_stat_bh(a, na, got);
		else
			sl_stat_bonferroni(a, na, got);
		ng = na;
	} else if (!strcmp(op, "quantile")) {
		struct sl_wsample sa;

		a = num_array(c, "a", &na);
		if (!a) {
			good = 0;
			goto out;
		}
		make_sample(a, NULL, na, &sa);
		got[ng++] = sl_wsample_quantile(&sa, num(c, "q"));
		sl_wsample_release(&sa);
	} else {
		good = 0;
		goto out;
	}
	if (ng != ne)
		good = 0;
	for (size_t i = 0; good && i < ng; i++)
		if (!close_to(got[i], exp[i], rel))
			good = 0;
	for (size_t i = 0; i < ng && i < ne; i++)
		sl_buf_addf(what, " %.17g/%.17g", got[i], exp[i]);
out:
	free(a);
	free(b);
	free(wa);
	free(wb);
	return good;
}

/* Runs every JSON line of text; returns how many there were. */
static size_t
run_lines(const char *text, size_t len, double rel, const char *label)
{
	struct sl_buf what = SL_BUF_INIT;
	size_t line = 0, start = 0;

	while (start < len) {
		const char *nl = memchr(text + start, '\n', len - start);
		size_t end = nl ? (size_t)(nl - text) : len;
		struct sl_json c;

		if (end > start) {
			line++;
			sl_arena_reset(&arena);
			if (sl_json_parse(&arena, text + start, end - start, &c,
			    NULL) != SL_JSON_OK) {
				ok(0, "%s line %zu is JSON", label, line);
			} else {
				int r = run_case(&c, rel, &what);

				ok(r, "%s line %zu: %s", label, line,
				    r && what.len > 200 ? "agrees" : what.data);
			}
		}
		start = end + 1;
	}
	sl_buf_release(&what);
	return line;
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct sl_buf b = SL_BUF_INIT;
	char chunk[65536];
	size_t n;

	if (f == NULL)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		sl_buf_add(&b, chunk, n);
	fclose(f);
	sl_buf_addc(&b, '\0');
	b.len--;
	return sl_buf_detach(&b, len);
}

static char srcdir[4096];

static void
find_srcdir(void)
{
	const char *e = getenv("SLUICE_SRCDIR");
	const char *f = __FILE__, *p = strstr(f, "tests/unit/test-stats.c");

	if (e && *e)
		snprintf(srcdir, sizeof(srcdir), "%s", e);
	else if (p && p > f)
		snprintf(srcdir, sizeof(srcdir), "%.*s", (int)(p - f - 1), f);
	else
		snprintf(srcdir, sizeof(srcdir), ".");
}

/* --- 1. the hand-computed table ------------------------------------------- */

static void
test_table(void)
{
	char path[8192];
	size_t len, n;
	char *text;

	snprintf(path, sizeof(path), "%s/tests/fixtures/stats/cases.jsonl",
	    srcdir);
	text = slurp(path, &len);
	if (!ok(text != NULL, "table: %s readable (set SLUICE_SRCDIR)", path))
		return;
	n = run_lines(text, len, 1e-9, "table");
	ok(n >= 50, "table: %zu cases", n);
	free(text);
}

/*
 * The same kind of cases against closed forms worked out by hand, so the
 * table does not rest on scipy alone.
 */
static void
test_closed_forms(void)
{
	double a3[] = { 1, 2, 3 }, b3[] = { 2, 3, 4 };
	double c1[] = { 10, 20 }, c2[] = { 20, 10 }, c3[] = { 10, 0 },
	    c4[] = { 0, 10 }, j1[] = { 1, 0 }, j2[] = { 1, 1 };
	double r1[] = { 10, 20, 30 }, r2[] = { 30, 20, 10 };
	double h100[100], h50[50], t1[10], t2[10];
	struct sl_wsample sa, sb;
	double d;

	make_sample(a3, NULL, 3, &sa);
	make_sample(b3, NULL, 3, &sb);
	d = sl_stat_ks(&sa, &sb);
	/* n = round(1.5) = 2, n d = 2/3: P(D <= d) = (1/2)(1/3)(2/2)(1/3) */
	ok(close_to(d, 1.0 / 3, 1e-15) &&
	    close_to(sl_stat_ks_p(d, 3, 3), 17.0 / 18, 1e-12),
	    "closed form: KS D 1/3, p 17/18");
	/* a shift by one: W1 = 1 */
	ok(close_to(sl_stat_wasserstein(&sa, &sb), 1, 1e-15),
	    "closed form: Wasserstein of a shift by 1");
	sl_wsample_release(&sa);
	sl_wsample_release(&sb);
	/* n = 15, n d >= n - 1: 2 (1 - d)^15 */
	ok(close_to(sl_stat_ks_p(0.96, 30, 30), 2 * pow(0.04, 15), 1e-12),
	    "closed form: KS p 2 (1 - d)^n");
	for (int i = 0; i < 100; i++)
		h100[i] = i + 1;
	for (int i = 0; i < 50; i++)
		h50[i] = i + 1;
	make_sample(h100, NULL, 100, &sa);
	make_sample(h50, NULL, 50, &sb);
	ok(close_to(sl_stat_psi(&sa, &sb), 5 * 0.1 * log(2) +
	    5 * (1e-4 - 0.1) * log(1e-4 / 0.1), 1e-12),
	    "closed form: PSI of the lower half");
	sl_wsample_release(&sa);
	sl_wsample_release(&sb);
	for (int i = 0; i < 10; i++) {
		t1[i] = i < 5 ? 1 : 2;
		t2[i] = i < 3 ? 1 : 2;
	}
	make_sample(t1, NULL, 10, &sa);
	make_sample(t2, NULL, 10, &sb);
	ok(close_to(sl_stat_psi(&sa, &sb), -0.2 * log(0.6) + 0.2 * log(1.4),
	    1e-12), "closed form: PSI over tied deciles");
	sl_wsample_release(&sa);
	sl_wsample_release(&sb);
	ok(close_to(sl_stat_js_distance(j1, j2, 2), sqrt(0.75 * log2(4.0 / 3)),
	    1e-12), "closed form: JS distance sqrt(3/4 log2(4/3))");
	ok(sl_stat_js_distance(c3, c4, 2) == 1 &&
	    sl_stat_js_distance(c1, c1, 2) == 0, "closed form: JS 1 and 0");
	ok(close_to(sl_stat_linf(r1, r2, 3), 1.0 / 3, 1e-15),
	    "closed form: L-infinity 1/3");
	/* one degree of freedom: sf(x) = erfc(sqrt(x / 2)) */
	ok(close_to(sl_stat_chi2_p(c1, c2, 2), erfc(sqrt(10.0 / 3)), 1e-12),
	    "closed form: chi2 of 6.667, 1 dof");
	ok(close_to(sl_stat_chi2_p(c3, c4, 2), erfc(sqrt(10.0)), 1e-12),
	    "closed form: chi2 of 20, 1 dof");
	/* two degrees of freedom: sf(x) = exp(-x / 2) */
	ok(close_to(sl_stat_chi2_sf(7, 2), exp(-3.5), 1e-13) &&
	    close_to(sl_stat_chi2_sf(300, 2), exp(-150), 1e-12),
	    "closed form: chi2 sf with 2 dof");
	/* 4 dof: exp(-x/2) (1 + x/2) */
	ok(close_to(sl_stat_chi2_sf(9, 4), exp(-4.5) * 5.5, 1e-13),
	    "closed form: chi2 sf with 4 dof");
}

/* --- 2. scipy on generated data ------------------------------------------- */

static const char *python;

static int
find_python(void)
{
	static const char *cands[] = { "python3", "/usr/bin/python3" };
	const char *e = getenv("SLUICE_PYTHON");
	char cmd[4200];

	if (e && *e) {
		python = e;
		return 1;
	}
	for (size_t i = 0; i < 2; i++) {
		snprintf(cmd, sizeof(cmd), "%s -c 'import scipy.stats' "
		    ">/dev/null 2>&1", cands[i]);
		if (system(cmd) == 0) {
			python = cands[i];
			return 1;
		}
	}
	return 0;
}

/* Pipes cases through stats-ref.py; returns its output (allocated). */
static char *
scipy_fill(const struct sl_buf *cases, size_t *outlen)
{
	char in[4096], out[4200], cmd[16384];
	const char *tmp = getenv("TMPDIR");
	FILE *f;
	char *res = NULL;
	int fd;

	snprintf(in, sizeof(in), "%s/test-stats.XXXXXX", tmp && *tmp ? tmp :
	    "/tmp");
	fd = mkstemp(in);
	if (fd < 0)
		return NULL;
	f = fdopen(fd, "wb");
	fwrite(cases->data, 1, cases->len, f);
	fclose(f);
	snprintf(out, sizeof(out), "%s.out", in);
	snprintf(cmd, sizeof(cmd), "%s '%s/tests/stats-ref.py' < '%s' > '%s'",
	    python, srcdir, in, out);
	if (system(cmd) == 0)
		res = slurp(out, outlen);
	unlink(in);
	unlink(out);
	return res;
}

/* Appends ,"key":[...] with decimals digits after the point (-1: %.17g). */
static void
add_array(struct sl_buf *b, const char *key, const double *v, size_t n,
    int decimals)
{
	sl_buf_addf(b, ",\"%s\":[", key);
	for (size_t i = 0; i < n; i++) {
		if (i)
			sl_buf_addc(b, ',');
		if (decimals < 0)
			sl_buf_addf(b, "%.17g", v[i]);
		else
			sl_buf_addf(b, "%.*f", decimals, v[i]);
	}
	sl_buf_addc(b, ']');
}

static void
test_scipy_generated(void)
{
	static const struct { size_t n, m; double shift, scale, round; } ns[] = {
		{ 50, 60, 0, 1, 0 }, { 137, 141, 0.3, 1, 0 },
		{ 500, 800, 0.1, 1.2, 0 }, { 2000, 3000, 0, 1, 0.5 },
		{ 5000, 5000, 0.05, 1, 0 }, { 20, 2000, 1, 1, 0 },
		{ 3000, 4000, 0, 1, 0.01 },
	};
	static const double ds[] = { 0.001, 0.005, 0.02, 0.05, 0.1, 0.2, 0.3,
		0.5, 0.7 };
	static const double sizes[][2] = { { 10, 12 }, { 100, 100 },
		{ 300, 200 }, { 5000, 5000 }, { 1e5, 2e5 }, { 3e6, 3e6 },
		{ 2e6, 2e6 } };
	static const double xs[] = { 0.1, 1, 5, 30, 100, 1000 };
	static const double dofs[] = { 1, 2, 3, 10, 50, 500 };
	static const size_t ks[] = { 2, 3, 5, 20, 100 };
	struct sl_buf cases = SL_BUF_INIT;
	double *a = sl_malloc(5000 * sizeof(double));
	double *b = sl_malloc(5000 * sizeof(double));
	char *res;
	size_t len;

	tap_rand_seed(2024);
	for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
		for (size_t j = 0; j < ns[i].n; j++)
			a[j] = tap_nrand();
		for (size_t j = 0; j < ns[i].m; j++)
			b[j] = ns[i].shift + ns[i].scale * tap_nrand();
		if (ns[i].round > 0) {	/* ties */
			for (size_t j = 0; j < ns[i].n; j++)
				a[j] = round(a[j] / ns[i].round) * ns[i].round;
			for (size_t j = 0; j < ns[i].m; j++)
				b[j] = round(b[j] / ns[i].round) * ns[i].round;
		}
		for (int op = 0; op < 3; op++) {
			sl_buf_addf(&cases, "{\"op\":\"%s\"",
			    op == 0 ? "ks" : op == 1 ? "w1" : "psi");
			add_array(&cases, "a", a, ns[i].n, -1);
			add_array(&cases, "b", b, ns[i].m, -1);
			sl_buf_adds(&cases, "}\n");
		}
	}
	/* exact KLL sketches (fewer than k values) must agree exactly */
	for (int rep = 0; rep < 3; rep++) {
		size_t n = 120 + 30 * (size_t)rep, m = 199 - 20 * (size_t)rep;

		for (size_t j = 0; j < n; j++)
			a[j] = round(tap_nrand() * 20) / 4;
		for (size_t j = 0; j < m; j++)
			b[j] = 0.1 * rep + round(tap_nrand() * 20) / 4;
		for (int op = 0; op < 3; op++) {
			sl_buf_addf(&cases, "{\"op\":\"%s\",\"kll\":true",
			    op == 0 ? "ks" : op == 1 ? "w1" : "psi");
			add_array(&cases, "a", a, n, -1);
			add_array(&cases, "b", b, m, -1);
			sl_buf_adds(&cases, "}\n");
		}
	}
	/* weighted (as a KLL sketch's items are) */
	for (size_t j = 0; j < 300; j++) {
		a[j] = tap_nrand();
		b[j] = 0.2 + tap_nrand();
	}
	{
		double wa[300], wb[300];

		for (size_t j = 0; j < 300; j++) {
			wa[j] = (double)(1 << (tap_rand() % 4));
			wb[j] = (double)(1 << (tap_rand() % 3));
		}
		for (int op = 0; op < 2; op++) {
			sl_buf_addf(&cases, "{\"op\":\"%s\"", op ? "w1" : "ks");
			add_array(&cases, "a", a, 300, -1);
			add_array(&cases, "wa", wa, 300, -1);
			add_array(&cases, "b", b, 300, -1);
			add_array(&cases, "wb", wb, 300, -1);
			sl_buf_adds(&cases, "}\n");
		}
	}
	for (size_t i = 0; i < sizeof(ds) / sizeof(ds[0]); i++)
		for (size_t j = 0; j < sizeof(sizes) / sizeof(sizes[0]); j++)
			sl_buf_addf(&cases, "{\"op\":\"ksp\",\"d\":%.17g,\"n\":%.17g,"
			    "\"m\":%.17g}\n", ds[i], sizes[j][0], sizes[j][1]);
	for (size_t i = 0; i < sizeof(xs) / sizeof(xs[0]); i++)
		for (size_t j = 0; j < sizeof(dofs) / sizeof(dofs[0]); j++)
			sl_buf_addf(&cases, "{\"op\":\"chi2sf\",\"x\":%.17g,"
			    "\"dof\":%.17g}\n", xs[i] * dofs[j] / 10, dofs[j]);
	for (size_t i = 0; i < sizeof(ks) / sizeof(ks[0]); i++)
		for (int rep = 0; rep < 2; rep++) {
			size_t k = ks[i];

			for (size_t j = 0; j < k; j++) {
				a[j] = (double)(tap_rand() % 1000);
				b[j] = (double)(tap_rand() % (rep ? 1000 : 50)) +
				    a[j] * rep;
				if (tap_rand() % 5 == 0)
					a[j] = 0;
			}
			for (int op = 0; op < 3; op++) {
				sl_buf_addf(&cases, "{\"op\":\"%s\"", op == 0 ?
				    "js" : op == 1 ? "linf" : "chi2");
				add_array(&cases, op == 2 ? "a" : "p", a, k, 0);
				add_array(&cases, op == 2 ? "b" : "q", b, k, 0);
				sl_buf_adds(&cases, "}\n");
			}
		}
	for (int rep = 0; rep < 3; rep++) {
		for (size_t j = 0; j < 20; j++)
			a[j] = tap_urand() * (rep ? 1 : 0.1);
		sl_buf_adds(&cases, "{\"op\":\"bh\"");
		add_array(&cases, "p", a, 20, -1);
		sl_buf_adds(&cases, "}\n{\"op\":\"bonf\"");
		add_array(&cases, "p", a, 20, -1);
		sl_buf_adds(&cases, "}\n");
	}
	for (int rep = 0; rep < 5; rep++) {
		for (size_t j = 0; j < 101; j++)
			a[j] = round(tap_nrand() * 4);
		sl_buf_addf(&cases, "{\"op\":\"quantile\",\"q\":%.17g", tap_urand());
		add_array(&cases, "a", a, 101, -1);
		sl_buf_adds(&cases, "}\n");
	}
	res = scipy_fill(&cases, &len);
	if (ok(res != NULL, "scipy: %s tests/stats-ref.py ran", python)) {
		size_t n = run_lines(res, len, 1e-9, "scipy");

		ok(n > 150, "scipy: %zu generated cases", n);
		free(res);
	}
	free(a);
	free(b);
	sl_buf_release(&cases);
}

/* --- 3. sketches of a million values against scipy on all of them --------- */

static void
test_scipy_sketched(void)
{
	enum { N = 1000000 };
	struct sl_buf cases = SL_BUF_INIT;
	double *a = sl_malloc(N * sizeof(double)), *b = sl_malloc(N * sizeof(double));
	struct sl_kll *ka = sl_kll_new(200, 1), *kb = sl_kll_new(200, 2);
	struct sl_wsample sa, sb, ea, eb;
	double lo = INFINITY, hi = -INFINITY, eps, d, w, pd, pe;
	struct sl_json c;
	char *res;
	size_t len;

	tap_rand_seed(99);
	for (size_t i = 0; i < N; i++) {
		/* six decimals, so the text both sides read is the value */
		a[i] = round(tap_nrand() * 1e6) / 1e6;
		b[i] = round((0.05 + 1.1 * tap_nrand()) * 1e6) / 1e6;
		sl_kll_add(ka, a[i]);
		sl_kll_add(kb, b[i]);
		lo = fmin(lo, fmin(a[i], b[i]));
		hi = fmax(hi, fmax(a[i], b[i]));
	}
	sl_buf_adds(&cases, "{\"op\":\"ks\"");
	add_array(&cases, "a", a, N, 6);
	add_array(&cases, "b", b, N, 6);
	sl_buf_adds(&cases, "}\n{\"op\":\"w1\"");
	add_array(&cases, "a", a, N, 6);
	add_array(&cases, "b", b, N, 6);
	sl_buf_adds(&cases, "}\n");
	res = scipy_fill(&cases, &len);
	sl_buf_release(&cases);
	if (!ok(res != NULL, "sketched: scipy on 2 x 1M values ran"))
		goto out;
	sl_kll_sorted(ka, &sa);
	sl_kll_sorted(kb, &sb);
	eps = sl_kll_epsilon(ka) + sl_kll_epsilon(kb);
	make_sample(a, NULL, N, &ea);
	make_sample(b, NULL, N, &eb);
	{
		const char *nl = memchr(res, '\n', len);
		const struct sl_json *want;

		sl_arena_reset(&arena);
		if (nl && sl_json_parse(&arena, res, (size_t)(nl - res), &c,
		    NULL) == SL_JSON_OK &&
		    (want = sl_json_get(&c, "want", 4)) != NULL &&
		    want->type == SL_JSON_ARRAY && want->len == 2) {
			double sd = strtod(want->u.items[0].u.num, NULL);

			d = sl_stat_ks(&sa, &sb);
			ok(fabs(d - sd) <= eps, "sketched: KS D %.5f vs scipy "
			    "%.5f within %.4f", d, sd, eps);
			pe = sl_stat_ks(&ea, &eb);
			ok(close_to(pe, sd, 1e-9), "sketched: exact KS D on the "
			    "1M values equals scipy's");
			pd = sl_stat_ks_p(pe, N, N);
			ok(close_to(pd, strtod(want->u.items[1].u.num, NULL), 1e-9),
			    "sketched: exact KS p %.6g equals scipy's", pd);
		} else {
			ok(0, "sketched: scipy's KS answer parses");
		}
		if (nl && sl_json_parse(&arena, nl + 1, len - (size_t)(nl + 1 - res),
		    &c, NULL) == SL_JSON_OK &&
		    (want = sl_json_get(&c, "want", 4)) != NULL &&
		    want->type == SL_JSON_NUMBER) {
			double sw = strtod(want->u.num, NULL);

			w = sl_stat_wasserstein(&sa, &sb);
			ok(fabs(w - sw) <= eps * (hi - lo), "sketched: "
			    "Wasserstein %.5f vs scipy %.5f within %.4f", w, sw,
			    eps * (hi - lo));
			ok(close_to(sl_stat_wasserstein(&ea, &eb), sw, 1e-9),
			    "sketched: exact Wasserstein on the 1M values "
			    "equals scipy's");
		} else {
			ok(0, "sketched: scipy's Wasserstein answer parses");
		}
	}
	/* PSI has no stated bound: report how close the sketch comes */
	tap_diag("PSI sketched %.6f, exact %.6f", sl_stat_psi(&sa, &sb),
	    sl_stat_psi(&ea, &eb));
	sl_wsample_release(&sa);
	sl_wsample_release(&sb);
	sl_wsample_release(&ea);
	sl_wsample_release(&eb);
	free(res);
out:
	sl_kll_free(ka);
	sl_kll_free(kb);
	free(a);
	free(b);
}

/* --- edge cases ----------------------------------------------------------- */

static void
test_edges(void)
{
	struct sl_wsample e = { 0, NULL, NULL, 0 }, s;
	double one[] = { 1 }, p0[] = { 0, 0 }, p1[] = { 3, 1 };
	double adj[2];

	make_sample(one, NULL, 1, &s);
	ok(isnan(sl_stat_ks(&e, &s)) && isnan(sl_stat_wasserstein(&s, &e)) &&
	    isnan(sl_stat_psi(&e, &s)), "edges: an empty sample gives NaN");
	ok(sl_stat_ks(&s, &s) == 0 && sl_stat_wasserstein(&s, &s) == 0 &&
	    sl_stat_psi(&s, &s) == 0, "edges: one value against itself");
	ok(isnan(sl_stat_ks_p(0.5, 0, 10)), "edges: KS p with n = 0 is NaN");
	ok(sl_stat_ks_p(0, 10, 10) == 1 && sl_stat_ks_p(1, 10, 10) == 0,
	    "edges: KS p at D = 0 and 1");
	ok(sl_stat_js_distance(p0, p0, 2) == 0 &&
	    sl_stat_js_distance(p0, p1, 2) == 1 && sl_stat_linf(p1, p0, 2) == 1,
	    "edges: empty distributions");
	ok(sl_stat_chi2_p(p0, p1, 2) == 1, "edges: chi2 with an empty row");
	ok(sl_stat_chi2_sf(INFINITY, 3) == 0 && isnan(sl_stat_chi2_sf(1, 0)),
	    "edges: chi2 sf at infinity, bad dof");
	sl_stat_bh(NULL, 0, adj);
	sl_stat_bonferroni(p1, 0, adj);
	ok(1, "edges: zero p-values corrected");
	sl_wsample_release(&s);
}

int
main(void)
{
	const char *skip = getenv("SLUICE_SKIP_SCIPY");

	sl_arena_init(&arena);
	find_srcdir();
	test_table();
	test_closed_forms();
	test_edges();
	if (skip && !strcmp(skip, "1")) {
		printf("ok %d # SKIP scipy cross-checks (SLUICE_SKIP_SCIPY=1)\n",
		    ++tap_n);
	} else if (ok(find_python(), "scipy: an interpreter with scipy.stats "
	    "(set SLUICE_PYTHON, or SLUICE_SKIP_SCIPY=1)")) {
		test_scipy_generated();
		test_scipy_sketched();
	}
	sl_arena_release(&arena);
	return tap_done();
}
