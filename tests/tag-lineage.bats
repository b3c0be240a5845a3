#!/usr/bin/env bats
# tag-lineage.bats - sluice-tag-lineage: rule matching, ordering, every
# settable field, TTL arithmetic, loosening with and without --strict,
# records passed unchanged, PII detection, --trace.

load lib

TAGFIX="$FIXTURES/tag-lineage"

# A stream of six data records from four files in data/: a raw text file
# (no key), two JSON Lines rows in hr/ (keys 1, 2), one in hr/sub/ (3),
# two CSV rows in sales/ (4, 5).  Written to s.warc.
make_stream() {
	mkdir -p data/hr/sub data/sales data/docs
	printf '{"id":1,"country":"DE","name":"Ada","ts":"2026-11-20T08:00:00Z","nested":{"a":"n1"},"tags":["t0","t1"]}\n{"id":2,"country":"FR","name":"Grace"}\n' > data/hr/people.jsonl
	printf '{"id":3,"country":"DE"}\n' > data/hr/sub/deep.jsonl
	printf 'id,country\n4,DE\n5,US\n' > data/sales/orders.csv
	printf 'hello\n' > data/docs/readme.txt
	sluice-ingest -r -k id data > s.warc
}

# policy FILE RULES-JSON: writes a policy named "t" version 1.
policy() {
	printf '{"policy":"t","version":1,"rules":%s}\n' "$2" > "$1"
}

# restricted MATCH-JSON: the keys ("txt" for the raw file) of the records
# a rule with this match made restricted, space-separated, in stream order.
restricted() {
	policy p.json "[{\"name\":\"r\",\"match\":$1,\"set\":{\"classification\":\"restricted\"}}]"
	sluice-tag-lineage -p p.json s.warc | streamcat -d -f Sluice-Key,Sluice-Classification |
	    awk -F'\t' '$2 == "restricted" { k = $1 == "-" ? "txt" : $1; printf "%s%s", n++ ? " " : "", k }'
}

@test "--help prints the usage on stdout and exits 0" {
	run sluice-tag-lineage --help
	expect_status 0
	expect_line "usage: sluice-tag-lineage [options] [FILE...]"
	expect_match "See sluice-tag-lineage\(1\)"
}

@test "usage errors exit 64 and point at --help" {
	while IFS='|' read -r args message; do
		run sluice-tag-lineage $args
		[ "$status" -eq 64 ] || fail "$args: status $status, want 64"
		[[ "$output" == *"$message"* ]] || fail "$args: '$output' lacks '$message'"
		[[ "$output" == *"Try 'sluice-tag-lineage --help'"* ]] || fail "$args: no hint"
	done <<-'TABLE'
	--bogus|unknown option '--bogus'
	--set|option '--set' needs an argument
	--set classification|--set wants FIELD=VALUE
	--set =x|--set wants FIELD=VALUE
	--set colour=red|--set colour: unknown field "colour"
	--set classification=secret|"secret" is not one of public, internal
	--set authority=total|"total" is not one of authoritative
	--set certification=gold|"gold" is not one of certified
	--set roles=-bad|"-bad" is not a valid role name
	--set ttl=30d|"30d" is not an ISO 8601 duration
	--set valid-until=tomorrow|"tomorrow" is not an RFC 3339 time
	--set key=.a[|".a[" is not a path
	--json|--json goes with --trace
	--trace nonsense|--trace wants a record id
	--trace 00000000-0000-0000-0000-000000000000 --set classification=public|--trace prints a history
	--job j|go with --openlineage
	--openlineage-url ftp://x|--openlineage-url wants an http:// or https:// URL
	--output-dataset nocolon --openlineage x|--output-dataset wants a URI
	--policy a --policy b|--policy given twice
	TABLE
}

@test "an input or policy that cannot be opened exits 66 before any output" {
	make_stream
	run --separate-stderr sluice-tag-lineage s.warc missing.warc
	expect_status 66
	[ -z "$output" ] || fail "stdout should be empty"
	[ "$stderr" = "sluice-tag-lineage: missing.warc: cannot open: No such file or directory" ]
	run --separate-stderr sluice-tag-lineage -p nope.json s.warc
	expect_status 66
	[ -z "$output" ] || fail "stdout should be empty"
	[ "$stderr" = "sluice-tag-lineage: nope.json: cannot open: No such file or directory" ]
}

@test "match conditions: uri globs, media types, headers, jq; all must hold; none means all" {
	make_stream
	problems=()
	while IFS='|' read -r match want; do
		got=$(restricted "$match")
		[ "$got" = "$want" ] || problems+=("match $match: got '$got', want '$want'")
	done <<-'TABLE'
	{}|txt 1 2 3 4 5
	{"uri":"file:///**/hr/**"}|1 2 3
	{"uri":"file:///**/hr/*"}|1 2
	{"uri":"file:///**/hr/*.jsonl"}|1 2
	{"uri":"file:///*/hr/*"}|
	{"uri":"**/sub/**"}|3
	{"uri":"file:///**/people.json?"}|1 2
	{"uri":"file:///**/hr?people.jsonl"}|
	{"uri":"file:///**/**/**/**/**/**/**/**/**/**/**/**/**/x"}|
	{"uri":"*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b"}|
	{"uri":"**a**a**a**a**a**a**a**a**a**a**a**a**a**a**a**b"}|
	{"uri":"file:///**/[s]*/*.csv"}|4 5
	{"uri":"file:///**/[!h]*/*.csv"}|4 5
	{"uri":"file:///**/orders.csv#row=2"}|4
	{"uri":"file:///**/*#line=0,1"}|1 3
	{"uri":"file:///**/*.csv"}|4 5
	{"uri":"*.csv"}|
	{"uri":"\\f*"}|
	{"uri":"\\f**"}|txt 1 2 3 4 5
	{"media-type":"text/*"}|txt
	{"media-type":"application/json"}|1 2 3 4 5
	{"media-type":"TEXT/PLAIN"}|
	{"media-type":"text/plain; charset=utf-8"}|txt
	{"header":{"Sluice-Key":"[13]"}}|1 3
	{"header":{"Sluice-Key":"*3"}}|3
	{"header":{"Sluice-Key":"[1-2]*"}}|1 2
	{"header":{"Sluice-Key":"*[!3]"}}|1 2 4 5
	{"uri":"file:*"}|
	{"uri":"file:**"}|txt 1 2 3 4 5
	{"uri":"**.csv"}|4 5
	{"uri":"**.cs"}|
	{"header":{"sluice-key":"4"}}|4
	{"header":{"Sluice-Key":"*","Content-Type":"application/*"}}|1 2 3 4 5
	{"header":{"X-Missing":"*"}}|
	{"jq":".country == \"DE\""}|1 3 4
	{"jq":".id > 2"}|3 4 5
	{"jq":".nope"}|
	{"jq":"true"}|1 2 3 4 5
	{"uri":"file:///**/hr/**","jq":".country == \"DE\""}|1 3
	{"uri":"file:///**/hr/**","media-type":"text/*"}|
	{"uri":"file:///**/sales/**","header":{"Sluice-Key":"5"},"jq":".country == \"US\""}|5
	TABLE
	fail_all
}

@test "a jq predicate that fails at run time is no match, with a warning" {
	make_stream
	policy p.json '[{"name":"r","match":{"jq":".country | ascii_downcase | test(1)"},"set":{"classification":"restricted"}}]'
	run --separate-stderr sluice-tag-lineage -p p.json s.warc
	expect_status 0
	[[ "$stderr" == *'record 3 at byte'*'rule "r": jq: '*'(taken as no match)'* ]] || fail "stderr: $stderr"
}

@test "every matching rule applies in order, --set after the policy" {
	make_stream
	problems=()
	while IFS='|' read -r rules sets want; do
		policy p.json "$rules"
		got=$(sluice-tag-lineage -p p.json $sets s.warc | streamcat -d -f Sluice-Key,Sluice-Classification |
		    awk -F'\t' '$1 != "-" { printf "%s%s=%s", n++ ? " " : "", $1, $2 }')
		[ "$got" = "$want" ] || problems+=("$rules $sets: got '$got', want '$want'")
	done <<-'TABLE'
	[{"name":"a","set":{"classification":"restricted"}},{"name":"b","match":{"uri":"**/hr/**"},"set":{"classification":"confidential"}}]||1=confidential 2=confidential 3=confidential 4=restricted 5=restricted
	[{"name":"b","match":{"uri":"**/hr/**"},"set":{"classification":"confidential"}},{"name":"a","set":{"classification":"restricted"}}]||1=restricted 2=restricted 3=restricted 4=restricted 5=restricted
	[{"name":"a","set":{"classification":"restricted"}}]|--set classification=public|1=public 2=public 3=public 4=public 5=public
	[{"name":"a","set":{"classification":"restricted"}}]|--set classification=public --set classification=confidential|1=confidential 2=confidential 3=confidential 4=confidential 5=confidential
	[]|--set classification=confidential|1=confidential 2=confidential 3=confidential 4=confidential 5=confidential
	TABLE
	fail_all
}

@test "conditions are tested on the record as it was read, not as earlier rules left it" {
	make_stream
	policy p.json '[{"name":"a","set":{"classification":"restricted"}},{"name":"b","match":{"header":{"Sluice-Classification":"restricted"}},"set":{"authority":"external"}}]'
	run bash -c 'sluice-tag-lineage -p p.json s.warc | streamcat -d -f Sluice-Authority | sort -u'
	[ "$output" = "-" ]
}

@test "each settable field" {
	make_stream
	problems=()
	while IFS='|' read -r set field want; do
		policy p.json "[{\"name\":\"r\",\"match\":{\"header\":{\"Sluice-Key\":\"1\"}},\"set\":$set}]"
		got=$(sluice-tag-lineage -p p.json s.warc | streamcat -d -f "Sluice-Key,$field" |
		    awk -F'\t' '$1 == "1" { print $2 }')
		[ "$got" = "$want" ] || problems+=("$set: $field is '$got', want '$want'")
	done <<-'TABLE'
	{"classification":"confidential"}|Sluice-Classification|confidential
	{"classification":"public"}|Sluice-Classification|public
	{"roles":["support","crm","crm"]}|Sluice-Roles|crm support
	{"roles":[]}|Sluice-Roles|
	{"authority":"authoritative"}|Sluice-Authority|authoritative
	{"authority":"unverified"}|Sluice-Authority|unverified
	{"certification":"provisional"}|Sluice-Certification|provisional
	{"certification":"deprecated"}|Sluice-Certification|deprecated
	{"valid-until":"2027-01-01T00:00:00+01:00"}|Sluice-Valid-Until|2026-12-31T23:00:00Z
	{"valid-until":"2027-01-01"}|Sluice-Valid-Until|2027-01-01T00:00:00Z
	{"event-time":".ts"}|Sluice-Event-Time|2026-11-20T08:00:00Z
	{"event-time":".ts","ttl":"P30D"}|Sluice-Valid-Until|2026-12-20T08:00:00Z
	{"pii":["name","country"]}|Sluice-PII|country name
	TABLE
	fail_all
}

@test "keys come from a JSON Pointer, a simple jq path, a bare name or a jq program" {
	make_stream
	problems=()
	while IFS='|' read -r key want; do
		policy p.json "[{\"name\":\"r\",\"match\":{\"uri\":\"**/people.jsonl#line=0,1\"},\"set\":{\"key\":$key}}]"
		got=$(sluice-tag-lineage -p p.json s.warc | streamcat -d -f WARC-Target-URI,Sluice-Key |
		    awk -F'\t' '$1 ~ /people.jsonl#line=0,1$/ { print $2 }')
		[ "$got" = "$want" ] || problems+=("key $key: got '$got', want '$want'")
	done <<-'TABLE'
	".name"|Ada
	"name"|Ada
	"/name"|Ada
	".nested.a"|n1
	"/nested/a"|n1
	".[\"nested\"][\"a\"]"|n1
	".tags[1]"|t1
	"/tags/0"|t0
	".id"|1
	".name + \"-\" + .country"|Ada-DE
	".absent"|1
	".nested"|1
	TABLE
	fail_all
}

@test "a key that cannot be a header value is refused with the record's place" {
	printf '{"k":"a\\nb"}\n' | sluice-ingest -f jsonl > s.warc
	run --separate-stderr sluice-tag-lineage --set key=.k s.warc
	expect_status 65
	[[ "$stderr" == "sluice-tag-lineage: s.warc: record 2 at byte "*': rule "--set": key .k: the value cannot be a header'* ]] || fail "$stderr"
}

@test "an event-time field that is not a time is refused with the record's place" {
	printf '{"t":"yesterday"}\n' | sluice-ingest -f jsonl > s.warc
	run --separate-stderr sluice-tag-lineage --set event-time=.t s.warc
	expect_status 65
	[[ "$stderr" == *'record 2 at byte '*'event-time .t: "yesterday" is not an RFC 3339 time'* ]] || fail "$stderr"
}

@test "TTL arithmetic: from the event time, else the capture time" {
	problems=()
	while IFS='|' read -r ts ttl want; do
		printf '{"ts":"%s"}\n' "$ts" | sluice-ingest -f jsonl > s.warc
		got=$(sluice-tag-lineage --set event-time=.ts --set "ttl=$ttl" s.warc | streamcat -d -f Sluice-Valid-Until)
		[ "$got" = "$want" ] || problems+=("$ts + $ttl: got $got, want $want")
	done <<-'TABLE'
	2026-11-20T08:00:00Z|P30D|2026-12-20T08:00:00Z
	2026-01-31T00:00:00Z|P1M|2026-02-28T00:00:00Z
	2024-01-31T00:00:00Z|P1M|2024-02-29T00:00:00Z
	2026-11-20T08:00:00Z|PT36H|2026-11-21T20:00:00Z
	2026-11-20T08:00:00Z|P1Y|2027-11-20T08:00:00Z
	2024-02-29T00:00:00Z|P1Y|2025-02-28T00:00:00Z
	2026-11-20T08:00:00Z|P2W|2026-12-04T08:00:00Z
	2026-11-20T08:00:00Z|PT0.5S|2026-11-20T08:00:00.5Z
	2026-11-20T23:30:00-02:00|PT1H|2026-11-21T02:30:00Z
	2026-12-31T23:59:59Z|PT1S|2027-01-01T00:00:00Z
	2026-11-20T08:00:00Z|P1Y2M3DT4H5M6S|2028-01-23T12:05:06Z
	9999-12-31T00:00:00Z|P1Y|9999-12-31T23:59:59.999999Z
	TABLE
	fail_all
	# without an event time: from WARC-Date (SOURCE_DATE_EPOCH 1700000000)
	printf '{"a":1}\n' | sluice-ingest -f jsonl | grep -av '^Sluice-Event-Time' > s.warc
	run bash -c 'sluice-tag-lineage --set ttl=P1D s.warc | streamcat -d -f Sluice-Event-Time,Sluice-Valid-Until'
	[ "$output" = $'-\t2023-11-15T22:13:20Z' ] || fail "capture time: $output"
}

@test "loosening is allowed, written as a declassification; --strict refuses it" {
	problems=()
	while IFS='|' read -r first second declassified; do
		printf '{"a":1}\n' | sluice-ingest -f jsonl -c confidential | sluice-tag-lineage $first > s.warc
		got=$(sluice-tag-lineage $second s.warc | streamcat -d -f Sluice-Lineage |
		    awk -F' [|] ' '{ print $NF }' | sed -n 's/.* declassified=//p')
		[ "$got" = "$declassified" ] || problems+=("$first then $second: declassified '$got', want '$declassified'")
		st=0
		sluice-tag-lineage --strict $second s.warc > out.warc 2> err.txt || st=$?
		if [ -n "$declassified" ]; then
			[ "$st" -eq 1 ] || problems+=("--strict $second: status $st, want 1")
			grep -q 'rule "--set" loosens the record ('"$declassified"'), refused by --strict' err.txt ||
			    problems+=("--strict $second: message $(cat err.txt)")
			[ "$(streamcat -d -c out.warc)" = 0 ] || problems+=("--strict $second: wrote a data record")
		else
			[ "$st" -eq 0 ] || problems+=("--strict $second: status $st, want 0")
		fi
	done <<-'TABLE'
	--set authority=internal|--set classification=internal|classification:confidential>internal
	--set authority=internal|--set classification=public|classification:confidential>public
	--set authority=internal|--set classification=restricted|
	--set roles=a,b|--set roles=a|
	--set roles=a,b|--set roles=a,c|roles:widened
	--set roles=a,b|--set roles=a,b,c|roles:widened
	--set roles=a|--set classification=confidential --set roles=|
	--set valid-until=2027-01-01|--set valid-until=2026-06-01|
	--set valid-until=2027-01-01|--set valid-until=2028-01-01|valid-until:2027-01-01T00:00:00Z>2028-01-01T00:00:00Z
	--set roles=a|--set roles=b --set classification=internal|classification:confidential>internal,roles:widened
	--set authority=internal|--set authority=authoritative --set certification=certified|
	TABLE
	fail_all
}

@test "a record whose classification is unknown (enforced as restricted) is declassified by any lower level" {
	printf '{"a":1}\n' | sluice-ingest -f jsonl | grep -av '^Sluice-Classification' > s.warc
	run bash -c 'sluice-tag-lineage --set classification=confidential s.warc | streamcat -d -f Sluice-Lineage'
	[[ "$output" == *"declassified=classification:unknown>confidential" ]] || fail "$output"
	# restricted is what readers enforce already: not a loosening
	run bash -c 'sluice-tag-lineage --strict --set classification=restricted s.warc | streamcat -d -f Sluice-Classification,Sluice-Lineage'
	expect_status 0
	[[ "$output" == "restricted"*"args=sha256:"* && "$output" != *declassified* ]] || fail "$output"
}

@test "with --strict, records before the refused one are written whole" {
	printf '{"a":1}\n{"a":2}\n' | sluice-ingest -f jsonl > s.warc
	policy p.json '[{"name":"open","match":{"jq":".a == 2"},"set":{"classification":"public"}}]'
	run --separate-stderr bash -c 'sluice-tag-lineage --strict -p p.json s.warc > out.warc'
	expect_status 1
	[[ "$stderr" == *'s.warc: record 3 at byte '*': rule "open" loosens the record (classification:internal>public), refused by --strict' ]] || fail "$stderr"
	[ "$(streamcat -d -c out.warc)" = 1 ]
	run sluice-tag-lineage --strict -p p.json -o o.warc s.warc
	expect_status 1
	[ ! -e o.warc ] || fail "-o left a file behind"
}

@test "one lineage line per changed record, naming the policy and its digest" {
	make_stream
	policy p.json '[{"name":"hr","match":{"uri":"**/hr/**"},"set":{"classification":"confidential"}}]'
	sluice-tag-lineage -p p.json s.warc > out.warc
	run_id=$(streamcat -p out.warc | sed -n 's/^sluice-run: \([0-9a-f-]*\).$/\1/p' | head -n 1)
	digest=$(sha256sum p.json | cut -d' ' -f1)
	run bash -c 'streamcat -d -f Sluice-Key,Sluice-Lineage out.warc | awk -F"\t" "{ n = split(\$2, l, / [|] /); print \$1 \"\t\" l[n] }"'
	problems=()
	for l in "${lines[@]}"; do
		key=${l%%$'\t'*}
		case $key in
		1|2|3)
			[ "${l#*$'\t'}" = "tag-lineage sluice-tag-lineage/0.1.0 run=$run_id args=sha256:$digest policy=t@1" ] ||
			    problems+=("key $key: $l") ;;
		*)
			[[ "$l" == *"ingest sluice-ingest/0.1.0 run="* ]] || problems+=("key $key changed: $l") ;;
		esac
	done
	fail_all
	# a rule that sets what the record already carries changes nothing
	policy q.json '[{"name":"same","set":{"classification":"internal"}}]'
	run bash -c 'sluice-tag-lineage -p q.json s.warc | streamcat -d -f Sluice-Lineage | grep -c tag-lineage'
	[ "$output" = 0 ]
}

@test "records not changed pass byte for byte; payloads are never touched" {
	make_stream
	policy p.json '[{"name":"none","match":{"uri":"nothing://**"},"set":{"classification":"public"}}]'
	sluice-tag-lineage -p p.json s.warc > out.warc
	# the output is this run's warcinfo followed by the input, unchanged
	size=$(wc -c < s.warc)
	tail -c "$size" out.warc | cmp - s.warc
	[ "$(streamcat -c out.warc)" = $(( $(streamcat -c s.warc) + 1 )) ]
	# a 20-digit integer in a changed record reaches the output intact
	printf '{"id":12345678901234567890,"x":1.50}\n' | sluice-ingest -f jsonl > big.warc
	run bash -c 'sluice-tag-lineage --set classification=restricted --detect-pii big.warc | streamcat -d -p -f Sluice-Classification'
	[ "$output" = $'restricted\t{"id":12345678901234567890,"x":1.50}' ]
}

@test "warcinfo, metadata and unknown records pass unchanged and in order" {
	make_stream
	sluice-tag-lineage --set classification=restricted s.warc > out.warc
	run streamcat -f WARC-Type out.warc
	[ "${lines[0]}" = warcinfo ]
	[ "${lines[1]}" = warcinfo ]
	[ "$(streamcat -d -c out.warc)" = 6 ]
}

@test "a context field the record carries badly is malformed input (65)" {
	printf '{"a":1}\n' | sluice-ingest -f jsonl | sed 's/^Sluice-Classification: internal/Sluice-Classification: secret/' > s.warc
	run --separate-stderr sluice-tag-lineage --set authority=internal s.warc
	expect_status 65
	[[ "$stderr" == *'s.warc: record 2 at byte '*': Sluice-Classification "secret" is not one of'* ]] || fail "$stderr"
	# not looked at when no rule matches
	run sluice-tag-lineage s.warc
	expect_status 0
}

@test "live: a record that came in goes out before the tool waits for more" {
	printf '{"a":1}\n' | sluice-ingest -f jsonl > s.warc
	mkfifo in
	sluice-tag-lineage --set classification=public < in > out.warc &
	pid=$!
	exec 4> in
	cat s.warc >&4
	for _ in $(seq 100); do
		[ "$(streamcat -d -c out.warc 2>/dev/null)" = 1 ] && break
		sleep 0.05
	done
	n=$(streamcat -d -c out.warc 2>/dev/null)
	exec 4>&-
	wait "$pid"
	[ "$n" = 1 ] || fail "the record stayed in the tool while its input was open"
}

@test "truncated input: whole records out, exit 65" {
	make_stream
	head -c 2000 s.warc > cut.warc
	run --separate-stderr bash -c 'sluice-tag-lineage --set classification=restricted cut.warc > out.warc'
	expect_status 65
	whole_records out.warc
}

@test "--metrics counts changed and declassified records" {
	make_stream
	sluice-tag-lineage --set classification=public --metrics m.prom s.warc > /dev/null
	grep -qx 'sluice_tag_lineage_changed_total{tool="sluice-tag-lineage"} 6' m.prom
	grep -qx 'sluice_tag_lineage_declassified_total{tool="sluice-tag-lineage"} 6' m.prom
	grep -qx 'sluice_records_in_total{tool="sluice-tag-lineage"} 6' m.prom
}

# ---- PII ----

@test "--detect-pii: fields found, classification raised to confidential" {
	problems=()
	while IFS='|' read -r json pii class; do
		printf '%s\n' "$json" | sluice-ingest -f jsonl > s.warc
		got=$(sluice-tag-lineage --detect-pii s.warc | streamcat -d -f Sluice-PII,Sluice-Classification)
		[ "$got" = "$pii"$'\t'"$class" ] || problems+=("$json: got '$got', want '$pii $class'")
	done <<-'TABLE'
	{"email":"ada@example.org"}|email|confidential
	{"note":"call +49 30 1234567"}|note|confidential
	{"card":4111111111111111}|card|confidential
	{"card":"4111 1111 1111 1111","iban":"DE89 3704 0044 0532 0130 00"}|card iban|confidential
	{"who":{"ssn":"123-45-6789","name":"x"}}|who.ssn|confidential
	{"list":["a","b@example.com"]}|list|confidential
	{"date":"2026-11-20","ip":"192.168.100.200","n":4111111111111112}|-|internal
	{"isbn":"978-3-16-148410-0","ver":"10.0.19041.1"}|-|internal
	{"a b":"x@example.com"}|-|confidential
	TABLE
	fail_all
	# an existing higher classification is kept, PII joins what was there
	printf '{"e":"a@example.org"}\n' | sluice-ingest -f jsonl -c restricted |
	    sluice-tag-lineage --set pii=name --detect-pii > s.warc
	run streamcat -d -f Sluice-PII,Sluice-Classification s.warc
	[ "$output" = $'e name\trestricted' ]
}

@test "--detect-pii: precision and recall on the labelled set" {
	jq -c '{v: .value}' "$TAGFIX/pii-labelled.jsonl" | sluice-ingest -f jsonl |
	    sluice-tag-lineage --detect-pii | streamcat -d -f Sluice-PII > found
	jq -r '.label' "$TAGFIX/pii-labelled.jsonl" > labels
	[ "$(wc -l < labels)" -ge 100 ] || fail "the labelled set is too small"
	[ "$(wc -l < found)" = "$(wc -l < labels)" ]
	paste labels found | awk -F'\t' '
		{ p = $2 == "v"; t = $1 != "none"; n[$1]++; if (p && t) { tp++; hit[$1]++ }
		  if (p && !t) fp++; if (!p && t) fn++ }
		END {
			printf "labelled %d: %d PII, %d not\n", NR, tp + fn, NR - tp - fn
			printf "precision %.3f (%d/%d), recall %.3f (%d/%d)\n",
			    tp / (tp + fp), tp, tp + fp, tp / (tp + fn), tp, tp + fn
			for (k in n) if (k != "none") printf "recall %s %d/%d\n", k, hit[k], n[k]
		}' > figures
	sed 's/^/# /' figures >&3
	# what the set was built to show: few false positives, most PII found
	awk '/^precision/ { split($2, a, " "); if (a[1] < 0.95) exit 1; if ($5 < 0.90) exit 1 }' figures ||
	    fail "precision or recall dropped: $(cat figures)"
}

# ---- --trace ----

# trace_id FILE N: the record id of the N-th data record of FILE.
trace_id() {
	streamcat -d -f WARC-Record-ID "$1" | sed -n "${2}p"
}

@test "--trace: history across ingest | tag-lineage | tag-lineage" {
	cp "$FIXTURES/man/customers.csv" .
	policy p.json '[{"name":"c","set":{"classification":"confidential","roles":["crm"]}}]'
	sluice-ingest customers.csv | sluice-tag-lineage -p p.json |
	    sluice-tag-lineage --set classification=internal > out.warc
	id=$(trace_id out.warc 2)
	runs=($(streamcat -p out.warc | sed -n 's/^sluice-run: \([0-9a-f-]*\).$/\1/p'))
	run sluice-tag-lineage --trace "$id" out.warc
	expect_status 0
	[ "${lines[0]}" = "record $id" ]
	expect_line "type: resource"
	expect_line "source: file://$(pwd -P)/customers.csv#row=3"
	expect_line "  1. ingest sluice-ingest/0.1.0 run=${runs[2]}"
	expect_line '     arguments ["customers.csv"]'
	expect_line '     arguments ["-p","p.json"]'
	expect_line '     arguments ["--set","classification=internal"]'
	expect_match "  2\. tag-lineage sluice-tag-lineage/0\.1\.0 run=${runs[1]} args=sha256:$(sha256sum p.json | cut -d' ' -f1) policy=t@1"
	expect_match "  3\. tag-lineage sluice-tag-lineage/0\.1\.0 run=${runs[0]} args=sha256:[0-9a-f]{64} declassified=classification:confidential>internal"
	expect_line "     started 2023-11-14T22:13:20.000000Z"
	expect_line "  Sluice-Classification: internal"
	expect_line "  Sluice-Roles: crm"
	expect_line "  $id file://$(pwd -P)/customers.csv#row=3"
	# the same as JSON, also from a .warc.gz on standard input
	sluice-tag-lineage --set authority=internal -z < out.warc > out.warc.gz
	run bash -c "sluice-tag-lineage --trace '$id' --json < out.warc.gz"
	expect_status 0
	printf '%s' "$output" | jq -e --arg id "$id" '
		.id == $id and .type == "resource" and (.lineage | length) == 4 and
		.lineage[0].step == "ingest" and .lineage[0].arguments == ["customers.csv"] and
		.lineage[3].arguments == ["--set", "authority=internal", "-z"] and
		.lineage[2].tool == "sluice-tag-lineage/0.1.0" and
		.context["Sluice-Authority"] == "internal" and
		.sources == [{"id": $id, "uri": .uri, "found": true, "searched": true}] and
		.cycle == null and .complete' >/dev/null ||
	    fail "json: $output"
	run sluice-tag-lineage --trace "$id" out.warc.gz
	expect_status 0
	expect_line "  4. tag-lineage sluice-tag-lineage/0.1.0 run=$(streamcat -p out.warc.gz | sed -n 's/^sluice-run: \([0-9a-f-]*\).$/\1/p' | head -n 1) args=sha256:$(printf '%s' $'\n--set authority=internal' | sha256sum | cut -d' ' -f1)"
}

# conversion FILE ID PARENT... : appends a conversion record derived from
# the parents (the first in WARC-Refers-To, all in Sluice-Derived-From).
conversion() {
	local file=$1 id=$2 body='{"sum":3}' p
	shift 2
	{
		printf 'WARC/1.1\r\nWARC-Type: conversion\r\nWARC-Record-ID: %s\r\n' "$id"
		printf 'WARC-Date: 2023-11-14T22:13:20.000000Z\r\nWARC-Refers-To: %s\r\n' "$1"
		printf 'WARC-Target-URI: urn:sluice:derived\r\nContent-Type: application/json\r\n'
		printf 'Content-Length: %d\r\nSluice-Classification: internal\r\n' "${#body}"
		for p in "$@"; do printf 'Sluice-Derived-From: %s\r\n' "$p"; done
		printf 'Sluice-Lineage: transform sluice-transform/0.1.0 run=00000000-0000-4000-8000-000000000001\r\n'
		printf '\r\n%s\r\n\r\n' "$body"
	} >> "$file"
}

@test "--trace: which source records contributed, across files and generations" {
	printf '{"a":1}\n{"a":2}\n{"a":3}\n' | sluice-ingest -f jsonl --source-uri test://src > a.warc
	p1=$(trace_id a.warc 1) p2=$(trace_id a.warc 2)
	c1='<urn:uuid:11111111-1111-5111-8111-111111111111>'
	c2='<urn:uuid:22222222-2222-5222-8222-222222222222>'
	conversion b.warc "$c1" "$p1" "$p2"
	conversion c.warc "$c2" "$c1"
	sluice-tag-lineage --set certification=certified c.warc > d.warc
	run sluice-tag-lineage --trace "$c2" d.warc b.warc a.warc
	expect_status 0
	expect_line "derived from: $c1"
	expect_line "  1 $c1 conversion urn:sluice:derived"
	expect_line "  2 $p1 resource test://src#line=0,1"
	expect_line "  2 $p2 resource test://src#line=1,2"
	expect_line "sources:"
	expect_line "  $p1 test://src#line=0,1"
	expect_line "  $p2 test://src#line=1,2"
	expect_line "     (no warcinfo for this run in the inputs)"
	[[ "$output" != *"$(trace_id a.warc 3)"* ]] || fail "an unrelated record is listed"
	# without a.warc the sources are named as missing
	run sluice-tag-lineage --trace "$c2" d.warc b.warc
	expect_line "  $p1 (not in the inputs)"
}

@test "--trace: four stages with sluice-transform's --chunk and --slurp" {
	command -v sluice-transform >/dev/null || skip "sluice-transform is not built"
	mkdir docs
	printf 'The quick brown fox jumps over the lazy dog.\n' > docs/a.txt
	printf 'Sluice carries context with the data it moves.\n' > docs/b.txt
	sluice-ingest -r docs > s1.warc
	sluice-transform --chunk 20 . s1.warc > s2.warc
	sluice-transform --slurp 'map(length) | add' s2.warc > s3.warc
	sluice-tag-lineage --set certification=provisional s3.warc > s4.warc
	id=$(trace_id s4.warc 1)
	dir=$(pwd -P)
	a=$(trace_id s1.warc 1) b=$(trace_id s1.warc 2)
	# files in any order, or one concatenated stream on standard input
	for how in "s4.warc s3.warc s2.warc s1.warc" "s1.warc s2.warc s3.warc s4.warc" "-"; do
		if [ "$how" = - ]; then
			run bash -c "cat s1.warc s2.warc s3.warc s4.warc | sluice-tag-lineage --trace '$id' --json"
		else
			run sluice-tag-lineage --trace "$id" --json $how
		fi
		expect_status 0
		printf '%s' "$output" | jq -e --arg a "$a" --arg b "$b" --arg dir "$dir" '
			(.lineage | map(.step)) == ["ingest", "transform", "transform", "tag-lineage"] and
			(.lineage[1].arguments | index("--chunk")) != null and
			(.lineage[2].arguments | index("--slurp")) != null and
			(.derived_from | length) == 6 and
			(.ancestors | map(select(.generation == 1 and .type == "conversion")) | length) == 6 and
			(.ancestors | map(select(.generation == 2 and .type == "resource")) | length) == 2 and
			(.sources | map(.id) | sort) == ([$a, $b] | sort) and
			(.sources | map(.uri) | sort) == ["file://\($dir)/docs/a.txt", "file://\($dir)/docs/b.txt"] and
			.context["Sluice-Certification"] == "provisional"' >/dev/null ||
		    fail "$how: $output"
	done
}

@test "--trace: an id not in the inputs is a finding (1); bad input is 65" {
	printf '{"a":1}\n' | sluice-ingest -f jsonl > a.warc
	run --separate-stderr sluice-tag-lineage --trace 12345678-1234-5234-8234-123456789abc a.warc
	expect_status 1
	[ -z "$output" ]
	[ "$stderr" = "sluice-tag-lineage: record <urn:uuid:12345678-1234-5234-8234-123456789abc> is not in the inputs" ]
	printf 'WARC/1.1\r\nWARC-Type: resource\r\n' > bad.warc
	run sluice-tag-lineage --trace 12345678-1234-5234-8234-123456789abc bad.warc
	expect_status 65
	run sluice-tag-lineage --trace 12345678-1234-5234-8234-123456789abc missing.warc
	expect_status 66
}

@test "EXAMPLES of sluice-tag-lineage(1) run as shown" {
	[ -n "${SLUICE_MANDIR:-}" ] || SLUICE_MANDIR="$SLUICE_SRCDIR/man"
	# the same extraction as man.bats: "$ cmd" lines run, what follows is their output
	awk '
	/^\.Sh / { ex = ($2 == "EXAMPLES") }
	ex && /^\.Bd -literal/ { inb = 1; next }
	ex && inb && /^\.Ed/ { inb = 0; print "\036"; next }
	ex && inb { print }
	' "$SLUICE_MANDIR/sluice-tag-lineage.1" | sed -e 's/\\e/\\/g' -e 's/\\(dq/"/g' -e 's/\\&//g' > blocks
	cp -R "$FIXTURES/man/." .
	cmds=0
	problems=()
	cmd= expect=
	check() {
		[ -n "$cmd" ] || return 0
		cmds=$((cmds + 1))
		got=$(bash -c "$cmd" 2>err | tr -d '\r'; exit "${PIPESTATUS[0]}")
		rc=$?
		if [ -z "$expect" ]; then
			[ "$rc" -eq 0 ] || problems+=("failed ($rc): $cmd: $(cat err)")
		elif [ "$got" != "$(printf '%s' "$expect")" ]; then
			problems+=("example: $cmd" "expected:" "$expect" "got:" "$got")
		fi
	}
	while IFS= read -r line; do
		case $line in
		$'\036') check; cmd= expect= ;;
		'$ '*) check; cmd=${line#\$ }; expect= ;;
		*) [ -z "$cmd" ] || expect="$expect$line"$'\n' ;;
		esac
	done < blocks
	[ "$cmds" -gt 0 ] || fail "no examples"
	fail_all
}
