/*
 * test-ids.c - unit tests for libcommon/ids.c: SHA-256 and SHA-1 against the
 * FIPS 180 examples, HMAC-SHA256 against RFC 4231, version 5 UUIDs against
 * Python's uuid.uuid5, version 4 bits, and the UUID text forms.
 *
 * Expected values come from FIPS 180-4's examples, RFC 4231 section 4, and
 * python3 (hashlib, hmac, uuid.uuid5), never from this library.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ids.h"
#include "tap.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static const char nist448[] =
    "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

static const char *
hex(const unsigned char *p, size_t n)
{
	static char out[2][129];
	static int k;
	char *o = out[k++ & 1];

	sl_hex(p, n, o);
	return o;
}

static void
test_sha(struct sl_hasher *h)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "", "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934c"
		    "a495991b7852b855" },
		{ "abc", "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a"
		    "9cb410ff61f20015ad" },
		{ nist448, "sha256:248d6a61d20638b8e5c026930c3e6039a33ce45964ff"
		    "2167f6ecedd419db06c1" },
	};
	char s[SL_DIGEST_STRLEN + 1 + 8];
	unsigned char d[SL_SHA256_LEN], d2[SL_SHA256_LEN], d1[SL_SHA1_LEN];
	int good;

	for (size_t i = 0; i < NELEM(cases); i++) {
		size_t len = strlen(cases[i].in);

		memset(s, 'x', sizeof(s));
		sl_digest_str(h, cases[i].in, len, s);
		is_str(s, cases[i].want, "digest_str of '%.10s' (%zu bytes)",
		    cases[i].in, len);
		is_int(strlen(s), SL_DIGEST_STRLEN, "digest_str length");
		sl_sha256(h, cases[i].in, len, d);
		is_str(hex(d, sizeof(d)), cases[i].want + 7,
		    "sha256 of '%.10s'", cases[i].in);

		/* incremental, in pieces of every size from 1 to 7 bytes */
		good = 1;
		for (size_t step = 1; step <= 7 && good; step++) {
			sl_sha256_begin(h);
			sl_sha256_update(h, "", 0);
			for (size_t off = 0; off < len; off += step)
				sl_sha256_update(h, cases[i].in + off,
				    len - off < step ? len - off : step);
			sl_sha256_end(h, d2);
			good = memcmp(d, d2, sizeof(d)) == 0;
			if (!good)
				tap_diag("step %zu: %s", step,
				    hex(d2, sizeof(d2)));
		}
		ok(good, "incremental sha256 of '%.10s' in steps of 1..7 bytes "
		    "equals one-shot", cases[i].in);
	}

	/* FIPS 180-2's long example: a million 'a's, streamed */
	{
		char *chunk = malloc(1000);

		memset(chunk, 'a', 1000);
		sl_sha256_begin(h);
		for (int i = 0; i < 1000; i++)
			sl_sha256_update(h, chunk, 1000);
		sl_sha256_end(h, d);
		is_str(hex(d, sizeof(d)), "cdc76e5c9914fb9281a1c7e284d73e67"
		    "f1809a48a497200e046d39ccc7112cd0",
		    "incremental sha256 of a million 'a'");
		free(chunk);
	}
	/* a one-shot digest in the middle of nothing leaves no state behind */
	sl_sha256_begin(h);
	sl_sha256_update(h, "junk", 4);
	sl_sha256(h, "abc", 3, d);
	is_str(hex(d, sizeof(d)), "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad",
	    "one-shot after an abandoned incremental digest");

	sl_sha1(h, "abc", 3, d1);
	is_str(hex(d1, sizeof(d1)), "a9993e364706816aba3e25717850c26c9cd0d89d",
	    "sha1 of 'abc'");
	sl_sha1(h, "", 0, d1);
	is_str(hex(d1, sizeof(d1)), "da39a3ee5e6b4b0d3255bfef95601890afd80709",
	    "sha1 of ''");
}

static void
test_hmac(void)
{
	unsigned char key6[131], d[SL_SHA256_LEN];
	static const char key1[20] = {
		0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b,
		0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b,
	};
	static const char msg6[] =
	    "Test Using Larger Than Block-Size Key - Hash Key First";

	sl_hmac_sha256(key1, sizeof(key1), "Hi There", 8, d);
	is_str(hex(d, sizeof(d)), "b0344c61d8db38535ca8afceaf0bf12b"
	    "881dc200c9833da726e9376c2e32cff7", "HMAC-SHA256 RFC 4231 case 1");
	sl_hmac_sha256("Jefe", 4, "what do ya want for nothing?", 28, d);
	is_str(hex(d, sizeof(d)), "5bdcc146bf60754e6a042426089575c7"
	    "5a003f089d2739839dec58b964ec3843", "HMAC-SHA256 RFC 4231 case 2");
	memset(key6, 0xaa, sizeof(key6));
	sl_hmac_sha256(key6, sizeof(key6), msg6, sizeof(msg6) - 1, d);
	is_str(hex(d, sizeof(d)), "60e431591ee0b67f0d8a26aacbf5b77f"
	    "8e0bc6213728c5140546040f0ee37f54",
	    "HMAC-SHA256 RFC 4231 case 6 (key longer than a block)");
}

/* RFC 4122 appendix C namespaces. */
static const struct sl_uuid ns_dns = { {
	0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1,
	0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8 } };
static const struct sl_uuid ns_url = { {
	0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1,
	0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8 } };
static const struct sl_uuid ns_oid = { {
	0x6b, 0xa7, 0xb8, 0x12, 0x9d, 0xad, 0x11, 0xd1,
	0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8 } };
static const struct sl_uuid ns_x500 = { {
	0x6b, 0xa7, 0xb8, 0x14, 0x9d, 0xad, 0x11, 0xd1,
	0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8 } };

static void
test_uuid5(struct sl_hasher *h)
{
	/* python3: str(uuid.uuid5(ns, name)) */
	static const struct {
		const struct sl_uuid *ns;
		const char *nsname, *name, *want;
	} one[] = {
		{ &ns_url, "URL", "sluice",
		    "0fbefbf0-73c4-58c1-b9df-1e7c6a10b260" },
		{ &ns_url, "URL", "", "1b4db7eb-4057-5ddf-91e0-36dec72071f5" },
		{ &ns_url, "URL", "a", "e1407479-3136-56c0-9908-bb02fb0339e2" },
		{ &ns_url, "URL", "example.org",
		    "54a35416-963c-5dd6-a1e2-5ab7bb5bafc7" },
		{ &ns_url, "URL", "customers/42",
		    "94b1414f-5c74-5776-8ff6-23063d7bdcea" },
		{ &ns_url, "URL", "caf\xc3\xa9",
		    "79d4db4c-73a9-5cec-bd37-4fc862e2120d" },
		{ &ns_dns, "DNS", "", "4ebd0208-8328-5d69-8c44-ec50939c0967" },
		{ &ns_dns, "DNS", "a", "4f3f2898-69e3-5a0d-820a-c4e87987dbce" },
		{ &ns_dns, "DNS", "example.org",
		    "aad03681-8b63-5304-89e0-8ca8f49461b5" },
		{ &ns_dns, "DNS", "caf\xc3\xa9",
		    "5e2e2331-a683-5e18-b56d-666e31574b41" },
		{ &ns_oid, "OID", "a", "d720e32d-4765-5177-b65b-42dd7f6e6445" },
		{ &ns_oid, "OID", "customers/42",
		    "de32d656-b6a0-5e0a-ba7c-9ed6b42051f4" },
		{ &ns_x500, "X500", "",
		    "b4bdf874-8c03-5bd8-8fd7-5e409dfd82c0" },
		{ &ns_x500, "X500", "example.org",
		    "e3635e86-f82b-5bbc-a54a-da97923e5c76" },
		{ &sl_uuid_ns, "sluice", "",
		    "79155149-9dd2-5485-ae72-0ed63ff27dee" },
		{ &sl_uuid_ns, "sluice", "a",
		    "321c2c7d-d12e-5257-9e1c-9dc361658fbb" },
		{ &sl_uuid_ns, "sluice", "example.org",
		    "f66b2a5f-b024-5423-9baf-0c2bf99a51e8" },
		{ &sl_uuid_ns, "sluice", "customers/42",
		    "bc22f3f4-ed80-52e2-b411-d82a4138ce16" },
		{ &sl_uuid_ns, "sluice", "caf\xc3\xa9",
		    "db3c4d21-9160-5e3f-a89b-73f20f74ce69" },
		{ &sl_uuid_ns, "sluice", "abc",
		    "882993fd-fa6d-5e7a-9580-4b0b972d1736" },
	};
	/* python3: str(uuid.uuid5(sluice_ns, "\n".join(parts))) */
	static const struct {
		int n;
		const char *p[3];
		const char *want;
	} multi[] = {
		{ 2, { "a", "bc" }, "218b90f4-0048-5988-9f77-edb8068dd033" },
		{ 2, { "ab", "c" }, "b55616b5-5440-5c8a-8ba7-8be811a6114e" },
		{ 2, { "customers", "42" },
		    "8ad0c623-66ea-5620-abaf-79a94ec8632f" },
		{ 3, { "x", "y", "z" },
		    "d7fa3273-041f-53cc-93f3-ea084196aafb" },
	};
	struct sl_uuid u, u2;
	char s[SL_UUID_STRLEN + 1];

	sl_uuid_str(&sl_uuid_ns, s);
	is_str(s, "0fbefbf0-73c4-58c1-b9df-1e7c6a10b260",
	    "sl_uuid_ns is the documented constant");
	for (size_t i = 0; i < NELEM(one); i++) {
		const char *parts[1] = { one[i].name };
		size_t lens[1] = { strlen(one[i].name) };
		size_t cstr[1] = { (size_t)-1 };

		sl_uuid5(h, one[i].ns, &u, 1, parts, lens);
		sl_uuid_str(&u, s);
		is_str(s, one[i].want, "uuid5(%s, '%s')", one[i].nsname,
		    one[i].name);
		sl_uuid5(h, one[i].ns, &u2, 1, parts, cstr);
		ok(memcmp(&u, &u2, sizeof(u)) == 0,
		    "uuid5(%s, '%s') with length -1 (C string)", one[i].nsname,
		    one[i].name);
	}
	/* the namespace constant is itself uuid5(URL, "sluice") */
	{
		const char *parts[1] = { "sluice" };
		size_t lens[1] = { 6 };

		sl_uuid5(h, &ns_url, &u, 1, parts, lens);
		ok(memcmp(&u, &sl_uuid_ns, sizeof(u)) == 0,
		    "sl_uuid_ns == uuid5(URL, \"sluice\") byte for byte");
	}
	for (size_t i = 0; i < NELEM(multi); i++) {
		size_t lens[3] = { (size_t)-1, (size_t)-1, (size_t)-1 };

		sl_uuid5(h, &sl_uuid_ns, &u, multi[i].n, multi[i].p, lens);
		sl_uuid_str(&u, s);
		is_str(s, multi[i].want, "uuid5 of %d parts '%s','%s'%s",
		    multi[i].n, multi[i].p[0], multi[i].p[1],
		    multi[i].n > 2 ? ",..." : "");
		{
			/* the same name joined by the caller */
			char joined[64];
			size_t jl = 16;

			memcpy(joined, sl_uuid_ns.b, 16);
			for (int k = 0; k < multi[i].n; k++) {
				if (k > 0)
					joined[jl++] = '\n';
				memcpy(joined + jl, multi[i].p[k],
				    strlen(multi[i].p[k]));
				jl += strlen(multi[i].p[k]);
			}
			sl_uuid5_joined(h, joined, jl, &u2);
			ok(memcmp(&u, &u2, sizeof(u)) == 0,
			    "uuid5_joined of %d parts is uuid5 of them",
			    multi[i].n);
		}
	}
	{
		const char *p1[2] = { "a", "bc" }, *p2[2] = { "ab", "c" };
		const char *p3[1] = { "a\nbc" };
		size_t l[2] = { (size_t)-1, (size_t)-1 };

		sl_uuid5(h, &sl_uuid_ns, &u, 2, p1, l);
		sl_uuid5(h, &sl_uuid_ns, &u2, 2, p2, l);
		ok(memcmp(&u, &u2, sizeof(u)) != 0,
		    "uuid5 ('a','bc') differs from ('ab','c')");
		sl_uuid5(h, &sl_uuid_ns, &u2, 1, p3, l);
		ok(memcmp(&u, &u2, sizeof(u)) == 0,
		    "uuid5 ('a','bc') is uuid5 of 'a\\nbc'");
	}
	/* explicit lengths: an embedded NUL, and a prefix of a longer buffer */
	{
		const char *p[2] = { "a\0b", "42xyz" };
		size_t l1[1] = { 3 }, l2[2] = { 9, 2 };
		const char *q[2] = { "customers/42", "42" };

		sl_uuid5(h, &sl_uuid_ns, &u, 1, p, l1);
		sl_uuid_str(&u, s);
		is_str(s, "8500c8fb-1da1-5f77-97f5-0bdcc831aa1e",
		    "uuid5 of a part with an embedded NUL");
		sl_uuid5(h, &sl_uuid_ns, &u, 2, q, l2);
		sl_uuid_str(&u, s);
		is_str(s, "8ad0c623-66ea-5620-abaf-79a94ec8632f",
		    "uuid5 parts cut by their lengths");
	}
}

static int
cmp_uuid(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct sl_uuid));
}

static void
test_uuid4(void)
{
	enum { N = 1000 };
	struct sl_uuid *u = malloc(N * sizeof(*u));
	int version = 0, variant = 0, dups = 0, bits_seen = 0;
	unsigned char orb[16] = { 0 }, andb[16];

	memset(andb, 0xff, sizeof(andb));
	for (int i = 0; i < N; i++) {
		sl_uuid4(&u[i]);
		version += (u[i].b[6] >> 4) == 4;
		variant += (u[i].b[8] & 0xc0) == 0x80;
		for (int k = 0; k < 16; k++) {
			orb[k] |= u[i].b[k];
			andb[k] &= u[i].b[k];
		}
	}
	is_int(version, N, "uuid4: version nibble 4 in all %d", N);
	is_int(variant, N, "uuid4: variant bits 10 in all %d", N);
	qsort(u, N, sizeof(*u), cmp_uuid);
	for (int i = 1; i < N; i++)
		dups += memcmp(&u[i - 1], &u[i], sizeof(*u)) == 0;
	is_int(dups, 0, "uuid4: no duplicates in %d", N);
	/* every bit outside the fixed ones varies over 1000 draws */
	for (int k = 0; k < 16; k++) {
		unsigned char fixed = k == 6 ? 0xf0 : k == 8 ? 0xc0 : 0;

		bits_seen += (orb[k] | fixed) == 0xff &&
		    (andb[k] & ~fixed) == 0;
	}
	is_int(bits_seen, 16, "uuid4: all 122 random bits vary");
	free(u);
}

static void
test_uuid_text(void)
{
	static const struct {
		const char *in;
		int ok;
	} cases[] = {
		{ "0fbefbf0-73c4-58c1-b9df-1e7c6a10b260", 1 },
		{ "urn:uuid:0fbefbf0-73c4-58c1-b9df-1e7c6a10b260", 1 },
		{ "<urn:uuid:0fbefbf0-73c4-58c1-b9df-1e7c6a10b260>", 1 },
		{ "0FBEFBF0-73C4-58C1-B9DF-1E7C6A10B260", 1 },
		{ "urn:uuid:0FBEFBF0-73c4-58C1-b9df-1E7C6A10B260", 1 },
		{ "", 0 },
		{ "0fbefbf0-73c4-58c1-b9df-1e7c6a10b26", 0 },
		{ "0fbefbf0-73c4-58c1-b9df-1e7c6a10b2600", 0 },
		{ "0fbefbf073c458c1b9df1e7c6a10b260", 0 },
		{ "0fbefbf0-73c4-58c1-b9df-1e7c6a10b26g", 0 },
		{ "0fbefbf0-73c4-58c1-b9df-1e7c6a10b2-0", 0 },
		{ "0fbefbf0_73c4-58c1-b9df-1e7c6a10b260", 0 },
		{ "0fbefbf-073c4-58c1-b9df-1e7c6a10b260", 0 },
		{ "0fbefbf0-73c4-58c1-b9df1-e7c6a10b260", 0 },
		{ "0fbefbf0-73c4-58c1-b9df-1e7c6a10b26 ", 0 },
		{ " 0fbefbf0-73c4-58c1-b9df-1e7c6a10b260", 0 },
		{ "0fbefbf0-73c4-58c1-b9df-1e7c6a1\xc3\xa9" "260", 0 },
		{ "{0fbefbf0-73c4-58c1-b9df-1e7c6a10b260}", 0 },
		{ "urn:uuid:0fbefbf0-73c4-58c1-b9df-1e7c6a10b26", 0 },
		{ "urn:uuid:", 0 },
		{ "urn:uuid0fbefbf0-73c4-58c1-b9df-1e7c6a10b260", 0 },
		{ "uuid:0fbefbf0-73c4-58c1-b9df-1e7c6a10b260", 0 },
		{ "<urn:uuid:0fbefbf0-73c4-58c1-b9df-1e7c6a10b260", 0 },
		{ "urn:uuid:0fbefbf0-73c4-58c1-b9df-1e7c6a10b260>", 0 },
		{ "<>", 0 },
		{ "<urn:uuid:0fbefbf0-73c4-58c1-b9df-1e7c6a10b2600>", 0 },
		{ "-0fbefbf0-73c4-58c1-b9df-1e7c6a10b26", 0 },
	};
	struct sl_uuid u;
	char s[SL_UUID_STRLEN + 1];

	for (size_t i = 0; i < NELEM(cases); i++) {
		int rc;

		memset(&u, 0, sizeof(u));
		rc = sl_uuid_parse(cases[i].in, strlen(cases[i].in), &u);
		if (cases[i].ok) {
			ok(rc == 0 && memcmp(&u, &sl_uuid_ns, sizeof(u)) == 0,
			    "parse '%s'", cases[i].in);
		} else
			is_int(rc, -1, "refuse '%s'", cases[i].in);
	}
	/* the length is honoured: a valid id followed by more bytes */
	ok(sl_uuid_parse("0fbefbf0-73c4-58c1-b9df-1e7c6a10b260xyz", 36, &u) ==
	    0 && memcmp(&u, &sl_uuid_ns, sizeof(u)) == 0,
	    "parse reads len bytes only");
	ok(sl_uuid_parse("0fbefbf0-73c4-58c1-b9df-1e7c6a10b260", 35, &u) == -1,
	    "parse of a cut length");

	/* str/parse round trip on random ids and on edge bytes */
	{
		int good = 1;

		for (int i = 0; i < 500 && good; i++) {
			struct sl_uuid r, back;
			char urn[9 + SL_UUID_STRLEN + 3];

			sl_uuid4(&r);
			if (i == 0)
				memset(r.b, 0, 16);
			if (i == 1)
				memset(r.b, 0xff, 16);
			sl_uuid_str(&r, s);
			good = strlen(s) == SL_UUID_STRLEN &&
			    sl_uuid_parse(s, strlen(s), &back) == 0 &&
			    memcmp(&r, &back, sizeof(r)) == 0;
			snprintf(urn, sizeof(urn), "<urn:uuid:%s>", s);
			good = good && sl_uuid_parse(urn, strlen(urn),
			    &back) == 0 && memcmp(&r, &back, sizeof(r)) == 0;
			good = good && sl_uuid_parse(urn + 1, strlen(urn) - 2,
			    &back) == 0 && memcmp(&r, &back, sizeof(r)) == 0;
			for (int k = 0; k < SL_UUID_STRLEN && good; k++) {
				int dash = k == 8 || k == 13 || k == 18 ||
				    k == 23;

				good = dash ? s[k] == '-' :
				    strchr("0123456789abcdef", s[k]) != NULL;
			}
			if (!good)
				tap_diag("round trip failed on %s", s);
		}
		ok(good, "uuid_str/uuid_parse round trip, plain and urn forms");
	}
	{
		struct sl_uuid z = { { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66,
		    0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff } };

		sl_uuid_str(&z, s);
		is_str(s, "00112233-4455-6677-8899-aabbccddeeff",
		    "uuid_str layout, lower case");
	}
}

static void
test_hex(void)
{
	static const unsigned char b[] = { 0x00, 0x01, 0x0f, 0x10, 0x7f, 0x80,
	    0xab, 0xcd, 0xef, 0xfe, 0xff };
	char out[2 * sizeof(b) + 1 + 4];
	unsigned char all[256];
	char allhex[513];
	int good = 1;

	memset(out, 'x', sizeof(out));
	sl_hex(b, sizeof(b), out);
	is_str(out, "00010f107f80abcdeffeff", "hex of edge bytes");
	memset(out, 'x', sizeof(out));
	sl_hex(b, 0, out);
	is_str(out, "", "hex of nothing is the empty string");
	for (int i = 0; i < 256; i++)
		all[i] = (unsigned char)i;
	sl_hex(all, 256, allhex);
	for (int i = 0; i < 256 && good; i++) {
		char want[3];

		snprintf(want, sizeof(want), "%02x", i);
		good = memcmp(allhex + 2 * i, want, 2) == 0;
	}
	ok(good && allhex[512] == '\0', "hex of every byte value");
}

/* WARC digests in every spelling a reader meets, checked against "abc". */
static void
test_digest_matches(void)
{
	static const struct {
		const char *digest;
		int want;
	} t[] = {
		{ "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", 1 },
		{ "SHA256:BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD", 1 },
		{ "sha256:XJ4BNP4PAHH6UQKBIDPF3LRCEOYAGYNDSYLXVHFUCD7WD4QACWWQ====", 1 },
		{ "sha256:xj4bnp4pahh6uqkbidpf3lrceoyagyndsylxvhfucd7wd4qacwwq", 1 },
		{ "sha1:a9993e364706816aba3e25717850c26c9cd0d89d", 1 },
		{ "sha1:VGMT4NSHA2AWVOR6EVYXQUGCNSONBWE5", 1 },
		{ "sha1:VGMT4NSHA2AWVOR6EVYXQUGCNSONBWE4", 0 },
		{ "sha1:VGMT4NSHA2AWVOR6EVYXQUGCNSONBWE5=x", 0 },
		{ "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ae", 0 },
		{ "sha256:", 0 },
		{ "md5:900150983cd24fb0d6963f7d28e17f72", -1 },
	};
	struct sl_hasher *h = sl_hasher_new();
	unsigned char d[SL_SHA256_LEN];

	sl_sha256(h, "abc", 3, d);
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int got = sl_digest_matches(h, t[i].digest, "abc", 3, NULL);

		ok(got == t[i].want, "digest %s: %d", t[i].digest, got);
		ok(sl_digest_matches(h, t[i].digest, "abc", 3, d) == t[i].want,
		    "digest %s with the SHA-256 given", t[i].digest);
	}
	sl_hasher_free(h);
}

/*
 * Two digests at once (SHA-NI where the CPU has it) against one at a time,
 * on message pairs of every length around the block boundaries and random
 * lengths up to 300 bytes.
 */
int
main(void)
{
	struct sl_hasher *h = sl_hasher_new();


	test_sha(h);
	test_hmac();
	test_uuid5(h);
	test_uuid4();
	test_uuid_text();
	test_hex();
	sl_hasher_free(h);
	test_digest_matches();
	return tap_done();
}
