/*
 * jqbridge.h - running jq programs (libjq) over sluice's JSON values.
 *
 * libjq's own parser and printer are slow, so values enter from json.h's
 * DOM (sl_jq_from_json) and leave through sluice's own serialiser
 * (sl_jq_write), which prints exactly what `jq -c` prints for the same
 * value.  Programs are compiled once and run per record.
 *
 * Ownership follows jv.h: a function that takes a jv consumes it unless its
 * comment says it borrows; a jv returned is the caller's to jv_free.  A
 * struct sl_jq is not thread-safe (libjq's state is not): one per thread.
 */
#ifndef SL_JQBRIDGE_H
#define SL_JQBRIDGE_H

#include <jv.h>

#include "buf.h"
#include "json.h"

struct sl_jq;

/*
 * Compiles program with named arguments args (a jv object, consumed:
 * {"name": value} makes $name).  Returns NULL with libjq's messages in err
 * when the program does not compile.
 */
struct sl_jq *sl_jq_compile(const char *program, jv args, struct sl_buf *err);
void sl_jq_free(struct sl_jq *q);

/* Starts the program on input (consumed). */
void sl_jq_start(struct sl_jq *q, jv input);

/*
 * The next output of the running program: 1 and *out (the caller's), 0
 * when the program has no more outputs, -1 on a runtime error with its
 * message (as jq prints it, without a "jq: error" prefix) in err.
 */
int sl_jq_next(struct sl_jq *q, jv *out, struct sl_buf *err);

/*
 * Runs q on v as a predicate: 1 when its first output is truthy (neither
 * false nor null), 0 when it is not or there is none, -1 on a runtime error
 * (message in err).  v is borrowed.
 */
int sl_jq_test(struct sl_jq *q, const struct sl_json *v, struct sl_buf *err);

/* A jv for a parsed value (numbers through strtod, as jq reads them). */
jv sl_jq_from_json(const struct sl_json *v);

/*
 * Appends v (borrowed) in compact form, byte for byte what `jq -c` prints
 * for it (number formatting included).  Returns 0, or -1 when v is not a
 * JSON value (an invalid jv), appending nothing.
 */
int sl_jq_write(struct sl_buf *b, jv v);

/*
 * Additions.
 *
 * sl_jq_from_json interns object keys in a small per-thread cache;
 * sl_jq_release_cache drops it (sl_jq_free does too).  Calling it is never
 * needed for correctness, only to leave nothing allocated at exit.
 */
void sl_jq_release_cache(void);

/*
 * Number texts kept from the input.  libjq holds numbers as doubles, so a
 * program that never touches a number would still reformat it (808.0 as
 * 808, a 20-digit id rounded).  sl_jq_write_like appends v (borrowed) as
 * sl_jq_write does, walking like (borrowed, may be NULL: the input value v
 * was made from) alongside it by path (object keys, array indexes): where
 * v has a number at a path where like has a number of the same double (as
 * sl_jq_from_json reads its text; -0 and 0 differ), like's text is written
 * instead of jq's formatting.  A number moved to another path, or changed,
 * gets jq's formatting.  Returns as sl_jq_write.
 */
int sl_jq_write_like(struct sl_buf *b, jv v, const struct sl_json *like);

/*
 * The walk's steps, for callers that check outputs the same way: the
 * member key[0..n) of like (member hint when it has that name, else the
 * last of that name, the one libjq keeps: with duplicate keys a caller
 * retries with hint (size_t)-1 when the first answer does not match, as
 * sl_jq_write_like does), element i of like, NULL when like (may be NULL) has none; and
 * whether like is a number of double d by sl_jq_write_like's rule.
 */
const struct sl_json *sl_jq_like_key(const struct sl_json *like,
    const char *key, size_t n, size_t hint);
const struct sl_json *sl_jq_like_index(const struct sl_json *like, int i);
int sl_jq_like_number(const struct sl_json *like, double d);

/*
 * Notes on the behaviour of the functions above (libjq 1.6):
 * - sl_jq_write refuses (-1) values nested deeper than SL_JSON_MAX_DEPTH,
 *   where jq 1.6 prints a non-JSON "<stripped: ...>" marker (beyond 256).
 * - sl_jq_compile sets $ARGS as jq(1) does ({"positional": [], "named":
 *   args}) unless args has "ARGS"; `input` fails and `inputs` is empty (no
 *   inputs); import/include find no library; halt_error is an error
 *   (halt_error(0) a halt), as libjq 1.6's own builtin corrupts memory.
 * - A non-string error value comes out of sl_jq_next as its JSON text
 *   followed by " (not a string)", as jq prints it.
 */

#endif
