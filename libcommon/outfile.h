/*
 * outfile.h - files a tool creates: they appear whole or not at all.
 *
 * A regular file (or a new one) is written to a temporary file next to it
 * (mkstemp, so a planted symbolic link cannot redirect it) and renamed over
 * the name when committed; abort, or a signal, removes the temporary.  A
 * name that exists and is not a regular file (/dev/null, a FIFO, a
 * terminal) is opened and written directly, never replaced.
 */
#ifndef SL_OUTFILE_H
#define SL_OUTFILE_H

#include <stddef.h>

struct sl_outfile {
	int fd;
	char *path;     /* as given */
	char *tmp;      /* the temporary, or NULL when writing directly */
};

/* Returns 0, or -1 with err ("PATH: cannot create: ..."). */
int sl_outfile_open(struct sl_outfile *o, const char *path, char *err,
    size_t errlen);
/* fsync, close and rename into place.  Returns 0, or -1 with err. */
int sl_outfile_commit(struct sl_outfile *o, char *err, size_t errlen);
/* Closes and removes the temporary; the name is left as it was. */
void sl_outfile_abort(struct sl_outfile *o);

/* The whole of data to path, atomically.  Returns 0, or -1 with err. */
int sl_write_file(const char *path, const void *data, size_t len, char *err,
    size_t errlen);

#endif
