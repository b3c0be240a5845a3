/* metrics.c - see metrics.h */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "metrics.h"

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
sl_metrics_write(const struct sl_metrics *ms, const char *path, const char *tool)
{
	struct sl_buf tmp = SL_BUF_INIT;
	FILE *f;
	int err;

	sl_buf_addf(&tmp, "%s.tmp.%ld", path, (long)getpid());
	f = fopen(tmp.data, "w");
	if (f == NULL)
		goto fail;
	for (int i = 0; i < ms->n; i++) {
		const struct sl_metric *m = &ms->m[i];

		fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", m->name, m->help,
		    m->name, m->type);
		if (m->value == (double)(long long)m->value)
			fprintf(f, "%s{tool=\"%s\"} %lld\n", m->name, tool,
			    (long long)m->value);
		else
			fprintf(f, "%s{tool=\"%s\"} %.6f\n", m->name, tool,
			    m->value);
	}
	if (ferror(f) | fclose(f))
		goto fail;
	if (rename(tmp.data, path) < 0)
		goto fail;
	sl_buf_release(&tmp);
	return 0;
fail:
	err = errno;
	unlink(tmp.data);
	sl_buf_release(&tmp);
	errno = err;
	return -1;
}
