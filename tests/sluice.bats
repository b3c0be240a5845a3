#!/usr/bin/env bats
# sluice.bats - the front: `sluice CMD` runs `sluice-CMD`.

load lib

@test "sluice --version" {
	run sluice --version
	expect_status 0
	[ "$output" = "sluice 0.1.0" ]
}

@test "sluice ingest runs sluice-ingest with the same arguments, input and status" {
	printf 'a\n1\n' > t.csv
	diff <(sluice ingest t.csv) <(sluice-ingest t.csv)
	diff <(printf 'a\n1\n' | sluice ingest -f csv) <(printf 'a\n1\n' | sluice-ingest -f csv)
	run sluice ingest --version
	[ "$output" = "sluice-ingest 0.1.0" ]
	run sluice ingest nowhere.csv
	expect_status 66
	expect_match '^sluice-ingest: nowhere.csv: cannot open'
}

@test "without arguments sluice prints its usage and the commands, exit 64" {
	run --separate-stderr sluice
	expect_status 64
	[[ "$stderr" == *"usage: sluice COMMAND"* ]]
	[[ "$stderr" == *"  ingest"* ]]
}

@test "--help lists the installed commands on stdout" {
	run sluice --help
	expect_status 0
	expect_line "  ingest"
}

@test "an unknown command is a usage error" {
	for cmd in frobnicate ../bin/sh -x 'a b'; do
		run sluice "$cmd"
		[ "$status" -eq 64 ] || fail "$cmd: status $status"
	done
}

@test "sluice help CMD shows the manual page" {
	export MANPAGER=cat PAGER=cat MANWIDTH=80
	run sluice help ingest
	expect_status 0
	expect_match 'sluice-ingest .* turn CSV, JSON'
	expect_match 'EXIT STATUS'
	run sluice help stream
	expect_status 0
	expect_match 'the record stream of sluice'
	run sluice help overview
	expect_status 0
	expect_match 'small Unix filters'
	run sluice help
	expect_status 0
	expect_match 'run a sluice tool'
}

@test "sluice help of an unknown page is a usage error" {
	run sluice help nosuchtool
	expect_status 64
	expect_match 'no manual page for "nosuchtool"'
}
