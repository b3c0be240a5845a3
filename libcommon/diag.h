/*
 * diag.h - diagnostics and the exit status table shared by every sluice tool.
 *
 * Messages go to stderr as "sluice-ingest: customers.csv: row 17: ...": the
 * program name, then the place, then what is wrong, lower-case, subject quoted.
 * sl_die() runs the registered cleanup hooks (which flush whole records that
 * are already complete, and remove temporary files), then exits.
 */
#ifndef SL_DIAG_H
#define SL_DIAG_H

#include <stdarg.h>
#include <stdnoreturn.h>

/* One table for the whole toolkit; every man page documents it. */
enum sl_exit {
	SL_EX_OK = 0,           /* success */
	SL_EX_FINDING = 1,      /* well-formed data failed a check */
	SL_EX_USAGE = 64,       /* bad option or operand */
	SL_EX_DATAERR = 65,     /* malformed input data */
	SL_EX_NOINPUT = 66,     /* an input cannot be opened */
	SL_EX_UNAVAILABLE = 69, /* a service is unavailable */
	SL_EX_SOFTWARE = 70,    /* internal error, out of memory */
	SL_EX_CANTCREAT = 73,   /* cannot create output */
	SL_EX_IOERR = 74,       /* I/O error */
	SL_EX_CONFIG = 78,      /* bad configuration file */
};

#define SL_PRINTF(f, a) __attribute__((format(printf, f, a)))

/* Room for a message: a file name of PATH_MAX bytes and what went wrong. */
#define SL_MSG_MAX (4096 + 1024)

extern const char *sl_progname;

/* Sets sl_progname from argv[0] (basename). */
void sl_diag_init(const char *argv0);

/* -q: silences sl_note() and sl_warn(); errors are always printed. */
void sl_diag_set_quiet(int quiet);
int sl_diag_quiet(void);

/* "prog: message\n" on stderr. */
void sl_warn(const char *fmt, ...) SL_PRINTF(1, 2);
void sl_note(const char *fmt, ...) SL_PRINTF(1, 2);
void sl_error(const char *fmt, ...) SL_PRINTF(1, 2);
void sl_verror(const char *fmt, va_list ap) SL_PRINTF(1, 0);

/*
 * Prints the message, runs the cleanup hooks in reverse order, exits.  From
 * a thread other than the one that called sl_diag_init(), exits at once
 * without the hooks (a worker that runs out of memory).
 */
noreturn void sl_die(int status, const char *fmt, ...) SL_PRINTF(2, 3);

/* Exits through the cleanup hooks without a message. */
noreturn void sl_exit(int status);

/*
 * Registers fn(arg) to run before sl_die()/sl_exit() leaves.  Hooks must not
 * call sl_die() themselves (a second die exits at once).  At most 16.
 */
void sl_diag_on_exit(void (*fn)(void *), void *arg);
void sl_diag_forget(void (*fn)(void *), void *arg);
/* The status being exited with, for exit hooks. */
int sl_diag_status(void);

/* fn runs before every message (the progress line clears itself). */
void sl_diag_before_message(void (*fn)(void));

#endif
