/* norm.c: normalizers behind duplicate detection (防撞单). */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "norm.h"
#include "str.h"

unsigned
utf8_next(const char **pp)
{
	const unsigned char *p = (const unsigned char *)*pp;
	unsigned c = *p, n, i;

	if (c < 0x80) {
		*pp += 1;
		return c;
	}
	if (c >= 0xc2 && c <= 0xdf)
		n = 1, c &= 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 2, c &= 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 3, c &= 0x07;
	else {
		*pp += 1;
		return 0xfffd;
	}
	for (i = 1; i <= n; i++) {
		if ((p[i] & 0xc0) != 0x80) {
			*pp += 1;
			return 0xfffd;
		}
		c = (c << 6) | (p[i] & 0x3f);
	}
	if ((n == 2 && c < 0x800) || (n == 3 && c < 0x10000) || c > 0x10ffff ||
	    (c >= 0xd800 && c <= 0xdfff)) {
		*pp += 1;	/* overlong, surrogate or out of range */
		return 0xfffd;
	}
	*pp += n + 1;
	return c;
}

void
utf8_put(unsigned c, char **out)
{
	unsigned char *o = (unsigned char *)*out;

	if (c < 0x80)
		*o++ = (unsigned char)c;
	else if (c < 0x800) {
		*o++ = (unsigned char)(0xc0 | c >> 6);
		*o++ = (unsigned char)(0x80 | (c & 0x3f));
	} else if (c < 0x10000) {
		*o++ = (unsigned char)(0xe0 | c >> 12);
		*o++ = (unsigned char)(0x80 | ((c >> 6) & 0x3f));
		*o++ = (unsigned char)(0x80 | (c & 0x3f));
	} else {
		*o++ = (unsigned char)(0xf0 | c >> 18);
		*o++ = (unsigned char)(0x80 | ((c >> 12) & 0x3f));
		*o++ = (unsigned char)(0x80 | ((c >> 6) & 0x3f));
		*o++ = (unsigned char)(0x80 | (c & 0x3f));
	}
	*out = (char *)o;
}

/* Strict: no overlongs, no surrogates, nothing above U+10FFFF. */
int
utf8_valid(const char *s, unsigned long n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;

	while (p < end) {
		unsigned c = *p;
		unsigned long need;

		if (c < 0x80) {
			p++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			need = 1;
		else if (c >= 0xe0 && c <= 0xef)
			need = 2;
		else if (c >= 0xf0 && c <= 0xf4)
			need = 3;
		else
			return 0;
		if ((unsigned long)(end - p) <= need)
			return 0;
		for (unsigned long i = 1; i <= need; i++)
			if ((p[i] & 0xc0) != 0x80)
				return 0;
		if ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] > 0x9f) ||
		    (c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] > 0x8f))
			return 0;
		p += need + 1;
	}
	return 1;
}

int
utf8_width(const char *s)
{
	int w = 0;

	while (*s) {
		unsigned c = utf8_next(&s);

		w += (c >= 0x1100 && (c <= 0x115f || (c >= 0x2e80 && c <= 0xa4cf) ||
		    (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) ||
		    (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) ||
		    (c >= 0xffe0 && c <= 0xffe6) || (c >= 0x20000 && c <= 0x3fffd)))
		    ? 2 : 1;
	}
	return w;
}

char *
norm_phone(const char *s)
{
	char digits[64], *d;
	size_t n = 0;
	int plus = 0;

	if (s == NULL)
		return NULL;
	for (const char *p = s; *p; p++) {
		if (*p == '+' && n == 0)
			plus = 1;
		if (*p >= '0' && *p <= '9' && n < sizeof digits - 1)
			digits[n++] = *p;
	}
	digits[n] = '\0';
	d = digits;
	if (strncmp(d, "0086", 4) == 0)
		d += 4;
	else if (strncmp(d, "86", 2) == 0 && (plus || (strlen(d) == 13 && d[2] == '1')))
		d += 2;
	if (d != digits && d[0] != '0' && d[0] != '\0' &&
	    !(d[0] == '1' && strlen(d) == 11))
		*--d = '0';	/* +86 21 ...: a landline, its trunk 0 left out */
	if (d[0] == '0' && d[1] == '1' && d[2] >= '3' && d[2] <= '9' &&
	    strlen(d) == 12)
		d++;	/* 013812345678: a mobile dialled with a trunk 0 */
	if (strlen(d) < 5)
		return NULL;
	return xstrdup(d);
}

char *
norm_email(const char *s)
{
	const char *b, *e;
	char *k;

	if (s == NULL)
		return NULL;
	for (b = s; *b && isspace((unsigned char)*b); b++)
		;
	for (e = b + strlen(b); e > b && isspace((unsigned char)e[-1]); e--)
		;
	if (e == b || memchr(b, '@', (size_t)(e - b)) == NULL)
		return NULL;
	k = xstrndup(b, (size_t)(e - b));
	for (char *p = k; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return k;
}

/* CJK and full-width punctuation that says nothing about which company it is. */
static int
is_cjk_punct(unsigned c)
{
	return (c >= 0x3000 && c <= 0x303f) || (c >= 0xff01 && c <= 0xff0f) ||
	    (c >= 0xff1a && c <= 0xff20) || (c >= 0xff3b && c <= 0xff40) ||
	    (c >= 0xff5b && c <= 0xff65) || (c >= 0x2010 && c <= 0x205e) ||
	    c == 0x00b7 || c == 0x30fb || c == 0xfe50 || c == 0xfeff;
}

static int
ends_with(const char *s, size_t len, const char *suf)
{
	size_t n = strlen(suf);

	return len > n && memcmp(s + len - n, suf, n) == 0;
}

char *
norm_company(const char *s)
{
	/* Longest first: each is removed once, repeatedly, from the end. */
	static const char *const suffixes[] = {
		"股份有限公司", "有限责任公司", "有限公司", "股份公司",
		"责任公司", "公司", "集团",
		"colimited", "coltd", "limited", "ltd", "incorporated", "inc",
		"corporation", "corp", "llc", "gmbh", NULL
	};
	char *out, *o, *word;	/* word[i]: a word starts at out[i] */
	size_t len;
	int again, gap = 1, ascii = 0;

	if (s == NULL)
		return NULL;
	/* a bad byte becomes U+FFFD: three bytes out for one in */
	out = o = xmalloc(strlen(s) * 3 + 1);
	word = xcalloc(strlen(s) * 3 + 1, 1);
	while (*s) {
		unsigned c = utf8_next(&s);

		if (c == 0x3000) {
			gap = 1;
			continue;			/* ideographic space */
		}
		if (c >= 0xff01 && c <= 0xff5e)
			c -= 0xfee0;			/* full-width ASCII */
		if (c < 0x80) {
			if (!isalnum((int)c)) {
				gap = 1;
				continue;
			}
			c = (unsigned)tolower((int)c);
		} else if (is_cjk_punct(c)) {
			gap = 1;
			continue;
		}
		if (gap || ascii != (c < 0x80))
			word[o - out] = 1;
		gap = 0;
		ascii = c < 0x80;
		utf8_put(c, &o);
	}
	*o = '\0';
	len = (size_t)(o - out);
	do {
		again = 0;
		for (const char *const *suf = suffixes; *suf; suf++)
			if (ends_with(out, len, *suf) &&
			    ((unsigned char)**suf >= 0x80 ||	/* "Zinc" is */
			    word[len - strlen(*suf)])) {	/* no "inc" */
				len -= strlen(*suf);
				out[len] = '\0';
				again = 1;
				break;
			}
	} while (again);
	free(word);
	if (len == 0) {
		free(out);
		return NULL;
	}
	return out;
}

/* FNV-1a, then the 64-bit finalizer of MurmurHash3 to spread it. */
long long
norm_key_hash(int kind, const char *key)
{
	uint64_t h = 14695981039346656037ULL;

	for (const unsigned char *p = (const unsigned char *)key; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return (long long)((h & ~(uint64_t)3) | (uint64_t)(kind & 3));
}
