/*
 * progress.h - a progress line on stderr for long work, only when stderr is
 * a terminal (never in logs or pipes), at most a few times a second:
 *
 *   sluice-ingest: 1,234,567 records, 180 MB, 95.2 MB/s
 *
 * sl_progress_tick() is cheap enough for every record: it looks at the
 * clock once every 4096 records (or calls, for callers that tick per batch).
 */
#ifndef SL_PROGRESS_H
#define SL_PROGRESS_H

#include <stdint.h>

struct sl_progress {
	int enabled;
	unsigned calls;
	uint64_t checked;        /* records at the last look at the clock */
	int64_t start_us, last_us;
	int shown;               /* a line is on the screen */
};

/* enabled: the tool's wish (off with -q or --no-progress). */
void sl_progress_init(struct sl_progress *p, int enabled);
void sl_progress_tick(struct sl_progress *p, uint64_t records, uint64_t bytes);
/* Erases the line, if one is shown. */
void sl_progress_done(struct sl_progress *p);

#endif
