#!/usr/bin/env bats
# examples.bats - every pipeline in examples/ runs end to end.

load lib

copy_example() {
	cp -R "$SLUICE_SRCDIR/examples/$1" "$BATS_TEST_TMPDIR/$1"
	chmod -R u+w "$BATS_TEST_TMPDIR/$1"
	cd "$BATS_TEST_TMPDIR/$1"
}

@test "examples/customers builds its stream and reports it" {
	copy_example customers
	run make
	expect_status 0
	expect_match '10 conversion application/json'
	expect_match '5 resource application/json'
	expect_match '1 resource image/png'
	expect_match '2 resource text/plain; charset=utf-8'
	expect_match '6 warcinfo application/warc-fields'
	expect_match 'drift against baseline.profile: none'
	expect_match 'Sluice-Key: 12345678901234567890'
	[ "$(streamcat -c out/all.warc.gz)" = 24 ]
	# ingest: the 20-digit id arrives byte for byte, event times from the
	# data normalised to UTC
	streamcat -d -p out/customers.warc.gz | grep -q '^{"id":12345678901234567890,'
	streamcat -d -f Sluice-Key,Sluice-Event-Time out/customers.warc.gz > times
	grep -qx $'4\t2026-11-21T10:45:00Z' times
	grep -qx $'5\t2026-11-22T00:00:00Z' times
	grep -qx $'12345678901234567890\t2024-11-27T09:33:20Z' times
	streamcat -d -f Sluice-Key out/orders.warc.gz | grep -qx 'o-1005'
	# validate: the customer without an e-mail is set aside, with its reason
	[ "$(streamcat -c out/customers.rejects.warc)" = 2 ]
	streamcat -d -f Sluice-Key out/customers.rejects.warc | grep -qx 5
	jq -s -e 'any(.[]; .record == 6 and .pointer == "/email")' \
	    out/customers.errors.jsonl > /dev/null
	streamcat -d -f Sluice-Contract out/customers.valid.warc.gz |
	    sort -u | grep -qx 'customers@1 pass'
	# transform: no address left, the id and 808.0 untouched
	! streamcat -d -p out/all.warc.gz | grep -q '@example.org'
	streamcat -d -p out/all.warc.gz | grep -q '^{"id":12345678901234567890,'
	streamcat -d -p out/all.warc.gz | grep -q '"lifetime_value":808.0,'
	# tag-lineage: the policy's context, three lineage lines, OpenLineage
	streamcat -d -f Sluice-Key,Sluice-Classification,Sluice-Roles \
	    out/all.warc.gz > ctx
	grep -qx $'1\tconfidential\tcrm support' ctx
	grep -qx $'o-1003\tconfidential\tfinance' ctx
	grep -qx $'o-1001\tinternal\t-' ctx
	streamcat -d -f Sluice-Key,Sluice-Lineage out/all.warc.gz |
	    grep $'^1\t' | grep -q 'ingest .* | transform .* | tag-lineage .*policy=crm@1'
	[ "$(jq -r .eventType out/lineage.jsonl | tr '\n' ' ')" = "START COMPLETE " ]
	# drift: a report and a page, no drift against the baseline
	jq -e '.drift == false' out/drift.json > /dev/null
	grep -q '<svg' out/drift.html
}

@test "examples/customers: a stricter contract stops the build at validate" {
	copy_example customers
	# one customer in eleven fails: over 5% is a breach
	sed -i 's/"error": 0.2/"error": 0.05/' customers.contract.json
	run make
	[ "$status" -ne 0 ] || fail "make succeeded: $output"
	expect_match 'sluice-validate'
	[ ! -e out/customers.valid.warc.gz ] || fail "validate left its output"
}

@test "examples/customers: a second make has nothing to rebuild" {
	copy_example customers
	make > /dev/null
	run make -q out/all.warc.gz
	expect_status 0
}

@test "examples/customers is reproducible under SOURCE_DATE_EPOCH" {
	copy_example customers
	make out/all.warc.gz > /dev/null
	mv out/all.warc.gz first.warc.gz
	make clean > /dev/null
	make out/all.warc.gz > /dev/null
	cmp first.warc.gz out/all.warc.gz
}
