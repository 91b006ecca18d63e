/* recint.h: the reader's internals, shared by rec.c, tsv.c and csv.c only. */
#ifndef CRM_RECINT_H
#define CRM_RECINT_H

#include <csv.h>
#include <iconv.h>

#include "map.h"
#include "rec.h"
#include "str.h"

struct header_work;

struct rec_reader {
	char *name;
	FILE *fp;
	int csv;
	unsigned long long size, bytes;

	/* Decoding: raw bytes in, UTF-8 out into dec[decpos..dec.len). */
	char *enc;		/* "UTF-8", "GB18030", "UTF-16LE", ... */
	iconv_t cd;		/* (iconv_t)-1 when the input is UTF-8 */
	char raw[65536];
	size_t rawlen;		/* undecoded bytes carried over */
	int eof;
	int guessed;		/* UTF-8 only because the start was ASCII or UTF-8 */
	int seen_8bit;		/* a byte >= 0x80 was decoded as UTF-8 */
	int wide;		/* UTF-16 or -32: a line end is more than a byte */
	char eol;		/* '\n', or '\r' for lone CR line ends */
	struct strbuf dec;
	size_t decpos;
	unsigned long declines;	/* line ends in dec before decpos */

	/* Lines that are no text in the encoding (rec_opts.bad_lines). */
	int bad_lines;
	int in_bad;		/* the rest of a bad line is still to come */
	unsigned long *badq;	/* their line numbers, ascending */
	size_t nbad, badhead, badcap, badtotal;
	char why[160];		/* the current record's rec->bad */

	/* The header. */
	size_t nin;		/* columns of the input */
	size_t ncol;		/* nin, and one more for a joined name */
	char **cols;
	char **hdr;		/* the header cells as written */
	struct strmap colidx;	/* cols[i] -> i, from the first rec_col() */
	long join_first, join_last;	/* the name is joined from these, or -1 */
	struct strbuf syn;	/* the joined name of the current record */
	struct header_work *work;	/* while the header is read */

	/* Records: field data with offsets, -1 for NULL. */
	struct strbuf data, tmp;
	long *off;
	size_t noff, offcap;
	struct rec cur;
	char **vcap;
	size_t nvcap;
	unsigned long line;	/* physical lines consumed so far */

	/* CSV: rows parsed ahead, data[...] holds them back to back. */
	struct csv_parser csvp;
	size_t *row_end;	/* index into off[] one past each row's last */
	unsigned long *row_line, *row_last;	/* lines each row spans */
	size_t nrows, rowcap, rowhead;
	unsigned long row_start;
	int csv_err;
};

int dec_fill(struct rec_reader *r);	/* 0 at end of input */
void header_work_free(struct header_work *h);	/* NULL is fine */
void rec_add_field(struct rec_reader *r, const char *s, size_t n, int isnull);
/* The record of fields off[FIRST..LAST), on lines LINE to LAST_LINE. */
struct rec *rec_build(struct rec_reader *r, size_t first, size_t last,
    unsigned long line, unsigned long last_line);

struct rec *tsv_next(struct rec_reader *r);
void csv_reader_init(struct rec_reader *r);
struct rec *csv_next(struct rec_reader *r);
void csv_reader_free(struct rec_reader *r);

#endif
