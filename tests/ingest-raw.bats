#!/usr/bin/env bats
# ingest-raw.bats - sluice-ingest(1) on raw files and folders: media type
# sniffing, payload fidelity, file:// URIs, event times, the folder walk
# (order, --include/--exclude, hidden files, symbolic links) and per-file
# formats.

load lib

# sha FILE: "sha256:" and the SHA-256 of FILE, as WARC-Block-Digest spells it.
sha() {
	printf 'sha256:%s' "$(sha256sum <"$1" | cut -d' ' -f1)"
}

# uris ARGS...: the WARC-Target-URI of every data record of a run, one a line.
uris() {
	sluice-ingest "$@" | streamcat -d -f WARC-Target-URI
}

# under: prefix each line of stdin with file://$PWD/ (the scratch folder's
# path has no character that needs percent-encoding; checked below).
under() {
	sed "s|^|file://$PWD/|"
}

safe_cwd() {
	[[ $PWD =~ ^[A-Za-z0-9/._-]+$ ]] || fail "scratch folder $PWD needs percent-encoding; test assumes it does not"
}

@test "raw: the media type is sniffed from the first bytes, the payload is the file" {
	local name opts bytes want got n=0 bad=0
	# name | options | bytes (printf %b) | Content-Type
	while IFS='|' read -r name opts bytes want; do
		[ -n "$name" ] || continue
		n=$((n + 1))
		printf '%b' "$bytes" >"$name"
		# shellcheck disable=SC2086
		if ! sluice-ingest $opts "$name" >out 2>err; then
			echo "row $n ($name): exit $?: $(cat err)" >&2
			bad=1
			continue
		fi
		got=$(streamcat -d -f WARC-Type,Content-Type,Content-Length,WARC-Block-Digest out)
		expected=$(printf 'resource\t%s\t%s\t%s' "$want" "$(wc -c <"$name")" "$(sha "$name")")
		if [ "$got" != "$expected" ]; then
			printf 'row %d (%s %s):\n  expected %s\n  got      %s\n' \
			    "$n" "$opts" "$name" "$expected" "$got" >&2
			bad=1
		fi
	done <<'EOF'
img.png||\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x00\x01|image/png
photo.jpg||\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01|image/jpeg
old.gif||GIF87a\x01\x00\x01\x00\x80\x00|image/gif
new.gif||GIF89a\x01\x00\x01\x00\x80\x00|image/gif
pic.webp||RIFF\x24\x00\x00\x00WEBPVP8 \x18\x00|image/webp
sound.wav||RIFF\x24\x00\x00\x00WAVEfmt \x10\x00|audio/wav
song.flac||fLaC\x00\x00\x00\x22\x10\x00|audio/flac
tagged.mp3||ID3\x03\x00\x00\x00\x00\x00\x00|audio/mpeg
frame.mp3||\xff\xfb\x90\x64\x00\x00\x00\x00|audio/mpeg
doc.pdf||%PDF-1.4\n%\xe2\xe3\xcf\xd3\n|application/pdf
empty.gz|-f raw|\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\x03\x00\x00\x00\x00\x00\x00\x00\x00\x00|application/gzip
hello.gz|-f raw|\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xcb\x48\xcd\xc9\xc9\xe7\x02\x00\x20\x30\x3a\x36\x06\x00\x00\x00|application/gzip
really-a-png.txt||\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR|image/png
really-a-pdf.bin||%PDF-1.7\n|application/pdf
noextension||\xff\xd8\xff\xdb\x00\x43|image/jpeg
notes.txt||h\xc3\xa9llo w\xc3\xb6rld \xe2\x82\xac \xf0\x9f\x98\x80\n|text/plain; charset=utf-8
bom.txt||\xef\xbb\xbfhi\r\n|text/plain; charset=utf-8
controls.txt||tab\there\r\n\x1b[0m\n|text/plain; charset=utf-8
nul.txt||text\x00with a NUL\n|application/octet-stream
latin1.txt||caf\xe9\n|application/octet-stream
cut-utf8.txt||caf\xc3|application/octet-stream
surrogate.txt||\xed\xa0\x80\n|application/octet-stream
overlong.txt||\xc0\xaf\n|application/octet-stream
empty.txt|||application/octet-stream
empty-raw|-f raw||application/octet-stream
EOF
	[ "$n" -eq 25 ] || fail "the table has $n rows, expected 25"
	[ "$bad" -eq 0 ]
}

@test "raw: a file is UTF-8 text only when the whole of it is" {
	# Invalid bytes far past any sniffing window still make it binary.
	{ head -c 200000 /dev/zero | tr '\0' a; printf '\377'; } >late-ff.txt
	{ head -c 200000 /dev/zero | tr '\0' a; printf '\0'; } >late-nul.txt
	{ head -c 65535 /dev/zero | tr '\0' a; printf '\303\251\n'; } >straddle.txt
	run sluice-ingest late-ff.txt late-nul.txt straddle.txt
	expect_status 0
	run sh -c 'sluice-ingest late-ff.txt late-nul.txt straddle.txt | streamcat -d -f Content-Type'
	[ "$output" = "application/octet-stream
application/octet-stream
text/plain; charset=utf-8" ] || fail "got: $output"
}

@test "raw: standard input is sniffed, named urn:sluice:stdin or --source-uri" {
	local bytes want got n=0 bad=0
	while IFS='|' read -r bytes want; do
		[ -n "$bytes" ] || continue
		n=$((n + 1))
		printf '%b' "$bytes" >in
		got=$(sluice-ingest <in | streamcat -d -f WARC-Target-URI,Content-Type,WARC-Block-Digest)
		if [ "$got" != "$(printf 'urn:sluice:stdin\t%s\t%s' "$want" "$(sha in)")" ]; then
			echo "row $n ($bytes): got $got" >&2
			bad=1
		fi
	done <<'EOF'
\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR|image/png
GIF89a\x01\x00\x01\x00|image/gif
%PDF-1.4\n|application/pdf
plain words, no CSV here\n|text/plain; charset=utf-8
\x00\x01\x02\x03|application/octet-stream
EOF
	[ "$bad" -eq 0 ]
	printf '\211PNG\r\n\032\n' >in
	run sh -c 'sluice-ingest --source-uri https://data.example/a.png <in | streamcat -d -f WARC-Target-URI,Content-Type'
	[ "$output" = "$(printf 'https://data.example/a.png\timage/png')" ] || fail "got: $output"
}

@test "raw: extension-less files and standard input are sniffed for their format" {
	local name content want got n=0 bad=0
	safe_cwd
	# name | content (printf %b) | expected "locator payload" lines, ';'-separated
	while IFS='|' read -r name content want; do
		[ -n "$name" ] || continue
		n=$((n + 1))
		printf '%b' "$content" >"$name"
		got=$(sluice-ingest "$name" | streamcat -d -f WARC-Target-URI -p |
		    sed "s|^file://$PWD/||" | tr '\t\n' ' ;')
		if [ "$got" != "$want" ]; then
			printf 'row %d (%s):\n  expected %s\n  got      %s\n' "$n" "$name" "$want" "$got" >&2
			bad=1
		fi
		# The same bytes on standard input are sniffed the same way.
		got=$(sluice-ingest <"$name" | streamcat -d -f WARC-Target-URI -p |
		    sed "s|^urn:sluice:stdin|$name|" | tr '\t\n' ' ;')
		if [ "$got" != "$want" ]; then
			printf 'row %d (%s on stdin):\n  expected %s\n  got      %s\n' "$n" "$name" "$want" "$got" >&2
			bad=1
		fi
	done <<'EOF'
lines|{"a":1}\n{"a":2}\n|lines#line=0,1 {"a":1};lines#line=1,2 {"a":2};
array|[10, {"b":2}]\n|array#/0 10;array#/1 {"b":2};
value|{\n  "a": 1\n}\n|value {;  "a": 1;};
table|id,x\n1,2\n|table id,x;1,2;;
EOF
	[ "$bad" -eq 0 ]
	# A WARC version line means WARC.
	cp "$WARCIO/example.warc" crawl
	run sh -c 'sluice-ingest crawl | streamcat -c'
	[ "$output" = 7 ] || fail "crawl (no extension): expected 7 records, got $output"
	run sh -c 'sluice-ingest <crawl | streamcat -c'
	[ "$output" = 7 ] || fail "WARC on stdin: expected 7 records, got $output"
}

@test "raw: any other extension means a raw file, whatever it holds" {
	local f
	safe_cwd
	printf 'id,x\n1,2\n' >data.xyz
	printf '{"a":1}\n{"a":2}\n' >events.log
	printf '[1,2]' >list.json.bak
	for f in data.xyz events.log list.json.bak; do
		run sh -c "sluice-ingest '$f' | streamcat -d -f WARC-Target-URI,Content-Type,WARC-Block-Digest"
		expect_status 0
		[ "$output" = "$(printf 'file://%s/%s\ttext/plain; charset=utf-8\t%s' "$PWD" "$f" "$(sha "$f")")" ] ||
		    fail "$f: expected one raw record, got:" "$output"
	done
}

@test "raw: WARC-Target-URI is file:// and the absolute path, percent-encoded" {
	local name want got n=0 bad=0
	safe_cwd
	mkdir sub
	while IFS='|' read -r name want; do
		[ -n "$name" ] || continue
		n=$((n + 1))
		printf 'x\n' >"$name"
		got=$(uris "$name")
		if [ "$got" != "file://$PWD/$want" ]; then
			printf 'row %d (%s): expected file://%s/%s, got %s\n' "$n" "$name" "$PWD" "$want" "$got" >&2
			bad=1
		fi
	done <<'EOF'
plain.txt|plain.txt
with space.txt|with%20space.txt
café.txt|caf%C3%A9.txt
my file é.txt|my%20file%20%C3%A9.txt
100%.txt|100%25.txt
a#b.txt|a%23b.txt
why?.txt|why%3F.txt
sub/inner.txt|sub/inner.txt
EOF
	[ "$bad" -eq 0 ]
	# Relative operands with . and .. name the same absolute path.
	run uris ./sub/../plain.txt
	[ "$output" = "file://$PWD/plain.txt" ] || fail "./sub/../plain.txt gave $output"
	run uris "$PWD/sub/inner.txt"
	[ "$output" = "file://$PWD/sub/inner.txt" ] || fail "absolute operand gave $output"
}

@test "raw: Sluice-Event-Time is the file's modification time; WARC-Date is SOURCE_DATE_EPOCH" {
	printf '\211PNG\r\n\032\n' >whole.png
	printf 'x\n' >fraction.txt
	printf 'a\n1\n' >rows.csv
	touch -d '2021-03-04 05:06:07' whole.png
	touch -d '2021-03-04 05:06:07.123456789' fraction.txt
	touch -d '1999-12-31 23:59:59' rows.csv
	run sh -c 'sluice-ingest whole.png fraction.txt rows.csv | streamcat -d -f Sluice-Event-Time,WARC-Date,Sluice-Classification'
	expect_status 0
	[ "$output" = "$(printf '%s\t2023-11-14T22:13:20.000000Z\tinternal\n' \
	    2021-03-04T05:06:07Z 2021-03-04T05:06:07.123456Z 1999-12-31T23:59:59Z)" ] ||
	    fail "got:" "$output"
	# Standard input has no mtime: the capture time.
	run sh -c 'cat whole.png | sluice-ingest | streamcat -d -f Sluice-Event-Time'
	[ "$output" = 2023-11-14T22:13:20Z ] || fail "stdin (pipe) event time: $output"
}

@test "raw: standard input's event time is its file's mtime, or the capture time for a pipe" {
	# sluice-ingest(1): "else the input file's modification time (also for
	# standard input redirected from a file; the capture time for a pipe)"
	printf '\211PNG\r\n\032\n' >whole.png
	touch -d '2021-03-04 05:06:07' whole.png
	run sh -c 'sluice-ingest <whole.png | streamcat -d -f Sluice-Event-Time'
	[ "$output" = 2021-03-04T05:06:07Z ] || fail "stdin (redirected file) event time: $output"
	run sh -c 'cat whole.png | sluice-ingest | streamcat -d -f Sluice-Event-Time'
	[ "$output" = 2023-11-14T22:13:20Z ] || fail "stdin (pipe) event time: $output"
}

# The folder used by the walk tests.
make_tree() {
	mkdir -p t/sub/deep t/B t/.hidden-dir t/empty-dir
	printf 'x\n' >t/b.txt
	printf 'x\n' >t/a.txt
	printf 'x\n' >t/Z.txt
	printf 'x\n' >t/10.txt
	printf 'x\n' >t/9.txt
	printf 'x\n' >t/a-b.txt
	printf 'x\n' >t/a_b.txt
	printf 'x\n' >t/é.txt
	printf 'x\n' >t/sub.txt
	printf 'c\n1\n2\n' >t/a.csv
	printf 'x\n' >t/B/x.txt
	printf 'c\n3\n' >t/sub/a.csv
	printf 'x\n' >t/sub/a.txt
	printf 'x\n' >t/sub/deep/z.txt
	printf 'x\n' >t/sub/deep/y.csv.txt
	printf 'x\n' >t/.hidden.txt
	printf 'x\n' >t/.hidden-dir/in.txt
	printf 'x\n' >t/sub/.also-hidden
}

@test "raw: -r walks a folder depth first in byte order of names" {
	safe_cwd
	make_tree
	run uris -r t
	expect_status 0
	diff -u - <(printf '%s\n' "$output") <<EOF
$(under <<'LIST'
t/10.txt
t/9.txt
t/B/x.txt
t/Z.txt
t/a-b.txt
t/a.csv#row=2
t/a.csv#row=3
t/a.txt
t/a_b.txt
t/b.txt
t/sub/a.csv#row=2
t/sub/a.txt
t/sub/deep/y.csv.txt
t/sub/deep/z.txt
t/sub.txt
t/%C3%A9.txt
LIST
)
EOF
}

@test "raw: the walk is the same whatever the operand's spelling" {
	safe_cwd
	make_tree
	uris -r t >a
	uris -r t/ >b
	uris -r ./t >c
	uris -r "$PWD/t" >d
	cmp a b && cmp a c && cmp a d
	[ "$(wc -l <a)" -eq 16 ]
}

@test "raw: --include and --exclude match the path below the folder operand" {
	local opts want got n=0 bad=0
	safe_cwd
	make_tree
	# options | expected paths below t/, ';'-separated, locators dropped, unique
	while IFS='|' read -r opts want; do
		[ -n "$opts" ] || continue
		n=$((n + 1))
		# shellcheck disable=SC2086
		got=$(uris -r $opts t | sed -e "s|^file://$PWD/t/||" -e 's|#.*||' | uniq | tr '\n' ';')
		if [ "$got" != "$want" ]; then
			printf 'row %d (%s):\n  expected %s\n  got      %s\n' "$n" "$opts" "$want" "$got" >&2
			bad=1
		fi
	done <<'EOF'
--include *.csv|a.csv;sub/a.csv;
--include sub/*.csv|sub/a.csv;
--include a.*|a.csv;a.txt;
--include *.csv --include B/*|B/x.txt;a.csv;sub/a.csv;
--include sub/deep/*|sub/deep/y.csv.txt;sub/deep/z.txt;
--exclude *.txt|a.csv;sub/a.csv;
--exclude *.csv --exclude *.txt|
--exclude sub/*|10.txt;9.txt;B/x.txt;Z.txt;a-b.txt;a.csv;a.txt;a_b.txt;b.txt;sub.txt;%C3%A9.txt;
--include *.csv --exclude sub/*|a.csv;
--include *.txt --exclude *a*|10.txt;9.txt;B/x.txt;Z.txt;b.txt;sub/deep/y.csv.txt;sub/deep/z.txt;sub.txt;%C3%A9.txt;
EOF
	[ "$bad" -eq 0 ]
}

@test "raw: hidden files and folders are read only with --hidden" {
	safe_cwd
	make_tree
	run uris -r t
	! printf '%s\n' "$output" | grep -q hidden || fail "hidden files read without --hidden:" "$output"
	run uris -r --hidden t
	expect_status 0
	for p in t/.hidden.txt t/.hidden-dir/in.txt t/sub/.also-hidden; do
		expect_line "file://$PWD/$p"
	done
	[ "${#lines[@]}" -eq 19 ] || fail "expected 19 records, got ${#lines[@]}"
	# Order stays byte order: '.' sorts before digits and letters.
	[ "${lines[0]}" = "file://$PWD/t/.hidden-dir/in.txt" ] || fail "first: ${lines[0]}"
	[ "${lines[1]}" = "file://$PWD/t/.hidden.txt" ] || fail "second: ${lines[1]}"
	# A hidden file named on the command line is read: only walks skip.
	run uris t/.hidden.txt
	[ "$output" = "file://$PWD/t/.hidden.txt" ] || fail "operand: $output"
}

@test "raw: symbolic links in folders are followed only with --follow-symlinks" {
	safe_cwd
	mkdir -p d/real outside
	printf 'x\n' >d/real/f.txt
	printf 'y\n' >outside/o.txt
	ln -s ../outside/o.txt d/link.txt
	ln -s ../outside d/linkdir
	ln -s real/f.txt d/same.txt
	run uris -r d
	expect_status 0
	[ "$output" = "file://$PWD/d/real/f.txt" ] || fail "links followed without --follow-symlinks:" "$output"
	run uris -r --follow-symlinks d
	expect_status 0
	diff -u - <(printf '%s\n' "$output") <<EOF
file://$PWD/d/link.txt
file://$PWD/d/linkdir/o.txt
file://$PWD/d/real/f.txt
file://$PWD/d/same.txt
EOF
}

@test "raw: a symbolic link loop under --follow-symlinks ends, each file read once" {
	safe_cwd
	mkdir -p L/in
	printf 'x\n' >L/in/f.txt
	ln -s .. L/in/up
	ln -s . L/self
	ln -s lb L/la
	ln -s la L/lb
	run timeout 10 sluice-ingest -r --follow-symlinks L
	[ "$status" -ne 124 ] || fail "sluice-ingest hung on a link loop"
	expect_status 0
	run sh -c 'timeout 10 sluice-ingest -r --follow-symlinks L 2>/dev/null | streamcat -d -f WARC-Target-URI'
	[ "$output" = "file://$PWD/L/in/f.txt" ] || fail "expected f.txt once, got:" "$output"
}

@test "raw: a folder without -r is exit 66 before any output" {
	mkdir folder
	printf 'x\n' >folder/f.txt
	printf 'x\n' >first.txt
	sluice-ingest first.txt folder >out 2>err && status=0 || status=$?
	expect_status 66
	grep -q 'folder' err || fail "message does not name the folder: $(cat err)"
	[ ! -s out ] || fail "output written before the usage error: $(wc -c <out) bytes"
}

@test "raw: a missing file is exit 66 before any output" {
	local args
	printf 'a\n1\n' >good.csv
	for args in "missing.csv" "good.csv missing.csv" "missing.csv good.csv" "-r good.csv nothere"; do
		# shellcheck disable=SC2086
		sluice-ingest $args >out 2>err && status=0 || status=$?
		[ "$status" -eq 66 ] || fail "$args: expected 66, got $status"
		grep -Eq '(missing\.csv|nothere): ' err || fail "$args: message does not name the file: $(cat err)"
		[ ! -s out ] || fail "$args: $(wc -c <out) bytes written before exit 66"
	done
}

@test "raw: each file in a folder is read by its own format" {
	safe_cwd
	mkdir mixed
	printf 'id,v\n1,a\n2,b\n' >mixed/a.csv
	printf '{"k":1}\n{"k":2}\n' >mixed/b.jsonl
	printf '[true,null]' >mixed/c.json
	printf 'id,v\n1,a\n' >mixed/d.txt
	printf 'x\ty\n1\t2\n' >mixed/e.tsv
	printf 'n\n7\n' | gzip -n >mixed/g.csv.gz
	run sh -c 'sluice-ingest -r mixed | streamcat -d -f WARC-Target-URI,Content-Type -p'
	expect_status 0
	diff -u - <(printf '%s\n' "$output" | sed "s|file://$PWD/mixed/||") <<'EOF'
a.csv#row=2	application/json	{"id":1,"v":"a"}
a.csv#row=3	application/json	{"id":2,"v":"b"}
b.jsonl#line=0,1	application/json	{"k":1}
b.jsonl#line=1,2	application/json	{"k":2}
c.json#/0	application/json	true
c.json#/1	application/json	null
d.txt	text/plain; charset=utf-8	id,v
1,a

e.tsv#row=2	application/json	{"x":1,"y":2}
g.csv.gz#row=2	application/json	{"n":7}
EOF
}

@test "raw: a raw file is carried compressed; the structured formats are looked through" {
	# sluice-ingest(1): a raw file's payload is the file as it is, so
	# doc.txt.gz stays gzip; a .csv.gz or .jsonl.gz is decompressed and read
	printf 'some text\n' >plain
	gzip -n -c plain >doc.txt.gz
	run sh -c 'sluice-ingest doc.txt.gz | streamcat -d -f Content-Type,WARC-Block-Digest,Content-Length'
	expect_status 0
	[ "$output" = "$(printf 'application/gzip\t%s\t%s' "$(sha doc.txt.gz)" "$(wc -c <doc.txt.gz)")" ] ||
	    fail "got $output"
	printf '{"a":1}\n' | gzip -n >l.jsonl.gz
	run payloads l.jsonl.gz
	[ "$output" = '{"a":1}' ] || fail ".jsonl.gz: $output"
	# gzip on standard input is sniffed: decompressed, then its content sniffed
	run sh -c 'gzip -n -c plain | sluice-ingest | streamcat -d -f Content-Type -p'
	[ "$output" = "$(printf 'text/plain; charset=utf-8\tsome text')" ] || fail "stdin: $output"
	# A multi-member gzip file is read whole.
	{ printf '{"n":1}\n' | gzip -n; printf '{"n":2}\n' | gzip -n; } >two.jsonl.gz
	run payloads two.jsonl.gz
	[ "$output" = "$(printf '{"n":1}\n{"n":2}')" ] || fail "multi-member: $output"
	# -f raw applies to every file of a folder walk, too.
	mkdir f
	cp doc.txt.gz f/
	printf 'a\n1\n' >f/t.csv
	run sh -c 'sluice-ingest -f raw -r f | streamcat -d -f Content-Type'
	[ "$output" = "$(printf 'application/gzip\ntext/plain; charset=utf-8')" ] || fail "-f raw -r: $output"
}
