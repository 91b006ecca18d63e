/*
** test_activity.c: follow-ups (activity.h) on a temporary database: what
** each change writes to the history, the customer's clocks, and what a
** rep may change.
*/
#include "unit.h"

#include "activity.h"
#include "db.h"
#include "history.h"
#include "when.h"

#define NOW "2026-11-22T09:00:00Z"

static struct crm_db *db;

/* A one-row text query with one integer parameter: malloc'd, or NULL. */
/* Activity ID's history rows: "field=old>new" for each, "-" for NULL. */
#define TRAIL "SELECT group_concat(field || '=' || coalesce(old_value, '-')" \
	" || '>' || coalesce(new_value, '-'), ' ') FROM (SELECT * FROM history" \
	" WHERE entity = 'activity' AND entity_id = ? ORDER BY id)"
#define CLOCKS "SELECT coalesce(last_activity_at, '-') || ' ' ||" \
	" coalesce(next_due_at, '-') FROM customers WHERE id = ?"

/* Open the database as ACTOR, in a transaction with a batch of KIND. */
static void
open_as(const char *actor, enum crm_batch_kind kind)
{
	crm_db_close(db);
	crm_g.actor = actor;
	db = crm_db_open(CRM_DB_WRITE);
	crm_db_begin(db);
	crm_batch_start(db, kind, NULL);
}

/* boss (admin), reps li and wang, the test clock on; customer 1 li's, 2 wang's. */
static int
setup(void **state)
{
	(void)state;
	crm_g.db_path = strdup(unit_path(".db"));
	crm_g.actor = "boss";
	crm_g.now = NOW;
	crm_g.wait_ms = 2000;
	crm_g.quiet = 1;
	db = crm_db_open(CRM_DB_CREATE);
	crm_db_exec(db, "INSERT INTO users (login, role, created_at) VALUES"
	    " ('boss', 'admin', '" NOW "'), ('li', 'rep', '" NOW "'),"
	    " ('wang', 'rep', '" NOW "');"
	    "INSERT INTO config (key, value) VALUES ('test-clock', 'on');"
	    "INSERT INTO customers (name, owner_id, owner_since, created_at,"
	    " updated_at) VALUES ('A', 2, '" NOW "', '" NOW "', '" NOW "'),"
	    " ('B', 3, '" NOW "', '" NOW "', '" NOW "')");
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

static void
test_kind(void **state)
{
	(void)state;
	assert_string_equal(crm_activity_kind("电话"), "call");
	assert_string_equal(crm_activity_kind("WeChat"), "wechat");
	assert_string_equal(crm_activity_kind("拜访"), "visit");
	assert_null(crm_activity_kind("fax"));
}

/* A follow-up done with the next planned: two rows, every field in history. */
static void
test_record(void **state)
{
	struct crm_activity_in in = { 1, -1, "call", "2026-11-22T08:00:00Z",
	    "2026-11-25T00:00:00Z", "要报价", "发报价单" };
	long long ids[2];
	int n;

	(void)state;
	open_as("li", CRM_BATCH_ACTIVITY_LOG);
	assert_null(crm_activity_record(db, &in, ids, &n));
	assert_int_equal(n, 2);
	assert_q_text(TRAIL, ids[0], "customer_id=->1 user=->li kind=->call "
	    "at=->2026-11-22T08:00:00Z note=->要报价 next=->发报价单 "
	    "done_at=->2026-11-22T08:00:00Z");
	assert_q_text(TRAIL, ids[1], "customer_id=->1 user=->li kind=->call "
	    "note=->发报价单 due_at=->2026-11-25T00:00:00Z");
	assert_q_text(CLOCKS, 1, "2026-11-22T08:00:00Z 2026-11-25T00:00:00Z");
	/* later than now: refused, nothing written */
	in.at = "2026-11-22T09:00:01Z";
	assert_string_equal(crm_activity_record(db, &in, ids, &n),
	    "at '2026-11-22T09:00:01Z' is in the future (a follow-up is "
	    "logged once done; plan one with --due)");
	assert_int_equal(n, 0);
	assert_q_text("SELECT count(*) FROM activities WHERE ? = 0", 0, "2");
}

/* Done, edit and cancel of planned ones; the clocks follow each. */
static void
test_done_edit_cancel(void **state)
{
	struct crm_activity_in in = { 1, -1, "call", NULL,
	    "2026-11-25T00:00:00Z", "报价", NULL };
	struct crm_activity_edit e = { "visit", "2026-11-30T00:00:00Z", "", "出差" };
	long long a, b, ids[2];
	int n, changed;

	(void)state;
	open_as("li", CRM_BATCH_ACTIVITY_LOG);
	assert_null(crm_activity_record(db, &in, ids, &n));
	a = ids[0];
	in.due = "2026-11-28T00:00:00Z";
	assert_null(crm_activity_record(db, &in, ids, &n));
	b = ids[0];
	assert_q_text(CLOCKS, 1, "- 2026-11-25T00:00:00Z");

	crm_batch_start(db, CRM_BATCH_ACTIVITY_EDIT, NULL);
	assert_null(crm_activity_edit(db, a, &e, &changed));
	assert_int_equal(changed, 1);
	assert_q_text("SELECT group_concat(field || ' ' || reason, ',') FROM"
	    " history WHERE entity_id = ? AND command = 'crm-activity edit'", a,
	    "kind 出差,note 出差,due_at 出差");
	assert_q_text(CLOCKS, 1, "- 2026-11-28T00:00:00Z");
	assert_null(crm_activity_edit(db, a, &e, &changed));
	assert_int_equal(changed, 0);

	crm_batch_start(db, CRM_BATCH_ACTIVITY_DONE, NULL);
	assert_null(crm_activity_done(db, b, "2026-11-22T08:30:00Z", NULL));
	assert_q_text(CLOCKS, 1, "2026-11-22T08:30:00Z 2026-11-30T00:00:00Z");
	assert_string_equal(crm_activity_done(db, b, NOW, NULL),
	    "activity 2 was done already (at 2026-11-22T08:30:00Z)");
	assert_string_equal(crm_activity_cancel(db, b, NULL),
	    "activity 2 was done already (at 2026-11-22T08:30:00Z)");

	crm_batch_start(db, CRM_BATCH_ACTIVITY_CANCEL, NULL);
	assert_null(crm_activity_cancel(db, a, "客户取消"));
	assert_q_text("SELECT count(*) FROM activities WHERE id = ?", a, "0");
	assert_q_text("SELECT group_concat(field || '=' || old_value || '>' ||"
	    " coalesce(new_value, '-') || ' ' || reason, ',') FROM history"
	    " WHERE entity_id = ? AND command = 'crm-activity cancel'", a,
	    "customer_id=1>- 客户取消,user=li>- 客户取消,kind=visit>- 客户取消,"
	    "due_at=2026-11-30T00:00:00Z>- 客户取消");
	assert_q_text(CLOCKS, 1, "2026-11-22T08:30:00Z -");
	assert_string_equal(crm_activity_cancel(db, a, NULL), "no activity 1");
}

/* A rep acts on the follow-ups of its own customers only. */
static void
test_rights(void **state)
{
	struct crm_activity_in in = { 2, -1, "call", NULL,
	    "2026-11-25T00:00:00Z", NULL, NULL };
	long long ids[2];
	int n;

	(void)state;
	open_as("wang", CRM_BATCH_ACTIVITY_LOG);
	assert_null(crm_activity_record(db, &in, ids, &n));
	crm_db_commit(db);
	open_as("li", CRM_BATCH_ACTIVITY_LOG);
	assert_string_equal(crm_activity_record(db, &in, ids, &n),
	    "permission denied: customer 2 is owned by 'wang', not by you "
	    "('li', a rep)");
	assert_string_equal(crm_activity_cancel(db, 1, NULL),
	    "activity 1: permission denied: customer 2 is owned by 'wang', not "
	    "by you ('li', a rep)");
	in.customer_id = 9;
	assert_string_equal(crm_activity_record(db, &in, ids, &n),
	    "no customer 9");
	assert_q_text("SELECT count(*) FROM activities WHERE ? = 0", 0, "1");
	crm_db_rollback(db);
	open_as("boss", CRM_BATCH_ACTIVITY_CANCEL);
	assert_null(crm_activity_cancel(db, 1, NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kind),
		cmocka_unit_test_setup_teardown(test_record, setup, teardown),
		cmocka_unit_test_setup_teardown(test_done_edit_cancel, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_rights, setup, teardown),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	unit_cleanup();
	return rc;
}
