/*
 * test-context.c - unit tests for libcommon/context.c: level names, name
 * sets, reading and writing the context fields of a record, the derivation
 * rules (a table, then random parent sets checked against sl_ctx_no_looser
 * and an independent model), sl_ctx_no_looser and sl_ctx_allows.
 *
 * Contexts are written in tables as short specs, for example
 * "class=confidential auth=internal cert=provisional key=k et=100 vu=200
 * roles=crm,support pii=email": an absent field is left out, and "roles="
 * is a present but empty role set.  Times are plain microseconds.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "context.h"
#include "header.h"
#include "tap.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* The level names, as sluice-stream(5) spells them, indexed by level. */
static const char *const class_names[] = {
	[SL_CLASS_PUBLIC] = "public",
	[SL_CLASS_INTERNAL] = "internal",
	[SL_CLASS_CONFIDENTIAL] = "confidential",
	[SL_CLASS_RESTRICTED] = "restricted",
	[SL_CLASS_UNKNOWN] = NULL,
};
static const char *const auth_names[] = {
	[SL_AUTH_UNKNOWN] = NULL,
	[SL_AUTH_UNVERIFIED] = "unverified",
	[SL_AUTH_EXTERNAL] = "external",
	[SL_AUTH_INTERNAL] = "internal",
	[SL_AUTH_AUTHORITATIVE] = "authoritative",
};
static const char *const cert_names[] = {
	[SL_CERT_DEPRECATED] = "deprecated",
	[SL_CERT_NONE] = NULL,
	[SL_CERT_PROVISIONAL] = "provisional",
	[SL_CERT_CERTIFIED] = "certified",
};

static void
test_levels(void)
{
	static const char *nonames[] = { "", "Public", "PUBLIC", "secret",
	    "publi", "publics", "unknown", "absent", "none", "uncertified",
	    "trusted", " public", "public ", "internal\n" };

	for (size_t i = 0; i < NELEM(class_names); i++) {
		const char *n = class_names[i];

		is_str(sl_class_name((enum sl_class)i), n,
		    "class name of level %zu", i);
		if (n)
			is_int(sl_class_parse(n, strlen(n)), i,
			    "class parse '%s'", n);
	}
	for (size_t i = 0; i < NELEM(auth_names); i++) {
		const char *n = auth_names[i];

		is_str(sl_authority_name((enum sl_authority)i), n,
		    "authority name of level %zu", i);
		if (n)
			is_int(sl_authority_parse(n, strlen(n)), i,
			    "authority parse '%s'", n);
	}
	for (size_t i = 0; i < NELEM(cert_names); i++) {
		const char *n = cert_names[i];

		is_str(sl_cert_name((enum sl_cert)i), n,
		    "certification name of level %zu", i);
		if (n)
			is_int(sl_cert_parse(n, strlen(n)), i,
			    "certification parse '%s'", n);
	}
	for (size_t i = 0; i < NELEM(nonames); i++) {
		const char *n = nonames[i];
		size_t len = strlen(n);
		char shown[32];

		snprintf(shown, sizeof(shown), "%s", n);
		for (char *p = shown; *p; p++)
			if ((unsigned char)*p < 0x20)
				*p = '?';
		ok(sl_class_parse(n, len) == -1 &&
		    sl_authority_parse(n, len) == -1 &&
		    sl_cert_parse(n, len) == -1, "'%s' names no level", shown);
	}
	is_int(sl_class_parse("publicity", 6), SL_CLASS_PUBLIC,
	    "class parse reads len bytes");
	is_int(sl_authority_parse("external", 5), -1,
	    "authority parse: a prefix is no name");
	is_int(sl_cert_parse("certified", 8), -1,
	    "certification parse: a prefix is no name");
	ok(sl_class_name((enum sl_class)99) == NULL &&
	    sl_authority_name((enum sl_authority)99) == NULL &&
	    sl_cert_name((enum sl_cert)99) == NULL,
	    "out-of-range levels have no name");
}

/* "a,b,c" rendering of a name set. */
static const char *
names_show(const struct sl_names *s, char *out, size_t outlen)
{
	size_t o = 0;

	out[0] = '\0';
	for (size_t i = 0; i < s->n && o < outlen; i++)
		o += (size_t)snprintf(out + o, outlen - o, "%s%s", i ? "," : "",
		    s->v[i]);
	return out;
}

static void
test_names(void)
{
	static char n128[129], n129[130], n128dash[129];
	static const struct {
		const char *in;
		size_t len;	/* 0: strlen */
		const char *want;	/* the set as "a,b", or NULL: bad */
		const char *bad;	/* the bad token */
	} rows[] = {
		{ "", 0, "", NULL },
		{ "   ", 0, "", NULL },
		{ "crm", 0, "crm", NULL },
		{ "b a c", 0, "a,b,c", NULL },
		{ "support crm support crm", 0, "crm,support", NULL },
		{ "  x   y  ", 0, "x,y", NULL },
		{ "zeta alpha mu beta alpha zeta", 0, "alpha,beta,mu,zeta",
		    NULL },
		{ "b B a A", 0, "A,B,a,b", NULL },
		{ "a10 a9 a1", 0, "a1,a10,a9", NULL },
		{ "a b", 0, "a,b", NULL },
		{ "x- a-b 9 _u .v :w @x /y +z", 0,
		    "+z,.v,/y,9,:w,@x,_u,a-b,x-", NULL },
		{ "team:crm@eu/x+y_z.w-1", 0, "team:crm@eu/x+y_z.w-1", NULL },
		{ "-x", 0, NULL, "-x" },
		{ "ok -x", 0, NULL, "-x" },
		{ "--", 0, NULL, "--" },
		{ "a\tb", 0, NULL, "a\tb" },
		{ "crm\tsupport ok", 0, NULL, "crm\tsupport" },
		{ "a\x01" "b", 0, NULL, "a\x01" "b" },
		{ "ok a\x7f", 0, NULL, "a\x7f" },
		{ "a\nb", 0, NULL, "a\nb" },
		{ "a\rb", 0, NULL, "a\rb" },
		{ "caf\xc3\xa9", 0, NULL, "caf\xc3\xa9" },
		{ "a,b", 0, NULL, "a,b" },
		{ "a;b", 0, NULL, "a;b" },
		{ "ok1 bad! ok2", 0, NULL, "bad!" },
		{ "a\"b", 0, NULL, "a\"b" },
		{ "a\0b", 3, NULL, "a\0b" },
		{ n128, 0, n128, NULL },
		{ n128dash, 0, n128dash, NULL },
		{ n129, 0, NULL, n129 },
	};
	struct sl_arena a = SL_ARENA_INIT;

	memset(n128, 'r', 128);
	memset(n129, 'r', 129);
	memset(n128dash, '-', 128);
	n128dash[0] = 'r';
	for (size_t i = 0; i < NELEM(rows); i++) {
		struct sl_names s;
		const char *bad = NULL;
		size_t len = rows[i].len ? rows[i].len : strlen(rows[i].in);
		size_t badlen = 0;
		char *copy = malloc(len ? len : 1);
		char got[600], shown[64];
		int rc;

		/* A tight copy, so that ASan sees any read past the end. */
		memcpy(copy, rows[i].in, len);
		snprintf(shown, sizeof(shown), "%.40s%s", rows[i].in,
		    len > 40 ? "..." : "");
		for (char *p = shown; *p; p++)
			if ((unsigned char)*p < 0x20)
				*p = '?';
		sl_arena_reset(&a);
		rc = sl_names_parse(&s, copy, len, &a, &bad, &badlen);
		if (rows[i].want) {
			if (!ok(rc == 0 && strcmp(names_show(&s, got,
			    sizeof(got)), rows[i].want) == 0,
			    "names '%s'", shown))
				tap_diag("rc %d, got '%s'", rc, rc == 0 ? got :
				    "");
		} else {
			size_t blen = rows[i].len ? rows[i].len :
			    strlen(rows[i].bad);

			if (!ok(rc == -1 && bad != NULL && badlen == blen &&
			    memcmp(bad, rows[i].bad, blen) == 0 &&
			    bad >= copy && bad + badlen <= copy + len,
			    "names '%s' refused, pointing at the bad one",
			    shown))
				tap_diag("rc %d, bad %zu bytes", rc, badlen);
		}
		free(copy);
	}
	{
		struct sl_names s;

		ok(sl_names_parse(&s, "-x", 2, &a, NULL, NULL) == -1,
		    "names: bad may be NULL");
		sl_names_parse(&s, "support crm ops", 15, &a, NULL, NULL);
		ok(sl_names_has(&s, "crm") && sl_names_has(&s, "ops") &&
		    sl_names_has(&s, "support"), "names_has: each member");
		ok(!sl_names_has(&s, "cr") && !sl_names_has(&s, "crmx") &&
		    !sl_names_has(&s, "") && !sl_names_has(&s, "zz") &&
		    !sl_names_has(&s, "a"), "names_has: non-members");
		sl_names_parse(&s, "", 0, &a, NULL, NULL);
		ok(s.n == 0 && !sl_names_has(&s, "crm"),
		    "names_has: empty set");
	}
	ok(sl_name_valid("r", 1) && sl_name_valid(n128, 128) &&
	    !sl_name_valid(n129, 129) && !sl_name_valid("", 0) &&
	    !sl_name_valid("-r", 2) && sl_name_valid("r-", 2) &&
	    !sl_name_valid("a b", 3) && !sl_name_valid("a\0", 2),
	    "name_valid: lengths 1..128, no leading '-', no space or NUL");
	sl_arena_release(&a);
}

/* --- contexts as specs ---------------------------------------------------- */

static int
name_index(const char *const *names, size_t n, const char *s, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (names[i] && strlen(names[i]) == len &&
		    memcmp(names[i], s, len) == 0)
			return (int)i;
	return -1;
}

static int
cmpstr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* "a,b,c" -> a sorted, unique name set in the arena. */
static void
set_from(struct sl_names *s, const char *v, size_t len, struct sl_arena *a)
{
	size_t i = 0, n = 0;

	s->v = sl_arena_alloc(a, (len + 1) * sizeof(*s->v));
	while (i < len) {
		size_t j = i;

		while (j < len && v[j] != ',')
			j++;
		if (j > i)
			s->v[n++] = sl_arena_strndup(a, v + i, j - i);
		i = j + 1;
	}
	qsort(s->v, n, sizeof(*s->v), cmpstr);
	s->n = 0;
	for (size_t k = 0; k < n; k++)
		if (s->n == 0 || strcmp(s->v[s->n - 1], s->v[k]) != 0)
			s->v[s->n++] = s->v[k];
}

/* Builds a context from a spec; dies on a typo in the table. */
static void
ctx_spec(struct sl_ctx *c, const char *spec, struct sl_arena *a)
{
	const char *p = spec;

	memset(c, 0, sizeof(*c));
	c->classification = SL_CLASS_UNKNOWN;
	c->authority = SL_AUTH_UNKNOWN;
	c->certification = SL_CERT_NONE;
	while (*p) {
		const char *e = strchr(p, ' '), *eq = strchr(p, '=');
		size_t len = e ? (size_t)(e - p) : strlen(p), klen, vlen;
		const char *v;
		int lv = 0;

		if (len == 0) {
			p++;
			continue;
		}
		if (eq == NULL || eq > p + len) {
			fprintf(stderr, "bad spec '%s'\n", spec);
			exit(2);
		}
		klen = (size_t)(eq - p);
		v = eq + 1;
		vlen = len - klen - 1;
#define KEY(s) (klen == sizeof(s) - 1 && memcmp(p, s, klen) == 0)
		if (KEY("class")) {
			lv = name_index(class_names, NELEM(class_names), v,
			    vlen);
			c->classification = (enum sl_class)lv;
		} else if (KEY("auth")) {
			lv = name_index(auth_names, NELEM(auth_names), v, vlen);
			c->authority = (enum sl_authority)lv;
		} else if (KEY("cert")) {
			lv = name_index(cert_names, NELEM(cert_names), v, vlen);
			c->certification = (enum sl_cert)lv;
		} else if (KEY("key")) {
			c->key = sl_arena_strndup(a, v, vlen);
		} else if (KEY("et")) {
			c->has_event_time = 1;
			c->event_time = strtoll(v, NULL, 10);
		} else if (KEY("vu")) {
			c->has_valid_until = 1;
			c->valid_until = strtoll(v, NULL, 10);
		} else if (KEY("roles")) {
			c->has_roles = 1;
			set_from(&c->roles, v, vlen, a);
		} else if (KEY("pii")) {
			set_from(&c->pii, v, vlen, a);
		} else
			lv = -1;
#undef KEY
		if (lv < 0) {
			fprintf(stderr, "bad spec '%s'\n", spec);
			exit(2);
		}
		p += len;
	}
}

/* The spec of a context, fields in a fixed order (static storage). */
static const char *
ctx_show(const struct sl_ctx *c)
{
	static char out[4][1024];
	static int k;
	char *o = out[k++ & 3], roles[400], pii[400];
	size_t n = 0, sz = sizeof(out[0]);

	o[0] = '\0';
#define ADD(...) n += (size_t)snprintf(o + n, n < sz ? sz - n : 0, __VA_ARGS__)
	if ((size_t)c->classification < NELEM(class_names) &&
	    class_names[c->classification])
		ADD(" class=%s", class_names[c->classification]);
	else if (c->classification != SL_CLASS_UNKNOWN)
		ADD(" class=#%d", (int)c->classification);
	if ((size_t)c->authority < NELEM(auth_names) &&
	    auth_names[c->authority])
		ADD(" auth=%s", auth_names[c->authority]);
	else if (c->authority != SL_AUTH_UNKNOWN)
		ADD(" auth=#%d", (int)c->authority);
	if ((size_t)c->certification < NELEM(cert_names) &&
	    cert_names[c->certification])
		ADD(" cert=%s", cert_names[c->certification]);
	else if (c->certification != SL_CERT_NONE)
		ADD(" cert=#%d", (int)c->certification);
	if (c->key)
		ADD(" key=%s", c->key);
	if (c->has_event_time)
		ADD(" et=%lld", (long long)c->event_time);
	if (c->has_valid_until)
		ADD(" vu=%lld", (long long)c->valid_until);
	if (c->has_roles)
		ADD(" roles=%s", names_show(&c->roles, roles, sizeof(roles)));
	else if (c->roles.n)
		ADD(" roles?=%s", names_show(&c->roles, roles, sizeof(roles)));
	if (c->pii.n)
		ADD(" pii=%s", names_show(&c->pii, pii, sizeof(pii)));
#undef ADD
	return o[0] ? o + 1 : o;
}

/* --- reading and writing the fields --------------------------------------- */

/* "Name: value\n" for each field. */
static const char *
headers_show(const struct sl_headers *h)
{
	static char out[2048];
	size_t n = 0;

	out[0] = '\0';
	for (size_t i = 0; i < h->n && n < sizeof(out); i++)
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s: %s\n",
		    h->f[i].name, h->f[i].value);
	return out;
}

static void
test_headers(void)
{
	struct sl_arena a = SL_ARENA_INIT;
	struct sl_headers h;
	struct sl_ctx c, back;
	char err[256];
	int rc;

	sl_headers_init(&h, &a);

	/* nothing there: everything absent */
	sl_headers_adds(&h, SL_F_WARC_TYPE, "resource");
	sl_headers_add_name(&h, "X-Other", 7, "1", 1);
	rc = sl_ctx_from_headers(&c, &h, &a, err, sizeof(err));
	ok(rc == 0 && c.classification == SL_CLASS_UNKNOWN &&
	    c.authority == SL_AUTH_UNKNOWN && c.certification == SL_CERT_NONE &&
	    !c.has_roles && c.pii.n == 0 && !c.has_event_time &&
	    !c.has_valid_until && c.key == NULL,
	    "no context fields: everything absent");
	sl_ctx_init(&back);
	is_str(ctx_show(&back), "", "sl_ctx_init: everything absent");

	/* every field, read */
	sl_headers_adds(&h, SL_F_SLUICE_KEY, "cust-42");
	sl_headers_adds(&h, SL_F_SLUICE_EVENT_TIME, "2026-11-20T08:00:00Z");
	sl_headers_adds(&h, SL_F_SLUICE_VALID_UNTIL,
	    "2026-12-01T01:00:00.5+01:00");
	sl_headers_add_name(&h, "sluice-classification", 21, "confidential",
	    12);
	sl_headers_adds(&h, SL_F_SLUICE_ROLES, "support crm  support");
	sl_headers_adds(&h, SL_F_SLUICE_PII, "name email");
	sl_headers_adds(&h, SL_F_SLUICE_AUTHORITY, "internal");
	sl_headers_adds(&h, SL_F_SLUICE_CERTIFICATION, "provisional");
	rc = sl_ctx_from_headers(&c, &h, &a, err, sizeof(err));
	if (rc != 0)
		tap_diag("%s", err);
	/* 2026-11-20T08:00Z and 2026-12-01T00:00:00.5Z, by python3 */
	is_str(rc == 0 ? ctx_show(&c) : err, "class=confidential auth=internal "
	    "cert=provisional key=cust-42 et=1795161600000000 "
	    "vu=1796083200500000 roles=crm,support pii=email,name",
	    "every field read");

	/* written into fresh headers */
	{
		struct sl_headers w;

		sl_headers_init(&w, &a);
		sl_ctx_to_headers(&c, &w);
		is_str(headers_show(&w), "Sluice-Key: cust-42\n"
		    "Sluice-Event-Time: 2026-11-20T08:00:00Z\n"
		    "Sluice-Valid-Until: 2026-12-01T00:00:00.5Z\n"
		    "Sluice-Classification: confidential\n"
		    "Sluice-Roles: crm support\n"
		    "Sluice-PII: email name\n"
		    "Sluice-Authority: internal\n"
		    "Sluice-Certification: provisional\n",
		    "every field written, canonical forms");
		rc = sl_ctx_from_headers(&back, &w, &a, err, sizeof(err));
		ok(rc == 0 && strcmp(ctx_show(&back), ctx_show(&c)) == 0,
		    "read(write(ctx)) == ctx");
		sl_headers_release(&w);
	}

	/* written over existing headers: replaced, removed, others kept */
	{
		struct sl_headers w;

		sl_headers_init(&w, &a);
		sl_headers_adds(&w, SL_F_WARC_TYPE, "resource");
		sl_headers_adds(&w, SL_F_SLUICE_KEY, "old-1");
		sl_headers_adds(&w, SL_F_SLUICE_CONTRACT, "c@1 pass");
		sl_headers_adds(&w, SL_F_SLUICE_KEY, "old-2");
		sl_headers_adds(&w, SL_F_SLUICE_CLASSIFICATION, "public");
		sl_headers_adds(&w, SL_F_SLUICE_AUTHORITY, "authoritative");
		sl_headers_adds(&w, SL_F_SLUICE_PII, "ssn");
		sl_headers_adds(&w, SL_F_SLUICE_VALID_UNTIL, "2030-01-01");
		sl_headers_add_name(&w, "X-Other", 7, "kept", 4);
		ctx_spec(&back, "class=restricted cert=deprecated roles= "
		    "et=-1500000", &a);
		sl_ctx_to_headers(&back, &w);
		is_str(headers_show(&w), "WARC-Type: resource\n"
		    "Sluice-Contract: c@1 pass\n"
		    "Sluice-Classification: restricted\n"
		    "X-Other: kept\n"
		    "Sluice-Event-Time: 1969-12-31T23:59:58.5Z\n"
		    "Sluice-Roles: \n"
		    "Sluice-Certification: deprecated\n",
		    "write over old fields: set in place, absent ones removed, "
		    "others kept");
		rc = sl_ctx_from_headers(&c, &w, &a, err, sizeof(err));
		ok(rc == 0 && c.has_roles && c.roles.n == 0,
		    "an empty Sluice-Roles reads back as an empty set");
		ok(rc == 0 && strcmp(ctx_show(&c), ctx_show(&back)) == 0,
		    "read(write(ctx)) == ctx with an empty role set");
		sl_ctx_init(&back);
		sl_ctx_to_headers(&back, &w);
		is_str(headers_show(&w), "WARC-Type: resource\n"
		    "Sluice-Contract: c@1 pass\nX-Other: kept\n",
		    "an empty context removes every context field");
		sl_headers_release(&w);
	}

	/* errors */
	{
		static const struct {
			const char *f1, *v1, *f2, *v2;
			const char *word1, *word2;	/* in the message */
		} rows[] = {
			{ "Sluice-Classification", "secret", NULL, NULL,
			    "Sluice-Classification", "secret" },
			{ "Sluice-Classification", "Confidential", NULL, NULL,
			    "Sluice-Classification", "Confidential" },
			{ "Sluice-Authority", "trusted", NULL, NULL,
			    "Sluice-Authority", "trusted" },
			{ "Sluice-Certification", "uncertified", NULL, NULL,
			    "Sluice-Certification", "uncertified" },
			{ "Sluice-Event-Time", "2026-11-20 08:00", NULL, NULL,
			    "Sluice-Event-Time", "2026-11-20 08:00" },
			{ "Sluice-Event-Time", "1732089600", NULL, NULL,
			    "Sluice-Event-Time", "1732089600" },
			{ "Sluice-Valid-Until", "tomorrow", NULL, NULL,
			    "Sluice-Valid-Until", "tomorrow" },
			{ "Sluice-Valid-Until", "2026-02-30", NULL, NULL,
			    "Sluice-Valid-Until", "2026-02-30" },
			{ "Sluice-Classification", "public",
			    "Sluice-Classification", "public",
			    "Sluice-Classification", NULL },
			{ "Sluice-Key", "a", "sluice-key", "b",
			    "Sluice-Key", NULL },
			{ "Sluice-Event-Time", "2026-11-20",
			    "Sluice-Event-Time", "2026-11-21",
			    "Sluice-Event-Time", NULL },
			{ "Sluice-Roles", "crm", "Sluice-Roles", "ops",
			    "Sluice-Roles", NULL },
			{ "Sluice-Authority", "internal", "Sluice-Authority",
			    "internal", "Sluice-Authority", NULL },
			{ "Sluice-Certification", "certified",
			    "Sluice-Certification", "deprecated",
			    "Sluice-Certification", NULL },
			{ "Sluice-Valid-Until", "2026-11-20",
			    "Sluice-Valid-Until", "2026-11-20",
			    "Sluice-Valid-Until", NULL },
			{ "Sluice-PII", "a", "Sluice-PII", "b",
			    "Sluice-PII", NULL },
			{ "Sluice-Roles", "crm -x", NULL, NULL,
			    "Sluice-Roles", "-x" },
			{ "Sluice-PII", "email na;me", NULL, NULL,
			    "Sluice-PII", "na;me" },
		};

		for (size_t i = 0; i < NELEM(rows); i++) {
			sl_headers_clear(&h);
			sl_arena_reset(&a);
			sl_headers_adds(&h, SL_F_WARC_TYPE, "resource");
			sl_headers_add_name(&h, rows[i].f1, strlen(rows[i].f1),
			    rows[i].v1, strlen(rows[i].v1));
			if (rows[i].f2)
				sl_headers_add_name(&h, rows[i].f2,
				    strlen(rows[i].f2), rows[i].v2,
				    strlen(rows[i].v2));
			memset(err, 0, sizeof(err));
			rc = sl_ctx_from_headers(&c, &h, &a, err, sizeof(err));
			if (!ok(rc == -1 && strstr(err, rows[i].word1) &&
			    (!rows[i].word2 || strstr(err, rows[i].word2)),
			    "%s '%s'%s refused, message names it", rows[i].f1,
			    rows[i].v1, rows[i].f2 ? " twice" : ""))
				tap_diag("rc %d: %s", rc, err);
		}
		/* repeatable fields are not single-valued */
		sl_headers_clear(&h);
		sl_headers_adds(&h, SL_F_SLUICE_CONTRACT, "a@1 pass");
		sl_headers_adds(&h, SL_F_SLUICE_CONTRACT, "b@1 pass");
		sl_headers_adds(&h, SL_F_SLUICE_LINEAGE, "x");
		sl_headers_adds(&h, SL_F_SLUICE_LINEAGE, "y");
		ok(sl_ctx_from_headers(&c, &h, &a, err, sizeof(err)) == 0,
		    "repeated Sluice-Contract and Sluice-Lineage are fine");
		/* a small error buffer is not overrun */
		sl_headers_clear(&h);
		sl_headers_adds(&h, SL_F_SLUICE_CLASSIFICATION, "secret");
		memset(err, 'Z', sizeof(err));
		rc = sl_ctx_from_headers(&c, &h, &a, err, 8);
		ok(rc == -1 && memchr(err, '\0', 8) != NULL && err[8] == 'Z',
		    "error message truncated to errlen");
	}
	sl_headers_release(&h);
	sl_arena_release(&a);
}

/* --- derivation ---------------------------------------------------------- */

static const struct {
	const char *name;
	const char *p[5];
	const char *want;
} derive_rows[] = {
	{ "one parent: copied",
	    { "class=internal auth=external cert=certified key=k et=5 vu=9 "
	    "roles=a,b pii=x" },
	    "class=internal auth=external cert=certified key=k et=5 vu=9 "
	    "roles=a,b pii=x" },
	{ "one empty parent: all absent", { "" }, "" },
	/* key */
	{ "key: common", { "key=k", "key=k", "key=k" }, "key=k" },
	{ "key: different", { "key=k1", "key=k2" }, "" },
	{ "key: absent in the last", { "key=k", "key=k", "" }, "" },
	{ "key: absent in the first", { "", "key=k" }, "" },
	{ "key: differs in the middle", { "key=k", "key=j", "key=k" }, "" },
	/* event time: latest */
	{ "event time: latest", { "et=100", "et=300", "et=200" }, "et=300" },
	{ "event time: latest of those that have one",
	    { "", "et=100", "", "et=50" }, "et=100" },
	{ "event time: before 1970", { "et=-5", "et=-10" }, "et=-5" },
	{ "event time: none has one", { "", "" }, "" },
	/* valid until: earliest */
	{ "valid until: earliest", { "vu=300", "vu=100", "vu=200" }, "vu=100" },
	{ "valid until: earliest of those that have one",
	    { "", "vu=200", "" , "vu=250"}, "vu=200" },
	{ "valid until: before 1970", { "vu=-5", "vu=-10" }, "vu=-10" },
	{ "valid until: none has one", { "", "" }, "" },
	/* classification: highest, unknown highest */
	{ "classification: highest", { "class=public", "class=internal" },
	    "class=internal" },
	{ "classification: highest of three",
	    { "class=confidential", "class=public", "class=restricted" },
	    "class=restricted" },
	{ "classification: same", { "class=public", "class=public" },
	    "class=public" },
	{ "classification: unknown beats restricted",
	    { "class=restricted", "" }, "" },
	{ "classification: unknown first beats public",
	    { "", "class=public" }, "" },
	{ "classification: unknown in the middle",
	    { "class=public", "", "class=internal" }, "" },
	/* roles: intersection of those that have roles */
	{ "roles: intersection", { "roles=a,b,c", "roles=b,c,d" },
	    "roles=b,c" },
	{ "roles: intersection of three",
	    { "roles=a,b,c", "roles=a,c", "roles=c,d" }, "roles=c" },
	{ "roles: a parent without roles does not widen",
	    { "roles=a,b", "" }, "roles=a,b" },
	{ "roles: first parent without roles does not widen",
	    { "", "roles=a" }, "roles=a" },
	{ "roles: parents without roles between",
	    { "", "roles=a,b,c", "", "roles=b,c,x", "" }, "roles=b,c" },
	{ "roles: none has roles", { "", "" }, "" },
	{ "roles: disjoint gives an empty set", { "roles=a", "roles=b" },
	    "roles=" },
	{ "roles: an empty set stays empty", { "roles=", "roles=a" },
	    "roles=" },
	{ "roles: an empty set last", { "roles=a,b", "roles=" }, "roles=" },
	{ "roles: empty after a non-empty intersection",
	    { "roles=a,b", "roles=b", "roles=a" }, "roles=" },
	{ "roles: the same set", { "roles=crm,ops", "roles=crm,ops" },
	    "roles=crm,ops" },
	/* PII: union */
	{ "PII: union", { "pii=email", "pii=name,email", "" },
	    "pii=email,name" },
	{ "PII: union sorted and unique",
	    { "pii=z,b", "pii=a,z", "pii=m", "pii=b,a" }, "pii=a,b,m,z" },
	{ "PII: none", { "", "" }, "" },
	/* authority: lowest, unknown lowest */
	{ "authority: lowest", { "auth=authoritative", "auth=external" },
	    "auth=external" },
	{ "authority: lowest of three",
	    { "auth=internal", "auth=unverified", "auth=authoritative" },
	    "auth=unverified" },
	{ "authority: unknown is lowest", { "auth=internal", "" }, "" },
	{ "authority: unknown first", { "", "auth=authoritative" }, "" },
	{ "authority: same", { "auth=internal", "auth=internal" },
	    "auth=internal" },
	/* certification: deprecated < none < provisional < certified */
	{ "certification: lowest", { "cert=certified", "cert=provisional" },
	    "cert=provisional" },
	{ "certification: uncertified below provisional",
	    { "cert=provisional", "" }, "" },
	{ "certification: uncertified below certified",
	    { "cert=certified", "" }, "" },
	{ "certification: deprecated below uncertified",
	    { "", "cert=deprecated" }, "cert=deprecated" },
	{ "certification: deprecated below certified",
	    { "cert=certified", "cert=deprecated", "cert=provisional" },
	    "cert=deprecated" },
	{ "certification: same", { "cert=certified", "cert=certified" },
	    "cert=certified" },
	/* everything at once */
	{ "five parents, every rule",
	    { "class=internal auth=authoritative cert=certified key=c-1 "
	    "et=1000 vu=9000 roles=crm,ops,support pii=email",
	    "class=confidential auth=internal cert=certified key=c-1 "
	    "et=3000 roles=ops,support",
	    "class=public auth=external cert=provisional key=c-1 vu=7000 "
	    "pii=phone,email",
	    "class=internal auth=internal cert=certified key=c-1 et=2000 "
	    "vu=8000 roles=support,ops,billing pii=name",
	    "class=public auth=authoritative cert=certified key=c-1 et=-3" },
	    "class=confidential auth=external cert=provisional key=c-1 "
	    "et=3000 vu=7000 roles=ops,support pii=email,name,phone" },
};

static void
test_derive(void)
{
	struct sl_arena a = SL_ARENA_INIT;

	for (size_t i = 0; i < NELEM(derive_rows); i++) {
		struct sl_ctx p[5], out;
		size_t n = 0;

		sl_arena_reset(&a);
		while (n < 5 && derive_rows[i].p[n] != NULL) {
			ctx_spec(&p[n], derive_rows[i].p[n], &a);
			n++;
		}
		sl_ctx_derive(&out, p, n, &a);
		is_str(ctx_show(&out), derive_rows[i].want, "derive: %s",
		    derive_rows[i].name);
	}
	sl_arena_release(&a);
}

#define rng tap_rand  /* tap.h */

/* Sorted, so that a bit mask over it is a sorted set. */
static const char *const pool[] = { "billing", "crm", "email", "name", "ops",
    "phone", "support" };
#define NPOOL	NELEM(pool)

static void
set_from_mask(struct sl_names *s, unsigned mask, struct sl_arena *a)
{
	s->v = sl_arena_alloc(a, (NPOOL + 1) * sizeof(*s->v));
	s->n = 0;
	for (size_t i = 0; i < NPOOL; i++)
		if (mask & (1u << i))
			s->v[s->n++] = sl_arena_strndup(a, pool[i],
			    strlen(pool[i]));
}

/* A random context and the same in plain numbers for the model. */
struct model {
	int cls, auth, cert, has_roles, has_et, has_vu;
	unsigned roles, pii;
	sl_time et, vu;
	int key;	/* -1: none */
};

static void
random_ctx(struct sl_ctx *c, struct model *m, struct sl_arena *a)
{
	static const char *const keys[] = { "k1", "k2" };
	uint64_t r = rng();

	memset(m, 0, sizeof(*m));
	m->cls = (int)(r % 5);
	m->auth = (int)((r >> 3) % 5);
	m->cert = (int)((r >> 6) % 4);
	m->has_roles = (r >> 9) % 3 != 0;
	m->roles = (unsigned)(r >> 11) & ((1u << NPOOL) - 1);
	if ((r >> 18) % 4 == 0)
		m->roles = 0;
	m->pii = (r >> 20) % 2 ? (unsigned)(r >> 22) & ((1u << NPOOL) - 1) : 0;
	m->has_et = (r >> 30) % 3 != 0;
	m->has_vu = (r >> 32) % 3 != 0;
	m->key = (int)((r >> 34) % 4) - 2;
	if (m->key < 0)
		m->key = (r >> 36) % 2 ? 0 : -1;
	r = rng();
	m->et = m->has_et ? (sl_time)(r % 2000) - 1000 : 0;
	m->vu = m->has_vu ? (sl_time)((r >> 16) % 2000) - 1000 : 0;

	memset(c, 0, sizeof(*c));
	c->classification = (enum sl_class)m->cls;
	c->authority = (enum sl_authority)m->auth;
	c->certification = (enum sl_cert)m->cert;
	c->has_roles = m->has_roles;
	if (m->has_roles)
		set_from_mask(&c->roles, m->roles, a);
	set_from_mask(&c->pii, m->pii, a);
	c->has_event_time = m->has_et;
	c->event_time = m->et;
	c->has_valid_until = m->has_vu;
	c->valid_until = m->vu;
	/* a fresh copy, so that keys are compared by value */
	c->key = m->key >= 0 ? sl_arena_strndup(a, keys[m->key], 2) : NULL;
}

/* The derivation of sluice-stream(5), computed on the model. */
static void
model_derive(struct sl_ctx *out, const struct model *m, size_t n,
    struct sl_arena *a)
{
	struct model d;
	int key_common = 1;

	memset(&d, 0, sizeof(d));
	d.cls = SL_CLASS_PUBLIC;
	d.auth = SL_AUTH_AUTHORITATIVE;
	d.cert = SL_CERT_CERTIFIED;
	d.roles = (1u << NPOOL) - 1;
	for (size_t i = 0; i < n; i++) {
		/* the enum orders are the documented orders */
		d.cls = m[i].cls > d.cls ? m[i].cls : d.cls;
		d.auth = m[i].auth < d.auth ? m[i].auth : d.auth;
		d.cert = m[i].cert < d.cert ? m[i].cert : d.cert;
		if (m[i].has_roles) {
			d.has_roles = 1;
			d.roles &= m[i].roles;
		}
		d.pii |= m[i].pii;
		if (m[i].has_et && (!d.has_et || m[i].et > d.et)) {
			d.has_et = 1;
			d.et = m[i].et;
		}
		if (m[i].has_vu && (!d.has_vu || m[i].vu < d.vu)) {
			d.has_vu = 1;
			d.vu = m[i].vu;
		}
		if (m[i].key < 0 || m[i].key != m[0].key)
			key_common = 0;
	}
	memset(out, 0, sizeof(*out));
	out->classification = (enum sl_class)d.cls;
	out->authority = (enum sl_authority)d.auth;
	out->certification = (enum sl_cert)d.cert;
	out->has_roles = d.has_roles;
	if (d.has_roles)
		set_from_mask(&out->roles, d.roles, a);
	set_from_mask(&out->pii, d.pii, a);
	out->has_event_time = d.has_et;
	out->event_time = d.et;
	out->has_valid_until = d.has_vu;
	out->valid_until = d.vu;
	out->key = key_common ? (m[0].key ? "k2" : "k1") : NULL;
}

static void
test_derive_random(void)
{
	enum { ROUNDS = 20000 };
	struct sl_arena a = SL_ARENA_INIT;
	long looser = 0, differ = 0, total = 0;

	for (int round = 0; round < ROUNDS; round++) {
		struct sl_ctx p[5], out, want;
		struct model m[5];
		size_t n = 1 + rng() % 5;
		char why[200];

		sl_arena_reset(&a);
		for (size_t i = 0; i < n; i++)
			random_ctx(&p[i], &m[i], &a);
		sl_ctx_derive(&out, p, n, &a);
		for (size_t i = 0; i < n; i++) {
			total++;
			why[0] = '\0';
			if (sl_ctx_no_looser(&out, &p[i], why,
			    sizeof(why)) == 1)
				continue;
			if (looser++ < 3) {
				tap_diag("round %d: derived is looser than "
				    "parent %zu: %s", round, i, why);
				for (size_t k = 0; k < n; k++)
					tap_diag("  parent %zu: %s", k,
					    ctx_show(&p[k]));
				tap_diag("  derived:  %s", ctx_show(&out));
			}
		}
		model_derive(&want, m, n, &a);
		if (strcmp(ctx_show(&out), ctx_show(&want)) != 0 &&
		    differ++ < 3) {
			tap_diag("round %d: derive differs from the rules",
			    round);
			for (size_t k = 0; k < n; k++)
				tap_diag("  parent %zu: %s", k,
				    ctx_show(&p[k]));
			tap_diag("  derived:  %s", ctx_show(&out));
			tap_diag("  expected: %s", ctx_show(&want));
		}
	}
	tap_diag("derive: %d random parent sets, %ld parent checks", ROUNDS,
	    total);
	is_int(looser, 0, "derive: no_looser(derived, parent) for every parent "
	    "of %d random sets", ROUNDS);
	is_int(differ, 0, "derive: %d random sets match the documented rules",
	    ROUNDS);
	sl_arena_release(&a);
}

/* --- no_looser and allows ------------------------------------------------- */

static const struct {
	const char *child, *parent;
	int want;
	const char *word;	/* in why, when want is 0 */
} looser_rows[] = {
	{ "", "", 1, NULL },
	{ "class=internal auth=internal cert=certified roles=a pii=x et=5 "
	    "vu=9", "class=internal auth=internal cert=certified roles=a "
	    "pii=x et=5 vu=9", 1, NULL },
	/* classification */
	{ "class=internal", "class=confidential", 0,
	    "classification lowered from confidential to internal" },
	{ "class=public", "", 0, "classification" },
	{ "class=restricted", "", 0, "classification" },
	{ "class=confidential", "class=internal", 1, NULL },
	{ "", "class=restricted", 1, NULL },
	/* roles */
	{ "", "roles=a", 0, "roles" },
	{ "roles=a,b", "roles=a", 0, "roles" },
	{ "roles=a", "roles=", 0, "roles" },
	{ "roles=c", "roles=a,b", 0, "roles" },
	{ "roles=a", "roles=a,b", 1, NULL },
	{ "roles=", "roles=a", 1, NULL },
	{ "roles=x", "", 1, NULL },
	/* valid until */
	{ "vu=200", "vu=100", 0, "valid" },
	{ "", "vu=100", 0, "valid" },
	{ "vu=50", "vu=100", 1, NULL },
	{ "vu=100", "vu=100", 1, NULL },
	{ "vu=5", "", 1, NULL },
	/* authority */
	{ "auth=internal", "auth=external", 0, "authority" },
	{ "auth=unverified", "", 0, "authority" },
	{ "auth=external", "auth=authoritative", 1, NULL },
	{ "", "auth=unverified", 1, NULL },
	/* certification */
	{ "cert=certified", "cert=provisional", 0, "certification" },
	{ "", "cert=deprecated", 0, "certification" },
	{ "cert=provisional", "", 0, "certification" },
	{ "cert=deprecated", "", 1, NULL },
	{ "", "cert=certified", 1, NULL },
	/* PII */
	{ "pii=email", "pii=email,name", 0, "PII" },
	{ "", "pii=email", 0, "PII" },
	{ "pii=email,name,phone", "pii=email,name", 1, NULL },
	{ "pii=email", "", 1, NULL },
	/* event time */
	{ "et=100", "et=200", 0, "event time" },
	{ "", "et=200", 0, "event time" },
	{ "et=300", "et=200", 1, NULL },
	{ "et=300", "", 1, NULL },
	/* the key is the program's to set */
	{ "key=k2", "key=k1", 1, NULL },
	{ "", "key=k1", 1, NULL },
};

static void
test_no_looser(void)
{
	struct sl_arena a = SL_ARENA_INIT;

	for (size_t i = 0; i < NELEM(looser_rows); i++) {
		struct sl_ctx c, p;
		char why[200];
		int rc;

		sl_arena_reset(&a);
		ctx_spec(&c, looser_rows[i].child, &a);
		ctx_spec(&p, looser_rows[i].parent, &a);
		why[0] = '\0';
		rc = sl_ctx_no_looser(&c, &p, why, sizeof(why));
		if (looser_rows[i].want)
			ok(rc == 1, "no_looser: '%s' under '%s'",
			    looser_rows[i].child, looser_rows[i].parent);
		else if (!ok(rc == 0 && strstr(why, looser_rows[i].word),
		    "looser: '%s' under '%s' (%s)", looser_rows[i].child,
		    looser_rows[i].parent, looser_rows[i].word))
			tap_diag("rc %d, why '%s'", rc, why);
	}
	sl_arena_release(&a);
}

static const struct {
	const char *ctx;
	int clearance;
	const char *roles;	/* the reader's, "a,b" */
	int allow_stale;
	sl_time now;
	int want;
	const char *word1, *word2;	/* in why, when want is 0 */
} allow_rows[] = {
	/* clearance */
	{ "class=public", SL_CLASS_PUBLIC, "", 0, 0, 1, NULL, NULL },
	{ "class=internal", SL_CLASS_PUBLIC, "", 0, 0, 0, "clearance",
	    "internal" },
	{ "class=confidential", SL_CLASS_INTERNAL, "", 0, 0, 0, "clearance",
	    "confidential" },
	{ "class=confidential", SL_CLASS_CONFIDENTIAL, "", 0, 0, 1, NULL,
	    NULL },
	{ "class=restricted", SL_CLASS_CONFIDENTIAL, "", 0, 0, 0, "clearance",
	    "restricted" },
	{ "class=restricted", SL_CLASS_RESTRICTED, "", 0, 0, 1, NULL, NULL },
	{ "class=public", SL_CLASS_RESTRICTED, "", 0, 0, 1, NULL, NULL },
	/* unknown classification is enforced as restricted */
	{ "", SL_CLASS_CONFIDENTIAL, "", 0, 0, 0, "clearance", "restricted" },
	{ "", SL_CLASS_PUBLIC, "", 0, 0, 0, "clearance", NULL },
	{ "", SL_CLASS_RESTRICTED, "", 0, 0, 1, NULL, NULL },
	/* roles: any of them */
	{ "class=public roles=crm,support", SL_CLASS_PUBLIC, "support", 0, 0,
	    1, NULL, NULL },
	{ "class=public roles=crm,support", SL_CLASS_PUBLIC, "crm", 0, 0,
	    1, NULL, NULL },
	{ "class=public roles=crm,support", SL_CLASS_PUBLIC,
	    "billing,ops,support", 0, 0, 1, NULL, NULL },
	{ "class=public roles=crm,support", SL_CLASS_PUBLIC, "billing,ops", 0,
	    0, 0, "roles", NULL },
	{ "class=public roles=crm,support", SL_CLASS_PUBLIC, "", 0, 0, 0,
	    "roles", NULL },
	{ "class=public roles=crm", SL_CLASS_PUBLIC, "cr,crmx", 0, 0, 0,
	    "roles", NULL },
	{ "class=public", SL_CLASS_PUBLIC, "crm", 0, 0, 1, NULL, NULL },
	/* an empty role set: nobody */
	{ "class=public roles=", SL_CLASS_RESTRICTED,
	    "billing,crm,ops,support", 0, 0, 0, "empty", NULL },
	{ "class=public roles=", SL_CLASS_PUBLIC, "", 0, 0, 0, "empty", NULL },
	/* roles never widen the clearance */
	{ "class=confidential roles=crm", SL_CLASS_INTERNAL, "crm", 0, 0, 0,
	    "clearance", NULL },
	/* staleness: after valid-until, unless allowed */
	{ "class=public vu=1795161600000000", SL_CLASS_PUBLIC, "", 0,
	    1795161600000001LL, 0, "stale since", "2026-11-20T08:00:00Z" },
	{ "class=public vu=1795161600000000", SL_CLASS_PUBLIC, "", 1,
	    1795161600000001LL, 1, NULL, NULL },
	{ "class=public vu=1795161600000000", SL_CLASS_PUBLIC, "", 0,
	    1795161600000000LL, 1, NULL, NULL },
	{ "class=public vu=1795161600000000", SL_CLASS_PUBLIC, "", 0,
	    1795161599999999LL, 1, NULL, NULL },
	{ "class=public vu=1795161600000000", SL_CLASS_PUBLIC, "", 0,
	    1900000000000000LL, 0, "stale", NULL },
	{ "class=public et=5", SL_CLASS_PUBLIC, "", 0, 1900000000000000LL, 1,
	    NULL, NULL },
	/* every condition must hold */
	{ "class=internal roles=crm vu=100", SL_CLASS_INTERNAL, "crm", 1, 200,
	    1, NULL, NULL },
	{ "class=internal roles=crm vu=100", SL_CLASS_INTERNAL, "ops", 1, 200,
	    0, "roles", NULL },
	{ "class=internal roles=crm vu=100", SL_CLASS_INTERNAL, "crm", 0, 200,
	    0, "stale", NULL },
};

static void
test_allows(void)
{
	struct sl_arena a = SL_ARENA_INIT;

	for (size_t i = 0; i < NELEM(allow_rows); i++) {
		struct sl_ctx c;
		struct sl_reader_rights r;
		char why[200];
		int rc;

		sl_arena_reset(&a);
		ctx_spec(&c, allow_rows[i].ctx, &a);
		memset(&r, 0, sizeof(r));
		r.clearance = (enum sl_class)allow_rows[i].clearance;
		set_from(&r.roles, allow_rows[i].roles,
		    strlen(allow_rows[i].roles), &a);
		r.allow_stale = allow_rows[i].allow_stale;
		why[0] = '\0';
		rc = sl_ctx_allows(&c, &r, allow_rows[i].now, why, sizeof(why));
		if (allow_rows[i].want)
			ok(rc == 1, "allows '%s' to %s reader [%s]%s",
			    allow_rows[i].ctx,
			    class_names[allow_rows[i].clearance],
			    allow_rows[i].roles,
			    allow_rows[i].allow_stale ? " (stale ok)" : "");
		else if (!ok(rc == 0 && strstr(why, allow_rows[i].word1) &&
		    (!allow_rows[i].word2 || strstr(why, allow_rows[i].word2)),
		    "denies '%s' to %s reader [%s]%s: %s",
		    allow_rows[i].ctx, class_names[allow_rows[i].clearance],
		    allow_rows[i].roles,
		    allow_rows[i].allow_stale ? " (stale ok)" : "",
		    allow_rows[i].word1))
			tap_diag("rc %d, why '%s'", rc, why);
	}
	sl_arena_release(&a);
}

int
main(void)
{
	test_levels();
	test_names();
	test_headers();
	test_derive();
	test_derive_random();
	test_no_looser();
	test_allows();
	return tap_done();
}
