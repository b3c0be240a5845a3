#include "config.h"

/*
 * measure.c - sluice-bench-measure: runs one command and reports its wall
 * time, CPU time and peak memory on one line of stdout.
 *
 *   sluice-bench-measure [-i INFILE] [-o OUTFILE] -- CMD [ARGS...]
 *
 *   wall=0.812 user=0.701 sys=0.110 maxrss_kb=9312 status=0
 *
 * CMD runs with stdin from INFILE (default /dev/null) and stdout to OUTFILE
 * (default /dev/null); its stderr is ours.  Wall time is CLOCK_MONOTONIC
 * from just before fork() to wait4()'s return.  user, sys and maxrss_kb
 * come from the rusage wait4() returns: they cover CMD and every
 * descendant it waited for.  CPU times add up over those processes, but
 * maxrss_kb is the largest single peak among them, not a sum; so for
 * `sh -c 'a | b'` it is max(RSS of sh, a, b).  Measure one program with
 * -i/-o to get its own figure.
 *
 * status is CMD's exit status, or 128 + N when signal N killed it, and is
 * also our exit status.  We exit 64 on a usage error, 66 when INFILE cannot
 * be opened, 73 when OUTFILE cannot be created, 70 when CMD cannot be run
 * (not found, fork failed); then no figures are printed.
 */

/* wait4() and getopt() when config.h does not already ask for them. */
#if !defined(_GNU_SOURCE) && !defined(_DEFAULT_SOURCE)
#define _DEFAULT_SOURCE
#endif

#include <sys/types.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdnoreturn.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PROG		"sluice-bench-measure"
#define EX_USAGE	64
#define EX_NOINPUT	66
#define EX_SOFTWARE	70
#define EX_CANTCREAT	73
#define EX_IOERR	74

static void
usage(FILE *fp)
{
	fputs("usage: " PROG " [-i INFILE] [-o OUTFILE] -- CMD [ARGS...]\n",
	    fp);
}

static noreturn void
bad_option(const char *what, int opt)
{
	fprintf(stderr, PROG ": %s -%c\n", what, opt);
	usage(stderr);
	exit(EX_USAGE);
}

static noreturn void
fail(int status, const char *subject, int err)
{
	fprintf(stderr, PROG ": %s: %s\n", subject, strerror(err));
	exit(status);
}

static double
seconds(const struct timeval *tv)
{
	return (double)tv->tv_sec + (double)tv->tv_usec / 1e6;
}

static double
elapsed(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) +
	    (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

/*
 * In the child: wires stdin/stdout and execs.  On failure the errno goes
 * up the close-on-exec pipe, so the parent can tell "could not run" from
 * a command that ran and exited 127.
 */
static noreturn void
child(int in, int out, int report, char *argv[])
{
	int err;

	/* dup2() clears close-on-exec on the copies only. */
	if (dup2(in, STDIN_FILENO) == -1 || dup2(out, STDOUT_FILENO) == -1)
		err = errno;
	else {
		execvp(argv[0], argv);
		err = errno;
	}
	(void)!write(report, &err, sizeof(err));
	_exit(127);
}

int
main(int argc, char *argv[])
{
	const char *infile = "/dev/null", *outfile = "/dev/null";
	struct timespec t0, t1;
	struct rusage ru;
	pid_t pid;
	ssize_t n;
	int ch, in, out, report[2], err, wstatus, status;

	if (argc > 1 && strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return 0;
	}
	opterr = 0;
	/* "+": stop at CMD even without "--", as POSIX getopt does. */
	while ((ch = getopt(argc, argv, "+:hi:o:")) != -1) {
		switch (ch) {
		case 'h':
			usage(stdout);
			return 0;
		case 'i':
			infile = optarg;
			break;
		case 'o':
			outfile = optarg;
			break;
		case ':':
			bad_option("option needs an argument", optopt);
		default:
			bad_option("unknown option", optopt);
		}
	}
	argv += optind;
	if (argv[0] == NULL) {
		fputs(PROG ": missing command\n", stderr);
		usage(stderr);
		return EX_USAGE;
	}

	/* With 0, 1 and 2 open, the files below cannot land on them. */
	while ((in = open("/dev/null", O_RDWR)) != -1 && in <= STDERR_FILENO)
		;
	if (in != -1)
		close(in);
	if ((in = open(infile, O_RDONLY | O_CLOEXEC)) == -1)
		fail(EX_NOINPUT, infile, errno);
	if ((out = open(outfile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0666)) == -1)
		fail(EX_CANTCREAT, outfile, errno);
	if (pipe(report) == -1)
		fail(EX_SOFTWARE, "pipe", errno);
	if (fcntl(report[0], F_SETFD, FD_CLOEXEC) == -1 ||
	    fcntl(report[1], F_SETFD, FD_CLOEXEC) == -1)
		fail(EX_SOFTWARE, "fcntl", errno);
	fflush(NULL);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((pid = fork()) == -1)
		fail(EX_SOFTWARE, "fork", errno);
	if (pid == 0)
		child(in, out, report[1], argv);
	close(report[1]);
	close(in);
	close(out);

	while ((n = read(report[0], &err, sizeof(err))) == -1 &&
	    errno == EINTR)
		;
	close(report[0]);
	while (wait4(pid, &wstatus, 0, &ru) == -1) {
		if (errno != EINTR)
			fail(EX_SOFTWARE, "wait4", errno);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (n == (ssize_t)sizeof(err))
		fail(EX_SOFTWARE, argv[0], err);

	if (WIFEXITED(wstatus))
		status = WEXITSTATUS(wstatus);
	else if (WIFSIGNALED(wstatus)) {
		status = 128 + WTERMSIG(wstatus);
		fprintf(stderr, PROG ": %s: killed by signal %d\n", argv[0],
		    WTERMSIG(wstatus));
	} else
		status = EX_SOFTWARE;

	/* Linux reports ru_maxrss in KiB. */
	printf("wall=%.3f user=%.3f sys=%.3f maxrss_kb=%ld status=%d\n",
	    elapsed(&t0, &t1), seconds(&ru.ru_utime), seconds(&ru.ru_stime),
	    (long)ru.ru_maxrss, status);
	if (fflush(stdout) != 0 || ferror(stdout))
		fail(EX_IOERR, "standard output", errno);
	return status;
}
