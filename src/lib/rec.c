/* rec.c: opening record streams, decoding, header names, the writer. */
#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "die.h"
#include "io.h"
#include "json.h"
#include "norm.h"
#include "opt.h"
#include "recint.h"

/* More lines than this that are no text in the encoding: a wrong encoding. */
#define MAX_BAD_LINES	100

/*
** Where a header cell names one of our columns, in English or Chinese.
** Within an entry the first alias is the strongest: of two cells that
** mean the same column, the one whose alias comes first takes it.
*/
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

#define NALIAS_MAX	16	/* rank within an entry, for the hash value */

/*
** Header sets: the exports of other CRMs.  A header with at least three
** of a set's SIGN cells is that CRM's export, and its cells named in REN
** mean what that CRM means by them (Odoo's "name" is the opportunity's
** title, not the person's).  Names are folded (see fold()).
*/
static const struct hset {
	const char *crm;
	const char *sign[10];
	struct {
		const char *from, *to;
	} ren[16];
} hsets[] = {
	{ "Odoo CRM",
	    { "partner_name", "contact_name", "email_from", "stage_id",
	      "team_id", "expected_revenue", "date_deadline", "partner_id",
	      NULL },
	    { { "name", "title" }, { "id", "external_id" },
	      { "partner_name", "company" }, { "contact_name", "name" },
	      { "email_from", "email" }, { "function", "job_title" },
	      { NULL, NULL } } },
	{ "Salesforce",
	    { "firstname", "lastname", "leadsource", "mobilephone", "ownerid",
	      "isconverted", "annualrevenue", "numberofemployees",
	      "postalcode", NULL },
	    { { "id", "external_id" }, { "title", "job_title" },
	      { "leadsource", "source" }, { "status", "lead_status" },
	      { "mobilephone", "mobile" }, { "firstname", "first_name" },
	      { "lastname", "last_name" }, { "ownerid", "owner_id" },
	      { NULL, NULL } } },
	{ "HubSpot",
	    { "record_id", "lifecycle_stage", "lead_status", "contact_owner",
	      "phone_number", "create_date", "last_activity_date",
	      "associated_company", NULL },
	    { { "record_id", "external_id" }, { "phone_number", "phone" },
	      { "company_name", "company" },
	      { "mobile_phone_number", "mobile" }, { "job_title", "job_title" },
	      { "first_name", "first_name" }, { "last_name", "last_name" },
	      { "lifecycle_stage", "lifecycle_stage" },
	      { "lead_status", "lead_status" },
	      { "contact_owner", "contact_owner" },
	      { "create_date", "create_date" }, { NULL, NULL } } },
	{ "Chinese CRM (悟空CRM, 知客)",
	    { "客户名称", "客户级别", "客户来源", "所属行业", "负责人",
	      "成交状态", "下次联系时间", "详细地址", "客户行业", NULL },
	    { { "客户名称", "company" }, { "联系人", "name" },
	      { "手机", "phone" }, { "邮箱", "email" }, { "客户来源", "source" },
	      { "客户级别", "grade" }, { "负责人", "owner" },
	      { "所属行业", "industry" }, { "客户行业", "industry" },
	      { NULL, NULL } } },
};

/* Cells naming a person's given and family name, joined into "name". */
static const char *const first_names[] = { "first_name", "firstname",
	"given_name", NULL };
static const char *const last_names[] = { "last_name", "lastname",
	"surname", "family_name", NULL };

/* S trimmed of blanks and tabs: *B gets its start; returns its length. */
static size_t
trimmed(const char *s, const char **b)
{
	const char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	for (e = s + strlen(s); e > s && (e[-1] == ' ' || e[-1] == '\t'); e--)
		;
	*b = s;
	return (size_t)(e - s);
}

/*
** S[0..n) folded into BUF (size > n): English names compare case-blind,
** with spaces as underscores; other bytes stay.
*/
static char *
fold(const char *s, size_t n, char *buf)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		buf[i] = c == ' ' ? '_' : c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
	}
	buf[n] = '\0';
	return buf;
}

/* The alias table as a hash: folded alias -> entry * NALIAS_MAX + rank. */
static const struct strmap *
alias_map(void)
{
	static struct strmap m = STRMAP_INIT;

	if (m.n == 0)
		for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
			for (size_t k = 0; aliases[i].alias[k]; k++)
				map_put(&m, aliases[i].alias[k],
				    (long long)(i * NALIAS_MAX + k));
	return &m;
}

const char *
rec_canonical(const char *h, char *buf, size_t bufsize)
{
	const char *b;
	size_t n = trimmed(h, &b);
	long long a;

	if (n >= bufsize)
		n = bufsize - 1;
	if ((a = map_get(alias_map(), fold(b, n, buf))) >= 0)
		return aliases[a / NALIAS_MAX].canon;
	memcpy(buf, b, n);
	buf[n] = '\0';
	return buf;
}

/* ---- decoding --------------------------------------------------------- */

/* The line number (1-based) of byte AT in dec, for error messages. */
static unsigned long
line_at(struct rec_reader *r, size_t at)
{
	unsigned long line = r->declines + 1;

	for (size_t i = r->decpos; i < at && i < r->dec.len; i++)
		if (r->dec.buf[i] == r->eol)
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

/*
** The length of the longest valid UTF-8 prefix of P[0..n), as
** utf8_valid() judges, inline: every byte of the input passes here.
*/
static size_t
utf8_valid_len(const char *p, size_t n)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t i = 0, len;

	while (i < n) {
		unsigned c = u[i];

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			len = 2;
		else if (c >= 0xe0 && c <= 0xef)
			len = 3;
		else if (c >= 0xf0 && c <= 0xf4)
			len = 4;
		else
			break;
		if (len > n - i || (u[i + 1] & 0xc0) != 0x80 ||
		    (len > 2 && (u[i + 2] & 0xc0) != 0x80) ||
		    (len > 3 && (u[i + 3] & 0xc0) != 0x80) ||
		    (c == 0xe0 && u[i + 1] < 0xa0) || (c == 0xed && u[i + 1] > 0x9f) ||
		    (c == 0xf0 && u[i + 1] < 0x90) || (c == 0xf4 && u[i + 1] > 0x8f))
			break;
		i += len;
	}
	return i;
}

static void
die_encoding(struct rec_reader *r, size_t bad_in_dec)
{
	crm_die("%s:%lu: invalid %s; name the encoding with --encoding", r->name,
	    line_at(r, bad_in_dec), r->enc);
}

/*
** The bytes at dec.len begin no text in the encoding.  Fatal, unless bad
** lines are asked for (and the encoding has byte line ends): then the
** line is noted, and the rest of it is decoded as well as it goes.
*/
static void
bad_bytes(struct rec_reader *r)
{
	unsigned long line;

	if (!r->bad_lines || r->wide)
		die_encoding(r, r->dec.len);
	line = line_at(r, r->dec.len);
	if (++r->badtotal > MAX_BAD_LINES)
		crm_die("%s:%lu: invalid %s on more than %d lines; name the "
		    "encoding with --encoding", r->name, line, r->enc,
		    MAX_BAD_LINES);
	if (r->nbad == r->badcap) {
		r->badcap = r->badcap ? r->badcap * 2 : 16;
		r->badq = xrealloc(r->badq, r->badcap * sizeof *r->badq);
	}
	if (r->nbad == 0 || r->badq[r->nbad - 1] != line)
		r->badq[r->nbad++] = line;
	r->in_bad = 1;
}

/*
** Decode P[0..n), part of a bad line, with U+FFFD for each byte that is
** no text; returns the bytes taken, which is up to the line end (not
** taken) or all of them.  The bad line ends with its line end.
*/
static size_t
decode_lossy(struct rec_reader *r, char *p, size_t n)
{
	char *e = memchr(p, r->eol, n), *in = p;
	size_t inleft = e ? (size_t)(e - p) : n;

	while (inleft > 0) {
		if (r->cd == (iconv_t)-1) {
			size_t ok = utf8_valid_len(in, inleft);

			sb_add(&r->dec, in, ok);
			in += ok;
			inleft -= ok;
		} else {
			size_t room = inleft * 4 + 16, outleft = room;
			char *out;

			sb_grow(&r->dec, room);
			out = r->dec.buf + r->dec.len;
			if (iconv(r->cd, &in, &inleft, &out, &outleft) !=
			    (size_t)-1 || errno == E2BIG) {
				r->dec.len = (size_t)(out - r->dec.buf);
				continue;
			}
			r->dec.len = (size_t)(out - r->dec.buf);
			iconv(r->cd, NULL, NULL, NULL, NULL);
		}
		if (inleft > 0) {
			sb_add(&r->dec, "\xEF\xBF\xBD", 3);	/* U+FFFD */
			in++;
			inleft--;
		}
	}
	r->dec.buf[r->dec.len] = '\0';
	if (e != NULL)
		r->in_bad = 0;
	return (size_t)(in - p);
}

/* Drop the consumed part of dec so it does not grow with the input. */
static void
dec_compact(struct rec_reader *r)
{
	if (r->decpos == 0)
		return;
	for (size_t i = 0; i < r->decpos; i++)
		if (r->dec.buf[i] == r->eol)
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
		size_t outleft, room = inleft * 4 + 16, took;

		if (r->in_bad) {
			took = decode_lossy(r, in, inleft);
			in += took;
			inleft -= took;
			continue;
		}
		sb_grow(&r->dec, room);
		out = r->dec.buf + r->dec.len;
		outleft = room;
		if (iconv(r->cd, &in, &inleft, &out, &outleft) == (size_t)-1) {
			r->dec.len = (size_t)(out - r->dec.buf);
			if (errno == EINVAL && !r->eof)
				break;		/* a character cut by the read */
			if (errno != E2BIG) {
				bad_bytes(r);
				iconv(r->cd, NULL, NULL, NULL, NULL);
			}
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

static void
decode_utf8(struct rec_reader *r)
{
	size_t keep = r->eof ? 0 : utf8_cut(r->raw, r->rawlen);
	size_t take = r->rawlen - keep, pos = 0;

	while (pos < take) {
		size_t ok, start = r->dec.len;

		if (r->in_bad) {
			pos += decode_lossy(r, r->raw + pos, take - pos);
			continue;
		}
		ok = utf8_valid_len(r->raw + pos, take - pos);
		if (pos + ok < take && r->guessed && !r->seen_8bit) {
			/*
			** Guessed UTF-8 from an all-ASCII start: GBK may begin
			** only now (Excel puts Chinese in later rows too).
			** Switch once, for the whole of this read.
			*/
			memmove(r->raw, r->raw + pos, r->rawlen - pos);
			r->rawlen -= pos;
			read_as_gb18030(r);
			decode_iconv(r);
			return;
		}
		sb_add(&r->dec, r->raw + pos, ok);
		for (size_t i = start; !r->seen_8bit && i < r->dec.len; i++)
			if ((unsigned char)r->dec.buf[i] >= 0x80)
				r->seen_8bit = 1;
		pos += ok;
		if (pos < take)
			bad_bytes(r);
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
	r->wide = strcasestr(from, "16") != NULL ||
	    strcasestr(from, "32") != NULL || strncasecmp(from, "UCS", 3) == 0;
}

/*
** UTF-16 without a byte order mark: NUL bytes all on one side of the
** pairs, and a newline beside one.  Returns "UTF-16LE", "UTF-16BE" or
** NULL.
*/
static const char *
utf16_unmarked(const unsigned char *u, size_t n)
{
	size_t nul[2] = { 0, 0 };
	int nl[2] = { 0, 0 };

	for (size_t i = 0; i + 1 < n; i += 2) {
		nul[0] += u[i] == 0;
		nul[1] += u[i + 1] == 0;
		nl[0] |= u[i] == '\n' && u[i + 1] == 0;
		nl[1] |= u[i] == 0 && u[i + 1] == '\n';
	}
	if (nul[0] == 0 && nul[1] >= 2 && nl[0])
		return "UTF-16LE";
	if (nul[1] == 0 && nul[0] >= 2 && nl[1])
		return "UTF-16BE";
	return NULL;
}

/*
** Lone CR line ends (old Mac Excel): the first line end in P[0..n) is a
** CR that no LF follows.  In an encoding of bytes (UTF-8, GB18030, Big5)
** no CR or LF byte is part of another character.
*/
static char
line_end(const char *p, size_t n)
{
	const char *end = p + n;

	for (; p < end; p++)
		if (*p == '\n' || *p == '\r')
			return *p == '\r' && (p + 1 == end || p[1] != '\n') ?
			    '\r' : '\n';
	return '\n';
}

/* The same for UTF-16 and UTF-32, from the text decoded. */
static void
wide_line_end(struct rec_reader *r)
{
	size_t at = r->decpos;
	char *p;

	for (;;) {
		p = strpbrk(r->dec.buf + at, "\r\n");
		if (p != NULL && (*p == '\n' || p[1] != '\0'))
			break;		/* a CR must be seen with what follows */
		at = p ? (size_t)(p - r->dec.buf) : r->dec.len;
		at -= r->decpos;	/* dec_fill() may move dec */
		if (!dec_fill(r))
			break;
		at += r->decpos;
	}
	r->eol = line_end(r->dec.buf + r->decpos, r->dec.len - r->decpos);
}

/*
** Whether P[0..n) is text in the encoding of CD; CUT allows a character
** cut short at the end.
*/
static int
text_in(iconv_t cd, const char *p, size_t n, int cut)
{
	char out[4096], *in = (char *)p, *o;
	size_t inleft = n, outleft;
	int ok = 1;

	if (cd == (iconv_t)-1)
		return utf8_valid(p, n - (cut ? utf8_cut(p, n) : 0));
	while (ok && inleft > 0) {
		o = out;
		outleft = sizeof out;
		if (iconv(cd, &in, &inleft, &o, &outleft) == (size_t)-1 &&
		    errno != E2BIG) {
			ok = errno == EINVAL && cut;
			break;
		}
	}
	iconv(cd, NULL, NULL, NULL, NULL);
	return ok;
}

/*
** How many lines of the raw bytes read so far are no text in the
** encoding of CD ((iconv_t)-1 for UTF-8); the last may be cut short.
*/
static size_t
bad_line_count(struct rec_reader *r, iconv_t cd)
{
	const char *p = r->raw;
	size_t n = r->rawlen, bad = 0;

	while (n > 0) {
		const char *e = memchr(p, r->eol, n);
		size_t len = e ? (size_t)(e - p) : n;

		bad += !text_in(cd, p, len, e == NULL && !r->eof);
		len += e != NULL;
		p += len;
		n -= len;
	}
	return bad;
}

/* Decide how the input is encoded from its first 64 KiB. */
static void
sniff(struct rec_reader *r, const char *encoding)
{
	const unsigned char *u = (const unsigned char *)r->raw;
	const char *u16;
	size_t skip = 0;

	read_raw(r);
	r->eol = line_end(r->raw, r->rawlen);
	if (r->rawlen >= 3 && u[0] == 0xef && u[1] == 0xbb && u[2] == 0xbf)
		skip = 3;
	else if (r->rawlen >= 2 && u[0] == 0xff && u[1] == 0xfe)
		skip = 2, set_iconv(r, "UTF-16LE");
	else if (r->rawlen >= 2 && u[0] == 0xfe && u[1] == 0xff)
		skip = 2, set_iconv(r, "UTF-16BE");
	else if (encoding && strcasecmp(encoding, "utf-8") != 0 &&
	    strcasecmp(encoding, "utf8") != 0)
		set_iconv(r, encoding);
	else if (encoding == NULL &&
	    (u16 = utf16_unmarked(u, r->rawlen)) != NULL)
		crm_die("%s: this looks like %s without a byte order mark; name "
		    "the encoding with --encoding %s", r->name, u16, u16);
	else if (encoding == NULL) {
		size_t bad8 = bad_line_count(r, (iconv_t)-1), bad18;

		if (bad8 > 0) {
			iconv_t cd = iconv_open("UTF-8", "GB18030");

			bad18 = bad_line_count(r, cd);
			iconv_close(cd);
			/* with bad lines skipped, the one with fewer */
			if (bad18 == 0 || (r->bad_lines && bad18 < bad8))
				read_as_gb18030(r);
		} else
			r->guessed = 1;
	}
	memmove(r->raw, r->raw + skip, r->rawlen - skip);
	r->rawlen -= skip;
}

/* ---- the start of the stream ------------------------------------------ */

/* The offset in dec of the first byte at or after AT that is not in SET. */
static size_t
skip_set(struct rec_reader *r, size_t at, const char *set)
{
	for (;;) {
		while (at < r->dec.len && strchr(set, r->dec.buf[at]) != NULL &&
		    r->dec.buf[at] != '\0')
			at++;
		if (at < r->dec.len)
			return at;
		/* dec_fill() may move dec: keep AT relative to decpos */
		at -= r->decpos;
		if (!dec_fill(r))
			return r->dec.len;
		at += r->decpos;
	}
}

/*
** JSON is output only: refuse an input that starts like a JSON object
** or array of them (after blanks), rather than read it as one odd
** column.  A header cell such as "[id]" is no JSON.
*/
static void
refuse_json(struct rec_reader *r)
{
	size_t at = skip_set(r, r->decpos, " \t\r\n"), next;
	char c, d;

	if (at >= r->dec.len || ((c = r->dec.buf[at]) != '{' && c != '['))
		return;
	next = skip_set(r, at + 1, " \t\r\n");
	d = next < r->dec.len ? r->dec.buf[next] : '\0';
	if ((c == '{' && (d == '"' || d == '}')) ||
	    (c == '[' && d != '\0' && strchr("{[]\"", d)))
		crm_usage_error("%s: JSON input is not read: give TSV or CSV",
		    r->name);
}

/*
** The header line says what the stream is when no format was named:
** commas and no tabs is CSV, anything else TSV, so "crm-lead import --csv
** x.csv | crm-lead qualify" works.
*/
static int
guess_format(struct rec_reader *r)
{
	const char *start, *nl;
	size_t n, at = 0;	/* from decpos: blank lines come before the header */

	for (;;) {
		while ((nl = memchr(r->dec.buf + r->decpos + at, r->eol,
		    r->dec.len - r->decpos - at)) == NULL && dec_fill(r))
			;
		start = r->dec.buf + r->decpos + at;
		n = nl ? (size_t)(nl - start) : r->dec.len - r->decpos - at;
		if (nl == NULL || (n > 1 || (n == 1 && start[0] != '\r')))
			break;
		at += n + 1;
	}
	return memchr(start, ',', n) && !memchr(start, '\t', n);
}

/* ---- the header -------------------------------------------------------- */

/* How strongly a cell holds the name it wants, strongest first. */
enum { P_UNSET, P_MAP, P_LITERAL, P_SET, P_ALIAS };

struct cell {
	char *trim;		/* as written, trimmed (in the header record) */
	char *key;		/* trim folded (in hdr.arena) */
	char *to;		/* --map: what it is to be read as */
	const char *want;	/* the name it would take */
	int prio, rank;
};

/* The cells and their names, while the header is read. */
struct header_work {
	struct rec_reader *r;
	unsigned long line;
	size_t n;
	struct cell *c;
	struct strmap keys;	/* folded cell -> index */
	char *arena;		/* the folded names, back to back */
	const struct hset *set;	/* the header set it is, or NULL */
	struct strmap won;	/* a name wanted -> the first cell wanting it */
	long *best;		/* by that cell: the cell that takes the name */
	struct strbuf buf;
};

/* The index of the cell whose folded name is KEY, or -1. */
static long
cell_of(struct header_work *h, const char *key)
{
	return (long)map_get(&h->keys, key);
}

/* S folded, in h->buf until the next call. */
static const char *
folded(struct header_work *h, const char *s)
{
	size_t n = strlen(s);

	sb_reset(&h->buf);
	sb_grow(&h->buf, n + 1);
	return fold(s, n, h->buf.buf);
}

/* "a, b, c": the header as written, for messages (in h->buf). */
static const char *
header_list(struct header_work *h)
{
	sb_reset(&h->buf);
	for (size_t i = 0; i < h->n && i < 50; i++)
		sb_addf(&h->buf, "%s%s", i ? ", " : "", h->c[i].trim);
	if (h->n > 50)
		sb_addf(&h->buf, ", ... (%zu in all)", h->n);
	return h->buf.buf;
}

/*
** --map FROM=TO,...: the cell FROM is read as TO (then as an alias of
** ours, if TO is one).  Usage errors: a pair that is not FROM=TO, a FROM
** given twice or not in the header.
*/
static void
apply_map(struct header_work *h, const char *spec)
{
	struct strvec pairs = STRVEC_INIT;
	char *key;

	sv_split(&pairs, spec, ',');
	for (size_t k = 0; k < pairs.n; k++) {
		char *p = pairs.v[k], *eq = strchr(p, '=');
		const char *from, *to;
		size_t nfrom, nto;
		long i;

		if (eq == NULL)
			crm_usage_error("--map: '%s' is not FROM=TO", p);
		*eq = '\0';
		nfrom = trimmed(p, &from);
		nto = trimmed(eq + 1, &to);
		if (nfrom == 0 || nto == 0)
			crm_usage_error("--map: '%s=%s' is not FROM=TO", p, eq + 1);
		key = xmalloc(nfrom + 1);
		i = cell_of(h, fold(from, nfrom, key));
		free(key);
		if (i < 0)
			crm_usage_error("--map: %s has no column '%.*s'; its columns "
			    "are: %s", h->r->name, (int)nfrom, from, header_list(h));
		if (h->c[i].prio == P_MAP)
			crm_usage_error("--map: column '%.*s' is mapped twice",
			    (int)nfrom, from);
		h->c[i].to = xstrndup(to, nto);	/* read as an alias below */
		h->c[i].prio = P_MAP;
	}
	sv_free(&pairs);
}

/*
** The header set the cells are, or NULL: the one with the most SIGN
** cells, at least three.
*/
static const struct hset *
header_set(struct header_work *h)
{
	const struct hset *best = NULL;
	int most = 2;

	for (size_t s = 0; s < sizeof hsets / sizeof hsets[0]; s++) {
		int hits = 0;

		for (size_t k = 0; hsets[s].sign[k]; k++)
			hits += cell_of(h, hsets[s].sign[k]) >= 0;
		if (hits > most) {
			most = hits;
			best = &hsets[s];
		}
	}
	return best;
}

/* The cells of set S want the names S gives them, unless mapped. */
static void
apply_set(struct header_work *h, const struct hset *s)
{
	h->set = s;
	for (size_t k = 0; s->ren[k].from; k++) {
		long i = cell_of(h, s->ren[k].from);

		if (i < 0 || h->c[i].prio == P_MAP)
			continue;
		h->c[i].want = s->ren[k].to;
		h->c[i].prio = P_SET;
		h->c[i].rank = (int)k;	/* 所属行业 before 客户行业 */
	}
}

/*
** Say on stderr which cells the header set has given other names, once
** the names are settled (a set's name may lose to a cell of that name,
** as in our own output read again).
*/
static void
say_set(struct header_work *h)
{
	const struct hset *s = h->set;
	size_t said = 0;

	sb_reset(&h->buf);
	for (size_t k = 0; s->ren[k].from; k++) {
		long i = cell_of(h, s->ren[k].from);

		if (i >= 0 && h->c[i].prio == P_SET &&
		    strcmp(h->r->cols[i], s->ren[k].to) == 0 &&
		    strcmp(h->c[i].key, s->ren[k].to) != 0)
			sb_addf(&h->buf, "%s%s as %s", said++ ? ", " : "",
			    h->c[i].trim, s->ren[k].to);
	}
	if (said)
		crm_warn("note: %s: header from %s: reading %s", h->r->name,
		    s->crm, h->buf.buf);
}

/*
** The name a cell would take by itself: ours for an alias of ours
** (P_LITERAL when it is our name, else P_ALIAS ranked by the table), else
** its own.  A mapped cell's TO is read the same way, keeping P_MAP.
*/
static void
cell_name(struct cell *c)
{
	long long a;

	if (c->prio == P_MAP) {
		char *buf = xmalloc(strlen(c->to) + 1);

		a = map_get(alias_map(), fold(c->to, strlen(c->to), buf));
		free(buf);
		c->want = a >= 0 ? aliases[a / NALIAS_MAX].canon : c->to;
		return;
	}
	if (c->prio == P_SET)
		return;
	if ((a = map_get(alias_map(), c->key)) < 0) {
		c->want = c->trim;
		c->prio = P_LITERAL;
	} else {
		c->want = aliases[a / NALIAS_MAX].canon;
		c->rank = (int)(a % NALIAS_MAX);
		c->prio = c->rank == 0 ? P_LITERAL : P_ALIAS;
	}
}

/* The first cell of H whose folded name is one of NAMES, or -1. */
static long
cell_named(struct header_work *h, const char *const *names)
{
	long i;

	for (; *names; names++)
		if ((i = cell_of(h, *names)) >= 0)
			return i;
	return -1;
}

void
header_work_free(struct header_work *h)
{
	if (h == NULL)
		return;
	for (size_t i = 0; i < h->n; i++)
		free(h->c[i].to);
	free(h->c);
	free(h->arena);
	free(h->best);
	map_free(&h->keys);
	map_free(&h->won);
	sb_free(&h->buf);
	free(h);
}

/*
** Name the columns from the header record HR, as crm-tsv(5) says: a
** blank cell, two cells equal but for case and spaces, and two that end
** with one name are errors; of cells meaning one column, the strongest
** takes the name (mapped, then named so, then a header set's, then the
** first alias of the table), whatever their order, and the others keep
** their own.
*/
static void
read_header(struct rec_reader *r, const struct rec *hr, const char *map)
{
	struct header_work *h = xcalloc(1, sizeof *h);
	const struct hset *set;
	long first, last;
	size_t total = 0;

	r->work = h;		/* rec_close() frees it if we die */
	h->r = r;
	h->line = hr->line;
	h->n = hr->n;
	sb_init(&h->buf);
	h->c = xcalloc(h->n + 1, sizeof *h->c);
	r->hdr = xcalloc(h->n + 2, sizeof *r->hdr);
	r->cols = xcalloc(h->n + 2, sizeof *r->cols);
	r->ncol = h->n;		/* for rec_close() */
	/* Many thousands of columns: one allocation for what is not kept. */
	for (size_t i = 0; i < h->n; i++) {
		const char *b;
		size_t len = hr->v[i] ? trimmed(hr->v[i], &b) : 0;

		if (len == 0)	/* blanks only are no name either */
			crm_die("%s:%lu: header: column %zu has no name", r->name,
			    h->line, i + 1);
		r->hdr[i] = xstrdup(hr->v[i]);
		h->c[i].trim = (char *)b;	/* trimmed where it is */
		h->c[i].trim[len] = '\0';
		total += len + 1;
	}
	h->arena = xmalloc(total + 1);
	total = 0;
	for (size_t i = 0; i < h->n; i++) {
		size_t len = strlen(h->c[i].trim);
		long j;

		h->c[i].key = fold(h->c[i].trim, len, h->arena + total);
		total += len + 1;
		if ((j = (long)map_put(&h->keys, h->c[i].key, (long long)i)) !=
		    (long)i) {
			if (strcmp(h->c[j].trim, h->c[i].trim) == 0)
				crm_die("%s:%lu: header: column '%s' appears twice",
				    r->name, h->line, r->hdr[i]);
			crm_die("%s:%lu: header: columns '%s' and '%s' differ only "
			    "in case or in spaces and underscores", r->name,
			    h->line, h->c[j].trim, h->c[i].trim);
		}
	}
	if (map)
		apply_map(h, map);
	if ((set = header_set(h)) != NULL)
		apply_set(h, set);
	for (size_t i = 0; i < h->n; i++)
		cell_name(&h->c[i]);
	/*
	** Of cells wanting a name other than their own, the strongest
	** takes it: h->best[j] for the name the first such cell, J, wants.
	*/
	h->best = xcalloc(h->n + 1, sizeof *h->best);
	for (size_t i = 0; i < h->n; i++) {
		struct cell *b = &h->c[i], *a;
		long j;

		if (b->want == b->trim)
			continue;
		j = (long)map_put(&h->won, folded(h, b->want), (long long)i);
		a = &h->c[h->best[j]];
		if (j == (long)i || b->prio < a->prio || (b->prio == a->prio &&
		    b->rank < a->rank))
			h->best[j] = (long)i;
	}
	/*
	** A cell of a name not ours holds it against a header set or an
	** alias ("title" beside Odoo's "name"), not against --map.
	*/
	for (size_t i = 0; i < h->n; i++) {
		struct cell *c = &h->c[i];
		long j;

		if (c->want == c->trim && (j = (long)map_get(&h->won, c->key)) >= 0 &&
		    h->c[h->best[j]].prio > P_LITERAL)
			h->best[j] = (long)i;
	}
	r->nin = h->n;
	first = cell_named(h, first_names);
	last = cell_named(h, last_names);
	if (first >= 0 && last >= 0 && map_get(&h->won, "name") < 0) {
		r->join_first = first;
		r->join_last = last;
	}
	for (size_t i = 0; i < h->n; i++) {
		struct cell *c = &h->c[i];
		long w;

		if (c->want != c->trim) {
			w = h->best[map_get(&h->won, folded(h, c->want))];
			if (w == (long)i) {
				r->cols[i] = xstrdup(c->want);
				continue;
			}
			if (c->prio == h->c[w].prio && c->rank == h->c[w].rank)
				crm_die("%s:%lu: header: columns '%s' and '%s' both "
				    "mean '%s'", r->name, h->line, h->c[w].trim,
				    c->trim, c->want);
			/*
			** 手机 beside 电话: the weaker keeps its own name (as
			** does a header set's, quietly: that is no news).
			*/
			if (!crm_g.quiet && c->prio != P_SET)
				crm_warn("note: %s: header: '%s' means '%s' too, as "
				    "'%s' does; kept as a column of its own",
				    r->name, c->trim, c->want, h->c[w].trim);
		}
		/* Its own name, which may be another's new one. */
		if ((w = (long)map_get(&h->won, c->key)) >= 0 &&
		    h->best[w] != (long)i)
			crm_die("%s:%lu: header: columns '%s' and '%s' are both "
			    "read as '%s'", r->name, h->line, h->c[h->best[w]].trim,
			    c->trim, c->trim);
		r->cols[i] = xstrdup(c->trim);
	}
	if (r->join_first >= 0) {
		r->cols[h->n] = xstrdup("name");
		r->hdr[h->n] = xstrdup("name");
		r->ncol++;
	}
	if (h->set && !crm_g.quiet)
		say_set(h);
	header_work_free(h);
	r->work = NULL;
}

/* ---- opening, records ------------------------------------------------- */

struct rec_reader *
rec_open_with(const char *path, int csv, const struct rec_opts *o)
{
	static const struct rec_opts none;
	struct rec_reader *r = xcalloc(1, sizeof *r);
	struct stat st;
	struct rec *h;

	if (o == NULL)
		o = &none;
	r->fp = crm_open_input(path);
	r->name = xstrdup(strcmp(path, "-") == 0 ? "stdin" : path);
	r->cd = (iconv_t)-1;
	r->enc = xstrdup("UTF-8");
	r->eol = '\n';
	r->bad_lines = o->bad_lines;
	r->join_first = r->join_last = -1;
	sb_init(&r->dec);
	sb_init(&r->data);
	sb_init(&r->tmp);
	sb_init(&r->syn);
	if (fstat(fileno(r->fp), &st) == 0 && S_ISREG(st.st_mode))
		r->size = (unsigned long long)st.st_size;
	sniff(r, o->encoding);
	if (r->wide)
		wide_line_end(r);
	refuse_json(r);
	r->csv = csv ? 1 : guess_format(r);
	if (r->csv)
		csv_reader_init(r);
	if ((h = rec_next(r)) == NULL)
		crm_die("%s: no header row", r->name);
	if (h->bad != NULL)
		crm_die("%s:%lu: header: %s", r->name, h->line, h->bad);
	read_header(r, h, o->map);
	return r;
}

struct rec_reader *
rec_open(const char *path, int csv, const char *encoding)
{
	struct rec_opts o = { encoding, NULL, 0 };

	return rec_open_with(path, csv, &o);
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

/* Whether the UTF-8 text S is all Chinese, Japanese or Korean letters. */
static int
all_cjk(const char *s)
{
	if (*s == '\0')
		return 0;
	while (*s) {
		unsigned c = utf8_next(&s);

		if (!((c >= 0x3040 && c <= 0x30ff) || (c >= 0x3400 && c <= 0x4dbf) ||
		    (c >= 0x4e00 && c <= 0x9fff) || (c >= 0xac00 && c <= 0xd7af) ||
		    (c >= 0xf900 && c <= 0xfaff) || (c >= 0x20000 && c <= 0x3134f)))
			return 0;
	}
	return 1;
}

/*
** The joined name of FIRST and LAST (either may be NULL) into r->syn:
** "张" and "三" make "张三", "John" and "Smith" "John Smith".  NULL when
** both are empty.
*/
static const char *
join_name(struct rec_reader *r, const char *first, const char *last)
{
	const char *f, *l;
	size_t nf = first ? trimmed(first, &f) : 0;
	size_t nl = last ? trimmed(last, &l) : 0;

	sb_reset(&r->syn);
	if (nf == 0 && nl == 0)
		return NULL;
	if (nf == 0 || nl == 0)
		sb_add(&r->syn, nf ? f : l, nf ? nf : nl);
	else {
		char *a = xstrndup(f, nf), *b = xstrndup(l, nl);

		if (all_cjk(a) && all_cjk(b))
			sb_addf(&r->syn, "%s%s", b, a);
		else
			sb_addf(&r->syn, "%s %s", a, b);
		free(a);
		free(b);
	}
	return r->syn.buf;
}

struct rec *
rec_build(struct rec_reader *r, size_t first, size_t last, unsigned long line,
    unsigned long last_line)
{
	size_t n = last - first;

	if (n + 2 > r->nvcap) {
		r->nvcap = n + 16;
		r->vcap = xrealloc(r->vcap, r->nvcap * sizeof *r->vcap);
	}
	for (size_t i = 0; i < n; i++)
		r->vcap[i] = r->off[first + i] < 0 ? NULL :
		    r->data.buf + r->off[first + i];
	r->cur.n = n;
	r->cur.v = r->vcap;
	r->cur.line = line;
	r->cur.bad = NULL;
	while (r->badhead < r->nbad && r->badq[r->badhead] < line)
		r->badhead++;	/* on a blank line: no record */
	if (r->badhead < r->nbad && r->badq[r->badhead] <= last_line) {
		snprintf(r->why, sizeof r->why, "invalid %s", r->enc);
		r->cur.bad = r->why;
		while (r->badhead < r->nbad && r->badq[r->badhead] <= last_line)
			r->badhead++;
	} else if (r->nin > 0 && n != r->nin) {
		snprintf(r->why, sizeof r->why, "expected %zu fields, got %zu",
		    r->nin, n);
		r->cur.bad = r->why;
	} else if (r->join_first >= 0) {
		r->vcap[n] = (char *)join_name(r, r->vcap[r->join_first],
		    r->vcap[r->join_last]);
		r->cur.n = n + 1;
	}
	if (r->badhead == r->nbad)
		r->badhead = r->nbad = 0;
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
	header_work_free(r->work);
	if (r->cd != (iconv_t)-1)
		iconv_close(r->cd);
	crm_close_input(r->fp);
	for (size_t i = 0; i < r->ncol; i++) {
		free(r->cols[i]);
		free(r->hdr[i]);
	}
	free(r->cols);
	free(r->hdr);
	map_free(&r->colidx);
	free(r->off);
	free(r->vcap);
	free(r->row_end);
	free(r->row_line);
	free(r->row_last);
	free(r->badq);
	sb_free(&r->dec);
	sb_free(&r->data);
	sb_free(&r->tmp);
	sb_free(&r->syn);
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
rec_col(struct rec_reader *r, const char *canonical)
{
	if (r->colidx.n == 0)	/* built at the first call */
		for (size_t i = 0; i < r->ncol; i++)
			map_put(&r->colidx, r->cols[i], (long long)i);
	return (int)map_get(&r->colidx, canonical);
}

const char *
rec_width_error(const struct rec_reader *r, const struct rec *rec)
{
	(void)r;
	return rec->bad;
}

/* The writer. */

struct rec_writer {
	FILE *f;
	char *what;
	int csv;
	int held;	/* f is a temporary file, copied to stdout at close */
	int out;	/* standard output's records: the output settings apply */
	const char *null;	/* --null TEXT, else NULL */
	size_t *pick, npick;	/* -o: the columns written, by index */
	const char **picked;	/* a row's values in -o order */
	struct json_writer *json;	/* --json, from the header on */
	unsigned long long nrow;	/* lines written */
	size_t ncol;		/* the header's width */
};

/* The writer proper; OUT says whether the output settings apply. */
static struct rec_writer *
writer_new(FILE *f, const char *what, int csv, int out)
{
	struct rec_writer *w = xcalloc(1, sizeof *w);

	w->f = f;
	w->what = xstrdup(what);
	w->csv = csv;
	w->out = out;
	if (out && crm_g.null_text && *crm_g.null_text)
		w->null = crm_g.null_text;
	return w;
}

struct rec_writer *
recw_open(FILE *f, const char *what, int csv)
{
	return writer_new(f, what, csv, f == stdout);
}

struct rec_writer *
recw_open_via(FILE *f, int csv)
{
	return writer_new(f, "standard output", csv, 1);
}

/* A row of N values V as a TSV or CSV line. */
static void
put_line(struct rec_writer *w, size_t n, const char *const *v)
{
	/* The stream's first field unquoted must not start like JSON. */
	int guard = w->csv && w->nrow++ == 0 && n > 0 && v[0] != NULL &&
	    (v[0][0] == '[' || v[0][0] == '{');

	/* A blank line is no row (but a value in a stream of one column). */
	if (n == 1 && v[0] == NULL && w->null == NULL && (w->csv || w->ncol > 1))
		fputs_unlocked(w->csv ? "\"\"" : "\\N", w->f);
	for (size_t i = 0; i < n; i++) {
		if (i)
			putc_unlocked(w->csv ? ',' : '\t', w->f);
		if (i == 0 && guard)
			csv_put_quoted(w->f, v[0]);
		else if (v[i] == NULL && w->null != NULL) {
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

/* V in -o order when -o was given (a missing value is NULL), else V. */
static const char *const *
pick(struct rec_writer *w, size_t *n, const char *const *v)
{
	if (w->pick == NULL)
		return v;
	for (size_t k = 0; k < w->npick; k++)
		w->picked[k] = w->pick[k] < *n ? v[w->pick[k]] : NULL;
	*n = w->npick;
	return w->picked;
}

void
recw_row(struct rec_writer *w, size_t n, const char *const *v)
{
	v = pick(w, &n, v);
	if (w->json)
		json_row(w->json, v, NULL);
	else
		put_line(w, n, v);
}

void
recw_header(struct rec_writer *w, size_t n, const char *const *names)
{
	if (w->out && crm_g.columns != NULL) {
		free(w->pick);
		free(w->picked);
		w->pick = NULL;		/* pick() passes the names through */
		w->npick = rec_pick_columns(n, names, &w->pick);
		w->picked = xcalloc(w->npick + 1, sizeof *w->picked);
	}
	names = pick(w, &n, names);
	w->ncol = n;
	if (w->out && crm_g.json)
		w->json = json_open(w->f, w->what, n, names, NULL);
	else
		put_line(w, n, names);
}

/* The canonical name of S, malloc'd. */
static char *
canonical_dup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *buf = xmalloc(n), *c = xstrdup(rec_canonical(s, buf, n));

	free(buf);
	return c;
}

size_t
rec_pick_columns(size_t n, const char *const *names, size_t **idx)
{
	struct strvec want = STRVEC_INIT;
	char **canon = NULL;
	size_t k;

	sv_split(&want, crm_g.columns, ',');
	*idx = xcalloc(want.n + 1, sizeof **idx);
	for (k = 0; k < want.n; k++) {
		size_t i;
		char *c;

		for (i = 0; i < n; i++)
			if (strcmp(names[i], want.v[k]) == 0)
				break;
		if (i == n) {	/* 手机 finds phone, and phone 手机 */
			if (canon == NULL) {
				canon = xcalloc(n + 1, sizeof *canon);
				for (size_t m = 0; m < n; m++)
					canon[m] = canonical_dup(names[m]);
			}
			c = canonical_dup(want.v[k]);
			for (i = 0; i < n && strcmp(canon[i], c) != 0; i++)
				;
			free(c);
		}
		if (i == n) {
			struct strbuf list = STRBUF_INIT;

			sb_init(&list);
			for (size_t m = 0; m < n && m < 50; m++)
				sb_addf(&list, "%s%s", m ? ", " : "", names[m]);
			if (n > 50)
				sb_addf(&list, ", ... (%zu in all)", n);
			crm_usage_error("--columns: no column '%s'; the columns are: "
			    "%s", want.v[k], n ? list.buf : "(none)");
		}
		(*idx)[k] = i;
	}
	if (canon)
		for (size_t m = 0; m < n; m++)
			free(canon[m]);
	free(canon);
	sv_free(&want);
	return k;
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

/* What the writer holds besides F. */
static void
writer_free(struct rec_writer *w)
{
	json_close(w->json);
	free(w->pick);
	free(w->picked);
	free(w->what);
	free(w);
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
	writer_free(w);
}

void
recw_discard(struct rec_writer *w)
{
	if (w == NULL)
		return;
	if (w->held)
		fclose(w->f);
	writer_free(w);
}

void
rec_ids(int argc, char **argv, const char *noun,
    void (*start)(struct rec_reader *r, void *ctx),
    int (*fn)(long long id, const char *where, const struct rec *rec,
    void *ctx), void *ctx)
{
	struct rec_reader *r;
	struct rec *rec;
	char where[64];
	const char *err;
	long long id;
	int col;

	for (int i = 0; i < argc; i++)
		if (crm_parse_id(argv[i], &id) == -1)
			crm_usage_error("'%s' is not a %s id", argv[i], noun);
	if (argc > 0) {
		if (start)
			start(NULL, ctx);
		for (int i = 0; i < argc; i++) {
			crm_parse_id(argv[i], &id);
			snprintf(where, sizeof where, "argument %d", i + 1);
			fn(id, where, NULL, ctx);
		}
		return;
	}
	r = rec_open("-", crm_g.csv, NULL);
	if ((col = rec_col(r, "id")) < 0)
		crm_die("%s: no 'id' column in the input", rec_name(r));
	if (start)
		start(r, ctx);
	while ((rec = rec_next(r)) != NULL) {
		if ((err = rec_width_error(r, rec)) != NULL)
			crm_die("%s:%lu: %s", rec_name(r), rec->line, err);
		if (crm_parse_id(rec->v[col], &id) == -1)
			crm_die("%s:%lu: id: '%s' is not a %s id", rec_name(r),
			    rec->line, rec->v[col] ? rec->v[col] : "", noun);
		snprintf(where, sizeof where, "%s:%lu", rec_name(r), rec->line);
		fn(id, where, rec, ctx);
	}
	rec_close(r);
}

/* rec_each_id's FN, for rec_ids. */
struct each_id {
	void (*fn)(long long id, const char *where, void *ctx);
	void *ctx;
};

static int
each_id(long long id, const char *where, const struct rec *rec, void *ctx)
{
	struct each_id *e = ctx;

	(void)rec;
	e->fn(id, where, e->ctx);
	return 1;
}

void
rec_each_id(int argc, char **argv,
    void (*fn)(long long id, const char *where, void *ctx), void *ctx)
{
	struct each_id e = { fn, ctx };

	rec_ids(argc, argv, "customer", NULL, each_id, &e);
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
