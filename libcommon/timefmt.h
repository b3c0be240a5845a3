/*
 * timefmt.h - time in the sluice stream: RFC 3339 in UTC, microseconds since
 * the epoch inside, SOURCE_DATE_EPOCH for reproducible runs, and ISO 8601
 * durations.
 *
 * sl_now() is "now" for every timestamp a tool writes; when the environment
 * sets SOURCE_DATE_EPOCH (the reproducible-builds convention) it is that
 * instant instead, so two runs over the same input give identical bytes.
 */
#ifndef SL_TIMEFMT_H
#define SL_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

typedef int64_t sl_time;   /* microseconds since 1970-01-01T00:00:00Z */

/* 0000-01-01T00:00:00Z and 9999-12-31T23:59:59.999999Z: the range of times */
#define SL_TIME_MIN (-62167219200LL * 1000000)
#define SL_TIME_MAX (253402300800LL * 1000000 - 1)

#define SL_TIME_STRLEN 32

/*
 * The current time, or SOURCE_DATE_EPOCH.  A malformed SOURCE_DATE_EPOCH is
 * a usage error (exit 64), as the convention asks.
 */
sl_time sl_now(void);
/* Is SOURCE_DATE_EPOCH set (reproducible mode)? */
int sl_reproducible(void);
/* A monotonic clock in microseconds, for durations (not affected by SDE). */
int64_t sl_monotonic_us(void);

enum sl_time_style {
	SL_TIME_MICRO,  /* 2026-11-24T10:00:00.000000Z (WARC-Date) */
	SL_TIME_AUTO,   /* 2026-11-20T08:00:00Z, fraction only when non-zero */
};

/* Formats t in UTC; returns the length.  Years outside 0000-9999 clamp. */
size_t sl_time_format(sl_time t, enum sl_time_style style,
    char out[SL_TIME_STRLEN]);

/*
 * Parses an RFC 3339 date-time ("2026-11-20T08:00:00Z", "...08:00:00.25+02:00",
 * 't' or ' ' for 'T', 'z' for 'Z') or a full date ("2026-11-20", taken as
 * midnight UTC).  Fractions beyond microseconds are truncated; times outside
 * SL_TIME_MIN..SL_TIME_MAX once in UTC are refused.  Returns 0, or -1 with a
 * short reason in *why (may be NULL).
 */
int sl_time_parse(const char *s, size_t len, sl_time *out, const char **why);

/* ISO 8601 duration: years and months are calendar units, the rest exact. */
struct sl_duration {
	int64_t years, months, days;
	int64_t us;               /* hours, minutes, seconds, weeks as days */
};

/*
 * Parses "P1Y2M3DT4H5M6.5S", "PT6H", "P1D", "P2W", up to about 10,000 years.
 * Returns 0, or -1 with a reason in *why.
 */
int sl_duration_parse(const char *s, size_t len, struct sl_duration *d,
    const char **why);
/*
 * t + d, months clamped to the last day (Jan 31 + P1M = Feb 28/29); the
 * result is clamped to SL_TIME_MIN..SL_TIME_MAX.
 */
sl_time sl_time_add(sl_time t, const struct sl_duration *d);
/* t - d */
sl_time sl_time_sub(sl_time t, const struct sl_duration *d);

#endif
