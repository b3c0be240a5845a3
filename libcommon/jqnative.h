/*
 * jqnative.h - a subset of jq run natively over json.h values.
 *
 * libjq runs every jq program correctly but slowly: each record must be
 * converted to jv values, and the interpreter costs several microseconds a
 * record.  Most programs written for pipelines are small: field access,
 * select, comparisons, arithmetic, object and array construction.  A
 * program written only with the constructs below is compiled here as well,
 * and runs over the parsed record directly, converting to jv only the
 * values it outputs.  libjq stays the reference:
 *
 * - A program is compiled here only after libjq compiled it, and only when
 *   every construct in it is in the subset; otherwise sl_jqn_compile
 *   returns NULL and the caller runs libjq alone.
 * - At run time, anything the subset does not handle the way jq 1.6 does
 *   (every runtime error, a type combination it leaves out, a generator
 *   where it wants exactly one value) makes sl_jqn_run return -1 before
 *   any output is handed out: the caller runs the record through libjq,
 *   which gives the outputs or the exact error.  Programs in the subset
 *   have no side effects, so running a record twice is safe.
 *
 * The subset (jq 1.6 semantics and precedence): `.`, `.name`, `."name"`,
 * `.[e]`, `.[]`, literals (numbers, strings without \u or interpolation,
 * true, false, null), `|`, `,`, `//`, `or`, `and`, `==` `!=` `<` `<=` `>`
 * `>=`, `+` `-` `*` `/` `%`, unary `-`, `(e)`, `[e]`, `[]`, `{k: e, k,
 * "k": e, (e): e}`, `if c then a elif c2 then b else d end`, comments, and
 * the builtins select/1, map/1, has/1, empty, not, length, type, keys.
 * No variables, definitions, reduce, try, `?`, slices, formats or paths.
 *
 * Ownership: outputs live until the next sl_jqn_run or sl_jqn_free.  A
 * struct sl_jqn is not thread-safe: one per thread.
 */
#ifndef SL_JQNATIVE_H
#define SL_JQNATIVE_H

#include <jv.h>

#include "json.h"

struct sl_jqn;

/*
 * One output: a part of the input (dom, borrowed from the input document;
 * dom == the input itself for `.`), or a value the program made (v, owned
 * by the sl_jqn; dom is NULL).
 */
struct sl_jqn_out {
	const struct sl_json *dom;
	jv v;
};

/* Compiles program, or NULL when it is not in the subset. */
struct sl_jqn *sl_jqn_compile(const char *program);
void sl_jqn_free(struct sl_jqn *q);

/*
 * Runs q on in (borrowed).  Returns the number of outputs (>= 0), with
 * *outs pointing at them in order, or -1: this record needs libjq (no
 * output is handed out).
 */
int sl_jqn_run(struct sl_jqn *q, const struct sl_json *in,
    const struct sl_jqn_out **outs);

/* An output as an owned jv (a part of the input is converted). */
jv sl_jqn_out_jv(const struct sl_jqn_out *o);

/*
 * Is v (borrowed) equal to the document d as jq's == says (numbers as
 * doubles, objects by their distinct keys, the last of duplicates)?
 */
int sl_jq_equal_json(jv v, const struct sl_json *d);

#endif
