/* target.c: targets per rep or team and period, and what was won toward them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "db.h"
#include "die.h"
#include "history.h"
#include "money.h"
#include "period.h"
#include "policy.h"
#include "rec.h"
#include "str.h"
#include "target.h"
#include "user.h"
#include "when.h"

/* WHO as a user id or a team id (the other -1); NULL or why not. */
static const char *
resolve(struct crm_db *db, const char *who, long long *user, long long *team)
{
	static char msg[300];

	*user = *team = -1;
	if (strncmp(who, "team:", 5) == 0) {
		if ((*team = crm_team_id(db, who + 5)) < 0) {
			snprintf(msg, sizeof msg, "no team '%s'", who + 5);
			return msg;
		}
	} else if ((*user = crm_user_id(db, who)) < 0) {
		snprintf(msg, sizeof msg, "no user '%s'", who);
		return msg;
	}
	return NULL;
}

/* The text of the target of (USER or TEAM, PERIOD, CUR), or NULL (caller frees). */
static char *
current(struct crm_db *db, long long user, long long team, const char *period,
    const char *cur)
{
	struct crm_stmt *s = crm_sql(db, "SELECT amount FROM targets"
	    " WHERE (user_id = ?1 OR team_id = ?2) AND period = ?3 AND currency = ?4");
	char *v = NULL, buf[MONEY_LEN];

	crm_bind_int(s, 1, user);
	crm_bind_int(s, 2, team);
	crm_bind_text(s, 3, period);
	crm_bind_text(s, 4, cur);
	if (crm_step(s)) {
		if (money_format(crm_col_int(s, 0), cur, buf) == 0)
			v = xstrdup(buf);
		crm_reset(s);
	}
	return v;
}

const char *
crm_target_set(struct crm_db *db, const char *who, const char *period,
    const char *amount, const char *currency, int *changed)
{
	static char msg[400];
	struct period p;
	struct money m;
	struct crm_stmt *s;
	long long user, team;
	char name[PERIOD_LEN], err[200], newv[MONEY_LEN], label[300];
	const char *e;
	char *old;
	int drop = strcmp(amount, "none") == 0;

	*changed = 0;
	crm_require_admin(db, "setting a target");
	if ((e = resolve(db, who, &user, &team)) != NULL)
		return e;
	if (period_parse(period, &p) == -1) {
		snprintf(msg, sizeof msg, "--period: '%s' is not a year, quarter, "
		    "month or ISO week (2026, 2026-Q4, 2026-11, 2026-W48)", period);
		return msg;
	}
	period_format(&p, name);
	memset(&m, 0, sizeof m);
	snprintf(m.cur, sizeof m.cur, "%s", currency ? currency : "CNY");
	if (!drop && money_parse(amount, currency, 0, &m, err, sizeof err) == -1) {
		snprintf(msg, sizeof msg, "--amount: %s", err);
		return msg;
	}
	if (currency && strcasecmp(currency, m.cur) != 0) {
		snprintf(msg, sizeof msg, "--amount: '%s' is in %s, not %s", amount,
		    m.cur, currency);
		return msg;
	}
	old = current(db, user, team, name, m.cur);
	if (drop) {
		s = crm_sql(db, "DELETE FROM targets WHERE (user_id = ?1 OR"
		    " team_id = ?2) AND period = ?3 AND currency = ?4");
		newv[0] = '\0';
	} else {
		s = crm_sql(db, "UPDATE targets SET amount = ?5 WHERE (user_id = ?1"
		    " OR team_id = ?2) AND period = ?3 AND currency = ?4");
		crm_bind_int(s, 5, m.minor);
		money_format(m.minor, m.cur, newv);
	}
	crm_bind_int(s, 1, user);
	crm_bind_int(s, 2, team);
	crm_bind_text(s, 3, name);
	crm_bind_text(s, 4, m.cur);
	crm_step(s);
	if (!drop && old == NULL) {
		s = crm_sql(db, "INSERT INTO targets (user_id, team_id, period,"
		    " amount, currency) VALUES (?, ?, ?, ?, ?)");
		if (user >= 0)
			crm_bind_int(s, 1, user);
		if (team >= 0)
			crm_bind_int(s, 2, team);
		crm_bind_text(s, 3, name);
		crm_bind_int(s, 4, m.minor);
		crm_bind_text(s, 5, m.cur);
		crm_step(s);
	}
	if ((old == NULL) != (drop != 0) || (old && strcmp(old, newv) != 0)) {
		/* the field says whose, for when and in what: "li 2026-11 CNY" */
		snprintf(label, sizeof label, "%s %s %s", who, name, m.cur);
		crm_history(db, "target", user >= 0 ? user : team, label, old,
		    drop ? NULL : newv, "crm-user target");
		*changed = 1;
	}
	free(old);
	return NULL;
}

/* PERIOD's site days as UTC bounds [FROM, UNTIL). */
static void
bounds(const char *period, char from[CRM_TIME_LEN], char until[CRM_TIME_LEN])
{
	struct period p;
	char day[DAY_LEN];
	time_t t;

	if (period_parse(period, &p) == -1) {
		from[0] = until[0] = '\0';
		return;
	}
	day_format(p.start, day);
	crm_parse_time(day, &t);
	crm_format_time(t, from);
	day_format(p.end, day);
	crm_parse_time(day, &t);
	crm_format_time(t, until);
}

void
crm_targets_list(struct crm_db *db, struct rec_writer *w, const char *period,
    const char *who)
{
	static const char *const cols[] = {
		"who", "period", "currency", "target", "won", "achieved", "left"
	};
	struct crm_stmt *s, *won;
	long long user = -1, team = -1, me = crm_actor_id(db), my_team = -1;
	char canon[PERIOD_LEN] = "";
	struct period p;
	const char *e;

	if (period) {
		if (period_parse(period, &p) == -1)
			crm_usage_error("--period: '%s' is not a year, quarter, month "
			    "or ISO week (2026, 2026-Q4, 2026-11, 2026-W48)", period);
		period_format(&p, canon);
	}
	if (who && (e = resolve(db, who, &user, &team)) != NULL)
		crm_die("%s", e);
	if (!crm_actor_is_admin(db)) {
		struct crm_user u;

		if (crm_user_get(db, NULL, me, &u)) {
			my_team = u.team_id;
			crm_user_free(&u);
		}
		if ((user >= 0 && user != me) || (team >= 0 && team != my_team))
			crm_die("permission denied: a rep sees its own targets and "
			    "its team's (you are '%s')", crm_actor(db));
	}
	recw_header(w, 7, cols);
	s = crm_sql_take(db, "SELECT coalesce(u.login, 'team:' || t.name),"
	    " g.period, g.currency, g.amount, g.user_id, g.team_id FROM targets g"
	    " LEFT JOIN users u ON u.id = g.user_id"
	    " LEFT JOIN teams t ON t.id = g.team_id"
	    " WHERE (?1 IS NULL OR g.period = ?1)"
	    " AND (?2 < 0 OR g.user_id = ?2) AND (?3 < 0 OR g.team_id = ?3)"
	    " AND (?4 < 0 OR g.user_id = ?4 OR g.team_id = ?5)"
	    " ORDER BY g.period, g.team_id IS NULL, t.name, u.login, g.currency");
	crm_bind_text(s, 1, period ? canon : NULL);
	crm_bind_int(s, 2, user);
	crm_bind_int(s, 3, team);
	crm_bind_int(s, 4, crm_actor_is_admin(db) ? -1 : me);
	crm_bind_int(s, 5, my_team);
	won = crm_sql(db, "SELECT coalesce(sum(d.amount), 0) FROM deals d"
	    " JOIN stages st ON st.id = d.stage_id AND st.outcome = 'won'"
	    " WHERE d.closed_at >= ?1 AND d.closed_at < ?2 AND d.currency = ?3"
	    " AND (d.owner_id = ?4 OR d.owner_id IN"
	    "  (SELECT id FROM users WHERE team_id = ?5))");
	while (crm_step(s)) {
		const char *v[7];
		char from[CRM_TIME_LEN], until[CRM_TIME_LEN];
		char tgt[MONEY_LEN], wonb[MONEY_LEN], leftb[MONEY_LEN], ach[32];
		long long amount = crm_col_int(s, 3), sum = 0;
		const char *cur = crm_col_text(s, 2);

		bounds(crm_col_text(s, 1), from, until);
		crm_bind_text(won, 1, from);
		crm_bind_text(won, 2, until);
		crm_bind_text(won, 3, cur);
		crm_bind_int(won, 4, crm_col_null(s, 4) ? -1 : crm_col_int(s, 4));
		crm_bind_int(won, 5, crm_col_null(s, 5) ? -1 : crm_col_int(s, 5));
		if (crm_step(won)) {
			sum = crm_col_int(won, 0);
			crm_reset(won);
		}
		money_format(amount, cur, tgt);
		money_format(sum, cur, wonb);
		money_format(amount > sum ? amount - sum : 0, cur, leftb);
		if (amount > 0) {
			/* four decimals, half away from zero, in integers */
			long long q = (long long)(((__int128)sum * 20000 / amount + 1) / 2);

			snprintf(ach, sizeof ach, "%lld.%04lld", q / 10000, q % 10000);
		}
		v[0] = crm_col_text(s, 0);
		v[1] = crm_col_text(s, 1);
		v[2] = cur;
		v[3] = tgt;
		v[4] = wonb;
		v[5] = amount > 0 ? ach : NULL;
		v[6] = leftb;
		recw_row(w, 7, v);
	}
	crm_sql_give(s);
}
