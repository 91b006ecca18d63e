/* str.h: checked allocation and a growable byte buffer (a small sds). */
#ifndef CRM_STR_H
#define CRM_STR_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
/*
** xcalloc() for a large table read at random (a Bloom filter, a hash
** table): in 2 MiB pages where the system has them, one TLB entry for
** what would take 512.  Free it with free().
*/
void *xcalloc_huge(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A NUL-terminated buffer; buf is never NULL after sb_init(). */
struct strbuf {
	char *buf;
	size_t len, cap;
};
#define STRBUF_INIT { NULL, 0, 0 }

void sb_init(struct strbuf *sb);
void sb_grow(struct strbuf *sb, size_t extra);
void sb_add(struct strbuf *sb, const char *s, size_t n);
void sb_adds(struct strbuf *sb, const char *s);
void sb_addc(struct strbuf *sb, int c);
void sb_addf(struct strbuf *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void sb_reset(struct strbuf *sb);
char *sb_detach(struct strbuf *sb);	/* caller frees; sb is reset */
void sb_free(struct strbuf *sb);

/* Append S as a JSON string, quoted and escaped (RFC 8259, U+2028/9 too). */
void str_json(struct strbuf *sb, const char *s);

/*
** The one id parser: S is a whole number from 1 up, digits only (no
** sign, blank or suffix: "2024-fix.tsv" is no id).  0 and *ID set, or -1.
*/
int crm_parse_id(const char *s, long long *id);

/* True for NULL and for strings of only blanks and tabs: no value. */
int str_blank(const char *s);

/* A growable array of owned strings. */
struct strvec {
	char **v;
	size_t n, cap;
};
#define STRVEC_INIT { NULL, 0, 0 }
void sv_push(struct strvec *sv, const char *s);	/* copies s; NULL kept as NULL */
void sv_free(struct strvec *sv);
int sv_has(const struct strvec *sv, const char *s);	/* 1 if S is one of them */
/* Split S at each SEP into SV, trimming blanks, dropping empty items. */
void sv_split(struct strvec *sv, const char *s, int sep);

#endif
