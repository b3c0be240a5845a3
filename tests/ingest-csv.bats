#!/usr/bin/env bats
# ingest-csv.bats - sluice-ingest(1) on CSV and TSV input: typing, quoting,
# headers, delimiters, locators, bad rows and their messages, keys, event
# times, compression, parallel parsing and record ids.
#
# Byte offsets in expected messages were counted by hand from the input
# shown next to them (a row's offset is that of its first byte, counting a
# byte order mark and the blank lines before it).

load lib

# ---- typing ---------------------------------------------------------------

@test "csv: every value is typed on its own, and --strings keeps them strings" {
	# Columns: the field as written in the CSV (printf %b escapes), the JSON
	# value sluice-ingest must write, the JSON value with --strings.  Each
	# field is tried as the first, middle and last of three columns, in a
	# file with LF row ends and one with CRLF row ends.  The table is a
	# $'...' string: \t separates the columns and \\ stands for the one
	# backslash that printf %b (fields) or JSON (values) then reads.
	local table=$'1\t1\t"1"
-7\t-7\t"-7"
0\t0\t"0"
-0\t-0\t"-0"
52000.50\t52000.50\t"52000.50"
1e5\t1e5\t"1e5"
1E+5\t1E+5\t"1E+5"
-1.5e-3\t-1.5e-3\t"-1.5e-3"
12345678901234567890\t12345678901234567890\t"12345678901234567890"
0123\t"0123"\t"0123"
+5\t"+5"\t"+5"
.5\t".5"\t".5"
5.\t"5."\t"5."
1e\t"1e"\t"1e"
0x1F\t"0x1F"\t"0x1F"
1_000\t"1_000"\t"1_000"
NaN\t"NaN"\t"NaN"
Infinity\t"Infinity"\t"Infinity"
 1\t" 1"\t" 1"
true\ttrue\t"true"
false\tfalse\t"false"
TRUE\t"TRUE"\t"TRUE"
True\t"True"\t"True"
null\t"null"\t"null"
\tnull\t""
""\t""\t""
  a  \t"  a  "\t"  a  "
"  a  "\t"  a  "\t"  a  "
"x,y"\t"x,y"\t"x,y"
"he said ""hi"""\t"he said \\"hi\\""\t"he said \\"hi\\""
""""\t"\\""\t"\\""
"l1\\nl2"\t"l1\\nl2"\t"l1\\nl2"
"c\\r\\nd"\t"c\\r\\nd"\t"c\\r\\nd"
"a\\n\\nb"\t"a\\n\\nb"\t"a\\n\\nb"
x\\ty\t"x\\ty"\t"x\\ty"
a\\\\b\t"a\\\\b"\t"a\\\\b"
caf\\xc3\\xa9\t"caf\xc3\xa9"\t"caf\xc3\xa9"
\\x01\t"\\u0001"\t"\\u0001"'
	local -a fields typed strs problems=() got want
	local line field rest eol mode i k n v z
	while IFS= read -r line; do
		field=${line%%$'\t'*}
		rest=${line#*$'\t'}
		fields+=("$field")
		typed+=("${rest%%$'\t'*}")
		strs+=("${rest#*$'\t'}")
	done <<<"$table"
	n=${#fields[@]}
	for eol in '\n' '\r\n'; do
		printf "a,b,c${eol}" >t.csv
		for field in "${fields[@]}"; do
			printf "%b,0,0${eol}0,%b,0${eol}0,0,%b${eol}" "$field" "$field" \
			    "$field" >>t.csv
		done
		for mode in typed strings; do
			if [ "$mode" = strings ]; then
				ingest --strings t.csv
			else
				ingest t.csv
			fi
			if [ "$status" -ne 0 ]; then
				problems+=("eol $eol, $mode: exit $status: $output")
				continue
			fi
			mapfile -t got < <(rows)
			[ "${#got[@]}" -eq $((3 * n)) ] ||
				problems+=("eol $eol, $mode: ${#got[@]} records, want $((3 * n))")
			for i in "${!fields[@]}"; do
				if [ "$mode" = strings ]; then
					v=${strs[i]} z='"0"'
				else
					v=${typed[i]} z=0
				fi
				want=("t.csv#row=$((3 * i + 2))"$'\t'"{\"a\":$v,\"b\":$z,\"c\":$z}"
				    "t.csv#row=$((3 * i + 3))"$'\t'"{\"a\":$z,\"b\":$v,\"c\":$z}"
				    "t.csv#row=$((3 * i + 4))"$'\t'"{\"a\":$z,\"b\":$z,\"c\":$v}")
				for k in 0 1 2; do
					[ "${got[3 * i + k]}" = "${want[k]}" ] ||
						problems+=("eol $eol, $mode, field [${fields[i]}] in column $((k + 1)):" "  want ${want[k]}" "  got  ${got[3 * i + k]}")
				done
			done
		done
	done
	fail_all
}

@test "csv: an unquoted empty field is null, a quoted one the empty string, in any column" {
	# The rows below go through both ways of splitting (rows with a doubled
	# quote or a line break inside quotes are split by libcsv).
	printf 'a,b,c\n,"",\n"x""y",,\n"",,""\n"l\n2",,\n,,\n' >t.csv
	ingest t.csv
	expect_status 0
	run rows
	[ "$output" = 't.csv#row=2	{"a":null,"b":"","c":null}
t.csv#row=3	{"a":"x\"y","b":null,"c":null}
t.csv#row=4	{"a":"","b":null,"c":""}
t.csv#row=5	{"a":"l\n2","b":null,"c":null}
t.csv#row=6	{"a":null,"b":null,"c":null}' ] || fail "got:" "$output"
	ingest --strings t.csv
	expect_status 0
	run rows
	[ "$output" = 't.csv#row=2	{"a":"","b":"","c":""}
t.csv#row=3	{"a":"x\"y","b":"","c":""}
t.csv#row=4	{"a":"","b":"","c":""}
t.csv#row=5	{"a":"l\n2","b":"","c":""}
t.csv#row=6	{"a":"","b":"","c":""}' ] || fail "--strings got:" "$output"
}

@test "csv: the example of the man page gives a typed JSON object" {
	printf 'id,name,vip\n7,"Ada, Countess",true\n' | sluice-ingest -f csv >out.warc
	run streamcat -d -p -f WARC-Target-URI,Content-Type out.warc
	[ "$output" = $'urn:sluice:stdin#row=2\tapplication/json\t{"id":7,"name":"Ada, Countess","vip":true}' ]
}

# ---- line ends, byte order mark, blank lines, locators ---------------------

@test "csv: #row= locators count rows, not lines (header = row 1, blank lines skipped)" {
	# Columns: the file (printf %b escapes) | options | the data rows'
	# locators and payloads, separated by ' ; ' ("none" when there are none).
	local problems=() content args want got
	while IFS='|' read -r content args want; do
		printf '%b' "$content" >t.csv
		# shellcheck disable=SC2086
		ingest $args t.csv
		if [ "$status" -ne 0 ]; then
			problems+=("[$content] $args: exit $status: $output")
			continue
		fi
		got=$(rows | sed 's/^t\.csv//' | awk 'NR > 1 { printf " ; " } { printf "%s", $0 }')
		[ -n "$got" ] || got=none
		[ "$got" = "$want" ] || problems+=("[$content] $args:" "  want $want" "  got  $got")
	done <<-'TABLE'
	a\n1\n2\n||#row=2	{"a":1} ; #row=3	{"a":2}
	a\n1\n2||#row=2	{"a":1} ; #row=3	{"a":2}
	a,b\n1,"x"||#row=2	{"a":1,"b":"x"}
	a\r\n1\r\n2\r\n||#row=2	{"a":1} ; #row=3	{"a":2}
	a\r\n1\r\n2||#row=2	{"a":1} ; #row=3	{"a":2}
	a\n\n1\n\n\n2\n\n||#row=2	{"a":1} ; #row=3	{"a":2}
	\n\r\n\na\n1\n||#row=2	{"a":1}
	a,b\r\n\r\n1,2\r\n\r\n3,4\r\n||#row=2	{"a":1,"b":2} ; #row=3	{"a":3,"b":4}
	a\n"x\ny"\n2\n||#row=2	{"a":"x\ny"} ; #row=3	{"a":2}
	a\n"x\n\ny"\n2\n||#row=2	{"a":"x\n\ny"} ; #row=3	{"a":2}
	a,b\r\n"x\r\ny",1\r\n"p\nq\nr",2\r\n3,4\r\n||#row=2	{"a":"x\r\ny","b":1} ; #row=3	{"a":"p\nq\nr","b":2} ; #row=4	{"a":3,"b":4}
	\xef\xbb\xbfa,b\n1,2\n||#row=2	{"a":1,"b":2}
	\xef\xbb\xbfa,b\r\n1,2||#row=2	{"a":1,"b":2}
	a,b\n||none
	a,b||none
	||none
	\n\n||none
	1,2\n3,4\n|--no-header|#row=1	{"1":1,"2":2} ; #row=2	{"1":3,"2":4}
	\n1,2\n\n3,4|--no-header|#row=1	{"1":1,"2":2} ; #row=2	{"1":3,"2":4}
	\xef\xbb\xbf1,2\n|--no-header|#row=1	{"1":1,"2":2}
	1,2\n3,4\n|--header x,y|#row=1	{"x":1,"y":2} ; #row=2	{"x":3,"y":4}
	TABLE
	fail_all
}

@test "csv: a UTF-8 byte order mark is not part of the first column's name" {
	printf '\xef\xbb\xbfid,name\n1,x\n' >t.csv
	ingest --key id t.csv
	expect_status 0
	run streamcat -d -p -f Sluice-Key out.warc
	[ "$output" = $'1\t{"id":1,"name":"x"}' ] || fail "got: $output"
}

# ---- headers ----------------------------------------------------------------

@test "csv: header names become keys: quoted, escaped, empty and repeated names" {
	# Columns: the header row (printf %b escapes) | the payload of the data
	# row 1,2,3 under it.
	local problems=() header want got
	while IFS='|' read -r header want; do
		printf '%b\n1,2,3\n' "$header" >t.csv
		ingest t.csv
		got=$(streamcat -d -p out.warc)
		[ "$status" -eq 0 ] && [ "$got" = "$want" ] ||
			problems+=("header [$header]: status $status, want $want, got $got $output")
	done <<-'TABLE'
	a,b,c|{"a":1,"b":2,"c":3}
	name,name,x|{"name":1,"name_2":2,"x":3}
	name,name,name|{"name":1,"name_2":2,"name_3":3}
	a,,c|{"a":1,"2":2,"c":3}
	,,|{"1":1,"2":2,"3":3}
	,1,x|{"1":1,"1_2":2,"x":3}
	"x,y",z,"w"|{"x,y":1,"z":2,"w":3}
	"say ""hi""",a\\b,"l\nm"|{"say \"hi\"":1,"a\\b":2,"l\nm":3}
	 a , b ,c|{" a ":1," b ":2,"c":3}
	caf\xc3\xa9,\xc3\xbc,x|{"café":1,"ü":2,"x":3}
	TABLE
	fail_all
}

@test "csv: --no-header names the columns 1, 2, 3 ... and the first row is data" {
	printf 'a,b,c\n1,2,3\n' >t.csv
	ingest --no-header t.csv
	expect_status 0
	run rows
	[ "$output" = 't.csv#row=1	{"1":"a","2":"b","3":"c"}
t.csv#row=2	{"1":1,"2":2,"3":3}' ] || fail "got: $output"
}

@test "csv: --header names the columns, and the first row is data" {
	printf '1,2,3\n4,5,6\n' >t.csv
	ingest --header x,y,z t.csv
	expect_status 0
	run rows
	[ "$output" = 't.csv#row=1	{"x":1,"y":2,"z":3}
t.csv#row=2	{"x":4,"y":5,"z":6}' ] || fail "got: $output"
	# repeated --header names are made unique too
	ingest --header x,x,z t.csv
	expect_status 0
	run streamcat -d -p out.warc
	[ "${lines[0]}" = '{"x":1,"x_2":2,"z":3}' ] || fail "got: $output"
}

@test "csv: --no-header with --header is a usage error before any data" {
	printf '1,2\n' >t.csv
	ingest --no-header --header a,b t.csv
	expect_status 64
	expect_match 'exclude each other'
	[ "$(ndata)" -eq 0 ]
}

@test "csv: a row wider than --header is a bad row" {
	printf '1,2\n3,4,5\n' >t.csv
	ingest --header x,y t.csv
	expect_status 65
	expect_match '^sluice-ingest: t\.csv: row 2 at byte 4: 3 fields, expected 2'
	run rows
	[ "$output" = 't.csv#row=1	{"x":1,"y":2}' ]
}

# ---- delimiters and TSV -------------------------------------------------------

@test "csv: delimiters, TSV and the format from the extension" {
	# Columns: file name | options | content (printf %b escapes) | payload of
	# the one data row.
	local problems=() name args content want got
	while IFS='|' read -r name args content want; do
		printf '%b' "$content" >"$name"
		# shellcheck disable=SC2086
		ingest $args "$name"
		got=$(streamcat -d -p out.warc)
		[ "$status" -eq 0 ] && [ "$got" = "$want" ] ||
			problems+=("$name $args [$content]: status $status" "  want $want" "  got  $got" "  $output")
		rm -f "$name"
	done <<-'TABLE'
	t.csv|-d ;|a;b\n1;"x;y,z"\n|{"a":1,"b":"x;y,z"}
	t.csv|--delimiter ;|a;b\n1;2\n|{"a":1,"b":2}
	t.csv|-d tab|a\tb\n1\t"x\ty"\n|{"a":1,"b":"x\ty"}
	t.csv|-d tab|a\tb\n"q ""x"""\ta,b\n|{"a":"q \"x\"","b":"a,b"}
	t.csv|-d :|a:b\n1:"x:y"\n|{"a":1,"b":"x:y"}
	t.tsv||a\tb\n1,2\t3\n|{"a":"1,2","b":3}
	t.tsv||a\tb\n"1\t"x"y"\n|{"a":"\"1","b":"\"x\"y\""}
	t.tsv||"a"\tb\n1\t2\n|{"\"a\"":1,"b":2}
	t.tab||a\tb\n1\t""\n|{"a":1,"b":"\"\""}
	t.txt|-f tsv|a\tb\n"x\t\n|{"a":"\"x","b":null}
	t.txt|-f csv|a,b\n1,2\n|{"a":1,"b":2}
	t.tsv|-f csv|a\tb\n1\t2\n|{"a\tb":"1\t2"}
	t|-f csv|a,b\n1,2\n|{"a":1,"b":2}
	TABLE
	fail_all
}

@test "csv: in TSV a quote is data and does not hold a line break" {
	printf 'a\tb\n"x\ty\nz"\t1\n' >t.tsv
	ingest t.tsv
	expect_status 0
	run rows
	[ "$output" = 't.tsv#row=2	{"a":"\"x","b":"y"}
t.tsv#row=3	{"a":"z\"","b":1}' ] || fail "got:" "$output"
}

# ---- bad rows -----------------------------------------------------------------

@test "csv: a bad row exits 65 naming the file, row and byte; the rows before it are written whole" {
	# Columns: content (printf %b escapes) | options | a regular expression
	# the message must match | the payloads written before the bad row,
	# separated by ' ; '.
	local problems=() content args re want got
	while IFS='|' read -r content args re want; do
		printf '%b' "$content" >t.csv
		# shellcheck disable=SC2086
		ingest $args t.csv
		if [ "$status" -ne 65 ]; then
			problems+=("[$content] $args: status $status, want 65: $output")
			continue
		fi
		printf '%s' "$output" | grep -Eq -- "^sluice-ingest: t\.csv: $re" ||
			problems+=("[$content] $args: message does not match 't.csv: $re':" "  $output")
		if ! streamcat -c out.warc >/dev/null 2>&1; then
			problems+=("[$content] $args: stdout is not whole records")
			continue
		fi
		got=$(streamcat -d -p out.warc | awk 'NR > 1 { printf " ; " } { printf "%s", $0 }')
		[ "$got" = "$want" ] ||
			problems+=("[$content] $args: records before the bad row:" "  want $want" "  got  $got")
	done <<-'TABLE'
	a,b\n1,2\n3\n5,6\n||row 3 at byte 8: 1 field, expected 2|{"a":1,"b":2}
	a,b\n1,2\n3,4,5\n5,6\n||row 3 at byte 8: 3 fields, expected 2|{"a":1,"b":2}
	a,b\n1,2\n\n\n3\n||row 3 at byte 10: 1 field, expected 2|{"a":1,"b":2}
	\xef\xbb\xbfa,b\n1,2\n3\n||row 3 at byte 11: 1 field, expected 2|{"a":1,"b":2}
	a,b\r\n\r\n1,2\r\n"x\r\ny",2\r\n3\r\n||row 4 at byte 22: 1 field, expected 2|{"a":1,"b":2} ; {"a":"x\r\ny","b":2}
	a,b\n"l\n2",1\n3,4,5||row 3 at byte 12: 3 fields, expected 2|{"a":"l\n2","b":1}
	a,b\n1,2\nx,a"b\n3,4\n||row 3 at byte 8: malformed quoting|{"a":1,"b":2}
	a,b\n1,2\nx,"a"b\n3,4\n||row 3 at byte 8: malformed quoting|{"a":1,"b":2}
	a,b\n1,2\n"x" ,y\n||row 3 at byte 8: malformed quoting|{"a":1,"b":2}
	a,b\n1,2\nx,"ab\n||row 3 at byte 8: malformed quoting|{"a":1,"b":2}
	a,b\n1,2\nx,"ab\n3,4\n||row 3 at byte 8: malformed quoting|{"a":1,"b":2}
	a,b\n1,\xff\n||row 2 at byte 4: column 2 \("b"\): invalid UTF-8|
	a,b,c\n1,2,3\n1,2,"x""\xe9"\n||row 3 at byte 12: column 3 \("c"\): invalid UTF-8|{"a":1,"b":2,"c":3}
	a,b\n1,2\n\xc3\xa9,\xe9\n||row 3 at byte 8: column 2 \("b"\): invalid UTF-8|{"a":1,"b":2}
	a,b\n1,2\n\xc3,x\n||row 3 at byte 8: column 1 \("a"\): invalid UTF-8|{"a":1,"b":2}
	a,\xe9\n1,2\n||row 1 .*at byte 0: column 2: invalid UTF-8|
	a,b\n1,2\n3,x\x00y\n||row 3 at byte 8: NUL byte|{"a":1,"b":2}
	TABLE
	fail_all
}

@test "csv: the man page's message shape: 'FILE: row N at byte B: F fields, expected C'" {
	printf 'id,name,email,age\n1,a,a@x,1\n2,b,b@x,2\n3,c,c@x\n' >orders.csv
	ingest orders.csv
	expect_status 65
	# rows 2 and 3 are 10 bytes each after a header of 18
	[[ "${lines[0]}" == "sluice-ingest: orders.csv: row 4 at byte 38: 3 fields, expected 4"* ]] ||
		fail "got: $output"
	[ "$(ndata)" -eq 2 ]
}

@test "csv: --ragged pad: missing fields are null, extra fields are named by column number" {
	printf 'a,b,c\n1\n1,2\n1,2,3\n1,2,3,4,5\n1,,,,"x"\n' >t.csv
	ingest --ragged pad t.csv
	expect_status 0
	run rows
	[ "$output" = 't.csv#row=2	{"a":1,"b":null,"c":null}
t.csv#row=3	{"a":1,"b":2,"c":null}
t.csv#row=4	{"a":1,"b":2,"c":3}
t.csv#row=5	{"a":1,"b":2,"c":3,"4":4,"5":5}
t.csv#row=6	{"a":1,"b":null,"c":null,"4":null,"5":"x"}' ] || fail "got:" "$output"
	# error is the default
	ingest --ragged error t.csv
	expect_status 65
	expect_match 't\.csv: row 2 at byte 6: 1 field, expected 3'
	[ "$(ndata)" -eq 0 ]
}

@test "csv: --ragged pad never repeats a key: an extra column does not reuse a header name" {
	# The header has a column named "3"; the third field of a wider row is
	# named by its column number, which must not make the object hold the
	# key "3" twice (the header's value would be lost to most readers).
	printf 'a,3\n1,2,x\n' >t.csv
	ingest --ragged pad t.csv
	expect_status 0
	run streamcat -d -p out.warc
	[[ "$output" == '{"a":1,"3":2,'*'"x"}' ]] || fail "got: $output"
	[ "$(grep -o '"3":' <<<"$output" | wc -l)" -eq 1 ] ||
		fail "the key \"3\" appears twice: $output"
}

@test "csv: --max-errors N skips and counts up to N bad rows, then one more is fatal" {
	printf 'a,b\n1,2\n3\n5,6\n7,8,9\n9,10\n' >t.csv
	# rows 3 (byte 8) and 5 (byte 14) are bad
	ingest --max-errors 2 --metrics m.prom t.csv
	expect_status 0
	expect_match 't\.csv: row 3 at byte 8: 1 field, expected 2'
	expect_match 't\.csv: row 5 at byte 14: 3 fields, expected 2'
	expect_match '(^|[^0-9])2 bad rows'
	run rows
	[ "$output" = 't.csv#row=2	{"a":1,"b":2}
t.csv#row=4	{"a":5,"b":6}
t.csv#row=6	{"a":9,"b":10}' ] || fail "got:" "$output"
	grep -q '^sluice_records_rejected_total{tool="sluice-ingest"} 2$' m.prom ||
		fail "metrics:" "$(cat m.prom)"
	grep -q '^sluice_records_out_total{tool="sluice-ingest"} 3$' m.prom ||
		fail "metrics:" "$(cat m.prom)"

	ingest --max-errors 1 t.csv
	expect_status 65
	expect_match 't\.csv: row 5 at byte 14: 3 fields, expected 2'
	whole_records out.warc
	run rows
	[ "$output" = 't.csv#row=2	{"a":1,"b":2}
t.csv#row=4	{"a":5,"b":6}' ] || fail "got:" "$output"

	ingest --max-errors 0 t.csv
	expect_status 65
	[ "$(ndata)" -eq 1 ]
}

@test "csv: --max-errors shows the first ten bad rows and counts the rest" {
	{
		echo 'a,b'
		for i in $(seq 1 12); do echo "$i,ok"; echo bad; done
	} >t.csv
	ingest --max-errors 20 t.csv
	expect_status 0
	[ "$(grep -c 'row [0-9]* at byte' <<<"$output")" -eq 10 ] ||
		fail "want 10 rows shown:" "$output"
	# the first bad row is row 3 at byte 4 + 5 = 9, the tenth row 21
	expect_match 't\.csv: row 3 at byte 9: 1 field'
	expect_match 't\.csv: row 21 at byte'
	expect_match '(^|[^0-9])12 bad rows'
	[ "$(ndata)" -eq 12 ]
}

@test "csv: malformed quoting is a bad row that --max-errors can skip" {
	printf 'a,b\n1,2\nx,"a"b\n3,4\n"unclosed,5\n' >t.csv
	ingest --max-errors 2 t.csv
	expect_status 0
	expect_match 't\.csv: row 3 at byte 8: malformed quoting'
	expect_match 't\.csv: row 5 at byte 19: malformed quoting'
	run rows
	[ "$output" = 't.csv#row=2	{"a":1,"b":2}
t.csv#row=4	{"a":3,"b":4}' ] || fail "got:" "$output"
}

@test "csv: --encoding latin1 converts to UTF-8, names included" {
	printf 'nom,ville\n\xe9l\xe8ve,K\xf6ln\n\xe9,x\n' >t.csv
	printf 'caf\xe9,n\nx,1\n' >h.csv
	ingest --encoding latin1 t.csv
	expect_status 0
	run streamcat -d -p out.warc
	[ "$output" = '{"nom":"élève","ville":"Köln"}
{"nom":"é","ville":"x"}' ] || fail "got: $output"
	ingest --encoding latin1 --key café h.csv
	expect_status 0
	run streamcat -d -p -f Sluice-Key out.warc
	[ "$output" = $'x\t{"café":"x","n":1}' ] || fail "got: $output"
	# the same bytes read as UTF-8 are refused, naming the row and column
	ingest t.csv
	expect_status 65
	expect_match 't\.csv: row 2 at byte 10: column 1 \("nom"\): invalid UTF-8'
	ingest --encoding utf-8 t.csv
	expect_status 65
}

# ---- keys, event times, classification ---------------------------------------

@test "csv: --key sets Sluice-Key from a column, value as written" {
	printf 'id,n\n7,a\n"x y",b\n0042,d\n' >t.csv
	ingest --key id t.csv
	expect_status 0
	run streamcat -d -f WARC-Target-URI,Sluice-Key out.warc
	[ "$output" = "file://$(pwd -P)/t.csv#row=2	7
file://$(pwd -P)/t.csv#row=3	x y
file://$(pwd -P)/t.csv#row=4	0042" ] || fail "got: $output"
	# without --key there is no Sluice-Key
	ingest t.csv
	run streamcat -d -f Sluice-Key out.warc
	[ "$output" = $'-\n-\n-' ] || fail "got: $output"
	# -k, and columns named by --no-header and --header
	ingest -k n t.csv
	run streamcat -d -f Sluice-Key out.warc
	[ "$output" = $'a\nb\nd' ] || fail "-k got: $output"
	ingest --no-header --key 2 t.csv
	run streamcat -d -f Sluice-Key out.warc
	[ "$output" = $'n\na\nb\nd' ] || fail "--no-header got: $output"
	ingest --header p,q --key q t.csv
	run streamcat -d -f Sluice-Key out.warc
	[ "$output" = $'n\na\nb\nd' ] || fail "--header got: $output"
}

@test "csv: --key or --event-time naming no column is a usage error before any data" {
	printf 'id,n\n7,a\n' >t.csv
	ingest --key nope t.csv
	expect_status 64
	expect_match 't\.csv: --key "nope": no such column'
	[ "$(ndata)" -eq 0 ]
	ingest --event-time when t.csv
	expect_status 64
	expect_match 't\.csv: --event-time "when": no such column'
	[ "$(ndata)" -eq 0 ]
}

@test "csv: an empty key is a bad row, quoted or not" {
	printf 'id,n\n7,a\n,c\n"",d\n8,e\n' >t.csv
	ingest --key id t.csv
	expect_status 65
	# row 3 starts after 5 + 4 bytes
	expect_match 't\.csv: row 3 at byte 9: .*key'
	run streamcat -d -f Sluice-Key out.warc
	[ "$output" = 7 ]
	ingest --key id --max-errors 2 t.csv
	expect_status 0
	expect_match 't\.csv: row 3 at byte 9: '
	expect_match 't\.csv: row 4 at byte 12: '
	run streamcat -d -f WARC-Target-URI,Sluice-Key out.warc
	[ "$output" = "file://$(pwd -P)/t.csv#row=2	7
file://$(pwd -P)/t.csv#row=5	8" ] || fail "got: $output"
	# a key missing from a short row (--ragged pad) is a bad row too
	printf 'n,id\n1,2\n3\n' >p.csv
	ingest --ragged pad --key id p.csv
	expect_status 65
	expect_match 'p\.csv: row 3 at byte 9: '
}

@test "csv: --event-time takes RFC 3339 (normalised to UTC), dates and seconds since 1970" {
	# Columns: the field | the Sluice-Event-Time it gives, or "bad" for a
	# bad row.  A bare number is seconds since 1970, even one that looks
	# like a date without dashes.
	local problems=() v want got
	while IFS='|' read -r v want; do
		printf 'id,t\n1,%s\n' "$v" >t.csv
		ingest --event-time t t.csv
		if [ "$want" = bad ]; then
			[ "$status" -eq 65 ] && [ "$(ndata)" -eq 0 ] &&
			    grep -Eq '^sluice-ingest: t\.csv: row 2 at byte 5: .*event time' <<<"$output" ||
				problems+=("[$v]: status $status, want 65 naming row 2 at byte 5: $output")
			continue
		fi
		got=$(streamcat -d -f Sluice-Event-Time out.warc)
		[ "$status" -eq 0 ] && [ "$got" = "$want" ] ||
			problems+=("[$v]: status $status, want $want, got $got $output")
	done <<-'TABLE'
	2026-11-20T08:00:00+01:00|2026-11-20T07:00:00Z
	2026-11-20T08:00:00Z|2026-11-20T08:00:00Z
	2026-11-20T08:00:00-00:00|2026-11-20T08:00:00Z
	2026-11-20T23:30:00-01:00|2026-11-21T00:30:00Z
	2026-11-20t08:00:00z|2026-11-20T08:00:00Z
	2026-11-20|2026-11-20T00:00:00Z
	1700000000|2023-11-14T22:13:20Z
	0|1970-01-01T00:00:00Z
	2026-11-20T08:00:00|bad
	2026-11-20T08:00|bad
	2026-02-30|bad
	yesterday|bad
	20261120|1970-08-23T12:05:20Z
	|bad
	""|bad
	TABLE
	fail_all
}

@test "csv: the event time defaults to the file's modification time, or the capture time for stdin" {
	printf 'a\n1\n' >t.csv
	touch -d @1600000000 t.csv
	ingest t.csv
	expect_status 0
	run streamcat -d -f Sluice-Event-Time,WARC-Date out.warc
	[ "$output" = $'2020-09-13T12:26:40Z\t2023-11-14T22:13:20.000000Z' ] || fail "got: $output"
	# through a pipe: standard input has no modification time
	# shellcheck disable=SC2002
	cat t.csv | sluice-ingest -f csv >out.warc
	run streamcat -d -f Sluice-Event-Time,WARC-Date out.warc
	[ "$output" = $'2023-11-14T22:13:20Z\t2023-11-14T22:13:20.000000Z' ] || fail "stdin got: $output"
}

@test "csv: --classification sets Sluice-Classification, internal by default" {
	printf 'a\n1\n2\n' >t.csv
	local problems=() args want got
	while IFS='|' read -r args want; do
		# shellcheck disable=SC2086
		ingest $args t.csv
		got=$(streamcat -d -f Sluice-Classification out.warc | sort -u)
		[ "$status" -eq 0 ] && [ "$got" = "$want" ] ||
			problems+=("'$args': status $status, want $want, got $got")
	done <<-'TABLE'
	|internal
	-c public|public
	-c internal|internal
	--classification confidential|confidential
	-c restricted|restricted
	TABLE
	fail_all
	ingest -c secret t.csv
	expect_status 64
}

# ---- compression ----------------------------------------------------------------

@test "csv: gzip input is recognised by its magic bytes, on stdin and in files" {
	printf 'a,b\n1,"x,y"\n3,4\n' >plain.csv
	gzip -c plain.csv >t.csv.gz
	gzip -c plain.csv >gz.csv
	local want='{"a":1,"b":"x,y"}
{"a":3,"b":4}'
	ingest t.csv.gz
	expect_status 0
	run rows
	[ "$output" = 't.csv.gz#row=2	{"a":1,"b":"x,y"}
t.csv.gz#row=3	{"a":3,"b":4}' ] || fail ".csv.gz got: $output"
	ingest gz.csv
	expect_status 0
	[ "$(streamcat -d -p out.warc)" = "$want" ]
	run bash -c 'gzip -c plain.csv | sluice-ingest -f csv | streamcat -d -p -f WARC-Target-URI'
	expect_status 0
	[ "$output" = 'urn:sluice:stdin#row=2	{"a":1,"b":"x,y"}
urn:sluice:stdin#row=3	{"a":3,"b":4}' ] || fail "stdin got: $output"
	# a file of several gzip members is read whole
	{ printf 'a,b\n1,"x,y"\n' | gzip -c; printf '3,4\n' | gzip -c; } >multi.csv.gz
	ingest multi.csv.gz
	expect_status 0
	[ "$(streamcat -d -p out.warc)" = "$want" ]
}

@test "csv: corrupt or truncated gzip exits 65 with whole records only" {
	awk 'BEGIN { print "a,b"; for (i = 0; i < 20000; i++) print i "," i * 7 }' |
	    gzip -c >full.csv.gz
	head -c 20000 full.csv.gz >cut.csv.gz
	ingest cut.csv.gz
	expect_status 65
	expect_match 'cut\.csv\.gz'
	whole_records out.warc
	printf '\x1f\x8b\x08\x00garbage-garbage' >bad.csv.gz
	ingest bad.csv.gz
	expect_status 65
	whole_records out.warc
}

# ---- parallel parsing -------------------------------------------------------------

# big.csv: 4000 data rows with blank lines, quoted multi-line fields and CRLF
# rows among them, about 550 KB so that it spans several batches.
make_big_csv() {
	awk 'BEGIN {
		print "id,text,amount,flag"
		for (i = 1; i <= 4000; i++) {
			if (i % 97 == 0) print ""
			if (i % 13 == 0)
				printf "%d,\"multi\nline, \"\"%d\"\"\",%d.%02d,%s\r\n", i, i, i, i % 100, (i % 2 ? "true" : "false")
			else
				printf "%d,pad-%0120d,%d.%02d,%s\n", i, i, i * 3, i % 100, (i % 2 ? "true" : "false")
		}
	}' >big.csv
}

@test "csv: output is identical for -j 1 and -j 4 on a file of thousands of rows" {
	make_big_csv
	local f=WARC-Type,WARC-Record-ID,WARC-Date,WARC-Target-URI,Content-Type,Content-Length,WARC-Block-Digest,Sluice-Event-Time,Sluice-Classification
	sluice-ingest -j 1 big.csv >j1.warc
	sluice-ingest -j 4 big.csv >j4.warc
	streamcat -d -p -f "$f" j1.warc >j1.txt
	streamcat -d -p -f "$f" j4.warc >j4.txt
	[ "$(wc -l <j1.txt)" -eq 4000 ] || fail "want 4000 records, got $(wc -l <j1.txt)"
	cmp j1.txt j4.txt || fail "-j 1 and -j 4 differ:" "$(diff j1.txt j4.txt | head -n 5)"
	# blank lines are not rows and a multi-line row is one row: the last
	# row is row 4001
	run bash -c "tail -n 1 j4.txt | cut -f 4"
	[ "$output" = "file://$(pwd -P)/big.csv#row=4001" ] || fail "got: $output"
	grep -qF '	{"id":2600,"text":"multi\nline, \"2600\"","amount":2600.00,"flag":false}' j4.txt ||
		fail "row of id 2600 missing or wrong"
}

@test "csv: rows made in one pass and rows made field by field give the same bytes" {
	# --encoding latin1 sends every row through the general path (split,
	# then value by value); on ASCII input it changes nothing, so both
	# runs must write the same stream and the same messages.  The rows mix
	# what the one-pass path takes (quotes, doubled quotes, escapes,
	# numbers, empty and trailing fields) with what it leaves (line breaks
	# in quotes, bad quoting, wrong widths).
	awk 'BEGIN {
		printf "id,text,num,flag,key\n"
		split("7|-0.5|0.50|1e5|0123|+5|-|1.|00|-0|12345678901234567890|2022-06-28T15:19:50Z", nums, "|")
		for (i = 1; i <= 3000; i++) {
			k = i % 13
			if (k == 0) t = "\"say \"\"hi\"\", \"\"x\"\"\""
			else if (k == 1) t = "\"two\nlines\""
			else if (k == 2) t = "back\\slash\ttab"
			else if (k == 3) t = ""
			else if (k == 4) t = "\"\""
			else if (k == 5) t = "\"a,b\""
			else if (k == 6) t = "bad\"quote"
			else if (k == 7) t = "\"\"\"\""
			else if (k == 8) t = "x\001y"
			else t = "plain text " i
			f = (i % 5 == 0) ? "true" : (i % 7 == 0) ? "" : "false"
			key = (i % 11 == 0) ? " k" i : "k" i
			row = i "," t "," nums[i % 12 + 1] "," f "," key
			if (i % 17 == 0) row = row ","
			if (i % 19 == 0) row = i ",short"
			printf "%s%s", row, (i % 3 == 0) ? "\r\n" : "\n"
		}
	}' >mix.csv
	# every field but the lineage line, whose run id depends on the options
	local opts f=WARC-Type,WARC-Record-ID,WARC-Date,WARC-Target-URI,Content-Type,Content-Length,WARC-Block-Digest,Sluice-Key,Sluice-Event-Time,Sluice-Classification
	for opts in "" "--strings" "--ragged pad" "--key key" "-f tsv" "-f csv -d tab"; do
		# shellcheck disable=SC2086
		sluice-ingest -j 2 --max-errors 10000 $opts mix.csv >fast.warc 2>fast.err
		# shellcheck disable=SC2086
		sluice-ingest -j 2 --max-errors 10000 --encoding latin1 $opts mix.csv \
		    >slow.warc 2>slow.err
		streamcat -d -p -f "$f" fast.warc >fast.txt
		streamcat -d -p -f "$f" slow.warc >slow.txt
		[ "$(wc -l <fast.txt)" -gt 500 ] ||
		    fail "options '$opts': $(wc -l <fast.txt) records"
		cmp fast.txt slow.txt || fail "options '$opts': records differ:" \
		    "$(diff fast.txt slow.txt | head -n 4)"
		cmp fast.err slow.err || fail "options '$opts': messages differ:" \
		    "$(diff fast.err slow.err | head -n 4)"
	done
}

@test "csv: with -j 4 a bad row in a later batch stops after every row before it" {
	awk 'BEGIN {
		print "id,text"
		for (i = 1; i <= 4000; i++)
			if (i == 1000 || i == 3000) print "bad"; else printf "%d,pad-%0120d\n", i, i
	}' >bad.csv
	# the header is 8 bytes; row i is (digits of i) + 126 bytes: rows 1 to
	# 999 take 9 * 127 + 90 * 128 + 900 * 129 = 128763 bytes
	for j in 1 4; do
		ingest -j "$j" bad.csv
		expect_status 65
		expect_match '^sluice-ingest: bad\.csv: row 1001 at byte 128771: 1 field, expected 2'
		[ "$(ndata)" -eq 999 ] || fail "-j $j: $(ndata) records"
	done
	ingest -j 4 --max-errors 2 bad.csv
	expect_status 0
	[[ "${lines[0]}" == *"bad.csv: row 1001 at byte 128771: "* ]] || fail "got: $output"
	[[ "${lines[1]}" == *"bad.csv: row 3001 at byte 388645: "* ]] || fail "got: $output"
	[ "$(ndata)" -eq 3998 ]
}

# ---- record ids -----------------------------------------------------------------------

# uuid5_of URI PAYLOAD: the record id sluice-stream(5) defines: a version 5
# UUID in the sluice namespace of the URI, a newline and the 32 bytes of the
# payload's SHA-256.
uuid5_of() {
	local d h b6 b8
	d=$(printf '%s' "$2" | sha256sum | cut -c1-64)
	h=$({
		printf "$(sed 's/../\\x&/g' <<<0fbefbf073c458c1b9df1e7c6a10b260)"
		printf '%s\n' "$1"
		printf "$(sed 's/../\\x&/g' <<<"$d")"
	} | sha1sum | cut -c1-32)
	b6=$(printf '%02x' $(((16#${h:12:2} & 0x0f) | 0x50)))
	b8=$(printf '%02x' $(((16#${h:16:2} & 0x3f) | 0x80)))
	h=${h:0:12}$b6${h:14:2}$b8${h:18}
	printf '<urn:uuid:%s-%s-%s-%s-%s>\n' "${h:0:8}" "${h:8:4}" "${h:12:4}" "${h:16:4}" "${h:20:12}"
}

@test "csv: record ids: uuid5 of the URI and payload digest, stable across runs, distinct per row" {
	printf 'id,v\n1,x\n2,y\n1,x\n' >t.csv
	ingest t.csv
	expect_status 0
	streamcat -d -f WARC-Record-ID,WARC-Target-URI,WARC-Block-Digest,Content-Length -p out.warc >first.txt
	# the same data at the same place: the same ids, whatever else changes
	ingest -j 3 -c restricted t.csv
	streamcat -d -f WARC-Record-ID,WARC-Target-URI,WARC-Block-Digest,Content-Length -p out.warc >second.txt
	cmp first.txt second.txt || fail "ids changed between runs:" "$(diff first.txt second.txt)"
	# every row its own id, even rows 2 and 4 holding the same data
	[ "$(cut -f 1 first.txt | sort -u | wc -l)" -eq 3 ] || fail "ids not distinct:" "$(cat first.txt)"
	# each id, digest and length is what the definition gives
	local id uri digest len payload
	while IFS=$'\t' read -r id uri digest len payload; do
		[ "$id" = "$(uuid5_of "$uri" "$payload")" ] || fail "$uri: id $id, want $(uuid5_of "$uri" "$payload")"
		[ "$digest" = "sha256:$(printf '%s' "$payload" | sha256sum | cut -c1-64)" ] || fail "$uri: digest $digest"
		[ "$len" -eq "${#payload}" ] || fail "$uri: length $len for $payload"
	done <first.txt
	# an edit to one row changes that row's id only
	printf 'id,v\n1,x\n2,CHANGED\n1,x\n' >t.csv
	ingest t.csv
	streamcat -d -f WARC-Record-ID out.warc >third.txt
	[ "$(sed -n 1p third.txt)" = "$(cut -f 1 first.txt | sed -n 1p)" ]
	[ "$(sed -n 2p third.txt)" != "$(cut -f 1 first.txt | sed -n 2p)" ]
	[ "$(sed -n 3p third.txt)" = "$(cut -f 1 first.txt | sed -n 3p)" ]
	# the same data in another file is another record
	cp t.csv u.csv
	ingest u.csv
	[ "$(streamcat -d -f WARC-Record-ID out.warc | sed -n 1p)" != "$(sed -n 1p third.txt)" ]
}
