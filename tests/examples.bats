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
	expect_match '16 resource application/json'
	expect_match '1 resource image/png'
	expect_match '2 resource text/plain; charset=utf-8'
	expect_match '3 warcinfo application/warc-fields'
	expect_match 'Sluice-Key: 12345678901234567890'
	[ "$(streamcat -c out/all.warc.gz)" = 22 ]
	# the 20-digit id arrives byte for byte
	streamcat -d -p out/customers.warc.gz | grep -q '^{"id":12345678901234567890,'
	# event times from the data, normalised to UTC
	streamcat -d -f Sluice-Key,Sluice-Event-Time out/customers.warc.gz > times
	grep -qx $'4\t2026-11-21T10:45:00Z' times
	grep -qx $'5\t2026-11-22T00:00:00Z' times
	grep -qx $'12345678901234567890\t2024-11-27T09:33:20Z' times
	streamcat -d -f Sluice-Key out/orders.warc.gz | grep -qx 'o-1005'
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
