/*
 * header.h - the ordered header map of one record, and the field names of
 * the sluice stream (see sluice-stream(5)).
 *
 * Fields keep their order.  Known fields carry an id so tools look them up
 * without string compares; names are matched case-insensitively on input
 * and written with the canonical spelling of the table in header.c.
 * Names and values live in the map's arena: they stay valid until the arena
 * is reset (the next record).  sl_headers_add/set/copy copy what they are
 * given; sl_headers_add_ref/add_safe keep the caller's pointer (hot paths).
 */
#ifndef SL_HEADER_H
#define SL_HEADER_H

#include <stddef.h>

#include "arena.h"

enum sl_field {
	SL_F_OTHER = 0,
	/* WARC/1.1 */
	SL_F_WARC_TYPE,
	SL_F_WARC_RECORD_ID,
	SL_F_WARC_DATE,
	SL_F_CONTENT_LENGTH,
	SL_F_CONTENT_TYPE,
	SL_F_WARC_CONCURRENT_TO,
	SL_F_WARC_BLOCK_DIGEST,
	SL_F_WARC_PAYLOAD_DIGEST,
	SL_F_WARC_IP_ADDRESS,
	SL_F_WARC_REFERS_TO,
	SL_F_WARC_REFERS_TO_TARGET_URI,
	SL_F_WARC_REFERS_TO_DATE,
	SL_F_WARC_TARGET_URI,
	SL_F_WARC_TRUNCATED,
	SL_F_WARC_WARCINFO_ID,
	SL_F_WARC_FILENAME,
	SL_F_WARC_PROFILE,
	SL_F_WARC_IDENTIFIED_PAYLOAD_TYPE,
	SL_F_WARC_SEGMENT_NUMBER,
	SL_F_WARC_SEGMENT_ORIGIN_ID,
	SL_F_WARC_SEGMENT_TOTAL_LENGTH,
	/* the sluice context layer */
	SL_F_SLUICE_KEY,
	SL_F_SLUICE_EVENT_TIME,
	SL_F_SLUICE_VALID_UNTIL,
	SL_F_SLUICE_CLASSIFICATION,
	SL_F_SLUICE_ROLES,
	SL_F_SLUICE_PII,
	SL_F_SLUICE_AUTHORITY,
	SL_F_SLUICE_CERTIFICATION,
	SL_F_SLUICE_CONTRACT,
	SL_F_SLUICE_LINEAGE,
	SL_F_SLUICE_DERIVED_FROM,
	SL_F__COUNT
};

/* Canonical spelling of a known field ("WARC-Record-ID"); NULL for OTHER. */
const char *sl_field_name(enum sl_field f);
/* Case-insensitive lookup; SL_F_OTHER when the name is not a known field. */
enum sl_field sl_field_lookup(const char *name, size_t len);
/*
 * The same lookup, faster for the canonical spelling; *exact is 1 when
 * name is exactly that spelling (then written back unchanged).
 */
enum sl_field sl_field_lookup_exact(const char *name, size_t len, int *exact);

struct sl_hfield {
	enum sl_field id;
	const char *name;  /* canonical for known fields */
	size_t name_len;
	const char *value; /* NUL-terminated */
	size_t value_len;
	int safe;          /* printable ASCII by construction: not rechecked */
};

struct sl_headers {
	struct sl_hfield *f;
	size_t n, cap;
	struct sl_arena *arena;  /* where copies go; not owned */
};

void sl_headers_init(struct sl_headers *h, struct sl_arena *arena);
/* Forgets all fields (their storage goes with the arena). */
void sl_headers_clear(struct sl_headers *h);
void sl_headers_release(struct sl_headers *h);

/* The first field with this id, or NULL. */
const struct sl_hfield *sl_headers_find(const struct sl_headers *h, enum sl_field id);
/* The first field named name (any field, case-insensitive), or NULL. */
const struct sl_hfield *sl_headers_find_name(const struct sl_headers *h,
    const char *name, size_t len);
/* The first value with this id, or NULL. */
const char *sl_headers_get(const struct sl_headers *h, enum sl_field id);
size_t sl_headers_count(const struct sl_headers *h, enum sl_field id);

/* Appends a field (values are copied). */
void sl_headers_add(struct sl_headers *h, enum sl_field id, const char *value,
    size_t len);
void sl_headers_adds(struct sl_headers *h, enum sl_field id, const char *value);
/*
 * Appends a field without copying the value: it must stay valid, unchanged
 * and NUL-terminated until the headers are cleared.  For hot paths that
 * build a record and write it at once.
 */
void sl_headers_add_ref(struct sl_headers *h, enum sl_field id,
    const char *value, size_t len);
/*
 * As sl_headers_add_ref, for values the tool made itself from printable
 * ASCII (a digest, an id, a time it formatted, a percent-encoded URI): the
 * writer does not scan them again.  Never for values that come from data.
 */
void sl_headers_add_safe(struct sl_headers *h, enum sl_field id,
    const char *value, size_t len);
/*
 * Appends a field whose id the caller looked up (sl_field_lookup of name):
 * a known id gets its canonical spelling, SL_F_OTHER keeps name (copied).
 */
void sl_headers_add_id(struct sl_headers *h, enum sl_field id,
    const char *name, size_t name_len, const char *value, size_t len);
/* Appends a field given by name: a known name gets its id and spelling. */
void sl_headers_add_name(struct sl_headers *h, const char *name, size_t name_len,
    const char *value, size_t len);
/*
 * Sets a single-valued field: the first occurrence is replaced in place, any
 * others removed; appended when absent.
 */
void sl_headers_set(struct sl_headers *h, enum sl_field id, const char *value,
    size_t len);
void sl_headers_sets(struct sl_headers *h, enum sl_field id, const char *value);
/* Removes every field with this id; returns how many. */
size_t sl_headers_del(struct sl_headers *h, enum sl_field id);
/* Copies every field of src into dst (which may use another arena). */
void sl_headers_copy(struct sl_headers *dst, const struct sl_headers *src);

#endif
