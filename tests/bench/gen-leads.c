/*
** gen-leads.c: write N realistic, fictional Chinese sales leads.
**
** Build:  cc -O2 -Wall -Wextra -Werror -o tests/bench/gen-leads \
**             tests/bench/gen-leads.c
** Usage:  gen-leads [-h] [--csv] [--dup-rate PCT] [-n N] [-s SEED]
**
** Standalone C99 over libc only; benchmarks and demos use it to feed crm.
** Output is a header line then N records with the columns
** name, company, phone, email, region, industry and source: TSV by
** default, RFC 4180 CSV with --csv (LF line ends, a field quoted only
** when the crm CSV writer would quote it).  No value ever holds a tab,
** newline, backslash, comma or double quote, so both forms carry the
** same values and the TSV needs no escapes.
**
** Row I is a pure function of (SEED, I): each row seeds its own
** splitmix64 stream from the pair, so the same N and SEED give
** byte-identical output, a smaller N gives a prefix of a larger one,
** and memory does not grow with N.  Keys are unique by construction:
**
**   phone    the 8 digits after a mobile prefix (or the local number of
**            a landline) are a seeded Feistel permutation of I;
**   email    the local part ends in a number that is a permutation of I
**            within a tier of the same width (so row 7 gets a short
**            number), or is a QQ number permuted from I;
**   company  (city, 2-character brand, sector) is a permutation of I
**            over 60 x 24180 x 29 = 42M names, so names stay distinct
**            after the legal suffix is dropped.
**
** About PCT% of rows (default 3) re-enter an EARLIER lead the way people
** do: the same phone written "+86 138 1234 5678", "0086-138...",
** "138-1234-5678" or "0138..."; the same email in another case with
** spaces around it; or the same company with another legal suffix,
** brackets, full-width letters or inserted spaces.  The person's name
** always differs.  Each such row collides with its original on the
** digits-only phone, the trimmed lower-case email or the folded company
** name without its suffix (src/lib/norm.c).  The original is never itself
** a duplicate, so it is regenerated from its index alone.  One row in
** each run of 100/PCT rows is a re-entry, so the count is steady even
** for small N.
**
** All names are made up from tables of common surnames, given-name
** characters and brand characters; any match with a real person or
** company is chance.
*/
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define MAX_ROWS	10000000ULL	/* keeps every key space unique */
#define MAX_DUP_BP	5000		/* --dup-rate at most 50% */

struct py {
	const char *han;
	const char *pin;
};

struct wpy {
	const char *han;
	const char *pin;
	unsigned weight;
};

/* Surnames weighted roughly by how common they are. */
static const struct wpy surnames[] = {
	{"王", "wang", 71}, {"李", "li", 70}, {"张", "zhang", 68},
	{"刘", "liu", 54}, {"陈", "chen", 46}, {"杨", "yang", 31},
	{"黄", "huang", 25}, {"赵", "zhao", 23}, {"吴", "wu", 20},
	{"周", "zhou", 19}, {"徐", "xu", 15}, {"孙", "sun", 15},
	{"马", "ma", 14}, {"朱", "zhu", 13}, {"胡", "hu", 13},
	{"郭", "guo", 12}, {"何", "he", 12}, {"高", "gao", 11},
	{"林", "lin", 11}, {"罗", "luo", 10}, {"郑", "zheng", 10},
	{"梁", "liang", 9}, {"谢", "xie", 8}, {"宋", "song", 8},
	{"唐", "tang", 8}, {"许", "xu", 7}, {"韩", "han", 7},
	{"冯", "feng", 7}, {"邓", "deng", 7}, {"曹", "cao", 7},
	{"彭", "peng", 6}, {"曾", "zeng", 6}, {"肖", "xiao", 6},
	{"田", "tian", 6}, {"董", "dong", 6}, {"袁", "yuan", 5},
	{"潘", "pan", 5}, {"于", "yu", 5}, {"蒋", "jiang", 5},
	{"蔡", "cai", 5}, {"余", "yu", 5}, {"杜", "du", 5},
	{"叶", "ye", 5}, {"程", "cheng", 5}, {"苏", "su", 5},
	{"魏", "wei", 5}, {"吕", "lv", 5}, {"丁", "ding", 5},
	{"任", "ren", 4}, {"沈", "shen", 4}, {"姚", "yao", 4},
	{"卢", "lu", 4}, {"姜", "jiang", 4}, {"崔", "cui", 4},
	{"钟", "zhong", 4}, {"谭", "tan", 4}, {"陆", "lu", 4},
	{"汪", "wang", 4}, {"范", "fan", 4}, {"金", "jin", 4},
	{"石", "shi", 4}, {"廖", "liao", 4}, {"贾", "jia", 3},
	{"夏", "xia", 3}, {"韦", "wei", 3}, {"付", "fu", 3},
	{"方", "fang", 3}, {"白", "bai", 3}, {"邹", "zou", 3},
	{"孟", "meng", 3}, {"熊", "xiong", 3}, {"秦", "qin", 3},
	{"邱", "qiu", 3}, {"江", "jiang", 3}, {"尹", "yin", 3},
	{"薛", "xue", 3}, {"闫", "yan", 3}, {"段", "duan", 3},
	{"雷", "lei", 3}, {"侯", "hou", 3}, {"龙", "long", 3},
	{"史", "shi", 3}, {"陶", "tao", 3}, {"黎", "li", 2},
	{"贺", "he", 2}, {"顾", "gu", 2}, {"毛", "mao", 2},
	{"郝", "hao", 2}, {"龚", "gong", 2}, {"邵", "shao", 2},
	{"万", "wan", 2}, {"钱", "qian", 2}, {"严", "yan", 2},
	{"覃", "qin", 2}, {"武", "wu", 2}, {"戴", "dai", 2},
	{"莫", "mo", 2}, {"孔", "kong", 2}, {"向", "xiang", 2},
	{"汤", "tang", 2}, {"欧阳", "ouyang", 1}, {"司马", "sima", 1},
	{"上官", "shangguan", 1}, {"诸葛", "zhuge", 1},
};

/* Characters common in given names. */
static const struct py given[] = {
	{"伟", "wei"}, {"芳", "fang"}, {"娜", "na"}, {"敏", "min"},
	{"静", "jing"}, {"丽", "li"}, {"强", "qiang"}, {"磊", "lei"},
	{"军", "jun"}, {"洋", "yang"}, {"勇", "yong"}, {"艳", "yan"},
	{"杰", "jie"}, {"娟", "juan"}, {"涛", "tao"}, {"明", "ming"},
	{"超", "chao"}, {"秀", "xiu"}, {"霞", "xia"}, {"平", "ping"},
	{"刚", "gang"}, {"桂", "gui"}, {"英", "ying"}, {"华", "hua"},
	{"玉", "yu"}, {"萍", "ping"}, {"红", "hong"}, {"鹏", "peng"},
	{"辉", "hui"}, {"建", "jian"}, {"文", "wen"}, {"斌", "bin"},
	{"宇", "yu"}, {"浩", "hao"}, {"凯", "kai"}, {"健", "jian"},
	{"俊", "jun"}, {"帆", "fan"}, {"帅", "shuai"}, {"旭", "xu"},
	{"宁", "ning"}, {"龙", "long"}, {"林", "lin"}, {"欢", "huan"},
	{"佳", "jia"}, {"阳", "yang"}, {"晨", "chen"}, {"瑞", "rui"},
	{"婷", "ting"}, {"雪", "xue"}, {"琳", "lin"}, {"颖", "ying"},
	{"倩", "qian"}, {"晶", "jing"}, {"慧", "hui"}, {"思", "si"},
	{"雨", "yu"}, {"欣", "xin"}, {"怡", "yi"}, {"梦", "meng"},
	{"子", "zi"}, {"涵", "han"}, {"轩", "xuan"}, {"博", "bo"},
	{"睿", "rui"}, {"泽", "ze"}, {"峰", "feng"}, {"亮", "liang"},
	{"波", "bo"}, {"宏", "hong"}, {"志", "zhi"}, {"国", "guo"},
	{"海", "hai"}, {"春", "chun"}, {"东", "dong"}, {"兰", "lan"},
	{"梅", "mei"}, {"燕", "yan"}, {"琴", "qin"}, {"云", "yun"},
	{"莉", "li"}, {"金", "jin"}, {"成", "cheng"}, {"飞", "fei"},
	{"鑫", "xin"}, {"嘉", "jia"}, {"晓", "xiao"}, {"丹", "dan"},
	{"蕾", "lei"}, {"彬", "bin"}, {"毅", "yi"}, {"昊", "hao"},
	{"然", "ran"}, {"琪", "qi"}, {"蓉", "rong"}, {"薇", "wei"},
	{"璐", "lu"}, {"婧", "jing"}, {"岩", "yan"}, {"荣", "rong"},
	{"新", "xin"}, {"庆", "qing"}, {"永", "yong"}, {"家", "jia"},
	{"立", "li"}, {"振", "zhen"}, {"天", "tian"}, {"一", "yi"},
};

/*
** Characters for 2-character brand names.  None is 市 and no city is a
** prefix of another, so city + brand + sector parses one way only.
*/
static const struct py brandch[] = {
	{"恒", "heng"}, {"瑞", "rui"}, {"信", "xin"}, {"华", "hua"},
	{"达", "da"}, {"通", "tong"}, {"泰", "tai"}, {"安", "an"},
	{"康", "kang"}, {"盛", "sheng"}, {"隆", "long"}, {"兴", "xing"},
	{"鑫", "xin"}, {"源", "yuan"}, {"宏", "hong"}, {"德", "de"},
	{"丰", "feng"}, {"利", "li"}, {"昌", "chang"}, {"荣", "rong"},
	{"创", "chuang"}, {"新", "xin"}, {"科", "ke"}, {"汇", "hui"},
	{"银", "yin"}, {"金", "jin"}, {"博", "bo"}, {"远", "yuan"},
	{"航", "hang"}, {"海", "hai"}, {"天", "tian"}, {"宇", "yu"},
	{"星", "xing"}, {"辰", "chen"}, {"光", "guang"}, {"明", "ming"},
	{"晨", "chen"}, {"阳", "yang"}, {"嘉", "jia"}, {"和", "he"},
	{"美", "mei"}, {"欣", "xin"}, {"悦", "yue"}, {"诚", "cheng"},
	{"志", "zhi"}, {"思", "si"}, {"卓", "zhuo"}, {"越", "yue"},
	{"伟", "wei"}, {"业", "ye"}, {"联", "lian"}, {"合", "he"},
	{"众", "zhong"}, {"力", "li"}, {"正", "zheng"}, {"云", "yun"},
	{"启", "qi"}, {"智", "zhi"}, {"慧", "hui"}, {"易", "yi"},
	{"捷", "jie"}, {"优", "you"}, {"佳", "jia"}, {"凯", "kai"},
	{"元", "yuan"}, {"立", "li"}, {"峰", "feng"}, {"睿", "rui"},
	{"腾", "teng"}, {"飞", "fei"}, {"龙", "long"}, {"凤", "feng"},
	{"鹏", "peng"}, {"鼎", "ding"}, {"晟", "sheng"}, {"禾", "he"},
	{"润", "run"}, {"泽", "ze"}, {"洋", "yang"}, {"沃", "wo"},
	{"谷", "gu"}, {"川", "chuan"}, {"山", "shan"}, {"林", "lin"},
	{"森", "sen"}, {"蓝", "lan"}, {"青", "qing"}, {"翔", "xiang"},
	{"骏", "jun"}, {"奥", "ao"}, {"宝", "bao"}, {"富", "fu"},
	{"祥", "xiang"}, {"永", "yong"}, {"长", "chang"}, {"乐", "le"},
	{"万", "wan"}, {"方", "fang"}, {"东", "dong"}, {"南", "nan"},
	{"北", "bei"}, {"亿", "yi"}, {"百", "bai"}, {"千", "qian"},
	{"诺", "nuo"}, {"迪", "di"}, {"威", "wei"}, {"维", "wei"},
	{"拓", "tuo"}, {"展", "zhan"}, {"扬", "yang"}, {"帆", "fan"},
	{"锐", "rui"}, {"朗", "lang"}, {"晶", "jing"}, {"微", "wei"},
	{"芯", "xin"}, {"数", "shu"}, {"讯", "xun"}, {"贝", "bei"},
	{"尔", "er"}, {"特", "te"}, {"普", "pu"}, {"英", "ying"},
	{"菲", "fei"}, {"斯", "si"}, {"图", "tu"}, {"昊", "hao"},
	{"旭", "xu"}, {"冠", "guan"}, {"鸿", "hong"}, {"耀", "yao"},
	{"辉", "hui"}, {"煌", "huang"}, {"恩", "en"}, {"泓", "hong"},
	{"骐", "qi"}, {"麒", "qi"}, {"麟", "lin"}, {"赛", "sai"},
	{"弘", "hong"}, {"锦", "jin"}, {"铭", "ming"}, {"晖", "hui"},
	{"颐", "yi"}, {"逸", "yi"}, {"豪", "hao"}, {"泉", "quan"},
	{"峻", "jun"}, {"坤", "kun"}, {"乾", "qian"}, {"兆", "zhao"},
	{"亚", "ya"}, {"欧", "ou"}, {"瀚", "han"}, {"中", "zhong"},
};
#define NBRANDCH	NELEM(brandch)

static const char *const regions[] = {
	"华东", "华南", "华北", "华中", "西南", "西北", "东北"
};

struct city {
	const char *han;
	const char *area;	/* long-distance code */
	int region;		/* index into regions[] */
};

static const struct city cities[] = {
	{"上海", "021", 0}, {"南京", "025", 0}, {"杭州", "0571", 0},
	{"苏州", "0512", 0}, {"无锡", "0510", 0}, {"宁波", "0574", 0},
	{"合肥", "0551", 0}, {"济南", "0531", 0}, {"青岛", "0532", 0},
	{"福州", "0591", 0}, {"厦门", "0592", 0}, {"南昌", "0791", 0},
	{"温州", "0577", 0}, {"常州", "0519", 0}, {"烟台", "0535", 0},
	{"绍兴", "0575", 0}, {"嘉兴", "0573", 0}, {"徐州", "0516", 0},
	{"泉州", "0595", 0}, {"南通", "0513", 0},
	{"广州", "020", 1}, {"深圳", "0755", 1}, {"东莞", "0769", 1},
	{"佛山", "0757", 1}, {"珠海", "0756", 1}, {"南宁", "0771", 1},
	{"海口", "0898", 1}, {"惠州", "0752", 1}, {"中山", "0760", 1},
	{"汕头", "0754", 1},
	{"北京", "010", 2}, {"天津", "022", 2}, {"石家庄", "0311", 2},
	{"太原", "0351", 2}, {"呼和浩特", "0471", 2}, {"保定", "0312", 2},
	{"唐山", "0315", 2},
	{"武汉", "027", 3}, {"长沙", "0731", 3}, {"郑州", "0371", 3},
	{"洛阳", "0379", 3}, {"宜昌", "0717", 3}, {"襄阳", "0710", 3},
	{"成都", "028", 4}, {"重庆", "023", 4}, {"昆明", "0871", 4},
	{"贵阳", "0851", 4}, {"绵阳", "0816", 4}, {"拉萨", "0891", 4},
	{"西安", "029", 5}, {"兰州", "0931", 5}, {"银川", "0951", 5},
	{"西宁", "0971", 5}, {"乌鲁木齐", "0991", 5},
	{"沈阳", "024", 6}, {"大连", "0411", 6}, {"长春", "0431", 6},
	{"哈尔滨", "0451", 6}, {"吉林", "0432", 6}, {"鞍山", "0412", 6},
};

enum {
	IND_MFG, IND_NET, IND_FIN, IND_EDU, IND_MED, IND_RETAIL, IND_LOG,
	IND_ESTATE, IND_ENERGY, IND_GOV
};

static const char *const industries[] = {
	"制造业", "互联网", "金融", "教育", "医疗", "零售", "物流",
	"房地产", "能源", "政府"
};

struct sector {
	const char *han;
	const char *tag;	/* for the company's mail domain */
	int industry;
};

static const struct sector sectors[] = {
	{"信息科技", "tech", IND_NET}, {"网络技术", "net", IND_NET},
	{"软件", "soft", IND_NET}, {"IT服务", "it", IND_NET},
	{"数据科技", "data", IND_NET}, {"文化传媒", "media", IND_NET},
	{"广告", "ad", IND_NET}, {"电子", "elec", IND_MFG},
	{"机械制造", "mach", IND_MFG}, {"精密机械", "jm", IND_MFG},
	{"新材料", "material", IND_MFG}, {"汽车零部件", "auto", IND_MFG},
	{"生物医药", "bio", IND_MED}, {"医疗器械", "med", IND_MED},
	{"健康管理", "health", IND_MED}, {"贸易", "trade", IND_RETAIL},
	{"商贸", "trading", IND_RETAIL}, {"电子商务", "ec", IND_RETAIL},
	{"建筑工程", "build", IND_ESTATE}, {"置业", "estate", IND_ESTATE},
	{"物业管理", "pm", IND_ESTATE}, {"教育咨询", "edu", IND_EDU},
	{"教育科技", "edutech", IND_EDU}, {"物流", "logistics", IND_LOG},
	{"供应链管理", "scm", IND_LOG}, {"新能源", "energy", IND_ENERGY},
	{"环保科技", "env", IND_ENERGY}, {"投资管理", "invest", IND_FIN},
	{"融资租赁", "leasing", IND_FIN},
};

enum { SUF_LTD, SUF_LLC, SUF_SHARE, SUF_GROUP, NSUFFIX };

static const char *const suffixes[NSUFFIX] = {
	"有限公司", "有限责任公司", "股份有限公司", "集团有限公司"
};

static const struct {
	const char *han;
	unsigned weight;
} sources[] = {
	{"官网", 20}, {"展会", 12}, {"转介绍", 14}, {"电话营销", 12},
	{"百度推广", 18}, {"微信", 14}, {"老客户", 6}, {"合作伙伴", 4},
};

static const char *const mobile_prefixes[] = {
	"130", "131", "132", "133", "134", "135", "136", "137", "138",
	"139", "147", "150", "151", "152", "153", "155", "156", "157",
	"158", "159", "166", "170", "171", "173", "175", "176", "177",
	"178", "180", "181", "182", "183", "184", "185", "186", "187",
	"188", "189", "191", "193", "195", "196", "198", "199",
};

/* Ways to write one mobile number; the first four also occur in originals. */
enum {
	MF_PLAIN, MF_SPACE, MF_DASH, MF_P86SP, MF_0086, MF_TRUNK, MF_P86,
	NMF
};

/* Ways to write one landline number; the first two occur in originals. */
enum { LF_DASH, LF_PAREN, LF_SPACE, LF_PLAIN, NLF };

/* Mail providers; domain NULL means "at the company's own domain". */
enum { EM_COMPANY, EM_QQNUM };

static const struct {
	const char *domain;
	unsigned weight;
} mailers[] = {
	{NULL, 35}, {"qq.com", 20}, {"163.com", 14}, {"126.com", 7},
	{"qq.com", 6}, {"gmail.com", 4}, {"sina.com", 4},
	{"foxmail.com", 3}, {"outlook.com", 2}, {"139.com", 2},
	{"hotmail.com", 1}, {"yeah.net", 1}, {"aliyun.com", 1},
};

/* Everything that decides one lead, before it is written out. */
struct lead {
	unsigned sur, g1, g2, ngiven;	/* name: surnames[], given[] */
	uint64_t cid;			/* company id: city, brand, sector */
	unsigned city, b1, b2, sector, suffix, shi, domstyle;
	unsigned industry;
	unsigned mobile, mprefix, pfmt;	/* phone */
	uint64_t pnum;
	unsigned mailer, estyle;	/* email */
	uint64_t enumber;
	unsigned source;
};

/* A seeded permutation of [0, m): Feistel network plus cycle walking. */
struct perm {
	uint64_t m;
	unsigned half;
	uint64_t mask;
	uint64_t key[4];
};

/* A bounded string builder over a caller's array; it never overflows. */
struct sb {
	char *p;
	char *end;
};

static uint64_t g_seed;
static unsigned g_dup_bp;		/* duplicate rate, basis points */
static struct perm p_company, p_mobile, p_land, p_qq, p_tier[6];
static uint64_t tier_lo[6];

/* The splitmix64 finalizer: a bijective 64-bit mix. */
static uint64_t
mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Next value of the splitmix64 stream in *S. */
static uint64_t
next64(uint64_t *s)
{
	*s += 0x9e3779b97f4a7c15ULL;
	return mix64(*s);
}

/* A uniform value in [0, n) for n < 2^32, from stream *S. */
static unsigned
below(uint64_t *s, unsigned n)
{
	return (unsigned)(((next64(s) >> 32) * n) >> 32);
}

/* True with probability PCT/100. */
static int
chance(uint64_t *s, unsigned pct)
{
	return below(s, 100) < pct;
}

/* The start of the stream for purpose WHAT of row IDX under the seed. */
static uint64_t
stream(uint64_t idx, uint64_t what)
{
	return mix64(g_seed ^ mix64(idx * 0xd1342543de82ef95ULL + what));
}

/* Set up P as a permutation of [0, M) keyed by the seed and SALT. */
static void
perm_init(struct perm *p, uint64_t m, uint64_t salt)
{
	uint64_t s = stream(salt, 0x7065726dULL);
	unsigned i;

	p->m = m;
	for (p->half = 1; (1ULL << (2 * p->half)) < m; p->half++)
		;
	p->mask = (1ULL << p->half) - 1;
	for (i = 0; i < NELEM(p->key); i++)
		p->key[i] = next64(&s);
}

/*
** Map X in [0, m) to its image under P.  Each Feistel pass is a
** bijection of [0, 4^half); re-applying it until the value falls back
** into [0, m) keeps the map a bijection of [0, m).  Fewer than four
** passes are needed on average.
*/
static uint64_t
perm_apply(const struct perm *p, uint64_t x)
{
	uint64_t l, r, t;
	unsigned i;

	do {
		l = x >> p->half;
		r = x & p->mask;
		for (i = 0; i < NELEM(p->key); i++) {
			t = l ^ (mix64(r ^ p->key[i]) & p->mask);
			l = r;
			r = t;
		}
		x = (l << p->half) | r;
	} while (x >= p->m);
	return x;
}

/*
** The number that makes row IDX's email unique.  Rows below 1000 get a
** permutation of [0, 10^4); rows in [10^(t+2), 10^(t+3)) get one of
** [10^(t+3), 10^(t+4)).  The tiers' ranges are disjoint, so distinct
** rows always get distinct numbers, and early rows get short ones.
*/
static uint64_t
email_number(uint64_t idx)
{
	unsigned t;

	for (t = NELEM(tier_lo) - 1; t > 0 && idx < tier_lo[t]; t--)
		;
	return perm_apply(&p_tier[t], idx - tier_lo[t]) +
	    (t == 0 ? 0 : tier_lo[t] * 10);
}

/* Set up every permutation for the seed. */
static void
init_perms(void)
{
	uint64_t lo = 1000, n;
	unsigned t;

	n = (uint64_t)NELEM(cities) * NBRANDCH * (NBRANDCH - 1) *
	    NELEM(sectors);
	perm_init(&p_company, n, 1);
	perm_init(&p_mobile, 100000000ULL, 2);
	perm_init(&p_land, 70000000ULL, 3);
	perm_init(&p_qq, 2900000000ULL, 4);
	tier_lo[0] = 0;
	perm_init(&p_tier[0], 10000, 10);
	for (t = 1; t < NELEM(p_tier); t++, lo *= 10) {
		tier_lo[t] = lo;
		perm_init(&p_tier[t], 9 * lo * 10, 10 + t);
	}
}

/* Set OUT to an index into TAB drawn by the .weight of each entry. */
#define WEIGHTED(s, tab, out) do {					\
	unsigned tot_ = 0, k_, r_;					\
	for (k_ = 0; k_ < NELEM(tab); k_++)				\
		tot_ += (tab)[k_].weight;				\
	r_ = below((s), tot_);						\
	for (k_ = 0; r_ >= (tab)[k_].weight; k_++)			\
		r_ -= (tab)[k_].weight;					\
	(out) = k_;							\
} while (0)

/*
** Fill in company CID's name parts.  The suffix, the 市 after the city,
** the mail-domain style and the industry depend on CID alone, so every
** lead at one company agrees on them.
*/
static void
set_company(struct lead *l, uint64_t cid)
{
	uint64_t v = cid, s = stream(cid, 0x636f6d70ULL);
	unsigned b, k, r;

	l->cid = cid;
	l->sector = (unsigned)(v % NELEM(sectors));
	v /= NELEM(sectors);
	b = (unsigned)(v % (NBRANDCH * (NBRANDCH - 1)));
	l->city = (unsigned)(v / (NBRANDCH * (NBRANDCH - 1)));
	l->b1 = b / (NBRANDCH - 1);
	k = b % (NBRANDCH - 1);
	l->b2 = (l->b1 + 1 + k) % NBRANDCH;	/* never equal to b1 */
	r = below(&s, 100);
	l->suffix = r < 55 ? SUF_LTD : r < 75 ? SUF_LLC : r < 90 ? SUF_SHARE :
	    SUF_GROUP;
	l->shi = chance(&s, 25);
	l->domstyle = below(&s, 5);
	r = below(&s, 100);
	if (r < 85)
		l->industry = (unsigned)sectors[l->sector].industry;
	else if (r < 87)
		l->industry = IND_GOV;
	else
		l->industry = below(&s, NELEM(industries) - 1);
}

/* Fill *L with row IDX as first entered: a pure function of (seed, IDX). */
static void
gen_lead(uint64_t idx, struct lead *l)
{
	uint64_t s = stream(idx, 0x6c656164ULL);
	unsigned r;

	WEIGHTED(&s, surnames, l->sur);
	l->ngiven = chance(&s, 35) ? 1 : 2;
	l->g1 = below(&s, NELEM(given));
	l->g2 = below(&s, NELEM(given));
	set_company(l, perm_apply(&p_company, idx));

	l->mobile = chance(&s, 88);
	l->mprefix = below(&s, NELEM(mobile_prefixes));
	if (l->mobile) {
		l->pnum = perm_apply(&p_mobile, idx);
		r = below(&s, 100);
		l->pfmt = r < 85 ? MF_PLAIN : r < 91 ? MF_SPACE :
		    r < 96 ? MF_DASH : MF_P86SP;
	} else {
		l->pnum = 20000000 + perm_apply(&p_land, idx);
		l->pfmt = chance(&s, 90) ? LF_DASH : LF_PAREN;
	}

	WEIGHTED(&s, mailers, l->mailer);
	l->estyle = below(&s, 5);
	l->enumber = l->mailer == EM_QQNUM ?
	    100000000 + perm_apply(&p_qq, idx) : email_number(idx);
	WEIGHTED(&s, sources, l->source);
}

/* Start a builder over BUF of SIZE bytes. */
static void
sb_init(struct sb *b, char *buf, size_t size)
{
	b->p = buf;
	b->end = buf + size - 1;
	*b->p = '\0';
}

/* Append S; stops short rather than overflow (cannot happen here). */
static void
sb_puts(struct sb *b, const char *s)
{
	while (*s && b->p < b->end)
		*b->p++ = *s++;
	*b->p = '\0';
}

/* Append N bytes of S. */
static void
sb_putn(struct sb *b, const char *s, size_t n)
{
	while (n-- > 0 && *s && b->p < b->end)
		*b->p++ = *s++;
	*b->p = '\0';
}

/* Append V in decimal, zero-padded to WIDTH digits. */
static void
sb_putu(struct sb *b, uint64_t v, int width)
{
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	while (n < width)
		tmp[n++] = '0';
	while (n > 0 && b->p < b->end)
		*b->p++ = tmp[--n];
	*b->p = '\0';
}

/* Write L's name into B. */
static void
put_name(struct sb *b, const struct lead *l)
{
	sb_puts(b, surnames[l->sur].han);
	sb_puts(b, given[l->g1].han);
	if (l->ngiven == 2)
		sb_puts(b, given[l->g2].han);
}

/* How a company name is written: the knobs a re-entry may turn. */
struct cform {
	unsigned suffix;
	unsigned bracket;	/* 0 none, 1 "(上海)", 2 "（上海）" */
	unsigned spaces;	/* 0 none, 1-4: see put_company */
	unsigned fullwidth;	/* ASCII letters as full-width */
};

/* Append S with ASCII letters turned into full-width ones. */
static void
sb_put_fullwidth(struct sb *b, const char *s)
{
	char u[4];

	for (; *s; s++)
		if ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z')) {
			unsigned c = 0xfee0u + (unsigned char)*s;

			u[0] = (char)(0xe0 | c >> 12);
			u[1] = (char)(0x80 | ((c >> 6) & 0x3f));
			u[2] = (char)(0x80 | (c & 0x3f));
			u[3] = '\0';
			sb_puts(b, u);
		} else
			sb_putn(b, s, 1);
}

/* Write L's company into B the way F says. */
static void
put_company(struct sb *b, const struct lead *l, const struct cform *f)
{
	static const char *const open[] = {"", "(", "（"};
	static const char *const close[] = {"", ")", "）"};

	sb_puts(b, open[f->bracket]);
	sb_puts(b, cities[l->city].han);
	if (l->shi)
		sb_puts(b, "市");
	sb_puts(b, close[f->bracket]);
	if (f->spaces == 1)
		sb_puts(b, " ");
	sb_puts(b, brandch[l->b1].han);
	sb_puts(b, brandch[l->b2].han);
	if (f->spaces == 2)
		sb_puts(b, " ");
	if (f->fullwidth)
		sb_put_fullwidth(b, sectors[l->sector].han);
	else
		sb_puts(b, sectors[l->sector].han);
	if (f->spaces == 2)
		sb_puts(b, " ");
	else if (f->spaces == 3)
		sb_puts(b, "　");
	sb_puts(b, suffixes[f->suffix]);
	if (f->spaces == 4)
		sb_puts(b, " ");
}

/* Write L's phone into B in format FMT (MF_* or LF_*). */
static void
put_phone(struct sb *b, const struct lead *l, unsigned fmt)
{
	static const char *const mpre[NMF] = {
		"", "", "", "+86 ", "0086-", "0", "+86"
	};
	const char *area = cities[l->city].area;
	uint64_t hi = l->pnum / 10000, lo = l->pnum % 10000;

	if (!l->mobile) {
		sb_puts(b, fmt == LF_PAREN ? "(" : "");
		sb_puts(b, area);
		sb_puts(b, fmt == LF_DASH ? "-" : fmt == LF_PAREN ? ")" :
		    fmt == LF_SPACE ? " " : "");
		sb_putu(b, hi, 4);
		sb_puts(b, fmt == LF_SPACE ? " " : "");
		sb_putu(b, lo, 4);
		return;
	}
	sb_puts(b, mpre[fmt]);
	sb_puts(b, mobile_prefixes[l->mprefix]);
	sb_puts(b, fmt == MF_SPACE || fmt == MF_P86SP ? " " :
	    fmt == MF_DASH ? "-" : "");
	sb_putu(b, hi, 4);
	sb_puts(b, fmt == MF_SPACE || fmt == MF_P86SP ? " " :
	    fmt == MF_DASH ? "-" : "");
	sb_putu(b, lo, 4);
}

/* Write L's given name in pinyin, whole or as initials. */
static void
put_given_pinyin(struct sb *b, const struct lead *l, int initials)
{
	if (initials) {
		sb_putn(b, given[l->g1].pin, 1);
		if (l->ngiven == 2)
			sb_putn(b, given[l->g2].pin, 1);
		return;
	}
	sb_puts(b, given[l->g1].pin);
	if (l->ngiven == 2)
		sb_puts(b, given[l->g2].pin);
}

/*
** Write L's email into B.  The local part is a romanised name that ends
** in a letter followed by L's unique number, or the QQ number alone.
*/
static void
put_email(struct sb *b, const struct lead *l)
{
	static const char *const tlds[] = {".com", ".cn", ".com.cn"};
	const char *sur = surnames[l->sur].pin;

	if (l->mailer == EM_QQNUM) {
		sb_putu(b, l->enumber, 0);
		sb_puts(b, "@qq.com");
		return;
	}
	switch (l->estyle) {
	case 0:		/* wangxiaoming */
		sb_puts(b, sur);
		put_given_pinyin(b, l, 0);
		break;
	case 1:		/* xiaoming.wang */
		put_given_pinyin(b, l, 0);
		sb_puts(b, ".");
		sb_puts(b, sur);
		break;
	case 2:		/* wang_xiaoming */
		sb_puts(b, sur);
		sb_puts(b, "_");
		put_given_pinyin(b, l, 0);
		break;
	case 3:		/* wangxm */
		sb_puts(b, sur);
		put_given_pinyin(b, l, 1);
		break;
	default:	/* xm.wang */
		put_given_pinyin(b, l, 1);
		sb_puts(b, ".");
		sb_puts(b, sur);
		break;
	}
	sb_putu(b, l->enumber, 0);
	sb_puts(b, "@");
	if (mailers[l->mailer].domain != NULL) {
		sb_puts(b, mailers[l->mailer].domain);
		return;
	}
	sb_puts(b, brandch[l->b1].pin);
	sb_puts(b, brandch[l->b2].pin);
	if (l->domstyle >= 3) {
		sb_puts(b, l->domstyle == 3 ? "-" : "");
		sb_puts(b, sectors[l->sector].tag);
	}
	sb_puts(b, tlds[l->domstyle % NELEM(tlds)]);
}

/* The written-out fields of one row. */
struct row {
	char name[32];
	char company[160];
	char phone[40];
	char email[96];
	const char *region;
	const char *industry;
	const char *source;
};

/* Write L into R in its own, original form. */
static void
render(struct row *r, const struct lead *l)
{
	struct cform f = {l->suffix, 0, 0, 0};
	struct sb b;

	sb_init(&b, r->name, sizeof r->name);
	put_name(&b, l);
	sb_init(&b, r->company, sizeof r->company);
	put_company(&b, l, &f);
	sb_init(&b, r->phone, sizeof r->phone);
	put_phone(&b, l, l->pfmt);
	sb_init(&b, r->email, sizeof r->email);
	put_email(&b, l);
	r->region = regions[cities[l->city].region];
	r->industry = industries[l->industry];
	r->source = sources[l->source].han;
}

/*
** True when row IDX is a re-entry of an earlier row.  The rows fall into
** blocks of 10000 / g_dup_bp (block K is the rows whose IDX * g_dup_bp /
** 10000 is K), and each block holds one re-entry at a seeded position,
** never row 0.  So any N rows hold N * PCT / 100 re-entries, give or
** take one, rather than a binomial count that may be far off for small N.
*/
static int
is_dup(uint64_t idx)
{
	uint64_t k, lo, hi, s;

	if (g_dup_bp == 0 || idx == 0)
		return 0;
	k = idx * g_dup_bp / 10000;
	lo = (k * 10000 + g_dup_bp - 1) / g_dup_bp;
	hi = ((k + 1) * 10000 + g_dup_bp - 1) / g_dup_bp;
	if (lo == 0)
		lo = 1;
	s = stream(k, 0x647570ULL);
	return idx == lo + below(&s, (unsigned)(hi - lo));
}

/* Write O's phone into R in a format other than O's own. */
static void
dup_phone(struct row *r, const struct lead *o, uint64_t *s)
{
	unsigned n = o->mobile ? NMF : NLF, fmt;
	struct sb b;

	fmt = (o->pfmt + 1 + below(s, n - 1)) % n;
	sb_init(&b, r->phone, sizeof r->phone);
	put_phone(&b, o, fmt);
}

/* Write O's email into R in other letter case and/or with spaces round it. */
static void
dup_email(struct row *r, const struct lead *o, uint64_t *s)
{
	char e[96], *p, *at;
	unsigned kase = below(s, 3), pad = below(s, 4);
	struct sb b;

	sb_init(&b, e, sizeof e);
	put_email(&b, o);
	at = strchr(e, '@');
	if (kase == 2 && pad == 0)
		kase = below(s, 2);		/* something must change */
	if (kase == 0) {			/* WANG.WEI12@163.COM */
		for (p = e; *p; p++)
			if (*p >= 'a' && *p <= 'z')
				*p = (char)(*p - 'a' + 'A');
	} else if (kase == 1) {			/* Wang.wei12@Gmail.Com */
		if (e[0] >= 'a' && e[0] <= 'z')
			e[0] = (char)(e[0] - 'a' + 'A');
		for (p = at + 1; *p; p++)	/* 12345678@QQ.COM */
			if (*p >= 'a' && *p <= 'z' &&
			    (p[-1] == '@' || p[-1] == '.' || e[0] < 'A'))
				*p = (char)(*p - 'a' + 'A');
	}
	sb_init(&b, r->email, sizeof r->email);
	sb_puts(&b, pad & 1 ? " " : "");
	sb_puts(&b, e);
	sb_puts(&b, pad & 2 ? "  " : "");
}

/* Write O's company into R with one or two of the re-entry changes. */
static void
dup_company(struct row *r, const struct lead *o, uint64_t *s)
{
	struct cform f = {o->suffix, 0, 0, 0};
	int has_ascii = strpbrk(sectors[o->sector].han,
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != NULL;
	unsigned i, nchange = chance(s, 30) ? 2 : 1;
	struct sb b;

	for (i = 0; i < nchange; i++)
		switch (below(s, 4)) {
		case 0:
			f.suffix = (o->suffix + 1 + below(s, NSUFFIX - 1)) %
			    NSUFFIX;
			break;
		case 1:
			f.bracket = 1 + below(s, 2);
			break;
		case 2:
			f.spaces = 1 + below(s, 4);
			break;
		default:
			if (has_ascii)
				f.fullwidth = 1;
			else
				f.bracket = 2;
			break;
		}
	sb_init(&b, r->company, sizeof r->company);
	put_company(&b, o, &f);
}

/*
** Build row IDX into R.  A duplicate regenerates its original O from
** O's index, takes one key from it written differently, and keeps its
** own person name (changed if it happens to match O's).
*/
static void
gen_row(uint64_t idx, struct row *r)
{
	struct lead l, o;
	uint64_t s, orig;
	unsigned kind;

	gen_lead(idx, &l);
	if (!is_dup(idx)) {
		render(r, &l);
		return;
	}
	s = stream(idx, 0x6f726967ULL);
	for (orig = below(&s, (unsigned)idx); orig > 0 && is_dup(orig); orig--)
		;
	gen_lead(orig, &o);
	if (l.sur == o.sur && l.g1 == o.g1 && l.ngiven == o.ngiven &&
	    (l.ngiven == 1 || l.g2 == o.g2))
		l.g1 = (l.g1 + 1) % NELEM(given);
	kind = below(&s, 10);
	if (kind < 4) {
		if (chance(&s, 50))
			set_company(&l, o.cid);
		render(r, &l);
		dup_phone(r, &o, &s);
	} else if (kind < 7) {
		set_company(&l, o.cid);
		render(r, &l);
		dup_email(r, &o, &s);
	} else {
		set_company(&l, o.cid);
		render(r, &l);
		dup_company(r, &o, &s);
	}
}

/* Append field S to line B as CSV, quoting as src/lib/csv.c does. */
static void
put_csv_field(struct sb *b, const char *s)
{
	size_t n = strlen(s);

	if (n > 0 && strpbrk(s, ",\"\r\n") == NULL && s[0] != ' ' &&
	    s[n - 1] != ' ') {
		sb_putn(b, s, n);
		return;
	}
	sb_puts(b, "\"");
	for (; *s; s++) {
		if (*s == '"')
			sb_puts(b, "\"");
		sb_putn(b, s, 1);
	}
	sb_puts(b, "\"");
}

/* Write the fields of one line, TSV or CSV, ending in a newline. */
static void
put_line(const char *const *f, unsigned n, int csv)
{
	char line[1024];
	struct sb b;
	unsigned i;

	sb_init(&b, line, sizeof line);
	for (i = 0; i < n; i++) {
		if (i > 0)
			sb_puts(&b, csv ? "," : "\t");
		if (csv)
			put_csv_field(&b, f[i]);
		else
			sb_puts(&b, f[i]);	/* values hold no \t \n \r \\ */
	}
	sb_puts(&b, "\n");
	fwrite(line, 1, (size_t)(b.p - line), stdout);
}

/* Print the usage synopsis to F. */
static void
usage(FILE *f)
{
	fputs("usage: gen-leads [-h] [--csv] [--dup-rate PCT] [-n N]"
	    " [-s SEED]\n", f);
}

/* Print --help text to stdout. */
static void
help(void)
{
	usage(stdout);
	fputs("\nWrite N fictional Chinese sales leads (name, company, phone,"
	    " email,\nregion, industry, source) to stdout; the same N and SEED"
	    " always give\nthe same bytes.\n\n"
	    "  -n N            number of leads, 0..10000000 (default 1000)\n"
	    "  -s SEED         seed, 0..2^64-1 (default 1)\n"
	    "  --csv           write RFC 4180 CSV instead of TSV\n"
	    "  --dup-rate PCT  percent of leads that re-enter an earlier"
	    " lead,\n                  0..50, up to two decimals (default 3)\n"
	    "  -h, --help      print this help and exit\n", stdout);
}

/* Complain about the command line, printf-style, and exit 2. */
static void
bad_usage(const char *fmt, ...)
{
	va_list ap;

	fputs("gen-leads: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n", stderr);
	usage(stderr);
	exit(2);
}

/* Parse S as an unsigned decimal no greater than MAX, or exit 2. */
static uint64_t
parse_u64(const char *s, uint64_t max, const char *what)
{
	unsigned long long v;
	char *end;

	if (s == NULL)
		bad_usage("option %s needs a value", what);
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*s < '0' || *s > '9' || *end != '\0' || errno != 0 || v > max)
		bad_usage("bad value '%s' for %s", s, what);
	return v;
}

/* Parse a percentage 0..50 with at most two decimals into basis points. */
static unsigned
parse_pct(const char *s)
{
	unsigned long v = 0, frac = 0;
	int nfrac = 0;
	const char *p = s;

	if (s == NULL)
		bad_usage("option %s needs a value", "--dup-rate");
	if (*p < '0' || *p > '9')
		bad_usage("bad value '%s' for --dup-rate", s);
	for (; *p >= '0' && *p <= '9' && v <= 100; p++)
		v = v * 10 + (unsigned long)(*p - '0');
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9' && nfrac < 2; p++, nfrac++)
			frac = frac * 10 + (unsigned long)(*p - '0');
	if (*p != '\0' || (s[strlen(s) - 1] == '.'))
		bad_usage("bad value '%s' for --dup-rate", s);
	while (nfrac++ < 2)
		frac *= 10;
	v = v * 100 + frac;
	if (v > MAX_DUP_BP)
		bad_usage("--dup-rate must be 0..50, got '%s'", s);
	return (unsigned)v;
}

/* Parse the options, then write the header and N rows; see the top. */
int
main(int argc, char **argv)
{
	static const char *const header[] = {
		"name", "company", "phone", "email", "region", "industry",
		"source"
	};
	static char obuf[1 << 20];
	uint64_t n = 1000, i;
	int csv = 0, a;
	struct row r;

	g_seed = 1;
	g_dup_bp = 300;
	for (a = 1; a < argc; a++) {
		const char *arg = argv[a];

		if (strcmp(arg, "--") == 0) {
			a++;
			break;
		} else if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
			help();
			return fflush(stdout) == 0 ? 0 : 1;
		} else if (strcmp(arg, "--csv") == 0)
			csv = 1;
		else if (strcmp(arg, "-n") == 0)
			n = parse_u64(argv[++a], MAX_ROWS, "-n");
		else if (strcmp(arg, "-s") == 0)
			g_seed = parse_u64(argv[++a], UINT64_MAX, "-s");
		else if (strcmp(arg, "--dup-rate") == 0)
			g_dup_bp = parse_pct(argv[++a]);
		else if (strncmp(arg, "--dup-rate=", 11) == 0)
			g_dup_bp = parse_pct(arg + 11);
		else if (arg[0] == '-' && arg[1] != '\0')
			bad_usage("unknown option '%s'", arg);
		else
			break;
	}
	if (a < argc)
		bad_usage("unexpected argument '%s'", argv[a]);

	setvbuf(stdout, obuf, _IOFBF, sizeof obuf);
	init_perms();
	put_line(header, NELEM(header), csv);
	for (i = 0; i < n; i++) {
		const char *f[7];

		gen_row(i, &r);
		f[0] = r.name;
		f[1] = r.company;
		f[2] = r.phone;
		f[3] = r.email;
		f[4] = r.region;
		f[5] = r.industry;
		f[6] = r.source;
		put_line(f, NELEM(f), csv);
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		if (errno == EPIPE) {
			signal(SIGPIPE, SIG_DFL);
			raise(SIGPIPE);
		}
		fprintf(stderr, "gen-leads: write error on stdout: %s\n",
		    strerror(errno));
		return 1;
	}
	return 0;
}
