/* crm-db: the database itself: create, check, back up, and the site's settings. */
#include "../crm.h"
#include "../lib/check.h"
#include "../lib/dbcopy.h"

enum {
	OPT_FIRST_ = 0,
#define OPT(id, s, l, a, m, c, k, h) OPT_##id,
#include "db.opts"
#undef OPT
};

static const struct crm_opt db_options[] = {
#define OPT(id, s, l, a, m, c, k, h) { OPT_##id, s, l, a, m, c, k, h },
#include "db.opts"
#include "../lib/common.opts"
#undef OPT
	{ 0, 0, NULL, ARG_NONE, NULL, NULL, NULL, NULL }
};

static const char *const db_usage[] = {
	"init [--timezone ZONE]",
	"migrate",
	"version",
	"check [--limit N]",
	"backup FILE",
	"copy [--replace] FROM TO",
	"config [-n] [KEY [VALUE]]",
	NULL
};

static int db_init(int, char **, void *), db_check(int, char **, void *);
static int db_backup(int, char **, void *), db_config(int, char **, void *);
static int db_migrate(int, char **, void *), db_version(int, char **, void *);
static int db_copy(int, char **, void *);

static const struct crm_cmd db_cmds[] = {
	{ "init", db_init }, { "migrate", db_migrate }, { "version", db_version },
	{ "check", db_check }, { "backup", db_backup }, { "copy", db_copy },
	{ "config", db_config },
	{ NULL, NULL }
};

const struct crm_prog crm_prog = {
	"crm-db", "the database: create, check for cron, back up, site settings",
	db_usage, db_options, db_cmds
};

struct args {
	const char *timezone;
	long long limit;
	int dry_run, replace;
};

static void
on_opt(int id, const char *arg, void *ctx)
{
	struct args *a = ctx;

	switch (id) {
	case OPT_TIMEZONE:
		if (!crm_tz_valid(arg))
			crm_usage_error("--timezone: unknown time zone '%s' (an IANA "
			    "name such as Asia/Shanghai)", arg);
		a->timezone = arg;
		break;
	case OPT_LIMIT: a->limit = crm_parse_int("limit", arg, 1, 1LL << 40); break;
	case OPT_DRY_RUN: a->dry_run = 1; break;
	case OPT_REPLACE: a->replace = 1; break;
	}
}

/* The settings there are, and the values each takes. */
static const struct {
	const char *key, *help;
} settings[] = {
	{ "timezone", "an IANA time zone: the site's days" },
	{ "test-clock", "on or off: may everyone move the clock (--now)" },
};

static const char *
setting_error(const char *key, const char *value)
{
	static char msg[200];

	if (strcmp(key, "timezone") == 0 && !crm_tz_valid(value))
		snprintf(msg, sizeof msg, "timezone: unknown time zone '%s' (an "
		    "IANA name such as Asia/Shanghai)", value);
	else if (strcmp(key, "test-clock") == 0 && strcmp(value, "on") != 0 &&
	    strcmp(value, "off") != 0)
		snprintf(msg, sizeof msg, "test-clock: 'on' or 'off', not '%s'",
		    value);
	else
		return NULL;
	return msg;
}

static void
put_settings(struct crm_db *db, struct rec_writer *w, const char *only)
{
	static const char *const cols[] = { "key", "value", "meaning" };

	recw_header(w, 3, cols);
	for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i++) {
		const char *v[3];

		if (only && strcmp(only, settings[i].key) != 0)
			continue;
		v[0] = settings[i].key;
		v[1] = crm_config_get(db, settings[i].key);
		if (v[1] == NULL && strcmp(v[0], "test-clock") == 0)
			v[1] = "off";
		v[2] = settings[i].help;
		recw_row(w, 3, v);
	}
}

/* init: a new database (nothing when it exists), its settings printed. */
static int
db_init(int argc, char **argv, void *args)
{
	struct args *a = args;
	struct crm_run run;

	(void)argv;
	if (argc != 1)
		crm_usage_error("init takes no operands (the file is --db)");
	if (a->timezone)
		crm_tz_set(a->timezone);
	crm_run_begin(&run, CRM_BATCH_DB_INIT, CRM_RUN_CREATE, NULL);
	if (a->timezone) {
		crm_require_admin(run.db, "setting the time zone");
		crm_config_set(run.db, "timezone", a->timezone);
	}
	put_settings(run.db, run.out, NULL);
	crm_run_end(&run);
	return 0;
}

/* migrate: bring an existing database's schema up to this program's. */
static int
db_migrate(int argc, char **argv, void *args)
{
	static const char *const cols[] = { "engine", "from", "to" };
	struct crm_db *db;
	struct rec_writer *w;
	char from[24], to[24];
	const char *v[3];

	(void)argv, (void)args;
	if (argc != 1)
		crm_usage_error("migrate takes no operands (the database is --db)");
	db = crm_db_open(CRM_DB_WRITE);	/* opening migrates */
	snprintf(from, sizeof from, "%lld", crm_db_version_found(db));
	snprintf(to, sizeof to, "%lld", crm_db_version(db));
	v[0] = crm_db_engine(db);
	v[1] = from;
	v[2] = to;
	w = recw_open(stdout, "standard output", crm_g.csv);
	recw_header(w, 3, cols);
	recw_row(w, 3, v);
	recw_close(w);
	crm_db_close(db);
	return 0;
}

/* version: the schema's version and this program's, without changing either. */
static int
db_version(int argc, char **argv, void *args)
{
	static const char *const cols[] = { "engine", "schema", "program", "state" };
	struct crm_db *db;
	struct rec_writer *w;
	char have[24], want[24];
	const char *v[4];
	long long h, n = crm_db_version_wanted();

	(void)argv, (void)args;
	if (argc != 1)
		crm_usage_error("version takes no operands (the database is --db)");
	db = crm_db_open(CRM_DB_PEEK);
	h = crm_db_version_found(db);
	snprintf(have, sizeof have, "%lld", h);
	snprintf(want, sizeof want, "%lld", n);
	v[0] = crm_db_engine(db);
	v[1] = have;
	v[2] = want;
	v[3] = h == n ? "current" : h < n ? "older: crm-db migrate upgrades it" :
	    "newer: upgrade crm";
	w = recw_open(stdout, "standard output", crm_g.csv);
	recw_header(w, 4, cols);
	recw_row(w, 4, v);
	recw_close(w);
	crm_db_close(db);
	return 0;
}

/* config [KEY [VALUE]]: read the settings, or set one (an admin's). */
static int
db_config(int argc, char **argv, void *args)
{
	struct args *a = args;
	struct crm_run run;
	const char *key = argc > 1 ? argv[1] : NULL, *old, *err;
	size_t i;

	if (argc > 3)
		crm_usage_error("config takes KEY and VALUE at most");
	for (i = 0; key && i < sizeof settings / sizeof settings[0]; i++)
		if (strcmp(key, settings[i].key) == 0)
			break;
	if (key && i == sizeof settings / sizeof settings[0])
		crm_usage_error("config: no setting '%s' (timezone, test-clock)",
		    key);
	if (argc == 3 && (err = setting_error(key, argv[2])) != NULL)
		crm_usage_error("config %s", err);
	if (argc < 3) {
		struct crm_db *db = crm_db_open(CRM_DB_READ);
		struct rec_writer *w = recw_open(stdout, "standard output",
		    crm_g.csv);

		put_settings(db, w, key);
		recw_close(w);
		crm_db_close(db);
		return 0;
	}
	crm_run_begin(&run, CRM_BATCH_DB_CONFIG, a->dry_run ? CRM_RUN_DRY : 0,
	    NULL);
	crm_require_admin(run.db, "changing a setting");
	old = crm_config_get(run.db, key);
	if (old == NULL || strcmp(old, argv[2]) != 0) {
		char *was = old ? xstrdup(old) : NULL;

		crm_config_set(run.db, key, argv[2]);
		crm_history(run.db, "config", 0, key, was, argv[2], "crm-db config");
		free(was);
		run.rows = 1;
	}
	put_settings(run.db, run.out, key);
	crm_run_end(&run);
	return 0;
}

struct check_out {
	struct rec_writer *w;
	long long shown, limit;
};

static void
put_problem(const char *check, const char *entity, long long id,
    const char *problem, void *ctx)
{
	struct check_out *o = ctx;
	char idb[32];
	const char *v[4];

	if (o->shown++ >= o->limit)
		return;
	snprintf(idb, sizeof idb, "%lld", id);
	v[0] = check;
	v[1] = entity;
	v[2] = idb;
	v[3] = problem;
	recw_row(o->w, 4, v);
}

/* check: for cron; exit 1 when anything is wrong, the first problems listed. */
static int
db_check(int argc, char **argv, void *args)
{
	static const char *const cols[] = { "check", "entity", "id", "problem" };
	struct args *a = args;
	struct check_out o = { NULL, 0, a->limit ? a->limit : 100 };
	struct crm_db *db;
	long long n;

	(void)argv;
	if (argc != 1)
		crm_usage_error("check takes no operands");
	db = crm_db_open(CRM_DB_READ);
	o.w = recw_open(stdout, "standard output", crm_g.csv);
	recw_header(o.w, 4, cols);
	n = crm_db_check(db, put_problem, &o);
	recw_close(o.w);
	crm_db_close(db);
	if (n == 0)
		return 0;
	crm_warn("'%s': %lld problem%s%s", crm_g.db_path, n, n == 1 ? "" : "s",
	    n > o.limit ? " (the first listed)" : "");
	return 1;
}

/* backup FILE: a consistent copy while others go on working. */
static int
db_backup(int argc, char **argv, void *args)
{
	struct crm_db *db;

	(void)args;
	if (argc != 2)
		crm_usage_error("backup takes one FILE");
	db = crm_db_open(CRM_DB_READ);
	crm_require_admin(db, "a backup");
	crm_db_backup(db, argv[1]);
	crm_db_close(db);
	if (!crm_g.quiet)
		crm_warn("backed up '%s' to '%s'", crm_g.db_path, argv[1]);
	return 0;
}

/*
** copy FROM TO: a whole database into another, SQLite or PostgreSQL
** either way, checked table by table; exit 1 when a check fails.
*/
static int
db_copy(int argc, char **argv, void *args)
{
	struct args *a = args;
	struct rec_writer *w;
	long long bad;

	if (argc != 3)
		crm_usage_error("copy takes FROM and TO (a file or a postgresql:// URI)");
	w = recw_open(stdout, "standard output", crm_g.csv);
	bad = crm_db_copy(argv[1], argv[2], a->replace, w);
	recw_close(w);
	return bad ? 1 : 0;
}

int
cmd_main(int argc, char **argv)
{
	struct args a;

	memset(&a, 0, sizeof a);
	argc = crm_parse_options(argc, argv, on_opt, &a);
	return crm_run_command(argc, argv, &a);
}
