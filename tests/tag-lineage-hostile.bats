#!/usr/bin/env bats
# tag-lineage-hostile.bats - sluice-tag-lineage against hostile policies,
# payloads, streams and servers: every run ends with a documented status
# and message, and standard output holds only whole records.

load lib

OLSCHEMA="$CONFORMANCE/openlineage"
HOSTILE="$SLUICE_SRCDIR/tests/fixtures/tag-lineage/hostile-stream.py"

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
	printf '{"id":1,"k":"a\\r\\nX-Evil: 1","t":"2026-11-20T08:00:00Z","n":{"o":1}}\n{"id":2,"k":"ok","t":"yesterday"}\n' |
	    sluice-ingest -f jsonl > s.warc
	# a record without a classification (unknown, enforced as restricted)
	grep -av '^Sluice-Classification' s.warc > nocls.warc
}

olcheck() {
	python3 "$SLUICE_SRCDIR/tests/openlineage-check.py" "$OLSCHEMA" "$@"
}

# run_table: POLICY-JSON^ARGS^INPUT^STATUS^MESSAGE^RECORDS rows on stdin:
# writes the policy (when not "-") to p.json, runs the tool, and checks the
# status, that stderr holds MESSAGE, and that stdout is a stream of whole
# records holding RECORDS data records.
run_table() {
	problems=()
	while IFS='^' read -r pol args input want msg nrec; do
		[ "$pol" = - ] || printf '%s' "$pol" > p.json
		st=0
		# shellcheck disable=SC2086
		sluice-tag-lineage $args "$input" > out.warc 2> err || st=$?
		row="[$pol] $args $input"
		[ "$st" -eq "$want" ] || problems+=("$row: status $st, want $want: $(cat err)")
		[[ "$(cat err)" == *"$msg"* ]] || problems+=("$row: stderr lacks '$msg': $(cat err)")
		got=$(streamcat -d -c out.warc 2>&1) ||
		    problems+=("$row: stdout is not whole records: $got")
		[ "$got" = "$nrec" ] || problems+=("$row: $got data records out, want $nrec")
	done
	fail_all
}

@test "hostile policies are refused with 78 and the place, nothing written" {
	long=$(printf '*a%.0s' $(seq 600))
	roles=$(seq -f '"role%06g_aaaaaaaaaa"' 4000 | paste -sd,)
	deep=$(printf '[%.0s' $(seq 5000))
	run_table <<-TABLE
	{"policy":"t","version":1,"rules":[{"name":"a","match":{"uri":"$long"},"set":{"classification":"public"}}]}^-p p.json^s.warc^78^/rules/0/match/uri: a glob of 1200 bytes: at most 1024^0
	{"policy":"t","version":1,"rules":[{"name":"a","match":{"header":{"X-A":"$long"}},"set":{"classification":"public"}}]}^-p p.json^s.warc^78^/rules/0/match/header/X-A: a glob of 1200 bytes^0
	{"policy":"t","version":1,"rules":[{"name":"a","match":{"media-type":"[a-"},"set":{"classification":"public"}}]}^-p p.json^s.warc^78^/rules/0/match/media-type: bad glob "[a-": '[' without a closing ']'^0
	{"policy":"t","version":1,"rules":[{"name":"a","match":{"uri":"[z-a]"},"set":{"classification":"public"}}]}^-p p.json^s.warc^78^a range in '[...]' runs backwards^0
	{"policy":"t","version":1,"rules":[{"name":"a","match":{"uri":"a\\\\"},"set":{"classification":"public"}}]}^-p p.json^s.warc^78^a '\\' at the end^0
	{"policy":"t","version":1,"rules":[{"name":"a","match":{"jq":".["},"set":{"classification":"public"}}]}^-p p.json^s.warc^78^/rules/0/match/jq: jq program does not compile^0
	{"policy":"t","version":1,"rules":[{"name":"a","match":{"jq":". as"},"set":{"classification":"public"}}]}^-p p.json^s.warc^78^jq program does not compile^0
	{"policy":"t","version":1,"rules":[{"name":"a","match":{"jq":".id | debug | . > 1"},"set":{"classification":"restricted"}}]}^-p p.json^s.warc^0^["DEBUG:",2]^2
	{"policy":"t","version":1,"rules":[{"name":"a","set":{"key":".id | debug"}}]}^-p p.json^s.warc^0^["DEBUG:",1]^2
	{"policy":"t","version":1,"rules":[{"name":"a","match":{"jq":".debug == null and \\"debug\\" != \\"\\""},"set":{"classification":"restricted"}}]}^-p p.json^s.warc^0^^2
	{"policy":"t","version":1,"rules":[{"name":"a","set":{"key":".a |"}}]}^-p p.json^s.warc^78^/rules/0/set/key: ".a |" is not a path^0
	{"policy":"t","version":1,"rules":[{"name":"a","set":{"key":"a\\u0000b"}}]}^-p p.json^s.warc^78^/rules/0/set/key: a path holding a NUL character^0
	{"policy":"t","version":1,"rules":[{"name":"a","match":{"uri":"a\\u0000b"},"set":{"classification":"public"}}]}^-p p.json^s.warc^78^a glob holding a NUL character^0
	{"policy":"t","version":1,"rules":[{"name":"a","match":{"header":{"X:Y":"*"}},"set":{"classification":"public"}}]}^-p p.json^s.warc^78^/rules/0/match/header/X:Y: "X:Y" is not a header field name^0
	{"policy":"t","version":1,"rules":[{"name":"a","match":{"header":{"a\\r\\nb":"*"}},"set":{"classification":"public"}}]}^-p p.json^s.warc^78^/rules/0/match/header/a??b: "a??b" is not a header field name^0
	{"policy":"t","version":1,"rules":[{"name":"a","set":{"ttl":"P99999Y"}}]}^-p p.json^s.warc^78^/rules/0/set/ttl: "P99999Y" is not an ISO 8601 duration^0
	{"policy":"t","version":1,"rules":[{"name":"a","set":{"valid-until":"2026-13-01T00:00:00Z"}}]}^-p p.json^s.warc^78^/rules/0/set/valid-until: "2026-13-01T00:00:00Z" is not an RFC 3339 time^0
	{"policy":"t","version":1,"rules":[{"name":"a","set":{"roles":["ok","a\\r\\nSluice-Roles: all"]}}]}^-p p.json^s.warc^78^/rules/0/set/roles/1: "a??Sluice-Roles: all" is not a valid role name^0
	{"policy":"t","version":1,"rules":[{"name":"a","set":{"pii":"email"}}]}^-p p.json^s.warc^78^/rules/0/set/pii: expected an array of names, got string^0
	{"policy":"t","version":1,"rules":[{"name":"a","match":"x","set":{"pii":["e"]}}]}^-p p.json^s.warc^78^/rules/0/match: expected an object, got string^0
	{"policy":"t","version":1,"rules":[{"name":"a","match":{"header":{}},"set":{"pii":["e"]}}]}^-p p.json^s.warc^78^/rules/0/match/header: an empty header condition^0
	{"policy":"t","version":1,"rules":[{"name":"a","match":{"header":{"X-A":"*","x-a":"*"}},"set":{"pii":["e"]}}]}^-p p.json^s.warc^78^field "x-a" appears twice^0
	{"policy":"t","version":1,"rules":[{"name":"a","set":{"ttl":"P1D","valid-until":"2027-01-01"}}]}^-p p.json^s.warc^78^ttl and valid-until both set: give one^0
	{"policy":"t","version":1,"rules":[{"name":"z","set":{"pii":["e"]}},{"name":"b","set":{"pii":["e"]}},{"name":"b","set":{"pii":["e"]}},{"name":"z","set":{"pii":["e"]}}]}^-p p.json^s.warc^78^p.json: /rules/2/name: rule "b" is named twice^0
	{"policy":"t","version":1,"rules":[{"name":"a","set":{"roles":[$roles]}}]}^-p p.json^s.warc^78^/rules/0/set/roles: 87999 bytes of names: a header line holds at most 60000^0
	{"policy":"t","version":1,"rules":$deep^-p p.json^s.warc^78^p.json: line 1, column^0
	TABLE
}

@test "hostile payloads and options: documented status, whole records out" {
	run_table <<-'TABLE'
	{"policy":"t","version":1,"rules":[{"name":"k","set":{"key":".k"}}]}^-p p.json^s.warc^65^s.warc: record 2 at byte ^0
	{"policy":"t","version":1,"rules":[{"name":"k","set":{"key":".k | ascii_downcase"}}]}^-p p.json^s.warc^65^rule "k": key .k | ascii_downcase: the value cannot be a header^0
	{"policy":"t","version":1,"rules":[{"name":"k","set":{"key":".n"}}]}^-p p.json^s.warc^0^^2
	{"policy":"t","version":1,"rules":[{"name":"e","set":{"event-time":".t"}}]}^-p p.json^s.warc^65^record 3 at byte^1
	{"policy":"t","version":1,"rules":[{"name":"e","set":{"event-time":".id"}}]}^-p p.json^s.warc^65^rule "e": event-time .id: "1" is not an RFC 3339 time^0
	{"policy":"t","version":1,"rules":[{"name":"j","match":{"jq":"error(\"boom\")"},"set":{"classification":"public"}}]}^-p p.json^s.warc^0^rule "j": jq: boom (taken as no match)^2
	{"policy":"t","version":1,"rules":[{"name":"j","match":{"jq":".id.x"},"set":{"classification":"public"}}]}^-p p.json^s.warc^0^jq: Cannot index number with^2
	{"policy":"t","version":1,"rules":[{"name":"v","set":{"valid-until":"0001-01-01T00:00:00Z"}}]}^-p p.json^s.warc^0^^2
	-^--strict --set classification=restricted^nocls.warc^0^^2
	-^--strict --set classification=confidential^nocls.warc^1^rule "--set" loosens the record (classification:unknown>confidential), refused by --strict^0
	-^--strict --set roles=,,,^s.warc^0^^2
	-^--set classification==public^s.warc^64^--set classification: "=public" is not one of^0
	-^--set roles=a;b^s.warc^64^"a;b" is not a valid role name^0
	-^--openlineage /dev/full^s.warc^74^/dev/full: cannot write: No space left on device^0
	-^--trace <urn:uuid:00000000-0000-4000-8000-000000000000>^s.warc^1^is not in the inputs^0
	-^--trace <urn:uuid:00000000-0000-4000-8000-000000000000>^/dev/null^1^is not in the inputs^0
	TABLE
}

@test "a write error on --openlineage is reported once" {
	run --separate-stderr sluice-tag-lineage --openlineage /dev/full s.warc
	expect_status 74
	[ "$(grep -c 'cannot write' <<<"$stderr")" = 1 ] || fail "$stderr"
}

@test "a jq program that does not end is stopped: 78, the rule and record named" {
	printf '{"policy":"t","version":1,"rules":[{"name":"ok","match":{"jq":".id == 1"},"set":{"classification":"restricted"}},{"name":"spin","match":{"jq":"if .id == 2 then def f: f; f else false end"},"set":{"classification":"public"}}]}' > p.json
	run --separate-stderr sluice-tag-lineage -p p.json --openlineage ol.jsonl -o out.warc s.warc
	expect_status 78
	[[ "$stderr" == *'s.warc: record 3 at byte '*': rule "spin": jq predicate still running after 10 s of CPU time: stopped'* ]] ||
	    fail "$stderr"
	# -o is all or nothing; the OpenLineage run ended with FAIL 78
	[ ! -e out.warc ] || fail "out.warc exists"
	[ -z "$(ls -A | grep -v -e '^p.json$' -e '^ol.jsonl$' -e '^s.warc$' -e '^nocls.warc$' -e '^separate-stderr')" ] || fail "left: $(ls -A)"
	run olcheck ol.jsonl
	expect_status 0
	[ "$(jq -r '.eventType + " " + (.run.facets.sluice.exitStatus // "" | tostring)' ol.jsonl | tr '\n' ,)" = "START ,FAIL 78," ]
	# on standard output, the record before it went out whole
	run bash -c 'sluice-tag-lineage -p p.json s.warc 2>/dev/null | streamcat -d -f Sluice-Classification'
	expect_status 0
	[ "$output" = restricted ] || fail "$output"
}

@test "--detect-pii: a record with 50000 PII fields keeps a readable header" {
	python3 "$HOSTILE" manypii 50000 > m.warc 2>/dev/null
	run bash -c 'sluice-tag-lineage --detect-pii --metrics met.prom m.warc > out.warc'
	expect_status 0
	[[ "$output" == *"PII found in "*" fields that Sluice-PII does not name"* ]] || fail "$output"
	# the reader takes what was written; the names fit one header line
	[ "$(streamcat -d -c out.warc)" = 1 ]
	[ "$(streamcat -d -f Sluice-Classification out.warc)" = confidential ]
	len=$(streamcat -d -f Sluice-PII out.warc | wc -c)
	[ "$len" -gt 50000 ] && [ "$len" -le 60001 ] || fail "Sluice-PII: $len bytes"
	named=$(streamcat -d -f Sluice-PII out.warc | wc -w)
	unnamed=$(sed -n 's/^sluice_tag_lineage_pii_unnamed_total{.*} \([0-9]*\)$/\1/p' met.prom)
	[ "$((named + unnamed))" = 50000 ] || fail "$named named + $unnamed unnamed"
}

@test "--detect-pii on long digit, '@', '(' and IBAN-like runs: no PII, no crash" {
	python3 -c 'print("{\"a\":\"" + "1 " * 200000 + "\",\"b\":\"" + "a@" * 100000 + "\",\"c\":\"" + "(1" * 100000 + "\",\"d\":\"" + "DE89" * 100000 + "\",\"e\":\"" + "1-" * 200000 + "\"}")' |
	    sluice-ingest -f jsonl > d.warc
	run bash -c 'sluice-tag-lineage --detect-pii d.warc > out.warc'
	expect_status 0
	[ "$(streamcat -d -c out.warc)" = 1 ]
	[ "$(streamcat -d -f Sluice-PII out.warc)" = "-" ] || fail "PII: $(streamcat -d -f Sluice-PII out.warc)"
}

@test "a post to a server that answers a huge body gives up after 1 MiB" {
	python3 "$SLUICE_SRCDIR/tests/marquez-stub.py" bodies.jsonl port huge 3>&- &
	stub=$!
	for _ in $(seq 100); do [ -s port ] && break; sleep 0.05; done
	run --separate-stderr sluice-tag-lineage --openlineage-url "http://127.0.0.1:$(cat port)" \
	    --openlineage ol.jsonl s.warc
	kill "$stub"; wait "$stub" || true
	expect_status 0
	[[ "$stderr" == *"event not posted: the server answered HTTP 200 with more than 1024 KiB"* ]] || fail "$stderr"
	run olcheck ol.jsonl
	[ "$output" = "ok: 2 events in 1 runs" ] || fail "$output"
}

@test "OpenLineage events name datasets of odd URIs validly" {
	python3 "$HOSTILE" weirduris > w.warc 2>/dev/null
	run --separate-stderr bash -c 'sluice-tag-lineage --openlineage ol.jsonl --output-dataset x: w.warc > out.warc'
	expect_status 0
	run olcheck ol.jsonl
	[ "$output" = "ok: 2 events in 1 runs" ] || fail "$output"
	run jq -c '[.inputs[] | .namespace + " " + .name]' ol.jsonl
	[ "${lines[1]}" = '["urn /","x /","file /","file /","http://h:80 /","a b:c","http://[::1] /p","sluice no scheme at all","s3://b /","://x /","http://h /é"]' ] ||
	    fail "$output"
}

# trace MODE N [ARGS...]: writes h.warc with hostile-stream.py and runs
# --trace --json on it; $id is the record traced.
trace() {
	python3 "$HOSTILE" "$1" "$2" > h.warc 2> id
	id=$(cat id)
	shift 2
	run --separate-stderr sluice-tag-lineage --trace "$id" --json "$@" h.warc
}

@test "--trace on hostile streams: cycles, chains, fan-in, duplicates" {
	problems=()
	# MODE N | jq test on the JSON
	while IFS='|' read -r mode n test; do
		trace "$mode" "$n"
		[ "$status" -eq 0 ] || { problems+=("$mode $n: status $status: $stderr"); continue; }
		printf '%s' "$output" | jq -e "$test" > /dev/null ||
		    problems+=("$mode $n: $test" "  $output")
	done <<-'TABLE'
	self|1|.cycle == .id and .complete and .sources == [] and .ancestors == []
	cycle|5|.cycle != null and (.ancestors | length) == 4 and .sources == []
	cycle|2|.cycle != null and (.ancestors | length) == 1
	rchain|3000|.cycle == null and .complete and (.ancestors | length) == 2999 and (.sources | length) == 1 and .sources[0].uri == "file:///chain#0" and .ancestors[-1].generation == 2999
	chain|20|.cycle == null and .complete and (.ancestors | length) == 19 and .sources[0].uri == "file:///chain#0"
	chain|100|.complete == false and (.sources | map(select(.searched == false)) | length) == 1 and (.ancestors | map(select(.found)) | length) == 63
	fanin|1000|.complete and (.derived_from | length) == 1000 and (.sources | length) == 1000 and all(.sources[]; .found)
	dup|1|(.lineage | length) == 2 and .uri == "file:///d3"
	noinfo|1|.lineage[0].started == null and .lineage[0].arguments == null and .lineage[0].run != null
	TABLE
	fail_all
}

@test "--trace text says when the history is cut short or loops" {
	trace chain 100
	run sluice-tag-lineage --trace "$id" h.warc
	expect_status 0
	expect_line "(more than 64 generations before the inputs' order: the history is cut short)"
	expect_match '\(not looked for: cut short\)'
	trace self 1
	run sluice-tag-lineage --trace "$id" h.warc
	expect_status 0
	expect_line "cycle: $id is its own ancestor (the inputs contradict themselves)"
}

@test "--trace on damaged input: 65, nothing on stdout" {
	python3 "$HOSTILE" rchain 10 > h.warc 2> id
	head -c 2000 h.warc > cut.warc
	printf 'WARC/1.1\r\nnot a header\r\n\r\n' > junk.warc
	head -c 3000 /dev/urandom > rnd.warc
	for f in cut.warc junk.warc rnd.warc; do
		run --separate-stderr sluice-tag-lineage --trace "$(cat id)" "$f"
		[ "$status" -eq 65 ] || fail "$f: status $status: $stderr"
		[ -z "$output" ] || fail "$f: stdout: $output"
		[[ "$stderr" == "sluice-tag-lineage: $f: "* ]] || fail "$f: $stderr"
	done
}

@test "a glob of 1024 bytes against long URIs ends (no backtracking)" {
	python3 "$HOSTILE" longuri 60000 > l.warc 2>/dev/null
	g=$(printf '*a%.0s' $(seq 511))
	printf '{"policy":"t","version":1,"rules":[{"name":"h","match":{"header":{"WARC-Target-URI":"%sb"}},"set":{"classification":"public"}},{"name":"u","match":{"uri":"file:///%s**"},"set":{"classification":"restricted"}}]}' "$g" "$(printf '**a%.0s' $(seq 300))" > p.json
	run --separate-stderr bash -c 'sluice-tag-lineage -p p.json l.warc | streamcat -d -f Sluice-Classification | sort | uniq -c'
	expect_status 0
	[ "$(echo $output)" = "3 restricted" ] || fail "$output"
}

@test "a server that never answers costs at most 10 s a post, then a warning" {
	python3 "$SLUICE_SRCDIR/tests/marquez-stub.py" bodies.jsonl port hang 3>&- &
	stub=$!
	for _ in $(seq 100); do [ -s port ] && break; sleep 0.05; done
	run --separate-stderr sluice-tag-lineage --openlineage-url "http://127.0.0.1:$(cat port)" \
	    --openlineage ol.jsonl s.warc
	kill "$stub"; wait "$stub" || true
	expect_status 0
	[ "$(grep -c 'event not posted: Operation timed out after 100' <<<"$stderr")" = 2 ] || fail "$stderr"
	run olcheck ol.jsonl
	[ "$output" = "ok: 2 events in 1 runs" ] || fail "$output"
}

@test "signals: SIGTERM with -o leaves no file, SIGPIPE ends quietly" {
	mkfifo in.fifo
	{ cat s.warc; sleep 3; } > in.fifo &
	feeder=$!
	sluice-tag-lineage --set classification=restricted -o out.warc in.fifo 2> err &
	tool=$!
	sleep 1
	kill -TERM "$tool"
	st=0; wait "$tool" || st=$?
	wait "$feeder" || true
	[ "$st" -eq 143 ] || fail "status $st: $(cat err)"
	[ -z "$(ls -A | grep -e '^out.warc' -e '^\.out.warc')" ] || fail "left: $(ls -A)"
	# a reader that stops early: killed by SIGPIPE (141), no message
	for _ in $(seq 2000); do cat s.warc; done > big.warc
	run --separate-stderr bash -c 'sluice-tag-lineage --set classification=restricted big.warc | head -c 100 > /dev/null; echo "${PIPESTATUS[0]}"'
	[ "$output" = 141 ] || fail "status $output: $stderr"
	[ -z "$stderr" ] || fail "stderr: $stderr"
}
