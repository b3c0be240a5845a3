/*
 * jqbridge.c - see jqbridge.h
 *
 * Values enter libjq from json.h's DOM: object keys go through a small
 * per-thread cache of interned jv strings (a stream of records with the same
 * keys then allocates and hashes each key once), numbers through strtod (or
 * straight from the digits for short integers).  Values leave through
 * sl_jq_write, which follows jq 1.6's printer (jv_print.c) rule by rule:
 *
 * - numbers: the shortest decimal that reads back as the same double (jq's
 *   dtoa mode 0), printed as jq's g_fmt does: exponent form when the decimal
 *   point is more than 15 places past the last digit or the value is below
 *   1e-4 ("1e+17", "1.23e-05", at least two exponent digits), plain digits
 *   otherwise ("123456789012345680", "0.0001"); NaN prints as null and
 *   infinities as +-DBL_MAX;
 * - strings: '"' and '\\' escaped, \b \f \n \r \t by name, other control
 *   characters and DEL as \u00xx (lower-case hex), everything else as is;
 * - objects in libjq's insertion order, no spaces.
 *
 * jq 1.6 prints containers nested deeper than 256 as a non-JSON
 * "<stripped: ...>" marker; sl_jq_write prints real JSON up to
 * SL_JSON_MAX_DEPTH and refuses deeper values (-1), as sluice's reader would.
 *
 * The shortest digits come from exact 128-bit arithmetic where that holds
 * them (most doubles a program makes), else from snprintf/strtod trials.
 * Both are checked against the jq command on 500,000 random doubles (the
 * unit test keeps a seeded sample of them).
 */
#include "config.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jq.h>

#include "diag.h"
#include "jqbridge.h"
#include "xalloc.h"

struct sl_jq {
	jq_state *jq;
	struct sl_buf *cerr;	/* compile errors go here while compiling */
};

/* ---- the key cache ---------------------------------------------------- */

#define KEY_SLOTS	512	/* direct-mapped, power of two */
#define KEY_MAX		64	/* longer keys are not cached */

struct key_slot {
	size_t len;
	int used;
	jv s;
};

static _Thread_local struct key_slot *key_cache;

static uint32_t
key_hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;

	while (n--)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

/* A jv string for key[0..n): from the cache when it is there. */
static jv
key_jv(const char *key, size_t n)
{
	struct key_slot *e;

	if (n > KEY_MAX)
		return jv_string_sized(key, (int)n);
	if (!key_cache)
		key_cache = sl_calloc(KEY_SLOTS, sizeof(*key_cache));
	e = &key_cache[key_hash(key, n) & (KEY_SLOTS - 1)];
	if (e->used && e->len == n && memcmp(jv_string_value(e->s), key, n) == 0)
		return jv_copy(e->s);
	if (e->used)
		jv_free(e->s);
	e->s = jv_string_sized(key, (int)n);
	e->len = n;
	e->used = 1;
	return jv_copy(e->s);
}

/* Drops this thread's cached keys (they are only a cache). */
void
sl_jq_release_cache(void)
{
	size_t i;

	if (!key_cache)
		return;
	for (i = 0; i < KEY_SLOTS; i++)
		if (key_cache[i].used)
			jv_free(key_cache[i].s);
	free(key_cache);
	key_cache = NULL;
}

/* ---- compiling and running ------------------------------------------ */

static void
compile_err_cb(void *data, jv msg)
{
	struct sl_jq *q = data;

	msg = jq_format_error(msg);
	if (q->cerr) {
		if (q->cerr->len)
			sl_buf_addc(q->cerr, '\n');
		if (jv_get_kind(msg) == JV_KIND_STRING)
			sl_buf_adds(q->cerr, jv_string_value(msg));
		else
			sl_buf_adds(q->cerr, "jq: error: unknown error");
	}
	jv_free(msg);
}

/*
 * input/inputs: there are none (libjq 1.6 crashes without a callback).
 * `input` then fails with libjq's message ("break" in 1.6), `[inputs]` is [].
 */
static jv
no_input_cb(jq_state *jq, void *data)
{
	(void)jq;
	(void)data;
	return jv_invalid();	/* libjq 1.6 makes this its "break" */
}

/*
 * debug: printed to standard error as the jq command prints it
 * (["DEBUG:",value]).  libjq 1.6's jq_init leaves this callback unset, so
 * without it `debug` would call through a null pointer.
 */
static void
debug_cb(void *data, jv msg)
{
	struct sl_buf b = SL_BUF_INIT;

	(void)data;
	sl_buf_adds(&b, "[\"DEBUG:\",");
	if (sl_jq_write(&b, msg) < 0)
		sl_buf_adds(&b, "null");
	sl_buf_adds(&b, "]\n");
	fwrite(b.data, 1, b.len, stderr);
	sl_buf_release(&b);
	jv_free(msg);
}

/*
 * libjq out of memory (a program like `[range(1e10)]`): a message and the
 * internal-error status instead of libjq's abort().
 */
static void
nomem_cb(void *data)
{
	static const char m[] = "sluice: libjq: out of memory running a jq "
	    "program\n";

	(void)data;
	if (write(STDERR_FILENO, m, sizeof(m) - 1) < 0) {
		/* nothing more can be said */
	}
	_exit(SL_EX_SOFTWARE);
}

/* A libjq state with sluice's callbacks and no library path. */
static jq_state *
new_state(struct sl_jq *q)
{
	jq_state *jq = jq_init();

	if (!jq)
		sl_die(SL_EX_SOFTWARE, "out of memory (starting libjq)");
	jq_set_error_cb(jq, compile_err_cb, q);
	jq_set_input_cb(jq, no_input_cb, NULL);
	jq_set_debug_cb(jq, debug_cb, NULL);
	jq_set_nomem_handler(jq, nomem_cb, NULL);
	/* import/include: no library search path, nothing read from $HOME */
	jq_set_attr(jq, jv_string("JQ_LIBRARY_PATH"), jv_array());
	jq_set_attr(jq, jv_string("JQ_ORIGIN"), jv_string("."));
	jq_set_attr(jq, jv_string("PROGRAM_ORIGIN"), jv_string("."));
	return jq;
}

struct sl_jq *
sl_jq_compile(const char *program, jv args, struct sl_buf *err)
{
	struct sl_jq *q = sl_calloc(1, sizeof(*q));
	struct sl_buf src = SL_BUF_INIT;
	jv named;

	q->cerr = err;
	q->jq = new_state(q);
	if (jv_get_kind(args) != JV_KIND_OBJECT) {
		jv_free(args);
		args = jv_object();
	}
	/* $ARGS as jq(1) has it: {"positional": [], "named": {...}} */
	if (!jv_object_has(jv_copy(args), jv_string("ARGS"))) {
		named = jv_object_set(jv_object(), jv_string("positional"),
		    jv_array());
		named = jv_object_set(named, jv_string("named"), jv_copy(args));
		args = jv_object_set(args, jv_string("ARGS"), named);
	}
	if (!jq_compile_args(q->jq, program, jv_copy(args))) {
		if (err && err->len == 0)
			sl_buf_adds(err, "jq: error: program does not compile");
		jv_free(args);
		jq_teardown(&q->jq);
		free(q);
		return NULL;
	}
	/*
	 * libjq 1.6's halt_error builtin gets its reference counts wrong
	 * (a double free at teardown, seen under valgrind): once the program
	 * is known to compile as written (libjq's messages above), it is
	 * compiled again with halt_error defined in jq itself, as an error
	 * (a zero status: halt).  Same line, so $__loc__ is unchanged.
	 */
	jq_teardown(&q->jq);
	q->jq = new_state(q);
	sl_buf_adds(&src, "def halt_error: error(.); def halt_error($c): "
	    "if $c == 0 then halt else error(.) end; ");
	sl_buf_adds(&src, program);
	if (!jq_compile_args(q->jq, src.data, args)) {
		if (err && err->len == 0)
			sl_buf_adds(err, "jq: error: program does not compile");
		sl_buf_release(&src);
		jq_teardown(&q->jq);
		free(q);
		return NULL;
	}
	sl_buf_release(&src);
	q->cerr = NULL;
	return q;
}

void
sl_jq_free(struct sl_jq *q)
{
	if (!q)
		return;
	jq_teardown(&q->jq);
	free(q);
	sl_jq_release_cache();
}

void
sl_jq_start(struct sl_jq *q, jv input)
{
	jq_start(q->jq, input, 0);
}

/* The text of an error value, as jq prints it after "jq: error ...: ". */
static void
error_text(struct sl_buf *err, jv msg)
{
	if (!err) {
		jv_free(msg);
		return;
	}
	if (jv_get_kind(msg) == JV_KIND_STRING) {
		sl_buf_add(err, jv_string_value(msg),
		    (size_t)jv_string_length_bytes(jv_copy(msg)));
	} else {
		if (sl_jq_write(err, msg) < 0)
			sl_buf_adds(err, "error");
		sl_buf_adds(err, " (not a string)");
	}
	jv_free(msg);
}

int
sl_jq_next(struct sl_jq *q, jv *out, struct sl_buf *err)
{
	jv r = jq_next(q->jq);
	jv code;

	if (jv_is_valid(r)) {
		*out = r;
		return 1;
	}
	if (jv_invalid_has_msg(jv_copy(r))) {
		error_text(err, jv_invalid_get_msg(r));
		return -1;
	}
	jv_free(r);
	if (jq_halted(q->jq)) {
		/* halt is a normal end; halt_error with a non-zero status is not */
		int failed;

		code = jq_get_exit_code(q->jq);
		failed = jv_get_kind(code) == JV_KIND_NUMBER &&
		    jv_number_value(code) != 0;
		jv_free(code);
		if (failed) {
			code = jq_get_error_message(q->jq);
			if (jv_is_valid(code)) {
				error_text(err, code);
			} else {
				jv_free(code);
				if (err)
					sl_buf_adds(err, "halt_error");
			}
		}
		return failed ? -1 : 0;
	}
	return 0;
}

int
sl_jq_test(struct sl_jq *q, const struct sl_json *v, struct sl_buf *err)
{
	jv out;
	jv_kind k;
	int r;

	sl_jq_start(q, sl_jq_from_json(v));
	r = sl_jq_next(q, &out, err);
	if (r <= 0)
		return r;
	k = jv_get_kind(out);
	jv_free(out);
	return k != JV_KIND_NULL && k != JV_KIND_FALSE;
}

/* ---- sluice's DOM into jv -------------------------------------------- */

/*
 * The double of a JSON number text, as strtod rounds it.  Fast path: up to
 * 15 digits with at most 22 after the point are an integer m below 2^53
 * divided by 10^k, both exact in a double, and IEEE division rounds the
 * quotient correctly, so m / 10^k is strtod's answer (Clinger's fast path).
 */
static jv
number_jv(const char *s, size_t n)
{
	static const double pow10[] = {
		1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
		1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
	};
	size_t i = 0;
	int neg = 0, digits = 0, frac = -1;
	int64_t v = 0;
	double d;

	if (n && s[0] == '-') {
		neg = 1;
		i = 1;
	}
	for (; i < n; i++) {
		if (s[i] >= '0' && s[i] <= '9') {
			if (v || s[i] != '0')
				digits++;
			v = v * 10 + (s[i] - '0');
			if (frac >= 0)
				frac++;
			if (digits > 15)
				break;
		} else if (s[i] == '.' && frac < 0) {
			frac = 0;
		} else {
			break;
		}
	}
	if (i < n || frac > 22)
		return jv_number(strtod(s, NULL));
	d = frac > 0 ? (double)v / pow10[frac] : (double)v;
	return jv_number(neg ? -d : d);
}

jv
sl_jq_from_json(const struct sl_json *v)
{
	jv r;
	size_t i;

	switch (v->type) {
	case SL_JSON_NULL:
		return jv_null();
	case SL_JSON_FALSE:
		return jv_false();
	case SL_JSON_TRUE:
		return jv_true();
	case SL_JSON_NUMBER:
		return number_jv(v->u.num, v->len);
	case SL_JSON_STRING:
		return jv_string_sized(v->u.str, (int)v->len);
	case SL_JSON_ARRAY:
		r = jv_array_sized((int)v->len);
		for (i = 0; i < v->len; i++)
			r = jv_array_append(r, sl_jq_from_json(&v->u.items[i]));
		return r;
	case SL_JSON_OBJECT:
		r = jv_object();
		for (i = 0; i < v->len; i++) {
			const struct sl_json_member *m = &v->u.members[i];

			r = jv_object_set(r, key_jv(m->key, m->key_len),
			    sl_jq_from_json(&m->value));
		}
		return r;
	}
	return jv_null();
}

/* ---- jv out as jq -c prints it ----------------------------------------- */

/*
 * The shortest decimal digits of d (> 0, finite) that read back as d, into
 * dig (no dot, no trailing zeros), and the decimal exponent: d is
 * 0.DIGITS * 10^decpt.  Returns the digit count.
 */
#ifdef __SIZEOF_INT128__
/*
 * The same digits by exact integer arithmetic (Steele & White's free-format
 * algorithm, with Burger & Dybvig's boundaries): d = R/S, and the decimals
 * that read back as d lie strictly (or, for an even mantissa, inclusively)
 * within M-/S below and M+/S above it.  Digits are generated until the
 * rest falls within those margins.  All in 128 bits, which holds for
 * 2^-108 <= ulp and d < 2^113; returns 0 outside that range.
 */
static int
shortest_exact(double d, char *dig, int *decpt)
{
	typedef unsigned __int128 u128;
	uint64_t bits, f, m;
	int be, e, k, n = 0, incl, low, high;
	u128 r, s, mp, mm;

	memcpy(&bits, &d, sizeof(bits));
	be = (int)(bits >> 52 & 0x7ff);
	f = bits & (((uint64_t)1 << 52) - 1);
	if (be == 0) {
		m = f;
		e = -1074;
	} else {
		m = f | (uint64_t)1 << 52;
		e = be - 1075;
	}
	if (e > 60 || e < -108 || m == 0)
		return 0;
	incl = (m & 1) == 0;
	if (f == 0 && be > 1) {
		/* a power of two: the gap below is half the gap above */
		if (e >= 0) {
			r = (u128)m << (e + 2);
			s = 4;
			mp = (u128)1 << (e + 1);
			mm = (u128)1 << e;
		} else {
			r = (u128)m << 2;
			s = (u128)1 << (2 - e);
			mp = 2;
			mm = 1;
		}
	} else if (e >= 0) {
		r = (u128)m << (e + 1);
		s = 2;
		mp = mm = (u128)1 << e;
	} else {
		r = (u128)m << 1;
		s = (u128)1 << (1 - e);
		mp = mm = 1;
	}
	/* k: d < 10^k, so the first digit comes at the first step */
	k = (int)ceil(log10(d));
	if (k > 0) {
		for (int i = 0; i < k; i++)
			s *= 10;
	} else {
		for (int i = 0; i < -k; i++) {
			r *= 10;
			mp *= 10;
			mm *= 10;
		}
	}
	while (r + mp > s || (incl && r + mp == s)) {
		s *= 10;
		k++;
	}
	while ((r + mp) * 10 < s || (!incl && (r + mp) * 10 == s)) {
		r *= 10;
		mp *= 10;
		mm *= 10;
		k--;
	}
	for (;;) {
		int digit;

		r *= 10;
		mp *= 10;
		mm *= 10;
		digit = (int)(r / s);
		r %= s;
		low = r < mm || (incl && r == mm);
		high = r + mp > s || (incl && r + mp == s);
		if (!low && !high) {
			dig[n++] = (char)('0' + digit);
			if (n > 17)
				return 0;
			continue;
		}
		if (low && high) {
			/* the nearer; a tie to the even digit */
			if (r * 2 > s || (r * 2 == s && (digit & 1)))
				digit++;
		} else if (high)
			digit++;
		if (digit > 9)
			return 0;
		dig[n++] = (char)('0' + digit);
		break;
	}
	while (n > 1 && dig[n - 1] == '0')
		n--;
	dig[n] = '\0';
	*decpt = k;
	return n;
}
#endif

/*
 * Adds one unit in the last of the p digits of t ("D.DDDe[+-]XX", as
 * snprintf's %.*e writes it), in place.  Returns 0 when a carry would
 * change the exponent (the caller then has no such candidate).
 */
static int
up_one(char *t, int p)
{
	char *e = strchr(t, 'e'), *q;

	(void)p;
	if (!e)
		return 0;
	for (q = e - 1; q >= t; q--) {
		if (*q == '.')
			continue;
		if (*q < '9') {
			(*q)++;
			return 1;
		}
		*q = '0';
	}
	return 0;
}

static int
shortest_digits(double d, char *dig, int *decpt)
{
	char tmp[40];
	int p, n, e;
	char *s, *x;

#ifdef __SIZEOF_INT128__
	if ((n = shortest_exact(d, dig, decpt)) > 0)
		return n;
#endif

	/*
	 * Up to 15 digits a double is uniquely recovered from its nearest
	 * 15-digit decimal, so when that reads back, its digits (trailing
	 * zeros dropped) are the shortest; otherwise 16, then 17 (which always
	 * reads back).  Subnormals hold fewer digits: count up from 1.
	 */
	p = d < DBL_MIN ? 1 : 15;
	for (;; p++) {
		snprintf(tmp, sizeof(tmp), "%.*e", p - 1, d);
		if (p >= 17 || strtod(tmp, NULL) == d)
			break;
		/*
		 * Just above a power of two the gap below d is half the gap
		 * above, so the decimal one unit higher may read back when the
		 * nearest does not.
		 */
		if (d >= DBL_MIN && frexp(d, &e) == 0.5 && up_one(tmp, p) &&
		    strtod(tmp, NULL) == d)
			break;
	}
	/* tmp is D[.DDD]e[+-]XX */
	n = 0;
	for (s = tmp; *s && *s != 'e'; s++)
		if (*s != '.')
			dig[n++] = *s;
	e = (int)strtol(s + 1, &x, 10);
	while (n > 1 && dig[n - 1] == '0')
		n--;
	dig[n] = '\0';
	*decpt = e + 1;
	return n;
}

static void
write_number(struct sl_buf *b, double d)
{
	char dig[40], out[64];
	char *o = out;
	int n, decpt, i;

	if (isnan(d)) {
		sl_buf_add(b, "null", 4);
		return;
	}
	if (d > DBL_MAX)
		d = DBL_MAX;
	else if (d < -DBL_MAX)
		d = -DBL_MAX;
	if (signbit(d)) {
		*o++ = '-';
		d = -d;
	}
	if (d == 0) {
		*o++ = '0';
		sl_buf_add(b, out, (size_t)(o - out));
		return;
	}
	if (d < 9007199254740992.0 && d == (double)(int64_t)d) {
		/* an integer below 2^53: its own digits are the shortest */
		int64_t v = (int64_t)d;
		char r[24];
		int k = 0;

		while (v) {
			r[k++] = (char)('0' + v % 10);
			v /= 10;
		}
		decpt = k;
		n = 0;
		while (k)
			dig[n++] = r[--k];
		while (n > 1 && dig[n - 1] == '0')
			n--;
		dig[n] = '\0';
	} else {
		n = shortest_digits(d, dig, &decpt);
	}
	if (decpt <= -4 || decpt > n + 15) {
		int e = decpt - 1;

		*o++ = dig[0];
		if (n > 1) {
			*o++ = '.';
			memcpy(o, dig + 1, (size_t)n - 1);
			o += n - 1;
		}
		*o++ = 'e';
		if (e < 0) {
			*o++ = '-';
			e = -e;
		} else {
			*o++ = '+';
		}
		if (e >= 100)
			*o++ = (char)('0' + e / 100);
		*o++ = (char)('0' + e / 10 % 10);
		*o++ = (char)('0' + e % 10);
	} else if (decpt <= 0) {
		*o++ = '0';
		*o++ = '.';
		for (i = decpt; i < 0; i++)
			*o++ = '0';
		memcpy(o, dig, (size_t)n);
		o += n;
	} else {
		for (i = 0; i < n; i++) {
			*o++ = dig[i];
			if (i + 1 == decpt && i + 1 < n)
				*o++ = '.';
		}
		for (i = n; i < decpt; i++)
			*o++ = '0';
	}
	sl_buf_add(b, out, (size_t)(o - out));
}

/* Length of the valid UTF-8 sequence at p (< end), or 0 when invalid. */
static size_t
utf8_len(const unsigned char *p, const unsigned char *end)
{
	size_t n, i;
	uint32_t c;

	if (p[0] < 0xc2)
		return 0;
	if (p[0] < 0xe0) {
		n = 2;
		c = p[0] & 0x1f;
	} else if (p[0] < 0xf0) {
		n = 3;
		c = p[0] & 0x0f;
	} else if (p[0] < 0xf5) {
		n = 4;
		c = p[0] & 0x07;
	} else {
		return 0;
	}
	if ((size_t)(end - p) < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	if ((n == 3 && (c < 0x800 || (c >= 0xd800 && c <= 0xdfff))) ||
	    (n == 4 && (c < 0x10000 || c > 0x10ffff)))
		return 0;
	return n;
}

static void
write_string(struct sl_buf *b, const char *str, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)str;
	const unsigned char *end = p + len, *run;
	size_t n;

	sl_buf_grow(b, len + 2);
	sl_buf_addc(b, '"');
	while (p < end) {
		run = p;
		while (p < end && *p >= 0x20 && *p < 0x7f && *p != '"' &&
		    *p != '\\')
			p++;
		if (p > run)
			sl_buf_add(b, run, (size_t)(p - run));
		if (p >= end)
			break;
		switch (*p) {
		case '"':
			sl_buf_add(b, "\\\"", 2);
			break;
		case '\\':
			sl_buf_add(b, "\\\\", 2);
			break;
		case '\b':
			sl_buf_add(b, "\\b", 2);
			break;
		case '\f':
			sl_buf_add(b, "\\f", 2);
			break;
		case '\n':
			sl_buf_add(b, "\\n", 2);
			break;
		case '\r':
			sl_buf_add(b, "\\r", 2);
			break;
		case '\t':
			sl_buf_add(b, "\\t", 2);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f) {
				char u[6] = { '\\', 'u', '0', '0',
				    hex[*p >> 4], hex[*p & 15] };

				sl_buf_add(b, u, 6);
				break;
			}
			n = utf8_len(p, end);
			if (n) {
				sl_buf_add(b, p, n);
				p += n;
				continue;
			}
			/* not UTF-8 (libjq never makes such): U+FFFD */
			sl_buf_add(b, "\xef\xbf\xbd", 3);
			break;
		}
		p++;
	}
	sl_buf_addc(b, '"');
}

/* ---- number texts kept from the input ---------------------------------- */

const struct sl_json *
sl_jq_like_key(const struct sl_json *like, const char *key, size_t n,
    size_t hint)
{
	size_t i;

	if (!like || like->type != SL_JSON_OBJECT)
		return NULL;
	/* the same key order as the input is the usual case */
	if (hint < like->len && like->u.members[hint].key_len == n &&
	    memcmp(like->u.members[hint].key, key, n) == 0)
		return &like->u.members[hint].value;
	/* else the last member of that name, as libjq keeps it */
	for (i = like->len; i-- > 0;)
		if (like->u.members[i].key_len == n &&
		    memcmp(like->u.members[i].key, key, n) == 0)
			return &like->u.members[i].value;
	return NULL;
}

const struct sl_json *
sl_jq_like_index(const struct sl_json *like, int i)
{
	if (!like || like->type != SL_JSON_ARRAY || i < 0 ||
	    (size_t)i >= like->len)
		return NULL;
	return &like->u.items[i];
}

int
sl_jq_like_number(const struct sl_json *like, double d)
{
	double l;

	if (!like || like->type != SL_JSON_NUMBER)
		return 0;
	l = jv_number_value(number_jv(like->u.num, like->len));
	/* -0 and 0 are equal doubles but not the same number text */
	return l == d && signbit(l) == signbit(d);
}

static int
write_value(struct sl_buf *b, jv v, int depth, const struct sl_json *like)
{
	int i, n, it, first, nth = 0;
	size_t kn;
	const struct sl_json *sub;
	jv x, k;

	switch (jv_get_kind(v)) {
	case JV_KIND_NULL:
		sl_buf_add(b, "null", 4);
		return 0;
	case JV_KIND_FALSE:
		sl_buf_add(b, "false", 5);
		return 0;
	case JV_KIND_TRUE:
		sl_buf_add(b, "true", 4);
		return 0;
	case JV_KIND_NUMBER:
		if (sl_jq_like_number(like, jv_number_value(v)))
			sl_buf_add(b, like->u.num, like->len);
		else
			write_number(b, jv_number_value(v));
		return 0;
	case JV_KIND_STRING:
		write_string(b, jv_string_value(v),
		    (size_t)jv_string_length_bytes(jv_copy(v)));
		return 0;
	case JV_KIND_ARRAY:
		if (depth >= SL_JSON_MAX_DEPTH)
			return -1;
		sl_buf_addc(b, '[');
		n = jv_array_length(jv_copy(v));
		for (i = 0; i < n; i++) {
			if (i)
				sl_buf_addc(b, ',');
			x = jv_array_get(jv_copy(v), i);
			if (write_value(b, x, depth + 1,
			    sl_jq_like_index(like, i)) < 0) {
				jv_free(x);
				return -1;
			}
			jv_free(x);
		}
		sl_buf_addc(b, ']');
		return 0;
	case JV_KIND_OBJECT:
		if (depth >= SL_JSON_MAX_DEPTH)
			return -1;
		sl_buf_addc(b, '{');
		first = 1;
		for (it = jv_object_iter(v); jv_object_iter_valid(v, it);
		    it = jv_object_iter_next(v, it)) {
			if (!first)
				sl_buf_addc(b, ',');
			first = 0;
			k = jv_object_iter_key(v, it);
			kn = (size_t)jv_string_length_bytes(jv_copy(k));
			write_string(b, jv_string_value(k), kn);
			x = jv_object_iter_value(v, it);
			sub = sl_jq_like_key(like, jv_string_value(k), kn,
			    (size_t)nth++);
			/* a duplicate key: the member libjq kept is the last */
			if (sub && jv_get_kind(x) == JV_KIND_NUMBER &&
			    !sl_jq_like_number(sub, jv_number_value(x)))
				sub = sl_jq_like_key(like, jv_string_value(k),
				    kn, (size_t)-1);
			jv_free(k);
			sl_buf_addc(b, ':');
			if (write_value(b, x, depth + 1, sub) < 0) {
				jv_free(x);
				return -1;
			}
			jv_free(x);
		}
		sl_buf_addc(b, '}');
		return 0;
	default:
		return -1;
	}
}

int
sl_jq_write(struct sl_buf *b, jv v)
{
	return sl_jq_write_like(b, v, NULL);
}

int
sl_jq_write_like(struct sl_buf *b, jv v, const struct sl_json *like)
{
	size_t mark = b->len;

	if (write_value(b, v, 0, like) < 0) {
		b->len = mark;
		if (b->data)
			b->data[mark] = '\0';
		return -1;
	}
	return 0;
}
