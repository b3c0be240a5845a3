#!/usr/bin/env bats
# ingest-state.bats - sluice-ingest(1) --state: incremental runs (only new
# rows, lines and records; row numbers go on), full re-reads on change, the
# state file itself, and reproducible output.

load lib

# new STATE ARGS...: run sluice-ingest --state STATE ARGS and print each data
# record's target (below the scratch folder) and payload; fails the test on a
# non-zero exit or an invalid stream.
new() {
	local state=$1
	shift
	sluice-ingest --state "$state" "$@" >out.warc 2>err ||
	    fail "sluice-ingest --state $state $*: exit $?: $(cat err)"
	streamcat -d -f WARC-Target-URI -p out.warc | sed "s|file://$PWD/||"
}

# json_ok FILE: FILE is one well-formed JSON document.
json_ok() {
	if command -v jq >/dev/null; then
		jq . "$1" >/dev/null
	else
		python3 -m json.tool "$1" >/dev/null
	fi
}

# sets_mtime FILE SECONDS: a distinct, known mtime, so that a change within
# one clock tick is still a change.
sets_mtime() {
	touch -d "@$2" "$1"
}

@test "state: the first run emits every row, the second none but a warcinfo" {
	printf 'id,name\n1,a\n2,b\n' >c.csv
	run new s c.csv
	expect_status 0
	[ "$output" = "$(printf 'c.csv#row=2\t{"id":1,"name":"a"}\nc.csv#row=3\t{"id":2,"name":"b"}')" ] ||
	    fail "first run:" "$output"
	[ -s s ] || fail "no state file written"
	run new s c.csv
	expect_status 0
	[ -z "$output" ] || fail "second run emitted data:" "$output"
	[ "$(streamcat -f WARC-Type out.warc)" = warcinfo ] || fail "the second run's stream is not one warcinfo"
}

@test "state: rows appended to a CSV come alone, numbered on, with the same columns" {
	printf 'id,name\n1,a\n2,b\n' >c.csv
	new s c.csv >/dev/null
	printf '3,c\n4,"d, e"\n' >>c.csv
	run new s c.csv
	expect_status 0
	[ "$output" = "$(printf 'c.csv#row=4\t{"id":3,"name":"c"}\nc.csv#row=5\t{"id":4,"name":"d, e"}')" ] ||
	    fail "after the append:" "$output"
	# And once more: numbering goes on from where the last run stopped.
	printf '5,f\n' >>c.csv
	run new s c.csv
	[ "$output" = "$(printf 'c.csv#row=6\t{"id":5,"name":"f"}')" ] || fail "second append:" "$output"
	# The appended rows' ids are those a full read gives them.
	sluice-ingest c.csv | streamcat -d -f WARC-Record-ID | tail -n 1 >full
	streamcat -d -f WARC-Record-ID out.warc | cmp - full || fail "ids differ from a full read"
}

@test "state: TSV appends are read from where the last run stopped" {
	printf 'a\tb\n1\t2\n' >t.tsv
	new s t.tsv >/dev/null
	printf '3\t4\n' >>t.tsv
	run new s t.tsv
	[ "$output" = "$(printf 't.tsv#row=3\t{"a":3,"b":4}')" ] || fail "$output"
}

@test "state: lines appended to JSON Lines come alone, line locators going on" {
	# Blank lines are counted in line numbers, in both runs.
	printf '{"a":1}\n\n{"a":2}\n' >j.jsonl
	run new s j.jsonl
	[ "$output" = "$(printf 'j.jsonl#line=0,1\t{"a":1}\nj.jsonl#line=2,3\t{"a":2}')" ] || fail "first run:" "$output"
	printf '{"a":3}\n\n{"a":4}\n' >>j.jsonl
	run new s j.jsonl
	[ "$output" = "$(printf 'j.jsonl#line=3,4\t{"a":3}\nj.jsonl#line=5,6\t{"a":4}')" ] || fail "after the append:" "$output"
}

@test "state: records appended to a WARC file come alone" {
	head -c 2566 "$WARCIO/example.warc" >w.warc # records 1-3
	sluice-ingest --state s w.warc >first
	[ "$(streamcat -f WARC-Type first | tr '\n' ' ')" = "warcinfo warcinfo warcinfo conversion " ] ||
	    fail "first run: $(streamcat -f WARC-Type first)"
	tail -c +2567 "$WARCIO/example.warc" >>w.warc # records 4-6
	sluice-ingest --state s w.warc >second
	[ "$(streamcat -f WARC-Type,WARC-Record-ID second | tail -n +2 | tr '\n' ' ')" = "$(printf 'request\t<urn:uuid:a9c5c23a-0221-11e7-8fe3-0242ac120007> revisit\t<urn:uuid:e6e395ca-0221-11e7-a18d-0242ac120005> request\t<urn:uuid:e6e41fea-0221-11e7-8fe3-0242ac120007> ')" ] ||
	    fail "second run: $(streamcat -f WARC-Type,WARC-Record-ID second)"
}

@test "state: damage in an appended part names the file's own row, line and record numbers" {
	local file content append want n=0 bad=0
	# file | first content | appended | message (file: place)
	while IFS='|' read -r file content append want; do
		[ -n "$file" ] || continue
		n=$((n + 1))
		printf '%b' "$content" >"$file"
		sluice-ingest --state "s$n" "$file" >/dev/null 2>&1 || { echo "row $n: first run failed" >&2; bad=1; continue; }
		printf '%b' "$append" >>"$file"
		sluice-ingest --state "s$n" "$file" >out 2>err && status=0 || status=$?
		[ "$status" -eq 65 ] || { echo "row $n ($file): expected 65, got $status" >&2; bad=1; }
		grep -qF -- "$want" err || { echo "row $n ($file): expected '$want' in: $(cat err)" >&2; bad=1; }
		whole_records out || bad=1
	done <<'EOF'
r.csv|a,b\n1,2\n|3,4\n5\n|r.csv: row 4 at byte 12:
r.jsonl|{"a":1}\n|{"a":2}\n{"a":\n|r.jsonl: line 3 at byte 16:
EOF
	# A WARC file that grew by a cut record: the fourth record, at byte 2566.
	head -c 2566 "$WARCIO/example.warc" >r.warc
	sluice-ingest --state sw r.warc >/dev/null
	head -c 3000 "$WARCIO/example.warc" | tail -c +2567 >>r.warc
	sluice-ingest --state sw r.warc >out 2>err && status=0 || status=$?
	[ "$status" -eq 65 ] || { echo "r.warc: expected 65, got $status" >&2; bad=1; }
	grep -qF 'r.warc: record 4 at byte 2566:' err || { echo "r.warc: expected 'record 4 at byte 2566' in: $(cat err)" >&2; bad=1; }
	[ "$bad" -eq 0 ]
}

@test "state: a row changed in the middle re-reads the whole file" {
	printf 'id,v\n1,a\n2,b\n3,c\n' >c.csv
	sets_mtime c.csv 1600000000
	new s c.csv >/dev/null
	# Same size, same inode: 'b' (byte 11) becomes 'B'.
	printf 'B' | dd of=c.csv bs=1 seek=11 conv=notrunc 2>/dev/null
	sets_mtime c.csv 1600000100
	run new s c.csv
	[ "$output" = "$(printf 'c.csv#row=2\t{"id":1,"v":"a"}\nc.csv#row=3\t{"id":2,"v":"B"}\nc.csv#row=4\t{"id":3,"v":"c"}')" ] ||
	    fail "in-place change:" "$output"
	# Grown, but the leading bytes differ: 'a' (byte 7) becomes 'X'.
	printf 'X' | dd of=c.csv bs=1 seek=7 conv=notrunc 2>/dev/null
	printf '4,d\n' >>c.csv
	sets_mtime c.csv 1600000200
	run new s c.csv
	[ "$output" = "$(printf 'c.csv#row=2\t{"id":1,"v":"X"}\nc.csv#row=3\t{"id":2,"v":"B"}\nc.csv#row=4\t{"id":3,"v":"c"}\nc.csv#row=5\t{"id":4,"v":"d"}')" ] ||
	    fail "changed and grown:" "$output"
	# Replaced by a new file (new inode) with the same rows plus one.
	printf 'id,v\n1,X\n2,B\n3,c\n4,d\n5,e\n' >c.new
	mv c.new c.csv
	run new s c.csv
	[ "${#lines[@]}" -eq 5 ] || fail "replaced file: expected 5 rows, got:" "$output"
	# A truncated file is read again, too.
	printf 'id,v\n9,z\n' >c.csv
	run new s c.csv
	[ "$output" = "$(printf 'c.csv#row=2\t{"id":9,"v":"z"}')" ] || fail "shrunk:" "$output"
}

@test "state: a raw file that changes gives one new record of the whole file" {
	printf 'x' >r.txt
	run new s r.txt
	[ "$output" = "$(printf 'r.txt\tx')" ] || fail "first: $output"
	run new s r.txt
	[ -z "$output" ] || fail "unchanged raw file read again: $output"
	printf 'y' >>r.txt
	run new s r.txt
	[ "$output" = "$(printf 'r.txt\txy')" ] || fail "grown raw file: $output"
	streamcat -d -f WARC-Block-Digest out.warc | grep -qx "sha256:$(printf xy | sha256sum | cut -c1-64)" ||
	    fail "digest is not of the whole new file"
}

@test "state: a JSON array that grew is read again whole" {
	printf '[1,2]' >a.json
	new s a.json >/dev/null
	printf '[1,2,3]' >a.json
	run new s a.json
	[ "$output" = "$(printf 'a.json#/0\t1\na.json#/1\t2\na.json#/2\t3')" ] || fail "$output"
}

@test "state: a new file in a folder is picked up alone" {
	mkdir d
	printf 'a\n1\n' >d/x.csv
	printf 'hi\n' >d/n.txt
	run new s -r d
	[ "${#lines[@]}" -eq 2 ] || fail "first run:" "$output"
	printf 'b\n2\n' >d/y.csv
	run new s -r d
	[ "$output" = "$(printf 'd/y.csv#row=2\t{"b":2}')" ] || fail "second run:" "$output"
	run new s -r d
	[ -z "$output" ] || fail "third run:" "$output"
}

@test "state: a gzip CSV that grew" {
	# A member appended: only the new row.
	printf 'a\n1\n' | gzip -n >g.csv.gz
	run new s g.csv.gz
	[ "$output" = "$(printf 'g.csv.gz#row=2\t{"a":1}')" ] || fail "first: $output"
	printf '2\n' | gzip -n >>g.csv.gz
	run new s g.csv.gz
	[ "$output" = "$(printf 'g.csv.gz#row=3\t{"a":2}')" ] || fail "member appended: $output"
	# Compressed anew (the leading bytes differ): the whole file again.
	printf 'a\n1\n2\n3\n' | gzip -n >g.new
	cat g.new >g.csv.gz
	run new s g.csv.gz
	[ "$output" = "$(printf 'g.csv.gz#row=2\t{"a":1}\ng.csv.gz#row=3\t{"a":2}\ng.csv.gz#row=4\t{"a":3}')" ] ||
	    fail "recompressed: $output"
}

@test "state: the state file is JSON" {
	mkdir d
	printf 'a,b\n1,2\n' >d/c.csv
	printf '{"x":1}\n' >d/j.jsonl
	printf 'raw\n' >d/r.txt
	printf 'k\n1\n' | gzip -n >d/g.csv.gz
	sluice-ingest --state s.json -r d >/dev/null
	json_ok s.json || fail "not JSON:" "$(cat s.json)"
	if command -v jq >/dev/null; then
		run jq -r '.files | length' s.json
		[ "$output" = 4 ] || fail "expected 4 files in the state, got $output"
	fi
	printf '3,4\n' >>d/c.csv
	sluice-ingest --state s.json -r d >/dev/null
	json_ok s.json || fail "not JSON after the second run:" "$(cat s.json)"
}

@test "state: written only after success; a failed run leaves it as it was" {
	printf 'a,b\n1,2\n' >c.csv
	sluice-ingest --state s c.csv >/dev/null
	cp s s.before
	printf '3,4\n5\n' >>c.csv # row 4 has 1 field
	sluice-ingest --state s c.csv >out 2>err && status=0 || status=$?
	expect_status 65
	grep -q 'c.csv: row 4 at byte 12: ' err || fail "message: $(cat err)"
	cmp s s.before || fail "the state changed after a failed run"
	whole_records out
	left=
	for f in * .[!.]*; do
		[ -e "$f" ] || continue
		case $f in c.csv | s | s.before | out | err) ;; *) left+=" $f" ;; esac
	done
	[ -z "$left" ] || fail "files left behind: $left"
	# The run that fixes it still sees rows 3 and 4 as new.
	printf 'a,b\n1,2\n3,4\n5,6\n' >c.csv.fixed
	cat c.csv.fixed >c.csv
	run new s c.csv
	[ "$output" = "$(printf 'c.csv#row=3\t{"a":3,"b":4}\nc.csv#row=4\t{"a":5,"b":6}')" ] || fail "rerun: $output"
}

@test "state: an output that cannot be created leaves the state as it was" {
	printf 'a\n1\n' >c.csv
	sluice-ingest --state s c.csv >/dev/null
	cp s s.before
	printf '2\n' >>c.csv
	sluice-ingest --state s -o nodir/out.warc c.csv 2>err && status=0 || status=$?
	expect_status 73
	cmp s s.before || fail "the state changed though the output was never written"
	# A state file that cannot be created is exit 73 too.
	sluice-ingest --state nodir/s c.csv >out 2>err && status=0 || status=$?
	expect_status 73
	grep -q 'nodir/s' err || fail "message does not name the state file: $(cat err)"
}

@test "state: --state with standard input is a usage error" {
	local args
	for args in "-f csv" "-f csv -"; do
		# shellcheck disable=SC2086
		printf 'a\n1\n' | sluice-ingest --state s $args >out 2>err && status=0 || status=$?
		[ "$status" -eq 64 ] || fail "$args: expected 64, got $status"
		[ ! -s out ] || fail "$args: output written"
		[ ! -e s ] || fail "$args: state written"
		grep -q "Try 'sluice-ingest --help'" err || fail "$args: $(cat err)"
	done
}

@test "state: a corrupt state file is exit 65 naming it" {
	local content n=0 bad=0
	printf 'a\n1\n' >c.csv
	while IFS= read -r content; do
		n=$((n + 1))
		printf '%b' "$content" >bad.state
		cp bad.state bad.before
		sluice-ingest --state bad.state c.csv >out 2>err && status=0 || status=$?
		[ "$status" -eq 65 ] || { echo "row $n ($content): expected 65, got $status" >&2; bad=1; }
		grep -q '^sluice-ingest: bad.state: ' err || { echo "row $n ($content): message: $(cat err)" >&2; bad=1; }
		whole_records out || bad=1
		[ "$(streamcat -d -c out)" -eq 0 ] || { echo "row $n: data written despite the bad state" >&2; bad=1; }
		cmp -s bad.state bad.before || { echo "row $n: the corrupt state was overwritten" >&2; bad=1; }
	done <<'EOF'
garbage{
\x00\x01\x02
{"sluice-ingest-state":1,"files":[
{"sluice-ingest-state":1,"files":[{"uri":3}]}
[]
\n
EOF
	[ "$bad" -eq 0 ]
}

@test "state: with SOURCE_DATE_EPOCH two runs on fresh state are byte-identical" {
	mkdir d
	printf 'a,b\n1,2\n3,4\n' >d/c.csv
	printf '{"x":1}\n' >d/j.jsonl
	printf '\211PNG\r\n\032\n' >d/p.png
	sluice-ingest --state s -r d >one
	rm s
	sluice-ingest --state s -r d >two
	cmp one two || fail "two runs on fresh state differ"
	[ "$(streamcat -d -c one)" -eq 4 ]
}

@test "state: without SOURCE_DATE_EPOCH, data record ids are still the same on every run" {
	unset SOURCE_DATE_EPOCH
	printf 'a,b\n1,2\n3,4\n' >c.csv
	printf 'raw\n' >r.txt
	sluice-ingest c.csv r.txt | streamcat -d -f WARC-Record-ID >ids1
	sluice-ingest c.csv r.txt | streamcat -d -f WARC-Record-ID >ids2
	cmp ids1 ids2 || fail "ids changed between runs"
	# Each is the version 5 UUID of "URI\n" + the payload's 32-byte SHA-256
	# in the sluice namespace (sluice-stream(5)).
	command -v python3 >/dev/null || skip "python3 computes the expected ids"
	python3 - "$PWD" >want <<'PY'
import hashlib, sys, uuid
ns = uuid.uuid5(uuid.NAMESPACE_URL, 'sluice')
assert str(ns) == '0fbefbf0-73c4-58c1-b9df-1e7c6a10b260'
def v5(name):
    d = bytearray(hashlib.sha1(ns.bytes + name).digest()[:16])
    d[6] = (d[6] & 0x0f) | 0x50
    d[8] = (d[8] & 0x3f) | 0x80
    return '<urn:uuid:%s>' % uuid.UUID(bytes=bytes(d))
base = 'file://' + sys.argv[1]
for uri, payload in ((base + '/c.csv#row=2', b'{"a":1,"b":2}'),
                     (base + '/c.csv#row=3', b'{"a":3,"b":4}'),
                     (base + '/r.txt', b'raw\n')):
    print(v5(uri.encode() + b'\n' + hashlib.sha256(payload).digest()))
PY
	diff -u want ids1
}

@test "state: a file dated before 1970 is remembered" {
	printf 'a\n1\n' > old.csv
	touch -d '1969-07-20 20:17:40 UTC' old.csv
	sluice-ingest --state s old.csv > /dev/null
	run sh -c 'sluice-ingest --state s old.csv | streamcat -d -c'
	expect_status 0
	[ "$output" = 0 ] || fail "unchanged file read again: $output"
}

@test "state: a last line without its line end waits for the next run" {
	printf '{"n":1}\n{"n":2' > grow.jsonl
	run --separate-stderr sh -c 'sluice-ingest --state s grow.jsonl | streamcat -d -p'
	expect_status 0
	[ "$output" = '{"n":1}' ] || fail "first run: $output"
	[[ "$stderr" == *"grow.jsonl: the last 6 bytes end no line: left for the next run (--state)"* ]] ||
	    fail "stderr: $stderr"
	printf '}\n{"n":3}\n' >> grow.jsonl
	run sh -c 'sluice-ingest --state s grow.jsonl | streamcat -d -f WARC-Target-URI -p'
	[ "${#lines[@]}" -eq 2 ] || fail "second run: $output"
	[[ "${lines[0]}" == *'#line=1,2	{"n":2}' ]] && [[ "${lines[1]}" == *'#line=2,3	{"n":3}' ]] ||
	    fail "second run: $output"
}
