#include "config.h"

/*
 * gen.c - sluice-bench-gen: deterministic customer-like records for the
 * benchmarks, as CSV (RFC 4180) or JSON Lines.
 *
 *   sluice-bench-gen [-f csv|jsonl] [-s SEED] ROWS
 *
 * The same arguments give the same bytes on every machine: the generator
 * has its own PRNG (xoshiro256** seeded by splitmix64), draws the same
 * numbers in the same order whatever the format, and prints every number
 * from an integer (cents, 1/10000ths), never through printf("%f").
 * Normals come from Box-Muller; only IEEE-754 doubles and the C library's
 * log/exp/sqrt/sin/cos are involved before a value is rounded.
 *
 * The data is shaped to hurt parsers a little: quoted names with commas,
 * doubled quotes and (1 in 500) an embedded newline, UTF-8 names,
 * 20-digit ids that do not fit an int64, negative decimals, and about 2%
 * empty fields (null in JSON Lines).
 */

/* getopt() when config.h does not already ask for system extensions. */
#if !defined(_GNU_SOURCE) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdnoreturn.h>
#include <string.h>
#include <unistd.h>

#define PROG		"sluice-bench-gen"
#define EX_USAGE	64
#define EX_IOERR	74

#define MAX_ROWS	1000000000000000000ULL	/* keeps the big ids unique */
#define BIG_ID_BASE	12345678901234567890ULL
#define BIG_ID_EVERY	1000
#define EMPTY_IN	50	/* 1 field in 50 is empty: 2% */
#define NICK_IN		40	/* names with a "quoted" nickname */
#define NEWLINE_IN	500	/* names with an embedded newline */

/* 2021-01-01T00:00:00Z and three (non-leap) years after it. */
#define TS_START	1609459200LL
#define TS_SPAN		(3LL * 365 * 86400)

#define INCOME_MU	10.86	/* ln(52000) */
#define INCOME_SIGMA	0.55
#define SCORE_MEAN	0.15
#define SCORE_SD	1.0

enum field {
	F_NAME, F_EMAIL, F_SEGMENT, F_AGE, F_INCOME, F_SCORE, F_SIGNUP,
	F_COUNTRY, F_ACTIVE, F_COUNT
};

static const char *const field_names[] = {
	"id", "name", "email", "segment", "age", "income", "score",
	"signup_ts", "country", "active"
};

struct person {
	const char	*text;	/* as printed, UTF-8 */
	const char	*slug;	/* ASCII, for the e-mail address */
};

static const struct person first_names[] = {
	{ "Ada", "ada" }, { "Alan", "alan" }, { "Grace", "grace" },
	{ "Edsger", "edsger" }, { "Barbara", "barbara" },
	{ "Donald", "donald" }, { "Frances", "frances" },
	{ "Ken", "ken" }, { "Dennis", "dennis" }, { "Margaret", "margaret" },
	{ "Niklaus", "niklaus" }, { "Radia", "radia" }, { "Linus", "linus" },
	{ "Sophie", "sophie" }, { "John", "john" }, { "Mary", "mary" },
	{ "José", "jose" }, { "Zoë", "zoe" }, { "Björn", "bjorn" },
	{ "Chloé", "chloe" }, { "Łukasz", "lukasz" }, { "Søren", "soren" },
	{ "Aoife", "aoife" }, { "Kwame", "kwame" }, { "Priya", "priya" },
	{ "Wei", "wei" }, { "Hiroshi", "hiroshi" }, { "Fatima", "fatima" },
	{ "Olga", "olga" }, { "Mateo", "mateo" }, { "Amara", "amara" },
	{ "Ines", "ines" },
};

static const struct person last_names[] = {
	{ "Lovelace", "lovelace" }, { "Turing", "turing" },
	{ "Hopper", "hopper" }, { "Dijkstra", "dijkstra" },
	{ "Liskov", "liskov" }, { "Knuth", "knuth" }, { "Allen", "allen" },
	{ "Thompson", "thompson" }, { "Ritchie", "ritchie" },
	{ "Hamilton", "hamilton" }, { "Wirth", "wirth" },
	{ "Perlman", "perlman" }, { "Torvalds", "torvalds" },
	{ "Wilson", "wilson" }, { "Smith", "smith" }, { "Jones", "jones" },
	{ "García", "garcia" }, { "Müller", "mueller" },
	{ "Ødegaard", "odegaard" }, { "O'Brien", "obrien" },
	{ "Nguyễn", "nguyen" }, { "Kowalski", "kowalski" },
	{ "Mensah", "mensah" }, { "Sharma", "sharma" }, { "Chen", "chen" },
	{ "Tanaka", "tanaka" }, { "Haddad", "haddad" },
	{ "Ivanova", "ivanova" }, { "de la Cruz", "delacruz" },
	{ "Okafor", "okafor" }, { "Van Buren", "vanburen" },
	{ "Þórsdóttir", "thorsdottir" },
};

static const char *const nicknames[] = {
	"Countess", "Amazing", "Doc", "Ace", "Bud", "The Hat", "Z", "Bits",
};

static const char *const suffixes[] = { "Jr.", "III", "PhD", "c/o Acme" };

static const char *const domains[] = {
	"example.com", "example.org", "example.net", "mail.example",
	"corp.example", "post.invalid",
};

/* Zipf-like: segment k (from 1) has weight 27720 / k (27720 = lcm 1..12). */
static const char *const segments[] = {
	"consumer", "smb", "mid-market", "enterprise", "education",
	"government", "nonprofit", "healthcare", "startup", "reseller",
	"partner", "internal",
};
#define NSEGMENTS	(sizeof(segments) / sizeof(segments[0]))
#define ZIPF_LCM	27720

struct weighted {
	const char	*text;
	unsigned	 weight;
};

static const struct weighted countries[] = {
	{ "US", 30 }, { "IN", 10 }, { "GB", 8 }, { "DE", 8 }, { "FR", 6 },
	{ "BR", 5 }, { "CA", 5 }, { "JP", 4 }, { "AU", 3 }, { "NL", 3 },
	{ "ES", 3 }, { "IT", 3 }, { "MX", 3 }, { "KR", 2 }, { "SE", 2 },
	{ "PL", 2 }, { "NG", 2 }, { "ZA", 1 },
};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

struct record {
	uint64_t	 id;
	unsigned	 empty;		/* bit per enum field */
	char		 name[128];
	char		 email[96];
	const char	*segment;
	int		 age;
	int64_t		 income_cents;
	int64_t		 score_e4;
	int64_t		 signup;	/* seconds since the epoch */
	const char	*country;
	bool		 active;
};

/* --- PRNG ------------------------------------------------------------- */

struct rng {
	uint64_t	s[4];
};

static uint64_t
splitmix64(uint64_t *x)
{
	uint64_t z;

	z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void
rng_seed(struct rng *r, uint64_t seed)
{
	int i;

	for (i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

static inline uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* xoshiro256** */
static inline uint64_t
rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t result, t;

	result = rotl(s[1] * 5, 7) * 9;
	t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

/* Uniform in [0, n), n < 2^32: the top 32 bits scaled, no division. */
static inline uint32_t
rng_below(struct rng *r, uint32_t n)
{
	return (uint32_t)(((rng_next(r) >> 32) * n) >> 32);
}

/* Uniform in (0, 1]: never 0, so log() is safe. */
static inline double
rng_unit(struct rng *r)
{
	return (double)((rng_next(r) >> 11) + 1) * 0x1.0p-53;
}

/* Two independent standard normals (Box-Muller). */
static void
rng_normal2(struct rng *r, double *z0, double *z1)
{
	double rad, theta;

	rad = sqrt(-2.0 * log(rng_unit(r)));
	theta = 2.0 * 3.14159265358979323846 * rng_unit(r);
	*z0 = rad * cos(theta);
	*z1 = rad * sin(theta);
}

/* --- records ---------------------------------------------------------- */

static const char *
pick_weighted(struct rng *r, const struct weighted *w, size_t n,
    unsigned total)
{
	unsigned x;
	size_t i;

	x = rng_below(r, total);
	for (i = 0; i < n - 1; i++) {
		if (x < w[i].weight)
			break;
		x -= w[i].weight;
	}
	return w[i].text;
}

static const char *
pick_segment(struct rng *r, unsigned total)
{
	unsigned x, k;

	x = rng_below(r, total);
	for (k = 1; k < NSEGMENTS; k++) {
		if (x < ZIPF_LCM / k)
			break;
		x -= ZIPF_LCM / k;
	}
	return segments[k - 1];
}

/* Appends src to dst (of size n) from *len, truncating silently. */
static void
append(char *dst, size_t n, size_t *len, const char *src)
{
	size_t k = strlen(src);

	if (k >= n - *len)
		k = n - *len - 1;
	memcpy(dst + *len, src, k);
	*len += k;
	dst[*len] = '\0';
}

/*
 * Draws one record.  Every row draws the same count of numbers in the same
 * order whether or not a field ends up empty, so the formats agree.
 */
static void
make_record(struct rng *r, uint64_t row, unsigned seg_total,
    unsigned country_total, struct record *rec)
{
	const struct person *first, *last;
	char num[4];
	size_t len;
	uint32_t nick, nl, dom, tag, age_a, age_b;
	uint64_t t0, t1;
	double z0, z1;
	int f;

	rec->id = row % BIG_ID_EVERY == 0 ? BIG_ID_BASE + row : row;

	rec->empty = 0;
	for (f = 0; f < F_COUNT; f++)
		if (rng_below(r, EMPTY_IN) == 0)
			rec->empty |= 1u << f;

	first = &first_names[rng_below(r, NELEM(first_names))];
	last = &last_names[rng_below(r, NELEM(last_names))];
	nick = rng_below(r, NICK_IN * NELEM(nicknames));
	nl = rng_below(r, NEWLINE_IN * NELEM(suffixes));
	dom = rng_below(r, NELEM(domains));
	tag = rng_below(r, 1000);

	len = 0;
	rec->name[0] = '\0';
	append(rec->name, sizeof(rec->name), &len, last->text);
	append(rec->name, sizeof(rec->name), &len, ", ");
	append(rec->name, sizeof(rec->name), &len, first->text);
	if (nick < NELEM(nicknames)) {
		append(rec->name, sizeof(rec->name), &len, " \"");
		append(rec->name, sizeof(rec->name), &len, nicknames[nick]);
		append(rec->name, sizeof(rec->name), &len, "\"");
	}
	if (nl < NELEM(suffixes)) {
		append(rec->name, sizeof(rec->name), &len, "\n");
		append(rec->name, sizeof(rec->name), &len, suffixes[nl]);
	}

	len = 0;
	rec->email[0] = '\0';
	append(rec->email, sizeof(rec->email), &len, first->slug);
	append(rec->email, sizeof(rec->email), &len, ".");
	append(rec->email, sizeof(rec->email), &len, last->slug);
	if (tag < 600) {
		num[0] = (char)('0' + tag / 100);
		num[1] = (char)('0' + tag / 10 % 10);
		num[2] = (char)('0' + tag % 10);
		num[3] = '\0';
		append(rec->email, sizeof(rec->email), &len, num);
	}
	append(rec->email, sizeof(rec->email), &len, "@");
	append(rec->email, sizeof(rec->email), &len, domains[dom]);

	rec->segment = pick_segment(r, seg_total);

	/* Triangular over 18..95, peaking in the middle. */
	age_a = rng_below(r, 78);
	age_b = rng_below(r, 78);
	rec->age = 18 + (int)((age_a + age_b + 1) / 2);

	rng_normal2(r, &z0, &z1);
	rec->income_cents = llround(exp(INCOME_MU + INCOME_SIGMA * z0) * 100.0);
	rec->score_e4 = llround((SCORE_MEAN + SCORE_SD * z1) * 10000.0);

	/* The later of two uniform instants: sign-ups grow over time. */
	t0 = rng_below(r, (uint32_t)TS_SPAN);
	t1 = rng_below(r, (uint32_t)TS_SPAN);
	rec->signup = TS_START + (int64_t)(t0 > t1 ? t0 : t1);

	rec->country = pick_weighted(r, countries, NELEM(countries),
	    country_total);
	rec->active = rng_below(r, 100) < 72;
}

/* --- output ----------------------------------------------------------- */

#define OUT_SIZE	(1 << 16)
#define OUT_SLACK	1024	/* more than one field can ever need */

static char	out_buf[OUT_SIZE];
static size_t	out_len;

static void
out_flush(void)
{
	if (out_len > 0 && fwrite(out_buf, 1, out_len, stdout) != out_len) {
		fprintf(stderr, PROG ": standard output: %s\n",
		    strerror(errno));
		exit(EX_IOERR);
	}
	out_len = 0;
}

static inline void
out_reserve(void)
{
	if (OUT_SIZE - out_len < OUT_SLACK)
		out_flush();
}

static inline void
out_char(char c)
{
	out_buf[out_len++] = c;
}

static inline void
out_str(const char *s)
{
	size_t n = strlen(s);

	memcpy(out_buf + out_len, s, n);
	out_len += n;
}

static void
out_u64(uint64_t v)
{
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	while (n > 0)
		out_char(tmp[--n]);
}

/* Zero-padded to width digits. */
static void
out_pad(unsigned v, int width)
{
	char tmp[12];
	int i;

	for (i = width - 1; i >= 0; i--) {
		tmp[i] = (char)('0' + v % 10);
		v /= 10;
	}
	memcpy(out_buf + out_len, tmp, (size_t)width);
	out_len += (size_t)width;
}

/* A scaled integer as a decimal: (-12345, 4) prints "-1.2345"; no "-0". */
static void
out_fixed(int64_t v, int decimals)
{
	uint64_t mag, scale = 1;
	int i;

	for (i = 0; i < decimals; i++)
		scale *= 10;
	if (v < 0) {
		out_char('-');
		mag = (uint64_t)0 - (uint64_t)v;
	} else
		mag = (uint64_t)v;
	out_u64(mag / scale);
	out_char('.');
	out_pad((unsigned)(mag % scale), decimals);
}

static bool
is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* RFC 3339 in UTC: 2022-03-04T05:06:07Z.  Valid from 1970 on. */
static void
out_timestamp(int64_t t)
{
	static const int mdays[] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};
	int64_t days = t / 86400, secs = t % 86400;
	int year = 1970, mon = 0, ylen, mlen;

	for (;;) {
		ylen = is_leap(year) ? 366 : 365;
		if (days < ylen)
			break;
		days -= ylen;
		year++;
	}
	for (;;) {
		mlen = mdays[mon] + (mon == 1 && is_leap(year));
		if (days < mlen)
			break;
		days -= mlen;
		mon++;
	}
	out_pad((unsigned)year, 4);
	out_char('-');
	out_pad((unsigned)mon + 1, 2);
	out_char('-');
	out_pad((unsigned)days + 1, 2);
	out_char('T');
	out_pad((unsigned)(secs / 3600), 2);
	out_char(':');
	out_pad((unsigned)(secs / 60 % 60), 2);
	out_char(':');
	out_pad((unsigned)(secs % 60), 2);
	out_char('Z');
}

/* RFC 4180: quoted only when it holds a comma, a quote, CR or LF. */
static void
out_csv_string(const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL) {
		out_str(s);
		return;
	}
	out_char('"');
	for (; *s != '\0'; s++) {
		if (*s == '"')
			out_char('"');
		out_char(*s);
	}
	out_char('"');
}

static void
out_json_string(const char *s)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char c;

	out_char('"');
	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		switch (c) {
		case '"':
			out_str("\\\"");
			break;
		case '\\':
			out_str("\\\\");
			break;
		case '\n':
			out_str("\\n");
			break;
		case '\r':
			out_str("\\r");
			break;
		case '\t':
			out_str("\\t");
			break;
		default:
			if (c < 0x20) {
				out_str("\\u00");
				out_char(hex[c >> 4]);
				out_char(hex[c & 0xf]);
			} else
				out_char((char)c);
		}
	}
	out_char('"');
}

/* One field's value as CSV or JSON text; numbers are the same in both. */
static void
out_value(const struct record *rec, int f, bool json)
{
	if (rec->empty & (1u << f)) {
		if (json)
			out_str("null");
		return;
	}
	switch (f) {
	case F_NAME:
	case F_EMAIL:
	case F_SEGMENT:
	case F_COUNTRY: {
		const char *s = f == F_NAME ? rec->name :
		    f == F_EMAIL ? rec->email :
		    f == F_SEGMENT ? rec->segment : rec->country;

		if (json)
			out_json_string(s);
		else
			out_csv_string(s);
		break;
	}
	case F_AGE:
		out_u64((uint64_t)rec->age);
		break;
	case F_INCOME:
		out_fixed(rec->income_cents, 2);
		break;
	case F_SCORE:
		out_fixed(rec->score_e4, 4);
		break;
	case F_SIGNUP:
		if (json)
			out_char('"');
		out_timestamp(rec->signup);
		if (json)
			out_char('"');
		break;
	case F_ACTIVE:
		out_str(rec->active ? "true" : "false");
		break;
	}
}

static void
write_csv_header(void)
{
	size_t i;

	for (i = 0; i < NELEM(field_names); i++) {
		if (i > 0)
			out_char(',');
		out_str(field_names[i]);
	}
	out_char('\n');
}

static void
write_csv(const struct record *rec)
{
	int f;

	out_reserve();
	out_u64(rec->id);
	for (f = 0; f < F_COUNT; f++) {
		out_char(',');
		out_value(rec, f, false);
	}
	out_char('\n');
}

static void
write_jsonl(const struct record *rec)
{
	int f;

	out_reserve();
	out_str("{\"id\":");
	out_u64(rec->id);
	for (f = 0; f < F_COUNT; f++) {
		out_str(",\"");
		out_str(field_names[f + 1]);
		out_str("\":");
		out_value(rec, f, true);
	}
	out_str("}\n");
}

/* --- main ------------------------------------------------------------- */

static void
usage(FILE *fp)
{
	fputs("usage: " PROG " [-f csv|jsonl] [-s SEED] ROWS\n", fp);
}

static noreturn void
usage_error(const char *what, const char *arg)
{
	fprintf(stderr, PROG ": %s \"%s\"\n", what, arg);
	usage(stderr);
	exit(EX_USAGE);
}

static noreturn void
bad_option(const char *what, int opt)
{
	fprintf(stderr, PROG ": %s -%c\n", what, opt);
	usage(stderr);
	exit(EX_USAGE);
}

/* A decimal without sign or spaces; false on anything else or overflow. */
static bool
parse_u64(const char *s, uint64_t *v)
{
	unsigned long long x;
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	x = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return false;
	*v = x;
	return true;
}

int
main(int argc, char *argv[])
{
	struct rng r;
	struct record rec;
	uint64_t rows, seed = 1, row;
	unsigned seg_total = 0, country_total = 0;
	bool json = false;
	size_t i;
	int ch;

	if (argc > 1 && strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return 0;
	}
	opterr = 0;
	while ((ch = getopt(argc, argv, ":f:hs:")) != -1) {
		switch (ch) {
		case 'f':
			if (strcmp(optarg, "csv") == 0)
				json = false;
			else if (strcmp(optarg, "jsonl") == 0)
				json = true;
			else
				usage_error("unknown format", optarg);
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 's':
			if (!parse_u64(optarg, &seed))
				usage_error("bad seed", optarg);
			break;
		case ':':
			bad_option("option needs an argument", optopt);
			break;
		default:
			bad_option("unknown option", optopt);
			break;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 1) {
		fprintf(stderr, PROG ": %s\n", argc == 0 ?
		    "missing ROWS operand" : "too many operands");
		usage(stderr);
		return EX_USAGE;
	}
	if (!parse_u64(argv[0], &rows) || rows > MAX_ROWS)
		usage_error("bad row count", argv[0]);

	for (i = 1; i <= NSEGMENTS; i++)
		seg_total += ZIPF_LCM / (unsigned)i;
	for (i = 0; i < NELEM(countries); i++)
		country_total += countries[i].weight;

	rng_seed(&r, seed);
	if (!json)
		write_csv_header();
	for (row = 1; row <= rows; row++) {
		make_record(&r, row, seg_total, country_total, &rec);
		if (json)
			write_jsonl(&rec);
		else
			write_csv(&rec);
	}
	out_flush();
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, PROG ": standard output: %s\n",
		    strerror(errno));
		return EX_IOERR;
	}
	return 0;
}
