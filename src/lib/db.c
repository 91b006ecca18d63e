/* db.c: the crm_db interface over an engine: statements, migrations, settings. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "customer.h"
#include "db.h"
#include "dbcopy.h"
#include "dbengine.h"
#include "die.h"
#include "opt.h"
#include "policy.h"
#include "str.h"
#include "when.h"

#define CRM_APPLICATION_ID 0x43524d31	/* "CRM1" */

extern const char *const crm_migrations[];

static struct crm_db *dying_db;

long
crm_db_ms_left(const struct crm_db *db)
{
	struct timespec now;
	long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (long)(db->deadline.tv_sec - now.tv_sec) * 1000 +
	    (db->deadline.tv_nsec - now.tv_nsec) / 1000000;
	return ms > 0 ? ms : 0;
}

void
crm_db_die_busy(const struct crm_db *db)
{
	crm_die_busy("database '%s' is busy (waited %d s): try again",
	    db->path, (crm_g.wait_ms + 999) / 1000);
}

int
crm_db_is_url(const char *path)
{
	return strncmp(path, "postgresql:", 11) == 0 ||
	    strncmp(path, "postgres:", 9) == 0;
}

int
crm_db_exists(void)
{
	return crm_db_exists_at(crm_g.db_path);
}

int
crm_db_exists_at(const char *path)
{
	return (crm_db_is_url(path) ? &crm_engine_pg :
	    &crm_engine_sqlite)->exists(path);
}

const char *
crm_db_variant(const struct crm_db *db, const char *sqlite, const char *pg)
{
	return db->eng == &crm_engine_pg ? pg : sqlite;
}

int
crm_db_server(const struct crm_db *db)
{
	return db->eng == &crm_engine_pg;
}

static void
rollback_on_die(void)
{
	if (dying_db && dying_db->in_tx) {
		dying_db->in_tx = 0;
		dying_db->eng->rollback(dying_db);
	}
}

void
crm_db_exec(struct crm_db *db, const char *sql)
{
	db->eng->exec(db, sql);
}

void
crm_db_drop_indexes(struct crm_db *db, const char *const *names,
    struct strvec *saved)
{
	char *def, *drop;

	for (; *names; names++) {
		if ((def = db->eng->index_sql(db, *names)) == NULL)
			continue;
		sv_push(saved, def);
		free(def);
		drop = xasprintf("DROP INDEX \"%s\"", *names);
		crm_db_exec(db, drop);
		free(drop);
	}
}

void
crm_db_create_indexes(struct crm_db *db, struct strvec *saved)
{
	db->eng->index_build(db, 1);
	for (size_t i = 0; i < saved->n; i++)
		crm_db_exec(db, saved->v[i]);
	db->eng->index_build(db, 0);
	sv_free(saved);
}

void
crm_db_feed(struct crm_db *db, const char *sql,
    int (*next)(void *ctx, struct crm_value *row), void *ctx)
{
	db->feed = next;
	db->feed_ctx = ctx;
	/* SQLite reads its virtual table crm_feed as the statement runs */
	if (db->eng->feed)
		db->eng->feed(db, sql);
	else
		crm_db_exec(db, sql);
	db->feed = NULL;
	db->feed_ctx = NULL;
}

const char *
crm_db_errmsg(struct crm_db *db)
{
	return db->eng->errmsg(db);
}

static int
count_migrations(void)
{
	int n = 0;

	while (crm_migrations[n])
		n++;
	return n;
}

/*
** Migration SQL for the engine NAME: one description for both, but a
** statement the engines must spell differently, and translation cannot
** make, sits between a line "--@ sqlite" or "--@ postgresql" and a line
** "--@ end", and only that engine runs it.  Caller frees.
*/
static char *
migration_for(const char *sql, const char *name)
{
	struct strbuf out = STRBUF_INIT;
	const char *p = sql, *nl;
	int keep = 1;

	sb_init(&out);
	for (; *p; p = nl) {
		nl = p + strcspn(p, "\n");
		if (*nl)
			nl++;
		if (strncmp(p, "--@ ", 4) == 0) {
			size_t n = strcspn(p + 4, " \t\r\n");

			keep = (n == 3 && strncmp(p + 4, "end", 3) == 0) ||
			    (n == strlen(name) && strncmp(p + 4, name, n) == 0);
			continue;
		}
		if (keep)
			sb_add(&out, p, (size_t)(nl - p));
	}
	return sb_detach(&out);
}

/*
** What a migration cannot do in SQL, done in C right after it, by the
** migration's number: 007 made customer_keys, whose keys are hashes
** computed by norm_key_hash().
*/
static const struct {
	int version;
	void (*fn)(struct crm_db *db);
} migrate_hooks[] = {
	{ 7, crm_customer_keys_fill },
};

/* Bring the schema up to date inside one write transaction. */
static void
migrate(struct crm_db *db)
{
	int want = count_migrations();
	struct crm_schema_state st;

	db->eng->schema(db, &st);
	db->version_found = st.version;
	if ((st.appid != 0 && st.appid != CRM_APPLICATION_ID) ||
	    (st.appid == 0 && st.foreign))
		crm_die("'%s' is not a crm database", db->path);
	if (st.version > want)
		crm_die("database '%s' has schema version %lld, newer than this "
		    "program knows (%d): upgrade crm", db->path, st.version, want);
	if (st.version == want && st.appid == CRM_APPLICATION_ID)
		return;
	crm_db_begin(db);
	db->eng->schema(db, &st);	/* another may have won */
	if (st.appid == 0 && st.foreign)
		crm_die("'%s' is not a crm database", db->path);	/* same snapshot: we write */
	if (st.version == want && st.appid == CRM_APPLICATION_ID) {
		crm_db_commit(db);
		return;
	}
	for (int v = (int)st.version; v < want; v++) {
		char *sql = migration_for(crm_migrations[v], db->eng->name);

		db->eng->migrate(db, v, sql);
		free(sql);
		for (size_t i = 0; i < sizeof migrate_hooks / sizeof migrate_hooks[0]; i++)
			if (migrate_hooks[i].version == v + 1)
				migrate_hooks[i].fn(db);
	}
	db->eng->stamp(db, CRM_APPLICATION_ID, want);
	/* The creator's (or the upgrader's) zone, until crm-db config sets one. */
	if (crm_config_get(db, "timezone") == NULL)
		crm_config_set(db, "timezone", crm_tz_default());
	crm_db_commit(db);
}

const char *
crm_config_get(struct crm_db *db, const char *key)
{
	static char buf[4][512];
	static int which;
	struct crm_stmt *s = crm_sql(db, "SELECT value FROM config WHERE key = ?");
	char *out = NULL;

	crm_bind_text(s, 1, key);
	if (crm_step(s)) {
		out = buf[which = (which + 1) % 4];
		snprintf(out, sizeof buf[0], "%s", crm_col_text(s, 0));
		crm_reset(s);
	}
	return out;
}

void
crm_config_set(struct crm_db *db, const char *key, const char *value)
{
	struct crm_stmt *s = crm_sql(db, "INSERT INTO config (key, value)"
	    " VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value");

	crm_bind_text(s, 1, key);
	crm_bind_text(s, 2, value);
	crm_step(s);
}

struct crm_db *
crm_db_open(enum crm_db_mode mode)
{
	return crm_db_open_path(crm_g.db_path, mode);
}

struct crm_db *
crm_db_open_path(const char *path, enum crm_db_mode mode)
{
	struct crm_db *db = xcalloc(1, sizeof *db);
	const char *tz;

	db->path = xstrdup(mode == CRM_DB_MEMORY ? ":memory:" : path);
	db->eng = mode != CRM_DB_MEMORY && crm_db_is_url(db->path) ?
	    &crm_engine_pg : &crm_engine_sqlite;
	db->ctx.actor_id = -1;
	clock_gettime(CLOCK_MONOTONIC, &db->deadline);
	db->deadline.tv_sec += crm_g.wait_ms / 1000;
	db->deadline.tv_nsec += (long)(crm_g.wait_ms % 1000) * 1000000;
	if (db->deadline.tv_nsec >= 1000000000L) {
		db->deadline.tv_sec++;
		db->deadline.tv_nsec -= 1000000000L;
	}
	db->eng->open(db, mode);
	dying_db = db;
	crm_atdie(rollback_on_die);
	if (mode == CRM_DB_PEEK) {
		struct crm_schema_state st;

		db->eng->schema(db, &st);
		db->version_found = st.version;
		if ((st.appid != 0 && st.appid != CRM_APPLICATION_ID) || st.empty ||
		    (st.appid == 0 && st.foreign))
			crm_die("'%s' is not a crm database", db->path);
		return db;
	}
	migrate(db);
	if (db->eng->ready)
		db->eng->ready(db);
	if ((tz = crm_config_get(db, "timezone")) != NULL)
		crm_tz_set(tz);
	crm_policy_open(db);
	return db;
}

const char *
crm_db_engine(const struct crm_db *db)
{
	return db->eng->name;
}

long long
crm_db_version_found(const struct crm_db *db)
{
	return db->version_found;
}

long long
crm_db_version(struct crm_db *db)
{
	struct crm_schema_state st;

	db->eng->schema(db, &st);
	return st.version;
}

int
crm_db_version_wanted(void)
{
	return count_migrations();
}

const char *
crm_db_path(const struct crm_db *db)
{
	return db->path;
}

struct crm_ctx *
crm_ctx(struct crm_db *db)
{
	return &db->ctx;
}

/*
** The INSERT that appends to TABLE (COLS) at once, made at the first
** append and kept with the connection: crm_sql keeps the text it is given.
** Callers pass constants, so the pointers match.
*/
struct crm_append_sql {
	const char *table, *cols;
	char *sql;
	struct crm_append_sql *next;
};

void
crm_db_close(struct crm_db *db)
{
	struct crm_stmt *s, *next;

	if (db == NULL)
		return;
	if (db->in_tx)
		crm_db_rollback(db);
	db->closing = 1;
	for (s = db->cache; s; s = next) {
		next = s->next;
		db->eng->finalize(s->e);
		free(s);
	}
	while (db->appends) {
		struct crm_append_sql *a = db->appends;

		db->appends = a->next;
		free(a->sql);
		free(a);
	}
	db->eng->close(db);
	if (dying_db == db)
		dying_db = NULL;
	crm_policy_close(db);
	free(db->path);
	free(db);
}

void
crm_db_begin_tx(struct crm_db *db, enum crm_tx tx)
{
	db->eng->begin(db, tx);
	db->in_tx = 1;
}

void
crm_db_begin(struct crm_db *db)
{
	crm_db_begin_tx(db, CRM_TX_WRITE);
}

void
crm_db_lock_row(struct crm_db *db, const char *table, long long id)
{
	db->eng->lock_row(db, table, id);
}

void
crm_db_sync_login(struct crm_db *db, const char *old, const char *login,
    const char *role, int active)
{
	if (db->eng->sync_login)
		db->eng->sync_login(db, old, login, role, active);
}

void
crm_db_commit(struct crm_db *db)
{
	db->eng->commit(db);
	db->in_tx = 0;
}

void
crm_db_rollback(struct crm_db *db)
{
	db->in_tx = 0;
	db->eng->rollback(db);
}

struct crm_stmt *
crm_sql(struct crm_db *db, const char *sql)
{
	struct crm_stmt *s;

	/* Callers pass the same static strings: match pointers before text. */
	for (s = db->cache; s; s = s->next)
		if (s->sql == sql)
			goto found;
	for (s = db->cache; s; s = s->next)
		if (strcmp(s->sql, sql) == 0)
			goto found;
	s = xcalloc(1, sizeof *s);
	s->db = db;
	s->sql = sql;
	s->e = db->eng->prepare(db, sql);
	s->next = db->cache;
	db->cache = s;
	return s;
found:
	db->eng->reset(s->e, 1);
	return s;
}

struct crm_stmt *
crm_sql_own(struct crm_db *db, const char *sql)
{
	struct crm_stmt *s = xcalloc(1, sizeof *s);

	s->db = db;
	s->sql = sql;
	s->e = db->eng->prepare(db, sql);
	if (db->eng->stream)
		db->eng->stream(s->e, 1);	/* a cursor's: its rows may stream */
	return s;
}

static struct crm_stmt *
take(struct crm_db *db, const char *sql, int stream)
{
	struct crm_stmt *s = crm_sql(db, sql);

	if (s->taken) {
		s = crm_sql_own(db, sql);
		s->own = 1;
	}
	s->taken = 1;
	if (db->eng->stream)
		db->eng->stream(s->e, stream);
	return s;
}

struct crm_stmt *
crm_sql_take(struct crm_db *db, const char *sql)
{
	return take(db, sql, 1);
}

struct crm_stmt *
crm_sql_take_few(struct crm_db *db, const char *sql)
{
	return take(db, sql, 0);
}

void
crm_sql_give(struct crm_stmt *s)
{
	if (s == NULL)
		return;
	if (s->own) {
		crm_stmt_free(s);
		return;
	}
	s->db->eng->reset(s->e, 0);
	s->taken = 0;
}

void
crm_stmt_free(struct crm_stmt *s)
{
	if (s == NULL)
		return;
	s->db->eng->finalize(s->e);
	free(s);
}

void
crm_bind_text(struct crm_stmt *s, int i, const char *v)
{
	if (v == NULL)
		s->db->eng->bind_null(s->e, i);
	else
		s->db->eng->bind_text(s->e, i, v, 1);
}

void
crm_bind_text_static(struct crm_stmt *s, int i, const char *v)
{
	if (v == NULL)
		s->db->eng->bind_null(s->e, i);
	else
		s->db->eng->bind_text(s->e, i, v, 0);
}

void
crm_bind_value(struct crm_stmt *s, int i, const struct crm_value *v)
{
	if (v->type == CRM_VINT)
		s->db->eng->bind_int(s->e, i, v->i);
	else if (v->type == CRM_VTEXT && v->s)
		s->db->eng->bind_text(s->e, i, v->s, 0);
	else
		s->db->eng->bind_null(s->e, i);
}

void
crm_bind_int(struct crm_stmt *s, int i, long long v)
{
	s->db->eng->bind_int(s->e, i, v);
}

void
crm_bind_null(struct crm_stmt *s, int i)
{
	s->db->eng->bind_null(s->e, i);
}

int
crm_step_try(struct crm_stmt *s)
{
	return s->db->eng->step(s);
}

int
crm_step(struct crm_stmt *s)
{
	int rc = crm_step_try(s);

	if (rc < 0)
		crm_die("database '%s': %s", s->db->path, crm_db_errmsg(s->db));
	return rc;
}

void
crm_reset(struct crm_stmt *s)
{
	s->db->eng->reset(s->e, 0);
}

const char *
crm_col_text(struct crm_stmt *s, int i)
{
	return s->db->eng->col_text(s->e, i);
}

long long
crm_col_int(struct crm_stmt *s, int i)
{
	return s->db->eng->col_int(s->e, i);
}

int
crm_col_null(struct crm_stmt *s, int i)
{
	return s->db->eng->col_null(s->e, i);
}

int
crm_col_count(struct crm_stmt *s)
{
	return s->db->eng->col_count(s->e);
}

const char *
crm_col_name(struct crm_stmt *s, int i)
{
	return s->db->eng->col_name(s->e, i);
}

long long
crm_db_last_id(struct crm_db *db)
{
	return db->eng->last_id(db);
}

long long
crm_db_id(struct crm_db *db, const char *sql, const char *arg)
{
	struct crm_stmt *s = crm_sql(db, sql);
	long long v = -1;

	crm_bind_text(s, 1, arg);
	if (crm_step(s)) {
		v = crm_col_null(s, 0) ? -1 : crm_col_int(s, 0);
		crm_reset(s);
	}
	return v;
}

long long
crm_db_int(struct crm_db *db, const char *sql, long long arg)
{
	struct crm_stmt *s = crm_sql(db, sql);
	long long v = -1;

	if (strchr(sql, '?'))
		crm_bind_int(s, 1, arg);
	if (crm_step(s)) {
		v = crm_col_null(s, 0) ? -1 : crm_col_int(s, 0);
		crm_reset(s);
	}
	return v;
}

void
crm_db_tables(struct crm_db *db, struct strvec *out)
{
	struct crm_stmt *s = crm_sql(db, crm_db_variant(db,
	    "SELECT name FROM sqlite_master WHERE type = 'table'"
	    " AND name NOT LIKE 'sqlite_%' ORDER BY name",
	    "SELECT tablename FROM pg_tables WHERE schemaname = 'crm'"
	    " AND tablename <> 'crm_meta' ORDER BY tablename"));

	while (crm_step(s))
		sv_push(out, crm_col_text(s, 0));
}

int
crm_db_bulk(const struct crm_db *db)
{
	return db->eng->append != NULL;
}

void
crm_db_append(struct crm_db *db, const char *table, const char *cols, size_t n,
    const char *const *v)
{
	struct crm_append_sql *a;
	struct crm_stmt *s;

	if (db->eng->append) {
		db->eng->append(db, table, cols, n, v);
		return;
	}
	for (a = db->appends; a; a = a->next)
		if (a->table == table && a->cols == cols)
			break;
	if (a == NULL) {
		struct strbuf sql = STRBUF_INIT;

		sb_init(&sql);
		sb_addf(&sql, "INSERT INTO %s %s VALUES (", table, cols);
		for (size_t i = 0; i < n; i++)
			sb_adds(&sql, i ? ", ?" : "?");
		sb_addc(&sql, ')');
		a = xcalloc(1, sizeof *a);
		a->table = table;
		a->cols = cols;
		a->sql = sql.buf;	/* the buffer is its, now */
		a->next = db->appends;
		db->appends = a;
	}
	s = crm_sql(db, a->sql);
	for (size_t i = 0; i < n; i++)
		if (v[i])
			crm_bind_text_static(s, (int)i + 1, v[i]);
	crm_step(s);
}

long long
crm_db_next_id(struct crm_db *db, const char *table)
{
	return db->eng->next_id(db, table);
}

long long
crm_db_integrity(struct crm_db *db, void (*fn)(const char *msg, void *ctx),
    void *ctx)
{
	return db->eng->integrity(db, fn, ctx);
}

void
crm_db_backup(struct crm_db *db, const char *path)
{
	if (db->eng->backup) {
		db->eng->backup(db, path);
		return;
	}
	/* A server's database: copied into a new SQLite file, checked. */
	if (crm_db_exists_at(path))
		crm_die("'%s' exists: a backup goes to a new file", path);
	if (crm_db_copy(db->path, path, 0, NULL) > 0)
		crm_die("cannot back up to '%s': the copy differs", path);
}
