/*
** test_db.c: the database layer (db.h, history.h, customer.h) on a
** temporary file: opening and identifying the file, duplicate keys, the
** "owned or pooled, never both" rule, the ownership primitives and their
** history, batch undo, and rollback.  The SQLite C API is used directly
** only to look at or spoil a file from outside, as another program would.
*/
#include "unit.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include "customer.h"
#include "db.h"
#include "history.h"
#include "when.h"

#define NOW "2026-11-22T09:00:00Z"
#define CRM_APPLICATION_ID 0x43524d31	/* "CRM1", as db.c writes it */

extern const char *const crm_migrations[];

static struct crm_db *db;

static int
migrations(void)
{
	int n = 0;

	while (crm_migrations[n])
		n++;
	return n;
}

/* Each test gets a new database path (not yet created). */
static int
setup(void **state)
{
	(void)state;
	crm_g.db_path = strdup(unit_path(".db"));
	crm_g.actor = "tester";
	crm_g.now = NOW;
	crm_g.wait_ms = 2000;
	crm_g.quiet = 1;
	db = NULL;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	crm_db_close(db);
	db = NULL;
	free((char *)crm_g.db_path);
	crm_g.db_path = NULL;
	return 0;
}

/* A one-row text query with one integer parameter: malloc'd, or NULL. */
static long long
add_named(const char *sql, const char *name)
{
	struct crm_stmt *s = crm_sql(db, sql);

	crm_bind_text(s, 1, name);
	crm_bind_text(s, 2, NOW);
	assert_int_equal(crm_step(s), 0);
	return crm_db_last_id(db);
}

static long long
add_user(const char *login)
{
	return add_named("INSERT INTO users (login, created_at) VALUES (?, ?)", login);
}

static long long
add_pool(const char *name)
{
	return add_named("INSERT INTO pools (name, created_at) VALUES (?, ?)", name);
}

/* Check and insert a lead (inside the caller's transaction); its id. */
static long long
add_lead(const char *name, const char *phone, const char *email,
    const char *company, const char *owner)
{
	struct crm_lead l;
	struct crm_lead_refs refs;
	const char *err;
	long long id;

	memset(&l, 0, sizeof l);
	l.v[CC_NAME] = name;
	l.v[CC_PHONE] = phone;
	l.v[CC_EMAIL] = email;
	l.v[CC_COMPANY] = company;
	l.v[CC_OWNER] = owner;
	if ((err = crm_lead_check(db, &l, &refs)) != NULL)
		fail_msg("lead '%s' refused: %s", name, err);
	id = crm_lead_insert(db, &l, &refs);
	crm_lead_refs_free(&refs);
	assert_true(id > 0);
	return id;
}

/* The customer a record with these values would duplicate: 0 if none. */
static long long
dup_of(const char *phone, const char *email, const char *company,
    long long except, const char **on, char *owner, size_t ownersz)
{
	struct crm_lead l;
	struct crm_lead_refs refs;
	struct crm_dup dup;
	long long id = 0;

	memset(&l, 0, sizeof l);
	l.v[CC_NAME] = "x";
	l.v[CC_PHONE] = phone;
	l.v[CC_EMAIL] = email;
	l.v[CC_COMPANY] = company;
	assert_null(crm_lead_check(db, &l, &refs));
	memset(&dup, 0, sizeof dup);
	if (crm_lead_find_dup(db, &refs, except, &dup)) {
		id = dup.id;
		if (on)
			*on = dup.on;
		if (owner)
			snprintf(owner, ownersz, "%s", dup.owner);
	}
	crm_lead_refs_free(&refs);
	return id;
}

/* ---- opening ------------------------------------------------------------ */

static void
test_open_creates_schema(void **state)
{
	sqlite3 *h;
	sqlite3_stmt *st;
	struct stat sb;

	(void)state;
	assert_int_equal(stat(crm_g.db_path, &sb), -1);
	db = crm_db_open(CRM_DB_CREATE);
	assert_int_equal(stat(crm_g.db_path, &sb), 0);
	assert_int_equal(crm_db_int(db, "PRAGMA application_id", 0), CRM_APPLICATION_ID);
	assert_int_equal(crm_db_int(db, "PRAGMA user_version", 0), migrations());
	assert_int_equal(crm_db_int(db, "SELECT count(*) FROM customers", 0), 0);
	assert_int_equal(crm_db_int(db, "SELECT count(*) FROM stages", 0), 6);
	crm_db_close(db);
	db = NULL;

	/* seen from outside, as file(1) or another program would */
	assert_int_equal(sqlite3_open_v2(crm_g.db_path, &h, SQLITE_OPEN_READONLY,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, "PRAGMA application_id", -1, &st,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int64(st, 0), CRM_APPLICATION_ID);
	sqlite3_finalize(st);
	assert_int_equal(sqlite3_prepare_v2(h, "PRAGMA journal_mode", -1, &st,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
	sqlite3_finalize(st);
	assert_int_equal(sqlite3_prepare_v2(h, "SELECT count(*) FROM sqlite_master"
	    " WHERE type = 'table' AND name IN ('customers', 'users', 'pools',"
	    " 'batches', 'history', 'merges')", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), 6);
	sqlite3_finalize(st);
	sqlite3_close(h);

	/* opened again to read, nothing changes */
	db = crm_db_open(CRM_DB_READ);
	assert_int_equal(crm_db_int(db, "PRAGMA user_version", 0), migrations());
}

static void
open_read(void *ctx)
{
	(void)ctx;
	crm_db_open(CRM_DB_READ);
}

static void
open_write(void *ctx)
{
	(void)ctx;
	crm_db_open(CRM_DB_WRITE);
}

/* Make a plain SQLite file at the database path with SQL in it. */
static void
foreign_file(const char *sql)
{
	sqlite3 *h;

	assert_int_equal(sqlite3_open(crm_g.db_path, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
}

static long long
outside_int(const char *sql)
{
	sqlite3 *h;
	sqlite3_stmt *st;
	long long v;

	assert_int_equal(sqlite3_open_v2(crm_g.db_path, &h, SQLITE_OPEN_READONLY,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	return v;
}

static void
test_open_errors(void **state)
{
	struct unit_child c;
	char want[600];
	FILE *f;

	(void)state;
	/* reading or writing one that is not there: an error, none is made */
	unit_run(open_read, NULL, &c);
	snprintf(want, sizeof want, "no database '%s'", crm_g.db_path);
	assert_died(&c, want);
	assert_int_not_equal(access(crm_g.db_path, F_OK), 0);
	unit_run(open_write, NULL, &c);
	assert_died(&c, want);
	assert_int_not_equal(access(crm_g.db_path, F_OK), 0);

	/* an empty file (a typo'd path touched by something) is no database */
	f = fopen(crm_g.db_path, "w");
	assert_non_null(f);
	fclose(f);
	unit_run(open_write, NULL, &c);
	assert_died(&c, "is an empty file, not a crm database");
	unit_run(open_read, NULL, &c);
	assert_died(&c, "is an empty file");
	assert_int_equal(remove(crm_g.db_path), 0);

	/* another program's SQLite file is refused, and left alone */
	foreign_file("CREATE TABLE notes (t TEXT); INSERT INTO notes VALUES ('x')");
	unit_run(open_write, NULL, &c);
	snprintf(want, sizeof want, "'%s' is not a crm database", crm_g.db_path);
	assert_died(&c, want);
	unit_run(open_read, NULL, &c);
	assert_died(&c, want);
	assert_int_equal(outside_int("PRAGMA application_id"), 0);
	assert_int_equal(outside_int("PRAGMA user_version"), 0);
	assert_int_equal(outside_int("SELECT count(*) FROM sqlite_master"), 1);

	/* ... also one that says it belongs to another application */
	assert_int_equal(remove(crm_g.db_path), 0);
	foreign_file("PRAGMA application_id = 1234");
	unit_run(open_write, NULL, &c);
	assert_died(&c, "is not a crm database");
	assert_int_equal(outside_int("PRAGMA application_id"), 1234);

	/* a crm database from a newer crm */
	assert_int_equal(remove(crm_g.db_path), 0);
	db = crm_db_open(CRM_DB_CREATE);
	crm_db_close(db);
	db = NULL;
	snprintf(want, sizeof want, "PRAGMA user_version = %d", migrations() + 1);
	foreign_file(want);
	unit_run(open_read, NULL, &c);
	assert_died(&c, "newer than this program knows");

	/* not SQLite at all */
	assert_int_equal(remove(crm_g.db_path), 0);
	f = fopen(crm_g.db_path, "w");
	assert_non_null(f);
	fputs("name\tphone\nli\t138\n", f);
	fclose(f);
	unit_run(open_write, NULL, &c);
	assert_true(c.exited);
	assert_int_equal(c.status, 1);
	assert_non_null(strstr(c.err, crm_g.db_path));
}

/* ---- duplicates ------------------------------------------------------- */

static void
test_find_dup(void **state)
{
	long long a, b, x, li;
	const char *on = NULL;
	char owner[128];

	(void)state;
	db = crm_db_open(CRM_DB_CREATE);
	crm_db_begin(db);
	crm_batch_start(db, CRM_BATCH_LEAD_UPDATE, NULL);
	li = add_user("li");
	assert_true(li > 0);
	a = add_lead("张三", "+86 138 1234 5678", " Zhang.San@Example.COM ",
	    "上海恒瑞信息科技有限公司", "li");
	b = add_lead("李四", "021-62345678", "lisi@example.cn", "北京某某贸易有限公司",
	    NULL);

	/* each key on its own finds A, however it is written */
	assert_int_equal(dup_of("138-1234-5678", NULL, NULL, 0, &on, owner,
	    sizeof owner), a);
	assert_string_equal(on, "phone");
	assert_string_equal(owner, "li");
	assert_int_equal(dup_of("0086 13812345678", NULL, NULL, 0, &on, NULL, 0), a);
	assert_int_equal(dup_of(NULL, "zhang.san@example.com", NULL, 0, &on, NULL, 0), a);
	assert_string_equal(on, "email");
	assert_int_equal(dup_of(NULL, NULL, "上海 恒瑞信息科技（股份有限公司）", 0, &on,
	    NULL, 0), a);
	assert_string_equal(on, "company");
	assert_int_equal(dup_of("+86 21 6234 5678", NULL, NULL, 0, &on, owner,
	    sizeof owner), b);
	assert_string_equal(owner, "");
	/* nothing shared, or only with itself */
	assert_int_equal(dup_of("13900000000", "new@example.com", "新公司", 0, NULL,
	    NULL, 0), 0);
	assert_int_equal(dup_of("13812345678", NULL, NULL, a, NULL, NULL, 0), 0);
	assert_int_equal(dup_of(NULL, NULL, NULL, 0, NULL, NULL, 0), 0);

	/* a merged duplicate is no longer a customer to collide with */
	x = add_lead("张三", "13911112222", NULL, NULL, NULL);
	assert_null(crm_lead_merge(db, x, a));
	assert_q_text("SELECT merged_into FROM customers WHERE id = ?", a, "3");
	assert_int_equal(x, 3);
	assert_int_equal(dup_of("13812345678", NULL, NULL, 0, NULL, NULL, 0), 0);
	assert_int_equal(dup_of(NULL, "zhang.san@example.com", NULL, 0, NULL, NULL,
	    0), 0);
	assert_int_equal(dup_of("13911112222", NULL, NULL, 0, NULL, NULL, 0), x);
	assert_false(crm_customer_exists(db, a));
	assert_true(crm_customer_exists(db, x));
	crm_db_commit(db);
}

/* ---- owned or pooled -------------------------------------------------- */

static void
test_owned_or_pooled(void **state)
{
	struct crm_stmt *s;
	struct crm_lead l;
	struct crm_lead_refs refs;
	const char *err;
	long long c, li, pool;

	(void)state;
	db = crm_db_open(CRM_DB_CREATE);
	crm_db_begin(db);
	crm_batch_start(db, CRM_BATCH_LEAD_UPDATE, NULL);
	li = add_user("li");
	pool = add_pool("公海");
	c = add_lead("王五", "13800000001", NULL, NULL, "li");

	/* the schema refuses both at once */
	s = crm_sql(db, "UPDATE customers SET pool_id = ? WHERE id = ?");
	crm_bind_int(s, 1, pool);
	crm_bind_int(s, 2, c);
	assert_int_equal(crm_step_try(s), -1);
	s = crm_sql(db, "UPDATE customers SET owner_id = ?, pool_id = ? WHERE id = ?");
	crm_bind_int(s, 1, li);
	crm_bind_int(s, 2, pool);
	crm_bind_int(s, 3, c);
	assert_int_equal(crm_step_try(s), -1);
	assert_q_text("SELECT owner_id FROM customers WHERE id = ?", c, "1");
	assert_q_text("SELECT pool_id FROM customers WHERE id = ?", c, NULL);
	/* ... and the statement is usable again */
	crm_bind_int(s, 1, li);
	crm_bind_null(s, 2);
	crm_bind_int(s, 3, c);
	assert_int_equal(crm_step_try(s), 0);

	/* so does the check of a new lead */
	memset(&l, 0, sizeof l);
	l.v[CC_NAME] = "赵六";
	l.v[CC_OWNER] = "li";
	l.v[CC_POOL] = "公海";
	err = crm_lead_check(db, &l, &refs);
	assert_non_null(err);
	assert_string_equal(err, "pool: a customer is owned or pooled, not both");
	crm_lead_refs_free(&refs);
	crm_db_commit(db);
}

/* ---- ownership primitives and history --------------------------------- */

/*
** The history rows of customer ID, one "field:old>new:reason" a row; the
** clocks (owner_since, pool_since) are checked on their own.
*/
static char *
history_of(long long id)
{
	struct crm_stmt *s = crm_sql(db, "SELECT field, old_value, new_value, reason,"
	    " actor, at FROM history WHERE entity = 'customer' AND entity_id = ?"
	    " AND field NOT LIKE '%_since' ORDER BY id");
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	crm_bind_int(s, 1, id);
	while (crm_step(s)) {
		assert_string_equal(crm_col_text(s, 4), "tester");
		assert_string_equal(crm_col_text(s, 5), NOW);
		fprintf(f, "%s:%s>%s:%s;", crm_col_text(s, 0),
		    crm_col_null(s, 1) ? "-" : crm_col_text(s, 1),
		    crm_col_null(s, 2) ? "-" : crm_col_text(s, 2),
		    crm_col_null(s, 3) ? "-" : crm_col_text(s, 3));
	}
	fclose(f);
	return buf;
}

#define assert_history(id, want) do { \
	char *h_ = history_of(id); \
	if (strcmp(h_, (want)) != 0) \
		fail_msg("history of %lld:\n  expected %s\n  got      %s", \
		    (long long)(id), (want), h_); \
	free(h_); \
} while (0)

static void
assert_holder(long long id, long long user, long long pool)
{
	long long u, p;

	assert_int_equal(crm_customer_holder(db, id, &u, &p), 1);
	assert_int_equal(u, user);
	assert_int_equal(p, pool);
	assert_int_equal(crm_db_int(db, "SELECT count(*) FROM customers"
	    " WHERE owner_id IS NOT NULL AND pool_id IS NOT NULL", 0), 0);
}

static void
test_set_owner_pool(void **state)
{
	long long c, li, wang, pool, b;

	(void)state;
	db = crm_db_open(CRM_DB_CREATE);
	crm_db_begin(db);
	b = crm_batch_start(db, CRM_BATCH_LEAD_UPDATE, NULL);
	li = add_user("li");
	wang = add_user("wang");
	pool = add_pool("公海");
	c = add_lead("王五", NULL, NULL, "某公司", NULL);
	assert_holder(c, -1, -1);
	assert_history(c, "");

	assert_int_equal(crm_customer_set_owner(db, c, li, "round-robin"), 1);
	assert_holder(c, li, -1);
	assert_q_text("SELECT owner_since FROM customers WHERE id = ?", c, NOW);
	assert_int_equal(crm_customer_set_owner(db, c, li, "again"), 0);
	assert_history(c, "owner:->li:round-robin;");

	assert_int_equal(crm_customer_set_pool(db, c, pool, "reclaim: no follow-up"), 1);
	assert_holder(c, -1, pool);
	assert_q_text("SELECT prev_owner_id FROM customers WHERE id = ?", c, "1");
	assert_q_text("SELECT owner_since FROM customers WHERE id = ?", c, NULL);
	assert_q_text("SELECT pool_since FROM customers WHERE id = ?", c, NOW);
	assert_int_equal(crm_customer_set_pool(db, c, pool, "again"), 0);

	assert_int_equal(crm_customer_set_owner(db, c, wang, "claim"), 1);
	assert_holder(c, wang, -1);
	assert_q_text("SELECT pool_since FROM customers WHERE id = ?", c, NULL);

	assert_int_equal(crm_customer_set_owner(db, c, -1, "release"), 1);
	assert_holder(c, -1, -1);
	assert_int_equal(crm_customer_set_owner(db, c, -1, "again"), 0);
	assert_int_equal(crm_customer_set_pool(db, c, -1, "again"), 0);
	assert_history(c, "owner:->li:round-robin;"
	    "owner:li>-:reclaim: no follow-up;pool:->公海:reclaim: no follow-up;"
	    "pool:公海>-:claim;owner:->wang:claim;"
	    "owner:wang>-:release;");
	/*
	 * every row belongs to the batch, with its command; the six holder
	 * changes each moved a clock too (li's, the pool's, wang's; then
	 * each cleared again): 6 + 6
	 */
	assert_int_equal(crm_db_int(db, "SELECT count(*) FROM history"
	    " WHERE batch_id = ? AND command = 'crm-lead update'", b), 12);
	crm_db_commit(db);
}

/* ---- undo ------------------------------------------------------------- */

struct skips {
	int n;
	char last[256];
};

static void
on_skip(const char *entity, long long id, const char *field, const char *why,
    void *ctx)
{
	struct skips *sk = ctx;

	sk->n++;
	snprintf(sk->last, sizeof sk->last, "%s %lld %s: %s", entity, id, field, why);
}

static long long undo_batch_id;

static void
undo_again(void *ctx)
{
	(void)ctx;
	db = crm_db_open(CRM_DB_CREATE);
	crm_db_begin(db);
	crm_batch_start(db, CRM_BATCH_LEAD_UPDATE, NULL);
	crm_batch_undo(db, undo_batch_id, NULL, NULL);
	crm_db_commit(db);
}

static void
test_batch_undo(void **state)
{
	long long c1, c2, c3, li, wang, pool, b1, b2, b3, b4, n;
	struct skips sk = { 0, "" };
	struct unit_child ch;
	char want[128];

	(void)state;
	db = crm_db_open(CRM_DB_CREATE);
	crm_db_begin(db);
	crm_batch_start(db, CRM_BATCH_LEAD_UPDATE, NULL);
	li = add_user("li");
	wang = add_user("wang");
	pool = add_pool("公海");
	c1 = add_lead("甲", NULL, NULL, "甲公司", NULL);
	c2 = add_lead("乙", NULL, NULL, "乙公司", NULL);
	c3 = add_lead("丙", NULL, NULL, "丙公司", "li");
	{
		/* li has held c3 since long before: the clock undo must restore */
		struct crm_stmt *s = crm_sql(db, "UPDATE customers SET owner_since ="
		    " '2026-01-02T03:04:05Z' WHERE id = ?");

		crm_bind_int(s, 1, c3);
		crm_step(s);
	}
	crm_db_commit(db);

	/* batch 1: assign c1 and c2 to li, move c3 from li to the pool */
	crm_db_begin(db);
	b1 = crm_batch_start(db, CRM_BATCH_LEAD_UPDATE, NULL);
	crm_customer_set_owner(db, c1, li, "assign");
	crm_customer_set_owner(db, c2, li, "assign");
	crm_customer_set_pool(db, c3, pool, "reclaim");
	crm_db_commit(db);
	/* batch 2: c2 changes hands again */
	crm_db_begin(db);
	b2 = crm_batch_start(db, CRM_BATCH_LEAD_UPDATE, NULL);
	crm_customer_set_owner(db, c2, wang, "transfer");
	crm_db_commit(db);

	/* undo batch 1: c1 and c3 go back, c2 is skipped */
	crm_db_begin(db);
	b3 = crm_batch_start(db, CRM_BATCH_LEAD_UPDATE, NULL);
	n = crm_batch_undo(db, b1, on_skip, &sk);
	crm_db_commit(db);
	assert_int_equal(n, 6);	/* c1 owner; c3 pool and owner; their clocks */
	assert_int_equal(sk.n, 1);
	snprintf(want, sizeof want, "customer %lld owner: changed since by batch %lld",
	    c2, b2);
	assert_string_equal(sk.last, want);
	assert_holder(c1, -1, -1);
	assert_holder(c2, wang, -1);
	assert_holder(c3, li, -1);
	assert_int_equal(crm_db_int(db, "SELECT undone_by FROM batches WHERE id = ?",
	    b1), b3);
	snprintf(want, sizeof want, "undo batch %lld", b1);
	assert_int_equal(crm_db_int(db, "SELECT count(*) FROM history"
	    " WHERE batch_id = ?", b3), 6);
	/* c3's clock is li's from before batch 1, not the time of the undo */
	assert_q_text("SELECT owner_since FROM customers WHERE id = ?", c3,
	    "2026-01-02T03:04:05Z");
	assert_q_text("SELECT owner_since FROM customers WHERE id = ?", c2, NOW);
	{
		struct crm_stmt *s = crm_sql(db, "SELECT count(*) FROM history"
		    " WHERE batch_id = ? AND reason = ?");

		crm_bind_int(s, 1, b3);
		crm_bind_text(s, 2, want);
		assert_int_equal(crm_step(s), 1);
		assert_int_equal(crm_col_int(s, 0), 6);
		crm_reset(s);
	}
	assert_history(c1, "owner:->li:assign;owner:li>-:undo batch 2;");

	/* the undo itself can be undone (c1 back to li, c3 back to the pool) */
	crm_db_begin(db);
	b4 = crm_batch_start(db, CRM_BATCH_LEAD_UPDATE, NULL);
	sk.n = 0;
	assert_int_equal(crm_batch_undo(db, b3, on_skip, &sk), 6);
	crm_db_commit(db);
	assert_int_equal(sk.n, 0);
	assert_holder(c1, li, -1);
	assert_holder(c3, -1, pool);
	assert_true(b4 > b3);

	/* an undone batch, or one that is not there, cannot be undone */
	crm_db_close(db);
	db = NULL;
	undo_batch_id = b1;
	unit_run(undo_again, NULL, &ch);
	snprintf(want, sizeof want, "batch %lld was undone already (by batch %lld)",
	    b1, b3);
	assert_died(&ch, want);
	undo_batch_id = 999;
	unit_run(undo_again, NULL, &ch);
	assert_died(&ch, "no batch 999");
	/* and the failed runs left nothing behind */
	db = crm_db_open(CRM_DB_READ);
	assert_int_equal(crm_db_int(db, "SELECT count(*) FROM batches", 0), b4);
}

/* ---- all or nothing ----------------------------------------------------- */

static long long
count_all(void)
{
	return crm_db_int(db, "SELECT (SELECT count(*) FROM customers) +"
	    " (SELECT count(*) FROM history) + (SELECT count(*) FROM batches) +"
	    " (SELECT count(*) FROM users)", 0);
}

static void
write_then_die(void *ctx)
{
	(void)ctx;
	db = crm_db_open(CRM_DB_CREATE);
	crm_db_begin(db);
	crm_batch_start(db, CRM_BATCH_LEAD_UPDATE, NULL);
	add_user("li");
	add_lead("甲", "13800000009", NULL, NULL, "li");
	crm_die("t.tsv:2: phone: no good");
}

static void
test_rollback(void **state)
{
	long long c, li;
	struct unit_child ch;

	(void)state;
	db = crm_db_open(CRM_DB_CREATE);
	assert_int_equal(count_all(), 0);

	/* an explicit rollback (--dry-run) */
	crm_db_begin(db);
	crm_batch_start(db, CRM_BATCH_LEAD_UPDATE, NULL);
	li = add_user("li");
	c = add_lead("甲", "13800000009", NULL, "甲公司", NULL);
	crm_customer_set_owner(db, c, li, "assign");
	assert_int_equal(count_all(), 5);	/* + the owner and its clock */
	crm_db_rollback(db);
	assert_int_equal(count_all(), 0);

	/* crm_die() in a transaction rolls it back before exiting */
	crm_db_close(db);
	db = NULL;
	unit_run(write_then_die, NULL, &ch);
	assert_died(&ch, "t.tsv:2: phone: no good");
	db = crm_db_open(CRM_DB_READ);
	assert_int_equal(count_all(), 0);

	/* closing with a transaction open rolls it back too */
	crm_db_close(db);
	db = crm_db_open(CRM_DB_CREATE);
	crm_db_begin(db);
	crm_batch_start(db, CRM_BATCH_LEAD_UPDATE, NULL);
	add_user("wang");
	crm_db_close(db);
	db = crm_db_open(CRM_DB_READ);
	assert_int_equal(count_all(), 0);

	/* and a commit keeps it all */
	crm_db_close(db);
	db = crm_db_open(CRM_DB_CREATE);
	crm_db_begin(db);
	crm_batch_start(db, CRM_BATCH_LEAD_UPDATE, NULL);
	add_user("zhao");
	crm_db_commit(db);
	assert_int_equal(count_all(), 2);
}

static int
group_teardown(void **state)
{
	(void)state;
	unit_cleanup();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_creates_schema, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_find_dup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_owned_or_pooled, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_owner_pool, setup, teardown),
		cmocka_unit_test_setup_teardown(test_batch_undo, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rollback, setup, teardown),
	};

	crm_set_progname("test_db");
	return cmocka_run_group_tests(tests, NULL, group_teardown);
}
