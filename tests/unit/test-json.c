/*
 * test-json.c - unit tests for libcommon/json.c: a table of documents with
 * their expected status and compact form or error, then sl_json_scan,
 * sl_json_get, sl_json_pointer, the writers, and a hostile-input loop that
 * mutates valid documents and checks that the three entry points agree.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "tap.h"
#include "xalloc.h"

#define OK_	SL_JSON_OK
#define BAD	SL_JSON_INVALID
#define MORE	SL_JSON_INCOMPLETE

struct row {
	const char *in;
	size_t len;
	enum sl_json_status st;
	const char *out;	/* OK: compact form (NULL: the input itself) */
	size_t outlen;
	long off;		/* error: offset, -1 for the input's length */
	const char *msg;	/* error: a fragment of the message */
};

/* Accepted; written back as out. */
#define Y(in, out) \
	{ in, sizeof(in) - 1, OK_, out, sizeof(out) - 1, 0, NULL }
/* Accepted; written back unchanged. */
#define YS(in)		{ in, sizeof(in) - 1, OK_, NULL, 0, 0, NULL }
/* Refused as not JSON at byte off. */
#define N(in, off, msg)	{ in, sizeof(in) - 1, BAD, NULL, 0, off, msg }
/* Refused as cut short (offset is the input's length). */
#define I(in, msg)	{ in, sizeof(in) - 1, MORE, NULL, 0, -1, msg }

static const struct row rows[] = {
	/* every type */
	YS("null"),
	YS("true"),
	YS("false"),
	YS("0"),
	YS("\"\""),
	YS("\"abc\""),
	YS("[]"),
	YS("{}"),
	YS("[null,true,false,0,\"\",[],{}]"),
	YS("{\"a\":null,\"b\":true,\"c\":false,\"d\":1,\"e\":\"x\","
	    "\"f\":[],\"g\":{}}"),
	/* nesting and whitespace */
	YS("[[[]]]"),
	YS("[[1,[2,[3]]],{\"a\":[{\"b\":{}}]}]"),
	YS("{\"a\":{\"b\":{\"c\":[1,{\"d\":[]}]}}}"),
	Y(" [ 1 , 2 ] ", "[1,2]"),
	Y("\t\r\n{ \"a\" :\t[ true ,\n{ \"b\" : null } ] }\r\n",
	    "{\"a\":[true,{\"b\":null}]}"),
	Y(" \t\r\n1 \t\r\n", "1"),
	Y("[ ]", "[]"),
	Y("{ }", "{}"),
	N("\f1", 0, "expected a JSON value"),
	N("\v1", 0, "expected a JSON value"),
	N("1\f", 1, "trailing characters after JSON value"),
	N("[1,\v2]", 3, "expected a JSON value"),
	N("\xc2\xa0" "1", 0, "expected a JSON value"),
	N("[1\x00]", 2, "expected ',' or ']' after array element"),
	/* numbers */
	YS("12345678901234567890"),
	YS("-12345678901234567890123456789"),
	YS("-0"),
	YS("-0.0"),
	YS("1e+5"),
	YS("1E5"),
	YS("1e-5"),
	YS("0.5e-3"),
	YS("0e0"),
	YS("123.456E+789"),
	YS("1e99999999999999999999999999999"),
	YS("-1e-99999999999999999999999999999"),
	YS("0.00000000000000000000000000000000000001"),
	YS("[1,-1,0.5,-0.5,1e1]"),
	N("01", 1, "leading zero in number"),
	N("-01", 2, "leading zero in number"),
	N("00", 1, "leading zero in number"),
	N("[007]", 2, "leading zero in number"),
	I("1.", "truncated number"),
	N("[1.]", 3, "expected digit after '.' in number"),
	N("1.e5", 2, "expected digit after '.' in number"),
	N(".5", 0, "expected a JSON value"),
	N("+1", 0, "expected a JSON value"),
	I("-", "truncated number"),
	N("-a", 1, "expected digit after '-'"),
	N("--1", 1, "expected digit after '-'"),
	N("- 1", 1, "expected digit after '-'"),
	I("1e", "truncated number"),
	I("1e+", "truncated number"),
	N("[1e]", 3, "expected digit in exponent"),
	N("1ea", 2, "expected digit in exponent"),
	N("1e+-1", 3, "expected digit in exponent"),
	N("0x10", 1, "trailing characters after JSON value"),
	N("1.5.3", 3, "trailing characters after JSON value"),
	N("Infinity", 0, "expected a JSON value"),
	N("-Infinity", 1, "expected digit after '-'"),
	N("NaN", 0, "expected a JSON value"),
	N("1 000", 2, "trailing characters after JSON value"),
	/* strings: escapes */
	Y("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\\"\\\\/\\b\\f\\n\\r\\t\""),
	Y("\"\\u0041\\u00e9\\u20AC\"", "\"A\xc3\xa9\xe2\x82\xac\""),
	Y("\"\\u0000\"", "\"\\u0000\""),
	Y("\"a\\u0000b\"", "\"a\\u0000b\""),
	Y("\"\\u001f\\u001F\\u0001\"", "\"\\u001f\\u001f\\u0001\""),
	Y("\"\\u007f\"", "\"\x7f\""),
	Y("\"\\u2028\\u2029\"", "\"\xe2\x80\xa8\xe2\x80\xa9\""),
	Y("\"\\ud83d\\ude00\"", "\"\xf0\x9f\x98\x80\""),
	Y("\"\\uD834\\uDD1E\"", "\"\xf0\x9d\x84\x9e\""),
	Y("\"\\udbff\\udfff\"", "\"\xf4\x8f\xbf\xbf\""),
	Y("\"\\ud800\\udc00\"", "\"\xf0\x90\x80\x80\""),
	Y("\"\\uffff\"", "\"\xef\xbf\xbf\""),
	Y("\"\\/\"", "\"/\""),
	YS("\"\x7f\""),
	YS("\"\xe2\x80\xa8\""),
	N("\"\\ud800\"", 1, "lone surrogate \\ud800 in string"),
	N("\"\\uDBFF\"", 1, "lone surrogate \\udbff in string"),
	N("\"\\udc00\"", 1, "lone surrogate \\udc00 in string"),
	N("\"\\udfff\"", 1, "lone surrogate \\udfff in string"),
	N("\"\\ud800\\u0041\"", 1, "lone surrogate \\ud800 in string"),
	N("\"\\ud800\\ud800\"", 1, "lone surrogate \\ud800 in string"),
	N("\"\\udc00\\ud800\"", 1, "lone surrogate \\udc00 in string"),
	N("\"x\\ud800y\"", 2, "lone surrogate \\ud800 in string"),
	N("\"\\ud800\\n\"", 1, "lone surrogate \\ud800 in string"),
	I("\"\\ud800", "unterminated string"),
	I("\"\\ud800\\", "unterminated string"),
	I("\"\\ud800\\udc", "unterminated string"),
	N("\"\\x\"", 2, "invalid escape in string"),
	N("\"\\U0041\"", 2, "invalid escape in string"),
	N("\"\\'\"", 2, "invalid escape in string"),
	N("\"\\a\"", 2, "invalid escape in string"),
	N("\"\\u12g4\"", 5, "invalid \\u escape in string"),
	N("\"\\u\"", 3, "invalid \\u escape in string"),
	I("\"\\u12", "unterminated string"),
	I("\"\\", "unterminated string"),
	/* strings: raw control characters */
	N("\"a\tb\"", 2, "unescaped control character in string"),
	N("\"\x01\"", 1, "unescaped control character in string"),
	N("\"\x1f\"", 1, "unescaped control character in string"),
	N("\"\n\"", 1, "unescaped control character in string"),
	N("\"\x00\"", 1, "unescaped control character in string"),
	N("\"0123456789\r\"", 11, "unescaped control character in string"),
	/* strings: UTF-8 */
	YS("\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\""),
	YS("\"\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf\""),
	YS("\"\xed\x9f\xbf\xee\x80\x80\xf0\x90\x80\x80\xf4\x8f\xbf\xbf\""),
	YS("\"long enough to take the fast path: "
	    "\xc3\xa9t\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac\""),
	N("\"\xc0\x80\"", 1, "invalid UTF-8 in string"),
	N("\"\xc1\xbf\"", 1, "invalid UTF-8 in string"),
	N("\"\xe0\x80\x80\"", 1, "invalid UTF-8 in string"),
	N("\"\xe0\x9f\xbf\"", 1, "invalid UTF-8 in string"),
	N("\"\xf0\x80\x80\x80\"", 1, "invalid UTF-8 in string"),
	N("\"\xf0\x8f\xbf\xbf\"", 1, "invalid UTF-8 in string"),
	N("\"\xed\xa0\x80\"", 1, "invalid UTF-8 in string"),
	N("\"\xed\xbf\xbf\"", 1, "invalid UTF-8 in string"),
	N("\"\xf4\x90\x80\x80\"", 1, "invalid UTF-8 in string"),
	N("\"\xf5\x80\x80\x80\"", 1, "invalid UTF-8 in string"),
	N("\"\xf8\x88\x80\x80\x80\"", 1, "invalid UTF-8 in string"),
	N("\"\xfc\x84\x80\x80\x80\x80\"", 1, "invalid UTF-8 in string"),
	N("\"\xfe\"", 1, "invalid UTF-8 in string"),
	N("\"\xff\"", 1, "invalid UTF-8 in string"),
	N("\"\xc3\"", 1, "invalid UTF-8 in string"),
	N("\"\xe2\x82\"", 1, "invalid UTF-8 in string"),
	N("\"\xf0\x9f\x98\"", 1, "invalid UTF-8 in string"),
	N("\"\xc3" "a\"", 1, "invalid UTF-8 in string"),
	N("\"\x80\"", 1, "invalid UTF-8 in string"),
	N("\"\xbf\"", 1, "invalid UTF-8 in string"),
	N("\"ab\xc3\xa9\x80\"", 5, "invalid UTF-8 in string"),
	N("\"abcdefghijkl\xe9t\xe9\"", 13, "invalid UTF-8 in string"),
	I("\"\xe2\x82", "unterminated string"),
	I("\"\xf0", "unterminated string"),
	N("\"\xe0\x80", 1, "invalid UTF-8 in string"),
	N("\xc3\xa9", 0, "expected a JSON value"),
	N("{\"\xc0\xaf\":1}", 2, "invalid UTF-8 in string"),
	/* unterminated strings */
	I("\"", "unterminated string"),
	I("\"abc", "unterminated string"),
	I("\"abcdefghijklmnopqrstuvwxyz", "unterminated string"),
	I("[\"a", "unterminated string"),
	/* trailing garbage, BOM, empty input */
	N("1 2", 2, "trailing characters after JSON value"),
	N("{} x", 3, "trailing characters after JSON value"),
	N("[]]", 2, "trailing characters after JSON value"),
	N("nulll", 4, "trailing characters after JSON value"),
	N("\"a\"\"b\"", 3, "trailing characters after JSON value"),
	N("[1]\x00", 3, "trailing characters after JSON value"),
	N("\xef\xbb\xbf{}", 0, "byte order mark not allowed"),
	N("\xef\xbb\xbf", 0, "byte order mark not allowed"),
	N(" \xef\xbb\xbf{}", 1, "expected a JSON value"),
	I("", "no JSON value"),
	I(" ", "no JSON value"),
	I(" \t\r\n", "no JSON value"),
	/* literals */
	I("tru", "truncated literal"),
	I("n", "truncated literal"),
	I("fals", "truncated literal"),
	N("trUe", 2, "invalid literal"),
	I("nul", "truncated literal"),
	N("True", 0, "expected a JSON value"),
	N("nan", 1, "invalid literal"),
	N("[tru]", 4, "invalid literal"),
	/* structure */
	I("{\"a\":", "unterminated object"),
	N("{\"a\":]", 5, "expected a JSON value"),
	N("{\"a\"}", 4, "expected ':' after object key"),
	N("{\"a\" 1}", 5, "expected ':' after object key"),
	N("{\"a\":1,}", 7, "expected string as object key"),
	N("{1:1}", 1, "expected string as object key"),
	N("{'a':1}", 1, "expected string as object key"),
	N("{\"a\":1 \"b\":2}", 7, "expected ',' or '}' after object member"),
	N("{\"a\":1]", 6, "expected ',' or '}' after object member"),
	N("[1}", 2, "expected ',' or ']' after array element"),
	N("[1 2]", 3, "expected ',' or ']' after array element"),
	N("[,1]", 1, "expected a JSON value"),
	N("[1,]", 3, "expected a JSON value"),
	N("[1,,2]", 3, "expected a JSON value"),
	N("]", 0, "expected a JSON value"),
	N("}", 0, "expected a JSON value"),
	N(":", 0, "expected a JSON value"),
	N("{\"a\"::1}", 5, "expected a JSON value"),
	I("{\"a\":1", "unterminated object"),
	I("{\"a\":1,", "unterminated object"),
	I("{\"a\"", "unterminated object"),
	I("{", "unterminated object"),
	I("[", "unterminated array"),
	I("[1,", "unterminated array"),
	I("[1", "unterminated array"),
	I("[[[]]", "unterminated array"),
	I("{\"a", "unterminated string"),
	/* duplicate keys are kept in order */
	YS("{\"a\":1,\"a\":2}"),
	YS("{\"\":0,\"a\\u0000b\":1}"),
};

/* A printable rendering of s[0..len) for test names (static storage). */
static const char *
show(const char *s, size_t len)
{
	static char out[4][120];
	static int k;
	char *o = out[k++ & 3], *e = o + 100;
	char *start = o;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (o >= e) {
			strcpy(o, "...");
			return start;
		}
		if (c >= 0x20 && c < 0x7f && c != '\\')
			*o++ = (char)c;
		else if (c == '\\') {
			*o++ = '\\';
			*o++ = '\\';
		} else
			o += sprintf(o, "\\x%02x", c);
	}
	*o = '\0';
	return start;
}

/* The compact form of v (static storage, reused by each call). */
static const char *
written(const struct sl_json *v, size_t *len)
{
	static struct sl_buf b = SL_BUF_INIT;

	sl_buf_reset(&b);
	sl_json_write(&b, v);
	*len = b.len;
	return b.data;
}

static void
test_rows(void)
{
	struct sl_arena a = SL_ARENA_INIT;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		struct sl_json v;
		struct sl_json_error e1, e2;
		enum sl_json_status st, cst;
		char *copy = sl_malloc(r->len + 1);
		const char *name = show(r->in, r->len);
		int good;

		/* A tight copy, so that ASan sees any read past the end. */
		memcpy(copy, r->in, r->len);
		sl_arena_reset(&a);
		memset(&e1, 0, sizeof(e1));
		memset(&e2, 0, sizeof(e2));
		st = sl_json_parse(&a, copy, r->len, &v, &e1);
		cst = sl_json_check(copy, r->len, &e2);
		good = st == r->st && cst == st;
		if (good && st == OK_) {
			const char *want = r->out ? r->out : r->in;
			size_t wlen = r->out ? r->outlen : r->len, glen;
			const char *got;

			/* The input buffer may be reused after parsing. */
			memset(copy, 'X', r->len);
			got = written(&v, &glen);
			good = glen == wlen && memcmp(got, want, glen) == 0;
			if (!good)
				tap_diag("wrote '%s'", show(got, glen));
		} else if (good) {
			size_t off = r->off < 0 ? r->len : (size_t)r->off;

			good = e1.offset == off && e2.offset == off &&
			    strcmp(e1.msg, e2.msg) == 0 &&
			    (r->msg == NULL || strstr(e1.msg, r->msg) != NULL);
			if (!good)
				tap_diag("error at %zu: %s (check: %zu: %s)",
				    e1.offset, e1.msg, e2.offset, e2.msg);
		} else
			tap_diag("status %d, check %d, error at %zu: %s", st,
			    cst, e1.offset, e1.msg);
		ok(good, "%s '%s'", r->st == OK_ ? "accepts" : r->st == BAD ?
		    "refuses" : "incomplete", name);
		free(copy);
	}
	sl_arena_release(&a);
}

static void
test_values(void)
{
	struct sl_arena a = SL_ARENA_INIT;
	struct sl_json v;
	const struct sl_json *x;
	static const char doc[] = "{\"n\":-12.5e3,\"s\":\"a\\u0000b\","
	    "\"a\":[1,2,3],\"a\":{\"k\":true},\"e\":\"\"}";
	static const char big[] = "123456789012345678901234567890";

	is_int(sl_json_parse(&a, doc, sizeof(doc) - 1, &v, NULL), OK_,
	    "parse a record");
	is_int(v.type, SL_JSON_OBJECT, "record is an object");
	is_int(v.len, 5, "duplicate keys are all kept");
	is_str(v.u.members[2].key, "a", "member 2 is the first 'a'");
	is_int(v.u.members[2].value.type, SL_JSON_ARRAY,
	    "first 'a' is the array");
	x = sl_json_get(&v, "a", 1);
	ok(x != NULL && x->type == SL_JSON_OBJECT,
	    "sl_json_get returns the last duplicate");
	ok(x == &v.u.members[3].value, "... pointing into the document");
	ok(sl_json_get(&v, "zz", 2) == NULL, "sl_json_get: missing key");
	ok(sl_json_get(&v, "", 0) == NULL, "sl_json_get: missing empty key");
	ok(sl_json_get(&v.u.members[2].value, "a", 1) == NULL,
	    "sl_json_get on an array");
	ok(sl_json_get(NULL, "a", 1) == NULL, "sl_json_get on NULL");
	x = sl_json_get(&v, "n", 1);
	ok(x && x->type == SL_JSON_NUMBER && x->len == 7 &&
	    strcmp(x->u.num, "-12.5e3") == 0, "number text kept as written");
	x = sl_json_get(&v, "s", 1);
	ok(x && x->type == SL_JSON_STRING && x->len == 3 &&
	    memcmp(x->u.str, "a\0b", 4) == 0,
	    "\\u0000 gives an embedded NUL and len 3");
	x = sl_json_get(&v, "e", 1);
	ok(x && x->type == SL_JSON_STRING && x->len == 0 && x->u.str[0] == '\0',
	    "empty string is NUL-terminated");

	is_int(sl_json_parse(&a, big, sizeof(big) - 1, &v, NULL), OK_,
	    "parse a 30-digit integer");
	ok(v.type == SL_JSON_NUMBER && v.len == 30 && strcmp(v.u.num, big) == 0,
	    "30-digit integer kept byte for byte");

	is_str(sl_json_type_name(SL_JSON_NULL), "null", "type name null");
	is_str(sl_json_type_name(SL_JSON_TRUE), "boolean", "type name true");
	is_str(sl_json_type_name(SL_JSON_FALSE), "boolean", "type name false");
	is_str(sl_json_type_name(SL_JSON_NUMBER), "number", "type name number");
	is_str(sl_json_type_name(SL_JSON_STRING), "string", "type name string");
	is_str(sl_json_type_name(SL_JSON_ARRAY), "array", "type name array");
	is_str(sl_json_type_name(SL_JSON_OBJECT), "object", "type name object");
	sl_arena_release(&a);
}

/* Large containers overflow the parser's local stacks onto the heap. */
static void
test_large(void)
{
	struct sl_arena a = SL_ARENA_INIT;
	struct sl_buf in = SL_BUF_INIT;
	struct sl_json v;
	const char *out;
	size_t olen;
	int i;

	sl_buf_adds(&in, "[");
	for (i = 0; i < 5000; i++) {
		sl_buf_addf(&in, "%s{\"k%d\":[%d,\"v\",{\"x\":[]}],\"o\":{", i ?
		    "," : "", i, i);
		for (int k = 0; k < i % 100; k++)
			sl_buf_addf(&in, "%s\"m%d\":%d", k ? "," : "", k, k);
		sl_buf_adds(&in, "}}");
	}
	sl_buf_adds(&in, "]");
	is_int(sl_json_parse(&a, in.data, in.len, &v, NULL), OK_,
	    "parse 5000 objects with up to 99 members");
	ok(v.type == SL_JSON_ARRAY && v.len == 5000, "... 5000 elements");
	ok(v.u.items[4999].u.members[1].value.len == 99, "... 99 members");
	out = written(&v, &olen);
	ok(olen == in.len && memcmp(out, in.data, olen) == 0,
	    "... written back unchanged");
	is_int(sl_json_check(in.data, in.len, NULL), OK_, "... checks");
	sl_buf_release(&in);
	sl_arena_release(&a);
}

static void
test_depth(void)
{
	struct sl_arena a = SL_ARENA_INIT;
	size_t n = 100000;
	char *s = sl_malloc(3 * n);
	struct sl_json_error e;
	struct sl_json v;
	const struct sl_json *x;
	int d;

	for (d = SL_JSON_MAX_DEPTH; d <= SL_JSON_MAX_DEPTH + 1; d++) {
		int obj;

		for (obj = 0; obj < 2; obj++) {
			size_t len = 0, deep_off = 0;
			enum sl_json_status want = d <= SL_JSON_MAX_DEPTH ?
			    OK_ : BAD;

			for (int i = 0; i < d; i++) {
				if (i == SL_JSON_MAX_DEPTH)
					deep_off = len;
				if (obj && i % 2 && i != d - 1) {
					memcpy(s + len, "{\"\":", 4);
					len += 4;
				} else
					s[len++] = '[';
			}
			for (int i = d - 1; i >= 0; i--)
				s[len++] = obj && i % 2 && i != d - 1 ?
				    '}' : ']';
			sl_arena_reset(&a);
			is_int(sl_json_parse(&a, s, len, &v, &e), want,
			    "parse: depth %d%s", d, obj ? " (mixed)" : "");
			is_int(sl_json_check(s, len, &e), want,
			    "check: depth %d%s", d, obj ? " (mixed)" : "");
			if (want != OK_) {
				ok(strcmp(e.msg,
				    "nesting deeper than 1024") == 0,
				    "message: %s", e.msg);
				is_int(e.offset, deep_off,
				    "offset of the innermost opener");
			} else {
				size_t olen;
				const char *out = written(&v, &olen);

				ok(olen == len && memcmp(out, s, len) == 0,
				    "depth %d written back", d);
			}
		}
	}
	/* A pointer walk down 1024 levels. */
	memset(s, '[', SL_JSON_MAX_DEPTH);
	memset(s + SL_JSON_MAX_DEPTH, ']', SL_JSON_MAX_DEPTH);
	sl_arena_reset(&a);
	sl_json_parse(&a, s, 2 * SL_JSON_MAX_DEPTH, &v, NULL);
	{
		struct sl_buf p = SL_BUF_INIT;

		for (d = 0; d < SL_JSON_MAX_DEPTH - 1; d++)
			sl_buf_adds(&p, "/0");
		x = sl_json_pointer(&v, p.data, p.len);
		ok(x && x->type == SL_JSON_ARRAY && x->len == 0,
		    "pointer /0/0/... down 1023 levels");
		sl_buf_release(&p);
	}
	/* 100000 openers: refused at the 1025th, no stack overflow. */
	memset(s, '[', n);
	is_int(sl_json_check(s, n, &e), BAD, "100000 '[': check refuses");
	is_int(e.offset, SL_JSON_MAX_DEPTH, "... at the 1025th");
	is_int(sl_json_parse(&a, s, n, &v, &e), BAD,
	    "100000 '[': parse refuses");
	for (size_t i = 0; i < n / 2; i++)
		memcpy(s + 5 * i, "{\"a\":", 5);
	is_int(sl_json_check(s, 5 * (n / 2), &e), BAD,
	    "50000 '{\"a\":': refused");
	is_int(e.offset, 5 * SL_JSON_MAX_DEPTH, "... at the 1025th");
	free(s);
	sl_arena_release(&a);
}

struct scan_row {
	const char *in;
	size_t len;
	int at_eof;
	enum sl_json_status st;
	size_t start, end;	/* OK: the span; otherwise the error offset */
};

#define S(in, eof, st, a, b)	{ in, sizeof(in) - 1, eof, st, a, b }

static const struct scan_row scan_rows[] = {
	S("[1,2]", 0, OK_, 0, 5),
	S("  {\"a\":1}  ,{\"b\"", 0, OK_, 2, 9),
	S("{\"a\":1}{\"b\":2}", 0, OK_, 0, 7),
	S("\n\"x\",", 0, OK_, 1, 4),
	S("true,", 0, OK_, 0, 4),
	S("true", 0, OK_, 0, 4),
	S("null]", 0, OK_, 0, 4),
	S("123", 0, MORE, 0, 3),
	S("123", 1, OK_, 0, 3),
	S(" -0.5e7", 0, MORE, 0, 7),
	S(" -0.5e7", 1, OK_, 1, 7),
	S("123 ", 0, OK_, 0, 3),
	S("123,", 0, OK_, 0, 3),
	S("123]", 0, OK_, 0, 3),
	S("1.", 1, MORE, 0, 2),
	S("-", 1, MORE, 0, 1),
	S("1e", 0, MORE, 0, 2),
	S("1e+", 1, MORE, 0, 3),
	S("1x", 0, OK_, 0, 1),
	S("01", 0, BAD, 0, 1),
	S("[1,2", 0, MORE, 0, 4),
	S("[1,2", 1, MORE, 0, 4),
	S("{\"a\":", 1, MORE, 0, 5),
	S("{\"a\":]", 1, BAD, 0, 5),
	S("{\"a\":\"b", 0, MORE, 0, 7),
	S("{\"a\":\"\xe2\x82", 0, MORE, 0, 8),
	S("{\"a\":\"\xe2\x28", 0, BAD, 0, 6),
	S("tr", 0, MORE, 0, 2),
	S("tx", 0, BAD, 0, 1),
	S("", 0, MORE, 0, 0),
	S("   ", 1, MORE, 0, 3),
	S("]", 0, BAD, 0, 0),
	S(",1", 0, BAD, 0, 0),
	S("[1,]", 0, BAD, 0, 3),
	S("\xef\xbb\xbf[]", 0, BAD, 0, 0),
};

static void
test_scan(void)
{
	for (size_t i = 0; i < sizeof(scan_rows) / sizeof(scan_rows[0]); i++) {
		const struct scan_row *r = &scan_rows[i];
		struct sl_json_error e;
		size_t s = 99, en = 99;
		enum sl_json_status st;
		char *copy = sl_malloc(r->len + 1);
		int good;

		memcpy(copy, r->in, r->len);
		memset(&e, 0, sizeof(e));
		st = sl_json_scan(copy, r->len, r->at_eof, &s, &en, &e);
		if (st == OK_)
			good = r->st == OK_ && s == r->start && en == r->end;
		else
			good = r->st == st && e.offset == r->end;
		if (!good)
			tap_diag("status %d, span %zu..%zu, error at %zu: %s",
			    st, s, en, e.offset, e.msg);
		ok(good, "scan '%s' at_eof=%d", show(r->in, r->len), r->at_eof);
		free(copy);
	}
}

/* Streams a JSON array element by element, as a reader of huge arrays would. */
static void
test_scan_stream(void)
{
	static const char doc[] = "[ {\"id\":1,\"t\":[1,2]} , 22 ,\"x\\\"]\","
	    "[],{},null,-1.5e3 ]";
	static const char *want[] = { "{\"id\":1,\"t\":[1,2]}", "22",
	    "\"x\\\"]\"", "[]", "{}", "null", "-1.5e3" };
	size_t off = 1, n = 0, s, e, len = sizeof(doc) - 1;
	int good = 1;

	for (;;) {
		enum sl_json_status st = sl_json_scan(doc + off, len - off, 0,
		    &s, &e, NULL);

		if (st != OK_ || n >= 7 || e - s != strlen(want[n]) ||
		    memcmp(doc + off + s, want[n], e - s) != 0) {
			good = 0;
			break;
		}
		n++;
		off += e;
		while (doc[off] == ' ')
			off++;
		if (doc[off] == ']')
			break;
		if (doc[off] != ',') {
			good = 0;
			break;
		}
		off++;
	}
	ok(good && n == 7, "scan streams the 7 elements of an array");

	/* Every proper prefix of an element is incomplete, never invalid. */
	for (size_t k = 0; k < len; k++) {
		enum sl_json_status st = sl_json_scan(doc, k, 0, &s, &e, NULL);

		if (st != MORE) {
			good = 0;
			tap_diag("prefix %zu: status %d", k, st);
		}
	}
	ok(good, "every proper prefix of an array is incomplete");
}

static void
test_pointer(void)
{
	/* RFC 6901, section 5. */
	static const char doc[] = "{\n"
	    "  \"foo\": [\"bar\", \"baz\"],\n"
	    "  \"\": 0,\n"
	    "  \"a/b\": 1,\n"
	    "  \"c%d\": 2,\n"
	    "  \"e^f\": 3,\n"
	    "  \"g|h\": 4,\n"
	    "  \"i\\\\j\": 5,\n"
	    "  \"k\\\"l\": 6,\n"
	    "  \" \": 7,\n"
	    "  \"m~n\": 8\n"
	    "}";
	static const struct {
		const char *ptr, *want;
	} cases[] = {
		{ "", "{\"foo\":[\"bar\",\"baz\"],\"\":0,\"a/b\":1,\"c%d\":2,"
		    "\"e^f\":3,\"g|h\":4,\"i\\\\j\":5,\"k\\\"l\":6,\" \":7,"
		    "\"m~n\":8}" },
		{ "/foo", "[\"bar\",\"baz\"]" },
		{ "/foo/0", "\"bar\"" },
		{ "/", "0" },
		{ "/a~1b", "1" },
		{ "/c%d", "2" },
		{ "/e^f", "3" },
		{ "/g|h", "4" },
		{ "/i\\j", "5" },
		{ "/k\"l", "6" },
		{ "/ ", "7" },
		{ "/m~0n", "8" },
		{ "/foo/1", "\"baz\"" },
		/* not resolving or malformed */
		{ "/foo/2", NULL },
		{ "/foo/-", NULL },
		{ "/foo/01", NULL },
		{ "/foo/00", NULL },
		{ "/foo/+1", NULL },
		{ "/foo/1a", NULL },
		{ "/foo/", NULL },
		{ "/foo/99999999999999999999999", NULL },
		{ "/foo/0/x", NULL },
		{ "/m~n", NULL },
		{ "/m~2n", NULL },
		{ "/m~", NULL },
		{ "/a/b", NULL },
		{ "/nope", NULL },
		{ "foo", NULL },
		{ "#/foo", NULL },
		{ "//", NULL },
	};
	struct sl_arena a = SL_ARENA_INIT;
	struct sl_json v;

	is_int(sl_json_parse(&a, doc, sizeof(doc) - 1, &v, NULL), OK_,
	    "parse the RFC 6901 example");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct sl_json *x = sl_json_pointer(&v, cases[i].ptr,
		    strlen(cases[i].ptr));
		size_t len;

		if (cases[i].want == NULL)
			ok(x == NULL, "pointer \"%s\" does not resolve",
			    cases[i].ptr);
		else
			is_str(x ? written(x, &len) : NULL, cases[i].want,
			    "pointer \"%s\"", cases[i].ptr);
	}
	{
		static const char d2[] = "{\"a\":{\"\":[5,{\"x\\u0000y\":6}]},"
		    "\"a\":{\"\":[7]}}";
		const struct sl_json *x;
		size_t len;

		sl_json_parse(&a, d2, sizeof(d2) - 1, &v, NULL);
		x = sl_json_pointer(&v, "/a//0", 5);
		is_str(x ? written(x, &len) : NULL, "7",
		    "pointer takes the last duplicate, empty token");
		ok(sl_json_pointer(&v, "/a//1", 5) == NULL,
		    "... and does not fall back to the first");
		x = sl_json_pointer(&v, "/a", 2);
		ok(x && x->type == SL_JSON_OBJECT, "pointer /a");
		sl_json_parse(&a, "[[0,1],[2,[3,4]]]", 17, &v, NULL);
		x = sl_json_pointer(&v, "/1/1/0", 6);
		is_str(x ? written(x, &len) : NULL, "3", "pointer /1/1/0");
		sl_json_parse(&a, "{\"x\\u0000y\":6}", 14, &v, NULL);
		x = sl_json_pointer(&v, "/x\0y", 4);
		is_str(x ? written(x, &len) : NULL, "6",
		    "pointer with an embedded NUL");
		ok(sl_json_pointer(&v, "/x", 2) == NULL,
		    "... needs the whole key");
	}
	sl_arena_release(&a);
}

static void
test_write_string(void)
{
	static const struct {
		const char *in;
		size_t len;
		const char *want;
	} cases[] = {
#define WS(in, want)	{ in, sizeof(in) - 1, want }
		WS("", "\"\""),
		WS("plain", "\"plain\""),
		WS("q\"b\\s/", "\"q\\\"b\\\\s/\""),
		WS("\b\f\n\r\t", "\"\\b\\f\\n\\r\\t\""),
		WS("\x01\x1f\x0b\x00z", "\"\\u0001\\u001f\\u000b\\u0000z\""),
		WS("\x7f", "\"\x7f\""),
		WS("\xc3\xa9\xe2\x80\xa8\xe2\x80\xa9\xf0\x9f\x98\x80",
		    "\"\xc3\xa9\xe2\x80\xa8\xe2\x80\xa9\xf0\x9f\x98\x80\""),
		WS("a long run of plain text, then \"a quote\" and a\ttab",
		    "\"a long run of plain text, then \\\"a quote\\\" "
		    "and a\\ttab\""),
		WS("0123456789abcdef\n0123456789abcdef\x1e",
		    "\"0123456789abcdef\\n0123456789abcdef\\u001e\""),
#undef WS
	};
	struct sl_buf b = SL_BUF_INIT;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		sl_buf_reset(&b);
		sl_buf_adds(&b, "<");
		sl_json_write_string(&b, cases[i].in, cases[i].len);
		is_str(b.data + 1, cases[i].want, "write_string '%s'",
		    show(cases[i].in, cases[i].len));
	}
	/* Every byte value once. */
	{
		char all[256];
		struct sl_arena a = SL_ARENA_INIT;
		struct sl_json v;
		int good;

		for (int c = 0; c < 256; c++)
			all[c] = (char)(c < 0x80 ? c : 'x');
		sl_buf_reset(&b);
		sl_json_write_string(&b, all, 128);
		good = sl_json_parse(&a, b.data, b.len, &v, NULL) == OK_ &&
		    v.type == SL_JSON_STRING && v.len == 128 &&
		    memcmp(v.u.str, all, 128) == 0;
		ok(good, "write_string of every ASCII byte parses back");
		sl_arena_release(&a);
	}
	sl_buf_release(&b);
}

static void
test_is_number(void)
{
	static const char *yes[] = { "0", "-0", "1", "-1", "10", "0.5", "-0.5",
	    "1e5", "1E5", "1e+5", "1e-5", "1.5e10", "12345678901234567890",
	    "0e0", "0.0e-0" };
	static const char *no[] = { "", "-", "+1", "01", "-01", "1.", ".5",
	    "1e", "1e+", "1.e5", "0x1", "1 ", " 1", "1,", "NaN", "Infinity",
	    "--1", "1e5.0", "1ee5" };

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		ok(sl_json_is_number(yes[i], strlen(yes[i])),
		    "is_number '%s'", yes[i]);
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		ok(!sl_json_is_number(no[i], strlen(no[i])),
		    "not is_number '%s'", no[i]);
	ok(!sl_json_is_number("1\0", 2), "not is_number '1\\0'");
}

static void
test_utf8(void)
{
	static const struct {
		const char *s;
		size_t len;
		int valid;
		size_t bad;
	} cases[] = {
		{ "", 0, 1, 0 },
		{ "plain ascii", 11, 1, 0 },
		{ "\x00\x7f", 2, 1, 0 },
		{ "\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf", 10, 1, 0 },
		{ "\xed\x9f\xbf\xee\x80\x80\xf0\x90\x80\x80\xf4\x8f\xbf\xbf",
		    14, 1, 0 },
		{ "abc\xc0\x80", 5, 0, 3 },
		{ "\xc1\xbf", 2, 0, 0 },
		{ "\xe0\x80\x80", 3, 0, 0 },
		{ "\xe0\x9f\xbf", 3, 0, 0 },
		{ "\xf0\x80\x80\x80", 4, 0, 0 },
		{ "\xf0\x8f\xbf\xbf", 4, 0, 0 },
		{ "a\xed\xa0\x80", 4, 0, 1 },
		{ "\xed\xbf\xbf", 3, 0, 0 },
		{ "\xf4\x90\x80\x80", 4, 0, 0 },
		{ "\xf5\x80\x80\x80", 4, 0, 0 },
		{ "\xff", 1, 0, 0 },
		{ "\x80", 1, 0, 0 },
		{ "ab\xc3\xa9\xbf", 5, 0, 4 },
		{ "\xc3", 1, 0, 0 },
		{ "xy\xe2\x82", 4, 0, 2 },
		{ "\xf0\x9f\x98", 3, 0, 0 },
		{ "\xe2\x82x", 3, 0, 0 },
		{ "0123456789abcdef0123456789abcdef\xc3\xa9"
		    "0123456789abcdef\xe9", 51, 0, 50 },
		{ "0123456789abcdef0123456789abcdef0123456789", 42, 1, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t bad = 12345;
		char *copy = sl_malloc(cases[i].len + 1);
		int v;

		memcpy(copy, cases[i].s, cases[i].len);
		v = sl_utf8_valid(copy, cases[i].len, &bad);
		ok(v == cases[i].valid && (v || bad == cases[i].bad),
		    "utf8_valid '%s' = %d (bad %zu)",
		    show(cases[i].s, cases[i].len), v, v ? 0 : bad);
		free(copy);
	}
	ok(sl_utf8_valid(NULL, 0, NULL), "utf8_valid of nothing");
}

#define rng tap_rand  /* tap.h */

static const char *seeds[] = {
	"{\"id\":123,\"name\":\"Ada, Countess\","
	    "\"email\":\"ada@example.org\",\"segment\":\"gold\",\"age\":36,"
	    "\"income\":52000.50,\"score\":-0.3,"
	    "\"signup_ts\":\"2025-03-01T10:00:00Z\",\"note\":null,"
	    "\"vip\":true}",
	"[1, -0, 0.5e-3, 1E+5, 12345678901234567890, true, false, null]",
	"{\"a\":[{\"b\":{\"c\":[[],{},\"\"]}}],\"a\":2}",
	"\"esc \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u0000 \\u00e9 "
	    "\\ud83d\\ude00\"",
	"\"utf-8: \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xed\x9f\xbf "
	    "\xf4\x8f\xbf\xbf\"",
	" [ { } , [ ] , { \"k\" : [ 1 , 2 ] } ]\n",
	"[[[[[[[[[[[[[[[[\"deep\"]]]]]]]]]]]]]]]]",
	"{\"\":\"\",\"\\u0041\":[\"x\",\"yy\",\"zzz\"],\"n\":-1.25e-7}",
	"-1234.5678e+90",
	"[\"a long string that is longer than sixteen bytes\",\"another\"]",
};

/* Applies 1 to 4 random edits to d[0..*len) (capacity cap). */
static void
mutate(unsigned char *d, size_t *len, size_t cap)
{
	static const unsigned char interesting[] = "\"\\[]{}:,0-.eE+ \t\r\n"
	    "tfnu\x00\x1f\x7f\x80\xbf\xc0\xc2\xdf\xe0\xed\xef\xf0\xf4\xf5\xff";
	int edits = 1 + (int)(rng() % 4);

	for (int i = 0; i < edits; i++) {
		uint64_t r = rng();
		size_t pos = *len ? (size_t)(r >> 32) % *len : 0;
		unsigned char c = (r & 8) ? interesting[(r >> 8) %
		    (sizeof(interesting) - 1)] : (unsigned char)(r >> 16);

		switch (r % 7) {
		case 0:		/* flip a bit */
			if (*len)
				d[pos] ^= (unsigned char)(1 << ((r >> 4) & 7));
			break;
		case 1:		/* replace */
		case 2:
			if (*len)
				d[pos] = c;
			break;
		case 3:		/* insert */
		case 4:
			if (*len < cap) {
				memmove(d + pos + 1, d + pos, *len - pos);
				d[pos] = c;
				(*len)++;
			}
			break;
		case 5:		/* delete */
			if (*len) {
				memmove(d + pos, d + pos + 1, *len - pos - 1);
				(*len)--;
			}
			break;
		default:	/* truncate */
			*len = pos;
			break;
		}
	}
}

static int
is_ws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Are all strings and keys in v valid UTF-8 and all numbers numbers? */
static int
tree_sound(const struct sl_json *v)
{
	switch (v->type) {
	case SL_JSON_STRING:
		return v->u.str[v->len] == '\0' &&
		    sl_utf8_valid(v->u.str, v->len, NULL);
	case SL_JSON_NUMBER:
		return v->u.num[v->len] == '\0' &&
		    sl_json_is_number(v->u.num, v->len);
	case SL_JSON_ARRAY:
		for (size_t i = 0; i < v->len; i++)
			if (!tree_sound(&v->u.items[i]))
				return 0;
		return 1;
	case SL_JSON_OBJECT:
		for (size_t i = 0; i < v->len; i++) {
			const struct sl_json_member *m = &v->u.members[i];

			if (!sl_utf8_valid(m->key, m->key_len, NULL) ||
			    !tree_sound(&m->value))
				return 0;
		}
		return 1;
	default:
		return 1;
	}
}

/*
 * For an accepted x whose value spans [s, e): every prefix shorter than e
 * scans as incomplete; the prefix of length e scans as the value, except a
 * bare number, which might go on.
 */
static int
prefixes_incomplete(const unsigned char *x, size_t s, size_t e)
{
	enum sl_json_status st;
	size_t a, b;

	for (size_t k = 0; k < e; k++) {
		unsigned char *t = sl_malloc(k ? k : 1);

		memcpy(t, x, k);
		st = sl_json_scan((char *)t, k, 0, &a, &b, NULL);
		free(t);
		if (st != MORE)
			return 0;
	}
	st = sl_json_scan((const char *)x, e, 0, &a, &b, NULL);
	if (x[s] == '-' || (x[s] >= '0' && x[s] <= '9'))
		return st == MORE;
	return st == OK_ && a == s && b == e;
}

static void
test_hostile(void)
{
	enum { ROUNDS = 200000, CAP = 512 };
	struct sl_arena a = SL_ARENA_INIT;
	struct sl_buf w1 = SL_BUF_INIT, w2 = SL_BUF_INIT;
	size_t nseeds = sizeof(seeds) / sizeof(seeds[0]);
	long disagree = 0, scan_bad = 0, rt_bad = 0, accepted = 0,
	    incomplete = 0, off_bad = 0, unsound = 0, prefix_bad = 0;

	for (long round = 0; round < ROUNDS; round++) {
		const char *seed = seeds[round % nseeds];
		size_t len = strlen(seed), s = 0, e = 0;
		unsigned char *d = sl_malloc(CAP);
		unsigned char *tight;
		struct sl_json_error pe, ce, se;
		enum sl_json_status pst, cst, sst;
		struct sl_json v, v2;

		memcpy(d, seed, len);
		mutate(d, &len, CAP);
		/* An exactly sized copy, so that ASan sees any overread. */
		tight = sl_malloc(len ? len : 1);
		memcpy(tight, d, len);
		free(d);

		sl_arena_reset(&a);
		memset(&pe, 0, sizeof(pe));
		memset(&ce, 0, sizeof(ce));
		pst = sl_json_parse(&a, (char *)tight, len, &v, &pe);
		cst = sl_json_check((char *)tight, len, &ce);
		sst = sl_json_scan((char *)tight, len, 1, &s, &e, &se);
		if (pst != cst || (pst != OK_ && (pe.offset != ce.offset ||
		    strcmp(pe.msg, ce.msg) != 0))) {
			if (disagree++ < 5)
				tap_diag("parse %d/check %d on '%s'", pst, cst,
				    show((char *)tight, len));
		}
		/*
		 * scan reads only the first value: it agrees with check when
		 * nothing follows it, and sees trailing bytes as success.
		 */
		if (cst == OK_) {
			size_t ws = 0, we = len;

			while (ws < len && is_ws(tight[ws]))
				ws++;
			while (we > ws && is_ws(tight[we - 1]))
				we--;
			if (sst != OK_ || s != ws || e != we)
				scan_bad++;
		} else if (cst == MORE ? sst != MORE : sst == MORE)
			scan_bad++;
		if (pst == MORE)
			incomplete++;
		if ((pst == MORE && pe.offset != len) ||
		    (pst == BAD && pe.offset >= len) ||
		    (pst != OK_ && pe.msg[0] == '\0'))
			off_bad++;
		if (pst == OK_) {
			accepted++;
			if (!tree_sound(&v))
				unsound++;
			if (accepted % 4 == 0 &&
			    !prefixes_incomplete(tight, s, e))
				prefix_bad++;
			sl_buf_reset(&w1);
			sl_json_write(&w1, &v);
			if (sl_json_parse(&a, w1.data, w1.len, &v2, NULL) !=
			    OK_)
				rt_bad++;
			else {
				sl_buf_reset(&w2);
				sl_json_write(&w2, &v2);
				if (w1.len != w2.len ||
				    memcmp(w1.data, w2.data, w1.len) != 0)
					rt_bad++;
			}
		}
		free(tight);
	}
	tap_diag("hostile: %d rounds, %ld accepted, %ld incomplete",
	    ROUNDS, accepted, incomplete);
	is_int(disagree, 0, "hostile: parse and check always agree");
	is_int(scan_bad, 0, "hostile: scan agrees with check");
	is_int(rt_bad, 0, "hostile: write(parse(x)) is a fixed point");
	is_int(off_bad, 0, "hostile: error offsets within the input");
	is_int(unsound, 0,
	    "hostile: parsed strings valid UTF-8, numbers valid");
	is_int(prefix_bad, 0,
	    "hostile: prefixes of accepted values incomplete");
	ok(accepted > 1000 && accepted < ROUNDS, "hostile: some accepted");
	sl_buf_release(&w1);
	sl_buf_release(&w2);
	sl_arena_release(&a);
}

int
main(void)
{
	test_rows();
	test_values();
	test_large();
	test_depth();
	test_scan();
	test_scan_stream();
	test_pointer();
	test_write_string();
	test_is_number();
	test_utf8();
	test_hostile();
	return tap_done();
}
