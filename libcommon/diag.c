/* diag.c - see diag.h */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"

const char *sl_progname = "sluice";

static pthread_t main_thread;
static int main_known;
static void (*before_message)(void);
static int quiet;
static int exiting;
static int exit_status;

static struct {
	void (*fn)(void *);
	void *arg;
} hooks[16];
static int nhooks;

void
sl_diag_init(const char *argv0)
{
	const char *slash;

	main_thread = pthread_self();
	main_known = 1;
	if (argv0 == NULL || *argv0 == '\0')
		return;
	slash = strrchr(argv0, '/');
	sl_progname = slash ? slash + 1 : argv0;
}

void
sl_diag_set_quiet(int q)
{
	quiet = q;
}

int
sl_diag_status(void)
{
	return exit_status;
}

int
sl_diag_quiet(void)
{
	return quiet;
}

void
sl_diag_before_message(void (*fn)(void))
{
	before_message = fn;
}

void
sl_verror(const char *fmt, va_list ap)
{
	if (before_message)
		before_message();
	fflush(stdout);
	fprintf(stderr, "%s: ", sl_progname);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void
sl_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sl_verror(fmt, ap);
	va_end(ap);
}

/* Warnings and notes differ in intent only: both are silenced by -q. */
static void
vquiet(const char *fmt, va_list ap)
{
	if (!quiet)
		sl_verror(fmt, ap);
}

void
sl_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vquiet(fmt, ap);
	va_end(ap);
}

void
sl_note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vquiet(fmt, ap);
	va_end(ap);
}

void
sl_diag_on_exit(void (*fn)(void *), void *arg)
{
	if (nhooks == (int)(sizeof(hooks) / sizeof(hooks[0])))
		abort();
	hooks[nhooks].fn = fn;
	hooks[nhooks].arg = arg;
	nhooks++;
}

void
sl_diag_forget(void (*fn)(void *), void *arg)
{
	for (int i = nhooks - 1; i >= 0; i--) {
		if (hooks[i].fn == fn && hooks[i].arg == arg) {
			memmove(&hooks[i], &hooks[i + 1],
			    (size_t)(nhooks - i - 1) * sizeof(hooks[0]));
			nhooks--;
			return;
		}
	}
}

noreturn void
sl_exit(int status)
{
	/*
	 * A worker thread must not run the hooks: they flush output the main
	 * thread may be writing.  Its records stay unwritten (never half).
	 */
	if (main_known && !pthread_equal(pthread_self(), main_thread)) {
		fflush(stderr);
		_exit(status);
	}
	if (!exiting) {
		exiting = 1;
		exit_status = status;
		while (nhooks > 0) {
			nhooks--;
			hooks[nhooks].fn(hooks[nhooks].arg);
		}
	}
	exit(status);
}

noreturn void
sl_die(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sl_verror(fmt, ap);
	va_end(ap);
	sl_exit(status);
}
