/* opt.c: the option engine (no abbreviations, options anywhere, "--" ends them). */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "die.h"
#include "opt.h"
#include "str.h"
#include "version.h"

struct crm_globals crm_g = { .wait_ms = 5000 };

/* The options given, for crm_run_command() to check against the command. */
static const struct crm_opt *given[256];
static size_t ngiven;

/* Does option O belong to command CMD (a word of O->cmds, or cmds empty)? */
static int
opt_for(const struct crm_opt *o, const char *cmd)
{
	size_t n = strlen(cmd);
	const char *p = o->cmds;

	if (p == NULL || *p == '\0')
		return 1;
	while ((p = strstr(p, cmd)) != NULL) {
		if ((p == o->cmds || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return 1;
		p += n;
	}
	return 0;
}

static const struct crm_cmd *
find_cmd(const char *name)
{
	for (const struct crm_cmd *c = crm_prog.cmds; c && c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

static const struct crm_opt *
find_long(const char *name, size_t len)
{
	for (const struct crm_opt *o = crm_prog.opts; o->name; o++)
		if (strlen(o->name) == len && memcmp(o->name, name, len) == 0)
			return o;
	return NULL;
}

static const struct crm_opt *
find_short(int c)
{
	for (const struct crm_opt *o = crm_prog.opts; o->name; o++)
		if (o->shortc == c)
			return o;
	return NULL;
}

/*
** Does usage line U describe command CMD ("add ...", "qualify | convert
** ...", or "[score] ..." for the command a program runs when none is named)?
*/
static int
usage_of(const char *u, const char *cmd)
{
	size_t n = strlen(cmd);

	for (;;) {
		if (*u == '[' && strncmp(u + 1, cmd, n) == 0 && u[n + 1] == ']')
			return 1;
		if (strncmp(u, cmd, n) == 0 && (u[n] == ' ' || u[n] == '\0'))
			return 1;
		if ((u = strchr(u, ' ')) == NULL || strncmp(u, " | ", 3) != 0)
			return 0;
		u += 3;
	}
}

/* The usage lines, or with CMD only those of command CMD. */
static void
print_usage_of(FILE *out, const char *cmd)
{
	int first = 1;

	for (const char *const *u = crm_prog.usage; *u; u++) {
		if (cmd && !usage_of(*u, cmd))
			continue;
		fprintf(out, "%s %s %s\n", first ? "usage:" : "      ",
		    crm_prog.name, *u);
		first = 0;
	}
}

void
crm_print_usage(FILE *out)
{
	print_usage_of(out, NULL);
}

/* --help, or "crm-lead add --help": the usage and options of command CMD. */
static void
print_help(const char *cmd)
{
	printf("%s - %s\n\n", crm_prog.name, crm_prog.purpose);
	print_usage_of(stdout, cmd);
	printf("\noptions:\n");
	for (const struct crm_opt *o = crm_prog.opts; o->name; o++) {
		char left[64];
		int n = 0;

		if (cmd && !opt_for(o, cmd))
			continue;
		if (o->shortc)
			n = snprintf(left, sizeof left, "-%c, ", o->shortc);
		else
			n = snprintf(left, sizeof left, "    ");
		n += snprintf(left + n, sizeof left - (size_t)n, "--%s", o->name);
		if (o->arg == ARG_REQ)
			snprintf(left + n, sizeof left - (size_t)n, " %s", o->metavar);
		printf("  %-26s %s\n", left, o->help);
	}
	printf("  %-26s %s\n", "    --help", "show this help and exit");
	printf("  %-26s %s\n", "    --version", "show the version and exit");
	printf("\nSee %s(1).\n", crm_prog.name);
}

/* The hidden --dump-options: the table as TSV, for man pages and completions. */
static void
dump_options(void)
{
	printf("short\tlong\targ\tmetavar\tcomplete\thelp\n");
	for (const struct crm_opt *o = crm_prog.opts; o->name; o++) {
		char shortc[2] = { (char)o->shortc, '\0' };

		printf("%s\t%s\t%s\t%s\t%s\t%s\n", o->shortc ? shortc : "\\N",
		    o->name, o->arg == ARG_REQ ? "required" : "none",
		    o->metavar ? o->metavar : "\\N", o->complete, o->help);
	}
}

long long
crm_parse_int(const char *opt, const char *s, long long min, long long max)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno == ERANGE || v < min || v > max)
		crm_usage_error("--%s must be a whole number from %lld to %lld, "
		    "got '%s'", opt, min, max, s);
	return v;
}

static void
set_common(const struct crm_opt *o, const char *arg)
{
	switch (o->id) {
	case OPT_DB:
		crm_g.db_path = arg;
		break;
	case OPT_AS:
		crm_g.actor = arg;
		crm_g.actor_given = 1;
		break;
	case OPT_WAIT:
		crm_g.wait_ms = (int)crm_parse_int(o->name, arg, 0, 86400) * 1000;
		break;
	case OPT_CSV:
		crm_g.csv = 1;
		break;
	case OPT_NOW:
		crm_g.now = arg;
		break;
	case OPT_QUIET:
		crm_g.quiet = 1;
		break;
	case OPT_NULL_TEXT:
		/* Written as it is: a tab or line break would split the row. */
		if (strpbrk(arg, "\t\n\r") != NULL)
			crm_usage_error("--null: TEXT may not hold a tab or a line "
			    "break");
		crm_g.null_text = arg;
		break;
	case OPT_JSON:
		crm_g.json = 1;
		break;
	case OPT_COLUMNS:
		if (strspn(arg, " \t,") == strlen(arg))
			crm_usage_error("--columns: no column names in '%s'", arg);
		crm_g.columns = arg;
		break;
	}
}

static void
apply(const struct crm_opt *o, const char *arg,
    void (*cb)(int, const char *, void *), void *ctx)
{
	if (ngiven < sizeof given / sizeof given[0])
		given[ngiven++] = o;
	if (o->id > COPT_FIRST && o->id < COPT_LAST)
		set_common(o, arg);
	else
		cb(o->id, arg, ctx);
}

static void
defaults(void)
{
	const char *e;

	if (crm_g.db_path == NULL)
		crm_g.db_path = (e = getenv("CRM_DB")) && *e ? e : "crm.db";
	if (crm_g.now == NULL && (e = getenv("CRM_NOW")) && *e)
		crm_g.now = e;
	if (crm_g.actor == NULL) {
		struct passwd *pw;

		if ((e = getenv("CRM_USER")) && *e) {
			crm_g.actor = e;
			crm_g.actor_given = 1;
		}
		else if ((e = getenv("LOGNAME")) && *e)
			crm_g.actor = e;
		else if ((pw = getpwuid(getuid())) != NULL)
			crm_g.actor = pw->pw_name;
		else
			crm_g.actor = "unknown";
	}
}

int
crm_parse_options(int argc, char **argv,
    void (*cb)(int id, const char *arg, void *ctx), void *ctx)
{
	int nop = 0, i;

	for (i = 1; i < argc; i++) {
		char *a = argv[i];
		const struct crm_opt *o;

		if (strcmp(a, "--") == 0) {
			for (i++; i < argc; i++)
				argv[nop++] = argv[i];
			break;
		}
		if (a[0] != '-' || a[1] == '\0') {
			argv[nop++] = a;
			continue;
		}
		if (a[1] == '-') {
			char *name = a + 2, *eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);
			const char *arg = NULL;

			if (strcmp(name, "help") == 0) {
				print_help(nop > 0 && find_cmd(argv[0]) ? argv[0] : NULL);
				exit(0);
			}
			if (strcmp(name, "version") == 0) {
				printf("%s %s\n", crm_prog.name, CRM_VERSION);
				exit(0);
			}
			if (strcmp(name, "dump-options") == 0) {
				dump_options();
				exit(0);
			}
			if ((o = find_long(name, len)) == NULL)
				crm_usage_error("unknown option '--%.*s'", (int)len, name);
			if (o->arg == ARG_REQ) {
				if (eq)
					arg = eq + 1;
				else if (i + 1 < argc)
					arg = argv[++i];
				else
					crm_usage_error("option '--%s' needs a value", o->name);
			} else if (eq)
				crm_usage_error("option '--%s' takes no value", o->name);
			apply(o, arg, cb, ctx);
			continue;
		}
		for (char *p = a + 1; *p; p++) {
			if ((o = find_short((unsigned char)*p)) == NULL)
				crm_usage_error("unknown option '-%c'", *p);
			if (o->arg == ARG_NONE) {
				apply(o, NULL, cb, ctx);
				continue;
			}
			if (p[1])
				apply(o, p + 1, cb, ctx);
			else if (i + 1 < argc)
				apply(o, argv[++i], cb, ctx);
			else
				crm_usage_error("option '-%c' needs a value", *p);
			break;
		}
	}
	defaults();
	argv[nop] = NULL;
	return nop;
}

int
crm_run_command(int argc, char **argv, void *args)
{
	const struct crm_cmd *c;
	struct strbuf names = STRBUF_INIT;

	sb_init(&names);
	for (c = crm_prog.cmds; c->name; c++)
		sb_addf(&names, "%s%s", names.len ? ", " : "", c->name);
	if (argc == 0)
		crm_usage_error("missing command (%s)", names.buf);
	if ((c = find_cmd(argv[0])) == NULL)
		crm_usage_error("unknown command '%s' (%s)", argv[0], names.buf);
	sb_free(&names);
	for (size_t i = 0; i < ngiven; i++)
		if (!opt_for(given[i], c->name))
			crm_usage_error("option '--%s' is not for %s (it is for %s)",
			    given[i]->name, c->name, given[i]->cmds);
	return c->fn(argc, argv, args);
}
