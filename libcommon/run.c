/* run.c - see run.h */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "diag.h"
#include "json.h"
#include "outfile.h"
#include "run.h"
#include "xalloc.h"

/* The arguments as a JSON array; values of secret options become "***". */
static void
args_json(struct sl_run *run, int argc, char **argv)
{
	int hide_next = 0;

	sl_buf_addc(&run->args, '[');
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (i > 1)
			sl_buf_addc(&run->args, ',');
		if (hide_next) {
			sl_json_write_string(&run->args, "***", 3);
			hide_next = 0;
			continue;
		}
		if (sl_opts_secret(run->tool, a)) {
			const char *eq = a[1] == '-' ? strchr(a, '=') :
			    a[2] != '\0' ? a + 1 : NULL;   /* -kVALUE */

			if (eq) {
				struct sl_buf t = SL_BUF_INIT;

				sl_buf_add(&t, a, (size_t)(eq - a) + 1);
				sl_buf_adds(&t, "***");
				sl_json_write_string(&run->args, t.data, t.len);
				sl_buf_release(&t);
				continue;
			}
			hide_next = 1;
		}
		/* arguments are not always UTF-8 (file names): escape bytes */
		if (sl_utf8_valid(a, strlen(a), NULL)) {
			sl_json_write_string(&run->args, a, strlen(a));
		} else {
			struct sl_buf t = SL_BUF_INIT;

			for (const unsigned char *p = (const unsigned char *)a; *p; p++)
				if (*p < 0x80)
					sl_buf_addc(&t, (char)*p);
				else
					sl_buf_addf(&t, "\\x%02x", *p);
			sl_json_write_string(&run->args, t.data, t.len);
			sl_buf_release(&t);
		}
	}
	sl_buf_addc(&run->args, ']');
}

/* Writes --metrics FILE; returns -1 (said) when it cannot. */
static int
metrics_out(struct sl_run *run, int status)
{
	struct sl_metrics *m = &run->metrics;

	if (run->common.metrics == NULL)
		return 0;
	sl_metrics_set(m, "sluice_records_in_total", "counter",
	    "Data records read.", (double)run->records_in);
	sl_metrics_set(m, "sluice_records_out_total", "counter",
	    "Data records written.", (double)run->records_out);
	sl_metrics_set(m, "sluice_records_rejected_total", "counter",
	    "Data records not written, each counted under a stated reason.",
	    (double)run->records_rejected);
	sl_metrics_set(m, "sluice_bytes_in_total", "counter",
	    "Bytes read (after decompression).", (double)run->bytes_in);
	sl_metrics_set(m, "sluice_bytes_out_total", "counter",
	    "Bytes written.", (double)(run->out.bytes + run->out.out.len));
	sl_metrics_set(m, "sluice_run_seconds", "gauge",
	    "Wall-clock duration of the run.",
	    (double)(sl_monotonic_us() - run->mono_start) / 1e6);
	sl_metrics_set(m, "sluice_run_start_timestamp_seconds", "gauge",
	    "When the run started (Unix time).", (double)(run->started / 1000000));
	sl_metrics_set(m, "sluice_exit_status", "gauge",
	    "Exit status of the run.", (double)status);
	char err[512];

	if (sl_metrics_write(m, run->common.metrics, run->tool->name, err,
	    sizeof(err)) < 0) {
		sl_error("cannot write metrics: %s", err);
		return -1;
	}
	return 0;
}

/* On sl_die(): whole records out, temporary output removed, metrics. */
static void
on_exit_hook(void *arg)
{
	struct sl_run *run = arg;

	if (run->finished)
		return;
	run->finished = 1;
	sl_progress_done(&run->progress);
	if (run->out_file.path) {
		sl_outfile_abort(&run->out_file);
	} else if (!run->out_closed) {
		/* the output buffer only ever holds whole records */
		sl_writer_flush(&run->out);
	}
	metrics_out(run, sl_diag_status());
}

static void
open_output(struct sl_run *run)
{
	const char *path = run->common.output;
	char err[512];

	if (path == NULL || strcmp(path, "-") == 0) {
		sl_writer_init(&run->out, STDOUT_FILENO, "stdout", run->common.gzip);
		return;
	}
	if (sl_outfile_open(&run->out_file, path, err, sizeof(err)) < 0)
		sl_die(SL_EX_CANTCREAT, "%s", err);
	sl_writer_init(&run->out, run->out_file.fd, run->out_file.path,
	    run->common.gzip);
}

void
sl_run_warcinfo_block(const struct sl_run *run, struct sl_buf *b)
{
	char t[SL_TIME_STRLEN];

	sl_time_format(run->started, SL_TIME_MICRO, t);
	sl_buf_addf(b, "software: %s/%s\r\n", run->tool->name, PACKAGE_VERSION);
	sl_buf_addf(b, "sluice-run: %s\r\n", run->id);
	sl_buf_addf(b, "sluice-step: %s\r\n", run->tool->step);
	sl_buf_adds(b, "sluice-args: ");
	sl_buf_add(b, run->args.data, run->args.len);
	sl_buf_adds(b, "\r\n");
	sl_buf_addf(b, "sluice-started: %s\r\n", t);
	sl_buf_adds(b, "format: WARC File Format 1.1\r\n");
}

void
sl_run_put_warcinfo(struct sl_run *run, struct sl_writer *w)
{
	struct sl_record rec;
	struct sl_buf block = SL_BUF_INIT;
	char t[SL_TIME_STRLEN], digest[SL_DIGEST_STRLEN + 1], id[SL_URN_STRLEN + 1];

	sl_record_init(&rec);
	sl_run_warcinfo_block(run, &block);
	sl_time_format(run->started, SL_TIME_MICRO, t);
	sl_uuid_urn(&run->uuid, id);
	sl_digest_str(run->hasher, block.data, block.len, digest);
	sl_headers_sets(&rec.hdr, SL_F_WARC_TYPE, "warcinfo");
	sl_headers_sets(&rec.hdr, SL_F_WARC_RECORD_ID, id);
	sl_headers_sets(&rec.hdr, SL_F_WARC_DATE, t);
	sl_headers_sets(&rec.hdr, SL_F_CONTENT_TYPE, "application/warc-fields");
	sl_headers_sets(&rec.hdr, SL_F_WARC_BLOCK_DIGEST, digest);
	sl_record_set_block(&rec, block.data, block.len);
	rec.type = SL_R_WARCINFO;
	if (sl_writer_put(w, &rec) < 0)
		sl_die(SL_EX_SOFTWARE, "internal error: %s", w->err);
	sl_record_release(&rec);
	sl_buf_release(&block);
}

static void
write_warcinfo(struct sl_run *run)
{
	sl_run_put_warcinfo(run, &run->out);
	run->warcinfo_pending = 0;
}

void
sl_run_start(struct sl_run *run, const struct sl_tool *tool,
    const struct sl_common *common, int argc, char **argv, int no_warcinfo)
{
	struct sl_uuid u;
	unsigned char d[SL_SHA256_LEN];

	memset(run, 0, sizeof(*run));
	run->tool = tool;
	run->common = *common;
	run->mono_start = sl_monotonic_us();
	run->started = sl_now();
	run->hasher = sl_hasher_new();
	args_json(run, argc, argv);
	sl_sha256(run->hasher, run->args.data, run->args.len, d);
	memcpy(run->args_digest, "sha256:", 7);
	sl_hex(d, sizeof(d), run->args_digest + 7);
	if (sl_reproducible()) {
		char t[SL_TIME_STRLEN];
		const char *parts[3];
		size_t lens[3] = { (size_t)-1, (size_t)-1, run->args.len };

		sl_time_format(run->started, SL_TIME_MICRO, t);
		parts[0] = tool->name;
		parts[1] = t;
		parts[2] = run->args.data;
		sl_uuid5(run->hasher, &sl_uuid_ns, &u, 3, parts, lens);
	} else {
		sl_uuid4(&u);
	}
	run->uuid = u;
	sl_uuid_str(&u, run->id);
	sl_buf_addf(&run->lineage, "%s %s/%s run=%s", tool->step, tool->name,
	    PACKAGE_VERSION, run->id);
	sl_buf_addf(&run->lineage_args, "%s args=%s", run->lineage.data,
	    run->args_digest);
	sl_progress_init(&run->progress, !common->quiet && !common->no_progress);
	open_output(run);
	sl_diag_on_exit(on_exit_hook, run);
	run->warcinfo_pending = !no_warcinfo;
}

void
sl_run_attach_input(struct sl_run *run, struct sl_input *in)
{
	sl_input_set_idle(in, sl_writer_idle, &run->out);
}

void
sl_run_open_input(struct sl_run *run, struct sl_input *in, const char *path,
    unsigned flags)
{
	if (sl_input_open(in, path, flags) < 0)
		sl_die(in->status, "%s", in->err);
	sl_run_attach_input(run, in);
}

/* The run's description goes out just before its first record. */
static void
begin_output(struct sl_run *run)
{
	if (run->warcinfo_pending)
		write_warcinfo(run);
}

int
sl_run_write(struct sl_run *run, const struct sl_record *rec)
{
	begin_output(run);
	return sl_writer_put(&run->out, rec);
}

void
sl_run_put(struct sl_run *run, const struct sl_record *rec)
{
	if (sl_run_write(run, rec) < 0)
		sl_die(SL_EX_SOFTWARE, "internal error: %s", run->out.err);
}

void
sl_run_put_framed(struct sl_run *run, const void *p, size_t len, uint64_t n)
{
	if (len == 0)
		return;
	begin_output(run);
	sl_writer_put_framed(&run->out, p, len, n);
}

const char *
sl_run_lineage(struct sl_run *run, int with_args)
{
	return with_args ? run->lineage_args.data : run->lineage.data;
}

void
sl_run_tick(struct sl_run *run)
{
	sl_progress_tick(&run->progress, run->records_in, run->bytes_in);
}

void
sl_run_close_output(struct sl_run *run, int status)
{
	char err[512];

	if (run->out_closed)
		return;
	if (status == SL_EX_OK || status == SL_EX_FINDING)
		begin_output(run);  /* an empty run still describes itself */
	sl_progress_done(&run->progress);
	sl_writer_flush(&run->out);
	run->out_closed = 1;
	if (run->out_file.path == NULL)
		return;
	if (status != SL_EX_OK && status != SL_EX_FINDING) {
		sl_outfile_abort(&run->out_file);
		return;
	}
	if (sl_outfile_commit(&run->out_file, err, sizeof(err)) < 0)
		sl_die(SL_EX_IOERR, "%s", err);
}

int
sl_run_finish(struct sl_run *run, int status)
{
	sl_run_close_output(run, status);
	run->finished = 1;
	/* metrics asked for and not written: the run did not do its job */
	if (metrics_out(run, status) < 0 && status == SL_EX_OK)
		status = SL_EX_IOERR;
	sl_diag_forget(on_exit_hook, run);
	sl_writer_close(&run->out);
	sl_hasher_free(run->hasher);
	sl_buf_release(&run->args);
	sl_buf_release(&run->lineage);
	sl_buf_release(&run->lineage_args);
	return status;
}
