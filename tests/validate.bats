#!/usr/bin/env bats
# validate.bats - sluice-validate record by record: what passes, what is
# rejected and where it goes, the errors file, exit statuses, reports.

load lib
load fixtures/validate/helpers

@test "--help prints the usage on stdout and exits 0" {
	run sluice-validate --help
	expect_status 0
	expect_line "usage: sluice-validate [options] [-c] CONTRACT [FILE ...]"
	expect_match "-c, --contract FILE"
	expect_match "See sluice-validate\(1\)"
}

@test "--version prints the name and version" {
	run sluice-validate --version
	expect_status 0
	[ "$output" = "sluice-validate 0.1.0" ]
}

@test "usage errors exit 64 and point at --help" {
	while IFS='|' read -r args message; do
		run sluice-validate $args
		[ "$status" -eq 64 ] || fail "$args: status $status, want 64"
		[[ "$output" == *"$message"* ]] || fail "$args: '$output' lacks '$message'"
		[[ "$output" == *"Try 'sluice-validate --help'"* ]] || fail "$args: no hint"
	done <<-'TABLE'
	|no contract
	--bogus c.json|unknown option '--bogus'
	--reject|option '--reject' needs an argument
	--max-errors -1 c.json|--max-errors: "-1" is not a non-negative integer
	--lint c.json in.warc|--lint checks one contract
	--gate --annotate c.json|--gate and --annotate exclude each other
	--now yesterday c.json|--now: "yesterday" is not an RFC 3339 time
	--from-sample --gate|--from-sample takes only input files
	-c|option '-c' needs an argument
	--contract|option '--contract' needs an argument
	-c a.json -c b.json|-c: one contract per run ("a.json" and "b.json")
	--lint -c c.json in.warc|--lint checks one contract
	--from-sample -c c.json|--from-sample takes only input files
	-|the contract is standard input: name the stream's files
	-c - -|the contract and an input cannot both be standard input
	- in.warc -|the contract and an input cannot both be standard input
	TABLE
}

@test "-c CONTRACT and a positional CONTRACT are the same run" {
	sed -n '1,2p' "$VFIX/people.jsonl" | jsonl in.warc
	sed -n '3,4p' "$VFIX/people.jsonl" | jsonl in2.warc
	# each form, with the same inputs: the same records out and rejected,
	# the same errors and report (but for the run id: it hashes argv)
	while IFS='|' read -r name args; do
		run bash -c "sluice-validate --reject $name.warc --errors $name.err --report $name.json $args >$name.warc.out"
		echo "$status" >$name.status
		streamcat -d -f WARC-Record-ID,Sluice-Contract -p $name.warc.out >$name.out
		streamcat -d -f WARC-Record-ID -p $name.warc >$name.rej
		jq -c 'del(.run)' $name.json >$name.rep
	done <<-TABLE
	positional|$VFIX/customers.json in.warc in2.warc
	short|-c $VFIX/customers.json in.warc in2.warc
	long|--contract $VFIX/customers.json in.warc in2.warc
	equals|--contract=$VFIX/customers.json in.warc in2.warc
	after|in.warc in2.warc -c $VFIX/customers.json
	TABLE
	[ "$(cat positional.status)" = 1 ] || fail "status $(cat positional.status)"
	problems=()
	for name in short long equals after; do
		for ext in status out rej err rep; do
			cmp -s positional.$ext $name.$ext || problems+=("$name: .$ext differs")
		done
	done
	fail_all
	# the report names only the inputs, whichever form named the contract
	[ "$(jq -c .inputs short.json)" = '["in.warc","in2.warc"]' ]
	[ "$(count short.warc.out)" = 3 ] && [ "$(count short.warc)" = 1 ]
	[ "$(jq -c .records short.json)" = '{"in":4,"passed":3,"warned":1,"rejected":1}' ]
}

@test "-c: every operand is an input, standard input when there is none" {
	sed -n 1p "$VFIX/people.jsonl" | jsonl in.warc
	run bash -c "sluice-validate -c '$VFIX/customers.json' <in.warc >out.warc"
	expect_status 0
	[ "$(count out.warc)" = 1 ]
	run bash -c "sluice-validate -c '$VFIX/customers.json' in.warc - in.warc <in.warc >out.warc"
	expect_status 0
	[ "$(count out.warc)" = 3 ]
	# the contract may come from standard input when the stream does not
	run bash -c "sluice-validate -c - in.warc <'$VFIX/customers.json' >out.warc"
	expect_status 0
	[ "$(count out.warc)" = 1 ]
	run sluice-validate --lint -c "$VFIX/customers.json"
	expect_status 0
	[ "$output" = "$VFIX/customers.json: customers@3: ok" ]
	run sluice-validate --lint - <"$VFIX/customers.json"
	expect_status 0
	[ "$output" = "-: customers@3: ok" ]
	# a missing -c contract is 66, like a missing positional one
	run sluice-validate -c missing.json in.warc
	expect_status 66
	[ "$output" = "sluice-validate: missing.json: cannot open: No such file or directory" ]
}

@test "records that pass go out with a Sluice-Contract line, payload and digest untouched" {
	sed -n '1p;4p' "$VFIX/people.jsonl" | jsonl in.warc
	validate "$VFIX/customers.json" in.warc
	expect_status 0
	run verdicts out.warc
	[ "${lines[0]}" = $'customers@3 pass\t{"id":1,"email":"ada@example.org","age":36}' ]
	[ "${lines[1]}" = $'customers@3 pass\t{"id":4,"email":"alan@example.org","age":41}' ]
	# everything else is as it came: only the one line is added
	diff <(streamcat -d -f WARC-Record-ID,WARC-Block-Digest,Sluice-Lineage -p in.warc) \
	    <(streamcat -d -f WARC-Record-ID,WARC-Block-Digest,Sluice-Lineage -p out.warc)
	diff <(tr -d '\r' <in.warc | sed -n '/^WARC-Type: resource/,$p') \
	    <(tr -d '\r' <out.warc | sed -n '/^WARC-Type: resource/,$p' | grep -v '^Sluice-Contract:')
}

@test "the stream keeps its warcinfo and gains this run's, first" {
	sed -n 1p "$VFIX/people.jsonl" | jsonl in.warc
	validate "$VFIX/customers.json" in.warc
	expect_status 0
	run streamcat -f WARC-Type out.warc
	[ "$output" = $'warcinfo\nwarcinfo\nresource' ]
	streamcat -p out.warc | grep -q '^software: sluice-validate/0.1.0'
	streamcat -p out.warc | grep -q 'sluice-step: validate'
}

@test "a line of the same contract is replaced, other contracts' lines are kept" {
	record resource application/json '{"id":1,"email":"a@b"}' \
	    'Sluice-Contract: customers@3 warn' 'Sluice-Contract: other@1 pass' >in.warc
	validate "$VFIX/customers.json" in.warc
	expect_status 0
	run streamcat -d -f Sluice-Contract out.warc
	[ "$output" = "other@1 pass | customers@3 pass" ]
}

@test "non-data records pass through untouched and are not counted" {
	{
		record warcinfo application/warc-fields 'software: x'
		record metadata application/json '{"not":"checked"}'
		record request application/http 'GET / HTTP/1.1'
		record resource application/json '{"id":1,"email":"a@b"}'
	} >in.warc
	validate --report r.json "$VFIX/customers.json" in.warc
	expect_status 0
	[ "$(streamcat -f WARC-Type out.warc | head -n 1)" = warcinfo ]
	run bash -c 'streamcat -f WARC-Type,Sluice-Contract -p out.warc | tail -n 4'
	[ "${lines[0]}" = $'warcinfo\t-\tsoftware: x' ]
	[ "${lines[1]}" = $'metadata\t-\t{"not":"checked"}' ]
	[ "${lines[2]}" = $'request\t-\tGET / HTTP/1.1' ]
	[ "${lines[3]}" = $'resource\tcustomers@3 pass\t{"id":1,"email":"a@b"}' ]
	[ "$(jq -c .records r.json)" = '{"in":1,"passed":1,"warned":0,"rejected":0}' ]
}

@test "by default the first failing record stops the run with exit 1, loudly" {
	jsonl in.warc <"$VFIX/people.jsonl"
	validate --report r.json "$VFIX/customers.json" in.warc
	expect_status 1
	stderr=$output
	[ "$(jq -c '[.result, .records, .stopped]' r.json)" = '["fail",{"in":3,"passed":2,"warned":1,"rejected":1},{"input":"in.warc","record":4}]' ]
	whole_records out.warc
	# records before the failing one are out, nothing after it
	run verdicts out.warc
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[1]}" == $'customers@3 warn\t{"id":2,'* ]]
	# each violation is named: input, record, byte offset, field, keyword
	[[ "$stderr" == *'in.warc: record 4 at byte '*': field "/email": '*'(pattern at /record/properties/email/pattern)'* ]] ||
	    fail "$stderr"
	[[ "$stderr" == *'field "/age": '*'(maximum at /record/properties/age/maximum)'* ]] || fail "$stderr"
	[[ "$stderr" == *'record 4 at byte '*': breaks contract customers@3: stopped'* ]] || fail "$stderr"
	[[ "$stderr" == *'contract customers@3: fail: 3 records in, 2 passed (1 with warnings), 1 rejected (stopped at the first)'* ]] ||
	    fail "$stderr"
}

@test "a stopped run leaves no -o file behind" {
	jsonl in.warc <"$VFIX/people.jsonl"
	run sluice-validate -o out.warc "$VFIX/customers.json" in.warc
	expect_status 1
	[ ! -e out.warc ] || fail "out.warc exists"
	[ -z "$(ls -A | grep -v in.warc)" ] || fail "left behind: $(ls -A)"
}

@test "--reject sets failing records aside unchanged and goes on; exit 1" {
	jsonl in.warc <"$VFIX/people.jsonl"
	validate --reject rej.warc "$VFIX/customers.json" in.warc
	expect_status 1
	run verdicts out.warc
	[ "${#lines[@]}" -eq 3 ]
	[[ "${lines[2]}" == $'customers@3 pass\t{"id":4,'* ]]
	# the reject file is a stream: the run's warcinfo, then the record as it came
	run streamcat -f WARC-Type rej.warc
	[ "$output" = $'warcinfo\nresource' ]
	diff <(tr -d '\r' <in.warc | awk '/^WARC\/1.1/ { n++ } n == 4') \
	    <(tr -d '\r' <rej.warc | awk '/^WARC\/1.1/ { n++ } n == 2')
	[[ "$output" != *"stopped"* ]]
}

@test "--errors writes one JSON line per violation with everything to find it" {
	jsonl in.warc <"$VFIX/people.jsonl"
	validate --reject rej.warc --errors err.jsonl "$VFIX/customers.json" in.warc
	expect_status 1
	summary=$output
	[ "$(wc -l <err.jsonl)" -eq 3 ]
	offset=$(grep -abo '^WARC/1.1' in.warc | sed -n 4p | cut -d: -f1)
	id=$(streamcat -d -f WARC-Record-ID in.warc | sed -n 3p)
	run jq -c 'select(.keyword == "maximum")' err.jsonl
	[ "$output" = "{\"input\":\"in.warc\",\"id\":\"$id\",\"record\":4,\"offset\":$offset,\"pointer\":\"/age\",\"keyword\":\"maximum\",\"schema\":\"/record/properties/age/maximum\",\"severity\":\"error\",\"excerpt\":\"230\",\"message\":$(jq -c 'select(.keyword == "maximum") | .message' err.jsonl)}" ]
	[ "$(jq -r 'select(.keyword == "pattern") | [.pointer, .excerpt, .severity] | @tsv' err.jsonl)" = $'/email\t"not an address"\terror' ]
	[ "$(jq -r 'select(.keyword == "maxLength") | [.record, .pointer, .severity, .schema] | @tsv' err.jsonl)" = \
	    $'3\t/nickname\twarn\t/record/properties/nickname/maxLength' ]
	# every message is a sentence for a person, not empty
	[ "$(jq -r 'select(.message | length < 8)' err.jsonl)" = "" ]
	# with --errors, violations are not repeated on stderr; the summary is
	[[ "$summary" != *'field "/age"'* ]] || fail "$summary"
	[[ "$summary" == *"violations: 2 errors, 1 warning; top:"* ]] || fail "$summary"
}

@test "--max-errors caps what is reported, never what is counted" {
	for i in 1 2 3 4 5 6; do printf '{"id":%d,"email":"x","age":500}\n' "$i"; done | jsonl in.warc
	while read -r max lines_want; do
		validate --reject rej.warc --errors err.jsonl --report r.json \
		    --max-errors "$max" "$VFIX/customers.json" in.warc
		expect_status 1
		[ "$(wc -l <err.jsonl)" -eq "$lines_want" ] || fail "max $max: $(wc -l <err.jsonl) lines"
		[ "$(jq -c .violations r.json)" = "{\"errors\":12,\"warnings\":0,\"reported\":$lines_want,\"unreported\":$((12 - lines_want))}" ] ||
		    fail "max $max: $(jq -c .violations r.json)"
		[ "$(jq .records.rejected r.json)" -eq 6 ]
	done <<-'TABLE'
	1 1
	5 5
	0 12
	100 12
	TABLE
}

@test "warnings pass with 'warn' and exit 0; --warn-error makes them failures" {
	sed -n 2p "$VFIX/people.jsonl" | jsonl in.warc
	validate "$VFIX/customers.json" in.warc
	expect_status 0
	[ "$(streamcat -d -f Sluice-Contract out.warc)" = "customers@3 warn" ]
	[[ "$output" == *'warning: field "/nickname": '* ]] || fail "$output"
	validate --warn-error --reject rej.warc "$VFIX/customers.json" in.warc
	expect_status 1
	[ "$(count out.warc)" -eq 0 ]
	[ "$(count rej.warc)" -eq 1 ]
}

@test "--annotate passes failing records on, marked fail, and still exits 1" {
	jsonl in.warc <"$VFIX/people.jsonl"
	validate --annotate "$VFIX/customers.json" in.warc
	expect_status 1
	run streamcat -d -f Sluice-Contract out.warc
	[ "$output" = $'customers@3 pass\ncustomers@3 warn\ncustomers@3 fail\ncustomers@3 pass' ]
}

@test "exit statuses: 0, 1, 65, 66, 74, 78" {
	jsonl good.warc < <(sed -n 1p "$VFIX/people.jsonl")
	jsonl bad.warc <"$VFIX/people.jsonl"
	head -c 300 good.warc >truncated.warc
	echo '{' >broken.json
	while read -r want args; do
		run bash -c "sluice-validate $args >out.warc"
		[ "$status" -eq "$want" ] || fail "$args: status $status, want $want: $output"
		whole_records out.warc
	done <<-TABLE
	0 $VFIX/customers.json good.warc
	1 $VFIX/customers.json bad.warc
	1 --reject r.warc $VFIX/customers.json bad.warc
	65 $VFIX/customers.json good.warc truncated.warc
	66 $VFIX/customers.json good.warc missing.warc
	66 missing.json good.warc
	74 --reject /nonexistent/r.warc $VFIX/customers.json good.warc
	74 --errors /nonexistent/e.jsonl $VFIX/customers.json good.warc
	78 broken.json good.warc
	TABLE
}

@test "a malformed stream stops with 65 after the records before it, whole" {
	jsonl a.warc <"$VFIX/people.jsonl"
	printf 'WARC/1.1\r\nWARC-Type: resource\r\nContent-Length: zz\r\n\r\n' | cat a.warc - >in.warc
	validate --reject rej.warc --errors e.jsonl "$VFIX/customers.json" in.warc
	expect_status 65
	[[ "$output" == *"in.warc: record 6 at byte $(wc -c <a.warc): "* ]] || fail "$output"
	whole_records out.warc
	[ "$(count out.warc)" -eq 3 ]
	# the side files of a run that failed are not left half-written
	[ ! -e rej.warc ] && [ ! -e e.jsonl ]
}

@test "payload rules: media types, size, digest, JSON that does not parse" {
	contract c.json <<-'EOF'
	{ "contract": "p", "version": "1",
	  "payload": { "mediaTypes": ["application/json", "application/ld+json", "text/*"], "maxBytes": 20,
	               "verifyDigest": true },
	  "record": true }
	EOF
	good='{"a":1}'
	digest=sha256:$(printf '%s' "$good" | sha256sum | cut -d' ' -f1)
	while IFS='|' read -r ct block dg keyword; do
		record resource "$ct" "$block" ${dg:+"WARC-Block-Digest: $dg"} >in.warc
		validate --errors e.jsonl --reject r.warc c.json in.warc
		if [ -z "$keyword" ]; then
			[ "$status" -eq 0 ] || fail "$ct $block: status $status: $(cat e.jsonl)"
		else
			[ "$status" -eq 1 ] || fail "$ct $block: status $status, want 1"
			[ "$(jq -r .keyword e.jsonl)" = "$keyword" ] ||
			    fail "$ct $block: keywords $(jq -r .keyword e.jsonl | tr '\n' ' '), want $keyword"
		fi
	done <<-TABLE
	application/json|$good|$digest|
	Application/JSON; charset=utf-8|$good|$digest|
	text/plain|hello|sha256:$(printf hello | sha256sum | cut -d' ' -f1)|
	text/plain|hello|sha1:$(printf hello | sha1sum | cut -d' ' -f1)|
	image/png|PNG|sha256:$(printf PNG | sha256sum | cut -d' ' -f1)|mediaTypes
	|$good|$digest|mediaTypes
	application/json|{"a":"0123456789abcdefghij"}|sha256:$(printf '%s' '{"a":"0123456789abcdefghij"}' | sha256sum | cut -d' ' -f1)|maxBytes
	application/json|$good||verifyDigest
	application/json|$good|sha256:$(printf x | sha256sum | cut -d' ' -f1)|verifyDigest
	application/json|$good|md5:abc|verifyDigest
	application/json|{"a":|sha256:$(printf '{"a":' | sha256sum | cut -d' ' -f1)|json
	application/ld+json|[1,|sha256:$(printf '[1,' | sha256sum | cut -d' ' -f1)|json
	TABLE
}

@test "a JSON payload that does not parse is a violation, never a crash" {
	contract c.json <<-'EOF'
	{ "contract": "j", "version": "1", "record": { "type": "object" } }
	EOF
	deep=$(printf '%0.s[' $(seq 3000))
	while IFS= read -r block; do
		record resource application/json "$block" >in.warc
		validate --errors e.jsonl --reject r.warc c.json in.warc
		[ "$status" -eq 1 ] || fail "$block: status $status"
		[ "$(jq -r .keyword e.jsonl)" = json ] || fail "$block: $(cat e.jsonl)"
		[ "$(count r.warc)" -eq 1 ]
	done <<-EOF
	{bad
	{"a":1}{"b":2}
	{"a":"\ud800"}
	$(printf '{"a":"\xff"}')
	$deep
	EOF
	# a payload of another media type is not parsed: with a record
	# schema it is a violation, unless payload.mediaTypes lets it through
	for ct in text/plain ""; do
		what="of no media type"
		[ -z "$ct" ] || what="\"$ct\""
		record resource "$ct" '{bad' >in.warc
		validate --errors e.jsonl c.json in.warc
		expect_status 1
		[ "$(jq -r '[.keyword, .schema, .message] | join("|")' e.jsonl)" = \
		    "json|/record|payload is $what, not JSON: the record schema cannot check it (list the media types to let through in payload.mediaTypes)" ] ||
		    fail "$ct: $(cat e.jsonl)"
	done
	contract c.json <<-'EOF'
	{ "contract": "j", "version": "1", "record": { "type": "object" },
	  "payload": { "mediaTypes": ["application/json", "text/plain"] } }
	EOF
	record resource text/plain '{bad' >in.warc
	validate c.json in.warc
	expect_status 0
}

@test "context rules: required fields, classification, certification, authority" {
	contract c.json <<-'EOF'
	{ "contract": "ctx", "version": "1",
	  "context": { "required": ["Sluice-Key"], "maxClassification": "confidential",
	               "certification": "provisional", "authorityAtLeast": "internal" } }
	EOF
	ok='Sluice-Key: 1|Sluice-Classification: internal|Sluice-Certification: certified|Sluice-Authority: authoritative'
	while IFS='>' read -r fields keywords; do
		IFS='|' read -ra hdr <<<"$fields"
		record resource application/json '{}' "${hdr[@]}" >in.warc
		validate --errors e.jsonl --reject r.warc c.json in.warc
		got=$(jq -r .keyword e.jsonl | tr '\n' ' ')
		[ "$got" = "$keywords" ] || fail "$fields: got '$got', want '$keywords'"
		if [ -z "$keywords" ]; then
			[ "$status" -eq 0 ] || fail "$fields: status $status"
		else
			[ "$status" -eq 1 ] || fail "$fields: status $status"
		fi
	done <<-TABLE
	$ok>
	Sluice-Key: 1|Sluice-Classification: confidential|Sluice-Certification: provisional|Sluice-Authority: internal>
	Sluice-Classification: internal|Sluice-Certification: certified|Sluice-Authority: authoritative>required 
	Sluice-Key: 1|Sluice-Classification: restricted|Sluice-Certification: certified|Sluice-Authority: authoritative>maxClassification 
	Sluice-Key: 1|Sluice-Certification: certified|Sluice-Authority: authoritative>maxClassification 
	Sluice-Key: 1|Sluice-Classification: public|Sluice-Authority: authoritative>certification 
	Sluice-Key: 1|Sluice-Classification: public|Sluice-Certification: deprecated|Sluice-Authority: authoritative>certification 
	Sluice-Key: 1|Sluice-Classification: public|Sluice-Certification: certified|Sluice-Authority: external>authorityAtLeast 
	Sluice-Key: 1|Sluice-Classification: public|Sluice-Certification: certified>authorityAtLeast 
	Sluice-Key: 1|Sluice-Classification: secret|Sluice-Certification: certified|Sluice-Authority: internal>context 
	>required maxClassification certification authorityAtLeast 
	TABLE
}

@test "unique keys: the second occurrence is the violation; null keys are skipped" {
	contract c.json <<-'EOF'
	{ "contract": "u", "version": "1", "unique": ["/id", ["/a", "/b"]] }
	EOF
	cat >rows.jsonl <<-'EOF'
	{"id":1,"a":1,"b":1}
	{"id":2,"a":1,"b":2}
	{"id":1,"a":2,"b":2}
	{"id":null,"a":1,"b":1}
	{"a":3}
	{"id":"1","a":3,"b":3}
	{"id":1.0,"a":3,"b":4}
	EOF
	jsonl in.warc <rows.jsonl
	validate --errors e.jsonl --reject r.warc c.json in.warc
	expect_status 1
	run jq -r '[.record, .keyword, .schema, .pointer] | @tsv' e.jsonl
	# 1.0 is the number 1 (as uniqueItems has it); "1" is a string
	[ "$output" = $'4\tunique\t/unique/0\t/id\n5\tunique\t/unique/1\t/a\n8\tunique\t/unique/0\t/id' ] || fail "$output"
	[ "$(count out.warc)" -eq 4 ]
}

@test "--report writes the run as JSON and in = passed + rejected" {
	jsonl in.warc <"$VFIX/people.jsonl"
	validate --reject r.warc --report r.json "$VFIX/customers.json" in.warc
	expect_status 1
	[ "$(jq -r '[.contract, .version, .result] | @tsv' r.json)" = $'customers\t3\tfail' ]
	[ "$(jq -c .records r.json)" = '{"in":4,"passed":3,"warned":1,"rejected":1}' ]
	[ "$(jq '.records.in == .records.passed + .records.rejected' r.json)" = true ]
	[ "$(jq -c '[.top[] | [.keyword, .count]]' r.json)" = '[["maximum",1],["pattern",1],["maxLength",1]]' ]
	[ "$(jq -c .inputs r.json)" = '["in.warc"]' ]
}

@test "--report-record appends the report as a metadata record" {
	jsonl in.warc < <(sed -n 1p "$VFIX/people.jsonl")
	validate --report-record "$VFIX/customers.json" in.warc
	expect_status 0
	run streamcat -f WARC-Type,Content-Type out.warc
	[ "${lines[-1]}" = $'metadata\tapplication/json' ]
	run_id=$(streamcat -p out.warc | sed -n 's/^sluice-run: \([0-9a-f-]*\).$/\1/p' | head -n 1)
	[ "$(streamcat -f WARC-Type,WARC-Refers-To out.warc | tail -n 1)" = $'metadata\t<urn:uuid:'"$run_id>" ]
	streamcat -p out.warc | tail -n 1 | jq -e '.result == "pass" and .records.in == 1'
	# validating again passes the report record through, uncounted
	mv out.warc once.warc
	validate --report-record "$VFIX/customers.json" once.warc
	expect_status 0
	[ "$(streamcat -f WARC-Type out.warc | grep -c metadata)" -eq 2 ]
	streamcat -p out.warc | tail -n 1 | jq -e '.records.in == 1'
}

@test "--metrics writes Prometheus counters of the run" {
	jsonl in.warc <"$VFIX/people.jsonl"
	validate --reject r.warc --metrics m.prom "$VFIX/customers.json" in.warc
	expect_status 1
	while read -r line; do
		grep -qxF "$line" m.prom || fail "no '$line' in: $(cat m.prom)"
	done <<-'EOF'
	sluice_records_in_total{tool="sluice-validate"} 4
	sluice_records_out_total{tool="sluice-validate"} 3
	sluice_records_rejected_total{tool="sluice-validate"} 1
	sluice_validate_records_warned_total{tool="sluice-validate"} 1
	sluice_validate_errors_total{tool="sluice-validate"} 2
	sluice_validate_warnings_total{tool="sluice-validate"} 1
	sluice_validate_contract_passed{tool="sluice-validate"} 0
	sluice_exit_status{tool="sluice-validate"} 1
	EOF
}

@test "the summary goes to stderr; -q keeps only errors" {
	jsonl in.warc < <(sed -n 2p "$VFIX/people.jsonl")
	validate "$VFIX/customers.json" in.warc
	expect_status 0
	expect_line "sluice-validate: contract customers@3: warn: 1 record in, 1 passed (1 with warnings), 0 rejected"
	validate -q "$VFIX/customers.json" in.warc
	expect_status 0
	[ -z "$output" ] || fail "-q printed: $output"
}

@test "gzip input and -z output" {
	jsonl in.warc < <(sed -n 1p "$VFIX/people.jsonl")
	gzip -c in.warc >in.warc.gz
	validate -z "$VFIX/customers.json" in.warc.gz
	expect_status 0
	[ "$(head -c 2 out.warc | od -An -tx1 | tr -d ' ')" = 1f8b ]
	[ "$(zcat out.warc | streamcat -d -f Sluice-Contract)" = "customers@3 pass" ]
}

@test "standard input, and several inputs in order" {
	jsonl a.warc < <(sed -n 1p "$VFIX/people.jsonl")
	jsonl b.warc < <(sed -n 4p "$VFIX/people.jsonl")
	run bash -c "sluice-validate -q $VFIX/customers.json < a.warc | streamcat -d -p"
	[ "$output" = '{"id":1,"email":"ada@example.org","age":36}' ]
	run bash -c "cat b.warc | sluice-validate -q $VFIX/customers.json a.warc - | streamcat -d -f Sluice-Key -p"
	[ "${lines[0]}" = $'-\t{"id":1,"email":"ada@example.org","age":36}' ]
	[ "${lines[1]}" = $'-\t{"id":4,"email":"alan@example.org","age":41}' ]
}

@test "--from-sample drafts a contract that lints and that its own data passes" {
	cat >rows.jsonl <<-'EOF'
	{"id":1,"segment":"retail","age":36,"score":0.5,"email":"a@x","active":true}
	{"id":2,"segment":"smb","age":85,"score":-1.25,"email":"b@x","active":false}
	{"id":3,"segment":"retail","age":null,"score":2,"email":"c@x","active":true}
	{"id":4,"segment":"retail","age":41,"score":0,"email":"d@x","active":true,"extra":[1]}
	EOF
	jsonl in.warc <rows.jsonl
	run --separate-stderr sluice-validate --from-sample in.warc
	expect_status 0
	printf '%s\n' "$output" >draft.json
	[ "$(jq -r .contract draft.json)" = in ]
	[ "$(jq -c .record.required draft.json)" = '["id","segment","age","score","email","active"]' ]
	[ "$(jq -c .record.properties.id draft.json)" = '{"type":"integer","minimum":1,"maximum":4}' ]
	[ "$(jq -c .record.properties.age draft.json)" = '{"type":["integer","null"],"minimum":36,"maximum":85}' ]
	[ "$(jq -c .record.properties.score draft.json)" = '{"type":"number","minimum":-1.25,"maximum":2}' ]
	[ "$(jq -c .record.properties.segment draft.json)" = '{"type":"string","enum":["retail","smb"]}' ]
	[ "$(jq -c .record.properties.active draft.json)" = '{"type":"boolean"}' ]
	[ "$(jq -c .record.properties.extra draft.json)" = '{"type":"array"}' ]
	run sluice-validate --lint draft.json
	expect_status 0
	validate draft.json in.warc
	expect_status 0
	[ "$(streamcat -d -f Sluice-Contract out.warc | sort -u)" = "in@1 pass" ]
}

@test "excerpts are cut to about 80 bytes, on a UTF-8 boundary" {
	long=$(printf 'é%.0s' $(seq 100))
	printf '{"id":1,"email":"a@b","nickname":"%s"}\n' "$long" | jsonl in.warc
	validate --errors e.jsonl "$VFIX/customers.json" in.warc
	expect_status 0
	run jq -r .excerpt e.jsonl
	[[ "$output" == '"éééé'*'é...' ]] || fail "$output"
	[ "$(printf '%s' "$output" | wc -c)" -le 80 ]
	printf '%s' "$output" | iconv -f UTF-8 -t UTF-8 >/dev/null
}

@test "--from-sample with no data drafts an empty contract that still lints" {
	: | jsonl in.warc
	run --separate-stderr sluice-validate --from-sample -o draft.json in.warc
	expect_status 0
	[[ "$stderr" == *"no JSON data records"* ]] || fail "$stderr"
	[ "$(jq -c '[.record.required, .stream.rows.min]' draft.json)" = '[[],0]' ]
	run sluice-validate --lint draft.json
	expect_status 0
}
