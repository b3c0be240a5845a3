#!/usr/bin/env bats
# validate-stream.bats - the stream-level rules (rows, freshness, null and
# invalid rates), gate mode, and hostile streams.

load lib
load fixtures/validate/helpers

# rows N: N JSON rows, every third one with a null email.
rows() {
	for i in $(seq "$1"); do
		if [ $((i % 3)) -eq 0 ]; then
			printf '{"id":%d,"email":null}\n' "$i"
		else
			printf '{"id":%d,"email":"u%d@example.org"}\n' "$i" "$i"
		fi
	done
}

# stream_contract BODY: a contract whose "stream" key is BODY.
stream_contract() {
	printf '{"contract":"s","version":"1","stream":%s}' "$1" >c.json
}

@test "rows: min and max, each way" {
	rows 5 | jsonl in5.warc
	: | jsonl in0.warc
	while IFS='|' read -r in rule want message; do
		stream_contract "{\"rows\":$rule}"
		validate --errors e.jsonl c.json "in$in.warc"
		[ "$status" -eq "$want" ] || fail "$in rows, $rule: status $status, want $want"
		if [ -n "$message" ]; then
			[ "$(jq -r '[.keyword, .schema, .severity, .message, (.record | tostring)] | @tsv' e.jsonl)" = "$message" ] ||
			    fail "$in rows, $rule: $(cat e.jsonl)"
			[[ "$output" == *"sluice-validate: stream: "* ]] || fail "$output"
		else
			[ ! -s e.jsonl ] || fail "$in rows, $rule: $(cat e.jsonl)"
		fi
	done <<-TABLE
	5|{"min":5}|0|
	5|{"max":5}|0|
	5|{"min":0,"max":10}|0|
	5|{"min":6}|1|rows	/stream/rows/min	error	5 data records, fewer than the minimum 6	null
	5|{"max":4}|1|rows	/stream/rows/max	error	5 data records, more than the maximum 4	null
	0|{"min":1}|1|rows	/stream/rows/min	error	0 data records, fewer than the minimum 1	null
	0|{"max":0}|0|
	TABLE
}

@test "rows: a severity of warn lets the run pass with a warning" {
	rows 2 | jsonl in.warc
	printf '{"contract":"s","version":"1","stream":{"rows":{"min":3}},"severity":{"/stream/rows":"warn"}}' >c.json
	validate --report r.json c.json in.warc
	expect_status 0
	[ "$(jq -r .result r.json)" = warn ]
	[[ "$output" == *"sluice-validate: stream: warning: 2 data records, fewer than the minimum 3 (rows at /stream/rows/min)"* ]] ||
	    fail "$output"
	validate --warn-error c.json in.warc
	expect_status 1
}

@test "freshness from a payload field or a header, measured at --now" {
	printf '{"t":"2026-11-20T08:00:00Z"}\n{"t":"2026-11-24T08:00:00Z"}\n{"t":"not a time"}\n{"t":7}\n{}\n' |
	    sluice-ingest -f jsonl --source-uri test://in -e t --max-errors 5 >in.warc 2>/dev/null
	while IFS='|' read -r field now want keyword; do
		stream_contract "{\"freshness\":{\"field\":\"$field\",\"warnAfter\":\"PT6H\",\"errorAfter\":\"P1D\"}}"
		validate --errors e.jsonl --now "$now" c.json in.warc
		[ "$status" -eq "$want" ] || fail "$field at $now: status $status, want $want"
		got=$(jq -r '[.schema, .severity] | @tsv' e.jsonl)
		[ "$got" = "$keyword" ] || fail "$field at $now: '$got', want '$keyword'"
	done <<-TABLE
	/t|2026-11-24T08:00:00Z|0|
	/t|2026-11-24T14:00:00Z|0|
	/t|2026-11-24T14:00:01Z|0|/stream/freshness/warnAfter	warn
	/t|2026-11-25T08:00:00Z|0|/stream/freshness/warnAfter	warn
	/t|2026-11-25T08:00:01Z|1|/stream/freshness/errorAfter	error
	/t|2026-11-25T09:00:00+01:00|0|/stream/freshness/warnAfter	warn
	Sluice-Event-Time|2026-11-24T09:00:00Z|0|
	Sluice-Event-Time|2026-11-26T09:00:00Z|1|/stream/freshness/errorAfter	error
	/missing|2026-11-24T09:00:00Z|1|/stream/freshness/field	error
	X-Not-There|2026-11-24T09:00:00Z|1|/stream/freshness/field	error
	TABLE
}

@test "freshness: SOURCE_DATE_EPOCH is now when --now is not given" {
	printf '{"t":"2023-11-14T12:00:00Z"}\n' | jsonl in.warc
	stream_contract '{"freshness":{"field":"/t","errorAfter":"PT12H"}}'
	validate c.json in.warc
	expect_status 0
	SOURCE_DATE_EPOCH=1700100000 validate c.json in.warc
	expect_status 1
	expect_match 'newest /t is 2023-11-14T12:00:00Z, older than PT12H at 2023-11-16T02:00:00Z'
}

@test "nullRate: missing or null, against warn and error" {
	rows 9 | jsonl in.warc   # 3 of 9 emails are null
	while IFS='|' read -r rule want result; do
		stream_contract "{\"nullRate\":{\"/email\":$rule,\"/id\":{\"error\":0}}}"
		validate --report r.json c.json in.warc
		[ "$status" -eq "$want" ] || fail "$rule: status $status, want $want"
		[ "$(jq -r .result r.json)" = "$result" ] || fail "$rule: $(jq -c .stream r.json)"
	done <<-'TABLE'
	{"warn":0.5}|0|pass
	{"warn":0.333}|0|warn
	{"warn":0.3,"error":0.4}|0|warn
	{"error":0.3}|1|fail
	{"warn":0.1,"error":0.2}|1|fail
	{"error":1}|0|pass
	TABLE
	stream_contract '{"nullRate":{"/email":{"error":0.3}}}'
	validate --errors e.jsonl c.json in.warc
	[ "$(jq -r .message e.jsonl)" = "/email null or missing in 33.33% (3 of 9) is above the error threshold 30%" ]
	# a field that is missing counts as null
	stream_contract '{"nullRate":{"/nickname":{"error":0.99}}}'
	validate c.json in.warc
	expect_status 1
}

@test "invalidRate: failing records within the rate let the run pass" {
	for i in $(seq 10); do
		if [ "$i" -le 2 ]; then printf '{"id":"x%d"}\n' "$i"; else printf '{"id":%d}\n' "$i"; fi
	done | jsonl in.warc   # 2 of 10 invalid
	while IFS='|' read -r rate want result; do
		printf '{"contract":"r","version":"1","record":{"properties":{"id":{"type":"integer"}}}%s}' \
		    "${rate:+,\"stream\":{\"invalidRate\":$rate\}}" >c.json
		validate --reject r.warc --report r.json c.json in.warc
		[ "$status" -eq "$want" ] || fail "$rate: status $status, want $want"
		[ "$(jq -r .result r.json)" = "$result" ] || fail "$rate: $(jq -c . r.json)"
		[ "$(jq -c .records r.json)" = '{"in":10,"passed":8,"warned":0,"rejected":2}' ]
		[ "$(count out.warc)" -eq 8 ] && [ "$(count r.warc)" -eq 2 ]
	done <<-'TABLE'
	|1|fail
	{"error":0.2}|0|pass
	{"warn":0.1,"error":0.5}|0|warn
	{"warn":0.2}|0|pass
	{"error":0.1}|1|fail
	{"warn":0,"error":0.001}|1|fail
	TABLE
}

@test "invalidRate does not let failing records vanish: without --reject the run stops" {
	printf '{"id":"x"}\n{"id":1}\n' | jsonl in.warc
	printf '{"contract":"r","version":"1","record":{"properties":{"id":{"type":"integer"}}},"stream":{"invalidRate":{"error":0.9}}}' >c.json
	validate c.json in.warc
	expect_status 1
	[ "$(count out.warc)" -eq 0 ]
	expect_match 'stopped'
}

@test "--gate: everything on success, exactly as without the gate" {
	rows 6 | jsonl in.warc
	stream_contract '{"rows":{"min":6}}'
	validate c.json in.warc
	expect_status 0
	mv out.warc plain.warc
	validate --gate c.json in.warc
	expect_status 0
	# the same records after this run's own warcinfo (whose arguments differ)
	after_first() { awk '/^WARC\/1.1\r$/ { n++ } n > 1' "$1"; }
	[ "$(after_first plain.warc | wc -c)" -gt 1000 ]
	cmp <(after_first plain.warc) <(after_first out.warc)
	validate --gate -o gated.warc c.json in.warc
	expect_status 0
	cmp <(after_first plain.warc) <(after_first gated.warc)
}

@test "--gate: nothing on stdout when any part of the contract fails" {
	rows 6 | jsonl in.warc
	printf '{"contract":"g","version":"1","record":{"properties":{"id":{"maximum":5}}}}' >record.json
	stream_contract '{"rows":{"min":7}}'
	cp c.json rows.json
	stream_contract '{"nullRate":{"/email":{"error":0.1}}}'
	cp c.json nulls.json
	while IFS='|' read -r args; do
		validate --gate $args in.warc
		[ "$status" -eq 1 ] || fail "$args: status $status"
		[ ! -s out.warc ] || fail "$args: $(wc -c <out.warc) bytes on stdout"
		[[ "$output" == *"gate closed: contract "*" breached, nothing released"* ]] || fail "$args: $output"
	done <<-'TABLE'
	record.json
	--reject r.warc --report-record record.json
	rows.json
	nulls.json
	TABLE
	# the rejected records still went to --reject, and in = passed + rejected
	validate --gate --reject r.warc --report r.json record.json in.warc
	[ "$(count r.warc)" -eq 1 ]
	[ "$(jq '.records.in == .records.passed + .records.rejected and .records.rejected == 1' r.json)" = true ]
	# -o FILE is not created either, and the metrics say nothing went out
	run sluice-validate --gate -o gated.warc --metrics m.prom rows.json in.warc
	expect_status 1
	[ ! -e gated.warc ]
	grep -qxF 'sluice_records_out_total{tool="sluice-validate"} 0' m.prom
	grep -qxF 'sluice_records_in_total{tool="sluice-validate"} 6' m.prom
}

@test "--gate with invalidRate: tolerated rejects go aside, the rest is released" {
	rows 10 | jsonl in.warc
	printf '{"contract":"g","version":"1","record":{"properties":{"id":{"maximum":9}}},"stream":{"invalidRate":{"error":0.1}}}' >c.json
	validate --gate --reject r.warc c.json in.warc
	expect_status 0
	[ "$(count out.warc)" -eq 9 ] && [ "$(count r.warc)" -eq 1 ]
	# with nowhere to put them, failing records close the gate
	validate --gate c.json in.warc
	expect_status 1
	[ ! -s out.warc ]
}

@test "--gate holds the stream in a file, not in memory" {
	# 20,000 records of 1 KB: far more than the writer's buffer
	pad=$(head -c 1000 /dev/zero | tr '\0' x)
	seq 20000 | sed "s/.*/{\"id\":&,\"pad\":\"$pad\"}/" | jsonl in.warc
	stream_contract '{"rows":{"min":1}}'
	mkdir tmp
	TMPDIR=$PWD/tmp validate --gate c.json in.warc
	expect_status 0
	[ "$(count out.warc)" -eq 20000 ]
	# the held file is gone when the run ends
	[ -z "$(ls -A tmp)" ] || fail "left in TMPDIR: $(ls -A tmp)"
}

@test "hostile streams: not a stream, truncated, empty, binary payloads" {
	stream_contract '{"rows":{"min":0}}'
	while IFS='|' read -r name make want; do
		bash -c "$make" >in.warc
		validate --gate c.json in.warc
		[ "$status" -eq "$want" ] || fail "$name: status $status, want $want: $output"
		whole_records out.warc
	done <<-'TABLE'
	empty input|:|0
	not a stream|echo '{"id":1}'|65
	random bytes|head -c 4096 /dev/urandom|65
	truncated|printf 'WARC/1.1\r\nWARC-Type: resource\r\nWARC-Record-ID: <urn:uuid:1>\r\nWARC-Date: 2026-01-01T00:00:00Z\r\nContent-Length: 100\r\n\r\nabc'|65
	gzip garbage|printf '\037\213\010\000garbage'|65
	TABLE
	# binary and huge payloads are counted, not parsed
	{ record resource image/png "$(printf '\x89PNG\x00\x01')"; record resource application/octet-stream "$(head -c 100000 /dev/zero | tr '\0' y)"; } >in.warc
	validate --report r.json c.json in.warc
	expect_status 0
	[ "$(jq .records.passed r.json)" -eq 2 ]
}

@test "liveness: a record that passed leaves before more input comes; --gate holds it" {
	record resource application/json '{"id":1,"email":"a@b"}' >one.warc
	for mode in live gate; do
		rm -f in out.warc
		mkfifo in
		if [ $mode = gate ]; then
			sluice-validate --gate "$VFIX/customers.json" <in >out.warc 2>/dev/null &
		else
			sluice-validate "$VFIX/customers.json" <in >out.warc 2>/dev/null &
		fi
		pid=$!
		exec 5>in
		cat one.warc >&5
		for i in $(seq 30); do
			grep -aq 'customers@3 pass' out.warc && break
			sleep 0.1
		done
		if [ $mode = live ]; then
			grep -aq 'customers@3 pass' out.warc || fail "the record was held back"
		else
			[ ! -s out.warc ] || fail "--gate released before the end"
		fi
		exec 5>&-
		wait "$pid"
		grep -aq 'customers@3 pass' out.warc || fail "$mode: nothing at the end"
	done
}

# after_first FILE: the bytes of a stream after its first record (the
# warcinfo, which names the run's arguments).
after_first() {
	local off
	off=$(grep -a -b -m2 '^WARC/1.1' "$1" | tail -n 1 | cut -d: -f1)
	tail -c +$((off + 1)) "$1"
}

@test "records checked in parallel come out as when checked one at a time" {
	# -z output is formatted whole, one record at a time: every report,
	# count and record must be the same as without it
	for i in $(seq 3000); do
		id=$i
		[ $((i % 50)) -ne 0 ] || id=$((i - 1))
		age=$((i % 90))
		[ $((i % 7)) -ne 0 ] || age='"x"'
		email="\"u$i@example.org\""
		[ $((i % 11)) -ne 0 ] || email=null
		printf '{"id":%d,"age":%s,"email":%s}\n' "$id" "$age" "$email"
	done >rows.jsonl
	head -n 1500 rows.jsonl | jsonl a.warc
	tail -n 1500 rows.jsonl | jsonl b.warc
	# records the reader cannot pass on as read, between the others
	{
		cat a.warc
		record resource application/json '{"id":70001,"age":"old","email":null}' \
		    'sluice-key: 1'
		record resource application/json '{"id":70002,"age":3,"email":"x@y.z"}' \
		    'Sluice-Contract: p@1 pass'
		record resource application/json '{"id":70003,"age":4,"email":"x@y.z"}' \
		    'Sluice-Contract: p@1 fail'
		cat b.warc
	} >in.warc
	contract p.json <<-'JSON'
	{"contract": "p", "version": "1",
	 "record": {"type": "object", "required": ["id", "age"],
	  "properties": {"age": {"type": "integer", "maximum": 80},
	   "email": {"type": ["string", "null"], "pattern": "@"}}},
	 "unique": ["/id"],
	 "stream": {"nullRate": {"/email": {"warn": 0.05}}},
	 "severity": {"/record/properties/age/maximum": "warn"}}
	JSON
	while IFS= read -r opts; do
		rm -f rej*.warc
		for z in "" -z; do
			# shellcheck disable=SC2086
			run bash -c 'sluice-validate "$@" >out$0.warc' "$z" \
			    $opts --errors "e$z.jsonl" --report "r$z.json" $z p.json in.warc
			printf '%s\n' "$status" "$output" >"stderr$z"
			if [ -n "$z" ]; then
				zcat out-z.warc >plain && mv plain out-z.warc
				if [ -f rej.warc ]; then
					zcat rej.warc >rej-z.warc && rm rej.warc
				fi
			elif [ -f rej.warc ]; then
				mv rej.warc rej-plain.warc
			fi
		done
		cmp stderr stderr-z || fail "$opts: $(diff stderr stderr-z | head)"
		cmp e.jsonl e-z.jsonl || fail "$opts: errors differ"
		jq -S 'del(.run)' r.json >r1 && jq -S 'del(.run)' r-z.json >r2
		cmp r1 r2 || fail "$opts: reports differ: $(diff r1 r2 | head)"
		cmp <(after_first out.warc) <(after_first out-z.warc) ||
		    fail "$opts: outputs differ"
		if [ -f rej-plain.warc ]; then
			cmp <(after_first rej-plain.warc) <(after_first rej-z.warc) ||
			    fail "$opts: rejects differ"
		fi
		[ -s e.jsonl ] || fail "$opts: no violations reported"
	done <<-OPTS
	--reject rej.warc
	--annotate
	--reject rej.warc --max-errors 7
	--gate --reject rej.warc
	--gate
	--warn-error --reject rej.warc
	--max-errors 3
	OPTS
}
