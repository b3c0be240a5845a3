# group-transform.sh - sourced by bench/run: the transform group.
#
# sluice-transform runs a jq program over $rows customer rows (bench/gen.c,
# ingested into a sluice stream outside the timing), side by side with the
# jq command running the same program over the same rows as JSON Lines.
#
# The program is the issue's
#     select(.age > 30) | {id, email, income: (.income * 1.1)}
# adapted to the generated data: bench/gen.c leaves some incomes null, which
# jq cannot multiply, so `.income` becomes `(.income // 0)`.  gen.c also
# writes 20-digit ids, which a double cannot hold: jq rounds them silently,
# sluice-transform keeps their text (`{id}` leaves the id at its path), so
# the timed run is the default one, number check included; both write the
# same number of outputs (checked once, untimed).
# Peak RSS is measured again on $big_rows rows: it must not grow.

all_groups="$all_groups transform"
all_peers="$all_peers jq"

group_transform() {
	speed_jq=3		# x faster than the jq command
	rss_mib=32

	prog='select(.age > 30) | {id, email, income: ((.income // 0) * 1.1)}'
	transform=$(sluice_tool sluice-transform)
	ingest=$(sluice_tool sluice-ingest)
	heading transform "$prog over $rows rows"
	need_data jsonl "$rows"
	jsonl=$data
	warc=$tmp/customers.transform.warc
	if [ -n "$transform" ] && [ -n "$ingest" ] && [ ! -f "$warc" ]; then
		SOURCE_DATE_EPOCH=$sde "$ingest" -q -f jsonl "$jsonl" >"$warc" ||
			die 74 "could not ingest ${jsonl##*/} for the transform group"
	fi
	warc_big=
	if [ -n "$transform" ] && [ -n "$ingest" ] && [ "$big_rows" -gt 0 ]; then
		need_data jsonl "$big_rows"
		warc_big=$tmp/customers-$big_rows.transform.warc
		[ -f "$warc_big" ] ||
			SOURCE_DATE_EPOCH=$sde "$ingest" -q -f jsonl "$data" \
			    >"$warc_big" ||
			die 74 "could not ingest ${data##*/} for the transform group"
	fi
	[ -n "$transform" ] ||
		note "$bindir/sluice-transform is not built: its rows are skipped"

	# the same number of outputs as jq (not timed)
	if [ -n "$transform" ] && command -v jq >/dev/null 2>&1; then
		if SOURCE_DATE_EPOCH=$sde "$transform" -q "$prog" \
		    "$warc" | LC_ALL=C awk '/^\{/ { n++ } END { print n + 0 }' \
		    >"$tmp/transform.n" &&
		    [ "$(cat "$tmp/transform.n")" = \
		    "$(jq -c "$prog" "$jsonl" | wc -l | tr -d ' ')" ]; then
			note "sluice-transform and jq write the same number of outputs ($(cat "$tmp/transform.n"))"
		else
			note "sluice-transform and jq disagree on the number of outputs"
		fi
	fi

	table_header
	peer_run transform_jq "$jsonl" jq -c "$prog" "$jsonl"
	show_row transform_jq "jq -c PROGRAM (JSON Lines)" peer
	sluice_run transform_sl sluice-transform "$warc" -q "$prog" "$warc"
	show_row transform_sl "sluice-transform PROGRAM (stream)" \
	    "$(speed_ratio transform_sl transform_jq jq)"
	if [ -n "$warc_big" ]; then
		sluice_run transform_big sluice-transform "$warc_big" -q \
		    "$prog" "$warc_big"
		show_row transform_big "sluice-transform, $big_rows rows" \
		    "$(rss_ratio transform_big transform_sl "$rows rows")"
	fi

	target_speed "transform vs jq -c PROGRAM" transform_sl transform_jq \
	    "$speed_jq"
	target_rss "transform peak RSS" transform_sl "$rss_mib"
	if [ -n "$warc_big" ]; then
		target_flat "transform peak RSS, $rows -> $big_rows rows" \
		    transform_sl transform_big
	fi
}
