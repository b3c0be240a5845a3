/*
 * ids.h - digests and record identifiers (OpenSSL libcrypto underneath).
 *
 * Block digests are "sha256:<64 lower-case hex>".  Record ids are UUIDs:
 * version 5 (name-based, SHA-1) for anything that must come out the same on
 * every run, version 4 (random) for run ids when reproducibility is off.
 * sl_uuid_str() gives the bare "xxxxxxxx-xxxx-5xxx-yxxx-xxxxxxxxxxxx" (run
 * ids in lineage lines); sl_uuid_urn() the "<urn:uuid:...>" of a
 * WARC-Record-ID or WARC-Refers-To field.
 *
 * A sl_hasher is one reusable digest context; it is not thread-safe, give
 * each thread its own.
 */
#ifndef SL_IDS_H
#define SL_IDS_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define SL_SHA256_LEN 32
#define SL_SHA1_LEN 20
#define SL_UUID_STRLEN 36            /* without "urn:uuid:" */
#define SL_DIGEST_STRLEN (7 + 64)    /* "sha256:" + hex */

struct sl_uuid {
	unsigned char b[16];
};

/* The namespace of every sluice v5 id (itself the v5 id of "sluice" in the
 * RFC 4122 URL namespace). */
extern const struct sl_uuid sl_uuid_ns;

struct sl_hasher;

struct sl_hasher *sl_hasher_new(void);
void sl_hasher_free(struct sl_hasher *h);

/* SHA-256 of p[0..len). */
void sl_sha256(struct sl_hasher *h, const void *p, size_t len,
    unsigned char out[SL_SHA256_LEN]);
/* SHA-1 of p[0..len) (to check WARC/1.0 "sha1:" digests; not for new ids). */
void sl_sha1(struct sl_hasher *h, const void *p, size_t len,
    unsigned char out[SL_SHA1_LEN]);
/* "sha256:<hex>" NUL-terminated into out (SL_DIGEST_STRLEN + 1 bytes). */
void sl_digest_str(struct sl_hasher *h, const void *p, size_t len, char *out);

/*
 * Does a WARC digest ("sha256:" or "sha1:", hex or base32 in any case,
 * base32 padding allowed) match p[0..len)?  1 yes, 0 no, -1 an algorithm
 * this cannot check.  sha256, when not NULL, is p's SHA-256 already
 * computed, so a sha256 digest costs no second hash.
 */
int sl_digest_matches(struct sl_hasher *h, const char *digest, const void *p,
    size_t len, const unsigned char *sha256);

/* Incremental SHA-256 for large or streamed inputs. */
void sl_sha256_begin(struct sl_hasher *h);
void sl_sha256_update(struct sl_hasher *h, const void *p, size_t len);
void sl_sha256_end(struct sl_hasher *h, unsigned char out[SL_SHA256_LEN]);

/* HMAC-SHA256 (for keyed pseudonyms). */
void sl_hmac_sha256(const void *key, size_t keylen, const void *p, size_t len,
    unsigned char out[SL_SHA256_LEN]);

/*
 * UUID version 5 of ns and the concatenation of the parts (each part given
 * with its length; a part of length (size_t)-1 is a C string).  Parts are
 * joined with a '\n' between them, so ("a","bc") and ("ab","c") differ.
 */
void sl_uuid5(struct sl_hasher *h, const struct sl_uuid *ns, struct sl_uuid *out,
    int nparts, const char *const parts[], const size_t lens[]);
/*
 * As sl_uuid5, for a name already joined in one buffer: buf holds the 16
 * bytes of the namespace, then the parts with '\n' between them, so that
 * sl_uuid5(h, ns, out, 2, {a, b}, ...) == sl_uuid5_joined(h, ns.b "a\nb").
 * One digest update instead of one per part (hot paths keep buf and
 * rewrite only the parts that change).
 */
void sl_uuid5_joined(struct sl_hasher *h, const void *buf, size_t len,
    struct sl_uuid *out);
/* Random UUID version 4 (RAND_bytes). */
void sl_uuid4(struct sl_uuid *out);
/* 36 characters + NUL. */
void sl_uuid_str(const struct sl_uuid *u, char out[SL_UUID_STRLEN + 1]);
#define SL_URN_STRLEN (SL_UUID_STRLEN + 11)   /* "<urn:uuid:" ... ">" */
/* "<urn:uuid:...>": SL_URN_STRLEN characters + NUL. */
void sl_uuid_urn(const struct sl_uuid *u, char out[SL_URN_STRLEN + 1]);
/* Parses "xxxxxxxx-...", "urn:uuid:..." or "<urn:uuid:...>"; 0 or -1. */
int sl_uuid_parse(const char *s, size_t len, struct sl_uuid *out);

/* Lower-case hex of n bytes into out (2n + 1 bytes with the NUL). */
void sl_hex(const unsigned char *p, size_t n, char *out);

#endif
