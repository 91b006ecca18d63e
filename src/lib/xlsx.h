/* xlsx.h: streaming XLSX workbooks (libxlsxwriter, constant memory). */
#ifndef CRM_XLSX_H
#define CRM_XLSX_H

#include <stddef.h>

#define XLSX_SHEET_MAX	31	/* characters (UTF-16 units) in a sheet name */
#define XLSX_CELL_MAX	32767	/* characters (UTF-16 units) in a cell */
#define XLSX_WIDTH_MAX	60	/* widest column we set, in characters */

struct xlsx;

/*
** Start a workbook that xlsx_close() writes to PATH ("-" is standard
** output).  It is built in a temporary file beside PATH (in $TMPDIR for
** "-") that is created now, so a place that cannot be written fails at
** once, and renamed over PATH only when complete: a failed run leaves
** no half-written file.  Every sheet gets the header row NAMES (N
** columns) in bold, frozen, with an autofilter over the rows written
** and column widths from the content.  SHEET is the name of the one
** sheet when rows are not split by xlsx_sheet_for().  Dies on failure.
*/
struct xlsx *xlsx_open(const char *path, const char *sheet, size_t n,
    const char *const *names);

/*
** The sheet for the --sheet-by value KEY (NULL is the same as ""): the
** sheet added for it on first sight, named by xlsx_sheet_name() and
** made unique.  Returns an index for xlsx_row().
*/
int xlsx_sheet_for(struct xlsx *x, const char *key);

/*
** Append a row of N values (the header's width) to sheet SHEET (0 when
** rows are not split).  KINDS[i] says how to write V[i]: XL_NUMBER for a
** plain number (xl_is_plain_number), XL_DATE for an ISO date or time
** (xl_is_date), anything else as a string, never a formula.  NULL and
** empty values leave the cell blank.  Text over XLSX_CELL_MAX is cut
** with a warning that names WHERE (e.g. "stdin:12") and the column.  A
** sheet that is full continues on a new one.  Dies on failure.
*/
void xlsx_row(struct xlsx *x, int sheet, const char *const *v,
    const int *kinds, const char *where);

/* Finish the workbook and put it in place (see xlsx_open); frees X. */
void xlsx_close(struct xlsx *x);

/*
** A valid sheet name for VALUE in OUT (size > 4 * XLSX_SHEET_MAX):
** []:*?/\ and control characters become _, leading and trailing blanks
** and apostrophes go, at most XLSX_SHEET_MAX characters (never cutting a
** character), "(blank)" for nothing left.  Not made unique.
*/
void xlsx_sheet_name(const char *value, char *out, size_t outsize);

#endif
