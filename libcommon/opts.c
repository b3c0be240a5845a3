/* opts.c - see opts.h */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "opts.h"
#include "xalloc.h"

enum {
	COMMON_OUTPUT = -100,
	COMMON_GZIP,
	COMMON_QUIET,
	COMMON_METRICS,
	COMMON_NO_PROGRESS,
	COMMON_HELP,
	COMMON_VERSION,
};

static const struct sl_option common_options[] = {
	{ 'o', "output", "FILE", "write the stream to FILE instead of stdout",
	    COMMON_OUTPUT, 0 },
	{ 'z', "gzip", NULL, "compress each output record as its own gzip "
	    "member", COMMON_GZIP, 0 },
	{ 'q', "quiet", NULL, "print no warnings or summary, errors only",
	    COMMON_QUIET, 0 },
	{ 0, "metrics", "FILE", "write Prometheus metrics to FILE at the end",
	    COMMON_METRICS, 0 },
	{ 0, "no-progress", NULL, "no progress line, even on a terminal",
	    COMMON_NO_PROGRESS, 0 },
	{ 'h', "help", NULL, "show this help and exit", COMMON_HELP, 0 },
	{ 'V', "version", NULL, "show the version and exit", COMMON_VERSION, 0 },
	{ 0, NULL, NULL, NULL, 0, 0 },
};

static const char *usage_tool;

noreturn void
sl_usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sl_verror(fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try '%s --help' for more information.\n",
	    usage_tool ? usage_tool : sl_progname);
	sl_exit(SL_EX_USAGE);
}

static void
print_options(FILE *f, const struct sl_option *o)
{
	for (; o->long_name; o++) {
		char left[64];
		int n;

		if (o->short_name)
			n = snprintf(left, sizeof(left), "  -%c, --%s%s%s",
			    o->short_name, o->long_name, o->arg ? " " : "",
			    o->arg ? o->arg : "");
		else
			n = snprintf(left, sizeof(left), "      --%s%s%s",
			    o->long_name, o->arg ? " " : "", o->arg ? o->arg : "");
		if (n < 26)
			fprintf(f, "%-26s%s\n", left, o->help);
		else
			fprintf(f, "%s\n%26s%s\n", left, "", o->help);
	}
}

void
sl_usage(const struct sl_tool *tool, FILE *f)
{
	fprintf(f, "usage: %s %s\n", tool->name, tool->synopsis);
	fprintf(f, "%c%s.\n\n", tool->purpose[0] >= 'a' && tool->purpose[0] <= 'z' ?
	    tool->purpose[0] - 32 : tool->purpose[0], tool->purpose + 1);
	if (tool->options && tool->options->long_name) {
		fprintf(f, "options:\n");
		print_options(f, tool->options);
		fprintf(f, "\n");
	}
	fprintf(f, "common options:\n");
	print_options(f, common_options);
	fprintf(f, "\nExit status: 0 success, 1 a check failed, 64 usage, "
	    "65 malformed input,\n66 cannot open input, 69 service unavailable, "
	    "70 internal,\n73/74 output error, 78 bad config.\n");
	fprintf(f, "See %s(1).\n", tool->name);
}

int
sl_opts_secret(const struct sl_tool *tool, const char *arg)
{
	const struct sl_option *o;
	size_t n;

	if (tool->options == NULL || arg[0] != '-' || arg[1] == '\0')
		return 0;
	if (arg[1] != '-') {
		/* -k VALUE or -kVALUE: the last flag of a group takes it */
		for (o = tool->options; o->long_name; o++)
			if ((o->flags & SL_OPT_SECRET) && o->short_name &&
			    strchr(arg + 1, o->short_name) != NULL)
				return 1;
		return 0;
	}
	arg += 2;
	n = strcspn(arg, "=");
	for (o = tool->options; o->long_name; o++)
		if ((o->flags & SL_OPT_SECRET) && strlen(o->long_name) == n &&
		    strncmp(o->long_name, arg, n) == 0)
			return 1;
	return 0;
}

/* Is "--name" or "--name=..." one of the options of the tool or common? */
static int
known_long(const struct sl_tool *tool, const char *arg)
{
	const struct sl_option *all[2] = { tool->options, common_options };
	size_t n = strcspn(arg + 2, "=");

	for (int t = 0; t < 2; t++)
		for (const struct sl_option *o = all[t]; o && o->long_name; o++)
			if (strlen(o->long_name) == n &&
			    strncmp(o->long_name, arg + 2, n) == 0)
				return 1;
	return 0;
}

static size_t
count(const struct sl_option *o)
{
	size_t n = 0;

	while (o && o[n].long_name)
		n++;
	return n;
}

int
sl_opts_parse(const struct sl_tool *tool, struct sl_common *common, int argc,
    char **argv, int (*handle)(int, const char *, void *), void *ctx)
{
	size_t nt = count(tool->options), nc = count(common_options), n = 0;
	/* static: a usage error exits from inside the loop, and these must
	 * still be reachable then (no leak reported) */
	static struct option *lo;
	static struct sl_buf shorts;
	const struct sl_option *all[2] = { tool->options, common_options };
	int c, idx;

	usage_tool = tool->name;
	memset(common, 0, sizeof(*common));
	lo = sl_calloc(nt + nc + 1, sizeof(*lo));
	sl_buf_reset(&shorts);
	/* leading ':' reports a missing argument as ':'; operands may follow
	 * options in any order (GNU permutation), "--" ends options */
	sl_buf_addc(&shorts, ':');
	for (int t = 0; t < 2; t++) {
		for (const struct sl_option *o = all[t]; o && o->long_name; o++) {
			lo[n].name = o->long_name;
			lo[n].has_arg = o->arg ? required_argument : no_argument;
			lo[n].flag = NULL;
			lo[n].val = o->short_name ? o->short_name : 256 + (int)n;
			n++;
			if (o->short_name) {
				sl_buf_addc(&shorts, (char)o->short_name);
				if (o->arg)
					sl_buf_addc(&shorts, ':');
			}
		}
	}
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, shorts.data, lo, &idx)) != -1) {
		const struct sl_option *o = NULL;

		if (c == '?') {
			const char *a = argv[optind - 1];

			if (optopt >= 256 || (strncmp(a, "--", 2) == 0 &&
			    strchr(a, '=') != NULL && optopt == 0 &&
			    known_long(tool, a)))
				sl_usage_error("option '%.*s' takes no argument",
				    (int)strcspn(a, "="), a);
			if (optopt > 0 && optopt < 256)
				sl_usage_error("unknown option '-%c'", optopt);
			sl_usage_error("unknown option '%s'", a);
		}
		if (c == ':') {
			if (strncmp(argv[optind - 1], "--", 2) == 0)
				sl_usage_error("option '%s' needs an argument",
				    argv[optind - 1]);
			if (optopt && optopt < 256)
				sl_usage_error("option '-%c' needs an argument",
				    optopt);
			sl_usage_error("option '%s' needs an argument",
			    argv[optind - 1]);
		}
		if (c >= 256) {
			size_t k = (size_t)(c - 256);

			o = k < nt ? &tool->options[k] : &common_options[k - nt];
		} else {
			for (int t = 0; t < 2 && o == NULL; t++)
				for (const struct sl_option *p = all[t];
				    p && p->long_name; p++)
					if (p->short_name == c) {
						o = p;
						break;
					}
		}
		if (o == NULL)
			sl_die(SL_EX_SOFTWARE, "internal error: option %d", c);
		switch (o->id) {
		case COMMON_OUTPUT:
			common->output = optarg;
			break;
		case COMMON_GZIP:
			common->gzip = 1;
			break;
		case COMMON_QUIET:
			common->quiet = 1;
			sl_diag_set_quiet(1);
			break;
		case COMMON_METRICS:
			common->metrics = optarg;
			break;
		case COMMON_NO_PROGRESS:
			common->no_progress = 1;
			break;
		case COMMON_HELP:
			sl_usage(tool, stdout);
			fflush(stdout);
			exit(SL_EX_OK);
		case COMMON_VERSION:
			printf("%s %s\n", tool->name, PACKAGE_VERSION);
			fflush(stdout);
			exit(SL_EX_OK);
		default:
			if (handle(o->id, optarg, ctx) != 0)
				sl_usage_error("bad value for --%s", o->long_name);
		}
	}
	free(lo);
	lo = NULL;
	sl_buf_release(&shorts);
	return optind;
}

unsigned long long
sl_opt_ull(const char *name, const char *arg)
{
	char *end;
	unsigned long long v;

	errno = 0;
	if (arg[0] < '0' || arg[0] > '9')
		sl_usage_error("--%s: \"%s\" is not a non-negative integer",
		    name, arg);
	v = strtoull(arg, &end, 10);
	if (errno || *end)
		sl_usage_error("--%s: \"%s\" is not a non-negative integer",
		    name, arg);
	return v;
}
