/* crm: the front end.  "crm NAME ARGS" runs crm-NAME ARGS, as git does. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/version.h"

/* The directory this program was run from, so bin/crm finds bin/crm-lead. */
static void
self_dir(char *buf, size_t n)
{
	ssize_t len = readlink("/proc/self/exe", buf, n - 1);
	char *slash;

	if (len <= 0) {
		buf[0] = '\0';
		return;
	}
	buf[len] = '\0';
	if ((slash = strrchr(buf, '/')) != NULL)
		*slash = '\0';
}

static int
cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* List the crm-* programs in our directory and on PATH, once each. */
static void
list_commands(FILE *out)
{
	char dir[PATH_MAX], *path = getenv("PATH"), *copy, *p, *names[256];
	size_t n = 0;

	self_dir(dir, sizeof dir);
	copy = malloc(strlen(dir) + (path ? strlen(path) : 0) + 2);
	if (copy == NULL)
		return;
	sprintf(copy, "%s:%s", dir, path ? path : "");
	for (p = strtok(copy, ":"); p; p = strtok(NULL, ":")) {
		DIR *d = opendir(p);
		struct dirent *e;

		if (d == NULL)
			continue;
		while ((e = readdir(d)) != NULL && n < 256) {
			size_t k;

			if (strncmp(e->d_name, "crm-", 4) != 0 || e->d_name[4] == '\0')
				continue;
			for (k = 0; k < n; k++)
				if (strcmp(names[k], e->d_name + 4) == 0)
					break;
			if (k == n && (names[n] = strdup(e->d_name + 4)) != NULL)
				n++;
		}
		closedir(d);
	}
	free(copy);
	qsort(names, n, sizeof *names, cmp);
	fprintf(out, "commands:\n");
	for (size_t k = 0; k < n; k++) {
		fprintf(out, "  %s\n", names[k]);
		free(names[k]);
	}
}

static void
usage(FILE *out)
{
	fprintf(out, "usage: crm COMMAND [ARG ...]\n"
	    "       crm help [COMMAND]\n"
	    "       crm --version\n\n");
	list_commands(out);
	fprintf(out, "\nRun 'crm help COMMAND' for a command's manual; see crm(7).\n");
}

/* Run crm-NAME with ARGV, from our own directory first, else PATH. */
static int
run(const char *name, char **argv)
{
	char dir[PATH_MAX], prog[PATH_MAX + 64];

	if (strchr(name, '/') || name[0] == '\0') {
		fprintf(stderr, "crm: '%s' is not a crm command\n", name);
		return 2;
	}
	snprintf(prog, sizeof prog, "crm-%s", name);
	argv[0] = prog;
	self_dir(dir, sizeof dir);
	if (dir[0]) {
		char full[PATH_MAX + 80];

		snprintf(full, sizeof full, "%s/crm-%s", dir, name);
		if (access(full, X_OK) == 0) {
			execv(full, argv);
			fprintf(stderr, "crm: cannot run '%s': %s\n", full, strerror(errno));
			return 1;
		}
	}
	execvp(prog, argv);
	if (errno == ENOENT) {
		fprintf(stderr, "crm: '%s' is not a crm command; see 'crm --help'\n", name);
		return 2;
	}
	fprintf(stderr, "crm: cannot run '%s': %s\n", prog, strerror(errno));
	return 1;
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("crm %s\n", CRM_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "help") == 0) {
		char page[PATH_MAX];
		char *args[] = { "man", page, NULL };

		if (argc < 3) {
			usage(stdout);
			return 0;
		}
		snprintf(page, sizeof page, "crm-%s", argv[2]);
		if (isatty(STDOUT_FILENO))
			execvp("man", args);
		/* no man, or not a terminal: the command's own help */
		char *help[] = { NULL, "--help", NULL };
		return run(argv[2], help);
	}
	return run(argv[1], argv + 1);
}
