#!/usr/bin/env bats
# drift-report.bats - sluice-drift's outputs: the JSON report's shape (an
# interface), the summary, --metrics, --html, --report-record, --propose.

load lib

# setup_data: base.warc/base.prof and cur.warc, which drifts: x shifted, c
# with a new category, "extra" added, "gone" missing, n gains nulls.
setup_data() {
	awk 'BEGIN { for (i = 0; i < 300; i++)
		printf "{\"x\":%d,\"c\":\"%s\",\"n\":%d,\"gone\":1,\"same\":%d}\n", i % 100, substr("ab", i % 2 + 1, 1), i % 7, i % 10 }' |
	    sluice-ingest -f jsonl > base.warc
	awk 'BEGIN { for (i = 0; i < 300; i++)
		printf "{\"x\":%d,\"c\":\"%s\",\"n\":%s,\"extra\":\"e\",\"same\":%d}\n", i % 100 + 40, substr("abc", i % 3 + 1, 1), (i % 4 ? i % 7 : "null"), i % 10 }' |
	    sluice-ingest -f jsonl > cur.warc
	sluice-drift -s base.prof < base.warc > /dev/null
}

@test "the JSON report has the documented shape" {
	setup_data
	run bash -c 'sluice-drift -b base.prof -r r.json cur.warc > /dev/null'
	expect_status 1
	problems=()
	while IFS= read -r check; do
		got=$(jq "$check" r.json)
		[ "$got" = true ] || problems+=("false: $check")
	done <<-'EOF'
	.sluice_drift_report == 1
	.drift == true
	(.correction | IN("bh", "bonferroni", "none"))
	(.decided_by | type) == "string"
	(.conventions | keys) == ["chi2_p","js_distance","ks_d","ks_p","ks_p_max","linf","null_rate","psi","wasserstein_norm"]
	.thresholds.wasserstein_norm == 0.1 and .thresholds.js_distance == 0.1
	.records == {"baseline": 300, "current": 300}
	.schema.added == ["extra"]
	.schema.missing == ["gone"]
	.schema.type_changed == []
	.schema.null_rate_changed == ["n"]
	.schema.unseen_categories == ["c"]
	(.fields | keys) == ["c","extra","gone","n","same","x"]
	[.fields[] | .kind] - ["numeric","categorical"] == []
	[.fields[] | .drift | type] | unique == ["boolean"]
	.fields.x.kind == "numeric" and .fields.x.drift == true
	(.fields.x.stats | keys) == ["ks_d","ks_d_error","ks_p","ks_p_adjusted","ks_p_max","mean_baseline","mean_current","psi","psi_band","rank_error","sketch_exact","std_baseline","std_current","wasserstein_norm"]
	.fields.c.kind == "categorical" and .fields.c.drift == true
	(.fields.c.stats | keys) == ["categories","chi2_p","chi2_p_adjusted","js_distance","linf","sketch_exact","unseen_share"]
	.fields.same.drift == false and .fields.same.reasons == []
	.fields.same.count == {"baseline": 300, "current": 300}
	.fields.n.null_rate == {"baseline": 0, "current": 0.25}
	.fields.extra.presence == "added" and .fields.extra.stats == null
	.fields.gone.presence == "missing" and .fields.gone.count.current == 0
	.drifted == ["c","extra","gone","n","x"]
	.drifted_fields == 5 and .compared_fields == 6
	(.drifted_share - 5 / 6 | fabs) < 1e-9
	EOF
	fail_all
}

@test "the summary on stderr names each drifted field and the verdict" {
	setup_data
	run bash -c 'sluice-drift -b base.prof cur.warc 2>&1 >/dev/null'
	expect_status 1
	expect_line 'sluice-drift: field "extra": added'
	expect_line 'sluice-drift: field "gone": missing'
	expect_match 'sluice-drift: field "x": wasserstein_norm [0-9.]+ \(ks_d'
	expect_match 'sluice-drift: field "c": js_distance [0-9.]+ \(linf [0-9.]+\), 0.333 of values in unseen categories'
	expect_line 'sluice-drift: drift: 5 of 6 fields drifted (300 records against a baseline of 300)'
	run bash -c 'sluice-drift -q -b base.prof cur.warc 2>&1 >/dev/null'
	expect_status 1
	[ -z "$output" ] || fail "-q printed: $output"
}

@test "--metrics: Prometheus gauges per field and statistic" {
	setup_data
	run bash -c 'sluice-drift -q -b base.prof --metrics m.prom cur.warc > /dev/null'
	expect_status 1
	problems=()
	while IFS= read -r want; do
		grep -qE "^$want\$" m.prom || problems+=("no line: $want")
	done <<-'EOF'
	sluice_records_in_total\{tool="sluice-drift"\} 300
	sluice_exit_status\{tool="sluice-drift"\} 1
	sluice_drift\{tool="sluice-drift"\} 1
	sluice_drift_fields_drifted\{tool="sluice-drift"\} 5
	sluice_drift_field_drift\{tool="sluice-drift",field="same"\} 0
	sluice_drift_field_drift\{tool="sluice-drift",field="x"\} 1
	sluice_drift_field_null_rate\{tool="sluice-drift",field="n"\} 0.25
	sluice_drift_field_statistic\{tool="sluice-drift",field="x",statistic="wasserstein_norm"\} [0-9.e+-]+
	sluice_drift_field_statistic\{tool="sluice-drift",field="c",statistic="js_distance"\} [0-9.e+-]+
	EOF
	fail_all
	# every line is a comment or "name{labels} number"
	run grep -vE '^(# (HELP|TYPE) .*|[a-z_]+\{[^}]*\} -?[0-9.e+-]+)$' m.prom
	[ "$status" -eq 1 ] || fail "malformed lines: $output"
}

@test "--metrics is written on failure too, with the exit status" {
	setup_data
	{ cat cur.warc; printf 'WARC/1.1\r\nWARC-Type: resource\r\n'; } > broken.warc
	run bash -c 'sluice-drift -b base.prof --metrics m.prom -r r.json broken.warc > /dev/null'
	expect_status 65
	grep -qx 'sluice_exit_status{tool="sluice-drift"} 65' m.prom || fail "$(cat m.prom)"
	[ ! -e r.json ] || fail "a report was left behind"
}

@test "--html: one self-contained page with inline SVG" {
	setup_data
	run bash -c 'sluice-drift -q -b base.prof --html r.html cur.warc > /dev/null'
	expect_status 1
	grep -q '^<!DOCTYPE html>' r.html || fail "not HTML"
	[ "$(grep -o '<svg ' r.html | wc -l)" -eq 4 ] || fail "want 4 charts (x, c, n, same)"
	grep -q 'Verdict: <span class="drift">drift</span>' r.html || fail "no verdict"
	# nothing is loaded from elsewhere: no scripts, links or URLs at all
	# (inline SVG in HTML needs no namespace URI)
	run grep -oE '<script|<link|<img|src=|https?://[^"]*' r.html
	[ -z "$output" ] || fail "external references: $output"
	# every element opened is closed (a well-formed XHTML-like body)
	run bash -c "sed 1d r.html | sed 's/<meta [^>]*>//' | python3 -c 'import sys, xml.dom.minidom as m; m.parseString(sys.stdin.read())'"
	[ "$status" -eq 0 ] || fail "not well-formed: $output"
}

@test "--report-record ends the stream with a metadata record holding the report" {
	setup_data
	run bash -c 'sluice-drift -q -b base.prof -r r.json --report-record cur.warc > out.warc'
	expect_status 1
	whole_records out.warc
	run streamcat -f WARC-Type,Content-Type,WARC-Refers-To out.warc
	last=${lines[${#lines[@]}-1]}
	[[ "$last" == metadata$'\t'application/json$'\t<urn:uuid:'* ]] || fail "last record: $last"
	[ "$(streamcat -d -c out.warc)" = 300 ] || fail "data records lost"
	streamcat -f WARC-Type -p out.warc | awk -F'\t' '$1 == "metadata" { print $2 }' > rec.json
	diff <(jq -S . rec.json) <(jq -S . r.json) || fail "record payload differs from --report"
	# the record passes through another run untouched and is not profiled
	sluice-drift -s again.prof < out.warc > again.warc
	cmp out.warc again.warc || fail "second pass changed the stream"
	[ "$(jq .records again.prof)" = 300 ] || fail "metadata record profiled"
}

@test "windows in the report: one object per window with its bounds" {
	setup_data
	cat base.warc cur.warc > both.warc
	run bash -c 'sluice-drift -q -b base.prof -w 300 -r r.json --report-record both.warc > out.warc'
	expect_status 1
	run jq -c '[.windows_total, .windows_drifted, .drift, (.windows | map([.window, .first_record, .last_record, .drift, (.fields | length)]))]' r.json
	[ "$output" = '[2,1,true,[[1,1,300,false,5],[2,301,600,true,6]]]' ] || fail "$output"
	streamcat -f WARC-Type -p out.warc | awk -F'\t' '$1 == "metadata" { print $2 }' > rec.json
	run jq -c '[.drift, has("windows"), .records.current]' rec.json
	[ "$output" = '[true,false,600]' ] || fail "record: $output"
}

@test "--propose writes the next contract version, the old one untouched" {
	setup_data
	cat > c.json <<-'EOF'
	{"contract": "things", "version": "3",
	 "record": {"type": "object", "required": ["x", "gone"],
	   "properties": {"x": {"type": "integer"}, "c": {"type": "string", "enum": ["a", "b"]},
	     "n": {"type": "integer"}, "gone": {"type": "integer"}, "same": {"type": "integer"}},
	   "additionalProperties": false},
	 "unique": ["/x"]}
	EOF
	cp c.json c.orig
	run bash -c 'sluice-drift -b base.prof --propose c.json --proposal next.json cur.warc 2>&1 >/dev/null'
	expect_status 1
	cmp c.json c.orig || fail "the contract was changed"
	expect_line 'sluice-drift: proposal: field "c": 1 new value admitted to its enum'
	expect_line 'sluice-drift: proposal: field "extra" added as an optional property'
	expect_line 'sluice-drift: proposal: field "gone" is missing from the data: no longer required'
	expect_line 'sluice-drift: proposal: field "n": type widened to admit null'
	run jq -c '[.contract, .version, .record.required, .record.properties.extra,
	    .record.properties.c.enum, .record.properties.n.type, .unique,
	    (.record["$comment"] | test("review before adopting"))]' next.json
	[ "$output" = '["things","4",["x"],{"type":["string"]},["a","b","c"],["integer","null"],["/x"],true]' ] ||
	    fail "$output"
}

@test "--propose: the proposal admits the data the old contract refused" {
	PY=
	for p in /usr/bin/python3 python3; do
		"$p" -c 'import jsonschema' 2>/dev/null && { PY=$p; break; }
	done
	[ -n "$PY" ] || skip "no python3 with jsonschema"
	setup_data
	printf '{"contract":"t","version":7,"record":{"type":"object","required":["gone"],"properties":{"x":{"type":"integer"},"same":{"type":"integer"},"gone":{"type":"integer"},"c":{"enum":["a","b"],"type":"string"},"n":{"type":"integer"}},"additionalProperties":false}}' > c.json
	sluice-drift -q -b base.prof --propose c.json --proposal next.json cur.warc > /dev/null || true
	[ "$(jq -c .version next.json)" = 8 ] || fail "version: $(jq .version next.json)"
	streamcat -d -p cur.warc > cur.jsonl
	run "$PY" -c '
import json, sys, jsonschema
old = json.load(open("c.json"))["record"]; new = json.load(open("next.json"))["record"]
rows = [json.loads(l) for l in open("cur.jsonl")]
bad_old = sum(1 for r in rows if not jsonschema.Draft202012Validator(old).is_valid(r))
bad_new = [r for r in rows if not jsonschema.Draft202012Validator(new).is_valid(r)]
print(bad_old, len(bad_new), bad_new[:1])
sys.exit(0 if bad_old == len(rows) and not bad_new else 1)'
	[ "$status" -eq 0 ] || fail "$output"
}

@test "--propose: sluice-validate takes the proposal and passes the new data" {
	command -v sluice-validate >/dev/null || skip "sluice-validate is not built"
	setup_data
	printf '{"contract":"t","version":"1.9","record":{"type":"object","required":["x","gone"],"properties":{"x":{"type":"integer"},"same":{"type":"integer"},"gone":{"type":"integer"},"c":{"enum":["a","b"],"type":"string"},"n":{"type":"integer"}},"additionalProperties":false}}' > c.json
	run sluice-validate -q c.json base.warc
	[ "$status" -eq 0 ] || fail "the old contract refuses the baseline: $output"
	run sluice-validate -q c.json cur.warc
	[ "$status" -eq 1 ] || fail "the old contract takes the new data: $status"
	sluice-drift -q -b base.prof --propose c.json --proposal next.json cur.warc > /dev/null || true
	run sluice-validate --lint next.json
	[ "$status" -eq 0 ] || fail "lint: $output"
	[ "$output" = "next.json: t@1.10: ok" ] || fail "lint says: $output"
	run sluice-validate -q next.json cur.warc
	[ "$status" -eq 0 ] || fail "the proposal refuses the new data: $output"
}

@test "--propose: bad contracts (78), in place (64), missing (66)" {
	setup_data
	printf '{"contract":' > trunc.json
	printf '[1]' > arr.json
	printf '{"version":"1"}' > noname.json
	printf '{"contract":"x","version":"1","record":3}' > badrec.json
	printf '{"contract":"x","version":"1"}' > ok.json
	problems=()
	while IFS='|' read -r args want pattern; do
		run bash -c "sluice-drift -b base.prof $args cur.warc > out.warc"
		[ "$status" -eq "$want" ] || problems+=("$args: status $status, want $want: $output")
		[[ "$output" =~ $pattern ]] || problems+=("$args: '$output' lacks '$pattern'")
	done <<-'EOF'
	--propose trunc.json --proposal p.json|78|trunc.json: not JSON
	--propose arr.json --proposal p.json|78|arr.json: a contract is a JSON object
	--propose noname.json --proposal p.json|78|"contract"
	--propose badrec.json --proposal p.json|78|"record" is not a schema
	--propose nosuch.json --proposal p.json|66|nosuch.json: cannot open
	--propose ok.json --proposal ok.json|64|never changed in place
	--propose ok.json --proposal ./ok.json|64|never changed in place
	EOF
	fail_all
	[ ! -e p.json ] || fail "a proposal was written"
	[ "$(cat ok.json)" = '{"contract":"x","version":"1"}' ] || fail "ok.json changed"
	[ ! -s out.warc ] || fail "output before the contract was checked"
}
