/* timefmt.c - see timefmt.h */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "diag.h"
#include "timefmt.h"

#define US 1000000LL
#define DAY_US (86400LL * US)

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's method). */
static int64_t
days_from_civil(int64_t y, int64_t m, int64_t d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
civil_from_days(int64_t z, int64_t *y, int64_t *m, int64_t *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yoe + era * 400 + (*m <= 2);
}

static int
leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
month_days(int64_t y, int64_t m)
{
	static const int n[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && leap(y) ? 29 : n[m - 1];
}

static int sde_checked;
static int sde_set;
static sl_time sde_value;

static void
check_sde(void)
{
	const char *s = getenv("SOURCE_DATE_EPOCH");
	char *end;
	long long v;

	sde_checked = 1;
	if (s == NULL || *s == '\0')
		return;
	for (end = (char *)(uintptr_t)s; *end >= '0' && *end <= '9'; end++)
		;
	v = *end == '\0' && end - s <= 12 ? strtoll(s, &end, 10) : -1;
	if (v < 0 || v > 253402300799LL)
		sl_die(SL_EX_USAGE, "SOURCE_DATE_EPOCH \"%s\" is not a number of "
		    "seconds since 1970", s);
	sde_set = 1;
	sde_value = (sl_time)v * US;
}

int
sl_reproducible(void)
{
	if (!sde_checked)
		check_sde();
	return sde_set;
}

sl_time
sl_now(void)
{
	struct timespec ts;

	if (!sde_checked)
		check_sde();
	if (sde_set)
		return sde_value;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (sl_time)ts.tv_sec * US + ts.tv_nsec / 1000;
}

int64_t
sl_monotonic_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
put2(char *p, int v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
}

/*
 * The last time formatted, per thread: records of one source mostly carry
 * the same times (a file's modification time, a run's clock under
 * SOURCE_DATE_EPOCH, a ttl counted from them).
 */
static _Thread_local struct {
	sl_time t;
	enum sl_time_style style;
	size_t n;		/* 0: empty */
	char s[SL_TIME_STRLEN];
} fmt_last;

static size_t time_format(sl_time t, enum sl_time_style style,
    char out[SL_TIME_STRLEN]);

size_t
sl_time_format(sl_time t, enum sl_time_style style, char out[SL_TIME_STRLEN])
{
	if (fmt_last.n && fmt_last.t == t && fmt_last.style == style) {
		memcpy(out, fmt_last.s, fmt_last.n + 1);
		return fmt_last.n;
	}
	fmt_last.n = time_format(t, style, out);
	fmt_last.t = t;
	fmt_last.style = style;
	memcpy(fmt_last.s, out, fmt_last.n + 1);
	return fmt_last.n;
}

static size_t
time_format(sl_time t, enum sl_time_style style, char out[SL_TIME_STRLEN])
{
	int64_t days, rem, y, m, d;
	int us, n;

	if (t < days_from_civil(0, 1, 1) * DAY_US)
		t = days_from_civil(0, 1, 1) * DAY_US;
	if (t > days_from_civil(10000, 1, 1) * DAY_US - 1)
		t = days_from_civil(10000, 1, 1) * DAY_US - 1;
	days = t >= 0 ? t / DAY_US : (t - DAY_US + 1) / DAY_US;
	rem = t - days * DAY_US;
	civil_from_days(days, &y, &m, &d);
	us = (int)(rem % US);
	rem /= US;
	put2(out, (int)(y / 100));
	put2(out + 2, (int)(y % 100));
	out[4] = '-';
	put2(out + 5, (int)m);
	out[7] = '-';
	put2(out + 8, (int)d);
	out[10] = 'T';
	put2(out + 11, (int)(rem / 3600));
	out[13] = ':';
	put2(out + 14, (int)(rem / 60 % 60));
	out[16] = ':';
	put2(out + 17, (int)(rem % 60));
	n = 19;
	if (style == SL_TIME_MICRO || us != 0) {
		int digits = 6, v = us;

		if (style == SL_TIME_AUTO)
			while (v % 10 == 0 && digits > 1) {
				v /= 10;
				digits--;
			}
		out[n++] = '.';
		for (int i = digits - 1; i >= 0; i--) {
			out[n + i] = (char)('0' + v % 10);
			v /= 10;
		}
		n += digits;
	}
	out[n++] = 'Z';
	out[n] = '\0';
	return (size_t)n;
}

static int
digits(const char *s, size_t len, size_t at, int n, int *out)
{
	int v = 0;

	if (at + (size_t)n > len)
		return -1;
	for (int i = 0; i < n; i++) {
		char c = s[at + (size_t)i];

		if (c < '0' || c > '9')
			return -1;
		v = v * 10 + (c - '0');
	}
	*out = v;
	return 0;
}

static int time_parse(const char *s, size_t len, sl_time *out,
    const char **why);

/* The last text parsed well, per thread (see fmt_last). */
static _Thread_local struct {
	size_t len;		/* 0: empty */
	sl_time t;
	char s[40];
} parse_last;

int
sl_time_parse(const char *s, size_t len, sl_time *out, const char **why)
{
	if (len && len == parse_last.len && memcmp(s, parse_last.s, len) == 0) {
		*out = parse_last.t;
		return 0;
	}
	if (time_parse(s, len, out, why) < 0)
		return -1;
	if (len < sizeof(parse_last.s)) {
		memcpy(parse_last.s, s, len);
		parse_last.len = len;
		parse_last.t = *out;
	}
	return 0;
}

static int
time_parse(const char *s, size_t len, sl_time *out, const char **why)
{
	int y, mo, d, h = 0, mi = 0, se = 0, oh, om, sign;
	int64_t us = 0, off = 0;
	size_t i;
	const char *dummy;

	if (why == NULL)
		why = &dummy;
	if (digits(s, len, 0, 4, &y) < 0 || len < 10 || s[4] != '-' ||
	    digits(s, len, 5, 2, &mo) < 0 || s[7] != '-' ||
	    digits(s, len, 8, 2, &d) < 0) {
		*why = "expected YYYY-MM-DD";
		return -1;
	}
	if (mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo)) {
		*why = "no such date";
		return -1;
	}
	if (len == 10)
		goto done;
	if (s[10] != 'T' && s[10] != 't' && s[10] != ' ') {
		*why = "expected 'T' after the date";
		return -1;
	}
	if (digits(s, len, 11, 2, &h) < 0 || len < 19 || s[13] != ':' ||
	    digits(s, len, 14, 2, &mi) < 0 || s[16] != ':' ||
	    digits(s, len, 17, 2, &se) < 0) {
		*why = "expected hh:mm:ss after the date";
		return -1;
	}
	if (h > 23 || mi > 59 || se > 60) {
		*why = "no such time of day";
		return -1;
	}
	i = 19;
	if (i < len && s[i] == '.') {
		int64_t scale = 100000;

		if (++i >= len || s[i] < '0' || s[i] > '9') {
			*why = "expected digits after '.'";
			return -1;
		}
		for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
			us += (s[i] - '0') * scale;
			scale /= 10;
		}
	}
	if (i == len) {
		*why = "no time zone (add Z or an offset such as +02:00)";
		return -1;
	}
	if ((s[i] == 'Z' || s[i] == 'z') && i + 1 == len)
		goto done;
	if ((s[i] != '+' && s[i] != '-') || i + 6 != len ||
	    digits(s, len, i + 1, 2, &oh) < 0 || s[i + 3] != ':' ||
	    digits(s, len, i + 4, 2, &om) < 0 || oh > 23 || om > 59) {
		*why = "bad time zone (expected Z or +hh:mm)";
		return -1;
	}
	sign = s[i] == '-' ? -1 : 1;
	off = sign * ((int64_t)oh * 3600 + om * 60);
done:
	*out = ((days_from_civil(y, mo, d) * 86400 + h * 3600LL + mi * 60LL + se
	    - off) * US) + us;
	if (*out < SL_TIME_MIN || *out > SL_TIME_MAX) {
		*why = "outside the years 0000 to 9999 in UTC";
		return -1;
	}
	return 0;
}

int
sl_duration_parse(const char *s, size_t len, struct sl_duration *d,
    const char **why)
{
	size_t i = 1;
	int in_time = 0, any = 0;
	const char *order = "YMWD", *torder = "HMS";
	const char *dummy;

	if (why == NULL)
		why = &dummy;
	memset(d, 0, sizeof(*d));
	if (len < 2 || s[0] != 'P') {
		*why = "an ISO 8601 duration starts with 'P' (e.g. P1D, PT6H)";
		return -1;
	}
	while (i < len) {
		int64_t whole = 0, frac = 0, scale = US, unit;
		int ndig = 0, fdig = 0, point = 0;
		const char *slot;
		char u;

		if (s[i] == 'T') {
			if (in_time || i + 1 == len) {
				*why = "misplaced 'T'";
				return -1;
			}
			in_time = 1;
			i++;
			continue;
		}
		for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, ndig++) {
			if (whole > (INT64_MAX - 9) / 10) {
				*why = "number too large";
				return -1;
			}
			whole = whole * 10 + (s[i] - '0');
		}
		if (i < len && (s[i] == '.' || s[i] == ',')) {
			point = 1;
			for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++, fdig++) {
				scale /= 10;
				frac += (s[i] - '0') * scale;
			}
		}
		if (ndig == 0 || i == len || (point && fdig == 0)) {
			*why = "expected a number followed by a unit";
			return -1;
		}
		u = s[i++];
		slot = strchr(in_time ? torder : order, u);
		if (u == '\0' || slot == NULL) {
			*why = "unknown or misplaced unit";
			return -1;
		}
		if (point && !(in_time && u == 'S')) {
			*why = "fractions are allowed on seconds only";
			return -1;
		}
		/* units must come in order, each once */
		if (in_time)
			torder = slot + 1;
		else
			order = slot + 1;
		any = 1;
		if (!in_time) {
			if (u == 'Y')
				d->years = whole;
			else if (u == 'M')
				d->months = whole;
			else if (whole > INT64_MAX / 7 || d->days > INT64_MAX -
			    whole * (u == 'W' ? 7 : 1))
				goto toolarge;
			else
				d->days += whole * (u == 'W' ? 7 : 1);
			continue;
		}
		unit = u == 'H' ? 3600 * US : u == 'M' ? 60 * US : US;
		if (whole > (INT64_MAX - frac) / unit ||
		    d->us > INT64_MAX - whole * unit - frac)
			goto toolarge;
		d->us += whole * unit + (u == 'S' ? frac : 0);
	}
	if (!any) {
		*why = "a duration needs at least one number and unit";
		return -1;
	}
	/* at most 10,000 years: then no sum with a time can overflow */
	if (d->years > 10000 || d->months > 120000 || d->days > 3660000 ||
	    d->us > 3660000 * DAY_US)
		goto toolarge;
	return 0;
toolarge:
	*why = "duration too large";
	return -1;
}

/*
 * t + sign * d, calendar-aware.  With t and d in their documented ranges
 * nothing overflows; the result is clamped to the years 0000-9999.
 */
static sl_time
add(sl_time t, const struct sl_duration *d, int sign)
{
	int64_t days = t >= 0 ? t / DAY_US : (t - DAY_US + 1) / DAY_US;
	int64_t rem = t - days * DAY_US, y, m, dd, months;

	if (d->years || d->months) {
		civil_from_days(days, &y, &m, &dd);
		months = y * 12 + (m - 1) + sign * (d->years * 12 + d->months);
		y = months >= 0 ? months / 12 : (months - 11) / 12;
		m = months - y * 12 + 1;
		if (dd > month_days(y, m))
			dd = month_days(y, m);
		days = days_from_civil(y, m, dd);
	}
	days += sign * d->days;
	t = days * DAY_US + rem + sign * d->us;
	return t < SL_TIME_MIN ? SL_TIME_MIN : t > SL_TIME_MAX ? SL_TIME_MAX : t;
}

sl_time
sl_time_add(sl_time t, const struct sl_duration *d)
{
	return add(t, d, 1);
}

sl_time
sl_time_sub(sl_time t, const struct sl_duration *d)
{
	return add(t, d, -1);
}
