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
};

struct rec_reader;

/*
** Open PATH ("-" is stdin) as a record stream: CSV when CSV is set, else
** TSV.  ENCODING NULL means: UTF-8, with a BOM dropped, or UTF-16 with a
** BOM, or GB18030 (which covers GBK and GB2312) when the input is not
** valid UTF-8; otherwise an iconv name.  The header row is read at once;
** a missing or malformed one is fatal ("FILE:LINE: ...").
*/
struct rec_reader *rec_open(const char *path, int csv, const char *encoding);

/*
** The next record, or NULL at the end.  It belongs to the reader and
** stays valid until the next call.  Its width may differ from the
** header's: check with rec_width_error().  Malformed input is fatal.
*/
struct rec *rec_next(struct rec_reader *r);
void rec_close(struct rec_reader *r);

size_t rec_ncol(const struct rec_reader *r);
const char *rec_colname(const struct rec_reader *r, size_t i);	/* canonical */
const char *rec_header(const struct rec_reader *r, size_t i);	/* as written */
int rec_col(const struct rec_reader *r, const char *canonical);	/* -1 if absent */
const char *rec_name(const struct rec_reader *r);		/* for messages */
unsigned long long rec_bytes(const struct rec_reader *r);	/* raw bytes read */
unsigned long long rec_size(const struct rec_reader *r);	/* 0 when unknown */
const char *rec_encoding(const struct rec_reader *r);		/* what was read */

/* A message when REC's width is not the header's, else NULL (static buffer). */
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
** NULL is an empty field; when F is stdout, --null TEXT (crm_g.null_text)
** is written for it instead, as it is.
*/
struct rec_writer *recw_open(FILE *f, const char *what, int csv);
void recw_header(struct rec_writer *w, size_t n, const char *const *names);
void recw_row(struct rec_writer *w, size_t n, const char *const *v);
void recw_close(struct rec_writer *w);	/* flushes; dies on a write error */

/* The escapes, exposed for unit tests and other writers. */
void tsv_put_field(FILE *f, const char *s);	/* NULL -> empty */
void csv_put_field(FILE *f, const char *s);	/* NULL -> empty, "" -> "" */

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
** Call FN for each customer id: the operands when there are any (each
** must be a whole number, else exit 2), else the "id" column of the
** record stream on stdin.  WHERE says where the id came from, as
** "stdin:12" or "argument 2", for messages.
*/
void rec_each_id(int argc, char **argv, int csv,
    void (*fn)(long long id, const char *where, void *ctx), void *ctx);

#endif
