/*
 * tap.h - a minimal TAP producer for libcommon's unit tests (header only).
 *
 *   ok(cond, "name %d", i);      one test point
 *   is_str(got, want, "name");   string equality, prints both on failure
 *   is_int(got, want, "name");
 *   return tap_done();           prints the plan, exit status 1 on failure
 *
 * The plan is printed at the end ("1..N"), which TAP allows, so tables can
 * grow without counting by hand.
 */
#ifndef SL_TAP_H
#define SL_TAP_H

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

__attribute__((format(printf, 2, 3), unused)) static int
ok(int cond, const char *fmt, ...)
{
	va_list ap;

	tap_n++;
	printf("%sok %d - ", cond ? "" : "not ", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!cond)
		tap_failed++;
	fflush(stdout);
	return cond;
}

__attribute__((unused)) static void
tap_diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

#define is_str(got, want, ...) do { \
	const char *g_ = (got), *w_ = (want); \
	int c_ = (g_ == NULL && w_ == NULL) || \
	    (g_ != NULL && w_ != NULL && strcmp(g_, w_) == 0); \
	if (!ok(c_, __VA_ARGS__)) { \
		tap_diag("     got: '%s'", g_ ? g_ : "(null)"); \
		tap_diag("expected: '%s'", w_ ? w_ : "(null)"); \
	} \
} while (0)

#define is_int(got, want, ...) do { \
	long long g_ = (long long)(got), w_ = (long long)(want); \
	if (!ok(g_ == w_, __VA_ARGS__)) { \
		tap_diag("     got: %lld", g_); \
		tap_diag("expected: %lld", w_); \
	} \
} while (0)

/*
 * A seeded generator (xorshift64*) for property tests: the same numbers on
 * every platform, so a failing case can be replayed.  tap_rand_seed() sets
 * the seed (not 0).
 */
static uint64_t tap_rng_state = 0x9e3779b97f4a7c15ULL;

__attribute__((unused)) static void
tap_rand_seed(uint64_t seed)
{
	tap_rng_state = seed ? seed : 1;
}

__attribute__((unused)) static uint64_t
tap_rand(void)
{
	tap_rng_state ^= tap_rng_state >> 12;
	tap_rng_state ^= tap_rng_state << 25;
	tap_rng_state ^= tap_rng_state >> 27;
	return tap_rng_state * 0x2545f4914f6cdd1dULL;
}

/* Uniform in [0, 1), from tap_rand(). */
__attribute__((unused)) static double
tap_urand(void)
{
	return (double)(tap_rand() >> 11) * 0x1p-53;
}

/* Standard normal by Box-Muller, from tap_rand(). */
__attribute__((unused)) static double
tap_nrand(void)
{
	double u = tap_urand(), v = tap_urand();

	if (u < 1e-300)
		u = 1e-300;
	return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

__attribute__((unused)) static int
tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed != 0;
}

#endif
