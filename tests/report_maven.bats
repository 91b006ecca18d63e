#!/usr/bin/env bats
# crm-report on a real published pipeline: Maven Analytics' "CRM Sales
# Opportunities" (8,800 opportunities of 35 agents under 6 managers;
# $CRM_TESTDATA/maven_crm, Public Domain, see its README.md).  The CSV
# files are loaded into a crm database as crm-deal would keep them, and
# every figure of performance and funnel is compared, row by row, with
# the same figure computed here in SQL straight from the CSV tables.
#
# The mapping (crm has no such sample of its own):
#   agent -> user (login: the name in lower case, "." for blanks), a rep
#   in the team named after its manager; account -> customer (office
#   location as region, sector as industry; one "(no account)" customer
#   for the open opportunities without one), created 2016-10-01;
#   opportunity -> deal in USD: Prospecting -> new, Engaging -> qualified
#   since engage_date, Won and Lost -> qualified from engage_date to
#   close_date, then won or lost; the amount is close_value for a closed
#   deal, the product's list price for an open one (GTXPro is GTX Pro);
#   a Prospecting one, which has no date, was created when the data ends
#   (2018-01-01, the clock of the test).  Targets: every agent 200000.00
#   a quarter of 2017, every team 1500000.00 for 2017.

load helpers

local_setup() {
	skip_on postgresql "the data set is loaded with sqlite3's .import and the figures checked in SQLite's SQL"
	export CRM_USER=boss CRM_NOW=2018-01-01T00:00:00Z
	MAVEN=$TESTDATA/maven_crm
	if [ ! -f "$MAVEN/sales_pipeline.csv" ]; then
		echo "no $MAVEN/sales_pipeline.csv (set CRM_TESTDATA)"
		return 1
	fi
	load_maven
}

# load_maven: the CSV files into m_* tables, and from them into crm's.
load_maven() {
	crm-db init --timezone UTC -q >/dev/null
	sqlite3 -bail "$CRM_DB" <<-EOF
	CREATE TABLE m_teams (sales_agent TEXT, manager TEXT, regional_office TEXT);
	CREATE TABLE m_accounts (account TEXT, sector TEXT, year_established TEXT,
	 revenue TEXT, employees TEXT, office_location TEXT, subsidiary_of TEXT);
	CREATE TABLE m_products (product TEXT, series TEXT, sales_price INTEGER);
	CREATE TABLE m_pipe (opportunity_id TEXT, sales_agent TEXT, product TEXT,
	 account TEXT, deal_stage TEXT, engage_date TEXT, close_date TEXT,
	 close_value TEXT);
	.import --csv --skip 1 $MAVEN/sales_teams.csv m_teams
	.import --csv --skip 1 $MAVEN/accounts.csv m_accounts
	.import --csv --skip 1 $MAVEN/products.csv m_products
	.import --csv --skip 1 $MAVEN/sales_pipeline.csv m_pipe
	EOF
	sqlite3 -bail "$CRM_DB" <<-'EOF'
	INSERT INTO config VALUES ('test-clock', 'on');
	INSERT INTO users (login, role, created_at) VALUES
	 ('boss', 'admin', '2016-01-01T00:00:00Z');
	INSERT INTO teams (name, created_at) SELECT DISTINCT manager,
	 '2016-01-01T00:00:00Z' FROM m_teams ORDER BY manager;
	INSERT INTO users (login, name, team_id, role, created_at)
	 SELECT lower(replace(sales_agent, ' ', '.')), sales_agent,
	 (SELECT id FROM teams WHERE name = manager), 'rep', '2016-01-01T00:00:00Z'
	 FROM m_teams ORDER BY sales_agent;
	INSERT INTO customers (name, company, region, industry, status,
	 created_at, updated_at)
	 SELECT account, account, office_location, sector, 'lead',
	 '2016-10-01T00:00:00Z', '2016-10-01T00:00:00Z' FROM m_accounts;
	INSERT INTO customers (name, company, status, created_at, updated_at)
	 VALUES ('(no account)', '(no account)', 'lead', '2016-10-01T00:00:00Z',
	 '2016-10-01T00:00:00Z');
	CREATE TEMP TABLE d AS SELECT p.rowid AS id, p.*,
	 (SELECT id FROM users WHERE name = p.sales_agent) AS owner,
	 coalesce((SELECT id FROM customers WHERE name = p.account),
	  (SELECT id FROM customers WHERE name = '(no account)')) AS customer,
	 CASE WHEN p.deal_stage IN ('Won', 'Lost') THEN CAST(p.close_value AS INTEGER) * 100
	  ELSE (SELECT sales_price FROM m_products
	   WHERE product = replace(p.product, 'GTXPro', 'GTX Pro')) * 100 END AS amount,
	 CASE p.deal_stage WHEN 'Prospecting' THEN 1 WHEN 'Engaging' THEN 2
	  WHEN 'Won' THEN 5 ELSE 6 END AS stage,
	 CASE WHEN p.engage_date = '' THEN '2018-01-01T00:00:00Z'
	  ELSE p.engage_date || 'T00:00:00Z' END AS created,
	 CASE WHEN p.close_date = '' THEN NULL
	  ELSE p.close_date || 'T00:00:00Z' END AS closed
	 FROM m_pipe p;
	INSERT INTO deals (id, customer_id, owner_id, title, external_id, product,
	 amount, currency, stage_id, stage_since, closed_at, created_at)
	 SELECT id, customer, owner, opportunity_id, opportunity_id, product,
	 amount, 'USD', stage, coalesce(closed, created), closed, created FROM d;
	INSERT INTO deal_stages (deal_id, stage_id, entered_at, left_at)
	 SELECT id, CASE WHEN stage = 1 THEN 1 ELSE 2 END, created, closed FROM d;
	INSERT INTO deal_stages (deal_id, stage_id, entered_at, left_at)
	 SELECT id, stage, closed, NULL FROM d WHERE stage IN (5, 6);
	INSERT INTO targets (user_id, period, amount, currency)
	 SELECT u.id, q.p, 20000000, 'USD' FROM users u, (SELECT '2017-Q1' AS p
	 UNION SELECT '2017-Q2' UNION SELECT '2017-Q3' UNION SELECT '2017-Q4') q
	 WHERE u.role = 'rep';
	INSERT INTO targets (team_id, period, amount, currency)
	 SELECT id, '2017', 150000000, 'USD' FROM teams;
	EOF
}

@test "the CSV files load completely" {
	[ "$(sql 'SELECT count(*) FROM deals')" = 8800 ]
	[ "$(sql 'SELECT count(*) FROM users WHERE role = "rep"')" = 35 ]
	[ "$(sql "SELECT count(*) FROM deals d JOIN stages s ON s.id = d.stage_id WHERE s.outcome = 'won'")" = 4238 ]
	[ "$(sql 'SELECT count(*) FROM deals WHERE amount IS NULL OR owner_id IS NULL')" = 0 ]
	run_split crm-db check
	assert_status 0
	[ "$output" = $'check\tentity\tid\tproblem' ]
}

# Every agent's won and lost deals, won amount, win rate, average deal,
# average cycle (engage to close) and target, by quarter of 2017.
@test "performance by agent and quarter: every figure equals SQL over the CSV" {
	run_split crm-report performance --by owner,quarter --period 2017
	assert_status 0
	[ "$(sed -n 1p <<<"$output")" = "$(printf '%s\t' owner team quarter \
	    currency new_leads new_customers calls visits activities deals_won \
	    deals_lost won_amount win_rate avg_deal avg_cycle_days target achieved \
	    left_to_target | sed 's/\t$//')" ]
	[ "$(wc -l <<<"$output")" = 141 ]	# 35 agents, 4 quarters
	sqlite3 -separator $'\t' "$CRM_DB" >want <<-'EOF'
	WITH q(n) AS (VALUES (1), (2), (3), (4)),
	c AS (SELECT sales_agent AS a, (CAST(substr(close_date, 6, 2) AS INTEGER) + 2) / 3 AS n,
	  deal_stage = 'Won' AS won, CAST(close_value AS INTEGER) * 100 AS cents,
	  CAST(julianday(close_date) - julianday(engage_date) AS INTEGER) AS days
	  FROM m_pipe WHERE deal_stage IN ('Won', 'Lost') AND close_date >= '2017-01-01'
	  AND close_date < '2018-01-01'),
	g AS (SELECT a, n, sum(won) AS won, sum(NOT won) AS lost,
	  sum(CASE WHEN won THEN cents ELSE 0 END) AS cents,
	  sum(CASE WHEN won THEN days ELSE 0 END) AS days FROM c GROUP BY a, n),
	r AS (SELECT lower(replace(t.sales_agent, ' ', '.')) AS login, t.manager, q.n,
	  coalesce(g.won, 0) AS won, coalesce(g.lost, 0) AS lost,
	  coalesce(g.cents, 0) AS cents, coalesce(g.days, 0) AS days, 20000000 AS target
	  FROM m_teams t CROSS JOIN q LEFT JOIN g ON g.a = t.sales_agent AND g.n = q.n)
	SELECT login, manager, '2017-Q' || n, 'USD', 0, 0, 0, 0, 0, won, lost,
	  printf('%d.%02d', cents / 100, cents % 100),
	  CASE WHEN won + lost = 0 THEN '' ELSE printf('%d.%04d',
	   ((won * 20000 + won + lost) / (2 * (won + lost))) / 10000,
	   ((won * 20000 + won + lost) / (2 * (won + lost))) % 10000) END,
	  CASE WHEN won = 0 THEN '' ELSE printf('%d.%02d',
	   ((cents * 2 + won) / (2 * won)) / 100, ((cents * 2 + won) / (2 * won)) % 100) END,
	  CASE WHEN won = 0 THEN '' ELSE printf('%d.%d',
	   ((days * 20 + won) / (2 * won)) / 10, ((days * 20 + won) / (2 * won)) % 10) END,
	  printf('%d.%02d', target / 100, target % 100),
	  printf('%d.%04d', ((cents * 20000 + target) / (2 * target)) / 10000,
	   ((cents * 20000 + target) / (2 * target)) % 10000),
	  printf('%d.%02d', max(target - cents, 0) / 100, max(target - cents, 0) % 100)
	  FROM r ORDER BY login, n;
	EOF
	tail -n +2 <<<"$output" | sed 's/\\N//g' >got
	diff -u want got
	# and the data is not trivial: 30 of the agents closed deals (5 have none)
	[ "$(awk -F'\t' '$10 + $11 > 0 { print $1 }' got | sort -u | wc -l)" = 30 ]
}

# The same for each manager's team over 2017, against its yearly target.
@test "performance by team for the year: every figure equals SQL over the CSV" {
	run_split crm-report performance --by team --period 2017
	assert_status 0
	[ "$(wc -l <<<"$output")" = 7 ]
	sqlite3 -separator $'\t' "$CRM_DB" >want <<-'EOF'
	WITH c AS (SELECT t.manager AS m, p.deal_stage = 'Won' AS won,
	  CAST(p.close_value AS INTEGER) * 100 AS cents,
	  CAST(julianday(p.close_date) - julianday(p.engage_date) AS INTEGER) AS days
	  FROM m_pipe p JOIN m_teams t ON t.sales_agent = p.sales_agent
	  WHERE p.deal_stage IN ('Won', 'Lost') AND p.close_date >= '2017-01-01'
	  AND p.close_date < '2018-01-01'),
	g AS (SELECT m, sum(won) AS won, sum(NOT won) AS lost,
	  sum(CASE WHEN won THEN cents ELSE 0 END) AS cents,
	  sum(CASE WHEN won THEN days ELSE 0 END) AS days, 150000000 AS target
	  FROM c GROUP BY m)
	SELECT m, 'USD', 0, 0, 0, 0, 0, won, lost,
	  printf('%d.%02d', cents / 100, cents % 100),
	  printf('%d.%04d', ((won * 20000 + won + lost) / (2 * (won + lost))) / 10000,
	   ((won * 20000 + won + lost) / (2 * (won + lost))) % 10000),
	  printf('%d.%02d', ((cents * 2 + won) / (2 * won)) / 100,
	   ((cents * 2 + won) / (2 * won)) % 100),
	  printf('%d.%d', ((days * 20 + won) / (2 * won)) / 10,
	   ((days * 20 + won) / (2 * won)) % 10),
	  printf('%d.%02d', target / 100, target % 100),
	  printf('%d.%04d', ((cents * 20000 + target) / (2 * target)) / 10000,
	   ((cents * 20000 + target) / (2 * target)) % 10000),
	  printf('%d.%02d', max(target - cents, 0) / 100, max(target - cents, 0) % 100)
	  FROM g ORDER BY m;
	EOF
	tail -n +2 <<<"$output" | sed 's/\\N//g' >got
	diff -u want got
}

# funnel_sql GROUP: the funnel computed from the CSV tables, one per
# value of GROUP (an SQL expression of the manager t.manager, or a constant),
# with GROUP's value first when WITHKEY is 1.  Prospecting deals reached
# new; Engaging, Won and Lost ones qualified (their engage_date); a won
# deal counts as having entered every open stage.  Finished stays: the
# qualified ones of closed deals, close_date - engage_date days.  Stalled:
# in the stage over 30 days at 2018-01-01 (an Engaging one since its
# engage_date; a Prospecting one was created then).
funnel_sql() {
	local group=$1 withkey=$2
	cat <<-EOF
	WITH st(pos, name, label) AS (VALUES (1, 'new', '初步接洽'),
	  (2, 'qualified', '需求确认'), (3, 'proposal', '方案报价'),
	  (4, 'negotiation', '谈判'), (5, 'won', '赢单'), (6, 'lost', '输单')),
	o AS (SELECT $group AS k, p.deal_stage AS s,
	  CASE p.deal_stage WHEN 'Prospecting' THEN 1 WHEN 'Engaging' THEN 2
	   WHEN 'Won' THEN 5 ELSE 6 END AS cur,
	  CASE p.deal_stage WHEN 'Prospecting' THEN 1 WHEN 'Won' THEN 4 ELSE 2 END AS reach,
	  CASE WHEN p.deal_stage IN ('Won', 'Lost') THEN CAST(p.close_value AS INTEGER) * 100
	   ELSE pr.sales_price * 100 END AS cents,
	  CASE WHEN p.deal_stage IN ('Won', 'Lost')
	   THEN CAST(julianday(p.close_date) - julianday(p.engage_date) AS INTEGER) END AS days,
	  p.deal_stage = 'Engaging' AND julianday('2018-01-01') - julianday(p.engage_date) > 30 AS stalled
	  FROM m_pipe p JOIN m_teams t ON t.sales_agent = p.sales_agent
	  JOIN m_products pr ON pr.product = replace(p.product, 'GTXPro', 'GTX Pro')),
	ks AS (SELECT DISTINCT k FROM o),
	e AS (SELECT ks.k, st.pos, st.name, st.label,
	  (SELECT count(*) FROM o WHERE o.k = ks.k AND o.cur = st.pos) AS now,
	  (SELECT coalesce(sum(cents), 0) FROM o WHERE o.k = ks.k AND o.cur = st.pos) AS cents,
	  (SELECT count(*) FROM o WHERE o.k = ks.k AND (CASE WHEN st.pos <= 4
	    THEN o.reach >= st.pos ELSE o.cur = st.pos END)) AS entered,
	  (SELECT count(*) FROM o WHERE o.k = ks.k AND o.cur = 5) AS won,
	  (SELECT count(*) FROM o WHERE o.k = ks.k AND o.cur = st.pos AND o.stalled) AS stalled
	  FROM ks CROSS JOIN st),
	r AS (SELECT k, days, ROW_NUMBER() OVER (PARTITION BY k ORDER BY days) - 1 AS i,
	  count(*) OVER (PARTITION BY k) AS n FROM o WHERE days IS NOT NULL),
	pc AS (SELECT DISTINCT r.k, p.p, (SELECT days FROM r x WHERE x.k = r.k
	   AND x.i = (r.n - 1) * p.p / 100) * 100 + ((r.n - 1) * p.p % 100) *
	   (coalesce((SELECT days FROM r x WHERE x.k = r.k AND x.i = (r.n - 1) * p.p / 100 + 1), 0)
	   - (SELECT days FROM r x WHERE x.k = r.k AND x.i = (r.n - 1) * p.p / 100)) AS v
	  FROM r CROSS JOIN (SELECT 50 AS p UNION SELECT 90) p),
	f AS (SELECT e.*, (SELECT entered FROM e x WHERE x.k = e.k AND x.pos = e.pos + 1) AS next,
	  CASE WHEN e.pos = 2 THEN (SELECT v FROM pc WHERE pc.k = e.k AND pc.p = 50) END AS p50,
	  CASE WHEN e.pos = 2 THEN (SELECT v FROM pc WHERE pc.k = e.k AND pc.p = 90) END AS p90
	  FROM e)
	SELECT $( [ "$withkey" = 1 ] && echo "k," ) name, label, 'USD', now,
	  printf('%d.%02d', cents / 100, cents % 100), entered,
	  CASE WHEN pos > 4 OR entered = 0 THEN '' ELSE printf('%d.%04d',
	   ((CASE WHEN pos = 4 THEN won ELSE next END * 20000 + entered) / (2 * entered)) / 10000,
	   ((CASE WHEN pos = 4 THEN won ELSE next END * 20000 + entered) / (2 * entered)) % 10000) END,
	  CASE WHEN pos > 4 OR entered = 0 THEN '' ELSE printf('%d.%04d',
	   ((won * 20000 + entered) / (2 * entered)) / 10000,
	   ((won * 20000 + entered) / (2 * entered)) % 10000) END,
	  CASE WHEN p50 IS NULL THEN '' WHEN p50 % 100 = 0 THEN p50 / 100
	   WHEN p50 % 10 = 0 THEN printf('%d.%d', p50 / 100, p50 % 100 / 10)
	   ELSE printf('%d.%02d', p50 / 100, p50 % 100) END,
	  CASE WHEN p90 IS NULL THEN '' WHEN p90 % 100 = 0 THEN p90 / 100
	   WHEN p90 % 10 = 0 THEN printf('%d.%d', p90 / 100, p90 % 100 / 10)
	   ELSE printf('%d.%02d', p90 / 100, p90 % 100) END,
	  CASE WHEN pos > 4 THEN '' ELSE stalled END
	  FROM f ORDER BY k, pos;
	EOF
}

@test "funnel: every figure of every stage equals SQL over the CSV" {
	run_split crm-report funnel
	assert_status 0
	[ "$(wc -l <<<"$output")" = 7 ]
	funnel_sql "'all'" 0 | sqlite3 -separator $'\t' "$CRM_DB" >want
	tail -n +2 <<<"$output" | sed 's/\\N//g' >got
	diff -u want got
	# the stages that matter hold something: 8,800 entered, 4,238 won
	[ "$(cut -f6 got | paste -sd' ')" = "8800 8300 4238 4238 4238 2473" ]
}

@test "funnel by team: every figure of every team's stages equals SQL over the CSV" {
	run_split crm-report funnel --by team
	assert_status 0
	[ "$(wc -l <<<"$output")" = 37 ]	# 6 teams, 6 stages
	funnel_sql t.manager 1 | sqlite3 -separator $'\t' "$CRM_DB" >want
	tail -n +2 <<<"$output" | sed 's/\\N//g' >got
	diff -u want got
}
