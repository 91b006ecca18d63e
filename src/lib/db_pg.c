/*
** db_pg.c: the PostgreSQL engine behind crm_db, through libpq.
**
** The crm schema lives in the schema "crm" of the database the URI
** names.  Statements come in SQLite's spelling and are translated once,
** when first prepared: "?" and "?N" parameters become "$N", and an
** INSERT into a table with an id gets "RETURNING id" for crm_db_last_id().
** A statement is prepared on the server at its first step, when the
** kinds of its bound values are known (an integer is int8, text and NULL
** are left to the server, or text where it cannot tell), so that
** "?1 IS NULL OR col = ?1" works as it does on SQLite.
**
** Writers: CRM_TX_WRITE takes an advisory lock every writer takes,
** exclusively, as SQLite's BEGIN IMMEDIATE does; CRM_TX_ROWS takes it
** shared, and row locks on what it changes.  Lock waits end with the
** deadline of --wait (lock_timeout); then exit 3.
*/
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dbengine.h"
#include "die.h"
#include "opt.h"
#include "str.h"

#define OID_BOOL 16
#define OID_INT8 20
#define OID_TEXT 25

#define WRITE_LOCK "1129465137"	/* "CRM1": the advisory lock of writers */

struct pg_conn {
	PGconn *c;
	long long last_id;
	char *err;			/* the last error, for crm_db_errmsg */
	int nstmt;			/* prepared statements so far: their names */
	char *ids;			/* ",t1,t2,": tables whose id is an identity */
	int rep;			/* a rep: reads go through the seen_ views */
};

extern const char *const crm_pg_rights[];

struct pg_stmt {
	struct crm_db *db;
	char *sql;			/* translated */
	char name[24];			/* the server's name; "" until prepared */
	int nparam;
	char **val;			/* bound values, as text; NULL for NULL */
	unsigned char *owned;		/* val[i] is a copy of ours */
	Oid *type;			/* what each was bound as */
	char (*num)[24];		/* the text of bound integers */
	int returning_id;		/* RETURNING id added: rows go to last_id */
	PGresult *res;
	int row, nrow;
};

#define C(db) ((struct pg_conn *)(db)->e)

/* Cut the line ends off the end of S. */
static void
chomp(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = '\0';
}

/* The SQLSTATE of RES, or "" */
static const char *
state_of(const PGresult *res)
{
	const char *s = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

	return s ? s : "";
}

static int
is_busy_state(const char *st)
{
	/* serialization failure, deadlock, lock not available, lock timeout */
	return strcmp(st, "40001") == 0 || strcmp(st, "40P01") == 0 ||
	    strcmp(st, "55P03") == 0;
}

/* Keep RES's message for crm_db_errmsg(). */
static void
keep_error(struct crm_db *db, const PGresult *res)
{
	const char *m = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	const char *d = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;

	free(C(db)->err);
	if (m == NULL)
		m = PQerrorMessage(C(db)->c);
	C(db)->err = d ? xasprintf("%s (%s)", m, d) : xstrdup(m);
	chomp(C(db)->err);
}

/*
** Fail for RES, a failed result (freed here): exit 3 for a wait that ran
** out, else die saying WHAT failed and why.
*/
static void __attribute__((noreturn))
pg_fail(struct crm_db *db, PGresult *res, const char *what)
{
	const char *st = state_of(res);

	keep_error(db, res);
	if (is_busy_state(st) || strcmp(st, "57014") == 0) {
		PQclear(res);
		crm_db_die_busy(db);
	}
	PQclear(res);
	crm_die("database '%s': %s: %s", db->path, what, C(db)->err);
}

/* Run SQL (one or more statements, no parameters); die on failure. */
static void
pg_exec(struct crm_db *db, const char *sql)
{
	PGresult *res = PQexec(C(db)->c, sql);
	ExecStatusType t = PQresultStatus(res);

	if (t != PGRES_COMMAND_OK && t != PGRES_TUPLES_OK)
		pg_fail(db, res, "cannot run SQL");
	PQclear(res);
}

/* The one value of a one-row query without parameters (caller frees), or NULL. */
static char *
pg_value(struct crm_db *db, const char *sql)
{
	PGresult *res = PQexec(C(db)->c, sql);
	char *v = NULL;

	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		pg_fail(db, res, "cannot read the database");
	if (PQntuples(res) > 0 && !PQgetisnull(res, 0, 0))
		v = xstrdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	return v;
}

/* Set the session's lock_timeout to what is left of the wait. */
static void
set_lock_timeout(struct crm_db *db, int local)
{
	char sql[80];
	long ms = crm_db_ms_left(db);

	snprintf(sql, sizeof sql, "SET %slock_timeout = %ld", local ? "LOCAL " : "",
	    ms > 0 ? ms : 1);
	pg_exec(db, sql);
}

/*
** Connect to the URI db->path as crm_g.actor when one was named (--as,
** $CRM_USER), else as libpq chooses; the server's session user is then
** the actor, whatever was asked for.
*/
static void
pg_open(struct crm_db *db, enum crm_db_mode mode)
{
	struct pg_conn *pc = xcalloc(1, sizeof *pc);
	const char *keys[6], *vals[6];
	char timeout[24], *who, *crm;
	int n = 0;
	long secs = (crm_db_ms_left(db) + 999) / 1000;

	db->e = pc;
	snprintf(timeout, sizeof timeout, "%ld", secs < 2 ? 2 : secs);
	keys[n] = "dbname", vals[n++] = db->path;
	if (crm_g.actor_given)
		keys[n] = "user", vals[n++] = crm_g.actor;
	keys[n] = "connect_timeout", vals[n++] = timeout;
	keys[n] = "application_name", vals[n++] = crm_progname;
	keys[n] = "client_encoding", vals[n++] = "UTF8";
	keys[n] = NULL, vals[n] = NULL;
	pc->c = PQconnectdbParams(keys, vals, 1);
	if (PQstatus(pc->c) != CONNECTION_OK) {
		char *m = xstrdup(PQerrorMessage(pc->c));

		chomp(m);
		crm_die("cannot connect to '%s'%s%s: %s", db->path,
		    crm_g.actor_given ? " as " : "",
		    crm_g.actor_given ? crm_g.actor : "", m);
	}
	set_lock_timeout(db, 0);
	pg_exec(db, "SET search_path = crm; SET client_min_messages = warning");
	/* The server says who acts: the login it authenticated. */
	who = pg_value(db, "SELECT session_user");
	crm_g.actor = who;	/* kept for the process's life */
	crm = pg_value(db, "SELECT count(*) FROM pg_namespace WHERE nspname = 'crm'");
	if (strcmp(crm, "0") == 0 && mode != CRM_DB_CREATE)
		crm_die("no database '%s' (set --db or CRM_DB; crm-db init, "
		    "crm-user add and crm-lead add or import create one)", db->path);
	free(crm);
}

static void
pg_close(struct crm_db *db)
{
	struct pg_conn *pc = C(db);

	PQfinish(pc->c);
	free(pc->err);
	free(pc->ids);
	free(pc);
	db->e = NULL;
}

static void
pg_schema(struct crm_db *db, struct crm_schema_state *st)
{
	char *ns, *meta, *v;

	memset(st, 0, sizeof *st);
	ns = pg_value(db, "SELECT count(*) FROM pg_namespace WHERE nspname = 'crm'");
	meta = pg_value(db, "SELECT to_regclass('crm.crm_meta') IS NOT NULL");
	if (strcmp(meta, "t") == 0) {
		v = pg_value(db, "SELECT application_id FROM crm.crm_meta");
		st->appid = v ? strtoll(v, NULL, 10) : 0;
		free(v);
		v = pg_value(db, "SELECT version FROM crm.crm_meta");
		st->version = v ? strtoll(v, NULL, 10) : 0;
		free(v);
	} else if (strcmp(ns, "0") != 0) {
		v = pg_value(db, "SELECT count(*) FROM pg_class c JOIN pg_namespace n"
		    " ON n.oid = c.relnamespace WHERE n.nspname = 'crm'");
		st->foreign = strcmp(v, "0") != 0;
		free(v);
	}
	st->empty = st->version == 0 && !st->foreign;
	free(ns);
	free(meta);
}

/* Is the word at S (length N) W, case aside? */
static int
word_is(const char *s, size_t n, const char *w)
{
	return strlen(w) == n && strncasecmp(s, w, n) == 0;
}

/* Is C part of an identifier or keyword? */
static int
ident_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || (c & 0x80);
}

/*
** Skip a string literal, quoted identifier or comment at P, copying it
** to OUT; returns the end, or P when there is none there.
*/
static const char *
skip_quoted(const char *p, struct strbuf *out)
{
	const char *q;

	if (*p == '\'' || *p == '"') {
		for (q = p + 1; *q; q++)
			if (*q == *p) {
				if (q[1] == *p)
					q++;
				else
					break;
			}
		if (*q)
			q++;
	} else if (p[0] == '-' && p[1] == '-') {
		q = p + strcspn(p, "\n");
	} else if (p[0] == '/' && p[1] == '*') {
		q = strstr(p + 2, "*/");
		q = q ? q + 2 : p + strlen(p);
	} else
		return p;
	sb_add(out, p, (size_t)(q - p));
	return q;
}

/*
** A migration in SQLite's spelling, for PostgreSQL: INTEGER is BIGINT
** (SQLite's integers are 64-bit), an INTEGER PRIMARY KEY an identity,
** TEXT compares bytewise (COLLATE "C", as SQLite's BINARY) whatever the
** database's locale.  Caller frees.
*/
static char *
translate_ddl(const char *sql)
{
	struct strbuf out = STRBUF_INIT;
	const char *p = sql, *q;

	sb_init(&out);
	while (*p) {
		if ((q = skip_quoted(p, &out)) != p) {
			p = q;
			continue;
		}
		if (!ident_char((unsigned char)*p)) {
			sb_addc(&out, *p++);
			continue;
		}
		for (q = p; ident_char((unsigned char)*q); q++)
			;
		if (word_is(p, (size_t)(q - p), "INTEGER")) {
			const char *r = q + strspn(q, " \t");

			if (strncasecmp(r, "PRIMARY KEY", 11) == 0 &&
			    !ident_char((unsigned char)r[11])) {
				sb_adds(&out, "BIGINT GENERATED BY DEFAULT AS IDENTITY"
				    " PRIMARY KEY");
				q = r + 11;
			} else
				sb_adds(&out, "BIGINT");
		} else if (word_is(p, (size_t)(q - p), "TEXT"))
			sb_adds(&out, "TEXT COLLATE \"C\"");
		else
			sb_add(&out, p, (size_t)(q - p));
		p = q;
	}
	return sb_detach(&out);
}

static void
pg_migrate(struct crm_db *db, int n, const char *sql)
{
	char *pg;

	if (n == 0)
		pg_exec(db, "CREATE SCHEMA IF NOT EXISTS crm");
	pg = translate_ddl(sql);
	pg_exec(db, pg);
	free(pg);
	free(C(db)->ids);
	C(db)->ids = NULL;
}

/* FNV-1a of S as text: which rights.sql a database has. */
static char *
rights_hash(const char *s)
{
	unsigned long long h = 14695981039346656037ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return xasprintf("%016llx", h);
}

/*
** Make the rights (rights.sql) as this program has them, inside the open
** transaction, and note which they are in crm_meta.
*/
static void
apply_rights(struct crm_db *db)
{
	char *h = rights_hash(crm_pg_rights[0]), *sql;

	pg_exec(db, crm_pg_rights[0]);
	sql = xasprintf("UPDATE crm.crm_meta SET rights = '%s'", h);
	pg_exec(db, sql);
	free(sql);
	free(h);
}

static void
pg_stamp(struct crm_db *db, long long appid, long long version)
{
	char sql[400];

	snprintf(sql, sizeof sql, "CREATE TABLE IF NOT EXISTS crm.crm_meta"
	    " (application_id BIGINT NOT NULL, version INTEGER NOT NULL,"
	    " rights TEXT);"
	    " DELETE FROM crm.crm_meta;"
	    " INSERT INTO crm.crm_meta VALUES (%lld, %lld, NULL)", appid, version);
	pg_exec(db, sql);
	apply_rights(db);
}

/*
** After the migrations: who the session user is here.  The owner and
** admins read the tables; a rep reads through the views; anyone else is
** refused as the library would refuse them, but by the server.  The
** owner brings rights made by an older program up to date.
*/
static void
pg_ready(struct crm_db *db)
{
	char *standing = pg_value(db, "SELECT crm.standing()");
	char *have, *want;

	if (strcmp(standing, "rep") == 0)
		C(db)->rep = 1;
	else if (strcmp(standing, "inactive") == 0)
		crm_die("permission denied: user '%s' is deactivated", crm_g.actor);
	else if (strcmp(standing, "none") == 0)
		crm_die("you ('%s') are not a crm user: act as your login with "
		    "--as or CRM_USER (crm-user list shows them); on PostgreSQL "
		    "the login is the server's, and only the database's owner "
		    "acts before an admin is made", crm_g.actor);
	else if (strcmp(standing, "owner") == 0) {
		have = pg_value(db, "SELECT rights FROM crm.crm_meta");
		want = rights_hash(crm_pg_rights[0]);
		if (have == NULL || strcmp(have, want) != 0) {
			crm_db_begin(db);
			apply_rights(db);
			crm_db_commit(db);
		}
		free(have);
		free(want);
	}
	free(standing);
}

/*
** BEGIN, then the writers' lock: exclusive for CRM_TX_WRITE, shared for
** CRM_TX_ROWS.  A wait that runs out ends the transaction; it is tried
** again while the deadline allows, then exit 3.
*/
static void
pg_begin(struct crm_db *db, enum crm_tx tx)
{
	const char *lock = tx == CRM_TX_ROWS ?
	    "SELECT pg_advisory_xact_lock_shared(" WRITE_LOCK ")" :
	    "SELECT pg_advisory_xact_lock(" WRITE_LOCK ")";

	for (;;) {
		PGresult *res;

		pg_exec(db, "BEGIN");
		set_lock_timeout(db, 1);
		res = PQexec(C(db)->c, lock);
		if (PQresultStatus(res) == PGRES_TUPLES_OK) {
			PQclear(res);
			return;
		}
		if (!is_busy_state(state_of(res)) || crm_db_ms_left(db) == 0) {
			PQclear(PQexec(C(db)->c, "ROLLBACK"));
			pg_fail(db, res, "cannot take the write lock");
		}
		PQclear(res);
		PQclear(PQexec(C(db)->c, "ROLLBACK"));
	}
}

static void
pg_commit(struct crm_db *db)
{
	pg_exec(db, "COMMIT");
}

static void
pg_rollback(struct crm_db *db)
{
	PQclear(PQexec(C(db)->c, "ROLLBACK"));
}

/* The tables whose id is an identity, as ",a,b,", asked once. */
static const char *
identity_tables(struct crm_db *db)
{
	struct pg_conn *pc = C(db);

	if (pc->ids == NULL) {
		char *v = pg_value(db, "SELECT ',' || string_agg(c.relname, ',')"
		    " || ',' FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
		    " JOIN pg_namespace n ON n.oid = c.relnamespace"
		    " WHERE n.nspname = 'crm' AND a.attname = 'id'"
		    " AND a.attidentity <> ''");

		pc->ids = v ? v : xstrdup(",");
	}
	return pc->ids;
}

/*
** SQL in SQLite's spelling for the server: parameters numbered, and
** RETURNING id after an INSERT into a table with an identity id, which
** *RETURNING_ID says.  *NPARAM gets the highest parameter number.
*/
static char *
translate(struct crm_db *db, const char *sql, int *nparam, int *returning_id)
{
	/* What a rep reads instead of the tables (rights.sql). */
	static const char *const seen[] = { "customers", "contacts", "history" };
	struct strbuf out = STRBUF_INIT;
	const char *p = sql, *q;
	int max = 0, words = 0, insert = 0, returning = 0;
	char table[64] = "", prev[16] = "", prev2[16] = "";

	sb_init(&out);
	while (*p) {
		if ((q = skip_quoted(p, &out)) != p) {
			p = q;
			continue;
		}
		if (*p == '?') {
			int n;

			p++;
			if (*p >= '0' && *p <= '9')
				for (n = 0; *p >= '0' && *p <= '9'; p++)
					n = n * 10 + (*p - '0');
			else
				n = max + 1;
			if (n > max)
				max = n;
			sb_addf(&out, "$%d", n);
			continue;
		}
		if (!ident_char((unsigned char)*p)) {
			if (*p != ' ' && *p != '\t' && *p != '\n') {
				memcpy(prev2, prev, sizeof prev);
				snprintf(prev, sizeof prev, "%c", *p);
			}
			sb_addc(&out, *p++);
			continue;
		}
		for (q = p; ident_char((unsigned char)*q); q++)
			;
		words++;
		if (words == 1 && word_is(p, (size_t)(q - p), "INSERT"))
			insert = 1;
		else if (insert && words == 3 && (size_t)(q - p) < sizeof table)
			snprintf(table, sizeof table, "%.*s", (int)(q - p), p);
		else if (word_is(p, (size_t)(q - p), "RETURNING"))
			returning = 1;
		/* A rep reads a table read from (not one deleted from) through its view. */
		if (C(db)->rep && ((strcasecmp(prev, "FROM") == 0 &&
		    strcasecmp(prev2, "DELETE") != 0) || strcasecmp(prev, "JOIN") == 0))
			for (size_t i = 0; i < sizeof seen / sizeof seen[0]; i++)
				if (word_is(p, (size_t)(q - p), seen[i]))
					sb_adds(&out, "seen_");
		sb_add(&out, p, (size_t)(q - p));
		memcpy(prev2, prev, sizeof prev);
		snprintf(prev, sizeof prev, "%.*s", (int)(q - p), p);
		p = q;
	}
	*returning_id = 0;
	if (insert && !returning && table[0]) {
		char key[80];

		snprintf(key, sizeof key, ",%s,", table);
		if (strstr(identity_tables(db), key)) {
			sb_adds(&out, " RETURNING id");
			*returning_id = 1;
		}
	}
	*nparam = max;
	return sb_detach(&out);
}

static void *
pg_prepare(struct crm_db *db, const char *sql)
{
	struct pg_stmt *st = xcalloc(1, sizeof *st);

	st->db = db;
	st->sql = translate(db, sql, &st->nparam, &st->returning_id);
	st->val = xcalloc((size_t)st->nparam + 1, sizeof *st->val);
	st->owned = xcalloc((size_t)st->nparam + 1, 1);
	st->type = xcalloc((size_t)st->nparam + 1, sizeof *st->type);
	st->num = xcalloc((size_t)st->nparam + 1, sizeof *st->num);
	st->row = -1;
	return st;
}

static void
unbind(struct pg_stmt *st, int i)
{
	if (st->owned[i])
		free(st->val[i]);
	st->val[i] = NULL;
	st->owned[i] = 0;
	st->type[i] = 0;
}

static void
pg_finalize(void *p)
{
	struct pg_stmt *st = p;

	if (st == NULL)
		return;
	for (int i = 0; i < st->nparam; i++)
		unbind(st, i);
	PQclear(st->res);
	if (st->name[0] && st->db->e) {
		char sql[48];

		snprintf(sql, sizeof sql, "DEALLOCATE %s", st->name);
		PQclear(PQexec(C(st->db)->c, sql));
	}
	free(st->sql);
	free(st->val);
	free(st->owned);
	free(st->type);
	free(st->num);
	free(st);
}

static void
pg_reset(void *p, int clear)
{
	struct pg_stmt *st = p;

	PQclear(st->res);
	st->res = NULL;
	st->row = -1;
	st->nrow = 0;
	if (clear)
		for (int i = 0; i < st->nparam; i++)
			unbind(st, i);
}

static void
pg_bind_text(void *p, int i, const char *s, int copy)
{
	struct pg_stmt *st = p;

	if (i < 1 || i > st->nparam)
		return;
	unbind(st, i - 1);
	st->val[i - 1] = copy ? xstrdup(s) : (char *)s;
	st->owned[i - 1] = (unsigned char)copy;
	st->type[i - 1] = OID_TEXT;
}

static void
pg_bind_int(void *p, int i, long long v)
{
	struct pg_stmt *st = p;

	if (i < 1 || i > st->nparam)
		return;
	unbind(st, i - 1);
	snprintf(st->num[i - 1], sizeof st->num[0], "%lld", v);
	st->val[i - 1] = st->num[i - 1];
	st->type[i - 1] = OID_INT8;
}

static void
pg_bind_null(void *p, int i)
{
	struct pg_stmt *st = p;

	if (i < 1 || i > st->nparam)
		return;
	unbind(st, i - 1);
}

/*
** Prepare ST on the server.  Integers are declared int8; text and NULL
** are left to the server to infer.  Where it cannot ("could not determine
** data type of parameter $N") that one is declared text; where an int8
** does not fit ("operator does not exist: text = bigint") the integers
** are left to it too.  Inside a transaction a failed try would end it:
** the tries run under a savepoint.
*/
static void
server_prepare(struct pg_stmt *st)
{
	struct crm_db *db = st->db;
	struct pg_conn *pc = C(db);
	Oid *types = xcalloc((size_t)st->nparam + 1, sizeof *types);
	int ints = 1, tx = db->in_tx;

	if (tx)
		pg_exec(db, "SAVEPOINT crm_prepare");
	for (int tries = 0;; tries++) {
		PGresult *res;
		const char *state;

		for (int i = 0; i < st->nparam; i++)
			if (types[i] != OID_TEXT)
				types[i] = ints && st->type[i] == OID_INT8 ? OID_INT8 : 0;
		snprintf(st->name, sizeof st->name, "crm%d", ++pc->nstmt);
		res = PQprepare(pc->c, st->name, st->sql, st->nparam, types);
		if (PQresultStatus(res) == PGRES_COMMAND_OK) {
			PQclear(res);
			break;
		}
		if (tx)
			pg_exec(db, "ROLLBACK TO SAVEPOINT crm_prepare");
		state = state_of(res);
		/* indeterminate or ambiguous: "could not determine data type" */
		if ((strcmp(state, "42P18") == 0 || strcmp(state, "42P08") == 0) &&
		    tries < 2 * st->nparam + 2) {
			const char *m = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
			const char *d = m ? strchr(m, '$') : NULL;
			int n = d ? atoi(d + 1) : 0;

			if (n >= 1 && n <= st->nparam && types[n - 1] != OID_TEXT) {
				types[n - 1] = OID_TEXT;
				PQclear(res);
				continue;
			}
		}
		if ((strcmp(state, "42883") == 0 || strcmp(state, "42804") == 0) &&
		    ints) {
			ints = 0;
			PQclear(res);
			continue;
		}
		st->name[0] = '\0';
		keep_error(db, res);
		if (is_busy_state(state)) {
			PQclear(res);
			crm_db_die_busy(db);
		}
		PQclear(res);
		crm_die("internal error: cannot prepare SQL: %s\n%s", pc->err,
		    st->sql);
	}
	if (tx)
		pg_exec(db, "RELEASE SAVEPOINT crm_prepare");
	free(types);
}

static int
pg_step(struct crm_stmt *s)
{
	struct pg_stmt *st = s->e;
	struct crm_db *db = s->db;

	if (st->res == NULL) {
		PGresult *res;
		ExecStatusType t;

		if (st->name[0] == '\0')
			server_prepare(st);
		res = PQexecPrepared(C(db)->c, st->name, st->nparam,
		    (const char *const *)st->val, NULL, NULL, 0);
		t = PQresultStatus(res);
		if (t == PGRES_COMMAND_OK) {
			PQclear(res);
			return 0;
		}
		if (t != PGRES_TUPLES_OK) {
			if (strncmp(state_of(res), "23", 2) == 0) {
				keep_error(db, res);
				PQclear(res);
				return -1;
			}
			pg_fail(db, res, "statement failed");
		}
		if (st->returning_id) {
			int n = PQntuples(res);

			if (n > 0)
				C(db)->last_id = strtoll(PQgetvalue(res, n - 1, 0),
				    NULL, 10);
			PQclear(res);
			return 0;
		}
		st->res = res;
		st->nrow = PQntuples(res);
		st->row = -1;
	}
	if (++st->row < st->nrow)
		return 1;
	PQclear(st->res);
	st->res = NULL;
	st->row = -1;
	return 0;
}

static const char *
pg_col_text(void *p, int i)
{
	struct pg_stmt *st = p;

	if (st->res == NULL || st->row < 0 || i >= PQnfields(st->res) ||
	    PQgetisnull(st->res, st->row, i))
		return NULL;
	/* SQLite's truth values are 1 and 0. */
	if (PQftype(st->res, i) == OID_BOOL)
		return *PQgetvalue(st->res, st->row, i) == 't' ? "1" : "0";
	return PQgetvalue(st->res, st->row, i);
}

static long long
pg_col_int(void *p, int i)
{
	const char *v = pg_col_text(p, i);

	return v ? strtoll(v, NULL, 10) : 0;
}

static int
pg_col_null(void *p, int i)
{
	struct pg_stmt *st = p;

	return st->res == NULL || st->row < 0 || i >= PQnfields(st->res) ||
	    PQgetisnull(st->res, st->row, i);
}

static int
pg_col_count(void *p)
{
	struct pg_stmt *st = p;

	return st->res ? PQnfields(st->res) : 0;
}

static const char *
pg_col_name(void *p, int i)
{
	struct pg_stmt *st = p;

	return st->res ? PQfname(st->res, i) : NULL;
}

static long long
pg_last_id(struct crm_db *db)
{
	return C(db)->last_id;
}

static const char *
pg_errmsg(struct crm_db *db)
{
	return C(db)->err ? C(db)->err : PQerrorMessage(C(db)->c);
}

static char *
pg_index_sql(struct crm_db *db, const char *name)
{
	struct crm_stmt *s = crm_sql(db, "SELECT indexdef FROM pg_indexes"
	    " WHERE schemaname = 'crm' AND indexname = ?");
	char *def = NULL;

	crm_bind_text(s, 1, name);
	if (crm_step(s)) {
		def = xstrdup(crm_col_text(s, 0));
		crm_reset(s);
	}
	return def;
}

static void
pg_index_build(struct crm_db *db, int begin)
{
	if (begin)
		pg_exec(db, "SET LOCAL maintenance_work_mem = '256MB'");
}

/* The server checks its own storage; there is no file here to check. */
static long long
pg_integrity(struct crm_db *db, void (*fn)(const char *msg, void *ctx),
    void *ctx)
{
	(void)db, (void)fn, (void)ctx;
	return 0;
}

static void
pg_backup(struct crm_db *db, const char *path)
{
	(void)path;
	crm_die("'%s' is a PostgreSQL database: back it up with pg_dump, or "
	    "copy it to a file with crm-db copy", db->path);
}

/*
** A customer's row lock is the row's; a user or pool, which a rep may
** not change, is locked by an advisory lock of its own (its kind in the
** top bits of the key, the writers' lock having none).
*/
static void
pg_lock_row(struct crm_db *db, const char *table, long long id)
{
	static const char *const sql[][2] = {
		{ "customers", "SELECT 1 FROM crm.customers WHERE id = ? FOR UPDATE" },
		{ "users", "SELECT pg_advisory_xact_lock(?1 + (1::bigint << 56))" },
		{ "pools", "SELECT pg_advisory_xact_lock(?1 + (2::bigint << 56))" },
	};
	struct crm_stmt *s;

	for (size_t i = 0; i < sizeof sql / sizeof sql[0]; i++)
		if (strcmp(sql[i][0], table) == 0) {
			s = crm_sql(db, sql[i][1]);
			crm_bind_int(s, 1, id);
			while (crm_step(s))
				;
			return;
		}
	crm_die("internal error: no row lock for table '%s'", table);
}

static void
pg_sync_login(struct crm_db *db, const char *old, const char *login,
    const char *role, int active)
{
	struct crm_stmt *s = crm_sql(db, "SELECT crm.sync_login(?, ?, ?, ?)");

	crm_bind_text(s, 1, old);
	crm_bind_text(s, 2, login);
	crm_bind_text(s, 3, role);
	crm_bind_text(s, 4, active ? "true" : "false");
	while (crm_step(s))
		;
}

const struct crm_engine crm_engine_pg = {
	"postgresql", pg_open, pg_close, pg_schema, pg_migrate, pg_stamp,
	pg_exec, pg_begin, pg_commit, pg_rollback, pg_prepare, pg_finalize,
	pg_reset, pg_bind_text, pg_bind_int, pg_bind_null, pg_step,
	pg_col_text, pg_col_int, pg_col_null, pg_col_count, pg_col_name,
	pg_last_id, pg_errmsg, pg_index_sql, pg_index_build, pg_integrity,
	pg_backup, pg_lock_row, pg_ready, pg_sync_login,
};
