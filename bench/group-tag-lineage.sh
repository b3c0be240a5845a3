# bench/group-tag-lineage.sh - sourced by bench/run.
#
# tag-lineage: a ten-rule policy over a stream of $rows records, against a
# plain pass-through of the same stream.  The peer is sluice-tag-lineage
# with an empty policy: it reads and writes every record through the same
# stream reader and writer and changes nothing, so the ratio is the price
# of the rules themselves (matching, setting fields, the lineage line).
# tests/streamcat is no peer: it prints text, not a stream.  `cat` is shown
# as the floor (bytes only, no parsing).  Memory: the same policy over a
# quarter of the records, to show that peak RSS does not grow with input.

all_groups="$all_groups tag-lineage"
all_peers="$all_peers cat"

# tag_lineage_stream ROWS: sets stream to a sluice stream of ROWS records
# (sluice-ingest -k id of the JSON Lines data set), made once, untimed.
tag_lineage_stream() {
	need_data jsonl "$1"
	stream=${data%.jsonl}.warc
	[ -f "$stream" ] && return 0
	SOURCE_DATE_EPOCH=$sde "$ingest" -k id -f jsonl "$data" > "$stream" ||
		die 74 "could not ingest ${data##*/} into a stream"
}

group_tag_lineage() {
	speed_min=0.5		# within 2x of the pass-through
	rss_mib=32

	tag=$(sluice_tool sluice-tag-lineage)
	ingest=$(sluice_tool sluice-ingest)
	heading tag-lineage "a ten-rule policy over $rows records"
	if [ -z "$tag" ] || [ -z "$ingest" ]; then
		note "sluice-tag-lineage or sluice-ingest is not built: skipped"
		return 0
	fi
	tag_lineage_stream "$rows"
	full=$stream
	small_rows=$((rows / 4))
	[ "$small_rows" -ge 1 ] || small_rows=1
	tag_lineage_stream "$small_rows"
	small=$stream

	empty=$tmp/tag-empty.json
	policy=$tmp/tag-ten.json
	printf '{"policy":"none","version":1,"rules":[]}\n' > "$empty"
	cat > "$policy" <<-'POLICY'
	{"policy": "bench", "version": 1, "rules": [
	 {"name": "customers", "match": {"uri": "file:///**/customers*.jsonl"},
	  "set": {"classification": "confidential", "roles": ["crm", "support"]}},
	 {"name": "json", "match": {"media-type": "application/json"},
	  "set": {"authority": "internal"}},
	 {"name": "sevens", "match": {"header": {"Sluice-Key": "*7"}},
	  "set": {"certification": "provisional"}},
	 {"name": "hr", "match": {"uri": "file:///**/hr/**"},
	  "set": {"classification": "restricted"}},
	 {"name": "early-keys", "match": {"header": {"Sluice-Key": "[1-3]*"}},
	  "set": {"pii": ["email", "name"]}},
	 {"name": "text", "match": {"media-type": "text/*"},
	  "set": {"classification": "public"}},
	 {"name": "fresh", "match": {"uri": "**customers*",
	  "header": {"Sluice-Classification": "internal"}}, "set": {"ttl": "P30D"}},
	 {"name": "german-hundreds", "match": {"header": {"Sluice-Key": "*00"},
	  "jq": ".country == \"DE\""}, "set": {"classification": "restricted"}},
	 {"name": "s3", "match": {"uri": "s3://**"}, "set": {"authority": "external"}},
	 {"name": "all", "set": {"authority": "authoritative"}}
	]}
	POLICY

	table_header
	peer_run tag_cat "$full" cat "$full"
	show_row tag_cat "cat (bytes only)" floor
	sluice_run tag_pass sluice-tag-lineage "$full" -p "$empty" "$full"
	show_row tag_pass "sluice-tag-lineage, empty policy" peer
	sluice_run tag_ten sluice-tag-lineage "$full" -p "$policy" "$full"
	show_row tag_ten "sluice-tag-lineage, ten rules" \
	    "$(speed_ratio tag_ten tag_pass pass-through)"
	sluice_run tag_ten_small sluice-tag-lineage "$small" -p "$policy" "$small"
	show_row tag_ten_small "sluice-tag-lineage, ten rules, $small_rows" \
	    "$(rss_ratio tag_ten_small tag_ten "$rows records")"

	target_speed "tag-lineage ten rules vs pass-through" tag_ten tag_pass \
	    "$speed_min"
	target_rss "tag-lineage peak RSS" tag_ten "$rss_mib"
	target_flat "tag-lineage peak RSS, $small_rows -> $rows records" \
	    tag_ten_small tag_ten
}
