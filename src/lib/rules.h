/* rules.h: ordered "FIELD ~ /REGEX/ -> ACTION" rule files (crm-rules(5)). */
#ifndef CRM_RULES_H
#define CRM_RULES_H

#include <stddef.h>

struct crm_re;

/* One condition: FIELD ~ /REGEX/ (or !~, which also holds for NULL). */
struct crm_rule_cond {
	char *field;		/* canonical name (rec_canonical) */
	char *pattern;		/* as written between the slashes, unescaped */
	int negate;
	int icase;		/* written /REGEX/i */
	struct crm_re *re;
	int col;		/* free for the caller: e.g. an input column */
};

/* One rule; a default rule has no conditions. */
struct crm_rule {
	unsigned long line;
	size_t ncond;
	struct crm_rule_cond *cond;
	char *action;		/* the text after "->", trimmed */
	void *data;		/* free for the caller: e.g. the resolved action */
};

struct crm_rules {
	char *path;
	size_t n;
	struct crm_rule *v;
	int has_default;	/* the last rule is "default -> ..." */
};

/*
** Read the rule file PATH ("-" is stdin).  CHECK, when not NULL, is
** called with each action and returns NULL or why it is not valid.  On
** any error returns NULL with "PATH:LINE: reason" in ERR (size N); a
** file that cannot be opened is fatal.  Free the result with
** crm_rules_free().
*/
struct crm_rules *crm_rules_load(const char *path,
    const char *(*check)(const char *action, void *ctx), void *ctx,
    char *err, size_t n);

/*
** The first rule all of whose conditions hold, or NULL.  GET returns the
** value of the condition's field in the record at hand (NULL for NULL).
*/
struct crm_rule *crm_rules_match(const struct crm_rules *rs,
    const char *(*get)(const struct crm_rule_cond *c, void *ctx), void *ctx);

/* "region ~ /华东/" for messages: a static buffer. */
const char *crm_rule_cond_text(const struct crm_rule_cond *c);

void crm_rules_free(struct crm_rules *rs);

#endif
