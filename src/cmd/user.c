/* crm-user: reps and teams: add, list, show, update, deactivate, import. */
#include "../crm.h"

enum {
	OPT_FIRST_ = 0,
#define OPT(id, s, l, a, m, c, k, h) OPT_##id,
#include "user.opts"
#undef OPT
};

static const struct crm_opt user_options[] = {
#define OPT(id, s, l, a, m, c, k, h) { OPT_##id, s, l, a, m, c, k, h },
#include "user.opts"
#include "../lib/common.opts"
#undef OPT
	{ 0, 0, NULL, ARG_NONE, NULL, NULL, NULL, NULL }
};

static const char *const user_usage[] = {
	"add [-n] LOGIN [--name NAME] [--email EMAIL] [--team TEAM] [--role ROLE] [--capacity N] [--weight N] [--regions LIST] [--industries LIST] [--away FROM..TO]",
	"list [-a] [--team TEAM]",
	"show LOGIN ...",
	"update [-n] LOGIN [--name NAME] [--team TEAM] [--role ROLE] [--capacity N] ... [--away FROM..TO | --back]",
	"deactivate | activate [-n] LOGIN ...",
	"import [-n] [FILE ...]",
	"team add [-n] NAME ...",
	"team list",
	"target [-n] LOGIN|team:NAME --period PERIOD --amount AMOUNT [--currency CODE]",
	"targets [--period PERIOD] [LOGIN|team:NAME]",
	NULL
};

static int user_add(int, char **, void *), user_list(int, char **, void *);
static int user_show(int, char **, void *), user_update(int, char **, void *);
static int user_active(int, char **, void *), user_import(int, char **, void *);
static int user_team(int, char **, void *), user_target(int, char **, void *);
static int user_targets(int, char **, void *);

static const struct crm_cmd user_cmds[] = {
	{ "add", user_add }, { "list", user_list }, { "show", user_show },
	{ "update", user_update }, { "deactivate", user_active },
	{ "activate", user_active }, { "import", user_import },
	{ "team", user_team }, { "target", user_target },
	{ "targets", user_targets }, { NULL, NULL }
};

const struct crm_prog crm_prog = {
	"crm-user", "manage reps and teams: roles, capacity, leave",
	user_usage, user_options, user_cmds
};

struct args {
	struct crm_user_change c;
	const char *period, *amount, *currency;
	int all, dry_run, any_change;
};

/*
** Values are checked here only as far as they need no database (a bad
** one is a usage error before anything is opened); crm_user_save()
** checks them again, and reads --away in the site's time zone.
*/
static void
on_opt(int id, const char *arg, void *ctx)
{
	struct args *a = ctx;
	char from[CRM_TIME_LEN], until[CRM_TIME_LEN];

	if (id != OPT_ALL && id != OPT_DRY_RUN && id != OPT_PERIOD &&
	    id != OPT_AMOUNT && id != OPT_CURRENCY)
		a->any_change = 1;
	switch (id) {
	case OPT_NAME: a->c.name = arg; break;
	case OPT_EMAIL: a->c.email = arg; break;
	case OPT_TEAM: a->c.team = arg; break;
	case OPT_ROLE:
		if (strcmp(arg, "admin") != 0 && strcmp(arg, "rep") != 0)
			crm_usage_error("--role must be admin or rep, got '%s'", arg);
		a->c.role = arg;
		break;
	case OPT_CAPACITY:
		if (strcmp(arg, "none") != 0)
			(void)crm_parse_int("capacity", arg, 0, 1000000);
		a->c.capacity = arg;
		break;
	case OPT_WEIGHT:
		(void)crm_parse_int("weight", arg, 0, 1000);
		a->c.weight = arg;
		break;
	case OPT_REGIONS: a->c.regions = arg; break;
	case OPT_INDUSTRIES: a->c.industries = arg; break;
	case OPT_AWAY:
		if (crm_parse_away(arg, from, until) == -1)
			crm_usage_error("--away takes FROM..TO (dates, TO not "
			    "before FROM, TO may be left out), got '%s'", arg);
		a->c.away = arg;
		break;
	case OPT_BACK: a->c.clear_away = 1; break;
	case OPT_ALL: a->all = 1; break;
	case OPT_DRY_RUN: a->dry_run = 1; break;
	case OPT_PERIOD: a->period = arg; break;
	case OPT_AMOUNT: a->amount = arg; break;
	case OPT_CURRENCY: a->currency = arg; break;
	}
}

static unsigned
run_flags(const struct args *a, unsigned flags)
{
	return flags | (a->dry_run ? CRM_RUN_DRY : 0);
}

/* Open a writing run of KIND whose records are users. */
static void
begin_users(struct crm_run *run, enum crm_batch_kind kind, unsigned flags,
    const char *source)
{
	crm_run_begin(run, kind, flags, source);
	recw_header(run->out, UC_N, crm_user_cols);
}

/* add LOGIN: the one command of crm-user that may create the database. */
static int
user_add(int argc, char **argv, void *args)
{
	struct args *a = args;
	struct crm_run run;
	const char *err;
	long long id;

	if (argc != 2)
		crm_usage_error("add takes one LOGIN");
	begin_users(&run, CRM_BATCH_USER_ADD, run_flags(a, CRM_RUN_CREATE),
	    NULL);
	if ((err = crm_user_save(run.db, argv[1], &a->c, 0, &id, NULL)) != NULL)
		crm_die("not added: %s", err);
	run.rows = 1;
	crm_users_write(run.db, run.out, NULL, 1, argv[1]);
	crm_run_end(&run);
	return 0;
}

static int
user_update(int argc, char **argv, void *args)
{
	struct args *a = args;
	struct crm_run run;
	const char *err;
	long long id;
	int changed;

	if (argc != 2)
		crm_usage_error("update takes one LOGIN");
	if (!a->any_change)
		crm_usage_error("update: nothing to change (give --name, --team, "
		    "--role, --capacity, ...)");
	if (a->c.away && a->c.clear_away)
		crm_usage_error("--away and --back exclude each other");
	begin_users(&run, CRM_BATCH_USER_UPDATE, run_flags(a, 0), NULL);
	if ((err = crm_user_save(run.db, argv[1], &a->c, 1, &id, &changed)))
		crm_die("not updated: %s", err);
	if (!changed && !crm_g.quiet)
		crm_warn("note: '%s' was so already", argv[1]);
	run.rows = changed;
	crm_users_write(run.db, run.out, NULL, 1, argv[1]);
	crm_run_end(&run);
	return 0;
}

/* deactivate, activate LOGIN...: all or nothing. */
static int
user_active(int argc, char **argv, void *args)
{
	struct args *a = args;
	struct crm_run run;
	int active = strcmp(argv[0], "activate") == 0;

	if (argc < 2)
		crm_usage_error("%s needs at least one LOGIN", argv[0]);
	begin_users(&run, active ? CRM_BATCH_USER_ACTIVATE :
	    CRM_BATCH_USER_DEACTIVATE, run_flags(a, 0), NULL);
	for (int i = 1; i < argc; i++) {
		const char *err;
		long long n;
		int changed;

		if ((err = crm_user_set_active(run.db, argv[i], active, &changed)))
			crm_die("%s: %s", argv[i], err);
		if (!changed && !crm_g.quiet)
			crm_warn("note: '%s' was %s already", argv[i],
			    active ? "active" : "inactive");
		if (!active && changed && !crm_g.quiet &&
		    (n = crm_user_owned(run.db, crm_user_id(run.db, argv[i]))) > 0)
			crm_warn("note: '%s' still owns %lld customer%s (hand them "
			    "over with crm-assign --transfer-from)", argv[i], n,
			    n == 1 ? "" : "s");
		run.rows += changed;
		crm_users_write(run.db, run.out, NULL, 1, argv[i]);
	}
	crm_run_end(&run);
	return 0;
}

/* list: any user may read the users (no customer data is in them). */
static int
user_list(int argc, char **argv, void *args)
{
	struct args *a = args;
	struct crm_db *db;
	struct rec_writer *w;

	(void)argv;
	if (argc > 1)
		crm_usage_error("list takes no operands (use show LOGIN)");
	db = crm_db_open(CRM_DB_READ);
	if (a->c.team && crm_team_id(db, a->c.team) < 0)
		crm_die("no team '%s'", a->c.team);
	w = recw_open(stdout, "standard output", crm_g.csv);
	recw_header(w, UC_N, crm_user_cols);
	crm_users_write(db, w, a->c.team, a->all, NULL);
	recw_close(w);
	crm_db_close(db);
	return 0;
}

/* show LOGIN...: deactivated users too; a missing one exits 1 after the rest. */
static int
user_show(int argc, char **argv, void *args)
{
	struct crm_db *db;
	struct rec_writer *w;
	int missing = 0;

	(void)args;
	if (argc < 2)
		crm_usage_error("show needs at least one LOGIN");
	db = crm_db_open(CRM_DB_READ);
	w = recw_open(stdout, "standard output", crm_g.csv);
	recw_header(w, UC_N, crm_user_cols);
	for (int i = 1; i < argc; i++)
		if (crm_users_write(db, w, NULL, 1, argv[i]) == 0) {
			crm_warn("no user '%s'", argv[i]);
			missing = 1;
		}
	recw_close(w);
	crm_db_close(db);
	return missing;
}

/* import [FILE...]: piped input is read to the end before the lock. */
static int
user_import(int argc, char **argv, void *args)
{
	struct args *a = args;
	struct crm_run run;

	crm_run_read_inputs(argc - 1, argv + 1);
	begin_users(&run, CRM_BATCH_USER_IMPORT, run_flags(a, 0),
	    argc > 1 ? argv[1] : "-");
	if (argc == 1)
		run.rows = crm_user_import(run.db, "-", run.out);
	for (int i = 1; i < argc; i++)
		run.rows += crm_user_import(run.db, argv[i], run.out);
	if (!crm_g.quiet)
		crm_warn("%s%lld user%s imported", a->dry_run ? "would have: " : "",
		    run.rows, run.rows == 1 ? "" : "s");
	crm_run_end(&run);
	return 0;
}

/* team add NAME... (all or nothing, then every team), team list. */
static int
user_team(int argc, char **argv, void *args)
{
	struct args *a = args;
	struct crm_run run;
	struct crm_db *db;
	struct rec_writer *w;

	if (argc < 2)
		crm_usage_error("team needs a command (add, list)");
	if (strcmp(argv[1], "list") == 0) {
		if (argc > 2 || a->dry_run)
			crm_usage_error("team list takes no operands or options");
		db = crm_db_open(CRM_DB_READ);
		w = recw_open(stdout, "standard output", crm_g.csv);
		crm_teams_write(db, w);
		recw_close(w);
		crm_db_close(db);
		return 0;
	}
	if (strcmp(argv[1], "add") != 0)
		crm_usage_error("unknown team command '%s' (add, list)", argv[1]);
	if (argc < 3)
		crm_usage_error("team add needs at least one NAME");
	crm_run_begin(&run, CRM_BATCH_USER_TEAM_ADD, run_flags(a, 0), NULL);
	for (int i = 2; i < argc; i++) {
		const char *err;
		long long id;
		int created;

		if ((err = crm_team_add(run.db, argv[i], &id, &created)) != NULL)
			crm_die("not added: %s", err);
		if (!created)
			crm_die("team '%s' exists already", argv[i]);
		run.rows++;
	}
	crm_teams_write(run.db, run.out);
	crm_run_end(&run);
	return 0;
}

/* target WHO: set what a rep or a team should win in a period. */
static int
user_target(int argc, char **argv, void *args)
{
	struct args *a = args;
	struct crm_run run;
	const char *err;
	int changed;

	if (argc != 2)
		crm_usage_error("target takes one LOGIN or team:NAME");
	if (a->period == NULL || a->amount == NULL)
		crm_usage_error("target needs --period and --amount");
	crm_run_begin(&run, CRM_BATCH_USER_TARGET, run_flags(a, 0), NULL);
	if ((err = crm_target_set(run.db, argv[1], a->period, a->amount,
	    a->currency, &changed)) != NULL)
		crm_die("target %s: %s", argv[1], err);
	run.rows = changed;
	crm_targets_list(run.db, run.out, a->period, argv[1]);
	crm_run_end(&run);
	return 0;
}

/* targets: each with what was won toward it so far. */
static int
user_targets(int argc, char **argv, void *args)
{
	struct args *a = args;
	struct crm_db *db;
	struct rec_writer *w;

	if (argc > 2)
		crm_usage_error("targets takes at most one LOGIN or team:NAME");
	db = crm_db_open(CRM_DB_READ);
	w = recw_open(stdout, "standard output", crm_g.csv);
	crm_targets_list(db, w, a->period, argc == 2 ? argv[1] : NULL);
	recw_close(w);
	crm_db_close(db);
	return 0;
}

int
cmd_main(int argc, char **argv)
{
	struct args a;

	memset(&a, 0, sizeof a);
	argc = crm_parse_options(argc, argv, on_opt, &a);
	return crm_run_command(argc, argv, &a);
}
