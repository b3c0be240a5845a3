/*
 * sketch.h - mergeable summaries of a stream of values in bounded memory:
 * exact moments (Welford, merged with Chan et al.), a KLL quantile sketch,
 * a space-saving frequent-items sketch and a HyperLogLog distinct count.
 *
 * Every sketch merges: the summary of A+B is the merge of the summaries of
 * A and B, associative and order-independent up to the sketch's stated
 * error.  Every sketch writes itself as JSON (sl_*_write, a value to embed
 * in a profile document) and reads itself back (sl_*_read), refusing
 * hostile input (wrong types, NaN, counts that do not add up, sizes beyond
 * the stated bounds) with a message, never a crash.
 *
 * Randomness (KLL compaction) comes from a seeded generator kept in the
 * sketch, so the same input in the same order gives the same sketch.
 *
 * Error and memory, per sketch (the defaults of a profile):
 *   moments      exact (floating-point rounding only); 40 bytes.
 *   KLL k=200    exact below k values; beyond, rank error <= epsilon
 *                (1.33%) for any one query with 99% confidence, also after
 *                any number of merges; holds about 3k + 8 x levels
 *                doubles (640 at 10^7 values) in per-level buffers that
 *                grow geometrically (70 KB allocated at 10^7 values);
 *                O(1) amortised add, no allocation once they have grown.
 *   space-saving count - error <= true count <= count, error <= total /
 *   1024 counters capacity; a key not held was counted at most
 *                sl_topk_unseen_max times; exact until the first eviction;
 *                64 bytes a counter (keys under 28 bytes are kept in it)
 *                plus 257 for each longer key held: 64 KB to 330 KB,
 *                allocated as counters are first used.
 *   HLL p=12     relative standard error 1.04 / sqrt(4096) = 1.625%;
 *                4 KB.
 * Counts saturate at 2^64 - 1 when added; readers refuse counts above 2^62.
 *
 * Non-finite values (NaN, +/-Infinity) are ignored by sl_moments_add and
 * sl_kll_add: the caller refuses or counts them before (JSON has no such
 * numbers; a number too large for a double, e.g. 1e999, is the caller's
 * to refuse).
 *
 * Ownership: sl_*_new returns a sketch the caller releases with sl_*_free;
 * merge never consumes its source.  Not thread-safe; use one per thread
 * and merge.
 */
#ifndef SL_SKETCH_H
#define SL_SKETCH_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "json.h"

/*
 * A fixed 64-bit non-cryptographic hash of len bytes (a multiply-xorshift
 * construction over 8-byte words, each step the splitmix64 finaliser of
 * Steele, Lea and Flood 2014).  The same on every platform; HyperLogLog and
 * the frequent-items table hash with it, so it must never change while
 * profiles written with it exist.
 */
uint64_t sl_hash64(const void *p, size_t len);

/* --- moments: count, mean, population variance, min, max ------------------ */

struct sl_moments {
	uint64_t n;
	double mean;
	double m2;		/* sum of squared deviations from the mean */
	double min, max;	/* meaningful when n > 0 */
};

void sl_moments_add(struct sl_moments *m, double x);
void sl_moments_merge(struct sl_moments *into, const struct sl_moments *from);
double sl_moments_variance(const struct sl_moments *m);	/* ddof 0; 0 if n < 1 */
/*
 * {"n":N,"mean":X,"m2":X,"min":X,"max":X}; min and max are null when n is
 * 0.  Doubles are written with 17 significant digits, so they read back
 * bit for bit.  The mean of finite values never overflows; a sum of
 * squares that does (values near 1e308) is kept as +infinity and written
 * as 1e999, which reads back as infinity.
 */
void sl_moments_write(struct sl_buf *b, const struct sl_moments *m);
/* Returns 0, or -1 with a message in err ("moments: 'n' is ..."). */
int sl_moments_read(const struct sl_json *v, struct sl_moments *m,
    char *err, size_t errlen);

/* --- a weighted sorted sample: what statistics are computed from ----------- */

/*
 * Values in ascending order with their weights (a KLL item at level h
 * weighs 2^h; an exact sketch has weight 1 everywhere).  total is the sum
 * of the weights, equal to the number of values the sketch has seen.
 */
struct sl_wsample {
	size_t n;
	double *v;
	double *w;
	double total;
};

void sl_wsample_release(struct sl_wsample *s);
/* The q-quantile: the first value whose cumulative weight >= q * total. */
double sl_wsample_quantile(const struct sl_wsample *s, double q);
/* The fraction of the weight on values <= x (NaN when empty). */
double sl_wsample_cdf(const struct sl_wsample *s, double x);

/* --- KLL quantile sketch --------------------------------------------------- */

struct sl_kll;

/*
 * k = 200 is the default (clamped to [8, 65535]); seed fixes the
 * compaction coin flips.  A merge keeps into's k and generator.
 */
struct sl_kll *sl_kll_new(unsigned k, uint64_t seed);
void sl_kll_free(struct sl_kll *s);
void sl_kll_add(struct sl_kll *s, double x);	/* NaN is refused by the caller */
void sl_kll_merge(struct sl_kll *into, const struct sl_kll *from);
uint64_t sl_kll_count(const struct sl_kll *s);
unsigned sl_kll_k(const struct sl_kll *s);
/*
 * Does the sketch still hold every value it was given (no compaction yet)?
 * True for fewer than k values.
 */
int sl_kll_exact(const struct sl_kll *s);
/*
 * The normalised rank error the sketch guarantees with high probability
 * (0 when exact): a quantile or CDF value is off by at most this fraction
 * of the count.  Beyond exact it is DataSketches' published fit for the
 * same design, 2.296 / k^0.9723 (1.33% at k = 200), a 99%-confidence bound
 * on the rank error of any one query.
 */
double sl_kll_epsilon(const struct sl_kll *s);
/* The q-quantile, q in [0, 1] (lower value, as numpy's "inverted_cdf"). */
double sl_kll_quantile(const struct sl_kll *s, double q);
/* The fraction of values <= x. */
double sl_kll_cdf(const struct sl_kll *s, double x);
/*
 * Fills *out with the sketch's items sorted, weights summed per value
 * (allocated: release with sl_wsample_release).
 */
void sl_kll_sorted(const struct sl_kll *s, struct sl_wsample *out);
/*
 * {"k":200,"n":N,"min":X,"max":X,"rng":"<16 hex digits>","levels":[[...],
 * ...]}: the generator's state is kept so that a sketch read back continues
 * exactly as the one written; level h's items weigh 2^h.  Reading checks
 * that the weights add up to n, every item lies in [min, max], and the
 * items fit the sketch's capacity for its k and number of levels.
 */
void sl_kll_write(struct sl_buf *b, const struct sl_kll *s);
struct sl_kll *sl_kll_read(const struct sl_json *v, char *err, size_t errlen);

/* --- space-saving frequent items ------------------------------------------- */

/*
 * Keys longer than SL_TOPK_KEY_MAX bytes are kept in a shortened form: the
 * longest prefix of at most SL_TOPK_KEY_MAX - 17 bytes ending on a UTF-8
 * character boundary, then '~' and the 16 hex digits of sl_hash64 of the
 * whole key.  Distinct long keys stay distinct (up to 64-bit collisions);
 * memory is bounded by capacity x (SL_TOPK_KEY_MAX + 1) bytes of keys.
 */
#define SL_TOPK_KEY_MAX	256

struct sl_topk;

struct sl_topk_item {
	const char *key;	/* UTF-8, NUL-terminated, owned by the sketch */
	size_t key_len;
	uint64_t count;		/* an overestimate by at most error */
	uint64_t error;
};

/* capacity = number of counters, 1024 by default (clamped to [1, 65536]). */
struct sl_topk *sl_topk_new(size_t capacity);
void sl_topk_free(struct sl_topk *s);
void sl_topk_add(struct sl_topk *s, const char *key, size_t len, uint64_t count);
/*
 * As sl_topk_add with h = sl_hash64(key, len) computed by the caller, for a
 * key of at most SL_TOPK_KEY_MAX bytes (kept as it is).
 */
void sl_topk_add_hash(struct sl_topk *s, const char *key, size_t len,
    uint64_t h, uint64_t count);
/*
 * As sl_topk_add; *hint (0 at first) remembers the counter that took key,
 * so that the same key next time needs no hash (a hint that no longer
 * holds key is ignored).
 */
void sl_topk_add_hint(struct sl_topk *s, const char *key, size_t len,
    uint64_t count, size_t *hint);
void sl_topk_merge(struct sl_topk *into, const struct sl_topk *from);
uint64_t sl_topk_total(const struct sl_topk *s);	/* all counts added */
size_t sl_topk_capacity(const struct sl_topk *s);
/*
 * The most a key not among the items may have been counted: 0 when exact,
 * else the smallest count held (at most total / capacity).
 */
uint64_t sl_topk_unseen_max(const struct sl_topk *s);
/*
 * The items, most frequent first (ties by key bytes), valid until the next
 * add/merge/free (calling it again, or sl_topk_write, keeps them valid).
 * Returns their number.
 */
size_t sl_topk_items(const struct sl_topk *s, const struct sl_topk_item **items);
/*
 * Has no key ever been evicted (so every count is exact)?  A merge that
 * keeps every key of two exact sketches stays exact.
 */
int sl_topk_exact(const struct sl_topk *s);
/*
 * {"capacity":1024,"total":N,"exact":true,"items":[["key",count,error],
 * ...]}, items in sl_topk_items order.  Reading checks: at most capacity
 * distinct keys of at most SL_TOPK_KEY_MAX bytes, 1 <= count <= total,
 * error <= count (0 when exact), counts summing to total when exact and
 * their lower bounds (count - error) to at most total otherwise.
 */
void sl_topk_write(struct sl_buf *b, const struct sl_topk *s);
struct sl_topk *sl_topk_read(const struct sl_json *v, char *err, size_t errlen);

/* --- HyperLogLog distinct count --------------------------------------------- */

struct sl_hll;

/* precision p: 2^p registers; 12 (4,096 registers) by default ([4, 18]). */
struct sl_hll *sl_hll_new(unsigned p);
void sl_hll_free(struct sl_hll *s);
unsigned sl_hll_precision(const struct sl_hll *s);
void sl_hll_add(struct sl_hll *s, const char *key, size_t len);
/* As sl_hll_add with h = sl_hash64(key, len) computed by the caller. */
void sl_hll_add_hash(struct sl_hll *s, uint64_t h);
/*
 * Any precisions: when they differ, into is lowered to the smaller one
 * (registers folded exactly as if hashed at that precision).
 */
void sl_hll_merge(struct sl_hll *into, const struct sl_hll *from);
/* Ertl's improved estimator (2017): no bias tables, no range switches. */
double sl_hll_estimate(const struct sl_hll *s);
double sl_hll_error(const struct sl_hll *s);	/* relative standard error */
/*
 * {"p":12,"registers":"<2^p registers as hex bytes>"}; reading checks p in
 * [4, 18], the length and every register <= 65 - p.
 */
void sl_hll_write(struct sl_buf *b, const struct sl_hll *s);
struct sl_hll *sl_hll_read(const struct sl_json *v, char *err, size_t errlen);

#endif
