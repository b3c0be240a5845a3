/*
 * sluice - the front: `sluice CMD ARGS...` runs `sluice-CMD ARGS...`,
 * `sluice help CMD` shows the man page of sluice-CMD.  See sluice(1).
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "diag.h"
#include "opts.h"
#include "xalloc.h"

static const char *const commands[] = {
	"ingest", "validate", "transform", "tag-lineage", "drift", "serve", NULL,
};

static const struct sl_option options[] = {
	{ 0, NULL, NULL, NULL, 0, 0 },
};

static const struct sl_tool tool = {
	"sluice", "sluice", "COMMAND [ARGS...] | help [COMMAND]",
	"run a sluice tool: `sluice ingest ARGS` is `sluice-ingest ARGS`",
	options,
};

/* The folder of this executable, or NULL. */
static char *
self_dir(void)
{
	char path[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
	char *slash;

	if (n <= 0)
		return NULL;
	path[n] = '\0';
	slash = strrchr(path, '/');
	if (slash == NULL)
		return NULL;
	*slash = '\0';
	return sl_strdup(path);
}

/* Is there an executable sluice-CMD next to us or on PATH? */
static char *
find_tool(const char *cmd)
{
	struct sl_buf b = SL_BUF_INIT;
	char *dir = self_dir();
	const char *path = getenv("PATH");

	if (dir) {
		sl_buf_addf(&b, "%s/sluice-%s", dir, cmd);
		free(dir);
		if (access(b.data, X_OK) == 0)
			return sl_buf_detach(&b, NULL);
	}
	while (path && *path) {
		size_t n = strcspn(path, ":");

		sl_buf_reset(&b);
		sl_buf_addf(&b, "%.*s/sluice-%s", (int)n, n ? path : ".", cmd);
		if (access(b.data, X_OK) == 0)
			return sl_buf_detach(&b, NULL);
		path += n + (path[n] == ':');
	}
	sl_buf_release(&b);
	return NULL;
}

static int
valid_name(const char *cmd)
{
	if (*cmd == '\0' || *cmd == '-')
		return 0;
	for (const char *p = cmd; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || *p == '-'))
			return 0;
	return 1;
}

/*
 * Shows man page sluice-CMD (or sluice for "sluice"): from $SLUICE_MANDIR,
 * installed next to this binary, installed under the configured prefix, or
 * in man/ next to a binary built in its source tree.
 */
static int
help(const char *cmd)
{
	static const char *const sections[] = { "1", "5", "7" };
	struct sl_buf page = SL_BUF_INIT, file = SL_BUF_INIT;
	char *dir = self_dir();

	if (!valid_name(cmd))
		sl_usage_error("no such command \"%s\"", cmd);
	if (strcmp(cmd, "sluice") == 0 || strcmp(cmd, "overview") == 0)
		sl_buf_adds(&page, "sluice");
	else
		sl_buf_addf(&page, "sluice-%s", cmd);
	for (int pass = 0; pass < 4; pass++) {
		for (size_t s = 0; s < 3; s++) {
			const char *sec = sections[s];

			if (strcmp(cmd, "overview") == 0 && strcmp(sec, "7") != 0)
				continue;
			const char *env = getenv("SLUICE_MANDIR");

			sl_buf_reset(&file);
			if (pass == 0 && env && *env)
				sl_buf_addf(&file, "%s/%s.%s", env, page.data, sec);
			else if (pass == 1 && dir)
				sl_buf_addf(&file, "%s/../share/man/man%s/%s.%s", dir,
				    sec, page.data, sec);
			else if (pass == 2)
				sl_buf_addf(&file, "%s/man%s/%s.%s", SL_MANDIR, sec,
				    page.data, sec);
			else if (pass == 3 && dir)
				sl_buf_addf(&file, "%s/man/%s.%s", dir, page.data,
				    sec);
			if (file.len && access(file.data, R_OK) == 0) {
				fflush(stdout);
				execlp("man", "man", "-l", file.data, (char *)NULL);
				execlp("groff", "groff", "-mandoc", "-Tutf8",
				    file.data, (char *)NULL);
				sl_die(SL_EX_UNAVAILABLE, "cannot run man or groff "
				    "to show %s: %s", file.data, strerror(errno));
			}
		}
	}
	sl_die(SL_EX_USAGE, "no manual page for \"%s\" (try: sluice help ingest)",
	    cmd);
}

static void
list_commands(FILE *f)
{
	fprintf(f, "\ncommands installed here:\n");
	for (int i = 0; commands[i]; i++) {
		char *path = find_tool(commands[i]);

		if (path)
			fprintf(f, "  %s\n", commands[i]);
		free(path);
	}
	fprintf(f, "\n`sluice help COMMAND` shows a command's manual; "
	    "`sluice help stream`\nthe stream format, `sluice help overview` "
	    "the toolkit.\n");
}

int
main(int argc, char **argv)
{
	const char *cmd;
	char *path;

	sl_diag_init(argv[0]);
	if (argc < 2) {
		sl_usage(&tool, stderr);
		list_commands(stderr);
		return SL_EX_USAGE;
	}
	cmd = argv[1];
	if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0) {
		sl_usage(&tool, stdout);
		list_commands(stdout);
		return SL_EX_OK;
	}
	if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0) {
		printf("sluice %s\n", PACKAGE_VERSION);
		return SL_EX_OK;
	}
	if (strcmp(cmd, "help") == 0) {
		if (argc > 3)
			sl_usage_error("help takes one command");
		return help(argc == 3 ? argv[2] : "sluice");
	}
	if (!valid_name(cmd))
		sl_usage_error("unknown command \"%s\"", cmd);
	path = find_tool(cmd);
	if (path == NULL)
		sl_usage_error("unknown command \"%s\": no sluice-%s here or on "
		    "PATH", cmd, cmd);
	argv[1] = path;
	execv(path, argv + 1);
	sl_die(SL_EX_UNAVAILABLE, "cannot run %s: %s", path, strerror(errno));
}
