#!/usr/bin/env bats
# validate-contract.bats - the contract file: every key checked, faults
# refused with exit 78 and a message pointing into the file, --lint, and
# hostile contracts.

load lib
load fixtures/validate/helpers

@test "--lint accepts a good contract and reads no data" {
	run sluice-validate --lint "$VFIX/customers.json"
	expect_status 0
	[ "$output" = "$VFIX/customers.json: customers@3: ok" ]
	run sluice-validate --lint "$VFIX/full.json" </dev/null
	expect_status 0
	[ "$output" = "$VFIX/full.json: customers@3: ok" ]
}

@test "every key of the contract format is accepted in its documented form" {
	# each row: a contract body that must lint (contract and version added)
	while IFS= read -r body; do
		printf '{"contract":"c","version":"1"%s}' "$body" >c.json
		run sluice-validate --lint c.json
		[ "$status" -eq 0 ] || fail "$body: status $status: $output"
	done <<-'TABLE'

	,"description":"what it is","$comment":"for people"
	,"record":true
	,"record":false
	,"record":{}
	,"formatAssertion":false,"record":{"format":"email"}
	,"payload":{"mediaTypes":["application/json","text/*"],"maxBytes":0,"verifyDigest":false}
	,"context":{"required":[],"maxClassification":"public","certification":"deprecated","authorityAtLeast":"unverified"}
	,"context":{"maxClassification":"restricted","certification":"certified","authorityAtLeast":"authoritative"}
	,"unique":[]
	,"unique":["/id",["/a","/b/0"],"","/a~1b~0c"]
	,"stream":{"rows":{"min":0}}
	,"stream":{"rows":{"max":5,"min":5}}
	,"stream":{"freshness":{"field":"Sluice-Event-Time","errorAfter":"P1D"}}
	,"stream":{"freshness":{"field":"WARC-Date","warnAfter":"PT0.5S"}}
	,"stream":{"freshness":{"field":"/signup_ts","warnAfter":"PT6H","errorAfter":"P1Y2M3DT4H5M6S"}}
	,"stream":{"nullRate":{"/email":{"warn":0},"/a/b":{"error":1},"":{"warn":0.1,"error":0.1}}}
	,"stream":{"invalidRate":{"warn":0,"error":0.001}}
	,"record":{"properties":{"x":true}},"payload":{},"stream":{"rows":{"min":1}},"severity":{"default":"warn","/properties/x":"error","/payload":"warn","/stream/rows/min":"warn"}
	TABLE
}

@test "a malformed contract exits 78 naming the file and the JSON Pointer" {
	# each row: contract body | the message after "c.json: "
	while IFS='|' read -r body message; do
		printf '%s' "$body" >c.json
		run sluice-validate --lint c.json
		[ "$status" -eq 78 ] || fail "$body: status $status, want 78: $output"
		[ "$output" = "sluice-validate: c.json: $message" ] ||
		    fail "$body" "  got: $output" " want: sluice-validate: c.json: $message"
	done <<-'TABLE'
	[]|a contract is a JSON object, not array
	"customers"|a contract is a JSON object, not string
	{"version":"1"}|needs "contract": the contract's name
	{"contract":"c"}|needs "version": the contract's version
	{"contract":"","version":"1"}|/contract: "" is not a contract name (1 to 128 of A-Z a-z 0-9 _ . : / + -)
	{"contract":"my contract","version":"1"}|/contract: "my contract" is not a contract name (1 to 128 of A-Z a-z 0-9 _ . : / + -)
	{"contract":"c@d","version":"1"}|/contract: "c@d" is not a contract name (1 to 128 of A-Z a-z 0-9 _ . : / + -)
	{"contract":7,"version":"1"}|/contract: must be a string, not number
	{"contract":"c","version":true}|/version: must be a string (or a number), not boolean
	{"contract":"c","version":"1","recrod":{}}|/recrod: unknown key (known here: contract, version, description, $comment, record, formatAssertion, payload, context, unique, stream, severity)
	{"contract":"c","version":"1","contract":"d"}|/contract: key given twice
	{"contract":"c","version":"1","description":1}|/description: must be a string, not number
	{"contract":"c","version":"1","formatAssertion":"yes"}|/formatAssertion: must be true or false, not string
	{"contract":"c","version":"1","record":"object"}|/record: must be a JSON Schema (an object or a boolean), not string
	{"contract":"c","version":"1","record":[]}|/record: must be a JSON Schema (an object or a boolean), not array
	{"contract":"c","version":"1","payload":[]}|/payload: must be an object, not array
	{"contract":"c","version":"1","payload":{"mediatypes":[]}}|/payload/mediatypes: unknown key (known here: mediaTypes, maxBytes, verifyDigest)
	{"contract":"c","version":"1","payload":{"mediaTypes":"application/json"}}|/payload/mediaTypes: must be an array of media types, not string
	{"contract":"c","version":"1","payload":{"mediaTypes":[]}}|/payload/mediaTypes: must name at least one media type
	{"contract":"c","version":"1","payload":{"mediaTypes":["json"]}}|/payload/mediaTypes/0: "json" is not a media type (type/subtype or type/*, no parameters)
	{"contract":"c","version":"1","payload":{"mediaTypes":["text/plain","text/plain; charset=utf-8"]}}|/payload/mediaTypes/1: "text/plain; charset=utf-8" is not a media type (type/subtype or type/*, no parameters)
	{"contract":"c","version":"1","payload":{"mediaTypes":[1]}}|/payload/mediaTypes/0: must be a media type string, not number
	{"contract":"c","version":"1","payload":{"maxBytes":-1}}|/payload/maxBytes: must be a non-negative integer, not -1
	{"contract":"c","version":"1","payload":{"maxBytes":1.5}}|/payload/maxBytes: must be a non-negative integer, not 1.5
	{"contract":"c","version":"1","payload":{"maxBytes":"1MB"}}|/payload/maxBytes: must be a non-negative integer, not string
	{"contract":"c","version":"1","payload":{"maxBytes":99999999999999999999999}}|/payload/maxBytes: 99999999999999999999999 is too large
	{"contract":"c","version":"1","payload":{"verifyDigest":1}}|/payload/verifyDigest: must be true or false, not number
	{"contract":"c","version":"1","context":{"required":"Sluice-Key"}}|/context/required: must be an array of header field names, not string
	{"contract":"c","version":"1","context":{"required":["Sluice Key"]}}|/context/required/0: "Sluice Key" is not a header field name
	{"contract":"c","version":"1","context":{"maxClassification":"secret"}}|/context/maxClassification: "secret" is not one of public, internal, confidential, restricted
	{"contract":"c","version":"1","context":{"maxClassification":2}}|/context/maxClassification: must be one of public, internal, confidential, restricted, not number
	{"contract":"c","version":"1","context":{"certification":"gold"}}|/context/certification: "gold" is not one of certified, provisional, deprecated
	{"contract":"c","version":"1","context":{"authorityAtLeast":"high"}}|/context/authorityAtLeast: "high" is not one of authoritative, internal, external, unverified
	{"contract":"c","version":"1","context":{"classification":"public"}}|/context/classification: unknown key (known here: required, maxClassification, certification, authorityAtLeast)
	{"contract":"c","version":"1","unique":"/id"}|/unique: must be an array of JSON Pointers (or arrays of them, for keys of several fields), not string
	{"contract":"c","version":"1","unique":["id"]}|/unique/0: "id" is not a JSON Pointer ("/field", "/a/0")
	{"contract":"c","version":"1","unique":["/a~2"]}|/unique/0: "/a~2" is not a JSON Pointer ("/field", "/a/0")
	{"contract":"c","version":"1","unique":[[]]}|/unique/0: must be a JSON Pointer or a non-empty array of them, not an empty array
	{"contract":"c","version":"1","unique":[["/a",3]]}|/unique/0/1: must be a JSON Pointer string, not number
	{"contract":"c","version":"1","stream":{"row":{}}}|/stream/row: unknown key (known here: rows, freshness, nullRate, invalidRate)
	{"contract":"c","version":"1","stream":{"rows":{}}}|/stream/rows: needs "min", "max" or both
	{"contract":"c","version":"1","stream":{"rows":{"min":"10"}}}|/stream/rows/min: must be a non-negative integer, not string
	{"contract":"c","version":"1","stream":{"rows":{"min":10,"max":9}}}|/stream/rows: "min" 10 is above "max" 9
	{"contract":"c","version":"1","stream":{"rows":{"min":1,"most":9}}}|/stream/rows/most: unknown key (known here: min, max)
	{"contract":"c","version":"1","stream":{"freshness":{"warnAfter":"P1D"}}}|/stream/freshness: needs "field": a JSON Pointer into the payload or a header field such as Sluice-Event-Time
	{"contract":"c","version":"1","stream":{"freshness":{"field":"signup ts","warnAfter":"P1D"}}}|/stream/freshness/field: "signup ts" is neither a JSON Pointer ("/signup_ts") nor a header field name (Sluice-Event-Time)
	{"contract":"c","version":"1","stream":{"freshness":{"field":"/t"}}}|/stream/freshness: needs "warnAfter", "errorAfter" or both
	{"contract":"c","version":"1","stream":{"freshness":{"field":"/t","warnAfter":"6 hours"}}}|/stream/freshness/warnAfter: "6 hours" is not an ISO 8601 duration: an ISO 8601 duration starts with 'P' (e.g. P1D, PT6H)
	{"contract":"c","version":"1","stream":{"freshness":{"field":"/t","errorAfter":"P1X"}}}|/stream/freshness/errorAfter: "P1X" is not an ISO 8601 duration: unknown or misplaced unit
	{"contract":"c","version":"1","stream":{"freshness":{"field":"/t","errorAfter":86400}}}|/stream/freshness/errorAfter: must be an ISO 8601 duration string ("PT6H", "P1D"), not number
	{"contract":"c","version":"1","stream":{"nullRate":{"email":{"warn":0.1}}}}|/stream/nullRate/email: "email" is not a JSON Pointer ("/field")
	{"contract":"c","version":"1","stream":{"nullRate":{"/email":{"warn":5}}}}|/stream/nullRate/~1email/warn: must be a number from 0 to 1, not 5
	{"contract":"c","version":"1","stream":{"nullRate":{"/email":{"warn":"1%"}}}}|/stream/nullRate/~1email/warn: must be a number from 0 to 1, not string
	{"contract":"c","version":"1","stream":{"nullRate":{"/email":{}}}}|/stream/nullRate/~1email: needs "warn", "error" or both
	{"contract":"c","version":"1","stream":{"nullRate":{"/email":0.1}}}|/stream/nullRate/~1email: must be an object with "warn" and/or "error", not number
	{"contract":"c","version":"1","stream":{"invalidRate":{"warn":0.2,"error":0.1}}}|/stream/invalidRate: "warn" 0.2 is above "error" 0.1
	{"contract":"c","version":"1","stream":{"invalidRate":{"fatal":0.1}}}|/stream/invalidRate/fatal: unknown key (known here: warn, error)
	{"contract":"c","version":"1","severity":{"default":"fatal"}}|/severity/default: "fatal" is not a severity (error, warn)
	{"contract":"c","version":"1","severity":{"default":2}}|/severity/default: must be "error" or "warn", not number
	{"contract":"c","version":"1","severity":{"properties/x":"warn"}}|/severity/properties~1x: a severity key is "default" or a JSON Pointer into the record schema ("/properties/nickname") or the contract ("/payload/maxBytes")
	{"contract":"c","version":"1","severity":"warn"}|/severity: must be an object, not string
	TABLE
}

@test "a contract that is not JSON says where, by line and column" {
	while IFS='|' read -r body message; do
		printf "$body" >c.json
		run sluice-validate --lint c.json
		[ "$status" -eq 78 ] || fail "$body: status $status"
		[[ "$output" == "sluice-validate: c.json: $message"* ]] ||
		    fail "$body" "  got: $output" " want: sluice-validate: c.json: $message..."
	done <<-'TABLE'
	|empty file: a contract is a JSON object
	 \n\t\n|empty file: a contract is a JSON object
	{|not JSON: 
	{"contract":"c",\n "version": 1,,\n}|not JSON: 
	{"contract":"c",\n "version": "1"}\n{}|not JSON: 
	\xef\xbb\xbf{}|not JSON: 
	TABLE
	printf '{"contract":"c",\n  "version": "1",,\n}' >c.json
	run sluice-validate --lint c.json
	expect_match 'line 2, column 18$'
	printf '{"contract":"c","version":3}' >c.json
	run sluice-validate --lint c.json
	[ "$output" = "c.json: c@3: ok" ]
}

@test "errors in the record schema point into the contract under /record" {
	while IFS='|' read -r record pointer; do
		printf '{"contract":"c","version":"1","record":%s}' "$record" >c.json
		run sluice-validate --lint c.json
		[ "$status" -eq 78 ] || fail "$record: status $status: $output"
		[[ "$output" == "sluice-validate: c.json: $pointer: "* ]] ||
		    fail "$record: got '$output', want the pointer $pointer"
	done <<-'TABLE'
	{"type":"strin"}|/record/type
	{"properties":{"age":{"maximum":"120"}}}|/record/properties/age/maximum
	{"properties":{"e":{"pattern":"(unclosed"}}}|/record/properties/e/pattern
	{"patternProperties":{"[z-a]":{}}}|/record/patternProperties/[z-a]
	{"$ref":"#/$defs/missing"}|/record/$ref
	{"$ref":"https://example.com/schema.json"}|/record/$ref
	{"required":"id"}|/record/required
	{"items":3}|/record/items
	TABLE
}

@test "hostile contracts are refused or honoured, never a crash or a hang" {
	big=$(head -c 200000 /dev/zero | tr '\0' 'a')
	deep=$(printf '%0.s{"a":' $(seq 2000))
	while IFS='|' read -r name body; do
		printf '%s' "$body" >c.json
		run timeout 20 sluice-validate --lint c.json
		case $status in
		0 | 78) ;;
		*) fail "$name: status $status: ${output:0:300}" ;;
		esac
	done <<-TABLE
	recursive ref|{"contract":"c","version":"1","record":{"\$ref":"#"}}
	mutual refs|{"contract":"c","version":"1","record":{"\$defs":{"a":{"\$ref":"#/\$defs/b"},"b":{"\$ref":"#/\$defs/a"}},"\$ref":"#/\$defs/a"}}
	huge pattern|{"contract":"c","version":"1","record":{"pattern":"$big"}}
	huge alternation|{"contract":"c","version":"1","record":{"pattern":"($(printf 'a|%.0s' $(seq 5000))b)+"}}
	deep nesting|{"contract":"c","version":"1","record":$deep 1$(printf '%0.s}' $(seq 2000))}
	nul in a key|{"contract":"c","version":"1","unique":["/a\u0000b"]}
	nul in a name|{"contract":"c\u0000d","version":"1"}
	long name|{"contract":"$(head -c 300 /dev/zero | tr '\0' c)","version":"1"}
	TABLE
	# and the schemas that compile do validate a record, and end
	for body in '{"$ref":"#"}' '{"$defs":{"a":{"$ref":"#/$defs/a"}},"$ref":"#/$defs/a"}' \
	    '{"$defs":{"n":{"properties":{"x":{"$ref":"#/$defs/n"}}}},"$ref":"#/$defs/n"}'; do
		printf '{"contract":"c","version":"1","record":%s}' "$body" >c.json
		sluice-validate --lint c.json >/dev/null 2>&1 || continue
		record resource application/json '{"x":{"x":{"x":{"x":1}}}}' >in.warc
		run timeout 20 sluice-validate --reject r.warc c.json in.warc
		case $status in
		0 | 1) ;;
		*) fail "$body: status $status: $output" ;;
		esac
	done
}

@test "a contract that cannot be read exits 66" {
	mkdir folder
	while IFS='|' read -r path message; do
		run sluice-validate --lint "$path"
		[ "$status" -eq 66 ] || fail "$path: status $status"
		[ "$output" = "sluice-validate: $message" ] || fail "$path: $output"
	done <<-'TABLE'
	missing.json|missing.json: cannot open: No such file or directory
	folder|folder: is a folder, not a contract
	TABLE
}

@test "a bad contract stops the run before any output" {
	echo '{"contract":"c"}' >c.json
	sed -n 1p "$VFIX/people.jsonl" | jsonl in.warc
	validate --reject r.warc --errors e.jsonl c.json in.warc
	expect_status 78
	[ ! -s out.warc ] || fail "output: $(cat out.warc)"
	[ ! -e r.warc ] && [ ! -e e.jsonl ]
}

@test "formatAssertion: formats are asserted by default, annotations with false" {
	sed -n 3p "$VFIX/people.jsonl" | jsonl in.warc
	for fa in true false absent; do
		if [ $fa = absent ]; then
			printf '{"contract":"f","version":"1","record":{"properties":{"email":{"format":"email"}}}}' >c.json
		else
			printf '{"contract":"f","version":"1","formatAssertion":%s,"record":{"properties":{"email":{"format":"email"}}}}' $fa >c.json
		fi
		validate c.json in.warc
		case $fa in
		false) [ "$status" -eq 0 ] || fail "$fa: status $status" ;;
		*) [ "$status" -eq 1 ] || fail "$fa: status $status" ;;
		esac
	done
}

@test "severity: the longest matching prefix wins, for every kind of check" {
	record resource text/plain 'hello' >in.warc
	while IFS='|' read -r severity want verdict; do
		printf '{"contract":"s","version":"1","payload":{"mediaTypes":["application/json"],"maxBytes":1},"context":{"required":["Sluice-Key"]},"severity":%s}' "$severity" >c.json
		validate --errors e.jsonl --annotate c.json in.warc
		got=$(jq -r '[.keyword, .severity] | join(":")' e.jsonl | tr '\n' ' ')
		[ "$got" = "$want" ] || fail "$severity: got '$got', want '$want'"
		[ "$(streamcat -d -f Sluice-Contract out.warc)" = "s@1 $verdict" ] ||
		    fail "$severity: $(streamcat -d -f Sluice-Contract out.warc)"
	done <<-'TABLE'
	{}|mediaTypes:error maxBytes:error required:error |fail
	{"default":"warn"}|mediaTypes:warn maxBytes:warn required:warn |warn
	{"/payload":"warn"}|mediaTypes:warn maxBytes:warn required:error |fail
	{"/payload":"warn","/context":"warn"}|mediaTypes:warn maxBytes:warn required:warn |warn
	{"default":"warn","/payload/maxBytes":"error"}|mediaTypes:warn maxBytes:error required:warn |fail
	{"/payload":"warn","/payload/mediaTypes":"error"}|mediaTypes:error maxBytes:warn required:error |fail
	TABLE
}
