/*
 * test-header.c - unit tests for libcommon/header.c: field-name lookup in
 * every letter case, canonical spellings, and the ordered header map (add,
 * add by name, set, del, count, find, copy; which setters copy the value).
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "header.h"
#include "tap.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* Canonical spellings, from WARC/1.1 and sluice-stream(5). */
static const struct {
	enum sl_field id;
	const char *name;
} known[] = {
	{ SL_F_WARC_TYPE, "WARC-Type" },
	{ SL_F_WARC_RECORD_ID, "WARC-Record-ID" },
	{ SL_F_WARC_DATE, "WARC-Date" },
	{ SL_F_CONTENT_LENGTH, "Content-Length" },
	{ SL_F_CONTENT_TYPE, "Content-Type" },
	{ SL_F_WARC_CONCURRENT_TO, "WARC-Concurrent-To" },
	{ SL_F_WARC_BLOCK_DIGEST, "WARC-Block-Digest" },
	{ SL_F_WARC_PAYLOAD_DIGEST, "WARC-Payload-Digest" },
	{ SL_F_WARC_IP_ADDRESS, "WARC-IP-Address" },
	{ SL_F_WARC_REFERS_TO, "WARC-Refers-To" },
	{ SL_F_WARC_REFERS_TO_TARGET_URI, "WARC-Refers-To-Target-URI" },
	{ SL_F_WARC_REFERS_TO_DATE, "WARC-Refers-To-Date" },
	{ SL_F_WARC_TARGET_URI, "WARC-Target-URI" },
	{ SL_F_WARC_TRUNCATED, "WARC-Truncated" },
	{ SL_F_WARC_WARCINFO_ID, "WARC-Warcinfo-ID" },
	{ SL_F_WARC_FILENAME, "WARC-Filename" },
	{ SL_F_WARC_PROFILE, "WARC-Profile" },
	{ SL_F_WARC_IDENTIFIED_PAYLOAD_TYPE, "WARC-Identified-Payload-Type" },
	{ SL_F_WARC_SEGMENT_NUMBER, "WARC-Segment-Number" },
	{ SL_F_WARC_SEGMENT_ORIGIN_ID, "WARC-Segment-Origin-ID" },
	{ SL_F_WARC_SEGMENT_TOTAL_LENGTH, "WARC-Segment-Total-Length" },
	{ SL_F_SLUICE_KEY, "Sluice-Key" },
	{ SL_F_SLUICE_EVENT_TIME, "Sluice-Event-Time" },
	{ SL_F_SLUICE_VALID_UNTIL, "Sluice-Valid-Until" },
	{ SL_F_SLUICE_CLASSIFICATION, "Sluice-Classification" },
	{ SL_F_SLUICE_ROLES, "Sluice-Roles" },
	{ SL_F_SLUICE_PII, "Sluice-PII" },
	{ SL_F_SLUICE_AUTHORITY, "Sluice-Authority" },
	{ SL_F_SLUICE_CERTIFICATION, "Sluice-Certification" },
	{ SL_F_SLUICE_CONTRACT, "Sluice-Contract" },
	{ SL_F_SLUICE_LINEAGE, "Sluice-Lineage" },
	{ SL_F_SLUICE_DERIVED_FROM, "Sluice-Derived-From" },
};

static void
test_names(void)
{
	static const char *unknown[] = {
		"", "X-Custom", "WARC", "WARC-", "WARC-Typ", "WARC-Types",
		"WARC_Type", "WARC Type", "Sluice", "Sluice-Role",
		"Sluice-Rolesx", "Content-Length ", " Content-Length",
		"Content-Lengt", "Sluice-PII-", "warc-record-id2",
	};
	char buf[64];

	is_int(SL_F__COUNT, NELEM(known) + 1,
	    "the table below lists every known field");
	for (size_t i = 0; i < NELEM(known); i++) {
		const char *n = known[i].name;
		size_t len = strlen(n), k;
		int good;

		is_str(sl_field_name(known[i].id), n, "canonical name of %s",
		    n);
		is_int(sl_field_lookup(n, len), known[i].id, "lookup '%s'", n);

		for (k = 0; k < len; k++)
			buf[k] = (char)tolower((unsigned char)n[k]);
		good = sl_field_lookup(buf, len) == known[i].id;
		for (k = 0; k < len; k++)
			buf[k] = (char)toupper((unsigned char)n[k]);
		good = good && sl_field_lookup(buf, len) == known[i].id;
		for (k = 0; k < len; k++)
			buf[k] = (char)(k % 2 ? tolower((unsigned char)n[k]) :
			    toupper((unsigned char)n[k]));
		good = good && sl_field_lookup(buf, len) == known[i].id;
		ok(good, "lookup '%s' in lower, upper and mixed case", n);

		/* The length counts: a longer buffer holding the name. */
		memcpy(buf, n, len);
		memcpy(buf + len, "Xyz", 4);
		ok(sl_field_lookup(buf, len) == known[i].id &&
		    sl_field_lookup(buf, len + 3) == SL_F_OTHER &&
		    sl_field_lookup(buf, len - 1) == SL_F_OTHER,
		    "lookup '%s' by length, not by NUL", n);
	}
	for (size_t i = 0; i < NELEM(unknown); i++)
		is_int(sl_field_lookup(unknown[i], strlen(unknown[i])),
		    SL_F_OTHER, "lookup '%s' is OTHER", unknown[i]);
	ok(sl_field_name(SL_F_OTHER) == NULL, "OTHER has no name");
	ok(sl_field_name(SL_F__COUNT) == NULL, "out of range has no name");
}

/* sl_field_lookup_exact: the same ids, and whether the spelling is canonical. */
static void
test_exact(void)
{
	static const char *unknown[] = {
		"", "X-Custom", "WARC", "WARC-", "WARC-Typ", "WARC-Types",
		"WARC_Type", "Sluice-Rolesx", "Content-Lengt",
		"a-very-long-field-name-longer-than-any-known-one",
	};
	char buf[64];
	int exact;

	for (size_t i = 0; i < NELEM(known); i++) {
		const char *n = known[i].name;
		size_t len = strlen(n), k;
		int good;

		exact = -1;
		good = sl_field_lookup_exact(n, len, &exact) == known[i].id &&
		    exact == 1;
		for (k = 0; k < len; k++)
			buf[k] = (char)tolower((unsigned char)n[k]);
		good = good && sl_field_lookup_exact(buf, len, &exact) ==
		    known[i].id && exact == 0;
		for (k = 0; k < len; k++)
			buf[k] = (char)toupper((unsigned char)n[k]);
		good = good && sl_field_lookup_exact(buf, len, &exact) ==
		    known[i].id && exact == 0;
		memcpy(buf, n, len);
		memcpy(buf + len, "Xyz", 4);
		good = good && sl_field_lookup_exact(buf, len, &exact) ==
		    known[i].id && exact == 1 &&
		    sl_field_lookup_exact(buf, len + 3, &exact) == SL_F_OTHER &&
		    exact == 0;
		ok(good, "exact lookup '%s': canonical, lower, upper, by length",
		    n);
	}
	for (size_t i = 0; i < NELEM(unknown); i++) {
		exact = -1;
		ok(sl_field_lookup_exact(unknown[i], strlen(unknown[i]),
		    &exact) == SL_F_OTHER && exact == 0,
		    "exact lookup '%s' is OTHER", unknown[i]);
	}
}

/* "a=1 b=2" style dump of the map, for whole-map comparisons. */
static const char *
dump(const struct sl_headers *h)
{
	static char out[1024];
	size_t o = 0;

	out[0] = '\0';
	for (size_t i = 0; i < h->n && o < sizeof(out) - 1; i++)
		o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%s=%s",
		    i ? " " : "", h->f[i].name, h->f[i].value);
	return out;
}

static void
test_map(void)
{
	struct sl_arena a = SL_ARENA_INIT, a2 = SL_ARENA_INIT;
	struct sl_headers h, d;
	const struct sl_hfield *f;
	char src[16];

	sl_headers_init(&h, &a);
	is_int(h.n, 0, "init: empty");
	ok(sl_headers_find(&h, SL_F_WARC_TYPE) == NULL, "find in empty map");
	ok(sl_headers_get(&h, SL_F_WARC_TYPE) == NULL, "get in empty map");
	is_int(sl_headers_count(&h, SL_F_WARC_TYPE), 0, "count in empty map");
	is_int(sl_headers_del(&h, SL_F_WARC_TYPE), 0, "del in empty map");

	/* add copies: the source buffer may change afterwards */
	strcpy(src, "resource");
	sl_headers_add(&h, SL_F_WARC_TYPE, src, 8);
	strcpy(src, "XXXXXXXX");
	is_str(sl_headers_get(&h, SL_F_WARC_TYPE), "resource",
	    "add copies the value");
	f = sl_headers_find(&h, SL_F_WARC_TYPE);
	ok(f && f->value_len == 8 && f->value != src && f->safe == 0,
	    "add: length, own storage, not safe");
	is_str(f ? f->name : NULL, "WARC-Type", "add: canonical name");

	/* add with a length shorter than the buffer; NUL terminated */
	sl_headers_add(&h, SL_F_CONTENT_LENGTH, "12345", 2);
	f = sl_headers_find(&h, SL_F_CONTENT_LENGTH);
	ok(f && f->value_len == 2 && strcmp(f->value, "12") == 0,
	    "add takes len bytes and NUL-terminates");
	sl_headers_adds(&h, SL_F_SLUICE_CONTRACT, "c1@1 pass");
	sl_headers_adds(&h, SL_F_SLUICE_LINEAGE, "l1");
	sl_headers_adds(&h, SL_F_SLUICE_CONTRACT, "c2@1 warn");
	is_str(dump(&h), "WARC-Type=resource Content-Length=12 "
	    "Sluice-Contract=c1@1 pass Sluice-Lineage=l1 "
	    "Sluice-Contract=c2@1 warn", "adds keep order");
	is_int(sl_headers_count(&h, SL_F_SLUICE_CONTRACT), 2,
	    "count of a repeated field");
	is_int(sl_headers_count(&h, SL_F_WARC_DATE), 0,
	    "count of an absent one");
	is_str(sl_headers_get(&h, SL_F_SLUICE_CONTRACT), "c1@1 pass",
	    "get returns the first");

	/* add_name: known names get the id and the canonical spelling */
	strcpy(src, "warc-date");
	sl_headers_add_name(&h, src, 9, "2026-11-20T08:00:00Z", 20);
	f = sl_headers_find(&h, SL_F_WARC_DATE);
	ok(f != NULL && f == &h.f[h.n - 1],
	    "add_name of a known name gets its id");
	is_str(f ? f->name : NULL, "WARC-Date", "add_name: canonical spelling");
	strcpy(src, "X-Mine");
	sl_headers_add_name(&h, src, 6, "v1", 2);
	strcpy(src, "ZZZZZZ");
	f = &h.f[h.n - 1];
	ok(f->id == SL_F_OTHER && f->name_len == 6 &&
	    strcmp(f->name, "X-Mine") == 0 && strcmp(f->value, "v1") == 0,
	    "add_name of an unknown name copies the name as given");
	sl_headers_add_name(&h, "x-mine", 6, "v2", 2);
	/* add_id: the id the caller looked up; names copied for OTHER */
	strcpy(src, "warc-date");
	sl_headers_add_id(&h, SL_F_WARC_DATE, src, 9, "d", 1);
	f = &h.f[h.n - 1];
	ok(f->id == SL_F_WARC_DATE && strcmp(f->name, "WARC-Date") == 0 &&
	    strcmp(f->value, "d") == 0, "add_id of a known id: canonical name");
	strcpy(src, "X-Other");
	sl_headers_add_id(&h, SL_F_OTHER, src, 7, "o", 1);
	strcpy(src, "ZZZZZZZ");
	f = &h.f[h.n - 1];
	ok(f->id == SL_F_OTHER && strcmp(f->name, "X-Other") == 0 &&
	    strcmp(f->value, "o") == 0, "add_id of OTHER copies the name");
	h.n -= 2;
	f = sl_headers_find_name(&h, "X-MINE", 6);
	ok(f && strcmp(f->value, "v1") == 0,
	    "find_name is case-insensitive, returns the first");
	f = sl_headers_find_name(&h, "sluice-lineage", 14);
	ok(f && f->id == SL_F_SLUICE_LINEAGE && strcmp(f->value, "l1") == 0,
	    "find_name finds known fields too");
	ok(sl_headers_find_name(&h, "X-Min", 5) == NULL,
	    "find_name needs the whole name");
	ok(sl_headers_find_name(&h, "X-Mine2", 7) == NULL,
	    "find_name: longer name");
	ok(sl_headers_find_name(&h, "X-Mine2", 6) != NULL,
	    "find_name uses the length");

	/* set: replaces the first in place, removes later duplicates */
	sl_headers_set(&h, SL_F_SLUICE_CONTRACT, "c3@2 pass", 9);
	is_str(dump(&h), "WARC-Type=resource Content-Length=12 "
	    "Sluice-Contract=c3@2 pass Sluice-Lineage=l1 "
	    "WARC-Date=2026-11-20T08:00:00Z X-Mine=v1 x-mine=v2",
	    "set replaces the first in place and removes the others");
	is_int(sl_headers_count(&h, SL_F_SLUICE_CONTRACT), 1,
	    "set leaves one occurrence");
	strcpy(src, "k-1");
	sl_headers_set(&h, SL_F_SLUICE_KEY, src, 3);
	strcpy(src, "k-2");
	ok(h.f[h.n - 1].id == SL_F_SLUICE_KEY &&
	    strcmp(h.f[h.n - 1].value, "k-1") == 0,
	    "set appends an absent field, copying the value");
	sl_headers_sets(&h, SL_F_SLUICE_KEY, "k-3");
	is_int(sl_headers_count(&h, SL_F_SLUICE_KEY), 1, "sets: still one");
	is_str(sl_headers_get(&h, SL_F_SLUICE_KEY), "k-3", "sets replaces");
	sl_headers_sets(&h, SL_F_WARC_TYPE, "");
	f = sl_headers_find(&h, SL_F_WARC_TYPE);
	ok(f == &h.f[0] && f->value_len == 0 && f->value[0] == '\0',
	    "set to the empty string, in place");

	/* del */
	sl_headers_adds(&h, SL_F_SLUICE_LINEAGE, "l2");
	sl_headers_adds(&h, SL_F_SLUICE_LINEAGE, "l3");
	is_int(sl_headers_del(&h, SL_F_SLUICE_LINEAGE), 3,
	    "del returns how many it removed");
	is_str(dump(&h), "WARC-Type= Content-Length=12 "
	    "Sluice-Contract=c3@2 pass WARC-Date=2026-11-20T08:00:00Z "
	    "X-Mine=v1 x-mine=v2 Sluice-Key=k-3",
	    "del keeps the others in order");
	is_int(sl_headers_del(&h, SL_F_SLUICE_LINEAGE), 0, "del again: none");

	/* copy into a map on another arena, then reset the first arena */
	sl_headers_init(&d, &a2);
	sl_headers_adds(&d, SL_F_WARC_RECORD_ID, "<urn:uuid:x>");
	sl_headers_copy(&d, &h);
	{
		char want[1024];

		snprintf(want, sizeof(want), "WARC-Record-ID=<urn:uuid:x> %s",
		    dump(&h));
		sl_headers_clear(&h);
		is_int(h.n, 0, "clear forgets the fields");
		sl_arena_reset(&a);
		/* scribble over the old arena's memory */
		for (int i = 0; i < 64; i++)
			memset(sl_arena_alloc(&a, 64), 'Q', 64);
		is_str(dump(&d), want,
		    "copy appends, survives the source arena");
	}
	f = sl_headers_find_name(&d, "X-Mine", 6);
	ok(f && f->id == SL_F_OTHER, "copy keeps unknown names");
	f = sl_headers_find(&d, SL_F_WARC_DATE);
	ok(f && f->value_len == 20, "copy keeps lengths");
	sl_headers_release(&d);

	/* add_ref and add_safe keep the caller's pointer */
	{
		static char ref[] = "sha256:abc";
		static char safe[] = "urn:uuid:1";

		sl_headers_release(&h);
		sl_headers_init(&h, &a);
		sl_headers_add_ref(&h, SL_F_WARC_BLOCK_DIGEST, ref, 10);
		sl_headers_add_safe(&h, SL_F_WARC_RECORD_ID, safe, 10);
		ok(h.f[0].value == ref && h.f[0].safe == 0 &&
		    h.f[0].value_len == 10,
		    "add_ref stores the pointer, not safe");
		ok(h.f[1].value == safe && h.f[1].safe == 1,
		    "add_safe stores the pointer, marked safe");
		is_str(h.f[0].name, "WARC-Block-Digest",
		    "add_ref: canonical name");
		is_str(h.f[1].name, "WARC-Record-ID",
		    "add_safe: canonical name");
		ref[7] = 'X';
		safe[9] = '2';
		is_str(sl_headers_get(&h, SL_F_WARC_BLOCK_DIGEST), "sha256:Xbc",
		    "add_ref does not copy");
		is_str(sl_headers_get(&h, SL_F_WARC_RECORD_ID), "urn:uuid:2",
		    "add_safe does not copy");
		sl_headers_set(&h, SL_F_WARC_RECORD_ID, "urn:uuid:3", 10);
		ok(h.f[1].value != safe && h.f[1].safe == 0 &&
		    strcmp(h.f[1].value, "urn:uuid:3") == 0,
		    "set over a safe field copies and clears safe");
		sl_headers_release(&h);
	}

	/* many fields: the array grows, order and values hold */
	{
		char v[16];
		int good = 1;

		sl_headers_init(&h, &a);
		for (int i = 0; i < 1000; i++) {
			int n = snprintf(v, sizeof(v), "%d", i);

			sl_headers_add(&h, i % 3 ? SL_F_SLUICE_LINEAGE :
			    SL_F_SLUICE_CONTRACT, v, (size_t)n);
		}
		for (int i = 0; i < 1000 && good; i++) {
			snprintf(v, sizeof(v), "%d", i);
			good = strcmp(h.f[i].value, v) == 0;
		}
		ok(good && h.n == 1000, "1000 fields keep order and values");
		is_int(sl_headers_count(&h, SL_F_SLUICE_CONTRACT), 334,
		    "count over 1000 fields");
		is_int(sl_headers_del(&h, SL_F_SLUICE_LINEAGE), 666,
		    "del over 1000 fields");
		good = h.n == 334;
		for (size_t i = 0; i < h.n && good; i++) {
			snprintf(v, sizeof(v), "%zu", i * 3);
			good = strcmp(h.f[i].value, v) == 0;
		}
		ok(good, "del kept every third field in order");
		sl_headers_sets(&h, SL_F_SLUICE_CONTRACT, "one");
		ok(h.n == 1 && strcmp(h.f[0].value, "one") == 0,
		    "set collapses 334 duplicates to one");
		sl_headers_release(&h);
	}
	sl_arena_release(&a);
	sl_arena_release(&a2);
}

int
main(void)
{
	test_names();
	test_exact();
	test_map();
	return tap_done();
}
