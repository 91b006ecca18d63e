/* re.h: user-supplied PCRE2 patterns: compiled once, JIT, limits, UTF. */
#ifndef CRM_RE_H
#define CRM_RE_H

struct crm_re;

#include <stddef.h>

/* Compile PAT; on error returns NULL and puts a message in ERR (size n). */
struct crm_re *crm_re_compile(const char *pat, char *err, unsigned long n);
/*
** The same, case-blind when ICASE is set; on error ERR gets PCRE2's bare
** message and *AT the byte offset in PAT where it was found (to point at
** the column of a rule file).
*/
struct crm_re *crm_re_compile_at(const char *pat, int icase, size_t *at,
    char *err, unsigned long n);
/* 1 on a match, 0 on none; NULL S never matches.  Dies on a limit error. */
int crm_re_match(struct crm_re *re, const char *s);
/*
** Match the LEN bytes at S: 1 on a match, 0 on none, -1 on an error such
** as the match limit, with PCRE2's message in ERR (size N).
*/
int crm_re_exec(struct crm_re *re, const char *s, size_t len, char *err,
    unsigned long n);
void crm_re_free(struct crm_re *re);

#endif
