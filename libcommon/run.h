/*
 * run.h - one run of a tool: its identity (run id, start time, arguments),
 * its output stream, the warcinfo record that describes it, the lineage line
 * it appends to records, its counters, metrics and progress line.
 *
 * The skeleton of every tool:
 *
 *   struct sl_run run;
 *   argi = sl_opts_parse(&tool, &common, argc, argv, handle, &cfg);
 *   sl_run_start(&run, &tool, &common, argc, argv, 0);  // run id, -o
 *   for each input: sl_run_open_input(&run, &in, path, flags) ... read,
 *           run.records_in++, sl_run_put(&run, &rec) ...
 *   return sl_run_finish(&run, SL_EX_OK);
 *
 * The output is written whole records at a time.  With -o FILE it goes to a
 * temporary file next to FILE that is renamed over FILE only when the run
 * succeeds (a failed step of a Makefile never leaves a plausible output;
 * outfile.h), or straight to FILE when that is a device or a FIFO.
 * On sl_die() the records already complete reach stdout, the temporary file
 * is removed, and metrics are still written with the exit status.
 */
#ifndef SL_RUN_H
#define SL_RUN_H

#include <stdint.h>

#include "buf.h"
#include "ids.h"
#include "input.h"
#include "metrics.h"
#include "outfile.h"
#include "opts.h"
#include "progress.h"
#include "stream.h"
#include "timefmt.h"

struct sl_run {
	const struct sl_tool *tool;
	struct sl_common common;
	struct sl_uuid uuid;           /* the run id */
	char id[SL_UUID_STRLEN + 1];   /* ... as text */
	sl_time started;
	int64_t mono_start;
	struct sl_buf args;            /* the arguments as a JSON array */
	char args_digest[SL_DIGEST_STRLEN + 1];
	struct sl_buf lineage;         /* "ingest sluice-ingest/0.1.0 run=..." */
	struct sl_buf lineage_args;    /* the same with " args=sha256:..." */
	struct sl_hasher *hasher;      /* for the main thread's digests */

	struct sl_writer out;
	struct sl_outfile out_file;    /* -o FILE; path NULL for stdout */
	int out_closed;
	int warcinfo_pending;          /* not yet written: no record yet */

	/* counters; tools add their own metrics to metrics */
	uint64_t records_in;           /* data records read */
	uint64_t records_out;          /* data records written */
	uint64_t records_rejected;     /* data records not written, with a reason */
	uint64_t bytes_in;
	struct sl_metrics metrics;
	struct sl_progress progress;
	int finished;
};

/*
 * Sets up the run: run id (random, or derived from the tool and arguments
 * under SOURCE_DATE_EPOCH), start time, output (-o FILE or stdout; 73 when it
 * cannot be created), exit hooks.  The warcinfo record describing the run
 * is written just before the first record (or at a successful end), so a
 * run that fails before any record writes nothing; no_warcinfo leaves it
 * out (for tools whose stdout is not a stream).
 */
void sl_run_start(struct sl_run *run, const struct sl_tool *tool,
    const struct sl_common *common, int argc, char **argv, int no_warcinfo);

/* Opens an input for the run (dies 66 when it cannot) and sets its idle hook. */
void sl_run_open_input(struct sl_run *run, struct sl_input *in, const char *path,
    unsigned flags);
/* Wraps an input the tool opened itself: sets the idle hook only. */
void sl_run_attach_input(struct sl_run *run, struct sl_input *in);

/* Writes a record; a record the writer refuses is fatal (70: a tool bug). */
void sl_run_put(struct sl_run *run, const struct sl_record *rec);
/* Writes a record; returns -1 when the writer refuses it (run->out.err). */
int sl_run_write(struct sl_run *run, const struct sl_record *rec);
/* Writes n records already in the writer's form (sl_record_emit). */
void sl_run_put_framed(struct sl_run *run, const void *p, size_t len,
    uint64_t n);

/* The lineage line, with " args=sha256:..." when with_args. */
const char *sl_run_lineage(struct sl_run *run, int with_args);

/* Counts and maybe shows progress; call once per record. */
void sl_run_tick(struct sl_run *run);

/*
 * Flushes the output and, on status 0 or 1, renames -o FILE into place
 * (other statuses remove its temporary).  For tools with more to do after
 * the output is safe (ingest's --state); sl_run_finish() calls it.
 */
void sl_run_close_output(struct sl_run *run, int status);

/*
 * Ends the run: closes the output as above, writes metrics, prints
 * nothing.  Returns status, for return from main().
 */
int sl_run_finish(struct sl_run *run, int status);

/*
 * Writes the run's warcinfo record to w: how a side stream (a reject file)
 * begins, as the main output does.
 */
void sl_run_put_warcinfo(struct sl_run *run, struct sl_writer *w);

/* The warcinfo block of a run (application/warc-fields), for tests. */
void sl_run_warcinfo_block(const struct sl_run *run, struct sl_buf *out);

#endif
