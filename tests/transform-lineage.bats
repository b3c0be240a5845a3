#!/usr/bin/env bats
# transform-lineage.bats - sluice-transform carries lineage and policy
# forward: a three-stage chain, the derivation rules over random parents
# (a seeded generator, checked by an independent implementation of the
# rules), --meta governance, --slurp's bounded Derived-From.

load lib

TF="$FIXTURES/transform"
PROP="$TF/ctxprop.py"

# The run ids of the warcinfo records of a stream, one per line.
run_ids() {
	streamcat -f WARC-Type,WARC-Record-ID "$1" | awk -F'\t' '$1 == "warcinfo" { print $2 }' |
	    sed 's/<urn:uuid:\(.*\)>/\1/'
}

@test "a three-stage chain: each record's lineage names all three runs, oldest first" {
	sluice-ingest -c confidential "$TF/people.jsonl" > s0.warc
	sluice-transform '{id, name, age}' s0.warc > s1.warc
	sluice-transform --arg pre 'Dr. ' '.name = $pre + .name' s1.warc > s2.warc
	sluice-transform 'select(.age > 30) | {id, title: .name}' s2.warc > s3.warc
	[ "$(streamcat -d -c s3.warc)" -eq 4 ]
	# the stream keeps every run's description, in pipeline order
	run streamcat -p -f WARC-Type s3.warc
	mapfile -t runs < <(streamcat -p s3.warc | sed -n 's/^sluice-run: \([0-9a-f-]*\).*/\1/p')
	steps=$(streamcat -p s3.warc | sed -n 's/^sluice-step: //p' | tr -d '\r' | tr '\n' ' ')
	[ "$steps" = "transform transform transform ingest " ] || fail "steps: $steps"
	# lineage: ingest, then the three transforms in order, each naming
	# its run and its program digest
	streamcat -d -f Sluice-Lineage s3.warc | while IFS= read -r l; do
		IFS='|' read -r a b c d <<<"$l"
		[[ "$a" == "ingest sluice-ingest/0.1.0 run=${runs[3]} " ]] || fail "1: $a"
		[[ "$b" =~ ^\ transform\ sluice-transform/0\.1\.0\ run=${runs[2]}\ args=sha256:[0-9a-f]{64}\ $ ]] || fail "2: $b"
		[[ "$c" =~ ^\ transform\ sluice-transform/0\.1\.0\ run=${runs[1]}\ args=sha256:[0-9a-f]{64}\ $ ]] || fail "3: $c"
		[[ "$d" =~ ^\ transform\ sluice-transform/0\.1\.0\ run=${runs[0]}\ args=sha256:[0-9a-f]{64}$ ]] || fail "4: $d"
	done
	# every record refers to its parent in the previous stage
	for pair in s0:s1 s1:s2 s2:s3; do
		parent=${pair%:*} child=${pair#*:}
		streamcat -d -f WARC-Refers-To "$child.warc" | while read -r ref; do
			streamcat -d -f WARC-Record-ID "$parent.warc" | grep -qxF "$ref" ||
			    fail "$child: $ref is not in $parent"
		done
	done
	# the context went all the way
	[ "$(streamcat -d -f Sluice-Classification s3.warc | sort -u)" = confidential ]
	# and the chain is reproducible
	sluice-transform '{id, name, age}' s0.warc | cmp - s1.warc
}

@test "the program digest in args= changes with the program and its arguments only" {
	sluice-ingest "$TF/people.jsonl" > in.warc
	digest() {
		sluice-transform "$@" in.warc | streamcat -d -f Sluice-Lineage | head -1 | sed 's/.*args=//'
	}
	a=$(digest '{id}')
	[ "$a" = "$(digest '{id}')" ]
	[ "$a" = "$(digest -q '{id}')" ] || fail "-q changed the digest"
	[ "$a" != "$(digest '{id} ')" ] || fail "another program, the same digest"
	[ "$a" != "$(digest --arg x 1 '{id}')" ] || fail "an argument did not count"
	[ "$(digest --arg x 1 '{id}')" != "$(digest --arg x 2 '{id}')" ] || fail "an argument's value did not count"
	[ "$a" != "$(digest --redact email '{id}')" ] || fail "--redact did not count"
	# the program from a file is the same program
	printf '{id}' > p.jq
	[ "$a" = "$(digest -f p.jq)" ] || fail "-f gave another digest"
}

@test "derived records of random parents are never less restricted (seeded property test)" {
	for seed in 1 2 3 4 5 6 7 8; do
		python3 "$PROP" gen "$seed" 40 > in.warc
		for prog in '{id, age}' '.tags[]?' 'select(.age > 50) | .email' 'tostring'; do
			sluice-transform "$prog" in.warc > out.warc
			run python3 "$PROP" check in.warc out.warc
			[ "$status" -eq 0 ] || fail "seed $seed, $prog:" "$output"
		done
		sluice-transform --slurp 'map(.age) | add' in.warc > out.warc
		run python3 "$PROP" check in.warc out.warc
		[ "$status" -eq 0 ] || fail "seed $seed, --slurp:" "$output"
		sluice-transform --slurp '.[0:3] | .[]' in.warc > out.warc
		run python3 "$PROP" check in.warc out.warc
		[ "$status" -eq 0 ] || fail "seed $seed, --slurp outputs:" "$output"
	done
}

@test "--meta programs that try every change: loosening refused, tightening kept (property)" {
	for seed in 11 12 13 14; do
		python3 "$PROP" gen "$seed" 40 > in.warc
		# a program that sets random-looking context values from the data
		# (one field per record, chosen by the data)
		prog='.data.age as $a | .data.id as $i
		    | if $a % 6 == 0 then .meta["Sluice-Classification"] = (["public","internal","confidential","restricted"][$i % 4])
		    elif $a % 6 == 1 then .meta["Sluice-Roles"] = (["hr", "crm support", "", "ops finance hr"][$i % 4])
		    elif $a % 6 == 2 then .meta["Sluice-PII"] = (["email", "", "name phone", "address email name phone ssn"][$i % 4])
		    elif $a % 6 == 3 then .meta["Sluice-Authority"] = (["unverified","external","internal","authoritative"][$i % 4])
		    elif $a % 6 == 4 then .meta["Sluice-Certification"] = (["deprecated","provisional","certified"][$i % 3])
		    else .meta["Sluice-Valid-Until"] = ("2026-12-" + (($i % 28 + 1) | tostring | if length == 1 then "0" + . else . end) + "T00:00:00Z") end'
		run bash -c 'sluice-transform --meta --on-error skip "$1" in.warc >out.warc 2>err' x "$prog"
		[ "$status" -eq 0 ] || fail "seed $seed: status $status: $(cat err)"
		run python3 "$PROP" check in.warc out.warc
		[ "$status" -eq 0 ] || fail "seed $seed:" "$output"
		# the refused ones were refused for a loosening, and counted
		n_in=40
		n_out=$(streamcat -d -c out.warc)
		n_skip=$(grep -c 'loosens the context' err || true)
		[ $((n_out + n_skip)) -eq "$n_in" ] || fail "seed $seed: $n_out out + $n_skip refused != $n_in" "$(cat err)"
		[ "$n_out" -gt 0 ] && [ "$n_skip" -gt 0 ] || fail "seed $seed: the property was not exercised ($n_out/$n_skip)"
		# with --allow-declassify all go through, and exactly the loosened
		# ones say so in their lineage
		sluice-transform --meta --allow-declassify "$prog" in.warc > out2.warc
		run python3 "$PROP" check in.warc out2.warc
		n_loose=$(printf '%s\n' "$output" | grep -c '^<urn' || true)
		n_marked=$(streamcat -d -f Sluice-Lineage out2.warc | grep -c ' allow-declassify$' || true)
		[ "$n_marked" -eq "$n_skip" ] || fail "seed $seed: $n_marked marked, $n_skip loosened"
		[ "$n_loose" -le "$n_marked" ] || fail "seed $seed: a loosened record is not marked" "$output"
	done
}

@test "--meta: governance of each field, one change at a time" {
	python3 - > in.warc <<-'EOF'
	import hashlib
	b = b'{"id":1}'
	f = [("WARC-Type", "resource"), ("WARC-Record-ID", "<urn:uuid:00000000-0000-5000-8000-000000000001>"),
	     ("WARC-Date", "2026-11-24T10:00:00.000000Z"), ("WARC-Target-URI", "test://m#line=0,1"),
	     ("Content-Type", "application/json"), ("WARC-Block-Digest", "sha256:" + hashlib.sha256(b).hexdigest()),
	     ("Sluice-Key", "1"), ("Sluice-Event-Time", "2026-11-20T08:00:00Z"),
	     ("Sluice-Valid-Until", "2026-12-20T08:00:00Z"), ("Sluice-Classification", "internal"),
	     ("Sluice-Roles", "crm support"), ("Sluice-PII", "email"), ("Sluice-Authority", "internal"),
	     ("Sluice-Certification", "provisional"), ("Sluice-Contract", "c@1 pass"),
	     ("Sluice-Lineage", "ingest sluice-ingest/0.1.0 run=00000000-0000-4000-8000-000000000000")]
	import sys
	o = sys.stdout.buffer
	o.write(b"WARC/1.1\r\n" + b"".join(("%s: %s\r\n" % kv).encode() for kv in f))
	o.write(b"Content-Length: %d\r\n\r\n" % len(b) + b + b"\r\n\r\n")
	EOF
	problems=()
	while IFS='~' read -r change result; do
		run bash -c 'sluice-transform --meta "$1" in.warc > out.warc' x "$change"
		case $result in
		ok:*)
			[ "$status" -eq 0 ] || { problems+=("$change: status $status: $output"); continue; }
			got=$(streamcat -d -f "${result#ok:}" out.warc | cut -f1)
			want=${result#ok:*=}
			field=${result#ok:}; field=${field%%=*}
			got=$(streamcat -d -f "$field" out.warc)
			[ "$got" = "$want" ] || problems+=("$change: $field is '$got', want '$want'")
			;;
		*)
			[ "$status" -eq 65 ] || { problems+=("$change: status $status, want 65"); continue; }
			[[ "$output" == *"$result"* ]] || problems+=("$change: '$output' lacks '$result'")
			;;
		esac
	done <<-'TABLE'
	.meta["Sluice-Classification"] = "restricted"~ok:Sluice-Classification=restricted
	.meta["Sluice-Classification"] = "confidential"~ok:Sluice-Classification=confidential
	.meta["Sluice-Classification"] = "public"~the output loosens the context (classification lowered from internal to public)
	.meta |= del(.["Sluice-Classification"])~ok:Sluice-Classification=-
	.meta["Sluice-Classification"] = "secret"~Sluice-Classification
	.meta["Sluice-Roles"] = "crm"~ok:Sluice-Roles=crm
	.meta["Sluice-Roles"] = ""~ok:Sluice-Roles=
	.meta["Sluice-Roles"] = ["support"]~ok:Sluice-Roles=support
	.meta["Sluice-Roles"] = "crm hr"~the output loosens the context (roles widened)
	.meta |= del(.["Sluice-Roles"])~the output loosens the context (roles widened)
	.meta["Sluice-PII"] = "email name"~ok:Sluice-PII=email name
	.meta["Sluice-PII"] = "name"~the output loosens the context (PII fields dropped)
	.meta["Sluice-Valid-Until"] = "2026-12-01T00:00:00Z"~ok:Sluice-Valid-Until=2026-12-01T00:00:00Z
	.meta["Sluice-Valid-Until"] = "2027-01-01T00:00:00Z"~the output loosens the context (validity extended)
	.meta |= del(.["Sluice-Valid-Until"])~the output loosens the context (validity extended)
	.meta["Sluice-Authority"] = "external"~ok:Sluice-Authority=external
	.meta["Sluice-Authority"] = "authoritative"~the output loosens the context (authority raised from internal to authoritative)
	.meta["Sluice-Certification"] = "deprecated"~ok:Sluice-Certification=deprecated
	.meta["Sluice-Certification"] = "certified"~the output loosens the context (certification raised from provisional to certified)
	.meta["Sluice-Key"] = "k-\(.data.id)"~ok:Sluice-Key=k-1
	.meta["Sluice-Event-Time"] = "2020-01-01T00:00:00Z"~ok:Sluice-Event-Time=2020-01-01T00:00:00Z
	.meta["Sluice-Event-Time"] = "yesterday"~Sluice-Event-Time
	.meta["Sluice-Lineage"] = "forged"~field "Sluice-Lineage" is not writable
	.meta["WARC-Record-ID"] = "<urn:uuid:00000000-0000-5000-8000-000000000009>"~field "WARC-Record-ID" is not writable
	.meta["WARC-Block-Digest"] = "sha256:00"~field "WARC-Block-Digest" is not writable
	.meta["X-New"] = "1"~field "X-New" is not writable
	.meta["Sluice-Classification"] = 3~field "Sluice-Classification" wants a string
	.meta~--meta: output 1 is not {"meta": {...}, "data": ...}
	{meta, data, x: 1}~--meta: output 1 is not {"meta": {...}, "data": ...}
	.data.id = 2~ok:Sluice-Classification=internal
	.data.id = 2 | .meta["Sluice-Contract"] = "c@1 pass"~ok:Sluice-Contract=-
	TABLE
	fail_all
	# an output equal to the input (meta and data) is the record as it was
	sluice-transform --meta '.' in.warc > out.warc
	[ "$(streamcat -d -f WARC-Type,Sluice-Contract out.warc)" = $'resource\tc@1 pass' ]
	# --allow-declassify lets it through and says so in the lineage
	sluice-transform --meta --allow-declassify '.meta["Sluice-Classification"] = "public"' in.warc > out.warc
	[ "$(streamcat -d -f Sluice-Classification out.warc)" = public ]
	streamcat -d -f Sluice-Lineage out.warc | grep -Eq '\| transform sluice-transform/0\.1\.0 run=[0-9a-f-]+ args=sha256:[0-9a-f]{64} allow-declassify$'
}

@test "derived records drop Sluice-Contract and inherit the rest by the table" {
	python3 "$PROP" gen 3 40 > in.warc
	sluice-transform '{id}' in.warc > out.warc
	[ "$(streamcat -d -f Sluice-Contract out.warc | sort -u)" = "-" ]
	# with one parent: every context field as the parent had it
	diff <(streamcat -d -f Sluice-Key,Sluice-Event-Time,Sluice-Valid-Until,Sluice-Classification,Sluice-Authority,Sluice-Certification,Sluice-PII in.warc) \
	    <(streamcat -d -f Sluice-Key,Sluice-Event-Time,Sluice-Valid-Until,Sluice-Classification,Sluice-Authority,Sluice-Certification,Sluice-PII out.warc)
	diff <(streamcat -d -f Sluice-Roles in.warc | tr ' ' '\n' | sort) \
	    <(streamcat -d -f Sluice-Roles out.warc | tr ' ' '\n' | sort)
}

@test "--slurp: one derived record from all parents, Derived-From bounded" {
	sluice-ingest -c confidential "$TF/people.jsonl" > p.warc
	sluice-transform --slurp 'map(.age) | add' p.warc > out.warc
	run streamcat -d -f WARC-Type,Sluice-Classification,Sluice-Derived-From,WARC-Refers-To -p out.warc
	ids=$(streamcat -d -f WARC-Record-ID p.warc | sort | paste -sd'|' | sed 's/|/ | /g')
	first=$(streamcat -d -f WARC-Record-ID p.warc | head -1)
	[ "$output" = "conversion	confidential	$ids	$first	$(jq -s 'map(.age) | add' "$TF/people.jsonl")" ] || fail "$output"
	# lineage: the parents' line once, then this run's
	[ "$(streamcat -d -f Sluice-Lineage out.warc | grep -o 'run=' | wc -l)" -eq 2 ]
	# many parents collapse to a digest of the sorted ids and a count
	python3 "$PROP" gen 9 100 > many.warc
	sluice-transform --slurp 'length' many.warc > out.warc
	# (the digest is over the sorted ids, each followed by a newline)
	want="sha256:$(streamcat -d -f WARC-Record-ID many.warc | sort | sha256sum | cut -d' ' -f1) count=100"
	[ "$(streamcat -d -f Sluice-Derived-From out.warc)" = "$want" ] || fail "$(streamcat -d -f Sluice-Derived-From out.warc)" "$want"
	[ "$(streamcat -d -p out.warc)" = 100 ]
	# the same as jq -s over the same payloads
	run bash -c "sluice-transform --slurp 'map(.age) | [min, max, (add / length)]' many.warc | streamcat -d -p"
	[ "$output" = "$(streamcat -d -p many.warc | jq -sc 'map(.age) | [min, max, (add / length)]')" ]
	# no data records: no output record
	sluice-transform --slurp 'length' /dev/null > out.warc
	[ "$(streamcat -d -c out.warc)" -eq 0 ]
	# the number rule and runtime errors hold for the slurped array too
	printf '%s\n' '{"id":1}' '{"id":12345678901234567890}' > big.jsonl
	sluice-ingest big.jsonl > big.warc
	run --separate-stderr sluice-transform --slurp 'map(.id)' big.warc
	expect_status 65
	[[ "$stderr" == "sluice-transform: --slurp over 2 records: output 1: record 3 <urn:uuid:"*'>: field "/id": 12345678901234567890 would become 12345678901234567000 (a double cannot hold it); --lossy-numbers accepts the rounding' ]] || fail "$stderr"
	run bash -c "sluice-transform --slurp --lossy-numbers 'map(.id)' big.warc | streamcat -d -p"
	[ "$output" = '[1,12345678901234567000]' ]
	run bash -c "sluice-transform --slurp 'length' big.warc | streamcat -d -p"
	[ "$output" = 2 ]
	run --separate-stderr sluice-transform --slurp 'error("no")' big.warc
	expect_status 65
	[ "$stderr" = "sluice-transform: --slurp over 2 records: jq: error: no" ] || fail "$stderr"
}
