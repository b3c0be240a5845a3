/* progress.c - see progress.h */
#include "config.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "diag.h"
#include "progress.h"
#include "timefmt.h"

static struct sl_progress *showing;

/* Before a message: wipe the line so the message starts on a clean one. */
static void
clear_line(void)
{
	if (showing && showing->shown) {
		fprintf(stderr, "\r\033[K");
		showing->shown = 0;
	}
}

void
sl_progress_init(struct sl_progress *p, int enabled)
{
	p->enabled = enabled && isatty(STDERR_FILENO);
	p->calls = 0;
	p->checked = 0;
	p->start_us = p->last_us = p->enabled ? sl_monotonic_us() : 0;
	p->shown = 0;
	if (p->enabled) {
		showing = p;
		sl_diag_before_message(clear_line);
	}
}

/* 1234567 -> "1,234,567" */
static void
grouped(uint64_t v, char *out)
{
	char tmp[32];
	int n = snprintf(tmp, sizeof(tmp), "%llu", (unsigned long long)v), o = 0;

	for (int i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = tmp[i];
	}
	out[o] = '\0';
}

void
sl_progress_tick(struct sl_progress *p, uint64_t records, uint64_t bytes)
{
	int64_t now;
	double secs;
	char n[40];

	if (!p->enabled)
		return;
	if ((++p->calls & 4095) != 0 && records - p->checked < 4096)
		return;
	p->checked = records;
	now = sl_monotonic_us();
	if (now - p->last_us < 250000)
		return;
	p->last_us = now;
	secs = (double)(now - p->start_us) / 1e6;
	grouped(records, n);
	fprintf(stderr, "\r%s: %s records, %.0f MB, %.1f MB/s\033[K", sl_progname,
	    n, (double)bytes / 1e6, secs > 0 ? (double)bytes / 1e6 / secs : 0.0);
	fflush(stderr);
	p->shown = 1;
}

void
sl_progress_done(struct sl_progress *p)
{
	if (p->shown)
		fprintf(stderr, "\r\033[K");
	p->shown = 0;
	if (showing == p) {
		showing = NULL;
		sl_diag_before_message(NULL);
	}
}
