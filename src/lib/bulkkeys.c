/* bulkkeys.c: a bulk import's keys, held back and written in key order (bulkkeys.h). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bulkkeys.h"
#include "db.h"
#include "die.h"
#include "io.h"
#include "str.h"

#define CHUNK	(1u << 19)	/* pairs held in memory: 8 MiB */
#define SLOTS	(2 * CHUNK)	/* and 4 MiB to find them by key */
#define FENCE	256		/* pairs of a run per kept key: 4 KiB, one read */
#define MERGE	4096		/* pairs read at a time from a run when merging */

struct pair {
	int64_t key, id;
};

/* Sorted pairs: a run in the file, or the last chunk in memory. */
struct run {
	off_t at;		/* where in the file */
	size_t n;
	int64_t *fence;		/* the key of pair i * FENCE */
	struct pair *buf;	/* merging: pairs read and not yet taken */
	size_t nbuf, pos, read;
};

struct bulkkeys {
	struct pair *p;		/* the chunk, in the order added */
	size_t n;
	uint32_t *slot;		/* index + 1 into p, by key; 0 is empty */
	struct pair *tmp;	/* for sorting */
	FILE *f;		/* the runs, back to back */
	int fd;
	off_t end;
	struct run *run;
	size_t nrun, caprun;
	struct run last;	/* bulkkeys_write(): the chunk, sorted */
	struct run **heap;	/* ... and the runs, by their next pair */
	size_t nheap;
	unsigned long long written;
	struct progress *pg;
};

struct bulkkeys *
bulkkeys_open(void)
{
	struct bulkkeys *b = xcalloc(1, sizeof *b);

	b->p = xcalloc(CHUNK, sizeof *b->p);
	b->slot = xcalloc_huge(SLOTS, sizeof *b->slot);
	b->fd = -1;
	return b;
}

static size_t
slot_of(int64_t key)
{
	return (size_t)((uint64_t)key >> 44) & (SLOTS - 1);	/* keys are hashes */
}

#define DIGIT	11		/* bits sorted by per pass: 6 passes */

/* Bits SHIFT.. of KEY, in an order where unsigned comparison is signed's. */
static unsigned
radix(int64_t key, int shift)
{
	return (unsigned)((((uint64_t)key ^ 1ULL << 63) >> shift) &
	    ((1u << DIGIT) - 1));
}

/*
** Sort P[0..N) by key, stably (so ids stay in the order added): an LSD
** radix sort, six passes of 11 bits, through B->tmp.
*/
static void
sort_pairs(struct bulkkeys *b, struct pair *p, size_t n)
{
	size_t count[1u << DIGIT];
	struct pair *from = p, *to;

	if (b->tmp == NULL)
		b->tmp = xcalloc(CHUNK, sizeof *b->tmp);
	to = b->tmp;
	for (int shift = 0; shift < 64 && n > 0; shift += DIGIT) {
		size_t sum = 0;

		memset(count, 0, sizeof count);
		for (size_t i = 0; i < n; i++)
			count[radix(from[i].key, shift)]++;
		if (count[radix(from[0].key, shift)] == n)
			continue;	/* these bits are the same in all */
		for (size_t d = 0; d < 1u << DIGIT; d++) {
			size_t c = count[d];

			count[d] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			to[count[radix(from[i].key, shift)]++] = from[i];
		to = from;
		from = from == p ? b->tmp : p;
	}
	if (from != p)
		memcpy(p, from, n * sizeof *p);
}

static void
pread_full(int fd, void *buf, size_t n, off_t at)
{
	while (n > 0) {
		ssize_t got = pread(fd, buf, n, at);

		if (got <= 0)
			crm_die_errno("cannot read back a temporary file");
		buf = (char *)buf + got;
		n -= (size_t)got;
		at += got;
	}
}

/* Append P[0..N) to the file of runs. */
static void
put_pairs(struct bulkkeys *b, const struct pair *p, size_t n)
{
	const char *at = (const char *)p;
	size_t left = n * sizeof *p;

	if (b->f == NULL) {
		if ((b->f = tmpfile()) == NULL)
			crm_die_errno("cannot create a temporary file");
		b->fd = fileno(b->f);
	}
	while (left > 0) {
		ssize_t put = pwrite(b->fd, at, left, b->end);

		if (put <= 0)
			crm_die_errno("cannot write a temporary file");
		at += put;
		left -= (size_t)put;
		b->end += put;
	}
}

/* A new run, empty, at the end of the file. */
static struct run *
new_run(struct bulkkeys *b)
{
	struct run *r;

	if (b->nrun == b->caprun)
		b->run = xrealloc(b->run, (b->caprun = b->caprun ? 2 * b->caprun :
		    8) * sizeof *b->run);
	r = &b->run[b->nrun++];
	memset(r, 0, sizeof *r);
	r->at = b->end;
	return r;
}

/* The chunk, sorted, becomes a run. */
static void
spill(struct bulkkeys *b)
{
	struct run *r = new_run(b);

	sort_pairs(b, b->p, b->n);
	put_pairs(b, b->p, b->n);
	r->n = b->n;
	r->fence = xcalloc((b->n + FENCE - 1) / FENCE, sizeof *r->fence);
	for (size_t i = 0; i < b->n; i += FENCE)
		r->fence[i / FENCE] = b->p[i].key;
	b->n = 0;
	memset(b->slot, 0, SLOTS * sizeof *b->slot);
}

/*
** The keys customer_keys holds, in its order, become a run too (one not
** searched: the database searches them).
*/
static void
table_run(struct bulkkeys *b, struct crm_db *db)
{
	struct crm_stmt *s = crm_sql(db, "SELECT key, customer_id FROM"
	    " customer_keys ORDER BY key, customer_id");
	struct pair buf[MERGE];
	struct run *r = new_run(b);
	size_t n = 0;

	while (crm_step(s)) {
		buf[n].key = crm_col_int(s, 0);
		buf[n].id = crm_col_int(s, 1);
		if (++n == MERGE) {
			put_pairs(b, buf, n);
			r->n += n;
			n = 0;
		}
	}
	put_pairs(b, buf, n);
	r->n += n;
}

void
bulkkeys_add(struct bulkkeys *b, long long key, long long id)
{
	size_t i;

	if (b->n == CHUNK)
		spill(b);
	b->p[b->n].key = key;
	b->p[b->n].id = id;
	for (i = slot_of(key); b->slot[i]; i = (i + 1) & (SLOTS - 1))
		;
	b->slot[i] = (uint32_t)++b->n;
}

/*
** FN for each id under KEY in run R, in the file; a key's pairs may
** begin in the block before the first whose kept key is KEY.
*/
static int
run_find(struct bulkkeys *b, const struct run *r, int64_t key,
    int (*fn)(long long id, void *ctx), void *ctx)
{
	struct pair buf[FENCE];
	size_t nblk = (r->n + FENCE - 1) / FENCE, lo = 0, hi = nblk;
	int rc;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->fence[mid] < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t blk = lo ? lo - 1 : 0; blk < nblk && r->fence[blk] <= key;
	    blk++) {
		size_t n = r->n - blk * FENCE < FENCE ? r->n - blk * FENCE : FENCE;

		pread_full(b->fd, buf, n * sizeof *buf,
		    r->at + (off_t)(blk * FENCE * sizeof *buf));
		for (size_t i = 0; i < n; i++) {
			if (buf[i].key > key)
				return 0;
			if (buf[i].key == key && (rc = fn(buf[i].id, ctx)) != 0)
				return rc;
		}
	}
	return 0;
}

int
bulkkeys_find(struct bulkkeys *b, long long key,
    int (*fn)(long long id, void *ctx), void *ctx)
{
	int rc;

	for (size_t i = 0; i < b->nrun; i++)
		if ((rc = run_find(b, &b->run[i], key, fn, ctx)) != 0)
			return rc;
	/* the chunk: a key's pairs lie along its probe in the order added */
	for (size_t i = slot_of(key); b->slot[i]; i = (i + 1) & (SLOTS - 1)) {
		const struct pair *p = &b->p[b->slot[i] - 1];

		if (p->key == key && (rc = fn(p->id, ctx)) != 0)
			return rc;
	}
	return 0;
}

/* The next pair of R, refilling its buffer from the file; NULL at its end. */
static const struct pair *
run_head(struct bulkkeys *b, struct run *r)
{
	if (r->pos == r->nbuf) {
		if (r->read == r->n)
			return NULL;
		r->nbuf = r->n - r->read < MERGE ? r->n - r->read : MERGE;
		pread_full(b->fd, r->buf, r->nbuf * sizeof *r->buf,
		    r->at + (off_t)(r->read * sizeof *r->buf));
		r->read += r->nbuf;
		r->pos = 0;
	}
	return &r->buf[r->pos];
}

/* Whether run A's next pair goes before run B's (key, then id). */
static int
before(const struct run *a, const struct run *b)
{
	const struct pair *p = &a->buf[a->pos], *q = &b->buf[b->pos];

	return p->key < q->key || (p->key == q->key && p->id < q->id);
}

/* Restore the heap of runs below slot I (a run's head went up). */
static void
sift(struct bulkkeys *b, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, m = i;
		struct run *t;

		if (l < b->nheap && before(b->heap[l], b->heap[m]))
			m = l;
		if (l + 1 < b->nheap && before(b->heap[l + 1], b->heap[m]))
			m = l + 1;
		if (m == i)
			return;
		t = b->heap[i];
		b->heap[i] = b->heap[m];
		b->heap[m] = t;
		i = m;
	}
}

/*
** crm_db_feed()'s rows: the runs and the sorted chunk merged, in the
** order of customer_keys (key, then id), through a heap of their heads.
*/
static int
next_pair(void *ctx, struct crm_value *row)
{
	struct bulkkeys *b = ctx;
	struct run *r;

	if (b->nheap == 0)
		return 0;
	r = b->heap[0];
	row[0].type = row[1].type = CRM_VINT;
	row[0].i = r->buf[r->pos].key;
	row[1].i = r->buf[r->pos].id;
	r->pos++;
	if (b->written++ % 4096 == 0)
		progress_update(b->pg, b->written);
	if (run_head(b, r) == NULL)
		b->heap[0] = b->heap[--b->nheap];
	sift(b, 0);
	return 1;
}

/*
** The keys held and those of customer_keys, merged, go into the table
** emptied: each key then lands at the end of the B-tree, where SQLite
** only appends, instead of amid the keys there, where it splits and
** moves pages.  A bulk import is at least as large as the table was, so
** the keys there are at most as many as those added.  On a server (a
** bulk import of any size there) only the keys held go in: its table is
** a heap, and a rep may not read every key.
*/
void
bulkkeys_write(struct bulkkeys *b, struct crm_db *db)
{
	int merge = !crm_db_server(db);

	sort_pairs(b, b->p, b->n);
	memset(&b->last, 0, sizeof b->last);
	b->last.buf = b->p;
	b->last.n = b->last.nbuf = b->last.read = b->n;
	if (merge)
		table_run(b, db);
	b->heap = xcalloc(b->nrun + 1, sizeof *b->heap);
	for (size_t i = 0; i <= b->nrun; i++) {
		struct run *r = i < b->nrun ? &b->run[i] : &b->last;

		b->written += r->n;
		if (i < b->nrun)
			r->buf = xcalloc(MERGE, sizeof *r->buf);
		if (run_head(b, r) != NULL)
			b->heap[b->nheap++] = r;
	}
	for (size_t i = b->nheap; i-- > 0;)
		sift(b, i);
	b->pg = progress_start("writing keys", b->written);
	b->written = 0;
	if (merge)
		crm_db_exec(db, "DELETE FROM customer_keys");
	/*
	 * OR IGNORE on SQLite, though no pair comes twice: a statement
	 * that cannot fail half-way keeps no statement journal, a copy in
	 * memory of every page it changes.  On a server, none: the pairs
	 * may go in by COPY.
	 */
	crm_db_feed(db, merge ? "INSERT OR IGNORE INTO customer_keys (key,"
	    " customer_id) SELECT c0, c1 FROM crm_feed" : "INSERT INTO"
	    " customer_keys (key, customer_id) SELECT c0, c1 FROM crm_feed",
	    next_pair, b);
	progress_stop(b->pg);
	b->pg = NULL;
	bulkkeys_free(b);
}

void
bulkkeys_free(struct bulkkeys *b)
{
	if (b == NULL)
		return;
	for (size_t i = 0; i < b->nrun; i++) {
		free(b->run[i].fence);
		free(b->run[i].buf);
	}
	free(b->run);
	free(b->heap);
	progress_stop(b->pg);
	if (b->f)
		fclose(b->f);
	free(b->p);
	free(b->slot);
	free(b->tmp);
	free(b);
}
