/*
 * sluice-drift - profile a stream's data records in constant memory, compare
 * the profile with a baseline, and say by its exit status whether the data
 * drifted.  See sluice-drift(1).
 *
 * Data flow:
 *
 *   records -> passed through unchanged -> stdout
 *      |
 *      +-> data records: stream facts, JSON fields -> profile (and the
 *          profile of the current window)
 *   at the end (and as each window closes):
 *      baseline x profile -> per-field comparison -> corrections ->
 *      decisions -> summary (stderr), --report, --html, --metrics,
 *      --report-record, --propose
 *
 *   --merge A B ... merges profiles; --show P prints one readably.
 */
#include "config.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "arena.h"
#include "buf.h"
#include "diag.h"
#include "header.h"
#include "ids.h"
#include "input.h"
#include "json.h"
#include "opts.h"
#include "outfile.h"
#include "pool.h"
#include "profile.h"
#include "run.h"
#include "sketch.h"
#include "stats.h"
#include "stream.h"
#include "timefmt.h"
#include "xalloc.h"

enum {
	OPT_SAVE = 1,
	OPT_BASELINE,
	OPT_FIELDS,
	OPT_NOW,
	OPT_MERGE,
	OPT_SHOW,
	OPT_THRESHOLD,
	OPT_DRIFT_SHARE,
	OPT_CORRECTION,
	OPT_WINDOW,
	OPT_WINDOW_TIME,
	OPT_REPORT,
	OPT_HTML,
	OPT_REPORT_RECORD,
	OPT_PROPOSE,
	OPT_PROPOSAL,
};

static const struct sl_option options[] = {
	{ 's', "save", "PROFILE", "write the profile of the data records to "
	    "PROFILE", OPT_SAVE, 0 },
	{ 'b', "baseline", "PROFILE", "compare the data records with this "
	    "profile", OPT_BASELINE, 0 },
	{ 'F', "fields", "POINTERS", "profile these comma-separated JSON "
	    "Pointers (default: top-level fields)", OPT_FIELDS, 0 },
	{ 0, "now", "TIME", "the time record ages are measured against "
	    "(default: now)", OPT_NOW, 0 },
	{ 0, "merge", NULL, "merge the profiles named as operands into one "
	    "(-o OUT)", OPT_MERGE, 0 },
	{ 0, "show", "PROFILE", "print a readable summary of a profile",
	    OPT_SHOW, 0 },
	{ 't', "threshold", "NAME=VALUE", "override a decision threshold "
	    "(repeatable)", OPT_THRESHOLD, 0 },
	{ 0, "drift-share", "SHARE", "drift when at least this share of fields "
	    "drifted (default: any)", OPT_DRIFT_SHARE, 0 },
	{ 0, "correction", "METHOD", "p-value correction across fields: bh "
	    "(default), bonferroni or none", OPT_CORRECTION, 0 },
	{ 'w', "window", "N", "compare each tumbling window of N data records "
	    "as it closes", OPT_WINDOW, 0 },
	{ 0, "window-time", "DURATION", "compare tumbling windows of event time "
	    "(ISO 8601, e.g. PT1H)", OPT_WINDOW_TIME, 0 },
	{ 'r', "report", "FILE", "write the comparison as JSON to FILE",
	    OPT_REPORT, 0 },
	{ 0, "html", "FILE", "write the comparison as one self-contained HTML "
	    "page", OPT_HTML, 0 },
	{ 0, "report-record", NULL, "end the stream with a metadata record "
	    "holding the JSON report", OPT_REPORT_RECORD, 0 },
	{ 0, "propose", "CONTRACT", "propose the next version of this "
	    "sluice-validate contract", OPT_PROPOSE, 0 },
	{ 0, "proposal", "FILE", "where --propose writes the proposed contract",
	    OPT_PROPOSAL, 0 },
	{ 0, NULL, NULL, NULL, 0, 0 },
};

static const struct sl_tool tool = {
	"sluice-drift", "drift", "[options] [FILE...]",
	"profile data records, compare them with a baseline, report drift",
	options,
};

/* ---- configuration ---- */

enum correction { CORR_BH, CORR_BONFERRONI, CORR_NONE };

static const char *const correction_names[] = { "bh", "bonferroni", "none" };

/* Decision thresholds, overridable by --threshold NAME=VALUE. */
struct thresholds {
	double wasserstein_norm;	/* numeric: drift when above */
	double js_distance;		/* categorical: drift when above */
	double psi;			/* numeric: also drift when above (0: off) */
	double alpha;			/* also require adjusted p below (0: off) */
	double null_rate;		/* absolute change in the null rate */
	double type_mix;		/* L-infinity between type shares */
	double unseen;			/* share of values in unseen categories */
};

static const struct {
	const char *name;
	size_t off;
} threshold_names[] = {
	{ "wasserstein_norm", offsetof(struct thresholds, wasserstein_norm) },
	{ "js_distance", offsetof(struct thresholds, js_distance) },
	{ "psi", offsetof(struct thresholds, psi) },
	{ "alpha", offsetof(struct thresholds, alpha) },
	{ "null_rate", offsetof(struct thresholds, null_rate) },
	{ "type_mix", offsetof(struct thresholds, type_mix) },
	{ "unseen", offsetof(struct thresholds, unseen) },
};

#define NTHRESHOLDS (sizeof(threshold_names) / sizeof(*threshold_names))

struct config {
	const char *save;
	const char *baseline;
	char **fields;		/* --fields pointers */
	size_t nfields;
	const char *now;
	int merge;
	const char *show;
	struct thresholds thr;
	double drift_share;	/* 0: any drifted field */
	enum correction correction;
	uint64_t window;
	const char *window_time;
	struct sl_duration window_dur;
	const char *report;
	const char *html;
	int report_record;
	const char *propose;
	const char *proposal;
};

static double
parse_double(const char *name, const char *arg, double lo, double hi)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (end == arg || *end != '\0' || errno != 0 || !isfinite(v) ||
	    v < lo || v > hi)
		sl_usage_error("%s wants a number from %g to %g, not \"%s\"",
		    name, lo, hi, arg);
	return v;
}

static int
handle(int id, const char *arg, void *ctx)
{
	struct config *c = ctx;

	switch (id) {
	case OPT_SAVE:
		c->save = arg;
		return 0;
	case OPT_BASELINE:
		c->baseline = arg;
		return 0;
	case OPT_FIELDS: {
		const char *p = arg;

		for (;;) {
			size_t k = strcspn(p, ",");

			if (k == 0)
				sl_usage_error("--fields: an empty pointer in \"%s\" "
				    "(the whole document is not a field)", arg);
			if (p[0] != '/')
				sl_usage_error("--fields wants JSON Pointers "
				    "(\"/age\", \"/address/city\"), not \"%.*s\"",
				    (int)k, p);
			c->fields = sl_reallocarray(c->fields, c->nfields + 1,
			    sizeof(*c->fields));
			c->fields[c->nfields] = sl_strndup(p, k);
			/* a pointer given twice is one field, counted once */
			for (size_t i = 0; i < c->nfields; i++)
				if (strcmp(c->fields[i], c->fields[c->nfields]) == 0) {
					free(c->fields[c->nfields]);
					c->nfields--;
					break;
				}
			c->nfields++;
			if (p[k] == '\0')
				break;
			p += k + 1;
		}
		return 0;
	}
	case OPT_NOW:
		c->now = arg;
		return 0;
	case OPT_MERGE:
		c->merge = 1;
		return 0;
	case OPT_SHOW:
		c->show = arg;
		return 0;
	case OPT_THRESHOLD: {
		const char *eq = strchr(arg, '=');
		size_t i;

		for (i = 0; eq && i < NTHRESHOLDS; i++)
			if (strlen(threshold_names[i].name) == (size_t)(eq - arg) &&
			    strncmp(arg, threshold_names[i].name,
			    (size_t)(eq - arg)) == 0)
				break;
		if (eq == NULL || i == NTHRESHOLDS)
			sl_usage_error("--threshold wants NAME=VALUE with NAME one "
			    "of wasserstein_norm, js_distance, psi, alpha, "
			    "null_rate, type_mix, unseen, not \"%s\"", arg);
		*(double *)((char *)&c->thr + threshold_names[i].off) =
		    parse_double("--threshold", eq + 1, 0, 1e9);
		return 0;
	}
	case OPT_DRIFT_SHARE:
		c->drift_share = parse_double("--drift-share", arg, 0, 1);
		return 0;
	case OPT_CORRECTION:
		for (int i = 0; i < 3; i++)
			if (strcmp(arg, correction_names[i]) == 0) {
				c->correction = (enum correction)i;
				return 0;
			}
		sl_usage_error("--correction wants bh, bonferroni or none, not "
		    "\"%s\"", arg);
	case OPT_WINDOW:
		c->window = sl_opt_ull("window", arg);
		if (c->window == 0)
			sl_usage_error("--window wants at least 1 record");
		return 0;
	case OPT_WINDOW_TIME: {
		const char *why = NULL;

		if (sl_duration_parse(arg, strlen(arg), &c->window_dur, &why) < 0)
			sl_usage_error("--window-time: \"%s\": %s", arg,
			    why ? why : "not an ISO 8601 duration");
		/* a window that does not move time on would never close */
		if (sl_time_add(0, &c->window_dur) <= 0)
			sl_usage_error("--window-time: \"%s\": a window lasts "
			    "at least a microsecond", arg);
		c->window_time = arg;
		return 0;
	}
	case OPT_REPORT:
		c->report = arg;
		return 0;
	case OPT_HTML:
		c->html = arg;
		return 0;
	case OPT_REPORT_RECORD:
		c->report_record = 1;
		return 0;
	case OPT_PROPOSE:
		c->propose = arg;
		return 0;
	case OPT_PROPOSAL:
		c->proposal = arg;
		return 0;
	}
	return 0;
}

/* ---- profiling records ---- */

#define BATCHES_IN_FLIGHT_MAX 8
#define MEMBER_SLOTS 64		/* top-level members whose field is cached */

struct batch;

/*
 * A --fields pointer split into its reference tokens, unescaped, to look up
 * without re-reading the pointer for every record; slot[0] and slot[1]
 * remember its field in the whole profile and in the window's.
 */
struct cptr {
	const char *ptr;	/* as given: the field's name */
	size_t ptr_len;
	char **tok;
	size_t *tok_len;
	size_t ntok;
	int never;		/* an invalid escape: it matches nothing */
	size_t slot[2];
};

struct drift {
	struct config cfg;
	struct sl_run run;
	struct sl_common common;
	sl_time now;
	struct sl_profile *base;	/* --baseline, or NULL */
	struct sl_profile *all;		/* the whole stream */
	struct sl_profile *win;		/* the current window, or NULL */
	struct sl_profile *kinds;	/* with a profiling thread: the counts of
					   all, kept by the reading thread */
	struct sl_arena arena;		/* per-record JSON */
	int capped_warned;

	/* windows */
	uint64_t nwindows, drifted_windows;
	uint64_t win_first, win_last;	/* data record numbers */
	sl_time win_start;		/* --window-time: the window's start */
	int win_anchored;		/* ... set from a record's event time */
	int win_started;
	struct sl_outfile report_file;	/* --report, written as windows close */
	int report_open;
	struct sl_buf line;		/* scratch */
	struct sl_pool *pool;		/* profiles batches in order */
	struct batch *cur;		/* the batch being filled */
	struct batch *spare[BATCHES_IN_FLIGHT_MAX];
	size_t nspare;
	struct sl_gzip *gz;		/* -z: records re-framed as members */
	struct sl_buf scratch;
	char err[SL_MSG_MAX];
	struct proposal *proposal;	/* --propose */
	char last_id[SL_URN_STRLEN + 8];	/* the last data record's id */
	struct cptr *ptrs;		/* cfg.fields, compiled */
	const struct sl_json **found;	/* ... their values in this payload */
	size_t member_slot[2][MEMBER_SLOTS];	/* top-level fields */
	struct sl_tcache tcache;	/* event times, for the profiling thread */
	struct {			/* the last Content-Type read, and what
					   it says (reading thread) */
		char value[64];
		size_t len, media_len;
		int valid, json;
	} ctc;
};

static void
warn_capped(struct drift *d)
{
	if (d->capped_warned)
		return;
	d->capped_warned = 1;
	sl_warn("more than %d distinct fields: further fields are counted in "
	    "\"fields_dropped\" but not profiled", SL_PROFILE_MAX_FIELDS);
}

/*
 * Compiles the --fields pointers.  Each was checked when parsed: not empty,
 * starting with "/".
 */
static void
ptrs_compile(struct drift *d)
{
	if (d->cfg.nfields == 0)
		return;
	d->ptrs = sl_calloc(d->cfg.nfields, sizeof(*d->ptrs));
	for (size_t i = 0; i < d->cfg.nfields; i++) {
		struct cptr *c = &d->ptrs[i];
		const char *p = d->cfg.fields[i];
		size_t len = strlen(p), at = 0;

		c->ptr = p;
		c->ptr_len = len;
		for (size_t k = 0; k < len; k++)
			c->ntok += p[k] == '/';
		c->tok = sl_calloc(c->ntok, sizeof(*c->tok));
		c->tok_len = sl_calloc(c->ntok, sizeof(*c->tok_len));
		for (size_t t = 0; t < c->ntok; t++) {
			size_t start = ++at, o = 0;
			char *u;

			while (at < len && p[at] != '/')
				at++;
			u = c->tok[t] = sl_malloc(at - start + 1);
			for (size_t k = start; k < at; k++) {
				if (p[k] != '~') {
					u[o++] = p[k];
				} else if (k + 1 < at && (p[k + 1] == '0' ||
				    p[k + 1] == '1')) {
					u[o++] = p[++k] == '0' ? '~' : '/';
				} else {
					c->never = 1;
					break;
				}
			}
			u[o] = '\0';
			c->tok_len[t] = o;
		}
	}
	d->found = sl_calloc(d->cfg.nfields, sizeof(*d->found));
}

static void
ptrs_free(struct drift *d)
{
	if (d->ptrs == NULL)
		return;
	free(d->found);
	for (size_t i = 0; i < d->cfg.nfields; i++) {
		for (size_t t = 0; t < d->ptrs[i].ntok; t++)
			free(d->ptrs[i].tok[t]);
		free(d->ptrs[i].tok);
		free(d->ptrs[i].tok_len);
	}
	free(d->ptrs);
}

/*
 * The value c points to in doc, or NULL: what sl_json_pointer() finds (the
 * last of duplicate keys; array indexes without leading zeros).
 */
static const struct sl_json *
cptr_find(const struct cptr *c, const struct sl_json *doc)
{
	const struct sl_json *v = doc;

	if (c->never)
		return NULL;
	for (size_t t = 0; t < c->ntok; t++) {
		const char *tok = c->tok[t];
		size_t tlen = c->tok_len[t];

		if (v->type == SL_JSON_OBJECT) {
			const struct sl_json_member *m = v->u.members + v->len;

			while (m-- > v->u.members)
				if (m->key_len == tlen && (tlen == 0 ||
				    (m->key[0] == tok[0] &&
				    memcmp(m->key, tok, tlen) == 0)))
					break;
			if (m < v->u.members)
				return NULL;
			v = &m->value;
		} else if (v->type == SL_JSON_ARRAY) {
			size_t idx = 0;

			if (tlen == 0 || (tok[0] == '0' && tlen > 1))
				return NULL;
			for (size_t k = 0; k < tlen; k++) {
				if (tok[k] < '0' || tok[k] > '9')
					return NULL;
				idx = idx * 10 + (size_t)(tok[k] - '0');
				if (idx >= v->len)
					return NULL;
			}
			v = &v->u.items[idx];
		} else {
			return NULL;
		}
	}
	return v;
}

/*
 * The field named name in p, as sl_profile_field(), or the one *slot
 * remembers: a field keeps its place in p->f for p's lifetime, so a slot
 * stays right until p is replaced (window_forget_slots()).  check: the
 * name at the slot must match too (top-level members, whose names vary).
 */
static struct sl_pfield *
field_at(struct sl_profile *p, size_t *slot, const char *name, size_t len,
    int check)
{
	struct sl_pfield *f;

	if (*slot > 0 && *slot <= p->n) {
		f = &p->f[*slot - 1];
		if (!check || (f->name_len == len && memcmp(f->name, name,
		    len) == 0))
			return f;
	}
	f = sl_profile_field(p, name, len, 1);
	if (f != NULL)
		*slot = (size_t)(f - p->f) + 1;
	return f;
}

/* The window's profile was replaced: what field_at() remembered is gone. */
static void
window_forget_slots(struct drift *d)
{
	for (size_t i = 0; d->ptrs != NULL && i < d->cfg.nfields; i++)
		d->ptrs[i].slot[1] = 0;
	memset(d->member_slot[1], 0, sizeof(d->member_slot[1]));
}

/*
 * Finds the values of the --fields pointers in doc (d->found, NULL where
 * absent), once for the whole profile and the window's.
 */
static void
ptrs_find(struct drift *d, const struct sl_json *doc)
{
	for (size_t i = 0; i < d->cfg.nfields; i++)
		d->found[i] = cptr_find(&d->ptrs[i], doc);
}

/*
 * Adds the JSON fields of one parsed payload to p (w: 0 all, 1 window);
 * with --fields, ptrs_find() ran on doc first.
 */
static void
profile_json(struct drift *d, struct sl_profile *p, int w,
    const struct sl_json *doc)
{
	p->json_records++;
	if (d->cfg.nfields > 0) {
		for (size_t i = 0; i < d->cfg.nfields; i++) {
			struct cptr *c = &d->ptrs[i];
			const struct sl_json *v = d->found[i];
			struct sl_pfield *f;

			/* an absent value creates no field and adds nothing */
			if (v == NULL)
				continue;
			f = field_at(p, &c->slot[w], c->ptr, c->ptr_len, 0);
			if (f != NULL)
				sl_pfield_add(f, v);
		}
		return;
	}
	if (doc->type != SL_JSON_OBJECT)
		return;
	for (size_t i = 0; i < doc->len; i++) {
		const struct sl_json_member *m = &doc->u.members[i];
		struct sl_pfield *f;

		if (i < MEMBER_SLOTS)
			f = field_at(p, &d->member_slot[w][i], m->key,
			    m->key_len, 1);
		else
			f = sl_profile_field(p, m->key, m->key_len, 1);
		if (f == NULL) {
			p->fields_dropped++;
			warn_capped(d);
			continue;
		}
		sl_pfield_add(f, &m->value);
	}
}

/* Does a Content-Type value (or NULL) label JSON? */
static int
is_json_type(const char *ct)
{
	size_t n;

	if (ct == NULL)
		return 0;
	n = strcspn(ct, ";");
	while (n > 0 && ct[n - 1] == ' ')
		n--;
	return (n == 16 && strncasecmp(ct, "application/json", 16) == 0) ||
	    (n > 5 && strncasecmp(ct + n - 5, "+json", 5) == 0);
}

/* ---- comparing ---- */

enum presence { BOTH, ADDED, MISSING };
enum kind { K_NUMERIC, K_CATEGORICAL, K_OTHER };

static const char *const kind_names[] = { "numeric", "categorical", "other" };

struct fcmp {
	const char *name;
	size_t name_len;
	enum presence presence;
	enum kind kind;
	const struct sl_pfield *b, *c;	/* NULL when absent on that side */
	double bnull, cnull;
	int has_stats;		/* the statistics below were computed */
	double wass_norm, ks_d, ks_p, psi, mean_b, mean_c, std_b, std_c;
	double ks_d_err, ks_p_max;	/* the sketches' bound; the p tested */
	double js, linf, chi2_p, unseen;
	int has_unseen;
	int exact;		/* categorical: every category counted on base */
	size_t ncat;		/* categories compared (with "other") */
	double p;		/* the p-value tested: ks_p or chi2_p */
	double p_adj;
	int type_changed, null_changed, unseen_flag, stat_drift, drift;
	uint64_t btypes[SL_PT__N], ctypes[SL_PT__N];
};

struct comparison {
	const struct sl_profile *b, *c;
	struct fcmp *f;
	size_t n;
	size_t added, missing, type_changed, drifted, compared;
	double share;
	int drift;
};

static double
std_of(const struct sl_moments *m)
{
	return sqrt(sl_moments_variance(m));
}

/* The population standard deviation of a weighted sample. */
static double
wsample_std(const struct sl_wsample *s)
{
	double mean = 0, m2 = 0;

	for (size_t i = 0; i < s->n; i++)
		mean += s->w[i] / s->total * s->v[i];
	for (size_t i = 0; i < s->n; i++)
		m2 += s->w[i] / s->total * (s->v[i] - mean) * (s->v[i] - mean);
	return sqrt(m2);
}

/*
 * Values near the ends of the double range (1e308 and -1e308) overflow the
 * distance between them and the sum of squares.  Both scale with the data:
 * computed on the values divided by a power of two (exact), the distance
 * and the standard deviations (from the sketches, when the exact moments
 * overflowed) are scaled back, capped at the largest double.  Leaves a and
 * b divided.  Returns wasserstein_norm.
 */
static double
wasserstein_scaled(struct fcmp *x, struct sl_wsample *a, struct sl_wsample *b)
{
	double big = fmax(fmax(fabs(x->b->num.mom.min), fabs(x->b->num.mom.max)),
	    fmax(fabs(x->c->num.mom.min), fabs(x->c->num.mom.max)));
	double w;
	int e;

	frexp(big, &e);
	for (size_t i = 0; i < a->n; i++)
		a->v[i] = ldexp(a->v[i], -e);
	for (size_t i = 0; i < b->n; i++)
		b->v[i] = ldexp(b->v[i], -e);
	if (!isfinite(x->std_b))
		x->std_b = fmin(ldexp(wsample_std(a), e), DBL_MAX);
	if (!isfinite(x->std_c))
		x->std_c = fmin(ldexp(wsample_std(b), e), DBL_MAX);
	w = sl_stat_wasserstein(a, b);
	/* normalised where it is finite; raw (a constant baseline) capped */
	if (x->std_b > 0)
		return fmin(w / ldexp(x->std_b, -e), DBL_MAX);
	return fmin(ldexp(w, e), DBL_MAX);
}

static void
compare_numeric(struct fcmp *x)
{
	struct sl_wsample a = { 0 }, b = { 0 };
	double w;

	if (x->b->num.kll == NULL || x->c->num.kll == NULL ||
	    x->b->num.mom.n == 0 || x->c->num.mom.n == 0)
		return;
	sl_kll_sorted(x->b->num.kll, &a);
	sl_kll_sorted(x->c->num.kll, &b);
	x->mean_b = x->b->num.mom.mean;
	x->mean_c = x->c->num.mom.mean;
	x->std_b = std_of(&x->b->num.mom);
	x->std_c = std_of(&x->c->num.mom);
	x->ks_d = sl_stat_ks(&a, &b);
	x->ks_p = sl_stat_ks_p(x->ks_d, (double)x->b->num.mom.n,
	    (double)x->c->num.mom.n);
	/*
	 * Each sketch's CDF is off by at most its rank error, so the true D
	 * is at least ks_d minus both: the p-value of that is the largest one
	 * the sketches allow, and the one tested, so that sketch error never
	 * makes a field look significant (at a million rows it would).
	 */
	x->ks_d_err = sl_kll_epsilon(x->b->num.kll) +
	    sl_kll_epsilon(x->c->num.kll);
	x->ks_p_max = x->ks_d_err > 0 ? sl_stat_ks_p(fmax(0, x->ks_d -
	    x->ks_d_err), (double)x->b->num.mom.n, (double)x->c->num.mom.n) :
	    x->ks_p;
	x->psi = sl_stat_psi(&a, &b);
	w = sl_stat_wasserstein(&a, &b);
	/* a constant baseline: the raw distance (any change is large) */
	x->wass_norm = x->std_b > 0 ? w / x->std_b : w;
	if (!isfinite(x->wass_norm) || !isfinite(x->std_b) ||
	    !isfinite(x->std_c))
		x->wass_norm = wasserstein_scaled(x, &a, &b);
	x->p = x->ks_p_max;
	x->has_stats = 1;
	sl_wsample_release(&a);
	sl_wsample_release(&b);
}

static int
item_cmp(const void *a, const void *b)
{
	const struct sl_topk_item *x = *(const struct sl_topk_item *const *)a;
	const struct sl_topk_item *y = *(const struct sl_topk_item *const *)b;
	size_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
	int c = memcmp(x->key, y->key, n);

	if (c != 0)
		return c;
	return x->key_len < y->key_len ? -1 : x->key_len > y->key_len;
}

/* Sorted pointers to a sketch's items; returns their number. */
static size_t
sorted_items(const struct sl_topk *s, const struct sl_topk_item ***out)
{
	const struct sl_topk_item *items;
	size_t n = s ? sl_topk_items(s, &items) : 0;

	*out = sl_calloc(n + 1, sizeof(**out));
	for (size_t i = 0; i < n; i++)
		(*out)[i] = &items[i];
	qsort(*out, n, sizeof(**out), item_cmp);
	return n;
}

static void
compare_categorical(struct fcmp *x)
{
	const struct sl_topk_item **bi, **ci;
	size_t nb, nc, i = 0, j = 0, k = 0;
	double *p, *q, bsum = 0, csum = 0, btot, ctot, unseen = 0;

	if (x->b->cat == NULL || x->c->cat == NULL)
		return;
	nb = sorted_items(x->b->cat, &bi);
	nc = sorted_items(x->c->cat, &ci);
	p = sl_calloc(nb + nc + 1, sizeof(*p));
	q = sl_calloc(nb + nc + 1, sizeof(*q));
	while (i < nb || j < nc) {
		int c = i == nb ? 1 : j == nc ? -1 : item_cmp(&bi[i], &ci[j]);

		if (c <= 0)
			p[k] = (double)bi[i]->count;
		if (c >= 0)
			q[k] = (double)ci[j]->count;
		if (c > 0)
			unseen += (double)ci[j]->count;
		bsum += p[k];
		csum += q[k];
		i += c <= 0;
		j += c >= 0;
		k++;
	}
	btot = (double)sl_topk_total(x->b->cat);
	ctot = (double)sl_topk_total(x->c->cat);
	/* what the sketches no longer list goes to one "other" bin */
	if (btot > bsum || ctot > csum) {
		p[k] = btot > bsum ? btot - bsum : 0;
		q[k] = ctot > csum ? ctot - csum : 0;
		k++;
	}
	x->ncat = k;
	x->exact = sl_topk_exact(x->b->cat);
	if (btot > 0 && ctot > 0) {
		x->js = sl_stat_js_distance(p, q, k);
		x->linf = sl_stat_linf(p, q, k);
		x->chi2_p = sl_stat_chi2_p(p, q, k);
		x->p = x->chi2_p;
		x->has_stats = 1;
		if (x->exact) {
			x->unseen = unseen / ctot;
			x->has_unseen = 1;
		}
	}
	free(p);
	free(q);
	free(bi);
	free(ci);
}

/* Non-null type shares of a field, into s[SL_PT__N]; returns their total. */
static double
type_shares(const uint64_t *t, double *s)
{
	double tot = 0;

	for (int i = 1; i < SL_PT__N; i++)
		tot += (double)t[i];
	for (int i = 0; i < SL_PT__N; i++)
		s[i] = i > 0 && tot > 0 ? (double)t[i] / tot : 0;
	return tot;
}

static void
compare_field(const struct config *cfg, struct fcmp *x, uint64_t bjson,
    uint64_t cjson)
{
	double sb[SL_PT__N], sc[SL_PT__N], tb, tc, linf = 0;

	x->bnull = sl_pfield_null_rate(x->b, bjson);
	x->cnull = sl_pfield_null_rate(x->c, cjson);
	x->p = NAN;
	tb = type_shares(x->b->types, sb);
	tc = type_shares(x->c->types, sc);
	if (tb > 0 && tc > 0) {
		for (int i = 1; i < SL_PT__N; i++) {
			double dd = fabs(sb[i] - sc[i]);

			if (dd > linf)
				linf = dd;
			if (x->b->types[i] == 0 && x->c->types[i] > 0)
				x->type_changed = 1;
		}
		if (linf > cfg->thr.type_mix)
			x->type_changed = 1;
	}
	if (cjson > 0 && fabs(x->cnull - x->bnull) > cfg->thr.null_rate)
		x->null_changed = 1;
	if (x->kind == K_NUMERIC)
		compare_numeric(x);
	else if (x->kind == K_CATEGORICAL)
		compare_categorical(x);
	if (x->has_unseen && x->unseen > cfg->thr.unseen)
		x->unseen_flag = 1;
}

static enum kind
kind_of(const struct sl_pfield *f)
{
	if (sl_pfield_numeric(f))
		return K_NUMERIC;
	if (f->types[SL_PT_STRING] + f->types[SL_PT_BOOLEAN] > 0)
		return K_CATEGORICAL;
	return K_OTHER;
}

static int
fcmp_name_cmp(const void *a, const void *b)
{
	const struct fcmp *x = a, *y = b;
	size_t n = x->name_len < y->name_len ? x->name_len : y->name_len;
	int c = memcmp(x->name, y->name, n);

	if (c != 0)
		return c;
	return x->name_len < y->name_len ? -1 : x->name_len > y->name_len;
}

/* Decides whether a compared field drifted by its statistics. */
static void
decide_stats(const struct config *cfg, struct fcmp *x)
{
	int effect = 0;

	if (!x->has_stats)
		return;
	if (x->kind == K_NUMERIC)
		effect = x->wass_norm > cfg->thr.wasserstein_norm ||
		    (cfg->thr.psi > 0 && x->psi > cfg->thr.psi);
	else if (x->exact)
		effect = x->js > cfg->thr.js_distance;
	if (effect && cfg->thr.alpha > 0)
		effect = x->p_adj < cfg->thr.alpha;
	x->stat_drift = effect;
}

static void
compare(const struct config *cfg, const struct sl_profile *b,
    const struct sl_profile *c, struct comparison *r)
{
	size_t m = 0;
	double *pv, *adj;
	size_t *at;

	memset(r, 0, sizeof(*r));
	r->b = b;
	r->c = c;
	r->f = sl_calloc(b->n + c->n + 1, sizeof(*r->f));
	for (size_t i = 0; i < b->n; i++) {
		struct fcmp *x = &r->f[r->n++];

		x->name = b->f[i].name;
		x->name_len = b->f[i].name_len;
		x->b = &b->f[i];
		x->c = sl_profile_field((struct sl_profile *)c, x->name,
		    x->name_len, 0);
		x->presence = x->c ? BOTH : MISSING;
		x->kind = kind_of(x->b);
	}
	for (size_t i = 0; i < c->n; i++) {
		struct fcmp *x;

		if (sl_profile_field((struct sl_profile *)b, c->f[i].name,
		    c->f[i].name_len, 0) != NULL)
			continue;
		x = &r->f[r->n++];
		x->name = c->f[i].name;
		x->name_len = c->f[i].name_len;
		x->c = &c->f[i];
		x->presence = ADDED;
		x->kind = kind_of(x->c);
	}
	qsort(r->f, r->n, sizeof(*r->f), fcmp_name_cmp);
	pv = sl_calloc(r->n + 1, sizeof(*pv));
	adj = sl_calloc(r->n + 1, sizeof(*adj));
	at = sl_calloc(r->n + 1, sizeof(*at));
	for (size_t i = 0; i < r->n; i++) {
		struct fcmp *x = &r->f[i];

		x->p = x->p_adj = NAN;
		if (x->b)
			memcpy(x->btypes, x->b->types, sizeof(x->btypes));
		if (x->c)
			memcpy(x->ctypes, x->c->types, sizeof(x->ctypes));
		if (x->presence != BOTH)
			continue;
		compare_field(cfg, x, b->json_records, c->json_records);
		if (x->has_stats && !isnan(x->p)) {
			pv[m] = x->p;
			at[m++] = i;
		}
	}
	if (cfg->correction == CORR_BH)
		sl_stat_bh(pv, m, adj);
	else if (cfg->correction == CORR_BONFERRONI)
		sl_stat_bonferroni(pv, m, adj);
	else
		memcpy(adj, pv, m * sizeof(*adj));
	for (size_t i = 0; i < m; i++)
		r->f[at[i]].p_adj = adj[i];
	for (size_t i = 0; i < r->n; i++) {
		struct fcmp *x = &r->f[i];

		if (x->presence == ADDED) {
			r->added++;
			x->drift = 1;
		} else if (x->presence == MISSING) {
			r->missing++;
			x->drift = 1;
		} else {
			decide_stats(cfg, x);
			x->drift = x->stat_drift || x->type_changed ||
			    x->null_changed || x->unseen_flag;
			r->type_changed += x->type_changed;
		}
		r->drifted += x->drift;
	}
	r->compared = r->n;
	r->share = r->n ? (double)r->drifted / (double)r->n : 0;
	r->drift = cfg->drift_share > 0 ? r->drifted > 0 &&
	    r->share >= cfg->drift_share : r->drifted > 0;
	free(pv);
	free(adj);
	free(at);
}

static void
comparison_release(struct comparison *r)
{
	free(r->f);
	r->f = NULL;
}

/*
 * A name from the data or a profile as a JSON string literal, quotes
 * included, so control characters never reach a terminal raw.  Valid until
 * the next call with the same buffer.
 */
static const char *
qname(struct sl_buf *b, const char *s, size_t len)
{
	sl_buf_reset(b);
	sl_json_write_string(b, s, len);
	return b->data;
}

/*
 * Writes data to path whole and atomically, or dies: 73 when path cannot
 * be created, 74 when writing fails (a full disk, /dev/full).
 */
static void
write_whole(const char *path, const struct sl_buf *b)
{
	struct sl_outfile o;
	char err[SL_MSG_MAX];
	size_t off = 0;

	if (sl_outfile_open(&o, path, err, sizeof(err)) < 0)
		sl_die(SL_EX_CANTCREAT, "%s", err);
	while (off < b->len) {
		ssize_t n = write(o.fd, b->data + off, b->len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			sl_outfile_abort(&o);
			sl_die(SL_EX_IOERR, "%s: cannot write: %s", path,
			    strerror(e));
		}
		off += (size_t)n;
	}
	if (sl_outfile_commit(&o, err, sizeof(err)) < 0)
		sl_die(SL_EX_IOERR, "%s", err);
}

/* ---- the JSON report ---- */

static void
put_num(struct sl_buf *b, double v)
{
	if (!isfinite(v))
		sl_buf_adds(b, "null");
	else if (v == 0)
		sl_buf_adds(b, "0");
	else
		sl_buf_addf(b, "%.10g", v);
}

static void
put_key(struct sl_buf *b, const char *k, double v)
{
	sl_buf_addf(b, "\"%s\":", k);
	put_num(b, v);
}

static const char *
psi_band(double psi)
{
	return psi < 0.1 ? "stable" : psi < 0.2 ? "moderate" : "significant";
}

static void
put_name_list(struct sl_buf *b, const struct comparison *r, const char *key,
    int (*pick)(const struct fcmp *))
{
	int first = 1;

	sl_buf_addf(b, "\"%s\":[", key);
	for (size_t i = 0; i < r->n; i++) {
		if (!pick(&r->f[i]))
			continue;
		if (!first)
			sl_buf_addc(b, ',');
		first = 0;
		sl_json_write_string(b, r->f[i].name, r->f[i].name_len);
	}
	sl_buf_addc(b, ']');
}

static int pick_added(const struct fcmp *x) { return x->presence == ADDED; }
static int pick_missing(const struct fcmp *x) { return x->presence == MISSING; }
static int pick_type(const struct fcmp *x) { return x->type_changed; }
static int pick_null(const struct fcmp *x) { return x->null_changed; }
static int pick_unseen(const struct fcmp *x) { return x->unseen_flag; }
static int pick_drift(const struct fcmp *x) { return x->drift; }

static void
put_types(struct sl_buf *b, const uint64_t *t)
{
	sl_buf_addc(b, '{');
	for (int i = 0; i < SL_PT__N; i++)
		sl_buf_addf(b, "%s\"%s\":%llu", i ? "," : "", sl_ptype_name(i),
		    (unsigned long long)t[i]);
	sl_buf_addc(b, '}');
}

/* The reasons a field drifted, as a JSON array of short strings. */
static void
put_reasons(struct sl_buf *b, const struct fcmp *x)
{
	int n = 0;

	sl_buf_adds(b, "\"reasons\":[");
#define REASON(cond, s) do { if (cond) { sl_buf_adds(b, n++ ? ",\"" s "\"" : \
	"\"" s "\""); } } while (0)
	REASON(x->presence == ADDED, "added");
	REASON(x->presence == MISSING, "missing");
	REASON(x->stat_drift && x->kind == K_NUMERIC, "wasserstein_norm");
	REASON(x->stat_drift && x->kind == K_CATEGORICAL, "js_distance");
	REASON(x->type_changed, "type_changed");
	REASON(x->null_changed, "null_rate");
	REASON(x->unseen_flag, "unseen");
#undef REASON
	sl_buf_addc(b, ']');
}

static void
put_field(struct sl_buf *b, const struct comparison *r, const struct fcmp *x)
{
	sl_json_write_string(b, x->name, x->name_len);
	sl_buf_addf(b, ":{\"kind\":\"%s\",\"presence\":\"%s\",\"drift\":%s,",
	    kind_names[x->kind], x->presence == BOTH ? "both" :
	    x->presence == ADDED ? "added" : "missing",
	    x->drift ? "true" : "false");
	put_reasons(b, x);
	sl_buf_addf(b, ",\"count\":{\"baseline\":%llu,\"current\":%llu}",
	    (unsigned long long)(x->b ? x->b->count : 0),
	    (unsigned long long)(x->c ? x->c->count : 0));
	sl_buf_adds(b, ",\"null_rate\":{");
	put_key(b, "baseline", x->b ? sl_pfield_null_rate(x->b,
	    r->b->json_records) : NAN);
	sl_buf_addc(b, ',');
	put_key(b, "current", x->c ? sl_pfield_null_rate(x->c,
	    r->c->json_records) : NAN);
	sl_buf_adds(b, "},\"types\":{\"baseline\":");
	put_types(b, x->btypes);
	sl_buf_adds(b, ",\"current\":");
	put_types(b, x->ctypes);
	sl_buf_adds(b, "},\"stats\":");
	if (!x->has_stats) {
		sl_buf_adds(b, "null}");
		return;
	}
	sl_buf_addc(b, '{');
	if (x->kind == K_NUMERIC) {
		put_key(b, "wasserstein_norm", x->wass_norm);
		sl_buf_addc(b, ',');
		put_key(b, "ks_d", x->ks_d);
		sl_buf_addc(b, ',');
		put_key(b, "ks_p", x->ks_p);
		sl_buf_addc(b, ',');
		put_key(b, "ks_d_error", x->ks_d_err);
		sl_buf_addc(b, ',');
		put_key(b, "ks_p_max", x->ks_p_max);
		sl_buf_addc(b, ',');
		put_key(b, "ks_p_adjusted", x->p_adj);
		sl_buf_addc(b, ',');
		put_key(b, "psi", x->psi);
		sl_buf_addf(b, ",\"psi_band\":\"%s\",", psi_band(x->psi));
		put_key(b, "mean_baseline", x->mean_b);
		sl_buf_addc(b, ',');
		put_key(b, "mean_current", x->mean_c);
		sl_buf_addc(b, ',');
		put_key(b, "std_baseline", x->std_b);
		sl_buf_addc(b, ',');
		put_key(b, "std_current", x->std_c);
		sl_buf_addf(b, ",\"sketch_exact\":%s,\"rank_error\":",
		    sl_kll_exact(x->b->num.kll) && sl_kll_exact(x->c->num.kll) ?
		    "true" : "false");
		put_num(b, fmax(sl_kll_epsilon(x->b->num.kll),
		    sl_kll_epsilon(x->c->num.kll)));
	} else {
		put_key(b, "js_distance", x->js);
		sl_buf_addc(b, ',');
		put_key(b, "linf", x->linf);
		sl_buf_addc(b, ',');
		put_key(b, "chi2_p", x->chi2_p);
		sl_buf_addc(b, ',');
		put_key(b, "chi2_p_adjusted", x->p_adj);
		sl_buf_addf(b, ",\"categories\":%zu,\"sketch_exact\":%s,"
		    "\"unseen_share\":", x->ncat, x->exact ? "true" : "false");
		put_num(b, x->has_unseen ? x->unseen : NAN);
	}
	sl_buf_adds(b, "}}");
}

static const char decided_by[] =
    "effect sizes decide: a numeric field drifts when wasserstein_norm "
    "exceeds its threshold (or psi, when a psi threshold is set), a "
    "categorical field whose baseline lists every category when "
    "js_distance exceeds its threshold; with an alpha threshold the "
    "corrected p-value must also be below alpha; schema changes (added, "
    "missing, type_changed, null_rate, unseen) make a field drift; the "
    "data drifts when the share of drifted fields reaches drift_share "
    "(any drifted field when drift_share is 0)";

static void
put_conventions(struct sl_buf *b, const struct config *cfg)
{
	sl_buf_adds(b, "\"conventions\":{"
	    "\"wasserstein_norm\":\"first Wasserstein distance (scipy.stats."
	    "wasserstein_distance) divided by the baseline's population standard "
	    "deviation (ddof 0; the raw distance when that is 0); a distance\","
	    "\"ks_d\":\"two-sample Kolmogorov-Smirnov statistic sup|F_b-F_c|; "
	    "a distance\","
	    "\"ks_p\":\"asymptotic two-sided p-value, as scipy.stats.ks_2samp("
	    "method='asymp'), of ks_d\","
	    "\"ks_p_max\":\"the p-value of ks_d less ks_d_error (the sketches' "
	    "rank errors added; 0 when exact): the largest p-value the sketches "
	    "allow; this is what is corrected (ks_p_adjusted) and tested\","
	    "\"psi\":\"population stability index over the baseline's deciles, "
	    "empty bins 1e-4, natural log; a divergence; bands <0.1 stable, "
	    "0.1-0.2 moderate, >=0.2 significant\","
	    "\"js_distance\":\"Jensen-Shannon distance (square root of the "
	    "divergence), log base 2, in [0,1]\","
	    "\"linf\":\"largest absolute difference between category shares\","
	    "\"chi2_p\":\"p-value of the chi-squared test of homogeneity on the "
	    "2 x K table of counts, no continuity correction, categories "
	    "beyond the frequent-items sketch lumped into one other bin\","
	    "\"null_rate\":\"share of JSON records where the field is null or "
	    "absent\"},");
	sl_buf_addf(b, "\"correction\":\"%s\",\"decided_by\":\"%s\","
	    "\"thresholds\":{", correction_names[cfg->correction], decided_by);
	for (size_t i = 0; i < NTHRESHOLDS; i++) {
		if (i)
			sl_buf_addc(b, ',');
		put_key(b, threshold_names[i].name, *(const double *)(
		    (const char *)&cfg->thr + threshold_names[i].off));
	}
	sl_buf_addc(b, ',');
	put_key(b, "drift_share", cfg->drift_share);
	sl_buf_adds(b, "},");
}

/* The body of a comparison object, without its braces. */
static void
put_comparison(struct sl_buf *b, const struct comparison *r)
{
	sl_buf_addf(b, "\"drift\":%s,\"records\":{\"baseline\":%llu,"
	    "\"current\":%llu},\"drifted_fields\":%zu,\"compared_fields\":%zu,",
	    r->drift ? "true" : "false", (unsigned long long)r->b->records,
	    (unsigned long long)r->c->records, r->drifted, r->compared);
	put_key(b, "drifted_share", r->share);
	sl_buf_adds(b, ",\"schema\":{");
	put_name_list(b, r, "added", pick_added);
	sl_buf_addc(b, ',');
	put_name_list(b, r, "missing", pick_missing);
	sl_buf_addc(b, ',');
	put_name_list(b, r, "type_changed", pick_type);
	sl_buf_addc(b, ',');
	put_name_list(b, r, "null_rate_changed", pick_null);
	sl_buf_addc(b, ',');
	put_name_list(b, r, "unseen_categories", pick_unseen);
	sl_buf_adds(b, "},");
	put_name_list(b, r, "drifted", pick_drift);
	sl_buf_adds(b, ",\"fields\":{");
	for (size_t i = 0; i < r->n; i++) {
		if (i)
			sl_buf_addc(b, ',');
		put_field(b, r, &r->f[i]);
	}
	sl_buf_addc(b, '}');
}

/* ---- the summary on stderr ---- */

/* One line for a window: the verdict and the fields that drifted. */
static void
summary_line(const struct comparison *r, const char *prefix)
{
	struct sl_buf b = SL_BUF_INIT;

	for (size_t i = 0; i < r->n; i++) {
		if (r->f[i].drift) {
			sl_buf_adds(&b, b.len ? ", " : ": ");
			sl_json_write_string(&b, r->f[i].name, r->f[i].name_len);
		}
	}
	sl_warn("%s%s: %zu of %zu fields drifted%s", prefix, r->drift ? "drift" :
	    "no drift", r->drifted, r->compared, b.len ? b.data : "");
	sl_buf_release(&b);
}

static void
summary(const struct comparison *r, const char *prefix)
{
	struct sl_buf q = SL_BUF_INIT;

	if (sl_diag_quiet())
		return;
	for (size_t i = 0; i < r->n; i++) {
		const struct fcmp *x = &r->f[i];
		struct sl_buf b = SL_BUF_INIT;

		if (!x->drift)
			continue;
		if (x->presence == ADDED)
			sl_buf_adds(&b, "added");
		else if (x->presence == MISSING)
			sl_buf_adds(&b, "missing");
		if (x->stat_drift && x->kind == K_NUMERIC)
			sl_buf_addf(&b, "wasserstein_norm %.3g (ks_d %.3g, psi "
			    "%.3g)", x->wass_norm, x->ks_d, x->psi);
		if (x->stat_drift && x->kind == K_CATEGORICAL)
			sl_buf_addf(&b, "js_distance %.3g (linf %.3g)", x->js,
			    x->linf);
		if (x->type_changed)
			sl_buf_addf(&b, "%stype mix changed", b.len ? ", " : "");
		if (x->null_changed)
			sl_buf_addf(&b, "%snull rate %.3g -> %.3g", b.len ? ", " :
			    "", x->bnull, x->cnull);
		if (x->unseen_flag)
			sl_buf_addf(&b, "%s%.3g of values in unseen categories",
			    b.len ? ", " : "", x->unseen);
		sl_warn("%sfield %s: %s", prefix, qname(&q, x->name, x->name_len),
		    b.data);
		sl_buf_release(&b);
	}
	sl_warn("%s%s: %zu of %zu fields drifted (%llu records against a "
	    "baseline of %llu)", prefix, r->drift ? "drift" : "no drift",
	    r->drifted, r->compared, (unsigned long long)r->c->records,
	    (unsigned long long)r->b->records);
	sl_buf_release(&q);
}

/* ---- windows ---- */

/* On sl_die(): a report half written never appears under its name. */
static void
report_abort(void *arg)
{
	struct drift *d = arg;

	if (d->report_open)
		sl_outfile_abort(&d->report_file);
	d->report_open = 0;
}

static void
report_begin(struct drift *d)
{
	char err[SL_MSG_MAX];

	if (d->cfg.report == NULL || d->report_open)
		return;
	if (sl_outfile_open(&d->report_file, d->cfg.report, err, sizeof(err)) < 0)
		sl_die(SL_EX_CANTCREAT, "%s", err);
	d->report_open = 1;
	sl_diag_on_exit(report_abort, d);
}

static void
report_write(struct drift *d, const struct sl_buf *b)
{
	size_t off = 0;

	while (off < b->len) {
		ssize_t n = write(d->report_file.fd, b->data + off, b->len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			sl_die(SL_EX_IOERR, "%s: cannot write: %s", d->cfg.report,
			    strerror(errno));
		off += (size_t)n;
	}
}

static void
close_window(struct drift *d)
{
	struct comparison r;
	char prefix[128];
	struct sl_buf *b = &d->line;

	if (d->win == NULL || d->win->records == 0)
		return;
	d->nwindows++;
	compare(&d->cfg, d->base, d->win, &r);
	if (r.drift)
		d->drifted_windows++;
	snprintf(prefix, sizeof(prefix), "window %llu (records %llu-%llu): ",
	    (unsigned long long)d->nwindows, (unsigned long long)d->win_first,
	    (unsigned long long)d->win_last);
	summary_line(&r, prefix);
	if (d->report_open) {
		sl_buf_reset(b);
		sl_buf_addf(b, "%s{\"window\":%llu,\"first_record\":%llu,"
		    "\"last_record\":%llu,", d->nwindows > 1 ? ",\n" : "",
		    (unsigned long long)d->nwindows,
		    (unsigned long long)d->win_first,
		    (unsigned long long)d->win_last);
		if (d->cfg.window_time && !d->win_anchored) {
			/* no record so far had an event time */
			sl_buf_adds(b, "\"start\":null,\"end\":null,");
		} else if (d->cfg.window_time) {
			char t[SL_TIME_STRLEN];

			sl_time_format(d->win_start, SL_TIME_AUTO, t);
			sl_buf_addf(b, "\"start\":\"%s\",", t);
			sl_time_format(sl_time_add(d->win_start,
			    &d->cfg.window_dur), SL_TIME_AUTO, t);
			sl_buf_addf(b, "\"end\":\"%s\",", t);
		}
		put_comparison(b, &r);
		sl_buf_addc(b, '}');
		report_write(d, b);
	}
	comparison_release(&r);
	sl_profile_free(d->win);
	d->win = sl_profile_new();
	window_forget_slots(d);
	d->win_started = 0;
}

/*
 * Moves the window's start on, in whole windows, to the one holding t.  A
 * fixed duration jumps there at once, so that a record years after the last
 * one does not cost a step per empty window; a calendar duration (months,
 * years) steps, at most some 120,000 times across the whole time range.  A
 * start that no longer moves (the end of time) stays where it is.
 */
static void
window_advance(struct drift *d, sl_time t)
{
	const struct sl_duration *w = &d->cfg.window_dur;

	if (w->years == 0 && w->months == 0 && t > d->win_start) {
		int64_t step = sl_time_add(0, w);

		if (step > 0 && w->days < INT64_MAX / 86400000000LL) {
			int64_t k = (t - d->win_start) / step;

			if (k > 1)
				d->win_start = sl_time_add(d->win_start,
				    &(struct sl_duration){ 0, 0, 0, (k - 1) *
				    step });
		}
	}
	for (;;) {
		sl_time next = sl_time_add(d->win_start, w);

		if (next > t || next <= d->win_start)
			break;
		d->win_start = next;
	}
}

/* Before a data record is profiled: closes the window it does not belong to. */
static void
window_before(struct drift *d, const struct sl_rfacts *f, uint64_t number)
{
	if (d->win == NULL)
		return;
	if (d->cfg.window_time) {
		sl_time t = f->event_time;

		if (f->has_time) {
			if (!d->win_anchored) {
				/*
				 * windows tumble from the first event time;
				 * records before it without one join its window
				 */
				d->win_start = t;
				d->win_anchored = 1;
			} else if (d->win_started && t >= sl_time_add(
			    d->win_start, &d->cfg.window_dur)) {
				close_window(d);
			}
			/* a late record (before the start) joins this window */
			if (!d->win_started)
				window_advance(d, t);
		}
	}
	if (!d->win_started) {
		d->win_started = 1;
		d->win_first = number;
	}
	d->win_last = number;
}

static void
window_after(struct drift *d)
{
	if (d->win != NULL && d->cfg.window && d->win->records >= d->cfg.window)
		close_window(d);
}

/* ---- --metrics ---- */

static void
put_label(struct sl_buf *b, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\\' || s[i] == '"')
			sl_buf_addc(b, '\\');
		if (s[i] == '\n')
			sl_buf_adds(b, "\\n");
		else
			sl_buf_addc(b, s[i]);
	}
}

static void
gauge(struct sl_buf *b, const char *name, const struct fcmp *x,
    const char *stat, double v)
{
	if (!isfinite(v))
		return;
	sl_buf_addf(b, "%s{tool=\"sluice-drift\",field=\"", name);
	put_label(b, x->name, x->name_len);
	if (stat)
		sl_buf_addf(b, "\",statistic=\"%s", stat);
	sl_buf_adds(b, "\"} ");
	sl_buf_addf(b, "%.10g\n", v);
}

/* Writes --metrics; returns -1 (said) when it cannot. */
static int
write_metrics(struct drift *d, const struct comparison *r, int status)
{
	struct sl_buf b = SL_BUF_INIT;
	char err[SL_MSG_MAX];
	int ret = 0;

#define HEAD(n, t, h) \
	sl_buf_adds(&b, "# HELP " n " " h "\n# TYPE " n " " t "\n")
	HEAD("sluice_records_in_total", "counter", "Data records read.");
	sl_buf_addf(&b, "sluice_records_in_total{tool=\"sluice-drift\"} %llu\n",
	    (unsigned long long)d->run.records_in);
	HEAD("sluice_records_out_total", "counter", "Data records written.");
	sl_buf_addf(&b, "sluice_records_out_total{tool=\"sluice-drift\"} %llu\n",
	    (unsigned long long)d->run.records_out);
	HEAD("sluice_exit_status", "gauge", "Exit status of the run.");
	sl_buf_addf(&b, "sluice_exit_status{tool=\"sluice-drift\"} %d\n", status);
	HEAD("sluice_drift_windows_total", "counter", "Windows compared.");
	sl_buf_addf(&b, "sluice_drift_windows_total{tool=\"sluice-drift\"} "
	    "%llu\n", (unsigned long long)d->nwindows);
	HEAD("sluice_drift_windows_drifted_total", "counter",
	    "Windows that drifted.");
	sl_buf_addf(&b, "sluice_drift_windows_drifted_total{tool=\"sluice-drift\"} "
	    "%llu\n", (unsigned long long)d->drifted_windows);
	if (r != NULL) {
		HEAD("sluice_drift", "gauge", "1 when the data drifted.");
		sl_buf_addf(&b, "sluice_drift{tool=\"sluice-drift\"} %d\n", r->drift);
		HEAD("sluice_drift_fields_drifted", "gauge", "Fields that drifted.");
		sl_buf_addf(&b, "sluice_drift_fields_drifted{tool=\"sluice-drift\"} "
		    "%zu\n", r->drifted);
		HEAD("sluice_drift_field_drift", "gauge",
		    "1 when the field drifted.");
		for (size_t i = 0; i < r->n; i++)
			gauge(&b, "sluice_drift_field_drift", &r->f[i], NULL,
			    r->f[i].drift);
		HEAD("sluice_drift_field_null_rate", "gauge",
		    "Share of records where the field is null or absent.");
		for (size_t i = 0; i < r->n; i++)
			gauge(&b, "sluice_drift_field_null_rate", &r->f[i], NULL,
			    r->f[i].c ? sl_pfield_null_rate(r->f[i].c,
			    r->c->json_records) : NAN);
		HEAD("sluice_drift_field_statistic", "gauge",
		    "A drift statistic of the field (see sluice-drift(1)).");
		for (size_t i = 0; i < r->n; i++) {
			const struct fcmp *x = &r->f[i];

			if (!x->has_stats)
				continue;
			if (x->kind == K_NUMERIC) {
				gauge(&b, "sluice_drift_field_statistic", x,
				    "wasserstein_norm", x->wass_norm);
				gauge(&b, "sluice_drift_field_statistic", x,
				    "ks_d", x->ks_d);
				gauge(&b, "sluice_drift_field_statistic", x,
				    "ks_p", x->ks_p);
				gauge(&b, "sluice_drift_field_statistic", x,
				    "psi", x->psi);
			} else {
				gauge(&b, "sluice_drift_field_statistic", x,
				    "js_distance", x->js);
				gauge(&b, "sluice_drift_field_statistic", x,
				    "linf", x->linf);
				gauge(&b, "sluice_drift_field_statistic", x,
				    "chi2_p", x->chi2_p);
			}
		}
	}
#undef HEAD
	if (sl_write_file(d->common.metrics, b.data, b.len, err,
	    sizeof(err)) < 0) {
		sl_error("cannot write metrics: %s", err);
		ret = -1;
	}
	sl_buf_release(&b);
	return ret;
}

/* On sl_die(): --metrics still appears, with the exit status. */
static void
metrics_on_exit(void *arg)
{
	struct drift *d = arg;

	(void)write_metrics(d, NULL, sl_diag_status());
}

/* ---- --html ---- */

static void
html_text(struct sl_buf *b, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		switch (s[i]) {
		case '<': sl_buf_adds(b, "&lt;"); break;
		case '>': sl_buf_adds(b, "&gt;"); break;
		case '&': sl_buf_adds(b, "&amp;"); break;
		case '"': sl_buf_adds(b, "&quot;"); break;
		default: sl_buf_addc(b, s[i]);
		}
	}
}

/* Bars of two histograms side by side: baseline grey, current blue. */
static void
svg_bars(struct sl_buf *b, const double *hb, const double *hc, size_t k,
    const char *const *labels)
{
	double mx = 0;
	const int W = 480, H = 140;
	double bw = (double)W / (double)(k ? k : 1);

	for (size_t i = 0; i < k; i++)
		mx = fmax(mx, fmax(hb[i], hc[i]));
	if (mx <= 0)
		mx = 1;
	sl_buf_addf(b, "<svg width=\"%d\" "
	    "height=\"%d\" role=\"img\">", W, H + 20);
	for (size_t i = 0; i < k; i++) {
		double x = (double)i * bw;
		double h1 = hb[i] / mx * H, h2 = hc[i] / mx * H;

		sl_buf_addf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
		    "height=\"%.1f\" fill=\"#999\"><title>baseline %.4f"
		    "</title></rect>", x + 1, H - h1, bw / 2 - 1, h1, hb[i]);
		sl_buf_addf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
		    "height=\"%.1f\" fill=\"#3366cc\"><title>current %.4f"
		    "</title></rect>", x + bw / 2, H - h2, bw / 2 - 1, h2, hc[i]);
		if (labels && labels[i]) {
			size_t n = strlen(labels[i]);

			sl_buf_addf(b, "<text x=\"%.1f\" y=\"%d\" font-size=\"9\">",
			    x + 1, H + 12);
			if (n > 12) {	/* cut at a character boundary */
				n = 12;
				while (n > 0 && ((unsigned char)labels[i][n] &
				    0xc0) == 0x80)
					n--;
			}
			html_text(b, labels[i], n);
			sl_buf_adds(b, "</text>");
		}
	}
	sl_buf_adds(b, "</svg>");
}

static void
html_numeric(struct sl_buf *b, const struct fcmp *x)
{
	double lo = fmin(x->b->num.mom.min, x->c->num.mom.min);
	double hi = fmax(x->b->num.mom.max, x->c->num.mom.max);
	double hb[20], hc[20];
	char lab[20][32];
	const char *labels[20];

	for (int i = 0; i < 20; i++) {
		/* weighted, so that -1e308 .. 1e308 does not overflow */
		double e0 = lo * (1 - i / 20.0) + hi * (i / 20.0);
		double e1 = lo * (1 - (i + 1) / 20.0) + hi * ((i + 1) / 20.0);

		hb[i] = sl_kll_cdf(x->b->num.kll, e1) -
		    (i ? sl_kll_cdf(x->b->num.kll, e0) : 0);
		hc[i] = sl_kll_cdf(x->c->num.kll, e1) -
		    (i ? sl_kll_cdf(x->c->num.kll, e0) : 0);
		snprintf(lab[i], sizeof(lab[i]), "%.3g", e0);
		labels[i] = i % 4 == 0 ? lab[i] : NULL;
	}
	svg_bars(b, hb, hc, 20, labels);
}

/* Share of key in a sketch's total (0 when it does not list it). */
static double
topk_share(const struct sl_topk *s, const char *key, size_t len)
{
	const struct sl_topk_item *items;
	size_t n = sl_topk_items(s, &items);
	double tot = (double)sl_topk_total(s);

	for (size_t i = 0; i < n; i++)
		if (items[i].key_len == len && memcmp(items[i].key, key, len) == 0)
			return tot > 0 ? (double)items[i].count / tot : 0;
	return 0;
}

/* The baseline's most frequent categories, then the current's new ones. */
static void
html_categorical(struct sl_buf *b, const struct fcmp *x)
{
	const struct sl_topk_item *bi, *ci;
	size_t nb = sl_topk_items(x->b->cat, &bi), k = 0;
	size_t nc = sl_topk_items(x->c->cat, &ci);
	double hb[12], hc[12];
	const char *labels[12];

	for (size_t i = 0; i < nb && k < 8; i++, k++)
		labels[k] = bi[i].key;
	for (size_t i = 0; i < nc && k < 12; i++)
		if (topk_share(x->b->cat, ci[i].key, ci[i].key_len) == 0)
			labels[k++] = ci[i].key;
	for (size_t i = 0; i < k; i++) {
		hb[i] = topk_share(x->b->cat, labels[i], strlen(labels[i]));
		hc[i] = topk_share(x->c->cat, labels[i], strlen(labels[i]));
	}
	svg_bars(b, hb, hc, k, labels);
}

/* A statistic for the page: 6 significant digits, "n/a" when not finite. */
static const char *
hnum(char buf[32], double v)
{
	if (!isfinite(v))
		return "n/a";
	snprintf(buf, 32, "%.6g", v);
	return buf;
}

static void
write_html(struct drift *d, const struct comparison *r)
{
	struct sl_buf b = SL_BUF_INIT;
	char n[6][32];

	sl_buf_adds(&b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta "
	    "charset=\"utf-8\"><title>sluice-drift report</title><style>"
	    "body{font-family:sans-serif;margin:2em}table{border-collapse:"
	    "collapse}td,th{padding:2px 8px;border-bottom:1px solid #ddd;"
	    "text-align:left}.drift{color:#b00;font-weight:bold}.ok{color:#070}"
	    "</style></head><body>\n<h1>sluice-drift report</h1>\n");
	sl_buf_addf(&b, "<p>Verdict: <span class=\"%s\">%s</span>: %zu of %zu "
	    "fields drifted; %llu records against a baseline of %llu.</p>\n",
	    r->drift ? "drift" : "ok", r->drift ? "drift" : "no drift",
	    r->drifted, r->compared, (unsigned long long)r->c->records,
	    (unsigned long long)r->b->records);
	sl_buf_adds(&b, "<p>");
	html_text(&b, decided_by, strlen(decided_by));
	sl_buf_adds(&b, ". Baseline grey, current blue.</p>\n");
	for (size_t i = 0; i < r->n; i++) {
		const struct fcmp *x = &r->f[i];

		sl_buf_adds(&b, "<h2>");
		html_text(&b, x->name, x->name_len);
		sl_buf_addf(&b, " <small>(%s)</small> <span class=\"%s\">%s</span>"
		    "</h2>\n<table>", kind_names[x->kind], x->drift ? "drift" :
		    "ok", x->drift ? "drift" : "no drift");
		if (x->presence != BOTH) {
			sl_buf_addf(&b, "<tr><td>field %s</td></tr></table>\n",
			    x->presence == ADDED ? "added" : "missing");
			continue;
		}
		sl_buf_addf(&b, "<tr><th>null rate</th><td>%s</td><td>%s"
		    "</td></tr>", hnum(n[0], x->bnull), hnum(n[1], x->cnull));
		if (x->has_stats && x->kind == K_NUMERIC)
			sl_buf_addf(&b, "<tr><th>mean</th><td>%s</td><td>%s"
			    "</td></tr><tr><th>wasserstein_norm</th><td>%s</td>"
			    "</tr><tr><th>ks_d / ks_p</th><td>%s</td><td>%s"
			    "</td></tr><tr><th>psi</th><td>%s (%s)</td></tr>",
			    hnum(n[0], x->mean_b), hnum(n[1], x->mean_c),
			    hnum(n[2], x->wass_norm), hnum(n[3], x->ks_d),
			    hnum(n[4], x->ks_p), hnum(n[5], x->psi),
			    psi_band(x->psi));
		else if (x->has_stats)
			sl_buf_addf(&b, "<tr><th>js_distance</th><td>%s</td></tr>"
			    "<tr><th>linf</th><td>%s</td></tr><tr><th>chi2_p"
			    "</th><td>%s</td></tr>", hnum(n[0], x->js),
			    hnum(n[1], x->linf), hnum(n[2], x->chi2_p));
		sl_buf_adds(&b, "</table>\n");
		if (x->has_stats && x->kind == K_NUMERIC)
			html_numeric(&b, x);
		else if (x->has_stats)
			html_categorical(&b, x);
		sl_buf_addc(&b, '\n');
	}
	sl_buf_adds(&b, "</body></html>\n");
	write_whole(d->cfg.html, &b);
	sl_buf_release(&b);
}

/* ---- --merge and --show ---- */

static struct sl_profile *
load_or_die(const char *path)
{
	char err[SL_MSG_MAX];
	struct sl_profile *p;
	struct stat sb;

	if (stat(path, &sb) < 0 || access(path, R_OK) < 0)
		sl_die(SL_EX_NOINPUT, "%s: cannot open: %s", path, strerror(errno));
	if ((p = sl_profile_load(path, err, sizeof(err))) == NULL)
		sl_die(SL_EX_CONFIG, "%s", err);
	return p;
}

static int
do_merge(struct drift *d, int argc, char **argv)
{
	struct sl_profile *all = sl_profile_new();
	struct sl_buf b = SL_BUF_INIT;
	char err[SL_MSG_MAX];

	if (argc < 1)
		sl_usage_error("--merge wants profiles to merge");
	for (int i = 0; i < argc; i++) {
		struct sl_profile *p = load_or_die(argv[i]);

		if (i == 0 && p->selection != NULL)
			all->selection = sl_strndup(p->selection,
			    strlen(p->selection));
		if (!sl_profile_same_fields(all, p)) {
			snprintf(err, sizeof(err), "%s: incompatible with %s: it "
			    "profiles %s%s, not %s%s", argv[i], argv[0],
			    p->selection ? "--fields " : "top-level fields",
			    p->selection ? p->selection : "", all->selection ?
			    "--fields " : "top-level fields", all->selection ?
			    all->selection : "");
			sl_profile_free(p);
			sl_profile_free(all);
			sl_die(SL_EX_CONFIG, "%s", err);
		}
		sl_profile_merge(all, p);
		sl_profile_free(p);
	}
	sl_profile_write(&b, all);
	if (d->common.output && strcmp(d->common.output, "-") != 0) {
		write_whole(d->common.output, &b);
	} else if (fwrite(b.data, 1, b.len, stdout) != b.len ||
	    fflush(stdout) != 0) {
		sl_die(SL_EX_IOERR, "stdout: cannot write: %s", strerror(errno));
	}
	sl_buf_release(&b);
	sl_profile_free(all);
	return SL_EX_OK;
}

static void
show_numsk(const char *what, const struct sl_numsk *s)
{
	if (s->mom.n == 0)
		return;
	printf("%s: n %llu, mean %.6g, std %.6g, min %.6g, p50 %.6g, max %.6g\n",
	    what, (unsigned long long)s->mom.n, s->mom.mean, std_of(&s->mom),
	    s->mom.min, sl_kll_quantile(s->kll, 0.5), s->mom.max);
}

static void
show_topk(const char *what, const struct sl_topk *s)
{
	struct sl_buf q = SL_BUF_INIT;
	const struct sl_topk_item *items;
	size_t n;

	if (s == NULL)
		return;
	n = sl_topk_items(s, &items);
	sl_buf_reset(&q);
	printf("%s:", what);
	for (size_t i = 0; i < n && i < 5; i++)
		printf("%s%s %llu", i ? ", " : " ", qname(&q, items[i].key,
		    items[i].key_len), (unsigned long long)items[i].count);
	printf("%s\n", n > 5 ? ", ..." : "");
	sl_buf_release(&q);
}

static int
do_show(const char *path)
{
	struct sl_profile *p = load_or_die(path);
	struct sl_buf q = SL_BUF_INIT;

	printf("profile %s: %llu records, %llu JSON, %zu fields%s\n", path,
	    (unsigned long long)p->records, (unsigned long long)p->json_records,
	    p->n, p->fields_dropped ? " (capped)" : "");
	show_topk("media types", p->media_types);
	show_topk("classification", p->classification);
	show_numsk("payload bytes", &p->payload_size);
	show_numsk("image width", &p->image_width);
	show_numsk("image height", &p->image_height);
	show_numsk("age seconds", &p->age);
	for (size_t i = 0; i < p->n; i++) {
		const struct sl_pfield *f = &p->f[i];
		char what[64];

		printf("field %s: %s, count %llu, null rate %.4g, types",
		    qname(&q, f->name, f->name_len),
		    kind_names[kind_of(f)], (unsigned long long)f->count,
		    sl_pfield_null_rate(f, p->json_records));
		for (int t = 0; t < SL_PT__N; t++)
			if (f->types[t])
				printf(" %s %llu", sl_ptype_name(t),
				    (unsigned long long)f->types[t]);
		printf("\n");
		show_numsk("  numbers", &f->num);
		show_topk("  top", f->cat);
		if (f->hll) {
			snprintf(what, sizeof(what), "  distinct ~%.0f (+-%.1f%%); "
			    "length", sl_hll_estimate(f->hll),
			    100 * sl_hll_error(f->hll));
			show_numsk(what, &f->len);
		}
	}
	sl_profile_free(p);
	sl_buf_release(&q);
	if (fflush(stdout) != 0)
		sl_die(SL_EX_IOERR, "stdout: cannot write: %s", strerror(errno));
	return SL_EX_OK;
}

/* ---- --propose: the next version of a sluice-validate contract ---- */

struct proposal {
	struct sl_arena arena;		/* the contract and every new node */
	struct sl_json doc;
	struct sl_buf changes;		/* "; "-separated summary */
	struct sl_buf q;		/* scratch for names */
	size_t nchanges;
};

static struct sl_json
jstr(struct sl_arena *a, const char *s, size_t len)
{
	struct sl_json v = { SL_JSON_STRING, len, { 0 } };

	v.u.str = sl_arena_strndup(a, s, len);
	return v;
}

static const struct sl_json *
jget(const struct sl_json *o, const char *key)
{
	return o && o->type == SL_JSON_OBJECT ? sl_json_get(o, key,
	    strlen(key)) : NULL;
}

/* Sets key in the object *o (replaced in place, or appended). */
static void
jset(struct sl_arena *a, struct sl_json *o, const char *key, struct sl_json v)
{
	struct sl_json_member *m;

	for (size_t i = o->len; i-- > 0;)
		if (strcmp(o->u.members[i].key, key) == 0) {
			o->u.members[i].value = v;
			return;
		}
	m = sl_arena_alloc(a, (o->len + 1) * sizeof(*m));
	if (o->len)
		memcpy(m, o->u.members, o->len * sizeof(*m));
	m[o->len].key = sl_arena_strndup(a, key, strlen(key));
	m[o->len].key_len = strlen(key);
	m[o->len].value = v;
	o->u.members = m;
	o->len++;
}

/* The member key of *o as a modifiable object (made when absent). */
static struct sl_json *
jobj(struct sl_arena *a, struct sl_json *o, const char *key)
{
	for (size_t i = o->len; i-- > 0;)
		if (strcmp(o->u.members[i].key, key) == 0 &&
		    o->u.members[i].value.type == SL_JSON_OBJECT)
			return &o->u.members[i].value;
	jset(a, o, key, (struct sl_json){ SL_JSON_OBJECT, 0, { 0 } });
	return &o->u.members[o->len - 1].value;
}

static void
jpush(struct sl_arena *a, struct sl_json *arr, struct sl_json v)
{
	struct sl_json *items = sl_arena_alloc(a, (arr->len + 1) * sizeof(*items));

	if (arr->len)
		memcpy(items, arr->u.items, arr->len * sizeof(*items));
	items[arr->len++] = v;
	arr->u.items = items;
}

static void SL_PRINTF(2, 3)
change(struct proposal *p, const char *fmt, ...)
{
	va_list ap;
	char line[512];

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	sl_buf_addf(&p->changes, "%s%s", p->nchanges++ ? "; " : "", line);
	sl_note("proposal: %s", line);
}

static void
pretty(struct sl_buf *b, const struct sl_json *v, int depth)
{
	int flat = 1;

	if (v->type != SL_JSON_OBJECT && v->type != SL_JSON_ARRAY) {
		sl_json_write(b, v);
		return;
	}
	if (v->type == SL_JSON_ARRAY)
		for (size_t i = 0; i < v->len; i++)
			flat &= v->u.items[i].type != SL_JSON_OBJECT &&
			    v->u.items[i].type != SL_JSON_ARRAY;
	if (v->len == 0 || (v->type == SL_JSON_ARRAY && flat)) {
		sl_json_write(b, v);
		return;
	}
	sl_buf_addc(b, v->type == SL_JSON_OBJECT ? '{' : '[');
	for (size_t i = 0; i < v->len; i++) {
		sl_buf_adds(b, i ? ",\n" : "\n");
		for (int k = 0; k <= depth; k++)
			sl_buf_adds(b, "  ");
		if (v->type == SL_JSON_OBJECT) {
			sl_json_write_string(b, v->u.members[i].key,
			    v->u.members[i].key_len);
			sl_buf_adds(b, ": ");
			pretty(b, &v->u.members[i].value, depth + 1);
		} else {
			pretty(b, &v->u.items[i], depth + 1);
		}
	}
	sl_buf_addc(b, '\n');
	for (int k = 0; k < depth; k++)
		sl_buf_adds(b, "  ");
	sl_buf_addc(b, v->type == SL_JSON_OBJECT ? '}' : ']');
}

/* Reads the contract (78 when it is not one); called before any output. */
static struct proposal *
proposal_load(const char *path)
{
	struct proposal *p = sl_calloc(1, sizeof(*p));
	struct sl_buf b = SL_BUF_INIT;
	struct sl_json_error je;
	const struct sl_json *v;
	const struct sl_json_member *dup;
	FILE *f;
	char chunk[65536];
	size_t n;

	if ((f = fopen(path, "rb")) == NULL)
		sl_die(SL_EX_NOINPUT, "%s: cannot open: %s", path, strerror(errno));
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		sl_buf_add(&b, chunk, n);
		if (b.len > (64u << 20))
			sl_die(SL_EX_CONFIG, "%s: larger than 64 MiB: not a "
			    "contract", path);
	}
	/* as for a profile: a contract that cannot be read (a folder) is 78 */
	if (ferror(f))
		sl_die(SL_EX_CONFIG, "%s: cannot read: %s", path, strerror(errno));
	fclose(f);
	if (sl_json_parse(&p->arena, b.data ? b.data : "", b.len, &p->doc,
	    &je) != SL_JSON_OK)
		sl_die(SL_EX_CONFIG, "%s: not JSON: byte %zu: %s", path, je.offset,
		    je.msg);
	sl_buf_release(&b);
	if (p->doc.type != SL_JSON_OBJECT)
		sl_die(SL_EX_CONFIG, "%s: a contract is a JSON object", path);
	if ((dup = sl_json_duplicate(&p->doc)) != NULL)
		sl_die(SL_EX_CONFIG, "%s: key %s appears twice", path,
		    qname(&p->q, dup->key, dup->key_len));
	if ((v = jget(&p->doc, "contract")) == NULL || v->type != SL_JSON_STRING)
		sl_die(SL_EX_CONFIG, "%s: \"contract\" (its name, a string) is "
		    "missing", path);
	if ((v = jget(&p->doc, "version")) == NULL || (v->type != SL_JSON_STRING &&
	    v->type != SL_JSON_NUMBER))
		sl_die(SL_EX_CONFIG, "%s: \"version\" is missing", path);
	/* a number has a next version only when it is a whole one */
	if (v->type == SL_JSON_NUMBER && (v->len > 18 ||
	    strspn(v->u.num, "0123456789") != v->len))
		sl_die(SL_EX_CONFIG, "%s: \"version\" %s is not a whole number "
		    "below 10^18 (or a string)", path, v->u.num);
	if ((v = jget(&p->doc, "record")) != NULL && v->type != SL_JSON_OBJECT &&
	    v->type != SL_JSON_TRUE)
		sl_die(SL_EX_CONFIG, "%s: \"record\" is not a schema object", path);
	return p;
}

/* "3" -> "4", "1.9" -> "1.10", "v2" -> "v3", "beta" -> "beta.1". */
static struct sl_json
next_version(struct sl_arena *a, const struct sl_json *v)
{
	const char *s = v->type == SL_JSON_STRING ? v->u.str : v->u.num;
	size_t len = strlen(s), i = len;
	struct sl_buf b = SL_BUF_INIT;
	struct sl_json out;

	while (i > 0 && s[i - 1] >= '0' && s[i - 1] <= '9')
		i--;
	if (v->type == SL_JSON_NUMBER && i == 0 && len < 18) {
		/* a whole number stays a number */
		out.type = SL_JSON_NUMBER;
		sl_buf_addf(&b, "%llu", strtoull(s, NULL, 10) + 1);
		out.len = b.len;
		out.u.num = sl_arena_strndup(a, b.data, b.len);
		sl_buf_release(&b);
		return out;
	}
	if (i < len && len - i < 18) {
		sl_buf_add(&b, s, i);
		sl_buf_addf(&b, "%llu", strtoull(s + i, NULL, 10) + 1);
	} else {
		sl_buf_addf(&b, "%s.1", s);
	}
	out = jstr(a, b.data, b.len);
	sl_buf_release(&b);
	return out;
}

static int
type_listed(const struct sl_json *t, const char *name)
{
	if (t->type == SL_JSON_STRING)
		return strcmp(t->u.str, name) == 0;
	for (size_t i = 0; t->type == SL_JSON_ARRAY && i < t->len; i++)
		if (t->u.items[i].type == SL_JSON_STRING &&
		    strcmp(t->u.items[i].u.str, name) == 0)
			return 1;
	return 0;
}

/* The JSON Schema type list of the types observed. */
static struct sl_json
observed_types(struct sl_arena *a, const uint64_t *t)
{
	struct sl_json arr = { SL_JSON_ARRAY, 0, { 0 } };

	for (int i = 0; i < SL_PT__N; i++)
		if (t[i])
			jpush(a, &arr, jstr(a, sl_ptype_name(i),
			    strlen(sl_ptype_name(i))));
	return arr;
}

static void
propose_field(struct proposal *p, struct sl_json *record, const struct fcmp *x)
{
	struct sl_arena *a = &p->arena;
	const char *name = x->name;
	size_t len = x->name_len;
	char key[256];
	struct sl_json *props, *sch;

	/* top-level names, or one-segment pointers, name properties */
	if (name[0] == '/') {
		if (memchr(name + 1, '/', len - 1) || memchr(name, '~', len)) {
			change(p, "field %s: nested fields are not proposed; "
			    "review by hand", qname(&p->q, name, len));
			return;
		}
		name++;
		len--;
	}
	if (len >= sizeof(key))
		return;
	memcpy(key, name, len);
	key[len] = '\0';
	props = jobj(a, record, "properties");
	if (x->presence == ADDED) {
		struct sl_json s = { SL_JSON_OBJECT, 0, { 0 } };

		jset(a, &s, "type", observed_types(a, x->ctypes));
		jset(a, props, key, s);
		change(p, "field %s added as an optional property",
		    qname(&p->q, key, len));
		return;
	}
	if (x->presence == MISSING) {
		const struct sl_json *req = jget(record, "required");

		if (req && req->type == SL_JSON_ARRAY) {
			struct sl_json nreq = { SL_JSON_ARRAY, 0, { 0 } };
			int dropped = 0;

			for (size_t i = 0; i < req->len; i++) {
				if (req->u.items[i].type == SL_JSON_STRING &&
				    strcmp(req->u.items[i].u.str, key) == 0) {
					dropped = 1;
					continue;
				}
				jpush(a, &nreq, req->u.items[i]);
			}
			if (dropped) {
				jset(a, record, "required", nreq);
				change(p, "field %s is missing from the data: "
				    "no longer required", qname(&p->q, key, len));
			}
		}
		return;
	}
	sch = NULL;
	for (size_t i = 0; i < props->len; i++)
		if (strcmp(props->u.members[i].key, key) == 0 &&
		    props->u.members[i].value.type == SL_JSON_OBJECT)
			sch = &props->u.members[i].value;
	if (sch == NULL)
		return;
	if (x->type_changed || x->null_changed) {
		const struct sl_json *t = jget(sch, "type");

		if (t != NULL && (t->type == SL_JSON_STRING ||
		    t->type == SL_JSON_ARRAY)) {
			struct sl_json nt = { SL_JSON_ARRAY, 0, { 0 } };
			struct sl_buf added = SL_BUF_INIT;

			if (t->type == SL_JSON_STRING)
				jpush(a, &nt, *t);
			else
				for (size_t i = 0; i < t->len; i++)
					jpush(a, &nt, t->u.items[i]);
			for (int i = 0; i < SL_PT__N; i++) {
				const char *tn = sl_ptype_name(i);

				if (!x->ctypes[i] || type_listed(t, tn) ||
				    (i == SL_PT_NUMBER && type_listed(t,
				    "integer")))
					continue;
				jpush(a, &nt, jstr(a, tn, strlen(tn)));
				sl_buf_addf(&added, "%s%s", added.len ? ", " : "",
				    tn);
			}
			if (added.len) {
				jset(a, sch, "type", nt);
				change(p, "field %s: type widened to admit %s",
				    qname(&p->q, key, len), added.data);
			}
			sl_buf_release(&added);
		}
	}
	if (x->unseen_flag && x->c->cat) {
		const struct sl_json *e = jget(sch, "enum");
		const struct sl_topk_item *items;
		size_t n = sl_topk_items(x->c->cat, &items), added = 0;
		struct sl_json ne = { SL_JSON_ARRAY, 0, { 0 } };

		if (e == NULL || e->type != SL_JSON_ARRAY)
			return;
		for (size_t i = 0; i < e->len; i++)
			jpush(a, &ne, e->u.items[i]);
		for (size_t i = 0; i < n; i++) {
			int seen = 0;

			for (size_t j = 0; j < e->len && !seen; j++)
				seen = e->u.items[j].type == SL_JSON_STRING &&
				    e->u.items[j].len == items[i].key_len &&
				    memcmp(e->u.items[j].u.str, items[i].key,
				    items[i].key_len) == 0;
			if (seen || x->ctypes[SL_PT_STRING] == 0)
				continue;
			jpush(a, &ne, jstr(a, items[i].key, items[i].key_len));
			added++;
		}
		if (added) {
			jset(a, sch, "enum", ne);
			change(p, "field %s: %zu new value%s admitted to its "
			    "enum", qname(&p->q, key, len), added,
			    added == 1 ? "" : "s");
		}
	}
}

/* Writes the proposal; says so when there is nothing to change. */
static void
proposal_write(struct drift *d, struct proposal *p, const struct comparison *r)
{
	struct sl_arena *a = &p->arena;
	struct sl_json *record;
	struct sl_buf b = SL_BUF_INIT, c = SL_BUF_INIT;

	jset(a, &p->doc, "version", next_version(a, jget(&p->doc, "version")));
	if (jget(&p->doc, "record") == NULL ||
	    jget(&p->doc, "record")->type != SL_JSON_OBJECT) {
		struct sl_json o = { SL_JSON_OBJECT, 0, { 0 } };

		jset(a, &o, "type", jstr(a, "object", 6));
		jset(a, &p->doc, "record", o);
	}
	record = jobj(a, &p->doc, "record");
	for (size_t i = 0; i < r->n; i++)
		propose_field(p, record, &r->f[i]);
	if (p->nchanges == 0)
		change(p, "no schema change observed: this version admits the "
		    "same records");
	sl_buf_addf(&c, "proposed by sluice-drift against %s: %s; review "
	    "before adopting", d->cfg.baseline, p->changes.data);
	jset(a, record, "$comment", jstr(a, c.data, c.len));
	pretty(&b, &p->doc, 0);
	sl_buf_addc(&b, '\n');
	write_whole(d->cfg.proposal, &b);
	sl_buf_release(&b);
	sl_buf_release(&c);
}

static void
proposal_free(struct proposal *p)
{
	if (p == NULL)
		return;
	sl_arena_release(&p->arena);
	sl_buf_release(&p->changes);
	sl_buf_release(&p->q);
	free(p);
}

/* ---- the run ---- */

static void
put_report_record(struct drift *d, const struct sl_buf *json)
{
	struct sl_record rec;
	struct sl_uuid u;
	char id[SL_URN_STRLEN + 1], t[SL_TIME_STRLEN], digest[SL_DIGEST_STRLEN + 1];
	const char *parts[2] = { d->run.id, "drift-report" };
	size_t lens[2] = { strlen(d->run.id), 12 };

	sl_record_init(&rec);
	sl_uuid5(d->run.hasher, &d->run.uuid, &u, 2, parts, lens);
	sl_uuid_urn(&u, id);
	sl_time_format(sl_now(), SL_TIME_MICRO, t);
	sl_digest_str(d->run.hasher, json->data, json->len, digest);
	sl_headers_sets(&rec.hdr, SL_F_WARC_TYPE, "metadata");
	sl_headers_sets(&rec.hdr, SL_F_WARC_RECORD_ID, id);
	sl_headers_sets(&rec.hdr, SL_F_WARC_DATE, t);
	sl_headers_sets(&rec.hdr, SL_F_CONTENT_TYPE, "application/json");
	if (d->last_id[0])
		sl_headers_sets(&rec.hdr, SL_F_WARC_REFERS_TO, d->last_id);
	sl_headers_sets(&rec.hdr, SL_F_WARC_BLOCK_DIGEST, digest);
	sl_headers_sets(&rec.hdr, SL_F_SLUICE_LINEAGE, sl_run_lineage(&d->run, 0));
	sl_record_set_block(&rec, json->data, json->len);
	rec.type = SL_R_METADATA;
	sl_run_put(&d->run, &rec);
	sl_record_release(&rec);
}

/*
 * The record's bytes as read, when they are still whole in the input's
 * window (a small block, no compaction since its first byte): passing them
 * on as they are is the fastest way to leave the stream unchanged.
 */
static int
raw_record(const struct sl_input *in, const struct sl_record *rec,
    const unsigned char **p, size_t *len)
{
	const unsigned char *start;

	if (rec->offset < in->base || rec->block == NULL ||
	    rec->block < in->buf || rec->block + rec->block_len > in->buf +
	    in->pos)
		return 0;
	start = in->buf + (rec->offset - in->base);
	if (start > rec->block)
		return 0;
	*p = start;
	*len = (size_t)(in->buf + in->pos - start);
	return 1;
}

/*
 * Reading and profiling: the main thread reads records, counts their media
 * types and classifications (d->kinds, moved into the profile at the end)
 * and gathers what the rest of the profile needs into batches: the event
 * time and, when the record's bytes could not be kept as read, the payload.
 * One worker thread profiles the batches in order (so the profile, sketches
 * included, is the same as with no thread: each sketch gets its values in
 * record order from one thread), and the main thread writes each batch's
 * records once it is profiled, so a record that stops the run is never
 * written.  With windows, or one CPU, the batches are profiled on the main
 * thread, counts included.
 */
#define BATCH_RECORDS 1024
#define BATCH_BYTES ((size_t)1 << 20)
#define BATCHES_IN_FLIGHT 4

#define NO_VALUE SIZE_MAX

/*
 * A data record as the worker needs it.  The main thread mostly copies: the
 * header values the stream facts come from (NO_VALUE when absent; not the
 * Content-Type and classification when it counts them itself, d->kinds),
 * and the payload when the record's bytes are not in out as read; the
 * worker makes the facts of them (sl_rfacts_from).
 */
struct item {
	const char *source;		/* where it came from, for messages */
	uint64_t number, offset;
	uint64_t data_no;		/* data record number, for windows */
	size_t out_before;		/* the batch's output bytes before it */
	uint64_t nrec_before;		/* ... and records */
	size_t block_len;
	int json;			/* the payload is labelled JSON */
	int payload_in_out;		/* the payload is in out, not payloads */
	size_t payload_off;		/* in out or payloads */
	size_t ct_off, class_off, time_off;	/* in strs, or NO_VALUE */
	int has_image;
	uint32_t width, height;
};

struct batch {
	struct drift *d;
	struct item *items;
	size_t n, cap;
	struct sl_buf payloads, strs;
	struct sl_buf out;		/* the records, framed, to write */
	uint64_t nrec;
	int failed;
	size_t fail_item;
	char err[SL_MSG_MAX];
};

static void
batch_free(struct batch *b)
{
	free(b->items);
	sl_buf_release(&b->payloads);
	sl_buf_release(&b->strs);
	sl_buf_release(&b->out);
	free(b);
}

/* Profiles one batch, in record order; the first bad payload stops it. */
static void
batch_work(void *job, void *state)
{
	struct batch *b = job;
	struct drift *d = b->d;

	(void)state;
	for (size_t i = 0; i < b->n; i++) {
		const struct item *it = &b->items[i];
		const char *ct = it->ct_off == NO_VALUE ? NULL :
		    b->strs.data + it->ct_off;
		struct sl_rfacts facts;
		struct sl_json doc;
		struct sl_json_error je;

		sl_rfacts_from(&facts, it->block_len, ct,
		    it->class_off == NO_VALUE ? NULL : b->strs.data +
		    it->class_off, it->time_off == NO_VALUE ? NULL :
		    b->strs.data + it->time_off, &d->tcache);
		facts.has_image = it->has_image;
		facts.width = it->width;
		facts.height = it->height;
		window_before(d, &facts, it->data_no);
		if (d->kinds != NULL)
			sl_profile_add_sizes(d->all, &facts, d->now);
		else
			sl_profile_add_facts(d->all, &facts, d->now);
		if (d->win)
			sl_profile_add_facts(d->win, &facts, d->now);
		if (it->json) {
			const char *payload = (it->payload_in_out ? b->out.data :
			    b->payloads.data) + it->payload_off;

			sl_arena_reset(&d->arena);
			if (sl_json_parse(&d->arena, payload, it->block_len, &doc,
			    &je) != SL_JSON_OK) {
				b->failed = 1;
				b->fail_item = i;
				snprintf(b->err, sizeof(b->err), "%s: record %llu "
				    "at byte %llu: payload labelled JSON is not "
				    "JSON: byte %zu: %s", it->source,
				    (unsigned long long)it->number,
				    (unsigned long long)it->offset, je.offset,
				    je.msg);
				return;
			}
			if (d->cfg.nfields > 0)
				ptrs_find(d, &doc);
			profile_json(d, d->all, 0, &doc);
			if (d->win)
				profile_json(d, d->win, 1, &doc);
		}
		window_after(d);
	}
}

static struct batch *
batch_get(struct drift *d)
{
	struct batch *b;

	if (d->nspare > 0) {
		b = d->spare[--d->nspare];
	} else {
		b = sl_calloc(1, sizeof(*b));
		b->d = d;
	}
	b->n = 0;
	b->nrec = 0;
	b->failed = 0;
	sl_buf_reset(&b->payloads);
	sl_buf_reset(&b->strs);
	sl_buf_reset(&b->out);
	return b;
}

/* Writes a profiled batch (up to its bad record, then dies 65). */
static void
batch_done(struct drift *d, struct batch *b)
{
	if (b->failed) {
		const struct item *it = &b->items[b->fail_item];

		sl_run_put_framed(&d->run, b->out.data, it->out_before,
		    it->nrec_before);
		d->run.records_out += b->fail_item;
		sl_die(SL_EX_DATAERR, "%s", b->err);
	}
	sl_run_put_framed(&d->run, b->out.data, b->out.len, b->nrec);
	d->run.records_out += b->n;
	if (d->nspare < BATCHES_IN_FLIGHT + 1)
		d->spare[d->nspare++] = b;
	else
		batch_free(b);
}

static void
batch_submit(struct drift *d)
{
	struct batch *b;

	if (d->cur == NULL)
		return;
	while ((b = sl_pool_collect(d->pool, sl_pool_full(d->pool))) != NULL)
		batch_done(d, b);
	sl_pool_submit(d->pool, d->cur);
	d->cur = NULL;
}

/* Profiles and writes everything read so far. */
static void
batch_drain(struct drift *d)
{
	struct batch *b;

	batch_submit(d);
	while ((b = sl_pool_collect(d->pool, 1)) != NULL)
		batch_done(d, b);
}

/* The input would block: what was read leaves now (live pipelines). */
static void
drift_idle(void *arg)
{
	struct drift *d = arg;

	batch_drain(d);
	sl_writer_idle(&d->run.out);
}

/*
 * Does the Content-Type ct label JSON, and how long is its media type
 * (sl_rfacts_from())?  The answers for the last value are kept: records
 * of a stream mostly have the same.
 */
static int
content_type(struct drift *d, const struct sl_hfield *ct, size_t *media_len)
{
	struct sl_rfacts f;

	if (!d->ctc.valid || ct->value_len != d->ctc.len ||
	    memcmp(ct->value, d->ctc.value, ct->value_len) != 0) {
		sl_rfacts_from(&f, 0, ct->value, NULL, NULL, NULL);
		d->ctc.json = is_json_type(ct->value);
		d->ctc.media_len = f.media_len;
		d->ctc.len = ct->value_len;
		d->ctc.valid = ct->value_len < sizeof(d->ctc.value);
		if (!d->ctc.valid) {
			*media_len = f.media_len;
			return d->ctc.json;
		}
		memcpy(d->ctc.value, ct->value, ct->value_len);
	}
	*media_len = d->ctc.media_len;
	return d->ctc.json;
}

/* Copies a header value (or nothing) to the batch's strings. */
static size_t
keep_value(struct batch *b, const struct sl_hfield *h)
{
	size_t off = b->strs.len;

	if (h == NULL)
		return NO_VALUE;
	sl_buf_add(&b->strs, h->value, h->value_len);
	sl_buf_addc(&b->strs, '\0');
	return off;
}

/* Adds one record to the current batch. */
static void
batch_add(struct drift *d, const struct sl_input *in,
    const struct sl_record *rec)
{
	struct batch *b = d->cur ? d->cur : (d->cur = batch_get(d));
	const unsigned char *raw;
	size_t rawlen;
	struct item *it = NULL;
	const struct sl_hfield *ct = NULL;

	if (sl_record_is_data(rec)) {
		const struct sl_hfield *cls = NULL, *et = NULL, *id = NULL;
		size_t media_len = 0;

		/* one pass over the header: the first field of each kind */
		for (size_t i = 0; i < rec->hdr.n; i++) {
			const struct sl_hfield *h = &rec->hdr.f[i];

			switch (h->id) {
			case SL_F_CONTENT_TYPE:
				if (ct == NULL)
					ct = h;
				break;
			case SL_F_SLUICE_CLASSIFICATION:
				if (cls == NULL)
					cls = h;
				break;
			case SL_F_SLUICE_EVENT_TIME:
				if (et == NULL)
					et = h;
				break;
			case SL_F_WARC_RECORD_ID:
				if (id == NULL)
					id = h;
				break;
			default:
				break;
			}
		}
		b->items = sl_grow(b->items, &b->cap, b->n + 1,
		    sizeof(*b->items));
		it = &b->items[b->n++];
		it->source = rec->source;
		it->number = rec->number;
		it->offset = rec->offset;
		it->data_no = ++d->run.records_in;
		it->out_before = b->out.len;
		it->nrec_before = b->nrec;
		it->block_len = rec->block_len;
		it->json = ct != NULL && content_type(d, ct, &media_len);
		if (d->kinds != NULL) {
			/* the counts here, the rest on the profiling thread */
			struct sl_rfacts f;

			sl_rfacts_from(&f, rec->block_len, NULL, cls ?
			    cls->value : NULL, NULL, NULL);
			if (ct != NULL) {
				f.media = ct->value;
				f.media_len = media_len;
			}
			sl_profile_add_kinds(d->kinds, &f);
			it->ct_off = it->class_off = NO_VALUE;
		} else {
			it->ct_off = keep_value(b, ct);
			it->class_off = keep_value(b, cls);
		}
		it->time_off = keep_value(b, et);
		it->has_image = sl_image_size(rec->block, rec->block_len,
		    &it->width, &it->height) == 0;
		if (!it->has_image)
			it->width = it->height = 0;
		it->payload_in_out = 0;
		it->payload_off = b->payloads.len;
		d->run.bytes_in += rec->block_len;
		/* the report record refers to the last data record */
		if (d->cfg.report_record && id != NULL &&
		    id->value_len < sizeof(d->last_id))
			memcpy(d->last_id, id->value, id->value_len + 1);
	}
	if (!d->common.gzip && raw_record(in, rec, &raw, &rawlen)) {
		/* the payload goes to the worker with the record's bytes */
		if (it != NULL) {
			it->payload_in_out = 1;
			it->payload_off = b->out.len + (size_t)(rec->block - raw);
		}
		sl_buf_add(&b->out, raw, rawlen);
	} else {
		if (it != NULL && it->json)
			sl_buf_add(&b->payloads, rec->block, rec->block_len);
		if (sl_record_emit(rec, &b->out, d->gz, &d->scratch, d->err,
		    sizeof(d->err)) < 0) {
			batch_drain(d);
			sl_die(SL_EX_SOFTWARE, "internal error: %s", d->err);
		}
	}
	b->nrec++;
	if (b->n >= BATCH_RECORDS || b->out.len >= BATCH_BYTES)
		batch_submit(d);
}

static void
read_input(struct drift *d, const char *path)
{
	struct sl_input in;
	struct sl_reader r;
	struct sl_record rec;
	int rc;

	sl_run_open_input(&d->run, &in, path, 0);
	sl_input_set_idle(&in, drift_idle, d);
	sl_reader_init(&r, &in);
	sl_record_init(&rec);
	while ((rc = sl_reader_next(&r, &rec)) > 0) {
		batch_add(d, &in, &rec);
		sl_run_tick(&d->run);
	}
	if (rc < 0) {
		batch_drain(d);
		sl_die(r.status, "%s", r.err);
	}
	batch_drain(d);
	sl_record_release(&rec);
	sl_input_close(&in);
}

int
main(int argc, char **argv)
{
	struct drift d;
	struct sl_common run_common;
	struct comparison r;
	int argi, status = SL_EX_OK, have_r = 0;

	sl_diag_init(argv[0]);
	memset(&d, 0, sizeof(d));
	d.cfg.thr = (struct thresholds){ 0.1, 0.1, 0, 0, 0.05, 0.05, 0.05 };
	argi = sl_opts_parse(&tool, &d.common, argc, argv, handle, &d.cfg);
	if (d.cfg.merge || d.cfg.show) {
		if (d.cfg.merge && d.cfg.show)
			sl_usage_error("--merge and --show exclude each other");
		if (d.cfg.save || d.cfg.baseline || d.cfg.window ||
		    d.cfg.window_time || d.cfg.report || d.cfg.html ||
		    d.cfg.report_record || d.cfg.propose)
			sl_usage_error("--%s works on profiles alone: no stream "
			    "options", d.cfg.merge ? "merge" : "show");
		if (d.cfg.show) {
			if (argi < argc)
				sl_usage_error("--show takes one profile, not "
				    "operands");
			return do_show(d.cfg.show);
		}
		return do_merge(&d, argc - argi, argv + argi);
	}
	if (!d.cfg.save && !d.cfg.baseline)
		sl_usage_error("nothing to do: give --save PROFILE, --baseline "
		    "PROFILE, --merge or --show");
	if (d.cfg.window && d.cfg.window_time)
		sl_usage_error("--window and --window-time exclude each other");
	if ((d.cfg.window || d.cfg.window_time || d.cfg.report || d.cfg.html ||
	    d.cfg.report_record || d.cfg.propose) && !d.cfg.baseline)
		sl_usage_error("windows, reports and --propose compare with a "
		    "baseline: give --baseline PROFILE");
	if (!d.cfg.propose != !d.cfg.proposal)
		sl_usage_error("--propose CONTRACT and --proposal FILE go "
		    "together");
	if (d.cfg.propose) {
		struct stat s1, s2;

		if (strcmp(d.cfg.propose, d.cfg.proposal) == 0 ||
		    (stat(d.cfg.propose, &s1) == 0 && stat(d.cfg.proposal,
		    &s2) == 0 && s1.st_dev == s2.st_dev &&
		    s1.st_ino == s2.st_ino))
			sl_usage_error("--proposal must name a new file: the "
			    "contract is never changed in place");
	}
	for (int i = argi; i < argc; i++) {
		struct stat sb;

		if (strcmp(argv[i], "-") == 0)
			continue;
		if (stat(argv[i], &sb) < 0 || access(argv[i], R_OK) < 0)
			sl_die(SL_EX_NOINPUT, "%s: cannot open: %s", argv[i],
			    strerror(errno));
		if (S_ISDIR(sb.st_mode))
			sl_die(SL_EX_NOINPUT, "%s: is a folder", argv[i]);
	}
	d.now = sl_now();
	if (d.cfg.now) {
		const char *why = NULL;

		if (sl_time_parse(d.cfg.now, strlen(d.cfg.now), &d.now, &why) < 0)
			sl_usage_error("--now: \"%s\": %s", d.cfg.now,
			    why ? why : "not an RFC 3339 time");
	}
	if (d.cfg.baseline) {
		char *sel = sl_profile_selection(d.cfg.fields, d.cfg.nfields);

		d.base = load_or_die(d.cfg.baseline);
		/* a comparison of different fields would be all schema drift */
		if (sel == NULL ? d.base->selection != NULL :
		    d.base->selection == NULL || strcmp(sel,
		    d.base->selection) != 0) {
			char err[SL_MSG_MAX];

			snprintf(err, sizeof(err), "%s: incompatible: the "
			    "baseline profiles %s%s, this run %s%s",
			    d.cfg.baseline, d.base->selection ? "--fields " :
			    "top-level fields", d.base->selection ?
			    d.base->selection : "", sel ? "--fields " :
			    "top-level fields", sel ? sel : "");
			free(sel);
			sl_die(SL_EX_CONFIG, "%s", err);
		}
		free(sel);
	}
	if (d.cfg.propose)
		d.proposal = proposal_load(d.cfg.propose);
	/* --metrics is written here, with the drift gauges */
	run_common = d.common;
	run_common.metrics = NULL;
	sl_run_start(&d.run, &tool, &run_common, argc, argv, 1);
	if (d.common.metrics)
		sl_diag_on_exit(metrics_on_exit, &d);
	d.all = sl_profile_new();
	d.all->selection = sl_profile_selection(d.cfg.fields, d.cfg.nfields);
	report_begin(&d);	/* a report that cannot be made stops us now */
	if (d.cfg.window || d.cfg.window_time) {
		d.win = sl_profile_new();
		if (d.report_open) {
			struct sl_buf b = SL_BUF_INIT;

			sl_buf_adds(&b, "{\"windows\":[\n");
			report_write(&d, &b);
			sl_buf_release(&b);
		}
	}
	if (d.common.gzip)
		d.gz = sl_gzip_new(Z_DEFAULT_COMPRESSION);
	ptrs_compile(&d);
	/* windows close on the main thread: batches are profiled there too */
	if (d.win == NULL && sl_ncpu() > 1) {
		d.kinds = sl_profile_new();
		d.pool = sl_pool_new(1, BATCHES_IN_FLIGHT, batch_work, NULL,
		    NULL, NULL);
	} else {
		d.pool = sl_pool_new(0, BATCHES_IN_FLIGHT, batch_work, NULL,
		    NULL, NULL);
	}
	if (argi == argc)
		read_input(&d, "-");
	for (int i = argi; i < argc; i++)
		read_input(&d, argv[i]);
	sl_pool_free(d.pool);
	if (d.kinds != NULL) {
		sl_profile_take_kinds(d.all, d.kinds);
		sl_profile_free(d.kinds);
		d.kinds = NULL;
	}
	for (size_t i = 0; i < d.nspare; i++)
		batch_free(d.spare[i]);
	sl_gzip_free(d.gz);
	sl_buf_release(&d.scratch);
	close_window(&d);

	if (d.base) {
		struct sl_buf b = SL_BUF_INIT;

		compare(&d.cfg, d.base, d.all, &r);
		have_r = 1;
		summary(&r, "");
		if (r.drift || d.drifted_windows > 0)
			status = SL_EX_FINDING;
		if (d.cfg.report || d.cfg.report_record) {
			if (d.win)
				sl_buf_adds(&b, "],\n");
			else
				sl_buf_adds(&b, "{");
			sl_buf_addf(&b, "\"sluice_drift_report\":1,");
			if (d.win)
				sl_buf_addf(&b, "\"windows_total\":%llu,"
				    "\"windows_drifted\":%llu,",
				    (unsigned long long)d.nwindows,
				    (unsigned long long)d.drifted_windows);
			put_conventions(&b, &d.cfg);
			put_comparison(&b, &r);
			sl_buf_adds(&b, "}\n");
			if (d.cfg.report) {
				report_begin(&d);
				report_write(&d, &b);
			}
			if (d.cfg.report_record) {
				struct sl_buf rb = SL_BUF_INIT;

				if (d.win)
					sl_buf_adds(&rb, "{");
				sl_buf_add(&rb, b.data + (d.win ? 3 : 0),
				    b.len - (d.win ? 3 : 0));
				put_report_record(&d, &rb);
				sl_buf_release(&rb);
			}
		}
		/* the stream first: files that describe it follow it out */
		sl_run_close_output(&d.run, status);
		if (d.cfg.html)
			write_html(&d, &r);
		if (d.proposal)
			proposal_write(&d, d.proposal, &r);
		sl_buf_release(&b);
	}
	if (d.cfg.save) {
		struct sl_buf b = SL_BUF_INIT;

		sl_run_close_output(&d.run, status);
		sl_profile_write(&b, d.all);
		write_whole(d.cfg.save, &b);
		sl_buf_release(&b);
	}
	if (d.report_open) {
		char err[SL_MSG_MAX];

		if (sl_outfile_commit(&d.report_file, err, sizeof(err)) < 0)
			sl_die(SL_EX_IOERR, "%s", err);
		d.report_open = 0;
		sl_diag_forget(report_abort, &d);
	}
	status = sl_run_finish(&d.run, status);
	if (d.common.metrics) {
		sl_diag_forget(metrics_on_exit, &d);
		/* asked for and not written: the run did not do its job */
		if (write_metrics(&d, have_r ? &r : NULL, status) < 0 &&
		    status == SL_EX_OK)
			status = SL_EX_IOERR;
	}
	if (have_r)
		comparison_release(&r);
	ptrs_free(&d);
	sl_profile_free(d.all);
	sl_profile_free(d.win);
	sl_profile_free(d.base);
	proposal_free(d.proposal);
	sl_arena_release(&d.arena);
	sl_buf_release(&d.line);
	for (size_t i = 0; i < d.cfg.nfields; i++)
		free(d.cfg.fields[i]);
	free(d.cfg.fields);
	return status;
}
