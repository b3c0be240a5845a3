/*
 * metrics.h - Prometheus text exposition (format 0.0.4) of a run's counters,
 * written to a file at the end of the run (--metrics FILE), atomically.
 *
 *   # HELP sluice_records_in_total Data records read.
 *   # TYPE sluice_records_in_total counter
 *   sluice_records_in_total{tool="sluice-ingest"} 1000
 */
#ifndef SL_METRICS_H
#define SL_METRICS_H

#include <stddef.h>

#define SL_METRICS_MAX 48

struct sl_metric {
	const char *name;   /* "sluice_records_in_total" (static storage) */
	const char *type;   /* "counter" or "gauge" */
	const char *help;
	double value;
};

struct sl_metrics {
	struct sl_metric m[SL_METRICS_MAX];
	int n;
};

/* Sets (or adds) a metric; name, type and help must be static strings. */
void sl_metrics_set(struct sl_metrics *ms, const char *name, const char *type,
    const char *help, double value);
/*
 * Writes all metrics to path atomically (outfile.h), labelled tool="...".
 * Returns 0, or -1 with err.
 */
int sl_metrics_write(const struct sl_metrics *ms, const char *path,
    const char *tool, char *err, size_t errlen);

#endif
