/*
 * schema.h - JSON Schema draft 2020-12 over sluice's JSON values (json.h).
 *
 * A schema document is compiled once and then validates any number of
 * instances.  sl_schema_compile() refuses a schema it cannot honour (a
 * keyword of the wrong type, an unresolvable local $ref, a regular
 * expression PCRE2 does not compile) and says where in the document.
 * Regular expressions ("pattern", "patternProperties") run through PCRE2 in
 * UTF mode; formats listed below are asserted only with
 * SL_SCHEMA_FORMAT_ASSERT (annotation only otherwise, as the specification's
 * default).  Remote references are refused at compile time.
 *
 * Ownership: the compiled schema keeps pointers into doc, so doc (and the
 * arena holding it) must outlive it; sl_schema_free() releases everything
 * the schema allocated itself.  Violations point into memory that stays
 * valid until the scratch arena passed to sl_schema_validate() is reset.
 * A compiled schema is read-only during validation: several threads may
 * validate with one schema, each with its own scratch arena.
 *
 * Formats: date-time, date, time, duration, email, uuid, ipv4, ipv6, uri
 * (others are annotations).  email is RFC 5321's Mailbox: ASCII only (IDN
 * addresses are "idn-email"), a local part of at most 64 octets, a quoted
 * local part of printable ASCII only.
 *
 * Details the caller may rely on:
 * - References: "$ref"/"$dynamicRef" to "#/pointer", "#anchor", "$id"-named
 *   resources inside the document (absolute, relative, URN), "$anchor",
 *   "$dynamicAnchor".  Anything else is refused with a message containing
 *   'names a remote document "URI"'.
 * - A schema whose in-place applicators ($ref, allOf, anyOf, oneOf, not,
 *   if/then/else, dependentSchemas) lead back to a schema being evaluated
 *   without descending into the instance ({"$ref": "#"}) can only recurse
 *   for ever and is refused at compile time, pointing at the "$ref" (or
 *   other keyword) that closes the loop.  Nesting plus $ref chains deeper
 *   than 1500 schemas are refused too.  At run time evaluation nesting is
 *   bounded (4096 schemas, about 2 MB of stack at most; a violation with
 *   keyword "$ref" past it) and a pattern that backtracks past PCRE2's
 *   match limit is a violation ("too costly to match"), never a hang.
 *   So is an instance whose check takes more than 20 million schema
 *   evaluations (in-place applicators that fan out exponentially, such as
 *   allOf of two $refs to a schema doing the same, 40 levels deep): one
 *   violation, keyword "schema" at the root, "too costly to check".
 * - Regular expressions: no UCP, so \d, \w, \b are ASCII as in
 *   ECMA-262; \uXXXX and \u{X...} escapes; \s is ECMA-262's Unicode
 *   white space; "." excludes CR, LF, U+2028, U+2029; \p{Letter}-style
 *   long category names are accepted.  Still different from ECMA-262:
 *   PCRE2 accepts some syntax ECMA-262 refuses (possessive quantifiers,
 *   atomic groups, \A, \z), and \S inside a [class] is the complement
 *   of ASCII white space only.
 * - Instances must come from sl_json_parse (strings valid UTF-8: patterns
 *   run without PCRE2's UTF check).  Validation allocates nothing while
 *   an instance passes, except scratch-arena bitmaps below schemas that
 *   use unevaluatedItems/unevaluatedProperties; pointers and messages are
 *   built only for reported violations.  Each thread keeps one small PCRE2
 *   match block (thread-local, never freed).
 * - Violations: instance is the value that failed the keyword; for
 *   "required" and "dependentRequired" that is the object (the message
 *   names the missing property); for "additionalProperties",
 *   "unevaluatedProperties" and "propertyNames" it is the property.
 *   keyword is the assertion ("type", "maximum", "anyOf" when no branch
 *   matched, "false" for a false schema, "$ref" for the depth bound) and
 *   schema_path its location in the document, through any $ref (e.g.
 *   "/$defs/pos/minimum").
 * - Draft 7's "dependencies" is honoured (arrays as dependentRequired,
 *   schemas as dependentSchemas) so that an older contract is not
 *   silently weaker; other unknown keywords are ignored, as the
 *   specification asks.
 * - Numbers are compared exactly as decimals, at any size; multipleOf is
 *   exact for divisors of up to 18 significant digits (in doubles beyond).
 */
#ifndef SL_SCHEMA_H
#define SL_SCHEMA_H

#include <stddef.h>

#include "arena.h"
#include "json.h"

#define SL_SCHEMA_FORMAT_ASSERT 0x1	/* "format" is an assertion */

struct sl_schema;

/* Why a schema was refused. */
struct sl_schema_error {
	char pointer[512];	/* JSON Pointer into the schema document ("" = root) */
	char msg[256];		/* e.g. "\"minimum\" must be a number" */
};

/* One failed assertion. */
struct sl_schema_violation {
	const char *instance;	/* JSON Pointer of the failing value ("" = root) */
	const char *keyword;	/* the assertion keyword: "maximum", "required" ... */
	const char *schema_path;/* JSON Pointer of that keyword in the schema
				   document, e.g. "/properties/age/maximum" */
	const char *message;	/* for a person: "230 is above the maximum 120" */
};

typedef void (*sl_schema_report_fn)(void *ctx,
    const struct sl_schema_violation *v);

/*
 * Compiles doc (a schema: an object or a boolean).  flags is a mask of
 * SL_SCHEMA_*.  Returns NULL and fills *err when the schema is malformed.
 */
struct sl_schema *sl_schema_compile(const struct sl_json *doc, unsigned flags,
    struct sl_schema_error *err);

/*
 * Validates inst.  Returns the number of violations found, 0 when valid.
 * When report is NULL it stops at the first failure and returns 1 (the
 * fast yes/no); otherwise every violation is passed to report, up to max
 * (0 = no limit), and the count of those reported is returned.  Only the
 * violations that make the instance invalid are reported: a failing branch
 * of anyOf/oneOf/if/not whose parent passes reports nothing.
 */
size_t sl_schema_validate(const struct sl_schema *s, const struct sl_json *inst,
    struct sl_arena *scratch, sl_schema_report_fn report, void *ctx,
    size_t max);

void sl_schema_free(struct sl_schema *s);
/*
 * Frees the calling thread's PCRE2 match block; for a thread that
 * validated and is about to end (the block is made again if it validates
 * once more).
 */
void sl_schema_thread_release(void);

/*
 * Checks s[0..n) against one of the asserted formats by name ("email",
 * "date-time", ...): 1 valid, 0 not, -1 when format is not one of the
 * nine (for a tool drafting contracts from samples, say).
 */
int sl_schema_format_check(const char *format, const char *s, size_t n);

#endif
