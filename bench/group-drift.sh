# group-drift.sh - sluice-drift: profile 1,000,000 customer rows (three
# numeric fields, age, income and score, and one categorical, segment) and
# compare them with a baseline profile, side by side with bench/drift-peer.py
# doing the same statistics with pandas + scipy from the same JSON Lines.
# Sourced by bench/run.

all_groups="$all_groups drift"
all_peers="$all_peers python3"

# A python3 with pandas and scipy (Debian's, when a python3 earlier on PATH
# lacks them), or nothing.
drift_python() {
	for p in python3 /usr/bin/python3; do
		if command -v "$p" >/dev/null 2>&1 &&
		    "$p" -c 'import pandas, scipy' 2>/dev/null; then
			command -v "$p"
			return 0
		fi
	done
}

group_drift() {
	speed=20		# x faster than pandas + scipy
	rss_mib=64		# peak RSS, any input size
	fields=/age,/income,/score,/segment

	drift=$(sluice_tool sluice-drift)
	ingest=$(sluice_tool sluice-ingest)
	py=$(drift_python)
	peer=$(cd "$(dirname "$0")" && pwd)/drift-peer.py
	heading drift "profile $rows rows and compare them with a baseline (3 numeric fields, 1 categorical)"
	need_data jsonl "$rows"
	cur=$data
	base=$tmp/drift-base.jsonl
	if [ ! -f "$base" ]; then
		"$gen" -f jsonl -s 2 "$rows" >"$base" ||
			die 74 "could not generate ${base##*/}"
	fi
	if [ -n "$drift" ] && [ -n "$ingest" ]; then
		SOURCE_DATE_EPOCH=$sde "$ingest" -f jsonl "$cur" >"$tmp/drift-cur.warc"
		SOURCE_DATE_EPOCH=$sde "$ingest" -f jsonl "$base" |
		    SOURCE_DATE_EPOCH=$sde "$drift" -F "$fields" \
		    -s "$tmp/drift-base.prof" >/dev/null
	else
		note "sluice-drift or sluice-ingest is not built: its rows are skipped"
	fi
	if [ -n "$py" ]; then
		"$py" "$peer" save "$base" "$tmp/drift-base.pkl" ||
			note "drift-peer.py could not save the baseline"
	else
		note "no python3 with pandas and scipy: the peer's row is skipped"
	fi

	table_header
	if [ -n "$py" ] && [ -f "$tmp/drift-base.pkl" ]; then
		peer_run drift_peer "$cur" "$py" "$peer" compare \
		    "$tmp/drift-base.pkl" "$cur"
	else
		r_drift_peer_why="skipped, no python3 with pandas and scipy"
	fi
	show_row drift_peer "drift-peer.py (pandas + scipy)" peer
	if [ -f "$tmp/drift-cur.warc" ]; then
		sluice_run drift_cmp sluice-drift "$tmp/drift-cur.warc" \
		    -q -F "$fields" -b "$tmp/drift-base.prof" \
		    -s "$tmp/drift-cur.prof" "$tmp/drift-cur.warc"
	else
		r_drift_cmp_why="skipped, no stream"
	fi
	show_row drift_cmp "sluice-drift -s -b (stream input)" \
	    "$(speed_ratio drift_cmp drift_peer pandas)"

	if [ "$big_rows" -gt 0 ] && [ -n "$drift" ] && [ -n "$ingest" ]; then
		need_data jsonl "$big_rows"
		SOURCE_DATE_EPOCH=$sde "$ingest" -f jsonl "$data" \
		    >"$tmp/drift-big.warc"
		sluice_run drift_big sluice-drift "$tmp/drift-big.warc" \
		    -q -F "$fields" -b "$tmp/drift-base.prof" "$tmp/drift-big.warc"
		show_row drift_big "sluice-drift -b, $big_rows rows" \
		    "$(rss_ratio drift_big drift_cmp "$rows rows")"
		rm -f "$tmp/drift-big.warc"
	fi

	target_speed "drift profile+compare vs pandas+scipy" drift_cmp \
	    drift_peer "$speed"
	target_rss "drift peak RSS" drift_cmp "$rss_mib"
	if [ "$big_rows" -gt 0 ]; then
		target_rss "drift peak RSS, $big_rows rows" drift_big "$rss_mib"
		target_flat "drift peak RSS, $rows -> $big_rows rows" drift_cmp \
		    drift_big
	fi
}
