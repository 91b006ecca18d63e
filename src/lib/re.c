/* re.c: PCRE2 as git uses it: JIT when it works, a match context with limits. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "die.h"
#include "re.h"
#include "str.h"

#define CRM_RE_MATCH_LIMIT 1000000
#define CRM_RE_DEPTH_LIMIT 10000

struct crm_re {
	pcre2_code *code;
	pcre2_match_data *md;
	pcre2_match_context *mctx;
	char *pat;
	int jit;		/* JIT compiled: pcre2_jit_match() */
};

struct crm_re *
crm_re_compile_at(const char *pat, int icase, size_t *at, char *err,
    unsigned long n)
{
	struct crm_re *re;
	int ec;
	PCRE2_SIZE eo;
	pcre2_code *code;

	code = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED,
	    PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF |
	    (icase ? PCRE2_CASELESS : 0), &ec, &eo, NULL);
	if (code == NULL) {
		PCRE2_UCHAR msg[256];

		pcre2_get_error_message(ec, msg, sizeof msg);
		snprintf(err, n, "%s", (char *)msg);
		*at = (size_t)eo;
		return NULL;
	}
	re = xcalloc(1, sizeof *re);
	re->code = code;
	/* else the interpreter; git's grep.c does the same */
	re->jit = pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0;
	re->md = pcre2_match_data_create_from_pattern(code, NULL);
	re->mctx = pcre2_match_context_create(NULL);
	pcre2_set_match_limit(re->mctx, CRM_RE_MATCH_LIMIT);
	pcre2_set_depth_limit(re->mctx, CRM_RE_DEPTH_LIMIT);
	re->pat = xstrdup(pat);
	return re;
}

struct crm_re *
crm_re_compile(const char *pat, char *err, unsigned long n)
{
	struct crm_re *re;
	size_t at;
	char msg[256];

	if ((re = crm_re_compile_at(pat, 0, &at, msg, sizeof msg)) == NULL)
		snprintf(err, n, "%s at offset %zu", msg, at);
	return re;
}

int
crm_re_exec(struct crm_re *re, const char *s, size_t len, char *err,
    unsigned long n)
{
	PCRE2_UCHAR msg[256];
	int rc;

	/*
	** pcre2_jit_match() skips pcre2_match()'s checks of its arguments,
	** a third of the time of a short match; with MATCH_INVALID_UTF the
	** JIT code copes with bad UTF-8 itself.
	*/
	if (re->jit)
		rc = pcre2_jit_match(re->code, (PCRE2_SPTR)s, len, 0, 0, re->md,
		    re->mctx);
	else
		rc = pcre2_match(re->code, (PCRE2_SPTR)s, len, 0, 0, re->md,
		    re->mctx);
	if (rc >= 0)
		return 1;
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	pcre2_get_error_message(rc, msg, sizeof msg);
	snprintf(err, n, "%s", (char *)msg);
	return -1;
}

int
crm_re_match(struct crm_re *re, const char *s)
{
	char msg[256];
	int rc;

	if (s == NULL)
		return 0;
	if ((rc = crm_re_exec(re, s, strlen(s), msg, sizeof msg)) == -1)
		crm_die("pattern '%s': %s", re->pat, msg);
	return rc;
}

void
crm_re_free(struct crm_re *re)
{
	if (re == NULL)
		return;
	pcre2_match_data_free(re->md);
	pcre2_match_context_free(re->mctx);
	pcre2_code_free(re->code);
	free(re->pat);
	free(re);
}
