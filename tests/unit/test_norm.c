/*
** test_norm.c: the duplicate-detection keys (norm.h): phones, emails,
** company names, and the UTF-8 helpers under them.  Person names from
** CLDR ($CRM_TESTDATA/excel/cldr_chinese_person_names.csv) and the
** strings of blns.txt must come through norm_company() as valid UTF-8.
*/
#include "unit.h"

#include "norm.h"
#include "rec.h"

/* Assert that F(IN) is WANT (NULL for no key). */
static void
check_key(char *(*f)(const char *), const char *fname, const char *in,
    const char *want)
{
	char *got = f(in);

	if (!((got == NULL && want == NULL) ||
	    (got && want && strcmp(got, want) == 0)))
		fail_msg("%s('%s'): expected %s%s%s, got %s%s%s", fname,
		    in ? in : "(NULL)", want ? "'" : "", want ? want : "NULL",
		    want ? "'" : "", got ? "'" : "", got ? got : "NULL",
		    got ? "'" : "");
	free(got);
}

#define PHONE(in, want) check_key(norm_phone, "norm_phone", in, want)
#define EMAIL(in, want) check_key(norm_email, "norm_email", in, want)
#define COMPANY(in, want) check_key(norm_company, "norm_company", in, want)

static void
test_phone(void **state)
{
	(void)state;
	/* one mobile, written every way people write it */
	PHONE("13812345678", "13812345678");
	PHONE("+86 138 1234 5678", "13812345678");
	PHONE("+86-138-1234-5678", "13812345678");
	PHONE("0086-13812345678", "13812345678");
	PHONE("0086 138 1234 5678", "13812345678");
	PHONE("8613812345678", "13812345678");
	PHONE("013812345678", "13812345678");
	PHONE("138-1234-5678", "13812345678");
	PHONE("138 1234 5678", "13812345678");
	PHONE("(138) 1234-5678", "13812345678");
	PHONE(" 138.1234.5678 ", "13812345678");
	/* landlines keep the area code with its trunk 0 */
	PHONE("021-62345678", "02162345678");
	PHONE("(021) 6234 5678", "02162345678");
	PHONE("021 6234 5678", "02162345678");
	PHONE("010-62345678", "01062345678");
	/* ... also when written the international way */
	PHONE("+86 21 6234 5678", "02162345678");
	PHONE("+86-21-62345678", "02162345678");
	PHONE("0086 21 62345678", "02162345678");
	PHONE("+86 10 6234 5678", "01062345678");
	PHONE("+86 755 8765 4321", "075587654321");
	/* no key: too short, nothing, no digits */
	PHONE("1234", NULL);
	PHONE("+86", NULL);
	PHONE("", NULL);
	PHONE(NULL, NULL);
	PHONE("n/a", NULL);
	PHONE("12345", "12345");
	/* a foreign number keeps its country code */
	PHONE("+1 415 555 0100", "14155550100");
}

static void
test_email(void **state)
{
	(void)state;
	EMAIL("Zhang.San@Example.COM", "zhang.san@example.com");
	EMAIL("  li@example.cn\t", "li@example.cn");
	EMAIL("\nWANG@EXAMPLE.ORG \r\n", "wang@example.org");
	EMAIL("a@b", "a@b");
	EMAIL("no-at-sign.example.com", NULL);
	EMAIL("   ", NULL);
	EMAIL("", NULL);
	EMAIL(NULL, NULL);
	/* non-ASCII is kept as it is (not lower-cased byte by byte) */
	EMAIL("张三@例子.中国", "张三@例子.中国");
	EMAIL("Ä@x.de", "Ä@x.de");
}

static void
test_company(void **state)
{
	char *a, *b, *c;

	(void)state;
	/* legal suffixes fold away: these are one company */
	a = norm_company("上海恒瑞信息科技有限公司");
	b = norm_company("上海恒瑞信息科技股份有限公司");
	c = norm_company("上海 恒瑞信息科技（有限公司）");
	assert_non_null(a);
	assert_string_equal(a, "上海恒瑞信息科技");
	assert_string_equal(b, a);
	assert_string_equal(c, a);
	free(a);
	free(b);
	free(c);
	COMPANY("上海恒瑞信息科技有限责任公司", "上海恒瑞信息科技");
	COMPANY("上海恒瑞信息科技公司", "上海恒瑞信息科技");
	COMPANY("恒瑞集团有限公司", "恒瑞");	/* 集团 folds too */
	COMPANY("恒瑞集团有限责任公司", "恒瑞");
	COMPANY("恒瑞集团", "恒瑞");
	/* full-width letters, digits, brackets and spaces */
	COMPANY("ＡＢＣ科技（上海）有限公司", "abc科技上海");
	COMPANY("abc科技(上海)有限公司", "abc科技上海");
	COMPANY("１２３　网络", "123网络");
	/* punctuation says nothing about which company it is */
	COMPANY("“恒瑞”·信息，科技。有限公司", "恒瑞信息科技");
	COMPANY("【恒瑞】信息-科技/有限公司", "恒瑞信息科技");
	/* English legal forms, case and punctuation */
	COMPANY("Acme Co., Ltd.", "acme");
	COMPANY("ACME CO.,LTD", "acme");
	COMPANY("Acme Inc.", "acme");
	COMPANY("Acme, Inc", "acme");
	COMPANY("Acme Corporation", "acme");
	COMPANY("Acme Corp.", "acme");
	COMPANY("Acme Limited", "acme");
	COMPANY("Acme Co. Limited", "acme");
	COMPANY("Acme LLC", "acme");
	COMPANY("Acme GmbH", "acme");
	COMPANY("恒瑞 Co., Ltd.", "恒瑞");
	/* ... only as whole words: these names end in letters, not a suffix */
	COMPANY("Global Zinc", "globalzinc");
	COMPANY("Fincorp", "fincorp");
	COMPANY("Power Unlimited", "powerunlimited");
	COMPANY("Zinc Co., Ltd.", "zinc");
	/* a name that is only a suffix stays; nothing left is no key */
	COMPANY("公司", "公司");
	COMPANY("Inc.", "inc");
	COMPANY("（）", NULL);
	COMPANY("...", NULL);
	COMPANY("", NULL);
	COMPANY(NULL, NULL);
}

static void
test_utf8_valid(void **state)
{
	static const char *const good[] = {
		"", "abc", "中文", "\xc2\x80", "\xdf\xbf", "\xe0\xa0\x80",
		"\xed\x9f\xbf", "\xee\x80\x80", "\xef\xbf\xbf", "\xf0\x90\x80\x80",
		"\xf0\x9f\x98\x80", "\xf4\x8f\xbf\xbf",
	};
	static const char *const bad[] = {
		"\x80", "\xbf", "a\x80" "b",			/* stray continuation */
		"\xc0\xaf", "\xc1\xbf",				/* overlong 2 */
		"\xe0\x80\xaf", "\xe0\x9f\xbf",			/* overlong 3 */
		"\xf0\x80\x80\xaf", "\xf0\x8f\xbf\xbf",		/* overlong 4 */
		"\xed\xa0\x80", "\xed\xbf\xbf",			/* surrogates */
		"\xed\xa0\xbd\xed\xb8\x80",			/* CESU-8 pair */
		"\xf4\x90\x80\x80", "\xf5\x80\x80\x80",		/* > U+10FFFF */
		"\xf8\x88\x80\x80\x80", "\xfe", "\xff",
		"\xe4\xb8", "\xe4", "\xf0\x9f\x98",		/* truncated */
		"\xe4\xb8" "a", "\xc3" "(",			/* cut by ASCII */
	};

	(void)state;
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		if (!utf8_valid(good[i], strlen(good[i])))
			fail_msg("good UTF-8 %zu rejected", i);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (utf8_valid(bad[i], strlen(bad[i])))
			fail_msg("bad UTF-8 %zu accepted", i);
	/* N bounds the check: a character cut by N is truncated */
	assert_true(utf8_valid("中文", 3));
	assert_false(utf8_valid("中文", 2));
	assert_false(utf8_valid("中文", 4));
	assert_true(utf8_valid("中文", 0));
	/* a NUL is a character like any other */
	assert_true(utf8_valid("a\0b", 3));
}

static void
test_utf8_next(void **state)
{
	const char *p;

	(void)state;
	p = "a中\xf0\x9f\x98\x80";
	assert_int_equal(utf8_next(&p), 'a');
	assert_int_equal(utf8_next(&p), 0x4e2d);
	assert_int_equal(utf8_next(&p), 0x1f600);
	assert_int_equal(*p, '\0');
	/* each bad sequence is U+FFFD and moves on by one byte */
	p = "\xed\xa0\x80";
	assert_int_equal(utf8_next(&p), 0xfffd);
	p = "\xe0\x80\xaf";
	assert_int_equal(utf8_next(&p), 0xfffd);
	p = "\xf4\x90\x80\x80";
	assert_int_equal(utf8_next(&p), 0xfffd);
	p = "\xe4\xb8";
	assert_int_equal(utf8_next(&p), 0xfffd);
	assert_int_equal(utf8_next(&p), 0xfffd);
	assert_int_equal(*p, '\0');
	{
		char buf[16], *o = buf;

		utf8_put(0x4e2d, &o);
		utf8_put(0x1f600, &o);
		utf8_put('x', &o);
		*o = '\0';
		assert_string_equal(buf, "中\xf0\x9f\x98\x80x");
	}
}

static void
test_utf8_width(void **state)
{
	(void)state;
	assert_int_equal(utf8_width(""), 0);
	assert_int_equal(utf8_width("abc"), 3);
	assert_int_equal(utf8_width("中文"), 4);
	assert_int_equal(utf8_width("中文abc"), 7);
	assert_int_equal(utf8_width("ＡＢ"), 4);		/* full-width */
	assert_int_equal(utf8_width("한국"), 4);		/* Hangul */
	assert_int_equal(utf8_width("，。"), 4);		/* CJK punctuation */
	assert_int_equal(utf8_width("é"), 1);
	assert_int_equal(utf8_width("ｱ"), 1);		/* half-width katakana */
	assert_int_equal(utf8_width("𠀀"), 2);		/* CJK extension B */
}

/* What norm_company() must make of a person's name: only folding. */
static char *
fold_name(const char *s)
{
	char *out = malloc(strlen(s) + 1), *o = out;

	assert_non_null(out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (p[0] == 0xc2 && p[1] == 0xb7) {	/* U+00B7 middle dot */
			p++;
			continue;
		}
		if (*p < 0x80 && !((*p >= '0' && *p <= '9') ||
		    (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
			continue;
		*o++ = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
	}
	*o = '\0';
	return out;
}

static void
test_cldr_names(void **state)
{
	const char *path = unit_testdata("excel/cldr_chinese_person_names.csv");
	struct rec_reader *r;
	struct rec *rec;
	unsigned names = 0, rows = 0;

	(void)state;
	if (access(path, R_OK) != 0)
		fail_msg("cannot read '%s' (set CRM_TESTDATA)", path);
	r = rec_open(path, 1, NULL);
	assert_true(rec_ncol(r) >= 4);
	assert_int_equal(rec_col(r, "cldr_file"), 0);
	while ((rec = rec_next(r)) != NULL) {
		assert_null(rec_width_error(r, rec));
		rows++;
		for (size_t i = 2; i < rec->n; i++) {	/* after file and locale */
			char *key, *want;

			if (rec->v[i] == NULL)
				continue;
			key = norm_company(rec->v[i]);
			want = fold_name(rec->v[i]);
			assert_non_null(key);
			assert_true(utf8_valid(key, strlen(key)));
			if (strcmp(key, want) != 0)
				fail_msg("norm_company('%s'): expected '%s', got '%s'",
				    rec->v[i], want, key);
			free(key);
			free(want);
			names++;
		}
	}
	rec_close(r);
	printf("# cldr: %u names in %u rows come through norm_company folded only\n",
	    names, rows);
	assert_int_equal(rows, 15);
}

/* Any bytes at all: the keys are valid UTF-8 (or NULL), and nothing crashes. */
static void
test_hostile_strings(void **state)
{
	static const char *const extra[] = {
		"\xed\xa0\x80有限公司", "\xf4\x90\x80\x80 Inc.", "\xff\xfe公司",
		"\xe4\xb8", "\xc0\xaf\xc0\xae", "ＡＢ\xed\xbf\xbf",
		"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff",	/* 3 bytes out each */
		"\x80\x80\x80\x80\x80\x80\x80\x80",
	};
	char *text = unit_slurp(unit_testdata("blns/blns.txt"), NULL), *p, *nl;
	unsigned n = 0;

	(void)state;
	if (text == NULL)
		fail_msg("cannot read blns.txt (set CRM_TESTDATA)");
	for (p = text; p && *p; p = nl) {
		if ((nl = strchr(p, '\n')) != NULL)
			*nl++ = '\0';
		if (*p == '#' || *p == '\0')
			continue;
		for (int f = 0; f < 3; f++) {
			char *k = f == 0 ? norm_company(p) : f == 1 ? norm_phone(p) :
			    norm_email(p);

			if (k && !utf8_valid(k, strlen(k)))
				fail_msg("key of '%s' is not UTF-8", p);
			free(k);
		}
		(void)utf8_width(p);
		n++;
	}
	for (size_t i = 0; i < sizeof extra / sizeof extra[0]; i++) {
		char *k = norm_company(extra[i]);

		if (k && !utf8_valid(k, strlen(k)))
			fail_msg("norm_company of bad UTF-8 %zu is not UTF-8", i);
		free(k);
	}
	printf("# blns: %u strings through norm_company, norm_phone, norm_email\n", n);
	free(text);
}

static int
group_teardown(void **state)
{
	(void)state;
	unit_cleanup();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_phone),
		cmocka_unit_test(test_email),
		cmocka_unit_test(test_company),
		cmocka_unit_test(test_utf8_valid),
		cmocka_unit_test(test_utf8_next),
		cmocka_unit_test(test_utf8_width),
		cmocka_unit_test(test_cldr_names),
		cmocka_unit_test(test_hostile_strings),
	};

	crm_set_progname("test_norm");
	return cmocka_run_group_tests(tests, NULL, group_teardown);
}
