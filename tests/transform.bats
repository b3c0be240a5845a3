#!/usr/bin/env bats
# transform.bats - sluice-transform: programs compared with the jq command,
# records passed on untouched, derived records, arguments, $meta, text and
# other payloads, the number rule, errors and hostile input.

load lib

TF="$FIXTURES/transform"

# people.warc: the people fixture as a stream (confidential, keyed by id).
people() {
	sluice-ingest -c confidential -k id "$TF/people.jsonl" > people.warc
}

# libjq 1.6 leaks on some of its error paths (see the file): tests of
# program errors tell LeakSanitizer, in sanitizer builds, to ignore those.
libjq_leaks() {
	export LSAN_OPTIONS="suppressions=$TF/libjq-leaks.supp:print_suppressions=0"
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0"
}

# xf ARGS...: sluice-transform ARGS with the stream in out.warc; $status is
# its exit status and $output its standard error.
xf() {
	run bash -c 'sluice-transform "$@" >out.warc' sluice-transform "$@"
}

@test "--help prints the usage on stdout and exits 0" {
	run sluice-transform --help
	expect_status 0
	expect_line "usage: sluice-transform [options] PROGRAM [FILE...]"
	expect_match "--arg NAME VALUE"
	expect_match "See sluice-transform\(1\)"
}

@test "usage errors exit 64 and point at --help" {
	while IFS='|' read -r args message; do
		eval "set -- $args"
		run sluice-transform "$@"
		[ "$status" -eq 64 ] || fail "$args: status $status, want 64"
		[[ "$output" == *"$message"* ]] || fail "$args: '$output' lacks '$message'"
		[[ "$output" == *"Try 'sluice-transform --help'"* ]] || fail "$args: no hint"
	done <<-'TABLE'
	|no PROGRAM given
	--bogus .|unknown option '--bogus'
	--arg x|option '--arg' needs a name and a value
	--arg|option '--arg' needs an argument
	--arg 1x v .|--arg: "1x" is not a jq variable name
	--arg meta v .|--arg: $meta is reserved
	--argjson n '{a' .|--argjson n: not JSON
	--argjson n '1 2' .|--argjson n: not JSON
	--argjson n '' .|--argjson n: not JSON
	--on-error maybe .|--on-error wants stop, skip or reject
	--on-error reject .|--on-error reject and --reject FILE go together
	--reject r.warc .|--on-error reject and --reject FILE go together
	--chunk 0 .|--chunk: "0" is not SIZE or SIZE,OVERLAP
	--chunk 10,10 .|the overlap must be smaller than the size
	--chunk x .|--chunk: "x" is not SIZE or SIZE,OVERLAP
	--chunk 10, .|--chunk: "10," is not SIZE or SIZE,OVERLAP
	--chunk-field text .|--chunk-field goes with --chunk
	--pseudonymize email .|--pseudonymize needs --secret-file
	--redact '' .|--redact: "" is not a field name
	--allow-declassify .|--allow-declassify goes with --meta
	--slurp --meta .|--slurp does not go with --meta or --chunk
	TABLE
}

@test "an input or program file that cannot be opened exits 66 before any output" {
	run --separate-stderr sluice-transform . missing.warc
	expect_status 66
	[ -z "$output" ] || fail "stdout: $output"
	[ "$stderr" = "sluice-transform: missing.warc: cannot open: No such file or directory" ]
	run --separate-stderr sluice-transform -f missing.jq
	expect_status 66
	[[ "$stderr" == "sluice-transform: missing.jq: cannot open the program"* ]]
}

# The payloads sluice-transform writes equal what jq -c prints for the same
# program over the same JSON Lines.
@test "programs give the outputs of the jq command" {
	people
	problems=()
	while IFS= read -r prog; do
		want=$(jq -c "$prog" "$TF/people.jsonl" 2>&1) || problems+=("$prog: jq failed")
		got=$(sluice-transform "$prog" people.warc | streamcat -d -p)
		[ "$got" = "$want" ] || problems+=("$prog:" "  jq:    $want" "  sluice: $got")
	done <<-'PROGRAMS'
	.
	.name
	.address.city
	.tags[0]
	.tags[1:]
	[paths]
	[paths(type == "number")]
	[leaf_paths | join(".")? // "x"]
	select(.age > 40)
	select(.tags | index("math"))
	select(.address == null)
	.tags | map(ascii_upcase)
	map_values(type)
	reduce .tags[] as $t (0; . + ($t | length))
	.name | ascii_downcase | split(" ")
	[.name | splits(" +")]
	.name | test("^A")
	.name | sub("(?<first>\\w+) (?<last>.*)"; "\(.last), \(.first)")
	.email | ltrimstr("a") | rtrimstr(".org")
	.tags[]
	.id, .age, .name
	.tags | .[] | select(length > 4)
	empty
	if .age > 50 then "old" else empty end
	{id, income: (.income * 1.1)}
	.income / 3
	.income | floor
	.income | tostring
	to_entries | map(.key) | join(",")
	with_entries(select(.value | type == "string"))
	del(.address, .tags)
	.address |= (. // {} | keys)
	[(.tags | length), (.tags | unique)]
	.tags | sort | reverse
	{(.name): .age}
	@base64 "\(.email)"
	.name | @uri
	[.id, .name] | @csv
	.name | explode | implode
	.id as $i | [range($i)]
	limit(1; .tags[])
	first(.tags[]?)
	[.. | numbers]
	tojson
	.name | length
	.name | utf8bytelength
	getpath(["address", "city"])
	try error("no") catch "caught \(.)"
	.age | . * 1e300 * 1e10
	.income | -.
	[.age, .income] | min
	PROGRAMS
	fail_all
}

@test "sluice's own evaluator writes the stream libjq writes, byte for byte" {
	people
	libjq_leaks
	export SOURCE_DATE_EPOCH=1700000000
	problems=()
	# program, then what the stream must hold: the same bytes either way
	# the people twice over, so that batches hold many records
	cat people.warc people.warc > people2.warc
	while IFS= read -r prog; do
		for jobs in 1 2 3; do
			a=$(sluice-transform -j $jobs --on-error skip "$prog" \
			    people2.warc 2>&1 | od -c)
			b=$(SLUICE_JQ_NATIVE=0 sluice-transform -j $jobs \
			    --on-error skip "$prog" people2.warc 2>&1 | od -c)
			[ -n "$a" ] || problems+=("$prog: no output")
			[ "$a" = "$b" ] ||
			    problems+=("$prog, -j $jobs: the streams differ")
		done
	done <<-'PROGRAMS'
	.
	.name
	.address.city
	.tags[0], .tags[-1], .tags[9]
	.tags[]
	select(.age > 40)
	select(.address == null)
	{id, income: ((.income // 0) * 1.1)}
	{id, name, age, email, income, address, tags}
	{name: .name | length, t: (.tags | length)}
	[.id, .age] | map(. * 2)
	if .age > 50 then "old" elif .age > 30 then "mid" else empty end
	.income / 3, .income % 7, -.income
	.name + " <" + .email + ">"
	.address + {zip: null}
	has("address"), (keys | length), type
	.age == 41 or (.name < "B" and .age != null)
	.age / 0
	.name * 2
	{a: (1, 2)}
	PROGRAMS
	fail_all
}

@test "natively run programs: records read leave before the input ends" {
	people
	for jobs in 1 2; do
		rm -f out.warc
		{ cat people.warc; sleep 4; } |
		    sluice-transform -j $jobs '{id}' > out.warc &
		n=0
		# this run's warcinfo, the input's, one output per record
		want=$(( $(streamcat -c people.warc) + 1 ))
		for i in $(seq 1 30); do
			n=$(streamcat -c out.warc 2>/dev/null || echo 0)
			[ "$n" = "$want" ] && break
			sleep 0.1
		done
		wait
		[ "$n" = "$want" ] ||
		    fail "-j $jobs: only $n of $want records out while the input was open"
	done
}

@test "natively run programs stop at the first failing record, in order" {
	people
	libjq_leaks
	# .age / 0 fails on every data record: the first one (record 2) is
	# named and nothing of it or after it is written (only the two
	# warcinfo records), whatever the number of threads
	for jobs in 1 2 3; do
		run bash -c "sluice-transform -j $jobs '.age / 0' people.warc > out.warc"
		expect_status 65
		expect_match "record 2 "
		[ "$(streamcat -c out.warc)" = 2 ] || fail "-j $jobs: records after the failure"
	done
}

@test "runtime errors stop with 65 naming the record, its id and jq's message" {
	libjq_leaks
	people
	problems=()
	while IFS='|' read -r prog; do
		want=$(jq -c "$prog" "$TF/people.jsonl" 2>&1 >/dev/null | head -1 |
		    sed 's/^jq: error (at [^)]*): //; s/^jq: error (at [^)]*) (not a string): \(.*\)/\1 (not a string)/')
		run bash -c 'sluice-transform "$1" people.warc 2>err >out.warc' x "$prog"
		[ "$status" -eq 65 ] || problems+=("$prog: status $status, want 65")
		id=$(streamcat -d -f WARC-Record-ID people.warc | head -1)
		[ "$(cat err)" = "sluice-transform: people.warc: record 2 $id: jq: error: $want" ] ||
		    problems+=("$prog: '$(cat err)'" "  jq said: '$want'")
		# whole records only, and nothing of the failed record
		n=$(streamcat -d -c out.warc) || problems+=("$prog: half a record")
		[ "$n" = 0 ] || problems+=("$prog: $n data records written")
	done <<-'PROGRAMS'
	.name.first
	error("stop here")
	error({code: 7})
	.tags + 1
	.name | tonumber
	.age | ltrimstr(1) | error
	.[] | error
	{} | .a.b.c = (1 | error)
	PROGRAMS
	fail_all
}

@test "--on-error skip counts the bad records; reject writes them whole to a file" {
	libjq_leaks
	people
	xf --on-error skip 'if .age > 50 then error("too old") else .id end' people.warc
	expect_status 0
	[[ "$output" == *"record 3 <urn:uuid:"*"jq: error: too old (skipped)"* ]] || fail "$output"
	[[ "$output" == *"2 records skipped after an error (--on-error skip)"* ]] || fail "$output"
	run streamcat -d -p out.warc
	[ "$output" = $'1\n3\n4' ] || fail "outputs: $output"
	# a record that fails after an output leaves none of its outputs
	xf --on-error reject --reject bad.warc '.id, (if .age > 50 then error("x") else empty end)' people.warc
	expect_status 0
	run streamcat -d -p out.warc
	[ "$output" = $'1\n3\n4' ] || fail "outputs: $output"
	run streamcat -d -f WARC-Type,Sluice-Key bad.warc
	[ "$output" = $'resource\t2\nresource\t5' ] || fail "rejects: $output"
	# a stream of its own: this run's warcinfo first
	[ "$(streamcat -f WARC-Type bad.warc | head -n 1)" = warcinfo ] ||
	    fail "no warcinfo first in the reject file"
	# the rejected records are the originals, byte for byte
	cmp <(streamcat -d -p bad.warc) <(sed -n '2p;5p' "$TF/people.jsonl")
	sluice-transform --on-error reject --reject bad.warc --metrics m.prom 'error("x")' people.warc > out.warc
	grep -qx 'sluice_records_rejected_total{tool="sluice-transform"} 5' m.prom || fail "$(cat m.prom)"
}

@test "a program that does not compile exits 64 with libjq's message, before any output" {
	libjq_leaks
	people
	while IFS='|' read -r prog; do
		want=$(jq -n "$prog" 2>&1) && fail "$prog: jq compiled it"
		run --separate-stderr sluice-transform "$prog" people.warc
		[ "$status" -eq 64 ] || fail "$prog: status $status"
		[ -z "$output" ] || fail "$prog: wrote output"
		[ "$stderr" = "sluice-transform: the program does not compile:"$'\n'"$want" ] ||
		    fail "$prog:" "$stderr" "jq: $want"
	done <<-'PROGRAMS'
	.[
	{a:
	foo
	.a | bar(1)
	$undefined
	"unterminated
	1 / 0
	. as [$a] | $b
	def f: ; f
	PROGRAMS
	# also from a file, and with $meta in it
	printf '.a |\n  $meta | ]\n' > bad.jq
	run --separate-stderr sluice-transform -f bad.jq people.warc
	[ "$status" -eq 64 ] || fail "-f: status $status"
	[[ "$stderr" == *"syntax error"*"line 2"* ]] || fail "-f: $stderr"
}

@test "an output equal to its input leaves the record exactly as it was" {
	# numbers and spacing jq would rewrite, and a 20-digit id
	printf '{"id": 12345678901234567890, "x": 1.50, "y": 1e2}\n{"id":2,"x":3}\n' > in.jsonl
	sluice-ingest -c internal in.jsonl > in.warc
	for prog in . 'select(.x > 1)' '.x |= . + 0' 'to_entries | from_entries' \
	    '(.x, .)' 'if .id == 2 then . else . end' '.id |= . + 0'; do
		sluice-transform "$prog" in.warc > out.warc
		# the input's data records are in the output byte for byte
		diff <(streamcat -d in.warc -f WARC-Type,WARC-Record-ID,WARC-Block-Digest,Sluice-Lineage -p) \
		    <(streamcat -d out.warc -f WARC-Type,WARC-Record-ID,WARC-Block-Digest,Sluice-Lineage -p | grep '^resource') ||
		    fail "$prog changed a record"
	done
	# and the whole record: input data records appear verbatim in the output
	sluice-transform 'select(.id != 2)' in.warc > out.warc
	awk 'BEGIN { RS = "WARC/1.1\r\n" } /WARC-Type: resource/ && /"id": 1234/' in.warc > a
	awk 'BEGIN { RS = "WARC/1.1\r\n" } /WARC-Type: resource/' out.warc > b
	[ -s a ] && cmp a b
}

@test "a derived record is a conversion with id, digest, lineage and the parent's context" {
	people
	sluice-transform '{id, name}' people.warc > out.warc
	run streamcat -d -f WARC-Type,WARC-Refers-To,WARC-Target-URI,Content-Type,Sluice-Classification,Sluice-Key,Sluice-Event-Time out.warc
	parents=$(streamcat -d -f WARC-Record-ID,WARC-Target-URI,Sluice-Event-Time people.warc)
	i=0
	while IFS=$'\t' read -r pid puri ptime; do
		[ "${lines[$i]}" = "conversion	$pid	$puri	application/json	confidential	$((i + 1))	$ptime" ] ||
		    fail "record $i: ${lines[$i]}"
		i=$((i + 1))
	done <<<"$parents"
	[ "$i" -eq 5 ]
	# the digest and length are those of the new payload
	while IFS=$'\t' read -r digest len payload; do
		[ "$digest" = "sha256:$(printf '%s' "$payload" | sha256sum | cut -d' ' -f1)" ] ||
		    fail "digest of $payload"
		[ "$len" -eq "${#payload}" ] || [ "$len" -eq "$(printf '%s' "$payload" | wc -c)" ] ||
		    fail "length of $payload"
	done < <(streamcat -d -f WARC-Block-Digest,Content-Length -p out.warc)
	# lineage: the parent's line, then this run's with the program digest
	run_id=$(streamcat -p out.warc | sed -n '1,/^format/s/^sluice-run: \([0-9a-f-]*\).*/\1/p' | head -1)
	run streamcat -d -f Sluice-Lineage out.warc
	for l in "${lines[@]}"; do
		[[ "$l" =~ ^ingest\ sluice-ingest/0\.1\.0\ run=[0-9a-f-]+\ \|\ transform\ sluice-transform/0\.1\.0\ run=$run_id\ args=sha256:[0-9a-f]{64}$ ]] ||
		    fail "lineage: $l"
	done
}

@test "derived ids are deterministic: parent, program digest and output index" {
	people
	sluice-transform '.tags[]' people.warc > a.warc
	sluice-transform '.tags[]' people.warc > b.warc
	cmp a.warc b.warc
	run streamcat -d -f WARC-Record-ID a.warc
	[ "$(printf '%s\n' "${lines[@]}" | sort -u | wc -l)" -eq "${#lines[@]}" ] || fail "ids repeat"
	# another program, or another argument, gives other ids
	sluice-transform '.tags[] | .' people.warc > c.warc
	sluice-transform --arg x 1 '.tags[]' people.warc > d.warc
	[ -z "$(comm -12 <(streamcat -d -f WARC-Record-ID a.warc | sort) <(streamcat -d -f WARC-Record-ID c.warc | sort))" ]
	[ -z "$(comm -12 <(streamcat -d -f WARC-Record-ID a.warc | sort) <(streamcat -d -f WARC-Record-ID d.warc | sort))" ]
	# ... and the same payloads
	diff <(streamcat -d -p a.warc) <(streamcat -d -p d.warc)
}

@test "zero outputs drop the record and are counted" {
	people
	sluice-transform --metrics m.prom 'select(.age > 50)' people.warc 2>err >out.warc
	[ "$(streamcat -d -c out.warc)" -eq 2 ]
	[ "$(cat err)" = "sluice-transform: 3 records had no output and were dropped" ] || fail "$(cat err)"
	for m in 'sluice_transform_dropped_total 3' 'sluice_transform_passed_total 2' \
	    'sluice_records_in_total 5' 'sluice_records_out_total 2'; do
		grep -qx "${m% *}{tool=\"sluice-transform\"} ${m#* }" m.prom || fail "no $m"
	done
	run --separate-stderr sluice-transform -q 'empty' people.warc
	[ -z "$stderr" ] || fail "-q: $stderr"
}

@test "--arg and --argjson bind variables as jq does" {
	people
	while IFS='|' read -r prog; do
		eval "set -- $prog"
		want=$(jq -c "$@" "$TF/people.jsonl")
		got=$(sluice-transform "$@" people.warc | streamcat -d -p)
		[ "$got" = "$want" ] || fail "$prog:" "jq: $want" "got: $got"
	done <<-'TABLE'
	--arg who Ada 'select(.name | startswith($who)) | .id'
	--argjson min 50 'select(.age >= $min) | .name'
	--argjson cfg '{"k":["tags",0]}' 'getpath($cfg.k)'
	--arg a 1 --argjson b 1 '[$a, $b, $a == $b]'
	--arg a x --arg a y '$a'
	--arg a 'é "q"' '$ARGS.named'
	--arg x -5 '$x'
	TABLE
}

@test "a text payload is a string, stays text/plain, and other payloads pass through counted" {
	sluice-ingest -r "$FIXTURES/man/docs" > docs.warc
	sluice-transform --metrics m.prom 'if type == "string" then ascii_upcase else . end' docs.warc 2>err >out.warc
	run streamcat -d -f Content-Type,WARC-Type -p out.warc
	[ "${lines[0]}" = "text/plain; charset=utf-8	conversion	$(tr a-z A-Z < "$FIXTURES/man/docs/a.txt" | head -1)" ] || fail "${lines[0]}"
	# the PNG is not text: passed on untouched, where it was
	diff <(streamcat -d -f WARC-Record-ID,WARC-Block-Digest,Content-Type docs.warc | grep image/png) \
	    <(streamcat -d -f WARC-Record-ID,WARC-Block-Digest,Content-Type out.warc | grep image/png)
	grep -qx 'sluice_transform_other_total{tool="sluice-transform"} 1' m.prom || fail "$(cat m.prom)"
	[[ "$(cat err)" == *"1 record with a payload that is neither JSON nor text passed through untouched"* ]] || fail "$(cat err)"
	# a non-string output of a text record is JSON
	sluice-transform 'select(type == "string") | length' docs.warc > out.warc
	run streamcat -d -f Content-Type -p out.warc
	[ "${lines[0]}" = "application/json	$(jq -Rs length < "$FIXTURES/man/docs/a.txt")" ] || fail "${lines[0]}"
	# splits over text
	want=$(jq -Rsc '[splits("\\s+")] | length' < "$FIXTURES/man/docs/a.txt")
	run bash -c "sluice-transform 'select(type == \"string\") | [splits(\"\\\\s+\")] | length' docs.warc 2>/dev/null | streamcat -d -p | head -1"
	[ "$output" = "$want" ] || fail "splits: $output vs $want"
}

@test "\$meta holds the header fields, repeated ones as arrays, and is read-only" {
	people
	sluice-transform '.id' people.warc > one.warc
	sluice-transform '$meta | {t: .["WARC-Type"], c: .["Sluice-Classification"], k: .["Sluice-Key"], l: .["Sluice-Lineage"], u: (.["WARC-Target-URI"] | type)}' one.warc > out.warc
	run streamcat -d -p out.warc
	[[ "${lines[0]}" =~ ^\{\"t\":\"conversion\",\"c\":\"confidential\",\"k\":\"1\",\"l\":\[\"ingest\ sluice-ingest/0.1.0\ run=[0-9a-f-]+\",\"transform\ sluice-transform/0.1.0\ run=[0-9a-f-]+\ args=sha256:[0-9a-f]+\"\],\"u\":\"string\"\}$ ]] ||
	    fail "${lines[0]}"
	# changing $meta in the program changes nothing outside it
	sluice-transform '($meta | .["Sluice-Classification"] = "public") as $m | .' people.warc > out.warc
	[ "$(streamcat -d -f Sluice-Classification out.warc | sort -u)" = confidential ]
	# a $meta without a program that uses it: the variable exists anyway
	run bash -c "sluice-transform '\$meta | type' people.warc | streamcat -d -p | sort -u"
	[ "$output" = '"object"' ]
}

@test "numbers a double cannot hold are an error unless --lossy-numbers" {
	printf '%s\n' '{"id":12345678901234567890,"n":1}' '{"id":7,"n":[0.1,1e400]}' \
	    '{"id":9007199254740993,"n":2}' '{"id":1.00000000000000000001,"n":3}' > big.jsonl
	sluice-ingest big.jsonl > big.warc
	problems=()
	while IFS='~' read -r prog rec field from to; do
		run --separate-stderr sluice-transform "$prog" big.warc
		if [ -z "$rec" ]; then
			[ "$status" -eq 0 ] || problems+=("$prog: status $status: $stderr")
			continue
		fi
		[ "$status" -eq 65 ] || problems+=("$prog: status $status, want 65")
		[[ "$stderr" == *": record $rec <urn:uuid:"*"field \"$field\": $from would become $to (a double cannot hold it); --lossy-numbers accepts the rounding" ]] ||
		    problems+=("$prog: $stderr")
	done <<-'TABLE'
	{x: .id}~2~/id~12345678901234567890~12345678901234567000
	.id + 1~2~/id~12345678901234567890~12345678901234567000
	{m: .n}~3~/n/1~1e400~1.7976931348623157e+308
	.n |= (arrays | reverse)~3~/n/1~1e400~1.7976931348623157e+308
	.id~2~/id~12345678901234567890~12345678901234567000
	select(.n == 2) | {x: .id}~4~/id~9007199254740993~9007199254740992
	select(.n == 3) | [.id]~5~/id~1.00000000000000000001~1
	.n~3~/n/1~1e400~1.7976931348623157e+308
	{id}
	{n}
	{id: .id, n: .n}
	.id |= . * 1
	.x = 5
	select(.n == 1) | {n}
	.
	select(.n == 2)
	.n[0]?
	TABLE
	fail_all
	sluice-transform --lossy-numbers '{x: .id}' big.warc > out.warc
	run streamcat -d -p out.warc
	[ "${lines[0]}" = '{"x":12345678901234567000}' ] || fail "${lines[0]}"
}

@test "number texts a program did not change are kept" {
	printf '%s\n' '{"id":12345678901234567890,"name":"Ann","score":808.0,"r":1.50}' \
	    '{"id":12345678901234567891,"name":"Bob","score":-1E2,"r":1e400}' > p.jsonl
	printf '%s\n' '{"a":[1.0,-0,1E2,1e400,0],"b":-0}' > a.jsonl
	sluice-ingest p.jsonl > p.warc
	sluice-ingest a.jsonl > a.warc
	printf '0123456789abcdef-secret' > k
	problems=()
	# file ~ options ~ program ~ outputs (joined by |)
	while IFS='~' read -r file opts prog want; do
		# shellcheck disable=SC2086
		got=$(sluice-transform $opts "$prog" "$file.warc" 2>/dev/null |
		    streamcat -d -p | paste -sd'|')
		[ "$got" = "$want" ] || problems+=("$file $opts '$prog': $got, want $want")
	done <<-'TABLE'
	p~~.name |= ascii_downcase~{"id":12345678901234567890,"name":"ann","score":808.0,"r":1.50}|{"id":12345678901234567891,"name":"bob","score":-1E2,"r":1e400}
	p~~{id}~{"id":12345678901234567890}|{"id":12345678901234567891}
	p~~{id: .id, score}~{"id":12345678901234567890,"score":808.0}|{"id":12345678901234567891,"score":-1E2}
	p~~{score: (.score * 1)}~{"score":808.0}|{"score":-1E2}
	p~~{score: (.score + 1)}~{"score":809}|{"score":-99}
	p~~select(.r < 2) | {r: .score}~{"r":808}
	p~~select(.r < 2) | [.r]~[1.5]
	p~--redact name~.~{"id":12345678901234567890,"score":808.0,"r":1.50}|{"id":12345678901234567891,"score":-1E2,"r":1e400}
	p~--lossy-numbers~select(.r < 2) | {x: .id, score}~{"x":12345678901234567000,"score":808.0}
	p~--lossy-numbers~select(.r < 2) | .name = 1~{"id":12345678901234567890,"name":1,"score":808.0,"r":1.50}
	p~--slurp~map(del(.name))~[{"id":12345678901234567890,"score":808.0,"r":1.50},{"id":12345678901234567891,"score":-1E2,"r":1e400}]
	p~--slurp~map({score})~[{"score":808.0},{"score":-1E2}]
	p~--slurp~.[1:] | map({score})~[{"score":-100}]
	p~--slurp --lossy-numbers~map(.id)~[12345678901234567000,12345678901234567000]
	p~--meta~.data.name |= ascii_downcase | .data |= {id, name}~{"id":12345678901234567890,"name":"ann"}|{"id":12345678901234567891,"name":"bob"}
	p~--chunk 2 --chunk-field name~.~{"id":12345678901234567890,"name":"An","score":808.0,"r":1.50}|{"id":12345678901234567890,"name":"n","score":808.0,"r":1.50}|{"id":12345678901234567891,"name":"Bo","score":-1E2,"r":1e400}|{"id":12345678901234567891,"name":"b","score":-1E2,"r":1e400}
	a~~.c = 1~{"a":[1.0,-0,1E2,1e400,0],"b":-0,"c":1}
	a~~.a |= map(. * 1)~{"a":[1.0,-0,1E2,1e400,0],"b":-0}
	a~~.a[4] = -0 | .b = 0 | .c = 1~{"a":[1.0,-0,1E2,1e400,-0],"b":0,"c":1}
	a~~.a |= .[:3] + [.[4]]~{"a":[1.0,-0,1E2,0],"b":-0}
	a~~{b: .a[1]}~{"b":-0}
	a~~{a: [.a[0], 2, .a[2]]}~{"a":[1.0,2,1E2]}
	TABLE
	fail_all
	# --pseudonymize keeps the id's digits, and two ids that round to the
	# same double get different pseudonyms
	run bash -c "sluice-transform --pseudonymize name --secret-file k . p.warc | streamcat -d -p"
	[ "$status" -eq 0 ] || fail "$output"
	[[ "${lines[0]}" =~ ^\{\"id\":12345678901234567890,\"name\":\"[0-9a-f]{64}\",\"score\":808.0,\"r\":1.50\}$ ]] || fail "${lines[0]}"
	run bash -c "sluice-transform --pseudonymize id --secret-file k '{id}' p.warc | streamcat -d -p"
	[ "$status" -eq 0 ] || fail "$output"
	[[ "${lines[0]}" =~ ^\{\"id\":\"[0-9a-f]{64}\"\}$ ]] || fail "${lines[0]}"
	[ "${lines[0]}" != "${lines[1]}" ] || fail "same pseudonym: ${lines[0]}"
	# a lossy number the program moves is still an error, with --slurp too
	run --separate-stderr sluice-transform --pseudonymize name --secret-file k '{x: .id}' p.warc
	expect_status 65
	run --separate-stderr sluice-transform --slurp 'map(.id)' p.warc
	expect_status 65
	[[ "$stderr" == *"record 2 <urn:uuid:"*"field \"/id\": 12345678901234567890 would become 12345678901234567000"* ]] || fail "$stderr"
}

@test "hostile input: bad payloads, huge outputs, damaged streams" {
	libjq_leaks
	printf '{"a":1}\n' | sluice-ingest -f jsonl --source-uri test://x > ok.warc
	# a JSON media type over bytes that are not JSON
	sed 's/{"a":1}/{"a":1]/' ok.warc > badjson.warc
	run --separate-stderr sluice-transform . badjson.warc
	expect_status 65
	[[ "$stderr" == *"badjson.warc: record 2 <urn:uuid:"*"the payload is not JSON: "*"at byte 6" ]] || fail "$stderr"
	run sluice-transform --on-error skip . badjson.warc
	expect_status 0
	# a text payload that is not UTF-8
	printf 'ok \xff\xfe\n' > bin.txt
	sluice-ingest -f raw bin.txt > t.warc
	sed -i 's|application/octet-stream|text/plain|' t.warc
	run --separate-stderr sluice-transform . t.warc
	expect_status 65
	[[ "$stderr" == *"the text payload is not UTF-8 (byte 3)" ]] || fail "$stderr"
	# a bad context field in the parent
	sed 's/^Sluice-Classification: internal/Sluice-Classification: topsecret/' ok.warc > ctx.warc
	run --separate-stderr sluice-transform '{b: 1}' ctx.warc
	expect_status 65
	[[ "$stderr" == *"record 2 <urn:uuid:"*"topsecret"* ]] || fail "$stderr"
	# huge outputs: a million elements, and many outputs from one record
	run bash -c "sluice-transform '[range(1000000)] | length' ok.warc | streamcat -d -p"
	[ "$output" = 1000000 ]
	run bash -c "sluice-transform 'range(20000)' ok.warc | streamcat -d -c"
	[ "$output" = 20000 ]
	run bash -c "sluice-transform '[range(200000) | tostring] | join(\",\") | length' ok.warc | streamcat -d -p"
	[ "$output" = "$(jq -n '[range(200000) | tostring] | join(",") | length')" ]
	# nesting deeper than a reader accepts
	run --separate-stderr sluice-transform 'reduce range(2000) as $i (0; [.])' ok.warc
	expect_status 65
	[[ "$stderr" == *"output 1 is nested deeper than 1024 levels" ]] || fail "$stderr"
	# a damaged stream: whole records out, then 65
	head -c 300 ok.warc > cut.warc
	run --separate-stderr sluice-transform . cut.warc
	expect_status 65
	[[ "$stderr" == *"cut.warc"* ]] || fail "$stderr"
	# input, inputs, $__loc__, halt, halt_error, input_filename
	run bash -c "sluice-transform '[inputs]' ok.warc | streamcat -d -p"
	[ "$output" = "[]" ]
	run --separate-stderr sluice-transform 'input' ok.warc
	expect_status 65
	run bash -c "sluice-transform 'halt' ok.warc 2>/dev/null | streamcat -d -c"
	[ "$output" = 0 ]
	run --separate-stderr sluice-transform '"bye" | halt_error' ok.warc
	expect_status 65
	[[ "$stderr" == *"jq: error: bye" ]] || fail "$stderr"
}

@test "whole files and stdin, -o and -z" {
	people
	sluice-transform '.id' < people.warc > a.warc
	sluice-transform '.id' - < people.warc > b.warc
	sluice-transform -o c.warc '.id' people.warc
	# the same records (the run descriptions name other arguments)
	streamcat -d -f WARC-Record-ID,WARC-Block-Digest a.warc > a
	[ "$(wc -l < a)" -eq 5 ]
	streamcat -d -f WARC-Record-ID,WARC-Block-Digest b.warc | diff a -
	streamcat -d -f WARC-Record-ID,WARC-Block-Digest c.warc | diff a -
	sluice-transform -z '.id' people.warc > d.warc.gz
	[ "$(streamcat -d -c d.warc.gz)" -eq 5 ]
	# two inputs in order
	sluice-transform '.id' people.warc people.warc > e.warc
	[ "$(streamcat -d -p e.warc | tr '\n' ' ')" = "1 2 3 4 5 1 2 3 4 5 " ]
	# non-data records pass through in order
	[ "$(streamcat -f WARC-Type e.warc | tr '\n' ' ')" = "warcinfo warcinfo conversion conversion conversion conversion conversion warcinfo conversion conversion conversion conversion conversion " ]
}

# The EXAMPLES of sluice-transform(1) run as the page shows them: "$ cmd"
# lines are commands, the lines after one its expected standard output
# (tests/man.bats does the same for the pages it lists).
@test "EXAMPLES of sluice-transform(1) run as shown" {
	cp -R "$FIXTURES/man/." .
	awk '
	/^\.Sh / { ex = ($2 == "EXAMPLES") }
	ex && /^\.Bd -literal/ { inb = 1; next }
	ex && inb && /^\.Ed/ { inb = 0; print "@@END"; next }
	ex && inb { print }
	' "$SLUICE_SRCDIR/man/sluice-transform.1" | sed -e 's/\\e/\\/g' -e 's/\\(dq/"/g' -e 's/\\&//g' > blocks
	n=0
	cmd=
	expect=
	check() {
		[ -n "$cmd" ] || return 0
		n=$((n + 1))
		got=$(bash -c "$cmd" 2>/dev/null | tr -d '\r')
		[ "$got" = "$(printf '%s' "$expect")" ] || fail "example: $cmd" "expected:" "$expect" "got:" "$got"
	}
	while IFS= read -r line; do
		case $line in
		'$ '*) check; cmd=${line#\$ }; expect= ;;
		@@END) check; cmd= ;;
		*) expect="$expect$line"$'\n' ;;
		esac
	done < blocks
	[ "$n" -ge 7 ] || fail "only $n examples found"
}

@test "debug prints to standard error as jq does; the stream is untouched" {
	printf '{"id":1}\n{"id":2}\n' | sluice-ingest -f jsonl > in.warc
	sluice-transform '.id |= debug' in.warc > out.warc 2> err
	[ "$(cat err)" = $'["DEBUG:",1]\n["DEBUG:",2]' ] || fail "stderr: $(cat err)"
	[ "$(streamcat -d -c out.warc)" = 2 ]
}
