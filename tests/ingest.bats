#!/usr/bin/env bats
# ingest.bats - what sluice-ingest owes every user whatever the format:
# options, the run description, ids, reproducibility, output, metrics,
# liveness.

load lib

@test "--help prints the usage on stdout and exits 0" {
	run sluice-ingest --help
	expect_status 0
	expect_line "usage: sluice-ingest [options] [FILE | FOLDER ...]"
	expect_match "See sluice-ingest\(1\)"
}

@test "--version prints the name and version" {
	run sluice-ingest --version
	expect_status 0
	[ "$output" = "sluice-ingest 0.1.0" ]
}

@test "usage errors exit 64 and point at --help" {
	while IFS='|' read -r args message; do
		run sluice-ingest $args
		[ "$status" -eq 64 ] || fail "$args: status $status, want 64"
		[[ "$output" == *"$message"* ]] || fail "$args: '$output' lacks '$message'"
		[[ "$output" == *"Try 'sluice-ingest --help'"* ]] || fail "$args: no hint"
	done <<-'TABLE'
	--bogus|unknown option '--bogus'
	-Q|unknown option '-Q'
	--format|option '--format' needs an argument
	-f xml|unknown format "xml"
	--max-errors -1|--max-errors: "-1" is not a non-negative integer
	--classification secret|--classification wants public, internal
	--ragged maybe|--ragged wants error or pad
	--encoding ebcdic|--encoding wants utf-8 or latin1
	--delimiter ab|--delimiter wants one character
	--jobs 0|--jobs wants 1 to 64
	--no-header --header a,b|--no-header and --header exclude each other
	TABLE
}

@test "an input that cannot be opened exits 66 before any output" {
	run --separate-stderr sluice-ingest "$FIXTURES/man/customers.csv" missing.csv
	expect_status 66
	[ -z "$output" ] || fail "stdout should be empty, got: $output"
	[[ "$stderr" == "sluice-ingest: missing.csv: cannot open: No such file or directory" ]]
}

@test "the stream starts with a warcinfo record describing the run" {
	sluice-ingest -c confidential "$FIXTURES/man/customers.csv" > out.warc
	run streamcat -f '#,WARC-Type,Content-Type,WARC-Date' out.warc
	[ "${lines[0]}" = $'1\twarcinfo\tapplication/warc-fields\t2023-11-14T22:13:20.000000Z' ]
	run streamcat -p out.warc
	expect_match '^software: sluice-ingest/0\.1\.0'
	expect_match 'sluice-step: ingest'
	expect_match 'sluice-args: \["-c","confidential","/[^"]*/customers\.csv"\]'
	expect_match 'sluice-started: 2023-11-14T22:13:20\.000000Z'
	expect_match 'format: WARC File Format 1\.1'
	run_id=$(streamcat -p out.warc | sed -n 's/^sluice-run: \([0-9a-f-]*\).$/\1/p')
	[ -n "$run_id" ]
	# the record id of the warcinfo is the run id, and every record's
	# lineage line names it
	run streamcat -f WARC-Record-ID out.warc
	[ "${lines[0]}" = "<urn:uuid:$run_id>" ]
	run streamcat -d -f Sluice-Lineage out.warc
	[ "${#lines[@]}" -eq 3 ]
	for l in "${lines[@]}"; do
		[ "$l" = "ingest sluice-ingest/0.1.0 run=$run_id" ] || fail "lineage: $l"
	done
}

@test "data records carry the fields of sluice-stream(5) in a fixed order" {
	printf '{"a":1}\n' | sluice-ingest -f jsonl --source-uri test://x > out.warc
	run streamcat -d -f 'WARC-Type,WARC-Record-ID,WARC-Target-URI,Content-Type,Content-Length,WARC-Block-Digest,Sluice-Event-Time,Sluice-Classification' out.warc
	# the id is uuid5(sluice namespace, "test://x#line=0,1\n" + sha256 bytes),
	# computed independently with Python's uuid module
	[ "$output" = $'resource\t<urn:uuid:56d7788a-c38b-59b8-8002-9b3aa2f12f75>\ttest://x#line=0,1\tapplication/json\t7\tsha256:015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862\t2023-11-14T22:13:20Z\tinternal' ]
	tr -d '\r' < out.warc | awk '/^WARC-Type: resource/ { on = 1 } on && /^$/ { exit } on { sub(/:.*/, ""); print }' > order
	diff order - <<-'EOF'
	WARC-Type
	WARC-Record-ID
	WARC-Date
	WARC-Target-URI
	Content-Type
	Content-Length
	WARC-Block-Digest
	Sluice-Event-Time
	Sluice-Classification
	Sluice-Lineage
	EOF
}

@test "SOURCE_DATE_EPOCH makes two runs byte-identical" {
	sluice-ingest "$FIXTURES/man/customers.csv" > a.warc
	sluice-ingest "$FIXTURES/man/customers.csv" > b.warc
	cmp a.warc b.warc
}

@test "without SOURCE_DATE_EPOCH run ids differ but record ids do not" {
	unset SOURCE_DATE_EPOCH
	sluice-ingest "$FIXTURES/man/customers.csv" > a.warc
	sluice-ingest "$FIXTURES/man/customers.csv" > b.warc
	[ "$(streamcat -d -f WARC-Record-ID a.warc)" = "$(streamcat -d -f WARC-Record-ID b.warc)" ]
	[ "$(streamcat -f WARC-Record-ID a.warc | head -n 1)" != "$(streamcat -f WARC-Record-ID b.warc | head -n 1)" ]
	# and the capture time is now, with microseconds
	streamcat -f WARC-Date a.warc | head -n 1 | grep -Eq '^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{6}Z$'
}

@test "a malformed SOURCE_DATE_EPOCH is a usage error" {
	SOURCE_DATE_EPOCH=yesterday run sluice-ingest "$FIXTURES/man/customers.csv"
	expect_status 64
	expect_match 'SOURCE_DATE_EPOCH "yesterday" is not a number'
}

# The records of two runs with different arguments, run ids blanked.
same_records() {
	diff <(streamcat -d -p -f WARC-Record-ID,WARC-Target-URI "$1") \
	    <(streamcat -d -p -f WARC-Record-ID,WARC-Target-URI "$2")
	diff <(sed -n 's/run=[0-9a-f-]*/run=/; /^WARC-Type: resource/,$p' "$1") \
	    <(sed -n 's/run=[0-9a-f-]*/run=/; /^WARC-Type: resource/,$p' "$2")
}

@test "-o FILE holds what stdout would" {
	sluice-ingest "$FIXTURES/man/customers.csv" > stdout.warc
	sluice-ingest -o file.warc "$FIXTURES/man/customers.csv"
	same_records stdout.warc file.warc
	[ "$(streamcat -c file.warc)" = 4 ]
}

@test "-o FILE is not created when the run fails" {
	printf 'a,b\n1,2\n3\n' > bad.csv
	run sluice-ingest -o out.warc bad.csv
	expect_status 65
	[ ! -e out.warc ] || fail "out.warc exists after a failed run"
	[ -z "$(ls -A | grep -v '^bad.csv$')" ] || fail "left behind: $(ls -A)"
}

@test "-o FILE replaces an older FILE only on success" {
	echo old > out.warc
	printf 'a\n1\n' > good.csv
	printf 'a,b\n1\n' > bad.csv
	run sluice-ingest -o out.warc bad.csv
	expect_status 65
	[ "$(cat out.warc)" = old ]
	sluice-ingest -o out.warc good.csv
	[ "$(streamcat -c out.warc)" = 2 ]
}

@test "-z writes one gzip member per record" {
	sluice-ingest -z "$FIXTURES/man/customers.csv" > out.warc.gz
	gzip -t out.warc.gz
	sluice-ingest "$FIXTURES/man/customers.csv" > plain.warc
	zcat out.warc.gz > unzipped.warc
	same_records unzipped.warc plain.warc
	# every record begins a gzip member: the magic bytes appear 4 times
	[ "$(od -An -v -tx1 out.warc.gz | tr -s ' \n' ' ' | grep -o '1f 8b 08' | wc -l)" -eq 4 ]
	# and the stream reader reads it back
	[ "$(streamcat -c out.warc.gz)" = 4 ]
}

@test "--metrics writes Prometheus counters, also when the run fails" {
	printf 'a,b\n1,2\n3,4\n' > good.csv
	sluice-ingest --metrics m.prom good.csv > /dev/null
	grep -qx 'sluice_records_in_total{tool="sluice-ingest"} 2' m.prom
	grep -qx 'sluice_records_out_total{tool="sluice-ingest"} 2' m.prom
	grep -qx 'sluice_records_rejected_total{tool="sluice-ingest"} 0' m.prom
	grep -qx 'sluice_exit_status{tool="sluice-ingest"} 0' m.prom
	grep -qx '# TYPE sluice_records_in_total counter' m.prom
	grep -qx 'sluice_ingest_sources_total{tool="sluice-ingest"} 1' m.prom
	printf 'a,b\n1,2\n3\n' > bad.csv
	run sluice-ingest --metrics m.prom bad.csv
	expect_status 65
	grep -qx 'sluice_exit_status{tool="sluice-ingest"} 65' m.prom
	grep -qx 'sluice_records_rejected_total{tool="sluice-ingest"} 1' m.prom
}

@test "-q silences warnings but not errors" {
	printf 'a,b\n1,2\n3\n4,5\n' > bad.csv
	run --separate-stderr sluice-ingest --max-errors 5 bad.csv
	expect_status 0
	[[ "$stderr" == *"row 3 at byte 8: 1 field, expected 2"*"(skipped)"* ]] || fail "stderr: $stderr"
	run --separate-stderr sluice-ingest -q --max-errors 5 bad.csv
	expect_status 0
	[ -z "$stderr" ] || fail "-q printed: $stderr"
	run --separate-stderr sluice-ingest -q bad.csv
	expect_status 65
	[ "$stderr" = "sluice-ingest: bad.csv: row 3 at byte 8: 1 field, expected 2 (the header has 2 columns; see --ragged pad)" ]
}

@test "--classification sets the level of every data record" {
	for level in public internal confidential restricted; do
		run streamcat -d -f Sluice-Classification < <(sluice-ingest -c "$level" "$FIXTURES/man/customers.csv")
		[ "${#lines[@]}" -eq 3 ] && [ "${lines[0]}" = "$level" ] && [ "${lines[2]}" = "$level" ] ||
		    fail "$level: $output"
	done
}

@test "a record leaves before ingest waits for more input" {
	mkfifo in
	sluice-ingest -f jsonl < in > out.warc &
	pid=$!
	exec 5> in
	printf '{"first":1}\n' >&5
	# the record must reach the output while the input stays open
	for i in $(seq 50); do
		grep -aq '{"first":1}' out.warc && break
		sleep 0.1
	done
	grep -aq '{"first":1}' out.warc || fail "the record was held back"
	printf '{"second":2}\n' >&5
	exec 5>&-
	wait "$pid"
	[ "$(streamcat -c out.warc)" = 3 ]
}

@test "stdin is read when there is no operand, and named by --source-uri" {
	run streamcat -d -f WARC-Target-URI < <(printf 'a\n1\n' | sluice-ingest -f csv)
	[ "$output" = "urn:sluice:stdin#row=2" ]
	run streamcat -d -f WARC-Target-URI < <(printf 'a\n1\n' | sluice-ingest -f csv --source-uri s3://bucket/a.csv -)
	[ "$output" = "s3://bucket/a.csv#row=2" ]
	run sluice-ingest --source-uri 'a b' -
	expect_status 64
}

@test "several operands make one stream with one warcinfo" {
	printf 'a\n1\n' > one.csv
	printf '{"b":2}\n' > two.jsonl
	run streamcat -f WARC-Type,WARC-Target-URI < <(sluice-ingest one.csv two.jsonl)
	[ "${#lines[@]}" -eq 3 ]
	[ "${lines[0]}" = $'warcinfo\t-' ]
	[[ "${lines[1]}" == $'resource\tfile://'*/one.csv#row=2 ]]
	[[ "${lines[2]}" == $'resource\tfile://'*/two.jsonl#line=0,1 ]]
}

@test "a progress line shows on a terminal only, and not with --no-progress" {
	command -v script >/dev/null || skip "script(1) is not installed"
	lines_of() { awk -v n="$1" -v s="$2" 'BEGIN { for (i = s; i < s + n; i++) printf "{\"i\":%d}\n", i }'; }
	for opts in "" "--no-progress" "-q"; do
		rm -f fifo tty.out
		mkfifo fifo
		{ lines_of 6000 0; sleep 0.6; lines_of 6000 6000; } > fifo &
		script -qec "sluice-ingest $opts -f jsonl fifo > out.warc" tty.out > /dev/null
		wait
		[ "$(streamcat -c out.warc)" = 12001 ]
		if [ -z "$opts" ]; then
			grep -aq 'sluice-ingest: [0-9,]* records, [0-9]* MB' tty.out ||
			    fail "no progress line on the terminal: $(cat -v tty.out)"
		elif grep -aq 'records, ' tty.out; then
			fail "$opts: a progress line anyway: $(cat -v tty.out)"
		fi
	done
	# never on a pipe or a file
	lines_of 20000 0 | sluice-ingest -f jsonl 2> err > /dev/null
	[ ! -s err ]
}

@test "liveness: sniffed stdin, a JSON array element, a quoted CSV row and an LF-only WARC record each leave before more input comes" {
	# each row: format option, what to write first (one whole record), what
	# marks it in the output
	while IFS='|' read -r opts first mark; do
		rm -f in out.warc
		mkfifo in
		sluice-ingest $opts < in > out.warc &
		pid=$!
		exec 5> in
		printf '%b' "$first" >&5
		for i in $(seq 50); do
			grep -aq -- "$mark" out.warc && break
			sleep 0.1
		done
		grep -aq -- "$mark" out.warc || fail "$opts: the first record was held back"
		exec 5>&-
		wait "$pid" || true
	done <<-'TABLE'
	|{"sniffed":1}\n|{"sniffed":1}
	-f json|[{"element":1},|{"element":1}
	-f csv|a,b\n"x, quoted",2\n|x, quoted
	-f warc|WARC/1.1\nWARC-Type: resource\nWARC-Record-ID: <urn:uuid:11111111-1111-4111-8111-111111111111>\nWARC-Date: 2026-11-24T00:00:00Z\nContent-Length: 9\n\nlf-record\n\n|lf-record
	TABLE
}

@test "-o to a FIFO or a device writes into it, never replaces it" {
	mkfifo fifo
	cat fifo > got.warc &
	sluice-ingest -o fifo "$FIXTURES/man/customers.csv"
	wait
	[ -p fifo ] || fail "the FIFO was replaced"
	[ "$(streamcat -c got.warc)" = 4 ]
	sluice-ingest -o /dev/null "$FIXTURES/man/customers.csv"
	[ -c /dev/null ] || fail "/dev/null is no longer a device"
}

@test "a signal removes -o's temporary file and leaves no output" {
	mkfifo in
	sluice-ingest -f jsonl -o out.warc < in &
	pid=$!
	exec 5> in
	printf '{"a":1}\n' >&5
	for i in $(seq 50); do
		ls -A | grep -q '^\.out\.warc\.tmp\.' && break
		sleep 0.1
	done
	kill -TERM "$pid"
	wait "$pid" && fail "the run did not end by the signal" || true
	exec 5>&-
	[ -z "$(ls -A | grep -v '^in$')" ] || fail "left behind: $(ls -A)"
}

@test "an empty sniffed input gives no record and says so" {
	sluice-ingest < /dev/null > out.warc 2> err
	[ "$(cat err)" = "sluice-ingest: stdin: empty input, no records" ]
	[ "$(streamcat -c out.warc)" = 1 ]
}

@test "option values that wrap or flags given values are usage errors" {
	run sluice-ingest --jobs 4294967297 x
	expect_status 64
	expect_match -- '--jobs wants 1 to 64'
	run sluice-ingest --no-header=x x
	expect_status 64
	expect_match "option '--no-header' takes no argument"
}

@test "--metrics that cannot be written is an output error (74), in every filter" {
	printf 'a\n1\n' > t.csv
	problems=()
	run sluice-ingest --metrics /dev/full t.csv
	[ "$status" -eq 74 ] || problems+=("ingest: exit $status, not 74")
	sluice-ingest t.csv > t.warc
	for cmd in "sluice-transform ." "sluice-tag-lineage --set classification=internal" \
	    "sluice-drift --save p.prof"; do
		run $cmd --metrics /dev/full t.warc
		[ "$status" -eq 74 ] || problems+=("$cmd: exit $status, not 74")
		[[ "$output" == *"cannot write metrics"* ]] ||
		    problems+=("$cmd: no message: $output")
	done
	fail_all
}
