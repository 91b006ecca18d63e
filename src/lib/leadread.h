/*
** leadread.h: an input's leads read in a thread of their own.  Each
** record is parsed, mapped onto a lead and checked as far as that needs
** no database (crm_lead_check_fields: the fields, the keys and their
** hashes) while the main thread writes the rows before it.
**
** The reader thread never touches the database and prints nothing.  A
** note it would print, or its death (a malformed line, a read error:
** crm_die() in it is caught, crm_die_catch), travels with the rows to the
** place where it happened; there lead_read_next(), in the main thread,
** says the note or dies of it, rolling back as crm_die() always does.
** So stderr reads, and a transaction ends, as if one thread had done it
** all, and a death in the reader cannot leave a write half done.
**
** The thread writes the output too, off the main thread's path: each
** row the main thread says to write (lead_read_put) goes to the output
** writer, with its id, once the main thread is done with its batch; in
** input order, before lead_read_end() returns.
*/
#ifndef CRM_LEADREAD_H
#define CRM_LEADREAD_H

#include "customer.h"
#include "rec.h"

struct lead_row {
	struct rec rec;			/* as rec_next() gave it */
	const char *err;		/* what crm_lead_check_fields() found */
	struct crm_lead_refs refs;	/* keys (borrowed) and hashes */
	unsigned long long bytes;	/* of the input read so far */
};

struct lead_reader;
struct rec_writer;
/*
** Start reading R's records (its header read already) in a thread; rows
** put go to W as the id and R's columns but column IDCOL (or -1).
*/
struct lead_reader *lead_read_start(struct rec_reader *r,
    struct rec_writer *w, int idcol);
/*
** The next row, valid until the next call, or NULL at the end.  Its
** REFS has no owner or pool: crm_lead_check_refs() comes next.
*/
const struct lead_row *lead_read_next(struct lead_reader *lr);
/* Write the row last given to the output, as customer ID. */
void lead_read_put(struct lead_reader *lr, long long id);
/* The row N after the last one given, if read already (for prefetching). */
const struct lead_row *lead_read_ahead(struct lead_reader *lr, size_t n);
/* After the last row: the output written, the thread joined, all freed. */
void lead_read_end(struct lead_reader *lr);

#endif
