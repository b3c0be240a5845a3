#!/usr/bin/env bats
# drift.bats - sluice-drift: pass-through, profiles (save, show, merge,
# hostile input), exit statuses, windows, fields.

load lib

# gen NAME N SHIFT [EXTRA]: N JSON Lines records into NAME.warc: x uniform on
# 0..99 plus SHIFT, c one of a/b/c (d too when EXTRA is "d"), flag a boolean.
gen() {
	awk -v n="$2" -v s="$3" -v extra="${4:-}" 'BEGIN {
		for (i = 0; i < n; i++) {
			c = substr("abc" extra, i % length("abc" extra) + 1, 1)
			printf "{\"x\":%d,\"c\":\"%s\",\"flag\":%s}\n", i % 100 + s, c,
			    (i % 3 ? "true" : "false")
		}
	}' | sluice-ingest -f jsonl >"$1.warc"
}

@test "the stream passes through unchanged, the profile is JSON" {
	gen a 500 0
	run bash -c 'sluice-drift --save a.prof < a.warc > out.warc'
	expect_status 0
	cmp a.warc out.warc || fail "stream changed"
	run jq -r '[.sluice_profile, .records, .json_records, (.fields | keys | join(",")),
	    .fields.x.types.number, .fields.c.types.string, .fields.flag.types.boolean,
	    .stream.media_types.items[0][0]] | @tsv' a.prof
	expect_status 0
	[ "$output" = $'1\t500\t500\tc,flag,x\t500\t500\t500\tapplication/json' ] ||
	    fail "got: $output"
}

@test "non-data records pass and are not profiled" {
	gen a 10 0
	sluice-drift -s a.prof < a.warc > /dev/null
	run jq .records a.prof
	[ "$output" = 10 ] || fail "records: $output"
	run bash -c 'streamcat -c a.warc'
	[ "$output" = 11 ] || fail "stream has $output records"
}

@test "same data: exit 0; shifted, new category, added field: exit 1" {
	gen a 1000 0
	gen same 1000 0
	gen shift 1000 30
	gen cat 1000 0 d
	streamcat -d -p a.warc | sed 's/}$/,"new":1}/' | sluice-ingest -f jsonl > added.warc
	streamcat -d -p a.warc | sed 's/"c":"[a-z]",//' | sluice-ingest -f jsonl > missing.warc
	sluice-drift -s a.prof < a.warc > /dev/null
	problems=()
	while read -r input want drifted; do
		run bash -c "sluice-drift -b a.prof -r r.json $input.warc > /dev/null"
		[ "$status" -eq "$want" ] || problems+=("$input: status $status, want $want: $output")
		got=$(jq -r '.drifted | join(",") | if . == "" then "-" else . end' r.json)
		[ "$got" = "$drifted" ] || problems+=("$input: drifted '$got', want '$drifted'")
	done <<-'EOF'
	same 0 -
	shift 1 x
	cat 1 c
	added 1 new
	missing 1 c
	EOF
	fail_all
}

@test "exit statuses: 64 usage, 65 malformed, 66 missing, 78 bad profile" {
	gen a 20 0
	sluice-drift -s a.prof < a.warc > /dev/null
	printf 'not a profile' > bad.prof
	printf 'WARC/1.1\r\nWARC-Type: resource\r\n' > broken.warc
	printf '{"x":1' > notjson.txt
	sluice-ingest -f raw notjson.txt | sed 's|text/plain; charset=utf-8|application/json|' > badjson.warc
	problems=()
	while IFS='|' read -r cmd want pattern; do
		run bash -c "$cmd"
		[ "$status" -eq "$want" ] || problems+=("$cmd: status $status, want $want: $output")
		[[ "$output" =~ $pattern ]] || problems+=("$cmd: message '$output' lacks '$pattern'")
	done <<-'EOF'
	sluice-drift < a.warc|64|nothing to do
	sluice-drift --bogus|64|bogus
	sluice-drift -b a.prof --window 0 a.warc|64|at least 1
	sluice-drift -b a.prof --window 2 --window-time PT1H a.warc|64|exclude
	sluice-drift -b a.prof --window-time 1h a.warc|64|window-time
	sluice-drift -b a.prof --correction holm a.warc|64|bh, bonferroni or none
	sluice-drift -b a.prof --threshold nope=1 a.warc|64|NAME=VALUE
	sluice-drift -b a.prof --threshold js_distance=x a.warc|64|threshold
	sluice-drift -b a.prof --drift-share 2 a.warc|64|drift-share
	sluice-drift -s x.prof --report r.json a.warc|64|baseline
	sluice-drift -b a.prof --propose c.json a.warc|64|go together
	sluice-drift -b a.prof --fields age a.warc|64|JSON Pointers
	sluice-drift --merge --show a.prof|64|exclude
	sluice-drift --show a.prof -s x.prof|64|profiles alone
	sluice-drift --now yesterday -s x.prof a.warc|64|now
	sluice-drift -s x.prof broken.warc|65|broken.warc
	sluice-drift -s x.prof badjson.warc|65|record 2 at byte [0-9]+: payload labelled JSON is not JSON
	sluice-drift -s /nonexistent/x.prof a.warc|73|/nonexistent/x.prof
	sluice-drift -b a.prof -r /nonexistent/r.json a.warc|73|/nonexistent/r.json
	sluice-drift --merge a.prof -o /nonexistent/m.prof|73|/nonexistent/m.prof
	sluice-drift -s x.prof nosuch.warc|66|nosuch.warc: cannot open
	sluice-drift -b nosuch.prof a.warc|66|nosuch.prof: cannot open
	sluice-drift --show nosuch.prof|66|nosuch.prof
	sluice-drift --merge a.prof nosuch.prof|66|nosuch.prof
	sluice-drift -b bad.prof a.warc|78|bad.prof: not JSON
	sluice-drift --show bad.prof|78|bad.prof
	sluice-drift --merge a.prof bad.prof -o m.prof|78|bad.prof
	EOF
	fail_all
	[ ! -e x.prof ] || fail "a failed run left x.prof"
	[ ! -e m.prof ] || fail "a failed merge left m.prof"
}

@test "a failure keeps the stream whole and writes no profile" {
	gen a 5 0
	{ cat a.warc; printf 'WARC/1.1\r\nWARC-Type: resource\r\n'; } > broken.warc
	run bash -c 'sluice-drift -s p.prof broken.warc > out.warc'
	expect_status 65
	whole_records out.warc
	[ "$(streamcat -c out.warc)" = 6 ] || fail "records before the failure not all written"
	[ ! -e p.prof ] || fail "profile written on failure"
}

# hostile PROFILE: a jq program applied to a good profile, and the message.
@test "hostile profiles are refused with 78 and a message" {
	gen a 300 0
	sluice-drift -s a.prof < a.warc > /dev/null
	problems=()
	while IFS='#' read -r prog pattern; do
		jq -c "$prog" a.prof > h.prof
		run bash -c 'sluice-drift -b h.prof a.warc > /dev/null'
		[ "$status" -eq 78 ] || problems+=("$prog: status $status: $output")
		[[ "$output" =~ h\.prof:\ .*$pattern ]] || problems+=("$prog: '$output' lacks '$pattern'")
	done <<-'EOF'
	.sluice_profile = 2#version 2 is not supported
	.sluice_profile = "1"#not a count
	del(.sluice_profile)#no "sluice_profile"
	[.]#not a JSON object
	.records = -1#not a count
	.records = 1.5#not a count
	.json_records = 301#JSON records but
	.fields.x.count = 299#count 299 but types add up to 300
	.fields.x.types.number = 299#types add up
	.fields.x.types = 3#not an object
	del(.fields.x.types.null)#"null" is missing
	.fields.x.number.moments.n = 299#
	.fields.x.number.kll = null#no quantile sketch
	.fields.c.categories.total = 5#
	.fields.c.categories = "x"#
	.fields.x.count = 301 | .fields.x.types.number = 301#beyond the 300 JSON records
	.fields = []#"fields" is not an object
	del(.stream)#"stream" is missing
	.stream.payload_size.moments.n = 3#
	.fields.x.number.moments.mean = "NaN"#
	.fields.x.number.moments.m2 = -1#m2
	.fields.x.number.kll.n = 9007199254740992#kll
	.fields.x.number.kll.k = 0#kll: 'k'
	.fields.x.number.kll.levels = [[1e308]]#kll
	.fields.c.categories.items += [["zz",1,0]]#topk
	.fields.c.categories.items = [range(2000) | ["k\(.)",1,0]]#topk
	.fields.c.distinct.p = 40#hll
	.fields.c.distinct = {}#hll
	.fields.z = {"count":0,"types":{"null":0,"boolean":0,"number":0,"string":0,"array":0,"object":0}}#a count of 0
	EOF
	fail_all
	# numbers jq would rewrite
	while IFS='|' read -r from to pattern; do
		sed "s/$from/$to/" a.prof > h.prof
		run bash -c 'sluice-drift -b h.prof a.warc > /dev/null'
		[ "$status" -eq 78 ] || problems+=("$to: status $status: $output")
		[[ "$output" =~ $pattern ]] || problems+=("$to: '$output' lacks '$pattern'")
	done <<-'EOF'
	"records":300|"records":1e3|"records" is not a count
	"records":300|"records":300.0|"records" is not a count
	"records":300|"records":99999999999999999999|"records" is not a count
	"records":300|"records":9007199254740993|"records" 9007199254740993 is beyond 2\^53
	"records":300|"records":-0|"records" is not a count
	EOF
	fail_all
	# truncated at several places; empty; binary
	for n in 1 10 100 1000 2000; do
		head -c "$n" a.prof > t.prof
		run bash -c 'sluice-drift --show t.prof'
		[ "$status" -eq 78 ] || problems+=("truncated at $n: status $status")
	done
	: > e.prof
	run bash -c 'sluice-drift --show e.prof'
	[ "$status" -eq 78 ] || problems+=("empty: status $status")
	printf '{"sluice_profile":1,"records":NaN}' > n.prof
	run bash -c 'sluice-drift --show n.prof'
	[ "$status" -eq 78 ] || problems+=("NaN: status $status")
	head -c 3000 /dev/urandom > r.prof
	run bash -c 'sluice-drift --show r.prof'
	[ "$status" -eq 78 ] || problems+=("random bytes: status $status")
	fail_all
}

@test "merge: the profile of A+B equals the merge of the profiles of A and B" {
	gen a 3000 0
	gen b 2000 25 d
	cat a.warc b.warc > ab.warc
	sluice-drift -s a.prof < a.warc > /dev/null
	sluice-drift -s b.prof < b.warc > /dev/null
	sluice-drift -s ab.prof < ab.warc > /dev/null
	run sluice-drift --merge a.prof b.prof -o m.prof
	expect_status 0
	sluice-drift --merge b.prof a.prof > m2.prof
	# exact parts: counts, types, moments (to rounding), categories
	exact='[.records, .json_records, (.fields | map_values(.count, .types)),
	    .fields.c.categories.items, .fields.flag.categories.items,
	    (.fields.x.number.moments | .n, .min, .max, (.mean * 1e9 | round),
	    (.m2 | round))]'
	for m in m.prof m2.prof; do
		diff <(jq -c "$exact" ab.prof) <(jq -c "$exact" $m) ||
		    fail "$m differs from the profile of A+B"
	done
	# the sketched quantiles agree within the sketch's error (1% of ranks)
	q() { sluice-drift --show "$1" | sed -n 's/.*numbers: .*p50 \([0-9.]*\).*/\1/p'; }
	a=$(q ab.prof) b=$(q m.prof)
	awk -v a="$a" -v b="$b" 'BEGIN { exit !(a - b < 3 && b - a < 3) }' ||
	    fail "medians $a and $b too far apart"
	# merging is associative: (A+B)+B == A+(B+B) on the exact parts
	sluice-drift --merge m.prof b.prof > l.prof
	sluice-drift --merge b.prof b.prof > bb.prof
	sluice-drift --merge a.prof bb.prof > r.prof
	diff <(jq -c "$exact" l.prof) <(jq -c "$exact" r.prof) || fail "not associative"
	# comparing with the merged profile is what comparing with A+B gives
	run bash -c 'sluice-drift -q -b m.prof ab.warc > /dev/null'
	expect_status 0
}

@test "--show prints a readable summary" {
	gen a 100 0
	sluice-drift -s a.prof < a.warc > /dev/null
	run sluice-drift --show a.prof
	expect_status 0
	expect_line 'profile a.prof: 100 records, 100 JSON, 3 fields'
	expect_line 'field "x": numeric, count 100, null rate 0, types number 100'
	expect_line '  numbers: n 100, mean 49.5, std 28.8661, min 0, p50 49, max 99'
	expect_line 'field "c": categorical, count 100, null rate 0, types string 100'
	expect_line '  top: "a" 34, "b" 33, "c" 33'
}

@test "--fields profiles nested values by JSON Pointer" {
	printf '{"u":{"age":%d,"city":"%s"},"skip":1}\n' 30 Oslo 40 Rome 50 Oslo |
	    sluice-ingest -f jsonl > n.warc
	sluice-drift -s n.prof --fields /u/age,/u/city,/absent < n.warc > /dev/null
	run jq -c '[(.fields | keys), .fields["/u/age"].number.moments.mean, .fields["/u/city"].categories.items]' n.prof
	[ "$output" = '[["/u/age","/u/city"],40,[["Oslo",2,0],["Rome",1,0]]]' ] ||
	    fail "got $output"
}

@test "nulls, type mix and null rate are counted and compared" {
	printf '{"v":%s}\n' 5 5 5 5 5 5 5 5 5 5 | sluice-ingest -f jsonl > a.warc
	printf '{"v":%s}\n' 5 5 5 null null 5 5 5 5 5 | sluice-ingest -f jsonl > nulls.warc
	printf '{"v":%s}\n' 5 5 5 5 5 5 5 5 5 '"ten"' | sluice-ingest -f jsonl > types.warc
	sluice-drift -s a.prof < a.warc > /dev/null
	run bash -c 'sluice-drift -b a.prof -r r.json nulls.warc > /dev/null'
	expect_status 1
	run jq -c '[.schema.null_rate_changed, .fields.v.null_rate, .fields.v.reasons]' r.json
	[ "$output" = '[["v"],{"baseline":0,"current":0.2},["null_rate"]]' ] || fail "nulls: $output"
	run bash -c 'sluice-drift -b a.prof -r r.json -t null_rate=0.5 nulls.warc > /dev/null'
	expect_status 0
	run bash -c 'sluice-drift -b a.prof -r r.json types.warc > /dev/null'
	expect_status 1
	run jq -c '[.schema.type_changed, .fields.v.types.current.string]' r.json
	[ "$output" = '[["v"],1]' ] || fail "types: $output"
}

@test "thresholds, --drift-share and effect sizes decide" {
	gen a 1000 0
	gen s 1000 5
	sluice-drift -s a.prof < a.warc > /dev/null
	problems=()
	while IFS='|' read -r opts want; do
		run bash -c "sluice-drift -q -b a.prof $opts s.warc > /dev/null"
		[ "$status" -eq "$want" ] || problems+=("$opts: status $status, want $want")
	done <<-'EOF'
	|1
	-t wasserstein_norm=0.5|0
	-t wasserstein_norm=0.5 -t psi=0.01|1
	--drift-share 0.5|0
	--drift-share 0.3|1
	-t alpha=1e-300|0
	EOF
	fail_all
	# a shift of 5 in 100 over 1,000 rows is within what the sketches can
	# resolve, so alpha keeps it from counting; 40 in 100 is not
	gen big 1000 40
	run bash -c 'sluice-drift -q -b a.prof -t alpha=0.05 s.warc > /dev/null'
	expect_status 0
	run bash -c 'sluice-drift -q -b a.prof -t alpha=0.05 big.warc > /dev/null'
	expect_status 1
	# the shift is tiny against the spread: a million-row-like p-value is
	# tiny, yet the effect size says no drift
	gen t 1000 1
	run bash -c 'sluice-drift -b a.prof -r r.json t.warc > /dev/null'
	expect_status 0
	run jq '.fields.x.stats.wasserstein_norm < 0.1' r.json
	[ "$output" = true ] || fail "wasserstein_norm: $output"
}

@test "corrections: bh (default), bonferroni, none" {
	gen a 600 0
	gen s 600 3 d
	sluice-drift -s a.prof < a.warc > /dev/null
	for m in bh bonferroni none; do
		sluice-drift -q -b a.prof --correction $m -r $m.json s.warc > /dev/null || true
	done
	run jq -r '[.correction, (.fields.x.stats | .ks_p_max, .ks_p_adjusted),
	    (.fields.c.stats | .chi2_p, .chi2_p_adjusted),
	    (.fields.flag.stats | .chi2_p, .chi2_p_adjusted)] | @tsv' bh.json bonferroni.json none.json
	expect_status 0
	# adjusted values computed here from the raw ones
	echo "$output" | awk -F'\t' '
	{ p[1] = $2; p[2] = $4; p[3] = $6; a[1] = $3; a[2] = $5; a[3] = $7 }
	$1 == "none" { for (i = 1; i <= 3; i++) if (a[i] != p[i]) bad = bad " none" }
	$1 == "bonferroni" { for (i = 1; i <= 3; i++) { w = 3 * p[i]; if (w > 1) w = 1
		if (w - a[i] > 1e-9 || a[i] - w > 1e-9) bad = bad " bonferroni" } }
	$1 == "bh" { # sort ranks
		for (i = 1; i <= 3; i++) { r = 1; for (j = 1; j <= 3; j++) if (p[j] < p[i] || (p[j] == p[i] && j < i)) r++; rk[i] = r }
		for (i = 1; i <= 3; i++) { m = 1; for (j = 1; j <= 3; j++) if (rk[j] >= rk[i]) { v = p[j] * 3 / rk[j]; if (v < m) m = v }
			if (m - a[i] > 1e-9 || a[i] - m > 1e-9) bad = bad " bh" } }
	END { if (bad) { print "wrong:" bad; exit 1 } }' || fail "$output"
}

@test "windows: one line per window as it closes, one object per window" {
	gen a 400 0
	gen s 200 40
	cat a.warc s.warc > as.warc
	sluice-drift -s a.prof < a.warc > /dev/null
	run bash -c 'sluice-drift -b a.prof --window 200 -r w.json as.warc 2>&1 > out.warc'
	expect_status 1
	cmp as.warc out.warc || fail "stream changed"
	[ "${#lines[@]}" -ge 3 ] || fail "$output"
	[[ "${lines[0]}" == "sluice-drift: window 1 (records 1-200): no drift: 0 of 3 fields drifted" ]] || fail "${lines[0]}"
	[[ "${lines[1]}" == "sluice-drift: window 2 (records 201-400): no drift: 0 of 3 fields drifted" ]] || fail "${lines[1]}"
	[[ "${lines[2]}" == 'sluice-drift: window 3 (records 401-600): drift: 1 of 3 fields drifted: "x"' ]] || fail "${lines[2]}"
	run jq -c '[.windows_total, .windows_drifted, [.windows[] | [.window, .first_record, .last_record, .drift, .records.current]]]' w.json
	[ "$output" = '[3,1,[[1,1,200,false,200],[2,201,400,false,200],[3,401,600,true,200]]]' ] || fail "$output"
	# a partial last window is compared too
	run bash -c 'sluice-drift -q -b a.prof --window 300 -r w.json a.warc > /dev/null'
	expect_status 0
	run jq -c '[.windows[] | [.first_record, .last_record]]' w.json
	[ "$output" = '[[1,300],[301,400]]' ] || fail "$output"
}

@test "--window-time: tumbling windows of event time" {
	for d in 01 01 01 02 02 05; do
		printf '{"t":"2026-01-%sT10:00:00Z","v":%s}\n' "$d" "${d#0}"
	done > t.jsonl
	sluice-ingest -e t t.jsonl > t.warc
	sluice-drift -s t.prof < t.warc > /dev/null
	run bash -c 'sluice-drift -b t.prof --window-time P1D -r w.json t.warc > /dev/null'
	run jq -c '[.windows[] | [.start, .end, .first_record, .last_record]]' w.json
	[ "$output" = '[["2026-01-01T10:00:00Z","2026-01-02T10:00:00Z",1,3],["2026-01-02T10:00:00Z","2026-01-03T10:00:00Z",4,5],["2026-01-05T10:00:00Z","2026-01-06T10:00:00Z",6,6]]' ] ||
	    fail "$output"
}

@test "stream facts: media types, sizes, image dimensions, classification, age" {
	# a PNG, a GIF, a JPEG and a WebP header, and a text file
	printf '\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\x01\x2c\0\0\0\xc8\x08\x02\0\0\0' > a.png
	printf 'GIF89a\x40\x01\xf0\x00\x00\x00\x00;' > b.gif
	printf '\xff\xd8\xff\xe0\x00\x04ab\xff\xc0\x00\x11\x08\x00\x78\x00\xa0\x03' > c.jpg
	printf 'RIFF\x1a\0\0\0WEBPVP8X\x0a\0\0\0\0\0\0\0\x7f\x02\0\xdf\x01\0' > d.webp
	printf 'hello\n' > e.txt
	sluice-ingest -f raw -c public a.png b.gif c.jpg d.webp e.txt > m.warc
	sluice-drift -s m.prof --now 2030-01-01T00:00:00Z < m.warc > /dev/null
	run jq -c '[.stream.image_width.moments | .n, .min, .max]' m.prof
	[ "$output" = '[4,160,640]' ] || fail "widths: $output"
	run jq -c '[.stream.image_height.moments | .n, .min, .max]' m.prof
	[ "$output" = '[4,120,480]' ] || fail "heights: $output"
	run jq -c '[.stream.classification.items, (.stream.media_types.items | map(.[0]) | sort)]' m.prof
	[ "$output" = '[[["public",5,0]],["image/gif","image/jpeg","image/png","image/webp","text/plain"]]' ] ||
	    fail "classification, types: $output"
	run jq -c '.stream.payload_size.moments | [.n, .min]' m.prof
	[ "$output" = '[5,6]' ] || fail "sizes: $output"
	run jq '.stream.age_seconds.moments.n' m.prof
	[ "$output" = 5 ] || fail "ages: $output"
}

@test "fields beyond the cap are counted and warned about, memory stays bounded" {
	awk 'BEGIN { printf "{"; for (i = 0; i < 1100; i++) printf "%s\"f%d\":%d", i ? "," : "", i, i; print "}" }' |
	    sluice-ingest -f jsonl > wide.warc
	run bash -c 'sluice-drift -s w.prof wide.warc > /dev/null'
	expect_status 0
	expect_match 'more than 1024 distinct fields'
	run jq -c '[(.fields | length), .fields_dropped]' w.prof
	[ "$output" = '[1024,76]' ] || fail "$output"
}

@test "numbers are read as the nearest double, huge ones not sketched" {
	printf '{"v":%s}\n' 0.1 -0 2.5E-3 1e5 123456789012345678 0.30000000000000004 \
	    -12.75 0.000000000000000000000001 99999.999999999999 1e400 > n.jsonl
	sluice-ingest n.jsonl > n.warc
	sluice-drift -s n.prof n.warc > /dev/null
	run jq -c '.fields.v | [.types.number, .number.moments.n, .number.moments.min, .number.moments.max]' n.prof
	[ "$output" = '[10,9,-12.75,123456789012345680]' ] || fail "$output"
	# every value sketched is exactly the double jq reads
	run bash -c "jq -c '[.fields.v.number.kll.levels[][]] | sort' n.prof"
	want=$(grep -v 1e400 n.jsonl | jq -s -c '[.[].v] | sort')
	[ "$output" = "$want" ] || fail "sketched $output" "jq reads $want"
}

@test "-z writes each record as a gzip member; gzip input is read" {
	printf '{"v":%s}\n' 1 2 3 | sluice-ingest -f jsonl > a.warc
	run bash -c 'sluice-drift -z -s a.prof a.warc > a.warc.gz'
	expect_status 0
	[ "$(streamcat -c a.warc.gz)" = 4 ] || fail "not a stream"
	run bash -c 'sluice-drift -s b.prof a.warc.gz > b.warc'
	expect_status 0
	cmp <(jq -c .fields a.prof) <(jq -c .fields b.prof) || fail "profiles differ"
}

@test "live: records read leave before the input ends" {
	printf '{"v":%s}\n' 1 2 3 | sluice-ingest -f jsonl > a.warc
	{ cat a.warc; sleep 4; } | sluice-drift -s p.prof > out.warc &
	n=0
	for i in $(seq 1 30); do
		n=$(streamcat -c out.warc 2>/dev/null || echo 0)
		[ "$n" = 4 ] && break
		sleep 0.1
	done
	wait
	[ "$n" = 4 ] || fail "only $n records out while the input was open"
	[ "$(jq .records p.prof)" = 3 ] || fail "profile: $(jq .records p.prof)"
}

@test "names from data and profiles reach the terminal escaped" {
	printf '{"a\\u001b[31mb":1,"c":"x\\u0007y"}\n' | sluice-ingest -f jsonl > e.warc
	sluice-drift -s e.prof e.warc > /dev/null
	run sluice-drift --show e.prof
	expect_status 0
	expect_line 'field "a\u001b[31mb": numeric, count 1, null rate 0, types number 1'
	expect_line '  top: "x\u0007y" 1'
	printf '{"c":"y"}\n' | sluice-ingest -f jsonl > f.warc
	run bash -c 'sluice-drift -b e.prof f.warc 2>&1 >/dev/null'
	expect_status 1
	expect_line 'sluice-drift: field "a\u001b[31mb": missing'
}
