/* rec.c: opening record streams, decoding, header names, the writer. */
#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "die.h"
#include "io.h"
#include "norm.h"
#include "opt.h"
#include "recint.h"

/* Where a header cell names one of our columns, in English or Chinese. */
static const struct {
	const char *canon;
	const char *alias[12];
} aliases[] = {
	{ "id", { "id", "编号", "客户编号", "客户id", "线索编号", NULL } },
	{ "name", { "name", "姓名", "名字", "联系人", "客户姓名", "联系人姓名", "contact", "contact_name", NULL } },
	{ "company", { "company", "公司", "公司名称", "单位", "企业", "企业名称", "客户名称", "company_name", "organization", "organisation", "account", NULL } },
	{ "phone", { "phone", "手机", "电话", "手机号", "手机号码", "联系电话", "电话号码", "mobile", "tel", "telephone", NULL } },
	{ "email", { "email", "e-mail", "mail", "邮箱", "电子邮件", "电子邮箱", "邮件", "email_address", NULL } },
	{ "region", { "region", "地区", "区域", "省份", "所在地区", "area", NULL } },
	{ "industry", { "industry", "行业", "所属行业", NULL } },
	{ "source", { "source", "来源", "线索来源", "客户来源", "渠道", NULL } },
	{ "status", { "status", "状态", NULL } },
	{ "owner", { "owner", "负责人", "所有者", "归属人", "跟进人", NULL } },
	{ "pool", { "pool", "公海", "公海池", NULL } },
	{ "score", { "score", "评分", "分数", "得分", NULL } },
	{ "grade", { "grade", "等级", "客户等级", NULL } },
	{ "reason", { "reason", "原因", NULL } },
	{ "created_at", { "created_at", "创建时间", "录入时间", "created", NULL } },
};

const char *
rec_canonical(const char *h, char *buf, size_t bufsize)
{
	const char *b = h, *e;
	size_t n, i, k;

	while (*b == ' ' || *b == '\t')
		b++;
	for (e = b + strlen(b); e > b && (e[-1] == ' ' || e[-1] == '\t'); e--)
		;
	n = (size_t)(e - b);
	if (n >= bufsize)
		n = bufsize - 1;
	/* English names compare case-blind, with spaces as underscores. */
	for (i = 0; i < n; i++)
		buf[i] = b[i] == ' ' ? '_' : b[i];
	buf[n] = '\0';
	for (i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
		for (k = 0; aliases[i].alias[k]; k++)
			if (strcasecmp(buf, aliases[i].alias[k]) == 0)
				return aliases[i].canon;
	memcpy(buf, b, n);
	buf[n] = '\0';
	return buf;
}

/* The line number (1-based) of byte AT in dec, for error messages. */
static unsigned long
line_at(struct rec_reader *r, size_t at)
{
	unsigned long line = r->declines + 1;

	for (size_t i = r->decpos; i < at && i < r->dec.len; i++)
		if (r->dec.buf[i] == '\n')
			line++;
	return line;
}

/* Fill raw[] as far as it goes; returns bytes now held. */
static size_t
read_raw(struct rec_reader *r)
{
	while (!r->eof && r->rawlen < sizeof r->raw) {
		size_t n = fread(r->raw + r->rawlen, 1, sizeof r->raw - r->rawlen, r->fp);

		r->bytes += n;
		r->rawlen += n;
		if (n == 0) {
			if (ferror(r->fp))
				crm_die_errno("cannot read '%s'", r->name);
			r->eof = 1;
		}
	}
	return r->rawlen;
}

/* How many bytes at the end of P[0..n) are a UTF-8 sequence cut short. */
static size_t
utf8_cut(const char *p, size_t n)
{
	for (size_t back = 1; back <= 3 && back <= n; back++) {
		unsigned char c = (unsigned char)p[n - back];

		if ((c & 0xc0) == 0x80)
			continue;
		if (c >= 0xc0) {
			size_t want = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
			return want > back ? back : 0;
		}
		return 0;
	}
	return 0;
}

static void
die_encoding(struct rec_reader *r, size_t bad_in_dec)
{
	crm_die("%s:%lu: invalid %s; name the encoding with --encoding", r->name,
	    line_at(r, bad_in_dec), r->enc);
}

/* Drop the consumed part of dec so it does not grow with the input. */
static void
dec_compact(struct rec_reader *r)
{
	if (r->decpos == 0)
		return;
	for (size_t i = 0; i < r->decpos; i++)
		if (r->dec.buf[i] == '\n')
			r->declines++;
	memmove(r->dec.buf, r->dec.buf + r->decpos, r->dec.len - r->decpos);
	r->dec.len -= r->decpos;
	r->dec.buf[r->dec.len] = '\0';
	r->decpos = 0;
}

static void
decode_iconv(struct rec_reader *r)
{
	char *in = r->raw;
	size_t inleft = r->rawlen;

	while (inleft > 0) {
		char *out;
		size_t outleft, room = inleft * 4 + 16;

		sb_grow(&r->dec, room);
		out = r->dec.buf + r->dec.len;
		outleft = room;
		if (iconv(r->cd, &in, &inleft, &out, &outleft) == (size_t)-1) {
			r->dec.len = (size_t)(out - r->dec.buf);
			if (errno == EINVAL && !r->eof)
				break;		/* a character cut by the read */
			if (errno != E2BIG)
				die_encoding(r, r->dec.len);
		}
		r->dec.len = (size_t)(out - r->dec.buf);
	}
	r->dec.buf[r->dec.len] = '\0';
	memmove(r->raw, in, inleft);
	r->rawlen = inleft;
}

static void set_iconv(struct rec_reader *r, const char *from);

/* What Excel on a Chinese Windows saves: say so, and convert from here on. */
static void
read_as_gb18030(struct rec_reader *r)
{
	r->guessed = 0;
	set_iconv(r, "GB18030");
	if (!crm_g.quiet)
		crm_warn("note: '%s' is not UTF-8; reading it as GB18030 (GBK)",
		    r->name);
}

/* The length of the longest valid UTF-8 prefix of P[0..n). */
static size_t
utf8_valid_len(const char *p, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = (unsigned char)p[i];
		size_t len = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;

		if (len > n - i || !utf8_valid(p + i, len))
			break;
		i += len;
	}
	return i;
}

static void
decode_utf8(struct rec_reader *r)
{
	size_t keep = r->eof ? 0 : utf8_cut(r->raw, r->rawlen);
	size_t take = r->rawlen - keep, start = r->dec.len;

	if (!utf8_valid(r->raw, take)) {
		/*
		** Guessed UTF-8 from an all-ASCII start: GBK may begin only
		** now (Excel puts Chinese in later rows too).  Switch once.
		*/
		if (r->guessed && !r->seen_8bit) {
			read_as_gb18030(r);
			decode_iconv(r);
			return;
		}
		sb_add(&r->dec, r->raw, take);
		die_encoding(r, start + utf8_valid_len(r->raw, take));
	}
	sb_add(&r->dec, r->raw, take);
	if (!r->seen_8bit)
		for (size_t i = 0; i < take; i++)
			if ((unsigned char)r->raw[i] >= 0x80) {
				r->seen_8bit = 1;
				break;
			}
	memmove(r->raw, r->raw + take, keep);
	r->rawlen = keep;
}

int
dec_fill(struct rec_reader *r)
{
	size_t start;
	char *nul;

	if (r->eof && r->rawlen == 0)
		return 0;
	dec_compact(r);
	start = r->dec.len;
	read_raw(r);
	if (r->cd != (iconv_t)-1)
		decode_iconv(r);
	else
		decode_utf8(r);
	/* Fields are C strings: a NUL would cut a value short unseen. */
	if ((nul = memchr(r->dec.buf + start, '\0', r->dec.len - start)) != NULL)
		crm_die("%s:%lu: NUL byte in the input", r->name,
		    line_at(r, (size_t)(nul - r->dec.buf)));
	return 1;
}

static void
set_iconv(struct rec_reader *r, const char *from)
{
	free(r->enc);
	r->enc = xstrdup(from);
	if ((r->cd = iconv_open("UTF-8", from)) == (iconv_t)-1)
		crm_usage_error("unknown encoding '%s'", from);
}

/* Decide how the input is encoded from its first 64 KiB. */
static void
sniff(struct rec_reader *r, const char *encoding)
{
	const unsigned char *u = (const unsigned char *)r->raw;
	size_t skip = 0;

	read_raw(r);
	if (r->rawlen >= 3 && u[0] == 0xef && u[1] == 0xbb && u[2] == 0xbf)
		skip = 3;
	else if (r->rawlen >= 2 && u[0] == 0xff && u[1] == 0xfe)
		skip = 2, set_iconv(r, "UTF-16LE");
	else if (r->rawlen >= 2 && u[0] == 0xfe && u[1] == 0xff)
		skip = 2, set_iconv(r, "UTF-16BE");
	else if (encoding && strcasecmp(encoding, "utf-8") != 0 &&
	    strcasecmp(encoding, "utf8") != 0)
		set_iconv(r, encoding);
	else if (encoding == NULL) {
		size_t n = r->rawlen - (r->eof ? 0 : utf8_cut(r->raw, r->rawlen));

		if (!utf8_valid(r->raw, n)) {
			iconv_t cd = iconv_open("UTF-8", "GB18030");
			char *in = r->raw, out[4096], *o;
			size_t inleft = n, outleft;
			int ok = 1;

			while (ok && inleft > 0) {
				o = out;
				outleft = sizeof out;
				if (iconv(cd, &in, &inleft, &o, &outleft) == (size_t)-1 &&
				    errno != E2BIG)
					ok = errno == EINVAL && !r->eof;
				if (errno == EINVAL)
					break;
			}
			iconv_close(cd);
			if (ok)
				read_as_gb18030(r);
		} else
			r->guessed = 1;
	}
	memmove(r->raw, r->raw + skip, r->rawlen - skip);
	r->rawlen -= skip;
}

/*
** The header line says what the stream is: tabs and no commas is TSV,
** commas and no tabs is CSV, so "crm-lead import --csv x.csv | crm-lead
** qualify" works.  Otherwise (one column, or both) CSV decides.
*/
static int
guess_format(struct rec_reader *r, int csv)
{
	const char *start, *nl;
	size_t n, at = 0;	/* from decpos: blank lines come before the header */

	for (;;) {
		while ((nl = memchr(r->dec.buf + r->decpos + at, '\n',
		    r->dec.len - r->decpos - at)) == NULL && dec_fill(r))
			;
		start = r->dec.buf + r->decpos + at;
		n = nl ? (size_t)(nl - start) : r->dec.len - r->decpos - at;
		if (nl == NULL || (n > 1 || (n == 1 && start[0] != '\r')))
			break;
		at += n + 1;
	}
	if (memchr(start, '\t', n) && !memchr(start, ',', n))
		return 0;
	if (memchr(start, ',', n) && !memchr(start, '\t', n))
		return 1;
	return csv;
}

/* True when column I's name differs from every earlier column's. */
static int
header_unique(const struct rec_reader *r, size_t i)
{
	for (size_t k = 0; k < i; k++)
		if (strcmp(r->cols[k], r->cols[i]) == 0)
			return 0;
	return 1;
}

struct rec_reader *
rec_open(const char *path, int csv, const char *encoding)
{
	struct rec_reader *r = xcalloc(1, sizeof *r);
	struct stat st;
	struct rec *h;
	char *buf;

	r->fp = crm_open_input(path);
	r->name = xstrdup(strcmp(path, "-") == 0 ? "stdin" : path);
	r->csv = csv;
	r->cd = (iconv_t)-1;
	r->enc = xstrdup("UTF-8");
	sb_init(&r->dec);
	sb_init(&r->data);
	sb_init(&r->tmp);
	if (fstat(fileno(r->fp), &st) == 0 && S_ISREG(st.st_mode))
		r->size = (unsigned long long)st.st_size;
	sniff(r, encoding);
	r->csv = csv = guess_format(r, csv);
	if (csv)
		csv_reader_init(r);
	if ((h = rec_next(r)) == NULL)
		crm_die("%s: no header row", r->name);
	r->ncol = h->n;
	r->cols = xcalloc(h->n, sizeof *r->cols);
	r->hdr = xcalloc(h->n, sizeof *r->hdr);
	for (size_t i = 0; i < h->n; i++) {
		size_t n = h->v[i] ? strlen(h->v[i]) + 1 : 1;

		sb_reset(&r->tmp);	/* a name of any length, whole */
		sb_grow(&r->tmp, n);
		buf = r->tmp.buf;
		if (h->v[i] == NULL ||	/* blanks only are no name either */
		    *rec_canonical(h->v[i], buf, n) == '\0')
			crm_die("%s:%lu: header: column %zu has no name", r->name,
			    h->line, i + 1);
		r->cols[i] = xstrdup(rec_canonical(h->v[i], buf, n));
		r->hdr[i] = xstrdup(h->v[i]);
		if (!header_unique(r, i)) {
			/* 手机 beside 电话: the later one keeps its own name. */
			const char *b = h->v[i], *e;
			char *own;

			while (*b == ' ' || *b == '\t')
				b++;
			for (e = b + strlen(b); e > b && (e[-1] == ' ' || e[-1] == '\t'); e--)
				;
			own = xstrndup(b, (size_t)(e - b));

			free(r->cols[i]);
			r->cols[i] = own;
			if (!header_unique(r, i))
				crm_die("%s:%lu: header: column '%s' appears twice",
				    r->name, h->line, h->v[i]);
			if (!crm_g.quiet)
				crm_warn("note: %s: header: '%s' means '%s' too, which an "
				    "earlier column is; kept as a column of its own",
				    r->name, h->v[i], rec_canonical(h->v[i], buf, n));
		}
	}
	return r;
}

void
rec_add_field(struct rec_reader *r, const char *s, size_t n, int isnull)
{
	if (r->noff == r->offcap) {
		r->offcap = r->offcap ? r->offcap * 2 : 64;
		r->off = xrealloc(r->off, r->offcap * sizeof *r->off);
	}
	if (isnull)
		r->off[r->noff++] = -1;
	else {
		r->off[r->noff++] = (long)r->data.len;
		sb_add(&r->data, s, n);
		sb_addc(&r->data, '\0');
	}
}

struct rec *
rec_build(struct rec_reader *r, size_t first, size_t last, unsigned long line)
{
	size_t n = last - first;

	if (n + 1 > r->nvcap) {
		r->nvcap = n + 16;
		r->vcap = xrealloc(r->vcap, r->nvcap * sizeof *r->vcap);
	}
	for (size_t i = 0; i < n; i++)
		r->vcap[i] = r->off[first + i] < 0 ? NULL :
		    r->data.buf + r->off[first + i];
	r->cur.n = n;
	r->cur.v = r->vcap;
	r->cur.line = line;
	return &r->cur;
}

struct rec *
rec_next(struct rec_reader *r)
{
	return r->csv ? csv_next(r) : tsv_next(r);
}

void
rec_close(struct rec_reader *r)
{
	if (r == NULL)
		return;
	if (r->csv)
		csv_reader_free(r);
	if (r->cd != (iconv_t)-1)
		iconv_close(r->cd);
	crm_close_input(r->fp);
	for (size_t i = 0; i < r->ncol; i++) {
		free(r->cols[i]);
		free(r->hdr[i]);
	}
	free(r->cols);
	free(r->hdr);
	free(r->off);
	free(r->vcap);
	free(r->row_end);
	free(r->row_line);
	sb_free(&r->dec);
	sb_free(&r->data);
	sb_free(&r->tmp);
	free(r->enc);
	free(r->name);
	free(r);
}

size_t rec_ncol(const struct rec_reader *r) { return r->ncol; }
const char *rec_colname(const struct rec_reader *r, size_t i) { return r->cols[i]; }
const char *rec_header(const struct rec_reader *r, size_t i) { return r->hdr[i]; }
const char *rec_name(const struct rec_reader *r) { return r->name; }
unsigned long long rec_bytes(const struct rec_reader *r) { return r->bytes; }
unsigned long long rec_size(const struct rec_reader *r) { return r->size; }
const char *rec_encoding(const struct rec_reader *r) { return r->enc; }

int
rec_col(const struct rec_reader *r, const char *canonical)
{
	for (size_t i = 0; i < r->ncol; i++)
		if (strcmp(r->cols[i], canonical) == 0)
			return (int)i;
	return -1;
}

const char *
rec_width_error(const struct rec_reader *r, const struct rec *rec)
{
	static char msg[128];

	if (rec->n == r->ncol)
		return NULL;
	snprintf(msg, sizeof msg, "expected %zu fields, got %zu", r->ncol, rec->n);
	return msg;
}

/* The writer. */

struct rec_writer {
	FILE *f;
	char *what;
	int csv;
	int held;	/* f is a temporary file, copied to stdout at close */
	const char *null;	/* --null TEXT for output to stdout, else NULL */
	size_t ncol;
};

/* The writer proper; STDOUT says whether the output settings apply. */
static struct rec_writer *
writer_new(FILE *f, const char *what, int csv, int to_stdout)
{
	struct rec_writer *w = xcalloc(1, sizeof *w);

	w->f = f;
	w->what = xstrdup(what);
	w->csv = csv;
	if (to_stdout && crm_g.null_text && *crm_g.null_text)
		w->null = crm_g.null_text;
	return w;
}

struct rec_writer *
recw_open(FILE *f, const char *what, int csv)
{
	return writer_new(f, what, csv, f == stdout);
}

void
recw_row(struct rec_writer *w, size_t n, const char *const *v)
{
	if (w->csv && n == 1 && v[0] == NULL && w->null == NULL)
		fputs_unlocked("\"\"", w->f);	/* a blank line is no row */
	for (size_t i = 0; i < n; i++) {
		if (i)
			putc_unlocked(w->csv ? ',' : '\t', w->f);
		if (v[i] == NULL && w->null != NULL) {
			if (w->csv)
				csv_put_field(w->f, w->null);
			else
				fputs_unlocked(w->null, w->f);
		} else if (w->csv)
			csv_put_field(w->f, v[i]);
		else
			tsv_put_field(w->f, v[i]);
	}
	putc_unlocked('\n', w->f);
	if (ferror(w->f))
		crm_flush_or_die(w->f, w->what);
}

void
recw_header(struct rec_writer *w, size_t n, const char *const *names)
{
	w->ncol = n;
	recw_row(w, n, names);
}

struct rec_writer *
recw_open_held(int csv)
{
	FILE *f = tmpfile();
	struct rec_writer *w;

	if (f == NULL)
		crm_die_errno("cannot create a temporary file");
	w = writer_new(f, "a temporary file", csv, 1);
	w->held = 1;
	return w;
}

void
recw_close(struct rec_writer *w)
{
	if (w == NULL)
		return;
	crm_flush_or_die(w->f, w->what);
	if (w->held) {
		char buf[65536];
		size_t n;

		rewind(w->f);
		while ((n = fread(buf, 1, sizeof buf, w->f)) > 0)
			if (fwrite(buf, 1, n, stdout) != n)
				crm_flush_or_die(stdout, "standard output");
		if (ferror(w->f))
			crm_die_errno("cannot read back a temporary file");
		fclose(w->f);
		crm_flush_or_die(stdout, "standard output");
	}
	free(w->what);
	free(w);
}

void
recw_discard(struct rec_writer *w)
{
	if (w == NULL)
		return;
	if (w->held)
		fclose(w->f);
	free(w->what);
	free(w);
}

static int
parse_id(const char *s, long long *id)
{
	char *end;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	*id = strtoll(s, &end, 10);
	return *end == '\0' && *id > 0 ? 0 : -1;
}

void
rec_each_id(int argc, char **argv, int csv,
    void (*fn)(long long id, const char *where, void *ctx), void *ctx)
{
	struct rec_reader *r;
	struct rec *rec;
	char where[64];
	long long id;
	int col;

	for (int i = 0; i < argc; i++) {
		if (parse_id(argv[i], &id) == -1)
			crm_usage_error("'%s' is not a customer id", argv[i]);
		snprintf(where, sizeof where, "argument %d", i + 1);
		fn(id, where, ctx);
	}
	if (argc > 0)
		return;
	r = rec_open("-", csv, NULL);
	if ((col = rec_col(r, "id")) < 0)
		crm_die("%s: no 'id' column in the input", rec_name(r));
	while ((rec = rec_next(r)) != NULL) {
		if ((size_t)col >= rec->n || parse_id(rec->v[col], &id) == -1)
			crm_die("%s:%lu: id: '%s' is not a customer id", rec_name(r),
			    rec->line, (size_t)col < rec->n && rec->v[col] ?
			    rec->v[col] : "");
		snprintf(where, sizeof where, "%s:%lu", rec_name(r), rec->line);
		fn(id, where, ctx);
	}
	rec_close(r);
}

/* Rejected rows (see rec.h). */

/* Whether PATH was opened as a reject file by this run already. */
static int
rejects_opened(const char *path)
{
	static struct strvec seen = STRVEC_INIT;

	for (size_t i = 0; i < seen.n; i++)
		if (strcmp(seen.v[i], path) == 0)
			return 1;
	sv_push(&seen, path);
	return 0;
}

void
rec_reject(struct rec_rejects *rj, struct rec_reader *r, const struct rec *rec,
    const char *why)
{
	rj->n++;
	crm_warn("%s:%lu: %s%s", rec_name(r), rec->line, why,
	    rj->skip ? " (skipped)" : "");
	if (!rj->skip)
		return;
	if (rj->w == NULL) {
		size_t n = rec_ncol(r);
		const char **h = xcalloc(n + 2, sizeof *h);

		rj->path = rj->path_opt ? xstrdup(rj->path_opt) :
		    xasprintf("%s.rejects", strcmp(rj->input, "-") == 0 ?
		    "stdin" : rj->input);
		/* Several inputs of one run share the file: later ones append. */
		int again = rejects_opened(rj->path);

		if ((rj->f = fopen(rj->path, again ? "a" : "w")) == NULL)
			crm_die_errno("cannot create '%s'", rj->path);
		rj->w = recw_open(rj->f, rj->path, crm_g.csv);
		/* reject_* columns are ignored on input: the file re-imports as is. */
		h[0] = "reject_line";
		h[1] = "reject_reason";
		for (size_t i = 0; i < n; i++)
			h[i + 2] = rec_colname(r, i);
		if (!again)
			recw_header(rj->w, n + 2, h);
		free(h);
	}
	{
		size_t n = rec->n;
		const char **v = xcalloc(n + 2, sizeof *v);
		char line[32];

		snprintf(line, sizeof line, "%lu", rec->line);
		v[0] = line;
		v[1] = why;
		for (size_t i = 0; i < n; i++)
			v[i + 2] = rec->v[i];
		recw_row(rj->w, n + 2, v);
		free(v);
	}
}

void
rec_rejects_close(struct rec_rejects *rj)
{
	if (rj->w) {
		recw_close(rj->w);
		if (fclose(rj->f) != 0)
			crm_die_errno("cannot write '%s'", rj->path);
		if (!crm_g.quiet)
			crm_warn("%zu rejected row%s written to '%s'", rj->n,
			    rj->n == 1 ? "" : "s", rj->path);
	}
	free(rj->path);
}
