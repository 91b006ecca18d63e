/* dbcopy.c: a whole database from one engine to another (see dbcopy.h). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "dbcopy.h"
#include "die.h"
#include "policy.h"
#include "rec.h"
#include "str.h"

/*
** The tables in an order their references allow: a row's parents are
** in before it (references within a table are checked at its commit).
** Tables a later migration adds go after these, by name.
*/
static const char *const order[] = {
	"teams", "users", "pools", "pool_members", "batches", "custom_fields",
	"customers", "customer_fields", "contacts", "activities", "stages",
	"deals", "deal_stages", "targets", "history", "merges", "rr_cursors",
	"wrr_state", "config", NULL
};

/* Filled by a fresh database's migrations, so not a sign of data. */
static int
seeded(const char *table)
{
	return strcmp(table, "stages") == 0 || strcmp(table, "config") == 0;
}

/* The columns of TABLE, in their order. */
static void
columns(struct crm_db *db, const char *table, struct strvec *out)
{
	struct crm_stmt *s = crm_sql(db, crm_db_variant(db,
	    "SELECT name FROM pragma_table_info(?) ORDER BY cid",
	    "SELECT attname FROM pg_attribute WHERE attrelid ="
	    " CAST('crm.' || ? AS regclass) AND attnum > 0 AND NOT attisdropped"
	    " ORDER BY attnum"));

	crm_bind_text(s, 1, table);
	while (crm_step(s))
		sv_push(out, crm_col_text(s, 0));
}

/* SELECT COLS FROM TABLE in key order: by id, else by every column. */
static char *
select_sql(const char *table, const struct strvec *cols)
{
	struct strbuf sb = STRBUF_INIT;

	sb_init(&sb);
	sb_adds(&sb, "SELECT ");
	for (size_t i = 0; i < cols->n; i++)
		sb_addf(&sb, "%s\"%s\"", i ? ", " : "", cols->v[i]);
	sb_addf(&sb, " FROM %s ORDER BY ", table);
	if (sv_has(cols, "id"))
		sb_adds(&sb, "id");
	else if (sv_has(cols, "rowid"))
		sb_adds(&sb, "\"rowid\"");
	else
		for (size_t i = 0; i < cols->n; i++)
			sb_addf(&sb, "%s%zu", i ? ", " : "", i + 1);
	return sb_detach(&sb);
}

/* FNV-1a of the bytes S..S+N into *H. */
static void
fnv(uint64_t *h, const void *s, size_t n)
{
	const unsigned char *p = s;

	while (n--)
		*h = (*h ^ *p++) * 1099511628211ULL;
}

/* The rows of TABLE in DB: how many, and a checksum of their values. */
static long long
table_sum(struct crm_db *db, const char *table, const struct strvec *cols,
    uint64_t *sum)
{
	char *sql = select_sql(table, cols);
	struct crm_stmt *s = crm_sql_own(db, sql);
	long long n = 0;

	*sum = 14695981039346656037ULL;
	while (crm_step(s)) {
		for (size_t i = 0; i < cols->n; i++) {
			const char *v = crm_col_text(s, (int)i);

			if (v == NULL)
				fnv(sum, "\0\1", 2);
			else
				fnv(sum, v, strlen(v) + 1);
		}
		fnv(sum, "\36", 1);
		n++;
	}
	crm_stmt_free(s);
	free(sql);
	return n;
}

/* Does TABLE hold any row? */
static int
has_rows(struct crm_db *db, const char *table)
{
	char *sql = xasprintf("SELECT 1 FROM %s LIMIT 1", table);
	struct crm_stmt *s = crm_sql_own(db, sql);
	int yes = crm_step(s);

	crm_stmt_free(s);
	free(sql);
	return yes;
}

static void
exec_own(struct crm_db *db, const char *fmt, const char *table)
{
	char *sql = xasprintf(fmt, table);

	crm_db_exec(db, sql);
	free(sql);
}

/* Copy TABLE's rows (COLS) from SRC into DST, inside DST's transaction. */
static void
copy_rows(struct crm_db *src, struct crm_db *dst, const char *table,
    const struct strvec *cols)
{
	char *sql = select_sql(table, cols), *ins;
	struct crm_stmt *s = crm_sql_own(src, sql), *put = NULL;
	const char **v = xcalloc(cols->n + 1, sizeof *v);
	struct strbuf names = STRBUF_INIT, marks = STRBUF_INIT;

	sb_init(&names);
	sb_init(&marks);
	sb_addc(&names, '(');
	for (size_t i = 0; i < cols->n; i++) {
		sb_addf(&names, "%s\"%s\"", i ? ", " : "", cols->v[i]);
		sb_adds(&marks, i ? ", ?" : "?");
	}
	sb_addc(&names, ')');
	ins = xasprintf("INSERT INTO %s %s VALUES (%s)", table, names.buf, marks.buf);
	if (!crm_db_bulk(dst))
		put = crm_sql_own(dst, ins);
	while (crm_step(s)) {
		for (size_t i = 0; i < cols->n; i++)
			v[i] = crm_col_text(s, (int)i);
		if (put == NULL) {
			crm_db_append(dst, table, names.buf, cols->n, v);
			continue;
		}
		for (size_t i = 0; i < cols->n; i++)
			crm_bind_text(put, (int)i + 1, v[i]);
		if (crm_step_try(put) < 0)
			crm_die("copy: %s: %s", table, crm_db_errmsg(dst));
	}
	crm_stmt_free(put);
	crm_stmt_free(s);
	sb_free(&names);
	sb_free(&marks);
	free(ins);
	free(sql);
	free(v);
}

long long
crm_db_copy(const char *from, const char *to, int replace, struct rec_writer *w)
{
	static const char *const cols_out[] = { "table", "rows", "checksum", "state" };
	struct crm_db *src, *dst;
	struct strvec tables = STRVEC_INIT, have = STRVEC_INIT;
	long long bad = 0;
	int data = 0;

	if (strcmp(from, to) == 0)
		crm_die("copy: '%s' is both the source and the target", from);
	src = crm_db_open_path(from, CRM_DB_READ);
	crm_require_admin(src, "copying a database");
	dst = crm_db_open_path(to, CRM_DB_CREATE);
	crm_require_admin(dst, "copying into a database");
	/* The source holds still: no writer until the copy is done. */
	crm_db_begin(src);
	for (size_t i = 0; order[i]; i++)
		sv_push(&tables, order[i]);
	crm_db_tables(src, &have);
	for (size_t i = 0; i < have.n; i++)
		if (!sv_has(&tables, have.v[i]))
			sv_push(&tables, have.v[i]);
	sv_free(&have);
	crm_db_tables(dst, &have);
	for (size_t i = 0; i < tables.n; i++) {
		if (!sv_has(&have, tables.v[i]))
			crm_die("copy: '%s' has no table '%s' (is it older?)", to,
			    tables.v[i]);
		if (!seeded(tables.v[i]) && has_rows(dst, tables.v[i]))
			data = 1;
	}
	if (data && !replace)
		crm_die("copy: '%s' holds data already: copy into a new database, "
		    "or replace its content with --replace", to);
	/* Emptied children first, in one transaction: a failure leaves it as it was. */
	crm_db_begin(dst);
	for (size_t i = tables.n; i-- > 0;)
		if (sv_has(&have, tables.v[i]))
			exec_own(dst, "DELETE FROM %s", tables.v[i]);
	crm_db_commit(dst);
	if (w)
		recw_header(w, 4, cols_out);
	for (size_t i = 0; i < tables.n; i++) {
		const char *t = tables.v[i];
		struct strvec cols = STRVEC_INIT;
		uint64_t a, b;
		long long na, nb;
		char rows[24], sum[24];
		const char *v[4];

		columns(src, t, &cols);
		/*
		 * SQLite's rowid, where PostgreSQL keeps it as a column (the
		 * order of deal_stages): SQLite reads and writes it by name.
		 */
		if (!sv_has(&cols, "rowid")) {
			struct strvec other = STRVEC_INIT;

			columns(dst, t, &other);
			if (sv_has(&other, "rowid"))
				sv_push(&cols, "rowid");
			sv_free(&other);
		}
		crm_db_begin(dst);
		/* a row may name one later in its own table: checked at commit */
		crm_db_exec(dst, crm_db_variant(dst, "PRAGMA defer_foreign_keys = ON",
		    "SET CONSTRAINTS ALL DEFERRED"));
		copy_rows(src, dst, t, &cols);
		na = table_sum(src, t, &cols, &a);
		nb = table_sum(dst, t, &cols, &b);
		crm_db_commit(dst);
		snprintf(rows, sizeof rows, "%lld", na);
		snprintf(sum, sizeof sum, "%016llx", (unsigned long long)a);
		v[0] = t;
		v[1] = rows;
		v[2] = sum;
		v[3] = na == nb && a == b ? "ok" : "differs";
		if (na != nb || a != b) {
			crm_warn("copy: table '%s': %lld rows read, %lld written, or "
			    "their values differ", t, na, nb);
			bad++;
		}
		if (w)
			recw_row(w, 4, v);
		sv_free(&cols);
	}
	/* The server's logins for the users, as crm-user add makes them. */
	if (crm_db_server(dst)) {
		struct crm_stmt *s = crm_sql(src, "SELECT login, role, active"
		    " FROM users ORDER BY id");

		crm_db_begin(dst);
		while (crm_step(s))
			crm_db_sync_login(dst, NULL, crm_col_text(s, 0),
			    crm_col_text(s, 1), crm_col_int(s, 2) != 0);
		crm_db_commit(dst);
	}
	crm_db_rollback(src);
	sv_free(&tables);
	sv_free(&have);
	crm_db_close(dst);
	crm_db_close(src);
	return bad;
}
