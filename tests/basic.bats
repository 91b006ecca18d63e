#!/usr/bin/env bats
# Every program: --help, --version, a bad option, and the front end.

load helpers

progs() {
	for p in "$CRM_BIN"/crm-*; do basename "$p"; done
}

@test "every program prints --help to stdout and exits 0" {
	for p in $(progs); do
		run_split "$p" --help
		assert_status 0
		[[ "$output" == *"usage: $p"* ]] || { echo "$p: no usage line"; return 1; }
		[ -z "$stderr" ]
	done
}

@test "every program prints --version" {
	for p in $(progs) crm; do
		run "$p" --version
		assert_status 0
		[[ "$output" =~ ^$p\ [0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "$p: $output"; return 1; }
	done
}

@test "a bad option exits 2 with a message on stderr and nothing on stdout" {
	for p in $(progs); do
		run_split "$p" --no-such-option
		assert_status 2
		[ -z "$output" ]
		[[ "$stderr" == *"unknown option '--no-such-option'"* ]]
	done
}

@test "long options are never abbreviated" {
	run_split crm-lead list --regio 华东
	assert_status 2
	[[ "$stderr" == *"unknown option '--regio'"* ]]
}

@test "crm runs crm-NAME and lists commands" {
	run crm lead --version
	assert_status 0
	[[ "$output" == "crm-lead "* ]]
	run crm --help
	assert_status 0
	[[ "$output" == *"lead"* ]]
	run_split crm no-such-command
	assert_status 2
	[[ "$stderr" == *"'no-such-command' is not a crm command"* ]]
}

@test "crm help NAME shows the command's help when not on a terminal" {
	run crm help lead
	assert_status 0
	[[ "$output" == *"usage: crm-lead"* ]]
}

@test "a write to a closed pipe ends quietly, killed by SIGPIPE" {
	# 4,000 leads of about 100 bytes: far more than a pipe (64 KiB) and
	# the output buffer hold, so the writer must meet the closed pipe.
	awk 'BEGIN { print "name,company,phone"
		for (i = 1; i <= 4000; i++)
			printf "联系人%d,某某某科技有限公司第%d分公司,139%08d\n", i, i, i }' >big.csv
	crm-lead import --csv -q big.csv >/dev/null
	[ "$(crm-lead list | wc -c)" -gt 300000 ]
	run bash -c 'crm-lead list 2>err | head -1 >/dev/null; echo "${PIPESTATUS[0]}"; cat err'
	[ "${lines[0]}" = 141 ]
	[ "${#lines[@]}" -eq 1 ]
}
