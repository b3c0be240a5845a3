/*
 * test-timefmt.c - unit tests for libcommon/timefmt.c: RFC 3339 parsing and
 * formatting, SOURCE_DATE_EPOCH (in child processes, since sl_now() reads
 * the environment once), ISO 8601 durations and calendar arithmetic.
 *
 * Expected instants were computed with python3's datetime; the few it cannot
 * represent (year 0000, a leap second) by hand from a neighbouring instant.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"
#include "timefmt.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* 0000-01-01T00:00:00Z and 9999-12-31T23:59:59.999999Z */
#define T_MIN	(-62167219200000000LL)
#define T_MAX	253402300799999999LL

static const char *
fmt(sl_time t)
{
	static char out[4][SL_TIME_STRLEN];
	static int k;
	char *o = out[k++ & 3];

	sl_time_format(t, SL_TIME_MICRO, o);
	return o;
}

static const struct {
	const char *in;
	sl_time want;
} good_times[] = {
	{ "1970-01-01T00:00:00Z", 0 },
	{ "2026-11-20T08:00:00Z", 1795161600000000LL },
	{ "2026-11-20T08:00:00.25+02:00", 1795154400250000LL },
	{ "2026-11-20T08:00:00-05:30", 1795181400000000LL },
	{ "2026-11-20t08:00:00z", 1795161600000000LL },
	{ "2026-11-20t08:00:00Z", 1795161600000000LL },
	{ "2026-11-20 08:00:00Z", 1795161600000000LL },
	{ "2026-11-20T08:00:00+00:00", 1795161600000000LL },
	{ "2026-11-20T08:00:00-00:00", 1795161600000000LL },
	{ "2026-11-20T08:00:00+23:59", 1795075260000000LL },
	{ "2026-03-01T00:30:00+01:00", 1772321400000000LL },
	{ "2026-12-31T23:00:00-01:00", 1798761600000000LL },
	/* date only: midnight UTC */
	{ "2026-11-20", 1795132800000000LL },
	{ "2000-02-29", 951782400000000LL },
	/* fractions of 1 to 9 digits, truncated to microseconds */
	{ "2026-01-02T03:04:05.1Z", 1767323045100000LL },
	{ "2026-01-02T03:04:05.12Z", 1767323045120000LL },
	{ "2026-01-02T03:04:05.123Z", 1767323045123000LL },
	{ "2026-01-02T03:04:05.1234Z", 1767323045123400LL },
	{ "2026-01-02T03:04:05.12345Z", 1767323045123450LL },
	{ "2026-01-02T03:04:05.123456Z", 1767323045123456LL },
	{ "2026-01-02T03:04:05.1234567Z", 1767323045123456LL },
	{ "2026-01-02T03:04:05.12345678Z", 1767323045123456LL },
	{ "2026-01-02T03:04:05.123456789Z", 1767323045123456LL },
	{ "2026-01-02T03:04:05.999999999Z", 1767323045999999LL },
	{ "2026-01-02T03:04:05.000000Z", 1767323045000000LL },
	{ "2026-01-02T03:04:05.0+01:00", 1767319445000000LL },
	/* leap years, a leap second, the ends of the range */
	{ "2024-02-29T12:00:00Z", 1709208000000000LL },
	{ "2016-12-31T23:59:60Z", 1483228800000000LL },
	{ "2017-01-01T00:00:00Z", 1483228800000000LL },
	{ "1969-12-31T23:59:59.5Z", -500000LL },
	{ "1900-01-01T00:00:00Z", -2208988800000000LL },
	{ "0001-01-01T00:00:00Z", -62135596800000000LL },
	{ "0000-01-01T00:00:00Z", T_MIN },
	{ "0000-02-29T00:00:00Z", T_MIN + 59 * 86400000000LL },
	{ "9999-12-31T23:59:59.999999Z", T_MAX },
};

static const struct {
	const char *in;
	const char *word;	/* a word the reason must contain */
} bad_times[] = {
	{ "", "YYYY" },
	{ "2026", "YYYY" },
	{ "2026-1-1", "YYYY" },
	{ "2026-01-1", "YYYY" },
	{ "26-01-01", "YYYY" },
	{ "2026/11/20", "YYYY" },
	{ " 2026-11-20", "YYYY" },
	{ "2026-13-01", "date" },
	{ "2026-00-10", "date" },
	{ "2026-01-32", "date" },
	{ "2026-01-00", "date" },
	{ "2026-04-31", "date" },
	{ "2023-02-29", "date" },
	{ "1900-02-29", "date" },
	{ "2100-02-29T00:00:00Z", "date" },
	{ "2026-11-20T08:00:00", "zone" },
	{ "2026-11-20T08:00:00.5", "zone" },
	{ "2026-11-20T08:00:00Zjunk", "zone" },
	{ "2026-11-20T08:00:00Z ", "zone" },
	{ "2026-11-20T08:00:00+02:00x", "zone" },
	{ "2026-11-20T08:00:00+0200", "zone" },
	{ "2026-11-20T08:00:00+02", "zone" },
	{ "2026-11-20T08:00:00+24:00", "zone" },
	{ "2026-11-20T08:00:00+02:60", "zone" },
	{ "2026-11-20T08:00:00 Z", "zone" },
	{ "2026-11-20T08:00:00UTC", "zone" },
	{ "2026-11-20x", "'T'" },
	{ "2026-11-20_08:00:00Z", "'T'" },
	{ "2026-11-20T", "hh:mm:ss" },
	{ "2026-11-20T08:00Z", "hh:mm:ss" },
	{ "2026-11-20T8:00:00Z", "hh:mm:ss" },
	{ "2026-11-20T08.00.00Z", "hh:mm:ss" },
	{ "2026-11-20T24:00:00Z", "time" },
	{ "2026-11-20T08:60:00Z", "time" },
	{ "2026-11-20T08:00:61Z", "time" },
	{ "2026-11-20T08:00:00.Z", "digit" },
	{ "2026-11-20T08:00:00.", "digit" },
};

static void
test_parse(void)
{
	for (size_t i = 0; i < NELEM(good_times); i++) {
		const char *in = good_times[i].in, *why = NULL;
		size_t len = strlen(in);
		char *copy = malloc(len ? len : 1);
		sl_time t = 12345;
		int rc;

		/* A tight copy, so that ASan sees any read past the end. */
		memcpy(copy, in, len);
		rc = sl_time_parse(copy, len, &t, &why);
		if (!ok(rc == 0 && t == good_times[i].want, "parse '%s'", in))
			tap_diag("rc %d (%s), got %lld = %s", rc, why ? why :
			    "-", (long long)t, fmt(t));
		free(copy);
	}
	for (size_t i = 0; i < NELEM(bad_times); i++) {
		const char *in = bad_times[i].in, *why = NULL;
		size_t len = strlen(in);
		char *copy = malloc(len ? len : 1);
		sl_time t = 0;
		int rc;

		memcpy(copy, in, len);
		rc = sl_time_parse(copy, len, &t, &why);
		if (!ok(rc == -1 && why != NULL &&
		    strstr(why, bad_times[i].word) != NULL,
		    "refuse '%s' (%s)", in, bad_times[i].word))
			tap_diag("rc %d, why '%s', t %s", rc, why ? why :
			    "(null)", fmt(t));
		free(copy);
	}
	{
		sl_time t;

		ok(sl_time_parse("2026-13-01", 10, &t, NULL) == -1,
		    "parse refuses with why NULL");
		ok(sl_time_parse("2026-11-20T08:00:00Zjunk", 20, &t,
		    NULL) == 0 && t == 1795161600000000LL,
		    "parse reads len bytes only");
	}
}

static const struct {
	sl_time t;
	const char *micro, *autos;
} formats[] = {
	{ 0, "1970-01-01T00:00:00.000000Z", "1970-01-01T00:00:00Z" },
	{ 1, "1970-01-01T00:00:00.000001Z", "1970-01-01T00:00:00.000001Z" },
	{ 10, "1970-01-01T00:00:00.000010Z", "1970-01-01T00:00:00.00001Z" },
	{ 100, "1970-01-01T00:00:00.000100Z", "1970-01-01T00:00:00.0001Z" },
	{ 120000, "1970-01-01T00:00:00.120000Z", "1970-01-01T00:00:00.12Z" },
	{ 250000, "1970-01-01T00:00:00.250000Z", "1970-01-01T00:00:00.25Z" },
	{ 500000, "1970-01-01T00:00:00.500000Z", "1970-01-01T00:00:00.5Z" },
	{ 123456, "1970-01-01T00:00:00.123456Z",
	    "1970-01-01T00:00:00.123456Z" },
	{ 999999, "1970-01-01T00:00:00.999999Z",
	    "1970-01-01T00:00:00.999999Z" },
	{ 1000000000000000LL, "2001-09-09T01:46:40.000000Z",
	    "2001-09-09T01:46:40Z" },
	{ 1795154400250000LL, "2026-11-20T06:00:00.250000Z",
	    "2026-11-20T06:00:00.25Z" },
	{ 1709208000000000LL, "2024-02-29T12:00:00.000000Z",
	    "2024-02-29T12:00:00Z" },
	/* before 1970 */
	{ -1, "1969-12-31T23:59:59.999999Z", "1969-12-31T23:59:59.999999Z" },
	{ -500000, "1969-12-31T23:59:59.500000Z", "1969-12-31T23:59:59.5Z" },
	{ -86400000000LL, "1969-12-31T00:00:00.000000Z",
	    "1969-12-31T00:00:00Z" },
	{ -1234567890500000LL, "1930-11-18T00:28:29.500000Z",
	    "1930-11-18T00:28:29.5Z" },
	{ -62135596799999999LL, "0001-01-01T00:00:00.000001Z",
	    "0001-01-01T00:00:00.000001Z" },
	/* the ends of the range, and clamping beyond them */
	{ T_MIN, "0000-01-01T00:00:00.000000Z", "0000-01-01T00:00:00Z" },
	{ T_MIN - 1, "0000-01-01T00:00:00.000000Z", "0000-01-01T00:00:00Z" },
	{ T_MIN - 86400000000LL * 400, "0000-01-01T00:00:00.000000Z",
	    "0000-01-01T00:00:00Z" },
	{ INT64_MIN, "0000-01-01T00:00:00.000000Z", "0000-01-01T00:00:00Z" },
	{ T_MAX, "9999-12-31T23:59:59.999999Z", "9999-12-31T23:59:59.999999Z" },
	{ T_MAX + 1, "9999-12-31T23:59:59.999999Z",
	    "9999-12-31T23:59:59.999999Z" },
	{ INT64_MAX, "9999-12-31T23:59:59.999999Z",
	    "9999-12-31T23:59:59.999999Z" },
};

#define rng tap_rand  /* tap.h */

static void
test_format(void)
{
	char out[SL_TIME_STRLEN + 8];

	for (size_t i = 0; i < NELEM(formats); i++) {
		size_t n;

		memset(out, 'x', sizeof(out));
		n = sl_time_format(formats[i].t, SL_TIME_MICRO, out);
		is_str(out, formats[i].micro, "format MICRO %lld",
		    (long long)formats[i].t);
		is_int(n, strlen(formats[i].micro), "format MICRO %lld: length",
		    (long long)formats[i].t);
		memset(out, 'x', sizeof(out));
		n = sl_time_format(formats[i].t, SL_TIME_AUTO, out);
		is_str(out, formats[i].autos, "format AUTO %lld",
		    (long long)formats[i].t);
		is_int(n, strlen(formats[i].autos), "format AUTO %lld: length",
		    (long long)formats[i].t);
	}

	/* parse(format(t)) == t, both styles, over the whole range */
	{
		long bad = 0, nonzero_frac = 0;
		uint64_t span = (uint64_t)(T_MAX - T_MIN) + 1;

		for (int i = 0; i < 100000; i++) {
			sl_time t, back1 = 0, back2 = 0;
			uint64_t r = rng();
			size_t n1, n2;

			switch (i % 4) {
			case 0:		/* anywhere */
				t = T_MIN + (sl_time)(r % span);
				break;
			case 1:		/* whole seconds */
				t = T_MIN + (sl_time)(r % span);
				t -= ((t % 1000000) + 1000000) % 1000000;
				break;
			case 2:		/* near 1970 */
				t = (sl_time)(r % 200000000000000ULL) -
				    100000000000000LL;
				break;
			default:	/* short fractions */
				t = T_MIN + (sl_time)(r % span);
				t -= ((t % 1000) + 1000) % 1000;
				break;
			}
			nonzero_frac += t % 1000000 != 0;
			n1 = sl_time_format(t, SL_TIME_MICRO, out);
			if (sl_time_parse(out, n1, &back1, NULL) != 0 ||
			    back1 != t) {
				if (bad++ < 5)
					tap_diag("MICRO %lld -> %s -> %lld",
					    (long long)t, out,
					    (long long)back1);
			}
			n2 = sl_time_format(t, SL_TIME_AUTO, out);
			if (sl_time_parse(out, n2, &back2, NULL) != 0 ||
			    back2 != t || n2 > n1) {
				if (bad++ < 5)
					tap_diag("AUTO %lld -> %s -> %lld",
					    (long long)t, out,
					    (long long)back2);
			}
		}
		is_int(bad, 0, "parse(format(t)) == t for 100000 random t");
		ok(nonzero_frac > 50000, "... most of them with a fraction");
	}

	/* format(parse(s)) == s for canonical strings */
	{
		static const char canon[][SL_TIME_STRLEN] = {
			"2026-11-20T08:00:00Z", "2026-11-20T08:00:00.5Z",
			"1969-07-20T20:17:40Z", "0000-01-01T00:00:00Z",
			"9999-12-31T23:59:59.999999Z",
			"2024-02-29T23:59:59.01Z",
		};

		for (size_t i = 0; i < NELEM(canon); i++) {
			sl_time t = 0;

			sl_time_parse(canon[i], strlen(canon[i]), &t, NULL);
			sl_time_format(t, SL_TIME_AUTO, out);
			is_str(out, canon[i], "format(parse('%s')) AUTO",
			    canon[i]);
		}
	}
}

/* What a child process saw. */
struct sde_result {
	int status;		/* exit status, -1 when killed */
	sl_time first, second;	/* sl_now(), then again after setenv */
	int repro;		/* sl_reproducible() */
};

/*
 * Runs sl_now() in a child with SOURCE_DATE_EPOCH set to val (NULL: unset),
 * then again after setting it to something else.
 */
static void
sde_child(const char *val, struct sde_result *res)
{
	int fd[2], st;
	pid_t pid;

	memset(res, 0, sizeof(*res));
	res->status = -1;
	if (pipe(fd) != 0) {
		perror("pipe");
		return;
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		return;
	}
	if (pid == 0) {
		struct sde_result r;

		close(fd[0]);
		if (freopen("/dev/null", "w", stderr) == NULL)
			_exit(99);
		if (val)
			setenv("SOURCE_DATE_EPOCH", val, 1);
		else
			unsetenv("SOURCE_DATE_EPOCH");
		memset(&r, 0, sizeof(r));
		r.first = sl_now();
		r.repro = sl_reproducible();
		setenv("SOURCE_DATE_EPOCH", "86400", 1);
		r.second = sl_now();
		if (write(fd[1], &r, sizeof(r)) != (ssize_t)sizeof(r))
			_exit(98);
		_exit(0);
	}
	close(fd[1]);
	if (read(fd[0], res, sizeof(*res)) != (ssize_t)sizeof(*res))
		memset(res, 0, sizeof(*res));
	close(fd[0]);
	if (waitpid(pid, &st, 0) == pid && WIFEXITED(st))
		res->status = WEXITSTATUS(st);
	else
		res->status = -1;
}

static void
test_sde(void)
{
	static const struct {
		const char *val;
		sl_time want;
	} good[] = {
		{ "0", 0 },
		{ "1", 1000000 },
		{ "1700000000", 1700000000000000LL },
		{ "1795161600", 1795161600000000LL },
		{ "253402300799", 253402300799000000LL },
	};
	static const char *bad[] = {
		"abc", "12x", "1.5", "-1", "+5", "1e9", "0x10", "5 ", " 5",
		"99999999999999999999", "--1", "1 2",
	};
	struct sde_result r;

	for (size_t i = 0; i < NELEM(good); i++) {
		sde_child(good[i].val, &r);
		ok(r.status == 0 && r.first == good[i].want && r.repro == 1,
		    "SOURCE_DATE_EPOCH=%s: sl_now() is that instant, "
		    "reproducible", good[i].val);
		if (r.status != 0 || r.first != good[i].want)
			tap_diag("status %d, now %s", r.status, fmt(r.first));
		ok(r.second == good[i].want,
		    "SOURCE_DATE_EPOCH=%s: read once, later changes unseen",
		    good[i].val);
	}
	for (size_t i = 0; i < NELEM(bad); i++) {
		sde_child(bad[i], &r);
		if (!ok(r.status == 64, "SOURCE_DATE_EPOCH='%s' is malformed: "
		    "exit 64", bad[i]))
			tap_diag("status %d, now %s", r.status, fmt(r.first));
	}
	{
		sl_time before = (sl_time)time(NULL) * 1000000, after;

		sde_child(NULL, &r);
		after = ((sl_time)time(NULL) + 1) * 1000000;
		ok(r.status == 0 && r.repro == 0 && r.first >= before &&
		    r.first <= after, "unset: sl_now() is the clock, "
		    "not reproducible");
		if (r.status != 0 || r.first < before || r.first > after)
			tap_diag("status %d, now %s", r.status, fmt(r.first));
		ok(r.second >= r.first && r.second <= after,
		    "unset: setting it later is not seen");
	}
}

#define US	1000000LL
#define HOUR	(3600 * US)

static const struct {
	const char *in;
	int64_t years, months, days, us;
} good_durs[] = {
	{ "PT6H", 0, 0, 0, 6 * HOUR },
	{ "P1D", 0, 0, 1, 0 },
	{ "P2W", 0, 0, 14, 0 },
	{ "P1Y", 1, 0, 0, 0 },
	{ "P1M", 0, 1, 0, 0 },
	{ "PT1M", 0, 0, 0, 60 * US },
	{ "P1MT1M", 0, 1, 0, 60 * US },
	{ "P1Y2M3DT4H5M6.5S", 1, 2, 3, 4 * HOUR + 5 * 60 * US + 6500000 },
	{ "PT0.5S", 0, 0, 0, 500000 },
	{ "PT0,5S", 0, 0, 0, 500000 },
	{ "PT1.000001S", 0, 0, 0, 1000001 },
	{ "PT1.0000019S", 0, 0, 0, 1000001 },
	{ "PT1H30M", 0, 0, 0, 90 * 60 * US },
	{ "PT90M", 0, 0, 0, 90 * 60 * US },
	{ "PT36H", 0, 0, 0, 36 * HOUR },
	{ "PT0S", 0, 0, 0, 0 },
	{ "P0D", 0, 0, 0, 0 },
	{ "P10Y", 10, 0, 0, 0 },
	{ "P400D", 0, 0, 400, 0 },
	{ "P1DT12H", 0, 0, 1, 12 * HOUR },
	{ "P0001D", 0, 0, 1, 0 },
	{ "PT86400S", 0, 0, 0, 86400 * US },
};

static const char *bad_durs[] = {
	"", "P", "PT", "1D", "D", "T1H", "p1d", "P1H", "P1S", "PT1D", "PT1Y",
	"P1.5D", "P1.0D", "P0.5Y", "PT1.5H", "PT1.5M", "PT1S2M", "PT1M1H",
	"P1D1Y", "P1D2M", "P1D1D", "PT1H1H", "P1Y1Y", "P1", "PD", "P-1D",
	"-P1D", "P1DT", "P1Y2M3DT", "PTT1H", "PT1HT1M", "P 1D", "P1D ",
	"P1DX", "PT.5S", "P1W1W", "P99999999999999999999D",
};

/* Too large for microseconds in an int64: refused, never overflowed. */
static const char *huge_durs[] = {
	"PT9999999999H", "PT922337203684H", "PT2562047788H59M",
};

/*
 * Parses s in a child, so that an overflow trapped by the sanitizers is a
 * failed test point rather than the end of the run.  Returns 0 accepted,
 * 1 refused, -1 when the child died (the sanitizers exit with status 1).
 */
static int
dur_in_child(const char *s)
{
	pid_t pid;
	int st;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		struct sl_duration d;

		if (freopen("/dev/null", "w", stderr) == NULL)
			_exit(99);
		_exit(sl_duration_parse(s, strlen(s), &d, NULL) == 0 ? 40 : 41);
	}
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
	    (WEXITSTATUS(st) != 40 && WEXITSTATUS(st) != 41))
		return -1;
	return WEXITSTATUS(st) - 40;
}

static void
test_duration(void)
{
	for (size_t i = 0; i < NELEM(good_durs); i++) {
		struct sl_duration d;
		const char *in = good_durs[i].in, *why = NULL;
		size_t len = strlen(in);
		char *copy = malloc(len);
		int rc;

		memcpy(copy, in, len);
		memset(&d, 0x5a, sizeof(d));
		rc = sl_duration_parse(copy, len, &d, &why);
		if (!ok(rc == 0 && d.years == good_durs[i].years &&
		    d.months == good_durs[i].months &&
		    d.days == good_durs[i].days && d.us == good_durs[i].us,
		    "duration '%s'", in))
			tap_diag("rc %d (%s): %lldY %lldM %lldD %lldus", rc,
			    why ? why : "-", (long long)d.years,
			    (long long)d.months, (long long)d.days,
			    (long long)d.us);
		free(copy);
	}
	for (size_t i = 0; i < NELEM(bad_durs); i++) {
		struct sl_duration d;
		const char *in = bad_durs[i], *why = NULL;
		size_t len = strlen(in);
		char *copy = malloc(len ? len : 1);
		int rc;

		memcpy(copy, in, len);
		rc = sl_duration_parse(copy, len, &d, &why);
		if (!ok(rc == -1 && why != NULL && why[0] != '\0',
		    "refuse duration '%s' with a reason", in))
			tap_diag("rc %d: %lldY %lldM %lldD %lldus", rc,
			    (long long)d.years, (long long)d.months,
			    (long long)d.days, (long long)d.us);
		free(copy);
	}
	for (size_t i = 0; i < NELEM(huge_durs); i++) {
		int rc = dur_in_child(huge_durs[i]);

		if (!ok(rc == 1, "refuse duration '%s' (too large)",
		    huge_durs[i]))
			tap_diag("%s", rc == 0 ? "accepted" : "the parser "
			    "crashed or trapped");
	}
	{
		struct sl_duration d;

		ok(sl_duration_parse("P1H", 3, &d, NULL) == -1,
		    "duration refuses with why NULL");
		ok(sl_duration_parse("P1DXYZ", 3, &d, NULL) == 0 && d.days == 1,
		    "duration reads len bytes only");
	}
}

static const struct {
	const char *t, *dur;
	int sub;
	const char *want;
} arith[] = {
	/* months clamp to the last day */
	{ "2024-01-31T10:00:00Z", "P1M", 0, "2024-02-29T10:00:00Z" },
	{ "2023-01-31T10:00:00Z", "P1M", 0, "2023-02-28T10:00:00Z" },
	{ "2024-03-31T00:00:00Z", "P1M", 1, "2024-02-29T00:00:00Z" },
	{ "2023-03-31T00:00:00Z", "P1M", 1, "2023-02-28T00:00:00Z" },
	{ "2026-05-31T00:00:00Z", "P1M", 0, "2026-06-30T00:00:00Z" },
	{ "2026-01-30T00:00:00Z", "P1M", 0, "2026-02-28T00:00:00Z" },
	{ "2024-02-29T00:00:00Z", "P1Y", 0, "2025-02-28T00:00:00Z" },
	{ "2024-02-29T00:00:00Z", "P4Y", 0, "2028-02-29T00:00:00Z" },
	{ "2024-02-29T00:00:00Z", "P1Y", 1, "2023-02-28T00:00:00Z" },
	{ "2024-02-29T00:00:00Z", "P100Y", 0, "2124-02-29T00:00:00Z" },
	{ "2000-02-29T00:00:00Z", "P100Y", 0, "2100-02-28T00:00:00Z" },
	/* year wrap */
	{ "2025-12-15T08:30:00Z", "P1M", 0, "2026-01-15T08:30:00Z" },
	{ "2026-01-15T08:30:00Z", "P1M", 1, "2025-12-15T08:30:00Z" },
	{ "2025-11-30T00:00:00Z", "P3M", 0, "2026-02-28T00:00:00Z" },
	{ "2026-01-31T00:00:00Z", "P11M", 1, "2025-02-28T00:00:00Z" },
	{ "2026-01-01T00:00:00Z", "P13M", 1, "2024-12-01T00:00:00Z" },
	{ "2025-06-01T00:00:00Z", "P1Y6M", 0, "2026-12-01T00:00:00Z" },
	{ "2025-06-01T00:00:00Z", "P1Y7M", 0, "2027-01-01T00:00:00Z" },
	/* days, weeks, exact time */
	{ "2026-01-01T00:00:00Z", "P1D", 1, "2025-12-31T00:00:00Z" },
	{ "2026-03-01T12:00:00Z", "P1D", 1, "2026-02-28T12:00:00Z" },
	{ "2024-03-01T12:00:00Z", "P1D", 1, "2024-02-29T12:00:00Z" },
	{ "2026-12-25T00:00:00Z", "P2W", 0, "2027-01-08T00:00:00Z" },
	{ "2026-11-20T08:00:00Z", "PT6H", 0, "2026-11-20T14:00:00Z" },
	{ "2026-11-20T08:00:00Z", "PT6H", 1, "2026-11-20T02:00:00Z" },
	{ "2026-11-20T20:00:00Z", "PT6H", 0, "2026-11-21T02:00:00Z" },
	{ "1999-12-31T23:59:59Z", "PT1S", 0, "2000-01-01T00:00:00Z" },
	{ "2026-01-01T00:00:00Z", "PT0.5S", 1, "2025-12-31T23:59:59.5Z" },
	/* months first, then days, then time */
	{ "2024-01-31T00:00:00Z", "P1M1D", 0, "2024-03-01T00:00:00Z" },
	{ "2024-01-31T00:00:00Z", "P1Y2M3DT4H5M6.5S", 0,
	    "2025-04-03T04:05:06.5Z" },
	/* before 1970 */
	{ "1969-12-31T12:00:00Z", "P1M", 0, "1970-01-31T12:00:00Z" },
	{ "1970-01-31T00:00:00Z", "P2M", 1, "1969-11-30T00:00:00Z" },
	{ "1970-01-01T00:00:00Z", "PT1S", 1, "1969-12-31T23:59:59Z" },
	{ "1960-02-29T06:00:00Z", "P1Y", 0, "1961-02-28T06:00:00Z" },
	{ "1970-01-01T00:00:00Z", "P1D", 1, "1969-12-31T00:00:00Z" },
	{ "0001-03-31T00:00:00Z", "P1M", 1, "0001-02-28T00:00:00Z" },
	{ "0001-01-15T00:00:00Z", "P1M", 1, "0000-12-15T00:00:00Z" },
};

static void
test_arith(void)
{
	for (size_t i = 0; i < NELEM(arith); i++) {
		struct sl_duration d;
		sl_time t = 0, want = 0, got;
		int good;

		good = sl_time_parse(arith[i].t, strlen(arith[i].t), &t,
		    NULL) == 0 && sl_time_parse(arith[i].want,
		    strlen(arith[i].want), &want, NULL) == 0 &&
		    sl_duration_parse(arith[i].dur, strlen(arith[i].dur), &d,
		    NULL) == 0;
		got = good ? arith[i].sub ? sl_time_sub(t, &d) :
		    sl_time_add(t, &d) : 0;
		if (!ok(good && got == want, "%s %s %s = %s", arith[i].t,
		    arith[i].sub ? "-" : "+", arith[i].dur, arith[i].want))
			tap_diag("got %s", fmt(got));
	}
	/* add then sub of exact units is the identity */
	{
		static const char *exact[] = { "PT6H", "P1D", "P2W", "PT0.5S",
		    "P3DT4H5M6.000007S" };
		long bad = 0;

		for (int i = 0; i < 20000; i++) {
			struct sl_duration d;
			const char *e = exact[i % NELEM(exact)];
			/* inside the range, a year from its ends */
			const sl_time year = 366LL * 86400 * 1000000;
			sl_time t = SL_TIME_MIN + year + (sl_time)(rng() %
			    (uint64_t)(SL_TIME_MAX - SL_TIME_MIN - 2 * year));

			sl_duration_parse(e, strlen(e), &d, NULL);
			if (sl_time_sub(sl_time_add(t, &d), &d) != t &&
			    bad++ < 5)
				tap_diag("%s +- %s", fmt(t), e);
		}
		is_int(bad, 0, "t + d - d == t for exact durations");
	}
}

/* Inputs the fuzzer found: the range of times and durations is enforced. */
static void
test_ranges(void)
{
	static const char *times[] = {
		"0000-01-01T00:30:00+01:00",    /* before 0000 in UTC */
		"9999-12-31T23:59:59-01:00",    /* after 9999 in UTC */
	};
	static const char *durs[] = {
		"P99999999Y", "P106751992D", "P768614336404564651M",
		"PT2562047788H", "P10001Y",
	};
	struct sl_duration d;
	sl_time t;

	for (size_t i = 0; i < NELEM(times); i++)
		ok(sl_time_parse(times[i], strlen(times[i]), &t, NULL) < 0,
		    "refused, outside 0000-9999 in UTC: %s", times[i]);
	for (size_t i = 0; i < NELEM(durs); i++)
		ok(sl_duration_parse(durs[i], strlen(durs[i]), &d, NULL) < 0,
		    "refused, too large: %s", durs[i]);
	ok(sl_duration_parse("P10000Y", 7, &d, NULL) == 0 &&
	    sl_time_add(SL_TIME_MAX - 1, &d) == SL_TIME_MAX &&
	    sl_time_sub(SL_TIME_MIN + 1, &d) == SL_TIME_MIN,
	    "P10000Y is accepted and sums clamp to the range");
}

int
main(void)
{
	tap_rand_seed(0x2545f4914f6cdd1dULL);
	test_ranges();
	test_parse();
	test_format();
	test_sde();
	test_duration();
	test_arith();
	return tap_done();
}
