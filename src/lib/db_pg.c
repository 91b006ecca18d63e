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
#include <dlfcn.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dbengine.h"
#include "die.h"
#include "opt.h"
#include "str.h"

/*
** libpq is loaded when a program first connects to a server, not when
** it starts: it brings twenty libraries (Kerberos, LDAP, TLS) whose
** start would cost every program some 10 ms, on SQLite too.  The names
** below are libpq's; each stands for its pointer, set by pq_load().
*/
#define PQ_FUNCS(X) X(PQcancel) X(PQclear) X(PQconnectdbParams) \
	X(PQdescribePrepared) X(PQerrorMessage) X(PQescapeLiteral) X(PQexec) \
	X(PQexecPrepared) X(PQfinish) X(PQfname) X(PQfreeCancel) \
	X(PQfreemem) X(PQftype) X(PQgetCancel) X(PQgetCopyData) \
	X(PQgetResult) X(PQgetisnull) X(PQgetvalue) X(PQnfields) \
	X(PQnparams) X(PQntuples) X(PQparamtype) X(PQprepare) \
	X(PQputCopyData) X(PQputCopyEnd) X(PQresultErrorField) \
	X(PQresultStatus) X(PQstatus)
#define PQ_POINTER(f) static __typeof__(&f) pq_##f;
PQ_FUNCS(PQ_POINTER)
#undef PQ_POINTER

static void
pq_load(void)
{
	void *h;

	if (pq_PQexec != NULL)
		return;
	if ((h = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL)) == NULL)
		crm_die("cannot load libpq, PostgreSQL's client library "
		    "(apt-get install libpq5): %s", dlerror());
#define PQ_RESOLVE(f) \
	if ((*(void **)&pq_##f = dlsym(h, #f)) == NULL) \
		crm_die("libpq.so.5 has no %s: %s", #f, dlerror());
	PQ_FUNCS(PQ_RESOLVE)
#undef PQ_RESOLVE
}

#define PQcancel (*pq_PQcancel)
#define PQclear (*pq_PQclear)
#define PQconnectdbParams (*pq_PQconnectdbParams)
#define PQdescribePrepared (*pq_PQdescribePrepared)
#define PQerrorMessage (*pq_PQerrorMessage)
#define PQescapeLiteral (*pq_PQescapeLiteral)
#define PQexec (*pq_PQexec)
#define PQexecPrepared (*pq_PQexecPrepared)
#define PQfinish (*pq_PQfinish)
#define PQfname (*pq_PQfname)
#define PQfreeCancel (*pq_PQfreeCancel)
#define PQfreemem (*pq_PQfreemem)
#define PQftype (*pq_PQftype)
#define PQgetCancel (*pq_PQgetCancel)
#define PQgetCopyData (*pq_PQgetCopyData)
#define PQgetResult (*pq_PQgetResult)
#define PQgetisnull (*pq_PQgetisnull)
#define PQgetvalue (*pq_PQgetvalue)
#define PQnfields (*pq_PQnfields)
#define PQnparams (*pq_PQnparams)
#define PQntuples (*pq_PQntuples)
#define PQparamtype (*pq_PQparamtype)
#define PQprepare (*pq_PQprepare)
#define PQputCopyData (*pq_PQputCopyData)
#define PQputCopyEnd (*pq_PQputCopyEnd)
#define PQresultErrorField (*pq_PQresultErrorField)
#define PQresultStatus (*pq_PQresultStatus)
#define PQstatus (*pq_PQstatus)

#define OID_BOOL 16
#define OID_INT8 20
#define OID_TEXT 25

#define WRITE_LOCK "1129465137"	/* "CRM1": the advisory lock of writers */

/* Rows that make a write a bulk one: its table is analyzed at commit. */
#define BULK_ROWS 10000

struct pg_conn {
	PGconn *c;
	long long last_id;
	char *err;			/* the last error, for crm_db_errmsg */
	int nstmt;			/* prepared statements so far: their names */
	char *ids;			/* ",t1,t2,": tables whose id is an identity */
	int rep;			/* a rep: reads go through the seen_ views */
	int reset_ids;			/* crm.reset_ids() exists: call it */
	int alone;			/* in a CRM_TX_WRITE: no other writer */
	struct strbuf stale;		/* ",t,": tables whose sequence ran ahead */
	struct strbuf filled;		/* ",t,": tables written in bulk */
	int bypass;			/* row-level security is not ours: COPY */
	struct pg_stmt *streaming;	/* the cursor whose COPY is running */
	struct copy *copies;		/* rows appended, not yet sent */
	struct feed *feed;		/* crm_db_feed's rows not yet written */
	struct idblock {		/* ids taken from a table's sequence */
		char table[32];
		long long v[4096];
		int n, used;
	} *ids_of;			/* IDS_OF of them, made at the first use */
};

/*
** Rows appended to TABLE (COLS, "(a, b)") in COPY's text format: sent
** with COPY ... FROM STDIN before any statement that may read the table,
** at a commit, or when the buffer is large.
*/
struct copy {
	char *table, *cols;
	struct strbuf buf;
	long long rows, total;		/* waiting; sent in all */
	int temp;			/* its temporary table is made */
	struct copy *next;
};

/*
** crm_db_feed()'s rows on their way: COPY text for pg_temp.crm_feed,
** and the statement (translated) that moves them into TABLE.  The COPY
** stays open while rows are made, so the server writes the rows before
** while the client makes the next: it gives way to any other statement
** (stream_yield), and opens again for the rows after.
*/
struct feed {
	char *copy;		/* COPY into crm_feed, or into TABLE itself */
	char *run;		/* then this, or NULL */
	char table[64];
	struct strbuf buf;	/* rows made, not yet sent */
	int open;		/* the COPY is running */
	int nrow;		/* rows not yet in TABLE */
	long long total;	/* rows fed in all */
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
	/* a cursor (crm_sql_take) streams its rows with COPY ... TO STDOUT */
	int stream;
	int ncol;			/* its columns, known once described */
	Oid *ftype;
	char **fname;
	int copying;			/* rows still to come from the server */
	char **pending;			/* or drained into memory (lines) */
	size_t npending, next;
	char *line;			/* the current row: its line, split */
	char **v;
	int have_row;
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

static void copy_flush(struct crm_db *db, const char *sql);
static void feed_flush(struct crm_db *db, const char *sql);
static int ident_char(int c);
static void stream_yield(struct crm_db *db);
static void feed_close(struct crm_db *db, struct feed *f);
struct pg_stmt;
static void stream_end(struct pg_stmt *st);

/* Run SQL (one or more statements, no parameters); die on failure. */
static void
pg_exec(struct crm_db *db, const char *sql)
{
	PGresult *res;
	ExecStatusType t;

	stream_yield(db);
	if (C(db)->copies)
		copy_flush(db, sql);
	if (C(db)->feed)
		feed_flush(db, sql);
	res = PQexec(C(db)->c, sql);
	t = PQresultStatus(res);

	if (t != PGRES_COMMAND_OK && t != PGRES_TUPLES_OK)
		pg_fail(db, res, "cannot run SQL");
	PQclear(res);
}

/*
** The first N values of the one row of SQL (no parameters; it may be
** statements, the last a query) into V (caller frees), NULL for NULL or
** no row: a program's first questions in one round trip.
*/
static void
pg_values(struct crm_db *db, const char *sql, int n, char **v)
{
	PGresult *res;

	stream_yield(db);
	res = PQexec(C(db)->c, sql);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		pg_fail(db, res, "cannot read the database");
	for (int i = 0; i < n; i++)
		v[i] = PQntuples(res) > 0 && i < PQnfields(res) &&
		    !PQgetisnull(res, 0, i) ? xstrdup(PQgetvalue(res, 0, i)) : NULL;
	PQclear(res);
}

/* The one value of a one-row query without parameters (caller frees), or NULL. */
static char *
pg_value(struct crm_db *db, const char *sql)
{
	char *v;

	pg_values(db, sql, 1, &v);
	return v;
}

/*
** The few rows of C (a command's history, say) in one INSERT of their
** values, where the temporary table that COPY needs under row-level
** security would cost more than the rows: its columns' types asked, and
** the table made, for every command.
*/
#define FEW_ROWS 64
static void
copy_as_insert(struct crm_db *db, struct copy *c)
{
	struct strbuf sql = STRBUF_INIT, v = STRBUF_INIT;
	const char *p = c->buf.buf, *end = p + c->buf.len;

	sb_init(&sql);
	sb_init(&v);
	sb_addf(&sql, "INSERT INTO crm.%s %s VALUES ", c->table, c->cols);
	for (int row = 0; p < end; row++) {
		sb_adds(&sql, row ? "), (" : "(");
		for (int col = 0;; col++) {
			size_t n = strcspn(p, "\t\n");

			if (col)
				sb_addc(&sql, ',');
			if (n == 2 && strncmp(p, "\\N", 2) == 0)
				sb_adds(&sql, "NULL");
			else {
				char *lit;

				sb_reset(&v);
				for (const char *q = p; q < p + n; q++)
					if (*q != '\\' || q + 1 == p + n)
						sb_addc(&v, *q);
					else
						switch (*++q) {
						case 't': sb_addc(&v, '\t'); break;
						case 'n': sb_addc(&v, '\n'); break;
						case 'r': sb_addc(&v, '\r'); break;
						default: sb_addc(&v, *q);
						}
				if ((lit = PQescapeLiteral(C(db)->c, v.buf, v.len)) == NULL)
					crm_die("database '%s': %s", db->path,
					    PQerrorMessage(C(db)->c));
				sb_adds(&sql, lit);
				PQfreemem(lit);
			}
			p += n;
			if (*p++ != '\t')
				break;
		}
	}
	sb_addc(&sql, ')');
	sb_reset(&c->buf);
	c->total += c->rows;
	c->rows = 0;
	pg_exec(db, sql.buf);
	sb_free(&sql);
	sb_free(&v);
}

/* Start SQL, a COPY ... FROM STDIN; die on failure. */
static void
copy_in_start(struct crm_db *db, const char *sql)
{
	PGresult *res;

	stream_yield(db);
	res = PQexec(C(db)->c, sql);
	if (PQresultStatus(res) != PGRES_COPY_IN)
		pg_fail(db, res, "cannot copy rows in");
	PQclear(res);
}

/* Send BUF's rows (COPY text) into the COPY started, and empty BUF. */
static void
copy_in_put(struct crm_db *db, struct strbuf *buf)
{
	if (buf->len && PQputCopyData(C(db)->c, buf->buf, (int)buf->len) != 1)
		crm_die("database '%s': cannot copy rows in: %s", db->path,
		    PQerrorMessage(C(db)->c));
	sb_reset(buf);
}

/* End the COPY started; die on failure, a broken constraint in its own words. */
static void
copy_in_end(struct crm_db *db)
{
	PGconn *conn = C(db)->c;
	PGresult *res;

	if (PQputCopyEnd(conn, NULL) != 1)
		crm_die("database '%s': cannot copy rows in: %s", db->path,
		    PQerrorMessage(conn));
	while ((res = PQgetResult(conn)) != NULL) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			if (strncmp(state_of(res), "23", 2) == 0) {
				keep_error(db, res);
				PQclear(res);
				while ((res = PQgetResult(conn)) != NULL)
					PQclear(res);
				crm_die("database '%s': %s", db->path, C(db)->err);
			}
			pg_fail(db, res, "cannot copy rows in");
		}
		PQclear(res);
	}
}

/*
** A temporary table NAME, made anew, for rows of TABLE's columns COLS
** ("(a, b)"): columns c0, c1, ... of their types, in COLS's order, for
** COPY to fill (the catalog, which everyone may read, says the types).
*/
static void
temp_for(struct crm_db *db, const char *name, const char *table,
    const char *cols)
{
	char *sql = xasprintf("SELECT string_agg('c' || (x.n - 1) || ' ' ||"
	    " format_type(a.atttypid, a.atttypmod), ', ' ORDER BY x.n)"
	    " FROM unnest(string_to_array(translate('%s', ' ()', ''), ','))"
	    " WITH ORDINALITY x(c, n) JOIN pg_attribute a ON a.attrelid ="
	    " 'crm.%s'::regclass AND a.attname = x.c", cols, table);
	char *def = pg_value(db, sql);

	free(sql);
	if (def == NULL)
		crm_die("internal error: no columns %s of %s", cols, table);
	sql = xasprintf("DROP TABLE IF EXISTS pg_temp.%s;"
	    " CREATE TEMP TABLE %s (%s)", name, name, def);
	pg_exec(db, sql);
	free(sql);
	free(def);
}

/* "c0, c1, ...": the columns of a temp_for table with N of them. */
static char *
temp_cols(int n)
{
	struct strbuf sb = STRBUF_INIT;

	sb_init(&sb);
	for (int i = 0; i < n; i++)
		sb_addf(&sb, "%sc%d", i ? ", " : "", i);
	return sb.buf;
}

/*
** Send the rows of C with COPY; die on failure.  Row-level security
** refuses COPY into a table to all it applies to: theirs go through a
** temporary table of the same columns, then one INSERT that the policies
** check, row by row, as they would an INSERT of each.
*/
static void
copy_send(struct crm_db *db, struct copy *c)
{
	char *sql;
	int direct = C(db)->bypass;

	if (c->buf.len == 0)
		return;
	/* the feed's rows first: appended rows may refer to them */
	if (C(db)->feed)
		feed_flush(db, NULL);
	if (!direct && c->rows <= FEW_ROWS) {
		copy_as_insert(db, c);
		return;
	}
	if (!direct && !c->temp) {
		sql = xasprintf("crm_copy_%s", c->table);
		temp_for(db, sql, c->table, c->cols);
		free(sql);
		c->temp = 1;
	}
	sql = direct ? xasprintf("COPY %s %s FROM STDIN", c->table, c->cols) :
	    xasprintf("COPY pg_temp.crm_copy_%s FROM STDIN", c->table);
	copy_in_start(db, sql);
	free(sql);
	copy_in_put(db, &c->buf);
	copy_in_end(db);
	c->total += c->rows;
	c->rows = 0;
	if (!direct) {
		int ncol = 1;
		char *from;

		for (const char *p = c->cols; *p; p++)
			ncol += *p == ',';
		from = temp_cols(ncol);
		sql = xasprintf("INSERT INTO crm.%s %s SELECT %s FROM"
		    " pg_temp.crm_copy_%s; TRUNCATE pg_temp.crm_copy_%s", c->table,
		    c->cols, from, c->table, c->table);
		pg_exec(db, sql);
		free(sql);
		free(from);
	}
}

/*
** Does SQL name TABLE: as a word ("customers" is not "customer_fields"),
** or as a rep's view of it (seen_customers)?
*/
static int
mentions(const char *sql, const char *table)
{
	size_t n = strlen(table);

	for (const char *t = sql; (t = strstr(t, table)) != NULL; t += n)
		if (!ident_char((unsigned char)t[n]) && (t == sql ||
		    !ident_char((unsigned char)t[-1]) ||
		    (t - sql >= 5 && strncmp(t - 5, "seen_", 5) == 0)))
			return 1;
	return 0;
}

/*
** Send the rows appended before SQL runs, when it may read them: it names
** a table with rows waiting, or calls a function of ours (which may read
** anything).  NULL SQL: send them all (a commit).
*/
static void
copy_flush(struct crm_db *db, const char *sql)
{
	struct copy *c;
	int need = sql == NULL || strstr(sql, "crm.") != NULL;

	for (c = C(db)->copies; c && !need; c = c->next)
		need = c->buf.len && mentions(sql, c->table);
	if (!need)
		return;
	for (c = C(db)->copies; c; c = c->next)
		copy_send(db, c);
}

/* Forget the rows appended: the transaction is rolled back. */
static void
copy_drop(struct crm_db *db)
{
	struct copy *c, *next;

	for (c = C(db)->copies; c; c = next) {
		next = c->next;
		free(c->table);
		free(c->cols);
		sb_free(&c->buf);
		free(c);
	}
	C(db)->copies = NULL;
	free(C(db)->ids_of);
	C(db)->ids_of = NULL;
}

/*
** WHO (ours, malloc'd) kept for the process's life, as crm_g.actor: one
** copy of each login, so a second connection (crm-db copy, backup) neither
** leaks the first's nor leaves a pointer to it dangling.
*/
static const char *
keep_login(char *who)
{
	static struct strvec kept = STRVEC_INIT;

	for (size_t i = 0; i < kept.n; i++)
		if (strcmp(kept.v[i], who) == 0) {
			free(who);
			return kept.v[i];
		}
	sv_push(&kept, who);
	free(who);
	return kept.v[kept.n - 1];
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
	char timeout[24], *sql, *v[2];
	int n = 0;
	long secs = (crm_db_ms_left(db) + 999) / 1000;

	pq_load();
	db->e = pc;
	sb_init(&pc->stale);
	sb_init(&pc->filled);
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
	/* The server says who acts: the login it authenticated. */
	snprintf(timeout, sizeof timeout, "%ld", crm_db_ms_left(db) > 0 ?
	    crm_db_ms_left(db) : 1);
	sql = xasprintf("SET lock_timeout = %s; SET search_path = crm;"
	    " SET client_min_messages = warning; SELECT session_user,"
	    " (SELECT count(*) FROM pg_namespace WHERE nspname = 'crm')", timeout);
	pg_values(db, sql, 2, v);
	free(sql);
	crm_g.actor = keep_login(v[0]);
	if (strcmp(v[1], "0") == 0 && mode != CRM_DB_CREATE)
		crm_die("no database '%s' (set --db or CRM_DB; crm-db init, "
		    "crm-user add and crm-lead add or import create one)", db->path);
	free(v[1]);
}

static void
pg_close(struct crm_db *db)
{
	struct pg_conn *pc = C(db);

	copy_drop(db);
	sb_free(&pc->stale);
	sb_free(&pc->filled);
	PQfinish(pc->c);
	free(pc->err);
	free(pc->ids);
	free(pc);
	db->e = NULL;
}

static void
pg_schema(struct crm_db *db, struct crm_schema_state *st)
{
	char *ns, *meta, *v[2];

	memset(st, 0, sizeof *st);
	pg_values(db, "SELECT (SELECT count(*) FROM pg_namespace WHERE"
	    " nspname = 'crm'), to_regclass('crm.crm_meta') IS NOT NULL", 2, v);
	ns = v[0];
	meta = v[1];
	if (strcmp(meta, "t") == 0) {
		pg_values(db, "SELECT application_id, version FROM crm.crm_meta", 2, v);
		st->appid = v[0] ? strtoll(v[0], NULL, 10) : 0;
		st->version = v[1] ? strtoll(v[1], NULL, 10) : 0;
		free(v[0]);
		free(v[1]);
	} else if (strcmp(ns, "0") != 0) {
		char *n = pg_value(db, "SELECT count(*) FROM pg_class c JOIN pg_namespace n"
		    " ON n.oid = c.relnamespace WHERE n.nspname = 'crm'");

		st->foreign = strcmp(n, "0") != 0;
		free(n);
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
		else if (word_is(p, (size_t)(q - p), "WITHOUT")) {
			/* SQLite's WITHOUT ROWID: a table is its primary key */
			q += strspn(q, " \t\n");
			while (ident_char((unsigned char)*q))
				q++;
		} else
			sb_add(&out, p, (size_t)(q - p));
		p = q;
	}
	return sb_detach(&out);
}

static void
pg_migrate(struct crm_db *db, int n, const char *sql)
{
	char *pg, *owner;

	if (n == 0)
		pg_exec(db, "CREATE SCHEMA IF NOT EXISTS crm");
	/* DDL is the owner's: say so rather than "must be owner of table" */
	owner = pg_value(db, "SELECT CASE WHEN pg_has_role(session_user, nspowner,"
	    " 'MEMBER') THEN NULL ELSE nspowner::regrole::text END"
	    " FROM pg_namespace WHERE nspname = 'crm'");
	if (owner)
		crm_die("database '%s' has schema version %d, older than this program "
		    "makes: only its owner may upgrade it (crm-db migrate as '%s')",
		    db->path, n, owner);
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
	char *v[2], *standing, *have, *want;

	/* the rights made: the owner brings them up to date */
	pg_values(db, "SELECT crm.standing(), (SELECT rights FROM crm.crm_meta"
	    " WHERE EXISTS (SELECT 1 FROM pg_roles WHERE rolname ="
	    " crm.admin_group()))", 2, v);
	standing = v[0];
	have = v[1];
	C(db)->reset_ids = 1;
	C(db)->bypass = strcmp(standing, "owner") == 0;
	if (strcmp(standing, "rep") == 0)
		C(db)->rep = 1;
	else if (strcmp(standing, "inactive") == 0)
		crm_die("permission denied: user '%s' is deactivated", crm_g.actor);
	else if (strcmp(standing, "none") == 0)
		crm_die("you ('%s') are not a crm user: act as your login with "
		    "--as or CRM_USER (crm-user list shows them)", crm_g.actor);
	else if (strcmp(standing, "owner") == 0) {
		/* ours, and made for this database (not one it was copied from) */
		want = rights_hash(crm_pg_rights[0]);
		if (have == NULL || strcmp(have, want) != 0) {
			crm_db_begin(db);
			apply_rights(db);
			crm_db_commit(db);
		}
		free(want);
	}
	free(have);
	free(standing);
}

/*
** BEGIN, then the writers' lock: exclusive for CRM_TX_WRITE, shared for
** CRM_TX_ROWS; one round trip.  A wait that runs out ends the
** transaction; it is tried again while the deadline allows, then exit 3.
*/
static void
pg_begin(struct crm_db *db, enum crm_tx tx)
{
	struct pg_conn *pc = C(db);
	char sql[200];

	pc->alone = tx == CRM_TX_WRITE;
	sb_reset(&pc->stale);
	sb_reset(&pc->filled);
	for (;;) {
		PGresult *res;
		long ms = crm_db_ms_left(db);

		/* a savepoint to come back to: see pg_rollback */
		snprintf(sql, sizeof sql, "BEGIN; SET LOCAL lock_timeout = %ld;"
		    " SELECT pg_advisory_xact_lock%s(" WRITE_LOCK ")%s",
		    ms > 0 ? ms : 1, pc->alone ? "" : "_shared",
		    pc->alone ? "; SAVEPOINT crm_alone" : "");
		res = PQexec(pc->c, sql);
		if (PQresultStatus(res) == PGRES_TUPLES_OK ||
		    PQresultStatus(res) == PGRES_COMMAND_OK) {
			PQclear(res);
			return;
		}
		if (!is_busy_state(state_of(res)) || crm_db_ms_left(db) == 0) {
			PQclear(PQexec(pc->c, "ROLLBACK"));
			pg_fail(db, res, "cannot take the write lock");
		}
		PQclear(res);
		PQclear(PQexec(pc->c, "ROLLBACK"));
	}
}

/* TABLE into SET, a list ",t1,t2,", once. */
static void
mark(struct strbuf *set, const char *table)
{
	char key[80];

	snprintf(key, sizeof key, ",%s,", table);
	if (set->len == 0)
		sb_addc(set, ',');
	if (strstr(set->buf, key) == NULL)
		sb_addf(set, "%s,", table);
}

/* TABLE's sequence may have run ahead of its ids (blocks, a copy). */
static void
mark_stale(struct crm_db *db, const char *table)
{
	mark(&C(db)->stale, table);
}

/*
** crm.FN (rights.sql) on TABLE (N bytes), or on each table of the list
** SET (",t1,t2,"): reset_id, its sequence to go on from its highest id;
** analyze, its statistics.
*/
static void
call(struct crm_db *db, const char *fn, const char *table, size_t n)
{
	char *sql = xasprintf("SELECT crm.%s('%.*s')", fn, (int)n, table);

	pg_exec(db, sql);
	free(sql);
}

static void
call_each(struct crm_db *db, const char *fn, const struct strbuf *set)
{
	for (const char *t = set->buf + (set->len > 0), *end;
	    (end = strchr(t, ',')) != NULL; t = end + 1)
		call(db, fn, t, (size_t)(end - t));
}

/*
** Alone, ids go on from the highest, as SQLite's do: before the commit,
** the sequences that ran ahead are set back to the highest id; after a
** rollback (pg_rollback) all of them, since an insert rolled back took
** its id all the same.  A writer beside others leaves them: theirs may
** be taking ids.
*/
static void
pg_commit(struct crm_db *db)
{
	struct pg_conn *pc = C(db);

	copy_flush(db, NULL);
	for (struct copy *c = pc->copies; c; c = c->next)
		if (c->total >= BULK_ROWS)
			mark(&pc->filled, c->table);
	copy_drop(db);
	if (pc->alone && pc->reset_ids)
		call_each(db, "reset_id", &pc->stale);
	/*
	 * Statistics for a table just filled in bulk: a table never analyzed
	 * counts as empty, and the next commands' plans (an import's
	 * lookups, a reclaim's search) would read it whole for every row.
	 */
	call_each(db, "analyze", &pc->filled);
	pg_exec(db, "COMMIT");
}

static void
pg_rollback(struct crm_db *db)
{
	struct pg_conn *pc = C(db);

	if (pc->streaming)
		stream_end(pc->streaming);
	copy_drop(db);
	if (pc->feed && pc->feed->open) {
		PGresult *res;

		pc->feed->open = 0;
		PQputCopyEnd(pc->c, "rolled back");
		while ((res = PQgetResult(pc->c)) != NULL)
			PQclear(res);
	}
	pc->feed = NULL;
	if (pc->alone && pc->reset_ids) {
		PQclear(PQexec(pc->c, "ROLLBACK TO SAVEPOINT crm_alone"));
		PQclear(PQexec(pc->c, "SELECT crm.reset_ids()"));
	}
	PQclear(PQexec(pc->c, "ROLLBACK"));
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

/* Is TABLE's id an identity (a sequence gives it)? */
static int
is_identity(struct crm_db *db, const char *table)
{
	char key[80];

	snprintf(key, sizeof key, ",%s,", table);
	return strstr(identity_tables(db), key) != NULL;
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
	static const char *const seen[] = {
		"customers", "contacts", "activities", "deals", "history"
	};
	struct strbuf out = STRBUF_INIT;
	const char *p = sql, *q;
	int max = 0, words = 0, insert = 0, returning = 0, ignore = 0;
	int depth = 0, nalias = 0;
	unsigned char from_paren[64] = { 0 };	/* ( of a subquery in FROM */
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
		if (*p == '(' && depth < (int)sizeof from_paren)
			from_paren[depth++] = strcasecmp(prev, "FROM") == 0 ||
			    strcasecmp(prev, "JOIN") == 0;
		else if (*p == ')' && depth > 0 && from_paren[--depth]) {
			/* a subquery in FROM needs a name here, not in SQLite */
			const char *r = p + 1 + strspn(p + 1, " \t\n");
			size_t n = 0;

			while (ident_char((unsigned char)r[n]))
				n++;
			sb_addc(&out, *p++);
			if (n == 0 || word_is(r, n, "WHERE") || word_is(r, n, "ORDER") ||
			    word_is(r, n, "GROUP") || word_is(r, n, "UNION") ||
			    word_is(r, n, "JOIN") || word_is(r, n, "LEFT") ||
			    word_is(r, n, "INNER") || word_is(r, n, "CROSS") ||
			    word_is(r, n, "ON") || word_is(r, n, "LIMIT") ||
			    word_is(r, n, "HAVING") || word_is(r, n, "EXCEPT") ||
			    word_is(r, n, "INTERSECT") || word_is(r, n, "WINDOW"))
				sb_addf(&out, " AS crm_sub%d", ++nalias);
			snprintf(prev, sizeof prev, ")");
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
		/* SQLite's INSERT OR IGNORE: ON CONFLICT DO NOTHING, at the end */
		if (insert && words == 2 && word_is(p, (size_t)(q - p), "OR")) {
			while (*q == ' ')
				q++;
			while (ident_char((unsigned char)*q))
				q++;
			while (*q == ' ')
				q++;
			ignore = 1;
			words--;
			p = q;
			continue;
		}
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
	if (ignore)
		sb_adds(&out, " ON CONFLICT DO NOTHING");
	*returning_id = 0;
	if (insert && !returning && table[0]) {
		if (is_identity(db, table)) {
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
	if (st->db->e)
		stream_end(st);
	for (int i = 0; i < st->nparam; i++)
		unbind(st, i);
	for (int i = 0; i < st->ncol; i++)
		free(st->fname[i]);
	free(st->fname);
	free(st->ftype);
	free(st->v);
	PQclear(st->res);
	/* the server forgets them when the connection ends */
	if (st->name[0] && st->db->e && !st->db->closing) {
		char sql[48];

		snprintf(sql, sizeof sql, "DEALLOCATE %s", st->name);
		stream_yield(st->db);
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

	stream_end(st);
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
** Prepare ST on the server.  Integers bound are declared int8; text and
** NULL are left to the server to infer.  Where it cannot ("could not
** determine data type of parameter $N", as in "?1 IS NULL OR col = ?1"
** with NULL bound) that one is declared text, and if text does not fit
** either ("operator does not exist: bigint = text") int8; where an int8
** bound does not fit ("text = bigint") the integers are left to the
** server too.  Inside a transaction a failed try would end it: the tries
** run under a savepoint.
*/
static void
server_prepare(struct pg_stmt *st)
{
	struct crm_db *db = st->db;
	struct pg_conn *pc = C(db);
	Oid *types = xcalloc((size_t)st->nparam + 1, sizeof *types);
	Oid *forced = xcalloc((size_t)st->nparam + 1, sizeof *forced);
	Oid *guessed = xcalloc((size_t)st->nparam + 1, sizeof *guessed);
	int ints = 1, tx = db->in_tx, last = -1, guess = 1;

	if (tx)
		pg_exec(db, "SAVEPOINT crm_prepare");
	for (int tries = 0;; tries++) {
		PGresult *res;
		const char *state;

		for (int i = 0; i < st->nparam; i++)
			types[i] = forced[i] ? forced[i] :
			    ints && st->type[i] == OID_INT8 ? OID_INT8 : 0;
		snprintf(st->name, sizeof st->name, "crm%d", ++pc->nstmt);
		res = PQprepare(pc->c, st->name, st->sql, st->nparam, types);
		if (PQresultStatus(res) == PGRES_COMMAND_OK) {
			PQclear(res);
			break;
		}
		if (tx)
			pg_exec(db, "ROLLBACK TO SAVEPOINT crm_prepare");
		state = state_of(res);
		if (tries < 3 * st->nparam + 3) {
			/* indeterminate or ambiguous: "could not determine data type" */
			if (strcmp(state, "42P18") == 0 || strcmp(state, "42P08") == 0) {
				const char *m = PQresultErrorField(res,
				    PG_DIAG_MESSAGE_PRIMARY);
				const char *d = m ? strchr(m, '$') : NULL;
				int n = d ? atoi(d + 1) : 0;

				if (n >= 1 && n <= st->nparam && !forced[n - 1]) {
					forced[n - 1] = OID_TEXT;
					last = n - 1;
					/*
					 * First guess that every NULL after it is
					 * text too: one try, not one per parameter.
					 */
					for (int i = n; guess && i < st->nparam; i++)
						if (!forced[i] && st->val[i] == NULL &&
						    st->type[i] != OID_INT8)
							forced[i] = guessed[i] = OID_TEXT;
					PQclear(res);
					continue;
				}
			}
			/* a guess that did not fit: one at a time */
			if (guess && (strcmp(state, "42883") == 0 ||
			    strcmp(state, "42804") == 0)) {
				guess = 0;
				for (int i = 0; i < st->nparam; i++)
					if (guessed[i])
						forced[i] = guessed[i] = 0;
				PQclear(res);
				continue;
			}
			/* undefined function or datatype mismatch */
			if (strcmp(state, "42883") == 0 || strcmp(state, "42804") == 0) {
				if (last >= 0 && forced[last] == OID_TEXT) {
					forced[last] = OID_INT8;
					PQclear(res);
					continue;
				}
				if (ints) {
					ints = 0;
					PQclear(res);
					continue;
				}
			}
		}
		st->name[0] = '\0';
		keep_error(db, res);
		free(types);
		free(forced);
		free(guessed);
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
	free(forced);
	free(guessed);
}

/* ---- cursors: rows streamed with COPY ... TO STDOUT ------------------ */

/* The name of a parameter type to cast an inlined value to, or NULL. */
static const char *
type_name(Oid t)
{
	switch (t) {
	case 16: return "boolean";
	case 20: return "bigint";
	case 21: return "smallint";
	case 23: return "integer";
	case 25: return "text";
	case 1043: return "varchar";
	case 1700: return "numeric";
	default: return NULL;
	}
}

/*
** ST's SQL with its bound values written in, as COPY (which takes no
** parameters) needs: quoted literals, cast to the types the server gave
** the parameters.  Caller frees.
*/
static char *
inline_params(struct pg_stmt *st, PGresult *desc)
{
	PGconn *conn = C(st->db)->c;
	struct strbuf out = STRBUF_INIT;
	const char *p = st->sql, *q;

	sb_init(&out);
	while (*p) {
		if ((q = skip_quoted(p, &out)) != p) {
			p = q;
			continue;
		}
		if (*p == '$' && p[1] >= '0' && p[1] <= '9') {
			int n = 0;
			const char *t;

			for (p++; *p >= '0' && *p <= '9'; p++)
				n = n * 10 + (*p - '0');
			t = n <= PQnparams(desc) ? type_name(PQparamtype(desc, n - 1)) : NULL;
			if (n < 1 || n > st->nparam || st->val[n - 1] == NULL)
				sb_adds(&out, "NULL");
			else {
				char *lit = PQescapeLiteral(conn, st->val[n - 1],
				    strlen(st->val[n - 1]));

				if (lit == NULL)
					crm_die("database '%s': %s", st->db->path,
					    PQerrorMessage(conn));
				sb_adds(&out, lit);
				PQfreemem(lit);
			}
			if (t)
				sb_addf(&out, "::%s", t);
			continue;
		}
		sb_addc(&out, *p++);
	}
	return sb_detach(&out);
}

/* COPY's text format, in place: \N is NULL, backslash escapes undone. */
static char *
unescape(char *f)
{
	char *o = f;

	if (strcmp(f, "\\N") == 0)
		return NULL;
	for (char *i = f; *i; i++) {
		if (*i != '\\' || i[1] == '\0') {
			*o++ = *i;
			continue;
		}
		switch (*++i) {
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'v': *o++ = '\v'; break;
		default: *o++ = *i;
		}
	}
	*o = '\0';
	return f;
}

/* Split the row in ST->line into ST->v. */
static void
split_row(struct pg_stmt *st)
{
	char *f = st->line;
	size_t n = strlen(f);

	if (n && f[n - 1] == '\n')
		f[n - 1] = '\0';
	for (int i = 0; i < st->ncol; i++) {
		char *tab = strchr(f, '\t');

		if (tab)
			*tab = '\0';
		st->v[i] = unescape(f);
		f = tab ? tab + 1 : f + strlen(f);
	}
	st->have_row = 1;
}

/* Read the end of a COPY's result: its status, an error if it failed. */
static PGresult *
copy_result(struct crm_db *db)
{
	PGresult *res, *bad = NULL;

	while ((res = PQgetResult(C(db)->c)) != NULL) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK && bad == NULL)
			bad = res;
		else
			PQclear(res);
	}
	return bad;
}

/* Read the rest of ST's rows into memory: another statement is to run. */
static void
stream_drain(struct pg_stmt *st)
{
	struct crm_db *db = st->db;
	size_t cap = st->npending;
	char *buf;
	int n;
	PGresult *bad;

	while ((n = PQgetCopyData(C(db)->c, &buf, 0)) > 0) {
		if (st->npending == cap)
			st->pending = xrealloc(st->pending,
			    (cap = cap ? cap * 2 : 256) * sizeof *st->pending);
		st->pending[st->npending++] = buf;
	}
	st->copying = 0;
	C(db)->streaming = NULL;
	if (n == -2 || (bad = copy_result(db)) != NULL)
		pg_fail(db, n == -2 ? NULL : bad, "cannot read rows");
}

/*
** Another statement is to run: let the cursor streaming give way, or the
** COPY of a feed's rows.
*/
static void
stream_yield(struct crm_db *db)
{
	if (C(db)->streaming)
		stream_drain(C(db)->streaming);
	if (C(db)->feed && C(db)->feed->open)
		feed_close(db, C(db)->feed);
}

/*
** Stop ST: outside a transaction the server is asked to stop sending;
** inside one that would end it, so the rest is read and dropped.
*/
static void
stream_end(struct pg_stmt *st)
{
	struct crm_db *db = st->db;

	if (st->copying) {
		PGcancel *cancel;
		char err[256], *buf;
		int n;
		PGresult *bad;

		if (!db->in_tx && (cancel = PQgetCancel(C(db)->c)) != NULL) {
			(void)PQcancel(cancel, err, sizeof err);
			PQfreeCancel(cancel);
		}
		while ((n = PQgetCopyData(C(db)->c, &buf, 0)) > 0)
			PQfreemem(buf);
		bad = copy_result(db);
		st->copying = 0;
		C(db)->streaming = NULL;
		if (bad && db->in_tx)
			pg_fail(db, bad, "cannot read rows");
		PQclear(bad);
	}
	if (st->line)
		PQfreemem(st->line);
	st->line = NULL;
	for (size_t i = st->next; i < st->npending; i++)
		PQfreemem(st->pending[i]);
	free(st->pending);
	st->pending = NULL;
	st->npending = st->next = 0;
	st->have_row = 0;
}

/* Start ST's COPY: the statement described, its values written in. */
static void
stream_start(struct pg_stmt *st)
{
	struct crm_db *db = st->db;
	PGresult *desc, *res;
	char *sql, *body;

	desc = PQdescribePrepared(C(db)->c, st->name);
	if (PQresultStatus(desc) != PGRES_COMMAND_OK)
		pg_fail(db, desc, "cannot describe a statement");
	if (st->fname == NULL) {
		st->ncol = PQnfields(desc);
		st->ftype = xcalloc((size_t)st->ncol + 1, sizeof *st->ftype);
		st->fname = xcalloc((size_t)st->ncol + 1, sizeof *st->fname);
		st->v = xcalloc((size_t)st->ncol + 1, sizeof *st->v);
		for (int i = 0; i < st->ncol; i++) {
			st->ftype[i] = PQftype(desc, i);
			st->fname[i] = xstrdup(PQfname(desc, i));
		}
	}
	body = inline_params(st, desc);
	PQclear(desc);
	sql = xasprintf("COPY (%s) TO STDOUT", body);
	free(body);
	res = PQexec(C(db)->c, sql);
	free(sql);
	if (PQresultStatus(res) != PGRES_COPY_OUT)
		pg_fail(db, res, "statement failed");
	PQclear(res);
	st->copying = 1;
	C(db)->streaming = st;
}

/* The next row of cursor ST: 1, or 0 at the end. */
static int
stream_step(struct pg_stmt *st)
{
	struct crm_db *db = st->db;
	PGresult *bad;
	int n;

	if (st->line) {
		PQfreemem(st->line);
		st->line = NULL;
	}
	st->have_row = 0;
	if (st->next < st->npending) {
		st->line = st->pending[st->next++];
		split_row(st);
		return 1;
	}
	if (st->copying) {
		if ((n = PQgetCopyData(C(db)->c, &st->line, 0)) > 0) {
			split_row(st);
			return 1;
		}
		st->line = NULL;
		st->copying = 0;
		C(db)->streaming = NULL;
		if (n == -2 || (bad = copy_result(db)) != NULL)
			pg_fail(db, n == -2 ? NULL : bad, "cannot read rows");
	}
	stream_end(st);
	return 0;
}

static void
pg_stream(void *p, int on)
{
	((struct pg_stmt *)p)->stream = on;
}

static int
pg_step(struct crm_stmt *s)
{
	struct pg_stmt *st = s->e;
	struct crm_db *db = s->db;

	if (st->stream && (st->copying || st->have_row || st->npending))
		return stream_step(st);
	if (C(db)->streaming && C(db)->streaming != st)
		stream_yield(db);
	if (st->res == NULL) {
		PGresult *res;
		ExecStatusType t;

		if (C(db)->copies)
			copy_flush(db, st->sql);
		if (C(db)->feed)
			feed_flush(db, st->sql);
		stream_yield(db);
		if (st->stream) {
			if (st->name[0] == '\0')
				server_prepare(st);
			stream_start(st);
			return stream_step(st);
		}
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

	if (st->have_row) {
		if (i < 0 || i >= st->ncol || st->v[i] == NULL)
			return NULL;
		if (st->ftype[i] == OID_BOOL)
			return *st->v[i] == 't' ? "1" : "0";
		return st->v[i];
	}
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

	if (st->have_row)
		return i < 0 || i >= st->ncol || st->v[i] == NULL;
	return st->res == NULL || st->row < 0 || i >= PQnfields(st->res) ||
	    PQgetisnull(st->res, st->row, i);
}

static int
pg_col_count(void *p)
{
	struct pg_stmt *st = p;

	if (st->have_row)
		return st->ncol;
	return st->res ? PQnfields(st->res) : 0;
}

static const char *
pg_col_name(void *p, int i)
{
	struct pg_stmt *st = p;

	if (st->have_row)
		return i >= 0 && i < st->ncol ? st->fname[i] : NULL;
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

/*
** Indexes are not dropped for a bulk load here: DROP INDEX locks the table
** against every reader until the commit (SQLite's readers go on with the
** old snapshot), and only the table's owner may.  The load goes into the
** indexes as they are.
*/
static char *
pg_index_sql(struct crm_db *db, const char *name)
{
	(void)db, (void)name;
	return NULL;
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

/* Has the database at URI PATH a crm schema?  0 also when it cannot be reached. */
static int
pg_exists(const char *path)
{
	const char *keys[] = { "dbname", "user", NULL };
	const char *vals[] = { path, crm_g.actor_given ? crm_g.actor : NULL, NULL };
	PGconn *c;
	PGresult *res;
	int yes = 0;

	pq_load();
	c = PQconnectdbParams(keys, vals, 1);

	if (PQstatus(c) == CONNECTION_OK) {
		res = PQexec(c, "SELECT 1 FROM pg_namespace WHERE nspname = 'crm'");
		yes = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) > 0;
		PQclear(res);
	}
	PQfinish(c);
	return yes;
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

/* COPY's text format: \N for NULL, backslash escapes. */
static void
copy_value(struct strbuf *b, const char *v)
{
	if (v == NULL) {
		sb_add(b, "\\N", 2);
		return;
	}
	for (const char *p = v; *p; p++)
		switch (*p) {
		case '\\': sb_add(b, "\\\\", 2); break;
		case '\t': sb_add(b, "\\t", 2); break;
		case '\n': sb_add(b, "\\n", 2); break;
		case '\r': sb_add(b, "\\r", 2); break;
		default: sb_addc(b, *p);
		}
}

static void
pg_append(struct crm_db *db, const char *table, const char *cols, size_t n,
    const char *const *v)
{
	struct copy *c, **tail = &C(db)->copies;

	for (c = C(db)->copies; c; tail = &c->next, c = c->next)
		if (strcmp(c->table, table) == 0 && strcmp(c->cols, cols) == 0)
			break;
	if (c == NULL) {
		c = *tail = xcalloc(1, sizeof *c);
		c->table = xstrdup(table);
		c->cols = xstrdup(cols);
		sb_init(&c->buf);
		/* ids given here (a copy): the sequence goes on after them */
		if (mentions(cols, "id") && is_identity(db, table))
			mark_stale(db, table);
	}
	for (size_t i = 0; i < n; i++) {
		if (i)
			sb_addc(&c->buf, '\t');
		copy_value(&c->buf, v[i]);
	}
	sb_addc(&c->buf, '\n');
	c->rows++;
	if (c->buf.len > (8u << 20))
		copy_send(db, c);
}

/* An id for a row of TABLE to append: from its sequence, in blocks. */
#define IDS_OF 4
static long long
pg_next_id(struct crm_db *db, const char *table)
{
	struct idblock *b = NULL;
	int i;

	if (C(db)->ids_of == NULL)
		C(db)->ids_of = xcalloc(IDS_OF, sizeof *C(db)->ids_of);
	for (i = 0; i < IDS_OF; i++) {
		b = &C(db)->ids_of[i];
		if (b->table[0] == '\0' || strcmp(b->table, table) == 0)
			break;
	}
	if (i == IDS_OF)
		crm_die("internal error: ids of too many tables");
	if (b->used == b->n) {
		char *sql = xasprintf("SELECT nextval(pg_get_serial_sequence("
		    "'crm.%s', 'id')) FROM generate_series(1, %d)", table,
		    (int)(sizeof b->v / sizeof b->v[0]));
		PGresult *res;

		stream_yield(db);
		copy_flush(db, NULL);
		res = PQexec(C(db)->c, sql);
		free(sql);
		if (PQresultStatus(res) != PGRES_TUPLES_OK)
			pg_fail(db, res, "cannot take ids");
		snprintf(b->table, sizeof b->table, "%s", table);
		mark_stale(db, table);
		b->n = PQntuples(res);
		for (int k = 0; k < b->n; k++)
			b->v[k] = strtoll(PQgetvalue(res, k, 0), NULL, 10);
		b->used = 0;
		PQclear(res);
	}
	return b->v[b->used++];
}

/* Rows sent to the server at a time while the COPY is open. */
#define FEED_CHUNK (64 << 10)

/* Send the rows of F made so far, opening its COPY if it is not open. */
static void
feed_put(struct crm_db *db, struct feed *f)
{
	if (!f->open) {
		copy_in_start(db, f->copy);
		f->open = 1;
	}
	copy_in_put(db, &f->buf);
}

/* End the COPY of F: its rows are in crm_feed, or in TABLE; die on failure. */
static void
feed_close(struct crm_db *db, struct feed *f)
{
	feed_put(db, f);
	f->open = 0;
	copy_in_end(db);
	if (f->run == NULL)
		f->nrow = 0;
}

/*
** Write the feed's rows gathered so far before SQL (NULL: in any case)
** when it may see them: NEXT may read or refer to what the rows before it
** wrote, as on SQLite, where each row is in before the next is asked for.
*/
static void
feed_flush(struct crm_db *db, const char *sql)
{
	struct feed *f = C(db)->feed;

	if (f->nrow == 0)
		return;
	/* a write may refer to the rows (a foreign key), a function of ours read them */
	if (sql && !mentions(sql, f->table) && strstr(sql, "crm.") == NULL &&
	    strncasecmp(sql + strspn(sql, " \t\n"), "SELECT", 6) == 0)
		return;
	C(db)->feed = NULL;
	if (f->open || f->buf.len)
		feed_close(db, f);
	if (f->run)
		pg_exec(db, f->run);	/* and empties crm_feed */
	f->nrow = 0;
	C(db)->feed = f;
}

/*
** crm_db_feed(): SQL is "INSERT [OR IGNORE] INTO TABLE (COLS) SELECT c0,
** ... FROM crm_feed", the columns in the order of COLS.  crm_feed is a
** temporary table with the types of COLS; the rows of db->feed go into it
** with COPY, some thousands at a time (sooner when a statement of NEXT's
** reads TABLE), and SQL runs over each lot.
*/
#define FEED_ROWS 10000

/*
** Is SQL "INSERT INTO T (COLS) SELECT c0, c1, ... FROM crm_feed", the
** columns as they come, with NCOL of them?  Such rows may go straight
** into T by COPY, where row-level security lets COPY in (bypass).
*/
static int
feed_plain(const char *sql, const char *close, int ncol)
{
	char *from = temp_cols(ncol), *want = xasprintf(") SELECT %s FROM crm_feed",
	    from);
	int plain = strncmp(sql, "INSERT INTO ", 12) == 0 && strcmp(close, want) == 0;

	free(from);
	free(want);
	return plain;
}

static void
pg_feed(struct crm_db *db, const char *sql)
{
	const char *into = strstr(sql, " INTO "), *open, *close;
	char *q;
	struct feed f;
	struct crm_value row[CRM_FEED_COLS];
	int ncol;
	size_t tlen;

	if (into == NULL || (open = strchr(into, '(')) == NULL ||
	    (close = strchr(open, ')')) == NULL)
		crm_die("internal error: crm_db_feed: no INSERT INTO T (COLS): %s", sql);
	into += 6;
	tlen = strcspn(into, " (");
	if (tlen >= sizeof f.table)
		crm_die("internal error: crm_db_feed: table of: %s", sql);
	ncol = 1;
	for (const char *p = open; p < close; p++)
		ncol += *p == ',';
	if (ncol > CRM_FEED_COLS)
		crm_die("internal error: crm_db_feed: columns of: %s", sql);
	memset(&f, 0, sizeof f);
	snprintf(f.table, sizeof f.table, "%.*s", (int)tlen, into);
	if (C(db)->bypass && feed_plain(sql, close, ncol)) {
		f.copy = xasprintf("COPY crm.%s %.*s FROM STDIN", f.table,
		    (int)(close - open + 1), open);
	} else {
		q = xasprintf("%.*s", (int)(close - open + 1), open);
		temp_for(db, "crm_feed", f.table, q);
		free(q);
		f.copy = xstrdup("COPY pg_temp.crm_feed FROM STDIN");
		/*
		 * TRUNCATE, not DELETE: a temporary table is never vacuumed,
		 * and every lot would read the dead rows of all lots before it.
		 */
		q = translate(db, sql, &(int){ 0 }, &(int){ 0 });
		f.run = xasprintf("%s; TRUNCATE pg_temp.crm_feed", q);
		free(q);
	}
	sb_init(&f.buf);
	C(db)->feed = &f;
	for (;;) {
		memset(row, 0, sizeof row);
		if (!db->feed(db->feed_ctx, row))
			break;
		for (int i = 0; i < ncol; i++) {
			char n[24];

			if (i)
				sb_addc(&f.buf, '\t');
			if (row[i].type == CRM_VINT) {
				snprintf(n, sizeof n, "%lld", row[i].i);
				sb_adds(&f.buf, n);
			} else
				copy_value(&f.buf, row[i].type == CRM_VTEXT ?
				    row[i].s : NULL);
		}
		sb_addc(&f.buf, '\n');
		f.total++;
		f.nrow++;
		if (f.buf.len >= FEED_CHUNK)
			feed_put(db, &f);
		/* crm_feed holds a lot at a time: SQL runs over each */
		if (f.run && f.nrow == FEED_ROWS)
			feed_flush(db, NULL);
	}
	feed_flush(db, NULL);
	C(db)->feed = NULL;
	if (f.run)
		pg_exec(db, "DROP TABLE pg_temp.crm_feed");
	if (f.total >= BULK_ROWS)
		mark(&C(db)->filled, f.table);
	/* ids given by the feed: the next made goes on from the highest */
	if (is_identity(db, f.table))
		call(db, "reset_id", f.table, strlen(f.table));
	sb_free(&f.buf);
	free(f.copy);
	free(f.run);
}

const struct crm_engine crm_engine_pg = {
	"postgresql", pg_open, pg_close, pg_schema, pg_migrate, pg_stamp,
	pg_exec, pg_begin, pg_commit, pg_rollback, pg_prepare, pg_finalize,
	pg_reset, pg_bind_text, pg_bind_int, pg_bind_null, pg_step,
	pg_col_text, pg_col_int, pg_col_null, pg_col_count, pg_col_name,
	pg_last_id, pg_errmsg, pg_index_sql, pg_index_build, pg_integrity,
	NULL, pg_lock_row, pg_exists, pg_ready, pg_sync_login, pg_append,
	pg_next_id, pg_stream, pg_feed,
};
