/*
** run.h: the one write path.  Every command that writes takes it, so any
** writer can follow any other in a pipeline:
**
**	crm_run_read_inputs(argc, argv);	piped input read to the end
**	crm_run_begin(&run, CRM_BATCH_..., flags, source);
**						open, write lock, batch
**	... apply; write records to run.out, as they now stand ...
**	crm_run_end(&run);			commit (or roll back for a
**						dry run), then print
**
** A writer upstream holds the write lock until it has committed, and only
** then prints the records the one downstream waits for; so nothing here
** takes the lock before its piped input has ended.  Records written to
** run.out are held in a temporary file and reach standard output only
** after the commit: a command that dies prints nothing.
*/
#ifndef CRM_RUN_H
#define CRM_RUN_H

#include <stddef.h>

#include "history.h"

struct crm_db;
struct rec;
struct rec_reader;
struct rec_writer;

/*
** Read standard input, when it is a pipe or terminal, and each operand
** of ARGV[0..ARGC) that names a pipe (a FIFO, /dev/fd/N), to the end,
** into temporary files that crm_open_input() then reads instead: disk,
** not memory, holds them.  With ARGC 0 standard input is read.  Named
** regular files are left to be read under the lock (no extra pass).
*/
void crm_run_read_inputs(int argc, char **argv);
/*
** For commands that take ids as NOPS operands or, with none, the records
** of standard input: read standard input first when it is the source.
*/
void crm_run_read_ids(int nops);

enum {
	CRM_RUN_CREATE = 1,	/* the command adds records: may create the file */
	CRM_RUN_DRY = 2,	/* --dry-run: roll back at the end */
	CRM_RUN_ROWS = 4	/* it locks the rows it changes: claims side by
				   side on a server (CRM_TX_ROWS, db.h) */
};

struct crm_run {
	struct crm_db *db;
	struct rec_writer *out;	/* records, held until crm_run_end() */
	long long rows;		/* stored as the batch's row count */
	int dry_run;
	struct crm_echo *echo;	/* crm_run_echo_open() */
};

/*
** Open the database for writing (creating it with CRM_RUN_CREATE, unless
** a dry run), take the write lock (BEGIN IMMEDIATE), and open a batch of
** KIND with SOURCE (an input file, or NULL).  Dies as crm_db_open() does:
** exit 3 when the lock stays busy, 1 when the actor may not act.
*/
void crm_run_begin(struct crm_run *run, enum crm_batch_kind kind,
    unsigned flags, const char *source);
/* Start another batch inside the run (merge makes one per duplicate). */
void crm_run_new_batch(struct crm_run *run, enum crm_batch_kind kind);
/*
** Store the row count, commit (roll back for a dry run, saying so on
** stderr unless quiet), print the held records, and close the database.
*/
void crm_run_end(struct crm_run *run);

/*
** Customers as records, as the rights policy lets the actor see them.
**
** crm_run_echo_open: from now on crm_run_echo() writes customers to
** run.out.  With IN, an input stream, each record is the input record
** with the columns named in CHANGED (NULL-terminated: the columns the
** command changes and those they imply, such as owner_since or a pool
** left behind) set as they now stand, added at the end when the input
** lacks them; the other columns pass through unchanged, so a score
** computed upstream and never saved survives.  Without IN, each record
** is the whole customer, as crm-lead show writes it.
*/
void crm_run_echo_open(struct crm_run *run, struct rec_reader *in,
    const char *const *changed);
/* Write customer ID (REC its input record, or NULL); 0 if there is none. */
int crm_run_echo(struct crm_run *run, long long id, const struct rec *rec);
/* Free the echo (crm_run_end() does), for a reader that borrowed it. */
void crm_run_echo_close(struct crm_run *run);

/*
** For each customer id of the operands ARGV[0..ARGC) (each a whole
** number, else exit 2) or, without operands, of the "id" column of the
** records on stdin: call FN(ID, WHERE, CTX) to change it, WHERE saying
** where the id came from ("argument 2", "stdin:12"), then echo the
** customer: the whole of it for operands, the input record with CHANGED
** set as it now stands for records.
*/
void crm_run_each(struct crm_run *run, int argc, char **argv,
    const char *const *changed,
    void (*fn)(long long id, const char *where, void *ctx), void *ctx);
/*
** The same, but FN returns whether to echo the customer: 0 leaves out
** one it did not change and reported (a refusal let pass by --partial).
*/
void crm_run_each_if(struct crm_run *run, int argc, char **argv,
    const char *const *changed,
    int (*fn)(long long id, const char *where, void *ctx), void *ctx);

#endif
