/*
 * profile.h - the profile of a stream's data records, for sluice-drift:
 * per JSON field the count, nulls and counts per JSON type, sketches of
 * numbers (moments, KLL) and of strings (frequent items, HyperLogLog, a
 * length sketch), and for the stream its media types, payload sizes, image
 * sizes, classification mix and record age.
 *
 * A profile is written as a versioned JSON document (sluice-drift(1), "THE
 * PROFILE"), read back with every count checked (a hostile or damaged file
 * is refused with a message, never a crash), and merged: the profile of A+B
 * is the merge of the profiles of A and B, up to the sketches' stated
 * error.
 *
 * Memory is bounded by the number of fields: at most SL_PROFILE_MAX_FIELDS
 * are tracked; values of further fields are counted in fields_dropped.  A
 * string's category is its first SL_PROFILE_CATEGORY_MAX bytes.
 *
 * Ownership: sl_profile_new returns a profile released with
 * sl_profile_free; it owns its fields and sketches.  Merge never consumes
 * its source.
 */
#ifndef SL_PROFILE_H
#define SL_PROFILE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "json.h"
#include "sketch.h"
#include "stream.h"
#include "timefmt.h"

#define SL_PROFILE_VERSION 1
#define SL_PROFILE_MAX_FIELDS 1024
#define SL_PROFILE_KLL_K 200
#define SL_PROFILE_TOPK 1024
#define SL_PROFILE_HLL_P 12
#define SL_PROFILE_SEED 0x5eed5eedULL
#define SL_PROFILE_CATEGORY_MAX 256	/* bytes of a string kept as its category */

/* JSON types as counted per field. */
enum sl_ptype {
	SL_PT_NULL, SL_PT_BOOLEAN, SL_PT_NUMBER, SL_PT_STRING, SL_PT_ARRAY,
	SL_PT_OBJECT, SL_PT__N
};

const char *sl_ptype_name(enum sl_ptype t);

/* A number sketch: exact moments plus a KLL sketch (NULL until a value). */
struct sl_numsk {
	struct sl_moments mom;
	struct sl_kll *kll;
};

struct sl_pfield {
	char *name;		/* a top-level key, or a JSON Pointer */
	size_t name_len;
	uint64_t count;		/* records where the field is present */
	uint64_t types[SL_PT__N];	/* sums to count */
	struct sl_numsk num;	/* numbers */
	struct sl_topk *cat;	/* strings and booleans ("true"/"false") */
	struct sl_hll *hll;	/* strings */
	struct sl_numsk len;	/* string lengths in bytes */
};

struct sl_profile {
	uint64_t records;	/* data records */
	uint64_t json_records;	/* ... whose payload is a JSON object */
	uint64_t fields_dropped;	/* values of fields beyond the cap */
	char *selection;	/* --fields pointers, sorted, joined by ","; NULL:
				   top-level fields (sl_profile_selection) */
	struct sl_topk *media_types;
	struct sl_topk *classification;
	size_t media_hint, class_hint;	/* the last counters used in them */
	struct sl_numsk payload_size;
	struct sl_numsk image_width, image_height;
	struct sl_numsk age;	/* seconds between Sluice-Event-Time and now */
	struct sl_pfield *f;	/* fields in first-seen order */
	size_t n, cap;
	size_t *slots;		/* open-addressing index into f, by name */
	size_t nslots;
};

struct sl_profile *sl_profile_new(void);
void sl_profile_free(struct sl_profile *p);

/* The field named name, created when absent (NULL at the cap). */
struct sl_pfield *sl_profile_field(struct sl_profile *p, const char *name,
    size_t len, int create);

/* Adds one JSON value of a field (v NULL: the field is absent). */
void sl_pfield_add(struct sl_pfield *f, const struct sl_json *v);

/* The stream facts of one data record (pointers into the record). */
struct sl_rfacts {
	size_t block_len;
	const char *media;	/* the media type without parameters, or NULL */
	size_t media_len;
	const char *classification;	/* or NULL */
	size_t classification_len;
	int has_time;
	sl_time event_time;
	int has_image;
	uint32_t width, height;
};

/* Gathers the stream facts of rec: valid as long as rec is. */
void sl_rfacts_get(struct sl_rfacts *f, const struct sl_record *rec);

/*
 * The last event time's date and time of day ("YYYY-MM-DDThh:mm:ss", the
 * part records of one second share), parsed: a time with the same part is
 * read from its fraction and zone alone.  Zero-initialise; one per thread.
 */
struct sl_tcache {
	char prefix[19];
	sl_time base;		/* prefix + "Z" */
	int valid;
};

/*
 * The stream facts but the image size, from a record's block length and the
 * values of its first Content-Type, Sluice-Classification and
 * Sluice-Event-Time fields (each NULL when absent): what sl_rfacts_get()
 * makes of them, for a caller that copied the values (to another thread).
 * Valid as long as the values are.  tc (or NULL) makes event times cheaper
 * to read, never different.
 */
void sl_rfacts_from(struct sl_rfacts *f, size_t block_len,
    const char *content_type, const char *classification,
    const char *event_time, struct sl_tcache *tc);

/* Adds the stream facts of one data record, its age measured against now. */
void sl_profile_add_facts(struct sl_profile *p, const struct sl_rfacts *f,
    sl_time now);

/*
 * sl_profile_add_facts() in two parts that touch different members of p,
 * for two threads: the counts (records, media types, classifications) and
 * the sizes (payload, image, age).  Each thread keeps its part in its own
 * profile; sl_profile_take_kinds() then moves the counts from the one that
 * has only them into the other, which has none, unchanged.
 */
void sl_profile_add_kinds(struct sl_profile *p, const struct sl_rfacts *f);
void sl_profile_add_sizes(struct sl_profile *p, const struct sl_rfacts *f,
    sl_time now);
void sl_profile_take_kinds(struct sl_profile *into, struct sl_profile *from);

/* sl_rfacts_get() and sl_profile_add_facts() in one. */
void sl_profile_add_record(struct sl_profile *p, const struct sl_record *rec,
    sl_time now);

/*
 * Reads the width and height of a PNG, GIF, JPEG or WebP image from its
 * header.  Returns 0, or -1 when the bytes are none of these (or damaged).
 */
int sl_image_size(const unsigned char *p, size_t len, uint32_t *w,
    uint32_t *h);

/*
 * The selection of n --fields pointers (none may hold a comma): sorted and
 * joined by commas, allocated; NULL for none (top-level fields).
 */
char *sl_profile_selection(char *const *ptrs, size_t n);

/* Were the two profiles made of the same fields (selections equal)? */
int sl_profile_same_fields(const struct sl_profile *a,
    const struct sl_profile *b);

/*
 * Merges from into into (fields matched by name).  The caller checks
 * sl_profile_same_fields() first: profiles of different fields do not merge.
 */
void sl_profile_merge(struct sl_profile *into, const struct sl_profile *from);

/* Appends the profile as JSON (fields sorted by name), ending in a newline. */
void sl_profile_write(struct sl_buf *b, const struct sl_profile *p);

/*
 * Parses a profile document.  Returns the profile, or NULL with err filled
 * ("field \"age\": count 3 but types add up to 4"): not JSON, another
 * version, a count that is negative, not an integer, beyond 2^53 or that
 * does not add up, a sketch that does not read back.
 */
struct sl_profile *sl_profile_parse(const char *text, size_t len, char *err,
    size_t errlen);

/*
 * The first member whose key appears twice in one object of v, objects and
 * arrays checked all the way down, or NULL.  Profiles and contracts with
 * one are refused: two readers would take different values.
 */
const struct sl_json_member *sl_json_duplicate(const struct sl_json *v);

/* Reads a profile file; NULL with err ("PATH: ...") as sl_profile_parse. */
struct sl_profile *sl_profile_load(const char *path, char *err, size_t errlen);

/*
 * Is the field numeric (numbers are the majority of its non-null values)?
 * Otherwise it is categorical.
 */
int sl_pfield_numeric(const struct sl_pfield *f);

/* The share of null or absent values among json_records (0 when none). */
double sl_pfield_null_rate(const struct sl_pfield *f, uint64_t json_records);

#endif
