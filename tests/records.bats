#!/usr/bin/env bats
# The record streams of crm-tsv(5) as other tools see them: what we write,
# Miller, Python's csv module and sqlite3 read exactly, and what they
# write back, we read exactly.  Also the common output options.

load helpers

# Two leads: A has no email, no owner and no score (NULL in the database).
seed_two() {
	printf 'name\tphone\temail\nA\t13800000001\t\nB\t13800000002\tb@x.cn\n' |
	    crm-lead import -q >/dev/null
}

@test "NULL is an empty field by default; --null '\\N' writes \\N" {
	seed_two
	run_split crm-lead list
	assert_status 0
	[ "$(field 1 email <<<"$output")" = '' ]
	[ "$(field 1 owner <<<"$output")" = '' ]
	[ "$(field 2 email <<<"$output")" = 'b@x.cn' ]
	# the row of A, field by field: id name company phone email region
	# industry source status owner pool score created_at
	[ "$(sed -n 2p <<<"$output")" = "1	A		13800000001					lead				$CRM_NOW" ]
	run_split crm-lead list --null '\N'
	assert_status 0
	[ "$(sed -n 2p <<<"$output")" = "1	A	\\N	13800000001	\\N	\\N	\\N	\\N	lead	\\N	\\N	\\N	$CRM_NOW" ]
	run_split crm-lead list --csv --null NULL
	assert_status 0
	[ "$(sed -n 2p <<<"$output")" = "1,A,NULL,13800000001,NULL,NULL,NULL,NULL,lead,NULL,NULL,NULL,$CRM_NOW" ]
	# \N is still read as NULL: no value given, so B keeps its email
	printf 'id\temail\n2\t\\N\n' | crm-lead update -q >/dev/null
	[ "$(sql 'SELECT email FROM customers WHERE id = 2')" = b@x.cn ]
	run_split crm-lead list --null "$(printf 'a\tb')"
	assert_status 2
	[[ "$stderr" == *"--null: TEXT may not hold a tab or a line break"* ]]
}

@test "crm-lead list | mlr --tsv put '\$score=5' | crm-lead update" {
	command -v mlr >/dev/null || skip "miller is not installed"
	seed_two
	run_split sh -c "crm-lead list | mlr --tsv put '\$score=5' | crm-lead update -q"
	assert_status 0
	[ "$(sql 'SELECT id, score, owner_id IS NULL, email IS NULL FROM customers ORDER BY id')" = "1	5	1	1
2	5	1	0" ]
}
