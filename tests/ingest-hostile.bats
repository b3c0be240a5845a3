#!/usr/bin/env bats
# ingest-hostile.bats - sluice-ingest(1) against hostile and broken input:
# every failure is an exact exit status (never a signal), a message naming
# the file and the place, and a stdout of whole records only.

load lib

# noise SEED N: 32*N bytes that look random but are the same on every
# machine (a SHA-256 chain; no awk rand(), which differs between awks).
noise() {
	local i hex=
	for ((i = 1; i <= $2; i++)); do
		hex+=$(printf '%s' "$1-$i" | sha256sum | cut -c1-64)
	done
	# shellcheck disable=SC2059
	printf "$(printf '%s' "$hex" | sed 's/../\\x&/g')"
}

# Producers: each writes one input file and sets $input (and $B when the
# message names a byte that depends on the file).
mk_empty_csv() { : >empty.csv; input=empty.csv; }
mk_header_csv() { printf 'a,b\n' >hdr.csv; input=hdr.csv; }
mk_header_crlf_csv() { printf 'a,b\r\n' >hdrcrlf.csv; input=hdrcrlf.csv; }
mk_header_tsv() { printf 'a\tb\n' >hdr.tsv; input=hdr.tsv; }
mk_blank_csv() { printf '\n\n\r\n' >blank.csv; input=blank.csv; }
mk_nul_csv() { printf 'a,b\n1,x\0y\n' >nul.csv; input=nul.csv; }
mk_nul_quoted_csv() { printf 'a,b\n1,2\n3,"x\0"\n' >nulq.csv; input=nulq.csv; }
mk_nul_header_csv() { printf 'a\0,b\n1,2\n' >nulh.csv; input=nulh.csv; }
mk_nul_tsv() { printf 'a\tb\n1\tx\0\n' >nul.tsv; input=nul.tsv; }
mk_nul_jsonl() { printf '{"a":1}\n{"a":"x\0"}\n' >nul.jsonl; input=nul.jsonl; }
mk_nul_json() { printf '[1,"a\0"]' >nul.json; input=nul.json; }
mk_trunc_gzip() {
	printf 'a,b\n1,2\n3,4\n' | gzip -n | head -c 20 >trunc.csv.gz
	input=trunc.csv.gz
}
mk_magic_only() { printf '\037\213' >magic.csv; input=magic.csv; }
mk_gzip_trailing() {
	printf 'a,b\n1,2\n3,4\n' | gzip -n >trail.csv.gz
	B=$(wc -c <trail.csv.gz)
	printf 'GARBAGE' >>trail.csv.gz
	input=trail.csv.gz
}
mk_gzip_trailing_zeros() {
	printf 'a,b\n1,2\n' | gzip -n >zeros.csv.gz
	B=$(wc -c <zeros.csv.gz)
	printf '\0\0\0\0' >>zeros.csv.gz
	input=zeros.csv.gz
}
mk_gzip_bad_crc() {
	printf 'a,b\n1,2\n' | gzip -n >crc.csv.gz
	printf '\0\0\0\0' | dd of=crc.csv.gz bs=1 seek=$(($(wc -c <crc.csv.gz) - 8)) conv=notrunc 2>/dev/null
	input=crc.csv.gz
}
mk_gzip_corrupt() {
	seq 1 2000 | sed 's/^/row,/' | { echo a,b; cat; } | gzip -n >corrupt.csv.gz
	printf '\377\377\377\377' | dd of=corrupt.csv.gz bs=1 seek=100 conv=notrunc 2>/dev/null
	input=corrupt.csv.gz
}
mk_unterminated_quote() { printf 'a,b\n1,2\n3,"abc\n' >unterm.csv; input=unterm.csv; }
mk_unterminated_quote_eof() { printf 'a,b\n1,2\n3,"abc' >untermeof.csv; input=untermeof.csv; }
mk_warc_cut() { head -c "$1" "$WARCIO/example.warc" >cut.warc; input=cut.warc; }
mk_warcgz_cut() { head -c "$1" "$WARCIO/example.warc.gz" >cut.warc.gz; input=cut.warc.gz; }
mk_random() { noise "$1" 64 >rnd.bin; input=rnd.bin; }
mk_random_after() {
	{ printf '%b' "$1"; noise "$2" 16; } >rnd.bin
	input=rnd.bin
}
mk_deep_json() { head -c 100000 /dev/zero | tr '\0' '[' >deep.json; input=deep.json; }
mk_deep_jsonl() { head -c 100000 /dev/zero | tr '\0' '[' >deep.jsonl; input=deep.jsonl; }
mk_deep_object() {
	{ printf '{"a":'; head -c 100000 /dev/zero | tr '\0' '['; } >deepobj.json
	input=deepobj.json
}
mk_badutf8_header() { printf 'a,b\377\n1,2\n' >badh.csv; input=badh.csv; }
mk_badutf8_row() { printf 'a,b\n1,2\n3,\303\n' >badr.csv; input=badr.csv; }
mk_csv() { printf 'a\n1\n' >ok.csv; input=ok.csv; }

@test "hostile: every bad input is an exact status, a message naming the place, whole records" {
	local producer opts want re records n=0 bad=0 err_text
	# producer | options | status | message regex (@F@ = the file, @B@ = $B;
	# - = no message at all) | records on stdout (- = any)
	while IFS='|' read -r producer opts want re records; do
		[ -n "$producer" ] || continue
		n=$((n + 1))
		rm -rf "$BATS_TEST_TMPDIR/row" && mkdir "$BATS_TEST_TMPDIR/row" && cd "$BATS_TEST_TMPDIR/row"
		input='' B=''
		$producer
		re=${re//@F@/$input}
		re=${re//@B@/$B}
		# shellcheck disable=SC2086
		timeout 20 sluice-ingest $opts $input >out 2>err && status=0 || status=$?
		err_text=$(cat err)
		if [ "$status" -ne "$want" ]; then
			printf 'row %d (%s %s): expected exit %s, got %s: %s\n' "$n" "$producer" "$opts" "$want" "$status" "$err_text" >&2
			bad=1
		fi
		if [ "$re" = - ]; then
			if [ -s err ]; then
				printf 'row %d (%s %s): expected no message, got: %s\n' "$n" "$producer" "$opts" "$err_text" >&2
				bad=1
			fi
		elif ! grep -Eq -- "$re" err; then
			printf 'row %d (%s %s): message does not match %s: %s\n' "$n" "$producer" "$opts" "$re" "$err_text" >&2
			bad=1
		fi
		if ! streamcat -c out >count 2>/dev/null; then
			printf 'row %d (%s %s): stdout is not whole records\n' "$n" "$producer" "$opts" >&2
			bad=1
		elif [ "$records" != - ] && [ "$(cat count)" -ne "$records" ]; then
			printf 'row %d (%s %s): expected %s records on stdout, got %s\n' "$n" "$producer" "$opts" "$records" "$(cat count)" >&2
			bad=1
		fi
	# records: what stdout holds, the run's warcinfo included; a run that
	# fails before its first data record writes nothing at all
	done <<'EOF'
mk_empty_csv||0|^sluice-ingest: @F@: no data rows|1
mk_header_csv||0|^sluice-ingest: @F@: no data rows|1
mk_header_crlf_csv||0|^sluice-ingest: @F@: no data rows|1
mk_header_tsv||0|^sluice-ingest: @F@: no data rows|1
mk_blank_csv||0|^sluice-ingest: @F@: no data rows|1
mk_nul_csv||65|^sluice-ingest: @F@: row 2 at byte 4: .*NUL byte at byte 7|0
mk_nul_quoted_csv||65|^sluice-ingest: @F@: row 3 at byte 8: .*NUL byte at byte 12|2
mk_nul_header_csv||65|^sluice-ingest: @F@: row 1 .*at byte 0: .*NUL|0
mk_nul_tsv||65|^sluice-ingest: @F@: row 2 at byte 4: .*NUL byte at byte 7|0
mk_nul_jsonl||65|^sluice-ingest: @F@: line 2 at byte 8: .*byte 15|2
mk_nul_json||65|^sluice-ingest: @F@: .*byte 5: .*control character|2
mk_trunc_gzip||65|^sluice-ingest: @F@: truncated gzip|-
mk_magic_only||65|^sluice-ingest: @F@: truncated gzip|0
mk_gzip_trailing||65|^sluice-ingest: @F@: .*after gzip member 1 \(compressed byte @B@\)|-
mk_gzip_trailing_zeros||65|^sluice-ingest: @F@: .*after gzip member 1 \(compressed byte @B@\)|-
mk_gzip_bad_crc||65|^sluice-ingest: @F@: corrupt gzip data in member 1|-
mk_gzip_corrupt||65|^sluice-ingest: @F@: corrupt gzip data in member 1 near compressed byte [0-9]+|-
mk_unterminated_quote||65|^sluice-ingest: @F@: row 3 at byte 8: .*quot|2
mk_unterminated_quote_eof||65|^sluice-ingest: @F@: row 3 at byte 8: .*quot|2
mk_warc_cut 5||65|^sluice-ingest: @F@: record 1 at byte 0: truncated|0
mk_warc_cut 100||65|^sluice-ingest: @F@: record 1 at byte 0: truncated|0
mk_warc_cut 400||65|^sluice-ingest: @F@: record 1 at byte 0: truncated record: Content-Length is 249 but the input ends after 165 bytes|0
mk_warc_cut 486||65|^sluice-ingest: @F@: record 1 at byte 0: truncated|0
mk_warc_cut 488||0|-|2
mk_warc_cut 1000||65|^sluice-ingest: @F@: record 2 at byte 488: truncated record: Content-Length is 470 but the input ends after 277 bytes|2
mk_warc_cut 1300||65|^sluice-ingest: @F@: record 3 at byte 1197: truncated|3
mk_warc_cut 3000||65|^sluice-ingest: @F@: record 4 at byte 2566: truncated record: Content-Length is 493 but the input ends after 127 bytes|4
mk_warc_cut 5119||65|^sluice-ingest: @F@: record 6 at byte 4316: truncated|6
mk_warcgz_cut 1000||65|^sluice-ingest: @F@: record [0-9]+ at byte [0-9]+: truncated gzip|-
mk_warcgz_cut 3000||65|^sluice-ingest: @F@: record [0-9]+ at byte [0-9]+: truncated gzip|-
mk_random 1|-f csv|65|^sluice-ingest: @F@: row [0-9]+ .*at byte [0-9]+: |0
mk_random 1|-f tsv|65|^sluice-ingest: @F@: row [0-9]+ .*at byte [0-9]+: |0
mk_random 1|-f jsonl|65|^sluice-ingest: @F@: line 1 at byte 0: |0
mk_random 1|-f json|65|^sluice-ingest: @F@: .*byte 0: |0
mk_random 1|-f warc|65|^sluice-ingest: @F@: record 1 at byte 0: |0
mk_random 2|-f csv|65|^sluice-ingest: @F@: row [0-9]+ .*at byte [0-9]+: |0
mk_random 2|-f warc|65|^sluice-ingest: @F@: record 1 at byte 0: |0
mk_random_after \x1f\x8b\x08\x00 g|-f csv|65|^sluice-ingest: @F@: .*corrupt gzip|0
mk_random_after \x1f\x8b\x08\x00 g|-f warc|65|^sluice-ingest: @F@: .*corrupt gzip|0
mk_random_after WARC/1.1\r\n w|-f warc|65|^sluice-ingest: @F@: record 1 at byte 0: |0
mk_random_after [ j|-f json|65|^sluice-ingest: @F@: .*byte 1: |0
mk_random_after { l|-f jsonl|65|^sluice-ingest: @F@: line 1 at byte 0: .*byte 1|0
mk_random_after a,b\n c|-f csv|65|^sluice-ingest: @F@: row 2 at byte 4: .*invalid UTF-8|0
mk_deep_json||65|^sluice-ingest: @F@: .*byte [0-9]+: .*nest|0
mk_deep_jsonl||65|^sluice-ingest: @F@: line 1 at byte 0: .*nest|0
mk_deep_object||65|^sluice-ingest: @F@: .*byte [0-9]+: .*nest|0
mk_badutf8_header||65|^sluice-ingest: @F@: row 1 .*at byte 0: column 2: invalid UTF-8|0
mk_badutf8_row||65|^sluice-ingest: @F@: row 3 at byte 8: .*invalid UTF-8|2
mk_csv|--bogus|64|^Try 'sluice-ingest --help'|0
mk_csv|-x|64|^Try 'sluice-ingest --help'|0
mk_csv|--max-errors abc|64|--max-errors.*abc|0
mk_csv|--max-errors -1|64|--max-errors|0
mk_csv|-f xml|64|xml|0
mk_csv|--classification secret|64|secret|0
mk_csv|--ragged maybe|64|maybe|0
mk_csv|-d ab|64|^Try 'sluice-ingest --help'|0
mk_csv|--encoding ebcdic|64|ebcdic|0
mk_csv|--key nosuch|64|ok.csv: --key "nosuch": no such column|-
mk_csv|-o nodir/out.warc|73|nodir/out.warc: cannot create|0
EOF
	[ "$n" -eq 59 ] || fail "the table has $n rows, expected 59"
	[ "$bad" -eq 0 ]
}

@test "hostile: a usage error says how to get help" {
	printf 'a\n1\n' >ok.csv
	for opts in --bogus "--max-errors abc" "-f xml" "--classification secret"; do
		# shellcheck disable=SC2086
		sluice-ingest $opts ok.csv >out 2>err && status=0 || status=$?
		[ "$status" -eq 64 ] || fail "$opts: expected 64, got $status"
		grep -qx "Try 'sluice-ingest --help' for more information." err ||
		    fail "$opts: no help hint in: $(cat err)"
		[ ! -s out ] || fail "$opts: output written"
	done
}

@test "hostile: a 10 MB field" {
	{ printf 'a,b\n1,'; head -c 10485760 /dev/zero | tr '\0' x; printf '\n2,y\n'; } >big.csv
	sluice-ingest big.csv >out
	run streamcat -d -f Content-Length,WARC-Target-URI out
	expect_status 0
	# {"a":1,"b":"..."} is 14 bytes around the field; {"a":2,"b":"y"} is 15.
	[ "$output" = "$(printf '10485774\tfile://%s/big.csv#row=2\n15\tfile://%s/big.csv#row=3' "$PWD" "$PWD")" ] ||
	    fail "got: $output"
	streamcat -d -p out | head -n 1 | cut -c1-20 | grep -qx '{"a":1,"b":"xxxxxxxx' || fail "payload starts wrong"
}

@test "hostile: a 5 MB JSON Lines line without a final newline" {
	{ printf '{"a":"'; head -c 5242880 /dev/zero | tr '\0' y; printf '"}'; } >long.jsonl
	sluice-ingest long.jsonl >out
	run streamcat -d -f Content-Length,WARC-Target-URI,WARC-Block-Digest out
	expect_status 0
	[ "$output" = "$(printf '5242888\tfile://%s/long.jsonl#line=0,1\tsha256:%s' "$PWD" "$(sha256sum <long.jsonl | cut -c1-64)")" ] ||
	    fail "got: $output"
}

@test "hostile: a CSV row of 100,000 columns works, in reasonable time" {
	awk 'BEGIN { for (i = 1; i <= 100000; i++) printf "%sc%d", (i > 1 ? "," : ""), i; printf "\n";
	             for (i = 1; i <= 100000; i++) printf "%s%d", (i > 1 ? "," : ""), i; printf "\n" }' >wide.csv
	# About 1.2 MB of input: linear work is a fraction of a second.
	timeout 5 sluice-ingest wide.csv >out 2>err && status=0 || status=$?
	[ "$status" -ne 124 ] || fail "100,000 columns took more than 5 s"
	expect_status 0
	# (streamcat -p ends each payload with a newline)
	streamcat -d -p out >payload
	[ "$(head -c 24 payload)" = '{"c1":1,"c2":2,"c3":3,"c' ] || fail "starts: $(head -c 40 payload)"
	[ "$(tail -c 33 payload)" = '"c99999":99999,"c100000":100000}' ] || fail "ends: $(tail -c 40 payload)"
}

@test "hostile: a header of thousands of repeated names is made unique in reasonable time" {
	awk 'BEGIN { for (i = 1; i <= 4000; i++) printf "%sa", (i > 1 ? "," : ""); printf "\n";
	             for (i = 1; i <= 4000; i++) printf "%s%d", (i > 1 ? "," : ""), i; printf "\n" }' >rep.csv
	# 16 KB of input.
	timeout 5 sluice-ingest rep.csv >out 2>err && status=0 || status=$?
	[ "$status" -ne 124 ] || fail "4,000 repeated column names took more than 5 s"
	expect_status 0
	streamcat -d -p out >payload
	[ "$(head -c 24 payload)" = '{"a":1,"a_2":2,"a_3":3,"' ] || fail "starts: $(head -c 40 payload)"
	[ "$(tail -c 15 payload)" = '"a_4000":4000}' ] || fail "ends: $(tail -c 40 payload)"
}

@test "hostile: -o FILE is not created when the run fails, and no temporary file is left" {
	local input
	mkdir od
	for input in bad.csv nul.csv cut.warc; do
		case $input in
		bad.csv) printf 'a\n1\n2,3\n' >bad.csv ;;
		nul.csv) printf 'a\n1\n\0\n' >nul.csv ;;
		cut.warc) head -c 3000 "$WARCIO/example.warc" >cut.warc ;;
		esac
		sluice-ingest -o od/out.warc "$input" 2>err && status=0 || status=$?
		[ "$status" -eq 65 ] || fail "$input: expected 65, got $status"
		[ -z "$(ls -A od)" ] || fail "$input: left in the output folder: $(ls -A od)"
	done
	# An existing FILE is kept as it was when the run fails.
	printf 'old\n' >od/out.warc
	sluice-ingest -o od/out.warc bad.csv 2>err && status=0 || status=$?
	expect_status 65
	[ "$(cat od/out.warc)" = old ] || fail "the old output was replaced"
	[ "$(ls -A od)" = out.warc ] || fail "left in the output folder: $(ls -A od)"
	# And a good run writes it whole.
	printf 'a\n1\n' >good.csv
	sluice-ingest -o od/out.warc good.csv
	[ "$(streamcat -d -c od/out.warc)" -eq 1 ]
	[ "$(ls -A od)" = out.warc ] || fail "left in the output folder: $(ls -A od)"
}

@test "hostile: writing into a closed pipe ends promptly" {
	seq 1 200000 | awk 'BEGIN { print "id,v" } { print $1 "," $1 * 2 }' >big.csv
	# shellcheck disable=SC2016
	run timeout 10 bash -c 'sluice-ingest big.csv | head -c 10 >/dev/null; echo "${PIPESTATUS[0]}"'
	[ "$status" -ne 124 ] || fail "sluice-ingest did not stop writing to a closed pipe"
	[ "$output" = 141 ] || [ "$output" = 74 ] || fail "exit status $output"
	# Endless input: only noticing the closed pipe can end it.
	# shellcheck disable=SC2016
	run timeout 10 bash -c '{ echo a,b; yes 1,2; } 2>/dev/null | sluice-ingest -f csv | head -c 10 >/dev/null; echo "${PIPESTATUS[1]}"'
	[ "$status" -ne 124 ] || fail "sluice-ingest did not stop on endless input into a closed pipe"
	[ "$output" = 141 ] || [ "$output" = 74 ] || fail "exit status $output"
	# With SIGPIPE ignored: a write error, exit 74.
	# shellcheck disable=SC2016
	run timeout 10 bash -c 'trap "" PIPE; { echo "{\"a\":1}"; yes "{\"b\":2}"; } 2>/dev/null | sluice-ingest -f jsonl 2>err | head -c 10 >/dev/null; echo "${PIPESTATUS[1]}"'
	[ "$status" -ne 124 ] || fail "sluice-ingest did not stop (SIGPIPE ignored)"
	[ "$output" = 74 ] || fail "exit status $output with SIGPIPE ignored"
	grep -q 'write error' err || fail "message: $(cat err)"
}

@test "hostile: a very long file name in a message does not overflow it" {
	name=$(printf 'd%.0s' $(seq 200))
	mkdir -p "$name/$name"
	printf 'a,b\n1,2\n' | gzip -n | head -c 20 > "$name/$name/$name.csv.gz"
	run sluice-ingest "$name/$name/$name.csv.gz"
	expect_status 65
	expect_match 'truncated gzip'
}

@test "hostile: a quote never closed stops at 64 MiB, naming where the row began" {
	{ printf 'a,b\n1,"open\n'; head -c 70000000 /dev/zero | tr '\0' 'x'; } > open.csv
	run --separate-stderr sluice-ingest open.csv
	expect_status 65
	[[ "$stderr" == "sluice-ingest: open.csv: row 2 at byte 4: longer than 64 MiB without a row end (a quote never closed?)" ]] ||
	    fail "stderr: $stderr"
}

@test "hostile: a key over 64 KiB is a bad row, not a record readers refuse" {
	{ echo id,v; head -c 70000 /dev/zero | tr '\0' k; echo ,1; echo 2,2; } > long.csv
	run --separate-stderr sh -c 'sluice-ingest --key id long.csv > out.warc'
	expect_status 65
	[[ "$stderr" == *"long.csv: row 2 at byte 5: refusing to write field \"Sluice-Key\": 70000 bytes, over the 65536-byte line limit"* ]] ||
	    fail "stderr: $stderr"
	whole_records out.warc
	run sh -c 'sluice-ingest -q --key id --max-errors 1 long.csv | streamcat -d -f Sluice-Key'
	expect_status 0
	[ "$output" = 2 ] || fail "got: $output"
}
