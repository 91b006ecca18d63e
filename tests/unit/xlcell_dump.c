/* xlcell_dump.c: test driver: TSV-escaped lines in, an Excel CSV column out. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xlcell.h"

/*
** Undo the TSV escapes of crm-tsv(5) in LINE, in place: \\ \t \n \r.
** Return NULL for \N (an empty cell), else LINE.
*/
static char *
unescape(char *line)
{
	char *p, *q;

	if (strcmp(line, "\\N") == 0)
		return NULL;
	for (p = q = line; *p != '\0'; p++) {
		if (*p == '\\' && p[1] != '\0') {
			switch (*++p) {
			case 't': *q++ = '\t'; continue;
			case 'n': *q++ = '\n'; continue;
			case 'r': *q++ = '\r'; continue;
			case '\\': *q++ = '\\'; continue;
			default: p--;
			}
		}
		*q++ = *p;
	}
	*q = '\0';
	return line;
}

/* Print the usage line to stderr and exit 2. */
static void
usage(void)
{
	fputs("usage: xlcell_dump [-B] [-k text|number|date|raw]\n", stderr);
	exit(2);
}

/*
** Read one value per line from stdin (TSV-escaped, so values may hold
** line breaks) and write them to stdout as one CSV column: a UTF-8 BOM
** unless -B, CRLF after every row, each cell by xl_csv_put_cell().
*/
int
main(int argc, char **argv)
{
	static const char *const kinds[] = { "text", "number", "date", "raw" };
	int kind = XL_TEXT, bom = 1, ch;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	while ((ch = getopt(argc, argv, "Bk:")) != -1)
		switch (ch) {
		case 'B':
			bom = 0;
			break;
		case 'k':
			for (kind = 0; kind < 4; kind++)
				if (strcmp(optarg, kinds[kind]) == 0)
					break;
			if (kind == 4)
				usage();
			break;
		default:
			usage();
		}
	if (optind != argc)
		usage();
	if (bom)
		fputs(XL_BOM, stdout);
	while ((n = getline(&line, &cap, stdin)) != -1) {
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		xl_csv_put_cell(stdout, unescape(line), kind);
		fputs(XL_EOL, stdout);
	}
	free(line);
	if (ferror(stdin) || fflush(stdout) != 0 || ferror(stdout)) {
		perror("xlcell_dump");
		return 1;
	}
	return 0;
}
