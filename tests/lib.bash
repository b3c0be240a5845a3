# lib.bash - shared set-up for sluice's bats tests; load with `load lib`.
#
# Tests run against the build tree (make check puts it first on PATH) in a
# scratch folder, with SOURCE_DATE_EPOCH set so output is reproducible.

bats_require_minimum_version 1.5.0

export SOURCE_DATE_EPOCH=1700000000
export LC_ALL=C.UTF-8 TZ=UTC
: "${SLUICE_SRCDIR:=$(cd "$BATS_TEST_DIRNAME/.." && pwd)}"
: "${SLUICE_BUILDDIR:=$SLUICE_SRCDIR}"
: "${CONFORMANCE:=$SLUICE_SRCDIR/tests/fixtures/conformance}"
export PATH="$SLUICE_BUILDDIR:$SLUICE_BUILDDIR/tests:$PATH"
FIXTURES="$SLUICE_SRCDIR/tests/fixtures"
WARCIO="$CONFORMANCE/warcio-samples"

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
}

# Fails the test with a message showing what was expected and what came.
fail() {
	printf '%s\n' "$@" >&2
	return 1
}

# fail_all: fails with every message collected in the array problems (for
# table tests that report every bad row, not just the first).
fail_all() {
	if [ "${#problems[@]}" -gt 0 ]; then
		fail "${problems[@]}"
	fi
}

# expect_status N: $status must be N.
expect_status() {
	if [ "$status" -ne "$1" ]; then
		fail "expected exit status $1, got $status" "output: $output" \
		    ${stderr+"stderr: $stderr"}
	fi
}

# expect_line TEXT: some line of $output must equal TEXT.
expect_line() {
	local l
	for l in "${lines[@]}"; do
		[ "$l" = "$1" ] && return 0
	done
	fail "no line equal to: $1" "output:" "$output"
}

# expect_match REGEX: $output must match the extended regular expression.
expect_match() {
	if ! printf '%s' "$output" | grep -Eq -- "$1"; then
		fail "output does not match: $1" "output:" "$output"
	fi
}

# ingest ARGS...: sluice-ingest ARGS with the stream in out.warc; $status is
# its exit status and $output its standard error.
ingest() {
	run bash -c 'sluice-ingest "$@" >out.warc' sluice-ingest "$@"
}

# rows: "locator<TAB>payload" for each data record of out.warc (the file://
# prefix of the scratch folder cut off).
rows() {
	streamcat -d -p -f WARC-Target-URI out.warc | sed "s|^file://$(pwd -P)/||"
}

# joined: the payloads of out.warc on one line, separated by ' ; '.
joined() {
	streamcat -d -p out.warc | awk 'NR > 1 { printf " ; " } { printf "%s", $0 }'
}

# ndata: the number of data records in out.warc.
ndata() {
	streamcat -d -c out.warc
}

# payloads FILE...: ingest FILE and print each data record's payload.
payloads() {
	sluice-ingest "$@" | streamcat -d -p
}

# The stdout of a command that failed must still be a valid stream: whole
# records only.  Usage: whole_records FILE
whole_records() {
	streamcat -c "$1" >/dev/null || fail "$1 is not a valid stream (half a record?)"
}
