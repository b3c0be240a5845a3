/*
 * json.c - see json.h
 *
 * One iterative parser serves sl_json_parse, sl_json_check and sl_json_scan:
 * run() is always inlined into each of them with constant flags, so the
 * checking copies carry no building code.  Nesting is tracked in fixed arrays
 * of SL_JSON_MAX_DEPTH entries (no recursion).  While a container is open,
 * its elements wait on a temporary stack (on the C stack for small
 * documents, on the heap beyond that); when it closes they are copied into
 * the arena in one piece.
 *
 * String bodies are skipped sixteen bytes at a time (SSE2) or eight (SWAR,
 * elsewhere) until a quote, a backslash, a control character or a byte
 * >= 0x80 shows up; only then does the parser look at single bytes, and
 * only bytes >= 0x80 go through UTF-8 validation.
 *
 * Error offsets: the offending byte; when the input ended too early
 * (SL_JSON_INCOMPLETE), the length of the input.
 */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "json.h"
#include "xalloc.h"

#define INLINE		static inline __attribute__((always_inline))
#define COLD		__attribute__((cold, noinline))
#define LIKELY(x)	__builtin_expect(!!(x), 1)
#define UNLIKELY(x)	__builtin_expect(!!(x), 0)

#define STR_(x)		#x
#define STR(x)		STR_(x)

/* Temporary stack entries kept on the C stack before spilling to the heap. */
#define LOCAL_VALS	64
#define LOCAL_MEMBERS	64

enum {
	C_WS = 1,	/* JSON whitespace */
	C_PLAIN = 2,	/* string byte needing no attention */
};

static const unsigned char cls[256] = {
	['\t'] = C_WS, ['\n'] = C_WS, ['\r'] = C_WS,
	[' '] = C_WS | C_PLAIN,
	['!'] = C_PLAIN,
	[0x23 ... 0x5b] = C_PLAIN,
	[0x5d ... 0x7f] = C_PLAIN,
};

/* Hex digit value plus one; zero for anything else. */
static const unsigned char hexv[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5,
	['5'] = 6, ['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10,
	['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
	['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

#define ONES	0x0101010101010101ULL
#define HIGHS	0x8080808080808080ULL

/* Eight bytes in memory order: the first byte is the least significant. */
INLINE uint64_t
load64(const unsigned char *p)
{
	uint64_t x;

	memcpy(&x, p, sizeof(x));
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	x = __builtin_bswap64(x);
#endif
	return x;
}

/* Index of the first flagged byte of a non-zero mask from the *_mask()s. */
INLINE unsigned
first_byte(uint64_t m)
{
	return (unsigned)__builtin_ctzll(m) >> 3;
}

/*
 * The high bit of each byte that is '"', '\\' or < 0x20; bytes above the
 * first flagged one may be flagged falsely (borrows), the first is exact.
 */
INLINE uint64_t
escape_mask(uint64_t x)
{
	uint64_t q = x ^ (ONES * '"'), b = x ^ (ONES * '\\');

	return (((q - ONES) & ~q) | ((b - ONES) & ~b) |
	    ((x - ONES * 0x20) & ~x)) & HIGHS;
}

/* As escape_mask, also flagging bytes >= 0x80. */
INLINE uint64_t
stop_mask(uint64_t x)
{
	uint64_t q = x ^ (ONES * '"'), b = x ^ (ONES * '\\');

	return (((q - ONES) & ~q) | ((b - ONES) & ~b) |
	    ((x - ONES * 0x20) & ~x) | x) & HIGHS;
}

INLINE int
is_digit(unsigned c)
{
	return c - '0' < 10;
}

INLINE const unsigned char *
skip_ws(const unsigned char *p, const unsigned char *end)
{
	while (p < end && (cls[*p] & C_WS))
		p++;
	return p;
}

/*
 * The first byte at or after p that is '"', '\\', < 0x20 or >= 0x80, or
 * end: sixteen bytes at a time with SSE2, else eight (SWAR).
 */
INLINE const unsigned char *
skip_plain(const unsigned char *p, const unsigned char *end)
{
#ifdef __SSE2__
	const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\');
	const __m128i space = _mm_set1_epi8(0x20);

	while (end - p >= 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
		/* Signed: bytes >= 0x80 are negative, so also below 0x20. */
		__m128i t = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, quote),
		    _mm_cmpeq_epi8(x, bslash)), _mm_cmplt_epi8(x, space));
		unsigned m = (unsigned)_mm_movemask_epi8(t);

		if (m != 0)
			return p + __builtin_ctz(m);
		p += 16;
	}
#endif
	while (end - p >= 8) {
		uint64_t m = stop_mask(load64(p));

		if (m != 0)
			return p + first_byte(m);
		p += 8;
	}
	while (p < end && (cls[*p] & C_PLAIN))
		p++;
	return p;
}

/* As skip_plain, but bytes >= 0x80 need no attention (for the writer). */
INLINE const unsigned char *
skip_unescaped(const unsigned char *p, const unsigned char *end)
{
#ifdef __SSE2__
	const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\');
	const __m128i ctl = _mm_set1_epi8(0x1f);

	while (end - p >= 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
		/* Unsigned x <= 0x1f: min(x, 0x1f) == x. */
		__m128i t = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, quote),
		    _mm_cmpeq_epi8(x, bslash)),
		    _mm_cmpeq_epi8(_mm_min_epu8(x, ctl), x));
		unsigned m = (unsigned)_mm_movemask_epi8(t);

		if (m != 0)
			return p + __builtin_ctz(m);
		p += 16;
	}
#endif
	while (end - p >= 8) {
		uint64_t m = escape_mask(load64(p));

		if (m != 0)
			return p + first_byte(m);
		p += 8;
	}
	while (p < end && *p >= 0x20 && *p != '"' && *p != '\\')
		p++;
	return p;
}

/*
 * Length (2 to 4) of the well-formed UTF-8 sequence starting at p, where
 * p < end and *p >= 0x80; 0 when it is ill-formed; -1 when it is a correct
 * but unfinished prefix cut off by end.
 */
INLINE int
utf8_seq(const unsigned char *p, const unsigned char *end)
{
	unsigned c = p[0], lo = 0x80, hi = 0xbf;
	size_t avail = (size_t)(end - p);
	int n;

	if (c < 0xc2)
		return 0;
	if (c < 0xe0)
		n = 2;
	else if (c < 0xf0) {
		n = 3;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c < 0xf5) {
		n = 4;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else
		return 0;
	if (avail < 2)
		return -1;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (int i = 2; i < n; i++) {
		if (avail <= (size_t)i)
			return -1;
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	}
	return n;
}

struct jp {
	const unsigned char *base, *end;
	struct sl_json_error *err;
	struct sl_arena *arena;
	int at_eof;
	enum sl_json_status status;
	/* Temporary stacks (sl_json_parse only). */
	struct sl_json *vlocal, *vheap;
	size_t vcap;
	struct sl_json_member *mlocal, *mheap;
	size_t mcap;
};

/* Records an error; returns NULL so that scanners can "return fail(...)". */
static COLD __attribute__((format(printf, 4, 5))) void *
fail(struct jp *j, enum sl_json_status st, const unsigned char *at,
    const char *fmt, ...)
{
	va_list ap;

	j->status = st;
	if (j->err == NULL)
		return NULL;
	j->err->offset = (size_t)(at - j->base);
	va_start(ap, fmt);
	vsnprintf(j->err->msg, sizeof(j->err->msg), fmt, ap);
	va_end(ap);
	return NULL;
}

#define INVALID(j, at, ...)	fail((j), SL_JSON_INVALID, (at), __VA_ARGS__)
#define INCOMPLETE(j, ...) \
	fail((j), SL_JSON_INCOMPLETE, (j)->end, __VA_ARGS__)

/* The value of the four hex digits at p, already validated. */
INLINE unsigned long
hex4(const unsigned char *p)
{
	return (unsigned long)(hexv[p[0]] - 1) << 12 |
	    (unsigned long)(hexv[p[1]] - 1) << 8 |
	    (unsigned long)(hexv[p[2]] - 1) << 4 |
	    (unsigned long)(hexv[p[3]] - 1);
}

/*
 * Validates the \u escape at p (p[0] == '\\', p[1] == 'u') and, for a high
 * surrogate, the low surrogate escape that must follow.  Returns the address
 * after the escape(s), or NULL with the error recorded.
 */
static const unsigned char *
scan_uescape(struct jp *j, const unsigned char *p)
{
	const unsigned char *end = j->end, *q;
	unsigned long cp;

	for (int i = 2; i < 6; i++) {
		if (end - p == i)
			return INCOMPLETE(j, "unterminated string");
		if (hexv[p[i]] == 0)
			return INVALID(j, p + i,
			    "invalid \\u escape in string");
	}
	cp = hex4(p + 2);
	if (cp < 0xd800 || cp > 0xdfff)
		return p + 6;
	if (cp >= 0xdc00)
		return INVALID(j, p, "lone surrogate \\u%04lx in string", cp);
	/* A high surrogate: "\\u" and a low surrogate must follow at once. */
	q = p + 6;
	for (int i = 0; i < 6; i++) {
		unsigned c;
		int good;

		if (q + i == end)
			return INCOMPLETE(j, "unterminated string");
		c = q[i];
		switch (i) {
		case 0:
			good = c == '\\';
			break;
		case 1:
			good = c == 'u';
			break;
		case 2:
			good = (c | 0x20) == 'd';
			break;
		case 3:
			good = (c | 0x20) >= 'c' && (c | 0x20) <= 'f';
			break;
		default:
			good = hexv[c] != 0;
			break;
		}
		if (!good)
			return INVALID(j, p,
			    "lone surrogate \\u%04lx in string", cp);
	}
	return q + 6;
}

/*
 * Scans a string body starting at p, just after the opening quote.  Returns
 * the address of the closing quote, setting *escaped if the body holds an
 * escape; or NULL with the error recorded.
 */
INLINE const unsigned char *
scan_string(struct jp *j, const unsigned char *p, int *escaped)
{
	const unsigned char *end = j->end;
	unsigned c;
	int n;

	for (;;) {
		p = skip_plain(p, end);
		if (UNLIKELY(p == end))
			return INCOMPLETE(j, "unterminated string");
		c = *p;
		if (LIKELY(c == '"'))
			return p;
		if (c == '\\') {
			*escaped = 1;
			if (p + 1 == end)
				return INCOMPLETE(j, "unterminated string");
			switch (p[1]) {
			case '"': case '\\': case '/': case 'b':
			case 'f': case 'n': case 'r': case 't':
				p += 2;
				break;
			case 'u':
				p = scan_uescape(j, p);
				if (p == NULL)
					return NULL;
				break;
			default:
				return INVALID(j, p + 1,
				    "invalid escape in string");
			}
		} else if (c < 0x20) {
			return INVALID(j, p,
			    "unescaped control character in string");
		} else {
			n = utf8_seq(p, end);
			if (n > 0)
				p += n;
			else if (n < 0)
				return INCOMPLETE(j, "unterminated string");
			else
				return INVALID(j, p, "invalid UTF-8 in string");
		}
	}
}

INLINE size_t
utf8_put(char *d, unsigned long cp)
{
	if (cp < 0x80) {
		d[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		d[0] = (char)(0xc0 | cp >> 6);
		d[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		d[0] = (char)(0xe0 | cp >> 12);
		d[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		d[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	d[0] = (char)(0xf0 | cp >> 18);
	d[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	d[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	d[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/*
 * Unescapes the string body p[0..q), already validated by scan_string, into
 * d; returns the byte length written (never more than q - p).
 */
static size_t
unescape(char *d, const unsigned char *p, const unsigned char *q)
{
	char *d0 = d;

	while (p < q) {
		const unsigned char *bs = memchr(p, '\\', (size_t)(q - p));
		unsigned long cp;

		if (bs == NULL)
			bs = q;
		memcpy(d, p, (size_t)(bs - p));
		d += bs - p;
		p = bs;
		if (p == q)
			break;
		switch (p[1]) {
		case 'b':
			*d++ = '\b';
			break;
		case 'f':
			*d++ = '\f';
			break;
		case 'n':
			*d++ = '\n';
			break;
		case 'r':
			*d++ = '\r';
			break;
		case 't':
			*d++ = '\t';
			break;
		case 'u':
			cp = hex4(p + 2);
			if (cp >= 0xd800 && cp < 0xdc00) {
				p += 6;
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				    (hex4(p + 2) - 0xdc00);
			}
			d += utf8_put(d, cp);
			p += 6;
			continue;
		default:	/* '"', '\\', '/' */
			*d++ = (char)p[1];
			break;
		}
		p += 2;
	}
	return (size_t)(d - d0);
}

/*
 * A NUL-terminated arena copy of p[0..n).  Short texts with 16 readable
 * bytes behind them are copied with one fixed-size move instead of a call.
 */
INLINE char *
arena_copy(struct sl_arena *a, const unsigned char *p, size_t n,
    const unsigned char *end)
{
	char *d;

	if (n < 16 && end - p >= 16) {
		d = sl_arena_alloc(a, 16);
		memcpy(d, p, 16);
	} else {
		d = sl_arena_alloc(a, n + 1);
		memcpy(d, p, n);
	}
	d[n] = '\0';
	return d;
}

/* The string body p[0..q) as a NUL-terminated arena copy. */
INLINE const char *
make_string(struct sl_arena *a, const unsigned char *p,
    const unsigned char *q, const unsigned char *end, int escaped,
    size_t *len)
{
	char *d;

	if (LIKELY(!escaped)) {
		*len = (size_t)(q - p);
		return arena_copy(a, p, *len, end);
	}
	d = sl_arena_alloc(a, (size_t)(q - p) + 1);
	*len = unescape(d, p, q);
	d[*len] = '\0';
	return d;
}

/*
 * Scans a number starting at p (a '-' or a digit is expected there).
 * Returns the address after it, or NULL with the error recorded.  A number
 * reaching the end of the input is incomplete unless at_eof is set.
 */
INLINE const unsigned char *
scan_number(struct jp *j, const unsigned char *p)
{
	const unsigned char *end = j->end;

	if (*p == '-') {
		if (++p == end)
			return INCOMPLETE(j, "truncated number");
	}
	if (*p == '0') {
		if (++p < end && is_digit(*p))
			return INVALID(j, p, "leading zero in number");
	} else if (is_digit(*p)) {
		p++;
		while (p < end && is_digit(*p))
			p++;
	} else
		return INVALID(j, p, "expected digit after '-'");
	if (p < end && *p == '.') {
		if (++p == end)
			return INCOMPLETE(j, "truncated number");
		if (!is_digit(*p))
			return INVALID(j, p,
			    "expected digit after '.' in number");
		p++;
		while (p < end && is_digit(*p))
			p++;
	}
	if (p < end && (*p | 0x20) == 'e') {
		if (++p == end)
			return INCOMPLETE(j, "truncated number");
		if (*p == '+' || *p == '-') {
			if (++p == end)
				return INCOMPLETE(j, "truncated number");
		}
		if (!is_digit(*p))
			return INVALID(j, p, "expected digit in exponent");
		p++;
		while (p < end && is_digit(*p))
			p++;
	}
	if (UNLIKELY(p == end) && !j->at_eof)
		return INCOMPLETE(j, "truncated number");
	return p;
}

/* Matches the literal word[0..n) at p; NULL with the error recorded if not. */
INLINE const unsigned char *
scan_literal(struct jp *j, const unsigned char *p, const char *word, size_t n)
{
	if (LIKELY((size_t)(j->end - p) >= n) && memcmp(p, word, n) == 0)
		return p + n;
	for (size_t i = 0; i < n; i++) {
		if (p + i == j->end)
			return INCOMPLETE(j, "truncated literal");
		if (p[i] != (unsigned char)word[i])
			return INVALID(j, p + i, "invalid literal");
	}
	return p + n;	/* not reached */
}

static COLD struct sl_json *
grow_vals(struct jp *j, struct sl_json *vals)
{
	size_t cap = j->vcap;

	if (vals == j->vlocal) {
		vals = sl_reallocarray(NULL, cap * 2, sizeof(*vals));
		memcpy(vals, j->vlocal, cap * sizeof(*vals));
	} else
		vals = sl_reallocarray(vals, cap * 2, sizeof(*vals));
	j->vcap = cap * 2;
	j->vheap = vals;
	return vals;
}

static COLD struct sl_json_member *
grow_members(struct jp *j, struct sl_json_member *mems)
{
	size_t cap = j->mcap;

	if (mems == j->mlocal) {
		mems = sl_reallocarray(NULL, cap * 2, sizeof(*mems));
		memcpy(mems, j->mlocal, cap * sizeof(*mems));
	} else
		mems = sl_reallocarray(mems, cap * 2, sizeof(*mems));
	j->mcap = cap * 2;
	j->mheap = mems;
	return mems;
}

static COLD enum sl_json_status
bad_value(struct jp *j, const unsigned char *p)
{
	if (p == j->base && *p == 0xef && j->end - p >= 3 && p[1] == 0xbb &&
	    p[2] == 0xbf)
		INVALID(j, p, "byte order mark not allowed");
	else
		INVALID(j, p, "expected a JSON value");
	return j->status;
}

#define FAIL_IF_NULL(x) do { \
	if (UNLIKELY((x) == NULL)) \
		return j->status; \
} while (0)

/*
 * The parser.  build: fill *out (else only validate).  scan: stop after the
 * first value and report its span (else require the whole input to be one
 * value).  Nesting state lives in kind[] (1 for an object) and, when
 * building, first[] (where the open container's elements start on the
 * temporary stack).
 */
INLINE enum sl_json_status
run(struct jp *j, const int build, const int scan, struct sl_json *out,
    size_t *span_start, size_t *span_end)
{
	const unsigned char *p, *q, *end = j->end, *start;
	unsigned char kind[SL_JSON_MAX_DEPTH];
	size_t first[SL_JSON_MAX_DEPTH];
	struct sl_json *vals = j->vlocal;
	struct sl_json_member *mems = j->mlocal;
	size_t nvals = 0, nmems = 0;
	struct sl_json v = { SL_JSON_NULL, 0, { NULL } };
	int depth = 0, esc;

	p = skip_ws(j->base, end);
	if (p == end) {
		INCOMPLETE(j, "no JSON value before end of input");
		return j->status;
	}
	start = p;

value:	/* p < end, at a non-whitespace byte */
	switch (*p) {
	case '{':
		if (UNLIKELY(depth == SL_JSON_MAX_DEPTH))
			goto too_deep;
		kind[depth] = 1;
		if (build)
			first[depth] = nmems;
		depth++;
		p = skip_ws(p + 1, end);
		if (UNLIKELY(p == end))
			goto unterminated;
		if (*p == '}') {
			p++;
			depth--;
			if (build) {
				v.type = SL_JSON_OBJECT;
				v.len = 0;
				v.u.members = NULL;
			}
			goto done;
		}
		goto key;
	case '[':
		if (UNLIKELY(depth == SL_JSON_MAX_DEPTH))
			goto too_deep;
		kind[depth] = 0;
		if (build)
			first[depth] = nvals;
		depth++;
		p = skip_ws(p + 1, end);
		if (UNLIKELY(p == end))
			goto unterminated;
		if (*p == ']') {
			p++;
			depth--;
			if (build) {
				v.type = SL_JSON_ARRAY;
				v.len = 0;
				v.u.items = NULL;
			}
			goto done;
		}
		goto value;
	case '"':
		esc = 0;
		q = scan_string(j, p + 1, &esc);
		FAIL_IF_NULL(q);
		if (build) {
			v.type = SL_JSON_STRING;
			v.u.str = make_string(j->arena, p + 1, q, end, esc,
			    &v.len);
		}
		p = q + 1;
		goto done;
	case '-': case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		q = scan_number(j, p);
		FAIL_IF_NULL(q);
		if (build) {
			v.type = SL_JSON_NUMBER;
			v.len = (size_t)(q - p);
			v.u.num = arena_copy(j->arena, p, v.len, end);
		}
		p = q;
		goto done;
	case 't':
		p = scan_literal(j, p, "true", 4);
		FAIL_IF_NULL(p);
		v.type = SL_JSON_TRUE;
		goto done;
	case 'f':
		p = scan_literal(j, p, "false", 5);
		FAIL_IF_NULL(p);
		v.type = SL_JSON_FALSE;
		goto done;
	case 'n':
		p = scan_literal(j, p, "null", 4);
		FAIL_IF_NULL(p);
		v.type = SL_JSON_NULL;
		goto done;
	default:
		return bad_value(j, p);
	}

done:	/* a value v ended just before p */
	if (depth == 0)
		goto finish;
	p = skip_ws(p, end);
	if (kind[depth - 1]) {
		if (build)
			mems[nmems - 1].value = v;
		if (UNLIKELY(p == end))
			goto unterminated;
		if (LIKELY(*p == ',')) {
			p = skip_ws(p + 1, end);
			if (UNLIKELY(p == end))
				goto unterminated;
			goto key;
		}
		if (*p != '}') {
			INVALID(j, p,
			    "expected ',' or '}' after object member");
			return j->status;
		}
		p++;
		depth--;
		if (build) {
			size_t n = nmems - first[depth];

			v.type = SL_JSON_OBJECT;
			v.len = n;
			v.u.members = sl_arena_alloc(j->arena,
			    n * sizeof(*mems));
			memcpy(v.u.members, mems + first[depth],
			    n * sizeof(*mems));
			nmems = first[depth];
		}
		goto done;
	} else {
		if (build) {
			if (UNLIKELY(nvals == j->vcap))
				vals = grow_vals(j, vals);
			vals[nvals++] = v;
		}
		if (UNLIKELY(p == end))
			goto unterminated;
		if (LIKELY(*p == ',')) {
			p = skip_ws(p + 1, end);
			if (UNLIKELY(p == end))
				goto unterminated;
			goto value;
		}
		if (*p != ']') {
			INVALID(j, p,
			    "expected ',' or ']' after array element");
			return j->status;
		}
		p++;
		depth--;
		if (build) {
			size_t n = nvals - first[depth];

			v.type = SL_JSON_ARRAY;
			v.len = n;
			v.u.items = sl_arena_alloc(j->arena, n * sizeof(*vals));
			memcpy(v.u.items, vals + first[depth],
			    n * sizeof(*vals));
			nvals = first[depth];
		}
		goto done;
	}

key:	/* p < end, at a non-whitespace byte where a member must start */
	if (UNLIKELY(*p != '"')) {
		INVALID(j, p, "expected string as object key");
		return j->status;
	}
	esc = 0;
	q = scan_string(j, p + 1, &esc);
	FAIL_IF_NULL(q);
	if (build) {
		if (UNLIKELY(nmems == j->mcap))
			mems = grow_members(j, mems);
		mems[nmems].key = make_string(j->arena, p + 1, q, end,
		    esc, &mems[nmems].key_len);
		nmems++;
	}
	p = skip_ws(q + 1, end);
	if (UNLIKELY(p == end))
		goto unterminated;
	if (UNLIKELY(*p != ':')) {
		INVALID(j, p, "expected ':' after object key");
		return j->status;
	}
	p = skip_ws(p + 1, end);
	if (UNLIKELY(p == end))
		goto unterminated;
	goto value;

finish:
	if (scan) {
		*span_start = (size_t)(start - j->base);
		*span_end = (size_t)(p - j->base);
		return SL_JSON_OK;
	}
	p = skip_ws(p, end);
	if (p != end) {
		INVALID(j, p, "trailing characters after JSON value");
		return j->status;
	}
	if (build)
		*out = v;
	return SL_JSON_OK;

unterminated:
	if (kind[depth - 1])
		INCOMPLETE(j, "unterminated object");
	else
		INCOMPLETE(j, "unterminated array");
	return j->status;

too_deep:
	INVALID(j, p, "nesting deeper than " STR(SL_JSON_MAX_DEPTH));
	return j->status;
}

static void
jp_init(struct jp *j, const char *buf, size_t len, struct sl_json_error *err)
{
	memset(j, 0, sizeof(*j));
	j->base = (const unsigned char *)buf;
	j->end = len ? j->base + len : j->base;
	j->err = err;
	j->at_eof = 1;
	j->status = SL_JSON_OK;
}

enum sl_json_status
sl_json_parse(struct sl_arena *a, const char *buf, size_t len,
    struct sl_json *out, struct sl_json_error *err)
{
	struct sl_json vlocal[LOCAL_VALS];
	struct sl_json_member mlocal[LOCAL_MEMBERS];
	enum sl_json_status st;
	struct jp j;

	jp_init(&j, buf, len, err);
	j.arena = a;
	j.vlocal = vlocal;
	j.vcap = LOCAL_VALS;
	j.mlocal = mlocal;
	j.mcap = LOCAL_MEMBERS;
	st = run(&j, 1, 0, out, NULL, NULL);
	free(j.vheap);
	free(j.mheap);
	return st;
}

enum sl_json_status
sl_json_check(const char *buf, size_t len, struct sl_json_error *err)
{
	struct jp j;

	jp_init(&j, buf, len, err);
	return run(&j, 0, 0, NULL, NULL, NULL);
}

enum sl_json_status
sl_json_scan(const char *buf, size_t len, int at_eof, size_t *start,
    size_t *end, struct sl_json_error *err)
{
	struct jp j;

	jp_init(&j, buf, len, err);
	j.at_eof = at_eof;
	return run(&j, 0, 1, NULL, start, end);
}

const struct sl_json *
sl_json_get(const struct sl_json *obj, const char *key, size_t key_len)
{
	if (obj == NULL || obj->type != SL_JSON_OBJECT)
		return NULL;
	for (size_t i = obj->len; i-- > 0;) {
		const struct sl_json_member *m = &obj->u.members[i];

		if (m->key_len == key_len &&
		    (key_len == 0 || memcmp(m->key, key, key_len) == 0))
			return &m->value;
	}
	return NULL;
}

/* Does key[0..klen) equal the reference token t[0..tlen) once unescaped? */
static int
token_eq(const char *key, size_t klen, const char *t, size_t tlen)
{
	size_t i = 0, k = 0;

	while (i < tlen) {
		char c = t[i++];

		if (c == '~')
			c = t[i++] == '0' ? '~' : '/';
		if (k == klen || key[k++] != c)
			return 0;
	}
	return k == klen;
}

const struct sl_json *
sl_json_pointer(const struct sl_json *root, const char *ptr, size_t ptr_len)
{
	const struct sl_json *v = root;
	size_t i = 0;

	if (root == NULL)
		return NULL;
	if (ptr_len > 0 && ptr[0] != '/')
		return NULL;
	while (i < ptr_len) {
		const char *t = ptr + ++i;
		size_t tlen, k;

		while (i < ptr_len && ptr[i] != '/')
			i++;
		tlen = (size_t)(ptr + i - t);
		for (k = 0; k < tlen; k++) {
			if (t[k] == '~' && (k + 1 == tlen ||
			    (t[k + 1] != '0' && t[k + 1] != '1')))
				return NULL;
		}
		if (v->type == SL_JSON_OBJECT) {
			const struct sl_json *found = NULL;

			for (k = v->len; k-- > 0;) {
				const struct sl_json_member *m =
				    &v->u.members[k];

				if (token_eq(m->key, m->key_len, t, tlen)) {
					found = &m->value;
					break;
				}
			}
			if (found == NULL)
				return NULL;
			v = found;
		} else if (v->type == SL_JSON_ARRAY) {
			size_t idx = 0;

			if (tlen == 0 || (t[0] == '0' && tlen > 1))
				return NULL;
			for (k = 0; k < tlen; k++) {
				if (!is_digit((unsigned char)t[k]))
					return NULL;
				idx = idx * 10 + (size_t)(t[k] - '0');
				if (idx >= v->len)
					return NULL;
			}
			v = &v->u.items[idx];
		} else
			return NULL;
	}
	return v;
}

static const char hexdig[] = "0123456789abcdef";

/* The letter after the backslash for bytes with a two-character escape. */
static const char short_escape[256] = {
	['"'] = '"', ['\\'] = '\\', ['\b'] = 'b', ['\f'] = 'f', ['\n'] = 'n',
	['\r'] = 'r', ['\t'] = 't',
};

void
sl_json_write_string(struct sl_buf *b, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	const unsigned char *p = s, *run_start = s, *end = s + len;
	char e[6];
	size_t elen;

	sl_buf_grow(b, len + 2);
	b->data[b->len++] = '"';
	for (;;) {
		p = skip_unescaped(p, end);
		if (p > run_start)
			sl_buf_add(b, run_start, (size_t)(p - run_start));
		if (p == end)
			break;
		e[0] = '\\';
		if (short_escape[*p] != 0) {
			e[1] = short_escape[*p];
			elen = 2;
		} else {
			e[1] = 'u';
			e[2] = '0';
			e[3] = '0';
			e[4] = hexdig[*p >> 4];
			e[5] = hexdig[*p & 15];
			elen = 6;
		}
		sl_buf_add(b, e, elen);
		run_start = ++p;
	}
	sl_buf_addc(b, '"');
}

/* Bytes that need escaping or a UTF-8 check: '"', '\\', < 0x20, >= 0x7f. */
static const unsigned char special_byte[256] = {
	[0x00 ... 0x1f] = 1, ['"'] = 1, ['\\'] = 1, [0x7f ... 0xff] = 1,
};

/* Does any byte of v need escaping or a UTF-8 check? */
static inline int
special8(uint64_t v)
{
	const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
	uint64_t q = v ^ 0x2222222222222222ULL, bs = v ^ 0x5c5c5c5c5c5c5c5cULL;

	return ((((q - ones) & ~q) | ((bs - ones) & ~bs) |
	    (v - 0x2020202020202020ULL) | (v + ones)) & high) != 0;
}

int
sl_json_write_utf8(struct sl_buf *b, const char *s, size_t len, size_t *bad)
{
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		uint64_t v;

		memcpy(&v, s + i, 8);
		if (special8(v))
			break;
	}
	while (i < len && !special_byte[(unsigned char)s[i]])
		i++;
	if (i == len) {
		sl_buf_grow(b, len + 2);
		b->data[b->len++] = '"';
		memcpy(b->data + b->len, s, len);
		b->len += len;
		b->data[b->len++] = '"';
		b->data[b->len] = '\0';
		return 0;
	}
	if (!sl_utf8_valid(s + i, len - i, bad)) {
		if (bad)
			*bad += i;
		return -1;
	}
	sl_json_write_string(b, s, len);
	return 0;
}

void
sl_json_write(struct sl_buf *b, const struct sl_json *v)
{
	switch (v->type) {
	case SL_JSON_NULL:
		sl_buf_add(b, "null", 4);
		break;
	case SL_JSON_FALSE:
		sl_buf_add(b, "false", 5);
		break;
	case SL_JSON_TRUE:
		sl_buf_add(b, "true", 4);
		break;
	case SL_JSON_NUMBER:
		sl_buf_add(b, v->u.num, v->len);
		break;
	case SL_JSON_STRING:
		sl_json_write_string(b, v->u.str, v->len);
		break;
	case SL_JSON_ARRAY:
		sl_buf_addc(b, '[');
		for (size_t i = 0; i < v->len; i++) {
			if (i > 0)
				sl_buf_addc(b, ',');
			sl_json_write(b, &v->u.items[i]);
		}
		sl_buf_addc(b, ']');
		break;
	case SL_JSON_OBJECT:
		sl_buf_addc(b, '{');
		for (size_t i = 0; i < v->len; i++) {
			const struct sl_json_member *m = &v->u.members[i];

			if (i > 0)
				sl_buf_addc(b, ',');
			sl_json_write_string(b, m->key, m->key_len);
			sl_buf_addc(b, ':');
			sl_json_write(b, &m->value);
		}
		sl_buf_addc(b, '}');
		break;
	}
}

int
sl_json_is_number(const char *str, size_t len)
{
	const unsigned char *p = (const unsigned char *)str;
	const unsigned char *end = p + len;

	if (len == 0)
		return 0;
	if (*p == '-' && ++p == end)
		return 0;
	if (*p == '0')
		p++;
	else if (is_digit(*p)) {
		while (p < end && is_digit(*p))
			p++;
	} else
		return 0;
	if (p < end && *p == '.') {
		if (++p == end || !is_digit(*p))
			return 0;
		while (p < end && is_digit(*p))
			p++;
	}
	if (p < end && (*p | 0x20) == 'e') {
		if (++p < end && (*p == '+' || *p == '-'))
			p++;
		if (p == end || !is_digit(*p))
			return 0;
		while (p < end && is_digit(*p))
			p++;
	}
	return p == end;
}

int
sl_utf8_valid(const char *str, size_t len, size_t *bad)
{
	const unsigned char *s = (const unsigned char *)str;
	const unsigned char *p = s, *end;
	int n;

	if (len == 0)
		return 1;
	end = s + len;
	for (;;) {
		while (end - p >= 16) {
			uint64_t m = (load64(p) | load64(p + 8)) & HIGHS;

			if (m != 0)
				break;
			p += 16;
		}
		while (p < end && *p < 0x80)
			p++;
		if (p == end)
			return 1;
		n = utf8_seq(p, end);
		if (n <= 0) {
			if (bad)
				*bad = (size_t)(p - s);
			return 0;
		}
		p += n;
	}
}

const char *
sl_json_type_name(enum sl_json_type t)
{
	switch (t) {
	case SL_JSON_NULL:
		return "null";
	case SL_JSON_FALSE:
	case SL_JSON_TRUE:
		return "boolean";
	case SL_JSON_NUMBER:
		return "number";
	case SL_JSON_STRING:
		return "string";
	case SL_JSON_ARRAY:
		return "array";
	case SL_JSON_OBJECT:
		return "object";
	}
	return "unknown";
}
