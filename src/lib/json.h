/* json.h: records as JSON Lines: one object a record, keys in header order. */
#ifndef CRM_JSON_H
#define CRM_JSON_H

#include <stddef.h>
#include <stdio.h>

struct json_writer;

/*
** Write objects with the keys NAMES[0..n) to F (named WHAT in messages).
** NUMERIC[i] says whether column i holds numbers; NULL takes the kind
** crm-export gives the column (crm_export_kind() of its canonical name).
** Nothing is written until the first row.
*/
struct json_writer *json_open(FILE *f, const char *what, size_t n,
    const char *const *names, const int *numeric);

/*
** One object of the N values V (NULL is null).  A value goes out as a
** JSON number when AS_NUMBER[i] is set, else as a string; AS_NUMBER NULL
** means: when the column is numeric and the value is a plain number
** (xl_is_plain_number(), a leading '+' dropped).  Dies on a write error.
*/
void json_row(struct json_writer *j, const char *const *v,
    const int *as_number);
void json_close(struct json_writer *j);	/* frees; F stays open */

/*
** S as a JSON string: quotes, backslash and control characters escaped,
** U+2028 and U+2029 as \u2028 and \u2029 (JavaScript reads them as line
** ends), an invalid UTF-8 byte as \ufffd.
*/
void json_put_str(FILE *f, const char *s);

#endif
