/* crm-user: reps and teams: add, list, update, deactivate, import. */
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
	NULL
};

const struct crm_prog crm_prog = {
	"crm-user", "manage reps and teams: roles, capacity, leave",
	user_usage, user_options, NULL
};

struct args {
	struct crm_user_change c;
	int all, dry_run, any_change;
};

static void
on_opt(int id, const char *arg, void *ctx)
{
	struct args *a = ctx;

	if (id != OPT_ALL && id != OPT_DRY_RUN)
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
	case OPT_AWAY: {
		char f[CRM_TIME_LEN], u[CRM_TIME_LEN];

		if (crm_parse_away(arg, f, u) == -1)
			crm_usage_error("--away takes FROM..TO (dates, TO not "
			    "before FROM, TO may be left out), got '%s'", arg);
		a->c.away = arg;
		break;
	}
	case OPT_BACK: a->c.clear_away = 1; break;
	case OPT_ALL: a->all = 1; break;
	case OPT_DRY_RUN: a->dry_run = 1; break;
	}
}

/* Writers: one transaction and batch; output held until commit. */
struct wctx {
	struct crm_db *db;
	struct rec_writer *w;
	int header;
	long long rows;
};

static void
open_writer(struct wctx *x, const char *command, const char *source,
    const char *what)
{
	x->db = crm_db_open(strcmp(command, "crm-user add") == 0 ?
	    CRM_DB_CREATE : CRM_DB_WRITE);
	crm_db_begin(x->db);
	crm_require_admin(x->db, what);
	crm_batch_start(x->db, crm_batch_kind(command), source);
	x->w = recw_open_held(crm_g.csv);
	x->header = 0;
	x->rows = 0;
}

static void
finish(struct wctx *x, struct args *a)
{
	crm_batch_set_rows(x->db, x->rows);
	if (a->dry_run) {
		crm_db_rollback(x->db);
		if (!crm_g.quiet)
			crm_warn("dry run: nothing was changed");
	} else
		crm_db_commit(x->db);
	recw_close(x->w);
	crm_db_close(x->db);
}

static void
put_row(const char *const *v, void *ctx)
{
	struct wctx *x = ctx;

	if (!x->header) {
		recw_header(x->w, UC_N, crm_user_cols);
		x->header = 1;
	}
	recw_row(x->w, UC_N, v);
}

/* Write LOGIN as list does. */
static void
put_user(struct wctx *x, const char *login)
{
	crm_users_each(x->db, NULL, 1, login, put_row, x);
}

static int
user_add(struct args *a, int argc, char **argv)
{
	struct wctx x;
	const char *err;
	long long id;

	if (argc != 2)
		crm_usage_error("add takes one LOGIN");
	if (a->c.clear_away)
		crm_usage_error("--back is for update");
	open_writer(&x, "crm-user add", NULL, "adding a user");
	if ((err = crm_user_save(x.db, argv[1], &a->c, 0, &id, NULL)) != NULL)
		crm_die("not added: %s", err);
	x.rows = 1;
	put_user(&x, argv[1]);
	finish(&x, a);
	return 0;
}

static int
user_update(struct args *a, int argc, char **argv)
{
	struct wctx x;
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
	open_writer(&x, "crm-user update", NULL, "updating a user");
	if ((err = crm_user_save(x.db, argv[1], &a->c, 1, &id, &changed)) != NULL)
		crm_die("not updated: %s", err);
	if (!changed && !crm_g.quiet)
		crm_warn("note: '%s' was so already", argv[1]);
	x.rows = changed;
	put_user(&x, argv[1]);
	finish(&x, a);
	return 0;
}

static int
user_active(struct args *a, int argc, char **argv, int active)
{
	struct wctx x;
	char cmd[64];

	if (argc < 2)
		crm_usage_error("%s needs at least one LOGIN", argv[0]);
	snprintf(cmd, sizeof cmd, "crm-user %s", argv[0]);
	open_writer(&x, cmd, NULL, active ? "activating a user" :
	    "deactivating a user");
	for (int i = 1; i < argc; i++) {
		const char *err;
		int changed;

		if ((err = crm_user_set_active(x.db, argv[i], active, &changed)))
			crm_die("%s: %s", argv[i], err);
		if (!changed && !crm_g.quiet)
			crm_warn("note: '%s' was %s already", argv[i],
			    active ? "active" : "inactive");
		if (!active && changed && !crm_g.quiet) {
			long long n = crm_user_owned(x.db, crm_user_id(x.db, argv[i]));

			if (n > 0)
				crm_warn("note: '%s' still owns %lld customer%s "
				    "(reassign them with crm-assign)", argv[i], n,
				    n == 1 ? "" : "s");
		}
		x.rows += changed;
		put_user(&x, argv[i]);
	}
	finish(&x, a);
	return 0;
}

static int
user_list(struct args *a, int argc)
{
	struct wctx x;

	if (argc > 1)
		crm_usage_error("list takes no operands (use show LOGIN)");
	x.db = crm_db_open(CRM_DB_READ);
	x.w = recw_open(stdout, "standard output", crm_g.csv);
	x.header = 0;
	recw_header(x.w, UC_N, crm_user_cols);
	x.header = 1;
	if (a->c.team && crm_team_id(x.db, a->c.team) < 0)
		crm_die("no team '%s'", a->c.team);
	crm_users_each(x.db, a->c.team, a->all, NULL, put_row, &x);
	recw_close(x.w);
	crm_db_close(x.db);
	return 0;
}

static int
user_show(int argc, char **argv)
{
	struct wctx x;
	int missing = 0;

	if (argc < 2)
		crm_usage_error("show needs at least one LOGIN");
	x.db = crm_db_open(CRM_DB_READ);
	x.w = recw_open(stdout, "standard output", crm_g.csv);
	recw_header(x.w, UC_N, crm_user_cols);
	x.header = 1;
	for (int i = 1; i < argc; i++) {
		if (crm_user_id(x.db, argv[i]) < 0) {
			crm_warn("no user '%s'", argv[i]);
			missing = 1;
			continue;
		}
		put_user(&x, argv[i]);
	}
	recw_close(x.w);
	crm_db_close(x.db);
	return missing;
}

/* import: one stream of users keyed by login, inside the transaction. */
static void
import_one(struct wctx *x, const char *path)
{
	struct rec_reader *r = rec_open(path, crm_g.csv, NULL);
	size_t n = rec_ncol(r), bad = 0;
	const char **canon = xcalloc(n + 1, sizeof *canon);
	int login = -1;
	struct rec *rec;

	for (size_t i = 0; i < n; i++) {
		canon[i] = crm_user_colname(rec_colname(r, i));
		if (canon[i] && strcmp(canon[i], "login") == 0)
			login = (int)i;
		else if (canon[i] && strcmp(canon[i], "owned") == 0)
			canon[i] = NULL;	/* derived: ignored */
		else if (canon[i] == NULL && !crm_g.quiet)
			crm_warn("note: %s: column '%s' is not a user field: "
			    "ignored", rec_name(r), rec_colname(r, i));
	}
	if (login < 0)
		crm_die("%s: no 'login' (账号) column", rec_name(r));
	while ((rec = rec_next(r)) != NULL) {
		struct crm_user_change c;
		const char *err, *from = NULL, *until = NULL, *who;
		char away[128];
		long long id;

		if ((err = rec_width_error(r, rec)) != NULL) {
			crm_warn("%s:%lu: %s", rec_name(r), rec->line, err);
			bad++;
			continue;
		}
		memset(&c, 0, sizeof c);
		who = rec->v[login];
		for (size_t i = 0; i < n; i++) {
			const char *v = rec->v[i];

			if (canon[i] == NULL || v == NULL || *v == '\0')
				continue;
			if (strcmp(canon[i], "name") == 0) c.name = v;
			else if (strcmp(canon[i], "email") == 0) c.email = v;
			else if (strcmp(canon[i], "team") == 0) c.team = v;
			else if (strcmp(canon[i], "role") == 0) c.role = v;
			else if (strcmp(canon[i], "capacity") == 0) c.capacity = v;
			else if (strcmp(canon[i], "weight") == 0) c.weight = v;
			else if (strcmp(canon[i], "regions") == 0) c.regions = v;
			else if (strcmp(canon[i], "industries") == 0) c.industries = v;
			else if (strcmp(canon[i], "away") == 0) c.away = v;
			else if (strcmp(canon[i], "away_from") == 0) from = v;
			else if (strcmp(canon[i], "away_until") == 0) until = v;
			else if (strcmp(canon[i], "active") == 0) c.active = v;
		}
		if (from && !c.away) {
			snprintf(away, sizeof away, "%s..%s", from, until ? until : "");
			c.away = away;
		} else if (until && !c.away) {
			crm_warn("%s:%lu: away_until: given without away_from",
			    rec_name(r), rec->line);
			bad++;
			continue;
		}
		if (who == NULL || *who == '\0') {
			crm_warn("%s:%lu: login: empty", rec_name(r), rec->line);
			bad++;
			continue;
		}
		err = crm_user_save(x->db, who, &c, crm_user_id(x->db, who) >= 0,
		    &id, NULL);
		if (err != NULL) {
			crm_warn("%s:%lu: %s", rec_name(r), rec->line, err);
			bad++;
			continue;
		}
		x->rows++;
		put_user(x, who);
	}
	if (bad)
		crm_die("%s: %zu bad row%s: nothing imported", rec_name(r), bad,
		    bad == 1 ? "" : "s");
	free(canon);
	rec_close(r);
}

static int
user_import(struct args *a, int argc, char **argv)
{
	struct wctx x;

	if (a->any_change)
		crm_usage_error("import takes its values from the input, not "
		    "from options");
	open_writer(&x, "crm-user import", argc > 1 ? argv[1] : "-",
	    "importing users");
	if (argc == 1)
		import_one(&x, "-");
	for (int i = 1; i < argc; i++)
		import_one(&x, argv[i]);
	if (!crm_g.quiet)
		crm_warn("%s%lld user%s imported", a->dry_run ? "would have: " : "",
		    x.rows, x.rows == 1 ? "" : "s");
	finish(&x, a);
	return 0;
}

static void
put_team(const char *const *v, void *ctx)
{
	recw_row(ctx, 3, v);
}

static int
team_cmd(struct args *a, int argc, char **argv)
{
	static const char *const cols[] = { "team", "members", "created_at" };
	struct wctx x;

	if (argc < 2)
		crm_usage_error("team needs a command (add, list)");
	if (strcmp(argv[1], "list") == 0) {
		if (argc > 2)
			crm_usage_error("team list takes no operands");
		x.db = crm_db_open(CRM_DB_READ);
		x.w = recw_open(stdout, "standard output", crm_g.csv);
		recw_header(x.w, 3, cols);
		crm_teams_each(x.db, put_team, x.w);
		recw_close(x.w);
		crm_db_close(x.db);
		return 0;
	}
	if (strcmp(argv[1], "add") != 0)
		crm_usage_error("unknown team command '%s' (add, list)", argv[1]);
	if (argc < 3)
		crm_usage_error("team add needs at least one NAME");
	open_writer(&x, "crm-user team add", NULL, "adding a team");
	recw_header(x.w, 3, cols);
	for (int i = 2; i < argc; i++) {
		int created;

		if (argv[i][0] == '\0' || strlen(argv[i]) > 128)
			crm_die("team: name must be 1 to 128 bytes");
		crm_team_add(x.db, argv[i], &created);
		if (!created)
			crm_die("team '%s' exists already", argv[i]);
		x.rows++;
	}
	crm_teams_each(x.db, put_team, x.w);
	finish(&x, a);
	return 0;
}

int
cmd_main(int argc, char **argv)
{
	struct args a;
	const char *cmd;

	memset(&a, 0, sizeof a);
	argc = crm_parse_options(argc, argv, on_opt, &a);
	if (argc == 0)
		crm_usage_error("missing command (add, list, show, update, "
		    "deactivate, activate, import, team)");
	cmd = argv[0];
	if (strcmp(cmd, "add") == 0)
		return user_add(&a, argc, argv);
	if (strcmp(cmd, "list") == 0)
		return user_list(&a, argc);
	if (strcmp(cmd, "show") == 0)
		return user_show(argc, argv);
	if (strcmp(cmd, "update") == 0)
		return user_update(&a, argc, argv);
	if (strcmp(cmd, "deactivate") == 0)
		return user_active(&a, argc, argv, 0);
	if (strcmp(cmd, "activate") == 0)
		return user_active(&a, argc, argv, 1);
	if (strcmp(cmd, "import") == 0)
		return user_import(&a, argc, argv);
	if (strcmp(cmd, "team") == 0)
		return team_cmd(&a, argc, argv);
	crm_usage_error("unknown command '%s'", cmd);
}
