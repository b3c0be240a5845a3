/*
 * test-schema-suite.c - libcommon/schema.c against the JSON Schema Test
 * Suite ($CONFORMANCE/json-schema-test-suite/tests/draft2020-12, CONFORMANCE
 * defaulting to tests/fixtures/conformance), then hostile schemas and the
 * contents of violations.
 *
 *   - every .json file of tests/draft2020-12 with "format" as an annotation;
 *   - optional/format/ of the nine asserted formats with
 *     SL_SCHEMA_FORMAT_ASSERT;
 *   - the other optional/ files, as annotations too.
 *
 * One test point per test of the suite.  Each instance is validated twice,
 * in the fast yes/no mode and reporting every violation, and the two must
 * agree.  Skipped (with "# SKIP"): refRemote.json and the cases whose schema
 * refers to an http(s) document not in it (the compiler says "remote"), or
 * that declares a custom "$schema" (a meta-schema only a remote has).
 * Totals are printed as TAP comments.
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "schema.h"
#include "tap.h"
#include "xalloc.h"

static const char *const asserted_formats[] = {
	"date-time.json", "date.json", "time.json", "email.json", "uuid.json",
	"ipv4.json", "ipv6.json", "uri.json", "duration.json", NULL,
};

struct totals {
	int passed, failed, skipped;
};

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *
slurp(const char *path, size_t *len)
{
	struct sl_buf b = SL_BUF_INIT;
	char tmp[65536], *p;
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL)
		return NULL;
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
		sl_buf_add(&b, tmp, n);
	fclose(f);
	*len = b.len;
	p = sl_malloc(b.len ? b.len : 1);
	if (b.len)
		memcpy(p, b.data, b.len);
	sl_buf_release(&b);
	return p;
}

/* Sorted *.json names in dir (caller frees). */
static char **
list_json(const char *dir, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t cap = 0;

	*n = 0;
	if (d == NULL)
		return NULL;
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);

		if (l < 6 || strcmp(de->d_name + l - 5, ".json") != 0)
			continue;
		names = sl_grow(names, &cap, *n + 1, sizeof(*names));
		names[(*n)++] = sl_strdup(de->d_name);
	}
	closedir(d);
	if (*n)
		qsort(names, *n, sizeof(*names), cmp_names);
	return names;
}

static size_t nviol;

static void
count_viol(void *ctx, const struct sl_schema_violation *v)
{
	(void)ctx;
	if (v->instance == NULL || v->keyword == NULL ||
	    v->schema_path == NULL || v->message == NULL ||
	    v->message[0] == '\0')
		nviol += 1000000;	/* an incomplete violation: fails */
	nviol++;
}

static const char *
custom_metaschema(const struct sl_json *schema)
{
	const struct sl_json *s;

	if (schema->type != SL_JSON_OBJECT)
		return NULL;
	s = sl_json_get(schema, "$schema", 7);
	if (s == NULL || s->type != SL_JSON_STRING)
		return NULL;
	if (strcmp(s->u.str, "https://json-schema.org/draft/2020-12/schema") ==
	    0)
		return NULL;
	return s->u.str;
}

/* ------------------------------------------------ mutated schemas */

/* Replacement values for a mutated node. */
static const char *const mutants[] = {
	"null", "true", "false", "-1", "0", "1.5", "1e400", "\"\"",
	"\"#\"", "\"(\"", "\"#/$defs/none\"", "\"http://x.example/y\"",
	"[]", "[1,\"a\"]", "{}", "{\"$ref\":\"#\"}", "{\"type\":7}",
	"{\"pattern\":\"[\"}", "{\"minimum\":\"x\"}", "{}", "true",
	"{\"type\":\"string\"}", "{\"not\":{}}", "{\"items\":false}",
	"{\"unevaluatedProperties\":false}", "{\"$dynamicRef\":\"#meta\"}",
	"{\"minimum\":2}", "{\"anyOf\":[{\"$ref\":\"#\"}]}",
};

/* Writes v, with node number target (pre-order) replaced by repl. */
static void
write_mutated(struct sl_buf *b, const struct sl_json *v, size_t *count,
    size_t target, const char *repl)
{
	if ((*count)++ == target) {
		sl_buf_adds(b, repl);
		return;
	}
	if (v->type == SL_JSON_ARRAY) {
		sl_buf_addc(b, '[');
		for (size_t i = 0; i < v->len; i++) {
			if (i)
				sl_buf_addc(b, ',');
			write_mutated(b, &v->u.items[i], count, target, repl);
		}
		sl_buf_addc(b, ']');
	} else if (v->type == SL_JSON_OBJECT) {
		sl_buf_addc(b, '{');
		for (size_t i = 0; i < v->len; i++) {
			const struct sl_json_member *m = &v->u.members[i];

			if (i)
				sl_buf_addc(b, ',');
			sl_json_write_string(b, m->key, m->key_len);
			sl_buf_addc(b, ':');
			write_mutated(b, &m->value, count, target, repl);
		}
		sl_buf_addc(b, '}');
	} else {
		sl_json_write(b, v);
	}
}

struct fuzz {
	int compiled, refused, bad;
};

/* Mutations per suite case: SCHEMA_FUZZ (default 8), seed SCHEMA_FUZZ_SEED. */
static long fuzz_rounds = 8;

/*
 * Compiles a mutation of schema and validates the case's instances with
 * it: a refusal must point into the mutated document, with a message;
 * validation must not crash, and both modes must agree.
 */
static void
fuzz_case(const struct sl_json *schema, const struct sl_json *tests,
    unsigned flags, struct fuzz *f)
{
	struct sl_arena a = SL_ARENA_INIT, sa = SL_ARENA_INIT;
	struct sl_buf b = SL_BUF_INIT;
	struct sl_schema_error err;
	struct sl_schema *s;
	struct sl_json doc;
	size_t nodes = 0, count = 0, target;

	write_mutated(&b, schema, &nodes, SIZE_MAX, "");
	sl_buf_reset(&b);
	target = (size_t)(tap_rand() % nodes);
	write_mutated(&b, schema, &count, target,
	    mutants[tap_rand() % (sizeof(mutants) / sizeof(mutants[0]))]);
	if (sl_json_parse(&a, b.data, b.len, &doc, NULL) != SL_JSON_OK) {
		f->bad++;
		tap_diag("mutation is not JSON: %s", b.data);
		goto out;
	}
	s = sl_schema_compile(&doc, flags, &err);
	if (s == NULL) {
		f->refused++;
		if (err.msg[0] == '\0' || sl_json_pointer(&doc, err.pointer,
		    strlen(err.pointer)) == NULL) {
			f->bad++;
			tap_diag("refusal of %s points nowhere: \"%s\": %s",
			    b.data, err.pointer, err.msg);
		}
		goto out;
	}
	f->compiled++;
	for (size_t k = 0; k < tests->len; k++) {
		const struct sl_json *data = sl_json_get(&tests->u.items[k],
		    "data", 4);
		size_t fast, full;

		if (data == NULL)
			continue;
		fast = sl_schema_validate(s, data, &sa, NULL, NULL, 0);
		nviol = 0;
		full = sl_schema_validate(s, data, &sa, count_viol, NULL, 0);
		if ((fast == 0) != (full == 0) || full != nviol) {
			f->bad++;
			tap_diag("modes disagree on %s: fast %zu, full %zu",
			    b.data, fast, full);
		}
		sl_arena_reset(&sa);
	}
	sl_schema_free(s);
out:
	sl_buf_release(&b);
	sl_arena_release(&a);
	sl_arena_release(&sa);
}

/* Runs one suite file. */
static void
run_file(const char *dir, const char *name, unsigned flags,
    struct totals *t, struct fuzz *fz)
{
	struct sl_arena doc = SL_ARENA_INIT, scratch = SL_ARENA_INIT;
	struct sl_buf path = SL_BUF_INIT;
	struct sl_json root;
	struct sl_json_error je;
	size_t len;
	char *text;

	sl_buf_addf(&path, "%s/%s", dir, name);
	text = slurp(path.data, &len);
	if (text == NULL || sl_json_parse(&doc, text, len, &root, &je) !=
	    SL_JSON_OK || root.type != SL_JSON_ARRAY) {
		ok(0, "%s: cannot read or parse", path.data);
		t->failed++;
		goto out;
	}
	for (size_t i = 0; i < root.len; i++) {
		const struct sl_json *cs = &root.u.items[i];
		const struct sl_json *desc = sl_json_get(cs, "description", 11);
		const struct sl_json *schema = sl_json_get(cs, "schema", 6);
		const struct sl_json *tests = sl_json_get(cs, "tests", 5);
		struct sl_schema_error err;
		struct sl_schema *s = NULL;
		const char *skip = NULL, *meta;
		char why[700];

		if (schema == NULL || tests == NULL ||
		    tests->type != SL_JSON_ARRAY)
			continue;
		if (strcmp(name, "refRemote.json") == 0) {
			skip = "needs remote documents";
		} else if ((meta = custom_metaschema(schema)) != NULL) {
			snprintf(why, sizeof(why), "custom meta-schema %s "
			    "is a remote document", meta);
			skip = why;
		} else {
			s = sl_schema_compile(schema, flags, &err);
			if (s == NULL && strstr(err.msg, "remote document "
			    "\"http") != NULL) {
				snprintf(why, sizeof(why), "%s", err.msg);
				skip = why;
			}
		}
		for (size_t k = 0; k < tests->len; k++) {
			const struct sl_json *tc = &tests->u.items[k];
			const struct sl_json *td = sl_json_get(tc,
			    "description", 11);
			const struct sl_json *data = sl_json_get(tc, "data", 4);
			const struct sl_json *valid = sl_json_get(tc, "valid",
			    5);
			int want = valid && valid->type == SL_JSON_TRUE;
			size_t fast, full;
			char label[600];
			int good;

			snprintf(label, sizeof(label), "%s: %s: %s", name,
			    desc ? desc->u.str : "?", td ? td->u.str : "?");
			if (skip) {
				t->skipped++;
				tap_n++;
				printf("ok %d - %s # SKIP %s\n", tap_n, label,
				    skip);
				continue;
			}
			if (s == NULL) {
				good = 0;
				ok(0, "%s (schema refused: %s at \"%s\")",
				    label, err.msg, err.pointer);
				t->failed++;
				continue;
			}
			sl_arena_reset(&scratch);
			fast = sl_schema_validate(s, data, &scratch, NULL, NULL,
			    0);
			nviol = 0;
			full = sl_schema_validate(s, data, &scratch, count_viol,
			    NULL, 0);
			good = (fast == 0) == want && (full == 0) == want &&
			    full == nviol;
			if (good)
				t->passed++;
			else
				t->failed++;
			if (!ok(good, "%s", label)) {
				tap_diag("expected %s; fast mode said %s, "
				    "reporting mode %zu violation(s)",
				    want ? "valid" : "invalid", fast ?
				    "invalid" : "valid", full);
			}
		}
		sl_schema_free(s);
		if (fz != NULL && skip == NULL)
			for (long m = 0; m < fuzz_rounds; m++)
				fuzz_case(schema, tests, flags, fz);
	}
out:
	free(text);
	sl_buf_release(&path);
	sl_arena_release(&doc);
	sl_arena_release(&scratch);
}

/* ------------------------------------------------ hostile schemas */

struct collect {
	struct sl_buf out;
};

static void
collect_viol(void *ctx, const struct sl_schema_violation *v)
{
	struct collect *c = ctx;

	sl_buf_addf(&c->out, "%s%s %s %s: %s", c->out.len ? "\n" : "",
	    v->instance[0] ? v->instance : "\"\"", v->keyword, v->schema_path,
	    v->message);
}

static struct sl_schema *
compile_text(struct sl_arena *a, const char *text, unsigned flags,
    struct sl_schema_error *err)
{
	struct sl_json doc;

	if (sl_json_parse(a, text, strlen(text), &doc, NULL) != SL_JSON_OK) {
		snprintf(err->msg, sizeof(err->msg), "test schema is not JSON");
		err->pointer[0] = '\0';
		return NULL;
	}
	return sl_schema_compile(&doc, flags, err);
}

/* Schemas that must be refused, with the pointer of the culprit. */
static void
test_refused(void)
{
	static const struct {
		const char *schema, *pointer, *msg_part;
	} cases[] = {
		{ "{\"$ref\":\"#\"}", "/$ref", "infinite recursion" },
		{ "{\"$defs\":{\"a\":{\"$ref\":\"#/$defs/b\"},"
		  "\"b\":{\"$ref\":\"#/$defs/a\"}},\"$ref\":\"#/$defs/a\"}",
		  "/$defs/b/$ref", "infinite recursion" },
		{ "{\"anyOf\":[true,{\"$ref\":\"#\"}]}", "/anyOf/1/$ref",
		  "infinite recursion" },
		{ "{\"$defs\":{\"x\":{\"not\":{\"allOf\":[{\"$ref\":\"#\"}]}}},"
		  "\"if\":{\"$ref\":\"#/$defs/x\"}}",
		  "/$defs/x/not/allOf/0/$ref",
		  "infinite recursion" },
		{ "{\"$dynamicAnchor\":\"n\",\"$dynamicRef\":\"#n\"}",
		  "/$dynamicRef", "infinite recursion" },
		{ "{\"pattern\":\"(\"}", "/pattern", "invalid regular expression" },
		{ "{\"pattern\":\"a{2,1}\"}", "/pattern", "invalid regular" },
		{ "{\"properties\":{\"a\":{\"pattern\":\"[z-a]\"}}}",
		  "/properties/a/pattern", "invalid regular expression" },
		{ "{\"patternProperties\":{\"[\":{}}}", "/patternProperties/[",
		  "invalid regular expression" },
		{ "{\"type\":\"int\"}", "/type", "unknown type" },
		{ "{\"type\":7}", "/type", "\"type\" must be" },
		{ "{\"type\":[\"string\",1]}", "/type/1", "\"type\" must" },
		{ "{\"enum\":{}}", "/enum", "\"enum\" must be an array" },
		{ "{\"minimum\":\"5\"}", "/minimum", "must be a number" },
		{ "{\"exclusiveMinimum\":true}", "/exclusiveMinimum",
		  "must be a number" },
		{ "{\"maximum\":null}", "/maximum", "must be a number" },
		{ "{\"exclusiveMaximum\":[]}", "/exclusiveMaximum",
		  "must be a number" },
		{ "{\"multipleOf\":0}", "/multipleOf", "greater than 0" },
		{ "{\"multipleOf\":-2}", "/multipleOf", "greater than 0" },
		{ "{\"minLength\":-1}", "/minLength", "non-negative integer" },
		{ "{\"maxLength\":1.5}", "/maxLength", "non-negative integer" },
		{ "{\"minItems\":\"1\"}", "/minItems", "non-negative integer" },
		{ "{\"maxItems\":{}}", "/maxItems", "non-negative integer" },
		{ "{\"minProperties\":-0.5}", "/minProperties", "non-negative" },
		{ "{\"maxProperties\":true}", "/maxProperties", "non-negative" },
		{ "{\"minContains\":\"x\",\"contains\":{}}", "/minContains",
		  "non-negative" },
		{ "{\"maxContains\":-1,\"contains\":{}}", "/maxContains",
		  "non-negative" },
		{ "{\"pattern\":1}", "/pattern", "must be a string" },
		{ "{\"format\":{}}", "/format", "must be a string" },
		{ "{\"uniqueItems\":1}", "/uniqueItems", "must be a boolean" },
		{ "{\"required\":\"a\"}", "/required", "array of strings" },
		{ "{\"required\":[\"a\",2]}", "/required/1", "array of strings" },
		{ "{\"properties\":[]}", "/properties", "must be an object" },
		{ "{\"properties\":{\"a\":1}}", "/properties/a",
		  "must be an object or a boolean" },
		{ "{\"patternProperties\":5}", "/patternProperties",
		  "must be an object" },
		{ "{\"additionalProperties\":\"no\"}", "/additionalProperties",
		  "must be a schema" },
		{ "{\"propertyNames\":1}", "/propertyNames", "must be a schema" },
		{ "{\"dependentRequired\":{\"a\":\"b\"}}",
		  "/dependentRequired/a", "array of strings" },
		{ "{\"dependentRequired\":{\"a\":[1]}}",
		  "/dependentRequired/a/0", "must be a string" },
		{ "{\"dependentRequired\":[]}", "/dependentRequired",
		  "must be an object" },
		{ "{\"dependentSchemas\":{\"a\":3}}", "/dependentSchemas/a",
		  "object or a boolean" },
		{ "{\"dependencies\":{\"a\":5}}", "/dependencies/a",
		  "array of names or a schema" },
		{ "{\"dependencies\":{\"a\":[\"b\",1]}}", "/dependencies/a/1",
		  "must be a string" },
		{ "{\"dependencies\":[]}", "/dependencies", "must be an object" },
		{ "{\"$comment\":1}", "/$comment", "must be a string" },
		{ "{\"prefixItems\":{}}", "/prefixItems", "non-empty array" },
		{ "{\"prefixItems\":[]}", "/prefixItems", "non-empty array" },
		{ "{\"items\":[{}]}", "/items", "must be a schema" },
		{ "{\"contains\":null}", "/contains", "must be a schema" },
		{ "{\"allOf\":{}}", "/allOf", "non-empty array" },
		{ "{\"anyOf\":[]}", "/anyOf", "non-empty array" },
		{ "{\"oneOf\":[1]}", "/oneOf/0", "object or a boolean" },
		{ "{\"not\":[]}", "/not", "must be a schema" },
		{ "{\"if\":1}", "/if", "must be a schema" },
		{ "{\"then\":\"x\"}", "/then", "must be a schema" },
		{ "{\"else\":0}", "/else", "must be a schema" },
		{ "{\"unevaluatedItems\":1}", "/unevaluatedItems",
		  "must be a schema" },
		{ "{\"unevaluatedProperties\":[]}", "/unevaluatedProperties",
		  "must be a schema" },
		{ "{\"$defs\":[]}", "/$defs", "must be an object" },
		{ "{\"$defs\":{\"a\":\"b\"}}", "/$defs/a", "object or a boolean" },
		{ "{\"$ref\":5}", "/$ref", "must be a string" },
		{ "{\"$ref\":\"#/$defs/missing\"}", "/$ref", "does not resolve" },
		{ "{\"$ref\":\"#nowhere\"}", "/$ref", "no anchor" },
		{ "{\"$ref\":\"http://example.com/x.json\"}", "/$ref",
		  "remote references are not supported" },
		{ "{\"$dynamicRef\":[]}", "/$dynamicRef", "must be a string" },
		{ "{\"$id\":5}", "/$id", "must be a string" },
		{ "{\"$id\":\"http://a/b#frag\"}", "/$id", "fragment" },
		{ "{\"$anchor\":\"1bad\"}", "/$anchor", "plain name" },
		{ "{\"$anchor\":{}}", "/$anchor", "must be a string" },
		{ "{\"$dynamicAnchor\":3}", "/$dynamicAnchor", "must be a string" },
		{ "{\"$schema\":3}", "/$schema", "must be a string" },
		{ "3", "", "must be an object or a boolean" },
		{ "{\"$defs\":{\"unused\":{\"minimum\":\"x\"}}}",
		  "/$defs/unused/minimum", "must be a number" },
		{ "{\"properties\":{\"a/b\":{\"minimum\":\"x\"}}}",
		  "/properties/a~1b/minimum", "must be a number" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sl_arena a = SL_ARENA_INIT;
		struct sl_schema_error err;
		struct sl_schema *s = compile_text(&a, cases[i].schema, 0, &err);

		if (!ok(s == NULL && strcmp(err.pointer, cases[i].pointer) == 0 &&
		    strstr(err.msg, cases[i].msg_part) != NULL,
		    "refused: %s -> \"%s\"", cases[i].schema, cases[i].pointer))
			tap_diag("got %s: \"%s\": %s", s ? "compiled" :
			    "refused", s ? "" : err.pointer, s ? "" : err.msg);
		sl_schema_free(s);
		sl_arena_release(&a);
	}
}

/* Builds nested text: open^depth + middle + close^depth. */
static char *
nested(const char *open, const char *middle, const char *close, int depth)
{
	struct sl_buf b = SL_BUF_INIT;

	for (int i = 0; i < depth; i++)
		sl_buf_adds(&b, open);
	sl_buf_adds(&b, middle);
	for (int i = 0; i < depth; i++)
		sl_buf_adds(&b, close);
	return sl_buf_detach(&b, NULL);
}

static void
test_hostile(void)
{
	struct sl_arena a = SL_ARENA_INIT, sa = SL_ARENA_INIT;
	struct sl_schema_error err;
	struct sl_schema *s;
	struct sl_json inst;
	struct collect col = { SL_BUF_INIT };
	char *text, *want;
	size_t n;

	/* recursion through the instance: deep but bounded by the instance */
	s = compile_text(&a, "{\"type\":\"object\",\"properties\":{\"a\":"
	    "{\"$ref\":\"#\"},\"b\":{\"type\":\"string\"}}}", 0, &err);
	ok(s != NULL, "recursive $ref through properties compiles");
	text = nested("{\"a\":", "{\"b\":1}", "}", 1000);
	ok(sl_json_parse(&a, text, strlen(text), &inst, NULL) == SL_JSON_OK,
	    "1000-deep object parses");
	is_int(sl_schema_validate(s, &inst, &sa, NULL, NULL, 0), 1,
	    "1000-deep object, violation at the bottom: fast mode");
	n = sl_schema_validate(s, &inst, &sa, collect_viol, &col, 0);
	is_int(n, 1, "1000-deep object: one violation");
	want = nested("/a", "/b type /properties/b/type: expected string, "
	    "got number", "", 1000);
	is_str(col.out.data, want, "1000-deep object: pointer of the bottom");
	free(want);
	free(text);
	sl_schema_free(s);

	s = compile_text(&a, "{\"items\":{\"$ref\":\"#\"},\"maxItems\":1}", 0,
	    &err);
	text = nested("[", "", "]", SL_JSON_MAX_DEPTH - 1);
	ok(s && sl_json_parse(&a, text, strlen(text), &inst, NULL) ==
	    SL_JSON_OK, "%d-deep array against recursive items",
	    SL_JSON_MAX_DEPTH - 1);
	is_int(sl_schema_validate(s, &inst, &sa, NULL, NULL, 0), 0,
	    "deepest array the reader accepts is valid");
	free(text);
	sl_schema_free(s);

	/* long $ref chains: 600 links compile, 5000 are refused */
	for (int len = 600; len <= 5000; len += 4400) {
		struct sl_buf b = SL_BUF_INIT;

		sl_buf_adds(&b, "{\"$ref\":\"#/$defs/d0\",\"$defs\":{");
		for (int i = 0; i < len; i++)
			sl_buf_addf(&b, "%s\"d%d\":{\"items\":{\"$ref\":"
			    "\"#/$defs/d%d\"}}", i ? "," : "", i, i + 1);
		sl_buf_addf(&b, ",\"d%d\":{\"type\":\"null\"}}}", len);
		s = compile_text(&a, b.data, 0, &err);
		if (len == 600) {
			text = nested("[", "1", "]", len);
			ok(s && sl_json_parse(&a, text, strlen(text), &inst,
			    NULL) == SL_JSON_OK && sl_schema_validate(s, &inst,
			    &sa, NULL, NULL, 0) == 1, "chain of 600 $ref "
			    "compiles, validates");
			free(text);
		} else {
			ok(s == NULL && strstr(err.msg, "deeper than") &&
			    strncmp(err.pointer, "/$defs/d", 8) == 0,
			    "chain of %d $ref refused: %s: %s", len,
			    s ? "" : err.pointer, s ? "compiled" : err.msg);
		}
		sl_schema_free(s);
		sl_buf_release(&b);
	}

	/* deep schema: 1000 nested "not" */
	text = nested("{\"not\":", "{\"type\":\"string\"}", "}", 1000);
	s = compile_text(&a, text, 0, &err);
	ok(s != NULL, "1000 nested \"not\" compile");
	ok(s && sl_json_parse(&a, "\"x\"", 3, &inst, NULL) == SL_JSON_OK &&
	    sl_schema_validate(s, &inst, &sa, NULL, NULL, 0) == 0,
	    "1000 nested \"not\" (even): a string is valid");
	free(text);
	sl_schema_free(s);

	/* $dynamicRef recursion is bounded at run time */
	s = compile_text(&a, "{\"$dynamicAnchor\":\"t\",\"properties\":"
	    "{\"c\":{\"$dynamicRef\":\"#t\"}}}", 0, &err);
	text = nested("{\"c\":", "{\"c\":5}", "}", 900);
	ok(s && sl_json_parse(&a, text, strlen(text), &inst, NULL) ==
	    SL_JSON_OK && sl_schema_validate(s, &inst, &sa, NULL, NULL, 0) ==
	    0, "$dynamicRef tree 900 deep: valid");
	free(text);
	sl_schema_free(s);

	/* a huge pattern: compiles or is refused at /pattern, never crashes */
	{
		struct sl_buf b = SL_BUF_INIT;

		sl_buf_adds(&b, "{\"pattern\":\"^(");
		for (int i = 0; i < 20000; i++)
			sl_buf_addf(&b, "%sw%d", i ? "|" : "", i);
		sl_buf_adds(&b, ")$\"}");
		s = compile_text(&a, b.data, 0, &err);
		if (s == NULL)
			ok(strcmp(err.pointer, "/pattern") == 0,
			    "huge pattern refused at /pattern (%s)", err.msg);
		else
			ok(sl_json_parse(&a, "\"w19999\"", 8, &inst, NULL) ==
			    SL_JSON_OK && sl_schema_validate(s, &inst, &sa,
			    NULL, NULL, 0) == 0,
			    "huge pattern (20000 alternatives) matches");
		sl_schema_free(s);
		sl_buf_release(&b);
	}

	/* catastrophic backtracking stops at the match limit: a violation */
	s = compile_text(&a, "{\"pattern\":\"^(a|a?)+$\"}", 0, &err);
	text = nested("", "", "", 0);
	{
		struct sl_buf b = SL_BUF_INIT;

		sl_buf_addc(&b, '"');
		for (int i = 0; i < 60; i++)
			sl_buf_addc(&b, 'a');
		sl_buf_adds(&b, "b\"");
		ok(s && sl_json_parse(&a, b.data, b.len, &inst, NULL) ==
		    SL_JSON_OK, "backtracking pattern compiles");
		sl_buf_reset(&col.out);
		n = s ? sl_schema_validate(s, &inst, &sa, collect_viol, &col,
		    0) : 0;
		ok(n == 1 && strstr(col.out.data, "\"\" pattern /pattern: ") ==
		    col.out.data, "catastrophic backtracking ends in a "
		    "violation: %s", col.out.data ? col.out.data : "");
		sl_buf_release(&b);
	}
	free(text);
	sl_schema_free(s);

	/* many required names (more than 64 bits) */
	{
		struct sl_buf b = SL_BUF_INIT, d = SL_BUF_INIT;

		sl_buf_adds(&b, "{\"required\":[");
		sl_buf_adds(&d, "{");
		for (int i = 0; i < 100; i++) {
			sl_buf_addf(&b, "%s\"k%d\"", i ? "," : "", i);
			if (i != 77)
				sl_buf_addf(&d, "%s\"k%d\":%d", i ? "," : "",
				    i, i);
		}
		sl_buf_adds(&b, "]}");
		sl_buf_adds(&d, "}");
		s = compile_text(&a, b.data, 0, &err);
		ok(s && sl_json_parse(&a, d.data, d.len, &inst, NULL) ==
		    SL_JSON_OK, "100 required names");
		sl_buf_reset(&col.out);
		n = s ? sl_schema_validate(s, &inst, &sa, collect_viol, &col,
		    0) : 0;
		is_str(col.out.data, "\"\" required /required: required "
		    "property \"k77\" is missing", "100 required: k77 missing");
		sl_schema_free(s);
		sl_buf_release(&b);
		sl_buf_release(&d);
	}

	/* unique items beyond the pairwise threshold */
	{
		struct sl_buf d = SL_BUF_INIT;

		s = compile_text(&a, "{\"uniqueItems\":true}", 0, &err);
		sl_buf_adds(&d, "[");
		for (int i = 0; i < 1000; i++)
			sl_buf_addf(&d, "%s%d", i ? "," : "", i);
		sl_buf_adds(&d, ",{\"a\":1,\"b\":2},{\"b\":2,\"a\":1.0}]");
		sl_buf_reset(&col.out);
		ok(s && sl_json_parse(&a, d.data, d.len, &inst, NULL) ==
		    SL_JSON_OK, "1002 items");
		sl_buf_reset(&col.out);
		n = s ? sl_schema_validate(s, &inst, &sa, collect_viol, &col,
		    0) : 0;
		is_str(col.out.data, "\"\" uniqueItems /uniqueItems: items "
		    "1000 and 1001 are equal", "uniqueItems by hash, JSON "
		    "equality");
		/* 200000 items: sorted hashes, not 2e10 comparisons */
		sl_buf_reset(&d);
		sl_buf_adds(&d, "[");
		for (int i = 0; i < 200000; i++)
			sl_buf_addf(&d, "%s%d", i ? "," : "", i % 100000);
		sl_buf_adds(&d, "]");
		ok(s && sl_json_parse(&a, d.data, d.len, &inst, NULL) ==
		    SL_JSON_OK, "200000 items");
		sl_buf_reset(&col.out);
		n = s ? sl_schema_validate(s, &inst, &sa, collect_viol, &col,
		    0) : 0;
		is_str(col.out.data, "\"\" uniqueItems /uniqueItems: items "
		    "0 and 100000 are equal", "uniqueItems on 200000 items");
		sl_schema_free(s);
		sl_buf_release(&d);
	}
	sl_buf_release(&col.out);
	sl_arena_release(&a);
	sl_arena_release(&sa);
}

/* What a user sees: every violation of a table of simple cases. */
static void
test_violations(void)
{
	static const struct {
		const char *schema, *inst;
		unsigned flags;
		const char *want;	/* lines "ptr keyword path: message" */
	} cases[] = {
		{ "{\"type\":\"integer\"}", "1.5", 0,
		  "\"\" type /type: expected integer, got number" },
		{ "{\"type\":\"integer\"}", "1.0", 0, "" },
		{ "{\"type\":[\"string\",\"null\"]}", "{}", 0,
		  "\"\" type /type: expected null or string, got object" },
		{ "{\"properties\":{\"age\":{\"maximum\":120}}}",
		  "{\"age\":230}", 0,
		  "/age maximum /properties/age/maximum: 230 is above the "
		  "maximum 120" },
		{ "{\"minimum\":1e-3}", "0.00099", 0,
		  "\"\" minimum /minimum: 0.00099 is below the minimum 1e-3" },
		{ "{\"exclusiveMaximum\":10}", "10.0", 0,
		  "\"\" exclusiveMaximum /exclusiveMaximum: 10.0 is not below "
		  "the exclusive maximum 10" },
		{ "{\"exclusiveMinimum\":9007199254740992}",
		  "9007199254740993", 0, "" },
		{ "{\"maximum\":9007199254740992}", "9007199254740993", 0,
		  "\"\" maximum /maximum: 9007199254740993 is above the maximum "
		  "9007199254740992" },
		{ "{\"multipleOf\":0.0001}", "19.9999", 0, "" },
		{ "{\"multipleOf\":0.0001}", "19.99995", 0,
		  "\"\" multipleOf /multipleOf: 19.99995 is not a multiple of "
		  "0.0001" },
		{ "{\"multipleOf\":3}", "1e400", 0,
		  "\"\" multipleOf /multipleOf: 1e400 is not a multiple of 3" },
		{ "{\"multipleOf\":5}", "1e400", 0, "" },
		{ "{\"required\":[\"id\",\"email\"]}", "{\"id\":1}", 0,
		  "\"\" required /required: required property \"email\" is "
		  "missing" },
		{ "{\"properties\":{\"a\":{}},\"additionalProperties\":false}",
		  "{\"a\":1,\"b/c\":2,\"d~\":3}", 0,
		  "/b~1c additionalProperties /additionalProperties: property "
		  "\"b/c\" is not allowed\n"
		  "/d~0 additionalProperties /additionalProperties: property "
		  "\"d~\" is not allowed" },
		{ "{\"items\":{\"type\":\"string\"}}", "[\"a\",1,null]", 0,
		  "/1 type /items/type: expected string, got number\n"
		  "/2 type /items/type: expected string, got null" },
		{ "{\"prefixItems\":[{}],\"items\":false}", "[1,2]", 0,
		  "/1 items /items: no item is allowed beyond the first 1" },
		{ "{\"enum\":[\"a\",\"b\"]}", "\"c\"", 0,
		  "\"\" enum /enum: \"c\" is not one of the 2 allowed values" },
		{ "{\"enum\":[1,2,3,4,5,6,7,8,9,10,{\"a\":[1]}]}",
		  "{\"a\":[1.0]}", 0, "" },
		{ "{\"enum\":[1,2,3,4,5,6,7,8,9,10,12]}", "1.2e1", 0, "" },
		{ "{\"enum\":[1,2,3,4,5,6,7,8,9,10,12]}", "0.12e2", 0, "" },
		{ "{\"enum\":[1,2,3,4,5,6,7,8,9,10,12]}", "120e-1", 0, "" },
		{ "{\"enum\":[1,2,3,4,5,6,7,8,9,10,12]}", "1.21e1", 0,
		  "\"\" enum /enum: 1.21e1 is not one of the 11 allowed values" },
		{ "{\"uniqueItems\":true}",
		  "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,"
		  "24,25,26,27,28,29,30,31,32,33,1.2e1]", 0,
		  "\"\" uniqueItems /uniqueItems: items 11 and 33 are equal" },
		{ "{\"const\":{\"a\":1,\"b\":[true]}}",
		  "{\"b\":[true],\"a\":1.00}", 0, "" },
		{ "{\"const\":\"x\"}", "\"y\"", 0,
		  "\"\" const /const: \"y\" is not the required constant" },
		{ "{\"properties\":{\"email\":{\"pattern\":\"^[^@\\\\s]+@[^@\\\\s]+$\"}}}",
		  "{\"email\":\"a b@c\"}", 0,
		  "/email pattern /properties/email/pattern: \"a b@c\" does not "
		  "match the pattern \"^[^@\\s]+@[^@\\s]+$\"" },
		{ "{\"pattern\":\"^a.c$\"}", "\"a\\nc\"", 0,
		  "\"\" pattern /pattern: \"a\\nc\" does not match the pattern "
		  "\"^a.c$\"" },
		{ "{\"pattern\":\"^a.c$\"}", "\"a\\u2028c\"", 0,
		  "\"\" pattern /pattern: \"a\xe2\x80\xa8" "c\" does not match "
		  "the pattern \"^a.c$\"" },
		{ "{\"pattern\":\"^a.c$\"}", "\"a\\u00e9c\"", 0, "" },
		{ "{\"pattern\":\"^\\\\s\\\\d$\"}", "\"\\u00a01\"", 0, "" },
		{ "{\"pattern\":\"^\\\\d$\"}", "\"\\u0661\"", 0,
		  "\"\" pattern /pattern: \"\xd9\xa1\" does not match the pattern "
		  "\"^\\d$\"" },
		{ "{\"maxLength\":2}", "\"\\u65e5\\u672c\\u8a9e\"", 0,
		  "\"\" maxLength /maxLength: \"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\" "
		  "is longer than 2 characters" },
		{ "{\"minLength\":2}", "\"\\u65e5\\u672c\"", 0, "" },
		{ "{\"minItems\":2}", "[1]", 0,
		  "\"\" minItems /minItems: 1 items, fewer than 2" },
		{ "{\"maxProperties\":1}", "{\"a\":1,\"b\":2}", 0,
		  "\"\" maxProperties /maxProperties: 2 properties, more than 1" },
		{ "{\"anyOf\":[{\"type\":\"string\"},{\"type\":\"integer\"}]}",
		  "1.5", 0,
		  "\"\" anyOf /anyOf: 1.5 matches none of the 2 schemas in "
		  "\"anyOf\"" },
		{ "{\"oneOf\":[{\"minimum\":0},{\"maximum\":10}]}", "5", 0,
		  "\"\" oneOf /oneOf: 5 matches more than one schema in "
		  "\"oneOf\" (0 and 1)" },
		{ "{\"not\":{\"type\":\"null\"}}", "null", 0,
		  "\"\" not /not: null matches the schema in \"not\"" },
		{ "{\"if\":{\"properties\":{\"t\":{\"const\":\"b\"}}},"
		  "\"then\":{\"required\":[\"vat\"]},"
		  "\"else\":{\"required\":[\"ssn\"]}}", "{\"t\":\"b\"}", 0,
		  "\"\" required /then/required: required property \"vat\" is "
		  "missing" },
		{ "{\"$defs\":{\"pos\":{\"minimum\":0}},"
		  "\"properties\":{\"n\":{\"$ref\":\"#/$defs/pos\"}}}",
		  "{\"n\":-1}", 0,
		  "/n minimum /$defs/pos/minimum: -1 is below the minimum 0" },
		{ "{\"type\":\"object\",\"required\":[\"a\"],"
		  "\"properties\":{\"b\":{\"type\":\"string\"}}}", "{\"b\":1}", 0,
		  "/b type /properties/b/type: expected string, got number\n"
		  "\"\" required /required: required property \"a\" is missing" },
		{ "{\"dependentRequired\":{\"card\":[\"billing\"]}}",
		  "{\"card\":1}", 0,
		  "\"\" dependentRequired /dependentRequired/card: property "
		  "\"billing\" is required when \"card\" is present" },
		{ "{\"dependencies\":{\"card\":[\"billing\"],"
		  "\"vip\":{\"required\":[\"tier\"]}}}", "{\"card\":1,\"vip\":1}", 0,
		  "\"\" dependencies /dependencies/card: property \"billing\" is "
		  "required when \"card\" is present\n"
		  "\"\" required /dependencies/vip/required: required property "
		  "\"tier\" is missing" },
		{ "{\"contains\":{\"const\":1}}", "[2,3]", 0,
		  "\"\" contains /contains: no item matches \"contains\"" },
		{ "{\"contains\":{\"const\":1},\"maxContains\":1}", "[1,1]", 0,
		  "\"\" maxContains /maxContains: 2 items match \"contains\", "
		  "more than maxContains 1" },
		{ "{\"uniqueItems\":true}", "[1,2,1.0]", 0,
		  "\"\" uniqueItems /uniqueItems: items 0 and 2 are equal" },
		{ "{\"propertyNames\":{\"maxLength\":3}}", "{\"abcd\":1}", 0,
		  "/abcd maxLength /propertyNames/maxLength: \"abcd\" is longer "
		  "than 3 characters" },
		{ "{\"properties\":{\"a\":{}},\"unevaluatedProperties\":false}",
		  "{\"a\":1,\"x\":2}", 0,
		  "/x unevaluatedProperties /unevaluatedProperties: property "
		  "\"x\" is not allowed" },
		{ "{\"properties\":{\"a\":false}}", "{\"a\":1}", 0,
		  "/a false /properties/a: no value is allowed here (the schema "
		  "is false)" },
		{ "false", "1", 0,
		  "\"\" false : no value is allowed here (the schema is false)" },
		{ "{\"format\":\"email\"}", "\"nobody\"", SL_SCHEMA_FORMAT_ASSERT,
		  "\"\" format /format: \"nobody\" is not a valid email" },
		{ "{\"format\":\"email\"}", "\"nobody\"", 0, "" },
		{ "{\"format\":\"date\"}", "\"2023-02-29\"",
		  SL_SCHEMA_FORMAT_ASSERT,
		  "\"\" format /format: \"2023-02-29\" is not a valid date" },
		{ "{\"properties\":{\"s\":{\"type\":\"number\"}}}",
		  "{\"s\":\"0123456789012345678901234567890123456789xyz\"}", 0,
		  "/s type /properties/s/type: expected number, got string" },
		{ "{\"const\":1}",
		  "\"0123456789012345678901234567890123456789xyz\"", 0,
		  "\"\" const /const: \"0123456789012345678901234567890123456789\""
		  "... is not the required constant" },
		{ "{\"$id\":\"https://x.example/s\",\"$defs\":{\"p\":{\"$id\":"
		  "\"p\",\"$anchor\":\"q\",\"type\":\"string\"}},"
		  "\"items\":{\"$ref\":\"p#q\"}}", "[\"ok\",3]", 0,
		  "/1 type /$defs/p/type: expected string, got number" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sl_arena a = SL_ARENA_INIT, sa = SL_ARENA_INIT;
		struct sl_schema_error err;
		struct sl_schema *s = compile_text(&a, cases[i].schema,
		    cases[i].flags, &err);
		struct collect col = { SL_BUF_INIT };
		struct sl_json inst;
		size_t n, fast, want_n = cases[i].want[0] ? 1 : 0;

		for (const char *p = cases[i].want; *p; p++)
			want_n += *p == '\n';
		if (s == NULL || sl_json_parse(&a, cases[i].inst,
		    strlen(cases[i].inst), &inst, NULL) != SL_JSON_OK) {
			ok(0, "violations: %s on %s: %s", cases[i].schema,
			    cases[i].inst, s ? "bad instance" : err.msg);
			sl_schema_free(s);
			sl_arena_release(&a);
			continue;
		}
		fast = sl_schema_validate(s, &inst, &sa, NULL, NULL, 0);
		n = sl_schema_validate(s, &inst, &sa, collect_viol, &col, 0);
		is_str(col.out.data ? col.out.data : "", cases[i].want,
		    "violations: %s on %s", cases[i].schema, cases[i].inst);
		ok(n == want_n && fast == (want_n ? 1 : 0),
		    "counts: %zu reported, fast mode %zu", n, fast);
		if (want_n > 1) {
			sl_buf_reset(&col.out);
			n = sl_schema_validate(s, &inst, &sa, collect_viol,
			    &col, 1);
			ok(n == 1 && strchr(col.out.data, '\n') == NULL,
			    "max 1: one violation reported");
		}
		sl_buf_release(&col.out);
		sl_schema_free(s);
		sl_arena_release(&a);
		sl_arena_release(&sa);
	}
}

/* sl_schema_format_check, the public face of the format checkers. */
static void
test_format_check(void)
{
	static const struct {
		const char *fmt, *s;
		int want;
	} cases[] = {
		{ "email", "ada@example.org", 1 },
		{ "email", "ada@@example.org", 0 },
		{ "email", "\"a b\"@x.org", 1 },
		{ "email", "\"a\\\"b\"@x.org", 1 },
		{ "email", "\"\"@x.org", 1 },
		{ "email", "\"a\tb\"@x.org", 0 },
		{ "email", "\"j\xc3\xbcrgen\"@x.org", 0 },
		{ "email", "\"a\\\"@x.org", 0 },
		{ "email", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		  "@x.org", 1 },
		{ "email", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		  "@x.org", 0 },
		{ "date-time", "2026-11-25T01:45:00Z", 1 },
		{ "date-time", "2026-11-25 01:45:00Z", 0 },
		{ "date", "2024-02-29", 1 },
		{ "date", "2100-02-29", 0 },
		{ "time", "23:59:60Z", 1 },
		{ "time", "22:59:60Z", 0 },
		{ "duration", "P1DT2H", 1 },
		{ "duration", "PT", 0 },
		{ "uuid", "2eb8aa08-aa98-11ea-b4aa-73b441d16380", 1 },
		{ "uuid", "2eb8aa08aa9811eab4aa73b441d16380", 0 },
		{ "ipv4", "192.168.0.1", 1 },
		{ "ipv4", "192.168.0.01", 0 },
		{ "ipv6", "::ffff:192.168.0.1", 1 },
		{ "ipv6", "1::2::3", 0 },
		{ "uri", "https://example.org/a?b#c", 1 },
		{ "uri", "/relative", 0 },
		{ "hostname", "example.org", -1 },
		{ "", "x", -1 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		is_int(sl_schema_format_check(cases[i].fmt, cases[i].s,
		    strlen(cases[i].s)), cases[i].want, "format %s: \"%s\"",
		    cases[i].fmt, cases[i].s);
	is_int(sl_schema_format_check("email", "a@b.c\0d", 7), 0,
	    "format email: an embedded NUL");
	is_int(sl_schema_format_check("ipv4", "1.2.3.4\0", 8), 0,
	    "format ipv4: an embedded NUL");
}

/*
 * Schemas whose in-place applicators multiply the work: a fan of allOf
 * over two $refs, 40 levels deep, is 2^40 evaluations of one value.  The
 * evaluation budget makes it a violation in well under a second; a fan of
 * 16 levels (65536 evaluations) is still checked in full.
 */
static struct sl_schema *
fan_schema(struct sl_arena *a, int levels, const char *leaf,
    struct sl_schema_error *err)
{
	struct sl_buf b = SL_BUF_INIT;
	struct sl_schema *s;

	sl_buf_adds(&b, "{\"$ref\":\"#/$defs/d0\",\"$defs\":{");
	for (int i = 0; i < levels; i++)
		sl_buf_addf(&b, "\"d%d\":{\"allOf\":[{\"$ref\":\"#/$defs/d%d\"},"
		    "{\"$ref\":\"#/$defs/d%d\"}]},", i, i + 1, i + 1);
	sl_buf_addf(&b, "\"d%d\":%s}}", levels, leaf);
	s = compile_text(a, b.data, 0, err);
	sl_buf_release(&b);
	return s;
}

static void
test_budget(void)
{
	struct sl_arena a = SL_ARENA_INIT, sa = SL_ARENA_INIT;
	struct sl_schema_error err;
	struct sl_schema *s;
	struct sl_json one, str, arr;
	struct collect col = { SL_BUF_INIT };
	const char *deep;
	size_t n;

	ok(sl_json_parse(&a, "1", 1, &one, NULL) == SL_JSON_OK &&
	    sl_json_parse(&a, "\"x\"", 3, &str, NULL) == SL_JSON_OK,
	    "budget: instances parse");
	s = fan_schema(&a, 40, "{\"type\":\"integer\"}", &err);
	ok(s != NULL, "budget: a fan of 40 levels compiles");
	is_int(sl_schema_validate(s, &one, &sa, NULL, NULL, 0), 1,
	    "budget: a value that would take 2^40 evaluations is invalid, "
	    "fast mode");
	n = sl_schema_validate(s, &one, &sa, collect_viol, &col, 0);
	is_int(n, 1, "budget: one violation, reporting mode");
	ok(strstr(col.out.data, "\"\" schema : too costly to check: "
	    "more than 20000000 schema evaluations") != NULL,
	    "budget: the violation says why: %s", col.out.data);
	sl_buf_reset(&col.out);
	/* a value failing at the first leaf is reported before the budget */
	n = sl_schema_validate(s, &str, &sa, collect_viol, &col, 3);
	is_int(n, 3, "budget: --max-errors-like cap stops a failing fan early");
	sl_schema_free(s);
	sl_buf_reset(&col.out);

	s = fan_schema(&a, 16, "{\"type\":\"integer\"}", &err);
	is_int(s ? (int)sl_schema_validate(s, &one, &sa, NULL, NULL, 0) : -1, 0,
	    "budget: a fan of 16 levels is checked in full, valid");
	is_int(s ? (int)sl_schema_validate(s, &str, &sa, NULL, NULL, 0) : -1, 1,
	    "budget: a fan of 16 levels is checked in full, invalid");
	sl_schema_free(s);

	/* the work multiplied by the instance: doubling recursion, 60 deep */
	s = compile_text(&a, "{\"items\":{\"allOf\":[{\"$ref\":\"#\"},"
	    "{\"$ref\":\"#\"}]}}", 0, &err);
	deep = "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
	    "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]";
	ok(s != NULL && sl_json_parse(&a, deep, strlen(deep), &arr, NULL) ==
	    SL_JSON_OK, "budget: doubling recursion compiles");
	n = s ? sl_schema_validate(s, &arr, &sa, collect_viol, &col, 0) : 0;
	ok(n == 1 && strstr(col.out.data, "too costly to check"),
	    "budget: 2^60 evaluations through the instance: %s", col.out.data);
	sl_schema_free(s);
	sl_buf_release(&col.out);
	sl_arena_release(&sa);
	sl_arena_release(&a);
}

int
main(void)
{
	const char *conf = getenv("CONFORMANCE");
	struct sl_buf dir = SL_BUF_INIT, fdir = SL_BUF_INIT, odir = SL_BUF_INIT;
	struct totals ann = { 0, 0, 0 }, fmt = { 0, 0, 0 }, opt = { 0, 0, 0 };
	char **names;
	size_t n;

	if (conf == NULL || *conf == '\0')
		conf = "tests/fixtures/conformance";
	if (getenv("SCHEMA_FUZZ"))
		fuzz_rounds = strtol(getenv("SCHEMA_FUZZ"), NULL, 10);
	if (getenv("SCHEMA_FUZZ_SEED"))
		tap_rand_seed(strtoull(getenv("SCHEMA_FUZZ_SEED"), NULL, 10));
	sl_buf_addf(&dir, "%s/json-schema-test-suite/tests/draft2020-12", conf);
	sl_buf_addf(&odir, "%s/optional", dir.data);
	sl_buf_addf(&fdir, "%s/optional/format", dir.data);

	test_refused();
	test_hostile();
	test_budget();
	test_violations();
	test_format_check();

	names = list_json(dir.data, &n);
	if (n == 0)
		printf("# SKIP suite not found in %s\n", dir.data);
	for (size_t i = 0; i < n; i++) {
		struct fuzz fz = { 0, 0, 0 };

		run_file(dir.data, names[i], 0, &ann, &fz);
		ok(fz.bad == 0, "%s: %d mutated schemas compiled, %d refused "
		    "(pointing into the schema)", names[i], fz.compiled,
		    fz.refused);
		free(names[i]);
	}
	free(names);
	for (size_t i = 0; asserted_formats[i]; i++)
		if (n)
			run_file(fdir.data, asserted_formats[i],
			    SL_SCHEMA_FORMAT_ASSERT, &fmt, NULL);
	names = list_json(odir.data, &n);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(names[i], "format-assertion.json") != 0)
			run_file(odir.data, names[i], 0, &opt, NULL);
		free(names[i]);
	}
	free(names);
	tap_diag("draft2020-12 (format as annotation): passed %d, failed %d, "
	    "skipped %d", ann.passed, ann.failed, ann.skipped);
	tap_diag("optional/format, 9 formats asserted: passed %d, failed %d, "
	    "skipped %d", fmt.passed, fmt.failed, fmt.skipped);
	tap_diag("other optional files: passed %d, "
	    "failed %d, skipped %d", opt.passed, opt.failed, opt.skipped);
	sl_buf_release(&dir);
	sl_buf_release(&fdir);
	sl_buf_release(&odir);
	return tap_done();
}
