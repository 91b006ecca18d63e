/*
** fuzz_rec.c: libFuzzer target for the record reader (rec.h).  Each input
** is read as TSV and as CSV (encoding sniffed), and as TSV in UTF-16LE;
** every input that reads cleanly is written back with the writer (as
** UTF-8) and read again, and must give the same names and records (the
** writer and reader are exact inverses, but that TSV writes NULL as an
** empty field, which reads back as an empty string).  Build and run with `make fuzz` (FUZZ_SECONDS=20).
**
** Malformed input is fatal by design: crm_die() prints and calls exit(1).
** The target must go on to the next input, so this file defines exit()
** itself (the link prefers it to libc's): while a read is under way it
** longjmp()s back to the harness, else it is libc's exit.  crm_atdie()
** cannot do it: die.c calls its hook only on the first death of a
** process.  Nothing changes for the programs, which never link this.
** A reader that dies inside rec_open() has not been handed back; a
** sanitizer malloc hook notes the one allocation of its size made there,
** and the harness closes it with rec_close() as it would any other.
** Messages go to /dev/null while a read runs; stdin is the input itself
** (fmemopen), so rec_open("-") reads it without a file.
**
** Seeds in tests/fuzz/corpus (new finds go to build/fuzz/corpus):
** spectrum-*.csv from csv-spectrum (BSD-2-Clause), papaparse-utf8-bom.csv
** from PapaParse (MIT), cjk-gb2312.txt from CPython Lib/test/cjkencodings
** (PSF-2.0), cldr-names.csv from unicode-org/cldr (Unicode-3.0); the
** rest (escapes.tsv, unterminated.csv, utf16le-bom.tsv) are ours.
*/
#include <dlfcn.h>
#include <sanitizer/allocator_interface.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/die.h"
#include "lib/opt.h"
#include "lib/rec.h"
#include "lib/recint.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);
void exit(int status);

/* opt.c refers to the program's descriptor. */
static const struct crm_opt no_opts[] = {
	{ 0, 0, NULL, ARG_NONE, NULL, NULL, NULL, NULL }
};
static const char *const no_usage[] = { NULL };
const struct crm_prog crm_prog = { "fuzz_rec", "fuzz the record reader",
	no_usage, no_opts, NULL };

static jmp_buf on_die;
static volatile int armed;

/* exit() for the whole program: back to the harness while a read runs. */
void
exit(int status)
{
	void (*real_exit)(int);

	if (armed) {
		armed = 0;
		longjmp(on_die, 1);
	}
	real_exit = (void (*)(int))dlsym(RTLD_NEXT, "exit");
	if (real_exit)
		real_exit(status);
	_exit(status);
}

static FILE *devnull;

/* The reader rec_open() allocates, noted while it runs. */
static volatile int noting;
static void *volatile noted;

static void
on_malloc(const volatile void *p, size_t size)
{
	if (noting && noted == NULL && size == sizeof(struct rec_reader))
		noted = (void *)p;
}

static void
on_free(const volatile void *p)
{
	if (p == noted)
		noted = NULL;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	crm_set_progname("fuzz_rec");
	crm_g.quiet = 1;
	if ((devnull = fopen("/dev/null", "w")) == NULL)
		abort();
	__sanitizer_install_malloc_and_free_hooks(on_malloc, on_free);
	return 0;
}

/* One record stream as read: field values back to back, NULL marked. */
struct dump {
	char *buf;
	size_t len;
	FILE *f;
	int csv;
};

static void
dump_rec(struct dump *d, const struct rec *rec)
{
	fprintf(d->f, "%zu:", rec->n);
	for (size_t i = 0; i < rec->n; i++) {
		/*
		** TSV writes NULL as an empty field, CSV a lone NULL as ""
		** (crm-tsv(5)): both read back as empty strings
		*/
		if (rec->v[i] == NULL && d->csv && rec->n != 1)
			fputs("N;", d->f);
		else
			fprintf(d->f, "%zu=%s;", rec->v[i] ? strlen(rec->v[i]) : 0,
			    rec->v[i] ? rec->v[i] : "");
	}
	fputc('\n', d->f);
}

/*
** Read SIZE bytes of DATA as one stream.  Returns 1 when it read to the
** end, 0 when the reader died (a malformed input).  With OUT, the column
** names and records are dumped there; with REWRITE, written back there
** with the writer, in the format the reader settled on (*USED_CSV);
** *AGAIN says whether the output should read back the same.
*/
static int
read_stream(const uint8_t *data, size_t size, int csv, const char *enc,
    struct dump *out, FILE *rewrite, int *again, int *used_csv)
{
	FILE *in, *saved_in = stdin, *saved_err = stderr;
	struct rec_reader *volatile r = NULL;
	volatile int ok = 0;
	struct rec_writer *volatile w = NULL;
	struct rec *rec;

	in = size ? fmemopen((void *)data, size, "r") : fopen("/dev/null", "r");
	if (in == NULL)
		abort();
	stdin = in;
	stderr = devnull;
	if (setjmp(on_die) == 0) {
		armed = 1;
		noted = NULL;
		noting = 1;
		r = rec_open("-", csv, enc);
		noting = 0;
		noted = NULL;
		csv = r->csv;	/* the reader may know better from the header */
		if (used_csv)
			*used_csv = csv;
		if (out)
			out->csv = csv;
		/*
		** Not read again: a first name that begins with a BOM (which
		** is dropped).  The second read is told the format, so a lone
		** CSV name holding a tab stays CSV.
		*/
		if (again)
			*again = strncmp(rec_colname(r, 0), "\xef\xbb\xbf", 3) != 0;
		if (out)
			for (size_t i = 0; i < rec_ncol(r); i++)
				fprintf(out->f, "H:%s\n", rec_colname(r, i));
		if (rewrite) {
			const char **names = calloc(rec_ncol(r) + 1, sizeof *names);

			for (size_t i = 0; i < rec_ncol(r); i++)
				names[i] = rec_colname(r, i);
			w = recw_open(rewrite, "rewrite", csv);
			recw_header(w, rec_ncol(r), (const char *const *)names);
			free(names);
		}
		while ((rec = rec_next(r)) != NULL) {
			(void)rec_width_error(r, rec);
			if (out)
				dump_rec(out, rec);
			if (w)
				recw_row(w, rec->n, (const char *const *)rec->v);
		}
		armed = 0;
		ok = 1;
	}
	noting = 0;
	if (r == NULL && noted != NULL)
		r = noted;	/* died in rec_open() */
	noted = NULL;
	if (w)
		recw_close(w);
	if (r)
		rec_close(r);	/* while stdin is IN: rec_close leaves it open */
	stdin = saved_in;
	stderr = saved_err;
	fclose(in);
	return ok;
}

/*
** Read DATA as TSV or CSV; when it reads, write it back and read that
** again: the names and records must be the same.
*/
static void
round_trip(const uint8_t *data, size_t size, int csv)
{
	struct dump first = { NULL, 0, NULL, 0 }, again = { NULL, 0, NULL, 0 };
	char *text = NULL;
	size_t textlen = 0;
	FILE *rewrite;
	int ok = 0, used = csv;

	first.f = open_memstream(&first.buf, &first.len);
	rewrite = open_memstream(&text, &textlen);
	if (first.f == NULL || rewrite == NULL)
		abort();
	if (read_stream(data, size, csv, NULL, &first, rewrite, &ok, &used) && ok) {
		fclose(rewrite);
		rewrite = NULL;
		again.f = open_memstream(&again.buf, &again.len);
		if (again.f == NULL)
			abort();
		if (!read_stream((const uint8_t *)text, textlen, used, NULL, &again,
		    NULL, NULL, NULL)) {
			fprintf(stderr, "fuzz_rec: our own %s output did not read "
			    "back:\n%s\n", used ? "CSV" : "TSV", text);
			abort();
		}
		fclose(first.f);
		fclose(again.f);
		first.f = again.f = NULL;
		if (first.len != again.len || memcmp(first.buf, again.buf, first.len)) {
			fprintf(stderr, "fuzz_rec: %s round trip changed the records\n"
			    "first:\n%s\nagain:\n%s\n", used ? "CSV" : "TSV",
			    first.buf, again.buf);
			abort();
		}
	}
	if (rewrite)
		fclose(rewrite);
	if (first.f)
		fclose(first.f);
	if (again.f)
		fclose(again.f);
	free(first.buf);
	free(again.buf);
	free(text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	round_trip(data, size, 0);
	round_trip(data, size, 1);
	(void)read_stream(data, size, 0, "UTF-16LE", NULL, NULL, NULL, NULL);
	return 0;
}
