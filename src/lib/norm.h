/* norm.h: duplicate-detection keys for phones, emails and company names. */
#ifndef CRM_NORM_H
#define CRM_NORM_H

/*
** Each returns a newly allocated key, or NULL when S yields no usable key
** (NULL, empty, or too short to identify anyone).  Keys are what the
** database indexes; two records collide when a key is equal.
*/
char *norm_phone(const char *s);	/* digits; +86/0086 and a mobile's 0 folded */
char *norm_email(const char *s);	/* trimmed, lower-case */
char *norm_company(const char *s);	/* half-width, no punctuation or legal suffix */

/*
** The key KEY of kind KIND (CRM_KEY_PHONE, _EMAIL, _COMPANY: 0..2) as the
** 64-bit integer the database looks keys up by (customer_keys.key): a
** hash of the text with the kind in its low two bits.  Stored, so it
** must never change.  Equal hashes are compared as text before they
** count as a duplicate.
*/
long long norm_key_hash(int kind, const char *key);

/* Decode one UTF-8 character at *P, advancing *P; invalid bytes give U+FFFD. */
unsigned utf8_next(const char **p);
void utf8_put(unsigned c, char **out);
int utf8_valid(const char *s, unsigned long n);	/* 1 when all of S is UTF-8 */
int utf8_width(const char *s);			/* columns: CJK count double */

#endif
