#!/usr/bin/env bats
# validate-hostile.bats - sluice-validate against hostile contracts, streams,
# options and signals.  Each table row is an input, the exit status it must
# get and a fragment of the message it must print; whatever happens,
# standard output holds whole records only (streamcat -c reads it back) and
# in = passed + rejected.

load lib
load fixtures/validate/helpers

# good.warc: three records that pass c.json; bad.warc: two that break it
# three times (minimum and pattern, type).
setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
	printf '%s\n' '{"id":1,"email":"a@x.org","t":"2023-11-14T00:00:00Z"}' \
	    '{"id":2,"email":"b@x.org","t":"2023-11-14T01:00:00Z"}' \
	    '{"id":3,"email":"c@x.org","t":"2023-11-14T02:00:00Z"}' | jsonl good.warc
	printf '%s\n' '{"id":0,"email":"x"}' '{"id":"y","email":"b@x.org"}' |
	    jsonl bad.warc
	contract c.json <<-'EOF'
	{"contract": "h", "version": "1", "record": {"type": "object",
	 "required": ["id", "email"], "properties": {
	  "id": {"type": "integer", "minimum": 1},
	  "email": {"type": "string", "pattern": "^[^@ ]+@[^@ ]+$"}}}}
	EOF
}

# check_row NAME WANT-STATUS FRAGMENT: after `run`, $status must be WANT,
# $output must hold FRAGMENT, out.warc must be whole records (or empty);
# problems are collected in the array problems.
check_row() {
	[ "$status" -eq "$2" ] ||
	    problems+=("$1: status $status, want $2: ${output:0:400}")
	[[ "$output" == *"$3"* ]] ||
	    problems+=("$1: message lacks '$3': ${output:0:400}")
	[[ "$output" != *"runtime error"* && "$output" != *"AddressSanitizer"* &&
	    "$output" != *"LeakSanitizer"* ]] ||
	    problems+=("$1: sanitizer: ${output:0:600}")
	if [ -s out.warc ]; then
		streamcat -c out.warc >/dev/null 2>&1 ||
		    problems+=("$1: stdout is not whole records")
	fi
}

@test "hostile contracts: each refused with 78 and a pointer to the fault, or honoured" {
	# generated contracts, named @FILE in the table
	printf '{"contract":"c","version":"1","record":{"pattern":"%s"}}' \
	    "$(head -c 3000000 /dev/zero | tr '\0' x)" >huge-pattern.json
	printf '{"contract":"c","version":"1","record":%s' \
	    "$(printf '%0.s[' $(seq 2000))" >deep.json
	{
		printf '{"contract":"c","version":"1","record":{"$ref":"#/$defs/d0","$defs":{'
		for i in $(seq 0 1999); do printf '"d%d":{"$ref":"#/$defs/d%d"},' $i $((i + 1)); done
		printf '"d2000":true}}}'
	} >chain.json
	{
		printf '{"contract":"c","version":"1","record":{"properties":{'
		for i in $(seq 1 5000); do printf '"p%d":true,' $i; done
		printf '"p17":false}}}'
	} >dup-among-many.json
	truncate -s 65M huge.json
	problems=()
	while IFS='|' read -r name body want message; do
		case $body in
		@*) cp "${body#@}" c.json ;;
		*) printf '%s' "$body" >c.json ;;
		esac
		run bash -c 'timeout 60 sluice-validate --reject r.warc --now 2024-01-01T00:00:00Z -c c.json good.warc >out.warc'
		check_row "$name" "$want" "$message"
		if [ "$want" -eq 78 ]; then
			[ ! -s out.warc ] || problems+=("$name: output before the contract was read")
			[ ! -e r.warc ] || problems+=("$name: a reject file from a bad contract")
			[[ "$output" == "sluice-validate: c.json: "* ]] ||
			    problems+=("$name: message does not start with the file: $output")
		fi
		rm -f r.warc out.warc
	done <<-'TABLE'
	empty file||78|c.json: empty file: a contract is a JSON object
	blank file|   |78|empty file: a contract is a JSON object
	not JSON|nul|78|not JSON: truncated literal at line 1, column 4
	an array|[]|78|a contract is a JSON object, not array
	cut short|{"contract":"c",|78|not JSON: unterminated object
	NaN|{"contract":"c","version":NaN}|78|not JSON
	key twice|{"contract":"a","version":"1","contract":"b"}|78|/contract: key given twice
	key twice among 5000|@dup-among-many.json|78|/record/properties/p17: key given twice
	NUL in the name|{"contract":"a\u0000b","version":"1"}|78|/contract: contains a NUL character
	version of the wrong type|{"contract":"a","version":true}|78|/version: must be a string (or a number), not boolean
	unknown key|{"contract":"a","version":"1","bogus":1}|78|/bogus: unknown key (known here: contract, version
	65 MB|@huge.json|78|c.json: larger than 64 MiB: not a contract
	nested 2000 deep|@deep.json|78|not JSON: nesting deeper than 1024
	recursive $ref|{"contract":"a","version":"1","record":{"$ref":"#"}}|78|/record/$ref: "$ref" leads back to a schema being evaluated without descending into the instance
	mutually recursive $ref|{"contract":"a","version":"1","record":{"$defs":{"a":{"$ref":"#/$defs/b"},"b":{"$ref":"#/$defs/a"}},"$ref":"#/$defs/a"}}|78|/record/$defs/b/$ref: "$ref" leads back
	recursion through allOf|{"contract":"a","version":"1","record":{"allOf":[{"not":{"$ref":"#"}}]}}|78|leads back to a schema being evaluated
	$ref to nowhere|{"contract":"a","version":"1","record":{"$ref":"#/nowhere"}}|78|/record/$ref: reference "#/nowhere" does not resolve to a schema
	$ref to a remote|{"contract":"a","version":"1","record":{"$ref":"http://example.org/s.json"}}|78|names a remote document "http://example.org/s.json"
	$ref chain of 2000|@chain.json|78|deeper than 1500 levels
	invalid pattern|{"contract":"a","version":"1","record":{"pattern":"("}}|78|/record/pattern: invalid regular expression "(": missing closing parenthesis
	pattern out of order|{"contract":"a","version":"1","record":{"patternProperties":{"a{2,1}":true}}}|78|numbers out of order
	3 MB pattern|@huge-pattern.json|78|/record/pattern: invalid regular expression "xxxxxxxx
	wrong keyword type|{"contract":"a","version":"1","record":{"minimum":"1"}}|78|/record/minimum
	draft-07 record schema|{"contract":"a","version":"1","record":{"$schema":"http://json-schema.org/draft-07/schema#","additionalItems":false}}|78|/record/$schema: "http://json-schema.org/draft-07/schema#" is not JSON Schema draft 2020-12
	$schema not a string|{"contract":"a","version":"1","record":{"$schema":7}}|78|/record/$schema: number is not JSON Schema draft 2020-12
	draft 2020-12 named|{"contract":"a","version":"1","record":{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object"}}|0|pass: 3 records in
	duration P|{"contract":"a","version":"1","stream":{"freshness":{"field":"/t","warnAfter":"P"}}}|78|/stream/freshness/warnAfter: "P" is not an ISO 8601 duration: no amount after 'P'
	duration PT|{"contract":"a","version":"1","stream":{"freshness":{"field":"/t","warnAfter":"PT"}}}|78|"PT" is not an ISO 8601 duration: 'T' must be followed by hours, minutes or seconds
	duration P1DT|{"contract":"a","version":"1","stream":{"freshness":{"field":"/t","warnAfter":"P1DT"}}}|78|'T' must be followed
	negative duration|{"contract":"a","version":"1","stream":{"freshness":{"field":"/t","errorAfter":"-P1D"}}}|78|/stream/freshness/errorAfter: "-P1D": a freshness window cannot be signed or negative
	hours without T|{"contract":"a","version":"1","stream":{"freshness":{"field":"/t","errorAfter":"P1H"}}}|78|"P1H" is not an ISO 8601 duration
	enormous duration|{"contract":"a","version":"1","stream":{"freshness":{"field":"/t","errorAfter":"P99999999999999999999D"}}}|78|number too large
	duration past 10000 years|{"contract":"a","version":"1","stream":{"freshness":{"field":"/t","errorAfter":"P999999999D"}}}|78|duration too large
	zero duration|{"contract":"a","version":"1","stream":{"freshness":{"field":"/t","errorAfter":"PT0S"}}}|78|"PT0S" is a window of zero
	duration a number|{"contract":"a","version":"1","stream":{"freshness":{"field":"/t","errorAfter":86400}}}|78|must be an ISO 8601 duration string
	warnAfter past errorAfter|{"contract":"a","version":"1","stream":{"freshness":{"field":"/t","warnAfter":"P2D","errorAfter":"P1D"}}}|78|/stream/freshness: "warnAfter" P2D is longer than "errorAfter" P1D
	freshness field a sentence|{"contract":"a","version":"1","stream":{"freshness":{"field":"bad field","warnAfter":"P1D"}}}|78|is neither a JSON Pointer
	P1Y2M honoured|{"contract":"a","version":"1","stream":{"freshness":{"field":"/t","errorAfter":"P1Y2M"}}}|0|pass: 3 records in, 3 passed
	PT6H honoured, and late|{"contract":"a","version":"1","stream":{"freshness":{"field":"/t","errorAfter":"PT6H"}}}|1|older than PT6H at 2024-01-01T00:00:00Z
	P2W honoured|{"contract":"a","version":"1","stream":{"freshness":{"field":"WARC-Date","warnAfter":"P2W","errorAfter":"P9999Y"}}}|0|warning: newest WARC-Date
	rate above 1|{"contract":"a","version":"1","stream":{"invalidRate":{"warn":1.5}}}|78|/stream/invalidRate/warn: must be a number from 0 to 1, not 1.5
	rate negative|{"contract":"a","version":"1","stream":{"invalidRate":{"error":-0.1}}}|78|/stream/invalidRate/error: must be a number from 0 to 1, not -0.1
	rate overflowing|{"contract":"a","version":"1","stream":{"nullRate":{"/email":{"error":1e400}}}}|78|/stream/nullRate/~1email/error: must be a number from 0 to 1, not 1e400
	rate a string|{"contract":"a","version":"1","stream":{"invalidRate":{"warn":"0.5"}}}|78|must be a number from 0 to 1, not string
	rate warn past error|{"contract":"a","version":"1","stream":{"invalidRate":{"warn":0.5,"error":0.1}}}|78|"warn" 0.5 is above "error" 0.1
	rate with no threshold|{"contract":"a","version":"1","stream":{"invalidRate":{}}}|78|needs "warn", "error" or both
	nullRate key not a pointer|{"contract":"a","version":"1","stream":{"nullRate":{"email":{"warn":0.1}}}}|78|"email" is not a JSON Pointer
	rows a fraction|{"contract":"a","version":"1","stream":{"rows":{"min":1.0}}}|78|/stream/rows/min: must be a non-negative integer, not 1.0
	rows negative|{"contract":"a","version":"1","stream":{"rows":{"max":-1}}}|78|must be a non-negative integer, not -1
	rows past 2^64|{"contract":"a","version":"1","stream":{"rows":{"max":18446744073709551616}}}|78|18446744073709551616 is too large
	rows min past max|{"contract":"a","version":"1","stream":{"rows":{"min":5,"max":1}}}|78|"min" 5 is above "max" 1
	severity key not a pointer|{"contract":"a","version":"1","severity":{"x":"warn"}}|78|/severity/x: a severity key is "default" or a JSON Pointer
	severity key empty|{"contract":"a","version":"1","severity":{"":"warn"}}|78|a severity key is "default" or a JSON Pointer
	severity key with a bad escape|{"contract":"a","version":"1","severity":{"/a~2":"warn"}}|78|a severity key is "default" or a JSON Pointer
	severity key mistyped|{"contract":"a","version":"1","record":{"properties":{"nickname":true}},"severity":{"/properties/nickame":"warn"}}|78|/severity/~1properties~1nickame: points at nothing
	severity key a partial name|{"contract":"a","version":"1","payload":{"maxBytes":1},"severity":{"/pay":"warn"}}|78|points at nothing
	severity level unknown|{"contract":"a","version":"1","severity":{"default":"fatal"}}|78|/severity/default: "fatal" is not a severity (error, warn)
	severity level a number|{"contract":"a","version":"1","payload":{"maxBytes":1},"severity":{"/payload":1}}|78|/severity/~1payload: must be "error" or "warn", not number
	severity /record always allowed|{"contract":"a","version":"1","unique":["/id"],"severity":{"/record":"warn"}}|0|pass: 3 records in
	unique an empty key|{"contract":"a","version":"1","unique":[[]]}|78|/unique/0: must be a JSON Pointer or a non-empty array of them, not an empty array
	unique not a pointer|{"contract":"a","version":"1","unique":["/a~2"]}|78|/unique/0: "/a~2" is not a JSON Pointer
	no media types|{"contract":"a","version":"1","payload":{"mediaTypes":[]}}|78|/payload/mediaTypes: must name at least one media type
	media type with no slash|{"contract":"a","version":"1","payload":{"mediaTypes":["json"]}}|78|/payload/mediaTypes/0: "json" is not a media type
	level unknown|{"contract":"a","version":"1","context":{"maxClassification":"secret"}}|78|"secret" is not one of public, internal, confidential, restricted
	TABLE
	fail_all
}

@test "hostile data against sound contracts: too costly is a violation, never a hang" {
	# a pattern that backtracks catastrophically, a schema whose allOf
	# doubles the work 40 times, a recursive schema on nested arrays
	printf '%s\n' "{\"s\":\"$(head -c 40 /dev/zero | tr '\0' a)!\"}" | jsonl backtrack.warc
	printf '1\n' | jsonl one.warc
	{
		printf '{"contract":"fan","version":"1","record":{"$ref":"#/$defs/d0","$defs":{'
		for i in $(seq 0 39); do
			printf '"d%d":{"allOf":[{"$ref":"#/$defs/d%d"},{"$ref":"#/$defs/d%d"}]},' $i $((i + 1)) $((i + 1))
		done
		printf '"d40":{"type":"integer"}}}}'
	} >fan.json
	record resource application/json "$(printf '%0.s[' $(seq 60))$(printf '%0.s]' $(seq 60))" >nested.warc
	problems=()
	while IFS='|' read -r name contract input want message; do
		printf '%s' "$contract" >c.json
		[ "$contract" != @fan ] || cp fan.json c.json
		run bash -c "timeout 60 sluice-validate --reject r.warc --report r.json -c c.json $input >out.warc"
		check_row "$name" "$want" "$message"
		[ "$(jq '.records | .in == .passed + .rejected' r.json)" = true ] ||
		    problems+=("$name: in != passed + rejected: $(jq -c .records r.json)")
	done <<-'TABLE'
	catastrophic pattern|{"contract":"re","version":"1","record":{"properties":{"s":{"pattern":"^(a+)+$"}}}}|backtrack.warc|1|field "/s": pattern "^(a+)+$" is too costly to match (pattern at /record/properties/s/pattern)
	catastrophic additionalProperties|{"contract":"re","version":"1","record":{"additionalProperties":{"pattern":"^(\\w+\\s?)*$"}}}|backtrack.warc|1|field "/s": pattern "^(\w+\s?)*$" is too costly to match
	exponential allOf|@fan|one.warc|1|too costly to check: more than 20000000 schema evaluations for one value (allOf/anyOf/$ref that multiply the work?) (schema at /record)
	doubling recursion on nested arrays|{"contract":"n","version":"1","record":{"items":{"allOf":[{"$ref":"#"},{"$ref":"#"}]}}}|nested.warc|1|too costly to check
	TABLE
	fail_all
}

@test "hostile streams: exit status, message, whole records out, counts that add up" {
	# record TYPE CONTENT-TYPE BLOCK makes one record by hand (helpers)
	record resource application/json '{"id":1}' >ok.warc
	head -c 100 ok.warc >truncated-header.warc
	head -c $(($(stat -c %s ok.warc) - 6)) ok.warc >truncated-block.warc
	sed 's/^Content-Length: 8/Content-Length: 99/' ok.warc >cl-long.warc
	sed 's/^Content-Length: 8/Content-Length: 3/' ok.warc >cl-short.warc
	sed 's/^Content-Length: 8/Content-Length: -8/' ok.warc >cl-negative.warc
	sed 's/^Content-Length: 8/Content-Length: 99999999999999999999/' ok.warc >cl-huge.warc
	{ cat ok.warc; gzip -c ok.warc | head -c 40; } >cut-member.warc
	gzip -c good.warc >g.gz
	head -c $(($(stat -c %s g.gz) - 10)) g.gz >cut.warc.gz
	{ cat ok.warc; record resource application/json 'not json'; } >not-json.warc
	record resource application/json $'{"id":1,"s":"\xff"}' >bad-utf8.warc
	record resource application/json '{"id":12345678901234567890,"x":-0.000000000000000000001e-999}' >digits.warc
	python3 -c '
import json
print(json.dumps({"id": 1, **{"f%d" % i: i for i in range(100000)}}, separators=(",", ":")))
print(json.dumps({"id": 2, "s": "x" * 1048576}))' | jsonl big.warc
	record resource application/json "{\"id\":1,\"n\":$(printf '%0.s[' $(seq 100000))$(printf '%0.s]' $(seq 100000))}" >deep.warc
	record resource application/json "{\"id\":1,\"n\":$(printf '%0.s[' $(seq 1000))$(printf '%0.s]' $(seq 1000))}" >deep1000.warc
	record resource application/json '{"id":1,"id":-5}' >dup-key.warc
	record resource application/json '{"id":1,"n":[[],[]],"o":{"a":{"b":1,"c":2,"b":3}}}' >dup-deep.warc
	record resource application/json "{\"id\":1,\"o\":{$(for i in $(seq 1 40); do printf '"k%d":1,' $i; done)\"k7\":2}}" >dup-among-40.warc
	record resource application/json '{"id":1,"o":{"a":1,"A":2,"a ":3},"p":[{"a":1},{"a":1}]}' >no-dup.warc
	head -c 5000 /dev/urandom >garbage.warc
	: >empty.warc
	printf '{"contract":"s","version":"1","record":{"type":"object","properties":{"id":{"type":"integer","minimum":1},"n":{"$ref":"#/$defs/nest"}},"$defs":{"nest":{"type":"array","items":{"$ref":"#/$defs/nest"}}}}}' >c.json
	problems=()
	while IFS='|' read -r input want message; do
		rm -f r.json
		run bash -c "timeout 60 sluice-validate --reject r.warc --report r.json -c c.json $input >out.warc"
		check_row "$input" "$want" "$message"
		if [ -e r.json ]; then
			[ "$(jq '.records | .in == .passed + .rejected' r.json)" = true ] ||
			    problems+=("$input: in != passed + rejected: $(jq -c .records r.json)")
		elif [ "$want" -le 1 ]; then
			problems+=("$input: no report")
		fi
	done <<-'TABLE'
	truncated-header.warc|65|truncated-header.warc: record 1 at byte 0: truncated record: the input ends inside the header
	truncated-block.warc|65|truncated-block.warc: record 1 at byte 0: truncated record
	cl-long.warc|65|record 1 at byte 0: truncated record: Content-Length is 99 but the input ends after
	cl-short.warc|65|the block (Content-Length 3) is not followed by CRLF CRLF
	cl-negative.warc|65|Content-Length "-8" is not a decimal number
	cl-huge.warc|65|Content-Length "99999999999999999999" is not a decimal number
	cut-member.warc|65|cut-member.warc: record 2
	cut.warc.gz|65|cut.warc.gz: record
	garbage.warc|65|garbage.warc: record 1 at byte 0
	not-json.warc|1|not-json.warc: record 2 at byte 201: payload is not JSON: invalid literal at byte 1 (json at /record)
	bad-utf8.warc|1|payload is not JSON: invalid UTF-8 in string at byte 13
	digits.warc|0|1 record in, 1 passed
	big.warc|0|2 records in, 2 passed
	deep.warc|1|payload is not JSON: nesting deeper than 1024
	deep1000.warc|0|1 record in, 1 passed
	dup-key.warc|1|dup-key.warc: record 1 at byte 0: the name "id" is given twice in one object: readers disagree on its value (json at /record)
	dup-deep.warc|1|field "/o/a": the name "b" is given twice in one object
	dup-among-40.warc|1|field "/o": the name "k7" is given twice in one object
	no-dup.warc|0|1 record in, 1 passed
	empty.warc|0|0 records in, 0 passed
	TABLE
	fail_all
	# the 20-digit integer and the tiny number pass byte for byte
	run bash -c 'sluice-validate -q -c c.json digits.warc | streamcat -d -p'
	expect_status 0
	[ "$output" = '{"id":12345678901234567890,"x":-0.000000000000000000001e-999}' ]
	# the first record of cut-member.warc went out whole before the 65
	sluice-validate -c c.json cut-member.warc >out.warc 2>/dev/null || true
	[ "$(count out.warc)" = 1 ]
}

@test "hostile options: exit status and message, no output before the refusal" {
	mkdir -p ro-dir
	printf '{"contract":"h","version":"1","record":{"properties":{"id":{"minimum":1}}},"stream":{"rows":{"min":100}}}' >rows.json
	problems=()
	while IFS='|' read -r name args want message; do
		rm -f out.warc
		run bash -c "sluice-validate $args >out.warc"
		check_row "$name" "$want" "$message"
	done <<-TABLE
	--max-errors 0 reports all|--max-errors 0 --annotate -c c.json bad.warc|1|violations: 3 errors, 0 warnings; top:
	--max-errors 1 counts all|--max-errors 1 --annotate -c c.json bad.warc|1|3 errors, 0 warnings (2 not shown: --max-errors)
	--max-errors 1 shows stream findings|--max-errors 1 --reject r.warc -c rows.json bad.warc|1|stream: 2 data records, fewer than the minimum 100 (rows at /stream/rows/min)
	--max-errors past 2^64|--max-errors 99999999999999999999 -c c.json good.warc|64|--max-errors: "99999999999999999999" is not a non-negative integer
	--max-errors negative|--max-errors -1 -c c.json good.warc|64|"-1" is not a non-negative integer
	--max-errors empty|--max-errors '' -c c.json good.warc|64|is not a non-negative integer
	--now not a date|--now 2026-13-01T00:00:00Z -c c.json good.warc|64|--now: "2026-13-01T00:00:00Z" is not an RFC 3339 time: no such date
	--now empty|--now '' -c c.json good.warc|64|--now: "" is not an RFC 3339 time
	--now garbage|--now 'tomorrow at 3' -c c.json good.warc|64|is not an RFC 3339 time
	--reject to /dev/full|--reject /dev/full -c c.json bad.warc|74|/dev/full: write error: No space left on device
	--errors to /dev/full|--errors /dev/full --reject r.warc -c c.json bad.warc|74|/dev/full: write error: No space left on device
	--errors in a missing folder|--errors missing/e.jsonl -c c.json good.warc|74|missing/e.jsonl: cannot create: No such file or directory
	--reject in a missing folder|--reject missing/r.warc -c c.json good.warc|74|missing/r.warc: cannot create
	--report in a missing folder|--report missing/r.json -c c.json good.warc|74|missing/r.json: cannot create
	--report to /dev/full|--report /dev/full -c c.json good.warc|74|/dev/full: write error
	-o in a missing folder|-o missing/o.warc -c c.json good.warc|73|missing/o.warc: cannot create: No such file or directory
	an input that is missing|-c c.json good.warc missing.warc|66|missing.warc: cannot open: No such file or directory
	an input that is a folder|-c c.json ro-dir|66|ro-dir: is a folder
	--errors into the stream|--errors /dev/stdout -c c.json bad.warc|64|--errors: "/dev/stdout" is the output stream: its lines would land between records
	--reject into the stream|--reject /dev/stdout -c c.json bad.warc|64|--reject: "/dev/stdout" is the output stream
	--report into the -o file|-o out.warc --report out.warc -c c.json good.warc|64|--report: "out.warc" is the output stream
	--errors to /dev/null may share|-q --errors /dev/null -c c.json good.warc|0|
	two side files, one name|--reject x.out --errors x.out -c c.json bad.warc|64|--reject and --errors both name "x.out"
	side files may share /dev/null|-q --reject /dev/null --errors /dev/null --report /dev/null -c c.json bad.warc|1|
	TABLE
	fail_all
	# a side file that cannot be created stops the run before any output
	for opt in --errors --reject --report; do
		sluice-validate $opt missing/x -c c.json good.warc >out.warc 2>/dev/null && false
		[ ! -s out.warc ] || fail "$opt: output before the refusal"
	done
	# --reject to a full device: the records that passed are whole
	sluice-validate --reject /dev/full -c c.json bad.warc >out.warc 2>/dev/null && false
	streamcat -c out.warc >/dev/null
}

@test "--gate when TMPDIR cannot hold the stream: 73 or 74 naming it, nothing released" {
	# not a folder: the temporary file cannot be created
	run bash -c 'TMPDIR=/dev/null sluice-validate --gate -c c.json good.warc >out.warc'
	expect_status 73
	expect_match "/dev/null/sluice-validate-gate\.[A-Za-z0-9]+: cannot create the gate's temporary file: Not a directory"
	[ ! -s out.warc ]
	# a folder this user cannot write (root writes anywhere: skipped then)
	mkdir ro && chmod 555 ro
	if [ "$(id -u)" -ne 0 ]; then
		run bash -c 'TMPDIR=ro sluice-validate --gate -c c.json good.warc >out.warc'
		expect_status 73
		expect_match "Permission denied"
		[ ! -s out.warc ]
	fi
	# a full one: a small tmpfs, where this user may mount one
	mkdir small
	if mount -t tmpfs -o size=64k tmpfs small 2>/dev/null; then
		seq 1 2000 | sed 's/.*/{"id":&,"email":"a&@x.org"}/' | jsonl many.warc
		run bash -c 'TMPDIR=small sluice-validate --gate -c c.json many.warc >out.warc'
		umount small
		expect_status 74
		expect_match "the gate's temporary file in small \(TMPDIR\): write error: No space left on device"
		[ ! -s out.warc ]
	else
		skip "cannot mount a small tmpfs here: the full-TMPDIR case is untested"
	fi
}

@test "SIGPIPE: a reader that goes away ends the run with no temporary files left" {
	seq 1 3000 | sed 's/.*/{"id":&,"email":"a&@x.org"}/' | jsonl many.warc
	cat many.warc bad.warc >mixed.warc
	for args in "mixed.warc" "--gate many.warc" "-o /dev/stdout many.warc" \
	    "--reject r.warc --errors e.jsonl --report r.json mixed.warc" \
	    "--annotate --errors e.jsonl mixed.warc"; do
		run bash -c "sluice-validate -c c.json $args | head -c 100 >/dev/null; echo \${PIPESTATUS[0]}"
		[ "${lines[-1]}" = 141 ] || fail "$args: status ${lines[-1]}, want 141 (SIGPIPE): $output"
		[ -z "$(ls -A | grep -v -x -e c.json -e good.warc -e bad.warc -e many.warc -e mixed.warc)" ] ||
		    fail "$args: left behind: $(ls -A)"
	done
	# a caller that ignores SIGPIPE gets a write error, 74, and no mess
	run bash -c "trap '' PIPE; sluice-validate --reject r.warc -c c.json mixed.warc | head -c 100 >/dev/null; echo \${PIPESTATUS[0]}"
	[ "${lines[-1]}" = 74 ] || fail "SIG_IGN: status ${lines[-1]}: $output"
	expect_match "stdout: write error: Broken pipe"
	[ ! -e r.warc ] && [ -z "$(ls -A | grep tmp)" ]
}

@test "SIGINT with -o, --reject, --errors, --report: no file, whole or partial, is left" {
	seq 1 200 | sed 's/.*/{"id":&,"email":"a&@x.org"}/' | jsonl many.warc
	# python3: a shell would start the background job with SIGINT ignored
	run python3 - <<-'EOF'
	import os, signal, subprocess, time
	data = open("many.warc", "rb").read()
	p = subprocess.Popen(["sluice-validate", "-o", "o.warc", "--reject", "r.warc",
	    "--errors", "e.jsonl", "--report", "r.json", "-c", "c.json", "-"],
	    stdin=subprocess.PIPE, stderr=subprocess.DEVNULL)
	p.stdin.write(data[:len(data) // 2])
	p.stdin.flush()
	for _ in range(200):   # until its files are open, 20 s at most
	    mid = sorted(f for f in os.listdir(".") if ".tmp." in f)
	    if len(mid) == 4:
	        break
	    time.sleep(0.1)
	time.sleep(0.2)
	p.send_signal(signal.SIGINT)
	p.wait()
	print(p.returncode, len(mid), sorted(os.listdir(".")))
	EOF
	expect_status 0
	# killed by SIGINT, four temporaries while it ran, none after
	[ "$output" = "-2 4 ['bad.warc', 'c.json', 'good.warc', 'many.warc']" ] || fail "$output"
}

@test "--from-sample on hostile data: the draft lints and its own data passes it" {
	{
		record resource application/json '{"a":1e400,"b":"\u0000x","c\u001b":"y","d":-0,"e":12345678901234567890123,"f":[1],"g":null}'
		record resource application/json '{"a":-1e400,"b":"q","d":0.0,"e":1,"g":null}'
		record resource application/json '{"a":1,"b":"\ud83d\ude00","d":1,"g":null,"s":"ab"}'
		record resource application/json '{"a":2,"b":"Ünïcödé","d":2,"g":null,"s":"\ud83d\ude00"}'
		record resource application/json '{"a":3,"b":"","d":3,"g":null,"s":"ab","dup":1,"dup":2}'
		record resource application/json 'not json'
		record resource text/plain '{"a":"not looked at"}'
	} >in.warc
	python3 -c 'import json; print(json.dumps({"k%d" % i: i for i in range(2000)}))' |
	    jsonl wide.warc
	run bash -c 'sluice-validate --from-sample in.warc >draft.json'
	expect_status 0
	run sluice-validate --lint draft.json
	expect_status 0
	# lengths are in characters: the emoji is one, like "q"
	[ "$(jq -c '.record.properties.b | [.minLength, .maxLength]' draft.json)" = '[0,7]' ]
	[ "$(jq -c '.record.properties.s | [.minLength, .maxLength]' draft.json)" = '[1,2]' ]
	grep -q "\"e\": { \"type\": \"integer\", \"minimum\": 1, \"maximum\": 12345678901234567890123 }" draft.json
	# the records it drafted from pass it, but the ones that are not JSON
	# (and the one with a name given twice)
	run bash -c 'sluice-validate --annotate -c draft.json in.warc 2>/dev/null | streamcat -d -f Sluice-Contract'
	[ "$output" = $'in@1 pass\nin@1 pass\nin@1 pass\nin@1 pass\nin@1 fail\nin@1 fail\nin@1 fail' ] ||
	    fail "$output"
	# more than 1024 top-level fields: the others are left out, said so
	run bash -c 'sluice-validate --from-sample wide.warc >wide.json'
	expect_status 0
	expect_match "more than 1024 top-level fields: the others are left out"
	[ "$(jq '.record.properties | length' wide.json)" = 1024 ]
}

@test "memory does not grow with the stream, even when every record breaks the contract" {
	[ -x /usr/bin/time ] || skip "no /usr/bin/time to measure the peak memory"
	# rows with a violation, a warning and a name given twice each; the
	# gate, reject and errors on, every violation reported
	seq 1 100000 | awk '{ printf "{\"id\":%d,\"email\":\"%s\",\"d\":1,\"d\":2}\n", $1 - 5, ($1 % 3 ? "x" : "a@b") }' >rows.jsonl
	head -2000 rows.jsonl | jsonl small.warc
	jsonl big.warc <rows.jsonl
	for f in small big; do
		# ASan's quarantine of freed memory would look like growth
		ASAN_OPTIONS=quarantine_size_mb=1 /usr/bin/time -f %M -o $f.kb \
		    sluice-validate --gate --max-errors 0 --errors /dev/null \
		    --reject /dev/null --report /dev/null -c c.json $f.warc \
		    >/dev/null 2>&1 || [ $? -eq 1 ] || fail "$f: status $?"
	done
	small=$(tail -1 small.kb) big=$(tail -1 big.kb)
	# 50 times the records: at most 8 MB more (100 bytes a record is 10 MB)
	[ $((big - small)) -lt 8192 ] || fail "peak memory grew from $small KB to $big KB"
}

@test "formats at their edges: leap seconds, 24:00, zone ids, IDN, spaces" {
	problems=()
	n=0
	while IFS='|' read -r format value want; do
		printf '{"contract":"f","version":"1","record":{"properties":{"v":{"format":"%s"}}}}' "$format" >f.json
		record resource application/json "{\"v\":\"$value\"}" >f.warc
		run bash -c 'sluice-validate -q --annotate -c f.json f.warc 2>/dev/null | streamcat -d -f Sluice-Contract'
		[ "$output" = "f@1 $want" ] || problems+=("$format \"$value\": got '$output', want '$want'")
		n=$((n + 1))
	done <<-'TABLE'
	date-time|1998-12-31T23:59:60Z|pass
	date-time|1998-12-31T15:59:60-08:00|pass
	date-time|1998-12-31T22:59:60Z|fail
	date-time|2026-11-24T24:00:00Z|fail
	date-time|2026-02-29T10:00:00Z|fail
	date-time|2024-02-29T10:00:00Z|pass
	date-time|2026-11-24t10:00:00z|pass
	date-time|2026-11-24T10:00:00.Z|fail
	date-time|2026-11-24T10:00:00+24:00|fail
	date-time|2026-11-24 10:00:00Z|fail
	time|24:00:00Z|fail
	time|23:59:60Z|pass
	time|00:00:60+01:00|fail
	time|12:00:00|fail
	date|0000-01-01|pass
	date|2026-1-01|fail
	ipv6|fe80::1%eth0|fail
	ipv6|::|pass
	ipv6|::ffff:1.2.3.4|pass
	ipv6|1:2:3:4:5:6:7:8:9|fail
	ipv6|1::2::3|fail
	ipv4|01.2.3.4|fail
	ipv4|256.1.1.1|fail
	email|jürgen@example.org|fail
	email|a@münchen.de|fail
	email|\"a b\"@x.org|pass
	email|\"a\u0000b\"@x.org|fail
	email|a@[127.0.0.1]|pass
	email|a..b@x.org|fail
	email|aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@x.org|fail
	uri|http://x.org/a b|fail
	uri|http://x.org/a%20b|pass
	uri|http://[::1]:80/|pass
	uri|http://ex.org/%zz|fail
	uri|http://ex.org/é|fail
	uri|x|fail
	duration|P|fail
	duration|PT|fail
	duration|P1Y2M|pass
	duration|-P1D|fail
	duration|P1W2D|fail
	duration|PT1H2M3S|pass
	uuid|2EB8AA08-AA98-11EA-B4AA-73B441D16380|pass
	uuid|2eb8aa08aa9811eab4aa73b441d16380|fail
	TABLE
	fail_all
	[ "$n" -eq 44 ]
}

@test "freshness: a time after now does not keep a stale stream fresh" {
	printf '%s\n' '{"t":"2023-11-01T00:00:00Z"}' '{"t":"2099-01-01T00:00:00Z"}' \
	    '{"t":"2100-01-01T00:00:00+01:00"}' | jsonl stale.warc
	printf '%s\n' '{"t":"2099-01-01T00:00:00Z"}' | jsonl future.warc
	printf '{"contract":"f","version":"1","stream":{"freshness":{"field":"/t","errorAfter":"P1D"}}}' >f.json
	problems=()
	while IFS='|' read -r input want message; do
		run bash -c "sluice-validate --errors e.jsonl --now 2024-01-01T00:00:00Z -c f.json $input >out.warc"
		check_row "$input" "$want" "$message"
	done <<-'TABLE'
	stale.warc|1|stream: warning: 2 records with a time in /t after now (2024-01-01T00:00:00Z), the latest 2099-12-31T23:00:00Z: not counted for freshness
	stale.warc|1|stream: newest /t is 2023-11-01T00:00:00Z, older than P1D at 2024-01-01T00:00:00Z
	future.warc|1|stream: no record has a time in /t up to now to measure freshness by
	TABLE
	fail_all
	# with a now after them, they count
	run bash -c "sluice-validate --now 2100-01-01T00:00:00Z -c f.json stale.warc >out.warc"
	expect_status 0
}

@test "unique: a duplicate number cannot hide in another spelling" {
	printf '{"contract":"u","version":"1","unique":["/id",["/id","/k"]]}' >u.json
	for x in 1 1.0 10e-1 0.1e1 -0 0 0.0 0e5 1e400 10e399 100 1e2 2 -1 -1.00 \
	    0.001 1E-3 123.4500 1234.5e-1 12345678901234567890 1.2345678901234567890e19 \
	    12345678901234567891; do
		record resource application/json "{\"id\":$x,\"k\":\"a\"}"
	done >uq.warc
	run bash -c 'sluice-validate --annotate --errors e.jsonl -c u.json uq.warc 2>/dev/null | streamcat -d -f Sluice-Contract | cut -d" " -f2 | tr "\n" " "'
	[ "$output" = "pass fail fail fail pass fail fail fail pass fail pass fail pass pass fail pass fail pass fail pass fail pass " ] ||
	    fail "$output"
	# the message shows the key as written
	grep -q '"message":"key \[0.1e1,\\"a\\"\] seen before: not unique"' e.jsonl
}

@test "every key of the contract with every wrong type: 78 pointing at it, never a crash" {
	# each value of full.json (every key of the format) replaced in turn by
	# null, true, 1, -1, 1.5, "x", "", [], [1], {} and {"a":1}: the
	# contract lints, or is refused with 78 and a message naming the
	# replaced place (or a place inside or above it; a severity key that
	# points into a record schema that lost it)
	run python3 - "$VFIX/full.json" <<-'EOF'
	import copy, json, re, subprocess, sys
	base = json.load(open(sys.argv[1]))
	wrong = [None, True, 1, -1, 1.5, "x", "", [], [1], {}, {"a": 1}]
	def esc(k):
	    return str(k).replace("~", "~0").replace("/", "~1")
	def paths(v, p=()):
	    yield p
	    if isinstance(v, dict):
	        for k in v:
	            yield from paths(v[k], p + (k,))
	    elif isinstance(v, list):
	        for i, x in enumerate(v):
	            yield from paths(x, p + (i,))
	n = refused = 0
	bad = []
	for p in list(paths(base))[1:]:
	    ptr = "".join("/" + esc(k) for k in p)
	    for w in wrong:
	        d = copy.deepcopy(base)
	        t = d
	        for k in p[:-1]:
	            t = t[k]
	        t[p[-1]] = w
	        open("c.json", "w").write(json.dumps(d))
	        r = subprocess.run(["sluice-validate", "--lint", "c.json"],
	                           capture_output=True, text=True, timeout=60)
	        n += 1
	        if r.returncode == 0:
	            continue
	        m = re.match(r"sluice-validate: c\.json: (/[^:]*)?:? ", r.stderr)
	        got = (m.group(1) or "") if m else None
	        ok = r.returncode == 78 and got is not None and (
	            ptr.startswith(got) or got.startswith(ptr) or
	            (ptr.startswith("/record") and got.startswith("/severity/")))
	        if ok:
	            refused += 1
	        else:
	            bad.append("%s = %s: %d %s" % (ptr, json.dumps(w), r.returncode, r.stderr.strip()[:300]))
	print("\n".join(bad))
	print("cases", n, "refused", refused, "bad", len(bad))
	EOF
	expect_status 0
	[[ "${lines[-1]}" =~ ^cases\ ([0-9]+)\ refused\ ([0-9]+)\ bad\ 0$ ]] || fail "$output"
	# most replacements must be refused: the checks are there
	[ "${BASH_REMATCH[2]}" -gt 500 ] || fail "only ${BASH_REMATCH[2]} of ${BASH_REMATCH[1]} refused"
}
