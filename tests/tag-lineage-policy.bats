#!/usr/bin/env bats
# tag-lineage-policy.bats - sluice-tag-lineage refuses every bad policy
# with status 78 and the place in the file, before any output, and its
# policy reader survives the JSONTestSuite corpus.

load lib

# A one-record stream to run policies over.
setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
	printf '{"a":1}\n' | sluice-ingest -f jsonl > s.warc
}

# refused POLICY-TEXT WANT: the policy must be refused with 78, nothing on
# stdout, and a message containing WANT (after "p.json: ").
@test "bad policies: status 78, nothing written, the place named" {
	problems=()
	while IFS= read -r line; do
		text=${line%% => *}
		want=${line#* => }
		printf '%s' "$text" > p.json
		st=0
		got=$(sluice-tag-lineage -p p.json s.warc 2>err) || st=$?
		msg=$(cat err)
		[ "$st" -eq 78 ] || problems+=("$text: status $st, want 78 ($msg)")
		[ -z "$got" ] || problems+=("$text: wrote to stdout")
		[[ "$msg" == "sluice-tag-lineage: p.json: $want"* ]] ||
		    problems+=("$text:" "  got  $msg" "  want sluice-tag-lineage: p.json: $want")
	done <<-'TABLE'
	 => empty file: not a policy
	{ => line 1, column 2 (byte 1): not JSON:
	[] => (the whole file): expected a policy object
	"hr" => (the whole file): expected a policy object
	{} => (the whole file): no "policy"
	{"policy":"x","version":1} => (the whole file): no "rules"
	{"policy":"x","rules":[]} => (the whole file): no "version"
	{"policy":1,"version":1,"rules":[]} => /policy: expected a string, got number
	{"policy":"has space","version":1,"rules":[]} => /policy: "has space" is not a valid policy name
	{"policy":"","version":1,"rules":[]} => /policy: "" is not a valid policy name
	{"policy":"x","version":true,"rules":[]} => /version: expected a string or a number, got boolean
	{"policy":"x","version":"1 0","rules":[]} => /version: "1 0" is not a valid version
	{"policy":"x","version":1,"rules":{}} => /rules: expected an array of rules, got object
	{"policy":"x","version":1,"rules":[],"extra":1} => /extra: unknown key "extra" (known: policy, version, description, rules)
	{"policy":"x","version":1,"rules":[],"a\nb":1} => /a?b: unknown key "a?b"
	{"policy":"x","version":1,"rules":[],"a/b~c":1} => /a~1b~0c: unknown key "a/b~c"
	{"policy":"x","policy":"y","version":1,"rules":[]} => /policy: "policy" appears twice
	{"policy":"x","version":1,"description":5,"rules":[]} => /description: expected a string, got number
	{"policy":"x","version":1,"rules":[1]} => /rules/0: expected a rule object
	{"policy":"x","version":1,"rules":[{"set":{"classification":"public"}}]} => /rules/0: a rule without a "name"
	{"policy":"x","version":1,"rules":[{"name":"a"}]} => /rules/0: rule "a" has no "set"
	{"policy":"x","version":1,"rules":[{"name":"a","set":{}}]} => /rules/0/set: rule "a" sets nothing
	{"policy":"x","version":1,"rules":[{"name":"a","set":[]}]} => /rules/0/set: expected an object of fields to set, got array
	{"policy":"x","version":1,"rules":[{"name":"a","set":{"classification":"public"}},{"name":"a","set":{"classification":"public"}}]} => /rules/1/name: rule "a" is named twice
	{"policy":"x","version":1,"rules":[{"name":"a","when":{},"set":{"classification":"public"}}]} => /rules/0/when: unknown rule key "when" (known: name, description, match, set)
	{"policy":"x","version":1,"rules":[{"name":"a","set":{"colour":"red"}}]} => /rules/0/set/colour: unknown field "colour" (known: classification, roles, authority, certification, ttl, valid-until, key, event-time, pii)
	{"policy":"x","version":1,"rules":[{"name":"a","set":{"classification":"secret"}}]} => /rules/0/set/classification: "secret" is not one of public, internal, confidential, restricted
	{"policy":"x","version":1,"rules":[{"name":"a","set":{"classification":"Public"}}]} => /rules/0/set/classification: "Public" is not one of
	{"policy":"x","version":1,"rules":[{"name":"a","set":{"classification":3}}]} => /rules/0/set/classification: expected a string, got number
	{"policy":"x","version":1,"rules":[{"name":"a","set":{"authority":"trusted"}}]} => /rules/0/set/authority: "trusted" is not one of authoritative, internal, external, unverified
	{"policy":"x","version":1,"rules":[{"name":"a","set":{"certification":"gold"}}]} => /rules/0/set/certification: "gold" is not one of certified, provisional, deprecated
	{"policy":"x","version":1,"rules":[{"name":"a","set":{"roles":"crm"}}]} => /rules/0/set/roles: expected an array of names, got string
	{"policy":"x","version":1,"rules":[{"name":"a","set":{"roles":["crm","bad role"]}}]} => /rules/0/set/roles/1: "bad role" is not a valid role name
	{"policy":"x","version":1,"rules":[{"name":"a","set":{"roles":[1]}}]} => /rules/0/set/roles/0: expected a string, got number
	{"policy":"x","version":1,"rules":[{"name":"a","set":{"pii":["e-mail","-x"]}}]} => /rules/0/set/pii/1: "-x" is not a valid field name
	{"policy":"x","version":1,"rules":[{"name":"a","set":{"ttl":"30 days"}}]} => /rules/0/set/ttl: "30 days" is not an ISO 8601 duration
	{"policy":"x","version":1,"rules":[{"name":"a","set":{"ttl":"P"}}]} => /rules/0/set/ttl: "P" is not an ISO 8601 duration
	{"policy":"x","version":1,"rules":[{"name":"a","set":{"ttl":30}}]} => /rules/0/set/ttl: expected an ISO 8601 duration
	{"policy":"x","version":1,"rules":[{"name":"a","set":{"valid-until":"2026-02-30"}}]} => /rules/0/set/valid-until: "2026-02-30" is not an RFC 3339 time
	{"policy":"x","version":1,"rules":[{"name":"a","set":{"ttl":"P1D","valid-until":"2027-01-01"}}]} => /rules/0/set/valid-until: ttl and valid-until both set
	{"policy":"x","version":1,"rules":[{"name":"a","set":{"key":""}}]} => /rules/0/set/key: "" is not a path: an empty path
	{"policy":"x","version":1,"rules":[{"name":"a","set":{"key":".a | ("}}]} => /rules/0/set/key: ".a | (" is not a path: jq: error
	{"policy":"x","version":1,"rules":[{"name":"a","set":{"event-time":["a"]}}]} => /rules/0/set/event-time: expected a path
	{"policy":"x","version":1,"rules":[{"name":"a","match":[],"set":{"classification":"public"}}]} => /rules/0/match: expected an object, got array
	{"policy":"x","version":1,"rules":[{"name":"a","match":{"url":"x"},"set":{"classification":"public"}}]} => /rules/0/match/url: unknown match condition "url" (known: uri, media-type, header, jq)
	{"policy":"x","version":1,"rules":[{"name":"a","match":{"uri":5},"set":{"classification":"public"}}]} => /rules/0/match/uri: expected a glob, got number
	{"policy":"x","version":1,"rules":[{"name":"a","match":{"uri":"file:///[a-"},"set":{"classification":"public"}}]} => /rules/0/match/uri: bad glob "file:///[a-": '[' without a closing ']'
	{"policy":"x","version":1,"rules":[{"name":"a","match":{"uri":"[z-a]"},"set":{"classification":"public"}}]} => /rules/0/match/uri: bad glob "[z-a]": a range in '[...]' runs backwards
	{"policy":"x","version":1,"rules":[{"name":"a","match":{"uri":"x\\"},"set":{"classification":"public"}}]} => /rules/0/match/uri: bad glob "x\": a '\' at the end
	{"policy":"x","version":1,"rules":[{"name":"a","match":{"media-type":"text/[p"},"set":{"classification":"public"}}]} => /rules/0/match/media-type: bad glob
	{"policy":"x","version":1,"rules":[{"name":"a","match":{"header":"x"},"set":{"classification":"public"}}]} => /rules/0/match/header: expected an object of field names to globs, got string
	{"policy":"x","version":1,"rules":[{"name":"a","match":{"header":{}},"set":{"classification":"public"}}]} => /rules/0/match/header: an empty header condition
	{"policy":"x","version":1,"rules":[{"name":"a","match":{"header":{"bad name":"x"}},"set":{"classification":"public"}}]} => /rules/0/match/header/bad name: "bad name" is not a header field name
	{"policy":"x","version":1,"rules":[{"name":"a","match":{"header":{"A/B":"x"}},"set":{"classification":"public"}}]} => /rules/0/match/header/A~1B: "A/B" is not a header field name
	{"policy":"x","version":1,"rules":[{"name":"a","match":{"header":{"X-A":"x","x-a":"y"}},"set":{"classification":"public"}}]} => /rules/0/match/header/x-a: field "x-a" appears twice
	{"policy":"x","version":1,"rules":[{"name":"a","match":{"header":{"X-A":1}},"set":{"classification":"public"}}]} => /rules/0/match/header/X-A: expected a glob, got number
	{"policy":"x","version":1,"rules":[{"name":"a","match":{"jq":".a =="},"set":{"classification":"public"}}]} => /rules/0/match/jq: jq program does not compile: jq: error
	{"policy":"x","version":1,"rules":[{"name":"a","match":{"jq":true},"set":{"classification":"public"}}]} => /rules/0/match/jq: expected a jq program, got boolean
	{"policy":"x","version":1,"rules":[{"name":"a","match":{"jq":"$undefined"},"set":{"classification":"public"}}]} => /rules/0/match/jq: jq program does not compile
	{"policy":"x","version":1,"rules":[{"name":"a","match":{"uri":"a\u0000b"},"set":{"classification":"public"}}]} => /rules/0/match/uri: a glob holding a NUL character
	{"policy":"x","version":1,"rules":[{"name":"ok","set":{"classification":"public"}},{"name":"b","set":{"classification":"x"}}]} => /rules/1/set/classification: "x" is not one of
	TABLE
	fail_all
	# syntax errors are placed by line and column
	printf '{"policy":"x",\n "version":1,,}' > p.json
	run sluice-tag-lineage -p p.json s.warc
	expect_status 78
	[[ "$output" == "sluice-tag-lineage: p.json: line 2, column 14 (byte 28): not JSON: "* ]] || fail "$output"
}

@test "a policy that is a folder, unreadable or too big is refused" {
	mkdir dir.json
	run sluice-tag-lineage -p dir.json s.warc
	expect_status 66
	[[ "$output" == *"dir.json: is a folder, not a policy"* ]] || fail "$output"
	head -c 17000000 /dev/zero | tr '\0' ' ' > big.json
	run sluice-tag-lineage -p big.json s.warc
	expect_status 78
	[[ "$output" == *"big.json: longer than 16 MiB: not a policy"* ]] || fail "$output"
	printf '{"policy":"x","version":1,"rules":[]}\0' > nul.json
	run sluice-tag-lineage -p nul.json s.warc
	expect_status 78
	printf '\xef\xbb\xbf{"policy":"x","version":1,"rules":[]}' > bom.json
	run sluice-tag-lineage -p bom.json s.warc
	expect_status 78
	# nesting far deeper than the reader allows is an error, not a crash
	{ printf '{"policy":"x","version":1,"rules":[],"description":'; head -c 100000 /dev/zero | tr '\0' '['; } > deep.json
	run sluice-tag-lineage -p deep.json s.warc
	expect_status 78
}

@test "a good policy with every condition and field is accepted" {
	cat > p.json <<-'EOF'
	{"policy":"all","version":"2026-11.1","description":"every key",
	 "rules":[{"name":"everything","description":"d",
	   "match":{"uri":"**","media-type":"application/*","header":{"Sluice-Classification":"*"},"jq":".a == 1"},
	   "set":{"classification":"confidential","roles":["r"],"authority":"internal","certification":"provisional",
	          "ttl":"P1D","key":".a","event-time":"/t","pii":["a"]}}]}
	EOF
	run bash -c 'sluice-tag-lineage -p p.json s.warc | streamcat -d -f Sluice-Classification,Sluice-Roles,Sluice-Authority,Sluice-Certification,Sluice-Key,Sluice-PII'
	expect_status 0
	[ "$output" = $'confidential\tr\tinternal\tprovisional\t1\ta' ] || fail "$output"
	run bash -c 'sluice-tag-lineage -p p.json s.warc | streamcat -d -f Sluice-Lineage'
	[[ "$output" == *" policy=all@2026-11.1" ]] || fail "$output"
}

@test "the policy reader over JSONTestSuite: n_ refused as not JSON, y_ parsed, nothing crashes" {
	suite="$CONFORMANCE/json-test-suite/test_parsing"
	[ -d "$suite" ] || skip "no JSONTestSuite in $CONFORMANCE"
	problems=()
	n=0 y=0 i=0
	for f in "$suite"/*.json; do
		base=${f##*/}
		st=0
		sluice-tag-lineage -p "$f" s.warc > out 2> err || st=$?
		case $base in
		n_*)
			n=$((n + 1))
			[ "$st" -eq 78 ] && grep -Eq 'not JSON|empty file' err ||
			    problems+=("$base: status $st: $(head -c 200 err)") ;;
		y_*)
			y=$((y + 1))
			# valid JSON, but no JSON text there is a policy
			[ "$st" -eq 78 ] && ! grep -q 'not JSON' err ||
			    problems+=("$base: status $st: $(head -c 200 err)") ;;
		*)
			i=$((i + 1))
			[ "$st" -eq 78 ] || problems+=("$base: status $st") ;;
		esac
		[ ! -s out ] || problems+=("$base: wrote a stream")
	done
	echo "# JSONTestSuite: $n n_ refused, $y y_ parsed, $i i_ refused (no crash)" >&3
	[ "$((n + y + i))" -ge 300 ] || fail "only $((n + y + i)) files"
	fail_all
}
