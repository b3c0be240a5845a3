/* context.c - see context.h */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "context.h"
#include "xalloc.h"

static const char *const class_names[] = {
	"public", "internal", "confidential", "restricted", NULL,
};
static const char *const auth_names[] = {
	NULL, "unverified", "external", "internal", "authoritative",
};
static const char *const cert_names[] = {
	"deprecated", NULL, "provisional", "certified",
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static int
lookup(const char *const *names, size_t n, const char *s, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (names[i] && strlen(names[i]) == len &&
		    memcmp(names[i], s, len) == 0)
			return (int)i;
	return -1;
}

const char *
sl_class_name(enum sl_class c)
{
	return (size_t)c < NELEM(class_names) ? class_names[c] : NULL;
}

const char *
sl_authority_name(enum sl_authority a)
{
	return (size_t)a < NELEM(auth_names) ? auth_names[a] : NULL;
}

const char *
sl_cert_name(enum sl_cert c)
{
	return (size_t)c < NELEM(cert_names) ? cert_names[c] : NULL;
}

int
sl_class_parse(const char *s, size_t len)
{
	return lookup(class_names, NELEM(class_names), s, len);
}

int
sl_authority_parse(const char *s, size_t len)
{
	return lookup(auth_names, NELEM(auth_names), s, len);
}

int
sl_cert_parse(const char *s, size_t len)
{
	return lookup(cert_names, NELEM(cert_names), s, len);
}

void
sl_ctx_init(struct sl_ctx *c)
{
	memset(c, 0, sizeof(*c));
	c->classification = SL_CLASS_UNKNOWN;
	c->authority = SL_AUTH_UNKNOWN;
	c->certification = SL_CERT_NONE;
}

int
sl_name_valid(const char *s, size_t len)
{
	if (len == 0 || len > 128 || s[0] == '-')
		return 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("_.:@/+-", c) != NULL) ||
		    c == 0)
			return 0;
	}
	return 1;
}

static int
cmpstr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sorts and removes duplicates in place. */
static void
names_normalise(struct sl_names *s)
{
	size_t j = 0;

	if (s->n < 2)
		return;
	qsort(s->v, s->n, sizeof(*s->v), cmpstr);
	for (size_t i = 1; i < s->n; i++)
		if (strcmp(s->v[i], s->v[j]) != 0)
			s->v[++j] = s->v[i];
	s->n = j + 1;
}

int
sl_names_parse(struct sl_names *out, const char *s, size_t len,
    struct sl_arena *a, const char **bad, size_t *badlen)
{
	size_t i = 0, n = 0, cap = 0;

	for (size_t k = 0; k < len; k++)
		cap += s[k] == ' ';
	cap++;
	out->v = sl_arena_alloc(a, cap * sizeof(*out->v));
	while (i < len) {
		size_t j;

		while (i < len && s[i] == ' ')
			i++;
		for (j = i; j < len && s[j] != ' '; j++)
			;
		if (j == i)
			break;
		if (!sl_name_valid(s + i, j - i)) {
			if (bad) {
				*bad = s + i;
				*badlen = j - i;
			}
			return -1;
		}
		out->v[n++] = sl_arena_strndup(a, s + i, j - i);
		i = j;
	}
	out->n = n;
	names_normalise(out);
	return 0;
}

int
sl_names_has(const struct sl_names *s, const char *name)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(s->v[mid], name);

		if (c == 0)
			return 1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

static int
single(const struct sl_headers *h, enum sl_field id, const char **v,
    size_t *len, char *err, size_t errlen)
{
	const struct sl_hfield *f = sl_headers_find(h, id);

	if (f == NULL)
		return 0;
	if (sl_headers_count(h, id) > 1) {
		snprintf(err, errlen, "field %s appears more than once",
		    sl_field_name(id));
		return -1;
	}
	*v = f->value;
	*len = f->value_len;
	return 1;
}

static int
level(const struct sl_headers *h, enum sl_field id,
    int (*parse)(const char *, size_t), int *out, const char *choices,
    char *err, size_t errlen)
{
	const char *v;
	size_t len;
	int rc = single(h, id, &v, &len, err, errlen), lv;

	if (rc <= 0)
		return rc;
	lv = parse(v, len);
	if (lv < 0) {
		snprintf(err, errlen, "%s \"%.*s\" is not one of %s",
		    sl_field_name(id), (int)(len > 60 ? 60 : len), v, choices);
		return -1;
	}
	*out = lv;
	return 1;
}

static int
timefield(const struct sl_headers *h, enum sl_field id, sl_time *out,
    int *has, char *err, size_t errlen)
{
	const char *v, *why;
	size_t len;
	int rc = single(h, id, &v, &len, err, errlen);

	if (rc <= 0)
		return rc;
	if (sl_time_parse(v, len, out, &why) < 0) {
		snprintf(err, errlen, "%s \"%.*s\" is not an RFC 3339 time: %s",
		    sl_field_name(id), (int)(len > 60 ? 60 : len), v, why);
		return -1;
	}
	*has = 1;
	return 1;
}

static int
nameset(const struct sl_headers *h, enum sl_field id, struct sl_names *out,
    int *has, struct sl_arena *a, char *err, size_t errlen)
{
	const char *v, *bad;
	size_t len, badlen;
	int rc = single(h, id, &v, &len, err, errlen);

	if (rc <= 0)
		return rc;
	if (sl_names_parse(out, v, len, a, &bad, &badlen) < 0) {
		snprintf(err, errlen, "%s: \"%.*s\" is not a valid name",
		    sl_field_name(id), (int)(badlen > 60 ? 60 : badlen), bad);
		return -1;
	}
	if (has)
		*has = 1;
	return 1;
}

int
sl_ctx_from_headers(struct sl_ctx *c, const struct sl_headers *h,
    struct sl_arena *a, char *err, size_t errlen)
{
	int lv, has_pii = 0;
	const char *v;
	size_t len;

	sl_ctx_init(c);
	lv = (int)c->classification;
	if (level(h, SL_F_SLUICE_CLASSIFICATION, sl_class_parse, &lv,
	    "public, internal, confidential, restricted", err, errlen) < 0)
		return -1;
	c->classification = (enum sl_class)lv;
	lv = (int)c->authority;
	if (level(h, SL_F_SLUICE_AUTHORITY, sl_authority_parse, &lv,
	    "authoritative, internal, external, unverified", err, errlen) < 0)
		return -1;
	c->authority = (enum sl_authority)lv;
	lv = (int)c->certification;
	if (level(h, SL_F_SLUICE_CERTIFICATION, sl_cert_parse, &lv,
	    "certified, provisional, deprecated", err, errlen) < 0)
		return -1;
	c->certification = (enum sl_cert)lv;
	if (timefield(h, SL_F_SLUICE_EVENT_TIME, &c->event_time,
	    &c->has_event_time, err, errlen) < 0 ||
	    timefield(h, SL_F_SLUICE_VALID_UNTIL, &c->valid_until,
	    &c->has_valid_until, err, errlen) < 0)
		return -1;
	if (nameset(h, SL_F_SLUICE_ROLES, &c->roles, &c->has_roles, a, err,
	    errlen) < 0 ||
	    nameset(h, SL_F_SLUICE_PII, &c->pii, &has_pii, a, err, errlen) < 0)
		return -1;
	switch (single(h, SL_F_SLUICE_KEY, &v, &len, err, errlen)) {
	case -1:
		return -1;
	case 1:
		c->key = sl_arena_strndup(a, v, len);
		break;
	}
	return 0;
}

static void
put_names(struct sl_headers *h, enum sl_field id, const struct sl_names *s)
{
	struct sl_buf b = SL_BUF_INIT;

	for (size_t i = 0; i < s->n; i++) {
		if (i)
			sl_buf_addc(&b, ' ');
		sl_buf_adds(&b, s->v[i]);
	}
	sl_headers_set(h, id, b.data ? b.data : "", b.len);
	sl_buf_release(&b);
}

static void
put_time(struct sl_headers *h, enum sl_field id, int has, sl_time t)
{
	char s[SL_TIME_STRLEN];

	if (!has) {
		sl_headers_del(h, id);
		return;
	}
	sl_headers_set(h, id, s, sl_time_format(t, SL_TIME_AUTO, s));
}

static void
put_level(struct sl_headers *h, enum sl_field id, const char *name)
{
	if (name)
		sl_headers_sets(h, id, name);
	else
		sl_headers_del(h, id);
}

void
sl_ctx_to_headers(const struct sl_ctx *c, struct sl_headers *h)
{
	if (c->key)
		sl_headers_sets(h, SL_F_SLUICE_KEY, c->key);
	else
		sl_headers_del(h, SL_F_SLUICE_KEY);
	put_time(h, SL_F_SLUICE_EVENT_TIME, c->has_event_time, c->event_time);
	put_time(h, SL_F_SLUICE_VALID_UNTIL, c->has_valid_until, c->valid_until);
	put_level(h, SL_F_SLUICE_CLASSIFICATION, sl_class_name(c->classification));
	if (c->has_roles)
		put_names(h, SL_F_SLUICE_ROLES, &c->roles);
	else
		sl_headers_del(h, SL_F_SLUICE_ROLES);
	if (c->pii.n)
		put_names(h, SL_F_SLUICE_PII, &c->pii);
	else
		sl_headers_del(h, SL_F_SLUICE_PII);
	put_level(h, SL_F_SLUICE_AUTHORITY, sl_authority_name(c->authority));
	put_level(h, SL_F_SLUICE_CERTIFICATION, sl_cert_name(c->certification));
}

/* Sorted-set intersection into dst (dst may alias a). */
static void
intersect(struct sl_names *dst, const struct sl_names *a, const struct sl_names *b)
{
	size_t i = 0, j = 0, n = 0;

	while (i < a->n && j < b->n) {
		int c = strcmp(a->v[i], b->v[j]);

		if (c == 0) {
			dst->v[n++] = a->v[i];
			i++;
			j++;
		} else if (c < 0) {
			i++;
		} else {
			j++;
		}
	}
	dst->n = n;
}

void
sl_ctx_derive(struct sl_ctx *out, const struct sl_ctx *p, size_t n,
    struct sl_arena *a)
{
	size_t npii = 0;

	sl_ctx_init(out);
	if (n == 0)
		return;
	out->classification = p[0].classification;
	out->authority = p[0].authority;
	out->certification = p[0].certification;
	out->key = p[0].key;
	for (size_t i = 0; i < n; i++) {
		if (p[i].classification > out->classification)
			out->classification = p[i].classification;
		if (p[i].authority < out->authority)
			out->authority = p[i].authority;
		if (p[i].certification < out->certification)
			out->certification = p[i].certification;
		if (out->key && (p[i].key == NULL || strcmp(p[i].key, out->key) != 0))
			out->key = NULL;
		if (p[i].has_event_time && (!out->has_event_time ||
		    p[i].event_time > out->event_time)) {
			out->has_event_time = 1;
			out->event_time = p[i].event_time;
		}
		if (p[i].has_valid_until && (!out->has_valid_until ||
		    p[i].valid_until < out->valid_until)) {
			out->has_valid_until = 1;
			out->valid_until = p[i].valid_until;
		}
		if (p[i].has_roles) {
			if (!out->has_roles) {
				out->has_roles = 1;
				out->roles.n = p[i].roles.n;
				out->roles.v = sl_arena_alloc(a,
				    (p[i].roles.n + 1) * sizeof(char *));
				memcpy(out->roles.v, p[i].roles.v,
				    p[i].roles.n * sizeof(char *));
			} else {
				intersect(&out->roles, &out->roles, &p[i].roles);
			}
		}
		npii += p[i].pii.n;
	}
	out->pii.v = sl_arena_alloc(a, (npii + 1) * sizeof(char *));
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < p[i].pii.n; k++)
			out->pii.v[out->pii.n++] = p[i].pii.v[k];
	names_normalise(&out->pii);
}

static int
subset(const struct sl_names *a, const struct sl_names *b)
{
	for (size_t i = 0; i < a->n; i++)
		if (!sl_names_has(b, a->v[i]))
			return 0;
	return 1;
}

int
sl_ctx_no_looser(const struct sl_ctx *c, const struct sl_ctx *p, char *why,
    size_t whylen)
{
#define NAME(f, v) (f(v) ? f(v) : "absent")
	if (c->classification < p->classification) {
		snprintf(why, whylen, "classification lowered from %s to %s",
		    NAME(sl_class_name, p->classification),
		    NAME(sl_class_name, c->classification));
		return 0;
	}
	if (p->has_roles && (!c->has_roles || !subset(&c->roles, &p->roles))) {
		snprintf(why, whylen, "roles widened");
		return 0;
	}
	if (p->has_valid_until && (!c->has_valid_until ||
	    c->valid_until > p->valid_until)) {
		snprintf(why, whylen, "validity extended");
		return 0;
	}
	if (c->authority > p->authority) {
		snprintf(why, whylen, "authority raised from %s to %s",
		    NAME(sl_authority_name, p->authority),
		    NAME(sl_authority_name, c->authority));
		return 0;
	}
	if (c->certification > p->certification) {
		snprintf(why, whylen, "certification raised from %s to %s",
		    NAME(sl_cert_name, p->certification),
		    NAME(sl_cert_name, c->certification));
		return 0;
	}
	if (!subset(&p->pii, &c->pii)) {
		snprintf(why, whylen, "PII fields dropped");
		return 0;
	}
	if (p->has_event_time && (!c->has_event_time ||
	    c->event_time < p->event_time)) {
		snprintf(why, whylen, "event time moved earlier");
		return 0;
	}
#undef NAME
	return 1;
}

int
sl_ctx_allows(const struct sl_ctx *c, const struct sl_reader_rights *r,
    sl_time now, char *why, size_t whylen)
{
	enum sl_class need = c->classification == SL_CLASS_UNKNOWN ?
	    SL_CLASS_RESTRICTED : c->classification;

	if (need > r->clearance) {
		snprintf(why, whylen, "classification %s%s is above clearance %s",
		    sl_class_name(need),
		    c->classification == SL_CLASS_UNKNOWN ? " (unknown)" : "",
		    sl_class_name(r->clearance));
		return 0;
	}
	if (c->has_roles) {
		size_t i;

		for (i = 0; i < c->roles.n; i++)
			if (sl_names_has(&r->roles, c->roles.v[i]))
				break;
		if (i == c->roles.n) {
			snprintf(why, whylen, c->roles.n ?
			    "reader holds none of the record's roles" :
			    "the record's role set is empty: nobody may read it");
			return 0;
		}
	}
	if (c->has_valid_until && c->valid_until < now && !r->allow_stale) {
		char t[SL_TIME_STRLEN];

		sl_time_format(c->valid_until, SL_TIME_AUTO, t);
		snprintf(why, whylen, "stale since %s", t);
		return 0;
	}
	return 1;
}
