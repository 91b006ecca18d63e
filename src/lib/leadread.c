/* leadread.c: an input's leads read and checked in a thread of their own (leadread.h). */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "die.h"
#include "import.h"
#include "leadread.h"
#include "str.h"

/*
** The rows go over in batches, through a ring of NBATCH: the reader
** fills one while the main thread takes the rows of another.
*/
#define NBATCH		4
#define BATCH_ROWS	512

struct batch {
	struct lead_row *row;
	const char **note;		/* per row: a note to say before it, or NULL */
	long long *put;			/* per row: its id in the output, 0: none */
	int unwritten;			/* rows may wait to be written */
	size_t nrow, caprow;
	struct strbuf text;		/* every string of the batch, each NUL-ended */
	size_t *off;			/* while filling: each field's offset + 1, 0 NULL */
	size_t noff, capoff;
	char **v;			/* once sealed: the fields */
	int end;			/* the input ends after these rows */
	int status;			/* the reader died after these rows, so */
	size_t why;			/* with this message (offset + 1) */
	int full;			/* handed to the main thread */
};

struct lead_reader {
	struct rec_reader *r;
	struct rec_writer *w;		/* the output */
	int idcol;			/* the input column left out of it */
	const char **out;		/* an output row */
	struct crm_colmap m;		/* the reader thread's */
	pthread_t tid;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct batch b[NBATCH];
	size_t put, take;		/* batches handed over, taken */
	struct batch *fill;		/* the reader's */
	int writing;			/* the reader is writing fill's rows out */
	struct batch *cur;		/* the main thread's */
	size_t next;			/* its next row */
};

/* S copied into B's text: its offset + 1, or 0 for NULL. */
static size_t
text(struct batch *b, const char *s)
{
	size_t at = b->text.len;

	if (s == NULL)
		return 0;
	sb_add(&b->text, s, strlen(s) + 1);
	return at + 1;
}

/* Offsets stand in pointers' places while the text may move. */
#define OFF(o)	((const char *)(uintptr_t)(o))
#define PTR(t, p) ((p) ? (t) + (uintptr_t)(p) - 1 : NULL)

/* A new row of B, with NOTE (an offset) to say before it. */
static struct lead_row *
new_row(struct batch *b, size_t note)
{
	if (b->nrow == b->caprow) {
		b->caprow = b->caprow ? 2 * b->caprow : BATCH_ROWS + 8;
		b->row = xrealloc(b->row, b->caprow * sizeof *b->row);
		b->note = xrealloc(b->note, b->caprow * sizeof *b->note);
		b->put = xrealloc(b->put, b->caprow * sizeof *b->put);
	}
	memset(&b->row[b->nrow], 0, sizeof b->row[0]);
	b->note[b->nrow] = OFF(note);
	b->put[b->nrow] = 0;
	return &b->row[b->nrow++];
}

/* Offsets to pointers, now that the text no longer moves. */
static void
seal(struct batch *b)
{
	char *t = b->text.buf;

	b->v = xrealloc(b->v, (b->noff + 1) * sizeof *b->v);
	for (size_t i = 0; i < b->noff; i++)
		b->v[i] = (char *)PTR(t, b->off[i]);
	for (size_t i = 0; i < b->nrow; i++) {
		struct lead_row *p = &b->row[i];

		b->note[i] = PTR(t, b->note[i]);
		p->rec.v = b->v + (uintptr_t)p->rec.v;
		p->rec.bad = PTR(t, p->rec.bad);
		p->err = PTR(t, p->err);
		for (int k = 0; k < CRM_NKEYS; k++)
			p->refs.key[k] = (char *)PTR(t, p->refs.key[k]);
	}
}

/* The rows of B the main thread put, to the output, in order. */
static void
write_out(struct lead_reader *lr, struct batch *b)
{
	char id[32];

	lr->writing = 1;
	for (size_t i = 0; i < b->nrow; i++) {
		const struct rec *rec = &b->row[i].rec;
		size_t n = 0;

		if (b->put[i] == 0)
			continue;
		snprintf(id, sizeof id, "%lld", b->put[i]);
		lr->out[n++] = id;
		for (size_t k = 0; k < rec->n; k++)
			if ((int)k != lr->idcol)
				lr->out[n++] = rec->v[k];
		recw_row(lr->w, n, lr->out);
	}
	b->unwritten = 0;
	lr->writing = 0;
}

/* Wait until the main thread is done with B. */
static void
wait_free(struct lead_reader *lr, struct batch *b)
{
	pthread_mutex_lock(&lr->mu);
	while (b->full)
		pthread_cond_wait(&lr->cv, &lr->mu);
	pthread_mutex_unlock(&lr->mu);
}

/*
** The reader's next empty batch, once the main thread is done with it
** and its rows are written out.
*/
static struct batch *
fill_next(struct lead_reader *lr)
{
	struct batch *b = &lr->b[lr->put % NBATCH];

	wait_free(lr, b);
	lr->fill = b;
	if (b->unwritten)
		write_out(lr, b);
	b->nrow = b->noff = 0;
	sb_reset(&b->text);
	b->end = b->status = 0;
	b->why = 0;
	return b;
}

static void
hand_over(struct lead_reader *lr, struct batch *b)
{
	seal(b);
	pthread_mutex_lock(&lr->mu);
	b->full = 1;
	b->unwritten = 1;
	lr->put++;
	pthread_cond_broadcast(&lr->cv);
	pthread_mutex_unlock(&lr->mu);
}

/*
** The catcher of the reader thread's messages (crm_die_catch): a note
** goes before the next row, a death ends the batch and the thread.
*/
static void
caught(int status, const char *msg, void *ctx)
{
	struct lead_reader *lr = ctx;
	struct batch *b = lr->fill;

	if (status == 0) {
		/* a row that is no record: it carries only the note */
		new_row(b, text(b, msg))->rec.n = SIZE_MAX;
		return;
	}
	/*
	 * A death while writing B out: its rows are done with.  A death
	 * while reading: the rows before it are still to be taken.
	 */
	if (lr->writing)
		b->nrow = b->noff = 0;
	b->status = status;
	b->why = text(b, msg);
	b->end = 1;
	hand_over(lr, b);
	pthread_exit(NULL);
}

/* Add record REC to B, checked as far as no database is needed. */
static void
add(struct lead_reader *lr, struct batch *b, const struct rec *rec)
{
	struct lead_row *p = new_row(b, 0);
	char msg[512];

	p->rec.line = rec->line;
	p->rec.n = rec->n;
	p->rec.v = (char **)(uintptr_t)b->noff;
	p->bytes = rec_bytes(lr->r);
	if (b->noff + rec->n > b->capoff) {
		b->capoff = 2 * (b->noff + rec->n) + 64;
		b->off = xrealloc(b->off, b->capoff * sizeof *b->off);
	}
	for (size_t i = 0; i < rec->n; i++)
		b->off[b->noff++] = text(b, rec->v[i]);
	if (rec->bad)
		p->rec.bad = OFF(text(b, rec->bad));
	else {
		struct crm_lead l;
		struct crm_lead_refs refs;

		crm_colmap_lead(&lr->m, rec, &l);
		p->err = OFF(text(b, crm_lead_check_fields(&l, &refs, msg,
		    sizeof msg)));
		p->refs = refs;
		for (int k = 0; k < CRM_NKEYS; k++)
			p->refs.key[k] = (char *)OFF(text(b, refs.key[k]));
		crm_lead_refs_free(&refs);
	}
}

static void *
reader(void *arg)
{
	struct lead_reader *lr = arg;
	struct batch *b;
	struct rec *rec;

	b = fill_next(lr);
	crm_die_catch(caught, lr);
	while ((rec = rec_next(lr->r)) != NULL) {
		add(lr, b, rec);
		if (b->nrow >= BATCH_ROWS) {
			hand_over(lr, b);
			b = fill_next(lr);
		}
	}
	b->end = 1;
	hand_over(lr, b);
	/* the last batches' rows, as the main thread is done with them */
	for (size_t i = 0; i < NBATCH; i++) {
		b = &lr->b[(lr->put + i) % NBATCH];
		wait_free(lr, b);
		lr->fill = b;
		if (b->unwritten)
			write_out(lr, b);
	}
	return NULL;
}

struct lead_reader *
lead_read_start(struct rec_reader *r, struct rec_writer *w, int idcol)
{
	struct lead_reader *lr = xcalloc(1, sizeof *lr);
	int rc;

	lr->r = r;
	lr->w = w;
	lr->idcol = idcol;
	lr->out = xcalloc(rec_ncol(r) + 2, sizeof *lr->out);
	crm_colmap_init(&lr->m, r);
	for (int i = 0; i < NBATCH; i++)
		sb_init(&lr->b[i].text);
	pthread_mutex_init(&lr->mu, NULL);
	pthread_cond_init(&lr->cv, NULL);
	if ((rc = pthread_create(&lr->tid, NULL, reader, lr)) != 0)
		crm_die("cannot start a thread: %s", strerror(rc));
	return lr;
}

/* The reader's death, in the main thread, where it happened. */
static void __attribute__((noreturn))
died(const struct batch *b)
{
	const char *why = b->text.buf + b->why - 1;

	if (b->status == CRM_EXIT_USAGE)
		crm_usage_error("%s", why);
	if (b->status == CRM_EXIT_BUSY)
		crm_die_busy("%s", why);
	crm_die("%s", why);
}

const struct lead_row *
lead_read_next(struct lead_reader *lr)
{
	struct batch *b;

	for (;;) {
		if ((b = lr->cur) != NULL && lr->next < b->nrow) {
			size_t i = lr->next++;

			if (b->note[i])
				crm_warn("%s", b->note[i]);
			if (b->row[i].rec.n != SIZE_MAX)
				return &b->row[i];
			continue;
		}
		if (b != NULL) {
			if (b->status)
				died(b);
			if (b->end)
				return NULL;
			pthread_mutex_lock(&lr->mu);
			b->full = 0;
			lr->take++;
			pthread_cond_broadcast(&lr->cv);
			pthread_mutex_unlock(&lr->mu);
		}
		b = &lr->b[lr->take % NBATCH];
		pthread_mutex_lock(&lr->mu);
		while (!b->full)
			pthread_cond_wait(&lr->cv, &lr->mu);
		pthread_mutex_unlock(&lr->mu);
		lr->cur = b;
		lr->next = 0;
	}
}

void
lead_read_put(struct lead_reader *lr, long long id)
{
	lr->cur->put[lr->next - 1] = id;
}

const struct lead_row *
lead_read_ahead(struct lead_reader *lr, size_t n)
{
	struct batch *b = lr->cur;

	if (b == NULL || lr->next + n - 1 >= b->nrow ||
	    b->row[lr->next + n - 1].rec.n == SIZE_MAX)
		return NULL;
	return &b->row[lr->next + n - 1];
}

void
lead_read_end(struct lead_reader *lr)
{
	if (lr == NULL)
		return;
	if (lr->cur) {
		/* done with the last batch: its rows may be written */
		pthread_mutex_lock(&lr->mu);
		lr->cur->full = 0;
		pthread_cond_broadcast(&lr->cv);
		pthread_mutex_unlock(&lr->mu);
	}
	pthread_join(lr->tid, NULL);
	for (int i = 0; i < NBATCH; i++)
		if (lr->b[i].full && lr->b[i].status)
			died(&lr->b[i]);	/* while writing the output */
	pthread_mutex_destroy(&lr->mu);
	pthread_cond_destroy(&lr->cv);
	for (int i = 0; i < NBATCH; i++) {
		free(lr->b[i].row);
		free(lr->b[i].note);
		free(lr->b[i].put);
		free(lr->b[i].off);
		free(lr->b[i].v);
		sb_free(&lr->b[i].text);
	}
	crm_colmap_free(&lr->m);
	free(lr->out);
	free(lr);
}
