/* metrics.c - see metrics.h */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "metrics.h"
#include "outfile.h"

void
sl_metrics_set(struct sl_metrics *ms, const char *name, const char *type,
    const char *help, double value)
{
	for (int i = 0; i < ms->n; i++)
		if (strcmp(ms->m[i].name, name) == 0) {
			ms->m[i].value = value;
			return;
		}
	if (ms->n == SL_METRICS_MAX)
		return;
	ms->m[ms->n].name = name;
	ms->m[ms->n].type = type;
	ms->m[ms->n].help = help;
	ms->m[ms->n].value = value;
	ms->n++;
}

int
sl_metrics_write(const struct sl_metrics *ms, const char *path, const char *tool,
    char *err, size_t errlen)
{
	struct sl_buf b = SL_BUF_INIT;
	int rc;

	for (int i = 0; i < ms->n; i++) {
		const struct sl_metric *m = &ms->m[i];

		sl_buf_addf(&b, "# HELP %s %s\n# TYPE %s %s\n", m->name, m->help,
		    m->name, m->type);
		if (m->value == (double)(long long)m->value)
			sl_buf_addf(&b, "%s{tool=\"%s\"} %lld\n", m->name, tool,
			    (long long)m->value);
		else
			sl_buf_addf(&b, "%s{tool=\"%s\"} %.6f\n", m->name, tool,
			    m->value);
	}
	rc = sl_write_file(path, b.data ? b.data : "", b.len, err, errlen);
	sl_buf_release(&b);
	return rc;
}
