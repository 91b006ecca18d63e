/* re.h: user-supplied PCRE2 patterns: compiled once, JIT, limits, UTF. */
#ifndef CRM_RE_H
#define CRM_RE_H

struct crm_re;

/* Compile PAT; on error returns NULL and puts a message in ERR (size n). */
struct crm_re *crm_re_compile(const char *pat, char *err, unsigned long n);
/* 1 on a match, 0 on none; NULL S never matches.  Dies on a limit error. */
int crm_re_match(struct crm_re *re, const char *s);
void crm_re_free(struct crm_re *re);

#endif
