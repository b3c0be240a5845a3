/*
 * json.h - sluice's own JSON reader and writer: strict RFC 8259, fast, and
 * faithful to the text it was given.
 *
 * - Input must be UTF-8 without a byte order mark; strings must be valid
 *   UTF-8 after unescaping, so a lone surrogate escape (\ud800) is refused.
 * - Numbers are never converted: a number keeps the exact text it had in the
 *   input, so a 20-digit integer survives a round trip byte for byte.
 * - A parsed document (sl_json_parse) lives in a caller's arena: reset the
 *   arena between records and nothing is freed one by one.
 * - sl_json_check validates without building anything; use it when only
 *   well-formedness matters (ingest of JSON Lines).
 * - Duplicate object keys are kept in document order; sl_json_get returns
 *   the last one (as jq does).
 * - Nesting deeper than SL_JSON_MAX_DEPTH is refused, never a crash.
 *
 * Ownership: nothing here frees its inputs; values point into the arena.
 */
#ifndef SL_JSON_H
#define SL_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "buf.h"

#define SL_JSON_MAX_DEPTH 1024

enum sl_json_type {
	SL_JSON_NULL,
	SL_JSON_FALSE,
	SL_JSON_TRUE,
	SL_JSON_NUMBER,
	SL_JSON_STRING,
	SL_JSON_ARRAY,
	SL_JSON_OBJECT,
};

struct sl_json_member;

struct sl_json {
	enum sl_json_type type;
	/*
	 * STRING: byte length of the unescaped UTF-8 (may contain NUL).
	 * NUMBER: length of the number text.  ARRAY: element count.
	 * OBJECT: member count.
	 */
	size_t len;
	union {
		const char *str;                /* STRING: unescaped, NUL-terminated */
		const char *num;                /* NUMBER: text as written, NUL-terminated */
		struct sl_json *items;          /* ARRAY: len elements, contiguous */
		struct sl_json_member *members; /* OBJECT: len members, document order */
	} u;
};

struct sl_json_member {
	const char *key;  /* unescaped, NUL-terminated */
	size_t key_len;
	struct sl_json value;
};

struct sl_json_error {
	size_t offset;   /* byte offset of the offending byte in the input */
	char msg[96];    /* e.g. "unterminated string", "invalid UTF-8 in string" */
};

enum sl_json_status {
	SL_JSON_OK = 0,
	SL_JSON_INVALID = 1,    /* the text is not JSON */
	SL_JSON_INCOMPLETE = 2, /* the text ended inside a value: more may follow */
};

/*
 * Parses exactly one JSON value occupying the whole of buf[0..len), optional
 * whitespace around it.  Returns SL_JSON_OK and fills *out, or another status
 * and fills *err (err may be NULL).  Strings and number texts are copied into
 * the arena, so buf may be reused afterwards.
 */
enum sl_json_status sl_json_parse(struct sl_arena *a, const char *buf, size_t len,
    struct sl_json *out, struct sl_json_error *err);

/* As sl_json_parse, but only validates. */
enum sl_json_status sl_json_check(const char *buf, size_t len,
    struct sl_json_error *err);

/*
 * Finds the first JSON value in buf[0..len) after optional whitespace and
 * validates it.  On SL_JSON_OK, *start and *end delimit the value's bytes
 * (end exclusive; trailing whitespace is not consumed).  SL_JSON_INCOMPLETE
 * means the buffer ended before the value did (a caller streaming a large
 * array reads more and calls again); for a bare number at the very end of the
 * buffer the caller cannot know whether more digits follow, so this also
 * returns SL_JSON_INCOMPLETE unless at_eof is set.
 */
enum sl_json_status sl_json_scan(const char *buf, size_t len, int at_eof,
    size_t *start, size_t *end, struct sl_json_error *err);

/* Object member lookup: the last member named key, or NULL. */
const struct sl_json *sl_json_get(const struct sl_json *obj, const char *key,
    size_t key_len);

/*
 * RFC 6901 JSON Pointer lookup ("" is the whole document, "/a/0", "/a~1b").
 * Returns NULL when the pointer does not resolve or is malformed.
 */
const struct sl_json *sl_json_pointer(const struct sl_json *root,
    const char *ptr, size_t ptr_len);

/* Appends v in compact form (no spaces); numbers as their original text. */
void sl_json_write(struct sl_buf *b, const struct sl_json *v);

/*
 * Appends s as a JSON string literal with quotes.  Escapes '"', '\\' and
 * control characters (as \n, \t, ... or \u00XX); everything else, including
 * non-ASCII UTF-8, is copied as is.  s is trusted to be valid UTF-8.
 */
void sl_json_write_string(struct sl_buf *b, const char *s, size_t len);

/*
 * Appends untrusted bytes as a JSON string literal: like
 * sl_json_write_string, but checks that s is valid UTF-8 first (plain ASCII
 * is checked and copied eight bytes at a time).  Returns 0, or -1 with *bad
 * (if not NULL) the offset of the first invalid byte, appending nothing.
 */
int sl_json_write_utf8(struct sl_buf *b, const char *s, size_t len, size_t *bad);

/*
 * Is s[0..len) a JSON number by RFC 8259's grammar
 * (-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?)?
 */
int sl_json_is_number(const char *s, size_t len);

/*
 * Is s[0..len) valid UTF-8 (no overlongs, no surrogates, <= U+10FFFF)?
 * On failure *bad (if not NULL) is the offset of the first invalid byte.
 */
int sl_utf8_valid(const char *s, size_t len, size_t *bad);

/* A short name for a type: "null", "boolean", "number", "string", ... */
const char *sl_json_type_name(enum sl_json_type t);

#endif
