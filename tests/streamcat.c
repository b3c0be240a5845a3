/*
 * streamcat - a test helper: reads a sluice stream strictly and prints what
 * tests want to compare, one line per record.
 *
 *   streamcat [-d] [-p] [-c] [-f FIELD[,FIELD...]] [FILE]
 *
 *   -f  print these header fields, tab-separated ("-" when absent, repeated
 *       fields joined with " | "); the pseudo-field "#" is the record number
 *   -p  print the block (payload) after the fields, tab-separated
 *   -d  data records only (resource, conversion)
 *   -c  print only the number of records
 *
 * Exit status 0 when the whole input is a valid stream, 65 (with the
 * reader's message) when it is not, so `tool | streamcat -c` also checks
 * that a tool never wrote half a record.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "input.h"
#include "stream.h"
#include "xalloc.h"

static void
print_field(const struct sl_record *rec, const char *name)
{
	int n = 0;

	if (strcmp(name, "#") == 0) {
		printf("%llu", (unsigned long long)rec->number);
		return;
	}
	for (size_t i = 0; i < rec->hdr.n; i++) {
		const struct sl_hfield *f = &rec->hdr.f[i];

		if (f->name_len == strlen(name) &&
		    strncasecmp(f->name, name, f->name_len) == 0) {
			printf("%s%s", n++ ? " | " : "", f->value);
		}
	}
	if (n == 0)
		fputs("-", stdout);
}

int
main(int argc, char **argv)
{
	struct sl_input in;
	struct sl_reader r;
	struct sl_record rec;
	char *fields = NULL;
	int c, payload = 0, data_only = 0, count_only = 0, rc;
	unsigned long long count = 0;

	sl_diag_init(argv[0]);
	while ((c = getopt(argc, argv, "cdf:p")) != -1) {
		switch (c) {
		case 'c': count_only = 1; break;
		case 'd': data_only = 1; break;
		case 'f': fields = optarg; break;
		case 'p': payload = 1; break;
		default:
			fprintf(stderr, "usage: streamcat [-cdp] [-f FIELDS] [FILE]\n");
			return SL_EX_USAGE;
		}
	}
	if (sl_input_open(&in, optind < argc ? argv[optind] : "-", 0) < 0)
		sl_die(in.status, "%s", in.err);
	sl_reader_init(&r, &in);
	sl_record_init(&rec);
	while ((rc = sl_reader_next(&r, &rec)) > 0) {
		if (data_only && !sl_record_is_data(&rec))
			continue;
		count++;
		if (count_only)
			continue;
		if (fields) {
			char *copy = sl_strdup(fields), *save = NULL, *f;
			int first = 1;

			for (f = strtok_r(copy, ",", &save); f;
			    f = strtok_r(NULL, ",", &save)) {
				if (!first)
					putchar('\t');
				print_field(&rec, f);
				first = 0;
			}
			free(copy);
			if (payload)
				putchar('\t');
		}
		if (payload)
			fwrite(rec.block, 1, rec.block_len, stdout);
		if (fields || payload)
			putchar('\n');
	}
	if (count_only)
		printf("%llu\n", count);
	fflush(stdout);
	if (rc < 0)
		sl_die(r.status, "%s", r.err);
	sl_record_release(&rec);
	sl_input_close(&in);
	return 0;
}
