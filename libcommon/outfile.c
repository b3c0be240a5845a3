/* outfile.c - see outfile.h */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "outfile.h"
#include "xalloc.h"

/*
 * Temporaries to remove if a signal ends the run.  The handler only reads
 * this table and calls unlink(), which is async-signal-safe.
 */
#define MAX_TEMPS 8
static char *volatile temps[MAX_TEMPS];
static int handlers;

static void
on_signal(int sig)
{
	for (int i = 0; i < MAX_TEMPS; i++)
		if (temps[i])
			unlink(temps[i]);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void
track(char *tmp)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE };

	if (!handlers) {
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_signal;
		sigemptyset(&sa.sa_mask);
		for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
			struct sigaction old;

			/* respect a signal the caller chose to ignore */
			if (sigaction(sigs[i], NULL, &old) == 0 &&
			    old.sa_handler == SIG_IGN)
				continue;
			sigaction(sigs[i], &sa, NULL);
		}
		handlers = 1;
	}
	for (int i = 0; i < MAX_TEMPS; i++)
		if (temps[i] == NULL) {
			temps[i] = tmp;
			return;
		}
}

static void
untrack(const char *tmp)
{
	for (int i = 0; i < MAX_TEMPS; i++)
		if (temps[i] == tmp)
			temps[i] = NULL;
}

int
sl_outfile_open(struct sl_outfile *o, const char *path, char *err, size_t errlen)
{
	struct sl_buf t = SL_BUF_INIT;
	const char *slash = strrchr(path, '/');
	struct stat st;
	mode_t mask;

	memset(o, 0, sizeof(*o));
	o->fd = -1;
	o->path = sl_strdup(path);
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		if (S_ISDIR(st.st_mode)) {
			snprintf(err, errlen, "%s: cannot create: Is a directory",
			    path);
			goto fail;
		}
		o->fd = open(path, O_WRONLY | O_CLOEXEC);
		if (o->fd < 0) {
			snprintf(err, errlen, "%s: cannot open: %s", path,
			    strerror(errno));
			goto fail;
		}
		return 0;
	}
	if (slash)
		sl_buf_add(&t, path, (size_t)(slash - path) + 1);
	sl_buf_addf(&t, ".%s.tmp.XXXXXX", slash ? slash + 1 : path);
	o->fd = mkstemp(t.data);
	if (o->fd < 0) {
		snprintf(err, errlen, "%s: cannot create: %s", path, strerror(errno));
		sl_buf_release(&t);
		goto fail;
	}
	mask = umask(0);
	umask(mask);
	fchmod(o->fd, 0666 & ~mask);
	o->tmp = sl_buf_detach(&t, NULL);
	track(o->tmp);
	return 0;
fail:
	free(o->path);
	o->path = NULL;
	return -1;
}

/* Drops the names of a closed file, removing the temporary if asked. */
static void
forget(struct sl_outfile *o, int remove_tmp)
{
	if (o->tmp) {
		if (remove_tmp)
			unlink(o->tmp);
		untrack(o->tmp);
		free(o->tmp);
		o->tmp = NULL;
	}
	free(o->path);
	o->path = NULL;
}

int
sl_outfile_commit(struct sl_outfile *o, char *err, size_t errlen)
{
	int rc = 0;

	if (o->tmp && fsync(o->fd) < 0 && errno != EINVAL) {
		snprintf(err, errlen, "%s: %s", o->path, strerror(errno));
		rc = -1;
	}
	if (close(o->fd) < 0 && rc == 0) {
		snprintf(err, errlen, "%s: %s", o->path, strerror(errno));
		rc = -1;
	}
	o->fd = -1;
	if (o->tmp && rc == 0 && rename(o->tmp, o->path) < 0) {
		snprintf(err, errlen, "%s: cannot rename into place: %s",
		    o->path, strerror(errno));
		rc = -1;
	}
	forget(o, rc < 0);
	return rc;
}

void
sl_outfile_abort(struct sl_outfile *o)
{
	if (o->fd >= 0)
		close(o->fd);
	o->fd = -1;
	forget(o, 1);
}

int
sl_write_file(const char *path, const void *data, size_t len, char *err,
    size_t errlen)
{
	struct sl_outfile o;
	const char *p = data;

	if (sl_outfile_open(&o, path, err, errlen) < 0)
		return -1;
	while (len > 0) {
		ssize_t n = write(o.fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errlen, "%s: write error: %s", path,
			    strerror(errno));
			sl_outfile_abort(&o);
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return sl_outfile_commit(&o, err, errlen);
}
