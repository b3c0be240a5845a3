#!/usr/bin/env bats
# tag-lineage-openlineage.bats - OpenLineage run events from
# sluice-tag-lineage: written as JSON Lines, valid against the spec's
# schemas (tests/openlineage-check.py), posted to an endpoint.

load lib

OLSCHEMA="$CONFORMANCE/openlineage"

olcheck() {
	python3 "$SLUICE_SRCDIR/tests/openlineage-check.py" "$OLSCHEMA" "$@"
}

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
	mkdir -p data
	printf 'id,name,income\n1,Ada,52000.50\n2,Grace,\n' > data/people.csv
	printf '{"id":7,"tags":["a"],"x":null}\n{"id":8,"x":{"y":1}}\n' > data/more.jsonl
	printf 'hello\n' > data/note.txt
	sluice-ingest data/people.csv data/more.jsonl data/note.txt > s.warc
}

@test "the checker refuses events that break the schema" {
	good='{"eventType":"START","eventTime":"2026-11-24T10:00:00Z","producer":"https://x.example/p","schemaURL":"https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent","run":{"runId":"3f5e1c2a-8d41-5b7e-9c0a-2b6f4d1e7a90"},"job":{"namespace":"n","name":"j"},"inputs":[],"outputs":[]}'
	printf '%s\n' "$good" "${good/START/COMPLETE}" > ok.jsonl
	run olcheck ok.jsonl
	expect_status 0
	problems=()
	while IFS='|' read -r from to; do
		printf '%s\n' "${good/$from/$to}" "${good/START/COMPLETE}" > bad.jsonl
		run olcheck bad.jsonl
		[ "$status" -eq 1 ] || problems+=("$from -> $to: status $status: $output")
	done <<-'TABLE'
	"runId":"3f5e1c2a-8d41-5b7e-9c0a-2b6f4d1e7a90"|"runId":"not-a-uuid"
	"eventTime":"2026-11-24T10:00:00Z"|"eventTime":"yesterday"
	"eventType":"START"|"eventType":"BEGIN"
	"job":{"namespace":"n","name":"j"}|"job":{"name":"j"}
	"inputs":[]|"inputs":[{"namespace":"n","name":"d","facets":{"schema":{"fields":[]}}}]
	"inputs":[]|"inputs":[{"namespace":"n","name":"d","facets":{"schema":{"_producer":"https://x.example","_schemaURL":"https://x.example/s","fields":[{"type":"string"}]}}}]
	"eventType":"START"|"eventType":"RUNNING"
	TABLE
	fail_all
}

@test "--openlineage: START and COMPLETE, valid against the schemas" {
	sluice-tag-lineage --set classification=confidential --openlineage ol.jsonl \
	    --namespace prod --job tag-customers --output-dataset s3://bucket/out/customers.warc s.warc > out.warc
	run olcheck ol.jsonl
	expect_status 0
	[ "$output" = "ok: 2 events in 1 runs" ]
	run_id=$(streamcat -p out.warc | sed -n 's/^sluice-run: \([0-9a-f-]*\).$/\1/p' | head -n 1)
	dir=$(pwd -P)
	run jq -c --arg r "$run_id" '[.eventType, .run.runId == $r, .job.namespace, .job.name, .eventTime]' ol.jsonl
	[ "${lines[0]}" = '["START",true,"prod","tag-customers","2023-11-14T22:13:20.000000Z"]' ]
	[ "${lines[1]}" = '["COMPLETE",true,"prod","tag-customers","2023-11-14T22:13:20.000000Z"]' ]
	# inputs: one dataset per source file, fields with their types
	run jq -c '.inputs | map([.namespace, .name, ((.facets.schema.fields // []) | map(.name + ":" + .type) | join(","))])' ol.jsonl
	[ "${lines[1]}" = "[[\"file\",\"$dir/data/people.csv\",\"id:integer,name:string,income:number\"],[\"file\",\"$dir/data/more.jsonl\",\"id:integer,tags:array,x:object\"],[\"file\",\"$dir/data/note.txt\",\"\"]]" ] ||
	    fail "inputs: ${lines[1]}"
	# START names the dataset of the first record
	[ "${lines[0]}" = "[[\"file\",\"$dir/data/people.csv\",\"id:integer,name:string,income:number\"]]" ] || fail "start: ${lines[0]}"
	run jq -c '.outputs' ol.jsonl
	[ "${lines[1]}" = '[{"namespace":"s3://bucket","name":"/out/customers.warc"}]' ]
	run jq -c '.run.facets.sluice | [.exitStatus, .recordsIn, .recordsOut]' ol.jsonl
	[ "${lines[1]}" = '[0,5,5]' ]
	# a second run appends its own events
	sluice-tag-lineage --openlineage ol.jsonl s.warc > /dev/null
	run olcheck ol.jsonl
	[ "$output" = "ok: 4 events in 2 runs" ]
	[ "$(jq -r .job.name ol.jsonl | tail -n 1)" = tag-lineage ]
}

@test "dataset names: scheme://authority and path, URNs by scheme" {
	problems=()
	while IFS='|' read -r uri ns name; do
		rm -f ol.jsonl
		printf '{"a":1}\n' | sluice-ingest -f jsonl --source-uri "$uri" |
		    sluice-tag-lineage --openlineage ol.jsonl > /dev/null
		got=$(tail -n 1 ol.jsonl | jq -r '.inputs[0] | .namespace + " " + .name')
		[ "$got" = "$ns $name" ] || problems+=("$uri: got '$got', want '$ns $name'")
		olcheck ol.jsonl > check || problems+=("$uri: $(cat check)")
	done <<-'TABLE'
	https://data.example/customers.csv|https://data.example|/customers.csv
	https://data.example:8443/a/b.json?v=2|https://data.example:8443|/a/b.json?v=2
	http://host|http://host|/
	urn:sluice:stdin|urn|sluice:stdin
	s3://bucket/key/x.jsonl|s3://bucket|/key/x.jsonl
	TABLE
	fail_all
}

@test "a failed run writes START and FAIL with its exit status" {
	head -c 1500 s.warc > cut.warc
	run sluice-tag-lineage --openlineage ol.jsonl cut.warc
	expect_status 65
	run olcheck ol.jsonl
	expect_status 0
	run jq -c '[.eventType, .run.facets.sluice.exitStatus]' ol.jsonl
	[ "${lines[0]}" = '["START",null]' ]
	[ "${lines[1]}" = '["FAIL",65]' ]
	# also when it fails before its first data record
	printf 'WARC/1.1\r\nbroken' > bad.warc
	rm ol.jsonl
	run sluice-tag-lineage --openlineage ol.jsonl bad.warc
	expect_status 65
	run olcheck ol.jsonl
	expect_status 0
	[ "$(jq -r .eventType ol.jsonl | tr '\n' ' ')" = "START FAIL " ]
	# --strict refusing a record is a failed run too
	rm ol.jsonl
	run sluice-tag-lineage --strict --set classification=public --openlineage ol.jsonl s.warc
	expect_status 1
	[ "$(jq -c '[.eventType, .run.facets.sluice.exitStatus]' ol.jsonl | tail -n 1)" = '["FAIL",1]' ]
}

@test "an OpenLineage file that cannot be created exits 73 before any output" {
	run --separate-stderr bash -c 'sluice-tag-lineage --openlineage nodir/ol.jsonl s.warc > out.warc'
	expect_status 73
	[[ "$stderr" == *"nodir/ol.jsonl: cannot create: No such file or directory"* ]] || fail "$stderr"
	[ ! -s out.warc ]
}

# stub_start [STATUS]: runs marquez-stub.py; sets stub_pid and port.
stub_start() {
	python3 "$SLUICE_SRCDIR/tests/marquez-stub.py" bodies.jsonl port "$@" 3>&- &
	stub_pid=$!
	for _ in $(seq 100); do
		[ -s port ] && break
		sleep 0.05
	done
	port=$(cat port)
	[ -n "$port" ] || fail "the stub did not start"
}

stub_stop() {
	kill "$stub_pid" 2>/dev/null
	wait "$stub_pid" 2>/dev/null || true
}

@test "--openlineage-url posts each event to /api/v1/lineage" {
	stub_start
	run --separate-stderr sluice-tag-lineage --openlineage-url "http://127.0.0.1:$port" \
	    --openlineage ol.jsonl s.warc
	stub_stop
	expect_status 0
	[ -z "$stderr" ] || fail "stderr: $stderr"
	# the server got exactly the events of the file
	diff bodies.jsonl ol.jsonl
	run olcheck bodies.jsonl
	expect_status 0
	# the URL is a secret: not in the run's recorded arguments
	sluice-tag-lineage --openlineage-url "http://127.0.0.1:1/token" s.warc 2>/dev/null |
	    streamcat -p | grep -a '^sluice-args' > args
	grep -q '"--openlineage-url","\*\*\*"' args || fail "args: $(cat args)"
}

@test "a failed post is a warning; the events stay in the file" {
	# a port nobody listens on
	stub_start
	stub_stop
	run --separate-stderr sluice-tag-lineage --openlineage-url "http://127.0.0.1:$port/api/v1/lineage" \
	    --openlineage ol.jsonl s.warc
	expect_status 0
	[[ "$stderr" == *"sluice-tag-lineage: --openlineage-url: event not posted: "* ]] || fail "$stderr"
	[ "$(grep -c 'event not posted' <<<"$stderr")" = 2 ]
	run olcheck ol.jsonl
	[ "$output" = "ok: 2 events in 1 runs" ]
	# a server that answers with an error status
	rm -f port bodies.jsonl
	stub_start 500
	run --separate-stderr sluice-tag-lineage --openlineage-url "http://127.0.0.1:$port" s.warc
	stub_stop
	expect_status 0
	[[ "$stderr" == *"event not posted: the server answered HTTP 500"* ]] || fail "$stderr"
	[ "$(wc -l < bodies.jsonl)" = 2 ]
}
