/* opt.h: one option table per program drives parsing, --help and completions. */
#ifndef CRM_OPT_H
#define CRM_OPT_H

#include <stdio.h>

enum crm_arg { ARG_NONE, ARG_REQ };

struct crm_opt {
	int id;
	int shortc;		/* 0 when the option has no short form */
	const char *name;	/* long name, without the dashes */
	enum crm_arg arg;
	const char *metavar;
	const char *complete;	/* "_files", a word list, or "" */
	const char *cmds;	/* the commands that take it, space-separated; "" for all */
	const char *help;
};

/* Ids of the options in common.opts; a program's own ids start at 1. */
enum {
	COPT_FIRST = 1000,
#define OPT(id, s, l, a, m, c, k, h) OPT_##id,
#include "common.opts"
#undef OPT
	COPT_LAST
};

/*
** A command of a program (crm-lead add): FN gets the operands with the
** command name in ARGV[0], and the program's parsed options in ARGS.
*/
struct crm_cmd {
	const char *name;
	int (*fn)(int argc, char **argv, void *args);
};

/* What a program is: its name, one-line purpose, usage lines and options. */
struct crm_prog {
	const char *name;
	const char *purpose;
	const char *const *usage;	/* NULL-terminated, without the program name */
	const struct crm_opt *opts;	/* terminated by an entry with name NULL */
	const struct crm_cmd *cmds;	/* NULL, or terminated by a NULL name */
};

extern const struct crm_prog crm_prog;	/* defined by each src/cmd/NAME.c */

/* The settings every program shares, filled by crm_parse_options(). */
struct crm_globals {
	const char *db_path;
	const char *actor;
	int actor_given;	/* actor from --as or $CRM_USER, not the login */
	int wait_ms;
	int csv;
	int quiet;
	const char *now;	/* --now or $CRM_NOW, NULL for the clock */
	const char *null_text;	/* --null: NULL on standard output, NULL for "" */
	int json;		/* --json: standard output is JSON Lines */
	const char *columns;	/* -o: the columns for standard output, or NULL */
};
extern struct crm_globals crm_g;

/*
** Parse ARGV against crm_prog.opts.  Options may come before or after
** operands; "--" ends them; long options are never abbreviated.  Each
** program option is passed to CB (which returns nothing: it dies on bad
** values).  --help, --version and --dump-options print and exit 0; misuse
** exits 2.  The operands are left in argv[0..n) and n is returned.
*/
int crm_parse_options(int argc, char **argv,
    void (*cb)(int id, const char *arg, void *ctx), void *ctx);

void crm_print_usage(FILE *out);

/*
** Run the command ARGV[0] of a program with commands, after
** crm_parse_options(): a missing or unknown command, and an option given
** that the command does not take (the cmds column of the option table),
** are usage errors (exit 2).  Returns what the command returns.
*/
int crm_run_command(int argc, char **argv, void *args);

/* Strict number parsing: dies with status 2 naming OPT on a bad value. */
long long crm_parse_int(const char *opt, const char *s, long long min,
    long long max);

#endif
