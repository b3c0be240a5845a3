#!/usr/bin/env bats
# transform-steps.bats - the built-in steps of sluice-transform: --chunk
# (boundaries and RFC 5147 character offsets), --redact, --pseudonymize
# (HMAC-SHA256, stable across runs), --dedup, alone and with a program.

load lib

TF="$FIXTURES/transform"

# check_chunks TEXTFILE STREAM SIZE OVERLAP: every chunk of STREAM is the
# text at its #char=START,END (code points), at most SIZE long, starts and
# ends at white space, overlaps the previous one by at most OVERLAP, and the
# chunks cover every non-space character.  Prints problems; exit 1 if any.
check_chunks() {
	python3 - "$@" <<-'EOF'
	import re, subprocess, sys
	text = open(sys.argv[1], encoding="utf-8").read()
	size, overlap = int(sys.argv[3]), int(sys.argv[4])
	out = subprocess.run(["streamcat", "-d", "-f", "WARC-Target-URI", "-p", sys.argv[2]],
	                     capture_output=True, check=True).stdout.decode()
	# payloads may hold newlines: split on the URI at the start of a record
	recs = re.findall(r"(?ms)^([^\t\n]*#char=(\d+),(\d+))\t(.*?)(?=^[^\t\n]*#char=|\Z)", out)
	bad, covered, prev = [], set(), None
	for uri, s, e, payload in recs:
	    s, e = int(s), int(e)
	    payload = payload[:-1] if payload.endswith("\n") else payload
	    if text[s:e] != payload:
	        bad.append("chunk %d,%d is not the text there: %r" % (s, e, payload[:40]))
	    if e - s > size:
	        bad.append("chunk %d,%d is longer than %d" % (s, e, size))
	    if s > 0 and not text[s - 1].isspace():
	        bad.append("chunk %d,%d starts inside a word" % (s, e))
	    if e < len(text) and not text[e].isspace():
	        bad.append("chunk %d,%d ends inside a word" % (s, e))
	    if text[s:e] != text[s:e].strip():
	        bad.append("chunk %d,%d has white space at an end" % (s, e))
	    if prev is not None:
	        if s < prev[0] or s <= prev[0]:
	            bad.append("chunk %d,%d does not move on" % (s, e))
	        if prev[1] - s > overlap:
	            bad.append("chunk %d,%d overlaps the previous by %d" % (s, e, prev[1] - s))
	    prev = (s, e)
	    covered.update(range(s, e))
	missed = [i for i, c in enumerate(text) if not c.isspace() and i not in covered]
	if missed:
	    bad.append("characters not in any chunk: %s" % missed[:10])
	if not recs:
	    bad.append("no chunks")
	print("\n".join(bad))
	sys.exit(1 if bad else 0)
	EOF
}

@test "--chunk cuts text at sentence ends or white space, with exact character offsets" {
	sluice-ingest "$TF/notes.txt" > notes.warc
	for spec in 40 40,10 60,0 25,5 100,30 17,16 1000; do
		sluice-transform --chunk "$spec" . notes.warc > out.warc
		size=${spec%,*} overlap=0
		[[ "$spec" == *,* ]] && overlap=${spec#*,}
		if [ "$size" -ge "$(wc -m < "$TF/notes.txt")" ]; then
			# it fits: the record as it was
			[ "$(streamcat -d -f WARC-Type out.warc)" = resource ] || fail "$spec: not passed on"
			continue
		fi
		run check_chunks "$TF/notes.txt" out.warc "$size" "$overlap"
		[ "$status" -eq 0 ] || fail "--chunk $spec:" "$output"
		# chunk records: conversions of the text, text/plain, one parent
		[ "$(streamcat -d -f WARC-Type,Content-Type,WARC-Refers-To out.warc | sort -u | wc -l)" -eq 1 ] ||
		    fail "$spec: chunks differ in type or parent"
	done
}

@test "--chunk prefers a sentence end in the second half of the window" {
	printf 'One two three. Four five six seven eight nine ten eleven\n' > s.txt
	sluice-ingest s.txt > s.warc
	sluice-transform --chunk 24 . s.warc > out.warc
	run bash -c "streamcat -d -f WARC-Target-URI -p out.warc | sed 's|.*#||'"
	[ "${lines[0]}" = $'char=0,14\tOne two three.' ] || fail "${lines[0]}"
	# with no sentence end, the last white space; a word longer than the
	# window is cut
	printf 'aaaa bbbb cccc dddddddddddddddddddd e\n' > w.txt
	sluice-ingest w.txt > w.warc
	run bash -c "sluice-transform --chunk 12 . w.warc | streamcat -d -f WARC-Target-URI -p | sed 's|.*#||'"
	[ "$output" = $'char=0,9\taaaa bbbb\nchar=10,14\tcccc\nchar=15,27\tdddddddddddd\nchar=27,37\tdddddddd e' ] || fail "$output"
}

@test "--chunk counts characters, not bytes" {
	printf 'ééé ààà üüü ööö\n' > u.txt
	sluice-ingest u.txt > u.warc
	run bash -c "sluice-transform --chunk 7 . u.warc | streamcat -d -f WARC-Target-URI -p | sed 's|.*#||'"
	[ "$output" = $'char=0,7\tééé ààà\nchar=8,15\tüüü ööö' ] || fail "$output"
}

@test "--chunk-field chunks a string field of JSON payloads" {
	python3 -c '
import json
t = open("'"$TF"'/notes.txt", encoding="utf-8").read()
print(json.dumps({"id": 7, "body": t}, ensure_ascii=False))
print(json.dumps({"id": 8, "body": "short"}))
print(json.dumps({"id": 9, "body": 12}))' > docs.jsonl
	sluice-ingest docs.jsonl > docs.warc
	sluice-transform --chunk 50,10 --chunk-field body . docs.warc > out.warc
	# record 7 in pieces, each with the other fields; 8 and 9 as they were
	run streamcat -d -f WARC-Type out.warc
	[ "${lines[-1]}" = resource ] && [ "${lines[-2]}" = resource ]
	[ "$(streamcat -d -p out.warc | head -n -2 | jq -r .id | sort -u)" = 7 ]
	# the offsets locate each piece in the field's text
	python3 - <<-'EOF'
	import json, re, subprocess
	text = json.loads(open("docs.jsonl").readline())["body"]
	out = subprocess.run(["streamcat", "-d", "-f", "WARC-Target-URI", "-p", "out.warc"],
	                     capture_output=True, check=True).stdout.decode().splitlines()
	for line in out[:-2]:
	    uri, payload = line.split("\t", 1)
	    s, e = map(int, re.search(r"char=(\d+),(\d+)$", uri).groups())
	    assert json.loads(payload)["body"] == text[s:e], (s, e)
	    assert e - s <= 50
	EOF
	# the URI keeps the line locator and adds the character range after ';'
	streamcat -d -f WARC-Target-URI out.warc | head -1 | grep -Eq '#line=0,1;char=0,[0-9]+$'
}

@test "a program and --chunk: the program's text outputs are chunked" {
	sluice-ingest "$TF/people.jsonl" > p.warc
	sluice-transform --chunk 12 '.name' p.warc > out.warc
	# JSON string outputs of a JSON record are JSON, not text: not chunked
	[ "$(streamcat -d -c out.warc)" -eq 5 ]
	sluice-ingest "$TF/notes.txt" > n.warc
	sluice-transform --chunk 30 'ascii_upcase' n.warc > out.warc
	[ "$(streamcat -d -p out.warc | head -1)" = "SLUICE MOVES RECORDS THROUGH A" ]
}

@test "--redact removes a field and its name from Sluice-PII" {
	printf '%s\n' '{"id":1,"email":"a@x","name":"A","contact":{"phone":"1"}}' '{"id":2}' > r.jsonl
	sluice-ingest r.jsonl > r.warc
	# mark the PII fields (by --meta, a tightening)
	sluice-transform --meta '.meta["Sluice-PII"] = "email name /contact/phone"' r.warc > pii.warc
	sluice-transform --redact email --redact /contact/phone . pii.warc > out.warc
	run streamcat -d -f WARC-Type,Sluice-PII -p out.warc
	[ "${lines[0]}" = $'conversion\tname\t{"id":1,"name":"A","contact":{}}' ] || fail "${lines[0]}"
	# a record without the fields is left as it was
	[ "${lines[1]}" = $'conversion\t/contact/phone email name\t{"id":2}' ] || fail "${lines[1]}"
	[ "$(streamcat -d -f WARC-Record-ID out.warc | tail -1)" = "$(streamcat -d -f WARC-Record-ID pii.warc | tail -1)" ]
	# a record without the field is left as it was
	sluice-transform --redact email . r.warc > out.warc
	[ "$(streamcat -d -f WARC-Type out.warc | tail -1)" = resource ]
	# a pointer into an array
	printf '%s\n' '{"a":[{"s":1},{"s":2}]}' > a.jsonl
	sluice-ingest a.jsonl > a.warc
	[ "$(sluice-transform --redact /a/1/s . a.warc | streamcat -d -p)" = '{"a":[{"s":1},{}]}' ]
}

@test "--pseudonymize replaces a field with its HMAC-SHA256, the same on every run" {
	printf '0123456789abcdef-secret\n' > key
	printf '%s\n' '{"id":1,"email":"ada@example.org","n":5}' '{"id":2,"email":"bob@example.org","n":5}' \
	    '{"id":3,"email":"ada@example.org","n":[1,"x"]}' > e.jsonl
	sluice-ingest e.jsonl > e.warc
	sluice-transform --pseudonymize email --pseudonymize n --secret-file key . e.warc > a.warc
	sluice-transform --pseudonymize email --pseudonymize n --secret-file key . e.warc > b.warc
	cmp a.warc b.warc
	run streamcat -d -p a.warc
	# the value is the HMAC-SHA256 (key: the file without its newline) of
	# the string, or of the compact JSON text of a non-string
	mac() { printf '%s' "$1" | openssl dgst -sha256 -hmac '0123456789abcdef-secret' | sed 's/.*= //'; }
	[ "${lines[0]}" = "{\"id\":1,\"email\":\"$(mac ada@example.org)\",\"n\":\"$(mac 5)\"}" ] || fail "${lines[0]}"
	[ "${lines[2]}" = "{\"id\":3,\"email\":\"$(mac ada@example.org)\",\"n\":\"$(mac '[1,"x"]')\"}" ] || fail "${lines[2]}"
	# joins still work: the same email, the same pseudonym
	[ "$(jq -r .email <<<"${lines[0]}")" = "$(jq -r .email <<<"${lines[2]}")" ]
	# the fields stay personal data in Sluice-PII
	[ "$(streamcat -d -f Sluice-PII a.warc | sort -u)" = "email n" ]
	# another secret, other pseudonyms; the secret is never in the stream
	printf 'another-secret-0123456789\n' > key2
	sluice-transform --pseudonymize email --secret-file key2 . e.warc > c.warc
	[ "$(streamcat -d -p c.warc | head -1 | jq -r .email)" != "$(mac ada@example.org)" ]
	! grep -q 0123456789abcdef-secret a.warc
	# and the program sees the pseudonym
	[ "$(sluice-transform --pseudonymize email --secret-file key '.email | length' e.warc | streamcat -d -p | sort -u)" = 64 ]
}

@test "--secret-file problems are usage errors or unopenable inputs" {
	printf 'short\n' > weak
	run sluice-transform --pseudonymize email --secret-file weak .
	expect_status 64
	[[ "$output" == *"weak: the secret is shorter than 16 bytes"* ]] || fail "$output"
	run sluice-transform --pseudonymize email --secret-file nosuch .
	expect_status 66
}

@test "--dedup drops payloads already written, counted, holding digests only" {
	printf '%s\n' '{"k":1,"v":"a"}' '{"k":2,"v":"b"}' '{"k":3,"v":"a"}' '{"k":4,"v":"a"}' > d.jsonl
	sluice-ingest d.jsonl > d.warc
	sluice-transform --dedup --metrics m.prom '{v}' d.warc 2>err > out.warc
	[ "$(streamcat -d -p out.warc)" = $'{"v":"a"}\n{"v":"b"}' ]
	grep -qx 'sluice_transform_deduped_total{tool="sluice-transform"} 2' m.prom
	[ "$(cat err)" = "sluice-transform: 2 duplicate payloads dropped (--dedup)" ] || fail "$(cat err)"
	# across inputs, and among the outputs of one record
	sluice-transform --dedup '.v, .v, "x"' d.warc d.warc > out.warc
	[ "$(streamcat -d -p out.warc | tr '\n' ' ')" = '"a" "x" "b" ' ]
	# records passed on unchanged count too
	sluice-transform --dedup 'select(.k != 2)' d.warc d.warc > out.warc
	[ "$(streamcat -d -c out.warc)" -eq 3 ]
}
