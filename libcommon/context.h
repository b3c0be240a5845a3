/*
 * context.h - the context layer: who may read a record, how far it is
 * trusted, how long it stays fresh.  See sluice-stream(5), "The context layer".
 *
 * Ordered levels (absent fields have a place in each order, chosen so that
 * "unknown" is never more permissive or more trusted than a known value):
 *
 *   classification  public < internal < confidential < restricted < (absent)
 *                   absent = unknown, enforced as restricted
 *   authority       (absent) < unverified < external < internal < authoritative
 *   certification   deprecated < (absent: uncertified) < provisional < certified
 *
 * sl_ctx_derive() is the one implementation of the derivation table: a record
 * made from parents is never less restricted, fresher, or more trusted than
 * any of them.
 *
 * Strings in a struct sl_ctx (roles, PII names, key) point into the arena
 * given to the function that filled it.
 */
#ifndef SL_CONTEXT_H
#define SL_CONTEXT_H

#include <stddef.h>

#include "arena.h"
#include "header.h"
#include "timefmt.h"

enum sl_class {
	SL_CLASS_PUBLIC,
	SL_CLASS_INTERNAL,
	SL_CLASS_CONFIDENTIAL,
	SL_CLASS_RESTRICTED,
	SL_CLASS_UNKNOWN,       /* absent */
};

enum sl_authority {
	SL_AUTH_UNKNOWN,        /* absent */
	SL_AUTH_UNVERIFIED,
	SL_AUTH_EXTERNAL,
	SL_AUTH_INTERNAL,
	SL_AUTH_AUTHORITATIVE,
};

enum sl_cert {
	SL_CERT_DEPRECATED,
	SL_CERT_NONE,           /* absent: uncertified */
	SL_CERT_PROVISIONAL,
	SL_CERT_CERTIFIED,
};

/* Names of levels ("confidential"); NULL for the absent ones. */
const char *sl_class_name(enum sl_class c);
const char *sl_authority_name(enum sl_authority a);
const char *sl_cert_name(enum sl_cert c);
/* Name -> level; -1 when s names no level (absent values are not names). */
int sl_class_parse(const char *s, size_t len);
int sl_authority_parse(const char *s, size_t len);
int sl_cert_parse(const char *s, size_t len);

/* A set of names (roles, PII fields): sorted, unique. */
struct sl_names {
	const char **v;
	size_t n;
};

struct sl_ctx {
	enum sl_class classification;
	enum sl_authority authority;
	enum sl_cert certification;
	int has_roles;            /* Sluice-Roles present (an empty set = nobody) */
	struct sl_names roles;
	struct sl_names pii;
	int has_event_time, has_valid_until;
	sl_time event_time, valid_until;
	const char *key;          /* Sluice-Key, or NULL */
};

/* Everything absent: classification unknown, no roles, no times, no key. */
void sl_ctx_init(struct sl_ctx *c);

/*
 * Reads the context fields of a record.  Returns 0, or -1 with err naming
 * the field and the bad value (an unknown level, a time that is not RFC 3339,
 * a repeated single-valued field, a bad role name).
 */
int sl_ctx_from_headers(struct sl_ctx *c, const struct sl_headers *h,
    struct sl_arena *a, char *err, size_t errlen);

/*
 * Writes c into h: Sluice-Key, -Event-Time, -Valid-Until, -Classification,
 * -Roles, -PII, -Authority, -Certification are set when present in c and
 * removed when absent.  Other fields are left alone.
 */
void sl_ctx_to_headers(const struct sl_ctx *c, struct sl_headers *h);

/*
 * The derivation rules: fills out from n >= 1 parents.
 *   key            the parents' common key, else none (a program may set one)
 *   event time     latest of the parents that have one
 *   valid until    earliest of the parents that have one
 *   classification highest (unknown beats everything)
 *   roles          intersection of the parents that have roles; parents
 *                  without roles do not widen it; none when no parent has any
 *   PII            union
 *   authority      lowest (unknown is lowest)
 *   certification  lowest (deprecated < uncertified < provisional < certified)
 */
void sl_ctx_derive(struct sl_ctx *out, const struct sl_ctx *parents, size_t n,
    struct sl_arena *a);

/*
 * Is child at least as restricted as parent in every respect?  Returns 1, or
 * 0 with why naming the first loosening (e.g. "classification lowered from
 * confidential to internal").
 */
int sl_ctx_no_looser(const struct sl_ctx *child, const struct sl_ctx *parent,
    char *why, size_t whylen);

/* A reader's rights, for enforcement. */
struct sl_reader_rights {
	enum sl_class clearance;
	struct sl_names roles;
	int allow_stale;
};

/*
 * May this reader see this record at time now?  Returns 1, or 0 with why
 * naming the reason ("classification confidential is above clearance
 * internal", "reader holds none of the record's roles", "stale since ...").
 * A record is stale strictly after its Sluice-Valid-Until.
 */
int sl_ctx_allows(const struct sl_ctx *c, const struct sl_reader_rights *r,
    sl_time now, char *why, size_t whylen);

/* Parses a space-separated name list into a sorted unique set; -1 on a bad name. */
int sl_names_parse(struct sl_names *out, const char *s, size_t len,
    struct sl_arena *a, const char **bad, size_t *badlen);
int sl_names_has(const struct sl_names *s, const char *name);
/* A valid role or field name: 1..128 of [A-Za-z0-9_.:@/+-], not starting with '-'. */
int sl_name_valid(const char *s, size_t len);

#endif
