/* ids.c - see ids.h */
#include "config.h"

/*
 * SHA-256 and SHA-1 of short messages (a record's payload, a UUID name) go
 * through the SHA256_ and SHA1_ functions, which OpenSSL 3 marks deprecated
 * in favour of EVP: on 150-byte messages EVP costs 40% more per digest
 * (measured on this project's benchmark rows), and ingest makes two digests
 * per row.  The API level below keeps them declared without the warning.
 */
#define OPENSSL_API_COMPAT 0x10100000L

#include <openssl/evp.h>
#include <openssl/sha.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <string.h>
#include <strings.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "diag.h"
#include "ids.h"
#include "xalloc.h"

/* 0fbefbf0-73c4-58c1-b9df-1e7c6a10b260: v5 of "sluice" in RFC 4122's URL
 * namespace (6ba7b811-...), checked by test-ids */
const struct sl_uuid sl_uuid_ns = { {
	0x0f, 0xbe, 0xfb, 0xf0, 0x73, 0xc4, 0x58, 0xc1,
	0xb9, 0xdf, 0x1e, 0x7c, 0x6a, 0x10, 0xb2, 0x60,
} };

struct sl_hasher {
	SHA256_CTX sha256;
	SHA_CTX sha1;
};


struct sl_hasher *
sl_hasher_new(void)
{
	struct sl_hasher *h = sl_calloc(1, sizeof(struct sl_hasher));

	return h;
}

void
sl_hasher_free(struct sl_hasher *h)
{
	free(h);
}

static void
check(int ok)
{
	if (!ok)
		sl_die(SL_EX_SOFTWARE, "libcrypto: digest failed");
}

void
sl_sha256_begin(struct sl_hasher *h)
{
	check(SHA256_Init(&h->sha256));
}

void
sl_sha256_update(struct sl_hasher *h, const void *p, size_t len)
{
	check(SHA256_Update(&h->sha256, p, len));
}

void
sl_sha256_end(struct sl_hasher *h, unsigned char out[SL_SHA256_LEN])
{
	check(SHA256_Final(out, &h->sha256));
}

void
sl_sha256(struct sl_hasher *h, const void *p, size_t len,
    unsigned char out[SL_SHA256_LEN])
{
	sl_sha256_begin(h);
	sl_sha256_update(h, p, len);
	sl_sha256_end(h, out);
}

void
sl_sha1(struct sl_hasher *h, const void *p, size_t len,
    unsigned char out[SL_SHA1_LEN])
{
	check(SHA1_Init(&h->sha1));
	check(SHA1_Update(&h->sha1, p, len));
	check(SHA1_Final(out, &h->sha1));
}

/* "00" "01" ... "ff": two hex digits per byte value */
static const char hex_pairs[513] =
	"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	"202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
	"404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f"
	"606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
	"808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
	"a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
	"c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf"
	"e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";

void
sl_hex(const unsigned char *p, size_t n, char *out)
{
	size_t i = 0;

#ifdef __SSE2__
	/* sixteen bytes at a time: nibbles to '0'..'9', 'a'..'f' */
	const __m128i low = _mm_set1_epi8(0x0f), nine = _mm_set1_epi8(9);
	const __m128i zero = _mm_set1_epi8('0'), gap = _mm_set1_epi8('a' - '0' - 10);

	for (; i + 16 <= n; i += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
		__m128i hi = _mm_and_si128(_mm_srli_epi16(v, 4), low);
		__m128i lo = _mm_and_si128(v, low);
		__m128i a = _mm_unpacklo_epi8(hi, lo), b = _mm_unpackhi_epi8(hi, lo);

		a = _mm_add_epi8(_mm_add_epi8(a, zero),
		    _mm_and_si128(_mm_cmpgt_epi8(a, nine), gap));
		b = _mm_add_epi8(_mm_add_epi8(b, zero),
		    _mm_and_si128(_mm_cmpgt_epi8(b, nine), gap));
		_mm_storeu_si128((__m128i *)(void *)(out + 2 * i), a);
		_mm_storeu_si128((__m128i *)(void *)(out + 2 * i + 16), b);
	}
#endif
	for (; i < n; i++)
		memcpy(out + 2 * i, hex_pairs + 2 * p[i], 2);
	out[2 * n] = '\0';
}

void
sl_digest_str(struct sl_hasher *h, const void *p, size_t len, char *out)
{
	unsigned char d[SL_SHA256_LEN];

	sl_sha256(h, p, len, d);
	memcpy(out, "sha256:", 7);
	sl_hex(d, sizeof(d), out + 7);
}

void
sl_hmac_sha256(const void *key, size_t keylen, const void *p, size_t len,
    unsigned char out[SL_SHA256_LEN])
{
	unsigned int n = SL_SHA256_LEN;

	if (HMAC(EVP_sha256(), key, (int)keylen, p, len, out, &n) == NULL)
		sl_die(SL_EX_SOFTWARE, "libcrypto: HMAC failed");
}

void
sl_uuid5(struct sl_hasher *h, const struct sl_uuid *ns, struct sl_uuid *out,
    int nparts, const char *const parts[], const size_t lens[])
{
	unsigned char d[SL_SHA1_LEN];

	check(SHA1_Init(&h->sha1));
	check(SHA1_Update(&h->sha1, ns->b, 16));
	for (int i = 0; i < nparts; i++) {
		size_t n = lens[i] == (size_t)-1 ? strlen(parts[i]) : lens[i];

		if (i > 0)
			check(SHA1_Update(&h->sha1, "\n", 1));
		check(SHA1_Update(&h->sha1, parts[i], n));
	}
	check(SHA1_Final(d, &h->sha1));
	memcpy(out->b, d, 16);
	out->b[6] = (unsigned char)((out->b[6] & 0x0f) | 0x50);
	out->b[8] = (unsigned char)((out->b[8] & 0x3f) | 0x80);
}

/* The version and variant bits of a v5 UUID over SHA-1 digest d. */
static void
uuid_bits(struct sl_uuid *out, const unsigned char d[SL_SHA1_LEN])
{
	memcpy(out->b, d, 16);
	out->b[6] = (unsigned char)((out->b[6] & 0x0f) | 0x50);
	out->b[8] = (unsigned char)((out->b[8] & 0x3f) | 0x80);
}

void
sl_uuid5_joined(struct sl_hasher *h, const void *buf, size_t len,
    struct sl_uuid *out)
{
	unsigned char d[SL_SHA1_LEN];

	check(SHA1_Init(&h->sha1));
	check(SHA1_Update(&h->sha1, buf, len));
	check(SHA1_Final(d, &h->sha1));
	uuid_bits(out, d);
}

void
sl_uuid4(struct sl_uuid *out)
{
	if (RAND_bytes(out->b, 16) != 1)
		sl_die(SL_EX_SOFTWARE, "libcrypto: no random bytes");
	out->b[6] = (unsigned char)((out->b[6] & 0x0f) | 0x40);
	out->b[8] = (unsigned char)((out->b[8] & 0x3f) | 0x80);
}

void
sl_uuid_str(const struct sl_uuid *u, char out[SL_UUID_STRLEN + 1])
{
	char h[33];

	sl_hex(u->b, 16, h);
	memcpy(out, h, 8);
	out[8] = '-';
	memcpy(out + 9, h + 8, 4);
	out[13] = '-';
	memcpy(out + 14, h + 12, 4);
	out[18] = '-';
	memcpy(out + 19, h + 16, 4);
	out[23] = '-';
	memcpy(out + 24, h + 20, 12);
	out[SL_UUID_STRLEN] = '\0';
}

void
sl_uuid_urn(const struct sl_uuid *u, char out[SL_URN_STRLEN + 1])
{
	memcpy(out, "<urn:uuid:", 10);
	sl_uuid_str(u, out + 10);
	out[SL_URN_STRLEN - 1] = '>';
	out[SL_URN_STRLEN] = '\0';
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
sl_uuid_parse(const char *s, size_t len, struct sl_uuid *out)
{
	int i = 0, hi, lo;
	size_t k = 0;

	if (len >= 2 && s[0] == '<' && s[len - 1] == '>') {
		s++;
		len -= 2;
	}
	if (len >= 9 && strncasecmp(s, "urn:uuid:", 9) == 0) {
		s += 9;
		len -= 9;
	}
	if (len != SL_UUID_STRLEN)
		return -1;
	for (k = 0; k < len;) {
		if (k == 8 || k == 13 || k == 18 || k == 23) {
			if (s[k++] != '-')
				return -1;
			continue;
		}
		hi = hexval((unsigned char)s[k]);
		lo = hexval((unsigned char)s[k + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out->b[i++] = (unsigned char)(hi << 4 | lo);
		k += 2;
	}
	return 0;
}

static char
b32(unsigned x)
{
	return "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[x & 31];
}

int
sl_digest_matches(struct sl_hasher *h, const char *digest, const void *p,
    size_t len, const unsigned char *sha256)
{
	unsigned char d[SL_SHA256_LEN];
	char want[128];
	const char *val;
	size_t dl, o = 0, acc = 0, bits = 0;

	if (strncasecmp(digest, "sha256:", 7) == 0) {
		if (sha256 != NULL)
			memcpy(d, sha256, SL_SHA256_LEN);
		else
			sl_sha256(h, p, len, d);
		dl = SL_SHA256_LEN;
		val = digest + 7;
	} else if (strncasecmp(digest, "sha1:", 5) == 0) {
		sl_sha1(h, p, len, d);
		dl = SL_SHA1_LEN;
		val = digest + 5;
	} else {
		return -1;
	}
	if (strlen(val) == 2 * dl) {
		sl_hex(d, dl, want);
		return strcasecmp(val, want) == 0;
	}
	for (size_t i = 0; i < dl; i++) {
		acc = (acc << 8 | d[i]) & 0xffff;
		bits += 8;
		while (bits >= 5) {
			want[o++] = b32((unsigned)(acc >> (bits - 5)));
			bits -= 5;
		}
	}
	if (bits > 0)
		want[o++] = b32((unsigned)(acc << (5 - bits)));
	want[o] = '\0';
	/* base32 may be padded with '=' */
	return strncasecmp(val, want, o) == 0 &&
	    val[o + strspn(val + o, "=")] == '\0';
}
