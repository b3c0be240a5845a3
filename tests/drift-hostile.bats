#!/usr/bin/env bats
# drift-hostile.bats - sluice-drift against hostile profiles, arguments,
# streams, values and outputs: every run ends with the documented status and
# message, in bounded time, and standard output holds only whole records.

load lib

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
	awk 'BEGIN { for (i = 0; i < 300; i++)
	    printf "{\"x\":%d,\"c\":\"%s\"}\n", i % 100, substr("abc", i % 3 + 1, 1) }' |
	    sluice-ingest -f jsonl > a.warc
	sluice-drift -s a.prof < a.warc > /dev/null
}

# rec CONTENT-TYPE [EVENT-TIME] < PAYLOAD: one resource record on stdout.
rec() {
	python3 -c '
import sys, hashlib
ct = sys.argv[1]; et = sys.argv[2] if len(sys.argv) > 2 else ""
p = sys.stdin.buffer.read()
h = ["WARC/1.1", "WARC-Type: resource",
     "WARC-Record-ID: <urn:uuid:%s>" % hashlib.md5(p + et.encode()).hexdigest()[:8]
     + "-0000-4000-8000-000000000000",
     "WARC-Date: 2026-01-01T00:00:00Z", "Content-Type: " + ct,
     "Content-Length: %d" % len(p),
     "WARC-Block-Digest: sha256:" + hashlib.sha256(p).hexdigest()]
if et: h.append("Sluice-Event-Time: " + et)
sys.stdout.buffer.write(("\r\n".join(h) + "\r\n\r\n").encode() + p + b"\r\n\r\n")
' "$@"
}

# profile_table: JQ-FILTER^STATUS^MESSAGE rows on stdin: each filter turns
# a.prof into h.prof, which --show and --baseline must refuse (or accept)
# with STATUS and MESSAGE on stderr, the baseline run writing no record.
profile_table() {
	problems=()
	while IFS='^' read -r filter want msg; do
		jq -c "$filter" a.prof > h.prof || { problems+=("jq: $filter"); continue; }
		for mode in show baseline; do
			st=0
			w=$want
			m=$msg
			# a profile that reads back shows with 0; its comparison decides
			if [ "$mode" = show ] && [ "$want" -ne 78 ]; then
				w=0
				m=
			fi
			if [ "$mode" = show ]; then
				timeout 60 sluice-drift --show h.prof > out 2> err || st=$?
			else
				timeout 60 sluice-drift -b h.prof a.warc > out 2> err || st=$?
				[ "$want" -ne 78 ] || [ ! -s out ] ||
				    problems+=("$filter: $mode wrote records before refusing")
			fi
			[ "$st" -eq "$w" ] ||
			    problems+=("$filter: $mode status $st, want $w: $(cat err)")
			[[ "$(cat err)" == *"$m"* ]] ||
			    problems+=("$filter: $mode stderr lacks '$m': $(cat err)")
		done
	done
	fail_all
}

@test "hostile profiles: refused with 78 and a message naming the fault" {
	profile_table <<-'EOF'
	.sluice_profile = 2^78^profile version 2 is not supported
	.sluice_profile = "1"^78^"sluice_profile" is not a count
	del(.sluice_profile)^78^no "sluice_profile" version
	.records = 18446744073709551616^78^"records" is not a count
	.records = -1^78^"records" is not a count
	.records = 1.5^78^"records" is not a count
	.json_records = 301^78^JSON records but 300 records
	.fields.x.count = 299^78^count 299 but types add up to 300
	.fields.x.types.number = 301^78^count 300 but types add up to 301
	.fields.x.number.kll.k = 0^78^'k' is not an integer from 8 to 65535
	.fields.x.number.kll.k = 100000000^78^'k' is not an integer from 8 to 65535
	.fields.x.number.kll.levels = []^78^'levels' is not an array
	.fields.x.number.kll.n = 299^78^but 'n' is 299
	.fields.x.number.kll.levels[0][0] = 1000^78^not a finite number from 'min' to 'max'
	.fields.x.number.moments.mean = null^78^'mean' is a null, not a number
	.fields.x.number.moments.m2 = -1^78^'m2' is negative
	.fields.x.number.moments.min = 200^78^not in order
	.fields.c.distinct.p = 0^78^'p' is not an integer from 4 to 18
	.fields.c.distinct.p = 30^78^'p' is not an integer from 4 to 18
	.fields.c.categories.items = [range(0;100000) | [tostring, 1, 0]]^78^100000 items for 1024 counters
	.fields.c.categories.capacity = 1000000^78^'capacity' is not an integer from 1 to 65536
	.fields.c.categories.items[0][1] += 1^78^do not add up
	.fields.c.categories.items += [["a", 1, 0]]^78^repeats a key
	.fields.x.number = {"moments": .fields.x.number.moments}^78^"moments" or "kll" is missing
	.fields.x = 1^78^field "x": not an object
	.fields += ([range(0;1100) | {key: "f\(.)", value: {}}] | from_entries)^78^more than the 1024 tracked
	[1,2]^78^not a profile (not a JSON object)
	.fields[("y" * 1048576)] = .fields.x^1^field "yyyy
	.fields.x.number.moments.m2 = 1e999^0^no drift
	EOF
}

@test "hostile profiles: truncated, not JSON, NaN spellings, duplicate keys" {
	problems=()
	head -c 300 a.prof > trunc.prof
	printf '' > empty.prof
	sed '0,/"mean":[0-9.e+-]*/s//"mean":NaN/' a.prof > nan.prof
	sed '0,/"mean":[0-9.e+-]*/s//"mean":Infinity/' a.prof > inf.prof
	sed '0,/"mean":[0-9.e+-]*/s//"mean":1e999/' a.prof > big.prof
	# a key repeated far apart (jq keeps the last, a lax reader the first)
	{ printf '{"sluice_profile":1,'; for i in $(seq 100); do printf '"j%d":0,' "$i"; done
	  tail -c +2 a.prof; } > dup.prof
	sed '0,/"null":0,/s//"null":0,"null":0,/' a.prof > dup2.prof
	while IFS='^' read -r file msg; do
		st=0
		sluice-drift --show "$file" > /dev/null 2> err || st=$?
		[ "$st" -eq 78 ] || problems+=("$file: status $st, want 78: $(cat err)")
		[[ "$(cat err)" == *"$msg"* ]] || problems+=("$file: stderr lacks '$msg': $(cat err)")
	done <<-'EOF'
	trunc.prof^truncated: the JSON ends at byte 300
	empty.prof^truncated
	nan.prof^not JSON
	inf.prof^not JSON
	big.prof^'mean' is not a finite number
	dup.prof^key "sluice_profile" appears twice
	dup2.prof^key "null" appears twice
	EOF
	fail_all
}

@test "hostile arguments: usage errors with 64, never a hang" {
	problems=()
	while IFS='^' read -r args msg; do
		st=0
		# shellcheck disable=SC2086
		timeout 20 sluice-drift $args a.warc > out 2> err || st=$?
		[ "$st" -eq 64 ] || problems+=("$args: status $st, want 64: $(cat err)")
		[[ "$(cat err)" == *"$msg"* ]] || problems+=("$args: stderr lacks '$msg': $(cat err)")
		[ ! -s out ] || problems+=("$args: wrote to stdout")
	done <<-'EOF'
	-b a.prof --window 0^--window wants at least 1 record
	-b a.prof --window -1^not a non-negative integer
	-b a.prof --window 99999999999999999999^not a non-negative integer
	-b a.prof --window-time PT0S^a window lasts at least a microsecond
	-b a.prof --window-time P0D^a window lasts at least a microsecond
	-b a.prof --window-time PT0.0000001S^a window lasts at least a microsecond
	-b a.prof --window-time soon^--window-time: "soon"
	-b a.prof --window 5 --window-time PT1H^exclude each other
	-b a.prof -t nosuch=1^NAME one of wasserstein_norm
	-b a.prof -t psi=-1^wants a number from 0 to
	-b a.prof -t psi=nan^wants a number from 0 to
	-b a.prof -t psi=inf^wants a number from 0 to
	-b a.prof -t psi=^wants a number from 0 to
	-b a.prof -t =1^NAME one of
	-b a.prof -t psi^NAME one of
	-b a.prof --drift-share 1.5^--drift-share wants a number from 0 to 1
	-b a.prof --correction holm^--correction wants bh, bonferroni or none
	-s x.prof --fields x^--fields wants JSON Pointers
	-s x.prof --fields /a,,/b^an empty pointer
	-s x.prof --fields ,^an empty pointer
	-s x.prof --now yesterday^--now: "yesterday"
	-s x.prof --window 3^compare with a baseline
	-b a.prof --propose c.json^go together
	--merge -s x.prof^works on profiles alone
	--show a.prof --merge^exclude each other
	-q^nothing to do
	EOF
	fail_all
}

@test "hostile streams: a documented status and whole records on stdout" {
	printf '{"a":1}' | rec application/json > ok.warc
	printf 'not json' | rec application/json > notjson.warc
	printf '{"\xff\xfe":1}' | rec application/json > badkey.warc
	python3 -c 'print("{\"a\":" + "[" * 5000 + "1" + "]" * 5000 + "}", end="")' |
	    rec application/json > deep.warc
	printf '[1,2,3]' | rec application/json > array.warc
	printf '"a string"' | rec application/ld+json > string.warc
	printf '{"n":1e400,"m":-1e400,"i":123456789012345678901234}' | rec application/json > huge.warc
	python3 -c 'import json; print(json.dumps({"s": "x" * 1048576}), end="")' |
	    rec application/json > longstr.warc
	python3 -c 'import json; print(json.dumps({"k%d" % i: i for i in range(100000)}), end="")' |
	    rec application/json > manykeys.warc
	# images whose headers lie: PNG 2^31 wide, a cut JPEG SOF, a short VP8X
	printf '\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x80\x00\x00\x00\xff\xff\xff\xff\x08\x02\x00\x00\x00' |
	    rec image/png > png.warc
	printf '\xff\xd8\xff\xc0\x00\x11\x08\x00' | rec image/jpeg > jpeg.warc
	printf 'RIFF\x1e\x00\x00\x00WEBPVP8X\x0a\x00\x00\x00\x00\x00\x00\x00\xff\xff' |
	    rec image/webp > webp.warc
	{ cat ok.warc; printf 'WARC/1.1\r\nWARC-Type: resource\r\n'; } > cut.warc
	cat ok.warc notjson.warc ok.warc > mid.warc
	problems=()
	while IFS='^' read -r input args want msg nrec; do
		st=0
		# shellcheck disable=SC2086
		timeout 60 sluice-drift -s p.prof $args "$input" > out.warc 2> err || st=$?
		row="$input $args"
		[ "$st" -eq "$want" ] || problems+=("$row: status $st, want $want: $(cat err)")
		[[ "$(cat err)" == *"$msg"* ]] || problems+=("$row: stderr lacks '$msg': $(cat err)")
		got=$(streamcat -d -c out.warc 2>&1) ||
		    problems+=("$row: stdout is not whole records: $got")
		[ "$got" = "$nrec" ] || problems+=("$row: $got data records out, want $nrec")
		if [ "$want" -eq 0 ]; then
			cmp -s "$input" out.warc || problems+=("$row: the stream changed")
			sluice-drift --show p.prof > /dev/null 2>&1 ||
			    problems+=("$row: the profile does not read back")
		fi
	done <<-'EOF'
	notjson.warc^^65^record 1 at byte 0: payload labelled JSON is not JSON^0
	mid.warc^^65^record 2 at byte^1
	badkey.warc^^65^invalid UTF-8^0
	deep.warc^--fields /a/0/0^65^nesting deeper than^0
	cut.warc^^65^^1
	array.warc^^0^^1
	array.warc^--fields /1^0^^1
	string.warc^^0^^1
	huge.warc^^0^^1
	longstr.warc^^0^^1
	manykeys.warc^^0^more than 1024 distinct fields^1
	png.warc^^0^^1
	jpeg.warc^^0^^1
	webp.warc^^0^^1
	EOF
	fail_all
	# a lying header is no image size
	sluice-drift -s p.prof png.warc jpeg.warc webp.warc > /dev/null
	run jq -c '[.stream.image_width.moments.n, .fields_dropped]' p.prof
	[ "$output" = '[0,0]' ] || fail "image sizes from lying headers: $output"
	sluice-drift -s p.prof manykeys.warc > /dev/null 2>&1
	run jq -c '[(.fields | length), .fields_dropped]' p.prof
	[ "$output" = '[1024,98976]' ] || fail "capped fields: $output"
}

@test "values at the ends of the double range: profiles read back, statistics stay finite" {
	printf '{"x":1e308}\n{"x":-1e308}\n{"x":-0}\n{"x":5e-324}\n{"x":12345678901234567890}\n' |
	    sluice-ingest -f jsonl > ext.warc
	run sluice-drift -s ext.prof ext.warc
	expect_status 0
	run sluice-drift --show ext.prof
	expect_status 0
	run sluice-drift -b ext.prof -r same.json ext.warc
	expect_status 0
	run sluice-drift -b a.prof -r r.json --html r.html --metrics m.prom ext.warc
	expect_status 1
	run jq -r '.fields.x.stats | [.wasserstein_norm, .std_current, .ks_d, .psi] |
	    map(type == "number") | all' r.json
	[ "$output" = true ] || fail "a statistic is not a number: $(jq -c .fields.x.stats r.json)"
	run jq -r '.fields.x.stats.wasserstein_norm > 1e300' r.json
	[ "$output" = true ] || fail "wasserstein_norm: $(jq -c .fields.x.stats r.json)"
	# a page readable without a network and with no NaN or infinity drawn
	! grep -Eiq 'https?:|//[a-z]|<script|<link|src=' r.html || fail "the page references the network"
	! grep -Eq '[^a-z](nan|inf)[^a-z]' r.html || fail "the page draws NaN or infinity"
	grep -q 'wasserstein_norm' m.prom || fail "no metrics"
}

@test "a constant baseline: finite statistics, a change is drift" {
	for i in $(seq 50); do echo '{"x":5}'; done | sluice-ingest -f jsonl > c5.warc
	for i in $(seq 50); do echo '{"x":6}'; done | sluice-ingest -f jsonl > c6.warc
	sluice-drift -s c5.prof c5.warc > /dev/null
	problems=()
	while read -r input want wn; do
		st=0
		sluice-drift -b c5.prof -r r.json "$input" > /dev/null 2>&1 || st=$?
		[ "$st" -eq "$want" ] || problems+=("$input: status $st, want $want")
		got=$(jq -r '.fields.x.stats.wasserstein_norm' r.json)
		[ "$got" = "$wn" ] || problems+=("$input: wasserstein_norm $got, want $wn")
	done <<-'EOF'
	c5.warc 0 0
	c6.warc 1 1
	EOF
	fail_all
}

@test "time windows: records years apart, out of order, at the end of time" {
	{
		printf '{"x":1}' | rec application/json 1970-01-01T00:00:00Z
		printf '{"x":2}' | rec application/json 9999-12-31T23:59:59.999999Z
		printf '{"x":3}' | rec application/json 2000-01-01T00:00:00Z
		printf '{"x":4}' | rec application/json
	} > tw.warc
	sluice-drift -s tw.prof tw.warc > /dev/null
	problems=()
	for dur in PT0.000001S PT1S P1M P1Y; do
		st=0
		timeout 20 sluice-drift -b tw.prof --window-time "$dur" -r r.json \
		    tw.warc > out.warc 2> err || st=$?
		[ "$st" -eq 1 ] || problems+=("$dur: status $st, want 1: $(cat err)")
		got=$(jq -c '[.windows[] | [.first_record, .last_record]]' r.json)
		[ "$got" = '[[1,1],[2,4]]' ] || problems+=("$dur: windows $got")
		cmp -s tw.warc out.warc || problems+=("$dur: the stream changed")
	done
	# untimed records join the first timed window; a late one the current
	{
		printf '{"x":1}' | rec application/json
		printf '{"x":2}' | rec application/json 2026-01-01T10:30:00Z
		printf '{"x":3}' | rec application/json 2026-01-01T09:00:00Z
		printf '{"x":4}' | rec application/json 2026-01-01T12:10:00Z
	} > mt.warc
	sluice-drift -s mt.prof mt.warc > /dev/null
	sluice-drift -q -b mt.prof --window-time PT1H -r r.json mt.warc > /dev/null || true
	got=$(jq -c '[.windows[] | [.first_record, .last_record, .start, .end]]' r.json)
	[ "$got" = '[[1,3,"2026-01-01T10:30:00Z","2026-01-01T11:30:00Z"],[4,4,"2026-01-01T11:30:00Z","2026-01-01T12:30:00Z"]]' ] ||
	    problems+=("late and untimed records: windows $got")
	# no event time at all: one window, no bounds invented
	{ printf '{"x":1}' | rec application/json; printf '{"x":2}' | rec application/json; } > nt.warc
	sluice-drift -s nt.prof nt.warc > /dev/null
	sluice-drift -q -b nt.prof --window-time PT1H -r r.json nt.warc > /dev/null || true
	got=$(jq -c '[.windows[] | [.first_record, .last_record, .start, .end]]' r.json)
	[ "$got" = '[[1,2,null,null]]' ] || problems+=("untimed records: windows $got")
	fail_all
}

@test "outputs: unwritable paths 73, a full disk 74, nothing left half-written" {
	problems=()
	while IFS='^' read -r args want msg; do
		st=0
		# shellcheck disable=SC2086
		sluice-drift $args > out.warc 2> err || st=$?
		[ "$st" -eq "$want" ] || problems+=("$args: status $st, want $want: $(cat err)")
		[[ "$(cat err)" == *"$msg"* ]] || problems+=("$args: stderr lacks '$msg': $(cat err)")
	done <<-'EOF'
	-s /nonexistent/p.prof a.warc^73^/nonexistent/p.prof: cannot create
	-b a.prof -r /nonexistent/r.json a.warc^73^cannot create
	-b a.prof --html /nonexistent/r.html a.warc^73^cannot create
	--merge a.prof -o /nonexistent/m.prof^73^cannot create
	-s /dev/full a.warc^74^/dev/full: cannot write
	-b a.prof -r /dev/full a.warc^74^/dev/full: cannot write
	-b a.prof --html /dev/full a.warc^74^/dev/full: cannot write
	--merge a.prof -o /dev/full^74^/dev/full: cannot write
	-s p.prof -o /dev/full a.warc^74^/dev/full
	EOF
	st=0
	sluice-drift --show a.prof > /dev/full 2> err || st=$?
	[ "$st" -eq 74 ] || problems+=("--show > /dev/full: status $st")
	st=0
	sluice-drift --merge a.prof > /dev/full 2> err || st=$?
	[ "$st" -eq 74 ] || problems+=("--merge > /dev/full: status $st")
	fail_all
	[ ! -e p.prof ] || fail "a profile was saved by a run that failed"
}

@test "SIGPIPE and SIGINT: no partial profile, report or stream file" {
	awk 'BEGIN { for (i = 0; i < 20000; i++) printf "{\"x\":%d}\n", i }' |
	    sluice-ingest -f jsonl > big.warc
	run bash -c 'sluice-drift -s sp.prof big.warc | head -c 100 > /dev/null; echo "${PIPESTATUS[0]}"'
	[ "$output" = 141 ] || fail "status after SIGPIPE: $output"
	[ ! -e sp.prof ] || fail "a profile was saved after SIGPIPE"
	run python3 -c '
import os, signal, subprocess, time
r, w = os.pipe()
p = subprocess.Popen(["sluice-drift", "-o", "si.warc", "--save", "si.prof",
    "-b", "a.prof", "-r", "si.json", "--html", "si.html"], stdin=r)
os.close(r)
os.write(w, open("a.warc", "rb").read())
time.sleep(1)
p.send_signal(signal.SIGINT)
print(p.wait())
os.close(w)
print(sorted(f for f in os.listdir(".") if "si" in f))
' 
	[ "${lines[0]}" = -2 ] || [ "${lines[0]}" = 130 ] || fail "status after SIGINT: $output"
	[ "${lines[1]}" = '[]' ] || fail "files left after SIGINT: $output"
}

@test "field names with markup and quotes are escaped in the page and the metrics" {
	printf '{"<b>&\\"x\\u0027":"<script>","a&amp;":1,"q\\"\\\\\\n":2}\n' |
	    sluice-ingest -f jsonl > h.warc
	sluice-drift -s h.prof h.warc > /dev/null
	run sluice-drift -b h.prof --html h.html --metrics m.prom h.warc
	expect_status 0
	grep -q '<h2>&lt;b&gt;&amp;&quot;x' h.html || fail "name not escaped: $(grep -o '<h2>[^<]*' h.html)"
	grep -q '<h2>a&amp;amp;' h.html || fail "& not escaped"
	! grep -q '<script>' h.html || fail "a value reached the page raw"
	grep -q 'field="q\\"\\\\\\n"' m.prom || fail "metrics label: $(grep -o 'field="q[^}]*' m.prom | head -1)"
}

@test "hostile contracts for --propose: refused with 78 before any output" {
	printf '{"x":1,"c":"a","new":true}\n' | sluice-ingest -f jsonl > new.warc
	problems=()
	while IFS='^' read -r contract want msg version; do
		printf '%s' "$contract" > c.json
		rm -f prop.json
		st=0
		sluice-drift -q -b a.prof --propose c.json --proposal prop.json \
		    new.warc > out.warc 2> err || st=$?
		[ "$st" -eq "$want" ] || problems+=("$contract: status $st, want $want: $(cat err)")
		[[ "$(cat err)" == *"$msg"* ]] || problems+=("$contract: stderr lacks '$msg': $(cat err)")
		if [ "$want" -eq 78 ]; then
			[ ! -s out.warc ] || problems+=("$contract: records written before refusing")
			[ ! -e prop.json ] || problems+=("$contract: a proposal was written")
		else
			got=$(jq -c '[.version, (.record.properties.new.type)]' prop.json)
			[ "$got" = "$version" ] || problems+=("$contract: proposal $got, want $version")
		fi
	done <<-'EOF'
	^78^not JSON^
	[]^78^a contract is a JSON object^
	{"contract":"c"}^78^"version" is missing^
	{"contract":"c","version":"1","record":[]}^78^"record" is not a schema object^
	{"contract":"c","version":1e5,"record":{}}^78^"version" 1e5 is not a whole number^
	{"contract":"c","version":-3,"record":{}}^78^"version" -3 is not a whole number^
	{"contract":"c","version":1.5,"record":{}}^78^"version" 1.5 is not a whole number^
	{"contract":"c","version":"1","record":{},"record":{}}^78^key "record" appears twice^
	{"contract":"c","version":"1","record":{"properties":{"x":{},"x":{}}}}^78^key "x" appears twice^
	{"contract":"c","version":7,"record":{}}^1^^[8,["boolean"]]
	{"contract":"c","version":"v1.9","record":{"properties":[]}}^1^^["v1.10",["boolean"]]
	{"contract":"c","version":"beta","record":{"properties":{"x":1}}}^1^^["beta.1",["boolean"]]
	EOF
	st=0
	sluice-drift -q -b a.prof --propose . --proposal prop.json new.warc > /dev/null 2> err || st=$?
	[ "$st" -eq 78 ] || problems+=("a folder as contract: status $st: $(cat err)")
	st=0
	sluice-drift -q -b a.prof --propose c.json --proposal ./c.json new.warc > /dev/null 2> err || st=$?
	[ "$st" -eq 64 ] || problems+=("--proposal naming the contract: status $st")
	fail_all
}

@test "profiles of different fields do not merge or compare (78); a pointer twice counts once" {
	sluice-drift -F /x,/c -s xc.prof a.warc > /dev/null
	sluice-drift -F /c,/x,/c -F /x -s cx.prof a.warc > /dev/null
	run jq -c '[.fields_selected, .fields["/c"].count]' cx.prof
	[ "$output" = '[["/c","/x"],300]' ] || fail "selection: $output"
	problems=()
	while IFS='^' read -r args want msg; do
		st=0
		# shellcheck disable=SC2086
		sluice-drift $args > out 2> err || st=$?
		[ "$st" -eq "$want" ] || problems+=("$args: status $st, want $want: $(cat err)")
		[[ "$(cat err)" == *"$msg"* ]] || problems+=("$args: stderr lacks '$msg': $(cat err)")
		[ "$want" -ne 78 ] || [ ! -s out ] || problems+=("$args: wrote output before refusing")
	done <<-'EOF'
	--merge a.prof xc.prof^78^xc.prof: incompatible with a.prof: it profiles --fields /c,/x, not top-level fields
	--merge xc.prof a.prof^78^a.prof: incompatible with xc.prof
	--merge xc.prof cx.prof^0^
	-b xc.prof a.warc^78^xc.prof: incompatible: the baseline profiles --fields /c,/x, this run top-level fields
	-b xc.prof -F /c a.warc^78^this run --fields /c
	-b xc.prof -F /x,/c a.warc^0^no drift
	-b a.prof -F /x a.warc^78^the baseline profiles top-level fields
	EOF
	fail_all
	jq -c 'del(.fields_selected)' a.prof > old.prof
	run sluice-drift -b old.prof a.warc
	expect_status 0
	jq -c '.fields_selected = ["x"]' a.prof > bad.prof
	run sluice-drift --show bad.prof
	expect_status 78
	expect_match 'item 0 is not a JSON Pointer'
}
