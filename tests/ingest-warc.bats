#!/usr/bin/env bats
# ingest-warc.bats - sluice-ingest(1) on WARC input: the warcio sample files
# (real captures, some damaged), conversions of 2xx HTTP responses, checked
# digests, pass-through records, and --lenient.

load lib

# The sample files that are valid, with the number of records each holds
# (tests/fixtures/conformance/README.md).
SAMPLES='example.warc 6
example.warc.gz 6
example-digest.warc 4
example-resource.warc.gz 3
example-iana.org-chunked.warc 3
post-test.warc.gz 6
example-bad-non-chunked.warc.gz 6
example-bad.warc.gz.bad 6
example-space-in-target-uri.warc.gz 2
example-wget-bad-target-uri.warc.gz 6'

# reference MODE FILE: an independent reading of a WARC file (python3),
# one line per record, so the tool's output can be compared with what the
# input says it should be.
#   expect  reads the input and prints what sluice-ingest(1) should write for
#           each record: P (passed through: type, id, fingerprint of the whole
#           header and block), C (a 2xx response's conversion: refers-to,
#           HTTP Content-Type, sha256 of the decoded body, unbracketed
#           target, event time = WARC-Date) or R (a resource: id, type,
#           sha256 of the block, unbracketed target, event time).
#   actual  reads sluice-ingest's output the same way (skipping its own
#           warcinfo) and flags any data record whose WARC-Block-Digest,
#           classification or lineage line is wrong.
reference() {
	python3 - "$@" <<'PY'
import gzip, hashlib, sys, zlib

def records(path):
    data = open(path, 'rb').read()
    if data[:2] == b'\x1f\x8b':
        data = gzip.decompress(data)
    pos = 0
    while pos < len(data):
        end = data.index(b'\r\n\r\n', pos)
        lines = data[pos:end].decode('utf-8').split('\r\n')
        hdr = {}
        for line in lines[1:]:
            n, _, v = line.partition(':')
            hdr[n.strip().lower()] = v.strip()
        cl = int(hdr['content-length'])
        yield lines, hdr, data[end + 4:end + 4 + cl]
        pos = end + 4 + cl + 4

def http_body(block):
    head, _, body = block.partition(b'\r\n\r\n')
    lines = head.decode('latin-1').split('\r\n')
    status = int(lines[0].split()[1])
    h = {}
    for line in lines[1:]:
        n, _, v = line.partition(':')
        h[n.strip().lower()] = v.strip()
    if 'chunked' in h.get('transfer-encoding', '').lower():
        out, rest = b'', body
        while True:
            size_line, _, rest = rest.partition(b'\r\n')
            size = int(size_line.split(b';')[0], 16)
            if size == 0:
                break
            out += rest[:size]
            rest = rest[size + 2:]
        body = out
    enc = h.get('content-encoding', '').lower()
    if enc in ('gzip', 'x-gzip'):
        body = gzip.decompress(body)
    elif enc == 'deflate':
        try:
            body = zlib.decompress(body)
        except zlib.error:
            body = zlib.decompress(body, -15)
    return status, h.get('content-type'), body

def unbracket(u):
    return u[1:-1] if u.startswith('<') and u.endswith('>') else u

def sha(b):
    return 'sha256:' + hashlib.sha256(b).hexdigest()

def fingerprint(lines, block):
    return hashlib.sha256('\n'.join(lines).encode() + b'\0' + block).hexdigest()[:16]

mode, path = sys.argv[1], sys.argv[2]
run = None
for i, (lines, h, block) in enumerate(records(path)):
    t = h['warc-type']
    if mode == 'expect':
        if t == 'response':
            status, ct, body = http_body(block)
            if 200 <= status < 300:
                print('C conversion refers=%s %s %s %s event=%s' % (h['warc-record-id'], ct, sha(body), unbracket(h['warc-target-uri']), h['warc-date']))
                continue
        if t in ('resource', 'conversion'):
            print('R %s %s %s %s %s event=%s' % (t, h['warc-record-id'], h.get('content-type'), sha(block), unbracket(h['warc-target-uri']), h['warc-date']))
        else:
            print('P %s %s %s' % (t, h['warc-record-id'], fingerprint(lines, block)))
        continue
    if i == 0:
        info = dict(l.split(': ', 1) for l in block.decode().split('\r\n') if ': ' in l)
        run = info['sluice-run']
        if t != 'warcinfo' or info.get('sluice-step') != 'ingest':
            print('FIRST RECORD IS NOT INGEST\'S WARCINFO')
        continue
    if t in ('resource', 'conversion'):
        bad = ''
        if h.get('warc-block-digest') != sha(block): bad += ' BAD-DIGEST'
        if h.get('sluice-classification') != 'internal': bad += ' BAD-CLASSIFICATION'
        if h.get('sluice-lineage') != 'ingest sluice-ingest/0.1.0 run=' + run: bad += ' BAD-LINEAGE'
        if t == 'conversion':
            print('C conversion refers=%s %s %s %s event=%s%s' % (h.get('warc-refers-to'), h.get('content-type'), sha(block), h['warc-target-uri'], h.get('sluice-event-time'), bad))
        else:
            print('R %s %s %s %s %s event=%s%s' % (t, h['warc-record-id'], h.get('content-type'), sha(block), h['warc-target-uri'], h.get('sluice-event-time'), bad))
    else:
        print('P %s %s %s' % (t, h['warc-record-id'], fingerprint(lines, block)))
PY
}

# rec TYPE UUID URI CONTENT-TYPE BLOCK-FILE [EXTRA-FIELDS]: one WARC/1.1
# record on stdout; EXTRA-FIELDS is printf %b text ending in \r\n.
rec() {
	printf 'WARC/1.1\r\nWARC-Type: %s\r\nWARC-Record-ID: <urn:uuid:%s>\r\nWARC-Date: 2020-01-02T03:04:05Z\r\nWARC-Target-URI: %s\r\nContent-Type: %s\r\n%bContent-Length: %d\r\n\r\n' \
	    "$1" "$2" "$3" "$4" "${6:-}" "$(wc -c <"$5")"
	cat "$5"
	printf '\r\n\r\n'
}

@test "warc: every valid warcio sample is read whole, after ingest's own warcinfo" {
	local file count opts got bad=0
	while read -r file count; do
		opts=
		case $file in *.bad) opts='-f warc' ;; esac
		# shellcheck disable=SC2086
		sluice-ingest $opts "$WARCIO/$file" >out 2>err && status=0 || status=$?
		if [ "$status" -ne 0 ]; then
			echo "$file: exit $status: $(cat err)" >&2
			bad=1
			continue
		fi
		got=$(streamcat -c out) || { echo "$file: output is not a valid stream" >&2; bad=1; continue; }
		if [ "$got" -ne $((count + 1)) ]; then
			echo "$file: expected $((count + 1)) records ($count + warcinfo), got $got" >&2
			bad=1
		fi
		got=$(streamcat -f WARC-Type out | head -n 1)
		[ "$got" = warcinfo ] || { echo "$file: first record is $got" >&2; bad=1; }
		streamcat -p out | head -n 4 | grep -q '^sluice-step: ingest' ||
		    { echo "$file: first record is not ingest's warcinfo" >&2; bad=1; }
	done <<<"$SAMPLES"
	[ "$bad" -eq 0 ]
}

@test "warc: each sample's records come out as an independent reader says they should" {
	local file count opts bad=0
	command -v python3 >/dev/null || skip "python3 is needed for the reference reader"
	while read -r file count; do
		opts=
		case $file in *.bad) opts='-f warc' ;; esac
		# shellcheck disable=SC2086
		sluice-ingest $opts "$WARCIO/$file" >out 2>err || { echo "$file: exit $?" >&2; bad=1; continue; }
		reference expect "$WARCIO/$file" >want
		reference actual out >got
		if ! diff -u want got >&2; then
			echo "^ $file: output differs from the reference" >&2
			bad=1
		fi
	done <<<"$SAMPLES"
	[ "$bad" -eq 0 ]
}

@test "warc: a chunked 2xx response becomes a conversion holding the decoded body" {
	local f="$WARCIO/example-iana.org-chunked.warc"
	sluice-ingest "$f" >out
	run streamcat -d -f WARC-Type,WARC-Target-URI,WARC-Refers-To,Content-Type,Content-Length,Sluice-Event-Time out
	[ "$output" = "$(printf 'conversion\thttp://www.iana.org/\t<urn:uuid:a96ae1a5-931d-4c45-96f3-98576d155f8b>\ttext/html; charset=UTF-8\t7223\t2017-03-06T16:54:09Z')" ] ||
	    fail "got: $output"
	streamcat -d -p out >body
	[ "$(head -c 15 body)" = '<!doctype html>' ] || fail "body starts with: $(head -c 40 body | od -c)"
	# 0x1c37 = 7223: the only chunk's size line, and the final 0 chunk, are gone.
	! grep -aq -e '^001c37' -e '^0\r*$' body || fail "chunk-size lines left in the body"
	grep -aq '^001c37' "$f" || fail "the sample is not chunked as this test assumes"
	tail -c 20 body | grep -aq '^</html>' || fail "body ends with: $(tail -c 20 body | od -c)"
}

@test "warc: a 2xx conversion refers to its response; requests and revisits pass unchanged" {
	sluice-ingest "$WARCIO/example.warc" >out
	run streamcat -f WARC-Type,WARC-Record-ID,WARC-Refers-To,Content-Type,WARC-Target-URI out
	expect_status 0
	# The conversion's own id is derived (checked for stability elsewhere).
	diff -u - <(printf '%s\n' "${lines[@]:1}" | sed 's/^conversion\t<urn:uuid:[0-9a-f-]*>/conversion\tID/') <<'EOF'
warcinfo	<urn:uuid:e9a0cecc-0221-11e7-adb1-0242ac120008>	-	application/warc-fields	-
warcinfo	<urn:uuid:e9a0ee48-0221-11e7-adb1-0242ac120008>	-	application/warc-fields	-
conversion	ID	<urn:uuid:a9c51e3e-0221-11e7-bf66-0242ac120005>	text/html	http://example.com/
request	<urn:uuid:a9c5c23a-0221-11e7-8fe3-0242ac120007>	-	application/http; msgtype=request	http://example.com/
revisit	<urn:uuid:e6e395ca-0221-11e7-a18d-0242ac120005>	-	application/http; msgtype=response	http://example.com/
request	<urn:uuid:e6e41fea-0221-11e7-8fe3-0242ac120007>	-	application/http; msgtype=request	http://example.com/
EOF
	# The conversion's id is a version 5 UUID, the same on every run.
	id1=$(streamcat -d -f WARC-Record-ID out)
	id2=$(SOURCE_DATE_EPOCH=1800000000 sluice-ingest "$WARCIO/example.warc" | streamcat -d -f WARC-Record-ID)
	[[ $id1 =~ ^\<urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\>$ ]] || fail "conversion id: $id1"
	[ "$id1" = "$id2" ] || fail "conversion id changed between runs: $id1 $id2"
}

@test "warc: records that are not data pass through byte for byte" {
	# A 404 response, a request and a metadata record: the output is
	# ingest's warcinfo followed by exactly the input's bytes.
	printf 'HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\nContent-Length: 5\r\n\r\nnope!' >nf.http
	printf 'GET / HTTP/1.1\r\nHost: z\r\n\r\n' >get.http
	printf 'note: hello\r\n' >meta.txt
	{
		rec response 55555555-5555-4555-8555-555555555555 http://z/ 'application/http; msgtype=response' nf.http
		rec request 66666666-6666-4666-8666-666666666666 http://z/ 'application/http; msgtype=request' get.http
		rec metadata 77777777-7777-4777-8777-777777777777 http://z/ 'application/warc-fields' meta.txt
	} >in.warc
	sluice-ingest in.warc >out
	[ "$(streamcat -c out)" -eq 4 ] || fail "expected 4 records"
	tail -c "$(wc -c <in.warc)" out | cmp - in.warc || fail "records were changed on the way through"
}

@test "warc: resource records gain a sha256 digest, classification, event time and lineage" {
	sluice-ingest "$WARCIO/example-resource.warc.gz" >out
	run=$(streamcat -p out | head -n 3 | sed -n 's/^sluice-run: \(.*\)\r$/\1/p')
	[ -n "$run" ] || fail "no sluice-run in ingest's warcinfo"
	run streamcat -d -f WARC-Type,WARC-Record-ID,WARC-Target-URI,WARC-Block-Digest,Sluice-Classification,Sluice-Event-Time,Sluice-Lineage out
	[ "$output" = "$(printf 'resource\t<urn:uuid:6e7f60da-2c7b-11e7-aaf7-0242ac120007>\thttp://example.com/\tsha256:c7c34a8693799a251bb47097d4f4d6e411c12ac3bd674b7426e2de46e75d9ae7\tinternal\t2017-04-29T01:30:30Z\tingest sluice-ingest/0.1.0 run=%s' "$run")" ] ||
	    fail "got: $output"
	# The digest is the block's.
	zcat "$WARCIO/example-resource.warc.gz" | streamcat -d -p >block.tsv
	[ "$(head -c -1 block.tsv | sha256sum | cut -c1-64)" = c7c34a8693799a251bb47097d4f4d6e411c12ac3bd674b7426e2de46e75d9ae7 ] ||
	    fail "the resource block's sha256 differs from the test's value"
}

@test "warc: a record's own classification and event time are kept; -c sets the default" {
	printf 'hello' >hello.bin
	{
		rec resource 11111111-1111-4111-8111-111111111111 http://x/1 text/plain hello.bin \
		    'Sluice-Classification: restricted\r\nSluice-Event-Time: 2019-05-06T07:08:09Z\r\n'
		rec resource 22222222-2222-4222-8222-222222222222 http://x/2 text/plain hello.bin \
		    'Sluice-Lineage: ingest other/1.0 run=00000000-0000-5000-8000-000000000000\r\n'
	} >in.warc
	sluice-ingest -c confidential in.warc >out
	run streamcat -d -f WARC-Record-ID,Sluice-Classification,Sluice-Event-Time,Sluice-Lineage out
	expect_status 0
	[ "${#lines[@]}" -eq 2 ] || fail "expected 2 data records: $output"
	expect_match $'^<urn:uuid:11111111-1111-4111-8111-111111111111>\trestricted\t2019-05-06T07:08:09Z\tingest sluice-ingest/0.1.0 run='
	expect_match $'^<urn:uuid:22222222-2222-4222-8222-222222222222>\tconfidential\t2020-01-02T03:04:05Z\tingest other/1.0 run=00000000-0000-5000-8000-000000000000 \\| ingest sluice-ingest/0.1.0 run='
}

@test "warc: an angle-bracketed WARC/1.0 Target-URI is unbracketed on data records" {
	sluice-ingest "$WARCIO/example-wget-bad-target-uri.warc.gz" >out
	run streamcat -d -f WARC-Type,WARC-Target-URI out
	expect_status 0
	diff -u - <(printf '%s\n' "$output") <<'EOF'
conversion	http://example.com/
resource	metadata://gnu.org/software/wget/warc/wget_arguments.txt
resource	metadata://gnu.org/software/wget/warc/wget.log
EOF
	zcat "$WARCIO/example-wget-bad-target-uri.warc.gz" | grep -aq '^WARC-Target-URI: <http://example.com/>' ||
	    fail "the sample does not bracket its URIs as this test assumes"
}

@test "warc: damaged samples are exit 65 naming record and byte, earlier records whole" {
	local file want_re want_n want_ids n=0 bad=0
	# file | message regex | records on stdout | their WARC-Record-IDs after ingest's warcinfo
	while IFS='|' read -r file want_re want_n want_ids; do
		[ -n "$file" ] || continue
		n=$((n + 1))
		sluice-ingest "$WARCIO/$file" >out 2>err && status=0 || status=$?
		if [ "$status" -ne 65 ]; then
			echo "row $n ($file): expected 65, got $status" >&2
			bad=1
		fi
		if ! grep -Eq -- "$want_re" err; then
			echo "row $n ($file): message does not match $want_re: $(cat err)" >&2
			bad=1
		fi
		if ! whole_records out; then
			echo "row $n ($file): half a record on stdout" >&2
			bad=1
			continue
		fi
		if [ "$(streamcat -c out)" -ne "$want_n" ]; then
			echo "row $n ($file): expected $want_n records on stdout, got $(streamcat -c out)" >&2
			bad=1
		fi
		if [ "$(streamcat -f WARC-Record-ID out | tail -n +2 | tr '\n' ' ')" != "$want_ids" ]; then
			echo "row $n ($file): records before the damage: $(streamcat -f WARC-Record-ID out | tail -n +2 | tr '\n' ' ')" >&2
			bad=1
		fi
	done <<'EOF'
example-trunc.warc|example-trunc\.warc: record 3 at byte 1197: .*CRLF CRLF at byte 2560|3|<urn:uuid:e9a0cecc-0221-11e7-adb1-0242ac120008> <urn:uuid:e9a0ee48-0221-11e7-adb1-0242ac120008> 
example-wrong-chunks.warc.gz|example-wrong-chunks\.warc\.gz: record 1 at byte 0: .*CRLF CRLF at byte 2004|0|
EOF
	[ "$bad" -eq 0 ]
}

@test "warc: a stray byte after a block is blamed on that record and its byte" {
	local trailer n=0 bad=0
	printf 'first' >first.bin
	# The first record is 210 bytes up to the end of its block (see the
	# digest test for the sum: 214 less the CRLF CRLF), so the stray byte
	# is at byte 210.  example-wrong-chunks.warc.gz has the stray LF.
	for trailer in 'X\r\n\r\n' 'XY\r\n\r\n' '\r\r\n\r\n' '\n\r\n\r\n'; do
		n=$((n + 1))
		{
			rec resource 11111111-1111-4111-8111-111111111111 http://x/1 text/plain first.bin | head -c 210
			printf '%b' "$trailer"
			rec resource 22222222-2222-4222-8222-222222222222 http://x/2 text/plain first.bin
		} >in.warc
		sluice-ingest in.warc >out 2>err && status=0 || status=$?
		[ "$status" -eq 65 ] || { echo "row $n ($trailer): expected 65, got $status" >&2; bad=1; }
		grep -q 'in.warc: record 1 at byte 0: .*CRLF CRLF at byte 210' err ||
		    { echo "row $n ($trailer): message: $(cat err)" >&2; bad=1; }
		whole_records out || bad=1
		[ "$(streamcat -d -c out)" -eq 0 ] ||
		    { echo "row $n ($trailer): the damaged record was written" >&2; bad=1; }
	done
	[ "$bad" -eq 0 ]
}

@test "warc: --lenient reads past the damaged samples and counts what it skipped" {
	local file want_ids n=0 bad=0
	# file | WARC-Record-IDs that must come out after the damage
	while IFS='|' read -r file want_ids; do
		[ -n "$file" ] || continue
		n=$((n + 1))
		sluice-ingest --lenient "$WARCIO/$file" >out 2>err && status=0 || status=$?
		if [ "$status" -ne 0 ]; then
			echo "row $n ($file): expected 0, got $status: $(cat err)" >&2
			bad=1
		fi
		if ! grep -Eq -- '1 damaged record skipped' err; then
			echo "row $n ($file): no warning counting the damage: $(cat err)" >&2
			bad=1
		fi
		whole_records out || { bad=1; continue; }
		for id in $want_ids; do
			streamcat -f WARC-Record-ID out | grep -qxF -- "$id" ||
			    { echo "row $n ($file): $id not read past the damage" >&2; bad=1; }
		done
	done <<'EOF'
example-trunc.warc|<urn:uuid:e9a0cecc-0221-11e7-adb1-0242ac120008> <urn:uuid:e9a0ee48-0221-11e7-adb1-0242ac120008> <urn:uuid:a9c5c23a-0221-11e7-8fe3-0242ac120007>
example-wrong-chunks.warc.gz|<urn:uuid:f5086dcf-3c9b-463e-8532-68cecd628908>
EOF
	[ "$bad" -eq 0 ]
}

@test "warc: a block digest that does not match is exit 65 naming the record" {
	local digest want status n=0 bad=0
	printf 'hello' >hello.bin
	printf 'first' >first.bin
	# WARC-Block-Digest of the second record | expected status
	while IFS='|' read -r digest want; do
		[ -n "$digest" ] || continue
		n=$((n + 1))
		{
			rec resource 11111111-1111-4111-8111-111111111111 http://x/1 text/plain first.bin
			rec resource 22222222-2222-4222-8222-222222222222 http://x/2 text/plain hello.bin "WARC-Block-Digest: $digest\r\n"
		} >in.warc
		sluice-ingest in.warc >out 2>err && status=0 || status=$?
		if [ "$status" -ne "$want" ]; then
			echo "row $n ($digest): expected $want, got $status: $(cat err)" >&2
			bad=1
			continue
		fi
		whole_records out || { bad=1; continue; }
		if [ "$want" -eq 65 ]; then
			# The first record is 214 bytes: version line 10, WARC-Type 21,
			# WARC-Record-ID 65, WARC-Date 33, WARC-Target-URI 29,
			# Content-Type 26, Content-Length 19, blank line 2, "first" 5,
			# CRLF CRLF 4.  The second starts at byte 214.
			grep -q 'in.warc: record 2 at byte 214: .*WARC-Block-Digest' err ||
			    { echo "row $n: message: $(cat err)" >&2; bad=1; }
			[ "$(streamcat -d -c out)" -eq 1 ] || { echo "row $n: the first record is missing" >&2; bad=1; }
		else
			[ "$(streamcat -d -f WARC-Block-Digest out | tail -n 1)" = sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824 ] ||
			    { echo "row $n: digest not sha256 of the block" >&2; bad=1; }
		fi
	done <<'EOF'
sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824|0
sha256:0000000000000000000000000000000000000000000000000000000000000000|65
sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9825|65
sha1:VL2MMHO4YXUKFWV63YHTWSBM3GXKSQ2N|0
sha1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA|65
EOF
	[ "$(rec resource 11111111-1111-4111-8111-111111111111 http://x/1 text/plain first.bin | wc -c)" -eq 214 ] ||
	    fail "the first record is not 214 bytes as the table assumes"
	[ "$bad" -eq 0 ]
}

@test "warc: gzip, deflate and chunked HTTP bodies are decoded" {
	local enc want body n=0 bad=0
	for enc in gzip deflate chunked+gzip identity; do
		n=$((n + 1))
		body="<p>body for $enc</p>"
		printf '%s\n' "$body" >plain
		case $enc in
		gzip) gzip -n -c plain >coded ;;
		deflate) python3 -c 'import sys,zlib; sys.stdout.buffer.write(zlib.compress(open("plain","rb").read()))' >coded ;;
		chunked+gzip) gzip -n -c plain >coded ;;
		identity) cp plain coded ;;
		esac
		{
			printf 'HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n'
			case $enc in
			chunked+gzip)
				local size half
				size=$(wc -c <coded) half=$((size / 2))
				printf 'Transfer-Encoding: chunked\r\nContent-Encoding: gzip\r\n\r\n'
				printf '%x\r\n' "$half"
				head -c "$half" coded
				printf '\r\n%x\r\n' $((size - half))
				tail -c +$((half + 1)) coded
				printf '\r\n0\r\n\r\n'
				;;
			identity)
				printf 'Content-Length: %d\r\n\r\n' "$(wc -c <coded)"
				cat coded
				;;
			*)
				printf 'Content-Encoding: %s\r\nContent-Length: %d\r\n\r\n' "$enc" "$(wc -c <coded)"
				cat coded
				;;
			esac
		} >http
		rec response 33333333-3333-4333-8333-333333333333 http://y/ 'application/http; msgtype=response' http >in.warc
		sluice-ingest in.warc >out 2>err || { echo "$enc: exit $?: $(cat err)" >&2; bad=1; continue; }
		got=$(streamcat -d -f WARC-Type,WARC-Refers-To,Content-Type,Content-Length,WARC-Block-Digest -p out)
		want=$(printf 'conversion\t<urn:uuid:33333333-3333-4333-8333-333333333333>\ttext/html; charset=utf-8\t%d\tsha256:%s\t%s\n' \
		    "$(wc -c <plain)" "$(sha256sum <plain | cut -c1-64)" "$body")
		[ "$got" = "$want" ] || { printf '%s:\n  expected %s\n  got      %s\n' "$enc" "$want" "$got" >&2; bad=1; }
	done
	[ "$bad" -eq 0 ]
}

@test "warc: the format comes from .warc/.warc.gz, -f warc or the version line" {
	# example-bad.warc.gz.bad has no WARC extension: a raw file unless -f warc.
	run sh -c "sluice-ingest '$WARCIO/example-bad.warc.gz.bad' | streamcat -d -f WARC-Type,WARC-Target-URI"
	expect_status 0
	[ "$output" = "$(printf 'resource\tfile://%s' "$(cd "$WARCIO" && pwd)/example-bad.warc.gz.bad")" ] ||
	    fail "without -f warc: $output"
	run sh -c "sluice-ingest -f warc '$WARCIO/example-bad.warc.gz.bad' | streamcat -c"
	[ "$output" = 7 ] || fail "with -f warc: $output records"
	cp "$WARCIO/example.warc.gz" copy.warc.gz
	run sh -c "sluice-ingest copy.warc.gz | streamcat -c"
	[ "$output" = 7 ] || fail ".warc.gz: $output records"
	run sh -c "sluice-ingest -f warc <copy.warc.gz | streamcat -c"
	[ "$output" = 7 ] || fail "-f warc on stdin: $output records"
}

@test "warc: a converted response keeps the response's context fields and lineage" {
	printf 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello' >http
	rec response 44444444-4444-4444-8444-444444444444 http://z/ 'application/http; msgtype=response' http \
	    'Sluice-Classification: restricted\r\nSluice-Roles: legal audit\r\nSluice-PII: email\r\nSluice-Authority: external\r\nSluice-Contract: crawl@1 pass\r\nSluice-Lineage: crawl crawler/1.0 run=55555555-5555-4555-8555-555555555555\r\n' >in.warc
	run sh -c 'sluice-ingest in.warc | streamcat -d -f WARC-Type,Sluice-Classification,Sluice-Roles,Sluice-PII,Sluice-Authority,Sluice-Contract,Sluice-Lineage -p'
	expect_status 0
	# classification, roles (a set, written sorted), PII and authority
	# carried; the contract
	# dropped (the conversion was not validated); the crawl's lineage line
	# first, ingest's after it
	[[ "$output" == $'conversion\trestricted\taudit legal\temail\texternal\t-\tcrawl crawler/1.0 run=55555555-5555-4555-8555-555555555555 | ingest sluice-ingest/0.1.0 run='*$'\thello' ]] ||
	    fail "got: $output"
}
