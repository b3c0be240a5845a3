/*
 * opts.h - command lines: one option table per tool, the common options
 * parsed here once, and usage text generated from the table so that --help
 * and the man page SYNOPSIS say the same thing (tests/man.bats checks it).
 *
 *   static const struct sl_option options[] = {
 *           { 'f', "format", "FORMAT", "input format: csv, tsv, ...", OPT_FORMAT },
 *           { 0, "strings", NULL, "keep every CSV value a string", OPT_STRINGS },
 *           { 0 }
 *   };
 *   static const struct sl_tool tool = { "sluice-ingest", "ingest",
 *           "[options] [FILE...]", "turn files into a sluice stream", options };
 *   ...
 *   argi = sl_opts_parse(&tool, &common, argc, argv, handle, &cfg);
 *
 * handle(id, arg, ctx) gets the tool's own options; it returns 0, or dies
 * through sl_usage_error() for a bad value.
 */
#ifndef SL_OPTS_H
#define SL_OPTS_H

#include <stddef.h>
#include <stdio.h>

#include "diag.h"

enum {
	SL_OPT_SECRET = 1,   /* the value is kept out of warcinfo's sluice-args */
};

struct sl_option {
	int short_name;        /* 'f', or 0 */
	const char *long_name; /* "format" */
	const char *arg;       /* "FORMAT", or NULL for a flag */
	const char *help;      /* one line */
	int id;                /* handed to the tool's handler; > 0 */
	unsigned flags;
};

struct sl_tool {
	const char *name;      /* "sluice-ingest" */
	const char *step;      /* "ingest": the lineage step name */
	const char *synopsis;  /* "[options] [FILE...]" */
	const char *purpose;   /* one line, lower-case, no full stop */
	const struct sl_option *options; /* ends with an all-zero entry */
};

/* What every tool accepts (CONVENTIONS: command-line behaviour). */
struct sl_common {
	const char *output;    /* -o FILE, NULL for stdout */
	int gzip;              /* -z */
	int quiet;             /* -q */
	const char *metrics;   /* --metrics FILE */
	int no_progress;       /* --no-progress */
};

/*
 * Parses argv.  Common options fill *common; -h prints usage on stdout and
 * exits 0, -V prints the version and exits 0; an unknown option or a missing
 * argument is a usage error (exit 64).  Returns the index of the first
 * operand.  Options and operands may be mixed; "--" ends options.
 */
int sl_opts_parse(const struct sl_tool *tool, struct sl_common *common,
    int argc, char **argv, int (*handle)(int id, const char *arg, void *ctx),
    void *ctx);

/* Prints "prog: message" and "Try 'prog --help'." and exits 64. */
noreturn void sl_usage_error(const char *fmt, ...) SL_PRINTF(1, 2);

/* Writes the usage text (the same as --help) to f. */
void sl_usage(const struct sl_tool *tool, FILE *f);

/* Is the option with this long name marked SL_OPT_SECRET in the table? */
int sl_opts_secret(const struct sl_tool *tool, const char *arg);

/* Parses a non-negative decimal integer option value or dies (64). */
unsigned long long sl_opt_ull(const char *name, const char *arg);

#endif
