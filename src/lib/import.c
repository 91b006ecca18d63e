#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "customer.h"
#include "db.h"
#include "die.h"
#include "import.h"
#include "str.h"

#define BULK_ROWS_DEFAULT 10000
#define FILTER_BITS (1u << 27)	/* 16 MiB */

static const char *const key_indexes[] = {
	"customers_phone_key", "customers_email_key", "customers_company_key",
	NULL
};

struct crm_import {
	struct crm_db *db;
	enum crm_import_mode mode;
	long long rows, bulk_at;
	int bulk;
	uint64_t *filter;
	struct strvec saved;	/* the dropped indexes */
};

/* FNV-1a, then a 64-bit finalizer to spread it; KIND keeps keys apart. */
static uint64_t
key_hash(int kind, const char *s)
{
	uint64_t h = 14695981039346656037ULL ^ (uint64_t)kind;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

/*
** Add KEY to the filter; 1 if it may have been there already.  Its three
** bits lie in one 64-bit word: one cache miss per key, not three, for a
** false positive rate that stays below 1 in 1,000 up to 1M rows.
*/
static int
filter_add(struct crm_import *im, int kind, const char *key)
{
	uint64_t h = key_hash(kind, key);
	uint64_t *word = &im->filter[(h & 0xffffffff) % (FILTER_BITS / 64)];
	uint64_t m = 1ULL << (h >> 32 & 63) | 1ULL << (h >> 38 & 63) |
	    1ULL << (h >> 44 & 63);
	int seen = (*word & m) == m;

	*word |= m;
	return seen;
}

/* Add the keys of a row; 1 if any of them may have been seen. */
static int
filter_keys(struct crm_import *im, const char *const key[CRM_NKEYS])
{
	int seen = 0;

	for (int k = 0; k < CRM_NKEYS; k++)
		if (key[k])
			seen |= filter_add(im, k, key[k]);
	return seen;
}

struct crm_import *
crm_import_begin(struct crm_db *db, enum crm_import_mode mode)
{
	struct crm_import *im = xcalloc(1, sizeof *im);
	const char *env = getenv("CRM_IMPORT_BULK_ROWS");
	long long at = env && *env ? strtoll(env, NULL, 10) : BULK_ROWS_DEFAULT;
	long long had = crm_db_int(db, "SELECT coalesce(max(id), 0) FROM customers", -1);

	im->db = db;
	im->mode = mode;
	im->bulk_at = had > at ? had : at;
	return im;
}

/* Every live key goes into the filter first, then the indexes go. */
static void
turn_bulk(struct crm_import *im)
{
	if (im->mode == CRM_IMPORT_DEFER) {
		struct crm_stmt *s = crm_sql(im->db, "SELECT phone_key, email_key,"
		    " company_key FROM customers WHERE merged_into IS NULL");

		im->filter = xcalloc(FILTER_BITS / 64, sizeof *im->filter);
		while (crm_step(s)) {
			const char *key[CRM_NKEYS];

			for (int k = 0; k < CRM_NKEYS; k++)
				key[k] = crm_col_text(s, k);
			(void)filter_keys(im, key);
		}
	}
	crm_db_drop_indexes(im->db, key_indexes, &im->saved);
	im->bulk = 1;
}

enum crm_import_result
crm_import_add(struct crm_import *im, const struct crm_lead *l,
    const struct crm_lead_refs *refs, struct crm_dup *dup, long long *id)
{
	int suspect = 0;

	if (!im->bulk && im->mode != CRM_IMPORT_NOW && im->rows >= im->bulk_at)
		turn_bulk(im);
	if (im->bulk)
		suspect = im->filter &&
		    filter_keys(im, (const char *const *)refs->key);
	else if (im->mode != CRM_IMPORT_ALLOW &&
	    crm_lead_find_dup(im->db, refs, 0, dup))
		return CRM_IMPORT_DUPLICATE;
	*id = crm_lead_insert(im->db, l, refs);
	im->rows++;
	return suspect ? CRM_IMPORT_SUSPECT : CRM_IMPORT_CREATED;
}

int
crm_import_bulk(const struct crm_import *im)
{
	return im->bulk;
}

void
crm_import_end(struct crm_import *im)
{
	free(im->filter);
	im->filter = NULL;
	if (im->bulk)
		crm_db_create_indexes(im->db, &im->saved);
}

int
crm_import_verify(struct crm_import *im, long long id, struct crm_dup *dup)
{
	if (!crm_lead_find_earlier_dup(im->db, id, dup))
		return 0;
	crm_lead_retract(im->db, id);
	return 1;
}

void
crm_import_free(struct crm_import *im)
{
	if (im == NULL)
		return;
	free(im->filter);
	sv_free(&im->saved);
	free(im);
}
