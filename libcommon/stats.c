/* stats.c - see stats.h */
#include "config.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "pool.h"
#include "stats.h"
#include "xalloc.h"

/* --- numeric samples ------------------------------------------------------ */

/*
 * Walks the union of both samples' values in ascending order, calling
 * fn(Fa(x), Fb(x), x, next) at every distinct value x (next: the following
 * distinct value, or x at the last one), where F is the fraction of the
 * weight on values <= x.
 */
typedef void (*walk_fn)(double fa, double fb, double x, double next, void *arg);

static void
walk(const struct sl_wsample *a, const struct sl_wsample *b, walk_fn fn,
    void *arg)
{
	size_t i = 0, j = 0;
	double ca = 0, cb = 0;

	while (i < a->n || j < b->n) {
		double x, next;

		if (j >= b->n || (i < a->n && a->v[i] <= b->v[j]))
			x = a->v[i];
		else
			x = b->v[j];
		while (i < a->n && a->v[i] == x)
			ca += a->w[i++];
		while (j < b->n && b->v[j] == x)
			cb += b->w[j++];
		if (i < a->n && j < b->n)
			next = a->v[i] < b->v[j] ? a->v[i] : b->v[j];
		else if (i < a->n)
			next = a->v[i];
		else if (j < b->n)
			next = b->v[j];
		else
			next = x;
		fn(ca / a->total, cb / b->total, x, next, arg);
	}
}

static void
ks_step(double fa, double fb, double x, double next, void *arg)
{
	double *d = arg, diff = fabs(fa - fb);

	if (diff > *d)
		*d = diff;
}

double
sl_stat_ks(const struct sl_wsample *a, const struct sl_wsample *b)
{
	double d = 0;

	if (a->n == 0 || b->n == 0 || !(a->total > 0) || !(b->total > 0))
		return NAN;
	walk(a, b, ks_step, &d);
	return d;
}

static void
w1_step(double fa, double fb, double x, double next, void *arg)
{
	double *sum = arg;

	*sum += fabs(fa - fb) * (next - x);
}

double
sl_stat_wasserstein(const struct sl_wsample *a, const struct sl_wsample *b)
{
	double sum = 0;

	if (a->n == 0 || b->n == 0 || !(a->total > 0) || !(b->total > 0))
		return NAN;
	walk(a, b, w1_step, &sum);
	return sum;
}

double
sl_stat_psi(const struct sl_wsample *base, const struct sl_wsample *cur)
{
	double e[11], psi = 0;

	if (base->n == 0 || cur->n == 0 || !(base->total > 0) ||
	    !(cur->total > 0))
		return NAN;
	for (int j = 1; j < 10; j++)
		e[j] = sl_wsample_quantile(base, j / 10.0);
	for (int j = 0; j < 10; j++) {
		double b0 = j ? sl_wsample_cdf(base, e[j]) : 0;
		double b1 = j < 9 ? sl_wsample_cdf(base, e[j + 1]) : 1;
		double c0 = j ? sl_wsample_cdf(cur, e[j]) : 0;
		double c1 = j < 9 ? sl_wsample_cdf(cur, e[j + 1]) : 1;
		double bs = b1 - b0, cs = c1 - c0;

		if (!(bs > 0))
			bs = SL_PSI_EMPTY;
		if (!(cs > 0))
			cs = SL_PSI_EMPTY;
		psi += (cs - bs) * log(cs / bs);
	}
	return psi;
}

/* --- the Kolmogorov distribution ------------------------------------------ */

/*
 * P(D_n >= x) for the one-sample two-sided statistic, by the algorithm of
 * Simard and L'Ecuyer ("Computing the two-sided Kolmogorov-Smirnov
 * distribution", J. Stat. Software 39(11), 2011) with the cut-offs scipy's
 * kstwo uses, so that sl_stat_ks_p matches ks_2samp(method="asymp"):
 * Ruben-Gambino's closed forms at the ends, Durbin's matrix (in Marsaglia,
 * Tsang and Wang's form) for small n x^2, 2 x Smirnov's one-sided
 * probability for large n x^2, Pelz-Good's expansion in between.  Where
 * scipy uses Pomeranz's recursion (n <= 140, 0.754693 < n x^2 <= 4) this
 * uses Durbin's matrix too: both are exact.
 */

/* log(n! / n^n) by Stirling's series with n log n taken out. */
static double
log_nfact_npow(double n)
{
	/* B_2j / (2j (2j - 1)), j = 8 .. 1 */
	static const double c[] = {
		-2.955065359477124183e-2, 6.4102564102564102564e-3,
		-1.9175269175269175269e-3, 8.4175084175084175084e-4,
		-5.952380952380952381e-4, 7.9365079365079365079e-4,
		-2.7777777777777777778e-3, 8.3333333333333333333e-2,
	};
	double rn = 1 / n, p = 0;

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		p = p * (rn / n) + c[i];
	return log(n) / 2 - n + log(2 * M_PI) / 2 + rn * p;
}

/* s(k) = log k! - (k log k - k): Stirling's remainder, s(0) = 0. */
static double
stirling_rest(double k)
{
	double r;

	if (k < 1)
		return 0;
	if (k < 100)
		return lgamma(k + 1) - k * log(k) + k;
	r = 1 / k;
	return 0.5 * log(2 * M_PI * k) + r * (1.0 / 12 - r * r * (1.0 / 360 -
	    r * r * (1.0 / 1260 - r * r / 1680)));
}

/* The log of term j of smirnov()'s sum, -INFINITY for a zero term. */
static double
smirnov_lt(double n, double x, double nx, double sn, size_t jj)
{
	double j = (double)jj;

	if ((n - j) - nx <= 0)
		return -INFINITY;
	return sn - stirling_rest(j) - stirling_rest(n - j) +
	    (jj ? j * log1p(nx / j) : 0) +
	    (n - j) * log1p(-nx / (n - j)) - log(x + j / n);
}

/* Terms [from, to) of smirnov()'s sum, their logs computed on a thread. */
struct smirnov_part {
	double n, x, nx, sn;
	size_t from, to;
	double *lt;
};

static void *
smirnov_part_run(void *arg)
{
	struct smirnov_part *sp = arg;

	for (size_t jj = sp->from; jj < sp->to; jj++)
		sp->lt[jj - sp->from] = smirnov_lt(sp->n, sp->x, sp->nx, sp->sn,
		    jj);
	return NULL;
}

#define SMIRNOV_THREAD_MIN 50000	/* terms worth a second thread */

/*
 * Smirnov's one-sided P(D_n^+ >= x): the exact finite sum
 * x sum_{j=0}^{floor(n(1-x))} C(n,j) (x + j/n)^(j-1) (1 - x - j/n)^(n-j)
 * for n <= 10^6, and exp(-(6nx + 1)^2 / 18n) beyond (as
 * scipy.special.smirnov).  Each term's log is taken with the large parts
 * cancelled by hand (Stirling for the binomial, then
 * j log1p(nx/j) + (n-j) log1p(-nx/(n-j)) - log(x + j/n)), so it stays
 * accurate to about 1e-12 where the naive logs lose 1e-8 at n = 10^6.
 *
 * With many terms and more than one CPU, a thread computes the logs of the
 * terms from about the middle on (each log is a function of j alone, the
 * same bits on any thread) while this one sums the first ones; the sum
 * itself is always taken in order of j, so the result is the same to the
 * last bit whether or not the thread ran.  The thread never takes the
 * terms whose stirling_rest() uses lgamma() (j or n - j below 100): lgamma
 * sets the global signgam.
 */
static double
smirnov(double n, double x)
{
	double jmax, mx = -INFINITY, sum = 0, nx = n * x, sn;
	size_t cnt;
	struct smirnov_part sp = { 0 };
	pthread_t th;
	int threaded = 0;

	if (x <= 0)
		return 1;
	if (x >= 1)
		return 0;
	if (n > 1e6)
		return exp(-pow(6 * n * x + 1, 2) / 18 / n);
	jmax = floor(n * (1 - x));
	cnt = (size_t)jmax + 1;
	sn = stirling_rest(n);
	if (cnt >= SMIRNOV_THREAD_MIN && n > 200 && sl_ncpu() > 1) {
		sp.n = n;
		sp.x = x;
		sp.nx = nx;
		sp.sn = sn;
		/*
		 * this thread also takes every exp(): about 46% of the logs
		 * here makes both threads finish together
		 */
		sp.from = cnt / 50 * 23;
		sp.to = cnt;
		/* n - j >= 100 for every j < to */
		if ((double)sp.to > n - 100)
			sp.to = (size_t)(n - 100);
		if (sp.from < sp.to) {
			sp.lt = malloc((sp.to - sp.from) * sizeof(double));
			threaded = sp.lt != NULL && pthread_create(&th, NULL,
			    smirnov_part_run, &sp) == 0;
			if (!threaded) {
				free(sp.lt);
				sp.lt = NULL;
			}
		}
	}
	/* one pass, the sum kept scaled by the largest term so far */
	for (size_t jj = 0; jj < cnt; jj++) {
		double lt;

		if (threaded && jj == sp.from) {
			pthread_join(th, NULL);
			threaded = 0;
		}
		if (sp.lt != NULL && jj >= sp.from && jj < sp.to)
			lt = sp.lt[jj - sp.from];
		else
			lt = smirnov_lt(n, x, nx, sn, jj);
		if (lt > mx) {
			sum = sum * exp(mx - lt) + 1;
			mx = lt;
		} else if (lt - mx > -40) {
			/*
			 * sum >= 1 here, and a term below e^-40 of the largest
			 * (less than half an ulp of 1) leaves it unchanged in
			 * round-to-nearest: its exp() need not be taken.
			 */
			sum += exp(lt - mx);
		}
	}
	free(sp.lt);
	return x * sum * exp(mx);
}

/* Durbin's matrix: P(D_n < d), after Marsaglia, Tsang and Wang (2003). */
static void
matmul(const double *a, const double *b, double *out, size_t m)
{
	for (size_t i = 0; i < m; i++)
		for (size_t j = 0; j < m; j++) {
			double s = 0;

			for (size_t l = 0; l < m; l++)
				s += a[i * m + l] * b[l * m + j];
			out[i * m + j] = s;
		}
}

static double
kolmogn_durbin(double n, double d)
{
	double nd = n * d, h, fac = 1, tt, p;
	size_t k, m;
	double *H, *P, *T, *v, *w;
	long expnt = 0, hexpnt = 0;
	unsigned long long nn;
	const double ep = ldexp(1, 128), em = ldexp(1, -128);

	if (d >= 1)
		return 1;
	if (nd <= 0.5)
		return 0;
	k = (size_t)ceil(nd);
	h = (double)k - nd;
	m = 2 * k - 1;
	H = sl_calloc(m * m, sizeof(double));
	P = sl_calloc(m * m, sizeof(double));
	T = sl_calloc(m * m, sizeof(double));
	v = sl_calloc(m, sizeof(double));
	w = sl_calloc(m, sizeof(double));
	/* v[j] = (1 - h^(j+1)) / (j+1)!, w[j] = 1 / j! */
	for (size_t j = 1; j <= m; j++) {
		w[j - 1] = fac;
		fac /= (double)j;
		v[j - 1] = (1 - pow(h, (double)j)) * fac;
	}
	tt = pow(fmax(2 * h - 1, 0), (double)m) - 2 * pow(h, (double)m);
	v[m - 1] = (1 + tt) * fac;
	for (size_t i = 1; i < m; i++)
		for (size_t r = i - 1; r < m; r++)
			H[r * m + i] = w[r - (i - 1)];
	for (size_t r = 0; r < m; r++)
		H[r * m] = v[r];
	for (size_t c = 0; c < m; c++)
		H[(m - 1) * m + c] = v[m - 1 - c];
	for (size_t i = 0; i < m; i++)
		P[i * m + i] = 1;
	for (nn = (unsigned long long)n; nn > 0; nn /= 2) {
		if (nn % 2) {
			matmul(P, H, T, m);
			memcpy(P, T, m * m * sizeof(double));
			expnt += hexpnt;
		}
		matmul(H, H, T, m);
		memcpy(H, T, m * m * sizeof(double));
		hexpnt *= 2;
		if (fabs(H[(k - 1) * m + k - 1]) > ep) {
			for (size_t i = 0; i < m * m; i++)
				H[i] /= ep;
			hexpnt += 128;
		}
	}
	p = P[(k - 1) * m + k - 1];
	for (double i = 1; i <= n; i++) {
		p = i * p / n;
		if (fabs(p) < em) {
			p *= ep;
			expnt -= 128;
		}
	}
	if (expnt != 0)
		p = ldexp(p, (int)expnt);
	free(H);
	free(P);
	free(T);
	free(v);
	free(w);
	return p;
}

/* Pelz and Good's (1976) expansion of P(D_n <= x), for small x. */
static double
kolmogn_pelz_good(double n, double x)
{
	const double pi2 = M_PI * M_PI, pi4 = pi2 * pi2, pi6 = pi4 * pi2;
	const double s2pi = sqrt(2 * M_PI);
	double z, z2, z3, z4, z6, q, K[4] = { 0, 0, 0, 0 };
	double k1a, k1b, k2a, k2b, k2c, k3a, k3b, k3c, k3d, e2 = 0, e3 = 0;
	long maxk;

	if (x <= 0)
		return 0;
	if (x >= 1)
		return 1;
	z = sqrt(n) * x;
	z2 = z * z;
	z3 = z2 * z;
	z4 = z2 * z2;
	z6 = z4 * z2;
	if (-pi2 / 8 / z2 < -708)
		return 0;
	q = exp(-pi2 / 8 / z2);
	k1a = -z2;
	k1b = pi2 / 4;
	k2a = 6 * z6 + 2 * z4;
	k2b = (2 * z4 - 5 * z2) * pi2 / 4;
	k2c = pi4 * (1 - 2 * z2) / 16;
	k3d = pi6 * (5 - 30 * z2) / 64;
	k3c = pi4 * (-60 * z2 + 212 * z4) / 16;
	k3b = pi2 * (135 * z4 - 96 * z6) / 4;
	k3a = -30 * z6 - 90 * z4 * z4;
	/* sums over odd m = 2k - 1 of c(m) q^(m^2), by Horner in q^(8k) */
	maxk = (long)ceil(16 * z / M_PI);
	for (long kk = maxk; kk > 0; kk--) {
		double mm = (double)(2 * kk - 1), m2 = mm * mm, m4 = m2 * m2;
		double qp = pow(q, 8.0 * (double)kk);

		K[0] = K[0] * qp + 1;
		K[1] = K[1] * qp + (k1a + k1b * m2);
		K[2] = K[2] * qp + (k2a + k2b * m2 + k2c * m4);
		K[3] = K[3] * qp + (k3a + k3b * m2 + k3c * m4 + k3d * m4 * m2);
	}
	for (int i = 0; i < 4; i++)
		K[i] *= q * s2pi;
	K[0] /= z;
	K[1] /= 6 * z4;
	K[2] /= 72 * z6 * z;
	K[3] /= 6480 * z6 * z4;
	/* the sums over all k of k^2 q'^(k^2) terms */
	q = exp(-pi2 / 2 / z2);
	for (long kk = maxk; kk > 0; kk--) {
		double k2 = (double)kk * (double)kk, qk = pow(q, k2);
		double s3z = sqrt(3.0) * z, kpi = M_PI * (double)kk;

		e2 += k2 * qk;
		e3 += (s3z + kpi) * (s3z - kpi) * k2 * qk;
	}
	K[2] += e2 * pi2 * s2pi / (-36 * z3);
	K[3] += e3 * pi2 * s2pi / (216 * z6);
	K[1] /= sqrt(n);
	K[2] /= n;
	K[3] /= n * sqrt(n);
	return K[0] + K[1] + K[2] + K[3];
}

static double
clip01(double p)
{
	return p < 0 ? 0 : p > 1 ? 1 : p;
}

/* P(D_n >= x), the survival function of scipy.stats.kstwo(n). */
static double
kolmogn_sf(double n, double x)
{
	double t, nx2;

	if (x >= 1)
		return 0;
	if (x <= 0)
		return 1;
	t = n * x;
	if (t <= 1) {
		double p;

		if (t <= 0.5)
			return 1;
		if (n <= 140) {
			p = 1;
			for (double i = 1; i <= n; i++)
				p *= i * (1 / n) * (2 * t - 1);
		} else {
			p = exp(log_nfact_npow(n) + n * log(2 * t - 1));
		}
		return clip01(1 - p);
	}
	if (t >= n - 1)
		return clip01(2 * pow(1 - x, n));
	if (x >= 0.5)
		return clip01(2 * smirnov(n, x));
	nx2 = t * x;
	if (n <= 140) {
		if (nx2 <= 4)
			return clip01(1 - kolmogn_durbin(n, x));
		return clip01(2 * smirnov(n, x));
	}
	if (nx2 >= 370)
		return 0;
	if (nx2 >= 2.2)
		return clip01(2 * smirnov(n, x));
	if (n <= 100000 && n * pow(x, 1.5) <= 1.4)
		return clip01(1 - kolmogn_durbin(n, x));
	return clip01(1 - kolmogn_pelz_good(n, x));
}

double
sl_stat_ks_p(double d, double n, double m)
{
	double en;

	if (!(n > 0) || !(m > 0) || isnan(d))
		return NAN;
	en = n * m / (n + m);
	/* numpy's round: halves to even, as nearbyint does by default */
	en = nearbyint(en);
	if (en < 1)
		en = 1;
	return kolmogn_sf(en, d);
}

/* --- categorical distributions -------------------------------------------- */

static double
sum_of(const double *p, size_t k)
{
	double s = 0;

	for (size_t i = 0; i < k; i++)
		s += p[i];
	return s;
}

/* x log(x / y), 0 at x = 0 (scipy.special.rel_entr) */
static double
rel_entr(double x, double y)
{
	if (x == 0)
		return 0;
	return x * log(x / y);
}

double
sl_stat_js_distance(const double *p, const double *q, size_t k)
{
	double sp = sum_of(p, k), sq = sum_of(q, k), js = 0;

	if (!(sp > 0) && !(sq > 0))
		return 0;
	if (!(sp > 0) || !(sq > 0))
		return 1;
	for (size_t i = 0; i < k; i++) {
		double a = p[i] / sp, b = q[i] / sq, m = (a + b) / 2;

		js += rel_entr(a, m) + rel_entr(b, m);
	}
	js = js / 2 / log(2);
	return js > 0 ? sqrt(js) : 0;
}

double
sl_stat_linf(const double *p, const double *q, size_t k)
{
	double sp = sum_of(p, k), sq = sum_of(q, k), d = 0;

	if (!(sp > 0) && !(sq > 0))
		return 0;
	if (!(sp > 0) || !(sq > 0))
		return 1;
	for (size_t i = 0; i < k; i++) {
		double x = fabs(p[i] / sp - q[i] / sq);

		if (x > d)
			d = x;
	}
	return d;
}

/*
 * The regularised upper incomplete gamma function Q(a, x): the series for
 * P(a, x) when x < a + 1, else the continued fraction for Q evaluated by
 * the modified Lentz method (Numerical Recipes, 3rd ed., section 6.2).
 */
static double
gamma_q(double a, double x)
{
	double lpre;

	if (x <= 0)
		return 1;
	if (isinf(x))
		return 0;
	lpre = a * log(x) - x - lgamma(a);
	if (x < a + 1) {
		double ap = a, del = 1 / a, sum = del;

		for (int i = 0; i < 100000; i++) {
			ap += 1;
			del *= x / ap;
			sum += del;
			if (fabs(del) < fabs(sum) * 1e-17)
				break;
		}
		return clip01(1 - sum * exp(lpre));
	} else {
		const double tiny = 1e-300;
		double b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d;

		for (int i = 1; i < 100000; i++) {
			double an = -(double)i * ((double)i - a), del;

			b += 2;
			d = an * d + b;
			if (fabs(d) < tiny)
				d = tiny;
			c = b + an / c;
			if (fabs(c) < tiny)
				c = tiny;
			d = 1 / d;
			del = d * c;
			h *= del;
			if (fabs(del - 1) < 1e-17)
				break;
		}
		return clip01(exp(lpre) * h);
	}
}

double
sl_stat_chi2_sf(double x, double dof)
{
	if (isnan(x) || !(dof > 0))
		return NAN;
	return gamma_q(dof / 2, x / 2);
}

double
sl_stat_chi2_p(const double *a, const double *b, size_t k)
{
	double ra = sum_of(a, k), rb = sum_of(b, k), n = ra + rb, stat = 0;
	size_t cols = 0;

	if (!(ra > 0) || !(rb > 0))
		return 1;
	for (size_t i = 0; i < k; i++) {
		double col = a[i] + b[i], ea, eb;

		if (!(col > 0))
			continue;
		cols++;
		ea = ra * col / n;
		eb = rb * col / n;
		stat += (a[i] - ea) * (a[i] - ea) / ea +
		    (b[i] - eb) * (b[i] - eb) / eb;
	}
	if (cols < 2)
		return 1;
	return sl_stat_chi2_sf(stat, (double)(cols - 1));
}

/* --- multiple testing ----------------------------------------------------- */

struct pidx {
	double p;
	size_t i;
};

static int
cmp_pidx(const void *x, const void *y)
{
	const struct pidx *a = x, *b = y;

	if (a->p != b->p)
		return a->p < b->p ? -1 : 1;
	return (a->i > b->i) - (a->i < b->i);
}

void
sl_stat_bh(const double *p, size_t n, double *adj)
{
	struct pidx *s;
	double run = 1;

	if (n == 0)
		return;
	s = sl_reallocarray(NULL, n, sizeof(*s));
	for (size_t i = 0; i < n; i++) {
		s[i].p = p[i];
		s[i].i = i;
	}
	qsort(s, n, sizeof(*s), cmp_pidx);
	/* p_(r) n / r, made monotone from the largest down, capped at 1 */
	for (size_t r = n; r-- > 0;) {
		double v = s[r].p * (double)n / (double)(r + 1);

		if (v < run)
			run = v;
		adj[s[r].i] = run;
	}
	free(s);
}

void
sl_stat_bonferroni(const double *p, size_t n, double *adj)
{
	for (size_t i = 0; i < n; i++) {
		double v = p[i] * (double)n;

		adj[i] = v > 1 ? 1 : v;
	}
}
