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

#include <stdarg.h>
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

__attribute__((unused)) static int
tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed != 0;
}

#endif
