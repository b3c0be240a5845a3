/*
 * test-json-suite.c - libcommon/json.c against Nicolas Seriot's
 * JSONTestSuite ($CONFORMANCE/json-test-suite/test_parsing/, CONFORMANCE
 * defaulting to tests/fixtures/conformance).  One test point per file, in
 * sorted order:
 *
 *   y_*  accepted by sl_json_parse, sl_json_check and sl_json_scan (the span
 *        being the whole text but its surrounding whitespace), and
 *        parse -> write -> parse -> write is a fixed point;
 *   n_*  refused by all three (for sl_json_scan, which reads one value:
 *        refused, or the value does not span the whole text);
 *   i_*  either way; the description says which.
 *
 * In every case the three entry points must agree with each other.
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "tap.h"
#include "xalloc.h"

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The whole file in an exactly sized allocation (ASan sees overreads). */
static char *
slurp(const char *path, size_t *len)
{
	struct sl_buf b = SL_BUF_INIT;
	char tmp[65536], *p;
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL)
		return NULL;
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
		sl_buf_add(&b, tmp, n);
	fclose(f);
	*len = b.len;
	p = sl_malloc(b.len ? b.len : 1);
	if (b.len)
		memcpy(p, b.data, b.len);
	sl_buf_release(&b);
	return p;
}

static int
is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Is write(parse(w1 text)) == w1, where w1 = write(v)? */
static int
fixed_point(struct sl_arena *a, const struct sl_json *v)
{
	struct sl_buf w1 = SL_BUF_INIT, w2 = SL_BUF_INIT;
	struct sl_json v2;
	int good = 0;

	sl_json_write(&w1, v);
	if (sl_json_parse(a, w1.data, w1.len, &v2, NULL) == SL_JSON_OK) {
		sl_json_write(&w2, &v2);
		good = w1.len == w2.len &&
		    memcmp(w1.data, w2.data, w1.len) == 0;
	}
	sl_buf_release(&w1);
	sl_buf_release(&w2);
	return good;
}

int
main(void)
{
	const char *conf = getenv("CONFORMANCE");
	struct sl_arena a = SL_ARENA_INIT;
	struct sl_buf dir = SL_BUF_INIT, path = SL_BUF_INIT;
	struct dirent *de;
	char **names = NULL;
	size_t nnames = 0, cap = 0;
	int y_ok = 0, y_n = 0, n_ok = 0, n_n = 0, i_acc = 0, i_rej = 0;
	DIR *d;

	if (conf == NULL || *conf == '\0')
		conf = "tests/fixtures/conformance";
	sl_buf_addf(&dir, "%s/json-test-suite/test_parsing", conf);
	d = opendir(dir.data);
	if (d == NULL) {
		printf("1..0 # SKIP corpus not found\n");
		sl_buf_release(&dir);
		return 0;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] != 'y' && de->d_name[0] != 'n' &&
		    de->d_name[0] != 'i')
			continue;
		if (de->d_name[1] != '_')
			continue;
		names = sl_grow(names, &cap, nnames + 1, sizeof(*names));
		names[nnames++] = sl_strdup(de->d_name);
	}
	closedir(d);
	if (nnames == 0) {
		printf("1..0 # SKIP corpus not found\n");
		sl_buf_release(&dir);
		return 0;
	}
	qsort(names, nnames, sizeof(*names), cmp_names);

	for (size_t i = 0; i < nnames; i++) {
		const char *name = names[i];
		char kind = name[0];
		struct sl_json_error pe, ce, se;
		enum sl_json_status pst, cst, sst;
		size_t len, s = 0, e = 0, ws = 0, we;
		struct sl_json v;
		int accepted, whole, agree, good;
		char *text;

		sl_buf_reset(&path);
		sl_buf_addf(&path, "%s/%s", dir.data, name);
		text = slurp(path.data, &len);
		if (text == NULL) {
			ok(0, "%s: cannot read", name);
			continue;
		}
		memset(&pe, 0, sizeof(pe));
		memset(&ce, 0, sizeof(ce));
		memset(&se, 0, sizeof(se));
		sl_arena_reset(&a);
		pst = sl_json_parse(&a, text, len, &v, &pe);
		cst = sl_json_check(text, len, &ce);
		sst = sl_json_scan(text, len, 1, &s, &e, &se);
		we = len;
		while (ws < len && is_ws(text[ws]))
			ws++;
		while (we > ws && is_ws(text[we - 1]))
			we--;
		whole = sst == SL_JSON_OK && s == ws && e == we;
		accepted = pst == SL_JSON_OK;
		agree = pst == cst && (accepted ? whole : !whole) &&
		    (accepted || (pe.offset == ce.offset &&
		    strcmp(pe.msg, ce.msg) == 0));
		if (!agree)
			tap_diag("%s: parse %d (%s at %zu), check %d "
			    "(%s at %zu), scan %d %zu..%zu", name, pst,
			    pe.msg, pe.offset, cst, ce.msg, ce.offset, sst, s,
			    e);
		switch (kind) {
		case 'y':
			y_n++;
			good = agree && accepted && fixed_point(&a, &v);
			y_ok += good;
			if (good)
				ok(1, "%s: accepted", name);
			else
				ok(0, "%s: refused: %s at byte %zu", name,
				    pe.msg, pe.offset);
			break;
		case 'n':
			n_n++;
			good = agree && !accepted;
			n_ok += good;
			if (accepted)
				ok(0, "%s: accepted", name);
			else
				ok(good, "%s: refused: %s at byte %zu", name,
				    pe.msg, pe.offset);
			break;
		default:
			if (accepted) {
				i_acc++;
				ok(agree && fixed_point(&a, &v),
				    "%s: accepted%s", name,
				    strncmp(name, "i_number", 8) == 0 ?
				    " (number text kept)" : "");
			} else {
				i_rej++;
				ok(agree, "%s: refused: %s at byte %zu", name,
				    pe.msg, pe.offset);
			}
			break;
		}
		free(text);
	}
	tap_diag("summary: y accepted %d/%d, n rejected %d/%d, "
	    "i accepted %d rejected %d", y_ok, y_n, n_ok, n_n, i_acc, i_rej);
	for (size_t i = 0; i < nnames; i++)
		free(names[i]);
	free(names);
	sl_buf_release(&dir);
	sl_buf_release(&path);
	sl_arena_release(&a);
	return tap_done();
}
