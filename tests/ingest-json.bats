#!/usr/bin/env bats
# ingest-json.bats - sluice-ingest(1) on JSON Lines and JSON: payloads byte
# for byte, locators, bad lines and broken documents, keys, event times,
# format sniffing, and the JSONTestSuite parsing corpus.
#
# Byte offsets in expected messages were counted by hand from the input
# shown next to them.

load lib

# ---- JSON Lines ---------------------------------------------------------------

@test "jsonl: one record per line, the line's bytes minus surrounding white space" {
	# Columns: a line of the file (printf %b escapes) | the payload of its
	# record, or - for a blank line, which gives none but is counted.
	local -a lines_in wants
	local problems=() line want i n got variant
	while IFS='|' read -r line want; do
		lines_in+=("$line")
		wants+=("$want")
	done <<-'TABLE'
	{"a": 1}|{"a": 1}
	  {"a" : [1, 2] }  |{"a" : [1, 2] }
	\t{"b":"c d"}\t|{"b":"c d"}
	12345678901234567890|12345678901234567890
	-12345678901234567890.12345678901234567890e-400|-12345678901234567890.12345678901234567890e-400
	-0.0e-0|-0.0e-0
	[1,"two",null,{"x":[]}]|[1,"two",null,{"x":[]}]
	"a string"|"a string"
	42|42
	true|true
	null|null
	|-
	   \t  |-
	{"a":1}\r|{"a":1}
	\r|-
	{"u":"caf\\u00e9 \\ud83d\\ude00"}|{"u":"caf\u00e9 \ud83d\ude00"}
	{"\xc3\xa9":"\xc3\xbc"}|{"é":"ü"}
	{"s":"tab\\tand \\"quote\\""}|{"s":"tab\tand \"quote\""}
	{"dup":1,"dup":2}|{"dup":1,"dup":2}
	{}|{}
	[]|[]
	{"last":"line"}|{"last":"line"}
	TABLE
	n=${#lines_in[@]}
	for variant in "with a final newline" "without a final newline"; do
		: >t.jsonl
		for line in "${lines_in[@]}"; do
			printf '%b\n' "$line" >>t.jsonl
		done
		if [ "$variant" = "without a final newline" ]; then
			truncate -s -1 t.jsonl
		fi
		ingest t.jsonl
		if [ "$status" -ne 0 ]; then
			problems+=("$variant: exit $status: $output")
			continue
		fi
		mapfile -t got < <(rows)
		local k=0
		for ((i = 0; i < n; i++)); do
			[ "${wants[i]}" = - ] && continue
			want="t.jsonl#line=$i,$((i + 1))"$'\t'"${wants[i]}"
			[ "${got[k]}" = "$want" ] ||
				problems+=("$variant, line $((i + 1)) [${lines_in[i]}]:" "  want $want" "  got  ${got[k]}")
			k=$((k + 1))
		done
		[ "${#got[@]}" -eq "$k" ] ||
			problems+=("$variant: ${#got[@]} records, want $k")
	done
	fail_all
}

@test "jsonl: records are application/json with a digest of the payload" {
	printf '{"a": 1}\r\n' >t.jsonl
	ingest t.jsonl
	expect_status 0
	run streamcat -d -f Content-Type,Content-Length,WARC-Block-Digest out.warc
	[ "$output" = "application/json	8	sha256:$(printf '{"a": 1}' | sha256sum | cut -c1-64)" ] ||
		fail "got: $output"
}

@test "jsonl: an empty or blank file gives no records and exits 0" {
	: >e.jsonl
	printf '\n\n \t \r\n' >b.jsonl
	for f in e.jsonl b.jsonl; do
		ingest "$f"
		expect_status 0
		[ "$(ndata)" -eq 0 ] || fail "$f: $(ndata) records"
	done
}

@test "jsonl: an invalid line exits 65 naming the file, line and byte; the lines before are written whole" {
	# Columns: content (printf %b escapes) | options | a regular expression
	# the message must match after "t.jsonl: " | the payloads written before,
	# separated by ' ; '.
	local problems=() content args re want got
	while IFS='|' read -r content args re want; do
		printf '%b' "$content" >t.jsonl
		# shellcheck disable=SC2086
		ingest $args t.jsonl
		if [ "$status" -ne 65 ]; then
			problems+=("[$content]: status $status, want 65: $output")
			continue
		fi
		grep -Eq -- "^sluice-ingest: t\.jsonl: $re" <<<"$output" ||
			problems+=("[$content]: message does not match 't.jsonl: $re':" "  $output")
		if ! streamcat -c out.warc >/dev/null 2>&1; then
			problems+=("[$content]: stdout is not whole records")
			continue
		fi
		got=$(joined)
		[ "$got" = "$want" ] ||
			problems+=("[$content]: records before the bad line:" "  want $want" "  got  $got")
	done <<-'TABLE'
	{"a": 1}\n{"a":\n{"b":2}\n||line 2 at byte 9: invalid JSON|{"a": 1}
	{"a":1}\r\n\r\n  \t \n{"b":2\r\n||line 4 at byte 16: invalid JSON|{"a":1}
	{"a":1}\nxx\n{"b":2}\n||line 2 at byte 8: invalid JSON|{"a":1}
	{"a":1}\n{"a":1}{"b":2}\n||line 2 at byte 8: invalid JSON|{"a":1}
	{"a":1}\n{"a":1} x\n||line 2 at byte 8: invalid JSON|{"a":1}
	{"a":1}\n{"a":NaN}\n||line 2 at byte 8: invalid JSON|{"a":1}
	{"a":1}\n[1,]\n||line 2 at byte 8: invalid JSON|{"a":1}
	{"a":1}\n{'a':1}\n||line 2 at byte 8: invalid JSON|{"a":1}
	{"a":1}\n{"a":01}\n||line 2 at byte 8: invalid JSON|{"a":1}
	{"a":1}\n"unterminated\n||line 2 at byte 8: invalid JSON|{"a":1}
	{"a":1}\n{"a":"\xff"}\n||line 2 at byte 8: invalid JSON|{"a":1}
	{"a":1}\n{"a":"x\x00"}\n||line 2 at byte 8: invalid JSON|{"a":1}
	{"a":1}\n{"a":"x\ny"}\n||line 2 at byte 8: invalid JSON|{"a":1}
	{"a":1}\n\n\n[1]\n{]\n||line 5 at byte 14: invalid JSON|{"a":1} ; [1]
	{\n  "a": 1\n}\n||line 1 at byte 0: invalid JSON|
	TABLE
	fail_all
}

@test "jsonl: --max-errors N skips and counts up to N bad lines, then one more is fatal" {
	# bad lines: 2 at byte 8, 4 at byte 20, 5 at byte 22
	printf '{"a":1}\nbad\n{"b":2}\n{\n]\n{"c":3}\n' >t.jsonl
	ingest --max-errors 3 --metrics m.prom t.jsonl
	expect_status 0
	expect_match 't\.jsonl: line 2 at byte 8: invalid JSON'
	expect_match 't\.jsonl: line 4 at byte 20: invalid JSON'
	expect_match 't\.jsonl: line 5 at byte 22: invalid JSON'
	expect_match '(^|[^0-9])3 bad '
	run rows
	[ "$output" = 't.jsonl#line=0,1	{"a":1}
t.jsonl#line=2,3	{"b":2}
t.jsonl#line=5,6	{"c":3}' ] || fail "got:" "$output"
	grep -q '^sluice_records_rejected_total{tool="sluice-ingest"} 3$' m.prom ||
		fail "metrics:" "$(cat m.prom)"
	ingest --max-errors 2 t.jsonl
	expect_status 65
	expect_match 't\.jsonl: line 5 at byte 22: invalid JSON'
	whole_records out.warc
	[ "$(joined)" = '{"a":1} ; {"b":2}' ]
}

@test "jsonl: --key takes a top-level name or a JSON Pointer; a bad key is a bad line" {
	# Columns: the line | --key | the Sluice-Key, or "bad" (exit 65,
	# naming line 1 at byte 0).
	local problems=() line key want got
	while IFS='|' read -r line key want; do
		printf '%s\n' "$line" >t.jsonl
		ingest --key "$key" t.jsonl
		if [ "$want" = bad ]; then
			[ "$status" -eq 65 ] && [ "$(ndata)" -eq 0 ] &&
			    grep -q '^sluice-ingest: t\.jsonl: line 1 at byte 0: ' <<<"$output" ||
				problems+=("$line --key $key: status $status, want 65 naming line 1 at byte 0: $output")
			continue
		fi
		got=$(streamcat -d -f Sluice-Key out.warc)
		[ "$status" -eq 0 ] && [ "$got" = "$want" ] ||
			problems+=("$line --key $key: status $status, want [$want], got [$got] $output")
	done <<-'TABLE'
	{"id":"a1","x":2}|id|a1
	{"id":42}|id|42
	{"id":1.50}|id|1.50
	{"id":-7e2}|id|-7e2
	{"id":12345678901234567890}|id|12345678901234567890
	{"id":"x\"y"}|id|x"y
	{"id":"caf\u00e9"}|id|café
	{"id":"a b"}|id|a b
	{"c":{"id":7}}|/c/id|7
	{"c":{"id":{"deep":"z"}}}|/c/id/deep|z
	{"a":[10,20]}|/a/1|20
	{"a/b":"s","a":{"b":"t"}}|a/b|s
	{"a/b":"s","a":{"b":"t"}}|/a/b|t
	{"a/b":"s"}|/a~1b|s
	{"m~n":"t"}|m~n|t
	{"m~n":"t"}|/m~0n|t
	{"id":{"x":1}}|id|bad
	{"id":[1]}|id|bad
	{"id":true}|id|bad
	{"id":false}|id|bad
	{"id":null}|id|bad
	{"x":1}|id|bad
	{"c":{"x":1}}|/c/id|bad
	{"id":"a\nb"}|id|bad
	[1,2]|id|bad
	"str"|id|bad
	TABLE
	fail_all
}

@test "json: an empty key is a bad line or record, like a missing or null one" {
	# sluice-ingest(1), --key: "A missing, null or empty key is a bad row."
	printf '{"id":"a"}\n{"id":""}\n' >t.jsonl
	ingest --key id t.jsonl
	expect_status 65
	expect_match '^sluice-ingest: t\.jsonl: line 2 at byte 11: '
	[ "$(joined)" = '{"id":"a"}' ]
	printf '[{"id":"a"},{"id":""}]' >t.json
	ingest --key id t.json
	expect_status 65
	expect_match '^sluice-ingest: t\.json: element 1 at byte 12: '
	[ "$(joined)" = '{"id":"a"}' ]
	printf '{"c":{"id":""}}' >one.json
	ingest --key /c/id one.json
	expect_status 65
	[ "$(ndata)" -eq 0 ]
}

@test "jsonl: a bad key is skipped under --max-errors" {
	printf '{"id":1}\n{"id":{}}\n{"id":3}\n' >t.jsonl
	ingest --key id --max-errors 1 t.jsonl
	expect_status 0
	expect_match 't\.jsonl: line 2 at byte 9: '
	run streamcat -d -f WARC-Target-URI,Sluice-Key out.warc
	[ "$output" = "file://$(pwd -P)/t.jsonl#line=0,1	1
file://$(pwd -P)/t.jsonl#line=2,3	3" ] || fail "got: $output"
}

@test "jsonl: --event-time takes an RFC 3339 string, a date or a number of seconds" {
	# Columns: the line | --event-time | Sluice-Event-Time, or "bad".
	local problems=() line field want got
	while IFS='|' read -r line field want; do
		printf '%s\n' "$line" >t.jsonl
		ingest --event-time "$field" t.jsonl
		if [ "$want" = bad ]; then
			[ "$status" -eq 65 ] && [ "$(ndata)" -eq 0 ] &&
			    grep -q '^sluice-ingest: t\.jsonl: line 1 at byte 0: ' <<<"$output" ||
				problems+=("$line: status $status, want 65 naming line 1 at byte 0: $output")
			continue
		fi
		got=$(streamcat -d -f Sluice-Event-Time out.warc)
		[ "$status" -eq 0 ] && [ "$got" = "$want" ] ||
			problems+=("$line: status $status, want $want, got $got $output")
	done <<-'TABLE'
	{"t":"2026-11-20T08:00:00+01:00"}|t|2026-11-20T07:00:00Z
	{"t":"2026-11-20T08:00:00Z"}|t|2026-11-20T08:00:00Z
	{"t":"2026-11-20"}|t|2026-11-20T00:00:00Z
	{"t":1700000000}|t|2023-11-14T22:13:20Z
	{"t":1.7e9}|t|2023-11-14T22:13:20Z
	{"t":0}|t|1970-01-01T00:00:00Z
	{"m":{"ts":"2026-01-02T03:04:05-05:00"}}|/m/ts|2026-01-02T08:04:05Z
	{"t":"2026-11-20T08:00:00"}|t|bad
	{"t":"soon"}|t|bad
	{"t":true}|t|bad
	{"t":null}|t|bad
	{"t":{}}|t|bad
	{}|t|bad
	TABLE
	fail_all
}

@test "jsonl: the event time defaults to the file's modification time" {
	printf '{"a":1}\n' >t.jsonl
	touch -d @1600000000 t.jsonl
	ingest t.jsonl
	run streamcat -d -f Sluice-Event-Time,Sluice-Classification out.warc
	[ "$output" = $'2020-09-13T12:26:40Z\tinternal' ] || fail "got: $output"
	ingest -c public t.jsonl
	run streamcat -d -f Sluice-Classification out.warc
	[ "$output" = public ]
}

@test "jsonl: .jsonl, .ndjson and compressed names; -f jsonl for any name" {
	printf '{"a":1}\n\n{"b":2}\n' >src
	cp src t.jsonl
	cp src t.ndjson
	gzip -c src >t.jsonl.gz
	gzip -c src >t.ndjson.gz
	cp src t.txt
	local f
	for f in t.jsonl t.ndjson t.jsonl.gz t.ndjson.gz; do
		ingest "$f"
		expect_status 0
		run rows
		[ "$output" = "$f#line=0,1	{\"a\":1}
$f#line=2,3	{\"b\":2}" ] || fail "$f: got $output"
	done
	ingest -f jsonl t.txt
	expect_status 0
	[ "$(joined)" = '{"a":1} ; {"b":2}' ]
	# a .txt is a raw file without -f
	ingest t.txt
	run streamcat -d -f WARC-Target-URI,Content-Type out.warc
	[ "$output" = "file://$(pwd -P)/t.txt	text/plain; charset=utf-8" ] || fail "got: $output"
}

@test "jsonl: output is identical for -j 1 and -j 4 on thousands of lines" {
	# 4000 lines of about 150 bytes with CRLF ends, and a blank line before
	# every 101st: 39 blank lines, so the last line is line 4039
	awk 'BEGIN {
		for (i = 1; i <= 4000; i++) {
			if (i % 101 == 0) print ""
			printf "{\"id\": %d, \"big\": 1234567890123456789%d, \"s\": \"%0100d\"}\r\n", i, i % 10, i
		}
	}' >big.jsonl
	local f=WARC-Type,WARC-Record-ID,WARC-Date,WARC-Target-URI,Content-Type,Content-Length,WARC-Block-Digest,Sluice-Event-Time,Sluice-Classification
	sluice-ingest -j 1 big.jsonl | streamcat -d -p -f "$f" >j1.txt
	sluice-ingest -j 4 big.jsonl | streamcat -d -p -f "$f" >j4.txt
	[ "$(wc -l <j1.txt)" -eq 4000 ]
	cmp j1.txt j4.txt || fail "-j 1 and -j 4 differ:" "$(diff j1.txt j4.txt | head -n 5)"
	run bash -c 'tail -n 1 j4.txt | cut -f 4,10'
	[ "$output" = "file://$(pwd -P)/big.jsonl#line=4038,4039	{\"id\": 4000, \"big\": 12345678901234567890, \"s\": \"$(printf '%0100d' 4000)\"}" ] ||
		fail "got: $output"
}

# ---- JSON arrays -------------------------------------------------------------------

@test "json: an array gives one record per element, #/N, each element byte for byte" {
	printf ' \n[ {"a": 1} ,\n\t[1, [2]] , "s" ,12345678901234567890, null ,{"n":{"m":[]}}\r\n, true,-0.5e-7 , "x,]" ,"q\\"]" ,{ "k" : [ { } ] } ]\n ' >t.json
	ingest t.json
	expect_status 0
	run rows
	[ "$output" = 't.json#/0	{"a": 1}
t.json#/1	[1, [2]]
t.json#/2	"s"
t.json#/3	12345678901234567890
t.json#/4	null
t.json#/5	{"n":{"m":[]}}
t.json#/6	true
t.json#/7	-0.5e-7
t.json#/8	"x,]"
t.json#/9	"q\"]"
t.json#/10	{ "k" : [ { } ] }' ] || fail "got:" "$output"
}

@test "json: an element may span lines and be large" {
	# 30 elements of 72 KB each, separated by ",\n"
	awk 'BEGIN {
		printf "["
		for (i = 0; i < 30; i++) {
			if (i) printf ",\n"
			printf "{\"i\":%d,\n \"s\":\"", i
			for (k = 0; k < 2000; k++) printf "abcdefghijklmnopqrstuvwxyz0123456789"
			printf "\"}"
		}
		print "]"
	}' >big.json
	ingest big.json
	expect_status 0
	run streamcat -d -f WARC-Target-URI,Content-Length out.warc
	[ "${#lines[@]}" -eq 30 ]
	[ "${lines[29]}" = "file://$(pwd -P)/big.json#/29	72017" ] || fail "got: ${lines[29]}"
}

@test "json: an empty array gives no records and exits 0" {
	local content
	for content in '[]' '[ ]' ' \n[\n\t]\r\n ' '[]\n'; do
		printf "$content" >t.json
		ingest t.json
		[ "$status" -eq 0 ] || fail "[$content]: status $status: $output"
		[ "$(ndata)" -eq 0 ] || fail "[$content]: $(ndata) records"
	done
}

@test "json: a broken array exits 65 naming the byte; the elements before it are written whole" {
	# Columns: content (printf %b escapes) | a regular expression the message
	# must match after "t.json: " | the payloads written before, ' ; '
	# between them, or * for no check.
	local problems=() content re want got
	while IFS='|' read -r content re want; do
		printf '%b' "$content" >t.json
		ingest --max-errors 10 t.json
		if [ "$status" -ne 65 ]; then
			problems+=("[$content]: status $status, want 65 (a broken document is always fatal): $output")
			continue
		fi
		grep -Eq -- "^sluice-ingest: t\.json: $re" <<<"$output" ||
			problems+=("[$content]: message does not match 't.json: $re':" "  $output")
		if ! streamcat -c out.warc >/dev/null 2>&1; then
			problems+=("[$content]: stdout is not whole records")
			continue
		fi
		got=$(joined)
		[ "$want" = '*' ] || [ "$got" = "$want" ] ||
			problems+=("[$content]: records before the damage:" "  want $want" "  got  $got")
	done <<-'TABLE'
	[1,2,{"a":tru},3]|.*invalid JSON at byte 13|1 ; 2
	[1,2,{"a" 1}]|.*invalid JSON at byte 10|1 ; 2
	[1,2,-]|.*invalid JSON at byte 6|1 ; 2
	[1,2,01]|.*invalid JSON at byte 6|1 ; 2
	[1,2,"\xff"]|.*invalid JSON at byte 6|1 ; 2
	[1 2]|.*invalid JSON at byte 3|1
	[1,,2]|.*invalid JSON at byte 3|1
	[1,]|.*invalid JSON at byte 3|1
	[,1]|.*invalid JSON at byte 1|
	[{"a":1}\n,\n{"b":\n]|.*invalid JSON at byte 17|{"a":1}
	[1,2,{"a":1}|.*truncated JSON at byte 12|1 ; 2 ; {"a":1}
	[1,2,|.*truncated JSON at byte 5|1 ; 2
	[1,[2,3|.*truncated JSON at byte 7|1
	["a","b|.*truncated JSON at byte 7|"a"
	[1,2,"x|.*truncated JSON at byte 7|1 ; 2
	[|.*truncated JSON at byte 1|
	[1,2|.*truncated JSON at byte 4|*
	[1,2]x|.*byte 5: |1 ; 2
	[1,2] ]|.*byte 6: |1 ; 2
	[1,2][3]|.*byte 5: |1 ; 2
	[1,2],|.*byte 5: |1 ; 2
	[1,2]\n\n{"a":1}\n|.*byte 7: |1 ; 2
	TABLE
	fail_all
}

@test "json: a message about a broken element names the element" {
	# sluice-ingest(1): "Messages name the input, the row, line or record,
	# and the byte offset".  Element 2 (the record #/2) starts at byte 5.
	printf '[1,2,{"a":tru},3]' >t.json
	ingest t.json
	expect_status 65
	expect_match '^sluice-ingest: t\.json: .*element 2'
}

@test "json: a bad key in an element is a bad record that --max-errors can skip" {
	printf '[{"id":1},\n {"id":{}},\n {"id":3}]' >t.json
	ingest --key id t.json
	expect_status 65
	# element 1 starts at byte 12
	expect_match '^sluice-ingest: t\.json: element 1 at byte 12: '
	[ "$(joined)" = '{"id":1}' ]
	ingest --key id --max-errors 1 t.json
	expect_status 0
	run streamcat -d -f WARC-Target-URI,Sluice-Key out.warc
	[ "$output" = "file://$(pwd -P)/t.json#/0	1
file://$(pwd -P)/t.json#/2	3" ] || fail "got: $output"
}

# ---- one JSON value ----------------------------------------------------------------

@test "json: any other value gives one record, without a fragment" {
	# Columns: the file (printf %b escapes) | the payload (printf %b escapes)
	local problems=() content want got
	while IFS='|' read -r content want; do
		printf '%b' "$content" >t.json
		ingest t.json
		want="file://$(pwd -P)/t.json"$'\t'"$(printf '%b' "$want")"
		got=$(streamcat -d -p -f WARC-Target-URI out.warc)
		[ "$status" -eq 0 ] && [ "$got" = "$want" ] ||
			problems+=("[$content]: status $status" "  want $want" "  got  $got" "  $output")
	done <<-'TABLE'
	{"a":1}|{"a":1}
	  {"a": [1, 2],\n "b": 12345678901234567890}\n\n|{"a": [1, 2],\n "b": 12345678901234567890}
	\r\n\t{\n  "nested": {"deep": [[], {}]}\n}\r\n|{\n  "nested": {"deep": [[], {}]}\n}
	"just a string"|"just a string"
	42|42
	-1.5e+300|-1.5e+300
	null|null
	false|false
	{}|{}
	TABLE
	fail_all
}

@test "json: an empty or blank .json file exits 65" {
	local content
	for content in '' ' ' '\n\n' ' \t\r\n'; do
		printf "$content" >t.json
		ingest t.json
		[ "$status" -eq 65 ] || fail "[$content]: status $status, want 65"
		expect_match 't\.json'
		whole_records out.warc
		[ "$(ndata)" -eq 0 ]
	done
}

@test "json: a broken or doubled value exits 65 with whole records only" {
	local content
	for content in '{"a":1' '{"a":1} {"b":2}' '{"a":1}\n{"b":2}\n' '{"a":1}x' 'tru' '{"a":1}]' '"abc'; do
		printf "$content" >t.json
		ingest t.json
		[ "$status" -eq 65 ] || fail "[$content]: status $status, want 65: $output"
		expect_match 't\.json'
		whole_records out.warc
	done
	printf '{"a":1' >t.json
	ingest t.json
	[ "$(ndata)" -eq 0 ]
}

@test "json: .json.gz is read as JSON" {
	printf '[1,{"b":2}]' | gzip -c >t.json.gz
	ingest t.json.gz
	expect_status 0
	run rows
	[ "$output" = 't.json.gz#/0	1
t.json.gz#/1	{"b":2}' ] || fail "got: $output"
}

# ---- sniffing --------------------------------------------------------------------

@test "sniffing standard input: '[' an array, '{' JSON Lines or one value, else raw" {
	# Columns: what arrives on stdin (printf %b escapes) | each record's
	# fragment and Content-Type, ' ; ' between records.
	local problems=() content want got
	while IFS='|' read -r content want; do
		got=$(printf '%b' "$content" | sluice-ingest 2>err.txt |
		    streamcat -d -f WARC-Target-URI,Content-Type |
		    sed 's/^urn:sluice:stdin//; s/\t/:/' |
		    awk 'NR > 1 { printf " ; " } { printf "%s", $0 }')
		[ "$got" = "$want" ] ||
			problems+=("[$content]:" "  want $want" "  got  $got" "  $(cat err.txt)")
	done <<-'TABLE'
	[1,2]\n|#/0:application/json ; #/1:application/json
	  \n\t[1]|#/0:application/json
	[]|
	{"a":1}\n{"a":2}\n|#line=0,1:application/json ; #line=1,2:application/json
	{"a":1}|#line=0,1:application/json
	\n\n{"a":1}\n\n{"b":2}|#line=2,3:application/json ; #line=4,5:application/json
	{"a": [1, 2]}\r\n{"b": 2}\r\n|#line=0,1:application/json ; #line=1,2:application/json
	{\n  "a": 1,\n  "b": [1,\n 2]\n}\n|:application/json
	{"a":\n1}|:application/json
	  {\n}|:application/json
	hello\n|:text/plain; charset=utf-8
	"str"\n|:text/plain; charset=utf-8
	42\n|:text/plain; charset=utf-8
	a,b\n1,2\n|:text/plain; charset=utf-8
	TABLE
	fail_all
}

@test "sniffing: compressed standard input and files without an extension" {
	run bash -c "printf '{\"a\":1}\n{\"b\":2}\n' | gzip -c | sluice-ingest | streamcat -d -p -f WARC-Target-URI"
	expect_status 0
	[ "$output" = 'urn:sluice:stdin#line=0,1	{"a":1}
urn:sluice:stdin#line=1,2	{"b":2}' ] || fail "got: $output"
	run bash -c "printf '[{\"a\":1}]' | gzip -c | sluice-ingest | streamcat -d -p -f WARC-Target-URI"
	[ "$output" = 'urn:sluice:stdin#/0	{"a":1}' ] || fail "got: $output"
	printf '{"a":1}\n{"b":2}\n' >data
	printf '[1]' >list
	printf '{\n "a": 1\n}\n' >doc
	ingest data list doc
	expect_status 0
	run rows
	[ "$output" = 'data#line=0,1	{"a":1}
data#line=1,2	{"b":2}
list#/0	1
doc	{
 "a": 1
}' ] || fail "got: $output"
	# --source-uri names standard input
	run bash -c "printf '{\"a\":1}\n' | sluice-ingest --source-uri https://data.example/x.jsonl | streamcat -d -f WARC-Target-URI"
	[ "$output" = 'https://data.example/x.jsonl#line=0,1' ] || fail "got: $output"
}

@test "sniffing: JSON Lines whose first line is long are still JSON Lines" {
	# The first line is a complete JSON value of 300 KB, so this is JSON
	# Lines (sluice-ingest(1), Formats), however long that line is.
	awk 'BEGIN {
		printf "{\"a\":\""
		for (i = 0; i < 300000; i++) printf "x"
		print "\"}"
		print "{\"b\":1}"
	}' >long.txt
	run bash -c 'sluice-ingest <long.txt | streamcat -d -f WARC-Target-URI,Content-Length'
	expect_status 0
	[ "$output" = 'urn:sluice:stdin#line=0,1	300008
urn:sluice:stdin#line=1,2	7' ] || fail "got: $output"
	cp long.txt longdata
	ingest longdata
	expect_status 0
	[ "$(ndata)" -eq 2 ]
}

@test "the format of the name wins over the content: -f json on JSON Lines, -f jsonl on a document" {
	printf '{"a":1}\n{"b":2}\n' >lines.json
	ingest lines.json
	expect_status 65
	# the second value starts at byte 8
	expect_match 'lines\.json: .*byte 8'
	whole_records out.warc
	printf '{\n "a": 1\n}\n' >doc.jsonl
	ingest doc.jsonl
	expect_status 65
	expect_match 'doc\.jsonl: line 1 at byte 0: invalid JSON'
	[ "$(ndata)" -eq 0 ]
	ingest -f json doc.jsonl
	expect_status 0
	[ "$(ndata)" -eq 1 ]
}

# ---- record ids -----------------------------------------------------------------

@test "json: the same data at the same place keeps its id; every line and element its own" {
	printf '{"a":1}\n{"a":1}\n{"a":2}\n' >t.jsonl
	printf '[{"a":1},{"a":1}]' >t.json
	sluice-ingest t.jsonl t.json | streamcat -d -f WARC-Record-ID >first.txt
	sluice-ingest -j 2 -c public t.jsonl t.json | streamcat -d -f WARC-Record-ID >second.txt
	[ "$(wc -l <first.txt)" -eq 5 ]
	cmp first.txt second.txt || fail "ids changed:" "$(diff first.txt second.txt)"
	[ "$(sort -u first.txt | wc -l)" -eq 5 ] || fail "ids not distinct:" "$(cat first.txt)"
	# appending a line leaves the ids of the lines before it alone
	printf '{"a":3}\n' >>t.jsonl
	sluice-ingest t.jsonl | streamcat -d -f WARC-Record-ID >third.txt
	[ "$(head -n 3 third.txt)" = "$(head -n 3 first.txt)" ]
}

# ---- JSONTestSuite ---------------------------------------------------------------
#
# Every y_* file is ingested with -f json.  -f json makes a record of each
# element of a top-level array and one record of any other value, so the
# number of records expected is the array's length or 1; those numbers are
# in fixtures/ingest-json/y-records.tsv, counted with an independent parser
# (Python's json module).  To check the payload bytes of every file whatever
# its top level, each y_* file is also wrapped in [ ] and must then give
# exactly one record, #/0, whose payload is the file minus the white space
# around it.  Every n_* file must exit 65 (never a crash, never 0) with
# whole records only on stdout.  i_* files may be accepted or refused.

@test "JSONTestSuite: every y_ file is accepted with one record per element or value" {
	local dir="$CONFORMANCE/json-test-suite/test_parsing" table="$FIXTURES/ingest-json/y-records.tsv"
	local problems=() f name want got
	# the table lists every y_ file of the suite
	diff <(grep -v '^#' "$table" | cut -f 1) <(cd "$dir" && ls y_* | LC_ALL=C sort) ||
		fail "y-records.tsv does not list the suite's y_ files"
	while IFS=$'\t' read -r name want; do
		[[ $name == '#'* ]] && continue
		f="$dir/$name"
		sluice-ingest -f json "$f" >out.warc 2>err.txt || {
			problems+=("$name: exit $?: $(cat err.txt)")
			continue
		}
		got=$(streamcat -d -c out.warc) || {
			problems+=("$name: not a valid stream")
			continue
		}
		[ "$got" -eq "$want" ] || problems+=("$name: $got records, want $want")
	done <"$table"
	fail_all
}

@test "JSONTestSuite: every y_ file wrapped in [ ] is one element, carried byte for byte" {
	local dir="$CONFORMANCE/json-test-suite/test_parsing"
	local problems=() f want got uri
	uri="file://$(pwd -P)/w.json#/0"
	for f in "$dir"/y_*; do
		{ printf '['; cat "$f"; printf ']'; } >w.json
		want=$(cat "$f"; printf .)
		want=${want%.}
		while [[ $want == [$' \t\r\n']* ]]; do want=${want:1}; done
		while [[ $want == *[$' \t\r\n'] ]]; do want=${want%?}; done
		got=$(sluice-ingest w.json 2>err.txt | streamcat -d -p -f WARC-Target-URI)
		[ "$got" = "$uri"$'\t'"$want" ] ||
			problems+=("${f##*/}: got [$got] $(cat err.txt)")
	done
	fail_all
}

@test "JSONTestSuite: every n_ file exits 65 with whole records only" {
	local dir="$CONFORMANCE/json-test-suite/test_parsing"
	local problems=() f rc count=0
	for f in "$dir"/n_*; do
		count=$((count + 1))
		rc=0
		sluice-ingest -f json "$f" >out.warc 2>err.txt || rc=$?
		[ "$rc" -eq 65 ] || problems+=("${f##*/}: exit $rc, want 65: $(head -c 300 err.txt)")
		streamcat -c out.warc >/dev/null 2>&1 || problems+=("${f##*/}: stdout is not whole records")
		[ -s err.txt ] || problems+=("${f##*/}: no message")
	done
	[ "$count" -eq 188 ] || problems+=("$count n_ files, the suite has 188")
	fail_all
}

@test "JSONTestSuite: i_ files are accepted or refused, never a crash" {
	local dir="$CONFORMANCE/json-test-suite/test_parsing"
	local problems=() f rc
	for f in "$dir"/i_*; do
		rc=0
		sluice-ingest -f json "$f" >out.warc 2>err.txt || rc=$?
		[ "$rc" -eq 0 ] || [ "$rc" -eq 65 ] || problems+=("${f##*/}: exit $rc")
		streamcat -c out.warc >/dev/null 2>&1 || problems+=("${f##*/}: stdout is not whole records")
	done
	fail_all
	# a number too large for a double, when accepted, is carried as written
	for f in "$dir"/i_number_*; do
		rc=0
		sluice-ingest -f json "$f" >out.warc 2>err.txt || rc=$?
		[ "$rc" -eq 0 ] || continue
		[ "$(streamcat -d -p out.warc)" = "$(tr -d ' \n' <"$f" | sed 's/^\[//; s/\]$//')" ] ||
			problems+=("${f##*/}: rewritten: $(streamcat -d -p out.warc)")
	done
	fail_all
}

@test "jsonl: error offsets count leading white space and Latin-1 bytes" {
	printf '{"ok":1}\n    {x}\n' > w.jsonl
	run sluice-ingest w.jsonl
	expect_status 65
	expect_match 'line 2 at byte 9: invalid JSON at byte 14: expected string'
	printf '{"\351\351":1, x}\n' > l.jsonl
	run sluice-ingest --encoding latin1 l.jsonl
	expect_status 65
	# the x is byte 9 of the input (byte 11 after conversion)
	expect_match 'line 1 at byte 0: invalid JSON at byte 9:'
}
