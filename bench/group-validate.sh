# group-validate.sh - sourced by bench/run: the validate group.
#
# sluice-validate checks $rows customer rows (bench/gen.c, ingested into a
# sluice stream outside the timing) against a contract with types,
# required, enum, ranges and an e-mail pattern.  Peers: Python's jsonschema
# (Debian's python3-jsonschema, Draft 2020-12, iter_errors on every row)
# on 100,000 of the same rows, compared per record; and `jq -c .` merely
# reading and reprinting all the rows as JSON Lines.

all_groups="$all_groups validate"
all_peers="$all_peers python3"

# validate_contract FILE: the benchmark's contract.
validate_contract() {
	cat >"$1" <<'EOF'
{"contract": "customers", "version": "1",
 "record": {"type": "object",
  "required": ["id", "name", "email", "segment", "age", "income", "score",
               "signup_ts", "country", "active"],
  "properties": {
   "id": {"type": "integer", "minimum": 1},
   "name": {"type": ["string", "null"], "minLength": 1},
   "email": {"type": ["string", "null"], "pattern": "^[^@\\s]+@[^@\\s]+\\.[a-z]+$"},
   "segment": {"enum": ["consumer", "education", "enterprise", "government",
                        "healthcare", "internal", "mid-market", "nonprofit",
                        "partner", "reseller", "smb", "startup", null]},
   "age": {"type": ["integer", "null"], "minimum": 0, "maximum": 120},
   "income": {"type": ["number", "null"], "minimum": 0},
   "score": {"type": ["number", "null"]},
   "signup_ts": {"type": ["string", "null"]},
   "country": {"type": ["string", "null"], "pattern": "^[A-Z]{2}$"},
   "active": {"type": ["boolean", "null"]}}}}
EOF
}

# validate_peer FILE: the Python jsonschema run (the contract's "record").
validate_peer() {
	cat >"$1" <<'EOF'
import json, sys
from jsonschema import Draft202012Validator
schema = json.load(open(sys.argv[1]))["record"]
v = Draft202012Validator(schema)
n = bad = 0
with open(sys.argv[2], "rb") as f:
    for line in f:
        errors = list(v.iter_errors(json.loads(line)))
        n += 1
        bad += bool(errors)
if bad:
    sys.exit("%d of %d rows invalid" % (bad, n))
EOF
}

# per_record_ratio KEY ROWS PEERKEY PEERROWS: peer seconds per record
# divided by ours, e.g. "104.2".
per_record_ratio() {
	calc -v a="$(get "$3" wall)" -v an="$4" -v b="$(get "$1" wall)" \
	    -v bn="$2" 'BEGIN {
		if (b < 0.001) b = 0.001
		printf "%.1f", (a / an) / (b / bn)
	}'
}

group_validate() {
	speed_py=100		# x the Python validator, per record
	speed_jq=1		# x jq -c . reading the same rows
	rss_mib=32
	py_rows=100000
	[ "$py_rows" -le "$rows" ] || py_rows=$rows

	validate=$(sluice_tool sluice-validate)
	ingest=$(sluice_tool sluice-ingest)
	heading validate "a contract on $rows customer rows (types, required, enum, ranges, pattern)"
	need_data jsonl "$rows"
	jsonl=$data
	need_data jsonl "$py_rows"
	jsonl_py=$data
	contract=$tmp/validate.contract
	validate_contract "$contract"
	validate_peer "$tmp/validate_peer.py"
	warc=$tmp/customers.validate.warc
	if [ -n "$ingest" ] && [ -n "$validate" ] && [ ! -f "$warc" ]; then
		SOURCE_DATE_EPOCH=$sde "$ingest" -q -f jsonl "$jsonl" >"$warc" ||
			die 74 "could not ingest ${jsonl##*/} for the validate group"
	fi
	[ -n "$validate" ] ||
		note "$bindir/sluice-validate is not built: its rows are skipped"

	# Debian's python3 and python3-jsonschema, else whatever python3 is first
	py=python3
	/usr/bin/python3 -c 'import jsonschema' 2>/dev/null && py=/usr/bin/python3
	pyver=$("$py" -c 'from importlib.metadata import version; print(version("jsonschema"))' 2>/dev/null)
	note "python peer: $py, jsonschema ${pyver:-not installed}"

	table_header
	if [ -n "$pyver" ]; then
		peer_run validate_py "$jsonl_py" "$py" "$tmp/validate_peer.py" \
		    "$contract" "$jsonl_py"
	else
		r_validate_py_why="skipped, python3-jsonschema not installed"
	fi
	show_row validate_py "python3 jsonschema, $py_rows rows" peer
	peer_run validate_jq "$jsonl" jq -c . "$jsonl"
	show_row validate_jq "jq -c . (reading only)" peer
	if [ -n "$validate" ]; then
		sluice_run validate_sl sluice-validate "$warc" -q "$contract" "$warc"
	else
		r_validate_sl_why="skipped, sluice-validate not built"
	fi
	if measured validate_sl && measured validate_py; then
		ratio="$(per_record_ratio validate_sl "$rows" validate_py "$py_rows")x python per record, $(speed_ratio validate_sl validate_jq jq)"
	else
		ratio=$(speed_ratio validate_sl validate_jq jq)
	fi
	show_row validate_sl "sluice-validate, $rows rows" "$ratio"
	# the one rule whose memory grows: a digest per distinct key
	if [ -n "$validate" ]; then
		sed 's/^{"contract": "customers", "version": "1",$/& "unique": ["\/id"],/' \
		    "$contract" >"$tmp/validate-unique.contract"
		sluice_run validate_uq sluice-validate "$warc" -q \
		    "$tmp/validate-unique.contract" "$warc"
		show_row validate_uq "sluice-validate + unique /id" \
		    "$(speed_ratio validate_uq validate_jq jq)"
	fi

	if measured validate_sl && measured validate_py; then
		printf 'validate vs python jsonschema: %sx faster per record (target >= %sx)\n' \
		    "$(per_record_ratio validate_sl "$rows" validate_py "$py_rows")" \
		    "$speed_py" >>"$tmp/targets"
	else
		printf 'validate vs python jsonschema: not measured: %s%s (target >= %sx)\n' \
		    "$(get validate_sl why)" "$(get validate_py why)" "$speed_py" \
		    >>"$tmp/targets"
	fi
	target_speed "validate vs jq -c ." validate_sl validate_jq "$speed_jq"
	target_rss "validate peak RSS" validate_sl "$rss_mib"
}
