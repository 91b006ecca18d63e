/* rec.h: record streams: TSV (default) or CSV with a header row. */
#ifndef CRM_REC_H
#define CRM_REC_H

#include <stddef.h>
#include <stdio.h>

/* One record.  v[i] NULL is a NULL field (\N in TSV, empty unquoted in CSV). */
struct rec {
	size_t n;
	char **v;
	unsigned long line;	/* line of the input where the record starts */
	const char *bad;	/* why it cannot be used, or NULL: rec_width_error() */
};

struct rec_reader;

/* How to open a record stream; zero (or NULL) for the defaults. */
struct rec_opts {
	/*
	** NULL: UTF-8, with a BOM dropped, or UTF-16 with a BOM, or
	** GB18030 (which covers GBK and GB2312) when the input is not
	** valid UTF-8; otherwise an iconv name.
	*/
	const char *encoding;
	/*
	** "FROM=TO,...": the column headed FROM (case and spaces aside) is
	** read as TO, before any other reading of the header; a FROM the
	** header lacks is a usage error.  For crm-lead import --map.
	*/
	const char *map;
	/*
	** A line whose bytes are no text in the encoding comes back as a
	** record (decoded with U+FFFD for the bad bytes) whose rec->bad says
	** so, for rec_reject(); more than 100 such lines are fatal.  Without
	** it such a line is fatal at once.  Not for UTF-16 or UTF-32.
	*/
	int bad_lines;
};

/*
** Open PATH ("-" is stdin) as a record stream: CSV when CSV is set (the
** --csv option was given), else what the header line shows (commas and
** no tabs: CSV; else TSV).  Lines may end in LF, CRLF or a lone CR.  The
** header row is read at once and its names read as crm-tsv(5) says
** (aliases, header sets of other CRMs, joined first and last names); a
** missing or malformed one is fatal ("FILE:LINE: ..."), and so is JSON
** (exit 2).  O may be NULL.
*/
struct rec_reader *rec_open_with(const char *path, int csv,
    const struct rec_opts *o);
/* rec_open_with() with only an encoding (NULL: detect). */
struct rec_reader *rec_open(const char *path, int csv, const char *encoding);

/*
** The next record, or NULL at the end.  It belongs to the reader and
** stays valid until the next call.  Its width may differ from the
** header's: check with rec_width_error().  Malformed input is fatal.
** A joined name column gets its value only when the width is right.
*/
struct rec *rec_next(struct rec_reader *r);
void rec_close(struct rec_reader *r);

size_t rec_ncol(const struct rec_reader *r);
const char *rec_colname(const struct rec_reader *r, size_t i);	/* canonical */
const char *rec_header(const struct rec_reader *r, size_t i);	/* as written */
int rec_col(struct rec_reader *r, const char *canonical);	/* -1 if absent */
const char *rec_name(const struct rec_reader *r);		/* for messages */
unsigned long long rec_bytes(const struct rec_reader *r);	/* raw bytes read */
unsigned long long rec_size(const struct rec_reader *r);	/* 0 when unknown */
const char *rec_encoding(const struct rec_reader *r);		/* what was read */

/*
** Why REC cannot be used (rec->bad), else NULL: its width is not the
** header's ("expected N fields, got M"), or, with rec_opts.bad_lines,
** its bytes are not valid in the input's encoding.
*/
const char *rec_width_error(const struct rec_reader *r, const struct rec *rec);

/*
** The canonical English name for a header cell: "姓名" and "Name" give
** "name", "手机" gives "phone".  Unknown names come back trimmed.
** Returns a pointer into a static table or into BUF (size >= strlen+1).
*/
const char *rec_canonical(const char *header, char *buf, size_t bufsize);

struct rec_writer;

/*
** Write to F (named WHAT in messages) as CSV or TSV.  Never writes CRLF.
** NULL is an empty field.  When F is stdout the output settings apply:
** --null TEXT (crm_g.null_text) is written for NULL, as it is; --json
** writes JSON Lines instead (json.h), and -o/--columns only the columns
** it names, in its order (see rec_pick_columns(): the header row is
** where an unknown name is a usage error).
*/
struct rec_writer *recw_open(FILE *f, const char *what, int csv);
/*
** A writer of standard output's records that writes to F instead, such
** as a buffer the caller converts and copies to standard output: the
** output settings apply as for stdout.
*/
struct rec_writer *recw_open_via(FILE *f, int csv);
void recw_header(struct rec_writer *w, size_t n, const char *const *names);
void recw_row(struct rec_writer *w, size_t n, const char *const *v);
void recw_close(struct rec_writer *w);	/* flushes; dies on a write error */

/*
** The columns -o/--columns (crm_g.columns) picks from a header of N
** NAMES: *IDX gets (malloc'd) the index of each, in the order given, and
** their number is returned.  A name is a header cell as written or any
** name of the same column (rec_canonical: "手机" is "phone").  A name the
** header lacks is a usage error (exit 2) that lists the columns there are.
*/
size_t rec_pick_columns(size_t n, const char *const *names, size_t **idx);

/* The escapes, exposed for unit tests and other writers. */
void tsv_put_field(FILE *f, const char *s);	/* NULL -> empty */
void csv_put_field(FILE *f, const char *s);	/* NULL -> empty, "" -> "" */
void csv_put_quoted(FILE *f, const char *s);	/* always quoted; S not NULL */

/*
** A writer whose output is held in a temporary file until
** recw_close(), so nothing reaches stdout from a transaction that is
** then rolled back: call recw_discard() instead on failure.
*/
struct rec_writer *recw_open_held(int csv);
void recw_discard(struct rec_writer *w);

/*
** Rejected rows of an input: each is reported on stderr as
** "FILE:LINE: why"; with SKIP (--skip-bad) it is also written to a reject
** file (PATH_OPT, else INPUT.rejects, else stdin.rejects) with the columns
** reject_line and reject_reason before the input's, so the file can be
** fixed and imported again as it is.  Several inputs of one run share it.
*/
struct rec_rejects {
	int skip;
	const char *path_opt;
	const char *input;		/* "-" or a path */
	struct rec_writer *w;
	FILE *f;
	char *path;
	size_t n;			/* rows rejected so far */
};
void rec_reject(struct rec_rejects *rj, struct rec_reader *r,
    const struct rec *rec, const char *why);
void rec_rejects_close(struct rec_rejects *rj);	/* says where they went */

/*
** For each id: the operands ARGV[0..ARGC) when there are any (each a
** whole number from 1, else exit 2: "'x' is not a NOUN id"), else the
** "id" column of the records on stdin (a bad one is fatal, naming
** FILE:LINE).  START, when not NULL, is called once first with the
** reader (NULL for operands), so output can follow the input's columns.
** FN gets the id, where it came from ("argument 2", "stdin:12") and its
** input record (NULL for an operand); what FN returns is FN's business.
*/
void rec_ids(int argc, char **argv, const char *noun,
    void (*start)(struct rec_reader *r, void *ctx),
    int (*fn)(long long id, const char *where, const struct rec *rec,
    void *ctx), void *ctx);
/* The same for customer ids, with a simpler FN. */
void rec_each_id(int argc, char **argv,
    void (*fn)(long long id, const char *where, void *ctx), void *ctx);

#endif
