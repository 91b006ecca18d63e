/* stage.h: the pipeline of deal stages (阶段): load, find by name or label, replace. */
#ifndef CRM_STAGE_H
#define CRM_STAGE_H

#include <stddef.h>

struct crm_db;
struct rec_reader;
struct rec_writer;

/* What a deal in a stage has come to. */
enum crm_outcome { CRM_OPEN, CRM_WON, CRM_LOST };
extern const char *const crm_outcome_names[3];	/* "open", "won", "lost" */

struct crm_stage {
	long long id;
	char *name;		/* English, as records carry it: "proposal" */
	char *label;		/* Chinese, or NULL: "方案报价" */
	int position;		/* 1, 2, ...: the order of the pipeline */
	int probability;	/* win chance in percent */
	enum crm_outcome outcome;
};

/*
** The stages of the pipeline in order.  A stage taken out of the
** pipeline that deals once passed through stays in the table, out of
** the pipeline (position 0), so their history keeps its name; it is not
** loaded here, and may come back with a later crm_stages_set().
*/
struct crm_pipeline {
	size_t n;
	struct crm_stage *v;
	char *names;		/* "new, qualified, ...", for messages */
};

/* Load DB's pipeline into P (free it with crm_pipeline_free). */
void crm_pipeline_load(struct crm_db *db, struct crm_pipeline *p);
void crm_pipeline_free(struct crm_pipeline *p);

/*
** The stage S names: its English name (case-blind) or its label, with
** blanks around it ignored; NULL when none does.
*/
const struct crm_stage *crm_stage_find(const struct crm_pipeline *p,
    const char *s);
const struct crm_stage *crm_stage_by_id(const struct crm_pipeline *p,
    long long id);
/* The first stage of OUTCOME in the pipeline's order (there is one). */
const struct crm_stage *crm_stage_first(const struct crm_pipeline *p,
    enum crm_outcome outcome);

/* The pipeline as records: name, label, position, probability, outcome. */
void crm_stages_write(struct crm_db *db, struct rec_writer *w);

/*
** Replace the pipeline by the stages of R (columns name, label,
** probability, outcome, as crm_stages_write() writes them; position is
** the order of the rows and an input position column is ignored).  A
** stage is matched to a stored one by name; each change is in the
** history (entity "stage").  An admin's action.  Dies, having changed
** nothing, on a bad row ("FILE:LINE: field: why"), on a pipeline without
** an open, a won and a lost stage, and when a stage that deals are in
** would be removed or change its outcome.  Returns the number of stages
** added, changed or removed.
*/
long long crm_stages_set(struct crm_db *db, struct rec_reader *r);

#endif
