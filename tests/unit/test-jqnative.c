/*
 * test-jqnative.c - the native jq subset against libjq, which is the
 * reference: for every program and input, whenever jqnative gives outputs
 * they must be byte for byte what libjq gives (printed by sl_jq_write), and
 * whenever libjq fails jqnative must hand the record back (-1).
 *
 * A table fixes which programs are in the subset, which records it hands
 * back and which programs it refuses; then seeded random programs from the
 * subset's grammar run over seeded random records.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "jqbridge.h"
#include "jqnative.h"
#include "tap.h"

enum expect { NATIVE, BACK, REFUSED };

/*
 * Sanitizer builds: libjq 1.6 leaks on its own error paths, which the
 * reference runs here provoke on purpose (see
 * tests/fixtures/transform/libjq-leaks.supp, the same list).  Stacks must
 * reach through libjq for the names to match.
 */
const char *__lsan_default_suppressions(void);
const char *__asan_default_options(void);

const char *
__lsan_default_suppressions(void)
{
	return "leak:sl_jq_next\nleak:sl_jq_compile\nleak:key_jv\n";
}

const char *
__asan_default_options(void)
{
	return "fast_unwind_on_malloc=0";
}

/* libjq's outputs, one per line, or "error: ..." after the ones before */
static void
run_libjq(struct sl_jq *q, const struct sl_json *in, struct sl_buf *out,
    int *ok_out)
{
	struct sl_buf err = SL_BUF_INIT;
	jv o;
	int r;

	*ok_out = 0;
	sl_jq_start(q, sl_jq_from_json(in));
	while ((r = sl_jq_next(q, &o, &err)) == 1) {
		sl_jq_write(out, o);
		sl_buf_addc(out, '\n');
		jv_free(o);
	}
	if (r < 0)
		sl_buf_addf(out, "error: %s", err.data ? err.data : "");
	else
		*ok_out = 1;
	sl_buf_release(&err);
	if (r < 0)
		sl_jq_start(q, jv_null());	/* leave libjq clean */
}

/* 1 native, 0 handed back, -1 not compiled; outputs as run_libjq */
static int
run_native(struct sl_jqn *q, const struct sl_json *in, struct sl_buf *out)
{
	const struct sl_jqn_out *o;
	int n;

	if (!q)
		return -1;
	n = sl_jqn_run(q, in, &o);
	for (int i = 0; i < n; i++) {
		jv v = sl_jqn_out_jv(&o[i]);

		sl_jq_write(out, v);
		sl_buf_addc(out, '\n');
		jv_free(v);
	}
	return n >= 0;
}

static int libjq_ok_last;

/* program as one line, for test names */
static const char *
shown(const char *program)
{
	static char line[256];
	size_t i;

	for (i = 0; program[i] && i < sizeof(line) - 1; i++)
		line[i] = program[i] == '\n' ? ' ' : program[i];
	line[i] = '\0';
	return line;
}

/*
 * Checks program (compiled by libjq as jq, by jqnative as qn, NULL when it
 * refused) on one input; returns what jqnative did (as run_native).
 */
static int
check(const char *program, struct sl_jq *jq, struct sl_jqn *qn,
    const char *input, int quiet)
{
	struct sl_arena a;
	struct sl_json in;
	struct sl_buf want = SL_BUF_INIT, got = SL_BUF_INIT;
	int libjq_ok, r;

	sl_arena_init(&a);
	if (sl_json_parse(&a, input, strlen(input), &in, NULL) != SL_JSON_OK) {
		ok(0, "test input is JSON: %s", input);
		sl_arena_release(&a);
		return -1;
	}
	run_libjq(jq, &in, &want, &libjq_ok);
	libjq_ok_last = libjq_ok;
	r = run_native(qn, &in, &got);
	if (r == 1 && (!libjq_ok || strcmp(want.data ? want.data : "",
	    got.data ? got.data : "") != 0)) {
		ok(0, "%s on %s: native gives what libjq gives",
		    shown(program), input);
		tap_diag("  libjq: %s", want.data ? want.data : "");
		tap_diag(" native: %s", got.data ? got.data : "");
	} else if (!quiet) {
		ok(1, "%s on %s: %s", shown(program), input, r == 1 ?
		    "same outputs" :
		    r == 0 ? "handed back" : "not in the subset");
	}
	sl_buf_release(&want);
	sl_buf_release(&got);
	sl_arena_release(&a);
	return r;
}

static const struct row {
	const char *program, *input;
	enum expect expect;
} rows[] = {
	/* paths */
	{ ".", "{\"a\":1,\"b\":[1,2]}", NATIVE },
	{ ".a", "{\"a\":1,\"b\":[1,2]}", NATIVE },
	{ ".a", "{\"a\":1,\"a\":2}", NATIVE },
	{ ".missing", "{\"a\":1}", NATIVE },
	{ ".a.b.c", "{\"a\":{\"b\":{\"c\":\"deep\"}}}", NATIVE },
	{ ".a.b", "{\"a\":null}", NATIVE },
	{ ".\"a b\"", "{\"a b\":3}", NATIVE },
	{ ".a.\"x\"", "{\"a\":{\"x\":true}}", NATIVE },
	{ ".[\"a\"]", "{\"a\":7}", NATIVE },
	{ ".b[1]", "{\"b\":[10,20,30]}", NATIVE },
	{ ".b[-1]", "{\"b\":[10,20,30]}", NATIVE },
	{ ".b[5]", "{\"b\":[10,20,30]}", NATIVE },
	{ ".b[1.5]", "{\"b\":[10,20,30]}", BACK },
	{ ".[0]", "null", NATIVE },
	{ ".a", "[1]", BACK },
	{ ".[0]", "{}", BACK },
	{ ".a", "5", BACK },
	{ ".b[]", "{\"b\":[1,\"x\",null]}", NATIVE },
	{ ".[]", "{\"a\":1,\"b\":2,\"a\":3}", NATIVE },
	{ ".[]", "null", BACK },
	{ "[.[] | .x]", "[{\"x\":1},{\"x\":2},{}]", NATIVE },
	{ "[.[0,1]]", "[\"p\",\"q\",\"r\"]", NATIVE },
	{ "[(.[0],.[1])[0,1]]", "[[1,2],[3,4]]", NATIVE },
	/* literals */
	{ "1, -2, 3.50, 1e3, .5, 1.e2, \"s\\t\\\"q\\\"\", true, false, null",
	    "null", NATIVE },
	{ "-(0)", "null", NATIVE },
	{ "100000000000000000001", "null", NATIVE },
	{ "\"caf\xc3\xa9\"", "null", NATIVE },
	/* operators */
	{ ".a + .b, .a - .b, .a * .b, .a / .b, .a % .b", "{\"a\":7,\"b\":2}",
	    NATIVE },
	{ "-5 % 3, 5 % -3, 5.5 % 2, 4 % 2.5", "null", NATIVE },
	{ ".a / 0", "{\"a\":1}", BACK },
	{ ".a % 0.5", "{\"a\":1}", BACK },
	{ "null + .a, .a + null", "{\"a\":\"x\"}", NATIVE },
	{ ".a + .b", "{\"a\":\"x\",\"b\":\"y\"}", NATIVE },
	{ ".a + .b", "{\"a\":[1],\"b\":[2,3]}", NATIVE },
	{ ".a + .b", "{\"a\":{\"k\":1,\"m\":2},\"b\":{\"k\":3}}", NATIVE },
	{ ".a + .b", "{\"a\":1,\"b\":\"y\"}", BACK },
	{ ".a * 2", "{\"a\":\"ab\"}", BACK },
	{ ".a - .b", "{\"a\":[1,2],\"b\":[2]}", BACK },
	{ "-.a", "{\"a\":\"x\"}", BACK },
	{ "-.a", "{\"a\":0}", NATIVE },
	{ "-1 + 2, -2 * 3, 2 * -3 + 1, 1 - -1", "null", NATIVE },
	{ "[(1,2) + (10,20)]", "null", NATIVE },
	{ "[(1,2) < (2,3)]", "null", NATIVE },
	{ ".a == .b, .a != .b, .a < .b, .a <= .b, .a > .b, .a >= .b",
	    "{\"a\":1,\"b\":1.0}", NATIVE },
	{ "[.[] < 1]", "[null,false,true,0,1,2,\"a\",[],{}]", NATIVE },
	{ "[.[] == .[0]]", "[{\"a\":1,\"b\":2},{\"b\":2,\"a\":1},[1],\"1\",1]",
	    NATIVE },
	{ ".a == .b", "{\"a\":[1,{\"x\":2}],\"b\":[1,{\"x\":2.0}]}", NATIVE },
	{ ".a < .b", "{\"a\":\"abc\",\"b\":\"abd\"}", NATIVE },
	{ ".a < .b", "{\"a\":{\"k\":1},\"b\":{\"k\":2}}", NATIVE },
	{ "[(true,false) and (true,false)]", "null", NATIVE },
	{ "[(true,false) or (true,false)]", "null", NATIVE },
	{ ".a and .b or .c", "{\"a\":1,\"b\":null,\"c\":0}", NATIVE },
	{ ".a // .b", "{\"a\":null,\"b\":2}", NATIVE },
	{ ".a // .b", "{\"a\":false,\"b\":2}", NATIVE },
	{ ".a // .b", "{\"a\":0,\"b\":2}", NATIVE },
	{ "[.[] // 9]", "[null,1,false,2]", NATIVE },
	{ "[.[] // 9]", "[null,false]", NATIVE },
	{ "(.a // 0) * 1.1", "{\"a\":3}", NATIVE },
	{ "1, 2 | . * 10", "null", NATIVE },
	{ "1 // 2, 3", "null", NATIVE },
	/* construction */
	{ "[]", "null", NATIVE },
	{ "[.a, .b]", "{\"a\":1,\"b\":2}", NATIVE },
	{ "{a, b: .c, \"d\": 1, (.k): 2}", "{\"a\":1,\"c\":3,\"k\":\"z\"}",
	    NATIVE },
	{ "{\"a\"}", "{\"a\":5}", NATIVE },
	{ "{a: 1, a: 2}", "null", NATIVE },
	{ "{if: 1, then: 2, and: 3}", "null", NATIVE },
	{ "{a: .b | .c}", "{\"b\":{\"c\":4}}", NATIVE },
	{ "{a: -.b | -.}", "{\"b\":4}", NATIVE },
	{ "{a: (1,2)}", "null", BACK },
	{ "{a: empty}", "null", BACK },
	{ "{(.k): 1}", "{\"k\":5}", BACK },
	{ "{a}", "[1]", BACK },
	{ "{id, email, income: ((.income // 0) * 1.1)}",
	    "{\"id\":12345678901234567890,\"email\":\"a@b.c\",\"income\":null}",
	    NATIVE },
	/* builtins */
	{ "select(.age > 30) | {id, email, income: ((.income // 0) * 1.1)}",
	    "{\"id\":1,\"age\":31,\"email\":\"a@b.c\",\"income\":10.5}",
	    NATIVE },
	{ "select(.age > 30)", "{\"age\":3}", NATIVE },
	{ "select(.age > 30)", "{\"age\":null}", NATIVE },
	{ "[.[] | select(. > 1)]", "[0,1,2,3]", NATIVE },
	{ "select((true, true))", "1", NATIVE },
	{ "empty", "1", NATIVE },
	{ "[., empty, .]", "1", NATIVE },
	{ "[.[] | not]", "[null,false,0,\"\",[]]", NATIVE },
	{ "[.[] | length]", "[null,-3.5,\"h\xc3\xa9llo\",[1,2],{\"a\":1,\"a\":2}]",
	    NATIVE },
	{ "length", "true", BACK },
	{ "[.[] | type]", "[null,true,false,1,\"s\",[],{}]", NATIVE },
	{ "keys", "{\"b\":1,\"a\":2,\"b\":3}", NATIVE },
	{ "keys", "[5,6]", NATIVE },
	{ "keys", "null", BACK },
	{ "map(. * 2)", "[1,2,3]", NATIVE },
	{ "map(.+1)", "{\"a\":5,\"b\":6}", NATIVE },
	{ "map(.x)", "5", BACK },
	{ "has(\"a\"), has(\"z\")", "{\"a\":null}", NATIVE },
	{ "has(0, 5)", "[1,2]", NATIVE },
	{ "has(\"a\")", "[1]", BACK },
	{ "if .a then \"yes\" elif .b then \"b\" else \"no\" end",
	    "{\"a\":false,\"b\":1}", NATIVE },
	{ "[if (true, false) then 1 else 2 end]", "null", NATIVE },
	{ "if . then 1 else 2 end | . + 1", "true", NATIVE },
	{ ".a # a comment\n| . + 1", "{\"a\":1}", NATIVE },
	/* outside the subset: libjq alone */
	{ ".a |= . + 1", "{\"a\":1}", REFUSED },
	{ ".a = 1", "{\"a\":1}", REFUSED },
	{ ".a += 1", "{\"a\":1}", REFUSED },
	{ ".a?", "{\"a\":1}", REFUSED },
	{ "..", "{\"a\":1}", REFUSED },
	{ ".a[1:]", "{\"a\":[1,2]}", REFUSED },
	{ ". as $x | $x", "1", REFUSED },
	{ "$__loc__", "1", REFUSED },
	{ "\"\\(.a)\"", "{\"a\":1}", REFUSED },
	{ "\"\\u00e9\"", "1", REFUSED },
	{ "@base64", "\"a\"", REFUSED },
	{ "def f: 1; f", "1", REFUSED },
	{ "reduce .[] as $x (0; . + $x)", "[1,2]", REFUSED },
	{ "try error(\"x\") catch .", "1", REFUSED },
	{ "tostring", "1", REFUSED },
	{ "path(.a)", "{}", REFUSED },
	{ "to_entries", "{}", REFUSED },
	{ "splits(\"a\")", "\"bab\"", REFUSED },
	{ "test(\"a\")", "\"bab\"", REFUSED },
	{ "input", "1", REFUSED },
	{ "env", "1", REFUSED },
	{ "ltrimstr(\"a\")", "\"ab\"", REFUSED },
	{ ".a as [$x] | $x", "{\"a\":[1]}", REFUSED },
	{ ".a | .b |= 1", "{}", REFUSED },
};

/* ---- random programs and records ------------------------------------- */

static void gen_prog(struct sl_buf *b, int depth);

static void
gen_leaf(struct sl_buf *b)
{
	static const char *const leaf[] = {
		".", ".a", ".b", ".c", ".[0]", ".[1]", ".[-1]", ".a.b", ".[]",
		"0", "1", "2.5", "-3", "1e3", "\"a\"", "\"b\"", "\"\"", "true",
		"false", "null", "length", "type", "not", "keys", "empty", "[]",
		"{}", "{a}", "{a: 1}", ".[\"b\"]", ".b[0]",
	};

	sl_buf_adds(b, leaf[tap_rand() % (sizeof(leaf) / sizeof(leaf[0]))]);
}

static void
gen_prog(struct sl_buf *b, int depth)
{
	static const char *const bin[] = {
		" | ", ", ", " // ", " and ", " or ", " == ", " != ", " < ",
		" <= ", " > ", " >= ", " + ", " - ", " * ", " / ", " % ",
	};
	unsigned r;

	if (depth <= 0) {
		gen_leaf(b);
		return;
	}
	r = (unsigned)(tap_rand() % 12);
	switch (r) {
	case 0:
	case 1:
		gen_leaf(b);
		return;
	case 2:
	case 3:
	case 4:
		sl_buf_addc(b, '(');
		gen_prog(b, depth - 1);
		sl_buf_adds(b, bin[tap_rand() % (sizeof(bin) / sizeof(bin[0]))]);
		gen_prog(b, depth - 1);
		sl_buf_addc(b, ')');
		return;
	case 5:
		sl_buf_addc(b, '[');
		gen_prog(b, depth - 1);
		sl_buf_addc(b, ']');
		return;
	case 6:
		sl_buf_adds(b, "{a: (");
		gen_prog(b, depth - 1);
		sl_buf_adds(b, "), \"b\": (");
		gen_prog(b, depth - 1);
		sl_buf_adds(b, ")}");
		return;
	case 7:
		sl_buf_adds(b, "(if ");
		gen_prog(b, depth - 1);
		sl_buf_adds(b, " then ");
		gen_prog(b, depth - 1);
		sl_buf_adds(b, " else ");
		gen_prog(b, depth - 1);
		sl_buf_adds(b, " end)");
		return;
	case 8:
		sl_buf_adds(b, tap_rand() % 2 ? "select(" : "map(");
		gen_prog(b, depth - 1);
		sl_buf_addc(b, ')');
		return;
	case 9:
		sl_buf_adds(b, "(-");
		gen_prog(b, depth - 1);
		sl_buf_addc(b, ')');
		return;
	case 10:
		sl_buf_addc(b, '(');
		gen_prog(b, depth - 1);
		sl_buf_adds(b, ")[");
		gen_prog(b, depth - 1);
		sl_buf_addc(b, ']');
		return;
	default:
		sl_buf_adds(b, "has(");
		gen_prog(b, depth - 1);
		sl_buf_addc(b, ')');
		return;
	}
}

static void
gen_value(struct sl_buf *b, int depth)
{
	static const char *const scalar[] = {
		"null", "true", "false", "0", "-0", "1", "2", "-3", "2.5",
		"1e2", "0.1", "12345678901234567890", "\"a\"", "\"b\"", "\"\"",
		"\"h\xc3\xa9\"", "1.0",
	};
	unsigned r = (unsigned)(tap_rand() % (depth > 0 ? 8 : 5));

	if (r < 5) {
		sl_buf_adds(b, scalar[tap_rand() %
		    (sizeof(scalar) / sizeof(scalar[0]))]);
	} else if (r < 6) {
		int n = (int)(tap_rand() % 4);

		sl_buf_addc(b, '[');
		for (int i = 0; i < n; i++) {
			if (i)
				sl_buf_addc(b, ',');
			gen_value(b, depth - 1);
		}
		sl_buf_addc(b, ']');
	} else {
		static const char *const key[] = { "a", "b", "c", "0" };
		int n = (int)(tap_rand() % 4);

		sl_buf_addc(b, '{');
		for (int i = 0; i < n; i++) {
			if (i)
				sl_buf_addc(b, ',');
			sl_buf_addf(b, "\"%s\":", key[tap_rand() % 4]);
			gen_value(b, depth - 1);
		}
		sl_buf_addc(b, '}');
	}
}

int
main(void)
{
	size_t i;
	int cases = 0, native = 0, back = 0, failed_before, jq_ok = 0;
	int jq_ok_native = 0;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct sl_buf err = SL_BUF_INIT;
		struct sl_jq *jq = sl_jq_compile(rows[i].program, jv_object(),
		    &err);
		struct sl_jqn *qn = sl_jqn_compile(rows[i].program);
		int want = rows[i].expect == NATIVE ? 1 :
		    rows[i].expect == BACK ? 0 : -1, r = -2;

		if (ok(jq != NULL, "libjq compiles %s", shown(rows[i].program)))
			r = check(rows[i].program, jq, qn, rows[i].input, 0);
		else
			tap_diag("%s", err.data ? err.data : "");
		sl_buf_release(&err);
		sl_jq_free(jq);
		sl_jqn_free(qn);
		if (r != want)
			ok(0, "%s on %s: expected %s", shown(rows[i].program),
			    rows[i].input, want == 1 ? "a native run" :
			    want == 0 ? "handed back" : "not in the subset");
	}

	/* random programs over random records */
	tap_rand_seed(20261125);
	failed_before = tap_failed;
	for (i = 0; i < 300; i++) {
		struct sl_buf p = SL_BUF_INIT, v = SL_BUF_INIT, err = SL_BUF_INIT;
		struct sl_jq *jq;
		struct sl_jqn *qn;

		gen_prog(&p, 4);
		jq = sl_jq_compile(p.data, jv_object(), &err);
		qn = sl_jqn_compile(p.data);
		/* every generated program is jq and in the subset */
		if (!jq || !qn)
			ok(0, "%s: compiled by libjq (%s) and jqnative (%s)",
			    p.data, jq ? "yes" : "no", qn ? "yes" : "no");
		for (int j = 0; jq && j < 12; j++) {
			int r;

			sl_buf_reset(&v);
			gen_value(&v, 3);
			r = check(p.data, jq, qn, v.data, 1);
			cases++;
			jq_ok += libjq_ok_last;
			jq_ok_native += libjq_ok_last && r == 1;
			native += r == 1;
			back += r == 0;
		}
		sl_jq_free(jq);
		sl_jqn_free(qn);
		sl_buf_release(&p);
		sl_buf_release(&v);
		sl_buf_release(&err);
	}
	ok(tap_failed == failed_before, "%d random cases agree with libjq",
	    cases);
	tap_diag("%d ran natively, %d were handed back", native, back);
	/* the random cases must exercise the native path, not skip it */
	ok(jq_ok_native > jq_ok * 3 / 4, "most random cases libjq runs "
	    "without an error ran natively (%d of %d)", jq_ok_native, jq_ok);
	ok(back > 0, "some random cases were handed back (%d)", back);
	return tap_done();
}
